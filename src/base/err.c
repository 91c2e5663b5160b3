/* The one error-to-alert table, and names for results and alerts. */
#include "base/err.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct {
    int err;
    const char *name;
    const char *text; /* in words, for people */
    int alert;        /* -1: send none */
} err_row;

static const err_row ERR_TABLE[] = {
    {LT_OK, "LT_OK", "success", -1},
    {LT_WANT_INPUT, "LT_WANT_INPUT", "waiting for bytes from the peer", -1},
    {LT_WANT_OUTPUT, "LT_WANT_OUTPUT", "waiting for queued output to be sent", -1},
    {LT_CLOSED, "LT_CLOSED", "the peer closed the connection (close_notify)", -1},
    {LT_ERR_DECODE, "LT_ERR_DECODE", "malformed message", LT_ALERT_DECODE_ERROR},
    {LT_ERR_UNEXPECTED_MESSAGE, "LT_ERR_UNEXPECTED_MESSAGE", "unexpected message", LT_ALERT_UNEXPECTED_MESSAGE},
    {LT_ERR_BAD_RECORD_MAC, "LT_ERR_BAD_RECORD_MAC", "bad record MAC", LT_ALERT_BAD_RECORD_MAC},
    {LT_ERR_RECORD_OVERFLOW, "LT_ERR_RECORD_OVERFLOW", "record overflow", LT_ALERT_RECORD_OVERFLOW},
    {LT_ERR_HANDSHAKE_FAILURE, "LT_ERR_HANDSHAKE_FAILURE", "handshake failure", LT_ALERT_HANDSHAKE_FAILURE},
    {LT_ERR_ILLEGAL_PARAMETER, "LT_ERR_ILLEGAL_PARAMETER", "illegal parameter", LT_ALERT_ILLEGAL_PARAMETER},
    {LT_ERR_PROTOCOL_VERSION, "LT_ERR_PROTOCOL_VERSION", "unsupported protocol version", LT_ALERT_PROTOCOL_VERSION},
    {LT_ERR_DECRYPT_ERROR, "LT_ERR_DECRYPT_ERROR", "decrypt error", LT_ALERT_DECRYPT_ERROR},
    {LT_ERR_UNSUPPORTED_EXTENSION, "LT_ERR_UNSUPPORTED_EXTENSION", "unsupported extension",
     LT_ALERT_UNSUPPORTED_EXTENSION},
    {LT_ERR_BAD_CERTIFICATE, "LT_ERR_BAD_CERTIFICATE", "bad certificate", LT_ALERT_BAD_CERTIFICATE},
    {LT_ERR_UNSUPPORTED_CERTIFICATE, "LT_ERR_UNSUPPORTED_CERTIFICATE", "unsupported certificate",
     LT_ALERT_UNSUPPORTED_CERTIFICATE},
    {LT_ERR_CERTIFICATE_EXPIRED, "LT_ERR_CERTIFICATE_EXPIRED", "certificate expired or not yet valid",
     LT_ALERT_CERTIFICATE_EXPIRED},
    {LT_ERR_UNKNOWN_CA, "LT_ERR_UNKNOWN_CA", "unknown CA", LT_ALERT_UNKNOWN_CA},
    /* RFC 6125 does not name an alert; bad_certificate is what OpenSSL and
     * s2n send for a name mismatch. */
    {LT_ERR_HOSTNAME_MISMATCH, "LT_ERR_HOSTNAME_MISMATCH", "hostname mismatch", LT_ALERT_BAD_CERTIFICATE},
    {LT_ERR_INSUFFICIENT_SECURITY, "LT_ERR_INSUFFICIENT_SECURITY", "insufficient security",
     LT_ALERT_INSUFFICIENT_SECURITY},
    {LT_ERR_INAPPROPRIATE_FALLBACK, "LT_ERR_INAPPROPRIATE_FALLBACK", "inappropriate fallback (a downgrade attempt)",
     LT_ALERT_INAPPROPRIATE_FALLBACK},
    {LT_ERR_MISSING_EXTENSION, "LT_ERR_MISSING_EXTENSION", "missing extension", LT_ALERT_MISSING_EXTENSION},
    {LT_ERR_CERTIFICATE_REQUIRED, "LT_ERR_CERTIFICATE_REQUIRED", "certificate required", LT_ALERT_CERTIFICATE_REQUIRED},
    {LT_ERR_NO_APPLICATION_PROTOCOL, "LT_ERR_NO_APPLICATION_PROTOCOL", "no application protocol in common",
     LT_ALERT_NO_APPLICATION_PROTOCOL},
    /* The hook's own alert is sent instead (lt_error.alert); this one only
     * when it chose none. */
    {LT_ERR_REJECTED, "LT_ERR_REJECTED", "rejected by an application hook", LT_ALERT_HANDSHAKE_FAILURE},
    {LT_ERR_PEER_ALERT, "LT_ERR_PEER_ALERT", "the peer sent a fatal alert", -1},
    {LT_ERR_TRUNCATED, "LT_ERR_TRUNCATED", "the connection ended without close_notify (truncated)", -1},
    {LT_ERR_INTERNAL, "LT_ERR_INTERNAL", "internal error", LT_ALERT_INTERNAL_ERROR},
    {LT_ERR_NOMEM, "LT_ERR_NOMEM", "out of memory", LT_ALERT_INTERNAL_ERROR},
    {LT_ERR_CRYPTO, "LT_ERR_CRYPTO", "crypto library failure", LT_ALERT_INTERNAL_ERROR},
    {LT_ERR_USAGE, "LT_ERR_USAGE", "API misuse", -1},
    {LT_ERR_IO, "LT_ERR_IO", "socket error", -1},
    {LT_ERR_CONFIG, "LT_ERR_CONFIG", "bad configuration", LT_ALERT_INTERNAL_ERROR},
    {LT_ERR_TIMEOUT, "LT_ERR_TIMEOUT", "timed out", -1},
    {LT_ERR_FROZEN, "LT_ERR_FROZEN", "the config is frozen: a connection uses it", -1},
};

static const err_row *find_err(int err)
{
    for (size_t i = 0; i < sizeof ERR_TABLE / sizeof ERR_TABLE[0]; i++) {
        if (ERR_TABLE[i].err == err) {
            return &ERR_TABLE[i];
        }
    }
    return NULL;
}

const char *lt_result_name(int result)
{
    const err_row *row = find_err(result);
    return row != NULL ? row->name : "LT_ERR_UNKNOWN";
}

const char *lt_result_string(int result)
{
    const err_row *row = find_err(result);
    return row != NULL ? row->text : "unknown result";
}

int lt_err_to_alert(int err)
{
    const err_row *row = find_err(err);
    return row != NULL ? row->alert : LT_ALERT_INTERNAL_ERROR;
}

int lt_alert_to_err(uint8_t desc)
{
    (void)desc;
    return LT_ERR_PEER_ALERT;
}

const char *lt_alert_name(uint8_t d)
{
    switch (d) {
    case 0: return "close_notify";
    case 10: return "unexpected_message";
    case 20: return "bad_record_mac";
    case 21: return "decryption_failed";
    case 22: return "record_overflow";
    case 30: return "decompression_failure";
    case 40: return "handshake_failure";
    case 41: return "no_certificate";
    case 42: return "bad_certificate";
    case 43: return "unsupported_certificate";
    case 44: return "certificate_revoked";
    case 45: return "certificate_expired";
    case 46: return "certificate_unknown";
    case 47: return "illegal_parameter";
    case 48: return "unknown_ca";
    case 49: return "access_denied";
    case 50: return "decode_error";
    case 51: return "decrypt_error";
    case 60: return "export_restriction";
    case 70: return "protocol_version";
    case 71: return "insufficient_security";
    case 80: return "internal_error";
    case 86: return "inappropriate_fallback";
    case 90: return "user_canceled";
    case 100: return "no_renegotiation";
    case 109: return "missing_extension";
    case 110: return "unsupported_extension";
    case 112: return "unrecognized_name";
    case 116: return "certificate_required";
    case 120: return "no_application_protocol";
    default: return "unknown_alert";
    }
}

int lt_error_set(lt_error *e, int err, const char *fmt, ...)
{
    if (e->code != 0) {
        return e->code;
    }
    e->code = err;
    e->detail = malloc(LT_DETAIL_LEN);
    if (e->detail != NULL) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(e->detail, LT_DETAIL_LEN, fmt, ap);
        va_end(ap);
    }
    return err;
}

const char *lt_error_detail(const lt_error *e)
{
    if (e->detail != NULL) {
        return e->detail;
    }
    return e->code != 0 ? "out of memory describing the error" : "";
}

void lt_error_clear(lt_error *e)
{
    free(e->detail);
    e->detail = NULL;
    e->code = 0;
    e->alert = 0;
}

int lt_error_alert(const lt_error *e)
{
    if (e->code == LT_ERR_REJECTED && e->alert > 0 && e->alert <= 255) {
        return e->alert;
    }
    return lt_err_to_alert(e->code);
}
