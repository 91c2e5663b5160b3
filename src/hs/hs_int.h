/*
 * Inside the handshake engine: its state, the table's types, the emitter,
 * and the handlers of each version. Only src/hs (and white-box tests)
 * include this.
 */
#ifndef LT_HS_HS_INT_H
#define LT_HS_HS_INT_H

#include "crypto/buf.h"
#include "hs/hs.h"
#include "hs/keysched12.h"
#include "hs/keysched13.h"
#include "hs/messages.h"
#include "hs/messages13.h"
#include "hs/session.h"
#include "hs/transcript.h"

/* Handshake states, named after what they wait for (RFC 8446 Appendix A
 * style). The table in machine.c says which message each one accepts, for
 * which version and handshake shape. TLS 1.3's states join this list. */
typedef enum lt_hs_state {
    LT_ST_CLIENT_START = 0,
    LT_ST_CLIENT_WAIT_SERVER_HELLO,
    LT_ST_CLIENT_WAIT_CERTIFICATE,
    LT_ST_CLIENT_WAIT_SERVER_KEY_EXCHANGE,
    LT_ST_CLIENT_WAIT_SERVER_HELLO_DONE, /* CertificateRequest may come first */
    LT_ST_CLIENT_WAIT_CCS,
    LT_ST_CLIENT_WAIT_FINISHED,
    LT_ST_SERVER_WAIT_CLIENT_HELLO,
    LT_ST_SERVER_WAIT_CLIENT_KEY_EXCHANGE,
    LT_ST_SERVER_WAIT_CCS,
    LT_ST_SERVER_WAIT_FINISHED,
    /* TLS 1.3 (RFC 8446 Appendix A.1); CLIENT_WAIT_CERTIFICATE (after a
     * CertificateRequest), CLIENT_WAIT_FINISHED and SERVER_WAIT_FINISHED
     * are shared with 1.2 by name, with rows of their own. */
    LT_ST_CLIENT_WAIT_ENCRYPTED_EXTENSIONS,
    LT_ST_CLIENT_WAIT_CERT_CR,
    LT_ST_CLIENT_WAIT_CERTIFICATE_VERIFY,
    LT_ST_CLIENT_WAIT_NEW_SESSION_TICKET, /* TLS 1.2, RFC 5077 3.3: the server said one is coming */
    /* Mutual TLS, the server's side (both versions): the client's
     * Certificate, then its CertificateVerify when it sent one. */
    LT_ST_SERVER_WAIT_CLIENT_CERTIFICATE,
    LT_ST_SERVER_WAIT_CERTIFICATE_VERIFY,
    LT_ST_CONNECTED,
    LT_ST_COUNT
} lt_hs_state;

const char *lt_state_name(lt_hs_state st);

/* The handshake's shape (s2n-tls style): which optional parts this
 * handshake has. Table rows may require or forbid a flag, so a new shape is
 * a flag, not a copy of the states. */
#define LT_SHAPE_FULL (1u << 0)        /* a full handshake (not resumed) */
#define LT_SHAPE_PFS (1u << 1)         /* ephemeral key exchange: ServerKeyExchange */
#define LT_SHAPE_CLIENT_AUTH (1u << 2) /* the server sent CertificateRequest */
#define LT_SHAPE_RESUMED (1u << 3)     /* abbreviated handshake (issue "resumption") */
#define LT_SHAPE_TICKET (1u << 4)      /* NewSessionTicket is coming */
#define LT_SHAPE_HRR (1u << 5)         /* TLS 1.3: a HelloRetryRequest was sent or received */

/* What we prove during the handshake; the driver refuses to enter CONNECTED
 * unless the bits its role needs are all set (rustls-style capabilities). */
#define LT_PROOF_PEER_CERT_OK (1u << 0) /* the peer's chain, time (and for a server: name) checked */
#define LT_PROOF_FINISHED_OK (1u << 1)  /* the peer's Finished matched */
#define LT_PROOF_KEYS_DERIVED (1u << 2)
#define LT_PROOF_KX_SIGNED (1u << 3) /* client, PFS shape: the ServerKeyExchange signature verified */
#define LT_PROOF_CV_OK (1u << 4)     /* client, TLS 1.3: the server's CertificateVerify verified */
/* Server, mutual TLS: the client's CertificateVerify verified with the key
 * of the certificate it sent (a certificate alone proves nothing). */
#define LT_PROOF_CLIENT_CV_OK (1u << 5)

/* TLS 1.2 handshake scratch: freed and wiped when the handshake ends. */
typedef struct lt_hs12 {
    lt_transcript transcript;
    uint8_t client_random[32];
    uint8_t server_random[32];
    uint16_t client_version; /* from the ClientHello, for the RSA pre-master check */
    lt_key_block kb;
    lt_rc *pending_read;  /* activated by the peer's ChangeCipherSpec */
    lt_rc *pending_write; /* activated by ours */
    lt_pkey *peer_key;    /* the server's leaf public key (client) */
    /* ECDHE (RFC 8422). */
    uint16_t group;                /* the group of the key exchange */
    uint16_t sig_scheme;           /* the ServerKeyExchange signature scheme */
    lt_kx_key *kx_key;             /* our ephemeral key */
    const lt_identity *id;         /* server: the certificate and key chosen for this client */
    uint8_t pms[LT_MAX_KX_SECRET]; /* client: the shared secret, from ServerKeyExchange to ClientKeyExchange */
    size_t pms_len;
    int offered_ems;
    int offered_sni;
    uint32_t offered_answerable; /* LT_SEEN_* of other extensions we sent that a ServerHello may answer */
    /* TLS 1.2 resumption (resume12.c; RFC 5246 7.4.1.2, RFC 5077). */
    uint8_t session_id[LT_MAX_SESSION_ID]; /* client: the one we sent; server: the one our ServerHello carries */
    uint8_t session_id_len;
    uint8_t server_sid[LT_MAX_SESSION_ID]; /* client: the server's own session ID for this session (may be empty) */
    uint8_t server_sid_len;
    int resume_offered;    /* client: hs->offer is on offer in the TLS 1.2 way */
    int ticket_ext;        /* client: we sent SessionTicket; server: the client did */
    int got_ticket;        /* client: a NewSessionTicket with a ticket came (it is in hs->ticket) */
    int resume_ems;        /* server: the resumed session's EMS flag */
    int resumed_by_ticket; /* server: the session came in a ticket (not the cache) */
    int renew_ticket;      /* server: resuming, a fresh ticket is due (RFC 5077 3.3; see resume12.c) */
    /* Mutual TLS (clientauth.c). Client: our identity for the server's
     * CertificateRequest (NULL: an empty Certificate) and the scheme we
     * sign CertificateVerify with. Server: the client sent a certificate. */
    const lt_identity *client_id;
    uint16_t client_scheme;
    int peer_cert_sent;
} lt_hs12;

/* TLS 1.3 handshake scratch (beside lt_hs12, which holds what both
 * versions share: transcript, randoms, ephemeral key, peer key, identity). */
typedef struct lt_hs13 {
    lt_ks13 ks;
    uint8_t c_hs[LT_MAX_HASH_LEN];         /* client_handshake_traffic_secret */
    uint8_t s_hs[LT_MAX_HASH_LEN];         /* server_handshake_traffic_secret */
    uint8_t session_id[LT_MAX_SESSION_ID]; /* client: sent (D.4); server: to echo */
    uint8_t session_id_len;
    uint16_t share_group; /* client: the group of the share we sent */
    uint16_t hrr_suite;   /* the suite the HelloRetryRequest named (4.1.4) */
    uint16_t hrr_group;   /* the group it asked for */
    uint8_t cookie[32];   /* server: the cookie of our HelloRetryRequest */
    size_t cookie_len;
    lt_buf hrr_cookie;                   /* client: the server's cookie, up to 2^16-1 bytes (4.2.2), echoed */
    uint8_t ch1_digest[LT_MAX_HASH_LEN]; /* server: what ClientHello2 must repeat (4.1.2) */
    int ccs_sent;                        /* our middlebox-compatibility ChangeCipherSpec (D.4) */
    uint8_t cr_context[255];             /* client: the CertificateRequest's context, echoed */
    size_t cr_context_len;
    /* Resumption (4.2.11): the PSK offered (client) or accepted (server). */
    uint8_t psk[LT_SESSION_MAX_PSK];
    size_t psk_len;
    lt_hash_alg psk_hash;   /* the hash of the session's suite */
    int psk_offered;        /* client: we sent pre_shared_key */
    uint16_t psk_index;     /* server: the identity accepted */
    int early_data_offered; /* server: the client's ClientHello had early_data (we never accept it) */
} lt_hs13;

struct lt_hs {
    lt_hs_env env;
    lt_hs_state state;
    unsigned shape;
    unsigned proof;
    int started;
    char hostname[LT_MAX_HOSTNAME + 1];
    int hostname_is_ip;

    /* Reassembly of handshake messages that span records (kept after the
     * handshake: a peer may still send HelloRequest or ClientHello). */
    lt_buf msg;
    int renegotiations_refused;

    /* Scratch space for building our messages. */
    lt_buf scratch;

    lt_hs12 *h12; /* NULL after the handshake */
    lt_hs13 *h13; /* NULL after the handshake */
    lt_session session;

    /* TLS 1.3 after the handshake: the application traffic secrets, for
     * KeyUpdate (RFC 8446 7.2); wiped when the engine is freed. */
    uint8_t app_read[LT_MAX_HASH_LEN];
    uint8_t app_write[LT_MAX_HASH_LEN];
    int peer_ccs_seen; /* TLS 1.3: the peer's one middlebox ChangeCipherSpec (D.4) */
    /* Client resumption: the session to offer, and the latest ticket. */
    lt_client_session *offer;
    lt_client_session *ticket;
    uint64_t ticket_nonce; /* server: the next ticket's nonce */
    /* A post-handshake message in the current record delivered something
     * (a ticket): the record counts as progress, not noise. */
    int delivered;
    /* The peer's chain and the verdict on it, kept for the application
     * (clientauth.c); NULL until a chain is checked. */
    struct lt_peer_chain *peer_chain;
    int in_client_hello_hook; /* server: the application's hook runs (hooks.c) */
};

/* A handler takes the message body, checks and applies it, may queue our
 * next flight, and returns the next state (>= 0) or a negative error (after
 * lt_hs_fail has recorded a precise detail). */
typedef int (*lt_handler)(lt_hs *hs, const uint8_t *body, size_t len);

/* ---- The emitter (emit.c): the engine's only ways out ---- */
/* Fail: record a sticky error with a detail line (conn sends the alert). */
int lt_hs_fail(lt_hs *hs, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* An application hook refused the handshake: LT_ERR_REJECTED, and conn
 * sends the alert the hook chose (1..255) instead of the table's. */
int lt_hs_reject(lt_hs *hs, int alert, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Build a message in the scratch buffer: returns a writer. */
LT_MUST_USE int lt_hs_scratch(lt_hs *hs, size_t need, lt_wr *w);
/* Add a built message to the transcript, trace it, and queue it as records. */
LT_MUST_USE int lt_hs_send(lt_hs *hs, const uint8_t *msg, size_t len, const lt_field *fields, size_t n_fields);
/* A ChangeCipherSpec record. */
LT_MUST_USE int lt_hs_send_ccs_record(lt_hs *hs);
/* A warning alert (no_renegotiation). Fatal alerts are conn's, from the error. */
LT_MUST_USE int lt_hs_send_warning(lt_hs *hs, uint8_t desc);
/* Key changes: the record layer takes ownership of rc. */
void lt_hs_install_read_keys(lt_hs *hs, lt_rc *rc);
void lt_hs_install_write_keys(lt_hs *hs, lt_rc *rc);
/* TLS 1.3 server: drop the client's refused early data (RFC 8446 4.2.10). */
void lt_hs_skip_early_data(lt_hs *hs);
/* TLS 1.3 server: the client's alert may come before it switches keys. */
void lt_hs_allow_plaintext_alert(lt_hs *hs);
/* The record versions once negotiated. */
void lt_hs_set_record_version(lt_hs *hs, uint16_t version);
/* Narration shortcuts. */
static inline const lt_tracer *lt_hs_tr(const lt_hs *hs)
{
    return hs->env.tracer;
}
static inline int lt_hs_tracing(const lt_hs *hs)
{
    return lt_trace_on(hs->env.tracer);
}
static inline lt_field lt_hs_secret(const lt_hs *hs, const char *name, const uint8_t *p, size_t n)
{
    return lt_fld_secret(hs->env.tracer, name, p, n);
}
#define LT_HS_TRACE(hs, ...) lt_trace((hs)->env.tracer, __VA_ARGS__)

/* ---- TLS 1.2 (client12.c, server12.c, common12.c) ---- */
int lt_client_send_hello(lt_hs *hs);
int lt_client_on_server_hello(lt_hs *hs, const uint8_t *body, size_t len);
int lt_client_on_certificate(lt_hs *hs, const uint8_t *body, size_t len);
int lt_client_on_server_key_exchange(lt_hs *hs, const uint8_t *body, size_t len);
int lt_client_on_certificate_request(lt_hs *hs, const uint8_t *body, size_t len);
int lt_client_on_server_hello_done(lt_hs *hs, const uint8_t *body, size_t len);
int lt_client_on_ccs(lt_hs *hs, const uint8_t *body, size_t len);
int lt_client_on_finished(lt_hs *hs, const uint8_t *body, size_t len);
int lt_client_on_hello_request(lt_hs *hs, const uint8_t *body, size_t len);

int lt_server_on_client_hello(lt_hs *hs, const uint8_t *body, size_t len);
/* The highest version a ClientHello offers: supported_versions when it is
 * there (RFC 8446 4.2.1: then legacy_version is not used for
 * negotiation), else legacy_version. */
uint16_t lt_client_hello_max_version(const lt_client_hello *ch);
int lt_server_on_client_key_exchange(lt_hs *hs, const uint8_t *body, size_t len);
int lt_server_on_ccs(lt_hs *hs, const uint8_t *body, size_t len);
/* server12.c, for resume12.c: a fresh ServerHello.random (with the TLS 1.3
 * downgrade sentinel when we speak 1.3), and the ServerHello's parameters
 * for the negotiated session. */
LT_MUST_USE int lt_server12_new_random(lt_hs *hs);
void lt_server12_hello_params(lt_hs *hs, const lt_client_hello *ch, lt_server_hello_params *p);

/* ---- TLS 1.2 resumption (resume12.c; RFC 5246 7.3, RFC 5077, RFC 7627 5.3) ---- */
/* Client: offer hs->offer, if it is a TLS 1.2 session we may offer, as its
 * session ID and/or ticket; always ask for a ticket (an empty SessionTicket)
 * when we offer TLS 1.2. Sets p->session_id (shared with TLS 1.3's
 * compatibility session ID) and the SessionTicket fields. */
LT_MUST_USE int lt_hs12_client_offer(lt_hs *hs, lt_client_hello_params *p);
/* Client: after a TLS 1.2 ServerHello passed its checks: 1 when it resumes
 * our session (keys derived), 0 for a full handshake, or an error. */
LT_MUST_USE int lt_hs12_client_on_server_hello(lt_hs *hs, const lt_server_hello *sh);
/* Client: after the server's Finished verified, what to keep for the next
 * connection (hs->ticket). */
LT_MUST_USE int lt_hs12_client_keep_session(lt_hs *hs);
int lt_client12_on_new_session_ticket(lt_hs *hs, const uint8_t *body, size_t len);
int lt_client12_on_resumed_finished(lt_hs *hs, const uint8_t *body, size_t len);
/* Server: 1 when the ClientHello's ticket or session ID names a session we
 * resume (hs->session filled: suite, master secret), 0 for a full
 * handshake, or an error (RFC 7627 5.3: handshake_failure). */
LT_MUST_USE int lt_hs12_server_try_resume(lt_hs *hs, const lt_client_hello *ch);
/* Server, full handshake: a session ID (and a cache entry later) or a
 * ticket (the TICKET shape) for this session. */
LT_MUST_USE int lt_hs12_server_plan_session(lt_hs *hs);
/* Server, abbreviated handshake: ServerHello, [NewSessionTicket], CCS,
 * Finished. */
LT_MUST_USE int lt_hs12_server_send_resumed_flight(lt_hs *hs, const lt_client_hello *ch);
/* Server, full handshake, the client's Finished verified: the
 * NewSessionTicket (TICKET shape), or the cache entry. */
LT_MUST_USE int lt_hs12_server_on_session_done(lt_hs *hs);
int lt_server12_on_resumed_finished(lt_hs *hs, const uint8_t *body, size_t len);
int lt_server_on_finished(lt_hs *hs, const uint8_t *body, size_t len);
int lt_server_on_renegotiation(lt_hs *hs, const uint8_t *body, size_t len);

/* ---- TLS 1.3 (client13.c, server13.c, common13.c) ---- */
/* The hello handlers (shared rows) hand over once 1.3 is chosen. */
int lt_client13_on_server_hello(lt_hs *hs, const lt_server_hello *sh, const uint8_t *body, size_t len);
int lt_client13_on_encrypted_extensions(lt_hs *hs, const uint8_t *body, size_t len);
int lt_client13_on_certificate_request(lt_hs *hs, const uint8_t *body, size_t len);
int lt_client13_on_certificate(lt_hs *hs, const uint8_t *body, size_t len);
int lt_client13_on_certificate_verify(lt_hs *hs, const uint8_t *body, size_t len);
int lt_client13_on_finished(lt_hs *hs, const uint8_t *body, size_t len);
int lt_client13_on_new_session_ticket(lt_hs *hs, const uint8_t *body, size_t len);
int lt_server13_on_client_hello(lt_hs *hs, const lt_client_hello *ch, const uint8_t *body, size_t len);
int lt_server13_on_finished(lt_hs *hs, const uint8_t *body, size_t len);
int lt_hs13_on_key_update(lt_hs *hs, const uint8_t *body, size_t len);
/* resume13.c: tickets and PSK resumption (4.2.11, 4.6.1). */
typedef struct lt_psk_offer {
    const uint8_t *identity;
    size_t identity_len;
    uint32_t age; /* obfuscated_ticket_age */
    size_t binders_offset;
} lt_psk_offer;
/* Client: add our stored session to a ClientHello being built (nothing
 * when there is none or it cannot be offered); o must live until
 * lt_hs13_patch_binder. */
LT_MUST_USE int lt_hs13_offer_psk(lt_hs *hs, lt_client_hello_params *p, lt_psk_offer *o);
/* Client: compute the binder over the written ClientHello and put it in. */
LT_MUST_USE int lt_hs13_patch_binder(lt_hs *hs, uint8_t *msg, size_t len, const lt_psk_offer *o);
/* Client: the ServerHello's answer to our offer (resumed or not). */
LT_MUST_USE int lt_hs13_client_on_psk(lt_hs *hs, const lt_server_hello *sh);
/* Client: keep a NewSessionTicket as the session to resume. */
LT_MUST_USE int lt_client13_store_ticket(lt_hs *hs, const lt_new_session_ticket *t);
/* Server: accept the client's ticket if it is ours, usable, and its binder
 * verifies (a bad binder fails the handshake); msg_len is the whole
 * ClientHello's length. */
LT_MUST_USE int lt_hs13_server_try_psk(lt_hs *hs, const lt_client_hello *ch, size_t msg_len);
/* Server: the NewSessionTickets after the handshake. */
LT_MUST_USE int lt_hs13_send_tickets(lt_hs *hs);

/* Would we speak TLS 1.3, and TLS 1.2? (the policy's version range, and a
 * suite of that version configured) */
int lt_hs_allows(const lt_hs *hs, uint16_t version);
/* common13.c */
/* The handshake secrets from the (EC)DHE shared secret (wiped), with the
 * transcript through ServerHello; sets h13->c_hs and s_hs, key log. */
LT_MUST_USE int lt_hs13_handshake_secrets(lt_hs *hs, uint8_t *dhe, size_t dhe_len);
/* The application secrets and exporter master secret, with the transcript
 * through the server's Finished. */
LT_MUST_USE int lt_hs13_application_secrets(lt_hs *hs);
/* resumption_master_secret, with the transcript through the client's Finished. */
LT_MUST_USE int lt_hs13_resumption_secret(lt_hs *hs);
/* Record protection for one direction from a traffic secret. */
LT_MUST_USE int lt_hs13_install_keys(lt_hs *hs, const uint8_t *secret, int write, const char *what);
/* Our Finished (base_key: our handshake traffic secret), added to the transcript. */
LT_MUST_USE int lt_hs13_send_finished(lt_hs *hs, const uint8_t *base_key);
/* Check the peer's Finished (constant time) and add it to the transcript. */
LT_MUST_USE int lt_hs13_check_finished(lt_hs *hs, const uint8_t *base_key, const uint8_t *body, size_t len);
/* What a CertificateVerify signs (4.4.3): 64 spaces, the context string, a
 * zero byte, and the transcript hash. Returns its length. */
#define LT_CV_CONTENT_MAX (64 + 34 + 1 + LT_MAX_HASH_LEN)
size_t lt_hs13_cv_content(const lt_hs *hs, int server, uint8_t out[LT_CV_CONTENT_MAX]);
/* The middlebox-compatibility ChangeCipherSpec, once (D.4). */
LT_MUST_USE int lt_hs13_send_compat_ccs(lt_hs *hs);
/* Client, both versions (client12.c): what our ClientHello offers. */
int lt_client_offered_group(const lt_hs *hs, uint16_t group);
size_t lt_client_suites_to_offer(const lt_hs *hs, uint16_t out[LT_MAX_CONFIG_SUITES]);
/* The signature schemes we accept, and offer in signature_algorithms. */
extern const uint16_t LT_CLIENT_SIGALGS[];
extern const size_t LT_N_CLIENT_SIGALGS;
/* Client: check the server's chain (trust, time, name, security level),
 * leaving its public key in h12->peer_key. Shared by both versions. */
LT_MUST_USE int lt_client_verify_server_chain(lt_hs *hs, const lt_certificate_msg *cm, lt_cert_report *rep);

/* ---- Mutual TLS and the peer's chain (clientauth.c) ---- */
/* Server: did the client prove a verified certificate in this handshake
 * (or in the session it resumed)? A session records it for resumption. */
int lt_hs_client_authenticated(const lt_hs *hs);
/* Server: may a session with this record be resumed under our client-auth
 * policy? (REQUIRE resumes only client-authenticated sessions.) */
int lt_hs_session_meets_client_auth(const lt_hs *hs, const lt_ticket_state *st);
/* Server, resuming: the session's client authentication counts as this
 * handshake's (the proof the driver demands under REQUIRE). */
void lt_hs_inherit_client_auth(lt_hs *hs, const lt_ticket_state *st);
/* The default verdict rc on the peer's chain (with its report), then the
 * application's verify hook; keeps the chain. LT_OK with *leaf the leaf's
 * public key (the hook may accept a chain the check refused), or the
 * failure, recorded. */
LT_MUST_USE int lt_hs_judge_peer_chain(lt_hs *hs, const lt_certificate_msg *cm, int rc, const lt_cert_report *rep,
                                       const char *hostname, lt_pkey **leaf);
void lt_hs_free_peer_chain(lt_hs *hs);
/* Server: will this handshake ask for a client certificate? */
int lt_server_wants_client_cert(const lt_hs *hs);
/* Server, TLS 1.2: the CertificateRequest into the flight being written
 * (RFC 5246 7.4.4); sets LT_SHAPE_CLIENT_AUTH. */
LT_MUST_USE int lt_server12_write_certificate_request(lt_hs *hs, lt_wr *w);
size_t lt_server_certificate_request_size(const lt_hs *hs);
LT_MUST_USE int lt_server12_explain_certificate_request(lt_hs *hs, const uint8_t *msg, size_t len);
int lt_server_on_client_certificate(lt_hs *hs, const uint8_t *body, size_t len);
int lt_server_on_certificate_verify(lt_hs *hs, const uint8_t *body, size_t len);
/* Server, TLS 1.3 (RFC 8446 4.3.2). */
LT_MUST_USE int lt_server13_send_certificate_request(lt_hs *hs);
int lt_server13_on_client_certificate(lt_hs *hs, const uint8_t *body, size_t len);
int lt_server13_on_certificate_verify(lt_hs *hs, const uint8_t *body, size_t len);
/* Client: pick our identity for a CertificateRequest (its signature
 * schemes, and the CA names when authorities has any; types: TLS 1.2's
 * certificate_types, NULL in 1.3). Sets h12->client_id and client_scheme. */
void lt_client_choose_identity(lt_hs *hs, lt_rd sigalgs, lt_rd authorities, const lt_rd *types, int tls13);
/* Does the client have any identity at all (so keep the raw transcript)? */
int lt_client_has_identity(const lt_hs *hs);
/* Client, TLS 1.2: Certificate (ours, or empty: RFC 5246 7.4.6), and after
 * ClientKeyExchange the CertificateVerify (7.4.8) when we sent one. */
LT_MUST_USE int lt_client12_send_certificate(lt_hs *hs);
LT_MUST_USE int lt_client12_send_certificate_verify(lt_hs *hs);
/* Client, TLS 1.3: Certificate with the request's context, and
 * CertificateVerify when it was not empty (4.4.2, 4.4.3). */
LT_MUST_USE int lt_client13_send_certificate(lt_hs *hs);
/* Server (hooks.c): the application's ClientHello hook, once per
 * handshake (not for ClientHello2); a refusal is LT_ERR_REJECTED with the
 * hook's alert. */
LT_MUST_USE int lt_hs_run_client_hello_hook(lt_hs *hs, const lt_client_hello *ch);

/* ALPN (alpn.c, RFC 7301). Server: choose from the ClientHello's offer
 * by our preference (none in common: no_application_protocol), into
 * session.alpn. Client: take the server's one name, which must be one we
 * offered (illegal_parameter); `where` names the message. */
LT_MUST_USE int lt_hs_server_choose_alpn(lt_hs *hs, const lt_client_hello *ch);
LT_MUST_USE int lt_hs_client_take_alpn(lt_hs *hs, lt_rd name, const char *where);

/* Refuse a renegotiation request (machine.c): the first gets a warning
 * no_renegotiation and the connection goes on; any later one is fatal.
 * Constant work, nothing parsed. */
LT_MUST_USE int lt_hs_refuse_renegotiation(lt_hs *hs, const char *what);

/* common12.c: steps both roles share. */
/* Master secret + key block from the pre-master secret (pms_len bytes: 48
 * for RSA key transport, the shared secret's length for ECDHE), with
 * narration; leaves pending cipher states for both directions. Wipes pms. */
LT_MUST_USE int lt_hs_derive_keys(lt_hs *hs, uint8_t *pms, size_t pms_len);
/* The key block and pending cipher states from the session's master secret
 * and this handshake's randoms (RFC 5246 6.3): the second half of the
 * above, and all of it in an abbreviated handshake (7.3). */
LT_MUST_USE int lt_hs12_keys_from_master(lt_hs *hs);
/* What a ServerKeyExchange signature covers (RFC 8422 5.4): ClientHello.random
 * + ServerHello.random + ServerECDHParams. Returns its length, 0 when the
 * parameters are longer than any group we have makes them. */
#define LT_SKE_SIGNED_MAX (64 + 4 + LT_MAX_KX_PUBLIC)
size_t lt_hs12_ske_signed_data(const lt_hs *hs, const uint8_t *params, size_t params_len,
                               uint8_t out[LT_SKE_SIGNED_MAX]);
/* Send ChangeCipherSpec and switch our write direction to the new keys. */
LT_MUST_USE int lt_hs_send_ccs(lt_hs *hs);
/* The peer's ChangeCipherSpec: switch the read direction. */
LT_MUST_USE int lt_hs_recv_ccs(lt_hs *hs);
/* Compute our Finished and send it. */
LT_MUST_USE int lt_hs_send_finished(lt_hs *hs);
/* Check the peer's Finished (constant-time compare); adds it to the transcript. */
LT_MUST_USE int lt_hs_check_finished(lt_hs *hs, const uint8_t *body, size_t len);
/* ---- Narration (explain12.c): what each step tells the trace ---- */
void lt_explain_client_hello(lt_hs *hs, const lt_client_hello *ch);
LT_MUST_USE int lt_explain_send_client_hello(lt_hs *hs, const uint8_t *msg, size_t len, uint32_t exts_sent,
                                             const uint16_t *sigalgs, size_t n_sigalgs);
void lt_explain_server_hello(lt_hs *hs, const lt_server_hello *sh);
void lt_explain_client_choices(lt_hs *hs);
void lt_explain_cert_checks(lt_hs *hs, const lt_cert_report *rep, int host_wanted);
void lt_explain_certificate(lt_hs *hs, const lt_certificate_msg *cm);
void lt_explain_master_secret(lt_hs *hs, const uint8_t *session_hash, size_t sh_len);
void lt_explain_key_block(lt_hs *hs);
void lt_explain_server_choices(lt_hs *hs, size_t n_suites);
void lt_explain_server_extensions(lt_hs *hs, const lt_client_hello *ch);
/* Send a message of ours, described for the trace. */
LT_MUST_USE int lt_explain_send_server_hello(lt_hs *hs, const uint8_t *msg, size_t len,
                                             const lt_server_hello_params *p);
LT_MUST_USE int lt_explain_send_certificate(lt_hs *hs, const uint8_t *msg, size_t len, const lt_chain *chain);
LT_MUST_USE int lt_explain_send_server_key_exchange(lt_hs *hs, const uint8_t *msg, size_t len);
LT_MUST_USE int lt_explain_send_client_kx(lt_hs *hs, const uint8_t *msg, size_t len, const uint8_t *pub,
                                          size_t pub_len);
void lt_explain_recv_client_kx(lt_hs *hs, const uint8_t *pub, size_t len);
void lt_explain_server_key_exchange(lt_hs *hs, const lt_server_key_exchange_ecdhe *ske, int verified);
void lt_explain_shared_secret(lt_hs *hs, const uint8_t *pms, size_t len);
/* Narrate the chosen suite (why: the server's reason, or NULL). */
void lt_hs_trace_suite_choice(lt_hs *hs, const char *why);
/* Names for the trace. */
void lt_hs_suite_list_text(lt_rd suites, char *out, size_t cap);
void lt_hs_version_text(uint16_t v, char *out, size_t cap);
void lt_hs_group_list_text(lt_rd groups, char *out, size_t cap);
void lt_hs_sigalg_list_text(lt_rd list, char *out, size_t cap);
/* "server_name, extended_master_secret, ..." from LT_SEEN_* bits. */
void lt_hs_ext_list_text(uint32_t seen, char *out, size_t cap);

/* Test builds: put an engine in a state (white-box tests of the table). */
void lt_hs_test_set_state(lt_hs *hs, lt_hs_state st); /* and TLS 1.2, past the hellos */
void lt_hs_test_set_version(lt_hs *hs, uint16_t version);
lt_hs_state lt_hs_test_state(const lt_hs *hs);

#endif
