/*
 * The TLS 1.3 handshake messages that TLS 1.2 does not have, or has in
 * another shape (RFC 8446 4.3 to 4.6): EncryptedExtensions, the 1.3
 * Certificate and CertificateRequest, CertificateVerify, a Finished of the
 * hash's length, NewSessionTicket and KeyUpdate. The same rules as
 * messages.h: parsers read through lt_rd only, fill the struct, and never
 * judge what a value means beyond its syntax.
 *
 * Errors: LT_ERR_DECODE for anything malformed; LT_ERR_ILLEGAL_PARAMETER
 * for a duplicate extension or a well-formed but forbidden value (the
 * alerts RFC 8446 4 and 6.2 name).
 */
#ifndef LT_HS_MESSAGES13_H
#define LT_HS_MESSAGES13_H

#include "hs/messages.h"

/*
 * struct { Extension extensions<0..2^16-1>; } EncryptedExtensions;  4.3.1
 * ext_seen has LT_SEEN_* bits for what we know. RFC 8446 4.2 names which
 * extensions may appear here (server_name, supported_groups, ALPN,
 * early_data, ...): one we know that may not (key_share,
 * supported_versions, signature_algorithms, pre_shared_key, cookie,
 * psk_key_exchange_modes, encrypt_then_mac, extended_master_secret,
 * ec_point_formats, renegotiation_info, session_ticket, ...) is
 * LT_ERR_ILLEGAL_PARAMETER from the parser ("If an implementation receives an
 * extension which it recognizes and which is not specified for the message
 * in which it appears, it MUST abort the handshake with an illegal_parameter
 * alert"). Unknown types are reported in unknown_ext (the client decides:
 * unsupported_extension).
 */
typedef struct lt_encrypted_extensions {
    uint32_t ext_seen;
    int sni_ack;    /* an empty server_name */
    lt_rd alpn;     /* ALPN: the one protocol the server chose (RFC 7301 3.1), 1..255 bytes */
    int early_data; /* an empty early_data */
    lt_rd groups;   /* supported_groups body (the server's preference; informational) */
    uint16_t unknown_ext;
    int has_unknown_ext;
} lt_encrypted_extensions;

LT_MUST_USE int lt_parse_encrypted_extensions(const uint8_t *body, size_t len, lt_encrypted_extensions *out);

typedef struct lt_encrypted_extensions_params {
    int sni_ack;
    int early_data;      /* we never accept early data: always 0 for now */
    const uint8_t *alpn; /* one protocol name to answer, or NULL */
    size_t alpn_len;
} lt_encrypted_extensions_params;
void lt_write_encrypted_extensions(lt_wr *w, const lt_encrypted_extensions_params *p);

/*
 * struct {
 *     select (certificate_type) { case X509: opaque cert_data<1..2^24-1>; };
 *     Extension extensions<0..2^16-1>;
 * } CertificateEntry;
 * struct {
 *     opaque certificate_request_context<0..2^8-1>;
 *     CertificateEntry certificate_list<0..2^24-1>;
 * } Certificate;                                       4.4.2
 * Fills lt_certificate_msg as the TLS 1.2 parser does (the same limits and
 * errors: more than LT_MAX_PEER_CHAIN entries is LT_ERR_BAD_CERTIFICATE with
 * n_listed set). Each entry's extensions block must be well framed, without
 * duplicates; n_entry_exts counts extensions over all entries and
 * first_entry_ext is the first one's type (we request none, so the caller
 * answers any with unsupported_extension, 4.4.2).
 */
typedef struct lt_certificate13 {
    lt_rd context;
    lt_certificate_msg chain;
    size_t n_entry_exts;
    uint16_t first_entry_ext;
} lt_certificate13;

LT_MUST_USE int lt_parse_certificate13(const uint8_t *body, size_t len, lt_certificate13 *out);
/* context may be empty (context_len 0); every entry gets an empty extensions block. */
void lt_write_certificate13(lt_wr *w, const uint8_t *context, size_t context_len, const uint8_t *const *der,
                            const size_t *len, size_t n);

/*
 * struct {
 *     opaque certificate_request_context<0..2^8-1>;
 *     Extension extensions<2..2^16-1>;
 * } CertificateRequest;                                4.3.2
 * "The signature_algorithms extension MUST be specified": its absence is
 * LT_ERR_MISSING_EXTENSION (6.2 missing_extension). sigalgs: the list body.
 */
typedef struct lt_certificate_request13 {
    lt_rd context;
    uint32_t ext_seen;
    lt_rd sigalgs;      /* signature_algorithms list body, even, >= 2 */
    lt_rd sigalgs_cert; /* signature_algorithms_cert list body, when present */
    lt_rd authorities;  /* certificate_authorities list body, when present */
    size_t n_authorities;
} lt_certificate_request13;

LT_MUST_USE int lt_parse_certificate_request13(const uint8_t *body, size_t len, lt_certificate_request13 *out);

/*
 * struct {
 *     SignatureScheme algorithm;
 *     opaque signature<0..2^16-1>;
 * } CertificateVerify;                                 4.4.3
 */
typedef struct lt_certificate_verify {
    uint16_t scheme;
    lt_rd signature;
} lt_certificate_verify;

LT_MUST_USE int lt_parse_certificate_verify(const uint8_t *body, size_t len, lt_certificate_verify *out);
void lt_write_certificate_verify(lt_wr *w, uint16_t scheme, const uint8_t *sig, size_t sig_len);

/* struct { opaque verify_data[Hash.length]; } Finished;  4.4.4
 * The body must be exactly hash_len bytes (decode_error otherwise). */
LT_MUST_USE int lt_parse_finished13(const uint8_t *body, size_t len, size_t hash_len, const uint8_t **verify_data);
void lt_write_finished13(lt_wr *w, const uint8_t *verify_data, size_t len);

/*
 * struct {
 *     uint32 ticket_lifetime;
 *     uint32 ticket_age_add;
 *     opaque ticket_nonce<0..255>;
 *     opaque ticket<1..2^16-1>;
 *     Extension extensions<0..2^16-2>;
 * } NewSessionTicket;                                  4.6.1
 * early_data (max_early_data_size, a uint32) is the only extension we
 * know here; has_early_data/max_early_data report it. A lifetime over
 * 604800 seconds is LT_ERR_ILLEGAL_PARAMETER ("Servers MUST NOT use any
 * value greater than 604800 seconds").
 */
#define LT_MAX_TICKET_LIFETIME 604800u
typedef struct lt_new_session_ticket {
    uint32_t lifetime;
    uint32_t age_add;
    lt_rd nonce;
    lt_rd ticket;
    int has_early_data;
    uint32_t max_early_data;
} lt_new_session_ticket;

LT_MUST_USE int lt_parse_new_session_ticket(const uint8_t *body, size_t len, lt_new_session_ticket *out);
void lt_write_new_session_ticket(lt_wr *w, uint32_t lifetime, uint32_t age_add, const uint8_t *nonce, size_t nonce_len,
                                 const uint8_t *ticket, size_t ticket_len);

/*
 * enum { update_not_requested(0), update_requested(1), (255) } KeyUpdateRequest;
 * struct { KeyUpdateRequest request_update; } KeyUpdate;   4.6.3
 * One byte; any other value than 0 or 1 is LT_ERR_ILLEGAL_PARAMETER ("If an
 * implementation receives a KeyUpdate with a request_update field other than
 * these two values, it MUST terminate the connection with an
 * "illegal_parameter" alert"); a body of another length LT_ERR_DECODE.
 */
LT_MUST_USE int lt_parse_key_update(const uint8_t *body, size_t len, int *update_requested);
void lt_write_key_update(lt_wr *w, int update_requested);

#endif
