/*
 * The TLS 1.2 session cache (session_cache.h): a hash table of chains for
 * lookup, and one doubly linked list in order of use for eviction (the
 * head is the most recently used, the tail goes first), and another in the
 * order of adding, which is the order of expiry (every entry lives the
 * same lifetime), so expired entries are found without a scan.
 *
 * The session IDs in it are ours (32 random bytes each, from the server's
 * RNG), so a client cannot choose keys that collide: it can only look up.
 * The bucket array is made on the first put and never grows (at most
 * MAX_BUCKETS), so the cache's size is the entries it holds plus that.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "hs/session_cache.h"

#define MAX_BUCKETS 65536u

typedef struct entry {
    struct entry *next_in_bucket;
    struct entry *newer, *older;              /* the use order */
    struct entry *added_after, *added_before; /* the order of adding (and of expiry) */
    uint64_t expires_s;
    uint8_t id[LT_SESSION_CACHE_MAX_ID];
    uint8_t id_len;
    size_t len;
    uint8_t data[]; /* the serialized session, len bytes */
} entry;

struct lt_session_cache {
    pthread_mutex_t lock;
    size_t max_entries;
    uint32_t lifetime_s;
    entry **buckets; /* n_buckets heads, NULL until the first put */
    size_t n_buckets;
    entry *newest, *oldest;   /* by use */
    entry *latest, *earliest; /* by adding */
    size_t count;
    size_t bytes; /* the entries' allocations */
};

lt_session_cache *lt_session_cache_new(size_t max_entries, uint32_t lifetime_s)
{
    if (max_entries == 0 || lifetime_s == 0) {
        return NULL;
    }
    lt_session_cache *c = calloc(1, sizeof *c);
    if (c == NULL) {
        return NULL;
    }
    if (pthread_mutex_init(&c->lock, NULL) != 0) {
        free(c);
        return NULL;
    }
    c->max_entries = max_entries;
    c->lifetime_s = lifetime_s;
    c->n_buckets = 16;
    while (c->n_buckets < max_entries && c->n_buckets < MAX_BUCKETS) {
        c->n_buckets *= 2;
    }
    return c;
}

static size_t entry_size(size_t len)
{
    return sizeof(entry) + len;
}

/* The entry holds a master secret: wiped before it is freed. */
static void entry_free(lt_session_cache *c, entry *e)
{
    c->bytes -= entry_size(e->len);
    c->count--;
    lt_wipe(e, entry_size(e->len));
    free(e);
}

void lt_session_cache_free(lt_session_cache *c)
{
    if (c == NULL) {
        return;
    }
    for (entry *e = c->newest, *next; e != NULL; e = next) {
        next = e->older;
        entry_free(c, e);
    }
    free(c->buckets);
    pthread_mutex_destroy(&c->lock);
    free(c);
}

/* FNV-1a over the ID. */
static size_t bucket_of(const lt_session_cache *c, const uint8_t *id, size_t id_len)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < id_len; i++) {
        h = (h ^ id[i]) * 0x100000001b3ull;
    }
    return (size_t)(h & (c->n_buckets - 1));
}

static entry **find_slot(lt_session_cache *c, const uint8_t *id, size_t id_len)
{
    if (c->buckets == NULL) {
        return NULL;
    }
    entry **slot = &c->buckets[bucket_of(c, id, id_len)];
    for (; *slot != NULL; slot = &(*slot)->next_in_bucket) {
        if ((*slot)->id_len == id_len && memcmp((*slot)->id, id, id_len) == 0) {
            return slot;
        }
    }
    return NULL;
}

static void unlink_use(lt_session_cache *c, entry *e)
{
    if (e->newer != NULL) {
        e->newer->older = e->older;
    } else {
        c->newest = e->older;
    }
    if (e->older != NULL) {
        e->older->newer = e->newer;
    } else {
        c->oldest = e->newer;
    }
    e->newer = e->older = NULL;
}

static void link_newest(lt_session_cache *c, entry *e)
{
    e->newer = NULL;
    e->older = c->newest;
    if (c->newest != NULL) {
        c->newest->newer = e;
    }
    c->newest = e;
    if (c->oldest == NULL) {
        c->oldest = e;
    }
}

static void unlink_added(lt_session_cache *c, entry *e)
{
    if (e->added_after != NULL) {
        e->added_after->added_before = e->added_before;
    } else {
        c->latest = e->added_before;
    }
    if (e->added_before != NULL) {
        e->added_before->added_after = e->added_after;
    } else {
        c->earliest = e->added_after;
    }
}

static void link_latest(lt_session_cache *c, entry *e)
{
    e->added_after = NULL;
    e->added_before = c->latest;
    if (c->latest != NULL) {
        c->latest->added_after = e;
    }
    c->latest = e;
    if (c->earliest == NULL) {
        c->earliest = e;
    }
}

/* Takes the entry out of its bucket (slot points at it) and both lists. */
static void remove_at(lt_session_cache *c, entry **slot)
{
    entry *e = *slot;
    *slot = e->next_in_bucket;
    unlink_use(c, e);
    unlink_added(c, e);
    entry_free(c, e);
}

static void remove_entry(lt_session_cache *c, entry *e)
{
    entry **slot = find_slot(c, e->id, e->id_len);
    if (slot != NULL) {
        remove_at(c, slot);
    }
}

/* Room for one more: expired entries go first (the earliest added), then,
 * if still full, the least recently used one. */
static void make_room(lt_session_cache *c, uint64_t now_s)
{
    while (c->earliest != NULL && c->earliest->expires_s <= now_s) {
        remove_entry(c, c->earliest);
    }
    while (c->count >= c->max_entries && c->oldest != NULL) {
        remove_entry(c, c->oldest);
    }
}

int lt_session_cache_put(lt_session_cache *c, const uint8_t *id, size_t id_len, const uint8_t *data, size_t len,
                         uint64_t now_s)
{
    LT_ENSURE(c != NULL && id != NULL && data != NULL, LT_ERR_USAGE);
    LT_ENSURE(id_len >= 1 && id_len <= LT_SESSION_CACHE_MAX_ID, LT_ERR_USAGE);
    LT_ENSURE(len >= 1 && len <= LT_SESSION_CACHE_MAX_DATA, LT_ERR_USAGE);
    entry *e = malloc(entry_size(len));
    LT_ENSURE(e != NULL, LT_ERR_NOMEM);
    memset(e, 0, sizeof *e);
    memcpy(e->id, id, id_len);
    e->id_len = (uint8_t)id_len;
    e->len = len;
    memcpy(e->data, data, len);
    e->expires_s = now_s + c->lifetime_s;

    pthread_mutex_lock(&c->lock);
    if (c->buckets == NULL) {
        c->buckets = calloc(c->n_buckets, sizeof *c->buckets);
        if (c->buckets == NULL) {
            pthread_mutex_unlock(&c->lock);
            lt_wipe(e, entry_size(len));
            free(e);
            return LT_ERR_NOMEM;
        }
    }
    entry **old = find_slot(c, id, id_len);
    if (old != NULL) {
        remove_at(c, old);
    }
    make_room(c, now_s);
    size_t b = bucket_of(c, id, id_len);
    e->next_in_bucket = c->buckets[b];
    c->buckets[b] = e;
    link_newest(c, e);
    link_latest(c, e);
    c->count++;
    c->bytes += entry_size(len);
    pthread_mutex_unlock(&c->lock);
    return LT_OK;
}

int lt_session_cache_get(lt_session_cache *c, const uint8_t *id, size_t id_len, uint64_t now_s, uint8_t *out,
                         size_t cap, size_t *len)
{
    if (c == NULL || id == NULL || id_len == 0 || id_len > LT_SESSION_CACHE_MAX_ID || out == NULL || len == NULL) {
        return 0;
    }
    int found = 0;
    pthread_mutex_lock(&c->lock);
    entry **slot = find_slot(c, id, id_len);
    if (slot != NULL && (*slot)->expires_s <= now_s) {
        remove_at(c, slot); /* RFC 5246 F.1.4: a session past its lifetime is not resumed */
    } else if (slot != NULL && (*slot)->len <= cap) {
        entry *e = *slot;
        memcpy(out, e->data, e->len);
        *len = e->len;
        unlink_use(c, e);
        link_newest(c, e);
        found = 1;
    }
    pthread_mutex_unlock(&c->lock);
    return found;
}

void lt_session_cache_remove(lt_session_cache *c, const uint8_t *id, size_t id_len)
{
    if (c == NULL || id == NULL || id_len == 0 || id_len > LT_SESSION_CACHE_MAX_ID) {
        return;
    }
    pthread_mutex_lock(&c->lock);
    entry **slot = find_slot(c, id, id_len);
    if (slot != NULL) {
        remove_at(c, slot);
    }
    pthread_mutex_unlock(&c->lock);
}

uint32_t lt_session_cache_lifetime(const lt_session_cache *c)
{
    return c != NULL ? c->lifetime_s : 0; /* set once, at creation: no lock needed */
}

size_t lt_session_cache_count(const lt_session_cache *c)
{
    if (c == NULL) {
        return 0;
    }
    lt_session_cache *m = (lt_session_cache *)c; /* the lock is not part of the value */
    pthread_mutex_lock(&m->lock);
    size_t n = m->count;
    pthread_mutex_unlock(&m->lock);
    return n;
}

size_t lt_session_cache_bytes(const lt_session_cache *c)
{
    if (c == NULL) {
        return 0;
    }
    lt_session_cache *m = (lt_session_cache *)c;
    pthread_mutex_lock(&m->lock);
    size_t n = sizeof *m + m->bytes + (m->buckets != NULL ? m->n_buckets * sizeof *m->buckets : 0);
    pthread_mutex_unlock(&m->lock);
    return n;
}
