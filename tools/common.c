/* Helpers shared by the lucidtls subcommands. */
#include "common.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

/* ---- the command line ------------------------------------------------------ */

/* The option as typed, without an "=value". */
static void option_text(const char *arg, char *buf, size_t cap)
{
    size_t n = strcspn(arg, "=");
    snprintf(buf, cap, "%.*s", (int)n, arg);
}

/* How many long options begin with `prefix` (after "--"): getopt_long takes
 * an unambiguous abbreviation, and says '?' for an ambiguous one too. */
static int options_starting(const struct option *longopts, const char *prefix)
{
    int n = 0;
    size_t len = strlen(prefix);
    for (const struct option *o = longopts; o != NULL && o->name != NULL; o++) {
        n += strncmp(o->name, prefix, len) == 0;
    }
    return n;
}

int tool_bad_option(const char *cmd, int c, char **argv, const struct option *longopts, const char *usage)
{
    char name[128];
    const char *arg = argv[optind - 1];
    if (strncmp(arg, "--", 2) == 0) {
        option_text(arg, name, sizeof name);
    } else {
        snprintf(name, sizeof name, "-%c", optopt != 0 ? optopt : '?');
    }
    if (c == ':') {
        fprintf(stderr, "lucidtls %s: option '%s' needs an argument\n", cmd, name);
    } else if (optopt != 0 && strncmp(arg, "--", 2) == 0) {
        /* A known option that takes no value was given one. */
        fprintf(stderr, "lucidtls %s: option '%s' takes no argument\n", cmd, name);
    } else if (strncmp(arg, "--", 2) == 0 && options_starting(longopts, name + 2) > 1) {
        fprintf(stderr, "lucidtls %s: option '%s' is ambiguous (the start of several options)\n", cmd, name);
    } else {
        fprintf(stderr, "lucidtls %s: unknown option '%s'\n", cmd, name);
    }
    fputs(usage, stderr);
    return 2;
}

int tool_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "lucidtls %s: ", cmd);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "; see 'lucidtls %s --help'\n", cmd);
    va_end(ap);
    return 2;
}

int tool_parse_port(const char *s, int allow_zero, char *why, size_t cap)
{
    const char *range = allow_zero ? "a port is 1 to 65535, or 0 for any free port" : "a port is 1 to 65535";
    if (s[0] == '\0') {
        snprintf(why, cap, "no port (%s)", range);
        return -1;
    }
    long v = 0;
    for (const char *p = s; *p != '\0'; p++) {
        if (*p < '0' || *p > '9') {
            snprintf(why, cap, "not a number (%s)", range);
            return -1;
        }
        if (v <= 65535) {
            v = v * 10 + (*p - '0');
        }
    }
    if (v > 65535 || (v == 0 && !allow_zero)) {
        snprintf(why, cap, "out of range (%s)", range);
        return -1;
    }
    return 0;
}

/* host[:port] of a URL's authority or of HOST:PORT: a bracketed IPv6
 * literal, or a name or IPv4 address (a bare IPv6 address is ambiguous with
 * the port). default_port NULL: the port is required. */
static int split_authority(const char *a, size_t alen, const char *default_port, tool_target *t, char *err, size_t cap)
{
    const char *host = a;
    size_t hlen;
    const char *rest;
    if (alen > 0 && a[0] == '[') {
        const char *close = memchr(a, ']', alen);
        if (close == NULL) {
            snprintf(err, cap, "'%.*s': no ']' after the IPv6 address", (int)alen, a);
            return -1;
        }
        host = a + 1;
        hlen = (size_t)(close - host);
        rest = close + 1;
        if (rest != a + alen && *rest != ':') {
            snprintf(err, cap, "'%.*s': a ':' and the port go after the ']'", (int)alen, a);
            return -1;
        }
    } else {
        const char *colon = memchr(a, ':', alen);
        hlen = colon != NULL ? (size_t)(colon - a) : alen;
        rest = a + hlen;
        if (colon != NULL && memchr(colon + 1, ':', alen - hlen - 1) != NULL) {
            snprintf(err, cap, "'%.*s': an IPv6 address goes in brackets, as [::1]:443", (int)alen, a);
            return -1;
        }
    }
    if (hlen == 0 || hlen >= sizeof t->host) {
        snprintf(err, cap, "'%.*s': %s", (int)alen, a, hlen == 0 ? "no host" : "the host name is too long");
        return -1;
    }
    memcpy(t->host, host, hlen);
    t->host[hlen] = '\0';
    size_t plen = (size_t)(a + alen - rest);
    char port[16];
    if (plen == 0 && default_port != NULL) {
        snprintf(t->port, sizeof t->port, "%s", default_port);
        return 0;
    }
    if (plen == 0) {
        snprintf(err, cap, "'%.*s': no port (HOST:PORT, [IPv6]:PORT or https://HOST[:PORT]/PATH)", (int)alen, a);
        return -1;
    }
    /* rest is ":port" */
    snprintf(port, sizeof port, "%.*s", (int)(plen - 1), rest + 1);
    char why[128];
    if (plen - 1 >= sizeof port || tool_parse_port(port, 0, why, sizeof why) != 0) {
        if (plen - 1 >= sizeof port) {
            snprintf(why, sizeof why, "out of range (a port is 1 to 65535)");
        }
        snprintf(err, cap, "bad port in '%.*s': %s", (int)alen, a, why);
        return -1;
    }
    snprintf(t->port, sizeof t->port, "%s", port);
    return 0;
}

/* https://host[:port][/path][?query][#fragment]: the fragment stays with us,
 * as a browser's or curl's does (RFC 3986 3.5: it is not sent). */
static int parse_url(const char *arg, tool_target *t, char *err, size_t cap)
{
    const char *a = arg + strlen("https://");
    size_t alen = strcspn(a, "/?#");
    if (memchr(a, '@', alen) != NULL) {
        snprintf(err, cap, "'%s': user names in URLs are not supported", arg);
        return -1;
    }
    if (split_authority(a, alen, "443", t, err, cap) != 0) {
        return -1;
    }
    const char *path = a + alen;
    size_t plen = strcspn(path, "#");
    if (plen + 2 > sizeof t->path) {
        snprintf(err, cap, "the URL's path is too long (at most %zu bytes)", sizeof t->path - 2);
        return -1;
    }
    for (size_t i = 0; i < plen; i++) {
        unsigned char ch = (unsigned char)path[i];
        if (ch <= 0x20 || ch >= 0x7f) {
            /* It would break the request line (RFC 9112 3.2). */
            snprintf(err, cap, "'%s': a space or control character in the path (percent-encode it)", arg);
            return -1;
        }
    }
    snprintf(t->path, sizeof t->path, "%s%.*s", (plen == 0 || path[0] == '?') ? "/" : "", (int)plen, path);
    t->is_url = 1;
    return 0;
}

int tool_parse_target(const char *arg, tool_target *t, char *err, size_t cap)
{
    memset(t, 0, sizeof *t);
    if (strncasecmp(arg, "https://", 8) == 0) {
        return parse_url(arg, t, err, cap);
    }
    if (strstr(arg, "://") != NULL) {
        snprintf(err, cap, "'%s': only https:// URLs (or HOST:PORT)", arg);
        return -1;
    }
    return split_authority(arg, strlen(arg), NULL, t, err, cap);
}

void tool_host_port(const char *host, const char *port, char *buf, size_t cap)
{
    snprintf(buf, cap, strchr(host, ':') != NULL ? "[%s]:%s" : "%s:%s", host, port);
}

/* ---- loading files ------------------------------------------------------------ */

/* Why the file cannot be read at all, or NULL when it can. fopen() opens a
 * directory, so that is asked separately. */
static const char *unreadable_reason(const char *path, int want_dir)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        return strerror(errno);
    }
    if (want_dir) {
        DIR *d = opendir(path);
        if (d == NULL) {
            return strerror(errno);
        }
        closedir(d);
        return NULL;
    }
    if (S_ISDIR(st.st_mode)) {
        return strerror(EISDIR);
    }
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return strerror(errno);
    }
    fclose(f);
    return NULL;
}

/* The library's reason without what this line says already: "cannot open
 * PATH", "cannot load CA file PATH", "ticket key file PATH: ", " (PATH)". */
static void library_reason(const char *why, const char *path, char *out, size_t cap)
{
    char tail[300];
    snprintf(tail, sizeof tail, " (%s)", path);
    snprintf(out, cap, "%s", why != NULL && why[0] != '\0' ? why : "failed");
    size_t n = strlen(out), tl = strlen(tail);
    if (n > tl && strcmp(out + n - tl, tail) == 0) {
        out[n - tl] = '\0';
    }
    char prefix[300];
    snprintf(prefix, sizeof prefix, "ticket key file %s: ", path);
    if (strncmp(out, prefix, strlen(prefix)) == 0) {
        memmove(out, out + strlen(prefix), strlen(out + strlen(prefix)) + 1);
    }
    if (strncmp(out, "cannot load CA file ", 20) == 0) {
        /* X509_STORE_load_file found no certificate it could read. */
        snprintf(out, cap, "no CA certificate in it (PEM), or a damaged one");
    }
}

int tool_load_error(const lt_config *cfg, const char *opt, const char *path)
{
    const char *sys = unreadable_reason(path, 0);
    char why[600];
    if (sys != NULL) {
        snprintf(why, sizeof why, "%s", sys);
    } else {
        library_reason(lt_config_error(cfg), path, why, sizeof why);
    }
    fprintf(stderr, "lucidtls: cannot load %s %s: %s\n", opt, path, why);
    return 1;
}

int tool_check_dir(const char *opt, const char *path)
{
    const char *sys = unreadable_reason(path, 1);
    if (sys == NULL) {
        return 0;
    }
    fprintf(stderr, "lucidtls: cannot load %s %s: %s\n", opt, path, sys);
    return 1;
}

int tool_parse_seconds(const char *arg, const char *name, double *out)
{
    char *end = NULL;
    double v = strtod(arg, &end);
    if (end == arg || *end != '\0' || !(v > 0) || v > 86400.0 * 365) {
        fprintf(stderr, "lucidtls: %s wants a number of seconds > 0, not '%s'\n", name, arg);
        return -1;
    }
    *out = v;
    return 0;
}

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* connect() that gives up at deadline_ms (CLOCK_MONOTONIC; < 0: never): a
 * non-blocking connect, then poll() for it to complete. 0, or -1 with errno
 * (ETIMEDOUT when the time ran out). The socket is blocking again on return. */
static int connect_until(int fd, const struct sockaddr *addr, socklen_t len, int64_t deadline_ms)
{
    if (deadline_ms < 0) {
        return connect(fd, addr, len);
    }
    if (tool_set_nonblocking(fd, 1) != 0) {
        return -1;
    }
    int rc = connect(fd, addr, len);
    if (rc != 0 && errno == EINPROGRESS) {
        for (;;) {
            int64_t left = deadline_ms - mono_ms();
            if (left <= 0) {
                errno = ETIMEDOUT;
                break;
            }
            struct pollfd pf = {.fd = fd, .events = POLLOUT, .revents = 0};
            int k = poll(&pf, 1, left > 60000 ? 60000 : (int)left);
            if (k < 0 && errno == EINTR) {
                continue;
            }
            if (k <= 0) {
                if (k == 0) {
                    errno = ETIMEDOUT;
                }
                break;
            }
            int soerr = 0;
            socklen_t sl = sizeof soerr;
            if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) != 0) {
                break;
            }
            errno = soerr;
            rc = soerr == 0 ? 0 : -1;
            break;
        }
    }
    int saved = errno;
    (void)tool_set_nonblocking(fd, 0);
    errno = saved;
    return rc;
}

/* Tries each address getaddrinfo gives for host:port until one socket is
 * connected (passive = 0; all of them within timeout_ms, < 0: no limit) or
 * bound and listening (passive = 1). */
static int open_socket(const char *host, const char *port, int passive, int timeout_ms, char *err, size_t errcap)
{
    int64_t deadline_ms = (!passive && timeout_ms >= 0) ? mono_ms() + timeout_ms : -1;
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = passive ? AI_PASSIVE : 0;
    int gai = getaddrinfo(host, port, &hints, &res);
    if (gai != 0) {
        snprintf(err, errcap, "cannot resolve %s: %s", host, gai_strerror(gai));
        return -1;
    }
    int fd = -1;
    int last_errno = 0;
    for (struct addrinfo *ai = res; ai != NULL; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd < 0) {
            last_errno = errno;
            continue;
        }
        int ok;
        if (passive) {
            int one = 1;
            (void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
            /* A burst of clients waits in the kernel's queue, not dropped. */
            ok = bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, SOMAXCONN) == 0;
        } else {
            ok = connect_until(fd, ai->ai_addr, ai->ai_addrlen, deadline_ms) == 0;
        }
        if (ok) {
            break;
        }
        last_errno = errno;
        close(fd);
        fd = -1;
        if (last_errno == ETIMEDOUT && deadline_ms >= 0) {
            break; /* the time is up for every address */
        }
    }
    freeaddrinfo(res);
    char where[300];
    tool_host_port(host, port, where, sizeof where);
    if (fd < 0 && last_errno == ETIMEDOUT && deadline_ms >= 0) {
        snprintf(err, errcap, "cannot connect to %s: no answer within %g s (--connect-timeout)", where,
                 timeout_ms / 1000.0);
    } else if (fd < 0) {
        snprintf(err, errcap, "cannot %s %s: %s", passive ? "listen on" : "connect to", where, strerror(last_errno));
    }
    return fd;
}

int tool_connect(const char *host, const char *port, char *err, size_t errcap)
{
    return open_socket(host, port, 0, -1, err, errcap);
}

int tool_connect_timeout(const char *host, const char *port, int timeout_ms, char *err, size_t errcap)
{
    return open_socket(host, port, 0, timeout_ms, err, errcap);
}

static int bound_port_of(int fd)
{
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    if (getsockname(fd, (struct sockaddr *)&ss, &sl) != 0) {
        return -1;
    }
    if (ss.ss_family == AF_INET) {
        return ntohs(((struct sockaddr_in *)&ss)->sin_port);
    }
    return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
}

int tool_listen(const char *host, const char *port, int *bound_port, char *err, size_t errcap)
{
    int fd = open_socket(host, port, 1, -1, err, errcap);
    if (fd >= 0 && bound_port != NULL) {
        *bound_port = bound_port_of(fd);
    }
    return fd;
}

void tool_peer_name(int fd, char *buf, size_t cap)
{
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    char addr[INET6_ADDRSTRLEN] = "?";
    int port = 0;
    if (getpeername(fd, (struct sockaddr *)&ss, &sl) != 0) {
        snprintf(buf, cap, "?");
        return;
    }
    if (ss.ss_family == AF_INET) {
        struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
        inet_ntop(AF_INET, &s4->sin_addr, addr, sizeof addr);
        port = ntohs(s4->sin_port);
        snprintf(buf, cap, "%s:%d", addr, port);
    } else {
        struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
        inet_ntop(AF_INET6, &s6->sin6_addr, addr, sizeof addr);
        port = ntohs(s6->sin6_port);
        snprintf(buf, cap, "[%s]:%d", addr, port);
    }
}

void tool_set_timeouts(int fd, int seconds)
{
    struct timeval tv;
    tv.tv_sec = seconds;
    tv.tv_usec = 0;
    (void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    (void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

int tool_set_nonblocking(int fd, int on)
{
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0) {
        return -1;
    }
    flags = on ? (flags | O_NONBLOCK) : (flags & ~O_NONBLOCK);
    return fcntl(fd, F_SETFL, flags);
}

/* ---- key log -------------------------------------------------------------- */

/* One file for the whole process; the demo logs from two threads. */
static FILE *keylog_file;
static pthread_mutex_t keylog_mu = PTHREAD_MUTEX_INITIALIZER;

static void keylog_line(void *arg, const lt_conn *conn, const char *line)
{
    (void)arg;
    (void)conn;
    pthread_mutex_lock(&keylog_mu);
    if (keylog_file != NULL) {
        fprintf(keylog_file, "%s\n", line);
        fflush(keylog_file);
    }
    pthread_mutex_unlock(&keylog_mu);
}

void tool_keylog_setup(lt_config *cfg)
{
    const char *path = getenv("SSLKEYLOGFILE");
    if (path == NULL || path[0] == '\0') {
        return;
    }
    pthread_mutex_lock(&keylog_mu);
    if (keylog_file == NULL) {
        keylog_file = fopen(path, "a");
        if (keylog_file == NULL) {
            fprintf(stderr, "lucidtls: warning: cannot open SSLKEYLOGFILE %s: %s\n", path, strerror(errno));
        }
    }
    pthread_mutex_unlock(&keylog_mu);
    if (keylog_file != NULL) {
        lt_config_set_keylog(cfg, keylog_line, NULL);
    }
}

/* ---- errors --------------------------------------------------------------- */

static int is_cert_error(int rc)
{
    switch (rc) {
    case LT_ERR_BAD_CERTIFICATE:
    case LT_ERR_UNSUPPORTED_CERTIFICATE:
    case LT_ERR_CERTIFICATE_EXPIRED:
    case LT_ERR_UNKNOWN_CA:
    case LT_ERR_HOSTNAME_MISMATCH: return 1;
    default: return 0;
    }
}

/* What kind of failure, in words, when the core gave no detail. A socket
 * call that timed out says which way it was waiting. */
static const char *generic_reason(int rc)
{
    switch (rc) {
    case LT_WANT_INPUT: return "timed out waiting for the peer";
    case LT_WANT_OUTPUT: return "timed out sending to the peer";
    default: return lt_result_string(rc);
    }
}

void tool_describe_error(const lt_conn *conn, int rc, int saved_errno, const char *peer, char *buf, size_t cap)
{
    const char *detail = NULL;
    int sticky = LT_OK;
    if (conn != NULL) {
        sticky = lt_conn_error(conn, &detail);
    }
    /* The connection's sticky error is the root cause; the fd layer's code
     * may only be its echo (or an I/O failure the core never saw). */
    if (sticky < 0) {
        rc = sticky;
    }
    if (detail != NULL && detail[0] == '\0') {
        detail = NULL;
    }
    if (rc == LT_ERR_PEER_ALERT && conn != NULL && lt_conn_peer_alert(conn) >= 0) {
        snprintf(buf, cap, "%s sent fatal alert: %s", peer, lt_alert_name((uint8_t)lt_conn_peer_alert(conn)));
    } else if (is_cert_error(rc)) {
        /* The core's detail may already say so; do not stutter. */
        const char *prefix = "certificate verify failed: ";
        const char *why = detail ? detail : generic_reason(rc);
        if (strncmp(why, prefix, strlen(prefix)) == 0) {
            why += strlen(prefix);
        }
        snprintf(buf, cap, "%s%s", prefix, why);
    } else if (rc == LT_ERR_TRUNCATED) {
        /* The core says "the peer closed ...": name the peer instead. */
        if (detail != NULL && strncmp(detail, "the peer ", 9) == 0) {
            snprintf(buf, cap, "%s %s", peer, detail + 9);
        } else {
            snprintf(buf, cap, "%s closed the connection without close_notify%s%s", peer, detail ? ": " : "",
                     detail ? detail : "");
        }
    } else if (rc == LT_ERR_IO) {
        snprintf(buf, cap, "connection error: %s", saved_errno ? strerror(saved_errno) : "socket failed");
    } else if (rc == LT_WANT_INPUT || rc == LT_WANT_OUTPUT) {
        snprintf(buf, cap, "%s", generic_reason(rc));
    } else if (detail != NULL) {
        snprintf(buf, cap, "%s: %s", generic_reason(rc), detail);
    } else {
        snprintf(buf, cap, "%s (%s)", generic_reason(rc), lt_result_name(rc));
    }
}

int tool_write_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;
    while (len > 0) {
        ssize_t k = write(fd, p, len);
        if (k < 0 && errno == EINTR) {
            continue;
        }
        if (k <= 0) {
            return -1;
        }
        p += k;
        len -= (size_t)k;
    }
    return 0;
}

void tool_summary(const lt_conn *conn, char *buf, size_t cap)
{
    uint16_t suite = lt_conn_cipher_suite(conn);
    const char *iana = lt_suite_name(suite);
    const char *ossl = lt_suite_openssl_name(suite);
    const char *sni = lt_conn_server_name(conn);
    uint16_t v = lt_conn_version(conn);
    /* EMS and secure renegotiation are TLS 1.2's (RFC 7627, 5746): TLS 1.3
     * has their guarantees built in, and no renegotiation at all. */
    int tls13 = v == LT_TLS1_3;
    const char *na = "n/a (TLS 1.3)";
    char alpn[300];
    tool_alpn_text(conn, alpn, sizeof alpn);
    snprintf(buf, cap,
             "Protocol: %s\n"
             "Cipher: %s (%s)\n"
             "Extended master secret: %s\n"
             "Secure renegotiation: %s\n"
             "Resumed: %s\n"
             "Server name: %s\n"
             "ALPN protocol: %s\n",
             v == LT_TLS1_2 ? "TLSv1.2"
             : tls13        ? "TLSv1.3"
                            : "unknown",
             iana ? iana : "(none)", ossl ? ossl : "-",
             tls13                    ? na
             : lt_conn_used_ems(conn) ? "yes"
                                      : "no",
             tls13                                ? na
             : lt_conn_secure_renegotiation(conn) ? "yes"
                                                  : "no",
             lt_conn_resumed(conn) ? "yes" : "no", (sni != NULL && sni[0] != '\0') ? sni : "(none)", alpn);
}

static uint16_t group_by_name(const char *name, size_t len)
{
    static const struct {
        const char *name;
        uint16_t id;
    } NAMES[] = {{"x25519", LT_GROUP_X25519},       {"X25519", LT_GROUP_X25519},        {"P-256", LT_GROUP_SECP256R1},
                 {"secp256r1", LT_GROUP_SECP256R1}, {"prime256v1", LT_GROUP_SECP256R1}, {"P-384", LT_GROUP_SECP384R1},
                 {"secp384r1", LT_GROUP_SECP384R1}};
    for (size_t i = 0; i < sizeof NAMES / sizeof NAMES[0]; i++) {
        if (strlen(NAMES[i].name) == len && strncmp(NAMES[i].name, name, len) == 0) {
            return NAMES[i].id;
        }
    }
    return 0;
}

static int apply_groups(lt_config *cfg, const char *list)
{
    uint16_t ids[8];
    size_t n = 0;
    const char *p = list;
    while (*p != '\0') {
        size_t len = strcspn(p, ":,");
        uint16_t id = group_by_name(p, len);
        if (id == 0 || n == 8) {
            fprintf(stderr, "lucidtls: bad --groups %s: '%.*s' is not x25519, P-256 or P-384 (at most 8)\n", list,
                    (int)len, p);
            return 1;
        }
        ids[n++] = id;
        p += len;
        if (*p != '\0') {
            p++;
        }
    }
    if (n == 0 || lt_config_set_groups(cfg, ids, n) != LT_OK) {
        fprintf(stderr, "lucidtls: bad --groups %s: %s\n", list, n == 0 ? "empty" : lt_config_error(cfg));
        return 1;
    }
    return 0;
}

int tool_apply_proto(lt_config *cfg, const tool_proto *p)
{
    if (p->only_tls12 && p->only_tls13) {
        fprintf(stderr, "lucidtls: --tls1_2 and --tls1_3 exclude each other (give neither for both versions)\n");
        return 1;
    }
    if (p->only_tls12 || p->only_tls13) {
        uint16_t v = p->only_tls12 ? LT_TLS1_2 : LT_TLS1_3;
        if (lt_config_set_versions(cfg, v, v) != LT_OK) {
            fprintf(stderr, "lucidtls: %s\n", lt_config_error(cfg));
            return 1;
        }
    }
    if (p->alpn != NULL && lt_config_set_alpn(cfg, p->alpn) != LT_OK) {
        fprintf(stderr, "lucidtls: bad --alpn %s: %s\n", p->alpn, lt_config_error(cfg));
        return 1;
    }
    return p->groups != NULL ? apply_groups(cfg, p->groups) : 0;
}

void tool_peer_subject(const lt_conn *conn, char *buf, size_t cap)
{
    size_t len = 0;
    const uint8_t *der = lt_conn_peer_cert(conn, 0, &len);
    if (der == NULL || lt_cert_subject_text(der, len, buf, cap) != LT_OK || buf[0] == '\0') {
        snprintf(buf, cap, "none");
    }
}

void tool_alpn_text(const lt_conn *conn, char *out, size_t cap)
{
    size_t len = 0;
    const char *p = lt_conn_alpn(conn, &len);
    if (p == NULL) {
        snprintf(out, cap, "(none)");
        return;
    }
    /* The peer's bytes: printable ASCII as is, the rest as \xNN. */
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < len && used + 5 < cap; i++) {
        unsigned char ch = (unsigned char)p[i];
        used += (size_t)snprintf(out + used, cap - used, ch >= 0x21 && ch < 0x7f && ch != '\\' ? "%c" : "\\x%02x", ch);
    }
}
