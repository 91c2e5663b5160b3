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

/* ---- RSA ---- */

typedef struct rsa_job {
    EVP_PKEY *key;
    unsigned char ct[512];
    size_t ct_len;
    unsigned char msg[1024];
    unsigned char sig[512];
    size_t sig_len;
    int tls_padding;
} rsa_job;

static int rsa_decrypt_once(void *arg)
{
    rsa_job *j = arg;
    unsigned char out[512];
    size_t outlen = sizeof out;
    unsigned int cv = 0x0303;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, j->key, NULL);
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

static int rsa_encrypt_once(void *arg)
{
    rsa_job *j = arg;
    unsigned char pms[48] = {3, 3};
    unsigned char out[512];
    size_t outlen = sizeof out;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, j->key, NULL);
    int ok = ctx != NULL && EVP_PKEY_encrypt_init(ctx) == 1 &&
             EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) == 1 &&
             EVP_PKEY_encrypt(ctx, out, &outlen, pms, sizeof pms) == 1;
    EVP_PKEY_CTX_free(ctx);
    return ok;
}

static int rsa_verify_once(void *arg)
{
    rsa_job *j = arg;
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    int ok = md != NULL && EVP_DigestVerifyInit_ex(md, NULL, "SHA256", NULL, NULL, j->key, NULL) == 1 &&
             EVP_DigestVerify(md, j->sig, j->sig_len, j->msg, sizeof j->msg) == 1;
    EVP_MD_CTX_free(md);
    return ok;
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
    unsigned char key[16] = {1, 2, 3}, iv[16] = {0}, mackey[32] = {5, 6};
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

/* The server's RSA decryption, timed in the same rounds as the handshakes
 * so that both see the same machine conditions. */
static rsa_job *g_rsa;

int evp_rsa_prepare(const bench_pki *pki)
{
    BIO *bio = BIO_new_mem_buf(pki->key_pem, -1);
    unsigned char pms[48] = {3, 3};
    g_rsa = calloc(1, sizeof *g_rsa);
    if (bio == NULL || g_rsa == NULL) {
        BIO_free(bio);
        return -1;
    }
    g_rsa->key = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
    BIO_free(bio);
    EVP_PKEY_CTX *ctx = g_rsa->key != NULL ? EVP_PKEY_CTX_new_from_pkey(NULL, g_rsa->key, NULL) : NULL;
    g_rsa->ct_len = sizeof g_rsa->ct;
    RAND_bytes(pms + 2, 46);
    int ok = ctx != NULL && EVP_PKEY_encrypt_init(ctx) == 1 &&
             EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) == 1 &&
             EVP_PKEY_encrypt(ctx, g_rsa->ct, &g_rsa->ct_len, pms, sizeof pms) == 1;
    EVP_PKEY_CTX_free(ctx);
    return ok ? 0 : -1;
}

double evp_rsa_decrypt_us(int n, int tls_padding)
{
    g_rsa->tls_padding = tls_padding;
    double t0 = thread_cpu_ns();
    for (int i = 0; i < n; i++) {
        if (!rsa_decrypt_once(g_rsa)) {
            return -1;
        }
    }
    return (thread_cpu_ns() - t0) / n / 1e3;
}

/* The bulk limits, timed in the same rounds as the bulk test. */
static rec_job *g_gcm, *g_cbc;

int evp_bulk_prepare(void)
{
    g_gcm = calloc(1, sizeof *g_gcm);
    g_cbc = calloc(1, sizeof *g_cbc);
    if (g_gcm == NULL || g_cbc == NULL || !rec_job_init(g_gcm, "AES-128-GCM", 0) ||
        !rec_job_init(g_cbc, "AES-128-CBC", 1)) {
        return -1;
    }
    g_gcm->open_too = 1;
    g_cbc->open_too = 1;
    return 0;
}

double evp_bulk_mbs(int gcm, int n)
{
    rec_job *j = gcm ? g_gcm : g_cbc;
    double t0 = thread_cpu_ns();
    for (int i = 0; i < n; i++) {
        if (!(gcm ? gcm_once(j) : cbc_once(j))) {
            return -1;
        }
    }
    return (double)n * BUF / (thread_cpu_ns() - t0) * 1e3;
}

static double mbs(double ns_per_buf)
{
    return ns_per_buf > 0 ? (double)BUF / ns_per_buf * 1e3 : -1;
}

int evp_measure(const bench_pki *pki, double seconds, evp_floor *out, char *err, size_t errcap)
{
    memset(out, 0, sizeof *out);
    rsa_job *rj = calloc(1, sizeof *rj);
    rec_job *gj = calloc(1, sizeof *gj);
    rec_job *cj = calloc(1, sizeof *cj);
    BIO *bio = BIO_new_mem_buf(pki->key_pem, -1);
    int rc = -1;
    if (rj == NULL || gj == NULL || cj == NULL || bio == NULL) {
        snprintf(err, errcap, "out of memory");
        goto out;
    }
    rj->key = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
    if (rj->key == NULL) {
        snprintf(err, errcap, "evp: cannot read the key");
        goto out;
    }

    /* The 48-byte secret, as a client would send it. */
    {
        unsigned char pms[48] = {3, 3};
        EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, rj->key, NULL);
        EVP_MD_CTX *md = EVP_MD_CTX_new();
        RAND_bytes(pms + 2, 46);
        RAND_bytes(rj->msg, sizeof rj->msg);
        rj->ct_len = sizeof rj->ct;
        rj->sig_len = sizeof rj->sig;
        int ok = ctx != NULL && md != NULL && EVP_PKEY_encrypt_init(ctx) == 1 &&
                 EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) == 1 &&
                 EVP_PKEY_encrypt(ctx, rj->ct, &rj->ct_len, pms, sizeof pms) == 1 &&
                 EVP_DigestSignInit_ex(md, NULL, "SHA256", NULL, NULL, rj->key, NULL) == 1 &&
                 EVP_DigestSign(md, rj->sig, &rj->sig_len, rj->msg, sizeof rj->msg) == 1;
        EVP_PKEY_CTX_free(ctx);
        EVP_MD_CTX_free(md);
        if (!ok) {
            snprintf(err, errcap, "evp: RSA setup failed");
            goto out;
        }
    }
    rj->tls_padding = 0;
    out->rsa_dec_pkcs1_us = per_call_ns(rsa_decrypt_once, rj, seconds, 50) / 1e3;
    rj->tls_padding = 1;
    out->rsa_dec_tls_us = per_call_ns(rsa_decrypt_once, rj, seconds, 50) / 1e3;
    out->rsa_enc_us = per_call_ns(rsa_encrypt_once, rj, seconds / 2, 200) / 1e3;
    out->rsa_verify_us = per_call_ns(rsa_verify_once, rj, seconds / 2, 200) / 1e3;
    if (out->rsa_dec_pkcs1_us <= 0 || out->rsa_dec_tls_us <= 0 || out->rsa_enc_us <= 0 || out->rsa_verify_us <= 0) {
        snprintf(err, errcap, "evp: an RSA operation failed");
        goto out;
    }

    if (!rec_job_init(gj, "AES-128-GCM", 0) || !rec_job_init(cj, "AES-128-CBC", 1)) {
        snprintf(err, errcap, "evp: cipher setup failed");
        goto out;
    }
    gj->open_too = 0;
    out->gcm_enc_mbs = mbs(per_call_ns(gcm_once, gj, seconds, 500));
    gj->open_too = 1;
    out->gcm_seal_open_mbs = mbs(per_call_ns(gcm_once, gj, seconds, 500));
    cj->open_too = 0;
    out->cbc_enc_mbs = mbs(per_call_ns(cbc_once, cj, seconds, 200));
    cj->open_too = 1;
    out->cbc_seal_open_mbs = mbs(per_call_ns(cbc_once, cj, seconds, 200));
    if (out->gcm_enc_mbs <= 0 || out->gcm_seal_open_mbs <= 0 || out->cbc_enc_mbs <= 0 || out->cbc_seal_open_mbs <= 0) {
        snprintf(err, errcap, "evp: a record cipher operation failed");
        goto out;
    }
    out->stitched_enc_mbs = stitched_measure(seconds);
    rc = 0;

out:
    ERR_clear_error();
    BIO_free(bio);
    if (rj != NULL) {
        EVP_PKEY_free(rj->key);
    }
    if (gj != NULL) {
        rec_job_free(gj);
    }
    if (cj != NULL) {
        rec_job_free(cj);
    }
    free(rj);
    free(gj);
    free(cj);
    return rc;
}
