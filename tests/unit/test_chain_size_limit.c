/*
 * The server's own chain must fit a Certificate message we would accept
 * (LT_MAX_HS_MESSAGE), and so the output bound (LT_OUT_HARD_CAP): a bigger
 * chain is refused when it is configured, with a line that says the limit,
 * and the largest one that fits goes out as a flight under the hard cap.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "conn/conn.h"
#include "test.h"

static EVP_PKEY *rsa_key;

/* A self-signed certificate for rsa_key whose subjectAltName lists enough
 * names to make its DER about `size` bytes; returned as PEM (malloc'd). */
static char *big_cert_pem(size_t size, size_t *pem_len)
{
    X509 *x = X509_new();
    X509_set_version(x, X509_VERSION_3);
    ASN1_INTEGER_set(X509_get_serialNumber(x), 7);
    X509_gmtime_adj(X509_getm_notBefore(x), -60);
    X509_gmtime_adj(X509_getm_notAfter(x), 3600);
    X509_set_pubkey(x, rsa_key);
    X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_UTF8, (const unsigned char *)"localhost", -1,
                               -1, 0);
    X509_set_issuer_name(x, X509_get_subject_name(x));
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
    EXPECT(X509_sign(x, rsa_key, EVP_sha256()) > 0);
    BIO *bio = BIO_new(BIO_s_mem());
    PEM_write_bio_X509(bio, x);
    char *p = NULL;
    long n = BIO_get_mem_data(bio, &p);
    char *out = malloc((size_t)n + 1);
    memcpy(out, p, (size_t)n);
    out[n] = '\0';
    *pem_len = (size_t)n;
    BIO_free(bio);
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
    EXPECT_EQ(cfg->chain.n, 0);
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
    BIO *bio = BIO_new(BIO_s_mem());
    PEM_write_bio_PrivateKey(bio, rsa_key, NULL, NULL, 0, NULL, NULL);
    char *kp = NULL;
    long kn = BIO_get_mem_data(bio, &kp);
    EXPECT_EQ(lt_config_set_key_pem(scfg, kp, (size_t)kn), LT_OK);
    BIO_free(bio);

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
    rsa_key = lt_rsa_keygen(2048);
    LT_RUN(test_chain_over_the_message_limit_is_refused);
    LT_RUN(test_large_chain_flight_fits_the_hard_cap);
    EVP_PKEY_free(rsa_key);
    return lt_test_summary();
}
