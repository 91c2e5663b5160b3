/*
 * Handshake message codec: parse a message body into a struct, or write a
 * whole message (4-byte header + body). Parsers only read through lt_rd, fill
 * the struct and never touch the connection; the state machine decides what
 * the values mean. Pointers in parsed structs point into the input buffer and
 * live as long as it does.
 *
 * Errors: LT_ERR_DECODE for anything malformed (short, too long, trailing
 * bytes, a vector length outside its range), LT_ERR_ILLEGAL_PARAMETER for a
 * duplicate extension or a well-formed but forbidden value.
 */
#ifndef LT_HS_MESSAGES_H
#define LT_HS_MESSAGES_H

#include <stddef.h>
#include <stdint.h>

#include "base/bytes.h"

/* HandshakeType (RFC 5246 7.4). */
enum {
    LT_HS_HELLO_REQUEST = 0,
    LT_HS_CLIENT_HELLO = 1,
    LT_HS_SERVER_HELLO = 2,
    LT_HS_NEW_SESSION_TICKET = 4,
    LT_HS_END_OF_EARLY_DATA = 5,    /* RFC 8446 4.5 */
    LT_HS_ENCRYPTED_EXTENSIONS = 8, /* RFC 8446 4.3.1 */
    LT_HS_CERTIFICATE = 11,
    LT_HS_SERVER_KEY_EXCHANGE = 12,
    LT_HS_CERTIFICATE_REQUEST = 13,
    LT_HS_SERVER_HELLO_DONE = 14,
    LT_HS_CERTIFICATE_VERIFY = 15,
    LT_HS_CLIENT_KEY_EXCHANGE = 16,
    LT_HS_FINISHED = 20,
    LT_HS_KEY_UPDATE = 24,   /* RFC 8446 4.6.3 */
    LT_HS_MESSAGE_HASH = 254 /* RFC 8446 4.4.1: never sent, only in the transcript */
};
const char *lt_hs_type_name(uint8_t type); /* "ClientHello", or "unknown(N)" style "unknown" */

/* ExtensionType values we know. */
enum {
    LT_EXT_SERVER_NAME = 0,                /* RFC 6066 3 */
    LT_EXT_SUPPORTED_GROUPS = 10,          /* RFC 8422 5.1.1 (elliptic_curves), RFC 8446 4.2.7 */
    LT_EXT_EC_POINT_FORMATS = 11,          /* RFC 8422 5.1.2 */
    LT_EXT_SIGNATURE_ALGORITHMS = 13,      /* RFC 5246 7.4.1.4.1 */
    LT_EXT_ALPN = 16,                      /* RFC 7301 (messages_alpn.h) */
    LT_EXT_ENCRYPT_THEN_MAC = 22,          /* RFC 7366 */
    LT_EXT_EXTENDED_MASTER_SECRET = 23,    /* RFC 7627 */
    LT_EXT_SESSION_TICKET = 35,            /* RFC 5077 (parsed later) */
    LT_EXT_PRE_SHARED_KEY = 41,            /* RFC 8446 4.2.11 (TLS 1.3; not parsed yet) */
    LT_EXT_EARLY_DATA = 42,                /* RFC 8446 4.2.10 (TLS 1.3; not parsed yet) */
    LT_EXT_SUPPORTED_VERSIONS = 43,        /* RFC 8446 4.2.1 (TLS 1.3; not parsed yet) */
    LT_EXT_COOKIE = 44,                    /* RFC 8446 4.2.2 (TLS 1.3; not parsed yet) */
    LT_EXT_PSK_KEY_EXCHANGE_MODES = 45,    /* RFC 8446 4.2.9 (TLS 1.3; not parsed yet) */
    LT_EXT_CERTIFICATE_AUTHORITIES = 47,   /* RFC 8446 4.2.4 (TLS 1.3; not parsed yet) */
    LT_EXT_POST_HANDSHAKE_AUTH = 49,       /* RFC 8446 4.2.6 (TLS 1.3; not parsed yet) */
    LT_EXT_SIGNATURE_ALGORITHMS_CERT = 50, /* RFC 8446 4.2.3 */
    LT_EXT_KEY_SHARE = 51,                 /* RFC 8446 4.2.8 (TLS 1.3; not parsed yet) */
    LT_EXT_RENEGOTIATION_INFO = 0xff01     /* RFC 5746 */
};
/* TLS_EMPTY_RENEGOTIATION_INFO_SCSV (RFC 5746 3.3). */
#define LT_SCSV_RENEGOTIATION 0x00FF
/* TLS_FALLBACK_SCSV (RFC 7507 6). */
#define LT_SCSV_FALLBACK 0x5600

/* ECPointFormat uncompressed (RFC 8422 5.1.2), ECCurveType named_curve
 * (RFC 8422 5.4). */
#define LT_EC_POINT_UNCOMPRESSED 0
#define LT_EC_CURVE_TYPE_NAMED 3

#define LT_RANDOM_LEN 32
#define LT_MAX_SESSION_ID 32
#define LT_MAX_HOSTNAME 255
#define LT_MAX_SIGALGS 32
#define LT_FINISHED_LEN 12 /* verify_data_length for every TLS 1.2 suite we have */

/* Bits for lt_client_hello.ext_seen / lt_server_hello.ext_seen. */
#define LT_SEEN_SNI (1u << 0)
#define LT_SEEN_SIGALGS (1u << 1)
#define LT_SEEN_EMS (1u << 2)
#define LT_SEEN_RENEG (1u << 3)
#define LT_SEEN_ALPN (1u << 4)
#define LT_SEEN_TICKET (1u << 5)
#define LT_SEEN_GROUPS (1u << 6)        /* supported_groups */
#define LT_SEEN_POINT_FORMATS (1u << 7) /* ec_point_formats */
#define LT_SEEN_ETM (1u << 8)           /* encrypt_then_mac */
#define LT_SEEN_SIGALGS_CERT (1u << 9)  /* signature_algorithms_cert */
/* TLS 1.3 (RFC 8446 4.2). */
#define LT_SEEN_VERSIONS (1u << 10)     /* supported_versions */
#define LT_SEEN_KEY_SHARE (1u << 11)    /* key_share */
#define LT_SEEN_COOKIE (1u << 12)       /* cookie */
#define LT_SEEN_PSK_MODES (1u << 13)    /* psk_key_exchange_modes */
#define LT_SEEN_PSK (1u << 14)          /* pre_shared_key */
#define LT_SEEN_EARLY_DATA (1u << 15)   /* early_data */
#define LT_SEEN_CAS (1u << 16)          /* certificate_authorities */
#define LT_SEEN_POST_HS_AUTH (1u << 17) /* post_handshake_auth */
#define LT_SEEN_PADDING (1u << 18)      /* padding (RFC 7685) */

/* TLS 1.3 constants. */
#define LT_EXT_PADDING 21 /* RFC 7685 */
/* PskKeyExchangeMode (RFC 8446 4.2.9). */
#define LT_PSK_KE 0
#define LT_PSK_DHE_KE 1
/* The ServerHello.random of a HelloRetryRequest: SHA-256("HelloRetryRequest")
 * (RFC 8446 4.1.3). */
extern const uint8_t LT_HRR_RANDOM[LT_RANDOM_LEN];
/* The last 8 bytes of ServerHello.random of a TLS 1.3 server that
 * negotiates TLS 1.2 (RFC 8446 4.1.3): "DOWNGRD" then 01. */
extern const uint8_t LT_DOWNGRADE_TLS12[8];
/* The same for TLS 1.1 and below: "DOWNGRD" then 00. */
extern const uint8_t LT_DOWNGRADE_TLS11[8];
#define LT_MAX_KEY_SHARES 8 /* KeyShareEntry values a client sends at most (we send 1 or 2) */
#define LT_MAX_PSK_IDENTITIES 4

/* Walk a list of extensions (the lt_rd of an extensions block body, already
 * framed by a parser): returns 1 and the next type and body, 0 at the end. */
int lt_ext_next(lt_rd *exts, uint16_t *type, lt_rd *body);
/* Walk a KeyShareEntry list (client_shares body, already checked by the
 * parser): 1 and the next group and key_exchange, 0 at the end. */
int lt_key_share_next(lt_rd *shares, uint16_t *group, lt_rd *key_exchange);

/* 1 when v is one of the 16 GREASE values {0x0A0A, 0x1A1A, .., 0xFAFA}
 * (RFC 8701 2). The parsers need no special case for them: a GREASE suite,
 * group, signature scheme, version or extension is a value we do not know,
 * and those are ignored. This is for callers that want to say so in a
 * trace, or must never choose one. */
int lt_is_grease(uint16_t v);

/* 1 when the body of a list of uint16 values (cipher suites, NamedGroups,
 * SignatureSchemes; the raw lt_rd the parsers keep) holds v. Linear in the
 * list; a stray odd last byte is not an entry. */
int lt_u16_list_has(lt_rd list, uint16_t v);

/*
 * struct {
 *     ProtocolVersion client_version;
 *     Random random;
 *     SessionID session_id;                         opaque <0..32>
 *     CipherSuite cipher_suites<2..2^16-2>;
 *     CompressionMethod compression_methods<1..2^8-1>;
 *     select (extensions_present) {
 *         case false: struct {};
 *         case true:  Extension extensions<0..2^16-1>;
 *     };
 * } ClientHello;                                     RFC 5246 7.4.1.2
 */
typedef struct lt_client_hello {
    uint16_t client_version;
    uint8_t random[LT_RANDOM_LEN];
    uint8_t session_id[LT_MAX_SESSION_ID];
    uint8_t session_id_len;
    lt_rd suites;       /* body of cipher_suites: an even number of bytes, >= 2 */
    lt_rd compressions; /* body of compression_methods: >= 1 byte */
    int has_null_compression;
    int has_scsv;      /* LT_SCSV_RENEGOTIATION among the suites */
    uint32_t ext_seen; /* LT_SEEN_* bits */
    /* server_name: the first host_name entry (RFC 6066 3), NUL-terminated.
     * A name with a NUL byte or empty is LT_ERR_DECODE... (illegal_parameter
     * would also do; we pick decode_error). */
    char sni[LT_MAX_HOSTNAME + 1];
    /* signature_algorithms: SignatureAndHashAlgorithm pairs as uint16 (hash<<8|sig). */
    uint16_t sigalgs[LT_MAX_SIGALGS];
    size_t n_sigalgs; /* the first LT_MAX_SIGALGS */
    /* renegotiation_info: renegotiated_connection<0..255> */
    lt_rd reneg_info;
    /* ALPN (RFC 7301 3.1): the protocol_name_list body, every name checked
     * (1..255 bytes, filling the list exactly); walk it with lt_alpn_next. */
    lt_rd alpn;
    size_t n_alpn;
    /* Fields added for ECDHE / modern TLS 1.2. All zero when absent. */
    int has_fallback_scsv; /* LT_SCSV_FALLBACK among the suites (RFC 7507) */
    /* supported_groups: body of NamedGroup named_group_list<2..2^16-1>
     * (RFC 8422 5.1.1, RFC 8446 4.2.7): an even number of bytes, >= 2. */
    lt_rd supported_groups;
    /* ec_point_formats: body of ECPointFormat ec_point_format_list<1..2^8-1>
     * (RFC 8422 5.1.2); has_uncompressed_point when 0 is among them. */
    lt_rd ec_point_formats;
    int has_uncompressed_point;
    /* signature_algorithms: the whole list body (even, >= 2), also past the
     * first LT_MAX_SIGALGS kept in sigalgs[]; search it with lt_u16_list_has. */
    lt_rd sigalgs_all;
    /* signature_algorithms_cert (RFC 8446 4.2.3): the list body, even, >= 2. */
    lt_rd sigalgs_cert;
    int encrypt_then_mac; /* an (empty) encrypt_then_mac extension (RFC 7366 2) */
    /* TLS 1.3 (RFC 8446 4.2). All zero when absent. */
    lt_rd extensions; /* the whole extensions block body, in order (for the HRR rules of 4.1.2 and narration) */
    /* supported_versions: body of ProtocolVersion versions<2..254>, even. */
    lt_rd versions;
    /* key_share: body of KeyShareEntry client_shares<0..2^16-1>, each entry
     * group(2) + key_exchange<1..2^16-1>, walk with lt_key_share_next. The
     * parser checks the framing and that no group appears twice (RFC 8446
     * 4.2.8: illegal_parameter). */
    lt_rd key_shares;
    size_t n_key_shares;
    lt_rd cookie; /* opaque cookie<1..2^16-1> body */
    /* psk_key_exchange_modes: body of PskKeyExchangeMode ke_modes<1..255>. */
    lt_rd psk_modes;
    int psk_dhe_ke; /* LT_PSK_DHE_KE among the modes */
    /* pre_shared_key (RFC 8446 4.2.11): must be the last extension
     * (illegal_parameter otherwise). identities: body of
     * PskIdentity identities<7..2^16-1>; binders: body of
     * PskBinderEntry binders<33..2^16-1>. Their counts must match
     * (illegal_parameter, as OpenSSL and BoringSSL answer); each binder is
     * 32..255 bytes. binders_offset: where the binders vector (its 2-byte
     * length included) starts, counted from the start of the message body,
     * so the message header + body[0..binders_offset) is the truncated
     * ClientHello the binders cover (4.2.11.2). */
    lt_rd psk_identities;
    lt_rd psk_binders;
    size_t n_psk_identities;
    size_t binders_offset;
    int early_data;          /* an (empty) early_data extension (RFC 8446 4.2.10) */
    int post_handshake_auth; /* an (empty) post_handshake_auth (RFC 8446 4.2.6) */
    /* SessionTicket (RFC 5077 3.2, LT_SEEN_TICKET): the ticket is the whole
     * extension_data (no length of its own); empty asks for a new one. */
    lt_rd session_ticket;
} lt_client_hello;

/* Walk PskIdentity entries (identity<1..2^16-1>, obfuscated_ticket_age u32)
 * and PskBinderEntry entries (<32..255>) of a parsed ClientHello: 1 and the
 * next, 0 at the end. */
int lt_psk_identity_next(lt_rd *ids, lt_rd *identity, uint32_t *obfuscated_age);
int lt_psk_binder_next(lt_rd *binders, lt_rd *binder);

LT_MUST_USE int lt_parse_client_hello(const uint8_t *body, size_t len, lt_client_hello *out);

/* What we put in our ClientHello. */
typedef struct lt_client_hello_params {
    uint16_t client_version;
    const uint8_t *random; /* 32 bytes */
    const uint16_t *suites;
    size_t n_suites;
    int add_scsv;            /* append LT_SCSV_RENEGOTIATION (we send the extension instead, so usually 0) */
    const char *sni;         /* NULL: no server_name. Must not be an IP literal (RFC 6066 3). */
    int ems;                 /* send extended_master_secret */
    int reneg_info;          /* send an empty renegotiation_info */
    const uint16_t *sigalgs; /* NULL: none */
    size_t n_sigalgs;
    /* Added for ECDHE / modern TLS 1.2; zero means "do not send". */
    const uint16_t *groups; /* supported_groups (RFC 8422 5.1.1); NULL: none */
    size_t n_groups;
    int ec_point_formats;         /* send ec_point_formats = {uncompressed} (RFC 8422 5.1.2) */
    int etm;                      /* send an empty encrypt_then_mac (RFC 7366 2) */
    int fallback_scsv;            /* append LT_SCSV_FALLBACK to the suites (RFC 7507 4), after add_scsv's */
    const uint16_t *sigalgs_cert; /* signature_algorithms_cert (RFC 8446 4.2.3); NULL: none */
    size_t n_sigalgs_cert;
    /* ALPN (RFC 7301 3.1): our protocol_name_list body; 0: none. */
    const uint8_t *alpn;
    size_t alpn_len;
    /* TLS 1.3 (RFC 8446 4.1.2, 4.2); zero means "do not send". */
    const uint8_t *session_id; /* legacy_session_id (D.4: 32 random bytes in compatibility mode) */
    uint8_t session_id_len;
    const uint16_t *versions; /* supported_versions, best first */
    size_t n_versions;
    /* key_share: n_key_shares entries; n_key_shares = 0 with key_share_ext
     * set sends an empty client_shares (legal: 4.2.8). */
    const uint16_t *key_share_groups;
    const uint8_t *const *key_share_keys;
    const size_t *key_share_lens;
    size_t n_key_shares;
    int key_share_ext;
    const uint8_t *cookie; /* echoed from a HelloRetryRequest */
    size_t cookie_len;
    int psk_modes_dhe; /* psk_key_exchange_modes = {psk_dhe_ke} */
    /* pre_shared_key, written last (4.2.11). Binders are written as zeros of
     * binder_len bytes each; *binders_offset_out (when not NULL) gets the
     * offset of the binders vector from the start of the whole message
     * (header included), for lt_patch_binders. */
    const uint8_t *const *psk_identities;
    const size_t *psk_identity_lens;
    const uint32_t *psk_obfuscated_ages;
    size_t n_psks;
    size_t binder_len;
    size_t *binders_offset_out;
    /* SessionTicket (RFC 5077 3.2): sent when session_ticket_ext is set,
     * carrying session_ticket_len bytes (0: an empty one, asking for a
     * ticket). */
    int session_ticket_ext;
    const uint8_t *session_ticket;
    size_t session_ticket_len;
} lt_client_hello_params;

/* Writes the whole message: type(1) length(3) body. */
void lt_write_client_hello(lt_wr *w, const lt_client_hello_params *p);

/*
 * struct {
 *     ProtocolVersion server_version;
 *     Random random;
 *     SessionID session_id;
 *     CipherSuite cipher_suite;
 *     CompressionMethod compression_method;
 *     select (extensions_present) { ... Extension extensions<0..2^16-1>; };
 * } ServerHello;                                     RFC 5246 7.4.1.3
 */
typedef struct lt_server_hello {
    uint16_t server_version;
    uint8_t random[LT_RANDOM_LEN];
    uint8_t session_id[LT_MAX_SESSION_ID];
    uint8_t session_id_len;
    uint16_t cipher_suite;
    uint8_t compression_method;
    uint32_t ext_seen;    /* LT_SEEN_* bits */
    lt_rd reneg_info;     /* renegotiated_connection body */
    int sni_ack;          /* an empty server_name extension (RFC 6066 3) */
    uint16_t unknown_ext; /* the first extension type we do not know, if any */
    int has_unknown_ext;
    /* Added for ECDHE / modern TLS 1.2. All zero when absent. */
    lt_rd ec_point_formats;     /* ec_point_format_list body, >= 1 byte (RFC 8422 5.2) */
    int has_uncompressed_point; /* 0 (uncompressed) is among them */
    int encrypt_then_mac;       /* an (empty) encrypt_then_mac extension (RFC 7366 2) */
    /* TLS 1.3 (RFC 8446 4.1.3, 4.1.4). */
    int is_hrr;                /* random is LT_HRR_RANDOM: a HelloRetryRequest */
    uint16_t selected_version; /* supported_versions (2 bytes) */
    /* key_share: in a ServerHello a KeyShareEntry; in a HelloRetryRequest
     * only the selected_group (key_share_key empty). */
    uint16_t key_share_group;
    lt_rd key_share_key;
    lt_rd cookie;           /* HRR: opaque cookie<1..2^16-1> body */
    uint16_t psk_identity;  /* pre_shared_key: selected_identity (LT_SEEN_PSK) */
    uint16_t forbidden_ext; /* the first extension we know that a ServerHello must not carry (4.2) */
    int has_forbidden_ext;
    int session_ticket; /* an (empty) SessionTicket extension: a NewSessionTicket will come (RFC 5077 3.2) */
    lt_rd alpn;         /* TLS 1.2: the one protocol the server chose (RFC 7301 3.1), 1..255 bytes */
} lt_server_hello;

LT_MUST_USE int lt_parse_server_hello(const uint8_t *body, size_t len, lt_server_hello *out);

typedef struct lt_server_hello_params {
    uint16_t server_version;
    const uint8_t *random; /* 32 bytes */
    const uint8_t *session_id;
    uint8_t session_id_len;
    uint16_t cipher_suite;
    int ems;        /* echo extended_master_secret */
    int reneg_info; /* send renegotiation_info (empty on an initial handshake) */
    int sni_ack;    /* send an empty server_name */
    /* Added for ECDHE / modern TLS 1.2; zero means "do not send". */
    int etm;              /* send an empty encrypt_then_mac (RFC 7366 2) */
    int ec_point_formats; /* send ec_point_formats = {uncompressed} (RFC 8422 5.2) */
    const uint8_t *alpn;  /* TLS 1.2: the protocol we chose (RFC 7301 3.1); alpn_len 0: none */
    size_t alpn_len;
    /* TLS 1.3 (RFC 8446 4.1.3); zero means "do not send". With random =
     * LT_HRR_RANDOM it is a HelloRetryRequest. */
    uint16_t selected_version;
    uint16_t key_share_group; /* ServerHello: with key_share_key; HRR: alone (key_share_len 0) */
    const uint8_t *key_share_key;
    size_t key_share_len;
    const uint8_t *cookie;
    size_t cookie_len;
    int psk_selected; /* send pre_shared_key with selected_identity = psk_identity */
    uint16_t psk_identity;
    int session_ticket; /* send an empty SessionTicket: we will send a NewSessionTicket (RFC 5077 3.2) */
} lt_server_hello_params;

void lt_write_server_hello(lt_wr *w, const lt_server_hello_params *p);

/*
 * opaque ASN.1Cert<1..2^24-1>;
 * struct { ASN.1Cert certificate_list<0..2^24-1>; } Certificate;   RFC 5246 7.4.2
 * More than LT_MAX_PEER_CHAIN entries is LT_ERR_BAD_CERTIFICATE (with
 * n_listed telling how many there were); an empty entry is LT_ERR_DECODE. An
 * empty list parses (n = 0); the caller decides.
 * LT_MAX_PEER_CHAIN: the leaf, up to 100 intermediates (OpenSSL's default
 * verify depth) and the root; the same as LT_MAX_CHAIN in crypto/crypto.h.
 */
#define LT_MAX_PEER_CHAIN 102
typedef struct lt_certificate_msg {
    size_t n;
    size_t n_listed; /* entries in the message, also when over the limit */
    const uint8_t *der[LT_MAX_PEER_CHAIN];
    size_t len[LT_MAX_PEER_CHAIN];
} lt_certificate_msg;

LT_MUST_USE int lt_parse_certificate(const uint8_t *body, size_t len, lt_certificate_msg *out);
void lt_write_certificate(lt_wr *w, const uint8_t *const *der, const size_t *len, size_t n);

/*
 * struct {
 *     ClientCertificateType certificate_types<1..2^8-1>;
 *     SignatureAndHashAlgorithm supported_signature_algorithms<2^16-1>;
 *     DistinguishedName certificate_authorities<0..2^16-1>;
 * } CertificateRequest;                              RFC 5246 7.4.4
 * opaque DistinguishedName<1..2^16-1>;
 */
typedef struct lt_certificate_request {
    lt_rd types;       /* certificate_types body, >= 1 byte */
    lt_rd sigalgs;     /* supported_signature_algorithms body, even length */
    lt_rd authorities; /* certificate_authorities body (each name: 2-byte length, DER) */
    size_t n_authorities;
} lt_certificate_request;

LT_MUST_USE int lt_parse_certificate_request(const uint8_t *body, size_t len, lt_certificate_request *out);

/*
 * ECDHE ServerKeyExchange (RFC 8422 5.4; signed_params as RFC 5246 7.4.3):
 *   struct {
 *       ECCurveType curve_type;                 named_curve(3) only
 *       NamedCurve namedcurve;
 *       opaque point <1..2^8-1>;                ECPoint public
 *   } ServerECDHParams;
 *   struct {
 *       ServerECDHParams params;
 *       digitally-signed struct { ... } signed_params;
 *   } ServerKeyExchange;
 * where digitally-signed (RFC 5246 4.7) is
 *   SignatureAndHashAlgorithm algorithm; opaque signature<0..2^16-1>;
 * The signature covers ClientHello.random + ServerHello.random + params, so
 * params/params_len is exactly the ServerECDHParams bytes of the input.
 * A curve_type other than named_curve is LT_ERR_ILLEGAL_PARAMETER; an empty
 * point, a short or long message is LT_ERR_DECODE. The group and the scheme
 * are not judged here (GREASE and unknown values parse).
 */
typedef struct lt_server_key_exchange_ecdhe {
    uint16_t group;        /* NamedCurve / NamedGroup */
    lt_rd point;           /* ECPoint.point body, 1..255 bytes */
    const uint8_t *params; /* the ServerECDHParams bytes (what is signed, after the randoms) */
    size_t params_len;
    uint16_t sig_scheme; /* SignatureAndHashAlgorithm as hash << 8 | signature */
    lt_rd signature;     /* 0..2^16-1 bytes */
} lt_server_key_exchange_ecdhe;

LT_MUST_USE int lt_parse_server_key_exchange_ecdhe(const uint8_t *body, size_t len, lt_server_key_exchange_ecdhe *out);

/*
 * Writing is two steps, because the server signs the params before it can
 * write the signature:
 *   size_t m = lt_write_server_key_exchange_ecdhe_params(w, group, point, n);
 *   const uint8_t *params = lt_server_key_exchange_params(w, m, &params_len);
 *   ... sign client_random + server_random + params ...
 *   lt_write_server_key_exchange_signature(w, m, scheme, sig, sig_len);
 * The first call opens the message (header included) and writes
 * ServerECDHParams; it returns the message mark. Nothing else may be written
 * to w between the calls. The second call writes signed_params and closes
 * the message. A point outside 1..255 bytes, or a signature over 2^16-1
 * bytes, sets the writer's error.
 */
size_t lt_write_server_key_exchange_ecdhe_params(lt_wr *w, uint16_t group, const uint8_t *point, size_t point_len);
/* The ServerECDHParams bytes written since `mark` (inside w's buffer), or
 * NULL with *params_len = 0 when the writer has failed. */
const uint8_t *lt_server_key_exchange_params(const lt_wr *w, size_t mark, size_t *params_len);
void lt_write_server_key_exchange_signature(lt_wr *w, size_t mark, uint16_t sig_scheme, const uint8_t *sig,
                                            size_t sig_len);

/*
 * struct { ECPoint ecdh_Yc; } ClientECDiffieHellmanPublic;  RFC 8422 5.7
 * with struct { opaque point <1..2^8-1>; } ECPoint (5.4). Only the explicit
 * encoding: an empty point (the deprecated implicit one) is LT_ERR_DECODE.
 */
LT_MUST_USE int lt_parse_client_key_exchange_ecdhe(const uint8_t *body, size_t len, lt_rd *point);
/* A point outside 1..255 bytes sets the writer's error. */
void lt_write_client_key_exchange_ecdhe(lt_wr *w, const uint8_t *point, size_t point_len);

/* struct { } ServerHelloDone;  RFC 5246 7.4.5. struct { } HelloRequest; 7.4.1.1.
 * The body must be empty. */
LT_MUST_USE int lt_parse_empty(const uint8_t *body, size_t len);
void lt_write_empty(lt_wr *w, uint8_t hs_type);

/*
 * struct { public-key-encrypted PreMasterSecret pre_master_secret; }
 *     EncryptedPreMasterSecret;                       RFC 5246 7.4.7.1
 * In TLS 1.2 the ciphertext is a vector with a 2-byte length.
 */
LT_MUST_USE int lt_parse_client_key_exchange_rsa(const uint8_t *body, size_t len, lt_rd *encrypted_pms);
void lt_write_client_key_exchange_rsa(lt_wr *w, const uint8_t *enc, size_t enc_len);

/* struct { opaque verify_data[verify_data_length]; } Finished;  RFC 5246 7.4.9 */
LT_MUST_USE int lt_parse_finished(const uint8_t *body, size_t len, uint8_t verify_data[LT_FINISHED_LEN]);
void lt_write_finished(lt_wr *w, const uint8_t verify_data[LT_FINISHED_LEN]);

/* Patch binder i (0-based, binder_len bytes) of a ClientHello written with
 * lt_write_client_hello, whose binders vector starts at binders_offset of
 * msg (as the writer reported). */
void lt_patch_binder(uint8_t *msg, size_t binders_offset, size_t binder_len, size_t i, const uint8_t *binder);

/* Helpers for the message header (type(1) || length(3)). */
size_t lt_hs_begin(lt_wr *w, uint8_t hs_type); /* returns a mark for lt_hs_end */
void lt_hs_end(lt_wr *w, size_t mark);

#endif
