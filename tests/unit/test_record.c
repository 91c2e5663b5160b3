/* The record layer: framing, header checks, fragmentation, protection
 * (TLS 1.2 and TLS 1.3), the limits per version, the accessors. */
#include <stdlib.h>
#include <string.h>

#include "base/limits.h"
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

/* A TLS 1.3 cipher object with fixed test keys. */
static lt_rc *rc13(lt_cipher_alg c, int enc)
{
    static const uint8_t key[32] = {0x44, 0x55, 0x66}, iv[12] = {0x77, 0x88, 0x99};
    lt_rc_keys k = {.version = LT_TLS1_3, .cipher = c, .key = key, .iv = iv};
    return lt_rc_new(&k, enc);
}

/* Moves everything w has queued into r, one record; returns absorb's
 * result. */
static int transfer_one(lt_record *w, lt_record *r)
{
    size_t len = 0, used = 0;
    const uint8_t *out = lt_record_out_peek(w, &len);
    int rc = lt_record_absorb(r, out, len, &used);
    lt_record_out_consume(w, used);
    return rc;
}

static int absorb_bytes(lt_record *r, const uint8_t *p, size_t n)
{
    size_t used = 0;
    int rc = lt_record_absorb(r, p, n, &used);
    EXPECT(rc != LT_OK || used == n);
    return rc;
}

/* RFC 8446 5.2: under TLS 1.3 keys a record of more than 2^14 + 256 bytes
 * is record_overflow, from the header alone; TLS 1.2 keys allow 2^14 + 2048. */
static void test_tls13_ciphertext_limit(void)
{
    const uint8_t ok[] = {23, 3, 3, 0x41, 0x00};   /* 16640 = 2^14 + 256 */
    const uint8_t over[] = {23, 3, 3, 0x41, 0x01}; /* one more */
    lt_record r;
    EXPECT_EQ(lt_record_init(&r), LT_OK);
    lt_record_set_read_cipher(&r, rc13(LT_CIPHER_AES_128_GCM, 0));
    EXPECT_EQ(absorb_bytes(&r, ok, 5), LT_OK);
    lt_record_free(&r);
    EXPECT_EQ(lt_record_init(&r), LT_OK);
    lt_record_set_read_cipher(&r, rc13(LT_CIPHER_CHACHA20_POLY1305, 0));
    EXPECT_EQ(absorb_bytes(&r, over, 5), LT_ERR_RECORD_OVERFLOW);
    lt_record_free(&r);
    /* The same header under TLS 1.2 keys is within 2^14 + 2048. */
    EXPECT_EQ(lt_record_init(&r), LT_OK);
    lt_record_set_read_cipher(&r, rc12(LT_CIPHER_AES_128_GCM, LT_MAC_NONE, 0));
    EXPECT_EQ(absorb_bytes(&r, over, 5), LT_OK);
    lt_record_free(&r);
    /* Before keys, 2^14 is the limit whatever the version. */
    EXPECT_EQ(lt_record_init(&r), LT_OK);
    EXPECT_EQ(absorb_bytes(&r, ok, 5), LT_ERR_RECORD_OVERFLOW);
    lt_record_free(&r);
}

typedef struct seen {
    int n;
    uint8_t types[16];
    size_t pt_lens[16];
    uint64_t seqs[16];
    int keyed[16];
} seen;

static void observe(void *arg, int protect, uint8_t type, uint64_t seq, size_t pt_len, size_t record_len, int keyed)
{
    seen *s = arg;
    (void)protect;
    (void)record_len;
    if (s->n < 16) {
        s->types[s->n] = type;
        s->pt_lens[s->n] = pt_len;
        s->seqs[s->n] = seq;
        s->keyed[s->n] = keyed;
    }
    s->n++;
}

/* TLS 1.3 through the record layer: every record says application_data and
 * 0x0303 outside (RFC 8446 5.2), the real type comes out of open, and the
 * observer sees the real type on both sides. */
static void test_tls13_round_trip(void)
{
    static const lt_cipher_alg ciphers[] = {LT_CIPHER_AES_128_GCM, LT_CIPHER_AES_256_GCM, LT_CIPHER_CHACHA20_POLY1305};
    static uint8_t big[40000];
    for (size_t ci = 0; ci < 3; ci++) {
        lt_record w, r;
        seen ws = {0}, rs = {0};
        EXPECT_EQ(lt_record_init(&w), LT_OK);
        EXPECT_EQ(lt_record_init(&r), LT_OK);
        lt_record_set_write_cipher(&w, rc13(ciphers[ci], 1));
        lt_record_set_read_cipher(&r, rc13(ciphers[ci], 0));
        lt_record_set_observer(&w, observe, &ws);
        lt_record_set_observer(&r, observe, &rs);
        const struct {
            uint8_t type;
            const uint8_t *p;
            size_t n;
        } msgs[] = {
            {LT_CT_HANDSHAKE, (const uint8_t *)"\x14\x00\x00\x00", 4},
            {LT_CT_APPLICATION_DATA, (const uint8_t *)"", 0},
            {LT_CT_ALERT, (const uint8_t *)"\x01\x00", 2},
        };
        for (size_t k = 0; k < 3; k++) {
            EXPECT_EQ(lt_record_write(&w, msgs[k].type, msgs[k].p, msgs[k].n), LT_OK);
            size_t len = 0;
            const uint8_t *out = lt_record_out_peek(&w, &len);
            EXPECT(out != NULL);
            EXPECT_EQ(len, 5 + msgs[k].n + 1 + 16);
            EXPECT(out != NULL && out[0] == 23 && out[1] == 3 && out[2] == 3);
            EXPECT_EQ(transfer_one(&w, &r), LT_OK);
            uint8_t type = 0, *pt = NULL;
            size_t n = 0;
            EXPECT_EQ(lt_record_open(&r, &type, &pt, &n), LT_OK);
            EXPECT_EQ(type, msgs[k].type);
            EXPECT(n == msgs[k].n && (n == 0 || memcmp(pt, msgs[k].p, n) == 0));
            EXPECT_EQ(lt_record_read_seq(&r), k + 1);
        }
        EXPECT_EQ(ws.n, 3);
        EXPECT_EQ(rs.n, 3);
        EXPECT(ws.types[0] == 22 && ws.types[1] == 23 && ws.types[2] == 21);
        EXPECT(rs.types[0] == 22 && rs.types[1] == 23 && rs.types[2] == 21);
        EXPECT(rs.seqs[2] == 2 && rs.pt_lens[2] == 2);
        /* More than 2^14: fragments of at most 2^14, each within 2^14 + 256. */
        for (size_t i = 0; i < sizeof big; i++) {
            big[i] = (uint8_t)i;
        }
        EXPECT_EQ(lt_record_write(&w, LT_CT_APPLICATION_DATA, big, sizeof big), LT_OK);
        size_t got = 0;
        while (lt_record_pending(&w) > 0 && !lt_test_current_failed) {
            EXPECT_EQ(transfer_one(&w, &r), LT_OK);
            uint8_t type = 0, *pt = NULL;
            size_t n = 0;
            EXPECT_EQ(lt_record_open(&r, &type, &pt, &n), LT_OK);
            EXPECT(type == 23 && n <= 16384 && got + n <= sizeof big && memcmp(pt, big + got, n) == 0);
            got += n;
        }
        EXPECT_EQ(got, sizeof big);
        lt_record_free(&w);
        lt_record_free(&r);
    }
}

/* RFC 8446 5: under TLS 1.3 read keys, an unprotected change_cipher_spec of
 * the one byte 0x01 passes (and takes no sequence number); anything else
 * unprotected is unexpected_message. */
static void test_tls13_unprotected_records(void)
{
    static const struct {
        uint8_t rec[8];
        size_t len;
        int want;
    } cases[] = {
        {{20, 3, 3, 0, 1, 1}, 6, LT_OK},
        {{20, 3, 3, 0, 1, 2}, 6, LT_ERR_UNEXPECTED_MESSAGE},       /* another value */
        {{20, 3, 3, 0, 2, 1, 1}, 7, LT_ERR_UNEXPECTED_MESSAGE},    /* two bytes */
        {{20, 3, 3, 0, 0}, 5, LT_ERR_UNEXPECTED_MESSAGE},          /* empty */
        {{21, 3, 3, 0, 2, 2, 40}, 7, LT_ERR_UNEXPECTED_MESSAGE},   /* a plaintext alert */
        {{22, 3, 3, 0, 3, 1, 2, 3}, 8, LT_ERR_UNEXPECTED_MESSAGE}, /* a plaintext handshake */
        {{23, 3, 3, 0, 3, 1, 2, 3}, 8, LT_ERR_BAD_RECORD_MAC},     /* too short to be protected */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        lt_record w, r;
        EXPECT_EQ(lt_record_init(&w), LT_OK);
        EXPECT_EQ(lt_record_init(&r), LT_OK);
        lt_record_set_write_cipher(&w, rc13(LT_CIPHER_AES_128_GCM, 1));
        lt_record_set_read_cipher(&r, rc13(LT_CIPHER_AES_128_GCM, 0));
        seen s;
        memset(&s, 0, sizeof s);
        lt_record_set_observer(&r, observe, &s);
        EXPECT_EQ(absorb_bytes(&r, cases[i].rec, cases[i].len), LT_OK);
        uint8_t type = 0, *pt = NULL;
        size_t n = 0;
        int rc = lt_record_open(&r, &type, &pt, &n);
        EXPECT_EQ(rc, cases[i].want);
        if (rc == LT_OK) {
            EXPECT(type == LT_CT_CHANGE_CIPHER_SPEC && n == 1 && pt[0] == 1);
            /* No sequence number used: the first protected record is 0. */
            EXPECT_EQ(lt_record_read_seq(&r), 0);
            EXPECT_EQ(lt_record_write(&w, LT_CT_HANDSHAKE, (const uint8_t *)"\x14\x00\x00\x00", 4), LT_OK);
            EXPECT_EQ(transfer_one(&w, &r), LT_OK);
            EXPECT_EQ(lt_record_open(&r, &type, &pt, &n), LT_OK);
            EXPECT_EQ(type, LT_CT_HANDSHAKE);
            /* The trace is told the truth: the CCS came in the clear, the
             * handshake record under the keys. */
            EXPECT(s.n == 2 && s.keyed[0] == 0 && s.keyed[1] == 1);
        }
        if (lt_test_current_failed) {
            fprintf(stderr, "  (case %zu)\n", i);
        }
        lt_record_free(&w);
        lt_record_free(&r);
    }
}

/* RFC 8446 5 and 5.4: inside a protected record, change_cipher_spec, an
 * unknown type, and empty handshake or alert content are
 * unexpected_message; empty application data is fine. */
static void test_tls13_inner_types(void)
{
    static const struct {
        uint8_t type;
        size_t n;
        int want;
    } cases[] = {
        {LT_CT_CHANGE_CIPHER_SPEC, 1, LT_ERR_UNEXPECTED_MESSAGE},
        {0x99, 3, LT_ERR_UNEXPECTED_MESSAGE},
        {LT_CT_HANDSHAKE, 0, LT_ERR_UNEXPECTED_MESSAGE},
        {LT_CT_ALERT, 0, LT_ERR_UNEXPECTED_MESSAGE},
        {LT_CT_APPLICATION_DATA, 0, LT_OK},
        {LT_CT_ALERT, 2, LT_OK},
    };
    static const uint8_t content[3] = {1, 0, 7};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        lt_rc *enc = rc13(LT_CIPHER_CHACHA20_POLY1305, 1);
        uint8_t rec[64] = {0};
        size_t frag = 0;
        rec[1] = 3;
        rec[2] = 3;
        EXPECT_EQ(lt_rc_seal_from(enc, 0, cases[i].type, rec, rec + 5, content, cases[i].n, &frag), LT_OK);
        lt_rc_free(enc);
        lt_record r;
        EXPECT_EQ(lt_record_init(&r), LT_OK);
        lt_record_set_read_cipher(&r, rc13(LT_CIPHER_CHACHA20_POLY1305, 0));
        EXPECT_EQ(absorb_bytes(&r, rec, 5 + frag), LT_OK);
        uint8_t type = 0, *pt = NULL;
        size_t n = 0;
        EXPECT_EQ(lt_record_open(&r, &type, &pt, &n), cases[i].want);
        if (lt_test_current_failed) {
            fprintf(stderr, "  (case %zu)\n", i);
        }
        lt_record_free(&r);
    }
}

/* Write room counts the overhead of the write cipher in use, so that the
 * protected records stay under LT_OUT_QUEUE_CAP. */
static void test_write_room_uses_the_cipher_overhead(void)
{
    lt_rc *ciphers[] = {NULL, rc12(LT_CIPHER_AES_256_CBC, LT_MAC_HMAC_SHA384, 1),
                        rc12(LT_CIPHER_AES_128_GCM, LT_MAC_NONE, 1), rc13(LT_CIPHER_AES_128_GCM, 1)};
    static uint8_t data[LT_OUT_QUEUE_CAP];
    size_t rooms[4];
    for (size_t i = 0; i < 4; i++) {
        lt_record w;
        EXPECT_EQ(lt_record_init(&w), LT_OK);
        size_t ov = ciphers[i] == NULL ? 0 : lt_rc_overhead(ciphers[i]);
        if (ciphers[i] != NULL) {
            lt_record_set_write_cipher(&w, ciphers[i]);
        }
        size_t per = 5 + ov, cap = LT_OUT_QUEUE_CAP;
        size_t rest = cap % (16384 + per);
        size_t expect = cap / (16384 + per) * 16384 + (rest > per ? rest - per : 0);
        rooms[i] = lt_record_write_room(&w);
        EXPECT_EQ(rooms[i], expect);
        EXPECT_EQ(lt_record_write(&w, LT_CT_APPLICATION_DATA, data, rooms[i]), LT_OK);
        EXPECT(lt_record_pending(&w) <= LT_OUT_QUEUE_CAP);
        EXPECT(!lt_record_out_full(&w));
        lt_record_free(&w);
    }
    /* The smaller the overhead, the more room. */
    EXPECT(rooms[0] > rooms[3] && rooms[3] > rooms[2] && rooms[2] > rooms[1]);
}

/* The output buffer made for the first (plaintext) record already holds a
 * full record under the keys with the largest overhead: a bulk transfer
 * after the handshake does not grow it. */
static void test_first_buffer_fits_a_protected_record(void)
{
    static const uint8_t data[16384];
    lt_record w;
    EXPECT_EQ(lt_record_init(&w), LT_OK);
    EXPECT_EQ(lt_record_write(&w, LT_CT_HANDSHAKE, data, 4), LT_OK);
    size_t cap = w.out_cap, len = 0;
    lt_record_out_consume(&w, lt_record_pending(&w));
    lt_record_set_write_cipher(&w, rc12(LT_CIPHER_AES_256_CBC, LT_MAC_HMAC_SHA384, 1));
    EXPECT_EQ(lt_record_write(&w, LT_CT_APPLICATION_DATA, data, sizeof data), LT_OK);
    (void)lt_record_out_peek(&w, &len);
    EXPECT(len > 5 + 16384 + 48);
    EXPECT_EQ(w.out_cap, cap);
    lt_record_free(&w);
}

/* Encrypt-then-MAC (RFC 7366) through the record layer. */
static void test_encrypt_then_mac_record(void)
{
    static const uint8_t key[32] = {5}, mac[32] = {6};
    lt_rc_keys k = {.version = LT_TLS1_2,
                    .cipher = LT_CIPHER_AES_128_CBC,
                    .mac = LT_MAC_HMAC_SHA256,
                    .encrypt_then_mac = 1,
                    .key = key,
                    .mac_key = mac};
    lt_record w, r;
    EXPECT_EQ(lt_record_init(&w), LT_OK);
    EXPECT_EQ(lt_record_init(&r), LT_OK);
    lt_record_set_write_cipher(&w, lt_rc_new(&k, 1));
    lt_record_set_read_cipher(&r, lt_rc_new(&k, 0));
    EXPECT_EQ(lt_record_write(&w, LT_CT_APPLICATION_DATA, (const uint8_t *)"encrypt then mac", 16), LT_OK);
    size_t len = 0;
    const uint8_t *out = lt_record_out_peek(&w, &len);
    EXPECT_EQ(len, 5 + 16 + 32 + 32); /* IV, 16 bytes + a full padding block, MAC */
    EXPECT(out != NULL && out[0] == 23);
    EXPECT_EQ(transfer_one(&w, &r), LT_OK);
    uint8_t type = 0, *pt = NULL;
    size_t n = 0;
    EXPECT_EQ(lt_record_open(&r, &type, &pt, &n), LT_OK);
    EXPECT(type == 23 && n == 16 && memcmp(pt, "encrypt then mac", 16) == 0);
    lt_record_free(&w);
    lt_record_free(&r);
}

static void test_accessors(void)
{
    lt_record r;
    seen s = {0};
    size_t len = 99;
    EXPECT_EQ(lt_record_init(&r), LT_OK);
    /* Nothing queued yet: no buffer, no pointer. */
    EXPECT(lt_record_out_peek(&r, &len) == NULL);
    EXPECT_EQ(len, 0);
    EXPECT(!lt_record_is_protected(&r, 0) && !lt_record_is_protected(&r, 1));
    lt_record_set_versions(&r, 0x0301, 0x0303);
    EXPECT_EQ(lt_record_write(&r, LT_CT_HANDSHAKE, (const uint8_t *)"abc", 3), LT_OK);
    const uint8_t *out = lt_record_out_peek(&r, &len);
    EXPECT(out != NULL && len == 8 && out[1] == 3 && out[2] == 1);
    lt_record_out_consume(&r, 2);
    out = lt_record_out_peek(&r, &len);
    EXPECT(len == 6 && out != NULL && out[0] == 1); /* the version's second byte */
    lt_record_out_consume(&r, 100);                 /* at most what is pending */
    EXPECT_EQ(lt_record_pending(&r), 0);
    /* The read version is enforced. */
    EXPECT_EQ(absorb_bytes(&r, (const uint8_t *)"\x16\x03\x01\x00\x01", 5), LT_ERR_PROTOCOL_VERSION);
    lt_record_free(&r);

    EXPECT_EQ(lt_record_init(&r), LT_OK);
    lt_record_set_observer(&r, observe, &s);
    EXPECT_EQ(lt_record_read_seq(&r), 0);
    EXPECT_EQ(absorb_bytes(&r, (const uint8_t *)"\x16\x03\x03\x00\x01x", 6), LT_OK);
    uint8_t type = 0, *pt = NULL;
    size_t n = 0;
    EXPECT_EQ(lt_record_open(&r, &type, &pt, &n), LT_OK);
    EXPECT_EQ(lt_record_read_seq(&r), 1);
    EXPECT_EQ(s.n, 1);
    lt_record_set_observer(&r, NULL, NULL);
    lt_record_set_read_cipher(&r, rc12(LT_CIPHER_AES_128_GCM, LT_MAC_NONE, 0));
    EXPECT(lt_record_is_protected(&r, 0) && !lt_record_is_protected(&r, 1));
    EXPECT_EQ(lt_record_read_seq(&r), 0);
    lt_record_set_write_cipher(&r, rc12(LT_CIPHER_AES_128_GCM, LT_MAC_NONE, 1));
    EXPECT(lt_record_is_protected(&r, 1));
    EXPECT_EQ(lt_record_write(&r, LT_CT_APPLICATION_DATA, (const uint8_t *)"y", 1), LT_OK);
    EXPECT_EQ(s.n, 1); /* the observer is gone */
    lt_record_free(&r);
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
    LT_RUN(test_tls13_ciphertext_limit);
    LT_RUN(test_tls13_round_trip);
    LT_RUN(test_tls13_unprotected_records);
    LT_RUN(test_tls13_inner_types);
    LT_RUN(test_write_room_uses_the_cipher_overhead);
    LT_RUN(test_first_buffer_fits_a_protected_record);
    LT_RUN(test_encrypt_then_mac_record);
    LT_RUN(test_accessors);
    return lt_test_summary();
}
