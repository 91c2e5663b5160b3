/*
 * Keys, chains and RSA key transport (RFC 5246 7.4.7.1), including the
 * Bleichenbacher countermeasure: every bad input yields a random premaster
 * secret and LT_OK.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "crypto/crypto.h"
#include "lucidtls/lucidtls_demo.h"
#include "test.h"

static lt_demo_pki pki;
static lt_pkey *key;   /* server private key */
static lt_chain chain; /* server chain */
static lt_pkey *pub;   /* server public key, from the verified chain */

static void setup(void)
{
    lt_trust *t;
    lt_cert_report rep;
    EXPECT_EQ(lt_demo_pki_make(&pki, "localhost"), LT_OK);
    EXPECT_EQ(lt_pkey_from_pem(pki.key_pem, strlen(pki.key_pem), &key), LT_OK);
    EXPECT_EQ(lt_chain_from_pem(pki.chain_pem, strlen(pki.chain_pem), &chain), LT_OK);
    t = lt_trust_new();
    EXPECT_EQ(lt_trust_add_pem(t, pki.ca_pem, strlen(pki.ca_pem)), LT_OK);
    EXPECT_EQ(lt_verify_chain(t, (const uint8_t *const *)chain.der, chain.len, chain.n, "localhost",
                              LT_SECLEVEL_DEFAULT, &rep, &pub),
              LT_OK);
    lt_trust_free(t);
}

static void test_keys_and_chain(void)
{
    lt_pkey *bad = NULL;
    lt_chain c2;
    const char *junk = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n";

    EXPECT(lt_pkey_is_rsa(key));
    EXPECT_EQ(lt_pkey_bits(key), 2048);
    EXPECT_EQ(chain.n, 2);
    EXPECT(lt_pkey_matches_cert(key, chain.der[0], chain.len[0]) == 1);
    EXPECT(lt_pkey_matches_cert(key, chain.der[1], chain.len[1]) == 0); /* the CA's key is another key */
    EXPECT(lt_pkey_matches_cert(key, (const uint8_t *)"junk", 4) == 0);

    EXPECT_EQ(lt_pkey_from_pem(junk, strlen(junk), &bad), LT_ERR_CONFIG);
    EXPECT(bad == NULL);
    EXPECT_EQ(lt_pkey_from_pem("", 0, &bad), LT_ERR_CONFIG);

    /* No CERTIFICATE block at all. */
    EXPECT_EQ(lt_chain_from_pem(pki.key_pem, strlen(pki.key_pem), &c2), LT_ERR_CONFIG);
    EXPECT_EQ(c2.n, 0);
    /* A key block mixed in is skipped; order is kept. */
    {
        size_t a = strlen(pki.key_pem), b = strlen(pki.chain_pem);
        char *mix = malloc(a + b + 1);
        memcpy(mix, pki.key_pem, a);
        memcpy(mix + a, pki.chain_pem, b + 1);
        EXPECT_EQ(lt_chain_from_pem(mix, a + b, &c2), LT_OK);
        EXPECT_EQ(c2.n, 2);
        if (c2.n == 2) {
            EXPECT_EQ(c2.len[0], chain.len[0]);
            EXPECT_MEM(c2.der[0], chain.der[0], chain.len[0]);
            EXPECT_MEM(c2.der[1], chain.der[1], chain.len[1]);
        }
        lt_chain_clear(&c2);
        free(mix);
    }
}

static void test_rsa_round_trip(void)
{
    uint8_t pms[48], got[48], enc[512];
    size_t enc_len = 0, i;
    pms[0] = 0x03;
    pms[1] = 0x03;
    for (i = 2; i < 48; i++) {
        pms[i] = (uint8_t)(i * 13);
    }
    EXPECT_EQ(lt_rsa_encrypt_pms(pub, pms, enc, sizeof(enc), &enc_len), LT_OK);
    EXPECT_EQ(enc_len, 256);
    EXPECT_EQ(lt_rsa_decrypt_pms(key, enc, enc_len, 0x0303, got), LT_OK);
    EXPECT_MEM(got, pms, 48);

    /* Too small an output buffer is our bug, not the peer's. */
    EXPECT(lt_rsa_encrypt_pms(pub, pms, enc, 100, &enc_len) < 0);
}

/* Encrypt an arbitrary plaintext with PKCS#1 v1.5 directly. */
static size_t raw_encrypt(const uint8_t *pt, size_t n, uint8_t *out)
{
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, (EVP_PKEY *)pub, NULL);
    size_t outlen = 512;
    EXPECT(EVP_PKEY_encrypt_init(ctx) == 1);
    EXPECT(EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) == 1);
    EXPECT(EVP_PKEY_encrypt(ctx, out, &outlen, pt, n) == 1);
    EVP_PKEY_CTX_free(ctx);
    return outlen;
}

static void test_rsa_wrong_version(void)
{
    uint8_t pms[48], got[48], got2[48], enc[512];
    size_t enc_len, i;
    for (i = 0; i < 48; i++) {
        pms[i] = (uint8_t)(0x40 + i);
    }
    /* RFC 5246 7.4.7.1: the first two bytes are client_version. */
    pms[0] = 0x03;
    pms[1] = 0x01;
    enc_len = raw_encrypt(pms, 48, enc);
    EXPECT_EQ(lt_rsa_decrypt_pms(key, enc, enc_len, 0x0303, got), LT_OK);
    EXPECT(memcmp(got, pms, 48) != 0);
    EXPECT_EQ(lt_rsa_decrypt_pms(key, enc, enc_len, 0x0303, got2), LT_OK);
    EXPECT(memcmp(got, got2, 48) != 0);
    /* With the matching client_version it is the real secret. */
    EXPECT_EQ(lt_rsa_decrypt_pms(key, enc, enc_len, 0x0301, got), LT_OK);
    EXPECT_MEM(got, pms, 48);

    /* Right version, wrong length (47 bytes): random. */
    pms[1] = 0x03;
    enc_len = raw_encrypt(pms, 47, enc);
    EXPECT_EQ(lt_rsa_decrypt_pms(key, enc, enc_len, 0x0303, got), LT_OK);
    EXPECT(memcmp(got, pms, 47) != 0);
}

static void test_rsa_garbage(void)
{
    uint8_t enc[256], got[48], got2[48], zero[48] = {0};
    size_t i;
    for (i = 0; i < sizeof(enc); i++) {
        enc[i] = (uint8_t)(i * 7 + 3);
    }
    enc[0] = 0x00; /* below the modulus */
    EXPECT_EQ(lt_rsa_decrypt_pms(key, enc, sizeof(enc), 0x0303, got), LT_OK);
    EXPECT_EQ(lt_rsa_decrypt_pms(key, enc, sizeof(enc), 0x0303, got2), LT_OK);
    EXPECT(memcmp(got, got2, 48) != 0);
    EXPECT(memcmp(got, zero, 48) != 0);

    /* Not below the modulus (all 0xff): still LT_OK and random. */
    memset(enc, 0xff, sizeof(enc));
    EXPECT_EQ(lt_rsa_decrypt_pms(key, enc, sizeof(enc), 0x0303, got), LT_OK);
    EXPECT_EQ(lt_rsa_decrypt_pms(key, enc, sizeof(enc), 0x0303, got2), LT_OK);
    EXPECT(memcmp(got, got2, 48) != 0);
}

static void test_rsa_wrong_length(void)
{
    uint8_t pms[48] = {3, 3}, got[48], got2[48], enc[512];
    size_t enc_len = 0;
    EXPECT_EQ(lt_rsa_encrypt_pms(pub, pms, enc, sizeof(enc), &enc_len), LT_OK);
    EXPECT_EQ(lt_rsa_decrypt_pms(key, enc, enc_len - 1, 0x0303, got), LT_OK);
    EXPECT_EQ(lt_rsa_decrypt_pms(key, enc, enc_len - 1, 0x0303, got2), LT_OK);
    EXPECT(memcmp(got, got2, 48) != 0);
    EXPECT(memcmp(got, pms, 48) != 0);
    EXPECT_EQ(lt_rsa_decrypt_pms(key, enc, 0, 0x0303, got), LT_OK);
    EXPECT_EQ(lt_rsa_decrypt_pms(key, NULL, 0, 0x0303, got), LT_OK);
    enc[256] = 0;
    EXPECT_EQ(lt_rsa_decrypt_pms(key, enc, 257, 0x0303, got), LT_OK);
}

int main(void)
{
    setup();
    LT_RUN(test_keys_and_chain);
    LT_RUN(test_rsa_round_trip);
    LT_RUN(test_rsa_wrong_version);
    LT_RUN(test_rsa_garbage);
    LT_RUN(test_rsa_wrong_length);
    lt_pkey_free(key);
    lt_pkey_free(pub);
    lt_chain_clear(&chain);
    lt_demo_pki_free(&pki);
    return lt_test_summary();
}
