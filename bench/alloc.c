/*
 * Heap accounting and per-side CPU accounting.
 *
 * The malloc family is interposed in this executable: every allocation in
 * the process (lucidtls's own malloc calls, libcrypto, libssl, libc) goes
 * through these wrappers, which forward to glibc's __libc_* entry points and
 * count malloc_usable_size() bytes, i.e. what the allocator really hands out.
 * Each allocation is charged to the side that is running (g_alloc_side, set
 * by side_enter), so one thread can hold both ends of a connection and still
 * tell the client's heap from the server's.
 *
 * OpenSSL's own hook (CRYPTO_set_mem_functions) is installed too, first thing
 * in main: it goes to the same bookkeeping (never through the interposed
 * malloc, so nothing is counted twice) and additionally counts what came
 * through OPENSSL_malloc, which splits "libcrypto/libssl" from "the rest".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "bench.h"

/* Under callgrind, --profile ... --side client|server collects only inside
 * that side's intervals (run with --collect-atstart=no). */
#if defined(__has_include)
#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#define HAVE_CALLGRIND 1
#endif
#endif
#ifndef HAVE_CALLGRIND
#define CALLGRIND_TOGGLE_COLLECT
#endif
int g_collect_side = -1;

extern void *__libc_malloc(size_t n);
extern void __libc_free(void *p);
extern void *__libc_calloc(size_t n, size_t m);
extern void *__libc_realloc(void *p, size_t n);
extern void *__libc_memalign(size_t align, size_t n);

alloc_stats g_alloc;
int g_alloc_side = SIDE_BENCH;

/* Under AddressSanitizer the sanitizer owns the malloc family: no
 * interposition and no OpenSSL hook; heap is not counted (main says so). */
#if defined(__SANITIZE_ADDRESS__)
#define BENCH_NO_INTERPOSE 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define BENCH_NO_INTERPOSE 1
#endif
#endif

#ifndef BENCH_NO_INTERPOSE
int g_alloc_interposed = 1;

static void note_alloc(void *p, int crypto)
{
    if (p == NULL) {
        return;
    }
    long long n = (long long)malloc_usable_size(p);
    side_mem *s = &g_alloc.side[g_alloc_side];
    s->live += n;
    s->nallocs++;
    if (crypto) {
        s->crypto_live += n;
    }
    if (s->live > s->peak) {
        s->peak = s->live;
    }
    g_alloc.total_live += n;
}

static void note_free(void *p, int crypto)
{
    if (p == NULL) {
        return;
    }
    long long n = (long long)malloc_usable_size(p);
    side_mem *s = &g_alloc.side[g_alloc_side];
    s->live -= n;
    if (crypto) {
        s->crypto_live -= n;
    }
    g_alloc.total_live -= n;
}

void *malloc(size_t n)
{
    void *p = __libc_malloc(n);
    note_alloc(p, 0);
    return p;
}

void free(void *p)
{
    note_free(p, 0);
    __libc_free(p);
}

void *calloc(size_t n, size_t m)
{
    void *p = __libc_calloc(n, m);
    note_alloc(p, 0);
    return p;
}

static void *realloc_counted(void *old, size_t n, int crypto)
{
    long long oldn = old != NULL ? (long long)malloc_usable_size(old) : 0;
    void *p = __libc_realloc(old, n);
    if (p == NULL && n != 0) {
        return NULL; /* failed: old is untouched */
    }
    side_mem *s = &g_alloc.side[g_alloc_side];
    s->live -= oldn;
    g_alloc.total_live -= oldn;
    if (crypto) {
        s->crypto_live -= oldn;
    }
    note_alloc(p, crypto);
    return p;
}

void *realloc(void *old, size_t n)
{
    return realloc_counted(old, n, 0);
}

void *memalign(size_t align, size_t n)
{
    void *p = __libc_memalign(align, n);
    note_alloc(p, 0);
    return p;
}

void *aligned_alloc(size_t align, size_t n)
{
    return memalign(align, n);
}

int posix_memalign(void **out, size_t align, size_t n)
{
    if (align < sizeof(void *) || (align & (align - 1)) != 0) {
        return EINVAL;
    }
    void *p = memalign(align, n);
    if (p == NULL) {
        return ENOMEM;
    }
    *out = p;
    return 0;
}

void *valloc(size_t n)
{
    return memalign(4096, n);
}

void *pvalloc(size_t n)
{
    return memalign(4096, (n + 4095) & ~(size_t)4095);
}

/* OpenSSL's allocator hook. */
static void *crypto_malloc_hook(size_t n, const char *file, int line)
{
    (void)file;
    (void)line;
    void *p = __libc_malloc(n);
    note_alloc(p, 1);
    return p;
}

static void *crypto_realloc_hook(void *p, size_t n, const char *file, int line)
{
    (void)file;
    (void)line;
    return realloc_counted(p, n, 1);
}

static void crypto_free_hook(void *p, const char *file, int line)
{
    (void)file;
    (void)line;
    note_free(p, 1);
    __libc_free(p);
}

void alloc_install_crypto_hook(void)
{
    g_alloc.crypto_hook_ok = CRYPTO_set_mem_functions(crypto_malloc_hook, crypto_realloc_hook, crypto_free_hook);
}
#else
int g_alloc_interposed = 0;

void alloc_install_crypto_hook(void)
{
    g_alloc.crypto_hook_ok = 0;
}
#endif

void alloc_reset_side(int side)
{
    memset(&g_alloc.side[side], 0, sizeof g_alloc.side[side]);
}

/* ---- CPU accounting ---- */

int g_side_timing = 1;
double g_side_ns[SIDE_COUNT];
long long g_side_intervals[SIDE_COUNT];
static double side_t0;

double thread_cpu_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

double wall_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

void side_enter(int side)
{
    g_alloc_side = side;
    if (side == g_collect_side) {
        CALLGRIND_TOGGLE_COLLECT;
    }
    if (g_side_timing) {
        side_t0 = thread_cpu_ns();
    }
}

void side_leave(void)
{
    if (g_side_timing) {
        g_side_ns[g_alloc_side] += thread_cpu_ns() - side_t0;
        g_side_intervals[g_alloc_side]++;
    }
    if (g_alloc_side == g_collect_side) {
        CALLGRIND_TOGGLE_COLLECT;
    }
    g_alloc_side = SIDE_BENCH;
}

/* ---- The wire ---- */

static uint8_t wire_store[2][WIRE_CAP];
wire_pipe g_wire[2] = {{wire_store[0], 0, 0}, {wire_store[1], 0, 0}};

void wire_reset(void)
{
    g_wire[0].off = g_wire[0].len = 0;
    g_wire[1].off = g_wire[1].len = 0;
}

size_t wire_put(wire_pipe *p, const uint8_t *data, size_t len)
{
    if (p->off == p->len) {
        p->off = p->len = 0;
    } else if (p->off > WIRE_CAP / 2) {
        memmove(p->buf, p->buf + p->off, p->len - p->off);
        p->len -= p->off;
        p->off = 0;
    }
    size_t room = WIRE_CAP - p->len;
    size_t n = len < room ? len : room;
    memcpy(p->buf + p->len, data, n);
    p->len += n;
    return n;
}
