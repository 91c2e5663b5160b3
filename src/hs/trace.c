/* Trace events for explain mode, and the NSS key log. Secrets leave only
 * when the application asked for them. */
#include "hs/trace.h"

#include <stdio.h>
#include <string.h>

#include "crypto/crypto.h"

int lt_trace_on(const lt_tracer *t)
{
    return t->fn != NULL;
}

void lt_trace(const lt_tracer *t, lt_event_kind kind, const char *what, const char *rfc, const char *detail,
              const lt_field *fields, size_t n)
{
    if (t->fn == NULL) {
        return;
    }
    lt_event ev = {kind, what, rfc, detail, fields, n};
    t->fn(t->arg, t->conn, &ev);
}

lt_field lt_fld_text(const char *name, const char *text)
{
    lt_field f = {name, text, NULL, 0, 0};
    return f;
}

lt_field lt_fld_bytes(const char *name, const uint8_t *bytes, size_t len)
{
    lt_field f = {name, NULL, bytes, len, 0};
    return f;
}

lt_field lt_fld_secret(const lt_tracer *t, const char *name, const uint8_t *bytes, size_t len)
{
    lt_field f = {name, NULL, t->show_secrets ? bytes : NULL, len, 1};
    return f;
}

static void hex(char *out, const uint8_t *p, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[p[i] >> 4];
        out[2 * i + 1] = digits[p[i] & 15];
    }
    out[2 * n] = '\0';
}

#define LT_KEYLOG_MAX_SECRET 64

void lt_keylog(const lt_tracer *t, const char *label, const uint8_t client_random[32], const uint8_t *secret,
               size_t secret_len)
{
    if (t->keylog == NULL || secret_len > LT_KEYLOG_MAX_SECRET) {
        return;
    }
    /* "LABEL <64 hex> <secret hex>": the NSS key log format. */
    char line[48 + 1 + 64 + 1 + 2 * LT_KEYLOG_MAX_SECRET + 1];
    char cr[65], sk[2 * LT_KEYLOG_MAX_SECRET + 1];
    hex(cr, client_random, 32);
    hex(sk, secret, secret_len);
    snprintf(line, sizeof line, "%s %s %s", label, cr, sk);
    t->keylog(t->keylog_arg, t->conn, line);
    lt_wipe(sk, sizeof sk);
    lt_wipe(line, sizeof line);
}
