/*
 * ECDHE (RFC 8422) under attack, in memory: a real lucidtls server's flight
 * is rewritten on its way to the client (and the client's key exchange on
 * its way back), and each rewrite must get the alert the RFCs name:
 *   - a ServerKeyExchange signature that does not verify: decrypt_error
 *     (RFC 5246 7.4.3, 7.2.2);
 *   - a group, or a signature scheme, the client did not offer, or a scheme
 *     that does not fit the certificate's key: illegal_parameter;
 *   - a correctly signed but invalid point (X25519 low order, P-256 off the
 *     curve): illegal_parameter (RFC 8422 5.11, RFC 7748 6.1);
 *   - a bad point in the client's ClientKeyExchange: the server's
 *     illegal_parameter;
 *   - a malformed ServerKeyExchange: decode_error, and an ECCurveType other
 *     than named_curve: illegal_parameter.
 * The re-signed cases sign with the server's own key over the real randoms,
 * so only the point is wrong.
 */
#include <stdlib.h>
#include <string.h>

#include "conn/conn.h"
#include "crypto/crypto.h"
#include "hs/messages.h"
#include "pair.h"
#include "test.h"

typedef enum {
    M_NONE,
    M_FLIP_SIGNATURE,
    M_GROUP_NOT_OFFERED,
    M_SCHEME_NOT_OFFERED,
    M_SCHEME_WRONG_KEY,
    M_CURVE_TYPE,
    M_TRUNCATE,
    M_RESIGN_ZERO_POINT,
    M_RESIGN_OFF_CURVE,
    M_CLIENT_ZERO_POINT,
} mutation;

typedef struct tamper {
    mutation m;
    const lt_pkey *server_key;
    uint8_t client_random[32];
    uint8_t server_random[32];
    int done;
} tamper;

/* The handshake message of type `type` inside the unprotected handshake
 * records of buf: its record header and the message (4-byte header + body). */
static uint8_t *find_message(uint8_t *buf, size_t len, uint8_t type, uint8_t **rec_hdr)
{
    size_t i = 0;
    while (i + 5 <= len) {
        size_t n = ((size_t)buf[i + 3] << 8) | buf[i + 4];
        if (buf[i] == 20) {
            return NULL; /* keys change: nothing after this is plaintext */
        }
        if (buf[i] == 22) {
            size_t j = i + 5;
            while (j + 4 <= i + 5 + n) {
                size_t body = ((size_t)buf[j + 1] << 16) | ((size_t)buf[j + 2] << 8) | buf[j + 3];
                if (buf[j] == type) {
                    *rec_hdr = buf + i;
                    return buf + j;
                }
                j += 4 + body;
            }
        }
        i += 5 + n;
    }
    return NULL;
}

static size_t msg_body_len(const uint8_t *m)
{
    return ((size_t)m[1] << 16) | ((size_t)m[2] << 8) | m[3];
}

/* Replace the point of a ServerKeyExchange (group at body+1, point length
 * at body+3) by one of the same length, then sign it again with the
 * server's key over both randoms (RFC 8422 5.4), keeping the scheme. */
static void resign_with_point(tamper *t, uint8_t *ske, const uint8_t *point)
{
    uint8_t *body = ske + 4;
    size_t plen = body[3];
    memcpy(body + 4, point, plen);
    size_t params_len = 4 + plen;
    uint8_t *sig_at = body + params_len;
    uint16_t scheme = (uint16_t)(sig_at[0] << 8 | sig_at[1]);
    size_t old_sig_len = ((size_t)sig_at[2] << 8) | sig_at[3];
    uint8_t tbs[64 + 4 + LT_MAX_KX_PUBLIC];
    memcpy(tbs, t->client_random, 32);
    memcpy(tbs + 32, t->server_random, 32);
    memcpy(tbs + 64, body, params_len);
    uint8_t sig[LT_MAX_SIGNATURE_LEN];
    size_t sig_len = 0;
    EXPECT_EQ(lt_sign_tls12(t->server_key, scheme, tbs, 64 + params_len, sig, sizeof sig, &sig_len), LT_OK);
    /* RSA signatures keep their length; only then can we write in place. */
    EXPECT_EQ(sig_len, old_sig_len);
    memcpy(sig_at + 4, sig, sig_len);
}

static void hook(void *arg, int from_client, uint8_t *buf, size_t *len, size_t cap)
{
    tamper *t = arg;
    uint8_t *hdr = NULL;
    if (from_client) {
        uint8_t *ch = find_message(buf, *len, LT_HS_CLIENT_HELLO, &hdr);
        if (ch != NULL) {
            memcpy(t->client_random, ch + 4 + 2, 32);
        }
        uint8_t *cke = find_message(buf, *len, LT_HS_CLIENT_KEY_EXCHANGE, &hdr);
        if (cke != NULL && t->m == M_CLIENT_ZERO_POINT && !t->done) {
            memset(cke + 5, 0, cke[4]); /* X25519 u = 0: a low-order point */
            t->done = 1;
        }
        return;
    }
    uint8_t *sh = find_message(buf, *len, LT_HS_SERVER_HELLO, &hdr);
    if (sh != NULL) {
        memcpy(t->server_random, sh + 4 + 2, 32);
    }
    uint8_t *ske = find_message(buf, *len, LT_HS_SERVER_KEY_EXCHANGE, &hdr);
    if (ske == NULL || t->done) {
        return;
    }
    t->done = 1;
    uint8_t *body = ske + 4;
    size_t blen = msg_body_len(ske);
    size_t plen = body[3];
    uint8_t *sig_at = body + 4 + plen;
    switch (t->m) {
    case M_NONE: break;
    case M_FLIP_SIGNATURE: body[blen - 1] ^= 0x01; break;
    case M_GROUP_NOT_OFFERED: body[2] = LT_GROUP_SECP384R1; break;
    case M_SCHEME_NOT_OFFERED: sig_at[0] = 0x02, sig_at[1] = 0x01; break; /* rsa_pkcs1_sha1 */
    case M_SCHEME_WRONG_KEY: sig_at[0] = 0x04, sig_at[1] = 0x03; break;   /* ecdsa with an RSA key */
    case M_CURVE_TYPE: body[0] = 1; break;                                /* explicit_prime */
    case M_TRUNCATE: {
        /* Cut the message to 3 bytes of body, fixing both length fields. */
        size_t cut = blen - 3;
        memmove(body + 3, body + blen, (size_t)(buf + *len - (body + blen)));
        *len -= cut;
        ske[3] = 3, ske[2] = 0, ske[1] = 0;
        size_t rl = (((size_t)hdr[3] << 8) | hdr[4]) - cut;
        hdr[3] = (uint8_t)(rl >> 8), hdr[4] = (uint8_t)rl;
        break;
    }
    case M_RESIGN_ZERO_POINT: {
        uint8_t zero[32] = {0};
        resign_with_point(t, ske, zero);
        break;
    }
    case M_RESIGN_OFF_CURVE: {
        uint8_t pt[65];
        memcpy(pt, body + 4, 65);
        pt[64] ^= 0x01; /* y changed: (x, y') is not on P-256 */
        resign_with_point(t, ske, pt);
        break;
    }
    case M_CLIENT_ZERO_POINT: t->done = 0; break;
    }
    (void)cap;
}

/* A pair doing ECDHE_RSA with the given client groups; the mutation is
 * applied in flight. Returns the client (or, server_side, the server). */
static void run(mutation m, uint16_t group, int want_rc, int want_alert, int server_side, const char *want_detail)
{
    lt_pair p;
    EXPECT_EQ(pair_init_configs(&p, LT_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256), LT_OK);
    EXPECT_EQ(lt_config_set_groups(p.ccfg, &group, 1), LT_OK);
    EXPECT_EQ(pair_new_conns(&p), LT_OK);
    tamper t = {.m = m, .server_key = p.scfg->policy.id[LT_ID_RSA].key};
    p.hook = hook;
    p.hook_arg = &t;
    int rc = pair_handshake(&p);
    lt_conn *victim = server_side ? p.server : p.client;
    lt_conn *other = server_side ? p.client : p.server;
    const char *detail = NULL;
    if (want_rc == LT_OK) {
        EXPECT_EQ(rc, LT_OK);
    } else {
        EXPECT_EQ(lt_conn_error(victim, &detail), want_rc);
        EXPECT_EQ(lt_conn_alert_sent(victim), want_alert);
        EXPECT_EQ(lt_conn_peer_alert(other), want_alert);
        if (detail == NULL || strstr(detail, want_detail) == NULL) {
            fprintf(stderr, "  detail: '%s'\n  wanted: '%s'\n", detail ? detail : "(null)", want_detail);
            EXPECT(0);
        }
    }
    pair_free(&p);
}

static void test_untampered_handshake_works_for_every_group(void)
{
    run(M_NONE, LT_GROUP_X25519, LT_OK, 0, 0, "");
    run(M_NONE, LT_GROUP_SECP256R1, LT_OK, 0, 0, "");
    run(M_NONE, LT_GROUP_SECP384R1, LT_OK, 0, 0, "");
}

static void test_bad_signature_is_decrypt_error(void)
{
    run(M_FLIP_SIGNATURE, LT_GROUP_X25519, LT_ERR_DECRYPT_ERROR, 51, 0, "signature");
}

static void test_unoffered_group_is_illegal_parameter(void)
{
    run(M_GROUP_NOT_OFFERED, LT_GROUP_X25519, LT_ERR_ILLEGAL_PARAMETER, 47, 0, "which we did not offer");
}

static void test_unoffered_or_misfit_scheme_is_illegal_parameter(void)
{
    run(M_SCHEME_NOT_OFFERED, LT_GROUP_X25519, LT_ERR_ILLEGAL_PARAMETER, 47, 0, "did not offer");
    run(M_SCHEME_WRONG_KEY, LT_GROUP_X25519, LT_ERR_ILLEGAL_PARAMETER, 47, 0, "does not fit");
}

static void test_bad_points_are_illegal_parameter(void)
{
    run(M_RESIGN_ZERO_POINT, LT_GROUP_X25519, LT_ERR_ILLEGAL_PARAMETER, 47, 0, "not a valid point");
    run(M_RESIGN_OFF_CURVE, LT_GROUP_SECP256R1, LT_ERR_ILLEGAL_PARAMETER, 47, 0, "not a valid point");
    run(M_CLIENT_ZERO_POINT, LT_GROUP_X25519, LT_ERR_ILLEGAL_PARAMETER, 47, 1, "not a valid point");
}

static void test_malformed_server_key_exchange(void)
{
    run(M_TRUNCATE, LT_GROUP_X25519, LT_ERR_DECODE, 50, 0, "malformed ECDHE ServerKeyExchange");
    run(M_CURVE_TYPE, LT_GROUP_X25519, LT_ERR_ILLEGAL_PARAMETER, 47, 0, "malformed ECDHE ServerKeyExchange");
}

/* Nothing in common: the server's only group is not the client's. */
static void test_no_common_group_is_handshake_failure(void)
{
    lt_pair p;
    EXPECT_EQ(pair_init_configs(&p, LT_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256), LT_OK);
    uint16_t cg = LT_GROUP_SECP384R1, sg = LT_GROUP_X25519;
    EXPECT_EQ(lt_config_set_groups(p.ccfg, &cg, 1), LT_OK);
    EXPECT_EQ(lt_config_set_groups(p.scfg, &sg, 1), LT_OK);
    EXPECT_EQ(pair_new_conns(&p), LT_OK);
    EXPECT(pair_handshake(&p) != LT_OK);
    const char *detail = NULL;
    EXPECT_EQ(lt_conn_error(p.server, &detail), LT_ERR_HANDSHAKE_FAILURE);
    EXPECT_EQ(lt_conn_alert_sent(p.server), 40);
    EXPECT(detail != NULL && strstr(detail, "group we share") != NULL);
    pair_free(&p);
}

/* An ECDSA suite needs an ECDSA certificate: a server with only an RSA one
 * does not choose it, and falls back to its next suite the client offers. */
static void test_suite_needs_the_right_certificate(void)
{
    lt_pair p;
    EXPECT_EQ(pair_init_configs(&p, 0), LT_OK);
    uint16_t both[2] = {LT_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, LT_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384};
    EXPECT_EQ(lt_config_set_cipher_suites(p.ccfg, both, 2), LT_OK);
    EXPECT_EQ(pair_new_conns(&p), LT_OK);
    EXPECT_EQ(pair_handshake(&p), LT_OK);
    EXPECT_EQ(lt_conn_cipher_suite(p.client), LT_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384);
    pair_free(&p);
    EXPECT_EQ(pair_init(&p, LT_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256), LT_OK);
    EXPECT(pair_handshake(&p) != LT_OK);
    const char *detail = NULL;
    EXPECT_EQ(lt_conn_error(p.server, &detail), LT_ERR_HANDSHAKE_FAILURE);
    EXPECT(detail != NULL && strstr(detail, "certificate we do not have") != NULL);
    pair_free(&p);
}

int main(void)
{
    LT_RUN(test_untampered_handshake_works_for_every_group);
    LT_RUN(test_bad_signature_is_decrypt_error);
    LT_RUN(test_unoffered_group_is_illegal_parameter);
    LT_RUN(test_unoffered_or_misfit_scheme_is_illegal_parameter);
    LT_RUN(test_bad_points_are_illegal_parameter);
    LT_RUN(test_malformed_server_key_exchange);
    LT_RUN(test_no_common_group_is_handshake_failure);
    LT_RUN(test_suite_needs_the_right_certificate);
    return lt_test_summary();
}
