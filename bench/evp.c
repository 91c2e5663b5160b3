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

static int sign_once(hs_job *j, int pss, unsigned char *sig, size_t *siglen)
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    int ok = md != NULL && sig_init(md, pss ? j->rsa : j->ec, pss, 1) &&
             EVP_DigestSign(md, sig, siglen, j->tbs, sizeof j->tbs) == 1;
    EVP_MD_CTX_free(md);
    return ok;
}

static int verify_once(hs_job *j, int pss)
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    int ok = md != NULL && sig_init(md, pss ? j->rsa : j->ec, pss, 0) &&
             EVP_DigestVerify(md, pss ? j->pss_sig : j->ecdsa_sig, pss ? j->pss_sig_len : j->ecdsa_sig_len, j->tbs,
                              sizeof j->tbs) == 1;
    EVP_MD_CTX_free(md);
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
    case OP_ECDSA_SIGN: return sign_once(j, 0, out, &outlen);
    case OP_ECDSA_VERIFY: return verify_once(j, 0);
    case OP_PSS_SIGN: return sign_once(j, 1, out, &outlen);
    case OP_PSS_VERIFY: return verify_once(j, 1);
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
    ok = ok && sign_once(j, 0, j->ecdsa_sig, &j->ecdsa_sig_len) && sign_once(j, 1, j->pss_sig, &j->pss_sig_len);
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

/* What each side of a full handshake computes with its keys. Server:
 * RSA key transport decrypts the premaster secret; ECDHE makes a key pair,
 * derives the shared secret and signs ServerKeyExchange. Client: RSA
 * encrypts the premaster secret; ECDHE makes a key pair, derives, and
 * verifies ServerKeyExchange; both verify the leaf certificate's signature
 * (one check: the CA is the trust anchor). */
static int floor_ops(int kx, int side, int ops[4])
{
    int n = 0;
    if (kx == KX_RSA) {
        ops[n++] = side == SIDE_SERVER ? OP_RSA_DECRYPT : OP_RSA_ENCRYPT;
    } else {
        ops[n++] = OP_X25519_KEYGEN;
        ops[n++] = OP_X25519_DERIVE;
        if (side == SIDE_SERVER) {
            ops[n++] = kx == KX_ECDHE_ECDSA ? OP_ECDSA_SIGN : OP_PSS_SIGN;
        } else {
            ops[n++] = kx == KX_ECDHE_ECDSA ? OP_ECDSA_VERIFY : OP_PSS_VERIFY;
        }
    }
    if (side == SIDE_CLIENT) {
        ops[n++] = kx == KX_ECDHE_ECDSA ? OP_CERT_VERIFY_EC : OP_CERT_VERIFY;
    }
    return n;
}

int evp_hs_floor_run(int kx, int side)
{
    int ops[4];
    int k = floor_ops(kx, side, ops);
    for (int i = 0; i < k; i++) {
        if (!op_once(ops[i])) {
            ERR_clear_error();
            return 0;
        }
    }
    return 1;
}

double evp_hs_floor_us(int kx, int side, int n)
{
    int ops[4];
    int k = floor_ops(kx, side, ops);
    double sum = 0;
    for (int i = 0; i < k; i++) {
        double us = evp_op_us(ops[i], n);
        if (us <= 0) {
            return -1;
        }
        sum += us;
    }
    return sum;
}

const char *evp_hs_floor_text(int kx, int side)
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
                                                "RSA-PSS verify"};
    static char text[3][2][128];
    char *t = text[kx][side == SIDE_SERVER];
    int ops[4];
    int k = floor_ops(kx, side, ops);
    t[0] = '\0';
    for (int i = 0; i < k; i++) {
        size_t used = strlen(t);
        snprintf(t + used, sizeof text[0][0] - used, "%s%s", i ? " + " : "", names[ops[i]]);
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
} rec_job;

static int gcm_once(void *arg)
{
    rec_job *j = arg;
    unsigned char nonce[12] = {1, 2, 3, 4};
    unsigned char aad[13] = {0};
    int outl = 0, tmp = 0;
    OSSL_PARAM params[2];
    j->seq++;
    memcpy(nonce + 4, &j->seq, 8);
    memcpy(aad, &j->seq, 8);
    if (EVP_EncryptInit_ex2(j->enc, NULL, NULL, nonce, NULL) != 1 ||
        EVP_EncryptUpdate(j->enc, NULL, &tmp, aad, sizeof aad) != 1 ||
        EVP_EncryptUpdate(j->enc, j->buf, &outl, j->buf, BUF) != 1 ||
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
           EVP_DecryptUpdate(j->dec, NULL, &tmp, aad, sizeof aad) == 1 &&
           EVP_DecryptUpdate(j->dec, j->buf, &outl, j->buf, BUF) == 1 &&
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
static rec_job g_rec[4]; /* by BULK_* */
static int (*const rec_fn[4])(void *) = {gcm_once, cbc_once, etm_once, gcm_once};
static const char *const rec_cipher[4] = {"AES-128-GCM", "AES-128-CBC", "AES-128-CBC", "ChaCha20-Poly1305"};
static const int rec_mac[4] = {0, 1, 1, 0};

int evp_bulk_prepare(void)
{
    for (int i = 0; i < 4; i++) {
        if (!rec_job_init(&g_rec[i], rec_cipher[i], rec_mac[i])) {
            return -1;
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

    g_hs.tls_padding = 0;
    out->rsa_dec_pkcs1_us = op_us(OP_RSA_DECRYPT, seconds, 50);
    g_hs.tls_padding = 1;
    out->rsa_dec_tls_us = op_us(OP_RSA_DECRYPT, seconds, 50);
    g_hs.tls_padding = 0;
    out->rsa_enc_us = op_us(OP_RSA_ENCRYPT, seconds / 2, 200);
    out->rsa_verify_us = op_us(OP_CERT_VERIFY, seconds / 2, 200);
    out->x25519_keygen_us = op_us(OP_X25519_KEYGEN, seconds / 2, 200);
    out->x25519_derive_us = op_us(OP_X25519_DERIVE, seconds / 2, 200);
    out->ecdsa_sign_us = op_us(OP_ECDSA_SIGN, seconds / 2, 200);
    out->ecdsa_verify_us = op_us(OP_ECDSA_VERIFY, seconds / 2, 200);
    out->pss_sign_us = op_us(OP_PSS_SIGN, seconds, 50);
    out->pss_verify_us = op_us(OP_PSS_VERIFY, seconds / 2, 200);
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
    rc = 0;

out:
    ERR_clear_error();
    rec_job_free(&gj);
    rec_job_free(&cj);
    rec_job_free(&chj);
    rec_job_free(&ej);
    return rc;
}
