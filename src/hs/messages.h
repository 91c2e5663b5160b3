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
    LT_HS_CERTIFICATE = 11,
    LT_HS_SERVER_KEY_EXCHANGE = 12,
    LT_HS_CERTIFICATE_REQUEST = 13,
    LT_HS_SERVER_HELLO_DONE = 14,
    LT_HS_CERTIFICATE_VERIFY = 15,
    LT_HS_CLIENT_KEY_EXCHANGE = 16,
    LT_HS_FINISHED = 20
};
const char *lt_hs_type_name(uint8_t type); /* "ClientHello", or "unknown(N)" style "unknown" */

/* ExtensionType values we know. */
enum {
    LT_EXT_SERVER_NAME = 0,             /* RFC 6066 3 */
    LT_EXT_SIGNATURE_ALGORITHMS = 13,   /* RFC 5246 7.4.1.4.1 */
    LT_EXT_ALPN = 16,                   /* RFC 7301 (parsed later) */
    LT_EXT_EXTENDED_MASTER_SECRET = 23, /* RFC 7627 */
    LT_EXT_SESSION_TICKET = 35,         /* RFC 5077 (parsed later) */
    LT_EXT_RENEGOTIATION_INFO = 0xff01  /* RFC 5746 */
};
/* TLS_EMPTY_RENEGOTIATION_INFO_SCSV (RFC 5746 3.3). */
#define LT_SCSV_RENEGOTIATION 0x00FF

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
    /* ALPN protocol_name_list body (parsed later; raw for now). */
    lt_rd alpn;
} lt_client_hello;

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
    lt_rd types;   /* certificate_types body, >= 1 byte */
    lt_rd sigalgs; /* supported_signature_algorithms body, even length */
    size_t n_authorities;
} lt_certificate_request;

LT_MUST_USE int lt_parse_certificate_request(const uint8_t *body, size_t len, lt_certificate_request *out);

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

/* Helpers for the message header (type(1) || length(3)). */
size_t lt_hs_begin(lt_wr *w, uint8_t hs_type); /* returns a mark for lt_hs_end */
void lt_hs_end(lt_wr *w, size_t mark);

#endif
