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

/* 1 when the ticket is named for the key that seals now (after any
 * rotation due at `now`): a server need not replace such a ticket. Names
 * are public, so this says nothing secret. */
int lt_ticket_sealed_by_current_key(lt_ticket_keys *k, uint64_t now, const uint8_t *ticket, size_t len);

/* ---- Keys from a file, for a fleet (lt_config_set_ticket_key_file,
 * docs/RESUMPTION.md) ----
 *
 * The file is text: one key per line, 96 hex digits (a 16-byte key name,
 * then a 32-byte AES-256 secret), newest first, 1 to LT_TICKET_MAX_KEYS
 * keys; blank lines and lines starting with '#' (after spaces or tabs) are
 * ignored, spaces and tabs around a key too, and a line may end in CR LF.
 * Anything else makes the whole file unusable: there is no partial load. */
#define LT_TICKET_FILE_MAX 16384 /* bytes: room for 4 keys and many comments */
#define LT_TICKET_SECRET_LEN 32
#define LT_TICKET_FILE_LINE_LEN (2 * (LT_TICKET_KEY_NAME_LEN + LT_TICKET_SECRET_LEN))

typedef struct lt_ticket_file_keys {
    size_t n;
    struct {
        uint8_t name[LT_TICKET_KEY_NAME_LEN];
        uint8_t secret[LT_TICKET_SECRET_LEN];
    } key[LT_TICKET_MAX_KEYS];
} lt_ticket_file_keys;

/* Parses the text of a key file (len bytes, no NUL needed) into out, or
 * LT_ERR_CONFIG with a line in err saying what and where (line number; no
 * key material in it). out is wiped on failure. */
LT_MUST_USE int lt_ticket_file_parse(const char *text, size_t len, lt_ticket_file_keys *out, char *err, size_t errcap);

/* A set whose keys come from the file at path: keys[0] (the file's first
 * line) seals, all open, none rotates or expires by time. Refused
 * (NULL, a line in err): a file that cannot be read or parsed, that is not
 * a regular file, or that others may access or the group may write (mode &
 * 027: as ssh refuses an unprotected private key; group-read is allowed, for
 * a key file a deploy user owns and the server's group reads). Every seal
 * and open at least LT_TICKET_KEY_RECHECK_S seconds after the last check
 * stats the file, and when it changed (device, inode, size, mtime or ctime)
 * reads it again and replaces the whole key set at once; a file that fails
 * then (gone, damaged, a bad mode) keeps the keys the set had, and is tried
 * again when it changes. Time does not expire file keys: the lifetime of a
 * ticket is the caller's check (the issue time sealed inside it). The file
 * is read under the set's mutex (a few hundred bytes, once a second at
 * most). */
lt_ticket_keys *lt_ticket_keys_from_file(const char *path, uint64_t now, char *err, size_t errcap);
/* 1 for a set made by lt_ticket_keys_from_file. */
int lt_ticket_keys_file_backed(const lt_ticket_keys *k);
/* How many keys the set holds now, and how many times a changed file was
 * loaded after the first (tests and diagnostics). */
size_t lt_ticket_keys_count(lt_ticket_keys *k);
unsigned lt_ticket_keys_reloads(lt_ticket_keys *k);

/* The file's identity: when any of it changes, the file is read again. */
typedef struct lt_ticket_file_id {
    uint64_t dev, ino, size;
    int64_t mtime_s, mtime_ns, ctime_s, ctime_ns;
} lt_ticket_file_id;
/* stat(2) of path (following symlinks, as a key file deployed through one
 * is read): LT_OK or LT_ERR_CONFIG. */
LT_MUST_USE int lt_ticket_file_stat(const char *path, lt_ticket_file_id *id);
/* Reads and parses the file (the checks of lt_ticket_keys_from_file), its
 * identity from the descriptor actually read. LT_ERR_CONFIG with a line in
 * err. The read buffer is wiped. */
LT_MUST_USE int lt_ticket_file_load(const char *path, lt_ticket_file_keys *out, lt_ticket_file_id *id, char *err,
                                    size_t errcap);

/* Test builds and key files: add a key with a given name and secret (it
 * becomes the sealing key, created at `now`). */
LT_MUST_USE int lt_ticket_keys_add(lt_ticket_keys *k, const uint8_t name[LT_TICKET_KEY_NAME_LEN],
                                   const uint8_t secret[32], uint64_t now);

#endif
