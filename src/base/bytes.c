#include "base/bytes.h"

#include <string.h>

int lt_rd_bytes(lt_rd *r, size_t n, const uint8_t **out)
{
    LT_ENSURE(n <= r->len, LT_ERR_DECODE);
    *out = r->p;
    r->p += n;
    r->len -= n;
    return LT_OK;
}

static int rd_be(lt_rd *r, size_t n, uint32_t *v)
{
    const uint8_t *p;
    LT_GUARD(lt_rd_bytes(r, n, &p));
    uint32_t x = 0;
    for (size_t i = 0; i < n; i++) {
        x = (x << 8) | p[i];
    }
    *v = x;
    return LT_OK;
}

int lt_rd_u8(lt_rd *r, uint8_t *v)
{
    uint32_t x;
    LT_GUARD(rd_be(r, 1, &x));
    *v = (uint8_t)x;
    return LT_OK;
}

int lt_rd_u16(lt_rd *r, uint16_t *v)
{
    uint32_t x;
    LT_GUARD(rd_be(r, 2, &x));
    *v = (uint16_t)x;
    return LT_OK;
}

int lt_rd_u24(lt_rd *r, uint32_t *v)
{
    return rd_be(r, 3, v);
}

int lt_rd_u32(lt_rd *r, uint32_t *v)
{
    return rd_be(r, 4, v);
}

int lt_rd_copy(lt_rd *r, void *dst, size_t n)
{
    const uint8_t *p;
    LT_GUARD(lt_rd_bytes(r, n, &p));
    if (n > 0) {
        memcpy(dst, p, n);
    }
    return LT_OK;
}

int lt_rd_vec(lt_rd *r, unsigned prefix_len, size_t min, size_t max, lt_rd *sub)
{
    uint32_t n;
    LT_ENSURE(prefix_len >= 1 && prefix_len <= 3, LT_ERR_INTERNAL);
    LT_GUARD(rd_be(r, prefix_len, &n));
    LT_ENSURE(n >= min && n <= max, LT_ERR_DECODE);
    const uint8_t *p;
    LT_GUARD(lt_rd_bytes(r, n, &p));
    *sub = lt_rd_init(p, n);
    return LT_OK;
}

int lt_rd_done(const lt_rd *r)
{
    return r->len == 0 ? LT_OK : LT_ERR_DECODE;
}

uint8_t *lt_wr_reserve(lt_wr *w, size_t n)
{
    if (w->err != LT_OK || n > w->cap - w->off) {
        w->err = LT_ERR_INTERNAL;
        return NULL;
    }
    uint8_t *p = w->base + w->off;
    w->off += n;
    return p;
}

static void wr_be(lt_wr *w, uint32_t v, size_t n)
{
    uint8_t *p = lt_wr_reserve(w, n);
    if (p == NULL) {
        return;
    }
    for (size_t i = n; i > 0; i--) {
        p[i - 1] = (uint8_t)v;
        v >>= 8;
    }
}

void lt_wr_u8(lt_wr *w, uint8_t v)
{
    wr_be(w, v, 1);
}
void lt_wr_u16(lt_wr *w, uint16_t v)
{
    wr_be(w, v, 2);
}
void lt_wr_u24(lt_wr *w, uint32_t v)
{
    wr_be(w, v, 3);
}
void lt_wr_u32(lt_wr *w, uint32_t v)
{
    wr_be(w, v, 4);
}

void lt_wr_bytes(lt_wr *w, const void *p, size_t n)
{
    uint8_t *dst = lt_wr_reserve(w, n);
    if (dst != NULL && n > 0) {
        memcpy(dst, p, n);
    }
}

size_t lt_wr_open_vec(lt_wr *w, unsigned prefix_len)
{
    size_t mark = w->off;
    wr_be(w, 0, prefix_len);
    return mark;
}

void lt_wr_close_vec(lt_wr *w, size_t mark, unsigned prefix_len)
{
    if (w->err != LT_OK) {
        return;
    }
    size_t body = w->off - mark - prefix_len;
    if (prefix_len < 4 && body >= ((size_t)1 << (8 * prefix_len))) {
        w->err = LT_ERR_INTERNAL;
        return;
    }
    for (size_t i = prefix_len; i > 0; i--) {
        w->base[mark + i - 1] = (uint8_t)body;
        body >>= 8;
    }
}

int lt_wr_finish(const lt_wr *w)
{
    return w->err;
}
