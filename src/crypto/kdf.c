/*
 * The TLS 1.2 PRF (RFC 5246 section 5) through libcrypto's "TLS1-PRF" KDF,
 * and HKDF (RFC 5869) and HMAC for the TLS 1.3 key schedule through its
 * "HKDF" KDF and "HMAC" MAC. The algorithms are fetched once per process; a
 * context is made per call (a handful of calls per handshake, never per
 * record).
 */
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include "crypto/crypto.h"

static CRYPTO_ONCE kdf_once = CRYPTO_ONCE_STATIC_INIT;
static EVP_KDF *kdf_tls1_prf;
static EVP_KDF *kdf_hkdf;
static EVP_MAC *mac_hmac;

static void kdf_fetch(void)
{
    /* A fetch failure leaves the pointer NULL; users return LT_ERR_CRYPTO. */
    kdf_tls1_prf = EVP_KDF_fetch(NULL, "TLS1-PRF", NULL);
    kdf_hkdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
    mac_hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
}

static const char *prf_digest_name(lt_hash_alg alg)
{
    /* RFC 5246 5: TLS 1.2 uses P_<hash> with the suite's PRF hash alone
     * (no MD5/SHA-1 split as in TLS 1.0/1.1). */
    switch (alg) {
    case LT_HASH_SHA1: return "SHA1";
    case LT_HASH_SHA256: return "SHA256";
    case LT_HASH_SHA384: return "SHA384";
    }
    return NULL;
}

static int prf_derive(const char *digest, const uint8_t *secret, size_t secret_len, const uint8_t *label,
                      size_t label_len, const lt_prf_seed *seeds, size_t n_seeds, uint8_t *out, size_t out_len)
{
    OSSL_PARAM params[3 + LT_PRF_MAX_SEEDS + 1];
    OSSL_PARAM *p = params;
    EVP_KDF_CTX *kctx;
    int ok;

    LT_ENSURE(CRYPTO_THREAD_run_once(&kdf_once, kdf_fetch) && kdf_tls1_prf != NULL, LT_ERR_CRYPTO);
    /* PRF(secret, label, seed) = P_<hash>(secret, label + seed): the provider
     * concatenates every SEED parameter in order, so the label goes first. */
    *p++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)digest, 0);
    *p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SECRET, (void *)secret, secret_len);
    *p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SEED, (void *)label, label_len);
    for (size_t i = 0; i < n_seeds; i++) {
        if (seeds[i].len > 0) {
            *p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SEED, (void *)seeds[i].p, seeds[i].len);
        }
    }
    *p = OSSL_PARAM_construct_end();

    kctx = EVP_KDF_CTX_new(kdf_tls1_prf);
    LT_ENSURE(kctx != NULL, LT_ERR_NOMEM);
    ok = EVP_KDF_derive(kctx, out, out_len, params) == 1;
    /* The context's copy of the secret is cleansed by the provider on free. */
    EVP_KDF_CTX_free(kctx);
    return ok ? LT_OK : LT_ERR_CRYPTO;
}

static int prf_seeds(lt_hash_alg alg, const uint8_t *secret, size_t secret_len, const uint8_t *label, size_t label_len,
                     const lt_prf_seed *seeds, size_t n_seeds, uint8_t *out, size_t out_len)
{
    const char *digest = prf_digest_name(alg);
    size_t total = label_len;

    LT_ENSURE(digest != NULL && out_len > 0, LT_ERR_USAGE);
    LT_ENSURE(secret != NULL || secret_len == 0, LT_ERR_USAGE);
    LT_ENSURE(label != NULL && label_len > 0, LT_ERR_USAGE);
    LT_ENSURE(n_seeds <= LT_PRF_MAX_SEEDS && (seeds != NULL || n_seeds == 0), LT_ERR_USAGE);
    LT_ENSURE(label_len <= LT_TLS12_PRF_MAX_INPUT, LT_ERR_USAGE);
    for (size_t i = 0; i < n_seeds; i++) {
        LT_ENSURE(seeds[i].p != NULL || seeds[i].len == 0, LT_ERR_USAGE);
        LT_ENSURE(seeds[i].len <= LT_TLS12_PRF_MAX_INPUT - total, LT_ERR_USAGE);
        total += seeds[i].len;
    }
    return prf_derive(digest, secret, secret_len, label, label_len, seeds, n_seeds, out, out_len);
}

int lt_tls12_prf_seeds(lt_hash_alg alg, const uint8_t *secret, size_t secret_len, const uint8_t *label,
                       size_t label_len, const lt_prf_seed *seeds, size_t n_seeds, uint8_t *out, size_t out_len)
{
    LT_ENSURE(out != NULL, LT_ERR_USAGE);
    int rc = prf_seeds(alg, secret, secret_len, label, label_len, seeds, n_seeds, out, out_len);
    if (rc != LT_OK) {
        lt_wipe(out, out_len);
    }
    return rc;
}

int lt_tls12_prf(lt_hash_alg alg, const uint8_t *secret, size_t secret_len, const char *label, const uint8_t *seed1,
                 size_t seed1_len, const uint8_t *seed2, size_t seed2_len, uint8_t *out, size_t out_len)
{
    const lt_prf_seed seeds[2] = {{seed1, seed1_len}, {seed2, seed2_len}};
    LT_ENSURE(label != NULL && out != NULL, LT_ERR_USAGE);
    return lt_tls12_prf_seeds(alg, secret, secret_len, (const uint8_t *)label, strlen(label), seeds, 2, out, out_len);
}

/* ---- HKDF (RFC 5869) and HMAC ---- */

static EVP_KDF *hkdf_get(void)
{
    return CRYPTO_THREAD_run_once(&kdf_once, kdf_fetch) ? kdf_hkdf : NULL;
}

static EVP_MAC *hmac_get(void)
{
    return CRYPTO_THREAD_run_once(&kdf_once, kdf_fetch) ? mac_hmac : NULL;
}

/* One HKDF derivation in the given mode; salt NULL sends no salt (Expand
 * takes none). key is never NULL: libcrypto 3.0 refuses an octet-string
 * parameter without data even when it is empty, so callers pass a valid
 * pointer for an empty input. */
static int hkdf_derive(int mode, const char *digest, const uint8_t *key, size_t key_len, const uint8_t *salt,
                       size_t salt_len, const uint8_t *info, size_t info_len, uint8_t *out, size_t out_len)
{
    EVP_KDF *kdf = hkdf_get();
    OSSL_PARAM params[6];
    OSSL_PARAM *p = params;
    EVP_KDF_CTX *kctx;
    int ok;

    LT_ENSURE(kdf != NULL, LT_ERR_CRYPTO);
    *p++ = OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode);
    *p++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)digest, 0);
    *p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)key, key_len);
    if (salt != NULL) {
        *p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *)salt, salt_len);
    }
    if (info_len > 0) {
        *p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, (void *)info, info_len);
    }
    *p = OSSL_PARAM_construct_end();

    kctx = EVP_KDF_CTX_new(kdf);
    LT_ENSURE(kctx != NULL, LT_ERR_NOMEM);
    ok = EVP_KDF_derive(kctx, out, out_len, params) == 1;
    /* The provider cleanses its copies of the key and salt on free. */
    EVP_KDF_CTX_free(kctx);
    return ok ? LT_OK : LT_ERR_CRYPTO;
}

static int hkdf_extract(lt_hash_alg alg, const uint8_t *salt, size_t salt_len, const uint8_t *ikm, size_t ikm_len,
                        uint8_t *out)
{
    static const uint8_t zeros[LT_MAX_HASH_LEN];
    const char *digest = prf_digest_name(alg);
    size_t hash_len = lt_hash_len(alg);

    LT_ENSURE(digest != NULL, LT_ERR_USAGE);
    LT_ENSURE(salt != NULL || salt_len == 0, LT_ERR_USAGE);
    LT_ENSURE(ikm != NULL || ikm_len == 0, LT_ERR_USAGE);
    /* RFC 5869 2.2: "if not provided, [the salt] is set to a string of
     * HashLen zeros" (RFC 8446 7.1 relies on it for the Early Secret). */
    if (salt_len == 0) {
        salt = zeros;
        salt_len = hash_len;
    }
    /* An empty IKM is legal HKDF input (PRK = HMAC-Hash(salt, "")). */
    if (ikm_len == 0) {
        ikm = zeros;
    }
    return hkdf_derive(EVP_KDF_HKDF_MODE_EXTRACT_ONLY, digest, ikm, ikm_len, salt, salt_len, NULL, 0, out, hash_len);
}

int lt_hkdf_extract(lt_hash_alg alg, const uint8_t *salt, size_t salt_len, const uint8_t *ikm, size_t ikm_len,
                    uint8_t *out)
{
    LT_ENSURE(out != NULL, LT_ERR_USAGE);
    int rc = hkdf_extract(alg, salt, salt_len, ikm, ikm_len, out);
    if (rc != LT_OK) {
        lt_wipe(out, lt_hash_len(alg));
    }
    return rc;
}

static int hkdf_expand(lt_hash_alg alg, const uint8_t *prk, size_t prk_len, const uint8_t *info, size_t info_len,
                       uint8_t *out, size_t out_len)
{
    const char *digest = prf_digest_name(alg);
    size_t hash_len = lt_hash_len(alg);

    LT_ENSURE(digest != NULL && prk != NULL, LT_ERR_USAGE);
    LT_ENSURE(info != NULL || info_len == 0, LT_ERR_USAGE);
    /* RFC 5869 2.3: PRK is "at least HashLen octets"; L <= 255*HashLen. */
    LT_ENSURE(prk_len >= hash_len, LT_ERR_USAGE);
    LT_ENSURE(out_len > 0 && out_len <= 255 * hash_len, LT_ERR_USAGE);
    return hkdf_derive(EVP_KDF_HKDF_MODE_EXPAND_ONLY, digest, prk, prk_len, NULL, 0, info, info_len, out, out_len);
}

int lt_hkdf_expand(lt_hash_alg alg, const uint8_t *prk, size_t prk_len, const uint8_t *info, size_t info_len,
                   uint8_t *out, size_t out_len)
{
    LT_ENSURE(out != NULL, LT_ERR_USAGE);
    int rc = hkdf_expand(alg, prk, prk_len, info, info_len, out, out_len);
    if (rc != LT_OK) {
        lt_wipe(out, out_len);
    }
    return rc;
}

static int hmac_compute(lt_hash_alg alg, const uint8_t *key, size_t key_len, const uint8_t *data, size_t data_len,
                        uint8_t *out, size_t *out_len)
{
    static const uint8_t empty[1];
    const char *digest = prf_digest_name(alg);
    EVP_MAC *mac = hmac_get();
    OSSL_PARAM params[2];
    EVP_MAC_CTX *mctx;
    size_t len = 0;
    int ok;

    LT_ENSURE(digest != NULL, LT_ERR_USAGE);
    LT_ENSURE(key != NULL || key_len == 0, LT_ERR_USAGE);
    LT_ENSURE(data != NULL || data_len == 0, LT_ERR_USAGE);
    LT_ENSURE(mac != NULL, LT_ERR_CRYPTO);
    /* EVP_MAC_init with a NULL key means "keep the key set before" (none
     * here: it fails). An empty key is a valid HMAC key (RFC 2104 2: padded
     * with zeros), so pass it as a real, empty one. */
    if (key_len == 0) {
        key = empty;
    }
    params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)digest, 0);
    params[1] = OSSL_PARAM_construct_end();

    mctx = EVP_MAC_CTX_new(mac);
    LT_ENSURE(mctx != NULL, LT_ERR_NOMEM);
    ok = EVP_MAC_init(mctx, key, key_len, params) == 1 &&
         (data_len == 0 || EVP_MAC_update(mctx, data, data_len) == 1) &&
         EVP_MAC_final(mctx, out, &len, lt_hash_len(alg)) == 1 && len == lt_hash_len(alg);
    /* The provider cleanses the key schedule on free. */
    EVP_MAC_CTX_free(mctx);
    LT_ENSURE(ok, LT_ERR_CRYPTO);
    *out_len = len;
    return LT_OK;
}

int lt_hmac(lt_hash_alg alg, const uint8_t *key, size_t key_len, const uint8_t *data, size_t data_len, uint8_t *out,
            size_t *out_len)
{
    LT_ENSURE(out != NULL && out_len != NULL, LT_ERR_USAGE);
    *out_len = 0;
    int rc = hmac_compute(alg, key, key_len, data, data_len, out, out_len);
    if (rc != LT_OK) {
        lt_wipe(out, lt_hash_len(alg));
    }
    return rc;
}
