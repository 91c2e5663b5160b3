/*
 * The narrator: turns lucidtls trace events (docs/TRACE.md) into the story of
 * the seed notes, Bob (the client) talking to Alice (the server), one step per
 * line, each step named by its TLS message and RFC section.
 *
 * Two modes:
 *  - one side (--explain): lines print as the events arrive, with a header
 *    whenever the handshake enters a new phase;
 *  - both sides (the demo, where Bob and Alice run in two threads of one
 *    process): lines are collected and printed by narrate_flush(), grouped by
 *    phase, so that e.g. Alice decrypting the pre-master secret sits next to
 *    Bob encrypting it. Messages are told once, by their sender.
 *
 * What is told follows what was negotiated (lt_suite_get_info of the
 * connection's suite, and the events): RSA key transport or ECDHE (a signed
 * fresh key, an agreed pre-master secret, forward secrecy), and each
 * record's steps in their real order (MAC-then-encrypt, encrypt-then-MAC,
 * one AEAD seal). A TLS 1.3 handshake is told in the same terms, moved to
 * where RFC 8446 puts them: the (EC)DHE shared secret of the key shares in
 * the pre-master secret's place, the HKDF key schedule, E_B and E_A as one
 * key and IV per epoch, Alice's Finished before Bob's, HelloRetryRequest,
 * resumption, KeyUpdate. docs/TRACE.md has the events and the story.
 */
#ifndef LT_TOOLS_NARRATE_H
#define LT_TOOLS_NARRATE_H

#include <stdio.h>

#include "lucidtls/lucidtls.h"

typedef struct narrator narrator;

/* The phases of the story; each gets a header. A TLS 1.3 handshake uses
 * the same seven slots in its own order and with its own headers (2: the
 * shared secret, 3: the key schedule and handshake keys, 4: Alice's flight,
 * 5: Bob's Finished and the application keys); DATA and CLOSE are the same. */
enum {
    NARR_PHASE_HELLO = 1,
    NARR_PHASE_CERT = 2,
    NARR_PHASE_PMS = 3,
    NARR_PHASE_KEYS = 4,
    NARR_PHASE_FINISHED = 5,
    NARR_PHASE_DATA = 6,
    NARR_PHASE_CLOSE = 7
};

narrator *narrator_new(FILE *out, int show_secrets, int both_sides);
void narrator_free(narrator *n);
/* Forget per-connection state (a server narrating its next client). */
void narrator_reset(narrator *n);

/* The lt_trace_fn: pass the narrator as the trace argument. */
void narrate_trace(void *arg, const lt_conn *conn, const lt_event *ev);

/* A line of the application's own (e.g. "Bob writes: ..."), told by `side`
 * in `phase`. */
void narrate_note(narrator *n, lt_role side, int phase, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Print what is still pending (both-sides mode: everything). */
void narrate_flush(narrator *n);

#endif
