/* The trace as JSON lines (trace_json.h, docs/TRACE.md "JSON lines"). */
#include "trace_json.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

const char *trace_json_kind(lt_event_kind kind)
{
    switch (kind) {
    case LT_EV_MSG_SENT: return "msg_sent";
    case LT_EV_MSG_RECV: return "msg_recv";
    case LT_EV_CHOICE: return "choice";
    case LT_EV_CERT_CHECK: return "cert_check";
    case LT_EV_KEY_DERIVE: return "key_derive";
    case LT_EV_RECORD_PROTECT: return "record_protect";
    case LT_EV_RECORD_UNPROTECT: return "record_unprotect";
    case LT_EV_ALERT_SENT: return "alert_sent";
    case LT_EV_ALERT_RECV: return "alert_recv";
    case LT_EV_CCS_SENT: return "ccs_sent";
    case LT_EV_CCS_RECV: return "ccs_recv";
    case LT_EV_STATE: return "state";
    }
    return "unknown";
}

/* "sent" or "received" for what crossed the wire, else NULL. */
static const char *direction(lt_event_kind kind)
{
    switch (kind) {
    case LT_EV_MSG_SENT:
    case LT_EV_RECORD_PROTECT:
    case LT_EV_ALERT_SENT:
    case LT_EV_CCS_SENT: return "sent";
    case LT_EV_MSG_RECV:
    case LT_EV_RECORD_UNPROTECT:
    case LT_EV_ALERT_RECV:
    case LT_EV_CCS_RECV: return "received";
    default: return NULL;
    }
}

static void add_field(tool_str *out, const lt_field *f)
{
    /* A secret is shown only when the library handed over its bytes (the
     * config's show_secrets); its text is withheld with them. */
    int shown = !f->is_secret || f->bytes != NULL;
    tool_str_add(out, "{\"name\":");
    tool_str_json_string(out, f->name);
    if (f->text != NULL && shown) {
        tool_str_add(out, ",\"text\":");
        tool_str_json_string(out, f->text);
    }
    if (f->bytes != NULL) {
        tool_str_add(out, ",\"hex\":\"");
        tool_str_hex(out, f->bytes, f->len);
        tool_str_add(out, "\"");
    }
    if (f->bytes != NULL || f->is_secret) {
        /* The value's size in bytes; a text-only field has none. */
        tool_str_addf(out, ",\"len\":%zu", f->len);
    }
    if (f->is_secret) {
        tool_str_add(out, shown ? ",\"secret\":\"shown\"" : ",\"secret\":\"hidden\"");
    }
    tool_str_add(out, "}");
}

/* The text of ev's public field `name`, or NULL. */
static const char *public_text(const lt_event *ev, const char *name)
{
    for (size_t i = 0; i < ev->nfields; i++) {
        const lt_field *f = &ev->fields[i];
        if (!f->is_secret && f->text != NULL && strcmp(f->name, name) == 0) {
            return f->text;
        }
    }
    return NULL;
}

const char *trace_json_choice_outcome(const lt_event *ev)
{
    const char *chosen = public_text(ev, "chosen");
    chosen = chosen != NULL ? chosen : public_text(ev, "used");
    return chosen != NULL ? chosen : public_text(ev, "name");
}

/* A decision, said plainly: what was chosen and why (its detail), so that
 * a reader need not know which field of which choice holds the outcome. */
static void add_decision(tool_str *out, const lt_event *ev)
{
    const char *chosen = trace_json_choice_outcome(ev);
    if (chosen != NULL) {
        tool_str_add(out, ",\"chosen\":");
        tool_str_json_string(out, chosen);
    }
    if (ev->detail != NULL) {
        tool_str_add(out, ",\"reason\":");
        tool_str_json_string(out, ev->detail);
    }
}

void trace_json_event(tool_str *out, unsigned long conn_id, unsigned long seq, lt_role side, const lt_event *ev)
{
    tool_str_addf(out, "{\"v\":%d,\"conn\":%lu,\"seq\":%lu,\"side\":\"%s\",\"event\":\"%s\"", TRACE_JSON_VERSION,
                  conn_id, seq, side == LT_ROLE_SERVER ? "server" : "client", trace_json_kind(ev->kind));
    const char *dir = direction(ev->kind);
    if (dir != NULL) {
        tool_str_addf(out, ",\"direction\":\"%s\"", dir);
    }
    tool_str_add(out, ",\"what\":");
    tool_str_json_string(out, ev->what);
    tool_str_add(out, ",\"rfc\":");
    tool_str_json_string(out, ev->rfc);
    tool_str_add(out, ",\"detail\":");
    tool_str_json_string(out, ev->detail);
    if (ev->kind == LT_EV_CHOICE) {
        add_decision(out, ev);
    }
    tool_str_add(out, ",\"fields\":[");
    for (size_t i = 0; i < ev->nfields; i++) {
        if (i > 0) {
            tool_str_add(out, ",");
        }
        add_field(out, &ev->fields[i]);
    }
    tool_str_add(out, "]}");
}

/* Per-connection event counters: a small table, grown as connections come. */
struct trace_json_sink {
    FILE *f;
    int is_stdout;
    int write_failed;
    pthread_mutex_t lock;
    unsigned long next_conn;
    unsigned long *seqs; /* seqs[id % nseqs]: the next seq of connection id */
    size_t nseqs;
    tool_str line;
};

#define TRACE_JSON_SEQ_SLOTS 4096
#define TRACE_JSON_LINE_LIMIT (1u << 20) /* one event; the largest is a 64 KiB certificate chain in hex */

trace_json_sink *trace_json_open(const char *path)
{
    trace_json_sink *s = calloc(1, sizeof(*s));
    if (s == NULL) {
        fprintf(stderr, "lucidtls: cannot open --trace-json %s: out of memory\n", path);
        return NULL;
    }
    s->is_stdout = strcmp(path, "-") == 0;
    s->f = s->is_stdout ? stdout : fopen(path, "w");
    s->nseqs = TRACE_JSON_SEQ_SLOTS;
    s->seqs = calloc(s->nseqs, sizeof(*s->seqs));
    if (s->f == NULL || s->seqs == NULL) {
        fprintf(stderr, "lucidtls: cannot open --trace-json %s: %s\n", path,
                s->f == NULL ? strerror(errno) : "out of memory");
        if (s->f != NULL && !s->is_stdout) {
            fclose(s->f);
        }
        free(s->seqs);
        free(s);
        return NULL;
    }
    pthread_mutex_init(&s->lock, NULL);
    tool_str_init(&s->line, TRACE_JSON_LINE_LIMIT);
    return s;
}

void trace_json_conn_start(trace_json_sink *sink, unsigned long id)
{
    pthread_mutex_lock(&sink->lock);
    sink->seqs[id % sink->nseqs] = 0;
    pthread_mutex_unlock(&sink->lock);
}

unsigned long trace_json_next_conn(trace_json_sink *sink)
{
    pthread_mutex_lock(&sink->lock);
    unsigned long id = ++sink->next_conn;
    pthread_mutex_unlock(&sink->lock);
    trace_json_conn_start(sink, id);
    return id;
}

void trace_json_write(trace_json_sink *sink, unsigned long conn_id, const lt_conn *conn, const lt_event *ev)
{
    pthread_mutex_lock(&sink->lock);
    unsigned long seq = ++sink->seqs[conn_id % sink->nseqs];
    tool_str_reset(&sink->line);
    trace_json_event(&sink->line, conn_id, seq, lt_conn_role(conn), ev);
    if (sink->line.truncated) {
        /* Never half an object: a line that did not fit says so instead. */
        tool_str_reset(&sink->line);
        tool_str_addf(&sink->line,
                      "{\"v\":%d,\"conn\":%lu,\"seq\":%lu,\"event\":\"truncated\",\"what\":", TRACE_JSON_VERSION,
                      conn_id, seq);
        tool_str_json_string(&sink->line, ev->what);
        tool_str_add(&sink->line, "}");
    }
    tool_str_add(&sink->line, "\n");
    if (fwrite(sink->line.p, 1, sink->line.len, sink->f) != sink->line.len || fflush(sink->f) != 0) {
        sink->write_failed = 1;
    }
    pthread_mutex_unlock(&sink->lock);
}

int trace_json_close(trace_json_sink *sink)
{
    if (sink == NULL) {
        return 0;
    }
    int failed = sink->write_failed;
    if (sink->is_stdout) {
        failed |= fflush(stdout) != 0;
    } else {
        failed |= fclose(sink->f) != 0;
    }
    if (failed) {
        fprintf(stderr, "lucidtls: writing --trace-json failed\n");
    }
    tool_str_free(&sink->line);
    pthread_mutex_destroy(&sink->lock);
    free(sink->seqs);
    free(sink);
    return failed ? -1 : 0;
}
