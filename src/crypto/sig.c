/*
 * Signatures for ServerKeyExchange (RFC 5246 7.4.3, RFC 8422 5.4) and
 * CertificateVerify (RFC 5246 7.4.8, RFC 8446 4.4.3), by SignatureScheme
 * (RFC 8446 4.2.3; the same two bytes as TLS 1.2's SignatureAndHashAlgorithm
 * for every scheme here).
 *
 *   rsa_pkcs1_*      RSASSA-PKCS1-v1_5 (RFC 8017 8.2)
 *   rsa_pss_rsae_*   RSASSA-PSS, MGF1 with the same hash, salt length = hash
 *                    length, with an rsaEncryption key (RFC 8446 4.2.3);
 *                    verification insists on exactly that salt length
 *   ecdsa_*          ECDSA, DER Ecdsa-Sig-Value, the key on the scheme's
 *                    curve; libcrypto accepts only strict DER
 *
 * The digests are fetched once per process.
 */
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "crypto/crypto.h"

enum sig_kind { KIND_RSA_PKCS1 = 1, KIND_RSA_PSS, KIND_ECDSA };
enum sig_md { MD_SHA256 = 0, MD_SHA384, MD_SHA512, MD_COUNT };

struct scheme_info {
    uint16_t id;
    const char *name; /* RFC 8446 4.2.3 */
    enum sig_kind kind;
    enum sig_md md;
    uint16_t curve; /* ECDSA: the group the key must be on */
};

static const struct scheme_info SCHEMES[] = {
    {LT_SIG_RSA_PKCS1_SHA256, "rsa_pkcs1_sha256", KIND_RSA_PKCS1, MD_SHA256, 0},
    {LT_SIG_RSA_PKCS1_SHA384, "rsa_pkcs1_sha384", KIND_RSA_PKCS1, MD_SHA384, 0},
    {LT_SIG_RSA_PKCS1_SHA512, "rsa_pkcs1_sha512", KIND_RSA_PKCS1, MD_SHA512, 0},
    {LT_SIG_ECDSA_SECP256R1_SHA256, "ecdsa_secp256r1_sha256", KIND_ECDSA, MD_SHA256, LT_GROUP_SECP256R1},
    {LT_SIG_ECDSA_SECP384R1_SHA384, "ecdsa_secp384r1_sha384", KIND_ECDSA, MD_SHA384, LT_GROUP_SECP384R1},
    {LT_SIG_RSA_PSS_RSAE_SHA256, "rsa_pss_rsae_sha256", KIND_RSA_PSS, MD_SHA256, 0},
    {LT_SIG_RSA_PSS_RSAE_SHA384, "rsa_pss_rsae_sha384", KIND_RSA_PSS, MD_SHA384, 0},
    {LT_SIG_RSA_PSS_RSAE_SHA512, "rsa_pss_rsae_sha512", KIND_RSA_PSS, MD_SHA512, 0},
};

static const size_t MD_LEN[MD_COUNT] = {32, 48, 64};
/* The DER DigestInfo prefix of RSASSA-PKCS1-v1_5 for SHA-256/384/512 is 19
 * bytes (RFC 8017 9.2 note 1). */
#define DIGEST_INFO_PREFIX 19

static CRYPTO_ONCE md_once = CRYPTO_ONCE_STATIC_INIT;
static EVP_MD *mds[MD_COUNT];

static void md_fetch_all(void)
{
    /* A fetch failure leaves the pointer NULL; users return LT_ERR_CRYPTO. */
    mds[MD_SHA256] = EVP_MD_fetch(NULL, "SHA256", NULL);
    mds[MD_SHA384] = EVP_MD_fetch(NULL, "SHA384", NULL);
    mds[MD_SHA512] = EVP_MD_fetch(NULL, "SHA512", NULL);
}

static const EVP_MD *md_of(enum sig_md md)
{
    if (!CRYPTO_THREAD_run_once(&md_once, md_fetch_all)) {
        return NULL;
    }
    return md < MD_COUNT ? mds[md] : NULL;
}

static const struct scheme_info *scheme_info(uint16_t scheme)
{
    for (size_t i = 0; i < sizeof(SCHEMES) / sizeof(SCHEMES[0]); i++) {
        if (SCHEMES[i].id == scheme) {
            return &SCHEMES[i];
        }
    }
    return NULL;
}

const char *lt_sig_scheme_name(uint16_t scheme)
{
    const struct scheme_info *s = scheme_info(scheme);
    return s != NULL ? s->name : NULL;
}

/* Is an RSA key of this size big enough for the encoding? emLen is the
 * modulus length in bytes (for PSS: of modBits - 1 bits). */
static int rsa_size_fits(const struct scheme_info *s, size_t bits)
{
    size_t hlen = MD_LEN[s->md];
    if (bits < 2) {
        return 0;
    }
    if (s->kind == KIND_RSA_PSS) {
        /* RFC 8017 9.1.1 step 3: emLen >= hLen + sLen + 2, sLen = hLen. */
        size_t em_len = (bits - 1 + 7) / 8;
        return em_len >= 2 * hlen + 2;
    }
    /* RFC 8017 9.2 step 3: emLen >= tLen + 11. */
    return (bits + 7) / 8 >= DIGEST_INFO_PREFIX + hlen + 11;
}

/* bind_curve: TLS 1.3 names the curve in an ECDSA scheme (RFC 8446
 * 4.2.3); in TLS 1.2 "ecdsa_secp256r1_sha256" is SignatureAndHashAlgorithm
 * {sha256, ecdsa}, a hash and ECDSA on whichever curve the certificate has
 * (RFC 5246 7.4.1.4.1, RFC 8422 5.10), so any curve we support fits. */
static int fits_for(const struct scheme_info *s, const lt_pkey *key, int bind_curve)
{
    if (s == NULL || key == NULL) {
        return 0;
    }
    switch (s->kind) {
    case KIND_RSA_PKCS1:
    case KIND_RSA_PSS:
        /* lt_pkey_is_rsa is rsaEncryption only: an RSASSA-PSS-typed key
         * would need rsa_pss_pss_* (RFC 8446 4.2.3), which we do not offer. */
        return lt_pkey_is_rsa(key) && rsa_size_fits(s, lt_pkey_bits(key));
    case KIND_ECDSA: return bind_curve ? lt_pkey_ec_group(key) == s->curve : lt_pkey_ec_group(key) != 0;
    }
    return 0;
}

static int fits(const struct scheme_info *s, const lt_pkey *key)
{
    return fits_for(s, key, 1);
}

int lt_sig_scheme_fits_key_tls12(uint16_t scheme, const lt_pkey *key)
{
    return fits_for(scheme_info(scheme), key, 0);
}

int lt_sig_scheme_fits_key(uint16_t scheme, const lt_pkey *key)
{
    return fits(scheme_info(scheme), key);
}

/* An EVP_MD_CTX set up to sign (sign = 1) or verify with the scheme, or
 * NULL. */
static EVP_MD_CTX *sig_ctx(const struct scheme_info *s, const lt_pkey *key, int sign)
{
    const EVP_MD *md = md_of(s->md);
    EVP_MD_CTX *mctx = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pctx = NULL;
    EVP_PKEY *pk = (EVP_PKEY *)key;
    int ok = md != NULL && mctx != NULL;

    if (ok) {
        ok = sign ? EVP_DigestSignInit(mctx, &pctx, md, NULL, pk) == 1
                  : EVP_DigestVerifyInit(mctx, &pctx, md, NULL, pk) == 1;
    }
    if (ok && s->kind != KIND_ECDSA) {
        ok = EVP_PKEY_CTX_set_rsa_padding(pctx, s->kind == KIND_RSA_PSS ? RSA_PKCS1_PSS_PADDING : RSA_PKCS1_PADDING) ==
             1;
    }
    if (ok && s->kind == KIND_RSA_PSS) {
        /* RFC 8446 4.2.3: MGF1 with the scheme's hash, salt length equal to
         * the digest length. RSA_PSS_SALTLEN_DIGEST makes signing use that
         * length and verification accept only that length. */
        ok = EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, md) == 1 &&
             EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) == 1;
    }
    if (!ok) {
        EVP_MD_CTX_free(mctx);
        return NULL;
    }
    return mctx;
}

static int sign_with(const lt_pkey *key, uint16_t scheme, int bind_curve, const uint8_t *msg, size_t len, uint8_t *sig,
                     size_t cap, size_t *sig_len)
{
    const struct scheme_info *s = scheme_info(scheme);
    EVP_MD_CTX *mctx;
    size_t n = cap;
    int max, ok;

    LT_ENSURE(key != NULL && sig != NULL && sig_len != NULL && (msg != NULL || len == 0), LT_ERR_USAGE);
    *sig_len = 0;
    LT_ENSURE(fits_for(s, key, bind_curve), LT_ERR_USAGE);
    max = EVP_PKEY_get_size((EVP_PKEY *)key);
    LT_ENSURE(max > 0, LT_ERR_CRYPTO);
    LT_ENSURE(cap >= (size_t)max, LT_ERR_USAGE);

    mctx = sig_ctx(s, key, 1);
    if (mctx == NULL) {
        ERR_clear_error();
        return LT_ERR_CRYPTO;
    }
    ok = EVP_DigestSign(mctx, sig, &n, msg, len) == 1;
    EVP_MD_CTX_free(mctx);
    if (!ok || n == 0 || n > cap) {
        ERR_clear_error();
        lt_wipe(sig, cap);
        return LT_ERR_CRYPTO;
    }
    *sig_len = n;
    return LT_OK;
}

int lt_sign(const lt_pkey *key, uint16_t scheme, const uint8_t *msg, size_t len, uint8_t *sig, size_t cap,
            size_t *sig_len)
{
    return sign_with(key, scheme, 1, msg, len, sig, cap, sig_len);
}

int lt_sign_tls12(const lt_pkey *key, uint16_t scheme, const uint8_t *msg, size_t len, uint8_t *sig, size_t cap,
                  size_t *sig_len)
{
    return sign_with(key, scheme, 0, msg, len, sig, cap, sig_len);
}

static int verify_with(const lt_pkey *pub, uint16_t scheme, int bind_curve, const uint8_t *msg, size_t len,
                       const uint8_t *sig, size_t sig_len)
{
    const struct scheme_info *s = scheme_info(scheme);
    EVP_MD_CTX *mctx;
    int vr;

    LT_ENSURE(pub != NULL && (msg != NULL || len == 0) && (sig != NULL || sig_len == 0), LT_ERR_USAGE);
    /* A scheme the peer may not use with this key (RFC 8446 4.2.3, 4.4.3;
     * RFC 5246 7.4.1.4.1) is an illegal parameter, not a bad signature. */
    LT_ENSURE(fits_for(s, pub, bind_curve), LT_ERR_ILLEGAL_PARAMETER);

    mctx = sig_ctx(s, pub, 0);
    if (mctx == NULL) {
        ERR_clear_error();
        return LT_ERR_CRYPTO;
    }
    /* 1 is a good signature. 0 is a bad one; libcrypto also returns a
     * negative value for some malformed signatures (wrong length, bad DER):
     * from the peer, so every one of them is decrypt_error. */
    vr = EVP_DigestVerify(mctx, sig, sig_len, msg, len);
    EVP_MD_CTX_free(mctx);
    ERR_clear_error();
    return vr == 1 ? LT_OK : LT_ERR_DECRYPT_ERROR;
}

int lt_verify(const lt_pkey *pub, uint16_t scheme, const uint8_t *msg, size_t len, const uint8_t *sig, size_t sig_len)
{
    return verify_with(pub, scheme, 1, msg, len, sig, sig_len);
}

int lt_verify_tls12(const lt_pkey *pub, uint16_t scheme, const uint8_t *msg, size_t len, const uint8_t *sig,
                    size_t sig_len)
{
    return verify_with(pub, scheme, 0, msg, len, sig, sig_len);
}

size_t lt_sign_schemes13_for_key(const lt_pkey *key, uint16_t *out, size_t cap)
{
    /* RFC 8446 4.2.3: RSASSA-PKCS1-v1_5 "MUST NOT" sign TLS 1.3 handshake
     * messages, and an ECDSA scheme names its curve. */
    static const uint16_t PREF[] = {LT_SIG_ECDSA_SECP256R1_SHA256, LT_SIG_ECDSA_SECP384R1_SHA384,
                                    LT_SIG_RSA_PSS_RSAE_SHA256, LT_SIG_RSA_PSS_RSAE_SHA384, LT_SIG_RSA_PSS_RSAE_SHA512};
    size_t n = 0;
    for (size_t i = 0; i < sizeof PREF / sizeof PREF[0] && n < cap; i++) {
        if (fits_for(scheme_info(PREF[i]), key, 1)) {
            out[n++] = PREF[i];
        }
    }
    return n;
}

size_t lt_sign_schemes_for_key(const lt_pkey *key, uint16_t *out, size_t cap)
{
    /* Our preference: ECDSA for an EC key; for RSA, PSS before PKCS#1 v1.5
     * (RFC 8446 4.2.3 keeps PKCS#1 v1.5 for legacy only, and OpenSSL
     * prefers PSS too). */
    static const uint16_t PREF[] = {
        LT_SIG_ECDSA_SECP256R1_SHA256, LT_SIG_ECDSA_SECP384R1_SHA384, LT_SIG_RSA_PSS_RSAE_SHA256,
        LT_SIG_RSA_PSS_RSAE_SHA384,    LT_SIG_RSA_PSS_RSAE_SHA512,    LT_SIG_RSA_PKCS1_SHA256,
        LT_SIG_RSA_PKCS1_SHA384,       LT_SIG_RSA_PKCS1_SHA512,
    };
    size_t n = 0;
    /* First the schemes whose hash matches the key (as TLS 1.3 requires),
     * then those TLS 1.2 also allows (ECDSA with another curve's hash). */
    for (int bind = 1; bind >= 0; bind--) {
        for (size_t i = 0; i < sizeof PREF / sizeof PREF[0] && n < cap; i++) {
            const struct scheme_info *s = scheme_info(PREF[i]);
            if (fits_for(s, key, bind) && (bind || !fits_for(s, key, 1))) {
                out[n++] = PREF[i];
            }
        }
    }
    return n;
}
