/*
 * Secrets: wiping, constant-time comparison, randomness, and turning
 * libcrypto's error queue into one line of text.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/rand.h>

#include "crypto/crypto.h"

void lt_wipe(void *p, size_t n)
{
    if (p != NULL && n > 0) {
        OPENSSL_cleanse(p, n);
    }
}

int lt_ct_eq(const void *a, const void *b, size_t n)
{
    /* CRYPTO_memcmp takes time that depends only on n. */
    return CRYPTO_memcmp(a, b, n) == 0;
}

#ifdef LT_TEST_HOOKS
/* Test builds only: a deterministic RNG so tests can build exact records. */
static lt_rng_fn test_rng;
static void *test_rng_arg;

void lt_test_set_rng(lt_rng_fn fn, void *arg)
{
    test_rng = fn;
    test_rng_arg = arg;
}
#endif

int lt_random(void *buf, size_t n)
{
    if (n == 0) {
        return LT_OK;
    }
#ifdef LT_TEST_HOOKS
    if (test_rng != NULL) {
        test_rng(test_rng_arg, (uint8_t *)buf, n);
        return LT_OK;
    }
#endif
    /* RAND_bytes takes an int; the callers ask for at most a few dozen bytes,
     * but refuse anything that would not fit rather than truncate. */
    if (n > 0x7fffffff) {
        return LT_ERR_INTERNAL;
    }
    if (RAND_bytes((unsigned char *)buf, (int)n) != 1) {
        return LT_ERR_CRYPTO;
    }
    return LT_OK;
}

void lt_crypto_last_error(char *buf, size_t cap)
{
    unsigned long e;
    unsigned long last = 0;

    if (buf == NULL || cap == 0) {
        ERR_clear_error();
        return;
    }
    /* The last error queued is usually the most specific one; drain the
     * queue so a stale error is never reported for a later failure. */
    while ((e = ERR_get_error()) != 0) {
        last = e;
    }
    if (last == 0) {
        snprintf(buf, cap, "no libcrypto error recorded");
        return;
    }
    ERR_error_string_n(last, buf, cap);
}
