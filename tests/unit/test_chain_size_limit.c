/*
 * The server's own chain must fit a Certificate message we would accept
 * (LT_MAX_HS_MESSAGE), and so the output bound (LT_OUT_HARD_CAP): a bigger
 * chain is refused when it is configured, with a line that says the limit,
 * and the largest one that fits goes out as a flight under the hard cap.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "certs.h"
#include "conn/conn.h"
#include "test.h"

static EVP_PKEY *rsa_key;

/* A self-signed certificate for rsa_key whose subjectAltName lists enough
 * names to make its DER about `size` bytes; returned as PEM (malloc'd). */
static char *big_cert_pem(size_t size, size_t *pem_len)
{
    X509 *x = tc_cert_new(rsa_key, "localhost", NULL, -60, 3600);
    GENERAL_NAMES *gens = GENERAL_NAMES_new();
    /* Each name costs its length plus a 2-byte DER header (lengths < 128). */
    for (size_t i = 0, total = 0; total < size; i++) {
        char name[64];
        int n = snprintf(name, sizeof name, "host-%05zu.a-rather-long-subdomain-name.example.com", i);
        total += (size_t)n + 2;
        GENERAL_NAME *g = GENERAL_NAME_new();
        ASN1_IA5STRING *s = ASN1_IA5STRING_new();
        ASN1_STRING_set(s, name, -1);
        GENERAL_NAME_set0_value(g, GEN_DNS, s);
        sk_GENERAL_NAME_push(gens, g);
    }
    X509_add1_ext_i2d(x, NID_subject_alt_name, gens, 0, X509V3_ADD_DEFAULT);
    GENERAL_NAMES_free(gens);
    tc_cert_sign(x, rsa_key, EVP_sha256());
    char *out = tc_pem_of_certs(&x, 1);
    *pem_len = strlen(out);
    X509_free(x);
    return out;
}

static void test_chain_over_the_message_limit_is_refused(void)
{
    size_t len;
    char *pem = big_cert_pem(LT_MAX_HS_MESSAGE + 4096, &len);
    lt_config *cfg = lt_config_new(LT_ROLE_SERVER);
    EXPECT_EQ(lt_config_set_cert_chain_pem(cfg, pem, len), LT_ERR_CONFIG);
    EXPECT(strstr(lt_config_error(cfg), "the most lucidtls sends is 131072") != NULL);
    EXPECT_EQ(cfg->policy.id[LT_ID_RSA].chain.n, 0);
    lt_config_free(cfg);
    free(pem);
}

/* The largest chain we take: its whole flight is queued at once, under the
 * hard cap, and nothing fails. */
static void test_large_chain_flight_fits_the_hard_cap(void)
{
    size_t len;
    char *pem = big_cert_pem(LT_MAX_HS_MESSAGE - 8192, &len);
    lt_config *scfg = lt_config_new(LT_ROLE_SERVER);
    EXPECT_EQ(lt_config_set_cert_chain_pem(scfg, pem, len), LT_OK);
    char *kp = tc_pem_of_key(rsa_key);
    EXPECT_EQ(lt_config_set_key_pem(scfg, kp, strlen(kp)), LT_OK);
    free(kp);

    lt_config *ccfg = lt_config_new(LT_ROLE_CLIENT);
    lt_config_dangerous_disable_hostname_check(ccfg);
    lt_conn *client = lt_conn_new(ccfg), *server = lt_conn_new(scfg);
    EXPECT_EQ(lt_conn_handshake(client), LT_WANT_INPUT);
    size_t n, used;
    const uint8_t *hello = lt_conn_out_peek(client, &n);
    EXPECT_EQ(lt_conn_feed(server, hello, n, &used), LT_OK);
    EXPECT_EQ(used, n);
    EXPECT_EQ(lt_conn_error(server, NULL), 0);
    size_t flight;
    (void)lt_conn_out_peek(server, &flight);
    EXPECT(flight > LT_MAX_HS_MESSAGE - 16384);
    EXPECT(flight <= LT_OUT_HARD_CAP);
    lt_conn_free(client);
    lt_conn_free(server);
    lt_config_free(ccfg);
    lt_config_free(scfg);
    free(pem);
}

int main(void)
{
    rsa_key = tc_rsa_key(2048);
    LT_RUN(test_chain_over_the_message_limit_is_refused);
    LT_RUN(test_large_chain_flight_fits_the_hard_cap);
    EVP_PKEY_free(rsa_key);
    return lt_test_summary();
}
