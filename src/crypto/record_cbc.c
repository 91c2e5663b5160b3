/*
 * TLS 1.2 CBC record protection: AES-CBC + HMAC, MAC-then-encrypt
 * (RFC 5246 6.2.3.2) or encrypt-then-MAC (RFC 7366).
 *
 * MAC-then-encrypt open and Lucky13. We use the constant-time machinery
 * that OpenSSL 3.0's own libssl uses, through libcrypto only:
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
 * MAC-then-encrypt seal and the stitched ciphers. When libcrypto offers the
 * one-pass "AES-{128,256}-CBC-HMAC-{SHA1,SHA256}" ciphers (x86-64 with AES-NI
 * only; EVP_CIPHER_fetch returns NULL elsewhere), a sealing lt_rc uses them
 * the way libssl 3.0 does for MAC-then-encrypt: the MAC key is set once
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
 * two-pass path, and so does encrypt-then-MAC (the stitched ciphers compute
 * the MAC over the plaintext). LT_NO_STITCHED=1 in the environment (read
 * once per process, at the first lt_rc_new) turns the stitched path off.
 *
 * Encrypt-then-MAC (RFC 7366 3). The MAC covers the header and the public
 * IV and ciphertext, so open checks it first, with CRYPTO_memcmp, before
 * decrypting a byte: a forged record never reaches the padding, and there is
 * no padding oracle to close. The padding of an authentic record is still
 * checked with the same masks as above, so the plaintext length never steers
 * a branch.
 */
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
#include "crypto/record_internal.h"

#define CBC_BLOCK RC_CBC_BLOCK
#define MAC_HDR_LEN RC_TLS12_MAC_HEADER_LEN
#define MAX_MAC RC_MAX_MAC

#ifdef LT_TEST_HOOKS
static int test_no_stitched;
#endif

static const EVP_CIPHER *stitched_for(lt_cipher_alg c, lt_mac_alg m)
{
    const rc_algs *a = rc_fetched();

#ifdef LT_TEST_HOOKS
    if (test_no_stitched) {
        return NULL;
    }
#endif
    if (a == NULL) {
        return NULL;
    }
    if (c == LT_CIPHER_AES_128_CBC && m == LT_MAC_HMAC_SHA1) {
        return a->aes128_sha1;
    }
    if (c == LT_CIPHER_AES_256_CBC && m == LT_MAC_HMAC_SHA1) {
        return a->aes256_sha1;
    }
    if (c == LT_CIPHER_AES_128_CBC && m == LT_MAC_HMAC_SHA256) {
        return a->aes128_sha256;
    }
    if (c == LT_CIPHER_AES_256_CBC && m == LT_MAC_HMAC_SHA256) {
        return a->aes256_sha256;
    }
    return NULL;
}

static const EVP_CIPHER *ecb_for(lt_cipher_alg c)
{
    const rc_algs *a = rc_fetched();
    if (a == NULL) {
        return NULL;
    }
    return c == LT_CIPHER_AES_128_CBC ? a->aes128_ecb : c == LT_CIPHER_AES_256_CBC ? a->aes256_ecb : NULL;
}

int rc_cbc_stitched_available(lt_cipher_alg c, lt_mac_alg m)
{
    return stitched_for(c, m) != NULL && ecb_for(c) != NULL;
}

/* Every CBC scheme adds at most IV + MAC + one block of minimal padding (we
 * always pad minimally, so padding plus its length byte is 1..16 bytes). */
static size_t cbc_overhead(const lt_rc *rc)
{
    return CBC_BLOCK + rc->mac_len + CBC_BLOCK;
}

static void cbc_free(lt_rc *rc)
{
    EVP_CIPHER_CTX_free(rc->cctx);
    EVP_CIPHER_CTX_free(rc->ecb);
    EVP_MAC_CTX_free(rc->hmac);
    rc->cctx = NULL;
    rc->ecb = NULL;
    rc->hmac = NULL;
}

/* The keyed HMAC template: seal (and encrypt-then-MAC open) re-initialise
 * it per record; MAC-then-encrypt open duplicates it per record (the
 * provider's TLS mode is one-shot). */
static int hmac_setup(lt_rc *rc, const lt_rc_keys *k)
{
    OSSL_PARAM params[2];
    params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)rc_mac_digest_name(k->mac), 0);
    params[1] = OSSL_PARAM_construct_end();
    rc->hmac = EVP_MAC_CTX_new(rc_fetched()->hmac);
    if (rc->hmac == NULL || EVP_MAC_init(rc->hmac, k->mac_key, rc->mac_len, params) != 1) {
        return LT_ERR_CRYPTO;
    }
    return LT_OK;
}

/* AES-CBC keyed once; each record sets its IV. */
static int cbc_cipher_setup(lt_rc *rc, const lt_rc_keys *k)
{
    uint8_t zero_iv[CBC_BLOCK] = {0};
    rc->cctx = EVP_CIPHER_CTX_new();
    if (rc->cctx == NULL ||
        EVP_CipherInit_ex2(rc->cctx, rc_cipher_for(k->cipher), k->key, zero_iv, rc->enc, NULL) != 1) {
        return LT_ERR_CRYPTO;
    }
    return LT_OK;
}

/* No EVP padding: we add and check the TLS padding ourselves (RFC 5246
 * 6.2.3.2), and a decrypting update then hands back every block. */
static int cbc_no_evp_padding(lt_rc *rc)
{
    return EVP_CIPHER_CTX_set_padding(rc->cctx, 0) == 1 ? LT_OK : LT_ERR_CRYPTO;
}

static int cbc_mte_init(lt_rc *rc, const lt_rc_keys *k)
{
    rc->prefix_len = CBC_BLOCK;
    LT_GUARD(cbc_cipher_setup(rc, k));
    if (rc->enc) {
        LT_GUARD(cbc_no_evp_padding(rc));
    } else {
        /* TLS mode: the provider strips the explicit IV, checks the padding
         * and extracts the MAC in constant time (see the top comment). */
        unsigned int version = LT_TLS1_2;
        size_t mac_size = rc->mac_len;
        OSSL_PARAM params[3];
        params[0] = OSSL_PARAM_construct_uint(OSSL_CIPHER_PARAM_TLS_VERSION, &version);
        params[1] = OSSL_PARAM_construct_size_t(OSSL_CIPHER_PARAM_TLS_MAC_SIZE, &mac_size);
        params[2] = OSSL_PARAM_construct_end();
        if (EVP_CIPHER_CTX_set_params(rc->cctx, params) != 1) {
            return LT_ERR_CRYPTO;
        }
    }
    return hmac_setup(rc, k);
}

static int cbc_etm_init(lt_rc *rc, const lt_rc_keys *k)
{
    rc->prefix_len = CBC_BLOCK;
    LT_GUARD(cbc_cipher_setup(rc, k));
    LT_GUARD(cbc_no_evp_padding(rc));
    return hmac_setup(rc, k);
}

/* Key the stitched cipher for sealing (RFC 5246 6.2.3.2 MAC-then-encrypt in
 * one pass). Fails if anything is missing or refused; lt_rc_new then falls
 * back to the two-pass scheme. */
static int stitched_init_quiet(lt_rc *rc, const lt_rc_keys *k)
{
    const EVP_CIPHER *st = stitched_for(rc->cipher, rc->mac);
    const EVP_CIPHER *ecb = ecb_for(rc->cipher);
    OSSL_PARAM params[2];

    rc->prefix_len = CBC_BLOCK;
    if (!rc->enc || st == NULL || ecb == NULL) {
        return LT_ERR_CRYPTO;
    }
    rc->ecb = EVP_CIPHER_CTX_new();
    if (rc->ecb == NULL || EVP_CipherInit_ex2(rc->ecb, ecb, k->key, NULL, 0, NULL) != 1 ||
        EVP_CIPHER_CTX_set_padding(rc->ecb, 0) != 1) {
        return LT_ERR_CRYPTO;
    }
    /* The key first (it resets the provider's HMAC state), then the MAC key
     * (EVP_CTRL_AEAD_SET_MAC_KEY in libssl's tls1_change_cipher_state). */
    params[0] = OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_AEAD_MAC_KEY, (void *)k->mac_key, rc->mac_len);
    params[1] = OSSL_PARAM_construct_end();
    memset(rc->chain, 0, sizeof(rc->chain));
    rc->cctx = EVP_CIPHER_CTX_new();
    if (rc->cctx == NULL || EVP_CipherInit_ex2(rc->cctx, st, k->key, rc->chain, 1, NULL) != 1 ||
        EVP_CIPHER_CTX_set_params(rc->cctx, params) != 1) {
        return LT_ERR_CRYPTO;
    }
    rc->chain_ok = 1;
    return LT_OK;
}

static int stitched_init(lt_rc *rc, const lt_rc_keys *k)
{
    int rc_ok;
    /* A refusal is not an error (lt_rc_new falls back): keep it off the
     * error queue. */
    ERR_set_mark();
    rc_ok = stitched_init_quiet(rc, k);
    ERR_pop_to_mark();
    return rc_ok;
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
 * padding length. data[0..len) is plaintext || MAC || padding (MAC-then-
 * encrypt) or plaintext || padding (encrypt-then-MAC, mac_len 0). Checks
 * the last min(256, len) bytes whatever the padding length says, so the
 * work depends only on the public len. Returns an all-ones mask when good.
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

/* Minimal padding (RFC 5246 6.2.3.2): padding_length + 1 bytes, each equal
 * to padding_length, bringing covered + padding to a multiple of the block.
 * Writes them at out; returns how many. */
static size_t put_minimal_padding(uint8_t *out, size_t covered)
{
    size_t pad = (CBC_BLOCK - (covered + 1) % CBC_BLOCK) % CBC_BLOCK, i;
    for (i = 0; i <= pad; i++) {
        out[i] = (uint8_t)pad;
    }
    return pad + 1;
}

/* ---- MAC-then-encrypt ---- */

static int cbc_seal(lt_rc *rc, uint64_t seq, uint8_t type, uint8_t header5[5], uint8_t *buf, const uint8_t *pt,
                    size_t pt_len, size_t *frag_len)
{
    uint8_t hdr[MAC_HDR_LEN];
    uint8_t tail[MAX_MAC + CBC_BLOCK]; /* MAC || padding */
    uint8_t *body = buf + CBC_BLOCK;
    size_t mac_out = 0;
    size_t tail_len;
    int outl = 0, outl2 = 0;

    (void)type; /* in header5[0] */
    /* RFC 5246 6.2.3.2: the IV SHOULD be chosen at random and MUST be
     * unpredictable. */
    LT_GUARD(lt_random(buf, CBC_BLOCK));

    /* MAC(MAC_write_key, seq_num + type + version + length + fragment). */
    rc_tls12_mac_header(hdr, seq, header5, pt_len);
    if (EVP_MAC_init(rc->hmac, NULL, 0, NULL) != 1 || EVP_MAC_update(rc->hmac, hdr, MAC_HDR_LEN) != 1 ||
        (pt_len > 0 && EVP_MAC_update(rc->hmac, pt, pt_len) != 1) ||
        EVP_MAC_final(rc->hmac, tail, &mac_out, rc->mac_len) != 1 || mac_out != rc->mac_len) {
        return LT_ERR_CRYPTO;
    }

    tail_len = rc->mac_len + put_minimal_padding(tail + rc->mac_len, pt_len + rc->mac_len);

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
static int cbc_seal_stitched(lt_rc *rc, uint64_t seq, uint8_t type, uint8_t header5[5], uint8_t *buf, const uint8_t *pt,
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

    (void)type; /* in header5[0] */
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
    rc_tls12_mac_header(aad, seq, header5, CBC_BLOCK + pt_len);
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

static int cbc_open(lt_rc *rc, uint64_t seq, const uint8_t header5[5], uint8_t *buf, size_t frag_len, uint8_t *type,
                    uint8_t **pt, size_t *pt_len)
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
     * one block holding the MAC and the padding length byte. The upper
     * limit was checked by lt_rc_open. */
    min_len = CBC_BLOCK + ((rc->mac_len + 1 + CBC_BLOCK - 1) / CBC_BLOCK) * CBC_BLOCK;
    if (frag_len % CBC_BLOCK != 0 || frag_len < min_len) {
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
    rc_tls12_mac_header(hdr, seq, header5, len);
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
    *type = header5[0];
    *pt = buf + CBC_BLOCK;
    *pt_len = len;
    return LT_OK;
}

/* Never reached: the stitched scheme is chosen for sealing objects only,
 * and lt_rc_open refuses those before it gets here. */
static int cbc_open_unused(lt_rc *rc, uint64_t seq, const uint8_t header5[5], uint8_t *buf, size_t frag_len,
                           uint8_t *type, uint8_t **pt, size_t *pt_len)
{
    (void)rc, (void)seq, (void)header5, (void)buf, (void)frag_len, (void)type, (void)pt, (void)pt_len;
    return LT_ERR_USAGE;
}

/* ---- Encrypt-then-MAC (RFC 7366 3) ---- */

/* HMAC(mac_key, seq_num || type || version || length || data[0..len)),
 * length being len: the IV and ciphertext the MAC covers. */
static int etm_mac(lt_rc *rc, uint64_t seq, const uint8_t header5[5], const uint8_t *data, size_t len,
                   uint8_t out[MAX_MAC])
{
    uint8_t hdr[MAC_HDR_LEN];
    size_t mac_out = 0;

    rc_tls12_mac_header(hdr, seq, header5, len);
    if (EVP_MAC_init(rc->hmac, NULL, 0, NULL) != 1 || EVP_MAC_update(rc->hmac, hdr, MAC_HDR_LEN) != 1 ||
        EVP_MAC_update(rc->hmac, data, len) != 1 || EVP_MAC_final(rc->hmac, out, &mac_out, MAX_MAC) != 1 ||
        mac_out != rc->mac_len) {
        return LT_ERR_CRYPTO;
    }
    return LT_OK;
}

/* fragment = IV || ENC(plaintext || padding) || MAC(header || IV || ciphertext) */
static int etm_seal(lt_rc *rc, uint64_t seq, uint8_t type, uint8_t header5[5], uint8_t *buf, const uint8_t *pt,
                    size_t pt_len, size_t *frag_len)
{
    uint8_t padding[CBC_BLOCK];
    uint8_t *body = buf + CBC_BLOCK;
    size_t pad_len, enc_len;
    int outl = 0, outl2 = 0;

    (void)type; /* in header5[0] */
    /* RFC 5246 6.2.3.2 (RFC 7366 keeps the IV): the IV SHOULD be chosen at
     * random and MUST be unpredictable. */
    LT_GUARD(lt_random(buf, CBC_BLOCK));
    pad_len = put_minimal_padding(padding, pt_len);
    if (EVP_EncryptInit_ex2(rc->cctx, NULL, NULL, buf, NULL) != 1 ||
        (pt_len > 0 && EVP_EncryptUpdate(rc->cctx, body, &outl, pt, (int)pt_len) != 1) ||
        EVP_EncryptUpdate(rc->cctx, body + outl, &outl2, padding, (int)pad_len) != 1 ||
        (size_t)outl + (size_t)outl2 != pt_len + pad_len) {
        return LT_ERR_CRYPTO;
    }
    enc_len = CBC_BLOCK + pt_len + pad_len;
    /* RFC 7366 3: the MAC covers the whole packet up to the start of the MAC
     * value, with the length of IV + ciphertext in the header. */
    LT_GUARD(etm_mac(rc, seq, header5, buf, enc_len, buf + enc_len));
    *frag_len = enc_len + rc->mac_len;
    return LT_OK;
}

static int etm_open(lt_rc *rc, uint64_t seq, const uint8_t header5[5], uint8_t *buf, size_t frag_len, uint8_t *type,
                    uint8_t **pt, size_t *pt_len)
{
    uint8_t calc_mac[MAX_MAC];
    uint8_t *data = buf + CBC_BLOCK;
    size_t enc_len, data_len, good;
    int mac_ok, outl = 0;

    /* Public lengths: IV, at least one block (it holds the padding length
     * byte), the MAC; whole blocks in between. */
    if (frag_len < CBC_BLOCK + CBC_BLOCK + rc->mac_len || (frag_len - rc->mac_len) % CBC_BLOCK != 0) {
        return LT_ERR_BAD_RECORD_MAC;
    }
    enc_len = frag_len - rc->mac_len;
    data_len = enc_len - CBC_BLOCK;

    /* RFC 7366 3: the MAC first, over what came on the wire. A failure
     * stops here: nothing is decrypted. */
    if (etm_mac(rc, seq, header5, buf, enc_len, calc_mac) != LT_OK) {
        return LT_ERR_BAD_RECORD_MAC;
    }
    mac_ok = lt_ct_eq(calc_mac, buf + enc_len, rc->mac_len);
    OPENSSL_cleanse(calc_mac, sizeof(calc_mac));
    /* The deliberate public decision: the MAC covers only public bytes. */
    LT_CF_PUBLIC(&mac_ok, sizeof(mac_ok));
    if (!mac_ok) {
        return LT_ERR_BAD_RECORD_MAC;
    }

    /* Authentic: decrypt in place (CBC with the explicit IV) and check the
     * padding without branching on it. */
    if (EVP_DecryptInit_ex2(rc->cctx, NULL, NULL, buf, NULL) != 1 ||
        EVP_DecryptUpdate(rc->cctx, data, &outl, data, (int)data_len) != 1 || (size_t)outl != data_len) {
        OPENSSL_cleanse(data, data_len);
        return LT_ERR_BAD_RECORD_MAC;
    }
    good = cbc_padding_good(data, data_len, 0);
    LT_CF_PUBLIC(&good, sizeof(good));
    if (good == 0) {
        /* A sender with our MAC key padded wrongly: still bad_record_mac
         * (RFC 5246 6.2.3.2). */
        OPENSSL_cleanse(data, data_len);
        return LT_ERR_BAD_RECORD_MAC;
    }
    *type = header5[0];
    *pt = data;
    *pt_len = data_len - 1 - data[data_len - 1];
    return LT_OK;
}

const rc_ops lt_rc_cbc_mte = {
    "CBC MAC-then-encrypt", cbc_mte_init, cbc_seal, cbc_open, cbc_overhead, cbc_free,
};

const rc_ops lt_rc_cbc_mte_stitched = {
    "CBC MAC-then-encrypt (stitched seal)", stitched_init, cbc_seal_stitched, cbc_open_unused, cbc_overhead, cbc_free,
};

const rc_ops lt_rc_cbc_etm = {
    "CBC encrypt-then-MAC", cbc_etm_init, etm_seal, etm_open, cbc_overhead, cbc_free,
};

#ifdef LT_TEST_HOOKS
/* Test builds only; see crypto.h. */
void lt_test_rc_allow_stitched(int allow)
{
    test_no_stitched = !allow;
}

int lt_test_rc_stitched(const lt_rc *rc)
{
    return rc != NULL && rc->ops == &lt_rc_cbc_mte_stitched;
}
#endif
