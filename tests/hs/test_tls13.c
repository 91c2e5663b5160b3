/*
 * TLS 1.3 in memory, our client against our server: the shapes of the
 * handshake (full, HelloRetryRequest, resumed), the half-close of RFC 8446
 * 6.1, KeyUpdate by the key-usage limit (5.5) and the downgrade sentinel
 * (4.1.3). Interoperability with real peers is proven in tests/interop;
 * hostile inputs in tests/hs/test_tls13_negative.c and tests/hostile.
 */
#include <stdlib.h>
#include <string.h>

#include "conn/conn.h"
#include "hs/messages.h"
#include "pair.h"
#include "test.h"

static uint8_t *pattern(size_t n)
{
    uint8_t *p = malloc(n);
    for (size_t i = 0; i < n; i++) {
        p[i] = (uint8_t)(i * 29 + 3);
    }
    return p;
}

static void data_both_ways(lt_pair *p)
{
    size_t sizes[] = {1, 16384, 16385, 70000};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        uint8_t *d = pattern(sizes[i]);
        EXPECT_EQ(pair_transfer(p, 1, d, sizes[i]), LT_OK);
        EXPECT_EQ(pair_transfer(p, 0, d, sizes[i]), LT_OK);
        free(d);
    }
}

static void test_default_is_tls13(void)
{
    lt_pair p;
    EXPECT_EQ(pair_init(&p, 0), LT_OK);
    EXPECT_EQ(pair_handshake(&p), LT_OK);
    EXPECT_EQ(lt_conn_version(p.client), LT_TLS1_3);
    EXPECT_EQ(lt_conn_version(p.server), LT_TLS1_3);
    EXPECT_EQ(lt_conn_cipher_suite(p.client), LT_TLS_AES_128_GCM_SHA256);
    EXPECT_EQ(lt_conn_group(p.client), LT_GROUP_X25519);
    EXPECT_EQ(lt_conn_group(p.server), LT_GROUP_X25519);
    EXPECT(!lt_conn_resumed(p.client) && !lt_conn_resumed(p.server));
    EXPECT(!lt_conn_used_ems(p.client)); /* no such thing in TLS 1.3 */
    data_both_ways(&p);
    pair_free(&p);
}

static void test_every_suite_and_group(void)
{
    static const uint16_t SUITES[] = {LT_TLS_AES_128_GCM_SHA256, LT_TLS_AES_256_GCM_SHA384,
                                      LT_TLS_CHACHA20_POLY1305_SHA256};
    static const uint16_t GROUPS[] = {LT_GROUP_X25519, LT_GROUP_SECP256R1, LT_GROUP_SECP384R1};
    for (size_t s = 0; s < 3; s++) {
        for (size_t g = 0; g < 3; g++) {
            lt_pair p;
            EXPECT_EQ(pair_init_configs(&p, SUITES[s]), LT_OK);
            EXPECT_EQ(lt_config_set_groups(p.ccfg, &GROUPS[g], 1), LT_OK);
            EXPECT_EQ(lt_config_set_groups(p.scfg, &GROUPS[g], 1), LT_OK);
            EXPECT_EQ(pair_new_conns(&p), LT_OK);
            EXPECT_EQ(pair_handshake(&p), LT_OK);
            EXPECT_EQ(lt_conn_version(p.server), LT_TLS1_3);
            EXPECT_EQ(lt_conn_cipher_suite(p.server), SUITES[s]);
            EXPECT_EQ(lt_conn_group(p.client), GROUPS[g]);
            uint8_t d[300];
            memset(d, (int)(s * 3 + g), sizeof d);
            EXPECT_EQ(pair_transfer(&p, 1, d, sizeof d), LT_OK);
            EXPECT_EQ(pair_transfer(&p, 0, d, sizeof d), LT_OK);
            pair_free(&p);
        }
    }
}

/* Counts the handshake messages each side sends, by name. */
typedef struct msg_count {
    int hrr_sent, certificate_sent, key_update_sent, key_update_recv, tickets_recv;
} msg_count;

static void count_messages(void *arg, const lt_conn *c, const lt_event *ev)
{
    msg_count *m = arg;
    if (ev->kind == LT_EV_CHOICE && strcmp(ev->what, "hello_retry") == 0 && lt_conn_role(c) == LT_ROLE_SERVER) {
        m->hrr_sent++;
    }
    if (ev->kind == LT_EV_MSG_SENT && strcmp(ev->what, "Certificate") == 0 && lt_conn_role(c) == LT_ROLE_SERVER) {
        m->certificate_sent++;
    }
    if (ev->kind == LT_EV_MSG_SENT && strcmp(ev->what, "KeyUpdate") == 0) {
        m->key_update_sent++;
    }
    if (ev->kind == LT_EV_MSG_RECV && strcmp(ev->what, "KeyUpdate") == 0) {
        m->key_update_recv++;
    }
    if (ev->kind == LT_EV_MSG_RECV && strcmp(ev->what, "NewSessionTicket") == 0) {
        m->tickets_recv++;
    }
}

/* RFC 8446 4.1.4: the client's one key share (X25519) is not for the only
 * group the server takes (P-256): a HelloRetryRequest, then ClientHello2. */
static void test_hello_retry_request(void)
{
    lt_pair p;
    msg_count m = {0};
    EXPECT_EQ(pair_init_configs(&p, 0), LT_OK);
    const uint16_t p256 = LT_GROUP_SECP256R1;
    EXPECT_EQ(lt_config_set_groups(p.scfg, &p256, 1), LT_OK);
    lt_config_set_trace(p.scfg, count_messages, &m, 0);
    EXPECT_EQ(pair_new_conns(&p), LT_OK);
    EXPECT_EQ(pair_handshake(&p), LT_OK);
    EXPECT_EQ(m.hrr_sent, 1);
    EXPECT_EQ(lt_conn_group(p.client), LT_GROUP_SECP256R1);
    EXPECT_EQ(lt_conn_group(p.server), LT_GROUP_SECP256R1);
    data_both_ways(&p);
    pair_free(&p);
}

/* The client's session after the server's tickets have been read. */
static size_t take_session(lt_pair *p, uint8_t *buf, size_t cap)
{
    uint8_t b[1];
    size_t n = 0, len = 0;
    pair_pump(p);
    (void)lt_conn_read(p->client, b, sizeof b, &n);
    EXPECT_EQ(lt_conn_get_session(p->client, buf, cap, &len), LT_OK);
    return len;
}

/* RFC 8446 2.2, 4.6.1: a ticket from the first connection resumes the
 * second (no Certificate from the server), and a third with the newest
 * ticket too. */
static void test_resumption(void)
{
    lt_pair p;
    msg_count m = {0};
    EXPECT_EQ(pair_init_configs(&p, 0), LT_OK);
    lt_config_set_trace(p.ccfg, count_messages, &m, 0);
    lt_config_set_trace(p.scfg, count_messages, &m, 0);
    EXPECT_EQ(pair_new_conns(&p), LT_OK);
    uint8_t sess[LT_SESSION_MAX_LEN];
    size_t no_len = 0;
    EXPECT_EQ(lt_conn_get_session(p.client, sess, sizeof sess, &no_len), LT_ERR_USAGE);
    EXPECT_EQ(pair_handshake(&p), LT_OK);
    size_t len = take_session(&p, sess, sizeof sess);
    EXPECT_EQ(m.tickets_recv, LT_DEFAULT_TICKETS);
    EXPECT_EQ(m.certificate_sent, 1);
    for (int round = 0; round < 2; round++) {
        EXPECT_EQ(pair_new_conns(&p), LT_OK);
        EXPECT_EQ(lt_conn_set_session(p.client, sess, len), LT_OK);
        EXPECT_EQ(pair_handshake(&p), LT_OK);
        EXPECT(lt_conn_resumed(p.client));
        EXPECT(lt_conn_resumed(p.server));
        EXPECT_EQ(m.certificate_sent, 1); /* none in the resumed handshakes */
        data_both_ways(&p);
        len = take_session(&p, sess, sizeof sess);
    }
    /* A session for another name is not offered: a full handshake. */
    EXPECT_EQ(pair_new_conns(&p), LT_OK);
    EXPECT_EQ(lt_conn_set_session(p.client, sess, len), LT_OK);
    lt_config *loose = lt_config_new(LT_ROLE_CLIENT);
    EXPECT_EQ(lt_config_set_ca_pem(loose, p.pki.ca_pem, strlen(p.pki.ca_pem)), LT_OK);
    lt_config_dangerous_disable_hostname_check(loose);
    lt_conn_free(p.client);
    p.client = lt_conn_new(loose);
    lt_config_free(loose); /* the connection keeps it */
    EXPECT_EQ(lt_conn_set_hostname(p.client, "other.example"), LT_OK);
    EXPECT_EQ(lt_conn_set_session(p.client, sess, len), LT_OK);
    EXPECT_EQ(pair_handshake(&p), LT_OK);
    EXPECT(!lt_conn_resumed(p.client));
    EXPECT_EQ(m.certificate_sent, 2);
    /* A blob that is not a session is refused. */
    uint8_t junk[8] = {0};
    lt_conn *c = lt_conn_new(p.ccfg);
    EXPECT_EQ(lt_conn_set_session(c, junk, sizeof junk), LT_ERR_DECODE);
    lt_conn_free(c);
    pair_free(&p);
}

/* Resumption through a HelloRetryRequest: ClientHello2's binder covers
 * message_hash(ClientHello1), the HelloRetryRequest and the truncated
 * ClientHello2 (RFC 8446 4.2.11.2). */
static void test_resumption_after_hello_retry(void)
{
    lt_pair p;
    msg_count m = {0};
    /* The server speaks only P-384 from the start (its config is frozen
     * by the first connection, and its ticket keys must stay): both
     * handshakes go through a HelloRetryRequest; we count the second. */
    EXPECT_EQ(pair_init_configs(&p, 0), LT_OK);
    const uint16_t p384 = LT_GROUP_SECP384R1;
    EXPECT_EQ(lt_config_set_groups(p.scfg, &p384, 1), LT_OK);
    lt_config_set_trace(p.scfg, count_messages, &m, 0);
    EXPECT_EQ(pair_new_conns(&p), LT_OK);
    EXPECT_EQ(pair_handshake(&p), LT_OK);
    uint8_t sess[LT_SESSION_MAX_LEN];
    size_t len = take_session(&p, sess, sizeof sess);
    memset(&m, 0, sizeof m);
    EXPECT_EQ(pair_new_conns(&p), LT_OK);
    EXPECT_EQ(lt_conn_set_session(p.client, sess, len), LT_OK);
    EXPECT_EQ(pair_handshake(&p), LT_OK);
    EXPECT_EQ(m.hrr_sent, 1);
    EXPECT(lt_conn_resumed(p.client) && lt_conn_resumed(p.server));
    EXPECT_EQ(lt_conn_group(p.client), LT_GROUP_SECP384R1);
    EXPECT_EQ(m.certificate_sent, 0);
    data_both_ways(&p);
    pair_free(&p);
}

/* A ticket from another server (other ticket keys) is not ours: a full
 * handshake, not an error (RFC 8446 4.2.11: "SHOULD simply be ignored"). */
static void test_foreign_ticket_gives_full_handshake(void)
{
    lt_pair p;
    EXPECT_EQ(pair_init_configs(&p, 0), LT_OK);
    EXPECT_EQ(pair_handshake(&p), LT_OK);
    uint8_t sess[LT_SESSION_MAX_LEN];
    size_t len = take_session(&p, sess, sizeof sess);
    lt_config_free(p.scfg);
    p.scfg = lt_config_new(LT_ROLE_SERVER);
    EXPECT_EQ(lt_config_set_cert_chain_pem(p.scfg, p.pki.chain_pem, strlen(p.pki.chain_pem)), LT_OK);
    EXPECT_EQ(lt_config_set_key_pem(p.scfg, p.pki.key_pem, strlen(p.pki.key_pem)), LT_OK);
    EXPECT_EQ(pair_new_conns(&p), LT_OK);
    EXPECT_EQ(lt_conn_set_session(p.client, sess, len), LT_OK);
    EXPECT_EQ(pair_handshake(&p), LT_OK);
    EXPECT(!lt_conn_resumed(p.client) && !lt_conn_resumed(p.server));
    pair_free(&p);
}

/* RFC 8446 6.1: close_notify closes one direction; the other side may go
 * on writing until it closes too. */
static void test_half_close(void)
{
    lt_pair p;
    EXPECT_EQ(pair_init(&p, 0), LT_OK);
    EXPECT_EQ(pair_handshake(&p), LT_OK);
    EXPECT_EQ(lt_conn_close(p.client), LT_OK);
    pair_pump(&p);
    uint8_t b[64];
    size_t n;
    EXPECT_EQ(lt_conn_read(p.server, b, sizeof b, &n), LT_CLOSED);
    const char late[] = "the server still talks";
    size_t w = 0;
    EXPECT_EQ(lt_conn_write(p.server, late, sizeof late, &w), LT_OK);
    EXPECT_EQ(w, sizeof late);
    pair_pump(&p);
    EXPECT_EQ(lt_conn_read(p.client, b, sizeof b, &n), LT_OK);
    EXPECT(n == sizeof late && memcmp(b, late, n) == 0);
    EXPECT_EQ(lt_conn_close(p.server), LT_OK);
    pair_pump(&p);
    EXPECT_EQ(lt_conn_read(p.client, b, sizeof b, &n), LT_CLOSED);
    pair_free(&p);
}

/* RFC 8446 5.5: keys change long before the limits on one key; with the
 * limit lowered to 4 records, 20 records make the writer update its keys,
 * and the reader follows every update. */
static void test_key_usage_limit_updates_keys(void)
{
    lt_pair p;
    msg_count m = {0};
    EXPECT_EQ(pair_init_configs(&p, 0), LT_OK);
    lt_config_set_trace(p.ccfg, count_messages, &m, 0);
    EXPECT_EQ(pair_new_conns(&p), LT_OK);
    EXPECT_EQ(pair_handshake(&p), LT_OK);
    lt_test_set_records_per_key(4);
    uint8_t *d = pattern(16384);
    for (int i = 0; i < 20; i++) {
        EXPECT_EQ(pair_transfer(&p, 1, d, 16384), LT_OK);
    }
    free(d);
    lt_test_set_records_per_key(0);
    EXPECT(m.key_update_sent >= 4);
    EXPECT_EQ(lt_conn_error(p.server, NULL), 0);
    pair_free(&p);
}

/* The public KeyUpdate: each side in turn, with and without asking the
 * peer; data flows after each. */
static void test_key_update_api(void)
{
    lt_pair p;
    msg_count m = {0};
    EXPECT_EQ(pair_init_configs(&p, 0), LT_OK);
    lt_config_set_trace(p.ccfg, count_messages, &m, 0);
    lt_config_set_trace(p.scfg, count_messages, &m, 0);
    EXPECT_EQ(pair_new_conns(&p), LT_OK);
    EXPECT_EQ(lt_conn_key_update(p.client, 1), LT_ERR_USAGE); /* before the handshake */
    EXPECT_EQ(pair_handshake(&p), LT_OK);
    EXPECT_EQ(lt_conn_key_update(p.client, 1), LT_OK);
    data_both_ways(&p);
    EXPECT_EQ(m.key_update_sent, 2); /* ours, and the server's answer */
    EXPECT_EQ(lt_conn_key_update(p.server, 0), LT_OK);
    data_both_ways(&p);
    EXPECT_EQ(m.key_update_sent, 3); /* not answered */
    EXPECT_EQ(m.key_update_recv, 3);
    pair_free(&p);
}

/* Flips the supported_versions extension of the ClientHello into an
 * unknown type: what an attacker that strips TLS 1.3 would do. */
static void strip_supported_versions(void *arg, int from_client, uint8_t *buf, size_t *len, size_t cap)
{
    int *done = arg;
    if (!from_client || *done) {
        return;
    }
    for (size_t i = 0; i + 4 < *len; i++) {
        if (buf[i] == 0x00 && buf[i + 1] == 0x2b && buf[i + 2] == 0x00 && buf[i + 4] == 0x04) {
            buf[i] = 0x7a;
            buf[i + 1] = 0x7a;
            *done = 1;
            return;
        }
    }
}

/* RFC 8446 4.1.3: our server, which speaks 1.3, answers a ClientHello
 * without supported_versions with TLS 1.2 and the downgrade sentinel; our
 * client, which offered 1.3, sees it and aborts with illegal_parameter. */
static void test_downgrade_sentinel(void)
{
    lt_pair p;
    int done = 0;
    EXPECT_EQ(pair_init(&p, 0), LT_OK);
    p.hook = strip_supported_versions;
    p.hook_arg = &done;
    EXPECT(pair_handshake(&p) < 0);
    EXPECT_EQ(done, 1);
    const char *detail = NULL;
    EXPECT_EQ(lt_conn_error(p.client, &detail), LT_ERR_ILLEGAL_PARAMETER);
    EXPECT(detail != NULL && strstr(detail, "downgrade") != NULL);
    EXPECT_EQ(lt_conn_alert_sent(p.client), LT_ALERT_ILLEGAL_PARAMETER);
    pair_free(&p);
}

/* Each side pinned to one version: the other follows, or they fail with
 * protocol_version. */
static void test_version_ranges(void)
{
    lt_pair p;
    EXPECT_EQ(pair_init_configs(&p, 0), LT_OK);
    EXPECT_EQ(lt_config_set_versions(p.ccfg, LT_TLS1_2, LT_TLS1_2), LT_OK);
    EXPECT_EQ(pair_new_conns(&p), LT_OK);
    EXPECT_EQ(pair_handshake(&p), LT_OK);
    EXPECT_EQ(lt_conn_version(p.server), LT_TLS1_2);
    pair_free(&p);

    EXPECT_EQ(pair_init_configs(&p, 0), LT_OK);
    EXPECT_EQ(lt_config_set_versions(p.scfg, LT_TLS1_2, LT_TLS1_2), LT_OK);
    EXPECT_EQ(pair_new_conns(&p), LT_OK);
    EXPECT_EQ(pair_handshake(&p), LT_OK);
    EXPECT_EQ(lt_conn_version(p.client), LT_TLS1_2);
    pair_free(&p);

    EXPECT_EQ(pair_init_configs(&p, 0), LT_OK);
    EXPECT_EQ(lt_config_set_versions(p.scfg, LT_TLS1_3, LT_TLS1_3), LT_OK);
    EXPECT_EQ(lt_config_set_versions(p.ccfg, LT_TLS1_2, LT_TLS1_2), LT_OK);
    EXPECT_EQ(pair_new_conns(&p), LT_OK);
    EXPECT(pair_handshake(&p) < 0);
    EXPECT_EQ(lt_conn_error(p.server, NULL), LT_ERR_PROTOCOL_VERSION);
    EXPECT_EQ(lt_conn_peer_alert(p.client), LT_ALERT_PROTOCOL_VERSION);
    pair_free(&p);

    lt_config *cfg = lt_config_new(LT_ROLE_CLIENT);
    EXPECT_EQ(lt_config_set_versions(cfg, LT_TLS1_3, LT_TLS1_2), LT_ERR_CONFIG);
    EXPECT_EQ(lt_config_set_versions(cfg, 0x0301, LT_TLS1_3), LT_ERR_CONFIG);
    lt_config_free(cfg);
}

/* Feeds a TLS 1.2-only ClientHello with TLS_FALLBACK_SCSV to a server
 * config; returns the server's error (0 when it answered). */
static int fallback_hello_to(lt_config *scfg)
{
    static const uint16_t SUITES[] = {LT_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256};
    static const uint16_t GROUPS[] = {LT_GROUP_X25519};
    static const uint16_t SIGALGS[] = {0x0804};
    uint8_t random[32] = {1}, msg[512], rec[600];
    lt_client_hello_params cp = {.client_version = LT_TLS1_2,
                                 .random = random,
                                 .suites = SUITES,
                                 .n_suites = 1,
                                 .sigalgs = SIGALGS,
                                 .n_sigalgs = 1,
                                 .groups = GROUPS,
                                 .n_groups = 1,
                                 .ec_point_formats = 1,
                                 .fallback_scsv = 1};
    lt_wr w = lt_wr_init(msg, sizeof msg);
    lt_write_client_hello(&w, &cp);
    EXPECT_EQ(lt_wr_finish(&w), LT_OK);
    rec[0] = 22;
    rec[1] = 3;
    rec[2] = 1;
    rec[3] = (uint8_t)(w.off >> 8);
    rec[4] = (uint8_t)w.off;
    memcpy(rec + 5, msg, w.off);
    lt_conn *s = lt_conn_new(scfg);
    size_t used = 0;
    (void)lt_conn_feed(s, rec, 5 + w.off, &used);
    int err = lt_conn_error(s, NULL);
    lt_conn_free(s);
    return err;
}

/* RFC 7507 3: inappropriate_fallback when "the highest protocol version
 * supported by the server is higher" than the client's. A server that
 * speaks TLS 1.3 refuses a 1.2 fallback; one whose suites are all TLS 1.2
 * speaks 1.2 at most, so it serves it (a bug once: it compared with the
 * configured maximum version, not with what its suites allow). */
static void test_fallback_scsv_against_what_we_speak(void)
{
    lt_pair p;
    EXPECT_EQ(pair_init(&p, 0), LT_OK);
    EXPECT_EQ(fallback_hello_to(p.scfg), LT_ERR_INAPPROPRIATE_FALLBACK);
    pair_free(&p);
    EXPECT_EQ(pair_init(&p, LT_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256), LT_OK);
    EXPECT_EQ(fallback_hello_to(p.scfg), 0);
    pair_free(&p);
}

int main(void)
{
    LT_RUN(test_default_is_tls13);
    LT_RUN(test_every_suite_and_group);
    LT_RUN(test_hello_retry_request);
    LT_RUN(test_resumption);
    LT_RUN(test_resumption_after_hello_retry);
    LT_RUN(test_foreign_ticket_gives_full_handshake);
    LT_RUN(test_half_close);
    LT_RUN(test_key_usage_limit_updates_keys);
    LT_RUN(test_key_update_api);
    LT_RUN(test_downgrade_sentinel);
    LT_RUN(test_version_ranges);
    LT_RUN(test_fallback_scsv_against_what_we_speak);
    return lt_test_summary();
}
