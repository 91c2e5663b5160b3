/*
 * How long a certificate chain may be: the leaf, up to LT_MAX_VERIFY_DEPTH
 * (100, OpenSSL's default verify depth) intermediates, and the root, i.e.
 * LT_MAX_CHAIN = LT_MAX_PEER_CHAIN = 102 certificates.
 *
 * - A server configured with a 102-certificate chain completes a handshake
 *   with our client (every certificate is checked).
 * - One intermediate too many is refused by verification (chain too long),
 *   and a 103-certificate chain by the config setter.
 * - A Certificate message with more entries than the limit gets a detail
 *   that says how many came and what the limit is (it used to be reported
 *   as "malformed Certificate message"), and bad_certificate.
 *
 * The intermediates are EC P-256 (quick to make); the leaf has the demo
 * PKI's RSA key, for RSA key transport.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "certs.h"
#include "crypto/crypto.h"
#include "hs/messages.h"
#include "pair.h"
#include "test.h"

/* This file's certificates (certs.h): valid -1 h .. +1 day, SHA-256, a CA
 * with keyUsage keyCertSign, a leaf for localhost with serverAuth. */
static X509 *make_cert(EVP_PKEY *key, const char *cn, int is_ca, X509 *issuer, EVP_PKEY *issuer_key)
{
    return tc_make_cert(key, &(tc_cert_opts){.cn = cn,
                                             .is_ca = is_ca,
                                             .issuer = issuer,
                                             .issuer_key = issuer_key,
                                             .san = is_ca ? NULL : "DNS:localhost"});
}

/* certs[0] = the leaf (RSA, demo key), certs[1..n_inter] intermediates,
 * certs[n_inter + 1] the root. */
#define MAX_BUILT (LT_MAX_VERIFY_DEPTH + 3)
static X509 *certs[MAX_BUILT];
static EVP_PKEY *keys[MAX_BUILT];
static size_t n_built;

static void build_chain(size_t n_inter, EVP_PKEY *leaf_key)
{
    size_t root = n_inter + 1;
    char cn[48];
    keys[root] = tc_ec_key("P-256");
    certs[root] = make_cert(keys[root], "Long Root", 1, NULL, keys[root]);
    for (size_t i = n_inter; i >= 1; i--) {
        snprintf(cn, sizeof cn, "Intermediate %zu", i);
        keys[i] = tc_ec_key("P-256");
        certs[i] = make_cert(keys[i], cn, 1, certs[i + 1], keys[i + 1]);
    }
    certs[0] = make_cert(leaf_key, "localhost", 0, certs[1], keys[1]);
    n_built = root + 1;
}

static void free_chain(void)
{
    for (size_t i = 0; i < n_built; i++) {
        X509_free(certs[i]);
        if (i > 0) {
            EVP_PKEY_free(keys[i]);
        }
        certs[i] = NULL;
        keys[i] = NULL;
    }
    n_built = 0;
}

static EVP_PKEY *demo_key(const lt_pair *p)
{
    BIO *bio = BIO_new_mem_buf(p->pki.key_pem, -1);
    EVP_PKEY *k = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
    BIO_free(bio);
    EXPECT(k != NULL);
    return k;
}

/* A server with leaf + 100 intermediates + root: the longest chain. */
static void test_longest_chain_handshake(void)
{
    lt_pair p;
    EXPECT_EQ(pair_init_configs(&p, 0), LT_OK);
    EVP_PKEY *leaf_key = demo_key(&p);
    build_chain(LT_MAX_VERIFY_DEPTH, leaf_key);
    EXPECT_EQ(n_built, LT_MAX_CHAIN);
    char *chain = tc_pem_of_certs(certs, n_built);
    char *root = tc_pem_of_certs(certs + n_built - 1, 1);
    EXPECT_EQ(lt_config_set_cert_chain_pem(p.scfg, chain, strlen(chain)), LT_OK);
    EXPECT_EQ(lt_config_set_key_pem(p.scfg, p.pki.key_pem, strlen(p.pki.key_pem)), LT_OK);
    lt_config_free(p.ccfg);
    p.ccfg = lt_config_new(LT_ROLE_CLIENT);
    EXPECT_EQ(lt_config_set_ca_pem(p.ccfg, root, strlen(root)), LT_OK);
    EXPECT_EQ(pair_new_conns(&p), LT_OK);
    int rc = pair_handshake(&p);
    EXPECT_EQ(rc, LT_OK);
    if (rc != LT_OK) {
        const char *d = NULL;
        lt_conn_error(p.client, &d);
        fprintf(stderr, "  client: %s\n", d);
    }

    /* One certificate more does not fit a config. */
    free(chain);
    chain = tc_pem_of_certs(certs, n_built);
    size_t l = strlen(chain);
    char *more = malloc(2 * l + 1);
    memcpy(more, chain, l);
    strcpy(more + l, root);
    lt_config *fresh = lt_config_new(LT_ROLE_SERVER); /* p.scfg is frozen by its connection */
    EXPECT_EQ(lt_config_set_cert_chain_pem(fresh, more, strlen(more)), LT_ERR_CONFIG);
    EXPECT(strstr(lt_config_error(fresh), "more than 102 certificates") != NULL);
    lt_config_free(fresh);
    free(more);
    free(chain);
    free(root);
    free_chain();
    EVP_PKEY_free(leaf_key);
    pair_free(&p);
}

/* 101 intermediates: one over OpenSSL's depth, refused by verification. */
static void test_one_intermediate_too_many(void)
{
    lt_pair p;
    EXPECT_EQ(pair_init(&p, 0), LT_OK);
    EVP_PKEY *leaf_key = demo_key(&p);
    build_chain(LT_MAX_VERIFY_DEPTH + 1, leaf_key);
    lt_trust *t = lt_trust_new();
    char *root = tc_pem_of_certs(certs + n_built - 1, 1);
    EXPECT_EQ(lt_trust_add_pem(t, root, strlen(root)), LT_OK);
    /* The leaf and every intermediate, without the root: 102 sent. */
    uint8_t *der[MAX_BUILT];
    size_t len[MAX_BUILT];
    size_t n = n_built - 1;
    for (size_t i = 0; i < n; i++) {
        len[i] = tc_der_of(certs[i], &der[i]);
    }
    lt_cert_report rep;
    lt_pkey *pub = NULL;
    EXPECT_EQ(lt_verify_chain(t, (const uint8_t *const *)der, len, n, "localhost", 2, &rep, &pub),
              LT_ERR_BAD_CERTIFICATE);
    EXPECT(strstr(rep.detail, "chain too long") != NULL);
    printf("  detail: %s\n", rep.detail);
    for (size_t i = 0; i < n; i++) {
        OPENSSL_free(der[i]);
    }
    free(root);
    lt_trust_free(t);
    free_chain();
    EVP_PKEY_free(leaf_key);
    pair_free(&p);
}

/* Rewrites the server's Certificate message to list `entries` tiny entries:
 * the parser's count check comes before any DER is looked at. */
static size_t g_entries;

static void inflate_certificate(void *arg, int from_client, uint8_t *buf, size_t *len, size_t cap)
{
    (void)arg;
    int seen_ccs = 0;
    if (from_client) {
        return;
    }
    *len = reframe_records(buf, *len, cap, 0, 1, &seen_ccs);
    if (*len < 5 || buf[0] != 22) {
        return;
    }
    size_t rec_len = ((size_t)buf[3] << 8) | buf[4];
    uint8_t *out = malloc(cap);
    size_t o = 5, i = 5;
    memcpy(out, buf, 5);
    while (i + 4 <= 5 + rec_len) {
        size_t body = ((size_t)buf[i + 1] << 16) | ((size_t)buf[i + 2] << 8) | buf[i + 3];
        if (buf[i] == LT_HS_CERTIFICATE) {
            size_t list = g_entries * 5;
            size_t nb = 3 + list;
            out[o++] = LT_HS_CERTIFICATE;
            out[o++] = (uint8_t)(nb >> 16);
            out[o++] = (uint8_t)(nb >> 8);
            out[o++] = (uint8_t)nb;
            out[o++] = (uint8_t)(list >> 16);
            out[o++] = (uint8_t)(list >> 8);
            out[o++] = (uint8_t)list;
            for (size_t k = 0; k < g_entries; k++) {
                static const uint8_t entry[5] = {0, 0, 2, 0x30, 0};
                memcpy(out + o, entry, 5);
                o += 5;
            }
        } else {
            memcpy(out + o, buf + i, 4 + body);
            o += 4 + body;
        }
        i += 4 + body;
    }
    size_t new_rec = o - 5;
    out[3] = (uint8_t)(new_rec >> 8);
    out[4] = (uint8_t)new_rec;
    memcpy(out + o, buf + 5 + rec_len, *len - 5 - rec_len);
    o += *len - 5 - rec_len;
    memcpy(buf, out, o);
    *len = o;
    free(out);
}

static void test_too_many_certificates_says_so(void)
{
    lt_pair p;
    /* The hook rewrites the TLS 1.2 Certificate, which travels in the clear. */
    EXPECT_EQ(pair_init_configs(&p, 0), LT_OK);
    EXPECT_EQ(lt_config_set_versions(p.ccfg, LT_TLS1_2, LT_TLS1_2), LT_OK);
    EXPECT_EQ(pair_new_conns(&p), LT_OK);
    g_entries = LT_MAX_PEER_CHAIN + 1;
    p.hook = inflate_certificate;
    EXPECT(pair_handshake(&p) < 0);
    const char *detail = NULL;
    EXPECT_EQ(lt_conn_error(p.client, &detail), LT_ERR_BAD_CERTIFICATE);
    EXPECT_EQ(lt_conn_alert_sent(p.client), LT_ALERT_BAD_CERTIFICATE);
    const char *want =
        "the server sent 103 certificates; the limit is 102 (the leaf, up to 100 intermediates, the root)";
    EXPECT(detail != NULL && strcmp(detail, want) == 0);
    printf("  detail: %s\n", detail != NULL ? detail : "(null)");
    pair_free(&p);

    /* Within the limit, the same junk entries are malformed DER: a
     * different failure, after the count check. */
    EXPECT_EQ(pair_init_configs(&p, 0), LT_OK);
    EXPECT_EQ(lt_config_set_versions(p.ccfg, LT_TLS1_2, LT_TLS1_2), LT_OK);
    EXPECT_EQ(pair_new_conns(&p), LT_OK);
    g_entries = LT_MAX_PEER_CHAIN;
    p.hook = inflate_certificate;
    EXPECT(pair_handshake(&p) < 0);
    EXPECT_EQ(lt_conn_error(p.client, &detail), LT_ERR_BAD_CERTIFICATE);
    EXPECT(detail != NULL && strstr(detail, "could not be parsed") != NULL);
    pair_free(&p);
}

int main(void)
{
    LT_RUN(test_longest_chain_handshake);
    LT_RUN(test_one_intermediate_too_many);
    LT_RUN(test_too_many_certificates_says_so);
    return lt_test_summary();
}
