/*
 * Writes the seed corpora of fuzz_record, fuzz_server and fuzz_client, and
 * the writer-made seeds of fuzz_messages:
 *
 *   build-fuzz/gen_seeds fuzz/corpus            (all of them)
 *   build-fuzz/gen_seeds fuzz/corpus messages   (only messages/gen_*)
 *
 * writes fuzz/corpus/{record,server,client,messages}/gen_*. Run it again
 * whenever the handshake, the test keys in fuzz/testkeys/ or the
 * deterministic RNG in fuzz_common.c change, since the handshake seeds are
 * recordings that only replay against exactly this setup. The messages
 * seeds depend only on the codec's writers (src/hs/messages.c).
 *
 * server/ seeds: what our client sends to a server configured like the one
 * in fuzz_server (every suite, EMS on), with the client restricted to one
 * suite so each suite gets a full handshake: ClientHello, ClientKeyExchange
 * + ChangeCipherSpec + Finished, application data, a renegotiation
 * ClientHello (refused with a warning), close_notify.
 *
 * client/ seeds: what a server restricted to one suite sends to a client
 * configured like the one in fuzz_client: ServerHello .. ServerHelloDone,
 * ChangeCipherSpec + Finished, application data, HelloRequest, close_notify.
 *
 * gen_tls13_* seeds: the same for TLS 1.3 (RFC 8446 2), one per TLS 1.3
 * suite and per group shape (a HelloRetryRequest, secp384r1): the whole
 * handshake (ClientHello [HelloRetryRequest ClientHello2], the middlebox
 * ChangeCipherSpec, the encrypted flights, NewSessionTickets), application
 * data, a KeyUpdate with update_requested from each side and its answer,
 * data under the new keys, close_notify.
 *
 * Each side draws from its own deterministic stream (fuzz_rng_use is called
 * before every call into that side), exactly as in the targets. Each seed is
 * replayed through fuzz_drive before it is written and must reach CONNECTED.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conn/conn.h"
#include "base/limits.h"
#include "hs/messages.h"
#include "hs/messages_resume12.h"
#include "hs/messages_auth.h"
#include "fuzz_common.h"
#include "pair.h"

#define LOG_CAP (1u << 18)

typedef struct buf {
    uint8_t *p;
    size_t len;
} buf;

static void buf_add(buf *b, const uint8_t *p, size_t n)
{
    if (b->p == NULL) {
        b->p = malloc(LOG_CAP);
        if (b->p == NULL) {
            abort();
        }
    }
    if (n > LOG_CAP - b->len) {
        fprintf(stderr, "gen_seeds: flight too large\n");
        abort();
    }
    memcpy(b->p + b->len, p, n);
    b->len += n;
}

typedef struct side {
    lt_conn *c;
    fuzz_rng rng;
} side;

static const char *g_dir;

/* Configs draw random bytes too (a server's ticket keys): from a stream of
 * their own, so that the random source is never a side of an earlier run
 * (a stack object gone by then) and nothing is taken from a side's stream.
 * The targets make their config before they reset their stream, and ticket
 * keys only shape the tickets a server sends, never what it accepts. */
static void use_config_rng(void)
{
    static fuzz_rng cfg_rng;
    fuzz_rng_reset(&cfg_rng, 0x636f6e666967ULL); /* "config" */
    fuzz_rng_use(&cfg_rng);
}

static void write_seed(const char *sub, const char *name, uint8_t flags, const uint8_t *p, size_t n)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s/%s", g_dir, sub, name);
    FILE *f = fopen(path, "wb");
    if (f == NULL || fwrite(&flags, 1, 1, f) != 1 || (n > 0 && fwrite(p, 1, n, f) != n) || fclose(f) != 0) {
        fprintf(stderr, "gen_seeds: cannot write %s\n", path);
        exit(1);
    }
    printf("  %s (%zu bytes)\n", path, n + 1);
}

/* Moves everything `from` has queued into `to` (drawing randomness from
 * to's stream while it processes), logging the bytes. Reads and discards
 * application data so feeding never stalls. */
static size_t move(side *from, side *to, buf *log)
{
    size_t len = 0;
    fuzz_rng_use(&from->rng);
    const uint8_t *out = lt_conn_out_peek(from->c, &len);
    if (len == 0) {
        return 0;
    }
    uint8_t *copy = malloc(len);
    if (copy == NULL) {
        abort();
    }
    memcpy(copy, out, len);
    lt_conn_out_consume(from->c, len);
    buf_add(log, copy, len);
    fuzz_rng_use(&to->rng);
    size_t off = 0;
    while (off < len) {
        size_t used = 0;
        if (lt_conn_feed(to->c, copy + off, len - off, &used) < 0) {
            break;
        }
        off += used;
        uint8_t sink[4096];
        size_t got = 0;
        while (lt_conn_read(to->c, sink, sizeof sink, &got) == LT_OK && got > 0) {
        }
    }
    free(copy);
    return len;
}

static int handshake(side *cl, side *sv, buf *c2s, buf *s2c)
{
    for (int round = 0; round < 20; round++) {
        fuzz_rng_use(&cl->rng);
        int rc_c = lt_conn_handshake(cl->c);
        fuzz_rng_use(&sv->rng);
        int rc_s = lt_conn_handshake(sv->c);
        size_t moved = move(cl, sv, c2s) + move(sv, cl, s2c);
        if (rc_c < 0 || rc_s < 0) {
            const char *dc = "", *ds = "";
            lt_conn_error(cl->c, &dc);
            lt_conn_error(sv->c, &ds);
            fprintf(stderr, "gen_seeds: handshake failed: client %s (%s), server %s (%s)\n", lt_result_name(rc_c), dc,
                    lt_result_name(rc_s), ds);
            return -1;
        }
        if (rc_c == LT_OK && rc_s == LT_OK && moved == 0) {
            return 0;
        }
    }
    return -1;
}

static void send_app(side *s, const char *text)
{
    fuzz_rng_use(&s->rng);
    size_t w = 0;
    if (lt_conn_write(s->c, text, strlen(text), &w) != LT_OK || w != strlen(text)) {
        fuzz_die("lt_conn_write", LT_ERR_INTERNAL);
    }
}

/* A protected handshake record after the handshake: what lt_conn never
 * sends by itself (renegotiation), written through the record layer. */
static void send_raw_handshake(side *s, const uint8_t *msg, size_t len)
{
    fuzz_rng_use(&s->rng);
    if (lt_record_write(&s->c->rec, LT_CT_HANDSHAKE, msg, len) != LT_OK) {
        fuzz_die("lt_record_write", LT_ERR_INTERNAL);
    }
}

typedef struct run_opts {
    uint16_t suite;
    int ems;
    int restrict_client;    /* 1: the client is restricted (server seeds), 0: the server (client seeds) */
    const uint16_t *groups; /* the restricted side's groups (NULL: the default) */
    size_t n_groups;
    int client_auth; /* the server asks for a client certificate: LT_CLIENT_AUTH_REQUEST or _REQUIRE (0: no) */
    int client_anon; /* the client has no certificate to give */
} run_opts;

/* The targets' flags bits for a run's configs (fuzz_server.c, fuzz_client.c). */
static uint8_t config_flags(const run_opts *o)
{
    if (o->restrict_client) {
        return o->client_auth == 0 ? 0 : o->client_auth == LT_CLIENT_AUTH_REQUIRE ? 0xC0 : 0x40;
    }
    return o->client_anon ? 0x40 : 0;
}

static void key_update(side *s, int request_peer)
{
    fuzz_rng_use(&s->rng);
    int rc = lt_conn_key_update(s->c, request_peer);
    if (rc != LT_OK) {
        fuzz_die("lt_conn_key_update", rc);
    }
}

/* After a TLS 1.2 handshake: data both ways, a renegotiation attempt from
 * each side (refused with a warning), data again, close_notify. */
static void after_tls12(side *cl, side *sv, buf *c2s, buf *s2c)
{
    /* The ClientHello body, for the renegotiation attempt: the first
     * record the client sent holds exactly the ClientHello. */
    size_t ch_len = ((size_t)c2s->p[3] << 8) | c2s->p[4];
    static const uint8_t hello_request[4] = {0, 0, 0, 0};
    send_app(cl, "GET / HTTP/1.0\r\n\r\n");
    send_app(sv, "HTTP/1.0 200 OK\r\n\r\nhello from lucidtls\n");
    move(cl, sv, c2s);
    move(sv, cl, s2c);
    send_raw_handshake(cl, c2s->p + 5, ch_len);
    send_raw_handshake(sv, hello_request, sizeof hello_request);
    move(cl, sv, c2s);
    move(sv, cl, s2c);
    send_app(cl, "after the refused renegotiation");
    send_app(sv, "after the refused renegotiation");
}

/* After a TLS 1.3 handshake (the server's NewSessionTickets came with its
 * last flight): data both ways, a KeyUpdate asking for one back from each
 * side (RFC 8446 4.6.3), data under the new keys, close_notify. */
static void after_tls13(side *cl, side *sv, buf *c2s, buf *s2c)
{
    send_app(cl, "GET / HTTP/1.0\r\n\r\n");
    send_app(sv, "HTTP/1.0 200 OK\r\n\r\nhello from lucidtls over TLS 1.3\n");
    move(cl, sv, c2s);
    move(sv, cl, s2c);
    key_update(cl, 1);
    move(cl, sv, c2s);
    move(sv, cl, s2c);
    key_update(sv, 1);
    move(sv, cl, s2c);
    move(cl, sv, c2s);
    send_app(cl, "after the key updates");
    send_app(sv, "after the key updates");
}

/* One full recorded connection. Returns 0 and fills the two logs. */
static int record_run(const run_opts *o, buf *c2s, buf *s2c)
{
    use_config_rng();
    lt_config *ccfg = fuzz_client_config_id(!o->client_anon);
    lt_config *scfg = o->client_auth ? fuzz_server_auth_config(o->client_auth) : fuzz_server_config();
    lt_config *restricted = o->restrict_client ? ccfg : scfg;
    int rc = lt_config_set_cipher_suites(restricted, &o->suite, 1);
    if (rc != LT_OK) {
        fuzz_die("lt_config_set_cipher_suites", rc);
    }
    lt_config_set_ems(restricted, o->ems);
    if (o->groups != NULL && (rc = lt_config_set_groups(restricted, o->groups, o->n_groups)) != LT_OK) {
        fuzz_die("lt_config_set_groups", rc);
    }

    side cl, sv;
    fuzz_rng_reset(&cl.rng, FUZZ_SEED_CLIENT);
    fuzz_rng_reset(&sv.rng, FUZZ_SEED_SERVER);
    fuzz_rng_use(&cl.rng);
    cl.c = lt_conn_new(ccfg);
    fuzz_rng_use(&sv.rng);
    sv.c = lt_conn_new(scfg);
    if (cl.c == NULL || sv.c == NULL || lt_conn_set_hostname(cl.c, FUZZ_HOSTNAME) != LT_OK) {
        fuzz_die("lt_conn_new", LT_ERR_NOMEM);
    }
    int ret = handshake(&cl, &sv, c2s, s2c);
    if (ret == 0) {
        if (lt_conn_version(cl.c) == LT_TLS1_3) {
            after_tls13(&cl, &sv, c2s, s2c);
        } else {
            after_tls12(&cl, &sv, c2s, s2c);
        }
        fuzz_rng_use(&cl.rng);
        (void)lt_conn_close(cl.c);
        fuzz_rng_use(&sv.rng);
        (void)lt_conn_close(sv.c);
        move(&cl, &sv, c2s);
        move(&sv, &cl, s2c);
    }
    lt_conn_free(cl.c);
    lt_conn_free(sv.c);
    lt_config_free(ccfg);
    lt_config_free(scfg);
    return ret;
}

/* Replays a seed through the target's own setup: it must get established. */
static void replay(int server, uint8_t flags, const buf *b)
{
    use_config_rng();
    lt_config *cfg = server ? (!(flags & 0x40)  ? fuzz_server_config()
                               : (flags & 0x80) ? fuzz_server_auth_config(LT_CLIENT_AUTH_REQUIRE)
                                                : fuzz_server_auth_config(LT_CLIENT_AUTH_REQUEST))
                            : fuzz_client_config_id(!(flags & 0x40));
    fuzz_rng rng;
    fuzz_rng_reset(&rng, server ? FUZZ_SEED_SERVER : FUZZ_SEED_CLIENT);
    fuzz_rng_use(&rng);
    lt_conn *c = lt_conn_new(cfg);
    if (c == NULL) {
        fuzz_die("lt_conn_new", LT_ERR_NOMEM);
    }
    if (!server) {
        size_t len = 0;
        if (lt_conn_set_hostname(c, FUZZ_HOSTNAME) != LT_OK || lt_conn_handshake(c) != LT_WANT_INPUT) {
            fuzz_die("ClientHello", LT_ERR_INTERNAL);
        }
        (void)lt_conn_out_peek(c, &len);
        lt_conn_out_consume(c, len);
    }
    int ok = fuzz_drive(c, flags, b->p, b->len);
    const char *detail = "";
    int err = lt_conn_error(c, &detail);
    lt_conn_free(c);
    lt_config_free(cfg);
    if (!ok) {
        fprintf(stderr, "gen_seeds: a recorded %s seed does not replay: %s (%s)\n", server ? "server" : "client",
                lt_result_name(err), detail);
        exit(1);
    }
}

/* Replays one recording and writes it as a seed (flags 0x08: echo the
 * application data back); with variants, also fed in small pieces then
 * EOF, and with every plaintext handshake record split in 50-byte ones. */
static void write_handshake_seed(int server, const char *name, const buf *b, int variants, uint8_t cfg)
{
    const char *sub = server ? "server" : "client";
    char path[160];
    replay(server, cfg | 0x08, b);
    write_seed(sub, name, cfg | 0x08, b->p, b->len);
    if (!variants) {
        return;
    }
    replay(server, cfg | 0x02 | 0x10 | 0x20, b);
    snprintf(path, sizeof path, "%s_chunked_eof", name);
    write_seed(sub, path, cfg | 0x02 | 0x10 | 0x20, b->p, b->len);
    int seen_ccs = 0;
    uint8_t *big = malloc(LOG_CAP);
    if (big == NULL) {
        abort();
    }
    memcpy(big, b->p, b->len);
    buf framed = {big, reframe_records(big, b->len, LOG_CAP, 50, 0, &seen_ccs)};
    replay(server, cfg, &framed);
    snprintf(path, sizeof path, "%s_fragmented", name);
    write_seed(sub, path, cfg, framed.p, framed.len);
    free(big);
}

/* Records one connection and writes the side's seed (server seeds: what
 * the client sent; client seeds: what the server sent). */
static void record_seed(const run_opts *o, const char *name, int variants)
{
    buf c2s = {0}, s2c = {0};
    if (record_run(o, &c2s, &s2c) != 0) {
        exit(1);
    }
    write_handshake_seed(o->restrict_client, name, o->restrict_client ? &c2s : &s2c, variants, config_flags(o));
    free(c2s.p);
    free(s2c.p);
}

static void handshake_seeds(void)
{
    static const uint16_t SUITES[] = {
        LT_TLS_RSA_WITH_AES_128_GCM_SHA256,
        LT_TLS_RSA_WITH_AES_256_GCM_SHA384,
        LT_TLS_RSA_WITH_AES_128_CBC_SHA256,
        LT_TLS_RSA_WITH_AES_256_CBC_SHA256,
        LT_TLS_RSA_WITH_AES_128_CBC_SHA,
        LT_TLS_RSA_WITH_AES_256_CBC_SHA,
        /* ECDHE (the keys come from the deterministic RNG, so they replay),
         * with encrypt-then-MAC for the CBC one. */
        LT_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        LT_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
        LT_TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384,
    };
    for (int server = 1; server >= 0; server--) {
        for (size_t i = 0; i < sizeof SUITES / sizeof SUITES[0]; i++) {
            for (int ems = 1; ems >= 0; ems--) {
                /* EMS off only for one GCM and one CBC suite: enough to reach
                 * the other master-secret path. */
                if (!ems && i != 0 && i != 4) {
                    continue;
                }
                run_opts o = {SUITES[i], ems, server, NULL, 0, 0, 0};
                char name[128];
                snprintf(name, sizeof name, "gen_%s%s", lt_suite_openssl_name(SUITES[i]), ems ? "" : "_noems");
                record_seed(&o, name, i == 0 && ems);
            }
        }
    }
}

/* TLS 1.3 (RFC 8446 2): every suite over x25519, then the shapes a group
 * choice makes. Server seeds restrict the client: offering secp256r1 first
 * (its one key share) while the server prefers x25519 gets a
 * HelloRetryRequest (4.1.4); offering only secp384r1 gets a handshake on
 * it. Client seeds restrict the server: our client shares x25519 only, so
 * a server that takes only secp256r1 or secp384r1 asks with a
 * HelloRetryRequest. */
static void handshake13_seeds(void)
{
    static const uint16_t SUITES[] = {LT_TLS_AES_128_GCM_SHA256, LT_TLS_AES_256_GCM_SHA384,
                                      LT_TLS_CHACHA20_POLY1305_SHA256};
    static const uint16_t HRR_CLIENT[] = {LT_GROUP_SECP256R1, LT_GROUP_X25519};
    static const uint16_t P256[] = {LT_GROUP_SECP256R1};
    static const uint16_t P384[] = {LT_GROUP_SECP384R1};
    for (int server = 1; server >= 0; server--) {
        for (size_t i = 0; i < sizeof SUITES / sizeof SUITES[0]; i++) {
            run_opts o = {SUITES[i], 1, server, NULL, 0, 0, 0};
            char name[128];
            snprintf(name, sizeof name, "gen_tls13_%s", lt_suite_openssl_name(SUITES[i]));
            record_seed(&o, name, i == 0);
        }
        run_opts hrr = {LT_TLS_AES_128_GCM_SHA256, 1, server, server ? HRR_CLIENT : P256, server ? 2 : 1, 0, 0};
        record_seed(&hrr, "gen_tls13_hrr_secp256r1", 1);
        run_opts p384 = {LT_TLS_AES_256_GCM_SHA384, 1, server, P384, 1, 0, 0};
        record_seed(&p384, server ? "gen_tls13_secp384r1" : "gen_tls13_hrr_secp384r1", 0);
    }
}

/* Mutual TLS (RFC 5246 7.4.4-7.4.8, RFC 8446 4.3.2, 4.4.2, 4.4.3): a server
 * that requires a client certificate and a client that has one (the test
 * client identity: its Certificate and CertificateVerify), and a server
 * that only asks, with a client that has none (an empty Certificate), in
 * TLS 1.2 (RSA key exchange, and ECDHE) and TLS 1.3. */
static void mtls_seeds(void)
{
    static const struct {
        const char *name;
        uint16_t suite;
        int anon;
        int variants;
    } RUNS[] = {
        {"gen_mtls_AES128-GCM-SHA256", LT_TLS_RSA_WITH_AES_128_GCM_SHA256, 0, 1},
        {"gen_mtls_ECDHE-RSA-AES128-GCM-SHA256", LT_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, 0, 0},
        {"gen_mtls_anon_AES128-GCM-SHA256", LT_TLS_RSA_WITH_AES_128_GCM_SHA256, 1, 0},
        {"gen_tls13_mtls_TLS_AES_128_GCM_SHA256", LT_TLS_AES_128_GCM_SHA256, 0, 1},
        {"gen_tls13_mtls_anon_TLS_AES_128_GCM_SHA256", LT_TLS_AES_128_GCM_SHA256, 1, 0},
    };
    for (int server = 1; server >= 0; server--) {
        for (size_t i = 0; i < sizeof RUNS / sizeof RUNS[0]; i++) {
            int mode = RUNS[i].anon ? LT_CLIENT_AUTH_REQUEST : LT_CLIENT_AUTH_REQUIRE;
            run_opts o = {RUNS[i].suite, 1, server, NULL, 0, mode, RUNS[i].anon};
            record_seed(&o, RUNS[i].name, RUNS[i].variants);
        }
    }
}

/* ---- record seeds ---- */

static void put_record(buf *b, unsigned mode, lt_rc *seal, uint64_t seq, uint8_t type, const uint8_t *pt, size_t len)
{
    uint8_t *rec = malloc(LT_RECORD_IN_CAP + 512);
    if (rec == NULL) {
        abort();
    }
    rec[0] = type;
    rec[1] = 3;
    rec[2] = 3;
    size_t frag_len = len;
    /* Under TLS 1.3 keys change_cipher_spec stays unprotected (RFC 8446 5). */
    int unprotected = mode == 0 || (lt_rc_version(seal) == LT_TLS1_3 && type == LT_CT_CHANGE_CIPHER_SPEC);
    if (unprotected) {
        memcpy(rec + 5, pt, len);
    } else {
        memcpy(rec + 5 + lt_rc_prefix_len(seal), pt, len);
        if (lt_rc_seal(seal, seq, type, rec, rec + 5, len, &frag_len) != LT_OK) {
            fuzz_die("lt_rc_seal", LT_ERR_CRYPTO);
        }
    }
    rec[3] = (uint8_t)(frag_len >> 8);
    rec[4] = (uint8_t)frag_len;
    buf_add(b, rec, 5 + frag_len);
    free(rec);
}

static void record_seeds(void)
{
    static const uint8_t finished[16] = {20, 0, 0, 12, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
    static const uint8_t alert_close[2] = {1, 0};
    static const uint8_t ccs[1] = {1};
    static const char app[] = "GET / HTTP/1.0\r\n\r\n";
    static uint8_t full[LT_MAX_PLAINTEXT];
    memset(full, 'A', sizeof full);
    for (unsigned mode = 0; mode < FUZZ_RECORD_MODES; mode++) {
        lt_rc *seal = fuzz_record_rc(mode, 1);
        buf b = {0};
        uint64_t seq = 0;
        put_record(&b, mode, seal, seq++, LT_CT_HANDSHAKE, finished, sizeof finished);
        put_record(&b, mode, seal, seq++, LT_CT_APPLICATION_DATA, (const uint8_t *)app, sizeof app - 1);
        put_record(&b, mode, seal, seq++, LT_CT_APPLICATION_DATA, (const uint8_t *)"", 0);
        put_record(&b, mode, seal, seq++, LT_CT_CHANGE_CIPHER_SPEC, ccs, 1);
        put_record(&b, mode, seal, seq++, LT_CT_ALERT, alert_close, 1);
        put_record(&b, mode, seal, seq++, LT_CT_ALERT, alert_close + 1, 1);
        char name[64];
        snprintf(name, sizeof name, "gen_mode%u_records", mode);
        /* flags byte: whole stream at once, version pinned. */
        uint8_t hdr[2] = {(uint8_t)mode, 0x08};
        uint8_t *all = malloc(b.len + 2);
        if (all == NULL) {
            abort();
        }
        memcpy(all, hdr, 2);
        memcpy(all + 2, b.p, b.len);
        write_seed("record", name, all[0], all + 1, b.len + 1);
        /* Byte-by-byte (chunk selector 1), version not pinned. */
        all[1] = 0x01;
        snprintf(name, sizeof name, "gen_mode%u_records_bytewise", mode);
        write_seed("record", name, all[0], all + 1, b.len + 1);
        free(all);
        free(b.p);

        /* One record with the largest plaintext allowed. */
        buf big = {0};
        put_record(&big, mode, seal, 0, LT_CT_APPLICATION_DATA, full, sizeof full);
        all = malloc(big.len + 1);
        if (all == NULL) {
            abort();
        }
        all[0] = 0x00;
        memcpy(all + 1, big.p, big.len);
        snprintf(name, sizeof name, "gen_mode%u_max_record", mode);
        write_seed("record", name, (uint8_t)mode, all, big.len + 1);
        free(all);
        free(big.p);
        lt_rc_free(seal);
    }
}

/* ---- messages seeds ---- */

/* fuzz_messages selectors (fuzz_messages.c). */
enum {
    SEL_CH = 0,
    SEL_SH = 1,
    SEL_SKE_ECDHE = 6,
    SEL_CKE_ECDHE = 7,
    SEL_CERT_REQUEST = 8,
    SEL_CERT_REQUEST13 = 11,
    SEL_AUTHORITIES = 16,
    SEL_NST12 = 17,
    SEL_ALPN = 18
};

/* Writes one message seed: the selector, then the body the writer made
 * (its 4-byte header dropped). */
static void write_message_seed(const char *name, uint8_t selector, const lt_wr *w)
{
    if (lt_wr_finish(w) != LT_OK || w->off < 4) {
        fprintf(stderr, "gen_seeds: writing %s failed\n", name);
        exit(1);
    }
    write_seed("messages", name, selector, w->base + 4, w->off - 4);
}

/* Appends `count` empty extensions of distinct unknown types to the
 * ClientHello (with an extensions block) that is all of w, and fixes the
 * block's and the message's lengths. */
static void append_unknown_extensions(lt_wr *w, unsigned count)
{
    if (lt_wr_finish(w) != LT_OK) {
        fuzz_die("lt_write_client_hello", LT_ERR_INTERNAL);
    }
    uint8_t *m = w->base;
    /* Walk the body to the extensions block: version, random, session_id,
     * suites, compressions. */
    size_t off = 4 + 2 + LT_RANDOM_LEN;
    off += 1 + m[off];
    off += 2 + (((size_t)m[off] << 8) | m[off + 1]);
    off += 1 + m[off];
    size_t block = ((size_t)m[off] << 8) | m[off + 1];
    for (unsigned i = 0; i < count; i++) {
        lt_wr_u16(w, (uint16_t)(0x5000 + 7 * i));
        lt_wr_u16(w, 0);
    }
    block += 4 * (size_t)count;
    size_t body = w->off - 4;
    if (lt_wr_finish(w) != LT_OK || block > 0xFFFF) {
        fuzz_die("append_unknown_extensions", LT_ERR_INTERNAL);
    }
    m[off] = (uint8_t)(block >> 8);
    m[off + 1] = (uint8_t)block;
    m[1] = (uint8_t)(body >> 16);
    m[2] = (uint8_t)(body >> 8);
    m[3] = (uint8_t)body;
}

static void fill(uint8_t *p, size_t n, uint8_t first)
{
    for (size_t i = 0; i < n; i++) {
        p[i] = (uint8_t)(first + i);
    }
}

/* The mutual TLS messages as our server writes them (messages_auth.c):
 * the CertificateRequests of TLS 1.2 and 1.3 with the schemes we verify and
 * two CA names (DER Names: SEQUENCE { SET { SEQUENCE { OID CN, UTF8String
 * } } }), the TLS 1.3 one also without names, and the certificate_authorities
 * extension body alone. */
static void cr_seeds(uint8_t *out, size_t cap)
{
    static const uint8_t TYPES[] = {1, 64};
    static const uint16_t SCHEMES[] = {0x0403, 0x0503, 0x0804, 0x0805, 0x0806, 0x0401, 0x0501, 0x0601};
    static const uint8_t NAMES[] = {0,    18,  0x30, 16,  0x31, 14,   0x30, 12,  0x06, 3,   0x55, 4,  3,    0x0c,
                                    5,    'f', 'u',  'z', 'z',  '1',  0,    18,  0x30, 16,  0x31, 14, 0x30, 12,
                                    0x06, 3,   0x55, 4,   3,    0x0c, 5,    'f', 'u',  'z', 'z',  '2'};
    size_t n_schemes = sizeof SCHEMES / sizeof SCHEMES[0];
    lt_wr w = lt_wr_init(out, cap);
    lt_write_certificate_request12(&w, TYPES, sizeof TYPES, SCHEMES, n_schemes, NAMES, sizeof NAMES);
    write_message_seed("gen_certificate_request12_ours", SEL_CERT_REQUEST, &w);
    w = lt_wr_init(out, cap);
    lt_write_certificate_request13(&w, SCHEMES, n_schemes, NAMES, sizeof NAMES);
    write_message_seed("gen_certificate_request13_ours", SEL_CERT_REQUEST13, &w);
    w = lt_wr_init(out, cap);
    lt_write_certificate_request13(&w, SCHEMES, n_schemes, NULL, 0);
    write_message_seed("gen_certificate_request13_no_names", SEL_CERT_REQUEST13, &w);
    uint8_t ext[2 + sizeof NAMES];
    ext[0] = 0;
    ext[1] = (uint8_t)sizeof NAMES;
    memcpy(ext + 2, NAMES, sizeof NAMES);
    write_seed("messages", "gen_authorities", SEL_AUTHORITIES, ext, sizeof ext);
}

static void message_seeds(void)
{
    static uint8_t out[1 << 16];
    uint8_t random[LT_RANDOM_LEN];
    fill(random, sizeof random, 0x40);

    /* A modern ClientHello: GREASE (RFC 8701) in the suites, groups and
     * signature schemes; every extension the codec knows in a ClientHello;
     * the fallback SCSV. */
    static const uint16_t suites[] = {0x2a2a, 0xc02b, 0xc02f, 0xc013, 0x009c, 0x002f};
    static const uint16_t groups[] = {0x3a3a, 0x001d, 0x0017, 0x0018};
    static const uint16_t sigalgs[] = {0x4a4a, 0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601};
    static const uint16_t sigalgs_cert[] = {0x0403, 0x0804};
    lt_client_hello_params ch = {
        .client_version = LT_TLS1_2,
        .random = random,
        .suites = suites,
        .n_suites = sizeof suites / sizeof suites[0],
        .add_scsv = 1,
        .fallback_scsv = 1,
        .sni = "fuzz.example",
        .ems = 1,
        .reneg_info = 1,
        .sigalgs = sigalgs,
        .n_sigalgs = sizeof sigalgs / sizeof sigalgs[0],
        .groups = groups,
        .n_groups = sizeof groups / sizeof groups[0],
        .ec_point_formats = 1,
        .etm = 1,
        .sigalgs_cert = sigalgs_cert,
        .n_sigalgs_cert = sizeof sigalgs_cert / sizeof sigalgs_cert[0],
    };
    lt_wr w = lt_wr_init(out, sizeof out);
    lt_write_client_hello(&w, &ch);
    write_message_seed("gen_ch_modern", SEL_CH, &w);

    /* A ClientHello with 400 empty extensions of unknown types after the
     * known ones: the many-extensions path within the smoke run's 4096
     * bytes. Written by hand after the writer's own block. */
    ch.sni = NULL;
    ch.sigalgs_cert = NULL;
    ch.n_sigalgs_cert = 0;
    w = lt_wr_init(out, sizeof out);
    lt_write_client_hello(&w, &ch);
    append_unknown_extensions(&w, 400);
    write_message_seed("gen_ch_many_extensions", SEL_CH, &w);

    /* A ServerHello with everything we write: renegotiation_info, EMS,
     * server_name ack, ec_point_formats, encrypt_then_mac. */
    uint8_t sid[LT_MAX_SESSION_ID];
    fill(sid, sizeof sid, 0x80);
    lt_server_hello_params sh = {.server_version = LT_TLS1_2,
                                 .random = random,
                                 .session_id = sid,
                                 .session_id_len = sizeof sid,
                                 .cipher_suite = 0xc027,
                                 .ems = 1,
                                 .reneg_info = 1,
                                 .sni_ack = 1,
                                 .etm = 1,
                                 .ec_point_formats = 1};
    w = lt_wr_init(out, sizeof out);
    lt_write_server_hello(&w, &sh);
    write_message_seed("gen_sh_etm_point_formats", SEL_SH, &w);

    /* ECDHE ServerKeyExchange and ClientKeyExchange for X25519 (32-byte
     * points, an RSA-PSS-sized signature) and P-256 (65-byte uncompressed
     * points, a DER ECDSA-sized signature). */
    static const struct {
        const char *name;
        uint16_t group;
        size_t point_len;
        uint16_t scheme;
        size_t sig_len;
    } kx[] = {{"x25519", 0x001d, 32, 0x0804, 256}, {"p256", 0x0017, 65, 0x0403, 71}};
    for (size_t i = 0; i < sizeof kx / sizeof kx[0]; i++) {
        uint8_t point[65], sig[256];
        fill(point, kx[i].point_len, 0x04);
        fill(sig, kx[i].sig_len, 0x30);
        char name[64];
        w = lt_wr_init(out, sizeof out);
        size_t m = lt_write_server_key_exchange_ecdhe_params(&w, kx[i].group, point, kx[i].point_len);
        lt_write_server_key_exchange_signature(&w, m, kx[i].scheme, sig, kx[i].sig_len);
        snprintf(name, sizeof name, "gen_ske_ecdhe_%s", kx[i].name);
        write_message_seed(name, SEL_SKE_ECDHE, &w);
        w = lt_wr_init(out, sizeof out);
        lt_write_client_key_exchange_ecdhe(&w, point, kx[i].point_len);
        snprintf(name, sizeof name, "gen_cke_ecdhe_%s", kx[i].name);
        write_message_seed(name, SEL_CKE_ECDHE, &w);
    }

    /* CertificateRequest (hand-made, as before our writer): types
     * {rsa_sign, ecdsa_sign}, three schemes, two DNs. */
    static const uint8_t cr[] = {2, 1, 64, 0, 6, 4, 1, 8, 4, 4, 3, 0, 9, 0, 2, 'A', 'B', 0, 3, 'C', 'D', 'E'};
    write_seed("messages", "gen_certificate_request", SEL_CERT_REQUEST, cr, sizeof cr);
    cr_seeds(out, sizeof out);

    /* TLS 1.2 NewSessionTicket (RFC 5077 3.3): a ticket, and an empty one. */
    uint8_t ticket[160];
    fill(ticket, sizeof ticket, 0x7A);
    w = lt_wr_init(out, sizeof out);
    lt_write_new_session_ticket12(&w, 7200, ticket, sizeof ticket);
    write_message_seed("gen_new_session_ticket12", SEL_NST12, &w);
    w = lt_wr_init(out, sizeof out);
    lt_write_new_session_ticket12(&w, 0, NULL, 0);
    write_message_seed("gen_new_session_ticket12_empty", SEL_NST12, &w);

    /* ALPN (RFC 7301 3.1): a client's offer, and a server's one name. */
    static const uint8_t offer[] = {0, 12, 2, 'h', '2', 8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
    static const uint8_t answer[] = {0, 3, 2, 'h', '2'};
    write_seed("messages", "gen_alpn_offer", SEL_ALPN, offer, sizeof offer);
    write_seed("messages", "gen_alpn_answer", SEL_ALPN, answer, sizeof answer);
}

int main(int argc, char **argv)
{
    int only_messages = argc == 3 && strcmp(argv[2], "messages") == 0;
    if (argc != 2 && !only_messages) {
        fprintf(stderr,
                "usage: %s CORPUS_DIR [messages]   (writes CORPUS_DIR/{record,server,client,messages}/gen_*,\n"
                "       or with `messages` only CORPUS_DIR/messages/gen_*)\n",
                argv[0]);
        return 2;
    }
    g_dir = argv[1];
    message_seeds();
    if (only_messages) {
        return 0;
    }
    record_seeds();
    handshake_seeds();
    handshake13_seeds();
    mtls_seeds();
    return 0;
}
