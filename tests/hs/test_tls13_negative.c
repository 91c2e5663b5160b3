/*
 * TLS 1.3 under attack, in memory: our client against our server, with the
 * bytes in flight tampered with (tests/harness/pair.c hooks), records
 * injected, or the configuration set so, and each case checked for the
 * alert RFC 8446 names:
 *   - resumption: a PSK binder that does not verify is decrypt_error; a
 *     ticket that does not open is no error: a full handshake (4.2.11);
 *   - ChangeCipherSpec outside the one the handshake allows: unexpected_message
 *     (5, D.4);
 *   - a protected record with no content type, or an empty handshake or
 *     alert: unexpected_message (5.4); a record over 2^14 + 256 bytes, or a
 *     TLSInnerPlaintext over 2^14 + 1: record_overflow (5.2, 5.4);
 *   - KeyUpdate before Finished: unexpected_message; with request_update 2:
 *     illegal_parameter; a flood of them is cut off (4.6.3);
 *   - early data the server refuses is skipped up to its bound, then
 *     unexpected_message (4.2.10);
 *   - lt_conn_key_update and lt_conn_export_keying_material (4.6.3, 7.5).
 *
 * Records after ServerHello are encrypted, so a case that must put a
 * message under the peer's keys seals it itself: the traffic secrets come
 * from the key log (lt_config_set_keylog, NSS format), the keys from them
 * with lt_ks13_traffic_keys (7.3), and the record from libcrypto's AEAD
 * directly (5.2, 5.3), so that it can break the library's own limits.
 * Early data is offered by rewriting our client's ClientHello1 and, white
 * box, its transcript (see offer_early_data).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Test code: it seals records with libcrypto itself (seal_inner), like
 * tests/unit/test_crypto_record.c; the library keeps OpenSSL in src/crypto. */
#include <openssl/evp.h>

#include "conn/conn.h"
#include "crypto/crypto.h"
#include "hs/hs_int.h"
#include "hs/keysched13.h"
#include "hs/session.h"
#include "hs/suites.h"
#include "pair.h"
#include "peer13.h"
#include "test.h"

/* ---- walking records and hellos in flight ---- */

static size_t rec_len(const uint8_t *r)
{
    return REC_HDR + (((size_t)r[3] << 8) | r[4]);
}

/* The offsets of the first n records of buf (whole ones only). */
static size_t list_records(const uint8_t *buf, size_t len, size_t *at, size_t max)
{
    size_t n = 0, i = 0;
    while (i + REC_HDR <= len && i + rec_len(buf + i) <= len && n < max) {
        at[n++] = i;
        i += rec_len(buf + i);
    }
    return n;
}

/* Extension `type` of a hello message (4-byte header first): the offset of
 * its data in msg and its length, and whether it is the last one. */
static int find_ext(const uint8_t *msg, size_t len, int server_hello, uint16_t type, size_t *data_off, size_t *data_len,
                    int *is_last)
{
    size_t off = 4 + 2 + 32;
    off += 1 + msg[off];
    if (server_hello) {
        off += 2 + 1;
    } else {
        off += 2 + (((size_t)msg[off] << 8) | msg[off + 1]);
        off += 1 + msg[off];
    }
    if (off + 2 > len) {
        return 0;
    }
    size_t end = off + 2 + (((size_t)msg[off] << 8) | msg[off + 1]);
    off += 2;
    while (off + 4 <= end && end <= len) {
        uint16_t t = (uint16_t)(msg[off] << 8 | msg[off + 1]);
        size_t n = ((size_t)msg[off + 2] << 8) | msg[off + 3];
        if (t == type) {
            *data_off = off + 4;
            *data_len = n;
            *is_last = off + 4 + n == end;
            return 1;
        }
        off += 4 + n;
    }
    return 0;
}

static uint8_t *pattern(size_t n)
{
    uint8_t *p = malloc(n);
    for (size_t i = 0; p != NULL && i < n; i++) {
        p[i] = (uint8_t)(i * 13 + 5);
    }
    return p;
}

static void exchange_data(lt_pair *p, size_t n)
{
    uint8_t *d = pattern(n);
    EXPECT_EQ(pair_transfer(p, 1, d, n), LT_OK);
    EXPECT_EQ(pair_transfer(p, 0, d, n), LT_OK);
    free(d);
}

/* A pair with the default configs (TLS 1.3 preferred), before its
 * handshake; the server logs its secrets into kl (when not NULL). */
static void new_pair(lt_pair *p, keylog *kl)
{
    EXPECT_EQ(pair_init_configs(p, 0), LT_OK);
    if (kl != NULL) {
        memset(kl, 0, sizeof *kl);
        lt_config_set_keylog(p->scfg, keylog_cb, kl);
    }
    EXPECT_EQ(pair_new_conns(p), LT_OK);
}

static void expect_failed(const lt_conn *c, int err, int alert, const char *detail_part)
{
    const char *detail = "";
    EXPECT_EQ(lt_conn_error(c, &detail), err);
    EXPECT_EQ(lt_conn_alert_sent(c), alert);
    if (detail_part != NULL && (detail == NULL || strstr(detail, detail_part) == NULL)) {
        fprintf(stderr, "  detail %s lacks \"%s\"\n", detail ? detail : "(none)", detail_part);
        EXPECT(0);
    }
}

/* ---- resumption: a bad binder, a ticket that is not ours ---- */

/* A session from a full handshake; the tickets arrive with the records
 * that follow it. */
static size_t get_session(lt_pair *p, uint8_t *blob, size_t cap)
{
    EXPECT_EQ(pair_handshake(p), LT_OK);
    exchange_data(p, 10);
    size_t len = 0;
    EXPECT_EQ(lt_conn_get_session(p->client, blob, cap, &len), LT_OK);
    return len;
}

typedef enum { PSK_FLIP_BINDER, PSK_FLIP_IDENTITY, PSK_WATCH } psk_mode;

typedef struct psk_tamper {
    psk_mode mode;
    int client_batches;
    int server_batches;
    int ch_has_psk_last;
    int sh_has_psk;
    int done;
} psk_tamper;

/* The first record from the client holds the ClientHello; the first from
 * the server the ServerHello. */
static void psk_hook(void *arg, int from_client, uint8_t *buf, size_t *len, size_t cap)
{
    (void)cap;
    psk_tamper *t = arg;
    size_t off = 0, n = 0;
    int last = 0;
    if (!from_client) {
        if (t->server_batches++ == 0 && *len > REC_HDR + 4 && buf[REC_HDR] == LT_HS_SERVER_HELLO) {
            t->sh_has_psk = find_ext(buf + REC_HDR, rec_len(buf) - REC_HDR, 1, LT_EXT_PRE_SHARED_KEY, &off, &n, &last);
        }
        return;
    }
    if (t->client_batches++ != 0 || *len < REC_HDR + 4 || buf[REC_HDR] != LT_HS_CLIENT_HELLO) {
        return;
    }
    uint8_t *msg = buf + REC_HDR;
    size_t msg_len = rec_len(buf) - REC_HDR;
    t->ch_has_psk_last = find_ext(msg, msg_len, 0, LT_EXT_PRE_SHARED_KEY, &off, &n, &last) && last;
    if (!t->ch_has_psk_last) {
        return;
    }
    if (t->mode == PSK_FLIP_BINDER) {
        /* The binders are the end of pre_shared_key, the last extension
         * (4.2.11): the last byte of the message is the binder's. */
        msg[msg_len - 1] ^= 0x01;
        t->done = 1;
    } else if (t->mode == PSK_FLIP_IDENTITY) {
        /* identities<7..>: u16 length, then identity<1..> (u16 length). */
        size_t id_len = ((size_t)msg[off + 2] << 8) | msg[off + 3];
        msg[off + 4 + id_len / 2] ^= 0x01;
        t->done = 1;
    }
}

static void resumed_pair(lt_pair *p, const uint8_t *blob, size_t len, psk_tamper *t)
{
    EXPECT_EQ(pair_new_conns(p), LT_OK);
    EXPECT_EQ(lt_conn_set_session(p->client, blob, len), LT_OK);
    p->hook = psk_hook;
    p->hook_arg = t;
}

static void test_resumption_control(void)
{
    lt_pair p;
    uint8_t blob[LT_SESSION_MAX_LEN];
    new_pair(&p, NULL);
    size_t len = get_session(&p, blob, sizeof blob);
    psk_tamper t = {.mode = PSK_WATCH};
    resumed_pair(&p, blob, len, &t);
    EXPECT_EQ(pair_handshake(&p), LT_OK);
    EXPECT(t.ch_has_psk_last);
    EXPECT(t.sh_has_psk);
    EXPECT(lt_conn_resumed(p.client) && lt_conn_resumed(p.server));
    exchange_data(&p, 100);
    pair_free(&p);
}

/* RFC 8446 4.2.11: "If the server fails to validate the binder, it MUST
 * abort the handshake"; 4.2.11.2 and 6.2: decrypt_error. */
static void test_bad_binder_is_decrypt_error(void)
{
    lt_pair p;
    uint8_t blob[LT_SESSION_MAX_LEN];
    new_pair(&p, NULL);
    size_t len = get_session(&p, blob, sizeof blob);
    psk_tamper t = {.mode = PSK_FLIP_BINDER};
    resumed_pair(&p, blob, len, &t);
    EXPECT(pair_handshake(&p) < 0);
    EXPECT(t.done);
    expect_failed(p.server, LT_ERR_DECRYPT_ERROR, 51, "binder");
    EXPECT_EQ(lt_conn_error(p.client, NULL), LT_ERR_PEER_ALERT);
    EXPECT_EQ(lt_conn_peer_alert(p.client), 51);
    pair_free(&p);
}

/* RFC 8446 4.2.11: a PSK the server cannot use is ignored ("SHOULD simply
 * be ignored"): a ticket that does not open under our keys is no error,
 * and its binder is never looked at. The client's stored ticket is changed
 * (the session blob is re-encoded), so both sides hash the same hello and
 * the full handshake completes. */
static void test_ticket_not_ours_means_full_handshake(void)
{
    lt_pair p;
    uint8_t blob[LT_SESSION_MAX_LEN];
    new_pair(&p, NULL);
    size_t len = get_session(&p, blob, sizeof blob);
    lt_client_session s;
    EXPECT_EQ(lt_client_session_decode(blob, len, &s), LT_OK);
    EXPECT(s.ticket_len > 16);
    s.ticket[s.ticket_len / 2] ^= 0x01;
    EXPECT_EQ(lt_client_session_encode(&s, blob, sizeof blob, &len), LT_OK);
    psk_tamper t = {.mode = PSK_WATCH};
    resumed_pair(&p, blob, len, &t);
    EXPECT_EQ(pair_handshake(&p), LT_OK);
    EXPECT(t.ch_has_psk_last);
    EXPECT(!t.sh_has_psk);
    EXPECT(!lt_conn_resumed(p.client) && !lt_conn_resumed(p.server));
    exchange_data(&p, 100);
    pair_free(&p);
}

/* The same with the ticket identity changed in flight: the server must
 * not check the binder (no decrypt_error) and answers with a full
 * handshake (no pre_shared_key in its ServerHello). The two sides then
 * hash different ClientHellos, so their handshake keys differ and the
 * client cannot open the server's flight: bad_record_mac. */
static void test_ticket_changed_in_flight_is_ignored(void)
{
    lt_pair p;
    uint8_t blob[LT_SESSION_MAX_LEN];
    new_pair(&p, NULL);
    size_t len = get_session(&p, blob, sizeof blob);
    psk_tamper t = {.mode = PSK_FLIP_IDENTITY};
    resumed_pair(&p, blob, len, &t);
    EXPECT(pair_handshake(&p) < 0);
    EXPECT(t.done);
    EXPECT_EQ(t.server_batches >= 1, 1);
    EXPECT(!t.sh_has_psk);
    EXPECT(!lt_conn_resumed(p.server));
    EXPECT(lt_conn_error(p.server, NULL) != LT_ERR_DECRYPT_ERROR);
    EXPECT(lt_conn_alert_sent(p.server) != 51);
    expect_failed(p.client, LT_ERR_BAD_RECORD_MAC, 20, NULL);
    pair_free(&p);
}

/* ---- ChangeCipherSpec where TLS 1.3 allows none ---- */

static const uint8_t CCS_RECORD[6] = {LT_CT_CHANGE_CIPHER_SPEC, 3, 3, 0, 1, 1};

/* RFC 8446 5: a change_cipher_spec "received ... after the peer's
 * Finished" (or outside the handshake) is unexpected_message. */
static void test_ccs_after_handshake(void)
{
    for (int to_client = 0; to_client <= 1; to_client++) {
        lt_pair p;
        new_pair(&p, NULL);
        EXPECT_EQ(pair_handshake(&p), LT_OK);
        lt_conn *victim = to_client ? p.client : p.server;
        EXPECT(feed_all(victim, CCS_RECORD, sizeof CCS_RECORD) < 0);
        expect_failed(victim, LT_ERR_UNEXPECTED_MESSAGE, 10, "ChangeCipherSpec");
        pair_free(&p);
    }
}

/* RFC 8446 5: once the keys are set, every record but that
 * change_cipher_spec is protected (outer type application_data); an
 * unprotected alert, handshake message or unknown type is
 * unexpected_message. */
static void test_unprotected_record_under_tls13_keys(void)
{
    static const uint8_t alert[] = {LT_CT_ALERT, 3, 3, 0, 2, 1, 0};
    static const uint8_t hs[] = {LT_CT_HANDSHAKE, 3, 3, 0, 5, LT_HS_KEY_UPDATE, 0, 0, 1, 0};
    static const uint8_t odd[] = {24, 3, 3, 0, 1, 0};
    const struct {
        const uint8_t *rec;
        size_t len;
    } cases[] = {{alert, sizeof alert}, {hs, sizeof hs}, {odd, sizeof odd}};
    for (int to_client = 0; to_client <= 1; to_client++) {
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
            lt_pair p;
            new_pair(&p, NULL);
            EXPECT_EQ(pair_handshake(&p), LT_OK);
            lt_conn *victim = to_client ? p.client : p.server;
            EXPECT(feed_all(victim, cases[i].rec, cases[i].len) < 0);
            expect_failed(victim, LT_ERR_UNEXPECTED_MESSAGE, 10, NULL);
            pair_free(&p);
        }
    }
}

typedef enum { CCS_DOUBLE, CCS_VALUE_2 } ccs_mode;

typedef struct ccs_tamper {
    ccs_mode mode;
    int from_client; /* whose CCS */
    int done;
} ccs_tamper;

/* The batch that holds the side's compatibility CCS: double it (CCS CCS),
 * or make its byte 2. */
static void ccs_hook(void *arg, int from_client, uint8_t *buf, size_t *len, size_t cap)
{
    ccs_tamper *t = arg;
    if (t->done || from_client != t->from_client) {
        return;
    }
    size_t at[64];
    size_t n = list_records(buf, *len, at, 64);
    for (size_t i = 0; i < n; i++) {
        uint8_t *r = buf + at[i];
        if (r[0] != LT_CT_CHANGE_CIPHER_SPEC) {
            continue;
        }
        if (t->mode == CCS_VALUE_2) {
            r[5] = 2;
        } else if (*len + sizeof CCS_RECORD <= cap) {
            memmove(r + sizeof CCS_RECORD, r, *len - at[i]);
            memcpy(r, CCS_RECORD, sizeof CCS_RECORD);
            *len += sizeof CCS_RECORD;
        }
        t->done = 1;
        return;
    }
}

/* RFC 8446 D.4 and 5: each side sends one dummy CCS; we drop one and
 * refuse a second (dropping any number would let a peer keep us busy); a
 * CCS whose byte is not 1 is unexpected_message. */
static void test_second_ccs_or_bad_value_before_finished(void)
{
    for (int mode = CCS_DOUBLE; mode <= CCS_VALUE_2; mode++) {
        for (int from_client = 0; from_client <= 1; from_client++) {
            lt_pair p;
            new_pair(&p, NULL);
            ccs_tamper t = {(ccs_mode)mode, from_client, 0};
            p.hook = ccs_hook;
            p.hook_arg = &t;
            EXPECT(pair_handshake(&p) < 0);
            EXPECT(t.done);
            lt_conn *victim = from_client ? p.server : p.client;
            /* (The detail of the second is "record N: no content type
             * inside the protected record", which is not what happened;
             * only the alert is checked.) */
            expect_failed(victim, LT_ERR_UNEXPECTED_MESSAGE, 10, mode == CCS_DOUBLE ? "second ChangeCipherSpec" : NULL);
            pair_free(&p);
        }
    }
}

/* ---- protected records the receiver must refuse ---- */

/* A record under the sender's current application keys (its secret from
 * the key log, its sequence number white-box) holding the TLSInnerPlaintext
 * inner[0..n), fed to the other side. */
static int inject_inner(lt_pair *p, const keylog *kl, int from_client, const uint8_t *inner, size_t n)
{
    uint8_t secret[LT_MAX_HASH_LEN];
    const char *label = from_client ? "CLIENT_TRAFFIC_SECRET_0" : "SERVER_TRAFFIC_SECRET_0";
    EXPECT(keylog_secret(kl, label, secret) > 0);
    lt_conn *from = from_client ? p->client : p->server;
    lt_conn *to = from_client ? p->server : p->client;
    uint8_t *rec = malloc(REC_HDR + n + 16);
    size_t len = seal_inner(from, secret, from->rec.write_seq, inner, n, rec);
    EXPECT(len > 0);
    from->rec.write_seq++;
    int rc = len > 0 ? feed_all(to, rec, len) : LT_ERR_INTERNAL;
    free(rec);
    return rc;
}

/* The same with content pt of type `type`, unpadded. */
static int inject_app_record(lt_pair *p, const keylog *kl, int from_client, uint8_t type, const uint8_t *pt, size_t n)
{
    uint8_t *inner = malloc(n + 1);
    if (n > 0) {
        memcpy(inner, pt, n);
    }
    inner[n] = type;
    int rc = inject_inner(p, kl, from_client, inner, n + 1);
    free(inner);
    return rc;
}

/* RFC 8446 5.4: "If a receiving implementation does not find a non-zero
 * octet in the cleartext, it MUST terminate the connection with an
 * unexpected_message alert." */
static void test_inner_plaintext_all_zeros(void)
{
    static const uint8_t zeros[64];
    const size_t lens[] = {0, 1, 64};
    for (int from_client = 0; from_client <= 1; from_client++) {
        for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
            lt_pair p;
            keylog kl;
            new_pair(&p, &kl);
            EXPECT_EQ(pair_handshake(&p), LT_OK);
            EXPECT(inject_inner(&p, &kl, from_client, zeros, lens[i]) < 0);
            expect_failed(from_client ? p.server : p.client, LT_ERR_UNEXPECTED_MESSAGE, 10, "content type");
            pair_free(&p);
        }
    }
}

/* The sealer's own check: the same keys and sequence number with a real
 * type deliver the data. */
static void test_injected_record_control(void)
{
    lt_pair p;
    keylog kl;
    new_pair(&p, &kl);
    EXPECT_EQ(pair_handshake(&p), LT_OK);
    static const uint8_t hello[] = "sealed by the test";
    EXPECT_EQ(inject_app_record(&p, &kl, 1, LT_CT_APPLICATION_DATA, hello, sizeof hello), LT_OK);
    uint8_t got[64];
    size_t n = 0;
    EXPECT_EQ(lt_conn_read(p.server, got, sizeof got, &n), LT_OK);
    EXPECT(n == sizeof hello && memcmp(got, hello, n) == 0);
    EXPECT_EQ(lt_conn_error(p.server, NULL), 0);
    pair_free(&p);
}

/* RFC 8446 5.4: "Implementations MUST NOT send Handshake and Alert records
 * that have a zero-length TLSInnerPlaintext.content; if such a message is
 * received, the receiving implementation MUST terminate the connection
 * with an unexpected_message alert." A protected change_cipher_spec is
 * unexpected_message too (5). */
static void test_empty_handshake_or_alert_and_protected_ccs(void)
{
    const uint8_t types[] = {LT_CT_HANDSHAKE, LT_CT_ALERT, LT_CT_CHANGE_CIPHER_SPEC};
    static const uint8_t one = 1;
    for (size_t i = 0; i < sizeof types; i++) {
        lt_pair p;
        keylog kl;
        new_pair(&p, &kl);
        EXPECT_EQ(pair_handshake(&p), LT_OK);
        int ccs = types[i] == LT_CT_CHANGE_CIPHER_SPEC;
        EXPECT(inject_app_record(&p, &kl, 1, types[i], &one, ccs ? 1 : 0) < 0);
        expect_failed(p.server, LT_ERR_UNEXPECTED_MESSAGE, 10, NULL);
        pair_free(&p);
    }
}

/* RFC 8446 5.2: "The length MUST NOT exceed 2^14 + 256 bytes. An endpoint
 * that receives a record that exceeds this length MUST terminate the
 * connection with a "record_overflow" alert." At exactly 2^14 + 256 the
 * header passes and the junk fails to open. */
static void test_record_over_2_14_plus_256(void)
{
    for (int to_client = 0; to_client <= 1; to_client++) {
        for (int over = 0; over <= 1; over++) {
            lt_pair p;
            new_pair(&p, NULL);
            EXPECT_EQ(pair_handshake(&p), LT_OK);
            size_t body = LT_MAX_CIPHERTEXT_TLS13 + (size_t)over;
            uint8_t *rec = pattern(REC_HDR + body);
            rec[0] = LT_CT_APPLICATION_DATA, rec[1] = 3, rec[2] = 3;
            rec[3] = (uint8_t)(body >> 8), rec[4] = (uint8_t)body;
            lt_conn *victim = to_client ? p.client : p.server;
            EXPECT(feed_all(victim, rec, REC_HDR + body) < 0);
            if (over) {
                expect_failed(victim, LT_ERR_RECORD_OVERFLOW, 22, NULL);
            } else {
                expect_failed(victim, LT_ERR_BAD_RECORD_MAC, 20, NULL);
            }
            free(rec);
            pair_free(&p);
        }
    }
}

/* RFC 8446 5.4: "The length ... of the full encoded TLSInnerPlaintext MUST
 * NOT exceed 2^14 + 1 octets" (content, type and padding): record_overflow
 * past it (5.2 caps the content at 2^14 too). At the limit, with padding or
 * without, the content is delivered. */
static void inner_plaintext(size_t content, size_t padding, int want_ok)
{
    lt_pair p;
    keylog kl;
    new_pair(&p, &kl);
    EXPECT_EQ(pair_handshake(&p), LT_OK);
    size_t n = content + 1 + padding;
    uint8_t *inner = calloc(1, n);
    memset(inner, 'x', content);
    inner[content] = LT_CT_APPLICATION_DATA;
    int rc = inject_inner(&p, &kl, 1, inner, n);
    if (want_ok) {
        EXPECT_EQ(rc, LT_OK);
        uint8_t *got = malloc(LT_MAX_PLAINTEXT);
        size_t total = 0, r = 0;
        while (total < LT_MAX_PLAINTEXT && lt_conn_read(p.server, got + total, LT_MAX_PLAINTEXT - total, &r) == LT_OK &&
               r > 0) {
            total += r;
        }
        EXPECT_EQ(total, content);
        EXPECT(total == content && memcmp(got, inner, content) == 0);
        EXPECT_EQ(lt_conn_error(p.server, NULL), 0);
        free(got);
    } else {
        EXPECT(rc < 0);
        expect_failed(p.server, LT_ERR_RECORD_OVERFLOW, 22, NULL);
    }
    free(inner);
    pair_free(&p);
}

static void test_inner_plaintext_limit(void)
{
    inner_plaintext(LT_MAX_PLAINTEXT, 0, 1);         /* 2^14 + 1 */
    inner_plaintext(100, LT_MAX_PLAINTEXT - 100, 1); /* 2^14 + 1 with padding */
    inner_plaintext(0, LT_MAX_PLAINTEXT, 1);         /* empty application data, all padding */
    inner_plaintext(LT_MAX_PLAINTEXT + 1, 0, 0);     /* content over 2^14 */
    inner_plaintext(LT_MAX_PLAINTEXT, 1, 0);         /* 2^14 + 2 */
    inner_plaintext(100, LT_MAX_PLAINTEXT - 99, 0);  /* 2^14 + 2 with padding */
    inner_plaintext(0, LT_MAX_PLAINTEXT + 200, 0);   /* 2^14 + 201, all padding */
}

/* ---- KeyUpdate ---- */

static const uint8_t KEY_UPDATE_NOT_REQUESTED[5] = {LT_HS_KEY_UPDATE, 0, 0, 1, 0};

typedef enum { KU_BEFORE_FINISHED, KU_RESEAL_FINISHED } ku_mode;

typedef struct ku_tamper {
    ku_mode mode;
    int from_client; /* whose flight */
    const keylog *kl;
    lt_pair *p;
    int done;
    int failed; /* the test's own sealing failed */
} ku_tamper;

/* Replaces the last protected record of the side's handshake flight (its
 * Finished) with a KeyUpdate sealed at the same sequence number under the
 * handshake keys, or (control) with the Finished opened and sealed again. */
static void ku_hook(void *arg, int from_client, uint8_t *buf, size_t *len, size_t cap)
{
    (void)cap;
    ku_tamper *t = arg;
    if (t->done || from_client != t->from_client) {
        return;
    }
    size_t at[64];
    size_t n = list_records(buf, *len, at, 64);
    size_t first = n, last = n;
    for (size_t i = 0; i < n; i++) {
        if (buf[at[i]] == LT_CT_APPLICATION_DATA) {
            first = first == n ? i : first;
            last = i;
        }
    }
    if (first == n) {
        return;
    }
    t->done = 1;
    uint8_t secret[LT_MAX_HASH_LEN];
    const char *label = from_client ? "CLIENT_HANDSHAKE_TRAFFIC_SECRET" : "SERVER_HANDSHAKE_TRAFFIC_SECRET";
    const lt_conn *sender = from_client ? t->p->client : t->p->server;
    uint64_t seq = last - first;
    uint8_t pt[256], type = 0, rec[512];
    size_t pt_len = sizeof KEY_UPDATE_NOT_REQUESTED;
    memcpy(pt, KEY_UPDATE_NOT_REQUESTED, pt_len);
    type = LT_CT_HANDSHAKE;
    if (keylog_secret(t->kl, label, secret) == 0) {
        t->failed = 1;
        return;
    }
    if (t->mode == KU_RESEAL_FINISHED) {
        pt_len = open13(sender, secret, seq, buf + at[last], rec_len(buf + at[last]), &type, pt, sizeof pt);
        if (pt_len == (size_t)-1 || type != LT_CT_HANDSHAKE || pt[0] != LT_HS_FINISHED) {
            t->failed = 1;
            return;
        }
    }
    size_t m = seal13(sender, secret, seq, type, pt, pt_len, rec);
    if (m == 0) {
        t->failed = 1;
        return;
    }
    /* The Finished was the last record of the batch. */
    memcpy(buf + at[last], rec, m);
    *len = at[last] + m;
}

/* RFC 8446 4.6.3 and 5: KeyUpdate is a post-handshake message; before
 * Finished it is unexpected_message. The control re-seals the real
 * Finished the same way and the handshake completes, so the failure is the
 * KeyUpdate's, not the sealing's. */
static void test_key_update_before_finished(void)
{
    for (int from_client = 0; from_client <= 1; from_client++) {
        for (int mode = KU_BEFORE_FINISHED; mode <= KU_RESEAL_FINISHED; mode++) {
            lt_pair p;
            keylog kl;
            new_pair(&p, &kl);
            ku_tamper t = {(ku_mode)mode, from_client, &kl, &p, 0, 0};
            p.hook = ku_hook;
            p.hook_arg = &t;
            int rc = pair_handshake(&p);
            EXPECT(t.done && !t.failed);
            lt_conn *victim = from_client ? p.server : p.client;
            if (mode == KU_RESEAL_FINISHED) {
                EXPECT_EQ(rc, LT_OK);
                exchange_data(&p, 10);
            } else {
                EXPECT(rc < 0);
                expect_failed(victim, LT_ERR_UNEXPECTED_MESSAGE, 10, "KeyUpdate");
            }
            pair_free(&p);
        }
    }
}

/* RFC 8446 4.6.3: "If an implementation receives a KeyUpdate with a
 * request_update field other than these two values, it MUST terminate the
 * connection with an "illegal_parameter" alert." A body of another length
 * is malformed: decode_error. */
static void test_key_update_bad_request_value(void)
{
    static const uint8_t ku2[] = {LT_HS_KEY_UPDATE, 0, 0, 1, 2};
    static const uint8_t ku255[] = {LT_HS_KEY_UPDATE, 0, 0, 1, 255};
    static const uint8_t ku_long[] = {LT_HS_KEY_UPDATE, 0, 0, 2, 0, 0};
    static const uint8_t ku_empty[] = {LT_HS_KEY_UPDATE, 0, 0, 0};
    const struct {
        const uint8_t *msg;
        size_t len;
        int err, alert;
    } cases[] = {{ku2, sizeof ku2, LT_ERR_ILLEGAL_PARAMETER, 47},
                 {ku255, sizeof ku255, LT_ERR_ILLEGAL_PARAMETER, 47},
                 {ku_long, sizeof ku_long, LT_ERR_DECODE, 50},
                 {ku_empty, sizeof ku_empty, LT_ERR_DECODE, 50}};
    for (int from_client = 0; from_client <= 1; from_client++) {
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
            lt_pair p;
            new_pair(&p, NULL);
            EXPECT_EQ(pair_handshake(&p), LT_OK);
            lt_conn *from = from_client ? p.client : p.server;
            EXPECT_EQ(lt_record_write(&from->rec, LT_CT_HANDSHAKE, cases[i].msg, cases[i].len), LT_OK);
            pair_pump(&p);
            expect_failed(from_client ? p.server : p.client, cases[i].err, cases[i].alert, "KeyUpdate");
            pair_free(&p);
        }
    }
}

typedef struct ku_count {
    int recv;
    int sent;
} ku_count;

static void count_key_updates(void *arg, const lt_conn *c, const lt_event *ev)
{
    (void)c;
    ku_count *k = arg;
    if (strcmp(ev->what, "KeyUpdate") == 0) {
        k->recv += ev->kind == LT_EV_MSG_RECV;
        k->sent += ev->kind == LT_EV_MSG_SENT;
    }
}

/* Sends n KeyUpdates from the client, all queued before the server reads
 * any; returns how many the server handled. */
static int key_update_flood(lt_pair *p, int n, int request_peer, ku_count *server_seen)
{
    memset(server_seen, 0, sizeof *server_seen);
    for (int i = 0; i < n; i++) {
        EXPECT_EQ(lt_conn_key_update(p->client, request_peer), LT_OK);
    }
    pair_pump(p);
    pair_pump(p);
    return server_seen->recv;
}

/* A KeyUpdate changes keys and carries nothing: a peer could send them
 * forever, each costing a key derivation. They count as records that
 * carry nothing (conn.c, LT_MAX_NOISE_IN_A_ROW): the receiver cuts the
 * flood off with unexpected_message after a bounded number, and data in
 * between resets the count. With update_requested each one is answered
 * once (4.6.3), never more. */
static void test_key_update_flood_is_cut_off(void)
{
    for (int request_peer = 0; request_peer <= 1; request_peer++) {
        lt_pair p;
        ku_count seen;
        EXPECT_EQ(pair_init_configs(&p, 0), LT_OK);
        lt_config_set_trace(p.scfg, count_key_updates, &seen, 0);
        EXPECT_EQ(pair_new_conns(&p), LT_OK);
        EXPECT_EQ(pair_handshake(&p), LT_OK);
        /* Data first: the client counts the server's NewSessionTickets as
         * records that carry nothing too, and with update_requested it
         * gets one answer per request. */
        exchange_data(&p, 10);
        EXPECT_EQ(key_update_flood(&p, LT_MAX_NOISE_IN_A_ROW, request_peer, &seen), LT_MAX_NOISE_IN_A_ROW);
        EXPECT_EQ(seen.sent, request_peer ? LT_MAX_NOISE_IN_A_ROW : 0);
        EXPECT_EQ(lt_conn_error(p.server, NULL), 0);
        exchange_data(&p, 10);
        int handled = key_update_flood(&p, 200, request_peer, &seen);
        EXPECT(handled >= 2 && handled <= LT_MAX_NOISE_IN_A_ROW + 1);
        /* Each answered once at most (4.6.3), the last one maybe before
         * the cut. */
        EXPECT(seen.sent <= (request_peer ? handled : 0));
        expect_failed(p.server, LT_ERR_UNEXPECTED_MESSAGE, 10, "in a row");
        pair_free(&p);
    }
}

/* lt_conn_key_update: LT_ERR_USAGE before the handshake ends and in TLS
 * 1.2; in TLS 1.3 both sides go on exchanging data through updates of
 * either side, asked for or not. */
static void test_key_update_api(void)
{
    lt_pair p;
    EXPECT_EQ(pair_init(&p, 0), LT_OK);
    EXPECT_EQ(lt_conn_key_update(p.client, 0), LT_ERR_USAGE);
    EXPECT_EQ(lt_conn_key_update(p.server, 1), LT_ERR_USAGE);
    EXPECT_EQ(lt_conn_handshake(p.client), LT_WANT_INPUT);
    EXPECT_EQ(lt_conn_key_update(p.client, 0), LT_ERR_USAGE);
    pair_free(&p);

    EXPECT_EQ(pair_init_configs(&p, 0), LT_OK);
    EXPECT_EQ(lt_config_set_versions(p.ccfg, LT_TLS1_2, LT_TLS1_2), LT_OK);
    EXPECT_EQ(pair_new_conns(&p), LT_OK);
    EXPECT_EQ(pair_handshake(&p), LT_OK);
    EXPECT_EQ(lt_conn_version(p.client), LT_TLS1_2);
    EXPECT_EQ(lt_conn_key_update(p.client, 0), LT_ERR_USAGE);
    EXPECT_EQ(lt_conn_key_update(p.server, 1), LT_ERR_USAGE);
    exchange_data(&p, 10);
    pair_free(&p);

    ku_count cseen, sseen;
    memset(&cseen, 0, sizeof cseen);
    memset(&sseen, 0, sizeof sseen);
    EXPECT_EQ(pair_init_configs(&p, 0), LT_OK);
    lt_config_set_trace(p.ccfg, count_key_updates, &cseen, 0);
    lt_config_set_trace(p.scfg, count_key_updates, &sseen, 0);
    EXPECT_EQ(pair_new_conns(&p), LT_OK);
    EXPECT_EQ(pair_handshake(&p), LT_OK);
    EXPECT_EQ(lt_conn_version(p.client), LT_TLS1_3);
    for (int i = 0; i < 3; i++) {
        EXPECT_EQ(lt_conn_key_update(p.client, 0), LT_OK);
        exchange_data(&p, 20000);
        EXPECT_EQ(lt_conn_key_update(p.server, 0), LT_OK);
        exchange_data(&p, 100);
        EXPECT_EQ(lt_conn_key_update(p.client, 1), LT_OK); /* the server answers */
        exchange_data(&p, 100);
        EXPECT_EQ(lt_conn_key_update(p.server, 1), LT_OK); /* the client answers */
        exchange_data(&p, 100);
    }
    pair_pump(&p);                /* the client's last answer */
    EXPECT_EQ(cseen.sent, 3 * 3); /* its own six, three answers */
    EXPECT_EQ(sseen.sent, 3 * 3);
    EXPECT_EQ(cseen.recv, 3 * 3);
    EXPECT_EQ(sseen.recv, 3 * 3);
    EXPECT_EQ(lt_conn_close(p.client), LT_OK);
    EXPECT_EQ(lt_conn_key_update(p.client, 0), LT_ERR_USAGE);
    pair_free(&p);
}

/* ---- exporters (RFC 8446 7.5, RFC 5705) ---- */

static void export_both(lt_pair *p, const char *label, const uint8_t *ctx, size_t ctx_len, int use_ctx, uint8_t out[64])
{
    uint8_t other[64];
    EXPECT_EQ(lt_conn_export_keying_material(p->client, label, strlen(label), ctx, ctx_len, use_ctx, out, 64), LT_OK);
    EXPECT_EQ(lt_conn_export_keying_material(p->server, label, strlen(label), ctx, ctx_len, use_ctx, other, 64), LT_OK);
    EXPECT_MEM(out, other, 64);
}

static void exporter_for(uint16_t version)
{
    lt_pair p;
    EXPECT_EQ(pair_init_configs(&p, 0), LT_OK);
    EXPECT_EQ(lt_config_set_versions(p.ccfg, version, version), LT_OK);
    EXPECT_EQ(pair_new_conns(&p), LT_OK);
    uint8_t a[64], b[64], c[64], none[64], empty[64], short32[32];
    EXPECT_EQ(lt_conn_export_keying_material(p.client, "x", 1, NULL, 0, 0, a, 32), LT_ERR_USAGE);
    EXPECT_EQ(pair_handshake(&p), LT_OK);
    EXPECT_EQ(lt_conn_version(p.client), version);
    static const uint8_t ctx1[] = "context one", ctx2[] = "context two";
    export_both(&p, "EXPORTER-lucidtls-test", ctx1, sizeof ctx1, 1, a);
    export_both(&p, "EXPORTER-lucidtls-tesT", ctx1, sizeof ctx1, 1, b);
    export_both(&p, "EXPORTER-lucidtls-test", ctx2, sizeof ctx2, 1, c);
    EXPECT(memcmp(a, b, 64) != 0);
    EXPECT(memcmp(a, c, 64) != 0);
    export_both(&p, "EXPORTER-lucidtls-test", NULL, 0, 0, none);
    export_both(&p, "EXPORTER-lucidtls-test", (const uint8_t *)"", 0, 1, empty);
    if (version == LT_TLS1_3) {
        /* 7.5: "an empty context ... and no context ... [give] the same
         * value". */
        EXPECT_MEM(none, empty, 64);
    } else {
        /* RFC 5705 4: with no context the seed has no length field. */
        EXPECT(memcmp(none, empty, 64) != 0);
    }
    EXPECT(memcmp(none, a, 64) != 0);
    /* TLS 1.3 puts the length in the HkdfLabel: 32 bytes are not the first
     * 32 of 64. The TLS 1.2 PRF is one stream: they are. */
    const char *label = "EXPORTER-lucidtls-test";
    EXPECT_EQ(lt_conn_export_keying_material(p.client, label, strlen(label), ctx1, sizeof ctx1, 1, short32, 32), LT_OK);
    EXPECT_EQ(memcmp(short32, a, 32) == 0, version == LT_TLS1_2);
    pair_free(&p);
}

static void test_exporter(void)
{
    exporter_for(LT_TLS1_3);
    exporter_for(LT_TLS1_2);
}

/* ---- early data (RFC 8446 4.2.10) ---- */

/* Extensions added to our client's ClientHello1: early_data, and with a
 * PSK also psk_key_exchange_modes and a pre_shared_key whose ticket is not
 * the server's (last, 4.2.11). */
static size_t early_data_exts(uint8_t *out, int with_psk)
{
    size_t n = 0;
    static const uint8_t early[] = {0, LT_EXT_EARLY_DATA, 0, 0};
    static const uint8_t modes[] = {0, LT_EXT_PSK_KEY_EXCHANGE_MODES, 0, 2, 1, 1};
    memcpy(out + n, early, sizeof early);
    n += sizeof early;
    if (!with_psk) {
        return n;
    }
    memcpy(out + n, modes, sizeof modes);
    n += sizeof modes;
    /* pre_shared_key: identities<7..> { identity<1..> = 40 bytes, age },
     * binders<33..> { binder<32..255> = 32 bytes }. */
    uint8_t psk[4 + 2 + 2 + 40 + 4 + 2 + 1 + 32];
    size_t k = 0;
    psk[k++] = 0, psk[k++] = LT_EXT_PRE_SHARED_KEY, psk[k++] = 0, psk[k++] = (uint8_t)(sizeof psk - 4);
    psk[k++] = 0, psk[k++] = 2 + 40 + 4, psk[k++] = 0, psk[k++] = 40;
    memset(psk + k, 0xA5, 40 + 4);
    k += 40 + 4;
    psk[k++] = 0, psk[k++] = 33, psk[k++] = 32;
    memset(psk + k, 0x5A, 32);
    memcpy(out + n, psk, sizeof psk);
    return n + sizeof psk;
}

/* Our client, made to offer early data: its ClientHello1 gets the
 * extensions above (lengths fixed), and so does its own transcript (white
 * box: before ServerHello the transcript holds only the raw ClientHello),
 * so both sides hash the same message. Then `junk` application_data
 * records, as a 0-RTT client sends them, go to the server with it. */
static int offer_early_data(lt_pair *p, int with_psk, const size_t *junk, size_t n_junk)
{
    EXPECT_EQ(lt_conn_handshake(p->client), LT_WANT_INPUT);
    size_t len = 0;
    const uint8_t *out = lt_conn_out_peek(p->client, &len);
    EXPECT(len > REC_HDR + 4 && len == rec_len(out) && out[REC_HDR] == LT_HS_CLIENT_HELLO);
    size_t junk_total = 0;
    for (size_t i = 0; i < n_junk; i++) {
        junk_total += REC_HDR + junk[i];
    }
    uint8_t *buf = calloc(1, len + 256 + junk_total);
    memcpy(buf, out, len);
    lt_conn_out_consume(p->client, len);
    uint8_t *msg = buf + REC_HDR;
    size_t off = 4 + 2 + 32;
    off += 1 + msg[off];
    off += 2 + (((size_t)msg[off] << 8) | msg[off + 1]);
    off += 1 + msg[off];
    size_t block = ((size_t)msg[off] << 8) | msg[off + 1];
    EXPECT_EQ(off + 2 + block, len - REC_HDR); /* the extensions end the message */
    size_t add = early_data_exts(buf + len, with_psk);
    block += add;
    size_t body = len - REC_HDR - 4 + add;
    msg[off] = (uint8_t)(block >> 8), msg[off + 1] = (uint8_t)block;
    msg[1] = (uint8_t)(body >> 16), msg[2] = (uint8_t)(body >> 8), msg[3] = (uint8_t)body;
    buf[3] = (uint8_t)((body + 4) >> 8), buf[4] = (uint8_t)(body + 4);
    lt_transcript *t = &p->client->hs->h12->transcript;
    EXPECT(t->n_msgs == 1 && t->n_hashes == 0 && t->raw.len == len - REC_HDR);
    t->raw.len = 0;
    t->n_msgs = 0;
    t->total_len = 0;
    t->covers[0] = '\0';
    EXPECT_EQ(lt_transcript_add(t, msg, body + 4, "ClientHello"), LT_OK);
    size_t at = REC_HDR + 4 + body;
    for (size_t i = 0; i < n_junk; i++) {
        uint8_t *r = buf + at;
        r[0] = LT_CT_APPLICATION_DATA, r[1] = 3, r[2] = 3;
        r[3] = (uint8_t)(junk[i] >> 8), r[4] = (uint8_t)junk[i];
        for (size_t j = 0; j < junk[i]; j++) {
            r[REC_HDR + j] = (uint8_t)(j * 7 + i);
        }
        at += REC_HDR + junk[i];
    }
    int rc = feed_all(p->server, buf, at);
    free(buf);
    return rc;
}

typedef struct early_seen {
    int refused;
} early_seen;

static void watch_early(void *arg, const lt_conn *c, const lt_event *ev)
{
    (void)c;
    if (ev->kind == LT_EV_CHOICE && strcmp(ev->what, "early_data") == 0) {
        ((early_seen *)arg)->refused++;
    }
}

/* The server's bound (src/record/record.h): ciphertext bytes it skips. */
#define SKIP_BOUND LT_MAX_EARLY_DATA_SKIP

static void early_data_case(int with_psk, int hrr, const size_t *junk, size_t n_junk, int want_ok)
{
    lt_pair p;
    early_seen seen = {0};
    EXPECT_EQ(pair_init_configs(&p, 0), LT_OK);
    lt_config_set_trace(p.scfg, watch_early, &seen, 0);
    if (hrr) {
        /* The client's one share is for secp256r1; the server prefers
         * x25519, which the client supports: a HelloRetryRequest. */
        static const uint16_t groups[] = {LT_GROUP_SECP256R1, LT_GROUP_X25519};
        EXPECT_EQ(lt_config_set_groups(p.ccfg, groups, 2), LT_OK);
    }
    EXPECT_EQ(pair_new_conns(&p), LT_OK);
    int rc = offer_early_data(&p, with_psk, junk, n_junk);
    if (rc == LT_OK) {
        rc = pair_handshake(&p);
    }
    if (want_ok) {
        EXPECT_EQ(rc, LT_OK);
        EXPECT(lt_conn_is_established(p.client) && lt_conn_is_established(p.server));
        EXPECT(!lt_conn_resumed(p.server));
        EXPECT_EQ(seen.refused, hrr ? 0 : 1); /* after HRR it is refused by the HRR itself */
        exchange_data(&p, 1000);
    } else {
        EXPECT(rc < 0);
        expect_failed(p.server, LT_ERR_UNEXPECTED_MESSAGE, 10, NULL);
    }
    pair_free(&p);
}

/* RFC 8446 4.2.10: a server that does not accept early data skips the
 * records it cannot open, "up to the configured max_early_data_size", and
 * the handshake completes; with an unknown PSK offered too (ignored,
 * binder and all). After a HelloRetryRequest it skips every
 * application_data record until ClientHello2. */
static void test_early_data_skipped_up_to_the_bound(void)
{
    const size_t some[] = {100, 4096, 16384};
    const size_t exact[] = {16384, 16384};
    /* (PSK, HelloRetryRequest): no PSK with HRR, since ClientHello2 would
     * then lack the psk_key_exchange_modes we put into ClientHello1 only,
     * which the server rightly refuses (4.1.2). */
    const int shapes[3][2] = {{0, 0}, {1, 0}, {0, 1}};
    for (size_t i = 0; i < 3; i++) {
        early_data_case(shapes[i][0], shapes[i][1], some, 3, 1);
        early_data_case(shapes[i][0], shapes[i][1], exact, 2, 1);
        early_data_case(shapes[i][0], shapes[i][1], NULL, 0, 1);
    }
    EXPECT_EQ(exact[0] + exact[1], SKIP_BOUND);
}

/* RFC 8446 4.6.1 (and this server's own rule, record.c): "A server
 * receiving more than max_early_data_size bytes of 0-RTT data SHOULD
 * terminate the connection with an "unexpected_message" alert." */
static void test_early_data_over_the_bound(void)
{
    const size_t inside[] = {16000, 16000, 16000}; /* overrun inside the third */
    const size_t spent[] = {16384, 16384, 1};      /* the bound spent exactly, then one more byte */
    for (int hrr = 0; hrr <= 1; hrr++) {
        early_data_case(!hrr, hrr, inside, 3, 0);
        early_data_case(!hrr, hrr, spent, 3, 0);
    }
}

int main(void)
{
    LT_RUN(test_resumption_control);
    LT_RUN(test_bad_binder_is_decrypt_error);
    LT_RUN(test_ticket_not_ours_means_full_handshake);
    LT_RUN(test_ticket_changed_in_flight_is_ignored);
    LT_RUN(test_ccs_after_handshake);
    LT_RUN(test_unprotected_record_under_tls13_keys);
    LT_RUN(test_second_ccs_or_bad_value_before_finished);
    LT_RUN(test_injected_record_control);
    LT_RUN(test_inner_plaintext_all_zeros);
    LT_RUN(test_empty_handshake_or_alert_and_protected_ccs);
    LT_RUN(test_record_over_2_14_plus_256);
    LT_RUN(test_inner_plaintext_limit);
    LT_RUN(test_key_update_before_finished);
    LT_RUN(test_key_update_bad_request_value);
    LT_RUN(test_key_update_flood_is_cut_off);
    LT_RUN(test_key_update_api);
    LT_RUN(test_exporter);
    LT_RUN(test_early_data_skipped_up_to_the_bound);
    LT_RUN(test_early_data_over_the_bound);
    return lt_test_summary();
}
