/*
 * OpenSSL's libssl under test: two SSL objects in one thread, each with one
 * BIO of our own (a memory BIO in all but name) over the same static pipes
 * lucidtls uses. A memory BIO pair (BIO_new_bio_pair) would put two 17 KiB
 * transport buffers per connection on the heap and so into the memory
 * numbers; the pipes are static, so both libraries are charged for their own
 * allocations only. Configured like lucidtls: TLS 1.2 only or TLS 1.3
 * only, one cipher suite, no tickets and no session cache (every handshake
 * full), EMS (TLS 1.2; on by default), encrypt-then-MAC (RFC 7366) on or off
 * as the case says (as lucidtls is told), ECDHE over X25519 only, the
 * signature scheme lucidtls signs with (forced with SSL_CTX_set1_sigalgs_list
 * on both sides), client verifying the chain against the bench CA and the
 * hostname "localhost". The TLS 1.3 resumption case turns tickets on (one
 * per handshake, stateless: still no session cache) and resumes one session
 * taken from a full handshake.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "bench.h"

typedef struct osb_ctx {
    SSL_CTX *cctx;
    SSL_CTX *sctx;
    SSL_SESSION *sess; /* the resumption case: the session every client offers */
} osb_ctx;

typedef struct osb_pair {
    SSL *c;
    SSL *s;
} osb_pair;

/* The two ends of the wire: each BIO reads one pipe and writes the other. */
typedef struct wire_end {
    wire_pipe *in;
    wire_pipe *out;
} wire_end;

static wire_end end_client = {&g_wire[1], &g_wire[0]};
static wire_end end_server = {&g_wire[0], &g_wire[1]};
static BIO_METHOD *wire_method;

static int wire_bio_write(BIO *b, const char *data, int len)
{
    wire_end *e = BIO_get_data(b);
    BIO_clear_retry_flags(b);
    if (len <= 0) {
        return 0;
    }
    size_t n = wire_put(e->out, (const uint8_t *)data, (size_t)len);
    if (n == 0) {
        BIO_set_retry_write(b);
        return -1;
    }
    return (int)n;
}

static int wire_bio_read(BIO *b, char *buf, int len)
{
    wire_end *e = BIO_get_data(b);
    BIO_clear_retry_flags(b);
    size_t avail = e->in->len - e->in->off;
    if (avail == 0) {
        BIO_set_retry_read(b);
        return -1;
    }
    size_t n = (size_t)len < avail ? (size_t)len : avail;
    memcpy(buf, e->in->buf + e->in->off, n);
    e->in->off += n;
    return (int)n;
}

static long wire_bio_ctrl(BIO *b, int cmd, long num, void *ptr)
{
    (void)num;
    (void)ptr;
    wire_end *e = BIO_get_data(b);
    switch (cmd) {
    case BIO_CTRL_FLUSH: return 1;
    case BIO_CTRL_PENDING: return (long)(e->in->len - e->in->off);
    case BIO_CTRL_WPENDING: return 0;
    default: return 0;
    }
}

static int wire_bio_create(BIO *b)
{
    BIO_set_init(b, 1);
    return 1;
}

static int wire_method_init(void)
{
    if (wire_method != NULL) {
        return 1;
    }
    wire_method = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "bench wire");
    return wire_method != NULL && BIO_meth_set_write(wire_method, wire_bio_write) == 1 &&
           BIO_meth_set_read(wire_method, wire_bio_read) == 1 && BIO_meth_set_ctrl(wire_method, wire_bio_ctrl) == 1 &&
           BIO_meth_set_create(wire_method, wire_bio_create) == 1;
}

static void ssl_err(char *err, size_t errcap, const char *what)
{
    char buf[256];
    unsigned long e = ERR_get_error();
    ERR_error_string_n(e, buf, sizeof buf);
    snprintf(err, errcap, "openssl %s: %s", what, e ? buf : "(no error queued)");
    ERR_clear_error();
}

/* The one scheme lucidtls's server picks for this key (its preference
 * list, src/hs/server12.c): PSS for RSA, ECDSA with SHA-256 for P-256.
 * Without this, OpenSSL would pick the same from lucidtls's list, but its
 * own client offers others first. */
const char *case_scheme(const bench_case *cs)
{
    switch (cs->kx) {
    case KX_ECDHE_RSA: return "rsa_pss_rsae_sha256";
    case KX_ECDHE_ECDSA: return "ecdsa_secp256r1_sha256";
    default: return NULL;
    }
}

const char *case_group(const bench_case *cs)
{
    /* An abbreviated TLS 1.2 handshake exchanges no keys. */
    return (cs->kx == KX_RSA && !cs->tls13) || CASE_IS_TLS12_RESUME(cs) ? NULL : "x25519";
}

const char *case_probe_scheme(const bench_case *cs)
{
    return cs->resume || case_scheme(cs) == NULL ? "-" : case_scheme(cs);
}

int case_tickets(const bench_case *cs)
{
    return cs->resume == RESUME_TICKET ? 1 : 0;
}

/* The groups both sides allow: X25519, and for an ECDSA certificate its
 * curve too, since in TLS 1.2 supported_groups also covers the curve of the
 * server's certificate (RFC 8422 5.1: a server must respect it; libssl
 * refuses an ECDSA suite without it). X25519 comes first and is what every
 * handshake uses (checked). TLS 1.3 has no such rule (the certificate's
 * curve is a signature_algorithms matter, RFC 8446 4.2.3): X25519 only. */
static const char *case_groups_list(const bench_case *cs)
{
    return cs->kx == KX_ECDHE_ECDSA && !cs->tls13 ? "X25519:P-256" : "X25519";
}

/* TLS 1.3 only, the one suite, X25519, the scheme. Full handshakes: no
 * tickets at all (SSL_OP_NO_TICKET alone would still send stateful ones in
 * TLS 1.3; the count 0 sends none). The resumption case: one stateless
 * ticket per handshake, as lucidtls's server is told, and no cache. */
static int tls13_setup(SSL_CTX *ctx, const bench_case *cs)
{
    const char *scheme = case_scheme(cs);
    if (cs->resume) {
        SSL_CTX_clear_options(ctx, SSL_OP_NO_TICKET);
    } else {
        SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
    }
    return SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION) == 1 &&
           SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION) == 1 && SSL_CTX_set_ciphersuites(ctx, cs->suite) == 1 &&
           SSL_CTX_set_num_tickets(ctx, (size_t)case_tickets(cs)) == 1 &&
           (SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF), 1) &&
           SSL_CTX_set1_groups_list(ctx, case_groups_list(cs)) == 1 &&
           (scheme == NULL || SSL_CTX_set1_sigalgs_list(ctx, scheme) == 1);
}

static int common_setup(SSL_CTX *ctx, const bench_case *cs)
{
    if (cs->tls13) {
        return tls13_setup(ctx, cs);
    }
    uint64_t opts = SSL_OP_NO_TICKET | (cs->etm ? 0 : SSL_OP_NO_ENCRYPT_THEN_MAC);
    const char *scheme = case_scheme(cs);
    /* TLS 1.2 resumption: stateless RFC 5077 tickets and no cache, or no
     * tickets and the server's session cache (the session ID way). */
    long cache = cs->resume == RESUME_SESSION_ID ? SSL_SESS_CACHE_SERVER : SSL_SESS_CACHE_OFF;
    static const unsigned char sid_ctx[] = "lucidtls-bench";
    int ok = SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) == 1 &&
             SSL_CTX_set_max_proto_version(ctx, TLS1_2_VERSION) == 1 && SSL_CTX_set_cipher_list(ctx, cs->suite) == 1 &&
             (SSL_CTX_set_options(ctx, opts) & SSL_OP_NO_TICKET) != 0 &&
             SSL_CTX_set_session_id_context(ctx, sid_ctx, sizeof sid_ctx - 1) == 1;
    if (cs->resume == RESUME_TICKET) {
        SSL_CTX_clear_options(ctx, SSL_OP_NO_TICKET);
    }
    return ok && (SSL_CTX_set_session_cache_mode(ctx, cache), 1) &&
           SSL_CTX_set1_groups_list(ctx, case_groups_list(cs)) == 1 &&
           (scheme == NULL || SSL_CTX_set1_sigalgs_list(ctx, scheme) == 1);
}

static void osb_ctx_free(void *p);
static int prime_session(osb_ctx *x, char *err, size_t errcap);

static void *osb_ctx_new(const bench_pki *pki, const bench_case *cs, char *err, size_t errcap)
{
    osb_ctx *x = calloc(1, sizeof *x);
    BIO *bio = NULL;
    X509 *cert = NULL;
    EVP_PKEY *key = NULL;
    if (x == NULL || !wire_method_init()) {
        snprintf(err, errcap, "out of memory");
        free(x);
        return NULL;
    }
    x->cctx = SSL_CTX_new(TLS_client_method());
    x->sctx = SSL_CTX_new(TLS_server_method());
    if (x->cctx == NULL || x->sctx == NULL || !common_setup(x->cctx, cs) || !common_setup(x->sctx, cs)) {
        ssl_err(err, errcap, "SSL_CTX setup");
        goto fail;
    }

    /* Server: the same chain (leaf, then CA) and key as lucidtls: the
     * RSA-2048 identity, or the P-256 one for ECDHE-ECDSA. */
    bio = BIO_new_mem_buf(cs->kx == KX_ECDHE_ECDSA ? pki->ec_chain_pem : pki->chain_pem, -1);
    cert = bio != NULL ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
    if (cert == NULL || SSL_CTX_use_certificate(x->sctx, cert) != 1) {
        ssl_err(err, errcap, "server certificate");
        goto fail;
    }
    X509_free(cert);
    cert = NULL;
    X509 *extra;
    while ((extra = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
        if (SSL_CTX_add0_chain_cert(x->sctx, extra) != 1) {
            X509_free(extra);
            ssl_err(err, errcap, "server chain");
            goto fail;
        }
    }
    ERR_clear_error();
    BIO_free(bio);
    bio = BIO_new_mem_buf(cs->kx == KX_ECDHE_ECDSA ? pki->ec_key_pem : pki->key_pem, -1);
    key = bio != NULL ? PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL) : NULL;
    if (key == NULL || SSL_CTX_use_PrivateKey(x->sctx, key) != 1 || SSL_CTX_check_private_key(x->sctx) != 1) {
        ssl_err(err, errcap, "server key");
        goto fail;
    }
    EVP_PKEY_free(key);
    key = NULL;
    BIO_free(bio);

    /* Client: trust the bench CA only, verify the peer. */
    bio = BIO_new_mem_buf(pki->ca_pem, -1);
    cert = bio != NULL ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
    if (cert == NULL || X509_STORE_add_cert(SSL_CTX_get_cert_store(x->cctx), cert) != 1) {
        ssl_err(err, errcap, "client trust");
        goto fail;
    }
    X509_free(cert);
    cert = NULL;
    BIO_free(bio);
    bio = NULL;
    SSL_CTX_set_verify(x->cctx, SSL_VERIFY_PEER, NULL);
    if (cs->resume && prime_session(x, err, errcap) != 0) {
        osb_ctx_free(x);
        return NULL;
    }
    return x;

fail:
    X509_free(cert);
    EVP_PKEY_free(key);
    BIO_free(bio);
    SSL_CTX_free(x->cctx);
    SSL_CTX_free(x->sctx);
    free(x);
    return NULL;
}

/* The same, with SSL_MODE_RELEASE_BUFFERS: libssl frees its record buffers
 * whenever they are empty (not the default; shown for the memory rows). */
static void *osb_ctx_new_release(const bench_pki *pki, const bench_case *cs, char *err, size_t errcap)
{
    osb_ctx *x = osb_ctx_new(pki, cs, err, errcap);
    if (x != NULL) {
        SSL_CTX_set_mode(x->cctx, SSL_MODE_RELEASE_BUFFERS);
        SSL_CTX_set_mode(x->sctx, SSL_MODE_RELEASE_BUFFERS);
    }
    return x;
}

static void osb_ctx_free(void *p)
{
    osb_ctx *x = p;
    if (x == NULL) {
        return;
    }
    SSL_SESSION_free(x->sess);
    SSL_CTX_free(x->cctx);
    SSL_CTX_free(x->sctx);
    free(x);
}

static SSL *make_ssl(SSL_CTX *ctx, wire_end *end, int client, SSL_SESSION *sess)
{
    SSL *ssl = SSL_new(ctx);
    BIO *bio = ssl != NULL ? BIO_new(wire_method) : NULL;
    if (bio == NULL) {
        SSL_free(ssl);
        return NULL;
    }
    BIO_set_data(bio, end);
    SSL_set_bio(ssl, bio, bio); /* one reference, used for both directions */
    if (client) {
        /* As lucidtls: SNI, RFC 6125 name check without partial wildcards. */
        SSL_set_hostflags(ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
        if (SSL_set1_host(ssl, "localhost") != 1 || SSL_set_tlsext_host_name(ssl, "localhost") != 1 ||
            (sess != NULL && g_offer_session && SSL_set_session(ssl, sess) != 1)) {
            SSL_free(ssl);
            return NULL;
        }
        SSL_set_connect_state(ssl);
    } else {
        SSL_set_accept_state(ssl);
    }
    return ssl;
}

static void *osb_pair_new(void *ctx)
{
    osb_ctx *x = ctx;
    osb_pair *p = calloc(1, sizeof *p);
    if (p == NULL) {
        return NULL;
    }
    side_enter(SIDE_CLIENT);
    p->c = make_ssl(x->cctx, &end_client, 1, x->sess);
    side_leave();
    side_enter(SIDE_SERVER);
    p->s = make_ssl(x->sctx, &end_server, 0, NULL);
    side_leave();
    if (p->c == NULL || p->s == NULL) {
        side_enter(SIDE_CLIENT);
        SSL_free(p->c);
        side_leave();
        side_enter(SIDE_SERVER);
        SSL_free(p->s);
        side_leave();
        free(p);
        return NULL;
    }
    return p;
}

static void osb_pair_free(void *pp)
{
    osb_pair *p = pp;
    if (p == NULL) {
        return;
    }
    /* Each pair ends as a closed connection would: SSL_free of one that
     * was not shut down marks its session not resumable and drops it from
     * the cache (ssl_clear_bad_session), and the session every client
     * offers is one shared object. */
    if (p->c != NULL) {
        SSL_set_shutdown(p->c, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
    }
    if (p->s != NULL) {
        SSL_set_shutdown(p->s, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
    }
    side_enter(SIDE_CLIENT);
    SSL_free(p->c);
    side_leave();
    side_enter(SIDE_SERVER);
    SSL_free(p->s);
    side_leave();
    free(p);
}

/* 1 done, 0 wants I/O, -1 failed. */
static int step(SSL *ssl)
{
    if (SSL_is_init_finished(ssl)) {
        return 1;
    }
    int rc = SSL_do_handshake(ssl);
    if (rc == 1) {
        return 1;
    }
    int e = SSL_get_error(ssl, rc);
    return e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE ? 0 : -1;
}

/* The client's step. In TLS 1.3 libssl's client is done once it has sent
 * its Finished; what the server sends after that (NewSessionTicket) waits
 * for a read, so a finished client with input reads it (no application
 * data may come), as lucidtls's client processes whatever it is fed. */
static int step_client(SSL *ssl)
{
    if (!SSL_is_init_finished(ssl) || end_client.in->off == end_client.in->len) {
        return step(ssl);
    }
    unsigned char b[16];
    size_t n = 0;
    int rc = SSL_read_ex(ssl, b, sizeof b, &n);
    return rc != 1 && SSL_get_error(ssl, rc) == SSL_ERROR_WANT_READ ? 1 : -1;
}

static int osb_pair_handshake(void *pp, char *err, size_t errcap)
{
    osb_pair *p = pp;
    wire_reset();
    for (int round = 0; round < 32; round++) {
        side_enter(SIDE_CLIENT);
        int rc = step_client(p->c);
        side_leave();
        side_enter(SIDE_SERVER);
        int rs = step(p->s);
        side_leave();
        if (rc < 0 || rs < 0) {
            ssl_err(err, errcap, rc < 0 ? "client handshake" : "server handshake");
            return -1;
        }
        if (rc == 1 && rs == 1 && g_wire[0].off == g_wire[0].len && g_wire[1].off == g_wire[1].len) {
            return 0;
        }
    }
    snprintf(err, errcap, "openssl handshake made no progress");
    return -1;
}

/* The resumption case: one full handshake (the context has no session
 * yet), and the session its client keeps once it has read the ticket
 * (step_client reads it within the handshake loop). */
static int prime_session(osb_ctx *x, char *err, size_t errcap)
{
    osb_pair *p = osb_pair_new(x);
    if (p == NULL) {
        snprintf(err, errcap, "openssl: pair_new failed");
        return -1;
    }
    int rc = osb_pair_handshake(p, err, errcap);
    if (rc == 0) {
        /* SSL_free of a connection that was not shut down marks its session
         * not resumable (ssl_clear_bad_session); this one ends cleanly. */
        SSL_set_shutdown(p->c, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
        /* And the server's: its SSL_free would drop the session from its
         * cache (the session ID case) otherwise. */
        SSL_set_shutdown(p->s, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
        x->sess = SSL_get1_session(p->c);
        if (x->sess == NULL || !SSL_SESSION_is_resumable(x->sess)) {
            snprintf(err, errcap, "openssl: no resumable session after the first handshake");
            rc = -1;
        }
    }
    osb_pair_free(p);
    return rc;
}

/* The group and the ServerKeyExchange signature scheme, as the client saw
 * them, by TLS name. */
static void negotiated(SSL *c, bench_probe *out)
{
    int nid = NID_undef, hash = NID_undef;
    snprintf(out->group, sizeof out->group, "-");
    snprintf(out->scheme, sizeof out->scheme, "-");
    switch (SSL_get_negotiated_group(c)) {
    case NID_X25519: snprintf(out->group, sizeof out->group, "x25519"); break;
    case NID_X9_62_prime256v1: snprintf(out->group, sizeof out->group, "secp256r1"); break;
    case NID_secp384r1: snprintf(out->group, sizeof out->group, "secp384r1"); break;
    default: break;
    }
    if (SSL_get_peer_signature_type_nid(c, &nid) != 1 || SSL_get_peer_signature_nid(c, &hash) != 1) {
        return;
    }
    const char *h = hash == NID_sha256 ? "sha256" : hash == NID_sha384 ? "sha384" : "other";
    if (nid == EVP_PKEY_RSA_PSS) {
        snprintf(out->scheme, sizeof out->scheme, "rsa_pss_rsae_%s", h);
    } else if (nid == EVP_PKEY_RSA) {
        snprintf(out->scheme, sizeof out->scheme, "rsa_pkcs1_%s", h);
    } else if (nid == EVP_PKEY_EC) {
        snprintf(out->scheme, sizeof out->scheme, "ecdsa_%s", hash == NID_sha256 ? "secp256r1_sha256" : h);
    } else {
        snprintf(out->scheme, sizeof out->scheme, "other (%d, %s)", nid, h);
    }
}

static int osb_pair_check(void *pp, const bench_case *cs, char *err, size_t errcap)
{
    osb_pair *p = pp;
    const char *suite = cs->suite;
    SSL *side[2] = {p->c, p->s};
    for (int i = 0; i < 2; i++) {
        const char *who = i == 0 ? "client" : "server";
        const SSL_CIPHER *ciph = SSL_get_current_cipher(side[i]);
        const char *got = ciph != NULL ? SSL_CIPHER_get_name(ciph) : NULL;
        if (!SSL_is_init_finished(side[i])) {
            snprintf(err, errcap, "openssl %s not established", who);
            return -1;
        }
        if (SSL_version(side[i]) != (cs->tls13 ? TLS1_3_VERSION : TLS1_2_VERSION)) {
            snprintf(err, errcap, "openssl %s: version %s", who, SSL_get_version(side[i]));
            return -1;
        }
        if (got == NULL || strcmp(got, suite) != 0) {
            snprintf(err, errcap, "openssl %s negotiated %s, wanted %s", who, got ? got : "?", suite);
            return -1;
        }
        /* RFC 7627 is TLS 1.2's: TLS 1.3's key schedule covers the
         * transcript by construction. */
        if (!cs->tls13 && SSL_get_extms_support(side[i]) != 1) {
            snprintf(err, errcap, "openssl %s did not use the extended master secret", who);
            return -1;
        }
        if (SSL_session_reused(side[i]) != (cs->resume != RESUME_NONE)) {
            snprintf(err, errcap, "openssl %s %s", who,
                     cs->resume ? "did not resume the session" : "resumed a session");
            return -1;
        }
    }
    if (SSL_get_verify_result(p->c) != X509_V_OK || SSL_get0_peer_certificate(p->c) == NULL) {
        snprintf(err, errcap, "openssl client did not verify the server");
        return -1;
    }
    /* A resumed TLS 1.2 server may report no name (libssl gives the
     * session's, which a ticket session need not carry); the full
     * handshakes check it. */
    const char *sni = SSL_get_servername(p->s, TLSEXT_NAMETYPE_host_name);
    int resumed12 = cs->resume != RESUME_NONE && !cs->tls13;
    if ((sni == NULL && !resumed12) || (sni != NULL && strcmp(sni, "localhost") != 0)) {
        snprintf(err, errcap, "openssl server did not see SNI localhost");
        return -1;
    }
    if (case_group(cs) != NULL) {
        bench_probe got;
        negotiated(p->c, &got);
        if (strcmp(got.group, case_group(cs)) != 0 || strcmp(got.scheme, case_probe_scheme(cs)) != 0) {
            snprintf(err, errcap, "openssl negotiated %s / %s, wanted %s / %s", got.group, got.scheme, case_group(cs),
                     case_probe_scheme(cs));
            return -1;
        }
    }
    return 0;
}

/* The probe: the client watches the ServerHello go by for the
 * encrypt_then_mac extension (RFC 7366 2: the server echoes it when it
 * will use it); libssl has no getter for it. */
static void watch_server_hello(int write_p, int version, int content_type, const void *buf, size_t len, SSL *ssl,
                               void *arg)
{
    (void)version;
    (void)ssl;
    const unsigned char *m = buf;
    bench_probe *out = arg;
    if (!write_p && content_type == SSL3_RT_HANDSHAKE && len >= 4 && m[0] == SSL3_MT_NEWSESSION_TICKET) {
        out->tickets++;
    }
    if (write_p || content_type != SSL3_RT_HANDSHAKE || len < 4 + 2 + 32 + 1 || m[0] != SSL3_MT_SERVER_HELLO) {
        return;
    }
    size_t off = 4 + 2 + 32;
    off += 1 + (size_t)m[off]; /* session_id */
    off += 2 + 1;              /* cipher_suite, compression_method */
    if (off + 2 > len) {
        return;
    }
    size_t end = off + 2 + (((size_t)m[off] << 8) | m[off + 1]);
    for (off += 2; off + 4 <= end && end <= len;) {
        unsigned type = ((unsigned)m[off] << 8) | m[off + 1];
        size_t elen = ((size_t)m[off + 2] << 8) | m[off + 3];
        if (type == 22) {
            out->etm = 1;
        }
        off += 4 + elen;
    }
}

static int osb_probe(void *ctx, bench_probe *out, char *err, size_t errcap)
{
    memset(out, 0, sizeof *out);
    osb_pair *p = osb_pair_new(ctx);
    if (p == NULL) {
        snprintf(err, errcap, "openssl probe: pair_new failed");
        return -1;
    }
    SSL_set_msg_callback(p->c, watch_server_hello);
    SSL_set_msg_callback_arg(p->c, out);
    int rc = osb_pair_handshake(p, err, errcap);
    if (rc == 0) {
        int etm = out->etm;
        negotiated(p->c, out);
        out->etm = etm;
        out->ems = SSL_version(p->s) != TLS1_3_VERSION && SSL_get_extms_support(p->s) == 1;
        out->resumed = SSL_session_reused(p->c) == 1;
        const SSL_CIPHER *ciph = SSL_get_current_cipher(p->c);
        snprintf(out->version, sizeof out->version, "%s", SSL_get_version(p->c));
        snprintf(out->suite, sizeof out->suite, "%s", ciph != NULL ? SSL_CIPHER_get_name(ciph) : "-");
    }
    osb_pair_free(p);
    return rc;
}

static long osb_pair_send(void *pp, int from_client, const uint8_t *data, size_t len, uint8_t *out)
{
    osb_pair *p = pp;
    SSL *from = from_client ? p->c : p->s;
    SSL *to = from_client ? p->s : p->c;
    int sside = from_client ? SIDE_CLIENT : SIDE_SERVER;
    int rside = from_client ? SIDE_SERVER : SIDE_CLIENT;

    side_enter(sside);
    size_t off = 0;
    while (off < len) {
        size_t wr = 0;
        if (SSL_write_ex(from, data + off, len - off, &wr) != 1) {
            side_leave();
            return -1;
        }
        off += wr;
    }
    side_leave();

    side_enter(rside);
    size_t got = 0;
    while (got < len) {
        size_t r = 0;
        if (SSL_read_ex(to, out + got, len - got, &r) != 1) {
            break;
        }
        got += r;
    }
    side_leave();
    return (long)got;
}

static const char *osb_version(void)
{
    return OpenSSL_version(OPENSSL_VERSION);
}

const bench_lib bench_openssl = {
    .name = "openssl",
    .ctx_new = osb_ctx_new,
    .ctx_free = osb_ctx_free,
    .pair_new = osb_pair_new,
    .pair_handshake = osb_pair_handshake,
    .pair_check = osb_pair_check,
    .pair_send = osb_pair_send,
    .pair_free = osb_pair_free,
    .probe = osb_probe,
    .version = osb_version,
};

const bench_lib bench_openssl_release = {
    .name = "openssl (SSL_MODE_RELEASE_BUFFERS)",
    .ctx_new = osb_ctx_new_release,
    .ctx_free = osb_ctx_free,
    .pair_new = osb_pair_new,
    .pair_handshake = osb_pair_handshake,
    .pair_check = osb_pair_check,
    .pair_send = osb_pair_send,
    .pair_free = osb_pair_free,
    .probe = osb_probe,
    .version = osb_version,
};
