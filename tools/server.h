/*
 * lucidtls server internals, shared by tools/server.c (options, listener,
 * event loop, timers) and tools/server_conn.c (one client's TLS connection).
 *
 * One thread, one epoll set, non-blocking sockets. Each client is a srv_conn
 * that drives its sans-I/O lt_conn directly: bytes are received straight into
 * lt_conn_in_buf() and sent from lt_conn_out_peek().
 */
#ifndef LT_TOOLS_SERVER_H
#define LT_TOOLS_SERVER_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "lucidtls/lucidtls.h"
#include "common.h"
#include "narrate.h"
#include "trace_json.h"
#include "www_page.h"

/* Backpressure: while this much protected output waits for a client, we stop
 * reading from it, so a client that sends but never reads costs at most this
 * (plus one record and one echo chunk), not whatever it manages to send. */
#define SRV_OUT_HIGH_WATER (64 * 1024)
/* The largest chunk of plaintext we take from the core at once. */
#define SRV_CHUNK 16384
/* The most we accept while waiting for an HTTP request's blank line. */
#define SRV_MAX_REQUEST 65536
/* After our last record (alert, close_notify, --www page): how long a client
 * gets to take it and close, as today's blocking server allowed. */
#define SRV_CLOSE_LINGER_MS 5000
/* What we read and discard after our FIN, before closing anyway. */
#define SRV_MAX_DRAIN (256 * 1024)
/* At --max-conns, a newcomer may evict the connection that has made no
 * progress for longest, but only one idle at least this long: a client
 * between two requests of a quick exchange keeps its slot. */
#define SRV_EVICT_MIN_IDLE_MS 1000

/*
 * Progress, which restarts the idle clock, is what a slow client cannot fake
 * with a trickle: a whole record received and processed, or all our queued
 * output taken by the client. A byte of a record that never completes is not
 * progress; a record that has begun must also complete within
 * --record-timeout of its first byte.
 */
typedef enum srv_phase {
    SRV_PH_HANDSHAKE = 0, /* deadline: --handshake-timeout after accept */
    SRV_PH_DATA = 1,      /* deadline: --idle-timeout after the last progress */
    SRV_PH_CLOSING = 2,   /* deadline: SRV_CLOSE_LINGER_MS after the last progress */
    SRV_NPHASES = 3
} srv_phase;

typedef struct srv_conn srv_conn;

/* A list of connections ordered by deadline. Every connection in a list has
 * the same timeout, so appending at the tail keeps the order: the next
 * deadline is always the head's, and no heap is needed. In the data phase's
 * list the head is also the connection that has been idle longest. */
typedef struct srv_timer_list {
    srv_conn *head;
    srv_conn *tail;
    int64_t timeout_ms;
} srv_timer_list;

/* The records a client sends, as they pass into the core: enough of the
 * framing (RFC 5246 6.2.1) to tell where each record ends, from the bytes
 * alone. lt_conn_in_buf never spans two records, so every byte we commit
 * belongs to the record being counted. */
typedef struct srv_meter {
    uint8_t hdr[5];
    size_t got;         /* bytes of the current record so far (0: between records) */
    size_t len;         /* its whole length, header included, once the header is in */
    int64_t started_ms; /* when the current record's first byte came */
} srv_meter;

typedef struct server_opts {
    const char *host;
    const char *port;
    /* Up to two identities (one RSA, one ECDSA): --cert/--key pairs, in order. */
    const char *cert[2];
    const char *key[2];
    int n_cert, n_key;
    const char *ciphers;
    int www;
    int explain;
    int show_secrets;
    const char *trace_json; /* --trace-json FILE ("-": stdout) */
    double handshake_timeout_s;
    double idle_timeout_s;
    double record_timeout_s;
    long max_conns;
    tool_proto proto;
    int key_update;          /* TLS 1.3: send KeyUpdate (update_requested) after each handshake */
    const char *ticket_keys; /* --ticket-keys: a ticket key file shared with other servers */
    int client_auth;         /* LT_CLIENT_AUTH_*: --verify-client, --require-client-cert */
    const char *client_cafile;
} server_opts;

typedef struct srv {
    const server_opts *opts;
    lt_config *cfg;
    trace_json_sink *json; /* --trace-json: every client's events, "conn" = its #id */
    int epfd;
    int lfd;
    int accepting;           /* the listener is in the epoll set for EPOLLIN */
    int64_t accept_retry_ms; /* after EMFILE & co: when to try again (0: none) */
    int told_cap;            /* said once that --max-conns was reached */
    int64_t now_ms;          /* CLOCK_MONOTONIC, refreshed once per loop turn */
    size_t live;
    unsigned long next_id;
    srv_timer_list timers[SRV_NPHASES];
    srv_timer_list records; /* data phase, a record begun: --record-timeout after its first byte */
    srv_conn *all;          /* every live connection, for shutdown */
} srv;

struct srv_conn {
    int fd;
    unsigned long id;
    char peer[80];
    lt_conn *tls;
    srv_phase phase;
    int eof;         /* recv() returned 0 */
    int wr_shut;     /* closing: our FIN is out, we drain until theirs */
    size_t drained;  /* closing: bytes read and discarded */
    uint32_t events; /* the epoll interest currently registered */
    int64_t deadline_ms;
    int64_t idle_since_ms;   /* the last progress (or the start of the phase) */
    srv_conn *tprev, *tnext; /* on srv.timers[phase] */
    srv_conn *aprev, *anext; /* on srv.all */
    int64_t rec_deadline_ms;
    int on_records;          /* on srv.records */
    srv_conn *rprev, *rnext; /* on srv.records */
    srv_meter meter;
    uint64_t app_in, app_out; /* plaintext bytes read from the core, given to it */
    /* Echo: plaintext taken from the core that lt_conn_write has not taken
     * yet (the output queue was full). Allocated only while non-empty. */
    uint8_t *backlog;
    size_t backlog_off, backlog_len;
    /* --www: request bytes seen so far, and the last bytes of the header, so
     * that a blank line split across records is still found. */
    size_t req_len;
    char req_tail[3];
    /* --www: this connection's handshake as the page tells it (www_page.h),
     * the request's first bytes (to tell a browser from curl), and whether
     * a page is on its way out (then the backlog holds its rest). */
    www_page *page;
    char *req_head;
    size_t req_head_len;
    int answering;
    /* --explain: this connection's narrator, writing through a stream that
     * prefixes each line with the connection id when several are live. */
    narrator *nar;
    FILE *nar_out;
    char nar_line[2048];
    size_t nar_line_len;
    srv *s;
};

/* server_conn.c */
srv_conn *srv_conn_new(srv *s, int fd);
/* Handle epoll events (or a plain "try again", events = 0). May free c. */
void srv_conn_run(srv *s, srv_conn *c, uint32_t events);
/* The deadline of c's phase passed: log if it matters, free c. */
void srv_conn_expire(srv *s, srv_conn *c);
/* c's record did not complete within --record-timeout: log, free c (or,
 * while we are the ones not reading, give it more time). */
void srv_conn_record_expire(srv *s, srv_conn *c);
/* The server is full and a newcomer waits: close c, which has been idle for
 * idle_ms, with a line on stderr. */
void srv_conn_evict(srv *s, srv_conn *c, int64_t idle_ms);
/* Close and free, without a word (server shutdown). */
void srv_conn_free(srv *s, srv_conn *c);
/* The trace callback for --explain (argument unused: the narrator is per
 * connection, found through lt_conn_user). */
void srv_conn_trace(void *arg, const lt_conn *conn, const lt_event *ev);

/* server.c: timers and bookkeeping the connection code calls back into. */
void srv_timer_set(srv *s, srv_conn *c, srv_phase phase);
void srv_timer_unlink(srv *s, srv_conn *c);
/* The record deadline: armed at a record's first byte, disarmed when it is
 * whole (both harmless to repeat). */
void srv_record_timer_arm(srv *s, srv_conn *c);
void srv_record_timer_disarm(srv *s, srv_conn *c);
/* One connection is gone: accept again if we had stopped at --max-conns. */
void srv_conn_gone(srv *s);

#endif
