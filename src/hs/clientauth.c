/*
 * Mutual TLS (RFC 5246 7.4.4, 7.4.6, 7.4.8; RFC 8446 4.3.2, 4.4.2, 4.4.3)
 * and the peer's chain as the application sees it.
 *
 * Server: a CertificateRequest naming the CAs of our trust store and the
 * schemes we verify; the client's chain checked like a server's (trust,
 * time, security level) but for clientAuth; its CertificateVerify checked
 * with that chain's key. A certificate proves nothing until its
 * CertificateVerify verifies: the driver demands LT_PROOF_CLIENT_CV_OK.
 *
 * Client: the identity (of up to one RSA and one ECDSA) that can sign with
 * a scheme the server lists and whose chain a named CA issued; else the
 * first that can sign; else an empty Certificate (the server decides).
 *
 * Both: the application's verify hook sees every peer chain with the
 * default verdict and may overrule it either way; the chain is kept for
 * lt_conn_peer_cert.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hs/hs_int.h"
#include "hs/messages_auth.h"

/* ---- the peer's chain, kept ---- */

struct lt_peer_chain {
    uint8_t *buf; /* the certificates, back to back, as sent */
    size_t n;
    size_t off[LT_MAX_PEER_CHAIN];
    size_t len[LT_MAX_PEER_CHAIN];
    int verdict;
    char reason[LT_DETAIL_LEN];
};

void lt_hs_free_peer_chain(lt_hs *hs)
{
    if (hs->peer_chain != NULL) {
        free(hs->peer_chain->buf);
        free(hs->peer_chain);
        hs->peer_chain = NULL;
    }
}

static int keep_chain(lt_hs *hs, const lt_certificate_msg *cm)
{
    lt_hs_free_peer_chain(hs);
    struct lt_peer_chain *pc = calloc(1, sizeof *pc);
    size_t total = 0;
    for (size_t i = 0; i < cm->n; i++) {
        total += cm->len[i];
    }
    if (pc == NULL || (pc->buf = malloc(total > 0 ? total : 1)) == NULL) {
        free(pc);
        return lt_hs_fail(hs, LT_ERR_NOMEM, "out of memory keeping the peer's certificate chain");
    }
    size_t off = 0;
    for (size_t i = 0; i < cm->n; i++) {
        memcpy(pc->buf + off, cm->der[i], cm->len[i]);
        pc->off[i] = off;
        pc->len[i] = cm->len[i];
        off += cm->len[i];
    }
    pc->n = cm->n;
    hs->peer_chain = pc;
    return LT_OK;
}

size_t lt_hs_peer_cert_count(const lt_hs *hs)
{
    return hs->peer_chain != NULL ? hs->peer_chain->n : 0;
}

const uint8_t *lt_hs_peer_cert(const lt_hs *hs, size_t i, size_t *len)
{
    if (hs->peer_chain == NULL || i >= hs->peer_chain->n) {
        if (len != NULL) {
            *len = 0;
        }
        return NULL;
    }
    if (len != NULL) {
        *len = hs->peer_chain->len[i];
    }
    return hs->peer_chain->buf + hs->peer_chain->off[i];
}

int lt_hs_peer_verify_result(const lt_hs *hs, const char **reason)
{
    if (hs->peer_chain == NULL) {
        if (reason != NULL) {
            *reason = "no certificate chain was checked";
        }
        return LT_ERR_USAGE;
    }
    if (reason != NULL) {
        *reason = hs->peer_chain->reason;
    }
    return hs->peer_chain->verdict;
}

/* ---- client authentication across resumption ---- */

int lt_hs_client_authenticated(const lt_hs *hs)
{
    return (hs->proof & LT_PROOF_CLIENT_CV_OK) != 0;
}

int lt_hs_session_meets_client_auth(const lt_hs *hs, const lt_ticket_state *st)
{
    return hs->env.policy->client_auth != LT_CLIENT_AUTH_REQUIRE || st->client_auth;
}

void lt_hs_inherit_client_auth(lt_hs *hs, const lt_ticket_state *st)
{
    if (st->client_auth) {
        hs->proof |= LT_PROOF_PEER_CERT_OK | LT_PROOF_CLIENT_CV_OK;
    }
}

/* ---- the verify hook ---- */

static int ask_hook(lt_hs *hs, const lt_certificate_msg *cm, int verdict, const char *reason, const char *hostname)
{
    const lt_hs_policy *p = hs->env.policy;
    lt_verify_info info = {
        .chain = (const uint8_t *const *)cm->der,
        .chain_lens = cm->len,
        .chain_len = cm->n,
        .verdict = verdict,
        .reason = reason,
        .hostname = hostname,
    };
    int r = p->verify_cb(p->verify_arg, hs->env.app_conn, &info);
    const char *whose = hs->env.role == LT_ROLE_CLIENT ? "server" : "client";
    char answer[48];
    if (r == 0) {
        snprintf(answer, sizeof answer, "accept");
    } else if (r == LT_VERIFY_DEFAULT) {
        snprintf(answer, sizeof answer, "keep the verdict (%s)", verdict == LT_OK ? "ok" : lt_result_name(verdict));
    } else {
        snprintf(answer, sizeof answer, "refuse (alert %d)", r);
    }
    lt_field f[2] = {lt_fld_text("verdict", verdict == LT_OK ? "ok" : lt_result_name(verdict)),
                     lt_fld_text("hook", answer)};
    LT_HS_TRACE(hs, LT_EV_CERT_CHECK, "verify_hook", NULL,
                "the application sees the chain and the default verdict, and may overrule it", f, 2);
    if (r == 0) {
        return LT_OK;
    }
    if (r == LT_VERIFY_DEFAULT) {
        return verdict;
    }
    if (r >= 1 && r <= 255) {
        return lt_hs_reject(hs, r, "the verify hook refused the %s's certificate chain (alert %s)", whose,
                            lt_alert_name((uint8_t)r));
    }
    return lt_hs_fail(hs, LT_ERR_INTERNAL,
                      "the verify hook returned %d: not 0, LT_VERIFY_DEFAULT or an alert (1 to 255)", r);
}

int lt_hs_judge_peer_chain(lt_hs *hs, const lt_certificate_msg *cm, int rc, const lt_cert_report *rep,
                           const char *hostname, lt_pkey **leaf)
{
    int kept = keep_chain(hs, cm);
    if (kept != LT_OK) {
        lt_pkey_free(*leaf);
        *leaf = NULL;
        return kept;
    }
    hs->peer_chain->verdict = rc;
    snprintf(hs->peer_chain->reason, sizeof hs->peer_chain->reason, "%s", rc == LT_OK ? "" : rep->detail);
    int verdict = rc;
    if (hs->env.policy->verify_cb != NULL) {
        verdict = ask_hook(hs, cm, rc, hs->peer_chain->reason, hostname);
        if (verdict != LT_OK && verdict != rc) {
            lt_pkey_free(*leaf);
            *leaf = NULL;
            return verdict; /* refused by the hook: recorded */
        }
    }
    if (verdict != LT_OK) {
        lt_pkey_free(*leaf);
        *leaf = NULL;
        /* A weak key is insufficient_security, not a verification failure:
         * the detail says what the key is and what the level needs. */
        return lt_hs_fail(hs, rc, "%s%s",
                          rc == LT_ERR_INSUFFICIENT_SECURITY ? "" : "certificate verify failed: ", rep->detail);
    }
    /* Accepted: a chain the hook let through still has to sign the
     * handshake with its leaf's key. */
    if (*leaf == NULL && lt_cert_public_key(cm->der[0], cm->len[0], leaf) != LT_OK) {
        return lt_hs_fail(hs, LT_ERR_BAD_CERTIFICATE, "the peer's leaf certificate has no readable public key");
    }
    return LT_OK;
}

/* ---- server ---- */

int lt_server_wants_client_cert(const lt_hs *hs)
{
    /* RFC 8446 4.3.2: not in a PSK handshake (the PSK authenticated the
     * session when it was made); a resumed TLS 1.2 session likewise. */
    return hs->env.policy->client_auth != LT_CLIENT_AUTH_NONE && !(hs->shape & LT_SHAPE_RESUMED) &&
           hs->env.trust != NULL;
}

size_t lt_server_certificate_request_size(const lt_hs *hs)
{
    size_t n = 0;
    (void)lt_hs_accepted_sigalgs(hs->env.policy, &n);
    return 64 + 2 * n + hs->env.policy->ca_names_len;
}

int lt_server12_write_certificate_request(lt_hs *hs, lt_wr *w)
{
    /* RFC 5246 7.4.4 and RFC 8422 5.5: we verify RSA and ECDSA keys. */
    static const uint8_t TYPES[] = {LT_CERT_TYPE_RSA_SIGN, LT_CERT_TYPE_ECDSA_SIGN};
    size_t n = 0;
    const uint16_t *sigalgs = lt_hs_accepted_sigalgs(hs->env.policy, &n);
    lt_write_certificate_request12(w, TYPES, sizeof TYPES, sigalgs, n, hs->env.policy->ca_names,
                                   hs->env.policy->ca_names_len);
    hs->shape |= LT_SHAPE_CLIENT_AUTH;
    return w->err;
}

static void request_fields(const lt_hs *hs, lt_field f[2], char *cas, size_t cas_cap, char *algs, size_t algs_cap)
{
    size_t n = 0, names = 0;
    const uint16_t *sigalgs = lt_hs_accepted_sigalgs(hs->env.policy, &n);
    lt_rd list = lt_rd_init(hs->env.policy->ca_names, hs->env.policy->ca_names_len);
    lt_rd dn;
    while (lt_next_authority(&list, &dn) == 1) {
        names++;
    }
    snprintf(cas, cas_cap, "%zu (the subjects of our trust store's CAs)", names);
    uint8_t wire[2 * LT_MAX_SIGN_SCHEMES];
    size_t k = 0;
    for (size_t i = 0; i < n && i < LT_MAX_SIGN_SCHEMES; i++) {
        wire[k++] = (uint8_t)(sigalgs[i] >> 8);
        wire[k++] = (uint8_t)sigalgs[i];
    }
    lt_hs_sigalg_list_text(lt_rd_init(wire, k), algs, algs_cap);
    f[0] = lt_fld_text("signature_algorithms", algs);
    f[1] = lt_fld_text("certificate_authorities", cas);
}

int lt_server12_explain_certificate_request(lt_hs *hs, const uint8_t *msg, size_t len)
{
    char cas[64], algs[512];
    lt_field f[2];
    request_fields(hs, f, cas, sizeof cas, algs, sizeof algs);
    return lt_hs_send(hs, msg, len, f, 2);
}

int lt_server13_send_certificate_request(lt_hs *hs)
{
    size_t n = 0;
    const uint16_t *sigalgs = lt_hs_accepted_sigalgs(hs->env.policy, &n);
    lt_wr w;
    LT_GUARD(lt_hs_scratch(hs, lt_server_certificate_request_size(hs), &w));
    lt_write_certificate_request13(&w, sigalgs, n, hs->env.policy->ca_names, hs->env.policy->ca_names_len);
    LT_GUARD(lt_wr_finish(&w));
    hs->shape |= LT_SHAPE_CLIENT_AUTH;
    char cas[64], algs[512];
    lt_field f[2];
    request_fields(hs, f, cas, sizeof cas, algs, sizeof algs);
    return lt_hs_send(hs, w.base, w.off, f, 2);
}

/* The client sent no certificate: REQUEST goes on, REQUIRE fails. */
static int on_no_client_cert(lt_hs *hs)
{
    int tls13 = hs->session.version == LT_TLS1_3;
    if (hs->env.policy->client_auth == LT_CLIENT_AUTH_REQUIRE) {
        /* RFC 8446 4.4.2.4: certificate_required; RFC 5246 7.4.6: "the
         * server MAY at its discretion ... respond with a fatal
         * handshake_failure alert". */
        return lt_hs_fail(hs, tls13 ? LT_ERR_CERTIFICATE_REQUIRED : LT_ERR_HANDSHAKE_FAILURE,
                          "the client sent no certificate, and this server requires one (%s)",
                          tls13 ? "RFC 8446 4.4.2.4" : "RFC 5246 7.4.6");
    }
    LT_HS_TRACE(hs, LT_EV_CHOICE, "client_certificate", tls13 ? "RFC 8446 4.4.2.4" : "RFC 5246 7.4.6",
                "the client sent none; we asked but do not require one, so the handshake goes on", NULL, 0);
    if (!tls13) {
        lt_transcript_drop_raw(&hs->h12->transcript);
    }
    return LT_OK;
}

/* The client's chain: trust, time, security level, clientAuth (RFC 5280
 * 4.2.1.12), then the hook; and a key that may sign (4.2.1.3). */
static int verify_client_chain(lt_hs *hs, const lt_certificate_msg *cm)
{
    lt_cert_report rep;
    lt_pkey *leaf = NULL;
    int rc = lt_verify_client_chain(hs->env.trust, (const uint8_t *const *)cm->der, cm->len, cm->n,
                                    hs->env.policy->security_level, &rep, &leaf);
    lt_explain_cert_checks(hs, &rep, 0);
    LT_GUARD(lt_hs_judge_peer_chain(hs, cm, rc, &rep, NULL, &leaf));
    if (!lt_cert_allows(&rep, LT_KEY_USE_SIGNATURE)) {
        lt_pkey_free(leaf);
        return lt_hs_fail(hs, LT_ERR_UNSUPPORTED_CERTIFICATE,
                          "the client's certificate does not allow digitalSignature (its keyUsage: %s), which its "
                          "CertificateVerify needs (RFC 5280 4.2.1.3)",
                          rep.key_usage_names);
    }
    lt_pkey_free(hs->h12->peer_key);
    hs->h12->peer_key = leaf;
    hs->h12->peer_cert_sent = 1;
    hs->proof |= LT_PROOF_PEER_CERT_OK;
    return LT_OK;
}

static int chain_parse_failed(lt_hs *hs, int rc, const lt_certificate_msg *cm, size_t len)
{
    if (cm->n_listed > LT_MAX_PEER_CHAIN) {
        return lt_hs_fail(hs, rc,
                          "the client sent %zu certificates; the limit is %d (the leaf, up to %d intermediates, "
                          "the root)",
                          cm->n_listed, LT_MAX_PEER_CHAIN, LT_MAX_VERIFY_DEPTH);
    }
    return lt_hs_fail(hs, rc, "malformed client Certificate message (%zu bytes)", len);
}

int lt_server_on_client_certificate(lt_hs *hs, const uint8_t *body, size_t len)
{
    lt_certificate_msg cm;
    int rc = lt_parse_certificate(body, len, &cm);
    if (rc != LT_OK) {
        return chain_parse_failed(hs, rc, &cm, len);
    }
    lt_explain_certificate(hs, &cm);
    if (cm.n == 0) {
        LT_GUARD(on_no_client_cert(hs));
    } else {
        LT_GUARD(verify_client_chain(hs, &cm));
    }
    return LT_ST_SERVER_WAIT_CLIENT_KEY_EXCHANGE;
}

int lt_server13_on_client_certificate(lt_hs *hs, const uint8_t *body, size_t len)
{
    lt_certificate13 c;
    int rc = lt_parse_certificate13(body, len, &c);
    if (rc != LT_OK) {
        return chain_parse_failed(hs, rc, &c.chain, len);
    }
    lt_explain_certificate(hs, &c.chain);
    /* 4.4.2: the context is the CertificateRequest's: ours is empty. */
    if (lt_rd_left(&c.context) != 0) {
        return lt_hs_fail(hs, LT_ERR_ILLEGAL_PARAMETER,
                          "the client's Certificate has a %zu-byte certificate_request_context; our "
                          "CertificateRequest's was empty (RFC 8446 4.4.2)",
                          lt_rd_left(&c.context));
    }
    if (c.n_entry_exts > 0) {
        return lt_hs_fail(hs, LT_ERR_UNSUPPORTED_EXTENSION,
                          "the client's certificate entries carry extension %u, which we did not request (RFC 8446 "
                          "4.4.2)",
                          c.first_entry_ext);
    }
    if (c.chain.n == 0) {
        LT_GUARD(on_no_client_cert(hs));
        return LT_ST_SERVER_WAIT_FINISHED;
    }
    LT_GUARD(verify_client_chain(hs, &c.chain));
    return LT_ST_SERVER_WAIT_CERTIFICATE_VERIFY;
}

/* The scheme must be one we listed in the CertificateRequest and fit the
 * certificate's key (RFC 5246 7.4.8, RFC 8446 4.4.3); TLS 1.3 never uses
 * rsa_pkcs1_* for CertificateVerify (4.2.3). */
static int check_client_scheme(lt_hs *hs, uint16_t scheme, int tls13)
{
    const lt_pkey *key = hs->h12->peer_key;
    int pkcs1 = (scheme & 0xff) == 0x01;
    int fits = tls13 ? lt_sig_scheme_fits_key(scheme, key) : lt_sig_scheme_fits_key_tls12(scheme, key);
    if (!lt_hs_accepts_sigalg(hs->env.policy, scheme) || (tls13 && pkcs1) || !fits) {
        char k[64];
        lt_pkey_describe(key, k, sizeof k);
        const char *name = lt_sig_scheme_name(scheme);
        return lt_hs_fail(hs, LT_ERR_ILLEGAL_PARAMETER,
                          "the client's CertificateVerify uses scheme 0x%04x (%s), which our CertificateRequest did "
                          "not list%s or which does not fit its %s key (%s)",
                          scheme, name != NULL ? name : "unknown", tls13 ? " for TLS 1.3" : "", k,
                          tls13 ? "RFC 8446 4.4.3" : "RFC 5246 7.4.8");
    }
    return LT_OK;
}

static int client_cv_checked(lt_hs *hs, int rc, uint16_t scheme, const uint8_t *body, size_t len, const char *rfc)
{
    lt_field f[2] = {lt_fld_text("scheme", lt_sig_scheme_name(scheme)),
                     lt_fld_text("result", rc == LT_OK ? "verified" : "FAILED")};
    LT_HS_TRACE(hs, LT_EV_MSG_RECV, "CertificateVerify", rfc,
                "the client signs the handshake so far with its certificate's key: proof that it holds the key", f, 2);
    if (rc != LT_OK) {
        /* RFC 8446 4.4.3: "MUST terminate the handshake with a
         * "decrypt_error" alert"; RFC 5246 7.2.2 decrypt_error: "a
         * signature could not be correctly verified". */
        return lt_hs_fail(hs, LT_ERR_DECRYPT_ERROR,
                          "the client's CertificateVerify (%s) does not verify with its certificate's key (%s)",
                          lt_sig_scheme_name(scheme), rfc);
    }
    hs->proof |= LT_PROOF_CLIENT_CV_OK;
    hs->session.peer_sig_scheme = scheme;
    /* It is part of the transcript the Finished messages cover. */
    return lt_transcript_add(&hs->h12->transcript, body - 4, len + 4, "CertificateVerify");
}

int lt_server_on_certificate_verify(lt_hs *hs, const uint8_t *body, size_t len)
{
    lt_certificate_verify cv;
    int rc = lt_parse_certificate_verify(body, len, &cv);
    if (rc != LT_OK) {
        return lt_hs_fail(hs, rc, "malformed CertificateVerify (%zu bytes)", len);
    }
    LT_GUARD(check_client_scheme(hs, cv.scheme, 0));
    /* RFC 5246 7.4.8: the signature covers handshake_messages, every
     * message from ClientHello up to (not including) this one. */
    const uint8_t *raw = NULL;
    size_t raw_len = 0;
    if (lt_transcript_raw(&hs->h12->transcript, &raw, &raw_len) != LT_OK) {
        return lt_hs_fail(hs, LT_ERR_INTERNAL, "the handshake messages were not kept for the CertificateVerify");
    }
    rc = lt_verify_tls12(hs->h12->peer_key, cv.scheme, raw, raw_len, cv.signature.p, lt_rd_left(&cv.signature));
    LT_GUARD(client_cv_checked(hs, rc, cv.scheme, body, len, "RFC 5246 7.4.8"));
    lt_transcript_drop_raw(&hs->h12->transcript);
    return LT_ST_SERVER_WAIT_CCS;
}

int lt_server13_on_certificate_verify(lt_hs *hs, const uint8_t *body, size_t len)
{
    lt_certificate_verify cv;
    int rc = lt_parse_certificate_verify(body, len, &cv);
    if (rc != LT_OK) {
        return lt_hs_fail(hs, rc, "malformed CertificateVerify (%zu bytes)", len);
    }
    LT_GUARD(check_client_scheme(hs, cv.scheme, 1));
    /* 4.4.3: with the client's context string. */
    uint8_t content[LT_CV_CONTENT_MAX];
    size_t n = lt_hs13_cv_content(hs, 0, content);
    LT_ENSURE(n > 0, LT_ERR_INTERNAL);
    rc = lt_verify(hs->h12->peer_key, cv.scheme, content, n, cv.signature.p, lt_rd_left(&cv.signature));
    LT_GUARD(client_cv_checked(hs, rc, cv.scheme, body, len, "RFC 8446 4.4.3"));
    return LT_ST_SERVER_WAIT_FINISHED;
}

/* ---- client ---- */

static int usable_identity(const lt_identity *id)
{
    return id->key != NULL && id->chain.n > 0 && id->may_sign;
}

int lt_client_has_identity(const lt_hs *hs)
{
    for (size_t i = 0; i < LT_MAX_IDENTITIES; i++) {
        if (usable_identity(&hs->env.policy->id[i])) {
            return 1;
        }
    }
    return 0;
}

static int listed(lt_rd list, uint16_t scheme)
{
    uint16_t v;
    while (lt_rd_u16(&list, &v) == LT_OK) {
        if (v == scheme) {
            return 1;
        }
    }
    return 0;
}

/* Our key's first scheme (its own order: the hash that fits it first)
 * that the server lists. */
static uint16_t pick_scheme(const lt_identity *id, lt_rd sigalgs, int tls13)
{
    const uint16_t *ours = tls13 ? id->sign_schemes13 : id->sign_schemes;
    size_t n = tls13 ? id->n_sign_schemes13 : id->n_sign_schemes;
    for (size_t i = 0; i < n; i++) {
        if (listed(sigalgs, ours[i])) {
            return ours[i];
        }
    }
    return 0;
}

/* RFC 5246 7.4.4: the certificate's key must be of a listed type. */
static int type_listed(const lt_rd *types, int slot)
{
    uint8_t want = slot == LT_ID_RSA ? LT_CERT_TYPE_RSA_SIGN : LT_CERT_TYPE_ECDSA_SIGN;
    lt_rd r = *types;
    uint8_t t;
    while (lt_rd_u8(&r, &t) == LT_OK) {
        if (t == want) {
            return 1;
        }
    }
    return 0;
}

/* Was a certificate of our chain issued by one of the named CAs? (Our
 * issuers were listed when the chain was set.) */
static int issuer_named(const lt_identity *id, lt_rd authorities)
{
    lt_rd ours = lt_rd_init(id->issuer_names, id->issuer_names_len), issuer;
    while (lt_next_authority(&ours, &issuer) == 1) {
        lt_rd list = authorities, dn;
        while (lt_next_authority(&list, &dn) == 1) {
            if (lt_rd_left(&dn) == lt_rd_left(&issuer) && memcmp(dn.p, issuer.p, lt_rd_left(&issuer)) == 0) {
                return 1;
            }
        }
    }
    return 0;
}

void lt_client_choose_identity(lt_hs *hs, lt_rd sigalgs, lt_rd authorities, const lt_rd *types, int tls13)
{
    lt_hs12 *h = hs->h12;
    const lt_identity *first = NULL, *named = NULL;
    uint16_t first_scheme = 0, named_scheme = 0;
    int names = lt_rd_left(&authorities) > 0;
    for (int slot = 0; slot < LT_MAX_IDENTITIES && named == NULL; slot++) {
        const lt_identity *id = &hs->env.policy->id[slot];
        if (!usable_identity(id) || (types != NULL && !type_listed(types, slot))) {
            continue;
        }
        uint16_t scheme = pick_scheme(id, sigalgs, tls13);
        if (scheme == 0) {
            continue;
        }
        if (first == NULL) {
            first = id;
            first_scheme = scheme;
        }
        if (!names || issuer_named(id, authorities)) {
            named = id;
            named_scheme = scheme;
        }
    }
    h->client_id = named != NULL ? named : first;
    h->client_scheme = named != NULL ? named_scheme : first_scheme;
    const char *rfc = tls13 ? "RFC 8446 4.4.2.3" : "RFC 5246 7.4.6";
    if (h->client_id == NULL) {
        LT_HS_TRACE(hs, LT_EV_CHOICE, "client_certificate", rfc,
                    lt_client_has_identity(hs)
                        ? "none of our certificates can sign with a scheme the server lists: an empty Certificate"
                        : "we have no certificate to give: an empty Certificate (the server decides)",
                    NULL, 0);
        return;
    }
    if (!lt_hs_tracing(hs)) {
        return;
    }
    char subject[256] = "", issuer[256] = "";
    (void)lt_cert_names(h->client_id->chain.der[0], h->client_id->chain.len[0], subject, sizeof subject, issuer,
                        sizeof issuer);
    lt_field f[3] = {lt_fld_text("subject", subject), lt_fld_text("scheme", lt_sig_scheme_name(h->client_scheme)),
                     lt_fld_text("why", named != NULL ? (names ? "its issuer is one of the CAs the server named"
                                                               : "it can sign with a scheme the server lists")
                                                      : "the first that can sign (the server named other CAs)")};
    LT_HS_TRACE(hs, LT_EV_CHOICE, "client_certificate", rfc, NULL, f, 3);
}

int lt_client12_send_certificate(lt_hs *hs)
{
    const lt_identity *id = hs->h12->client_id;
    lt_wr w;
    if (id == NULL) {
        /* RFC 5246 7.4.6: "If no suitable certificate is available, the
         * client MUST send a certificate message containing no
         * certificates." */
        LT_GUARD(lt_hs_scratch(hs, 16, &w));
        lt_write_certificate(&w, NULL, NULL, 0);
        LT_GUARD(lt_wr_finish(&w));
        lt_field f = lt_fld_text("count", "0");
        return lt_hs_send(hs, w.base, w.off, &f, 1);
    }
    size_t need = 16;
    for (size_t i = 0; i < id->chain.n; i++) {
        need += 3 + id->chain.len[i];
    }
    LT_GUARD(lt_hs_scratch(hs, need, &w));
    lt_write_certificate(&w, (const uint8_t *const *)id->chain.der, id->chain.len, id->chain.n);
    LT_GUARD(lt_wr_finish(&w));
    return lt_explain_send_certificate(hs, w.base, w.off, &id->chain);
}

static int send_certificate_verify(lt_hs *hs, const uint8_t *tbs, size_t tbs_len, int tls13)
{
    const lt_identity *id = hs->h12->client_id;
    uint16_t scheme = hs->h12->client_scheme;
    uint8_t sig[LT_MAX_SIGNATURE_LEN];
    size_t sig_len = 0;
    if (tls13) {
        LT_GUARD(lt_sign(id->key, scheme, tbs, tbs_len, sig, sizeof sig, &sig_len));
    } else {
        LT_GUARD(lt_sign_tls12(id->key, scheme, tbs, tbs_len, sig, sizeof sig, &sig_len));
    }
    lt_wr w;
    LT_GUARD(lt_hs_scratch(hs, sig_len + 16, &w));
    lt_write_certificate_verify(&w, scheme, sig, sig_len);
    LT_GUARD(lt_wr_finish(&w));
    hs->session.sig_scheme = scheme;
    lt_field f[2] = {lt_fld_text("scheme", lt_sig_scheme_name(scheme)),
                     lt_fld_text("signs", tls13 ? "64 spaces, \"TLS 1.3, client CertificateVerify\", 0, "
                                                  "Transcript-Hash(ClientHello..Certificate)"
                                                : "every handshake message so far (ClientHello..ClientKeyExchange)")};
    return lt_hs_send(hs, w.base, w.off, f, 2);
}

int lt_client12_send_certificate_verify(lt_hs *hs)
{
    if ((hs->shape & LT_SHAPE_CLIENT_AUTH) && hs->h12->client_id != NULL) {
        /* RFC 5246 7.4.8: handshake_messages up to this one. */
        const uint8_t *raw = NULL;
        size_t raw_len = 0;
        if (lt_transcript_raw(&hs->h12->transcript, &raw, &raw_len) != LT_OK) {
            return lt_hs_fail(hs, LT_ERR_INTERNAL, "the handshake messages were not kept for our CertificateVerify");
        }
        LT_GUARD(send_certificate_verify(hs, raw, raw_len, 0));
    }
    lt_transcript_drop_raw(&hs->h12->transcript);
    return LT_OK;
}

int lt_client13_send_certificate(lt_hs *hs)
{
    const lt_identity *id = hs->h12->client_id;
    lt_hs13 *h = hs->h13;
    lt_wr w;
    size_t need = 16 + 255;
    for (size_t i = 0; id != NULL && i < id->chain.n; i++) {
        need += 5 + id->chain.len[i];
    }
    LT_GUARD(lt_hs_scratch(hs, need, &w));
    /* 4.4.2: the request's context echoed; with no certificate to give, an
     * empty list and no CertificateVerify (4.4.3). */
    if (id == NULL) {
        lt_write_certificate13(&w, h->cr_context, h->cr_context_len, NULL, NULL, 0);
        LT_GUARD(lt_wr_finish(&w));
        lt_field f = lt_fld_text("count", "0");
        return lt_hs_send(hs, w.base, w.off, &f, 1);
    }
    lt_write_certificate13(&w, h->cr_context, h->cr_context_len, (const uint8_t *const *)id->chain.der, id->chain.len,
                           id->chain.n);
    LT_GUARD(lt_wr_finish(&w));
    LT_GUARD(lt_explain_send_certificate(hs, w.base, w.off, &id->chain));
    uint8_t content[LT_CV_CONTENT_MAX];
    size_t n = lt_hs13_cv_content(hs, 0, content);
    LT_ENSURE(n > 0, LT_ERR_INTERNAL);
    return send_certificate_verify(hs, content, n, 1);
}
