/*
 * The security level and the keyUsage rule for the server's certificate:
 * weak keys (RSA-1024, EC P-192, secp160r1) and weak signatures (SHA-1, MD5)
 * anywhere in the chain, the exemption of the trust anchor's own
 * self-signature, the levels 0..5, and keyEncipherment for RSA key
 * transport. Every certificate and key is made here with libcrypto at test
 * time (nothing is checked in).
 *
 * Two layers: lt_verify_chain (error code, alert, exact detail) and whole
 * in-memory handshakes through lt_config_set_security_level (the error, the
 * alert both sides see, the detail).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "certs.h"
#include "conn/conn.h"
#include "crypto/crypto.h"
#include "pair.h"
#include "test.h"

/* ---- Keys and certificates (certs.h) ---- */

/* This file's certificate profile: valid -1 h .. +1 day, a CA with keyUsage
 * keyCertSign and cRLSign, a leaf with localhost/127.0.0.1 SANs, serverAuth,
 * and keyUsage ku when ku is not NULL; signed with md by (issuer,
 * issuer_key), or self-signed when issuer is NULL. */
static X509 *make_cert(EVP_PKEY *key, const char *cn, int is_ca, X509 *issuer, EVP_PKEY *issuer_key, const EVP_MD *md,
                       const char *ku)
{
    return tc_make_cert(key, &(tc_cert_opts){.cn = cn,
                                             .is_ca = is_ca,
                                             .issuer = issuer,
                                             .issuer_key = issuer_key,
                                             .md = md,
                                             .san = is_ca ? NULL : "DNS:localhost,IP:127.0.0.1",
                                             .key_usage = is_ca ? "critical,keyCertSign,cRLSign" : ku});
}

/* The PKI the tests share: made once in main(). */
static EVP_PKEY *k_ca;      /* RSA-2048: the root CA */
static EVP_PKEY *k_rsa2048; /* every RSA-2048 leaf */
static EVP_PKEY *k_rsa1024; /* the weak leaf and the weak CA */
static X509 *ca;            /* "Test Root", self-signed with SHA-256 */

/* Verify [leaf] or [leaf, inter] against anchor at a level; the report is
 * filled, and the public key is freed here. */
static int verify_at(X509 *anchor, X509 *leaf, X509 *inter, int level, lt_cert_report *rep)
{
    lt_trust *t = lt_trust_new();
    char *anchor_pem = tc_pem_of_certs(&anchor, 1);
    EXPECT_EQ(lt_trust_add_pem(t, anchor_pem, strlen(anchor_pem)), LT_OK);
    free(anchor_pem);
    uint8_t *der[2] = {NULL, NULL};
    size_t len[2] = {0, 0};
    size_t n = inter != NULL ? 2 : 1;
    len[0] = tc_der_of(leaf, &der[0]);
    if (inter != NULL) {
        len[1] = tc_der_of(inter, &der[1]);
    }
    lt_pkey *pub = NULL;
    int rc = lt_verify_chain(t, (const uint8_t *const *)der, len, n, "localhost", level, rep, &pub);
    EXPECT((rc == LT_OK) == (pub != NULL));
    lt_pkey_free(pub);
    OPENSSL_free(der[0]);
    OPENSSL_free(der[1]);
    lt_trust_free(t);
    return rc;
}

/* The exact error, its alert and its detail. */
static void expect_fail(int rc, const lt_cert_report *rep, int want_rc, int want_alert, const char *want_detail)
{
    EXPECT_EQ(rc, want_rc);
    EXPECT_EQ(lt_err_to_alert(rc), want_alert);
    if (strcmp(rep->detail, want_detail) != 0) {
        fprintf(stderr, "  detail: '%s'\n  wanted: '%s'\n", rep->detail, want_detail);
        EXPECT(strcmp(rep->detail, want_detail) == 0);
    } else {
        printf("  detail: %s\n", rep->detail);
    }
}

/* ---- Keys ---- */

static void test_rsa1024_leaf(void)
{
    X509 *leaf = make_cert(k_rsa1024, "rsa1024.test", 0, ca, k_ca, EVP_sha256(), NULL);
    lt_cert_report rep;
    int rc = verify_at(ca, leaf, NULL, LT_SECLEVEL_DEFAULT, &rep);
    expect_fail(rc, &rep, LT_ERR_INSUFFICIENT_SECURITY, LT_ALERT_INSUFFICIENT_SECURITY,
                "server key is RSA-1024; the minimum at security level 2 is 2048");
    EXPECT(rep.chain_ok && rep.time_ok && rep.host_ok && !rep.strength_ok);
    EXPECT_EQ(rep.security_level, 2);
    EXPECT(strcmp(rep.key, "RSA-1024") == 0);
    /* Level 1 (80 bits) takes RSA-1024; level 0 takes anything. */
    EXPECT_EQ(verify_at(ca, leaf, NULL, 1, &rep), LT_OK);
    EXPECT(rep.strength_ok);
    EXPECT_EQ(verify_at(ca, leaf, NULL, 0, &rep), LT_OK);
    X509_free(leaf);
}

static void test_rsa2048_leaf_and_level3(void)
{
    X509 *leaf = make_cert(k_rsa2048, "rsa2048.test", 0, ca, k_ca, EVP_sha256(), NULL);
    lt_cert_report rep;
    EXPECT_EQ(verify_at(ca, leaf, NULL, 2, &rep), LT_OK);
    EXPECT(rep.strength_ok);
    EXPECT(strcmp(rep.key, "RSA-2048") == 0);
    EXPECT_EQ(verify_at(ca, leaf, NULL, 0, &rep), LT_OK);
    /* Level 3 (128 bits) wants RSA-3072: the leaf is reported first. */
    int rc = verify_at(ca, leaf, NULL, 3, &rep);
    expect_fail(rc, &rep, LT_ERR_INSUFFICIENT_SECURITY, LT_ALERT_INSUFFICIENT_SECURITY,
                "server key is RSA-2048; the minimum at security level 3 is 3072");
    X509_free(leaf);
}

static void test_ec_leaves(void)
{
    lt_cert_report rep;
    EVP_PKEY *p256 = tc_ec_key("P-256");
    EXPECT(p256 != NULL);
    X509 *leaf = make_cert(p256, "p256.test", 0, ca, k_ca, EVP_sha256(), NULL);
    EXPECT_EQ(verify_at(ca, leaf, NULL, 2, &rep), LT_OK);
    EXPECT(strcmp(rep.key, "EC P-256") == 0);
    X509_free(leaf);

    /* An all-P-256 chain meets level 3, where RSA-2048 does not. */
    EVP_PKEY *p256_ca = tc_ec_key("P-256");
    X509 *ec_ca = make_cert(p256_ca, "EC Root", 1, NULL, p256_ca, EVP_sha256(), NULL);
    leaf = make_cert(p256, "p256.test", 0, ec_ca, p256_ca, EVP_sha256(), NULL);
    EXPECT_EQ(verify_at(ec_ca, leaf, NULL, 3, &rep), LT_OK);
    /* ... but not level 4 (192 bits: EC >= 384). */
    int rc = verify_at(ec_ca, leaf, NULL, 4, &rep);
    expect_fail(rc, &rep, LT_ERR_INSUFFICIENT_SECURITY, LT_ALERT_INSUFFICIENT_SECURITY,
                "server key is EC P-256; the minimum at security level 4 is 384");
    X509_free(leaf);
    X509_free(ec_ca);
    EVP_PKEY_free(p256_ca);
    EVP_PKEY_free(p256);

    /* P-192 (96 bits): level 1 yes, level 2 no. */
    EVP_PKEY *p192 = tc_ec_key("P-192");
    if (p192 == NULL) {
        printf("  note: P-192 is not available in this libcrypto; skipped\n");
    } else {
        leaf = make_cert(p192, "p192.test", 0, ca, k_ca, EVP_sha256(), NULL);
        rc = verify_at(ca, leaf, NULL, 2, &rep);
        expect_fail(rc, &rep, LT_ERR_INSUFFICIENT_SECURITY, LT_ALERT_INSUFFICIENT_SECURITY,
                    "server key is EC P-192; the minimum at security level 2 is 224");
        EXPECT_EQ(verify_at(ca, leaf, NULL, 1, &rep), LT_OK);
        X509_free(leaf);
        EVP_PKEY_free(p192);
    }

    /* secp160r1 (80 bits): exactly level 1. */
    EVP_PKEY *p160 = tc_ec_key("secp160r1");
    if (p160 == NULL) {
        printf("  note: secp160r1 is not available in this libcrypto; skipped\n");
    } else {
        leaf = make_cert(p160, "p160.test", 0, ca, k_ca, EVP_sha256(), NULL);
        rc = verify_at(ca, leaf, NULL, 2, &rep);
        expect_fail(rc, &rep, LT_ERR_INSUFFICIENT_SECURITY, LT_ALERT_INSUFFICIENT_SECURITY,
                    "server key is EC secp160r1; the minimum at security level 2 is 224");
        EXPECT_EQ(verify_at(ca, leaf, NULL, 1, &rep), LT_OK);
        X509_free(leaf);
        EVP_PKEY_free(p160);
    }
}

/* A weak CA key counts too, named by its certificate and depth. */
static void test_weak_ca_key(void)
{
    X509 *weak_ca = make_cert(k_rsa1024, "Weak Intermediate", 1, ca, k_ca, EVP_sha256(), NULL);
    X509 *leaf = make_cert(k_rsa2048, "leaf.test", 0, weak_ca, k_rsa1024, EVP_sha256(), NULL);
    lt_cert_report rep;
    int rc = verify_at(ca, leaf, weak_ca, 2, &rep);
    expect_fail(rc, &rep, LT_ERR_INSUFFICIENT_SECURITY, LT_ALERT_INSUFFICIENT_SECURITY,
                "CA key of certificate 'CN=Weak Intermediate' (depth 1) is RSA-1024; the minimum at security level 2 "
                "is 2048");
    EXPECT_EQ(verify_at(ca, leaf, weak_ca, 1, &rep), LT_OK);

    /* And the trust anchor's own key. */
    X509 *weak_root = make_cert(k_rsa1024, "Weak Root", 1, NULL, k_rsa1024, EVP_sha256(), NULL);
    X509 *leaf2 = make_cert(k_rsa2048, "leaf2.test", 0, weak_root, k_rsa1024, EVP_sha256(), NULL);
    rc = verify_at(weak_root, leaf2, NULL, 2, &rep);
    expect_fail(rc, &rep, LT_ERR_INSUFFICIENT_SECURITY, LT_ALERT_INSUFFICIENT_SECURITY,
                "CA key of certificate 'CN=Weak Root' (depth 1) is RSA-1024; the minimum at security level 2 is 2048");
    X509_free(leaf2);
    X509_free(weak_root);
    X509_free(leaf);
    X509_free(weak_ca);
}

/* ---- Signatures ---- */

static void test_sha1_and_md5_leaves(void)
{
    lt_cert_report rep;
    X509 *sha1 = make_cert(k_rsa2048, "sha1.test", 0, ca, k_ca, EVP_sha1(), NULL);
    int rc = verify_at(ca, sha1, NULL, 2, &rep);
    expect_fail(rc, &rep, LT_ERR_BAD_CERTIFICATE, LT_ALERT_BAD_CERTIFICATE,
                "certificate 'CN=sha1.test' (depth 0) is signed with SHA-1, which security level 2 forbids");
    EXPECT(rep.chain_ok && !rep.strength_ok);
    /* OpenSSL 3 rates SHA-1 at 63 bits: level 1 (80) refuses it too. */
    rc = verify_at(ca, sha1, NULL, 1, &rep);
    expect_fail(rc, &rep, LT_ERR_BAD_CERTIFICATE, LT_ALERT_BAD_CERTIFICATE,
                "certificate 'CN=sha1.test' (depth 0) is signed with SHA-1, which security level 1 forbids");
    EXPECT_EQ(verify_at(ca, sha1, NULL, 0, &rep), LT_OK);
    X509_free(sha1);

    X509 *md5 = make_cert(k_rsa2048, "md5.test", 0, ca, k_ca, EVP_md5(), NULL);
    rc = verify_at(ca, md5, NULL, 2, &rep);
    expect_fail(rc, &rep, LT_ERR_BAD_CERTIFICATE, LT_ALERT_BAD_CERTIFICATE,
                "certificate 'CN=md5.test' (depth 0) is signed with MD5, which security level 2 forbids");
    rc = verify_at(ca, md5, NULL, 1, &rep);
    EXPECT_EQ(rc, LT_ERR_BAD_CERTIFICATE);
    EXPECT_EQ(verify_at(ca, md5, NULL, 0, &rep), LT_OK);
    X509_free(md5);
}

static void test_sha1_intermediate(void)
{
    EVP_PKEY *k_inter = tc_ec_key("P-256");
    X509 *inter = make_cert(k_inter, "SHA-1 Intermediate", 1, ca, k_ca, EVP_sha1(), NULL);
    X509 *leaf = make_cert(k_rsa2048, "leaf.test", 0, inter, k_inter, EVP_sha256(), NULL);
    lt_cert_report rep;
    int rc = verify_at(ca, leaf, inter, 2, &rep);
    expect_fail(rc, &rep, LT_ERR_BAD_CERTIFICATE, LT_ALERT_BAD_CERTIFICATE,
                "certificate 'CN=SHA-1 Intermediate' (depth 1) is signed with SHA-1, which security level 2 forbids");
    EXPECT_EQ(verify_at(ca, leaf, inter, 0, &rep), LT_OK);
    X509_free(leaf);
    X509_free(inter);
    EVP_PKEY_free(k_inter);
}

/* The trust anchor's self-signature is not checked (it is trusted for
 * being in the store, not for its signature): a SHA-1-signed root still
 * works at level 2. Even when the server sends it along. */
static void test_sha1_self_signed_root_is_fine(void)
{
    EVP_PKEY *k_root = tc_rsa_key(2048);
    X509 *root = make_cert(k_root, "SHA-1 Root", 1, NULL, k_root, EVP_sha1(), NULL);
    X509 *leaf = make_cert(k_rsa2048, "leaf.test", 0, root, k_root, EVP_sha256(), NULL);
    lt_cert_report rep;
    EXPECT_EQ(verify_at(root, leaf, NULL, 2, &rep), LT_OK);
    EXPECT(rep.strength_ok);
    EXPECT_EQ(verify_at(root, leaf, root, 2, &rep), LT_OK);
    if (rep.detail[0] != '\0') {
        fprintf(stderr, "  detail: %s\n", rep.detail);
    }
    /* Its key still counts: level 3 wants RSA-3072 of the root too. */
    EXPECT_EQ(verify_at(root, leaf, NULL, 3, &rep), LT_ERR_INSUFFICIENT_SECURITY);
    X509_free(leaf);
    X509_free(root);
    EVP_PKEY_free(k_root);
}

/* Which failure wins: an unknown CA outranks a weak key, a weak key a weak
 * signature, a weak signature a hostname mismatch. */
static void test_priority(void)
{
    lt_cert_report rep;
    EVP_PKEY *k_other = tc_ec_key("P-256");
    X509 *other = make_cert(k_other, "Other Root", 1, NULL, k_other, EVP_sha256(), NULL);
    X509 *weak = make_cert(k_rsa1024, "weak.test", 0, ca, k_ca, EVP_sha1(), NULL);
    EXPECT_EQ(verify_at(other, weak, NULL, 2, &rep), LT_ERR_UNKNOWN_CA);
    EXPECT_EQ(verify_at(ca, weak, NULL, 2, &rep), LT_ERR_INSUFFICIENT_SECURITY);
    EXPECT(strstr(rep.detail, "RSA-1024") != NULL);
    /* Level 1 takes the key but not the SHA-1 signature. */
    EXPECT_EQ(verify_at(ca, weak, NULL, 1, &rep), LT_ERR_BAD_CERTIFICATE);
    EXPECT(strstr(rep.detail, "SHA-1") != NULL);
    X509_free(weak);
    X509_free(other);
    EVP_PKEY_free(k_other);
}

static void test_level_out_of_range(void)
{
    lt_cert_report rep;
    X509 *leaf = make_cert(k_rsa2048, "leaf.test", 0, ca, k_ca, EVP_sha256(), NULL);
    EXPECT_EQ(verify_at(ca, leaf, NULL, -1, &rep), LT_ERR_USAGE);
    EXPECT_EQ(verify_at(ca, leaf, NULL, LT_SECLEVEL_MAX + 1, &rep), LT_ERR_USAGE);
    X509_free(leaf);

    lt_config *cfg = lt_config_new(LT_ROLE_CLIENT);
    EXPECT_EQ(lt_config_set_security_level(cfg, 6), LT_ERR_CONFIG);
    EXPECT(strstr(lt_config_error(cfg), "0 to 5, got 6") != NULL);
    EXPECT_EQ(lt_config_set_security_level(cfg, -1), LT_ERR_CONFIG);
    for (int l = 0; l <= LT_SECLEVEL_MAX; l++) {
        EXPECT_EQ(lt_config_set_security_level(cfg, l), LT_OK);
    }
    lt_config_free(cfg);
}

/* ---- keyUsage ---- */

static void test_key_usage_report(void)
{
    lt_cert_report rep;
    X509 *sig_only = make_cert(k_rsa2048, "sig.test", 0, ca, k_ca, EVP_sha256(), "critical,digitalSignature");
    X509 *enc_only = make_cert(k_rsa2048, "enc.test", 0, ca, k_ca, EVP_sha256(), "critical,keyEncipherment");
    X509 *both = make_cert(k_rsa2048, "both.test", 0, ca, k_ca, EVP_sha256(), "digitalSignature,keyEncipherment");
    X509 *none = make_cert(k_rsa2048, "none.test", 0, ca, k_ca, EVP_sha256(), NULL);

    /* digitalSignature alone is a TLS server usage to OpenSSL's purpose
     * check, so the chain verifies; RSA key transport must still refuse it. */
    EXPECT_EQ(verify_at(ca, sig_only, NULL, 2, &rep), LT_OK);
    EXPECT(rep.has_key_usage);
    EXPECT_EQ(rep.key_usage, LT_KU_DIGITAL_SIGNATURE);
    EXPECT(strcmp(rep.key_usage_names, "digitalSignature") == 0);
    EXPECT(!lt_cert_allows(&rep, LT_KEY_USE_ENCIPHERMENT));
    EXPECT(lt_cert_allows(&rep, LT_KEY_USE_SIGNATURE));

    EXPECT_EQ(verify_at(ca, enc_only, NULL, 2, &rep), LT_OK);
    EXPECT_EQ(rep.key_usage, LT_KU_KEY_ENCIPHERMENT);
    EXPECT(lt_cert_allows(&rep, LT_KEY_USE_ENCIPHERMENT));
    EXPECT(!lt_cert_allows(&rep, LT_KEY_USE_SIGNATURE));

    EXPECT_EQ(verify_at(ca, both, NULL, 2, &rep), LT_OK);
    EXPECT(strcmp(rep.key_usage_names, "digitalSignature, keyEncipherment") == 0);
    EXPECT(lt_cert_allows(&rep, LT_KEY_USE_ENCIPHERMENT) && lt_cert_allows(&rep, LT_KEY_USE_SIGNATURE));

    /* No extension: every use (RFC 5280 4.2.1.3). */
    EXPECT_EQ(verify_at(ca, none, NULL, 2, &rep), LT_OK);
    EXPECT(!rep.has_key_usage);
    EXPECT(rep.key_usage_names[0] == '\0');
    EXPECT(lt_cert_allows(&rep, LT_KEY_USE_ENCIPHERMENT) && lt_cert_allows(&rep, LT_KEY_USE_SIGNATURE));
    EXPECT(strcmp(lt_key_use_name(LT_KEY_USE_ENCIPHERMENT), "keyEncipherment") == 0);
    EXPECT(strcmp(lt_key_use_name(LT_KEY_USE_SIGNATURE), "digitalSignature") == 0);

    X509_free(sig_only);
    X509_free(enc_only);
    X509_free(both);
    X509_free(none);
}

/* ---- Whole handshakes: the config, the client's Certificate step ---- */

/* A pair whose server presents [leaf, ca] with key; client_level < 0 keeps
 * the default. Returns the handshake result. */
static int handshake_suite(uint16_t suite, X509 *leaf, EVP_PKEY *key, int client_level, lt_pair *p)
{
    EXPECT_EQ(pair_init_configs(p, suite), LT_OK);
    char *chain = tc_pem_of_certs((X509 *[]){leaf, ca}, 2);
    char *key_pem = tc_pem_of_key(key);
    char *ca_pem = tc_pem_of_certs(&ca, 1);
    EXPECT_EQ(lt_config_set_cert_chain_pem(p->scfg, chain, strlen(chain)), LT_OK);
    EXPECT_EQ(lt_config_set_key_pem(p->scfg, key_pem, strlen(key_pem)), LT_OK);
    /* White box: a server that uses its certificate whatever the keyUsage
     * says (as openssl s_server does), so that the client's check is what
     * is tested here; our own server refuses such a suite (tests/hs/
     * test_identities.c). */
    for (int i = 0; i < LT_MAX_IDENTITIES; i++) {
        p->scfg->policy.id[i].may_sign = p->scfg->policy.id[i].may_encipher = 1;
    }
    lt_config_free(p->ccfg);
    p->ccfg = lt_config_new(LT_ROLE_CLIENT);
    EXPECT_EQ(lt_config_set_ca_pem(p->ccfg, ca_pem, strlen(ca_pem)), LT_OK);
    if (client_level >= 0) {
        EXPECT_EQ(lt_config_set_security_level(p->ccfg, client_level), LT_OK);
    }
    EXPECT_EQ(pair_new_conns(p), LT_OK);
    free(chain);
    lt_wipe(key_pem, strlen(key_pem));
    free(key_pem);
    free(ca_pem);
    return pair_handshake(p);
}

static int handshake_with(X509 *leaf, EVP_PKEY *key, int client_level, lt_pair *p)
{
    return handshake_suite(0, leaf, key, client_level, p);
}

/* RSA key transport: the suite whose certificate must allow encryption. */
static int handshake_rsa_kx(X509 *leaf, EVP_PKEY *key, int client_level, lt_pair *p)
{
    return handshake_suite(LT_TLS_RSA_WITH_AES_128_GCM_SHA256, leaf, key, client_level, p);
}

static void expect_client_failed(lt_pair *p, int want_rc, int want_alert, const char *want_detail)
{
    const char *detail = NULL;
    EXPECT_EQ(lt_conn_error(p->client, &detail), want_rc);
    EXPECT_EQ(lt_conn_alert_sent(p->client), want_alert);
    EXPECT_EQ(lt_conn_peer_alert(p->server), want_alert);
    if (detail == NULL || strcmp(detail, want_detail) != 0) {
        fprintf(stderr, "  detail: '%s'\n  wanted: '%s'\n", detail != NULL ? detail : "(null)", want_detail);
        EXPECT(detail != NULL && strcmp(detail, want_detail) == 0);
    } else {
        printf("  detail: %s\n", detail);
    }
}

static void test_handshake_rsa1024_server(void)
{
    X509 *leaf = make_cert(k_rsa1024, "localhost", 0, ca, k_ca, EVP_sha256(), NULL);
    lt_pair p;
    /* The default level is 2. */
    EXPECT(handshake_with(leaf, k_rsa1024, -1, &p) < 0);
    expect_client_failed(&p, LT_ERR_INSUFFICIENT_SECURITY, LT_ALERT_INSUFFICIENT_SECURITY,
                         "server key is RSA-1024; the minimum at security level 2 is 2048");
    pair_free(&p);
    /* Level 1 lets it through. */
    EXPECT_EQ(handshake_with(leaf, k_rsa1024, 1, &p), LT_OK);
    pair_free(&p);
    X509_free(leaf);
}

static void test_handshake_sha1_server(void)
{
    X509 *leaf = make_cert(k_rsa2048, "localhost", 0, ca, k_ca, EVP_sha1(), NULL);
    lt_pair p;
    EXPECT(handshake_with(leaf, k_rsa2048, -1, &p) < 0);
    expect_client_failed(&p, LT_ERR_BAD_CERTIFICATE, LT_ALERT_BAD_CERTIFICATE,
                         "certificate verify failed: certificate 'CN=localhost' (depth 0) is signed with SHA-1, which "
                         "security level 2 forbids");
    pair_free(&p);
    EXPECT_EQ(handshake_with(leaf, k_rsa2048, 0, &p), LT_OK);
    pair_free(&p);
    X509_free(leaf);
}

/* RFC 5246 7.4.2: for RSA key transport the certificate "MUST allow the key
 * to be used for encryption (the keyEncipherment bit MUST be set if the key
 * usage extension is present)". */
static void test_handshake_key_usage(void)
{
    lt_pair p;
    X509 *sig_only = make_cert(k_rsa2048, "localhost", 0, ca, k_ca, EVP_sha256(), "critical,digitalSignature");
    EXPECT(handshake_rsa_kx(sig_only, k_rsa2048, -1, &p) < 0);
    expect_client_failed(&p, LT_ERR_UNSUPPORTED_CERTIFICATE, LT_ALERT_UNSUPPORTED_CERTIFICATE,
                         "RSA key exchange needs a certificate that allows keyEncipherment (RFC 5246 7.4.2); the "
                         "server's allows only digitalSignature");
    pair_free(&p);
    /* Not a security-level matter: level 0 refuses it just the same. */
    EXPECT(handshake_rsa_kx(sig_only, k_rsa2048, 0, &p) < 0);
    EXPECT_EQ(lt_conn_error(p.client, NULL), LT_ERR_UNSUPPORTED_CERTIFICATE);
    pair_free(&p);
    /* The same certificate is right for ECDHE_RSA, which signs. */
    EXPECT_EQ(handshake_suite(LT_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, sig_only, k_rsa2048, -1, &p), LT_OK);
    pair_free(&p);
    X509_free(sig_only);

    X509 *enc = make_cert(k_rsa2048, "localhost", 0, ca, k_ca, EVP_sha256(), "critical,keyEncipherment");
    EXPECT_EQ(handshake_rsa_kx(enc, k_rsa2048, -1, &p), LT_OK);
    pair_free(&p);
    /* RFC 5280 4.2.1.3: a key that may only encipher must not sign the
     * ServerKeyExchange. */
    EXPECT(handshake_suite(LT_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, enc, k_rsa2048, -1, &p) < 0);
    expect_client_failed(&p, LT_ERR_UNSUPPORTED_CERTIFICATE, LT_ALERT_UNSUPPORTED_CERTIFICATE,
                         "a signed key exchange needs a certificate that allows digitalSignature (RFC 5280 "
                         "4.2.1.3); the server's allows only keyEncipherment");
    pair_free(&p);
    X509_free(enc);

    X509 *none = make_cert(k_rsa2048, "localhost", 0, ca, k_ca, EVP_sha256(), NULL);
    EXPECT_EQ(handshake_with(none, k_rsa2048, -1, &p), LT_OK);
    pair_free(&p);
    X509_free(none);
}

int main(void)
{
    k_ca = tc_rsa_key(2048);
    k_rsa2048 = tc_rsa_key(2048);
    k_rsa1024 = tc_rsa_key(1024);
    ca = make_cert(k_ca, "Test Root", 1, NULL, k_ca, EVP_sha256(), NULL);

    LT_RUN(test_rsa1024_leaf);
    LT_RUN(test_rsa2048_leaf_and_level3);
    LT_RUN(test_ec_leaves);
    LT_RUN(test_weak_ca_key);
    LT_RUN(test_sha1_and_md5_leaves);
    LT_RUN(test_sha1_intermediate);
    LT_RUN(test_sha1_self_signed_root_is_fine);
    LT_RUN(test_priority);
    LT_RUN(test_level_out_of_range);
    LT_RUN(test_key_usage_report);
    LT_RUN(test_handshake_rsa1024_server);
    LT_RUN(test_handshake_sha1_server);
    LT_RUN(test_handshake_key_usage);

    X509_free(ca);
    EVP_PKEY_free(k_ca);
    EVP_PKEY_free(k_rsa2048);
    EVP_PKEY_free(k_rsa1024);
    return lt_test_summary();
}
