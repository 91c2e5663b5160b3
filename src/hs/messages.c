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
#include "hs/messages_alpn.h"
#include "hs/codec.h"

#include <string.h>

/* RFC 6066 3: host_name(0). */
#define LT_NAME_TYPE_HOST_NAME 0

/* RFC 8446 4.1.3: the random of a HelloRetryRequest is SHA-256 of
 * "HelloRetryRequest". */
const uint8_t LT_HRR_RANDOM[LT_RANDOM_LEN] = {0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D, 0x8C,
                                              0x02, 0x1E, 0x65, 0xB8, 0x91, 0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB,
                                              0x8C, 0x5E, 0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C};
/* RFC 8446 4.1.3: a TLS 1.3 server negotiating TLS 1.2 ends its random with
 * 44 4F 57 4E 47 52 44 01 ("DOWNGRD" 01). */
const uint8_t LT_DOWNGRADE_TLS12[8] = {0x44, 0x4F, 0x57, 0x4E, 0x47, 0x52, 0x44, 0x01};
const uint8_t LT_DOWNGRADE_TLS11[8] = {0x44, 0x4F, 0x57, 0x4E, 0x47, 0x52, 0x44, 0x00};

const char *lt_hs_type_name(uint8_t type)
{
    switch (type) {
    case LT_HS_HELLO_REQUEST: return "HelloRequest";
    case LT_HS_CLIENT_HELLO: return "ClientHello";
    case LT_HS_SERVER_HELLO: return "ServerHello";
    case LT_HS_NEW_SESSION_TICKET: return "NewSessionTicket";
    case LT_HS_END_OF_EARLY_DATA: return "EndOfEarlyData";
    case LT_HS_ENCRYPTED_EXTENSIONS: return "EncryptedExtensions";
    case LT_HS_CERTIFICATE: return "Certificate";
    case LT_HS_SERVER_KEY_EXCHANGE: return "ServerKeyExchange";
    case LT_HS_CERTIFICATE_REQUEST: return "CertificateRequest";
    case LT_HS_SERVER_HELLO_DONE: return "ServerHelloDone";
    case LT_HS_CERTIFICATE_VERIFY: return "CertificateVerify";
    case LT_HS_CLIENT_KEY_EXCHANGE: return "ClientKeyExchange";
    case LT_HS_FINISHED: return "Finished";
    case LT_HS_KEY_UPDATE: return "KeyUpdate";
    case LT_HS_MESSAGE_HASH: return "message_hash";
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

/* A set of uint16 values (ExtensionTypes, NamedGroups): one bit per value,
 * 8 KiB, so a duplicate check over any list stays linear. */
typedef struct u16_set {
    uint64_t w[65536 / 64];
} u16_set;

/* Adds v; returns 1 when it was there already. */
static int u16_set_add(u16_set *set, uint16_t v)
{
    uint64_t bit = (uint64_t)1 << (v & 63);
    int had = (set->w[v >> 6] & bit) != 0;
    set->w[v >> 6] |= bit;
    return had;
}

/*
 * Parses the optional extensions block that ends a hello. RFC 5246 7.4.1.2:
 * "The presence of extensions can be detected by determining whether there
 * are bytes following the compression_methods at the end of the ClientHello"
 * (7.4.1.3 says the same for ServerHello). So no bytes left means no block; a
 * present block must be exactly the rest of the message. *block_out gets
 * the block body (empty when there is none).
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
static int parse_extensions(lt_rd *msg, ext_handler handler, void *out, lt_rd *block_out)
{
    if (lt_rd_left(msg) == 0) {
        return LT_OK;
    }
    lt_rd block;
    LT_GUARD(lt_rd_vec(msg, 2, 0, 0xFFFF, &block));
    LT_GUARD(lt_rd_done(msg));
    *block_out = block;

    /* RFC 5246 7.4.1.4 and RFC 8446 4.2: no type twice, known or not;
     * RFC 5246 names no alert, RFC 8446 4.2 says illegal_parameter for a
     * duplicate in any hello. */
    int duplicate = 0;
    size_t count = 0;
    LT_GUARD(lt_codec_frame_ext_block(block, &duplicate, &count));
    LT_ENSURE(!duplicate, LT_ERR_ILLEGAL_PARAMETER);

    uint16_t type;
    lt_rd data;
    while (lt_ext_next(&block, &type, &data)) {
        LT_GUARD(handler(out, type, &data));
    }
    return LT_OK;
}

int lt_ext_next(lt_rd *exts, uint16_t *type, lt_rd *body)
{
    lt_rd r = *exts;
    if (lt_rd_left(&r) == 0 || lt_rd_u16(&r, type) != LT_OK || lt_rd_vec(&r, 2, 0, 0xFFFF, body) != LT_OK) {
        /* The end, or (never for a block a parser framed) a broken tail:
         * stop either way, and stay stopped. */
        exts->len = 0;
        return 0;
    }
    *exts = r;
    return 1;
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
int lt_codec_u16_list_ext(lt_rd *data, size_t min_len, size_t max_len, lt_rd *list)
{
    LT_GUARD(lt_rd_vec(data, 2, min_len, max_len, list));
    LT_GUARD(lt_rd_done(data));
    LT_ENSURE(lt_rd_left(list) % 2 == 0, LT_ERR_DECODE);
    return LT_OK;
}

int lt_codec_frame_ext_block(lt_rd block, int *duplicate, size_t *count)
{
    u16_set seen;
    memset(&seen, 0, sizeof(seen));
    int dup = 0;
    size_t n = 0;
    while (lt_rd_left(&block) > 0) {
        uint16_t type;
        lt_rd data;
        LT_GUARD(lt_rd_u16(&block, &type));
        LT_GUARD(lt_rd_vec(&block, 2, 0, 0xFFFF, &data));
        dup |= u16_set_add(&seen, type);
        n++;
    }
    *duplicate = dup;
    *count = n;
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
    LT_GUARD(lt_codec_u16_list_ext(data, 2, 0xFFFE, all));
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

/* ------------------------------------------------------------------------ */
/* TLS 1.3 extension bodies (RFC 8446 4.2).                                  */

/* An extension whose extension_data must be empty (early_data in a
 * ClientHello 4.2.10, post_handshake_auth 4.2.6, and the TLS 1.2 ones):
 * anything in it is bad syntax. */
static int parse_empty_ext(const lt_rd *data, int *flag)
{
    LT_GUARD(lt_rd_done(data));
    *flag = 1;
    return LT_OK;
}

/* struct { ProtocolVersion versions<2..254>; } SupportedVersions;
 * in a ClientHello (RFC 8446 4.2.1). Each version is 2 bytes. */
static int parse_client_versions(lt_rd *data, lt_rd *list)
{
    LT_GUARD(lt_rd_vec(data, 1, 2, 254, list));
    LT_GUARD(lt_rd_done(data));
    LT_ENSURE(lt_rd_left(list) % 2 == 0, LT_ERR_DECODE);
    return LT_OK;
}

/* struct { NamedGroup group; opaque key_exchange<1..2^16-1>; }
 * KeyShareEntry;                                      RFC 8446 4.2.8 */
static int read_key_share_entry(lt_rd *r, uint16_t *group, lt_rd *key)
{
    LT_GUARD(lt_rd_u16(r, group));
    return lt_rd_vec(r, 2, 1, 0xFFFF, key);
}

int lt_key_share_next(lt_rd *shares, uint16_t *group, lt_rd *key_exchange)
{
    lt_rd r = *shares;
    if (lt_rd_left(&r) == 0 || read_key_share_entry(&r, group, key_exchange) != LT_OK) {
        shares->len = 0;
        return 0;
    }
    *shares = r;
    return 1;
}

/*
 * struct { KeyShareEntry client_shares<0..2^16-1>; } KeyShareClientHello;
 *                                                     RFC 8446 4.2.8
 * "Clients MUST NOT offer multiple KeyShareEntry values for the same
 * group ... Servers MAY check for violations of these rules and abort the
 * handshake with an "illegal_parameter" alert if one is violated." We do,
 * after the whole list is framed, so bad syntax is always decode_error.
 */
static int parse_client_shares(lt_rd *data, lt_rd *shares, size_t *n_out)
{
    LT_GUARD(lt_rd_vec(data, 2, 0, 0xFFFF, shares));
    LT_GUARD(lt_rd_done(data));
    u16_set groups;
    memset(&groups, 0, sizeof(groups));
    int duplicate = 0;
    size_t n = 0;
    lt_rd r = *shares;
    while (lt_rd_left(&r) > 0) {
        uint16_t group;
        lt_rd key;
        LT_GUARD(read_key_share_entry(&r, &group, &key));
        duplicate |= u16_set_add(&groups, group);
        n++;
    }
    LT_ENSURE(!duplicate, LT_ERR_ILLEGAL_PARAMETER);
    *n_out = n;
    return LT_OK;
}

/* struct { opaque cookie<1..2^16-1>; } Cookie;        RFC 8446 4.2.2 */
static int parse_cookie(lt_rd *data, lt_rd *cookie)
{
    LT_GUARD(lt_rd_vec(data, 2, 1, 0xFFFF, cookie));
    return lt_rd_done(data);
}

/* struct { PskKeyExchangeMode ke_modes<1..255>; } PskKeyExchangeModes;
 *                                                     RFC 8446 4.2.9
 * Modes we do not know are ignored ("Servers MUST NOT select a key
 * exchange mode that is not listed by the client"). */
static int parse_psk_modes(lt_rd *data, lt_rd *modes, int *dhe)
{
    LT_GUARD(lt_rd_vec(data, 1, 1, 255, modes));
    LT_GUARD(lt_rd_done(data));
    *dhe = modes->len > 0 && memchr(modes->p, LT_PSK_DHE_KE, modes->len) != NULL;
    return LT_OK;
}

/* struct { opaque identity<1..2^16-1>; uint32 obfuscated_ticket_age; }
 * PskIdentity;                                        RFC 8446 4.2.11 */
static int read_psk_identity(lt_rd *r, lt_rd *identity, uint32_t *age)
{
    LT_GUARD(lt_rd_vec(r, 2, 1, 0xFFFF, identity));
    return lt_rd_u32(r, age);
}

/* opaque PskBinderEntry<32..255>;                     RFC 8446 4.2.11 */
static int read_psk_binder(lt_rd *r, lt_rd *binder)
{
    return lt_rd_vec(r, 1, 32, 255, binder);
}

int lt_psk_identity_next(lt_rd *ids, lt_rd *identity, uint32_t *obfuscated_age)
{
    lt_rd r = *ids;
    if (lt_rd_left(&r) == 0 || read_psk_identity(&r, identity, obfuscated_age) != LT_OK) {
        ids->len = 0;
        return 0;
    }
    *ids = r;
    return 1;
}

int lt_psk_binder_next(lt_rd *binders, lt_rd *binder)
{
    lt_rd r = *binders;
    if (lt_rd_left(&r) == 0 || read_psk_binder(&r, binder) != LT_OK) {
        binders->len = 0;
        return 0;
    }
    *binders = r;
    return 1;
}

/*
 * struct {
 *     PskIdentity identities<7..2^16-1>;
 *     PskBinderEntry binders<33..2^16-1>;
 * } OfferedPsks;                                      RFC 8446 4.2.11
 * Both lists are framed first (decode_error); then a count mismatch is
 * illegal_parameter, as OpenSSL and BoringSSL answer it (4.2.11 says only
 * that the binders are "in the same order as the identities list").
 */
static int parse_offered_psks(lt_rd *data, lt_client_hello *ch)
{
    LT_GUARD(lt_rd_vec(data, 2, 7, 0xFFFF, &ch->psk_identities));
    LT_GUARD(lt_rd_vec(data, 2, 33, 0xFFFF, &ch->psk_binders));
    LT_GUARD(lt_rd_done(data));
    size_t n_ids = 0, n_binders = 0;
    lt_rd r = ch->psk_identities;
    while (lt_rd_left(&r) > 0) {
        lt_rd identity;
        uint32_t age;
        LT_GUARD(read_psk_identity(&r, &identity, &age));
        n_ids++;
    }
    r = ch->psk_binders;
    while (lt_rd_left(&r) > 0) {
        lt_rd binder;
        LT_GUARD(read_psk_binder(&r, &binder));
        n_binders++;
    }
    LT_ENSURE(n_ids == n_binders, LT_ERR_ILLEGAL_PARAMETER);
    ch->n_psk_identities = n_ids;
    return LT_OK;
}

/*
 * opaque DistinguishedName<1..2^16-1>;
 * struct { DistinguishedName authorities<3..2^16-1>; } CertificateAuthoritiesExtension;
 *                                                     RFC 8446 4.2.4
 * Only the framing is checked; the names are not used.
 */
int lt_codec_authorities(lt_rd *data, size_t *n_out, lt_rd *list_out)
{
    lt_rd list;
    LT_GUARD(lt_rd_vec(data, 2, 3, 0xFFFF, &list));
    if (list_out != NULL) {
        *list_out = list;
    }
    LT_GUARD(lt_rd_done(data));
    size_t n = 0;
    while (lt_rd_left(&list) > 0) {
        lt_rd dn;
        LT_GUARD(lt_rd_vec(&list, 2, 1, 0xFFFF, &dn));
        n++;
    }
    *n_out = n;
    return LT_OK;
}

static int parse_certificate_authorities(lt_rd *data)
{
    size_t n = 0;
    return lt_codec_authorities(data, &n, NULL);
}

/* The TLS 1.3 extensions of a ClientHello (RFC 8446 4.2); 0 when `type`
 * is not one of them (the caller goes on). */
static int client_hello_ext13(lt_client_hello *ch, uint16_t type, lt_rd *data, int *handled)
{
    *handled = 1;
    switch (type) {
    case LT_EXT_SUPPORTED_VERSIONS: ch->ext_seen |= LT_SEEN_VERSIONS; return parse_client_versions(data, &ch->versions);
    case LT_EXT_KEY_SHARE:
        ch->ext_seen |= LT_SEEN_KEY_SHARE;
        return parse_client_shares(data, &ch->key_shares, &ch->n_key_shares);
    case LT_EXT_COOKIE: ch->ext_seen |= LT_SEEN_COOKIE; return parse_cookie(data, &ch->cookie);
    case LT_EXT_PSK_KEY_EXCHANGE_MODES:
        ch->ext_seen |= LT_SEEN_PSK_MODES;
        return parse_psk_modes(data, &ch->psk_modes, &ch->psk_dhe_ke);
    case LT_EXT_PRE_SHARED_KEY: ch->ext_seen |= LT_SEEN_PSK; return parse_offered_psks(data, ch);
    case LT_EXT_EARLY_DATA:
        /* 4.2.10: in a ClientHello the extension_data is empty. */
        ch->ext_seen |= LT_SEEN_EARLY_DATA;
        return parse_empty_ext(data, &ch->early_data);
    case LT_EXT_POST_HANDSHAKE_AUTH:
        /* 4.2.6: 'The "extension_data" field of the "post_handshake_auth"
         * extension is zero length.' */
        ch->ext_seen |= LT_SEEN_POST_HS_AUTH;
        return parse_empty_ext(data, &ch->post_handshake_auth);
    case LT_EXT_PADDING:
        /* RFC 7685 3: the client MUST fill it with zeros, but a server
         * need not check; we accept any bytes, as OpenSSL does. */
        ch->ext_seen |= LT_SEEN_PADDING;
        return LT_OK;
    case LT_EXT_CERTIFICATE_AUTHORITIES: ch->ext_seen |= LT_SEEN_CAS; return parse_certificate_authorities(data);
    default: *handled = 0; return LT_OK;
    }
}

static int client_hello_ext(void *arg, uint16_t type, lt_rd *data)
{
    lt_client_hello *ch = arg;
    /* RFC 8446 4.2.11: 'The "pre_shared_key" extension MUST be the last
     * extension in the ClientHello ... Servers MUST check that it is the
     * last extension and otherwise fail the handshake with an
     * "illegal_parameter" alert.' */
    LT_ENSURE(!(ch->ext_seen & LT_SEEN_PSK), LT_ERR_ILLEGAL_PARAMETER);
    int handled;
    int rc = client_hello_ext13(ch, type, data, &handled);
    if (handled) {
        return rc;
    }
    switch (type) {
    case LT_EXT_SERVER_NAME: ch->ext_seen |= LT_SEEN_SNI; return parse_server_name_list(data, ch->sni);
    case LT_EXT_SIGNATURE_ALGORITHMS:
        ch->ext_seen |= LT_SEEN_SIGALGS;
        return parse_sigalgs(data, &ch->sigalgs_all, ch->sigalgs, &ch->n_sigalgs);
    case LT_EXT_SIGNATURE_ALGORITHMS_CERT:
        /* RFC 8446 4.2.3: the same SignatureSchemeList as
         * signature_algorithms, <2..2^16-2>. */
        ch->ext_seen |= LT_SEEN_SIGALGS_CERT;
        return lt_codec_u16_list_ext(data, 2, 0xFFFE, &ch->sigalgs_cert);
    case LT_EXT_SUPPORTED_GROUPS:
        /* RFC 8422 5.1.1: NamedCurve named_curve_list<2..2^16-1>; RFC 8446
         * 4.2.7: NamedGroup named_group_list<2..2^16-1>. Even, so at most
         * 2^16-2 in practice. */
        ch->ext_seen |= LT_SEEN_GROUPS;
        return lt_codec_u16_list_ext(data, 2, 0xFFFF, &ch->supported_groups);
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
        /* RFC 7301 3.1: ProtocolName protocol_name_list<2..2^16-1>, each
         * name <1..2^8-1>: all of it checked here (messages_alpn.c). */
        ch->ext_seen |= LT_SEEN_ALPN;
        return lt_alpn_parse_list(data, &ch->alpn, &ch->n_alpn);
    case LT_EXT_SESSION_TICKET:
        /* RFC 5077 3.2: the ticket is the extension_data itself. */
        ch->ext_seen |= LT_SEEN_TICKET;
        ch->session_ticket = *data;
        return LT_OK;
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

    LT_GUARD(parse_extensions(&r, client_hello_ext, out, &out->extensions));
    if (out->ext_seen & LT_SEEN_PSK) {
        /* pre_shared_key is the last extension and binders its last field,
         * so the binders vector (2-byte length and body) ends the body. */
        out->binders_offset = len - 2 - lt_rd_left(&out->psk_binders);
    }
    return LT_OK;
}

/* ------------------------------------------------------------------------ */
/* ServerHello                                                               */

/* 1 for the ExtensionTypes this codec knows (the LT_EXT_* values). */
static int ext_known(uint16_t type)
{
    switch (type) {
    case LT_EXT_SERVER_NAME:
    case LT_EXT_SUPPORTED_GROUPS:
    case LT_EXT_EC_POINT_FORMATS:
    case LT_EXT_SIGNATURE_ALGORITHMS:
    case LT_EXT_ALPN:
    case LT_EXT_PADDING:
    case LT_EXT_ENCRYPT_THEN_MAC:
    case LT_EXT_EXTENDED_MASTER_SECRET:
    case LT_EXT_SESSION_TICKET:
    case LT_EXT_PRE_SHARED_KEY:
    case LT_EXT_EARLY_DATA:
    case LT_EXT_SUPPORTED_VERSIONS:
    case LT_EXT_COOKIE:
    case LT_EXT_PSK_KEY_EXCHANGE_MODES:
    case LT_EXT_CERTIFICATE_AUTHORITIES:
    case LT_EXT_POST_HANDSHAKE_AUTH:
    case LT_EXT_SIGNATURE_ALGORITHMS_CERT:
    case LT_EXT_KEY_SHARE:
    case LT_EXT_RENEGOTIATION_INFO: return 1;
    default: return 0;
    }
}

/* RFC 8446 4.2 (the table), 4.1.3, 4.1.4: a TLS 1.3 ServerHello carries
 * only supported_versions, key_share and pre_shared_key; a
 * HelloRetryRequest only supported_versions, key_share and cookie. Any
 * other extension we know is noted in forbidden_ext (the parser cannot tell
 * the version yet: supported_versions may come later in the block, and a
 * TLS 1.2 ServerHello may carry the TLS 1.2 ones). */
static void note_if_forbidden13(lt_server_hello *sh, uint16_t type)
{
    int allowed = type == LT_EXT_SUPPORTED_VERSIONS || type == LT_EXT_KEY_SHARE ||
                  type == (sh->is_hrr ? LT_EXT_COOKIE : LT_EXT_PRE_SHARED_KEY);
    if (!allowed && ext_known(type) && !sh->has_forbidden_ext) {
        sh->has_forbidden_ext = 1;
        sh->forbidden_ext = type;
    }
}

/*
 * The TLS 1.3 extensions of a ServerHello or HelloRetryRequest (RFC 8446
 * 4.1.3, 4.1.4); *handled = 0 when `type` is not one of them.
 *   supported_versions: ProtocolVersion selected_version (4.2.1)
 *   key_share: KeyShareEntry server_share, or in a HelloRetryRequest
 *              NamedGroup selected_group (4.2.8)
 *   cookie: opaque cookie<1..2^16-1> (4.2.2; HelloRetryRequest only)
 *   pre_shared_key: uint16 selected_identity (4.2.11; ServerHello only)
 * Each body must be exactly that. A cookie in a ServerHello or a
 * pre_shared_key in a HelloRetryRequest parses, sets its ext_seen bit and
 * forbidden_ext: the state machine answers illegal_parameter.
 */
static int server_hello_ext13(lt_server_hello *sh, uint16_t type, lt_rd *data, int *handled)
{
    *handled = 1;
    switch (type) {
    case LT_EXT_SUPPORTED_VERSIONS:
        sh->ext_seen |= LT_SEEN_VERSIONS;
        LT_GUARD(lt_rd_u16(data, &sh->selected_version));
        return lt_rd_done(data);
    case LT_EXT_KEY_SHARE:
        sh->ext_seen |= LT_SEEN_KEY_SHARE;
        if (sh->is_hrr) {
            LT_GUARD(lt_rd_u16(data, &sh->key_share_group));
        } else {
            LT_GUARD(read_key_share_entry(data, &sh->key_share_group, &sh->key_share_key));
        }
        return lt_rd_done(data);
    case LT_EXT_COOKIE: sh->ext_seen |= LT_SEEN_COOKIE; return parse_cookie(data, &sh->cookie);
    case LT_EXT_PRE_SHARED_KEY:
        sh->ext_seen |= LT_SEEN_PSK;
        LT_GUARD(lt_rd_u16(data, &sh->psk_identity));
        return lt_rd_done(data);
    default: *handled = 0; return LT_OK;
    }
}

static int server_hello_ext(void *arg, uint16_t type, lt_rd *data)
{
    lt_server_hello *sh = arg;
    note_if_forbidden13(sh, type);
    int handled;
    int rc = server_hello_ext13(sh, type, data, &handled);
    if (handled) {
        return rc;
    }
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
        return parse_empty_ext(data, &sh->sni_ack);
    case LT_EXT_ALPN:
        /* RFC 7301 3.1: the server's list holds exactly one name. */
        sh->ext_seen |= LT_SEEN_ALPN;
        return lt_alpn_parse_selected(data, &sh->alpn);
    case LT_EXT_SESSION_TICKET:
        /* RFC 5077 3.2: the server's "SessionTicket extension ... with empty
         * extension_data". */
        sh->ext_seen |= LT_SEEN_TICKET;
        return parse_empty_ext(data, &sh->session_ticket);
    case LT_EXT_EC_POINT_FORMATS:
        /* RFC 8422 5.2: the same ECPointFormatList as the client's. */
        sh->ext_seen |= LT_SEEN_POINT_FORMATS;
        return parse_ec_point_formats(data, &sh->ec_point_formats, &sh->has_uncompressed_point);
    case LT_EXT_ENCRYPT_THEN_MAC:
        /* RFC 7366 2: the extension_data is empty in both hellos. */
        sh->ext_seen |= LT_SEEN_ETM;
        return parse_empty_ext(data, &sh->encrypt_then_mac);
    default:
        /* RFC 5246 7.4.1.4: a client that gets an extension it did not offer
         * "MUST abort the handshake with an unsupported_extension fatal
         * alert". That is the state machine's call; we report the type. This
         * includes signature_algorithms, which "Servers MUST NOT send"
         * (7.4.1.4.1), and the TLS 1.3 extensions no ServerHello carries
         * (RFC 8446 4.2: early_data, psk_key_exchange_modes, ...). */
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
    /* RFC 8446 4.1.3: a HelloRetryRequest is a ServerHello with this
     * random; its extensions differ (key_share is a bare group). */
    out->is_hrr = memcmp(out->random, LT_HRR_RANDOM, LT_RANDOM_LEN) == 0;
    LT_GUARD(lt_rd_vec(&r, 1, 0, LT_MAX_SESSION_ID, &sid));
    out->session_id_len = (uint8_t)lt_rd_left(&sid);
    LT_GUARD(lt_rd_copy(&sid, out->session_id, out->session_id_len));
    LT_GUARD(lt_rd_u16(&r, &out->cipher_suite));
    LT_GUARD(lt_rd_u8(&r, &out->compression_method));
    lt_rd block;
    return parse_extensions(&r, server_hello_ext, out, &block);
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
    out->authorities = authorities;
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
size_t lt_codec_ext_begin(lt_wr *w, uint16_t type)
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
    size_t e = lt_codec_ext_begin(w, type);
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
    size_t e = lt_codec_ext_begin(w, LT_EXT_EC_POINT_FORMATS);
    lt_wr_u8(w, 1);
    lt_wr_u8(w, LT_EC_POINT_UNCOMPRESSED);
    ext_end(w, e);
}

/* The key shares would not parse: an entry without a key, a key over
 * key_exchange<1..2^16-1>, or a group twice (RFC 8446 4.2.8). */
static int bad_key_shares(const lt_client_hello_params *p)
{
    if (p->n_key_shares == 0) {
        return 0;
    }
    if (p->key_share_groups == NULL || p->key_share_keys == NULL || p->key_share_lens == NULL) {
        return 1;
    }
    u16_set groups;
    memset(&groups, 0, sizeof(groups));
    for (size_t i = 0; i < p->n_key_shares; i++) {
        if (p->key_share_keys[i] == NULL || p->key_share_lens[i] == 0 || p->key_share_lens[i] > 0xFFFF ||
            u16_set_add(&groups, p->key_share_groups[i])) {
            return 1;
        }
    }
    return 0;
}

/* The PSKs would not parse, or break a MUST: an empty or missing identity,
 * a binder outside PskBinderEntry<32..255>, or no psk_key_exchange_modes
 * (RFC 8446 4.2.9: "A client MUST provide a "psk_key_exchange_modes"
 * extension if it offers a "pre_shared_key" extension"). */
static int bad_psks(const lt_client_hello_params *p)
{
    if (p->n_psks == 0) {
        return 0;
    }
    if (p->psk_identities == NULL || p->psk_identity_lens == NULL || p->psk_obfuscated_ages == NULL ||
        p->binder_len < 32 || p->binder_len > 255 || !p->psk_modes_dhe) {
        return 1;
    }
    for (size_t i = 0; i < p->n_psks; i++) {
        if (p->psk_identities[i] == NULL || p->psk_identity_lens[i] == 0 || p->psk_identity_lens[i] > 0xFFFF) {
            return 1;
        }
    }
    return 0;
}

/* Parameters from which our own parser (and any peer) could only get a
 * malformed ClientHello. */
static int bad_client_hello_params(const lt_client_hello_params *p)
{
    size_t sni_len = p->sni != NULL ? strlen(p->sni) : 0;
    /* RFC 6066 3: HostName<1..2^16-1>; a DNS name is at most 255 bytes. */
    return p->random == NULL || (p->sni != NULL && (sni_len == 0 || sni_len > LT_MAX_HOSTNAME)) ||
           (p->n_suites == 0 && !p->add_scsv && !p->fallback_scsv) || (p->n_suites > 0 && p->suites == NULL) ||
           (p->n_sigalgs > 0 && p->sigalgs == NULL) || (p->n_groups > 0 && p->groups == NULL) ||
           (p->n_sigalgs_cert > 0 && p->sigalgs_cert == NULL) || p->session_id_len > LT_MAX_SESSION_ID ||
           (p->session_id_len > 0 && p->session_id == NULL) || (p->n_versions > 0 && p->versions == NULL) ||
           p->n_versions > 127 /* versions<2..254> */ ||
           (p->cookie != NULL && (p->cookie_len == 0 || p->cookie_len > 0xFFFF)) ||
           (p->cookie == NULL && p->cookie_len > 0) || bad_key_shares(p) || bad_psks(p) ||
           (p->alpn_len > 0 && (p->alpn == NULL || p->alpn_len < 2 || p->alpn_len > 0xFFFF));
}

/* The extensions of a TLS 1.2 ClientHello (and those a TLS 1.3 one
 * shares with it). */
static void write_client_hello_ext12(lt_wr *w, const lt_client_hello_params *p)
{
    if (p->sni != NULL) {
        size_t e = lt_codec_ext_begin(w, LT_EXT_SERVER_NAME);
        size_t list = lt_wr_open_vec(w, 2);
        lt_wr_u8(w, LT_NAME_TYPE_HOST_NAME);
        size_t name = lt_wr_open_vec(w, 2);
        lt_wr_bytes(w, p->sni, strlen(p->sni));
        lt_wr_close_vec(w, name, 2);
        lt_wr_close_vec(w, list, 2);
        ext_end(w, e);
    }
    if (p->ems) {
        size_t e = lt_codec_ext_begin(w, LT_EXT_EXTENDED_MASTER_SECRET);
        ext_end(w, e);
    }
    if (p->reneg_info) {
        /* RFC 5746 3.4: on an initial handshake the client sends an empty
         * renegotiated_connection. */
        size_t e = lt_codec_ext_begin(w, LT_EXT_RENEGOTIATION_INFO);
        lt_wr_u8(w, 0);
        ext_end(w, e);
    }
    if (p->n_sigalgs > 0) {
        write_u16_list_ext(w, LT_EXT_SIGNATURE_ALGORITHMS, p->sigalgs, p->n_sigalgs);
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
        size_t e = lt_codec_ext_begin(w, LT_EXT_ENCRYPT_THEN_MAC);
        ext_end(w, e);
    }
    if (p->session_ticket_ext) {
        /* RFC 5077 3.2: the ticket, or nothing, as the extension_data. */
        size_t e = lt_codec_ext_begin(w, LT_EXT_SESSION_TICKET);
        lt_wr_bytes(w, p->session_ticket, p->session_ticket_len);
        ext_end(w, e);
    }
    if (p->alpn_len > 0) {
        lt_alpn_write_list_ext(w, p->alpn, p->alpn_len);
    }
}

/* key_share: KeyShareEntry client_shares<0..2^16-1> (RFC 8446 4.2.8). */
/* struct { opaque cookie<1..2^16-1>; } Cookie;  RFC 8446 4.2.2 (the same
 * in a HelloRetryRequest and the ClientHello2 that echoes it). */
static void write_cookie_ext(lt_wr *w, const uint8_t *cookie, size_t len)
{
    size_t e = lt_codec_ext_begin(w, LT_EXT_COOKIE);
    size_t c = lt_wr_open_vec(w, 2);
    lt_wr_bytes(w, cookie, len);
    lt_wr_close_vec(w, c, 2);
    ext_end(w, e);
}

static void write_client_shares(lt_wr *w, const lt_client_hello_params *p)
{
    size_t e = lt_codec_ext_begin(w, LT_EXT_KEY_SHARE);
    size_t list = lt_wr_open_vec(w, 2);
    for (size_t i = 0; i < p->n_key_shares; i++) {
        lt_wr_u16(w, p->key_share_groups[i]);
        size_t key = lt_wr_open_vec(w, 2);
        lt_wr_bytes(w, p->key_share_keys[i], p->key_share_lens[i]);
        lt_wr_close_vec(w, key, 2);
    }
    lt_wr_close_vec(w, list, 2);
    ext_end(w, e);
}

/* pre_shared_key: OfferedPsks (RFC 8446 4.2.11), with every binder written
 * as binder_len zeros, to be patched with lt_patch_binder once the
 * truncated ClientHello can be hashed (4.2.11.2: its lengths are already
 * those of the final message). Returns the offset of the binders vector
 * from `msg_start`. */
static size_t write_offered_psks(lt_wr *w, const lt_client_hello_params *p, size_t msg_start)
{
    size_t e = lt_codec_ext_begin(w, LT_EXT_PRE_SHARED_KEY);
    size_t ids = lt_wr_open_vec(w, 2);
    for (size_t i = 0; i < p->n_psks; i++) {
        size_t id = lt_wr_open_vec(w, 2);
        lt_wr_bytes(w, p->psk_identities[i], p->psk_identity_lens[i]);
        lt_wr_close_vec(w, id, 2);
        lt_wr_u32(w, p->psk_obfuscated_ages[i]);
    }
    lt_wr_close_vec(w, ids, 2);
    size_t binders_offset = w->off - msg_start;
    size_t binders = lt_wr_open_vec(w, 2);
    for (size_t i = 0; i < p->n_psks; i++) {
        lt_wr_u8(w, (uint8_t)p->binder_len);
        uint8_t *zeros = lt_wr_reserve(w, p->binder_len);
        if (zeros != NULL) {
            memset(zeros, 0, p->binder_len);
        }
    }
    lt_wr_close_vec(w, binders, 2);
    ext_end(w, e);
    return binders_offset;
}

/* The TLS 1.3 extensions (RFC 8446 4.2), pre_shared_key last (4.2.11:
 * "MUST be the last extension in the ClientHello"). */
static void write_client_hello_ext13(lt_wr *w, const lt_client_hello_params *p, size_t msg_start)
{
    if (p->n_versions > 0) {
        /* 4.2.1: ProtocolVersion versions<2..254>. */
        size_t e = lt_codec_ext_begin(w, LT_EXT_SUPPORTED_VERSIONS);
        size_t list = lt_wr_open_vec(w, 1);
        for (size_t i = 0; i < p->n_versions; i++) {
            lt_wr_u16(w, p->versions[i]);
        }
        lt_wr_close_vec(w, list, 1);
        ext_end(w, e);
    }
    if (p->key_share_ext || p->n_key_shares > 0) {
        write_client_shares(w, p);
    }
    if (p->cookie != NULL) {
        /* 4.2.2: the cookie of a HelloRetryRequest, echoed. */
        write_cookie_ext(w, p->cookie, p->cookie_len);
    }
    if (p->psk_modes_dhe) {
        /* 4.2.9: ke_modes<1..255> = {psk_dhe_ke}. */
        size_t e = lt_codec_ext_begin(w, LT_EXT_PSK_KEY_EXCHANGE_MODES);
        lt_wr_u8(w, 1);
        lt_wr_u8(w, LT_PSK_DHE_KE);
        ext_end(w, e);
    }
    if (p->n_psks > 0) {
        size_t off = write_offered_psks(w, p, msg_start);
        if (p->binders_offset_out != NULL) {
            *p->binders_offset_out = off;
        }
    }
}

void lt_write_client_hello(lt_wr *w, const lt_client_hello_params *p)
{
    if (p->binders_offset_out != NULL) {
        *p->binders_offset_out = 0;
    }
    if (bad_client_hello_params(p)) {
        wr_fail(w);
        return;
    }

    size_t msg_start = w->off;
    size_t msg = lt_hs_begin(w, LT_HS_CLIENT_HELLO);
    lt_wr_u16(w, p->client_version);
    lt_wr_bytes(w, p->random, LT_RANDOM_LEN);
    /* legacy_session_id: empty for TLS 1.2 (we do not resume), 32 random
     * bytes in TLS 1.3 compatibility mode (RFC 8446 D.4). */
    lt_wr_u8(w, p->session_id_len);
    lt_wr_bytes(w, p->session_id, p->session_id_len);

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
              p->etm || p->n_sigalgs_cert > 0 || p->n_versions > 0 || p->key_share_ext || p->n_key_shares > 0 ||
              p->cookie != NULL || p->psk_modes_dhe || p->n_psks > 0 || p->alpn_len > 0 || p->session_ticket_ext;
    if (any) {
        size_t exts = lt_wr_open_vec(w, 2);
        write_client_hello_ext12(w, p);
        write_client_hello_ext13(w, p, msg_start);
        lt_wr_close_vec(w, exts, 2);
    }
    lt_hs_end(w, msg);
}

void lt_patch_binder(uint8_t *msg, size_t binders_offset, size_t binder_len, size_t i, const uint8_t *binder)
{
    /* binders<33..2^16-1>: a 2-byte length, then per entry a 1-byte length
     * and binder_len bytes (every binder has the same length). */
    size_t at = binders_offset + 2 + i * (1 + binder_len) + 1;
    lt_wr w = lt_wr_init(msg + at, binder_len);
    lt_wr_bytes(&w, binder, binder_len);
}

/* A key_share our parser would misread: with a random of LT_HRR_RANDOM the
 * body is a bare selected_group, otherwise a whole KeyShareEntry with a
 * key_exchange<1..2^16-1> (RFC 8446 4.2.8). */
static int bad_server_share(const lt_server_hello_params *p)
{
    if (p->key_share_group == 0 && p->key_share_len == 0) {
        return 0; /* not sent */
    }
    int hrr = memcmp(p->random, LT_HRR_RANDOM, LT_RANDOM_LEN) == 0;
    if (hrr) {
        return p->key_share_len != 0;
    }
    return p->key_share_len == 0 || p->key_share_len > 0xFFFF || p->key_share_key == NULL;
}

static int bad_server_hello_params(const lt_server_hello_params *p)
{
    return p->random == NULL || p->session_id_len > LT_MAX_SESSION_ID ||
           (p->session_id_len > 0 && p->session_id == NULL) || bad_server_share(p) ||
           (p->cookie != NULL && (p->cookie_len == 0 || p->cookie_len > 0xFFFF)) ||
           (p->cookie == NULL && p->cookie_len > 0) || (p->alpn_len > 0 && p->alpn == NULL) ||
           p->alpn_len > LT_MAX_ALPN_NAME;
}

static void write_server_hello_ext12(lt_wr *w, const lt_server_hello_params *p)
{
    if (p->reneg_info) {
        /* RFC 5746 3.6: on an initial handshake the server sends an empty
         * renegotiated_connection. */
        size_t e = lt_codec_ext_begin(w, LT_EXT_RENEGOTIATION_INFO);
        lt_wr_u8(w, 0);
        ext_end(w, e);
    }
    if (p->ems) {
        size_t e = lt_codec_ext_begin(w, LT_EXT_EXTENDED_MASTER_SECRET);
        ext_end(w, e);
    }
    if (p->sni_ack) {
        size_t e = lt_codec_ext_begin(w, LT_EXT_SERVER_NAME);
        ext_end(w, e);
    }
    if (p->ec_point_formats) {
        write_ec_point_formats(w);
    }
    if (p->etm) {
        /* RFC 7366 2: the server's extension_data is empty too. */
        size_t e = lt_codec_ext_begin(w, LT_EXT_ENCRYPT_THEN_MAC);
        ext_end(w, e);
    }
    if (p->session_ticket) {
        size_t e = lt_codec_ext_begin(w, LT_EXT_SESSION_TICKET);
        ext_end(w, e);
    }
    if (p->alpn_len > 0) {
        lt_alpn_write_selected_ext(w, p->alpn, p->alpn_len);
    }
}

/* RFC 8446 4.1.3, 4.1.4: supported_versions, key_share (a KeyShareEntry,
 * or the bare selected_group of a HelloRetryRequest), cookie,
 * pre_shared_key. */
static void write_server_hello_ext13(lt_wr *w, const lt_server_hello_params *p)
{
    if (p->selected_version != 0) {
        size_t e = lt_codec_ext_begin(w, LT_EXT_SUPPORTED_VERSIONS);
        lt_wr_u16(w, p->selected_version);
        ext_end(w, e);
    }
    if (p->key_share_group != 0 || p->key_share_len > 0) {
        size_t e = lt_codec_ext_begin(w, LT_EXT_KEY_SHARE);
        lt_wr_u16(w, p->key_share_group);
        if (p->key_share_len > 0) {
            size_t key = lt_wr_open_vec(w, 2);
            lt_wr_bytes(w, p->key_share_key, p->key_share_len);
            lt_wr_close_vec(w, key, 2);
        }
        ext_end(w, e);
    }
    if (p->cookie != NULL) {
        write_cookie_ext(w, p->cookie, p->cookie_len);
    }
    if (p->psk_selected) {
        size_t e = lt_codec_ext_begin(w, LT_EXT_PRE_SHARED_KEY);
        lt_wr_u16(w, p->psk_identity);
        ext_end(w, e);
    }
}

void lt_write_server_hello(lt_wr *w, const lt_server_hello_params *p)
{
    if (bad_server_hello_params(p)) {
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

    int any = p->reneg_info || p->ems || p->sni_ack || p->etm || p->ec_point_formats || p->selected_version != 0 ||
              p->key_share_group != 0 || p->key_share_len > 0 || p->cookie != NULL || p->psk_selected ||
              p->alpn_len > 0 || p->session_ticket;
    if (any) {
        size_t exts = lt_wr_open_vec(w, 2);
        write_server_hello_ext12(w, p);
        write_server_hello_ext13(w, p);
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
