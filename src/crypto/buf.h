/*
 * lt_buf: the one growable buffer that may hold secrets. It grows by
 * doubling up to its own limit, and every byte it ever held is wiped
 * (OPENSSL_cleanse, hence its home in src/crypto) when it moves, shrinks
 * or is freed. The handshake reassembly buffer, the transcript's raw
 * messages and the message scratch space are all lt_bufs.
 */
#ifndef LT_CRYPTO_BUF_H
#define LT_CRYPTO_BUF_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

typedef struct lt_buf {
    uint8_t *p;
    size_t len; /* bytes in use, [0, len) */
    size_t cap; /* bytes allocated */
    size_t max; /* the most it may ever hold (0: no limit but size_t) */
} lt_buf;

/* An empty buffer that will never hold more than max bytes. */
static inline lt_buf lt_buf_make(size_t max)
{
    lt_buf b = {NULL, 0, 0, max};
    return b;
}
/* Room for extra more bytes after len: LT_ERR_INTERNAL when
 * that would pass max, LT_ERR_NOMEM when allocation fails. */
LT_MUST_USE int lt_buf_reserve(lt_buf *b, size_t extra);
LT_MUST_USE int lt_buf_append(lt_buf *b, const void *p, size_t n);
/* Drop the first n bytes (the rest moves to the front). */
void lt_buf_consume(lt_buf *b, size_t n);
/* len = 0, memory kept (and wiped). */
void lt_buf_reset(lt_buf *b);
/* Wipe and free, keeping max: the buffer can be used again. */
void lt_buf_free(lt_buf *b);

#endif
