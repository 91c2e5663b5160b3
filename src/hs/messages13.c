/*
 * The TLS 1.3 handshake messages (RFC 8446 4.3 to 4.6) that TLS 1.2 does
 * not have or has in another shape. The same discipline as messages.c:
 * input is read only through lt_rd, every vector through a bounded
 * sub-reader, every message ended with lt_rd_done; writers never fail by
 * themselves but set the writer's sticky error for parameters that could
 * only make a message no peer could decode.
 *
 * Error precedence in every parser: bad syntax anywhere in the message
 * (LT_ERR_DECODE) before a bad value (LT_ERR_ILLEGAL_PARAMETER: a duplicate
 * extension, one that does not belong in the message), before a missing
 * extension (LT_ERR_MISSING_EXTENSION), so the answer does not depend on
 * the order of the extensions.
 */
#include "hs/messages13.h"
#include "hs/messages_alpn.h"

#include "hs/codec.h"

#include <string.h>

/* ------------------------------------------------------------------------ */
/* Extension blocks                                                          */

/* The messages of RFC 8446 4.2's table, as bits of what may carry an
 * extension. */
enum { IN_EE = 1u << 0, IN_CR = 1u << 1, IN_CT = 1u << 2, IN_NST = 1u << 3 };

/*
 * Where each extension we know may appear, of EncryptedExtensions (EE),
 * CertificateRequest (CR), Certificate entries (CT) and NewSessionTicket
 * (NST): RFC 8446 4.2's table. 0 for one we know that none of these may
 * carry (the hello-only ones, and the TLS 1.2 ones, which are not specified
 * for any TLS 1.3 message); -1 for a type we do not know. The types we know
 * are the LT_EXT_* values of messages.h.
 */
static int ext_allowed_in(uint16_t type)
{
    switch (type) {
    case LT_EXT_SERVER_NAME: return IN_EE;
    case LT_EXT_SUPPORTED_GROUPS: return IN_EE;
    case LT_EXT_ALPN: return IN_EE;
    case LT_EXT_EARLY_DATA: return IN_EE | IN_NST;
    case LT_EXT_SIGNATURE_ALGORITHMS: return IN_CR;
    case LT_EXT_SIGNATURE_ALGORITHMS_CERT: return IN_CR;
    case LT_EXT_CERTIFICATE_AUTHORITIES: return IN_CR;
    case LT_EXT_EC_POINT_FORMATS:
    case LT_EXT_PADDING:
    case LT_EXT_ENCRYPT_THEN_MAC:
    case LT_EXT_EXTENDED_MASTER_SECRET:
    case LT_EXT_SESSION_TICKET:
    case LT_EXT_PRE_SHARED_KEY:
    case LT_EXT_SUPPORTED_VERSIONS:
    case LT_EXT_COOKIE:
    case LT_EXT_PSK_KEY_EXCHANGE_MODES:
    case LT_EXT_POST_HANDSHAKE_AUTH:
    case LT_EXT_KEY_SHARE:
    case LT_EXT_RENEGOTIATION_INFO: return 0;
    default: return -1;
    }
}

/* RFC 8446 4.2: "If an implementation receives an extension which it
 * recognizes and which is not specified for the message in which it
 * appears, it MUST abort the handshake with an "illegal_parameter"
 * alert." Types we do not know belong anywhere (the caller decides). */
static int belongs_in(uint16_t type, unsigned message)
{
    int where = ext_allowed_in(type);
    return where < 0 || (where & (int)message) != 0;
}

/* Parses one extension body that belongs in the message; returns LT_OK or
 * LT_ERR_DECODE only. */
typedef int (*ext13_handler)(void *out, uint16_t type, lt_rd *data);

/* Frames the block, hands every extension that belongs in `message` to
 * `handler`, and only then answers a duplicate or one that does not belong
 * (LT_ERR_ILLEGAL_PARAMETER): bad syntax anywhere wins. */
static int walk_ext_block(lt_rd block, unsigned message, ext13_handler handler, void *out)
{
    int duplicate;
    size_t n;
    LT_GUARD(lt_codec_frame_ext_block(block, &duplicate, &n));
    int misplaced = 0;
    uint16_t type;
    lt_rd data;
    while (lt_ext_next(&block, &type, &data)) {
        if (!belongs_in(type, message)) {
            misplaced = 1;
            continue;
        }
        LT_GUARD(handler(out, type, &data));
    }
    LT_ENSURE(!duplicate && !misplaced, LT_ERR_ILLEGAL_PARAMETER);
    return LT_OK;
}

/* An extension_data that must be empty: anything in it is bad syntax. */
static int parse_empty_ext(const lt_rd *data, int *flag)
{
    LT_GUARD(lt_rd_done(data));
    *flag = 1;
    return LT_OK;
}

static void wr_fail(lt_wr *w)
{
    if (w->err == LT_OK) {
        w->err = LT_ERR_INTERNAL;
    }
}

/* ------------------------------------------------------------------------ */
/* EncryptedExtensions (4.3.1)                                               */

static int encrypted_extensions_ext(void *arg, uint16_t type, lt_rd *data)
{
    lt_encrypted_extensions *ee = arg;
    switch (type) {
    case LT_EXT_SERVER_NAME:
        /* RFC 6066 3: the server's "extension_data" field "SHALL be
         * empty". */
        ee->ext_seen |= LT_SEEN_SNI;
        return parse_empty_ext(data, &ee->sni_ack);
    case LT_EXT_SUPPORTED_GROUPS:
        /* 4.2.7: NamedGroup named_group_list<2..2^16-1>. */
        ee->ext_seen |= LT_SEEN_GROUPS;
        return lt_codec_u16_list_ext(data, 2, 0xFFFF, &ee->groups);
    case LT_EXT_ALPN:
        /* RFC 7301 3.1: the server's list holds exactly one name. */
        ee->ext_seen |= LT_SEEN_ALPN;
        return lt_alpn_parse_selected(data, &ee->alpn);
    case LT_EXT_EARLY_DATA:
        /* 4.2.10: in EncryptedExtensions, struct {} Empty. */
        ee->ext_seen |= LT_SEEN_EARLY_DATA;
        return parse_empty_ext(data, &ee->early_data);
    default:
        /* A type we do not know (walk_ext_block set aside the others): the
         * client answers unsupported_extension, as for any it did not
         * offer (4.2). */
        if (!ee->has_unknown_ext) {
            ee->has_unknown_ext = 1;
            ee->unknown_ext = type;
        }
        return LT_OK;
    }
}

/* struct { Extension extensions<0..2^16-1>; } EncryptedExtensions; */
int lt_parse_encrypted_extensions(const uint8_t *body, size_t len, lt_encrypted_extensions *out)
{
    memset(out, 0, sizeof(*out));
    lt_rd r = lt_rd_init(body, len);
    lt_rd block;
    LT_GUARD(lt_rd_vec(&r, 2, 0, 0xFFFF, &block));
    LT_GUARD(lt_rd_done(&r));
    return walk_ext_block(block, IN_EE, encrypted_extensions_ext, out);
}

void lt_write_encrypted_extensions(lt_wr *w, const lt_encrypted_extensions_params *p)
{
    /* ProtocolName<1..2^8-1> (RFC 7301 3.1). */
    if ((p->alpn != NULL && (p->alpn_len == 0 || p->alpn_len > 255)) || (p->alpn == NULL && p->alpn_len > 0)) {
        wr_fail(w);
        return;
    }
    size_t msg = lt_hs_begin(w, LT_HS_ENCRYPTED_EXTENSIONS);
    size_t exts = lt_wr_open_vec(w, 2);
    if (p->sni_ack) {
        size_t e = lt_codec_ext_begin(w, LT_EXT_SERVER_NAME);
        lt_wr_close_vec(w, e, 2);
    }
    if (p->alpn != NULL) {
        /* RFC 7301 3.1: the server's list "MUST contain exactly one
         * ProtocolName". */
        lt_alpn_write_selected_ext(w, p->alpn, p->alpn_len);
    }
    if (p->early_data) {
        size_t e = lt_codec_ext_begin(w, LT_EXT_EARLY_DATA);
        lt_wr_close_vec(w, e, 2);
    }
    lt_wr_close_vec(w, exts, 2);
    lt_hs_end(w, msg);
}

/* ------------------------------------------------------------------------ */
/* Certificate (4.4.2)                                                       */

/* One CertificateEntry's extensions<0..2^16-1>: framed (LT_ERR_DECODE at
 * once), counted, the first type kept. A type twice, or one we know (4.2's
 * table names only status_request and signed_certificate_timestamp for CT,
 * which we do not know), sets *bad_value: the caller judges values only
 * after the whole message is framed. */
static int entry_extensions(lt_rd *list, lt_certificate13 *out, int *bad_value)
{
    lt_rd block;
    LT_GUARD(lt_rd_vec(list, 2, 0, 0xFFFF, &block));
    int duplicate;
    size_t n;
    LT_GUARD(lt_codec_frame_ext_block(block, &duplicate, &n));
    *bad_value |= duplicate;
    uint16_t type;
    lt_rd data;
    while (lt_ext_next(&block, &type, &data)) {
        *bad_value |= !belongs_in(type, IN_CT);
        if (out->n_entry_exts == 0) {
            out->first_entry_ext = type;
        }
        out->n_entry_exts++;
    }
    return LT_OK;
}

/*
 * struct {
 *     opaque cert_data<1..2^24-1>;      (X509)
 *     Extension extensions<0..2^16-1>;
 * } CertificateEntry;
 * struct {
 *     opaque certificate_request_context<0..2^8-1>;
 *     CertificateEntry certificate_list<0..2^24-1>;
 * } Certificate;
 * The whole list is decoded first, so any malformation is LT_ERR_DECODE
 * whatever else is wrong; then a bad entry extension is
 * LT_ERR_ILLEGAL_PARAMETER, and only then a well-formed but too long chain
 * LT_ERR_BAD_CERTIFICATE (as lt_parse_certificate). n_listed is set on
 * every path past the framing.
 */
int lt_parse_certificate13(const uint8_t *body, size_t len, lt_certificate13 *out)
{
    memset(out, 0, sizeof(*out));
    lt_rd r = lt_rd_init(body, len);
    lt_rd list;
    LT_GUARD(lt_rd_vec(&r, 1, 0, 255, &out->context));
    LT_GUARD(lt_rd_vec(&r, 3, 0, 0xFFFFFF, &list));
    LT_GUARD(lt_rd_done(&r));

    lt_certificate_msg *chain = &out->chain;
    int bad_value = 0;
    size_t n = 0;
    while (lt_rd_left(&list) > 0) {
        lt_rd cert;
        LT_GUARD(lt_rd_vec(&list, 3, 1, 0xFFFFFF, &cert));
        LT_GUARD(entry_extensions(&list, out, &bad_value));
        if (n < LT_MAX_PEER_CHAIN) {
            chain->der[n] = cert.p;
            chain->len[n] = cert.len;
        }
        n++;
    }
    chain->n_listed = n;
    LT_ENSURE(!bad_value, LT_ERR_ILLEGAL_PARAMETER);
    LT_ENSURE(n <= LT_MAX_PEER_CHAIN, LT_ERR_BAD_CERTIFICATE);
    chain->n = n;
    return LT_OK;
}

void lt_write_certificate13(lt_wr *w, const uint8_t *context, size_t context_len, const uint8_t *const *der,
                            const size_t *len, size_t n)
{
    if (context_len > 255 || (context_len > 0 && context == NULL) || (n > 0 && (der == NULL || len == NULL))) {
        wr_fail(w);
        return;
    }
    size_t msg = lt_hs_begin(w, LT_HS_CERTIFICATE);
    lt_wr_u8(w, (uint8_t)context_len);
    lt_wr_bytes(w, context, context_len);
    size_t list = lt_wr_open_vec(w, 3);
    for (size_t i = 0; i < n; i++) {
        /* cert_data<1..2^24-1>: an empty entry is not encodable. */
        if (len[i] == 0 || der[i] == NULL) {
            wr_fail(w);
            return;
        }
        size_t cert = lt_wr_open_vec(w, 3);
        lt_wr_bytes(w, der[i], len[i]);
        lt_wr_close_vec(w, cert, 3);
        lt_wr_u16(w, 0); /* extensions: none */
    }
    lt_wr_close_vec(w, list, 3);
    lt_hs_end(w, msg);
}

/* ------------------------------------------------------------------------ */
/* CertificateRequest (4.3.2)                                                */

static int certificate_request_ext(void *arg, uint16_t type, lt_rd *data)
{
    lt_certificate_request13 *cr = arg;
    switch (type) {
    case LT_EXT_SIGNATURE_ALGORITHMS:
        /* 4.2.3: SignatureScheme supported_signature_algorithms<2..2^16-2>. */
        cr->ext_seen |= LT_SEEN_SIGALGS;
        return lt_codec_u16_list_ext(data, 2, 0xFFFE, &cr->sigalgs);
    case LT_EXT_SIGNATURE_ALGORITHMS_CERT:
        cr->ext_seen |= LT_SEEN_SIGALGS_CERT;
        return lt_codec_u16_list_ext(data, 2, 0xFFFE, &cr->sigalgs_cert);
    case LT_EXT_CERTIFICATE_AUTHORITIES:
        cr->ext_seen |= LT_SEEN_CAS;
        return lt_codec_authorities(data, &cr->n_authorities, &cr->authorities);
    default:
        /* 4.3.2: "Clients MUST ignore unrecognized extensions." */
        return LT_OK;
    }
}

/*
 * struct {
 *     opaque certificate_request_context<0..2^8-1>;
 *     Extension extensions<2..2^16-1>;
 * } CertificateRequest;
 */
int lt_parse_certificate_request13(const uint8_t *body, size_t len, lt_certificate_request13 *out)
{
    memset(out, 0, sizeof(*out));
    lt_rd r = lt_rd_init(body, len);
    lt_rd block;
    LT_GUARD(lt_rd_vec(&r, 1, 0, 255, &out->context));
    LT_GUARD(lt_rd_vec(&r, 2, 2, 0xFFFF, &block));
    LT_GUARD(lt_rd_done(&r));
    LT_GUARD(walk_ext_block(block, IN_CR, certificate_request_ext, out));
    /* 4.3.2: "The "signature_algorithms" extension MUST be specified";
     * 6.2: missing_extension. */
    LT_ENSURE(out->ext_seen & LT_SEEN_SIGALGS, LT_ERR_MISSING_EXTENSION);
    return LT_OK;
}

/* ------------------------------------------------------------------------ */
/* CertificateVerify (4.4.3), Finished (4.4.4)                               */

/* struct { SignatureScheme algorithm; opaque signature<0..2^16-1>; } */
int lt_parse_certificate_verify(const uint8_t *body, size_t len, lt_certificate_verify *out)
{
    memset(out, 0, sizeof(*out));
    lt_rd r = lt_rd_init(body, len);
    LT_GUARD(lt_rd_u16(&r, &out->scheme));
    LT_GUARD(lt_rd_vec(&r, 2, 0, 0xFFFF, &out->signature));
    return lt_rd_done(&r);
}

void lt_write_certificate_verify(lt_wr *w, uint16_t scheme, const uint8_t *sig, size_t sig_len)
{
    if (sig_len > 0 && sig == NULL) {
        wr_fail(w);
        return;
    }
    size_t msg = lt_hs_begin(w, LT_HS_CERTIFICATE_VERIFY);
    lt_wr_u16(w, scheme);
    size_t v = lt_wr_open_vec(w, 2);
    lt_wr_bytes(w, sig, sig_len);
    lt_wr_close_vec(w, v, 2); /* over 2^16-1 bytes sets the error */
    lt_hs_end(w, msg);
}

/* struct { opaque verify_data[Hash.length]; } Finished; */
int lt_parse_finished13(const uint8_t *body, size_t len, size_t hash_len, const uint8_t **verify_data)
{
    *verify_data = NULL;
    lt_rd r = lt_rd_init(body, len);
    const uint8_t *p;
    LT_GUARD(lt_rd_bytes(&r, hash_len, &p));
    LT_GUARD(lt_rd_done(&r));
    *verify_data = p;
    return LT_OK;
}

void lt_write_finished13(lt_wr *w, const uint8_t *verify_data, size_t len)
{
    /* Hash.length: never 0 (SHA-256 and SHA-384 are 32 and 48). */
    if (verify_data == NULL || len == 0) {
        wr_fail(w);
        return;
    }
    size_t msg = lt_hs_begin(w, LT_HS_FINISHED);
    lt_wr_bytes(w, verify_data, len);
    lt_hs_end(w, msg);
}

/* ------------------------------------------------------------------------ */
/* NewSessionTicket (4.6.1)                                                  */

static int new_session_ticket_ext(void *arg, uint16_t type, lt_rd *data)
{
    lt_new_session_ticket *t = arg;
    if (type == LT_EXT_EARLY_DATA) {
        /* 4.2.10: in a NewSessionTicket, struct { uint32
         * max_early_data_size; }, exactly 4 bytes. */
        LT_GUARD(lt_rd_u32(data, &t->max_early_data));
        LT_GUARD(lt_rd_done(data));
        t->has_early_data = 1;
    }
    /* 4.6.1: "Clients MUST ignore unrecognized extensions." */
    return LT_OK;
}

/*
 * struct {
 *     uint32 ticket_lifetime;
 *     uint32 ticket_age_add;
 *     opaque ticket_nonce<0..255>;
 *     opaque ticket<1..2^16-1>;
 *     Extension extensions<0..2^16-2>;
 * } NewSessionTicket;
 */
int lt_parse_new_session_ticket(const uint8_t *body, size_t len, lt_new_session_ticket *out)
{
    memset(out, 0, sizeof(*out));
    lt_rd r = lt_rd_init(body, len);
    lt_rd block;
    LT_GUARD(lt_rd_u32(&r, &out->lifetime));
    LT_GUARD(lt_rd_u32(&r, &out->age_add));
    LT_GUARD(lt_rd_vec(&r, 1, 0, 255, &out->nonce));
    LT_GUARD(lt_rd_vec(&r, 2, 1, 0xFFFF, &out->ticket));
    LT_GUARD(lt_rd_vec(&r, 2, 0, 0xFFFE, &block));
    LT_GUARD(lt_rd_done(&r));
    LT_GUARD(walk_ext_block(block, IN_NST, new_session_ticket_ext, out));
    /* 4.6.1: "Servers MUST NOT use any value greater than 604800 seconds
     * (7 days)." A well-formed but forbidden value. */
    LT_ENSURE(out->lifetime <= LT_MAX_TICKET_LIFETIME, LT_ERR_ILLEGAL_PARAMETER);
    return LT_OK;
}

void lt_write_new_session_ticket(lt_wr *w, uint32_t lifetime, uint32_t age_add, const uint8_t *nonce, size_t nonce_len,
                                 const uint8_t *ticket, size_t ticket_len)
{
    if (lifetime > LT_MAX_TICKET_LIFETIME || nonce_len > 255 || (nonce_len > 0 && nonce == NULL) || ticket == NULL ||
        ticket_len == 0 || ticket_len > 0xFFFF) {
        wr_fail(w);
        return;
    }
    size_t msg = lt_hs_begin(w, LT_HS_NEW_SESSION_TICKET);
    lt_wr_u32(w, lifetime);
    lt_wr_u32(w, age_add);
    lt_wr_u8(w, (uint8_t)nonce_len);
    lt_wr_bytes(w, nonce, nonce_len);
    size_t t = lt_wr_open_vec(w, 2);
    lt_wr_bytes(w, ticket, ticket_len);
    lt_wr_close_vec(w, t, 2);
    lt_wr_u16(w, 0); /* extensions: none (we never allow early data) */
    lt_hs_end(w, msg);
}

/* ------------------------------------------------------------------------ */
/* KeyUpdate (4.6.3)                                                         */

enum { LT_UPDATE_NOT_REQUESTED = 0, LT_UPDATE_REQUESTED = 1 };

int lt_parse_key_update(const uint8_t *body, size_t len, int *update_requested)
{
    *update_requested = 0;
    lt_rd r = lt_rd_init(body, len);
    uint8_t v;
    LT_GUARD(lt_rd_u8(&r, &v));
    LT_GUARD(lt_rd_done(&r));
    /* 4.6.3: "If an implementation receives a KeyUpdate with a
     * request_update field other than these two values, it MUST terminate
     * the connection with an "illegal_parameter" alert." */
    LT_ENSURE(v == LT_UPDATE_NOT_REQUESTED || v == LT_UPDATE_REQUESTED, LT_ERR_ILLEGAL_PARAMETER);
    *update_requested = v == LT_UPDATE_REQUESTED;
    return LT_OK;
}

void lt_write_key_update(lt_wr *w, int update_requested)
{
    size_t msg = lt_hs_begin(w, LT_HS_KEY_UPDATE);
    lt_wr_u8(w, update_requested ? LT_UPDATE_REQUESTED : LT_UPDATE_NOT_REQUESTED);
    lt_hs_end(w, msg);
}
