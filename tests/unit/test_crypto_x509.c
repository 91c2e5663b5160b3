/*
 * Chain verification and the certificate report: the demo PKI, hostnames and
 * IP literals, unknown CAs, expiry, purpose, bad signatures, malformed DER,
 * and the priority between failures. Certificates for the failure cases are
 * built here with libcrypto directly (EC P-256 keys, for speed).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "certs.h"
#include "crypto/crypto.h"
#include "lucidtls/lucidtls_demo.h"
#include "test.h"

static lt_demo_pki pki;
static lt_chain chain;

/* ---- Certificates built by the test (certs.h) ---- */

static lt_trust *trust_of(X509 *ca)
{
    lt_trust *t = lt_trust_new();
    char *pem = tc_pem_of_certs(&ca, 1);
    EXPECT_EQ(lt_trust_add_pem(t, pem, strlen(pem)), LT_OK);
    free(pem);
    return t;
}

/* Verify [leaf] (and optionally [leaf, inter]) against ca. */
static int verify_built(X509 *ca, X509 *leaf, const char *host, lt_cert_report *rep)
{
    lt_trust *t = trust_of(ca);
    uint8_t *der[1];
    size_t len[1];
    lt_pkey *pub = NULL;
    int rc;
    len[0] = tc_der_of(leaf, &der[0]);
    rc = lt_verify_chain(t, (const uint8_t *const *)der, len, 1, host, LT_SECLEVEL_DEFAULT, rep, &pub);
    EXPECT((rc == LT_OK) == (pub != NULL));
    lt_pkey_free(pub);
    OPENSSL_free(der[0]);
    lt_trust_free(t);
    return rc;
}

/* ---- Demo PKI ---- */

static int verify_demo(const char *ca_pem, const char *host, lt_cert_report *rep, lt_pkey **pub)
{
    lt_trust *t = lt_trust_new();
    int rc;
    EXPECT_EQ(lt_trust_add_pem(t, ca_pem, strlen(ca_pem)), LT_OK);
    rc = lt_verify_chain(t, (const uint8_t *const *)chain.der, chain.len, chain.n, host, LT_SECLEVEL_DEFAULT, rep, pub);
    lt_trust_free(t);
    return rc;
}

static void test_demo_ok(void)
{
    static const char *hosts[] = {"localhost", "127.0.0.1", "::1", "LOCALHOST"};
    size_t i;
    for (i = 0; i < sizeof(hosts) / sizeof(hosts[0]); i++) {
        lt_cert_report rep;
        lt_pkey *pub = NULL;
        int rc = verify_demo(pki.ca_pem, hosts[i], &rep, &pub);
        EXPECT_EQ(rc, LT_OK);
        if (rc != LT_OK) {
            fprintf(stderr, "  host %s: %s\n", hosts[i], rep.detail);
        }
        EXPECT(pub != NULL && lt_pkey_is_rsa(pub));
        EXPECT(rep.chain_ok && rep.time_ok && rep.host_ok && rep.host_checked);
        EXPECT_EQ(rep.chain_len, 2);
        EXPECT(strstr(rep.subject, "CN=localhost") != NULL);
        EXPECT(strstr(rep.issuer, "CN=lucidtls demo CA") != NULL);
        EXPECT(strstr(rep.anchor, "CN=lucidtls demo CA") != NULL);
        EXPECT(strcmp(rep.names, "localhost, 127.0.0.1, ::1") == 0);
        EXPECT(strstr(rep.not_after, "GMT") != NULL);
        EXPECT(rep.not_before[0] != '\0');
        EXPECT(rep.detail[0] == '\0');
        lt_pkey_free(pub);
    }
}

static void test_demo_no_hostname(void)
{
    lt_cert_report rep;
    lt_pkey *pub = NULL;
    EXPECT_EQ(verify_demo(pki.ca_pem, NULL, &rep, &pub), LT_OK);
    EXPECT(rep.host_ok && !rep.host_checked);
    lt_pkey_free(pub);
}

static void test_hostname_mismatch(void)
{
    lt_cert_report rep;
    lt_pkey *pub = NULL;
    EXPECT_EQ(verify_demo(pki.ca_pem, "example.com", &rep, &pub), LT_ERR_HOSTNAME_MISMATCH);
    EXPECT(pub == NULL);
    EXPECT(rep.chain_ok && rep.time_ok && !rep.host_ok);
    EXPECT(strstr(rep.detail, "example.com") != NULL);
    EXPECT(strstr(rep.detail, "localhost, 127.0.0.1") != NULL);
    printf("  detail: %s\n", rep.detail);

    EXPECT_EQ(verify_demo(pki.ca_pem, "10.0.0.1", &rep, &pub), LT_ERR_HOSTNAME_MISMATCH);
    EXPECT(strstr(rep.detail, "10.0.0.1") != NULL);
    /* A suffix is not a match. */
    EXPECT_EQ(verify_demo(pki.ca_pem, "host", &rep, &pub), LT_ERR_HOSTNAME_MISMATCH);
    EXPECT_EQ(verify_demo(pki.ca_pem, "xlocalhost", &rep, &pub), LT_ERR_HOSTNAME_MISMATCH);
}

static void test_unknown_ca(void)
{
    lt_demo_pki other;
    lt_cert_report rep;
    lt_pkey *pub = NULL;
    EXPECT_EQ(lt_demo_pki_make(&other, "localhost"), LT_OK);
    EXPECT_EQ(verify_demo(other.ca_pem, "localhost", &rep, &pub), LT_ERR_UNKNOWN_CA);
    EXPECT(pub == NULL);
    EXPECT(!rep.chain_ok);
    EXPECT(rep.anchor[0] == '\0');
    EXPECT(strstr(rep.detail, "unknown CA") != NULL);
    EXPECT(strstr(rep.detail, "CN=lucidtls demo CA") != NULL);
    printf("  detail: %s\n", rep.detail);
    /* Unknown CA outranks a hostname mismatch. */
    EXPECT_EQ(verify_demo(other.ca_pem, "example.com", &rep, &pub), LT_ERR_UNKNOWN_CA);
    EXPECT(!rep.host_ok);

    /* An empty trust store: also unknown CA. */
    {
        lt_trust *t = lt_trust_new();
        EXPECT_EQ(lt_verify_chain(t, (const uint8_t *const *)chain.der, chain.len, chain.n, "localhost",
                                  LT_SECLEVEL_DEFAULT, &rep, &pub),
                  LT_ERR_UNKNOWN_CA);
        lt_trust_free(t);
    }
    /* The leaf alone, trusting the right CA, still verifies (the CA need
     * not be sent). */
    {
        lt_trust *t = lt_trust_new();
        EXPECT_EQ(lt_trust_add_pem(t, pki.ca_pem, strlen(pki.ca_pem)), LT_OK);
        EXPECT_EQ(lt_verify_chain(t, (const uint8_t *const *)chain.der, chain.len, 1, "localhost", LT_SECLEVEL_DEFAULT,
                                  &rep, &pub),
                  LT_OK);
        lt_pkey_free(pub);
        pub = NULL;
        lt_trust_free(t);
    }
    lt_demo_pki_free(&other);
}

static void test_expired(void)
{
    EVP_PKEY *ca_key = tc_ec_key("P-256"), *key = tc_ec_key("P-256");
    X509 *ca = tc_make_cert(
        ca_key,
        &(tc_cert_opts){
            .cn = "Test CA", .is_ca = 1, .issuer_key = ca_key, .not_before = -86400 * 10, .not_after = 86400 * 10});
    X509 *old = tc_make_cert(key, &(tc_cert_opts){.cn = "old.test",
                                                  .issuer = ca,
                                                  .issuer_key = ca_key,
                                                  .not_before = -86400 * 3,
                                                  .not_after = -86400,
                                                  .san = "DNS:old.test"});
    X509 *young = tc_make_cert(key, &(tc_cert_opts){.cn = "young.test",
                                                    .issuer = ca,
                                                    .issuer_key = ca_key,
                                                    .not_before = 86400,
                                                    .not_after = 86400 * 3,
                                                    .san = "DNS:young.test"});
    lt_cert_report rep;

    EXPECT_EQ(verify_built(ca, old, "old.test", &rep), LT_ERR_CERTIFICATE_EXPIRED);
    EXPECT(rep.chain_ok && !rep.time_ok && rep.host_ok);
    EXPECT(strstr(rep.detail, "certificate expired (not after: ") != NULL);
    EXPECT(strstr(rep.detail, rep.not_after) != NULL);
    printf("  detail: %s\n", rep.detail);
    /* Expiry outranks a hostname mismatch. */
    EXPECT_EQ(verify_built(ca, old, "example.com", &rep), LT_ERR_CERTIFICATE_EXPIRED);
    EXPECT(!rep.host_ok);

    EXPECT_EQ(verify_built(ca, young, "young.test", &rep), LT_ERR_CERTIFICATE_EXPIRED);
    EXPECT(strstr(rep.detail, "not yet valid") != NULL);

    /* An unknown CA outranks expiry. */
    {
        EVP_PKEY *k2 = tc_ec_key("P-256");
        X509 *ca2 = tc_make_cert(
            k2,
            &(tc_cert_opts){.cn = "Other CA", .is_ca = 1, .issuer_key = k2, .not_before = -100, .not_after = 86400});
        EXPECT_EQ(verify_built(ca2, old, "old.test", &rep), LT_ERR_UNKNOWN_CA);
        X509_free(ca2);
        EVP_PKEY_free(k2);
    }
    X509_free(ca);
    X509_free(old);
    X509_free(young);
    EVP_PKEY_free(ca_key);
    EVP_PKEY_free(key);
}

static void test_purpose_signature_wildcards(void)
{
    EVP_PKEY *ca_key = tc_ec_key("P-256"), *key = tc_ec_key("P-256"), *evil = tc_ec_key("P-256");
    X509 *ca = tc_make_cert(
        ca_key,
        &(tc_cert_opts){.cn = "Test CA", .is_ca = 1, .issuer_key = ca_key, .not_before = -3600, .not_after = 86400});
    X509 *client = tc_make_cert(key, &(tc_cert_opts){.cn = "c.test",
                                                     .issuer = ca,
                                                     .issuer_key = ca_key,
                                                     .not_before = -3600,
                                                     .not_after = 86400,
                                                     .san = "DNS:c.test",
                                                     .eku = "clientAuth"});
    /* Claims the CA as issuer, signed by another key. */
    X509 *forged = tc_make_cert(key, &(tc_cert_opts){.cn = "f.test",
                                                     .issuer = ca,
                                                     .issuer_key = evil,
                                                     .not_before = -3600,
                                                     .not_after = 86400,
                                                     .san = "DNS:f.test"});
    X509 *wild = tc_make_cert(key, &(tc_cert_opts){.cn = "w.test",
                                                   .issuer = ca,
                                                   .issuer_key = ca_key,
                                                   .not_before = -3600,
                                                   .not_after = 86400,
                                                   .san = "DNS:*.example.com"});
    X509 *partial = tc_make_cert(key, &(tc_cert_opts){.cn = "p.test",
                                                      .issuer = ca,
                                                      .issuer_key = ca_key,
                                                      .not_before = -3600,
                                                      .not_after = 86400,
                                                      .san = "DNS:f*.example.com"});
    lt_cert_report rep;

    EXPECT_EQ(verify_built(ca, client, "c.test", &rep), LT_ERR_UNSUPPORTED_CERTIFICATE);
    EXPECT(strstr(rep.detail, "TLS server") != NULL);
    EXPECT_EQ(verify_built(ca, forged, "f.test", &rep), LT_ERR_BAD_CERTIFICATE);
    EXPECT(!rep.chain_ok);
    EXPECT(strstr(rep.detail, "signature") != NULL);
    printf("  detail: %s\n", rep.detail);

    EXPECT_EQ(verify_built(ca, wild, "www.example.com", &rep), LT_OK);
    EXPECT_EQ(verify_built(ca, wild, "a.b.example.com", &rep), LT_ERR_HOSTNAME_MISMATCH);
    EXPECT_EQ(verify_built(ca, wild, "example.com", &rep), LT_ERR_HOSTNAME_MISMATCH);
    EXPECT_EQ(verify_built(ca, partial, "foo.example.com", &rep), LT_ERR_HOSTNAME_MISMATCH);

    X509_free(ca);
    X509_free(client);
    X509_free(forged);
    X509_free(wild);
    X509_free(partial);
    EVP_PKEY_free(ca_key);
    EVP_PKEY_free(key);
    EVP_PKEY_free(evil);
}

static void test_garbage_der(void)
{
    lt_trust *t = lt_trust_new();
    lt_cert_report rep;
    lt_pkey *pub = NULL;
    uint8_t junk[64];
    const uint8_t *der[2];
    size_t len[2];
    uint8_t *padded;

    memset(junk, 0x30, sizeof(junk));
    EXPECT_EQ(lt_trust_add_pem(t, pki.ca_pem, strlen(pki.ca_pem)), LT_OK);
    der[0] = junk;
    len[0] = sizeof(junk);
    EXPECT_EQ(lt_verify_chain(t, der, len, 1, "localhost", LT_SECLEVEL_DEFAULT, &rep, &pub), LT_ERR_BAD_CERTIFICATE);
    EXPECT(strstr(rep.detail, "could not be parsed") != NULL);
    EXPECT(pub == NULL);

    /* A good leaf and a garbage second certificate. */
    der[0] = chain.der[0];
    len[0] = chain.len[0];
    der[1] = junk;
    len[1] = 3;
    EXPECT_EQ(lt_verify_chain(t, der, len, 2, "localhost", LT_SECLEVEL_DEFAULT, &rep, &pub), LT_ERR_BAD_CERTIFICATE);
    EXPECT(strstr(rep.detail, "certificate 2 of 2") != NULL);

    /* Trailing bytes after a valid certificate. */
    padded = malloc(chain.len[0] + 1);
    memcpy(padded, chain.der[0], chain.len[0]);
    padded[chain.len[0]] = 0;
    der[0] = padded;
    len[0] = chain.len[0] + 1;
    EXPECT_EQ(lt_verify_chain(t, der, len, 1, "localhost", LT_SECLEVEL_DEFAULT, &rep, &pub), LT_ERR_BAD_CERTIFICATE);
    free(padded);

    /* No certificate at all. */
    EXPECT_EQ(lt_verify_chain(t, NULL, NULL, 0, "localhost", LT_SECLEVEL_DEFAULT, &rep, &pub), LT_ERR_BAD_CERTIFICATE);
    lt_trust_free(t);
}

static void test_trust_sources(void)
{
    lt_trust *t = lt_trust_new();
    EXPECT_EQ(lt_trust_add_file(t, "/nonexistent/ca.pem"), LT_ERR_CONFIG);
    EXPECT_EQ(lt_trust_add_pem(t, "not pem", 7), LT_ERR_CONFIG);
    EXPECT_EQ(lt_trust_add_system(t), LT_OK);
    lt_trust_free(t);
    lt_trust_free(NULL);
}

/* The parsed-certificate cache in lt_trust saves parsing only: a cached
 * chain is still checked in full every time, and many distinct
 * certificates evict cleanly. */
static void test_cache_never_skips_checks(void)
{
    lt_trust *t = lt_trust_new();
    lt_cert_report rep;
    lt_pkey *pub = NULL;
    EXPECT_EQ(lt_trust_add_pem(t, pki.ca_pem, strlen(pki.ca_pem)), LT_OK);
    for (int round = 0; round < 3; round++) {
        EXPECT_EQ(lt_verify_chain(t, (const uint8_t *const *)chain.der, chain.len, chain.n, "localhost",
                                  LT_SECLEVEL_DEFAULT, &rep, &pub),
                  LT_OK);
        lt_pkey_free(pub);
        pub = NULL;
        EXPECT_EQ(lt_verify_chain(t, (const uint8_t *const *)chain.der, chain.len, chain.n, "example.com",
                                  LT_SECLEVEL_DEFAULT, &rep, &pub),
                  LT_ERR_HOSTNAME_MISMATCH);
        EXPECT(pub == NULL);
    }
    /* The same leaf without its CA in the list still chains to the anchor. */
    EXPECT_EQ(lt_verify_chain(t, (const uint8_t *const *)chain.der, chain.len, 1, "localhost", LT_SECLEVEL_DEFAULT,
                              &rep, &pub),
              LT_OK);
    lt_pkey_free(pub);
    pub = NULL;
    /* A truncated copy of a cached certificate is not served from the cache. */
    EXPECT_EQ(lt_verify_chain(t, (const uint8_t *const *)chain.der, (size_t[]){chain.len[0] - 1}, 1, "localhost",
                              LT_SECLEVEL_DEFAULT, &rep, &pub),
              LT_ERR_BAD_CERTIFICATE);
    /* Ten more distinct chains (each its own CA, untrusted here): eviction.
     * EC keys: RSA key generation would be most of this test's time under
     * valgrind, and the cache does not care about the key type. */
    for (int i = 0; i < 10; i++) {
        EVP_PKEY *ck = tc_ec_key("P-256"), *lk = tc_ec_key("P-256");
        X509 *oca = tc_make_cert(
            ck, &(tc_cert_opts){.cn = "Other CA", .is_ca = 1, .issuer_key = ck, .not_before = -60, .not_after = 3600});
        X509 *oleaf = tc_make_cert(lk, &(tc_cert_opts){.cn = "localhost",
                                                       .issuer = oca,
                                                       .issuer_key = ck,
                                                       .not_before = -60,
                                                       .not_after = 3600,
                                                       .san = "DNS:localhost"});
        uint8_t *der[2];
        size_t len[2];
        len[0] = tc_der_of(oleaf, &der[0]);
        len[1] = tc_der_of(oca, &der[1]);
        EXPECT_EQ(lt_verify_chain(t, (const uint8_t *const *)der, len, 2, "localhost", LT_SECLEVEL_DEFAULT, &rep, &pub),
                  LT_ERR_UNKNOWN_CA);
        OPENSSL_free(der[0]);
        OPENSSL_free(der[1]);
        X509_free(oleaf);
        X509_free(oca);
        EVP_PKEY_free(lk);
        EVP_PKEY_free(ck);
    }
    EXPECT_EQ(lt_verify_chain(t, (const uint8_t *const *)chain.der, chain.len, chain.n, "localhost",
                              LT_SECLEVEL_DEFAULT, &rep, &pub),
              LT_OK);
    lt_pkey_free(pub);
    lt_trust_free(t);
}

static int all_printable(const char *s)
{
    for (; *s != '\0'; s++) {
        if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e) {
            return 0;
        }
    }
    return 1;
}

/* Names in the peer's certificate reach the report (and so the trace and the
 * error detail) only through lt_escape_peer_text: no ESC, CR or LF. */
static void test_peer_names_are_escaped(void)
{
    EVP_PKEY *ca_key = tc_ec_key("P-256"), *leaf_key = tc_ec_key("P-256");
    X509 *ca = tc_make_cert(
        ca_key,
        &(tc_cert_opts){.cn = "Test CA", .is_ca = 1, .issuer_key = ca_key, .not_before = -60, .not_after = 3600});
    X509 *leaf = tc_make_cert(leaf_key, &(tc_cert_opts){.cn = "evil\x1b[31m\r\nclient 1: ok",
                                                        .issuer = ca,
                                                        .issuer_key = ca_key,
                                                        .not_before = -60,
                                                        .not_after = 3600,
                                                        .san = "DNS:a\x1b[2J.example"});
    lt_cert_report rep;
    EXPECT_EQ(verify_built(ca, leaf, "localhost", &rep), LT_ERR_HOSTNAME_MISMATCH);
    EXPECT(all_printable(rep.subject) && all_printable(rep.names) && all_printable(rep.detail));
    EXPECT(strstr(rep.subject, "evil\\x1b[31m\\x0d\\x0aclient 1: ok") != NULL);
    EXPECT(strstr(rep.names, "a\\x1b[2J.example") != NULL);
    EXPECT(strstr(rep.detail, "\\x1b") != NULL);
    X509_free(leaf);
    X509_free(ca);
    EVP_PKEY_free(leaf_key);
    EVP_PKEY_free(ca_key);
}

int main(void)
{
    EXPECT_EQ(lt_demo_pki_make(&pki, "localhost"), LT_OK);
    EXPECT_EQ(lt_chain_from_pem(pki.chain_pem, strlen(pki.chain_pem), &chain), LT_OK);
    LT_RUN(test_demo_ok);
    LT_RUN(test_demo_no_hostname);
    LT_RUN(test_hostname_mismatch);
    LT_RUN(test_unknown_ca);
    LT_RUN(test_expired);
    LT_RUN(test_purpose_signature_wildcards);
    LT_RUN(test_garbage_der);
    LT_RUN(test_trust_sources);
    LT_RUN(test_cache_never_skips_checks);
    LT_RUN(test_peer_names_are_escaped);
    lt_chain_clear(&chain);
    lt_demo_pki_free(&pki);
    return lt_test_summary();
}
