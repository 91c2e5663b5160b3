/*
 * The handshake state machine: one table of transitions and the driver that
 * walks it. This is the only code that changes hs->state.
 *
 * The driver is proactive (s2n, rustls): it looks up (version, state, role,
 * content type, handshake type, shape) in the table before any parsing
 * happens; a message with no row is answered with unexpected_message. A
 * handler's returned next state is accepted only if the row lists it, and
 * CONNECTED is entered only when the proofs the role needs are all set.
 *
 * TLS 1.3 plugs in as rows with version LT_TLS1_3 (and its own states);
 * rows with version 0 are the hellos, before a version is chosen.
 */
#include <stdlib.h>
#include <string.h>

#include "hs/hs_int.h"

#define ROLE_C (1u << LT_ROLE_CLIENT)
#define ROLE_S (1u << LT_ROLE_SERVER)
#define ANY_VERSION 0
#define MAX_NEXT 6
/* Row flags. */
#define HASH 1u        /* the driver adds the message to the transcript before the handler */
#define ENDS_RECORD 2u /* nothing may follow it in its record: keys change next (RFC 8446 5.1) */
/* The same, when the handler has chosen TLS 1.3: a hello after which the
 * keys change (ClientHello for the server, ServerHello for the client). */
#define ENDS_RECORD_13 4u

typedef struct lt_transition {
    uint16_t version; /* ANY_VERSION, or the negotiated version the row belongs to */
    lt_hs_state state;
    unsigned roles;
    uint8_t content_type;
    uint8_t hs_type;  /* for LT_CT_HANDSHAKE rows */
    unsigned needs;   /* LT_SHAPE_* bits that must be set */
    unsigned forbids; /* LT_SHAPE_* bits that must be clear */
    lt_handler handler;
    lt_hs_state next[MAX_NEXT]; /* allowed next states; unused slots repeat the first */
    unsigned flags;
} lt_transition;

#define HS(t) LT_CT_HANDSHAKE, LT_HS_##t
#define CCS LT_CT_CHANGE_CIPHER_SPEC, 0
#define NEXT1(a)                                                                                                       \
    {                                                                                                                  \
        a, a, a, a, a, a                                                                                               \
    }
#define NEXT2(a, b)                                                                                                    \
    {                                                                                                                  \
        a, b, a, a, a, a                                                                                               \
    }
#define NEXT3(a, b, c)                                                                                                 \
    {                                                                                                                  \
        a, b, c, a, a, a                                                                                               \
    }
#define NEXT4(a, b, c, d)                                                                                              \
    {                                                                                                                  \
        a, b, c, d, a, a                                                                                               \
    }
#define NEXT5(a, b, c, d, e)                                                                                           \
    {                                                                                                                  \
        a, b, c, d, e, a                                                                                               \
    }

/* Docs: docs/STATE-MACHINE.md draws this table. */
static const lt_transition TABLE[] = {
    /* Client (RFC 5246 7.3, Figure 1; RFC 8446 2, A.1). The ServerHello
     * handler adds the message to the transcript itself: a
     * HelloRetryRequest goes in only after ClientHello1 has become a
     * message_hash (RFC 8446 4.4.1). After a HelloRetryRequest the client
     * waits for the ServerHello again. A TLS 1.2 ServerHello that echoes
     * the session ID we offered resumes it (RFC 5246 7.3): then
     * [NewSessionTicket], CCS and Finished follow, with no certificate. */
    {ANY_VERSION, LT_ST_CLIENT_WAIT_SERVER_HELLO, ROLE_C, HS(SERVER_HELLO), 0, 0, lt_client_on_server_hello,
     NEXT5(LT_ST_CLIENT_WAIT_CERTIFICATE, LT_ST_CLIENT_WAIT_ENCRYPTED_EXTENSIONS, LT_ST_CLIENT_WAIT_SERVER_HELLO,
           LT_ST_CLIENT_WAIT_NEW_SESSION_TICKET, LT_ST_CLIENT_WAIT_CCS),
     ENDS_RECORD_13},
    {LT_TLS1_2, LT_ST_CLIENT_WAIT_CERTIFICATE, ROLE_C, HS(CERTIFICATE), 0, 0, lt_client_on_certificate,
     NEXT2(LT_ST_CLIENT_WAIT_SERVER_HELLO_DONE, LT_ST_CLIENT_WAIT_SERVER_KEY_EXCHANGE), HASH},
    /* RFC 8422 5.4: ECDHE suites send the server's ephemeral key, signed. */
    {LT_TLS1_2, LT_ST_CLIENT_WAIT_SERVER_KEY_EXCHANGE, ROLE_C, HS(SERVER_KEY_EXCHANGE), LT_SHAPE_PFS, 0,
     lt_client_on_server_key_exchange, NEXT1(LT_ST_CLIENT_WAIT_SERVER_HELLO_DONE), HASH},
    /* RFC 5246 7.4.4: a server may ask for a client certificate, once. */
    {LT_TLS1_2, LT_ST_CLIENT_WAIT_SERVER_HELLO_DONE, ROLE_C, HS(CERTIFICATE_REQUEST), 0, LT_SHAPE_CLIENT_AUTH,
     lt_client_on_certificate_request, NEXT1(LT_ST_CLIENT_WAIT_SERVER_HELLO_DONE), HASH},
    {LT_TLS1_2, LT_ST_CLIENT_WAIT_SERVER_HELLO_DONE, ROLE_C, HS(SERVER_HELLO_DONE), 0, 0,
     lt_client_on_server_hello_done, NEXT2(LT_ST_CLIENT_WAIT_CCS, LT_ST_CLIENT_WAIT_NEW_SESSION_TICKET), HASH},
    /* RFC 5077 3.3: after a ServerHello with SessionTicket, the server
     * sends NewSessionTicket before its CCS (full and abbreviated
     * handshakes alike); it is part of the transcript. */
    {LT_TLS1_2, LT_ST_CLIENT_WAIT_NEW_SESSION_TICKET, ROLE_C, HS(NEW_SESSION_TICKET), LT_SHAPE_TICKET, 0,
     lt_client12_on_new_session_ticket, NEXT1(LT_ST_CLIENT_WAIT_CCS), HASH},
    {LT_TLS1_2, LT_ST_CLIENT_WAIT_CCS, ROLE_C, CCS, 0, 0, lt_client_on_ccs, NEXT1(LT_ST_CLIENT_WAIT_FINISHED), 0},
    /* Finished ends its record: it closes the handshake under the keys it
     * proves (RFC 8446 5.1 makes this the rule at every key change). In
     * the abbreviated handshake the client answers it with its own CCS and
     * Finished. */
    {LT_TLS1_2, LT_ST_CLIENT_WAIT_FINISHED, ROLE_C, HS(FINISHED), 0, LT_SHAPE_RESUMED, lt_client_on_finished,
     NEXT1(LT_ST_CONNECTED), ENDS_RECORD},
    {LT_TLS1_2, LT_ST_CLIENT_WAIT_FINISHED, ROLE_C, HS(FINISHED), LT_SHAPE_RESUMED, 0, lt_client12_on_resumed_finished,
     NEXT1(LT_ST_CONNECTED), ENDS_RECORD},
    /* TLS 1.3 client (RFC 8446 2, A.1). The server's flight after
     * ServerHello comes under its handshake keys. CertificateVerify and
     * Finished are added to the transcript by their handlers, after the
     * check that covers the transcript before them (4.4.3, 4.4.4). */
    {LT_TLS1_3, LT_ST_CLIENT_WAIT_ENCRYPTED_EXTENSIONS, ROLE_C, HS(ENCRYPTED_EXTENSIONS), 0, 0,
     lt_client13_on_encrypted_extensions, NEXT2(LT_ST_CLIENT_WAIT_CERT_CR, LT_ST_CLIENT_WAIT_FINISHED), HASH},
    /* 4.3.2: a server may ask for a client certificate, once. */
    {LT_TLS1_3, LT_ST_CLIENT_WAIT_CERT_CR, ROLE_C, HS(CERTIFICATE_REQUEST), 0, LT_SHAPE_CLIENT_AUTH,
     lt_client13_on_certificate_request, NEXT1(LT_ST_CLIENT_WAIT_CERTIFICATE), HASH},
    {LT_TLS1_3, LT_ST_CLIENT_WAIT_CERT_CR, ROLE_C, HS(CERTIFICATE), 0, 0, lt_client13_on_certificate,
     NEXT1(LT_ST_CLIENT_WAIT_CERTIFICATE_VERIFY), HASH},
    {LT_TLS1_3, LT_ST_CLIENT_WAIT_CERTIFICATE, ROLE_C, HS(CERTIFICATE), LT_SHAPE_CLIENT_AUTH, 0,
     lt_client13_on_certificate, NEXT1(LT_ST_CLIENT_WAIT_CERTIFICATE_VERIFY), HASH},
    {LT_TLS1_3, LT_ST_CLIENT_WAIT_CERTIFICATE_VERIFY, ROLE_C, HS(CERTIFICATE_VERIFY), 0, 0,
     lt_client13_on_certificate_verify, NEXT1(LT_ST_CLIENT_WAIT_FINISHED), 0},
    {LT_TLS1_3, LT_ST_CLIENT_WAIT_FINISHED, ROLE_C, HS(FINISHED), 0, 0, lt_client13_on_finished, NEXT1(LT_ST_CONNECTED),
     ENDS_RECORD},
    /* After the handshake (4.6): tickets, and KeyUpdate (which changes the
     * read keys, so it ends its record: 5.1). */
    {LT_TLS1_3, LT_ST_CONNECTED, ROLE_C, HS(NEW_SESSION_TICKET), 0, 0, lt_client13_on_new_session_ticket,
     NEXT1(LT_ST_CONNECTED), 0},
    {LT_TLS1_3, LT_ST_CONNECTED, ROLE_C | ROLE_S, HS(KEY_UPDATE), 0, 0, lt_hs13_on_key_update, NEXT1(LT_ST_CONNECTED),
     ENDS_RECORD},
    /* Server. A TLS 1.3 ClientHello is answered with the whole flight up
     * to Finished, or with a HelloRetryRequest, after which the server
     * waits for ClientHello2. A TLS 1.2 ClientHello that resumes a session
     * is answered with ServerHello, [NewSessionTicket], CCS and Finished
     * (RFC 5246 7.3), after which the server waits for the client's CCS. */
    {ANY_VERSION, LT_ST_SERVER_WAIT_CLIENT_HELLO, ROLE_S, HS(CLIENT_HELLO), 0, 0, lt_server_on_client_hello,
     NEXT5(LT_ST_SERVER_WAIT_CLIENT_KEY_EXCHANGE, LT_ST_SERVER_WAIT_FINISHED, LT_ST_SERVER_WAIT_CLIENT_HELLO,
           LT_ST_SERVER_WAIT_CLIENT_CERTIFICATE, LT_ST_SERVER_WAIT_CCS),
     HASH | ENDS_RECORD_13},
    /* Mutual TLS in TLS 1.3 (4.4.2, 4.4.3): after our Finished, the
     * client's Certificate, then its CertificateVerify unless the
     * Certificate was empty. The CertificateVerify handler adds it to the
     * transcript after checking it. */
    {LT_TLS1_3, LT_ST_SERVER_WAIT_CLIENT_CERTIFICATE, ROLE_S, HS(CERTIFICATE), LT_SHAPE_CLIENT_AUTH, 0,
     lt_server13_on_client_certificate, NEXT2(LT_ST_SERVER_WAIT_CERTIFICATE_VERIFY, LT_ST_SERVER_WAIT_FINISHED), HASH},
    {LT_TLS1_3, LT_ST_SERVER_WAIT_CERTIFICATE_VERIFY, ROLE_S, HS(CERTIFICATE_VERIFY), LT_SHAPE_CLIENT_AUTH, 0,
     lt_server13_on_certificate_verify, NEXT1(LT_ST_SERVER_WAIT_FINISHED), 0},
    {LT_TLS1_3, LT_ST_SERVER_WAIT_FINISHED, ROLE_S, HS(FINISHED), 0, 0, lt_server13_on_finished, NEXT1(LT_ST_CONNECTED),
     ENDS_RECORD},
    /* Mutual TLS in TLS 1.2 (RFC 5246 7.3): after our ServerHelloDone the
     * client's Certificate, ClientKeyExchange, then CertificateVerify when
     * the Certificate was not empty (7.4.8). */
    {LT_TLS1_2, LT_ST_SERVER_WAIT_CLIENT_CERTIFICATE, ROLE_S, HS(CERTIFICATE), LT_SHAPE_CLIENT_AUTH, 0,
     lt_server_on_client_certificate, NEXT1(LT_ST_SERVER_WAIT_CLIENT_KEY_EXCHANGE), HASH},
    {LT_TLS1_2, LT_ST_SERVER_WAIT_CLIENT_KEY_EXCHANGE, ROLE_S, HS(CLIENT_KEY_EXCHANGE), 0, 0,
     lt_server_on_client_key_exchange, NEXT2(LT_ST_SERVER_WAIT_CCS, LT_ST_SERVER_WAIT_CERTIFICATE_VERIFY), HASH},
    {LT_TLS1_2, LT_ST_SERVER_WAIT_CERTIFICATE_VERIFY, ROLE_S, HS(CERTIFICATE_VERIFY), LT_SHAPE_CLIENT_AUTH, 0,
     lt_server_on_certificate_verify, NEXT1(LT_ST_SERVER_WAIT_CCS), 0},
    {LT_TLS1_2, LT_ST_SERVER_WAIT_CCS, ROLE_S, CCS, 0, 0, lt_server_on_ccs, NEXT1(LT_ST_SERVER_WAIT_FINISHED), 0},
    {LT_TLS1_2, LT_ST_SERVER_WAIT_FINISHED, ROLE_S, HS(FINISHED), 0, LT_SHAPE_RESUMED, lt_server_on_finished,
     NEXT1(LT_ST_CONNECTED), ENDS_RECORD},
    /* Abbreviated: our CCS and Finished went first; the client's end it. */
    {LT_TLS1_2, LT_ST_SERVER_WAIT_FINISHED, ROLE_S, HS(FINISHED), LT_SHAPE_RESUMED, 0, lt_server12_on_resumed_finished,
     NEXT1(LT_ST_CONNECTED), ENDS_RECORD},
    /* After the handshake: renegotiation is refused (RFC 5746 4.5, 5246
     * 7.2.2 no_renegotiation) and the connection goes on. */
    {LT_TLS1_2, LT_ST_CONNECTED, ROLE_C, HS(HELLO_REQUEST), 0, 0, lt_client_on_hello_request, NEXT1(LT_ST_CONNECTED),
     0},
    {LT_TLS1_2, LT_ST_CONNECTED, ROLE_S, HS(CLIENT_HELLO), 0, 0, lt_server_on_renegotiation, NEXT1(LT_ST_CONNECTED), 0},
};

#define N_ROWS (sizeof TABLE / sizeof TABLE[0])

static const char *STATE_NAMES[LT_ST_COUNT] = {
    [LT_ST_CLIENT_START] = "CLIENT_START",
    [LT_ST_CLIENT_WAIT_SERVER_HELLO] = "CLIENT_WAIT_SERVER_HELLO",
    [LT_ST_CLIENT_WAIT_CERTIFICATE] = "CLIENT_WAIT_CERTIFICATE",
    [LT_ST_CLIENT_WAIT_SERVER_KEY_EXCHANGE] = "CLIENT_WAIT_SERVER_KEY_EXCHANGE",
    [LT_ST_CLIENT_WAIT_SERVER_HELLO_DONE] = "CLIENT_WAIT_SERVER_HELLO_DONE",
    [LT_ST_CLIENT_WAIT_CCS] = "CLIENT_WAIT_CHANGE_CIPHER_SPEC",
    [LT_ST_CLIENT_WAIT_FINISHED] = "CLIENT_WAIT_FINISHED",
    [LT_ST_SERVER_WAIT_CLIENT_HELLO] = "SERVER_WAIT_CLIENT_HELLO",
    [LT_ST_SERVER_WAIT_CLIENT_KEY_EXCHANGE] = "SERVER_WAIT_CLIENT_KEY_EXCHANGE",
    [LT_ST_SERVER_WAIT_CCS] = "SERVER_WAIT_CHANGE_CIPHER_SPEC",
    [LT_ST_SERVER_WAIT_FINISHED] = "SERVER_WAIT_FINISHED",
    [LT_ST_CLIENT_WAIT_ENCRYPTED_EXTENSIONS] = "CLIENT_WAIT_ENCRYPTED_EXTENSIONS",
    [LT_ST_CLIENT_WAIT_CERT_CR] = "CLIENT_WAIT_CERT_CR",
    [LT_ST_CLIENT_WAIT_CERTIFICATE_VERIFY] = "CLIENT_WAIT_CERTIFICATE_VERIFY",
    [LT_ST_CLIENT_WAIT_NEW_SESSION_TICKET] = "CLIENT_WAIT_NEW_SESSION_TICKET",
    [LT_ST_SERVER_WAIT_CLIENT_CERTIFICATE] = "SERVER_WAIT_CLIENT_CERTIFICATE",
    [LT_ST_SERVER_WAIT_CERTIFICATE_VERIFY] = "SERVER_WAIT_CERTIFICATE_VERIFY",
    [LT_ST_CONNECTED] = "CONNECTED",
};

const char *lt_state_name(lt_hs_state st)
{
    return st < LT_ST_COUNT ? STATE_NAMES[st] : "?";
}

/* The row's version matches: the hellos come before any version is chosen;
 * every later row belongs to the negotiated version. */
static int row_applies(const lt_hs *hs, const lt_transition *t)
{
    return t->state == hs->state && (t->roles & (1u << hs->env.role)) &&
           (t->version == ANY_VERSION || t->version == hs->session.version) && (hs->shape & t->needs) == t->needs &&
           (hs->shape & t->forbids) == 0;
}

static const lt_transition *find_row(const lt_hs *hs, uint8_t content_type, uint8_t hs_type)
{
    for (size_t i = 0; i < N_ROWS; i++) {
        const lt_transition *t = &TABLE[i];
        if (row_applies(hs, t) && t->content_type == content_type &&
            (content_type != LT_CT_HANDSHAKE || t->hs_type == hs_type)) {
            return t;
        }
    }
    return NULL;
}

/* What the current state waits for, for error messages. */
static const char *expected_text(const lt_hs *hs)
{
    for (size_t i = 0; i < N_ROWS; i++) {
        const lt_transition *t = &TABLE[i];
        if (row_applies(hs, t)) {
            return t->content_type == LT_CT_HANDSHAKE ? lt_hs_type_name(t->hs_type) : "ChangeCipherSpec";
        }
    }
    return "nothing";
}

static unsigned required_proof(const lt_hs *hs)
{
    unsigned need = LT_PROOF_FINISHED_OK | LT_PROOF_KEYS_DERIVED;
    /* A resumed handshake is authenticated by the session's secret: in TLS
     * 1.3 the server's Finished is keyed from the PSK (RFC 8446 2.2), in
     * TLS 1.2 from the session's master secret (RFC 5246 7.3). The peer's
     * verified Finished is required in every shape. */
    if (hs->env.role == LT_ROLE_CLIENT && !(hs->shape & LT_SHAPE_RESUMED)) {
        need |= LT_PROOF_PEER_CERT_OK;
        if (hs->session.version == LT_TLS1_3) {
            need |= LT_PROOF_CV_OK;
        } else if (hs->shape & LT_SHAPE_PFS) {
            need |= LT_PROOF_KX_SIGNED;
        }
    }
    /* Mutual TLS: a client certificate counts only with its
     * CertificateVerify checked; a server that requires one never finishes
     * without it, in this handshake or (resumed) in the session's. */
    if (hs->env.role == LT_ROLE_SERVER && hs->h12 != NULL &&
        (hs->h12->peer_cert_sent || hs->env.policy->client_auth == LT_CLIENT_AUTH_REQUIRE)) {
        need |= LT_PROOF_PEER_CERT_OK | LT_PROOF_CLIENT_CV_OK;
    }
    return need;
}

/* ---- lifetime ---- */

static lt_hs12 *hs12_new(const lt_hs_env *env)
{
    lt_hs12 *h = calloc(1, sizeof *h);
    if (h != NULL) {
        lt_transcript_init(&h->transcript);
        h->transcript.track_names = lt_trace_on(env->tracer);
    }
    return h;
}

static void hs13_free(lt_hs13 *h)
{
    if (h != NULL) {
        lt_buf_free(&h->hrr_cookie);
        lt_wipe(h, sizeof *h);
        free(h);
    }
}

static void hs12_free(lt_hs12 *h)
{
    if (h == NULL) {
        return;
    }
    lt_transcript_free(&h->transcript);
    lt_rc_free(h->pending_read);
    lt_rc_free(h->pending_write);
    lt_pkey_free(h->peer_key);
    lt_kx_free(h->kx_key);
    lt_wipe(h, sizeof *h);
    free(h);
}

/* The handshake scratch (transcript, key block, pending keys, the message
 * buffer) goes when the handshake ends; the session stays. */
static void drop_scratch(lt_hs *hs)
{
    hs12_free(hs->h12);
    hs->h12 = NULL;
    hs13_free(hs->h13);
    hs->h13 = NULL;
    lt_buf_free(&hs->scratch);
    /* The session offered is spent once the handshake is over. */
    if (hs->offer != NULL) {
        lt_wipe(hs->offer, sizeof *hs->offer);
        free(hs->offer);
        hs->offer = NULL;
    }
}

lt_hs *lt_hs_new(const lt_hs_env *env)
{
    lt_hs *hs = calloc(1, sizeof *hs);
    if (hs == NULL) {
        return NULL;
    }
    hs->env = *env;
    hs->h12 = hs12_new(env);
    hs->h13 = calloc(1, sizeof *hs->h13);
    if (hs->h12 == NULL || hs->h13 == NULL) {
        hs12_free(hs->h12);
        free(hs->h13);
        free(hs);
        return NULL;
    }
    hs->h13->hrr_cookie = lt_buf_make(0xFFFF);
    hs->state = env->role == LT_ROLE_CLIENT ? LT_ST_CLIENT_START : LT_ST_SERVER_WAIT_CLIENT_HELLO;
    hs->shape = LT_SHAPE_FULL;
    /* At most one message in reassembly plus the record that completes it. */
    hs->msg = lt_buf_make(4 + LT_MAX_HS_MESSAGE_IN + LT_MAX_PLAINTEXT);
    /* Our largest message: the Certificate (config refuses bigger chains). */
    hs->scratch = lt_buf_make(4 + LT_MAX_HS_MESSAGE + 1024);
    return hs;
}

void lt_hs_free(lt_hs *hs)
{
    if (hs == NULL) {
        return;
    }
    drop_scratch(hs);
    lt_hs_free_peer_chain(hs);
    /* A connection freed mid-message must not leak the reassembly buffer. */
    lt_buf_free(&hs->msg);
    if (hs->offer != NULL) {
        lt_wipe(hs->offer, sizeof *hs->offer);
        free(hs->offer);
    }
    if (hs->ticket != NULL) {
        lt_wipe(hs->ticket, sizeof *hs->ticket);
        free(hs->ticket);
    }
    lt_wipe(hs, sizeof *hs);
    free(hs);
}

void lt_hs_release_buffers(lt_hs *hs)
{
    if (hs->msg.len == 0) {
        lt_buf_free(&hs->msg);
    }
}

int lt_hs_set_hostname(lt_hs *hs, const char *name, size_t len, int is_ip)
{
    LT_ENSURE(hs->env.role == LT_ROLE_CLIENT && !hs->started, LT_ERR_USAGE);
    LT_ENSURE(len > 0 && len <= LT_MAX_HOSTNAME, LT_ERR_USAGE);
    memcpy(hs->hostname, name, len);
    hs->hostname[len] = '\0';
    hs->hostname_is_ip = is_ip;
    return LT_OK;
}

int lt_hs_started(const lt_hs *hs)
{
    return hs->started;
}

int lt_hs_has_hostname(const lt_hs *hs)
{
    return hs->hostname[0] != '\0';
}

int lt_hs_done(const lt_hs *hs)
{
    return hs->state == LT_ST_CONNECTED;
}

const char *lt_hs_state_name(const lt_hs *hs)
{
    return lt_state_name(hs->state);
}

const lt_session *lt_hs_session(const lt_hs *hs)
{
    return &hs->session;
}

const char *lt_hs_server_name(const lt_hs *hs)
{
    if (hs->env.role == LT_ROLE_CLIENT && hs->hostname_is_ip) {
        return NULL;
    }
    return hs->hostname[0] != '\0' ? hs->hostname : NULL;
}

void lt_hs_test_set_state(lt_hs *hs, lt_hs_state st)
{
    hs->state = st;
    hs->started = 1;
    if (st != LT_ST_CLIENT_WAIT_SERVER_HELLO && st != LT_ST_SERVER_WAIT_CLIENT_HELLO && st != LT_ST_CLIENT_START) {
        hs->session.version = LT_TLS1_2;
    }
}

void lt_hs_test_set_version(lt_hs *hs, uint16_t version)
{
    hs->session.version = version;
}

lt_hs_state lt_hs_test_state(const lt_hs *hs)
{
    return hs->state;
}

/* ---- the driver ---- */

static void set_state(lt_hs *hs, lt_hs_state next)
{
    lt_field f = lt_fld_text("from", lt_state_name(hs->state));
    hs->state = next;
    LT_HS_TRACE(hs, LT_EV_STATE, lt_state_name(next), NULL, NULL, &f, 1);
}

static int row_allows(const lt_transition *t, int next)
{
    for (int i = 0; i < MAX_NEXT; i++) {
        if ((int)t->next[i] == next) {
            return 1;
        }
    }
    return 0;
}

static int enter_state(lt_hs *hs, const lt_transition *t, int next)
{
    if (next < 0 || next >= LT_ST_COUNT || !row_allows(t, next)) {
        return lt_hs_fail(hs, LT_ERR_INTERNAL, "handler of %s returned a state the table does not allow",
                          lt_state_name(hs->state));
    }
    if (next == (int)hs->state) {
        return LT_OK;
    }
    if (next == LT_ST_CONNECTED) {
        unsigned need = required_proof(hs);
        if ((hs->proof & need) != need) {
            return lt_hs_fail(hs, LT_ERR_INTERNAL, "refusing to finish the handshake: a required check did not run");
        }
        set_state(hs, LT_ST_CONNECTED);
        drop_scratch(hs);
        return LT_OK;
    }
    set_state(hs, (lt_hs_state)next);
    return LT_OK;
}

static const char *row_message_name(const lt_transition *t)
{
    return t->content_type == LT_CT_HANDSHAKE ? lt_hs_type_name(t->hs_type) : "ChangeCipherSpec";
}

static int run_row(lt_hs *hs, const lt_transition *t, const uint8_t *msg, size_t len, const uint8_t *body,
                   size_t body_len, int last_in_record)
{
    if (t->flags & HASH) {
        int rc = lt_transcript_add(&hs->h12->transcript, msg, len, row_message_name(t));
        if (rc != LT_OK) {
            return lt_hs_fail(hs, rc, "transcript hash failed");
        }
    }
    int next = t->handler(hs, body, body_len);
    if (next < 0) {
        /* Handlers fail where they find the problem, with a precise detail;
         * this line is only for a failure from a layer below that had none
         * (the first detail is never overwritten). */
        return lt_hs_fail(hs, next, "handling %s: %s", row_message_name(t), lt_result_string(next));
    }
    /* RFC 8446 5.1: the hello after which TLS 1.3 changes keys must end
     * its record too; the version is known only now. */
    if ((t->flags & ENDS_RECORD_13) && hs->session.version == LT_TLS1_3 && !last_in_record && next != (int)hs->state) {
        return lt_hs_fail(hs, LT_ERR_UNEXPECTED_MESSAGE,
                          "%s is followed by more data in its record, across a key change (RFC 8446 5.1)",
                          row_message_name(t));
    }
    return enter_state(hs, t, next);
}

int lt_hs_start(lt_hs *hs)
{
    LT_ENSURE(hs->env.role == LT_ROLE_CLIENT && !hs->started, LT_ERR_USAGE);
    hs->started = 1;
    int rc = lt_client_send_hello(hs);
    if (rc != LT_OK) {
        return lt_hs_fail(hs, rc, "could not build the ClientHello");
    }
    set_state(hs, LT_ST_CLIENT_WAIT_SERVER_HELLO);
    return LT_OK;
}

int lt_hs_refuse_renegotiation(lt_hs *hs, const char *what)
{
    /* RFC 5246 7.2.2: no_renegotiation is a warning, after which "the
     * original requester can decide whether to proceed". A peer that asks
     * again has ignored the answer: the request is no longer a message this
     * connection expects, so it is fatal (unexpected_message), and a record
     * full of requests costs us two messages, not thousands. */
    if (hs->renegotiations_refused >= LT_MAX_RENEGOTIATIONS_REFUSED) {
        return lt_hs_fail(hs, LT_ERR_UNEXPECTED_MESSAGE,
                          "%s again after we refused renegotiation with no_renegotiation (RFC 5246 7.2.2)", what);
    }
    hs->renegotiations_refused++;
    return lt_hs_send_warning(hs, LT_ALERT_NO_RENEGOTIATION);
}

/* RFC 5246 7.4.1.1: "This message will be ignored by the client if the
 * client is currently negotiating a session"; its body "struct { }" is
 * empty, so one with bytes in it is malformed (decode_error). */
static int ignore_hello_request(lt_hs *hs, size_t len)
{
    if (len != 4) {
        return lt_hs_fail(hs, LT_ERR_DECODE, "HelloRequest with a %zu-byte body (it must be empty) in state %s",
                          len - 4, lt_state_name(hs->state));
    }
    LT_HS_TRACE(hs, LT_EV_MSG_RECV, "HelloRequest", "RFC 5246 7.4.1.1", "ignored: we are in the middle of a handshake",
                NULL, 0);
    return LT_OK;
}

static int dispatch_message(lt_hs *hs, const uint8_t *msg, size_t len, int last_in_record)
{
    uint8_t type = msg[0];
    const lt_transition *t = find_row(hs, LT_CT_HANDSHAKE, type);
    if (t == NULL) {
        if (hs->env.role == LT_ROLE_CLIENT && type == LT_HS_HELLO_REQUEST && hs->session.version != LT_TLS1_3) {
            return ignore_hello_request(hs, len);
        }
        return lt_hs_fail(hs, LT_ERR_UNEXPECTED_MESSAGE,
                          "unexpected handshake message: expected %s in state %s, got %s", expected_text(hs),
                          lt_state_name(hs->state), lt_hs_type_name(type));
    }
    /* RFC 8446 5.1: a message that precedes a key change must end its
     * record, or the bytes after it would be read under the wrong keys. */
    if ((t->flags & ENDS_RECORD) && !last_in_record) {
        return lt_hs_fail(hs, LT_ERR_UNEXPECTED_MESSAGE,
                          "%s is followed by more data in its record, across a key change", lt_hs_type_name(type));
    }
    return run_row(hs, t, msg, len, msg + 4, len - 4, last_in_record);
}

static int append_handshake_bytes(lt_hs *hs, const uint8_t *p, size_t n)
{
    int rc = lt_buf_append(&hs->msg, p, n);
    if (rc == LT_ERR_NOMEM) {
        return lt_hs_fail(hs, rc, "out of memory");
    }
    if (rc != LT_OK) {
        return lt_hs_fail(hs, LT_ERR_ILLEGAL_PARAMETER, "handshake message too large");
    }
    return LT_OK;
}

static int on_handshake_record(lt_hs *hs, const uint8_t *p, size_t n, int *progress)
{
    lt_hs_state before = hs->state;
    hs->delivered = 0;
    /* RFC 5246 6.2.1: "Implementations MUST NOT send zero-length fragments
     * of Handshake ... content types". */
    if (n == 0) {
        return lt_hs_fail(hs, LT_ERR_DECODE, "empty handshake record");
    }
    LT_GUARD(append_handshake_bytes(hs, p, n));
    size_t off = 0;
    int rc = LT_OK;
    while (rc == LT_OK && hs->msg.len - off >= 4) {
        const uint8_t *m = hs->msg.p + off;
        size_t body = ((size_t)m[1] << 16) | ((size_t)m[2] << 8) | m[3];
        if (body > LT_MAX_HS_MESSAGE_IN) {
            return lt_hs_fail(hs, LT_ERR_ILLEGAL_PARAMETER,
                              "handshake message type %u (%s) claims %zu bytes, over our limit of %u", m[0],
                              lt_hs_type_name(m[0]), body, (unsigned)LT_MAX_HS_MESSAGE_IN);
        }
        if (hs->msg.len - off < 4 + body) {
            break;
        }
        rc = dispatch_message(hs, m, 4 + body, off + 4 + body == hs->msg.len);
        off += 4 + body;
    }
    if (rc != LT_OK) {
        return rc;
    }
    lt_buf_consume(&hs->msg, off);
    /* Progress: the state moved, a message is on its way (bounded by
     * LT_MAX_HS_MESSAGE), or a TLS 1.3 ticket came. After the handshake a
     * part of a message is not progress, nor a KeyUpdate (each costs us new
     * keys), so a peer cannot keep us busy with them for long. */
    *progress = hs->state != before || (hs->msg.len > 0 && hs->state != LT_ST_CONNECTED) || hs->delivered;
    if (hs->state == LT_ST_CONNECTED) {
        /* After the handshake only a rare HelloRequest or ClientHello comes:
         * do not keep the reassembly buffer around for it. */
        lt_hs_release_buffers(hs);
    }
    return LT_OK;
}

/* RFC 8446 5 and D.4: in TLS 1.3 a ChangeCipherSpec is only the
 * middlebox-compatibility one. It "MUST simply [be dropped]" when it is the
 * single byte 0x01 and arrives after the first ClientHello and before the
 * peer's Finished; any other value, or one outside that window, is
 * unexpected_message. A peer sends it once (D.4), so a second one is
 * refused too: dropping them without limit would let a peer keep us busy. */
static int on_tls13_ccs(lt_hs *hs, const uint8_t *p, size_t n)
{
    if (n != 1 || p[0] != 1) {
        return lt_hs_fail(hs, LT_ERR_UNEXPECTED_MESSAGE,
                          "TLS 1.3 ChangeCipherSpec must be the single byte 1 (RFC 8446 5), got %zu bytes", n);
    }
    if (hs->state == LT_ST_CONNECTED) {
        return lt_hs_fail(hs, LT_ERR_UNEXPECTED_MESSAGE,
                          "ChangeCipherSpec after the peer's Finished (RFC 8446 5: only during the handshake)");
    }
    if (hs->peer_ccs_seen) {
        return lt_hs_fail(hs, LT_ERR_UNEXPECTED_MESSAGE,
                          "a second ChangeCipherSpec (RFC 8446 D.4: the peer sends one, for middleboxes)");
    }
    if (hs->msg.len != 0) {
        return lt_hs_fail(hs, LT_ERR_UNEXPECTED_MESSAGE, "ChangeCipherSpec inside a fragmented handshake message");
    }
    hs->peer_ccs_seen = 1;
    LT_HS_TRACE(hs, LT_EV_CCS_RECV, "ChangeCipherSpec", "RFC 8446 D.4",
                "dropped: TLS 1.3 sends it only to look like TLS 1.2 to middleboxes; it changes nothing", NULL, 0);
    return LT_OK;
}

static int on_ccs_record(lt_hs *hs, const uint8_t *p, size_t n)
{
    if (hs->session.version == LT_TLS1_3) {
        return on_tls13_ccs(hs, p, n);
    }
    const lt_transition *t = find_row(hs, LT_CT_CHANGE_CIPHER_SPEC, 0);
    if (t == NULL) {
        return lt_hs_fail(hs, LT_ERR_UNEXPECTED_MESSAGE, "unexpected ChangeCipherSpec: expected %s in state %s",
                          expected_text(hs), lt_state_name(hs->state));
    }
    /* struct { enum { change_cipher_spec(1), (255) } type; } (RFC 5246 7.1) */
    if (n != 1 || p[0] != 1) {
        return lt_hs_fail(hs, LT_ERR_DECODE, "ChangeCipherSpec must be the single byte 1");
    }
    /* Keys must not change in the middle of a handshake message. */
    if (hs->msg.len != 0) {
        return lt_hs_fail(hs, LT_ERR_UNEXPECTED_MESSAGE, "ChangeCipherSpec inside a fragmented handshake message");
    }
    return run_row(hs, t, p, n, p, n, 1);
}

int lt_hs_on_record(lt_hs *hs, uint8_t type, const uint8_t *pt, size_t len, int *progress)
{
    *progress = 0;
    if (type == LT_CT_CHANGE_CIPHER_SPEC) {
        LT_GUARD(on_ccs_record(hs, pt, len));
        *progress = 1; /* the table allowed it, so the state moved */
        return LT_OK;
    }
    return on_handshake_record(hs, pt, len, progress);
}
