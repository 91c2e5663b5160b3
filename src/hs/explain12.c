/*
 * Narration of the TLS 1.2 handshake: what each message carried, what was
 * chosen and why, and how the secrets were made. The handlers decide; these
 * functions only describe, as typed trace events (lucidtls.h, "Explain
 * mode") that tools/narrate.c tells in the seed's words. Each is a no-op
 * without a trace callback, and secret fields carry bytes only when the
 * application asked to see secrets.
 */
#include <stdio.h>
#include <string.h>

#include "base/text.h"
#include "hs/hs_int.h"

/* ---- the server's side ---- */

void lt_explain_client_hello(lt_hs *hs, const lt_client_hello *ch)
{
    if (!lt_hs_tracing(hs)) {
        return; /* the texts below cost more than the rest of the hello */
    }
    char version[32], suites[1024], exts[256], sni[4 * LT_MAX_HOSTNAME + 1];
    lt_hs_version_text(ch->client_version, version, sizeof version);
    lt_escape_peer_text(sni, sizeof sni, ch->sni, strlen(ch->sni));
    lt_hs_suite_list_text(ch->suites, suites, sizeof suites);
    lt_hs_ext_list_text(ch->ext_seen, exts, sizeof exts);
    char groups[128];
    lt_hs_group_list_text(ch->supported_groups, groups, sizeof groups);
    lt_field f[7] = {lt_fld_text("client_version", version),
                     lt_fld_bytes("random", ch->random, 32),
                     lt_fld_bytes("session_id", ch->session_id, ch->session_id_len),
                     lt_fld_text("cipher_suites", suites),
                     lt_fld_text("extensions", exts),
                     lt_fld_text("server_name", (ch->ext_seen & LT_SEEN_SNI) ? sni : "(none)"),
                     lt_fld_text("groups", (ch->ext_seen & LT_SEEN_GROUPS) ? groups : "(none)")};
    LT_HS_TRACE(hs, LT_EV_MSG_RECV, "ClientHello", "RFC 5246 7.4.1.2", NULL, f, 7);
}

void lt_explain_server_choices(lt_hs *hs, size_t n_suites)
{
    if (!lt_hs_tracing(hs)) {
        return;
    }
    char why[200];
    snprintf(why, sizeof why, "first suite in our preference list (%zu long) that the client offered", n_suites);
    lt_hs_trace_suite_choice(hs, why);
    if (hs->session.suite->kx != LT_KX_ECDHE) {
        return;
    }
    lt_field g = lt_fld_text("chosen", lt_group_name(hs->h12->group));
    LT_HS_TRACE(hs, LT_EV_CHOICE, "group", "RFC 8422 5.1.1",
                "first group in our preference list that the client supports", &g, 1);
    lt_field s = lt_fld_text("chosen", lt_sig_scheme_name(hs->h12->sig_scheme));
    LT_HS_TRACE(hs, LT_EV_CHOICE, "signature_scheme", "RFC 5246 7.4.1.4.1",
                "first scheme we sign with that the client accepts and that fits our key", &s, 1);
}

void lt_explain_server_extensions(lt_hs *hs, const lt_client_hello *ch)
{
    if (!lt_hs_tracing(hs)) {
        return;
    }
    if (ch->ext_seen & LT_SEEN_SNI) {
        lt_field f = lt_fld_text("name", hs->hostname);
        LT_HS_TRACE(hs, LT_EV_CHOICE, "server_name", "RFC 6066 3", "the client asked for this name", &f, 1);
    }
    lt_field e = lt_fld_text("used", hs->session.ems ? "yes" : "no");
    LT_HS_TRACE(hs, LT_EV_CHOICE, "extended_master_secret", "RFC 7627 5.3",
                hs->session.ems ? "the client offered it: the master secret will cover the whole handshake"
                                : "not used: the master secret will cover only the nonces",
                &e, 1);
    if (hs->session.suite->mac != LT_MAC_NONE) {
        lt_field m = lt_fld_text("used", hs->session.etm ? "yes" : "no");
        LT_HS_TRACE(hs, LT_EV_CHOICE, "encrypt_then_mac", "RFC 7366 3",
                    hs->session.etm ? "both sides want it: the MAC covers the ciphertext"
                                    : "not used: MAC-then-encrypt, as RFC 5246 has it",
                    &m, 1);
    }
    lt_field r = lt_fld_text("used", hs->session.secure_reneg ? "yes" : "no");
    LT_HS_TRACE(hs, LT_EV_CHOICE, "secure_renegotiation", "RFC 5746 3.6", NULL, &r, 1);
}

int lt_explain_send_server_hello(lt_hs *hs, const uint8_t *msg, size_t len, const lt_server_hello_params *p)
{
    if (!lt_hs_tracing(hs)) {
        return lt_hs_send(hs, msg, len, NULL, 0);
    }
    char version[32], exts[160];
    lt_hs_version_text(p->server_version, version, sizeof version);
    lt_hs_ext_list_text((p->reneg_info ? LT_SEEN_RENEG : 0) | (p->ems ? LT_SEEN_EMS : 0) |
                            (p->sni_ack ? LT_SEEN_SNI : 0) | (p->etm ? LT_SEEN_ETM : 0) |
                            (p->ec_point_formats ? LT_SEEN_POINT_FORMATS : 0),
                        exts, sizeof exts);
    lt_field f[5] = {lt_fld_text("server_version", version), lt_fld_bytes("random", p->random, 32),
                     lt_fld_bytes("session_id", NULL, 0), lt_fld_text("cipher_suite", hs->session.suite->iana_name),
                     lt_fld_text("extensions", exts)};
    return lt_hs_send(hs, msg, len, f, 5);
}

int lt_explain_send_certificate(lt_hs *hs, const uint8_t *msg, size_t len, const lt_chain *chain)
{
    if (!lt_hs_tracing(hs)) {
        return lt_hs_send(hs, msg, len, NULL, 0);
    }
    char count[16], subject[256] = "", issuer[256] = "";
    snprintf(count, sizeof count, "%zu", chain->n);
    (void)lt_cert_names(chain->der[0], chain->len[0], subject, sizeof subject, issuer, sizeof issuer);
    lt_field f[3] = {lt_fld_text("count", count), lt_fld_text("leaf_subject", subject),
                     lt_fld_text("leaf_issuer", issuer)};
    return lt_hs_send(hs, msg, len, f, 3);
}

/* Both sides say the same about a ServerKeyExchange: the group, the
 * ephemeral public key, and the signature that binds it to the certificate. */
static void ske_fields(lt_hs *hs, uint16_t group, const uint8_t *pub, size_t pub_len, uint16_t scheme,
                       const uint8_t *sig, size_t sig_len, lt_field f[5], const char *verified)
{
    const char *gname = lt_group_name(group);
    const char *sname = lt_sig_scheme_name(scheme);
    f[0] = lt_fld_text("group", gname != NULL ? gname : "(unknown)");
    f[1] = lt_fld_bytes("public_key", pub, pub_len);
    f[2] = lt_fld_text("signature_scheme", sname != NULL ? sname : "(unknown)");
    f[3] = lt_fld_bytes("signature", sig, sig_len);
    f[4] = lt_fld_text("signed", verified);
    (void)hs;
}

int lt_explain_send_server_key_exchange(lt_hs *hs, const uint8_t *msg, size_t len)
{
    if (!lt_hs_tracing(hs)) {
        return lt_hs_send(hs, msg, len, NULL, 0);
    }
    const lt_hs12 *h = hs->h12;
    lt_field f[5];
    ske_fields(hs, h->group, h->ske_pub, h->ske_pub_len, h->sig_scheme, h->ske_sig, h->ske_sig_len, f,
               "client_random + server_random + the parameters, with the certificate's private key");
    return lt_hs_send(hs, msg, len, f, 5);
}

void lt_explain_recv_client_kx(lt_hs *hs, const uint8_t *pub, size_t len)
{
    const char *g = lt_group_name(hs->h12->group);
    lt_field f[2] = {lt_fld_text("group", g != NULL ? g : "?"), lt_fld_bytes("public_key", pub, len)};
    LT_HS_TRACE(hs, LT_EV_MSG_RECV, "ClientKeyExchange", "RFC 8422 5.7", "the client's ephemeral public key", f, 2);
}

/* ---- the client's side ---- */

void lt_explain_server_key_exchange(lt_hs *hs, const lt_server_key_exchange_ecdhe *ske, int verified)
{
    if (!lt_hs_tracing(hs)) {
        return;
    }
    lt_rd pt = ske->point, sg = ske->signature;
    size_t pn = lt_rd_left(&pt), sn = lt_rd_left(&sg);
    const uint8_t *pub = NULL, *sig = NULL;
    if (lt_rd_bytes(&pt, pn, &pub) != LT_OK || lt_rd_bytes(&sg, sn, &sig) != LT_OK) {
        return;
    }
    lt_field f[5];
    ske_fields(hs, ske->group, pub, pn, ske->sig_scheme, sig, sn, f,
               verified ? "verified with the server certificate's public key" : "NOT verified");
    LT_HS_TRACE(hs, LT_EV_MSG_RECV, "ServerKeyExchange", "RFC 8422 5.4", NULL, f, 5);
}

int lt_explain_send_client_kx(lt_hs *hs, const uint8_t *msg, size_t len, const uint8_t *pub, size_t pub_len)
{
    const char *g = lt_group_name(hs->h12->group);
    lt_field f[2] = {lt_fld_text("group", g != NULL ? g : "?"), lt_fld_bytes("public_key", pub, pub_len)};
    return lt_hs_send(hs, msg, len, f, 2);
}

/* ---- both ---- */

void lt_explain_shared_secret(lt_hs *hs, const uint8_t *pms, size_t len)
{
    const char *g = lt_group_name(hs->h12->group);
    lt_field f[2] = {lt_fld_text("group", g != NULL ? g : "?"), lt_hs_secret(hs, "pre_master_secret", pms, len)};
    LT_HS_TRACE(hs, LT_EV_KEY_DERIVE, "pre_master_secret", "RFC 8422 5.10",
                "ECDH of our ephemeral private key and the peer's ephemeral public key: both sides compute the same "
                "shared secret, and it becomes the pre-master secret; it is never sent",
                f, 2);
}
