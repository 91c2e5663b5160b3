/*
 * The TLS 1.3 client: Bob (RFC 8446 2, 4; Appendix A.1). The ClientHello
 * is shared with TLS 1.2 (client12.c); once the ServerHello names TLS 1.3
 * everything here takes over:
 *
 *   ServerHello (or HelloRetryRequest: send ClientHello2, wait again)
 *   {EncryptedExtensions} {CertificateRequest} {Certificate}
 *   {CertificateVerify} {Finished}  ->  [ChangeCipherSpec] {Certificate} {Finished}
 *
 * Messages in braces come under the handshake traffic keys.
 */
#include <stdio.h>
#include <string.h>

#include "hs/hs_int.h"

static int we_offered_suite13(const lt_hs *hs, uint16_t id)
{
    const lt_suite *s = lt_suite_find(id);
    if (s == NULL || s->version != LT_TLS1_3) {
        return 0;
    }
    return lt_hs_policy_has_suite(hs->env.policy, id);
}

/* The fixed fields (4.1.3): legacy_version 0x0303, the session ID we sent,
 * a TLS 1.3 suite we offered, null compression. */
static int check_hello_fields(lt_hs *hs, const lt_server_hello *sh)
{
    lt_hs13 *h = hs->h13;
    const char *what = sh->is_hrr ? "HelloRetryRequest" : "ServerHello";
    if (sh->server_version != LT_TLS1_2) {
        return lt_hs_fail(hs, LT_ERR_ILLEGAL_PARAMETER, "%s legacy_version is 0x%04x; TLS 1.3 requires 0x0303 (4.1.3)",
                          what, sh->server_version);
    }
    /* 4.1.3: "A client which receives a legacy_session_id_echo field that
     * does not match what it sent in the ClientHello MUST abort the
     * handshake with an "illegal_parameter" alert." */
    if (sh->session_id_len != h->session_id_len || memcmp(sh->session_id, h->session_id, h->session_id_len) != 0) {
        return lt_hs_fail(hs, LT_ERR_ILLEGAL_PARAMETER, "%s does not echo our legacy_session_id (RFC 8446 4.1.3)",
                          what);
    }
    /* 4.1.3: a suite we did not offer is illegal_parameter. */
    if (!we_offered_suite13(hs, sh->cipher_suite)) {
        return lt_hs_fail(hs, LT_ERR_ILLEGAL_PARAMETER, "%s chose cipher suite 0x%04x, not a TLS 1.3 suite we offered",
                          what, sh->cipher_suite);
    }
    if (sh->compression_method != 0) {
        return lt_hs_fail(hs, LT_ERR_ILLEGAL_PARAMETER, "%s legacy_compression_method is %u, not 0 (4.1.3)", what,
                          sh->compression_method);
    }
    /* 4.1.4: "the client MUST check that the cipher_suite in ServerHello is
     * the same as that in the HelloRetryRequest". */
    if ((hs->shape & LT_SHAPE_HRR) && sh->cipher_suite != h->hrr_suite) {
        return lt_hs_fail(hs, LT_ERR_ILLEGAL_PARAMETER,
                          "ServerHello chose suite 0x%04x after the HelloRetryRequest chose 0x%04x (RFC 8446 4.1.4)",
                          sh->cipher_suite, h->hrr_suite);
    }
    return LT_OK;
}

/* 4.1.3, 4.1.4, 4.2: a ServerHello carries only supported_versions,
 * key_share and pre_shared_key; a HelloRetryRequest supported_versions,
 * key_share and cookie. An extension we did not offer is
 * unsupported_extension; one we know that does not belong here is
 * illegal_parameter. */
static int check_hello_extensions(lt_hs *hs, const lt_server_hello *sh)
{
    const char *what = sh->is_hrr ? "HelloRetryRequest" : "ServerHello";
    if (sh->has_unknown_ext) {
        return lt_hs_fail(hs, LT_ERR_UNSUPPORTED_EXTENSION, "%s carries extension %u, which we did not offer", what,
                          sh->unknown_ext);
    }
    uint32_t allowed = LT_SEEN_VERSIONS | LT_SEEN_KEY_SHARE | (sh->is_hrr ? LT_SEEN_COOKIE : LT_SEEN_PSK);
    uint32_t extra = sh->ext_seen & ~allowed;
    if (extra != 0) {
        char names[160];
        lt_hs_ext_list_text(extra, names, sizeof names);
        return lt_hs_fail(hs, LT_ERR_ILLEGAL_PARAMETER, "%s carries %s, which does not belong in it (RFC 8446 4.2)",
                          what, names);
    }
    return LT_OK;
}

static void adopt_tls13(lt_hs *hs, const lt_server_hello *sh)
{
    hs->session.version = LT_TLS1_3;
    hs->session.suite = lt_suite_find(sh->cipher_suite);
    hs->session.ems = 0;
    hs->session.etm = 0;
    hs->session.secure_reneg = 0;
    /* 5.1: legacy_record_version is 0x0303 for every record but the first
     * ClientHello; the peer's must be too once we read TLS 1.3. */
    lt_hs_set_record_version(hs, LT_TLS1_3);
}

/* ---- HelloRetryRequest (4.1.4) ---- */

static int check_hrr(lt_hs *hs, const lt_server_hello *sh)
{
    lt_hs13 *h = hs->h13;
    /* 4.1.4: "If a client receives a second HelloRetryRequest in the same
     * connection ... it MUST abort the handshake with an
     * "unexpected_message" alert." */
    if (hs->shape & LT_SHAPE_HRR) {
        return lt_hs_fail(hs, LT_ERR_UNEXPECTED_MESSAGE, "a second HelloRetryRequest (RFC 8446 4.1.4)");
    }
    if (!(sh->ext_seen & (LT_SEEN_KEY_SHARE | LT_SEEN_COOKIE))) {
        return lt_hs_fail(hs, LT_ERR_ILLEGAL_PARAMETER,
                          "HelloRetryRequest asks for no change (no key_share, no cookie: RFC 8446 4.1.4)");
    }
    if (sh->ext_seen & LT_SEEN_KEY_SHARE) {
        /* 4.2.8: the selected_group must be one we listed in
         * supported_groups, and not the one we already sent a share for. */
        if (!lt_client_offered_group(hs, sh->key_share_group) || !lt_group_supported(sh->key_share_group)) {
            return lt_hs_fail(hs, LT_ERR_ILLEGAL_PARAMETER,
                              "HelloRetryRequest asks for group 0x%04x, which we did not offer (RFC 8446 4.2.8)",
                              sh->key_share_group);
        }
        if (sh->key_share_group == h->share_group) {
            return lt_hs_fail(hs, LT_ERR_ILLEGAL_PARAMETER,
                              "HelloRetryRequest asks for %s, for which we already sent a key share (RFC 8446 4.2.8)",
                              lt_group_name(sh->key_share_group));
        }
    }
    return LT_OK;
}

/* ClientHello2 (4.1.2): the same ClientHello, with the one key share the
 * server asked for and its cookie. */
static int send_second_client_hello(lt_hs *hs)
{
    lt_hs13 *h = hs->h13;
    lt_hs12 *h12 = hs->h12;
    const lt_hs_policy *cfg = hs->env.policy;
    uint8_t pub[LT_MAX_KX_PUBLIC];
    size_t pub_len = 0;
    lt_kx_free(h12->kx_key);
    h12->kx_key = NULL;
    LT_GUARD(lt_kx_keygen(h->share_group, &h12->kx_key));
    LT_GUARD(lt_kx_public(h12->kx_key, pub, sizeof pub, &pub_len));
    uint16_t versions[2] = {LT_TLS1_3, LT_TLS1_2};
    uint16_t suites[LT_MAX_CONFIG_SUITES];
    size_t n_suites = lt_client_suites_to_offer(hs, suites);
    int tls12 = lt_hs_allows(hs, LT_TLS1_2);
    const uint8_t *keys[1] = {pub};
    size_t n_sigalgs = 0;
    const uint16_t *sigalgs = lt_hs_accepted_sigalgs(cfg, &n_sigalgs);
    lt_client_hello_params p = {
        .client_version = LT_TLS1_2,
        .random = h12->client_random,
        .suites = suites,
        .n_suites = n_suites,
        .sni = h12->offered_sni ? hs->hostname : NULL,
        .ems = h12->offered_ems,
        .reneg_info = tls12,
        .sigalgs = sigalgs,
        .n_sigalgs = n_sigalgs,
        .groups = cfg->groups,
        .n_groups = cfg->n_groups,
        .ec_point_formats = tls12,
        .etm = (h12->offered_answerable & LT_SEEN_ETM) != 0,
        .alpn = cfg->alpn, /* 4.1.2: ClientHello2 repeats ClientHello1 */
        .alpn_len = cfg->alpn_len,
        .session_id = h->session_id,
        .session_id_len = h->session_id_len,
        .versions = versions,
        .n_versions = tls12 ? 2 : 1,
        .key_share_groups = &h->share_group,
        .key_share_keys = keys,
        .key_share_lens = &pub_len,
        .n_key_shares = 1,
        .key_share_ext = 1,
        .cookie = h->hrr_cookie.len > 0 ? h->hrr_cookie.p : NULL,
        .cookie_len = h->hrr_cookie.len,
        /* 4.1.2: the same SessionTicket as ClientHello1 (a TLS 1.2 offer). */
        .session_ticket_ext = h12->ticket_ext,
        .session_ticket = h12->resume_offered ? hs->offer->ticket : NULL,
        .session_ticket_len = h12->resume_offered ? hs->offer->ticket_len : 0,
    };
    lt_psk_offer offer = {0};
    LT_GUARD(lt_hs13_offer_psk(hs, &p, &offer));
    lt_wr w;
    LT_GUARD(
        lt_hs_scratch(hs, 1024 + cfg->alpn_len + h->hrr_cookie.len + offer.identity_len + p.session_ticket_len, &w));
    lt_write_client_hello(&w, &p);
    LT_GUARD(lt_wr_finish(&w));
    LT_GUARD(lt_hs13_patch_binder(hs, w.base, w.off, &offer));
    lt_field f[2] = {lt_fld_text("key_share", lt_group_name(h->share_group)),
                     lt_fld_text("cookie", h->hrr_cookie.len > 0 ? "echoed" : "none")};
    return lt_hs_send(hs, w.base, w.off, f, 2);
}

static int on_hello_retry_request(lt_hs *hs, const lt_server_hello *sh, const uint8_t *msg, size_t msg_len)
{
    lt_hs13 *h = hs->h13;
    LT_GUARD(check_hrr(hs, sh));
    adopt_tls13(hs, sh);
    hs->shape |= LT_SHAPE_HRR;
    h->hrr_suite = sh->cipher_suite;
    /* 4.4.1: ClientHello1 becomes message_hash(Hash(ClientHello1)), then
     * the HelloRetryRequest follows it. */
    LT_GUARD(lt_transcript_replace_with_message_hash(&hs->h12->transcript, hs->session.suite->prf_hash));
    LT_GUARD(lt_transcript_add(&hs->h12->transcript, msg, msg_len, "HelloRetryRequest"));
    if (sh->ext_seen & LT_SEEN_KEY_SHARE) {
        h->share_group = sh->key_share_group;
    }
    /* 4.2.2: any cookie (up to 2^16-1 bytes) goes back as it came. */
    if (lt_rd_left(&sh->cookie) > 0) {
        LT_GUARD(lt_buf_append(&h->hrr_cookie, sh->cookie.p, lt_rd_left(&sh->cookie)));
    }
    if (lt_hs_tracing(hs)) {
        lt_field f[3] = {
            lt_fld_text("suite", hs->session.suite->iana_name),
            lt_fld_text("group", (sh->ext_seen & LT_SEEN_KEY_SHARE) ? lt_group_name(h->share_group) : "(unchanged)"),
            lt_fld_text("cookie", h->hrr_cookie.len > 0 ? "yes" : "no")};
        LT_HS_TRACE(hs, LT_EV_CHOICE, "hello_retry", "RFC 8446 4.1.4",
                    "Alice wants a key share for another group: Bob sends his ClientHello again with one, and the "
                    "first ClientHello stays in the transcript only as its hash (message_hash, 4.4.1)",
                    f, 3);
    }
    /* D.4: the client's dummy ChangeCipherSpec goes before ClientHello2. */
    LT_GUARD(lt_hs13_send_compat_ccs(hs));
    LT_GUARD(send_second_client_hello(hs));
    return LT_ST_CLIENT_WAIT_SERVER_HELLO;
}

/* ---- ServerHello (4.1.3) ---- */

static int on_tls13_server_hello(lt_hs *hs, const lt_server_hello *sh, const uint8_t *msg, size_t msg_len)
{
    lt_hs13 *h = hs->h13;
    /* 4.2.8: in a (EC)DHE handshake the ServerHello must carry a key share
     * (missing_extension, 9.2), in the group we sent ours in. */
    if (!(sh->ext_seen & LT_SEEN_KEY_SHARE)) {
        return lt_hs_fail(hs, LT_ERR_MISSING_EXTENSION,
                          "TLS 1.3 ServerHello without key_share: no key exchange (RFC 8446 4.2.8, 9.2)");
    }
    if (sh->key_share_group != h->share_group) {
        return lt_hs_fail(hs, LT_ERR_ILLEGAL_PARAMETER,
                          "ServerHello key share is for group 0x%04x; we sent one for %s (RFC 8446 4.2.8)",
                          sh->key_share_group, lt_group_name(h->share_group));
    }
    adopt_tls13(hs, sh);
    LT_GUARD(lt_hs13_client_on_psk(hs, sh));
    hs->session.group = h->share_group;
    hs->h12->group = h->share_group;
    memcpy(hs->h12->server_random, sh->random, 32);
    memcpy(hs->session.server_random, sh->random, 32);
    if (!(hs->shape & LT_SHAPE_HRR)) {
        LT_GUARD(lt_transcript_set_hash(&hs->h12->transcript, hs->session.suite->prf_hash));
    }
    LT_GUARD(lt_transcript_add(&hs->h12->transcript, msg, msg_len, "ServerHello"));
    /* No signature in TLS 1.3 needs the raw messages again. */
    lt_transcript_drop_raw(&hs->h12->transcript);
    lt_explain_client_choices(hs);

    uint8_t dhe[LT_MAX_KX_SECRET];
    size_t dhe_len = 0;
    size_t key_len = lt_rd_left(&sh->key_share_key);
    int rc = lt_kx_derive(hs->h12->kx_key, sh->key_share_key.p, key_len, dhe, sizeof dhe, &dhe_len);
    if (rc != LT_OK) {
        return lt_hs_fail(hs, rc, "the server's %s key share (%zu bytes) is not a valid public key (RFC 8446 4.2.8.2)",
                          lt_group_name(h->share_group), key_len);
    }
    lt_explain_shared_secret(hs, dhe, dhe_len);
    LT_GUARD(lt_hs13_handshake_secrets(hs, dhe, dhe_len)); /* wipes dhe */
    /* Everything the server sends next is under its handshake keys, and
     * so is anything we send from now on (an alert, if its flight does not
     * check out, and our second flight), after the dummy ChangeCipherSpec,
     * which is never protected (D.4). */
    LT_GUARD(lt_hs13_install_keys(hs, h->s_hs, 0, "server_handshake_traffic"));
    LT_GUARD(lt_hs13_send_compat_ccs(hs));
    LT_GUARD(lt_hs13_install_keys(hs, h->c_hs, 1, "client_handshake_traffic"));
    return LT_ST_CLIENT_WAIT_ENCRYPTED_EXTENSIONS;
}

int lt_client13_on_server_hello(lt_hs *hs, const lt_server_hello *sh, const uint8_t *body, size_t len)
{
    LT_GUARD(check_hello_fields(hs, sh));
    LT_GUARD(check_hello_extensions(hs, sh));
    /* The row hands us the body; its 4-byte header is just before it. */
    const uint8_t *msg = body - 4;
    size_t msg_len = len + 4;
    if (sh->is_hrr) {
        return on_hello_retry_request(hs, sh, msg, msg_len);
    }
    return on_tls13_server_hello(hs, sh, msg, msg_len);
}

/* ---- the server's encrypted flight ---- */

int lt_client13_on_encrypted_extensions(lt_hs *hs, const uint8_t *body, size_t len)
{
    lt_encrypted_extensions ee;
    int rc = lt_parse_encrypted_extensions(body, len, &ee);
    if (rc != LT_OK) {
        return lt_hs_fail(hs, rc, "malformed EncryptedExtensions (%zu bytes)", len);
    }
    /* 4.2: an extension we did not offer is unsupported_extension. */
    if (ee.has_unknown_ext) {
        return lt_hs_fail(hs, LT_ERR_UNSUPPORTED_EXTENSION,
                          "EncryptedExtensions carries extension %u, which we did "
                          "not offer",
                          ee.unknown_ext);
    }
    uint32_t offered =
        (hs->h12->offered_sni ? LT_SEEN_SNI : 0) | LT_SEEN_GROUPS | (hs->env.policy->alpn_len > 0 ? LT_SEEN_ALPN : 0);
    uint32_t unasked = ee.ext_seen & ~offered;
    if (unasked != 0) {
        char names[160];
        lt_hs_ext_list_text(unasked, names, sizeof names);
        return lt_hs_fail(hs, LT_ERR_UNSUPPORTED_EXTENSION, "EncryptedExtensions carries %s, which we did not offer",
                          names);
    }
    /* RFC 7301 3.1 / RFC 8446 4.3.1: in TLS 1.3 the answer comes here. */
    if (ee.ext_seen & LT_SEEN_ALPN) {
        LT_GUARD(lt_hs_client_take_alpn(hs, ee.alpn, "EncryptedExtensions"));
    }
    lt_field f = lt_fld_text("server_name", ee.sni_ack ? "acknowledged" : "not acknowledged");
    LT_HS_TRACE(hs, LT_EV_MSG_RECV, "EncryptedExtensions", "RFC 8446 4.3.1",
                "the extensions that do not shape the keys, now encrypted: only ones we offered may come back", &f, 1);
    /* 2.2: a resumed handshake has no certificate; Finished comes next. */
    return (hs->shape & LT_SHAPE_RESUMED) ? LT_ST_CLIENT_WAIT_FINISHED : LT_ST_CLIENT_WAIT_CERT_CR;
}

int lt_client13_on_certificate_request(lt_hs *hs, const uint8_t *body, size_t len)
{
    lt_certificate_request13 cr;
    int rc = lt_parse_certificate_request13(body, len, &cr);
    if (rc != LT_OK) {
        return lt_hs_fail(hs, rc, "malformed CertificateRequest (%zu bytes)", len);
    }
    /* 4.3.2: in the handshake (we do no post-handshake authentication) the
     * context "SHALL be zero length"; a value we must not get. */
    if (lt_rd_left(&cr.context) != 0) {
        return lt_hs_fail(hs, LT_ERR_ILLEGAL_PARAMETER,
                          "the CertificateRequest has a %zu-byte certificate_request_context; in the handshake it "
                          "must be empty (RFC 8446 4.3.2)",
                          lt_rd_left(&cr.context));
    }
    lt_hs13 *h = hs->h13;
    h->cr_context_len = lt_rd_left(&cr.context);
    memcpy(h->cr_context, cr.context.p, h->cr_context_len);
    hs->shape |= LT_SHAPE_CLIENT_AUTH;
    lt_client_choose_identity(hs, cr.sigalgs, cr.authorities, NULL, 1);
    LT_HS_TRACE(hs, LT_EV_MSG_RECV, "CertificateRequest", "RFC 8446 4.3.2",
                hs->h12->client_id != NULL
                    ? "the server asks for a client certificate; we have one that fits, and send it after its Finished"
                    : "the server asks for a client certificate; we have none to give, so we send an empty Certificate",
                NULL, 0);
    return LT_ST_CLIENT_WAIT_CERTIFICATE;
}

int lt_client13_on_certificate(lt_hs *hs, const uint8_t *body, size_t len)
{
    lt_certificate13 c;
    int rc = lt_parse_certificate13(body, len, &c);
    if (rc != LT_OK && c.chain.n_listed > LT_MAX_PEER_CHAIN) {
        return lt_hs_fail(hs, rc,
                          "the server sent %zu certificates; the limit is %d (the leaf, up to %d intermediates, "
                          "the root)",
                          c.chain.n_listed, LT_MAX_PEER_CHAIN, LT_MAX_VERIFY_DEPTH);
    }
    if (rc != LT_OK) {
        return lt_hs_fail(hs, rc, "malformed Certificate message (%zu bytes)", len);
    }
    lt_explain_certificate(hs, &c.chain);
    /* 4.4.2: for server authentication the context "SHALL be zero length". */
    if (lt_rd_left(&c.context) != 0) {
        return lt_hs_fail(hs, LT_ERR_ILLEGAL_PARAMETER,
                          "the server's Certificate has a %zu-byte certificate_request_context; it must be empty "
                          "(RFC 8446 4.4.2)",
                          lt_rd_left(&c.context));
    }
    /* 4.4.2.4: "If the server supplies an empty Certificate message, the
     * client MUST abort the handshake with a "decode_error" alert." */
    if (c.chain.n == 0) {
        return lt_hs_fail(hs, LT_ERR_DECODE, "server sent an empty certificate list (RFC 8446 4.4.2.4)");
    }
    /* 4.4.2: entry extensions must answer ones we sent; we sent none that
     * asks for any (status_request, signed_certificate_timestamp). */
    if (c.n_entry_exts > 0) {
        return lt_hs_fail(hs, LT_ERR_UNSUPPORTED_EXTENSION,
                          "the server's certificate entries carry extension %u, which we did not request (RFC 8446 "
                          "4.4.2)",
                          c.first_entry_ext);
    }
    lt_cert_report rep;
    LT_GUARD(lt_client_verify_server_chain(hs, &c.chain, &rep));
    /* 4.4.2.2: the certificate "MUST allow the key to be used for signing
     * ... with a signature scheme indicated in the client's
     * signature_algorithms": digitalSignature when keyUsage is present. */
    if (!lt_cert_allows(&rep, LT_KEY_USE_SIGNATURE)) {
        return lt_hs_fail(hs, LT_ERR_UNSUPPORTED_CERTIFICATE,
                          "the server's certificate does not allow digitalSignature (its keyUsage: %s), which TLS 1.3 "
                          "needs for CertificateVerify (RFC 8446 4.4.2.2)",
                          rep.key_usage_names);
    }
    hs->proof |= LT_PROOF_PEER_CERT_OK;
    return LT_ST_CLIENT_WAIT_CERTIFICATE_VERIFY;
}

int lt_client13_on_certificate_verify(lt_hs *hs, const uint8_t *body, size_t len)
{
    lt_certificate_verify cv;
    int rc = lt_parse_certificate_verify(body, len, &cv);
    if (rc != LT_OK) {
        return lt_hs_fail(hs, rc, "malformed CertificateVerify (%zu bytes)", len);
    }
    const lt_pkey *key = hs->h12->peer_key;
    /* 4.4.3: the scheme must be one we offered, and 4.2.3: never
     * rsa_pkcs1_* in TLS 1.3; and it must fit the certificate's key. */
    int pkcs1 = (cv.scheme & 0xff) == 0x01;
    if (!lt_hs_accepts_sigalg(hs->env.policy, cv.scheme) || pkcs1 || !lt_sig_scheme_fits_key(cv.scheme, key)) {
        char k[64];
        lt_pkey_describe(key, k, sizeof k);
        return lt_hs_fail(hs, LT_ERR_ILLEGAL_PARAMETER,
                          "server's CertificateVerify uses scheme 0x%04x (%s), which we did not offer for TLS 1.3 or "
                          "which does not fit its %s key (RFC 8446 4.2.3, 4.4.3)",
                          cv.scheme, lt_sig_scheme_name(cv.scheme) ? lt_sig_scheme_name(cv.scheme) : "unknown", k);
    }
    uint8_t content[LT_CV_CONTENT_MAX];
    size_t n = lt_hs13_cv_content(hs, 1, content);
    LT_ENSURE(n > 0, LT_ERR_INTERNAL);
    size_t sig_len = lt_rd_left(&cv.signature);
    rc = lt_verify(key, cv.scheme, content, n, cv.signature.p, sig_len);
    lt_field f[3] = {lt_fld_text("scheme", lt_sig_scheme_name(cv.scheme)),
                     lt_fld_bytes("transcript_hash", content + n - lt_hash_len(hs->session.suite->prf_hash),
                                  lt_hash_len(hs->session.suite->prf_hash)),
                     lt_fld_text("result", rc == LT_OK ? "verified" : "FAILED")};
    LT_HS_TRACE(hs, LT_EV_MSG_RECV, "CertificateVerify", "RFC 8446 4.4.3",
                "the server signs the transcript so far with its certificate's key: proof that it holds the key, "
                "over exactly this handshake",
                f, 3);
    if (rc != LT_OK) {
        /* 4.4.3: "If the verification fails, the receiver MUST terminate
         * the handshake with a "decrypt_error" alert." */
        return lt_hs_fail(hs, LT_ERR_DECRYPT_ERROR,
                          "the server's CertificateVerify (%s) does not verify with its certificate's key",
                          lt_sig_scheme_name(cv.scheme));
    }
    hs->proof |= LT_PROOF_CV_OK;
    hs->session.peer_sig_scheme = cv.scheme;
    LT_GUARD(lt_transcript_add(&hs->h12->transcript, body - 4, len + 4, "CertificateVerify"));
    return LT_ST_CLIENT_WAIT_FINISHED;
}

int lt_client13_on_finished(lt_hs *hs, const uint8_t *body, size_t len)
{
    lt_hs13 *h = hs->h13;
    LT_GUARD(lt_hs13_check_finished(hs, h->s_hs, body, len));
    /* 7.1: the application secrets cover the handshake through the
     * server's Finished; the server may already be sending under them. */
    LT_GUARD(lt_hs13_application_secrets(hs));
    LT_GUARD(lt_hs13_install_keys(hs, hs->app_read, 0, "server_application_traffic"));
    /* Our second flight, under our handshake keys: if asked, Certificate
     * (and CertificateVerify when it is not empty), then Finished. */
    if (hs->shape & LT_SHAPE_CLIENT_AUTH) {
        LT_GUARD(lt_client13_send_certificate(hs));
    }
    LT_GUARD(lt_hs13_send_finished(hs, h->c_hs));
    LT_GUARD(lt_hs13_resumption_secret(hs));
    LT_GUARD(lt_hs13_install_keys(hs, hs->app_write, 1, "client_application_traffic"));
    return LT_ST_CONNECTED;
}

/* ---- after the handshake ---- */

int lt_client13_on_new_session_ticket(lt_hs *hs, const uint8_t *body, size_t len)
{
    lt_new_session_ticket t;
    int rc = lt_parse_new_session_ticket(body, len, &t);
    if (rc != LT_OK) {
        return lt_hs_fail(hs, rc, "malformed NewSessionTicket (%zu bytes)", len);
    }
    char life[24];
    snprintf(life, sizeof life, "%u s", t.lifetime);
    lt_field f[2] = {lt_fld_text("lifetime", life), lt_fld_bytes("ticket", t.ticket.p, lt_rd_left(&t.ticket))};
    LT_HS_TRACE(hs, LT_EV_MSG_RECV, "NewSessionTicket", "RFC 8446 4.6.1",
                "a ticket to resume this session later (we keep the latest)", f, 2);
    LT_GUARD(lt_client13_store_ticket(hs, &t));
    hs->delivered = 1;
    return LT_ST_CONNECTED;
}
