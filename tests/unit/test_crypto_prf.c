/*
 * TLS 1.2 PRF (RFC 5246 5) and hashes.
 *
 * Oracles: the P_SHA256 / P_SHA384 "test label" vectors posted to the IETF
 * TLS list (mail-archive/web/tls/current/msg03416.html, reproduced in GnuTLS,
 * Go and other test suites), and P_hash computed here by hand from HMAC.
 */
#include <stdint.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "crypto/crypto.h"
#include "test.h"

static void test_prf_sha256_vector(void)
{
    uint8_t secret[16], seed[16], want[100], out[100];
    size_t sl = lt_test_unhex("9bbe436ba940f017b17652849a71db35", secret, sizeof(secret));
    size_t dl = lt_test_unhex("a0ba9f936cda311827a6f796ffd5198c", seed, sizeof(seed));
    size_t wl = lt_test_unhex("e3f229ba727be17b8d122620557cd453c2aab21d07c3d495329b52d4e61edb5a"
                              "6b301791e90d35c9c9a46b4e14baf9af0fa022f7077def17abfd3797c0564bab"
                              "4fbc91666e9def9b97fce34f796789baa48082d122ee42c5a72e5a5110fff701"
                              "87347b66",
                              want, sizeof(want));
    EXPECT_EQ(sl, 16);
    EXPECT_EQ(dl, 16);
    EXPECT_EQ(wl, 100);
    EXPECT_EQ(lt_tls12_prf(LT_HASH_SHA256, secret, sl, "test label", seed, dl, NULL, 0, out, 100), LT_OK);
    EXPECT_MEM(out, want, 100);

    /* seed split across seed1 and seed2 must not change anything. */
    memset(out, 0, sizeof(out));
    EXPECT_EQ(lt_tls12_prf(LT_HASH_SHA256, secret, sl, "test label", seed, 5, seed + 5, 11, out, 100), LT_OK);
    EXPECT_MEM(out, want, 100);

    /* A shorter output is a prefix (P_hash is a stream). */
    memset(out, 0, sizeof(out));
    EXPECT_EQ(lt_tls12_prf(LT_HASH_SHA256, secret, sl, "test label", seed, dl, NULL, 0, out, 13), LT_OK);
    EXPECT_MEM(out, want, 13);
}

static void test_prf_sha384_vector(void)
{
    uint8_t secret[16], seed[16], want[148], out[148];
    size_t sl = lt_test_unhex("b80b733d6ceefcdc71566ea48e5567df", secret, sizeof(secret));
    size_t dl = lt_test_unhex("cd665cf6a8447dd6ff8b27555edb7465", seed, sizeof(seed));
    size_t wl = lt_test_unhex("7b0c18e9ced410ed1804f2cfa34a336a1c14dffb4900bb5fd7942107e81c83cd"
                              "e9ca0faa60be9fe34f82b1233c9146a0e534cb400fed2700884f9dc236f80edd"
                              "8bfa961144c9e8d792eca722a7b32fc3d416d473ebc2c5fd4abfdad05d918425"
                              "9b5bf8cd4d90fa0d31e2dec479e4f1a26066f2eea9a69236a3e52655c9e9aee6"
                              "91c8f3a26854308d5eaa3be85e0990703d73e56f",
                              want, sizeof(want));
    EXPECT_EQ(wl, 148);
    EXPECT_EQ(lt_tls12_prf(LT_HASH_SHA384, secret, sl, "test label", seed, 8, seed + 8, dl - 8, out, 148), LT_OK);
    EXPECT_MEM(out, want, 148);
}

/* HMAC with libcrypto directly: the test's own oracle. */
static size_t hmac(const char *digest, const uint8_t *key, size_t klen, const uint8_t *a, size_t alen, const uint8_t *b,
                   size_t blen, uint8_t *out)
{
    EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    EVP_MAC_CTX *ctx = EVP_MAC_CTX_new(mac);
    OSSL_PARAM params[2];
    size_t outl = 0;
    params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)digest, 0);
    params[1] = OSSL_PARAM_construct_end();
    EVP_MAC_init(ctx, key, klen, params);
    EVP_MAC_update(ctx, a, alen);
    if (blen > 0) {
        EVP_MAC_update(ctx, b, blen);
    }
    EVP_MAC_final(ctx, out, &outl, 64);
    EVP_MAC_CTX_free(ctx);
    EVP_MAC_free(mac);
    return outl;
}

/* RFC 5246 5: P_hash(secret, seed) = HMAC(secret, A(1) + seed) + HMAC(secret,
 * A(2) + seed) + ..., A(0) = seed, A(i) = HMAC(secret, A(i-1)). */
static void p_hash(const char *digest, const uint8_t *secret, size_t slen, const uint8_t *seed, size_t seedlen,
                   uint8_t *out, size_t outlen)
{
    uint8_t a[64], block[64];
    size_t hl = hmac(digest, secret, slen, seed, seedlen, NULL, 0, a); /* A(1) */
    size_t done = 0;
    while (done < outlen) {
        size_t n;
        hmac(digest, secret, slen, a, hl, seed, seedlen, block);
        n = outlen - done < hl ? outlen - done : hl;
        memcpy(out + done, block, n);
        done += n;
        hmac(digest, secret, slen, a, hl, NULL, 0, a); /* A(i+1) */
    }
}

static void test_prf_by_hand(void)
{
    static const struct {
        lt_hash_alg alg;
        const char *digest;
    } cases[] = {{LT_HASH_SHA256, "SHA256"}, {LT_HASH_SHA384, "SHA384"}, {LT_HASH_SHA1, "SHA1"}};
    uint8_t secret[48], r1[32], r2[32], seed[128];
    const char *label = "key expansion";
    size_t i;

    for (i = 0; i < sizeof(secret); i++) {
        secret[i] = (uint8_t)(i * 7 + 1);
    }
    for (i = 0; i < 32; i++) {
        r1[i] = (uint8_t)(0xa0 + i);
        r2[i] = (uint8_t)(0x30 ^ i);
    }
    memcpy(seed, label, strlen(label));
    memcpy(seed + strlen(label), r1, 32);
    memcpy(seed + strlen(label) + 32, r2, 32);

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        uint8_t want[200], got[200];
        p_hash(cases[i].digest, secret, sizeof(secret), seed, strlen(label) + 64, want, sizeof(want));
        EXPECT_EQ(lt_tls12_prf(cases[i].alg, secret, sizeof(secret), label, r1, 32, r2, 32, got, sizeof(got)), LT_OK);
        EXPECT_MEM(got, want, sizeof(want));
    }
}

static void test_prf_bad_args(void)
{
    uint8_t out[16];
    EXPECT(lt_tls12_prf((lt_hash_alg)99, (const uint8_t *)"k", 1, "l", NULL, 0, NULL, 0, out, 16) < 0);
    EXPECT(lt_tls12_prf(LT_HASH_SHA256, (const uint8_t *)"k", 1, NULL, NULL, 0, NULL, 0, out, 16) < 0);
}

static void test_hash(void)
{
    /* FIPS 180-2 "abc" digests. */
    uint8_t want[48], out[48], peek[48];
    size_t n = 0;
    lt_hash *h;

    EXPECT_EQ(lt_hash_len(LT_HASH_SHA1), 20);
    EXPECT_EQ(lt_hash_len(LT_HASH_SHA256), 32);
    EXPECT_EQ(lt_hash_len(LT_HASH_SHA384), 48);
    EXPECT(strcmp(lt_hash_name(LT_HASH_SHA256), "SHA-256") == 0);

    lt_test_unhex("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", want, sizeof(want));
    EXPECT_EQ(lt_hash_oneshot(LT_HASH_SHA256, "abc", 3, out, &n), LT_OK);
    EXPECT_EQ(n, 32);
    EXPECT_MEM(out, want, 32);

    h = lt_hash_new(LT_HASH_SHA256);
    EXPECT(h != NULL);
    EXPECT_EQ(lt_hash_update(h, "a", 1), LT_OK);
    EXPECT_EQ(lt_hash_update(h, "bc", 2), LT_OK);
    EXPECT_EQ(lt_hash_peek(h, peek, &n), LT_OK);
    EXPECT_MEM(peek, want, 32);
    /* Peeking does not end the running hash. */
    EXPECT_EQ(lt_hash_update(h, "d", 1), LT_OK);
    EXPECT_EQ(lt_hash_peek(h, peek, &n), LT_OK);
    EXPECT_EQ(lt_hash_oneshot(LT_HASH_SHA256, "abcd", 4, out, &n), LT_OK);
    EXPECT_MEM(peek, out, 32);
    lt_hash_free(h);

    lt_test_unhex("cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed"
                  "8086072ba1e7cc2358baeca134c825a7",
                  want, sizeof(want));
    EXPECT_EQ(lt_hash_oneshot(LT_HASH_SHA384, "abc", 3, out, &n), LT_OK);
    EXPECT_EQ(n, 48);
    EXPECT_MEM(out, want, 48);
}

static void test_util(void)
{
    uint8_t a[8] = {1, 2, 3, 4, 5, 6, 7, 8}, b[8] = {1, 2, 3, 4, 5, 6, 7, 8}, r1[32], r2[32];
    char err[128];
    EXPECT(lt_ct_eq(a, b, 8));
    b[7] ^= 1;
    EXPECT(!lt_ct_eq(a, b, 8));
    lt_wipe(a, sizeof(a));
    EXPECT(a[0] == 0 && a[7] == 0);
    EXPECT_EQ(lt_random(r1, sizeof(r1)), LT_OK);
    EXPECT_EQ(lt_random(r2, sizeof(r2)), LT_OK);
    EXPECT(memcmp(r1, r2, sizeof(r1)) != 0);
    lt_crypto_last_error(err, sizeof(err));
    EXPECT(err[0] != '\0');
}

static void fixed_rng(void *arg, uint8_t *buf, size_t n)
{
    memset(buf, *(int *)arg, n);
}

static void test_rng_hook(void)
{
    int v = 0x5a;
    uint8_t r[16];
    lt_test_set_rng(fixed_rng, &v);
    EXPECT_EQ(lt_random(r, sizeof(r)), LT_OK);
    EXPECT(r[0] == 0x5a && r[15] == 0x5a);
    lt_test_set_rng(NULL, NULL);
    EXPECT_EQ(lt_random(r, sizeof(r)), LT_OK);
}

int main(void)
{
    LT_RUN(test_prf_sha256_vector);
    LT_RUN(test_prf_sha384_vector);
    LT_RUN(test_prf_by_hand);
    LT_RUN(test_prf_bad_args);
    LT_RUN(test_hash);
    LT_RUN(test_util);
    LT_RUN(test_rng_hook);
    return lt_test_summary();
}
