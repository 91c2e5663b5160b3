/*
 * tls13_resume: TLS 1.3 resumption, KeyUpdate and an exporter, on a
 * client/server pair in one process (sans-I/O, as in sans_io_pair.c).
 *
 *   1. A full handshake. The server sends session tickets after it; the
 *      client reads them with its first read, and lt_conn_get_session
 *      writes the newest as bytes an application can keep (they hold the
 *      ticket's key: keep them as secret as a private key).
 *   2. A second connection offers those bytes (lt_conn_set_session): it
 *      resumes, with no certificate and a fresh key exchange.
 *   3. Both sides export the same keying material (RFC 8446 7.5), and the
 *      client updates its keys and asks the server to update its own.
 *
 * Exits 0 when all of that worked.
 */
#include <stdio.h>
#include <string.h>

#include "lucidtls/lucidtls.h"
#include "lucidtls/lucidtls_demo.h"

static size_t shuttle(lt_conn *from, lt_conn *to)
{
    size_t len = 0, taken = 0;
    const uint8_t *out = lt_conn_out_peek(from, &len);
    if (out == NULL || len == 0 || lt_conn_feed(to, out, len, &taken) < 0) {
        return 0;
    }
    lt_conn_out_consume(from, taken);
    return taken;
}

static int handshake_pair(lt_conn *client, lt_conn *server)
{
    for (int round = 0; round < 1000; round++) {
        int c = lt_conn_handshake(client), s = lt_conn_handshake(server);
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

/* One message from a to b; it also carries whatever a had queued
 * (tickets, KeyUpdates) to b, which reads them on the way. */
static int send_message(lt_conn *a, lt_conn *b, const char *msg)
{
    char got[128];
    size_t written = 0, n = 0;
    int rc = lt_conn_write(a, msg, strlen(msg), &written);
    for (int round = 0; rc == LT_OK && round < 100; round++) {
        shuttle(a, b);
        rc = lt_conn_read(b, got, sizeof got, &n);
        if (rc == LT_OK && n == strlen(msg) && memcmp(got, msg, n) == 0) {
            return LT_OK;
        }
        rc = rc == LT_WANT_INPUT ? LT_OK : rc;
    }
    return rc == LT_OK ? LT_ERR_INTERNAL : rc;
}

static int fail(const char *what, int rc)
{
    fprintf(stderr, "tls13_resume: %s: %s\n", what, lt_result_name(rc));
    return 1;
}

/* A connection pair on the configs, the client offering `session` (NULL:
 * none), through the handshake and one message each way. */
static int connect_pair(lt_config *ccfg, lt_config *scfg, const uint8_t *session, size_t session_len, lt_conn **client,
                        lt_conn **server)
{
    *server = lt_conn_new(scfg);
    *client = lt_conn_new(ccfg);
    if (*server == NULL || *client == NULL || lt_conn_set_hostname(*client, "localhost") != LT_OK) {
        return LT_ERR_NOMEM;
    }
    if (session != NULL) {
        int rc = lt_conn_set_session(*client, session, session_len);
        if (rc != LT_OK) {
            return rc;
        }
    }
    int rc = handshake_pair(*client, *server);
    if (rc == LT_OK) {
        rc = send_message(*server, *client, "tickets come with this");
    }
    if (rc == LT_OK) {
        rc = send_message(*client, *server, "hello");
    }
    return rc;
}

static int exporters_agree(const lt_conn *client, const lt_conn *server)
{
    static const char label[] = "EXPERIMENTAL lucidtls example";
    uint8_t a[32], b[32];
    int rc = lt_conn_export_keying_material(client, label, sizeof label - 1, NULL, 0, 0, a, sizeof a);
    if (rc == LT_OK) {
        rc = lt_conn_export_keying_material(server, label, sizeof label - 1, NULL, 0, 0, b, sizeof b);
    }
    return rc == LT_OK && memcmp(a, b, sizeof a) == 0 ? LT_OK : LT_ERR_INTERNAL;
}

int main(void)
{
    lt_demo_pki pki;
    int rc = lt_demo_pki_make(&pki, "localhost");
    if (rc != LT_OK) {
        return fail("lt_demo_pki_make", rc);
    }
    lt_config *scfg = lt_config_new(LT_ROLE_SERVER);
    lt_config *ccfg = lt_config_new(LT_ROLE_CLIENT);
    if (lt_config_set_cert_chain_pem(scfg, pki.chain_pem, strlen(pki.chain_pem)) != LT_OK ||
        lt_config_set_key_pem(scfg, pki.key_pem, strlen(pki.key_pem)) != LT_OK ||
        lt_config_set_ca_pem(ccfg, pki.ca_pem, strlen(pki.ca_pem)) != LT_OK) {
        return fail("configuration", LT_ERR_CONFIG);
    }
    int status = 0;
    lt_conn *client = NULL, *server = NULL;
    uint8_t session[LT_SESSION_MAX_LEN];
    size_t session_len = 0;

    /* 1. A full handshake, and the session it leaves. */
    rc = connect_pair(ccfg, scfg, NULL, 0, &client, &server);
    if (rc == LT_OK) {
        rc = lt_conn_get_session(client, session, sizeof session, &session_len);
    }
    if (rc != LT_OK) {
        status = fail("first connection", rc);
    } else {
        printf("first: %s, resumed: %s, session: %zu bytes\n", lt_suite_name(lt_conn_cipher_suite(client)),
               lt_conn_resumed(client) ? "yes" : "no", session_len);
    }
    lt_conn_free(client);
    lt_conn_free(server);

    /* 2. A second connection resumes it. */
    if (status == 0) {
        rc = connect_pair(ccfg, scfg, session, session_len, &client, &server);
        if (rc != LT_OK || !lt_conn_resumed(client) || !lt_conn_resumed(server)) {
            status = fail("second connection did not resume", rc);
        } else {
            printf("second: resumed: yes\n");
        }
    }

    /* 3. The same exported bytes on both sides; a KeyUpdate both ways. */
    if (status == 0) {
        rc = exporters_agree(client, server);
        if (rc == LT_OK) {
            rc = lt_conn_key_update(client, 1);
        }
        if (rc == LT_OK) {
            rc = send_message(client, server, "under new keys");
        }
        if (rc == LT_OK) {
            rc = send_message(server, client, "mine are new too");
        }
        if (rc != LT_OK) {
            status = fail("exporter and KeyUpdate", rc);
        } else {
            printf("exporter: the same on both sides; KeyUpdate: both ways\n");
        }
    }
    memset(session, 0, sizeof session);
    lt_conn_free(client);
    lt_conn_free(server);
    lt_config_free(ccfg);
    lt_config_free(scfg);
    lt_demo_pki_free(&pki);
    return status;
}
