/*
 * The TLS 1.3 key schedule (RFC 8446 7): HKDF-Extract and
 * HKDF-Expand-Label from libcrypto (src/crypto), arranged as section 7.1
 * draws it:
 *
 *              0
 *              |
 *   PSK ->  HKDF-Extract = Early Secret
 *              +--> Derive-Secret(., "res binder" | "ext binder", "")
 *              v
 *        Derive-Secret(., "derived", "")
 *              |
 *   (EC)DHE -> HKDF-Extract = Handshake Secret
 *              +--> Derive-Secret(., "c hs traffic", ClientHello...ServerHello)
 *              +--> Derive-Secret(., "s hs traffic", ClientHello...ServerHello)
 *              v
 *        Derive-Secret(., "derived", "")
 *              |
 *     0 -> HKDF-Extract = Master Secret
 *              +--> "c ap traffic", "s ap traffic", "exp master"
 *              |    (ClientHello...server Finished)
 *              +--> "res master" (ClientHello...client Finished)
 *
 * Pure functions over fixed-size buffers; the state machine narrates them.
 * Secrets are hash-sized (32 or 48 bytes) and live in lt_ks13, which its
 * owner wipes.
 */
#ifndef LT_HS_KEYSCHED13_H
#define LT_HS_KEYSCHED13_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/crypto.h"

#define LT_TLS13_IV_LEN 12      /* every TLS 1.3 AEAD we have (RFC 8446 5.3) */
#define LT_MAX_TLS13_KEY_LEN 32 /* AES-256-GCM, ChaCha20-Poly1305 */
#define LT_MAX_HKDF_LABEL 255   /* opaque label<7..255>, "tls13 " included */
#define LT_MAX_HKDF_CONTEXT 255 /* opaque context<0..255> */

/* The current stage of the schedule: each secret replaces the one before
 * (the early secret is not needed once the handshake secret exists). */
typedef struct lt_ks13 {
    lt_hash_alg hash;
    size_t hash_len;
    uint8_t early[LT_MAX_HASH_LEN];     /* Early Secret */
    uint8_t handshake[LT_MAX_HASH_LEN]; /* Handshake Secret */
    uint8_t master[LT_MAX_HASH_LEN];    /* Master Secret */
} lt_ks13;

/*
 * HKDF-Expand-Label(Secret, Label, Context, Length) =
 *     HKDF-Expand(Secret, HkdfLabel, Length)
 * struct { uint16 length; opaque label<7..255> = "tls13 " + Label;
 *          opaque context<0..255>; } HkdfLabel;          (7.1)
 * LT_ERR_USAGE when the label or context does not fit the struct.
 */
LT_MUST_USE int lt_ks13_expand_label(lt_hash_alg hash, const uint8_t *secret, const char *label, const uint8_t *context,
                                     size_t context_len, uint8_t *out, size_t out_len);

/* Derive-Secret(Secret, Label, Messages) with Transcript-Hash(Messages)
 * already computed (hash_len bytes): Expand-Label(Secret, Label, hash,
 * Hash.length). out gets Hash.length bytes. */
LT_MUST_USE int lt_ks13_derive_secret(const lt_ks13 *ks, const uint8_t *secret, const char *label,
                                      const uint8_t *transcript_hash, uint8_t *out);

/* Early Secret = HKDF-Extract(0, PSK); psk NULL (or psk_len 0) means a
 * string of Hash.length zeros (no PSK: 7.1). Sets ks->hash. */
LT_MUST_USE int lt_ks13_early(lt_ks13 *ks, lt_hash_alg hash, const uint8_t *psk, size_t psk_len);
/* The binder key: Derive-Secret(Early Secret, "res binder" (resumption)
 * or "ext binder" (external), ""). */
LT_MUST_USE int lt_ks13_binder_key(const lt_ks13 *ks, int external, uint8_t *out);
/* Handshake Secret = HKDF-Extract(Derive-Secret(Early, "derived", ""),
 * (EC)DHE shared secret). Wipes the early secret. */
LT_MUST_USE int lt_ks13_handshake(lt_ks13 *ks, const uint8_t *dhe, size_t dhe_len);
/* Master Secret = HKDF-Extract(Derive-Secret(Handshake, "derived", ""), 0).
 * Wipes the handshake secret. */
LT_MUST_USE int lt_ks13_master(lt_ks13 *ks);

/* The traffic keys of one traffic secret (7.3):
 *   key = HKDF-Expand-Label(Secret, "key", "", key_length)
 *   iv  = HKDF-Expand-Label(Secret, "iv", "", iv_length)
 * key gets lt_cipher_key_len(cipher) bytes, iv LT_TLS13_IV_LEN. */
LT_MUST_USE int lt_ks13_traffic_keys(lt_hash_alg hash, lt_cipher_alg cipher, const uint8_t *secret, uint8_t *key,
                                     uint8_t iv[LT_TLS13_IV_LEN]);

/* Finished (4.4.4):
 *   finished_key = HKDF-Expand-Label(BaseKey, "finished", "", Hash.length)
 *   verify_data = HMAC(finished_key, Transcript-Hash(Context, Certificate*,
 *                 CertificateVerify*))
 * out gets Hash.length bytes. */
LT_MUST_USE int lt_ks13_finished(lt_hash_alg hash, const uint8_t *base_key, const uint8_t *transcript_hash,
                                 uint8_t *out);

/* KeyUpdate (7.2): application_traffic_secret_N+1 =
 *   HKDF-Expand-Label(application_traffic_secret_N, "traffic upd", "", Hash.length)
 * in place. */
LT_MUST_USE int lt_ks13_update_traffic_secret(lt_hash_alg hash, uint8_t *secret);

/* The PSK of a ticket (4.6.1): HKDF-Expand-Label(resumption_master_secret,
 * "resumption", ticket_nonce, Hash.length). */
LT_MUST_USE int lt_ks13_resumption_psk(lt_hash_alg hash, const uint8_t *resumption_master_secret, const uint8_t *nonce,
                                       size_t nonce_len, uint8_t *out);

/* The exporter (7.5):
 *   TLS-Exporter(label, context_value, key_length) =
 *       HKDF-Expand-Label(Derive-Secret(Secret, label, ""),
 *                         "exporter", Hash(context_value), key_length)
 * with Secret = exporter_master_secret. A NULL context hashes the empty
 * string (RFC 8446 7.5: no context and an empty one are the same in 1.3).
 * label is label_len raw bytes (at most 249: Derive-Secret is an
 * Expand-Label, which puts "tls13 " in front); LT_ERR_USAGE beyond. */
LT_MUST_USE int lt_ks13_export(lt_hash_alg hash, const uint8_t *exporter_master_secret, const char *label,
                               size_t label_len, const uint8_t *context, size_t context_len, uint8_t *out,
                               size_t out_len);

#endif
