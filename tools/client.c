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
#include "trace_out.h"

#define IO_CHUNK 16384
#define DEFAULT_CONNECT_TIMEOUT_S 10.0
#define DEFAULT_HANDSHAKE_TIMEOUT_S 10.0

typedef struct client_opts {
    tool_target target; /* HOST:PORT, [IPv6]:PORT or an https:// URL */
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
    const char *trace_json; /* --trace-json FILE ("-": stdout) */
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

static const char USAGE[] = "usage: lucidtls client HOST:PORT | [IPv6]:PORT | https://HOST[:PORT]/PATH [options]\n"
                            "  Verifies the server, then copies stdin to it and its data to stdout. With a URL\n"
                            "  (default port 443) it sends GET PATH with Host and Connection: close instead of\n"
                            "  stdin, and prints the whole response, headers included (as curl -i).\n"
                            "  --cafile F, --capath DIR   the CAs to trust (default: the system store)\n"
                            "  --servername NAME          the name to send (SNI) and check (default: the host)\n"
                            "  --insecure-no-hostname-check  verify the chain but not the name (tests only)\n"
                            "  --ciphers LIST             suites in preference order (IANA or OpenSSL names)\n"
                            "  --tls1_2, --tls1_3         offer only that version (default: both, TLS 1.3 preferred)\n"
                            "  --groups LIST              key exchange groups: x25519, P-256, P-384\n"
                            "  --alpn LIST                ALPN protocols to offer, e.g. h2,http/1.1\n"
                            "  --security-level 0-5       as OpenSSL's @SECLEVEL (default 2)\n"
                            "  --cert CHAIN.pem --key KEY.pem  a client certificate, if the server asks\n"
                            "  --sess-out FILE, --sess-in FILE  save the session, offer it again (resumption)\n"
                            "  --reconnect N              N more connections, each offering the last one's session\n"
                            "  --key-update               TLS 1.3: after the handshake, update keys both ways\n"
                            "  --connect-timeout S, --handshake-timeout S  (default 10 each)\n"
                            "  --idle-timeout S           end when no data moves for S seconds (default: never)\n"
                            "  --ignore-unexpected-eof    accept an end without close_notify\n"
                            "  --explain                  tell the handshake step by step on stderr\n"
                            "  --trace-json FILE          write the trace events as JSON lines (docs/TRACE.md)\n"
                            "  --show-secrets             with --explain or --trace-json: keys and secrets in full\n"
                            "  -h, --help                 this text\n";

/* What the options say together, and the one argument: 0, or 2 with a line. */
static int check_opts(int argc, char **argv, client_opts *o)
{
    if ((o->cert == NULL) != (o->key == NULL)) {
        return tool_usage_error("client", "--cert and --key go together (a client certificate and its key)");
    }
    /* The secrets are shown in the narration or the JSON trace, so without
     * either there is nothing to show them in: an error, not a silent no-op. */
    if (o->show_secrets && !o->explain && o->trace_json == NULL) {
        return tool_usage_error("client",
                                "--show-secrets needs --explain or --trace-json (where the secrets are shown)");
    }
    if (optind == argc) {
        return tool_usage_error("client", "HOST:PORT (or an https:// URL) is required");
    }
    if (optind + 1 != argc) {
        return tool_usage_error("client", "one HOST:PORT only, and '%s' is another argument", argv[optind + 1]);
    }
    char err[600];
    if (tool_parse_target(argv[optind], &o->target, err, sizeof err) != 0) {
        return tool_usage_error("client", "%s", err);
    }
    return 0;
}

/* The options: 0 to go on, 1 after --help (exit 0), 2 on a usage error. */
static int parse_opts(int argc, char **argv, client_opts *o)
{
    static const struct option longopts[] = {
        {"help", no_argument, NULL, 'h'},
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
        {"trace-json", required_argument, NULL, 'j'},
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
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, TOOL_OPTSTRING, longopts, NULL)) != -1) {
        switch (c) {
        case 'h': fputs(USAGE, stdout); return 1;
        case '?':
        case ':': return tool_bad_option("client", c, argv, longopts, USAGE);
        case 'c':
            if (tool_parse_seconds(optarg, "--connect-timeout", &o->connect_timeout_s) != 0) {
                return 2;
            }
            break;
        case 'T':
            if (tool_parse_seconds(optarg, "--handshake-timeout", &o->handshake_timeout_s) != 0) {
                return 2;
            }
            break;
        case 'i':
            if (tool_parse_seconds(optarg, "--idle-timeout", &o->idle_timeout_s) != 0) {
                return 2;
            }
            break;
        case 'E': o->ignore_unexpected_eof = 1; break;
        case 'f': o->cafile = optarg; break;
        case 'd': o->capath = optarg; break;
        case 'n': o->servername = optarg; break;
        case 'C': o->ciphers = optarg; break;
        case 'e': o->explain = 1; break;
        case 's': o->show_secrets = 1; break;
        case 'j': o->trace_json = optarg; break;
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
                return tool_usage_error("client", "--reconnect takes a number of connections (0 to 100), got '%s'",
                                        optarg);
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
                return tool_usage_error("client", "--security-level takes a number (0 to 5), got '%s'", optarg);
            }
            o->security_level = (int)v;
            break;
        }
        default: return 2;
        }
    }
    return check_opts(argc, argv, o);
}

static int config_fail(lt_config *cfg, const char *what, const char *arg)
{
    const char *why = lt_config_error(cfg);
    fprintf(stderr, "lucidtls: %s%s%s: %s\n", what, arg ? " " : "", arg ? arg : "", why != NULL ? why : "failed");
    return 1;
}

static lt_config *make_config(const client_opts *o, trace_out *tr)
{
    lt_config *cfg = lt_config_new(LT_ROLE_CLIENT);
    if (cfg == NULL) {
        fprintf(stderr, "lucidtls: out of memory\n");
        return NULL;
    }
    int bad = 0;
    if (o->cafile != NULL && lt_config_set_ca_file(cfg, o->cafile) != LT_OK) {
        bad = tool_load_error(cfg, "--cafile", o->cafile);
    } else if (o->capath != NULL && tool_check_dir("--capath", o->capath) != 0) {
        bad = 1;
    } else if (o->capath != NULL && lt_config_set_ca_dir(cfg, o->capath) != LT_OK) {
        bad = tool_load_error(cfg, "--capath", o->capath);
    } else if (o->cafile == NULL && o->capath == NULL && lt_config_use_system_ca(cfg) != LT_OK) {
        bad = config_fail(cfg, "cannot load the system trust store", NULL);
    } else if (o->ciphers != NULL && lt_config_set_ciphers(cfg, o->ciphers) != LT_OK) {
        bad = config_fail(cfg, "bad --ciphers", o->ciphers);
    } else if (o->security_level >= 0 && lt_config_set_security_level(cfg, o->security_level) != LT_OK) {
        bad = config_fail(cfg, "bad --security-level", NULL);
    } else if (o->cert != NULL && lt_config_set_cert_chain_file(cfg, o->cert) != LT_OK) {
        bad = tool_load_error(cfg, "--cert", o->cert);
    } else if (o->key != NULL && lt_config_set_key_file(cfg, o->key) != LT_OK) {
        bad = tool_load_error(cfg, "--key", o->key);
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
    if (trace_out_wanted(tr)) {
        lt_config_set_trace(cfg, trace_out_fn, tr, o->show_secrets);
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
    int http_request; /* a URL's GET is in `in`: stdin is not read, and the server ends the connection */
    int close_sent;   /* our close_notify is queued */
    int done;         /* the server closed: exit status in `status` */
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
    /* After a URL's request the server closes first (Connection: close): a
     * TLS 1.2 server would drop its answer on our close_notify (RFC 5246
     * 7.2.1: it "MUST ... close down the connection immediately, discarding
     * any pending writes"). */
    if (!p->stdin_open && p->in_len == 0 && !p->close_sent && !p->http_request) {
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

/* A URL's request, as curl sends it (RFC 9112 3.2: Host carries the port
 * when it is not the scheme's default). Its length. */
static size_t http_request(const client_opts *o, char *buf, size_t cap)
{
    char host[300];
    if (strcmp(o->target.port, "443") == 0) {
        snprintf(host, sizeof host, strchr(o->target.host, ':') != NULL ? "[%s]" : "%s", o->target.host);
    } else {
        tool_host_port(o->target.host, o->target.port, host, sizeof host);
    }
    int n = snprintf(buf, cap,
                     "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: lucidtls/%s\r\nAccept: */*\r\n"
                     "Connection: close\r\n\r\n",
                     o->target.path, host, LT_VERSION_STRING);
    return n > 0 && (size_t)n < cap ? (size_t)n : 0;
}

static int run_pump(lt_conn *conn, int fd, const client_opts *o)
{
    static pump p;
    memset(&p, 0, sizeof p);
    p.conn = conn;
    p.fd = fd;
    p.o = o;
    p.stdin_open = 1;
    if (o->target.is_url) {
        p.http_request = 1;
        p.stdin_open = 0;
        p.in_len = http_request(o, (char *)p.in, sizeof p.in);
    }
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

/* ---- the hint after a refused offer ------------------------------------------ */

/* protocol_version (RFC 8446 6.2; not among lucidtls.h's hook alerts). */
#define ALERT_PROTOCOL_VERSION 70

/* What we offered, in short, for the hint. */
typedef struct offer {
    int n12, n13;         /* suites of each version */
    int rsa_kx, ecdhe_kx; /* TLS 1.2 key exchanges among them */
    int aead, cbc;        /* TLS 1.2 record protections among them */
} offer;

/* Is suite id named in the --ciphers list (IANA or OpenSSL name)? */
static int list_names(const char *list, const lt_suite_info *si)
{
    const char *p = list;
    while (*p != '\0') {
        size_t len = strcspn(p, ":,");
        if ((strlen(si->iana_name) == len && strncmp(p, si->iana_name, len) == 0) ||
            (si->openssl_name != NULL && strlen(si->openssl_name) == len && strncmp(p, si->openssl_name, len) == 0)) {
            return 1;
        }
        p += len;
        p += *p != '\0';
    }
    return 0;
}

/* The suites the client's config holds: --ciphers, or every suite lucidtls
 * implements (its default), less those of a version it does not offer. */
static offer offered(const client_opts *o)
{
    offer f;
    memset(&f, 0, sizeof f);
    for (unsigned id = 1; id <= 0xFFFF; id++) {
        lt_suite_info si;
        if (lt_suite_get_info((uint16_t)id, &si) != LT_OK || (o->ciphers != NULL && !list_names(o->ciphers, &si))) {
            continue;
        }
        if (si.version == LT_TLS1_3 && !o->proto.only_tls12) {
            f.n13++;
        } else if (si.version == LT_TLS1_2 && !o->proto.only_tls13) {
            f.n12++;
            f.rsa_kx |= strcmp(si.key_exchange, "RSA") == 0;
            f.ecdhe_kx |= strcmp(si.key_exchange, "ECDHE") == 0;
            f.aead |= si.aead;
            f.cbc |= !si.aead;
        }
    }
    return f;
}

/* "TLS 1.3 (3 suites) and TLS 1.2 (14 suites: ECDHE and RSA key exchange,
 * AEAD and CBC), groups x25519, P-256, P-384" */
static void describe_offer(const client_opts *o, const offer *f, char *buf, size_t cap)
{
    char v13[64] = "", v12[160] = "";
    if (f->n13 > 0) {
        snprintf(v13, sizeof v13, "TLS 1.3 (%d suite%s)", f->n13, f->n13 == 1 ? "" : "s");
    }
    if (f->n12 > 0) {
        snprintf(v12, sizeof v12, "TLS 1.2 (%d suite%s: %s key exchange, %s)", f->n12, f->n12 == 1 ? "" : "s",
                 f->rsa_kx && f->ecdhe_kx ? "ECDHE and RSA"
                 : f->ecdhe_kx            ? "ECDHE"
                                          : "RSA",
                 f->aead && f->cbc ? "AEAD and CBC"
                 : f->aead         ? "AEAD"
                                   : "CBC");
    }
    snprintf(buf, cap, "%s%s%s, groups %s", v13, v13[0] && v12[0] ? " and " : "", v12,
             o->proto.groups != NULL ? o->proto.groups : "x25519, P-256, P-384");
}

/* The likely cause, from what was offered. A protocol_version refusal is
 * about versions only; a handshake_failure to our ClientHello means no
 * suite, group or signature scheme in common. */
static void likely_cause(const client_opts *o, int version_refused, char *buf, size_t cap)
{
    if (version_refused) {
        snprintf(buf, cap, "%s",
                 o->proto.only_tls13   ? "the server may speak only TLS 1.2 or older; try --tls1_2 (or neither flag)"
                 : o->proto.only_tls12 ? "the server may speak only TLS 1.3 (try without --tls1_2), or only TLS 1.1 "
                                         "or older, which lucidtls does not speak"
                                       : "the server may speak only TLS 1.1 or older, which lucidtls does not speak");
        return;
    }
    const char *narrowed = o->proto.only_tls13   ? "TLS 1.2 (try without --tls1_3), "
                           : o->proto.only_tls12 ? "TLS 1.3 (try without --tls1_2), "
                                                 : "";
    const char *limited = o->ciphers != NULL && o->proto.groups != NULL
                              ? "a suite or group --ciphers or --groups left out "
                                "(try without them), "
                          : o->ciphers != NULL      ? "a suite --ciphers left out (try without it), "
                          : o->proto.groups != NULL ? "a group --groups left out (try without it), "
                                                    : "";
    const char *unknown = "only suites, groups or signatures lucidtls does not implement (DHE, CCM, Camellia, "
                          "P-521...)";
    if (narrowed[0] == '\0' && limited[0] == '\0') {
        snprintf(buf, cap, "the server may accept %s", unknown);
    } else {
        snprintf(buf, cap, "the server may want %s%sor accept %s", narrowed, limited, unknown);
    }
}

/* After a failed handshake: when the server refused our offer outright (a
 * handshake_failure or protocol_version alert before any ServerHello, or a
 * ServerHello with a version we do not speak), one more line with what we
 * offered and the likely cause. */
static void refusal_hint(const lt_conn *conn, int rc, const client_opts *o)
{
    const char *detail = NULL;
    int sticky = lt_conn_error(conn, &detail);
    if (sticky < 0) {
        rc = sticky;
    }
    int alert = rc == LT_ERR_PEER_ALERT ? lt_conn_peer_alert(conn) : -1;
    int before_server_hello = lt_conn_version(conn) == 0;
    /* Our own protocol_version: the ServerHello chose a version we do not
     * speak (not a record header's version, which is a broken peer). */
    int chose_other =
        rc == LT_ERR_PROTOCOL_VERSION && detail != NULL && strncmp(detail, "server chose version", 20) == 0;
    int version_refused = (alert == ALERT_PROTOCOL_VERSION && before_server_hello) || chose_other;
    int suites_refused = alert == LT_ALERT_HANDSHAKE_FAILURE && before_server_hello;
    if (!version_refused && !suites_refused) {
        return;
    }
    offer f = offered(o);
    char what[400], cause[400];
    describe_offer(o, &f, what, sizeof what);
    likely_cause(o, version_refused, cause, sizeof cause);
    fprintf(stderr, "lucidtls: hint: we offered %s; %s\n", what, cause);
}

/* The handshake within --handshake-timeout: one line on failure (and a hint
 * when the server refused our offer). */
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
    fail_line(conn, rc, e);
    refusal_hint(conn, rc, o);
    return 1;
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
static int one_connection(const client_opts *o, lt_config *cfg, trace_out *tr, uint8_t *sess, size_t *sess_len,
                          int last, int announce)
{
    narrator *nar = tr->nar;
    int status = 1;
    char err[512];
    lt_conn *conn = NULL;
    int fd = tool_connect_timeout(o->target.host, o->target.port, to_ms(o->connect_timeout_s), err, sizeof err);
    if (fd < 0) {
        fprintf(stderr, "lucidtls: %s\n", err);
        goto out;
    }
    trace_out_next_conn(tr);
    conn = lt_conn_new(cfg);
    if (conn == NULL) {
        fprintf(stderr, "lucidtls: out of memory\n");
        goto out;
    }
    if (nar != NULL) {
        char peer[80];
        tool_peer_name(fd, peer, sizeof peer);
        fprintf(stderr, "lucidtls: connected to %s\n", peer);
    }
    const char *name = o->servername != NULL ? o->servername : o->target.host;
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
    int prc = parse_opts(argc, argv, &o);
    if (prc != 0) {
        return prc == 1 ? 0 : prc;
    }
    static uint8_t sess[LT_SESSION_MAX_LEN];
    size_t sess_len = 0;
    if (o.sess_in != NULL && load_session(o.sess_in, sess, &sess_len) != 0) {
        return 1;
    }
    trace_out tr = {0};
    if (o.trace_json != NULL && (tr.json = trace_json_open(o.trace_json)) == NULL) {
        return 1;
    }
    tr.nar = o.explain ? narrator_new(stderr, o.show_secrets, 0) : NULL;
    lt_config *cfg = make_config(&o, &tr);
    if (cfg == NULL) {
        narrator_free(tr.nar);
        trace_json_close(tr.json);
        return 1;
    }
    int status = 1;
    /* --reconnect N: N more connections after the first, each offering the
     * session of the one before (like s_client -reconnect). */
    for (long i = 0; i <= o.reconnect; i++) {
        status = one_connection(&o, cfg, &tr, sess, &sess_len, i == o.reconnect, i > 0 || o.sess_in != NULL);
        if (status != 0) {
            break;
        }
    }
    if (o.sess_out != NULL && (status == 0 || sess_len > 0)) {
        save_session(sess, sess_len, o.sess_out);
    }
    memset(sess, 0, sizeof sess);
    lt_config_free(cfg);
    narrator_free(tr.nar);
    if (trace_json_close(tr.json) != 0 && status == 0) {
        status = 1;
    }
    return status;
}
