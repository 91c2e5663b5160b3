/*
 * The TLS 1.2 client: Bob. RFC 5246 7.3: RSA key transport, and ECDHE
 * (RFC 8422) with the server's ephemeral key signed by its certificate.
 */
#include <stdio.h>
#include <string.h>

#include "hs/hs_int.h"

/* What we accept for signatures in the server's chain; sent so that a
 * server can pick a certificate (RFC 5246 7.4.1.4.1). */
const uint16_t LT_CLIENT_SIGALGS[] = {
    LT_SIG_ECDSA_SECP256R1_SHA256, LT_SIG_ECDSA_SECP384R1_SHA384, LT_SIG_RSA_PSS_RSAE_SHA256,
    LT_SIG_RSA_PSS_RSAE_SHA384,    LT_SIG_RSA_PSS_RSAE_SHA512,    LT_SIG_RSA_PKCS1_SHA256,
    LT_SIG_RSA_PKCS1_SHA384,       LT_SIG_RSA_PKCS1_SHA512,
};
#define N_CLIENT_SIGALGS (sizeof LT_CLIENT_SIGALGS / sizeof LT_CLIENT_SIGALGS[0])
const size_t LT_N_CLIENT_SIGALGS = N_CLIENT_SIGALGS;
#define CLIENT_SIGALGS LT_CLIENT_SIGALGS

int lt_client_offered_group(const lt_hs *hs, uint16_t group)
{
    for (size_t i = 0; i < hs->env.policy->n_groups; i++) {
        if (hs->env.policy->groups[i] == group) {
            return 1;
        }
    }
    return 0;
}

/* Do we offer any suite with this key exchange? */
static int offers_kx(const lt_hs_policy *p, lt_kx kx)
{
    for (size_t i = 0; i < p->n_suites; i++) {
        const lt_suite *s = lt_suite_find(p->suites[i]);
        if (s != NULL && s->kx == kx) {
            return 1;
        }
    }
    return 0;
}

static int offers_cbc(const lt_hs_policy *p)
{
    for (size_t i = 0; i < p->n_suites; i++) {
        const lt_suite *s = lt_suite_find(p->suites[i]);
        if (s != NULL && s->mac != LT_MAC_NONE) {
            return 1;
        }
    }
    return 0;
}

int lt_hs_policy_has_suite(const lt_hs_policy *p, uint16_t id)
{
    for (size_t i = 0; i < p->n_suites; i++) {
        if (p->suites[i] == id) {
            return 1;
        }
    }
    return 0;
}

static int policy_has_suite_of(const lt_hs_policy *p, uint16_t version)
{
    for (size_t i = 0; i < p->n_suites; i++) {
        const lt_suite *s = lt_suite_find(p->suites[i]);
        if (s != NULL && s->version == version) {
            return 1;
        }
    }
    return 0;
}

void lt_hs_policy_derive(lt_hs_policy *p)
{
    p->speaks12 = p->min_version <= LT_TLS1_2 && p->max_version >= LT_TLS1_2 && policy_has_suite_of(p, LT_TLS1_2);
    p->speaks13 = p->min_version <= LT_TLS1_3 && p->max_version >= LT_TLS1_3 && policy_has_suite_of(p, LT_TLS1_3);
}

/* In the policy's version range, and with a suite of that version
 * configured (worked out when the config changed). */
int lt_hs_allows(const lt_hs *hs, uint16_t version)
{
    const lt_hs_policy *p = hs->env.policy;
    return version == LT_TLS1_3 ? p->speaks13 : version == LT_TLS1_2 ? p->speaks12 : 0;
}

/* The suites of the versions we offer, in our order (RFC 8446 4.1.2: a
 * TLS 1.3 suite in a ClientHello means nothing to a TLS 1.2 server, which
 * ignores it; we leave out what we would refuse anyway). */
size_t lt_client_suites_to_offer(const lt_hs *hs, uint16_t out[LT_MAX_CONFIG_SUITES])
{
    const lt_hs_policy *cfg = hs->env.policy;
    size_t n = 0;
    for (size_t i = 0; i < cfg->n_suites; i++) {
        const lt_suite *s = lt_suite_find(cfg->suites[i]);
        if (s != NULL && lt_hs_allows(hs, s->version)) {
            out[n++] = s->id;
        }
    }
    return n;
}

/* RFC 8446 4.1.2, 4.2.1, 4.2.8, D.4: what a ClientHello adds for TLS 1.3:
 * supported_versions, one key share (our first group), and a random
 * legacy_session_id (middlebox compatibility). */
static int prepare_tls13_offer(lt_hs *hs, lt_client_hello_params *p, uint16_t versions[2], uint8_t *pub,
                               size_t *pub_len)
{
    lt_hs13 *h = hs->h13;
    const lt_hs_policy *cfg = hs->env.policy;
    size_t nv = 0;
    versions[nv++] = LT_TLS1_3;
    if (lt_hs_allows(hs, LT_TLS1_2)) {
        versions[nv++] = LT_TLS1_2;
    }
    p->versions = versions;
    p->n_versions = nv;
    LT_ENSURE(cfg->n_groups > 0, LT_ERR_CONFIG);
    h->share_group = cfg->groups[0];
    LT_GUARD(lt_kx_keygen(h->share_group, &hs->h12->kx_key));
    LT_GUARD(lt_kx_public(hs->h12->kx_key, pub, LT_MAX_KX_PUBLIC, pub_len));
    h->session_id_len = LT_MAX_SESSION_ID;
    LT_GUARD(lt_random(h->session_id, h->session_id_len));
    p->session_id = h->session_id;
    p->session_id_len = h->session_id_len;
    p->key_share_ext = 1;
    p->n_key_shares = 1;
    return LT_OK;
}

int lt_client_send_hello(lt_hs *hs)
{
    const lt_hs_policy *cfg = hs->env.policy;
    /* RFC 5246 7.4.1.2: 32 bytes from a secure RNG (the gmt_unix_time
     * prefix is not required to be correct; all-random leaks no clock). */
    LT_GUARD(lt_random(hs->h12->client_random, sizeof hs->h12->client_random));
    memcpy(hs->session.client_random, hs->h12->client_random, 32);
    hs->h12->client_version = LT_TLS1_2;
    hs->h12->offered_ems = cfg->ems;
    hs->h12->offered_sni = hs->hostname[0] != '\0' && !hs->hostname_is_ip;
    memcpy(hs->session.sni, hs->hostname, sizeof hs->session.sni);
    /* RFC 8422 4: offer curves (and the uncompressed point format, 5.1.2)
     * when we offer ECC suites; RFC 7366 3: encrypt_then_mac when we offer
     * CBC suites. */
    int tls13 = lt_hs_allows(hs, LT_TLS1_3);
    int tls12 = lt_hs_allows(hs, LT_TLS1_2);
    int ecc = tls13 || offers_kx(cfg, LT_KX_ECDHE);
    int etm = tls12 && cfg->etm && offers_cbc(cfg);
    hs->h12->offered_answerable =
        (ecc && tls12 ? LT_SEEN_POINT_FORMATS : 0) | (etm ? LT_SEEN_ETM : 0) | (cfg->alpn_len > 0 ? LT_SEEN_ALPN : 0);
    if (!tls12) {
        hs->h12->offered_ems = 0;
    }
    uint16_t suites[LT_MAX_CONFIG_SUITES];
    size_t n_suites = lt_client_suites_to_offer(hs, suites);
    LT_ENSURE(n_suites > 0, LT_ERR_CONFIG);

    size_t n_sigalgs = 0;
    const uint16_t *sigalgs = lt_hs_accepted_sigalgs(cfg, &n_sigalgs);
    lt_client_hello_params p = {
        .client_version = LT_TLS1_2,
        .random = hs->h12->client_random,
        .suites = suites,
        .n_suites = n_suites,
        .sni = hs->h12->offered_sni ? hs->hostname : NULL,
        .ems = hs->h12->offered_ems,
        .reneg_info = tls12, /* RFC 5746 3.4: the empty extension or the SCSV */
        .sigalgs = sigalgs,
        .n_sigalgs = n_sigalgs,
        .groups = ecc ? cfg->groups : NULL,
        .n_groups = ecc ? cfg->n_groups : 0,
        .ec_point_formats = ecc && tls12,
        .etm = etm,
        .alpn = cfg->alpn,
        .alpn_len = cfg->alpn_len,
    };
    uint16_t versions[2];
    uint8_t pub[LT_MAX_KX_PUBLIC];
    size_t pub_len = 0;
    const uint8_t *share_keys[1] = {pub};
    if (tls13) {
        LT_GUARD(prepare_tls13_offer(hs, &p, versions, pub, &pub_len));
        p.key_share_groups = &hs->h13->share_group;
        p.key_share_keys = share_keys;
        p.key_share_lens = &pub_len;
    }
    if (tls12) {
        LT_GUARD(lt_hs12_client_offer(hs, &p));
    }
    lt_psk_offer offer = {0};
    if (tls13) {
        LT_GUARD(lt_hs13_offer_psk(hs, &p, &offer));
    }
    lt_wr w;
    LT_GUARD(lt_hs_scratch(hs, 1024 + cfg->alpn_len + offer.identity_len + p.session_ticket_len, &w));
    lt_write_client_hello(&w, &p);
    LT_GUARD(lt_wr_finish(&w));
    LT_GUARD(lt_hs13_patch_binder(hs, w.base, w.off, &offer));
    uint32_t exts = (tls12 ? LT_SEEN_RENEG : 0) | LT_SEEN_SIGALGS | (ecc ? LT_SEEN_GROUPS : 0) |
                    hs->h12->offered_answerable | (tls13 ? LT_SEEN_VERSIONS | LT_SEEN_KEY_SHARE : 0) |
                    (hs->h13->psk_offered ? LT_SEEN_PSK_MODES | LT_SEEN_PSK : 0) |
                    (hs->h12->ticket_ext ? LT_SEEN_TICKET : 0) | (p.ems ? LT_SEEN_EMS : 0);
    return lt_explain_send_client_hello(hs, w.base, w.off, exts, sigalgs, n_sigalgs);
}

/* Checks that the server's answer is one we can accept; fills the detail. */
static int check_server_hello(lt_hs *hs, const lt_server_hello *sh)
{
    /* RFC 5246 E.1: below TLS 1.3 we speak 1.2 only, so anything else
     * is refused; so is 1.2 when we were told to speak 1.3 only. */
    if (sh->server_version != LT_TLS1_2 || !lt_hs_allows(hs, LT_TLS1_2)) {
        return lt_hs_fail(hs, LT_ERR_PROTOCOL_VERSION, "server chose version 0x%04x; we speak TLS 1.2 (0x0303)",
                          sh->server_version);
    }
    /* RFC 5246 7.4.1.3: "a cipher suite selected by the server from the list
     * in ClientHello.cipher_suites". */
    if (!lt_hs_policy_has_suite(hs->env.policy, sh->cipher_suite)) {
        return lt_hs_fail(hs, LT_ERR_ILLEGAL_PARAMETER, "server chose cipher suite 0x%04x, which we did not offer",
                          sh->cipher_suite);
    }
    /* RFC 8446 4.1.3 / B.4: a TLS 1.3 suite cannot be used with TLS 1.2. */
    if (lt_suite_find(sh->cipher_suite)->version != LT_TLS1_2) {
        return lt_hs_fail(hs, LT_ERR_ILLEGAL_PARAMETER, "server chose the TLS 1.3 suite %s for TLS 1.2",
                          lt_suite_find(sh->cipher_suite)->iana_name);
    }
    if (sh->compression_method != 0) {
        return lt_hs_fail(hs, LT_ERR_ILLEGAL_PARAMETER, "server chose compression method %u; we offered only null",
                          sh->compression_method);
    }
    /* RFC 5246 7.4.1.4: an extension we did not offer -> unsupported_extension. */
    if (sh->has_unknown_ext) {
        return lt_hs_fail(hs, LT_ERR_UNSUPPORTED_EXTENSION, "server sent extension %u, which we did not offer",
                          sh->unknown_ext);
    }
    if ((sh->ext_seen & LT_SEEN_EMS) && !hs->h12->offered_ems) {
        return lt_hs_fail(hs, LT_ERR_UNSUPPORTED_EXTENSION,
                          "server sent extended_master_secret, which we did not offer");
    }
    if (sh->sni_ack && !hs->h12->offered_sni) {
        return lt_hs_fail(hs, LT_ERR_UNSUPPORTED_EXTENSION, "server acknowledged a server_name we did not send");
    }
    /* Only what we asked for may come back (RFC 5246 7.4.1.4): of our
     * extensions, a server answers EMS, renegotiation_info, ec_point_formats
     * and encrypt_then_mac; never signature_algorithms or supported_groups. */
    uint32_t answerable = LT_SEEN_RENEG | (hs->h12->offered_ems ? LT_SEEN_EMS : 0) |
                          (hs->h12->offered_sni ? LT_SEEN_SNI : 0) | (hs->h12->ticket_ext ? LT_SEEN_TICKET : 0) |
                          hs->h12->offered_answerable;
    uint32_t unasked = sh->ext_seen & ~answerable;
    if (unasked != 0) {
        char names[160];
        lt_hs_ext_list_text(unasked, names, sizeof names);
        return lt_hs_fail(hs, LT_ERR_UNSUPPORTED_EXTENSION, "server sent %s, which we did not offer", names);
    }
    /* RFC 5746 3.4: on an initial handshake the renegotiated_connection
     * field MUST be empty, else abort with handshake_failure. */
    if ((sh->ext_seen & LT_SEEN_RENEG) && lt_rd_left(&sh->reneg_info) != 0) {
        return lt_hs_fail(hs, LT_ERR_HANDSHAKE_FAILURE,
                          "server's renegotiation_info is not empty on a first handshake");
    }
    /* RFC 7366 3: a server that selects an AEAD suite "MUST NOT send an
     * encrypt-then-MAC response extension": a bad value. */
    const lt_suite *s = lt_suite_find(sh->cipher_suite);
    if (sh->encrypt_then_mac && s->mac == LT_MAC_NONE) {
        return lt_hs_fail(hs, LT_ERR_ILLEGAL_PARAMETER, "server sent encrypt_then_mac with the AEAD suite %s",
                          s->iana_name);
    }
    /* RFC 8422 5.2: the server's point formats must include uncompressed. */
    if ((sh->ext_seen & LT_SEEN_POINT_FORMATS) && !sh->has_uncompressed_point) {
        return lt_hs_fail(hs, LT_ERR_ILLEGAL_PARAMETER,
                          "server's ec_point_formats does not list uncompressed (RFC 8422 5.2)");
    }
    return LT_OK;
}

/* RFC 8446 4.2.1: "If the "supported_versions" extension in the
 * ServerHello contains a version not offered by the client or contains a
 * version prior to TLS 1.3, the client MUST abort the handshake with an
 * "illegal_parameter" alert." Returns 1 for TLS 1.3, 0 for a TLS 1.2
 * ServerHello, or an error. */
static int server_chose_tls13(lt_hs *hs, const lt_server_hello *sh)
{
    if (!(sh->ext_seen & LT_SEEN_VERSIONS)) {
        /* After a HelloRetryRequest only TLS 1.3 can follow (4.1.4). */
        if (hs->shape & LT_SHAPE_HRR) {
            return lt_hs_fail(hs, LT_ERR_ILLEGAL_PARAMETER,
                              "ServerHello after a HelloRetryRequest without supported_versions (RFC 8446 4.1.4)");
        }
        return 0;
    }
    if (sh->selected_version != LT_TLS1_3 || !lt_hs_allows(hs, LT_TLS1_3)) {
        return lt_hs_fail(hs, LT_ERR_ILLEGAL_PARAMETER,
                          "server selected version 0x%04x in supported_versions, which we did not offer there "
                          "(RFC 8446 4.2.1)",
                          sh->selected_version);
    }
    return 1;
}

/* RFC 8446 4.1.3: a TLS 1.3 client that gets a ServerHello "indicating TLS
 * 1.2 or below MUST check that the last 8 bytes are not equal to either" of
 * the downgrade sentinels (DOWNGRD 01 for 1.2, DOWNGRD 00 for 1.1 and
 * below), and abort with illegal_parameter if they are: an attacker removed
 * our TLS 1.3 offer. */
static int is_downgrade_sentinel(const uint8_t random[LT_RANDOM_LEN])
{
    return memcmp(random + 24, LT_DOWNGRADE_TLS12, 8) == 0 || memcmp(random + 24, LT_DOWNGRADE_TLS11, 8) == 0;
}

static int check_downgrade(lt_hs *hs, const lt_server_hello *sh)
{
    if (lt_hs_allows(hs, LT_TLS1_3) && is_downgrade_sentinel(sh->random)) {
        return lt_hs_fail(
            hs, LT_ERR_ILLEGAL_PARAMETER,
            "the server's random ends in a TLS 1.3 downgrade sentinel (DOWNGRD 01 or 00): it speaks "
            "TLS 1.3 but answered with an older version, so someone removed our TLS 1.3 offer (RFC 8446 4.1.3)");
    }
    return LT_OK;
}

int lt_client_on_server_hello(lt_hs *hs, const uint8_t *body, size_t len)
{
    lt_server_hello sh;
    int rc = lt_parse_server_hello(body, len, &sh);
    if (rc != LT_OK) {
        return lt_hs_fail(hs, rc, "malformed ServerHello (%zu bytes)", len);
    }
    lt_explain_server_hello(hs, &sh);
    int v13 = server_chose_tls13(hs, &sh);
    if (v13 < 0) {
        return v13;
    }
    if (v13) {
        /* The TLS 1.3 handler adds the message to the transcript (after
         * ClientHello1 has become a message_hash, for a HelloRetryRequest). */
        return lt_client13_on_server_hello(hs, &sh, body, len);
    }
    /* The row hands us the body; its 4-byte header is just before it. */
    LT_GUARD(lt_transcript_add(&hs->h12->transcript, body - 4, len + 4, "ServerHello"));
    LT_GUARD(check_downgrade(hs, &sh));
    LT_GUARD(check_server_hello(hs, &sh));

    hs->session.version = LT_TLS1_2;
    lt_hs_set_record_version(hs, LT_TLS1_2);
    hs->session.suite = lt_suite_find(sh.cipher_suite);
    hs->session.ems = hs->h12->offered_ems && (sh.ext_seen & LT_SEEN_EMS);
    hs->session.secure_reneg = (sh.ext_seen & LT_SEEN_RENEG) != 0;
    hs->session.etm = sh.encrypt_then_mac;
    if (sh.ext_seen & LT_SEEN_ALPN) {
        LT_GUARD(lt_hs_client_take_alpn(hs, sh.alpn, "the ServerHello"));
    }
    if (hs->session.suite->kx == LT_KX_ECDHE) {
        hs->shape |= LT_SHAPE_PFS;
    }
    memcpy(hs->h12->server_random, sh.random, 32);
    memcpy(hs->session.server_random, sh.random, 32);
    /* The key share we made for TLS 1.3 is not used (RFC 8422: TLS 1.2
     * makes a fresh key after ServerKeyExchange). */
    lt_kx_free(hs->h12->kx_key);
    hs->h12->kx_key = NULL;
    LT_GUARD(lt_transcript_set_hash(&hs->h12->transcript, hs->session.suite->prf_hash));
    /* A CertificateVerify (RFC 5246 7.4.8) signs the raw messages with a
     * hash the server picks: keep them while we may sign one. */
    if (!lt_client_has_identity(hs)) {
        lt_transcript_drop_raw(&hs->h12->transcript);
    }

    /* RFC 5246 7.3: our session ID echoed means the server resumes it. */
    int resumed = lt_hs12_client_on_server_hello(hs, &sh);
    if (resumed < 0) {
        return resumed;
    }
    lt_explain_client_choices(hs);
    if (resumed) {
        return (hs->shape & LT_SHAPE_TICKET) ? LT_ST_CLIENT_WAIT_NEW_SESSION_TICKET : LT_ST_CLIENT_WAIT_CCS;
    }
    return LT_ST_CLIENT_WAIT_CERTIFICATE;
}

/* The codec's limit on the peer's list is the chain our verification takes. */
_Static_assert(LT_MAX_PEER_CHAIN == LT_MAX_CHAIN, "LT_MAX_PEER_CHAIN and LT_MAX_CHAIN differ");

/*
 * The leaf must be of the kind the suite needs, and allow that use:
 *   - RSA key transport encrypts to an RSA key, which RFC 5246 7.4.2 says
 *     "MUST allow the key to be used for encryption (the keyEncipherment bit
 *     MUST be set if the key usage extension is present)";
 *   - ECDHE_RSA and ECDHE_ECDSA sign with an RSA or EC key (RFC 8422 5.3),
 *     whose certificate must allow digitalSignature.
 * The alert is unsupported_certificate: the certificate is sound but of a
 * kind we cannot use for this key exchange (RFC 5246 7.2.2; RFC 8446 4.4.2.2
 * makes it the default alert when no acceptable chain can be built).
 */
static int check_leaf_fits_suite(lt_hs *hs, const lt_pkey *leaf, const lt_cert_report *rep)
{
    const lt_suite *s = hs->session.suite;
    int want_ec = s->auth == LT_AUTH_ECDSA;
    if (want_ec ? !lt_pkey_is_ec(leaf) : !lt_pkey_is_rsa(leaf)) {
        char key[64];
        lt_pkey_describe(leaf, key, sizeof key);
        return lt_hs_fail(hs, LT_ERR_UNSUPPORTED_CERTIFICATE, "%s needs an %s certificate; the server's key is %s",
                          s->iana_name, want_ec ? "ECDSA" : "RSA", key);
    }
    lt_key_use use = s->kx == LT_KX_RSA ? LT_KEY_USE_ENCIPHERMENT : LT_KEY_USE_SIGNATURE;
    int ku_ok = lt_cert_allows(rep, use);
    lt_field ku[3] = {lt_fld_text("result", ku_ok ? "ok" : "failed"), lt_fld_text("wanted", lt_key_use_name(use)),
                      lt_fld_text("key_usage", rep->has_key_usage ? rep->key_usage_names : "(no extension: any)")};
    LT_HS_TRACE(hs, LT_EV_CERT_CHECK, "key_usage", s->kx == LT_KX_RSA ? "RFC 5246 7.4.2" : "RFC 8422 5.3", NULL, ku, 3);
    if (!ku_ok) {
        return lt_hs_fail(hs, LT_ERR_UNSUPPORTED_CERTIFICATE,
                          "%s needs a certificate that allows %s (%s); the server's allows only %s",
                          s->kx == LT_KX_RSA ? "RSA key exchange" : "a signed key exchange", lt_key_use_name(use),
                          s->kx == LT_KX_RSA ? "RFC 5246 7.4.2" : "RFC 5280 4.2.1.3", rep->key_usage_names);
    }
    return LT_OK;
}

int lt_client_on_certificate(lt_hs *hs, const uint8_t *body, size_t len)
{
    lt_certificate_msg cm;
    int rc = lt_parse_certificate(body, len, &cm);
    if (rc != LT_OK && cm.n_listed > LT_MAX_PEER_CHAIN) {
        return lt_hs_fail(hs, rc,
                          "the server sent %zu certificates; the limit is %d (the leaf, up to %d intermediates, "
                          "the root)",
                          cm.n_listed, LT_MAX_PEER_CHAIN, LT_MAX_VERIFY_DEPTH);
    }
    if (rc != LT_OK) {
        return lt_hs_fail(hs, rc, "malformed Certificate message (%zu bytes)", len);
    }
    lt_explain_certificate(hs, &cm);
    /* RFC 5246 7.4.2: the server's certificate_list carries its chain; an
     * empty one leaves nothing to authenticate. */
    if (cm.n == 0) {
        return lt_hs_fail(hs, LT_ERR_DECODE, "server sent an empty certificate list");
    }
    lt_cert_report rep;
    LT_GUARD(lt_client_verify_server_chain(hs, &cm, &rep));
    LT_GUARD(check_leaf_fits_suite(hs, hs->h12->peer_key, &rep));
    hs->proof |= LT_PROOF_PEER_CERT_OK;
    return (hs->shape & LT_SHAPE_PFS) ? LT_ST_CLIENT_WAIT_SERVER_KEY_EXCHANGE : LT_ST_CLIENT_WAIT_SERVER_HELLO_DONE;
}

int lt_client_verify_server_chain(lt_hs *hs, const lt_certificate_msg *cm, lt_cert_report *rep)
{
    const lt_trust *trust = hs->env.trust;
    if (trust == NULL) {
        return lt_hs_fail(hs, LT_ERR_INTERNAL, "no trust anchors: the system store could not be loaded");
    }
    int host_wanted = hs->env.policy->hostname_check && hs->hostname[0] != '\0';
    memset(rep, 0, sizeof *rep);
    lt_pkey *leaf = NULL;
    int rc = lt_verify_chain(trust, (const uint8_t *const *)cm->der, cm->len, cm->n, host_wanted ? hs->hostname : NULL,
                             hs->env.policy->security_level, rep, &leaf);
    lt_explain_cert_checks(hs, rep, host_wanted);
    /* The verdict, then the application's hook (clientauth.c). */
    LT_GUARD(lt_hs_judge_peer_chain(hs, cm, rc, rep, host_wanted ? hs->hostname : NULL, &leaf));
    lt_pkey_free(hs->h12->peer_key);
    hs->h12->peer_key = leaf;
    return LT_OK;
}

int lt_client_on_certificate_request(lt_hs *hs, const uint8_t *body, size_t len)
{
    lt_certificate_request cr;
    int rc = lt_parse_certificate_request(body, len, &cr);
    if (rc != LT_OK) {
        return lt_hs_fail(hs, rc, "malformed CertificateRequest (%zu bytes)", len);
    }
    char types[16], cas[16];
    snprintf(types, sizeof types, "%zu", lt_rd_left(&cr.types));
    snprintf(cas, sizeof cas, "%zu", cr.n_authorities);
    lt_field f[2] = {lt_fld_text("certificate_types", types), lt_fld_text("authorities", cas)};
    LT_HS_TRACE(hs, LT_EV_MSG_RECV, "CertificateRequest", "RFC 5246 7.4.4", "the server asks for a client certificate",
                f, 2);
    hs->shape |= LT_SHAPE_CLIENT_AUTH;
    lt_client_choose_identity(hs, cr.sigalgs, cr.authorities, &cr.types, 0);
    return LT_ST_CLIENT_WAIT_SERVER_HELLO_DONE;
}

static int send_rsa_client_key_exchange(lt_hs *hs, uint8_t pms[48])
{
    /* RFC 5246 7.4.7.1: client_version is the version offered in the
     * ClientHello (not the negotiated one), then 46 random bytes. */
    lt_put_u16(pms, hs->h12->client_version);
    LT_GUARD(lt_random(pms + 2, 46));
    lt_field p = lt_hs_secret(hs, "pre_master_secret", pms, 48);
    LT_HS_TRACE(hs, LT_EV_KEY_DERIVE, "pre_master_secret", "RFC 5246 7.4.7.1",
                "48 bytes: client_version 03 03, then 46 random bytes", &p, 1);

    uint8_t enc[1024];
    size_t enc_len = 0;
    LT_GUARD(lt_rsa_encrypt_pms(hs->h12->peer_key, pms, enc, sizeof enc, &enc_len));
    char key_s[48];
    snprintf(key_s, sizeof key_s, "RSA-%zu (from the server's certificate)", lt_pkey_bits(hs->h12->peer_key));
    lt_field e[2] = {lt_fld_bytes("ciphertext", enc, enc_len), lt_fld_text("key", key_s)};
    LT_HS_TRACE(hs, LT_EV_KEY_DERIVE, "encrypted_pre_master_secret", "RFC 5246 7.4.7.1",
                "RSAES-PKCS1-v1_5 encryption of the pre-master secret under the server's public key", e, 2);

    lt_wr w;
    LT_GUARD(lt_hs_scratch(hs, enc_len + 16, &w));
    lt_write_client_key_exchange_rsa(&w, enc, enc_len);
    LT_GUARD(lt_wr_finish(&w));
    lt_field m = lt_fld_bytes("encrypted_pre_master_secret", enc, enc_len);
    return lt_hs_send(hs, w.base, w.off, &m, 1);
}

/* RFC 8422 5.7: our ephemeral public key for the server's group; the
 * shared secret, already computed from the server's key, is the pre-master
 * secret. */
static int send_ecdhe_client_key_exchange(lt_hs *hs)
{
    lt_hs12 *h = hs->h12;
    uint8_t pub[LT_MAX_KX_PUBLIC];
    size_t pub_len = 0;
    LT_GUARD(lt_kx_public(h->kx_key, pub, sizeof pub, &pub_len));
    lt_wr w;
    LT_GUARD(lt_hs_scratch(hs, pub_len + 16, &w));
    lt_write_client_key_exchange_ecdhe(&w, pub, pub_len);
    LT_GUARD(lt_wr_finish(&w));
    return lt_explain_send_client_kx(hs, w.base, w.off, pub, pub_len);
}

int lt_client_on_server_hello_done(lt_hs *hs, const uint8_t *body, size_t len)
{
    if (lt_parse_empty(body, len) != LT_OK) {
        return lt_hs_fail(hs, LT_ERR_DECODE, "ServerHelloDone must be empty, got %zu bytes", len);
    }
    LT_HS_TRACE(hs, LT_EV_MSG_RECV, "ServerHelloDone", "RFC 5246 7.4.5", NULL, NULL, 0);
    /* RFC 5246 7.4.6: our certificate, or an empty list (the server then
     * decides whether to go on without one). */
    if (hs->shape & LT_SHAPE_CLIENT_AUTH) {
        LT_GUARD(lt_client12_send_certificate(hs));
    }
    if (hs->shape & LT_SHAPE_PFS) {
        LT_GUARD(send_ecdhe_client_key_exchange(hs));
        LT_GUARD(lt_hs_derive_keys(hs, hs->h12->pms, hs->h12->pms_len)); /* wipes pms */
    } else {
        uint8_t pms[48];
        int rc = send_rsa_client_key_exchange(hs, pms);
        if (rc == LT_OK) {
            rc = lt_hs_derive_keys(hs, pms, sizeof pms); /* wipes pms */
        }
        lt_wipe(pms, sizeof pms);
        LT_GUARD(rc);
    }
    /* RFC 5246 7.4.8: after ClientKeyExchange (which the extended master
     * secret's session_hash ends with, RFC 7627 4). */
    LT_GUARD(lt_client12_send_certificate_verify(hs));
    LT_GUARD(lt_hs_send_ccs(hs));
    LT_GUARD(lt_hs_send_finished(hs));
    /* RFC 5077 3.3: a server that sent SessionTicket sends NewSessionTicket
     * before its CCS. */
    return (hs->shape & LT_SHAPE_TICKET) ? LT_ST_CLIENT_WAIT_NEW_SESSION_TICKET : LT_ST_CLIENT_WAIT_CCS;
}

/* What the server chose must be what we offered and fit its certificate
 * (RFC 5246 7.4.1.4.1, RFC 8422 5.4): otherwise illegal_parameter. */
static int check_server_kx_choice(lt_hs *hs, const lt_server_key_exchange_ecdhe *ske)
{
    if (!lt_client_offered_group(hs, ske->group)) {
        return lt_hs_fail(hs, LT_ERR_ILLEGAL_PARAMETER, "server chose group %u (%s), which we did not offer",
                          ske->group, lt_group_name(ske->group) ? lt_group_name(ske->group) : "unknown");
    }
    if (!lt_hs_accepts_sigalg(hs->env.policy, ske->sig_scheme)) {
        return lt_hs_fail(hs, LT_ERR_ILLEGAL_PARAMETER,
                          "server signed with scheme 0x%04x, which we did not offer in signature_algorithms",
                          ske->sig_scheme);
    }
    if (!lt_sig_scheme_fits_key_tls12(ske->sig_scheme, hs->h12->peer_key)) {
        char key[64];
        lt_pkey_describe(hs->h12->peer_key, key, sizeof key);
        return lt_hs_fail(hs, LT_ERR_ILLEGAL_PARAMETER, "server signed with %s, which does not fit its %s key",
                          lt_sig_scheme_name(ske->sig_scheme), key);
    }
    return LT_OK;
}

/* RFC 8422 5.4: verify the signature over both randoms and the parameters
 * with the certificate's key (decrypt_error when it does not verify), then
 * make our ephemeral key and the shared secret (a bad point is
 * illegal_parameter: RFC 8422 5.11). */
int lt_client_on_server_key_exchange(lt_hs *hs, const uint8_t *body, size_t len)
{
    lt_server_key_exchange_ecdhe ske;
    int rc = lt_parse_server_key_exchange_ecdhe(body, len, &ske);
    if (rc != LT_OK) {
        return lt_hs_fail(hs, rc, "malformed ECDHE ServerKeyExchange (%zu bytes)", len);
    }
    LT_GUARD(check_server_kx_choice(hs, &ske));
    lt_hs12 *h = hs->h12;
    uint8_t tbs[LT_SKE_SIGNED_MAX];
    size_t tbs_len = lt_hs12_ske_signed_data(hs, ske.params, ske.params_len, tbs);
    if (tbs_len == 0) {
        return lt_hs_fail(hs, LT_ERR_ILLEGAL_PARAMETER,
                          "ServerECDHParams of %zu bytes: no group we offered has a "
                          "point that long",
                          ske.params_len);
    }
    lt_rd sig = ske.signature;
    size_t sig_len = lt_rd_left(&sig);
    const uint8_t *sig_p;
    LT_GUARD(lt_rd_bytes(&sig, sig_len, &sig_p));
    rc = lt_verify_tls12(h->peer_key, ske.sig_scheme, tbs, tbs_len, sig_p, sig_len);
    lt_explain_server_key_exchange(hs, &ske, rc == LT_OK);
    if (rc != LT_OK) {
        return lt_hs_fail(hs, rc == LT_ERR_DECRYPT_ERROR ? rc : LT_ERR_ILLEGAL_PARAMETER,
                          "the ServerKeyExchange signature (%s) does not verify with the server certificate's key",
                          lt_sig_scheme_name(ske.sig_scheme));
    }
    hs->proof |= LT_PROOF_KX_SIGNED;
    hs->session.peer_sig_scheme = ske.sig_scheme;
    h->group = ske.group;
    hs->session.group = ske.group;
    lt_rd pt = ske.point;
    size_t pub_len = lt_rd_left(&pt);
    const uint8_t *pub;
    LT_GUARD(lt_rd_bytes(&pt, pub_len, &pub));
    LT_GUARD(lt_kx_keygen(h->group, &h->kx_key));
    rc = lt_kx_derive(h->kx_key, pub, pub_len, h->pms, sizeof h->pms, &h->pms_len);
    if (rc != LT_OK) {
        return lt_hs_fail(hs, rc,
                          "the server's %s public key (%zu bytes) is not a valid point (RFC 8422 5.11, RFC 7748 6.1)",
                          lt_group_name(h->group), pub_len);
    }
    lt_explain_shared_secret(hs, h->pms, h->pms_len);
    return LT_ST_CLIENT_WAIT_SERVER_HELLO_DONE;
}

int lt_client_on_ccs(lt_hs *hs, const uint8_t *body, size_t len)
{
    LT_GUARD(lt_hs_recv_ccs(hs));
    return LT_ST_CLIENT_WAIT_FINISHED;
}

int lt_client_on_finished(lt_hs *hs, const uint8_t *body, size_t len)
{
    LT_GUARD(lt_hs_check_finished(hs, body, len));
    LT_GUARD(lt_hs12_client_keep_session(hs));
    return LT_ST_CONNECTED;
}

int lt_client_on_hello_request(lt_hs *hs, const uint8_t *body, size_t len)
{
    if (lt_parse_empty(body, len) != LT_OK) {
        return lt_hs_fail(hs, LT_ERR_DECODE, "HelloRequest must be empty");
    }
    LT_HS_TRACE(hs, LT_EV_MSG_RECV, "HelloRequest", "RFC 5246 7.4.1.1", "the server asks to renegotiate: refused", NULL,
                0);
    /* We never renegotiate: say so with a warning and keep the connection
     * (RFC 5246 7.2.2 no_renegotiation, RFC 5746 4.2). */
    LT_GUARD(lt_hs_refuse_renegotiation(hs, "HelloRequest"));
    return LT_ST_CONNECTED;
}
