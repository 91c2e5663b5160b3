/*
 * Keys and X.509 certificates made at test time with libcrypto (no key or
 * certificate is checked in). Shared by the unit and hs tests.
 *
 * Every function that can fail reports it with EXPECT (the calling test is
 * marked failed) and still returns, so one run shows every failure.
 * Ownership: keys and certificates are the caller's to free
 * (EVP_PKEY_free, X509_free); DER from tc_der_of with OPENSSL_free; PEM
 * strings with free().
 */
#ifndef LT_TEST_CERTS_H
#define LT_TEST_CERTS_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

/* An EC key on curve ("P-256", "P-192", "secp160r1", ...), or NULL when this
 * libcrypto does not have the curve (the error queue is cleared; no EXPECT,
 * so a test can skip the case). */
EVP_PKEY *tc_ec_key(const char *curve);

/* An RSA key of bits bits, through lt_rsa_keygen (so runs under valgrind
 * take it from the LT_TEST_KEY_CACHE); EXPECTs success. */
EVP_PKEY *tc_rsa_key(unsigned bits);

/* Adds the extension nid = value (OpenSSL config syntax, e.g.
 * "critical,CA:TRUE" or "DNS:localhost,IP:127.0.0.1") to x, in the context
 * of issuer (x itself when self-signed); EXPECTs that value parses. */
void tc_ext(X509 *issuer, X509 *x, int nid, const char *value);

/* What tc_make_cert builds. Every NULL or 0 field has the default below, so
 * a struct with only cn set is a self-signed serverAuth leaf without SANs,
 * valid now, signed with SHA-256:
 *
 *   cn          subject commonName (UTF-8); required.
 *   is_ca       1: basicConstraints "critical,CA:TRUE"; 0: "CA:FALSE".
 *   issuer,     the signer's certificate and key. issuer NULL: self-signed
 *   issuer_key  (the issuer name is the subject; issuer_key NULL means key).
 *               issuer non-NULL with issuer_key of another key makes a
 *               certificate with a bad signature.
 *   md          signing digest; NULL: SHA-256.
 *   not_before, seconds from now. Both 0: -3600 .. +86400 (valid now, for a
 *   not_after   day). Otherwise both are used as given (so an expired or
 *               not-yet-valid certificate is explicit).
 *   san         subjectAltName value, or NULL for none.
 *   eku         extendedKeyUsage; NULL: "serverAuth" for a leaf, none for
 *               a CA.
 *   key_usage   keyUsage; NULL: "critical,keyCertSign" for a CA, none for a
 *               leaf.
 *
 * Extensions are added in this order: basicConstraints, then for a CA
 * keyUsage, subjectAltName, extendedKeyUsage; for a leaf subjectAltName,
 * extendedKeyUsage, keyUsage. Serial numbers count up from 1000 in each
 * process, so no two certificates of a test share one. */
typedef struct tc_cert_opts {
    const char *cn;
    int is_ca;
    X509 *issuer;
    EVP_PKEY *issuer_key;
    const EVP_MD *md;
    long not_before, not_after;
    const char *san;
    const char *eku;
    const char *key_usage;
} tc_cert_opts;

/* A signed X.509 v3 certificate for key as o describes; EXPECTs that signing
 * worked (and prints why not). */
X509 *tc_make_cert(EVP_PKEY *key, const tc_cert_opts *o);

/* The two halves of tc_make_cert, for a test that needs extensions the
 * options cannot say: tc_cert_new makes an unsigned v3 certificate for key
 * named cn, issued by issuer (NULL: self-issued), valid from now+not_before
 * to now+not_after seconds (taken as given: no default), with no extensions;
 * tc_cert_sign signs it with md (NULL: SHA-256) and EXPECTs success. */
X509 *tc_cert_new(EVP_PKEY *key, const char *cn, X509 *issuer, long not_before, long not_after);
int tc_cert_sign(X509 *x, EVP_PKEY *issuer_key, const EVP_MD *md);

/* The DER of x in *out (OPENSSL_free it) and its length; 0 and *out NULL on
 * failure (EXPECTed). */
size_t tc_der_of(X509 *x, uint8_t **out);

/* PEM of certs[0 .. n) in that order, and of a private key (unencrypted
 * PKCS#8): malloc'd, NUL-terminated. */
char *tc_pem_of_certs(X509 *const *certs, size_t n);
char *tc_pem_of_key(EVP_PKEY *k);

/* A key by name: "RSA-<bits>" (tc_rsa_key), "P-256", "P-384" (tc_ec_key);
 * EXPECTs success (NULL for an unknown name). */
EVP_PKEY *tc_key(const char *type);

/* A server's test PKI: a root CA whose key is of type ca_type and a leaf for
 * cn (subjectAltName DNS:cn, serverAuth) signed by it with SHA-256, whose key
 * is of type key_type (names as for tc_key). The leaf's keyUsage is
 * "critical,digitalSignature" for an EC key and "critical,digitalSignature,
 * keyEncipherment" for RSA, as make_test_pki.sh gives them. The PEM strings
 * are ready for lt_trust_add_pem, lt_chain_from_pem and lt_pkey_from_pem.
 * Free everything with tc_server_pki_free. */
typedef struct tc_server_pki {
    EVP_PKEY *ca_key, *key;
    X509 *ca, *leaf;
    char *ca_pem;    /* the CA certificate */
    char *chain_pem; /* the leaf, then the CA */
    char *key_pem;   /* the leaf's private key, PKCS#8 ("PRIVATE KEY") */
} tc_server_pki;
void tc_server_pki_make(tc_server_pki *p, const char *ca_type, const char *key_type, const char *cn);
void tc_server_pki_free(tc_server_pki *p);

/* PEM of a private key in its type's own format ("EC PRIVATE KEY", RFC 5915;
 * "RSA PRIVATE KEY", PKCS#1), unencrypted; malloc'd, NUL-terminated. */
char *tc_pem_of_key_traditional(EVP_PKEY *k);

#endif
