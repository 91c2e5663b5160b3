/*
 * The TLS 1.3 key schedule (RFC 8446 7.1-7.5, 4.4.4, 4.6.1): every value is
 * an HKDF-Expand-Label or HKDF-Extract (src/crypto/kdf.c). The HkdfLabel
 * is built with the bounded writer; intermediate secrets live on the stack
 * in fixed buffers and are wiped on every path.
 */
#include "hs/keysched13.h"

#include <string.h>

#include "base/bytes.h"

/* RFC 8446 7.1: HkdfLabel.label = "tls13 " + Label, opaque label<7..255>. */
static const char LABEL_PREFIX[] = "tls13 ";
#define LABEL_PREFIX_LEN (sizeof LABEL_PREFIX - 1)
#define MIN_HKDF_LABEL 7
/* uint16 length, then label<7..255> and context<0..255>, each with a
 * one-byte length. */
#define MAX_HKDF_LABEL_STRUCT (2 + 1 + LT_MAX_HKDF_LABEL + 1 + LT_MAX_HKDF_CONTEXT)

/* TLS 1.3 defines suites over SHA-256 and SHA-384 only (RFC 8446 B.4). */
static size_t tls13_hash_len(lt_hash_alg hash)
{
    return hash == LT_HASH_SHA256 || hash == LT_HASH_SHA384 ? lt_hash_len(hash) : 0;
}

static size_t ks_hash_len(const lt_ks13 *ks)
{
    if (ks == NULL) {
        return 0;
    }
    size_t len = tls13_hash_len(ks->hash);
    return len == ks->hash_len ? len : 0;
}

/* Does Label (without "tls13 ") fit HkdfLabel.label<7..255>? */
static int label_len_ok(size_t label_len)
{
    return label_len >= MIN_HKDF_LABEL - LABEL_PREFIX_LEN && label_len <= LT_MAX_HKDF_LABEL - LABEL_PREFIX_LEN;
}

static int write_hkdf_label(uint8_t *buf, size_t cap, uint16_t out_len, const uint8_t *label, size_t label_len,
                            const uint8_t *context, size_t context_len, size_t *len)
{
    lt_wr w = lt_wr_init(buf, cap);
    lt_wr_u16(&w, out_len);
    size_t mark = lt_wr_open_vec(&w, 1);
    lt_wr_bytes(&w, LABEL_PREFIX, LABEL_PREFIX_LEN);
    lt_wr_bytes(&w, label, label_len);
    lt_wr_close_vec(&w, mark, 1);
    mark = lt_wr_open_vec(&w, 1);
    lt_wr_bytes(&w, context, context_len);
    lt_wr_close_vec(&w, mark, 1);
    LT_GUARD(lt_wr_finish(&w));
    *len = w.off;
    return LT_OK;
}

static int expand_label_checked(lt_hash_alg hash, const uint8_t *secret, const uint8_t *label, size_t label_len,
                                const uint8_t *context, size_t context_len, uint8_t *out, size_t out_len)
{
    uint8_t info[MAX_HKDF_LABEL_STRUCT];
    size_t info_len = 0;
    size_t hash_len = tls13_hash_len(hash);

    LT_ENSURE(hash_len != 0 && secret != NULL && out != NULL, LT_ERR_USAGE);
    LT_ENSURE(label != NULL && label_len_ok(label_len), LT_ERR_USAGE);
    LT_ENSURE(context != NULL || context_len == 0, LT_ERR_USAGE);
    LT_ENSURE(context_len <= LT_MAX_HKDF_CONTEXT, LT_ERR_USAGE);
    /* HkdfLabel.length is a uint16; HKDF-Expand gives at most 255 *
     * HashLen bytes (RFC 5869 2.3), which is the tighter bound. */
    LT_ENSURE(out_len > 0 && out_len <= 255 * hash_len && out_len <= UINT16_MAX, LT_ERR_USAGE);
    LT_GUARD(write_hkdf_label(info, sizeof info, (uint16_t)out_len, label, label_len, context, context_len, &info_len));
    return lt_hkdf_expand(hash, secret, hash_len, info, info_len, out, out_len);
}

/* HKDF-Expand-Label with a label of label_len raw bytes (the exporter's
 * label may hold any byte). out is wiped on failure. */
static int expand_label_raw(lt_hash_alg hash, const uint8_t *secret, const uint8_t *label, size_t label_len,
                            const uint8_t *context, size_t context_len, uint8_t *out, size_t out_len)
{
    int rc = expand_label_checked(hash, secret, label, label_len, context, context_len, out, out_len);
    if (rc != LT_OK && out != NULL) {
        lt_wipe(out, out_len);
    }
    return rc;
}

int lt_ks13_expand_label(lt_hash_alg hash, const uint8_t *secret, const char *label, const uint8_t *context,
                         size_t context_len, uint8_t *out, size_t out_len)
{
    size_t label_len = label != NULL ? strlen(label) : 0;
    return expand_label_raw(hash, secret, (const uint8_t *)label, label_len, context, context_len, out, out_len);
}

/* Transcript-Hash("") = Hash of the empty string: the context of
 * Derive-Secret(., "derived", "") and of the binder keys (RFC 8446 7.1). */
static int empty_hash(lt_hash_alg hash, uint8_t out[LT_MAX_HASH_LEN])
{
    size_t len = 0;
    LT_GUARD(lt_hash_oneshot(hash, "", 0, out, &len));
    LT_ENSURE(len == lt_hash_len(hash), LT_ERR_INTERNAL);
    return LT_OK;
}

static int derive_secret(lt_hash_alg hash, const uint8_t *secret, const char *label, const uint8_t *transcript_hash,
                         uint8_t *out)
{
    size_t hash_len = tls13_hash_len(hash);
    LT_ENSURE(hash_len != 0 && transcript_hash != NULL, LT_ERR_USAGE);
    return lt_ks13_expand_label(hash, secret, label, transcript_hash, hash_len, out, hash_len);
}

/* Derive-Secret(secret, label, "") */
static int derive_secret_empty(lt_hash_alg hash, const uint8_t *secret, const char *label, uint8_t *out)
{
    uint8_t h[LT_MAX_HASH_LEN];
    LT_GUARD(empty_hash(hash, h));
    return derive_secret(hash, secret, label, h, out);
}

int lt_ks13_derive_secret(const lt_ks13 *ks, const uint8_t *secret, const char *label, const uint8_t *transcript_hash,
                          uint8_t *out)
{
    LT_ENSURE(ks_hash_len(ks) != 0, LT_ERR_USAGE);
    return derive_secret(ks->hash, secret, label, transcript_hash, out);
}

int lt_ks13_early(lt_ks13 *ks, lt_hash_alg hash, const uint8_t *psk, size_t psk_len)
{
    /* RFC 8446 7.1: "If a given secret is not available, then the 0-value
     * consisting of a string of Hash.length bytes set to zeros is used."
     * The salt of the first Extract is that 0 too. */
    static const uint8_t zeros[LT_MAX_HASH_LEN];
    size_t hash_len = tls13_hash_len(hash);

    LT_ENSURE(ks != NULL, LT_ERR_USAGE);
    lt_wipe(ks, sizeof *ks);
    LT_ENSURE(hash_len != 0, LT_ERR_USAGE);
    LT_ENSURE(psk != NULL || psk_len == 0, LT_ERR_USAGE);
    ks->hash = hash;
    ks->hash_len = hash_len;
    if (psk_len == 0) {
        psk = zeros;
        psk_len = hash_len;
    }
    return lt_hkdf_extract(hash, zeros, hash_len, psk, psk_len, ks->early);
}

int lt_ks13_binder_key(const lt_ks13 *ks, int external, uint8_t *out)
{
    LT_ENSURE(ks_hash_len(ks) != 0, LT_ERR_USAGE);
    /* RFC 8446 7.1: 'the label is "ext binder" for external PSKs [...] and
     * "res binder" for resumption PSKs', so one cannot stand in for the
     * other. (Not "... binder key": RFC 8448 4's binder is made with these.) */
    return derive_secret_empty(ks->hash, ks->early, external ? "ext binder" : "res binder", out);
}

/* The next stage's Extract: HKDF-Extract(Derive-Secret(from, "derived", ""), ikm). */
static int extract_next(lt_hash_alg hash, const uint8_t *from, const uint8_t *ikm, size_t ikm_len, uint8_t *out)
{
    uint8_t salt[LT_MAX_HASH_LEN];
    int rc = derive_secret_empty(hash, from, "derived", salt);
    if (rc == LT_OK) {
        rc = lt_hkdf_extract(hash, salt, lt_hash_len(hash), ikm, ikm_len, out);
    }
    lt_wipe(salt, sizeof salt);
    return rc;
}

int lt_ks13_handshake(lt_ks13 *ks, const uint8_t *dhe, size_t dhe_len)
{
    LT_ENSURE(ks_hash_len(ks) != 0, LT_ERR_USAGE);
    int rc = LT_ERR_USAGE;
    /* A missing shared secret is a caller's bug, not the 0-value: a psk_ke
     * handshake (no (EC)DHE, RFC 8446 4.2.9) passes Hash.length zeros. */
    if (dhe != NULL && dhe_len > 0) {
        rc = extract_next(ks->hash, ks->early, dhe, dhe_len, ks->handshake);
    }
    lt_wipe(ks->early, sizeof ks->early);
    if (rc != LT_OK) {
        lt_wipe(ks->handshake, sizeof ks->handshake);
    }
    return rc;
}

int lt_ks13_master(lt_ks13 *ks)
{
    static const uint8_t zeros[LT_MAX_HASH_LEN];
    LT_ENSURE(ks_hash_len(ks) != 0, LT_ERR_USAGE);
    /* RFC 8446 7.1: the IKM of the Master Secret is the 0-value. */
    int rc = extract_next(ks->hash, ks->handshake, zeros, ks->hash_len, ks->master);
    lt_wipe(ks->handshake, sizeof ks->handshake);
    if (rc != LT_OK) {
        lt_wipe(ks->master, sizeof ks->master);
    }
    return rc;
}

/* The AEADs TLS 1.3 defines suites for (RFC 8446 B.4); CBC has none. */
static int tls13_cipher_ok(lt_cipher_alg cipher)
{
    return cipher == LT_CIPHER_AES_128_GCM || cipher == LT_CIPHER_AES_256_GCM || cipher == LT_CIPHER_CHACHA20_POLY1305;
}

int lt_ks13_traffic_keys(lt_hash_alg hash, lt_cipher_alg cipher, const uint8_t *secret, uint8_t *key,
                         uint8_t iv[LT_TLS13_IV_LEN])
{
    LT_ENSURE(tls13_cipher_ok(cipher) && key != NULL && iv != NULL, LT_ERR_USAGE);
    size_t key_len = lt_cipher_key_len(cipher);
    LT_ENSURE(key_len > 0 && key_len <= LT_MAX_TLS13_KEY_LEN, LT_ERR_INTERNAL);
    /* RFC 8446 7.3 */
    int rc = lt_ks13_expand_label(hash, secret, "key", NULL, 0, key, key_len);
    if (rc == LT_OK) {
        rc = lt_ks13_expand_label(hash, secret, "iv", NULL, 0, iv, LT_TLS13_IV_LEN);
    }
    if (rc != LT_OK) {
        lt_wipe(key, key_len);
        lt_wipe(iv, LT_TLS13_IV_LEN);
    }
    return rc;
}

static int finished_mac(lt_hash_alg hash, const uint8_t *base_key, const uint8_t *transcript_hash, uint8_t *out)
{
    uint8_t finished_key[LT_MAX_HASH_LEN];
    size_t hash_len = tls13_hash_len(hash);
    size_t mac_len = 0;

    LT_ENSURE(hash_len != 0 && transcript_hash != NULL && out != NULL, LT_ERR_USAGE);
    /* RFC 8446 4.4.4 */
    int rc = lt_ks13_expand_label(hash, base_key, "finished", NULL, 0, finished_key, hash_len);
    if (rc == LT_OK) {
        rc = lt_hmac(hash, finished_key, hash_len, transcript_hash, hash_len, out, &mac_len);
    }
    if (rc == LT_OK && mac_len != hash_len) {
        rc = LT_ERR_INTERNAL;
    }
    lt_wipe(finished_key, sizeof finished_key);
    return rc;
}

int lt_ks13_finished(lt_hash_alg hash, const uint8_t *base_key, const uint8_t *transcript_hash, uint8_t *out)
{
    int rc = finished_mac(hash, base_key, transcript_hash, out);
    if (rc != LT_OK && out != NULL) {
        lt_wipe(out, tls13_hash_len(hash));
    }
    return rc;
}

int lt_ks13_update_traffic_secret(lt_hash_alg hash, uint8_t *secret)
{
    uint8_t next[LT_MAX_HASH_LEN];
    size_t hash_len = tls13_hash_len(hash);

    LT_ENSURE(hash_len != 0 && secret != NULL, LT_ERR_USAGE);
    /* RFC 8446 7.2. Through a copy: HKDF-Expand reads the secret while it
     * writes the output. */
    int rc = lt_ks13_expand_label(hash, secret, "traffic upd", NULL, 0, next, hash_len);
    if (rc == LT_OK) {
        memcpy(secret, next, hash_len);
    }
    lt_wipe(next, sizeof next);
    return rc;
}

int lt_ks13_resumption_psk(lt_hash_alg hash, const uint8_t *resumption_master_secret, const uint8_t *nonce,
                           size_t nonce_len, uint8_t *out)
{
    size_t hash_len = tls13_hash_len(hash);
    LT_ENSURE(hash_len != 0, LT_ERR_USAGE);
    /* RFC 8446 4.6.1; ticket_nonce<0..255> fits the context exactly. */
    return lt_ks13_expand_label(hash, resumption_master_secret, "resumption", nonce, nonce_len, out, hash_len);
}

static int export_value(lt_hash_alg hash, const uint8_t *exporter_master_secret, const char *label, size_t label_len,
                        const uint8_t *context, size_t context_len, uint8_t *out, size_t out_len)
{
    uint8_t empty_h[LT_MAX_HASH_LEN], context_h[LT_MAX_HASH_LEN], secret[LT_MAX_HASH_LEN];
    size_t hash_len = tls13_hash_len(hash);
    size_t len = 0;

    LT_ENSURE(hash_len != 0 && exporter_master_secret != NULL, LT_ERR_USAGE);
    LT_ENSURE(context != NULL || context_len == 0, LT_ERR_USAGE);
    LT_GUARD(empty_hash(hash, empty_h));
    /* RFC 8446 7.5: no context and an empty one hash the same. */
    LT_GUARD(lt_hash_oneshot(hash, context_len > 0 ? (const void *)context : "", context_len, context_h, &len));
    LT_ENSURE(len == hash_len, LT_ERR_INTERNAL);
    /* Derive-Secret(Secret, label, "") */
    int rc = expand_label_raw(hash, exporter_master_secret, (const uint8_t *)label, label_len, empty_h, hash_len,
                              secret, hash_len);
    if (rc == LT_OK) {
        rc = lt_ks13_expand_label(hash, secret, "exporter", context_h, hash_len, out, out_len);
    }
    lt_wipe(secret, sizeof secret);
    return rc;
}

int lt_ks13_export(lt_hash_alg hash, const uint8_t *exporter_master_secret, const char *label, size_t label_len,
                   const uint8_t *context, size_t context_len, uint8_t *out, size_t out_len)
{
    LT_ENSURE(out != NULL, LT_ERR_USAGE);
    int rc = export_value(hash, exporter_master_secret, label, label_len, context, context_len, out, out_len);
    if (rc != LT_OK) {
        lt_wipe(out, out_len);
    }
    return rc;
}
