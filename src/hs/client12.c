/* The TLS 1.2 client: Bob. RFC 5246 7.3, RSA key transport. */
#include <stdio.h>
#include <string.h>

#include "hs/hs_int.h"

/* What we accept for signatures in the server's chain; sent so that a
 * server can pick a certificate (RFC 5246 7.4.1.4.1). */
static const uint16_t CLIENT_SIGALGS[] = {
    0x0804, /* rsa_pss_rsae_sha256 */
    0x0805, /* rsa_pss_rsae_sha384 */
    0x0806, /* rsa_pss_rsae_sha512 */
    0x0401, /* rsa_pkcs1_sha256 */
    0x0501, /* rsa_pkcs1_sha384 */
    0x0601, /* rsa_pkcs1_sha512 */
    0x0403, /* ecdsa_secp256r1_sha256 */
    0x0503, /* ecdsa_secp384r1_sha384 */
};

int lt_client_send_hello(lt_hs *hs)
{
    const lt_hs_policy *cfg = hs->env.policy;
    /* RFC 5246 7.4.1.2: 32 bytes from a secure RNG (the gmt_unix_time
     * prefix is not required to be correct; all-random leaks no clock). */
    LT_GUARD(lt_random(hs->h12->client_random, sizeof hs->h12->client_random));
    hs->h12->client_version = LT_TLS1_2;
    hs->h12->offered_ems = cfg->ems;
    hs->h12->offered_sni = hs->hostname[0] != '\0' && !hs->hostname_is_ip;
    memcpy(hs->session.sni, hs->hostname, sizeof hs->session.sni);

    lt_client_hello_params p = {
        .client_version = LT_TLS1_2,
        .random = hs->h12->client_random,
        .suites = cfg->suites,
        .n_suites = cfg->n_suites,
        .sni = hs->h12->offered_sni ? hs->hostname : NULL,
        .ems = hs->h12->offered_ems,
        .reneg_info = 1, /* RFC 5746 3.4: the empty extension or the SCSV */
        .sigalgs = CLIENT_SIGALGS,
        .n_sigalgs = sizeof CLIENT_SIGALGS / sizeof CLIENT_SIGALGS[0],
    };
    lt_wr w;
    LT_GUARD(lt_hs_scratch(hs, 1024, &w));
    lt_write_client_hello(&w, &p);
    LT_GUARD(lt_wr_finish(&w));
    if (!lt_hs_tracing(hs)) {
        return lt_hs_send(hs, w.base, w.off, NULL, 0);
    }

    char version[32], suites[512], exts[128];
    lt_hs_version_text(LT_TLS1_2, version, sizeof version);
    uint8_t raw_suites[2 * LT_MAX_CONFIG_SUITES];
    for (size_t i = 0; i < cfg->n_suites; i++) {
        lt_put_u16(raw_suites + 2 * i, cfg->suites[i]);
    }
    lt_hs_suite_list_text(lt_rd_init(raw_suites, 2 * cfg->n_suites), suites, sizeof suites);
    lt_hs_ext_list_text((hs->h12->offered_sni ? LT_SEEN_SNI : 0) | (hs->h12->offered_ems ? LT_SEEN_EMS : 0) |
                            LT_SEEN_RENEG | LT_SEEN_SIGALGS,
                        exts, sizeof exts);
    lt_field f[6] = {lt_fld_text("client_version", version),
                     lt_fld_bytes("random", hs->h12->client_random, 32),
                     lt_fld_bytes("session_id", NULL, 0),
                     lt_fld_text("cipher_suites", suites),
                     lt_fld_text("extensions", exts),
                     lt_fld_text("server_name", hs->h12->offered_sni ? hs->hostname : "(none)")};
    return lt_hs_send(hs, w.base, w.off, f, 6);
}

static int suite_was_offered(const lt_hs *hs, uint16_t id)
{
    for (size_t i = 0; i < hs->env.policy->n_suites; i++) {
        if (hs->env.policy->suites[i] == id) {
            return 1;
        }
    }
    return 0;
}

static void trace_server_hello(lt_hs *hs, const lt_server_hello *sh)
{
    if (!lt_hs_tracing(hs)) {
        return;
    }
    char version[32], exts[128];
    lt_hs_version_text(sh->server_version, version, sizeof version);
    lt_hs_ext_list_text(sh->ext_seen | (sh->sni_ack ? LT_SEEN_SNI : 0), exts, sizeof exts);
    const char *suite = lt_suite_name(sh->cipher_suite);
    lt_field f[5] = {lt_fld_text("server_version", version), lt_fld_bytes("random", sh->random, 32),
                     lt_fld_bytes("session_id", sh->session_id, sh->session_id_len),
                     lt_fld_text("cipher_suite", suite != NULL ? suite : "(unknown)"), lt_fld_text("extensions", exts)};
    LT_HS_TRACE(hs, LT_EV_MSG_RECV, "ServerHello", "RFC 5246 7.4.1.3", NULL, f, 5);
}

/* Checks that the server's answer is one we can accept; fills the detail. */
static int check_server_hello(lt_hs *hs, const lt_server_hello *sh)
{
    /* RFC 5246 E.1: we offered 1.2 only, so anything else is refused. */
    if (sh->server_version != LT_TLS1_2) {
        return lt_hs_fail(hs, LT_ERR_PROTOCOL_VERSION, "server chose version 0x%04x; we speak TLS 1.2 (0x0303)",
                          sh->server_version);
    }
    /* RFC 5246 7.4.1.3: "a cipher suite selected by the server from the list
     * in ClientHello.cipher_suites". */
    if (!suite_was_offered(hs, sh->cipher_suite)) {
        return lt_hs_fail(hs, LT_ERR_ILLEGAL_PARAMETER, "server chose cipher suite 0x%04x, which we did not offer",
                          sh->cipher_suite);
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
                          (hs->h12->offered_sni ? LT_SEEN_SNI : 0) | hs->h12->offered_answerable;
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
    return LT_OK;
}

int lt_client_on_server_hello(lt_hs *hs, const uint8_t *body, size_t len)
{
    lt_server_hello sh;
    int rc = lt_parse_server_hello(body, len, &sh);
    if (rc != LT_OK) {
        return lt_hs_fail(hs, rc, "malformed ServerHello (%zu bytes)", len);
    }
    trace_server_hello(hs, &sh);
    LT_GUARD(check_server_hello(hs, &sh));

    hs->session.version = LT_TLS1_2;
    lt_hs_set_record_version(hs, LT_TLS1_2);
    hs->session.suite = lt_suite_find(sh.cipher_suite);
    hs->session.ems = hs->h12->offered_ems && (sh.ext_seen & LT_SEEN_EMS);
    hs->session.secure_reneg = (sh.ext_seen & LT_SEEN_RENEG) != 0;
    memcpy(hs->h12->server_random, sh.random, 32);
    LT_GUARD(lt_transcript_set_hash(&hs->h12->transcript, hs->session.suite->prf_hash));
    /* No client certificate is signed in this handshake (RFC 5246 7.4.8 would
     * need the raw messages): the running hash is all we need. */
    lt_transcript_drop_raw(&hs->h12->transcript);

    lt_hs_trace_suite_choice(hs, NULL);
    lt_field e = lt_fld_text("used", hs->session.ems ? "yes" : "no");
    LT_HS_TRACE(hs, LT_EV_CHOICE, "extended_master_secret", "RFC 7627 5.2",
                hs->session.ems ? "both sides offered it: the master secret will cover the whole handshake"
                                : "not used: the master secret will cover only the nonces",
                &e, 1);
    lt_field r = lt_fld_text("used", hs->session.secure_reneg ? "yes" : "no");
    LT_HS_TRACE(hs, LT_EV_CHOICE, "secure_renegotiation", "RFC 5746 3.4", NULL, &r, 1);
    return LT_ST_CLIENT_WAIT_CERTIFICATE;
}

static void trace_cert_checks(lt_hs *hs, const lt_cert_report *rep, int host_wanted)
{
    if (!lt_hs_tracing(hs)) {
        return;
    }
    char len_s[16];
    snprintf(len_s, sizeof len_s, "%d", rep->chain_len);
    lt_field chain[5] = {lt_fld_text("result", rep->chain_ok ? "ok" : "failed"), lt_fld_text("subject", rep->subject),
                         lt_fld_text("issuer", rep->issuer), lt_fld_text("anchor", rep->anchor),
                         lt_fld_text("length", len_s)};
    LT_HS_TRACE(hs, LT_EV_CERT_CHECK, "chain", "RFC 5246 7.4.2", rep->chain_ok ? NULL : rep->detail, chain, 5);
    lt_field validity[3] = {lt_fld_text("result", rep->time_ok ? "ok" : "failed"),
                            lt_fld_text("not_before", rep->not_before), lt_fld_text("not_after", rep->not_after)};
    LT_HS_TRACE(hs, LT_EV_CERT_CHECK, "validity", "RFC 5280 4.1.2.5", rep->time_ok ? NULL : rep->detail, validity, 3);
    lt_field host[3] = {lt_fld_text("result", !host_wanted   ? "skipped (disabled)"
                                              : rep->host_ok ? "ok"
                                                             : "failed"),
                        lt_fld_text("wanted", host_wanted ? hs->hostname : "(not checked)"),
                        lt_fld_text("names", rep->names)};
    LT_HS_TRACE(hs, LT_EV_CERT_CHECK, "hostname", "RFC 6125 6", rep->host_ok || !host_wanted ? NULL : rep->detail, host,
                3);
    char level[16];
    snprintf(level, sizeof level, "%d", rep->security_level);
    lt_field sec[3] = {lt_fld_text("result", rep->strength_ok ? "ok" : "failed"), lt_fld_text("level", level),
                       lt_fld_text("key", rep->key)};
    LT_HS_TRACE(hs, LT_EV_CERT_CHECK, "security_level", "NIST SP 800-57 Part 1 5.6.1",
                rep->strength_ok ? NULL : rep->detail, sec, 3);
}

/* The codec's limit on the peer's list is the chain our verification takes. */
_Static_assert(LT_MAX_PEER_CHAIN == LT_MAX_CHAIN, "LT_MAX_PEER_CHAIN and LT_MAX_CHAIN differ");

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
    if (lt_hs_tracing(hs)) {
        char count[16], subject[256] = "", issuer[256] = "";
        snprintf(count, sizeof count, "%zu", cm.n);
        if (cm.n > 0) {
            (void)lt_cert_names(cm.der[0], cm.len[0], subject, sizeof subject, issuer, sizeof issuer);
        }
        lt_field f[3] = {lt_fld_text("count", count), lt_fld_text("leaf_subject", subject),
                         lt_fld_text("leaf_issuer", issuer)};
        LT_HS_TRACE(hs, LT_EV_MSG_RECV, "Certificate", "RFC 5246 7.4.2", NULL, f, 3);
    }
    /* RFC 5246 7.4.2: the server's certificate_list carries its chain; an
     * empty one leaves nothing to authenticate. */
    if (cm.n == 0) {
        return lt_hs_fail(hs, LT_ERR_DECODE, "server sent an empty certificate list");
    }
    const lt_trust *trust = hs->env.trust;
    if (trust == NULL) {
        return lt_hs_fail(hs, LT_ERR_INTERNAL, "no trust anchors: the system store could not be loaded");
    }
    int host_wanted = hs->env.policy->hostname_check && hs->hostname[0] != '\0';
    lt_cert_report rep;
    memset(&rep, 0, sizeof rep);
    lt_pkey *leaf = NULL;
    rc = lt_verify_chain(trust, cm.der, cm.len, cm.n, host_wanted ? hs->hostname : NULL, hs->env.policy->security_level,
                         &rep, &leaf);
    trace_cert_checks(hs, &rep, host_wanted);
    if (rc != LT_OK) {
        lt_pkey_free(leaf);
        /* A weak key is insufficient_security, not a verification failure:
         * the detail says what the key is and what the level needs. */
        return lt_hs_fail(hs, rc, "%s%s",
                          rc == LT_ERR_INSUFFICIENT_SECURITY ? "" : "certificate verify failed: ", rep.detail);
    }
    /* RSA key transport encrypts to the certificate's key (RFC 5246 7.4.2). */
    if (!lt_pkey_is_rsa(leaf)) {
        lt_pkey_free(leaf);
        return lt_hs_fail(hs, LT_ERR_UNSUPPORTED_CERTIFICATE,
                          "RSA key exchange needs an RSA certificate; the server's key is not RSA");
    }
    /* RFC 5246 7.4.2: for RSA key transport the certificate "MUST allow the
     * key to be used for encryption (the keyEncipherment bit MUST be set if
     * the key usage extension is present)". The alert is
     * unsupported_certificate: the certificate is sound but of a kind we
     * cannot use for this key exchange, as for a non-RSA key above and a
     * wrong extendedKeyUsage (RFC 5246 7.2.2; RFC 8446 4.4.2.2 makes it the
     * default alert when no acceptable chain can be built). A signing key
     * exchange will check LT_KEY_USE_SIGNATURE (digitalSignature) here. */
    int ku_ok = lt_cert_allows(&rep, LT_KEY_USE_ENCIPHERMENT);
    lt_field ku[3] = {lt_fld_text("result", ku_ok ? "ok" : "failed"),
                      lt_fld_text("wanted", lt_key_use_name(LT_KEY_USE_ENCIPHERMENT)),
                      lt_fld_text("key_usage", rep.has_key_usage ? rep.key_usage_names : "(no extension: any)")};
    LT_HS_TRACE(hs, LT_EV_CERT_CHECK, "key_usage", "RFC 5246 7.4.2", NULL, ku, 3);
    if (!ku_ok) {
        lt_pkey_free(leaf);
        return lt_hs_fail(hs, LT_ERR_UNSUPPORTED_CERTIFICATE,
                          "RSA key exchange needs a certificate that allows %s (RFC 5246 7.4.2); the server's "
                          "allows only %s",
                          lt_key_use_name(LT_KEY_USE_ENCIPHERMENT), rep.key_usage_names);
    }
    hs->h12->peer_key = leaf;
    hs->proof |= LT_PROOF_PEER_CERT_OK;
    return LT_ST_CLIENT_WAIT_SERVER_HELLO_DONE;
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
    LT_HS_TRACE(hs, LT_EV_MSG_RECV, "CertificateRequest", "RFC 5246 7.4.4",
                "the server asks for a client certificate; we have none to give", f, 2);
    hs->shape |= LT_SHAPE_CLIENT_AUTH;
    return LT_ST_CLIENT_WAIT_SERVER_HELLO_DONE;
}

/* RFC 5246 7.4.6: "If no suitable certificate is available, the client MUST
 * send a certificate message containing no certificates." The server then
 * decides whether to go on without one. */
static int send_empty_certificate(lt_hs *hs)
{
    lt_wr w;
    LT_GUARD(lt_hs_scratch(hs, 16, &w));
    lt_write_certificate(&w, NULL, NULL, 0);
    LT_GUARD(lt_wr_finish(&w));
    lt_field f = lt_fld_text("count", "0");
    return lt_hs_send(hs, w.base, w.off, &f, 1);
}

static int send_client_key_exchange(lt_hs *hs, uint8_t pms[48])
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

int lt_client_on_server_hello_done(lt_hs *hs, const uint8_t *body, size_t len)
{
    if (lt_parse_empty(body, len) != LT_OK) {
        return lt_hs_fail(hs, LT_ERR_DECODE, "ServerHelloDone must be empty, got %zu bytes", len);
    }
    LT_HS_TRACE(hs, LT_EV_MSG_RECV, "ServerHelloDone", "RFC 5246 7.4.5", NULL, NULL, 0);
    if ((hs->shape & LT_SHAPE_CLIENT_AUTH)) {
        LT_GUARD(send_empty_certificate(hs));
    }
    uint8_t pms[48];
    int rc = send_client_key_exchange(hs, pms);
    if (rc == LT_OK) {
        rc = lt_hs_derive_keys(hs, pms, sizeof pms); /* wipes pms */
    }
    lt_wipe(pms, sizeof pms);
    LT_GUARD(rc);
    LT_GUARD(lt_hs_send_ccs(hs));
    LT_GUARD(lt_hs_send_finished(hs));
    return LT_ST_CLIENT_WAIT_CCS;
}

int lt_client_on_ccs(lt_hs *hs, const uint8_t *body, size_t len)
{
    LT_GUARD(lt_hs_recv_ccs(hs));
    return LT_ST_CLIENT_WAIT_FINISHED;
}

int lt_client_on_finished(lt_hs *hs, const uint8_t *body, size_t len)
{
    LT_GUARD(lt_hs_check_finished(hs, body, len));
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
