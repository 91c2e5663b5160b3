/*
 * https_client: a small useful lucidtls program. It connects to a web
 * server twice, verifying its certificate against the system trust store
 * (or a CA file), offers ALPN "h2,http/1.1" (it speaks HTTP/1.1 whatever
 * ALPN says, and tells what ALPN chose), sends "GET / HTTP/1.0" and prints
 * the answer. The second connection offers the first one's session and
 * says whether the server resumed it.
 *
 *   example_https_client example.com [443] [ca.pem]
 *
 * Everything goes through the blocking socket layer (lucidtls_fd.h): each
 * lt_fd_* call runs the sans-I/O core until its job is done.
 */
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lucidtls/lucidtls_fd.h"

/* A plain TCP connection; TLS does not care how the socket was made. */
static int tcp_connect(const char *host, const char *port)
{
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo(host, port, &hints, &res) != 0) {
        return -1;
    }
    int fd = -1;
    for (struct addrinfo *ai = res; ai != NULL && fd < 0; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
        if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(res);
    return fd;
}

static int report(const lt_conn *conn, int rc)
{
    const char *detail = NULL;
    int err = lt_conn_error(conn, &detail);
    fprintf(stderr, "https_client: %s: %s\n", lt_result_name(err < 0 ? err : rc),
            detail != NULL ? detail : "(no detail)");
    return 1;
}

/* One connection: handshake (offering `session` if any), request, answer;
 * the session to resume next time goes into `session`. */
static int fetch(lt_config *cfg, const char *host, const char *port, uint8_t *session, size_t *session_len)
{
    int fd = tcp_connect(host, port);
    if (fd < 0) {
        fprintf(stderr, "https_client: cannot connect to %s:%s\n", host, port);
        return 1;
    }
    lt_conn *conn = lt_conn_new(cfg);
    lt_conn_set_hostname(conn, host);
    if (*session_len > 0) {
        lt_conn_set_session(conn, session, *session_len);
    }
    int status = 0;
    char req[512];
    int len = snprintf(req, sizeof req, "GET / HTTP/1.0\r\nHost: %s\r\n\r\n", host);
    int rc = lt_fd_handshake(conn, fd);
    if (rc == LT_OK) {
        const char *alpn = lt_conn_alpn(conn, NULL);
        printf("-- ALPN chose %s; session %s\n", alpn != NULL ? alpn : "nothing (HTTP/1.1 anyway)",
               lt_conn_resumed(conn) ? "resumed" : "new (full handshake)");
        rc = lt_fd_write(conn, fd, req, (size_t)len, NULL);
    }
    while (rc == LT_OK) {
        char buf[4096];
        size_t n = 0;
        rc = lt_fd_read(conn, fd, buf, sizeof buf, &n);
        if (rc == LT_OK) {
            fwrite(buf, 1, n, stdout);
        }
    }
    /* LT_CLOSED is the clean end. Many web servers just drop the TCP
     * connection after an HTTP/1.0 answer (LT_ERR_TRUNCATED): the body is
     * complete when its Content-Length says so, which this example trusts. */
    if (rc != LT_CLOSED && rc != LT_ERR_TRUNCATED) {
        status = report(conn, rc);
    } else {
        (void)lt_fd_close(conn, fd);
    }
    /* TLS 1.3 tickets came with the answer; TLS 1.2 has its session at the
     * end of the handshake. None is fine too: the next one is full. */
    if (lt_conn_get_session(conn, session, LT_SESSION_MAX_LEN, session_len) != LT_OK) {
        *session_len = 0;
    }
    lt_conn_free(conn);
    close(fd);
    return status;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s HOST [PORT] [CAFILE]\n", argv[0]);
        return 2;
    }
    const char *host = argv[1];
    const char *port = argc > 2 ? argv[2] : "443";

    /* 1. A client config: whom to trust, which protocols to offer. The
     * hostname check is on by default. Set everything first: the first
     * connection freezes the config. */
    lt_config *cfg = lt_config_new(LT_ROLE_CLIENT);
    int rc = argc > 3 ? lt_config_set_ca_file(cfg, argv[3]) : lt_config_use_system_ca(cfg);
    if (rc == LT_OK) {
        rc = lt_config_set_alpn(cfg, "h2,http/1.1");
    }
    if (rc != LT_OK) {
        fprintf(stderr, "https_client: %s: %s\n", lt_result_name(rc), lt_config_error(cfg));
        return 1;
    }

    /* 2. Twice: the second connection offers the first one's session. */
    uint8_t session[LT_SESSION_MAX_LEN];
    size_t session_len = 0;
    int status = fetch(cfg, host, port, session, &session_len);
    if (status == 0) {
        status = fetch(cfg, host, port, session, &session_len);
    }
    lt_config_free(cfg);
    return status;
}
