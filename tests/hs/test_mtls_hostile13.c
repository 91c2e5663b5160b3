/*
 * Hostile mutual TLS 1.3, in memory (the TLS 1.2 cases are on the wire:
 * tests/hostile/mtls.py). A server that requires a client certificate
 * gets our client's own Certificate / CertificateVerify / Finished, opened
 * with the key log's client handshake traffic secret, changed, and sealed
 * again (RFC 8446 5.2, 7.3); a client gets the server's encrypted flight
 * with its CertificateRequest changed. Each case checks the alert RFC 8446
 * names (4.3.2, 4.4.2, 4.4.2.4, 4.4.3, 6.2). The record helpers are those of
 * test_tls13_negative.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Test code: it seals records with libcrypto itself, like
 * test_tls13_negative.c; the library keeps OpenSSL in src/crypto. */
#include <openssl/evp.h>

#include "conn/conn.h"
#include "crypto/crypto.h"
#include "hs/keysched13.h"
#include "hs/suites.h"
#include "pair.h"
#include "peer13.h"
#include "test.h"

/* ---- a handshake stopped where the peer's encrypted flight is due ---- */

typedef struct mt {
    lt_pair p;
    keylog kl;
    uint8_t msgs[16384]; /* the handshake messages of the flight, opened */
    size_t msgs_len;
    uint8_t plain[16384]; /* server side: its plaintext records (ServerHello, CCS) */
    size_t plain_len;
} mt;

static size_t take_out(lt_conn *c, uint8_t *buf, size_t cap)
{
    size_t len = 0;
    const uint8_t *out = lt_conn_out_peek(c, &len);
    EXPECT(len <= cap);
    if (len > cap) {
        len = cap;
    }
    if (len > 0) {
        memcpy(buf, out, len);
    }
    lt_conn_out_consume(c, len);
    return len;
}

/* Opens the protected records of buf under the secret of `label` (seq 0,
 * 1, ...), appending the handshake content to m->msgs; the plaintext
 * records go to m->plain. */
static void open_flight(mt *m, const lt_conn *c, const char *label, const uint8_t *buf, size_t len)
{
    uint8_t secret[LT_MAX_HASH_LEN];
    EXPECT(keylog_secret(&m->kl, label, secret) > 0);
    uint64_t seq = 0;
    for (size_t off = 0; off + REC_HDR <= len;) {
        size_t n = REC_HDR + (((size_t)buf[off + 3] << 8) | buf[off + 4]);
        if (buf[off] != LT_CT_APPLICATION_DATA) {
            memcpy(m->plain + m->plain_len, buf + off, n);
            m->plain_len += n;
        } else {
            uint8_t type = 0;
            size_t got =
                open13(c, secret, seq++, buf + off, n, &type, m->msgs + m->msgs_len, sizeof m->msgs - m->msgs_len);
            EXPECT(got != (size_t)-1 && type == LT_CT_HANDSHAKE);
            if (got != (size_t)-1) {
                m->msgs_len += got;
            }
        }
        off += n;
    }
}

/* A TLS 1.3 pair whose server has client auth `mode` (trusting the demo
 * CA) and whose client has the demo client identity. With to_server, runs
 * until the client has answered the server's flight and keeps that answer
 * (Certificate, CertificateVerify, Finished) in m->msgs, not delivered;
 * else until the server has sent its flight, kept in m->msgs / m->plain. */
static void mt_start(mt *m, int mode, int to_server)
{
    static uint8_t buf[65536];
    memset(m, 0, sizeof *m);
    EXPECT_EQ(pair_init_configs(&m->p, 0), LT_OK);
    EXPECT_EQ(lt_config_set_versions(m->p.ccfg, LT_TLS1_3, LT_TLS1_3), LT_OK);
    EXPECT_EQ(lt_config_set_versions(m->p.scfg, LT_TLS1_3, LT_TLS1_3), LT_OK);
    if (mode != LT_CLIENT_AUTH_NONE) {
        EXPECT_EQ(lt_config_set_ca_pem(m->p.scfg, m->p.pki.ca_pem, strlen(m->p.pki.ca_pem)), LT_OK);
        EXPECT_EQ(lt_config_set_client_auth(m->p.scfg, mode), LT_OK);
    }
    const char *chain = m->p.pki.client_chain_pem, *key = m->p.pki.client_key_pem;
    EXPECT_EQ(lt_config_set_cert_chain_pem(m->p.ccfg, chain, strlen(chain)), LT_OK);
    EXPECT_EQ(lt_config_set_key_pem(m->p.ccfg, key, strlen(key)), LT_OK);
    lt_config_set_keylog(m->p.scfg, keylog_cb, &m->kl);
    EXPECT_EQ(pair_new_conns(&m->p), LT_OK);
    EXPECT_EQ(lt_conn_handshake(m->p.client), LT_WANT_INPUT);
    size_t n = take_out(m->p.client, buf, sizeof buf);
    EXPECT_EQ(feed_all(m->p.server, buf, n), LT_OK);
    EXPECT_EQ(lt_conn_handshake(m->p.server), LT_WANT_INPUT);
    n = take_out(m->p.server, buf, sizeof buf);
    if (!to_server) {
        open_flight(m, m->p.server, "SERVER_HANDSHAKE_TRAFFIC_SECRET", buf, n);
        return;
    }
    EXPECT_EQ(feed_all(m->p.client, buf, n), LT_OK);
    (void)lt_conn_handshake(m->p.client);
    n = take_out(m->p.client, buf, sizeof buf);
    open_flight(m, m->p.server, "CLIENT_HANDSHAKE_TRAFFIC_SECRET", buf, n);
}

/* The offset and length of handshake message `type` in msgs (whole, with
 * its header); 0 if absent. */
static size_t find_msg(const mt *m, uint8_t type, size_t *at)
{
    for (size_t off = 0; off + 4 <= m->msgs_len;) {
        size_t n = 4 + (((size_t)m->msgs[off + 1] << 16) | ((size_t)m->msgs[off + 2] << 8) | m->msgs[off + 3]);
        if (m->msgs[off] == type) {
            *at = off;
            return n;
        }
        off += n;
    }
    return 0;
}

/* Feeds `peer` one record, under the handshake secret `label` at seq 0,
 * holding msgs (after m->plain when given), and runs its handshake. */
static int deliver(mt *m, lt_conn *peer, const char *label, const uint8_t *msgs, size_t n)
{
    static uint8_t rec[REC_CAP];
    uint8_t secret[LT_MAX_HASH_LEN];
    EXPECT(keylog_secret(&m->kl, label, secret) > 0);
    if (peer == m->p.client) {
        EXPECT_EQ(feed_all(peer, m->plain, m->plain_len), LT_OK);
    }
    size_t len = seal13(m->p.server, secret, 0, LT_CT_HANDSHAKE, msgs, n, rec);
    EXPECT(len > 0);
    int rc = feed_all(peer, rec, len);
    return rc < 0 ? rc : lt_conn_handshake(peer);
}

static void expect_failed(const lt_conn *c, int rc, int err, int alert)
{
    EXPECT_EQ(rc, err);
    EXPECT_EQ(lt_conn_error(c, NULL), err);
    EXPECT_EQ(lt_conn_alert_sent(c), alert);
}

/* Server cases: the client's flight with the Certificate replaced by
 * `cert` (a whole message; NULL: dropped) and the CertificateVerify
 * passed through `cv_edit` (NULL: dropped; the Finished always follows). */
typedef void (*cv_edit_fn)(uint8_t *cv, size_t len);

static int to_server(int mode, const uint8_t *cert, size_t cert_len, int keep_cert, cv_edit_fn cv_edit, int keep_cv,
                     mt *m)
{
    static uint8_t out[16384];
    mt_start(m, LT_CLIENT_AUTH_REQUIRE, 1);
    if (mode != LT_CLIENT_AUTH_REQUIRE) {
        /* The flight was made against a requiring server; a second pair
         * with the server of `mode` takes it (its Finished is not reached). */
        static mt other;
        mt_start(&other, mode, 0);
        pair_free(&m->p);
        m->p = other.p;
        m->kl = other.kl;
    }
    size_t at_c = 0, at_v = 0, at_f = 0;
    size_t n_c = find_msg(m, LT_HS_CERTIFICATE, &at_c), n_v = find_msg(m, LT_HS_CERTIFICATE_VERIFY, &at_v);
    size_t n_f = find_msg(m, LT_HS_FINISHED, &at_f);
    EXPECT(n_c > 0 && n_v > 0 && n_f > 0);
    size_t len = 0;
    if (cert != NULL) {
        memcpy(out, cert, cert_len);
        len = cert_len;
    } else if (keep_cert) {
        memcpy(out, m->msgs + at_c, n_c);
        len = n_c;
    }
    if (keep_cv) {
        memcpy(out + len, m->msgs + at_v, n_v);
        if (cv_edit != NULL) {
            cv_edit(out + len, n_v);
        }
        len += n_v;
    }
    memcpy(out + len, m->msgs + at_f, n_f);
    len += n_f;
    return deliver(m, m->p.server, "CLIENT_HANDSHAKE_TRAFFIC_SECRET", out, len);
}

static void flip_signature(uint8_t *cv, size_t len)
{
    cv[len - 1] ^= 1;
}

static void scheme_sha1(uint8_t *cv, size_t len)
{
    (void)len;
    cv[4] = 0x02, cv[5] = 0x01; /* rsa_pkcs1_sha1: not in our CertificateRequest */
}

static void scheme_pkcs1(uint8_t *cv, size_t len)
{
    (void)len;
    cv[4] = 0x04, cv[5] = 0x01; /* rsa_pkcs1_sha256: listed for TLS 1.2, never for 1.3 CertificateVerify */
}

static void test_control_replayed_flight_is_accepted(void)
{
    mt m;
    /* Opened and sealed again unchanged: the server takes it (so every
     * case below fails on its change, not on the re-sealing). */
    EXPECT_EQ(to_server(LT_CLIENT_AUTH_REQUIRE, NULL, 0, 1, NULL, 1, &m), LT_OK);
    EXPECT_EQ(lt_conn_peer_cert_count(m.p.server), 2u);
    pair_free(&m.p);
}

static void test_certificate_verify_without_certificate(void)
{
    mt m;
    /* 4.4.3 follows a Certificate; the server waits for that. */
    int rc = to_server(LT_CLIENT_AUTH_REQUIRE, NULL, 0, 0, NULL, 1, &m);
    expect_failed(m.p.server, rc, LT_ERR_UNEXPECTED_MESSAGE, 10);
    pair_free(&m.p);
    /* Finished alone, without the Certificate asked for. */
    rc = to_server(LT_CLIENT_AUTH_REQUIRE, NULL, 0, 0, NULL, 0, &m);
    expect_failed(m.p.server, rc, LT_ERR_UNEXPECTED_MESSAGE, 10);
    pair_free(&m.p);
    /* A Certificate and then the Finished: no CertificateVerify. */
    rc = to_server(LT_CLIENT_AUTH_REQUIRE, NULL, 0, 1, NULL, 0, &m);
    expect_failed(m.p.server, rc, LT_ERR_UNEXPECTED_MESSAGE, 10);
    pair_free(&m.p);
}

static void test_certificate_not_requested(void)
{
    mt m;
    int rc = to_server(LT_CLIENT_AUTH_NONE, NULL, 0, 1, NULL, 1, &m);
    expect_failed(m.p.server, rc, LT_ERR_UNEXPECTED_MESSAGE, 10);
    pair_free(&m.p);
}

static void test_empty_certificate_when_required(void)
{
    mt m;
    /* context<0>, certificate_list<0>: 4.4.2.4 certificate_required. */
    static const uint8_t EMPTY[] = {LT_HS_CERTIFICATE, 0, 0, 4, 0, 0, 0, 0};
    int rc = to_server(LT_CLIENT_AUTH_REQUIRE, EMPTY, sizeof EMPTY, 0, NULL, 0, &m);
    expect_failed(m.p.server, rc, LT_ERR_CERTIFICATE_REQUIRED, 116);
    pair_free(&m.p);
}

static void test_malformed_certificates(void)
{
    static const struct {
        const char *what;
        uint8_t msg[24];
        size_t len;
        int err, alert;
    } CASES[] = {
        /* list length overruns the message */
        {"overrun", {LT_HS_CERTIFICATE, 0, 0, 7, 0, 0, 0x13, 0x88, 0, 0, 0}, 11, LT_ERR_DECODE, 50},
        /* an entry of 0 bytes, no extensions */
        {"empty entry", {LT_HS_CERTIFICATE, 0, 0, 9, 0, 0, 0, 5, 0, 0, 0, 0, 0}, 13, LT_ERR_DECODE, 50},
        /* trailing byte after the list */
        {"trailing", {LT_HS_CERTIFICATE, 0, 0, 5, 0, 0, 0, 0, 0xAA}, 9, LT_ERR_DECODE, 50},
        /* entry extensions overrun the entry */
        {"ext overrun", {LT_HS_CERTIFICATE, 0, 0, 10, 0, 0, 0, 6, 0, 0, 1, 0x30, 0, 9}, 14, LT_ERR_DECODE, 50},
        /* a certificate that is not DER: the message decodes; the
         * certificate is corrupt (6.2 bad_certificate). */
        {"not DER",
         {LT_HS_CERTIFICATE, 0, 0, 12, 0, 0, 0, 8, 0, 0, 3, 0x30, 0x82, 0x01, 0, 0},
         16,
         LT_ERR_BAD_CERTIFICATE,
         42},
    };
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) {
        mt m;
        int rc = to_server(LT_CLIENT_AUTH_REQUIRE, CASES[i].msg, CASES[i].len, 0, NULL, 0, &m);
        if (rc != CASES[i].err) {
            fprintf(stderr, "  case %s\n", CASES[i].what);
        }
        expect_failed(m.p.server, rc, CASES[i].err, CASES[i].alert);
        pair_free(&m.p);
    }
}

static void test_nonempty_context(void)
{
    mt m;
    mt_start(&m, LT_CLIENT_AUTH_REQUIRE, 1);
    size_t at = 0, n = find_msg(&m, LT_HS_CERTIFICATE, &at);
    EXPECT(n > 5 && m.msgs[at + 4] == 0);
    pair_free(&m.p);
    /* The client's own Certificate with a 1-byte context: 4.4.2 "the
     * value of certificate_request_context in that message" (ours was
     * empty), illegal_parameter. */
    static uint8_t cert[8192];
    size_t body = n - 4 + 1;
    cert[0] = LT_HS_CERTIFICATE, cert[1] = (uint8_t)(body >> 16), cert[2] = (uint8_t)(body >> 8);
    cert[3] = (uint8_t)body, cert[4] = 1, cert[5] = 0xAB;
    memcpy(cert + 6, m.msgs + at + 5, n - 5);
    int rc = to_server(LT_CLIENT_AUTH_REQUIRE, cert, n + 1, 0, NULL, 1, &m);
    expect_failed(m.p.server, rc, LT_ERR_ILLEGAL_PARAMETER, 47);
    pair_free(&m.p);
}

static void test_bad_certificate_verify(void)
{
    mt m;
    /* 4.4.3: "MUST terminate the handshake with a decrypt_error alert". */
    int rc = to_server(LT_CLIENT_AUTH_REQUIRE, NULL, 0, 1, flip_signature, 1, &m);
    expect_failed(m.p.server, rc, LT_ERR_DECRYPT_ERROR, 51);
    pair_free(&m.p);
    /* A scheme the CertificateRequest did not list, and rsa_pkcs1 (4.2.3:
     * never for a TLS 1.3 CertificateVerify): illegal_parameter. */
    rc = to_server(LT_CLIENT_AUTH_REQUIRE, NULL, 0, 1, scheme_sha1, 1, &m);
    expect_failed(m.p.server, rc, LT_ERR_ILLEGAL_PARAMETER, 47);
    pair_free(&m.p);
    rc = to_server(LT_CLIENT_AUTH_REQUIRE, NULL, 0, 1, scheme_pkcs1, 1, &m);
    expect_failed(m.p.server, rc, LT_ERR_ILLEGAL_PARAMETER, 47);
    pair_free(&m.p);
}

/* ---- client cases: the server's flight with its CertificateRequest changed ---- */

/* Delivers the server's flight to the client with the CertificateRequest
 * replaced by cr (whole messages, n bytes; may be two). */
static int to_client(const uint8_t *cr, size_t n, mt *m)
{
    static uint8_t out[16384];
    mt_start(m, LT_CLIENT_AUTH_REQUIRE, 0);
    size_t at = 0, len = find_msg(m, LT_HS_CERTIFICATE_REQUEST, &at);
    EXPECT(len > 0);
    memcpy(out, m->msgs, at);
    memcpy(out + at, cr, n);
    memcpy(out + at + n, m->msgs + at + len, m->msgs_len - at - len);
    return deliver(m, m->p.client, "SERVER_HANDSHAKE_TRAFFIC_SECRET", out, m->msgs_len - len + n);
}

static void test_client_bad_certificate_requests(void)
{
    /* 4.3.2: "The signature_algorithms extension MUST be specified";
     * 6.2 missing_extension. Here: only an unknown extension. */
    static const uint8_t NO_SIGALGS[] = {LT_HS_CERTIFICATE_REQUEST, 0, 0, 7, 0, 0, 4, 0x7a, 0x7a, 0, 0};
    /* context length overruns the message */
    static const uint8_t OVERRUN[] = {LT_HS_CERTIFICATE_REQUEST, 0, 0, 3, 9, 0, 0};
    /* extensions<2..2^16-1>: an empty block */
    static const uint8_t NO_EXTS[] = {LT_HS_CERTIFICATE_REQUEST, 0, 0, 3, 0, 0, 0};
    /* a certificate_authorities list with a 0-byte name (4.2.4) */
    static const uint8_t EMPTY_DN[] = {
        LT_HS_CERTIFICATE_REQUEST, 0, 0, 21, 0, 0, 18, 0, 13, 0, 4, 0, 2, 8, 4, 0, 47, 0, 6, 0, 4, 0, 0, 0, 0};
    /* 4.3.2: in the handshake the context "SHALL be zero length"; here
     * one byte, with signature_algorithms = {rsa_pss_rsae_sha256}. */
    static const uint8_t CONTEXT[] = {LT_HS_CERTIFICATE_REQUEST, 0, 0, 12, 1, 0xaa, 0, 8, 0, 13, 0, 4, 0, 2, 8, 4};
    static const struct {
        const char *what;
        const uint8_t *msg;
        size_t len;
        int err, alert;
    } CASES[] = {
        {"a context in the handshake", CONTEXT, sizeof CONTEXT, LT_ERR_ILLEGAL_PARAMETER, 47},
        {"no signature_algorithms", NO_SIGALGS, sizeof NO_SIGALGS, LT_ERR_MISSING_EXTENSION, 109},
        {"overrun", OVERRUN, sizeof OVERRUN, LT_ERR_DECODE, 50},
        {"no extensions", NO_EXTS, sizeof NO_EXTS, LT_ERR_DECODE, 50},
        {"empty CA name", EMPTY_DN, sizeof EMPTY_DN, LT_ERR_DECODE, 50},
    };
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) {
        mt m;
        int rc = to_client(CASES[i].msg, CASES[i].len, &m);
        if (rc != CASES[i].err) {
            fprintf(stderr, "  case %s\n", CASES[i].what);
        }
        expect_failed(m.p.client, rc, CASES[i].err, CASES[i].alert);
        pair_free(&m.p);
    }
    /* Two CertificateRequests: the second is unexpected_message. */
    mt m;
    mt_start(&m, LT_CLIENT_AUTH_REQUIRE, 0);
    size_t at = 0, len = find_msg(&m, LT_HS_CERTIFICATE_REQUEST, &at);
    static uint8_t two[4096];
    EXPECT(len > 0 && 2 * len <= sizeof two);
    memcpy(two, m.msgs + at, len);
    memcpy(two + len, m.msgs + at, len);
    pair_free(&m.p);
    int rc = to_client(two, 2 * len, &m);
    expect_failed(m.p.client, rc, LT_ERR_UNEXPECTED_MESSAGE, 10);
    pair_free(&m.p);
}

int main(void)
{
    LT_RUN(test_control_replayed_flight_is_accepted);
    LT_RUN(test_certificate_verify_without_certificate);
    LT_RUN(test_certificate_not_requested);
    LT_RUN(test_empty_certificate_when_required);
    LT_RUN(test_malformed_certificates);
    LT_RUN(test_nonempty_context);
    LT_RUN(test_bad_certificate_verify);
    LT_RUN(test_client_bad_certificate_requests);
    return lt_test_summary();
}
