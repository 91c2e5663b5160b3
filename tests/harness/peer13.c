/* A TLS 1.3 peer's tools for in-memory tests (peer13.h). Test code: it
 * seals records with libcrypto itself, like tests/unit/test_crypto_record.c;
 * the library keeps OpenSSL in src/crypto. */
#include "peer13.h"

#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "hs/keysched13.h"
#include "hs/suites.h"
#include "record/record.h"
#include "test.h"

/* ---- the key log: traffic secrets to seal with ---- */

void keylog_cb(void *arg, const lt_conn *c, const char *line)
{
    (void)c;
    keylog *k = arg;
    if (k->n < KEYLOG_LINES) {
        snprintf(k->line[k->n++], sizeof k->line[0], "%s", line);
    }
}

/* The secret of the latest "LABEL <client_random> <secret>" line; its
 * length, or 0. */
size_t keylog_secret(const keylog *k, const char *label, uint8_t out[LT_MAX_HASH_LEN])
{
    size_t ll = strlen(label);
    for (int i = k->n - 1; i >= 0; i--) {
        const char *l = k->line[i];
        if (strncmp(l, label, ll) != 0 || l[ll] != ' ') {
            continue;
        }
        const char *sp = strchr(l + ll + 1, ' ');
        if (sp == NULL) {
            return 0;
        }
        return lt_test_unhex(sp + 1, out, LT_MAX_HASH_LEN);
    }
    return 0;
}

/* ---- sealing and opening records as a peer would ---- */

lt_rc *rc_for(const lt_conn *c, const uint8_t *secret, int enc)
{
    const lt_suite *s = lt_suite_find(lt_conn_cipher_suite(c));
    if (s == NULL || s->version != LT_TLS1_3) {
        return NULL;
    }
    uint8_t key[LT_MAX_TLS13_KEY_LEN], iv[LT_TLS13_IV_LEN];
    if (lt_ks13_traffic_keys(s->prf_hash, s->cipher, secret, key, iv) != LT_OK) {
        return NULL;
    }
    lt_rc_keys k = {.version = LT_TLS1_3, .cipher = s->cipher, .mac = LT_MAC_NONE, .key = key, .iv = iv};
    return lt_rc_new(&k, enc);
}

static const EVP_CIPHER *evp_cipher(lt_cipher_alg c)
{
    switch (c) {
    case LT_CIPHER_AES_128_GCM: return EVP_aes_128_gcm();
    case LT_CIPHER_AES_256_GCM: return EVP_aes_256_gcm();
    case LT_CIPHER_CHACHA20_POLY1305: return EVP_chacha20_poly1305();
    default: return NULL;
    }
}

/* One record as RFC 8446 5.2 builds it, with libcrypto's AEAD directly
 * (not the library's record code, and without its limits): the whole
 * TLSInnerPlaintext (content, type, zeros) is given, under the traffic
 * keys of `secret` (7.3, the suite is c's) and the nonce of seq (5.3).
 * Returns the record's length (0 on failure). */
size_t seal_inner(const lt_conn *c, const uint8_t *secret, uint64_t seq, const uint8_t *inner, size_t n, uint8_t *out)
{
    const lt_suite *s = lt_suite_find(lt_conn_cipher_suite(c));
    uint8_t key[LT_MAX_TLS13_KEY_LEN], iv[LT_TLS13_IV_LEN];
    if (s == NULL || s->version != LT_TLS1_3 || n + 16 > 0xFFFF ||
        lt_ks13_traffic_keys(s->prf_hash, s->cipher, secret, key, iv) != LT_OK) {
        return 0;
    }
    for (int i = 0; i < 8; i++) {
        iv[LT_TLS13_IV_LEN - 1 - i] ^= (uint8_t)(seq >> (8 * i));
    }
    size_t frag = n + 16;
    out[0] = LT_CT_APPLICATION_DATA, out[1] = 3, out[2] = 3;
    out[3] = (uint8_t)(frag >> 8), out[4] = (uint8_t)frag;
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int len = 0, ok = ctx != NULL && EVP_EncryptInit_ex(ctx, evp_cipher(s->cipher), NULL, key, iv) == 1 &&
                      EVP_EncryptUpdate(ctx, NULL, &len, out, REC_HDR) == 1 &&
                      EVP_EncryptUpdate(ctx, out + REC_HDR, &len, inner, (int)n) == 1 &&
                      EVP_EncryptFinal_ex(ctx, out + REC_HDR + len, &len) == 1 &&
                      EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, 16, out + REC_HDR + n) == 1;
    EVP_CIPHER_CTX_free(ctx);
    return ok ? REC_HDR + frag : 0;
}

/* A record with content pt of type `type` and no padding. */
size_t seal13(const lt_conn *c, const uint8_t *secret, uint64_t seq, uint8_t type, const uint8_t *pt, size_t n,
              uint8_t *out)
{
    uint8_t *inner = malloc(n + 1);
    if (inner == NULL) {
        return 0;
    }
    if (n > 0) {
        memcpy(inner, pt, n);
    }
    inner[n] = type;
    size_t len = seal_inner(c, secret, seq, inner, n + 1, out);
    free(inner);
    return len;
}

/* Opens one record sealed under `secret` at seq: the content (into pt,
 * up to cap) and its type; its length, or (size_t)-1. */
size_t open13(const lt_conn *c, const uint8_t *secret, uint64_t seq, const uint8_t *rec, size_t rec_len, uint8_t *type,
              uint8_t *pt, size_t cap)
{
    lt_rc *rc = rc_for(c, secret, 0);
    uint8_t *copy = malloc(rec_len);
    uint8_t *got = NULL;
    size_t n = 0;
    int ok = rc != NULL && copy != NULL;
    if (ok) {
        memcpy(copy, rec, rec_len);
        ok = lt_rc_open(rc, seq, copy, copy + REC_HDR, rec_len - REC_HDR, type, &got, &n) == LT_OK && n <= cap;
    }
    if (ok) {
        memcpy(pt, got, n);
    }
    free(copy);
    lt_rc_free(rc);
    return ok ? n : (size_t)-1;
}

/* Feeds bytes straight into a connection, as if they came from its peer. */
int feed_all(lt_conn *c, const uint8_t *p, size_t n)
{
    size_t off = 0;
    while (off < n) {
        size_t used = 0;
        int rc = lt_conn_feed(c, p + off, n - off, &used);
        if (rc < 0) {
            return rc;
        }
        if (used == 0) {
            uint8_t sink[4096];
            size_t got = 0;
            if (lt_conn_read(c, sink, sizeof sink, &got) != LT_OK || got == 0) {
                return LT_ERR_INTERNAL;
            }
        }
        off += used;
    }
    return LT_OK;
}
