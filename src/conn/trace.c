/* Trace events for explain mode, and the NSS key log. Secrets leave only
 * when the application asked for them. */
#include <stdio.h>

#include "conn/conn.h"

int lt_trace_on(const lt_conn *c)
{
    return c->cfg->trace != NULL;
}

void lt_trace(const lt_conn *c, lt_event_kind kind, const char *what, const char *rfc, const char *detail,
              const lt_field *fields, size_t n)
{
    if (c->cfg->trace == NULL) {
        return;
    }
    lt_event ev = {kind, what, rfc, detail, fields, n};
    c->cfg->trace(c->cfg->trace_arg, c, &ev);
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

lt_field lt_fld_secret(const lt_conn *c, const char *name, const uint8_t *bytes, size_t len)
{
    lt_field f = {name, NULL, c->cfg->show_secrets ? bytes : NULL, len, 1};
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

void lt_keylog_master(const lt_conn *c, const uint8_t client_random[32], const uint8_t ms[48])
{
    if (c->cfg->keylog == NULL) {
        return;
    }
    /* "CLIENT_RANDOM <64 hex> <96 hex>": the NSS key log format. */
    char line[14 + 1 + 64 + 1 + 96 + 1];
    char cr[65], mk[97];
    hex(cr, client_random, 32);
    hex(mk, ms, 48);
    snprintf(line, sizeof line, "CLIENT_RANDOM %s %s", cr, mk);
    c->cfg->keylog(c->cfg->keylog_arg, c, line);
    lt_wipe(mk, sizeof mk);
    lt_wipe(line, sizeof line);
}
