/*
 * The trace as JSON: one lt_event (docs/TRACE.md) as one JSON object, and
 * the --trace-json FILE sink that writes them as JSON lines. The schema is
 * docs/TRACE.md's "JSON lines" section; keep the two in step.
 */
#ifndef LT_TOOLS_TRACE_JSON_H
#define LT_TOOLS_TRACE_JSON_H

#include <stdio.h>

#include "lucidtls/lucidtls.h"
#include "tool_str.h"

/* The schema's version, the "v" of every object. */
#define TRACE_JSON_VERSION 1

/* Appends ev as one JSON object (no newline) to out. conn_id numbers the
 * connection within this process (1, 2, ...), seq the event within it; side
 * is the role of whoever reported it. A secret field carries "hex" only when
 * the event carries its bytes (the config's show_secrets). */
void trace_json_event(tool_str *out, unsigned long conn_id, unsigned long seq, lt_role side, const lt_event *ev);

/* What a choice event chose: the text of its `chosen`, `used` or `name`
 * field (the JSON's "chosen"), or NULL. */
const char *trace_json_choice_outcome(const lt_event *ev);

/* The JSON name of an event kind ("msg_sent", "choice", ...). */
const char *trace_json_kind(lt_event_kind kind);

/* --trace-json FILE: one sink per process, shared by every connection (the
 * server's many clients, the demo's two threads); lines never interleave. */
typedef struct trace_json_sink trace_json_sink;
/* Opens (truncates) path; "-" is stdout. NULL with a line on stderr naming
 * the file and why. */
trace_json_sink *trace_json_open(const char *path);
/* Writes one event of connection conn_id as a line; seq counts per sink and
 * connection. Thread-safe. */
void trace_json_write(trace_json_sink *sink, unsigned long conn_id, const lt_conn *conn, const lt_event *ev);
/* A fresh connection id (1, 2, ...). Thread-safe. */
unsigned long trace_json_next_conn(trace_json_sink *sink);
/* Connection `id` of the caller's own numbering (the server's "#N")
 * begins: its seq starts again at 1. Thread-safe. */
void trace_json_conn_start(trace_json_sink *sink, unsigned long id);
/* Flushes and closes; 0, or -1 if a write failed (with a line on stderr). */
int trace_json_close(trace_json_sink *sink);

#endif
