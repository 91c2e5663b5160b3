/*
 * Constant flow of record decryption (lt_rc_open): CBC MAC-then-encrypt
 * (Lucky13: padding check and MAC in constant time), CBC encrypt-then-MAC
 * (RFC 7366: the MAC verdict is public, the padding check of an authentic
 * record is constant-flow) and GCM.
 *
 * Every fragment is marked secret before lt_rc_open. The key is public, so
 * everything decrypted from the fragment is secret too: padding length,
 * padding bytes, the record MAC, the plaintext length. memcheck must find no
 * branch and no memory index on any of it in our code (cbc_open,
 * cbc_padding_good, ct_*, etm_open, gcm_open, aead_decrypt): the one
 * declassification is the final "record good" word in cbc_open
 * (LT_CF_PUBLIC), in etm_open the MAC verdict (the MAC covers only public
 * bytes) and then the padding verdict, for GCM the tag check inside
 * libcrypto (see openssl.supp). Valid, bad-padding and bad-MAC records take
 * the same path.
 *
 * After lt_rc_open the test itself declassifies the plaintext length and
 * bytes of a record that authenticated: from there on they are the
 * application's data. In negative mode it branches on the length first.
 */
#include <stdint.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "base/bytes.h"
#include "crypto/crypto.h"
#include "ct_util.h"
#include "test.h"

#define BUF_CAP (16384 + 2048 + 64)

typedef struct suite {
    lt_cipher_alg c;
    lt_mac_alg m;
    const char *cipher_name;
    const char *digest_name;
} suite;

static const suite cbc_suites[] = {
    {LT_CIPHER_AES_128_CBC, LT_MAC_HMAC_SHA1, "AES-128-CBC", "SHA1"},
    {LT_CIPHER_AES_256_CBC, LT_MAC_HMAC_SHA1, "AES-256-CBC", "SHA1"},
    {LT_CIPHER_AES_128_CBC, LT_MAC_HMAC_SHA256, "AES-128-CBC", "SHA256"},
    {LT_CIPHER_AES_256_CBC, LT_MAC_HMAC_SHA256, "AES-256-CBC", "SHA256"},
};
#define N_CBC (sizeof(cbc_suites) / sizeof(cbc_suites[0]))

/* Plaintext lengths: empty, sub-block, block edges, more than 256 bytes
 * (the padding scan window), and a full 2^14 record. */
static const size_t lengths[] = {0, 1, 15, 16, 17, 100, 255, 256, 1000, 16384};
#define N_LENGTHS (sizeof(lengths) / sizeof(lengths[0]))

static uint8_t enc_key[32], mac_key[48], salt[4] = {0xde, 0xad, 0xbe, 0xef};
static uint8_t buf[BUF_CAP], pt_ref[BUF_CAP];
static uint8_t g_type; /* the content type open returns */

static void init(void)
{
    size_t i;
    for (i = 0; i < sizeof(enc_key); i++) {
        enc_key[i] = (uint8_t)(0x10 + i);
    }
    for (i = 0; i < sizeof(mac_key); i++) {
        mac_key[i] = (uint8_t)(0x80 ^ (i * 3));
    }
    for (i = 0; i < sizeof(pt_ref); i++) {
        pt_ref[i] = (uint8_t)(i * 7 + 3);
    }
}

/*
 * Open buf[0..frag) with the fragment marked secret; expect want. On
 * success check the plaintext against pt_ref[0..pt_len_want).
 */
static void open_secret(lt_rc *dec, uint64_t seq, const uint8_t hdr[5], size_t frag, int want, size_t pt_len_want)
{
    uint8_t *out = NULL;
    size_t pt_len = 0;
    int rc;

    LT_CF_SECRET(buf, frag);
    rc = lt_rc_open(dec, seq, hdr, buf, frag, &g_type, &out, &pt_len);
    /* rc is public: cbc_open declassified its one decision word. */
    EXPECT_EQ(rc, want);
    if (rc != LT_OK) {
        return;
    }
    if (ct_negative_mode()) {
        /* The plaintext length came out of the provider's constant-time
         * padding removal: still secret here. */
        ct_leak_branch(&pt_len);
    }
    /* The record authenticated: its length and bytes are now the
     * application's, public from here on. */
    LT_CF_PUBLIC(&pt_len, sizeof(pt_len));
    LT_CF_PUBLIC(out, pt_len);
    EXPECT_EQ(g_type, hdr[0]);
    EXPECT_EQ(pt_len, pt_len_want);
    if (pt_len == pt_len_want) {
        EXPECT_MEM(out, pt_ref, pt_len);
    }
}

static lt_rc *make_keys(lt_cipher_alg c, lt_mac_alg m, int etm, int enc)
{
    lt_rc_keys k = {.version = LT_TLS1_2, .cipher = c, .mac = m, .encrypt_then_mac = etm, .key = enc_key};
    k.mac_key = m == LT_MAC_NONE ? NULL : mac_key;
    k.iv = lt_cipher_fixed_iv_len(c, LT_TLS1_2) ? salt : NULL;
    return lt_rc_new(&k, enc);
}

static lt_rc *make(const suite *s, int enc)
{
    return make_keys(s->c, s->m, 0, enc);
}

/* Seal pt_ref[0..pt_len) with lt_rc_seal into buf; returns the fragment
 * length. */
static size_t seal(lt_rc *enc, uint64_t seq, uint8_t hdr[5], size_t pt_len)
{
    size_t frag = 0;
    memcpy(buf + lt_rc_prefix_len(enc), pt_ref, pt_len);
    EXPECT_EQ(lt_rc_seal(enc, seq, hdr[0], hdr, buf, pt_len, &frag), LT_OK);
    return frag;
}

/* ---- Hand-built CBC records (arbitrary padding and MAC) ---- */

static size_t hmac(const char *digest, const uint8_t *a, size_t alen, const uint8_t *b, size_t blen, size_t klen,
                   uint8_t *out)
{
    EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    EVP_MAC_CTX *ctx = EVP_MAC_CTX_new(mac);
    OSSL_PARAM params[2];
    size_t outl = 0;
    params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)digest, 0);
    params[1] = OSSL_PARAM_construct_end();
    EXPECT(EVP_MAC_init(ctx, mac_key, klen, params) == 1);
    EXPECT(EVP_MAC_update(ctx, a, alen) == 1);
    if (blen > 0) {
        EXPECT(EVP_MAC_update(ctx, b, blen) == 1);
    }
    EXPECT(EVP_MAC_final(ctx, out, &outl, 64) == 1);
    EVP_MAC_CTX_free(ctx);
    EVP_MAC_free(mac);
    return outl;
}

/* buf = IV || AES-CBC(pt_ref[0..pt_len) || MAC || pad_bytes[0..npad)); the
 * last pad byte is the padding length byte. flip_mac corrupts the MAC. */
static size_t build_cbc(const suite *s, uint64_t seq, const uint8_t hdr[5], size_t pt_len, const uint8_t *pad_bytes,
                        size_t npad, int flip_mac)
{
    EVP_CIPHER *c = EVP_CIPHER_fetch(NULL, s->cipher_name, NULL);
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    uint8_t mh[13];
    size_t mac_len, data_len;
    int outl = 0;

    lt_put_u64(mh, seq);
    mh[8] = hdr[0];
    mh[9] = hdr[1];
    mh[10] = hdr[2];
    lt_put_u16(mh + 11, (uint16_t)pt_len);
    memset(buf, 0x77, 16); /* explicit IV */
    memcpy(buf + 16, pt_ref, pt_len);
    mac_len = hmac(s->digest_name, mh, 13, pt_ref, pt_len, lt_mac_key_len(s->m), buf + 16 + pt_len);
    if (flip_mac) {
        buf[16 + pt_len + mac_len / 2] ^= 0x01;
    }
    memcpy(buf + 16 + pt_len + mac_len, pad_bytes, npad);
    data_len = pt_len + mac_len + npad;
    EXPECT_EQ(data_len % 16, 0);
    EXPECT(EVP_EncryptInit_ex2(ctx, c, enc_key, buf, NULL) == 1);
    EXPECT(EVP_CIPHER_CTX_set_padding(ctx, 0) == 1);
    EXPECT(EVP_EncryptUpdate(ctx, buf + 16, &outl, buf + 16, (int)data_len) == 1);
    EXPECT_EQ(outl, data_len);
    EVP_CIPHER_CTX_free(ctx);
    EVP_CIPHER_free(c);
    return 16 + data_len;
}

/* Valid records from lt_rc_seal, every length. */
static void test_cbc_valid(void)
{
    size_t si, li;
    for (si = 0; si < N_CBC; si++) {
        lt_rc *enc = make(&cbc_suites[si], 1), *dec = make(&cbc_suites[si], 0);
        EXPECT(enc != NULL && dec != NULL);
        for (li = 0; enc != NULL && dec != NULL && li < N_LENGTHS; li++) {
            uint8_t hdr[5] = {23, 3, 3, 0, 0};
            size_t frag = seal(enc, li, hdr, lengths[li]);
            open_secret(dec, li, hdr, frag, LT_OK, lengths[li]);
        }
        lt_rc_free(enc);
        lt_rc_free(dec);
    }
}

/* Valid, bad-padding and bad-MAC records by hand, with short and long
 * padding: the secret padding length spans the whole 256-byte window. */
static void test_cbc_hand_built(void)
{
    size_t si, pi;
    static const size_t pt_lens[] = {0, 37, 300};
    for (si = 0; si < N_CBC; si++) {
        const suite *s = &cbc_suites[si];
        size_t mac_len = lt_mac_key_len(s->m);
        lt_rc *dec = make(s, 0);
        EXPECT(dec != NULL);
        for (pi = 0; dec != NULL && pi < sizeof(pt_lens) / sizeof(pt_lens[0]); pi++) {
            uint8_t hdr[5] = {23, 3, 3, 0, 0}, pad[256];
            size_t pt_len = pt_lens[pi];
            size_t min_pad = 16 - (pt_len + mac_len) % 16; /* 1..16 bytes incl. the length byte */
            size_t npad;

            for (npad = min_pad; npad <= 256; npad += 16) {
                /* Valid. */
                memset(pad, (int)(npad - 1), npad);
                open_secret(dec, 5, hdr, build_cbc(s, 5, hdr, pt_len, pad, npad, 0), LT_OK, pt_len);
                /* Bad MAC, good padding. */
                open_secret(dec, 5, hdr, build_cbc(s, 5, hdr, pt_len, pad, npad, 1), LT_ERR_BAD_RECORD_MAC, 0);
                /* Wrong sequence number: the MAC does not match. */
                open_secret(dec, 6, hdr, build_cbc(s, 5, hdr, pt_len, pad, npad, 0), LT_ERR_BAD_RECORD_MAC, 0);
                if (npad > 1) {
                    /* One padding byte wrong (first, middle). */
                    pad[0] ^= 0x40;
                    open_secret(dec, 5, hdr, build_cbc(s, 5, hdr, pt_len, pad, npad, 0), LT_ERR_BAD_RECORD_MAC, 0);
                    pad[0] ^= 0x40;
                    pad[npad / 2] ^= 0x01;
                    open_secret(dec, 5, hdr, build_cbc(s, 5, hdr, pt_len, pad, npad, 0), LT_ERR_BAD_RECORD_MAC, 0);
                    /* SSLv3-style padding: zeros, then the length. */
                    memset(pad, 0, npad);
                    pad[npad - 1] = (uint8_t)(npad - 1);
                    open_secret(dec, 5, hdr, build_cbc(s, 5, hdr, pt_len, pad, npad, 0), LT_ERR_BAD_RECORD_MAC, 0);
                }
            }
            /* Padding length byte larger than the record (all bytes 255). */
            memset(pad, 255, min_pad);
            open_secret(dec, 5, hdr, build_cbc(s, 5, hdr, pt_len, pad, min_pad, 0), LT_ERR_BAD_RECORD_MAC, 0);
            /* Padding length that eats into the MAC. */
            memset(pad, (int)(min_pad - 1 + mac_len), min_pad);
            open_secret(dec, 5, hdr, build_cbc(s, 5, hdr, pt_len, pad, min_pad, 0), LT_ERR_BAD_RECORD_MAC, 0);
        }
        lt_rc_free(dec);
    }
}

/* Tampered ciphertext from lt_rc_seal: garbage plaintext, padding and MAC. */
static void test_cbc_tampered(void)
{
    size_t si, li;
    for (si = 0; si < N_CBC; si++) {
        lt_rc *enc = make(&cbc_suites[si], 1), *dec = make(&cbc_suites[si], 0);
        EXPECT(enc != NULL && dec != NULL);
        for (li = 0; enc != NULL && dec != NULL && li < N_LENGTHS; li++) {
            uint8_t hdr[5] = {23, 3, 3, 0, 0};
            size_t frag = seal(enc, li, hdr, lengths[li]);
            buf[frag - 17] ^= 0x80; /* second-to-last block: flips the last one's bits */
            open_secret(dec, li, hdr, frag, LT_ERR_BAD_RECORD_MAC, 0);
            frag = seal(enc, li, hdr, lengths[li]);
            buf[frag - 1] ^= 0x01; /* last block: garbage padding length */
            open_secret(dec, li, hdr, frag, LT_ERR_BAD_RECORD_MAC, 0);
        }
        lt_rc_free(enc);
        lt_rc_free(dec);
    }
}

/* ---- Encrypt-then-MAC (RFC 7366 3) ---- */

/* buf = IV || AES-CBC(pt_ref[0..pt_len) || pad_bytes[0..npad)) || MAC over
 * seq || type || version || length(IV + ciphertext) || IV || ciphertext. */
static size_t build_etm(const suite *s, uint64_t seq, const uint8_t hdr[5], size_t pt_len, const uint8_t *pad_bytes,
                        size_t npad)
{
    EVP_CIPHER *c = EVP_CIPHER_fetch(NULL, s->cipher_name, NULL);
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    uint8_t mh[13];
    size_t data_len = pt_len + npad, enc_len = 16 + data_len;
    int outl = 0;

    EXPECT_EQ(data_len % 16, 0);
    memset(buf, 0x5c, 16); /* explicit IV */
    memcpy(buf + 16, pt_ref, pt_len);
    memcpy(buf + 16 + pt_len, pad_bytes, npad);
    EXPECT(EVP_EncryptInit_ex2(ctx, c, enc_key, buf, NULL) == 1);
    EXPECT(EVP_CIPHER_CTX_set_padding(ctx, 0) == 1);
    EXPECT(EVP_EncryptUpdate(ctx, buf + 16, &outl, buf + 16, (int)data_len) == 1);
    EXPECT_EQ(outl, data_len);
    EVP_CIPHER_CTX_free(ctx);
    EVP_CIPHER_free(c);
    lt_put_u64(mh, seq);
    mh[8] = hdr[0];
    mh[9] = hdr[1];
    mh[10] = hdr[2];
    lt_put_u16(mh + 11, (uint16_t)enc_len);
    return enc_len + hmac(s->digest_name, mh, 13, buf, enc_len, lt_mac_key_len(s->m), buf + enc_len);
}

/* Valid records of every length, tampered MACs, and hand-built records
 * whose MAC is right and whose padding is long, short or wrong. */
static void test_etm(void)
{
    size_t si, li, npad;
    for (si = 0; si < N_CBC; si++) {
        const suite *s = &cbc_suites[si];
        lt_rc *enc = make_keys(s->c, s->m, 1, 1), *dec = make_keys(s->c, s->m, 1, 0);
        EXPECT(enc != NULL && dec != NULL);
        for (li = 0; enc != NULL && dec != NULL && li < N_LENGTHS; li++) {
            uint8_t hdr[5] = {23, 3, 3, 0, 0};
            size_t frag = seal(enc, li, hdr, lengths[li]);
            open_secret(dec, li, hdr, frag, LT_OK, lengths[li]);
            frag = seal(enc, li, hdr, lengths[li]);
            buf[frag - 1] ^= 0x01; /* the MAC */
            open_secret(dec, li, hdr, frag, LT_ERR_BAD_RECORD_MAC, 0);
        }
        for (npad = 1; dec != NULL && npad <= 256; npad += 15) {
            uint8_t hdr[5] = {23, 3, 3, 0, 0}, pad[256];
            size_t pt_len = 320 + (16 - npad % 16) % 16; /* content + padding: whole blocks */
            memset(pad, (int)(npad - 1), npad);
            open_secret(dec, 3, hdr, build_etm(s, 3, hdr, pt_len, pad, npad), LT_OK, pt_len);
            if (npad > 1) {
                pad[npad / 2] ^= 0x08;
                open_secret(dec, 3, hdr, build_etm(s, 3, hdr, pt_len, pad, npad), LT_ERR_BAD_RECORD_MAC, 0);
            }
            if (npad < 256) {
                /* A padding length of 255 with fewer bytes before it than
                 * that: it runs past the record. */
                memset(pad, 0xff, npad);
                open_secret(dec, 3, hdr, build_etm(s, 3, hdr, pt_len - 256, pad, npad), LT_ERR_BAD_RECORD_MAC, 0);
            }
        }
        lt_rc_free(enc);
        lt_rc_free(dec);
    }
}

/* GCM: valid, bad tag, bad ciphertext, bad additional data. */
static void test_gcm(void)
{
    static const lt_cipher_alg ciphers[] = {LT_CIPHER_AES_128_GCM, LT_CIPHER_AES_256_GCM};
    size_t ci, li;
    for (ci = 0; ci < 2; ci++) {
        lt_rc *enc = make_keys(ciphers[ci], LT_MAC_NONE, 0, 1);
        lt_rc *dec = make_keys(ciphers[ci], LT_MAC_NONE, 0, 0);
        EXPECT(enc != NULL && dec != NULL);
        for (li = 0; enc != NULL && dec != NULL && li < N_LENGTHS; li++) {
            uint8_t hdr[5] = {23, 3, 3, 0, 0};
            size_t pt_len = lengths[li];
            size_t frag = seal(enc, li, hdr, pt_len);
            open_secret(dec, li, hdr, frag, LT_OK, pt_len);
            frag = seal(enc, li, hdr, pt_len);
            buf[frag - 1] ^= 0x01; /* tag */
            open_secret(dec, li, hdr, frag, LT_ERR_BAD_RECORD_MAC, 0);
            if (pt_len > 0) {
                frag = seal(enc, li, hdr, pt_len);
                buf[8] ^= 0x01; /* ciphertext */
                open_secret(dec, li, hdr, frag, LT_ERR_BAD_RECORD_MAC, 0);
            }
            frag = seal(enc, li, hdr, pt_len);
            open_secret(dec, li + 1, hdr, frag, LT_ERR_BAD_RECORD_MAC, 0); /* AAD: sequence number */
        }
        lt_rc_free(enc);
        lt_rc_free(dec);
    }
}

int main(void)
{
    init();
    LT_RUN(test_cbc_valid);
    LT_RUN(test_cbc_hand_built);
    LT_RUN(test_cbc_tampered);
    LT_RUN(test_etm);
    LT_RUN(test_gcm);
    return lt_test_summary();
}
