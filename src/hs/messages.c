/*
 * Handshake message codec (RFC 5246 7.4 and the hello extensions we know).
 *
 * Every parser reads its input only through lt_rd, opens a bounded sub-reader
 * (lt_rd_vec) for every vector and ends every vector and the message itself
 * with lt_rd_done, so a length that disagrees with what follows is always
 * LT_ERR_DECODE and no read can leave the vector it belongs to.
 *
 * Writers emit the whole message (RFC 5246 7.4: type(1) || length(3) || body)
 * and never fail by themselves: overflow, and parameters that could only
 * produce a message no peer could decode, set the writer's sticky error.
 */
#include "hs/messages.h"

#include <string.h>

/* RFC 6066 3: host_name(0). */
#define LT_NAME_TYPE_HOST_NAME 0

const char *lt_hs_type_name(uint8_t type)
{
    switch (type) {
    case LT_HS_HELLO_REQUEST: return "HelloRequest";
    case LT_HS_CLIENT_HELLO: return "ClientHello";
    case LT_HS_SERVER_HELLO: return "ServerHello";
    case LT_HS_NEW_SESSION_TICKET: return "NewSessionTicket";
    case LT_HS_CERTIFICATE: return "Certificate";
    case LT_HS_SERVER_KEY_EXCHANGE: return "ServerKeyExchange";
    case LT_HS_CERTIFICATE_REQUEST: return "CertificateRequest";
    case LT_HS_SERVER_HELLO_DONE: return "ServerHelloDone";
    case LT_HS_CERTIFICATE_VERIFY: return "CertificateVerify";
    case LT_HS_CLIENT_KEY_EXCHANGE: return "ClientKeyExchange";
    case LT_HS_FINISHED: return "Finished";
    default: return "unknown";
    }
}

/* ------------------------------------------------------------------------ */
/* Extensions, shared by ClientHello and ServerHello.                        */

/*
 * struct {
 *     ExtensionType extension_type;
 *     opaque extension_data<0..2^16-1>;
 * } Extension;                                        RFC 5246 7.4.1.4
 */
typedef int (*ext_handler)(void *out, uint16_t type, lt_rd *data);

/*
 * Parses the optional extensions block that ends a hello. RFC 5246 7.4.1.2:
 * "The presence of extensions can be detected by determining whether there
 * are bytes following the compression_methods at the end of the ClientHello"
 * (7.4.1.3 says the same for ServerHello). So no bytes left means no block; a
 * present block must be exactly the rest of the message.
 *
 * Two passes so that errors have a fixed precedence, whatever the order of
 * the extensions: the first pass checks the framing of the whole block
 * (LT_ERR_DECODE), and only a well-framed block is judged for duplicates
 * (LT_ERR_ILLEGAL_PARAMETER); then the second pass hands each body to
 * `handler`, which decides what the body must look like.
 *
 * There is no cap on the count: a 2^16-1 block holds up to 16383 empty
 * extensions, and a peer may legally send them all. The duplicate check is
 * one bit per possible ExtensionType (8 KiB), so each pass is linear in the
 * block and the whole parse stays linear in the message.
 */
static int parse_extensions(lt_rd *msg, ext_handler handler, void *out)
{
    if (lt_rd_left(msg) == 0) {
        return LT_OK;
    }
    lt_rd block;
    LT_GUARD(lt_rd_vec(msg, 2, 0, 0xFFFF, &block));
    LT_GUARD(lt_rd_done(msg));

    uint64_t seen[65536 / 64];
    memset(seen, 0, sizeof(seen));
    int duplicate = 0;
    lt_rd scan = block;
    while (lt_rd_left(&scan) > 0) {
        uint16_t type;
        lt_rd data;
        LT_GUARD(lt_rd_u16(&scan, &type));
        LT_GUARD(lt_rd_vec(&scan, 2, 0, 0xFFFF, &data));
        /* RFC 5246 7.4.1.4 and RFC 8446 4.2: "There MUST NOT be more than
         * one extension of the same type." This holds for types we do not
         * know as well. RFC 5246 names no alert; RFC 8446 4.2 says
         * illegal_parameter for a duplicate in any hello. */
        uint64_t bit = (uint64_t)1 << (type & 63);
        duplicate |= (seen[type >> 6] & bit) != 0;
        seen[type >> 6] |= bit;
    }
    LT_ENSURE(!duplicate, LT_ERR_ILLEGAL_PARAMETER);

    while (lt_rd_left(&block) > 0) {
        uint16_t type;
        lt_rd data;
        LT_GUARD(lt_rd_u16(&block, &type));
        LT_GUARD(lt_rd_vec(&block, 2, 0, 0xFFFF, &data));
        LT_GUARD(handler(out, type, &data));
    }
    return LT_OK;
}

/*
 * struct { opaque renegotiated_connection<0..255>; } RenegotiationInfo;
 *                                                     RFC 5746 3.2
 * The extension body must be exactly this vector.
 */
static int parse_reneg_info(lt_rd *data, lt_rd *out)
{
    LT_GUARD(lt_rd_vec(data, 1, 0, 255, out));
    return lt_rd_done(data);
}

/*
 * struct { NameType name_type; select (name_type) { case host_name: HostName; } name; } ServerName;
 * enum { host_name(0), (255) } NameType;
 * opaque HostName<1..2^16-1>;
 * struct { ServerName server_name_list<1..2^16-1> } ServerNameList;
 *                                                     RFC 6066 3
 * Keeps the host_name as a NUL-terminated string in sni (empty when the list
 * names only other types).
 */
static int parse_server_name_list(lt_rd *data, char sni[LT_MAX_HOSTNAME + 1])
{
    lt_rd list;
    /* An empty extension body, or an empty list, is a decode error: the list
     * has a 2-byte length and at least one entry. */
    LT_GUARD(lt_rd_vec(data, 2, 1, 0xFFFF, &list));
    LT_GUARD(lt_rd_done(data));

    /* One bit per NameType: RFC 6066 3 "The ServerNameList MUST NOT contain
     * more than one name of the same name_type." */
    uint8_t seen[32];
    memset(seen, 0, sizeof(seen));
    while (lt_rd_left(&list) > 0) {
        uint8_t name_type;
        lt_rd name;
        LT_GUARD(lt_rd_u8(&list, &name_type));
        /* RFC 6066 3: "all future data structures associated with new
         * NameTypes MUST begin with a 16-bit length field", which is how we
         * can skip types we do not know. HostName itself is <1..2^16-1>. */
        size_t min = name_type == LT_NAME_TYPE_HOST_NAME ? 1 : 0;
        LT_GUARD(lt_rd_vec(&list, 2, min, 0xFFFF, &name));
        uint8_t bit = (uint8_t)(1u << (name_type & 7));
        LT_ENSURE((seen[name_type >> 3] & bit) == 0, LT_ERR_ILLEGAL_PARAMETER);
        seen[name_type >> 3] |= bit;
        if (name_type != LT_NAME_TYPE_HOST_NAME) {
            continue;
        }
        /* Well-formed, but not a name: a DNS name is at most 255 bytes, and
         * a NUL would truncate the string we hand to the application, so the
         * name it sees could differ from the one the peer sent. Both are bad
         * values (illegal_parameter), not bad syntax. The server checks the
         * rest of RFC 6066 3 (lt_is_dns_hostname). */
        size_t n = lt_rd_left(&name);
        LT_ENSURE(n <= LT_MAX_HOSTNAME, LT_ERR_ILLEGAL_PARAMETER);
        LT_GUARD(lt_rd_copy(&name, sni, n));
        LT_ENSURE(memchr(sni, 0, n) == NULL, LT_ERR_ILLEGAL_PARAMETER);
        sni[n] = '\0';
    }
    return LT_OK;
}

/*
 * A whole extension body that is one list of uint16 values with a 2-byte
 * length <min_len..max_len>: supported_groups, signature_algorithms(_cert).
 * Each entry is 2 bytes, so an odd length cannot be such a list
 * (LT_ERR_DECODE). *list is the list body; values are not judged (unknown
 * ones and GREASE, RFC 8701, are the caller's to ignore).
 */
static int parse_u16_list_ext(lt_rd *data, size_t min_len, size_t max_len, lt_rd *list)
{
    LT_GUARD(lt_rd_vec(data, 2, min_len, max_len, list));
    LT_GUARD(lt_rd_done(data));
    LT_ENSURE(lt_rd_left(list) % 2 == 0, LT_ERR_DECODE);
    return LT_OK;
}

/*
 * SignatureAndHashAlgorithm supported_signature_algorithms<2..2^16-2>;
 *                                                     RFC 5246 7.4.1.4.1
 * (RFC 8446 4.2.3 gives signature_algorithms_cert the same shape.)
 * Each entry is 2 bytes, so the length must be even. Keeps the whole list
 * body in *all, and the first LT_MAX_SIGALGS as hash << 8 | signature.
 */
static int parse_sigalgs(lt_rd *data, lt_rd *all, uint16_t *out, size_t *n_out)
{
    LT_GUARD(parse_u16_list_ext(data, 2, 0xFFFE, all));
    lt_rd list = *all;
    size_t n = 0;
    while (lt_rd_left(&list) > 0) {
        uint16_t alg;
        LT_GUARD(lt_rd_u16(&list, &alg));
        if (n < LT_MAX_SIGALGS) {
            out[n++] = alg;
        }
    }
    *n_out = n;
    return LT_OK;
}

/*
 * enum { uncompressed (0), deprecated (1..2), reserved (248..255) } ECPointFormat;
 * struct { ECPointFormat ec_point_format_list<1..2^8-1> } ECPointFormatList;
 *                                                     RFC 8422 5.1.2, 5.2
 * The same in both hellos. Whether a list without uncompressed is fatal
 * depends on the other extensions (5.1.2: illegal_parameter when the client
 * also named one of its curves), so that is the state machine's call; we say
 * whether it is there.
 */
static int parse_ec_point_formats(lt_rd *data, lt_rd *list, int *has_uncompressed)
{
    LT_GUARD(lt_rd_vec(data, 1, 1, 0xFF, list));
    LT_GUARD(lt_rd_done(data));
    lt_rd l = *list;
    while (lt_rd_left(&l) > 0) {
        uint8_t format;
        LT_GUARD(lt_rd_u8(&l, &format));
        if (format == LT_EC_POINT_UNCOMPRESSED) {
            *has_uncompressed = 1;
        }
    }
    return LT_OK;
}

int lt_is_grease(uint16_t v)
{
    /* RFC 8701 2: 0x0A0A, 0x1A1A, ..., 0xFAFA: both bytes equal, low
     * nibble A. */
    return (v >> 8) == (v & 0xFF) && (v & 0x0F) == 0x0A;
}

int lt_u16_list_has(lt_rd list, uint16_t v)
{
    uint16_t x;
    while (lt_rd_u16(&list, &x) == LT_OK) {
        if (x == v) {
            return 1;
        }
    }
    return 0;
}

static int client_hello_ext(void *arg, uint16_t type, lt_rd *data)
{
    lt_client_hello *ch = arg;
    switch (type) {
    case LT_EXT_SERVER_NAME: ch->ext_seen |= LT_SEEN_SNI; return parse_server_name_list(data, ch->sni);
    case LT_EXT_SIGNATURE_ALGORITHMS:
        ch->ext_seen |= LT_SEEN_SIGALGS;
        return parse_sigalgs(data, &ch->sigalgs_all, ch->sigalgs, &ch->n_sigalgs);
    case LT_EXT_SIGNATURE_ALGORITHMS_CERT:
        /* RFC 8446 4.2.3: the same SignatureSchemeList as
         * signature_algorithms, <2..2^16-2>. */
        ch->ext_seen |= LT_SEEN_SIGALGS_CERT;
        return parse_u16_list_ext(data, 2, 0xFFFE, &ch->sigalgs_cert);
    case LT_EXT_SUPPORTED_GROUPS:
        /* RFC 8422 5.1.1: NamedCurve named_curve_list<2..2^16-1>; RFC 8446
         * 4.2.7: NamedGroup named_group_list<2..2^16-1>. Even, so at most
         * 2^16-2 in practice. */
        ch->ext_seen |= LT_SEEN_GROUPS;
        return parse_u16_list_ext(data, 2, 0xFFFF, &ch->supported_groups);
    case LT_EXT_EC_POINT_FORMATS:
        ch->ext_seen |= LT_SEEN_POINT_FORMATS;
        return parse_ec_point_formats(data, &ch->ec_point_formats, &ch->has_uncompressed_point);
    case LT_EXT_ENCRYPT_THEN_MAC:
        /* RFC 7366 2: 'The "extension_data" field of this extension SHALL
         * be empty.' Anything in it is bad syntax. */
        ch->ext_seen |= LT_SEEN_ETM;
        LT_GUARD(lt_rd_done(data));
        ch->encrypt_then_mac = 1;
        return LT_OK;
    case LT_EXT_EXTENDED_MASTER_SECRET:
        /* RFC 7627 5.1: 'The "extension_data" field of this extension is
         * empty.' */
        ch->ext_seen |= LT_SEEN_EMS;
        return lt_rd_done(data);
    case LT_EXT_RENEGOTIATION_INFO: ch->ext_seen |= LT_SEEN_RENEG; return parse_reneg_info(data, &ch->reneg_info);
    case LT_EXT_ALPN:
        /* RFC 7301 3.1: ProtocolName protocol_name_list<2..2^16-1>. Only the
         * outer vector is checked here; the names are parsed later. */
        ch->ext_seen |= LT_SEEN_ALPN;
        LT_GUARD(lt_rd_vec(data, 2, 2, 0xFFFF, &ch->alpn));
        return lt_rd_done(data);
    case LT_EXT_SESSION_TICKET: ch->ext_seen |= LT_SEEN_TICKET; return LT_OK;
    default:
        /* RFC 5246 7.4.1.4: a server ignores extensions it does not know. */
        return LT_OK;
    }
}

/* ------------------------------------------------------------------------ */
/* ClientHello                                                               */

/*
 * struct {
 *     ProtocolVersion client_version;
 *     Random random;
 *     SessionID session_id;                       opaque SessionID<0..32>
 *     CipherSuite cipher_suites<2..2^16-2>;
 *     CompressionMethod compression_methods<1..2^8-1>;
 *     select (extensions_present) {
 *         case false: struct {};
 *         case true:  Extension extensions<0..2^16-1>;
 *     };
 * } ClientHello;                                      RFC 5246 7.4.1.2
 */
int lt_parse_client_hello(const uint8_t *body, size_t len, lt_client_hello *out)
{
    memset(out, 0, sizeof(*out));
    lt_rd r = lt_rd_init(body, len);
    lt_rd sid;

    LT_GUARD(lt_rd_u16(&r, &out->client_version));
    LT_GUARD(lt_rd_copy(&r, out->random, LT_RANDOM_LEN));
    LT_GUARD(lt_rd_vec(&r, 1, 0, LT_MAX_SESSION_ID, &sid));
    out->session_id_len = (uint8_t)lt_rd_left(&sid);
    LT_GUARD(lt_rd_copy(&sid, out->session_id, out->session_id_len));

    /* A CipherSuite is 2 bytes, so an odd length cannot be a list of them. */
    LT_GUARD(lt_rd_vec(&r, 2, 2, 0xFFFE, &out->suites));
    LT_ENSURE(lt_rd_left(&out->suites) % 2 == 0, LT_ERR_DECODE);
    lt_rd s = out->suites;
    while (lt_rd_left(&s) > 0) {
        uint16_t suite;
        LT_GUARD(lt_rd_u16(&s, &suite));
        if (suite == LT_SCSV_RENEGOTIATION) {
            out->has_scsv = 1;
        } else if (suite == LT_SCSV_FALLBACK) {
            out->has_fallback_scsv = 1;
        }
    }

    LT_GUARD(lt_rd_vec(&r, 1, 1, 0xFF, &out->compressions));
    lt_rd c = out->compressions;
    while (lt_rd_left(&c) > 0) {
        uint8_t method;
        LT_GUARD(lt_rd_u8(&c, &method));
        if (method == 0) {
            out->has_null_compression = 1;
        }
    }

    return parse_extensions(&r, client_hello_ext, out);
}

/* ------------------------------------------------------------------------ */
/* ServerHello                                                               */

static int server_hello_ext(void *arg, uint16_t type, lt_rd *data)
{
    lt_server_hello *sh = arg;
    switch (type) {
    case LT_EXT_RENEGOTIATION_INFO: sh->ext_seen |= LT_SEEN_RENEG; return parse_reneg_info(data, &sh->reneg_info);
    case LT_EXT_EXTENDED_MASTER_SECRET:
        /* RFC 7627 5.1: the extension_data is empty. */
        sh->ext_seen |= LT_SEEN_EMS;
        return lt_rd_done(data);
    case LT_EXT_SERVER_NAME:
        /* RFC 6066 3: in the ServerHello 'the "extension_data" field of this
         * extension SHALL be empty.' */
        sh->ext_seen |= LT_SEEN_SNI;
        LT_GUARD(lt_rd_done(data));
        sh->sni_ack = 1;
        return LT_OK;
    case LT_EXT_ALPN: sh->ext_seen |= LT_SEEN_ALPN; return LT_OK;
    case LT_EXT_SESSION_TICKET: sh->ext_seen |= LT_SEEN_TICKET; return LT_OK;
    case LT_EXT_EC_POINT_FORMATS:
        /* RFC 8422 5.2: the same ECPointFormatList as the client's. */
        sh->ext_seen |= LT_SEEN_POINT_FORMATS;
        return parse_ec_point_formats(data, &sh->ec_point_formats, &sh->has_uncompressed_point);
    case LT_EXT_ENCRYPT_THEN_MAC:
        /* RFC 7366 2: the extension_data is empty in both hellos. */
        sh->ext_seen |= LT_SEEN_ETM;
        LT_GUARD(lt_rd_done(data));
        sh->encrypt_then_mac = 1;
        return LT_OK;
    default:
        /* RFC 5246 7.4.1.4: a client that gets an extension it did not offer
         * "MUST abort the handshake with an unsupported_extension fatal
         * alert". That is the state machine's call; we report the type. This
         * includes signature_algorithms, which "Servers MUST NOT send"
         * (7.4.1.4.1). */
        if (!sh->has_unknown_ext) {
            sh->has_unknown_ext = 1;
            sh->unknown_ext = type;
        }
        return LT_OK;
    }
}

/*
 * struct {
 *     ProtocolVersion server_version;
 *     Random random;
 *     SessionID session_id;
 *     CipherSuite cipher_suite;
 *     CompressionMethod compression_method;
 *     select (extensions_present) {
 *         case false: struct {};
 *         case true:  Extension extensions<0..2^16-1>;
 *     };
 * } ServerHello;                                      RFC 5246 7.4.1.3
 */
int lt_parse_server_hello(const uint8_t *body, size_t len, lt_server_hello *out)
{
    memset(out, 0, sizeof(*out));
    lt_rd r = lt_rd_init(body, len);
    lt_rd sid;

    LT_GUARD(lt_rd_u16(&r, &out->server_version));
    LT_GUARD(lt_rd_copy(&r, out->random, LT_RANDOM_LEN));
    LT_GUARD(lt_rd_vec(&r, 1, 0, LT_MAX_SESSION_ID, &sid));
    out->session_id_len = (uint8_t)lt_rd_left(&sid);
    LT_GUARD(lt_rd_copy(&sid, out->session_id, out->session_id_len));
    LT_GUARD(lt_rd_u16(&r, &out->cipher_suite));
    LT_GUARD(lt_rd_u8(&r, &out->compression_method));
    return parse_extensions(&r, server_hello_ext, out);
}

/* ------------------------------------------------------------------------ */
/* Certificate                                                               */

/*
 * opaque ASN.1Cert<1..2^24-1>;
 * struct { ASN.1Cert certificate_list<0..2^24-1>; } Certificate;
 *                                                     RFC 5246 7.4.2
 * The whole list is decoded before the chain length is judged, so a
 * malformed message is always LT_ERR_DECODE, and only a well-formed but too
 * long chain is LT_ERR_BAD_CERTIFICATE.
 */
int lt_parse_certificate(const uint8_t *body, size_t len, lt_certificate_msg *out)
{
    memset(out, 0, sizeof(*out));
    lt_rd r = lt_rd_init(body, len);
    lt_rd list;
    LT_GUARD(lt_rd_vec(&r, 3, 0, 0xFFFFFF, &list));
    LT_GUARD(lt_rd_done(&r));

    size_t n = 0;
    while (lt_rd_left(&list) > 0) {
        lt_rd cert;
        LT_GUARD(lt_rd_vec(&list, 3, 1, 0xFFFFFF, &cert));
        if (n < LT_MAX_PEER_CHAIN) {
            out->der[n] = cert.p;
            out->len[n] = cert.len;
        }
        n++;
    }
    out->n_listed = n;
    LT_ENSURE(n <= LT_MAX_PEER_CHAIN, LT_ERR_BAD_CERTIFICATE);
    out->n = n;
    return LT_OK;
}

/* ------------------------------------------------------------------------ */
/* Empty messages, ClientKeyExchange, Finished                               */

/* struct { } ServerHelloDone; (RFC 5246 7.4.5), struct { } HelloRequest;
 * (7.4.1.1). */
int lt_parse_empty(const uint8_t *body, size_t len)
{
    lt_rd r = lt_rd_init(body, len);
    return lt_rd_done(&r);
}

/*
 * struct { public-key-encrypted PreMasterSecret pre_master_secret; }
 *     EncryptedPreMasterSecret;                       RFC 5246 7.4.7.1
 * public-key-encrypted data is a vector (RFC 5246 4.7), so in TLS 1.2 the
 * ciphertext carries a 2-byte length that must cover the rest of the body.
 */
int lt_parse_client_key_exchange_rsa(const uint8_t *body, size_t len, lt_rd *encrypted_pms)
{
    lt_rd r = lt_rd_init(body, len);
    LT_GUARD(lt_rd_vec(&r, 2, 0, 0xFFFF, encrypted_pms));
    return lt_rd_done(&r);
}

/* ------------------------------------------------------------------------ */
/* ECDHE key exchange                                                        */

/* struct { opaque point <1..2^8-1>; } ECPoint;  RFC 8422 5.4 */
static int parse_ec_point(lt_rd *r, lt_rd *point)
{
    return lt_rd_vec(r, 1, 1, 0xFF, point);
}

/*
 * struct {
 *     ECParameters curve_params;     ECCurveType curve_type; NamedCurve namedcurve;
 *     ECPoint public;
 * } ServerECDHParams;
 * followed by the digitally-signed signed_params:
 *     SignatureAndHashAlgorithm algorithm; opaque signature<0..2^16-1>;
 *                                   RFC 8422 5.4, RFC 5246 4.7 and 7.4.3
 */
int lt_parse_server_key_exchange_ecdhe(const uint8_t *body, size_t len, lt_server_key_exchange_ecdhe *out)
{
    memset(out, 0, sizeof(*out));
    lt_rd r = lt_rd_init(body, len);
    uint8_t curve_type;
    LT_GUARD(lt_rd_u8(&r, &curve_type));
    /* RFC 8422 5.4 keeps one ECCurveType, named_curve(3); 1 and 2 (the
     * explicit curves) are "deprecated". Any byte is a well-formed
     * ECCurveType, so another value conforms to the syntax but is one we
     * refuse: illegal_parameter ("a field in the handshake was out of range
     * or inconsistent with other fields", RFC 5246 7.2.2; RFC 8446 6.2
     * keeps decode_error for what does not conform to the syntax). It is
     * also what OpenSSL sends. We cannot know how the rest would be laid
     * out, so this is judged before the rest is read. */
    LT_ENSURE(curve_type == LT_EC_CURVE_TYPE_NAMED, LT_ERR_ILLEGAL_PARAMETER);
    LT_GUARD(lt_rd_u16(&r, &out->group));
    LT_GUARD(parse_ec_point(&r, &out->point));
    /* The params are what the parser has consumed so far. */
    out->params = body;
    out->params_len = len - lt_rd_left(&r);
    LT_GUARD(lt_rd_u16(&r, &out->sig_scheme));
    LT_GUARD(lt_rd_vec(&r, 2, 0, 0xFFFF, &out->signature));
    return lt_rd_done(&r);
}

/* struct { ECPoint ecdh_Yc; } ClientECDiffieHellmanPublic;  RFC 8422 5.7 */
int lt_parse_client_key_exchange_ecdhe(const uint8_t *body, size_t len, lt_rd *point)
{
    lt_rd r = lt_rd_init(body, len);
    LT_GUARD(parse_ec_point(&r, point));
    return lt_rd_done(&r);
}

/* struct { opaque verify_data[verify_data_length]; } Finished;
 *                                                     RFC 5246 7.4.9 */
int lt_parse_finished(const uint8_t *body, size_t len, uint8_t verify_data[LT_FINISHED_LEN])
{
    lt_rd r = lt_rd_init(body, len);
    LT_GUARD(lt_rd_copy(&r, verify_data, LT_FINISHED_LEN));
    return lt_rd_done(&r);
}

int lt_parse_certificate_request(const uint8_t *body, size_t len, lt_certificate_request *out)
{
    lt_rd r = lt_rd_init(body, len);
    lt_rd authorities;
    memset(out, 0, sizeof *out);
    LT_GUARD(lt_rd_vec(&r, 1, 1, 255, &out->types));
    /* supported_signature_algorithms<2^16-1>: pairs of bytes. RFC 5246 gives
     * no minimum here; an empty list is odd but parses. */
    LT_GUARD(lt_rd_vec(&r, 2, 0, 65535, &out->sigalgs));
    LT_ENSURE(lt_rd_left(&out->sigalgs) % 2 == 0, LT_ERR_DECODE);
    LT_GUARD(lt_rd_vec(&r, 2, 0, 65535, &authorities));
    while (lt_rd_left(&authorities) > 0) {
        lt_rd dn;
        LT_GUARD(lt_rd_vec(&authorities, 2, 1, 65535, &dn));
        out->n_authorities++;
    }
    return lt_rd_done(&r);
}

/* ------------------------------------------------------------------------ */
/* Writers                                                                   */

/* Marks the writer failed: used for parameters that would produce a message
 * that our own parser (and any peer) would reject. Keeps the first error. */
static void wr_fail(lt_wr *w)
{
    if (w->err == LT_OK) {
        w->err = LT_ERR_INTERNAL;
    }
}

size_t lt_hs_begin(lt_wr *w, uint8_t hs_type)
{
    /* RFC 5246 7.4: HandshakeType msg_type; uint24 length; */
    lt_wr_u8(w, hs_type);
    return lt_wr_open_vec(w, 3);
}

void lt_hs_end(lt_wr *w, size_t mark)
{
    lt_wr_close_vec(w, mark, 3);
}

/* Opens one Extension: type, then a 2-byte extension_data length. */
static size_t ext_begin(lt_wr *w, uint16_t type)
{
    lt_wr_u16(w, type);
    return lt_wr_open_vec(w, 2);
}

static void ext_end(lt_wr *w, size_t mark)
{
    lt_wr_close_vec(w, mark, 2);
}

/* One extension whose body is a uint16 list with a 2-byte length
 * (supported_groups, signature_algorithms_cert). n >= 1; a list longer
 * than the extension can hold sets the writer's error (lt_wr_close_vec). */
static void write_u16_list_ext(lt_wr *w, uint16_t type, const uint16_t *v, size_t n)
{
    size_t e = ext_begin(w, type);
    size_t list = lt_wr_open_vec(w, 2);
    for (size_t i = 0; i < n; i++) {
        lt_wr_u16(w, v[i]);
    }
    lt_wr_close_vec(w, list, 2);
    ext_end(w, e);
}

/* ec_point_formats = {uncompressed}: RFC 8422 5.1.2 "MAY still be included
 * and contain exactly one value: the uncompressed point format (0)", and 5.2
 * for the server, which "MUST contain the value 0". */
static void write_ec_point_formats(lt_wr *w)
{
    size_t e = ext_begin(w, LT_EXT_EC_POINT_FORMATS);
    lt_wr_u8(w, 1);
    lt_wr_u8(w, LT_EC_POINT_UNCOMPRESSED);
    ext_end(w, e);
}

void lt_write_client_hello(lt_wr *w, const lt_client_hello_params *p)
{
    size_t sni_len = p->sni != NULL ? strlen(p->sni) : 0;
    /* We would send a HostName our own parser rejects (RFC 6066 3:
     * HostName<1..2^16-1>; a DNS name is at most 255 bytes). */
    if (p->random == NULL || (p->sni != NULL && (sni_len == 0 || sni_len > LT_MAX_HOSTNAME)) ||
        (p->n_suites == 0 && !p->add_scsv && !p->fallback_scsv) || (p->n_suites > 0 && p->suites == NULL) ||
        (p->n_sigalgs > 0 && p->sigalgs == NULL) || (p->n_groups > 0 && p->groups == NULL) ||
        (p->n_sigalgs_cert > 0 && p->sigalgs_cert == NULL)) {
        wr_fail(w);
        return;
    }

    size_t msg = lt_hs_begin(w, LT_HS_CLIENT_HELLO);
    lt_wr_u16(w, p->client_version);
    lt_wr_bytes(w, p->random, LT_RANDOM_LEN);
    lt_wr_u8(w, 0); /* session_id: empty, we do not resume yet */

    size_t suites = lt_wr_open_vec(w, 2);
    for (size_t i = 0; i < p->n_suites; i++) {
        lt_wr_u16(w, p->suites[i]);
    }
    if (p->add_scsv) {
        lt_wr_u16(w, LT_SCSV_RENEGOTIATION);
    }
    if (p->fallback_scsv) {
        /* RFC 7507 4: a client retrying with a lower version than it
         * supports SHOULD include TLS_FALLBACK_SCSV. */
        lt_wr_u16(w, LT_SCSV_FALLBACK);
    }
    lt_wr_close_vec(w, suites, 2);

    /* compression_methods: {null}. RFC 5246 7.4.1.2: "this vector MUST
     * contain, and all implementations MUST support, CompressionMethod.null". */
    lt_wr_u8(w, 1);
    lt_wr_u8(w, 0);

    /* RFC 5246 7.4.1.2 allows the block to be absent; we omit it when empty,
     * which every server accepts. */
    int any = p->sni != NULL || p->ems || p->reneg_info || p->n_sigalgs > 0 || p->n_groups > 0 || p->ec_point_formats ||
              p->etm || p->n_sigalgs_cert > 0;
    if (any) {
        size_t exts = lt_wr_open_vec(w, 2);
        if (p->sni != NULL) {
            size_t e = ext_begin(w, LT_EXT_SERVER_NAME);
            size_t list = lt_wr_open_vec(w, 2);
            lt_wr_u8(w, LT_NAME_TYPE_HOST_NAME);
            size_t name = lt_wr_open_vec(w, 2);
            lt_wr_bytes(w, p->sni, sni_len);
            lt_wr_close_vec(w, name, 2);
            lt_wr_close_vec(w, list, 2);
            ext_end(w, e);
        }
        if (p->ems) {
            size_t e = ext_begin(w, LT_EXT_EXTENDED_MASTER_SECRET);
            ext_end(w, e);
        }
        if (p->reneg_info) {
            /* RFC 5746 3.4: on an initial handshake the client sends an empty
             * renegotiated_connection. */
            size_t e = ext_begin(w, LT_EXT_RENEGOTIATION_INFO);
            lt_wr_u8(w, 0);
            ext_end(w, e);
        }
        if (p->n_sigalgs > 0) {
            size_t e = ext_begin(w, LT_EXT_SIGNATURE_ALGORITHMS);
            size_t list = lt_wr_open_vec(w, 2);
            for (size_t i = 0; i < p->n_sigalgs; i++) {
                lt_wr_u16(w, p->sigalgs[i]);
            }
            lt_wr_close_vec(w, list, 2);
            ext_end(w, e);
        }
        if (p->n_groups > 0) {
            write_u16_list_ext(w, LT_EXT_SUPPORTED_GROUPS, p->groups, p->n_groups);
        }
        if (p->ec_point_formats) {
            write_ec_point_formats(w);
        }
        if (p->n_sigalgs_cert > 0) {
            write_u16_list_ext(w, LT_EXT_SIGNATURE_ALGORITHMS_CERT, p->sigalgs_cert, p->n_sigalgs_cert);
        }
        if (p->etm) {
            size_t e = ext_begin(w, LT_EXT_ENCRYPT_THEN_MAC);
            ext_end(w, e);
        }
        lt_wr_close_vec(w, exts, 2);
    }
    lt_hs_end(w, msg);
}

void lt_write_server_hello(lt_wr *w, const lt_server_hello_params *p)
{
    if (p->random == NULL || p->session_id_len > LT_MAX_SESSION_ID ||
        (p->session_id_len > 0 && p->session_id == NULL)) {
        wr_fail(w);
        return;
    }
    size_t msg = lt_hs_begin(w, LT_HS_SERVER_HELLO);
    lt_wr_u16(w, p->server_version);
    lt_wr_bytes(w, p->random, LT_RANDOM_LEN);
    lt_wr_u8(w, p->session_id_len);
    lt_wr_bytes(w, p->session_id, p->session_id_len);
    lt_wr_u16(w, p->cipher_suite);
    lt_wr_u8(w, 0); /* compression_method: null */

    int any = p->reneg_info || p->ems || p->sni_ack || p->etm || p->ec_point_formats;
    if (any) {
        size_t exts = lt_wr_open_vec(w, 2);
        if (p->reneg_info) {
            /* RFC 5746 3.6: on an initial handshake the server sends an empty
             * renegotiated_connection. */
            size_t e = ext_begin(w, LT_EXT_RENEGOTIATION_INFO);
            lt_wr_u8(w, 0);
            ext_end(w, e);
        }
        if (p->ems) {
            size_t e = ext_begin(w, LT_EXT_EXTENDED_MASTER_SECRET);
            ext_end(w, e);
        }
        if (p->sni_ack) {
            size_t e = ext_begin(w, LT_EXT_SERVER_NAME);
            ext_end(w, e);
        }
        if (p->ec_point_formats) {
            write_ec_point_formats(w);
        }
        if (p->etm) {
            /* RFC 7366 2: the server's extension_data is empty too. */
            size_t e = ext_begin(w, LT_EXT_ENCRYPT_THEN_MAC);
            ext_end(w, e);
        }
        lt_wr_close_vec(w, exts, 2);
    }
    lt_hs_end(w, msg);
}

void lt_write_certificate(lt_wr *w, const uint8_t *const *der, const size_t *len, size_t n)
{
    size_t msg = lt_hs_begin(w, LT_HS_CERTIFICATE);
    size_t list = lt_wr_open_vec(w, 3);
    for (size_t i = 0; i < n; i++) {
        /* ASN.1Cert<1..2^24-1>: an empty entry is not encodable. */
        if (len[i] == 0 || der[i] == NULL) {
            wr_fail(w);
            return;
        }
        size_t cert = lt_wr_open_vec(w, 3);
        lt_wr_bytes(w, der[i], len[i]);
        lt_wr_close_vec(w, cert, 3);
    }
    lt_wr_close_vec(w, list, 3);
    lt_hs_end(w, msg);
}

void lt_write_empty(lt_wr *w, uint8_t hs_type)
{
    size_t msg = lt_hs_begin(w, hs_type);
    lt_hs_end(w, msg);
}

void lt_write_client_key_exchange_rsa(lt_wr *w, const uint8_t *enc, size_t enc_len)
{
    size_t msg = lt_hs_begin(w, LT_HS_CLIENT_KEY_EXCHANGE);
    size_t v = lt_wr_open_vec(w, 2);
    lt_wr_bytes(w, enc, enc_len);
    lt_wr_close_vec(w, v, 2);
    lt_hs_end(w, msg);
}

void lt_write_finished(lt_wr *w, const uint8_t verify_data[LT_FINISHED_LEN])
{
    size_t msg = lt_hs_begin(w, LT_HS_FINISHED);
    lt_wr_bytes(w, verify_data, LT_FINISHED_LEN);
    lt_hs_end(w, msg);
}

/* ServerECDHParams: curve_type, namedcurve, then ECPoint (RFC 8422 5.4). */
size_t lt_write_server_key_exchange_ecdhe_params(lt_wr *w, uint16_t group, const uint8_t *point, size_t point_len)
{
    size_t msg = lt_hs_begin(w, LT_HS_SERVER_KEY_EXCHANGE);
    /* ECPoint.point<1..2^8-1>: an empty or longer point is not encodable. */
    if (point == NULL || point_len == 0 || point_len > 0xFF) {
        wr_fail(w);
        return msg;
    }
    lt_wr_u8(w, LT_EC_CURVE_TYPE_NAMED);
    lt_wr_u16(w, group);
    lt_wr_u8(w, (uint8_t)point_len);
    lt_wr_bytes(w, point, point_len);
    return msg;
}

const uint8_t *lt_server_key_exchange_params(const lt_wr *w, size_t mark, size_t *params_len)
{
    /* The body starts after the 3-byte length that lt_hs_begin opened at
     * `mark`; the params are everything written since. */
    if (w->err != LT_OK || mark + 3 > w->off) {
        *params_len = 0;
        return NULL;
    }
    *params_len = w->off - (mark + 3);
    return w->base + mark + 3;
}

/* digitally-signed: SignatureAndHashAlgorithm, then signature<0..2^16-1>
 * (RFC 5246 4.7). */
void lt_write_server_key_exchange_signature(lt_wr *w, size_t mark, uint16_t sig_scheme, const uint8_t *sig,
                                            size_t sig_len)
{
    if (sig_len > 0 && sig == NULL) {
        wr_fail(w);
        return;
    }
    lt_wr_u16(w, sig_scheme);
    size_t v = lt_wr_open_vec(w, 2);
    lt_wr_bytes(w, sig, sig_len);
    lt_wr_close_vec(w, v, 2);
    lt_hs_end(w, mark);
}

void lt_write_client_key_exchange_ecdhe(lt_wr *w, const uint8_t *point, size_t point_len)
{
    /* ECPoint.point<1..2^8-1> (RFC 8422 5.7 / 5.4). */
    if (point == NULL || point_len == 0 || point_len > 0xFF) {
        wr_fail(w);
        return;
    }
    size_t msg = lt_hs_begin(w, LT_HS_CLIENT_KEY_EXCHANGE);
    lt_wr_u8(w, (uint8_t)point_len);
    lt_wr_bytes(w, point, point_len);
    lt_hs_end(w, msg);
}
