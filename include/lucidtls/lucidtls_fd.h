/*
 * lucidtls_fd.h — a thin socket layer over the sans-I/O core.
 *
 * Each call loops: flush pending output to the socket, then read from the
 * socket and feed the core, until its goal is reached. On a blocking socket
 * the calls block; on a non-blocking one they return LT_WANT_INPUT (the socket
 * had nothing to read) or LT_WANT_OUTPUT (the socket could not take all output)
 * and can be called again when poll() says so.
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

#pragma GCC visibility pop

#ifdef __cplusplus
}
#endif
#endif
