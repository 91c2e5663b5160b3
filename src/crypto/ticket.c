/*
 * Session ticket protection (ticket.h): AES-256-GCM through libcrypto, with
 * the key name as additional data (RFC 5077 4 recommends a key name and an
 * AEAD-like construction; RFC 8446 4.6.1 leaves the ticket opaque to the
 * client).
 *
 * Keys: keys[0] is the sealing key; the others only open. A key seals while
 * its age (now - created) is at most rotation_s and opens while its age is at
 * most 2 * rotation_s: a ticket sealed at the last moment of a key still
 * opens for rotation_s more (the lifetime the config gives it). Time is the
 * caller's `now`: a `now` before a key's creation (the wall clock stepped
 * back) counts as age 0, so a clock step neither rotates nor expires.
 *
 * One EVP_CIPHER_CTX per set, bound to the cipher once and keyed per ticket
 * (EVP_CipherInit_ex2 with no cipher re-keys without allocating). The context
 * and the key list are shared by every connection of a config, so one mutex
 * guards both.
 *
 * Keys from a file (ticket_file.c reads and parses it): the file's keys
 * replace the whole list at once, keys[0] the file's first; they neither
 * rotate nor expire by time, and the file is checked again at most once
 * every LT_TICKET_KEY_RECHECK_S seconds of the callers' `now`.
 *
 * Nonces are random (12 bytes, per ticket). GCM with random nonces stays
 * within its bounds for 2^32 messages per key (NIST SP 800-38D 8.3); a key
 * seals for one rotation period, far fewer tickets than that.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "base/bytes.h"
#include "crypto/crypto.h"
#include "crypto/ticket.h"

#define TICKET_SECRET_LEN 32     /* AES-256 */
#define TICKET_MAX_PT 0x7fffffff /* EVP lengths are ints */

typedef struct ticket_key {
    uint8_t name[LT_TICKET_KEY_NAME_LEN];
    uint8_t secret[TICKET_SECRET_LEN];
    uint64_t created;
} ticket_key;

struct lt_ticket_keys {
    pthread_mutex_t mu; /* guards everything below */
    EVP_CIPHER_CTX *ctx;
    uint64_t rotation_s;
    ticket_key keys[LT_TICKET_MAX_KEYS]; /* keys[0] seals; newest first */
    size_t n_keys;
    /* Keys from a file (NULL path: keys of our own, rotated by time). */
    char *path;
    lt_ticket_file_id file_id; /* of the file last read (or tried) */
    uint64_t checked_s;        /* `now` of the last check */
    unsigned reloads;
};

static CRYPTO_ONCE gcm_once = CRYPTO_ONCE_STATIC_INIT;
static EVP_CIPHER *gcm_cipher;

static void gcm_fetch(void)
{
    gcm_cipher = EVP_CIPHER_fetch(NULL, "AES-256-GCM", NULL);
}

static const EVP_CIPHER *gcm(void)
{
    if (!CRYPTO_THREAD_run_once(&gcm_once, gcm_fetch)) {
        return NULL;
    }
    return gcm_cipher;
}

/* ---- the key list (called with the mutex held) ---- */

static uint64_t key_age(const ticket_key *key, uint64_t now)
{
    return now > key->created ? now - key->created : 0;
}

/* Older than 2 * rotation_s (written so that it cannot overflow). */
static int key_expired(const lt_ticket_keys *k, const ticket_key *key, uint64_t now)
{
    uint64_t age = key_age(key, now);
    return age > k->rotation_s && age - k->rotation_s > k->rotation_s;
}

/* The context holds the expanded key of the last ticket it handled: once a
 * key is dropped, reset the context (the provider cleanses its key
 * schedule) and bind the cipher again. Rare (a rotation), so the allocation
 * does not matter. */
static int scrub_ctx(lt_ticket_keys *k)
{
    EVP_CIPHER_CTX_reset(k->ctx);
    return EVP_CipherInit_ex2(k->ctx, gcm(), NULL, NULL, 1, NULL) == 1 ? LT_OK : LT_ERR_CRYPTO;
}

/* Remove keys[i], keeping the order; the freed slot is wiped, so no copy
 * of a dropped key is left in the list. */
static void drop_key(lt_ticket_keys *k, size_t i)
{
    size_t last = k->n_keys - 1;
    if (i < last) {
        memmove(&k->keys[i], &k->keys[i + 1], (last - i) * sizeof k->keys[0]);
    }
    lt_wipe(&k->keys[last], sizeof k->keys[last]);
    k->n_keys = last;
}

static int drop_expired(lt_ticket_keys *k, uint64_t now)
{
    size_t i = 0;
    int dropped = 0;
    while (i < k->n_keys) {
        if (key_expired(k, &k->keys[i], now)) {
            drop_key(k, i);
            dropped = 1;
        } else {
            i++;
        }
    }
    return dropped ? scrub_ctx(k) : LT_OK;
}

/* Make `key` the sealing key: a key of the same name is replaced, and when
 * the list is full the oldest-added key goes. */
static int push_key(lt_ticket_keys *k, const ticket_key *key)
{
    int dropped = 0;
    for (size_t i = 0; i < k->n_keys; i++) {
        if (memcmp(k->keys[i].name, key->name, LT_TICKET_KEY_NAME_LEN) == 0) {
            drop_key(k, i);
            dropped = 1;
            break;
        }
    }
    if (k->n_keys == LT_TICKET_MAX_KEYS) {
        drop_key(k, k->n_keys - 1);
        dropped = 1;
    }
    if (k->n_keys > 0) {
        memmove(&k->keys[1], &k->keys[0], k->n_keys * sizeof k->keys[0]);
    }
    k->keys[0] = *key;
    k->n_keys++;
    return dropped ? scrub_ctx(k) : LT_OK;
}

static int push_random_key(lt_ticket_keys *k, uint64_t now)
{
    ticket_key key;
    int rc = lt_random(key.name, sizeof key.name);
    if (rc == LT_OK) {
        rc = lt_random(key.secret, sizeof key.secret);
    }
    key.created = now;
    if (rc == LT_OK) {
        rc = push_key(k, &key);
    }
    lt_wipe(&key, sizeof key);
    return rc;
}

/* ---- keys from a file (mutex held) ---- */

/* The whole list becomes the file's keys, in its order. */
static int install_file_keys(lt_ticket_keys *k, const lt_ticket_file_keys *fk, uint64_t now)
{
    lt_wipe(k->keys, sizeof k->keys);
    for (size_t i = 0; i < fk->n; i++) {
        memcpy(k->keys[i].name, fk->key[i].name, LT_TICKET_KEY_NAME_LEN);
        memcpy(k->keys[i].secret, fk->key[i].secret, TICKET_SECRET_LEN);
        k->keys[i].created = now;
    }
    k->n_keys = fk->n;
    return scrub_ctx(k);
}

/* At most once per LT_TICKET_KEY_RECHECK_S: when the file changed, load it
 * again; when that fails, keep what we have (the doc's promise: a damaged
 * file must not stop resumption, nor take down the server), and remember
 * the file as it is so that it is read again only once it changes. A clock
 * stepped back counts as time passed. */
static void recheck_file(lt_ticket_keys *k, uint64_t now)
{
    if (now >= k->checked_s && now - k->checked_s < LT_TICKET_KEY_RECHECK_S) {
        return;
    }
    k->checked_s = now;
    lt_ticket_file_id id;
    if (lt_ticket_file_stat(k->path, &id) != LT_OK || memcmp(&id, &k->file_id, sizeof id) == 0) {
        return;
    }
    lt_ticket_file_keys fk;
    lt_ticket_file_id read_id;
    if (lt_ticket_file_load(k->path, &fk, &read_id, NULL, 0) == LT_OK) {
        if (install_file_keys(k, &fk, now) == LT_OK) {
            k->file_id = read_id;
            k->reloads++;
        }
    } else {
        k->file_id = id;
    }
    lt_wipe(&fk, sizeof fk);
}

/* The key that opens tickets named `name`, or NULL. Key names are public
 * (they travel in the clear), so a plain comparison is fine. */
static const ticket_key *find_key(const lt_ticket_keys *k, const uint8_t *name)
{
    for (size_t i = 0; i < k->n_keys; i++) {
        if (memcmp(k->keys[i].name, name, LT_TICKET_KEY_NAME_LEN) == 0) {
            return &k->keys[i];
        }
    }
    return NULL;
}

/* The key to seal with at `now`: expired keys dropped, and a new one when
 * the sealing key is older than rotation_s (or none is left). */
static int sealing_key(lt_ticket_keys *k, uint64_t now, const ticket_key **out)
{
    if (k->path != NULL) {
        recheck_file(k, now);
        *out = &k->keys[0]; /* a file set always has a key */
        return LT_OK;
    }
    LT_GUARD(drop_expired(k, now));
    if (k->n_keys == 0 || key_age(&k->keys[0], now) > k->rotation_s) {
        LT_GUARD(push_random_key(k, now));
    }
    *out = &k->keys[0];
    return LT_OK;
}

/* ---- AES-256-GCM over one ticket (mutex held) ---- */

static int gcm_seal(EVP_CIPHER_CTX *ctx, const ticket_key *key, const uint8_t nonce[LT_TICKET_NONCE_LEN],
                    const uint8_t *pt, size_t pt_len, uint8_t *ct, uint8_t tag[LT_TICKET_TAG_LEN])
{
    OSSL_PARAM params[2];
    int outl = 0, tmp = 0;

    if (EVP_CipherInit_ex2(ctx, NULL, key->secret, nonce, 1, NULL) != 1 ||
        EVP_EncryptUpdate(ctx, NULL, &tmp, key->name, LT_TICKET_KEY_NAME_LEN) != 1) {
        return LT_ERR_CRYPTO;
    }
    if (pt_len > 0 && EVP_EncryptUpdate(ctx, ct, &outl, pt, (int)pt_len) != 1) {
        return LT_ERR_CRYPTO;
    }
    if (EVP_EncryptFinal_ex(ctx, ct + outl, &tmp) != 1 || (size_t)(outl + tmp) != pt_len) {
        return LT_ERR_CRYPTO;
    }
    params[0] = OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG, tag, LT_TICKET_TAG_LEN);
    params[1] = OSSL_PARAM_construct_end();
    return EVP_CIPHER_CTX_get_params(ctx, params) == 1 ? LT_OK : LT_ERR_CRYPTO;
}

/* 1 when the ticket authenticates; the tag comparison is libcrypto's
 * (constant time, in the provider's final). */
static int gcm_open(EVP_CIPHER_CTX *ctx, const ticket_key *key, const uint8_t *nonce, const uint8_t *ct, size_t ct_len,
                    const uint8_t *tag, uint8_t *pt)
{
    OSSL_PARAM params[2];
    int outl = 0, tmp = 0;

    params[0] = OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG, (void *)tag, LT_TICKET_TAG_LEN);
    params[1] = OSSL_PARAM_construct_end();
    return EVP_CipherInit_ex2(ctx, NULL, key->secret, nonce, 0, NULL) == 1 &&
           EVP_DecryptUpdate(ctx, NULL, &tmp, key->name, LT_TICKET_KEY_NAME_LEN) == 1 &&
           (ct_len == 0 || EVP_DecryptUpdate(ctx, pt, &outl, ct, (int)ct_len) == 1) &&
           EVP_CIPHER_CTX_set_params(ctx, params) == 1 &&
           /* GCM's final writes nothing; pt may be NULL for an empty ticket. */
           EVP_DecryptFinal_ex(ctx, ct_len > 0 ? pt + outl : pt, &tmp) == 1;
}

/* ---- the interface ---- */

/* An empty set: no key yet. */
static lt_ticket_keys *keys_alloc(uint64_t rotation_s)
{
    if (rotation_s == 0 || gcm() == NULL) {
        return NULL;
    }
    lt_ticket_keys *k = calloc(1, sizeof *k);
    if (k == NULL) {
        return NULL;
    }
    if (pthread_mutex_init(&k->mu, NULL) != 0) {
        free(k);
        return NULL;
    }
    k->rotation_s = rotation_s;
    k->ctx = EVP_CIPHER_CTX_new();
    if (k->ctx == NULL || EVP_CipherInit_ex2(k->ctx, gcm(), NULL, NULL, 1, NULL) != 1) {
        lt_ticket_keys_free(k);
        return NULL;
    }
    return k;
}

lt_ticket_keys *lt_ticket_keys_new(uint64_t rotation_s, uint64_t now)
{
    lt_ticket_keys *k = keys_alloc(rotation_s);
    if (k != NULL && push_random_key(k, now) != LT_OK) {
        lt_ticket_keys_free(k);
        return NULL;
    }
    return k;
}

lt_ticket_keys *lt_ticket_keys_from_file(const char *path, uint64_t now, char *err, size_t errcap)
{
    if (path == NULL) {
        return NULL;
    }
    lt_ticket_file_keys fk;
    lt_ticket_file_id id;
    if (lt_ticket_file_load(path, &fk, &id, err, errcap) != LT_OK) {
        return NULL;
    }
    /* rotation_s is unused by a file set (nothing expires by time). */
    lt_ticket_keys *k = keys_alloc(1);
    if (k != NULL) {
        k->path = strdup(path);
        if (k->path == NULL || install_file_keys(k, &fk, now) != LT_OK) {
            lt_ticket_keys_free(k);
            k = NULL;
        } else {
            k->file_id = id;
            k->checked_s = now;
        }
    }
    if (k == NULL && err != NULL && errcap > 0) {
        snprintf(err, errcap, "out of memory for ticket keys");
    }
    lt_wipe(&fk, sizeof fk);
    return k;
}

int lt_ticket_keys_file_backed(const lt_ticket_keys *k)
{
    return k != NULL && k->path != NULL;
}

size_t lt_ticket_keys_count(lt_ticket_keys *k)
{
    pthread_mutex_lock(&k->mu);
    size_t n = k->n_keys;
    pthread_mutex_unlock(&k->mu);
    return n;
}

unsigned lt_ticket_keys_reloads(lt_ticket_keys *k)
{
    pthread_mutex_lock(&k->mu);
    unsigned n = k->reloads;
    pthread_mutex_unlock(&k->mu);
    return n;
}

void lt_ticket_keys_free(lt_ticket_keys *k)
{
    if (k == NULL) {
        return;
    }
    /* EVP_CIPHER_CTX_free cleanses the key schedule it holds. */
    EVP_CIPHER_CTX_free(k->ctx);
    pthread_mutex_destroy(&k->mu);
    free(k->path);
    lt_wipe(k, sizeof *k);
    free(k);
}

int lt_ticket_keys_add(lt_ticket_keys *k, const uint8_t name[LT_TICKET_KEY_NAME_LEN], const uint8_t secret[32],
                       uint64_t now)
{
    LT_ENSURE(k != NULL && name != NULL && secret != NULL, LT_ERR_USAGE);
    ticket_key key;
    memcpy(key.name, name, sizeof key.name);
    memcpy(key.secret, secret, sizeof key.secret);
    key.created = now;
    pthread_mutex_lock(&k->mu);
    int rc = push_key(k, &key);
    pthread_mutex_unlock(&k->mu);
    lt_wipe(&key, sizeof key);
    return rc;
}

/* key_name || nonce || ciphertext || tag, written into out. */
static int seal_locked(lt_ticket_keys *k, uint64_t now, const uint8_t *pt, size_t pt_len, lt_wr *w)
{
    const ticket_key *key;
    uint8_t nonce[LT_TICKET_NONCE_LEN];
    LT_GUARD(sealing_key(k, now, &key));
    LT_GUARD(lt_random(nonce, sizeof nonce));
    lt_wr_bytes(w, key->name, LT_TICKET_KEY_NAME_LEN);
    lt_wr_bytes(w, nonce, sizeof nonce);
    uint8_t *ct = lt_wr_reserve(w, pt_len);
    uint8_t *tag = lt_wr_reserve(w, LT_TICKET_TAG_LEN);
    LT_GUARD(lt_wr_finish(w));
    return gcm_seal(k->ctx, key, nonce, pt, pt_len, ct, tag);
}

int lt_ticket_seal(lt_ticket_keys *k, uint64_t now, const uint8_t *pt, size_t pt_len, uint8_t *out, size_t cap,
                   size_t *out_len)
{
    LT_ENSURE(k != NULL && out != NULL && out_len != NULL && (pt != NULL || pt_len == 0), LT_ERR_USAGE);
    *out_len = 0;
    LT_ENSURE(pt_len <= TICKET_MAX_PT && cap >= pt_len + LT_TICKET_OVERHEAD, LT_ERR_USAGE);
    lt_wr w = lt_wr_init(out, cap);
    pthread_mutex_lock(&k->mu);
    int rc = seal_locked(k, now, pt, pt_len, &w);
    pthread_mutex_unlock(&k->mu);
    if (rc != LT_OK) {
        lt_wipe(out, cap);
        return rc;
    }
    *out_len = w.off;
    return LT_OK;
}

/* The parts of a ticket, pointing into it. */
typedef struct ticket_parts {
    const uint8_t *name, *nonce, *ct, *tag;
    size_t ct_len;
} ticket_parts;

static int split_ticket(const uint8_t *ticket, size_t len, ticket_parts *t)
{
    lt_rd r = lt_rd_init(ticket, len);
    LT_ENSURE(len >= LT_TICKET_OVERHEAD, LT_ERR_DECRYPT_ERROR);
    t->ct_len = len - LT_TICKET_OVERHEAD;
    if (lt_rd_bytes(&r, LT_TICKET_KEY_NAME_LEN, &t->name) != LT_OK ||
        lt_rd_bytes(&r, LT_TICKET_NONCE_LEN, &t->nonce) != LT_OK || lt_rd_bytes(&r, t->ct_len, &t->ct) != LT_OK ||
        lt_rd_bytes(&r, LT_TICKET_TAG_LEN, &t->tag) != LT_OK || lt_rd_done(&r) != LT_OK) {
        return LT_ERR_DECRYPT_ERROR;
    }
    return LT_OK;
}

/* 1 when the ticket is ours and authentic. Every reason it is not (unknown
 * or expired key, tag mismatch) is the same 0. */
static int open_locked(lt_ticket_keys *k, uint64_t now, const ticket_parts *t, uint8_t *pt)
{
    if (k->path != NULL) {
        recheck_file(k, now);
    } else if (drop_expired(k, now) != LT_OK) {
        return 0;
    }
    const ticket_key *key = find_key(k, t->name);
    return key != NULL && gcm_open(k->ctx, key, t->nonce, t->ct, t->ct_len, t->tag, pt);
}

int lt_ticket_sealed_by_current_key(lt_ticket_keys *k, uint64_t now, const uint8_t *ticket, size_t len)
{
    if (k == NULL || ticket == NULL || len < LT_TICKET_KEY_NAME_LEN) {
        return 0;
    }
    pthread_mutex_lock(&k->mu);
    const ticket_key *key = NULL;
    int current = sealing_key(k, now, &key) == LT_OK && memcmp(key->name, ticket, LT_TICKET_KEY_NAME_LEN) == 0;
    pthread_mutex_unlock(&k->mu);
    return current;
}

int lt_ticket_open(lt_ticket_keys *k, uint64_t now, const uint8_t *ticket, size_t len, uint8_t *pt, size_t cap,
                   size_t *pt_len)
{
    LT_ENSURE(k != NULL && pt_len != NULL && (ticket != NULL || len == 0) && (pt != NULL || cap == 0), LT_ERR_USAGE);
    *pt_len = 0;
    ticket_parts t;
    /* A ticket whose plaintext could not fit in cap is not one the caller's
     * sealing could have made: refused as any other foreign ticket. */
    int ok = split_ticket(ticket, len, &t) == LT_OK && t.ct_len <= cap && t.ct_len <= TICKET_MAX_PT;
    if (ok) {
        pthread_mutex_lock(&k->mu);
        ok = open_locked(k, now, &t, pt);
        pthread_mutex_unlock(&k->mu);
    }
    if (!ok) {
        lt_wipe(pt, cap);
        return LT_ERR_DECRYPT_ERROR;
    }
    *pt_len = t.ct_len;
    return LT_OK;
}
