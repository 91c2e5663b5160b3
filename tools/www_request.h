/*
 * What a --www request asks for, from its head (the request line and the
 * headers, as far as they came): a browser's page, the JSON, or the short
 * text answer. The bytes are the client's, so this is a parser of hostile
 * input: bounded by the length given, never by a NUL (tests/unit/
 * test_www_request.c, fuzz/fuzz_www_request.c).
 */
#ifndef LT_TOOLS_WWW_REQUEST_H
#define LT_TOOLS_WWW_REQUEST_H

#include <stddef.h>

/* The request head kept to tell a browser from a plain client. */
#define WWW_REQUEST_KEEP 4096

typedef enum {
    WWW_PLAIN, /* curl, s_client, anything that does not ask for HTML */
    WWW_HTML,  /* a GET whose Accept names text/html */
    WWW_JSON   /* GET /handshake.json (a query string allowed) */
} www_kind;

www_kind www_request_kind(const char *head, size_t len);

#endif
