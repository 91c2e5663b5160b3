/*
 * A TLS 1.3 peer's tools for in-memory tests (test code only): traffic
 * secrets from the key log (NSS format), and records sealed and opened
 * with libcrypto's AEAD directly, so a test can put a crafted message under
 * the keys of a real connection or read what one sent. Used by
 * tests/hs/test_tls13_negative.c and tests/hs/test_mtls_hostile13.c.
 */
#ifndef LT_TEST_PEER13_H
#define LT_TEST_PEER13_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/crypto.h"
#include "lucidtls/lucidtls.h"

#define REC_HDR 5
#define REC_CAP (REC_HDR + LT_MAX_CIPHERTEXT_TLS13 + 64)

#define KEYLOG_LINES 32
typedef struct keylog {
    char line[KEYLOG_LINES][256];
    int n;
} keylog;

/* ---- the key log: traffic secrets to seal with ---- */
void keylog_cb(void *arg, const lt_conn *c, const char *line);

/* The secret of the latest "LABEL <client_random> <secret>" line; its
 * length, or 0. */
size_t keylog_secret(const keylog *k, const char *label, uint8_t out[LT_MAX_HASH_LEN]);

/* ---- sealing and opening records as a peer would ---- */
lt_rc *rc_for(const lt_conn *c, const uint8_t *secret, int enc);

/* One record as RFC 8446 5.2 builds it, with libcrypto's AEAD directly
 * (not the library's record code, and without its limits): the whole
 * TLSInnerPlaintext (content, type, zeros) is given, under the traffic
 * keys of `secret` (7.3, the suite is c's) and the nonce of seq (5.3).
 * Returns the record's length (0 on failure). */
size_t seal_inner(const lt_conn *c, const uint8_t *secret, uint64_t seq, const uint8_t *inner, size_t n, uint8_t *out);

/* A record with content pt of type `type` and no padding. */
size_t seal13(const lt_conn *c, const uint8_t *secret, uint64_t seq, uint8_t type, const uint8_t *pt, size_t n,
              uint8_t *out);

/* Opens one record sealed under `secret` at seq: the content (into pt,
 * up to cap) and its type; its length, or (size_t)-1. */
size_t open13(const lt_conn *c, const uint8_t *secret, uint64_t seq, const uint8_t *rec, size_t rec_len, uint8_t *type,
              uint8_t *pt, size_t cap);

/* Feeds bytes straight into a connection, as if they came from its peer. */
int feed_all(lt_conn *c, const uint8_t *p, size_t n);

#endif
