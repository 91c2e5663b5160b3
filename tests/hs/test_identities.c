/*
 * A server with two identities (an RSA and an ECDSA certificate) picks per
 * ClientHello: by the suites offered, by what its key can sign for the
 * client's signature_algorithms, and by whether the client accepts how the
 * chain is signed (signature_algorithms_cert, RFC 8446 4.2.3; RFC 5246
 * 7.4.2). The ClientHellos are built with the codec, as a peer would send
 * them, and the answer is read off the ServerHello on the wire.
 */
#include <stdlib.h>
#include <string.h>

#include "conn/conn.h"
#include "hs/messages.h"
#include "pair.h"
#include "test.h"
#include "certs.h"

static tc_server_pki g_ec; /* P-256 leaf signed by a P-256 CA: ecdsa_secp256r1_sha256 */

static lt_config *two_identity_server(lt_demo_pki *rsa)
{
    lt_config *cfg = lt_config_new(LT_ROLE_SERVER);
    EXPECT_EQ(lt_config_set_cert_chain_pem(cfg, rsa->chain_pem, strlen(rsa->chain_pem)), LT_OK);
    EXPECT_EQ(lt_config_set_key_pem(cfg, rsa->key_pem, strlen(rsa->key_pem)), LT_OK);
    EXPECT_EQ(lt_config_set_cert_chain_pem(cfg, g_ec.chain_pem, strlen(g_ec.chain_pem)), LT_OK);
    EXPECT_EQ(lt_config_set_key_pem(cfg, g_ec.key_pem, strlen(g_ec.key_pem)), LT_OK);
    return cfg;
}

/* Feed one ClientHello to a fresh server; return the suite it chose (0 if
 * it failed, with *alert set). */
static const uint16_t *g_groups;
static size_t g_n_groups;

static uint16_t chosen_suite(lt_config *cfg, const uint16_t *suites, size_t n_suites, const uint16_t *sigalgs,
                             size_t n_sigalgs, const uint16_t *sigalgs_cert, size_t n_cert, int *alert)
{
    static const uint16_t GROUPS[] = {LT_GROUP_X25519, LT_GROUP_SECP256R1};
    uint8_t random[32] = {1};
    lt_client_hello_params p = {
        .client_version = LT_TLS1_2,
        .random = random,
        .suites = suites,
        .n_suites = n_suites,
        .reneg_info = 1,
        .sigalgs = sigalgs,
        .n_sigalgs = n_sigalgs,
        .groups = g_groups != NULL ? g_groups : GROUPS,
        .n_groups = g_groups != NULL ? g_n_groups : 2,
        .ec_point_formats = 1,
        .sigalgs_cert = sigalgs_cert,
        .n_sigalgs_cert = n_cert,
        .sni = "localhost",
        .ems = 1,
    };
    uint8_t msg[1024], rec[1100];
    lt_wr w = lt_wr_init(msg, sizeof msg);
    lt_write_client_hello(&w, &p);
    EXPECT_EQ(lt_wr_finish(&w), LT_OK);
    rec[0] = 22, rec[1] = 3, rec[2] = 1, rec[3] = (uint8_t)(w.off >> 8), rec[4] = (uint8_t)w.off;
    memcpy(rec + 5, msg, w.off);
    lt_conn *s = lt_conn_new(cfg);
    size_t used = 0;
    int rc = lt_conn_feed(s, rec, 5 + w.off, &used);
    *alert = lt_conn_alert_sent(s);
    uint16_t suite = 0;
    if (rc == LT_OK) {
        size_t len = 0;
        const uint8_t *out = lt_conn_out_peek(s, &len);
        /* record header (5), ServerHello header (4), version (2), random (32),
         * session_id length (1) + 0, then the suite. */
        EXPECT(len > 5 + 4 + 2 + 32 + 1 + 2 && out[5] == LT_HS_SERVER_HELLO);
        size_t sh_len = ((size_t)out[6] << 16) | ((size_t)out[7] << 8) | out[8];
        lt_server_hello sh;
        EXPECT_EQ(lt_parse_server_hello(out + 9, sh_len, &sh), LT_OK);
        suite = sh.cipher_suite;
        /* Only what the server acted on is answered: it does not choose its
         * certificate by name, so no empty server_name (RFC 6066 3); EMS
         * and the ECC point formats it did use. */
        EXPECT(!sh.sni_ack && !(sh.ext_seen & LT_SEEN_SNI));
        EXPECT(sh.ext_seen & LT_SEEN_EMS);
        lt_suite_info info;
        EXPECT_EQ(lt_suite_get_info(suite, &info), LT_OK);
        EXPECT_EQ((sh.ext_seen & LT_SEEN_POINT_FORMATS) != 0, info.forward_secret); /* RFC 8422 5.2: ECC suites only */
        EXPECT(!(sh.ext_seen & LT_SEEN_ETM)); /* an AEAD suite: never (RFC 7366 3) */
    }
    lt_conn_free(s);
    return suite;
}

static const uint16_t BOTH[] = {LT_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, LT_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256};
static const uint16_t ALL_SIGS[] = {0x0403, 0x0804, 0x0401};

static void test_picks_by_suites_offered(void)
{
    lt_pair p;
    EXPECT_EQ(pair_init(&p, 0), LT_OK);
    lt_config *cfg = two_identity_server(&p.pki);
    int alert;
    EXPECT_EQ(chosen_suite(cfg, BOTH, 2, ALL_SIGS, 3, NULL, 0, &alert), LT_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256);
    EXPECT_EQ(chosen_suite(cfg, BOTH + 1, 1, ALL_SIGS, 3, NULL, 0, &alert), LT_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256);
    lt_config_free(cfg);
    pair_free(&p);
}

static void test_picks_by_what_the_key_can_sign(void)
{
    lt_pair p;
    EXPECT_EQ(pair_init(&p, 0), LT_OK);
    lt_config *cfg = two_identity_server(&p.pki);
    int alert;
    /* The client takes only RSA signatures: the ECDSA key cannot sign for it. */
    const uint16_t rsa_only[] = {0x0804, 0x0401};
    EXPECT_EQ(chosen_suite(cfg, BOTH, 2, rsa_only, 2, NULL, 0, &alert), LT_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256);
    /* Only ECDSA signatures and only the RSA suite: nothing fits. */
    const uint16_t ec_only[] = {0x0403};
    EXPECT_EQ(chosen_suite(cfg, BOTH + 1, 1, ec_only, 1, NULL, 0, &alert), 0);
    EXPECT_EQ(alert, 40);
    lt_config_free(cfg);
    pair_free(&p);
}

static void test_honours_signature_algorithms_cert(void)
{
    lt_pair p;
    EXPECT_EQ(pair_init(&p, 0), LT_OK);
    lt_config *cfg = two_identity_server(&p.pki);
    int alert;
    /* The ECDSA chain is signed with ecdsa_secp256r1_sha256, the RSA one with
     * rsa_pkcs1_sha256. A client that accepts only RSA-signed chains gets the
     * RSA certificate even though ECDSA comes first in our preference. */
    const uint16_t rsa_signed[] = {0x0401};
    EXPECT_EQ(chosen_suite(cfg, BOTH, 2, ALL_SIGS, 3, rsa_signed, 1, &alert), LT_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256);
    const uint16_t ec_signed[] = {0x0403};
    EXPECT_EQ(chosen_suite(cfg, BOTH, 2, ALL_SIGS, 3, ec_signed, 1, &alert),
              LT_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256);
    /* With no chain it accepts, the server still answers with what it has
     * (RFC 8446 4.4.2.2): the client decides. */
    const uint16_t neither[] = {0x0807};
    EXPECT_EQ(chosen_suite(cfg, BOTH, 2, ALL_SIGS, 3, neither, 1, &alert), LT_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256);
    lt_config_free(cfg);
    pair_free(&p);
}

/* RFC 8422 5.3: an ECDSA certificate must be on a curve the client lists. */
static void test_ecdsa_certificate_curve_must_be_offered(void)
{
    lt_pair p;
    EXPECT_EQ(pair_init(&p, 0), LT_OK);
    lt_config *cfg = two_identity_server(&p.pki);
    int alert;
    static const uint16_t x25519_only[] = {LT_GROUP_X25519};
    g_groups = x25519_only, g_n_groups = 1;
    /* Both identities: the RSA one, since our P-256 key is not offered. */
    EXPECT_EQ(chosen_suite(cfg, BOTH, 2, ALL_SIGS, 3, NULL, 0, &alert), LT_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256);
    /* Only the ECDSA suite: nothing fits. */
    EXPECT_EQ(chosen_suite(cfg, BOTH, 1, ALL_SIGS, 3, NULL, 0, &alert), 0);
    EXPECT_EQ(alert, 40);
    g_groups = NULL;
    lt_config_free(cfg);
    pair_free(&p);
}

/* RFC 5246 7.4.2: the server's own certificate must allow what the key
 * exchange does with it. A keyEncipherment-only RSA certificate can decrypt
 * (RSA key transport) but not sign (ECDHE_RSA), and the other way round. */
static void test_own_key_usage_picks_the_key_exchange(void)
{
    lt_pair p;
    EXPECT_EQ(pair_init(&p, 0), LT_OK);
    EVP_PKEY *key = tc_rsa_key(2048);
    tc_server_pki rsa_ca;
    tc_server_pki_make(&rsa_ca, "RSA-2048", "RSA-2048", "localhost");
    static const uint16_t suites[] = {LT_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, LT_TLS_RSA_WITH_AES_128_GCM_SHA256};
    const char *uses[2] = {"critical,keyEncipherment", "critical,digitalSignature"};
    const uint16_t want[2] = {LT_TLS_RSA_WITH_AES_128_GCM_SHA256, LT_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256};
    for (int i = 0; i < 2; i++) {
        tc_cert_opts o = {.cn = "localhost",
                          .issuer = rsa_ca.ca,
                          .issuer_key = rsa_ca.ca_key,
                          .san = "DNS:localhost",
                          .key_usage = uses[i]};
        X509 *leaf = tc_make_cert(key, &o);
        char *chain = tc_pem_of_certs((X509 *[]){leaf, rsa_ca.ca}, 2);
        char *kpem = tc_pem_of_key(key);
        lt_config *cfg = lt_config_new(LT_ROLE_SERVER);
        EXPECT_EQ(lt_config_set_cert_chain_pem(cfg, chain, strlen(chain)), LT_OK);
        EXPECT_EQ(lt_config_set_key_pem(cfg, kpem, strlen(kpem)), LT_OK);
        int alert;
        EXPECT_EQ(chosen_suite(cfg, suites, 2, ALL_SIGS, 3, NULL, 0, &alert), want[i]);
        /* Offered only the suite the certificate cannot do: refused. */
        EXPECT_EQ(chosen_suite(cfg, suites + (i == 0 ? 0 : 1), 1, ALL_SIGS, 3, NULL, 0, &alert), 0);
        EXPECT_EQ(alert, 40);
        lt_config_free(cfg);
        free(chain);
        free(kpem);
        X509_free(leaf);
    }
    EVP_PKEY_free(key);
    tc_server_pki_free(&rsa_ca);
    pair_free(&p);
}

int main(void)
{
    tc_server_pki_make(&g_ec, "P-256", "P-256", "localhost");
    LT_RUN(test_picks_by_suites_offered);
    LT_RUN(test_picks_by_what_the_key_can_sign);
    LT_RUN(test_honours_signature_algorithms_cert);
    LT_RUN(test_ecdsa_certificate_curve_must_be_offered);
    LT_RUN(test_own_key_usage_picks_the_key_exchange);
    tc_server_pki_free(&g_ec);
    return lt_test_summary();
}
