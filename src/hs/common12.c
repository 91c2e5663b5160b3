/* TLS 1.2 handshake steps both roles share: sending messages, the key
 * schedule with its narration, ChangeCipherSpec and Finished. */
#include <stdio.h>
#include <string.h>

#include "base/ct.h"
#include "hs/hs_int.h"

static void trace_master_secret(lt_hs *hs, const uint8_t *session_hash, size_t sh_len)
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

static void trace_key_block(lt_hs *hs)
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

int lt_hs_derive_keys(lt_hs *hs, uint8_t *pms, size_t pms_len)
{
    const lt_suite *s = hs->session.suite;
    uint8_t session_hash[LT_MAX_HASH_LEN];
    size_t sh_len = 0;
    /* RFC 7627 3: session_hash = Hash(handshake_messages) up to and
     * including the ClientKeyExchange. */
    int rc = lt_transcript_hash(&hs->h12->transcript, session_hash, &sh_len);
    if (rc == LT_OK) {
        rc = lt_ks12_master_secret(s->prf_hash, pms, pms_len, hs->session.ems, session_hash, sh_len,
                                   hs->h12->client_random, hs->h12->server_random, hs->session.master_secret);
    }
    /* Wiped on every path, the failed ones too. */
    lt_wipe(pms, pms_len);
    LT_GUARD(rc);
    trace_master_secret(hs, session_hash, sh_len);
    hs->session.master_secret_len = LT_MASTER_SECRET_LEN;
    lt_keylog(lt_hs_tr(hs), "CLIENT_RANDOM", hs->h12->client_random, hs->session.master_secret, LT_MASTER_SECRET_LEN);

    LT_GUARD(
        lt_ks12_key_block(s, hs->session.master_secret, hs->h12->client_random, hs->h12->server_random, &hs->h12->kb));
    trace_key_block(hs);

    const lt_key_block *kb = &hs->h12->kb;
    int client = hs->env.role == LT_ROLE_CLIENT;
    const uint8_t *mac_w = s->mac == LT_MAC_NONE ? NULL : (client ? kb->client_mac : kb->server_mac);
    const uint8_t *mac_r = s->mac == LT_MAC_NONE ? NULL : (client ? kb->server_mac : kb->client_mac);
    const uint8_t *iv_w = kb->iv_len == 0 ? NULL : (client ? kb->client_iv : kb->server_iv);
    const uint8_t *iv_r = kb->iv_len == 0 ? NULL : (client ? kb->server_iv : kb->client_iv);
    const lt_rc_keys keys_w = {.version = LT_TLS1_2,
                               .cipher = s->cipher,
                               .mac = s->mac,
                               .encrypt_then_mac = hs->session.etm,
                               .key = client ? kb->client_key : kb->server_key,
                               .mac_key = mac_w,
                               .iv = iv_w};
    const lt_rc_keys keys_r = {.version = LT_TLS1_2,
                               .cipher = s->cipher,
                               .mac = s->mac,
                               .encrypt_then_mac = hs->session.etm,
                               .key = client ? kb->server_key : kb->client_key,
                               .mac_key = mac_r,
                               .iv = iv_r};
    hs->h12->pending_write = lt_rc_new(&keys_w, 1);
    hs->h12->pending_read = lt_rc_new(&keys_r, 0);
    LT_ENSURE(hs->h12->pending_write != NULL && hs->h12->pending_read != NULL, LT_ERR_CRYPTO);
    hs->proof |= LT_PROOF_KEYS_DERIVED;
    return LT_OK;
}

int lt_hs_send_ccs(lt_hs *hs)
{
    LT_GUARD(lt_hs_send_ccs_record(hs));
    LT_HS_TRACE(hs, LT_EV_CCS_SENT, "ChangeCipherSpec", "RFC 5246 7.1", "from here on our records are protected", NULL,
                0);
    /* RFC 5246 7.1: the write state becomes current right after CCS. */
    lt_hs_install_write_keys(hs, hs->h12->pending_write);
    hs->h12->pending_write = NULL;
    return LT_OK;
}

int lt_hs_recv_ccs(lt_hs *hs)
{
    LT_ENSURE(hs->h12->pending_read != NULL, LT_ERR_UNEXPECTED_MESSAGE);
    LT_HS_TRACE(hs, LT_EV_CCS_RECV, "ChangeCipherSpec", "RFC 5246 7.1", "from here on the peer's records are protected",
                NULL, 0);
    lt_hs_install_read_keys(hs, hs->h12->pending_read);
    hs->h12->pending_read = NULL;
    return LT_OK;
}

static int finished_for(lt_hs *hs, int from_client, uint8_t verify[LT_FINISHED_LEN], uint8_t *hash, size_t *hash_len)
{
    LT_GUARD(lt_transcript_hash(&hs->h12->transcript, hash, hash_len));
    LT_GUARD(
        lt_ks12_finished(hs->session.suite->prf_hash, hs->session.master_secret, from_client, hash, *hash_len, verify));
    if (!lt_hs_tracing(hs)) {
        return LT_OK;
    }
    char covers[256];
    snprintf(covers, sizeof covers, "%s (%u messages, %zu bytes)", hs->h12->transcript.covers,
             hs->h12->transcript.n_msgs, hs->h12->transcript.total_len);
    lt_field f[4] = {lt_fld_text("label", from_client ? "client finished" : "server finished"),
                     lt_fld_bytes("transcript_hash", hash, *hash_len), lt_fld_bytes("verify_data", verify, 12),
                     lt_fld_text("covers", covers)};
    LT_HS_TRACE(hs, LT_EV_KEY_DERIVE, from_client ? "client_finished" : "server_finished", "RFC 5246 7.4.9",
                "verify_data = PRF(master_secret, finished_label, Hash(handshake_messages))[0..11]", f, 4);
    return LT_OK;
}

int lt_hs_send_finished(lt_hs *hs)
{
    uint8_t verify[LT_FINISHED_LEN], hash[LT_MAX_HASH_LEN];
    size_t hash_len;
    LT_GUARD(finished_for(hs, hs->env.role == LT_ROLE_CLIENT, verify, hash, &hash_len));
    lt_wr w;
    LT_GUARD(lt_hs_scratch(hs, 64, &w));
    lt_write_finished(&w, verify);
    LT_GUARD(lt_wr_finish(&w));
    lt_field f = lt_fld_bytes("verify_data", verify, sizeof verify);
    return lt_hs_send(hs, w.base, w.off, &f, 1);
}

int lt_hs_check_finished(lt_hs *hs, const uint8_t *body, size_t len)
{
    uint8_t got[LT_FINISHED_LEN], want[LT_FINISHED_LEN], hash[LT_MAX_HASH_LEN];
    size_t hash_len;
    int rc = lt_parse_finished(body, len, got);
    if (rc != LT_OK) {
        return lt_hs_fail(hs, rc, "Finished must carry exactly 12 bytes of verify_data, got %zu", len);
    }
    int peer_is_client = hs->env.role == LT_ROLE_SERVER;
    LT_GUARD(finished_for(hs, peer_is_client, want, hash, &hash_len));
    /* RFC 5246 7.4.9: "Recipients of Finished messages MUST verify that the
     * contents are correct"; decrypt_error per 7.2.2. Compared in constant
     * time; only the verdict is public. */
    int match = lt_ct_eq(got, want, sizeof got);
    LT_CF_PUBLIC(&match, sizeof match); /* the deliberate public decision */
    lt_field f[2] = {lt_fld_bytes("verify_data", got, sizeof got), lt_fld_text("result", match ? "match" : "mismatch")};
    LT_HS_TRACE(hs, LT_EV_MSG_RECV, "Finished", "RFC 5246 7.4.9", NULL, f, 2);
    if (!match) {
        return lt_hs_fail(hs, LT_ERR_DECRYPT_ERROR,
                          "%s Finished verify_data mismatch: the handshake was altered or the keys differ",
                          peer_is_client ? "client" : "server");
    }
    hs->proof |= LT_PROOF_FINISHED_OK;
    uint8_t msg[4 + LT_FINISHED_LEN] = {LT_HS_FINISHED, 0, 0, LT_FINISHED_LEN};
    memcpy(msg + 4, got, LT_FINISHED_LEN);
    return lt_transcript_add(&hs->h12->transcript, msg, sizeof msg, "Finished");
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

void lt_hs_suite_list_text(lt_rd suites, char *out, size_t cap)
{
    size_t used = 0;
    out[0] = '\0';
    uint16_t id;
    while (lt_rd_u16(&suites, &id) == LT_OK && used + 1 < cap) {
        const char *name = lt_suite_name(id);
        char hexname[16];
        if (name == NULL) {
            snprintf(hexname, sizeof hexname, id == LT_SCSV_RENEGOTIATION ? "SCSV(0x%04x)" : "0x%04x", id);
            name = hexname;
        }
        int n = snprintf(out + used, cap - used, "%s%s", used ? ", " : "", name);
        if (n < 0 || (size_t)n >= cap - used) {
            break;
        }
        used += (size_t)n;
    }
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
    LT_HS_TRACE(hs, LT_EV_CHOICE, "cipher_suite", "RFC 5246 7.4.1.3", why != NULL ? why : desc, f, 3);
}

void lt_hs_group_list_text(lt_rd groups, char *out, size_t cap)
{
    size_t used = 0;
    out[0] = '\0';
    uint16_t g;
    while (lt_rd_u16(&groups, &g) == LT_OK && used + 1 < cap) {
        const char *name = lt_group_name(g);
        char hexname[16];
        if (name == NULL) {
            snprintf(hexname, sizeof hexname, "0x%04x", g);
            name = hexname;
        }
        int n = snprintf(out + used, cap - used, "%s%s", used ? ", " : "", name);
        if (n < 0 || (size_t)n >= cap - used) {
            break;
        }
        used += (size_t)n;
    }
}
