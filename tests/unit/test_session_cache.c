/*
 * The TLS 1.2 session cache (src/hs/session_cache.c): bounded, least
 * recently used out first, entries expire, memory counted, thread-safe.
 */
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include "hs/session_cache.h"
#include "test.h"

static void make_id(uint8_t id[32], unsigned n)
{
    memset(id, 0, 32);
    id[0] = (uint8_t)n;
    id[1] = (uint8_t)(n >> 8);
    id[2] = (uint8_t)(n >> 16);
    id[31] = 0xA5;
}

static int has(lt_session_cache *c, unsigned n, uint64_t now)
{
    uint8_t id[32], out[64];
    size_t len = 0;
    make_id(id, n);
    return lt_session_cache_get(c, id, 32, now, out, sizeof out, &len);
}

static int put(lt_session_cache *c, unsigned n, uint64_t now)
{
    uint8_t id[32], data[40];
    make_id(id, n);
    memset(data, (int)n, sizeof data);
    return lt_session_cache_put(c, id, 32, data, sizeof data, now);
}

static void test_put_get(void)
{
    lt_session_cache *c = lt_session_cache_new(4, 100);
    uint8_t id[32], out[64];
    size_t len = 0;
    EXPECT(c != NULL);
    EXPECT_EQ(put(c, 7, 1000), LT_OK);
    make_id(id, 7);
    EXPECT_EQ(lt_session_cache_get(c, id, 32, 1000, out, sizeof out, &len), 1);
    EXPECT_EQ(len, 40);
    EXPECT_EQ(out[0], 7);
    EXPECT_EQ(out[39], 7);
    /* Another ID, a prefix of it, a too-small buffer: none. */
    EXPECT(!has(c, 8, 1000));
    EXPECT_EQ(lt_session_cache_get(c, id, 31, 1000, out, sizeof out, &len), 0);
    EXPECT_EQ(lt_session_cache_get(c, id, 32, 1000, out, 39, &len), 0);
    /* Replacing keeps one entry. */
    EXPECT_EQ(put(c, 7, 1001), LT_OK);
    EXPECT_EQ(lt_session_cache_count(c), 1);
    lt_session_cache_remove(c, id, 32);
    EXPECT(!has(c, 7, 1001));
    EXPECT_EQ(lt_session_cache_count(c), 0);
    /* Bad arguments. */
    EXPECT_EQ(lt_session_cache_put(c, id, 0, out, 1, 0), LT_ERR_USAGE);
    EXPECT_EQ(lt_session_cache_put(c, id, 33, out, 1, 0), LT_ERR_USAGE);
    EXPECT_EQ(lt_session_cache_put(c, id, 32, out, 0, 0), LT_ERR_USAGE);
    EXPECT_EQ(lt_session_cache_put(c, id, 32, out, LT_SESSION_CACHE_MAX_DATA + 1, 0), LT_ERR_USAGE);
    lt_session_cache_free(c);
    EXPECT(lt_session_cache_new(0, 100) == NULL);
    EXPECT(lt_session_cache_new(4, 0) == NULL);
}

/* Full: the least recently used goes, and the cache never holds more than
 * its bound. A get counts as a use. */
static void test_evicts_lru_when_full(void)
{
    lt_session_cache *c = lt_session_cache_new(3, 100);
    EXPECT(put(c, 1, 0) == LT_OK && put(c, 2, 0) == LT_OK && put(c, 3, 0) == LT_OK);
    EXPECT(has(c, 1, 0)); /* 1 is now the most recent: 2 is the oldest */
    EXPECT_EQ(put(c, 4, 0), LT_OK);
    EXPECT_EQ(lt_session_cache_count(c), 3);
    EXPECT(!has(c, 2, 0));
    EXPECT(has(c, 1, 0) && has(c, 3, 0) && has(c, 4, 0));
    /* Order now (newest first): 4 3 1 -> adding 5 drops 1. */
    EXPECT_EQ(put(c, 5, 0), LT_OK);
    EXPECT(!has(c, 1, 0));
    EXPECT(has(c, 3, 0) && has(c, 4, 0) && has(c, 5, 0));
    for (unsigned i = 10; i < 1000; i++) {
        EXPECT_EQ(put(c, i, 0), LT_OK);
    }
    EXPECT_EQ(lt_session_cache_count(c), 3);
    EXPECT(has(c, 999, 0) && has(c, 998, 0) && has(c, 997, 0) && !has(c, 996, 0));
    lt_session_cache_free(c);
}

/* Entries live lifetime_s from when they were added: at the end of it they
 * are gone (and removed), and expired entries make room before a live one
 * is evicted. */
static void test_expiry(void)
{
    lt_session_cache *c = lt_session_cache_new(2, 10);
    EXPECT_EQ(put(c, 1, 100), LT_OK);
    EXPECT_EQ(put(c, 2, 105), LT_OK);
    EXPECT(has(c, 1, 109));
    EXPECT(!has(c, 1, 110));
    EXPECT_EQ(lt_session_cache_count(c), 1);
    EXPECT(has(c, 2, 114));
    EXPECT(!has(c, 2, 115));
    EXPECT_EQ(lt_session_cache_count(c), 0);
    /* 3 expires; 4 is live; adding 5 drops the expired 3, keeps 4. */
    EXPECT_EQ(put(c, 3, 200), LT_OK);
    EXPECT_EQ(put(c, 4, 205), LT_OK);
    EXPECT(has(c, 3, 209)); /* a use does not extend the lifetime */
    EXPECT_EQ(put(c, 5, 211), LT_OK);
    EXPECT(has(c, 4, 211) && has(c, 5, 211) && !has(c, 3, 211));
    lt_session_cache_free(c);
}

/* Memory: the cache's own structures, then what its entries take; entries
 * going gives it back. */
static void test_bytes(void)
{
    lt_session_cache *c = lt_session_cache_new(1024, 100);
    size_t empty = lt_session_cache_bytes(c);
    EXPECT(empty > 0);
    EXPECT_EQ(put(c, 1, 0), LT_OK);
    size_t one = lt_session_cache_bytes(c);
    EXPECT(one > empty + 40);
    EXPECT_EQ(put(c, 2, 0), LT_OK);
    size_t two = lt_session_cache_bytes(c);
    EXPECT(two > one && two - one < 400); /* a few hundred bytes per entry at most */
    uint8_t id[32];
    make_id(id, 2);
    lt_session_cache_remove(c, id, 32);
    EXPECT_EQ(lt_session_cache_bytes(c), one);
    lt_session_cache_free(c);
}

typedef struct worker {
    lt_session_cache *c;
    unsigned base;
    int errors;
} worker;

static void *hammer(void *arg)
{
    worker *w = arg;
    for (unsigned i = 0; i < 20000; i++) {
        unsigned n = w->base + (i % 500);
        if (put(w->c, n, i / 1000) != LT_OK) {
            w->errors++;
        }
        (void)has(w->c, n, i / 1000);
        (void)has(w->c, w->base + ((i * 7) % 500), i / 1000);
        if (i % 97 == 0) {
            uint8_t id[32];
            make_id(id, n);
            lt_session_cache_remove(w->c, id, 32);
        }
    }
    return NULL;
}

/* Thread-safety smoke test: four threads at once (run it under TSan or
 * ASan to see more); the bound still holds and the count is consistent. */
static void test_threads(void)
{
    lt_session_cache *c = lt_session_cache_new(256, 5);
    pthread_t t[4];
    worker w[4];
    for (int i = 0; i < 4; i++) {
        w[i] = (worker){c, (unsigned)i * 1000, 0};
        EXPECT_EQ(pthread_create(&t[i], NULL, hammer, &w[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(t[i], NULL);
        EXPECT_EQ(w[i].errors, 0);
    }
    EXPECT(lt_session_cache_count(c) <= 256);
    EXPECT(lt_session_cache_bytes(c) <= 256 * 200 + 65536 * sizeof(void *) + 4096);
    lt_session_cache_free(c);
}

int main(void)
{
    LT_RUN(test_put_get);
    LT_RUN(test_evicts_lru_when_full);
    LT_RUN(test_expiry);
    LT_RUN(test_bytes);
    LT_RUN(test_threads);
    return lt_test_summary();
}
