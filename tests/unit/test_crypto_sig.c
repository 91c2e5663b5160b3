/*
 * Signatures (src/crypto/sig.c) and the EC key helpers of pkey.c: every
 * scheme signs and verifies with keys and certificates from
 * tests/harness/certs.c; tampered messages and signatures are decrypt_error;
 * a scheme that does not fit the key is refused; PSS uses exactly a
 * hash-length salt and MGF1 with the same hash (RFC 8446 4.2.3), checked
 * with libcrypto called directly and with the openssl command-line tool, an
 * implementation that shares none of our code: it verifies our signatures
 * and we verify its.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "certs.h"
#include "crypto/crypto.h"
#include "test.h"

static const uint16_t RSA_SCHEMES[] = {LT_SIG_RSA_PKCS1_SHA256,    LT_SIG_RSA_PKCS1_SHA384,
                                       LT_SIG_RSA_PKCS1_SHA512,    LT_SIG_RSA_PSS_RSAE_SHA256,
                                       LT_SIG_RSA_PSS_RSAE_SHA384, LT_SIG_RSA_PSS_RSAE_SHA512};
#define N_RSA (sizeof(RSA_SCHEMES) / sizeof(RSA_SCHEMES[0]))

static const uint8_t MSG[] = "ServerKeyExchange: client_random || server_random || ServerECDHParams";

/* The keys most tests use, made once: RSA-2048, P-256, P-384 server PKIs. */
static tc_server_pki rsa_pki, p256_pki, p384_pki;
static lt_pkey *rsa, *p256, *p384; /* their private keys, through lt_pkey_from_pem */

static lt_pkey *load_key(const char *pem)
{
    lt_pkey *k = NULL;
    EXPECT(pem != NULL);
    if (pem != NULL) {
        EXPECT_EQ(lt_pkey_from_pem(pem, strlen(pem), &k), LT_OK);
    }
    return k;
}

static void setup(void)
{
    tc_server_pki_make(&rsa_pki, "RSA-2048", "RSA-2048", "localhost");
    tc_server_pki_make(&p256_pki, "RSA-2048", "P-256", "localhost");
    tc_server_pki_make(&p384_pki, "P-384", "P-384", "localhost");
    rsa = load_key(rsa_pki.key_pem);
    p256 = load_key(p256_pki.key_pem);
    p384 = load_key(p384_pki.key_pem);
}

static void teardown(void)
{
    lt_pkey_free(rsa);
    lt_pkey_free(p256);
    lt_pkey_free(p384);
    tc_server_pki_free(&rsa_pki);
    tc_server_pki_free(&p256_pki);
    tc_server_pki_free(&p384_pki);
}

/* The public half of a key, as a peer has it (from a certificate). */
static lt_pkey *public_of(EVP_PKEY *k)
{
    unsigned char *der = NULL;
    int n = i2d_PUBKEY(k, &der);
    const unsigned char *p = der;
    EVP_PKEY *pub = n > 0 ? d2i_PUBKEY(NULL, &p, n) : NULL;
    OPENSSL_free(der);
    EXPECT(pub != NULL);
    return (lt_pkey *)pub;
}

static void test_scheme_names(void)
{
    EXPECT(strcmp(lt_sig_scheme_name(LT_SIG_RSA_PKCS1_SHA256), "rsa_pkcs1_sha256") == 0);
    EXPECT(strcmp(lt_sig_scheme_name(LT_SIG_RSA_PKCS1_SHA384), "rsa_pkcs1_sha384") == 0);
    EXPECT(strcmp(lt_sig_scheme_name(LT_SIG_RSA_PKCS1_SHA512), "rsa_pkcs1_sha512") == 0);
    EXPECT(strcmp(lt_sig_scheme_name(LT_SIG_ECDSA_SECP256R1_SHA256), "ecdsa_secp256r1_sha256") == 0);
    EXPECT(strcmp(lt_sig_scheme_name(LT_SIG_ECDSA_SECP384R1_SHA384), "ecdsa_secp384r1_sha384") == 0);
    EXPECT(strcmp(lt_sig_scheme_name(LT_SIG_RSA_PSS_RSAE_SHA256), "rsa_pss_rsae_sha256") == 0);
    EXPECT(strcmp(lt_sig_scheme_name(LT_SIG_RSA_PSS_RSAE_SHA384), "rsa_pss_rsae_sha384") == 0);
    EXPECT(strcmp(lt_sig_scheme_name(LT_SIG_RSA_PSS_RSAE_SHA512), "rsa_pss_rsae_sha512") == 0);
    /* Schemes we do not implement. */
    EXPECT(lt_sig_scheme_name(0x0201) == NULL); /* rsa_pkcs1_sha1 */
    EXPECT(lt_sig_scheme_name(0x0203) == NULL); /* ecdsa_sha1 */
    EXPECT(lt_sig_scheme_name(0x0603) == NULL); /* ecdsa_secp521r1_sha512 */
    EXPECT(lt_sig_scheme_name(0x0807) == NULL); /* ed25519 */
    EXPECT(lt_sig_scheme_name(0x0809) == NULL); /* rsa_pss_pss_sha256 */
    EXPECT(lt_sig_scheme_name(0) == NULL);
}

static void test_ec_key_helpers(void)
{
    char desc[64];
    EXPECT(lt_pkey_is_ec(p256));
    EXPECT(lt_pkey_is_ec(p384));
    EXPECT(!lt_pkey_is_ec(rsa));
    EXPECT(!lt_pkey_is_ec(NULL));
    EXPECT(!lt_pkey_is_rsa(p256));
    EXPECT_EQ(lt_pkey_ec_group(p256), LT_GROUP_SECP256R1);
    EXPECT_EQ(lt_pkey_ec_group(p384), LT_GROUP_SECP384R1);
    EXPECT_EQ(lt_pkey_ec_group(rsa), 0);
    EXPECT_EQ(lt_pkey_ec_group(NULL), 0);
    EXPECT_EQ(lt_pkey_bits(p256), 256);
    EXPECT_EQ(lt_pkey_bits(p384), 384);
    lt_pkey_describe(p256, desc, sizeof desc);
    EXPECT(strcmp(desc, "EC P-256") == 0);
    lt_pkey_describe(p384, desc, sizeof desc);
    EXPECT(strcmp(desc, "EC P-384") == 0);

    /* Curves we have no scheme for. */
    EVP_PKEY *p521 = tc_ec_key("P-521"), *p224 = tc_ec_key("P-224");
    EXPECT(p521 != NULL && p224 != NULL);
    EXPECT(lt_pkey_is_ec((lt_pkey *)p521));
    EXPECT_EQ(lt_pkey_ec_group((lt_pkey *)p521), 0);
    EXPECT_EQ(lt_pkey_ec_group((lt_pkey *)p224), 0);
    EVP_PKEY_free(p521);
    EVP_PKEY_free(p224);

    /* P-256 spelled out as explicit parameters is not a named P-256 key
     * (RFC 8422 5.1.1 deprecates explicit curves). */
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
    EVP_PKEY *explicit_key = NULL;
    OSSL_PARAM params[3];
    params[0] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, "P-256", 0);
    params[1] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_EC_ENCODING, OSSL_PKEY_EC_ENCODING_EXPLICIT, 0);
    params[2] = OSSL_PARAM_construct_end();
    EXPECT(ctx != NULL && EVP_PKEY_keygen_init(ctx) == 1 && EVP_PKEY_CTX_set_params(ctx, params) == 1 &&
           EVP_PKEY_keygen(ctx, &explicit_key) == 1);
    EXPECT(lt_pkey_is_ec((lt_pkey *)explicit_key));
    EXPECT_EQ(lt_pkey_ec_group((lt_pkey *)explicit_key), 0);
    EXPECT(!lt_sig_scheme_fits_key(LT_SIG_ECDSA_SECP256R1_SHA256, (lt_pkey *)explicit_key));
    EVP_PKEY_free(explicit_key);
    EVP_PKEY_CTX_free(ctx);
}

/* lt_pkey_from_pem loads EC keys as PKCS#8 ("PRIVATE KEY") and as RFC 5915
 * ("EC PRIVATE KEY"): the same key either way. */
static void test_ec_pem_formats(void)
{
    const tc_server_pki *pkis[] = {&p256_pki, &p384_pki};
    for (size_t i = 0; i < 2; i++) {
        char *trad = tc_pem_of_key_traditional(pkis[i]->key);
        EXPECT(trad != NULL && strstr(trad, "-----BEGIN EC PRIVATE KEY-----") != NULL);
        EXPECT(strstr(pkis[i]->key_pem, "-----BEGIN PRIVATE KEY-----") != NULL);
        lt_pkey *a = load_key(pkis[i]->key_pem), *b = load_key(trad);
        EXPECT(EVP_PKEY_eq((EVP_PKEY *)a, (EVP_PKEY *)b) == 1);
        EXPECT_EQ(lt_pkey_ec_group(b), i == 0 ? LT_GROUP_SECP256R1 : LT_GROUP_SECP384R1);
        uint8_t *der = NULL;
        size_t n = tc_der_of(pkis[i]->leaf, &der);
        EXPECT(lt_pkey_matches_cert(b, der, n) == 1);
        OPENSSL_free(der);
        /* A key loaded from the traditional form signs; the PKCS#8 one's
         * public half verifies. */
        uint16_t scheme = i == 0 ? LT_SIG_ECDSA_SECP256R1_SHA256 : LT_SIG_ECDSA_SECP384R1_SHA384;
        uint8_t sig[LT_MAX_SIGNATURE_LEN];
        size_t sl = 0;
        EXPECT_EQ(lt_sign(b, scheme, MSG, sizeof MSG, sig, sizeof sig, &sl), LT_OK);
        EXPECT_EQ(lt_verify(a, scheme, MSG, sizeof MSG, sig, sl), LT_OK);
        lt_pkey_free(a);
        lt_pkey_free(b);
        free(trad);
    }
}

static void test_fits_key(void)
{
    /* RSA-2048: every rsa_* scheme, no ecdsa_* one. */
    for (size_t i = 0; i < N_RSA; i++) {
        EXPECT(lt_sig_scheme_fits_key(RSA_SCHEMES[i], rsa));
        EXPECT(!lt_sig_scheme_fits_key(RSA_SCHEMES[i], p256));
        EXPECT(!lt_sig_scheme_fits_key(RSA_SCHEMES[i], p384));
    }
    EXPECT(!lt_sig_scheme_fits_key(LT_SIG_ECDSA_SECP256R1_SHA256, rsa));
    EXPECT(!lt_sig_scheme_fits_key(LT_SIG_ECDSA_SECP384R1_SHA384, rsa));
    /* RFC 8446 4.2.3: the curve is part of the scheme. */
    EXPECT(lt_sig_scheme_fits_key(LT_SIG_ECDSA_SECP256R1_SHA256, p256));
    EXPECT(!lt_sig_scheme_fits_key(LT_SIG_ECDSA_SECP384R1_SHA384, p256));
    EXPECT(lt_sig_scheme_fits_key(LT_SIG_ECDSA_SECP384R1_SHA384, p384));
    EXPECT(!lt_sig_scheme_fits_key(LT_SIG_ECDSA_SECP256R1_SHA256, p384));
    /* Unknown schemes and no key. */
    EXPECT(!lt_sig_scheme_fits_key(0x0201, rsa));
    EXPECT(!lt_sig_scheme_fits_key(0x0809, rsa));
    EXPECT(!lt_sig_scheme_fits_key(LT_SIG_RSA_PSS_RSAE_SHA256, NULL));

    /* RSA-1024 is too small for PSS with SHA-512 (RFC 8017 9.1.1: emLen
     * 128 < 2 * 64 + 2) but not for PSS-SHA384 (98) or any PKCS#1 v1.5. */
    EVP_PKEY *k1024 = tc_rsa_key(1024);
    lt_pkey *small = (lt_pkey *)k1024;
    EXPECT(!lt_sig_scheme_fits_key(LT_SIG_RSA_PSS_RSAE_SHA512, small));
    EXPECT(lt_sig_scheme_fits_key(LT_SIG_RSA_PSS_RSAE_SHA384, small));
    EXPECT(lt_sig_scheme_fits_key(LT_SIG_RSA_PSS_RSAE_SHA256, small));
    EXPECT(lt_sig_scheme_fits_key(LT_SIG_RSA_PKCS1_SHA512, small));
    uint8_t sig[LT_MAX_SIGNATURE_LEN];
    size_t sl = 0;
    EXPECT_EQ(lt_sign(small, LT_SIG_RSA_PSS_RSAE_SHA384, MSG, sizeof MSG, sig, sizeof sig, &sl), LT_OK);
    EXPECT_EQ(lt_verify(small, LT_SIG_RSA_PSS_RSAE_SHA384, MSG, sizeof MSG, sig, sl), LT_OK);
    EXPECT_EQ(lt_sign(small, LT_SIG_RSA_PSS_RSAE_SHA512, MSG, sizeof MSG, sig, sizeof sig, &sl), LT_ERR_USAGE);
    EVP_PKEY_free(k1024);

    /* An RSASSA-PSS-typed key (id-RSASSA-PSS) is not an rsaEncryption key:
     * rsa_pss_rsae_* does not fit it (that would be rsa_pss_pss_*). */
    EVP_PKEY_CTX *pctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA-PSS", NULL);
    EVP_PKEY *pss = NULL;
    EXPECT(pctx != NULL && EVP_PKEY_keygen_init(pctx) == 1 && EVP_PKEY_CTX_set_rsa_keygen_bits(pctx, 512) == 1 &&
           EVP_PKEY_keygen(pctx, &pss) == 1);
    EVP_PKEY_CTX_free(pctx);
    EXPECT(pss != NULL && EVP_PKEY_is_a(pss, "RSA-PSS"));
    EXPECT(!lt_sig_scheme_fits_key(LT_SIG_RSA_PSS_RSAE_SHA256, (lt_pkey *)pss));
    EXPECT(!lt_sig_scheme_fits_key(LT_SIG_RSA_PKCS1_SHA256, (lt_pkey *)pss));
    EVP_PKEY_free(pss);

    /* Ed25519 has a scheme of its own we do not offer. */
    EVP_PKEY *ed = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
    EXPECT(ed != NULL);
    EXPECT(!lt_sig_scheme_fits_key(LT_SIG_ECDSA_SECP256R1_SHA256, (lt_pkey *)ed));
    EXPECT(!lt_sig_scheme_fits_key(LT_SIG_RSA_PSS_RSAE_SHA256, (lt_pkey *)ed));
    EXPECT(!lt_pkey_is_ec((lt_pkey *)ed));
    EVP_PKEY_free(ed);
}

/* Every way of spoiling a good signature is decrypt_error. */
static void expect_tamper_fails(const lt_pkey *pub, uint16_t scheme, const uint8_t *sig, size_t sl)
{
    uint8_t bad[LT_MAX_SIGNATURE_LEN + 1], msg[sizeof MSG];
    const size_t spots[] = {0, sl / 2, sl - 1};

    /* The message: one bit anywhere, or one byte fewer. */
    memcpy(msg, MSG, sizeof MSG);
    msg[5] ^= 0x01;
    EXPECT_EQ(lt_verify(pub, scheme, msg, sizeof msg, sig, sl), LT_ERR_DECRYPT_ERROR);
    EXPECT_EQ(lt_verify(pub, scheme, MSG, sizeof MSG - 1, sig, sl), LT_ERR_DECRYPT_ERROR);
    EXPECT_EQ(lt_verify(pub, scheme, NULL, 0, sig, sl), LT_ERR_DECRYPT_ERROR);
    /* The signature: a bit flipped at the start, middle, end. */
    for (size_t i = 0; i < sizeof spots / sizeof spots[0]; i++) {
        memcpy(bad, sig, sl);
        bad[spots[i]] ^= 0x10;
        EXPECT_EQ(lt_verify(pub, scheme, MSG, sizeof MSG, bad, sl), LT_ERR_DECRYPT_ERROR);
    }
    /* Truncated, extended by a byte, empty, all zeros. */
    memcpy(bad, sig, sl);
    bad[sl] = 0;
    EXPECT_EQ(lt_verify(pub, scheme, MSG, sizeof MSG, bad, sl - 1), LT_ERR_DECRYPT_ERROR);
    EXPECT_EQ(lt_verify(pub, scheme, MSG, sizeof MSG, bad, sl + 1), LT_ERR_DECRYPT_ERROR);
    EXPECT_EQ(lt_verify(pub, scheme, MSG, sizeof MSG, bad, 0), LT_ERR_DECRYPT_ERROR);
    EXPECT_EQ(lt_verify(pub, scheme, MSG, sizeof MSG, NULL, 0), LT_ERR_DECRYPT_ERROR);
    memset(bad, 0, sl);
    EXPECT_EQ(lt_verify(pub, scheme, MSG, sizeof MSG, bad, sl), LT_ERR_DECRYPT_ERROR);
}

static void sign_verify_one(const lt_pkey *key, const lt_pkey *pub, const lt_pkey *other_pub, uint16_t scheme,
                            size_t max_len)
{
    uint8_t sig[LT_MAX_SIGNATURE_LEN], sig2[LT_MAX_SIGNATURE_LEN];
    size_t sl = 0, sl2 = 0;
    const char *name = lt_sig_scheme_name(scheme);

    EXPECT_EQ(lt_sign(key, scheme, MSG, sizeof MSG, sig, sizeof sig, &sl), LT_OK);
    if (sl == 0) {
        fprintf(stderr, "  %s: no signature\n", name);
        return;
    }
    EXPECT(sl <= max_len);
    EXPECT_EQ(lt_verify(pub, scheme, MSG, sizeof MSG, sig, sl), LT_OK);
    EXPECT_EQ(lt_verify(key, scheme, MSG, sizeof MSG, sig, sl), LT_OK); /* a private key verifies too */
    /* Another key of the same kind does not. */
    EXPECT_EQ(lt_verify(other_pub, scheme, MSG, sizeof MSG, sig, sl), LT_ERR_DECRYPT_ERROR);
    expect_tamper_fails(pub, scheme, sig, sl);

    /* PKCS#1 v1.5 is deterministic; PSS (random salt) and ECDSA (random k)
     * are not, and both signatures verify. */
    EXPECT_EQ(lt_sign(key, scheme, MSG, sizeof MSG, sig2, sizeof sig2, &sl2), LT_OK);
    EXPECT_EQ(lt_verify(pub, scheme, MSG, sizeof MSG, sig2, sl2), LT_OK);
    int same = sl == sl2 && memcmp(sig, sig2, sl) == 0;
    int deterministic = (scheme & 0xff) == 0x01;
    EXPECT_EQ(same, deterministic);

    /* The empty message is a message. */
    EXPECT_EQ(lt_sign(key, scheme, NULL, 0, sig2, sizeof sig2, &sl2), LT_OK);
    EXPECT_EQ(lt_verify(pub, scheme, NULL, 0, sig2, sl2), LT_OK);
    EXPECT_EQ(lt_verify(pub, scheme, MSG, sizeof MSG, sig2, sl2), LT_ERR_DECRYPT_ERROR);
}

static void test_sign_verify_rsa(void)
{
    lt_pkey *pub = public_of(rsa_pki.key);
    EVP_PKEY *other = tc_rsa_key(2048);
    lt_pkey *other_pub = public_of(other);
    for (size_t i = 0; i < N_RSA; i++) {
        sign_verify_one(rsa, pub, other_pub, RSA_SCHEMES[i], 256);
        /* An RSA signature is exactly the modulus length. */
        uint8_t sig[LT_MAX_SIGNATURE_LEN];
        size_t sl = 0;
        EXPECT_EQ(lt_sign(rsa, RSA_SCHEMES[i], MSG, sizeof MSG, sig, sizeof sig, &sl), LT_OK);
        EXPECT_EQ(sl, 256);
    }
    lt_pkey_free(pub);
    lt_pkey_free(other_pub);
    EVP_PKEY_free(other);
}

static void test_sign_verify_ecdsa(void)
{
    lt_pkey *pub256 = public_of(p256_pki.key), *pub384 = public_of(p384_pki.key);
    EVP_PKEY *o256 = tc_ec_key("P-256"), *o384 = tc_ec_key("P-384");
    lt_pkey *opub256 = public_of(o256), *opub384 = public_of(o384);
    /* DER SEQUENCE of two INTEGERs: at most 72 bytes for P-256, 104 for P-384. */
    sign_verify_one(p256, pub256, opub256, LT_SIG_ECDSA_SECP256R1_SHA256, 72);
    sign_verify_one(p384, pub384, opub384, LT_SIG_ECDSA_SECP384R1_SHA384, 104);
    lt_pkey_free(pub256);
    lt_pkey_free(pub384);
    lt_pkey_free(opub256);
    lt_pkey_free(opub384);
    EVP_PKEY_free(o256);
    EVP_PKEY_free(o384);
}

/* A scheme given with the wrong hash or padding of the same key type does
 * not verify a signature made with another. */
static void test_cross_scheme(void)
{
    uint8_t sig[LT_MAX_SIGNATURE_LEN];
    size_t sl = 0;
    for (size_t i = 0; i < N_RSA; i++) {
        EXPECT_EQ(lt_sign(rsa, RSA_SCHEMES[i], MSG, sizeof MSG, sig, sizeof sig, &sl), LT_OK);
        for (size_t j = 0; j < N_RSA; j++) {
            EXPECT_EQ(lt_verify(rsa, RSA_SCHEMES[j], MSG, sizeof MSG, sig, sl), i == j ? LT_OK : LT_ERR_DECRYPT_ERROR);
        }
    }
}

/* Ecdsa-Sig-Value must be DER (libcrypto re-encodes and compares): the same
 * signature with a long-form length is refused. */
static void test_ecdsa_strict_der(void)
{
    uint8_t sig[LT_MAX_SIGNATURE_LEN], ber[LT_MAX_SIGNATURE_LEN + 1];
    size_t sl = 0;
    EXPECT_EQ(lt_sign(p256, LT_SIG_ECDSA_SECP256R1_SHA256, MSG, sizeof MSG, sig, sizeof sig, &sl), LT_OK);
    EXPECT(sl > 2 && sig[0] == 0x30 && sig[1] == sl - 2);
    ber[0] = 0x30;
    ber[1] = 0x81; /* one length byte follows */
    memcpy(ber + 2, sig + 1, sl - 1);
    EXPECT_EQ(lt_verify(p256, LT_SIG_ECDSA_SECP256R1_SHA256, MSG, sizeof MSG, ber, sl + 1), LT_ERR_DECRYPT_ERROR);
    EXPECT_EQ(lt_verify(p256, LT_SIG_ECDSA_SECP256R1_SHA256, MSG, sizeof MSG, sig, sl), LT_OK);
}

static void test_scheme_key_mismatch(void)
{
    uint8_t sig[LT_MAX_SIGNATURE_LEN];
    size_t sl = 0;
    EXPECT_EQ(lt_sign(p256, LT_SIG_ECDSA_SECP256R1_SHA256, MSG, sizeof MSG, sig, sizeof sig, &sl), LT_OK);
    /* verify: illegal_parameter, whatever the signature. */
    EXPECT_EQ(lt_verify(p256, LT_SIG_ECDSA_SECP384R1_SHA384, MSG, sizeof MSG, sig, sl), LT_ERR_ILLEGAL_PARAMETER);
    EXPECT_EQ(lt_verify(p256, LT_SIG_RSA_PSS_RSAE_SHA256, MSG, sizeof MSG, sig, sl), LT_ERR_ILLEGAL_PARAMETER);
    EXPECT_EQ(lt_verify(p384, LT_SIG_ECDSA_SECP256R1_SHA256, MSG, sizeof MSG, sig, sl), LT_ERR_ILLEGAL_PARAMETER);
    EXPECT_EQ(lt_verify(rsa, LT_SIG_ECDSA_SECP256R1_SHA256, MSG, sizeof MSG, sig, sl), LT_ERR_ILLEGAL_PARAMETER);
    EXPECT_EQ(lt_verify(rsa, 0x0201, MSG, sizeof MSG, sig, sl), LT_ERR_ILLEGAL_PARAMETER);
    EXPECT_EQ(lt_verify(p256, 0x0203, MSG, sizeof MSG, sig, sl), LT_ERR_ILLEGAL_PARAMETER);
    /* sign: a usage error on our side, and no signature. */
    sl = 99;
    EXPECT_EQ(lt_sign(p256, LT_SIG_ECDSA_SECP384R1_SHA384, MSG, sizeof MSG, sig, sizeof sig, &sl), LT_ERR_USAGE);
    EXPECT_EQ(sl, 0);
    EXPECT_EQ(lt_sign(p384, LT_SIG_ECDSA_SECP256R1_SHA256, MSG, sizeof MSG, sig, sizeof sig, &sl), LT_ERR_USAGE);
    EXPECT_EQ(lt_sign(rsa, LT_SIG_ECDSA_SECP256R1_SHA256, MSG, sizeof MSG, sig, sizeof sig, &sl), LT_ERR_USAGE);
    EXPECT_EQ(lt_sign(p256, LT_SIG_RSA_PKCS1_SHA256, MSG, sizeof MSG, sig, sizeof sig, &sl), LT_ERR_USAGE);
    EXPECT_EQ(lt_sign(rsa, 0x0201, MSG, sizeof MSG, sig, sizeof sig, &sl), LT_ERR_USAGE);
    /* An output buffer below the key's signature size. */
    EXPECT_EQ(lt_sign(rsa, LT_SIG_RSA_PKCS1_SHA256, MSG, sizeof MSG, sig, 255, &sl), LT_ERR_USAGE);
    EXPECT_EQ(lt_sign(NULL, LT_SIG_RSA_PKCS1_SHA256, MSG, sizeof MSG, sig, sizeof sig, &sl), LT_ERR_USAGE);
    EXPECT_EQ(lt_verify(NULL, LT_SIG_RSA_PKCS1_SHA256, MSG, sizeof MSG, sig, 1), LT_ERR_USAGE);
}

/* ---- PSS parameters, with libcrypto called directly ---- */

/* A PSS signature over MSG with SHA-256, MGF1 with mgf1 and this salt
 * length, made or checked by libcrypto directly (not through sig.c). */
static int pss_op(int sign, EVP_PKEY *k, const char *mgf1, int saltlen, uint8_t *sig, size_t *sl)
{
    EVP_MD_CTX *m = EVP_MD_CTX_new();
    EVP_PKEY_CTX *p = NULL;
    int ok = m != NULL &&
             (sign ? EVP_DigestSignInit_ex(m, &p, "SHA256", NULL, NULL, k, NULL)
                   : EVP_DigestVerifyInit_ex(m, &p, "SHA256", NULL, NULL, k, NULL)) == 1 &&
             EVP_PKEY_CTX_set_rsa_padding(p, RSA_PKCS1_PSS_PADDING) == 1 &&
             EVP_PKEY_CTX_set_rsa_mgf1_md_name(p, mgf1, NULL) == 1 && EVP_PKEY_CTX_set_rsa_pss_saltlen(p, saltlen) == 1;
    if (ok) {
        ok = sign ? EVP_DigestSign(m, sig, sl, MSG, sizeof MSG) == 1
                  : EVP_DigestVerify(m, sig, *sl, MSG, sizeof MSG) == 1;
    }
    EVP_MD_CTX_free(m);
    ERR_clear_error();
    return ok;
}

static void test_pss_parameters(void)
{
    uint8_t sig[512];
    size_t sl;

    /* Signatures libcrypto makes: only salt 32 with MGF1-SHA256 is
     * rsa_pss_rsae_sha256. */
    sl = sizeof sig;
    EXPECT(pss_op(1, rsa_pki.key, "SHA256", 32, sig, &sl));
    EXPECT_EQ(lt_verify(rsa, LT_SIG_RSA_PSS_RSAE_SHA256, MSG, sizeof MSG, sig, sl), LT_OK);
    const int other_salts[] = {0, 20, 31, 33, 64, RSA_PSS_SALTLEN_MAX};
    for (size_t i = 0; i < sizeof other_salts / sizeof other_salts[0]; i++) {
        sl = sizeof sig;
        EXPECT(pss_op(1, rsa_pki.key, "SHA256", other_salts[i], sig, &sl));
        EXPECT_EQ(lt_verify(rsa, LT_SIG_RSA_PSS_RSAE_SHA256, MSG, sizeof MSG, sig, sl), LT_ERR_DECRYPT_ERROR);
    }
    const char *other_mgf1[] = {"SHA1", "SHA384", "SHA512"};
    for (size_t i = 0; i < 3; i++) {
        sl = sizeof sig;
        EXPECT(pss_op(1, rsa_pki.key, other_mgf1[i], 32, sig, &sl));
        EXPECT_EQ(lt_verify(rsa, LT_SIG_RSA_PSS_RSAE_SHA256, MSG, sizeof MSG, sig, sl), LT_ERR_DECRYPT_ERROR);
    }

    /* Our signature: libcrypto finds salt 32 and MGF1-SHA256 in it, and
     * nothing else. */
    EXPECT_EQ(lt_sign(rsa, LT_SIG_RSA_PSS_RSAE_SHA256, MSG, sizeof MSG, sig, sizeof sig, &sl), LT_OK);
    EXPECT(pss_op(0, rsa_pki.key, "SHA256", 32, sig, &sl));
    EXPECT(!pss_op(0, rsa_pki.key, "SHA256", 20, sig, &sl));
    EXPECT(!pss_op(0, rsa_pki.key, "SHA256", 222, sig, &sl)); /* the maximum for RSA-2048, SHA-256 */
    EXPECT(!pss_op(0, rsa_pki.key, "SHA1", 32, sig, &sl));
}

/* ---- The openssl command-line tool as the other implementation ---- */

static char tmpdir[64];

/* Runs a shell command; 1 when it exits 0. */
static int run(const char *fmt, ...)
{
    char cmd[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    int st = system(cmd);
    return st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

static int write_file(const char *name, const void *p, size_t n)
{
    char path[128];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "wb");
    int ok = f != NULL && fwrite(p, 1, n, f) == n;
    ok = f != NULL && fclose(f) == 0 && ok;
    EXPECT(ok);
    return ok;
}

static size_t read_file(const char *name, uint8_t *p, size_t cap)
{
    char path[128];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "rb");
    size_t n = f != NULL ? fread(p, 1, cap, f) : 0;
    if (f != NULL) {
        fclose(f);
    }
    return n;
}

static void write_pub_pem(const char *name, EVP_PKEY *k)
{
    char path[128];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "w");
    int ok = f != NULL && PEM_write_PUBKEY(f, k) == 1;
    ok = f != NULL && fclose(f) == 0 && ok;
    EXPECT(ok);
}

struct cli_case {
    uint16_t scheme;
    const char *dgst; /* openssl dgst option */
    const char *opts; /* -sigopt ... for the scheme */
};

static const struct cli_case CLI_RSA[] = {
    {LT_SIG_RSA_PKCS1_SHA256, "-sha256", ""},
    {LT_SIG_RSA_PKCS1_SHA384, "-sha384", ""},
    {LT_SIG_RSA_PKCS1_SHA512, "-sha512", ""},
    {LT_SIG_RSA_PSS_RSAE_SHA256, "-sha256",
     "-sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:digest -sigopt rsa_mgf1_md:sha256"},
    {LT_SIG_RSA_PSS_RSAE_SHA384, "-sha384",
     "-sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:digest -sigopt rsa_mgf1_md:sha384"},
    {LT_SIG_RSA_PSS_RSAE_SHA512, "-sha512",
     "-sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:digest -sigopt rsa_mgf1_md:sha512"},
};

/* openssl verifies our signature, and we verify openssl's. */
static void cli_both_ways(const lt_pkey *key, const char *key_file, const char *pub_file, const struct cli_case *c)
{
    uint8_t sig[LT_MAX_SIGNATURE_LEN];
    size_t sl = 0;
    const char *name = lt_sig_scheme_name(c->scheme);

    EXPECT_EQ(lt_sign(key, c->scheme, MSG, sizeof MSG, sig, sizeof sig, &sl), LT_OK);
    write_file("ours.sig", sig, sl);
    int ok = run("cd %s && openssl dgst %s -verify %s %s -signature ours.sig msg.bin >/dev/null", tmpdir, c->dgst,
                 pub_file, c->opts);
    EXPECT(ok);
    if (!ok) {
        fprintf(stderr, "  openssl did not verify our %s signature\n", name);
    }
    /* A tampered one, to show the command can say no. */
    sig[sl / 2] ^= 1;
    write_file("bad.sig", sig, sl);
    EXPECT(!run("cd %s && openssl dgst %s -verify %s %s -signature bad.sig msg.bin >/dev/null 2>&1", tmpdir, c->dgst,
                pub_file, c->opts));

    ok = run("cd %s && openssl dgst %s -sign %s %s -out theirs.sig msg.bin", tmpdir, c->dgst, key_file, c->opts);
    EXPECT(ok);
    sl = read_file("theirs.sig", sig, sizeof sig);
    EXPECT(sl > 0);
    EXPECT_EQ(lt_verify(key, c->scheme, MSG, sizeof MSG, sig, sl), LT_OK);
}

static void test_openssl_cli(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/lt-sig-XXXXXX");
    EXPECT(mkdtemp(tmpdir) != NULL);
    int have_cli = run("openssl version >/dev/null");
    EXPECT(have_cli); /* scripts/install_deps.sh installs it; the interop tests need it too */
    if (!have_cli) {
        rmdir(tmpdir);
        return;
    }
    write_file("msg.bin", MSG, sizeof MSG);
    write_file("rsa.key", rsa_pki.key_pem, strlen(rsa_pki.key_pem));
    write_file("p256.key", p256_pki.key_pem, strlen(p256_pki.key_pem));
    write_file("p384.key", p384_pki.key_pem, strlen(p384_pki.key_pem));
    write_pub_pem("rsa.pub", rsa_pki.key);
    write_pub_pem("p256.pub", p256_pki.key);
    write_pub_pem("p384.pub", p384_pki.key);

    for (size_t i = 0; i < sizeof CLI_RSA / sizeof CLI_RSA[0]; i++) {
        cli_both_ways(rsa, "rsa.key", "rsa.pub", &CLI_RSA[i]);
    }
    const struct cli_case e256 = {LT_SIG_ECDSA_SECP256R1_SHA256, "-sha256", ""};
    const struct cli_case e384 = {LT_SIG_ECDSA_SECP384R1_SHA384, "-sha384", ""};
    cli_both_ways(p256, "p256.key", "p256.pub", &e256);
    cli_both_ways(p384, "p384.key", "p384.pub", &e384);

    /* PSS salt lengths: openssl, told to expect exactly 20 bytes or the
     * maximum (222 for RSA-2048 and SHA-256), refuses our signature (so ours has the digest length); a
     * signature openssl makes with those lengths, we refuse. */
    uint8_t sig[LT_MAX_SIGNATURE_LEN];
    size_t sl = 0;
    EXPECT_EQ(lt_sign(rsa, LT_SIG_RSA_PSS_RSAE_SHA256, MSG, sizeof MSG, sig, sizeof sig, &sl), LT_OK);
    write_file("ours.sig", sig, sl);
    const char *pss = "-sigopt rsa_padding_mode:pss -sigopt rsa_mgf1_md:sha256";
    EXPECT(run("cd %s && openssl dgst -sha256 -verify rsa.pub %s -sigopt rsa_pss_saltlen:32 -signature ours.sig "
               "msg.bin >/dev/null",
               tmpdir, pss));
    EXPECT(!run("cd %s && openssl dgst -sha256 -verify rsa.pub %s -sigopt rsa_pss_saltlen:20 -signature ours.sig "
                "msg.bin >/dev/null 2>&1",
                tmpdir, pss));
    EXPECT(!run("cd %s && openssl dgst -sha256 -verify rsa.pub %s -sigopt rsa_pss_saltlen:222 -signature ours.sig "
                "msg.bin >/dev/null 2>&1",
                tmpdir, pss));
    const char *salts[] = {"20", "max", "0"};
    for (size_t i = 0; i < 3; i++) {
        EXPECT(run("cd %s && openssl dgst -sha256 -sign rsa.key %s -sigopt rsa_pss_saltlen:%s -out theirs.sig msg.bin",
                   tmpdir, pss, salts[i]));
        sl = read_file("theirs.sig", sig, sizeof sig);
        EXPECT_EQ(sl, 256);
        EXPECT_EQ(lt_verify(rsa, LT_SIG_RSA_PSS_RSAE_SHA256, MSG, sizeof MSG, sig, sl), LT_ERR_DECRYPT_ERROR);
    }
    /* ... while salt 32 with MGF1-SHA256, made by openssl, passes. */
    EXPECT(run("cd %s && openssl dgst -sha256 -sign rsa.key %s -sigopt rsa_pss_saltlen:32 -out theirs.sig msg.bin",
               tmpdir, pss));
    sl = read_file("theirs.sig", sig, sizeof sig);
    EXPECT_EQ(lt_verify(rsa, LT_SIG_RSA_PSS_RSAE_SHA256, MSG, sizeof MSG, sig, sl), LT_OK);
    /* MGF1 with SHA-1 instead of the signature's hash: refused. */
    EXPECT(run("cd %s && openssl dgst -sha256 -sign rsa.key -sigopt rsa_padding_mode:pss -sigopt rsa_mgf1_md:sha1 "
               "-sigopt rsa_pss_saltlen:32 -out theirs.sig msg.bin",
               tmpdir));
    sl = read_file("theirs.sig", sig, sizeof sig);
    EXPECT_EQ(lt_verify(rsa, LT_SIG_RSA_PSS_RSAE_SHA256, MSG, sizeof MSG, sig, sl), LT_ERR_DECRYPT_ERROR);

    EXPECT(run("rm -rf %s", tmpdir));
}

/* ---- Certificates: the leaf key lt_verify_chain returns verifies ---- */

static void chain_case(const tc_server_pki *pki, const lt_pkey *key, uint16_t scheme, const char *want_key)
{
    lt_trust *t = lt_trust_new();
    lt_chain chain;
    lt_cert_report rep;
    lt_pkey *leaf_pub = NULL;
    uint8_t sig[LT_MAX_SIGNATURE_LEN];
    size_t sl = 0;

    EXPECT(t != NULL);
    EXPECT_EQ(lt_trust_add_pem(t, pki->ca_pem, strlen(pki->ca_pem)), LT_OK);
    EXPECT_EQ(lt_chain_from_pem(pki->chain_pem, strlen(pki->chain_pem), &chain), LT_OK);
    EXPECT_EQ(lt_verify_chain(t, (const uint8_t *const *)chain.der, chain.len, chain.n, "localhost",
                              LT_SECLEVEL_DEFAULT, &rep, &leaf_pub),
              LT_OK);
    EXPECT(strcmp(rep.key, want_key) == 0);
    EXPECT(lt_cert_allows(&rep, LT_KEY_USE_SIGNATURE));
    EXPECT(lt_pkey_matches_cert(key, chain.der[0], chain.len[0]) == 1);
    EXPECT(leaf_pub != NULL);
    if (leaf_pub != NULL) {
        EXPECT(lt_sig_scheme_fits_key(scheme, leaf_pub));
        EXPECT_EQ(lt_sign(key, scheme, MSG, sizeof MSG, sig, sizeof sig, &sl), LT_OK);
        EXPECT_EQ(lt_verify(leaf_pub, scheme, MSG, sizeof MSG, sig, sl), LT_OK);
        sig[0] ^= 1;
        EXPECT_EQ(lt_verify(leaf_pub, scheme, MSG, sizeof MSG, sig, sl), LT_ERR_DECRYPT_ERROR);
    }
    lt_pkey_free(leaf_pub);
    lt_chain_clear(&chain);
    lt_trust_free(t);
}

static void test_chain_leaf_keys(void)
{
    chain_case(&rsa_pki, rsa, LT_SIG_RSA_PSS_RSAE_SHA256, "RSA-2048");
    chain_case(&rsa_pki, rsa, LT_SIG_RSA_PKCS1_SHA512, "RSA-2048");
    chain_case(&p256_pki, p256, LT_SIG_ECDSA_SECP256R1_SHA256, "EC P-256");
    chain_case(&p384_pki, p384, LT_SIG_ECDSA_SECP384R1_SHA384, "EC P-384");
}

static int verify_at(const char *ca_pem, X509 *leaf, X509 *ca, int level, lt_cert_report *rep)
{
    lt_trust *t = lt_trust_new();
    uint8_t *der[2] = {NULL, NULL};
    size_t len[2] = {tc_der_of(leaf, &der[0]), tc_der_of(ca, &der[1])};
    EXPECT_EQ(lt_trust_add_pem(t, ca_pem, strlen(ca_pem)), LT_OK);
    int rc = lt_verify_chain(t, (const uint8_t *const *)der, len, 2, "localhost", level, rep, NULL);
    OPENSSL_free(der[0]);
    OPENSSL_free(der[1]);
    lt_trust_free(t);
    return rc;
}

/* OpenSSL's security levels rate EC keys by half the order's size: P-256
 * is 128 bits (level 3), P-384 192 (level 4). */
static void test_ec_security_levels(void)
{
    lt_cert_report rep;
    /* P-384 under a P-384 CA, all SHA-256: level 3 (SHA-256 is refused
     * from level 4 on, whatever the keys). */
    EXPECT_EQ(verify_at(p384_pki.ca_pem, p384_pki.leaf, p384_pki.ca, 3, &rep), LT_OK);
    /* P-256 under an RSA-2048 CA: level 2; at level 3 the CA's key is too
     * small, not the leaf's. */
    EXPECT_EQ(verify_at(p256_pki.ca_pem, p256_pki.leaf, p256_pki.ca, 2, &rep), LT_OK);
    EXPECT_EQ(verify_at(p256_pki.ca_pem, p256_pki.leaf, p256_pki.ca, 3, &rep), LT_ERR_INSUFFICIENT_SECURITY);
    EXPECT(strstr(rep.detail, "RSA-2048") != NULL);

    /* A P-384 leaf signed with SHA-384 by the P-384 CA: level 4 yes, 5 no
     * (the leaf is reported). */
    tc_cert_opts o = {.cn = "localhost",
                      .issuer = p384_pki.ca,
                      .issuer_key = p384_pki.ca_key,
                      .san = "DNS:localhost",
                      .md = EVP_sha384(),
                      .key_usage = "critical,digitalSignature"};
    X509 *leaf = tc_make_cert(p384_pki.key, &o);
    EXPECT_EQ(verify_at(p384_pki.ca_pem, leaf, p384_pki.ca, 4, &rep), LT_OK);
    if (rep.detail[0] != '\0') {
        fprintf(stderr, "  %s\n", rep.detail);
    }
    EXPECT_EQ(verify_at(p384_pki.ca_pem, leaf, p384_pki.ca, 5, &rep), LT_ERR_INSUFFICIENT_SECURITY);
    EXPECT(strcmp(rep.detail, "server key is EC P-384; the minimum at security level 5 is 512") == 0);
    X509_free(leaf);
}

int main(void)
{
    setup();
    LT_RUN(test_scheme_names);
    LT_RUN(test_ec_key_helpers);
    LT_RUN(test_ec_pem_formats);
    LT_RUN(test_fits_key);
    LT_RUN(test_sign_verify_rsa);
    LT_RUN(test_sign_verify_ecdsa);
    LT_RUN(test_cross_scheme);
    LT_RUN(test_ecdsa_strict_der);
    LT_RUN(test_scheme_key_mismatch);
    LT_RUN(test_pss_parameters);
    LT_RUN(test_openssl_cli);
    LT_RUN(test_chain_leaf_keys);
    LT_RUN(test_ec_security_levels);
    teardown();
    return lt_test_summary();
}
