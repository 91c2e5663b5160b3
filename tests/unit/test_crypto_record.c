/*
 * Record protection (RFC 5246 6.2.3.2 CBC, RFC 5288 GCM): round trips,
 * tampering in every region, hand-built CBC records with bad padding, and
 * byte-exact cross-checks against AES and HMAC computed here with libcrypto.
 *
 * CBC sealing has two paths: libcrypto's stitched AES-CBC-HMAC-SHA1/SHA256
 * ciphers where they exist (x86-64 with AES-NI), and the two-pass path
 * (separate HMAC and AES-CBC) elsewhere, for SHA-384, and with
 * LT_NO_STITCHED=1. The tests at the end check both against each other and
 * against an independent computation.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "base/bytes.h"
#include "base/limits.h"
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
static uint8_t g_type; /* the content type open returns */

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

/* TLS 1.2 keys for a suite (MAC-then-encrypt for CBC). */
static lt_rc_keys keys_for(lt_cipher_alg c, lt_mac_alg m)
{
    lt_rc_keys k = {.version = LT_TLS1_2, .cipher = c, .mac = m, .key = enc_key};
    k.mac_key = m == LT_MAC_NONE ? NULL : mac_key;
    k.iv = lt_cipher_fixed_iv_len(c, LT_TLS1_2) ? salt : NULL;
    return k;
}

static lt_rc *make(const suite *s, int enc)
{
    lt_rc_keys k = keys_for(s->c, s->m);
    return lt_rc_new(&k, enc);
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
    EXPECT_EQ(lt_rc_seal(enc, seq, hdr[0], hdr, buf, pt_len, &frag), LT_OK);
    return frag;
}

static void test_sizes(void)
{
    EXPECT_EQ(lt_cipher_key_len(LT_CIPHER_AES_128_CBC), 16);
    EXPECT_EQ(lt_cipher_key_len(LT_CIPHER_AES_256_GCM), 32);
    EXPECT_EQ(lt_cipher_key_len(LT_CIPHER_CHACHA20_POLY1305), 32);
    EXPECT_EQ(lt_cipher_fixed_iv_len(LT_CIPHER_AES_128_CBC, LT_TLS1_2), 0);
    EXPECT_EQ(lt_cipher_fixed_iv_len(LT_CIPHER_AES_128_GCM, LT_TLS1_2), 4);
    EXPECT_EQ(lt_cipher_fixed_iv_len(LT_CIPHER_AES_256_GCM, LT_TLS1_2), 4);
    EXPECT_EQ(lt_cipher_fixed_iv_len(LT_CIPHER_CHACHA20_POLY1305, LT_TLS1_2), 12);
    EXPECT_EQ(lt_cipher_fixed_iv_len(LT_CIPHER_AES_128_GCM, LT_TLS1_3), 12);
    EXPECT_EQ(lt_cipher_fixed_iv_len(LT_CIPHER_AES_256_GCM, LT_TLS1_3), 12);
    EXPECT_EQ(lt_cipher_fixed_iv_len(LT_CIPHER_CHACHA20_POLY1305, LT_TLS1_3), 12);
    EXPECT_EQ(lt_mac_key_len(LT_MAC_NONE), 0);
    EXPECT_EQ(lt_mac_key_len(LT_MAC_HMAC_SHA1), 20);
    EXPECT_EQ(lt_mac_key_len(LT_MAC_HMAC_SHA256), 32);
    EXPECT_EQ(lt_mac_key_len(LT_MAC_HMAC_SHA384), 48);
    /* Mismatched arguments are refused. */
    {
        lt_rc_keys k = keys_for(LT_CIPHER_AES_128_GCM, LT_MAC_NONE);
        k.mac = LT_MAC_HMAC_SHA1; /* a MAC with an AEAD */
        k.mac_key = mac_key;
        EXPECT(lt_rc_new(&k, 1) == NULL);
        k = keys_for(LT_CIPHER_AES_128_CBC, LT_MAC_HMAC_SHA1);
        k.mac = LT_MAC_NONE; /* CBC without a MAC */
        EXPECT(lt_rc_new(&k, 1) == NULL);
        k = keys_for(LT_CIPHER_AES_128_CBC, LT_MAC_HMAC_SHA1);
        k.mac_key = NULL;
        EXPECT(lt_rc_new(&k, 1) == NULL);
        k = keys_for(LT_CIPHER_AES_128_GCM, LT_MAC_NONE);
        k.iv = NULL; /* GCM without its salt */
        EXPECT(lt_rc_new(&k, 1) == NULL);
        k = keys_for(LT_CIPHER_AES_128_GCM, LT_MAC_NONE);
        k.key = NULL;
        EXPECT(lt_rc_new(&k, 0) == NULL);
        k = keys_for(LT_CIPHER_AES_128_GCM, LT_MAC_NONE);
        k.encrypt_then_mac = 1; /* RFC 7366 is for CBC only */
        EXPECT(lt_rc_new(&k, 1) == NULL);
        k = keys_for(LT_CIPHER_AES_128_CBC, LT_MAC_HMAC_SHA256);
        k.version = LT_TLS1_3; /* TLS 1.3 has no CBC */
        EXPECT(lt_rc_new(&k, 1) == NULL);
        k = keys_for(LT_CIPHER_AES_128_GCM, LT_MAC_NONE);
        k.version = 0x0302; /* TLS 1.1 */
        EXPECT(lt_rc_new(&k, 1) == NULL);
        k = keys_for((lt_cipher_alg)99, LT_MAC_NONE);
        k.iv = salt;
        EXPECT(lt_rc_new(&k, 1) == NULL);
        EXPECT(lt_rc_new(NULL, 1) == NULL);
    }
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
            EXPECT(frag <= len + lt_rc_overhead(enc));
            EXPECT_EQ((hdr[3] << 8) | hdr[4], frag);
            EXPECT_EQ(lt_rc_open(dec, seq, hdr, buf, frag, &g_type, &pt, &pt_len), LT_OK);
            EXPECT_EQ(pt_len, len);
            EXPECT_EQ(g_type, 23);
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
    rc = lt_rc_open(dec, 7 + seq_delta, hdr, buf, frag, &g_type, &pt, &pt_len);
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
        EXPECT_EQ(lt_rc_open(dec, 0, hdr, buf, 0, &g_type, &pt, &pt_len), LT_ERR_BAD_RECORD_MAC);
        /* Over 2^14 + 2048: record_overflow (RFC 5246 6.2.3, 7.2.2). */
        EXPECT_EQ(lt_rc_open(dec, 0, hdr, buf, 16384 + 2048 + 1, &g_type, &pt, &pt_len), LT_ERR_RECORD_OVERFLOW);
        EXPECT_EQ(lt_rc_open(dec, 0, hdr, buf, 16384 + 2048 + 16, &g_type, &pt, &pt_len), LT_ERR_RECORD_OVERFLOW);
        if (is_gcm(s)) {
            EXPECT_EQ(lt_rc_open(dec, 0, hdr, buf, 23, &g_type, &pt, &pt_len), LT_ERR_BAD_RECORD_MAC);
            EXPECT_EQ(lt_rc_open(dec, 0, hdr, buf, 24, &g_type, &pt, &pt_len), LT_ERR_BAD_RECORD_MAC);
        } else {
            EXPECT_EQ(lt_rc_open(dec, 0, hdr, buf, 16, &g_type, &pt, &pt_len), LT_ERR_BAD_RECORD_MAC);
            EXPECT_EQ(lt_rc_open(dec, 0, hdr, buf, 33, &g_type, &pt, &pt_len), LT_ERR_BAD_RECORD_MAC);
            EXPECT_EQ(lt_rc_open(dec, 0, hdr, buf, 65, &g_type, &pt, &pt_len), LT_ERR_BAD_RECORD_MAC);
            EXPECT_EQ(lt_rc_open(dec, 0, hdr, buf, 100, &g_type, &pt, &pt_len), LT_ERR_BAD_RECORD_MAC);
            /* Publicly long enough, random content: bad padding/MAC. */
            EXPECT_EQ(lt_rc_open(dec, 0, hdr, buf, 96, &g_type, &pt, &pt_len), LT_ERR_BAD_RECORD_MAC);
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
    EXPECT_EQ(lt_rc_seal(enc, 0x0102030405060708ull, hdr[0], hdr, buf, sizeof(pt), &frag), LT_OK);
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
    EXPECT_EQ(lt_rc_seal(enc, seq, hdr[0], hdr, buf, sizeof(pt), &frag), LT_OK);
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
        EXPECT_EQ(lt_rc_open(dec, 9, hdr, rec, frag, &g_type, &out, &pt_len), LT_OK);
        EXPECT_EQ(pt_len, sizeof(pt));
        if (out != NULL && pt_len == sizeof(pt)) {
            EXPECT_MEM(out, pt, sizeof(pt));
        }

        /* Same, one padding byte wrong (not the length byte). */
        memset(pad, (int)(npad - 1), npad);
        pad[npad / 2] ^= 0x40;
        frag = build_cbc(s, 9, hdr, pt, sizeof(pt), pad, npad, rec);
        EXPECT_EQ(lt_rc_open(dec, 9, hdr, rec, frag, &g_type, &out, &pt_len), LT_ERR_BAD_RECORD_MAC);

        /* First padding byte wrong. */
        memset(pad, (int)(npad - 1), npad);
        pad[0] = 0;
        frag = build_cbc(s, 9, hdr, pt, sizeof(pt), pad, npad, rec);
        EXPECT_EQ(lt_rc_open(dec, 9, hdr, rec, frag, &g_type, &out, &pt_len), LT_ERR_BAD_RECORD_MAC);

        /* SSLv3-style padding (zeros, then the length): not TLS. */
        memset(pad, 0, npad);
        pad[npad - 1] = (uint8_t)(npad - 1);
        frag = build_cbc(s, 9, hdr, pt, sizeof(pt), pad, npad, rec);
        EXPECT_EQ(lt_rc_open(dec, 9, hdr, rec, frag, &g_type, &out, &pt_len), LT_ERR_BAD_RECORD_MAC);

        /* padding_length larger than the whole record: 255 with all
         * padding bytes 255, in a short record. */
        npad = (16 - (sizeof(pt) + mac_len) % 16) % 16;
        if (npad == 0) {
            npad = 16;
        }
        memset(pad, 255, npad);
        frag = build_cbc(s, 9, hdr, pt, sizeof(pt), pad, npad, rec);
        EXPECT(frag - 16 < 256);
        EXPECT_EQ(lt_rc_open(dec, 9, hdr, rec, frag, &g_type, &out, &pt_len), LT_ERR_BAD_RECORD_MAC);

        /* padding_length = every byte of the record but one: all padding
         * bytes match, yet MAC + length byte no longer fit. */
        {
            size_t data_len = ((sizeof(pt) + mac_len + 1 + 15) / 16) * 16;
            uint8_t body[256];
            memset(body, (int)(data_len - 1), data_len);
            memcpy(rec, "0123456789abcdef", 16);
            memcpy(rec + 16, body, data_len);
            aes_cbc_encrypt(s->cipher_name, rec, rec + 16, data_len);
            EXPECT_EQ(lt_rc_open(dec, 9, hdr, rec, 16 + data_len, &g_type, &out, &pt_len), LT_ERR_BAD_RECORD_MAC);
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
            EXPECT_EQ(lt_rc_open(dec, seq, hdr, buf, frag, &g_type, &pt, &pt_len), LT_OK);
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
            EXPECT_EQ(lt_rc_open(dec, 500, hdr, buf, frag, &g_type, &pt, &pt_len), LT_ERR_BAD_RECORD_MAC);
            frag = seal(enc, 501, hdr, buf, 40, 1);
            EXPECT_EQ(lt_rc_open(dec, 501, hdr, buf, frag, &g_type, &pt, &pt_len), LT_OK);
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
    EXPECT_EQ(lt_rc_seal(enc, 0, hdr[0], hdr, buf, 16385, &frag), LT_ERR_USAGE);
    EXPECT_EQ(lt_rc_seal(dec, 0, hdr[0], hdr, buf, 10, &frag), LT_ERR_USAGE);
    EXPECT_EQ(lt_rc_open(enc, 0, hdr, buf, 64, &g_type, &pt, &pt_len), LT_ERR_USAGE);
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
            EXPECT_EQ(lt_rc_seal(ea, 5, ha[0], ha, a, len, &na), LT_OK);
            EXPECT_EQ(lt_rc_seal_from(eb, 5, hb[0], hb, b, pt, len, &nb), LT_OK);
            EXPECT_EQ(na, nb);
            EXPECT_MEM(ha, hb, 5);
            if (is_gcm(s)) {
                EXPECT_MEM(a, b, na);
            }
            uint8_t *out = NULL;
            size_t out_len = 0;
            EXPECT_EQ(lt_rc_open(d, 5, hb, b, nb, &g_type, &out, &out_len), LT_OK);
            EXPECT_EQ(out_len, len);
            EXPECT(len == 0 || memcmp(out, pt, len) == 0);
            lt_rc_free(ea);
            lt_rc_free(eb);
            lt_rc_free(d);
        }
    }
}

/* ---- Stitched CBC sealing ----
 * Test-build hooks: lt_test_rc_allow_stitched / lt_test_rc_stitched
 * (crypto.h, LT_TEST_HOOKS). */

static const size_t st_lengths[] = {0, 1, 15, 16, 17, 255, 256, 1000, 16384};
#define NST_LENGTHS (sizeof(st_lengths) / sizeof(st_lengths[0]))

static const char *stitched_name(const suite *s)
{
    int sha1 = s->m == LT_MAC_HMAC_SHA1;
    if (s->c == LT_CIPHER_AES_128_CBC) {
        return sha1 ? "AES-128-CBC-HMAC-SHA1" : "AES-128-CBC-HMAC-SHA256";
    }
    return sha1 ? "AES-256-CBC-HMAC-SHA1" : "AES-256-CBC-HMAC-SHA256";
}

/* Does this process expect the stitched path for the suite? The cipher must
 * be fetchable and AEAD-flagged, and LT_NO_STITCHED not set. */
static int expect_stitched(const suite *s)
{
    const char *env = getenv("LT_NO_STITCHED");
    EVP_CIPHER *c;
    int yes;
    if (env != NULL && env[0] != '\0' && strcmp(env, "0") != 0) {
        return 0;
    }
    c = EVP_CIPHER_fetch(NULL, stitched_name(s), NULL);
    yes = c != NULL && (EVP_CIPHER_get_flags(c) & EVP_CIPH_FLAG_AEAD_CIPHER) != 0;
    EVP_CIPHER_free(c);
    return yes;
}

/* A deterministic RNG stream: every call continues where the last ended. */
typedef struct rng_stream {
    uint32_t x;
} rng_stream;

static void stream_rng(void *arg, uint8_t *buf, size_t n)
{
    rng_stream *r = arg;
    size_t i;
    for (i = 0; i < n; i++) {
        r->x = r->x * 1103515245u + 12345u;
        buf[i] = (uint8_t)(r->x >> 16);
    }
}

/*
 * (b) The wire format, computed independently: AES-CBC-decrypt the fragment
 * with EVP (IV = its first block), then check plaintext, HMAC over
 * seq_num || type || version || length || plaintext (EVP_MAC here), and the
 * minimal padding of RFC 5246 6.2.3.2 (padding_length + 1 bytes, each equal
 * to padding_length). want_iv, if not NULL, is the explicit IV expected.
 */
static void check_wire(const suite *s, uint64_t seq, const uint8_t hdr[5], const uint8_t *frag, size_t frag_len,
                       const uint8_t *pt, size_t pt_len, const uint8_t *want_iv)
{
    static uint8_t dec[16384 + 2048];
    uint8_t mh[13], mac[64];
    size_t mac_len = lt_mac_key_len(s->m);
    size_t data_len = (pt_len + mac_len + 1 + 15) / 16 * 16;
    size_t pad = data_len - pt_len - mac_len - 1, i;
    EVP_CIPHER *c = EVP_CIPHER_fetch(NULL, s->cipher_name, NULL);
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int outl = 0;

    EXPECT_EQ(frag_len, 16 + data_len);
    EXPECT_EQ((hdr[3] << 8) | hdr[4], frag_len);
    EXPECT(pad < 16);
    if (want_iv != NULL) {
        EXPECT_MEM(frag, want_iv, 16);
    }
    if (frag_len != 16 + data_len) {
        EVP_CIPHER_CTX_free(ctx);
        EVP_CIPHER_free(c);
        return;
    }
    EXPECT(EVP_DecryptInit_ex2(ctx, c, enc_key, frag, NULL) == 1);
    EVP_CIPHER_CTX_set_padding(ctx, 0);
    EXPECT(EVP_DecryptUpdate(ctx, dec, &outl, frag + 16, (int)data_len) == 1);
    EXPECT_EQ(outl, data_len);
    EXPECT(pt_len == 0 || memcmp(dec, pt, pt_len) == 0);
    lt_put_u64(mh, seq);
    mh[8] = hdr[0];
    mh[9] = hdr[1];
    mh[10] = hdr[2];
    lt_put_u16(mh + 11, (uint16_t)pt_len);
    EXPECT_EQ(hmac(s->digest_name, mac_key, mac_len, mh, 13, pt, pt_len, mac), mac_len);
    EXPECT_MEM(dec + pt_len, mac, mac_len);
    for (i = 0; i <= pad; i++) {
        EXPECT_EQ(dec[pt_len + mac_len + i], pad);
    }
    EVP_CIPHER_CTX_free(ctx);
    EVP_CIPHER_free(c);
}

/* (a) + (b): every CBC suite and length, sealed by the default path (the
 * stitched one where libcrypto has it), in place and from a separate buffer,
 * opens with our constant-time open and matches the independent
 * computation byte for byte, IV included. */
static void test_stitched_seal(void)
{
    static uint8_t buf[BUF_CAP], pt[16384];
    size_t si, li;
    int mode;

    for (si = 0; si < NSUITES; si++) {
        const suite *s = &suites[si];
        lt_rc *enc, *dec;
        uint64_t seq = 0x00ff00ff00ff0000ull;
        if (is_gcm(s)) {
            continue;
        }
        enc = make(s, 1);
        dec = make(s, 0);
        EXPECT(enc != NULL && dec != NULL);
        if (enc == NULL || dec == NULL) {
            lt_rc_free(enc);
            lt_rc_free(dec);
            continue;
        }
        EXPECT_EQ(lt_test_rc_stitched(enc), expect_stitched(s));
        EXPECT_EQ(lt_test_rc_stitched(dec), 0); /* open never is */
        printf("  %s seals %s\n", s->name, lt_test_rc_stitched(enc) ? "stitched" : "in two passes");
        /* One object, many records: the CBC chain carries across them. */
        for (mode = 0; mode < 2; mode++) {
            for (li = 0; li < NST_LENGTHS; li++, seq++) {
                size_t len = st_lengths[li], frag = 0, out_len = 0;
                uint8_t hdr[5] = {23, 3, 3, 0, 0}, iv[16], *out = NULL;
                rng_stream r = {(uint32_t)(seq * 7 + si)}, r2 = r;

                fill(pt, len, (unsigned)(si * 13 + li + (size_t)mode));
                stream_rng(&r2, iv, 16); /* the IV the seal will draw */
                lt_test_set_rng(stream_rng, &r);
                if (mode == 0) {
                    memcpy(buf + 16, pt, len);
                    EXPECT_EQ(lt_rc_seal(enc, seq, hdr[0], hdr, buf, len, &frag), LT_OK);
                } else {
                    EXPECT_EQ(lt_rc_seal_from(enc, seq, hdr[0], hdr, buf, pt, len, &frag), LT_OK);
                }
                lt_test_set_rng(NULL, NULL);
                check_wire(s, seq, hdr, buf, frag, pt, len, iv);
                EXPECT_EQ(lt_rc_open(dec, seq, hdr, buf, frag, &g_type, &out, &out_len), LT_OK);
                EXPECT_EQ(out_len, len);
                EXPECT(out != NULL && (len == 0 || memcmp(out, pt, len) == 0));
                if (lt_test_current_failed) {
                    fprintf(stderr, "  (suite %s, length %zu, %s)\n", s->name, len, mode ? "seal_from" : "in place");
                    break;
                }
            }
        }
        lt_rc_free(enc);
        lt_rc_free(dec);
    }
}

/* (c) The fallback path (forced with the test hook, as LT_NO_STITCHED=1
 * does for a process) and the default path, fed the same RNG stream, give
 * the very same records, record after record, and both open. */
static void test_stitched_matches_fallback(void)
{
    static uint8_t a[BUF_CAP], b[BUF_CAP], pt[16384];
    size_t si;

    for (si = 0; si < NSUITES; si++) {
        const suite *s = &suites[si];
        lt_rc *ea, *eb, *da, *db;
        rng_stream ra = {77u + (uint32_t)si}, rb = ra;
        uint64_t seq;
        if (is_gcm(s)) {
            continue;
        }
        ea = make(s, 1); /* default: stitched if available */
        lt_test_rc_allow_stitched(0);
        eb = make(s, 1); /* two passes */
        lt_test_rc_allow_stitched(1);
        da = make(s, 0);
        db = make(s, 0);
        EXPECT(ea != NULL && eb != NULL && da != NULL && db != NULL);
        if (ea == NULL || eb == NULL || da == NULL || db == NULL) {
            lt_rc_free(ea);
            lt_rc_free(eb);
            lt_rc_free(da);
            lt_rc_free(db);
            continue;
        }
        EXPECT_EQ(lt_test_rc_stitched(ea), expect_stitched(s));
        EXPECT_EQ(lt_test_rc_stitched(eb), 0);
        for (seq = 0; seq < 3 * NST_LENGTHS; seq++) {
            size_t len = st_lengths[seq % NST_LENGTHS], na = 0, nb = 0, la = 0, lb = 0;
            uint8_t ha[5] = {23, 3, 3, 0, 0}, hb[5] = {23, 3, 3, 0, 0}, *oa = NULL, *ob = NULL;
            int from = (int)(seq / NST_LENGTHS) == 1; /* middle round: seal_from */

            fill(pt, len, (unsigned)(seq + si));
            lt_test_set_rng(stream_rng, &ra);
            if (from) {
                EXPECT_EQ(lt_rc_seal_from(ea, seq, ha[0], ha, a, pt, len, &na), LT_OK);
            } else {
                memcpy(a + 16, pt, len);
                EXPECT_EQ(lt_rc_seal(ea, seq, ha[0], ha, a, len, &na), LT_OK);
            }
            lt_test_set_rng(stream_rng, &rb);
            if (from) {
                EXPECT_EQ(lt_rc_seal_from(eb, seq, hb[0], hb, b, pt, len, &nb), LT_OK);
            } else {
                memcpy(b + 16, pt, len);
                EXPECT_EQ(lt_rc_seal(eb, seq, hb[0], hb, b, len, &nb), LT_OK);
            }
            lt_test_set_rng(NULL, NULL);
            EXPECT_EQ(na, nb);
            EXPECT_MEM(ha, hb, 5);
            EXPECT(na == nb && memcmp(a, b, na) == 0);
            /* Each path's record opens, crossed over too. */
            EXPECT_EQ(lt_rc_open(db, seq, ha, a, na, &g_type, &oa, &la), LT_OK);
            EXPECT_EQ(lt_rc_open(da, seq, hb, b, nb, &g_type, &ob, &lb), LT_OK);
            EXPECT(la == len && lb == len);
            EXPECT(len == 0 || (oa != NULL && ob != NULL && memcmp(oa, pt, len) == 0 && memcmp(ob, pt, len) == 0));
            if (lt_test_current_failed) {
                fprintf(stderr, "  (suite %s, seq %llu, length %zu)\n", s->name, (unsigned long long)seq, len);
                break;
            }
        }
        lt_rc_free(ea);
        lt_rc_free(eb);
        lt_rc_free(da);
        lt_rc_free(db);
    }
    /* CBC with HMAC-SHA384 has no stitched cipher: always two passes. */
    {
        lt_rc_keys k = keys_for(LT_CIPHER_AES_256_CBC, LT_MAC_HMAC_SHA384);
        lt_rc *e = lt_rc_new(&k, 1);
        EXPECT(e != NULL);
        EXPECT_EQ(lt_test_rc_stitched(e), 0);
        lt_rc_free(e);
    }
}

/* Each scheme reports its own overhead, and it is exact: no record adds
 * more, and some length adds that much (the last padding block of CBC). */
static void test_overhead_per_scheme(void)
{
    static uint8_t buf[BUF_CAP], iv[12] = {9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 1, 2};
    static const struct {
        uint16_t version;
        lt_cipher_alg c;
        lt_mac_alg m;
        int etm;
        size_t overhead;
    } schemes[] = {
        {LT_TLS1_2, LT_CIPHER_AES_128_CBC, LT_MAC_HMAC_SHA1, 0, 16 + 20 + 16},
        {LT_TLS1_2, LT_CIPHER_AES_256_CBC, LT_MAC_HMAC_SHA256, 0, 16 + 32 + 16},
        {LT_TLS1_2, LT_CIPHER_AES_256_CBC, LT_MAC_HMAC_SHA384, 0, 16 + 48 + 16},
        {LT_TLS1_2, LT_CIPHER_AES_128_CBC, LT_MAC_HMAC_SHA1, 1, 16 + 16 + 20},
        {LT_TLS1_2, LT_CIPHER_AES_128_CBC, LT_MAC_HMAC_SHA256, 1, 16 + 16 + 32},
        {LT_TLS1_2, LT_CIPHER_AES_128_GCM, LT_MAC_NONE, 0, 8 + 16},
        {LT_TLS1_2, LT_CIPHER_AES_256_GCM, LT_MAC_NONE, 0, 8 + 16},
        {LT_TLS1_2, LT_CIPHER_CHACHA20_POLY1305, LT_MAC_NONE, 0, 16},
        {LT_TLS1_3, LT_CIPHER_AES_128_GCM, LT_MAC_NONE, 0, 1 + 16},
        {LT_TLS1_3, LT_CIPHER_AES_256_GCM, LT_MAC_NONE, 0, 1 + 16},
        {LT_TLS1_3, LT_CIPHER_CHACHA20_POLY1305, LT_MAC_NONE, 0, 1 + 16},
    };
    for (size_t i = 0; i < sizeof schemes / sizeof schemes[0]; i++) {
        lt_rc_keys k = {.version = schemes[i].version,
                        .cipher = schemes[i].c,
                        .mac = schemes[i].m,
                        .encrypt_then_mac = schemes[i].etm,
                        .key = enc_key};
        k.mac_key = k.mac == LT_MAC_NONE ? NULL : mac_key;
        k.iv = lt_cipher_fixed_iv_len(k.cipher, k.version) ? iv : NULL;
        lt_rc *enc = lt_rc_new(&k, 1), *dec = lt_rc_new(&k, 0);
        size_t most = 0;
        EXPECT(enc != NULL && dec != NULL);
        if (enc == NULL || dec == NULL) {
            lt_rc_free(enc);
            lt_rc_free(dec);
            continue;
        }
        EXPECT_EQ(lt_rc_overhead(enc), schemes[i].overhead);
        EXPECT(lt_rc_overhead(enc) <= LT_RC_MAX_OVERHEAD);
        EXPECT_EQ(lt_rc_overhead(dec), schemes[i].overhead);
        EXPECT_EQ(lt_rc_version(enc), schemes[i].version);
        for (size_t len = 0; len <= 16384; len += (len < 80 ? 1 : 16384 - 80)) {
            uint8_t hdr[5] = {0, 3, 3, 0, 0};
            size_t frag = 0;
            fill(buf + lt_rc_prefix_len(enc), len, (unsigned)len);
            EXPECT_EQ(lt_rc_seal(enc, len, 23, hdr, buf, len, &frag), LT_OK);
            EXPECT(frag <= len + lt_rc_overhead(enc));
            if (frag - len > most) {
                most = frag - len;
            }
        }
        EXPECT_EQ(most, schemes[i].overhead);
        if (lt_test_current_failed) {
            fprintf(stderr, "  (scheme %zu)\n", i);
        }
        lt_rc_free(enc);
        lt_rc_free(dec);
    }
}

/* LT_NO_STITCHED=1, read once per process, turns the stitched path off. The
 * test re-runs this binary with --probe-stitched, which reports whether a
 * sealing AES128-SHA256 object is stitched in its exit status. */
static int probe_stitched(void)
{
    lt_rc *e = make(&suites[2], 1);
    int st = lt_test_rc_stitched(e);
    lt_rc_free(e);
    return st ? 10 : 11;
}

static int run_probe(const char *self, const char *env)
{
    pid_t pid = fork();
    int status = 0;
    if (pid == 0) {
        char *args[] = {(char *)self, (char *)"--probe-stitched", NULL};
        if (env != NULL) {
            setenv("LT_NO_STITCHED", env, 1);
        } else {
            unsetenv("LT_NO_STITCHED");
        }
        execv(self, args);
        _exit(127);
    }
    if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status)) {
        return -1;
    }
    return WEXITSTATUS(status);
}

static const char *self_path;

static void test_no_stitched_env(void)
{
    int avail;
    {
        EVP_CIPHER *c = EVP_CIPHER_fetch(NULL, "AES-128-CBC-HMAC-SHA256", NULL);
        avail = c != NULL && (EVP_CIPHER_get_flags(c) & EVP_CIPH_FLAG_AEAD_CIPHER) != 0;
        EVP_CIPHER_free(c);
    }
    EXPECT_EQ(run_probe(self_path, "1"), 11);
    EXPECT_EQ(run_probe(self_path, NULL), avail ? 10 : 11);
    EXPECT_EQ(run_probe(self_path, "0"), avail ? 10 : 11);
}

int main(int argc, char **argv)
{
    init_keys();
    if (argc > 1 && strcmp(argv[1], "--probe-stitched") == 0) {
        return probe_stitched();
    }
    self_path = argv[0];
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
    LT_RUN(test_stitched_seal);
    LT_RUN(test_stitched_matches_fallback);
    LT_RUN(test_no_stitched_env);
    LT_RUN(test_overhead_per_scheme);
    return lt_test_summary();
}
