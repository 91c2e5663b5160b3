/*
 * The trace: explain-mode events (lucidtls.h, "Explain mode") and the NSS
 * key log. conn and hs both narrate through one lt_tracer, which conn fills
 * from the config. Each call is a no-op without a callback, and a secret
 * field carries its bytes only when the application asked to see secrets.
 */
#ifndef LT_HS_TRACE_H
#define LT_HS_TRACE_H

#include <stddef.h>
#include <stdint.h>

#include "lucidtls/lucidtls.h"

typedef struct lt_tracer {
    lt_trace_fn fn;
    void *arg;
    const lt_conn *conn; /* handed back to the callback, never looked into */
    int show_secrets;
    lt_keylog_fn keylog;
    void *keylog_arg;
} lt_tracer;

int lt_trace_on(const lt_tracer *t);
void lt_trace(const lt_tracer *t, lt_event_kind kind, const char *what, const char *rfc, const char *detail,
              const lt_field *fields, size_t n);
lt_field lt_fld_text(const char *name, const char *text);
lt_field lt_fld_bytes(const char *name, const uint8_t *bytes, size_t len);
lt_field lt_fld_secret(const lt_tracer *t, const char *name, const uint8_t *bytes, size_t len);
/* One NSS key log line: "LABEL <client_random hex> <secret hex>"
 * (CLIENT_RANDOM for TLS 1.2; the TLS 1.3 labels later). */
void lt_keylog(const lt_tracer *t, const char *label, const uint8_t client_random[32], const uint8_t *secret,
               size_t secret_len);

#endif
