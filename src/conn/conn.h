/*
 * The config and connection objects (opaque in the public header). Only
 * src/conn sees inside them; the handshake engine gets its own view
 * (lt_hs_policy, lt_hs_env).
 */
#ifndef LT_CONN_CONN_H
#define LT_CONN_CONN_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/crypto.h"
#include "hs/hs.h"
#include "hs/trace.h"
#include "record/record.h"

/* Records in a row that move nothing forward (empty records, warning
 * alerts, refused renegotiations, ignored HelloRequests) before we cut the
 * peer off: one budget for all of them, so that alternating kinds cannot
 * reset each other (OpenSSL allows 32 empty records; we count everything). */
#define LT_MAX_NOISE_IN_A_ROW 32

struct lt_config {
    lt_role role;
    /* Lifetime (lucidtls.h): references (the creator's, one per
     * connection, lt_config_ref's), and frozen once a connection exists. */
    atomic_int refs;
    atomic_int frozen;
    /* What the handshake engine reads: identity, suites, checks. */
    lt_hs_policy policy;
    /* Client trust. */
    lt_trust *trust;
    int trust_loaded;
    /* Hooks. */
    lt_trace_fn trace;
    void *trace_arg;
    int show_secrets;
    lt_keylog_fn keylog;
    void *keylog_arg;
    char error[256];
};

/* The first lt_conn_new: no setter changes the config from now on. */
void lt_config_freeze(lt_config *cfg);
/* A certificate chain with its key (lt_conn_set_config needs one). */
int lt_config_has_identity(const lt_config *cfg);

/* The trust anchors a client verifies against: the configured ones, or the
 * system store. */
const lt_trust *lt_config_trust(const lt_config *cfg);

/* The connection's coarse phase; the handshake's own states are the
 * engine's (hs/hs_int.h). */
typedef enum lt_phase { LT_PHASE_HANDSHAKE = 0, LT_PHASE_CONNECTED, LT_PHASE_FAILED } lt_phase;

struct lt_conn {
    const lt_config *cfg; /* the first: its trace and key log stay */
    /* The config the ClientHello hook switched to (lt_conn_set_config),
     * or NULL: its policy and trust drive the handshake. */
    const lt_config *switched;
    lt_role role;
    void *user;
    lt_phase phase;
    lt_record rec;
    lt_hs *hs;
    lt_tracer tracer;

    /* Application data from the current record, not yet read. */
    uint8_t *app;
    size_t app_len;

    /* Alerts may arrive one byte per record (RFC 5246 6.2.1 allows it). */
    uint8_t alert_buf[2];
    size_t alert_len;
    /* Records that carry nothing: bounded, so they cannot keep us busy. */
    int noise_in_a_row;

    /* Errors and close: one sticky error for every layer. */
    lt_error err;
    int alert_sent;
    int peer_alert;
    int close_sent;
    int close_received;
    int eof;
};

/* Fail the connection: record a sticky error with a detail line (the first
 * one wins), queue the fatal alert the error table names (once), and return
 * the recorded error. */
int lt_conn_fail(lt_conn *c, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Test builds only (LT_TEST_HOOKS): change keys (TLS 1.3 KeyUpdate) after
 * n records instead of 2^24 (RFC 8446 5.5); 0 restores the default. */
void lt_test_set_records_per_key(uint64_t n);

#endif
