/*
 * TLS 1.2 resumption in memory, our client against our server: by session
 * ID (the cache, an external store) and by RFC 5077 ticket, and the cases
 * that must not resume (tampered ticket, unknown key, expired, evicted,
 * another suite or name) or must abort (RFC 7627 5.3 EMS mismatches, a
 * resumed suite that is not the session's). Real peers are in
 * tests/interop/test_resume12.sh; this proves the negative cases, which
 * real peers do not produce.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/clock.h"
#include "hs/messages.h"
#include "hs/session.h"
#include "pair.h"
#include "test.h"

#define SUITE LT_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256

typedef struct counts {
    int certificate_sent, tickets_sent, tickets_recv;
} counts;

static void count(void *arg, const lt_conn *c, const lt_event *ev)
{
    counts *m = arg;
    int server = lt_conn_role(c) == LT_ROLE_SERVER;
    if (ev->kind == LT_EV_MSG_SENT && server && strcmp(ev->what, "Certificate") == 0) {
        m->certificate_sent++;
    }
    if (ev->kind == LT_EV_MSG_SENT && server && strcmp(ev->what, "NewSessionTicket") == 0) {
        m->tickets_sent++;
    }
    if (ev->kind == LT_EV_MSG_RECV && !server && strcmp(ev->what, "NewSessionTicket") == 0) {
        m->tickets_recv++;
    }
}

/* The configs only (a config is frozen by its first connection): the
 * test sets what it needs, then the first handshake makes connections. */
static void init12(lt_pair *p, counts *m)
{
    EXPECT_EQ(pair_init_configs(p, SUITE), LT_OK);
    if (m != NULL) {
        EXPECT_EQ(lt_config_set_trace(p->scfg, count, m, 0), LT_OK);
        EXPECT_EQ(lt_config_set_trace(p->ccfg, count, m, 0), LT_OK);
    }
}

/* A fresh server config (its own ticket keys and cache), or a client one. */
static lt_config *server_cfg(const lt_pair *p)
{
    lt_config *c = lt_config_new(LT_ROLE_SERVER);
    EXPECT_EQ(lt_config_set_cert_chain_pem(c, p->pki.chain_pem, strlen(p->pki.chain_pem)), LT_OK);
    EXPECT_EQ(lt_config_set_key_pem(c, p->pki.key_pem, strlen(p->pki.key_pem)), LT_OK);
    return c;
}

static lt_config *client_cfg(const lt_pair *p)
{
    lt_config *c = lt_config_new(LT_ROLE_CLIENT);
    EXPECT_EQ(lt_config_set_ca_pem(c, p->pki.ca_pem, strlen(p->pki.ca_pem)), LT_OK);
    return c;
}

static void swap_cfg(lt_config **slot, lt_config *c)
{
    lt_config_free(*slot);
    *slot = c;
}

static size_t take(lt_pair *p, uint8_t *buf)
{
    size_t len = 0;
    EXPECT_EQ(lt_conn_get_session(p->client, buf, LT_SESSION_MAX_LEN, &len), LT_OK);
    return len;
}

static int again(lt_pair *p, const uint8_t *sess, size_t len)
{
    EXPECT_EQ(pair_new_conns(p), LT_OK);
    EXPECT_EQ(lt_conn_set_session(p->client, sess, len), LT_OK);
    return pair_handshake(p);
}

static void data_both_ways(lt_pair *p)
{
    uint8_t d[5000];
    memset(d, 0x3C, sizeof d);
    EXPECT_EQ(pair_transfer(p, 1, d, sizeof d), LT_OK);
    EXPECT_EQ(pair_transfer(p, 0, d, sizeof d), LT_OK);
}

static lt_client_session *decode(const uint8_t *sess, size_t len)
{
    lt_client_session *s = calloc(1, sizeof *s);
    EXPECT_EQ(lt_client_session_decode(sess, len, s), LT_OK);
    return s;
}

/* RFC 5246 7.3: a session ID from the cache resumes: no Certificate, the
 * same master secret's keys work both ways; the next one resumes too. */
static void test_session_id(void)
{
    lt_pair p;
    counts m = {0};
    uint8_t sess[LT_SESSION_MAX_LEN];
    init12(&p, &m);
    EXPECT_EQ(lt_config_set_tickets(p.scfg, 0, 7200), LT_OK); /* no RFC 5077: the cache */
    EXPECT_EQ(pair_new_conns(&p), LT_OK);
    EXPECT_EQ(pair_handshake(&p), LT_OK);
    EXPECT(!lt_conn_resumed(p.client) && !lt_conn_resumed(p.server));
    size_t len = take(&p, sess);
    lt_client_session *s = decode(sess, len);
    EXPECT_EQ(s->version, LT_TLS1_2);
    EXPECT_EQ(s->session_id_len, 32);
    EXPECT_EQ(s->ticket_len, 0);
    EXPECT_EQ(s->ems, 1);
    EXPECT_EQ(s->psk_len, 48);
    free(s);
    EXPECT_EQ(m.certificate_sent, 1);
    for (int round = 0; round < 2; round++) {
        EXPECT_EQ(again(&p, sess, len), LT_OK);
        EXPECT(lt_conn_resumed(p.client) && lt_conn_resumed(p.server));
        EXPECT(lt_conn_used_ems(p.client) && lt_conn_used_ems(p.server));
        EXPECT_EQ(lt_conn_cipher_suite(p.client), SUITE);
        data_both_ways(&p);
        len = take(&p, sess);
    }
    EXPECT_EQ(m.certificate_sent, 1);
    EXPECT_EQ(m.tickets_sent, 0);
    pair_free(&p);
}

/* RFC 5077: a client that asks for tickets gets one (and an empty session
 * ID); it resumes with it, and a resumption brings a fresh ticket only when
 * the one used is due: past half its lifetime (or sealed under a key that no
 * longer seals, RFC 5077 3.3), as OpenSSL renews. */
static void test_ticket(void)
{
    lt_pair p;
    counts m = {0};
    init12(&p, &m);
    EXPECT_EQ(pair_new_conns(&p), LT_OK);
    EXPECT_EQ(pair_handshake(&p), LT_OK);
    uint8_t sess[LT_SESSION_MAX_LEN], first[LT_SESSION_MAX_LEN];
    size_t len = take(&p, sess), first_len = len;
    lt_client_session *s = decode(sess, len);
    EXPECT_EQ(s->session_id_len, 0);
    EXPECT(s->ticket_len > 44 + 60);
    free(s);
    EXPECT_EQ(m.tickets_sent, 1);
    EXPECT_EQ(m.tickets_recv, 1);
    memcpy(first, sess, len);
    for (int round = 0; round < 2; round++) {
        EXPECT_EQ(again(&p, sess, len), LT_OK);
        EXPECT(lt_conn_resumed(p.client) && lt_conn_resumed(p.server));
        data_both_ways(&p);
        len = take(&p, sess);
    }
    /* A fresh ticket is not replaced: the client keeps the first. */
    EXPECT_EQ(m.certificate_sent, 1);
    EXPECT_EQ(m.tickets_sent, 1);
    EXPECT_EQ(m.tickets_recv, 1);
    EXPECT(len == first_len && memcmp(first, sess, len) == 0);
    /* Past half of the 7200 s lifetime: resumed, with a new ticket. */
    lt_test_clock_advance(3601 * 1000);
    EXPECT_EQ(again(&p, sess, len), LT_OK);
    EXPECT(lt_conn_resumed(p.client) && lt_conn_resumed(p.server));
    len = take(&p, sess);
    lt_test_clock_advance(-3601 * 1000);
    EXPECT_EQ(m.certificate_sent, 1);
    EXPECT_EQ(m.tickets_sent, 2);
    EXPECT_EQ(m.tickets_recv, 2);
    EXPECT(memcmp(first, sess, len < first_len ? len : first_len) != 0);
    pair_free(&p);
}

/* Nothing to resume with: no tickets and no cache. */
static void test_nothing_to_keep(void)
{
    lt_pair p;
    init12(&p, NULL);
    EXPECT_EQ(lt_config_set_tickets(p.scfg, 0, 7200), LT_OK);
    EXPECT_EQ(lt_config_set_session_cache(p.scfg, 0, 7200), LT_OK);
    EXPECT_EQ(lt_config_set_session_cache(p.scfg, 10, 0), LT_ERR_CONFIG);
    EXPECT_EQ(lt_config_set_session_cache(p.scfg, 10, 86401), LT_ERR_CONFIG);
    EXPECT_EQ(pair_new_conns(&p), LT_OK);
    EXPECT_EQ(pair_handshake(&p), LT_OK);
    uint8_t sess[LT_SESSION_MAX_LEN];
    size_t len = 0;
    EXPECT_EQ(lt_conn_get_session(p.client, sess, sizeof sess, &len), LT_ERR_USAGE);
    /* Frozen by its first connection. */
    EXPECT_EQ(lt_config_set_session_cache(p.scfg, 10, 100), LT_ERR_FROZEN);
    EXPECT_EQ(lt_config_set_session_store(p.scfg, NULL), LT_ERR_FROZEN);
    pair_free(&p);
}

/* RFC 5077 3.4: a ticket that does not open (one bit changed; another
 * server's key) gives a full handshake, not an error. */
static void test_bad_tickets_give_full_handshakes(void)
{
    lt_pair p;
    counts m = {0};
    init12(&p, &m);
    EXPECT_EQ(pair_new_conns(&p), LT_OK);
    EXPECT_EQ(pair_handshake(&p), LT_OK);
    uint8_t sess[LT_SESSION_MAX_LEN], bad[LT_SESSION_MAX_LEN];
    size_t len = take(&p, sess), bad_len = 0;
    lt_client_session *s = decode(sess, len);
    size_t spots[] = {0, 20, (size_t)s->ticket_len / 2, (size_t)s->ticket_len - 1};
    for (size_t i = 0; i < 4; i++) {
        s->ticket[spots[i]] ^= 0x01;
        EXPECT_EQ(lt_client_session_encode(s, bad, sizeof bad, &bad_len), LT_OK);
        s->ticket[spots[i]] ^= 0x01;
        EXPECT_EQ(again(&p, bad, bad_len), LT_OK);
        EXPECT(!lt_conn_resumed(p.client) && !lt_conn_resumed(p.server));
    }
    EXPECT_EQ(m.certificate_sent, 5);
    free(s);
    /* Another server: its own ticket keys. */
    lt_config_free(p.scfg);
    p.scfg = lt_config_new(LT_ROLE_SERVER);
    EXPECT_EQ(lt_config_set_cert_chain_pem(p.scfg, p.pki.chain_pem, strlen(p.pki.chain_pem)), LT_OK);
    EXPECT_EQ(lt_config_set_key_pem(p.scfg, p.pki.key_pem, strlen(p.pki.key_pem)), LT_OK);
    EXPECT_EQ(again(&p, sess, len), LT_OK);
    EXPECT(!lt_conn_resumed(p.client) && !lt_conn_resumed(p.server));
    pair_free(&p);
}

/* A ticket key file both server configs load (RFC 5077 tickets of one
 * "fleet"): one key, 96 hex digits. */
static const char *key_file(void)
{
    static char path[64];
    snprintf(path, sizeof path, "/tmp/lt-resume12-keys.%ld", (long)getpid());
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    static const char line[] = "00112233445566778899aabbccddeeff"
                               "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n";
    EXPECT(fd >= 0 && write(fd, line, sizeof line - 1) == (ssize_t)(sizeof line - 1));
    close(fd);
    return path;
}

/* Sessions that are not offered or not taken: another name (RFC 6066 3),
 * past the lifetime (the client's, the cache's), evicted from a full
 * cache, a suite the server no longer has (RFC 5246 7.4.1.3). All full
 * handshakes. */
static void test_not_resumed(void)
{
    lt_pair p;
    init12(&p, NULL);
    EXPECT_EQ(lt_config_set_tickets(p.scfg, 0, 7200), LT_OK);
    EXPECT_EQ(pair_handshake(&p), LT_OK);
    uint8_t sess[LT_SESSION_MAX_LEN], other[LT_SESSION_MAX_LEN];
    size_t len = take(&p, sess);
    /* Another name: the client does not offer it. */
    lt_config *named = client_cfg(&p);
    EXPECT_EQ(lt_config_dangerous_disable_hostname_check(named), LT_OK);
    EXPECT_EQ(pair_new_conns(&p), LT_OK);
    lt_conn_free(p.client);
    p.client = lt_conn_new(named);
    EXPECT_EQ(lt_conn_set_hostname(p.client, "other.example"), LT_OK);
    EXPECT_EQ(lt_conn_set_session(p.client, sess, len), LT_OK);
    EXPECT_EQ(pair_handshake(&p), LT_OK);
    EXPECT(!lt_conn_resumed(p.client) && !lt_conn_resumed(p.server));
    lt_config_free(named);
    /* Still fine now; past its lifetime (7200 s by default), not offered
     * (and the server's cache dropped it too when it saw that time). */
    EXPECT_EQ(again(&p, sess, len), LT_OK);
    EXPECT(lt_conn_resumed(p.client));
    lt_test_clock_advance(7201 * 1000);
    EXPECT_EQ(again(&p, sess, len), LT_OK);
    EXPECT(!lt_conn_resumed(p.client));
    lt_test_clock_advance(-7201 * 1000);
    /* The cache's own lifetime: 10 s. */
    lt_conn_free(p.server);
    p.server = NULL;
    swap_cfg(&p.scfg, server_cfg(&p));
    EXPECT_EQ(lt_config_set_tickets(p.scfg, 0, 7200), LT_OK);
    EXPECT_EQ(lt_config_set_session_cache(p.scfg, 16, 10), LT_OK);
    EXPECT_EQ(pair_new_conns(&p), LT_OK);
    EXPECT_EQ(pair_handshake(&p), LT_OK);
    len = take(&p, sess);
    lt_test_clock_advance(9 * 1000);
    EXPECT_EQ(again(&p, sess, len), LT_OK);
    EXPECT(lt_conn_resumed(p.server));
    lt_test_clock_advance(2 * 1000);
    EXPECT_EQ(again(&p, sess, len), LT_OK);
    EXPECT(!lt_conn_resumed(p.server));
    lt_test_clock_advance(-11 * 1000);
    /* A cache of one: a second session evicts the first. */
    lt_conn_free(p.server);
    p.server = NULL;
    swap_cfg(&p.scfg, server_cfg(&p));
    EXPECT_EQ(lt_config_set_tickets(p.scfg, 0, 7200), LT_OK);
    EXPECT_EQ(lt_config_set_session_cache(p.scfg, 1, 600), LT_OK);
    EXPECT_EQ(pair_new_conns(&p), LT_OK);
    EXPECT_EQ(pair_handshake(&p), LT_OK);
    len = take(&p, sess);
    EXPECT_EQ(pair_new_conns(&p), LT_OK);
    EXPECT_EQ(pair_handshake(&p), LT_OK);
    size_t other_len = take(&p, other);
    EXPECT_EQ(again(&p, other, other_len), LT_OK);
    EXPECT(lt_conn_resumed(p.client) && lt_conn_resumed(p.server));
    EXPECT_EQ(again(&p, sess, len), LT_OK);
    EXPECT(!lt_conn_resumed(p.client) && !lt_conn_resumed(p.server));
    /* Two servers of one fleet (one ticket key file): the second no longer
     * has the session's suite, so a full handshake with the other one (the
     * client offers both). */
    const char *keys = key_file();
    const uint16_t both[2] = {SUITE, LT_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384};
    const uint16_t other_suite = LT_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384;
    lt_conn_free(p.server);
    lt_conn_free(p.client);
    p.server = p.client = NULL;
    swap_cfg(&p.ccfg, client_cfg(&p));
    EXPECT_EQ(lt_config_set_cipher_suites(p.ccfg, both, 2), LT_OK);
    swap_cfg(&p.scfg, server_cfg(&p));
    EXPECT_EQ(lt_config_set_ticket_key_file(p.scfg, keys), LT_OK);
    EXPECT_EQ(pair_new_conns(&p), LT_OK);
    EXPECT_EQ(pair_handshake(&p), LT_OK);
    EXPECT_EQ(lt_conn_cipher_suite(p.client), SUITE);
    len = take(&p, sess);
    lt_config *second = server_cfg(&p);
    EXPECT_EQ(lt_config_set_ticket_key_file(second, keys), LT_OK);
    EXPECT_EQ(again(&p, sess, len), LT_OK); /* the first server: resumed */
    EXPECT(lt_conn_resumed(p.client) && lt_conn_resumed(p.server));
    lt_config *full = server_cfg(&p);
    EXPECT_EQ(lt_config_set_ticket_key_file(full, keys), LT_OK);
    EXPECT_EQ(lt_config_set_cipher_suites(full, &other_suite, 1), LT_OK);
    lt_conn_free(p.server);
    p.server = NULL;
    swap_cfg(&p.scfg, second);
    EXPECT_EQ(again(&p, sess, len), LT_OK); /* another server, same keys: resumed */
    EXPECT(lt_conn_resumed(p.client) && lt_conn_resumed(p.server));
    lt_conn_free(p.server);
    p.server = NULL;
    swap_cfg(&p.scfg, full);
    EXPECT_EQ(again(&p, sess, len), LT_OK); /* same keys, not the suite: full */
    EXPECT(!lt_conn_resumed(p.client) && !lt_conn_resumed(p.server));
    EXPECT_EQ(lt_conn_cipher_suite(p.client), other_suite);
    unlink(keys);
    pair_free(&p);
}

/* A client that speaks TLS 1.2 and 1.3 offers its TLS 1.2 session the
 * TLS 1.2 way (its session ID is also the 1.3 compatibility ID). */
static void test_dual_version_client(void)
{
    lt_pair p;
    init12(&p, NULL);
    EXPECT_EQ(lt_config_set_tickets(p.scfg, 0, 7200), LT_OK);
    swap_cfg(&p.ccfg, client_cfg(&p));
    EXPECT_EQ(pair_new_conns(&p), LT_OK);
    EXPECT_EQ(pair_handshake(&p), LT_OK);
    EXPECT_EQ(lt_conn_version(p.client), LT_TLS1_2);
    uint8_t sess[LT_SESSION_MAX_LEN];
    size_t len = take(&p, sess);
    EXPECT_EQ(again(&p, sess, len), LT_OK);
    EXPECT(lt_conn_resumed(p.client) && lt_conn_resumed(p.server));
    /* With tickets too (a server with its defaults). */
    lt_conn_free(p.server);
    p.server = NULL;
    swap_cfg(&p.scfg, server_cfg(&p));
    const uint16_t suite = SUITE;
    EXPECT_EQ(lt_config_set_cipher_suites(p.scfg, &suite, 1), LT_OK);
    EXPECT_EQ(pair_new_conns(&p), LT_OK);
    EXPECT_EQ(pair_handshake(&p), LT_OK);
    len = take(&p, sess);
    EXPECT_EQ(again(&p, sess, len), LT_OK);
    EXPECT(lt_conn_resumed(p.client) && lt_conn_resumed(p.server));
    pair_free(&p);
}

/* ---- rewriting hellos in flight ---- */

typedef struct rewrite {
    int active;
    int from_client;
    uint16_t ext_from, ext_to; /* rename an extension (same length: nothing else moves) */
    uint16_t suite_to;         /* ServerHello: a different cipher suite */
    int done;
} rewrite;

/* The extensions of the hello at the start of buf (one record, one
 * message); the offset of the cipher suite through *suite_at. */
static size_t hello_exts(const uint8_t *buf, size_t len, int client, size_t *suite_at, size_t *end)
{
    if (len < 5 + 4 + 2 + 32 + 1 || buf[0] != 22 || buf[5] != (client ? 1 : 2)) {
        return 0;
    }
    size_t off = 5 + 4 + 2 + 32;
    off += 1 + buf[off];
    *suite_at = off;
    if (client) {
        off += 2 + (((size_t)buf[off] << 8) | buf[off + 1]);
        off += 1 + buf[off];
    } else {
        off += 2 + 1;
    }
    *end = 5 + (((size_t)buf[3] << 8) | buf[4]);
    return off + 2 <= *end ? off + 2 : 0;
}

static void rewrite_hook(void *arg, int from_client, uint8_t *buf, size_t *len, size_t cap)
{
    (void)cap;
    rewrite *r = arg;
    size_t suite_at = 0, end = 0;
    if (!r->active || r->done || from_client != r->from_client) {
        return;
    }
    size_t off = hello_exts(buf, *len, from_client, &suite_at, &end);
    if (off == 0) {
        return;
    }
    r->done = 1;
    if (r->suite_to != 0) {
        lt_put_u16(buf + suite_at, r->suite_to);
    }
    while (r->ext_from != 0 && off + 4 <= end) {
        uint16_t type = (uint16_t)((buf[off] << 8) | buf[off + 1]);
        size_t n = ((size_t)buf[off + 2] << 8) | buf[off + 3];
        if (type == r->ext_from) {
            lt_put_u16(buf + off, r->ext_to);
            return;
        }
        off += 4 + n;
    }
}

static void expect_failure(lt_pair *p, int rc, lt_conn *failing, int err, int alert)
{
    EXPECT_EQ(rc, err);
    EXPECT_EQ(lt_conn_error(failing, NULL), err);
    EXPECT_EQ(lt_conn_alert_sent(failing), alert);
    (void)p;
}

/* RFC 7627 5.3, server: the session used EMS, the new ClientHello does not
 * offer it (renamed away in flight) -> abort with handshake_failure. */
static void test_server_ems_dropped_aborts(void)
{
    lt_pair p;
    rewrite r = {0, 1, LT_EXT_EXTENDED_MASTER_SECRET, 0xFFEE, 0, 0};
    init12(&p, NULL);
    EXPECT_EQ(lt_config_set_tickets(p.scfg, 0, 7200), LT_OK);
    p.hook = rewrite_hook;
    p.hook_arg = &r;
    EXPECT_EQ(pair_new_conns(&p), LT_OK);
    EXPECT_EQ(pair_handshake(&p), LT_OK);
    uint8_t sess[LT_SESSION_MAX_LEN];
    size_t len = take(&p, sess);
    r.active = 1;
    int rc = again(&p, sess, len);
    EXPECT(r.done);
    EXPECT(rc != LT_OK);
    expect_failure(&p, lt_conn_error(p.server, NULL), p.server, LT_ERR_HANDSHAKE_FAILURE, 40);
    EXPECT_EQ(lt_conn_peer_alert(p.client), 40);
    pair_free(&p);
}

/* RFC 7627 5.3, server: the session had no EMS (the client had it off), the
 * new ClientHello offers it (an empty SessionTicket renamed to
 * extended_master_secret in flight) -> not resumed: a full handshake, which
 * answers with EMS (and our client, which did not send it, refuses that). */
static void test_server_ems_added_gives_full_handshake(void)
{
    lt_pair p;
    counts m = {0};
    rewrite r = {0, 1, LT_EXT_SESSION_TICKET, LT_EXT_EXTENDED_MASTER_SECRET, 0, 0};
    init12(&p, &m);
    EXPECT_EQ(lt_config_set_tickets(p.scfg, 0, 7200), LT_OK);
    EXPECT_EQ(lt_config_set_ems(p.ccfg, 0), LT_OK);
    p.hook = rewrite_hook;
    p.hook_arg = &r;
    EXPECT_EQ(pair_new_conns(&p), LT_OK);
    EXPECT_EQ(pair_handshake(&p), LT_OK);
    EXPECT(!lt_conn_used_ems(p.client));
    uint8_t sess[LT_SESSION_MAX_LEN];
    size_t len = take(&p, sess);
    /* Without the rewrite, neither side has EMS: our server does not resume
     * that either (RFC 7627 5.3 says it SHOULD abort; a full handshake is
     * as safe). */
    EXPECT_EQ(again(&p, sess, len), LT_OK);
    EXPECT(!lt_conn_resumed(p.server));
    EXPECT_EQ(m.certificate_sent, 2);
    r.active = 1;
    EXPECT_EQ(again(&p, sess, len), LT_ERR_UNSUPPORTED_EXTENSION);
    EXPECT(r.done);
    EXPECT(!lt_conn_resumed(p.server));
    EXPECT_EQ(m.certificate_sent, 3); /* the server went for a full handshake */
    EXPECT_EQ(lt_conn_error(p.client, NULL), LT_ERR_UNSUPPORTED_EXTENSION);
    pair_free(&p);
}

/* RFC 7627 5.3, client: the session used EMS, the resuming ServerHello
 * lacks it (renamed to an empty SessionTicket in flight) -> abort with
 * handshake_failure. */
static void test_client_ems_dropped_aborts(void)
{
    lt_pair p;
    rewrite r = {0, 0, LT_EXT_EXTENDED_MASTER_SECRET, LT_EXT_SESSION_TICKET, 0, 0};
    init12(&p, NULL);
    EXPECT_EQ(lt_config_set_tickets(p.scfg, 0, 7200), LT_OK);
    p.hook = rewrite_hook;
    p.hook_arg = &r;
    EXPECT_EQ(pair_new_conns(&p), LT_OK);
    EXPECT_EQ(pair_handshake(&p), LT_OK);
    uint8_t sess[LT_SESSION_MAX_LEN];
    size_t len = take(&p, sess);
    r.active = 1;
    EXPECT_EQ(again(&p, sess, len), LT_ERR_HANDSHAKE_FAILURE);
    EXPECT(r.done);
    expect_failure(&p, LT_ERR_HANDSHAKE_FAILURE, p.client, LT_ERR_HANDSHAKE_FAILURE, 40);
    pair_free(&p);
}

/* RFC 5246 7.4.1.3, client: a ServerHello that resumes our session with
 * another suite (rewritten in flight) -> illegal_parameter. */
static void test_client_suite_mismatch_aborts(void)
{
    lt_pair p;
    rewrite r = {0, 0, 0, 0, LT_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, 0};
    init12(&p, NULL);
    const uint16_t both[2] = {SUITE, LT_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384};
    EXPECT_EQ(lt_config_set_cipher_suites(p.ccfg, both, 2), LT_OK);
    EXPECT_EQ(lt_config_set_tickets(p.scfg, 0, 7200), LT_OK);
    p.hook = rewrite_hook;
    p.hook_arg = &r;
    EXPECT_EQ(pair_new_conns(&p), LT_OK);
    EXPECT_EQ(pair_handshake(&p), LT_OK);
    uint8_t sess[LT_SESSION_MAX_LEN];
    size_t len = take(&p, sess);
    r.active = 1;
    EXPECT_EQ(again(&p, sess, len), LT_ERR_ILLEGAL_PARAMETER);
    EXPECT(r.done);
    expect_failure(&p, LT_ERR_ILLEGAL_PARAMETER, p.client, LT_ERR_ILLEGAL_PARAMETER, 47);
    pair_free(&p);
}

/* The application's store instead of the built-in cache. */
typedef struct store {
    uint8_t id[32], data[1024];
    size_t id_len, len;
    int puts, gets, removes;
} store;

static int store_put(void *arg, const uint8_t *id, size_t id_len, const uint8_t *data, size_t len, uint32_t life)
{
    store *s = arg;
    if (id_len > sizeof s->id || len > sizeof s->data || life == 0) {
        return -1;
    }
    memcpy(s->id, id, id_len);
    memcpy(s->data, data, len);
    s->id_len = id_len;
    s->len = len;
    s->puts++;
    return 0;
}

static int store_get(void *arg, const uint8_t *id, size_t id_len, uint8_t *buf, size_t cap, size_t *len)
{
    store *s = arg;
    s->gets++;
    if (s->len == 0 || id_len != s->id_len || memcmp(id, s->id, id_len) != 0 || s->len > cap) {
        return 0;
    }
    memcpy(buf, s->data, s->len);
    *len = s->len;
    return 1;
}

static void store_remove(void *arg, const uint8_t *id, size_t id_len)
{
    store *s = arg;
    if (id_len == s->id_len && memcmp(id, s->id, id_len) == 0) {
        s->removes++;
    }
}

static void test_external_store(void)
{
    lt_pair p;
    static store st;
    lt_session_store cb = {store_put, store_get, store_remove, &st};
    init12(&p, NULL);
    EXPECT_EQ(lt_config_set_tickets(p.scfg, 0, 7200), LT_OK);
    EXPECT_EQ(lt_config_set_session_store(p.scfg, &cb), LT_OK);
    EXPECT_EQ(pair_new_conns(&p), LT_OK);
    EXPECT_EQ(pair_handshake(&p), LT_OK);
    EXPECT_EQ(st.puts, 1);
    EXPECT_EQ(st.id_len, 32);
    uint8_t sess[LT_SESSION_MAX_LEN];
    size_t len = take(&p, sess);
    EXPECT_EQ(again(&p, sess, len), LT_OK);
    EXPECT(lt_conn_resumed(p.client) && lt_conn_resumed(p.server));
    EXPECT_EQ(st.gets, 1);
    /* A stored session that does not parse is none. */
    st.data[0] ^= 0xFF;
    EXPECT_EQ(again(&p, sess, len), LT_OK);
    EXPECT(!lt_conn_resumed(p.server));
    EXPECT_EQ(st.puts, 2); /* the new session */
    /* One that parses but cannot be resumed (another suite now) is removed. */
    len = take(&p, sess);
    const uint16_t other_suite = LT_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384;
    const uint16_t both[2] = {SUITE, other_suite};
    lt_conn_free(p.server);
    lt_conn_free(p.client);
    p.server = p.client = NULL;
    swap_cfg(&p.ccfg, client_cfg(&p));
    EXPECT_EQ(lt_config_set_cipher_suites(p.ccfg, both, 2), LT_OK);
    swap_cfg(&p.scfg, server_cfg(&p)); /* the same store behind it */
    EXPECT_EQ(lt_config_set_tickets(p.scfg, 0, 7200), LT_OK);
    EXPECT_EQ(lt_config_set_session_store(p.scfg, &cb), LT_OK);
    EXPECT_EQ(lt_config_set_cipher_suites(p.scfg, &other_suite, 1), LT_OK);
    EXPECT_EQ(again(&p, sess, len), LT_OK);
    EXPECT(!lt_conn_resumed(p.server));
    EXPECT_EQ(st.removes, 1);
    lt_config *fresh = server_cfg(&p);
    lt_session_store half = {store_put, NULL, NULL, &st};
    EXPECT_EQ(lt_config_set_session_store(fresh, &half), LT_ERR_CONFIG);
    EXPECT_EQ(lt_config_set_session_store(fresh, NULL), LT_OK);
    lt_config_free(fresh);
    pair_free(&p);
}

int main(void)
{
    LT_RUN(test_session_id);
    LT_RUN(test_ticket);
    LT_RUN(test_nothing_to_keep);
    LT_RUN(test_bad_tickets_give_full_handshakes);
    LT_RUN(test_not_resumed);
    LT_RUN(test_dual_version_client);
    LT_RUN(test_server_ems_dropped_aborts);
    LT_RUN(test_server_ems_added_gives_full_handshake);
    LT_RUN(test_client_ems_dropped_aborts);
    LT_RUN(test_client_suite_mismatch_aborts);
    LT_RUN(test_external_store);
    return lt_test_summary();
}
