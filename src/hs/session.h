/*
 * Serialized sessions: what a server seals into a ticket, and what a client
 * keeps to resume (RFC 8446 4.6.1, 2.2). One versioned, length-checked
 * format, written with lt_wr and read with lt_rd only; a blob that does not
 * parse exactly is refused (LT_ERR_DECODE), never partly used.
 *
 * The secrets in it (the PSK) make a stored session as sensitive as a key:
 * callers wipe the buffers.
 */
#ifndef LT_HS_SESSION_H
#define LT_HS_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "base/bytes.h"
#include "base/err.h"

#define LT_SESSION_MAX_TICKET 2048 /* the largest ticket a client keeps (ours are ~120 bytes) */
#define LT_SESSION_MAX_PSK 48
#define LT_SESSION_MAX_SNI 255
#define LT_SESSION_MAX_ALPN 255

/* What a server puts in a ticket (its plaintext): enough to check and
 * resume. */
typedef struct lt_ticket_state {
    uint16_t version; /* LT_TLS1_3, or LT_TLS1_2 (RFC 5077 tickets and session-cache entries) */
    uint16_t suite;   /* the suite of the session; 1.3 resumption needs the same hash (4.2.11), 1.2 the same suite */
    uint8_t psk[LT_SESSION_MAX_PSK]; /* TLS 1.3: the ticket's PSK; TLS 1.2: the 48-byte master secret */
    uint8_t psk_len;
    uint64_t issued_s; /* server clock, seconds */
    uint32_t lifetime_s;
    uint32_t age_add;
    uint8_t ems; /* TLS 1.2: the session's master secret is the extended one (RFC 7627); 0 or 1 */
    /* 1: the client proved a certificate that verified (its CertificateVerify
     * checked) when the session was made; a server that requires client
     * certificates resumes only such sessions. */
    uint8_t client_auth;
    char sni[LT_SESSION_MAX_SNI + 1]; /* "" when none */
    uint8_t alpn[LT_SESSION_MAX_ALPN];
    uint8_t alpn_len;
} lt_ticket_state;

LT_MUST_USE int lt_ticket_state_encode(const lt_ticket_state *s, uint8_t *out, size_t cap, size_t *len);
LT_MUST_USE int lt_ticket_state_decode(const uint8_t *in, size_t len, lt_ticket_state *out);

/* What a client keeps to resume: the ticket as the server sent it, and what
 * it needs to offer it (4.2.11): the PSK, the suite (its hash), when it was
 * received (for obfuscated_ticket_age), the lifetime and age_add, and the
 * server name it was for. */
typedef struct lt_client_session {
    uint16_t version;
    uint16_t suite;
    uint8_t psk[LT_SESSION_MAX_PSK]; /* TLS 1.3: the PSK; TLS 1.2: the 48-byte master secret */
    uint8_t psk_len;
    uint8_t ticket[LT_SESSION_MAX_TICKET]; /* TLS 1.2: may be empty (a session ID only) */
    uint16_t ticket_len;
    uint64_t received_ms; /* client clock (wall time, ms since the Unix epoch: it survives the process) */
    uint32_t lifetime_s;
    uint32_t age_add;
    uint32_t max_early_data;
    /* TLS 1.2 (RFC 5246 7.4.1.2, RFC 5077, RFC 7627): whether the master
     * secret is the extended one (0 or 1), and the server's session ID
     * (empty when the server gave a ticket only). */
    uint8_t ems;
    uint8_t session_id[32];
    uint8_t session_id_len;
    char sni[LT_SESSION_MAX_SNI + 1];
    uint8_t alpn[LT_SESSION_MAX_ALPN];
    uint8_t alpn_len;
} lt_client_session;

LT_MUST_USE int lt_client_session_encode(const lt_client_session *s, uint8_t *out, size_t cap, size_t *len);
LT_MUST_USE int lt_client_session_decode(const uint8_t *in, size_t len, lt_client_session *out);
/* The most lt_client_session_encode writes. */
#define LT_CLIENT_SESSION_MAX_ENCODED                                                                                  \
    (64 + 34 + LT_SESSION_MAX_PSK + LT_SESSION_MAX_TICKET + LT_SESSION_MAX_SNI + LT_SESSION_MAX_ALPN)

#endif
