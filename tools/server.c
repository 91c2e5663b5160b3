/*
 * lucidtls server: accept clients one at a time, forever. A client that
 * misbehaves costs one line on stderr, never the server.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common.h"
#include "lucidtls/lucidtls_fd.h"
#include "narrate.h"

/* A silent client gives up its turn after this long. */
#define CLIENT_TIMEOUT_S 10
/* The most we buffer while waiting for an HTTP request's blank line. */
#define MAX_REQUEST 65536

typedef struct server_opts {
    const char *host;
    const char *port;
    const char *cert;
    const char *key;
    const char *ciphers;
    int www;
    int explain;
    int show_secrets;
} server_opts;

static int parse_opts(int argc, char **argv, server_opts *o)
{
    static const struct option longopts[] = {
        {"port", required_argument, NULL, 'p'},
        {"cert", required_argument, NULL, 'c'},
        {"key", required_argument, NULL, 'k'},
        {"host", required_argument, NULL, 'H'},
        {"ciphers", required_argument, NULL, 'C'},
        {"www", no_argument, NULL, 'w'},
        {"explain", no_argument, NULL, 'e'},
        {"show-secrets", no_argument, NULL, 's'},
        {NULL, 0, NULL, 0},
    };
    memset(o, 0, sizeof *o);
    o->host = "127.0.0.1";
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (c) {
        case 'p': o->port = optarg; break;
        case 'c': o->cert = optarg; break;
        case 'k': o->key = optarg; break;
        case 'H': o->host = optarg; break;
        case 'C': o->ciphers = optarg; break;
        case 'w': o->www = 1; break;
        case 'e': o->explain = 1; break;
        case 's': o->show_secrets = 1; break;
        default: return -1;
        }
    }
    if (optind != argc || o->port == NULL || o->cert == NULL || o->key == NULL) {
        fprintf(stderr, "usage: lucidtls server --port P --cert CHAIN.pem --key KEY.pem "
                        "[--host ADDR] [--www] [--ciphers LIST] [--explain] [--show-secrets]\n");
        return -1;
    }
    return 0;
}

static int config_fail(lt_config *cfg, const char *what, const char *arg)
{
    const char *why = lt_config_error(cfg);
    fprintf(stderr, "lucidtls: %s %s: %s\n", what, arg, why != NULL ? why : "failed");
    return -1;
}

static lt_config *make_config(const server_opts *o, narrator *nar)
{
    lt_config *cfg = lt_config_new(LT_ROLE_SERVER);
    if (cfg == NULL) {
        fprintf(stderr, "lucidtls: out of memory\n");
        return NULL;
    }
    int bad = 0;
    if (lt_config_set_cert_chain_file(cfg, o->cert) != LT_OK) {
        bad = config_fail(cfg, "cannot load certificate chain", o->cert);
    } else if (lt_config_set_key_file(cfg, o->key) != LT_OK) {
        bad = config_fail(cfg, "cannot load private key", o->key);
    } else if (o->ciphers != NULL && lt_config_set_ciphers(cfg, o->ciphers) != LT_OK) {
        bad = config_fail(cfg, "bad --ciphers", o->ciphers);
    }
    if (bad) {
        lt_config_free(cfg);
        return NULL;
    }
    if (nar != NULL) {
        lt_config_set_trace(cfg, narrate_trace, nar, o->show_secrets);
    }
    tool_keylog_setup(cfg);
    return cfg;
}

/* "client 127.0.0.1:5555: handshake failed: LT_ERR_X: detail" */
static void log_failure(const char *peer, const char *stage, const lt_conn *conn, int rc, int saved_errno)
{
    const char *detail = NULL;
    int sticky = lt_conn_error(conn, &detail);
    if (sticky < 0) {
        rc = sticky;
    }
    char why[512];
    if (rc == LT_WANT_INPUT || rc == LT_WANT_OUTPUT) {
        /* Only SO_RCVTIMEO / SO_SNDTIMEO make a blocking socket say so. */
        snprintf(why, sizeof why, "timed out: the client was silent (or not reading) for %d s", CLIENT_TIMEOUT_S);
    } else if (detail != NULL && detail[0] != '\0' && rc != LT_ERR_PEER_ALERT) {
        snprintf(why, sizeof why, "%s", detail);
    } else {
        tool_describe_error(conn, rc, saved_errno, "client", why, sizeof why);
    }
    fprintf(stderr, "client %s: %s: %s: %s\n", peer, stage, lt_result_name(rc), why);
}

/* Echo until the client sends close_notify, then answer with ours. */
static int serve_echo(lt_conn *conn, int fd)
{
    char buf[16384];
    for (;;) {
        size_t n = 0;
        int rc = lt_fd_read(conn, fd, buf, sizeof buf, &n);
        if (rc == LT_CLOSED) {
            return lt_fd_close(conn, fd);
        }
        if (rc != LT_OK) {
            return rc;
        }
        rc = lt_fd_write(conn, fd, buf, n, NULL);
        if (rc != LT_OK) {
            return rc;
        }
    }
}

static int has_blank_line(const char *req, size_t len)
{
    for (size_t i = 0; i + 1 < len; i++) {
        if (req[i] == '\n' && req[i + 1] == '\n') {
            return 1;
        }
        if (i + 3 < len && memcmp(req + i, "\r\n\r\n", 4) == 0) {
            return 1;
        }
    }
    return 0;
}

/* Like `openssl s_server -www`: read one request (its header may come in any
 * number of records), answer with what was negotiated, close. */
static int serve_www(lt_conn *conn, int fd)
{
    char *req = malloc(MAX_REQUEST);
    size_t len = 0;
    int rc = LT_OK;
    if (req == NULL) {
        return LT_ERR_NOMEM;
    }
    while (!has_blank_line(req, len)) {
        if (len == MAX_REQUEST) {
            free(req);
            return LT_ERR_USAGE;
        }
        size_t n = 0;
        rc = lt_fd_read(conn, fd, req + len, MAX_REQUEST - len, &n);
        if (rc != LT_OK) {
            free(req);
            return rc == LT_CLOSED ? lt_fd_close(conn, fd) : rc;
        }
        len += n;
    }
    free(req);
    char body[1024];
    char page[1400];
    tool_summary(conn, body, sizeof body);
    int k = snprintf(page, sizeof page,
                     "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\n"
                     "lucidtls %s\n\n%s",
                     LT_VERSION_STRING, body);
    rc = lt_fd_write(conn, fd, page, (size_t)k, NULL);
    if (rc != LT_OK) {
        return rc;
    }
    return lt_fd_close(conn, fd);
}

/* Close without a reset: if unread bytes (say the client's close_notify) sit
 * in our receive queue, close() would send RST and the client could lose the
 * answer we just sent. So: FIN first, then drain briefly. */
static void close_gently(int fd)
{
    char sink[4096];
    (void)shutdown(fd, SHUT_WR);
    tool_set_timeouts(fd, 1);
    for (int i = 0; i < 64; i++) {
        ssize_t k = recv(fd, sink, sizeof sink, 0);
        if (k <= 0) {
            break;
        }
    }
    close(fd);
}

static void serve_one(lt_config *cfg, int fd, const server_opts *o, narrator *nar)
{
    char peer[80];
    tool_peer_name(fd, peer, sizeof peer);
    tool_set_timeouts(fd, CLIENT_TIMEOUT_S);
    lt_conn *conn = lt_conn_new(cfg);
    if (conn == NULL) {
        fprintf(stderr, "client %s: cannot create a connection: out of memory\n", peer);
        close(fd);
        return;
    }
    if (nar != NULL) {
        narrator_reset(nar);
        fprintf(stderr, "\n=== connection from %s: Bob is %s, Alice is us ===\n", peer, peer);
    }
    int rc = lt_fd_handshake(conn, fd);
    int saved_errno = errno;
    if (rc != LT_OK) {
        log_failure(peer, "handshake failed", conn, rc, saved_errno);
    } else {
        rc = o->www ? serve_www(conn, fd) : serve_echo(conn, fd);
        saved_errno = errno;
        if (rc != LT_OK) {
            log_failure(peer, "connection failed", conn, rc, saved_errno);
        }
    }
    if (nar != NULL) {
        narrate_flush(nar);
    }
    lt_conn_free(conn);
    close_gently(fd);
}

int cmd_server(int argc, char **argv)
{
    server_opts o;
    if (parse_opts(argc, argv, &o) != 0) {
        return 2;
    }
    narrator *nar = NULL;
    if (o.explain) {
        nar = narrator_new(stderr, o.show_secrets, 0);
    }
    lt_config *cfg = make_config(&o, nar);
    if (cfg == NULL) {
        narrator_free(nar);
        return 1;
    }
    char err[256];
    int port = 0;
    int lfd = tool_listen(o.host, o.port, &port, err, sizeof err);
    if (lfd < 0) {
        fprintf(stderr, "lucidtls: %s\n", err);
        lt_config_free(cfg);
        narrator_free(nar);
        return 1;
    }
    fprintf(stderr, "listening on %s:%d\n", o.host, port);
    for (;;) {
        int fd = accept(lfd, NULL, NULL);
        if (fd < 0) {
            if (errno != EINTR && errno != ECONNABORTED) {
                fprintf(stderr, "lucidtls: accept: %s\n", strerror(errno));
                /* e.g. EMFILE: do not spin at full speed. */
                sleep(1);
            }
            continue;
        }
        serve_one(cfg, fd, &o, nar);
    }
}
