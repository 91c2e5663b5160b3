/*
 * Session ticket protection (RFC 8446 4.6.1, RFC 5077 4): the server seals
 * what it needs to resume a session into the ticket itself, so it keeps no
 * per-ticket state. A ticket is
 *
 *   key_name[16] || nonce[12] || AES-256-GCM(plaintext) || tag[16]
 *
 * with key_name as the additional data. The current key seals; the previous
 * ones still open, until they are older than twice the rotation period (a
 * ticket sealed just before a rotation lives out its lifetime). Keys can
 * also be loaded from a file (issue "what applications need": a fleet of
 * servers that share the file resume each other's sessions).
 *
 * Thread-safe: one lt_ticket_keys is shared by every connection of a config.
 */
#ifndef LT_CRYPTO_TICKET_H
#define LT_CRYPTO_TICKET_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

#define LT_TICKET_KEY_NAME_LEN 16
#define LT_TICKET_NONCE_LEN 12
#define LT_TICKET_TAG_LEN 16
#define LT_TICKET_OVERHEAD (LT_TICKET_KEY_NAME_LEN + LT_TICKET_NONCE_LEN + LT_TICKET_TAG_LEN)
#define LT_TICKET_MAX_KEYS 4

typedef struct lt_ticket_keys lt_ticket_keys;

/* A set with one fresh random key; rotation_s is how long a key seals
 * (e.g. 12 hours), now the current time in seconds (any epoch: only
 * differences matter). NULL on failure. */
lt_ticket_keys *lt_ticket_keys_new(uint64_t rotation_s, uint64_t now);
void lt_ticket_keys_free(lt_ticket_keys *k);

/* Seal pt (pt_len bytes) into out (cap >= pt_len + LT_TICKET_OVERHEAD).
 * Rotates first when the sealing key is older than rotation_s: a new random
 * key seals, the old ones only open, and keys older than 2 * rotation_s are
 * wiped. */
LT_MUST_USE int lt_ticket_seal(lt_ticket_keys *k, uint64_t now, const uint8_t *pt, size_t pt_len, uint8_t *out,
                               size_t cap, size_t *out_len);

/* Open a ticket: LT_OK with the plaintext in pt (cap >= len -
 * LT_TICKET_OVERHEAD), or LT_ERR_DECRYPT_ERROR when it is not one of ours
 * (unknown key name, expired key, too short, tag mismatch): the caller then
 * goes on with a full handshake, it is not an error to the peer. pt is
 * wiped on failure. Constant time in the tag comparison (libcrypto's GCM). */
LT_MUST_USE int lt_ticket_open(lt_ticket_keys *k, uint64_t now, const uint8_t *ticket, size_t len, uint8_t *pt,
                               size_t cap, size_t *pt_len);

/* Test builds and key files: add a key with a given name and secret (it
 * becomes the sealing key, created at `now`). */
LT_MUST_USE int lt_ticket_keys_add(lt_ticket_keys *k, const uint8_t name[LT_TICKET_KEY_NAME_LEN],
                                   const uint8_t secret[32], uint64_t now);

#endif
