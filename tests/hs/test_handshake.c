/*
 * In-memory handshakes, our client against our server. These prove the state
 * machine and record layer behave (fragmentation, coalescing, tampering);
 * interoperability with real peers is proven in tests/interop.
 */
#include <stdlib.h>
#include <string.h>

#include "conn/conn.h"
#include "pair.h"
#include "test.h"

static const uint16_t ALL_SUITES[] = {
    LT_TLS_RSA_WITH_AES_128_CBC_SHA,    LT_TLS_RSA_WITH_AES_256_CBC_SHA,    LT_TLS_RSA_WITH_AES_128_CBC_SHA256,
    LT_TLS_RSA_WITH_AES_256_CBC_SHA256, LT_TLS_RSA_WITH_AES_128_GCM_SHA256, LT_TLS_RSA_WITH_AES_256_GCM_SHA384,
};
#define N_SUITES (sizeof ALL_SUITES / sizeof ALL_SUITES[0])

static uint8_t *pattern(size_t n)
{
    uint8_t *p = malloc(n);
    for (size_t i = 0; i < n; i++) {
        p[i] = (uint8_t)(i * 31 + 7);
    }
    return p;
}

static void full_session(uint16_t suite, size_t chunk)
{
    lt_pair p;
    EXPECT_EQ(pair_init(&p, suite), LT_OK);
    p.chunk = chunk;
    EXPECT_EQ(pair_handshake(&p), LT_OK);
    EXPECT(lt_conn_is_established(p.client));
    EXPECT(lt_conn_is_established(p.server));
    EXPECT_EQ(lt_conn_cipher_suite(p.client), suite);
    EXPECT_EQ(lt_conn_cipher_suite(p.server), suite);
    EXPECT_EQ(lt_conn_version(p.client), LT_TLS1_2);
    EXPECT(lt_conn_used_ems(p.client) && lt_conn_used_ems(p.server));
    EXPECT(lt_conn_secure_renegotiation(p.client) && lt_conn_secure_renegotiation(p.server));
    EXPECT(lt_conn_server_name(p.server) != NULL && strcmp(lt_conn_server_name(p.server), "localhost") == 0);

    /* Data both ways, including more than one record's worth. */
    size_t sizes[] = {1, 100, 16384, 16385, 70000};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        uint8_t *d = pattern(sizes[i]);
        EXPECT_EQ(pair_transfer(&p, 1, d, sizes[i]), LT_OK);
        EXPECT_EQ(pair_transfer(&p, 0, d, sizes[i]), LT_OK);
        free(d);
    }

    /* close_notify both ways. */
    EXPECT_EQ(lt_conn_close(p.client), LT_OK);
    pair_pump(&p);
    uint8_t b[16];
    size_t n;
    EXPECT_EQ(lt_conn_read(p.server, b, sizeof b, &n), LT_CLOSED);
    pair_pump(&p); /* the server answered with its own close_notify */
    EXPECT_EQ(lt_conn_read(p.client, b, sizeof b, &n), LT_CLOSED);
    pair_free(&p);
}

static void test_every_suite(void)
{
    for (size_t i = 0; i < N_SUITES; i++) {
        full_session(ALL_SUITES[i], 0);
    }
}

static void test_every_suite_byte_at_a_time(void)
{
    /* Transport fragmentation: the peer's bytes arrive one at a time. */
    for (size_t i = 0; i < N_SUITES; i++) {
        full_session(ALL_SUITES[i], 1);
    }
}

typedef struct reframe_arg {
    size_t frag;
    int merge;
    int seen_ccs[2];
} reframe_arg;

static void reframe_hook(void *arg, int from_client, uint8_t *buf, size_t *len, size_t cap)
{
    reframe_arg *a = arg;
    *len = reframe_records(buf, *len, cap, a->frag, a->merge, &a->seen_ccs[from_client]);
}

static void test_one_byte_handshake_records(void)
{
    /* Record fragmentation: every handshake record carries one byte, so
     * every message spans many records. */
    for (size_t i = 0; i < N_SUITES; i++) {
        lt_pair p;
        reframe_arg a = {1, 0, {0, 0}};
        EXPECT_EQ(pair_init(&p, ALL_SUITES[i]), LT_OK);
        p.hook = reframe_hook;
        p.hook_arg = &a;
        EXPECT_EQ(pair_handshake(&p), LT_OK);
        EXPECT(lt_conn_is_established(p.client) && lt_conn_is_established(p.server));
        pair_free(&p);
    }
}

static void test_coalesced_handshake_records(void)
{
    /* Several messages per record: ServerHello, Certificate and
     * ServerHelloDone arrive in one record. */
    lt_pair p;
    reframe_arg a = {0, 1, {0, 0}};
    EXPECT_EQ(pair_init(&p, LT_TLS_RSA_WITH_AES_128_CBC_SHA256), LT_OK);
    p.hook = reframe_hook;
    p.hook_arg = &a;
    EXPECT_EQ(pair_handshake(&p), LT_OK);
    EXPECT(lt_conn_is_established(p.client) && lt_conn_is_established(p.server));
    pair_free(&p);
}

/* ---- tampering ---- */

typedef struct tamper_arg {
    int from_client;
    int flight;            /* which flight of that side (0 = first) */
    int seen;              /* flights seen so far from that side */
    long offset;           /* byte to flip; negative counts from the end */
    int drop_record;       /* >= 0: drop the n-th record of the flight instead */
    const uint8_t *inject; /* bytes to put before the flight */
    size_t inject_len;
} tamper_arg;

static void drop_nth_record(uint8_t *buf, size_t *len, int nth)
{
    size_t i = 0;
    for (int k = 0; i + 5 <= *len; k++) {
        size_t n = 5 + (((size_t)buf[i + 3] << 8) | buf[i + 4]);
        if (k == nth) {
            memmove(buf + i, buf + i + n, *len - i - n);
            *len -= n;
            return;
        }
        i += n;
    }
}

static void tamper_hook(void *arg, int from_client, uint8_t *buf, size_t *len, size_t cap)
{
    tamper_arg *t = arg;
    if (from_client != t->from_client) {
        return;
    }
    if (t->seen++ != t->flight) {
        return;
    }
    if (t->inject != NULL) {
        memmove(buf + t->inject_len, buf, *len);
        memcpy(buf, t->inject, t->inject_len);
        *len += t->inject_len;
        return;
    }
    if (t->drop_record >= 0) {
        drop_nth_record(buf, len, t->drop_record);
        return;
    }
    size_t at = t->offset < 0 ? *len - (size_t)(-t->offset) : (size_t)t->offset;
    buf[at] ^= 0x01;
}

static lt_pair tampered_run(tamper_arg *t, int *rc)
{
    lt_pair p;
    EXPECT_EQ(pair_init(&p, LT_TLS_RSA_WITH_AES_128_CBC_SHA256), LT_OK);
    p.hook = tamper_hook;
    p.hook_arg = t;
    *rc = pair_handshake(&p);
    return p;
}

static void test_flipped_byte_in_client_finished(void)
{
    /* The client's second flight ends with its encrypted Finished: flip its
     * last byte. The server must answer bad_record_mac. */
    tamper_arg t = {1, 1, 0, -1, -1, NULL, 0};
    int rc;
    lt_pair p = tampered_run(&t, &rc);
    EXPECT(rc < 0);
    EXPECT_EQ(lt_conn_error(p.server, NULL), LT_ERR_BAD_RECORD_MAC);
    EXPECT_EQ(lt_conn_alert_sent(p.server), 20);
    EXPECT_EQ(lt_conn_peer_alert(p.client), 20);
    EXPECT(!lt_conn_is_established(p.server));
    pair_free(&p);
}

static void test_flipped_byte_in_server_finished(void)
{
    tamper_arg t = {0, 1, 0, -1, -1, NULL, 0};
    int rc;
    lt_pair p = tampered_run(&t, &rc);
    EXPECT(rc < 0);
    EXPECT_EQ(lt_conn_error(p.client, NULL), LT_ERR_BAD_RECORD_MAC);
    EXPECT_EQ(lt_conn_alert_sent(p.client), 20);
    EXPECT(!lt_conn_is_established(p.client));
    pair_free(&p);
}

static void test_tampered_client_hello_breaks_finished(void)
{
    /* Flip a byte of the client_random in flight (offset 5 + 4 + 2 + 3).
     * Both sides complete the key exchange with different transcripts, so
     * the Finished MAC over the handshake catches it: decrypt_error. */
    tamper_arg t = {1, 0, 0, 14, -1, NULL, 0};
    int rc;
    lt_pair p = tampered_run(&t, &rc);
    EXPECT(rc < 0);
    /* The server derives different keys from the altered nonce, so the
     * client's Finished record fails to verify first. */
    int err = lt_conn_error(p.server, NULL);
    EXPECT(err == LT_ERR_BAD_RECORD_MAC || err == LT_ERR_DECRYPT_ERROR);
    EXPECT(!lt_conn_is_established(p.client) && !lt_conn_is_established(p.server));
    pair_free(&p);
}

static void test_garbage_client_key_exchange_looks_like_any_bad_mac(void)
{
    /* Flip a byte inside the RSA ciphertext: the server must not say
     * anything specific (Bleichenbacher). It goes on with a random
     * pre-master secret and fails at the client's Finished record with the
     * same bad_record_mac as any corrupted record. CKE starts at offset
     * 5 (record) + 4 (message) + 2 (length). */
    tamper_arg t = {1, 1, 0, 5 + 4 + 2 + 10, -1, NULL, 0};
    int rc;
    lt_pair p = tampered_run(&t, &rc);
    EXPECT(rc < 0);
    EXPECT_EQ(lt_conn_error(p.server, NULL), LT_ERR_BAD_RECORD_MAC);
    EXPECT_EQ(lt_conn_alert_sent(p.server), 20);
    pair_free(&p);
}

static void test_wrong_message_order(void)
{
    /* Drop the Certificate record from the server's first flight: the client
     * gets ServerHelloDone while it waits for Certificate. */
    tamper_arg t = {0, 0, 0, 0, 1, NULL, 0};
    int rc;
    lt_pair p = tampered_run(&t, &rc);
    EXPECT(rc < 0);
    EXPECT_EQ(lt_conn_error(p.client, NULL), LT_ERR_UNEXPECTED_MESSAGE);
    EXPECT_EQ(lt_conn_alert_sent(p.client), 10);
    const char *detail;
    lt_conn_error(p.client, &detail);
    EXPECT(strstr(detail, "expected Certificate") != NULL);
    EXPECT(strstr(detail, "ServerHelloDone") != NULL);
    pair_free(&p);
}

static void test_early_ccs_to_client(void)
{
    static const uint8_t ccs[] = {20, 3, 3, 0, 1, 1};
    tamper_arg t = {0, 0, 0, 0, -1, ccs, sizeof ccs};
    int rc;
    lt_pair p = tampered_run(&t, &rc);
    EXPECT(rc < 0);
    EXPECT_EQ(lt_conn_error(p.client, NULL), LT_ERR_UNEXPECTED_MESSAGE);
    EXPECT_EQ(lt_conn_alert_sent(p.client), 10);
    pair_free(&p);
}

static void test_early_ccs_to_server(void)
{
    /* A CCS before the ClientKeyExchange (the EarlyCCS attack, CVE-2014-0224). */
    static const uint8_t ccs[] = {20, 3, 3, 0, 1, 1};
    tamper_arg t = {1, 1, 0, 0, -1, ccs, sizeof ccs};
    int rc;
    lt_pair p = tampered_run(&t, &rc);
    EXPECT(rc < 0);
    EXPECT_EQ(lt_conn_error(p.server, NULL), LT_ERR_UNEXPECTED_MESSAGE);
    EXPECT_EQ(lt_conn_alert_sent(p.server), 10);
    pair_free(&p);
}

static void test_application_data_before_finished(void)
{
    static const uint8_t app[] = {23, 3, 3, 0, 3, 'h', 'i', '!'};
    tamper_arg t = {1, 1, 0, 0, -1, app, sizeof app};
    int rc;
    lt_pair p = tampered_run(&t, &rc);
    EXPECT(rc < 0);
    EXPECT_EQ(lt_conn_error(p.server, NULL), LT_ERR_UNEXPECTED_MESSAGE);
    pair_free(&p);
}

static void test_no_common_suite(void)
{
    lt_pair p;
    EXPECT_EQ(pair_init_configs(&p, 0), LT_OK);
    uint16_t c = LT_TLS_RSA_WITH_AES_128_CBC_SHA, s = LT_TLS_RSA_WITH_AES_256_GCM_SHA384;
    EXPECT_EQ(lt_config_set_cipher_suites(p.ccfg, &c, 1), LT_OK);
    EXPECT_EQ(lt_config_set_cipher_suites(p.scfg, &s, 1), LT_OK);
    EXPECT_EQ(pair_new_conns(&p), LT_OK);
    EXPECT(pair_handshake(&p) < 0);
    EXPECT_EQ(lt_conn_error(p.server, NULL), LT_ERR_HANDSHAKE_FAILURE);
    EXPECT_EQ(lt_conn_alert_sent(p.server), 40);
    EXPECT_EQ(lt_conn_peer_alert(p.client), 40);
    pair_free(&p);
}

static void test_server_preference_wins(void)
{
    lt_pair p;
    EXPECT_EQ(pair_init_configs(&p, 0), LT_OK);
    uint16_t c[] = {LT_TLS_RSA_WITH_AES_128_CBC_SHA, LT_TLS_RSA_WITH_AES_256_GCM_SHA384};
    uint16_t s[] = {LT_TLS_RSA_WITH_AES_256_GCM_SHA384, LT_TLS_RSA_WITH_AES_128_CBC_SHA};
    EXPECT_EQ(lt_config_set_cipher_suites(p.ccfg, c, 2), LT_OK);
    EXPECT_EQ(lt_config_set_cipher_suites(p.scfg, s, 2), LT_OK);
    EXPECT_EQ(pair_new_conns(&p), LT_OK);
    EXPECT_EQ(pair_handshake(&p), LT_OK);
    EXPECT_EQ(lt_conn_cipher_suite(p.client), LT_TLS_RSA_WITH_AES_256_GCM_SHA384);
    pair_free(&p);
}

static void test_hostname_mismatch(void)
{
    lt_pair p;
    EXPECT_EQ(pair_init(&p, 0), LT_OK);
    lt_conn_free(p.client);
    p.client = lt_conn_new(p.ccfg);
    EXPECT_EQ(lt_conn_set_hostname(p.client, "example.com"), LT_OK);
    EXPECT(pair_handshake(&p) < 0);
    const char *detail;
    EXPECT_EQ(lt_conn_error(p.client, &detail), LT_ERR_HOSTNAME_MISMATCH);
    EXPECT(strstr(detail, "example.com") != NULL);
    EXPECT_EQ(lt_conn_alert_sent(p.client), 42);
    EXPECT_EQ(lt_conn_peer_alert(p.server), 42);
    pair_free(&p);
}

static void test_untrusted_ca(void)
{
    lt_pair p;
    lt_demo_pki other;
    EXPECT_EQ(pair_init_configs(&p, 0), LT_OK);
    EXPECT_EQ(lt_demo_pki_make(&other, "localhost"), LT_OK);
    lt_config_free(p.ccfg);
    p.ccfg = lt_config_new(LT_ROLE_CLIENT);
    EXPECT_EQ(lt_config_set_ca_pem(p.ccfg, other.ca_pem, strlen(other.ca_pem)), LT_OK);
    EXPECT_EQ(pair_new_conns(&p), LT_OK);
    EXPECT(pair_handshake(&p) < 0);
    EXPECT_EQ(lt_conn_error(p.client, NULL), LT_ERR_UNKNOWN_CA);
    EXPECT_EQ(lt_conn_alert_sent(p.client), 48);
    lt_demo_pki_free(&other);
    pair_free(&p);
}

static void test_client_without_hostname_refuses(void)
{
    lt_pair p;
    EXPECT_EQ(pair_init(&p, 0), LT_OK);
    lt_conn_free(p.client);
    p.client = lt_conn_new(p.ccfg);
    EXPECT_EQ(lt_conn_handshake(p.client), LT_ERR_USAGE);
    /* ... unless the check is turned off by its loud name (on a config of
     * its own: the first one is frozen by its connection). */
    lt_config *loose = lt_config_new(LT_ROLE_CLIENT);
    EXPECT_EQ(lt_config_set_ca_pem(loose, p.pki.ca_pem, strlen(p.pki.ca_pem)), LT_OK);
    lt_config_dangerous_disable_hostname_check(loose);
    lt_conn_free(p.client);
    p.client = lt_conn_new(loose);
    lt_config_free(loose); /* the connection keeps it */
    EXPECT_EQ(pair_handshake(&p), LT_OK);
    pair_free(&p);
}

static void test_truncation_detected(void)
{
    lt_pair p;
    EXPECT_EQ(pair_init(&p, 0), LT_OK);
    EXPECT_EQ(pair_handshake(&p), LT_OK);
    lt_conn_feed_eof(p.client);
    uint8_t b[8];
    size_t n;
    EXPECT_EQ(lt_conn_read(p.client, b, sizeof b, &n), LT_ERR_TRUNCATED);
    pair_free(&p);
}

static void test_ems_off_on_one_side(void)
{
    lt_pair p;
    EXPECT_EQ(pair_init_configs(&p, 0), LT_OK);
    lt_config_set_ems(p.scfg, 0);
    EXPECT_EQ(pair_new_conns(&p), LT_OK);
    EXPECT_EQ(pair_handshake(&p), LT_OK);
    EXPECT(!lt_conn_used_ems(p.client) && !lt_conn_used_ems(p.server));
    uint8_t d[3] = {1, 2, 3};
    EXPECT_EQ(pair_transfer(&p, 1, d, 3), LT_OK);
    pair_free(&p);
}

/* What the wire and the trace say about one handshake's master secret. */
typedef struct ems_watch {
    uint8_t transcript[16384]; /* the unprotected handshake records, in order */
    size_t transcript_len;
    int protected_from_client;
    int protected_from_server;
    uint8_t pms[48], session_hash[64], master[48];
    size_t session_hash_len;
    int have_pms, have_master;
} ems_watch;

static void collect_handshake_records(void *arg, int from_client, uint8_t *buf, size_t *len, size_t cap)
{
    ems_watch *w = arg;
    int *protected_now = from_client ? &w->protected_from_client : &w->protected_from_server;
    for (size_t off = 0; off + 5 <= *len;) {
        size_t n = ((size_t)buf[off + 3] << 8) | buf[off + 4];
        if (buf[off] == 20) {
            *protected_now = 1;
        } else if (buf[off] == 22 && !w->protected_from_client && !w->protected_from_server &&
                   w->transcript_len + n <= sizeof w->transcript) {
            /* The session hash ends at ClientKeyExchange, before the
             * client's CCS (a NewSessionTicket comes after it). */
            memcpy(w->transcript + w->transcript_len, buf + off + 5, n);
            w->transcript_len += n;
        }
        off += 5 + n;
    }
}

static void collect_secrets(void *arg, const lt_conn *c, const lt_event *ev)
{
    ems_watch *w = arg;
    for (size_t i = 0; ev->kind == LT_EV_KEY_DERIVE && i < ev->nfields; i++) {
        const lt_field *f = &ev->fields[i];
        if (strcmp(f->name, "pre_master_secret") == 0 && f->bytes != NULL && f->len == 48) {
            memcpy(w->pms, f->bytes, 48);
            w->have_pms = 1;
        } else if (strcmp(f->name, "session_hash") == 0 && f->bytes != NULL && f->len <= sizeof w->session_hash) {
            memcpy(w->session_hash, f->bytes, f->len);
            w->session_hash_len = f->len;
        } else if (strcmp(f->name, "master_secret") == 0 && f->bytes != NULL && f->len == 48) {
            memcpy(w->master, f->bytes, 48);
            w->have_master = 1;
        }
    }
}

/* RFC 7627 4, checked against the wire rather than our own code path: the
 * session hash is the hash of the handshake messages up to and including
 * ClientKeyExchange as they crossed the wire, and the master secret is
 * PRF(pre_master_secret, "extended master secret", session_hash). Leaving
 * EMS out of the key schedule, or hashing the wrong span, fails here. */
static void test_extended_master_secret_matches_the_wire(void)
{
    lt_pair p;
    static ems_watch w;
    memset(&w, 0, sizeof w);
    EXPECT_EQ(pair_init_configs(&p, LT_TLS_RSA_WITH_AES_128_GCM_SHA256), LT_OK);
    lt_config_set_trace(p.scfg, collect_secrets, &w, 1);
    EXPECT_EQ(pair_new_conns(&p), LT_OK);
    p.hook = collect_handshake_records;
    p.hook_arg = &w;
    EXPECT_EQ(pair_handshake(&p), LT_OK);
    EXPECT(lt_conn_used_ems(p.server));
    EXPECT(w.have_pms && w.have_master);
    uint8_t want_hash[64], want_ms[48];
    size_t hash_len = 0;
    EXPECT_EQ(lt_hash_oneshot(LT_HASH_SHA256, w.transcript, w.transcript_len, want_hash, &hash_len), LT_OK);
    EXPECT_EQ(w.session_hash_len, 32);
    EXPECT_MEM(w.session_hash, want_hash, 32);
    EXPECT_EQ(
        lt_tls12_prf(LT_HASH_SHA256, w.pms, 48, "extended master secret", want_hash, hash_len, NULL, 0, want_ms, 48),
        LT_OK);
    EXPECT_MEM(w.master, want_ms, 48);
    pair_free(&p);
}

typedef struct trace_count {
    int events;
    int secrets_seen;
    int secrets_hidden;
    int key_derive;
} trace_count;

static void count_events(void *arg, const lt_conn *c, const lt_event *ev)
{
    trace_count *tc = arg;
    tc->events++;
    if (ev->kind == LT_EV_KEY_DERIVE) {
        tc->key_derive++;
    }
    for (size_t i = 0; i < ev->nfields; i++) {
        if (ev->fields[i].is_secret && ev->fields[i].len > 0) {
            if (ev->fields[i].bytes != NULL) {
                tc->secrets_seen++;
            } else {
                tc->secrets_hidden++;
            }
        }
    }
}

static void test_trace_hides_secrets_unless_asked(void)
{
    for (int show = 0; show <= 1; show++) {
        lt_pair p;
        trace_count tc = {0, 0, 0, 0};
        EXPECT_EQ(pair_init_configs(&p, LT_TLS_RSA_WITH_AES_128_CBC_SHA256), LT_OK);
        lt_config_set_trace(p.ccfg, count_events, &tc, show);
        EXPECT_EQ(pair_new_conns(&p), LT_OK);
        EXPECT_EQ(pair_handshake(&p), LT_OK);
        EXPECT(tc.events > 10);
        EXPECT(tc.key_derive >= 4);
        if (show) {
            EXPECT(tc.secrets_seen > 0);
            EXPECT_EQ(tc.secrets_hidden, 0);
        } else {
            EXPECT_EQ(tc.secrets_seen, 0);
            EXPECT(tc.secrets_hidden > 0);
        }
        pair_free(&p);
    }
}

static char g_keylog[256];
static char g_keylog_all[2048];
static void keylog_cb(void *arg, const lt_conn *c, const char *line)
{
    snprintf(g_keylog, sizeof g_keylog, "%s", line);
    size_t used = strlen(g_keylog_all);
    snprintf(g_keylog_all + used, sizeof g_keylog_all - used, "%s\n", line);
}

static void test_keylog_line(void)
{
    lt_pair p;
    EXPECT_EQ(pair_init_configs(&p, 0), LT_OK);
    EXPECT_EQ(lt_config_set_versions(p.ccfg, LT_TLS1_2, LT_TLS1_2), LT_OK);
    lt_config_set_keylog(p.ccfg, keylog_cb, NULL);
    EXPECT_EQ(pair_new_conns(&p), LT_OK);
    EXPECT_EQ(pair_handshake(&p), LT_OK);
    EXPECT(strncmp(g_keylog, "CLIENT_RANDOM ", 14) == 0);
    EXPECT_EQ(strlen(g_keylog), 14 + 64 + 1 + 96);
    pair_free(&p);
}

/* TLS 1.3 (NSS key log format): the four traffic secrets and the exporter
 * secret, each once, labelled with the client random, 32-byte secrets for
 * TLS_AES_128_GCM_SHA256. */
static void test_keylog_lines_tls13(void)
{
    static const char *LABELS[] = {"CLIENT_HANDSHAKE_TRAFFIC_SECRET ", "SERVER_HANDSHAKE_TRAFFIC_SECRET ",
                                   "CLIENT_TRAFFIC_SECRET_0 ", "SERVER_TRAFFIC_SECRET_0 ", "EXPORTER_SECRET "};
    lt_pair p;
    EXPECT_EQ(pair_init_configs(&p, 0), LT_OK);
    lt_config_set_keylog(p.ccfg, keylog_cb, NULL);
    g_keylog_all[0] = '\0';
    EXPECT_EQ(pair_new_conns(&p), LT_OK);
    EXPECT_EQ(pair_handshake(&p), LT_OK);
    EXPECT_EQ(lt_conn_version(p.client), LT_TLS1_3);
    for (size_t i = 0; i < sizeof LABELS / sizeof LABELS[0]; i++) {
        const char *at = strstr(g_keylog_all, LABELS[i]);
        EXPECT(at != NULL);
        if (at != NULL) {
            const char *end = strchr(at, '\n');
            EXPECT(end != NULL && (size_t)(end - at) == strlen(LABELS[i]) + 64 + 1 + 64);
            EXPECT(strstr(at + 1, LABELS[i]) == NULL);
        }
    }
    EXPECT(strstr(g_keylog_all, "CLIENT_RANDOM") == NULL);
    pair_free(&p);
}

typedef struct alert_seen {
    int warnings_recv;
    int last_desc;
} alert_seen;

static void watch_alerts(void *arg, const lt_conn *c, const lt_event *ev)
{
    alert_seen *a = arg;
    if (ev->kind == LT_EV_ALERT_RECV) {
        a->warnings_recv++;
        a->last_desc = strcmp(ev->what, "no_renegotiation") == 0 ? 100 : -1;
    }
}

/* RFC 5746 / RFC 5246 7.2.2: we refuse renegotiation with a warning
 * no_renegotiation and the connection goes on. (Real peers that asked then
 * abort on their side: OpenSSL and GnuTLS both do; that is their policy.) */
static void renegotiation_refused(int client_asks)
{
    lt_pair p;
    alert_seen seen = {0, 0};
    EXPECT_EQ(pair_init_configs(&p, LT_TLS_RSA_WITH_AES_128_GCM_SHA256), LT_OK);
    lt_config_set_trace(client_asks ? p.ccfg : p.scfg, watch_alerts, &seen, 0);
    EXPECT_EQ(pair_new_conns(&p), LT_OK);
    EXPECT_EQ(pair_handshake(&p), LT_OK);
    /* White box: queue a protected HelloRequest from the server, or a new
     * ClientHello from the client, as a peer asking to renegotiate would. */
    static const uint8_t hello_request[] = {LT_HS_HELLO_REQUEST, 0, 0, 0};
    static const uint8_t client_hello[] = {LT_HS_CLIENT_HELLO, 0, 0, 2, 3, 3};
    lt_conn *asker = client_asks ? p.client : p.server;
    if (client_asks) {
        EXPECT_EQ(lt_record_write(&asker->rec, LT_CT_HANDSHAKE, client_hello, sizeof client_hello), LT_OK);
    } else {
        EXPECT_EQ(lt_record_write(&asker->rec, LT_CT_HANDSHAKE, hello_request, sizeof hello_request), LT_OK);
    }
    pair_pump(&p);
    pair_pump(&p);
    EXPECT_EQ(seen.warnings_recv, 1);
    EXPECT_EQ(seen.last_desc, 100);
    EXPECT(lt_conn_is_established(p.client) && lt_conn_is_established(p.server));
    EXPECT_EQ(lt_conn_error(p.client, NULL), 0);
    EXPECT_EQ(lt_conn_error(p.server, NULL), 0);
    const uint8_t d[] = "still talking";
    EXPECT_EQ(pair_transfer(&p, 1, d, sizeof d), LT_OK);
    EXPECT_EQ(pair_transfer(&p, 0, d, sizeof d), LT_OK);
    pair_free(&p);
}

static void test_server_hello_request_refused(void)
{
    renegotiation_refused(0);
}
static void test_client_renegotiation_refused(void)
{
    renegotiation_refused(1);
}

/* Renegotiation asked twice: the first request gets the warning, the second
 * is fatal (unexpected_message), whoever asks. */
static void renegotiation_asked_twice(int client_asks)
{
    lt_pair p;
    EXPECT_EQ(pair_init(&p, LT_TLS_RSA_WITH_AES_128_GCM_SHA256), LT_OK);
    EXPECT_EQ(pair_handshake(&p), LT_OK);
    static const uint8_t hello_request[] = {LT_HS_HELLO_REQUEST, 0, 0, 0};
    static const uint8_t client_hello[] = {LT_HS_CLIENT_HELLO, 0, 0, 2, 3, 3};
    lt_conn *asker = client_asks ? p.client : p.server;
    lt_conn *refuser = client_asks ? p.server : p.client;
    const uint8_t *req = client_asks ? client_hello : hello_request;
    size_t req_len = client_asks ? sizeof client_hello : sizeof hello_request;
    EXPECT_EQ(lt_record_write(&asker->rec, LT_CT_HANDSHAKE, req, req_len), LT_OK);
    pair_pump(&p);
    EXPECT_EQ(lt_conn_error(refuser, NULL), 0);
    EXPECT_EQ(lt_record_write(&asker->rec, LT_CT_HANDSHAKE, req, req_len), LT_OK);
    pair_pump(&p);
    const char *detail;
    EXPECT_EQ(lt_conn_error(refuser, &detail), LT_ERR_UNEXPECTED_MESSAGE);
    EXPECT(strstr(detail, "again after we refused renegotiation") != NULL);
    EXPECT_EQ(lt_conn_alert_sent(refuser), 10);
    pair_free(&p);
}

static void test_second_hello_request_is_fatal(void)
{
    renegotiation_asked_twice(0);
}
static void test_second_renegotiation_client_hello_is_fatal(void)
{
    renegotiation_asked_twice(1);
}

/* Counts the handshake messages the refusing side looked at (trace events
 * of received ClientHello / HelloRequest). */
static void count_requests(void *arg, const lt_conn *c, const lt_event *ev)
{
    if (ev->kind == LT_EV_MSG_RECV && (strcmp(ev->what, "ClientHello") == 0 || strcmp(ev->what, "HelloRequest") == 0)) {
        ++*(int *)arg;
    }
}

/* One record of 4096 four-byte renegotiation requests (the review's attack:
 * it used to cost the server 4096 refusals per record). The connection is
 * closed after at most two, and the rest of the record is never looked at. */
static void renegotiation_record_flood(int client_asks)
{
    lt_pair p;
    int handled = 0;
    EXPECT_EQ(pair_init_configs(&p, LT_TLS_RSA_WITH_AES_128_GCM_SHA256), LT_OK);
    lt_config_set_trace(client_asks ? p.scfg : p.ccfg, count_requests, &handled, 0);
    EXPECT_EQ(pair_new_conns(&p), LT_OK);
    EXPECT_EQ(pair_handshake(&p), LT_OK);
    handled = 0;
    static uint8_t flood[4096 * 4];
    for (size_t i = 0; i < sizeof flood; i += 4) {
        flood[i] = client_asks ? LT_HS_CLIENT_HELLO : LT_HS_HELLO_REQUEST;
    }
    lt_conn *asker = client_asks ? p.client : p.server;
    lt_conn *refuser = client_asks ? p.server : p.client;
    EXPECT_EQ(lt_record_write(&asker->rec, LT_CT_HANDSHAKE, flood, LT_MAX_PLAINTEXT), LT_OK);
    pair_pump(&p);
    EXPECT(handled >= 1 && handled <= 2);
    EXPECT_EQ(lt_conn_error(refuser, NULL), LT_ERR_UNEXPECTED_MESSAGE);
    /* Queued for the asker: at most the warning and the fatal alert. */
    size_t pending;
    (void)lt_conn_out_peek(refuser, &pending);
    pair_free(&p);
}

static void test_client_hello_flood_in_one_record(void)
{
    renegotiation_record_flood(1);
}
static void test_hello_request_flood_in_one_record(void)
{
    renegotiation_record_flood(0);
}

typedef enum { NOISE_WARNING, NOISE_EMPTY, NOISE_ALTERNATE } noise_kind;

/* A peer that sends only records that carry nothing (warning alerts, empty
 * records, in any mix) is cut off after LT_MAX_NOISE_IN_A_ROW of them; up
 * to that it is tolerated, and data in between resets the count. */
static void flood(noise_kind kind, int n, int expect_ok)
{
    lt_pair p;
    EXPECT_EQ(pair_init(&p, LT_TLS_RSA_WITH_AES_128_GCM_SHA256), LT_OK);
    EXPECT_EQ(pair_handshake(&p), LT_OK);
    for (int i = 0; i < n; i++) {
        int warning = kind == NOISE_WARNING || (kind == NOISE_ALTERNATE && i % 2 == 0);
        if (warning) {
            const uint8_t warning_alert[2] = {LT_ALERT_LEVEL_WARNING, LT_ALERT_USER_CANCELED};
            EXPECT_EQ(lt_record_write(&p.server->rec, LT_CT_ALERT, warning_alert, 2), LT_OK);
        } else {
            EXPECT_EQ(lt_record_write(&p.server->rec, LT_CT_APPLICATION_DATA, NULL, 0), LT_OK);
        }
        if (i % 8 == 7) {
            pair_pump(&p); /* keep the output queue small */
        }
    }
    pair_pump(&p);
    if (expect_ok) {
        EXPECT_EQ(lt_conn_error(p.client, NULL), 0);
        const uint8_t d[] = "data resets the count";
        EXPECT_EQ(pair_transfer(&p, 0, d, sizeof d), LT_OK);
        EXPECT(lt_conn_is_established(p.client));
    } else {
        const char *detail;
        EXPECT_EQ(lt_conn_error(p.client, &detail), LT_ERR_UNEXPECTED_MESSAGE);
        EXPECT(strstr(detail, "in a row") != NULL);
        EXPECT_EQ(lt_conn_alert_sent(p.client), 10);
    }
    pair_free(&p);
}

static void test_warning_alert_flood_is_cut_off(void)
{
    flood(NOISE_WARNING, LT_MAX_NOISE_IN_A_ROW, 1);
    flood(NOISE_WARNING, LT_MAX_NOISE_IN_A_ROW + 1, 0);
}

static void test_empty_record_flood_is_cut_off(void)
{
    flood(NOISE_EMPTY, LT_MAX_NOISE_IN_A_ROW, 1);
    flood(NOISE_EMPTY, LT_MAX_NOISE_IN_A_ROW + 1, 0);
}

/* The review sent 2000 alternating pairs: each kind used to reset the other's
 * counter. */
static void test_alternating_noise_is_cut_off(void)
{
    flood(NOISE_ALTERNATE, LT_MAX_NOISE_IN_A_ROW, 1);
    flood(NOISE_ALTERNATE, LT_MAX_NOISE_IN_A_ROW + 1, 0);
    flood(NOISE_ALTERNATE, 4000, 0);
}

/* A refused renegotiation counts as noise too: warnings and empty records up
 * to the budget, then one refused HelloRequest, cut the peer off. */
static void test_refused_renegotiation_counts_as_noise(void)
{
    lt_pair p;
    EXPECT_EQ(pair_init(&p, LT_TLS_RSA_WITH_AES_128_GCM_SHA256), LT_OK);
    EXPECT_EQ(pair_handshake(&p), LT_OK);
    for (int i = 0; i < LT_MAX_NOISE_IN_A_ROW; i++) {
        EXPECT_EQ(lt_record_write(&p.server->rec, LT_CT_APPLICATION_DATA, NULL, 0), LT_OK);
    }
    static const uint8_t hello_request[] = {LT_HS_HELLO_REQUEST, 0, 0, 0};
    EXPECT_EQ(lt_record_write(&p.server->rec, LT_CT_HANDSHAKE, hello_request, sizeof hello_request), LT_OK);
    pair_pump(&p);
    const char *detail;
    EXPECT_EQ(lt_conn_error(p.client, &detail), LT_ERR_UNEXPECTED_MESSAGE);
    EXPECT(strstr(detail, "in a row") != NULL);
    pair_free(&p);
}

int main(void)
{
    LT_RUN(test_every_suite);
    LT_RUN(test_every_suite_byte_at_a_time);
    LT_RUN(test_one_byte_handshake_records);
    LT_RUN(test_coalesced_handshake_records);
    LT_RUN(test_flipped_byte_in_client_finished);
    LT_RUN(test_flipped_byte_in_server_finished);
    LT_RUN(test_tampered_client_hello_breaks_finished);
    LT_RUN(test_garbage_client_key_exchange_looks_like_any_bad_mac);
    LT_RUN(test_wrong_message_order);
    LT_RUN(test_early_ccs_to_client);
    LT_RUN(test_early_ccs_to_server);
    LT_RUN(test_application_data_before_finished);
    LT_RUN(test_no_common_suite);
    LT_RUN(test_server_preference_wins);
    LT_RUN(test_hostname_mismatch);
    LT_RUN(test_untrusted_ca);
    LT_RUN(test_client_without_hostname_refuses);
    LT_RUN(test_truncation_detected);
    LT_RUN(test_ems_off_on_one_side);
    LT_RUN(test_extended_master_secret_matches_the_wire);
    LT_RUN(test_trace_hides_secrets_unless_asked);
    LT_RUN(test_keylog_line);
    LT_RUN(test_keylog_lines_tls13);
    LT_RUN(test_server_hello_request_refused);
    LT_RUN(test_client_renegotiation_refused);
    LT_RUN(test_second_hello_request_is_fatal);
    LT_RUN(test_second_renegotiation_client_hello_is_fatal);
    LT_RUN(test_client_hello_flood_in_one_record);
    LT_RUN(test_hello_request_flood_in_one_record);
    LT_RUN(test_warning_alert_flood_is_cut_off);
    LT_RUN(test_empty_record_flood_is_cut_off);
    LT_RUN(test_alternating_noise_is_cut_off);
    LT_RUN(test_refused_renegotiation_counts_as_noise);
    return lt_test_summary();
}
