/*
 * The socket layer (lucidtls_fd.h): a run-until loop over the sans-I/O core,
 * modelled on BearSSL's br_sslio run_until().
 *
 * Every call repeats: flush pending output, try to reach the goal (handshake
 * done, plaintext available, ...), and if the core wants input, move bytes
 * from the socket into it.
 *
 * Why MSG_PEEK: lt_conn_feed may take fewer bytes than offered (the core
 * buffers at most one record). Bytes read out of the kernel but not taken
 * would have to live somewhere until the next call, and this layer has no
 * per-connection state to keep them in. So we peek, feed, and then remove from
 * the socket exactly the bytes the core consumed: nothing is ever lost, even
 * when a goal is reached with more records already waiting in the kernel.
 */
#include "lucidtls/lucidtls_fd.h"

#include <errno.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

/* At least one full TLS 1.2 record: 5-byte header + 2^14 + 2048 bytes. */
#define LT_FD_INBUF (16384 + 2048 + 5 + 256)

/* Rounds in which neither the core nor the socket made progress before we
 * give up instead of spinning forever on a confused core. */
#define LT_FD_MAX_IDLE 4

typedef int (*goal_fn)(lt_conn *conn, void *ctx);

/* One send: MSG_NOSIGNAL so a vanished peer is an EPIPE error, not a
 * SIGPIPE that kills the process. Falls back to write() for non-sockets. */
static ssize_t send_some(int fd, const uint8_t *p, size_t len)
{
    ssize_t k = send(fd, p, len, MSG_NOSIGNAL);
    if (k < 0 && errno == ENOTSOCK) {
        k = write(fd, p, len);
    }
    return k;
}

static int flush_out(lt_conn *conn, int fd)
{
    for (;;) {
        size_t len = 0;
        const uint8_t *p = lt_conn_out_peek(conn, &len);
        if (p == NULL || len == 0) {
            return LT_OK;
        }
        ssize_t k = send_some(fd, p, len);
        if (k < 0) {
            if (errno == EINTR) {
                continue;
            }
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                return LT_WANT_OUTPUT;
            }
            return LT_ERR_IO;
        }
        lt_conn_out_consume(conn, (size_t)k);
    }
}

/* After a core error: push out the fatal alert the core queued, once, without
 * letting a failed send hide the real error (or clobber errno). */
static int fail(lt_conn *conn, int fd, int err)
{
    int saved = errno;
    (void)flush_out(conn, fd);
    errno = saved;
    return err;
}

/* Drop n bytes the core consumed from the kernel's receive queue. They were
 * peeked already, so this cannot block. */
static int drain(int fd, size_t n)
{
    uint8_t sink[512];
    while (n > 0) {
        size_t want = n < sizeof sink ? n : sizeof sink;
        ssize_t k = recv(fd, sink, want, 0);
        if (k < 0 && errno == EINTR) {
            continue;
        }
        if (k <= 0) {
            return LT_ERR_IO;
        }
        n -= (size_t)k;
    }
    return LT_OK;
}

/*
 * Move bytes from the socket into the core. *progress is set when the core
 * took bytes or saw end of file; it stays 0 when the core refused everything
 * (its one-record buffer is full and must be processed first). *eof is set
 * when the peer closed its side.
 */
static int pull_in(lt_conn *conn, int fd, int *progress, int *eof)
{
    uint8_t buf[LT_FD_INBUF];
    ssize_t k;
    *progress = 0;
    do {
        k = recv(fd, buf, sizeof buf, MSG_PEEK);
    } while (k < 0 && errno == EINTR);
    if (k < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            return LT_WANT_INPUT;
        }
        return LT_ERR_IO;
    }
    if (k == 0) {
        /* The core decides what EOF means: LT_CLOSED after close_notify,
         * LT_ERR_TRUNCATED otherwise. */
        lt_conn_feed_eof(conn);
        *progress = 1;
        *eof = 1;
        return LT_OK;
    }
    size_t consumed = 0;
    int rc = lt_conn_feed(conn, buf, (size_t)k, &consumed);
    if (consumed > 0) {
        *progress = 1;
        int drc = drain(fd, consumed);
        if (drc < 0) {
            return drc;
        }
    }
    return rc < 0 ? rc : LT_OK;
}

/*
 * The loop every call shares. goal returns LT_OK when reached, LT_WANT_INPUT
 * when the core needs bytes, or an error/other final state to return as is.
 */
static int run_until(lt_conn *conn, int fd, goal_fn goal, void *ctx)
{
    int idle = 0;
    int eof = 0;
    for (;;) {
        /* On a non-blocking socket the output may not all fit; go on to read
         * anyway, so two peers that both write cannot deadlock. */
        int out = flush_out(conn, fd);
        if (out < 0) {
            return out;
        }
        int rc = goal(conn, ctx);
        if (rc < 0) {
            return fail(conn, fd, rc);
        }
        if (rc != LT_WANT_INPUT) {
            /* Reached (or closed): the core may have queued output on the
             * way, e.g. the server's Finished. */
            out = flush_out(conn, fd);
            if (out < 0) {
                return out;
            }
            return rc == LT_OK ? out : rc;
        }
        /* The goal may have queued output (a ClientHello, an alert): it
         * must be on the wire before we wait for the answer to it. */
        out = flush_out(conn, fd);
        if (out < 0) {
            return out;
        }
        if (eof) {
            /* The core saw EOF and still wants input: it will never come. */
            return fail(conn, fd, LT_ERR_TRUNCATED);
        }
        int progress = 0;
        rc = pull_in(conn, fd, &progress, &eof);
        if (rc == LT_WANT_INPUT) {
            return out == LT_WANT_OUTPUT ? LT_WANT_OUTPUT : LT_WANT_INPUT;
        }
        if (rc == LT_ERR_IO) {
            return rc;
        }
        if (rc < 0) {
            return fail(conn, fd, rc);
        }
        if (progress) {
            idle = 0;
        } else if (++idle > LT_FD_MAX_IDLE) {
            /* The core refuses input yet wants input: never spin on it. */
            return fail(conn, fd, LT_ERR_INTERNAL);
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

/* ---- public API ---------------------------------------------------------- */

int lt_fd_handshake(lt_conn *conn, int fd)
{
    return run_until(conn, fd, goal_handshake, NULL);
}

int lt_fd_read(lt_conn *conn, int fd, void *buf, size_t cap, size_t *n)
{
    *n = 0;
    if (cap == 0) {
        return LT_ERR_USAGE;
    }
    if (!lt_conn_is_established(conn)) {
        int rc = lt_fd_handshake(conn, fd);
        if (rc != LT_OK) {
            return rc;
        }
    }
    read_ctx r = {buf, cap, n};
    int rc = run_until(conn, fd, goal_read, &r);
    if (rc == LT_WANT_OUTPUT && *n > 0) {
        /* The data is ours; the pending output goes out on the next call. */
        return LT_OK;
    }
    return rc;
}

int lt_fd_write(lt_conn *conn, int fd, const void *buf, size_t len, size_t *written)
{
    const uint8_t *p = buf;
    size_t done = 0;
    int idle = 0;
    if (written != NULL) {
        *written = 0;
    }
    if (!lt_conn_is_established(conn)) {
        int rc = lt_fd_handshake(conn, fd);
        if (rc != LT_OK) {
            return rc;
        }
    }
    while (done < len) {
        /* Flush first so the core's output queue never grows without bound on
         * a non-blocking socket. */
        int rc = flush_out(conn, fd);
        if (rc != LT_OK) {
            if (written != NULL) {
                *written = done;
            }
            return rc;
        }
        size_t w = 0;
        rc = lt_conn_write(conn, p + done, len - done, &w);
        done += w;
        if (rc < 0) {
            if (written != NULL) {
                *written = done;
            }
            return fail(conn, fd, rc);
        }
        if (w > 0) {
            idle = 0;
        } else if (++idle > LT_FD_MAX_IDLE) {
            if (written != NULL) {
                *written = done;
            }
            return fail(conn, fd, LT_ERR_INTERNAL);
        }
    }
    if (written != NULL) {
        *written = done;
    }
    return flush_out(conn, fd);
}

int lt_fd_close(lt_conn *conn, int fd)
{
    int rc = lt_conn_close(conn);
    int frc = flush_out(conn, fd);
    if (rc < 0) {
        return rc;
    }
    return frc;
}

int lt_fd_flush(lt_conn *conn, int fd)
{
    return run_until(conn, fd, goal_flushed, NULL);
}
