/*
 * Bounded reader and writer: the only code that does pointer arithmetic on
 * wire bytes. Every read is checked against what is left; every vector is read
 * through a sub-reader, so a parser cannot run past the vector it is in.
 */
#ifndef LT_BASE_BYTES_H
#define LT_BASE_BYTES_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

typedef struct lt_rd {
    const uint8_t *p;
    size_t len; /* bytes left */
} lt_rd;

static inline lt_rd lt_rd_init(const uint8_t *p, size_t len)
{
    lt_rd r;
    r.p = p;
    r.len = len;
    return r;
}

static inline size_t lt_rd_left(const lt_rd *r)
{
    return r->len;
}

/* Each returns LT_OK, or LT_ERR_DECODE when the input is too short. */
LT_MUST_USE int lt_rd_u8(lt_rd *r, uint8_t *v);
LT_MUST_USE int lt_rd_u16(lt_rd *r, uint16_t *v);
LT_MUST_USE int lt_rd_u24(lt_rd *r, uint32_t *v);
LT_MUST_USE int lt_rd_u32(lt_rd *r, uint32_t *v);
/* Take n bytes: *out points into the input. */
LT_MUST_USE int lt_rd_bytes(lt_rd *r, size_t n, const uint8_t **out);
/* Copy exactly n bytes into dst. */
LT_MUST_USE int lt_rd_copy(lt_rd *r, void *dst, size_t n);
/* A vector <min..max> with a prefix_len-byte (1, 2 or 3) length: *sub is
 * bounded to its body. A length outside [min, max] or past the end is
 * LT_ERR_DECODE. */
LT_MUST_USE int lt_rd_vec(lt_rd *r, unsigned prefix_len, size_t min, size_t max, lt_rd *sub);
/* LT_OK when nothing is left; trailing bytes are LT_ERR_DECODE. */
LT_MUST_USE int lt_rd_done(const lt_rd *r);

/*
 * Fixed-capacity writer with a sticky error: writes past the capacity set
 * `err` and write nothing; callers check lt_wr_finish() once at the end.
 */
typedef struct lt_wr {
    uint8_t *base;
    size_t cap;
    size_t off;
    int err;
} lt_wr;

static inline lt_wr lt_wr_init(uint8_t *base, size_t cap)
{
    lt_wr w;
    w.base = base;
    w.cap = cap;
    w.off = 0;
    w.err = LT_OK;
    return w;
}

void lt_wr_u8(lt_wr *w, uint8_t v);
void lt_wr_u16(lt_wr *w, uint16_t v);
void lt_wr_u24(lt_wr *w, uint32_t v);
void lt_wr_u32(lt_wr *w, uint32_t v);
void lt_wr_bytes(lt_wr *w, const void *p, size_t n);
/* Reserve n bytes and return a pointer to them (NULL on overflow). */
uint8_t *lt_wr_reserve(lt_wr *w, size_t n);
/* Open a vector with a prefix_len-byte length; close it to backpatch the
 * length. The returned mark is passed to lt_wr_close_vec. A body longer than
 * the prefix can express sets err. */
size_t lt_wr_open_vec(lt_wr *w, unsigned prefix_len);
void lt_wr_close_vec(lt_wr *w, size_t mark, unsigned prefix_len);
/* LT_OK, or the first error (LT_ERR_INTERNAL on overflow). */
LT_MUST_USE int lt_wr_finish(const lt_wr *w);

/* Big-endian helpers for fixed buffers we build ourselves (not wire input). */
static inline void lt_put_u16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}
static inline void lt_put_u64(uint8_t *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--) {
        p[i] = (uint8_t)v;
        v >>= 8;
    }
}

#endif
