/*
 * A growing string with a size limit, for the tools' JSON and HTML output.
 * Appends never fail loudly: past `limit` bytes (or when memory runs out)
 * the string stops growing and `truncated` is set, so one hostile peer's
 * long hello costs at most `limit` bytes of memory.
 */
#ifndef LT_TOOLS_TOOL_STR_H
#define LT_TOOLS_TOOL_STR_H

#include <stddef.h>
#include <stdint.h>

typedef struct tool_str {
    char *p;      /* NUL-terminated, or NULL while empty */
    size_t len;   /* bytes in p, without the NUL */
    size_t cap;   /* bytes allocated */
    size_t limit; /* the most p may hold */
    int truncated;
} tool_str;

void tool_str_init(tool_str *s, size_t limit);
void tool_str_free(tool_str *s);
/* Empties s, keeping its memory. */
void tool_str_reset(tool_str *s);
/* s->p, or "" while empty. */
const char *tool_str_cstr(const tool_str *s);

void tool_str_add(tool_str *s, const char *text);
void tool_str_addn(tool_str *s, const char *text, size_t n);
void tool_str_addf(tool_str *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* text as a JSON string: quoted, with ", \ and control bytes escaped (bytes
 * >= 0x80 are escaped as \u00XX: the tools' text is ASCII, and a peer's
 * bytes must never make invalid UTF-8). NULL becomes null. */
void tool_str_json_string(tool_str *s, const char *text);
/* bytes as lowercase hex (a JSON string when quoted by the caller). */
void tool_str_hex(tool_str *s, const uint8_t *bytes, size_t len);
/* text escaped for HTML element content and attribute values. */
void tool_str_html(tool_str *s, const char *text);

#endif
