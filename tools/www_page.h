/*
 * "See your own handshake": the page `lucidtls server --www` gives a browser.
 *
 * While a --www connection's handshake runs, its trace events are recorded
 * (www_page_record), copied without the bytes of any secret, and bounded
 * (WWW_PAGE_MAX_EVENTS events, WWW_PAGE_MAX_BYTES bytes: a hostile hello
 * costs no more). When the request arrives, www_request_kind says what it
 * wants: a browser (Accept: text/html) gets www_page_html, a self-contained
 * HTML page (no script, font or image from anywhere: its
 * Content-Security-Policy allows nothing but its own inline style) that
 * tells the visitor's handshake in the seed's terms: the offer, the
 * choices and why, the certificate chain, the keys (names, labels and
 * lengths; secrets hidden), what each Finished covered, the records, and
 * the narration explain mode gives. GET /handshake.json gets the same as
 * JSON (www_page_json). Anything else gets the short text answer of
 * s_server -www, as before.
 */
#ifndef LT_TOOLS_WWW_PAGE_H
#define LT_TOOLS_WWW_PAGE_H

#include <stddef.h>

#include "lucidtls/lucidtls.h"
#include "tool_str.h"
#include "www_request.h"

#define WWW_PAGE_MAX_EVENTS 400
#define WWW_PAGE_MAX_BYTES (128 * 1024)

typedef struct www_page www_page;

www_page *www_page_new(void);
void www_page_free(www_page *p);

/* One event of the connection (as srv_conn_trace sees it). Past the bounds
 * the page says how many events it left out. */
void www_page_record(www_page *p, const lt_conn *conn, const lt_event *ev);

/* The whole HTTP response, head and body, for a connection whose handshake
 * is complete. `id` is the server's connection number, `peer` the visitor's
 * address. */
void www_page_html(const www_page *p, const lt_conn *conn, unsigned long id, const char *peer, tool_str *out);
void www_page_json(const www_page *p, const lt_conn *conn, unsigned long id, const char *peer, tool_str *out);

#endif
