/*
 * lucidtls_fd.h — a thin socket layer over the sans-I/O core.
 *
 * Each call loops: flush pending output to the socket, then read from the
 * socket and feed the core, until its goal is reached. On a blocking socket
 * the calls block; on a non-blocking one they return LT_WANT_INPUT (the socket
 * had nothing to read) or LT_WANT_OUTPUT (the socket could not take all output)
 * and can be called again when poll() says so.
 *
 * Backpressure: output always goes out before more input is read. On a
 * non-blocking socket, while our own data (lt_fd_write, up to the core's
 * LT_OUT_QUEUE_CAP) waits for the socket, lt_fd_read still reads, so two
 * peers that both write cannot deadlock. But output the peer's records made
 * us queue beyond that (alerts answering it: a peer that sends and never
 * reads), or output the core refuses to grow past, stops the reading: the
 * call returns LT_WANT_OUTPUT and reads nothing more until the socket takes
 * output again. So on LT_WANT_OUTPUT, poll for POLLOUT (as well as POLLIN if
 * you like) and call again; polling for POLLIN alone may wait forever.
 *
 * Deadlines: the *_timed calls take timeout_ms, a bound on the whole call
 * (< 0: none, the plain calls above; 0: do not wait at all). When it passes
 * they return LT_ERR_TIMEOUT with errno = ETIMEDOUT. The connection itself
 * is intact: a timed-out read or write may be called again (a handshake that
 * timed out is normally given up). A deadline applies to blocking sockets; on
 * a non-blocking socket you poll yourself, and the calls behave as the plain
 * ones. For a handshake timeout, call lt_fd_handshake_timed once; for an idle
 * timeout, give each lt_fd_read_timed the longest silence you accept. The
 * layer keeps no state between calls, so there is nothing to set up or free.
 */
#ifndef LUCIDTLS_FD_H
#define LUCIDTLS_FD_H

#include "lucidtls.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Exported API: see the visibility note in lucidtls.h. */
#pragma GCC visibility push(default)

/* Complete the handshake. */
int lt_fd_handshake(lt_conn *conn, int fd);
/* Read up to cap bytes of application data; LT_CLOSED after close_notify. */
int lt_fd_read(lt_conn *conn, int fd, void *buf, size_t cap, size_t *n);
/* Write all len bytes (on a non-blocking socket, as many as fit: *written). */
int lt_fd_write(lt_conn *conn, int fd, const void *buf, size_t len, size_t *written);
/* Send close_notify and flush it. Does not close the socket. */
int lt_fd_close(lt_conn *conn, int fd);
/* Flush pending output only. */
int lt_fd_flush(lt_conn *conn, int fd);

/* The same, each bounded by timeout_ms (see above). */
int lt_fd_handshake_timed(lt_conn *conn, int fd, int timeout_ms);
int lt_fd_read_timed(lt_conn *conn, int fd, void *buf, size_t cap, size_t *n, int timeout_ms);
int lt_fd_write_timed(lt_conn *conn, int fd, const void *buf, size_t len, size_t *written, int timeout_ms);
int lt_fd_close_timed(lt_conn *conn, int fd, int timeout_ms);
int lt_fd_flush_timed(lt_conn *conn, int fd, int timeout_ms);
#pragma GCC visibility pop

#ifdef __cplusplus
}
#endif
#endif
