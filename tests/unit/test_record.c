/* The record layer: framing, header checks, fragmentation, protection. */
#include <stdlib.h>
#include <string.h>

#include "record/record.h"
#include "test.h"

/* A TLS 1.2 cipher object with fixed test keys. */
static lt_rc *rc12(lt_cipher_alg c, lt_mac_alg m, int enc)
{
    static const uint8_t key[32] = {0x11, 0x11, 0x11}, mac[48] = {0x22, 0x22}, iv[12] = {0x33, 0x33, 0x33, 0x33};
    lt_rc_keys k = {.version = LT_TLS1_2, .cipher = c, .mac = m, .key = key};
    k.mac_key = m == LT_MAC_NONE ? NULL : mac;
    k.iv = lt_cipher_fixed_iv_len(c, LT_TLS1_2) ? iv : NULL;
    return lt_rc_new(&k, enc);
}

static int feed_all(lt_record *r, const uint8_t *in, size_t len, size_t *consumed)
{
    return lt_record_absorb(r, in, len, consumed);
}

static void test_plaintext_record_roundtrip(void)
{
    lt_record w, r;
    EXPECT_EQ(lt_record_init(&w), LT_OK);
    EXPECT_EQ(lt_record_init(&r), LT_OK);
    const uint8_t msg[] = "hello";
    EXPECT_EQ(lt_record_write(&w, LT_CT_HANDSHAKE, msg, 5), LT_OK);
    EXPECT_EQ(lt_record_pending(&w), 10);
    const uint8_t *out = w.out + w.out_off;
    EXPECT_EQ(out[0], 22);
    EXPECT_EQ(out[1], 3);
    EXPECT_EQ(out[2], 3);
    EXPECT_EQ(out[4], 5);
    size_t used;
    EXPECT_EQ(feed_all(&r, out, 10, &used), LT_OK);
    EXPECT_EQ(used, 10);
    EXPECT(lt_record_ready(&r));
    uint8_t type, *pt;
    size_t n;
    EXPECT_EQ(lt_record_open(&r, &type, &pt, &n), LT_OK);
    EXPECT_EQ(type, 22);
    EXPECT_EQ(n, 5);
    EXPECT_MEM(pt, msg, 5);
    lt_record_free(&w);
    lt_record_free(&r);
}

static void test_absorb_takes_one_record_at_most(void)
{
    lt_record r;
    EXPECT_EQ(lt_record_init(&r), LT_OK);
    const uint8_t two[] = {23, 3, 3, 0, 1, 'a', 23, 3, 3, 0, 1, 'b'};
    size_t used;
    EXPECT_EQ(lt_record_absorb(&r, two, sizeof two, &used), LT_OK);
    EXPECT_EQ(used, 6);
    /* Until the record is opened, nothing more is taken. */
    EXPECT_EQ(lt_record_absorb(&r, two + 6, 6, &used), LT_OK);
    EXPECT_EQ(used, 0);
    uint8_t type, *pt;
    size_t n;
    EXPECT_EQ(lt_record_open(&r, &type, &pt, &n), LT_OK);
    EXPECT_EQ(pt[0], 'a');
    EXPECT_EQ(lt_record_absorb(&r, two + 6, 6, &used), LT_OK);
    EXPECT_EQ(used, 6);
    EXPECT_EQ(lt_record_open(&r, &type, &pt, &n), LT_OK);
    EXPECT_EQ(pt[0], 'b');
    lt_record_free(&r);
}

static void test_byte_at_a_time(void)
{
    lt_record r;
    EXPECT_EQ(lt_record_init(&r), LT_OK);
    const uint8_t rec[] = {22, 3, 1, 0, 3, 'x', 'y', 'z'};
    for (size_t i = 0; i < sizeof rec; i++) {
        size_t used;
        EXPECT(!lt_record_ready(&r));
        EXPECT_EQ(lt_record_absorb(&r, rec + i, 1, &used), LT_OK);
        EXPECT_EQ(used, 1);
    }
    EXPECT(lt_record_ready(&r));
    lt_record_free(&r);
}

static void test_header_checks(void)
{
    struct {
        uint8_t hdr[5];
        int want;
    } cases[] = {
        {{99, 3, 3, 0, 1}, LT_ERR_UNEXPECTED_MESSAGE},          /* unknown content type */
        {{22, 2, 0, 0, 1}, LT_ERR_PROTOCOL_VERSION},            /* SSL 2 version */
        {{22, 3, 3, 0x40, 0x01}, LT_ERR_RECORD_OVERFLOW},       /* 2^14 + 1 plaintext */
        {{'G', 'E', 'T', ' ', '/'}, LT_ERR_UNEXPECTED_MESSAGE}, /* HTTP, not TLS */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        lt_record r;
        EXPECT_EQ(lt_record_init(&r), LT_OK);
        size_t used;
        EXPECT_EQ(lt_record_absorb(&r, cases[i].hdr, 5, &used), cases[i].want);
        lt_record_free(&r);
    }
    /* After the version is settled, another one is refused. */
    lt_record r;
    EXPECT_EQ(lt_record_init(&r), LT_OK);
    r.read_version = 0x0303;
    const uint8_t v10[] = {22, 3, 1, 0, 1};
    size_t used;
    EXPECT_EQ(lt_record_absorb(&r, v10, 5, &used), LT_ERR_PROTOCOL_VERSION);
    lt_record_free(&r);
}

static void test_overflow_limit_with_keys(void)
{
    /* With a cipher active the limit is 2^14 + 2048 (RFC 5246 6.2.3). */
    lt_record r;
    EXPECT_EQ(lt_record_init(&r), LT_OK);
    lt_record_set_read_cipher(&r, rc12(LT_CIPHER_AES_128_CBC, LT_MAC_HMAC_SHA256, 0));
    const uint8_t ok[] = {23, 3, 3, 0x48, 0x00};   /* 18432 = 2^14 + 2048 */
    const uint8_t over[] = {23, 3, 3, 0x48, 0x01}; /* one more */
    size_t used;
    EXPECT_EQ(lt_record_absorb(&r, ok, 5, &used), LT_OK);
    lt_record_free(&r);
    EXPECT_EQ(lt_record_init(&r), LT_OK);
    lt_record_set_read_cipher(&r, rc12(LT_CIPHER_AES_128_CBC, LT_MAC_HMAC_SHA256, 0));
    EXPECT_EQ(lt_record_absorb(&r, over, 5, &used), LT_ERR_RECORD_OVERFLOW);
    lt_record_free(&r);
}

static void test_fragments_at_2_14(void)
{
    lt_record w;
    EXPECT_EQ(lt_record_init(&w), LT_OK);
    size_t len = 3 * 16384 + 10;
    uint8_t *data = calloc(1, len);
    EXPECT_EQ(lt_record_write(&w, LT_CT_APPLICATION_DATA, data, len), LT_OK);
    /* Four records: 16384, 16384, 16384, 10. */
    EXPECT_EQ(lt_record_pending(&w), 4 * 5 + len);
    const uint8_t *p = w.out + w.out_off;
    EXPECT_EQ((p[3] << 8) | p[4], 16384);
    p += 3 * (5 + 16384);
    EXPECT_EQ((p[3] << 8) | p[4], 10);
    free(data);
    lt_record_free(&w);
}

typedef struct {
    lt_cipher_alg c;
    lt_mac_alg m;
} suite_algs;

static const suite_algs ALGS[] = {
    {LT_CIPHER_AES_128_CBC, LT_MAC_HMAC_SHA1},   {LT_CIPHER_AES_256_CBC, LT_MAC_HMAC_SHA1},
    {LT_CIPHER_AES_128_CBC, LT_MAC_HMAC_SHA256}, {LT_CIPHER_AES_256_CBC, LT_MAC_HMAC_SHA256},
    {LT_CIPHER_AES_128_GCM, LT_MAC_NONE},        {LT_CIPHER_AES_256_GCM, LT_MAC_NONE},
    {LT_CIPHER_CHACHA20_POLY1305, LT_MAC_NONE},
};

static void make_pair(const suite_algs *a, lt_record *w, lt_record *r)
{
    EXPECT_EQ(lt_record_init(w), LT_OK);
    EXPECT_EQ(lt_record_init(r), LT_OK);
    lt_record_set_write_cipher(w, rc12(a->c, a->m, 1));
    lt_record_set_read_cipher(r, rc12(a->c, a->m, 0));
}

static void test_protected_roundtrip_and_tamper_every_suite(void)
{
    for (size_t s = 0; s < sizeof ALGS / sizeof ALGS[0]; s++) {
        lt_record w, r;
        make_pair(&ALGS[s], &w, &r);
        const char *msgs[] = {"first", "", "third record"};
        for (int k = 0; k < 3; k++) {
            size_t len = strlen(msgs[k]);
            EXPECT_EQ(lt_record_write(&w, LT_CT_APPLICATION_DATA, (const uint8_t *)msgs[k], len), LT_OK);
            size_t used;
            size_t pending = lt_record_pending(&w);
            EXPECT_EQ(lt_record_absorb(&r, w.out + w.out_off, pending, &used), LT_OK);
            EXPECT_EQ(used, pending);
            w.out_off += used;
            uint8_t type, *pt;
            size_t n;
            EXPECT_EQ(lt_record_open(&r, &type, &pt, &n), LT_OK);
            EXPECT_EQ(n, len);
            EXPECT(len == 0 || memcmp(pt, msgs[k], len) == 0);
        }
        /* Flip one byte anywhere in a protected record: bad_record_mac. */
        EXPECT_EQ(lt_record_write(&w, LT_CT_APPLICATION_DATA, (const uint8_t *)"tamper me", 9), LT_OK);
        size_t pending = lt_record_pending(&w);
        for (size_t at = 5; at < pending; at++) {
            uint8_t *copy = malloc(pending);
            memcpy(copy, w.out + w.out_off, pending);
            copy[at] ^= 0x80;
            lt_record r2;
            EXPECT_EQ(lt_record_init(&r2), LT_OK);
            lt_record_set_read_cipher(&r2, rc12(ALGS[s].c, ALGS[s].m, 0));
            r2.read_seq = 3;
            size_t used;
            EXPECT_EQ(lt_record_absorb(&r2, copy, pending, &used), LT_OK);
            uint8_t type, *pt;
            size_t n;
            EXPECT_EQ(lt_record_open(&r2, &type, &pt, &n), LT_ERR_BAD_RECORD_MAC);
            lt_record_free(&r2);
            free(copy);
        }
        /* Replay: the same record again fails, the sequence number moved on. */
        size_t used;
        EXPECT_EQ(lt_record_absorb(&r, w.out + w.out_off, pending, &used), LT_OK);
        uint8_t type, *pt;
        size_t n;
        EXPECT_EQ(lt_record_open(&r, &type, &pt, &n), LT_OK);
        EXPECT_EQ(lt_record_absorb(&r, w.out + w.out_off, pending, &used), LT_OK);
        EXPECT_EQ(lt_record_open(&r, &type, &pt, &n), LT_ERR_BAD_RECORD_MAC);
        lt_record_free(&w);
        lt_record_free(&r);
    }
}

int main(void)
{
    LT_RUN(test_plaintext_record_roundtrip);
    LT_RUN(test_absorb_takes_one_record_at_most);
    LT_RUN(test_byte_at_a_time);
    LT_RUN(test_header_checks);
    LT_RUN(test_overflow_limit_with_keys);
    LT_RUN(test_fragments_at_2_14);
    LT_RUN(test_protected_roundtrip_and_tamper_every_suite);
    return lt_test_summary();
}
