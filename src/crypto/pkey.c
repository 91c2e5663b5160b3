/*
 * Private keys, certificate chains from PEM, and RSA key transport
 * (RFC 5246 7.4.7.1). lt_pkey is an EVP_PKEY behind an opaque name.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "crypto/crypto.h"

#define PMS_LEN 48

static EVP_PKEY *as_evp(const lt_pkey *k)
{
    return (EVP_PKEY *)k;
}

/* Never prompt on a terminal for a passphrase: an encrypted key in a
 * library config is an error, not an interactive moment. */
static int no_password(char *buf, int size, int rwflag, void *u)
{
    (void)buf;
    (void)size;
    (void)rwflag;
    (void)u;
    return 0;
}

int lt_pkey_from_pem(const char *pem, size_t len, lt_pkey **out)
{
    BIO *bio;
    EVP_PKEY *k;

    LT_ENSURE(pem != NULL && out != NULL && len <= 0x7fffffff, LT_ERR_USAGE);
    *out = NULL;
    bio = BIO_new_mem_buf(pem, (int)len);
    LT_ENSURE(bio != NULL, LT_ERR_NOMEM);
    k = PEM_read_bio_PrivateKey(bio, NULL, no_password, NULL);
    BIO_free(bio);
    if (k == NULL) {
        ERR_clear_error();
        return LT_ERR_CONFIG;
    }
    *out = (lt_pkey *)k;
    return LT_OK;
}

void lt_pkey_free(lt_pkey *k)
{
    EVP_PKEY_free(as_evp(k));
}

int lt_pkey_is_rsa(const lt_pkey *k)
{
    return k != NULL && EVP_PKEY_is_a(as_evp(k), "RSA");
}

int lt_pkey_is_ec(const lt_pkey *k)
{
    return k != NULL && EVP_PKEY_is_a(as_evp(k), "EC");
}

/* A key on a named curve (the group is encoded by its OID): explicit curve
 * parameters are deprecated (RFC 8422 5.1.1, RFC 5480 2.1.1) and we accept
 * them nowhere, even when they spell out P-256. */
static int ec_named_curve(EVP_PKEY *pk)
{
    char enc[32];
    size_t n = 0;
    int ok = EVP_PKEY_get_utf8_string_param(pk, OSSL_PKEY_PARAM_EC_ENCODING, enc, sizeof enc, &n) == 1 &&
             strcmp(enc, OSSL_PKEY_EC_ENCODING_GROUP) == 0;
    ERR_clear_error();
    return ok;
}

uint16_t lt_pkey_ec_group(const lt_pkey *k)
{
    EVP_PKEY *pk = as_evp(k);
    char group[64];
    size_t glen = 0;
    int nid;

    if (!lt_pkey_is_ec(k) || !ec_named_curve(pk) || EVP_PKEY_get_group_name(pk, group, sizeof group, &glen) != 1) {
        ERR_clear_error();
        return 0;
    }
    nid = OBJ_sn2nid(group);
    if (nid == NID_undef) {
        nid = EC_curve_nist2nid(group);
    }
    switch (nid) {
    case NID_X9_62_prime256v1: return LT_GROUP_SECP256R1;
    case NID_secp384r1: return LT_GROUP_SECP384R1;
    default: return 0;
    }
}

size_t lt_pkey_bits(const lt_pkey *k)
{
    int bits = k != NULL ? EVP_PKEY_get_bits(as_evp(k)) : 0;
    return bits > 0 ? (size_t)bits : 0;
}

void lt_pkey_describe(const lt_pkey *k, char *buf, size_t cap)
{
    EVP_PKEY *pk = as_evp(k);
    char group[64];
    size_t glen = 0;

    if (cap == 0) {
        return;
    }
    if (pk == NULL) {
        snprintf(buf, cap, "(no key)");
        return;
    }
    if (EVP_PKEY_is_a(pk, "EC")) {
        /* "EC P-256" (the NIST name where there is one), else the group:
         * "EC brainpoolP256r1"; an EC key with explicit parameters: "EC-256". */
        if (EVP_PKEY_get_group_name(pk, group, sizeof group, &glen) == 1 && glen > 0) {
            const char *nist = EC_curve_nid2nist(OBJ_sn2nid(group));
            snprintf(buf, cap, "EC %s", nist != NULL ? nist : group);
        } else {
            snprintf(buf, cap, "EC-%d", EVP_PKEY_get_bits(pk));
        }
    } else if (EVP_PKEY_is_a(pk, "ED25519") || EVP_PKEY_is_a(pk, "ED448") || EVP_PKEY_is_a(pk, "X25519") ||
               EVP_PKEY_is_a(pk, "X448")) {
        snprintf(buf, cap, "%s", EVP_PKEY_get0_type_name(pk));
    } else {
        const char *type = EVP_PKEY_get0_type_name(pk);
        /* RSA-PSS keys are RSA keys for their size. */
        snprintf(buf, cap, "%s-%d", type != NULL ? type : "unknown", EVP_PKEY_get_bits(pk));
    }
    ERR_clear_error();
}

int lt_pkey_matches_cert(const lt_pkey *key, const uint8_t *cert_der, size_t cert_len)
{
    const unsigned char *p = cert_der;
    X509 *x;
    int match;

    if (key == NULL || cert_der == NULL || cert_len == 0 || cert_len > 0x7fffffff) {
        return 0;
    }
    x = d2i_X509(NULL, &p, (long)cert_len);
    if (x == NULL) {
        ERR_clear_error();
        return 0;
    }
    /* EVP_PKEY_eq compares the public halves (1 = same key). */
    match = EVP_PKEY_eq(X509_get0_pubkey(x), as_evp(key)) == 1;
    X509_free(x);
    ERR_clear_error();
    return match;
}

int lt_cert_key_kind(const uint8_t *cert_der, size_t cert_len)
{
    const unsigned char *p = cert_der;
    if (cert_der == NULL || cert_len == 0 || cert_len > 0x7fffffff) {
        return 0;
    }
    X509 *x = d2i_X509(NULL, &p, (long)cert_len);
    if (x == NULL) {
        ERR_clear_error();
        return 0;
    }
    EVP_PKEY *pk = X509_get0_pubkey(x);
    int kind = pk == NULL                                 ? 0
               : EVP_PKEY_get_base_id(pk) == EVP_PKEY_RSA ? LT_KEY_KIND_RSA
               : EVP_PKEY_get_base_id(pk) == EVP_PKEY_EC  ? LT_KEY_KIND_EC
                                                          : 0;
    X509_free(x);
    ERR_clear_error();
    return kind;
}

/* The SignatureScheme (RFC 8446 4.2.3) a certificate is signed with, or 0
 * for one we cannot name. An RSASSA-PSS signature is named rsa_pss_rsae_*,
 * the way TLS 1.2 peers list it in signature_algorithms. */
static uint16_t cert_sig_scheme(X509 *x)
{
    int md = 0, pk = 0;
    if (X509_get_signature_info(x, &md, &pk, NULL, NULL) != 1) {
        return 0;
    }
    int rsa = pk == EVP_PKEY_RSA, pss = pk == EVP_PKEY_RSA_PSS, ec = pk == EVP_PKEY_EC;
    switch (md) {
    case NID_sha1: return rsa ? 0x0201 : ec ? 0x0203 : 0;
    case NID_sha256: return rsa ? 0x0401 : pss ? 0x0804 : ec ? 0x0403 : 0;
    case NID_sha384: return rsa ? 0x0501 : pss ? 0x0805 : ec ? 0x0503 : 0;
    case NID_sha512: return rsa ? 0x0601 : pss ? 0x0806 : ec ? 0x0603 : 0;
    default: return pk == EVP_PKEY_ED25519 ? 0x0807 : 0;
    }
}

size_t lt_chain_sig_schemes(const lt_chain *c, uint16_t *out, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < c->n && n < cap; i++) {
        const unsigned char *p = c->der[i];
        X509 *x = d2i_X509(NULL, &p, (long)c->len[i]);
        if (x == NULL) {
            continue;
        }
        /* A self-signed root's own signature is never checked (RFC 8446
         * 4.2.3 leaves the trust anchor's out). */
        int self_signed = i > 0 && X509_check_issued(x, x) == X509_V_OK;
        if (!self_signed) {
            out[n++] = cert_sig_scheme(x);
        }
        X509_free(x);
    }
    ERR_clear_error();
    return n;
}

int lt_pkey_kind(const lt_pkey *k)
{
    return lt_pkey_is_rsa(k) ? LT_KEY_KIND_RSA : lt_pkey_is_ec(k) ? LT_KEY_KIND_EC : 0;
}

void lt_chain_clear(lt_chain *c)
{
    size_t i;

    if (c == NULL) {
        return;
    }
    for (i = 0; i < c->n && i < LT_MAX_CHAIN; i++) {
        free(c->der[i]);
    }
    memset(c, 0, sizeof(*c));
}

int lt_chain_from_pem(const char *pem, size_t len, lt_chain *out)
{
    BIO *bio;
    int rc = LT_OK;

    LT_ENSURE(pem != NULL && out != NULL && len <= 0x7fffffff, LT_ERR_USAGE);
    memset(out, 0, sizeof(*out));
    bio = BIO_new_mem_buf(pem, (int)len);
    LT_ENSURE(bio != NULL, LT_ERR_NOMEM);

    /* Walk every PEM block in order; keep the CERTIFICATE ones as their
     * exact DER bytes (after checking each parses), skip anything else. */
    for (;;) {
        char *name = NULL;
        char *header = NULL;
        unsigned char *data = NULL;
        long dlen = 0;
        const unsigned char *p;
        X509 *x;

        if (PEM_read_bio(bio, &name, &header, &data, &dlen) != 1) {
            /* End of input ("no start line") or a damaged block. */
            unsigned long e = ERR_peek_last_error();
            if (ERR_GET_LIB(e) != ERR_LIB_PEM || ERR_GET_REASON(e) != PEM_R_NO_START_LINE) {
                rc = LT_ERR_CONFIG;
            }
            ERR_clear_error();
            break;
        }
        if (strcmp(name, PEM_STRING_X509) == 0 || strcmp(name, PEM_STRING_X509_OLD) == 0) {
            p = data;
            x = d2i_X509(NULL, &p, dlen);
            if (x == NULL || p != data + dlen || out->n >= LT_MAX_CHAIN) {
                rc = LT_ERR_CONFIG;
            } else {
                out->der[out->n] = malloc((size_t)dlen);
                if (out->der[out->n] == NULL) {
                    rc = LT_ERR_NOMEM;
                } else {
                    memcpy(out->der[out->n], data, (size_t)dlen);
                    out->len[out->n] = (size_t)dlen;
                    out->n++;
                }
            }
            X509_free(x);
        }
        OPENSSL_free(name);
        OPENSSL_free(header);
        OPENSSL_free(data);
        if (rc != LT_OK) {
            ERR_clear_error();
            break;
        }
    }
    BIO_free(bio);
    if (rc == LT_OK && out->n == 0) {
        rc = LT_ERR_CONFIG;
    }
    if (rc != LT_OK) {
        lt_chain_clear(out);
    }
    return rc;
}

int lt_rsa_encrypt_pms(const lt_pkey *server_pub, const uint8_t pms[48], uint8_t *out, size_t cap, size_t *out_len)
{
    EVP_PKEY_CTX *ctx;
    size_t need = 0;
    int ok;

    LT_ENSURE(server_pub != NULL && pms != NULL && out != NULL && out_len != NULL, LT_ERR_USAGE);
    LT_ENSURE(lt_pkey_is_rsa(server_pub), LT_ERR_USAGE);
    ctx = EVP_PKEY_CTX_new_from_pkey(NULL, as_evp(server_pub), NULL);
    LT_ENSURE(ctx != NULL, LT_ERR_NOMEM);
    /* RFC 5246 7.4.7.1: RSAES-PKCS1-v1_5 (block type 2). */
    ok = EVP_PKEY_encrypt_init(ctx) == 1 && EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) == 1 &&
         EVP_PKEY_encrypt(ctx, NULL, &need, pms, PMS_LEN) == 1;
    if (ok && need > cap) {
        EVP_PKEY_CTX_free(ctx);
        return LT_ERR_INTERNAL;
    }
    ok = ok && EVP_PKEY_encrypt(ctx, out, &need, pms, PMS_LEN) == 1;
    EVP_PKEY_CTX_free(ctx);
    LT_ENSURE(ok, LT_ERR_CRYPTO);
    *out_len = need;
    return LT_OK;
}

int lt_rsa_decrypt_pms(const lt_pkey *server_key, const uint8_t *enc, size_t enc_len, uint16_t client_version,
                       uint8_t pms[48])
{
    uint8_t fallback[PMS_LEN];
    uint8_t result[PMS_LEN];
    unsigned int cv = client_version;
    size_t outlen = PMS_LEN;
    size_t modlen;
    EVP_PKEY_CTX *ctx;
    OSSL_PARAM params[2];
    int rc;

    LT_ENSURE(server_key != NULL && pms != NULL && (enc != NULL || enc_len == 0), LT_ERR_USAGE);
    LT_ENSURE(lt_pkey_is_rsa(server_key), LT_ERR_USAGE);

    /* RFC 5246 7.4.7.1: on any failure carry on with a random premaster
     * secret; the handshake then fails at Finished, indistinguishably. */
    LT_GUARD(lt_random(fallback, PMS_LEN));
    modlen = (size_t)EVP_PKEY_get_size(as_evp(server_key));
    if (enc_len != modlen) {
        /* The length is public; no oracle in branching on it. */
        memcpy(pms, fallback, PMS_LEN);
        OPENSSL_cleanse(fallback, PMS_LEN);
        return LT_OK;
    }

    ctx = EVP_PKEY_CTX_new_from_pkey(NULL, as_evp(server_key), NULL);
    if (ctx == NULL) {
        OPENSSL_cleanse(fallback, PMS_LEN);
        return LT_ERR_NOMEM;
    }
    /*
     * RSA_PKCS1_WITH_TLS_PADDING (as libssl's tls_process_cke_rsa): the
     * provider decrypts, checks the PKCS#1 padding, the 48-byte length and
     * that the first two bytes equal client_version, all in constant time,
     * and on any mismatch returns a fresh random 48-byte secret instead.
     *
     * We deliberately do not set OSSL_ASYM_CIPHER_PARAM_TLS_NEGOTIATED_VERSION:
     * it makes the provider also accept the negotiated version (libssl sets
     * it only under SSL_OP_TLS_ROLLBACK_BUG), while RFC 5246 7.4.7.1 says a
     * server MUST check against ClientHello.client_version when that is
     * TLS 1.1 or higher.
     */
    params[0] = OSSL_PARAM_construct_uint(OSSL_ASYM_CIPHER_PARAM_TLS_CLIENT_VERSION, &cv);
    params[1] = OSSL_PARAM_construct_end();
    if (EVP_PKEY_decrypt_init(ctx) != 1 || EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_WITH_TLS_PADDING) != 1 ||
        EVP_PKEY_CTX_set_params(ctx, params) != 1) {
        rc = LT_ERR_CRYPTO;
    } else if (EVP_PKEY_decrypt(ctx, result, &outlen, enc, enc_len) == 1 && outlen == PMS_LEN) {
        memcpy(pms, result, PMS_LEN);
        rc = LT_OK;
    } else {
        /* Only publicly invalid input gets here (e.g. a ciphertext not
         * below the modulus); it still gets a random secret. */
        ERR_clear_error();
        memcpy(pms, fallback, PMS_LEN);
        rc = LT_OK;
    }
    EVP_PKEY_CTX_free(ctx);
    OPENSSL_cleanse(result, PMS_LEN);
    OPENSSL_cleanse(fallback, PMS_LEN);
    if (rc != LT_OK) {
        OPENSSL_cleanse(pms, PMS_LEN);
    }
    return rc;
}
