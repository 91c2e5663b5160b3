/*
 * Protocol limits, defined once for every layer that needs them.
 */
#ifndef LT_BASE_LIMITS_H
#define LT_BASE_LIMITS_H

#include <stddef.h>
#include <stdint.h>

#include "lucidtls/lucidtls.h" /* LT_TLS1_2 */

#define LT_RECORD_HEADER_LEN 5
/* RFC 5246 6.2.1: "The length (in bytes) of the following
 * TLSPlaintext.fragment. The length MUST NOT exceed 2^14." RFC 8446 5.1
 * keeps it, and 5.4 bounds the TLSInnerPlaintext (content, type, padding) at
 * 2^14 + 1. */
#define LT_MAX_PLAINTEXT 16384
#define LT_MAX_INNER_PLAINTEXT_TLS13 (LT_MAX_PLAINTEXT + 1)
/* RFC 5246 6.2.3: "The length (in bytes) of the following
 * TLSCiphertext.fragment. The length MUST NOT exceed 2^14 + 2048." */
#define LT_MAX_CIPHERTEXT_TLS12 (LT_MAX_PLAINTEXT + 2048)
/* RFC 8446 5.2: "The length MUST NOT exceed 2^14 + 256 bytes." */
#define LT_MAX_CIPHERTEXT_TLS13 (LT_MAX_PLAINTEXT + 256)
/* TLS 1.3 as on the wire (RFC 8446 4.2.1), until the public header has it
 * beside LT_TLS1_2. */
#ifndef LT_TLS1_3
#define LT_TLS1_3 0x0304
#endif

/* The ciphertext limit of a protocol version: 2^14 + 256 for TLS 1.3,
 * 2^14 + 2048 for TLS 1.2. */
static inline size_t lt_max_ciphertext(uint16_t version)
{
    return version == LT_TLS1_3 ? LT_MAX_CIPHERTEXT_TLS13 : LT_MAX_CIPHERTEXT_TLS12;
}

#endif
