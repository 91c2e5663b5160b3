#include "hs/transcript.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Before the suite is known only the ClientHello can arrive or leave; it is
 * at most 4 + 2^16 + a bit. */
#define LT_TRANSCRIPT_PENDING_MAX (1u << 17)

void lt_transcript_init(lt_transcript *t)
{
    memset(t, 0, sizeof *t);
}

void lt_transcript_free(lt_transcript *t)
{
    lt_hash_free(t->hash);
    free(t->pending);
    memset(t, 0, sizeof *t);
}

static void note_name(lt_transcript *t, const char *name)
{
    size_t used = strlen(t->covers);
    if (used + 1 >= sizeof t->covers) {
        return;
    }
    snprintf(t->covers + used, sizeof t->covers - used, "%s%s", used ? ", " : "", name);
}

int lt_transcript_add(lt_transcript *t, const uint8_t *msg, size_t len, const char *name)
{
    t->n_msgs++;
    t->total_len += len;
    if (t->track_names) {
        note_name(t, name);
    }
    if (t->hash != NULL) {
        return lt_hash_update(t->hash, msg, len);
    }
    LT_ENSURE(t->pending_len + len <= LT_TRANSCRIPT_PENDING_MAX, LT_ERR_INTERNAL);
    uint8_t *p = realloc(t->pending, t->pending_len + len);
    LT_ENSURE(p != NULL, LT_ERR_NOMEM);
    t->pending = p;
    memcpy(t->pending + t->pending_len, msg, len);
    t->pending_len += len;
    return LT_OK;
}

int lt_transcript_set_hash(lt_transcript *t, lt_hash_alg alg)
{
    LT_ENSURE(t->hash == NULL, LT_ERR_INTERNAL);
    t->hash = lt_hash_new(alg);
    LT_ENSURE(t->hash != NULL, LT_ERR_CRYPTO);
    t->alg = alg;
    if (t->pending_len > 0) {
        LT_GUARD(lt_hash_update(t->hash, t->pending, t->pending_len));
    }
    free(t->pending);
    t->pending = NULL;
    t->pending_len = 0;
    return LT_OK;
}

int lt_transcript_hash(const lt_transcript *t, uint8_t *out, size_t *out_len)
{
    LT_ENSURE(t->hash != NULL, LT_ERR_INTERNAL);
    return lt_hash_peek(t->hash, out, out_len);
}
