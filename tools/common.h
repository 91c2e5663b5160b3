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

/* Splits "host:port", "[v6addr]:port" into host and port (both
 * NUL-terminated copies). Returns 0 on success. */
int tool_split_hostport(const char *arg, char *host, size_t hostcap, char *port, size_t portcap);

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
