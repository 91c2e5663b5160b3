/*
 * libFuzzer target for serialized sessions (src/hs/session.c) and ticket
 * protection (src/crypto/ticket.c).
 *
 * Input: any bytes, tried three ways:
 *   (a) lt_client_session_decode (what a client loads from its store)
 *   (b) lt_ticket_state_decode   (what a server finds inside a ticket)
 *   (c) lt_ticket_open           (a PSK identity from a ClientHello), with a
 *       fixed TEST-ONLY key set: FUZZ_KEY_NAME / FUZZ_KEY_SECRET added at
 *       FUZZ_NOW (beside the set's own random key), opened at FUZZ_NOW
 * Bytes are handed over exactly as libFuzzer gives them, so ASan catches any
 * read past the input.
 *
 * Checked: a decode that fails says LT_ERR_DECODE and leaves the struct all
 * zero; one that succeeds gives a struct within the header's bounds, which
 * encodes back to the input byte for byte (the format has one encoding per
 * struct) and decodes again to the same fields. An open that fails says
 * LT_ERR_DECRYPT_ERROR with the plaintext buffer wiped; one that succeeds
 * (only the seeds sealed with the fixed key can) gives size - overhead
 * bytes, which are sealed again and must open to the same bytes, and are
 * also tried as a ticket state.
 *
 * Seeds in corpus/tickets/: written by this target itself,
 *   LT_FUZZ_TICKETS_WRITE_SEEDS=fuzz/corpus/tickets ./build-fuzz/fuzz_tickets
 * (cs_* client sessions, ts_* ticket states, sealed_* tickets under the
 * fixed key; the sealed ones differ on each run by their random nonces).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/limits.h"
#include "crypto/ticket.h"
#include "hs/session.h"

#define CHECK(cond)                                                                                                    \
    do {                                                                                                               \
        if (!(cond)) {                                                                                                 \
            __builtin_trap();                                                                                          \
        }                                                                                                              \
    } while (0)

#define FUZZ_NOW 1700000000u
#define FUZZ_ROTATION 43200u
static const uint8_t FUZZ_KEY_NAME[LT_TICKET_KEY_NAME_LEN] = "lt-fuzz-tickets!";
static const uint8_t FUZZ_KEY_SECRET[32] = "TEST ONLY ticket key, not secret";

#define BUF_CAP (1 << 17) /* above any -max_len we use */

static lt_ticket_keys *g_keys;
static uint8_t g_out[BUF_CAP], g_pt[BUF_CAP], g_pt2[BUF_CAP], g_sealed[BUF_CAP + LT_TICKET_OVERHEAD];
static lt_client_session g_cs, g_cs2;

static int all_zero(const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++) {
        if (b[i] != 0) {
            return 0;
        }
    }
    return 1;
}

static int version_ok(uint16_t v)
{
    return v == LT_TLS1_2 || v == LT_TLS1_3;
}

static int sni_ok(const char *sni)
{
    return memchr(sni, '\0', LT_SESSION_MAX_SNI + 1) != NULL;
}

static int same_ticket_state(const lt_ticket_state *a, const lt_ticket_state *b)
{
    return a->version == b->version && a->suite == b->suite && a->psk_len == b->psk_len &&
           memcmp(a->psk, b->psk, a->psk_len) == 0 && a->issued_s == b->issued_s && a->lifetime_s == b->lifetime_s &&
           a->age_add == b->age_add && a->ems == b->ems && a->client_auth == b->client_auth &&
           strcmp(a->sni, b->sni) == 0 && a->alpn_len == b->alpn_len && memcmp(a->alpn, b->alpn, a->alpn_len) == 0;
}

static int same_client_session(const lt_client_session *a, const lt_client_session *b)
{
    return a->version == b->version && a->suite == b->suite && a->psk_len == b->psk_len &&
           memcmp(a->psk, b->psk, a->psk_len) == 0 && a->ticket_len == b->ticket_len &&
           memcmp(a->ticket, b->ticket, a->ticket_len) == 0 && a->received_ms == b->received_ms &&
           a->lifetime_s == b->lifetime_s && a->age_add == b->age_add && a->max_early_data == b->max_early_data &&
           a->ems == b->ems && a->session_id_len == b->session_id_len &&
           memcmp(a->session_id, b->session_id, a->session_id_len) == 0 && strcmp(a->sni, b->sni) == 0 &&
           a->alpn_len == b->alpn_len && memcmp(a->alpn, b->alpn, a->alpn_len) == 0;
}

/* (a) */
static void try_client_session(const uint8_t *data, size_t size)
{
    size_t len = 0;
    int rc = lt_client_session_decode(data, size, &g_cs);
    if (rc != LT_OK) {
        CHECK(rc == LT_ERR_DECODE && all_zero(&g_cs, sizeof g_cs));
        return;
    }
    /* Format 2: a TLS 1.2 session may have no ticket when it has a
     * session ID (resumption by ID alone); every other one has a ticket. */
    int by_id_only = g_cs.version == LT_TLS1_2 && g_cs.session_id_len > 0;
    CHECK(version_ok(g_cs.version) && g_cs.psk_len <= LT_SESSION_MAX_PSK && (g_cs.ticket_len >= 1 || by_id_only) &&
          g_cs.ticket_len <= LT_SESSION_MAX_TICKET && g_cs.session_id_len <= 32 && g_cs.ems <= 1 && sni_ok(g_cs.sni));
    CHECK(size <= LT_CLIENT_SESSION_MAX_ENCODED);
    CHECK(lt_client_session_encode(&g_cs, g_out, sizeof g_out, &len) == LT_OK);
    CHECK(len == size && memcmp(g_out, data, size) == 0);
    CHECK(lt_client_session_decode(g_out, len, &g_cs2) == LT_OK && same_client_session(&g_cs, &g_cs2));
}

/* (b) */
static void try_ticket_state(const uint8_t *data, size_t size)
{
    lt_ticket_state s, s2;
    size_t len = 0;
    int rc = lt_ticket_state_decode(data, size, &s);
    if (rc != LT_OK) {
        CHECK(rc == LT_ERR_DECODE && all_zero(&s, sizeof s));
        return;
    }
    CHECK(version_ok(s.version) && s.psk_len <= LT_SESSION_MAX_PSK && s.ems <= 1 && s.client_auth <= 1 &&
          sni_ok(s.sni));
    CHECK(lt_ticket_state_encode(&s, g_out, sizeof g_out, &len) == LT_OK);
    CHECK(len == size && memcmp(g_out, data, size) == 0);
    CHECK(lt_ticket_state_decode(g_out, len, &s2) == LT_OK && same_ticket_state(&s, &s2));
}

/* (c) */
static void try_open(const uint8_t *data, size_t size)
{
    size_t pt_len = 1, sealed_len = 0, pt2_len = 0;
    size_t cap = size < sizeof g_pt ? size : sizeof g_pt;
    memset(g_pt, 0xAA, cap);
    int rc = lt_ticket_open(g_keys, FUZZ_NOW, data, size, g_pt, cap, &pt_len);
    if (rc != LT_OK) {
        CHECK(rc == LT_ERR_DECRYPT_ERROR && pt_len == 0 && all_zero(g_pt, cap));
        return;
    }
    CHECK(size >= LT_TICKET_OVERHEAD && pt_len == size - LT_TICKET_OVERHEAD);
    try_ticket_state(g_pt, pt_len);
    CHECK(lt_ticket_seal(g_keys, FUZZ_NOW, g_pt, pt_len, g_sealed, sizeof g_sealed, &sealed_len) == LT_OK);
    CHECK(sealed_len == size && memcmp(g_sealed, FUZZ_KEY_NAME, LT_TICKET_KEY_NAME_LEN) == 0);
    CHECK(lt_ticket_open(g_keys, FUZZ_NOW, g_sealed, sealed_len, g_pt2, sizeof g_pt2, &pt2_len) == LT_OK);
    CHECK(pt2_len == pt_len && memcmp(g_pt, g_pt2, pt_len) == 0);
}

/* ---- seeds ---- */

static void write_seed(const char *dir, const char *name, const uint8_t *p, size_t n)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL && fwrite(p, 1, n, f) == n && fclose(f) == 0);
}

static void fill(uint8_t *p, size_t n, uint8_t seed)
{
    for (size_t i = 0; i < n; i++) {
        p[i] = (uint8_t)(seed + i * 29);
    }
}

static void ts_typical(lt_ticket_state *s)
{
    memset(s, 0, sizeof *s);
    s->version = LT_TLS1_3;
    s->suite = 0x1301;
    s->psk_len = 32;
    fill(s->psk, s->psk_len, 1);
    s->issued_s = FUZZ_NOW;
    s->lifetime_s = 7200;
    s->age_add = 0x9e3779b9;
    strcpy(s->sni, "localhost");
    s->alpn_len = 8;
    memcpy(s->alpn, "http/1.1", 8);
}

static void ts_extreme(lt_ticket_state *s)
{
    ts_typical(s);
    s->suite = 0x1302;
    s->psk_len = LT_SESSION_MAX_PSK;
    fill(s->psk, s->psk_len, 2);
    s->issued_s = UINT64_MAX;
    memset(s->sni, 'a', LT_SESSION_MAX_SNI);
    s->sni[LT_SESSION_MAX_SNI] = '\0';
    s->alpn_len = LT_SESSION_MAX_ALPN;
    fill(s->alpn, s->alpn_len, 3);
}

static void cs_from(lt_client_session *c, const lt_ticket_state *s, const uint8_t *ticket, size_t ticket_len)
{
    memset(c, 0, sizeof *c);
    c->version = s->version;
    c->suite = s->suite;
    c->psk_len = s->psk_len;
    memcpy(c->psk, s->psk, s->psk_len);
    memcpy(c->ticket, ticket, ticket_len);
    c->ticket_len = (uint16_t)ticket_len;
    c->received_ms = (uint64_t)FUZZ_NOW * 1000u;
    c->lifetime_s = s->lifetime_s;
    c->age_add = s->age_add;
    memcpy(c->sni, s->sni, sizeof c->sni);
    c->alpn_len = s->alpn_len;
    memcpy(c->alpn, s->alpn, s->alpn_len);
}

static void write_ts(const char *dir, const char *name, const lt_ticket_state *s)
{
    size_t len = 0;
    CHECK(lt_ticket_state_encode(s, g_pt, sizeof g_pt, &len) == LT_OK);
    write_seed(dir, name, g_pt, len);
}

static void write_cs(const char *dir, const char *name, const lt_client_session *c)
{
    size_t len = 0;
    CHECK(lt_client_session_encode(c, g_out, sizeof g_out, &len) == LT_OK);
    write_seed(dir, name, g_out, len);
}

/* Seals pt under the fixed key; the ticket is left in g_sealed. */
static size_t write_sealed(const char *dir, const char *name, const uint8_t *pt, size_t pt_len)
{
    size_t len = 0;
    CHECK(lt_ticket_seal(g_keys, FUZZ_NOW, pt, pt_len, g_sealed, sizeof g_sealed, &len) == LT_OK);
    write_seed(dir, name, g_sealed, len);
    return len;
}

static void write_seeds(const char *dir)
{
    lt_ticket_state ts;
    size_t len = 0;

    ts_typical(&ts);
    write_ts(dir, "ts_typical", &ts);
    ts.version = LT_TLS1_2;
    ts.suite = 0xC02F;
    ts.sni[0] = '\0';
    ts.alpn_len = 0;
    write_ts(dir, "ts_tls12_no_sni_no_alpn", &ts);
    ts_extreme(&ts);
    write_ts(dir, "ts_extreme", &ts);

    ts_typical(&ts);
    CHECK(lt_ticket_state_encode(&ts, g_pt, sizeof g_pt, &len) == LT_OK);
    size_t ticket_len = write_sealed(dir, "sealed_ts_typical", g_pt, len);
    cs_from(&g_cs, &ts, g_sealed, ticket_len);
    write_cs(dir, "cs_typical", &g_cs);
    ts_extreme(&ts);
    CHECK(lt_ticket_state_encode(&ts, g_pt, sizeof g_pt, &len) == LT_OK);
    write_sealed(dir, "sealed_ts_extreme", g_pt, len);
    write_sealed(dir, "sealed_empty", NULL, 0);

    /* The smallest client session, and the largest. */
    memset(&g_cs, 0, sizeof g_cs);
    g_cs.version = LT_TLS1_3;
    g_cs.ticket_len = 1;
    write_cs(dir, "cs_min", &g_cs);
    ts_extreme(&ts);
    fill(g_pt, LT_SESSION_MAX_TICKET, 4);
    cs_from(&g_cs, &ts, g_pt, LT_SESSION_MAX_TICKET);
    g_cs.received_ms = UINT64_MAX;
    g_cs.max_early_data = UINT32_MAX;
    write_cs(dir, "cs_max", &g_cs);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    g_keys = lt_ticket_keys_new(FUZZ_ROTATION, FUZZ_NOW);
    CHECK(g_keys != NULL && lt_ticket_keys_add(g_keys, FUZZ_KEY_NAME, FUZZ_KEY_SECRET, FUZZ_NOW) == LT_OK);
    const char *dir = getenv("LT_FUZZ_TICKETS_WRITE_SEEDS");
    if (dir != NULL && dir[0] != '\0') {
        write_seeds(dir);
        printf("fuzz_tickets: seeds written to %s\n", dir);
        exit(0);
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    try_client_session(data, size);
    try_ticket_state(data, size);
    try_open(data, size);
    return 0;
}
