/* What a --www request asks for (www_request.h). */
#include "www_request.h"

#include <string.h>
#include <strings.h>

/* Does [p, p+n) contain `needle`, ASCII case-insensitively? */
static int contains_nocase(const char *p, size_t n, const char *needle)
{
    size_t k = strlen(needle);
    for (size_t i = 0; k <= n && i <= n - k; i++) {
        if (strncasecmp(p + i, needle, k) == 0) {
            return 1;
        }
    }
    return 0;
}

/* Does some header line "NAME: value" of head (after the request line) have
 * `needle` in its value? Header names are case-insensitive (RFC 9110 5.1). */
static int header_has(const char *head, size_t len, const char *name, const char *needle)
{
    size_t nlen = strlen(name);
    const char *end = head + len;
    const char *line = memchr(head, '\n', len);
    while (line != NULL && line + 1 < end) {
        line++;
        const char *eol = memchr(line, '\n', (size_t)(end - line));
        size_t l = (size_t)((eol != NULL ? eol : end) - line);
        if (l > nlen && line[nlen] == ':' && strncasecmp(line, name, nlen) == 0 &&
            contains_nocase(line + nlen + 1, l - nlen - 1, needle)) {
            return 1;
        }
        line = eol;
    }
    return 0;
}

www_kind www_request_kind(const char *head, size_t len)
{
    /* The request line: GET SP request-target SP HTTP-version (RFC 9112 3). */
    if (len < 4 || memcmp(head, "GET ", 4) != 0) {
        return WWW_PLAIN;
    }
    const char *target = head + 4;
    size_t rest = len - 4;
    const char *sp = memchr(target, ' ', rest);
    size_t tlen = sp != NULL ? (size_t)(sp - target) : 0;
    const char *q = memchr(target, '?', tlen);
    size_t path_len = q != NULL ? (size_t)(q - target) : tlen;
    static const char json_path[] = "/handshake.json";
    if (path_len == sizeof json_path - 1 && memcmp(target, json_path, path_len) == 0) {
        return WWW_JSON;
    }
    if (header_has(head, len, "Accept", "text/html")) {
        return WWW_HTML;
    }
    return WWW_PLAIN;
}
