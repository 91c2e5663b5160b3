/* The TLS 1.2 server: Alice. RFC 5246 7.3, RSA key transport. */
#include <stdio.h>
#include <string.h>

#include "base/text.h"
#include "hs/hs_int.h"

static void trace_client_hello(lt_hs *hs, const lt_client_hello *ch)
{
    if (!lt_hs_tracing(hs)) {
        return; /* the texts below cost more than the rest of the hello */
    }
    char version[32], suites[1024], exts[160], sni[4 * LT_MAX_HOSTNAME + 1];
    lt_hs_version_text(ch->client_version, version, sizeof version);
    lt_escape_peer_text(sni, sizeof sni, ch->sni, strlen(ch->sni));
    lt_hs_suite_list_text(ch->suites, suites, sizeof suites);
    lt_hs_ext_list_text(ch->ext_seen, exts, sizeof exts);
    lt_field f[6] = {lt_fld_text("client_version", version),
                     lt_fld_bytes("random", ch->random, 32),
                     lt_fld_bytes("session_id", ch->session_id, ch->session_id_len),
                     lt_fld_text("cipher_suites", suites),
                     lt_fld_text("extensions", exts),
                     lt_fld_text("server_name", (ch->ext_seen & LT_SEEN_SNI) ? sni : "(none)")};
    LT_HS_TRACE(hs, LT_EV_MSG_RECV, "ClientHello", "RFC 5246 7.4.1.2", NULL, f, 6);
}

static int client_offers(const lt_client_hello *ch, uint16_t id)
{
    lt_rd r = ch->suites;
    uint16_t s;
    while (lt_rd_u16(&r, &s) == LT_OK) {
        if (s == id) {
            return 1;
        }
    }
    return 0;
}

/* RFC 5246 7.4.1.3: the server picks; we pick by our own preference order. */
static int choose_suite(lt_hs *hs, const lt_client_hello *ch)
{
    const lt_hs_policy *cfg = hs->env.policy;
    for (size_t i = 0; i < cfg->n_suites; i++) {
        if (client_offers(ch, cfg->suites[i])) {
            hs->session.suite = lt_suite_find(cfg->suites[i]);
            if (!lt_hs_tracing(hs)) {
                return LT_OK;
            }
            char why[200];
            snprintf(why, sizeof why, "first suite in our preference list (%zu long) that the client offered",
                     cfg->n_suites);
            lt_hs_trace_suite_choice(hs, why);
            return LT_OK;
        }
    }
    char offered[512];
    lt_hs_suite_list_text(ch->suites, offered, sizeof offered);
    return lt_hs_fail(hs, LT_ERR_HANDSHAKE_FAILURE, "no cipher suite in common (client offered: %s)", offered);
}

static int check_client_hello(lt_hs *hs, const lt_client_hello *ch)
{
    /* RFC 5246 E.1: a client that offers less than 1.2 gets protocol_version;
     * one that offers more gets 1.2. */
    if (ch->client_version < LT_TLS1_2) {
        return lt_hs_fail(hs, LT_ERR_PROTOCOL_VERSION, "client offers at most version 0x%04x; we require TLS 1.2",
                          ch->client_version);
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
    if (hs->env.policy->key == NULL || hs->env.policy->chain.n == 0) {
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
    hs->session.secure_reneg = (ch->ext_seen & LT_SEEN_RENEG) || ch->has_scsv;
    /* RFC 7627 5.3: use the extended master secret when the client offers it. */
    hs->session.ems = hs->env.policy->ems && (ch->ext_seen & LT_SEEN_EMS);
    if (ch->ext_seen & LT_SEEN_SNI) {
        memcpy(hs->hostname, ch->sni, sizeof hs->hostname);
        memcpy(hs->session.sni, ch->sni, sizeof hs->session.sni);
        lt_field f = lt_fld_text("name", hs->hostname);
        LT_HS_TRACE(hs, LT_EV_CHOICE, "server_name", "RFC 6066 3", "the client asked for this name", &f, 1);
    }
    lt_field e = lt_fld_text("used", hs->session.ems ? "yes" : "no");
    LT_HS_TRACE(hs, LT_EV_CHOICE, "extended_master_secret", "RFC 7627 5.3",
                hs->session.ems ? "the client offered it: the master secret will cover the whole handshake"
                                : "not used: the master secret will cover only the nonces",
                &e, 1);
    lt_field r = lt_fld_text("used", hs->session.secure_reneg ? "yes" : "no");
    LT_HS_TRACE(hs, LT_EV_CHOICE, "secure_renegotiation", "RFC 5746 3.6", NULL, &r, 1);
}

static int send_server_flight(lt_hs *hs, const lt_client_hello *ch)
{
    const lt_chain *chain = &hs->env.policy->chain;
    LT_GUARD(lt_random(hs->h12->server_random, sizeof hs->h12->server_random));

    size_t need = 512;
    for (size_t i = 0; i < chain->n; i++) {
        need += 3 + chain->len[i];
    }
    lt_wr w;
    LT_GUARD(lt_hs_scratch(hs, need, &w));

    lt_server_hello_params p = {
        .server_version = LT_TLS1_2,
        .random = hs->h12->server_random,
        .session_id = NULL,
        .session_id_len = 0, /* no session cache: not resumable */
        .cipher_suite = hs->session.suite->id,
        .ems = hs->session.ems,
        .reneg_info = hs->session.secure_reneg,
        /* RFC 6066 3: an empty server_name says we used the name. */
        .sni_ack = (ch->ext_seen & LT_SEEN_SNI) != 0,
    };
    lt_write_server_hello(&w, &p);
    size_t sh_end = w.off;
    lt_write_certificate(&w, (const uint8_t *const *)chain->der, chain->len, chain->n);
    size_t cert_end = w.off;
    lt_write_empty(&w, LT_HS_SERVER_HELLO_DONE);
    LT_GUARD(lt_wr_finish(&w));
    if (!lt_hs_tracing(hs)) {
        LT_GUARD(lt_hs_send(hs, w.base, sh_end, NULL, 0));
        LT_GUARD(lt_hs_send(hs, w.base + sh_end, cert_end - sh_end, NULL, 0));
        return lt_hs_send(hs, w.base + cert_end, w.off - cert_end, NULL, 0);
    }

    char version[32], exts[96], count[16];
    lt_hs_version_text(LT_TLS1_2, version, sizeof version);
    lt_hs_ext_list_text((hs->session.secure_reneg ? LT_SEEN_RENEG : 0) | (hs->session.ems ? LT_SEEN_EMS : 0) |
                            (p.sni_ack ? LT_SEEN_SNI : 0),
                        exts, sizeof exts);
    lt_field sh[5] = {lt_fld_text("server_version", version), lt_fld_bytes("random", hs->h12->server_random, 32),
                      lt_fld_bytes("session_id", NULL, 0), lt_fld_text("cipher_suite", hs->session.suite->iana_name),
                      lt_fld_text("extensions", exts)};
    LT_GUARD(lt_hs_send(hs, w.base, sh_end, sh, 5));
    snprintf(count, sizeof count, "%zu", chain->n);
    char subject[256] = "", issuer[256] = "";
    if (lt_hs_tracing(hs)) {
        (void)lt_cert_names(chain->der[0], chain->len[0], subject, sizeof subject, issuer, sizeof issuer);
    }
    lt_field cf[3] = {lt_fld_text("count", count), lt_fld_text("leaf_subject", subject),
                      lt_fld_text("leaf_issuer", issuer)};
    LT_GUARD(lt_hs_send(hs, w.base + sh_end, cert_end - sh_end, cf, 3));
    return lt_hs_send(hs, w.base + cert_end, w.off - cert_end, NULL, 0);
}

int lt_server_on_client_hello(lt_hs *hs, const uint8_t *body, size_t len)
{
    lt_client_hello ch;
    int rc = lt_parse_client_hello(body, len, &ch);
    if (rc != LT_OK) {
        return lt_hs_fail(hs, rc, "malformed ClientHello (%zu bytes)", len);
    }
    trace_client_hello(hs, &ch);
    LT_GUARD(check_client_hello(hs, &ch));
    LT_GUARD(choose_suite(hs, &ch));
    apply_client_hello(hs, &ch);
    LT_GUARD(lt_transcript_set_hash(&hs->h12->transcript, hs->session.suite->prf_hash));
    /* No client certificate is signed in this handshake (RFC 5246 7.4.8 would
     * need the raw messages): the running hash is all we need. */
    lt_transcript_drop_raw(&hs->h12->transcript);
    LT_GUARD(send_server_flight(hs, &ch));
    return LT_ST_SERVER_WAIT_CLIENT_KEY_EXCHANGE;
}

int lt_server_on_client_key_exchange(lt_hs *hs, const uint8_t *body, size_t len)
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
    rc = lt_rsa_decrypt_pms(hs->env.policy->key, ct, ct_len, hs->h12->client_version, pms);
    if (rc != LT_OK) {
        lt_wipe(pms, sizeof pms);
        return lt_hs_fail(hs, rc, "RSA decryption failed inside libcrypto");
    }
    lt_field p = lt_hs_secret(hs, "pre_master_secret", pms, 48);
    LT_HS_TRACE(hs, LT_EV_KEY_DERIVE, "pre_master_secret", "RFC 5246 7.4.7.1",
                "decrypted with the server's private key (a bad ciphertext would silently yield a random secret)", &p,
                1);
    LT_GUARD(lt_hs_derive_keys(hs, pms, sizeof pms)); /* wipes pms */
    return LT_ST_SERVER_WAIT_CCS;
}

int lt_server_on_ccs(lt_hs *hs, const uint8_t *body, size_t len)
{
    LT_GUARD(lt_hs_recv_ccs(hs));
    return LT_ST_SERVER_WAIT_FINISHED;
}

int lt_server_on_finished(lt_hs *hs, const uint8_t *body, size_t len)
{
    LT_GUARD(lt_hs_check_finished(hs, body, len));
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
