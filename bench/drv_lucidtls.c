/*
 * lucidtls under test: two lt_conn in one thread. A side's step feeds what
 * is waiting on its incoming pipe, advances its handshake, and copies its
 * output onto the outgoing pipe (the copy stands in for send(), as OpenSSL's
 * BIO write does on its side). All of it is charged to that side.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "lucidtls/lucidtls.h"

typedef struct ltb_ctx {
    lt_config *ccfg;
    lt_config *scfg;
    int release; /* call lt_conn_release_buffers whenever a pair goes idle */
    /* The resumption case: the session every client offers (as an
     * application keeps it: the bytes of lt_conn_get_session). */
    uint8_t sess[LT_SESSION_MAX_LEN];
    size_t sess_len;
    /* What made the configs, for the probe's own traced copies (a config
     * is frozen by its first connection: the trace cannot be added later). */
    const bench_pki *pki;
    const bench_case *cs;
} ltb_ctx;

typedef struct ltb_pair {
    ltb_ctx *ctx;
    lt_conn *c;
    lt_conn *s;
} ltb_pair;

static void ltb_ctx_free(void *p);
static int prime_session(ltb_ctx *x, char *err, size_t errcap);

/* TLS 1.2 only or TLS 1.3 only; tickets (a TLS 1.3 server's, RFC 8446
 * 4.6.1) off, or one per handshake in the resumption case, as libssl is
 * configured. */
static void *ltb_ctx_make(const bench_pki *pki, const bench_case *cs, lt_trace_fn trace, void *trace_arg, char *err,
                          size_t errcap)
{
    ltb_ctx *x = calloc(1, sizeof *x);
    if (x == NULL) {
        snprintf(err, errcap, "out of memory");
        return NULL;
    }
    /* The one identity the suite needs, as OpenSSL gets it. */
    const char *chain = cs->kx == KX_ECDHE_ECDSA ? pki->ec_chain_pem : pki->chain_pem;
    const char *key = cs->kx == KX_ECDHE_ECDSA ? pki->ec_key_pem : pki->key_pem;
    /* X25519, and for ECDSA in TLS 1.2 also the certificate's curve, as
     * OpenSSL is configured (drv_openssl.c case_groups_list). */
    static const uint16_t groups[] = {LT_GROUP_X25519, LT_GROUP_SECP256R1};
    size_t ngroups = cs->kx == KX_ECDHE_ECDSA && !cs->tls13 ? 2 : 1;
    uint16_t version = cs->tls13 ? LT_TLS1_3 : LT_TLS1_2;
    x->pki = pki;
    x->cs = cs;
    x->ccfg = lt_config_new(LT_ROLE_CLIENT);
    x->scfg = lt_config_new(LT_ROLE_SERVER);
    int rc = LT_ERR_NOMEM;
    if (x->ccfg == NULL || x->scfg == NULL ||
        (rc = lt_config_set_cert_chain_pem(x->scfg, chain, strlen(chain))) != LT_OK ||
        (rc = lt_config_set_key_pem(x->scfg, key, strlen(key))) != LT_OK ||
        (rc = lt_config_set_ca_pem(x->ccfg, pki->ca_pem, strlen(pki->ca_pem))) != LT_OK ||
        (rc = lt_config_set_ciphers(x->ccfg, cs->suite)) != LT_OK ||
        (rc = lt_config_set_ciphers(x->scfg, cs->suite)) != LT_OK ||
        (rc = lt_config_set_groups(x->ccfg, groups, ngroups)) != LT_OK ||
        (rc = lt_config_set_groups(x->scfg, groups, ngroups)) != LT_OK ||
        (rc = lt_config_set_versions(x->ccfg, version, version)) != LT_OK ||
        (rc = lt_config_set_versions(x->scfg, version, version)) != LT_OK ||
        (rc = lt_config_set_tickets(x->scfg, (unsigned)case_tickets(cs), 7200)) != LT_OK ||
        (rc = lt_config_set_trace(x->ccfg, trace, trace_arg, 0)) != LT_OK ||
        (rc = lt_config_set_trace(x->scfg, trace, trace_arg, 0)) != LT_OK) {
        snprintf(err, errcap, "lucidtls config: %s (%s)", lt_result_name(rc),
                 x->scfg != NULL ? lt_config_error(x->scfg) : "");
        lt_config_free(x->ccfg);
        lt_config_free(x->scfg);
        free(x);
        return NULL;
    }
    /* EMS is on by default; the hostname check too. EtM (on by default)
     * as the case says, in both configs. The signature scheme cannot be
     * configured: the server takes the first of its preference list the
     * client offers (rsa_pss_rsae_sha256 for RSA, ecdsa_secp256r1_sha256
     * for P-256), which the probe checks. */
    lt_config_set_encrypt_then_mac(x->ccfg, cs->etm);
    lt_config_set_encrypt_then_mac(x->scfg, cs->etm);
    if (cs->resume && prime_session(x, err, errcap) != 0) {
        ltb_ctx_free(x);
        return NULL;
    }
    return x;
}

static void *ltb_ctx_new(const bench_pki *pki, const bench_case *cs, char *err, size_t errcap)
{
    return ltb_ctx_make(pki, cs, NULL, NULL, err, errcap);
}

static void ltb_ctx_free(void *p)
{
    ltb_ctx *x = p;
    if (x == NULL) {
        return;
    }
    lt_config_free(x->ccfg);
    lt_config_free(x->scfg);
    free(x);
}

static void *ltb_pair_new(void *ctx)
{
    ltb_ctx *x = ctx;
    ltb_pair *p = calloc(1, sizeof *p);
    if (p == NULL) {
        return NULL;
    }
    p->ctx = x;
    side_enter(SIDE_CLIENT);
    p->c = lt_conn_new(x->ccfg);
    int ok = p->c != NULL && lt_conn_set_hostname(p->c, "localhost") == LT_OK &&
             (x->sess_len == 0 || !g_offer_session || lt_conn_set_session(p->c, x->sess, x->sess_len) == LT_OK);
    side_leave();
    side_enter(SIDE_SERVER);
    p->s = lt_conn_new(x->scfg);
    side_leave();
    if (!ok || p->s == NULL) {
        side_enter(SIDE_CLIENT);
        lt_conn_free(p->c);
        side_leave();
        side_enter(SIDE_SERVER);
        lt_conn_free(p->s);
        side_leave();
        free(p);
        return NULL;
    }
    return p;
}

static void ltb_pair_free(void *pp)
{
    ltb_pair *p = pp;
    if (p == NULL) {
        return;
    }
    side_enter(SIDE_CLIENT);
    lt_conn_free(p->c);
    side_leave();
    side_enter(SIDE_SERVER);
    lt_conn_free(p->s);
    side_leave();
    free(p);
}

/* Everything the connection wants to send goes onto the pipe. */
static int flush_out(lt_conn *conn, wire_pipe *w)
{
    size_t n;
    const uint8_t *out = lt_conn_out_peek(conn, &n);
    if (n == 0) {
        return 0;
    }
    size_t put = wire_put(w, out, n);
    lt_conn_out_consume(conn, put);
    return put == n ? 0 : -1;
}

/* Feeds the pipe into the connection. Returns the lt_conn_feed error, or 0;
 * stops early (with bytes left on the pipe) when unread application data
 * blocks the connection. */
static int feed_in(lt_conn *conn, wire_pipe *w)
{
    while (w->off < w->len) {
        size_t used = 0;
        int rc = lt_conn_feed(conn, w->buf + w->off, w->len - w->off, &used);
        w->off += used;
        if (rc < 0) {
            return rc;
        }
        if (used == 0) {
            break;
        }
    }
    return 0;
}

/* What an idle server or client does in the release variant: nothing is in
 * flight, so the record buffers go back until the next read or write. */
static void release_if_asked(ltb_pair *p)
{
    if (!p->ctx->release) {
        return;
    }
    side_enter(SIDE_CLIENT);
    lt_conn_release_buffers(p->c);
    side_leave();
    side_enter(SIDE_SERVER);
    lt_conn_release_buffers(p->s);
    side_leave();
}

static int ltb_pair_handshake(void *pp, char *err, size_t errcap)
{
    ltb_pair *p = pp;
    wire_reset();
    for (int round = 0; round < 32; round++) {
        side_enter(SIDE_CLIENT);
        int rcc = feed_in(p->c, &g_wire[1]);
        if (rcc == 0) {
            rcc = lt_conn_handshake(p->c);
        }
        int fc = flush_out(p->c, &g_wire[0]);
        side_leave();

        side_enter(SIDE_SERVER);
        int rcs = feed_in(p->s, &g_wire[0]);
        if (rcs == 0) {
            rcs = lt_conn_handshake(p->s);
        }
        int fs = flush_out(p->s, &g_wire[1]);
        side_leave();

        if (rcc < 0 || rcs < 0 || fc < 0 || fs < 0) {
            const char *dc = "", *ds = "";
            lt_conn_error(p->c, &dc);
            lt_conn_error(p->s, &ds);
            snprintf(err, errcap, "lucidtls handshake failed: client %s (%s), server %s (%s)", lt_result_name(rcc), dc,
                     lt_result_name(rcs), ds);
            return -1;
        }
        if (rcc == LT_OK && rcs == LT_OK && g_wire[0].off == g_wire[0].len && g_wire[1].off == g_wire[1].len) {
            release_if_asked(p);
            return 0;
        }
    }
    snprintf(err, errcap, "lucidtls handshake made no progress");
    return -1;
}

static const char *group_text(uint16_t group)
{
    switch (group) {
    case 0: return "-";
    case LT_GROUP_X25519: return "x25519";
    case LT_GROUP_SECP256R1: return "secp256r1";
    case LT_GROUP_SECP384R1: return "secp384r1";
    default: return "other";
    }
}

static int ltb_pair_check(void *pp, const bench_case *cs, char *err, size_t errcap)
{
    ltb_pair *p = pp;
    const char *suite = cs->suite;
    const lt_conn *side[2] = {p->c, p->s};
    for (int i = 0; i < 2; i++) {
        const char *who = i == 0 ? "client" : "server";
        const char *got = lt_suite_openssl_name(lt_conn_cipher_suite(side[i]));
        const char *group = group_text(lt_conn_group(side[i]));
        if (!lt_conn_is_established(side[i])) {
            snprintf(err, errcap, "lucidtls %s not established", who);
            return -1;
        }
        if (lt_conn_version(side[i]) != (cs->tls13 ? LT_TLS1_3 : LT_TLS1_2)) {
            snprintf(err, errcap, "lucidtls %s: version 0x%04x", who, lt_conn_version(side[i]));
            return -1;
        }
        if (got == NULL || strcmp(got, suite) != 0) {
            snprintf(err, errcap, "lucidtls %s negotiated %s, wanted %s", who, got ? got : "?", suite);
            return -1;
        }
        /* RFC 7627 is TLS 1.2's (TLS 1.3 binds its keys to the transcript). */
        if (!cs->tls13 && !lt_conn_used_ems(side[i])) {
            snprintf(err, errcap, "lucidtls %s did not use the extended master secret", who);
            return -1;
        }
        if (lt_conn_resumed(side[i]) != (cs->resume != RESUME_NONE)) {
            snprintf(err, errcap, "lucidtls %s %s", who,
                     cs->resume ? "did not resume the session" : "resumed a session");
            return -1;
        }
        if (case_group(cs) != NULL && strcmp(group, case_group(cs)) != 0) {
            snprintf(err, errcap, "lucidtls %s used group %s, wanted %s", who, group, case_group(cs));
            return -1;
        }
    }
    const char *sni = lt_conn_server_name(p->s);
    if (sni == NULL || strcmp(sni, "localhost") != 0) {
        snprintf(err, errcap, "lucidtls server did not see SNI localhost");
        return -1;
    }
    /* The client reaches CONNECTED only with LT_PROOF_PEER_CERT_OK (chain,
     * validity and hostname checked): see hs/machine.c required_proof. */
    return 0;
}

static long ltb_pair_send(void *pp, int from_client, const uint8_t *data, size_t len, uint8_t *out)
{
    ltb_pair *p = pp;
    lt_conn *from = from_client ? p->c : p->s;
    lt_conn *to = from_client ? p->s : p->c;
    wire_pipe *w = &g_wire[from_client ? 0 : 1];
    int sside = from_client ? SIDE_CLIENT : SIDE_SERVER;
    int rside = from_client ? SIDE_SERVER : SIDE_CLIENT;

    side_enter(sside);
    size_t off = 0;
    while (off < len) {
        size_t wr = 0;
        int rc = lt_conn_write(from, data + off, len - off, &wr);
        if (rc < 0) {
            side_leave();
            return -1;
        }
        off += wr;
        if (flush_out(from, w) < 0) {
            side_leave();
            return -1;
        }
    }
    side_leave();

    side_enter(rside);
    size_t got = 0;
    for (;;) {
        size_t r = 0;
        while (got < len && lt_conn_read(to, out + got, len - got, &r) == LT_OK && r > 0) {
            got += r;
        }
        if (w->off == w->len) {
            break;
        }
        size_t before = w->off;
        if (feed_in(to, w) < 0) {
            side_leave();
            return -1;
        }
        if (w->off == before && (got == len || r == 0)) {
            /* Blocked on unread data we have no room for. */
            r = 0;
            if (lt_conn_read(to, out + got, len - got, &r) != LT_OK || r == 0) {
                break;
            }
            got += r;
        }
    }
    side_leave();
    release_if_asked(p);
    return (long)got;
}

static const char *ltb_version(void)
{
    return "lucidtls " LT_VERSION_STRING;
}

/* The probe: one handshake whose connections trace, made from configs of
 * their own (the measured ones never trace).
 * The client reports the group and scheme of the ServerKeyExchange it
 * verified, the server whether it chose encrypt-then-MAC and EMS. */
static const char *field_text(const lt_event *ev, const char *name)
{
    for (size_t i = 0; i < ev->nfields; i++) {
        if (strcmp(ev->fields[i].name, name) == 0 && ev->fields[i].text != NULL) {
            return ev->fields[i].text;
        }
    }
    return NULL;
}

static void probe_trace(void *arg, const struct lt_conn *conn, const lt_event *ev)
{
    bench_probe *out = arg;
    const char *t;
    if (lt_conn_role(conn) == LT_ROLE_CLIENT && ev->kind == LT_EV_MSG_RECV && ev->what != NULL &&
        strcmp(ev->what, "ServerKeyExchange") == 0) {
        if ((t = field_text(ev, "group")) != NULL) {
            snprintf(out->group, sizeof out->group, "%s", t);
        }
        if ((t = field_text(ev, "signature_scheme")) != NULL) {
            snprintf(out->scheme, sizeof out->scheme, "%s", t);
        }
    }
    /* TLS 1.3: the scheme is the CertificateVerify's (the group comes
     * from lt_conn_group after the handshake); tickets are counted. */
    if (lt_conn_role(conn) == LT_ROLE_CLIENT && ev->kind == LT_EV_MSG_RECV && ev->what != NULL &&
        strcmp(ev->what, "CertificateVerify") == 0 && (t = field_text(ev, "scheme")) != NULL) {
        snprintf(out->scheme, sizeof out->scheme, "%s", t);
    }
    if (lt_conn_role(conn) == LT_ROLE_CLIENT && ev->kind == LT_EV_MSG_RECV && ev->what != NULL &&
        strcmp(ev->what, "NewSessionTicket") == 0) {
        out->tickets++;
    }
    if (lt_conn_role(conn) == LT_ROLE_SERVER && ev->kind == LT_EV_CHOICE && ev->what != NULL &&
        (t = field_text(ev, "used")) != NULL) {
        if (strcmp(ev->what, "encrypt_then_mac") == 0) {
            out->etm = strcmp(t, "yes") == 0;
        } else if (strcmp(ev->what, "extended_master_secret") == 0) {
            out->ems = strcmp(t, "yes") == 0;
        }
    }
}

static int ltb_probe(void *ctx, bench_probe *out, char *err, size_t errcap)
{
    ltb_ctx *x = ctx;
    ltb_ctx *px = ltb_ctx_make(x->pki, x->cs, probe_trace, out, err, errcap);
    if (px == NULL) {
        return -1;
    }
    px->release = x->release;
    /* Only the probed handshake counts (not the priming one of the
     * resumption case). */
    memset(out, 0, sizeof *out);
    snprintf(out->group, sizeof out->group, "-");
    snprintf(out->scheme, sizeof out->scheme, "-");
    void *p = ltb_pair_new(px);
    if (p == NULL) {
        ltb_ctx_free(px);
        snprintf(err, errcap, "lucidtls probe: pair_new failed");
        return -1;
    }
    int rc = ltb_pair_handshake(p, err, errcap);
    if (rc == 0) {
        ltb_pair *lp = p;
        uint16_t v = lt_conn_version(lp->c);
        const char *suite = lt_suite_openssl_name(lt_conn_cipher_suite(lp->c));
        snprintf(out->version, sizeof out->version, "%s",
                 v == LT_TLS1_3   ? "TLSv1.3"
                 : v == LT_TLS1_2 ? "TLSv1.2"
                                  : "other");
        snprintf(out->suite, sizeof out->suite, "%s", suite != NULL ? suite : "-");
        if (strcmp(out->group, "-") == 0) {
            snprintf(out->group, sizeof out->group, "%s", group_text(lt_conn_group(lp->c)));
        }
        out->resumed = lt_conn_resumed(lp->c);
    }
    ltb_pair_free(p);
    ltb_ctx_free(px);
    return rc;
}

/* The resumption case: one full handshake (the context has no session
 * yet); the handshake loop runs until the client has read the server's
 * ticket, then the client's session is kept as bytes. */
static int prime_session(ltb_ctx *x, char *err, size_t errcap)
{
    ltb_pair *p = ltb_pair_new(x);
    if (p == NULL) {
        snprintf(err, errcap, "lucidtls: pair_new failed");
        return -1;
    }
    int rc = ltb_pair_handshake(p, err, errcap);
    if (rc == 0) {
        int grc = lt_conn_get_session(p->c, x->sess, sizeof x->sess, &x->sess_len);
        if (grc != LT_OK || x->sess_len == 0) {
            snprintf(err, errcap, "lucidtls: no session after the first handshake (%s)", lt_result_name(grc));
            x->sess_len = 0;
            rc = -1;
        }
    }
    ltb_pair_free(p);
    return rc;
}

static void *ltb_ctx_new_release(const bench_pki *pki, const bench_case *cs, char *err, size_t errcap)
{
    ltb_ctx *x = ltb_ctx_new(pki, cs, err, errcap);
    if (x != NULL) {
        x->release = 1;
    }
    return x;
}

const bench_lib bench_lucidtls_release = {
    .name = "lucidtls (lt_conn_release_buffers when idle)",
    .ctx_new = ltb_ctx_new_release,
    .ctx_free = ltb_ctx_free,
    .pair_new = ltb_pair_new,
    .pair_handshake = ltb_pair_handshake,
    .pair_check = ltb_pair_check,
    .pair_send = ltb_pair_send,
    .pair_free = ltb_pair_free,
    .probe = ltb_probe,
    .version = ltb_version,
};

const bench_lib bench_lucidtls = {
    .name = "lucidtls",
    .ctx_new = ltb_ctx_new,
    .ctx_free = ltb_ctx_free,
    .pair_new = ltb_pair_new,
    .pair_handshake = ltb_pair_handshake,
    .pair_check = ltb_pair_check,
    .pair_send = ltb_pair_send,
    .pair_free = ltb_pair_free,
    .probe = ltb_probe,
    .version = ltb_version,
};
