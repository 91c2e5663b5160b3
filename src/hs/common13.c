/*
 * TLS 1.3 steps both roles share (RFC 8446 4.4, 4.6.3, 7): the secrets of
 * each stage with the transcript hash they cover, record keys per epoch,
 * Finished, what CertificateVerify signs, the middlebox ChangeCipherSpec and
 * KeyUpdate.
 */
#include <stdio.h>
#include <string.h>

#include "base/ct.h"
#include "hs/hs_int.h"

/* 4.4.3: the context strings of the two CertificateVerify signatures. */
static const char CV_SERVER[] = "TLS 1.3, server CertificateVerify";
static const char CV_CLIENT[] = "TLS 1.3, client CertificateVerify";

static lt_hash_alg suite_hash(const lt_hs *hs)
{
    return hs->session.suite->prf_hash;
}

static size_t hash_len(const lt_hs *hs)
{
    return lt_hash_len(suite_hash(hs));
}

static int transcript_hash(const lt_hs *hs, uint8_t out[LT_MAX_HASH_LEN])
{
    size_t n = 0;
    return lt_transcript_hash(&hs->h12->transcript, out, &n);
}

/* The key log line (NSS SSLKEYLOGFILE format) and the narration of a
 * secret: its name, what it covers, and (only when asked) its value. */
static void note_secret(lt_hs *hs, const char *label, const char *keylog_name, const uint8_t *secret,
                        const char *covers)
{
    size_t n = hash_len(hs);
    if (keylog_name != NULL) {
        lt_keylog(lt_hs_tr(hs), keylog_name, hs->session.client_random, secret, n);
    }
    if (!lt_hs_tracing(hs)) {
        return;
    }
    char len_s[16];
    snprintf(len_s, sizeof len_s, "%zu", n);
    lt_field f[3] = {lt_fld_text("covers", covers), lt_fld_text("length", len_s),
                     lt_hs_secret(hs, "secret", secret, n)};
    LT_HS_TRACE(hs, LT_EV_KEY_DERIVE, label, "RFC 8446 7.1", NULL, f, 3);
}

int lt_hs13_handshake_secrets(lt_hs *hs, uint8_t *dhe, size_t dhe_len)
{
    lt_hs13 *h = hs->h13;
    uint8_t th[LT_MAX_HASH_LEN], early[LT_MAX_HASH_LEN];
    /* 7.1: Early Secret = HKDF-Extract(0, PSK), with a string of zeros
     * for the PSK in a full handshake. (A copy for the narration: the
     * handshake secret replaces it.) */
    int rc = lt_ks13_early(&h->ks, suite_hash(hs), h->psk_len > 0 ? h->psk : NULL, h->psk_len);
    memcpy(early, h->ks.early, sizeof early);
    if (rc == LT_OK) {
        rc = lt_ks13_handshake(&h->ks, dhe, dhe_len);
    }
    lt_wipe(dhe, dhe_len);
    if (rc != LT_OK) {
        lt_wipe(early, sizeof early);
        return rc;
    }
    LT_GUARD(transcript_hash(hs, th));
    LT_GUARD(lt_ks13_derive_secret(&h->ks, h->ks.handshake, "c hs traffic", th, h->c_hs));
    LT_GUARD(lt_ks13_derive_secret(&h->ks, h->ks.handshake, "s hs traffic", th, h->s_hs));
    if (lt_hs_tracing(hs)) {
        lt_field f[2] = {lt_hs_secret(hs, "secret", h->ks.handshake, hash_len(hs)),
                         lt_hs_secret(hs, "early_secret", early, hash_len(hs))};
        LT_HS_TRACE(hs, LT_EV_KEY_DERIVE, "handshake_secret", "RFC 8446 7.1",
                    "HKDF-Extract(salt = Derive-Secret(early_secret, \"derived\", \"\"), IKM = the (EC)DHE shared "
                    "secret): the pre-master secret's role in TLS 1.3",
                    f, 2);
    }
    lt_wipe(early, sizeof early);
    note_secret(hs, "client_handshake_traffic_secret", "CLIENT_HANDSHAKE_TRAFFIC_SECRET", h->c_hs,
                "Derive-Secret(handshake_secret, \"c hs traffic\", ClientHello..ServerHello)");
    note_secret(hs, "server_handshake_traffic_secret", "SERVER_HANDSHAKE_TRAFFIC_SECRET", h->s_hs,
                "Derive-Secret(handshake_secret, \"s hs traffic\", ClientHello..ServerHello)");
    hs->proof |= LT_PROOF_KEYS_DERIVED;
    return LT_OK;
}

int lt_hs13_application_secrets(lt_hs *hs)
{
    lt_hs13 *h = hs->h13;
    uint8_t th[LT_MAX_HASH_LEN], c_ap[LT_MAX_HASH_LEN], s_ap[LT_MAX_HASH_LEN];
    LT_GUARD(lt_ks13_master(&h->ks));
    LT_GUARD(transcript_hash(hs, th));
    int rc = lt_ks13_derive_secret(&h->ks, h->ks.master, "c ap traffic", th, c_ap);
    if (rc == LT_OK) {
        rc = lt_ks13_derive_secret(&h->ks, h->ks.master, "s ap traffic", th, s_ap);
    }
    if (rc == LT_OK) {
        rc = lt_ks13_derive_secret(&h->ks, h->ks.master, "exp master", th, hs->session.exporter_secret);
    }
    if (rc != LT_OK) {
        lt_wipe(c_ap, sizeof c_ap);
        lt_wipe(s_ap, sizeof s_ap);
        return rc;
    }
    hs->session.secret_len = hash_len(hs);
    int client = hs->env.role == LT_ROLE_CLIENT;
    memcpy(hs->app_write, client ? c_ap : s_ap, sizeof c_ap);
    memcpy(hs->app_read, client ? s_ap : c_ap, sizeof c_ap);
    lt_keylog(lt_hs_tr(hs), "CLIENT_TRAFFIC_SECRET_0", hs->session.client_random, c_ap, hash_len(hs));
    if (lt_hs_tracing(hs)) {
        /* The Master Secret rides with the first secret made from it. */
        char len_s[16];
        snprintf(len_s, sizeof len_s, "%zu", hash_len(hs));
        lt_field f[4] = {
            lt_fld_text("covers", "Derive-Secret(master_secret, \"c ap traffic\", ClientHello..server Finished)"),
            lt_fld_text("length", len_s), lt_hs_secret(hs, "secret", c_ap, hash_len(hs)),
            lt_hs_secret(hs, "master_secret", h->ks.master, hash_len(hs))};
        LT_HS_TRACE(hs, LT_EV_KEY_DERIVE, "client_application_traffic_secret_0", "RFC 8446 7.1", NULL, f, 4);
    }
    note_secret(hs, "server_application_traffic_secret_0", "SERVER_TRAFFIC_SECRET_0", s_ap,
                "Derive-Secret(master_secret, \"s ap traffic\", ClientHello..server Finished)");
    note_secret(hs, "exporter_master_secret", "EXPORTER_SECRET", hs->session.exporter_secret,
                "Derive-Secret(master_secret, \"exp master\", ClientHello..server Finished)");
    lt_wipe(c_ap, sizeof c_ap);
    lt_wipe(s_ap, sizeof s_ap);
    return LT_OK;
}

int lt_hs13_resumption_secret(lt_hs *hs)
{
    uint8_t th[LT_MAX_HASH_LEN];
    LT_GUARD(transcript_hash(hs, th));
    LT_GUARD(lt_ks13_derive_secret(&hs->h13->ks, hs->h13->ks.master, "res master", th, hs->session.resumption_secret));
    note_secret(hs, "resumption_master_secret", NULL, hs->session.resumption_secret,
                "Derive-Secret(master_secret, \"res master\", ClientHello..client Finished)");
    return LT_OK;
}

int lt_hs13_install_keys(lt_hs *hs, const uint8_t *secret, int write, const char *what)
{
    const lt_suite *s = hs->session.suite;
    uint8_t key[LT_MAX_TLS13_KEY_LEN], iv[LT_TLS13_IV_LEN];
    LT_GUARD(lt_ks13_traffic_keys(s->prf_hash, s->cipher, secret, key, iv));
    lt_rc_keys k = {.version = LT_TLS1_3, .cipher = s->cipher, .mac = LT_MAC_NONE, .key = key, .iv = iv};
    lt_rc *rc = lt_rc_new(&k, write);
    if (lt_hs_tracing(hs)) {
        lt_field f[3] = {lt_fld_text("cipher", s->cipher_text),
                         lt_hs_secret(hs, "key", key, lt_cipher_key_len(s->cipher)),
                         lt_hs_secret(hs, "iv", iv, sizeof iv)};
        char name[96];
        snprintf(name, sizeof name, "%s_keys", what);
        LT_HS_TRACE(hs, LT_EV_KEY_DERIVE, name, "RFC 8446 7.3",
                    write ? "key = HKDF-Expand-Label(secret, \"key\", \"\", key_length), iv = ...(\"iv\", 12): our "
                            "records from here on"
                          : "key = HKDF-Expand-Label(secret, \"key\", \"\", key_length), iv = ...(\"iv\", 12): the "
                            "peer's records from here on",
                    f, 3);
    }
    lt_wipe(key, sizeof key);
    lt_wipe(iv, sizeof iv);
    LT_ENSURE(rc != NULL, LT_ERR_CRYPTO);
    if (write) {
        lt_hs_install_write_keys(hs, rc);
    } else {
        lt_hs_install_read_keys(hs, rc);
    }
    return LT_OK;
}

/* verify_data over the transcript so far, with the Finished key of
 * base_key (4.4.4), narrated. */
static int finished_for(lt_hs *hs, const uint8_t *base_key, int from_client, uint8_t out[LT_MAX_HASH_LEN])
{
    uint8_t th[LT_MAX_HASH_LEN];
    LT_GUARD(transcript_hash(hs, th));
    LT_GUARD(lt_ks13_finished(suite_hash(hs), base_key, th, out));
    if (lt_hs_tracing(hs)) {
        const lt_transcript *t = &hs->h12->transcript;
        char covers[256];
        snprintf(covers, sizeof covers, "%s (%u messages, %zu bytes)", t->covers, t->n_msgs, t->total_len);
        lt_field f[4] = {lt_fld_text("key", from_client ? "finished_key from client_handshake_traffic_secret"
                                                        : "finished_key from server_handshake_traffic_secret"),
                         lt_fld_bytes("transcript_hash", th, hash_len(hs)),
                         lt_fld_bytes("verify_data", out, hash_len(hs)), lt_fld_text("covers", covers)};
        LT_HS_TRACE(hs, LT_EV_KEY_DERIVE, from_client ? "client_finished" : "server_finished", "RFC 8446 4.4.4",
                    "verify_data = HMAC(finished_key, Transcript-Hash(handshake so far)), finished_key = "
                    "HKDF-Expand-Label(traffic secret, \"finished\", \"\", Hash.length)",
                    f, 4);
    }
    return LT_OK;
}

int lt_hs13_send_finished(lt_hs *hs, const uint8_t *base_key)
{
    uint8_t verify[LT_MAX_HASH_LEN];
    LT_GUARD(finished_for(hs, base_key, hs->env.role == LT_ROLE_CLIENT, verify));
    lt_wr w;
    LT_GUARD(lt_hs_scratch(hs, 4 + LT_MAX_HASH_LEN, &w));
    lt_write_finished13(&w, verify, hash_len(hs));
    LT_GUARD(lt_wr_finish(&w));
    lt_field f = lt_fld_bytes("verify_data", verify, hash_len(hs));
    return lt_hs_send(hs, w.base, w.off, &f, 1);
}

int lt_hs13_check_finished(lt_hs *hs, const uint8_t *base_key, const uint8_t *body, size_t len)
{
    const uint8_t *got;
    size_t n = hash_len(hs);
    int rc = lt_parse_finished13(body, len, n, &got);
    if (rc != LT_OK) {
        return lt_hs_fail(hs, rc, "Finished must carry exactly %zu bytes of verify_data (the hash length), got %zu", n,
                          len);
    }
    int peer_is_client = hs->env.role == LT_ROLE_SERVER;
    uint8_t want[LT_MAX_HASH_LEN];
    LT_GUARD(finished_for(hs, base_key, peer_is_client, want));
    /* 4.4.4: "Recipients of Finished messages MUST verify that the contents
     * are correct and if incorrect MUST terminate the connection with a
     * decrypt_error alert." Compared in constant time. */
    int match = lt_ct_eq(got, want, n);
    LT_CF_PUBLIC(&match, sizeof match);
    lt_field f[2] = {lt_fld_bytes("verify_data", got, n), lt_fld_text("result", match ? "match" : "mismatch")};
    LT_HS_TRACE(hs, LT_EV_MSG_RECV, "Finished", "RFC 8446 4.4.4", NULL, f, 2);
    if (!match) {
        return lt_hs_fail(hs, LT_ERR_DECRYPT_ERROR,
                          "%s Finished verify_data mismatch: the handshake was altered or the keys differ",
                          peer_is_client ? "client" : "server");
    }
    hs->proof |= LT_PROOF_FINISHED_OK;
    uint8_t msg[4 + LT_MAX_HASH_LEN] = {LT_HS_FINISHED, 0, 0, (uint8_t)n};
    memcpy(msg + 4, got, n);
    return lt_transcript_add(&hs->h12->transcript, msg, 4 + n, "Finished");
}

size_t lt_hs13_cv_content(const lt_hs *hs, int server, uint8_t out[LT_CV_CONTENT_MAX])
{
    const char *ctx = server ? CV_SERVER : CV_CLIENT;
    size_t ctx_len = strlen(ctx);
    memset(out, 0x20, 64);
    memcpy(out + 64, ctx, ctx_len);
    out[64 + ctx_len] = 0;
    size_t th_len = 0;
    if (lt_transcript_hash(&hs->h12->transcript, out + 65 + ctx_len, &th_len) != LT_OK) {
        return 0;
    }
    return 65 + ctx_len + th_len;
}

int lt_hs13_send_compat_ccs(lt_hs *hs)
{
    if (hs->h13->ccs_sent) {
        return LT_OK;
    }
    hs->h13->ccs_sent = 1;
    LT_GUARD(lt_hs_send_ccs_record(hs));
    LT_HS_TRACE(hs, LT_EV_CCS_SENT, "ChangeCipherSpec", "RFC 8446 D.4",
                "a dummy one, so that middleboxes that know only TLS 1.2 let the handshake through; it changes "
                "nothing",
                NULL, 0);
    return LT_OK;
}

/* ---- KeyUpdate (4.6.3, 7.2) ---- */

static int next_generation(lt_hs *hs, uint8_t *secret, int write)
{
    LT_GUARD(lt_ks13_update_traffic_secret(suite_hash(hs), secret));
    return lt_hs13_install_keys(hs, secret, write, write ? "our_updated_traffic" : "peer_updated_traffic");
}

static int send_key_update(lt_hs *hs, int request_peer)
{
    uint8_t msg[5];
    lt_wr w = lt_wr_init(msg, sizeof msg);
    lt_write_key_update(&w, request_peer);
    LT_GUARD(lt_wr_finish(&w));
    lt_field f = lt_fld_text("request_update", request_peer ? "update_requested" : "update_not_requested");
    /* Sent under the old keys; everything after it under the new ones. */
    LT_GUARD(lt_hs_send(hs, msg, w.off, &f, 1));
    return next_generation(hs, hs->app_write, 1);
}

int lt_hs_key_update(lt_hs *hs, int request_peer)
{
    LT_ENSURE(hs->state == LT_ST_CONNECTED && hs->session.version == LT_TLS1_3, LT_ERR_USAGE);
    return send_key_update(hs, request_peer != 0);
}

int lt_hs13_on_key_update(lt_hs *hs, const uint8_t *body, size_t len)
{
    int requested = 0;
    int rc = lt_parse_key_update(body, len, &requested);
    if (rc != LT_OK) {
        return lt_hs_fail(hs, rc, "malformed KeyUpdate (%zu bytes; request_update must be 0 or 1)", len);
    }
    lt_field f = lt_fld_text("request_update", requested ? "update_requested" : "update_not_requested");
    LT_HS_TRACE(hs, LT_EV_MSG_RECV, "KeyUpdate", "RFC 8446 4.6.3",
                requested ? "the peer changes its keys and asks us to change ours" : "the peer changes its keys", &f,
                1);
    /* 7.2: the peer's next records use application_traffic_secret_N+1. */
    LT_GUARD(next_generation(hs, hs->app_read, 0));
    /* 4.6.3: on update_requested the receiver "MUST send a KeyUpdate of its
     * own with request_update set to update_not_requested prior to sending
     * its next Application Data record" (never requesting one back, so two
     * peers cannot ping-pong). */
    if (requested) {
        LT_GUARD(send_key_update(hs, 0));
    }
    return LT_ST_CONNECTED;
}

/* ---- Exporters ---- */

int lt_hs_export(const lt_hs *hs, const char *label, size_t label_len, const uint8_t *context, size_t context_len,
                 int has_context, uint8_t *out, size_t out_len)
{
    LT_ENSURE(hs->state == LT_ST_CONNECTED, LT_ERR_USAGE);
    const lt_session *s = &hs->session;
    if (s->version == LT_TLS1_3) {
        /* 7.5: no context and an empty one are the same. */
        return lt_ks13_export(s->suite->prf_hash, s->exporter_secret, label, label_len, has_context ? context : NULL,
                              has_context ? context_len : 0, out, out_len);
    }
    return lt_ks12_export(s->suite->prf_hash, s->master_secret, s->client_random, s->server_random, label, label_len,
                          context, context_len, has_context, out, out_len);
}
