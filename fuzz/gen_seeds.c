/*
 * Writes the seed corpora of fuzz_record, fuzz_server and fuzz_client:
 *
 *   build-fuzz/gen_seeds fuzz/corpus
 *
 * writes fuzz/corpus/{record,server,client}/gen_*. Run it again whenever the
 * handshake, the test keys in fuzz/testkeys/ or the deterministic RNG in
 * fuzz_common.c change, since the handshake seeds are recordings that only
 * replay against exactly this setup.
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
 * Each side draws from its own deterministic stream (fuzz_rng_use is called
 * before every call into that side), exactly as in the targets. Each seed is
 * replayed through fuzz_drive before it is written and must reach CONNECTED.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conn/conn.h"
#include "base/limits.h"
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
    int restrict_client; /* 1: the client is restricted (server seeds), 0: the server (client seeds) */
} run_opts;

/* One full recorded connection. Returns 0 and fills the two logs. */
static int record_run(const run_opts *o, buf *c2s, buf *s2c)
{
    lt_config *ccfg = fuzz_client_config();
    lt_config *scfg = fuzz_server_config();
    lt_config *restricted = o->restrict_client ? ccfg : scfg;
    int rc = lt_config_set_cipher_suites(restricted, &o->suite, 1);
    if (rc != LT_OK) {
        fuzz_die("lt_config_set_cipher_suites", rc);
    }
    lt_config_set_ems(restricted, o->ems);

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
        /* The ClientHello body, for the renegotiation attempt: the first
         * record the client sent holds exactly the ClientHello. */
        size_t ch_len = ((size_t)c2s->p[3] << 8) | c2s->p[4];
        static const uint8_t hello_request[4] = {0, 0, 0, 0};
        send_app(&cl, "GET / HTTP/1.0\r\n\r\n");
        send_app(&sv, "HTTP/1.0 200 OK\r\n\r\nhello from lucidtls\n");
        move(&cl, &sv, c2s);
        move(&sv, &cl, s2c);
        send_raw_handshake(&cl, c2s->p + 5, ch_len);
        send_raw_handshake(&sv, hello_request, sizeof hello_request);
        move(&cl, &sv, c2s);
        move(&sv, &cl, s2c);
        send_app(&cl, "after the refused renegotiation");
        send_app(&sv, "after the refused renegotiation");
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
    lt_config *cfg = server ? fuzz_server_config() : fuzz_client_config();
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

static void handshake_seeds(void)
{
    static const uint16_t SUITES[] = {
        LT_TLS_RSA_WITH_AES_128_GCM_SHA256, LT_TLS_RSA_WITH_AES_256_GCM_SHA384, LT_TLS_RSA_WITH_AES_128_CBC_SHA256,
        LT_TLS_RSA_WITH_AES_256_CBC_SHA256, LT_TLS_RSA_WITH_AES_128_CBC_SHA,    LT_TLS_RSA_WITH_AES_256_CBC_SHA,
    };
    for (int server = 1; server >= 0; server--) {
        const char *sub = server ? "server" : "client";
        for (size_t i = 0; i < sizeof SUITES / sizeof SUITES[0]; i++) {
            for (int ems = 1; ems >= 0; ems--) {
                /* EMS off only for one GCM and one CBC suite: enough to reach
                 * the other master-secret path. */
                if (!ems && i != 0 && i != 4) {
                    continue;
                }
                run_opts o = {SUITES[i], ems, server};
                buf c2s = {0}, s2c = {0};
                if (record_run(&o, &c2s, &s2c) != 0) {
                    exit(1);
                }
                buf *b = server ? &c2s : &s2c;
                char name[128];
                /* flags 0x08: echo application data back. */
                replay(server, 0x08, b);
                snprintf(name, sizeof name, "gen_%s%s", lt_suite_openssl_name(SUITES[i]), ems ? "" : "_noems");
                write_seed(sub, name, 0x08, b->p, b->len);
                if (i == 0 && ems) {
                    /* The same flight fed in small pieces, then EOF; and
                     * with every plaintext handshake record split. */
                    replay(server, 0x02 | 0x10 | 0x20, b);
                    snprintf(name, sizeof name, "gen_%s_chunked_eof", lt_suite_openssl_name(SUITES[i]));
                    write_seed(sub, name, 0x02 | 0x10 | 0x20, b->p, b->len);
                    int seen_ccs = 0;
                    uint8_t *big = malloc(LOG_CAP);
                    if (big == NULL) {
                        abort();
                    }
                    memcpy(big, b->p, b->len);
                    buf framed = {big, reframe_records(big, b->len, LOG_CAP, 50, 0, &seen_ccs)};
                    replay(server, 0, &framed);
                    snprintf(name, sizeof name, "gen_%s_fragmented", lt_suite_openssl_name(SUITES[i]));
                    write_seed(sub, name, 0, framed.p, framed.len);
                    free(big);
                }
                free(c2s.p);
                free(s2c.p);
            }
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

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s CORPUS_DIR   (writes CORPUS_DIR/{record,server,client}/gen_*)\n", argv[0]);
        return 2;
    }
    g_dir = argv[1];
    record_seeds();
    handshake_seeds();
    return 0;
}
