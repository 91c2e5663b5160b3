/*
 * An in-memory client/server pair: shuttles lt_conn_out_peek() bytes of one
 * side into lt_conn_feed() of the other, with hooks that can fragment,
 * coalesce, drop, inject or tamper with what is in flight.
 */
#ifndef LT_TEST_PAIR_H
#define LT_TEST_PAIR_H

#include <stddef.h>
#include <stdint.h>

#include "lucidtls/lucidtls.h"
#include "lucidtls/lucidtls_demo.h"

typedef struct lt_pair {
    lt_demo_pki pki; /* shared by all pairs: do not free */
    lt_config *ccfg;
    lt_config *scfg;
    lt_conn *client;
    lt_conn *server;
    size_t chunk; /* bytes per lt_conn_feed call (0: all at once) */
    /* Called with each batch of bytes in flight; may rewrite buf in place
     * (up to cap) and change *len. from_client says the direction. */
    void (*hook)(void *arg, int from_client, uint8_t *buf, size_t *len, size_t cap);
    void *hook_arg;
} lt_pair;

/* Makes configs (server with a demo PKI for "localhost", client trusting its
 * CA) and connections. suite = 0 keeps the default list. */
int pair_init(lt_pair *p, uint16_t suite);
/* The configs only: a config is frozen by its first connection, so a test
 * that changes them does so first, then calls pair_new_conns. */
int pair_init_configs(lt_pair *p, uint16_t suite);
/* The connections (again: the configs stay as they are). */
int pair_new_conns(lt_pair *p);
void pair_free(lt_pair *p);

/* Runs the handshake until both sides are established, one fails, or no
 * progress is made (making the connections first if there are none). Returns LT_OK or the first error seen. */
int pair_handshake(lt_pair *p);
/* Moves pending bytes both ways once; returns how many moved. */
size_t pair_pump(lt_pair *p);
/* Sends len bytes from one side and reads them at the other. */
int pair_transfer(lt_pair *p, int from_client, const uint8_t *data, size_t len);

/* Rewrites a stream of records: every unprotected handshake record is split
 * into records of at most frag bytes (frag = 1: one byte per record), or, if
 * merge is set, consecutive unprotected handshake records are merged into one. */
size_t reframe_records(uint8_t *buf, size_t len, size_t cap, size_t frag, int merge, int *seen_ccs);

#endif
