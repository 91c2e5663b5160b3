/*
 * The socket layer (lucidtls_fd.h): a run-until loop over the sans-I/O core,
 * modelled on BearSSL's br_sslio run_until().
 *
 * Every call repeats: flush pending output, try to reach the goal (handshake
 * done, plaintext available, ...), and if the core wants input, move bytes
 * from the socket into it.
 *
 * Input goes straight into the core's record buffer (lt_conn_in_buf), and
 * only as many bytes as the current record still needs: the core holds at
 * most one record, and this layer keeps no state of its own, so it must never
 * read a byte the core cannot take. That costs one recv() for a record's
 * header and one for its body, and no copy.
 *
 * Deadlines (the *_timed calls) are per call, so that this layer still keeps
 * nothing between calls: on a blocking socket a timed call sends and receives
 * with MSG_DONTWAIT and waits in poll() for what is left of its time.
 */
#include "lucidtls/lucidtls_fd.h"

#include <errno.h>
#include <string.h>
#include <stdio.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

/* Rounds in which neither the core nor the socket made progress before we
 * give up instead of spinning forever on a confused core. */
#define LT_FD_MAX_IDLE 4

/* Backpressure is the core's rule (lucidtls.h, "Output bounds"): it takes
 * no input while the answers it owes the peer have pushed its output queue
 * past LT_OUT_QUEUE_CAP, and our own writes never get it there. So we keep
 * reading while only our own data waits (two peers that both write cannot
 * deadlock: each one's reading is what lets the other's writes drain), and
 * stop, with LT_WANT_OUTPUT, when the core stops taking input (pull_in). */

/* Where a call sends and receives, and until when it may wait. */
typedef struct fd_io {
    int fd;
    int timed;           /* blocking socket with a deadline: wait in poll(), not in send/recv */
    int64_t deadline_ms; /* CLOCK_MONOTONIC */
} fd_io;

typedef int (*goal_fn)(lt_conn *conn, void *ctx);

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A deadline only means something on a blocking socket: on a non-blocking
 * one the caller polls, and gets LT_WANT_INPUT / LT_WANT_OUTPUT as always. */
static fd_io io_for(int fd, int timeout_ms)
{
    fd_io io = {fd, 0, 0};
    if (timeout_ms >= 0) {
        int flags = fcntl(fd, F_GETFL);
        io.timed = flags < 0 || !(flags & O_NONBLOCK);
        io.deadline_ms = now_ms() + timeout_ms;
    }
    return io;
}

/* Wait until fd is ready for `events` or the deadline passes. */
static int wait_ready(const fd_io *io, short events)
{
    for (;;) {
        int64_t left = io->deadline_ms - now_ms();
        if (left <= 0) {
            errno = ETIMEDOUT;
            return LT_ERR_TIMEOUT;
        }
        struct pollfd pf = {.fd = io->fd, .events = events, .revents = 0};
        int k = poll(&pf, 1, left > 60000 ? 60000 : (int)left);
        if (k > 0) {
            /* Readable, writable, or an error/hang-up that the next
             * send/recv reports. */
            return LT_OK;
        }
        if (k < 0 && errno != EINTR) {
            return LT_ERR_IO;
        }
    }
}

/* One send: MSG_NOSIGNAL so a vanished peer is an EPIPE error, not a
 * SIGPIPE that kills the process. Falls back to write() for non-sockets. */
static ssize_t send_some(const fd_io *io, const uint8_t *p, size_t len)
{
    ssize_t k = send(io->fd, p, len, MSG_NOSIGNAL | (io->timed ? MSG_DONTWAIT : 0));
    if (k < 0 && errno == ENOTSOCK) {
        k = write(io->fd, p, len);
    }
    return k;
}

/* A socket error ends the connection: it becomes the connection's sticky
 * error, so every later call reports it too (errno is kept for the caller). */
static int io_error(lt_conn *conn, const char *call)
{
    int saved = errno;
    char what[128];
    snprintf(what, sizeof what, "%s failed: %s", call, strerror(saved));
    int rc = lt_conn_fail_transport(conn, LT_ERR_IO, what);
    errno = saved;
    return rc;
}

static int flush_out(lt_conn *conn, const fd_io *io)
{
    for (;;) {
        size_t len = 0;
        const uint8_t *p = lt_conn_out_peek(conn, &len);
        if (p == NULL || len == 0) {
            return LT_OK;
        }
        ssize_t k = send_some(io, p, len);
        if (k < 0) {
            if (errno == EINTR) {
                continue;
            }
            if (errno != EAGAIN && errno != EWOULDBLOCK) {
                return io_error(conn, "send");
            }
            if (!io->timed) {
                return LT_WANT_OUTPUT;
            }
            int rc = wait_ready(io, POLLOUT);
            if (rc != LT_OK) {
                return rc;
            }
            continue;
        }
        lt_conn_out_consume(conn, (size_t)k);
    }
}

static size_t pending_out(const lt_conn *conn)
{
    size_t len = 0;
    (void)lt_conn_out_peek(conn, &len);
    return len;
}

/* After a core error: push out the fatal alert the core queued, once, without
 * letting a failed send hide the real error (or clobber errno). */
static int fail(lt_conn *conn, const fd_io *io, int err)
{
    int saved = errno;
    (void)flush_out(conn, io);
    errno = saved;
    return err;
}

/*
 * Move bytes from the socket into the core, straight into its record buffer
 * (lt_conn_in_buf): exactly as many as the current record still needs, so
 * nothing is ever read that the core cannot take, and nothing is copied
 * twice. *progress is set when bytes arrived or on end of file; it stays 0
 * when the core takes nothing now (unread plaintext must be read first).
 * *eof is set when the peer closed its side.
 */
static int pull_in(lt_conn *conn, const fd_io *io, int *progress, int *eof)
{
    size_t room = 0;
    uint8_t *dst = lt_conn_in_buf(conn, &room);
    *progress = 0;
    if (dst == NULL || room == 0) {
        /* A core whose output queue is full takes no input until it drains:
         * that is a wait for the socket, not a core going nowhere. */
        return pending_out(conn) > 0 ? LT_WANT_OUTPUT : LT_OK;
    }
    ssize_t k;
    for (;;) {
        k = recv(io->fd, dst, room, io->timed ? MSG_DONTWAIT : 0);
        if (k >= 0) {
            break;
        }
        if (errno == EINTR) {
            continue;
        }
        if (errno != EAGAIN && errno != EWOULDBLOCK) {
            return io_error(conn, "recv");
        }
        if (!io->timed) {
            return LT_WANT_INPUT;
        }
        int rc = wait_ready(io, POLLIN);
        if (rc != LT_OK) {
            return rc;
        }
    }
    *progress = 1;
    if (k == 0) {
        /* The core decides what EOF means: LT_CLOSED after close_notify,
         * LT_ERR_TRUNCATED otherwise. */
        lt_conn_feed_eof(conn);
        *eof = 1;
        return LT_OK;
    }
    int rc = lt_conn_in_commit(conn, (size_t)k);
    return rc < 0 ? rc : LT_OK;
}

/* Results of ours that leave the connection as it was: no alert to flush. */
static int is_socket_result(int rc)
{
    return rc == LT_ERR_IO || rc == LT_ERR_TIMEOUT || rc == LT_WANT_INPUT || rc == LT_WANT_OUTPUT;
}

/*
 * The loop every call shares. goal returns LT_OK when reached, LT_WANT_INPUT
 * when the core needs bytes, or an error/other final state to return as is.
 */
static int run_until(lt_conn *conn, const fd_io *io, goal_fn goal, void *ctx)
{
    int idle = 0;
    int eof = 0;
    for (;;) {
        /* On a non-blocking socket the output may not all fit; the goal may
         * be reached anyway (plaintext already buffered). */
        int out = flush_out(conn, io);
        if (out < 0) {
            return out;
        }
        int rc = goal(conn, ctx);
        if (rc < 0) {
            return fail(conn, io, rc);
        }
        if (rc != LT_WANT_INPUT) {
            /* Reached (or closed): the core may have queued output on the
             * way, e.g. the server's Finished. */
            out = flush_out(conn, io);
            if (out < 0) {
                return out;
            }
            return rc == LT_OK ? out : rc;
        }
        /* The goal may have queued output (a ClientHello, an alert): it
         * must be on the wire before we wait for the answer to it. */
        out = flush_out(conn, io);
        if (out < 0) {
            return out;
        }
        if (eof) {
            /* The core saw EOF and still wants input: it will never come. */
            return fail(conn, io, LT_ERR_TRUNCATED);
        }
        int progress = 0;
        rc = pull_in(conn, io, &progress, &eof);
        if (rc == LT_WANT_INPUT) {
            return out == LT_WANT_OUTPUT ? LT_WANT_OUTPUT : LT_WANT_INPUT;
        }
        if (is_socket_result(rc)) {
            return rc;
        }
        if (rc < 0) {
            return fail(conn, io, rc);
        }
        if (progress) {
            idle = 0;
        } else if (++idle > LT_FD_MAX_IDLE) {
            /* The core refuses input yet wants input: never spin on it. */
            return fail(conn, io, LT_ERR_INTERNAL);
        }
    }
}

/* ---- goals --------------------------------------------------------------- */

static int goal_handshake(lt_conn *conn, void *ctx)
{
    (void)ctx;
    return lt_conn_handshake(conn);
}

typedef struct read_ctx {
    void *buf;
    size_t cap;
    size_t *n;
} read_ctx;

static int goal_read(lt_conn *conn, void *ctx)
{
    read_ctx *r = ctx;
    int rc = lt_conn_read(conn, r->buf, r->cap, r->n);
    if (rc == LT_OK && *r->n == 0) {
        /* A record without plaintext for us (e.g. an empty fragment):
         * keep going until data or a final state arrives. */
        return LT_WANT_INPUT;
    }
    return rc;
}

static int goal_flushed(lt_conn *conn, void *ctx)
{
    (void)conn;
    (void)ctx;
    return LT_OK;
}

/* ---- the calls, with an optional deadline -------------------------------- */

static int do_handshake(lt_conn *conn, const fd_io *io)
{
    return run_until(conn, io, goal_handshake, NULL);
}

static int do_read(lt_conn *conn, const fd_io *io, void *buf, size_t cap, size_t *n)
{
    *n = 0;
    if (cap == 0) {
        return LT_ERR_USAGE;
    }
    if (!lt_conn_is_established(conn)) {
        int rc = do_handshake(conn, io);
        if (rc != LT_OK) {
            return rc;
        }
    }
    read_ctx r = {buf, cap, n};
    int rc = run_until(conn, io, goal_read, &r);
    if (rc == LT_WANT_OUTPUT && *n > 0) {
        /* The data is ours; the pending output goes out on the next call. */
        return LT_OK;
    }
    return rc;
}

static int do_write(lt_conn *conn, const fd_io *io, const void *buf, size_t len, size_t *written)
{
    const uint8_t *p = buf;
    size_t done = 0;
    int idle = 0;
    int rc = LT_OK;
    if (!lt_conn_is_established(conn)) {
        rc = do_handshake(conn, io);
    }
    while (rc == LT_OK && done < len) {
        /* Flush first so the core's output queue never grows without bound on
         * a non-blocking socket. */
        rc = flush_out(conn, io);
        if (rc != LT_OK) {
            break;
        }
        size_t w = 0;
        rc = lt_conn_write(conn, p + done, len - done, &w);
        done += w;
        if (rc < 0) {
            rc = fail(conn, io, rc);
            break;
        }
        if (w > 0) {
            idle = 0;
        } else if (++idle > LT_FD_MAX_IDLE) {
            rc = fail(conn, io, LT_ERR_INTERNAL);
            break;
        }
        rc = LT_OK;
    }
    if (written != NULL) {
        *written = done;
    }
    return rc == LT_OK ? flush_out(conn, io) : rc;
}

static int do_close(lt_conn *conn, const fd_io *io)
{
    int rc = lt_conn_close(conn);
    int frc = flush_out(conn, io);
    if (rc < 0) {
        return rc;
    }
    return frc;
}

/* ---- public API ---------------------------------------------------------- */

int lt_fd_handshake(lt_conn *conn, int fd)
{
    return lt_fd_handshake_timed(conn, fd, -1);
}

int lt_fd_read(lt_conn *conn, int fd, void *buf, size_t cap, size_t *n)
{
    return lt_fd_read_timed(conn, fd, buf, cap, n, -1);
}

int lt_fd_write(lt_conn *conn, int fd, const void *buf, size_t len, size_t *written)
{
    return lt_fd_write_timed(conn, fd, buf, len, written, -1);
}

int lt_fd_close(lt_conn *conn, int fd)
{
    return lt_fd_close_timed(conn, fd, -1);
}

int lt_fd_flush(lt_conn *conn, int fd)
{
    return lt_fd_flush_timed(conn, fd, -1);
}

int lt_fd_handshake_timed(lt_conn *conn, int fd, int timeout_ms)
{
    fd_io io = io_for(fd, timeout_ms);
    return do_handshake(conn, &io);
}

int lt_fd_read_timed(lt_conn *conn, int fd, void *buf, size_t cap, size_t *n, int timeout_ms)
{
    fd_io io = io_for(fd, timeout_ms);
    return do_read(conn, &io, buf, cap, n);
}

int lt_fd_write_timed(lt_conn *conn, int fd, const void *buf, size_t len, size_t *written, int timeout_ms)
{
    fd_io io = io_for(fd, timeout_ms);
    return do_write(conn, &io, buf, len, written);
}

int lt_fd_close_timed(lt_conn *conn, int fd, int timeout_ms)
{
    fd_io io = io_for(fd, timeout_ms);
    return do_close(conn, &io);
}

int lt_fd_flush_timed(lt_conn *conn, int fd, int timeout_ms)
{
    fd_io io = io_for(fd, timeout_ms);
    return run_until(conn, &io, goal_flushed, NULL);
}
