/*
 * Record protection: one interface (lt_rc, crypto.h), three schemes.
 *
 *   CBC + HMAC, MAC-then-encrypt or encrypt-then-MAC   record_cbc.c
 *   AEAD with an explicit nonce (TLS 1.2 AES-GCM)       record_aead.c
 *   AEAD with an XOR nonce (TLS 1.2 ChaCha20-Poly1305,  record_aead.c
 *   and every TLS 1.3 AEAD)
 *
 * This file fetches the algorithms (once per process), picks the scheme in
 * lt_rc_new, and holds the public entry points, which check what every
 * scheme relies on (direction, pointers, the 2^14 plaintext limit, the
 * version's ciphertext limit) before handing over through the scheme's
 * rc_ops. Each lt_rc keeps its contexts keyed from lt_rc_new on; seal and
 * open only set a new IV or nonce, so our code allocates nothing per record.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include "base/bytes.h"
#include "base/limits.h"
#include "crypto/crypto.h"
#include "crypto/record_internal.h"

static CRYPTO_ONCE rc_once = CRYPTO_ONCE_STATIC_INIT;
static rc_algs algs;

/* A stitched cipher, or NULL: it must exist and be AEAD-flagged, as libssl
 * checks before driving it with the TLS1_AAD parameter. */
static EVP_CIPHER *fetch_stitched(const char *name)
{
    EVP_CIPHER *c = EVP_CIPHER_fetch(NULL, name, NULL);

    if (c != NULL && (EVP_CIPHER_get_flags(c) & EVP_CIPH_FLAG_AEAD_CIPHER) == 0) {
        EVP_CIPHER_free(c);
        c = NULL;
    }
    return c;
}

static void rc_fetch_all(void)
{
    const char *no_stitched = getenv("LT_NO_STITCHED");

    algs.aes128_cbc = EVP_CIPHER_fetch(NULL, "AES-128-CBC", NULL);
    algs.aes256_cbc = EVP_CIPHER_fetch(NULL, "AES-256-CBC", NULL);
    algs.aes128_gcm = EVP_CIPHER_fetch(NULL, "AES-128-GCM", NULL);
    algs.aes256_gcm = EVP_CIPHER_fetch(NULL, "AES-256-GCM", NULL);
    algs.chacha20_poly1305 = EVP_CIPHER_fetch(NULL, "ChaCha20-Poly1305", NULL);
    algs.hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    if (no_stitched != NULL && no_stitched[0] != '\0' && strcmp(no_stitched, "0") != 0) {
        return;
    }
    /* Fetching fails quietly on CPUs without AES-NI; do not leave that on
     * the error queue for someone else to find. */
    ERR_set_mark();
    algs.aes128_sha1 = fetch_stitched("AES-128-CBC-HMAC-SHA1");
    algs.aes256_sha1 = fetch_stitched("AES-256-CBC-HMAC-SHA1");
    algs.aes128_sha256 = fetch_stitched("AES-128-CBC-HMAC-SHA256");
    algs.aes256_sha256 = fetch_stitched("AES-256-CBC-HMAC-SHA256");
    algs.aes128_ecb = EVP_CIPHER_fetch(NULL, "AES-128-ECB", NULL);
    algs.aes256_ecb = EVP_CIPHER_fetch(NULL, "AES-256-ECB", NULL);
    ERR_pop_to_mark();
}

const rc_algs *rc_fetched(void)
{
    return CRYPTO_THREAD_run_once(&rc_once, rc_fetch_all) ? &algs : NULL;
}

const EVP_CIPHER *rc_cipher_for(lt_cipher_alg c)
{
    switch (c) {
    case LT_CIPHER_AES_128_CBC: return algs.aes128_cbc;
    case LT_CIPHER_AES_256_CBC: return algs.aes256_cbc;
    case LT_CIPHER_AES_128_GCM: return algs.aes128_gcm;
    case LT_CIPHER_AES_256_GCM: return algs.aes256_gcm;
    case LT_CIPHER_CHACHA20_POLY1305: return algs.chacha20_poly1305;
    }
    return NULL;
}

const char *rc_mac_digest_name(lt_mac_alg m)
{
    switch (m) {
    case LT_MAC_HMAC_SHA1: return "SHA1";
    case LT_MAC_HMAC_SHA256: return "SHA256";
    case LT_MAC_HMAC_SHA384: return "SHA384";
    case LT_MAC_NONE: break;
    }
    return NULL;
}

void rc_tls12_mac_header(uint8_t out[RC_TLS12_MAC_HEADER_LEN], uint64_t seq, const uint8_t header5[5], size_t len)
{
    lt_put_u64(out, seq);
    out[8] = header5[0];
    out[9] = header5[1];
    out[10] = header5[2];
    lt_put_u16(out + 11, (uint16_t)len);
}

static int is_cbc(lt_cipher_alg c)
{
    return c == LT_CIPHER_AES_128_CBC || c == LT_CIPHER_AES_256_CBC;
}

static int is_gcm(lt_cipher_alg c)
{
    return c == LT_CIPHER_AES_128_GCM || c == LT_CIPHER_AES_256_GCM;
}

size_t lt_cipher_key_len(lt_cipher_alg c)
{
    switch (c) {
    case LT_CIPHER_AES_128_CBC:
    case LT_CIPHER_AES_128_GCM: return 16;
    case LT_CIPHER_AES_256_CBC:
    case LT_CIPHER_AES_256_GCM:
    case LT_CIPHER_CHACHA20_POLY1305: return 32;
    }
    return 0;
}

size_t lt_cipher_fixed_iv_len(lt_cipher_alg c, uint16_t version)
{
    if (is_cbc(c)) {
        /* RFC 5246 6.3: TLS 1.2 CBC uses explicit per-record IVs, so the
         * key block holds none (and TLS 1.3 has no CBC). */
        return 0;
    }
    if (version == LT_TLS1_3 || c == LT_CIPHER_CHACHA20_POLY1305) {
        /* RFC 8446 5.3: iv_length = max(8, N_MIN) = 12 for the TLS 1.3
         * AEADs; RFC 7905 2: fixed_iv_length 12 for ChaCha20-Poly1305. */
        return 12;
    }
    /* RFC 5288 3: TLS 1.2 GCM takes a 4-byte salt from the key block. */
    return is_gcm(c) ? 4 : 0;
}

size_t lt_mac_key_len(lt_mac_alg m)
{
    switch (m) {
    case LT_MAC_NONE: return 0;
    case LT_MAC_HMAC_SHA1: return 20;
    case LT_MAC_HMAC_SHA256: return 32;
    case LT_MAC_HMAC_SHA384: return 48;
    }
    return 0;
}

/* The scheme for a set of keys, or NULL when the combination is not one
 * that TLS defines. */
static const rc_ops *pick_scheme(const lt_rc_keys *k, int enc)
{
    if (k->key == NULL || rc_cipher_for(k->cipher) == NULL) {
        return NULL;
    }
    if (k->version == LT_TLS1_2 && is_cbc(k->cipher)) {
        if (rc_mac_digest_name(k->mac) == NULL || k->mac_key == NULL || rc_fetched()->hmac == NULL) {
            return NULL;
        }
        if (k->encrypt_then_mac) {
            /* RFC 7366 3; the stitched ciphers only do MAC-then-encrypt. */
            return &lt_rc_cbc_etm;
        }
        return enc && rc_cbc_stitched_available(k->cipher, k->mac) ? &lt_rc_cbc_mte_stitched : &lt_rc_cbc_mte;
    }
    /* Everything else is an AEAD: no MAC key, no encrypt-then-MAC (RFC 7366
     * 3: "AEAD ciphers ... do not use it"), and the fixed IV the version
     * needs. */
    if (is_cbc(k->cipher) || k->mac != LT_MAC_NONE || k->encrypt_then_mac || k->iv == NULL) {
        return NULL;
    }
    if (k->version == LT_TLS1_3) {
        return &lt_rc_aead_tls13;
    }
    if (k->version != LT_TLS1_2) {
        return NULL;
    }
    return is_gcm(k->cipher) ? &lt_rc_aead_explicit : &lt_rc_aead_xor12;
}

void lt_rc_free(lt_rc *rc)
{
    if (rc == NULL) {
        return;
    }
    /* The providers cleanse their key schedules and HMAC keys on free. */
    if (rc->ops != NULL) {
        rc->ops->free(rc);
    }
    OPENSSL_cleanse(rc, sizeof(*rc));
    free(rc);
}

lt_rc *lt_rc_new(const lt_rc_keys *keys, int enc)
{
    const rc_ops *ops;
    lt_rc *rc;
    int ok;

    if (keys == NULL || rc_fetched() == NULL) {
        return NULL;
    }
    ops = pick_scheme(keys, enc);
    if (ops == NULL) {
        return NULL;
    }
    rc = calloc(1, sizeof(*rc));
    if (rc == NULL) {
        return NULL;
    }
    rc->version = keys->version;
    rc->cipher = keys->cipher;
    rc->mac = keys->mac;
    rc->enc = enc ? 1 : 0;
    rc->mac_len = lt_mac_key_len(keys->mac);
    rc->iv_len = lt_cipher_fixed_iv_len(keys->cipher, keys->version);
    rc->ops = ops;
    ok = ops->init(rc, keys) == LT_OK;
    if (!ok && ops == &lt_rc_cbc_mte_stitched) {
        /* libcrypto refused the stitched cipher for these keys: seal in
         * two passes instead. Its failure stays off the error queue. */
        ops->free(rc);
        rc->ops = &lt_rc_cbc_mte;
        ok = lt_rc_cbc_mte.init(rc, keys) == LT_OK;
    }
    if (!ok) {
        lt_rc_free(rc);
        return NULL;
    }
    return rc;
}

uint16_t lt_rc_version(const lt_rc *rc)
{
    return rc->version;
}

size_t lt_rc_overhead(const lt_rc *rc)
{
    return rc->ops->overhead(rc);
}

size_t lt_rc_prefix_len(const lt_rc *rc)
{
    return rc->prefix_len;
}

int lt_rc_seal(lt_rc *rc, uint64_t seq, uint8_t type, uint8_t header5[5], uint8_t *buf, size_t pt_len, size_t *frag_len)
{
    LT_ENSURE(rc != NULL && buf != NULL, LT_ERR_USAGE);
    return lt_rc_seal_from(rc, seq, type, header5, buf, buf + rc->prefix_len, pt_len, frag_len);
}

int lt_rc_seal_from(lt_rc *rc, uint64_t seq, uint8_t type, uint8_t header5[5], uint8_t *buf, const uint8_t *pt,
                    size_t pt_len, size_t *frag_len)
{
    size_t n = 0;

    LT_ENSURE(rc != NULL && rc->enc && header5 != NULL && buf != NULL && frag_len != NULL, LT_ERR_USAGE);
    LT_ENSURE(pt != NULL || pt_len == 0, LT_ERR_USAGE);
    /* RFC 5246 6.2.1, RFC 8446 5.1: a fragment carries at most 2^14 bytes. */
    LT_ENSURE(pt_len <= LT_MAX_PLAINTEXT, LT_ERR_USAGE);
    header5[0] = type;
    LT_GUARD(rc->ops->seal(rc, seq, type, header5, buf, pt, pt_len, &n));
    lt_put_u16(header5 + 3, (uint16_t)n);
    *frag_len = n;
    return LT_OK;
}

int lt_rc_open(lt_rc *rc, uint64_t seq, const uint8_t header5[5], uint8_t *buf, size_t frag_len, uint8_t *type,
               uint8_t **pt, size_t *pt_len)
{
    LT_ENSURE(rc != NULL && !rc->enc && header5 != NULL && type != NULL && pt != NULL && pt_len != NULL, LT_ERR_USAGE);
    LT_ENSURE(buf != NULL || frag_len == 0, LT_ERR_USAGE);
    /* A public length: RFC 5246 6.2.3 ("MUST NOT exceed 2^14 + 2048") and
     * RFC 8446 5.2 ("MUST NOT exceed 2^14 + 256"), record_overflow both
     * (RFC 5246 7.2.2, RFC 8446 6.2). The record layer checks the header
     * first; this keeps a direct caller inside the limits too. */
    if (frag_len > lt_max_ciphertext(rc->version)) {
        return LT_ERR_RECORD_OVERFLOW;
    }
    return rc->ops->open(rc, seq, header5, buf, frag_len, type, pt, pt_len);
}
