/*
 * lucidtls server: many clients at once, one thread, one epoll loop.
 *
 * A client that misbehaves costs one line on stderr, never the server and
 * never another client: sockets are non-blocking, every connection has a
 * deadline (handshake, then idle), and its memory is bounded (backpressure:
 * see SRV_OUT_HIGH_WATER). The per-connection work is in server_conn.c.
 *
 * At --max-conns live connections, a new client first evicts the established
 * connection that has made no progress for longest (idle at least
 * SRV_EVICT_MIN_IDLE_MS), as nginx reuses idle keep-alive connections. A
 * connection in its handshake is never evicted: its deadline is absolute
 * anyway, so a slow handshake cannot hold a slot long, and one that is making
 * progress must not lose to a client that sits. With nothing to evict, the
 * server stops accepting: new clients wait in the kernel's listen backlog and
 * are served as soon as a slot frees. We do not accept-and-close, because a
 * client turned away has nothing to retry with, while one in the backlog is
 * merely late.
 */
#define _GNU_SOURCE /* accept4 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "common.h"
#include "server.h"

#define DEFAULT_HANDSHAKE_TIMEOUT_S 10.0
#define DEFAULT_IDLE_TIMEOUT_S 60.0
#define DEFAULT_RECORD_TIMEOUT_S 10.0
#define DEFAULT_MAX_CONNS 1024
/* File descriptors we need besides the clients': stdio, listener, epoll,
 * signalfd, the key log, slack. */
#define RESERVED_FDS 16
/* After EMFILE and the like: how long to leave the listener alone. */
#define ACCEPT_RETRY_MS 100
/* Accepts per wake-up, so a flood of connects cannot starve live clients. */
#define ACCEPT_BURST 64
#define MAX_EVENTS 128

/* Tags for the epoll set; connections are tagged with their srv_conn. */
static char listener_tag;
static char signal_tag;

static const char USAGE[] =
    "usage: lucidtls server --port P --cert CHAIN.pem --key KEY.pem [--cert CHAIN2.pem --key KEY2.pem]\n"
    "                       [--host ADDR] [--www]\n"
    "                       [--ciphers LIST] [--explain] [--trace-json FILE] [--show-secrets]\n"
    "                       [--handshake-timeout SECONDS] [--idle-timeout SECONDS] [--record-timeout SECONDS]\n"
    "                       [--max-conns N] [--tls1_2 | --tls1_3] [--groups LIST] [--alpn LIST]\n"
    "                       [--key-update] [--ticket-keys FILE]\n"
    "                       [--verify-client | --require-client-cert] [--client-cafile CA.pem]\n"
    "  --port P             1 to 65535, or 0 for any free port (named in the 'listening on' line)\n"
    "  --host ADDR          the address to listen on (default 127.0.0.1; [::1] or ::1 for IPv6)\n"
    "  --www                answer an HTTP GET like s_server -www: a browser (Accept: text/html)\n"
    "                       gets a page that tells its own handshake, /handshake.json the same as\n"
    "                       JSON, any other client a short text answer\n"
    "  --explain            tell each handshake step by step on stderr\n"
    "  --trace-json FILE    write every client's trace events as JSON lines (docs/TRACE.md)\n"
    "  --show-secrets       with --explain or --trace-json: keys and secrets in full\n"
    "  --cert/--key         a chain and its key; give an RSA and an ECDSA pair to serve both kinds\n"
    "                       of client (each handshake picks by the suites and signatures offered)\n"
    "  --handshake-timeout  the whole handshake (default 10)\n"
    "  --idle-timeout       no progress: no whole record in, not all our output taken (default 60)\n"
    "  --record-timeout     a record begun must be whole within this (default 10)\n"
    "  --max-conns          live connections; when full, the longest-idle established one\n"
    "                       gives way to a new client (default 1024)\n"
    "  --tls1_2, --tls1_3   speak only that version (default: both, TLS 1.3 preferred)\n"
    "  --groups             key exchange groups in preference order: x25519, P-256, P-384\n"
    "  --alpn               ALPN protocols in our preference order, e.g. h2,http/1.1; a client that\n"
    "                       offers none of them gets no_application_protocol (default: no ALPN)\n"
    "  --key-update         TLS 1.3: after each handshake, update our keys and ask the client to\n"
    "                       update its own (RFC 8446 4.6.3)\n"
    "  --ticket-keys        seal and open session tickets with the keys of FILE (made and rotated by\n"
    "                       `lucidtls ticket-keys FILE`): servers sharing it resume each other's\n"
    "                       sessions; a rotated FILE is picked up within a second\n"
    "  --verify-client      ask for a client certificate and verify one that comes (mutual TLS)\n"
    "  --require-client-cert  ask for one and refuse a client without it\n"
    "  --client-cafile      the CAs client certificates must reach (needed with the two above)\n"
    "  -h, --help           this text\n";

/* ---- options -------------------------------------------------------------- */

static int parse_count(const char *arg, const char *name, long *out)
{
    char *end = NULL;
    long v = strtol(arg, &end, 10);
    if (end == arg || *end != '\0' || v < 1 || v > 1000000) {
        fprintf(stderr, "lucidtls: %s wants a whole number from 1 to 1000000, not '%s'\n", name, arg);
        return -1;
    }
    *out = v;
    return 0;
}

/* What the options say together: 0, or 2 with a line. */
static int check_opts(int argc, char **argv, server_opts *o)
{
    char why[128];
    if (optind != argc) {
        return tool_usage_error("server", "unexpected argument '%s'", argv[optind]);
    }
    if (o->port == NULL) {
        return tool_usage_error("server", "--port is required");
    }
    /* --host [::1], as the address is written beside a port. */
    static char unbracketed[256];
    size_t hl = strlen(o->host);
    if (hl > 2 && o->host[0] == '[' && o->host[hl - 1] == ']' && hl - 2 < sizeof unbracketed) {
        snprintf(unbracketed, sizeof unbracketed, "%.*s", (int)(hl - 2), o->host + 1);
        o->host = unbracketed;
    }
    /* 0 stays: the kernel picks a free port, which "listening on" names
     * (tests/load, tests/hostile and test_fleet.sh use it). */
    if (tool_parse_port(o->port, 1, why, sizeof why) != 0) {
        return tool_usage_error("server", "--port %s: %s", o->port, why);
    }
    if (o->n_cert == 0 || o->n_key == 0) {
        return tool_usage_error("server", "%s is required", o->n_cert == 0 ? "--cert" : "--key");
    }
    if (o->n_cert != o->n_key) {
        return tool_usage_error("server", "each --cert needs its --key (%d --cert, %d --key)", o->n_cert, o->n_key);
    }
    if (o->client_auth != LT_CLIENT_AUTH_NONE && o->client_cafile == NULL) {
        return tool_usage_error("server", "--verify-client and --require-client-cert need --client-cafile");
    }
    if (o->show_secrets && !o->explain && o->trace_json == NULL) {
        return tool_usage_error("server",
                                "--show-secrets needs --explain or --trace-json (where the secrets are shown)");
    }
    return 0;
}

/* The options: 0 to go on, 1 after --help (exit 0), 2 on a usage error. */
static int parse_opts(int argc, char **argv, server_opts *o)
{
    static const struct option longopts[] = {
        {"help", no_argument, NULL, 'h'},
        {"port", required_argument, NULL, 'p'},
        {"cert", required_argument, NULL, 'c'},
        {"key", required_argument, NULL, 'k'},
        {"host", required_argument, NULL, 'H'},
        {"ciphers", required_argument, NULL, 'C'},
        {"www", no_argument, NULL, 'w'},
        {"explain", no_argument, NULL, 'e'},
        {"trace-json", required_argument, NULL, 'j'},
        {"show-secrets", no_argument, NULL, 's'},
        {"handshake-timeout", required_argument, NULL, 'T'},
        {"idle-timeout", required_argument, NULL, 'I'},
        {"record-timeout", required_argument, NULL, 'R'},
        {"max-conns", required_argument, NULL, 'M'},
        {"tls1_2", no_argument, NULL, '2'},
        {"tls1_3", no_argument, NULL, '3'},
        {"groups", required_argument, NULL, 'g'},
        {"alpn", required_argument, NULL, 'A'},
        {"key-update", no_argument, NULL, 'K'},
        {"ticket-keys", required_argument, NULL, 'S'},
        {"verify-client", no_argument, NULL, 'V'},
        {"require-client-cert", no_argument, NULL, 'Q'},
        {"client-cafile", required_argument, NULL, 'F'},
        {NULL, 0, NULL, 0},
    };
    memset(o, 0, sizeof *o);
    o->host = "127.0.0.1";
    o->handshake_timeout_s = DEFAULT_HANDSHAKE_TIMEOUT_S;
    o->idle_timeout_s = DEFAULT_IDLE_TIMEOUT_S;
    o->record_timeout_s = DEFAULT_RECORD_TIMEOUT_S;
    o->max_conns = DEFAULT_MAX_CONNS;
    optind = 1;
    opterr = 0;
    int c;
    int bad = 0;
    while (!bad && (c = getopt_long(argc, argv, TOOL_OPTSTRING, longopts, NULL)) != -1) {
        switch (c) {
        case 'h': fputs(USAGE, stdout); return 1;
        case '?':
        case ':': return tool_bad_option("server", c, argv, longopts, USAGE);
        case 'p': o->port = optarg; break;
        case 'c':
            if (o->n_cert == 2) {
                return tool_usage_error("server", "at most two --cert (an RSA and an ECDSA chain)");
            }
            o->cert[o->n_cert++] = optarg;
            break;
        case 'k':
            if (o->n_key == 2) {
                return tool_usage_error("server", "at most two --key (one per --cert)");
            }
            o->key[o->n_key++] = optarg;
            break;
        case 'H': o->host = optarg; break;
        case 'C': o->ciphers = optarg; break;
        case 'A': o->proto.alpn = optarg; break;
        case 'w': o->www = 1; break;
        case 'e': o->explain = 1; break;
        case 'j': o->trace_json = optarg; break;
        case 's': o->show_secrets = 1; break;
        case 'T': bad = tool_parse_seconds(optarg, "--handshake-timeout", &o->handshake_timeout_s); break;
        case 'I': bad = tool_parse_seconds(optarg, "--idle-timeout", &o->idle_timeout_s); break;
        case 'R': bad = tool_parse_seconds(optarg, "--record-timeout", &o->record_timeout_s); break;
        case 'M': bad = parse_count(optarg, "--max-conns", &o->max_conns); break;
        case '2': o->proto.only_tls12 = 1; break;
        case '3': o->proto.only_tls13 = 1; break;
        case 'g': o->proto.groups = optarg; break;
        case 'K': o->key_update = 1; break;
        case 'S': o->ticket_keys = optarg; break;
        case 'V':
            if (o->client_auth == LT_CLIENT_AUTH_NONE) {
                o->client_auth = LT_CLIENT_AUTH_REQUEST;
            }
            break;
        case 'Q': o->client_auth = LT_CLIENT_AUTH_REQUIRE; break;
        case 'F': o->client_cafile = optarg; break;
        default: bad = 1; break;
        }
    }
    return bad ? 2 : check_opts(argc, argv, o);
}

/* ---- config ---------------------------------------------------------------- */

static int config_fail(lt_config *cfg, const char *what, const char *arg)
{
    const char *why = lt_config_error(cfg);
    fprintf(stderr, "lucidtls: %s %s: %s\n", what, arg, why != NULL ? why : "failed");
    return -1;
}

static lt_config *make_config(const server_opts *o)
{
    lt_config *cfg = lt_config_new(LT_ROLE_SERVER);
    if (cfg == NULL) {
        fprintf(stderr, "lucidtls: out of memory\n");
        return NULL;
    }
    int bad = 0;
    for (int i = 0; i < o->n_cert && !bad; i++) {
        if (lt_config_set_cert_chain_file(cfg, o->cert[i]) != LT_OK) {
            bad = tool_load_error(cfg, "--cert", o->cert[i]);
        } else if (lt_config_set_key_file(cfg, o->key[i]) != LT_OK) {
            bad = tool_load_error(cfg, "--key", o->key[i]);
        }
    }
    if (bad) {
    } else if (o->ciphers != NULL && lt_config_set_ciphers(cfg, o->ciphers) != LT_OK) {
        bad = config_fail(cfg, "bad --ciphers", o->ciphers);
    } else if (o->client_cafile != NULL && lt_config_set_ca_file(cfg, o->client_cafile) != LT_OK) {
        bad = tool_load_error(cfg, "--client-cafile", o->client_cafile);
    } else if (lt_config_set_client_auth(cfg, o->client_auth) != LT_OK) {
        bad = config_fail(cfg, "cannot set client authentication", "");
    }
    if (!bad) {
        bad = tool_apply_proto(cfg, &o->proto);
    }
    if (!bad && o->ticket_keys != NULL && lt_config_set_ticket_key_file(cfg, o->ticket_keys) != LT_OK) {
        bad = tool_load_error(cfg, "--ticket-keys", o->ticket_keys);
    }
    if (bad) {
        lt_config_free(cfg);
        return NULL;
    }
    if (o->explain || o->trace_json != NULL || o->www) {
        /* Each connection has its own narrator (server_conn.c); the JSON
         * lines are the server's, one "conn" per client; --www records each
         * handshake for the page a browser gets (www_page.h). */
        lt_config_set_trace(cfg, srv_conn_trace, NULL, o->show_secrets);
    }
    tool_keylog_setup(cfg);
    return cfg;
}

/* Every client is a descriptor: raise the soft limit as far as --max-conns
 * needs (up to the hard limit), or serve fewer clients than asked. */
static void fit_fd_limit(server_opts *o)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0) {
        return;
    }
    rlim_t need = (rlim_t)o->max_conns + RESERVED_FDS;
    if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < need) {
        rl.rlim_cur = (rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= need) ? need : rl.rlim_max;
        (void)setrlimit(RLIMIT_NOFILE, &rl);
        (void)getrlimit(RLIMIT_NOFILE, &rl);
    }
    if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < need) {
        long fit = rl.rlim_cur > RESERVED_FDS ? (long)(rl.rlim_cur - RESERVED_FDS) : 1;
        fprintf(stderr, "lucidtls: warning: open file limit %llu: serving at most %ld clients at once, not %ld\n",
                (unsigned long long)rl.rlim_cur, fit, o->max_conns);
        o->max_conns = fit;
    }
}

/* ---- timers ----------------------------------------------------------------- */

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void srv_timer_unlink(srv *s, srv_conn *c)
{
    srv_timer_list *l = &s->timers[c->phase];
    if (c->tprev != NULL) {
        c->tprev->tnext = c->tnext;
    } else if (l->head == c) {
        l->head = c->tnext;
    }
    if (c->tnext != NULL) {
        c->tnext->tprev = c->tprev;
    } else if (l->tail == c) {
        l->tail = c->tprev;
    }
    c->tprev = c->tnext = NULL;
}

/* (Re)start c's deadline for `phase`: to the tail of that phase's list. */
void srv_timer_set(srv *s, srv_conn *c, srv_phase phase)
{
    srv_timer_unlink(s, c);
    c->phase = phase;
    srv_timer_list *l = &s->timers[phase];
    c->idle_since_ms = s->now_ms;
    c->deadline_ms = s->now_ms + l->timeout_ms;
    c->tprev = l->tail;
    if (l->tail != NULL) {
        l->tail->tnext = c;
    } else {
        l->head = c;
    }
    l->tail = c;
}

void srv_record_timer_disarm(srv *s, srv_conn *c)
{
    if (!c->on_records) {
        return;
    }
    srv_timer_list *l = &s->records;
    if (c->rprev != NULL) {
        c->rprev->rnext = c->rnext;
    } else {
        l->head = c->rnext;
    }
    if (c->rnext != NULL) {
        c->rnext->rprev = c->rprev;
    } else {
        l->tail = c->rprev;
    }
    c->rprev = c->rnext = NULL;
    c->on_records = 0;
}

void srv_record_timer_arm(srv *s, srv_conn *c)
{
    srv_record_timer_disarm(s, c);
    srv_timer_list *l = &s->records;
    c->rec_deadline_ms = s->now_ms + l->timeout_ms;
    c->rprev = l->tail;
    if (l->tail != NULL) {
        l->tail->rnext = c;
    } else {
        l->head = c;
    }
    l->tail = c;
    c->on_records = 1;
}

/* At --max-conns: the connection a newcomer may evict now, or NULL. The data
 * phase's timer list is in order of last progress, so it is the head. */
static srv_conn *eviction_candidate(const srv *s)
{
    srv_conn *c = s->timers[SRV_PH_DATA].head;
    if (c == NULL || s->now_ms - c->idle_since_ms < SRV_EVICT_MIN_IDLE_MS) {
        return NULL;
    }
    return c;
}

/* Stopped accepting at --max-conns (not after an accept error)? */
static int paused_for_cap(const srv *s)
{
    return !s->accepting && s->accept_retry_ms == 0 && s->lfd >= 0 && (long)s->live >= s->opts->max_conns;
}

static void earliest(int64_t *next, int64_t t)
{
    if (*next < 0 || t < *next) {
        *next = t;
    }
}

/* Milliseconds until the next deadline (-1: none). */
static int next_timeout(const srv *s)
{
    int64_t next = -1;
    for (int i = 0; i < SRV_NPHASES; i++) {
        const srv_conn *h = s->timers[i].head;
        if (h != NULL) {
            earliest(&next, h->deadline_ms);
        }
    }
    if (s->records.head != NULL) {
        earliest(&next, s->records.head->rec_deadline_ms);
    }
    if (s->accept_retry_ms > 0) {
        earliest(&next, s->accept_retry_ms);
    }
    if (paused_for_cap(s) && s->timers[SRV_PH_DATA].head != NULL) {
        /* When the longest-idle connection becomes evictable. */
        earliest(&next, s->timers[SRV_PH_DATA].head->idle_since_ms + SRV_EVICT_MIN_IDLE_MS);
    }
    if (next < 0) {
        return -1;
    }
    int64_t wait = next - s->now_ms;
    return wait < 0 ? 0 : (wait > 60000 ? 60000 : (int)wait);
}

static void expire_timers(srv *s)
{
    for (int i = 0; i < SRV_NPHASES; i++) {
        srv_timer_list *l = &s->timers[i];
        while (l->head != NULL && l->head->deadline_ms <= s->now_ms) {
            srv_conn_expire(s, l->head);
        }
    }
    /* srv_conn_record_expire frees the head or re-arms it at the tail with a
     * later deadline, so this ends. */
    while (s->records.head != NULL && s->records.head->rec_deadline_ms <= s->now_ms) {
        srv_conn_record_expire(s, s->records.head);
    }
}

/* ---- accepting ------------------------------------------------------------- */

static void set_accepting(srv *s, int on)
{
    if (s->accepting == on) {
        return;
    }
    struct epoll_event ev = {.events = on ? EPOLLIN : 0, .data.ptr = &listener_tag};
    if (epoll_ctl(s->epfd, EPOLL_CTL_MOD, s->lfd, &ev) == 0) {
        s->accepting = on;
    }
}

static void pause_for_cap(srv *s)
{
    if (!s->told_cap) {
        fprintf(stderr,
                "lucidtls: %ld connections live (--max-conns): new clients wait in the listen backlog "
                "until one ends or an idle one can give way\n",
                s->opts->max_conns);
        s->told_cap = 1;
    }
    set_accepting(s, 0);
}

static int newcomer_waiting(const srv *s)
{
    struct pollfd pf = {.fd = s->lfd, .events = POLLIN, .revents = 0};
    return poll(&pf, 1, 0) == 1 && (pf.revents & POLLIN);
}

/* Full: make room for a client waiting in the backlog by evicting the
 * longest-idle connection. 1 when there is room now. */
static int make_room(srv *s)
{
    srv_conn *victim = eviction_candidate(s);
    if (victim == NULL || !newcomer_waiting(s)) {
        return 0;
    }
    srv_conn_evict(s, victim, s->now_ms - victim->idle_since_ms);
    return (long)s->live < s->opts->max_conns;
}

/* While paused at --max-conns: listen again once someone can give way, so
 * that the next newcomer is seen (accept_ready then evicts for it). */
static void recheck_cap(srv *s)
{
    if (paused_for_cap(s) && eviction_candidate(s) != NULL) {
        set_accepting(s, 1);
    }
}

void srv_conn_gone(srv *s)
{
    if (!s->accepting && s->accept_retry_ms == 0 && s->lfd >= 0 && (long)s->live < s->opts->max_conns) {
        set_accepting(s, 1);
    }
}

static void accept_ready(srv *s)
{
    for (int i = 0; i < ACCEPT_BURST; i++) {
        if ((long)s->live >= s->opts->max_conns && !make_room(s)) {
            if (eviction_candidate(s) == NULL) {
                pause_for_cap(s);
            }
            return;
        }
        int fd = accept4(s->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                return;
            }
            if (errno == EINTR || errno == ECONNABORTED || errno == EPROTO) {
                continue;
            }
            /* EMFILE, ENFILE, ENOBUFS, ENOMEM: the pending connection stays
             * readable, so level-triggered epoll would spin; back off. */
            fprintf(stderr, "lucidtls: accept: %s\n", strerror(errno));
            set_accepting(s, 0);
            s->accept_retry_ms = s->now_ms + ACCEPT_RETRY_MS;
            return;
        }
        srv_conn *c = srv_conn_new(s, fd);
        if (c == NULL) {
            close(fd);
            continue;
        }
        /* The ClientHello may be here already. */
        srv_conn_run(s, c, 0);
    }
}

static void retry_accept(srv *s)
{
    if (s->accept_retry_ms > 0 && s->now_ms >= s->accept_retry_ms) {
        s->accept_retry_ms = 0;
        srv_conn_gone(s);
    }
}

/* ---- the loop -------------------------------------------------------------- */

/* SIGINT / SIGTERM arrive as readable data on a signalfd, so the loop sees
 * them between events, never in the middle of a connection's step. */
static int signals_fd(void)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    if (sigprocmask(SIG_BLOCK, &set, NULL) != 0) {
        return -1;
    }
    return signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
}

static int add_fd(int epfd, int fd, void *tag)
{
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = tag};
    return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev);
}

static void run_loop(srv *s, int sfd)
{
    struct epoll_event evs[MAX_EVENTS];
    for (;;) {
        s->now_ms = now_ms();
        int n = epoll_wait(s->epfd, evs, MAX_EVENTS, next_timeout(s));
        if (n < 0 && errno != EINTR) {
            fprintf(stderr, "lucidtls: epoll_wait: %s\n", strerror(errno));
            return;
        }
        s->now_ms = now_ms();
        for (int i = 0; i < n; i++) {
            void *tag = evs[i].data.ptr;
            if (tag == &signal_tag) {
                struct signalfd_siginfo si;
                if (read(sfd, &si, sizeof si) == (ssize_t)sizeof si) {
                    fprintf(stderr, "lucidtls: %s: closing the listener and %zu connection(s)\n",
                            strsignal((int)si.ssi_signo), s->live);
                    return;
                }
            } else if (tag == &listener_tag) {
                accept_ready(s);
            } else {
                srv_conn_run(s, tag, evs[i].events);
            }
        }
        expire_timers(s);
        retry_accept(s);
        recheck_cap(s);
    }
}

static void shutdown_all(srv *s)
{
    while (s->all != NULL) {
        srv_conn_free(s, s->all);
    }
}

/* Listener, signals and epoll set up: serve until SIGINT / SIGTERM. */
static int serve(srv *s, int port)
{
    int sfd = signals_fd();
    s->epfd = epoll_create1(EPOLL_CLOEXEC);
    int rc = 0;
    if (sfd < 0 || s->epfd < 0 || add_fd(s->epfd, sfd, &signal_tag) != 0 ||
        add_fd(s->epfd, s->lfd, &listener_tag) != 0) {
        fprintf(stderr, "lucidtls: cannot set up the event loop: %s\n", strerror(errno));
        rc = 1;
    } else {
        s->accepting = 1;
        char port_text[8], where[300];
        snprintf(port_text, sizeof port_text, "%d", port);
        tool_host_port(s->opts->host, port_text, where, sizeof where);
        fprintf(stderr, "listening on %s\n", where);
        run_loop(s, sfd);
    }
    /* Graceful end: no new clients, live ones closed. */
    close(s->lfd);
    s->lfd = -1;
    shutdown_all(s);
    if (s->epfd >= 0) {
        close(s->epfd);
    }
    if (sfd >= 0) {
        close(sfd);
    }
    return rc;
}

int cmd_server(int argc, char **argv)
{
    server_opts o;
    int prc = parse_opts(argc, argv, &o);
    if (prc != 0) {
        return prc == 1 ? 0 : prc;
    }
    fit_fd_limit(&o);
    trace_json_sink *json = NULL;
    if (o.trace_json != NULL && (json = trace_json_open(o.trace_json)) == NULL) {
        return 1;
    }
    lt_config *cfg = make_config(&o);
    if (cfg == NULL) {
        trace_json_close(json);
        return 1;
    }
    char err[256];
    int port = 0;
    int lfd = tool_listen(o.host, o.port, &port, err, sizeof err);
    if (lfd < 0) {
        fprintf(stderr, "lucidtls: %s\n", err);
        lt_config_free(cfg);
        trace_json_close(json);
        return 1;
    }
    (void)tool_set_nonblocking(lfd, 1);

    srv s;
    memset(&s, 0, sizeof s);
    s.opts = &o;
    s.cfg = cfg;
    s.json = json;
    s.lfd = lfd;
    s.timers[SRV_PH_HANDSHAKE].timeout_ms = (int64_t)(o.handshake_timeout_s * 1000.0);
    s.timers[SRV_PH_DATA].timeout_ms = (int64_t)(o.idle_timeout_s * 1000.0);
    s.timers[SRV_PH_CLOSING].timeout_ms = SRV_CLOSE_LINGER_MS;
    s.records.timeout_ms = (int64_t)(o.record_timeout_s * 1000.0);
    int rc = serve(&s, port);
    lt_config_free(cfg);
    if (trace_json_close(json) != 0 && rc == 0) {
        rc = 1;
    }
    return rc;
}
