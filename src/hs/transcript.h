/*
 * The handshake transcript: a running hash of every handshake message sent
 * and received (RFC 5246 7.4.9: handshake_messages, HelloRequest excluded).
 * In TLS 1.2 the hash is only known once the suite is chosen, so messages are
 * buffered until lt_transcript_set_hash().
 */
#ifndef LT_HS_TRANSCRIPT_H
#define LT_HS_TRANSCRIPT_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/crypto.h"

typedef struct lt_transcript {
    lt_hash *hash;
    lt_hash_alg alg;
    uint8_t *pending; /* messages seen before the hash was chosen */
    size_t pending_len;
    size_t total_len;
    unsigned n_msgs;
    int track_names;  /* keep `covers` (only when someone listens to the trace) */
    char covers[200]; /* "ClientHello, ServerHello, ..." for the narration */
} lt_transcript;

void lt_transcript_init(lt_transcript *t);
void lt_transcript_free(lt_transcript *t);
LT_MUST_USE int lt_transcript_add(lt_transcript *t, const uint8_t *msg, size_t len, const char *name);
LT_MUST_USE int lt_transcript_set_hash(lt_transcript *t, lt_hash_alg alg);
/* The hash of everything so far. */
LT_MUST_USE int lt_transcript_hash(const lt_transcript *t, uint8_t *out, size_t *out_len);

#endif
