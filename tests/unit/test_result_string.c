/*
 * lt_result_name and lt_result_string cover every result in the public enum
 * (include/lucidtls/lucidtls.h), and the error-to-alert table maps each peer
 * error to an alert.
 */
#include <string.h>

#include "base/err.h"
#include "test.h"

static const int RESULTS[] = {
    LT_OK,
    LT_WANT_INPUT,
    LT_WANT_OUTPUT,
    LT_CLOSED,
    LT_ERR_DECODE,
    LT_ERR_UNEXPECTED_MESSAGE,
    LT_ERR_BAD_RECORD_MAC,
    LT_ERR_RECORD_OVERFLOW,
    LT_ERR_HANDSHAKE_FAILURE,
    LT_ERR_ILLEGAL_PARAMETER,
    LT_ERR_PROTOCOL_VERSION,
    LT_ERR_DECRYPT_ERROR,
    LT_ERR_UNSUPPORTED_EXTENSION,
    LT_ERR_BAD_CERTIFICATE,
    LT_ERR_UNSUPPORTED_CERTIFICATE,
    LT_ERR_CERTIFICATE_EXPIRED,
    LT_ERR_UNKNOWN_CA,
    LT_ERR_HOSTNAME_MISMATCH,
    LT_ERR_INSUFFICIENT_SECURITY,
    LT_ERR_PEER_ALERT,
    LT_ERR_TRUNCATED,
    LT_ERR_INTERNAL,
    LT_ERR_NOMEM,
    LT_ERR_CRYPTO,
    LT_ERR_USAGE,
    LT_ERR_IO,
    LT_ERR_CONFIG,
    LT_ERR_TIMEOUT,
};

static void test_every_result_has_a_name_and_words(void)
{
    for (size_t i = 0; i < sizeof RESULTS / sizeof RESULTS[0]; i++) {
        EXPECT(strcmp(lt_result_name(RESULTS[i]), "LT_ERR_UNKNOWN") != 0);
        EXPECT(strcmp(lt_result_string(RESULTS[i]), "unknown result") != 0);
        EXPECT(strncmp(lt_result_name(RESULTS[i]), "LT_", 3) == 0);
    }
    EXPECT(strcmp(lt_result_string(LT_ERR_UNKNOWN_CA), "unknown CA") == 0);
    EXPECT(strcmp(lt_result_string(-1000), "unknown result") == 0);
    EXPECT(strcmp(lt_result_name(-1000), "LT_ERR_UNKNOWN") == 0);
}

/* Errors the peer caused send an alert (RFC 5246 7.2.2: a fatal error is
 * announced); the application's own and the transport's send none. */
static void test_peer_errors_map_to_alerts(void)
{
    for (int e = LT_ERR_DECODE; e >= LT_ERR_INSUFFICIENT_SECURITY; e--) {
        EXPECT(lt_err_to_alert(e) >= 0);
    }
    EXPECT_EQ(lt_err_to_alert(LT_ERR_PEER_ALERT), -1);
    EXPECT_EQ(lt_err_to_alert(LT_ERR_TRUNCATED), -1);
    EXPECT_EQ(lt_err_to_alert(LT_ERR_USAGE), -1);
    EXPECT_EQ(lt_err_to_alert(LT_ERR_TIMEOUT), -1);
}

int main(void)
{
    LT_RUN(test_every_result_has_a_name_and_words);
    LT_RUN(test_peer_errors_map_to_alerts);
    return lt_test_summary();
}
