/*
 * Helpers shared by the lucidtls subcommands: sockets, the key log, option
 * parsing, and turning a failed connection into one readable line.
 */
#ifndef LT_TOOLS_COMMON_H
#define LT_TOOLS_COMMON_H

#include <stddef.h>

#include "lucidtls/lucidtls.h"
#include "lucidtls/lucidtls_demo.h"

/* Subcommands (tools/server.c, tools/client.c, tools/demo.c, tools/ticket_keys.c). */
int cmd_server(int argc, char **argv);
int cmd_ticket_keys(int argc, char **argv);
int cmd_client(int argc, char **argv);
int cmd_demo(int argc, char **argv);

/* ---- the command line ------------------------------------------------------ */

/* getopt_long's optstring for every subcommand: the leading ':' tells a
 * missing argument (':') from an unknown option ('?'); -h is --help. */
#define TOOL_OPTSTRING ":h"

struct option;
/* After getopt_long returned '?' or ':' (opterr = 0): one line naming the
 * option ("lucidtls client: unknown option '--foo'", "option '--cafile'
 * needs an argument"), then the usage, on stderr. Returns 2. */
int tool_bad_option(const char *cmd, int c, char **argv, const struct option *longopts, const char *usage);
/* Any other mistake on the command line: "lucidtls CMD: MESSAGE" and where
 * the usage is, on stderr. Returns 2 (the usage-error exit status). */
int tool_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A TCP port: digits only, 1 to 65535 (0 too when allow_zero: "any free
 * port"). 0, or -1 with the reason ("a port is 1 to 65535") in why. */
int tool_parse_port(const char *s, int allow_zero, char *why, size_t cap);

/* Where the client connects: HOST:PORT, [IPv6]:PORT or
 * https://HOST[:PORT][/PATH] (default port 443, path "/"). */
typedef struct tool_target {
    char host[256];  /* without brackets */
    char port[16];   /* digits, 1 to 65535 */
    char path[2048]; /* a URL's path and query; "" for HOST:PORT */
    int is_url;
} tool_target;
/* 0, or -1 with why the argument is not one of those forms in err. */
int tool_parse_target(const char *arg, tool_target *t, char *err, size_t cap);

/* "host:port", or "[v6addr]:port" when host is an IPv6 address. */
void tool_host_port(const char *host, const char *port, char *buf, size_t cap);

/* ---- loading files ------------------------------------------------------------ */

/* After a lt_config_set_*_file call for `opt` failed on `path`: one line,
 * "lucidtls: cannot load --cafile x.pem: No such file or directory". The
 * reason is the system's when the file cannot be read at all, else the
 * library's (lt_config_error) without the path it repeats. Returns 1. */
int tool_load_error(const lt_config *cfg, const char *opt, const char *path);
/* --capath: the library reads the directory only when it looks up a CA, so
 * a directory that cannot be read is caught here. 0, or 1 with the line. */
int tool_check_dir(const char *opt, const char *path);

/* ---- sockets ----------------------------------------------------------------- */

/* A connected TCP socket, or -1 with a message in err. */
int tool_connect(const char *host, const char *port, char *err, size_t errcap);
/* The same, giving up after timeout_ms (< 0: never) over all the addresses
 * host has. The socket is blocking. */
int tool_connect_timeout(const char *host, const char *port, int timeout_ms, char *err, size_t errcap);
/* A listening TCP socket (SO_REUSEADDR) on host:port ("0" = ephemeral), or
 * -1 with a message in err. *bound_port gets the actual port. */
int tool_listen(const char *host, const char *port, int *bound_port, char *err, size_t errcap);
/* "1.2.3.4:5555" or "[::1]:5555" for a connected peer. */
void tool_peer_name(int fd, char *buf, size_t cap);
/* Send and receive timeouts, so a silent peer cannot hang us forever. */
void tool_set_timeouts(int fd, int seconds);
int tool_set_nonblocking(int fd, int on);

/* "--name SECONDS": a number of seconds > 0 into *out, or -1 with a line on
 * stderr. */
int tool_parse_seconds(const char *arg, const char *name, double *out);

/* If SSLKEYLOGFILE is set, append NSS key log lines to it. */
void tool_keylog_setup(lt_config *cfg);

/* Protocol options both commands share: --tls1_2 / --tls1_3 (only that
 * version; the default is both, 1.3 preferred) and --groups LIST (x25519,
 * P-256 or secp256r1, P-384 or secp384r1; colon- or comma-separated). */
typedef struct tool_proto {
    int only_tls12;
    int only_tls13;
    const char *groups;
    const char *alpn; /* --alpn LIST: ALPN protocols in preference order (RFC 7301) */
} tool_proto;
/* Applies them; on failure prints one line and returns 1. */
int tool_apply_proto(lt_config *cfg, const tool_proto *p);

/* One line explaining why `rc` happened on `conn` (which may be NULL), e.g.
 * "certificate verify failed: hostname mismatch (...)" or "server sent fatal
 * alert: handshake_failure". `peer` names the other side ("server"). */
void tool_describe_error(const lt_conn *conn, int rc, int saved_errno, const char *peer, char *buf, size_t cap);

/* Writes all of buf to fd (a pipe or file), retrying on EINTR. */
int tool_write_all(int fd, const void *buf, size_t len);

/* The ALPN protocol chosen, escaped for a terminal, or "(none)". */
void tool_alpn_text(const lt_conn *conn, char *out, size_t cap);

/* "Protocol: TLSv1.2\nCipher: ...\n..." summary of a connection. */
void tool_summary(const lt_conn *conn, char *buf, size_t cap);

/* The peer's leaf certificate subject ("CN=client, O=Example"), or "none"
 * when it sent no certificate. */
void tool_peer_subject(const lt_conn *conn, char *buf, size_t cap);

#endif
