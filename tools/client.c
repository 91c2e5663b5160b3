/*
 * lucidtls client: verify the server, then copy stdin to the connection and
 * the connection to stdout. Any failure is exit 1 with one line on stderr.
 *
 * Nothing waits forever: connecting and the handshake have deadlines
 * (--connect-timeout, --handshake-timeout), and --idle-timeout bounds a
 * silence afterwards. The end must be the server's close_notify: a bare TCP
 * close could be an attacker cutting the answer short, so it is reported as
 * truncation unless --ignore-unexpected-eof says the application protocol
 * delimits its own data (like OpenSSL's SSL_OP_IGNORE_UNEXPECTED_EOF).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common.h"
#include "lucidtls/lucidtls_fd.h"
#include "narrate.h"

#define IO_CHUNK 16384
#define DEFAULT_CONNECT_TIMEOUT_S 10.0
#define DEFAULT_HANDSHAKE_TIMEOUT_S 10.0

typedef struct client_opts {
    char host[256];
    char port[32];
    double connect_timeout_s;
    double handshake_timeout_s;
    double idle_timeout_s; /* 0: none */
    int ignore_unexpected_eof;
    const char *cafile;
    const char *capath;
    const char *servername;
    const char *ciphers;
    int explain;
    int show_secrets;
    int no_hostname_check;
    int security_level; /* -1: the library's default */
    tool_proto proto;
    int key_update;       /* TLS 1.3: send KeyUpdate (update_requested) after the handshake */
    const char *sess_in;  /* a session to offer (TLS 1.3 resumption) */
    const char *sess_out; /* where to save the server's latest ticket */
    long reconnect;       /* --reconnect N: N more connections, each offering the last one's session */
    const char *cert;     /* our certificate chain and key, for client authentication */
    const char *key;
} client_opts;

static int parse_opts(int argc, char **argv, client_opts *o)
{
    static const struct option longopts[] = {
        {"connect-timeout", required_argument, NULL, 'c'},
        {"handshake-timeout", required_argument, NULL, 'T'},
        {"idle-timeout", required_argument, NULL, 'i'},
        {"ignore-unexpected-eof", no_argument, NULL, 'E'},
        {"cafile", required_argument, NULL, 'f'},
        {"capath", required_argument, NULL, 'd'},
        {"servername", required_argument, NULL, 'n'},
        {"ciphers", required_argument, NULL, 'C'},
        {"explain", no_argument, NULL, 'e'},
        {"show-secrets", no_argument, NULL, 's'},
        {"insecure-no-hostname-check", no_argument, NULL, 'I'},
        {"security-level", required_argument, NULL, 'L'},
        {"tls1_2", no_argument, NULL, '2'},
        {"tls1_3", no_argument, NULL, '3'},
        {"groups", required_argument, NULL, 'g'},
        {"alpn", required_argument, NULL, 'A'},
        {"key-update", no_argument, NULL, 'K'},
        {"sess-in", required_argument, NULL, 'r'},
        {"sess-out", required_argument, NULL, 'o'},
        {"reconnect", required_argument, NULL, 'R'},
        {"cert", required_argument, NULL, 'x'},
        {"key", required_argument, NULL, 'y'},
        {NULL, 0, NULL, 0},
    };
    memset(o, 0, sizeof *o);
    o->security_level = -1;
    o->connect_timeout_s = DEFAULT_CONNECT_TIMEOUT_S;
    o->handshake_timeout_s = DEFAULT_HANDSHAKE_TIMEOUT_S;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (c) {
        case 'c':
            if (tool_parse_seconds(optarg, "--connect-timeout", &o->connect_timeout_s) != 0) {
                return -1;
            }
            break;
        case 'T':
            if (tool_parse_seconds(optarg, "--handshake-timeout", &o->handshake_timeout_s) != 0) {
                return -1;
            }
            break;
        case 'i':
            if (tool_parse_seconds(optarg, "--idle-timeout", &o->idle_timeout_s) != 0) {
                return -1;
            }
            break;
        case 'E': o->ignore_unexpected_eof = 1; break;
        case 'f': o->cafile = optarg; break;
        case 'd': o->capath = optarg; break;
        case 'n': o->servername = optarg; break;
        case 'C': o->ciphers = optarg; break;
        case 'e': o->explain = 1; break;
        case 's': o->show_secrets = 1; break;
        case 'I': o->no_hostname_check = 1; break;
        case '2': o->proto.only_tls12 = 1; break;
        case '3': o->proto.only_tls13 = 1; break;
        case 'g': o->proto.groups = optarg; break;
        case 'A': o->proto.alpn = optarg; break;
        case 'K': o->key_update = 1; break;
        case 'r': o->sess_in = optarg; break;
        case 'o': o->sess_out = optarg; break;
        case 'R': {
            char *end;
            long v = strtol(optarg, &end, 10);
            if (optarg[0] == '\0' || *end != '\0' || v < 0 || v > 100) {
                fprintf(stderr, "lucidtls: --reconnect takes a number of connections (0 to 100), got '%s'\n", optarg);
                return -1;
            }
            o->reconnect = v;
            break;
        }
        case 'x': o->cert = optarg; break;
        case 'y': o->key = optarg; break;
        case 'L': {
            char *end;
            long v = strtol(optarg, &end, 10);
            if (optarg[0] == '\0' || *end != '\0' || v < 0 || v > 1000) {
                fprintf(stderr, "lucidtls: --security-level takes a number (0 to 5), got '%s'\n", optarg);
                return -1;
            }
            o->security_level = (int)v;
            break;
        }
        default: return -1;
        }
    }
    if ((o->cert == NULL) != (o->key == NULL)) {
        fprintf(stderr, "lucidtls: --cert and --key go together (a client certificate and its key)\n");
        return -1;
    }
    if (optind + 1 != argc ||
        tool_split_hostport(argv[optind], o->host, sizeof o->host, o->port, sizeof o->port) != 0) {
        fprintf(stderr, "usage: lucidtls client HOST:PORT [--cafile F] [--capath DIR] "
                        "[--connect-timeout S] [--handshake-timeout S] [--idle-timeout S] [--ignore-unexpected-eof] "
                        "[--servername NAME] [--ciphers LIST] [--explain] [--show-secrets] "
                        "[--insecure-no-hostname-check] [--security-level 0-5] [--tls1_2 | --tls1_3] "
                        "[--groups LIST] [--alpn LIST] [--key-update] [--sess-in FILE] [--sess-out FILE] "
                        "[--reconnect N] [--cert CHAIN.pem --key KEY.pem]\n");
        return -1;
    }
    return 0;
}

static int config_fail(lt_config *cfg, const char *what, const char *arg)
{
    const char *why = lt_config_error(cfg);
    fprintf(stderr, "lucidtls: %s%s%s: %s\n", what, arg ? " " : "", arg ? arg : "", why != NULL ? why : "failed");
    return 1;
}

static lt_config *make_config(const client_opts *o, narrator *nar)
{
    lt_config *cfg = lt_config_new(LT_ROLE_CLIENT);
    if (cfg == NULL) {
        fprintf(stderr, "lucidtls: out of memory\n");
        return NULL;
    }
    int bad = 0;
    if (o->cafile != NULL && lt_config_set_ca_file(cfg, o->cafile) != LT_OK) {
        bad = config_fail(cfg, "cannot load --cafile", o->cafile);
    } else if (o->capath != NULL && lt_config_set_ca_dir(cfg, o->capath) != LT_OK) {
        bad = config_fail(cfg, "cannot use --capath", o->capath);
    } else if (o->cafile == NULL && o->capath == NULL && lt_config_use_system_ca(cfg) != LT_OK) {
        bad = config_fail(cfg, "cannot load the system trust store", NULL);
    } else if (o->ciphers != NULL && lt_config_set_ciphers(cfg, o->ciphers) != LT_OK) {
        bad = config_fail(cfg, "bad --ciphers", o->ciphers);
    } else if (o->security_level >= 0 && lt_config_set_security_level(cfg, o->security_level) != LT_OK) {
        bad = config_fail(cfg, "bad --security-level", NULL);
    } else if (o->cert != NULL && lt_config_set_cert_chain_file(cfg, o->cert) != LT_OK) {
        bad = config_fail(cfg, "cannot load --cert", o->cert);
    } else if (o->key != NULL && lt_config_set_key_file(cfg, o->key) != LT_OK) {
        bad = config_fail(cfg, "cannot load --key", o->key);
    }
    if (!bad) {
        bad = tool_apply_proto(cfg, &o->proto);
    }
    if (bad) {
        lt_config_free(cfg);
        return NULL;
    }
    if (o->no_hostname_check) {
        lt_config_dangerous_disable_hostname_check(cfg);
    }
    if (nar != NULL) {
        lt_config_set_trace(cfg, narrate_trace, nar, o->show_secrets);
    }
    tool_keylog_setup(cfg);
    return cfg;
}

static int fail_line(const lt_conn *conn, int rc, int saved_errno)
{
    char why[600];
    tool_describe_error(conn, rc, saved_errno, "server", why, sizeof why);
    fprintf(stderr, "lucidtls: %s\n", why);
    return 1;
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int to_ms(double seconds)
{
    double ms = seconds * 1000.0;
    return ms > 2e9 ? 2000000000 : (int)ms;
}

/* The copy loop's state. */
typedef struct pump {
    lt_conn *conn;
    int fd;
    const client_opts *o;
    uint8_t in[IO_CHUNK]; /* stdin bytes not yet taken by the connection */
    size_t in_off, in_len;
    int stdin_open;
    int close_sent; /* our close_notify is queued */
    int done;       /* the server closed: exit status in `status` */
    int status;
    int64_t last_moved; /* when application data last moved either way */
} pump;

/* Did the server end the connection without close_notify? A reset right
 * after our own close_notify is the same thing seen from our side (the
 * server closed with our alert unread). */
static int is_unexpected_eof(const pump *p, int rc, int saved_errno)
{
    return rc == LT_ERR_TRUNCATED ||
           (rc == LT_ERR_IO && p->close_sent && (saved_errno == ECONNRESET || saved_errno == EPIPE));
}

static void finish_with(pump *p, int rc)
{
    int saved_errno = errno;
    p->done = 1;
    if (rc == LT_CLOSED) {
        p->status = 0;
        return;
    }
    if (is_unexpected_eof(p, rc, saved_errno)) {
        if (p->o->ignore_unexpected_eof) {
            /* The user says the data delimits itself. */
            p->status = 0;
            return;
        }
        /* Anyone on the path can close a TCP connection; only the server
         * can send close_notify (RFC 5246 7.2.1). */
        fprintf(stderr,
                "lucidtls: truncated: the server closed the connection without close_notify, so the data may be "
                "cut short (--ignore-unexpected-eof accepts such an end)\n");
        p->status = 1;
        return;
    }
    p->status = fail_line(p->conn, rc, saved_errno);
}

static void moved(pump *p)
{
    p->last_moved = now_ms();
}

static void pump_socket_in(pump *p)
{
    char buf[IO_CHUNK + 1024];
    for (;;) {
        size_t n = 0;
        int rc = lt_fd_read(p->conn, p->fd, buf, sizeof buf, &n);
        if (rc == LT_OK) {
            moved(p);
            if (tool_write_all(STDOUT_FILENO, buf, n) != 0) {
                /* Nobody reads our output any more: stop politely. */
                p->stdin_open = 0;
                p->in_len = p->in_off = 0;
            }
            continue;
        }
        if (rc == LT_WANT_INPUT || rc == LT_WANT_OUTPUT) {
            return;
        }
        if (rc == LT_CLOSED && !p->close_sent) {
            /* The server closed its side: close ours (TLS 1.2's core has
             * answered already; TLS 1.3's close is a half-close, RFC 8446
             * 6.1) and push it out if the socket takes it now. */
            (void)lt_conn_close(p->conn);
            (void)lt_fd_flush(p->conn, p->fd);
            p->close_sent = 1;
        }
        finish_with(p, rc);
        return;
    }
}

static void pump_stdin(pump *p, int readable)
{
    if (readable && p->stdin_open && p->in_len == 0) {
        ssize_t k = read(STDIN_FILENO, p->in, sizeof p->in);
        if (k > 0) {
            p->in_off = 0;
            p->in_len = (size_t)k;
        } else if (k == 0 || (errno != EINTR && errno != EAGAIN)) {
            p->stdin_open = 0;
        }
    }
    if (p->in_off < p->in_len) {
        size_t w = 0;
        int rc = lt_fd_write(p->conn, p->fd, p->in + p->in_off, p->in_len - p->in_off, &w);
        p->in_off += w;
        if (w > 0) {
            moved(p);
        }
        if (p->in_off == p->in_len) {
            p->in_off = p->in_len = 0;
        }
        if (rc < 0) {
            finish_with(p, rc);
            return;
        }
    }
    if (!p->stdin_open && p->in_len == 0 && !p->close_sent) {
        /* All of stdin is queued: say we are done, keep reading. */
        p->close_sent = 1;
        int rc = lt_fd_close(p->conn, p->fd);
        if (rc < 0) {
            finish_with(p, rc);
        }
    }
}

/* poll()'s timeout: what is left of --idle-timeout (-1: none). */
static int idle_wait_ms(const pump *p)
{
    if (p->o->idle_timeout_s <= 0) {
        return -1;
    }
    int64_t left = p->last_moved + to_ms(p->o->idle_timeout_s) - now_ms();
    return left < 0 ? 0 : (left > 60000 ? 60000 : (int)left);
}

static int idle_expired(const pump *p)
{
    return p->o->idle_timeout_s > 0 && now_ms() - p->last_moved >= to_ms(p->o->idle_timeout_s);
}

static int run_pump(lt_conn *conn, int fd, const client_opts *o)
{
    static pump p;
    memset(&p, 0, sizeof p);
    p.conn = conn;
    p.fd = fd;
    p.o = o;
    p.stdin_open = 1;
    moved(&p);
    tool_set_nonblocking(fd, 1);
    while (!p.done) {
        size_t pending = 0;
        (void)lt_conn_out_peek(conn, &pending);
        struct pollfd pf[2];
        pf[0].fd = fd;
        pf[0].events = POLLIN | (pending > 0 ? POLLOUT : 0);
        pf[1].fd = STDIN_FILENO;
        pf[1].events = (p.stdin_open && p.in_len == 0) ? POLLIN : 0;
        pf[0].revents = pf[1].revents = 0;
        int k = poll(pf, 2, idle_wait_ms(&p));
        if (k < 0 && errno != EINTR) {
            return fail_line(conn, LT_ERR_IO, errno);
        }
        /* Checked whatever woke us: bytes that never make up any data (a
         * record dripped byte by byte) do not keep the connection alive. */
        if (idle_expired(&p)) {
            fprintf(stderr, "lucidtls: idle timeout: no data %s for %g s (--idle-timeout)\n",
                    p.close_sent ? "from the server" : "either way", o->idle_timeout_s);
            return 1;
        }
        if (k <= 0) {
            continue;
        }
        if (pf[1].revents & POLLNVAL) {
            p.stdin_open = 0;
        }
        if (pending > 0 && (pf[0].revents & POLLOUT)) {
            int rc = lt_fd_flush(conn, fd);
            if (rc < 0) {
                finish_with(&p, rc);
                break;
            }
        }
        if (pf[0].revents & (POLLIN | POLLHUP | POLLERR)) {
            pump_socket_in(&p);
        }
        if (!p.done) {
            pump_stdin(&p, (pf[1].revents & (POLLIN | POLLHUP | POLLERR)) != 0);
        }
    }
    return p.status;
}

/* The handshake within --handshake-timeout: one line on failure. */
static int handshake(lt_conn *conn, int fd, const client_opts *o, narrator *nar)
{
    int rc = lt_fd_handshake_timed(conn, fd, to_ms(o->handshake_timeout_s));
    if (rc == LT_OK) {
        return 0;
    }
    int e = errno;
    if (nar != NULL) {
        narrate_flush(nar);
    }
    if (rc == LT_ERR_TIMEOUT) {
        fprintf(stderr,
                "lucidtls: handshake timed out: no complete handshake with the server within %g s "
                "(--handshake-timeout)\n",
                o->handshake_timeout_s);
        return 1;
    }
    return fail_line(conn, rc, e);
}

/* --sess-in: the session bytes lt_conn_get_session wrote last time. */
static int load_session(const char *path, uint8_t *buf, size_t *len)
{
    uint8_t tmp[LT_SESSION_MAX_LEN + 1];
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "lucidtls: cannot load --sess-in %s: %s\n", path, strerror(errno));
        return 1;
    }
    size_t n = fread(tmp, 1, sizeof tmp, f);
    fclose(f);
    if (n > LT_SESSION_MAX_LEN) {
        fprintf(stderr, "lucidtls: cannot use --sess-in %s: not a session lucidtls wrote (%s)\n", path,
                lt_result_name(LT_ERR_DECODE));
        memset(tmp, 0, sizeof tmp);
        return 1;
    }
    memcpy(buf, tmp, n);
    *len = n;
    memset(tmp, 0, sizeof tmp);
    return 0;
}

/* --sess-out: the server's latest ticket, if it sent one. The file holds
 * the ticket's key: it is created readable by its owner only. */
static void save_session(const uint8_t *buf, size_t n, const char *path)
{
    if (n == 0) {
        fprintf(stderr, "lucidtls: --sess-out: the server gave no session to resume; %s not written\n", path);
        return;
    }
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0 || tool_write_all(fd, buf, n) != 0) {
        fprintf(stderr, "lucidtls: cannot write --sess-out %s: %s\n", path, strerror(errno));
    }
    if (fd >= 0) {
        close(fd);
    }
}

/* The session to offer next time. A TLS 1.3 server sends its tickets after
 * the handshake, so a connection we are about to close first reads for a
 * moment to receive them (a TLS 1.2 session is there when the handshake
 * ends). */
#define TICKET_WAIT_MS 1000
static void take_session(lt_conn *conn, int fd, int wait_for_tickets, uint8_t *sess, size_t *sess_len)
{
    size_t n = 0;
    int64_t until = now_ms() + TICKET_WAIT_MS;
    while (wait_for_tickets && lt_conn_get_session(conn, sess, LT_SESSION_MAX_LEN, &n) != LT_OK && now_ms() < until) {
        uint8_t junk[IO_CHUNK];
        size_t got = 0;
        int rc = lt_fd_read_timed(conn, fd, junk, sizeof junk, &got, 100);
        if (rc != LT_OK && rc != LT_ERR_TIMEOUT && rc != LT_WANT_INPUT) {
            break;
        }
    }
    if (lt_conn_get_session(conn, sess, LT_SESSION_MAX_LEN, &n) == LT_OK) {
        *sess_len = n;
    } else {
        *sess_len = 0;
    }
}

/* One connection: offer *sess (when *sess_len > 0), and leave in it the
 * session this connection gives. The last one runs the stdin/stdout pump;
 * the ones before it (--reconnect) end with close_notify once the session
 * is in hand. */
static int one_connection(const client_opts *o, lt_config *cfg, narrator *nar, uint8_t *sess, size_t *sess_len,
                          int last, int announce)
{
    int status = 1;
    char err[512];
    lt_conn *conn = NULL;
    int fd = tool_connect_timeout(o->host, o->port, to_ms(o->connect_timeout_s), err, sizeof err);
    if (fd < 0) {
        fprintf(stderr, "lucidtls: %s\n", err);
        goto out;
    }
    conn = lt_conn_new(cfg);
    if (conn == NULL) {
        fprintf(stderr, "lucidtls: out of memory\n");
        goto out;
    }
    const char *name = o->servername != NULL ? o->servername : o->host;
    if (lt_conn_set_hostname(conn, name) != LT_OK) {
        status = fail_line(conn, LT_ERR_USAGE, 0);
        goto out;
    }
    if (*sess_len > 0) {
        int rc = lt_conn_set_session(conn, sess, *sess_len);
        if (rc != LT_OK) {
            fprintf(stderr, "lucidtls: cannot use %s: not a session lucidtls wrote (%s)\n",
                    o->sess_in != NULL ? o->sess_in : "the last session", lt_result_name(rc));
            goto out;
        }
    }
    status = handshake(conn, fd, o, nar);
    if (status == 0 && o->proto.alpn != NULL) {
        /* What ALPN chose (RFC 7301), as s_client's "ALPN protocol:". */
        char alpn[300];
        tool_alpn_text(conn, alpn, sizeof alpn);
        fprintf(stderr, "lucidtls: ALPN protocol: %s\n", alpn);
    }
    if (status == 0 && announce) {
        /* Say what became of the offer, as s_client's "Reused"/"New" does. */
        fprintf(stderr, "lucidtls: %s\n",
                lt_conn_resumed(conn) ? "session resumed"
                : *sess_len > 0       ? "full handshake (the session was not resumed)"
                                      : "full handshake (no session to offer)");
    }
    if (status == 0 && o->key_update && last) {
        /* RFC 8446 4.6.3: new keys for us, and a request for the server's. */
        int rc = lt_conn_key_update(conn, 1);
        if (rc != LT_OK) {
            status = fail_line(conn, rc, 0);
        }
    }
    if (status == 0 && last) {
        status = run_pump(conn, fd, o);
        take_session(conn, fd, 0, sess, sess_len);
    } else if (status == 0) {
        take_session(conn, fd, lt_conn_version(conn) == LT_TLS1_3, sess, sess_len);
        (void)lt_fd_close_timed(conn, fd, 1000);
    }
out:
    if (nar != NULL) {
        narrate_flush(nar);
    }
    lt_conn_free(conn);
    if (fd >= 0) {
        close(fd);
    }
    return status;
}

int cmd_client(int argc, char **argv)
{
    client_opts o;
    if (parse_opts(argc, argv, &o) != 0) {
        return 2;
    }
    static uint8_t sess[LT_SESSION_MAX_LEN];
    size_t sess_len = 0;
    if (o.sess_in != NULL && load_session(o.sess_in, sess, &sess_len) != 0) {
        return 1;
    }
    narrator *nar = o.explain ? narrator_new(stderr, o.show_secrets, 0) : NULL;
    lt_config *cfg = make_config(&o, nar);
    if (cfg == NULL) {
        narrator_free(nar);
        return 1;
    }
    int status = 1;
    /* --reconnect N: N more connections after the first, each offering the
     * session of the one before (like s_client -reconnect). */
    for (long i = 0; i <= o.reconnect; i++) {
        status = one_connection(&o, cfg, nar, sess, &sess_len, i == o.reconnect, i > 0 || o.sess_in != NULL);
        if (status != 0) {
            break;
        }
    }
    if (o.sess_out != NULL && (status == 0 || sess_len > 0)) {
        save_session(sess, sess_len, o.sess_out);
    }
    memset(sess, 0, sizeof sess);
    lt_config_free(cfg);
    narrator_free(nar);
    return status;
}
