/* ALPN (RFC 7301 3.1): parsing and writing the extension, and our own list. */
#include "hs/messages_alpn.h"

#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "base/text.h"
#include "hs/codec.h"
#include "hs/messages.h"

int lt_alpn_parse_list(lt_rd *data, lt_rd *list, size_t *count)
{
    /* protocol_name_list<2..2^16-1>, and nothing after it. */
    LT_GUARD(lt_rd_vec(data, 2, 2, 0xFFFF, list));
    LT_GUARD(lt_rd_done(data));
    /* Every entry a ProtocolName<1..2^8-1>: an empty name is bad syntax,
     * and the names must fill the list exactly. */
    size_t n = 0;
    lt_rd r = *list, name;
    while (lt_rd_left(&r) > 0) {
        LT_GUARD(lt_rd_vec(&r, 1, 1, LT_MAX_ALPN_NAME, &name));
        n++;
    }
    *count = n;
    return LT_OK;
}

int lt_alpn_next(lt_rd *list, lt_rd *name)
{
    if (lt_rd_left(list) == 0 || lt_rd_vec(list, 1, 1, LT_MAX_ALPN_NAME, name) != LT_OK) {
        list->len = 0;
        return 0;
    }
    return 1;
}

int lt_alpn_list_has(lt_rd list, const uint8_t *name, size_t len)
{
    lt_rd n;
    while (lt_alpn_next(&list, &n)) {
        if (lt_rd_left(&n) == len && memcmp(n.p, name, len) == 0) {
            return 1;
        }
    }
    return 0;
}

int lt_alpn_parse_selected(lt_rd *data, lt_rd *name)
{
    lt_rd list;
    size_t count = 0;
    LT_GUARD(lt_alpn_parse_list(data, &list, &count));
    LT_ENSURE(count == 1, LT_ERR_ILLEGAL_PARAMETER);
    return lt_alpn_next(&list, name) ? LT_OK : LT_ERR_DECODE;
}

void lt_alpn_write_list_ext(lt_wr *w, const uint8_t *list, size_t len)
{
    size_t e = lt_codec_ext_begin(w, LT_EXT_ALPN);
    size_t l = lt_wr_open_vec(w, 2);
    lt_wr_bytes(w, list, len);
    lt_wr_close_vec(w, l, 2);
    lt_wr_close_vec(w, e, 2);
}

void lt_alpn_write_selected_ext(lt_wr *w, const uint8_t *name, size_t len)
{
    size_t e = lt_codec_ext_begin(w, LT_EXT_ALPN);
    size_t l = lt_wr_open_vec(w, 2);
    size_t n = lt_wr_open_vec(w, 1);
    lt_wr_bytes(w, name, len);
    lt_wr_close_vec(w, n, 1);
    lt_wr_close_vec(w, l, 2);
    lt_wr_close_vec(w, e, 2);
}

int lt_alpn_encode(const char *text, uint8_t *out, size_t cap, size_t *len, size_t *bad_at)
{
    *len = 0;
    *bad_at = 0;
    if (text[0] == '\0') {
        return LT_OK;
    }
    lt_wr w = lt_wr_init(out, cap);
    const char *p = text;
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t n = comma != NULL ? (size_t)(comma - p) : strlen(p);
        if (n == 0 || n > LT_MAX_ALPN_NAME) {
            *bad_at = (size_t)(p - text);
            return LT_ERR_CONFIG;
        }
        lt_wr_u8(&w, (uint8_t)n);
        lt_wr_bytes(&w, p, n);
        if (comma == NULL) {
            break;
        }
        p = comma + 1;
    }
    /* The list must also fit a protocol_name_list<2..2^16-1>. */
    if (lt_wr_finish(&w) != LT_OK || w.off > 0xFFFF) {
        *bad_at = strlen(text);
        return LT_ERR_CONFIG;
    }
    *len = w.off;
    return LT_OK;
}

void lt_alpn_list_text(lt_rd list, char *out, size_t cap)
{
    size_t used = 0;
    lt_rd name;
    out[0] = '\0';
    while (lt_alpn_next(&list, &name) && used + 1 < cap) {
        char shown[96];
        lt_escape_peer_text(shown, sizeof shown, (const char *)name.p, lt_rd_left(&name));
        int k = snprintf(out + used, cap - used, "%s%s", used > 0 ? ", " : "", shown);
        if (k < 0 || (size_t)k >= cap - used) {
            break;
        }
        used += (size_t)k;
    }
}
