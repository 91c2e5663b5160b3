/*
 * lt_conn: the sans-I/O connection. Bytes come in through lt_conn_feed,
 * which processes whole records as they complete; protected bytes go out
 * through lt_conn_out_peek / lt_conn_out_consume.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/text.h"
#include "conn/conn.h"

static void record_observer(void *arg, int protect, uint8_t type, uint64_t seq, size_t pt_len, size_t record_len,
                            int keyed);

/* The anchors a config verifies its peer against: a client's (or the
 * system's), a server's own store only (client certificates). */
static const lt_trust *peer_trust(const lt_config *cfg)
{
    if (cfg->role == LT_ROLE_CLIENT) {
        return lt_config_trust(cfg);
    }
    return cfg->trust_loaded ? cfg->trust : NULL;
}

/* Client certificates need anchors to be checked against: a server
 * config that asks for them without any cannot be used. */
static int client_auth_unverifiable(const lt_config *cfg)
{
    return cfg->role == LT_ROLE_SERVER && cfg->policy.client_auth != LT_CLIENT_AUTH_NONE && !cfg->trust_loaded;
}

lt_conn *lt_conn_new(const lt_config *cfg)
{
    lt_conn *c = calloc(1, sizeof *c);
    if (c == NULL) {
        return NULL;
    }
    /* The connection holds a reference, and the config is frozen from now
     * on (lucidtls.h, "Config lifetime"): the count and the flag are the
     * only parts of a const config that change, both atomic. */
    lt_config *shared = (lt_config *)cfg;
    lt_config_freeze(shared);
    c->cfg = lt_config_ref(shared);
    c->role = cfg->role;
    c->peer_alert = -1;
    c->alert_sent = -1;
    c->tracer = (lt_tracer){cfg->trace, cfg->trace_arg, c, cfg->show_secrets, cfg->keylog, cfg->keylog_arg};
    if (lt_record_init(&c->rec) != LT_OK) {
        lt_conn_free(c);
        return NULL;
    }
    lt_hs_env env = {
        .role = cfg->role,
        .policy = &cfg->policy,
        /* A server verifies client certificates against its own store
         * only: never the system's (lucidtls.h, lt_config_set_client_auth). */
        .trust = peer_trust(cfg),
        .rec = &c->rec,
        .err = &c->err,
        .tracer = &c->tracer,
        .app_conn = c,
    };
    c->hs = lt_hs_new(&env);
    if (c->hs == NULL) {
        lt_conn_free(c);
        return NULL;
    }
    /* RFC 5246 E.1: a ClientHello record often carries {3, 1} so that old
     * servers do not choke; the version is settled by the hello messages. */
    lt_record_set_versions(&c->rec, cfg->role == LT_ROLE_CLIENT ? 0x0301 : 0x0303, 0);
    if (cfg->trace != NULL) {
        lt_record_set_observer(&c->rec, record_observer, c);
    }
    /* Without them the connection fails before it starts (no alert:
     * nothing was said). */
    if (client_auth_unverifiable(cfg)) {
        (void)lt_error_set(&c->err, LT_ERR_CONFIG,
                           "the server asks for client certificates but has no trust anchors to verify them "
                           "(lt_config_set_ca_file, _ca_dir or _ca_pem)");
        c->phase = LT_PHASE_FAILED;
    }
    return c;
}

void lt_conn_free(lt_conn *c)
{
    if (c == NULL) {
        return;
    }
    lt_hs_free(c->hs);
    lt_record_free(&c->rec);
    lt_error_clear(&c->err);
    lt_config_free((lt_config *)c->cfg);
    lt_config_free((lt_config *)c->switched);
    lt_wipe(c, sizeof *c);
    free(c);
}

int lt_conn_set_hostname(lt_conn *c, const char *hostname)
{
    size_t len = strlen(hostname);
    LT_ENSURE(c->role == LT_ROLE_CLIENT && !lt_hs_started(c->hs), LT_ERR_USAGE);
    LT_ENSURE(len > 0 && len <= LT_MAX_HOSTNAME, LT_ERR_USAGE);
    /* RFC 6066 3: "Literal IPv4 and IPv6 addresses are not permitted in
     * HostName": an IP is checked against the certificate, not sent. */
    uint8_t addr[16];
    int is_ip = inet_pton(AF_INET, hostname, addr) == 1 || inet_pton(AF_INET6, hostname, addr) == 1;
    /* A fully qualified "example.com." names the same host; HostName is
     * sent "without a trailing dot" (RFC 6066 3), and certificates carry
     * none either. */
    if (!is_ip && len > 1 && hostname[len - 1] == '.') {
        len--;
    }
    /* Anything else must be a host name we could send: no control bytes or
     * spaces reach the wire, the certificate check or a log. */
    LT_ENSURE(is_ip || lt_is_dns_hostname(hostname, len), LT_ERR_USAGE);
    return lt_hs_set_hostname(c->hs, hostname, len, is_ip);
}

int lt_conn_set_config(lt_conn *c, const lt_config *cfg)
{
    /* Only while the ClientHello hook runs: before it, nothing is known to
     * choose by; after it, the handshake has chosen with the old one. */
    LT_ENSURE(c->role == LT_ROLE_SERVER && cfg != NULL && lt_hs_in_client_hello_hook(c->hs), LT_ERR_USAGE);
    LT_ENSURE(cfg->role == LT_ROLE_SERVER && lt_config_has_identity(cfg), LT_ERR_USAGE);
    LT_ENSURE(!client_auth_unverifiable(cfg), LT_ERR_CONFIG);
    lt_config *next = (lt_config *)cfg; /* as in lt_conn_new: count and flag only */
    lt_config_freeze(next);
    lt_config_ref(next);
    lt_config_free((lt_config *)c->switched);
    c->switched = next;
    lt_hs_set_policy(c->hs, &next->policy, peer_trust(next));
    return LT_OK;
}

void lt_conn_set_user(lt_conn *c, void *user)
{
    c->user = user;
}
void *lt_conn_user(const lt_conn *c)
{
    return c->user;
}
lt_role lt_conn_role(const lt_conn *c)
{
    return c->role;
}

/* ---- errors and alerts ---- */

static int send_alert(lt_conn *c, uint8_t level, uint8_t desc)
{
    uint8_t alert[2] = {level, desc};
    LT_GUARD(lt_record_write(&c->rec, LT_CT_ALERT, alert, sizeof alert));
    lt_field f = lt_fld_text("level", level == LT_ALERT_LEVEL_FATAL ? "fatal" : "warning");
    lt_trace(&c->tracer, LT_EV_ALERT_SENT, lt_alert_name(desc), "RFC 5246 7.2", NULL, &f, 1);
    return LT_OK;
}

/* The connection's error is set (by conn, hs or a layer below): stop, and
 * send the fatal alert it names, once. */
static int abort_with_error(lt_conn *c)
{
    if (c->phase == LT_PHASE_FAILED) {
        return c->err.code;
    }
    c->phase = LT_PHASE_FAILED;
    int alert = lt_error_alert(&c->err);
    /* RFC 5246 7.2.2: on a fatal error, send the alert, then close. */
    if (alert >= 0 && !c->eof && send_alert(c, LT_ALERT_LEVEL_FATAL, (uint8_t)alert) == LT_OK) {
        c->alert_sent = alert;
    }
    return c->err.code;
}

int lt_conn_fail(lt_conn *c, int err, const char *fmt, ...)
{
    if (c->err.code == 0) {
        char detail[LT_DETAIL_LEN];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(detail, sizeof detail, fmt, ap);
        va_end(ap);
        (void)lt_error_set(&c->err, err, "%s", detail);
    }
    return abort_with_error(c);
}

/* A failure from below: the layer that found it recorded the detail; one
 * without a detail (a bare error code) gets a generic one. */
static int failed_below(lt_conn *c, int rc, const char *doing)
{
    if (c->err.code == 0) {
        (void)lt_error_set(&c->err, rc, "%s: %s", doing, lt_result_string(rc));
    }
    return abort_with_error(c);
}

int lt_conn_fail_transport(lt_conn *c, int err, const char *what)
{
    if (c->err.code == 0) {
        (void)lt_error_set(&c->err, err < 0 ? err : LT_ERR_IO, "%s", what);
    }
    /* The error table sends no alert for LT_ERR_IO: the transport is gone. */
    return abort_with_error(c);
}

int lt_conn_error(const lt_conn *c, const char **detail)
{
    if (detail != NULL) {
        *detail = lt_error_detail(&c->err);
    }
    return c->err.code;
}

int lt_conn_alert_sent(const lt_conn *c)
{
    return c->alert_sent;
}
int lt_conn_peer_alert(const lt_conn *c)
{
    return c->peer_alert;
}

/* ---- input ---- */

/* RFC 5246 allows empty application data records and warning alerts, and
 * we refuse renegotiation with a warning, but none of them moves the
 * connection forward. One budget covers them all (so that alternating kinds
 * cannot reset each other), and only a record that advances the handshake
 * or delivers data renews it. */
static int count_record(lt_conn *c, int progress)
{
    if (progress) {
        c->noise_in_a_row = 0;
        return LT_OK;
    }
    if (++c->noise_in_a_row > LT_MAX_NOISE_IN_A_ROW) {
        return lt_conn_fail(c, LT_ERR_UNEXPECTED_MESSAGE,
                            "more than %d records in a row that carried nothing (empty records, warning alerts, "
                            "refused renegotiations)",
                            LT_MAX_NOISE_IN_A_ROW);
    }
    return LT_OK;
}

static int on_alert(lt_conn *c, const uint8_t *p, size_t n)
{
    /* RFC 5246 6.2.1 lets alerts be fragmented; an empty alert record is
     * forbidden to send, and we refuse it. */
    if (n == 0) {
        return lt_conn_fail(c, LT_ERR_DECODE, "empty alert record");
    }
    for (size_t i = 0; i < n; i++) {
        c->alert_buf[c->alert_len++] = p[i];
        if (c->alert_len < 2) {
            continue;
        }
        c->alert_len = 0;
        uint8_t level = c->alert_buf[0], desc = c->alert_buf[1];
        lt_field f = lt_fld_text("level", level == LT_ALERT_LEVEL_FATAL ? "fatal" : "warning");
        lt_trace(&c->tracer, LT_EV_ALERT_RECV, lt_alert_name(desc), "RFC 5246 7.2", NULL, &f, 1);
        int tls13 = lt_hs_session(c->hs)->version == LT_TLS1_3;
        if (desc == LT_ALERT_CLOSE_NOTIFY) {
            /* RFC 5246 7.2.1: answer with our own close_notify. RFC 8446
             * 6.1 makes it a half-close: the peer's close_notify ends only
             * its direction, and we may go on writing until we close. */
            c->close_received = 1;
            if (!tls13 && !c->close_sent && c->phase == LT_PHASE_CONNECTED) {
                c->close_sent = 1;
                LT_GUARD(send_alert(c, LT_ALERT_LEVEL_WARNING, LT_ALERT_CLOSE_NOTIFY));
            }
            if (c->phase != LT_PHASE_CONNECTED) {
                return lt_conn_fail(c, LT_ERR_PEER_ALERT, "peer closed (close_notify) during the handshake");
            }
            return LT_OK;
        }
        /* RFC 8446 6: in TLS 1.3 every alert but close_notify and
         * user_canceled is an error alert, fatal "regardless of the
         * AlertLevel". */
        if (level == LT_ALERT_LEVEL_FATAL || (tls13 && desc != LT_ALERT_USER_CANCELED)) {
            c->peer_alert = desc;
            return lt_conn_fail(c, LT_ERR_PEER_ALERT, "peer sent %s alert: %s",
                                level == LT_ALERT_LEVEL_FATAL ? "fatal" : "an error (fatal in TLS 1.3)",
                                lt_alert_name(desc));
        }
        if (level != LT_ALERT_LEVEL_WARNING) {
            return lt_conn_fail(c, LT_ERR_ILLEGAL_PARAMETER, "alert with level %u (expected 1 or 2)", level);
        }
        /* Warnings (no_renegotiation, user_canceled...) are reported and
         * otherwise ignored (RFC 5246 7.2); each counts as a record that
         * carried nothing. */
        LT_GUARD(count_record(c, 0));
    }
    return LT_OK;
}

static int on_app_data(lt_conn *c, uint8_t *p, size_t n)
{
    if (c->phase != LT_PHASE_CONNECTED) {
        return lt_conn_fail(c, LT_ERR_UNEXPECTED_MESSAGE, "application data before the handshake finished (in %s)",
                            lt_hs_state_name(c->hs));
    }
    c->app = p;
    c->app_len = n;
    /* Empty records are allowed (RFC 5246 6.2.1), an endless run of them
     * is not: it costs us a decryption each and delivers nothing. */
    return count_record(c, n > 0);
}

static int on_handshake_or_ccs(lt_conn *c, uint8_t type, const uint8_t *p, size_t n)
{
    int progress = 0;
    int rc = lt_hs_on_record(c->hs, type, p, n, &progress);
    if (rc != LT_OK) {
        return failed_below(c, rc, "handshake");
    }
    if (lt_hs_done(c->hs) && c->phase == LT_PHASE_HANDSHAKE) {
        c->phase = LT_PHASE_CONNECTED;
    }
    return count_record(c, progress);
}

/* What a failed lt_record_open means, in words. */
static const char *record_problem(int rc)
{
    switch (rc) {
    case LT_ERR_BAD_RECORD_MAC: return "failed to verify/decrypt (bad_record_mac)";
    case LT_ERR_RECORD_OVERFLOW: return "plaintext longer than 2^14 bytes";
    case LT_ERR_UNEXPECTED_MESSAGE: return "a record that may not come here";
    case LT_ERR_NOMEM: return "out of memory";
    default: return lt_result_string(rc);
    }
}

static int process_record(lt_conn *c)
{
    uint8_t type;
    uint8_t *pt;
    size_t n;
    int rc = lt_record_open(&c->rec, &type, &pt, &n);
    if (rc != LT_OK) {
        const char *why = lt_record_problem(&c->rec);
        return lt_conn_fail(c, rc, "record %llu: %s", (unsigned long long)lt_record_read_seq(&c->rec),
                            why != NULL ? why : record_problem(rc));
    }
    if (c->alert_len != 0 && type != LT_CT_ALERT) {
        return lt_conn_fail(c, LT_ERR_DECODE, "half an alert, then a %s record", lt_content_type_name(type));
    }
    switch (type) {
    case LT_CT_DROPPED: return LT_OK; /* refused early data (RFC 8446 4.2.10), within its bound */
    case LT_CT_ALERT: return on_alert(c, pt, n);
    case LT_CT_APPLICATION_DATA: return on_app_data(c, pt, n);
    case LT_CT_HANDSHAKE:
    case LT_CT_CHANGE_CIPHER_SPEC: return on_handshake_or_ccs(c, type, pt, n);
    default: return lt_conn_fail(c, LT_ERR_UNEXPECTED_MESSAGE, "record of unknown content type %u", type);
    }
}

static const char *header_problem(int rc)
{
    switch (rc) {
    case LT_ERR_UNEXPECTED_MESSAGE: return "record header: unknown content type (is the peer speaking TLS?)";
    case LT_ERR_PROTOCOL_VERSION: return "record header: unexpected protocol version";
    case LT_ERR_RECORD_OVERFLOW:
        return "record header: length over the limit (2^14 in plaintext; protected, 2^14 + 2048 in TLS 1.2 and 2^14 + "
               "256 in TLS 1.3)";
    default: return "record header rejected";
    }
}

/* Backpressure: while replies to the peer are piling up past the write cap,
 * take no more input, so that a peer that never reads cannot make us queue
 * without bound (lucidtls.h, "Output bounds"). */
static int output_blocks_input(const lt_conn *c)
{
    return lt_record_out_full(&c->rec);
}

/* Unread application data holds the record buffer; after close_notify or
 * an error nothing more is taken; nor while output is backed up. */
static int takes_input(const lt_conn *c)
{
    return c->err.code == 0 && c->app_len == 0 && !c->close_received && !output_blocks_input(c);
}

uint8_t *lt_conn_in_buf(lt_conn *c, size_t *room)
{
    *room = 0;
    if (!takes_input(c)) {
        return NULL;
    }
    uint8_t *p = lt_record_in_space(&c->rec, room);
    if (p == NULL) {
        lt_conn_fail(c, LT_ERR_NOMEM, "out of memory for the record buffer");
    }
    return p;
}

int lt_conn_wants_input(const lt_conn *c)
{
    return takes_input(c) && !lt_record_ready(&c->rec);
}

void lt_conn_release_buffers(lt_conn *c)
{
    if (c->app_len == 0) {
        lt_record_release_buffers(&c->rec);
    }
    lt_hs_release_buffers(c->hs);
}

static int record_input_failed(lt_conn *c, int rc)
{
    if (rc == LT_ERR_NOMEM) {
        return lt_conn_fail(c, rc, "out of memory for the record buffer");
    }
    return lt_conn_fail(c, rc, "%s", header_problem(rc));
}

int lt_conn_in_commit(lt_conn *c, size_t n)
{
    if (c->err.code != 0) {
        return c->err.code;
    }
    int rc = lt_record_in_commit(&c->rec, n);
    if (rc != LT_OK) {
        return record_input_failed(c, rc);
    }
    if (lt_record_ready(&c->rec)) {
        LT_GUARD(process_record(c));
    }
    return LT_OK;
}

/* The copying path and the zero-copy one (lt_conn_in_buf/in_commit) share
 * the record layer's buffering (lt_record_absorb is in_space + in_commit),
 * so the record fuzzer exercises what production runs. */
int lt_conn_feed(lt_conn *c, const uint8_t *in, size_t len, size_t *consumed)
{
    *consumed = 0;
    if (c->err.code != 0) {
        return c->err.code;
    }
    while (len > 0 && takes_input(c)) {
        size_t used = 0;
        int rc = lt_record_absorb(&c->rec, in, len, &used);
        *consumed += used;
        in += used;
        len -= used;
        if (rc != LT_OK) {
            return record_input_failed(c, rc);
        }
        if (lt_record_ready(&c->rec)) {
            LT_GUARD(process_record(c));
        }
    }
    if (c->close_received) {
        /* Nothing after close_notify counts (RFC 5246 7.2.1). */
        *consumed += len;
        return LT_OK;
    }
    return len > 0 && output_blocks_input(c) ? LT_WANT_OUTPUT : LT_OK;
}

void lt_conn_feed_eof(lt_conn *c)
{
    c->eof = 1;
}

const uint8_t *lt_conn_out_peek(const lt_conn *c, size_t *len)
{
    return lt_record_out_peek(&c->rec, len);
}

void lt_conn_out_consume(lt_conn *c, size_t n)
{
    lt_record_out_consume(&c->rec, n);
}

/* ---- handshake, data, close ---- */

static int fail_truncated(lt_conn *c)
{
    if (c->phase == LT_PHASE_CONNECTED) {
        return lt_conn_fail(c, LT_ERR_TRUNCATED,
                            "the peer closed the connection without close_notify (data may be truncated)");
    }
    return lt_conn_fail(c, LT_ERR_TRUNCATED, "the peer closed the connection during the handshake (in %s)",
                        lt_hs_state_name(c->hs));
}

int lt_conn_handshake(lt_conn *c)
{
    if (c->err.code != 0) {
        return c->err.code;
    }
    if (c->phase == LT_PHASE_CONNECTED) {
        return LT_OK;
    }
    if (c->role == LT_ROLE_CLIENT && !lt_hs_started(c->hs)) {
        if (!lt_hs_has_hostname(c->hs) && c->cfg->policy.hostname_check) {
            return lt_conn_fail(c, LT_ERR_USAGE,
                                "no hostname to verify: call lt_conn_set_hostname() (or, for tests only, "
                                "lt_config_dangerous_disable_hostname_check())");
        }
        int rc = lt_hs_start(c->hs);
        if (rc != LT_OK) {
            return failed_below(c, rc, "starting the handshake");
        }
        return LT_WANT_INPUT;
    }
    if (c->eof) {
        return fail_truncated(c);
    }
    return output_blocks_input(c) ? LT_WANT_OUTPUT : LT_WANT_INPUT;
}

/* RFC 8446 5.5: AES-GCM keys must not protect more than 2^24.5 full-size
 * records; we change keys (KeyUpdate) well before, at 2^24 records, for
 * every suite. */
#define LT_TLS13_RECORDS_PER_KEY (1ull << 24)
static uint64_t records_per_key = LT_TLS13_RECORDS_PER_KEY;

#ifdef LT_TEST_HOOKS
void lt_test_set_records_per_key(uint64_t n)
{
    records_per_key = n != 0 ? n : LT_TLS13_RECORDS_PER_KEY;
}
#endif

static int update_keys_if_worn(lt_conn *c)
{
    if (lt_hs_session(c->hs)->version != LT_TLS1_3 || lt_record_write_seq(&c->rec) < records_per_key) {
        return LT_OK;
    }
    int rc = lt_hs_key_update(c->hs, 0);
    return rc == LT_OK ? LT_OK : failed_below(c, rc, "updating our keys (RFC 8446 5.5)");
}

int lt_conn_write(lt_conn *c, const void *buf, size_t len, size_t *written)
{
    *written = 0;
    if (c->err.code != 0) {
        return c->err.code;
    }
    LT_ENSURE(c->phase == LT_PHASE_CONNECTED && !c->close_sent, LT_ERR_USAGE);
    if (len == 0) {
        return LT_OK;
    }
    LT_GUARD(update_keys_if_worn(c));
    size_t n = lt_record_write_room(&c->rec);
    if (n == 0) {
        return LT_WANT_OUTPUT;
    }
    if (n > len) {
        n = len;
    }
    int rc = lt_record_write(&c->rec, LT_CT_APPLICATION_DATA, buf, n);
    if (rc != LT_OK) {
        return failed_below(c, rc, "protecting application data");
    }
    *written = n;
    return LT_OK;
}

int lt_conn_read(lt_conn *c, void *buf, size_t cap, size_t *n)
{
    *n = 0;
    if (c->app_len > 0) {
        size_t take = c->app_len < cap ? c->app_len : cap;
        memcpy(buf, c->app, take);
        c->app += take;
        c->app_len -= take;
        *n = take;
        return LT_OK;
    }
    if (c->err.code != 0) {
        return c->err.code;
    }
    if (c->close_received) {
        return LT_CLOSED;
    }
    if (c->eof) {
        return fail_truncated(c);
    }
    return output_blocks_input(c) ? LT_WANT_OUTPUT : LT_WANT_INPUT;
}

int lt_conn_close(lt_conn *c)
{
    if (c->close_sent || c->err.code != 0) {
        return LT_OK;
    }
    c->close_sent = 1;
    return send_alert(c, LT_ALERT_LEVEL_WARNING, LT_ALERT_CLOSE_NOTIFY);
}

int lt_conn_get_session(const lt_conn *c, uint8_t *buf, size_t cap, size_t *len)
{
    LT_ENSURE(c->role == LT_ROLE_CLIENT && buf != NULL && len != NULL, LT_ERR_USAGE);
    return lt_hs_get_session(c->hs, buf, cap, len);
}

int lt_conn_set_session(lt_conn *c, const uint8_t *buf, size_t len)
{
    LT_ENSURE(c->role == LT_ROLE_CLIENT && buf != NULL, LT_ERR_USAGE);
    return lt_hs_set_resumption(c->hs, buf, len);
}

int lt_conn_resumed(const lt_conn *c)
{
    return lt_hs_resumed(c->hs);
}

int lt_conn_key_update(lt_conn *c, int request_peer)
{
    if (c->err.code != 0) {
        return c->err.code;
    }
    LT_ENSURE(c->phase == LT_PHASE_CONNECTED && !c->close_sent, LT_ERR_USAGE);
    LT_ENSURE(lt_hs_session(c->hs)->version == LT_TLS1_3, LT_ERR_USAGE);
    int rc = lt_hs_key_update(c->hs, request_peer);
    return rc == LT_OK ? LT_OK : failed_below(c, rc, "sending KeyUpdate");
}

int lt_conn_export_keying_material(const lt_conn *c, const char *label, size_t label_len, const uint8_t *context,
                                   size_t context_len, int use_context, uint8_t *out, size_t out_len)
{
    LT_ENSURE(c->phase == LT_PHASE_CONNECTED && label != NULL && out != NULL, LT_ERR_USAGE);
    LT_ENSURE(context != NULL || context_len == 0, LT_ERR_USAGE);
    LT_ENSURE(label_len <= 249 && context_len <= 0xFFFF && out_len > 0 && out_len <= 16320, LT_ERR_USAGE);
    return lt_hs_export(c->hs, label, label_len, context, context_len, use_context, out, out_len);
}

/* ---- accessors ---- */

int lt_conn_is_established(const lt_conn *c)
{
    return c->phase == LT_PHASE_CONNECTED;
}
uint16_t lt_conn_version(const lt_conn *c)
{
    return lt_hs_session(c->hs)->version;
}
uint16_t lt_conn_cipher_suite(const lt_conn *c)
{
    const lt_suite *s = lt_hs_session(c->hs)->suite;
    return s != NULL ? s->id : 0;
}
int lt_conn_used_ems(const lt_conn *c)
{
    return lt_hs_session(c->hs)->ems;
}
int lt_conn_used_etm(const lt_conn *c)
{
    return lt_hs_session(c->hs)->etm;
}
uint16_t lt_conn_group(const lt_conn *c)
{
    return lt_hs_session(c->hs)->group;
}
int lt_conn_secure_renegotiation(const lt_conn *c)
{
    return lt_hs_session(c->hs)->secure_reneg;
}

const char *lt_conn_server_name(const lt_conn *c)
{
    return lt_hs_server_name(c->hs);
}

uint16_t lt_conn_peer_signature_scheme(const lt_conn *c)
{
    return lt_hs_session(c->hs)->peer_sig_scheme;
}
uint16_t lt_conn_signature_scheme(const lt_conn *c)
{
    return lt_hs_session(c->hs)->sig_scheme;
}
size_t lt_conn_peer_cert_count(const lt_conn *c)
{
    return lt_hs_peer_cert_count(c->hs);
}
const uint8_t *lt_conn_peer_cert(const lt_conn *c, size_t i, size_t *len)
{
    return lt_hs_peer_cert(c->hs, i, len);
}
int lt_conn_peer_verify_result(const lt_conn *c, const char **reason)
{
    return lt_hs_peer_verify_result(c->hs, reason);
}

const char *lt_conn_alpn(const lt_conn *c, size_t *len)
{
    const lt_session *s = lt_hs_session(c->hs);
    if (len != NULL) {
        *len = s->alpn_len;
    }
    return s->alpn_len > 0 ? s->alpn : NULL;
}

/* ---- trace of records ---- */

static void record_observer(void *arg, int protect, uint8_t type, uint64_t seq, size_t pt_len, size_t record_len,
                            int keyed)
{
    const lt_conn *c = arg;
    char seq_s[24], pt_s[24], rec_s[24], prot[96];
    snprintf(seq_s, sizeof seq_s, "%llu", (unsigned long long)seq);
    snprintf(pt_s, sizeof pt_s, "%zu", pt_len);
    snprintf(rec_s, sizeof rec_s, "%zu", record_len);
    const lt_suite *suite = lt_hs_session(c->hs)->suite;
    if (!keyed && suite != NULL && lt_record_is_protected(&c->rec, protect)) {
        /* TLS 1.3's middlebox ChangeCipherSpec (or an early alert): in the
         * clear although keys are in place (RFC 8446 5, D.4). */
        snprintf(prot, sizeof prot, "none (in the clear)");
    } else if (!keyed || suite == NULL) {
        snprintf(prot, sizeof prot, "none (no keys yet)");
    } else if (suite->mac == LT_MAC_NONE) {
        snprintf(prot, sizeof prot, "%s (AEAD)", suite->cipher_text);
    } else {
        snprintf(prot, sizeof prot, "%s + %s (%s)", suite->cipher_text, suite->mac_text,
                 lt_hs_session(c->hs)->etm ? "encrypt-then-MAC" : "MAC-then-encrypt");
    }
    lt_field f[4] = {lt_fld_text("seq", seq_s), lt_fld_text("plaintext_length", pt_s),
                     lt_fld_text("record_length", rec_s), lt_fld_text("protection", prot)};
    lt_trace(&c->tracer, protect ? LT_EV_RECORD_PROTECT : LT_EV_RECORD_UNPROTECT, lt_content_type_name(type),
             "RFC 5246 6.2", NULL, f, 4);
}
