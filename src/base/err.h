/*
 * One error model: lt_result codes (public header) for every failure, the
 * GUARD/ENSURE macros that propagate them, and one error-to-alert table
 * (err.c).
 */
#ifndef LT_BASE_ERR_H
#define LT_BASE_ERR_H

#include <stdint.h>

#include "lucidtls/lucidtls.h"

#define LT_MUST_USE __attribute__((warn_unused_result))

/* Propagate a failure: the happy path stays linear. */
#define LT_GUARD(expr)                                                                                                 \
    do {                                                                                                               \
        int lt_guard_rc_ = (expr);                                                                                     \
        if (lt_guard_rc_ < 0) {                                                                                        \
            return lt_guard_rc_;                                                                                       \
        }                                                                                                              \
    } while (0)

#define LT_ENSURE(cond, code)                                                                                          \
    do {                                                                                                               \
        if (!(cond)) {                                                                                                 \
            return (code);                                                                                             \
        }                                                                                                              \
    } while (0)

/* TLS alert descriptions (RFC 5246 7.2, RFC 8446 6); the ones an
 * application hook may choose are macros in the public header. */
enum {
    LT_ALERT_CLOSE_NOTIFY = 0,
    LT_ALERT_UNEXPECTED_MESSAGE = 10,
    LT_ALERT_BAD_RECORD_MAC = 20,
    LT_ALERT_RECORD_OVERFLOW = 22,
    LT_ALERT_ILLEGAL_PARAMETER = 47,
    LT_ALERT_DECODE_ERROR = 50,
    LT_ALERT_DECRYPT_ERROR = 51,
    LT_ALERT_PROTOCOL_VERSION = 70,
    LT_ALERT_INSUFFICIENT_SECURITY = 71,
    LT_ALERT_INTERNAL_ERROR = 80,
    LT_ALERT_INAPPROPRIATE_FALLBACK = 86,
    LT_ALERT_MISSING_EXTENSION = 109,    /* RFC 8446 6.2 */
    LT_ALERT_CERTIFICATE_REQUIRED = 116, /* RFC 8446 6.2 */
    LT_ALERT_USER_CANCELED = 90,
    LT_ALERT_NO_RENEGOTIATION = 100,
    LT_ALERT_UNSUPPORTED_EXTENSION = 110
};

#define LT_ALERT_LEVEL_WARNING 1
#define LT_ALERT_LEVEL_FATAL 2

/* The fatal alert to send for an error, or -1 when none should be sent (the
 * error came from the peer's alert, or from the transport). */
int lt_err_to_alert(int err);
/* The error to report when the peer sent this fatal alert: always
 * LT_ERR_PEER_ALERT; kept as a function so the table stays in one place. */
int lt_alert_to_err(uint8_t desc);

/*
 * A sticky error: the first failure, with its one-line detail, wins; a later
 * failure (say, a caller's generic "handling X failed") never overwrites it.
 * Every layer that finds a problem fails into the connection's one lt_error;
 * conn then sends the alert the table names.
 */
#define LT_DETAIL_LEN 512
typedef struct lt_error {
    int code;     /* 0 until something fails */
    char *detail; /* LT_DETAIL_LEN bytes, allocated on the first failure (only failed connections pay) */
    int alert;    /* LT_ERR_REJECTED: the alert the hook chose (1..255); 0: the table's */
} lt_error;
/* The fatal alert to send for the recorded error: a hook's own choice for
 * LT_ERR_REJECTED, else the table's (-1: none). */
int lt_error_alert(const lt_error *e);

/* Record err with a printf-style detail unless an error is already there;
 * returns the error that is now recorded (the first one). */
int lt_error_set(lt_error *e, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* The detail, "" when none. */
const char *lt_error_detail(const lt_error *e);
void lt_error_clear(lt_error *e);

#endif
