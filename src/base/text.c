#include "base/text.h"

#include <stdio.h>
#include <string.h>

/* One byte as it is printed: itself, or \xHH. Returns the length. */
static size_t escape_byte(uint8_t b, char enc[4])
{
    static const char HEX[] = "0123456789abcdef";
    if (b >= 0x20 && b <= 0x7e && b != '\\') {
        enc[0] = (char)b;
        return 1;
    }
    enc[0] = '\\';
    enc[1] = 'x';
    enc[2] = HEX[b >> 4];
    enc[3] = HEX[b & 15];
    return 4;
}

char *lt_escape_peer_text(char *out, size_t cap, const void *text, size_t len)
{
    const uint8_t *p = text;
    size_t o = 0;
    size_t cut = 0; /* the last boundary after which "..." and the NUL still fit */
    size_t i = 0;
    if (cap == 0) {
        return out;
    }
    for (; i < len; i++) {
        char enc[4];
        size_t n = escape_byte(p[i], enc);
        if (o + n + 1 > cap) {
            break;
        }
        memcpy(out + o, enc, n);
        o += n;
        if (o + 4 <= cap) {
            cut = o;
        }
    }
    if (i < len && cap >= 4) {
        memcpy(out + cut, "...", 3);
        o = cut + 3;
    } else if (i < len) {
        o = 0;
    }
    out[o] = '\0';
    return out;
}

static int is_label_char(uint8_t b)
{
    return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9') || b == '-' || b == '_';
}

/* Four decimal labels of at most 3 digits each, each at most 255. */
static int is_ipv4_literal(const uint8_t *p, size_t len)
{
    int labels = 0;
    size_t i = 0;
    while (i < len) {
        unsigned v = 0;
        size_t digits = 0;
        while (i < len && p[i] >= '0' && p[i] <= '9') {
            v = v * 10 + (unsigned)(p[i] - '0');
            if (++digits > 3) {
                return 0;
            }
            i++;
        }
        if (digits == 0 || v > 255) {
            return 0;
        }
        labels++;
        if (i < len && p[i++] != '.') {
            return 0;
        }
    }
    return labels == 4;
}

int lt_is_dns_hostname(const void *name, size_t len)
{
    const uint8_t *p = name;
    /* RFC 1035 2.3.4: 255 octets on the wire, so 253 in text form. */
    if (len == 0 || len > 253 || p[len - 1] == '.') {
        return 0;
    }
    size_t label = 0;
    for (size_t i = 0; i < len; i++) {
        if (p[i] == '.') {
            if (label == 0 || p[i - 1] == '-') {
                return 0;
            }
            label = 0;
            continue;
        }
        if (!is_label_char(p[i]) || (label == 0 && p[i] == '-') || ++label > 63) {
            return 0;
        }
    }
    if (p[len - 1] == '-') {
        return 0;
    }
    return !is_ipv4_literal(p, len);
}
