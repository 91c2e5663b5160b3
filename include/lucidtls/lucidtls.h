/*
 * lucidtls — a TLS library whose handshakes can explain themselves.
 *
 * The core is sans-I/O: you feed it bytes that arrived from the network
 * (lt_conn_feed), and you take the bytes it wants to send (lt_conn_out_peek /
 * lt_conn_out_consume). It never touches a socket. lucidtls_fd.h adds a thin
 * socket layer on top for programs that just want a blocking connection.
 *
 * Objects:
 *   lt_config  shared settings (role, certificates, trust, cipher suites, trace
 *              hooks). Reference-counted; frozen by the first connection
 *              made from it (setters then fail with LT_ERR_FROZEN).
 *   lt_conn    one TLS connection. Created from a config.
 *
 * Return values: functions return an lt_result. LT_OK (0) is success, positive
 * values are "would block" states, negative values are LT_ERR_* errors. Once a
 * connection hits a fatal error every later call returns the same error.
 */
#ifndef LUCIDTLS_H
#define LUCIDTLS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The library is built with -fvisibility=hidden: what is declared between
 * this push and the pop at the end of the file is its exported API
 * (tests/abi/check_exports.sh checks both ways). */
#pragma GCC visibility push(default)

#define LT_VERSION_STRING "0.1.0"

/* Protocol versions, as on the wire. */
#define LT_TLS1_2 0x0303
#define LT_TLS1_3 0x0304

/* The cipher suites lucidtls implements (IANA code points, RFC 5246 A.5,
 * RFC 5288). */
/* TLS 1.3 (RFC 8446 B.4): an AEAD and a hash; the key exchange and the
 * certificate are negotiated apart from the suite. */
#define LT_TLS_AES_128_GCM_SHA256 0x1301
#define LT_TLS_AES_256_GCM_SHA384 0x1302
#define LT_TLS_CHACHA20_POLY1305_SHA256 0x1303
#define LT_TLS_RSA_WITH_AES_128_CBC_SHA 0x002F
#define LT_TLS_RSA_WITH_AES_256_CBC_SHA 0x0035
#define LT_TLS_RSA_WITH_AES_128_CBC_SHA256 0x003C
#define LT_TLS_RSA_WITH_AES_256_CBC_SHA256 0x003D
#define LT_TLS_RSA_WITH_AES_128_GCM_SHA256 0x009C
#define LT_TLS_RSA_WITH_AES_256_GCM_SHA384 0x009D
/* ECDHE (RFC 8422, RFC 5289, RFC 7905). */
#define LT_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 0xC02B
#define LT_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 0xC02C
#define LT_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256 0xCCA9
#define LT_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 0xC02F
#define LT_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 0xC030
#define LT_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256 0xCCA8
#define LT_TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA 0xC009
#define LT_TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA 0xC00A
#define LT_TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA 0xC013
#define LT_TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA 0xC014
#define LT_TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256 0xC023
#define LT_TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384 0xC024
#define LT_TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256 0xC027
#define LT_TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384 0xC028

/* Key exchange groups (NamedGroup, RFC 8446 4.2.7, RFC 8422 5.1.1). */
#define LT_GROUP_SECP256R1 23
#define LT_GROUP_SECP384R1 24
#define LT_GROUP_X25519 29

typedef enum lt_role { LT_ROLE_CLIENT = 0, LT_ROLE_SERVER = 1 } lt_role;

/* Results. Keep in sync with lt_result_name() in src/base/err.c. */
typedef enum lt_result {
    LT_OK = 0,
    LT_WANT_INPUT = 1,  /* feed more bytes from the network */
    LT_WANT_OUTPUT = 2, /* send queued output first (lt_conn_write, fd layer) */
    LT_CLOSED = 3,      /* the peer sent close_notify; no more data will come */

    /* Errors the peer caused. Each maps to the alert we send (err.c). */
    LT_ERR_DECODE = -1,                /* decode_error: malformed message */
    LT_ERR_UNEXPECTED_MESSAGE = -2,    /* unexpected_message */
    LT_ERR_BAD_RECORD_MAC = -3,        /* bad_record_mac: any record decryption failure */
    LT_ERR_RECORD_OVERFLOW = -4,       /* record_overflow */
    LT_ERR_HANDSHAKE_FAILURE = -5,     /* handshake_failure: e.g. no common cipher suite */
    LT_ERR_ILLEGAL_PARAMETER = -6,     /* illegal_parameter */
    LT_ERR_PROTOCOL_VERSION = -7,      /* protocol_version */
    LT_ERR_DECRYPT_ERROR = -8,         /* decrypt_error: e.g. Finished verify_data mismatch */
    LT_ERR_UNSUPPORTED_EXTENSION = -9, /* unsupported_extension */
    LT_ERR_BAD_CERTIFICATE = -10,      /* bad_certificate: malformed or bad signature */
    LT_ERR_UNSUPPORTED_CERTIFICATE = -11,
    LT_ERR_CERTIFICATE_EXPIRED = -12, /* certificate_expired (or not yet valid) */
    LT_ERR_UNKNOWN_CA = -13,          /* unknown_ca: chain does not reach a trust anchor */
    LT_ERR_HOSTNAME_MISMATCH = -14,   /* bad_certificate: name not in the certificate */
    LT_ERR_INSUFFICIENT_SECURITY = -15,
    LT_ERR_PEER_ALERT = -16,              /* the peer sent a fatal alert (see lt_conn_peer_alert) */
    LT_ERR_TRUNCATED = -17,               /* the transport ended without close_notify */
    LT_ERR_INAPPROPRIATE_FALLBACK = -18,  /* inappropriate_fallback: a downgrade (RFC 7507) */
    LT_ERR_MISSING_EXTENSION = -19,       /* missing_extension: a TLS 1.3 message lacks a required extension */
    LT_ERR_CERTIFICATE_REQUIRED = -20,    /* certificate_required (TLS 1.3): the peer sent no certificate */
    LT_ERR_NO_APPLICATION_PROTOCOL = -21, /* no_application_protocol: no ALPN protocol in common (RFC 7301 3.2) */
    LT_ERR_REJECTED = -22,                /* an application hook failed the handshake, with the alert it chose */
    /* Errors that are ours or the application's. */
    LT_ERR_INTERNAL = -40,
    LT_ERR_NOMEM = -41,
    LT_ERR_CRYPTO = -42,  /* libcrypto failed */
    LT_ERR_USAGE = -43,   /* API misuse, e.g. writing before the handshake */
    LT_ERR_IO = -44,      /* fd layer: the socket failed; sticky, like every error but LT_ERR_TIMEOUT */
    LT_ERR_CONFIG = -45,  /* bad configuration: unreadable file, unknown suite name */
    LT_ERR_TIMEOUT = -46, /* fd layer: a *_timed call's deadline passed (errno ETIMEDOUT); not sticky */
    LT_ERR_FROZEN = -47   /* a setter on a config that a connection already uses (see lt_config_new) */
} lt_result;

/* Alert descriptions (RFC 8446 6, RFC 5246 7.2) a hook may fail a
 * handshake with (see lt_verify_fn). Any other description is sent as
 * given. */
#define LT_ALERT_HANDSHAKE_FAILURE 40
#define LT_ALERT_BAD_CERTIFICATE 42
#define LT_ALERT_UNSUPPORTED_CERTIFICATE 43
#define LT_ALERT_CERTIFICATE_REVOKED 44
#define LT_ALERT_CERTIFICATE_EXPIRED 45
#define LT_ALERT_CERTIFICATE_UNKNOWN 46
#define LT_ALERT_UNKNOWN_CA 48
#define LT_ALERT_ACCESS_DENIED 49
#define LT_ALERT_UNRECOGNIZED_NAME 112
#define LT_ALERT_NO_APPLICATION_PROTOCOL 120

/* A short stable name, e.g. "LT_ERR_UNKNOWN_CA". */
const char *lt_result_name(int result);
/* The same in words, e.g. "unknown CA" (for a person; lt_conn_error gives
 * the detail of a particular failure). */
const char *lt_result_string(int result);
/* The name of a TLS alert description, e.g. 20 -> "bad_record_mac". */
const char *lt_alert_name(uint8_t description);
/* The IANA name of a suite ("TLS_RSA_WITH_AES_128_GCM_SHA256") or NULL. */
const char *lt_suite_name(uint16_t suite);
/* The OpenSSL-style name of a suite ("AES128-GCM-SHA256") or NULL. */
const char *lt_suite_openssl_name(uint16_t suite);

/* What a suite is made of, for people and tools (the narrator asks this
 * instead of reading the suite's name). Strings are static. */
typedef struct lt_suite_info {
    uint16_t id;
    const char *iana_name;      /* "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256" */
    const char *openssl_name;   /* "ECDHE-RSA-AES128-GCM-SHA256" */
    const char *key_exchange;   /* "RSA" (key transport), "ECDHE", or "any" (TLS 1.3: key_share decides) */
    const char *authentication; /* "RSA" or "ECDSA": the certificate's key; "any" for TLS 1.3 */
    const char *cipher;         /* "AES-128-GCM", "AES-256-CBC", "ChaCha20-Poly1305" */
    const char *mac;            /* "HMAC-SHA256", or "AEAD" when the cipher's tag is the MAC */
    const char *prf_hash;       /* "SHA-256" or "SHA-384": the PRF and transcript hash */
    int aead;                   /* 1 for GCM and ChaCha20-Poly1305 */
    int forward_secret;         /* 1 for ECDHE: the keys are ephemeral */
    int key_bits;               /* the cipher's key size */
    uint16_t version;           /* LT_TLS1_2 or LT_TLS1_3: the only version the suite is used with */
} lt_suite_info;
/* Fills info for a suite lucidtls implements: LT_OK, or LT_ERR_USAGE. */
int lt_suite_get_info(uint16_t suite, lt_suite_info *info);

/* ------------------------------------------------------------------------ */
/* Explain mode: structured trace events.                                   */

typedef enum lt_event_kind {
    LT_EV_MSG_SENT = 1,     /* a handshake message we sent, with parsed fields */
    LT_EV_MSG_RECV,         /* a handshake message we received */
    LT_EV_CHOICE,           /* a negotiation decision, and why */
    LT_EV_CERT_CHECK,       /* one certificate check and its result */
    LT_EV_KEY_DERIVE,       /* one key-derivation step: label, inputs, outputs */
    LT_EV_RECORD_PROTECT,   /* a record we protected (type, length, seq) */
    LT_EV_RECORD_UNPROTECT, /* a record we verified and decrypted */
    LT_EV_ALERT_SENT,
    LT_EV_ALERT_RECV,
    LT_EV_CCS_SENT, /* ChangeCipherSpec: from here on our records are protected */
    LT_EV_CCS_RECV,
    LT_EV_STATE /* the handshake state machine moved */
} lt_event_kind;

/* One named field of an event. For secret fields (is_secret = 1) `bytes` is
 * NULL unless the config asked for secrets (lt_config_set_trace show_secrets);
 * `len` still tells the size. */
typedef struct lt_field {
    const char *name;     /* e.g. "client_random", "master_secret" */
    const char *text;     /* a human-readable value, or NULL */
    const uint8_t *bytes; /* the raw value, or NULL */
    size_t len;
    int is_secret;
} lt_field;

typedef struct lt_event {
    lt_event_kind kind;
    const char *what;   /* e.g. "ClientHello", "master_secret", "cipher_suite" */
    const char *rfc;    /* where the RFC defines it, e.g. "RFC 5246 7.4.1.2" */
    const char *detail; /* one human-readable line, or NULL */
    const lt_field *fields;
    size_t nfields;
} lt_event;

struct lt_conn;
typedef void (*lt_trace_fn)(void *arg, const struct lt_conn *conn, const lt_event *ev);

/* NSS key log line (e.g. "CLIENT_RANDOM <hex> <hex>"), without a newline. */
typedef void (*lt_keylog_fn)(void *arg, const struct lt_conn *conn, const char *line);

/* ------------------------------------------------------------------------ */
/* Config.                                                                  */

typedef struct lt_config lt_config;
typedef struct lt_conn lt_conn;

/* Config lifetime: a config is reference-counted and frozen.
 *  - lt_config_new returns a config with one reference, the caller's.
 *  - lt_conn_new takes a reference, lt_conn_free gives it back, and
 *    lt_config_free gives back the caller's: the config goes when the last
 *    reference does. So a config may be freed while its connections live.
 *  - The first lt_conn_new freezes it: from then on every setter fails
 *    with LT_ERR_FROZEN (and a line in lt_config_error) and changes
 *    nothing. To change settings, make a new config; connections made
 *    before keep the old one (rustls' Arc<ServerConfig> model).
 * What a config shares between its connections and changes itself (ticket
 * keys as they rotate, the session cache) is locked inside: connections of
 * one config may run on different threads. */
lt_config *lt_config_new(lt_role role);
void lt_config_free(lt_config *cfg);
/* Take another reference (for an application that shares a config between
 * owners); give it back with lt_config_free. */
lt_config *lt_config_ref(lt_config *cfg);
/* 1 once a connection has been made from it. */
int lt_config_frozen(const lt_config *cfg);
/* A line about the last setter that failed, e.g. "unknown cipher suite 'X'". */
const char *lt_config_error(const lt_config *cfg);

/* The certificate chain (leaf first) and its private key, as PEM: a
 * server's, or a client's for client authentication (mutual TLS). A config
 * holds one RSA and one ECDSA identity at once: set both, each chain with
 * its key. A server picks, per handshake, the one the client can verify
 * (suites, signature algorithms); a client, the one that fits the server's
 * CertificateRequest (its signature algorithms and CA names). */
int lt_config_set_cert_chain_file(lt_config *cfg, const char *path);
int lt_config_set_cert_chain_pem(lt_config *cfg, const char *pem, size_t len);
int lt_config_set_key_file(lt_config *cfg, const char *path);
int lt_config_set_key_pem(lt_config *cfg, const char *pem, size_t len);

/* Where trust anchors come from: a client's, to verify the server; a
 * server's, to verify client certificates (lt_config_set_client_auth). With
 * none of these set, a client uses the system store; a server that asks for
 * client certificates must set one (LT_ERR_CONFIG at lt_conn_new
 * otherwise). */
int lt_config_set_ca_file(lt_config *cfg, const char *path);
int lt_config_set_ca_dir(lt_config *cfg, const char *path);
int lt_config_set_ca_pem(lt_config *cfg, const char *pem, size_t len);
int lt_config_use_system_ca(lt_config *cfg);

/* The hostname check (RFC 6125) is on by default. This turns it off for every
 * connection of this config: the chain is still verified, the name is not.
 * Only for tests and for peers addressed by something other than a name. */
int lt_config_dangerous_disable_hostname_check(lt_config *cfg);

/* Client: the security level the server's certificate chain must meet, with
 * OpenSSL 3's meanings (SSL_CTX_set_security_level). Each level is a minimum
 * strength, in bits of security, for every key in the chain (the server's,
 * every CA's, the trust anchor's) and every certificate signature except the
 * trust anchor's own self-signature:
 *   0  no restriction
 *   1  80 bits:  RSA/DSA/DH keys >= 1024 bits, EC >= 160; no MD5 or SHA-1
 *                signatures (OpenSSL 3 rates SHA-1 at 63 bits)
 *   2  112 bits: RSA/DSA/DH >= 2048, EC >= 224 (the default)
 *   3  128 bits: RSA/DSA/DH >= 3072, EC >= 256; no SHA-224 signatures
 *   4  192 bits: RSA/DSA/DH >= 7680, EC >= 384; no SHA-256 signatures
 *   5  256 bits: RSA/DSA/DH >= 15360, EC >= 512; no SHA-384 signatures
 * A key below the level fails the handshake with LT_ERR_INSUFFICIENT_SECURITY
 * (alert insufficient_security), a signature below it with
 * LT_ERR_BAD_CERTIFICATE (alert bad_certificate), each with a detail naming
 * the key or certificate. Other levels are LT_ERR_CONFIG. */
int lt_config_set_security_level(lt_config *cfg, int level);

/* Cipher suites, in preference order. A colon- or comma-separated list of
 * IANA names (TLS_RSA_WITH_AES_128_GCM_SHA256) or OpenSSL names
 * (AES128-GCM-SHA256). A server picks by its own order (RFC 5246 7.4.1.2
 * leaves the choice to the server). */
int lt_config_set_ciphers(lt_config *cfg, const char *list);
int lt_config_set_cipher_suites(lt_config *cfg, const uint16_t *suites, size_t n);
/* The ECDHE groups, in preference order (the default: X25519, secp256r1,
 * secp384r1). A client offers them in this order; a server picks the first
 * of its list that the client offers. At most 8; unknown ones are refused. */
int lt_config_set_groups(lt_config *cfg, const uint16_t *groups, size_t n);
/* Encrypt-then-MAC for CBC suites (RFC 7366): on by default; 0 turns it off
 * (MAC-then-encrypt, as RFC 5246 has it). */
int lt_config_set_encrypt_then_mac(lt_config *cfg, int enabled);

/* The protocol versions to speak, LT_TLS1_2 and/or LT_TLS1_3 (the default:
 * both, TLS 1.3 preferred). min > max, or another version, is LT_ERR_CONFIG.
 * A client offers the range (RFC 8446 4.2.1); a server picks the highest the
 * client offers, and a TLS 1.3 server that ends up at 1.2 says so in its
 * random (RFC 8446 4.1.3), which a TLS 1.3 client checks. */
int lt_config_set_versions(lt_config *cfg, uint16_t min_version, uint16_t max_version);

/* Server, TLS 1.3 resumption (RFC 8446 4.6.1): after each handshake send
 * `count` NewSessionTickets (default LT_DEFAULT_TICKETS, at most
 * LT_MAX_TICKETS; 0 sends none), each valid for lifetime_s seconds (default
 * LT_DEFAULT_TICKET_LIFETIME, at most 604800). A ticket carries the session
 * sealed (AES-256-GCM) under a key of the config's own, rotated every
 * lifetime, so the server keeps nothing per ticket. */
#define LT_DEFAULT_TICKETS 2
#define LT_MAX_TICKETS 8
#define LT_DEFAULT_TICKET_LIFETIME 7200
int lt_config_set_tickets(lt_config *cfg, unsigned count, uint32_t lifetime_s);

/* Server, TLS 1.2 resumption by session ID (RFC 5246 7.4.1.2): a cache of
 * at most max_entries sessions (least recently used goes first when it is
 * full: it never grows past the bound), each kept lifetime_s seconds (1 to
 * 86400). The default is LT_DEFAULT_SESSION_CACHE entries and
 * LT_DEFAULT_TICKET_LIFETIME; 0 entries turns it off. A client that takes
 * tickets (RFC 5077) gets a ticket instead of a cache entry. Memory: a few
 * hundred bytes per entry in use, allocated as entries are
 * added; the bench's memory table shows the figure. */
#define LT_DEFAULT_SESSION_CACHE 1024
int lt_config_set_session_cache(lt_config *cfg, size_t max_entries, uint32_t lifetime_s);

/* Server: an external session store (a shared cache such as memcached)
 * instead of the built-in one, for TLS 1.2 session IDs. Each callback gets
 * the session ID; `data` is the session, serialized, with its master
 * secret in it: keep it as secret as a private key. get copies at most cap
 * bytes into buf and returns 1 with *len set, or 0 when it has none (or it
 * does not fit); a stored session that does not parse is treated as none.
 * put returns 0 (or anything else: a failed put only costs a later
 * resumption). remove may be NULL. NULL store: back to the built-in
 * cache. Called from the connection's thread, during its handshake. */
typedef struct lt_session_store {
    int (*put)(void *arg, const uint8_t *id, size_t id_len, const uint8_t *data, size_t len, uint32_t lifetime_s);
    int (*get)(void *arg, const uint8_t *id, size_t id_len, uint8_t *buf, size_t cap, size_t *len);
    void (*remove)(void *arg, const uint8_t *id, size_t id_len);
    void *arg;
} lt_session_store;
int lt_config_set_session_store(lt_config *cfg, const lt_session_store *store);

/* Server: ticket keys from a file, for a fleet (docs/RESUMPTION.md). Every
 * server process, on every machine, that loads the same file seals tickets
 * under its first key and opens tickets sealed under any of its keys, so
 * each resumes the sessions of the others (TLS 1.3 and TLS 1.2 tickets
 * alike). The file is text: one key per line, 96 hex digits (a 16-byte
 * key name, then a 32-byte secret), newest first, at most 4 keys;
 * `#` lines are comments. `lucidtls ticket-keys FILE` makes one and
 * rotates it (a new key on top, the oldest dropped). The server reads the
 * file again when it changes (it checks at most once every
 * LT_TICKET_KEY_RECHECK_S seconds), so a rotation reaches running
 * processes without a restart; a file that becomes unreadable or damaged
 * keeps the keys it had. LT_ERR_CONFIG for a file that cannot be used now.
 * Unlike the keys a config makes itself, these are not rotated by time:
 * rotating the file is the operator's job. */
#define LT_TICKET_KEY_RECHECK_S 1
int lt_config_set_ticket_key_file(lt_config *cfg, const char *path);

/* ALPN (RFC 7301): the application protocols, in preference order, as a
 * comma-separated list ("h2,http/1.1"); each name 1 to 255 bytes, no
 * commas. A client offers them; a server picks its most preferred one that
 * the client offers, and when the client offers ALPN but none of ours,
 * fails the handshake with no_application_protocol (RFC 7301 3.2). A
 * server with no list ignores the client's offer. "" clears the list. */
int lt_config_set_alpn(lt_config *cfg, const char *protocols);

/* Server: ask for a client certificate (mutual TLS). LT_CLIENT_AUTH_REQUEST
 * verifies a certificate the client sends and goes on without one;
 * LT_CLIENT_AUTH_REQUIRE fails a handshake without one: certificate_required
 * in TLS 1.3 (RFC 8446 4.4.2.4), handshake_failure in TLS 1.2 (RFC 5246
 * 7.4.6). The CertificateRequest names the CAs of the config's trust store
 * (certificate_authorities) and the signature schemes we verify. The chain
 * must reach one of those CAs, be valid now, meet the security level, and
 * allow clientAuth in its extended key usage (RFC 5280 4.2.1.12) when it
 * has one; the alerts are those of a server certificate check. A session
 * records whether its client proved a certificate: a server that requires
 * one resumes only sessions that did (others get a full handshake, so a
 * ticket from a fleet member that only asked cannot skip the check). */
#define LT_CLIENT_AUTH_NONE 0
#define LT_CLIENT_AUTH_REQUEST 1
#define LT_CLIENT_AUTH_REQUIRE 2
int lt_config_set_client_auth(lt_config *cfg, int mode);

/* The signature schemes (RFC 8446 4.2.3 SignatureScheme values) we accept
 * from the peer, in preference order: signature_algorithms of a client,
 * and of a server's CertificateRequest. The default is every scheme
 * lucidtls implements. Unknown ones are LT_ERR_CONFIG; at most 16. */
int lt_config_set_sigalgs(lt_config *cfg, const uint16_t *schemes, size_t n);

/* The extended master secret (RFC 7627) is offered and used by default. */
int lt_config_set_ems(lt_config *cfg, int enabled);

/* Trace events for explain mode. Secrets are hidden unless show_secrets. */
int lt_config_set_trace(lt_config *cfg, lt_trace_fn fn, void *arg, int show_secrets);
/* Key log lines in the NSS format, for Wireshark. */
int lt_config_set_keylog(lt_config *cfg, lt_keylog_fn fn, void *arg);

/* ---- Hooks. Each may fail the handshake: it returns 0 to go on, or the
 * description of the fatal alert to send (LT_ALERT_*, 1 to 255); the
 * connection then fails with LT_ERR_REJECTED and that alert. ---- */

/* The peer's certificate chain and the default verdict on it (the client
 * verifying a server, or a server verifying a client certificate).
 * verdict is LT_OK or the error the handshake fails with if the hook lets
 * the verdict stand (LT_ERR_UNKNOWN_CA, LT_ERR_HOSTNAME_MISMATCH, ...), and
 * reason says why in words. Returning 0 accepts the chain whatever the
 * verdict (for pinning or a trust of your own: check the chain yourself);
 * LT_VERIFY_DEFAULT keeps the verdict; an alert fails. The leaf's public
 * key still has to sign the handshake (CertificateVerify or
 * ServerKeyExchange), so accepting a chain never skips that. */
#define LT_VERIFY_DEFAULT (-1)
typedef struct lt_verify_info {
    const uint8_t *const *chain; /* DER certificates as sent, leaf first */
    const size_t *chain_lens;
    size_t chain_len;
    int verdict;
    const char *reason;   /* "" when verdict is LT_OK */
    const char *hostname; /* client: the name checked, or NULL */
} lt_verify_info;
typedef int (*lt_verify_fn)(void *arg, const lt_conn *conn, const lt_verify_info *info);
int lt_config_set_verify_callback(lt_config *cfg, lt_verify_fn fn, void *arg);

/* Server: what a ClientHello asks for, before the server decides anything.
 * The lists are as on the wire: suites and sigalgs are big-endian uint16
 * values (n_ bytes / 2 of them), alpn is the ProtocolNameList body (each
 * name a length byte, then the name). The hook may pick another config for
 * this connection with lt_conn_set_config (virtual hosting: a certificate,
 * key, ALPN list and client-auth policy per name). */
typedef struct lt_client_hello_info {
    const char *server_name; /* SNI, or NULL */
    const uint8_t *suites;
    size_t suites_len;
    const uint8_t *sigalgs; /* signature_algorithms, or NULL */
    size_t sigalgs_len;
    const uint8_t *alpn; /* NULL when the client offers no ALPN */
    size_t alpn_len;
    uint16_t max_version; /* the highest version the client offers */
} lt_client_hello_info;
typedef int (*lt_client_hello_fn)(void *arg, lt_conn *conn, const lt_client_hello_info *info);
int lt_config_set_client_hello_callback(lt_config *cfg, lt_client_hello_fn fn, void *arg);

/* ------------------------------------------------------------------------ */
/* Connection (sans-I/O).                                                   */

lt_conn *lt_conn_new(const lt_config *cfg);
void lt_conn_free(lt_conn *conn); /* wipes all secrets */

/* Client: the server name to send (SNI) and to check the certificate for.
 * A DNS host name (one trailing dot is dropped) or an IPv4/IPv6 address
 * (checked against the certificate, never sent as SNI); anything else, such
 * as a name with spaces or control bytes, is LT_ERR_USAGE. */
int lt_conn_set_hostname(lt_conn *conn, const char *hostname);
/* Server, only inside the ClientHello hook: go on with another config (its
 * certificates, suites, groups, ALPN, client auth, trust, tickets and
 * session cache; the trace and key log stay the first config's). The
 * connection takes a reference. LT_ERR_USAGE elsewhere, for a client
 * config, or one that has no certificate; LT_ERR_CONFIG for one that asks
 * for client certificates without trust anchors (lt_conn_new would fail
 * with it too). */
int lt_conn_set_config(lt_conn *conn, const lt_config *cfg);
/* Opaque pointer for the application (e.g. for the trace callback). */
void lt_conn_set_user(lt_conn *conn, void *user);
void *lt_conn_user(const lt_conn *conn);

/* Bytes from the network. *consumed tells how many were taken; the rest must
 * be fed again later. The core buffers at most one record. */
int lt_conn_feed(lt_conn *conn, const uint8_t *in, size_t len, size_t *consumed);
/* Bytes to send to the network: peek, send some, then consume what was sent. */
const uint8_t *lt_conn_out_peek(const lt_conn *conn, size_t *len);
void lt_conn_out_consume(lt_conn *conn, size_t n);
/* Zero-copy input, for callers that read from a socket: the core's own
 * record buffer and how many bytes the current record still needs (NULL when
 * it takes nothing now: unread application data, close_notify, or an error).
 * Read at most *room bytes into it, then commit what arrived; the commit
 * processes the record once it is whole. */
uint8_t *lt_conn_in_buf(lt_conn *conn, size_t *room);
/* Would the core take input now? A pure query (lt_conn_in_buf may allocate
 * the record buffer): use it to decide whether to poll for reading. */
int lt_conn_wants_input(const lt_conn *conn);
int lt_conn_in_commit(lt_conn *conn, size_t n);
/* The transport reached end of file (the peer closed its socket). */
void lt_conn_feed_eof(lt_conn *conn);

/* Advance the handshake as far as the input allows. LT_OK when established,
 * LT_WANT_INPUT when it needs more bytes from the peer. Output may be pending
 * whatever it returns. */
int lt_conn_handshake(lt_conn *conn);
/* Application data.
 * write protects data into records of at most 2^14 bytes and queues them for
 * lt_conn_out_peek. It takes as much as fits under the output cap
 * (LT_OUT_QUEUE_CAP, about 64 KiB of queued records): *written may be less
 * than len, and LT_WANT_OUTPUT with *written = 0 means "send what is queued,
 * then call again". Nothing is lost either way.
 * read returns LT_WANT_INPUT when no plaintext is buffered, LT_CLOSED after
 * close_notify.
 *
 * Output bounds. Every byte the core queues (records, alerts, handshake
 * flights) counts against one hard cap, LT_OUT_HARD_CAP: the write cap plus
 * room for the largest thing one input can make us send (a handshake flight
 * with a Certificate of up to 128 KiB, or a few alerts). While more than
 * LT_OUT_QUEUE_CAP is queued (only replies to the peer get there: writes stop
 * at the cap), the core takes no input: lt_conn_in_buf gives no room,
 * lt_conn_wants_input is 0, and lt_conn_feed, lt_conn_handshake and
 * lt_conn_read return LT_WANT_OUTPUT. Drain lt_conn_out_peek, then go on. A
 * peer that keeps asking for answers and never reads them therefore costs a
 * bounded amount of memory, and a full queue of your own writes never stops
 * you from reading. */
#define LT_OUT_QUEUE_CAP (4 * (5 + 16384 + 256))
#define LT_OUT_HARD_CAP (LT_OUT_QUEUE_CAP + (1 << 17) + 4096)
int lt_conn_write(lt_conn *conn, const void *buf, size_t len, size_t *written);
int lt_conn_read(lt_conn *conn, void *buf, size_t cap, size_t *n);
/* Give back the record buffers (about 35 KB) while the connection is idle:
 * they are freed only if nothing is in flight, and come back on the next
 * read or write. Call it when a server's connection waits for its peer (our
 * counterpart of OpenSSL's SSL_MODE_RELEASE_BUFFERS, but on demand, so bulk
 * transfers never allocate per record). */
void lt_conn_release_buffers(lt_conn *conn);
/* Queue close_notify. */
int lt_conn_close(lt_conn *conn);

int lt_conn_is_established(const lt_conn *conn);
lt_role lt_conn_role(const lt_conn *conn);
/* The sticky error and a one-line explanation (what was expected, what came). */
int lt_conn_error(const lt_conn *conn, const char **detail);
/* For transports built on the sans-I/O API (lucidtls_fd.h is one): the
 * transport failed (err is LT_ERR_IO), so the connection is dead. The error
 * becomes sticky, with `what` as its detail, and no alert is sent (there is
 * no one to send it to). Like every error, the first one recorded wins.
 * Returns the connection's error. */
int lt_conn_fail_transport(lt_conn *conn, int err, const char *what);
/* The alert we sent or received, or -1. */
int lt_conn_alert_sent(const lt_conn *conn);
int lt_conn_peer_alert(const lt_conn *conn);

/* Negotiated parameters (0 / NULL before they are known). */
uint16_t lt_conn_version(const lt_conn *conn);
uint16_t lt_conn_cipher_suite(const lt_conn *conn);
int lt_conn_used_ems(const lt_conn *conn);
/* 1 when records are protected with encrypt-then-MAC (RFC 7366: a CBC suite
 * and both sides wanted it). */
int lt_conn_used_etm(const lt_conn *conn);
/* The ECDHE group of the key exchange (LT_GROUP_*), 0 for RSA key transport
 * or before the ServerKeyExchange. */
uint16_t lt_conn_group(const lt_conn *conn);
int lt_conn_secure_renegotiation(const lt_conn *conn);
/* SNI: sent (client) or received (server). A server only ever accepts a
 * valid DNS host name (RFC 6066 3; anything else fails the handshake with
 * illegal_parameter), so the string is printable ASCII. */
const char *lt_conn_server_name(const lt_conn *conn);

/* The application protocol ALPN chose (RFC 7301), NUL-terminated, or NULL
 * when none was; *len (when not NULL) gets its length. */
const char *lt_conn_alpn(const lt_conn *conn, size_t *len);
/* The signature scheme (RFC 8446 4.2.3 value) the peer signed the handshake
 * with (ServerKeyExchange or CertificateVerify), and the one we signed
 * with; 0 when there was no such signature (RSA key transport, a resumed
 * handshake, no client certificate). */
uint16_t lt_conn_peer_signature_scheme(const lt_conn *conn);
uint16_t lt_conn_signature_scheme(const lt_conn *conn);
/* The peer's certificate chain as it sent it (DER, leaf first): the
 * server's to a client, a client certificate's to a server. Kept after the
 * handshake; none on a resumed handshake (the session was authenticated
 * when it was made). lt_conn_peer_cert returns certificate i, or NULL. */
size_t lt_conn_peer_cert_count(const lt_conn *conn);
const uint8_t *lt_conn_peer_cert(const lt_conn *conn, size_t i, size_t *len);
/* The verdict of the chain check: LT_OK, or the error it found (which a
 * verify hook may have overruled), with its reason; LT_ERR_USAGE when no
 * chain was checked. */
int lt_conn_peer_verify_result(const lt_conn *conn, const char **reason);
/* A certificate's subject as one line ("CN=client, O=Example"), for
 * people; LT_ERR_DECODE when der is not a certificate. Truncated to cap. */
int lt_cert_subject_text(const uint8_t *der, size_t len, char *out, size_t cap);

/* Resumption (RFC 8446 2.2; RFC 5246 7.3 and RFC 5077 for TLS 1.2).
 * Client: in TLS 1.3 the server may send tickets after the handshake (they
 * arrive with the first records read after it); in TLS 1.2 the session is
 * there when the handshake ends (a session ID, or an RFC 5077 ticket). The
 * same calls work for both: lt_conn_get_session writes the latest
 * as bytes an application can keep (in a file: they work across
 * processes) and give to lt_conn_set_session on a later connection, before
 * its handshake, to offer it. They hold the ticket's key: keep them as
 * secret as a private key (they hold the session's secret).
 * LT_SESSION_MAX_LEN bytes always suffice; LT_ERR_USAGE when there is no
 * session to keep (no ticket came, a 1.2 server that resumes nothing) or
 * cap is too small. A blob that does
 * not parse is LT_ERR_DECODE. A session that has expired, or is for another
 * host name, is not offered: the handshake is a full one.
 * lt_conn_resumed: 1 when the handshake resumed a session. */
#define LT_SESSION_MAX_LEN 2880
int lt_conn_get_session(const lt_conn *conn, uint8_t *buf, size_t cap, size_t *len);
int lt_conn_set_session(lt_conn *conn, const uint8_t *buf, size_t len);
int lt_conn_resumed(const lt_conn *conn);

/* TLS 1.3 KeyUpdate (RFC 8446 4.6.3): from the next record on, our records
 * use new keys; with request_peer the peer is asked to change its keys too.
 * LT_ERR_USAGE before the handshake ends, after close, or in TLS 1.2. A
 * connection also updates its keys by itself long before the limits of RFC
 * 8446 5.5 on one key. */
int lt_conn_key_update(lt_conn *conn, int request_peer);

/* Keying material exporters: RFC 8446 7.5 for TLS 1.3, RFC 5705 for TLS
 * 1.2. Fills out[0..out_len) from the label (label_len bytes) and an
 * optional context (use_context = 0: none; in TLS 1.3 no context and an
 * empty one give the same result, in TLS 1.2 they differ). Both peers get
 * the same bytes. LT_ERR_USAGE before the handshake ends, for a label over
 * 249 bytes, a context over 65535, or out_len over 16320 (255 hash blocks
 * of SHA-256 in 1.3). */
int lt_conn_export_keying_material(const lt_conn *conn, const char *label, size_t label_len, const uint8_t *context,
                                   size_t context_len, int use_context, uint8_t *out, size_t out_len);

#pragma GCC visibility pop

#ifdef __cplusplus
}
#endif
#endif
