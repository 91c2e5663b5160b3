/*
 * The emitter: everything the handshake engine does to the world outside it
 * goes through these few functions (picotls's message emitter has the same
 * job). Messages and key changes go down to the record layer; failures go
 * into the connection's sticky error, where conn finds them and sends the
 * alert.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hs/hs_int.h"

int lt_hs_fail(lt_hs *hs, int err, const char *fmt, ...)
{
    lt_error *e = hs->env.err;
    if (e->code != 0) {
        return e->code;
    }
    char detail[LT_DETAIL_LEN];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    return lt_error_set(e, err, "%s", detail);
}

int lt_hs_reject(lt_hs *hs, int alert, const char *fmt, ...)
{
    lt_error *e = hs->env.err;
    if (e->code != 0) {
        return e->code;
    }
    char detail[LT_DETAIL_LEN];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    /* 1..255 is the hook's alert; anything else leaves the table's
     * (handshake_failure for LT_ERR_REJECTED). */
    e->alert = alert >= 1 && alert <= 255 ? alert : 0;
    return lt_error_set(e, LT_ERR_REJECTED, "%s", detail);
}

int lt_hs_scratch(lt_hs *hs, size_t need, lt_wr *w)
{
    lt_buf_reset(&hs->scratch);
    LT_GUARD(lt_buf_reserve(&hs->scratch, need));
    *w = lt_wr_init(hs->scratch.p, hs->scratch.cap);
    return LT_OK;
}

/* The RFC section of each message we send, for the narration. */
static const char *section_of13(uint8_t type)
{
    switch (type) {
    case LT_HS_CLIENT_HELLO: return "RFC 8446 4.1.2";
    case LT_HS_SERVER_HELLO: return "RFC 8446 4.1.3";
    case LT_HS_ENCRYPTED_EXTENSIONS: return "RFC 8446 4.3.1";
    case LT_HS_CERTIFICATE_REQUEST: return "RFC 8446 4.3.2";
    case LT_HS_CERTIFICATE: return "RFC 8446 4.4.2";
    case LT_HS_CERTIFICATE_VERIFY: return "RFC 8446 4.4.3";
    case LT_HS_FINISHED: return "RFC 8446 4.4.4";
    case LT_HS_NEW_SESSION_TICKET: return "RFC 8446 4.6.1";
    case LT_HS_KEY_UPDATE: return "RFC 8446 4.6.3";
    default: return NULL;
    }
}

static const char *section_of(const lt_hs *hs, uint8_t type)
{
    if (hs->session.version == LT_TLS1_3) {
        return section_of13(type);
    }
    int ecdhe = hs->session.suite != NULL && hs->session.suite->kx == LT_KX_ECDHE;
    switch (type) {
    case LT_HS_CLIENT_HELLO: return "RFC 5246 7.4.1.2";
    case LT_HS_SERVER_HELLO: return "RFC 5246 7.4.1.3";
    case LT_HS_CERTIFICATE: return "RFC 5246 7.4.2";
    case LT_HS_SERVER_KEY_EXCHANGE: return "RFC 8422 5.4";
    case LT_HS_SERVER_HELLO_DONE: return "RFC 5246 7.4.5";
    case LT_HS_CLIENT_KEY_EXCHANGE: return ecdhe ? "RFC 8422 5.7" : "RFC 5246 7.4.7.1";
    case LT_HS_FINISHED: return "RFC 5246 7.4.9";
    case LT_HS_NEW_SESSION_TICKET: return "RFC 5077 3.3";
    default: return NULL;
    }
}

/* A HelloRetryRequest is a ServerHello with a special random (RFC 8446
 * 4.1.3): named for what it is. */
static const char *message_name(const uint8_t *msg, size_t len)
{
    if (msg[0] == LT_HS_SERVER_HELLO && len >= 4 + 2 + LT_RANDOM_LEN &&
        memcmp(msg + 6, LT_HRR_RANDOM, LT_RANDOM_LEN) == 0) {
        return "HelloRetryRequest";
    }
    return lt_hs_type_name(msg[0]);
}

int lt_hs_send(lt_hs *hs, const uint8_t *msg, size_t len, const lt_field *fields, size_t n_fields)
{
    /* The trace names the message by its type (the narrator tells a
     * HelloRetryRequest by its random); the transcript's list of what it
     * covers names it for what it is. */
    const char *name = lt_hs_type_name(msg[0]);
    /* TLS 1.3's post-handshake messages (KeyUpdate, NewSessionTicket) are
     * not part of the transcript (RFC 8446 4.4.1: it ends with Finished);
     * TLS 1.2's NewSessionTicket comes before Finished and is (RFC 5077
     * 3.3). */
    int post_handshake =
        hs->session.version == LT_TLS1_3 && (msg[0] == LT_HS_NEW_SESSION_TICKET || msg[0] == LT_HS_KEY_UPDATE);
    if (hs->h12 != NULL && !post_handshake) {
        LT_GUARD(lt_transcript_add(&hs->h12->transcript, msg, len, message_name(msg, len)));
    }
    LT_GUARD(lt_record_write(hs->env.rec, LT_CT_HANDSHAKE, msg, len));
    LT_HS_TRACE(hs, LT_EV_MSG_SENT, name, section_of(hs, msg[0]), NULL, fields, n_fields);
    return LT_OK;
}

int lt_hs_send_ccs_record(lt_hs *hs)
{
    static const uint8_t ccs[1] = {1};
    return lt_record_write(hs->env.rec, LT_CT_CHANGE_CIPHER_SPEC, ccs, 1);
}

int lt_hs_send_warning(lt_hs *hs, uint8_t desc)
{
    uint8_t alert[2] = {LT_ALERT_LEVEL_WARNING, desc};
    LT_GUARD(lt_record_write(hs->env.rec, LT_CT_ALERT, alert, sizeof alert));
    lt_field f = lt_fld_text("level", "warning");
    LT_HS_TRACE(hs, LT_EV_ALERT_SENT, lt_alert_name(desc), "RFC 5246 7.2", NULL, &f, 1);
    return LT_OK;
}

void lt_hs_install_read_keys(lt_hs *hs, lt_rc *rc)
{
    lt_record_set_read_cipher(hs->env.rec, rc);
}

void lt_hs_install_write_keys(lt_hs *hs, lt_rc *rc)
{
    lt_record_set_write_cipher(hs->env.rec, rc);
}

void lt_hs_skip_early_data(lt_hs *hs)
{
    lt_record_skip_early_data(hs->env.rec);
}

void lt_hs_allow_plaintext_alert(lt_hs *hs)
{
    lt_record_allow_plaintext_alert(hs->env.rec);
}

void lt_hs_set_record_version(lt_hs *hs, uint16_t version)
{
    /* RFC 8446 5.1: TLS 1.3 records carry legacy_record_version 0x0303,
     * which "MUST be ignored for all purposes" by the receiver. */
    if (version == LT_TLS1_3) {
        lt_record_set_versions(hs->env.rec, LT_TLS1_2, 0);
        return;
    }
    lt_record_set_versions(hs->env.rec, version, version);
}
