/*
 * One client of `lucidtls server`: a non-blocking socket and the sans-I/O
 * core, driven from the event loop in server.c.
 *
 * Each wake-up runs rounds of: let the application step (handshake, echo or
 * --www) use what the core has, flush the core's output, then receive more
 * input straight into the core's record buffer. Rounds stop when nothing
 * moves, or after SRV_ROUNDS so that one fast client cannot starve the rest
 * (epoll is level-triggered: it reports the socket again next turn).
 *
 * A connection ends in the closing phase: flush our last records (alert,
 * close_notify, the --www page), send FIN, then read and discard until the
 * client's FIN, so that close() never turns unread bytes into a reset that
 * could destroy the answer we just sent.
 */
#define _GNU_SOURCE /* fopencookie */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common.h"
#include "server.h"

/* Receive calls per wake-up before we let other clients have their turn. */
#define SRV_ROUNDS 64
/* Returned by the application steps: our side is done, go to closing. */
#define SRV_DONE 100

static int conn_closing_step(srv *s, srv_conn *c);
static int flush_out(srv *s, srv_conn *c, int *progress);
static void conn_finish(srv *s, srv_conn *c);
static int www_step(srv_conn *c, int *progress);

/* ---- narration ------------------------------------------------------------ */

/* One narration line to stderr; with several clients live, each line says
 * whose it is. stderr is unbuffered, so a line is one write(). */
static void nar_emit(srv_conn *c)
{
    int len = (int)c->nar_line_len;
    if (c->s->live > 1) {
        fprintf(stderr, "[#%lu] %.*s\n", c->id, len, c->nar_line);
    } else {
        fprintf(stderr, "%.*s\n", len, c->nar_line);
    }
    c->nar_line_len = 0;
}

static ssize_t nar_write(void *cookie, const char *buf, size_t size)
{
    srv_conn *c = cookie;
    for (size_t i = 0; i < size; i++) {
        if (buf[i] == '\n') {
            nar_emit(c);
            continue;
        }
        if (c->nar_line_len == sizeof c->nar_line) {
            nar_emit(c);
        }
        c->nar_line[c->nar_line_len++] = buf[i];
    }
    return (ssize_t)size;
}

static int nar_close(void *cookie)
{
    srv_conn *c = cookie;
    if (c->nar_line_len > 0) {
        nar_emit(c);
    }
    return 0;
}

static void nar_start(srv *s, srv_conn *c)
{
    cookie_io_functions_t io = {.read = NULL, .write = nar_write, .seek = NULL, .close = nar_close};
    c->nar_out = fopencookie(c, "w", io);
    if (c->nar_out == NULL) {
        return;
    }
    c->nar = narrator_new(c->nar_out, s->opts->show_secrets, 0);
    if (c->nar == NULL) {
        fclose(c->nar_out);
        c->nar_out = NULL;
        return;
    }
    /* The id ties this header to the "[#id]" prefix other lines get while
     * several clients are live. */
    fprintf(c->nar_out, "\n=== connection #%lu from %s: Bob is %s, Alice is us ===\n", c->id, c->peer, c->peer);
    fflush(c->nar_out);
}

static void nar_end(srv_conn *c)
{
    if (c->nar != NULL) {
        narrate_flush(c->nar);
        narrator_free(c->nar);
        c->nar = NULL;
    }
    if (c->nar_out != NULL) {
        fclose(c->nar_out);
        c->nar_out = NULL;
    }
}

void srv_conn_trace(void *arg, const lt_conn *conn, const lt_event *ev)
{
    (void)arg;
    srv_conn *c = lt_conn_user(conn);
    if (c == NULL) {
        return;
    }
    if (c->s->json != NULL) {
        trace_json_write(c->s->json, c->id, conn, ev);
    }
    if (c->nar != NULL) {
        narrate_trace(c->nar, conn, ev);
    }
    if (c->page != NULL) {
        www_page_record(c->page, conn, ev);
    }
}

/* ---- life cycle ----------------------------------------------------------- */

srv_conn *srv_conn_new(srv *s, int fd)
{
    srv_conn *c = calloc(1, sizeof *c);
    if (c == NULL) {
        return NULL;
    }
    c->fd = fd;
    c->s = s;
    c->id = ++s->next_id;
    if (s->json != NULL) {
        trace_json_conn_start(s->json, c->id);
    }
    tool_peer_name(fd, c->peer, sizeof c->peer);
    c->tls = lt_conn_new(s->cfg);
    if (c->tls == NULL) {
        fprintf(stderr, "client %s: cannot create a connection: out of memory\n", c->peer);
        free(c);
        return NULL;
    }
    lt_conn_set_user(c->tls, c);
    /* We coalesce: each flush hands the kernel everything pending at once, so
     * Nagle would only hold back the tail of a flight or an echo. */
    int one = 1;
    (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
    if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, fd, &ev) != 0) {
        fprintf(stderr, "client %s: epoll_ctl: %s\n", c->peer, strerror(errno));
        lt_conn_free(c->tls);
        free(c);
        return NULL;
    }
    c->events = EPOLLIN;
    c->anext = s->all;
    if (s->all != NULL) {
        s->all->aprev = c;
    }
    s->all = c;
    s->live++;
    srv_timer_set(s, c, SRV_PH_HANDSHAKE);
    if (s->opts->explain) {
        nar_start(s, c);
    }
    if (s->opts->www) {
        /* Without memory for it, the visitor gets the short text answer. */
        c->page = www_page_new();
    }
    return c;
}

void srv_conn_free(srv *s, srv_conn *c)
{
    srv_timer_unlink(s, c);
    srv_record_timer_disarm(s, c);
    if (c->aprev != NULL) {
        c->aprev->anext = c->anext;
    } else {
        s->all = c->anext;
    }
    if (c->anext != NULL) {
        c->anext->aprev = c->aprev;
    }
    (void)epoll_ctl(s->epfd, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    nar_end(c);
    s->live--;
    lt_conn_free(c->tls);
    free(c->backlog);
    www_page_free(c->page);
    free(c->req_head);
    free(c);
}

static void conn_finish(srv *s, srv_conn *c)
{
    srv_conn_free(s, c);
    srv_conn_gone(s);
}

static const char *stage_of(const srv_conn *c)
{
    return c->phase == SRV_PH_HANDSHAKE ? "handshake failed" : "connection failed";
}

/* ---- the record meter ---------------------------------------------------- */

enum { METER_BEGAN = 1, METER_DONE = 2 };

/* Account n bytes just received into the core's record buffer. Returns
 * METER_BEGAN when they start a record, METER_DONE when they end one. */
static int meter_account(srv_meter *m, const uint8_t *p, size_t n, int64_t now)
{
    int ev = 0;
    for (size_t i = 0; i < n;) {
        if (m->got == 0) {
            ev |= METER_BEGAN;
            m->started_ms = now;
        }
        size_t take;
        if (m->got < sizeof m->hdr) {
            take = sizeof m->hdr - m->got < n - i ? sizeof m->hdr - m->got : n - i;
            memcpy(m->hdr + m->got, p + i, take);
            if (m->got + take == sizeof m->hdr) {
                m->len = sizeof m->hdr + (((size_t)m->hdr[3] << 8) | m->hdr[4]);
            }
        } else {
            take = m->len - m->got < n - i ? m->len - m->got : n - i;
        }
        m->got += take;
        i += take;
        if (m->got >= sizeof m->hdr && m->got == m->len) {
            ev |= METER_DONE;
            m->got = 0;
            m->len = 0;
        }
    }
    return ev;
}

/* "7 of 41 bytes" (or "3 of the 5 header bytes") of the record in progress. */
static void describe_partial(const srv_meter *m, char *buf, size_t cap)
{
    if (m->len == 0) {
        snprintf(buf, cap, "%zu of the 5 header bytes", m->got);
    } else {
        snprintf(buf, cap, "%zu of %zu bytes", m->got, m->len);
    }
}

/* ---- logging -------------------------------------------------------------- */

/* "client 127.0.0.1:5555: handshake failed: LT_ERR_X: detail" */
static void log_failure(const srv_conn *c, int rc, int saved_errno)
{
    const char *detail = NULL;
    int sticky = lt_conn_error(c->tls, &detail);
    if (sticky < 0) {
        rc = sticky;
    }
    char why[512];
    if (detail != NULL && detail[0] != '\0' && rc != LT_ERR_PEER_ALERT) {
        snprintf(why, sizeof why, "%s", detail);
    } else {
        tool_describe_error(c->tls, rc, saved_errno, "client", why, sizeof why);
    }
    char part[128] = "";
    if (rc == LT_ERR_TRUNCATED && c->meter.got > 0) {
        char got[64];
        describe_partial(&c->meter, got, sizeof got);
        snprintf(part, sizeof part, " (in the middle of a record: %s)", got);
    }
    fprintf(stderr, "client %s: %s: %s: %s%s\n", c->peer, stage_of(c), lt_result_name(rc), why, part);
}

static size_t pending_out(const srv_conn *c)
{
    size_t len = 0;
    (void)lt_conn_out_peek(c->tls, &len);
    return len;
}

/* An established client we give up on gets a proper close_notify if it can
 * take it now; we do not wait for it. */
static void say_goodbye(srv *s, srv_conn *c)
{
    int progress = 0;
    if (lt_conn_close(c->tls) == LT_OK) {
        (void)flush_out(s, c, &progress);
    }
}

void srv_conn_expire(srv *s, srv_conn *c)
{
    if (c->phase != SRV_PH_CLOSING) {
        /* Waiting for the client to read, or to write? */
        int rc = pending_out(c) > 0 ? LT_WANT_OUTPUT : LT_WANT_INPUT;
        const char *doing = rc == LT_WANT_OUTPUT ? "not reading" : "silent";
        if (c->phase == SRV_PH_HANDSHAKE) {
            fprintf(stderr, "client %s: handshake failed: %s: timed out: no complete handshake within %g s (%s)\n",
                    c->peer, lt_result_name(rc), s->opts->handshake_timeout_s, doing);
        } else {
            if (rc == LT_WANT_INPUT && c->meter.got > 0) {
                doing = "sending only part of a record";
            }
            fprintf(stderr, "client %s: connection failed: %s: timed out: no progress for %g s (the client was %s)\n",
                    c->peer, lt_result_name(rc), s->opts->idle_timeout_s, doing);
            say_goodbye(s, c);
        }
    }
    conn_finish(s, c);
}

/* Are we the ones not reading from c (backpressure), rather than c slow to
 * send? */
static int input_paused_by_us(const srv_conn *c)
{
    return c->backlog_len > 0 || pending_out(c) >= SRV_OUT_HIGH_WATER;
}

void srv_conn_record_expire(srv *s, srv_conn *c)
{
    if (c->phase != SRV_PH_DATA || c->meter.got == 0) {
        srv_record_timer_disarm(s, c);
        return;
    }
    if (input_paused_by_us(c)) {
        /* The rest of the record may be waiting in our socket: not the
         * client's fault. The idle clock still runs. */
        srv_record_timer_arm(s, c);
        return;
    }
    char got[64];
    describe_partial(&c->meter, got, sizeof got);
    fprintf(stderr,
            "client %s: connection failed: %s: timed out: a record begun %.1f s ago is still incomplete (%s; "
            "--record-timeout %g s)\n",
            c->peer, lt_result_name(LT_WANT_INPUT), (double)(s->now_ms - c->meter.started_ms) / 1000.0, got,
            s->opts->record_timeout_s);
    say_goodbye(s, c);
    conn_finish(s, c);
}

void srv_conn_evict(srv *s, srv_conn *c, int64_t idle_ms)
{
    fprintf(stderr,
            "client %s: connection closed: evicted for a new client: no progress for %.1f s while %ld "
            "connections were live (--max-conns)\n",
            c->peer, (double)idle_ms / 1000.0, s->opts->max_conns);
    say_goodbye(s, c);
    conn_finish(s, c);
}

/* ---- socket I/O ----------------------------------------------------------- */

/* Send what the core has queued. 0, or -1 with errno on a socket error. */
static int flush_out(srv *s, srv_conn *c, int *progress)
{
    for (;;) {
        size_t len = 0;
        const uint8_t *p = lt_conn_out_peek(c->tls, &len);
        if (p == NULL || len == 0) {
            return 0;
        }
        ssize_t k = send(c->fd, p, len, MSG_NOSIGNAL);
        if (k < 0) {
            if (errno == EINTR) {
                continue;
            }
            return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
        }
        lt_conn_out_consume(c->tls, (size_t)k);
        *progress = 1;
        if (c->phase != SRV_PH_HANDSHAKE && pending_out(c) == 0) {
            /* The client took all we had: progress. Not each byte it takes,
             * or a client reading a byte at a time would never be idle. The
             * handshake deadline is absolute, so nothing stretches it. */
            srv_timer_set(s, c, c->phase);
        }
    }
}

/* May we take more input from this client now? Not after EOF, not while our
 * output to it is backed up (backpressure), and only when the core has room. */
static uint8_t *input_room(srv_conn *c, size_t *room)
{
    *room = 0;
    if (c->eof || c->backlog_len > 0 || pending_out(c) >= SRV_OUT_HIGH_WATER) {
        return NULL;
    }
    uint8_t *dst = lt_conn_in_buf(c->tls, room);
    return *room > 0 ? dst : NULL;
}

/* In the data phase: a whole record is progress (the idle clock restarts); a
 * record that begins and is not yet whole runs against --record-timeout. */
static void note_record_events(srv *s, srv_conn *c, int ev)
{
    if (ev & METER_DONE) {
        srv_timer_set(s, c, SRV_PH_DATA);
    }
    if (c->meter.got > 0) {
        if (ev & METER_BEGAN) {
            srv_record_timer_arm(s, c);
        }
    } else {
        srv_record_timer_disarm(s, c);
    }
}

/* Receive into the core's record buffer: at most what the current record
 * still needs, so the core takes every byte and we keep none. */
static int pull_in(srv *s, srv_conn *c, int *progress, int *saved_errno)
{
    size_t room = 0;
    uint8_t *dst = input_room(c, &room);
    if (dst == NULL) {
        return LT_OK;
    }
    ssize_t k;
    do {
        k = recv(c->fd, dst, room, 0);
    } while (k < 0 && errno == EINTR);
    if (k < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            return LT_OK;
        }
        *saved_errno = errno;
        return LT_ERR_IO;
    }
    *progress = 1;
    if (k == 0) {
        /* The core says what EOF means: after close_notify nothing, before
         * it LT_ERR_TRUNCATED (from lt_conn_handshake or lt_conn_read). */
        c->eof = 1;
        lt_conn_feed_eof(c->tls);
        return LT_OK;
    }
    int ev = meter_account(&c->meter, dst, (size_t)k, s->now_ms);
    int rc = lt_conn_in_commit(c->tls, (size_t)k);
    if (rc < 0) {
        return rc;
    }
    if (c->phase == SRV_PH_DATA) {
        note_record_events(s, c, ev);
    }
    return LT_OK;
}

static void update_interest(srv *s, srv_conn *c)
{
    uint32_t ev = 0;
    if (pending_out(c) > 0) {
        ev |= EPOLLOUT;
    }
    if (c->phase == SRV_PH_CLOSING) {
        if (c->wr_shut) {
            ev |= EPOLLIN;
        }
    } else if (!c->eof && c->backlog_len == 0 && pending_out(c) < SRV_OUT_HIGH_WATER && lt_conn_wants_input(c->tls)) {
        ev |= EPOLLIN;
    }
    if (ev == c->events) {
        return;
    }
    struct epoll_event e = {.events = ev, .data.ptr = c};
    if (epoll_ctl(s->epfd, EPOLL_CTL_MOD, c->fd, &e) == 0) {
        c->events = ev;
    }
}

/* ---- echo ------------------------------------------------------------------ */

/* Give lt_conn_write what it refused last time. 0 when the backlog is empty,
 * 1 while the output queue is still full, or an error. */
static int push_backlog(srv_conn *c, int *progress)
{
    if (c->backlog_len == 0) {
        return 0;
    }
    size_t w = 0;
    int rc = lt_conn_write(c->tls, c->backlog + c->backlog_off, c->backlog_len, &w);
    if (rc < 0) {
        return rc;
    }
    if (w > 0) {
        *progress = 1;
    }
    c->app_out += w;
    c->backlog_off += w;
    c->backlog_len -= w;
    if (c->backlog_len > 0) {
        return 1;
    }
    free(c->backlog);
    c->backlog = NULL;
    c->backlog_off = 0;
    return 0;
}

static int save_backlog(srv_conn *c, const uint8_t *p, size_t n)
{
    c->backlog = malloc(n);
    if (c->backlog == NULL) {
        return LT_ERR_NOMEM;
    }
    memcpy(c->backlog, p, n);
    c->backlog_off = 0;
    c->backlog_len = n;
    return LT_OK;
}

/* Echo what the client sent until its close_notify. */
static int echo_step(srv_conn *c, int *progress)
{
    uint8_t buf[SRV_CHUNK];
    for (;;) {
        int rc = push_backlog(c, progress);
        if (rc != 0) {
            return rc < 0 ? rc : LT_OK;
        }
        if (pending_out(c) >= SRV_OUT_HIGH_WATER) {
            return LT_OK;
        }
        size_t n = 0;
        rc = lt_conn_read(c->tls, buf, sizeof buf, &n);
        if (rc == LT_CLOSED) {
            /* The core answered with its close_notify already. */
            (void)lt_conn_close(c->tls);
            return SRV_DONE;
        }
        if (rc != LT_OK) {
            return rc == LT_WANT_INPUT ? LT_OK : rc;
        }
        *progress = 1;
        c->app_in += n;
        size_t w = 0;
        rc = lt_conn_write(c->tls, buf, n, &w);
        if (rc < 0) {
            return rc;
        }
        c->app_out += w;
        if (w < n) {
            rc = save_backlog(c, buf + w, n - w);
            if (rc != LT_OK) {
                return rc;
            }
        }
    }
}

/* ---- --www ----------------------------------------------------------------- */

/* Has the request's header ended ("\r\n\r\n" or "\n\n")? The last three bytes
 * carry over, so a blank line split across records is found too. */
static int scan_blank_line(srv_conn *c, const uint8_t *p, size_t n)
{
    char *t = c->req_tail;
    for (size_t i = 0; i < n; i++) {
        char ch = (char)p[i];
        if (ch == '\n' && (t[2] == '\n' || (t[0] == '\r' && t[1] == '\n' && t[2] == '\r'))) {
            return 1;
        }
        t[0] = t[1];
        t[1] = t[2];
        t[2] = ch;
    }
    return 0;
}

/* Like `openssl s_server -www`: what was negotiated, then close_notify. */
static int www_answer(srv_conn *c)
{
    char body[1024];
    char subject[256];
    char page[1700];
    tool_summary(c->tls, body, sizeof body);
    tool_peer_subject(c->tls, subject, sizeof subject);
    int k = snprintf(page, sizeof page,
                     "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\n"
                     "lucidtls %s\n\n%sClient certificate: %s\n",
                     LT_VERSION_STRING, body, subject);
    size_t w = 0;
    int rc = lt_conn_write(c->tls, page, (size_t)k, &w);
    if (rc < 0) {
        return rc;
    }
    c->app_out += w;
    if (w != (size_t)k) {
        /* Nothing else was queued: a page this small always fits. */
        return LT_ERR_INTERNAL;
    }
    rc = lt_conn_close(c->tls);
    return rc < 0 ? rc : SRV_DONE;
}

/* Keeps the request's first WWW_REQUEST_KEEP bytes: its line and headers. */
static void keep_request_head(srv_conn *c, const uint8_t *p, size_t n)
{
    if (c->page == NULL || c->req_head_len == WWW_REQUEST_KEEP) {
        return;
    }
    if (c->req_head == NULL && (c->req_head = malloc(WWW_REQUEST_KEEP)) == NULL) {
        return;
    }
    size_t take = n < WWW_REQUEST_KEEP - c->req_head_len ? n : WWW_REQUEST_KEEP - c->req_head_len;
    memcpy(c->req_head + c->req_head_len, p, take);
    c->req_head_len += take;
}

/* The handshake page, or /handshake.json: larger than the output queue, so
 * what lt_conn_write does not take now waits in the backlog, and www_step
 * sends it as the client reads (backpressure as in the echo). */
static int www_page_answer(srv_conn *c, www_kind kind, int *progress)
{
    tool_str resp;
    tool_str_init(&resp, 2 * 1024 * 1024);
    if (kind == WWW_HTML) {
        www_page_html(c->page, c->tls, c->id, c->peer, &resp);
    } else {
        www_page_json(c->page, c->tls, c->id, c->peer, &resp);
    }
    www_page_free(c->page);
    c->page = NULL;
    if (resp.truncated || resp.len == 0) {
        /* Out of memory for the page: the short answer still fits. */
        tool_str_free(&resp);
        return www_answer(c);
    }
    size_t w = 0;
    int rc = lt_conn_write(c->tls, resp.p, resp.len, &w);
    if (rc >= 0 && w < resp.len) {
        rc = save_backlog(c, (const uint8_t *)resp.p + w, resp.len - w);
    }
    tool_str_free(&resp);
    if (rc < 0) {
        return rc;
    }
    c->app_out += w;
    c->answering = 1;
    return www_step(c, progress);
}

/* After the blank line: a browser's page, the JSON, or the short answer. */
static int www_respond(srv_conn *c, int *progress)
{
    www_kind kind =
        c->page != NULL ? www_request_kind(c->req_head != NULL ? c->req_head : "", c->req_head_len) : WWW_PLAIN;
    free(c->req_head);
    c->req_head = NULL;
    if (kind == WWW_PLAIN) {
        www_page_free(c->page); /* not wanted: its memory goes now */
        c->page = NULL;
        return www_answer(c);
    }
    return www_page_answer(c, kind, progress);
}

static int www_step(srv_conn *c, int *progress)
{
    if (c->answering) {
        /* The page is going out; what the client sends meanwhile waits. */
        int rc = push_backlog(c, progress);
        if (rc != 0) {
            return rc < 0 ? rc : LT_OK;
        }
        rc = lt_conn_close(c->tls);
        return rc < 0 ? rc : SRV_DONE;
    }
    uint8_t buf[SRV_CHUNK];
    for (;;) {
        size_t n = 0;
        int rc = lt_conn_read(c->tls, buf, sizeof buf, &n);
        if (rc == LT_CLOSED) {
            (void)lt_conn_close(c->tls);
            return SRV_DONE;
        }
        if (rc != LT_OK) {
            return rc == LT_WANT_INPUT ? LT_OK : rc;
        }
        *progress = 1;
        c->app_in += n;
        keep_request_head(c, buf, n);
        if (scan_blank_line(c, buf, n)) {
            return www_respond(c, progress);
        }
        c->req_len += n;
        if (c->req_len >= SRV_MAX_REQUEST) {
            fprintf(stderr, "client %s: connection failed: %s: no blank line in the first %d bytes of the request\n",
                    c->peer, lt_result_name(LT_ERR_USAGE), SRV_MAX_REQUEST);
            (void)lt_conn_close(c->tls);
            return SRV_DONE;
        }
    }
}

/* ---- the driver ----------------------------------------------------------- */

/* Whatever the phase allows with what the core holds now. */
static int app_step(srv *s, srv_conn *c, int *progress)
{
    if (c->phase == SRV_PH_HANDSHAKE) {
        int rc = lt_conn_handshake(c->tls);
        if (rc == LT_WANT_INPUT) {
            return LT_OK;
        }
        if (rc != LT_OK) {
            return rc;
        }
        srv_timer_set(s, c, SRV_PH_DATA); /* also moves c to the data phase */
        if (s->opts->client_auth != LT_CLIENT_AUTH_NONE) {
            char subject[256];
            tool_peer_subject(c->tls, subject, sizeof subject);
            fprintf(stderr, "client %s: client certificate: %s\n", c->peer, subject);
        }
        if (s->opts->key_update && lt_conn_version(c->tls) == LT_TLS1_3) {
            /* RFC 8446 4.6.3: new keys for us, and a request for the client's. */
            rc = lt_conn_key_update(c->tls, 1);
            if (rc != LT_OK) {
                return rc;
            }
        }
        if (c->meter.got > 0) {
            /* The client sent more right behind its Finished. */
            srv_record_timer_arm(s, c);
        }
        *progress = 1;
    }
    return s->opts->www ? www_step(c, progress) : echo_step(c, progress);
}

static void enter_closing(srv *s, srv_conn *c)
{
    srv_timer_set(s, c, SRV_PH_CLOSING); /* also moves c to the closing phase */
    srv_record_timer_disarm(s, c);
    free(c->backlog);
    c->backlog = NULL;
    c->backlog_len = 0;
}

/* Did the client end without close_notify, but only after a complete
 * exchange: established, data both ways, nothing of ours left unsent, and
 * EOF between two records? Many clients do that (Python's ssl module unless
 * told to unwrap()); whatever was cut, it was not anything we were in the
 * middle of. A record cut short is still truncation. */
static int ended_after_exchange(const srv_conn *c)
{
    return c->phase == SRV_PH_DATA && c->app_in > 0 && c->app_out > 0 && c->meter.got == 0 && c->backlog_len == 0 &&
           pending_out(c) == 0;
}

/* A failure: one line on stderr; then the fatal alert the core queued goes
 * out on the way to closing, unless the socket itself failed. */
static int conn_fail(srv *s, srv_conn *c, int rc, int saved_errno)
{
    if (rc == LT_ERR_TRUNCATED && ended_after_exchange(c)) {
        fprintf(stderr,
                "client %s: note: closed without close_notify after a complete exchange (%llu bytes in, %llu out)\n",
                c->peer, (unsigned long long)c->app_in, (unsigned long long)c->app_out);
        enter_closing(s, c);
        return conn_closing_step(s, c);
    }
    log_failure(c, rc, saved_errno);
    if (rc == LT_ERR_IO) {
        conn_finish(s, c);
        return 0;
    }
    enter_closing(s, c);
    return conn_closing_step(s, c);
}

/* Read and discard after our FIN. 1 while the client has more to say, 0 when
 * it is done (or said too much, or failed). */
static int drain(srv_conn *c)
{
    char sink[4096];
    for (;;) {
        ssize_t k = recv(c->fd, sink, sizeof sink, 0);
        if (k < 0 && errno == EINTR) {
            continue;
        }
        if (k < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            return 1;
        }
        if (k <= 0) {
            return 0;
        }
        c->drained += (size_t)k;
        if (c->drained > SRV_MAX_DRAIN) {
            return 0;
        }
    }
}

static int conn_closing_step(srv *s, srv_conn *c)
{
    int progress = 0;
    if (flush_out(s, c, &progress) < 0) {
        /* The client is gone before our last record: nothing to add. */
        conn_finish(s, c);
        return 0;
    }
    if (pending_out(c) == 0) {
        if (c->eof) {
            conn_finish(s, c);
            return 0;
        }
        if (!c->wr_shut) {
            (void)shutdown(c->fd, SHUT_WR);
            c->wr_shut = 1;
        }
        if (!drain(c)) {
            conn_finish(s, c);
            return 0;
        }
    }
    update_interest(s, c);
    return 1;
}

/* 1 while c lives, 0 once it is freed. */
static int conn_drive(srv *s, srv_conn *c)
{
    for (int round = 0;; round++) {
        if (c->phase == SRV_PH_CLOSING) {
            return conn_closing_step(s, c);
        }
        int progress = 0;
        int saved_errno = 0;
        int rc = app_step(s, c, &progress);
        if (rc == SRV_DONE) {
            enter_closing(s, c);
            continue;
        }
        if (rc < 0) {
            return conn_fail(s, c, rc, 0);
        }
        if (flush_out(s, c, &progress) < 0) {
            return conn_fail(s, c, LT_ERR_IO, errno);
        }
        /* The application stepped after the last receive: nothing the core
         * holds is left waiting for an event that will not come. */
        if (round >= SRV_ROUNDS) {
            break;
        }
        rc = pull_in(s, c, &progress, &saved_errno);
        if (rc < 0) {
            return conn_fail(s, c, rc, saved_errno);
        }
        if (!progress) {
            break;
        }
    }
    if (c->phase == SRV_PH_DATA) {
        /* The socket is drained and the client has our answer: while it
         * thinks, give the record buffers back (about 35 KB; they return on
         * the next byte). This is what keeps many idle clients cheap. */
        lt_conn_release_buffers(c->tls);
    }
    update_interest(s, c);
    return 1;
}

void srv_conn_run(srv *s, srv_conn *c, uint32_t events)
{
    if ((events & EPOLLERR) && c->phase != SRV_PH_CLOSING) {
        int err = 0;
        socklen_t len = sizeof err;
        (void)getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len);
        if (err != 0) {
            (void)conn_fail(s, c, LT_ERR_IO, err);
            return;
        }
    }
    if (!conn_drive(s, c)) {
        return;
    }
    if (events & (EPOLLHUP | EPOLLERR)) {
        /* Both directions are gone and the round above found nothing more
         * to do: without this, level-triggered HUP would wake us forever. */
        if (c->phase != SRV_PH_CLOSING) {
            log_failure(c, LT_ERR_IO, ECONNRESET);
        }
        conn_finish(s, c);
    }
}
