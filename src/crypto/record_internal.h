/*
 * Record protection inside src/crypto: the object behind lt_rc and the
 * interface every scheme implements. Only record_cipher.c (the dispatch),
 * record_cbc.c and record_aead.c (the schemes) include it.
 */
#ifndef LT_CRYPTO_RECORD_INTERNAL_H
#define LT_CRYPTO_RECORD_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "crypto/crypto.h"

#define RC_CBC_BLOCK 16
#define RC_AEAD_TAG 16
#define RC_MAX_IV 12 /* the longest fixed IV: ChaCha20 and TLS 1.3 */
#define RC_MAX_MAC 48
/* seq_num(8) || type(1) || version(2) || length(2): RFC 5246 6.2.3.2's MAC
 * input prefix and 6.2.3.3's additional_data. */
#define RC_TLS12_MAC_HEADER_LEN 13

/*
 * One record protection scheme. seal writes header5[0] (type or 23) and
 * everything the scheme authenticates; lt_rc_seal_from writes the length
 * field afterwards. The public wrappers in record_cipher.c have checked the
 * direction, the pointers and the plaintext limit before a scheme runs.
 */
typedef struct rc_ops {
    const char *name; /* for debugging only */
    /* Key the contexts; 0 on success, or LT_ERR_CRYPTO. */
    int (*init)(lt_rc *rc, const lt_rc_keys *keys);
    int (*seal)(lt_rc *rc, uint64_t seq, uint8_t type, uint8_t header5[5], uint8_t *buf, const uint8_t *pt,
                size_t pt_len, size_t *frag_len);
    int (*open)(lt_rc *rc, uint64_t seq, const uint8_t header5[5], uint8_t *buf, size_t frag_len, uint8_t *type,
                uint8_t **pt, size_t *pt_len);
    size_t (*overhead)(const lt_rc *rc);
    /* Release what init made (may run after a partial init). */
    void (*free)(lt_rc *rc);
} rc_ops;

struct lt_rc {
    const rc_ops *ops;
    uint16_t version;
    lt_cipher_alg cipher;
    lt_mac_alg mac;
    int enc;
    size_t prefix_len; /* bytes before the plaintext: explicit IV or nonce */
    EVP_CIPHER_CTX *cctx;
    /* AEAD: the fixed IV (GCM: the 4-byte salt; XOR nonce: 12 bytes). */
    uint8_t iv[RC_MAX_IV];
    size_t iv_len;
    /* CBC: the keyed HMAC. */
    size_t mac_len;
    EVP_MAC_CTX *hmac;
    /* CBC MAC-then-encrypt sealing with a stitched cipher. */
    EVP_CIPHER_CTX *ecb;         /* AES-ECB decrypt under the same key: D_k(IV) */
    uint8_t chain[RC_CBC_BLOCK]; /* cctx's current CBC IV */
    int chain_ok;                /* 0: chain unknown (start, or a failed seal) */
};

/* The schemes (record_cbc.c, record_aead.c). */
extern const rc_ops lt_rc_cbc_mte;          /* MAC-then-encrypt, two passes; open is Lucky13-safe */
extern const rc_ops lt_rc_cbc_mte_stitched; /* MAC-then-encrypt, sealing in one pass */
extern const rc_ops lt_rc_cbc_etm;          /* encrypt-then-MAC (RFC 7366) */
extern const rc_ops lt_rc_aead_explicit;    /* TLS 1.2 AES-GCM */
extern const rc_ops lt_rc_aead_xor12;       /* TLS 1.2 ChaCha20-Poly1305 */
extern const rc_ops lt_rc_aead_tls13;       /* TLS 1.3, every AEAD */

/* The algorithms, fetched once per process (record_cipher.c). */
typedef struct rc_algs {
    EVP_CIPHER *aes128_cbc, *aes256_cbc;
    EVP_CIPHER *aes128_gcm, *aes256_gcm;
    EVP_CIPHER *chacha20_poly1305;
    EVP_MAC *hmac;
    /* Stitched AES-CBC-HMAC (NULL when libcrypto does not offer them or
     * LT_NO_STITCHED is set) and the ECB ciphers that place the explicit IV. */
    EVP_CIPHER *aes128_sha1, *aes256_sha1, *aes128_sha256, *aes256_sha256;
    EVP_CIPHER *aes128_ecb, *aes256_ecb;
} rc_algs;
const rc_algs *rc_fetched(void);
const EVP_CIPHER *rc_cipher_for(lt_cipher_alg c);
const char *rc_mac_digest_name(lt_mac_alg m);

/* seq_num || type || version || length, with type and version from
 * header5 (RFC 5246 6.2.3.2, 6.2.3.3). */
void rc_tls12_mac_header(uint8_t out[RC_TLS12_MAC_HEADER_LEN], uint64_t seq, const uint8_t header5[5], size_t len);

/* Can lt_rc_new give a sealing MAC-then-encrypt object the stitched path? */
int rc_cbc_stitched_available(lt_cipher_alg c, lt_mac_alg m);

#endif
