/*
 * The libcrypto floor: the same primitives both libraries call, through EVP
 * alone, with no TLS around them.
 *
 * RSA: a new EVP_PKEY_CTX per operation, as both libraries do per handshake.
 * Record ciphers: one keyed context, re-initialised per 16 KiB buffer with a
 * new IV/nonce, as both libraries do per record. "seal+open" is one
 * encryption and one decryption of every byte, which is what the in-process
 * bulk test pays (sender and receiver in one thread), so it is the limit the
 * bulk numbers are compared with.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "bench.h"

#define BUF 16384

/* Runs fn until `seconds` of thread CPU have passed (at least min_iter
 * times); returns CPU ns per call, or -1 if fn failed. */
static double per_call_ns(int (*fn)(void *), void *arg, double seconds, long min_iter)
{
    for (int i = 0; i < 3; i++) {
        if (!fn(arg)) {
            return -1;
        }
    }
    double t0 = thread_cpu_ns();
    double t1 = t0;
    long n = 0;
    while (n < min_iter || t1 - t0 < seconds * 1e9) {
        for (int i = 0; i < 8; i++) {
            if (!fn(arg)) {
                return -1;
            }
        }
        n += 8;
        t1 = thread_cpu_ns();
    }
    return (t1 - t0) / (double)n;
}

/* ---- Handshake operations ---- */

/* The keys and inputs of the asymmetric operations, made once. */
typedef struct hs_job {
    EVP_PKEY *rsa;            /* the RSA-2048 server key */
    EVP_PKEY *ec;             /* the P-256 server key */
    EVP_PKEY *x_own;          /* an X25519 key of "ours" for derive */
    unsigned char x_peer[32]; /* the peer's X25519 public value */
    X509 *rsa_leaf, *ec_leaf; /* the server certificates ... */
    EVP_PKEY *ca_pub;         /* ... and the CA key that signed them */
    unsigned char ct[512];    /* an RSA-encrypted 48-byte secret */
    size_t ct_len;
    unsigned char tbs[100]; /* client_random + server_random + X25519 ServerECDHParams (RFC 8422 5.4) */
    unsigned char ecdsa_sig[80], pss_sig[256];
    size_t ecdsa_sig_len, pss_sig_len;
    /* TLS 1.3 CertificateVerify content (RFC 8446 4.4.3): 64 spaces, the
     * context string, a zero byte, the SHA-256 transcript hash. */
    unsigned char cv[64 + 33 + 1 + 32];
    unsigned char ecdsa_cv_sig[80], pss_cv_sig[256];
    size_t ecdsa_cv_sig_len, pss_cv_sig_len;
    /* TLS 1.3 key schedule inputs: a transcript hash, the X25519 secret, a
     * resumption PSK, a ticket nonce, and Hash("") (a constant: RFC 8446
     * 7.1's Derive-Secret(., "derived", "")). */
    unsigned char th[32], dhe[32], psk[32], nonce[8], empty_hash[32];
    EVP_KDF *hkdf;
    EVP_MAC *hmac;
    int tls_padding; /* OP_RSA_DECRYPT with RSA_PKCS1_WITH_TLS_PADDING */
} hs_job;

static hs_job g_hs;

static int rsa_decrypt_once(hs_job *j)
{
    unsigned char out[512];
    size_t outlen = sizeof out;
    unsigned int cv = 0x0303;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, j->rsa, NULL);
    int ok = ctx != NULL && EVP_PKEY_decrypt_init(ctx) == 1;
    if (ok && j->tls_padding) {
        OSSL_PARAM params[2];
        params[0] = OSSL_PARAM_construct_uint(OSSL_ASYM_CIPHER_PARAM_TLS_CLIENT_VERSION, &cv);
        params[1] = OSSL_PARAM_construct_end();
        ok = EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_WITH_TLS_PADDING) == 1 &&
             EVP_PKEY_CTX_set_params(ctx, params) == 1;
    } else if (ok) {
        ok = EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) == 1;
    }
    ok = ok && EVP_PKEY_decrypt(ctx, out, &outlen, j->ct, j->ct_len) == 1 && outlen == 48 && out[0] == 3 && out[1] == 3;
    EVP_PKEY_CTX_free(ctx);
    return ok;
}

static int rsa_encrypt_once(hs_job *j, unsigned char *out, size_t *outlen)
{
    unsigned char pms[48] = {3, 3};
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, j->rsa, NULL);
    int ok = ctx != NULL && RAND_bytes(pms + 2, 46) == 1 && EVP_PKEY_encrypt_init(ctx) == 1 &&
             EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) == 1 &&
             EVP_PKEY_encrypt(ctx, out, outlen, pms, sizeof pms) == 1;
    EVP_PKEY_CTX_free(ctx);
    return ok;
}

static int x25519_keygen_once(hs_job *j)
{
    (void)j;
    unsigned char pub[32];
    size_t publen = sizeof pub;
    EVP_PKEY *k = NULL;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "X25519", NULL);
    int ok = ctx != NULL && EVP_PKEY_keygen_init(ctx) == 1 && EVP_PKEY_keygen(ctx, &k) == 1 &&
             EVP_PKEY_get_raw_public_key(k, pub, &publen) == 1 && publen == 32;
    EVP_PKEY_CTX_free(ctx);
    EVP_PKEY_free(k);
    return ok;
}

/* As both libraries do it: the peer's value becomes a key with our key's
 * parameters, then one derive (which checks the peer key). */
static int x25519_derive_once(hs_job *j)
{
    unsigned char secret[32];
    size_t len = sizeof secret;
    EVP_PKEY *peer = EVP_PKEY_new();
    EVP_PKEY_CTX *ctx = NULL;
    int ok = peer != NULL && EVP_PKEY_copy_parameters(peer, j->x_own) == 1 &&
             EVP_PKEY_set1_encoded_public_key(peer, j->x_peer, sizeof j->x_peer) == 1 &&
             (ctx = EVP_PKEY_CTX_new_from_pkey(NULL, j->x_own, NULL)) != NULL && EVP_PKEY_derive_init(ctx) == 1 &&
             EVP_PKEY_derive_set_peer(ctx, peer) == 1 && EVP_PKEY_derive(ctx, secret, &len) == 1 && len == 32;
    EVP_PKEY_CTX_free(ctx);
    EVP_PKEY_free(peer);
    return ok;
}

/* TLS 1.2 ServerKeyExchange signatures: ECDSA with SHA-256, or RSASSA-PSS
 * with SHA-256, MGF1-SHA-256 and a 32-byte salt (rsa_pss_rsae_sha256, RFC
 * 8446 4.2.3, which RFC 8422 and TLS 1.2 stacks use the same way). */
static int sig_init(EVP_MD_CTX *md, EVP_PKEY *key, int pss, int sign)
{
    EVP_PKEY_CTX *pctx = NULL;
    int ok = sign ? EVP_DigestSignInit_ex(md, &pctx, "SHA256", NULL, NULL, key, NULL) == 1
                  : EVP_DigestVerifyInit_ex(md, &pctx, "SHA256", NULL, NULL, key, NULL) == 1;
    if (ok && pss) {
        ok = EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
             EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) == 1;
    }
    return ok;
}

/* tls13: over the CertificateVerify content instead of the
 * ServerKeyExchange parameters (the same signature, 30 bytes more hashed). */
static int sign_once(hs_job *j, int pss, int tls13, unsigned char *sig, size_t *siglen)
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    const unsigned char *msg = tls13 ? j->cv : j->tbs;
    size_t len = tls13 ? sizeof j->cv : sizeof j->tbs;
    int ok = md != NULL && sig_init(md, pss ? j->rsa : j->ec, pss, 1) && EVP_DigestSign(md, sig, siglen, msg, len) == 1;
    EVP_MD_CTX_free(md);
    return ok;
}

static int verify_once(hs_job *j, int pss, int tls13)
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    const unsigned char *msg = tls13 ? j->cv : j->tbs;
    size_t len = tls13 ? sizeof j->cv : sizeof j->tbs;
    const unsigned char *sig = tls13 ? (pss ? j->pss_cv_sig : j->ecdsa_cv_sig) : (pss ? j->pss_sig : j->ecdsa_sig);
    size_t siglen = tls13 ? (pss ? j->pss_cv_sig_len : j->ecdsa_cv_sig_len) : (pss ? j->pss_sig_len : j->ecdsa_sig_len);
    int ok =
        md != NULL && sig_init(md, pss ? j->rsa : j->ec, pss, 0) && EVP_DigestVerify(md, sig, siglen, msg, len) == 1;
    EVP_MD_CTX_free(md);
    return ok;
}

/* ---- The TLS 1.3 key schedule (RFC 8446 7.1, 7.3, 4.4.4) ----
 *
 * Through libcrypto's "HKDF" KDF in extract-only and expand-only mode
 * with a new EVP_KDF_CTX per call, and "HMAC" with a new EVP_MAC_CTX per
 * Finished, as lucidtls calls them (libssl calls its "TLS13-KDF", which
 * is the same HMAC work behind a different front); the algorithms are
 * fetched once. SHA-256 throughout (TLS_AES_128_GCM_SHA256). */

static int hkdf_call(hs_job *j, int mode, const unsigned char *key, const unsigned char *salt,
                     const unsigned char *info, size_t info_len, unsigned char *out, size_t out_len)
{
    OSSL_PARAM params[6], *p = params;
    *p++ = OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode);
    *p++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, "SHA256", 0);
    *p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)key, 32);
    if (salt != NULL) {
        *p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *)salt, 32);
    }
    if (info != NULL) {
        *p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, (void *)info, info_len);
    }
    *p = OSSL_PARAM_construct_end();
    EVP_KDF_CTX *k = EVP_KDF_CTX_new(j->hkdf);
    int ok = k != NULL && EVP_KDF_derive(k, out, out_len, params) == 1;
    EVP_KDF_CTX_free(k);
    return ok;
}

/* HKDF-Extract(salt, IKM): the IKM is the KDF's key. */
static int ks_extract(hs_job *j, const unsigned char *salt, const unsigned char *ikm, unsigned char out[32])
{
    return hkdf_call(j, EVP_KDF_HKDF_MODE_EXTRACT_ONLY, ikm, salt, NULL, 0, out, 32);
}

/* HKDF-Expand-Label(secret, label, context, len) (RFC 8446 7.1). */
static int ks_expand(hs_job *j, const unsigned char *secret, const char *label, const unsigned char *ctx,
                     size_t ctx_len, unsigned char *out, size_t out_len)
{
    unsigned char info[2 + 1 + 255 + 1 + 255];
    size_t label_len = strlen(label), n = 0;
    info[n++] = (unsigned char)(out_len >> 8);
    info[n++] = (unsigned char)out_len;
    info[n++] = (unsigned char)(6 + label_len);
    memcpy(info + n, "tls13 ", 6);
    memcpy(info + n + 6, label, label_len);
    n += 6 + label_len;
    info[n++] = (unsigned char)ctx_len;
    if (ctx_len > 0) {
        memcpy(info + n, ctx, ctx_len);
        n += ctx_len;
    }
    return hkdf_call(j, EVP_KDF_HKDF_MODE_EXPAND_ONLY, secret, NULL, info, n, out, out_len);
}

static int ks_hmac(hs_job *j, const unsigned char key[32], const unsigned char *data, unsigned char out[32])
{
    size_t len = 0;
    OSSL_PARAM params[2];
    params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, "SHA256", 0);
    params[1] = OSSL_PARAM_construct_end();
    EVP_MAC_CTX *m = EVP_MAC_CTX_new(j->hmac);
    int ok = m != NULL && EVP_MAC_init(m, key, 32, params) == 1 && EVP_MAC_update(m, data, 32) == 1 &&
             EVP_MAC_final(m, out, &len, 32) == 1 && len == 32;
    EVP_MAC_CTX_free(m);
    return ok;
}

/* A traffic secret's key and IV (7.3); with finished, also its Finished
 * key and the Finished HMAC (4.4.4): the handshake traffic secrets. */
static int ks_traffic(hs_job *j, const unsigned char *from, const char *label, int finished)
{
    unsigned char secret[32], key[16], iv[12], fk[32], mac[32];
    int ok = ks_expand(j, from, label, j->th, 32, secret, 32) && ks_expand(j, secret, "key", NULL, 0, key, 16) &&
             ks_expand(j, secret, "iv", NULL, 0, iv, 12);
    if (ok && finished) {
        ok = ks_expand(j, secret, "finished", NULL, 0, fk, 32) && ks_hmac(j, fk, j->th, mac);
    }
    return ok;
}

/* One side's key schedule. Full: Extract(0, 0) early secret, Derive-Secret
 * "derived", Extract with the X25519 secret, both handshake traffic
 * secrets with their keys, IVs, Finished keys and Finished MACs, "derived",
 * Extract(0) master secret, both application traffic secrets with keys and
 * IVs, the exporter and resumption master secrets: 3 Extract + 18 Expand +
 * 2 HMAC. With a PSK: the early secret from the PSK, the binder key, its
 * Finished key and the binder HMAC (4.2.11.2), and the PSK of the ticket
 * this handshake issues (4.6.1): 3 Extract + 21 Expand + 3 HMAC. */
static int ks13_once(hs_job *j, int psk)
{
    static const unsigned char zeros[32];
    unsigned char early[32], derived[32], hs[32], master[32], s[32], fk[32], mac[32];
    int ok = ks_extract(j, zeros, psk ? j->psk : zeros, early);
    if (ok && psk) {
        ok = ks_expand(j, early, "res binder", j->empty_hash, 32, s, 32) &&
             ks_expand(j, s, "finished", NULL, 0, fk, 32) && ks_hmac(j, fk, j->th, mac);
    }
    ok = ok && ks_expand(j, early, "derived", j->empty_hash, 32, derived, 32) && ks_extract(j, derived, j->dhe, hs) &&
         ks_traffic(j, hs, "c hs traffic", 1) && ks_traffic(j, hs, "s hs traffic", 1) &&
         ks_expand(j, hs, "derived", j->empty_hash, 32, derived, 32) && ks_extract(j, derived, zeros, master) &&
         ks_traffic(j, master, "c ap traffic", 0) && ks_traffic(j, master, "s ap traffic", 0) &&
         ks_expand(j, master, "exp master", j->th, 32, s, 32) && ks_expand(j, master, "res master", j->th, 32, s, 32);
    if (ok && psk) {
        ok = ks_expand(j, s, "resumption", j->nonce, sizeof j->nonce, fk, 32);
    }
    return ok;
}

static int op_once(int op)
{
    hs_job *j = &g_hs;
    unsigned char out[512];
    size_t outlen = sizeof out;
    switch (op) {
    case OP_RSA_DECRYPT: return rsa_decrypt_once(j);
    case OP_RSA_ENCRYPT: return rsa_encrypt_once(j, out, &outlen);
    /* The check X509_verify_cert makes for the leaf: its signature under
     * the CA's key (the CA is the trust anchor: its self-signature is not
     * checked, in either library). */
    case OP_CERT_VERIFY: return X509_verify(j->rsa_leaf, j->ca_pub) == 1;
    case OP_CERT_VERIFY_EC: return X509_verify(j->ec_leaf, j->ca_pub) == 1;
    case OP_X25519_KEYGEN: return x25519_keygen_once(j);
    case OP_X25519_DERIVE: return x25519_derive_once(j);
    case OP_ECDSA_SIGN: return sign_once(j, 0, 0, out, &outlen);
    case OP_ECDSA_VERIFY: return verify_once(j, 0, 0);
    case OP_PSS_SIGN: return sign_once(j, 1, 0, out, &outlen);
    case OP_PSS_VERIFY: return verify_once(j, 1, 0);
    case OP_ECDSA_SIGN_CV: return sign_once(j, 0, 1, out, &outlen);
    case OP_ECDSA_VERIFY_CV: return verify_once(j, 0, 1);
    case OP_PSS_SIGN_CV: return sign_once(j, 1, 1, out, &outlen);
    case OP_PSS_VERIFY_CV: return verify_once(j, 1, 1);
    case OP_KS13_FULL: return ks13_once(j, 0);
    case OP_KS13_PSK: return ks13_once(j, 1);
    default: return 0;
    }
}

static EVP_PKEY *read_key(const char *pem)
{
    BIO *bio = BIO_new_mem_buf(pem, -1);
    EVP_PKEY *k = bio != NULL ? PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL) : NULL;
    BIO_free(bio);
    return k;
}

/* The leaf (first) and the CA (second) of a chain PEM. */
static int read_chain(const char *pem, X509 **leaf, X509 **ca)
{
    BIO *bio = BIO_new_mem_buf(pem, -1);
    *leaf = bio != NULL ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
    *ca = *leaf != NULL ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
    BIO_free(bio);
    return *ca != NULL;
}

int evp_hs_prepare(const bench_pki *pki)
{
    hs_job *j = &g_hs;
    X509 *ca = NULL, *ca2 = NULL;
    size_t publen = sizeof j->x_peer;
    EVP_PKEY *peer = NULL;
    memset(j, 0, sizeof *j);
    j->rsa = read_key(pki->key_pem);
    j->ec = read_key(pki->ec_key_pem);
    j->x_own = EVP_PKEY_Q_keygen(NULL, NULL, "X25519");
    peer = EVP_PKEY_Q_keygen(NULL, NULL, "X25519");
    j->ct_len = sizeof j->ct;
    j->ecdsa_sig_len = sizeof j->ecdsa_sig;
    j->pss_sig_len = sizeof j->pss_sig;
    j->ecdsa_cv_sig_len = sizeof j->ecdsa_cv_sig;
    j->pss_cv_sig_len = sizeof j->pss_cv_sig;
    unsigned int hlen = 0;
    j->hkdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
    j->hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    memset(j->cv, ' ', 64);
    memcpy(j->cv + 64, "TLS 1.3, server CertificateVerify", 33);
    j->cv[97] = 0;
    int ok = j->rsa != NULL && j->ec != NULL && j->x_own != NULL && peer != NULL &&
             EVP_PKEY_get_raw_public_key(peer, j->x_peer, &publen) == 1 && publen == 32 &&
             read_chain(pki->chain_pem, &j->rsa_leaf, &ca) && read_chain(pki->ec_chain_pem, &j->ec_leaf, &ca2) &&
             (j->ca_pub = X509_get_pubkey(ca)) != NULL && RAND_bytes(j->tbs, 64) == 1 &&
             rsa_encrypt_once(j, j->ct, &j->ct_len);
    /* ServerECDHParams: named_curve (3), x25519 (29), a 32-byte point. */
    j->tbs[64] = 3;
    j->tbs[65] = 0;
    j->tbs[66] = 29;
    j->tbs[67] = 32;
    memcpy(j->tbs + 68, j->x_peer, 32);
    ok = ok && j->hkdf != NULL && j->hmac != NULL && RAND_bytes(j->cv + 98, 32) == 1 &&
         RAND_bytes(j->th, sizeof j->th) == 1 && RAND_bytes(j->dhe, sizeof j->dhe) == 1 &&
         RAND_bytes(j->psk, sizeof j->psk) == 1 && RAND_bytes(j->nonce, sizeof j->nonce) == 1 &&
         EVP_Digest("", 0, j->empty_hash, &hlen, EVP_sha256(), NULL) == 1 && hlen == 32;
    ok = ok && sign_once(j, 0, 0, j->ecdsa_sig, &j->ecdsa_sig_len) && sign_once(j, 1, 0, j->pss_sig, &j->pss_sig_len) &&
         sign_once(j, 0, 1, j->ecdsa_cv_sig, &j->ecdsa_cv_sig_len) &&
         sign_once(j, 1, 1, j->pss_cv_sig, &j->pss_cv_sig_len);
    X509_free(ca);
    X509_free(ca2);
    EVP_PKEY_free(peer);
    for (int op = 0; ok && op < OP_COUNT; op++) {
        ok = op_once(op);
    }
    ERR_clear_error();
    return ok ? 0 : -1;
}

double evp_op_us(int op, int n)
{
    double t0 = thread_cpu_ns();
    for (int i = 0; i < n; i++) {
        if (!op_once(op)) {
            ERR_clear_error();
            return -1;
        }
    }
    return (thread_cpu_ns() - t0) / n / 1e3;
}

/* What each side of a handshake computes with its keys.
 * TLS 1.2. Server: RSA key transport decrypts the premaster secret; ECDHE
 * makes a key pair, derives the shared secret and signs ServerKeyExchange.
 * Client: RSA encrypts the premaster secret; ECDHE makes a key pair,
 * derives, and verifies ServerKeyExchange; both verify the leaf
 * certificate's signature (one check: the CA is the trust anchor). The
 * TLS 1.2 PRF is not in the floor (it is in the overhead, as it always was).
 * TLS 1.3, full. Both: X25519 keygen + derive and the key schedule (HKDF,
 * the Finished MACs); the server signs CertificateVerify, the client
 * verifies it and the leaf certificate.
 * TLS 1.3, resumed with psk_dhe_ke: X25519 keygen + derive and the key
 * schedule with the PSK and binder, on each side; no signature and no
 * certificate. (Ticket sealing and opening is not in the floor: the two
 * libraries seal tickets differently, lucidtls with AES-256-GCM, libssl
 * with AES-256-CBC + HMAC-SHA256.) */
int evp_hs_floor_ops(int fl, int side, int ops[6])
{
    int n = 0;
    int client = side == SIDE_CLIENT;
    switch (fl) {
    case FLOOR_RSA_KT: ops[n++] = client ? OP_RSA_ENCRYPT : OP_RSA_DECRYPT; break;
    case FLOOR_ECDHE_RSA:
    case FLOOR_ECDHE_ECDSA:
    case FLOOR_TLS13_RSA:
    case FLOOR_TLS13_ECDSA:
    case FLOOR_TLS13_PSK:
        ops[n++] = OP_X25519_KEYGEN;
        ops[n++] = OP_X25519_DERIVE;
        break;
    default: return 0;
    }
    switch (fl) {
    case FLOOR_ECDHE_RSA: ops[n++] = client ? OP_PSS_VERIFY : OP_PSS_SIGN; break;
    case FLOOR_ECDHE_ECDSA: ops[n++] = client ? OP_ECDSA_VERIFY : OP_ECDSA_SIGN; break;
    case FLOOR_TLS13_RSA: ops[n++] = client ? OP_PSS_VERIFY_CV : OP_PSS_SIGN_CV; break;
    case FLOOR_TLS13_ECDSA: ops[n++] = client ? OP_ECDSA_VERIFY_CV : OP_ECDSA_SIGN_CV; break;
    default: break;
    }
    if (client && fl != FLOOR_TLS13_PSK) {
        ops[n++] = fl == FLOOR_ECDHE_ECDSA || fl == FLOOR_TLS13_ECDSA ? OP_CERT_VERIFY_EC : OP_CERT_VERIFY;
    }
    if (fl == FLOOR_TLS13_RSA || fl == FLOOR_TLS13_ECDSA) {
        ops[n++] = OP_KS13_FULL;
    } else if (fl == FLOOR_TLS13_PSK) {
        ops[n++] = OP_KS13_PSK;
    }
    return n;
}

int case_floor(const bench_case *cs)
{
    if (!cs->tls13) {
        return cs->resume ? -1 : cs->kx;
    }
    if (cs->resume) {
        return FLOOR_TLS13_PSK;
    }
    return cs->kx == KX_ECDHE_ECDSA ? FLOOR_TLS13_ECDSA : FLOOR_TLS13_RSA;
}

const char *floor_name(int fl)
{
    static const char *const names[FLOOR_COUNT] = {"RSA key transport", "ECDHE-RSA",     "ECDHE-ECDSA",
                                                   "TLS 1.3 RSA-2048",  "TLS 1.3 ECDSA", "TLS 1.3 resumed (PSK)"};
    return fl >= 0 && fl < FLOOR_COUNT ? names[fl] : "?";
}

int evp_hs_floor_run(int fl, int side)
{
    int ops[6];
    int k = evp_hs_floor_ops(fl, side, ops);
    for (int i = 0; i < k; i++) {
        if (!op_once(ops[i])) {
            ERR_clear_error();
            return 0;
        }
    }
    return k > 0;
}

double evp_hs_floor_us(int fl, int side, int n)
{
    int ops[6];
    int k = evp_hs_floor_ops(fl, side, ops);
    double sum = 0;
    for (int i = 0; i < k; i++) {
        double us = evp_op_us(ops[i], n);
        if (us <= 0) {
            return -1;
        }
        sum += us;
    }
    return k > 0 ? sum : -1;
}

const char *evp_op_name(int op)
{
    static const char *const names[OP_COUNT] = {"RSA decrypt",
                                                "RSA encrypt",
                                                "leaf cert verify (RSA-2048, SHA-256)",
                                                "leaf cert verify (RSA-2048, SHA-256)",
                                                "X25519 keygen",
                                                "derive",
                                                "ECDSA sign",
                                                "ECDSA verify",
                                                "RSA-PSS sign",
                                                "RSA-PSS verify",
                                                "ECDSA sign (CertificateVerify)",
                                                "ECDSA verify (CertificateVerify)",
                                                "RSA-PSS sign (CertificateVerify)",
                                                "RSA-PSS verify (CertificateVerify)",
                                                "key schedule (HKDF + Finished HMACs)",
                                                "PSK key schedule (HKDF + binder + Finished HMACs)"};
    return op >= 0 && op < OP_COUNT ? names[op] : "?";
}

const char *evp_hs_floor_text(int fl, int side)
{
    static char text[FLOOR_COUNT][2][192];
    if (fl < 0 || fl >= FLOOR_COUNT) {
        return "?";
    }
    char *t = text[fl][side == SIDE_SERVER];
    int ops[6];
    int k = evp_hs_floor_ops(fl, side, ops);
    t[0] = '\0';
    for (int i = 0; i < k; i++) {
        size_t used = strlen(t);
        snprintf(t + used, sizeof text[0][0] - used, "%s%s", i ? " + " : "", evp_op_name(ops[i]));
    }
    return t;
}

/* ---- Record ciphers ---- */

typedef struct rec_job {
    EVP_CIPHER_CTX *enc;
    EVP_CIPHER_CTX *dec;
    EVP_MAC_CTX *mac_enc;
    EVP_MAC_CTX *mac_dec;
    unsigned char buf[BUF + 256];
    unsigned char tag[32];
    uint64_t seq;
    int open_too;
    size_t aad_len; /* 13 (TLS 1.2: seq, type, version, length) or 5 (TLS 1.3: the record header) */
    size_t pt_len;  /* bytes sealed per 16 KiB of payload: 16384, or 16385 in TLS 1.3 (+ the content type) */
} rec_job;

static int gcm_once(void *arg)
{
    rec_job *j = arg;
    unsigned char nonce[12] = {1, 2, 3, 4};
    unsigned char aad[13] = {0};
    int outl = 0, tmp = 0;
    int aad_len = (int)j->aad_len, pt_len = (int)j->pt_len;
    OSSL_PARAM params[2];
    j->seq++;
    memcpy(nonce + 4, &j->seq, 8);
    memcpy(aad, &j->seq, 8);
    if (EVP_EncryptInit_ex2(j->enc, NULL, NULL, nonce, NULL) != 1 ||
        EVP_EncryptUpdate(j->enc, NULL, &tmp, aad, aad_len) != 1 ||
        EVP_EncryptUpdate(j->enc, j->buf, &outl, j->buf, pt_len) != 1 ||
        EVP_EncryptFinal_ex(j->enc, j->buf + outl, &tmp) != 1) {
        return 0;
    }
    params[0] = OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG, j->tag, 16);
    params[1] = OSSL_PARAM_construct_end();
    if (EVP_CIPHER_CTX_get_params(j->enc, params) != 1) {
        return 0;
    }
    if (!j->open_too) {
        return 1;
    }
    return EVP_DecryptInit_ex2(j->dec, NULL, NULL, nonce, NULL) == 1 &&
           EVP_DecryptUpdate(j->dec, NULL, &tmp, aad, aad_len) == 1 &&
           EVP_DecryptUpdate(j->dec, j->buf, &outl, j->buf, pt_len) == 1 &&
           EVP_CIPHER_CTX_set_params(j->dec, params) == 1 && EVP_DecryptFinal_ex(j->dec, j->buf + outl, &tmp) == 1;
}

/* MAC-then-encrypt with separate passes: HMAC-SHA256 over header and
 * plaintext, minimal padding, AES-128-CBC with a fresh IV; open decrypts
 * and recomputes the HMAC (no constant-time machinery: a limit). */
static int cbc_once(void *arg)
{
    rec_job *j = arg;
    unsigned char iv[16];
    unsigned char hdr[13] = {0};
    unsigned char mac[32];
    size_t maclen = 0;
    int outl = 0;
    const size_t total = BUF + 32 + 16; /* 16384 + MAC + 16 bytes of padding */
    j->seq++;
    memcpy(hdr, &j->seq, 8);
    memcpy(iv, &j->seq, 8);
    memcpy(iv + 8, &j->seq, 8);
    if (EVP_MAC_init(j->mac_enc, NULL, 0, NULL) != 1 || EVP_MAC_update(j->mac_enc, hdr, sizeof hdr) != 1 ||
        EVP_MAC_update(j->mac_enc, j->buf, BUF) != 1 || EVP_MAC_final(j->mac_enc, j->buf + BUF, &maclen, 32) != 1) {
        return 0;
    }
    memset(j->buf + BUF + 32, 15, 16);
    if (EVP_EncryptInit_ex2(j->enc, NULL, NULL, iv, NULL) != 1 ||
        EVP_EncryptUpdate(j->enc, j->buf, &outl, j->buf, (int)total) != 1) {
        return 0;
    }
    if (!j->open_too) {
        return 1;
    }
    if (EVP_DecryptInit_ex2(j->dec, NULL, NULL, iv, NULL) != 1 ||
        EVP_DecryptUpdate(j->dec, j->buf, &outl, j->buf, (int)total) != 1) {
        return 0;
    }
    return EVP_MAC_init(j->mac_dec, NULL, 0, NULL) == 1 && EVP_MAC_update(j->mac_dec, hdr, sizeof hdr) == 1 &&
           EVP_MAC_update(j->mac_dec, j->buf, BUF) == 1 && EVP_MAC_final(j->mac_dec, mac, &maclen, 32) == 1 &&
           memcmp(mac, j->buf + BUF, 32) == 0;
}

/* Encrypt-then-MAC (RFC 7366): AES-128-CBC over plaintext + padding with
 * a fresh IV, then HMAC-SHA256 over the header, the IV and the ciphertext;
 * open checks the MAC first, then decrypts. */
static int etm_once(void *arg)
{
    rec_job *j = arg;
    unsigned char iv[16];
    unsigned char hdr[13] = {0};
    unsigned char mac[32];
    size_t maclen = 0;
    int outl = 0;
    const size_t total = BUF + 16; /* 16384 + 16 bytes of padding */
    j->seq++;
    memcpy(hdr, &j->seq, 8);
    memcpy(iv, &j->seq, 8);
    memcpy(iv + 8, &j->seq, 8);
    memset(j->buf + BUF, 15, 16);
    if (EVP_EncryptInit_ex2(j->enc, NULL, NULL, iv, NULL) != 1 ||
        EVP_EncryptUpdate(j->enc, j->buf, &outl, j->buf, (int)total) != 1 ||
        EVP_MAC_init(j->mac_enc, NULL, 0, NULL) != 1 || EVP_MAC_update(j->mac_enc, hdr, sizeof hdr) != 1 ||
        EVP_MAC_update(j->mac_enc, iv, sizeof iv) != 1 || EVP_MAC_update(j->mac_enc, j->buf, total) != 1 ||
        EVP_MAC_final(j->mac_enc, j->buf + total, &maclen, 32) != 1) {
        return 0;
    }
    if (!j->open_too) {
        return 1;
    }
    return EVP_MAC_init(j->mac_dec, NULL, 0, NULL) == 1 && EVP_MAC_update(j->mac_dec, hdr, sizeof hdr) == 1 &&
           EVP_MAC_update(j->mac_dec, iv, sizeof iv) == 1 && EVP_MAC_update(j->mac_dec, j->buf, total) == 1 &&
           EVP_MAC_final(j->mac_dec, mac, &maclen, 32) == 1 && memcmp(mac, j->buf + total, 32) == 0 &&
           EVP_DecryptInit_ex2(j->dec, NULL, NULL, iv, NULL) == 1 &&
           EVP_DecryptUpdate(j->dec, j->buf, &outl, j->buf, (int)total) == 1;
}

/* libssl's "stitched" AES-128-CBC-HMAC-SHA256 (one pass, AES-NI + SHA
 * interleaved), driven the way libssl 3.0's tls1_enc drives it for a TLS 1.2
 * MAC-then-encrypt record: explicit IV block, then the 13-byte AAD through
 * EVP_CTRL_AEAD_TLS1_AAD (which returns MAC + padding length), then one
 * EVP_Cipher over IV + plaintext + room for MAC and padding. */
typedef struct stitched_job {
    EVP_CIPHER_CTX *ctx;
    unsigned char buf[16 + BUF + 64];
    uint64_t seq;
} stitched_job;

static int stitched_once(void *arg)
{
    stitched_job *j = arg;
    unsigned char aad[13] = {0};
    size_t len = 16 + BUF;
    j->seq++;
    memcpy(aad, &j->seq, 8);
    aad[8] = 23;
    aad[9] = 3;
    aad[10] = 3;
    aad[11] = (unsigned char)(len >> 8);
    aad[12] = (unsigned char)len;
    memcpy(j->buf, &j->seq, 8); /* the explicit IV */
    int pad = EVP_CIPHER_CTX_ctrl(j->ctx, EVP_CTRL_AEAD_TLS1_AAD, sizeof aad, aad);
    if (pad <= 0 || pad > 64) {
        return 0;
    }
    return EVP_Cipher(j->ctx, j->buf, j->buf, (unsigned int)(len + (size_t)pad)) > 0;
}

static double stitched_measure(double seconds)
{
    stitched_job *j = calloc(1, sizeof *j);
    EVP_CIPHER *c = EVP_CIPHER_fetch(NULL, "AES-128-CBC-HMAC-SHA256", NULL);
    unsigned char key[16] = {7}, iv[16] = {0}, mackey[32] = {9};
    double r = 0;
    if (j != NULL && c != NULL && (j->ctx = EVP_CIPHER_CTX_new()) != NULL &&
        EVP_EncryptInit_ex(j->ctx, c, NULL, key, iv) == 1 &&
        EVP_CIPHER_CTX_ctrl(j->ctx, EVP_CTRL_AEAD_SET_MAC_KEY, sizeof mackey, mackey) == 1) {
        unsigned int ver = 0x0303;
        OSSL_PARAM params[2];
        params[0] = OSSL_PARAM_construct_uint(OSSL_CIPHER_PARAM_TLS_VERSION, &ver);
        params[1] = OSSL_PARAM_construct_end();
        if (EVP_CIPHER_CTX_set_params(j->ctx, params) == 1) {
            double ns = per_call_ns(stitched_once, j, seconds, 200);
            r = ns > 0 ? BUF / ns * 1e3 : 0;
        }
    }
    ERR_clear_error();
    if (j != NULL) {
        EVP_CIPHER_CTX_free(j->ctx);
    }
    EVP_CIPHER_free(c);
    free(j);
    return r;
}

static int rec_job_init(rec_job *j, const char *cipher, int mac)
{
    unsigned char key[32] = {1, 2, 3}, iv[16] = {0}, mackey[32] = {5, 6};
    j->aad_len = 13;
    j->pt_len = BUF;
    EVP_CIPHER *c = EVP_CIPHER_fetch(NULL, cipher, NULL);
    j->enc = EVP_CIPHER_CTX_new();
    j->dec = EVP_CIPHER_CTX_new();
    int ok = c != NULL && j->enc != NULL && j->dec != NULL && EVP_EncryptInit_ex2(j->enc, c, key, iv, NULL) == 1 &&
             EVP_DecryptInit_ex2(j->dec, c, key, iv, NULL) == 1;
    EVP_CIPHER_free(c);
    if (ok && mac) {
        EVP_MAC *m = EVP_MAC_fetch(NULL, "HMAC", NULL);
        OSSL_PARAM params[2];
        params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, "SHA256", 0);
        params[1] = OSSL_PARAM_construct_end();
        j->mac_enc = m != NULL ? EVP_MAC_CTX_new(m) : NULL;
        j->mac_dec = m != NULL ? EVP_MAC_CTX_new(m) : NULL;
        ok = j->mac_enc != NULL && j->mac_dec != NULL && EVP_MAC_init(j->mac_enc, mackey, 32, params) == 1 &&
             EVP_MAC_init(j->mac_dec, mackey, 32, params) == 1 && EVP_CIPHER_CTX_set_padding(j->enc, 0) == 1 &&
             EVP_CIPHER_CTX_set_padding(j->dec, 0) == 1;
        EVP_MAC_free(m);
    }
    return ok;
}

static void rec_job_free(rec_job *j)
{
    EVP_CIPHER_CTX_free(j->enc);
    EVP_CIPHER_CTX_free(j->dec);
    EVP_MAC_CTX_free(j->mac_enc);
    EVP_MAC_CTX_free(j->mac_dec);
}

/* The bulk limits, timed in the same rounds as the bulk test. */
static rec_job g_rec[BULK_COUNT];
static int (*const rec_fn[BULK_COUNT])(void *) = {gcm_once, cbc_once, etm_once, gcm_once, gcm_once, gcm_once, gcm_once};
static const char *const rec_cipher[BULK_COUNT] = {"AES-128-GCM",       "AES-128-CBC", "AES-128-CBC",
                                                   "ChaCha20-Poly1305", "AES-128-GCM", "AES-256-GCM",
                                                   "ChaCha20-Poly1305"};
static const int rec_mac[BULK_COUNT] = {0, 1, 1, 0, 0, 0, 0};

/* TLS 1.3 (RFC 8446 5.2): the AAD is the 5-byte record header, and the
 * sealed plaintext carries the content type byte after the data. */
static void rec_job_tls13(rec_job *j)
{
    j->aad_len = 5;
    j->pt_len = BUF + 1;
}

int evp_bulk_prepare(void)
{
    for (int i = 0; i < BULK_COUNT; i++) {
        if (!rec_job_init(&g_rec[i], rec_cipher[i], rec_mac[i])) {
            return -1;
        }
        if (i >= BULK_GCM13) {
            rec_job_tls13(&g_rec[i]);
        }
        g_rec[i].open_too = 1;
    }
    return 0;
}

double evp_bulk_mbs(int bulk, int n)
{
    rec_job *j = &g_rec[bulk];
    double t0 = thread_cpu_ns();
    for (int i = 0; i < n; i++) {
        if (!rec_fn[bulk](j)) {
            return -1;
        }
    }
    return (double)n * BUF / (thread_cpu_ns() - t0) * 1e3;
}

static double mbs(double ns_per_buf)
{
    return ns_per_buf > 0 ? (double)BUF / ns_per_buf * 1e3 : -1;
}

static int op_call(void *arg)
{
    return op_once(*(const int *)arg);
}

static double op_us(int op, double seconds, long min_iter)
{
    double ns = per_call_ns(op_call, &op, seconds, min_iter);
    return ns > 0 ? ns / 1e3 : -1;
}

/* Every floor once, at the start (evp_hs_prepare and evp_bulk_prepare
 * first). */
int evp_measure(double seconds, evp_floor *out, char *err, size_t errcap)
{
    memset(out, 0, sizeof *out);
    rec_job gj, cj, chj, ej;
    memset(&gj, 0, sizeof gj);
    memset(&cj, 0, sizeof cj);
    memset(&chj, 0, sizeof chj);
    memset(&ej, 0, sizeof ej);
    int rc = -1;

    /* Every operation once, in a warm loop; the RSA private-key ones get
     * the longest (they are the slowest), the TLS 1.3 ones less (the
     * signatures are the TLS 1.2 ones over 30 more bytes). */
    g_hs.tls_padding = 0;
    for (int op = 0; op < OP_COUNT; op++) {
        int slow = op == OP_RSA_DECRYPT || op == OP_PSS_SIGN || op == OP_PSS_SIGN_CV;
        double secs = slow ? seconds : op >= OP_ECDSA_SIGN_CV ? seconds / 4 : seconds / 2;
        out->op_us[op] = op_us(op, secs, slow ? 50 : 200);
        if (out->op_us[op] <= 0) {
            snprintf(err, errcap, "evp: %s failed", evp_op_name(op));
            goto out;
        }
    }
    out->rsa_dec_pkcs1_us = out->op_us[OP_RSA_DECRYPT];
    g_hs.tls_padding = 1;
    out->rsa_dec_tls_us = op_us(OP_RSA_DECRYPT, seconds, 50);
    g_hs.tls_padding = 0;
    out->rsa_enc_us = out->op_us[OP_RSA_ENCRYPT];
    out->rsa_verify_us = out->op_us[OP_CERT_VERIFY];
    out->x25519_keygen_us = out->op_us[OP_X25519_KEYGEN];
    out->x25519_derive_us = out->op_us[OP_X25519_DERIVE];
    out->ecdsa_sign_us = out->op_us[OP_ECDSA_SIGN];
    out->ecdsa_verify_us = out->op_us[OP_ECDSA_VERIFY];
    out->pss_sign_us = out->op_us[OP_PSS_SIGN];
    out->pss_verify_us = out->op_us[OP_PSS_VERIFY];
    if (out->rsa_dec_pkcs1_us <= 0 || out->rsa_dec_tls_us <= 0 || out->rsa_enc_us <= 0 || out->rsa_verify_us <= 0 ||
        out->x25519_keygen_us <= 0 || out->x25519_derive_us <= 0 || out->ecdsa_sign_us <= 0 ||
        out->ecdsa_verify_us <= 0 || out->pss_sign_us <= 0 || out->pss_verify_us <= 0) {
        snprintf(err, errcap, "evp: an asymmetric operation failed");
        goto out;
    }

    if (!rec_job_init(&gj, "AES-128-GCM", 0) || !rec_job_init(&cj, "AES-128-CBC", 1) ||
        !rec_job_init(&chj, "ChaCha20-Poly1305", 0) || !rec_job_init(&ej, "AES-128-CBC", 1)) {
        snprintf(err, errcap, "evp: cipher setup failed");
        goto out;
    }
    gj.open_too = 0;
    out->gcm_enc_mbs = mbs(per_call_ns(gcm_once, &gj, seconds, 500));
    gj.open_too = 1;
    out->gcm_seal_open_mbs = mbs(per_call_ns(gcm_once, &gj, seconds, 500));
    chj.open_too = 1;
    out->chacha_seal_open_mbs = mbs(per_call_ns(gcm_once, &chj, seconds, 200));
    cj.open_too = 0;
    out->cbc_enc_mbs = mbs(per_call_ns(cbc_once, &cj, seconds, 200));
    cj.open_too = 1;
    out->cbc_seal_open_mbs = mbs(per_call_ns(cbc_once, &cj, seconds, 200));
    ej.open_too = 1;
    out->etm_seal_open_mbs = mbs(per_call_ns(etm_once, &ej, seconds, 200));
    if (out->gcm_enc_mbs <= 0 || out->gcm_seal_open_mbs <= 0 || out->chacha_seal_open_mbs <= 0 ||
        out->cbc_enc_mbs <= 0 || out->cbc_seal_open_mbs <= 0 || out->etm_seal_open_mbs <= 0) {
        snprintf(err, errcap, "evp: a record cipher operation failed");
        goto out;
    }
    out->stitched_enc_mbs = stitched_measure(seconds);
    for (int i = 0; i < 3; i++) {
        double v = mbs(per_call_ns(gcm_once, &g_rec[BULK_GCM13 + i], seconds / 2, 200));
        if (v <= 0) {
            snprintf(err, errcap, "evp: a TLS 1.3 record cipher failed");
            goto out;
        }
        out->tls13_seal_open_mbs[i] = v;
    }
    rc = 0;

out:
    ERR_clear_error();
    rec_job_free(&gj);
    rec_job_free(&cj);
    rec_job_free(&chj);
    rec_job_free(&ej);
    return rc;
}
