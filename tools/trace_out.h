/*
 * Where a connection's trace events go: the narrator (--explain), the JSON
 * lines (--trace-json FILE), or both. One lt_trace_fn feeds them all, so the
 * story and the JSON are told from the same events.
 */
#ifndef LT_TOOLS_TRACE_OUT_H
#define LT_TOOLS_TRACE_OUT_H

#include "lucidtls/lucidtls.h"
#include "narrate.h"
#include "trace_json.h"

typedef struct trace_out {
    narrator *nar;         /* --explain, or NULL */
    trace_json_sink *json; /* --trace-json, or NULL */
    unsigned long conn_id; /* the connection's "conn" in the JSON lines */
} trace_out;

/* The lt_trace_fn: pass the trace_out as the trace argument. */
void trace_out_fn(void *arg, const lt_conn *conn, const lt_event *ev);

/* Whether anything listens (then the config gets trace_out_fn). */
int trace_out_wanted(const trace_out *t);

/* A new connection begins: the next JSON connection id. */
void trace_out_next_conn(trace_out *t);

#endif
