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

static void record_observer(void *arg, int protect, uint8_t type, uint64_t seq, size_t pt_len, size_t record_len);

lt_conn *lt_conn_new(const lt_config *cfg)
{
    lt_conn *c = calloc(1, sizeof *c);
    if (c == NULL) {
        return NULL;
    }
    c->cfg = cfg;
    c->role = cfg->role;
    c->peer_alert = -1;
    c->alert_sent = -1;
    c->hs = calloc(1, sizeof *c->hs);
    if (c->hs == NULL || lt_record_init(&c->rec) != LT_OK) {
        lt_conn_free(c);
        return NULL;
    }
    lt_transcript_init(&c->hs->transcript);
    c->hs->transcript.track_names = cfg->trace != NULL;
    /* RFC 5246 E.1: a ClientHello record often carries {3, 1} so that old
     * servers do not choke; the version is settled by the hello messages. */
    c->rec.write_version = cfg->role == LT_ROLE_CLIENT ? 0x0301 : 0x0303;
    if (cfg->trace != NULL) {
        c->rec.observer = record_observer;
        c->rec.observer_arg = c;
    }
    c->state = cfg->role == LT_ROLE_CLIENT ? LT_ST_CLIENT_START : LT_ST_SERVER_WAIT_CLIENT_HELLO;
    return c;
}

void lt_conn_free(lt_conn *c)
{
    if (c == NULL) {
        return;
    }
    lt_hs_free(c->hs);
    lt_record_free(&c->rec);
    /* lt_conn_release_msg keeps a partly reassembled handshake message; here
     * it goes too, or a connection freed mid-message leaks the buffer. */
    c->msg_len = 0;
    lt_conn_release_msg(c);
    free(c->detail);
    lt_wipe(c, sizeof *c);
    free(c);
}

int lt_conn_set_hostname(lt_conn *c, const char *hostname)
{
    size_t len = strlen(hostname);
    LT_ENSURE(c->role == LT_ROLE_CLIENT && c->state == LT_ST_CLIENT_START, LT_ERR_USAGE);
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
    memcpy(c->hostname, hostname, len);
    c->hostname[len] = '\0';
    c->hostname_is_ip = is_ip;
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

int lt_conn_send_alert(lt_conn *c, uint8_t level, uint8_t desc)
{
    uint8_t alert[2] = {level, desc};
    LT_GUARD(lt_record_write(&c->rec, LT_CT_ALERT, alert, sizeof alert));
    lt_field f = lt_fld_text("level", level == LT_ALERT_LEVEL_FATAL ? "fatal" : "warning");
    lt_trace(c, LT_EV_ALERT_SENT, lt_alert_name(desc), "RFC 5246 7.2", NULL, &f, 1);
    return LT_OK;
}

int lt_conn_refuse_renegotiation(lt_conn *c, const char *what)
{
    /* RFC 5246 7.2.2: no_renegotiation is a warning, after which "the
     * original requester can decide whether to proceed". A peer that asks
     * again has ignored the answer: the request is no longer a message this
     * connection expects, so it is fatal (unexpected_message), and a record
     * full of requests costs us two messages, not thousands. */
    if (c->renegotiations_refused >= LT_MAX_RENEGOTIATIONS_REFUSED) {
        return lt_conn_fail(c, LT_ERR_UNEXPECTED_MESSAGE,
                            "%s again after we refused renegotiation with no_renegotiation (RFC 5246 7.2.2)", what);
    }
    c->renegotiations_refused++;
    return lt_conn_send_alert(c, LT_ALERT_LEVEL_WARNING, LT_ALERT_NO_RENEGOTIATION);
}

int lt_conn_fail(lt_conn *c, int err, const char *fmt, ...)
{
    if (c->err != 0) {
        return c->err;
    }
    c->err = err;
    /* The detail lives on the heap: only failed connections pay for it. */
    c->detail = malloc(LT_DETAIL_LEN);
    if (c->detail != NULL) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(c->detail, LT_DETAIL_LEN, fmt, ap);
        va_end(ap);
    }
    c->state = LT_ST_FAILED;
    int alert = lt_err_to_alert(err);
    /* RFC 5246 7.2.2: on a fatal error, send the alert, then close. */
    if (alert >= 0 && !c->eof && lt_conn_send_alert(c, LT_ALERT_LEVEL_FATAL, (uint8_t)alert) == LT_OK) {
        c->alert_sent = alert;
    }
    return err;
}

int lt_conn_error(const lt_conn *c, const char **detail)
{
    if (detail != NULL) {
        *detail = c->detail != NULL ? c->detail : (c->err != 0 ? "out of memory describing the error" : "");
    }
    return c->err;
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
        lt_trace(c, LT_EV_ALERT_RECV, lt_alert_name(desc), "RFC 5246 7.2", NULL, &f, 1);
        if (desc == LT_ALERT_CLOSE_NOTIFY) {
            /* RFC 5246 7.2.1: answer with our own close_notify. */
            c->close_received = 1;
            if (!c->close_sent && c->state == LT_ST_CONNECTED) {
                c->close_sent = 1;
                LT_GUARD(lt_conn_send_alert(c, LT_ALERT_LEVEL_WARNING, LT_ALERT_CLOSE_NOTIFY));
            }
            if (c->state != LT_ST_CONNECTED) {
                return lt_conn_fail(c, LT_ERR_PEER_ALERT, "peer closed (close_notify) during the handshake");
            }
            return LT_OK;
        }
        if (level == LT_ALERT_LEVEL_FATAL) {
            c->peer_alert = desc;
            lt_conn_fail(c, LT_ERR_PEER_ALERT, "peer sent fatal alert: %s", lt_alert_name(desc));
            return LT_ERR_PEER_ALERT;
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
    if (c->state != LT_ST_CONNECTED) {
        return lt_conn_fail(c, LT_ERR_UNEXPECTED_MESSAGE, "application data before the handshake finished (in %s)",
                            lt_state_name(c->state));
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
    LT_GUARD(lt_hs_on_record(c, type, p, n, &progress));
    return count_record(c, progress);
}

static int process_record(lt_conn *c)
{
    uint8_t type;
    uint8_t *pt;
    size_t n;
    int rc = lt_record_open(&c->rec, &type, &pt, &n);
    if (rc == LT_ERR_BAD_RECORD_MAC) {
        return lt_conn_fail(c, rc, "record %llu failed to verify/decrypt (bad_record_mac)",
                            (unsigned long long)c->rec.read_seq);
    }
    if (rc == LT_ERR_RECORD_OVERFLOW) {
        return lt_conn_fail(c, rc, "record %llu: plaintext longer than 2^14 bytes",
                            (unsigned long long)c->rec.read_seq);
    }
    if (rc != LT_OK) {
        return lt_conn_fail(c, rc, "record %llu could not be opened: %s", (unsigned long long)c->rec.read_seq,
                            lt_result_string(rc));
    }
    if (c->alert_len != 0 && type != LT_CT_ALERT) {
        return lt_conn_fail(c, LT_ERR_DECODE, "half an alert, then a %s record", lt_content_type_name(type));
    }
    switch (type) {
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
    case LT_ERR_RECORD_OVERFLOW: return "record header: length over the limit (2^14 + 2048, or 2^14 in plaintext)";
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
    return c->err == 0 && c->app_len == 0 && !c->close_received && !output_blocks_input(c);
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

void lt_conn_release_msg(lt_conn *c)
{
    if (c->msg != NULL && c->msg_len == 0) {
        lt_wipe(c->msg, c->msg_cap);
        free(c->msg);
        c->msg = NULL;
        c->msg_cap = 0;
    }
}

void lt_conn_release_buffers(lt_conn *c)
{
    if (c->app_len == 0) {
        lt_record_release_buffers(&c->rec);
    }
    lt_conn_release_msg(c);
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
    if (c->err != 0) {
        return c->err;
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
    if (c->err != 0) {
        return c->err;
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
    *len = lt_record_pending(&c->rec);
    /* No output buffer yet: NULL, not NULL + 0 (undefined behaviour). */
    return c->rec.out != NULL ? c->rec.out + c->rec.out_off : NULL;
}

void lt_conn_out_consume(lt_conn *c, size_t n)
{
    size_t pending = lt_record_pending(&c->rec);
    c->rec.out_off += n < pending ? n : pending;
}

/* ---- handshake, data, close ---- */

static int fail_truncated(lt_conn *c)
{
    if (c->state == LT_ST_CONNECTED) {
        return lt_conn_fail(c, LT_ERR_TRUNCATED,
                            "the peer closed the connection without close_notify (data may be truncated)");
    }
    return lt_conn_fail(c, LT_ERR_TRUNCATED, "the peer closed the connection during the handshake (in %s)",
                        lt_state_name(c->state));
}

int lt_conn_handshake(lt_conn *c)
{
    if (c->err != 0) {
        return c->err;
    }
    if (c->state == LT_ST_CONNECTED) {
        return LT_OK;
    }
    if (c->state == LT_ST_CLIENT_START) {
        if (c->hostname[0] == '\0' && c->cfg->hostname_check) {
            return lt_conn_fail(c, LT_ERR_USAGE,
                                "no hostname to verify: call lt_conn_set_hostname() (or, for tests only, "
                                "lt_config_dangerous_disable_hostname_check())");
        }
        LT_GUARD(lt_hs_start(c));
        return LT_WANT_INPUT;
    }
    if (c->eof) {
        return fail_truncated(c);
    }
    return output_blocks_input(c) ? LT_WANT_OUTPUT : LT_WANT_INPUT;
}

int lt_conn_write(lt_conn *c, const void *buf, size_t len, size_t *written)
{
    *written = 0;
    if (c->err != 0) {
        return c->err;
    }
    LT_ENSURE(c->state == LT_ST_CONNECTED && !c->close_sent, LT_ERR_USAGE);
    if (len == 0) {
        return LT_OK;
    }
    size_t n = lt_record_write_room(&c->rec);
    if (n == 0) {
        return LT_WANT_OUTPUT;
    }
    if (n > len) {
        n = len;
    }
    int rc = lt_record_write(&c->rec, LT_CT_APPLICATION_DATA, buf, n);
    if (rc != LT_OK) {
        return lt_conn_fail(c, rc, "could not protect application data");
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
    if (c->err != 0) {
        return c->err;
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
    if (c->close_sent || c->err != 0) {
        return LT_OK;
    }
    c->close_sent = 1;
    return lt_conn_send_alert(c, LT_ALERT_LEVEL_WARNING, LT_ALERT_CLOSE_NOTIFY);
}

/* ---- accessors ---- */

int lt_conn_is_established(const lt_conn *c)
{
    return c->state == LT_ST_CONNECTED;
}
uint16_t lt_conn_version(const lt_conn *c)
{
    return c->version;
}
uint16_t lt_conn_cipher_suite(const lt_conn *c)
{
    return c->suite != NULL ? c->suite->id : 0;
}
int lt_conn_used_ems(const lt_conn *c)
{
    return c->ems;
}
int lt_conn_secure_renegotiation(const lt_conn *c)
{
    return c->secure_reneg;
}

const char *lt_conn_server_name(const lt_conn *c)
{
    if (c->role == LT_ROLE_CLIENT && c->hostname_is_ip) {
        return NULL;
    }
    return c->hostname[0] != '\0' ? c->hostname : NULL;
}

/* ---- trace of records ---- */

static void record_observer(void *arg, int protect, uint8_t type, uint64_t seq, size_t pt_len, size_t record_len)
{
    const lt_conn *c = arg;
    char seq_s[24], pt_s[24], rec_s[24], prot[96];
    snprintf(seq_s, sizeof seq_s, "%llu", (unsigned long long)seq);
    snprintf(pt_s, sizeof pt_s, "%zu", pt_len);
    snprintf(rec_s, sizeof rec_s, "%zu", record_len);
    int keyed = protect ? c->rec.write_rc != NULL : c->rec.read_rc != NULL;
    if (!keyed || c->suite == NULL) {
        snprintf(prot, sizeof prot, "none (no keys yet)");
    } else if (c->suite->mac == LT_MAC_NONE) {
        snprintf(prot, sizeof prot, "%s (AEAD)", c->suite->cipher_text);
    } else {
        snprintf(prot, sizeof prot, "%s + %s (MAC-then-encrypt)", c->suite->cipher_text, c->suite->mac_text);
    }
    lt_field f[4] = {lt_fld_text("seq", seq_s), lt_fld_text("plaintext_length", pt_s),
                     lt_fld_text("record_length", rec_s), lt_fld_text("protection", prot)};
    lt_trace(c, protect ? LT_EV_RECORD_PROTECT : LT_EV_RECORD_UNPROTECT, lt_content_type_name(type), "RFC 5246 6.2",
             NULL, f, 4);
}
