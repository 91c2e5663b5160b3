/*
 * Protocol limits, defined once for every layer that needs them.
 */
#ifndef LT_BASE_LIMITS_H
#define LT_BASE_LIMITS_H

#define LT_RECORD_HEADER_LEN 5
/* RFC 5246 6.2.1: "The length (in bytes) of the following
 * TLSPlaintext.fragment. The length MUST NOT exceed 2^14." */
#define LT_MAX_PLAINTEXT 16384
/* RFC 5246 6.2.3: "The length (in bytes) of the following
 * TLSCiphertext.fragment. The length MUST NOT exceed 2^14 + 2048." */
#define LT_MAX_CIPHERTEXT (LT_MAX_PLAINTEXT + 2048)

#endif
