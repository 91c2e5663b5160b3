#include "crypto/buf.h"

#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"

#define LT_BUF_FIRST_CAP 1024

int lt_buf_reserve(lt_buf *b, size_t extra)
{
    size_t max = b->max != 0 ? b->max : SIZE_MAX;
    LT_ENSURE(extra <= max && b->len <= max - extra, LT_ERR_INTERNAL);
    if (b->cap - b->len >= extra) {
        return LT_OK;
    }
    size_t cap = b->cap ? b->cap : LT_BUF_FIRST_CAP;
    while (cap - b->len < extra) {
        cap = cap > max / 2 ? max : cap * 2;
    }
    uint8_t *p = malloc(cap);
    LT_ENSURE(p != NULL, LT_ERR_NOMEM);
    if (b->p != NULL) {
        memcpy(p, b->p, b->len);
        lt_wipe(b->p, b->cap);
        free(b->p);
    }
    b->p = p;
    b->cap = cap;
    return LT_OK;
}

int lt_buf_append(lt_buf *b, const void *p, size_t n)
{
    LT_GUARD(lt_buf_reserve(b, n));
    if (n > 0) {
        memcpy(b->p + b->len, p, n);
        b->len += n;
    }
    return LT_OK;
}

void lt_buf_consume(lt_buf *b, size_t n)
{
    if (n >= b->len) {
        lt_buf_reset(b);
        return;
    }
    memmove(b->p, b->p + n, b->len - n);
    b->len -= n;
    lt_wipe(b->p + b->len, n);
}

void lt_buf_reset(lt_buf *b)
{
    if (b->p != NULL) {
        lt_wipe(b->p, b->len);
    }
    b->len = 0;
}

void lt_buf_free(lt_buf *b)
{
    if (b->p != NULL) {
        lt_wipe(b->p, b->cap);
        free(b->p);
    }
    b->p = NULL;
    b->len = b->cap = 0;
}
