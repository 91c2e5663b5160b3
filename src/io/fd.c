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
 */
#include "lucidtls/lucidtls_fd.h"

#include <errno.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

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

/*
 * Move bytes from the socket into the core, straight into its record buffer
 * (lt_conn_in_buf): exactly as many as the current record still needs, so
 * nothing is ever read that the core cannot take, and nothing is copied
 * twice. *progress is set when bytes arrived or on end of file; it stays 0
 * when the core takes nothing now (unread plaintext must be read first).
 * *eof is set when the peer closed its side.
 */
static int pull_in(lt_conn *conn, int fd, int *progress, int *eof)
{
    size_t room = 0;
    uint8_t *dst = lt_conn_in_buf(conn, &room);
    *progress = 0;
    if (dst == NULL || room == 0) {
        return LT_OK;
    }
    ssize_t k;
    do {
        k = recv(fd, dst, room, 0);
    } while (k < 0 && errno == EINTR);
    if (k < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            return LT_WANT_INPUT;
        }
        return LT_ERR_IO;
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
