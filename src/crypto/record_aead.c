/*
 * AEAD record protection: two nonce constructions, three schemes.
 *
 *   explicit nonce   TLS 1.2 AES-GCM (RFC 5288 3, RFC 5246 6.2.3.3):
 *                    nonce = salt(4) || explicit(8), the explicit part on
 *                    the wire before the ciphertext
 *   XOR nonce        TLS 1.2 ChaCha20-Poly1305 (RFC 7905 2) and TLS 1.3
 *                    (RFC 8446 5.3): nonce = iv(12) XOR (0^32 || seq_num),
 *                    nothing on the wire
 *
 * TLS 1.2 authenticates seq_num || type || version || length(plaintext)
 * (RFC 5246 6.2.3.3); TLS 1.3 authenticates the record header as sent,
 * 23 || 0x0303 || length(fragment), and carries the real content type inside
 * (RFC 8446 5.2). Each context is keyed once in init; a record only sets its
 * nonce. The tag check is libcrypto's (CRYPTO_memcmp inside the provider's
 * final), and every way a record can fail to authenticate is the one
 * bad_record_mac.
 */
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "base/bytes.h"
#include "base/limits.h"
#include "crypto/crypto.h"
#include "crypto/record_internal.h"

#define NONCE_LEN 12
#define TAG_LEN RC_AEAD_TAG
#define GCM_SALT 4
#define GCM_EXPLICIT 8
#define TLS13_OPAQUE_TYPE 23 /* application_data (RFC 8446 5.2) */

static int aead_init(lt_rc *rc, const lt_rc_keys *k)
{
    uint8_t zero_nonce[NONCE_LEN] = {0};

    memcpy(rc->iv, k->iv, rc->iv_len);
    /* Key once here; each record only sets its nonce. Every AEAD here takes
     * a 12-byte nonce, the EVP default. */
    rc->cctx = EVP_CIPHER_CTX_new();
    if (rc->cctx == NULL ||
        EVP_CipherInit_ex2(rc->cctx, rc_cipher_for(k->cipher), k->key, zero_nonce, rc->enc, NULL) != 1) {
        return LT_ERR_CRYPTO;
    }
    return LT_OK;
}

static int explicit_init(lt_rc *rc, const lt_rc_keys *k)
{
    rc->prefix_len = GCM_EXPLICIT;
    return aead_init(rc, k);
}

static int xor_init(lt_rc *rc, const lt_rc_keys *k)
{
    rc->prefix_len = 0;
    return aead_init(rc, k);
}

static void aead_free(lt_rc *rc)
{
    EVP_CIPHER_CTX_free(rc->cctx);
    rc->cctx = NULL;
}

/* RFC 8446 5.3, RFC 7905 2: the sequence number in network order, padded
 * on the left with zeros to 12 bytes, XORed with the fixed IV. */
static void xor_nonce(const lt_rc *rc, uint64_t seq, uint8_t nonce[NONCE_LEN])
{
    uint8_t padded[NONCE_LEN] = {0};
    size_t i;

    lt_put_u64(padded + NONCE_LEN - 8, seq);
    for (i = 0; i < NONCE_LEN; i++) {
        nonce[i] = rc->iv[i] ^ padded[i];
    }
}

/* out = ENC(pt || tail) || tag, under nonce and aad. pt may be anywhere
 * (in place at out, or the caller's buffer); tail is a few bytes of ours
 * (the TLS 1.3 content type). */
static int aead_encrypt(lt_rc *rc, const uint8_t nonce[NONCE_LEN], const uint8_t *aad, size_t aad_len,
                        const uint8_t *pt, size_t pt_len, const uint8_t *tail, size_t tail_len, uint8_t *out)
{
    size_t body_len = pt_len + tail_len;
    OSSL_PARAM params[2];
    int outl = 0, outl2 = 0, tmp = 0;

    if (EVP_EncryptInit_ex2(rc->cctx, NULL, NULL, nonce, NULL) != 1 ||
        EVP_EncryptUpdate(rc->cctx, NULL, &tmp, aad, (int)aad_len) != 1) {
        return LT_ERR_CRYPTO;
    }
    if (pt_len > 0 && EVP_EncryptUpdate(rc->cctx, out, &outl, pt, (int)pt_len) != 1) {
        return LT_ERR_CRYPTO;
    }
    if (tail_len > 0 && EVP_EncryptUpdate(rc->cctx, out + outl, &outl2, tail, (int)tail_len) != 1) {
        return LT_ERR_CRYPTO;
    }
    if (EVP_EncryptFinal_ex(rc->cctx, out + outl + outl2, &tmp) != 1 || (size_t)(outl + outl2 + tmp) != body_len) {
        return LT_ERR_CRYPTO;
    }
    params[0] = OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG, out + body_len, TAG_LEN);
    params[1] = OSSL_PARAM_construct_end();
    if (EVP_CIPHER_CTX_get_params(rc->cctx, params) != 1) {
        return LT_ERR_CRYPTO;
    }
    return LT_OK;
}

/* Decrypt body[0..len) in place and check the tag that follows it. 1 when
 * authentic. Whatever failed, the answer is the same single alert (RFC 5246
 * 6.2.3.3, 7.2.2; RFC 8446 5.2: bad_record_mac), and no unauthenticated
 * plaintext is left behind. */
static int aead_decrypt(lt_rc *rc, const uint8_t nonce[NONCE_LEN], const uint8_t *aad, size_t aad_len, uint8_t *body,
                        size_t len)
{
    OSSL_PARAM params[2];
    int outl = 0, tmp = 0;
    int ok;

    params[0] = OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG, body + len, TAG_LEN);
    params[1] = OSSL_PARAM_construct_end();
    ok = EVP_DecryptInit_ex2(rc->cctx, NULL, NULL, nonce, NULL) == 1 &&
         EVP_DecryptUpdate(rc->cctx, NULL, &tmp, aad, (int)aad_len) == 1 &&
         (len == 0 || EVP_DecryptUpdate(rc->cctx, body, &outl, body, (int)len) == 1) &&
         EVP_CIPHER_CTX_set_params(rc->cctx, params) == 1;
    /* The tag check happens in Final. */
    ok = ok && EVP_DecryptFinal_ex(rc->cctx, body + outl, &tmp) == 1;
    if (!ok) {
        OPENSSL_cleanse(body, len);
    }
    return ok;
}

/* ---- TLS 1.2 AES-GCM: explicit nonce (RFC 5288 3) ---- */

static void explicit_nonce(const lt_rc *rc, const uint8_t explicit[GCM_EXPLICIT], uint8_t nonce[NONCE_LEN])
{
    memcpy(nonce, rc->iv, GCM_SALT);
    memcpy(nonce + GCM_SALT, explicit, GCM_EXPLICIT);
}

static int gcm_seal(lt_rc *rc, uint64_t seq, uint8_t type, uint8_t header5[5], uint8_t *buf, const uint8_t *pt,
                    size_t pt_len, size_t *frag_len)
{
    uint8_t nonce[NONCE_LEN];
    uint8_t aad[RC_TLS12_MAC_HEADER_LEN];

    (void)type; /* in header5[0] */
    /* RFC 5288 3: nonce = salt || explicit; the explicit part goes on the
     * wire. We use the sequence number, which never repeats for a key. */
    lt_put_u64(buf, seq);
    explicit_nonce(rc, buf, nonce);
    /* RFC 5246 6.2.3.3: additional_data carries the plaintext length. */
    rc_tls12_mac_header(aad, seq, header5, pt_len);
    LT_GUARD(aead_encrypt(rc, nonce, aad, sizeof(aad), pt, pt_len, NULL, 0, buf + GCM_EXPLICIT));
    *frag_len = GCM_EXPLICIT + pt_len + TAG_LEN;
    return LT_OK;
}

static int gcm_open(lt_rc *rc, uint64_t seq, const uint8_t header5[5], uint8_t *buf, size_t frag_len, uint8_t *type,
                    uint8_t **pt, size_t *pt_len)
{
    uint8_t nonce[NONCE_LEN];
    uint8_t aad[RC_TLS12_MAC_HEADER_LEN];
    size_t len;

    /* Public length check: explicit nonce and tag must fit. */
    if (frag_len < GCM_EXPLICIT + TAG_LEN) {
        return LT_ERR_BAD_RECORD_MAC;
    }
    len = frag_len - GCM_EXPLICIT - TAG_LEN;
    explicit_nonce(rc, buf, nonce);
    rc_tls12_mac_header(aad, seq, header5, len);
    if (!aead_decrypt(rc, nonce, aad, sizeof(aad), buf + GCM_EXPLICIT, len)) {
        return LT_ERR_BAD_RECORD_MAC;
    }
    *type = header5[0];
    *pt = buf + GCM_EXPLICIT;
    *pt_len = len;
    return LT_OK;
}

static size_t gcm_overhead(const lt_rc *rc)
{
    (void)rc;
    return GCM_EXPLICIT + TAG_LEN;
}

/* ---- TLS 1.2 ChaCha20-Poly1305: XOR nonce (RFC 7905 2) ---- */

static int xor12_seal(lt_rc *rc, uint64_t seq, uint8_t type, uint8_t header5[5], uint8_t *buf, const uint8_t *pt,
                      size_t pt_len, size_t *frag_len)
{
    uint8_t nonce[NONCE_LEN];
    uint8_t aad[RC_TLS12_MAC_HEADER_LEN];

    (void)type; /* in header5[0] */
    xor_nonce(rc, seq, nonce);
    /* RFC 7905 2 keeps RFC 5246 6.2.3.3's additional_data. */
    rc_tls12_mac_header(aad, seq, header5, pt_len);
    LT_GUARD(aead_encrypt(rc, nonce, aad, sizeof(aad), pt, pt_len, NULL, 0, buf));
    *frag_len = pt_len + TAG_LEN;
    return LT_OK;
}

static int xor12_open(lt_rc *rc, uint64_t seq, const uint8_t header5[5], uint8_t *buf, size_t frag_len, uint8_t *type,
                      uint8_t **pt, size_t *pt_len)
{
    uint8_t nonce[NONCE_LEN];
    uint8_t aad[RC_TLS12_MAC_HEADER_LEN];
    size_t len;

    if (frag_len < TAG_LEN) {
        return LT_ERR_BAD_RECORD_MAC;
    }
    len = frag_len - TAG_LEN;
    xor_nonce(rc, seq, nonce);
    rc_tls12_mac_header(aad, seq, header5, len);
    if (!aead_decrypt(rc, nonce, aad, sizeof(aad), buf, len)) {
        return LT_ERR_BAD_RECORD_MAC;
    }
    *type = header5[0];
    *pt = buf;
    *pt_len = len;
    return LT_OK;
}

static size_t xor12_overhead(const lt_rc *rc)
{
    (void)rc;
    return TAG_LEN;
}

/* ---- TLS 1.3 (RFC 8446 5.2-5.4) ---- */

/* additional_data = opaque_type || legacy_record_version || length
 * (RFC 8446 5.2): the header as on the wire, with the fragment length. */
static void tls13_aad(uint8_t aad[LT_RECORD_HEADER_LEN], const uint8_t header5[5], size_t frag_len)
{
    aad[0] = header5[0];
    aad[1] = header5[1];
    aad[2] = header5[2];
    lt_put_u16(aad + 3, (uint16_t)frag_len);
}

/* TLSInnerPlaintext = content || type || zeros, with no zeros: we do not
 * pad (5.4 leaves the policy to the sender). */
static int tls13_seal(lt_rc *rc, uint64_t seq, uint8_t type, uint8_t header5[5], uint8_t *buf, const uint8_t *pt,
                      size_t pt_len, size_t *frag_len)
{
    uint8_t nonce[NONCE_LEN];
    size_t n = pt_len + 1 + TAG_LEN;

    /* RFC 8446 5.2: opaque_type is always 23 and legacy_record_version
     * always 0x0303; the real type goes inside. */
    header5[0] = TLS13_OPAQUE_TYPE;
    lt_put_u16(header5 + 1, LT_TLS1_2);
    lt_put_u16(header5 + 3, (uint16_t)n);
    xor_nonce(rc, seq, nonce);
    LT_GUARD(aead_encrypt(rc, nonce, header5, LT_RECORD_HEADER_LEN, pt, pt_len, &type, 1, buf));
    *frag_len = n;
    return LT_OK;
}

static int tls13_open(lt_rc *rc, uint64_t seq, const uint8_t header5[5], uint8_t *buf, size_t frag_len, uint8_t *type,
                      uint8_t **pt, size_t *pt_len)
{
    uint8_t nonce[NONCE_LEN];
    uint8_t aad[LT_RECORD_HEADER_LEN];
    size_t len, end;

    /* RFC 8446 5.2: every protected record says application_data outside;
     * RFC 8446 5: an unexpected record type is unexpected_message. */
    if (header5[0] != TLS13_OPAQUE_TYPE) {
        return LT_ERR_UNEXPECTED_MESSAGE;
    }
    if (frag_len < TAG_LEN) {
        return LT_ERR_BAD_RECORD_MAC;
    }
    len = frag_len - TAG_LEN;
    xor_nonce(rc, seq, nonce);
    tls13_aad(aad, header5, frag_len);
    if (!aead_decrypt(rc, nonce, aad, sizeof(aad), buf, len)) {
        return LT_ERR_BAD_RECORD_MAC;
    }
    /* RFC 8446 5.4: "the full encoded TLSInnerPlaintext MUST NOT exceed
     * 2^14 + 1 octets"; a record that decrypts to more is record_overflow
     * (6.2). This bounds the content at 2^14 as well. */
    if (len > LT_MAX_INNER_PLAINTEXT_TLS13) {
        OPENSSL_cleanse(buf, len);
        return LT_ERR_RECORD_OVERFLOW;
    }
    /* RFC 8446 5.4: scan from the end for the first non-zero octet, the
     * content type, and no further than the cleartext. This takes time in
     * the length of the padding, which 5.4 and E.3 accept: the padding
     * hides the length from the network, not from the application that
     * gets the content. */
    end = len;
    while (end > 0 && buf[end - 1] == 0) {
        end--;
    }
    if (end == 0) {
        /* "If a receiving implementation does not find a non-zero octet in
         * the cleartext, it MUST terminate the connection with an
         * unexpected_message alert." */
        return LT_ERR_UNEXPECTED_MESSAGE;
    }
    *type = buf[end - 1];
    *pt = buf;
    *pt_len = end - 1;
    return LT_OK;
}

static size_t tls13_overhead(const lt_rc *rc)
{
    (void)rc;
    return 1 + TAG_LEN;
}

const rc_ops lt_rc_aead_explicit = {
    "AEAD, explicit nonce (TLS 1.2 GCM)", explicit_init, gcm_seal, gcm_open, gcm_overhead, aead_free,
};

const rc_ops lt_rc_aead_xor12 = {
    "AEAD, XOR nonce (TLS 1.2 ChaCha20-Poly1305)", xor_init, xor12_seal, xor12_open, xor12_overhead, aead_free,
};

const rc_ops lt_rc_aead_tls13 = {
    "AEAD, XOR nonce (TLS 1.3)", xor_init, tls13_seal, tls13_open, tls13_overhead, aead_free,
};
