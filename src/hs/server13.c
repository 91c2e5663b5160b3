/*
 * The TLS 1.3 server: Alice (RFC 8446 2, 4; Appendix A.2). The ClientHello
 * row is shared with TLS 1.2 (server12.c decides the version); here she
 * answers a TLS 1.3 ClientHello with her whole flight:
 *
 *   ServerHello [ChangeCipherSpec] {EncryptedExtensions} {Certificate}
 *   {CertificateVerify} {Finished}
 *
 * or, when the client sent no key share for the group she wants, with a
 * HelloRetryRequest, and then waits for ClientHello2 (4.1.4).
 */
#include <stdio.h>
#include <string.h>

#include "hs/hs_int.h"

/* ---- what she chooses ---- */

/* 4.1.1: the server picks the suite; we pick by our own order. */
static const lt_suite *choose_suite13(const lt_hs *hs, const lt_client_hello *ch)
{
    const lt_hs_policy *p = hs->env.policy;
    for (size_t i = 0; i < p->n_suites; i++) {
        const lt_suite *s = lt_suite_find(p->suites[i]);
        if (s != NULL && s->version == LT_TLS1_3 && lt_u16_list_has(ch->suites, s->id)) {
            return s;
        }
    }
    return NULL;
}

/* 4.2.3 (signature_algorithms_cert, else signature_algorithms): would the
 * client accept how our chain is signed? */
static int chain_acceptable13(const lt_client_hello *ch, const lt_identity *id)
{
    const lt_rd *list = (ch->ext_seen & LT_SEEN_SIGALGS_CERT) ? &ch->sigalgs_cert : &ch->sigalgs_all;
    for (size_t i = 0; i < id->n_chain_schemes; i++) {
        if (!lt_u16_list_has(*list, id->chain_schemes[i])) {
            return 0;
        }
    }
    return 1;
}

/* The first of our key's TLS 1.3 schemes that the client lists (4.4.2.2:
 * the certificate must fit the client's signature_algorithms). */
static uint16_t scheme_for(const lt_client_hello *ch, const lt_identity *id)
{
    /* Worked out once, when the key was set (config.c). */
    for (size_t i = 0; i < id->n_sign_schemes13; i++) {
        if (lt_u16_list_has(ch->sigalgs_all, id->sign_schemes13[i])) {
            return id->sign_schemes13[i];
        }
    }
    return 0;
}

/* An identity whose key can sign a scheme the client accepts: ECDSA
 * first (smaller and faster), RSA-PSS next; first pass only chains the
 * client says it can check (4.4.2.2 lets a server send the chain it has
 * when none fits). */
static int choose_identity13(lt_hs *hs, const lt_client_hello *ch)
{
    static const int ORDER[] = {LT_ID_EC, LT_ID_RSA};
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < 2; i++) {
            const lt_identity *id = &hs->env.policy->id[ORDER[i]];
            if (id->chain.n == 0 || id->key == NULL || !id->may_sign) {
                continue;
            }
            if (pass == 0 && !chain_acceptable13(ch, id)) {
                continue;
            }
            uint16_t scheme = scheme_for(ch, id);
            if (scheme != 0) {
                hs->h12->id = id;
                hs->h12->sig_scheme = scheme;
                return LT_OK;
            }
        }
    }
    return lt_hs_fail(hs, LT_ERR_HANDSHAKE_FAILURE,
                      "no certificate of ours can sign with a TLS 1.3 signature scheme the client accepts (we have "
                      "rsa_pss_rsae_* and ecdsa_* for the key's curve; RFC 8446 4.2.3, 4.4.2.2)");
}

static int client_has_share(const lt_client_hello *ch, uint16_t group, lt_rd *key)
{
    lt_rd shares = ch->key_shares;
    uint16_t g;
    lt_rd k;
    while (lt_key_share_next(&shares, &g, &k)) {
        if (g == group) {
            *key = k;
            return 1;
        }
    }
    return 0;
}

/* 4.2.7, 4.2.8: our most preferred group that the client supports. If it
 * sent a share for it, that share is used; otherwise we ask for one with a
 * HelloRetryRequest (*need_hrr). Groups we do not know (GREASE, hybrids
 * such as X25519MLKEM768) are simply not ours, so they are never chosen. */
static int choose_group13(lt_hs *hs, const lt_client_hello *ch, lt_rd *share, int *need_hrr)
{
    const lt_hs_policy *p = hs->env.policy;
    *need_hrr = 0;
    for (size_t i = 0; i < p->n_groups; i++) {
        uint16_t g = p->groups[i];
        if (!lt_u16_list_has(ch->supported_groups, g)) {
            continue;
        }
        hs->h12->group = g;
        *need_hrr = !client_has_share(ch, g, share);
        return LT_OK;
    }
    char offered[256];
    lt_hs_group_list_text(ch->supported_groups, offered, sizeof offered);
    return lt_hs_fail(hs, LT_ERR_HANDSHAKE_FAILURE, "no group in common for the key exchange (client offered: %s)",
                      offered);
}

/* ---- what a TLS 1.3 ClientHello must carry (4.1.2, 9.2) ---- */

static int check_client_hello13(lt_hs *hs, const lt_client_hello *ch)
{
    /* 4.1.2: "For every TLS 1.3 ClientHello, this vector MUST contain
     * exactly one byte, set to zero ... the server MUST abort the handshake
     * with an "illegal_parameter" alert." */
    if (lt_rd_left(&ch->compressions) != 1 || !ch->has_null_compression) {
        return lt_hs_fail(hs, LT_ERR_ILLEGAL_PARAMETER,
                          "TLS 1.3 ClientHello must offer exactly the null compression method (RFC 8446 4.1.2)");
    }
    /* 9.2: without a PSK, a TLS 1.3 ClientHello must carry
     * signature_algorithms, and supported_groups and key_share together;
     * otherwise missing_extension. (We resume only with psk_dhe_ke, so we
     * need the key exchange extensions with a PSK too.) */
    if (!(ch->ext_seen & LT_SEEN_SIGALGS) && !(ch->ext_seen & LT_SEEN_PSK)) {
        return lt_hs_fail(hs, LT_ERR_MISSING_EXTENSION,
                          "TLS 1.3 ClientHello without signature_algorithms (RFC 8446 9.2)");
    }
    /* 4.2.9: "If clients offer "pre_shared_key" without a
     * "psk_key_exchange_modes" extension, servers MUST abort the
     * handshake." */
    if ((ch->ext_seen & LT_SEEN_PSK) && !(ch->ext_seen & LT_SEEN_PSK_MODES)) {
        return lt_hs_fail(hs, LT_ERR_MISSING_EXTENSION,
                          "ClientHello offers pre_shared_key without psk_key_exchange_modes (RFC 8446 4.2.9)");
    }
    int groups = (ch->ext_seen & LT_SEEN_GROUPS) != 0, shares = (ch->ext_seen & LT_SEEN_KEY_SHARE) != 0;
    if (!groups || !shares) {
        return lt_hs_fail(hs, LT_ERR_MISSING_EXTENSION, "TLS 1.3 ClientHello with %s but without %s (RFC 8446 9.2)",
                          groups   ? "supported_groups"
                          : shares ? "key_share"
                                   : "neither supported_groups",
                          groups   ? "key_share"
                          : shares ? "supported_groups"
                                   : "key_share");
    }
    return LT_OK;
}

/* 4.1.2: ClientHello2 must be ClientHello1 "without modification, except"
 * the key_share (one entry, for the group asked for), early_data removed,
 * the cookie added, pre_shared_key updated, and padding. This digest covers
 * everything else, in order, so any other change is caught. */
static int ch_digest(const lt_client_hello *ch, uint8_t out[LT_MAX_HASH_LEN])
{
    lt_hash *h = lt_hash_new(LT_HASH_SHA256);
    LT_ENSURE(h != NULL, LT_ERR_NOMEM);
    uint8_t fixed[2 + 32 + 1 + 32];
    lt_put_u16(fixed, ch->client_version);
    memcpy(fixed + 2, ch->random, 32);
    fixed[34] = ch->session_id_len;
    memcpy(fixed + 35, ch->session_id, ch->session_id_len);
    int rc = lt_hash_update(h, fixed, 35 + ch->session_id_len);
    uint8_t lens[4];
    lt_put_u16(lens, (uint16_t)lt_rd_left(&ch->suites));
    lens[2] = (uint8_t)lt_rd_left(&ch->compressions);
    if (rc == LT_OK) {
        rc = lt_hash_update(h, lens, 2);
    }
    if (rc == LT_OK) {
        rc = lt_hash_update(h, ch->suites.p, lt_rd_left(&ch->suites));
    }
    if (rc == LT_OK) {
        rc = lt_hash_update(h, lens + 2, 1);
    }
    if (rc == LT_OK) {
        rc = lt_hash_update(h, ch->compressions.p, lt_rd_left(&ch->compressions));
    }
    lt_rd exts = ch->extensions;
    uint16_t type;
    lt_rd body;
    while (rc == LT_OK && lt_ext_next(&exts, &type, &body)) {
        if (type == LT_EXT_KEY_SHARE || type == LT_EXT_EARLY_DATA || type == LT_EXT_COOKIE ||
            type == LT_EXT_PRE_SHARED_KEY || type == LT_EXT_PADDING) {
            continue;
        }
        uint8_t hdr[4];
        lt_put_u16(hdr, type);
        lt_put_u16(hdr + 2, (uint16_t)lt_rd_left(&body));
        rc = lt_hash_update(h, hdr, 4);
        if (rc == LT_OK) {
            rc = lt_hash_update(h, body.p, lt_rd_left(&body));
        }
    }
    size_t n = 0;
    if (rc == LT_OK) {
        rc = lt_hash_peek(h, out, &n);
    }
    lt_hash_free(h);
    return rc;
}

static int check_second_client_hello(lt_hs *hs, const lt_client_hello *ch)
{
    lt_hs13 *h = hs->h13;
    uint8_t d[LT_MAX_HASH_LEN];
    LT_GUARD(ch_digest(ch, d));
    if (memcmp(d, h->ch1_digest, 32) != 0) {
        return lt_hs_fail(hs, LT_ERR_ILLEGAL_PARAMETER,
                          "ClientHello2 differs from ClientHello1 in more than key_share, cookie, early_data, "
                          "pre_shared_key and padding (RFC 8446 4.1.2)");
    }
    /* 4.2.2: the cookie must come back as we sent it. */
    if (lt_rd_left(&ch->cookie) != h->cookie_len || memcmp(ch->cookie.p, h->cookie, h->cookie_len) != 0) {
        return lt_hs_fail(hs, LT_ERR_ILLEGAL_PARAMETER,
                          "ClientHello2 does not echo the HelloRetryRequest's cookie (RFC 8446 4.2.2)");
    }
    /* 4.1.2: the key shares become "a single KeyShareEntry from the
     * indicated group". */
    lt_rd key;
    if (ch->n_key_shares != 1 || !client_has_share(ch, h->hrr_group, &key)) {
        return lt_hs_fail(hs, LT_ERR_ILLEGAL_PARAMETER,
                          "ClientHello2 must carry exactly one key share, for %s (RFC 8446 4.1.2); it has %zu",
                          lt_group_name(h->hrr_group), ch->n_key_shares);
    }
    /* 4.1.2: early_data "removed". */
    if (ch->early_data) {
        return lt_hs_fail(hs, LT_ERR_ILLEGAL_PARAMETER, "ClientHello2 offers early data (RFC 8446 4.1.2, 4.2.10)");
    }
    return LT_OK;
}

/* ---- HelloRetryRequest (4.1.4) ---- */

static int send_hello_retry_request(lt_hs *hs, const lt_client_hello *ch)
{
    lt_hs13 *h = hs->h13;
    h->hrr_group = hs->h12->group;
    h->hrr_suite = hs->session.suite->id;
    LT_GUARD(ch_digest(ch, h->ch1_digest));
    /* 4.2.2: a cookie; we keep the state ourselves, so it is a random
     * value the client must echo. */
    h->cookie_len = 32;
    LT_GUARD(lt_random(h->cookie, h->cookie_len));
    /* 4.4.1: ClientHello1 becomes message_hash(Hash(ClientHello1)). */
    LT_GUARD(lt_transcript_replace_with_message_hash(&hs->h12->transcript, hs->session.suite->prf_hash));
    lt_server_hello_params p = {
        .server_version = LT_TLS1_2,
        .random = LT_HRR_RANDOM,
        .session_id = ch->session_id,
        .session_id_len = ch->session_id_len,
        .cipher_suite = h->hrr_suite,
        .selected_version = LT_TLS1_3,
        .key_share_group = h->hrr_group,
        .cookie = h->cookie,
        .cookie_len = h->cookie_len,
    };
    lt_wr w;
    LT_GUARD(lt_hs_scratch(hs, 256, &w));
    lt_write_server_hello(&w, &p);
    LT_GUARD(lt_wr_finish(&w));
    if (lt_hs_tracing(hs)) {
        lt_field f[2] = {lt_fld_text("group", lt_group_name(h->hrr_group)),
                         lt_fld_text("suite", hs->session.suite->iana_name)};
        LT_HS_TRACE(hs, LT_EV_CHOICE, "hello_retry", "RFC 8446 4.1.4",
                    "Bob sent no key share for the group Alice prefers among those he supports: she asks him to "
                    "send his ClientHello again with one (HelloRetryRequest)",
                    f, 2);
    }
    lt_field f = lt_fld_text("selected_group", lt_group_name(h->hrr_group));
    LT_GUARD(lt_hs_send(hs, w.base, w.off, &f, 1));
    hs->shape |= LT_SHAPE_HRR;
    /* 4.2.10: after a HelloRetryRequest, early data is refused by skipping
     * every application_data record until ClientHello2. */
    if (ch->early_data) {
        lt_hs_skip_early_data(hs);
    }
    /* D.4: the dummy ChangeCipherSpec right after our first handshake
     * message, for a client in compatibility mode (a session ID). */
    if (ch->session_id_len > 0) {
        LT_GUARD(lt_hs13_send_compat_ccs(hs));
    }
    return LT_ST_SERVER_WAIT_CLIENT_HELLO;
}

/* ---- the full flight ---- */

static int write_server_hello13(lt_hs *hs, const lt_client_hello *ch, const uint8_t *pub, size_t pub_len)
{
    lt_server_hello_params p = {
        .server_version = LT_TLS1_2,
        .random = hs->h12->server_random,
        .session_id = ch->session_id,
        .session_id_len = ch->session_id_len,
        .cipher_suite = hs->session.suite->id,
        .selected_version = LT_TLS1_3,
        .key_share_group = hs->h12->group,
        .key_share_key = pub,
        .key_share_len = pub_len,
        .psk_selected = (hs->shape & LT_SHAPE_RESUMED) != 0,
        .psk_identity = hs->h13->psk_index,
    };
    lt_wr w;
    LT_GUARD(lt_hs_scratch(hs, 256, &w));
    lt_write_server_hello(&w, &p);
    LT_GUARD(lt_wr_finish(&w));
    const char *exts =
        p.psk_selected ? "supported_versions, key_share, pre_shared_key" : "supported_versions, key_share";
    lt_field f[4] = {lt_fld_bytes("random", hs->h12->server_random, 32),
                     lt_fld_text("cipher_suite", hs->session.suite->iana_name), lt_fld_bytes("key_share", pub, pub_len),
                     lt_fld_text("extensions", exts)};
    return lt_hs_send(hs, w.base, w.off, f, 4);
}

/* The key exchange: our ephemeral key on the chosen group and the shared
 * secret with the client's share (a bad share is illegal_parameter). */
static int key_exchange(lt_hs *hs, lt_rd share, uint8_t *pub, size_t *pub_len, uint8_t *dhe, size_t *dhe_len)
{
    lt_hs12 *h = hs->h12;
    LT_GUARD(lt_kx_keygen(h->group, &h->kx_key));
    LT_GUARD(lt_kx_public(h->kx_key, pub, LT_MAX_KX_PUBLIC, pub_len));
    size_t n = lt_rd_left(&share);
    int rc = lt_kx_derive(h->kx_key, share.p, n, dhe, LT_MAX_KX_SECRET, dhe_len);
    if (rc != LT_OK) {
        return lt_hs_fail(hs, rc, "the client's %s key share (%zu bytes) is not a valid public key (RFC 8446 4.2.8.2)",
                          lt_group_name(h->group), n);
    }
    if (lt_hs_tracing(hs)) {
        lt_field f[2] = {lt_fld_text("group", lt_group_name(h->group)), lt_fld_bytes("public_key", share.p, n)};
        LT_HS_TRACE(hs, LT_EV_CHOICE, "client_key_share", "RFC 8446 4.2.8",
                    "the client's ephemeral public key for the chosen group, sent in its ClientHello", f, 2);
    }
    lt_explain_shared_secret(hs, dhe, *dhe_len);
    return LT_OK;
}

static int send_encrypted_extensions(lt_hs *hs)
{
    lt_encrypted_extensions_params p = {
        .sni_ack = 0,
        /* RFC 7301 3.1, RFC 8446 4.3.1: the chosen protocol, encrypted. */
        .alpn = hs->session.alpn_len > 0 ? (const uint8_t *)hs->session.alpn : NULL,
        .alpn_len = hs->session.alpn_len,
    };
    lt_wr w;
    LT_GUARD(lt_hs_scratch(hs, 64, &w));
    lt_write_encrypted_extensions(&w, &p);
    LT_GUARD(lt_wr_finish(&w));
    return lt_hs_send(hs, w.base, w.off, NULL, 0);
}

static int send_certificate13(lt_hs *hs)
{
    const lt_chain *chain = &hs->h12->id->chain;
    size_t need = 64;
    for (size_t i = 0; i < chain->n; i++) {
        need += 5 + chain->len[i];
    }
    lt_wr w;
    LT_GUARD(lt_hs_scratch(hs, need, &w));
    lt_write_certificate13(&w, NULL, 0, (const uint8_t *const *)chain->der, chain->len, chain->n);
    LT_GUARD(lt_wr_finish(&w));
    return lt_explain_send_certificate(hs, w.base, w.off, chain);
}

/* 4.4.3: sign the transcript through Certificate, with the context string
 * that says this is the server's signature. */
static int send_certificate_verify(lt_hs *hs)
{
    uint8_t content[LT_CV_CONTENT_MAX];
    size_t n = lt_hs13_cv_content(hs, 1, content);
    LT_ENSURE(n > 0, LT_ERR_INTERNAL);
    uint8_t sig[LT_MAX_SIGNATURE_LEN];
    size_t sig_len = 0;
    LT_GUARD(lt_sign(hs->h12->id->key, hs->h12->sig_scheme, content, n, sig, sizeof sig, &sig_len));
    hs->session.sig_scheme = hs->h12->sig_scheme;
    lt_wr w;
    LT_GUARD(lt_hs_scratch(hs, sig_len + 16, &w));
    lt_write_certificate_verify(&w, hs->h12->sig_scheme, sig, sig_len);
    LT_GUARD(lt_wr_finish(&w));
    lt_field f[2] = {lt_fld_text("scheme", lt_sig_scheme_name(hs->h12->sig_scheme)),
                     lt_fld_text("signs", "64 spaces, \"TLS 1.3, server CertificateVerify\", 0, "
                                          "Transcript-Hash(ClientHello..Certificate)")};
    return lt_hs_send(hs, w.base, w.off, f, 2);
}

static int send_server_flight13(lt_hs *hs, const lt_client_hello *ch, lt_rd share)
{
    lt_hs12 *h = hs->h12;
    LT_GUARD(lt_random(h->server_random, sizeof h->server_random));
    memcpy(hs->session.server_random, h->server_random, 32);
    uint8_t pub[LT_MAX_KX_PUBLIC], dhe[LT_MAX_KX_SECRET];
    size_t pub_len = 0, dhe_len = 0;
    int rc = key_exchange(hs, share, pub, &pub_len, dhe, &dhe_len);
    if (rc == LT_OK && !(hs->shape & LT_SHAPE_HRR)) {
        rc = lt_transcript_set_hash(&h->transcript, hs->session.suite->prf_hash);
    }
    if (rc == LT_OK) {
        rc = write_server_hello13(hs, ch, pub, pub_len);
    }
    if (rc != LT_OK) {
        lt_wipe(dhe, sizeof dhe);
        return rc;
    }
    lt_transcript_drop_raw(&h->transcript);
    LT_GUARD(lt_hs13_handshake_secrets(hs, dhe, dhe_len)); /* wipes dhe */
    if (ch->session_id_len > 0) {
        LT_GUARD(lt_hs13_send_compat_ccs(hs));
    }
    LT_GUARD(lt_hs13_install_keys(hs, hs->h13->s_hs, 1, "server_handshake_traffic"));
    LT_GUARD(lt_hs13_install_keys(hs, hs->h13->c_hs, 0, "client_handshake_traffic"));
    lt_hs_allow_plaintext_alert(hs);
    if (ch->early_data) {
        /* 4.2.10: we never accept early data (no early_data in our
         * EncryptedExtensions), so its records are dropped until the
         * client's Finished opens under the handshake keys. */
        LT_HS_TRACE(hs, LT_EV_CHOICE, "early_data", "RFC 8446 4.2.10",
                    "refused: we do not accept 0-RTT data; its records are skipped, up to a bound", NULL, 0);
        lt_hs_skip_early_data(hs);
    }
    LT_GUARD(send_encrypted_extensions(hs));
    /* 2.2: a resumed handshake is authenticated by the PSK: no Certificate
     * and no CertificateVerify. */
    if (!(hs->shape & LT_SHAPE_RESUMED)) {
        /* 4.3.2: CertificateRequest follows EncryptedExtensions (never in
         * a PSK handshake). */
        if (lt_server_wants_client_cert(hs)) {
            LT_GUARD(lt_server13_send_certificate_request(hs));
        }
        LT_GUARD(send_certificate13(hs));
        LT_GUARD(send_certificate_verify(hs));
    }
    LT_GUARD(lt_hs13_send_finished(hs, hs->h13->s_hs));
    /* 7.1: the application secrets cover the handshake through our
     * Finished; our records switch now, the client's after its Finished. */
    LT_GUARD(lt_hs13_application_secrets(hs));
    return lt_hs13_install_keys(hs, hs->app_write, 1, "server_application_traffic");
}

int lt_server13_on_client_hello(lt_hs *hs, const lt_client_hello *ch, const uint8_t *body, size_t len)
{
    (void)body;
    int second = (hs->shape & LT_SHAPE_HRR) != 0;
    LT_GUARD(check_client_hello13(hs, ch));
    if (second) {
        LT_GUARD(check_second_client_hello(hs, ch));
    }
    const lt_suite *s = choose_suite13(hs, ch);
    if (s == NULL) {
        char offered[512];
        lt_hs_suite_list_text(ch->suites, offered, sizeof offered);
        return lt_hs_fail(hs, LT_ERR_HANDSHAKE_FAILURE, "no TLS 1.3 cipher suite in common (client offered: %s)",
                          offered);
    }
    if (second && s->id != hs->h13->hrr_suite) {
        return lt_hs_fail(hs, LT_ERR_INTERNAL, "ClientHello2 led to another suite than the HelloRetryRequest's");
    }
    hs->session.version = LT_TLS1_3;
    hs->session.suite = s;
    lt_hs_set_record_version(hs, LT_TLS1_3);
    memcpy(hs->session.client_random, ch->random, 32);
    memcpy(hs->h12->client_random, ch->random, 32);
    if (ch->ext_seen & LT_SEEN_SNI) {
        memcpy(hs->hostname, ch->sni, sizeof hs->hostname);
        memcpy(hs->session.sni, ch->sni, sizeof hs->session.sni);
    }
    lt_rd share = {0};
    int need_hrr = 0;
    LT_GUARD(choose_group13(hs, ch, &share, &need_hrr));
    if (need_hrr && second) {
        return lt_hs_fail(hs, LT_ERR_ILLEGAL_PARAMETER, "ClientHello2 still has no key share for %s (RFC 8446 4.1.2)",
                          lt_group_name(hs->h12->group));
    }
    hs->session.group = hs->h12->group;
    hs->h13->early_data_offered = ch->early_data;
    if (need_hrr) {
        /* The certificate is chosen on ClientHello2 (it may differ only
         * in what HRR allows), the ticket's binder checked on it too. */
        lt_explain_server_choices(hs, hs->env.policy->n_suites);
        return send_hello_retry_request(hs, ch);
    }
    LT_GUARD(lt_hs_server_choose_alpn(hs, ch));
    LT_GUARD(lt_hs13_server_try_psk(hs, ch, len + 4));
    if (!(hs->shape & LT_SHAPE_RESUMED)) {
        LT_GUARD(choose_identity13(hs, ch));
    }
    lt_explain_server_choices(hs, hs->env.policy->n_suites);
    LT_GUARD(send_server_flight13(hs, ch, share));
    return (hs->shape & LT_SHAPE_CLIENT_AUTH) ? LT_ST_SERVER_WAIT_CLIENT_CERTIFICATE : LT_ST_SERVER_WAIT_FINISHED;
}

int lt_server13_on_finished(lt_hs *hs, const uint8_t *body, size_t len)
{
    LT_GUARD(lt_hs13_check_finished(hs, hs->h13->c_hs, body, len));
    LT_GUARD(lt_hs13_resumption_secret(hs));
    LT_GUARD(lt_hs13_install_keys(hs, hs->app_read, 0, "client_application_traffic"));
    /* 4.6.1: tickets, now that the resumption master secret exists. */
    LT_GUARD(lt_hs13_send_tickets(hs));
    return LT_ST_CONNECTED;
}
