/*
 * Constant flow of RSA key transport on the server (RFC 5246 7.4.7.1,
 * Bleichenbacher) and of the key schedule that consumes its result.
 *
 * Part 1: for a valid EncryptedPreMasterSecret and for every kind of bad one
 * (bad block type, zero in the padding string, no separator, wrong length
 * of the secret, wrong version, not below the modulus, wrong length), the
 * pre-master secret lt_rsa_decrypt_pms returns is marked secret at once and
 * run through the key schedule: lt_ks12_master_secret (RFC 5246 8.1 and
 * RFC 7627 extended master secret) and lt_ks12_key_block for every suite.
 * No branch and no memory index on it anywhere, in our code or in
 * libcrypto's TLS1-PRF.
 *
 * Part 2: the ciphertexts of the bad-padding cases are marked secret
 * before lt_rsa_decrypt_pms. See openssl.supp: libcrypto's bignum code
 * branches on the (public) ciphertext value before blinding; what must be
 * clean is our function and the provider's padding check
 * (ossl_rsa_padding_check_PKCS1_type_2_TLS), and lt_rsa_decrypt_pms must
 * take the same path and return LT_OK whatever the padding.
 *
 * The key is a fixed 2048-bit test key (made once with openssl genpkey):
 * key generation under valgrind would take longer than the test.
 */
#include <stdint.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "crypto/crypto.h"
#include "ct_util.h"
#include "hs/keysched12.h"
#include "hs/suites.h"
#include "test.h"

static const char TEST_KEY_PEM[] = "-----BEGIN PRIVATE KEY-----\n"
                                   "MIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQDWOFPpbB+FNYuJ\n"
                                   "8fwS8JiA4x4bjhiZOOlUign7smQa2oegwWAykebH/g5OXHdCDoaQ1pwhOYyk9JY4\n"
                                   "dDlzq9fS0sLoUZ0QQTsCUzlmkbmsF10d5xbkSJmmgsq4hzz6SeGZNnFqNoWZZsY9\n"
                                   "GtZOxlcviSEEcfBL90/thqpJKZJuk32y7fdfPwkzXklAnJoSBvR6GV3eCQZiK2UI\n"
                                   "f7CgVrvOHha54hM45KNhpF2CyQP2IIUekdsSmZS+AFKBqg2zJ7UN+pqrwPb9DoYz\n"
                                   "x8huodpPz4AU0V9h7UItT+6M3xP1rxGzEvqn2ZG8YSFLNNY0PwjYu3eTUTkCzkzB\n"
                                   "oEe4AwFvAgMBAAECggEAFHLsD6wylhS2bUScO3KcHDGR/i9iSb4VB+zlZxFwXN/f\n"
                                   "cokDFdC3pv+pffF1sOiSD+Fspf9IXba7YEg388LDp2xXDrY7uAGCEIbBQ/lFMBhK\n"
                                   "2z/j/4aupCZ4E4VVXM8Qqf94dBsgRbR51/tn2b01NWRxsmrt9VJ2XsYsGy/MuqFM\n"
                                   "6KQSGxDl/SoadYYKbn3iVGsFYwgk1+QPsFxAH4XLmtWbgQwAC11xeW23a7pgb+LN\n"
                                   "iJsLJqABnt41+zp6og+RdXLmu26Y4WJFu6CUG//Loxlab8e11YgC+MDNe3L5Fhr0\n"
                                   "6sSsuQUNjBrDCfTSlOJbmC24D3Uglwuvj3kTJt2nAQKBgQD3AVotpy/x2OjUD/iA\n"
                                   "yXak8Nc6pWRmirUQIZUN55e7iNNYMBb1WGBRtVvqjpUXdDFVI9YpxXN+5y+mLXDL\n"
                                   "j62dbK0z5p1OFPZ5x7paicEXv0WYoK7ahRNb2PvVjL9+DMAIRotWBS8XfrlHUh6C\n"
                                   "KAqOrsyFtCxpERW7fhYZECUGWQKBgQDeBVfEhDZU+jWjCVYwA3oEJdj6tSShJlIC\n"
                                   "4TCsD5VMMZm1GYb63/cGwJzf6FgXTMS8R6P38a890uTFei3jWBe9EmR5K7bMQ0zK\n"
                                   "YVGIOS20smFpXxh34YW/A6Rf3WdrorZHY6A3Y70yLErqJfEmeVfQKD4oVHSwBNxO\n"
                                   "rehbLg3dBwKBgGhrKO0txUXvFZY4XixLfp2Btury6juzHZIBMFrdcbZ0xCt+wOXd\n"
                                   "A3LnQUEqH3r3wrckXC/yab3XC7yrbwiO560qORo8vnk4wW1/8pa9r2RTlp9MJj74\n"
                                   "jNOCKgv/4R/vUertr4+gx2SeTMMKwxzwwm3JFWrcXP3ZnB9T0RGtUomZAoGBANhv\n"
                                   "PPBGMvEEOeWF5I9J1FjWzH8at2qhgLFt9ZTGXDS65ay2Be/rBVV/z243gii0ndUt\n"
                                   "wZqj8MHEJWCdir5l0j5u/6NgCgN2WBWyaVjy5KuSeYPPQHsdTtS3KDaMD5XOOQO/\n"
                                   "CyD0CiwvIZjBBCUNhZ1WncGTE23ET0AkKK86ZilhAoGBALwbHvyMD5oe8fVU6/8S\n"
                                   "6DyQXNPydRdf+M1zP6ZOQF6av/dbJYf7RirF+L3mVQmX+69qDMutb6xyRcJ5uG9q\n"
                                   "0ScQkSh/iVLsXt3Gc3berNiRtNlEnOwzL9wQAdsmIArCrC2UCCNtPn0pw1zZZl5c\n"
                                   "rhu/3rLTcesBpN9z5iLTq45M\n"
                                   "-----END PRIVATE KEY-----\n";

#define MODLEN 256
#define CV 0x0303

static lt_pkey *key;

/* Raw RSA (no padding) of a 256-byte block with the public half of key. */
static void raw_encrypt(const uint8_t em[MODLEN], uint8_t out[MODLEN])
{
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, (EVP_PKEY *)key, NULL);
    size_t outlen = MODLEN;
    EXPECT(ctx != NULL);
    EXPECT(EVP_PKEY_encrypt_init(ctx) == 1);
    EXPECT(EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_NO_PADDING) == 1);
    EXPECT(EVP_PKEY_encrypt(ctx, out, &outlen, em, MODLEN) == 1);
    EXPECT_EQ(outlen, MODLEN);
    EVP_PKEY_CTX_free(ctx);
}

/* The cases: a well-formed block, then one flaw each. */
enum {
    C_VALID,
    C_BAD_BYTE0,
    C_BAD_BLOCK_TYPE,
    C_ZERO_IN_PS,
    C_NO_SEPARATOR,
    C_SHORT_SECRET, /* separator early: 49-byte message */
    C_LONG_SECRET,  /* separator late: 47-byte message */
    C_BAD_VERSION,
    C_OLD_VERSION, /* 0x0301: RFC 5246 says check ClientHello.client_version */
    C_N_CASES
};

static const uint8_t PMS_BODY[46] = {0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc,
                                     0xdd, 0xee, 0xf0, 0x01, 0x12, 0x23, 0x34, 0x45, 0x56, 0x67, 0x78, 0x89,
                                     0x9a, 0xab, 0xbc, 0xcd, 0xde, 0xef, 0xf1, 0x02, 0x13, 0x24, 0x35, 0x46,
                                     0x57, 0x68, 0x79, 0x8a, 0x9b, 0xac, 0xbd, 0xce, 0xdf, 0xe0};

/* EM = 00 02 PS(nonzero) 00 version(2) random(46), then the flaw. */
static void make_case(int c, uint8_t ct[MODLEN])
{
    uint8_t em[MODLEN];
    size_t i, sep = MODLEN - 49;
    for (i = 0; i < MODLEN; i++) {
        em[i] = (uint8_t)(0x31 + (i * 17) % 200); /* never zero */
    }
    em[0] = 0x00;
    em[1] = 0x02;
    em[sep] = 0x00;
    em[sep + 1] = CV >> 8;
    em[sep + 2] = CV & 0xff;
    memcpy(em + sep + 3, PMS_BODY, sizeof(PMS_BODY));
    switch (c) {
    case C_BAD_BYTE0: em[0] = 0x01; break;
    case C_BAD_BLOCK_TYPE: em[1] = 0x01; break;
    case C_ZERO_IN_PS: em[40] = 0x00; break;
    case C_NO_SEPARATOR: em[sep] = 0x5a; break;
    case C_SHORT_SECRET:
        em[sep] = 0x5a;
        em[sep - 1] = 0x00;
        break;
    case C_LONG_SECRET: em[sep + 1] = 0x00; break;
    case C_BAD_VERSION: em[sep + 2] = 0x02; break;
    case C_OLD_VERSION: em[sep + 2] = 0x01; break;
    default: break;
    }
    raw_encrypt(em, ct);
}

/* The key schedule on a secret pre-master secret, for every suite. */
static void derive_all(uint8_t pms[LT_PMS_LEN])
{
    static const uint8_t cr[32] = {1, 2, 3}, sr[32] = {4, 5, 6}, session_hash[48] = {7, 8, 9};
    uint8_t ms[LT_MASTER_SECRET_LEN];
    size_t i;
    int ems;

    for (ems = 0; ems <= 1; ems++) {
        for (i = 0;; i++) {
            const lt_suite *s = lt_suite_at(i);
            lt_key_block kb;
            if (s == NULL) {
                break;
            }
            EXPECT_EQ(
                lt_ks12_master_secret(s->prf_hash, pms, 48, ems, session_hash, lt_hash_len(s->prf_hash), cr, sr, ms),
                LT_OK);
            EXPECT_EQ(lt_ks12_key_block(s, ms, cr, sr, &kb), LT_OK);
            if (ct_negative_mode()) {
                /* The master secret and key block came out of the PRF
                 * still secret: branching on them must be caught. */
                ct_leak_branch(ms);
                ct_leak_branch(kb.client_key);
            }
        }
    }
}

static void test_pms_then_key_schedule(void)
{
    uint8_t ct[MODLEN], pms[LT_PMS_LEN];
    int c;
    for (c = 0; c < C_N_CASES; c++) {
        make_case(c, ct);
        EXPECT_EQ(lt_rsa_decrypt_pms(key, ct, MODLEN, CV, pms), LT_OK);
        /* Public check that the countermeasure works: only the valid case
         * yields the secret we encrypted (on a copy, before marking). */
        EXPECT_EQ(memcmp(pms + 2, PMS_BODY, sizeof(PMS_BODY)) == 0, c == C_VALID);
        LT_CF_SECRET(pms, sizeof(pms));
        derive_all(pms);
    }
    /* Publicly bad inputs: wrong length, value not below the modulus. */
    memset(ct, 0xff, sizeof(ct));
    EXPECT_EQ(lt_rsa_decrypt_pms(key, ct, MODLEN - 1, CV, pms), LT_OK);
    LT_CF_SECRET(pms, sizeof(pms));
    derive_all(pms);
    EXPECT_EQ(lt_rsa_decrypt_pms(key, ct, MODLEN, CV, pms), LT_OK);
    LT_CF_SECRET(pms, sizeof(pms));
    derive_all(pms);
}

static void test_secret_ciphertext(void)
{
    uint8_t ct[MODLEN], pms[LT_PMS_LEN];
    int c;
    for (c = 0; c < C_N_CASES; c++) {
        make_case(c, ct);
        LT_CF_SECRET(ct, sizeof(ct));
        EXPECT_EQ(lt_rsa_decrypt_pms(key, ct, MODLEN, CV, pms), LT_OK);
        if (ct_negative_mode()) {
            ct_leak_branch(pms);
        }
        LT_CF_PUBLIC(pms, sizeof(pms));
        EXPECT_EQ(memcmp(pms + 2, PMS_BODY, sizeof(PMS_BODY)) == 0, c == C_VALID);
    }
}

int main(void)
{
    EXPECT_EQ(lt_pkey_from_pem(TEST_KEY_PEM, sizeof(TEST_KEY_PEM) - 1, &key), LT_OK);
    if (key == NULL) {
        return 1;
    }
    LT_RUN(test_pms_then_key_schedule);
    LT_RUN(test_secret_ciphertext);
    lt_pkey_free(key);
    return lt_test_summary();
}
