/*
 * TLS 1.3 resumption with tickets (RFC 8446 2.2, 4.2.9, 4.2.11, 4.6.1).
 *
 * After a handshake the server sends NewSessionTickets: each carries a
 * ticket that seals (crypto/ticket.c) what the server needs to resume, and
 * a nonce from which both sides derive the ticket's PSK from the
 * resumption master secret. The client keeps the latest one; offered in a
 * later ClientHello (pre_shared_key, psk_dhe_ke only: a fresh (EC)DHE key
 * exchange still runs, so resumed sessions keep forward secrecy), with a
 * binder (an HMAC over the ClientHello, keyed from the PSK) that proves the
 * client holds it. A resumed handshake skips the certificate: the PSK
 * authenticates the server.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/ct.h"
#include "crypto/ticket.h"
#include "hs/hs_int.h"

/* How far the client's idea of a ticket's age may be from ours (4.6.1,
 * 8.3): our ticket times are in seconds, and the round trip adds a little. */
#define AGE_WINDOW_MS 10000u

/* binder = HMAC(finished_key(binder_key), Transcript-Hash(truncated
 * ClientHello)) with binder_key = Derive-Secret(Early Secret(PSK),
 * "res binder", "") (4.2.11.2, 7.1). */
static int binder_for(lt_hash_alg alg, const uint8_t *psk, size_t psk_len, const uint8_t *truncated_hash,
                      uint8_t out[LT_MAX_HASH_LEN])
{
    lt_ks13 ks;
    uint8_t bk[LT_MAX_HASH_LEN];
    int rc = lt_ks13_early(&ks, alg, psk, psk_len);
    if (rc == LT_OK) {
        rc = lt_ks13_binder_key(&ks, 0, bk);
    }
    if (rc == LT_OK) {
        rc = lt_ks13_finished(alg, bk, truncated_hash, out);
    }
    lt_wipe(&ks, sizeof ks);
    lt_wipe(bk, sizeof bk);
    return rc;
}

/* The handshake's shape becomes resumed (RFC 8446 2.2: no certificate). */
static void mark_resumed(lt_hs *hs, const char *why)
{
    hs->shape |= LT_SHAPE_RESUMED;
    hs->shape &= ~LT_SHAPE_FULL;
    LT_HS_TRACE(hs, LT_EV_CHOICE, "resumption", "RFC 8446 2.2", why, NULL, 0);
}

/* ---- the client ---- */

_Static_assert(LT_CLIENT_SESSION_MAX_ENCODED <= LT_SESSION_MAX_LEN, "the public LT_SESSION_MAX_LEN is too small");

int lt_hs_set_resumption(lt_hs *hs, const uint8_t *blob, size_t len)
{
    LT_ENSURE(hs->env.role == LT_ROLE_CLIENT && !hs->started, LT_ERR_USAGE);
    if (hs->offer == NULL) {
        hs->offer = calloc(1, sizeof *hs->offer);
        LT_ENSURE(hs->offer != NULL, LT_ERR_NOMEM);
    }
    int rc = lt_client_session_decode(blob, len, hs->offer);
    if (rc != LT_OK) {
        lt_wipe(hs->offer, sizeof *hs->offer);
        free(hs->offer);
        hs->offer = NULL;
    }
    return rc;
}

int lt_hs_get_session(const lt_hs *hs, uint8_t *out, size_t cap, size_t *len)
{
    LT_ENSURE(hs->ticket != NULL, LT_ERR_USAGE);
    return lt_client_session_encode(hs->ticket, out, cap, len);
}

int lt_hs_resumed(const lt_hs *hs)
{
    return (hs->shape & LT_SHAPE_RESUMED) != 0;
}

/* Can the stored session be offered now? (4.2.11: a suite with the same
 * hash must be on offer; 4.6.1: not past its lifetime; and only to the
 * server name it came from.) Says why not in the trace. */
static const lt_suite *offerable(const lt_hs *hs, const lt_client_session *s, uint64_t now_ms)
{
    const char *why = NULL;
    const lt_suite *suite = lt_suite_find(s->suite);
    if (s->version == LT_TLS1_2) {
        return NULL; /* offered in the TLS 1.2 way (resume12.c), which says so */
    }
    if (s->version != LT_TLS1_3 || suite == NULL || suite->version != LT_TLS1_3) {
        why = "not a TLS 1.3 session";
    } else if (now_ms < s->received_ms || now_ms - s->received_ms >= (uint64_t)s->lifetime_s * 1000u) {
        why = "the ticket's lifetime is over";
    } else if (strcmp(s->sni, hs->hostname) != 0) {
        why = "the session is for another server name";
    }
    if (why != NULL) {
        LT_HS_TRACE(hs, LT_EV_CHOICE, "resumption", "RFC 8446 4.6.1", why, NULL, 0);
        return NULL;
    }
    return suite;
}

int lt_hs13_offer_psk(lt_hs *hs, lt_client_hello_params *p, lt_psk_offer *o)
{
    lt_hs13 *h = hs->h13;
    h->psk_offered = 0;
    if (hs->offer == NULL) {
        return LT_OK;
    }
    uint64_t now = lt_wall_ms();
    const lt_suite *suite = offerable(hs, hs->offer, now);
    if (suite == NULL) {
        return LT_OK;
    }
    /* 4.1.2: after a HelloRetryRequest, a PSK whose hash differs from the
     * suite it names is dropped. */
    if ((hs->shape & LT_SHAPE_HRR) && suite->prf_hash != hs->session.suite->prf_hash) {
        return LT_OK;
    }
    const lt_client_session *s = hs->offer;
    h->psk_offered = 1;
    h->psk_hash = suite->prf_hash;
    h->psk_len = s->psk_len;
    memcpy(h->psk, s->psk, s->psk_len);
    /* 4.2.11.1: obfuscated_ticket_age = age in ms + ticket_age_add, mod 2^32. */
    o->age = (uint32_t)(now - s->received_ms) + s->age_add;
    o->identity = s->ticket;
    o->identity_len = s->ticket_len;
    p->psk_modes_dhe = 1;
    p->psk_identities = &o->identity;
    p->psk_identity_lens = &o->identity_len;
    p->psk_obfuscated_ages = &o->age;
    p->n_psks = 1;
    p->binder_len = lt_hash_len(suite->prf_hash);
    p->binders_offset_out = &o->binders_offset;
    return LT_OK;
}

int lt_hs13_patch_binder(lt_hs *hs, uint8_t *msg, size_t len, const lt_psk_offer *o)
{
    lt_hs13 *h = hs->h13;
    if (!h->psk_offered) {
        return LT_OK;
    }
    LT_ENSURE(o->binders_offset > 0 && o->binders_offset <= len, LT_ERR_INTERNAL);
    uint8_t th[LT_MAX_HASH_LEN], binder[LT_MAX_HASH_LEN];
    size_t n = 0;
    /* 4.2.11.2: ClientHello1's binder covers the truncated ClientHello1;
     * ClientHello2's covers message_hash, the HelloRetryRequest and the
     * truncated ClientHello2. */
    if (hs->shape & LT_SHAPE_HRR) {
        LT_GUARD(lt_transcript_hash_with(&hs->h12->transcript, h->psk_hash, msg, o->binders_offset, th, &n));
    } else {
        LT_GUARD(lt_hash_oneshot(h->psk_hash, msg, o->binders_offset, th, &n));
    }
    LT_GUARD(binder_for(h->psk_hash, h->psk, h->psk_len, th, binder));
    lt_patch_binder(msg, o->binders_offset, lt_hash_len(h->psk_hash), 0, binder);
    lt_field f[2] = {lt_fld_bytes("ticket", o->identity, o->identity_len),
                     lt_fld_bytes("binder", binder, lt_hash_len(h->psk_hash))};
    LT_HS_TRACE(hs, LT_EV_CHOICE, "resumption_offer", "RFC 8446 4.2.11",
                "Bob offers the ticket from last time, with a binder: an HMAC over this ClientHello keyed from the "
                "ticket's PSK, which proves he holds it",
                f, 2);
    lt_wipe(binder, sizeof binder);
    return LT_OK;
}

int lt_hs13_client_on_psk(lt_hs *hs, const lt_server_hello *sh)
{
    lt_hs13 *h = hs->h13;
    if (!(sh->ext_seen & LT_SEEN_PSK)) {
        /* A full handshake: the early secret has no PSK in it. */
        h->psk_len = 0;
        if (h->psk_offered) {
            LT_HS_TRACE(hs, LT_EV_CHOICE, "resumption", "RFC 8446 4.2.11",
                        "Alice did not take the ticket: a full handshake", NULL, 0);
        }
        return LT_OK;
    }
    /* 4.2.11: "Clients MUST verify that the server's selected_identity is
     * within the range supplied by the client, that the server selected a
     * cipher suite indicating a Hash associated with the PSK"; otherwise
     * illegal_parameter. */
    if (!h->psk_offered) {
        return lt_hs_fail(hs, LT_ERR_UNSUPPORTED_EXTENSION, "ServerHello selects a pre_shared_key; we offered none");
    }
    if (sh->psk_identity != 0) {
        return lt_hs_fail(hs, LT_ERR_ILLEGAL_PARAMETER,
                          "ServerHello selects PSK identity %u; we offered one (RFC 8446 4.2.11)", sh->psk_identity);
    }
    if (hs->session.suite->prf_hash != h->psk_hash) {
        return lt_hs_fail(hs, LT_ERR_ILLEGAL_PARAMETER,
                          "ServerHello resumes with %s, whose hash is not the session's (RFC 8446 4.2.11)",
                          hs->session.suite->iana_name);
    }
    mark_resumed(hs, "Alice took the ticket: the early secret comes from its PSK, she sends no certificate, and "
                     "her Finished proves she knew the PSK");
    return LT_OK;
}

int lt_client13_store_ticket(lt_hs *hs, const lt_new_session_ticket *t)
{
    size_t ticket_len = lt_rd_left(&t->ticket), nonce_len = lt_rd_left(&t->nonce);
    if (ticket_len > LT_SESSION_MAX_TICKET) {
        /* Not an error: we just cannot keep it. */
        LT_HS_TRACE(hs, LT_EV_CHOICE, "ticket", "RFC 8446 4.6.1", "ticket too large to keep; ignored", NULL, 0);
        return LT_OK;
    }
    if (hs->ticket == NULL) {
        hs->ticket = calloc(1, sizeof *hs->ticket);
        LT_ENSURE(hs->ticket != NULL, LT_ERR_NOMEM);
    }
    lt_client_session *s = hs->ticket;
    const lt_session *ss = &hs->session;
    lt_wipe(s, sizeof *s);
    s->version = LT_TLS1_3;
    s->suite = ss->suite->id;
    s->psk_len = (uint8_t)ss->secret_len;
    /* 4.6.1: PSK = HKDF-Expand-Label(resumption_master_secret,
     * "resumption", ticket_nonce, Hash.length). */
    LT_GUARD(lt_ks13_resumption_psk(ss->suite->prf_hash, ss->resumption_secret, t->nonce.p, nonce_len, s->psk));
    memcpy(s->ticket, t->ticket.p, ticket_len);
    s->ticket_len = (uint16_t)ticket_len;
    s->received_ms = lt_wall_ms();
    s->lifetime_s = t->lifetime;
    s->age_add = t->age_add;
    s->max_early_data = t->has_early_data ? t->max_early_data : 0;
    snprintf(s->sni, sizeof s->sni, "%s", ss->sni);
    return LT_OK;
}

/* ---- the server ---- */

/* Is this identity one of our tickets, still good, for this suite's hash
 * and this server name? (4.2.11: unknown or unusable PSKs "SHOULD simply be
 * ignored"; 4.6.1: lifetime; 8.3: the client's view of the age must agree
 * with ours.) */
static int ticket_usable(lt_hs *hs, const lt_client_hello *ch, lt_rd identity, uint32_t obfuscated_age,
                         lt_ticket_state *st)
{
    uint8_t pt[1024];
    size_t pt_len = 0;
    uint64_t now_ms = lt_wall_ms();
    const char *why = NULL;
    if (lt_ticket_open(hs->env.policy->ticket_keys, now_ms / 1000u, identity.p, lt_rd_left(&identity), pt, sizeof pt,
                       &pt_len) != LT_OK) {
        why = "a ticket we cannot open (another server's key, an old key, or tampered)";
    } else if (lt_ticket_state_decode(pt, pt_len, st) != LT_OK) {
        why = "a ticket whose contents do not parse";
    } else if (st->version != LT_TLS1_3 || lt_suite_find(st->suite) == NULL ||
               lt_suite_find(st->suite)->prf_hash != hs->session.suite->prf_hash) {
        why = "a ticket for another version or hash than this handshake's suite";
    } else if (strcmp(st->sni, (ch->ext_seen & LT_SEEN_SNI) ? ch->sni : "") != 0) {
        why = "a ticket issued for another server name";
    } else if (!lt_hs_session_meets_client_auth(hs, st)) {
        why = "a ticket whose client gave no certificate, and we require one: he must show it again";
    } else {
        uint64_t issued_ms = st->issued_s * 1000u;
        uint64_t ours = now_ms > issued_ms ? now_ms - issued_ms : 0;
        uint32_t theirs = obfuscated_age - st->age_add;
        uint64_t skew = ours > theirs ? ours - theirs : theirs - ours;
        if (ours >= (uint64_t)st->lifetime_s * 1000u) {
            why = "an expired ticket";
        } else if (skew > AGE_WINDOW_MS + 1000u) {
            why = "a ticket whose age the client sees differently from us (obfuscated_ticket_age)";
        }
    }
    lt_wipe(pt, sizeof pt);
    if (why != NULL) {
        LT_HS_TRACE(hs, LT_EV_CHOICE, "resumption", "RFC 8446 4.2.11", why, NULL, 0);
        lt_wipe(st, sizeof *st);
        return 0;
    }
    return 1;
}

/* The transcript before the ClientHello, then the ClientHello up to its
 * binders (4.2.11.2). The driver has added the whole ClientHello to the
 * raw transcript: it is the last len bytes. */
static int truncated_hello_hash(const lt_hs *hs, const lt_client_hello *ch, size_t msg_len,
                                uint8_t out[LT_MAX_HASH_LEN])
{
    const uint8_t *raw;
    size_t raw_len, n = 0;
    LT_GUARD(lt_transcript_raw(&hs->h12->transcript, &raw, &raw_len));
    LT_ENSURE(raw_len >= msg_len && ch->binders_offset + 4 <= msg_len, LT_ERR_INTERNAL);
    return lt_hash_oneshot(hs->session.suite->prf_hash, raw, raw_len - msg_len + 4 + ch->binders_offset, out, &n);
}

static int check_binder(lt_hs *hs, const lt_client_hello *ch, size_t msg_len, size_t index, const uint8_t *psk,
                        size_t psk_len)
{
    lt_rd binders = ch->psk_binders, b = {0};
    for (size_t i = 0; i <= index; i++) {
        LT_ENSURE(lt_psk_binder_next(&binders, &b), LT_ERR_INTERNAL);
    }
    lt_hash_alg alg = hs->session.suite->prf_hash;
    size_t n = lt_hash_len(alg);
    uint8_t th[LT_MAX_HASH_LEN], want[LT_MAX_HASH_LEN];
    LT_GUARD(truncated_hello_hash(hs, ch, msg_len, th));
    LT_GUARD(binder_for(alg, psk, psk_len, th, want));
    /* Compared in constant time; only the verdict is public. */
    int match = lt_rd_left(&b) == n && lt_ct_eq(b.p, want, n);
    LT_CF_PUBLIC(&match, sizeof match);
    lt_wipe(want, sizeof want);
    if (!match) {
        /* 4.2.11: a binder that "does not validate" aborts the handshake;
         * decrypt_error, as for a Finished that does not verify. */
        return lt_hs_fail(hs, LT_ERR_DECRYPT_ERROR,
                          "the PSK binder of ticket %zu does not verify: the client does not hold the ticket's key, "
                          "or the ClientHello was changed (RFC 8446 4.2.11.2)",
                          index);
    }
    return LT_OK;
}

int lt_hs13_server_try_psk(lt_hs *hs, const lt_client_hello *ch, size_t msg_len)
{
    lt_hs13 *h = hs->h13;
    h->psk_len = 0;
    if (!(ch->ext_seen & LT_SEEN_PSK) || hs->env.policy->ticket_keys == NULL) {
        return LT_OK;
    }
    /* 4.2.9: we resume only with psk_dhe_ke (a fresh key exchange too). */
    if (!ch->psk_dhe_ke) {
        LT_HS_TRACE(hs, LT_EV_CHOICE, "resumption", "RFC 8446 4.2.9",
                    "the client allows only psk_ke (no key exchange); we resume only with psk_dhe_ke", NULL, 0);
        return LT_OK;
    }
    lt_rd ids = ch->psk_identities, identity;
    uint32_t age = 0;
    for (size_t i = 0; i < LT_MAX_PSK_IDENTITIES && lt_psk_identity_next(&ids, &identity, &age); i++) {
        lt_ticket_state st;
        if (!ticket_usable(hs, ch, identity, age, &st)) {
            continue;
        }
        int rc = check_binder(hs, ch, msg_len, i, st.psk, st.psk_len);
        if (rc == LT_OK) {
            memcpy(h->psk, st.psk, st.psk_len);
            h->psk_len = st.psk_len;
            h->psk_hash = hs->session.suite->prf_hash;
            h->psk_index = (uint16_t)i;
            lt_hs_inherit_client_auth(hs, &st);
            mark_resumed(hs, "Bob's ticket is ours, fresh, and his binder proves he holds its PSK: the session "
                             "resumes (no certificate this time; a new key exchange still runs)");
        }
        lt_wipe(&st, sizeof st);
        return rc;
    }
    return LT_OK;
}

static int send_ticket(lt_hs *hs, uint64_t now_ms)
{
    const lt_hs_policy *p = hs->env.policy;
    const lt_session *ss = &hs->session;
    lt_ticket_state st;
    memset(&st, 0, sizeof st);
    st.version = LT_TLS1_3;
    st.suite = ss->suite->id;
    st.psk_len = (uint8_t)ss->secret_len;
    st.issued_s = now_ms / 1000u;
    st.lifetime_s = p->ticket_lifetime_s;
    st.client_auth = (uint8_t)lt_hs_client_authenticated(hs);
    uint8_t nonce[8];
    lt_put_u64(nonce, hs->ticket_nonce++);
    uint8_t pt[1024], ticket[1024 + LT_TICKET_OVERHEAD];
    size_t pt_len = 0, ticket_len = 0;
    int rc = lt_random(&st.age_add, sizeof st.age_add);
    if (rc == LT_OK) {
        rc = lt_ks13_resumption_psk(ss->suite->prf_hash, ss->resumption_secret, nonce, sizeof nonce, st.psk);
    }
    snprintf(st.sni, sizeof st.sni, "%s", ss->sni);
    if (rc == LT_OK) {
        rc = lt_ticket_state_encode(&st, pt, sizeof pt, &pt_len);
    }
    if (rc == LT_OK) {
        rc = lt_ticket_seal(p->ticket_keys, st.issued_s, pt, pt_len, ticket, sizeof ticket, &ticket_len);
    }
    lt_wipe(pt, sizeof pt);
    lt_wipe(&st.psk, sizeof st.psk);
    LT_GUARD(rc);
    uint8_t msg[sizeof ticket + 64];
    lt_wr w = lt_wr_init(msg, sizeof msg);
    lt_write_new_session_ticket(&w, st.lifetime_s, st.age_add, nonce, sizeof nonce, ticket, ticket_len);
    LT_GUARD(lt_wr_finish(&w));
    char life[24];
    snprintf(life, sizeof life, "%u s", st.lifetime_s);
    lt_field f[2] = {lt_fld_text("lifetime", life), lt_fld_bytes("ticket", ticket, ticket_len)};
    return lt_hs_send(hs, msg, w.off, f, 2);
}

int lt_hs13_send_tickets(lt_hs *hs)
{
    const lt_hs_policy *p = hs->env.policy;
    if (p->ticket_keys == NULL || p->n_tickets == 0) {
        return LT_OK;
    }
    uint64_t now = lt_wall_ms();
    for (unsigned i = 0; i < p->n_tickets; i++) {
        LT_GUARD(send_ticket(hs, now));
    }
    return LT_OK;
}
