/*
 * The server's TLS 1.2 session cache (RFC 5246 7.4.1.2, 7.3): session ID ->
 * the session, serialized (an lt_ticket_state blob: the master secret is
 * inside). Bounded: at most max_entries, each allocated when it is added and
 * freed (wiped) when it goes; a full cache evicts its least recently used
 * entry, so it never grows past the bound. Each entry lives lifetime_s
 * seconds from when it was added.
 *
 * One cache per config, shared by all its connections, which may run on
 * different threads: every call takes the cache's mutex.
 */
#ifndef LT_HS_SESSION_CACHE_H
#define LT_HS_SESSION_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

#define LT_SESSION_CACHE_MAX_ID 32
#define LT_SESSION_CACHE_MAX_DATA 1024 /* the largest serialized session an entry holds */

typedef struct lt_session_cache lt_session_cache;

/* NULL when max_entries or lifetime_s is 0, or out of memory. */
lt_session_cache *lt_session_cache_new(size_t max_entries, uint32_t lifetime_s);
void lt_session_cache_free(lt_session_cache *c);

/* Add (or replace) the entry for id, at time now_s (seconds, any epoch).
 * LT_ERR_USAGE for an empty or over-long id or data, LT_ERR_NOMEM. */
LT_MUST_USE int lt_session_cache_put(lt_session_cache *c, const uint8_t *id, size_t id_len, const uint8_t *data,
                                     size_t len, uint64_t now_s);
/* 1 with the entry's data copied into out (cap bytes) and *len set, and the
 * entry made the most recently used; 0 when there is none, it has expired
 * (it is then removed), or it does not fit in cap. */
int lt_session_cache_get(lt_session_cache *c, const uint8_t *id, size_t id_len, uint64_t now_s, uint8_t *out,
                         size_t cap, size_t *len);
void lt_session_cache_remove(lt_session_cache *c, const uint8_t *id, size_t id_len);

/* The lifetime its entries get. */
uint32_t lt_session_cache_lifetime(const lt_session_cache *c);

/* How many entries it holds, and the memory they and the cache's own
 * structures take now (for the bench's memory table). */
size_t lt_session_cache_count(const lt_session_cache *c);
size_t lt_session_cache_bytes(const lt_session_cache *c);

#endif
