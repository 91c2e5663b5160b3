/*
 * Record protection (RFC 5246 6.2.3.2 CBC, RFC 5288 GCM): round trips,
 * tampering in every region, hand-built CBC records with bad padding, and
 * byte-exact cross-checks against AES and HMAC computed here with libcrypto.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "base/bytes.h"
#include "crypto/crypto.h"
#include "test.h"

#define BUF_CAP (16384 + 2048 + 64)

typedef struct suite {
    lt_cipher_alg c;
    lt_mac_alg m;
    const char *name;
    const char *cipher_name; /* for the independent computation */
    const char *digest_name;
} suite;

static const suite suites[] = {
    {LT_CIPHER_AES_128_CBC, LT_MAC_HMAC_SHA1, "AES128-SHA", "AES-128-CBC", "SHA1"},
    {LT_CIPHER_AES_256_CBC, LT_MAC_HMAC_SHA1, "AES256-SHA", "AES-256-CBC", "SHA1"},
    {LT_CIPHER_AES_128_CBC, LT_MAC_HMAC_SHA256, "AES128-SHA256", "AES-128-CBC", "SHA256"},
    {LT_CIPHER_AES_256_CBC, LT_MAC_HMAC_SHA256, "AES256-SHA256", "AES-256-CBC", "SHA256"},
    {LT_CIPHER_AES_128_GCM, LT_MAC_NONE, "AES128-GCM-SHA256", "AES-128-GCM", NULL},
    {LT_CIPHER_AES_256_GCM, LT_MAC_NONE, "AES256-GCM-SHA384", "AES-256-GCM", NULL},
};
#define NSUITES (sizeof(suites) / sizeof(suites[0]))

static const size_t lengths[] = {0, 1, 15, 16, 17, 255, 256, 16384};
#define NLENGTHS (sizeof(lengths) / sizeof(lengths[0]))

static uint8_t enc_key[32], mac_key[48], salt[4];

static void init_keys(void)
{
    size_t i;
    for (i = 0; i < sizeof(enc_key); i++) {
        enc_key[i] = (uint8_t)(0x10 + i);
    }
    for (i = 0; i < sizeof(mac_key); i++) {
        mac_key[i] = (uint8_t)(0x80 ^ (i * 3));
    }
    salt[0] = 0xde;
    salt[1] = 0xad;
    salt[2] = 0xbe;
    salt[3] = 0xef;
}

static int is_gcm(const suite *s)
{
    return s->m == LT_MAC_NONE;
}

static lt_rc *make(const suite *s, int enc)
{
    return lt_rc_new(s->c, s->m, enc, enc_key, is_gcm(s) ? NULL : mac_key, is_gcm(s) ? salt : NULL);
}

static void fill(uint8_t *p, size_t n, unsigned seed)
{
    size_t i;
    for (i = 0; i < n; i++) {
        p[i] = (uint8_t)(seed + i * 31 + (i >> 8));
    }
}

/* Seal pt_len bytes of pattern into buf; returns the fragment length. */
static size_t seal(lt_rc *enc, uint64_t seq, uint8_t hdr[5], uint8_t *buf, size_t pt_len, unsigned seed)
{
    size_t frag = 0;
    fill(buf + lt_rc_prefix_len(enc), pt_len, seed);
    EXPECT_EQ(lt_rc_seal(enc, seq, hdr, buf, pt_len, &frag), LT_OK);
    return frag;
}

static void test_sizes(void)
{
    EXPECT_EQ(lt_cipher_key_len(LT_CIPHER_AES_128_CBC), 16);
    EXPECT_EQ(lt_cipher_key_len(LT_CIPHER_AES_256_GCM), 32);
    EXPECT_EQ(lt_cipher_fixed_iv_len(LT_CIPHER_AES_128_CBC), 0);
    EXPECT_EQ(lt_cipher_fixed_iv_len(LT_CIPHER_AES_128_GCM), 4);
    EXPECT_EQ(lt_mac_key_len(LT_MAC_NONE), 0);
    EXPECT_EQ(lt_mac_key_len(LT_MAC_HMAC_SHA1), 20);
    EXPECT_EQ(lt_mac_key_len(LT_MAC_HMAC_SHA256), 32);
    EXPECT_EQ(lt_mac_key_len(LT_MAC_HMAC_SHA384), 48);
    EXPECT_EQ(lt_record_overhead(LT_CIPHER_AES_128_GCM, LT_MAC_NONE), 24);
    EXPECT_EQ(lt_record_overhead(LT_CIPHER_AES_128_CBC, LT_MAC_HMAC_SHA1), 16 + 20 + 16);
    /* Mismatched arguments are refused. */
    EXPECT(lt_rc_new(LT_CIPHER_AES_128_GCM, LT_MAC_HMAC_SHA1, 1, enc_key, mac_key, salt) == NULL);
    EXPECT(lt_rc_new(LT_CIPHER_AES_128_CBC, LT_MAC_NONE, 1, enc_key, NULL, NULL) == NULL);
    EXPECT(lt_rc_new(LT_CIPHER_AES_128_GCM, LT_MAC_NONE, 1, enc_key, NULL, NULL) == NULL);
}

static void test_round_trip(void)
{
    uint8_t *buf = malloc(BUF_CAP), *want = malloc(16384);
    size_t si, li;

    for (si = 0; si < NSUITES; si++) {
        const suite *s = &suites[si];
        lt_rc *enc = make(s, 1), *dec = make(s, 0);
        EXPECT(enc != NULL && dec != NULL);
        if (enc == NULL || dec == NULL) {
            continue;
        }
        EXPECT_EQ(lt_rc_prefix_len(enc), is_gcm(s) ? 8 : 16);
        for (li = 0; li < NLENGTHS; li++) {
            size_t len = lengths[li], frag, expect_frag, pt_len = 0;
            uint8_t hdr[5] = {23, 3, 3, 0, 0};
            uint8_t *pt = NULL;
            uint64_t seq = 1000 + li;

            fill(want, len, (unsigned)(si * 7 + li));
            frag = seal(enc, seq, hdr, buf, len, (unsigned)(si * 7 + li));
            if (is_gcm(s)) {
                expect_frag = 8 + len + 16;
            } else {
                expect_frag = 16 + (len + lt_mac_key_len(s->m) + 1 + 15) / 16 * 16;
            }
            EXPECT_EQ(frag, expect_frag);
            EXPECT(frag <= len + lt_record_overhead(s->c, s->m));
            EXPECT_EQ((hdr[3] << 8) | hdr[4], frag);
            EXPECT_EQ(lt_rc_open(dec, seq, hdr, buf, frag, &pt, &pt_len), LT_OK);
            EXPECT_EQ(pt_len, len);
            EXPECT(pt == buf + lt_rc_prefix_len(dec));
            if (pt != NULL && pt_len == len) {
                EXPECT_MEM(pt, want, len);
            }
            if (lt_test_current_failed) {
                fprintf(stderr, "  (suite %s, length %zu)\n", s->name, len);
                break;
            }
        }
        lt_rc_free(enc);
        lt_rc_free(dec);
    }
    free(buf);
    free(want);
}

/* Seal a record, apply a change, and expect open to fail. */
static void expect_reject(const suite *s, size_t len, size_t flip_at, uint64_t seq_delta, int type_change,
                          const char *what)
{
    static uint8_t buf[BUF_CAP];
    lt_rc *enc = make(s, 1), *dec = make(s, 0);
    uint8_t hdr[5] = {23, 3, 3, 0, 0};
    uint8_t *pt = NULL;
    size_t pt_len = 0, frag;
    int rc;

    frag = seal(enc, 7, hdr, buf, len, 3);
    if (flip_at != (size_t)-1) {
        buf[flip_at < frag ? flip_at : frag - 1] ^= 0x01;
    }
    if (type_change) {
        hdr[0] = 22;
    }
    rc = lt_rc_open(dec, 7 + seq_delta, hdr, buf, frag, &pt, &pt_len);
    if (rc != LT_ERR_BAD_RECORD_MAC) {
        fprintf(stderr, "  %s: %s len %zu accepted (rc %d)\n", s->name, what, len, rc);
    }
    EXPECT_EQ(rc, LT_ERR_BAD_RECORD_MAC);
    lt_rc_free(enc);
    lt_rc_free(dec);
}

static void test_tamper(void)
{
    size_t si, li;
    for (si = 0; si < NSUITES; si++) {
        const suite *s = &suites[si];
        size_t mac_len = lt_mac_key_len(s->m);
        for (li = 0; li < NLENGTHS; li++) {
            size_t len = lengths[li];
            if (is_gcm(s)) {
                size_t frag = 8 + len + 16;
                expect_reject(s, len, 0, 0, 0, "nonce flip");
                if (len > 0) {
                    expect_reject(s, len, 8 + len / 2, 0, 0, "body flip");
                }
                expect_reject(s, len, frag - 16, 0, 0, "tag flip (first)");
                expect_reject(s, len, frag - 1, 0, 0, "tag flip (last)");
            } else {
                size_t data_len = (len + mac_len + 1 + 15) / 16 * 16;
                /* Flipping fragment byte o flips decrypted data byte o
                 * (CBC: P[k] = D(C[k]) ^ C[k-1], and the IV is C[-1]). */
                expect_reject(s, len, 0, 0, 0, "IV flip");
                if (len > 0) {
                    expect_reject(s, len, len / 2, 0, 0, "body flip (via previous block)");
                    expect_reject(s, len, 16 + len / 2, 0, 0, "ciphertext body flip");
                }
                expect_reject(s, len, len, 0, 0, "MAC first byte flip");
                expect_reject(s, len, len + mac_len - 1, 0, 0, "MAC last byte flip");
                expect_reject(s, len, data_len - 1, 0, 0, "padding length byte flip");
                if (data_len - len - mac_len >= 2) {
                    expect_reject(s, len, data_len - 2, 0, 0, "padding byte flip");
                }
                expect_reject(s, len, 16 + data_len - 1, 0, 0, "last ciphertext byte flip");
            }
            expect_reject(s, len, (size_t)-1, 1, 0, "wrong seq");
            expect_reject(s, len, (size_t)-1, 0, 1, "wrong type");
        }
    }
}

static void test_bad_lengths(void)
{
    static uint8_t buf[BUF_CAP];
    size_t si;
    for (si = 0; si < NSUITES; si++) {
        const suite *s = &suites[si];
        lt_rc *dec = make(s, 0);
        uint8_t hdr[5] = {23, 3, 3, 0, 0};
        uint8_t *pt = NULL;
        size_t pt_len = 0;
        memset(buf, 0x42, sizeof(buf));
        EXPECT_EQ(lt_rc_open(dec, 0, hdr, buf, 0, &pt, &pt_len), LT_ERR_BAD_RECORD_MAC);
        EXPECT_EQ(lt_rc_open(dec, 0, hdr, buf, 16384 + 2048 + 16, &pt, &pt_len), LT_ERR_BAD_RECORD_MAC);
        if (is_gcm(s)) {
            EXPECT_EQ(lt_rc_open(dec, 0, hdr, buf, 23, &pt, &pt_len), LT_ERR_BAD_RECORD_MAC);
            EXPECT_EQ(lt_rc_open(dec, 0, hdr, buf, 24, &pt, &pt_len), LT_ERR_BAD_RECORD_MAC);
        } else {
            EXPECT_EQ(lt_rc_open(dec, 0, hdr, buf, 16, &pt, &pt_len), LT_ERR_BAD_RECORD_MAC);
            EXPECT_EQ(lt_rc_open(dec, 0, hdr, buf, 33, &pt, &pt_len), LT_ERR_BAD_RECORD_MAC);
            EXPECT_EQ(lt_rc_open(dec, 0, hdr, buf, 65, &pt, &pt_len), LT_ERR_BAD_RECORD_MAC);
            EXPECT_EQ(lt_rc_open(dec, 0, hdr, buf, 100, &pt, &pt_len), LT_ERR_BAD_RECORD_MAC);
            /* Publicly long enough, random content: bad padding/MAC. */
            EXPECT_EQ(lt_rc_open(dec, 0, hdr, buf, 96, &pt, &pt_len), LT_ERR_BAD_RECORD_MAC);
        }
        lt_rc_free(dec);
    }
}

/* ---- Independent computation with libcrypto ---- */

static size_t hmac(const char *digest, const uint8_t *key, size_t klen, const uint8_t *a, size_t alen, const uint8_t *b,
                   size_t blen, uint8_t *out)
{
    EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    EVP_MAC_CTX *ctx = EVP_MAC_CTX_new(mac);
    OSSL_PARAM params[2];
    size_t outl = 0;
    params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)digest, 0);
    params[1] = OSSL_PARAM_construct_end();
    EXPECT(EVP_MAC_init(ctx, key, klen, params) == 1);
    EXPECT(EVP_MAC_update(ctx, a, alen) == 1);
    if (blen > 0) {
        EXPECT(EVP_MAC_update(ctx, b, blen) == 1);
    }
    EXPECT(EVP_MAC_final(ctx, out, &outl, 64) == 1);
    EVP_MAC_CTX_free(ctx);
    EVP_MAC_free(mac);
    return outl;
}

static void aes_cbc_encrypt(const char *name, const uint8_t *iv, uint8_t *data, size_t len)
{
    EVP_CIPHER *c = EVP_CIPHER_fetch(NULL, name, NULL);
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int outl = 0;
    EXPECT(EVP_EncryptInit_ex2(ctx, c, enc_key, iv, NULL) == 1);
    EVP_CIPHER_CTX_set_padding(ctx, 0);
    EXPECT(EVP_EncryptUpdate(ctx, data, &outl, data, (int)len) == 1);
    EXPECT_EQ(outl, len);
    EVP_CIPHER_CTX_free(ctx);
    EVP_CIPHER_free(c);
}

/* Build a CBC fragment by hand: IV || AES-CBC(pt || MAC || padding) with the
 * given padding length and padding byte values (pad_bytes[i], the last one
 * being the length byte). */
static size_t build_cbc(const suite *s, uint64_t seq, const uint8_t hdr[5], const uint8_t *pt, size_t pt_len,
                        const uint8_t *pad_bytes, size_t npad, uint8_t *out)
{
    uint8_t mh[13];
    size_t mac_len, data_len;
    lt_put_u64(mh, seq);
    mh[8] = hdr[0];
    mh[9] = hdr[1];
    mh[10] = hdr[2];
    lt_put_u16(mh + 11, (uint16_t)pt_len);
    fill(out, 16, 0x77); /* IV */
    memcpy(out + 16, pt, pt_len);
    mac_len = hmac(s->digest_name, mac_key, lt_mac_key_len(s->m), mh, 13, pt, pt_len, out + 16 + pt_len);
    memcpy(out + 16 + pt_len + mac_len, pad_bytes, npad);
    data_len = pt_len + mac_len + npad;
    EXPECT_EQ(data_len % 16, 0);
    aes_cbc_encrypt(s->cipher_name, out, out + 16, data_len);
    return 16 + data_len;
}

static void fixed_rng(void *arg, uint8_t *buf, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) {
        buf[i] = (uint8_t)(*(unsigned *)arg + i);
    }
}

static void test_cbc_cross_check(void)
{
    const suite *s = &suites[2]; /* AES128-CBC + HMAC-SHA256 */
    static uint8_t buf[512], want[512];
    uint8_t hdr[5] = {23, 3, 3, 0, 0}, pt[100], iv[16], pad[16];
    unsigned rng_base = 0x30;
    lt_rc *enc = make(s, 1);
    size_t frag = 0, wlen, i, npad;

    /* Ours, with the IV from a known RNG. */
    lt_test_set_rng(fixed_rng, &rng_base);
    fill(pt, sizeof(pt), 9);
    memcpy(buf + 16, pt, sizeof(pt));
    EXPECT_EQ(lt_rc_seal(enc, 0x0102030405060708ull, hdr, buf, sizeof(pt), &frag), LT_OK);
    lt_test_set_rng(NULL, NULL);

    /* Independent: RFC 5246 6.2.3.2 with minimal padding. 100 + 32 + 1 =
     * 133 -> padding_length 11, 12 bytes of 0x0b. */
    fixed_rng(&rng_base, iv, 16);
    npad = 12;
    memset(pad, 11, npad);
    wlen = build_cbc(s, 0x0102030405060708ull, hdr, pt, sizeof(pt), pad, npad, want);
    memcpy(want, iv, 16);
    /* build_cbc used a different IV; redo with the RNG's IV. */
    memcpy(want + 16, pt, sizeof(pt));
    {
        uint8_t mh[13] = {1, 2, 3, 4, 5, 6, 7, 8, 23, 3, 3, 0, 100};
        hmac("SHA256", mac_key, 32, mh, 13, pt, sizeof(pt), want + 16 + 100);
        memset(want + 16 + 132, 11, 12);
        aes_cbc_encrypt("AES-128-CBC", iv, want + 16, 144);
    }
    EXPECT_EQ(wlen, 160);
    EXPECT_EQ(frag, 160);
    EXPECT_MEM(buf, want, 160);
    EXPECT_EQ((hdr[3] << 8) | hdr[4], 160);
    for (i = 0; i < 16; i++) {
        EXPECT_EQ(buf[i], (uint8_t)(0x30 + i));
    }
    lt_rc_free(enc);
}

static void test_gcm_cross_check(void)
{
    const suite *s = &suites[4]; /* AES128-GCM */
    static uint8_t buf[512], want[512];
    uint8_t hdr[5] = {23, 3, 3, 0, 0}, pt[77], nonce[12], aad[13];
    uint64_t seq = 0x1122334455667788ull;
    lt_rc *enc = make(s, 1);
    EVP_CIPHER *c = EVP_CIPHER_fetch(NULL, "AES-128-GCM", NULL);
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    OSSL_PARAM params[2];
    size_t frag = 0;
    int outl = 0, tmp = 0;

    fill(pt, sizeof(pt), 5);
    memcpy(buf + 8, pt, sizeof(pt));
    EXPECT_EQ(lt_rc_seal(enc, seq, hdr, buf, sizeof(pt), &frag), LT_OK);
    EXPECT_EQ(frag, 8 + 77 + 16);

    /* RFC 5288 3 / RFC 5246 6.2.3.3, computed independently. */
    memcpy(nonce, salt, 4);
    lt_put_u64(nonce + 4, seq);
    lt_put_u64(aad, seq);
    aad[8] = 23;
    aad[9] = 3;
    aad[10] = 3;
    lt_put_u16(aad + 11, 77);
    lt_put_u64(want, seq);
    EXPECT(EVP_EncryptInit_ex2(ctx, c, enc_key, nonce, NULL) == 1);
    EXPECT(EVP_EncryptUpdate(ctx, NULL, &tmp, aad, 13) == 1);
    EXPECT(EVP_EncryptUpdate(ctx, want + 8, &outl, pt, 77) == 1);
    EXPECT(EVP_EncryptFinal_ex(ctx, want + 8 + outl, &tmp) == 1);
    params[0] = OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG, want + 8 + 77, 16);
    params[1] = OSSL_PARAM_construct_end();
    EXPECT(EVP_CIPHER_CTX_get_params(ctx, params) == 1);
    EXPECT_MEM(buf, want, frag);
    EVP_CIPHER_CTX_free(ctx);
    EVP_CIPHER_free(c);
    lt_rc_free(enc);
}

/* Hand-built CBC records: good non-minimal padding is accepted; bad
 * padding bytes with a MAC that is correct over the unpadded data, and a
 * padding length that runs past the record, are rejected. */
static void test_cbc_hand_built(void)
{
    size_t si;
    for (si = 0; si < 4; si++) {
        const suite *s = &suites[si];
        static uint8_t rec[1024];
        uint8_t hdr[5] = {23, 3, 3, 0, 0}, pt[64], pad[256];
        size_t mac_len = lt_mac_key_len(s->m), npad, frag, pt_len = 0;
        uint8_t *out = NULL;
        lt_rc *dec = make(s, 0);
        fill(pt, sizeof(pt), 1);

        /* Non-minimal but valid padding (RFC 5246 allows up to 255). */
        npad = (16 - (sizeof(pt) + mac_len) % 16) % 16 + 32;
        memset(pad, (int)(npad - 1), npad);
        frag = build_cbc(s, 9, hdr, pt, sizeof(pt), pad, npad, rec);
        EXPECT_EQ(lt_rc_open(dec, 9, hdr, rec, frag, &out, &pt_len), LT_OK);
        EXPECT_EQ(pt_len, sizeof(pt));
        if (out != NULL && pt_len == sizeof(pt)) {
            EXPECT_MEM(out, pt, sizeof(pt));
        }

        /* Same, one padding byte wrong (not the length byte). */
        memset(pad, (int)(npad - 1), npad);
        pad[npad / 2] ^= 0x40;
        frag = build_cbc(s, 9, hdr, pt, sizeof(pt), pad, npad, rec);
        EXPECT_EQ(lt_rc_open(dec, 9, hdr, rec, frag, &out, &pt_len), LT_ERR_BAD_RECORD_MAC);

        /* First padding byte wrong. */
        memset(pad, (int)(npad - 1), npad);
        pad[0] = 0;
        frag = build_cbc(s, 9, hdr, pt, sizeof(pt), pad, npad, rec);
        EXPECT_EQ(lt_rc_open(dec, 9, hdr, rec, frag, &out, &pt_len), LT_ERR_BAD_RECORD_MAC);

        /* SSLv3-style padding (zeros, then the length): not TLS. */
        memset(pad, 0, npad);
        pad[npad - 1] = (uint8_t)(npad - 1);
        frag = build_cbc(s, 9, hdr, pt, sizeof(pt), pad, npad, rec);
        EXPECT_EQ(lt_rc_open(dec, 9, hdr, rec, frag, &out, &pt_len), LT_ERR_BAD_RECORD_MAC);

        /* padding_length larger than the whole record: 255 with all
         * padding bytes 255, in a short record. */
        npad = (16 - (sizeof(pt) + mac_len) % 16) % 16;
        if (npad == 0) {
            npad = 16;
        }
        memset(pad, 255, npad);
        frag = build_cbc(s, 9, hdr, pt, sizeof(pt), pad, npad, rec);
        EXPECT(frag - 16 < 256);
        EXPECT_EQ(lt_rc_open(dec, 9, hdr, rec, frag, &out, &pt_len), LT_ERR_BAD_RECORD_MAC);

        /* padding_length = every byte of the record but one: all padding
         * bytes match, yet MAC + length byte no longer fit. */
        {
            size_t data_len = ((sizeof(pt) + mac_len + 1 + 15) / 16) * 16;
            uint8_t body[256];
            memset(body, (int)(data_len - 1), data_len);
            memcpy(rec, "0123456789abcdef", 16);
            memcpy(rec + 16, body, data_len);
            aes_cbc_encrypt(s->cipher_name, rec, rec + 16, data_len);
            EXPECT_EQ(lt_rc_open(dec, 9, hdr, rec, 16 + data_len, &out, &pt_len), LT_ERR_BAD_RECORD_MAC);
        }
        lt_rc_free(dec);
    }
}

/* One object carries many records in sequence, both directions agreeing. */
static void test_many_records(void)
{
    static uint8_t buf[2048];
    size_t si;
    for (si = 0; si < NSUITES; si++) {
        const suite *s = &suites[si];
        lt_rc *enc = make(s, 1), *dec = make(s, 0);
        uint64_t seq;
        for (seq = 0; seq < 200; seq++) {
            uint8_t hdr[5] = {23, 3, 3, 0, 0}, *pt = NULL;
            size_t len = (size_t)(seq * 37 % 700), pt_len = 0;
            size_t frag = seal(enc, seq, hdr, buf, len, (unsigned)seq);
            EXPECT_EQ(lt_rc_open(dec, seq, hdr, buf, frag, &pt, &pt_len), LT_OK);
            EXPECT_EQ(pt_len, len);
            if (lt_test_current_failed) {
                fprintf(stderr, "  (suite %s, seq %llu)\n", s->name, (unsigned long long)seq);
                break;
            }
        }
        /* A failure in the middle does not poison the object. */
        {
            uint8_t hdr[5] = {23, 3, 3, 0, 0}, *pt = NULL;
            size_t pt_len = 0, frag = seal(enc, 500, hdr, buf, 40, 1);
            buf[frag - 1] ^= 1;
            EXPECT_EQ(lt_rc_open(dec, 500, hdr, buf, frag, &pt, &pt_len), LT_ERR_BAD_RECORD_MAC);
            frag = seal(enc, 501, hdr, buf, 40, 1);
            EXPECT_EQ(lt_rc_open(dec, 501, hdr, buf, frag, &pt, &pt_len), LT_OK);
        }
        lt_rc_free(enc);
        lt_rc_free(dec);
    }
}

static void test_misuse(void)
{
    static uint8_t buf[BUF_CAP];
    const suite *s = &suites[0];
    lt_rc *enc = make(s, 1), *dec = make(s, 0);
    uint8_t hdr[5] = {23, 3, 3, 0, 0}, *pt = NULL;
    size_t frag = 0, pt_len = 0;
    EXPECT_EQ(lt_rc_seal(enc, 0, hdr, buf, 16385, &frag), LT_ERR_USAGE);
    EXPECT_EQ(lt_rc_seal(dec, 0, hdr, buf, 10, &frag), LT_ERR_USAGE);
    EXPECT_EQ(lt_rc_open(enc, 0, hdr, buf, 64, &pt, &pt_len), LT_ERR_USAGE);
    lt_rc_free(enc);
    lt_rc_free(dec);
    lt_rc_free(NULL);
}

/* Sealing from the caller's buffer (no plaintext copy) gives records that
 * open to the same plaintext; for GCM, the very same bytes as in place. */
static void test_seal_from_separate_buffer(void)
{
    static uint8_t pt[16384 + 1], a[16384 + 400], b[16384 + 400];
    for (size_t si = 0; si < NSUITES; si++) {
        const suite *s = &suites[si];
        for (size_t li = 0; li < NLENGTHS; li++) {
            size_t len = lengths[li];
            lt_rc *ea = make(s, 1), *eb = make(s, 1), *d = make(s, 0);
            uint8_t ha[5] = {23, 3, 3, 0, 0}, hb[5] = {23, 3, 3, 0, 0};
            size_t na = 0, nb = 0;
            fill(pt, len, (unsigned)(si * 31 + li));
            memcpy(a + lt_rc_prefix_len(ea), pt, len);
            EXPECT_EQ(lt_rc_seal(ea, 5, ha, a, len, &na), LT_OK);
            EXPECT_EQ(lt_rc_seal_from(eb, 5, hb, b, pt, len, &nb), LT_OK);
            EXPECT_EQ(na, nb);
            EXPECT_MEM(ha, hb, 5);
            if (is_gcm(s)) {
                EXPECT_MEM(a, b, na);
            }
            uint8_t *out = NULL;
            size_t out_len = 0;
            EXPECT_EQ(lt_rc_open(d, 5, hb, b, nb, &out, &out_len), LT_OK);
            EXPECT_EQ(out_len, len);
            EXPECT(len == 0 || memcmp(out, pt, len) == 0);
            lt_rc_free(ea);
            lt_rc_free(eb);
            lt_rc_free(d);
        }
    }
}

int main(void)
{
    init_keys();
    LT_RUN(test_sizes);
    LT_RUN(test_round_trip);
    LT_RUN(test_tamper);
    LT_RUN(test_bad_lengths);
    LT_RUN(test_cbc_cross_check);
    LT_RUN(test_gcm_cross_check);
    LT_RUN(test_cbc_hand_built);
    LT_RUN(test_many_records);
    LT_RUN(test_misuse);
    LT_RUN(test_seal_from_separate_buffer);
    return lt_test_summary();
}
