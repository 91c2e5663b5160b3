/*
 * https_client: the smallest useful lucidtls program. It connects to a web
 * server, verifies its certificate against the system trust store (or a CA
 * file), sends "GET / HTTP/1.0" and prints the answer.
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

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s HOST [PORT] [CAFILE]\n", argv[0]);
        return 2;
    }
    const char *host = argv[1];
    const char *port = argc > 2 ? argv[2] : "443";

    /* 1. A client config: whom to trust. Hostname checking is on by default. */
    lt_config *cfg = lt_config_new(LT_ROLE_CLIENT);
    int rc = argc > 3 ? lt_config_set_ca_file(cfg, argv[3]) : lt_config_use_system_ca(cfg);
    if (rc != LT_OK) {
        fprintf(stderr, "https_client: cannot load trust anchors: %s\n", lt_result_name(rc));
        return 1;
    }

    /* 2. A TCP socket, and a connection that knows which name to expect. */
    int fd = tcp_connect(host, port);
    if (fd < 0) {
        fprintf(stderr, "https_client: cannot connect to %s:%s\n", host, port);
        return 1;
    }
    lt_conn *conn = lt_conn_new(cfg);
    lt_conn_set_hostname(conn, host);

    /* 3. Handshake, request, and read until the server closes. */
    int status = 0;
    char req[512];
    int len = snprintf(req, sizeof req, "GET / HTTP/1.0\r\nHost: %s\r\n\r\n", host);
    rc = lt_fd_handshake(conn, fd);
    if (rc == LT_OK) {
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

    lt_conn_free(conn);
    close(fd);
    lt_config_free(cfg);
    return status;
}
