/*
 * Secrets: wiping, constant-time comparison, randomness, and turning
 * libcrypto's error queue into one line of text.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
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

int lt_test_rng_active(void)
{
    return test_rng != NULL;
}
#endif

#ifdef LT_TEST_HOOKS
static EVP_PKEY *read_key(const char *path)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        return NULL;
    }
    EVP_PKEY *k = PEM_read_PrivateKey(f, NULL, NULL, NULL);
    fclose(f);
    ERR_clear_error();
    return k;
}

/* Written under a temporary name, then renamed: a process running beside us
 * reads a whole key or none. */
static void write_key(const char *path, EVP_PKEY *k)
{
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.%ld.tmp", path, (long)getpid());
    FILE *f = fopen(tmp, "w");
    if (f == NULL) {
        return;
    }
    int ok = PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL) == 1;
    ok = fclose(f) == 0 && ok;
    if (!ok || rename(tmp, path) != 0) {
        remove(tmp);
    }
}

static EVP_PKEY *cached_rsa_key(unsigned bits)
{
    static unsigned next[8]; /* per size class: the index of the next key */
    const char *dir = getenv("LT_TEST_KEY_CACHE");
    if (dir == NULL || dir[0] == '\0' || strlen(dir) > 4000) {
        return NULL;
    }
    unsigned *n = &next[(bits / 1024) & 7];
    char path[4100];
    snprintf(path, sizeof path, "%s/rsa-%u-%u.pem", dir, bits, (*n)++);
    EVP_PKEY *k = read_key(path);
    if (k == NULL && (k = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)bits)) != NULL) {
        write_key(path, k);
    }
    return k;
}
#endif

void *lt_rsa_keygen(unsigned bits)
{
#ifdef LT_TEST_HOOKS
    EVP_PKEY *cached = cached_rsa_key(bits);
    if (cached != NULL) {
        return cached;
    }
#endif
    return EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)bits);
}

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
