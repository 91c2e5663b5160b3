/*
 * Hashes: the running handshake transcript and one-shot digests. The EVP_MD
 * objects are fetched once per process.
 */
#include <stdlib.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "crypto/crypto.h"

static CRYPTO_ONCE md_once = CRYPTO_ONCE_STATIC_INIT;
static EVP_MD *md_sha1;
static EVP_MD *md_sha256;
static EVP_MD *md_sha384;

static void md_fetch_all(void)
{
    /* A fetch failure leaves the pointer NULL; users return LT_ERR_CRYPTO. */
    md_sha1 = EVP_MD_fetch(NULL, "SHA1", NULL);
    md_sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
    md_sha384 = EVP_MD_fetch(NULL, "SHA384", NULL);
}

static const EVP_MD *md_for(lt_hash_alg alg)
{
    if (!CRYPTO_THREAD_run_once(&md_once, md_fetch_all)) {
        return NULL;
    }
    switch (alg) {
    case LT_HASH_SHA1: return md_sha1;
    case LT_HASH_SHA256: return md_sha256;
    case LT_HASH_SHA384: return md_sha384;
    }
    return NULL;
}

size_t lt_hash_len(lt_hash_alg alg)
{
    switch (alg) {
    case LT_HASH_SHA1: return 20;
    case LT_HASH_SHA256: return 32;
    case LT_HASH_SHA384: return 48;
    }
    return 0;
}

const char *lt_hash_name(lt_hash_alg alg)
{
    switch (alg) {
    case LT_HASH_SHA1: return "SHA-1";
    case LT_HASH_SHA256: return "SHA-256";
    case LT_HASH_SHA384: return "SHA-384";
    }
    return "unknown";
}

struct lt_hash {
    EVP_MD_CTX *ctx;
    lt_hash_alg alg;
};

lt_hash *lt_hash_new(lt_hash_alg alg)
{
    const EVP_MD *md = md_for(alg);
    lt_hash *h;

    if (md == NULL) {
        return NULL;
    }
    h = calloc(1, sizeof(*h));
    if (h == NULL) {
        return NULL;
    }
    h->alg = alg;
    h->ctx = EVP_MD_CTX_new();
    if (h->ctx == NULL || EVP_DigestInit_ex2(h->ctx, md, NULL) != 1) {
        lt_hash_free(h);
        return NULL;
    }
    return h;
}

int lt_hash_update(lt_hash *h, const void *p, size_t n)
{
    LT_ENSURE(h != NULL, LT_ERR_USAGE);
    if (n == 0) {
        return LT_OK;
    }
    LT_ENSURE(EVP_DigestUpdate(h->ctx, p, n) == 1, LT_ERR_CRYPTO);
    return LT_OK;
}

int lt_hash_peek_with(const lt_hash *h, const void *extra, size_t extra_len, uint8_t *out, size_t *outlen)
{
    EVP_MD_CTX *copy;
    unsigned int len = 0;
    int ok;

    LT_ENSURE(h != NULL && out != NULL && outlen != NULL, LT_ERR_USAGE);
    /* Finish a copy, so the running hash goes on (e.g. the transcript hash
     * for Finished while later messages are still to come). */
    copy = EVP_MD_CTX_new();
    LT_ENSURE(copy != NULL, LT_ERR_NOMEM);
    ok = EVP_MD_CTX_copy_ex(copy, h->ctx) == 1 && (extra_len == 0 || EVP_DigestUpdate(copy, extra, extra_len) == 1) &&
         EVP_DigestFinal_ex(copy, out, &len) == 1;
    EVP_MD_CTX_free(copy);
    LT_ENSURE(ok, LT_ERR_CRYPTO);
    *outlen = len;
    return LT_OK;
}

int lt_hash_peek(const lt_hash *h, uint8_t *out, size_t *outlen)
{
    return lt_hash_peek_with(h, NULL, 0, out, outlen);
}

void lt_hash_free(lt_hash *h)
{
    if (h == NULL) {
        return;
    }
    EVP_MD_CTX_free(h->ctx);
    free(h);
}

int lt_hash_oneshot(lt_hash_alg alg, const void *p, size_t n, uint8_t *out, size_t *outlen)
{
    const EVP_MD *md = md_for(alg);
    unsigned int len = 0;

    LT_ENSURE(out != NULL && outlen != NULL, LT_ERR_USAGE);
    LT_ENSURE(md != NULL, LT_ERR_CRYPTO);
    LT_ENSURE(EVP_Digest(p, n, out, &len, md, NULL) == 1, LT_ERR_CRYPTO);
    *outlen = len;
    return LT_OK;
}
