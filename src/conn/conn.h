/*
 * The config and connection objects (opaque in the public header). Only
 * src/conn and src/hs see inside them.
 */
#ifndef LT_CONN_CONN_H
#define LT_CONN_CONN_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/crypto.h"
#include "hs/keysched12.h"
#include "hs/messages.h"
#include "hs/transcript.h"
#include "record/record.h"

#define LT_MAX_CONFIG_SUITES 16
/* The largest handshake message we accept (a certificate chain can be long). */
#define LT_MAX_HS_MESSAGE (1u << 17)
#define LT_DETAIL_LEN 512
/* Records in a row that move nothing forward (empty records, warning
 * alerts, refused renegotiations, ignored HelloRequests) before we cut the
 * peer off: one budget for all of them, so that alternating kinds cannot
 * reset each other (OpenSSL allows 32 empty records; we count everything). */
#define LT_MAX_NOISE_IN_A_ROW 32
/* Renegotiation requests we refuse with a warning before the next one is
 * fatal (see lt_conn_refuse_renegotiation). */
#define LT_MAX_RENEGOTIATIONS_REFUSED 1

struct lt_config {
    lt_role role;
    /* Server identity. */
    lt_chain chain;
    lt_pkey *key;
    /* Client trust. */
    lt_trust *trust;
    int trust_loaded;
    int hostname_check;
    int security_level; /* 0..LT_SECLEVEL_MAX, for the server's chain */
    /* Policy. */
    uint16_t suites[LT_MAX_CONFIG_SUITES];
    size_t n_suites;
    int ems;
    /* Hooks. */
    lt_trace_fn trace;
    void *trace_arg;
    int show_secrets;
    lt_keylog_fn keylog;
    void *keylog_arg;
    char error[256];
};

/* The trust anchors a client verifies against: the configured ones, or the
 * system store. */
const lt_trust *lt_config_trust(const lt_config *cfg);

/* Handshake states, named after what they wait for (RFC 8446 Appendix A
 * style). The table in hs/machine.c says which message each one accepts. */
typedef enum lt_state {
    LT_ST_CLIENT_START = 0,
    LT_ST_CLIENT_WAIT_SERVER_HELLO,
    LT_ST_CLIENT_WAIT_CERTIFICATE,
    LT_ST_CLIENT_WAIT_SERVER_HELLO_DONE, /* CertificateRequest may come first */
    LT_ST_CLIENT_WAIT_SERVER_HELLO_DONE_AFTER_CR,
    LT_ST_CLIENT_WAIT_CCS,
    LT_ST_CLIENT_WAIT_FINISHED,
    LT_ST_SERVER_WAIT_CLIENT_HELLO,
    LT_ST_SERVER_WAIT_CLIENT_KEY_EXCHANGE,
    LT_ST_SERVER_WAIT_CCS,
    LT_ST_SERVER_WAIT_FINISHED,
    LT_ST_CONNECTED,
    LT_ST_CLOSED,
    LT_ST_FAILED,
    LT_ST_COUNT
} lt_state;

const char *lt_state_name(lt_state st);

/* What we prove during the handshake; the driver refuses to enter CONNECTED
 * unless the bits its role needs are all set (rustls-style capabilities). */
#define LT_PROOF_PEER_CERT_OK (1u << 0) /* client: the server's chain, time and name checked */
#define LT_PROOF_FINISHED_OK (1u << 1)  /* the peer's Finished matched */
#define LT_PROOF_KEYS_DERIVED (1u << 2)

/* Handshake-only state, freed and wiped at CONNECTED. */
typedef struct lt_hs {
    lt_transcript transcript;
    uint8_t client_random[32];
    uint8_t server_random[32];
    uint16_t client_version; /* from the ClientHello, for the RSA pre-master check */
    uint8_t master_secret[LT_MASTER_SECRET_LEN];
    lt_key_block kb;
    lt_rc *pending_read;  /* activated by the peer's ChangeCipherSpec */
    lt_rc *pending_write; /* activated by ours */
    lt_pkey *peer_key;    /* the server's leaf public key (client) */
    /* Scratch space for building our messages. */
    uint8_t *scratch;
    size_t scratch_cap;
    unsigned proof;
    int cert_requested; /* the server sent CertificateRequest */
    int offered_ems;
    int offered_sni;
} lt_hs;

struct lt_conn {
    const lt_config *cfg;
    lt_role role;
    void *user;
    lt_state state;
    lt_record rec;
    lt_hs *hs;

    char hostname[LT_MAX_HOSTNAME + 1]; /* client: name to send and to verify; server: SNI received */
    int hostname_is_ip;

    /* Negotiated. */
    uint16_t version;
    const lt_suite *suite;
    int ems;
    int secure_reneg;

    /* Reassembly of handshake messages that span records (kept after the
     * handshake: a peer may still send HelloRequest or ClientHello). */
    uint8_t *msg;
    size_t msg_len;
    size_t msg_cap;

    /* Application data from the current record, not yet read. */
    uint8_t *app;
    size_t app_len;

    /* Alerts may arrive one byte per record (RFC 5246 6.2.1 allows it). */
    uint8_t alert_buf[2];
    size_t alert_len;
    /* Records that carry nothing: bounded, so they cannot keep us busy. */
    int noise_in_a_row;
    int renegotiations_refused;

    /* Errors and close. */
    int err;
    char *detail; /* LT_DETAIL_LEN bytes, allocated when the connection fails */
    int alert_sent;
    int peer_alert;
    int close_sent;
    int close_received;
    int eof;
};

/* Fail the connection: record a sticky error with a detail line, queue the
 * fatal alert the error table names (once), and return err. */
int lt_conn_fail(lt_conn *c, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Free the handshake reassembly buffer if it holds nothing. */
void lt_conn_release_msg(lt_conn *c);
/* Queue an alert record. */
LT_MUST_USE int lt_conn_send_alert(lt_conn *c, uint8_t level, uint8_t desc);
/* Refuse a renegotiation request (a ClientHello or HelloRequest after the
 * handshake): the first gets a warning no_renegotiation and the connection
 * goes on; any later one is fatal. Constant work, nothing parsed. */
LT_MUST_USE int lt_conn_refuse_renegotiation(lt_conn *c, const char *what);

/* Trace helpers (conn/trace.c). Each is a no-op without a trace callback. */
int lt_trace_on(const lt_conn *c);
void lt_trace(const lt_conn *c, lt_event_kind kind, const char *what, const char *rfc, const char *detail,
              const lt_field *fields, size_t n);
lt_field lt_fld_text(const char *name, const char *text);
lt_field lt_fld_bytes(const char *name, const uint8_t *bytes, size_t len);
lt_field lt_fld_secret(const lt_conn *c, const char *name, const uint8_t *bytes, size_t len);
/* Write the NSS key log line (CLIENT_RANDOM). */
void lt_keylog_master(const lt_conn *c, const uint8_t client_random[32], const uint8_t ms[48]);

/* The handshake driver (hs/machine.c). */
LT_MUST_USE int lt_hs_start(lt_conn *c); /* client: send ClientHello */
/* One handshake or ChangeCipherSpec record; *progress is set when it moved
 * the handshake forward (a new state, or part of a message still to come),
 * and left clear when it only held ignored or refused messages. */
LT_MUST_USE int lt_hs_on_record(lt_conn *c, uint8_t type, const uint8_t *pt, size_t len, int *progress);
void lt_hs_free(lt_hs *hs);

#endif
