#include "hs/suites.h"

#include <strings.h>
#include <string.h>

/* Default preference: AEAD before CBC (RFC 7525 3.2), SHA-2 before SHA-1,
 * 128-bit before 256-bit within a family (as OpenSSL orders them for speed). */
static const lt_suite SUITES[] = {
    {LT_TLS_RSA_WITH_AES_128_GCM_SHA256, "TLS_RSA_WITH_AES_128_GCM_SHA256", "AES128-GCM-SHA256", LT_KX_RSA, LT_AUTH_RSA,
     LT_CIPHER_AES_128_GCM, LT_MAC_NONE, LT_HASH_SHA256, "AES-128-GCM", "AEAD"},
    {LT_TLS_RSA_WITH_AES_256_GCM_SHA384, "TLS_RSA_WITH_AES_256_GCM_SHA384", "AES256-GCM-SHA384", LT_KX_RSA, LT_AUTH_RSA,
     LT_CIPHER_AES_256_GCM, LT_MAC_NONE, LT_HASH_SHA384, "AES-256-GCM", "AEAD"},
    {LT_TLS_RSA_WITH_AES_128_CBC_SHA256, "TLS_RSA_WITH_AES_128_CBC_SHA256", "AES128-SHA256", LT_KX_RSA, LT_AUTH_RSA,
     LT_CIPHER_AES_128_CBC, LT_MAC_HMAC_SHA256, LT_HASH_SHA256, "AES-128-CBC", "HMAC-SHA256"},
    {LT_TLS_RSA_WITH_AES_256_CBC_SHA256, "TLS_RSA_WITH_AES_256_CBC_SHA256", "AES256-SHA256", LT_KX_RSA, LT_AUTH_RSA,
     LT_CIPHER_AES_256_CBC, LT_MAC_HMAC_SHA256, LT_HASH_SHA256, "AES-256-CBC", "HMAC-SHA256"},
    /* RFC 5246 5: every TLS 1.2 suite whose definition predates 1.2 uses the
     * SHA-256 PRF. */
    {LT_TLS_RSA_WITH_AES_128_CBC_SHA, "TLS_RSA_WITH_AES_128_CBC_SHA", "AES128-SHA", LT_KX_RSA, LT_AUTH_RSA,
     LT_CIPHER_AES_128_CBC, LT_MAC_HMAC_SHA1, LT_HASH_SHA256, "AES-128-CBC", "HMAC-SHA1"},
    {LT_TLS_RSA_WITH_AES_256_CBC_SHA, "TLS_RSA_WITH_AES_256_CBC_SHA", "AES256-SHA", LT_KX_RSA, LT_AUTH_RSA,
     LT_CIPHER_AES_256_CBC, LT_MAC_HMAC_SHA1, LT_HASH_SHA256, "AES-256-CBC", "HMAC-SHA1"},
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
    return kx == LT_KX_ECDHE ? "ECDHE" : "RSA";
}

static const char *auth_text(lt_auth auth)
{
    return auth == LT_AUTH_ECDSA ? "ECDSA" : "RSA";
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
        .forward_secret = s->kx == LT_KX_ECDHE,
        .key_bits = (int)(8 * lt_cipher_key_len(s->cipher)),
    };
    return LT_OK;
}
