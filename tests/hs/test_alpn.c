/*
 * ALPN (RFC 7301): the codec (every malformed list refused with
 * decode_error, the largest legal inputs accepted, our writer read back),
 * the choice in memory for both versions (negative cases: a server answer
 * we did not offer), the ClientHello hook (refusal with its own alert,
 * lt_conn_set_config only inside it) and lt_config_set_sigalgs.
 * Interop with real peers: tests/interop/test_alpn.sh.
 */
#include <stdlib.h>
#include <string.h>

#include "hs/messages_alpn.h"
#include "pair.h"
#include "test.h"

static int parse_hex(const char *hex, lt_rd *list, size_t *count)
{
    static uint8_t buf[70000];
    size_t n = lt_test_unhex(hex, buf, sizeof buf);
    lt_rd r = lt_rd_init(buf, n);
    return lt_alpn_parse_list(&r, list, count);
}

static void test_parser_refuses_malformed_lists(void)
{
    lt_rd list;
    size_t n = 0;
    EXPECT_EQ(parse_hex("0006 02 6832 02 6833", &list, &n), LT_OK);
    EXPECT_EQ(n, 2);
    /* RFC 7301 3.1: ProtocolName<1..2^8-1>, the list <2..2^16-1>. */
    EXPECT_EQ(parse_hex("", &list, &n), LT_ERR_DECODE);                /* no list */
    EXPECT_EQ(parse_hex("0000", &list, &n), LT_ERR_DECODE);            /* empty list */
    EXPECT_EQ(parse_hex("0001 00", &list, &n), LT_ERR_DECODE);         /* under 2 bytes */
    EXPECT_EQ(parse_hex("0002 00 00", &list, &n), LT_ERR_DECODE);      /* empty names */
    EXPECT_EQ(parse_hex("0004 02 6832 00", &list, &n), LT_ERR_DECODE); /* an empty name after a good one */
    EXPECT_EQ(parse_hex("0003 03 6832", &list, &n), LT_ERR_DECODE);    /* name past the list */
    EXPECT_EQ(parse_hex("0004 02 6832", &list, &n), LT_ERR_DECODE);    /* list past the body */
    EXPECT_EQ(parse_hex("0003 02 6832 ff", &list, &n), LT_ERR_DECODE); /* trailing byte */
    EXPECT_EQ(parse_hex("0004 02 6832 01", &list, &n), LT_ERR_DECODE); /* a name cut short */
    /* The largest: 255 names of 255 bytes (256 with the length byte) and
     * one of 254 fill a list of exactly 2^16-1 bytes. */
    static char hex[140000];
    size_t at = (size_t)sprintf(hex, "ffff");
    for (int i = 0; i < 255; i++) {
        at += (size_t)sprintf(hex + at, "ff");
        for (int j = 0; j < 255; j++) {
            at += (size_t)sprintf(hex + at, "61");
        }
    }
    at += (size_t)sprintf(hex + at, "fe");
    for (int j = 0; j < 254; j++) {
        at += (size_t)sprintf(hex + at, "62");
    }
    EXPECT_EQ(parse_hex(hex, &list, &n), LT_OK);
    EXPECT_EQ(n, 256);
    EXPECT(lt_alpn_list_has(list, (const uint8_t *)"bbb", 3) == 0);
}

static void test_selected_needs_exactly_one(void)
{
    uint8_t b[16];
    lt_rd name;
    size_t n = lt_test_unhex("0003 02 6832", b, sizeof b);
    lt_rd r = lt_rd_init(b, n);
    EXPECT_EQ(lt_alpn_parse_selected(&r, &name), LT_OK);
    EXPECT(lt_rd_left(&name) == 2 && memcmp(name.p, "h2", 2) == 0);
    n = lt_test_unhex("0006 02 6832 02 6833", b, sizeof b);
    r = lt_rd_init(b, n);
    EXPECT_EQ(lt_alpn_parse_selected(&r, &name), LT_ERR_ILLEGAL_PARAMETER);
    n = lt_test_unhex("0001 00", b, sizeof b);
    r = lt_rd_init(b, n);
    EXPECT_EQ(lt_alpn_parse_selected(&r, &name), LT_ERR_DECODE);
}

static void test_encode_and_write_roundtrip(void)
{
    uint8_t list[64], buf[128];
    size_t len = 0, bad = 0;
    EXPECT_EQ(lt_alpn_encode("h2,http/1.1", list, sizeof list, &len, &bad), LT_OK);
    EXPECT_EQ(len, 12);
    EXPECT(memcmp(list, "\x02h2\x08http/1.1", 12) == 0);
    EXPECT_EQ(lt_alpn_encode("", list, sizeof list, &len, &bad), LT_OK);
    EXPECT_EQ(len, 0);
    EXPECT_EQ(lt_alpn_encode("h2,,x", list, sizeof list, &len, &bad), LT_ERR_CONFIG);
    EXPECT_EQ(bad, 3);
    EXPECT_EQ(lt_alpn_encode("h2,", list, sizeof list, &len, &bad), LT_ERR_CONFIG);
    EXPECT_EQ(lt_alpn_encode(",h2", list, sizeof list, &len, &bad), LT_ERR_CONFIG);
    char big[300];
    memset(big, 'a', 256);
    big[256] = '\0';
    EXPECT_EQ(lt_alpn_encode(big, list, sizeof list, &len, &bad), LT_ERR_CONFIG); /* a name over 255 */
    /* The writer's extension reads back through the parser. */
    EXPECT_EQ(lt_alpn_encode("h2,http/1.1", list, sizeof list, &len, &bad), LT_OK);
    lt_wr w = lt_wr_init(buf, sizeof buf);
    lt_alpn_write_list_ext(&w, list, len);
    EXPECT_EQ(lt_wr_finish(&w), LT_OK);
    EXPECT_EQ(w.off, 4 + 2 + 12);
    lt_rd r = lt_rd_init(buf + 4, w.off - 4), got;
    size_t count = 0;
    EXPECT_EQ(lt_alpn_parse_list(&r, &got, &count), LT_OK);
    EXPECT_EQ(count, 2);
    w = lt_wr_init(buf, sizeof buf);
    lt_alpn_write_selected_ext(&w, (const uint8_t *)"h2", 2);
    EXPECT_EQ(lt_wr_finish(&w), LT_OK);
    r = lt_rd_init(buf + 4, w.off - 4);
    EXPECT_EQ(lt_alpn_parse_selected(&r, &got), LT_OK);
}

/* A pair whose configs have these ALPN lists (NULL: none) and version. */
static void alpn_pair(lt_pair *p, const char *client, const char *server, uint16_t version)
{
    EXPECT_EQ(pair_init_configs(p, 0), LT_OK);
    if (client != NULL) {
        EXPECT_EQ(lt_config_set_alpn(p->ccfg, client), LT_OK);
    }
    if (server != NULL) {
        EXPECT_EQ(lt_config_set_alpn(p->scfg, server), LT_OK);
    }
    EXPECT_EQ(lt_config_set_versions(p->ccfg, version, version), LT_OK);
    EXPECT_EQ(pair_new_conns(p), LT_OK);
}

static void test_choice_in_both_versions(void)
{
    const uint16_t versions[2] = {LT_TLS1_2, LT_TLS1_3};
    for (int i = 0; i < 2; i++) {
        lt_pair p;
        alpn_pair(&p, "h2,http/1.1", "http/1.1,h2", versions[i]);
        EXPECT_EQ(pair_handshake(&p), LT_OK);
        size_t len = 0;
        const char *c = lt_conn_alpn(p.client, &len), *s = lt_conn_alpn(p.server, NULL);
        EXPECT(c != NULL && len == 8 && strcmp(c, "http/1.1") == 0); /* the server's preference */
        EXPECT(s != NULL && strcmp(s, "http/1.1") == 0);
        pair_free(&p);

        alpn_pair(&p, "spdy/3", "h2", versions[i]);
        EXPECT(pair_handshake(&p) < 0);
        EXPECT_EQ(lt_conn_error(p.server, NULL), LT_ERR_NO_APPLICATION_PROTOCOL);
        EXPECT_EQ(lt_conn_alert_sent(p.server), LT_ALERT_NO_APPLICATION_PROTOCOL);
        pair_free(&p);

        alpn_pair(&p, "h2", NULL, versions[i]); /* a server without a list answers none */
        EXPECT_EQ(pair_handshake(&p), LT_OK);
        EXPECT(lt_conn_alpn(p.client, NULL) == NULL && lt_conn_alpn(p.server, NULL) == NULL);
        pair_free(&p);

        alpn_pair(&p, NULL, "h2", versions[i]); /* no offer: nothing */
        EXPECT_EQ(pair_handshake(&p), LT_OK);
        EXPECT(lt_conn_alpn(p.server, NULL) == NULL);
        pair_free(&p);
    }
}

/* The server's answer must be one we offered (RFC 7301 3.1): the client
 * offers "h3", the server chooses it, and the flight in transit is
 * rewritten so that the answer reads "h4" (same length). */
static void swap_h3_for_h4(void *arg, int from_client, uint8_t *buf, size_t *len, size_t cap)
{
    (void)arg;
    (void)cap;
    if (from_client) {
        return;
    }
    for (size_t i = 0; i + 3 <= *len; i++) {
        if (buf[i] == 2 && buf[i + 1] == 'h' && buf[i + 2] == '3') {
            buf[i + 2] = '4';
        }
    }
}

static void test_answer_not_offered_is_illegal_parameter(void)
{
    lt_pair p;
    alpn_pair(&p, "h3", "h3", LT_TLS1_2); /* 1.2: the answer is in the clear ServerHello */
    p.hook = swap_h3_for_h4;
    EXPECT(pair_handshake(&p) < 0);
    EXPECT_EQ(lt_conn_error(p.client, NULL), LT_ERR_ILLEGAL_PARAMETER);
    const char *detail = NULL;
    lt_conn_error(p.client, &detail);
    EXPECT(detail != NULL && strstr(detail, "which we did not offer") != NULL);
    pair_free(&p);
}

/* ---- the ClientHello hook ---- */

typedef struct hook_state {
    int calls;
    int verdict;
    lt_config *other;
    int set_rc;
    char sni[64];
} hook_state;

static int hook(void *arg, lt_conn *conn, const lt_client_hello_info *info)
{
    hook_state *h = arg;
    h->calls++;
    snprintf(h->sni, sizeof h->sni, "%s", info->server_name != NULL ? info->server_name : "");
    if (h->other != NULL) {
        h->set_rc = lt_conn_set_config(conn, h->other);
    }
    return h->verdict;
}

static void test_hook_refuses_with_its_alert(void)
{
    lt_pair p;
    hook_state h = {.verdict = LT_ALERT_ACCESS_DENIED};
    EXPECT_EQ(pair_init_configs(&p, 0), LT_OK);
    EXPECT_EQ(lt_config_set_client_hello_callback(p.scfg, hook, &h), LT_OK);
    EXPECT_EQ(lt_config_set_client_hello_callback(p.ccfg, hook, &h), LT_ERR_CONFIG);
    EXPECT(pair_handshake(&p) < 0);
    EXPECT_EQ(h.calls, 1);
    EXPECT(strcmp(h.sni, "localhost") == 0);
    EXPECT_EQ(lt_conn_error(p.server, NULL), LT_ERR_REJECTED);
    EXPECT_EQ(lt_conn_alert_sent(p.server), LT_ALERT_ACCESS_DENIED); /* the hook's, not the table's */
    EXPECT_EQ(lt_conn_peer_alert(p.client), LT_ALERT_ACCESS_DENIED);
    /* Outside the hook, lt_conn_set_config is misuse. */
    EXPECT_EQ(lt_conn_set_config(p.server, p.scfg), LT_ERR_USAGE);
    pair_free(&p);
}

/* Once per handshake: not again for ClientHello2 after a HelloRetryRequest;
 * the switched config's policy (ALPN, groups) decides. */
static void test_hook_switches_config_once(void)
{
    lt_pair p;
    hook_state h = {0};
    EXPECT_EQ(pair_init_configs(&p, 0), LT_OK);
    h.other = lt_config_new(LT_ROLE_SERVER);
    EXPECT_EQ(lt_config_set_cert_chain_pem(h.other, p.pki.chain_pem, strlen(p.pki.chain_pem)), LT_OK);
    EXPECT_EQ(lt_config_set_key_pem(h.other, p.pki.key_pem, strlen(p.pki.key_pem)), LT_OK);
    EXPECT_EQ(lt_config_set_alpn(h.other, "h2"), LT_OK);
    const uint16_t p384 = LT_GROUP_SECP384R1;
    EXPECT_EQ(lt_config_set_groups(h.other, &p384, 1), LT_OK); /* forces a HelloRetryRequest */
    EXPECT_EQ(lt_config_set_client_hello_callback(p.scfg, hook, &h), LT_OK);
    EXPECT_EQ(lt_config_set_alpn(p.ccfg, "h2,http/1.1"), LT_OK);
    EXPECT_EQ(pair_handshake(&p), LT_OK);
    EXPECT_EQ(h.calls, 1);
    EXPECT_EQ(h.set_rc, LT_OK);
    EXPECT(lt_config_frozen(h.other));
    EXPECT_EQ(lt_conn_group(p.client), LT_GROUP_SECP384R1);
    EXPECT(lt_conn_alpn(p.client, NULL) != NULL && strcmp(lt_conn_alpn(p.client, NULL), "h2") == 0);
    /* The connection holds the other config: the caller's reference may go. */
    lt_config_free(h.other);
    pair_transfer(&p, 1, (const uint8_t *)"x", 1);
    pair_free(&p);

    /* A config without a certificate, or a client's, is refused. */
    EXPECT_EQ(pair_init_configs(&p, 0), LT_OK);
    hook_state h2 = {0};
    h2.other = lt_config_new(LT_ROLE_SERVER);
    EXPECT_EQ(lt_config_set_client_hello_callback(p.scfg, hook, &h2), LT_OK);
    EXPECT_EQ(pair_handshake(&p), LT_OK);
    EXPECT_EQ(h2.set_rc, LT_ERR_USAGE);
    lt_config_free(h2.other);
    pair_free(&p);

    /* A config that asks for client certificates with no anchors to check
     * them against cannot be switched to, as it cannot make a connection. */
    EXPECT_EQ(pair_init_configs(&p, 0), LT_OK);
    hook_state h3 = {0};
    h3.other = lt_config_new(LT_ROLE_SERVER);
    EXPECT_EQ(lt_config_set_cert_chain_pem(h3.other, p.pki.chain_pem, strlen(p.pki.chain_pem)), LT_OK);
    EXPECT_EQ(lt_config_set_key_pem(h3.other, p.pki.key_pem, strlen(p.pki.key_pem)), LT_OK);
    EXPECT_EQ(lt_config_set_client_auth(h3.other, LT_CLIENT_AUTH_REQUIRE), LT_OK);
    EXPECT_EQ(lt_config_set_client_hello_callback(p.scfg, hook, &h3), LT_OK);
    EXPECT_EQ(pair_handshake(&p), LT_OK); /* on the first config */
    EXPECT_EQ(h3.set_rc, LT_ERR_CONFIG);
    lt_config_free(h3.other);
    pair_free(&p);
}

/* lt_config_set_sigalgs: the client offers only these, and refuses a
 * server signature with any other. */
static void test_sigalgs(void)
{
    lt_pair p;
    EXPECT_EQ(pair_init_configs(&p, 0), LT_OK);
    uint16_t bad = 0x0201; /* rsa_pkcs1_sha1: not ours */
    EXPECT_EQ(lt_config_set_sigalgs(p.ccfg, &bad, 1), LT_ERR_CONFIG);
    EXPECT_EQ(lt_config_set_sigalgs(p.ccfg, NULL, 0), LT_ERR_CONFIG);
    uint16_t pkcs1 = 0x0401; /* rsa_pkcs1_sha256: TLS 1.2 only */
    EXPECT_EQ(lt_config_set_sigalgs(p.ccfg, &pkcs1, 1), LT_OK);
    EXPECT_EQ(lt_config_set_versions(p.ccfg, LT_TLS1_2, LT_TLS1_2), LT_OK);
    uint16_t ecdhe = LT_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256;
    EXPECT_EQ(lt_config_set_cipher_suites(p.ccfg, &ecdhe, 1), LT_OK);
    EXPECT_EQ(pair_handshake(&p), LT_OK);
    pair_free(&p);
    /* Only ECDSA accepted: an RSA-only server has nothing to sign with that
     * we would accept (the offer is the config's, not the default list). */
    EXPECT_EQ(pair_init_configs(&p, 0), LT_OK);
    uint16_t ecdsa = 0x0403;
    EXPECT_EQ(lt_config_set_sigalgs(p.ccfg, &ecdsa, 1), LT_OK);
    EXPECT_EQ(lt_config_set_versions(p.ccfg, LT_TLS1_2, LT_TLS1_2), LT_OK);
    EXPECT_EQ(lt_config_set_cipher_suites(p.ccfg, &ecdhe, 1), LT_OK);
    EXPECT(pair_handshake(&p) < 0);
    EXPECT_EQ(lt_conn_error(p.server, NULL), LT_ERR_HANDSHAKE_FAILURE);
    pair_free(&p);
}

int main(void)
{
    LT_RUN(test_parser_refuses_malformed_lists);
    LT_RUN(test_selected_needs_exactly_one);
    LT_RUN(test_encode_and_write_roundtrip);
    LT_RUN(test_choice_in_both_versions);
    LT_RUN(test_answer_not_offered_is_illegal_parameter);
    LT_RUN(test_hook_refuses_with_its_alert);
    LT_RUN(test_hook_switches_config_once);
    LT_RUN(test_sigalgs);
    return lt_test_summary();
}
