/* One trace, two listeners (trace_out.h). */
#include "trace_out.h"

void trace_out_fn(void *arg, const lt_conn *conn, const lt_event *ev)
{
    trace_out *t = arg;
    if (t->json != NULL) {
        trace_json_write(t->json, t->conn_id, conn, ev);
    }
    if (t->nar != NULL) {
        narrate_trace(t->nar, conn, ev);
    }
}

int trace_out_wanted(const trace_out *t)
{
    return t->nar != NULL || t->json != NULL;
}

void trace_out_next_conn(trace_out *t)
{
    if (t->json != NULL) {
        t->conn_id = trace_json_next_conn(t->json);
    }
}
