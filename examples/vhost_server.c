/*
 * vhost_server: virtual hosting by SNI with the ClientHello hook. Each
 * host name has a config of its own (certificate, key, ALPN list); the
 * hook looks at the name the client asks for and switches the connection
 * to that config (lt_conn_set_config) before the server decides anything.
 * An unknown name is refused with unrecognized_name (RFC 6066 3); no name
 * gets the first config. Each connection echoes one read, then closes.
 *
 *   example_vhost_server PORT CHAIN.pem KEY.pem NAME2 CHAIN2.pem KEY2.pem
 *
 * The first identity serves "localhost" (and clients without SNI), the
 * second NAME2, which also speaks ALPN h2.
 */
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lucidtls/lucidtls_fd.h"

typedef struct vhosts {
    lt_config *first;
    const char *second_name;
    lt_config *second;
} vhosts;

/* Runs once per handshake, before the server picks anything. */
static int pick_host(void *arg, lt_conn *conn, const lt_client_hello_info *info)
{
    const vhosts *v = arg;
    if (info->server_name == NULL || strcmp(info->server_name, "localhost") == 0) {
        return 0; /* go on with the config the connection was made from */
    }
    if (strcmp(info->server_name, v->second_name) == 0) {
        return lt_conn_set_config(conn, v->second) == LT_OK ? 0 : LT_ALERT_HANDSHAKE_FAILURE;
    }
    return LT_ALERT_UNRECOGNIZED_NAME;
}

static lt_config *server_config(const char *chain, const char *key, const char *alpn)
{
    lt_config *cfg = lt_config_new(LT_ROLE_SERVER);
    if (cfg == NULL || lt_config_set_cert_chain_file(cfg, chain) != LT_OK ||
        lt_config_set_key_file(cfg, key) != LT_OK || (alpn != NULL && lt_config_set_alpn(cfg, alpn) != LT_OK)) {
        fprintf(stderr, "vhost_server: %s\n", cfg != NULL ? lt_config_error(cfg) : "out of memory");
        exit(1);
    }
    return cfg;
}

static int listen_on(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(fd, 16) != 0) {
        perror("vhost_server: listen");
        exit(1);
    }
    return fd;
}

static void serve(lt_config *cfg, int fd)
{
    lt_conn *conn = lt_conn_new(cfg);
    char buf[4096];
    size_t n = 0;
    int rc = lt_fd_handshake(conn, fd);
    if (rc == LT_OK) {
        size_t alpn_len = 0;
        const char *alpn = lt_conn_alpn(conn, &alpn_len);
        fprintf(stderr, "vhost_server: %s, ALPN %.*s\n",
                lt_conn_server_name(conn) ? lt_conn_server_name(conn) : "(no SNI)", (int)alpn_len,
                alpn != NULL ? alpn : "(none)");
        rc = lt_fd_read(conn, fd, buf, sizeof buf, &n);
    }
    if (rc == LT_OK) {
        rc = lt_fd_write(conn, fd, buf, n, NULL);
    }
    if (rc == LT_OK) {
        (void)lt_fd_close(conn, fd);
    } else {
        const char *detail = NULL;
        lt_conn_error(conn, &detail);
        fprintf(stderr, "vhost_server: %s: %s\n", lt_result_name(rc), detail != NULL ? detail : "");
    }
    lt_conn_free(conn);
}

int main(int argc, char **argv)
{
    if (argc != 7) {
        fprintf(stderr, "usage: %s PORT CHAIN.pem KEY.pem NAME2 CHAIN2.pem KEY2.pem\n", argv[0]);
        return 2;
    }
    vhosts v = {.second_name = argv[4]};
    v.first = server_config(argv[2], argv[3], NULL);
    v.second = server_config(argv[5], argv[6], "h2,http/1.1");
    /* The hook is set on the config connections are made from. */
    lt_config_set_client_hello_callback(v.first, pick_host, &v);
    int lfd = listen_on(atoi(argv[1]));
    for (;;) {
        int fd = accept(lfd, NULL, NULL);
        if (fd >= 0) {
            serve(v.first, fd);
            close(fd);
        }
    }
}
