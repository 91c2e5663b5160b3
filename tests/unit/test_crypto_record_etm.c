/*
 * CBC encrypt-then-MAC (RFC 7366 3): fragment = IV || ENC(plaintext ||
 * padding) || MAC, with MAC = HMAC(mac_key, seq_num || type || version ||
 * length || IV || ENC(...)), length being that of IV + ciphertext.
 *
 * Known answers computed here from that formula with EVP's AES-CBC and
 * HMAC (the IV from a fixed RNG), round trips, tampering with the IV, the
 * ciphertext, the MAC and the authenticated header, hand-built records whose
 * MAC is right but whose padding is wrong, public length checks, and a
 * check that a record with a bad MAC is not decrypted at all.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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
    const char *cipher_name;
    const char *digest_name;
} suite;

static const suite suites[] = {
    {LT_CIPHER_AES_128_CBC, LT_MAC_HMAC_SHA1, "AES128-SHA", "AES-128-CBC", "SHA1"},
    {LT_CIPHER_AES_256_CBC, LT_MAC_HMAC_SHA1, "AES256-SHA", "AES-256-CBC", "SHA1"},
    {LT_CIPHER_AES_128_CBC, LT_MAC_HMAC_SHA256, "AES128-SHA256", "AES-128-CBC", "SHA256"},
    {LT_CIPHER_AES_256_CBC, LT_MAC_HMAC_SHA256, "AES256-SHA256", "AES-256-CBC", "SHA256"},
    {LT_CIPHER_AES_256_CBC, LT_MAC_HMAC_SHA384, "AES256-SHA384", "AES-256-CBC", "SHA384"},
};
#define NSUITES (sizeof(suites) / sizeof(suites[0]))

static const size_t lengths[] = {0, 1, 15, 16, 17, 255, 256, 1000, 16384};
#define NLENGTHS (sizeof(lengths) / sizeof(lengths[0]))

static uint8_t enc_key[32], mac_key[48];
static uint8_t buf[BUF_CAP], want[BUF_CAP], pt[16384 + 256];

static void init_keys(void)
{
    for (size_t i = 0; i < sizeof(enc_key); i++) {
        enc_key[i] = (uint8_t)(0x21 + 3 * i);
    }
    for (size_t i = 0; i < sizeof(mac_key); i++) {
        mac_key[i] = (uint8_t)(0x5a ^ (i * 7));
    }
}

static lt_rc *make(const suite *s, int etm, int enc)
{
    lt_rc_keys k = {
        .version = LT_TLS1_2, .cipher = s->c, .mac = s->m, .encrypt_then_mac = etm, .key = enc_key, .mac_key = mac_key};
    return lt_rc_new(&k, enc);
}

static void fill(uint8_t *p, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++) {
        p[i] = (uint8_t)(seed + i * 13 + (i >> 8));
    }
}

static void fixed_rng(void *arg, uint8_t *out, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        out[i] = (uint8_t)(*(unsigned *)arg + 5 * i);
    }
}

/* ---- The RFC 7366 formula, independently ---- */

static size_t hmac2(const char *digest, size_t klen, const uint8_t *a, size_t alen, const uint8_t *b, size_t blen,
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
    EXPECT(EVP_MAC_update(ctx, b, blen) == 1);
    EXPECT(EVP_MAC_final(ctx, out, &outl, 64) == 1);
    EVP_MAC_CTX_free(ctx);
    EVP_MAC_free(mac);
    return outl;
}

static void cbc_encrypt(const char *name, const uint8_t iv[16], uint8_t *data, size_t len)
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

/* out = IV || AES-CBC(p[0..n) || pad_bytes[0..npad)) || MAC over
 * seq || hdr[0..3) || length(IV + ciphertext) || IV || ciphertext. The last
 * pad byte is the padding length byte. flip_mac corrupts the MAC. */
static size_t build_etm(const suite *s, uint64_t seq, const uint8_t hdr[5], const uint8_t iv[16], const uint8_t *p,
                        size_t n, const uint8_t *pad_bytes, size_t npad, uint8_t *out)
{
    uint8_t mh[13];
    size_t enc_len = 16 + n + npad;
    EXPECT_EQ((n + npad) % 16, 0);
    memcpy(out, iv, 16);
    memcpy(out + 16, p, n);
    memcpy(out + 16 + n, pad_bytes, npad);
    cbc_encrypt(s->cipher_name, iv, out + 16, n + npad);
    lt_put_u64(mh, seq);
    mh[8] = hdr[0];
    mh[9] = hdr[1];
    mh[10] = hdr[2];
    lt_put_u16(mh + 11, (uint16_t)enc_len);
    EXPECT_EQ(hmac2(s->digest_name, lt_mac_key_len(s->m), mh, 13, out, enc_len, out + enc_len), lt_mac_key_len(s->m));
    return enc_len + lt_mac_key_len(s->m);
}

/* Minimal padding: 1..16 bytes each equal to padding_length. */
static size_t minimal_padding(size_t n, uint8_t pad[16])
{
    size_t npad = 16 - n % 16;
    memset(pad, (int)(npad - 1), npad);
    return npad;
}

/* Every suite and length: our record is the formula's record byte for
 * byte, with the IV the RNG gave, and it opens. */
static void test_known_answer_and_round_trip(void)
{
    for (size_t si = 0; si < NSUITES; si++) {
        const suite *s = &suites[si];
        lt_rc *enc = make(s, 1, 1), *dec = make(s, 1, 0);
        EXPECT(enc != NULL && dec != NULL);
        if (enc == NULL || dec == NULL) {
            lt_rc_free(enc);
            lt_rc_free(dec);
            continue;
        }
        /* The stitched ciphers compute MAC-then-encrypt: never used here. */
        EXPECT_EQ(lt_test_rc_stitched(enc), 0);
        EXPECT_EQ(lt_rc_prefix_len(enc), 16);
        EXPECT_EQ(lt_rc_overhead(enc), 16 + lt_mac_key_len(s->m) + 16);
        for (size_t li = 0; li < NLENGTHS; li++) {
            size_t n = lengths[li], frag = 0, wlen, npad, out_len = 0;
            uint64_t seq = 0x0001000200030004ull * (li + 1);
            uint8_t hdr[5] = {0, 3, 3, 0, 0}, iv[16], pad[16], type = 0, *out = NULL;
            unsigned base = (unsigned)(0x40 + si * 16 + li);

            fill(pt, n, (unsigned)(si + li));
            lt_test_set_rng(fixed_rng, &base);
            if (li % 2) {
                EXPECT_EQ(lt_rc_seal_from(enc, seq, 22, hdr, buf, pt, n, &frag), LT_OK);
            } else {
                memcpy(buf + 16, pt, n);
                EXPECT_EQ(lt_rc_seal(enc, seq, 22, hdr, buf, n, &frag), LT_OK);
            }
            lt_test_set_rng(NULL, NULL);
            fixed_rng(&base, iv, 16);
            npad = minimal_padding(n, pad);
            wlen = build_etm(s, seq, hdr, iv, pt, n, pad, npad, want);
            EXPECT_EQ(hdr[0], 22);
            EXPECT_EQ((hdr[3] << 8) | hdr[4], frag);
            EXPECT_EQ(frag, wlen);
            EXPECT(frag == wlen && memcmp(buf, want, frag) == 0);
            EXPECT(frag <= n + lt_rc_overhead(enc));

            EXPECT_EQ(lt_rc_open(dec, seq, hdr, buf, frag, &type, &out, &out_len), LT_OK);
            EXPECT_EQ(type, 22);
            EXPECT(out == buf + 16 && out_len == n && (n == 0 || memcmp(out, pt, n) == 0));
            if (lt_test_current_failed) {
                fprintf(stderr, "  (%s, length %zu)\n", s->name, n);
                break;
            }
        }
        lt_rc_free(enc);
        lt_rc_free(dec);
    }
}

/* Open a copy of want[0..frag) with a change; expect bad_record_mac. When
 * untouched_if_bad, the buffer must come back as it went in: a record whose
 * MAC fails is not decrypted (RFC 7366 3). */
static void expect_bad(lt_rc *dec, uint64_t seq, const uint8_t hdr[5], size_t frag, size_t flip_at, int check_untouched,
                       const char *what)
{
    uint8_t type = 0, *out = NULL;
    size_t out_len = 0;
    int rc;
    memcpy(buf, want, frag);
    if (flip_at != (size_t)-1) {
        buf[flip_at] ^= 0x20;
    }
    memcpy(pt, buf, frag < sizeof(pt) ? frag : sizeof(pt));
    rc = lt_rc_open(dec, seq, hdr, buf, frag, &type, &out, &out_len);
    if (rc != LT_ERR_BAD_RECORD_MAC) {
        fprintf(stderr, "  %s: rc %d\n", what, rc);
    }
    EXPECT_EQ(rc, LT_ERR_BAD_RECORD_MAC);
    if (check_untouched) {
        EXPECT(memcmp(buf, pt, frag < sizeof(pt) ? frag : sizeof(pt)) == 0);
    }
}

static void test_tamper(void)
{
    for (size_t si = 0; si < NSUITES; si++) {
        const suite *s = &suites[si];
        size_t mac_len = lt_mac_key_len(s->m);
        lt_rc *enc = make(s, 1, 1), *dec = make(s, 1, 0);
        for (size_t li = 0; enc != NULL && dec != NULL && li < NLENGTHS; li++) {
            size_t n = lengths[li], frag = 0;
            uint8_t hdr[5] = {23, 3, 3, 0, 0}, h2[5];
            fill(pt, n, (unsigned)li);
            EXPECT_EQ(lt_rc_seal_from(enc, 9, 23, hdr, want, pt, n, &frag), LT_OK);
            size_t enc_len = frag - mac_len;
            expect_bad(dec, 9, hdr, frag, 0, 1, "IV, first byte");
            expect_bad(dec, 9, hdr, frag, 15, 1, "IV, last byte");
            expect_bad(dec, 9, hdr, frag, 16, 1, "ciphertext, first byte");
            expect_bad(dec, 9, hdr, frag, enc_len - 1, 1, "ciphertext, last byte (the padding length)");
            expect_bad(dec, 9, hdr, frag, enc_len, 1, "MAC, first byte");
            expect_bad(dec, 9, hdr, frag, frag - 1, 1, "MAC, last byte");
            expect_bad(dec, 10, hdr, frag, (size_t)-1, 1, "wrong sequence number");
            for (int b = 0; b < 3; b++) {
                memcpy(h2, hdr, 5);
                h2[b] ^= 0x01;
                expect_bad(dec, 9, h2, frag, (size_t)-1, 1, "header type or version");
            }
            /* One block cut off the ciphertext (the MAC moved): the
             * header length changes and the MAC no longer matches. */
            if (n >= 16) {
                memcpy(buf, want, frag);
                memmove(buf + enc_len - 16, buf + enc_len, mac_len);
                uint8_t type = 0, *out = NULL;
                size_t out_len = 0;
                EXPECT_EQ(lt_rc_open(dec, 9, hdr, buf, frag - 16, &type, &out, &out_len), LT_ERR_BAD_RECORD_MAC);
            }
            if (lt_test_current_failed) {
                fprintf(stderr, "  (%s, length %zu)\n", s->name, n);
                break;
            }
        }
        lt_rc_free(enc);
        lt_rc_free(dec);
    }
}

/* Records with a correct MAC and padding that is not RFC 5246's: each is
 * bad_record_mac; valid non-minimal padding is accepted. */
static void test_padding(void)
{
    static const uint8_t iv[16] = {0x0f, 0x0e, 0x0d, 0x0c, 0x0b, 0x0a, 0x09, 0x08,
                                   0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01, 0x00};
    for (size_t si = 0; si < NSUITES; si++) {
        const suite *s = &suites[si];
        lt_rc *dec = make(s, 1, 0);
        uint8_t hdr[5] = {23, 3, 3, 0, 0}, pad[256], type = 0, *out = NULL;
        uint8_t p[64];
        size_t frag, npad, out_len = 0;
        EXPECT(dec != NULL);
        if (dec == NULL) {
            continue;
        }
        fill(p, sizeof(p), 3);

        /* 64 + 48 bytes of padding (47 each): long, valid, accepted. */
        npad = 48;
        memset(pad, 47, npad);
        frag = build_etm(s, 4, hdr, iv, p, sizeof(p), pad, npad, buf);
        EXPECT_EQ(lt_rc_open(dec, 4, hdr, buf, frag, &type, &out, &out_len), LT_OK);
        EXPECT(out_len == sizeof(p) && memcmp(out, p, sizeof(p)) == 0);
        /* 255 bytes of padding plus the length byte. */
        npad = 256;
        memset(pad, 255, npad);
        frag = build_etm(s, 4, hdr, iv, p, sizeof(p), pad, npad, buf);
        EXPECT_EQ(lt_rc_open(dec, 4, hdr, buf, frag, &type, &out, &out_len), LT_OK);
        EXPECT_EQ(out_len, sizeof(p));
        /* The same, with the content 63 bytes and the padding one longer:
         * a 0 length byte is one byte of padding. */
        npad = 16;
        memset(pad, 15, npad);
        pad[npad - 1] = 0;
        frag = build_etm(s, 4, hdr, iv, p, sizeof(p), pad, npad, buf);
        EXPECT_EQ(lt_rc_open(dec, 4, hdr, buf, frag, &type, &out, &out_len), LT_OK);
        EXPECT_EQ(out_len, sizeof(p) + 15);

        /* One padding byte wrong: first, middle. */
        npad = 48;
        memset(pad, 47, npad);
        pad[0] = 46;
        frag = build_etm(s, 4, hdr, iv, p, sizeof(p), pad, npad, buf);
        EXPECT_EQ(lt_rc_open(dec, 4, hdr, buf, frag, &type, &out, &out_len), LT_ERR_BAD_RECORD_MAC);
        memset(pad, 47, npad);
        pad[20] ^= 0x80;
        frag = build_etm(s, 4, hdr, iv, p, sizeof(p), pad, npad, buf);
        EXPECT_EQ(lt_rc_open(dec, 4, hdr, buf, frag, &type, &out, &out_len), LT_ERR_BAD_RECORD_MAC);
        /* SSLv3-style: zeros, then the length. */
        memset(pad, 0, npad);
        pad[npad - 1] = (uint8_t)(npad - 1);
        frag = build_etm(s, 4, hdr, iv, p, sizeof(p), pad, npad, buf);
        EXPECT_EQ(lt_rc_open(dec, 4, hdr, buf, frag, &type, &out, &out_len), LT_ERR_BAD_RECORD_MAC);
        /* A padding length longer than the record: 0x7f in a 16-byte
         * record with no content (all 16 bytes 0x7f). */
        memset(pad, 0x7f, 16);
        frag = build_etm(s, 4, hdr, iv, p, 0, pad, 16, buf);
        EXPECT_EQ(lt_rc_open(dec, 4, hdr, buf, frag, &type, &out, &out_len), LT_ERR_BAD_RECORD_MAC);
        /* Padding length = the whole data: nothing left for the length
         * byte itself. */
        memset(pad, 16, 16);
        frag = build_etm(s, 4, hdr, iv, p, 0, pad, 16, buf);
        EXPECT_EQ(lt_rc_open(dec, 4, hdr, buf, frag, &type, &out, &out_len), LT_ERR_BAD_RECORD_MAC);
        /* Exactly all the data: 16 bytes of 15, content empty: valid. */
        memset(pad, 15, 16);
        frag = build_etm(s, 4, hdr, iv, p, 0, pad, 16, buf);
        EXPECT_EQ(lt_rc_open(dec, 4, hdr, buf, frag, &type, &out, &out_len), LT_OK);
        EXPECT_EQ(out_len, 0);
        if (lt_test_current_failed) {
            fprintf(stderr, "  (%s)\n", s->name);
        }
        lt_rc_free(dec);
    }
}

/* Public lengths: IV + one block + MAC at least, whole blocks, the
 * TLS 1.2 ciphertext limit. */
static void test_lengths(void)
{
    for (size_t si = 0; si < NSUITES; si++) {
        const suite *s = &suites[si];
        size_t mac_len = lt_mac_key_len(s->m);
        lt_rc *dec = make(s, 1, 0);
        uint8_t hdr[5] = {23, 3, 3, 0, 0}, type = 0, *out = NULL;
        size_t out_len = 0;
        memset(buf, 0x42, sizeof(buf));
        EXPECT_EQ(lt_rc_open(dec, 0, hdr, buf, 0, &type, &out, &out_len), LT_ERR_BAD_RECORD_MAC);
        EXPECT_EQ(lt_rc_open(dec, 0, hdr, buf, 16 + mac_len, &type, &out, &out_len), LT_ERR_BAD_RECORD_MAC);
        EXPECT_EQ(lt_rc_open(dec, 0, hdr, buf, 31 + mac_len, &type, &out, &out_len), LT_ERR_BAD_RECORD_MAC);
        EXPECT_EQ(lt_rc_open(dec, 0, hdr, buf, 33 + mac_len, &type, &out, &out_len), LT_ERR_BAD_RECORD_MAC);
        EXPECT_EQ(lt_rc_open(dec, 0, hdr, buf, 32 + mac_len, &type, &out, &out_len), LT_ERR_BAD_RECORD_MAC);
        EXPECT_EQ(lt_rc_open(dec, 0, hdr, buf, LT_MAX_CIPHERTEXT_TLS12 + 1, &type, &out, &out_len),
                  LT_ERR_RECORD_OVERFLOW);
        lt_rc_free(dec);
    }
}

/* The two CBC schemes are different wire formats: neither opens the
 * other's records. */
static void test_mte_and_etm_differ(void)
{
    for (size_t si = 0; si < NSUITES; si++) {
        const suite *s = &suites[si];
        lt_rc *etm_enc = make(s, 1, 1), *etm_dec = make(s, 1, 0);
        lt_rc *mte_enc = make(s, 0, 1), *mte_dec = make(s, 0, 0);
        uint8_t hdr[5] = {23, 3, 3, 0, 0}, type = 0, *out = NULL;
        size_t frag = 0, out_len = 0;
        fill(pt, 100, 1);
        EXPECT_EQ(lt_rc_seal_from(etm_enc, 1, 23, hdr, buf, pt, 100, &frag), LT_OK);
        EXPECT_EQ(lt_rc_open(mte_dec, 1, hdr, buf, frag, &type, &out, &out_len), LT_ERR_BAD_RECORD_MAC);
        EXPECT_EQ(lt_rc_seal_from(mte_enc, 1, 23, hdr, buf, pt, 100, &frag), LT_OK);
        EXPECT_EQ(lt_rc_open(etm_dec, 1, hdr, buf, frag, &type, &out, &out_len), LT_ERR_BAD_RECORD_MAC);
        lt_rc_free(etm_enc);
        lt_rc_free(etm_dec);
        lt_rc_free(mte_enc);
        lt_rc_free(mte_dec);
    }
}

/* One object, many records; a failure in the middle does not poison it. */
static void test_many_records(void)
{
    const suite *s = &suites[2];
    lt_rc *enc = make(s, 1, 1), *dec = make(s, 1, 0);
    for (uint64_t seq = 0; seq < 300; seq++) {
        uint8_t hdr[5] = {23, 3, 3, 0, 0}, type = 0, *out = NULL;
        size_t n = (size_t)(seq * 53 % 900), frag = 0, out_len = 0;
        fill(pt, n, (unsigned)seq);
        EXPECT_EQ(lt_rc_seal_from(enc, seq, 23, hdr, buf, pt, n, &frag), LT_OK);
        if (seq == 150) {
            buf[frag - 1] ^= 1;
            EXPECT_EQ(lt_rc_open(dec, seq, hdr, buf, frag, &type, &out, &out_len), LT_ERR_BAD_RECORD_MAC);
            continue;
        }
        EXPECT_EQ(lt_rc_open(dec, seq, hdr, buf, frag, &type, &out, &out_len), LT_OK);
        EXPECT(out_len == n && (n == 0 || memcmp(out, pt, n) == 0));
        if (lt_test_current_failed) {
            break;
        }
    }
    lt_rc_free(enc);
    lt_rc_free(dec);
}

int main(void)
{
    init_keys();
    LT_RUN(test_known_answer_and_round_trip);
    LT_RUN(test_tamper);
    LT_RUN(test_padding);
    LT_RUN(test_lengths);
    LT_RUN(test_mte_and_etm_differ);
    LT_RUN(test_many_records);
    return lt_test_summary();
}
