/*
 * sans_io_pair: a client and a server lt_conn in one process, with no
 * sockets at all. The core never does I/O: we take the bytes one side wants
 * to send (lt_conn_out_peek) and feed them to the other (lt_conn_feed). That
 * is all a transport is, as far as TLS is concerned.
 *
 * Exits 0 when the handshake completes and a message crosses each way.
 */
#include <stdio.h>
#include <string.h>

#include "lucidtls/lucidtls.h"
#include "lucidtls/lucidtls_demo.h"

/* Move what `from` wants to send into `to`. The receiver may take less than
 * offered (it buffers at most one record): we consume exactly what it took
 * and offer the rest next round. Returns the number of bytes moved. */
static size_t shuttle(lt_conn *from, lt_conn *to)
{
    size_t len = 0;
    const uint8_t *out = lt_conn_out_peek(from, &len);
    if (out == NULL || len == 0) {
        return 0;
    }
    size_t taken = 0;
    if (lt_conn_feed(to, out, len, &taken) < 0) {
        return 0;
    }
    lt_conn_out_consume(from, taken);
    return taken;
}

/* Step both handshakes until both are done, or nothing moves any more. */
static int handshake_pair(lt_conn *client, lt_conn *server)
{
    for (int round = 0; round < 1000; round++) {
        int c = lt_conn_handshake(client);
        int s = lt_conn_handshake(server);
        if (c < 0 || s < 0) {
            return c < 0 ? c : s;
        }
        size_t moved = shuttle(client, server) + shuttle(server, client);
        if (c == LT_OK && s == LT_OK && moved == 0) {
            return LT_OK;
        }
    }
    return LT_ERR_INTERNAL;
}

/* Send one message from `a` to `b` and read it there. */
static int send_message(lt_conn *a, lt_conn *b, const char *msg, char *got, size_t cap)
{
    size_t written = 0, n = 0;
    int rc = lt_conn_write(a, msg, strlen(msg), &written);
    if (rc != LT_OK) {
        return rc;
    }
    for (int round = 0; round < 100; round++) {
        shuttle(a, b);
        rc = lt_conn_read(b, got, cap - 1, &n);
        if (rc == LT_OK && n > 0) {
            got[n] = '\0';
            return LT_OK;
        }
        if (rc < 0) {
            return rc;
        }
    }
    return LT_ERR_INTERNAL;
}

static int fail(const char *what, const lt_conn *conn, int rc)
{
    const char *detail = NULL;
    if (conn != NULL && lt_conn_error(conn, &detail) < 0) {
        fprintf(stderr, "sans_io_pair: %s: %s: %s\n", what, lt_result_name(rc), detail ? detail : "");
    } else {
        fprintf(stderr, "sans_io_pair: %s: %s\n", what, lt_result_name(rc));
    }
    return 1;
}

int main(void)
{
    /* A throwaway CA and a certificate for "localhost", made in memory. */
    lt_demo_pki pki;
    int rc = lt_demo_pki_make(&pki, "localhost");
    if (rc != LT_OK) {
        return fail("lt_demo_pki_make", NULL, rc);
    }

    lt_config *scfg = lt_config_new(LT_ROLE_SERVER);
    lt_config *ccfg = lt_config_new(LT_ROLE_CLIENT);
    if (lt_config_set_cert_chain_pem(scfg, pki.chain_pem, strlen(pki.chain_pem)) != LT_OK ||
        lt_config_set_key_pem(scfg, pki.key_pem, strlen(pki.key_pem)) != LT_OK ||
        lt_config_set_ca_pem(ccfg, pki.ca_pem, strlen(pki.ca_pem)) != LT_OK) {
        return fail("configuration", NULL, LT_ERR_CONFIG);
    }

    lt_conn *server = lt_conn_new(scfg);
    lt_conn *client = lt_conn_new(ccfg);
    lt_conn_set_hostname(client, "localhost");

    int status = 0;
    char got[256];
    rc = handshake_pair(client, server);
    if (rc != LT_OK) {
        status = fail("handshake", lt_conn_error(client, NULL) < 0 ? client : server, rc);
    } else {
        printf("handshake done: %s\n", lt_suite_name(lt_conn_cipher_suite(client)));
        rc = send_message(client, server, "Hello Alice, this is Bob.", got, sizeof got);
        if (rc == LT_OK) {
            printf("server read: %s\n", got);
            rc = send_message(server, client, "Hello Bob, this is Alice.", got, sizeof got);
        }
        if (rc == LT_OK) {
            printf("client read: %s\n", got);
        } else {
            status = fail("data", client, rc);
        }
    }

    /* Close: the client's close_notify makes the server's read say CLOSED. */
    if (status == 0) {
        size_t n = 0;
        lt_conn_close(client);
        shuttle(client, server);
        rc = lt_conn_read(server, got, sizeof got, &n);
        if (rc != LT_CLOSED) {
            status = fail("close", server, rc);
        } else {
            printf("server saw close_notify\n");
        }
    }

    lt_conn_free(client);
    lt_conn_free(server);
    lt_config_free(ccfg);
    lt_config_free(scfg);
    lt_demo_pki_free(&pki);
    return status;
}
