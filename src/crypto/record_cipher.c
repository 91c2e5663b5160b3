/*
 * TLS 1.2 record protection: AES-CBC + HMAC (RFC 5246 6.2.3.2) and AES-GCM
 * (RFC 5288, RFC 5246 6.2.3.3).
 *
 * Every algorithm is fetched once per process. Each lt_rc keeps its cipher
 * context (keyed once, in lt_rc_new) and its keyed HMAC context; seal and open
 * only re-initialise them with a new IV or nonce, so our code allocates
 * nothing per record.
 *
 * CBC open and Lucky13. We use the constant-time machinery that OpenSSL 3.0's
 * own libssl uses, through libcrypto only:
 *   1. The decrypt context is put in "TLS mode" (OSSL_CIPHER_PARAM_TLS_VERSION
 *      = 0x0303 and OSSL_CIPHER_PARAM_TLS_MAC_SIZE). One EVP_DecryptUpdate
 *      over the whole fragment then decrypts it, drops the explicit IV block,
 *      checks the padding in constant time over the last 256 bytes, and
 *      copies the MAC out in constant time. When the padding is bad it hands
 *      back a random MAC instead (providers' tls1_cbc_remove_padding_and_mac).
 *      The returned length (plaintext without MAC and padding) is secret.
 *   2. The HMAC is computed by the HMAC provider's TLS mode
 *      (OSSL_MAC_PARAM_TLS_DATA_SIZE = the public length of plaintext + MAC +
 *      padding): first update = the 13-byte header (carrying the secret
 *      plaintext length), second update = the plaintext of the secret length.
 *      ssl3_cbc_digest_record then hashes the same number of compression
 *      blocks whatever the secret length is.
 *   3. We also recompute "padding good" ourselves with masks (the provider
 *      does not export it) and fold it with the CRYPTO_memcmp result into one
 *      word; the only branch is on that final word.
 * The HMAC provider's TLS mode is one-shot per context in OpenSSL 3.0 (its
 * "header seen" flag is never reset by EVP_MAC_init), so open duplicates the
 * keyed template context per record; that allocation happens inside libcrypto,
 * as does the one for the extracted MAC in the cipher provider. libssl 3.0
 * does the same (EVP_MD_CTX_copy per record).
 *
 * CBC seal and the stitched ciphers. When libcrypto offers the one-pass
 * "AES-{128,256}-CBC-HMAC-{SHA1,SHA256}" ciphers (x86-64 with AES-NI only;
 * EVP_CIPHER_fetch returns NULL elsewhere), a sealing lt_rc uses them the way
 * libssl 3.0 does for MAC-then-encrypt: the MAC key is set once
 * (OSSL_CIPHER_PARAM_AEAD_MAC_KEY), and per record
 * OSSL_CIPHER_PARAM_AEAD_TLS1_AAD takes seq_num || type || version ||
 * length, where length counts the explicit IV block that starts the input
 * (TLS 1.1+); the provider subtracts it before hashing the header and hands
 * back the MAC + padding length (OSSL_CIPHER_PARAM_AEAD_TLS1_AAD_PAD). One
 * EVP_EncryptUpdate then hashes the plaintext, appends the HMAC and the
 * minimal padding of RFC 5246 6.2.3.2, and CBC-encrypts everything from the
 * IV block on, chaining from the context's IV.
 *   The provider encrypts the IV block too, so to put our own explicit IV R
 * (fresh from lt_random) on the wire we feed it D_k(R) xor chain, where chain
 * is the context's current IV (the previous record's last ciphertext block):
 * the first output block is then E_k(D_k(R)) = R, and the rest is exactly
 * AES-CBC with IV R. The output is therefore byte for byte what the two-pass
 * path produces with the same R (one AES block decryption per record, with a
 * separate ECB context).
 *   Only sealing uses the stitched ciphers; open stays on the constant-time
 * path above. SHA-384 suites have no stitched cipher and always use the
 * two-pass path. LT_NO_STITCHED=1 in the environment (read once per process,
 * at the first lt_rc_new) turns the stitched path off.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "base/bytes.h"
#include "base/ct.h"
#include "base/limits.h"
#include "crypto/crypto.h"

#define LT_TLS12_WIRE_VERSION 0x0303u
#define CBC_BLOCK 16
#define GCM_EXPLICIT 8
#define GCM_TAG 16
#define GCM_SALT 4
#define MAC_HDR_LEN 13
#define MAX_MAC 48

static CRYPTO_ONCE rc_once = CRYPTO_ONCE_STATIC_INIT;
static EVP_CIPHER *ciph_aes128_cbc;
static EVP_CIPHER *ciph_aes256_cbc;
static EVP_CIPHER *ciph_aes128_gcm;
static EVP_CIPHER *ciph_aes256_gcm;
static EVP_MAC *mac_hmac;
/* Stitched seal (NULL when libcrypto does not offer them or LT_NO_STITCHED
 * is set) and the ECB ciphers that place the explicit IV. */
static EVP_CIPHER *ciph_aes128_sha1;
static EVP_CIPHER *ciph_aes256_sha1;
static EVP_CIPHER *ciph_aes128_sha256;
static EVP_CIPHER *ciph_aes256_sha256;
static EVP_CIPHER *ciph_aes128_ecb;
static EVP_CIPHER *ciph_aes256_ecb;
#ifdef LT_TEST_HOOKS
static int test_no_stitched;
#endif

/* A stitched cipher, or NULL: it must exist and be AEAD-flagged, as libssl
 * checks before driving it with the TLS1_AAD parameter. */
static EVP_CIPHER *fetch_stitched(const char *name)
{
    EVP_CIPHER *c = EVP_CIPHER_fetch(NULL, name, NULL);

    if (c != NULL && (EVP_CIPHER_get_flags(c) & EVP_CIPH_FLAG_AEAD_CIPHER) == 0) {
        EVP_CIPHER_free(c);
        c = NULL;
    }
    return c;
}

static void rc_fetch_all(void)
{
    const char *no_stitched = getenv("LT_NO_STITCHED");

    ciph_aes128_cbc = EVP_CIPHER_fetch(NULL, "AES-128-CBC", NULL);
    ciph_aes256_cbc = EVP_CIPHER_fetch(NULL, "AES-256-CBC", NULL);
    ciph_aes128_gcm = EVP_CIPHER_fetch(NULL, "AES-128-GCM", NULL);
    ciph_aes256_gcm = EVP_CIPHER_fetch(NULL, "AES-256-GCM", NULL);
    mac_hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    if (no_stitched != NULL && no_stitched[0] != '\0' && strcmp(no_stitched, "0") != 0) {
        return;
    }
    /* Fetching fails quietly on CPUs without AES-NI; do not leave that on
     * the error queue for someone else to find. */
    ERR_set_mark();
    ciph_aes128_sha1 = fetch_stitched("AES-128-CBC-HMAC-SHA1");
    ciph_aes256_sha1 = fetch_stitched("AES-256-CBC-HMAC-SHA1");
    ciph_aes128_sha256 = fetch_stitched("AES-128-CBC-HMAC-SHA256");
    ciph_aes256_sha256 = fetch_stitched("AES-256-CBC-HMAC-SHA256");
    ciph_aes128_ecb = EVP_CIPHER_fetch(NULL, "AES-128-ECB", NULL);
    ciph_aes256_ecb = EVP_CIPHER_fetch(NULL, "AES-256-ECB", NULL);
    ERR_pop_to_mark();
}

static const EVP_CIPHER *stitched_for(lt_cipher_alg c, lt_mac_alg m)
{
#ifdef LT_TEST_HOOKS
    if (test_no_stitched) {
        return NULL;
    }
#endif
    if (c == LT_CIPHER_AES_128_CBC && m == LT_MAC_HMAC_SHA1) {
        return ciph_aes128_sha1;
    }
    if (c == LT_CIPHER_AES_256_CBC && m == LT_MAC_HMAC_SHA1) {
        return ciph_aes256_sha1;
    }
    if (c == LT_CIPHER_AES_128_CBC && m == LT_MAC_HMAC_SHA256) {
        return ciph_aes128_sha256;
    }
    if (c == LT_CIPHER_AES_256_CBC && m == LT_MAC_HMAC_SHA256) {
        return ciph_aes256_sha256;
    }
    return NULL;
}

static const EVP_CIPHER *ecb_for(lt_cipher_alg c)
{
    return c == LT_CIPHER_AES_128_CBC ? ciph_aes128_ecb : c == LT_CIPHER_AES_256_CBC ? ciph_aes256_ecb : NULL;
}

static const EVP_CIPHER *cipher_for(lt_cipher_alg c)
{
    switch (c) {
    case LT_CIPHER_AES_128_CBC: return ciph_aes128_cbc;
    case LT_CIPHER_AES_256_CBC: return ciph_aes256_cbc;
    case LT_CIPHER_AES_128_GCM: return ciph_aes128_gcm;
    case LT_CIPHER_AES_256_GCM: return ciph_aes256_gcm;
    }
    return NULL;
}

static const char *mac_digest_name(lt_mac_alg m)
{
    switch (m) {
    case LT_MAC_HMAC_SHA1: return "SHA1";
    case LT_MAC_HMAC_SHA256: return "SHA256";
    case LT_MAC_HMAC_SHA384: return "SHA384";
    case LT_MAC_NONE: break;
    }
    return NULL;
}

static int is_gcm(lt_cipher_alg c)
{
    return c == LT_CIPHER_AES_128_GCM || c == LT_CIPHER_AES_256_GCM;
}

size_t lt_cipher_key_len(lt_cipher_alg c)
{
    switch (c) {
    case LT_CIPHER_AES_128_CBC:
    case LT_CIPHER_AES_128_GCM: return 16;
    case LT_CIPHER_AES_256_CBC:
    case LT_CIPHER_AES_256_GCM: return 32;
    }
    return 0;
}

size_t lt_cipher_fixed_iv_len(lt_cipher_alg c)
{
    /* RFC 5246 6.3: TLS 1.2 CBC uses explicit per-record IVs, so the key block
     * holds none; RFC 5288 3: GCM takes a 4-byte salt from the key block. */
    return is_gcm(c) ? GCM_SALT : 0;
}

size_t lt_mac_key_len(lt_mac_alg m)
{
    switch (m) {
    case LT_MAC_NONE: return 0;
    case LT_MAC_HMAC_SHA1: return 20;
    case LT_MAC_HMAC_SHA256: return 32;
    case LT_MAC_HMAC_SHA384: return 48;
    }
    return 0;
}

size_t lt_record_overhead(lt_cipher_alg c, lt_mac_alg m)
{
    if (is_gcm(c)) {
        return GCM_EXPLICIT + GCM_TAG;
    }
    /* IV + MAC + at most one block of minimal padding (we always pad
     * minimally, so padding plus its length byte is 1..16 bytes). */
    return CBC_BLOCK + lt_mac_key_len(m) + CBC_BLOCK;
}

struct lt_rc {
    lt_cipher_alg cipher;
    lt_mac_alg mac;
    int enc;
    int gcm;
    size_t mac_len;
    EVP_CIPHER_CTX *cctx;
    /* CBC open and two-pass seal: keyed HMAC. Seal re-initialises it per
     * record; open duplicates it per record (the provider's TLS mode is
     * one-shot). */
    EVP_MAC_CTX *hmac;
    uint8_t salt[GCM_SALT];
    /* CBC seal with a stitched cipher (cctx holds it, hmac is NULL). */
    int stitched;
    EVP_CIPHER_CTX *ecb;      /* AES-ECB decrypt under the same key: D_k(IV) */
    uint8_t chain[CBC_BLOCK]; /* cctx's current CBC IV */
    int chain_ok;             /* 0: chain unknown (start, or a failed seal) */
};

void lt_rc_free(lt_rc *rc)
{
    if (rc == NULL) {
        return;
    }
    /* The providers cleanse their key schedules and HMAC keys on free. */
    EVP_CIPHER_CTX_free(rc->cctx);
    EVP_CIPHER_CTX_free(rc->ecb);
    EVP_MAC_CTX_free(rc->hmac);
    OPENSSL_cleanse(rc, sizeof(*rc));
    free(rc);
}

/* Key the stitched cipher for sealing (RFC 5246 6.2.3.2 MAC-then-encrypt in
 * one pass). Returns 0 if anything is missing or refused; the caller then
 * falls back to the two-pass path. */
static int stitched_setup(lt_rc *rc, const uint8_t *enc_key, const uint8_t *mac_key)
{
    const EVP_CIPHER *st = stitched_for(rc->cipher, rc->mac);
    const EVP_CIPHER *ecb = ecb_for(rc->cipher);
    OSSL_PARAM params[2];

    if (st == NULL || ecb == NULL) {
        return 0;
    }
    rc->ecb = EVP_CIPHER_CTX_new();
    if (rc->ecb == NULL || EVP_CipherInit_ex2(rc->ecb, ecb, enc_key, NULL, 0, NULL) != 1 ||
        EVP_CIPHER_CTX_set_padding(rc->ecb, 0) != 1) {
        goto fail;
    }
    /* The key first (it resets the provider's HMAC state), then the MAC key
     * (EVP_CTRL_AEAD_SET_MAC_KEY in libssl's tls1_change_cipher_state). */
    params[0] = OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_AEAD_MAC_KEY, (void *)mac_key, rc->mac_len);
    params[1] = OSSL_PARAM_construct_end();
    memset(rc->chain, 0, sizeof(rc->chain));
    if (EVP_CipherInit_ex2(rc->cctx, st, enc_key, rc->chain, 1, NULL) != 1 ||
        EVP_CIPHER_CTX_set_params(rc->cctx, params) != 1) {
        goto fail;
    }
    rc->chain_ok = 1;
    rc->stitched = 1;
    return 1;

fail:
    EVP_CIPHER_CTX_free(rc->ecb);
    rc->ecb = NULL;
    EVP_CIPHER_CTX_reset(rc->cctx);
    return 0;
}

lt_rc *lt_rc_new(lt_cipher_alg c, lt_mac_alg m, int enc, const uint8_t *enc_key, const uint8_t *mac_key,
                 const uint8_t *fixed_iv)
{
    const EVP_CIPHER *cipher;
    uint8_t zero_iv[CBC_BLOCK] = {0};
    uint8_t nonce[GCM_SALT + GCM_EXPLICIT] = {0};
    lt_rc *rc;

    if (!CRYPTO_THREAD_run_once(&rc_once, rc_fetch_all)) {
        return NULL;
    }
    cipher = cipher_for(c);
    if (cipher == NULL || enc_key == NULL) {
        return NULL;
    }
    if (is_gcm(c)) {
        if (m != LT_MAC_NONE || fixed_iv == NULL) {
            return NULL;
        }
    } else if (mac_digest_name(m) == NULL || mac_key == NULL || mac_hmac == NULL) {
        return NULL;
    }

    rc = calloc(1, sizeof(*rc));
    if (rc == NULL) {
        return NULL;
    }
    rc->cipher = c;
    rc->mac = m;
    rc->enc = enc ? 1 : 0;
    rc->gcm = is_gcm(c);
    rc->mac_len = lt_mac_key_len(m);
    rc->cctx = EVP_CIPHER_CTX_new();
    if (rc->cctx == NULL) {
        goto fail;
    }

    if (rc->gcm) {
        memcpy(rc->salt, fixed_iv, GCM_SALT);
        /* Key once here; each record only sets its nonce. The default GCM IV
         * length is 12, which is what RFC 5288 3 uses. */
        if (EVP_CipherInit_ex2(rc->cctx, cipher, enc_key, nonce, rc->enc, NULL) != 1) {
            goto fail;
        }
        return rc;
    }

    /* CBC. Sealing: the stitched cipher when libcrypto has one. */
    if (rc->enc) {
        int ok;
        ERR_set_mark();
        ok = stitched_setup(rc, enc_key, mac_key);
        ERR_pop_to_mark();
        if (ok) {
            return rc;
        }
    }
    if (EVP_CipherInit_ex2(rc->cctx, cipher, enc_key, zero_iv, rc->enc, NULL) != 1) {
        goto fail;
    }
    if (rc->enc) {
        /* We add the TLS padding ourselves (RFC 5246 6.2.3.2). */
        if (EVP_CIPHER_CTX_set_padding(rc->cctx, 0) != 1) {
            goto fail;
        }
    } else {
        /* TLS mode: the provider strips the explicit IV, checks the padding
         * and extracts the MAC in constant time (see the top comment). */
        unsigned int version = LT_TLS12_WIRE_VERSION;
        size_t mac_size = rc->mac_len;
        OSSL_PARAM params[3];
        params[0] = OSSL_PARAM_construct_uint(OSSL_CIPHER_PARAM_TLS_VERSION, &version);
        params[1] = OSSL_PARAM_construct_size_t(OSSL_CIPHER_PARAM_TLS_MAC_SIZE, &mac_size);
        params[2] = OSSL_PARAM_construct_end();
        if (EVP_CIPHER_CTX_set_params(rc->cctx, params) != 1) {
            goto fail;
        }
    }

    {
        OSSL_PARAM params[2];
        params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)mac_digest_name(m), 0);
        params[1] = OSSL_PARAM_construct_end();
        rc->hmac = EVP_MAC_CTX_new(mac_hmac);
        if (rc->hmac == NULL || EVP_MAC_init(rc->hmac, mac_key, rc->mac_len, params) != 1) {
            goto fail;
        }
    }
    return rc;

fail:
    lt_rc_free(rc);
    return NULL;
}

size_t lt_rc_prefix_len(const lt_rc *rc)
{
    return rc->gcm ? GCM_EXPLICIT : CBC_BLOCK;
}

/* seq_num || type || version || length (RFC 5246 6.2.3.2 MAC input and
 * 6.2.3.3 additional_data have the same 13 bytes). */
static void build_hdr13(uint8_t out[MAC_HDR_LEN], uint64_t seq, const uint8_t header5[5], size_t len)
{
    lt_put_u64(out, seq);
    out[8] = header5[0];
    out[9] = header5[1];
    out[10] = header5[2];
    lt_put_u16(out + 11, (uint16_t)len);
}

/* ---- Constant-time helpers: masks are all-ones or all-zero. ---- */

/* Hide a value from the optimiser so it cannot turn mask arithmetic back
 * into branches. */
static inline size_t ct_barrier(size_t v)
{
    __asm__("" : "+r"(v));
    return v;
}

static inline size_t ct_msb(size_t a)
{
    return (size_t)0 - (ct_barrier(a) >> (sizeof(a) * 8 - 1));
}

/* a < b */
static inline size_t ct_lt(size_t a, size_t b)
{
    return ct_msb(a ^ ((a ^ b) | ((a - b) ^ b)));
}

static inline size_t ct_ge(size_t a, size_t b)
{
    return ~ct_lt(a, b);
}

static inline size_t ct_is_zero(size_t a)
{
    return ct_msb(~a & (a - 1));
}

static inline size_t ct_eq(size_t a, size_t b)
{
    return ct_is_zero(a ^ b);
}

/*
 * RFC 5246 6.2.3.2: every padding byte (and the length byte) MUST equal the
 * padding length. data[0..len) is plaintext || MAC || padding. Checks the
 * last min(256, len) bytes whatever the padding length says, so the work
 * depends only on the public len. Returns an all-ones mask when good.
 */
static size_t cbc_padding_good(const uint8_t *data, size_t len, size_t mac_len)
{
    size_t pad = data[len - 1];
    size_t good = ct_ge(len, mac_len + 1 + pad);
    size_t to_check = len < 256 ? len : 256; /* public */
    size_t i;

    for (i = 0; i < to_check; i++) {
        /* The barrier on i keeps the compiler from folding pad - i into
         * the address of the load below (memcheck flagged that at -O2). */
        size_t in_pad = ct_ge(pad, ct_barrier(i));
        size_t b = data[len - 1 - i];
        good &= ~(in_pad & (pad ^ b));
    }
    /* Any bad byte cleared one of the low 8 bits. */
    return good & ct_eq(good & 0xff, 0xff);
}

/* ---- GCM ---- */

static int gcm_seal(lt_rc *rc, uint64_t seq, uint8_t header5[5], uint8_t *buf, const uint8_t *pt, size_t pt_len,
                    size_t *frag_len)
{
    uint8_t nonce[GCM_SALT + GCM_EXPLICIT];
    uint8_t aad[MAC_HDR_LEN];
    uint8_t *body = buf + GCM_EXPLICIT;
    OSSL_PARAM params[2];
    int outl = 0;
    int tmp = 0;

    /* RFC 5288 3: nonce = salt || explicit; the explicit part goes on the
     * wire. We use the sequence number, which never repeats for a key. */
    lt_put_u64(buf, seq);
    memcpy(nonce, rc->salt, GCM_SALT);
    memcpy(nonce + GCM_SALT, buf, GCM_EXPLICIT);
    /* RFC 5246 6.2.3.3: additional_data carries the plaintext length. */
    build_hdr13(aad, seq, header5, pt_len);

    if (EVP_EncryptInit_ex2(rc->cctx, NULL, NULL, nonce, NULL) != 1 ||
        EVP_EncryptUpdate(rc->cctx, NULL, &tmp, aad, MAC_HDR_LEN) != 1) {
        return LT_ERR_CRYPTO;
    }
    if (pt_len > 0 && EVP_EncryptUpdate(rc->cctx, body, &outl, pt, (int)pt_len) != 1) {
        return LT_ERR_CRYPTO;
    }
    if (EVP_EncryptFinal_ex(rc->cctx, body + outl, &tmp) != 1 || (size_t)(outl + tmp) != pt_len) {
        return LT_ERR_CRYPTO;
    }
    params[0] = OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG, body + pt_len, GCM_TAG);
    params[1] = OSSL_PARAM_construct_end();
    if (EVP_CIPHER_CTX_get_params(rc->cctx, params) != 1) {
        return LT_ERR_CRYPTO;
    }
    *frag_len = GCM_EXPLICIT + pt_len + GCM_TAG;
    return LT_OK;
}

static int gcm_open(lt_rc *rc, uint64_t seq, const uint8_t header5[5], uint8_t *buf, size_t frag_len, uint8_t **pt,
                    size_t *pt_len)
{
    uint8_t nonce[GCM_SALT + GCM_EXPLICIT];
    uint8_t aad[MAC_HDR_LEN];
    uint8_t *body = buf + GCM_EXPLICIT;
    OSSL_PARAM params[2];
    size_t len;
    int outl = 0;
    int tmp = 0;
    int ok;

    /* Public length check: explicit nonce and tag must fit. */
    if (frag_len < GCM_EXPLICIT + GCM_TAG) {
        return LT_ERR_BAD_RECORD_MAC;
    }
    len = frag_len - GCM_EXPLICIT - GCM_TAG;
    memcpy(nonce, rc->salt, GCM_SALT);
    memcpy(nonce + GCM_SALT, buf, GCM_EXPLICIT);
    build_hdr13(aad, seq, header5, len);

    params[0] = OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG, body + len, GCM_TAG);
    params[1] = OSSL_PARAM_construct_end();
    ok = EVP_DecryptInit_ex2(rc->cctx, NULL, NULL, nonce, NULL) == 1 &&
         EVP_DecryptUpdate(rc->cctx, NULL, &tmp, aad, MAC_HDR_LEN) == 1 &&
         (len == 0 || EVP_DecryptUpdate(rc->cctx, body, &outl, body, (int)len) == 1) &&
         EVP_CIPHER_CTX_set_params(rc->cctx, params) == 1;
    /* The tag check happens in Final; whatever failed, the answer is the
     * same single alert (RFC 5246 6.2.3.3, 7.2.2 bad_record_mac). */
    ok = ok && EVP_DecryptFinal_ex(rc->cctx, body + outl, &tmp) == 1;
    if (!ok) {
        /* Never leave unauthenticated plaintext behind. */
        OPENSSL_cleanse(body, len);
        return LT_ERR_BAD_RECORD_MAC;
    }
    *pt = body;
    *pt_len = len;
    return LT_OK;
}

/* ---- CBC ---- */

static int cbc_seal(lt_rc *rc, uint64_t seq, uint8_t header5[5], uint8_t *buf, const uint8_t *pt, size_t pt_len,
                    size_t *frag_len)
{
    uint8_t hdr[MAC_HDR_LEN];
    uint8_t tail[MAX_MAC + CBC_BLOCK]; /* MAC || padding */
    uint8_t *body = buf + CBC_BLOCK;
    size_t mac_out = 0;
    size_t tail_len, pad, i;
    int outl = 0, outl2 = 0;

    /* RFC 5246 6.2.3.2: the IV SHOULD be chosen at random and MUST be
     * unpredictable. */
    LT_GUARD(lt_random(buf, CBC_BLOCK));

    /* MAC(MAC_write_key, seq_num + type + version + length + fragment). */
    build_hdr13(hdr, seq, header5, pt_len);
    if (EVP_MAC_init(rc->hmac, NULL, 0, NULL) != 1 || EVP_MAC_update(rc->hmac, hdr, MAC_HDR_LEN) != 1 ||
        (pt_len > 0 && EVP_MAC_update(rc->hmac, pt, pt_len) != 1) ||
        EVP_MAC_final(rc->hmac, tail, &mac_out, rc->mac_len) != 1 || mac_out != rc->mac_len) {
        return LT_ERR_CRYPTO;
    }

    /* Minimal padding: padding_length + 1 bytes, each equal to
     * padding_length, bringing the total to a multiple of the block. */
    pad = (CBC_BLOCK - (pt_len + rc->mac_len + 1) % CBC_BLOCK) % CBC_BLOCK;
    for (i = 0; i <= pad; i++) {
        tail[rc->mac_len + i] = (uint8_t)pad;
    }
    tail_len = rc->mac_len + pad + 1;

    /* Encrypt the plaintext from where it is (possibly the caller's buffer)
     * and then the tail; EVP carries a partial block across the calls. */
    if (EVP_EncryptInit_ex2(rc->cctx, NULL, NULL, buf, NULL) != 1 ||
        (pt_len > 0 && EVP_EncryptUpdate(rc->cctx, body, &outl, pt, (int)pt_len) != 1) ||
        EVP_EncryptUpdate(rc->cctx, body + outl, &outl2, tail, (int)tail_len) != 1 ||
        (size_t)outl + (size_t)outl2 != pt_len + tail_len) {
        OPENSSL_cleanse(tail, sizeof(tail));
        return LT_ERR_CRYPTO;
    }
    OPENSSL_cleanse(tail, sizeof(tail));
    *frag_len = CBC_BLOCK + pt_len + tail_len;
    return LT_OK;
}

/*
 * The same record as cbc_seal, in one pass through the stitched cipher
 * (RFC 5246 6.2.3.2: IV || AES-CBC(plaintext || MAC || padding), MAC over
 * seq_num || type || version || length || plaintext, minimal padding).
 */
static int cbc_seal_stitched(lt_rc *rc, uint64_t seq, uint8_t header5[5], uint8_t *buf, const uint8_t *pt,
                             size_t pt_len, size_t *frag_len)
{
    uint8_t iv[CBC_BLOCK];
    /* 13 bytes are used; the provider rewrites the length field in place. */
    uint8_t aad[MAC_HDR_LEN + 3] = {0};
    size_t data_len = (pt_len + rc->mac_len + 1 + CBC_BLOCK - 1) / CBC_BLOCK * CBC_BLOCK;
    size_t total = CBC_BLOCK + data_len;
    size_t pad_out = 0, i;
    OSSL_PARAM params[2];
    int n = 0, outl = 0;

    /* RFC 5246 6.2.3.2: the IV SHOULD be chosen at random and MUST be
     * unpredictable. */
    LT_GUARD(lt_random(iv, CBC_BLOCK));

    if (!rc->chain_ok) {
        /* After a failed seal the context's IV is unknown: set it. */
        memset(rc->chain, 0, sizeof(rc->chain));
        if (EVP_EncryptInit_ex2(rc->cctx, NULL, NULL, rc->chain, NULL) != 1) {
            return LT_ERR_CRYPTO;
        }
        rc->chain_ok = 1;
    }
    rc->chain_ok = 0; /* until this record is through */

    /* The provider reads IV block || plaintext from one buffer. */
    if (pt_len > 0 && pt != buf + CBC_BLOCK) {
        memmove(buf + CBC_BLOCK, pt, pt_len);
    }
    /* First input block D_k(IV) xor chain encrypts to IV (top comment). */
    if (EVP_DecryptUpdate(rc->ecb, buf, &n, iv, CBC_BLOCK) != 1 || n != CBC_BLOCK) {
        return LT_ERR_CRYPTO;
    }
    for (i = 0; i < CBC_BLOCK; i++) {
        buf[i] ^= rc->chain[i];
    }

    /* seq_num || type || version || length, the length counting the
     * explicit IV block as libssl passes it; the provider takes the block
     * off before the header enters the MAC. */
    build_hdr13(aad, seq, header5, CBC_BLOCK + pt_len);
    params[0] = OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_AEAD_TLS1_AAD, aad, MAC_HDR_LEN);
    params[1] = OSSL_PARAM_construct_end();
    if (EVP_CIPHER_CTX_set_params(rc->cctx, params) != 1) {
        return LT_ERR_CRYPTO;
    }
    params[0] = OSSL_PARAM_construct_size_t(OSSL_CIPHER_PARAM_AEAD_TLS1_AAD_PAD, &pad_out);
    params[1] = OSSL_PARAM_construct_end();
    /* MAC + padding, which must come to our minimal padding. */
    if (EVP_CIPHER_CTX_get_params(rc->cctx, params) != 1 || pt_len + pad_out != data_len) {
        return LT_ERR_CRYPTO;
    }

    if (EVP_EncryptUpdate(rc->cctx, buf, &outl, buf, (int)total) != 1 || (size_t)outl != total ||
        CRYPTO_memcmp(buf, iv, CBC_BLOCK) != 0) {
        return LT_ERR_CRYPTO;
    }
    memcpy(rc->chain, buf + total - CBC_BLOCK, CBC_BLOCK);
    rc->chain_ok = 1;
    *frag_len = total;
    return LT_OK;
}

static int cbc_open(lt_rc *rc, uint64_t seq, const uint8_t header5[5], uint8_t *buf, size_t frag_len, uint8_t **pt,
                    size_t *pt_len)
{
    uint8_t hdr[MAC_HDR_LEN];
    uint8_t rec_mac[MAX_MAC];
    uint8_t calc_mac[MAX_MAC];
    unsigned char *mac_ptr = NULL;
    size_t data_len; /* public: plaintext + MAC + padding */
    size_t min_len;
    size_t good, len, mac_out = 0;
    EVP_MAC_CTX *mctx = NULL;
    OSSL_PARAM params[2];
    int outl = 0;
    int ok;

    /* Checks on public lengths only (RFC 5246 6.2.3.2): IV plus at least
     * one block holding the MAC and the padding length byte. */
    min_len = CBC_BLOCK + ((rc->mac_len + 1 + CBC_BLOCK - 1) / CBC_BLOCK) * CBC_BLOCK;
    if (frag_len % CBC_BLOCK != 0 || frag_len < min_len || frag_len > LT_MAX_CIPHERTEXT) {
        return LT_ERR_BAD_RECORD_MAC;
    }
    data_len = frag_len - CBC_BLOCK;

    /* TLS mode decrypt, in place over the whole fragment. The first block
     * decrypts to garbage and is dropped; the explicit IV chains into the
     * second. outl is the secret plaintext length. */
    if (EVP_DecryptUpdate(rc->cctx, buf, &outl, buf, (int)frag_len) != 1) {
        /* Only for publicly invalid lengths, which we ruled out above. */
        OPENSSL_cleanse(buf, frag_len);
        return LT_ERR_BAD_RECORD_MAC;
    }
    len = (size_t)outl;
    params[0] = OSSL_PARAM_construct_octet_ptr(OSSL_CIPHER_PARAM_TLS_MAC, (void **)&mac_ptr, rc->mac_len);
    params[1] = OSSL_PARAM_construct_end();
    ok = EVP_CIPHER_CTX_get_params(rc->cctx, params) == 1 && mac_ptr != NULL;
    if (ok) {
        /* Record MAC (or a random one if the padding was bad). */
        memcpy(rec_mac, mac_ptr, rc->mac_len);
    }

    /* Constant-time HMAC over header(secret length) || plaintext. */
    build_hdr13(hdr, seq, header5, len);
    params[0] = OSSL_PARAM_construct_size_t(OSSL_MAC_PARAM_TLS_DATA_SIZE, &data_len);
    params[1] = OSSL_PARAM_construct_end();
    mctx = ok ? EVP_MAC_CTX_dup(rc->hmac) : NULL;
    ok = mctx != NULL && EVP_MAC_init(mctx, NULL, 0, params) == 1 && EVP_MAC_update(mctx, hdr, MAC_HDR_LEN) == 1 &&
         EVP_MAC_update(mctx, buf + CBC_BLOCK, len) == 1 &&
         EVP_MAC_final(mctx, calc_mac, &mac_out, sizeof(calc_mac)) == 1 && mac_out == rc->mac_len;
    EVP_MAC_CTX_free(mctx);
    if (!ok) {
        /* A libcrypto malfunction; still one alert for the peer. */
        OPENSSL_cleanse(buf, frag_len);
        OPENSSL_cleanse(hdr, sizeof(hdr));
        return LT_ERR_BAD_RECORD_MAC;
    }

    /* Fold padding-good and MAC-equal into one word; branch once. */
    good = cbc_padding_good(buf + CBC_BLOCK, data_len, rc->mac_len);
    good &= ct_is_zero((size_t)(unsigned int)CRYPTO_memcmp(rec_mac, calc_mac, rc->mac_len));
    OPENSSL_cleanse(rec_mac, sizeof(rec_mac));
    OPENSSL_cleanse(calc_mac, sizeof(calc_mac));
    OPENSSL_cleanse(hdr, sizeof(hdr));
    /* The deliberate public decision: one verdict for padding and MAC. */
    LT_CF_PUBLIC(&good, sizeof(good));
    if (good == 0) {
        OPENSSL_cleanse(buf, frag_len);
        return LT_ERR_BAD_RECORD_MAC;
    }
    *pt = buf + CBC_BLOCK;
    *pt_len = len;
    return LT_OK;
}

int lt_rc_seal(lt_rc *rc, uint64_t seq, uint8_t header5[5], uint8_t *buf, size_t pt_len, size_t *frag_len)
{
    LT_ENSURE(rc != NULL && buf != NULL, LT_ERR_USAGE);
    return lt_rc_seal_from(rc, seq, header5, buf, buf + lt_rc_prefix_len(rc), pt_len, frag_len);
}

int lt_rc_seal_from(lt_rc *rc, uint64_t seq, uint8_t header5[5], uint8_t *buf, const uint8_t *pt, size_t pt_len,
                    size_t *frag_len)
{
    size_t n = 0;

    LT_ENSURE(rc != NULL && rc->enc && header5 != NULL && buf != NULL && frag_len != NULL, LT_ERR_USAGE);
    LT_ENSURE(pt != NULL || pt_len == 0, LT_ERR_USAGE);
    /* RFC 5246 6.2.1: a fragment carries at most 2^14 bytes. */
    LT_ENSURE(pt_len <= LT_MAX_PLAINTEXT, LT_ERR_USAGE);
    if (rc->gcm) {
        LT_GUARD(gcm_seal(rc, seq, header5, buf, pt, pt_len, &n));
    } else if (rc->stitched) {
        LT_GUARD(cbc_seal_stitched(rc, seq, header5, buf, pt, pt_len, &n));
    } else {
        LT_GUARD(cbc_seal(rc, seq, header5, buf, pt, pt_len, &n));
    }
    lt_put_u16(header5 + 3, (uint16_t)n);
    *frag_len = n;
    return LT_OK;
}

int lt_rc_open(lt_rc *rc, uint64_t seq, const uint8_t header5[5], uint8_t *buf, size_t frag_len, uint8_t **pt,
               size_t *pt_len)
{
    LT_ENSURE(rc != NULL && !rc->enc && header5 != NULL && pt != NULL && pt_len != NULL, LT_ERR_USAGE);
    LT_ENSURE(buf != NULL || frag_len == 0, LT_ERR_USAGE);
    if (frag_len > LT_MAX_CIPHERTEXT) {
        return LT_ERR_BAD_RECORD_MAC;
    }
    if (rc->gcm) {
        return gcm_open(rc, seq, header5, buf, frag_len, pt, pt_len);
    }
    return cbc_open(rc, seq, header5, buf, frag_len, pt, pt_len);
}

#ifdef LT_TEST_HOOKS
/* Test builds only; see crypto.h. */
void lt_test_rc_allow_stitched(int allow)
{
    test_no_stitched = !allow;
}

int lt_test_rc_stitched(const lt_rc *rc)
{
    return rc != NULL && rc->stitched;
}
#endif
