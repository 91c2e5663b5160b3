/* The tools' bounded growing string (tool_str.h). */
#include "tool_str.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void tool_str_init(tool_str *s, size_t limit)
{
    memset(s, 0, sizeof(*s));
    s->limit = limit;
}

void tool_str_free(tool_str *s)
{
    free(s->p);
    memset(s, 0, sizeof(*s));
}

void tool_str_reset(tool_str *s)
{
    s->len = 0;
    s->truncated = 0;
    if (s->p != NULL) {
        s->p[0] = '\0';
    }
}

const char *tool_str_cstr(const tool_str *s)
{
    return s->p != NULL ? s->p : "";
}

/* Room for n more bytes and the NUL, or 0 (and truncated set). */
static int reserve(tool_str *s, size_t n)
{
    if (s->truncated || n > s->limit - s->len) {
        s->truncated = 1;
        return 0;
    }
    size_t need = s->len + n + 1;
    if (need <= s->cap) {
        return 1;
    }
    size_t cap = s->cap != 0 ? s->cap : 256;
    while (cap < need) {
        cap *= 2;
    }
    if (cap > s->limit + 1) {
        cap = s->limit + 1;
    }
    char *p = realloc(s->p, cap);
    if (p == NULL) {
        s->truncated = 1;
        return 0;
    }
    s->p = p;
    s->cap = cap;
    return 1;
}

void tool_str_addn(tool_str *s, const char *text, size_t n)
{
    if (!reserve(s, n)) {
        return;
    }
    memcpy(s->p + s->len, text, n);
    s->len += n;
    s->p[s->len] = '\0';
}

void tool_str_add(tool_str *s, const char *text)
{
    tool_str_addn(s, text, strlen(text));
}

void tool_str_addf(tool_str *s, const char *fmt, ...)
{
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof(small), fmt, ap);
    va_end(ap);
    if (n < 0) {
        return;
    }
    if ((size_t)n < sizeof(small)) {
        tool_str_addn(s, small, (size_t)n);
        return;
    }
    if (!reserve(s, (size_t)n)) {
        return;
    }
    va_start(ap, fmt);
    vsnprintf(s->p + s->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    s->len += (size_t)n;
}

void tool_str_json_string(tool_str *s, const char *text)
{
    if (text == NULL) {
        tool_str_add(s, "null");
        return;
    }
    tool_str_add(s, "\"");
    for (const unsigned char *c = (const unsigned char *)text; *c != '\0'; c++) {
        if (*c == '"' || *c == '\\') {
            char esc[2] = {'\\', (char)*c};
            tool_str_addn(s, esc, 2);
        } else if (*c == '\n') {
            tool_str_add(s, "\\n");
        } else if (*c < 0x20 || *c >= 0x7f) {
            tool_str_addf(s, "\\u%04x", *c);
        } else {
            tool_str_addn(s, (const char *)c, 1);
        }
    }
    tool_str_add(s, "\"");
}

void tool_str_hex(tool_str *s, const uint8_t *bytes, size_t len)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < len; i++) {
        char two[2] = {digits[bytes[i] >> 4], digits[bytes[i] & 15]};
        tool_str_addn(s, two, 2);
    }
}

void tool_str_html(tool_str *s, const char *text)
{
    for (const char *c = text; *c != '\0'; c++) {
        switch (*c) {
        case '<': tool_str_add(s, "&lt;"); break;
        case '>': tool_str_add(s, "&gt;"); break;
        case '&': tool_str_add(s, "&amp;"); break;
        case '"': tool_str_add(s, "&quot;"); break;
        case '\'': tool_str_add(s, "&#39;"); break;
        default: tool_str_addn(s, c, 1);
        }
    }
}
