/*
 * The TLS 1.2 PRF (RFC 5246 section 5) through libcrypto's "TLS1-PRF" KDF.
 * The KDF is fetched once per process; a KDF context is made per call (a
 * handful of calls per handshake, never per record).
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

static void kdf_fetch(void)
{
    kdf_tls1_prf = EVP_KDF_fetch(NULL, "TLS1-PRF", NULL);
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

int lt_tls12_prf(lt_hash_alg alg, const uint8_t *secret, size_t secret_len, const char *label, const uint8_t *seed1,
                 size_t seed1_len, const uint8_t *seed2, size_t seed2_len, uint8_t *out, size_t out_len)
{
    const char *digest = prf_digest_name(alg);
    OSSL_PARAM params[6];
    OSSL_PARAM *p = params;
    EVP_KDF_CTX *kctx;
    int ok;

    LT_ENSURE(digest != NULL && label != NULL && out != NULL && out_len > 0, LT_ERR_USAGE);
    LT_ENSURE(secret != NULL || secret_len == 0, LT_ERR_USAGE);
    LT_ENSURE(seed1 != NULL || seed1_len == 0, LT_ERR_USAGE);
    LT_ENSURE(seed2 != NULL || seed2_len == 0, LT_ERR_USAGE);
    LT_ENSURE(CRYPTO_THREAD_run_once(&kdf_once, kdf_fetch) && kdf_tls1_prf != NULL, LT_ERR_CRYPTO);

    /* PRF(secret, label, seed) = P_<hash>(secret, label + seed): the provider
     * concatenates every SEED parameter in order, so the label goes first. */
    *p++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)digest, 0);
    *p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SECRET, (void *)secret, secret_len);
    *p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SEED, (void *)label, strlen(label));
    if (seed1_len > 0) {
        *p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SEED, (void *)seed1, seed1_len);
    }
    if (seed2_len > 0) {
        *p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SEED, (void *)seed2, seed2_len);
    }
    *p = OSSL_PARAM_construct_end();

    kctx = EVP_KDF_CTX_new(kdf_tls1_prf);
    LT_ENSURE(kctx != NULL, LT_ERR_NOMEM);
    ok = EVP_KDF_derive(kctx, out, out_len, params) == 1;
    /* The context's copy of the secret is cleansed by the provider on free. */
    EVP_KDF_CTX_free(kctx);
    if (!ok) {
        lt_wipe(out, out_len);
        return LT_ERR_CRYPTO;
    }
    return LT_OK;
}
