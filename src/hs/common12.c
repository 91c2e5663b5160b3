/* TLS 1.2 handshake steps both roles share: sending messages, the key
 * schedule with its narration, ChangeCipherSpec and Finished. */
#include <stdio.h>
#include <string.h>

#include "base/ct.h"
#include "hs/hs_int.h"

/* The record keys of the records the client (from_client) or the server
 * sends, sliced from the key block (RFC 5246 6.3). */
static lt_rc_keys record_keys(const lt_hs *hs, int from_client)
{
    const lt_suite *s = hs->session.suite;
    const lt_key_block *kb = &hs->h12->kb;
    return (lt_rc_keys){
        .version = LT_TLS1_2,
        .cipher = s->cipher,
        .mac = s->mac,
        .encrypt_then_mac = hs->session.etm,
        .key = from_client ? kb->client_key : kb->server_key,
        .mac_key = s->mac == LT_MAC_NONE ? NULL : (from_client ? kb->client_mac : kb->server_mac),
        .iv = kb->iv_len == 0 ? NULL : (from_client ? kb->client_iv : kb->server_iv),
    };
}

size_t lt_hs12_ske_signed_data(const lt_hs *hs, const uint8_t *params, size_t params_len,
                               uint8_t out[LT_SKE_SIGNED_MAX])
{
    if (params_len > LT_SKE_SIGNED_MAX - 64) {
        return 0;
    }
    memcpy(out, hs->h12->client_random, 32);
    memcpy(out + 32, hs->h12->server_random, 32);
    memcpy(out + 64, params, params_len);
    return 64 + params_len;
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
    lt_explain_master_secret(hs, session_hash, sh_len);
    hs->session.master_secret_len = LT_MASTER_SECRET_LEN;
    return lt_hs12_keys_from_master(hs);
}

int lt_hs12_keys_from_master(lt_hs *hs)
{
    const lt_suite *s = hs->session.suite;
    lt_keylog(lt_hs_tr(hs), "CLIENT_RANDOM", hs->h12->client_random, hs->session.master_secret, LT_MASTER_SECRET_LEN);

    LT_GUARD(
        lt_ks12_key_block(s, hs->session.master_secret, hs->h12->client_random, hs->h12->server_random, &hs->h12->kb));
    lt_explain_key_block(hs);

    int client = hs->env.role == LT_ROLE_CLIENT;
    const lt_rc_keys keys_w = record_keys(hs, client);
    const lt_rc_keys keys_r = record_keys(hs, !client);
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
