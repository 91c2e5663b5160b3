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
#include "crypto/crypto.h"
#include "hs/hs_int.h"

/* What each side says of the session's EMS, EtM and secure renegotiation:
 * the same choices, seen from its side (the RFC sections differ too). */
typedef struct choice_words {
    const char *ems_rfc;
    const char *ems_why; /* "the client offered it" */
    const char *etm_why; /* "both sides want it" */
    const char *reneg_rfc;
} choice_words;

static void explain_session_choices(lt_hs *hs, const choice_words *w)
{
    char why[160];
    lt_field e = lt_fld_text("used", hs->session.ems ? "yes" : "no");
    snprintf(why, sizeof why, "%s: the master secret will cover the whole handshake", w->ems_why);
    LT_HS_TRACE(hs, LT_EV_CHOICE, "extended_master_secret", w->ems_rfc,
                hs->session.ems ? why : "not used: the master secret will cover only the nonces", &e, 1);
    if (hs->session.suite->mac != LT_MAC_NONE) {
        lt_field m = lt_fld_text("used", hs->session.etm ? "yes" : "no");
        snprintf(why, sizeof why, "%s: the MAC covers the ciphertext", w->etm_why);
        LT_HS_TRACE(hs, LT_EV_CHOICE, "encrypt_then_mac", "RFC 7366 3",
                    hs->session.etm ? why : "not used: MAC-then-encrypt, as RFC 5246 has it", &m, 1);
    }
    lt_field r = lt_fld_text("used", hs->session.secure_reneg ? "yes" : "no");
    LT_HS_TRACE(hs, LT_EV_CHOICE, "secure_renegotiation", w->reneg_rfc, NULL, &r, 1);
}

/* The section that governs a step, in the version being spoken. */
static const char *rfc(const lt_hs *hs, const char *tls12, const char *tls13)
{
    return hs->session.version == LT_TLS1_3 ? tls13 : tls12;
}

/* ---- the server's side ---- */

/* Appends sep and item (or the first item) to out; 0 when it no longer
 * fits, and then the list ends with "..." (a hello may carry more than a
 * line can show; the cap bounds the cost). */
static int list_add(char *out, size_t cap, size_t *used, const char *sep, const char *item)
{
    int n = snprintf(out + *used, cap - *used, "%s%s", *used ? sep : "", item);
    if (n < 0 || (size_t)n >= cap - *used) {
        if (cap >= 4) {
            memcpy(out + (*used + 4 <= cap ? *used : cap - 4), "...", 4);
        }
        *used = cap - 1;
        return 0;
    }
    *used += (size_t)n;
    return 1;
}

/* A code point's name; or, for one we cannot name (name NULL) or GREASE
 * (RFC 8701 2, a value the sender made up so that we must pass over it),
 * GREASE(0x0a0a), SCSV(0x00ff) or its number, written into buf. */
static const char *code_text(uint16_t v, const char *name, char *buf, size_t cap)
{
    if (name != NULL && !lt_is_grease(v)) {
        return name;
    }
    snprintf(buf, cap, lt_is_grease(v) ? "GREASE(0x%04x)" : v == LT_SCSV_RENEGOTIATION ? "SCSV(0x%04x)" : "0x%04x", v);
    return buf;
}

/* A list of u16 code points as names ("x25519, secp256r1"); one we cannot
 * name shows as GREASE(0x0a0a), SCSV(0x00ff) or hex. */
static void u16_list_text(lt_rd list, const char *(*name_of)(uint16_t), char *out, size_t cap)
{
    size_t used = 0;
    out[0] = '\0';
    uint16_t v;
    while (lt_rd_u16(&list, &v) == LT_OK) {
        char hexname[24];
        if (!list_add(out, cap, &used, ", ", code_text(v, name_of(v), hexname, sizeof hexname))) {
            break;
        }
    }
}

/* The IANA name of an extension type, or NULL (the TLS ExtensionType
 * registry; those a browser sends as well as those we act on). */
static const char *ext_type_name(uint16_t type)
{
    static const struct {
        uint16_t type;
        const char *name;
    } NAMES[] = {
        {0, "server_name"},
        {1, "max_fragment_length"},
        {5, "status_request"},
        {10, "supported_groups"},
        {11, "ec_point_formats"},
        {13, "signature_algorithms"},
        {14, "use_srtp"},
        {15, "heartbeat"},
        {16, "application_layer_protocol_negotiation"},
        {17, "status_request_v2"},
        {18, "signed_certificate_timestamp"},
        {19, "client_certificate_type"},
        {20, "server_certificate_type"},
        {21, "padding"},
        {22, "encrypt_then_mac"},
        {23, "extended_master_secret"},
        {27, "compress_certificate"},
        {28, "record_size_limit"},
        {34, "delegated_credential"},
        {35, "session_ticket"},
        {41, "pre_shared_key"},
        {42, "early_data"},
        {43, "supported_versions"},
        {44, "cookie"},
        {45, "psk_key_exchange_modes"},
        {47, "certificate_authorities"},
        {48, "oid_filters"},
        {49, "post_handshake_auth"},
        {50, "signature_algorithms_cert"},
        {51, "key_share"},
        {57, "quic_transport_parameters"},
        {0x4469, "application_settings"},
        {0x44cd, "application_settings"},
        {0xfe0d, "encrypted_client_hello"},
        {0xff01, "renegotiation_info"},
    };
    for (size_t i = 0; i < sizeof NAMES / sizeof NAMES[0]; i++) {
        if (NAMES[i].type == type) {
            return NAMES[i].name;
        }
    }
    return NULL;
}

/* The extensions block as received, in order, every one named (GREASE and
 * unknown ones by number): what the peer sent, not only what we act on. */
static void ext_order_text(lt_rd exts, char *out, size_t cap)
{
    size_t used = 0;
    out[0] = '\0';
    uint16_t type;
    lt_rd body;
    while (lt_rd_u16(&exts, &type) == LT_OK && lt_rd_vec(&exts, 2, 0, 0xffff, &body) == LT_OK) {
        char hexname[24];
        if (!list_add(out, cap, &used, ", ", code_text(type, ext_type_name(type), hexname, sizeof hexname))) {
            break;
        }
    }
}

/* supported_versions, in the client's order (RFC 8446 4.2.1). */
static void versions_text(lt_rd versions, char *out, size_t cap)
{
    size_t used = 0;
    out[0] = '\0';
    uint16_t v;
    while (lt_rd_u16(&versions, &v) == LT_OK) {
        char name[32], hexname[24];
        lt_hs_version_text(v, name, sizeof name);
        if (!list_add(out, cap, &used, ", ", code_text(v, name, hexname, sizeof hexname))) {
            break;
        }
    }
}

/* The key shares offered: each group and the size of its public key
 * (RFC 8446 4.2.8). */
static void key_shares_text(lt_rd shares, char *out, size_t cap)
{
    size_t used = 0;
    out[0] = '\0';
    uint16_t group;
    lt_rd key;
    while (lt_key_share_next(&shares, &group, &key)) {
        char hexname[24], item[64];
        size_t n = lt_rd_left(&key);
        snprintf(item, sizeof item, "%s (%zu byte%s)", code_text(group, lt_group_name(group), hexname, sizeof hexname),
                 n, n == 1 ? "" : "s");
        if (!list_add(out, cap, &used, ", ", item)) {
            break;
        }
    }
}

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
    char groups[256], sigalgs[512], in_order[1024], versions[256], shares[256];
    lt_hs_group_list_text(ch->supported_groups, groups, sizeof groups);
    lt_hs_sigalg_list_text(ch->sigalgs_all, sigalgs, sizeof sigalgs);
    ext_order_text(ch->extensions, in_order, sizeof in_order);
    versions_text(ch->versions, versions, sizeof versions);
    key_shares_text(ch->key_shares, shares, sizeof shares);
    lt_field f[11] = {lt_fld_text("client_version", version),
                      lt_fld_bytes("random", ch->random, 32),
                      lt_fld_bytes("session_id", ch->session_id, ch->session_id_len),
                      lt_fld_text("cipher_suites", suites),
                      lt_fld_text("extensions", exts),
                      lt_fld_text("server_name", (ch->ext_seen & LT_SEEN_SNI) ? sni : "(none)"),
                      lt_fld_text("groups", (ch->ext_seen & LT_SEEN_GROUPS) ? groups : "(none)"),
                      lt_fld_text("signature_algorithms", (ch->ext_seen & LT_SEEN_SIGALGS) ? sigalgs : "(none)"),
                      lt_fld_text("extensions_in_order", in_order[0] != '\0' ? in_order : "(none)"),
                      lt_fld_text("supported_versions", (ch->ext_seen & LT_SEEN_VERSIONS) ? versions : "(none)"),
                      lt_fld_text("key_shares", (ch->ext_seen & LT_SEEN_KEY_SHARE) ? shares : "(none)")};
    LT_HS_TRACE(hs, LT_EV_MSG_RECV, "ClientHello",
                (ch->ext_seen & LT_SEEN_VERSIONS) ? "RFC 8446 4.1.2" : "RFC 5246 7.4.1.2", NULL, f, 11);
}

/* TLS 1.3: the version, then the suite, group and signature scheme, each
 * chosen on its own (RFC 8446 4.1.1). */
static void explain_server_choices13(lt_hs *hs, size_t n_suites)
{
    lt_field v = lt_fld_text("chosen", "TLS 1.3 (0x0304)");
    LT_HS_TRACE(hs, LT_EV_CHOICE, "version", "RFC 8446 4.2.1",
                "the highest version in the client's supported_versions that we speak", &v, 1);
    char why[200];
    snprintf(why, sizeof why,
             "first TLS 1.3 suite in our preference list (%zu long) that the client offered: an AEAD and a hash, "
             "nothing else",
             n_suites);
    lt_hs_trace_suite_choice(hs, why);
    lt_field g = lt_fld_text("chosen", lt_group_name(hs->h12->group));
    LT_HS_TRACE(hs, LT_EV_CHOICE, "group", "RFC 8446 4.2.7",
                "first group in our preference list that the client supports (groups we do not know, GREASE and "
                "hybrids among them, are passed over)",
                &g, 1);
    if (hs->h12->sig_scheme != 0 && !(hs->shape & LT_SHAPE_RESUMED)) {
        lt_field s = lt_fld_text("chosen", lt_sig_scheme_name(hs->h12->sig_scheme));
        LT_HS_TRACE(hs, LT_EV_CHOICE, "signature_scheme", "RFC 8446 4.2.3",
                    "first scheme our key signs with in TLS 1.3 (RSA-PSS or the curve's ECDSA, never PKCS#1 v1.5) "
                    "that the client accepts",
                    &s, 1);
    }
}

void lt_explain_server_choices(lt_hs *hs, size_t n_suites)
{
    if (!lt_hs_tracing(hs)) {
        return;
    }
    if (hs->session.version == LT_TLS1_3) {
        explain_server_choices13(hs, n_suites);
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
    static const choice_words SERVER = {"RFC 7627 5.3", "the client offered it", "both sides want it", "RFC 5746 3.6"};
    explain_session_choices(hs, &SERVER);
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

/* Each certificate of a chain, leaf first: "1. SUBJECT (issued by
 * ISSUER); 2. ...". */
static void chain_text(const uint8_t *const *der, const size_t *len, size_t n, char *out, size_t cap)
{
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        char subject[256] = "?", issuer[256] = "?", item[600];
        (void)lt_cert_names(der[i], len[i], subject, sizeof subject, issuer, sizeof issuer);
        snprintf(item, sizeof item, "%zu. %s (issued by %s)", i + 1, subject, issuer);
        if (!list_add(out, cap, &used, "; ", item)) {
            break;
        }
    }
}

int lt_explain_send_certificate(lt_hs *hs, const uint8_t *msg, size_t len, const lt_chain *chain)
{
    if (!lt_hs_tracing(hs)) {
        return lt_hs_send(hs, msg, len, NULL, 0);
    }
    char count[16], subject[256] = "", issuer[256] = "", all[2048];
    snprintf(count, sizeof count, "%zu", chain->n);
    (void)lt_cert_names(chain->der[0], chain->len[0], subject, sizeof subject, issuer, sizeof issuer);
    chain_text((const uint8_t *const *)chain->der, chain->len, chain->n, all, sizeof all);
    lt_field f[4] = {lt_fld_text("count", count), lt_fld_text("leaf_subject", subject),
                     lt_fld_text("leaf_issuer", issuer), lt_fld_text("chain", all)};
    return lt_hs_send(hs, msg, len, f, 4);
}

/* Both sides say the same about a ServerKeyExchange: the group, the
 * ephemeral public key, and the signature that binds it to the certificate. */
static void ske_fields(lt_hs *hs, uint16_t group, const uint8_t *pub, size_t pub_len, uint16_t scheme,
                       const uint8_t *sig, size_t sig_len, lt_field f[6], const char *verified, const char *result)
{
    const char *gname = lt_group_name(group);
    const char *sname = lt_sig_scheme_name(scheme);
    f[0] = lt_fld_text("group", gname != NULL ? gname : "(unknown)");
    f[1] = lt_fld_bytes("public_key", pub, pub_len);
    f[2] = lt_fld_text("signature_scheme", sname != NULL ? sname : "(unknown)");
    f[3] = lt_fld_bytes("signature", sig, sig_len);
    f[4] = lt_fld_text("signed", verified);
    f[5] = lt_fld_text("result", result);
    (void)hs;
}

int lt_explain_send_server_key_exchange(lt_hs *hs, const uint8_t *msg, size_t len)
{
    lt_server_key_exchange_ecdhe ske;
    if (!lt_hs_tracing(hs) || lt_parse_server_key_exchange_ecdhe(msg + 4, len - 4, &ske) != LT_OK) {
        return lt_hs_send(hs, msg, len, NULL, 0);
    }
    /* Told from the message itself, as the client will read it. */
    lt_rd pt = ske.point, sg = ske.signature;
    size_t pn = lt_rd_left(&pt), sn = lt_rd_left(&sg);
    const uint8_t *pub = NULL, *sig = NULL;
    if (lt_rd_bytes(&pt, pn, &pub) != LT_OK || lt_rd_bytes(&sg, sn, &sig) != LT_OK) {
        return lt_hs_send(hs, msg, len, NULL, 0);
    }
    lt_field f[6];
    ske_fields(hs, ske.group, pub, pn, ske.sig_scheme, sig, sn, f,
               "client_random + server_random + the parameters, with the certificate's private key", "signed");
    return lt_hs_send(hs, msg, len, f, 6);
}

void lt_explain_recv_client_kx(lt_hs *hs, const uint8_t *pub, size_t len)
{
    const char *g = lt_group_name(hs->h12->group);
    lt_field f[2] = {lt_fld_text("group", g != NULL ? g : "?"), lt_fld_bytes("public_key", pub, len)};
    LT_HS_TRACE(hs, LT_EV_MSG_RECV, "ClientKeyExchange", "RFC 8422 5.7", "the client's ephemeral public key", f, 2);
}

/* ---- the client's side ---- */

int lt_explain_send_client_hello(lt_hs *hs, const uint8_t *msg, size_t len, uint32_t exts_sent, const uint16_t *sigalgs,
                                 size_t n_sigalgs)
{
    if (!lt_hs_tracing(hs)) {
        return lt_hs_send(hs, msg, len, NULL, 0);
    }
    const lt_hs_policy *cfg = hs->env.policy;
    char version[32], suites[1024], exts[256];
    lt_hs_version_text(LT_TLS1_2, version, sizeof version);
    uint8_t raw_suites[2 * LT_MAX_CONFIG_SUITES];
    for (size_t i = 0; i < cfg->n_suites; i++) {
        lt_put_u16(raw_suites + 2 * i, cfg->suites[i]);
    }
    lt_hs_suite_list_text(lt_rd_init(raw_suites, 2 * cfg->n_suites), suites, sizeof suites);
    char groups[128] = "(none)", sig_text[512];
    uint8_t raw[2 * (LT_MAX_CONFIG_GROUPS > LT_MAX_SIGALGS ? LT_MAX_CONFIG_GROUPS : LT_MAX_SIGALGS)];
    if (exts_sent & LT_SEEN_GROUPS) {
        for (size_t i = 0; i < cfg->n_groups; i++) {
            lt_put_u16(raw + 2 * i, cfg->groups[i]);
        }
        lt_hs_group_list_text(lt_rd_init(raw, 2 * cfg->n_groups), groups, sizeof groups);
    }
    for (size_t i = 0; i < n_sigalgs && i < LT_MAX_SIGALGS; i++) {
        lt_put_u16(raw + 2 * i, sigalgs[i]);
    }
    lt_hs_sigalg_list_text(lt_rd_init(raw, 2 * n_sigalgs), sig_text, sizeof sig_text);
    lt_hs_ext_list_text((hs->h12->offered_sni ? LT_SEEN_SNI : 0) | (hs->h12->offered_ems ? LT_SEEN_EMS : 0) | exts_sent,
                        exts, sizeof exts);
    char versions[48] = "", share[32] = "";
    if (exts_sent & LT_SEEN_VERSIONS) {
        snprintf(versions, sizeof versions, "%s", lt_hs_allows(hs, LT_TLS1_2) ? "TLS 1.3, TLS 1.2" : "TLS 1.3");
        snprintf(share, sizeof share, "%s", lt_group_name(hs->h13->share_group));
    }
    lt_field f[10] = {lt_fld_text("client_version", version),
                      lt_fld_bytes("random", hs->h12->client_random, 32),
                      lt_fld_bytes("session_id", hs->h13->session_id, hs->h13->session_id_len),
                      lt_fld_text("cipher_suites", suites),
                      lt_fld_text("extensions", exts),
                      lt_fld_text("server_name", hs->h12->offered_sni ? hs->hostname : "(none)"),
                      lt_fld_text("groups", groups),
                      lt_fld_text("signature_algorithms", sig_text),
                      lt_fld_text("versions", versions),
                      lt_fld_text("key_share", share)};
    return lt_hs_send(hs, msg, len, f, (exts_sent & LT_SEEN_VERSIONS) ? 10 : 8);
}

void lt_explain_server_hello(lt_hs *hs, const lt_server_hello *sh)
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
    if (sh->ext_seen & LT_SEEN_VERSIONS) {
        /* TLS 1.3: the server's key share, or (HelloRetryRequest) the
         * group it asks for. */
        f[4] = lt_fld_bytes("key_share", sh->key_share_key.p, lt_rd_left(&sh->key_share_key));
        lt_field g[7] = {f[0],
                         f[1],
                         f[2],
                         f[3],
                         lt_fld_text("extensions", exts),
                         f[4],
                         lt_fld_text("key_share_group", lt_group_name(sh->key_share_group) != NULL
                                                            ? lt_group_name(sh->key_share_group)
                                                            : "(unknown)")};
        LT_HS_TRACE(hs, LT_EV_MSG_RECV, "ServerHello", sh->is_hrr ? "RFC 8446 4.1.4" : "RFC 8446 4.1.3", NULL, g, 7);
        return;
    }
    LT_HS_TRACE(hs, LT_EV_MSG_RECV, "ServerHello", "RFC 5246 7.4.1.3", NULL, f, 5);
}

void lt_explain_client_choices(lt_hs *hs)
{
    if (!lt_hs_tracing(hs)) {
        return;
    }
    lt_hs_trace_suite_choice(hs, NULL);
    if (hs->session.version == LT_TLS1_3) {
        lt_field v = lt_fld_text("chosen", "TLS 1.3 (0x0304)");
        LT_HS_TRACE(hs, LT_EV_CHOICE, "version", "RFC 8446 4.2.1", "the server's supported_versions", &v, 1);
        lt_field g = lt_fld_text("chosen", lt_group_name(hs->session.group));
        LT_HS_TRACE(hs, LT_EV_CHOICE, "group", "RFC 8446 4.2.8", "the group of our key share that the server took", &g,
                    1);
        return;
    }
    static const choice_words CLIENT = {"RFC 7627 5.2", "both sides offered it", "the server agreed", "RFC 5746 3.4"};
    explain_session_choices(hs, &CLIENT);
}

void lt_explain_cert_checks(lt_hs *hs, const lt_cert_report *rep, int host_wanted)
{
    if (!lt_hs_tracing(hs)) {
        return;
    }
    char len_s[16];
    snprintf(len_s, sizeof len_s, "%d", rep->chain_len);
    lt_field chain[5] = {lt_fld_text("result", rep->chain_ok ? "ok" : "failed"), lt_fld_text("subject", rep->subject),
                         lt_fld_text("issuer", rep->issuer), lt_fld_text("anchor", rep->anchor),
                         lt_fld_text("length", len_s)};
    LT_HS_TRACE(hs, LT_EV_CERT_CHECK, "chain", rfc(hs, "RFC 5246 7.4.2", "RFC 8446 4.4.2.2"),
                rep->chain_ok ? NULL : rep->detail, chain, 5);
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

void lt_explain_certificate(lt_hs *hs, const lt_certificate_msg *cm)
{
    if (!lt_hs_tracing(hs)) {
        return;
    }
    char count[16], subject[256] = "", issuer[256] = "", all[2048] = "";
    snprintf(count, sizeof count, "%zu", cm->n);
    if (cm->n > 0) {
        (void)lt_cert_names(cm->der[0], cm->len[0], subject, sizeof subject, issuer, sizeof issuer);
        chain_text(cm->der, cm->len, cm->n, all, sizeof all);
    }
    lt_field f[4] = {lt_fld_text("count", count), lt_fld_text("leaf_subject", subject),
                     lt_fld_text("leaf_issuer", issuer), lt_fld_text("chain", all)};
    LT_HS_TRACE(hs, LT_EV_MSG_RECV, "Certificate", rfc(hs, "RFC 5246 7.4.2", "RFC 8446 4.4.2"), NULL, f,
                cm->n > 0 ? 4 : 1);
}

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
    lt_field f[6];
    ske_fields(hs, ske->group, pub, pn, ske->sig_scheme, sig, sn, f,
               verified ? "verified with the server certificate's public key" : "NOT verified",
               verified ? "ok" : "failed");
    LT_HS_TRACE(hs, LT_EV_MSG_RECV, "ServerKeyExchange", "RFC 8422 5.4", NULL, f, 6);
}

int lt_explain_send_client_kx(lt_hs *hs, const uint8_t *msg, size_t len, const uint8_t *pub, size_t pub_len)
{
    const char *g = lt_group_name(hs->h12->group);
    lt_field f[2] = {lt_fld_text("group", g != NULL ? g : "?"), lt_fld_bytes("public_key", pub, pub_len)};
    return lt_hs_send(hs, msg, len, f, 2);
}

/* ---- both ---- */

void lt_explain_master_secret(lt_hs *hs, const uint8_t *session_hash, size_t sh_len)
{
    if (!lt_hs_tracing(hs)) {
        return;
    }
    if (hs->session.ems) {
        lt_field f[4] = {lt_fld_text("label", "extended master secret"),
                         lt_fld_text("inputs", "pre_master_secret, session_hash (the hash of ClientHello .. "
                                               "ClientKeyExchange)"),
                         lt_fld_bytes("session_hash", session_hash, sh_len),
                         lt_hs_secret(hs, "master_secret", hs->session.master_secret, 48)};
        LT_HS_TRACE(hs, LT_EV_KEY_DERIVE, "master_secret", "RFC 7627 4",
                    "master_secret = PRF(pre_master_secret, \"extended master secret\", session_hash)[0..47]", f, 4);
    } else {
        lt_field f[3] = {lt_fld_text("label", "master secret"),
                         lt_fld_text("inputs", "pre_master_secret, client_random, server_random"),
                         lt_hs_secret(hs, "master_secret", hs->session.master_secret, 48)};
        LT_HS_TRACE(hs, LT_EV_KEY_DERIVE, "master_secret", "RFC 5246 8.1",
                    "master_secret = PRF(pre_master_secret, \"master secret\", client_random + server_random)[0..47]",
                    f, 3);
    }
}

void lt_explain_key_block(lt_hs *hs)
{
    if (!lt_hs_tracing(hs)) {
        return;
    }
    const lt_key_block *kb = &hs->h12->kb;
    lt_field f[8] = {lt_fld_text("label", "key expansion"),
                     lt_fld_text("inputs", "master_secret, server_random, client_random"),
                     lt_hs_secret(hs, "client_write_MAC_key", kb->client_mac, kb->mac_len),
                     lt_hs_secret(hs, "server_write_MAC_key", kb->server_mac, kb->mac_len),
                     lt_hs_secret(hs, "client_write_key", kb->client_key, kb->key_len),
                     lt_hs_secret(hs, "server_write_key", kb->server_key, kb->key_len),
                     lt_hs_secret(hs, "client_write_IV", kb->client_iv, kb->iv_len),
                     lt_hs_secret(hs, "server_write_IV", kb->server_iv, kb->iv_len)};
    LT_HS_TRACE(hs, LT_EV_KEY_DERIVE, "key_block", "RFC 5246 6.3",
                "key_block = PRF(master_secret, \"key expansion\", server_random + client_random), sliced in order", f,
                8);
}

void lt_hs_version_text(uint16_t v, char *out, size_t cap)
{
    const char *name = v == 0x0303   ? "TLS 1.2"
                       : v == 0x0302 ? "TLS 1.1"
                       : v == 0x0301 ? "TLS 1.0"
                       : v == 0x0304 ? "TLS 1.3"
                       : v == 0x0300 ? "SSL 3.0"
                                     : "unknown";
    snprintf(out, cap, "%s (0x%04x)", name, v);
}

void lt_hs_ext_list_text(uint32_t seen, char *out, size_t cap)
{
    static const struct {
        uint32_t bit;
        const char *name;
    } NAMES[] = {
        {LT_SEEN_SNI, "server_name"},
        {LT_SEEN_EMS, "extended_master_secret"},
        {LT_SEEN_RENEG, "renegotiation_info"},
        {LT_SEEN_SIGALGS, "signature_algorithms"},
        {LT_SEEN_ALPN, "application_layer_protocol_negotiation"},
        {LT_SEEN_TICKET, "session_ticket"},
        {LT_SEEN_GROUPS, "supported_groups"},
        {LT_SEEN_POINT_FORMATS, "ec_point_formats"},
        {LT_SEEN_ETM, "encrypt_then_mac"},
        {LT_SEEN_SIGALGS_CERT, "signature_algorithms_cert"},
        {LT_SEEN_VERSIONS, "supported_versions"},
        {LT_SEEN_KEY_SHARE, "key_share"},
        {LT_SEEN_COOKIE, "cookie"},
        {LT_SEEN_PSK_MODES, "psk_key_exchange_modes"},
        {LT_SEEN_PSK, "pre_shared_key"},
        {LT_SEEN_EARLY_DATA, "early_data"},
        {LT_SEEN_CAS, "certificate_authorities"},
        {LT_SEEN_POST_HS_AUTH, "post_handshake_auth"},
        {LT_SEEN_PADDING, "padding"},
    };
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < sizeof NAMES / sizeof NAMES[0]; i++) {
        if (!(seen & NAMES[i].bit)) {
            continue;
        }
        int n = snprintf(out + used, cap - used, "%s%s", used ? ", " : "", NAMES[i].name);
        if (n < 0 || (size_t)n >= cap - used) {
            break;
        }
        used += (size_t)n;
    }
}

void lt_hs_trace_suite_choice(lt_hs *hs, const char *why)
{
    if (!lt_hs_tracing(hs)) {
        return;
    }
    const lt_suite *s = hs->session.suite;
    char id[8], desc[200];
    snprintf(id, sizeof id, "0x%04x", s->id);
    lt_suite_info info;
    (void)lt_suite_get_info(s->id, &info);
    snprintf(desc, sizeof desc, "key exchange %s, authentication %s, cipher %s, MAC %s, PRF %s", info.key_exchange,
             info.authentication, info.cipher, info.mac, info.prf_hash);
    lt_field f[3] = {lt_fld_text("chosen", s->iana_name), lt_fld_text("id", id), lt_fld_text("parts", desc)};
    LT_HS_TRACE(hs, LT_EV_CHOICE, "cipher_suite", rfc(hs, "RFC 5246 7.4.1.3", "RFC 8446 4.1.3"),
                why != NULL ? why : desc, f, 3);
}

void lt_explain_shared_secret(lt_hs *hs, const uint8_t *pms, size_t len)
{
    const char *g = lt_group_name(hs->h12->group);
    if (hs->session.version == LT_TLS1_3) {
        lt_field f[2] = {lt_fld_text("group", g != NULL ? g : "?"), lt_hs_secret(hs, "shared_secret", pms, len)};
        LT_HS_TRACE(hs, LT_EV_KEY_DERIVE, "ecdhe_shared_secret", "RFC 8446 7.4",
                    "(EC)DH of our ephemeral private key and the peer's key share: both sides compute the same "
                    "secret, never sent; it plays the pre-master secret's part, as the input of the handshake secret",
                    f, 2);
        return;
    }
    lt_field f[2] = {lt_fld_text("group", g != NULL ? g : "?"), lt_hs_secret(hs, "pre_master_secret", pms, len)};
    LT_HS_TRACE(hs, LT_EV_KEY_DERIVE, "pre_master_secret", "RFC 8422 5.10",
                "ECDH of our ephemeral private key and the peer's ephemeral public key: both sides compute the same "
                "shared secret, and it becomes the pre-master secret; it is never sent",
                f, 2);
}

void lt_hs_suite_list_text(lt_rd suites, char *out, size_t cap)
{
    u16_list_text(suites, lt_suite_name, out, cap);
}

void lt_hs_sigalg_list_text(lt_rd list, char *out, size_t cap)
{
    u16_list_text(list, lt_sig_scheme_name, out, cap);
}

void lt_hs_group_list_text(lt_rd groups, char *out, size_t cap)
{
    u16_list_text(groups, lt_group_name, out, cap);
}
