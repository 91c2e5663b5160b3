/*
 * src/crypto: the only door to OpenSSL 3 libcrypto. No other directory
 * includes <openssl/...>. Every function returns an lt_result (LT_OK or a
 * negative LT_ERR_*), and every libcrypto failure becomes LT_ERR_CRYPTO here.
 *
 * Algorithms are fetched once per process (EVP_*_fetch) and reused; nothing
 * here allocates per record.
 */
#ifndef LT_CRYPTO_H
#define LT_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

/* ---- Secrets: wiping, comparison, randomness (util.c) ---- */

void lt_wipe(void *p, size_t n);                      /* OPENSSL_cleanse */
int lt_ct_eq(const void *a, const void *b, size_t n); /* CRYPTO_memcmp: 1 if equal */
LT_MUST_USE int lt_random(void *buf, size_t n);       /* RAND_bytes */

/* Test builds only (LT_TEST_HOOKS): replace the RNG with a deterministic one.
 * fn fills buf with n bytes; NULL restores RAND_bytes. */
typedef void (*lt_rng_fn)(void *arg, uint8_t *buf, size_t n);
void lt_test_set_rng(lt_rng_fn fn, void *arg);
/* Test builds: is the deterministic RNG in place? (ECDHE keys then come from
 * it too, so recorded handshakes replay: the fuzz seeds.) */
int lt_test_rng_active(void);

/* Test builds only (LT_TEST_HOOKS): allow = 0 makes lt_rc_new give CBC
 * sealing objects the two-pass path instead of libcrypto's stitched
 * AES-CBC-HMAC cipher (as LT_NO_STITCHED=1 does for a whole process); 1
 * restores the default. lt_test_rc_stitched says which path an object uses. */
struct lt_rc;
void lt_test_rc_allow_stitched(int allow);
int lt_test_rc_stitched(const struct lt_rc *rc);

/* RSA key generation: an EVP_PKEY * of `bits`, or NULL. In test builds
 * (LT_TEST_HOOKS) with LT_TEST_KEY_CACHE=DIR in the environment, the n-th key
 * of that size a process asks for comes from DIR/rsa-BITS-n.pem, made by the
 * first process that needed it (at test time: no key is checked in). Under
 * valgrind, generating keys is most of what a test does; within one process
 * every key is still distinct. */
void *lt_rsa_keygen(unsigned bits);

/* Drains libcrypto's error queue into a short string (for details). */
void lt_crypto_last_error(char *buf, size_t cap);

/* ---- Hashes (hash.c) ---- */

typedef enum lt_hash_alg { LT_HASH_SHA1 = 1, LT_HASH_SHA256, LT_HASH_SHA384 } lt_hash_alg;
#define LT_MAX_HASH_LEN 48

size_t lt_hash_len(lt_hash_alg alg);
const char *lt_hash_name(lt_hash_alg alg); /* "SHA-256" */

/* A running hash, e.g. the handshake transcript. */
typedef struct lt_hash lt_hash;
lt_hash *lt_hash_new(lt_hash_alg alg);
LT_MUST_USE int lt_hash_update(lt_hash *h, const void *p, size_t n);
/* The digest of everything so far, without ending the running hash. */
LT_MUST_USE int lt_hash_peek(const lt_hash *h, uint8_t *out, size_t *outlen);
/* The digest of everything so far followed by extra, without changing the
 * running hash (a truncated ClientHello for PSK binders, RFC 8446 4.2.11.2). */
LT_MUST_USE int lt_hash_peek_with(const lt_hash *h, const void *extra, size_t extra_len, uint8_t *out, size_t *outlen);
void lt_hash_free(lt_hash *h);

/* One-shot digest. */
LT_MUST_USE int lt_hash_oneshot(lt_hash_alg alg, const void *p, size_t n, uint8_t *out, size_t *outlen);

/* ---- TLS 1.2 PRF (kdf.c), RFC 5246 section 5 ----
 * PRF(secret, label, seed1 || seed2) with P_<hash>. seed2 may be NULL. */
LT_MUST_USE int lt_tls12_prf(lt_hash_alg alg, const uint8_t *secret, size_t secret_len, const char *label,
                             const uint8_t *seed1, size_t seed1_len, const uint8_t *seed2, size_t seed2_len,
                             uint8_t *out, size_t out_len);
/* The same with the label as label_len raw bytes and the seed as up to
 * LT_PRF_MAX_SEEDS pieces, concatenated in order (the RFC 5705 exporter's
 * seed is client_random + server_random + context length + context).
 * libcrypto 3.0's TLS1-PRF holds label and seed together in
 * LT_TLS12_PRF_MAX_INPUT bytes: more is LT_ERR_USAGE. */
#define LT_PRF_MAX_SEEDS 4
#define LT_TLS12_PRF_MAX_INPUT 1024
typedef struct lt_prf_seed {
    const uint8_t *p;
    size_t len;
} lt_prf_seed;
LT_MUST_USE int lt_tls12_prf_seeds(lt_hash_alg alg, const uint8_t *secret, size_t secret_len, const uint8_t *label,
                                   size_t label_len, const lt_prf_seed *seeds, size_t n_seeds, uint8_t *out,
                                   size_t out_len);

/* ---- HKDF and HMAC (kdf.c), RFC 5869, for the TLS 1.3 key schedule ----
 * Through libcrypto's "HKDF" KDF and "HMAC" MAC, fetched once per process
 * (never per record). out_len for extract is lt_hash_len(alg). */
LT_MUST_USE int lt_hkdf_extract(lt_hash_alg alg, const uint8_t *salt, size_t salt_len, const uint8_t *ikm,
                                size_t ikm_len, uint8_t *out);
LT_MUST_USE int lt_hkdf_expand(lt_hash_alg alg, const uint8_t *prk, size_t prk_len, const uint8_t *info,
                               size_t info_len, uint8_t *out, size_t out_len);
LT_MUST_USE int lt_hmac(lt_hash_alg alg, const uint8_t *key, size_t key_len, const uint8_t *data, size_t data_len,
                        uint8_t *out, size_t *out_len);

/* ---- Record ciphers (record_cipher.c, record_cbc.c, record_aead.c) ----
 * One object per direction, made once per key change. seal/open work in place
 * and allocate nothing. lt_rc_new picks one of three schemes:
 *
 * CBC + HMAC, TLS 1.2 only (RFC 5246 6.2.3.2, RFC 7366):
 *   fragment = explicit_IV(16, fresh random) || ...
 *   MAC-then-encrypt (the default):
 *     ... AES-CBC(plaintext || MAC || padding),
 *     MAC = HMAC(mac_key, seq_num || type || version || length(plaintext) || plaintext)
 *     open() checks padding and MAC in constant time (Lucky13): the time taken
 *     depends only on the record length, never on the padding or the MAC.
 *   encrypt-then-MAC (RFC 7366 3, when negotiated):
 *     ... AES-CBC(plaintext || padding) || MAC,
 *     MAC = HMAC(mac_key, seq_num || type || version || length(IV + ciphertext) || IV || ciphertext)
 *     open() checks the MAC before it decrypts anything.
 * AEAD with an explicit nonce, TLS 1.2 AES-GCM (RFC 5288, RFC 5246 6.2.3.3):
 *   nonce = salt(4, from the key block) || explicit_nonce(8)
 *   fragment = explicit_nonce(8) || AES-GCM(plaintext) || tag(16)
 *   additional_data = seq_num || type || version || length(plaintext)
 *   We use the sequence number as the explicit nonce, so nonces never repeat.
 * AEAD with an XOR nonce: nonce = iv(12) XOR (0^32 || seq_num):
 *   TLS 1.2 ChaCha20-Poly1305 (RFC 7905 2): fragment = ChaCha20-Poly1305(plaintext) || tag(16),
 *     additional_data as for GCM;
 *   TLS 1.3, every AEAD (RFC 8446 5.2-5.4): fragment = AEAD(content || type || zeros) || tag(16),
 *     additional_data = the record header as sent: 23 || 0x0303 || length(fragment).
 *
 * Every open() failure returns LT_ERR_BAD_RECORD_MAC (RFC 5246 6.2.3.2: one
 * alert for padding and MAC failures; RFC 8446 5.2), except: a fragment over
 * the version's ciphertext limit (LT_MAX_CIPHERTEXT_TLS12 / _TLS13,
 * base/limits.h) is LT_ERR_RECORD_OVERFLOW, and in TLS 1.3 an authentic record
 * whose inner plaintext exceeds 2^14 + 1 bytes is LT_ERR_RECORD_OVERFLOW
 * (5.4, 6.2), one with no non-zero byte (no content type) is
 * LT_ERR_UNEXPECTED_MESSAGE (5.4), and an outer type other than 23 is
 * LT_ERR_UNEXPECTED_MESSAGE (5.2).
 */
typedef enum lt_cipher_alg {
    LT_CIPHER_AES_128_CBC = 1,
    LT_CIPHER_AES_256_CBC,
    LT_CIPHER_AES_128_GCM,
    LT_CIPHER_AES_256_GCM,
    LT_CIPHER_CHACHA20_POLY1305
} lt_cipher_alg;

typedef enum lt_mac_alg { LT_MAC_NONE = 0, LT_MAC_HMAC_SHA1, LT_MAC_HMAC_SHA256, LT_MAC_HMAC_SHA384 } lt_mac_alg;

size_t lt_cipher_key_len(lt_cipher_alg c); /* 16 or 32 */
/* The IV the key schedule provides: 0 for CBC (TLS 1.2 uses explicit IVs,
 * RFC 5246 6.3), 4 for TLS 1.2 GCM (the salt, RFC 5288 3), 12 for
 * ChaCha20-Poly1305 (RFC 7905 2) and for every TLS 1.3 AEAD (RFC 8446 5.3). */
size_t lt_cipher_fixed_iv_len(lt_cipher_alg c, uint16_t version);
size_t lt_mac_key_len(lt_mac_alg m); /* 0, 20, 32, 48 */

/* The keys of one direction. The bytes are copied (into libcrypto's
 * contexts and the object, all wiped on free); the caller wipes its own
 * copy. LT_TLS1_3 is in base/limits.h until the public header has it. */
typedef struct lt_rc_keys {
    uint16_t version;       /* LT_TLS1_2 (0x0303) or LT_TLS1_3 (0x0304) */
    lt_cipher_alg cipher;   /* TLS 1.3: an AEAD (AES-128-GCM, AES-256-GCM, ChaCha20-Poly1305) */
    lt_mac_alg mac;         /* LT_MAC_NONE for AEAD */
    int encrypt_then_mac;   /* CBC only: RFC 7366 */
    const uint8_t *key;     /* lt_cipher_key_len(cipher) bytes */
    const uint8_t *mac_key; /* lt_mac_key_len(mac) bytes; NULL for AEAD */
    const uint8_t *iv;      /* lt_cipher_fixed_iv_len(cipher, version) bytes; NULL when that is 0 */
} lt_rc_keys;

typedef struct lt_rc lt_rc;
/* enc = 1 to seal, 0 to open. NULL when the combination is not one of the
 * schemes above (a MAC with an AEAD, CBC in TLS 1.3, encrypt-then-MAC with
 * an AEAD, a missing key) or libcrypto fails. */
lt_rc *lt_rc_new(const lt_rc_keys *keys, int enc);
void lt_rc_free(lt_rc *rc);
uint16_t lt_rc_version(const lt_rc *rc); /* keys->version */
/* The most a sealed record's fragment adds to its plaintext: CBC 16 + MAC +
 * 16 (IV, MAC, minimal padding), TLS 1.2 GCM 24, TLS 1.2 ChaCha20 16, TLS 1.3
 * 17 (type byte and tag: we send no padding). */
size_t lt_rc_overhead(const lt_rc *rc);
/* The largest lt_rc_overhead of any scheme (CBC with HMAC-SHA384): what a
 * buffer sized before the keys are known must allow for. */
#define LT_RC_MAX_OVERHEAD (16 + 48 + 16)
/* Where seal expects the plaintext in buf: 16 for CBC (the IV comes
 * first), 8 for TLS 1.2 GCM (the explicit nonce), 0 for the XOR-nonce
 * schemes. */
size_t lt_rc_prefix_len(const lt_rc *rc);

/* Seal one record of content type `type`: the plaintext sits at
 * buf + lt_rc_prefix_len(rc) with pt_len bytes (at most 2^14); buf has room
 * for pt_len + lt_rc_overhead(rc). On return buf[0..*frag_len) is the record
 * fragment and header5 the record header: header5[1..2] hold the record
 * version on entry (TLS 1.2 authenticates it); seal writes the type into
 * header5[0] and *frag_len into header5[3..4]. TLS 1.3 puts the type inside
 * and writes opaque_type 23 and legacy_record_version 0x0303 outside
 * (RFC 8446 5.2). */
LT_MUST_USE int lt_rc_seal(lt_rc *rc, uint64_t seq, uint8_t type, uint8_t header5[5], uint8_t *buf, size_t pt_len,
                           size_t *frag_len);
/* The same, with the plaintext read from pt (anywhere: in place at
 * buf + lt_rc_prefix_len, or the caller's own buffer, saving a copy). */
LT_MUST_USE int lt_rc_seal_from(lt_rc *rc, uint64_t seq, uint8_t type, uint8_t header5[5], uint8_t *buf,
                                const uint8_t *pt, size_t pt_len, size_t *frag_len);
/* Open: buf[0..frag_len) is the fragment, header5 the record header as
 * received (its type is the outer one). On success *type is the real
 * content type (TLS 1.2: header5[0]; TLS 1.3: TLSInnerPlaintext.type), *pt
 * points into buf and *pt_len is the content length. Errors: see the top of
 * this section. */
LT_MUST_USE int lt_rc_open(lt_rc *rc, uint64_t seq, const uint8_t header5[5], uint8_t *buf, size_t frag_len,
                           uint8_t *type, uint8_t **pt, size_t *pt_len);

/* ---- Keys and certificates (pkey.c, x509.c) ---- */

typedef struct lt_pkey lt_pkey;                                               /* EVP_PKEY */
LT_MUST_USE int lt_pkey_from_pem(const char *pem, size_t len, lt_pkey **out); /* a private key */
void lt_pkey_free(lt_pkey *k);
int lt_pkey_is_rsa(const lt_pkey *k);
size_t lt_pkey_bits(const lt_pkey *k);
/* "RSA-2048", "EC P-256", "ED25519": the key's type and size, for details. */
void lt_pkey_describe(const lt_pkey *k, char *buf, size_t cap);
/* The kinds of key a server identity can hold (one identity per kind). */
#define LT_KEY_KIND_RSA 1
#define LT_KEY_KIND_EC 2
/* The kind of a certificate's public key (0: neither, or no certificate). */
int lt_cert_key_kind(const uint8_t *cert_der, size_t cert_len);
int lt_pkey_kind(const lt_pkey *k);
/* Does the private key match this certificate's public key? 1 yes, 0 no. */
int lt_pkey_matches_cert(const lt_pkey *key, const uint8_t *cert_der, size_t cert_len);

/* Chain lengths. lt_verify_chain accepts up to LT_MAX_VERIFY_DEPTH
 * intermediates between the leaf and the trust anchor: OpenSSL's default
 * verify depth, so every chain libssl accepts by default, we accept. A whole
 * chain is then at most the leaf, those intermediates and the root:
 * LT_MAX_CHAIN certificates, for our own chain and for the peer's
 * Certificate message (LT_MAX_PEER_CHAIN in hs/messages.h). Real chains
 * have 2 to 4; what bounds the work a peer can cause is the message size
 * (LT_MAX_HS_MESSAGE in conn/conn.h), not this count. */
#define LT_MAX_VERIFY_DEPTH 100
#define LT_MAX_CHAIN (LT_MAX_VERIFY_DEPTH + 2)

/* A certificate chain as DER blobs, leaf first. */
typedef struct lt_chain {
    size_t n;
    uint8_t *der[LT_MAX_CHAIN];
    size_t len[LT_MAX_CHAIN];
} lt_chain;
/* LT_ERR_CONFIG if none, a damaged block, or more than LT_MAX_CHAIN. */
LT_MUST_USE int lt_chain_from_pem(const char *pem, size_t len, lt_chain *out);
void lt_chain_clear(lt_chain *c);
/* The SignatureScheme each certificate of a chain is signed with (0 where
 * it has no name), leaf first, a self-signed root left out: what a peer's
 * signature_algorithms_cert must allow (RFC 8446 4.2.3). Returns how many. */
size_t lt_chain_sig_schemes(const lt_chain *c, uint16_t *out, size_t cap);

/* RSA key transport (RFC 5246 7.4.7.1). */
/* Client: encrypt the 48-byte pre-master secret with PKCS#1 v1.5 under the
 * public key of the server's leaf certificate. */
LT_MUST_USE int lt_rsa_encrypt_pms(const lt_pkey *server_pub, const uint8_t pms[48], uint8_t *out, size_t cap,
                                   size_t *out_len);
/* Server: decrypt EncryptedPreMasterSecret. Bleichenbacher-safe: whatever is
 * wrong (length, padding, the version in the first two bytes), pms is filled
 * with a random secret and LT_OK is returned; the time taken does not depend
 * on which case happened. client_version is ClientHello.client_version.
 * Only a libcrypto malfunction returns an error. */
LT_MUST_USE int lt_rsa_decrypt_pms(const lt_pkey *server_key, const uint8_t *enc, size_t enc_len,
                                   uint16_t client_version, uint8_t pms[48]);

/* Trust anchors (X509_STORE). */
typedef struct lt_trust lt_trust;
lt_trust *lt_trust_new(void);
void lt_trust_free(lt_trust *t);
LT_MUST_USE int lt_trust_add_file(lt_trust *t, const char *path);
LT_MUST_USE int lt_trust_add_dir(lt_trust *t, const char *path);
LT_MUST_USE int lt_trust_add_pem(lt_trust *t, const char *pem, size_t len);
LT_MUST_USE int lt_trust_add_system(lt_trust *t);

/*
 * Security levels, with OpenSSL 3's meanings (SSL_CTX_set_security_level(3)):
 * the minimum strength, in bits of security (NIST SP 800-57 Part 1 5.6.1),
 * of every key in the chain and of every certificate signature but the
 * trust anchor's own.
 *
 *   level  bits  RSA/DSA/DH  EC    signatures (each level also refuses
 *   0      -     any         any   any         what the levels below do)
 *   1      80    1024        160   not MD5, not SHA-1
 *   2      112   2048        224   (the default)
 *   3      128   3072        256   not SHA-224
 *   4      192   7680        384   not SHA-256
 *   5      256   15360       512   not SHA-384
 *
 * OpenSSL 3 rates SHA-1 signatures at 63 bits and MD5 at 39, so level 1
 * already refuses both (as libssl does; OpenSSL 1.1 allowed SHA-1 there).
 */
#define LT_SECLEVEL_DEFAULT 2
#define LT_SECLEVEL_MAX 5

/* keyUsage bits of a certificate (RFC 5280 4.2.1.3), our own numbering. */
#define LT_KU_DIGITAL_SIGNATURE 0x001
#define LT_KU_NON_REPUDIATION 0x002
#define LT_KU_KEY_ENCIPHERMENT 0x004
#define LT_KU_DATA_ENCIPHERMENT 0x008
#define LT_KU_KEY_AGREEMENT 0x010
#define LT_KU_KEY_CERT_SIGN 0x020
#define LT_KU_CRL_SIGN 0x040
#define LT_KU_ENCIPHER_ONLY 0x080
#define LT_KU_DECIPHER_ONLY 0x100

/* The outcome of checking a peer's chain, for the error and the narration. */
typedef struct lt_cert_report {
    char subject[256];   /* leaf subject, one line */
    char issuer[256];    /* leaf issuer */
    char not_before[64]; /* e.g. "Nov 27 15:40:57 2026 GMT" */
    char not_after[64];
    char names[256];  /* the leaf's DNS/IP SANs, comma-separated */
    char anchor[256]; /* the trust anchor the chain reached, if it did */
    int chain_len;    /* certificates in the verified chain */
    int chain_ok;     /* signature chain reached a trust anchor */
    int time_ok;      /* every certificate within its validity window */
    int host_ok;      /* hostname matched (or the check was off: host_checked = 0) */
    int host_checked;
    int security_level;        /* the level the chain was checked at */
    int strength_ok;           /* every key and signature met it */
    char key[64];              /* the leaf's public key, e.g. "RSA-2048" */
    int has_key_usage;         /* the leaf has a keyUsage extension */
    unsigned key_usage;        /* its LT_KU_* bits (0 when it has none) */
    char key_usage_names[160]; /* e.g. "digitalSignature, keyEncipherment"; "" when none */
    char detail[512]; /* on failure: one line, e.g. "hostname mismatch (wanted example.com, certificate has localhost)"
                       */
} lt_cert_report;

/* Verify a peer chain (leaf first) against trust anchors, at the current
 * time, for TLS server authentication, at a security level (0 to
 * LT_SECLEVEL_MAX, above). hostname may be NULL (no name check).
 * Returns LT_OK, or LT_ERR_UNKNOWN_CA / LT_ERR_CERTIFICATE_EXPIRED /
 * LT_ERR_BAD_CERTIFICATE (also: a signature weaker than the level) /
 * LT_ERR_INSUFFICIENT_SECURITY (a key weaker than the level) /
 * LT_ERR_UNSUPPORTED_CERTIFICATE / LT_ERR_HOSTNAME_MISMATCH, with the
 * report filled either way. On success *leaf_pub holds the leaf's public
 * key (free with lt_pkey_free). */
LT_MUST_USE int lt_verify_chain(const lt_trust *t, const uint8_t *const *der, const size_t *len, size_t n,
                                const char *hostname, int security_level, lt_cert_report *report, lt_pkey **leaf_pub);

/* The same for a client certificate (mutual TLS): the chain must reach an
 * anchor, be valid now, meet the level, and allow clientAuth in its
 * extendedKeyUsage when it has one (LT_ERR_UNSUPPORTED_CERTIFICATE
 * otherwise). No name is checked. */
LT_MUST_USE int lt_verify_client_chain(const lt_trust *t, const uint8_t *const *der, const size_t *len, size_t n,
                                       int security_level, lt_cert_report *report, lt_pkey **leaf_pub);
/* A certificate's public key, unverified (a verify hook accepted a chain the
 * default check refused); LT_ERR_BAD_CERTIFICATE when it does not parse. */
LT_MUST_USE int lt_cert_public_key(const uint8_t *der, size_t len, lt_pkey **out);
/* The issuers of a chain's certificates as a DistinguishedName list body
 * (each a 2-byte length, then DER), malloc'ed (*out NULL and *out_len 0
 * when none), to match a CertificateRequest's certificate_authorities. */
LT_MUST_USE int lt_chain_issuer_names(const lt_chain *c, uint8_t **out, size_t *out_len);
/* The DistinguishedName list body (each a 2-byte length, then DER) of the
 * store's CA subjects, malloc'ed (*out NULL and *out_len 0 when none). */
LT_MUST_USE int lt_trust_ca_names(const lt_trust *t, uint8_t **out, size_t *out_len);

/* What a leaf's key is to be used for, and the keyUsage bit that must be set
 * when the certificate has the extension (RFC 5280 4.2.1.3). */
typedef enum lt_key_use {
    LT_KEY_USE_ENCIPHERMENT = 1, /* RSA key transport: keyEncipherment (RFC 5246 7.4.2) */
    LT_KEY_USE_SIGNATURE,        /* signed key exchange, CertificateVerify: digitalSignature (RFC 5246 7.4.2,
                                    RFC 8446 4.4.2.2) */
} lt_key_use;
/* Does the leaf of a verified report allow this use? 1 when the leaf has no
 * keyUsage extension or has the bit, else 0. */
int lt_cert_allows(const lt_cert_report *report, lt_key_use use);
/* The same for a certificate of ours (DER), unverified: a server checks
 * what its own certificate may be used for. 0 when it does not parse. */
int lt_cert_allows_der(const uint8_t *der, size_t len, lt_key_use use);
/* The keyUsage bit name for a use: "keyEncipherment", "digitalSignature". */
const char *lt_key_use_name(lt_key_use use);

/* A certificate's subject and issuer as one-line RFC 2253 text, for the
 * narration (empty strings when it does not parse). Unprintable bytes
 * become "?". */
int lt_cert_names(const uint8_t *der, size_t len, char *subject, size_t subject_cap, char *issuer, size_t issuer_cap);

/* ---- Key exchange (kx.c): ECDHE, RFC 8422 and RFC 7748 ----
 * One ephemeral key per handshake. The key generation and the derivation are
 * libcrypto's (X25519, and ECDH on P-256/P-384, both constant time). */

/* NamedGroup codepoints (RFC 8446 4.2.7, RFC 8422 5.1.1). */
/* LT_GROUP_SECP256R1, LT_GROUP_SECP384R1, LT_GROUP_X25519: in lucidtls.h. */
#define LT_MAX_KX_PUBLIC 97 /* an uncompressed P-384 point */
#define LT_MAX_KX_SECRET 48

int lt_group_supported(uint16_t group);     /* 1 for the three above, else 0 */
const char *lt_group_name(uint16_t group);  /* "x25519", "secp256r1", "secp384r1"; NULL if unknown */
size_t lt_group_public_len(uint16_t group); /* 32, 65, 97; 0 if unknown */

typedef struct lt_kx_key lt_kx_key; /* an ephemeral private key */
/* A fresh key on group; LT_ERR_USAGE for a group we do not support. */
LT_MUST_USE int lt_kx_keygen(uint16_t group, lt_kx_key **out);
uint16_t lt_kx_group(const lt_kx_key *k);
/* Our public value as it goes on the wire: the X25519 u-coordinate (32
 * bytes, RFC 7748 5), or an uncompressed point 04 || x || y (RFC 8422 5.4.1,
 * RFC 8446 4.2.8.2). */
LT_MUST_USE int lt_kx_public(const lt_kx_key *k, uint8_t *out, size_t cap, size_t *len);
/* The shared secret: X25519 32 bytes; P-256 the x coordinate, 32 bytes;
 * P-384 48 bytes (RFC 8422 5.10, leading zeros kept). A peer value of the
 * wrong length, not uncompressed (first byte not 4), not on the curve, or an
 * X25519 result of all zeros (RFC 7748 6.1, RFC 8422 5.11) is
 * LT_ERR_ILLEGAL_PARAMETER; secret[0..cap) is wiped on every failure. */
LT_MUST_USE int lt_kx_derive(const lt_kx_key *k, const uint8_t *peer, size_t peer_len, uint8_t *secret, size_t cap,
                             size_t *secret_len);
void lt_kx_free(lt_kx_key *k);
/* For known-answer tests: a key from a given private scalar (X25519: 32
 * bytes, clamped by libcrypto as RFC 7748 5 says; P-256/P-384: a big-endian
 * scalar of the field size, 1 <= d < n). Not for handshakes. */
LT_MUST_USE int lt_kx_key_from_private(uint16_t group, const uint8_t *priv, size_t len, lt_kx_key **out);

/* ---- Signatures (sig.c): SignatureScheme, RFC 8446 4.2.3 ----
 * TLS 1.2's SignatureAndHashAlgorithm (RFC 5246 7.4.1.4.1) uses the same
 * two bytes for these. rsa_pss_rsae_*: RSASSA-PSS with MGF1 of the same hash
 * and a salt as long as the hash (RFC 8446 4.2.3), for sign and verify, with
 * an rsaEncryption key. ecdsa_*: DER Ecdsa-Sig-Value (RFC 8422 5.4), with a
 * key on the scheme's curve. */
enum {
    LT_SIG_RSA_PKCS1_SHA256 = 0x0401,
    LT_SIG_RSA_PKCS1_SHA384 = 0x0501,
    LT_SIG_RSA_PKCS1_SHA512 = 0x0601,
    LT_SIG_ECDSA_SECP256R1_SHA256 = 0x0403,
    LT_SIG_ECDSA_SECP384R1_SHA384 = 0x0503,
    LT_SIG_RSA_PSS_RSAE_SHA256 = 0x0804,
    LT_SIG_RSA_PSS_RSAE_SHA384 = 0x0805,
    LT_SIG_RSA_PSS_RSAE_SHA512 = 0x0806
};
#define LT_MAX_SIGNATURE_LEN 1024 /* RSA up to 8192 bits; ECDSA P-384 needs at most 104 */

/* "rsa_pss_rsae_sha256" (RFC 8446 4.2.3 names); NULL if not one we implement. */
const char *lt_sig_scheme_name(uint16_t scheme);
/* 1 when the scheme can be used with this key (public or private): an RSA
 * (rsaEncryption) key for rsa_*, large enough for the encoding (RFC 8017
 * 9.1.1, 9.2); an EC key on the scheme's curve for ecdsa_* (RFC 8446 4.2.3:
 * ecdsa_secp256r1_sha256 only with a P-256 key; in TLS 1.2 we apply the
 * same rule). Else 0, also for an unknown scheme. */
int lt_sig_scheme_fits_key(uint16_t scheme, const lt_pkey *key);
/* Sign msg (the whole message: the scheme's hash is applied here). cap must
 * be at least the key's maximum signature size (LT_MAX_SIGNATURE_LEN always
 * is, for keys up to 8192 bits). LT_ERR_USAGE when the scheme does not fit
 * the key or cap is too small. */
LT_MUST_USE int lt_sign(const lt_pkey *key, uint16_t scheme, const uint8_t *msg, size_t len, uint8_t *sig, size_t cap,
                        size_t *sig_len);
/* LT_OK; LT_ERR_DECRYPT_ERROR when the signature does not verify (RFC 5246
 * 7.4.3, RFC 8446 4.4.3 name that alert), whatever is wrong with it;
 * LT_ERR_ILLEGAL_PARAMETER when the scheme is unknown or does not fit the
 * key. */
LT_MUST_USE int lt_verify(const lt_pkey *pub, uint16_t scheme, const uint8_t *msg, size_t len, const uint8_t *sig,
                          size_t sig_len);
/* The same for TLS 1.2, where an ECDSA scheme names the hash but not the
 * curve (RFC 5246 7.4.1.4.1): any supported curve fits. */
/* The TLS 1.2 schemes key can sign with, in our preference order (those
 * whose hash matches the key's curve first); returns how many. A server
 * works this out once per key. */
size_t lt_sign_schemes_for_key(const lt_pkey *key, uint16_t *out, size_t cap);
/* The same for TLS 1.3 CertificateVerify: rsa_pss_rsae_* for RSA, the
 * curve's own ecdsa_* for EC, never PKCS#1 v1.5 (RFC 8446 4.2.3). */
size_t lt_sign_schemes13_for_key(const lt_pkey *key, uint16_t *out, size_t cap);
int lt_sig_scheme_fits_key_tls12(uint16_t scheme, const lt_pkey *key);
LT_MUST_USE int lt_sign_tls12(const lt_pkey *key, uint16_t scheme, const uint8_t *msg, size_t len, uint8_t *sig,
                              size_t cap, size_t *sig_len);
LT_MUST_USE int lt_verify_tls12(const lt_pkey *pub, uint16_t scheme, const uint8_t *msg, size_t len, const uint8_t *sig,
                                size_t sig_len);

/* pkey.c additions */
int lt_pkey_is_ec(const lt_pkey *k);
/* LT_GROUP_SECP256R1 / LT_GROUP_SECP384R1 for an EC key on those curves
 * (named, not explicit parameters), else 0. */
uint16_t lt_pkey_ec_group(const lt_pkey *k);

/* Demo PKI (demo_pki.c): implements lt_demo_pki_make from the public header. */

#endif
