/*
 * ALPN (RFC 7301 3.1), the codec:
 *   opaque ProtocolName<1..2^8-1>;
 *   struct { ProtocolName protocol_name_list<2..2^16-1> } ProtocolNameList;
 * The client's extension_data is a ProtocolNameList; the server's is one
 * too, holding exactly one name. Parsers read through lt_rd only.
 */
#ifndef LT_HS_MESSAGES_ALPN_H
#define LT_HS_MESSAGES_ALPN_H

#include <stddef.h>
#include <stdint.h>

#include "base/bytes.h"

#define LT_MAX_ALPN_NAME 255

/* A whole extension body that is a ProtocolNameList: framed to its end,
 * every name 1..255 bytes (an empty name, a name running past the list, a
 * list under 2 bytes or trailing bytes: LT_ERR_DECODE). *list gets the
 * list body (walk it with lt_alpn_next); *count the number of names. */
LT_MUST_USE int lt_alpn_parse_list(lt_rd *data, lt_rd *list, size_t *count);
/* Walk a list body that lt_alpn_parse_list checked (or our own encoded
 * list): 1 and the next name, 0 at the end. */
int lt_alpn_next(lt_rd *list, lt_rd *name);
/* 1 when the list body holds this name. */
int lt_alpn_list_has(lt_rd list, const uint8_t *name, size_t len);
/* The server's answer (RFC 7301 3.1: the list "MUST contain exactly one
 * ProtocolName"): a malformed list is LT_ERR_DECODE, a well-formed one
 * with another count LT_ERR_ILLEGAL_PARAMETER; *name gets the one name. */
LT_MUST_USE int lt_alpn_parse_selected(lt_rd *data, lt_rd *name);

/* Writes the whole extension (type, length, list) with a list body as
 * lt_alpn_encode makes it (the client's offer), or with one name (the
 * server's answer, lt_alpn_write_selected). */
void lt_alpn_write_list_ext(lt_wr *w, const uint8_t *list, size_t len);
void lt_alpn_write_selected_ext(lt_wr *w, const uint8_t *name, size_t len);

/* Our own list from the application's text ("h2,http/1.1"): the list body
 * into out (at most cap bytes), *len its length (0 for ""). LT_ERR_CONFIG
 * for an empty name (",,", a leading or trailing comma), a name over 255
 * bytes, or a list over cap; *bad_at then tells where (an offset into
 * text). */
LT_MUST_USE int lt_alpn_encode(const char *text, uint8_t *out, size_t cap, size_t *len, size_t *bad_at);

/* "h2, http/1.1" for people: the names of a list body, each escaped
 * (lt_escape_peer_text), cut to cap. */
void lt_alpn_list_text(lt_rd list, char *out, size_t cap);

#endif
