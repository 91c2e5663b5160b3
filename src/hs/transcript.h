/*
 * The handshake transcript: every handshake message sent and received
 * (RFC 5246 7.4.9 handshake_messages, HelloRequest excluded; RFC 8446 4.4.1
 * Transcript-Hash).
 *
 * It keeps the raw messages until told they are no longer needed, because:
 *   - in TLS 1.2 the hash is known only once the suite is chosen;
 *   - a TLS 1.2 CertificateVerify may be signed with another hash than the
 *     PRF's (RFC 5246 7.4.8), so it needs the messages themselves;
 *   - TLS 1.3 replaces ClientHello1 by a message_hash after a
 *     HelloRetryRequest (RFC 8446 4.4.1).
 * It can run up to LT_TRANSCRIPT_MAX_HASHES hashes at once, and hash the
 * messages so far followed by a partial message (the truncated ClientHello
 * that PSK binders cover, RFC 8446 4.2.11.2).
 */
#ifndef LT_HS_TRANSCRIPT_H
#define LT_HS_TRANSCRIPT_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/buf.h"
#include "crypto/crypto.h"

#define LT_TRANSCRIPT_MAX_HASHES 2
/* The raw messages we keep at most: a full TLS 1.2 handshake with two
 * largest-allowed certificate chains and a ClientHello fits. */
#define LT_TRANSCRIPT_RAW_MAX (1u << 19)

typedef struct lt_transcript {
    lt_hash *hash[LT_TRANSCRIPT_MAX_HASHES];
    lt_hash_alg alg[LT_TRANSCRIPT_MAX_HASHES];
    size_t n_hashes;
    lt_buf raw; /* the messages so far, while kept */
    int raw_dropped;
    size_t total_len;
    unsigned n_msgs;
    int track_names;  /* keep `covers` (only when someone listens to the trace) */
    char covers[200]; /* "ClientHello, ServerHello, ..." for the narration */
} lt_transcript;

void lt_transcript_init(lt_transcript *t);
void lt_transcript_free(lt_transcript *t);
LT_MUST_USE int lt_transcript_add(lt_transcript *t, const uint8_t *msg, size_t len, const char *name);
/* Start a running hash with alg over everything so far (once per alg). */
LT_MUST_USE int lt_transcript_set_hash(lt_transcript *t, lt_hash_alg alg);
/* The hash of everything so far, with the first hash started. */
LT_MUST_USE int lt_transcript_hash(const lt_transcript *t, uint8_t *out, size_t *out_len);
/* The same with a given running hash. */
LT_MUST_USE int lt_transcript_hash_alg(const lt_transcript *t, lt_hash_alg alg, uint8_t *out, size_t *out_len);
/* Hash(messages so far || partial): a message of which only the first bytes
 * count (the PSK binders' truncated ClientHello). */
LT_MUST_USE int lt_transcript_hash_with(const lt_transcript *t, lt_hash_alg alg, const uint8_t *partial, size_t n,
                                        uint8_t *out, size_t *out_len);
/* The raw messages so far; LT_ERR_INTERNAL once dropped. */
LT_MUST_USE int lt_transcript_raw(const lt_transcript *t, const uint8_t **p, size_t *len);
/* No one will need the raw messages again: free them. */
void lt_transcript_drop_raw(lt_transcript *t);
/* RFC 8446 4.4.1: after a HelloRetryRequest, ClientHello1 (everything so
 * far) is replaced by message_hash(254) 00 00 Hash.length Hash(ClientHello1),
 * hashed with alg (which becomes the only running hash). */
LT_MUST_USE int lt_transcript_replace_with_message_hash(lt_transcript *t, lt_hash_alg alg);

#endif
