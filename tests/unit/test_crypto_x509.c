/*
 * Chain verification and the certificate report: the demo PKI, hostnames and
 * IP literals, unknown CAs, expiry, purpose, bad signatures, malformed DER,
 * and the priority between failures. Certificates for the failure cases are
 * built here with libcrypto directly (EC P-256 keys, for speed).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "crypto/crypto.h"
#include "test.h"

static lt_demo_pki pki;
static lt_chain chain;

/* ---- Certificates built by the test ---- */

static EVP_PKEY *ec_key(void)
{
    return EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
}

static void ext(X509 *issuer, X509 *x, int nid, const char *v)
{
    X509V3_CTX v3;
    X509_EXTENSION *e;
    X509V3_set_ctx(&v3, issuer, x, NULL, NULL, 0);
    e = X509V3_EXT_conf_nid(NULL, &v3, nid, v);
    EXPECT(e != NULL);
    if (e != NULL) {
        X509_add_ext(x, e, -1);
        X509_EXTENSION_free(e);
    }
}

/* A certificate for key, named cn, signed by (issuer, issuer_key) or self-
 * signed when issuer is NULL, valid from now+nb to now+na seconds. */
static X509 *make_cert(EVP_PKEY *key, const char *cn, X509 *issuer, EVP_PKEY *issuer_key, long nb, long na,
                       const char *san, const char *eku)
{
    static long serial = 100;
    X509 *x = X509_new();
    X509_set_version(x, X509_VERSION_3);
    ASN1_INTEGER_set(X509_get_serialNumber(x), serial++);
    X509_gmtime_adj(X509_getm_notBefore(x), nb);
    X509_gmtime_adj(X509_getm_notAfter(x), na);
    X509_set_pubkey(x, key);
    X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_UTF8, (const unsigned char *)cn, -1, -1, 0);
    X509_set_issuer_name(x, issuer != NULL ? X509_get_subject_name(issuer) : X509_get_subject_name(x));
    if (issuer == NULL) {
        ext(x, x, NID_basic_constraints, "critical,CA:TRUE");
        ext(x, x, NID_key_usage, "critical,keyCertSign");
    } else {
        ext(issuer, x, NID_basic_constraints, "CA:FALSE");
        if (san != NULL) {
            ext(issuer, x, NID_subject_alt_name, san);
        }
        ext(issuer, x, NID_ext_key_usage, eku != NULL ? eku : "serverAuth");
    }
    EXPECT(X509_sign(x, issuer_key, EVP_sha256()) > 0);
    return x;
}

static size_t der_of(X509 *x, uint8_t **out)
{
    int n;
    *out = NULL;
    n = i2d_X509(x, out);
    EXPECT(n > 0);
    return n > 0 ? (size_t)n : 0;
}

static lt_trust *trust_of(X509 *ca)
{
    lt_trust *t = lt_trust_new();
    BIO *bio = BIO_new(BIO_s_mem());
    char *p = NULL;
    long n;
    PEM_write_bio_X509(bio, ca);
    n = BIO_get_mem_data(bio, &p);
    EXPECT_EQ(lt_trust_add_pem(t, p, (size_t)n), LT_OK);
    BIO_free(bio);
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
    len[0] = der_of(leaf, &der[0]);
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
    EVP_PKEY *ca_key = ec_key(), *key = ec_key();
    X509 *ca = make_cert(ca_key, "Test CA", NULL, ca_key, -86400 * 10, 86400 * 10, NULL, NULL);
    X509 *old = make_cert(key, "old.test", ca, ca_key, -86400 * 3, -86400, "DNS:old.test", NULL);
    X509 *young = make_cert(key, "young.test", ca, ca_key, 86400, 86400 * 3, "DNS:young.test", NULL);
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
        EVP_PKEY *k2 = ec_key();
        X509 *ca2 = make_cert(k2, "Other CA", NULL, k2, -100, 86400, NULL, NULL);
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
    EVP_PKEY *ca_key = ec_key(), *key = ec_key(), *evil = ec_key();
    X509 *ca = make_cert(ca_key, "Test CA", NULL, ca_key, -3600, 86400, NULL, NULL);
    X509 *client = make_cert(key, "c.test", ca, ca_key, -3600, 86400, "DNS:c.test", "clientAuth");
    /* Claims the CA as issuer, signed by another key. */
    X509 *forged = make_cert(key, "f.test", ca, evil, -3600, 86400, "DNS:f.test", NULL);
    X509 *wild = make_cert(key, "w.test", ca, ca_key, -3600, 86400, "DNS:*.example.com", NULL);
    X509 *partial = make_cert(key, "p.test", ca, ca_key, -3600, 86400, "DNS:f*.example.com", NULL);
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
        EVP_PKEY *ck = ec_key(), *lk = ec_key();
        X509 *oca = make_cert(ck, "Other CA", NULL, ck, -60, 3600, NULL, NULL);
        X509 *oleaf = make_cert(lk, "localhost", oca, ck, -60, 3600, "DNS:localhost", NULL);
        uint8_t *der[2];
        size_t len[2];
        len[0] = der_of(oleaf, &der[0]);
        len[1] = der_of(oca, &der[1]);
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
    EVP_PKEY *ca_key = ec_key(), *leaf_key = ec_key();
    X509 *ca = make_cert(ca_key, "Test CA", NULL, ca_key, -60, 3600, NULL, NULL);
    X509 *leaf =
        make_cert(leaf_key, "evil\x1b[31m\r\nclient 1: ok", ca, ca_key, -60, 3600, "DNS:a\x1b[2J.example", NULL);
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
