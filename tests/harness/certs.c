/*
 * Keys and certificates for the tests (certs.h).
 */
#include "certs.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "crypto/crypto.h"
#include "test.h"

EVP_PKEY *tc_ec_key(const char *curve)
{
    EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", curve);
    ERR_clear_error();
    return k;
}

EVP_PKEY *tc_rsa_key(unsigned bits)
{
    EVP_PKEY *k = lt_rsa_keygen(bits);
    EXPECT(k != NULL);
    return k;
}

void tc_ext(X509 *issuer, X509 *x, int nid, const char *value)
{
    X509V3_CTX v3;
    X509V3_set_ctx(&v3, issuer, x, NULL, NULL, 0);
    X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, &v3, nid, value);
    EXPECT(e != NULL);
    if (e != NULL) {
        X509_add_ext(x, e, -1);
        X509_EXTENSION_free(e);
    } else {
        fprintf(stderr, "  could not make extension %s = %s\n", OBJ_nid2sn(nid), value);
        ERR_print_errors_fp(stderr);
    }
}

X509 *tc_cert_new(EVP_PKEY *key, const char *cn, X509 *issuer, long not_before, long not_after)
{
    static long serial = 1000;
    X509 *x = X509_new();
    EXPECT(x != NULL);
    if (x == NULL) {
        return NULL;
    }
    X509_set_version(x, X509_VERSION_3);
    ASN1_INTEGER_set(X509_get_serialNumber(x), serial++);
    X509_gmtime_adj(X509_getm_notBefore(x), not_before);
    X509_gmtime_adj(X509_getm_notAfter(x), not_after);
    X509_set_pubkey(x, key);
    X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_UTF8, (const unsigned char *)cn, -1, -1, 0);
    X509_set_issuer_name(x, issuer != NULL ? X509_get_subject_name(issuer) : X509_get_subject_name(x));
    return x;
}

int tc_cert_sign(X509 *x, EVP_PKEY *issuer_key, const EVP_MD *md)
{
    if (md == NULL) {
        md = EVP_sha256();
    }
    int ok = x != NULL && X509_sign(x, issuer_key, md) > 0;
    EXPECT(ok);
    if (!ok) {
        char cn[256] = "";
        if (x != NULL) {
            X509_NAME_get_text_by_NID(X509_get_subject_name(x), NID_commonName, cn, (int)sizeof cn);
        }
        fprintf(stderr, "  could not sign '%s' with %s\n", cn, EVP_MD_get0_name(md));
        ERR_print_errors_fp(stderr);
    }
    return ok;
}

X509 *tc_make_cert(EVP_PKEY *key, const tc_cert_opts *o)
{
    long nb = o->not_before, na = o->not_after;
    if (nb == 0 && na == 0) {
        nb = -3600;
        na = 86400;
    }
    X509 *x = tc_cert_new(key, o->cn, o->issuer, nb, na);
    if (x == NULL) {
        return NULL;
    }
    X509 *signer = o->issuer != NULL ? o->issuer : x;
    if (o->is_ca) {
        tc_ext(signer, x, NID_basic_constraints, "critical,CA:TRUE");
        tc_ext(signer, x, NID_key_usage, o->key_usage != NULL ? o->key_usage : "critical,keyCertSign");
        if (o->san != NULL) {
            tc_ext(signer, x, NID_subject_alt_name, o->san);
        }
        if (o->eku != NULL) {
            tc_ext(signer, x, NID_ext_key_usage, o->eku);
        }
    } else {
        tc_ext(signer, x, NID_basic_constraints, "CA:FALSE");
        if (o->san != NULL) {
            tc_ext(signer, x, NID_subject_alt_name, o->san);
        }
        tc_ext(signer, x, NID_ext_key_usage, o->eku != NULL ? o->eku : "serverAuth");
        if (o->key_usage != NULL) {
            tc_ext(signer, x, NID_key_usage, o->key_usage);
        }
    }
    tc_cert_sign(x, o->issuer_key != NULL ? o->issuer_key : key, o->md);
    return x;
}

size_t tc_der_of(X509 *x, uint8_t **out)
{
    *out = NULL;
    int n = i2d_X509(x, out);
    EXPECT(n > 0);
    return n > 0 ? (size_t)n : 0;
}

/* The contents of a memory BIO as a malloc'd string; frees bio. */
static char *bio_string(BIO *bio)
{
    char *p = NULL;
    long n = BIO_get_mem_data(bio, &p);
    if (n < 0) {
        n = 0;
    }
    char *out = malloc((size_t)n + 1);
    EXPECT(out != NULL);
    if (out != NULL) {
        if (n > 0) {
            memcpy(out, p, (size_t)n);
        }
        out[n] = '\0';
    }
    BIO_free(bio);
    return out;
}

char *tc_pem_of_certs(X509 *const *certs, size_t n)
{
    BIO *bio = BIO_new(BIO_s_mem());
    for (size_t i = 0; i < n; i++) {
        EXPECT(PEM_write_bio_X509(bio, certs[i]) == 1);
    }
    return bio_string(bio);
}

char *tc_pem_of_key(EVP_PKEY *k)
{
    BIO *bio = BIO_new(BIO_s_mem());
    EXPECT(PEM_write_bio_PrivateKey(bio, k, NULL, NULL, 0, NULL, NULL) == 1);
    return bio_string(bio);
}

char *tc_pem_of_key_traditional(EVP_PKEY *k)
{
    BIO *bio = BIO_new(BIO_s_mem());
    EXPECT(PEM_write_bio_PrivateKey_traditional(bio, k, NULL, NULL, 0, NULL, NULL) == 1);
    return bio_string(bio);
}

EVP_PKEY *tc_key(const char *type)
{
    EVP_PKEY *k = NULL;
    if (strncmp(type, "RSA-", 4) == 0) {
        k = tc_rsa_key((unsigned)strtoul(type + 4, NULL, 10));
    } else if (strcmp(type, "P-256") == 0 || strcmp(type, "P-384") == 0) {
        k = tc_ec_key(type);
    }
    EXPECT(k != NULL);
    if (k == NULL) {
        fprintf(stderr, "  could not make a %s key\n", type);
    }
    return k;
}

void tc_server_pki_make(tc_server_pki *p, const char *ca_type, const char *key_type, const char *cn)
{
    char san[300];
    memset(p, 0, sizeof(*p));
    p->ca_key = tc_key(ca_type);
    p->key = tc_key(key_type);
    if (p->ca_key == NULL || p->key == NULL) {
        return;
    }
    tc_cert_opts ca = {.cn = "lucidtls test CA", .is_ca = 1};
    p->ca = tc_make_cert(p->ca_key, &ca);
    snprintf(san, sizeof san, "DNS:%s", cn);
    tc_cert_opts leaf = {.cn = cn,
                         .issuer = p->ca,
                         .issuer_key = p->ca_key,
                         .san = san,
                         .key_usage = EVP_PKEY_is_a(p->key, "EC") ? "critical,digitalSignature"
                                                                  : "critical,digitalSignature,keyEncipherment"};
    p->leaf = tc_make_cert(p->key, &leaf);
    X509 *chain[2] = {p->leaf, p->ca};
    p->ca_pem = tc_pem_of_certs(&p->ca, 1);
    p->chain_pem = tc_pem_of_certs(chain, 2);
    p->key_pem = tc_pem_of_key(p->key);
}

void tc_server_pki_free(tc_server_pki *p)
{
    X509_free(p->leaf);
    X509_free(p->ca);
    EVP_PKEY_free(p->key);
    EVP_PKEY_free(p->ca_key);
    free(p->ca_pem);
    free(p->chain_pem);
    free(p->key_pem);
    memset(p, 0, sizeof(*p));
}
