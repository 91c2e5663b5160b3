/* The cipher suites we implement: one table row each (suites.c). */
#ifndef LT_HS_SUITES_H
#define LT_HS_SUITES_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/crypto.h"

/* TLS 1.3 suites name neither: key_share and the certificate decide
 * (RFC 8446 4.1.1), so they have LT_KX_ANY and LT_AUTH_ANY. */
typedef enum lt_kx { LT_KX_RSA = 1, LT_KX_ECDHE, LT_KX_ANY } lt_kx;
typedef enum lt_auth { LT_AUTH_RSA = 1, LT_AUTH_ECDSA, LT_AUTH_ANY } lt_auth;

typedef struct lt_suite {
    uint16_t id;
    const char *iana_name;
    const char *openssl_name;
    lt_kx kx;
    lt_auth auth; /* the server certificate's key type */
    lt_cipher_alg cipher;
    lt_mac_alg mac;
    lt_hash_alg prf_hash;    /* the PRF and transcript hash (RFC 5246 5, 7.4.9) */
    const char *cipher_text; /* "AES-128-CBC", for narration */
    const char *mac_text;    /* "HMAC-SHA256", or "AEAD" */
    uint16_t version;        /* LT_TLS1_2 or LT_TLS1_3: a suite belongs to one version (RFC 8446 4.1.2, B.4) */
} lt_suite;

const lt_suite *lt_suite_find(uint16_t id);
/* Finds a suite by IANA or OpenSSL name (case-insensitive). */
const lt_suite *lt_suite_by_name(const char *name, size_t len);
/* All suites, in our default preference order. */
const lt_suite *lt_suite_at(size_t i);
size_t lt_suite_count(void);

#endif
