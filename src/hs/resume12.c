/*
 * TLS 1.2 resumption: the abbreviated handshake (RFC 5246 7.3) by session
 * ID (7.4.1.2) or by an RFC 5077 session ticket, with the RFC 7627 5.3
 * rules for the extended master secret.
 *
 * A session is its master secret and what it was negotiated with (version,
 * suite, EMS, server name). The server keeps it in one of two ways:
 *   - a ticket (RFC 5077) when the client asks for one: the session sealed
 *     under the same ticket keys and in the same lt_ticket_state format as
 *     TLS 1.3 tickets (the psk field holds the master secret), sent in a
 *     NewSessionTicket before the server's ChangeCipherSpec; our
 *     ServerHello then has an empty session ID, as OpenSSL's has;
 *   - otherwise a 32-byte random session ID, with the same serialized
 *     session in the session cache (or the application's store).
 * An abbreviated handshake skips the certificate and the key exchange: the
 * keys come from the session's master secret and the new randoms, and the
 * Finished messages prove that both sides hold it. Anything that does not
 * fit (unknown key, tampered ticket, expired, another suite or name) gives
 * a full handshake, never an error; only the EMS rules abort.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "crypto/ticket.h"
#include "hs/hs_int.h"
#include "hs/messages_resume12.h"
#include "hs/session_cache.h"

#define MAX_SESSION_BLOB 1024               /* an encoded lt_ticket_state (ours are under 700 bytes) */
#define MAX_CLIENT_LIFETIME_S (7u * 86400u) /* we keep no session longer than a week */
#define DEFAULT_CLIENT_LIFETIME_S 7200u     /* when the server gives no hint (RFC 5077 3.3: 0) */

static void trace_resumption(lt_hs *hs, const char *rfc, const char *why)
{
    LT_HS_TRACE(hs, LT_EV_CHOICE, "resumption", rfc, why, NULL, 0);
}

static void mark_resumed(lt_hs *hs)
{
    hs->shape |= LT_SHAPE_RESUMED;
    hs->shape &= ~LT_SHAPE_FULL;
}

static int tickets_on(const lt_hs_policy *p)
{
    return p->ticket_keys != NULL && p->n_tickets > 0;
}

/* ---- the client ---- */

/* Why the stored session cannot be offered in the TLS 1.2 way, or NULL. */
static const char *not_offerable(const lt_hs *hs, const lt_client_session *s, uint64_t now_ms)
{
    const lt_suite *suite = lt_suite_find(s->suite);
    if (s->version != LT_TLS1_2) {
        return NULL; /* a TLS 1.3 session: resume13.c's */
    }
    if (suite == NULL || suite->version != LT_TLS1_2 || !lt_hs_policy_has_suite(hs->env.policy, s->suite) ||
        s->psk_len != LT_MASTER_SECRET_LEN) {
        return "its cipher suite is not one we offer now (RFC 5246 7.4.1.2: the ClientHello must offer it)";
    }
    if (now_ms < s->received_ms || now_ms - s->received_ms >= (uint64_t)s->lifetime_s * 1000u) {
        return "the session's lifetime is over";
    }
    if (strcmp(s->sni, hs->hostname) != 0) {
        return "the session is for another server name (RFC 6066 3)";
    }
    /* RFC 7627 5.3: "The client SHOULD NOT offer an abbreviated handshake
     * to resume a session that does not use an extended master secret."
     * Only a client configured without EMS still offers one. */
    if (!s->ems && hs->env.policy->ems) {
        return "the session has no extended master secret (RFC 7627 5.3: do not resume it)";
    }
    return "";
}

int lt_hs12_client_offer(lt_hs *hs, lt_client_hello_params *p)
{
    lt_hs12 *h = hs->h12;
    /* RFC 5077 3.2: an empty SessionTicket asks the server for a ticket. */
    h->ticket_ext = 1;
    p->session_ticket_ext = 1;
    const lt_client_session *s = hs->offer;
    const char *why = s != NULL ? not_offerable(hs, s, lt_wall_ms()) : NULL;
    if (why == NULL) {
        return LT_OK;
    }
    if (why[0] != '\0') {
        trace_resumption(hs, "RFC 5246 7.4.1.2", why);
        return LT_OK;
    }
    h->resume_offered = 1;
    /* RFC 5077 3.4: with a ticket the client may send a session ID of its
     * own, which the server echoes when it accepts: that is how we tell. */
    if (s->session_id_len > 0) {
        memcpy(h->session_id, s->session_id, s->session_id_len);
        h->session_id_len = s->session_id_len;
    } else {
        h->session_id_len = LT_MAX_SESSION_ID;
        LT_GUARD(lt_random(h->session_id, h->session_id_len));
    }
    p->session_id = h->session_id;
    p->session_id_len = h->session_id_len;
    /* The TLS 1.3 offer's compatibility session ID is this one (RFC 8446
     * D.4 lets it be any 32 bytes): one ClientHello, one session ID. */
    memcpy(hs->h13->session_id, h->session_id, h->session_id_len);
    hs->h13->session_id_len = h->session_id_len;
    p->session_ticket = s->ticket;
    p->session_ticket_len = s->ticket_len;
    /* RFC 7627 5.3: "When offering an abbreviated handshake, the client
     * MUST send the extended_master_secret extension" (for an EMS session;
     * a legacy one is offered only by a client without EMS). */
    if (s->ems) {
        p->ems = 1;
        h->offered_ems = 1;
    }
    lt_field f[2] = {lt_fld_bytes("session_id", h->session_id, h->session_id_len),
                     lt_fld_bytes("ticket", s->ticket, s->ticket_len)};
    LT_HS_TRACE(hs, LT_EV_CHOICE, "resumption_offer12", s->ticket_len > 0 ? "RFC 5077 3.4" : "RFC 5246 7.4.1.2",
                s->ticket_len > 0
                    ? "Bob offers the session from last time by its ticket (and a session ID Alice echoes if she "
                      "takes it): if she can open the ticket, they skip the certificate and the key exchange"
                    : "Bob offers the session from last time by its session ID: if Alice still has it, they skip the "
                      "certificate and the key exchange",
                f, 2);
    return LT_OK;
}

/* RFC 5246 7.4.1.3: "For resumed sessions, this field [cipher_suite] is
 * the value from the state of the session being resumed"; RFC 7627 5.3:
 * the EMS of the ServerHello must be the session's, else abort. */
static int check_resumed_server_hello(lt_hs *hs, const lt_server_hello *sh, const lt_client_session *s)
{
    if (sh->cipher_suite != s->suite) {
        return lt_hs_fail(hs, LT_ERR_ILLEGAL_PARAMETER,
                          "the server resumes our session with cipher suite 0x%04x; the session's is 0x%04x (RFC "
                          "5246 7.4.1.3)",
                          sh->cipher_suite, s->suite);
    }
    int sh_ems = (sh->ext_seen & LT_SEEN_EMS) != 0;
    if (sh_ems != s->ems) {
        return lt_hs_fail(hs, LT_ERR_HANDSHAKE_FAILURE,
                          s->ems ? "the server resumes a session that used the extended master secret without "
                                   "extended_master_secret in its ServerHello (RFC 7627 5.3)"
                                 : "the server resumes a session without an extended master secret but its "
                                   "ServerHello has extended_master_secret (RFC 7627 5.3)");
    }
    return LT_OK;
}

int lt_hs12_client_on_server_hello(lt_hs *hs, const lt_server_hello *sh)
{
    lt_hs12 *h = hs->h12;
    if (sh->session_ticket) {
        hs->shape |= LT_SHAPE_TICKET; /* RFC 5077 3.2: a NewSessionTicket is coming */
    }
    const lt_client_session *s = hs->offer;
    int echoed = h->resume_offered && sh->session_id_len == h->session_id_len && sh->session_id_len > 0 &&
                 memcmp(sh->session_id, h->session_id, h->session_id_len) == 0;
    if (!echoed) {
        /* A full handshake: the server's session ID (maybe empty) is the
         * new session's. */
        memcpy(h->server_sid, sh->session_id, sh->session_id_len);
        h->server_sid_len = sh->session_id_len;
        if (h->resume_offered) {
            trace_resumption(hs, "RFC 5246 7.4.1.3",
                             "Alice did not echo our session ID: she does not resume the session (a full handshake)");
        }
        return 0;
    }
    LT_GUARD(check_resumed_server_hello(hs, sh, s));
    memcpy(h->server_sid, s->session_id, s->session_id_len);
    h->server_sid_len = s->session_id_len;
    hs->session.ems = s->ems;
    memcpy(hs->session.master_secret, s->psk, LT_MASTER_SECRET_LEN);
    hs->session.master_secret_len = LT_MASTER_SECRET_LEN;
    mark_resumed(hs);
    lt_field f = lt_hs_secret(hs, "master_secret", hs->session.master_secret, LT_MASTER_SECRET_LEN);
    LT_HS_TRACE(hs, LT_EV_CHOICE, "resumption", "RFC 5246 7.3",
                "Alice echoed our session ID: she resumes the session. No certificate and no key exchange this time; "
                "the master secret is the session's, and new keys come from it and the two new randoms",
                &f, 1);
    LT_GUARD(lt_hs12_keys_from_master(hs));
    return 1;
}

/* The client's session to keep (hs->ticket), allocated once. */
static int ensure_ticket(lt_hs *hs)
{
    if (hs->ticket == NULL) {
        hs->ticket = calloc(1, sizeof *hs->ticket);
    }
    return hs->ticket != NULL ? LT_OK : LT_ERR_NOMEM;
}

int lt_client12_on_new_session_ticket(lt_hs *hs, const uint8_t *body, size_t len)
{
    lt_new_session_ticket12 t;
    int rc = lt_parse_new_session_ticket12(body, len, &t);
    if (rc != LT_OK) {
        return lt_hs_fail(hs, rc, "malformed NewSessionTicket (%zu bytes; RFC 5077 3.3)", len);
    }
    size_t n = lt_rd_left(&t.ticket);
    char hint[24];
    snprintf(hint, sizeof hint, "%u s", t.lifetime_hint);
    lt_field f[2] = {lt_fld_text("lifetime_hint", hint), lt_fld_bytes("ticket", t.ticket.p, n)};
    LT_HS_TRACE(hs, LT_EV_MSG_RECV, "NewSessionTicket", "RFC 5077 3.3",
                n == 0                      ? "an empty ticket: Alice has none for us after all"
                : n > LT_SESSION_MAX_TICKET ? "a ticket too large to keep; ignored"
                                            : "the session sealed under a key only Alice has; we keep it to resume",
                f, 2);
    if (n == 0 || n > LT_SESSION_MAX_TICKET) {
        return LT_ST_CLIENT_WAIT_CCS;
    }
    LT_GUARD(ensure_ticket(hs));
    lt_wipe(hs->ticket, sizeof *hs->ticket);
    memcpy(hs->ticket->ticket, t.ticket.p, n);
    hs->ticket->ticket_len = (uint16_t)n;
    uint32_t life = t.lifetime_hint == 0 ? DEFAULT_CLIENT_LIFETIME_S : t.lifetime_hint;
    hs->ticket->lifetime_s = life > MAX_CLIENT_LIFETIME_S ? MAX_CLIENT_LIFETIME_S : life;
    hs->h12->got_ticket = 1;
    return LT_ST_CLIENT_WAIT_CCS;
}

int lt_hs12_client_keep_session(lt_hs *hs)
{
    lt_hs12 *h = hs->h12;
    /* Resumed and given no new ticket: the offered session goes on as it
     * was (by its ticket, or by its ID with a ticket beside it). */
    if (!h->got_ticket && (hs->shape & LT_SHAPE_RESUMED) && hs->offer != NULL &&
        (h->server_sid_len == 0 || hs->offer->ticket_len > 0)) {
        LT_GUARD(ensure_ticket(hs));
        *hs->ticket = *hs->offer;
        return LT_OK;
    }
    if (!h->got_ticket && h->server_sid_len == 0) {
        return LT_OK; /* nothing the server lets us resume */
    }
    if (!h->got_ticket) {
        LT_GUARD(ensure_ticket(hs));
        lt_wipe(hs->ticket, sizeof *hs->ticket);
        hs->ticket->lifetime_s = DEFAULT_CLIENT_LIFETIME_S;
    }
    lt_client_session *s = hs->ticket;
    const lt_session *ss = &hs->session;
    s->version = LT_TLS1_2;
    s->suite = ss->suite->id;
    memcpy(s->psk, ss->master_secret, LT_MASTER_SECRET_LEN);
    s->psk_len = LT_MASTER_SECRET_LEN;
    s->ems = (uint8_t)(ss->ems != 0);
    memcpy(s->session_id, h->server_sid, h->server_sid_len);
    s->session_id_len = h->server_sid_len;
    s->received_ms = lt_wall_ms();
    snprintf(s->sni, sizeof s->sni, "%s", ss->sni);
    return LT_OK;
}

int lt_client12_on_resumed_finished(lt_hs *hs, const uint8_t *body, size_t len)
{
    LT_GUARD(lt_hs_check_finished(hs, body, len));
    LT_GUARD(lt_hs12_client_keep_session(hs));
    /* RFC 5246 7.3 (abbreviated handshake): the client answers with its
     * own ChangeCipherSpec and Finished. */
    LT_GUARD(lt_hs_send_ccs(hs));
    LT_GUARD(lt_hs_send_finished(hs));
    return LT_ST_CONNECTED;
}

/* ---- the server ---- */

/* Why a session we found cannot be resumed with this ClientHello (NULL: it
 * can); a full handshake follows. *ems_abort is set for the one case RFC
 * 7627 5.3 makes fatal. */
static const char *unusable(const lt_hs *hs, const lt_client_hello *ch, const lt_ticket_state *st, uint64_t now_s,
                            int *ems_abort)
{
    const lt_hs_policy *p = hs->env.policy;
    const lt_suite *suite = lt_suite_find(st->suite);
    int ch_ems = (ch->ext_seen & LT_SEEN_EMS) != 0;
    *ems_abort = 0;
    if (st->version != LT_TLS1_2 || st->psk_len != LT_MASTER_SECRET_LEN) {
        return "not a TLS 1.2 session";
    }
    /* RFC 5246 7.4.1.3: "the server MUST resume with the same cipher
     * suite"; 7.4.1.2: the client MUST offer it. */
    if (suite == NULL || suite->version != LT_TLS1_2 || !lt_hs_policy_has_suite(p, st->suite) ||
        !lt_u16_list_has(ch->suites, st->suite)) {
        return "the session's cipher suite is not one both of us offer now";
    }
    /* RFC 6066 3: the server "MUST NOT accept the request to resume the
     * session if the server_name extension contains a different name". */
    if (strcmp(st->sni, (ch->ext_seen & LT_SEEN_SNI) ? ch->sni : "") != 0) {
        return "the session is for another server name (RFC 6066 3)";
    }
    if (now_s < st->issued_s || now_s - st->issued_s >= st->lifetime_s) {
        return "the session's lifetime is over";
    }
    if (!lt_hs_session_meets_client_auth(hs, st)) {
        return "the session's client gave no certificate, and we require one: he must show it again";
    }
    if (st->ems && !ch_ems) {
        *ems_abort = 1;
        return "the session used the extended master secret and this ClientHello does not offer it";
    }
    if (!st->ems && ch_ems) {
        return "the session has no extended master secret and this ClientHello offers it (RFC 7627 5.3: a full "
               "handshake)";
    }
    if (!st->ems) {
        /* RFC 7627 5.3: neither has it; the server "SHOULD abort". We do a
         * full handshake instead: as safe, and a legacy client still
         * connects. */
        return "the session has no extended master secret (RFC 7627 5.3: not resumed)";
    }
    return NULL;
}

/* The session in a ticket, or none (unknown key, tampered, not ours). */
static int open_ticket(lt_hs *hs, const lt_client_hello *ch, uint64_t now_s, lt_ticket_state *st)
{
    uint8_t pt[MAX_SESSION_BLOB];
    size_t pt_len = 0;
    lt_rd t = ch->session_ticket;
    int ok = lt_ticket_open(hs->env.policy->ticket_keys, now_s, t.p, lt_rd_left(&t), pt, sizeof pt, &pt_len) == LT_OK &&
             lt_ticket_state_decode(pt, pt_len, st) == LT_OK;
    lt_wipe(pt, sizeof pt);
    if (!ok) {
        trace_resumption(hs, "RFC 5077 3.4",
                         "a ticket we cannot open (another server's key, an old key, or tampered): a full handshake");
        return 0;
    }
    /* RFC 5077 3.3: resuming, the server may issue a new ticket. We do when
     * this one is sealed under a key that no longer seals (a rotation, or a
     * fleet's new key) or has lived half its lifetime; otherwise the client
     * keeps using it (as OpenSSL does), which saves a seal and a message. */
    hs->h12->renew_ticket = !lt_ticket_sealed_by_current_key(hs->env.policy->ticket_keys, now_s, t.p, lt_rd_left(&t)) ||
                            now_s < st->issued_s || now_s - st->issued_s >= st->lifetime_s / 2;
    return 1;
}

/* The session under a session ID, from the application's store or our
 * cache, or none. */
static int look_up_id(lt_hs *hs, const lt_client_hello *ch, uint64_t now_s, lt_ticket_state *st, int quiet)
{
    const lt_hs_policy *p = hs->env.policy;
    uint8_t blob[MAX_SESSION_BLOB];
    size_t len = 0;
    int found = 0;
    if (p->store.get != NULL) {
        found = p->store.get(p->store.arg, ch->session_id, ch->session_id_len, blob, sizeof blob, &len) == 1 &&
                len <= sizeof blob;
    } else if (p->cache != NULL) {
        found = lt_session_cache_get(p->cache, ch->session_id, ch->session_id_len, now_s, blob, sizeof blob, &len);
    }
    found = found && lt_ticket_state_decode(blob, len, st) == LT_OK;
    lt_wipe(blob, sizeof blob);
    if (!found && !quiet) {
        trace_resumption(hs, "RFC 5246 7.4.1.2",
                         "Bob offers a session ID we do not have (never ours, expired or evicted): a full handshake");
    }
    return found;
}

/* Takes the session: suite, master secret, EMS. */
static void resume_session(lt_hs *hs, const lt_client_hello *ch, const lt_ticket_state *st, int by_ticket)
{
    lt_hs12 *h = hs->h12;
    h->resumed_by_ticket = by_ticket;
    hs->session.suite = lt_suite_find(st->suite);
    memcpy(hs->session.master_secret, st->psk, LT_MASTER_SECRET_LEN);
    hs->session.master_secret_len = LT_MASTER_SECRET_LEN;
    h->resume_ems = st->ems;
    lt_hs_inherit_client_auth(hs, st);
    /* RFC 5246 7.4.1.3 / RFC 5077 3.4: the ServerHello echoes the
     * ClientHello's session ID. */
    memcpy(h->session_id, ch->session_id, ch->session_id_len);
    h->session_id_len = ch->session_id_len;
    mark_resumed(hs);
    lt_field f = lt_hs_secret(hs, "master_secret", st->psk, LT_MASTER_SECRET_LEN);
    LT_HS_TRACE(hs, LT_EV_CHOICE, "resumption", by_ticket ? "RFC 5077 3.1" : "RFC 5246 7.3",
                by_ticket ? "Bob's ticket opens under our key and its session fits this ClientHello (same suite, "
                            "name and extended master secret): the session resumes with its master secret, no "
                            "certificate and no key exchange"
                          : "Bob's session ID is in our cache and the session fits this ClientHello (same suite, "
                            "name and extended master secret): the session resumes with its master secret, no "
                            "certificate and no key exchange",
                &f, 1);
}

/* A session under an ID that this ClientHello could not resume: the
 * client will get a new one, so the old entry only takes room. */
static void forget_id(lt_hs *hs, const lt_client_hello *ch, int by_ticket)
{
    const lt_hs_policy *p = hs->env.policy;
    if (by_ticket) {
        return;
    }
    if (p->store.get != NULL) {
        if (p->store.remove != NULL) {
            p->store.remove(p->store.arg, ch->session_id, ch->session_id_len);
        }
    } else {
        lt_session_cache_remove(p->cache, ch->session_id, ch->session_id_len);
    }
}

/* 1 resume, 0 not this one, or the EMS abort. */
static int judge(lt_hs *hs, const lt_client_hello *ch, lt_ticket_state *st, uint64_t now_s, int by_ticket)
{
    int ems_abort = 0;
    const char *why = unusable(hs, ch, st, now_s, &ems_abort);
    if (ems_abort) {
        lt_wipe(st, sizeof *st);
        /* RFC 7627 5.3: "If the original session used the
         * extended_master_secret extension but the new ClientHello does not
         * contain it, the server MUST abort the abbreviated handshake." */
        return lt_hs_fail(hs, LT_ERR_HANDSHAKE_FAILURE,
                          "the client resumes a session that used the extended master secret without "
                          "extended_master_secret in its ClientHello (RFC 7627 5.3)");
    }
    if (why != NULL) {
        trace_resumption(hs, by_ticket ? "RFC 5077 3.4" : "RFC 5246 7.4.1.2", why);
        lt_wipe(st, sizeof *st);
        forget_id(hs, ch, by_ticket);
        return 0;
    }
    resume_session(hs, ch, st, by_ticket);
    lt_wipe(st, sizeof *st);
    return 1;
}

int lt_hs12_server_try_resume(lt_hs *hs, const lt_client_hello *ch)
{
    const lt_hs_policy *p = hs->env.policy;
    uint64_t now_s = lt_wall_ms() / 1000u;
    lt_ticket_state st;
    hs->h12->ticket_ext = (ch->ext_seen & LT_SEEN_TICKET) != 0;
    if (hs->h12->ticket_ext && lt_rd_left(&ch->session_ticket) > 0 && tickets_on(p) &&
        open_ticket(hs, ch, now_s, &st)) {
        int rc = judge(hs, ch, &st, now_s, 1);
        if (rc != 0) {
            return rc;
        }
    }
    /* With a ticket, the session ID may be the client's own (RFC 5077 3.4),
     * so its absence from our cache says nothing worth telling. */
    int quiet = hs->h12->ticket_ext && lt_rd_left(&ch->session_ticket) > 0;
    if (ch->session_id_len > 0 && (p->store.get != NULL || p->cache != NULL) && look_up_id(hs, ch, now_s, &st, quiet)) {
        return judge(hs, ch, &st, now_s, 0);
    }
    return 0;
}

int lt_hs12_server_plan_session(lt_hs *hs)
{
    const lt_hs_policy *p = hs->env.policy;
    lt_hs12 *h = hs->h12;
    h->session_id_len = 0;
    if (h->ticket_ext && tickets_on(p)) {
        /* RFC 5077 3.2: the client takes tickets; we keep nothing (an empty
         * session ID, as OpenSSL sends). */
        hs->shape |= LT_SHAPE_TICKET;
        trace_resumption(hs, "RFC 5077 3.2",
                         "Bob takes session tickets: Alice will send him this session sealed in one, and keep nothing");
    } else if (p->store.get != NULL || p->cache != NULL) {
        h->session_id_len = LT_MAX_SESSION_ID;
        LT_GUARD(lt_random(h->session_id, h->session_id_len));
        trace_resumption(hs, "RFC 5246 7.4.1.2",
                         "Alice gives this session a random 32-byte ID and will keep it in her cache, so Bob can "
                         "resume it");
    }
    return LT_OK;
}

/* The session, serialized: what a ticket seals and the cache keeps. */
static int encode_session(const lt_hs *hs, uint32_t lifetime_s, uint64_t now_s, uint8_t *out, size_t cap, size_t *len)
{
    lt_ticket_state st;
    memset(&st, 0, sizeof st);
    st.version = LT_TLS1_2;
    st.suite = hs->session.suite->id;
    memcpy(st.psk, hs->session.master_secret, LT_MASTER_SECRET_LEN);
    st.psk_len = LT_MASTER_SECRET_LEN;
    st.issued_s = now_s;
    st.lifetime_s = lifetime_s;
    st.ems = (uint8_t)(hs->session.ems != 0);
    st.client_auth = (uint8_t)lt_hs_client_authenticated(hs);
    snprintf(st.sni, sizeof st.sni, "%s", hs->session.sni);
    int rc = lt_ticket_state_encode(&st, out, cap, len);
    lt_wipe(&st, sizeof st);
    return rc;
}

/* RFC 5077 3.3: NewSessionTicket, before our ChangeCipherSpec. */
static int send_ticket(lt_hs *hs)
{
    const lt_hs_policy *p = hs->env.policy;
    uint64_t now_s = lt_wall_ms() / 1000u;
    uint8_t pt[MAX_SESSION_BLOB], ticket[MAX_SESSION_BLOB + LT_TICKET_OVERHEAD];
    size_t pt_len = 0, ticket_len = 0;
    int rc = encode_session(hs, p->ticket_lifetime_s, now_s, pt, sizeof pt, &pt_len);
    if (rc == LT_OK) {
        rc = lt_ticket_seal(p->ticket_keys, now_s, pt, pt_len, ticket, sizeof ticket, &ticket_len);
    }
    lt_wipe(pt, sizeof pt);
    LT_GUARD(rc);
    uint8_t msg[sizeof ticket + 16];
    lt_wr w = lt_wr_init(msg, sizeof msg);
    lt_write_new_session_ticket12(&w, p->ticket_lifetime_s, ticket, ticket_len);
    LT_GUARD(lt_wr_finish(&w));
    char life[24];
    snprintf(life, sizeof life, "%u s", p->ticket_lifetime_s);
    lt_field f[2] = {lt_fld_text("lifetime_hint", life), lt_fld_bytes("ticket", ticket, ticket_len)};
    return lt_hs_send(hs, msg, w.off, f, 2);
}

/* The session under its ID, in the store or the cache. A failed put only
 * costs a later resumption. */
static void cache_session(lt_hs *hs)
{
    const lt_hs_policy *p = hs->env.policy;
    lt_hs12 *h = hs->h12;
    uint64_t now_s = lt_wall_ms() / 1000u;
    uint8_t blob[MAX_SESSION_BLOB];
    size_t len = 0;
    /* The cache's lifetime (lt_config_set_session_cache); a store without
     * a cache beside it gets the ticket lifetime. */
    uint32_t lifetime = p->cache != NULL ? lt_session_cache_lifetime(p->cache) : p->ticket_lifetime_s;
    if (encode_session(hs, lifetime, now_s, blob, sizeof blob, &len) == LT_OK) {
        if (p->store.put != NULL && p->store.get != NULL) {
            (void)p->store.put(p->store.arg, h->session_id, h->session_id_len, blob, len, lifetime);
        } else if (p->cache != NULL) {
            if (lt_session_cache_put(p->cache, h->session_id, h->session_id_len, blob, len, now_s) != LT_OK) {
                trace_resumption(hs, "RFC 5246 7.4.1.2", "out of memory: this session is not cached");
            }
        }
    }
    lt_wipe(blob, sizeof blob);
}

int lt_hs12_server_on_session_done(lt_hs *hs)
{
    if (hs->shape & LT_SHAPE_TICKET) {
        return send_ticket(hs);
    }
    if (hs->h12->session_id_len > 0) {
        cache_session(hs);
    }
    return LT_OK;
}

int lt_hs12_server_send_resumed_flight(lt_hs *hs, const lt_client_hello *ch)
{
    lt_hs12 *h = hs->h12;
    /* The session's EMS, which the rules above made the ClientHello's. */
    hs->session.ems = h->resume_ems;
    /* RFC 5077 3.1, 3.3: a ticket for a client that resumed by session ID
     * and takes tickets, or a fresh one when its ticket is due (above). */
    if (h->ticket_ext && tickets_on(hs->env.policy) && (!h->resumed_by_ticket || h->renew_ticket)) {
        hs->shape |= LT_SHAPE_TICKET;
    }
    LT_GUARD(lt_server12_new_random(hs));
    lt_server_hello_params p;
    lt_server12_hello_params(hs, ch, &p);
    lt_wr w;
    LT_GUARD(lt_hs_scratch(hs, 1024, &w));
    lt_write_server_hello(&w, &p);
    LT_GUARD(lt_wr_finish(&w));
    LT_GUARD(lt_explain_send_server_hello(hs, w.base, w.off, &p));
    LT_GUARD(lt_hs12_keys_from_master(hs));
    if (hs->shape & LT_SHAPE_TICKET) {
        LT_GUARD(send_ticket(hs));
    }
    /* RFC 5246 7.3: in the abbreviated handshake the server sends its
     * ChangeCipherSpec and Finished first. */
    LT_GUARD(lt_hs_send_ccs(hs));
    return lt_hs_send_finished(hs);
}

int lt_server12_on_resumed_finished(lt_hs *hs, const uint8_t *body, size_t len)
{
    LT_GUARD(lt_hs_check_finished(hs, body, len));
    return LT_ST_CONNECTED;
}
