/*
 * Session ticket protection (src/crypto/ticket.c): AES-256-GCM round trips,
 * refusal of every ticket that is not ours (another key set, any flipped
 * bit, any truncation, a trailing byte), rotation and expiry at the exact
 * second the header names, a shared key across sets (the fleet case), and
 * two threads on one set.
 *
 * Every refusal must be LT_ERR_DECRYPT_ERROR with the plaintext buffer
 * wiped; the tickets are handed over as exact-size heap copies, so under
 * ASan any read past the end is caught.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/ticket.h"
#include "test.h"

#define T0 1000000u /* an arbitrary start time, in seconds */
#define ROT 100u    /* rotation period of the sets here */
#define PT_MAX 600

typedef struct sealed {
    uint8_t buf[PT_MAX + LT_TICKET_OVERHEAD];
    size_t len;
} sealed;

static void fill(uint8_t *p, size_t n, uint8_t seed)
{
    for (size_t i = 0; i < n; i++) {
        p[i] = (uint8_t)(seed + i * 7);
    }
}

static int all_zero(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (p[i] != 0) {
            return 0;
        }
    }
    return 1;
}

static int seal(lt_ticket_keys *k, uint64_t now, const uint8_t *pt, size_t pt_len, sealed *t)
{
    return lt_ticket_seal(k, now, pt, pt_len, t->buf, sizeof t->buf, &t->len);
}

/* Opens an exact-size heap copy of ticket[0..len) into pt (PT_MAX bytes,
 * pre-filled with 0xAA so a missing wipe shows). */
static int open_copy(lt_ticket_keys *k, uint64_t now, const uint8_t *ticket, size_t len, uint8_t *pt, size_t *pt_len)
{
    uint8_t *copy = malloc(len > 0 ? len : 1);
    if (len > 0) {
        memcpy(copy, ticket, len);
    }
    memset(pt, 0xAA, PT_MAX);
    *pt_len = 12345;
    int rc = lt_ticket_open(k, now, copy, len, pt, PT_MAX, pt_len);
    free(copy);
    return rc;
}

/* The ticket does not open at `now`: DECRYPT_ERROR, pt wiped, no length. */
static int refused(lt_ticket_keys *k, uint64_t now, const uint8_t *ticket, size_t len)
{
    uint8_t pt[PT_MAX];
    size_t pt_len;
    int rc = open_copy(k, now, ticket, len, pt, &pt_len);
    return rc == LT_ERR_DECRYPT_ERROR && pt_len == 0 && all_zero(pt, sizeof pt);
}

/* The ticket opens at `now` to want[0..want_len). */
static int opens_to(lt_ticket_keys *k, uint64_t now, const sealed *t, const uint8_t *want, size_t want_len)
{
    uint8_t pt[PT_MAX];
    size_t pt_len;
    int rc = open_copy(k, now, t->buf, t->len, pt, &pt_len);
    return rc == LT_OK && pt_len == want_len && (want_len == 0 || memcmp(pt, want, want_len) == 0);
}

static int same_key_name(const sealed *a, const sealed *b)
{
    return memcmp(a->buf, b->buf, LT_TICKET_KEY_NAME_LEN) == 0;
}

static void test_seal_open_roundtrip(void)
{
    static const size_t lens[] = {0, 1, 15, 16, 17, 120, 583, PT_MAX};
    lt_ticket_keys *k = lt_ticket_keys_new(ROT, T0);
    EXPECT(k != NULL);
    for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
        uint8_t pt[PT_MAX];
        sealed a, b;
        fill(pt, lens[i], (uint8_t)i);
        EXPECT_EQ(seal(k, T0, pt, lens[i], &a), LT_OK);
        EXPECT_EQ(a.len, lens[i] + LT_TICKET_OVERHEAD);
        EXPECT(opens_to(k, T0, &a, pt, lens[i]));
        /* Same key, fresh nonce: the same plaintext seals differently. */
        EXPECT_EQ(seal(k, T0, pt, lens[i], &b), LT_OK);
        EXPECT(same_key_name(&a, &b));
        EXPECT(memcmp(a.buf + LT_TICKET_KEY_NAME_LEN, b.buf + LT_TICKET_KEY_NAME_LEN, LT_TICKET_NONCE_LEN) != 0);
        EXPECT(opens_to(k, T0, &b, pt, lens[i]));
        /* The plaintext does not appear as is. */
        if (lens[i] >= 16) {
            EXPECT(memcmp(a.buf + LT_TICKET_KEY_NAME_LEN + LT_TICKET_NONCE_LEN, pt, lens[i]) != 0);
        }
    }
    lt_ticket_keys_free(k);
}

static void test_seal_argument_checks(void)
{
    lt_ticket_keys *k = lt_ticket_keys_new(ROT, T0);
    uint8_t pt[32] = {1}, out[32 + LT_TICKET_OVERHEAD];
    size_t len = 99;
    EXPECT(k != NULL);
    EXPECT_EQ(lt_ticket_seal(k, T0, pt, sizeof pt, out, sizeof out - 1, &len), LT_ERR_USAGE);
    EXPECT_EQ(len, 0);
    EXPECT_EQ(lt_ticket_seal(k, T0, pt, sizeof pt, out, sizeof out, &len), LT_OK);
    EXPECT_EQ(len, sizeof out);
    EXPECT_EQ(lt_ticket_seal(NULL, T0, pt, sizeof pt, out, sizeof out, &len), LT_ERR_USAGE);
    EXPECT(lt_ticket_keys_new(0, T0) == NULL);
    lt_ticket_keys_free(NULL);
    lt_ticket_keys_free(k);
}

static void test_open_unknown_key(void)
{
    lt_ticket_keys *a = lt_ticket_keys_new(ROT, T0), *b = lt_ticket_keys_new(ROT, T0);
    uint8_t pt[100];
    sealed t;
    EXPECT(a != NULL && b != NULL);
    fill(pt, sizeof pt, 3);
    EXPECT_EQ(seal(a, T0, pt, sizeof pt, &t), LT_OK);
    EXPECT(refused(b, T0, t.buf, t.len));
    EXPECT(opens_to(a, T0, &t, pt, sizeof pt));
    lt_ticket_keys_free(a);
    lt_ticket_keys_free(b);
}

static void test_open_every_bit_flip(void)
{
    lt_ticket_keys *k = lt_ticket_keys_new(ROT, T0);
    uint8_t pt[100];
    sealed t;
    EXPECT(k != NULL);
    fill(pt, sizeof pt, 5);
    EXPECT_EQ(seal(k, T0, pt, sizeof pt, &t), LT_OK);
    size_t bad = 0;
    for (size_t bit = 0; bit < t.len * 8; bit++) {
        t.buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        bad += !refused(k, T0, t.buf, t.len);
        t.buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
    }
    EXPECT_EQ(bad, 0);
    EXPECT(opens_to(k, T0, &t, pt, sizeof pt));
    lt_ticket_keys_free(k);
}

static void test_open_truncations_and_trailing(void)
{
    lt_ticket_keys *k = lt_ticket_keys_new(ROT, T0);
    uint8_t pt[100];
    sealed t, empty;
    EXPECT(k != NULL);
    fill(pt, sizeof pt, 9);
    EXPECT_EQ(seal(k, T0, pt, sizeof pt, &t), LT_OK);
    /* Every length below the overhead, and everything up to one byte short. */
    size_t bad = 0;
    for (size_t len = 0; len < t.len; len++) {
        bad += !refused(k, T0, t.buf, len);
    }
    EXPECT_EQ(bad, 0);
    EXPECT(refused(k, T0, NULL, 0));
    /* One byte more: the tag is then read one byte later. */
    t.buf[t.len] = 0;
    EXPECT(refused(k, T0, t.buf, t.len + 1));
    /* The shortest ticket (empty plaintext) opens, and one byte less does not. */
    EXPECT_EQ(seal(k, T0, NULL, 0, &empty), LT_OK);
    EXPECT_EQ(empty.len, LT_TICKET_OVERHEAD);
    EXPECT(opens_to(k, T0, &empty, NULL, 0));
    EXPECT(refused(k, T0, empty.buf, empty.len - 1));
    lt_ticket_keys_free(k);
}

static void test_open_cap(void)
{
    lt_ticket_keys *k = lt_ticket_keys_new(ROT, T0);
    uint8_t pt[64], out[64];
    size_t n = 7;
    sealed t;
    EXPECT(k != NULL);
    fill(pt, sizeof pt, 11);
    EXPECT_EQ(seal(k, T0, pt, sizeof pt, &t), LT_OK);
    /* A plaintext that would not fit is refused like any foreign ticket,
     * and the buffer is wiped. */
    memset(out, 0xAA, sizeof out);
    EXPECT_EQ(lt_ticket_open(k, T0, t.buf, t.len, out, sizeof out - 1, &n), LT_ERR_DECRYPT_ERROR);
    EXPECT_EQ(n, 0);
    EXPECT(all_zero(out, sizeof out - 1));
    EXPECT_EQ(lt_ticket_open(k, T0, t.buf, t.len, out, sizeof out, &n), LT_OK);
    EXPECT_EQ(n, sizeof pt);
    EXPECT_MEM(out, pt, sizeof pt);
    lt_ticket_keys_free(k);
}

/* The first key seals until it is older than ROT (age ROT still seals);
 * then a new key seals, and the old one opens until it is older than 2 ROT. */
static void test_rotation(void)
{
    lt_ticket_keys *k = lt_ticket_keys_new(ROT, T0);
    uint8_t pt[40];
    sealed t1, t2, t3, t4;
    EXPECT(k != NULL);
    fill(pt, sizeof pt, 13);
    EXPECT_EQ(seal(k, T0, pt, sizeof pt, &t1), LT_OK);
    EXPECT_EQ(seal(k, T0 + ROT, pt, sizeof pt, &t2), LT_OK);
    EXPECT(same_key_name(&t1, &t2));
    EXPECT_EQ(seal(k, T0 + ROT + 1, pt, sizeof pt, &t3), LT_OK);
    EXPECT(!same_key_name(&t1, &t3));
    EXPECT(opens_to(k, T0 + ROT + 1, &t1, pt, sizeof pt));
    EXPECT(opens_to(k, T0 + 2 * ROT, &t1, pt, sizeof pt));
    EXPECT(opens_to(k, T0 + 2 * ROT, &t2, pt, sizeof pt));
    EXPECT(opens_to(k, T0 + 2 * ROT, &t3, pt, sizeof pt));
    /* One second later the first key is gone; the second still opens. */
    EXPECT(refused(k, T0 + 2 * ROT + 1, t1.buf, t1.len));
    EXPECT(refused(k, T0 + 2 * ROT + 1, t2.buf, t2.len));
    EXPECT(opens_to(k, T0 + 2 * ROT + 1, &t3, pt, sizeof pt));
    /* The new key seals on until it is older than ROT itself. */
    EXPECT_EQ(seal(k, T0 + 2 * ROT + 1, pt, sizeof pt, &t4), LT_OK);
    EXPECT(same_key_name(&t3, &t4));
    EXPECT(opens_to(k, T0 + 2 * ROT + 1, &t4, pt, sizeof pt));
    /* Dropped means dropped: an earlier clock does not bring it back. */
    EXPECT(refused(k, T0 + ROT, t1.buf, t1.len));
    EXPECT(refused(k, T0 + 3 * ROT + 2, t3.buf, t3.len));
    lt_ticket_keys_free(k);
}

/* No ticket sealed for a long time: the keys expire on their own, and the
 * next seal makes a fresh key. */
static void test_expiry_without_sealing(void)
{
    lt_ticket_keys *k = lt_ticket_keys_new(ROT, T0);
    uint8_t pt[40];
    sealed t1, t2;
    EXPECT(k != NULL);
    fill(pt, sizeof pt, 17);
    EXPECT_EQ(seal(k, T0, pt, sizeof pt, &t1), LT_OK);
    EXPECT(opens_to(k, T0 + 2 * ROT, &t1, pt, sizeof pt));
    EXPECT(refused(k, T0 + 2 * ROT + 1, t1.buf, t1.len));
    EXPECT_EQ(seal(k, T0 + 10 * ROT, pt, sizeof pt, &t2), LT_OK);
    EXPECT(!same_key_name(&t1, &t2));
    EXPECT(opens_to(k, T0 + 10 * ROT, &t2, pt, sizeof pt));
    lt_ticket_keys_free(k);
}

/* A clock that steps back counts as no time passing: no rotation, no
 * expiry. */
static void test_clock_step_back(void)
{
    lt_ticket_keys *k = lt_ticket_keys_new(ROT, T0);
    uint8_t pt[40];
    sealed t1, t2;
    EXPECT(k != NULL);
    fill(pt, sizeof pt, 19);
    EXPECT_EQ(seal(k, T0, pt, sizeof pt, &t1), LT_OK);
    EXPECT_EQ(seal(k, T0 - 5000, pt, sizeof pt, &t2), LT_OK);
    EXPECT(same_key_name(&t1, &t2));
    EXPECT(opens_to(k, 0, &t1, pt, sizeof pt));
    EXPECT(opens_to(k, T0 - 5000, &t2, pt, sizeof pt));
    lt_ticket_keys_free(k);
}

static const uint8_t FLEET_NAME[LT_TICKET_KEY_NAME_LEN] = "fleet-key-name-1";
static const uint8_t FLEET_SECRET[32] = "a shared secret of 32 bytes here";

/* Two servers that load the same key resume each other's sessions; the
 * random key each made on its own is still private to it. */
static void test_fleet_shared_key(void)
{
    lt_ticket_keys *a = lt_ticket_keys_new(ROT, T0), *b = lt_ticket_keys_new(ROT, T0);
    uint8_t pt[50];
    sealed own_a, from_a, from_b;
    EXPECT(a != NULL && b != NULL);
    fill(pt, sizeof pt, 23);
    EXPECT_EQ(seal(a, T0, pt, sizeof pt, &own_a), LT_OK);
    EXPECT_EQ(lt_ticket_keys_add(a, FLEET_NAME, FLEET_SECRET, T0), LT_OK);
    EXPECT_EQ(lt_ticket_keys_add(b, FLEET_NAME, FLEET_SECRET, T0 + 3), LT_OK);
    EXPECT_EQ(seal(a, T0 + 5, pt, sizeof pt, &from_a), LT_OK);
    EXPECT_MEM(from_a.buf, FLEET_NAME, LT_TICKET_KEY_NAME_LEN);
    EXPECT_EQ(seal(b, T0 + 5, pt, sizeof pt, &from_b), LT_OK);
    EXPECT_MEM(from_b.buf, FLEET_NAME, LT_TICKET_KEY_NAME_LEN);
    EXPECT(opens_to(b, T0 + 6, &from_a, pt, sizeof pt));
    EXPECT(opens_to(a, T0 + 6, &from_b, pt, sizeof pt));
    /* a's first key opens there only. */
    EXPECT(opens_to(a, T0 + 6, &own_a, pt, sizeof pt));
    EXPECT(refused(b, T0 + 6, own_a.buf, own_a.len));
    lt_ticket_keys_free(a);
    lt_ticket_keys_free(b);
}

/* Adding a key under a name already present replaces it: the old secret's
 * tickets no longer open, though their name matches. */
static void test_add_replaces_same_name(void)
{
    lt_ticket_keys *k = lt_ticket_keys_new(ROT, T0);
    uint8_t pt[30], other[32];
    sealed t1, t2;
    EXPECT(k != NULL);
    fill(pt, sizeof pt, 29);
    memcpy(other, FLEET_SECRET, sizeof other);
    other[0] ^= 1;
    EXPECT_EQ(lt_ticket_keys_add(k, FLEET_NAME, FLEET_SECRET, T0), LT_OK);
    EXPECT_EQ(seal(k, T0, pt, sizeof pt, &t1), LT_OK);
    EXPECT_EQ(lt_ticket_keys_add(k, FLEET_NAME, other, T0), LT_OK);
    EXPECT_EQ(seal(k, T0, pt, sizeof pt, &t2), LT_OK);
    EXPECT(same_key_name(&t1, &t2));
    EXPECT(refused(k, T0, t1.buf, t1.len));
    EXPECT(opens_to(k, T0, &t2, pt, sizeof pt));
    lt_ticket_keys_free(k);
}

/* At most LT_TICKET_MAX_KEYS keys: adding one more drops the oldest-added. */
static void test_add_beyond_max_keys(void)
{
    lt_ticket_keys *k = lt_ticket_keys_new(ROT, T0);
    uint8_t pt[30];
    sealed t[LT_TICKET_MAX_KEYS + 1];
    EXPECT(k != NULL);
    fill(pt, sizeof pt, 31);
    EXPECT_EQ(seal(k, T0, pt, sizeof pt, &t[0]), LT_OK);
    for (int i = 1; i <= LT_TICKET_MAX_KEYS; i++) {
        uint8_t name[LT_TICKET_KEY_NAME_LEN], secret[32];
        fill(name, sizeof name, (uint8_t)(40 + i));
        fill(secret, sizeof secret, (uint8_t)(80 + i));
        EXPECT_EQ(lt_ticket_keys_add(k, name, secret, T0), LT_OK);
        EXPECT_EQ(seal(k, T0, pt, sizeof pt, &t[i]), LT_OK);
        EXPECT_MEM(t[i].buf, name, sizeof name);
    }
    EXPECT(refused(k, T0, t[0].buf, t[0].len));
    for (int i = 1; i <= LT_TICKET_MAX_KEYS; i++) {
        EXPECT(opens_to(k, T0, &t[i], pt, sizeof pt));
    }
    lt_ticket_keys_free(k);
}

/* ---- two threads on one set ---- */

#define THREAD_ITERS 20000

typedef struct worker {
    lt_ticket_keys *k;
    pthread_barrier_t *start;
    uint8_t seed;
    int failures;
} worker;

/* Each thread's clock runs from T0 to T0 + 1.5 ROT: the set rotates once
 * while both threads seal and open, and no key can expire (that takes more
 * than 2 ROT), so every ticket must open whatever the interleaving. */
static void *work(void *arg)
{
    worker *w = arg;
    uint8_t pt[PT_MAX], out[PT_MAX];
    sealed t;
    pthread_barrier_wait(w->start);
    for (unsigned i = 0; i < THREAD_ITERS; i++) {
        uint64_t now = T0 + (uint64_t)i * (3 * ROT / 2) / THREAD_ITERS;
        size_t len = (i * 37u) % PT_MAX, out_len = 0;
        fill(pt, len, (uint8_t)(w->seed + i));
        if (seal(w->k, now, pt, len, &t) != LT_OK ||
            lt_ticket_open(w->k, now, t.buf, t.len, out, sizeof out, &out_len) != LT_OK || out_len != len ||
            memcmp(out, pt, len) != 0) {
            w->failures++;
        }
        /* A flipped tag byte is refused meanwhile too. */
        t.buf[t.len - 1] ^= 0x80;
        if (lt_ticket_open(w->k, now, t.buf, t.len, out, sizeof out, &out_len) != LT_ERR_DECRYPT_ERROR) {
            w->failures++;
        }
    }
    return NULL;
}

static void test_two_threads(void)
{
    lt_ticket_keys *k = lt_ticket_keys_new(ROT, T0);
    pthread_barrier_t start;
    pthread_t th[2];
    worker w[2] = {{k, &start, 1, 0}, {k, &start, 101, 0}};
    EXPECT(k != NULL);
    EXPECT_EQ(pthread_barrier_init(&start, NULL, 2), 0);
    for (int i = 0; i < 2; i++) {
        EXPECT_EQ(pthread_create(&th[i], NULL, work, &w[i]), 0);
    }
    for (int i = 0; i < 2; i++) {
        EXPECT_EQ(pthread_join(th[i], NULL), 0);
    }
    pthread_barrier_destroy(&start);
    EXPECT_EQ(w[0].failures, 0);
    EXPECT_EQ(w[1].failures, 0);
    lt_ticket_keys_free(k);
}

int main(void)
{
    LT_RUN(test_seal_open_roundtrip);
    LT_RUN(test_seal_argument_checks);
    LT_RUN(test_open_unknown_key);
    LT_RUN(test_open_every_bit_flip);
    LT_RUN(test_open_truncations_and_trailing);
    LT_RUN(test_open_cap);
    LT_RUN(test_rotation);
    LT_RUN(test_expiry_without_sealing);
    LT_RUN(test_clock_step_back);
    LT_RUN(test_fleet_shared_key);
    LT_RUN(test_add_replaces_same_name);
    LT_RUN(test_add_beyond_max_keys);
    LT_RUN(test_two_threads);
    return lt_test_summary();
}
