/*
 * The bench's PKI: an RSA-2048 CA with two server certificates for one
 * name, an RSA-2048 one (for the RSA and ECDHE-RSA suites) and a P-256 one
 * (for ECDHE-ECDSA), both signed by the CA with sha256WithRSAEncryption.
 *
 * It is built like lt_demo_pki_make (same extensions, same validity, same
 * algorithms), but here, with libcrypto directly, because the demo PKI
 * discards its CA key and so cannot sign a second leaf. Both libraries get
 * the same PEMs, and both clients trust the CA only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "bench.h"

static int add_ext(X509 *issuer, X509 *subject, int nid, const char *value)
{
    X509V3_CTX v3;
    X509V3_set_ctx(&v3, issuer, subject, NULL, NULL, 0);
    X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, &v3, nid, value);
    int ok = ext != NULL && X509_add_ext(subject, ext, -1) == 1;
    X509_EXTENSION_free(ext);
    return ok;
}

static X509 *new_cert(EVP_PKEY *key, const char *cn)
{
    X509 *x = X509_new();
    unsigned char serial[16];
    BIGNUM *bn = NULL;
    if (x == NULL || RAND_bytes(serial, sizeof serial) != 1) {
        X509_free(x);
        return NULL;
    }
    serial[0] = (serial[0] & 0x7f) | 0x01; /* positive, never zero (RFC 5280 4.1.2.2) */
    bn = BN_bin2bn(serial, sizeof serial, NULL);
    X509_NAME *name = X509_get_subject_name(x);
    int ok =
        bn != NULL && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) != NULL &&
        X509_set_version(x, X509_VERSION_3) == 1 && X509_gmtime_adj(X509_getm_notBefore(x), -60 * 60) != NULL &&
        X509_gmtime_adj(X509_getm_notAfter(x), 24 * 60 * 60) != NULL && X509_set_pubkey(x, key) == 1 &&
        X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8, (const unsigned char *)"lucidtls bench", -1, -1, 0) == 1 &&
        X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)cn, -1, -1, 0) == 1;
    BN_free(bn);
    if (!ok) {
        X509_free(x);
        return NULL;
    }
    return x;
}

/* A server certificate for `host` (DNS SAN, plus 127.0.0.1 and ::1 as the
 * demo PKI has them). RSA keys get keyEncipherment too (RSA key transport,
 * RFC 5246 7.4.2); an EC key only digitalSignature (RFC 8422 5.3). */
static X509 *make_leaf(X509 *ca, EVP_PKEY *ca_key, EVP_PKEY *key, const char *host, int rsa)
{
    char san[300];
    snprintf(san, sizeof san, "DNS:%s,IP:127.0.0.1,IP:::1", host);
    X509 *leaf = new_cert(key, host);
    int ok = leaf != NULL && X509_set_issuer_name(leaf, X509_get_subject_name(ca)) == 1 &&
             add_ext(ca, leaf, NID_basic_constraints, "critical,CA:FALSE") &&
             add_ext(ca, leaf, NID_key_usage,
                     rsa ? "critical,digitalSignature,keyEncipherment" : "critical,digitalSignature") &&
             add_ext(ca, leaf, NID_ext_key_usage, "serverAuth") &&
             add_ext(ca, leaf, NID_subject_key_identifier, "hash") &&
             add_ext(ca, leaf, NID_authority_key_identifier, "keyid:always") &&
             add_ext(ca, leaf, NID_subject_alt_name, san) && X509_sign(leaf, ca_key, EVP_sha256()) > 0;
    if (!ok) {
        X509_free(leaf);
        return NULL;
    }
    return leaf;
}

static char *bio_text(BIO *bio)
{
    char *p = NULL;
    long n = BIO_get_mem_data(bio, &p);
    char *out = n > 0 ? malloc((size_t)n + 1) : NULL;
    if (out != NULL) {
        memcpy(out, p, (size_t)n);
        out[n] = '\0';
    }
    return out;
}

static char *pem_certs(X509 *a, X509 *b)
{
    BIO *bio = BIO_new(BIO_s_mem());
    char *out = NULL;
    if (bio != NULL && PEM_write_bio_X509(bio, a) == 1 && (b == NULL || PEM_write_bio_X509(bio, b) == 1)) {
        out = bio_text(bio);
    }
    BIO_free(bio);
    return out;
}

static char *pem_key(EVP_PKEY *k)
{
    BIO *bio = BIO_new(BIO_s_mem());
    char *out = NULL;
    if (bio != NULL && PEM_write_bio_PrivateKey(bio, k, NULL, NULL, 0, NULL, NULL) == 1) {
        out = bio_text(bio);
    }
    BIO_free(bio);
    return out;
}

int bench_pki_make(bench_pki *pki, const char *host)
{
    memset(pki, 0, sizeof *pki);
    EVP_PKEY *ca_key = EVP_RSA_gen(2048);
    EVP_PKEY *rsa_key = EVP_RSA_gen(2048);
    EVP_PKEY *ec_key = EVP_EC_gen("P-256");
    X509 *ca = NULL, *rsa_leaf = NULL, *ec_leaf = NULL;
    int ok = ca_key != NULL && rsa_key != NULL && ec_key != NULL &&
             (ca = new_cert(ca_key, "lucidtls bench CA")) != NULL &&
             X509_set_issuer_name(ca, X509_get_subject_name(ca)) == 1 &&
             add_ext(ca, ca, NID_basic_constraints, "critical,CA:TRUE") &&
             add_ext(ca, ca, NID_key_usage, "critical,keyCertSign,cRLSign") &&
             add_ext(ca, ca, NID_subject_key_identifier, "hash") && X509_sign(ca, ca_key, EVP_sha256()) > 0 &&
             (rsa_leaf = make_leaf(ca, ca_key, rsa_key, host, 1)) != NULL &&
             (ec_leaf = make_leaf(ca, ca_key, ec_key, host, 0)) != NULL;
    char *ca_pem = NULL, *chain = NULL, *key = NULL, *ec_chain = NULL, *ec_key_pem = NULL;
    ok = ok && (ca_pem = pem_certs(ca, NULL)) != NULL && (chain = pem_certs(rsa_leaf, ca)) != NULL &&
         (key = pem_key(rsa_key)) != NULL && (ec_chain = pem_certs(ec_leaf, ca)) != NULL &&
         (ec_key_pem = pem_key(ec_key)) != NULL;
    pki->ca_pem = ca_pem;
    pki->chain_pem = chain;
    pki->key_pem = key;
    pki->ec_chain_pem = ec_chain;
    pki->ec_key_pem = ec_key_pem;
    X509_free(ca);
    X509_free(rsa_leaf);
    X509_free(ec_leaf);
    EVP_PKEY_free(ca_key);
    EVP_PKEY_free(rsa_key);
    EVP_PKEY_free(ec_key);
    ERR_clear_error();
    if (!ok) {
        bench_pki_free(pki);
        return -1;
    }
    return 0;
}

void bench_pki_free(bench_pki *pki)
{
    free(pki->ca_pem);
    free(pki->chain_pem);
    free(pki->key_pem);
    free(pki->ec_chain_pem);
    free(pki->ec_key_pem);
    memset(pki, 0, sizeof *pki);
}
