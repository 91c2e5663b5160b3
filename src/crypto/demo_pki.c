/*
 * Demo PKI: a throwaway RSA-2048 CA and a server certificate for one
 * hostname, made in memory, for examples and tests. Not for production: the
 * CA key is discarded, so nothing else can ever be signed by it.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "crypto/crypto.h"
#include "lucidtls/lucidtls.h"
#include "lucidtls/lucidtls_demo.h"

static CRYPTO_ONCE demo_once = CRYPTO_ONCE_STATIC_INIT;
static EVP_MD *demo_sha256;

static void demo_fetch(void)
{
    demo_sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
}

/* RFC 5280 4.1.2.2: a positive serial of at most 20 octets; 16 random
 * bytes with the top bit clear. */
static int set_random_serial(X509 *x)
{
    unsigned char raw[16];
    BIGNUM *bn;
    int ok;

    if (lt_random(raw, sizeof(raw)) != LT_OK) {
        return 0;
    }
    raw[0] &= 0x7f;
    raw[0] |= 0x01; /* never zero */
    bn = BN_bin2bn(raw, sizeof(raw), NULL);
    ok = bn != NULL && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) != NULL;
    BN_free(bn);
    return ok;
}

static int add_ext(X509 *issuer, X509 *subject, int nid, const char *value)
{
    X509V3_CTX v3;
    X509_EXTENSION *ext;
    int ok;

    X509V3_set_ctx(&v3, issuer, subject, NULL, NULL, 0);
    ext = X509V3_EXT_conf_nid(NULL, &v3, nid, value);
    if (ext == NULL) {
        return 0;
    }
    ok = X509_add_ext(subject, ext, -1) == 1;
    X509_EXTENSION_free(ext);
    return ok;
}

static int add_name(GENERAL_NAMES *gens, int type, const char *text)
{
    GENERAL_NAME *g = GENERAL_NAME_new();

    if (g == NULL) {
        return 0;
    }
    if (type == GEN_DNS) {
        ASN1_IA5STRING *s = ASN1_IA5STRING_new();
        if (s == NULL || ASN1_STRING_set(s, text, (int)strlen(text)) != 1) {
            ASN1_IA5STRING_free(s);
            GENERAL_NAME_free(g);
            return 0;
        }
        GENERAL_NAME_set0_value(g, GEN_DNS, s);
    } else {
        ASN1_OCTET_STRING *ip = a2i_IPADDRESS(text);
        if (ip == NULL) {
            GENERAL_NAME_free(g);
            return 0;
        }
        GENERAL_NAME_set0_value(g, GEN_IPADD, ip);
    }
    if (!sk_GENERAL_NAME_push(gens, g)) {
        GENERAL_NAME_free(g);
        return 0;
    }
    return 1;
}

/* subjectAltName: the hostname (as DNS, or as IP if it is an IP literal),
 * plus 127.0.0.1 and ::1 so the demo also works by address. */
static int add_sans(X509 *x, const char *hostname)
{
    GENERAL_NAMES *gens = sk_GENERAL_NAME_new_null();
    ASN1_OCTET_STRING *ip = a2i_IPADDRESS(hostname);
    int is_ip = ip != NULL;
    int ok;

    ASN1_OCTET_STRING_free(ip);
    ERR_clear_error();
    if (gens == NULL) {
        return 0;
    }
    ok = add_name(gens, is_ip ? GEN_IPADD : GEN_DNS, hostname);
    if (ok && strcmp(hostname, "127.0.0.1") != 0) {
        ok = add_name(gens, GEN_IPADD, "127.0.0.1");
    }
    if (ok && strcmp(hostname, "::1") != 0) {
        ok = add_name(gens, GEN_IPADD, "::1");
    }
    ok = ok && X509_add1_ext_i2d(x, NID_subject_alt_name, gens, 0, 0) == 1;
    GENERAL_NAMES_free(gens);
    return ok;
}

static X509 *new_cert(EVP_PKEY *key, const char *cn, const char *org)
{
    X509 *x = X509_new();
    X509_NAME *name;

    if (x == NULL) {
        return NULL;
    }
    name = X509_get_subject_name(x);
    if (X509_set_version(x, X509_VERSION_3) != 1 || !set_random_serial(x) ||
        X509_gmtime_adj(X509_getm_notBefore(x), -60 * 60) == NULL ||
        X509_gmtime_adj(X509_getm_notAfter(x), 24 * 60 * 60) == NULL || X509_set_pubkey(x, key) != 1 ||
        X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8, (const unsigned char *)org, -1, -1, 0) != 1 ||
        X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)cn, -1, -1, 0) != 1) {
        X509_free(x);
        return NULL;
    }
    return x;
}

static char *pem_of_cert(X509 *x, X509 *x2)
{
    BIO *bio = BIO_new(BIO_s_mem());
    char *p = NULL;
    char *out = NULL;
    long n;

    if (bio == NULL) {
        return NULL;
    }
    if (PEM_write_bio_X509(bio, x) == 1 && (x2 == NULL || PEM_write_bio_X509(bio, x2) == 1)) {
        n = BIO_get_mem_data(bio, &p);
        out = n > 0 ? malloc((size_t)n + 1) : NULL;
        if (out != NULL) {
            memcpy(out, p, (size_t)n);
            out[n] = '\0';
        }
    }
    BIO_free(bio);
    return out;
}

static char *pem_of_key(EVP_PKEY *k)
{
    BIO *bio = BIO_new(BIO_s_mem());
    char *p = NULL;
    char *out = NULL;
    long n;

    if (bio == NULL) {
        return NULL;
    }
    if (PEM_write_bio_PrivateKey(bio, k, NULL, NULL, 0, NULL, NULL) == 1) {
        n = BIO_get_mem_data(bio, &p);
        out = n > 0 ? malloc((size_t)n + 1) : NULL;
        if (out != NULL) {
            memcpy(out, p, (size_t)n);
            out[n] = '\0';
        }
        if (p != NULL && n > 0) {
            OPENSSL_cleanse(p, (size_t)n);
        }
    }
    BIO_free(bio);
    return out;
}

int lt_demo_pki_make(lt_demo_pki *pki, const char *hostname)
{
    EVP_PKEY *ca_key = NULL;
    EVP_PKEY *srv_key = NULL;
    EVP_PKEY *cli_key = NULL;
    X509 *ca = NULL;
    X509 *leaf = NULL;
    X509 *client = NULL;
    const char *cn;
    int ok;

    if (pki == NULL || hostname == NULL || hostname[0] == '\0') {
        return LT_ERR_USAGE;
    }
    memset(pki, 0, sizeof(*pki));
    if (!CRYPTO_THREAD_run_once(&demo_once, demo_fetch) || demo_sha256 == NULL) {
        return LT_ERR_CRYPTO;
    }
    /* RFC 5280 A.1: the CN is at most 64 characters; long names live only
     * in the SAN, which is what RFC 6125 matching uses anyway. */
    cn = strlen(hostname) <= 64 ? hostname : "lucidtls demo server";

    ca_key = lt_rsa_keygen(2048);
    srv_key = lt_rsa_keygen(2048);
    cli_key = lt_rsa_keygen(2048);
    ok = ca_key != NULL && srv_key != NULL && cli_key != NULL;

    /* The CA: self-signed; RFC 5280 4.2.1.9 basicConstraints CA:TRUE and
     * 4.2.1.3 keyUsage keyCertSign for a certificate that signs others. */
    ok = ok && (ca = new_cert(ca_key, "lucidtls demo CA", "lucidtls demo")) != NULL &&
         X509_set_issuer_name(ca, X509_get_subject_name(ca)) == 1 &&
         add_ext(ca, ca, NID_basic_constraints, "critical,CA:TRUE") &&
         add_ext(ca, ca, NID_key_usage, "critical,keyCertSign,cRLSign") &&
         add_ext(ca, ca, NID_subject_key_identifier, "hash") && X509_sign(ca, ca_key, demo_sha256) > 0;

    /* The server: keyEncipherment for RSA key transport (RFC 5246 7.4.2),
     * digitalSignature for signed key exchanges, serverAuth EKU. */
    ok = ok && (leaf = new_cert(srv_key, cn, "lucidtls demo")) != NULL &&
         X509_set_issuer_name(leaf, X509_get_subject_name(ca)) == 1 &&
         add_ext(ca, leaf, NID_basic_constraints, "critical,CA:FALSE") &&
         add_ext(ca, leaf, NID_key_usage, "critical,digitalSignature,keyEncipherment") &&
         add_ext(ca, leaf, NID_ext_key_usage, "serverAuth") && add_ext(ca, leaf, NID_subject_key_identifier, "hash") &&
         add_ext(ca, leaf, NID_authority_key_identifier, "keyid:always") && add_sans(leaf, hostname) &&
         X509_sign(leaf, ca_key, demo_sha256) > 0;

    /* The client (mutual TLS): digitalSignature for its CertificateVerify
     * (RFC 5246 7.4.8, RFC 8446 4.4.3), clientAuth EKU (RFC 5280 4.2.1.12). */
    ok = ok && (client = new_cert(cli_key, "lucidtls demo client", "lucidtls demo")) != NULL &&
         X509_set_issuer_name(client, X509_get_subject_name(ca)) == 1 &&
         add_ext(ca, client, NID_basic_constraints, "critical,CA:FALSE") &&
         add_ext(ca, client, NID_key_usage, "critical,digitalSignature") &&
         add_ext(ca, client, NID_ext_key_usage, "clientAuth") &&
         add_ext(ca, client, NID_subject_key_identifier, "hash") &&
         add_ext(ca, client, NID_authority_key_identifier, "keyid:always") &&
         X509_sign(client, ca_key, demo_sha256) > 0;

    ok = ok && (pki->ca_pem = pem_of_cert(ca, NULL)) != NULL && (pki->chain_pem = pem_of_cert(leaf, ca)) != NULL &&
         (pki->key_pem = pem_of_key(srv_key)) != NULL && (pki->client_chain_pem = pem_of_cert(client, ca)) != NULL &&
         (pki->client_key_pem = pem_of_key(cli_key)) != NULL;

    X509_free(ca);
    X509_free(leaf);
    X509_free(client);
    EVP_PKEY_free(ca_key);
    EVP_PKEY_free(srv_key);
    EVP_PKEY_free(cli_key);
    ERR_clear_error();
    if (!ok) {
        lt_demo_pki_free(pki);
        return LT_ERR_CRYPTO;
    }
    return LT_OK;
}

void lt_demo_pki_free(lt_demo_pki *pki)
{
    if (pki == NULL) {
        return;
    }
    free(pki->ca_pem);
    free(pki->chain_pem);
    if (pki->key_pem != NULL) {
        OPENSSL_cleanse(pki->key_pem, strlen(pki->key_pem));
        free(pki->key_pem);
    }
    free(pki->client_chain_pem);
    if (pki->client_key_pem != NULL) {
        OPENSSL_cleanse(pki->client_key_pem, strlen(pki->client_key_pem));
        free(pki->client_key_pem);
    }
    memset(pki, 0, sizeof(*pki));
}
