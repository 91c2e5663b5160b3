/*
 * Mutual TLS in memory, TLS 1.2 and 1.3: the negative cases a real peer
 * rarely sends (the interop proof is tests/interop/test_mtls.sh). Each
 * failure must be the exact alert: certificate_required (1.3) or
 * handshake_failure (1.2) for a missing certificate, unknown_ca,
 * unsupported_certificate for a certificate without clientAuth,
 * decrypt_error for a CertificateVerify the key does not make; the verify
 * hook overrules both ways and picks the alert; the client picks the
 * identity a named CA issued; the getters tell what happened.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "certs.h"
#include "pair.h"
#include "test.h"

static const uint16_t VERSIONS[] = {LT_TLS1_2, LT_TLS1_3};

/* A CA of our own with EC client leaves (the demo CA's key is gone). */
typedef struct own_pki {
    char *ca_pem;
    char *good_chain, *good_key;   /* clientAuth */
    char *server_eku_chain;        /* serverAuth only, same key as good */
    char *other_chain, *other_key; /* signed by a CA nobody trusts */
} own_pki;
static own_pki g_own;

static char *chain_of(X509 *leaf, X509 *ca)
{
    X509 *certs[2] = {leaf, ca};
    return tc_pem_of_certs(certs, 2);
}

static void make_own_pki(void)
{
    EVP_PKEY *ca_key = tc_ec_key("P-256"), *other_ca_key = tc_ec_key("P-256");
    EVP_PKEY *key = tc_ec_key("P-256"), *other_key = tc_ec_key("P-256");
    X509 *ca = tc_make_cert(ca_key, &(tc_cert_opts){.cn = "mtls test CA", .is_ca = 1});
    X509 *other_ca = tc_make_cert(other_ca_key, &(tc_cert_opts){.cn = "mtls other CA", .is_ca = 1});
    X509 *good = tc_make_cert(key, &(tc_cert_opts){.cn = "mtls good",
                                                   .issuer = ca,
                                                   .issuer_key = ca_key,
                                                   .eku = "clientAuth",
                                                   .key_usage = "critical,digitalSignature"});
    X509 *server_eku = tc_make_cert(
        key, &(tc_cert_opts){.cn = "mtls serverAuth only", .issuer = ca, .issuer_key = ca_key, .eku = "serverAuth"});
    X509 *other = tc_make_cert(
        other_key,
        &(tc_cert_opts){.cn = "mtls other", .issuer = other_ca, .issuer_key = other_ca_key, .eku = "clientAuth"});
    g_own.ca_pem = tc_pem_of_certs(&ca, 1);
    g_own.good_chain = chain_of(good, ca);
    g_own.good_key = tc_pem_of_key(key);
    g_own.server_eku_chain = chain_of(server_eku, ca);
    g_own.other_chain = chain_of(other, other_ca);
    g_own.other_key = tc_pem_of_key(other_key);
    X509 *all[] = {ca, other_ca, good, server_eku, other};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        X509_free(all[i]);
    }
    EVP_PKEY_free(ca_key);
    EVP_PKEY_free(other_ca_key);
    EVP_PKEY_free(key);
    EVP_PKEY_free(other_key);
}

static void set_identity(lt_config *cfg, const char *chain, const char *key)
{
    EXPECT_EQ(lt_config_set_cert_chain_pem(cfg, chain, strlen(chain)), LT_OK);
    EXPECT_EQ(lt_config_set_key_pem(cfg, key, strlen(key)), LT_OK);
}

/* A pair whose server asks for a client certificate (mode), trusting
 * ca_pem, at one version. */
static void mtls_pair(lt_pair *p, uint16_t v, int mode, const char *ca_pem)
{
    EXPECT_EQ(pair_init_configs(p, 0), LT_OK);
    EXPECT_EQ(lt_config_set_versions(p->ccfg, v, v), LT_OK);
    EXPECT_EQ(lt_config_set_versions(p->scfg, v, v), LT_OK);
    EXPECT_EQ(lt_config_set_client_auth(p->scfg, mode), LT_OK);
    EXPECT_EQ(lt_config_set_ca_pem(p->scfg, ca_pem, strlen(ca_pem)), LT_OK);
}

/* The handshake fails at the server with err and the alert; the client
 * hears that alert. */
static void expect_server_refuses(lt_pair *p, int err, int alert)
{
    EXPECT(pair_handshake(p) != LT_OK);
    EXPECT_EQ(lt_conn_error(p->server, NULL), err);
    EXPECT_EQ(lt_conn_alert_sent(p->server), alert);
    EXPECT_EQ(lt_conn_peer_alert(p->client), alert);
}

static void test_demo_client_certificate(void)
{
    for (size_t i = 0; i < 2; i++) {
        lt_pair p;
        EXPECT_EQ(pair_init_configs(&p, 0), LT_OK);
        EXPECT_EQ(lt_config_set_versions(p.ccfg, VERSIONS[i], VERSIONS[i]), LT_OK);
        EXPECT_EQ(lt_config_set_versions(p.scfg, VERSIONS[i], VERSIONS[i]), LT_OK);
        EXPECT_EQ(lt_config_set_client_auth(p.scfg, LT_CLIENT_AUTH_REQUIRE), LT_OK);
        EXPECT_EQ(lt_config_set_ca_pem(p.scfg, p.pki.ca_pem, strlen(p.pki.ca_pem)), LT_OK);
        set_identity(p.ccfg, p.pki.client_chain_pem, p.pki.client_key_pem);
        EXPECT_EQ(pair_new_conns(&p), LT_OK);
        EXPECT_EQ(pair_handshake(&p), LT_OK);
        /* The server kept the client's chain as sent: the leaf, then the CA. */
        EXPECT_EQ(lt_conn_peer_cert_count(p.server), 2u);
        size_t len = 0;
        const uint8_t *leaf = lt_conn_peer_cert(p.server, 0, &len);
        EXPECT(leaf != NULL && len > 0);
        size_t none_len = 1;
        EXPECT(lt_conn_peer_cert(p.server, 2, &none_len) == NULL && none_len == 0);
        char subject[256];
        EXPECT_EQ(lt_cert_subject_text(leaf, len, subject, sizeof subject), LT_OK);
        EXPECT(strstr(subject, "CN=lucidtls demo client") != NULL);
        EXPECT_EQ(lt_cert_subject_text((const uint8_t *)"junk", 4, subject, sizeof subject), LT_ERR_DECODE);
        const char *reason = NULL;
        EXPECT_EQ(lt_conn_peer_verify_result(p.server, &reason), LT_OK);
        /* The client's signature: the same scheme seen from both ends, an
         * RSA one (the demo client key is RSA-2048). */
        uint16_t s = lt_conn_peer_signature_scheme(p.server);
        EXPECT(s != 0);
        EXPECT_EQ(lt_conn_signature_scheme(p.client), s);
        EXPECT_EQ(lt_conn_peer_signature_scheme(p.client), lt_conn_signature_scheme(p.server));
        EXPECT(lt_conn_peer_signature_scheme(p.client) != 0);
        /* And the client kept the server's chain. */
        EXPECT_EQ(lt_conn_peer_cert_count(p.client), 2u);
        EXPECT_EQ(lt_conn_peer_verify_result(p.client, NULL), LT_OK);
        pair_free(&p);
    }
}

static void test_required_but_missing(void)
{
    for (size_t i = 0; i < 2; i++) {
        lt_pair p;
        mtls_pair(&p, VERSIONS[i], LT_CLIENT_AUTH_REQUIRE, g_own.ca_pem);
        EXPECT_EQ(pair_new_conns(&p), LT_OK);
        /* RFC 8446 4.4.2.4: certificate_required; RFC 5246 7.4.6:
         * handshake_failure. */
        if (VERSIONS[i] == LT_TLS1_3) {
            expect_server_refuses(&p, LT_ERR_CERTIFICATE_REQUIRED, 116);
        } else {
            expect_server_refuses(&p, LT_ERR_HANDSHAKE_FAILURE, 40);
        }
        pair_free(&p);
    }
}

static void test_requested_and_missing(void)
{
    for (size_t i = 0; i < 2; i++) {
        lt_pair p;
        mtls_pair(&p, VERSIONS[i], LT_CLIENT_AUTH_REQUEST, g_own.ca_pem);
        EXPECT_EQ(pair_new_conns(&p), LT_OK);
        EXPECT_EQ(pair_handshake(&p), LT_OK);
        EXPECT_EQ(lt_conn_peer_cert_count(p.server), 0u);
        EXPECT_EQ(lt_conn_peer_verify_result(p.server, NULL), LT_ERR_USAGE);
        EXPECT_EQ(lt_conn_peer_signature_scheme(p.server), 0);
        pair_free(&p);
    }
}

static void test_bad_client_certificates(void)
{
    for (size_t i = 0; i < 2; i++) {
        lt_pair p;
        /* RFC 5280 4.2.1.12: serverAuth only. */
        mtls_pair(&p, VERSIONS[i], LT_CLIENT_AUTH_REQUIRE, g_own.ca_pem);
        set_identity(p.ccfg, g_own.server_eku_chain, g_own.good_key);
        EXPECT_EQ(pair_new_conns(&p), LT_OK);
        expect_server_refuses(&p, LT_ERR_UNSUPPORTED_CERTIFICATE, 43);
        pair_free(&p);
        /* Another CA. */
        mtls_pair(&p, VERSIONS[i], LT_CLIENT_AUTH_REQUEST, g_own.ca_pem);
        set_identity(p.ccfg, g_own.other_chain, g_own.other_key);
        EXPECT_EQ(pair_new_conns(&p), LT_OK);
        expect_server_refuses(&p, LT_ERR_UNKNOWN_CA, 48);
        EXPECT_EQ(lt_conn_peer_verify_result(p.server, NULL), LT_ERR_UNKNOWN_CA);
        pair_free(&p);
        /* A CertificateVerify made with a key that is not the
         * certificate's (the config checks a key against a chain set
         * before it, not a chain against the key). */
        mtls_pair(&p, VERSIONS[i], LT_CLIENT_AUTH_REQUIRE, g_own.ca_pem);
        EXPECT_EQ(lt_config_set_key_pem(p.ccfg, g_own.other_key, strlen(g_own.other_key)), LT_OK);
        EXPECT_EQ(lt_config_set_cert_chain_pem(p.ccfg, g_own.good_chain, strlen(g_own.good_chain)), LT_OK);
        EXPECT_EQ(pair_new_conns(&p), LT_OK);
        expect_server_refuses(&p, LT_ERR_DECRYPT_ERROR, 51);
        pair_free(&p);
    }
}

typedef struct hook_state {
    int answer;
    int calls;
    int verdict;
    size_t chain_len;
    const lt_conn *conn;
} hook_state;

static int hook(void *arg, const lt_conn *conn, const lt_verify_info *info)
{
    hook_state *h = arg;
    h->calls++;
    h->verdict = info->verdict;
    h->chain_len = info->chain_len;
    h->conn = conn;
    return h->answer;
}

static void test_verify_hook(void)
{
    for (size_t i = 0; i < 2; i++) {
        lt_pair p;
        /* Accepts a chain the default check refuses (unknown CA). */
        hook_state h = {.answer = 0};
        mtls_pair(&p, VERSIONS[i], LT_CLIENT_AUTH_REQUIRE, g_own.ca_pem);
        EXPECT_EQ(lt_config_set_verify_callback(p.scfg, hook, &h), LT_OK);
        set_identity(p.ccfg, g_own.other_chain, g_own.other_key);
        EXPECT_EQ(pair_new_conns(&p), LT_OK);
        EXPECT_EQ(pair_handshake(&p), LT_OK);
        EXPECT_EQ(h.calls, 1);
        EXPECT_EQ(h.verdict, LT_ERR_UNKNOWN_CA);
        EXPECT_EQ(h.chain_len, 2u);
        EXPECT(h.conn == p.server);
        const char *reason = NULL;
        EXPECT_EQ(lt_conn_peer_verify_result(p.server, &reason), LT_ERR_UNKNOWN_CA);
        EXPECT(reason != NULL && strstr(reason, "unknown CA") != NULL);
        pair_free(&p);

        /* ... but never a certificate whose key did not sign (the hook
         * accepts the chain, the CertificateVerify still has to verify). */
        mtls_pair(&p, VERSIONS[i], LT_CLIENT_AUTH_REQUIRE, g_own.ca_pem);
        EXPECT_EQ(lt_config_set_verify_callback(p.scfg, hook, &h), LT_OK);
        EXPECT_EQ(lt_config_set_key_pem(p.ccfg, g_own.other_key, strlen(g_own.other_key)), LT_OK);
        EXPECT_EQ(lt_config_set_cert_chain_pem(p.ccfg, g_own.good_chain, strlen(g_own.good_chain)), LT_OK);
        EXPECT_EQ(pair_new_conns(&p), LT_OK);
        expect_server_refuses(&p, LT_ERR_DECRYPT_ERROR, 51);
        pair_free(&p);

        /* Refuses a good chain with the alert it chose. */
        h = (hook_state){.answer = LT_ALERT_ACCESS_DENIED};
        mtls_pair(&p, VERSIONS[i], LT_CLIENT_AUTH_REQUIRE, g_own.ca_pem);
        EXPECT_EQ(lt_config_set_verify_callback(p.scfg, hook, &h), LT_OK);
        set_identity(p.ccfg, g_own.good_chain, g_own.good_key);
        EXPECT_EQ(pair_new_conns(&p), LT_OK);
        expect_server_refuses(&p, LT_ERR_REJECTED, LT_ALERT_ACCESS_DENIED);
        EXPECT_EQ(h.verdict, LT_OK);
        pair_free(&p);

        /* LT_VERIFY_DEFAULT keeps the verdict. */
        h = (hook_state){.answer = LT_VERIFY_DEFAULT};
        mtls_pair(&p, VERSIONS[i], LT_CLIENT_AUTH_REQUIRE, g_own.ca_pem);
        EXPECT_EQ(lt_config_set_verify_callback(p.scfg, hook, &h), LT_OK);
        set_identity(p.ccfg, g_own.other_chain, g_own.other_key);
        EXPECT_EQ(pair_new_conns(&p), LT_OK);
        expect_server_refuses(&p, LT_ERR_UNKNOWN_CA, 48);
        EXPECT_EQ(h.calls, 1);
        pair_free(&p);

        /* The client's hook sees the server's chain: refuse it, revoked. */
        h = (hook_state){.answer = LT_ALERT_CERTIFICATE_REVOKED};
        EXPECT_EQ(pair_init_configs(&p, 0), LT_OK);
        EXPECT_EQ(lt_config_set_versions(p.ccfg, VERSIONS[i], VERSIONS[i]), LT_OK);
        EXPECT_EQ(lt_config_set_verify_callback(p.ccfg, hook, &h), LT_OK);
        EXPECT_EQ(pair_new_conns(&p), LT_OK);
        EXPECT(pair_handshake(&p) != LT_OK);
        EXPECT_EQ(lt_conn_error(p.client, NULL), LT_ERR_REJECTED);
        EXPECT_EQ(lt_conn_alert_sent(p.client), LT_ALERT_CERTIFICATE_REVOKED);
        EXPECT_EQ(lt_conn_peer_alert(p.server), LT_ALERT_CERTIFICATE_REVOKED);
        EXPECT(h.conn == p.client);
        pair_free(&p);
    }
}

/* Two identities: the RSA one (the demo CA's) comes first, but the server
 * names only our own CA, so the client sends the ECDSA one. */
static void test_identity_by_ca_names(void)
{
    for (size_t i = 0; i < 2; i++) {
        lt_pair p;
        mtls_pair(&p, VERSIONS[i], LT_CLIENT_AUTH_REQUIRE, g_own.ca_pem);
        set_identity(p.ccfg, p.pki.client_chain_pem, p.pki.client_key_pem);
        set_identity(p.ccfg, g_own.good_chain, g_own.good_key);
        EXPECT_EQ(pair_new_conns(&p), LT_OK);
        EXPECT_EQ(pair_handshake(&p), LT_OK);
        size_t len = 0;
        const uint8_t *leaf = lt_conn_peer_cert(p.server, 0, &len);
        char subject[256] = "";
        EXPECT_EQ(lt_cert_subject_text(leaf, len, subject, sizeof subject), LT_OK);
        EXPECT(strstr(subject, "mtls good") != NULL);
        EXPECT_EQ(lt_conn_peer_signature_scheme(p.server), 0x0403); /* ecdsa_secp256r1_sha256 */
        pair_free(&p);
    }
}

static void test_no_trust_is_a_config_error(void)
{
    lt_pair p;
    EXPECT_EQ(pair_init_configs(&p, 0), LT_OK);
    EXPECT_EQ(lt_config_set_client_auth(p.scfg, LT_CLIENT_AUTH_REQUEST), LT_OK);
    EXPECT_EQ(lt_config_set_client_auth(p.scfg, 7), LT_ERR_CONFIG);
    EXPECT_EQ(lt_config_set_client_auth(p.ccfg, LT_CLIENT_AUTH_REQUIRE), LT_ERR_CONFIG);
    EXPECT_EQ(pair_new_conns(&p), LT_OK);
    EXPECT_EQ(lt_conn_handshake(p.server), LT_ERR_CONFIG);
    pair_free(&p);
}

/* The client's session, after any TLS 1.3 tickets have been read. */
static size_t take_session(lt_pair *p, uint8_t *buf)
{
    uint8_t b[1];
    size_t n = 0, len = 0;
    pair_pump(p);
    (void)lt_conn_read(p->client, b, sizeof b, &n);
    EXPECT_EQ(lt_conn_get_session(p->client, buf, LT_SESSION_MAX_LEN, &len), LT_OK);
    return len;
}

/* One ticket key file for two servers (a fleet). */
static const char *shared_keys(void)
{
    static char path[64];
    snprintf(path, sizeof path, "/tmp/lt-mtls-keys.%ld", (long)getpid());
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    static const char line[] = "ffeeddccbbaa99887766554433221100"
                               "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n";
    EXPECT(fd >= 0 && write(fd, line, sizeof line - 1) == (ssize_t)(sizeof line - 1));
    close(fd);
    return path;
}

/* Resumption must not skip client authentication: a session made without
 * a client certificate (on a server that only asked for one) does not
 * resume on a server that requires one, even with the ticket keys shared;
 * the client then has to show a certificate, and has none. A session whose
 * client did prove one resumes there, without a certificate this time. */
static void test_resumption_keeps_client_auth(void)
{
    const char *keys = shared_keys();
    for (size_t i = 0; i < 2; i++) {
        uint16_t v = VERSIONS[i];
        uint8_t sess[LT_SESSION_MAX_LEN];
        lt_pair p;
        mtls_pair(&p, v, LT_CLIENT_AUTH_REQUEST, g_own.ca_pem);
        EXPECT_EQ(lt_config_set_ticket_key_file(p.scfg, keys), LT_OK);
        EXPECT_EQ(pair_new_conns(&p), LT_OK);
        EXPECT_EQ(pair_handshake(&p), LT_OK);
        size_t len = take_session(&p, sess);
        /* The same client at a server that requires a certificate. */
        lt_config *strict = lt_config_new(LT_ROLE_SERVER);
        set_identity(strict, p.pki.chain_pem, p.pki.key_pem);
        EXPECT_EQ(lt_config_set_versions(strict, v, v), LT_OK);
        EXPECT_EQ(lt_config_set_client_auth(strict, LT_CLIENT_AUTH_REQUIRE), LT_OK);
        EXPECT_EQ(lt_config_set_ca_pem(strict, g_own.ca_pem, strlen(g_own.ca_pem)), LT_OK);
        EXPECT_EQ(lt_config_set_ticket_key_file(strict, keys), LT_OK);
        lt_config_free(p.scfg);
        p.scfg = strict;
        EXPECT_EQ(pair_new_conns(&p), LT_OK);
        EXPECT_EQ(lt_conn_set_session(p.client, sess, len), LT_OK);
        expect_server_refuses(&p, v == LT_TLS1_3 ? LT_ERR_CERTIFICATE_REQUIRED : LT_ERR_HANDSHAKE_FAILURE,
                              v == LT_TLS1_3 ? 116 : 40);
        EXPECT(!lt_conn_resumed(p.server));
        pair_free(&p);

        /* A client that proved its certificate resumes at the strict one. */
        mtls_pair(&p, v, LT_CLIENT_AUTH_REQUIRE, g_own.ca_pem);
        set_identity(p.ccfg, g_own.good_chain, g_own.good_key);
        EXPECT_EQ(lt_config_set_ticket_key_file(p.scfg, keys), LT_OK);
        EXPECT_EQ(pair_new_conns(&p), LT_OK);
        EXPECT_EQ(pair_handshake(&p), LT_OK);
        len = take_session(&p, sess);
        EXPECT_EQ(pair_new_conns(&p), LT_OK);
        EXPECT_EQ(lt_conn_set_session(p.client, sess, len), LT_OK);
        EXPECT_EQ(pair_handshake(&p), LT_OK);
        EXPECT(lt_conn_resumed(p.server) && lt_conn_resumed(p.client));
        pair_free(&p);
    }
    unlink(keys);
}

int main(void)
{
    make_own_pki();
    LT_RUN(test_demo_client_certificate);
    LT_RUN(test_required_but_missing);
    LT_RUN(test_requested_and_missing);
    LT_RUN(test_bad_client_certificates);
    LT_RUN(test_verify_hook);
    LT_RUN(test_identity_by_ca_names);
    LT_RUN(test_no_trust_is_a_config_error);
    LT_RUN(test_resumption_keeps_client_auth);
    return lt_test_summary();
}
