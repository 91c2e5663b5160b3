/*
 * The handshake engine, as conn sees it. conn owns the connection (buffers,
 * alerts, the public API) and drives the engine with whole records; the
 * engine owns everything about the handshake: its states, the reassembly of
 * handshake messages, the transcript, the per-version secrets, and the
 * session that outlives it.
 *
 * The engine never calls up into conn. What it does to the outside goes
 * through its environment (lt_hs_env): handshake and ChangeCipherSpec bytes
 * and new keys go to the record layer, failures go into conn's one sticky
 * lt_error (conn then sends the alert that error names), and narration goes
 * to the tracer.
 */
#ifndef LT_HS_HS_H
#define LT_HS_HS_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "crypto/crypto.h"
#include "hs/messages.h"
#include "hs/suites.h"
#include "hs/trace.h"
#include "record/record.h"

/* The largest handshake message we send (a certificate chain can be long). */
#define LT_MAX_HS_MESSAGE (1u << 17)
/* The largest legal ClientHello body (RFC 5246 7.4.1.2): version 2, random
 * 32, session_id 1 + 32, cipher_suites 2 + (2^16 - 2), compression_methods
 * 1 + 255, extensions 2 + (2^16 - 1). */
#define LT_MAX_CLIENT_HELLO (2 + 32 + 1 + 32 + 2 + 65534 + 1 + 255 + 2 + 65535)
/* The largest handshake message we accept: whichever is larger. */
#define LT_MAX_HS_MESSAGE_IN (LT_MAX_CLIENT_HELLO > LT_MAX_HS_MESSAGE ? LT_MAX_CLIENT_HELLO : LT_MAX_HS_MESSAGE)
#define LT_MAX_CONFIG_SUITES 32
#define LT_MAX_CONFIG_GROUPS 8
/* Renegotiation requests we refuse with a warning before the next one is
 * fatal (RFC 5246 7.2.2; see refuse_renegotiation in machine.c). */
#define LT_MAX_RENEGOTIATIONS_REFUSED 1
#define LT_MAX_SECRET_LEN 48 /* the TLS 1.2 master secret; TLS 1.3 secrets are hash-sized (<= 48) */

/* What the handshake needs from the configuration. It lives inside lt_config
 * (conn/config.c fills it) and is read-only once a connection uses it. */
#define LT_MAX_SIGN_SCHEMES 16
#define LT_MAX_ALPN_LIST 1024 /* our own ALPN list, encoded (RFC 7301 allows 2^16-1) */

/* One server identity: a chain and its private key. */
typedef struct lt_identity {
    lt_chain chain;
    lt_pkey *key;
    /* How the chain's certificates are signed (a self-signed root left out),
     * to match the client's signature_algorithms_cert. */
    uint16_t chain_schemes[LT_MAX_CHAIN];
    size_t n_chain_schemes;
    /* The issuers of the chain's certificates, as a DistinguishedName list
     * body: a client matches them against a CertificateRequest's CA names
     * (worked out when the chain is set, not per handshake). */
    uint8_t *issuer_names;
    size_t issuer_names_len;
    /* What the leaf's keyUsage lets it do (RFC 5280 4.2.1.3): sign a
     * ServerKeyExchange (ECDHE), decrypt a pre-master secret (RSA). */
    int may_sign;
    int may_encipher;
    /* Worked out once, when the key is set: its curve (0 for RSA), and the
     * TLS 1.2 signature schemes it can sign with, best first (a hash that
     * matches the curve before any other). */
    uint16_t key_group;
    uint16_t sign_schemes[LT_MAX_SIGN_SCHEMES];
    size_t n_sign_schemes;
    uint16_t sign_schemes13[LT_MAX_SIGN_SCHEMES]; /* the TLS 1.3 ones (RFC 8446 4.2.3) */
    size_t n_sign_schemes13;
} lt_identity;
#define LT_ID_RSA 0
#define LT_ID_EC 1
#define LT_MAX_IDENTITIES 2

typedef struct lt_hs_policy {
    /* Server identities, one per key kind: an RSA and an ECDSA certificate
     * can be held at once, and each handshake picks by what the client
     * offers (suites and signature algorithms). */
    lt_identity id[LT_MAX_IDENTITIES];
    /* Client authentication of the server. */
    int hostname_check;
    int security_level; /* 0..LT_SECLEVEL_MAX, for the peer's chain */
    /* Negotiation. */
    uint16_t suites[LT_MAX_CONFIG_SUITES];
    size_t n_suites;
    uint16_t groups[LT_MAX_CONFIG_GROUPS];
    size_t n_groups;
    int ems;
    int etm;
    /* Versions (RFC 8446 4.2.1): LT_TLS1_2 and/or LT_TLS1_3. */
    uint16_t min_version;
    uint16_t max_version;
    /* Worked out from the two above and the suites whenever either
     * changes (lt_hs_policy_derive): do we speak TLS 1.2, TLS 1.3? */
    int speaks12;
    int speaks13;
    /* Server, TLS 1.3 resumption (RFC 8446 4.6.1): tickets sealed under
     * these keys (NULL: none sent, none accepted), n_tickets after each
     * handshake, each valid for ticket_lifetime_s. */
    struct lt_ticket_keys *ticket_keys;
    unsigned n_tickets;
    uint32_t ticket_lifetime_s;
    /* Server, TLS 1.2 resumption by session ID (RFC 5246 7.4.1.2): the
     * built-in cache (NULL: off), or the application's store (store.get
     * set: used instead). */
    struct lt_session_cache *cache;
    lt_session_store store;
    /* ALPN (RFC 7301 3.1): our protocols, best first, as the wire's
     * ProtocolNameList body (a length byte before each name); 0: none. */
    uint8_t alpn[LT_MAX_ALPN_LIST];
    size_t alpn_len;
    /* Mutual TLS. Server: LT_CLIENT_AUTH_*, and the DistinguishedNames of
     * the trust store's CAs for the CertificateRequest (certificate_
     * authorities), worked out again whenever the trust store changes
     * (config.c). Both roles: our identities are id[] above. */
    int client_auth;
    uint8_t *ca_names; /* the DistinguishedName list body (each a 2-byte length, then DER) */
    size_t ca_names_len;
    /* The signature schemes we accept from the peer, best first. */
    uint16_t sigalgs[LT_MAX_SIGN_SCHEMES];
    size_t n_sigalgs;
    /* Application hooks (lucidtls.h); fn NULL: none. */
    lt_verify_fn verify_cb;
    void *verify_arg;
    lt_client_hello_fn client_hello_cb;
    void *client_hello_arg;
} lt_hs_policy;

/* Where the engine's effects go; conn fills it once per connection. */
typedef struct lt_hs_env {
    lt_role role;
    const lt_hs_policy *policy;
    const lt_trust *trust; /* client: the anchors to verify against (NULL: none could be loaded) */
    lt_record *rec;        /* our handshake and ChangeCipherSpec records, and key changes */
    lt_error *err;         /* the connection's sticky error */
    const lt_tracer *tracer;
    /* The application's connection, only to hand to hooks (the engine
     * never looks inside it). */
    lt_conn *app_conn;
} lt_hs_env;

/* What survives the handshake (RFC 5246 7.4.1.2's "session"): resumption,
 * exporters and KeyUpdate build on it. The handshake's own scratch (the
 * transcript, key block, ephemeral keys) is wiped when it ends. */
typedef struct lt_session {
    uint16_t version;
    const lt_suite *suite;
    uint8_t master_secret[LT_MAX_SECRET_LEN];
    size_t master_secret_len;
    int ems;
    int etm;        /* encrypt-then-MAC (RFC 7366) protects this connection's records */
    uint16_t group; /* the ECDHE group, 0 for RSA key transport */
    int secure_reneg;
    char sni[LT_MAX_HOSTNAME + 1]; /* client: the name we sent or checked; server: the one we received */
    /* For exporters (RFC 5705 needs the randoms; RFC 8446 7.5 the
     * exporter_master_secret) and TLS 1.3 resumption (4.6.1). */
    uint8_t client_random[32];
    uint8_t server_random[32];
    uint8_t exporter_secret[LT_MAX_SECRET_LEN];   /* TLS 1.3 */
    uint8_t resumption_secret[LT_MAX_SECRET_LEN]; /* TLS 1.3 resumption_master_secret */
    size_t secret_len;                            /* TLS 1.3: the suite's hash length */
    /* The schemes of the handshake signatures (ServerKeyExchange or
     * CertificateVerify): the peer's and ours; 0 when none was made. */
    uint16_t peer_sig_scheme;
    uint16_t sig_scheme;
    /* The application protocol ALPN chose (RFC 7301), NUL-terminated;
     * alpn_len 0: none. */
    char alpn[256];
    size_t alpn_len;
} lt_session;

typedef struct lt_hs lt_hs;

/* Recomputes what the policy's versions and suites let us speak (a suite
 * belongs to one version, RFC 8446 B.4); config calls it after every
 * change to either, so a handshake only reads the answer. */
void lt_hs_policy_derive(lt_hs_policy *p);

lt_hs *lt_hs_new(const lt_hs_env *env);
void lt_hs_free(lt_hs *hs);

/* Client: the name to send (SNI) and to check in the certificate; an IP
 * literal is checked but not sent (RFC 6066 3). Only before lt_hs_start. */
LT_MUST_USE int lt_hs_set_hostname(lt_hs *hs, const char *name, size_t len, int is_ip);
/* Client: send the ClientHello. */
LT_MUST_USE int lt_hs_start(lt_hs *hs);
/* One handshake or ChangeCipherSpec record; *progress is set when it moved
 * the handshake forward (a new state, or part of a message still to come),
 * and left clear when it only held ignored or refused messages. */
LT_MUST_USE int lt_hs_on_record(lt_hs *hs, uint8_t type, const uint8_t *pt, size_t len, int *progress);

int lt_hs_started(const lt_hs *hs);
int lt_hs_has_hostname(const lt_hs *hs); /* client: a name or IP to check was set */
int lt_hs_done(const lt_hs *hs);         /* the handshake finished: application data may flow */
/* The current state's name, for details ("CLIENT_WAIT_CERTIFICATE"). */
const char *lt_hs_state_name(const lt_hs *hs);
const lt_session *lt_hs_session(const lt_hs *hs);
/* The name the client asked for (server) or will check (client); NULL when none. */
const char *lt_hs_server_name(const lt_hs *hs);
/* Client resumption: the session to offer, as lt_hs_get_session wrote it
 * (TLS 1.3: a ticket's PSK, RFC 8446 2.2, 4.6.1; TLS 1.2: a session ID
 * and/or an RFC 5077 ticket, resume12.c); only before lt_hs_start.
 * LT_ERR_DECODE for a blob that does not parse. A session that has expired,
 * or is for another server name, is kept but not offered. */
LT_MUST_USE int lt_hs_set_resumption(lt_hs *hs, const uint8_t *blob, size_t len);
/* Client: the latest session the server gave (a TLS 1.3 ticket; a TLS 1.2
 * session ID or ticket), encoded (secrets inside); LT_ERR_USAGE when none. */
LT_MUST_USE int lt_hs_get_session(const lt_hs *hs, uint8_t *out, size_t cap, size_t *len);
/* The handshake resumed a session (TLS 1.3: a PSK was accepted; TLS 1.2:
 * the abbreviated handshake). */
int lt_hs_resumed(const lt_hs *hs);

/* TLS 1.3 KeyUpdate (RFC 8446 4.6.3): send one, and switch our write keys;
 * request_peer asks the peer to update its own. LT_ERR_USAGE before the
 * handshake ends or in TLS 1.2. */
LT_MUST_USE int lt_hs_key_update(lt_hs *hs, int request_peer);
/* Keying material exporters: RFC 8446 7.5 (TLS 1.3) and RFC 5705 (TLS
 * 1.2). has_context = 0 is "no context" (in 1.3 the same as empty). */
LT_MUST_USE int lt_hs_export(const lt_hs *hs, const char *label, size_t label_len, const uint8_t *context,
                             size_t context_len, int has_context, uint8_t *out, size_t out_len);
/* The peer's certificate chain as it sent it, kept after the handshake
 * (clientauth.c); none before it is checked or on a resumed handshake. */
size_t lt_hs_peer_cert_count(const lt_hs *hs);
const uint8_t *lt_hs_peer_cert(const lt_hs *hs, size_t i, size_t *len);
/* The default verdict on that chain and its reason; LT_ERR_USAGE when no
 * chain was checked. */
int lt_hs_peer_verify_result(const lt_hs *hs, const char **reason);
/* The signature schemes we accept from the peer, best first (the
 * policy's, or every one we implement). */
const uint16_t *lt_hs_accepted_sigalgs(const lt_hs_policy *p, size_t *n);
/* 1 when the peer may sign with this scheme: it is in that list (what a
 * client offered in signature_algorithms, or a server's CertificateRequest
 * listed). */
int lt_hs_accepts_sigalg(const lt_hs_policy *p, uint16_t scheme);
/* 1 when the policy lists this cipher suite. */
int lt_hs_policy_has_suite(const lt_hs_policy *p, uint16_t id);
/* Server: is the application's ClientHello hook running? Only then may
 * conn switch the engine to another config's policy and trust anchors
 * (lt_conn_set_config); the tracer stays. */
int lt_hs_in_client_hello_hook(const lt_hs *hs);
void lt_hs_set_policy(lt_hs *hs, const lt_hs_policy *policy, const lt_trust *trust);
/* 1 for a SignatureScheme lucidtls implements (config checks its list). */
int lt_hs_sigalg_implemented(uint16_t scheme);
/* Free the reassembly buffer if it holds nothing. */
void lt_hs_release_buffers(lt_hs *hs);

#endif
