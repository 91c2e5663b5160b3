/*
 * The TLS 1.2 server: Alice. RFC 5246 7.3: RSA key transport, and ECDHE
 * (RFC 8422) signed with her RSA or ECDSA certificate. What she says about
 * each step is in explain12.c; this file decides.
 */
#include <stdio.h>
#include <string.h>

#include "base/text.h"
#include "hs/hs_int.h"

static int client_offers(const lt_client_hello *ch, uint16_t id)
{
    return lt_u16_list_has(ch->suites, id);
}

static const lt_identity *identity_for_kind(const lt_hs_policy *p, int slot)
{
    const lt_identity *id = &p->id[slot];
    return id->chain.n > 0 && id->key != NULL ? id : NULL;
}

/* The certificate a suite needs: RSA or ECDSA (RFC 8422 5.3). */
static const lt_identity *identity_for(const lt_hs *hs, const lt_suite *s)
{
    return identity_for_kind(hs->env.policy, s->auth == LT_AUTH_ECDSA ? LT_ID_EC : LT_ID_RSA);
}

/* RFC 8422 5.1.1: the first of our groups that the client lists. A client
 * without supported_groups "supports" whatever the server picks (RFC 8422
 * 4: the server may then choose), so we take our first. */
static uint16_t choose_group(const lt_hs *hs, const lt_client_hello *ch)
{
    const lt_hs_policy *p = hs->env.policy;
    for (size_t i = 0; i < p->n_groups; i++) {
        if (!(ch->ext_seen & LT_SEEN_GROUPS) || lt_u16_list_has(ch->supported_groups, p->groups[i])) {
            return p->groups[i];
        }
    }
    return 0;
}

/* RFC 5246 7.4.1.4.1: sign with a scheme the client listed in
 * signature_algorithms and that fits our key. Without the extension the
 * client's default is SHA-1 (RFC 5246 7.4.1.4.1), which we do not sign
 * with: no scheme. */
static uint16_t choose_sig_scheme(const lt_client_hello *ch, const lt_identity *id)
{
    if (!(ch->ext_seen & LT_SEEN_SIGALGS)) {
        return 0;
    }
    /* Our key's schemes, best first (worked out when the key was set). */
    for (size_t i = 0; i < id->n_sign_schemes; i++) {
        if (lt_u16_list_has(ch->sigalgs_all, id->sign_schemes[i])) {
            return id->sign_schemes[i];
        }
    }
    return 0;
}

/* RFC 8446 4.2.3 (signature_algorithms_cert; without it,
 * signature_algorithms, as RFC 5246 7.4.2 has it for TLS 1.2): would the
 * client accept how our chain is signed? */
static int chain_acceptable(const lt_client_hello *ch, const lt_identity *id)
{
    const lt_rd *list = (ch->ext_seen & LT_SEEN_SIGALGS_CERT) ? &ch->sigalgs_cert
                        : (ch->ext_seen & LT_SEEN_SIGALGS)    ? &ch->sigalgs_all
                                                              : NULL;
    if (list == NULL) {
        return 1;
    }
    for (size_t i = 0; i < id->n_chain_schemes; i++) {
        if (!lt_u16_list_has(*list, id->chain_schemes[i])) {
            return 0;
        }
    }
    return 1;
}

/* Why our next-preferred suite could not be used, for the error detail. */
typedef struct suite_miss {
    int no_identity, no_group, no_sigalg, key_usage, cert_curve;
} suite_miss;

/* Can we do this suite with this client? Fills the group and scheme. With
 * strict_chain, only if the client accepts how our chain is signed. */
static int suite_usable(lt_hs *hs, const lt_client_hello *ch, const lt_suite *s, int strict_chain, suite_miss *miss)
{
    const lt_identity *id = identity_for(hs, s);
    if (id == NULL) {
        miss->no_identity++;
        return 0;
    }
    if (strict_chain && !chain_acceptable(ch, id)) {
        return 0;
    }
    /* RFC 5246 7.4.2: the certificate must allow what the key exchange
     * does with it: decrypt (RSA key transport) or sign (ECDHE). */
    if (s->kx == LT_KX_RSA ? !id->may_encipher : !id->may_sign) {
        miss->key_usage++;
        return 0;
    }
    if (s->kx == LT_KX_RSA) {
        return 1;
    }
    /* RFC 8422 5.3: an ECDSA certificate's curve must be one the client
     * lists in supported_groups. */
    if (s->auth == LT_AUTH_ECDSA && (ch->ext_seen & LT_SEEN_GROUPS) &&
        !lt_u16_list_has(ch->supported_groups, id->key_group)) {
        miss->cert_curve++;
        return 0;
    }
    uint16_t group = choose_group(hs, ch);
    uint16_t scheme = choose_sig_scheme(ch, id);
    miss->no_group += group == 0;
    miss->no_sigalg += scheme == 0;
    if (group == 0 || scheme == 0) {
        return 0;
    }
    hs->h12->group = group;
    hs->h12->sig_scheme = scheme;
    return 1;
}

/* RFC 5246 7.4.1.3: the server picks; we pick by our own preference order,
 * the first suite the client offers that our identities, groups and its
 * signature algorithms allow. */
static int choose_suite(lt_hs *hs, const lt_client_hello *ch)
{
    const lt_hs_policy *cfg = hs->env.policy;
    suite_miss miss = {0, 0, 0, 0, 0};
    /* First pass: a suite whose certificate chain the client says it can
     * check; second: any (RFC 8446 4.4.2.2 lets a server send the chain it
     * has; the client decides). */
    for (size_t k = 0; k < 2 * cfg->n_suites; k++) {
        size_t i = k % cfg->n_suites;
        const lt_suite *s = lt_suite_find(cfg->suites[i]);
        if (s == NULL || s->version != LT_TLS1_2 || !client_offers(ch, s->id) ||
            !suite_usable(hs, ch, s, k < cfg->n_suites, &miss)) {
            continue;
        }
        hs->session.suite = s;
        hs->h12->id = identity_for(hs, s);
        if (s->kx == LT_KX_ECDHE) {
            hs->session.group = hs->h12->group;
            hs->shape |= LT_SHAPE_PFS;
        }
        lt_explain_server_choices(hs, cfg->n_suites);
        return LT_OK;
    }
    char offered[512];
    lt_hs_suite_list_text(ch->suites, offered, sizeof offered);
    return lt_hs_fail(hs, LT_ERR_HANDSHAKE_FAILURE, "no cipher suite in common (client offered: %s)%s%s%s", offered,
                      miss.no_identity ? "; some need a certificate we do not have" : "",
                      miss.no_group ? "; ECDHE needs a group we share (we have x25519, secp256r1, secp384r1 at most)"
                                    : "",
                      miss.no_sigalg ? "; ECDHE needs a signature algorithm the client accepts for our key" : "");
}

uint16_t lt_client_hello_max_version(const lt_client_hello *ch)
{
    if (!(ch->ext_seen & LT_SEEN_VERSIONS)) {
        return ch->client_version;
    }
    uint16_t best = 0, v;
    lt_rd r = ch->versions;
    while (lt_rd_u16(&r, &v) == LT_OK) {
        if ((v >> 8) == 3 && v > best && v <= LT_TLS1_3) {
            best = v;
        }
    }
    return best;
}

/* RFC 8446 4.2.1 (supported_versions when present, legacy_version
 * otherwise) within our range; RFC 5246 E.1: a client that offers less
 * than we speak gets protocol_version. */
static int choose_version(lt_hs *hs, const lt_client_hello *ch, uint16_t *out)
{
    int listed = (ch->ext_seen & LT_SEEN_VERSIONS) != 0;
    if (listed && lt_hs_allows(hs, LT_TLS1_3) && lt_u16_list_has(ch->versions, LT_TLS1_3)) {
        *out = LT_TLS1_3;
    } else if (lt_hs_allows(hs, LT_TLS1_2) &&
               (listed ? lt_u16_list_has(ch->versions, LT_TLS1_2) : ch->client_version >= LT_TLS1_2)) {
        *out = LT_TLS1_2;
    } else {
        return lt_hs_fail(hs, LT_ERR_PROTOCOL_VERSION, "client offers at most version 0x%04x; we speak TLS %s",
                          lt_client_hello_max_version(ch),
                          !lt_hs_allows(hs, LT_TLS1_2)  ? "1.3 only"
                          : lt_hs_allows(hs, LT_TLS1_3) ? "1.2 and 1.3"
                                                        : "1.2 only");
    }
    /* RFC 8446 4.1.4: after a HelloRetryRequest only TLS 1.3 may follow. */
    if ((hs->shape & LT_SHAPE_HRR) && *out != LT_TLS1_3) {
        return lt_hs_fail(hs, LT_ERR_ILLEGAL_PARAMETER,
                          "ClientHello2 no longer offers TLS 1.3 after our HelloRetryRequest (RFC 8446 4.1.2)");
    }
    return LT_OK;
}

static int check_client_hello(lt_hs *hs, const lt_client_hello *ch)
{
    /* RFC 7507 3: "If TLS_FALLBACK_SCSV appears in ClientHello.cipher_suites
     * and the highest protocol version supported by the server is higher
     * than the version indicated in ClientHello.client_version, the server
     * MUST respond with a fatal inappropriate_fallback alert." */
    uint16_t ours = lt_hs_allows(hs, LT_TLS1_3) ? LT_TLS1_3 : LT_TLS1_2, theirs = lt_client_hello_max_version(ch);
    if (ch->has_fallback_scsv && theirs < ours) {
        return lt_hs_fail(hs, LT_ERR_INAPPROPRIATE_FALLBACK,
                          "the client fell back to version 0x%04x (TLS_FALLBACK_SCSV) but we support 0x%04x: a "
                          "downgrade (RFC 7507)",
                          theirs, ours);
    }
    /* RFC 5246 7.4.1.2: the list "MUST contain ... CompressionMethod.null". */
    if (!ch->has_null_compression) {
        return lt_hs_fail(hs, LT_ERR_ILLEGAL_PARAMETER, "ClientHello does not offer null compression");
    }
    /* RFC 5746 3.6: renegotiated_connection must be empty on a first
     * handshake, else handshake_failure. */
    if ((ch->ext_seen & LT_SEEN_RENEG) && lt_rd_left(&ch->reneg_info) != 0) {
        return lt_hs_fail(hs, LT_ERR_HANDSHAKE_FAILURE, "renegotiation_info is not empty on a first handshake");
    }
    /* RFC 8422 5.1.2: a client that lists curves but not the uncompressed
     * point format gets illegal_parameter. */
    if ((ch->ext_seen & LT_SEEN_POINT_FORMATS) && (ch->ext_seen & LT_SEEN_GROUPS) && !ch->has_uncompressed_point) {
        return lt_hs_fail(hs, LT_ERR_ILLEGAL_PARAMETER,
                          "ec_point_formats does not list uncompressed (RFC 8422 5.1.2: it MUST be supported)");
    }
    /* RFC 6066 3: HostName is "the fully qualified DNS hostname of the
     * server ... using ASCII encoding without a trailing dot", and literal
     * IP addresses "are not permitted". A name outside that is a bad value:
     * illegal_parameter (RFC 5246 7.2.2). We do not use unrecognized_name,
     * which is for a well-formed name the server does not serve. */
    if ((ch->ext_seen & LT_SEEN_SNI) && ch->sni[0] != '\0' && !lt_is_dns_hostname(ch->sni, strlen(ch->sni))) {
        char shown[96];
        return lt_hs_fail(hs, LT_ERR_ILLEGAL_PARAMETER,
                          "server_name \"%s\" is not a DNS host name (RFC 6066 3: ASCII letters, digits and "
                          "hyphens in dot-separated labels, no trailing dot, no IP address)",
                          lt_escape_peer_text(shown, sizeof shown, ch->sni, strlen(ch->sni)));
    }
    const lt_hs_policy *p = hs->env.policy;
    if (identity_for_kind(p, LT_ID_RSA) == NULL && identity_for_kind(p, LT_ID_EC) == NULL) {
        return lt_hs_fail(hs, LT_ERR_CONFIG, "the server has no certificate or key configured");
    }
    return LT_OK;
}

static void apply_client_hello(lt_hs *hs, const lt_client_hello *ch)
{
    hs->session.version = LT_TLS1_2;
    lt_hs_set_record_version(hs, LT_TLS1_2);
    hs->h12->client_version = ch->client_version;
    memcpy(hs->h12->client_random, ch->random, 32);
    memcpy(hs->session.client_random, ch->random, 32);
    hs->session.secure_reneg = (ch->ext_seen & LT_SEEN_RENEG) || ch->has_scsv;
    /* RFC 7627 5.3: use the extended master secret when the client offers it. */
    hs->session.ems = hs->env.policy->ems && (ch->ext_seen & LT_SEEN_EMS);
    /* RFC 7366 3: encrypt-then-MAC only for a CBC suite; with an AEAD the
     * server "MUST NOT send an encrypt-then-MAC response extension". */
    hs->session.etm = hs->env.policy->etm && ch->encrypt_then_mac && hs->session.suite->mac != LT_MAC_NONE;
    if (ch->ext_seen & LT_SEEN_SNI) {
        memcpy(hs->hostname, ch->sni, sizeof hs->hostname);
        memcpy(hs->session.sni, ch->sni, sizeof hs->session.sni);
    }
    lt_explain_server_extensions(hs, ch);
}

/* The ServerKeyExchange (RFC 8422 5.4): our ephemeral public key, signed
 * with the certificate's key over both randoms and the parameters, so the
 * client knows it comes from the holder of the certificate. */
static int write_server_key_exchange(lt_hs *hs, lt_wr *w)
{
    lt_hs12 *h = hs->h12;
    LT_GUARD(lt_kx_keygen(h->group, &h->kx_key));
    uint8_t pub[LT_MAX_KX_PUBLIC];
    size_t pub_len = 0;
    LT_GUARD(lt_kx_public(h->kx_key, pub, sizeof pub, &pub_len));
    size_t mark = lt_write_server_key_exchange_ecdhe_params(w, h->group, pub, pub_len);
    size_t params_len = 0;
    const uint8_t *params = lt_server_key_exchange_params(w, mark, &params_len);
    LT_ENSURE(params != NULL, LT_ERR_INTERNAL);
    /* RFC 8422 5.4: signed_params = Hash(ClientHello.random +
     * ServerHello.random + ServerECDHParams) under the chosen scheme. */
    uint8_t tbs[LT_SKE_SIGNED_MAX];
    size_t tbs_len = lt_hs12_ske_signed_data(hs, params, params_len, tbs);
    LT_ENSURE(tbs_len != 0, LT_ERR_INTERNAL);
    uint8_t sig[LT_MAX_SIGNATURE_LEN];
    size_t sig_len = 0;
    LT_GUARD(lt_sign_tls12(h->id->key, h->sig_scheme, tbs, tbs_len, sig, sizeof sig, &sig_len));
    hs->session.sig_scheme = h->sig_scheme;
    lt_write_server_key_exchange_signature(w, mark, h->sig_scheme, sig, sig_len);
    return LT_OK;
}

int lt_server12_new_random(lt_hs *hs)
{
    LT_GUARD(lt_random(hs->h12->server_random, sizeof hs->h12->server_random));
    /* RFC 8446 4.1.3: a server that speaks TLS 1.3 but negotiates 1.2 ends
     * its random with the sentinel, so a TLS 1.3 client can tell that an
     * attacker removed its 1.3 offer. */
    if (lt_hs_allows(hs, LT_TLS1_3)) {
        memcpy(hs->h12->server_random + 24, LT_DOWNGRADE_TLS12, 8);
    }
    memcpy(hs->session.server_random, hs->h12->server_random, 32);
    return LT_OK;
}

void lt_server12_hello_params(lt_hs *hs, const lt_client_hello *ch, lt_server_hello_params *out)
{
    int ecdhe = hs->session.suite->kx == LT_KX_ECDHE;
    lt_server_hello_params p = {
        .server_version = LT_TLS1_2,
        .random = hs->h12->server_random,
        /* RFC 5246 7.4.1.3: the ID of the session, new or resumed (empty:
         * not resumable by ID); lt_hs12_server_plan_session chose it. */
        .session_id = hs->h12->session_id,
        .session_id_len = hs->h12->session_id_len,
        .session_ticket = (hs->shape & LT_SHAPE_TICKET) != 0,
        .cipher_suite = hs->session.suite->id,
        .ems = hs->session.ems,
        .reneg_info = hs->session.secure_reneg,
        /* RFC 6066 3: the empty server_name says the name was used to
         * choose the certificate. We do not choose by name, so we send
         * none (lt_conn_server_name still tells the application). */
        .sni_ack = 0,
        .etm = hs->session.etm,
        /* RFC 8422 5.2: answer the client's ec_point_formats when an ECC
         * suite is chosen. */
        .ec_point_formats = ecdhe && (ch->ext_seen & LT_SEEN_POINT_FORMATS),
        .alpn = (const uint8_t *)hs->session.alpn,
        .alpn_len = hs->session.alpn_len,
    };
    *out = p;
}

static int send_server_flight(lt_hs *hs, const lt_client_hello *ch)
{
    const lt_chain *chain = &hs->h12->id->chain;
    LT_GUARD(lt_server12_new_random(hs));
    size_t need = 1024 + LT_MAX_SIGNATURE_LEN + lt_server_certificate_request_size(hs);
    for (size_t i = 0; i < chain->n; i++) {
        need += 3 + chain->len[i];
    }
    lt_wr w;
    LT_GUARD(lt_hs_scratch(hs, need, &w));
    int ecdhe = hs->session.suite->kx == LT_KX_ECDHE;
    lt_server_hello_params p;
    lt_server12_hello_params(hs, ch, &p);
    size_t off[6] = {0};
    lt_write_server_hello(&w, &p);
    off[1] = w.off;
    lt_write_certificate(&w, (const uint8_t *const *)chain->der, chain->len, chain->n);
    off[2] = w.off;
    if (ecdhe) {
        LT_GUARD(write_server_key_exchange(hs, &w));
    }
    off[3] = w.off;
    /* RFC 5246 7.4.4: CertificateRequest comes after ServerKeyExchange. */
    if (lt_server_wants_client_cert(hs)) {
        LT_GUARD(lt_server12_write_certificate_request(hs, &w));
    }
    off[4] = w.off;
    lt_write_empty(&w, LT_HS_SERVER_HELLO_DONE);
    off[5] = w.off;
    LT_GUARD(lt_wr_finish(&w));

    LT_GUARD(lt_explain_send_server_hello(hs, w.base, off[1], &p));
    LT_GUARD(lt_explain_send_certificate(hs, w.base + off[1], off[2] - off[1], chain));
    if (ecdhe) {
        LT_GUARD(lt_explain_send_server_key_exchange(hs, w.base + off[2], off[3] - off[2]));
    }
    if (off[4] > off[3]) {
        LT_GUARD(lt_server12_explain_certificate_request(hs, w.base + off[3], off[4] - off[3]));
    }
    return lt_hs_send(hs, w.base + off[4], off[5] - off[4], NULL, 0);
}

int lt_server_on_client_hello(lt_hs *hs, const uint8_t *body, size_t len)
{
    lt_client_hello ch;
    int rc = lt_parse_client_hello(body, len, &ch);
    if (rc != LT_OK) {
        return lt_hs_fail(hs, rc, "malformed ClientHello (%zu bytes)", len);
    }
    lt_explain_client_hello(hs, &ch);
    /* Before anything is judged by the policy: the hook may change it. */
    LT_GUARD(lt_hs_run_client_hello_hook(hs, &ch));
    LT_GUARD(check_client_hello(hs, &ch));
    uint16_t version = 0;
    LT_GUARD(choose_version(hs, &ch, &version));
    if (version == LT_TLS1_3) {
        return lt_server13_on_client_hello(hs, &ch, body, len);
    }
    /* RFC 5246 7.3: a session the client names (by ticket or ID) and we
     * still hold resumes in an abbreviated handshake. */
    int resumed = lt_hs12_server_try_resume(hs, &ch);
    if (resumed < 0) {
        return resumed;
    }
    if (!resumed) {
        LT_GUARD(choose_suite(hs, &ch));
    }
    apply_client_hello(hs, &ch);
    LT_GUARD(lt_hs_server_choose_alpn(hs, &ch));
    LT_GUARD(lt_transcript_set_hash(&hs->h12->transcript, hs->session.suite->prf_hash));
    /* A client CertificateVerify (RFC 5246 7.4.8) signs the raw messages
     * with a hash it picks: keep them only when we ask for one (never in
     * an abbreviated handshake). */
    if (!lt_server_wants_client_cert(hs)) {
        lt_transcript_drop_raw(&hs->h12->transcript);
    }
    if (resumed) {
        LT_GUARD(lt_hs12_server_send_resumed_flight(hs, &ch));
        return LT_ST_SERVER_WAIT_CCS;
    }
    LT_GUARD(lt_hs12_server_plan_session(hs));
    LT_GUARD(send_server_flight(hs, &ch));
    return (hs->shape & LT_SHAPE_CLIENT_AUTH) ? LT_ST_SERVER_WAIT_CLIENT_CERTIFICATE
                                              : LT_ST_SERVER_WAIT_CLIENT_KEY_EXCHANGE;
}

static int on_rsa_client_key_exchange(lt_hs *hs, const uint8_t *body, size_t len)
{
    lt_rd enc;
    int rc = lt_parse_client_key_exchange_rsa(body, len, &enc);
    if (rc != LT_OK) {
        return lt_hs_fail(hs, rc, "malformed ClientKeyExchange (%zu bytes)", len);
    }
    const uint8_t *ct;
    size_t ct_len = lt_rd_left(&enc);
    LT_GUARD(lt_rd_bytes(&enc, ct_len, &ct));
    lt_field m = lt_fld_bytes("encrypted_pre_master_secret", ct, ct_len);
    LT_HS_TRACE(hs, LT_EV_MSG_RECV, "ClientKeyExchange", "RFC 5246 7.4.7.1", NULL, &m, 1);

    /* RFC 5246 7.4.7.1: on any decryption or version failure go on with a
     * random pre-master secret, so that nothing an attacker can observe
     * depends on the padding (Bleichenbacher). The crypto layer does this in
     * constant time; only a libcrypto malfunction fails here. */
    uint8_t pms[48];
    rc = lt_rsa_decrypt_pms(hs->h12->id->key, ct, ct_len, hs->h12->client_version, pms);
    if (rc != LT_OK) {
        lt_wipe(pms, sizeof pms);
        return lt_hs_fail(hs, rc, "RSA decryption failed inside libcrypto");
    }
    lt_field p = lt_hs_secret(hs, "pre_master_secret", pms, 48);
    LT_HS_TRACE(hs, LT_EV_KEY_DERIVE, "pre_master_secret", "RFC 5246 7.4.7.1",
                "decrypted with the server's private key (a bad ciphertext would silently yield a random secret)", &p,
                1);
    return lt_hs_derive_keys(hs, pms, sizeof pms); /* wipes pms */
}

/* RFC 8422 5.7: the client's ephemeral public key; the shared secret of
 * the two ephemeral keys is the pre-master secret (RFC 8422 5.10). */
static int on_ecdhe_client_key_exchange(lt_hs *hs, const uint8_t *body, size_t len)
{
    lt_rd point;
    int rc = lt_parse_client_key_exchange_ecdhe(body, len, &point);
    if (rc != LT_OK) {
        return lt_hs_fail(hs, rc, "malformed ECDHE ClientKeyExchange (%zu bytes)", len);
    }
    size_t n = lt_rd_left(&point);
    const uint8_t *pub;
    LT_GUARD(lt_rd_bytes(&point, n, &pub));
    lt_explain_recv_client_kx(hs, pub, n);
    uint8_t pms[LT_MAX_KX_SECRET];
    size_t pms_len = 0;
    rc = lt_kx_derive(hs->h12->kx_key, pub, n, pms, sizeof pms, &pms_len);
    if (rc != LT_OK) {
        return lt_hs_fail(hs, rc,
                          "the client's %s public key (%zu bytes) is not a valid point (RFC 8422 5.11, RFC 7748 6.1)",
                          lt_group_name(hs->h12->group), n);
    }
    lt_explain_shared_secret(hs, pms, pms_len);
    return lt_hs_derive_keys(hs, pms, pms_len); /* wipes pms */
}

int lt_server_on_client_key_exchange(lt_hs *hs, const uint8_t *body, size_t len)
{
    if (hs->session.suite->kx == LT_KX_ECDHE) {
        LT_GUARD(on_ecdhe_client_key_exchange(hs, body, len));
    } else {
        LT_GUARD(on_rsa_client_key_exchange(hs, body, len));
    }
    /* RFC 5246 7.4.8: a client that sent a certificate proves it next. */
    return hs->h12->peer_cert_sent ? LT_ST_SERVER_WAIT_CERTIFICATE_VERIFY : LT_ST_SERVER_WAIT_CCS;
}

int lt_server_on_ccs(lt_hs *hs, const uint8_t *body, size_t len)
{
    LT_GUARD(lt_hs_recv_ccs(hs));
    return LT_ST_SERVER_WAIT_FINISHED;
}

int lt_server_on_finished(lt_hs *hs, const uint8_t *body, size_t len)
{
    LT_GUARD(lt_hs_check_finished(hs, body, len));
    /* RFC 5077 3.3: the NewSessionTicket comes before our CCS. */
    LT_GUARD(lt_hs12_server_on_session_done(hs));
    LT_GUARD(lt_hs_send_ccs(hs));
    LT_GUARD(lt_hs_send_finished(hs));
    return LT_ST_CONNECTED;
}

int lt_server_on_renegotiation(lt_hs *hs, const uint8_t *body, size_t len)
{
    LT_HS_TRACE(hs, LT_EV_MSG_RECV, "ClientHello", "RFC 5246 7.4.1.2", "the client asks to renegotiate: refused", NULL,
                0);
    /* RFC 5746 4.4 / RFC 5246 7.2.2: refuse with a warning, keep the
     * connection; the body is never parsed. */
    LT_GUARD(lt_hs_refuse_renegotiation(hs, "ClientHello"));
    return LT_ST_CONNECTED;
}
