/*
 * Exhaustive check of the proactive state machine: in every state, for both
 * roles, every handshake message type and ChangeCipherSpec that the table
 * does not list is refused with unexpected_message before any parsing.
 */
#include <string.h>

#include "conn/conn.h"
#include "hs/hs_int.h"
#include "test.h"

/* The (state, role, type) rows of src/hs/machine.c, restated here so that a
 * change to the table must be made twice, on purpose. */
typedef struct {
    lt_hs_state st;
    lt_role role;
    int type; /* handshake type, or -1 for ChangeCipherSpec */
} row;

/* TLS 1.2. */
static const row ROWS[] = {
    {LT_ST_CLIENT_WAIT_SERVER_HELLO, LT_ROLE_CLIENT, LT_HS_SERVER_HELLO},
    {LT_ST_CLIENT_WAIT_CERTIFICATE, LT_ROLE_CLIENT, LT_HS_CERTIFICATE},
    {LT_ST_CLIENT_WAIT_SERVER_HELLO_DONE, LT_ROLE_CLIENT, LT_HS_CERTIFICATE_REQUEST},
    {LT_ST_CLIENT_WAIT_SERVER_HELLO_DONE, LT_ROLE_CLIENT, LT_HS_SERVER_HELLO_DONE},
    {LT_ST_CLIENT_WAIT_CCS, LT_ROLE_CLIENT, -1},
    {LT_ST_CLIENT_WAIT_FINISHED, LT_ROLE_CLIENT, LT_HS_FINISHED},
    {LT_ST_SERVER_WAIT_CLIENT_HELLO, LT_ROLE_SERVER, LT_HS_CLIENT_HELLO},
    {LT_ST_SERVER_WAIT_CLIENT_KEY_EXCHANGE, LT_ROLE_SERVER, LT_HS_CLIENT_KEY_EXCHANGE},
    {LT_ST_SERVER_WAIT_CCS, LT_ROLE_SERVER, -1},
    {LT_ST_SERVER_WAIT_FINISHED, LT_ROLE_SERVER, LT_HS_FINISHED},
    {LT_ST_CONNECTED, LT_ROLE_CLIENT, LT_HS_HELLO_REQUEST},
    {LT_ST_CONNECTED, LT_ROLE_SERVER, LT_HS_CLIENT_HELLO},
};

/* TLS 1.3 (RFC 8446 A.1, A.2). ChangeCipherSpec is not in the table: the
 * middlebox one is dropped in any state before Finished (D.4), refused
 * after it (test_tls13_ccs_window). */
static const row ROWS13[] = {
    {LT_ST_CLIENT_WAIT_SERVER_HELLO, LT_ROLE_CLIENT, LT_HS_SERVER_HELLO},
    {LT_ST_CLIENT_WAIT_ENCRYPTED_EXTENSIONS, LT_ROLE_CLIENT, LT_HS_ENCRYPTED_EXTENSIONS},
    {LT_ST_CLIENT_WAIT_CERT_CR, LT_ROLE_CLIENT, LT_HS_CERTIFICATE_REQUEST},
    {LT_ST_CLIENT_WAIT_CERT_CR, LT_ROLE_CLIENT, LT_HS_CERTIFICATE},
    {LT_ST_CLIENT_WAIT_CERTIFICATE_VERIFY, LT_ROLE_CLIENT, LT_HS_CERTIFICATE_VERIFY},
    {LT_ST_CLIENT_WAIT_FINISHED, LT_ROLE_CLIENT, LT_HS_FINISHED},
    {LT_ST_SERVER_WAIT_CLIENT_HELLO, LT_ROLE_SERVER, LT_HS_CLIENT_HELLO},
    {LT_ST_SERVER_WAIT_FINISHED, LT_ROLE_SERVER, LT_HS_FINISHED},
    {LT_ST_CONNECTED, LT_ROLE_CLIENT, LT_HS_NEW_SESSION_TICKET},
    {LT_ST_CONNECTED, LT_ROLE_CLIENT, LT_HS_KEY_UPDATE},
    {LT_ST_CONNECTED, LT_ROLE_SERVER, LT_HS_KEY_UPDATE},
};

static int listed_in(const row *rows, size_t n, lt_hs_state st, lt_role role, int type)
{
    for (size_t i = 0; i < n; i++) {
        if (rows[i].st == st && rows[i].role == role && rows[i].type == type) {
            return 1;
        }
    }
    return 0;
}

static int listed(lt_hs_state st, lt_role role, int type)
{
    return listed_in(ROWS, sizeof ROWS / sizeof ROWS[0], st, role, type);
}

static int listed13(lt_hs_state st, lt_role role, int type)
{
    if (type == -1) {
        return st != LT_ST_CONNECTED;
    }
    return listed_in(ROWS13, sizeof ROWS13 / sizeof ROWS13[0], st, role, type);
}

static const int TYPES[] = {-1, 0, 1, 2, 4, 11, 12, 13, 14, 15, 16, 20, 3, 8, 24, 254, 255};

static void check_version(lt_config *cfg, lt_hs_state st, int type, uint16_t version)
{
    lt_conn *c = lt_conn_new(cfg);
    lt_hs_test_set_state(c->hs, st);
    if (version != 0) {
        lt_hs_test_set_version(c->hs, version);
    }
    uint8_t rec[16];
    size_t len;
    if (type < 0) {
        const uint8_t ccs[] = {20, 3, 3, 0, 1, 1};
        memcpy(rec, ccs, sizeof ccs);
        len = sizeof ccs;
    } else {
        /* A handshake message with a 4-byte body of zeros. */
        const uint8_t hs[] = {22, 3, 3, 0, 8, (uint8_t)type, 0, 0, 4, 0, 0, 0, 0};
        memcpy(rec, hs, sizeof hs);
        len = sizeof hs;
    }
    size_t used;
    int rc = lt_conn_feed(c, rec, len, &used);
    EXPECT_EQ(rc, LT_ERR_UNEXPECTED_MESSAGE);
    EXPECT_EQ(lt_conn_alert_sent(c), 10);
    if (rc != LT_ERR_UNEXPECTED_MESSAGE) {
        fprintf(stderr, "    state %s role %d type %d version %04x\n", lt_state_name(st), cfg->role, type, version);
    }
    lt_conn_free(c);
}

static void check(lt_config *cfg, lt_hs_state st, int type)
{
    check_version(cfg, st, type, 0);
}

static void test_everything_outside_the_tls13_table_is_unexpected(void)
{
    for (int role = 0; role <= 1; role++) {
        lt_config *cfg = lt_config_new((lt_role)role);
        for (int st = 0; st <= LT_ST_CONNECTED; st++) {
            if (st == LT_ST_CLIENT_START) {
                continue;
            }
            for (size_t t = 0; t < sizeof TYPES / sizeof TYPES[0]; t++) {
                if (!listed13((lt_hs_state)st, (lt_role)role, TYPES[t])) {
                    check_version(cfg, (lt_hs_state)st, TYPES[t], LT_TLS1_3);
                }
            }
        }
        lt_config_free(cfg);
    }
}

/* RFC 8446 5, D.4: one middlebox ChangeCipherSpec is dropped before the
 * peer's Finished; a second, one after Finished, or one that is not the
 * single byte 1 is unexpected_message. */
static void test_tls13_ccs_window(void)
{
    const uint8_t ccs[] = {20, 3, 3, 0, 1, 1};
    const uint8_t bad[] = {20, 3, 3, 0, 1, 2};
    for (int role = 0; role <= 1; role++) {
        lt_config *cfg = lt_config_new((lt_role)role);
        lt_hs_state st = role == LT_ROLE_CLIENT ? LT_ST_CLIENT_WAIT_ENCRYPTED_EXTENSIONS : LT_ST_SERVER_WAIT_FINISHED;
        lt_conn *c = lt_conn_new(cfg);
        lt_hs_test_set_state(c->hs, st);
        lt_hs_test_set_version(c->hs, LT_TLS1_3);
        size_t used;
        EXPECT_EQ(lt_conn_feed(c, ccs, sizeof ccs, &used), LT_OK);
        EXPECT_EQ(lt_hs_test_state(c->hs), st);
        EXPECT_EQ(lt_conn_feed(c, ccs, sizeof ccs, &used), LT_ERR_UNEXPECTED_MESSAGE);
        const char *detail;
        lt_conn_error(c, &detail);
        EXPECT(strstr(detail, "a second ChangeCipherSpec") != NULL);
        lt_conn_free(c);

        c = lt_conn_new(cfg);
        lt_hs_test_set_state(c->hs, st);
        lt_hs_test_set_version(c->hs, LT_TLS1_3);
        EXPECT_EQ(lt_conn_feed(c, bad, sizeof bad, &used), LT_ERR_UNEXPECTED_MESSAGE);
        EXPECT_EQ(lt_conn_alert_sent(c), 10);
        lt_conn_free(c);
        lt_config_free(cfg);
    }
}

static void test_everything_outside_the_table_is_unexpected(void)
{
    for (int role = 0; role <= 1; role++) {
        lt_config *cfg = lt_config_new((lt_role)role);
        for (int st = 0; st <= LT_ST_CONNECTED; st++) {
            for (size_t t = 0; t < sizeof TYPES / sizeof TYPES[0]; t++) {
                int type = TYPES[t];
                if (listed((lt_hs_state)st, (lt_role)role, type)) {
                    continue;
                }
                /* RFC 5246 7.4.1.1: a client ignores HelloRequest mid-handshake
                 * (it is refused when the body is not empty: the next test). */
                if (role == LT_ROLE_CLIENT && type == LT_HS_HELLO_REQUEST) {
                    continue;
                }
                check(cfg, (lt_hs_state)st, type);
            }
        }
        lt_config_free(cfg);
    }
}

static void test_client_ignores_hello_request_mid_handshake(void)
{
    lt_config *cfg = lt_config_new(LT_ROLE_CLIENT);
    lt_conn *c = lt_conn_new(cfg);
    lt_hs_test_set_state(c->hs, LT_ST_CLIENT_WAIT_CERTIFICATE);
    const uint8_t hr[] = {22, 3, 3, 0, 4, 0, 0, 0, 0};
    size_t used;
    EXPECT_EQ(lt_conn_feed(c, hr, sizeof hr, &used), LT_OK);
    EXPECT_EQ(lt_hs_test_state(c->hs), LT_ST_CLIENT_WAIT_CERTIFICATE);
    lt_conn_free(c);
    lt_config_free(cfg);
}

/* HelloRequest is "struct { }": one with a body is malformed in every state
 * where it would otherwise be ignored (decode_error). */
static void test_hello_request_with_body_is_decode_error(void)
{
    lt_config *cfg = lt_config_new(LT_ROLE_CLIENT);
    for (int st = LT_ST_CLIENT_WAIT_SERVER_HELLO; st < LT_ST_CONNECTED; st++) {
        if (listed((lt_hs_state)st, LT_ROLE_CLIENT, LT_HS_HELLO_REQUEST) || st >= LT_ST_SERVER_WAIT_CLIENT_HELLO) {
            continue;
        }
        lt_conn *c = lt_conn_new(cfg);
        lt_hs_test_set_state(c->hs, (lt_hs_state)st);
        const uint8_t hr[] = {22, 3, 3, 0, 5, 0, 0, 0, 1, 0};
        size_t used;
        EXPECT_EQ(lt_conn_feed(c, hr, sizeof hr, &used), LT_ERR_DECODE);
        EXPECT_EQ(lt_conn_alert_sent(c), 50);
        const char *detail;
        lt_conn_error(c, &detail);
        EXPECT(strstr(detail, "HelloRequest with a 1-byte body") != NULL);
        lt_conn_free(c);
    }
    lt_config_free(cfg);
}

/* The handshake's shape gates rows: once the server has asked for a client
 * certificate (LT_SHAPE_CLIENT_AUTH), a second CertificateRequest has no row
 * (RFC 5246 7.3: at most one per handshake). */
static void test_second_certificate_request_is_unexpected(void)
{
    lt_config *cfg = lt_config_new(LT_ROLE_CLIENT);
    lt_conn *c = lt_conn_new(cfg);
    lt_hs_test_set_state(c->hs, LT_ST_CLIENT_WAIT_SERVER_HELLO_DONE);
    c->hs->shape |= LT_SHAPE_CLIENT_AUTH;
    /* certificate_types<1> = {1}, sigalgs<2> = {0x0401}, authorities<0> */
    const uint8_t cr[] = {22, 3, 3, 0, 12, 13, 0, 0, 8, 1, 1, 0, 2, 4, 1, 0, 0};
    size_t used;
    EXPECT_EQ(lt_conn_feed(c, cr, sizeof cr, &used), LT_ERR_UNEXPECTED_MESSAGE);
    const char *detail;
    lt_conn_error(c, &detail);
    EXPECT(strstr(detail, "got CertificateRequest") != NULL);
    lt_conn_free(c);
    lt_config_free(cfg);
}

/* A Finished must end its record (RFC 8446 5.1's rule at key changes, kept
 * for TLS 1.2's Finished): anything behind it is refused before parsing. */
static void test_finished_must_end_its_record(void)
{
    for (int role = 0; role <= 1; role++) {
        lt_config *cfg = lt_config_new((lt_role)role);
        lt_conn *c = lt_conn_new(cfg);
        lt_hs_test_set_state(c->hs, role == LT_ROLE_CLIENT ? LT_ST_CLIENT_WAIT_FINISHED : LT_ST_SERVER_WAIT_FINISHED);
        /* Finished (12 bytes of verify_data), then a HelloRequest. */
        uint8_t rec[5 + 16 + 4] = {22, 3, 3, 0, 20, 20, 0, 0, 12};
        size_t used;
        EXPECT_EQ(lt_conn_feed(c, rec, sizeof rec, &used), LT_ERR_UNEXPECTED_MESSAGE);
        const char *detail;
        lt_conn_error(c, &detail);
        EXPECT(strstr(detail, "Finished is followed by more data in its record") != NULL);
        lt_conn_free(c);
        lt_config_free(cfg);
    }
}

static void test_empty_handshake_record_is_decode_error(void)
{
    lt_config *cfg = lt_config_new(LT_ROLE_SERVER);
    lt_conn *c = lt_conn_new(cfg);
    const uint8_t empty[] = {22, 3, 1, 0, 0};
    size_t used;
    EXPECT_EQ(lt_conn_feed(c, empty, sizeof empty, &used), LT_ERR_DECODE);
    EXPECT_EQ(lt_conn_alert_sent(c), 50);
    lt_conn_free(c);
    lt_config_free(cfg);
}

static void test_oversized_handshake_message_refused(void)
{
    lt_config *cfg = lt_config_new(LT_ROLE_SERVER);
    lt_conn *c = lt_conn_new(cfg);
    /* A ClientHello header claiming 16 MiB. */
    const uint8_t big[] = {22, 3, 1, 0, 4, 1, 0xff, 0xff, 0xff};
    size_t used;
    EXPECT_EQ(lt_conn_feed(c, big, sizeof big, &used), LT_ERR_ILLEGAL_PARAMETER);
    lt_conn_free(c);
    lt_config_free(cfg);
}

static void test_sticky_error(void)
{
    lt_config *cfg = lt_config_new(LT_ROLE_SERVER);
    lt_conn *c = lt_conn_new(cfg);
    const uint8_t junk[] = {'G', 'E', 'T', ' ', '/', ' ', 'H'};
    size_t used;
    EXPECT_EQ(lt_conn_feed(c, junk, sizeof junk, &used), LT_ERR_UNEXPECTED_MESSAGE);
    EXPECT_EQ(lt_conn_handshake(c), LT_ERR_UNEXPECTED_MESSAGE);
    EXPECT_EQ(lt_conn_feed(c, junk, sizeof junk, &used), LT_ERR_UNEXPECTED_MESSAGE);
    const char *detail;
    lt_conn_error(c, &detail);
    EXPECT(strstr(detail, "content type") != NULL);
    lt_conn_free(c);
    lt_config_free(cfg);
}

int main(void)
{
    LT_RUN(test_everything_outside_the_table_is_unexpected);
    LT_RUN(test_everything_outside_the_tls13_table_is_unexpected);
    LT_RUN(test_tls13_ccs_window);
    LT_RUN(test_client_ignores_hello_request_mid_handshake);
    LT_RUN(test_hello_request_with_body_is_decode_error);
    LT_RUN(test_second_certificate_request_is_unexpected);
    LT_RUN(test_finished_must_end_its_record);
    LT_RUN(test_empty_handshake_record_is_decode_error);
    LT_RUN(test_oversized_handshake_message_refused);
    LT_RUN(test_sticky_error);
    return lt_test_summary();
}
