#include "hs/suites.h"

#include <strings.h>
#include <string.h>

/* Default preference (RFC 7525 3.2, Mozilla "intermediate"): forward-secret
 * AEAD first, ECDSA before RSA within a cipher, AES-128 before AES-256 before
 * ChaCha20 (AES-NI makes AES faster where it exists); then ECDHE with CBC;
 * RSA key transport last. */
#define ECDHE(id, iana, ossl, auth, cipher, mac, prf, ctext, mtext)                                                    \
    {                                                                                                                  \
        id, iana, ossl, LT_KX_ECDHE, auth, cipher, mac, prf, ctext, mtext, LT_TLS1_2                                   \
    }
#define RSAKX(id, iana, ossl, cipher, mac, prf, ctext, mtext)                                                          \
    {                                                                                                                  \
        id, iana, ossl, LT_KX_RSA, LT_AUTH_RSA, cipher, mac, prf, ctext, mtext, LT_TLS1_2                              \
    }
/* RFC 8446 B.4: OpenSSL names them by their IANA names too. */
#define TLS13(id, iana, cipher, hash, ctext)                                                                           \
    {                                                                                                                  \
        id, iana, iana, LT_KX_ANY, LT_AUTH_ANY, cipher, LT_MAC_NONE, hash, ctext, "AEAD", LT_TLS1_3                    \
    }
static const lt_suite SUITES[] = {
    /* TLS 1.3 first (RFC 8446 9.1: AES-128-GCM is the MUST; ChaCha20 a
     * SHOULD), the same cipher order as TLS 1.2's. */
    TLS13(LT_TLS_AES_128_GCM_SHA256, "TLS_AES_128_GCM_SHA256", LT_CIPHER_AES_128_GCM, LT_HASH_SHA256, "AES-128-GCM"),
    TLS13(LT_TLS_AES_256_GCM_SHA384, "TLS_AES_256_GCM_SHA384", LT_CIPHER_AES_256_GCM, LT_HASH_SHA384, "AES-256-GCM"),
    TLS13(LT_TLS_CHACHA20_POLY1305_SHA256, "TLS_CHACHA20_POLY1305_SHA256", LT_CIPHER_CHACHA20_POLY1305, LT_HASH_SHA256,
          "ChaCha20-Poly1305"),
    ECDHE(LT_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
          "ECDHE-ECDSA-AES128-GCM-SHA256", LT_AUTH_ECDSA, LT_CIPHER_AES_128_GCM, LT_MAC_NONE, LT_HASH_SHA256,
          "AES-128-GCM", "AEAD"),
    ECDHE(LT_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
          "ECDHE-RSA-AES128-GCM-SHA256", LT_AUTH_RSA, LT_CIPHER_AES_128_GCM, LT_MAC_NONE, LT_HASH_SHA256, "AES-128-GCM",
          "AEAD"),
    ECDHE(LT_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
          "ECDHE-ECDSA-AES256-GCM-SHA384", LT_AUTH_ECDSA, LT_CIPHER_AES_256_GCM, LT_MAC_NONE, LT_HASH_SHA384,
          "AES-256-GCM", "AEAD"),
    ECDHE(LT_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
          "ECDHE-RSA-AES256-GCM-SHA384", LT_AUTH_RSA, LT_CIPHER_AES_256_GCM, LT_MAC_NONE, LT_HASH_SHA384, "AES-256-GCM",
          "AEAD"),
    /* RFC 7905. */
    ECDHE(LT_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
          "ECDHE-ECDSA-CHACHA20-POLY1305", LT_AUTH_ECDSA, LT_CIPHER_CHACHA20_POLY1305, LT_MAC_NONE, LT_HASH_SHA256,
          "ChaCha20-Poly1305", "AEAD"),
    ECDHE(LT_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
          "ECDHE-RSA-CHACHA20-POLY1305", LT_AUTH_RSA, LT_CIPHER_CHACHA20_POLY1305, LT_MAC_NONE, LT_HASH_SHA256,
          "ChaCha20-Poly1305", "AEAD"),
    /* RFC 5289: the SHA-256/384 CBC suites use that hash for the PRF too. */
    ECDHE(LT_TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256",
          "ECDHE-ECDSA-AES128-SHA256", LT_AUTH_ECDSA, LT_CIPHER_AES_128_CBC, LT_MAC_HMAC_SHA256, LT_HASH_SHA256,
          "AES-128-CBC", "HMAC-SHA256"),
    ECDHE(LT_TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", "ECDHE-RSA-AES128-SHA256",
          LT_AUTH_RSA, LT_CIPHER_AES_128_CBC, LT_MAC_HMAC_SHA256, LT_HASH_SHA256, "AES-128-CBC", "HMAC-SHA256"),
    ECDHE(LT_TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384",
          "ECDHE-ECDSA-AES256-SHA384", LT_AUTH_ECDSA, LT_CIPHER_AES_256_CBC, LT_MAC_HMAC_SHA384, LT_HASH_SHA384,
          "AES-256-CBC", "HMAC-SHA384"),
    ECDHE(LT_TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384", "ECDHE-RSA-AES256-SHA384",
          LT_AUTH_RSA, LT_CIPHER_AES_256_CBC, LT_MAC_HMAC_SHA384, LT_HASH_SHA384, "AES-256-CBC", "HMAC-SHA384"),
    /* RFC 4492/8422 suites with SHA-1 MACs use the SHA-256 PRF in TLS 1.2 (RFC 5246 5). */
    ECDHE(LT_TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", "ECDHE-ECDSA-AES128-SHA",
          LT_AUTH_ECDSA, LT_CIPHER_AES_128_CBC, LT_MAC_HMAC_SHA1, LT_HASH_SHA256, "AES-128-CBC", "HMAC-SHA1"),
    ECDHE(LT_TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "ECDHE-RSA-AES128-SHA",
          LT_AUTH_RSA, LT_CIPHER_AES_128_CBC, LT_MAC_HMAC_SHA1, LT_HASH_SHA256, "AES-128-CBC", "HMAC-SHA1"),
    ECDHE(LT_TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", "ECDHE-ECDSA-AES256-SHA",
          LT_AUTH_ECDSA, LT_CIPHER_AES_256_CBC, LT_MAC_HMAC_SHA1, LT_HASH_SHA256, "AES-256-CBC", "HMAC-SHA1"),
    ECDHE(LT_TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", "ECDHE-RSA-AES256-SHA",
          LT_AUTH_RSA, LT_CIPHER_AES_256_CBC, LT_MAC_HMAC_SHA1, LT_HASH_SHA256, "AES-256-CBC", "HMAC-SHA1"),
    /* RSA key transport (RFC 5246, RFC 5288): no forward secrecy. */
    RSAKX(LT_TLS_RSA_WITH_AES_128_GCM_SHA256, "TLS_RSA_WITH_AES_128_GCM_SHA256", "AES128-GCM-SHA256",
          LT_CIPHER_AES_128_GCM, LT_MAC_NONE, LT_HASH_SHA256, "AES-128-GCM", "AEAD"),
    RSAKX(LT_TLS_RSA_WITH_AES_256_GCM_SHA384, "TLS_RSA_WITH_AES_256_GCM_SHA384", "AES256-GCM-SHA384",
          LT_CIPHER_AES_256_GCM, LT_MAC_NONE, LT_HASH_SHA384, "AES-256-GCM", "AEAD"),
    RSAKX(LT_TLS_RSA_WITH_AES_128_CBC_SHA256, "TLS_RSA_WITH_AES_128_CBC_SHA256", "AES128-SHA256", LT_CIPHER_AES_128_CBC,
          LT_MAC_HMAC_SHA256, LT_HASH_SHA256, "AES-128-CBC", "HMAC-SHA256"),
    RSAKX(LT_TLS_RSA_WITH_AES_256_CBC_SHA256, "TLS_RSA_WITH_AES_256_CBC_SHA256", "AES256-SHA256", LT_CIPHER_AES_256_CBC,
          LT_MAC_HMAC_SHA256, LT_HASH_SHA256, "AES-256-CBC", "HMAC-SHA256"),
    /* RFC 5246 5: every TLS 1.2 suite whose definition predates 1.2 uses the
     * SHA-256 PRF. */
    RSAKX(LT_TLS_RSA_WITH_AES_128_CBC_SHA, "TLS_RSA_WITH_AES_128_CBC_SHA", "AES128-SHA", LT_CIPHER_AES_128_CBC,
          LT_MAC_HMAC_SHA1, LT_HASH_SHA256, "AES-128-CBC", "HMAC-SHA1"),
    RSAKX(LT_TLS_RSA_WITH_AES_256_CBC_SHA, "TLS_RSA_WITH_AES_256_CBC_SHA", "AES256-SHA", LT_CIPHER_AES_256_CBC,
          LT_MAC_HMAC_SHA1, LT_HASH_SHA256, "AES-256-CBC", "HMAC-SHA1"),
};

#define N_SUITES (sizeof SUITES / sizeof SUITES[0])

const lt_suite *lt_suite_find(uint16_t id)
{
    for (size_t i = 0; i < N_SUITES; i++) {
        if (SUITES[i].id == id) {
            return &SUITES[i];
        }
    }
    return NULL;
}

const lt_suite *lt_suite_by_name(const char *name, size_t len)
{
    for (size_t i = 0; i < N_SUITES; i++) {
        const lt_suite *s = &SUITES[i];
        if ((strlen(s->iana_name) == len && strncasecmp(s->iana_name, name, len) == 0) ||
            (strlen(s->openssl_name) == len && strncasecmp(s->openssl_name, name, len) == 0)) {
            return s;
        }
    }
    return NULL;
}

const lt_suite *lt_suite_at(size_t i)
{
    return i < N_SUITES ? &SUITES[i] : NULL;
}

size_t lt_suite_count(void)
{
    return N_SUITES;
}

const char *lt_suite_name(uint16_t suite)
{
    const lt_suite *s = lt_suite_find(suite);
    return s != NULL ? s->iana_name : NULL;
}

const char *lt_suite_openssl_name(uint16_t suite)
{
    const lt_suite *s = lt_suite_find(suite);
    return s != NULL ? s->openssl_name : NULL;
}

static const char *kx_text(lt_kx kx)
{
    return kx == LT_KX_ECDHE ? "ECDHE" : kx == LT_KX_RSA ? "RSA" : "any";
}

static const char *auth_text(lt_auth auth)
{
    return auth == LT_AUTH_ECDSA ? "ECDSA" : auth == LT_AUTH_RSA ? "RSA" : "any";
}

int lt_suite_get_info(uint16_t suite, lt_suite_info *info)
{
    const lt_suite *s = lt_suite_find(suite);
    if (s == NULL || info == NULL) {
        return LT_ERR_USAGE;
    }
    *info = (lt_suite_info){
        .id = s->id,
        .iana_name = s->iana_name,
        .openssl_name = s->openssl_name,
        .key_exchange = kx_text(s->kx),
        .authentication = auth_text(s->auth),
        .cipher = s->cipher_text,
        .mac = s->mac_text,
        .prf_hash = lt_hash_name(s->prf_hash),
        .aead = s->mac == LT_MAC_NONE,
        /* TLS 1.3 has no key transport: every handshake is (EC)DHE. */
        .forward_secret = s->kx != LT_KX_RSA,
        .key_bits = (int)(8 * lt_cipher_key_len(s->cipher)),
        .version = s->version,
    };
    return LT_OK;
}
