/*
 * loadgen: N concurrent TLS clients against an echo server (`lucidtls
 * server`). Each client (one thread, non-blocking socket, the sans-I/O core
 * driven directly) does a full handshake trusting --cafile with the hostname
 * checked, sends --bytes of a deterministic pattern while reading the echo
 * back, checks every byte, and closes with close_notify, waiting for the
 * server's.
 *
 *   loadgen --port P --cafile CA.pem [--host 127.0.0.1] [--servername localhost]
 *           [--clients 200] [--bytes 1048576] [--timeout 120]
 *
 * Prints one line per failed client and the totals; exits 0 only when every
 * client completed correctly.
 */
#include <errno.h>
#include <getopt.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>

#include "lucidtls/lucidtls.h"

#define CHUNK 16384
/* Like the server: stop queueing while this much output is unsent. */
#define OUT_HIGH_WATER (64 * 1024)
#define THREAD_STACK (256 * 1024)

typedef struct opts {
    const char *host;
    const char *port;
    const char *cafile;
    const char *servername;
    long clients;
    long long bytes;
    double timeout_s;
} opts;

typedef struct client {
    unsigned idx;
    const opts *o;
    const lt_config *cfg;
    int ok;
    char why[256];
    double t_start, t_hs, t_end;
} client;

/* One client's connection while it runs. */
typedef struct run {
    client *cl;
    lt_conn *tls;
    int fd;
    int established;
    int close_sent;
    int closed;
    long long sent, recvd;
} run;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The byte at offset `off` of client `idx`'s stream: position-dependent with
 * a long period, and different per client, so a byte that is lost, repeated,
 * reordered or delivered to the wrong client shows. */
static inline uint8_t pattern(unsigned idx, unsigned long long off)
{
    return (uint8_t)((off * 7u) ^ (off >> 8) ^ (off >> 16) ^ (idx * 131u));
}

static int fail(run *r, const char *fmt, const char *arg)
{
    snprintf(r->cl->why, sizeof r->cl->why, fmt, arg);
    return -1;
}

static int fail_tls(run *r, const char *stage, int rc)
{
    const char *detail = NULL;
    int sticky = lt_conn_error(r->tls, &detail);
    snprintf(r->cl->why, sizeof r->cl->why, "%s: %s%s%s", stage, lt_result_name(sticky < 0 ? sticky : rc),
             detail != NULL && detail[0] != '\0' ? ": " : "", detail != NULL ? detail : "");
    return -1;
}

static int connect_to(const opts *o, char *why, size_t cap)
{
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    int gai = getaddrinfo(o->host, o->port, &hints, &res);
    if (gai != 0) {
        snprintf(why, cap, "cannot resolve %s: %s", o->host, gai_strerror(gai));
        return -1;
    }
    int fd = -1;
    for (struct addrinfo *ai = res; ai != NULL && fd < 0; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
            snprintf(why, cap, "connect: %s", strerror(errno));
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(res);
    if (fd >= 0) {
        (void)fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    }
    return fd;
}

static size_t pending_out(const run *r)
{
    size_t len = 0;
    (void)lt_conn_out_peek(r->tls, &len);
    return len;
}

/* Queue more of the pattern, as much as the output queue takes. */
static int queue_data(run *r, int *progress)
{
    uint8_t buf[CHUNK];
    while (r->sent < r->cl->o->bytes && pending_out(r) < OUT_HIGH_WATER) {
        long long left = r->cl->o->bytes - r->sent;
        size_t n = left < CHUNK ? (size_t)left : CHUNK;
        for (size_t i = 0; i < n; i++) {
            buf[i] = pattern(r->cl->idx, (unsigned long long)r->sent + i);
        }
        size_t w = 0;
        int rc = lt_conn_write(r->tls, buf, n, &w);
        if (rc < 0) {
            return fail_tls(r, "write", rc);
        }
        if (w == 0) {
            break;
        }
        r->sent += (long long)w;
        *progress = 1;
    }
    return 0;
}

/* Take the echo and check it byte for byte. */
static int check_echo(run *r, int *progress)
{
    uint8_t buf[CHUNK];
    for (;;) {
        size_t n = 0;
        int rc = lt_conn_read(r->tls, buf, sizeof buf, &n);
        if (rc == LT_WANT_INPUT) {
            return 0;
        }
        if (rc == LT_CLOSED) {
            if (!r->close_sent || r->recvd != r->cl->o->bytes) {
                return fail(r, "%s", "the server sent close_notify before the whole echo");
            }
            r->closed = 1;
            *progress = 1;
            return 0;
        }
        if (rc != LT_OK) {
            return fail_tls(r, "read", rc);
        }
        *progress = 1;
        for (size_t i = 0; i < n; i++) {
            if (buf[i] != pattern(r->cl->idx, (unsigned long long)r->recvd + i)) {
                char at[64];
                snprintf(at, sizeof at, "%lld", r->recvd + (long long)i);
                return fail(r, "echo differs at byte %s", at);
            }
        }
        r->recvd += (long long)n;
        if (r->recvd > r->cl->o->bytes) {
            return fail(r, "%s", "more echo than was sent");
        }
    }
}

static int app_step(run *r, int *progress)
{
    if (!r->established) {
        int rc = lt_conn_handshake(r->tls);
        if (rc == LT_WANT_INPUT) {
            return 0;
        }
        if (rc != LT_OK) {
            return fail_tls(r, "handshake", rc);
        }
        r->established = 1;
        r->cl->t_hs = now_s();
        *progress = 1;
    }
    if (queue_data(r, progress) != 0 || check_echo(r, progress) != 0) {
        return -1;
    }
    if (r->recvd == r->cl->o->bytes && !r->close_sent) {
        int rc = lt_conn_close(r->tls);
        if (rc != LT_OK) {
            return fail_tls(r, "close", rc);
        }
        r->close_sent = 1;
        *progress = 1;
    }
    return 0;
}

static int flush_out(run *r, int *progress)
{
    for (;;) {
        size_t len = 0;
        const uint8_t *p = lt_conn_out_peek(r->tls, &len);
        if (p == NULL || len == 0) {
            return 0;
        }
        ssize_t k = send(r->fd, p, len, MSG_NOSIGNAL);
        if (k < 0) {
            if (errno == EINTR) {
                continue;
            }
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                return 0;
            }
            return fail(r, "send: %s", strerror(errno));
        }
        lt_conn_out_consume(r->tls, (size_t)k);
        *progress = 1;
    }
}

static int pull_in(run *r, int *progress)
{
    size_t room = 0;
    uint8_t *dst = lt_conn_in_buf(r->tls, &room);
    if (dst == NULL || room == 0) {
        return 0;
    }
    ssize_t k = recv(r->fd, dst, room, 0);
    if (k < 0) {
        if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK) {
            return 0;
        }
        return fail(r, "recv: %s", strerror(errno));
    }
    *progress = 1;
    if (k == 0) {
        lt_conn_feed_eof(r->tls);
        return 0;
    }
    int rc = lt_conn_in_commit(r->tls, (size_t)k);
    return rc < 0 ? fail_tls(r, "record", rc) : 0;
}

static int wait_io(run *r, double deadline)
{
    double left = deadline - now_s();
    if (left <= 0) {
        return fail(r, "timed out (%s)", r->established ? "echo" : "handshake");
    }
    struct pollfd p = {.fd = r->fd, .events = POLLIN};
    if (pending_out(r) > 0) {
        p.events |= POLLOUT;
    }
    int n = poll(&p, 1, (int)(left * 1000) + 1);
    if (n < 0 && errno != EINTR) {
        return fail(r, "poll: %s", strerror(errno));
    }
    return 0;
}

static int run_client(run *r)
{
    double deadline = r->cl->t_start + r->cl->o->timeout_s;
    while (!(r->closed && pending_out(r) == 0)) {
        int progress = 0;
        if (app_step(r, &progress) != 0 || flush_out(r, &progress) != 0 || pull_in(r, &progress) != 0) {
            return -1;
        }
        if (!progress && wait_io(r, deadline) != 0) {
            return -1;
        }
    }
    return 0;
}

static void *client_main(void *arg)
{
    client *cl = arg;
    run r;
    memset(&r, 0, sizeof r);
    r.cl = cl;
    cl->t_start = now_s();
    r.fd = connect_to(cl->o, cl->why, sizeof cl->why);
    if (r.fd < 0) {
        return NULL;
    }
    r.tls = lt_conn_new(cl->cfg);
    if (r.tls == NULL || lt_conn_set_hostname(r.tls, cl->o->servername) != LT_OK) {
        snprintf(cl->why, sizeof cl->why, "cannot create a connection");
    } else if (run_client(&r) == 0) {
        cl->ok = 1;
    }
    cl->t_end = now_s();
    lt_conn_free(r.tls);
    close(r.fd);
    return NULL;
}

static int parse_opts(int argc, char **argv, opts *o)
{
    static const struct option longopts[] = {
        {"host", required_argument, NULL, 'H'},    {"port", required_argument, NULL, 'p'},
        {"cafile", required_argument, NULL, 'c'},  {"servername", required_argument, NULL, 'n'},
        {"clients", required_argument, NULL, 'N'}, {"bytes", required_argument, NULL, 'b'},
        {"timeout", required_argument, NULL, 't'}, {NULL, 0, NULL, 0},
    };
    o->host = "127.0.0.1";
    o->port = NULL;
    o->cafile = NULL;
    o->servername = "localhost";
    o->clients = 200;
    o->bytes = 1048576;
    o->timeout_s = 120;
    int c;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (c) {
        case 'H': o->host = optarg; break;
        case 'p': o->port = optarg; break;
        case 'c': o->cafile = optarg; break;
        case 'n': o->servername = optarg; break;
        case 'N': o->clients = strtol(optarg, NULL, 10); break;
        case 'b': o->bytes = strtoll(optarg, NULL, 10); break;
        case 't': o->timeout_s = strtod(optarg, NULL); break;
        default: return -1;
        }
    }
    if (optind != argc || o->port == NULL || o->cafile == NULL || o->clients < 1 || o->bytes < 0 || o->timeout_s <= 0) {
        fprintf(stderr, "usage: loadgen --port P --cafile CA.pem [--host H] [--servername NAME] [--clients N]\n"
                        "               [--bytes M] [--timeout SECONDS]\n");
        return -1;
    }
    return 0;
}

static void report(const opts *o, const client *cls, double t0, double t1)
{
    long ok = 0;
    double last_hs = t0, hs_sum = 0;
    for (long i = 0; i < o->clients; i++) {
        const client *cl = &cls[i];
        if (cl->ok) {
            ok++;
            hs_sum += cl->t_hs - cl->t_start;
            if (cl->t_hs > last_hs) {
                last_hs = cl->t_hs;
            }
        } else if (o->clients - ok <= 10 || i < 10) {
            printf("loadgen: client %ld failed: %s\n", i, cl->why[0] ? cl->why : "(no reason)");
        }
    }
    double total = t1 - t0;
    double hs_window = last_hs - t0;
    double mib = (double)o->bytes * (double)ok / (1024.0 * 1024.0);
    printf("loadgen: %ld clients x %lld bytes: %ld ok, %ld failed\n", o->clients, o->bytes, ok, o->clients - ok);
    printf("loadgen: total time %.3f s\n", total);
    printf("loadgen: handshakes: %ld done within %.3f s of the start: %.1f handshakes/s (mean latency %.1f ms)\n", ok,
           hs_window, hs_window > 0 ? (double)ok / hs_window : 0.0, ok > 0 ? 1000.0 * hs_sum / (double)ok : 0.0);
    printf("loadgen: echoed %.1f MiB each way in %.3f s: %.1f MiB/s each way, %.1f MiB/s both ways\n", mib, total,
           total > 0 ? mib / total : 0.0, total > 0 ? 2 * mib / total : 0.0);
}

int main(int argc, char **argv)
{
    opts o;
    if (parse_opts(argc, argv, &o) != 0) {
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    lt_config *cfg = lt_config_new(LT_ROLE_CLIENT);
    if (cfg == NULL || lt_config_set_ca_file(cfg, o.cafile) != LT_OK) {
        fprintf(stderr, "loadgen: cannot load %s: %s\n", o.cafile, cfg ? lt_config_error(cfg) : "out of memory");
        lt_config_free(cfg);
        return 1;
    }
    client *cls = calloc((size_t)o.clients, sizeof *cls);
    pthread_t *th = calloc((size_t)o.clients, sizeof *th);
    if (cls == NULL || th == NULL) {
        fprintf(stderr, "loadgen: out of memory\n");
        return 1;
    }
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, THREAD_STACK);
    double t0 = now_s();
    long started = 0;
    for (long i = 0; i < o.clients; i++) {
        cls[i].idx = (unsigned)i;
        cls[i].o = &o;
        cls[i].cfg = cfg;
        int err = pthread_create(&th[i], &attr, client_main, &cls[i]);
        if (err != 0) {
            snprintf(cls[i].why, sizeof cls[i].why, "pthread_create: %s", strerror(err));
            break;
        }
        started++;
    }
    for (long i = 0; i < started; i++) {
        pthread_join(th[i], NULL);
    }
    double t1 = now_s();
    pthread_attr_destroy(&attr);
    report(&o, cls, t0, t1);
    long ok = 0;
    for (long i = 0; i < o.clients; i++) {
        ok += cls[i].ok;
    }
    free(cls);
    free(th);
    lt_config_free(cfg);
    return ok == o.clients ? 0 : 1;
}
