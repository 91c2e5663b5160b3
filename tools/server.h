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
#include "narrate.h"

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

typedef enum srv_phase {
    SRV_PH_HANDSHAKE = 0, /* deadline: --handshake-timeout after accept */
    SRV_PH_DATA = 1,      /* deadline: --idle-timeout after the last byte moved */
    SRV_PH_CLOSING = 2,   /* deadline: SRV_CLOSE_LINGER_MS after the last byte sent */
    SRV_NPHASES = 3
} srv_phase;

typedef struct srv_conn srv_conn;

/* A list of connections ordered by deadline. Every connection in a list has
 * the same timeout, so appending at the tail keeps the order: the next
 * deadline is always the head's, and no heap is needed. */
typedef struct srv_timer_list {
    srv_conn *head;
    srv_conn *tail;
    int64_t timeout_ms;
} srv_timer_list;

typedef struct server_opts {
    const char *host;
    const char *port;
    const char *cert;
    const char *key;
    const char *ciphers;
    int www;
    int explain;
    int show_secrets;
    double handshake_timeout_s;
    double idle_timeout_s;
    long max_conns;
} server_opts;

typedef struct srv {
    const server_opts *opts;
    lt_config *cfg;
    int epfd;
    int lfd;
    int accepting;           /* the listener is in the epoll set for EPOLLIN */
    int64_t accept_retry_ms; /* after EMFILE & co: when to try again (0: none) */
    int told_cap;            /* said once that --max-conns was reached */
    int64_t now_ms;          /* CLOCK_MONOTONIC, refreshed once per loop turn */
    size_t live;
    unsigned long next_id;
    srv_timer_list timers[SRV_NPHASES];
    srv_conn *all; /* every live connection, for shutdown */
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
    srv_conn *tprev, *tnext; /* on srv.timers[phase] */
    srv_conn *aprev, *anext; /* on srv.all */
    /* Echo: plaintext taken from the core that lt_conn_write has not taken
     * yet (the output queue was full). Allocated only while non-empty. */
    uint8_t *backlog;
    size_t backlog_off, backlog_len;
    /* --www: request bytes seen so far, and the last bytes of the header, so
     * that a blank line split across records is still found. */
    size_t req_len;
    char req_tail[3];
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
/* Close and free, without a word (server shutdown). */
void srv_conn_free(srv *s, srv_conn *c);
/* The trace callback for --explain (argument unused: the narrator is per
 * connection, found through lt_conn_user). */
void srv_conn_trace(void *arg, const lt_conn *conn, const lt_event *ev);

/* server.c: timers and bookkeeping the connection code calls back into. */
void srv_timer_set(srv *s, srv_conn *c, srv_phase phase);
void srv_timer_unlink(srv *s, srv_conn *c);
/* One connection is gone: accept again if we had stopped at --max-conns. */
void srv_conn_gone(srv *s);

#endif
