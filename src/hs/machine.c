/*
 * The handshake state machine: one table of transitions and the driver that
 * walks it. This is the only code that changes c->state.
 *
 * The driver is proactive (s2n, rustls): it looks up (state, role, content
 * type, handshake type) in the table before any parsing happens; a message
 * with no row is answered with unexpected_message. A handler's returned next
 * state is accepted only if the row allows it, and CONNECTED is entered only
 * when the proofs the role needs are all set.
 */
#include <stdlib.h>
#include <string.h>

#include "hs/handlers.h"

#define BIT(s) (1u << (s))
#define ROLE_C (1u << LT_ROLE_CLIENT)
#define ROLE_S (1u << LT_ROLE_SERVER)

typedef struct lt_transition {
    lt_state state;
    unsigned roles;
    uint8_t content_type;
    uint8_t hs_type; /* for LT_CT_HANDSHAKE rows */
    lt_handler handler;
    uint32_t next;  /* allowed next states */
    int transcript; /* 1: the driver hashes the message before the handler; 0: never (or the handler does) */
} lt_transition;

/* Docs: docs/STATE-MACHINE.md draws this table. */
static const lt_transition TABLE[] = {
    /* Client, RSA key transport (RFC 5246 7.3, Figure 1). */
    {LT_ST_CLIENT_WAIT_SERVER_HELLO, ROLE_C, LT_CT_HANDSHAKE, LT_HS_SERVER_HELLO, lt_client_on_server_hello,
     BIT(LT_ST_CLIENT_WAIT_CERTIFICATE), 1},
    {LT_ST_CLIENT_WAIT_CERTIFICATE, ROLE_C, LT_CT_HANDSHAKE, LT_HS_CERTIFICATE, lt_client_on_certificate,
     BIT(LT_ST_CLIENT_WAIT_SERVER_HELLO_DONE), 1},
    /* RFC 5246 7.4.4: a server may ask for a client certificate. */
    {LT_ST_CLIENT_WAIT_SERVER_HELLO_DONE, ROLE_C, LT_CT_HANDSHAKE, LT_HS_CERTIFICATE_REQUEST,
     lt_client_on_certificate_request, BIT(LT_ST_CLIENT_WAIT_SERVER_HELLO_DONE_AFTER_CR), 1},
    {LT_ST_CLIENT_WAIT_SERVER_HELLO_DONE, ROLE_C, LT_CT_HANDSHAKE, LT_HS_SERVER_HELLO_DONE,
     lt_client_on_server_hello_done, BIT(LT_ST_CLIENT_WAIT_CCS), 1},
    {LT_ST_CLIENT_WAIT_SERVER_HELLO_DONE_AFTER_CR, ROLE_C, LT_CT_HANDSHAKE, LT_HS_SERVER_HELLO_DONE,
     lt_client_on_server_hello_done, BIT(LT_ST_CLIENT_WAIT_CCS), 1},
    {LT_ST_CLIENT_WAIT_CCS, ROLE_C, LT_CT_CHANGE_CIPHER_SPEC, 0, lt_client_on_ccs, BIT(LT_ST_CLIENT_WAIT_FINISHED), 0},
    {LT_ST_CLIENT_WAIT_FINISHED, ROLE_C, LT_CT_HANDSHAKE, LT_HS_FINISHED, lt_client_on_finished, BIT(LT_ST_CONNECTED),
     0},
    /* Server. */
    {LT_ST_SERVER_WAIT_CLIENT_HELLO, ROLE_S, LT_CT_HANDSHAKE, LT_HS_CLIENT_HELLO, lt_server_on_client_hello,
     BIT(LT_ST_SERVER_WAIT_CLIENT_KEY_EXCHANGE), 1},
    {LT_ST_SERVER_WAIT_CLIENT_KEY_EXCHANGE, ROLE_S, LT_CT_HANDSHAKE, LT_HS_CLIENT_KEY_EXCHANGE,
     lt_server_on_client_key_exchange, BIT(LT_ST_SERVER_WAIT_CCS), 1},
    {LT_ST_SERVER_WAIT_CCS, ROLE_S, LT_CT_CHANGE_CIPHER_SPEC, 0, lt_server_on_ccs, BIT(LT_ST_SERVER_WAIT_FINISHED), 0},
    {LT_ST_SERVER_WAIT_FINISHED, ROLE_S, LT_CT_HANDSHAKE, LT_HS_FINISHED, lt_server_on_finished, BIT(LT_ST_CONNECTED),
     0},
    /* After the handshake: renegotiation is refused (RFC 5746 4.5, 5246
     * 7.2.2 no_renegotiation) and the connection goes on. */
    {LT_ST_CONNECTED, ROLE_C, LT_CT_HANDSHAKE, LT_HS_HELLO_REQUEST, lt_client_on_hello_request, BIT(LT_ST_CONNECTED),
     0},
    {LT_ST_CONNECTED, ROLE_S, LT_CT_HANDSHAKE, LT_HS_CLIENT_HELLO, lt_server_on_renegotiation, BIT(LT_ST_CONNECTED), 0},
};

#define N_ROWS (sizeof TABLE / sizeof TABLE[0])

static const char *STATE_NAMES[LT_ST_COUNT] = {
    [LT_ST_CLIENT_START] = "CLIENT_START",
    [LT_ST_CLIENT_WAIT_SERVER_HELLO] = "CLIENT_WAIT_SERVER_HELLO",
    [LT_ST_CLIENT_WAIT_CERTIFICATE] = "CLIENT_WAIT_CERTIFICATE",
    [LT_ST_CLIENT_WAIT_SERVER_HELLO_DONE] = "CLIENT_WAIT_SERVER_HELLO_DONE",
    [LT_ST_CLIENT_WAIT_SERVER_HELLO_DONE_AFTER_CR] = "CLIENT_WAIT_SERVER_HELLO_DONE_AFTER_CERTIFICATE_REQUEST",
    [LT_ST_CLIENT_WAIT_CCS] = "CLIENT_WAIT_CHANGE_CIPHER_SPEC",
    [LT_ST_CLIENT_WAIT_FINISHED] = "CLIENT_WAIT_FINISHED",
    [LT_ST_SERVER_WAIT_CLIENT_HELLO] = "SERVER_WAIT_CLIENT_HELLO",
    [LT_ST_SERVER_WAIT_CLIENT_KEY_EXCHANGE] = "SERVER_WAIT_CLIENT_KEY_EXCHANGE",
    [LT_ST_SERVER_WAIT_CCS] = "SERVER_WAIT_CHANGE_CIPHER_SPEC",
    [LT_ST_SERVER_WAIT_FINISHED] = "SERVER_WAIT_FINISHED",
    [LT_ST_CONNECTED] = "CONNECTED",
    [LT_ST_CLOSED] = "CLOSED",
    [LT_ST_FAILED] = "FAILED",
};

const char *lt_state_name(lt_state st)
{
    return st < LT_ST_COUNT ? STATE_NAMES[st] : "?";
}

static const lt_transition *find_row(const lt_conn *c, uint8_t content_type, uint8_t hs_type)
{
    for (size_t i = 0; i < N_ROWS; i++) {
        const lt_transition *t = &TABLE[i];
        if (t->state == c->state && (t->roles & (1u << c->role)) && t->content_type == content_type &&
            (content_type != LT_CT_HANDSHAKE || t->hs_type == hs_type)) {
            return t;
        }
    }
    return NULL;
}

/* What the current state waits for, for error messages. */
static const char *expected_text(const lt_conn *c)
{
    for (size_t i = 0; i < N_ROWS; i++) {
        const lt_transition *t = &TABLE[i];
        if (t->state == c->state && (t->roles & (1u << c->role))) {
            return t->content_type == LT_CT_HANDSHAKE ? lt_hs_type_name(t->hs_type) : "ChangeCipherSpec";
        }
    }
    return "nothing";
}

static unsigned required_proof(const lt_conn *c)
{
    unsigned need = LT_PROOF_FINISHED_OK | LT_PROOF_KEYS_DERIVED;
    if (c->role == LT_ROLE_CLIENT) {
        need |= LT_PROOF_PEER_CERT_OK;
    }
    return need;
}

void lt_hs_free(lt_hs *hs)
{
    if (hs == NULL) {
        return;
    }
    lt_transcript_free(&hs->transcript);
    lt_rc_free(hs->pending_read);
    lt_rc_free(hs->pending_write);
    lt_pkey_free(hs->peer_key);
    if (hs->scratch != NULL) {
        lt_wipe(hs->scratch, hs->scratch_cap);
        free(hs->scratch);
    }
    lt_wipe(hs, sizeof *hs);
    free(hs);
}

static void set_state(lt_conn *c, lt_state next)
{
    lt_field f = lt_fld_text("from", lt_state_name(c->state));
    c->state = next;
    lt_trace(c, LT_EV_STATE, lt_state_name(next), NULL, NULL, &f, 1);
}

static int enter_state(lt_conn *c, const lt_transition *t, int next)
{
    if (next < 0 || next >= LT_ST_COUNT || !(t->next & BIT(next))) {
        return lt_conn_fail(c, LT_ERR_INTERNAL, "handler of %s returned a state the table does not allow",
                            lt_state_name(c->state));
    }
    if (next == (int)c->state) {
        return LT_OK;
    }
    if (next == LT_ST_CONNECTED) {
        unsigned need = required_proof(c);
        if ((c->hs->proof & need) != need) {
            return lt_conn_fail(c, LT_ERR_INTERNAL, "refusing to finish the handshake: a required check did not run");
        }
        set_state(c, LT_ST_CONNECTED);
        /* The handshake secrets and transcript are no longer needed. */
        lt_hs_free(c->hs);
        c->hs = NULL;
        return LT_OK;
    }
    set_state(c, (lt_state)next);
    return LT_OK;
}

static int run_row(lt_conn *c, const lt_transition *t, const uint8_t *msg, size_t len, const uint8_t *body,
                   size_t body_len)
{
    if (t->transcript) {
        int rc = lt_transcript_add(&c->hs->transcript, msg, len, lt_hs_type_name(t->hs_type));
        if (rc != LT_OK) {
            return lt_conn_fail(c, rc, "transcript hash failed");
        }
    }
    int next = t->handler(c, body, body_len);
    if (next < 0) {
        /* Handlers fail with a precise detail; this one (sticky errors keep
         * the first) is only for a failure from a layer below that had none. */
        return lt_conn_fail(c, next, "handling %s: %s",
                            t->content_type == LT_CT_HANDSHAKE ? lt_hs_type_name(t->hs_type) : "ChangeCipherSpec",
                            lt_result_string(next));
    }
    return enter_state(c, t, next);
}

int lt_hs_start(lt_conn *c)
{
    int rc = lt_client_send_hello(c);
    if (rc != LT_OK) {
        return lt_conn_fail(c, rc, "could not build the ClientHello");
    }
    set_state(c, LT_ST_CLIENT_WAIT_SERVER_HELLO);
    return LT_OK;
}

/* RFC 5246 7.4.1.1: "This message will be ignored by the client if the
 * client is currently negotiating a session"; its body "struct { }" is
 * empty, so one with bytes in it is malformed (decode_error). */
static int ignore_hello_request(lt_conn *c, size_t len)
{
    if (len != 4) {
        return lt_conn_fail(c, LT_ERR_DECODE, "HelloRequest with a %zu-byte body (it must be empty) in state %s",
                            len - 4, lt_state_name(c->state));
    }
    lt_trace(c, LT_EV_MSG_RECV, "HelloRequest", "RFC 5246 7.4.1.1", "ignored: we are in the middle of a handshake",
             NULL, 0);
    return LT_OK;
}

static int dispatch_message(lt_conn *c, const uint8_t *msg, size_t len)
{
    uint8_t type = msg[0];
    const lt_transition *t = find_row(c, LT_CT_HANDSHAKE, type);
    if (t == NULL) {
        if (c->role == LT_ROLE_CLIENT && type == LT_HS_HELLO_REQUEST) {
            return ignore_hello_request(c, len);
        }
        return lt_conn_fail(c, LT_ERR_UNEXPECTED_MESSAGE,
                            "unexpected handshake message: expected %s in state %s, got %s", expected_text(c),
                            lt_state_name(c->state), lt_hs_type_name(type));
    }
    return run_row(c, t, msg, len, msg + 4, len - 4);
}

static int append_handshake_bytes(lt_conn *c, const uint8_t *p, size_t n)
{
    if (c->msg_cap - c->msg_len < n) {
        size_t cap = c->msg_cap ? c->msg_cap : 1024;
        while (cap - c->msg_len < n) {
            cap *= 2;
        }
        if (cap > LT_MAX_HS_MESSAGE + LT_MAX_PLAINTEXT) {
            return lt_conn_fail(c, LT_ERR_ILLEGAL_PARAMETER, "handshake message too large");
        }
        uint8_t *m = malloc(cap);
        if (m == NULL) {
            return lt_conn_fail(c, LT_ERR_NOMEM, "out of memory");
        }
        if (c->msg != NULL) {
            memcpy(m, c->msg, c->msg_len);
            lt_wipe(c->msg, c->msg_cap);
            free(c->msg);
        }
        c->msg = m;
        c->msg_cap = cap;
    }
    memcpy(c->msg + c->msg_len, p, n);
    c->msg_len += n;
    return LT_OK;
}

static int on_handshake_record(lt_conn *c, const uint8_t *p, size_t n, int *progress)
{
    lt_state before = c->state;
    /* RFC 5246 6.2.1: "Implementations MUST NOT send zero-length fragments
     * of Handshake ... content types". */
    if (n == 0) {
        return lt_conn_fail(c, LT_ERR_DECODE, "empty handshake record");
    }
    LT_GUARD(append_handshake_bytes(c, p, n));
    size_t off = 0;
    int rc = LT_OK;
    while (rc == LT_OK && c->msg_len - off >= 4) {
        const uint8_t *m = c->msg + off;
        size_t body = ((size_t)m[1] << 16) | ((size_t)m[2] << 8) | m[3];
        if (body > LT_MAX_HS_MESSAGE) {
            return lt_conn_fail(c, LT_ERR_ILLEGAL_PARAMETER,
                                "handshake message type %u (%s) claims %zu bytes, over our limit of %u", m[0],
                                lt_hs_type_name(m[0]), body, LT_MAX_HS_MESSAGE);
        }
        if (c->msg_len - off < 4 + body) {
            break;
        }
        rc = dispatch_message(c, m, 4 + body);
        off += 4 + body;
    }
    if (rc != LT_OK) {
        return rc;
    }
    memmove(c->msg, c->msg + off, c->msg_len - off);
    c->msg_len -= off;
    /* Progress: the state moved, or a message is on its way (bounded by
     * LT_MAX_HS_MESSAGE). After the handshake nothing is on its way: TLS 1.2
     * has no post-handshake message we accept. */
    *progress = c->state != before || (c->msg_len > 0 && c->state != LT_ST_CONNECTED);
    if (c->state == LT_ST_CONNECTED) {
        /* After the handshake only a rare HelloRequest or ClientHello comes:
         * do not keep the reassembly buffer around for it. */
        lt_conn_release_msg(c);
    }
    return LT_OK;
}

static int on_ccs_record(lt_conn *c, const uint8_t *p, size_t n)
{
    const lt_transition *t = find_row(c, LT_CT_CHANGE_CIPHER_SPEC, 0);
    if (t == NULL) {
        return lt_conn_fail(c, LT_ERR_UNEXPECTED_MESSAGE, "unexpected ChangeCipherSpec: expected %s in state %s",
                            expected_text(c), lt_state_name(c->state));
    }
    /* struct { enum { change_cipher_spec(1), (255) } type; } (RFC 5246 7.1) */
    if (n != 1 || p[0] != 1) {
        return lt_conn_fail(c, LT_ERR_DECODE, "ChangeCipherSpec must be the single byte 1");
    }
    /* Keys must not change in the middle of a handshake message. */
    if (c->msg_len != 0) {
        return lt_conn_fail(c, LT_ERR_UNEXPECTED_MESSAGE, "ChangeCipherSpec inside a fragmented handshake message");
    }
    return run_row(c, t, p, n, p, n);
}

int lt_hs_on_record(lt_conn *c, uint8_t type, const uint8_t *pt, size_t len, int *progress)
{
    *progress = 0;
    if (type == LT_CT_CHANGE_CIPHER_SPEC) {
        LT_GUARD(on_ccs_record(c, pt, len));
        *progress = 1; /* the table allowed it, so the state moved */
        return LT_OK;
    }
    return on_handshake_record(c, pt, len, progress);
}
