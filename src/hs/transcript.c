#include "hs/transcript.h"

#include <stdio.h>
#include <string.h>

#define LT_HS_MESSAGE_HASH 254 /* RFC 8446 4.4.1 */

void lt_transcript_init(lt_transcript *t)
{
    memset(t, 0, sizeof *t);
    t->raw = lt_buf_make(LT_TRANSCRIPT_RAW_MAX);
}

static void free_hashes(lt_transcript *t)
{
    for (size_t i = 0; i < t->n_hashes; i++) {
        lt_hash_free(t->hash[i]);
        t->hash[i] = NULL;
    }
    t->n_hashes = 0;
}

void lt_transcript_drop_raw(lt_transcript *t)
{
    lt_buf_free(&t->raw);
    t->raw_dropped = 1;
}

void lt_transcript_free(lt_transcript *t)
{
    free_hashes(t);
    lt_transcript_drop_raw(t);
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
    for (size_t i = 0; i < t->n_hashes; i++) {
        LT_GUARD(lt_hash_update(t->hash[i], msg, len));
    }
    if (!t->raw_dropped) {
        LT_GUARD(lt_buf_append(&t->raw, msg, len));
    }
    return LT_OK;
}

static const lt_hash *find_hash(const lt_transcript *t, lt_hash_alg alg)
{
    for (size_t i = 0; i < t->n_hashes; i++) {
        if (t->alg[i] == alg) {
            return t->hash[i];
        }
    }
    return NULL;
}

int lt_transcript_set_hash(lt_transcript *t, lt_hash_alg alg)
{
    LT_ENSURE(find_hash(t, alg) == NULL && t->n_hashes < LT_TRANSCRIPT_MAX_HASHES, LT_ERR_INTERNAL);
    /* Without the raw messages a new hash could not cover them. */
    LT_ENSURE(!t->raw_dropped || t->n_msgs == 0, LT_ERR_INTERNAL);
    lt_hash *h = lt_hash_new(alg);
    LT_ENSURE(h != NULL, LT_ERR_CRYPTO);
    if (t->raw.len > 0 && lt_hash_update(h, t->raw.p, t->raw.len) != LT_OK) {
        lt_hash_free(h);
        return LT_ERR_CRYPTO;
    }
    t->hash[t->n_hashes] = h;
    t->alg[t->n_hashes] = alg;
    t->n_hashes++;
    return LT_OK;
}

int lt_transcript_hash(const lt_transcript *t, uint8_t *out, size_t *out_len)
{
    LT_ENSURE(t->n_hashes > 0, LT_ERR_INTERNAL);
    return lt_hash_peek(t->hash[0], out, out_len);
}

int lt_transcript_hash_alg(const lt_transcript *t, lt_hash_alg alg, uint8_t *out, size_t *out_len)
{
    return lt_transcript_hash_with(t, alg, NULL, 0, out, out_len);
}

int lt_transcript_hash_with(const lt_transcript *t, lt_hash_alg alg, const uint8_t *partial, size_t n, uint8_t *out,
                            size_t *out_len)
{
    const lt_hash *h = find_hash(t, alg);
    LT_ENSURE(h != NULL, LT_ERR_INTERNAL);
    return lt_hash_peek_with(h, partial, n, out, out_len);
}

int lt_transcript_raw(const lt_transcript *t, const uint8_t **p, size_t *len)
{
    LT_ENSURE(!t->raw_dropped, LT_ERR_INTERNAL);
    *p = t->raw.p;
    *len = t->raw.len;
    return LT_OK;
}

int lt_transcript_replace_with_message_hash(lt_transcript *t, lt_hash_alg alg)
{
    LT_ENSURE(!t->raw_dropped, LT_ERR_INTERNAL);
    uint8_t msg[4 + LT_MAX_HASH_LEN] = {LT_HS_MESSAGE_HASH, 0, 0, 0};
    size_t hash_len = 0;
    LT_GUARD(lt_hash_oneshot(alg, t->raw.p, t->raw.len, msg + 4, &hash_len));
    msg[3] = (uint8_t)hash_len;
    free_hashes(t);
    lt_buf_reset(&t->raw);
    t->n_msgs = 0;
    t->total_len = 0;
    t->covers[0] = '\0';
    LT_GUARD(lt_transcript_set_hash(t, alg));
    return lt_transcript_add(t, msg, 4 + hash_len, "message_hash(ClientHello1)");
}
