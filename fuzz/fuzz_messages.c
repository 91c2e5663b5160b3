/*
 * libFuzzer target for the handshake message codec (src/hs/messages.c and
 * src/hs/messages13.c).
 *
 * Input: one selector byte (taken % 19), then a message body (no 4-byte
 * header).
 *   0 ClientHello  1 ServerHello  2 Certificate  3 empty body
 *   4 ClientKeyExchange (RSA)     5 Finished
 *   6 ServerKeyExchange (ECDHE)   7 ClientKeyExchange (ECDHE)
 *   8 CertificateRequest
 *   TLS 1.3: 9 EncryptedExtensions  10 Certificate  11 CertificateRequest
 *   12 CertificateVerify  13 Finished (32 and 48 bytes)
 *   14 NewSessionTicket  15 KeyUpdate
 *   16 certificate_authorities (RFC 8446 4.2.4: the extension body, and the
 *      walk over its names that both CertificateRequests use)
 *   17 TLS 1.2 NewSessionTicket (RFC 5077 3.3)
 *   18 ALPN (RFC 7301 3.1): an extension body, as a client's offer and as a
 *      server's answer; a list that parses is written again, byte for byte
 * (The hellos carry their TLS 1.3 extensions under 0 and 1.)
 * Bytes are handed to the parsers exactly as libFuzzer gives them, so ASan
 * catches any read past the input. When a parse succeeds, the result is
 * checked against the invariants the struct promises, written back through
 * our writer and parsed again: that must succeed and give the same fields.
 * Certificate, both ClientKeyExchanges, Finished and ServerKeyExchange have
 * a single encoding, so their rewrite must equal the input byte for byte;
 * so must CertificateVerify, Finished and KeyUpdate of TLS 1.3, and a TLS
 * 1.3 Certificate or NewSessionTicket without extensions, and the TLS 1.2
 * CertificateRequest. A TLS 1.3 CertificateRequest is written again with
 * our writer (empty context, its schemes and CA names) and must parse to
 * the same lists.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/text.h"
#include "hs/codec.h"
#include "hs/messages13.h"
#include "hs/messages_resume12.h"
#include "hs/messages_alpn.h"
#include "hs/messages_auth.h"

#define CHECK(cond)                                                                                                    \
    do {                                                                                                               \
        if (!(cond)) {                                                                                                 \
            __builtin_trap();                                                                                          \
        }                                                                                                              \
    } while (0)

/* A ClientHello has at most (2^16-2)/2 suites, and no list in an extension
 * is longer; a message at most 2^24-1 bytes but a fuzz input is far
 * smaller. */
static uint16_t g_suites[0x7fff];
static uint16_t g_groups[0x7fff];
static uint16_t g_sigalgs[0x7fff];
static uint16_t g_sigalgs_cert[0x7fff];
static uint8_t g_out[1 << 18];
/* The most KeyShareEntry values (5 bytes at least) and PskIdentity values
 * (7 bytes at least) a 2^16-1 extension holds. */
#define MAX_SHARES (65535 / 5 + 1)
#define MAX_PSKS (65535 / 7 + 1)
static uint16_t g_share_groups[MAX_SHARES];
static const uint8_t *g_share_keys[MAX_SHARES];
static size_t g_share_lens[MAX_SHARES];
static const uint8_t *g_psk_ids[MAX_PSKS];
static size_t g_psk_id_lens[MAX_PSKS];
static uint32_t g_psk_ages[MAX_PSKS];
static const uint8_t *g_binders[MAX_PSKS];
static uint64_t g_seen[65536 / 64];
static uint16_t g_versions[127];

/* The whole of `r` lies inside [base, base + len). */
static int inside(lt_rd r, const uint8_t *base, size_t len)
{
    return r.len == 0 || (r.p >= base && r.p + r.len <= base + len);
}

/* Copies a uint16 list body into out; returns the count. */
static size_t u16_list(lt_rd r, uint16_t *out)
{
    size_t n = 0;
    while (lt_rd_u16(&r, &out[n]) == LT_OK) {
        n++;
    }
    return n;
}

/* A 0 byte (ECPointFormat uncompressed) is in r. */
static int has_zero(lt_rd r)
{
    return r.len > 0 && memchr(r.p, 0, r.len) != NULL;
}

static int same_bytes(lt_rd a, lt_rd b)
{
    return a.len == b.len && (a.len == 0 || memcmp(a.p, b.p, a.len) == 0);
}

/* Writes the message, checks its header and returns the body. */
static const uint8_t *rewritten_body(const lt_wr *w, uint8_t type, size_t *len)
{
    CHECK(lt_wr_finish(w) == LT_OK);
    CHECK(w->off >= 4);
    CHECK(w->base[0] == type);
    size_t n = ((size_t)w->base[1] << 16) | ((size_t)w->base[2] << 8) | w->base[3];
    CHECK(n == w->off - 4);
    *len = n;
    return w->base + 4;
}

/* A list walked with lt_key_share_next: entries are well formed, each key
 * at least 1 byte, no group twice, and there are n of them. */
static void check_key_shares(lt_rd shares, size_t n)
{
    memset(g_seen, 0, sizeof g_seen);
    size_t count = 0;
    uint16_t group;
    lt_rd key;
    while (lt_key_share_next(&shares, &group, &key)) {
        CHECK(lt_rd_left(&key) >= 1);
        uint64_t bit = (uint64_t)1 << (group & 63);
        CHECK((g_seen[group >> 6] & bit) == 0);
        g_seen[group >> 6] |= bit;
        count++;
    }
    CHECK(count == n);
}

/* The TLS 1.3 fields of a parsed ClientHello (RFC 8446 4.2). */
static void check_client_hello13(const lt_client_hello *ch, const uint8_t *body, size_t len)
{
    /* The extensions block ends the body. */
    CHECK(inside(ch->extensions, body, len));
    CHECK(ch->extensions.len == 0 || ch->extensions.p + ch->extensions.len == body + len);
    CHECK(inside(ch->versions, body, len) && inside(ch->key_shares, body, len) && inside(ch->cookie, body, len));
    CHECK(inside(ch->psk_modes, body, len) && inside(ch->psk_identities, body, len));
    CHECK(inside(ch->psk_binders, body, len));
    CHECK(ch->versions.len % 2 == 0 && ch->versions.len <= 254);
    CHECK((ch->versions.len >= 2) == ((ch->ext_seen & LT_SEEN_VERSIONS) != 0));
    check_key_shares(ch->key_shares, ch->n_key_shares);
    CHECK(ch->n_key_shares == 0 || (ch->ext_seen & LT_SEEN_KEY_SHARE));
    CHECK((ch->cookie.len >= 1) == ((ch->ext_seen & LT_SEEN_COOKIE) != 0));
    CHECK((ch->psk_modes.len >= 1) == ((ch->ext_seen & LT_SEEN_PSK_MODES) != 0));
    CHECK(ch->psk_dhe_ke == (ch->psk_modes.len > 0 && memchr(ch->psk_modes.p, LT_PSK_DHE_KE, ch->psk_modes.len)));
    CHECK(ch->early_data == ((ch->ext_seen & LT_SEEN_EARLY_DATA) != 0));
    CHECK(ch->post_handshake_auth == ((ch->ext_seen & LT_SEEN_POST_HS_AUTH) != 0));
    /* Walking the block: the bits we set are the types we saw, and
     * pre_shared_key, when there, is the last one (4.2.11). */
    lt_rd exts = ch->extensions;
    uint16_t type = 0, last = 0;
    lt_rd data;
    size_t count = 0;
    while (lt_ext_next(&exts, &type, &data)) {
        last = type;
        count++;
    }
    if (!(ch->ext_seen & LT_SEEN_PSK)) {
        CHECK(ch->n_psk_identities == 0 && ch->binders_offset == 0);
        return;
    }
    CHECK(count >= 1 && last == LT_EXT_PRE_SHARED_KEY);
    /* binders_offset: the 2-byte length of the binders vector, which ends
     * the body. */
    CHECK(ch->binders_offset + 2 + ch->psk_binders.len == len);
    CHECK(((size_t)body[ch->binders_offset] << 8 | body[ch->binders_offset + 1]) == ch->psk_binders.len);
    CHECK(ch->psk_binders.p == body + ch->binders_offset + 2);
    lt_rd ids = ch->psk_identities, binders = ch->psk_binders, x;
    uint32_t age;
    size_t n_ids = 0, n_binders = 0;
    while (lt_psk_identity_next(&ids, &x, &age)) {
        CHECK(x.len >= 1);
        n_ids++;
    }
    while (lt_psk_binder_next(&binders, &x)) {
        CHECK(x.len >= 32 && x.len <= 255);
        n_binders++;
    }
    CHECK(n_ids == ch->n_psk_identities && n_binders == n_ids && n_ids >= 1);
}

/* The TLS 1.3 parameters to write ch back. PSKs only when psk_dhe_ke is
 * offered (the writer insists, 4.2.9) and every binder has one length (the
 * writer has one binder_len); returns 1 when they are written. */
static int client_hello13_params(const lt_client_hello *ch, lt_client_hello_params *p, size_t *binders_offset)
{
    p->session_id = ch->session_id;
    p->session_id_len = ch->session_id_len;
    p->n_versions = u16_list(ch->versions, g_versions);
    p->versions = p->n_versions > 0 ? g_versions : NULL;
    lt_rd shares = ch->key_shares, key;
    size_t n = 0;
    while (lt_key_share_next(&shares, &g_share_groups[n], &key)) {
        g_share_keys[n] = key.p;
        g_share_lens[n] = key.len;
        n++;
    }
    p->key_share_groups = g_share_groups;
    p->key_share_keys = g_share_keys;
    p->key_share_lens = g_share_lens;
    p->n_key_shares = n;
    p->key_share_ext = (ch->ext_seen & LT_SEEN_KEY_SHARE) != 0;
    p->cookie = ch->cookie.len > 0 ? ch->cookie.p : NULL;
    p->cookie_len = ch->cookie.len;
    p->psk_modes_dhe = ch->psk_dhe_ke;
    if (!(ch->ext_seen & LT_SEEN_PSK) || !ch->psk_dhe_ke) {
        return 0;
    }
    lt_rd ids = ch->psk_identities, binders = ch->psk_binders, x;
    n = 0;
    while (lt_psk_identity_next(&ids, &x, &g_psk_ages[n])) {
        g_psk_ids[n] = x.p;
        g_psk_id_lens[n] = x.len;
        n++;
    }
    size_t i = 0, binder_len = 0;
    while (lt_psk_binder_next(&binders, &x)) {
        if (i > 0 && x.len != binder_len) {
            return 0;
        }
        binder_len = x.len;
        g_binders[i++] = x.p;
    }
    p->psk_identities = g_psk_ids;
    p->psk_identity_lens = g_psk_id_lens;
    p->psk_obfuscated_ages = g_psk_ages;
    p->n_psks = n;
    p->binder_len = binder_len;
    p->binders_offset_out = binders_offset;
    return 1;
}

/* The rewrite of ch (with its binders patched in) carries the same TLS 1.3
 * fields. */
static void check_client_hello13_again(const lt_client_hello *ch, const lt_client_hello *again, int psks,
                                       size_t binders_offset)
{
    CHECK(again->session_id_len == ch->session_id_len);
    CHECK(memcmp(again->session_id, ch->session_id, ch->session_id_len) == 0);
    CHECK(same_bytes(again->versions, ch->versions));
    CHECK(same_bytes(again->key_shares, ch->key_shares));
    CHECK(again->n_key_shares == ch->n_key_shares);
    CHECK(same_bytes(again->cookie, ch->cookie));
    CHECK(again->psk_dhe_ke == ch->psk_dhe_ke);
    CHECK(again->psk_modes.len == (ch->psk_dhe_ke ? 1u : 0u));
    if (psks) {
        CHECK(same_bytes(again->psk_identities, ch->psk_identities));
        CHECK(same_bytes(again->psk_binders, ch->psk_binders));
        CHECK(again->n_psk_identities == ch->n_psk_identities);
        CHECK(binders_offset == again->binders_offset + 4);
    } else {
        CHECK(!(again->ext_seen & LT_SEEN_PSK));
    }
}

static void fuzz_client_hello(const uint8_t *body, size_t len)
{
    lt_client_hello ch;
    if (lt_parse_client_hello(body, len, &ch) != LT_OK) {
        return;
    }
    size_t n_suites = lt_rd_left(&ch.suites) / 2;
    CHECK(lt_rd_left(&ch.suites) % 2 == 0 && n_suites >= 1);
    CHECK(lt_rd_left(&ch.compressions) >= 1);
    CHECK(ch.session_id_len <= LT_MAX_SESSION_ID);
    CHECK(strlen(ch.sni) <= LT_MAX_HOSTNAME);
    /* Whatever the peer put in the name, what we print of it is printable. */
    char shown[4 * LT_MAX_HOSTNAME + 1];
    lt_escape_peer_text(shown, sizeof shown, ch.sni, strlen(ch.sni));
    for (const char *q = shown; *q != '\0'; q++) {
        CHECK(*q >= 0x20 && *q <= 0x7e);
    }
    (void)lt_is_dns_hostname(ch.sni, strlen(ch.sni));
    CHECK(ch.n_sigalgs <= LT_MAX_SIGALGS);
    CHECK(lt_rd_left(&ch.reneg_info) <= 255);
    CHECK((ch.ext_seen & LT_SEEN_SNI) || ch.sni[0] == '\0');
    CHECK((ch.ext_seen & LT_SEEN_SIGALGS) ? ch.n_sigalgs >= 1 : ch.n_sigalgs == 0);
    CHECK(ch.has_scsv == lt_u16_list_has(ch.suites, LT_SCSV_RENEGOTIATION));
    CHECK(ch.has_fallback_scsv == lt_u16_list_has(ch.suites, LT_SCSV_FALLBACK));
    /* The lists the parser keeps raw: inside the input, even, not empty,
     * present exactly when their extension was. */
    const lt_rd *lists[] = {&ch.supported_groups, &ch.sigalgs_all, &ch.sigalgs_cert};
    const uint32_t list_bits[] = {LT_SEEN_GROUPS, LT_SEEN_SIGALGS, LT_SEEN_SIGALGS_CERT};
    for (size_t i = 0; i < 3; i++) {
        CHECK(inside(*lists[i], body, len));
        CHECK(lists[i]->len % 2 == 0);
        CHECK((lists[i]->len >= 2) == ((ch.ext_seen & list_bits[i]) != 0));
    }
    CHECK(inside(ch.suites, body, len) && inside(ch.ec_point_formats, body, len));
    CHECK((lt_rd_left(&ch.ec_point_formats) >= 1) == ((ch.ext_seen & LT_SEEN_POINT_FORMATS) != 0));
    CHECK(!ch.has_uncompressed_point || (ch.ext_seen & LT_SEEN_POINT_FORMATS));
    CHECK(ch.has_uncompressed_point == has_zero(ch.ec_point_formats));
    CHECK(ch.encrypt_then_mac == ((ch.ext_seen & LT_SEEN_ETM) != 0));
    /* sigalgs[] is the head of sigalgs_all. */
    size_t n_sigalgs_all = u16_list(ch.sigalgs_all, g_sigalgs);
    CHECK(ch.n_sigalgs == (n_sigalgs_all < LT_MAX_SIGALGS ? n_sigalgs_all : LT_MAX_SIGALGS));
    CHECK(memcmp(ch.sigalgs, g_sigalgs, ch.n_sigalgs * sizeof(uint16_t)) == 0);
    check_client_hello13(&ch, body, len);

    lt_rd s = ch.suites;
    for (size_t i = 0; i < n_suites; i++) {
        CHECK(lt_rd_u16(&s, &g_suites[i]) == LT_OK);
    }
    lt_client_hello_params p;
    memset(&p, 0, sizeof(p));
    p.client_version = ch.client_version;
    p.random = ch.random;
    p.suites = g_suites;
    p.n_suites = n_suites;
    p.sni = ch.sni[0] != '\0' ? ch.sni : NULL;
    p.ems = (ch.ext_seen & LT_SEEN_EMS) != 0;
    p.reneg_info = (ch.ext_seen & LT_SEEN_RENEG) != 0;
    /* The whole list, not just the head, so a long list round-trips. */
    p.sigalgs = n_sigalgs_all > 0 ? g_sigalgs : NULL;
    p.n_sigalgs = n_sigalgs_all;
    p.n_groups = u16_list(ch.supported_groups, g_groups);
    p.groups = p.n_groups > 0 ? g_groups : NULL;
    p.n_sigalgs_cert = u16_list(ch.sigalgs_cert, g_sigalgs_cert);
    p.sigalgs_cert = p.n_sigalgs_cert > 0 ? g_sigalgs_cert : NULL;
    p.ec_point_formats = (ch.ext_seen & LT_SEEN_POINT_FORMATS) != 0;
    p.etm = ch.encrypt_then_mac;
    size_t binders_offset = 0;
    int psks = client_hello13_params(&ch, &p, &binders_offset);
    /* The fallback SCSV is among the suites already: not added again. */
    lt_wr w = lt_wr_init(g_out, sizeof(g_out));
    lt_write_client_hello(&w, &p);
    size_t n;
    const uint8_t *b = rewritten_body(&w, LT_HS_CLIENT_HELLO, &n);
    for (size_t i = 0; psks && i < p.n_psks; i++) {
        lt_patch_binder(g_out, binders_offset, p.binder_len, i, g_binders[i]);
    }

    lt_client_hello again;
    CHECK(lt_parse_client_hello(b, n, &again) == LT_OK);
    CHECK(again.client_version == ch.client_version);
    CHECK(memcmp(again.random, ch.random, LT_RANDOM_LEN) == 0);
    check_client_hello13_again(&ch, &again, psks, binders_offset);
    CHECK(lt_rd_left(&again.suites) == lt_rd_left(&ch.suites));
    CHECK(memcmp(again.suites.p, ch.suites.p, lt_rd_left(&ch.suites)) == 0);
    CHECK(again.has_scsv == ch.has_scsv);
    CHECK(again.has_fallback_scsv == ch.has_fallback_scsv);
    CHECK(again.has_null_compression == 1);
    CHECK(strcmp(again.sni, ch.sni) == 0);
    CHECK(again.n_sigalgs == ch.n_sigalgs);
    CHECK(memcmp(again.sigalgs, ch.sigalgs, ch.n_sigalgs * sizeof(uint16_t)) == 0);
    CHECK(same_bytes(again.sigalgs_all, ch.sigalgs_all));
    CHECK(same_bytes(again.supported_groups, ch.supported_groups));
    CHECK(same_bytes(again.sigalgs_cert, ch.sigalgs_cert));
    CHECK(lt_rd_left(&again.ec_point_formats) == (p.ec_point_formats ? 1u : 0u));
    CHECK(again.has_uncompressed_point == p.ec_point_formats);
    CHECK(again.encrypt_then_mac == ch.encrypt_then_mac);
    CHECK(lt_rd_left(&again.reneg_info) == 0);
    uint32_t want =
        ch.ext_seen & (LT_SEEN_EMS | LT_SEEN_RENEG | LT_SEEN_SIGALGS | LT_SEEN_GROUPS | LT_SEEN_POINT_FORMATS |
                       LT_SEEN_ETM | LT_SEEN_SIGALGS_CERT | LT_SEEN_VERSIONS | LT_SEEN_KEY_SHARE | LT_SEEN_COOKIE);
    if (ch.sni[0] != '\0') {
        want |= LT_SEEN_SNI;
    }
    if (ch.psk_dhe_ke) {
        want |= LT_SEEN_PSK_MODES;
    }
    if (psks) {
        want |= LT_SEEN_PSK;
    }
    CHECK(again.ext_seen == want);
}

/* The extensions a TLS 1.3 ServerHello (or HelloRetryRequest) may carry
 * (RFC 8446 4.1.3, 4.1.4). */
static uint32_t allowed13(int is_hrr)
{
    return LT_SEEN_VERSIONS | LT_SEEN_KEY_SHARE | (is_hrr ? LT_SEEN_COOKIE : LT_SEEN_PSK);
}

static void check_server_hello13(const lt_server_hello *sh, const uint8_t *body, size_t len)
{
    CHECK(sh->is_hrr == (memcmp(sh->random, LT_HRR_RANDOM, LT_RANDOM_LEN) == 0));
    CHECK(inside(sh->key_share_key, body, len) && inside(sh->cookie, body, len));
    /* A HelloRetryRequest's key_share is a bare group. */
    CHECK(!sh->is_hrr || sh->key_share_key.len == 0);
    CHECK(sh->is_hrr || sh->key_share_key.len >= 1 || !(sh->ext_seen & LT_SEEN_KEY_SHARE));
    CHECK((sh->cookie.len >= 1) == ((sh->ext_seen & LT_SEEN_COOKIE) != 0));
    /* Every known extension outside the allowed three is flagged. */
    CHECK(!(sh->ext_seen & ~allowed13(sh->is_hrr)) || sh->has_forbidden_ext);
}

static void fuzz_server_hello(const uint8_t *body, size_t len)
{
    lt_server_hello sh;
    if (lt_parse_server_hello(body, len, &sh) != LT_OK) {
        return;
    }
    CHECK(sh.session_id_len <= LT_MAX_SESSION_ID);
    CHECK(lt_rd_left(&sh.reneg_info) <= 255);
    CHECK(sh.sni_ack == ((sh.ext_seen & LT_SEEN_SNI) != 0));
    CHECK(inside(sh.ec_point_formats, body, len));
    CHECK((lt_rd_left(&sh.ec_point_formats) >= 1) == ((sh.ext_seen & LT_SEEN_POINT_FORMATS) != 0));
    CHECK(sh.has_uncompressed_point == has_zero(sh.ec_point_formats));
    CHECK(sh.encrypt_then_mac == ((sh.ext_seen & LT_SEEN_ETM) != 0));
    check_server_hello13(&sh, body, len);

    lt_server_hello_params p;
    memset(&p, 0, sizeof(p));
    p.server_version = sh.server_version;
    p.random = sh.random;
    p.session_id = sh.session_id;
    p.session_id_len = sh.session_id_len;
    p.cipher_suite = sh.cipher_suite;
    p.ems = (sh.ext_seen & LT_SEEN_EMS) != 0;
    p.reneg_info = (sh.ext_seen & LT_SEEN_RENEG) != 0;
    p.sni_ack = sh.sni_ack;
    p.etm = sh.encrypt_then_mac;
    p.ec_point_formats = (sh.ext_seen & LT_SEEN_POINT_FORMATS) != 0;
    /* TLS 1.3; a zero version or group is "do not send" to the writer. */
    p.selected_version = sh.selected_version;
    p.key_share_group = sh.key_share_group;
    p.key_share_key = sh.key_share_key.p;
    p.key_share_len = sh.key_share_key.len;
    p.cookie = sh.cookie.len > 0 ? sh.cookie.p : NULL;
    p.cookie_len = sh.cookie.len;
    p.psk_selected = (sh.ext_seen & LT_SEEN_PSK) != 0;
    p.psk_identity = sh.psk_identity;
    lt_wr w = lt_wr_init(g_out, sizeof(g_out));
    lt_write_server_hello(&w, &p);
    size_t n;
    const uint8_t *b = rewritten_body(&w, LT_HS_SERVER_HELLO, &n);

    lt_server_hello again;
    CHECK(lt_parse_server_hello(b, n, &again) == LT_OK);
    CHECK(again.server_version == sh.server_version);
    CHECK(memcmp(again.random, sh.random, LT_RANDOM_LEN) == 0);
    CHECK(again.session_id_len == sh.session_id_len);
    CHECK(memcmp(again.session_id, sh.session_id, sh.session_id_len) == 0);
    CHECK(again.cipher_suite == sh.cipher_suite);
    CHECK(again.compression_method == 0);
    uint32_t want = sh.ext_seen & (LT_SEEN_RENEG | LT_SEEN_EMS | LT_SEEN_SNI | LT_SEEN_POINT_FORMATS | LT_SEEN_ETM |
                                   LT_SEEN_COOKIE | LT_SEEN_PSK);
    if (sh.selected_version != 0) {
        want |= LT_SEEN_VERSIONS;
    }
    if (sh.key_share_group != 0 || sh.key_share_key.len > 0) {
        want |= LT_SEEN_KEY_SHARE;
    }
    CHECK(again.ext_seen == want);
    CHECK(again.is_hrr == sh.is_hrr);
    CHECK(again.selected_version == sh.selected_version);
    CHECK(again.key_share_group == sh.key_share_group);
    CHECK(same_bytes(again.key_share_key, sh.key_share_key));
    CHECK(same_bytes(again.cookie, sh.cookie));
    CHECK(again.psk_identity == sh.psk_identity);
    /* Only the writer's extensions: known ones, flagged exactly. */
    CHECK(again.has_forbidden_ext == ((want & ~allowed13(sh.is_hrr)) != 0));
    CHECK(again.sni_ack == sh.sni_ack);
    CHECK(again.encrypt_then_mac == sh.encrypt_then_mac);
    CHECK(again.has_uncompressed_point == p.ec_point_formats);
    CHECK(again.has_unknown_ext == 0);
    CHECK(lt_rd_left(&again.reneg_info) == 0);
}

static void fuzz_certificate(const uint8_t *body, size_t len)
{
    lt_certificate_msg c;
    if (lt_parse_certificate(body, len, &c) != LT_OK) {
        return;
    }
    CHECK(c.n <= LT_MAX_PEER_CHAIN);
    for (size_t i = 0; i < c.n; i++) {
        CHECK(c.len[i] >= 1);
        CHECK(c.der[i] >= body && c.der[i] + c.len[i] <= body + len);
    }
    lt_wr w = lt_wr_init(g_out, sizeof(g_out));
    lt_write_certificate(&w, c.der, c.len, c.n);
    size_t n;
    const uint8_t *b = rewritten_body(&w, LT_HS_CERTIFICATE, &n);
    CHECK(n == len && memcmp(b, body, len) == 0);
}

static void fuzz_empty(const uint8_t *body, size_t len)
{
    CHECK((lt_parse_empty(body, len) == LT_OK) == (len == 0));
    if (len == 0) {
        lt_wr w = lt_wr_init(g_out, sizeof(g_out));
        lt_write_empty(&w, LT_HS_SERVER_HELLO_DONE);
        size_t n;
        (void)rewritten_body(&w, LT_HS_SERVER_HELLO_DONE, &n);
        CHECK(n == 0);
    }
}

static void fuzz_client_key_exchange(const uint8_t *body, size_t len)
{
    lt_rd enc;
    if (lt_parse_client_key_exchange_rsa(body, len, &enc) != LT_OK) {
        return;
    }
    CHECK(lt_rd_left(&enc) + 2 == len);
    lt_wr w = lt_wr_init(g_out, sizeof(g_out));
    lt_write_client_key_exchange_rsa(&w, enc.p, enc.len);
    size_t n;
    const uint8_t *b = rewritten_body(&w, LT_HS_CLIENT_KEY_EXCHANGE, &n);
    CHECK(n == len && memcmp(b, body, len) == 0);
}

static void fuzz_finished(const uint8_t *body, size_t len)
{
    uint8_t vd[LT_FINISHED_LEN];
    int rc = lt_parse_finished(body, len, vd);
    CHECK((rc == LT_OK) == (len == LT_FINISHED_LEN));
    if (rc != LT_OK) {
        return;
    }
    lt_wr w = lt_wr_init(g_out, sizeof(g_out));
    lt_write_finished(&w, vd);
    size_t n;
    const uint8_t *b = rewritten_body(&w, LT_HS_FINISHED, &n);
    CHECK(n == len && memcmp(b, body, len) == 0);
}

static void fuzz_server_key_exchange_ecdhe(const uint8_t *body, size_t len)
{
    lt_server_key_exchange_ecdhe ske;
    if (lt_parse_server_key_exchange_ecdhe(body, len, &ske) != LT_OK) {
        return;
    }
    /* curve_type(1) group(2) point<1..255>, then scheme(2) signature<0..2^16-1>. */
    CHECK(lt_rd_left(&ske.point) >= 1 && lt_rd_left(&ske.point) <= 255);
    CHECK(ske.params == body && ske.params_len == 4 + lt_rd_left(&ske.point));
    CHECK(ske.params_len + 4 + lt_rd_left(&ske.signature) == len);
    CHECK(inside(ske.point, body, ske.params_len) && inside(ske.signature, body, len));
    lt_wr w = lt_wr_init(g_out, sizeof(g_out));
    size_t m = lt_write_server_key_exchange_ecdhe_params(&w, ske.group, ske.point.p, ske.point.len);
    size_t params_len = 0;
    const uint8_t *params = lt_server_key_exchange_params(&w, m, &params_len);
    CHECK(params != NULL && params_len == ske.params_len && memcmp(params, ske.params, params_len) == 0);
    lt_write_server_key_exchange_signature(&w, m, ske.sig_scheme, ske.signature.p, ske.signature.len);
    size_t n;
    const uint8_t *b = rewritten_body(&w, LT_HS_SERVER_KEY_EXCHANGE, &n);
    CHECK(n == len && memcmp(b, body, len) == 0);
}

static void fuzz_client_key_exchange_ecdhe(const uint8_t *body, size_t len)
{
    lt_rd point;
    if (lt_parse_client_key_exchange_ecdhe(body, len, &point) != LT_OK) {
        return;
    }
    CHECK(lt_rd_left(&point) >= 1 && lt_rd_left(&point) + 1 == len);
    lt_wr w = lt_wr_init(g_out, sizeof(g_out));
    lt_write_client_key_exchange_ecdhe(&w, point.p, point.len);
    size_t n;
    const uint8_t *b = rewritten_body(&w, LT_HS_CLIENT_KEY_EXCHANGE, &n);
    CHECK(n == len && memcmp(b, body, len) == 0);
}

/* The names of a certificate_authorities list body, walked with
 * lt_next_authority: there are n, each at least 1 byte, inside the input. */
static void check_authorities(lt_rd list, size_t n, const uint8_t *body, size_t len)
{
    lt_rd dn;
    size_t k = 0;
    int r;
    while ((r = lt_next_authority(&list, &dn)) == 1) {
        CHECK(lt_rd_left(&dn) >= 1 && inside(dn, body, len));
        k++;
    }
    CHECK(r == 0 && k == n && lt_rd_left(&list) == 0);
}

static size_t to_u16s(lt_rd r, uint16_t *out)
{
    size_t n = 0;
    while (lt_rd_u16(&r, &out[n]) == LT_OK) {
        n++;
    }
    return n;
}

static void fuzz_certificate_request(const uint8_t *body, size_t len)
{
    lt_certificate_request cr;
    if (lt_parse_certificate_request(body, len, &cr) != LT_OK) {
        return;
    }
    CHECK(lt_rd_left(&cr.types) >= 1 && lt_rd_left(&cr.types) <= 255);
    CHECK(lt_rd_left(&cr.sigalgs) % 2 == 0);
    CHECK(inside(cr.types, body, len) && inside(cr.sigalgs, body, len) && inside(cr.authorities, body, len));
    /* Each DistinguishedName takes at least 3 bytes. */
    CHECK(cr.n_authorities * 3 <= len);
    check_authorities(cr.authorities, cr.n_authorities, body, len);
    /* One encoding (RFC 5246 7.4.4): our writer gives the input back. */
    size_t n_sigalgs = to_u16s(cr.sigalgs, g_sigalgs);
    lt_wr w = lt_wr_init(g_out, sizeof(g_out));
    lt_write_certificate_request12(&w, cr.types.p, cr.types.len, g_sigalgs, n_sigalgs, cr.authorities.p,
                                   cr.authorities.len);
    size_t n;
    const uint8_t *b = rewritten_body(&w, LT_HS_CERTIFICATE_REQUEST, &n);
    CHECK(n == len && memcmp(b, body, len) == 0);
}

/* The CA name list reader alone (RFC 8446 4.2.4): the extension body
 * (authorities<3..2^16-1>) as lt_codec_authorities frames it, then the
 * walk over its names. */
static void fuzz_authorities(const uint8_t *body, size_t len)
{
    lt_rd data = lt_rd_init(body, len);
    lt_rd list;
    size_t n = 0;
    int rc = lt_codec_authorities(&data, &n, &list);
    if (rc != LT_OK) {
        CHECK(rc == LT_ERR_DECODE);
        return;
    }
    CHECK(len >= 5 && list.len + 2 == len && inside(list, body, len) && n >= 1 && n * 3 <= list.len);
    check_authorities(list, n, body, len);
}

/* ---- TLS 1.3 messages (messages13.h) ---- */

static void fuzz_encrypted_extensions(const uint8_t *body, size_t len)
{
    lt_encrypted_extensions ee;
    if (lt_parse_encrypted_extensions(body, len, &ee) != LT_OK) {
        return;
    }
    CHECK(ee.sni_ack == ((ee.ext_seen & LT_SEEN_SNI) != 0));
    CHECK(ee.early_data == ((ee.ext_seen & LT_SEEN_EARLY_DATA) != 0));
    CHECK(inside(ee.groups, body, len) && inside(ee.alpn, body, len));
    CHECK(ee.groups.len % 2 == 0 && (ee.groups.len >= 2) == ((ee.ext_seen & LT_SEEN_GROUPS) != 0));
    CHECK((ee.alpn.len >= 1) == ((ee.ext_seen & LT_SEEN_ALPN) != 0));
    /* Only these may be here (RFC 8446 4.2); the parser refused the rest. */
    CHECK((ee.ext_seen & ~(LT_SEEN_SNI | LT_SEEN_GROUPS | LT_SEEN_ALPN | LT_SEEN_EARLY_DATA)) == 0);

    /* ALPN here is the one name the server chose (RFC 7301 3.1: the parser
     * refuses any other count); our writer answers it again. */
    int alpn = (ee.ext_seen & LT_SEEN_ALPN) != 0;
    CHECK(!alpn || (ee.alpn.len >= 1 && ee.alpn.len <= 255));
    lt_encrypted_extensions_params p = {.sni_ack = ee.sni_ack,
                                        .early_data = ee.early_data,
                                        .alpn = alpn ? ee.alpn.p : NULL,
                                        .alpn_len = alpn ? ee.alpn.len : 0};
    lt_wr w = lt_wr_init(g_out, sizeof(g_out));
    lt_write_encrypted_extensions(&w, &p);
    size_t n;
    const uint8_t *b = rewritten_body(&w, LT_HS_ENCRYPTED_EXTENSIONS, &n);
    lt_encrypted_extensions again;
    CHECK(lt_parse_encrypted_extensions(b, n, &again) == LT_OK);
    uint32_t want = ee.ext_seen & (LT_SEEN_SNI | LT_SEEN_EARLY_DATA | LT_SEEN_ALPN);
    if (alpn) {
        CHECK(same_bytes(again.alpn, ee.alpn));
    }
    CHECK(again.ext_seen == want);
    CHECK(again.has_unknown_ext == 0);
    /* Nothing else in our EncryptedExtensions: 2 + each extension (ALPN:
     * its header, the list length, the name's length byte, the name). */
    CHECK(n == 2 + 4 * (size_t)(ee.sni_ack + ee.early_data) + (alpn ? 4 + 2 + 1 + ee.alpn.len : 0));
}

static void fuzz_certificate13(const uint8_t *body, size_t len)
{
    lt_certificate13 c;
    int rc = lt_parse_certificate13(body, len, &c);
    if (rc == LT_ERR_BAD_CERTIFICATE) {
        CHECK(c.chain.n_listed > LT_MAX_PEER_CHAIN && c.chain.n == 0);
    }
    if (rc != LT_OK) {
        return;
    }
    CHECK(c.context.len <= 255 && inside(c.context, body, len));
    CHECK(c.chain.n <= LT_MAX_PEER_CHAIN && c.chain.n == c.chain.n_listed);
    for (size_t i = 0; i < c.chain.n; i++) {
        CHECK(c.chain.len[i] >= 1);
        CHECK(c.chain.der[i] >= body && c.chain.der[i] + c.chain.len[i] <= body + len);
    }
    /* Each entry is at least 6 bytes; each entry extension 4. */
    CHECK(c.chain.n * 6 + c.n_entry_exts * 4 + 4 <= len);
    lt_wr w = lt_wr_init(g_out, sizeof(g_out));
    lt_write_certificate13(&w, c.context.p, c.context.len, c.chain.der, c.chain.len, c.chain.n);
    size_t n;
    const uint8_t *b = rewritten_body(&w, LT_HS_CERTIFICATE, &n);
    if (c.n_entry_exts == 0) {
        /* One encoding without entry extensions. */
        CHECK(n == len && memcmp(b, body, len) == 0);
        return;
    }
    lt_certificate13 again;
    CHECK(lt_parse_certificate13(b, n, &again) == LT_OK);
    CHECK(n + 4 * c.n_entry_exts <= len);
    CHECK(again.n_entry_exts == 0 && again.chain.n == c.chain.n && same_bytes(again.context, c.context));
    for (size_t i = 0; i < c.chain.n; i++) {
        CHECK(again.chain.len[i] == c.chain.len[i]);
        CHECK(memcmp(again.chain.der[i], c.chain.der[i], c.chain.len[i]) == 0);
    }
}

static void fuzz_certificate_request13(const uint8_t *body, size_t len)
{
    lt_certificate_request13 cr;
    if (lt_parse_certificate_request13(body, len, &cr) != LT_OK) {
        return;
    }
    CHECK(cr.context.len <= 255 && inside(cr.context, body, len));
    /* 4.3.2: signature_algorithms is always there. */
    CHECK(cr.ext_seen & LT_SEEN_SIGALGS);
    CHECK(cr.sigalgs.len >= 2 && cr.sigalgs.len % 2 == 0 && inside(cr.sigalgs, body, len));
    CHECK(cr.sigalgs_cert.len % 2 == 0 && inside(cr.sigalgs_cert, body, len));
    CHECK((cr.sigalgs_cert.len >= 2) == ((cr.ext_seen & LT_SEEN_SIGALGS_CERT) != 0));
    CHECK((cr.ext_seen & ~(LT_SEEN_SIGALGS | LT_SEEN_SIGALGS_CERT | LT_SEEN_CAS)) == 0);
    CHECK(cr.n_authorities == 0 || (cr.ext_seen & LT_SEEN_CAS));
    CHECK(cr.n_authorities * 3 <= len);
    CHECK(inside(cr.authorities, body, len) && (cr.authorities.len > 0) == ((cr.ext_seen & LT_SEEN_CAS) != 0));
    check_authorities(cr.authorities, cr.n_authorities, body, len);
    /* Our writer (an empty context, signature_algorithms, the names) and
     * parsed again: the same schemes and names. */
    size_t n_sigalgs = to_u16s(cr.sigalgs, g_sigalgs);
    lt_wr w = lt_wr_init(g_out, sizeof(g_out));
    lt_write_certificate_request13(&w, g_sigalgs, n_sigalgs, cr.authorities.p, cr.authorities.len);
    size_t n;
    const uint8_t *b = rewritten_body(&w, LT_HS_CERTIFICATE_REQUEST, &n);
    lt_certificate_request13 again;
    CHECK(lt_parse_certificate_request13(b, n, &again) == LT_OK);
    CHECK(again.context.len == 0 && same_bytes(again.sigalgs, cr.sigalgs) &&
          same_bytes(again.authorities, cr.authorities) && again.n_authorities == cr.n_authorities);
    CHECK(again.ext_seen == (cr.ext_seen & (LT_SEEN_SIGALGS | LT_SEEN_CAS)));
}

static void fuzz_certificate_verify(const uint8_t *body, size_t len)
{
    lt_certificate_verify cv;
    if (lt_parse_certificate_verify(body, len, &cv) != LT_OK) {
        return;
    }
    CHECK(cv.signature.len + 4 == len && inside(cv.signature, body, len));
    lt_wr w = lt_wr_init(g_out, sizeof(g_out));
    lt_write_certificate_verify(&w, cv.scheme, cv.signature.p, cv.signature.len);
    size_t n;
    const uint8_t *b = rewritten_body(&w, LT_HS_CERTIFICATE_VERIFY, &n);
    CHECK(n == len && memcmp(b, body, len) == 0);
}

static void fuzz_finished13(const uint8_t *body, size_t len)
{
    /* The two hash lengths of our TLS 1.3 suites. */
    const size_t hash_lens[2] = {32, 48};
    for (size_t i = 0; i < 2; i++) {
        const uint8_t *vd = NULL;
        int rc = lt_parse_finished13(body, len, hash_lens[i], &vd);
        CHECK((rc == LT_OK) == (len == hash_lens[i]));
        if (rc != LT_OK) {
            CHECK(rc == LT_ERR_DECODE && vd == NULL);
            continue;
        }
        CHECK(vd == body);
        lt_wr w = lt_wr_init(g_out, sizeof(g_out));
        lt_write_finished13(&w, vd, hash_lens[i]);
        size_t n;
        const uint8_t *b = rewritten_body(&w, LT_HS_FINISHED, &n);
        CHECK(n == len && memcmp(b, body, len) == 0);
    }
}

static void fuzz_new_session_ticket(const uint8_t *body, size_t len)
{
    lt_new_session_ticket t;
    int rc = lt_parse_new_session_ticket(body, len, &t);
    /* 4.6.1: a lifetime over 604800 s is refused, but only a well-formed one. */
    if (len >= 4 && (((uint32_t)body[0] << 24) | ((uint32_t)body[1] << 16) | ((uint32_t)body[2] << 8) | body[3]) >
                        LT_MAX_TICKET_LIFETIME) {
        CHECK(rc != LT_OK);
    }
    if (rc != LT_OK) {
        return;
    }
    CHECK(t.lifetime <= LT_MAX_TICKET_LIFETIME);
    CHECK(t.nonce.len <= 255 && t.ticket.len >= 1 && inside(t.nonce, body, len) && inside(t.ticket, body, len));
    size_t fixed = 4 + 4 + 1 + t.nonce.len + 2 + t.ticket.len + 2;
    CHECK(fixed <= len);
    CHECK(!t.has_early_data || len - fixed >= 8);
    lt_wr w = lt_wr_init(g_out, sizeof(g_out));
    lt_write_new_session_ticket(&w, t.lifetime, t.age_add, t.nonce.p, t.nonce.len, t.ticket.p, t.ticket.len);
    size_t n;
    const uint8_t *b = rewritten_body(&w, LT_HS_NEW_SESSION_TICKET, &n);
    /* We write no extensions: the same bytes when it had none. */
    CHECK(n == fixed && memcmp(b, body, fixed - 2) == 0);
    CHECK((fixed == len) == (n == len && memcmp(b, body, len) == 0));
    lt_new_session_ticket again;
    CHECK(lt_parse_new_session_ticket(b, n, &again) == LT_OK);
    CHECK(again.lifetime == t.lifetime && again.age_add == t.age_add && again.has_early_data == 0);
    CHECK(same_bytes(again.nonce, t.nonce) && same_bytes(again.ticket, t.ticket));
}

static void fuzz_key_update(const uint8_t *body, size_t len)
{
    int requested = -1;
    int rc = lt_parse_key_update(body, len, &requested);
    if (len != 1) {
        CHECK(rc == LT_ERR_DECODE);
        return;
    }
    /* 4.6.3: 0 and 1 only; another value is illegal_parameter. */
    CHECK(rc == (body[0] <= 1 ? LT_OK : LT_ERR_ILLEGAL_PARAMETER));
    if (rc != LT_OK) {
        return;
    }
    CHECK(requested == body[0]);
    lt_wr w = lt_wr_init(g_out, sizeof(g_out));
    lt_write_key_update(&w, requested);
    size_t n;
    const uint8_t *b = rewritten_body(&w, LT_HS_KEY_UPDATE, &n);
    CHECK(n == 1 && b[0] == body[0]);
}

/* RFC 5077 3.3: u32 lifetime hint, then ticket<0..2^16-1>, nothing else;
 * what parses is written back byte for byte. */
static void fuzz_new_session_ticket12(const uint8_t *body, size_t len)
{
    lt_new_session_ticket12 t;
    int rc = lt_parse_new_session_ticket12(body, len, &t);
    int well_formed = len >= 6 && (((size_t)body[4] << 8) | body[5]) == len - 6;
    CHECK((rc == LT_OK) == well_formed);
    if (rc != LT_OK) {
        CHECK(rc == LT_ERR_DECODE);
        return;
    }
    CHECK(t.ticket.len == len - 6 && inside(t.ticket, body, len));
    lt_wr w = lt_wr_init(g_out, sizeof(g_out));
    lt_write_new_session_ticket12(&w, t.lifetime_hint, t.ticket.p, t.ticket.len);
    size_t n;
    const uint8_t *b = rewritten_body(&w, LT_HS_NEW_SESSION_TICKET, &n);
    CHECK(n == len && memcmp(b, body, len) == 0);
}

/* ALPN (messages_alpn.h): the same bytes as a client's list and as a
 * server's answer, which must agree on what is well formed; the names walk
 * to the count; the list is written back unchanged. */
static void fuzz_alpn(const uint8_t *body, size_t len)
{
    static uint8_t out[4 + 65536];
    lt_rd data = lt_rd_init(body, len), list, name, one;
    size_t n = 0;
    int rc = lt_alpn_parse_list(&data, &list, &n);
    lt_rd sdata = lt_rd_init(body, len);
    int src = lt_alpn_parse_selected(&sdata, &one);
    if (rc != LT_OK) {
        CHECK(rc == LT_ERR_DECODE && src == LT_ERR_DECODE);
        return;
    }
    CHECK(inside(list, body, len) && list.len + 2 == len && n >= 1);
    size_t walked = 0;
    lt_rd l = list;
    while (lt_alpn_next(&l, &name)) {
        CHECK(name.len >= 1 && name.len <= LT_MAX_ALPN_NAME && inside(name, body, len));
        CHECK(lt_alpn_list_has(list, name.p, name.len));
        walked++;
    }
    CHECK(walked == n);
    CHECK(n == 1 ? src == LT_OK && one.len == list.len - 1 : src == LT_ERR_ILLEGAL_PARAMETER);
    lt_wr w = lt_wr_init(out, sizeof out);
    lt_alpn_write_list_ext(&w, list.p, list.len);
    CHECK(lt_wr_finish(&w) == LT_OK && w.off == 4 + len && memcmp(out + 4, body, len) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) {
        return 0;
    }
    const uint8_t *body = data + 1;
    size_t len = size - 1;
    switch (data[0] % 19) {
    case 0: fuzz_client_hello(body, len); break;
    case 1: fuzz_server_hello(body, len); break;
    case 2: fuzz_certificate(body, len); break;
    case 3: fuzz_empty(body, len); break;
    case 4: fuzz_client_key_exchange(body, len); break;
    case 5: fuzz_finished(body, len); break;
    case 6: fuzz_server_key_exchange_ecdhe(body, len); break;
    case 7: fuzz_client_key_exchange_ecdhe(body, len); break;
    case 8: fuzz_certificate_request(body, len); break;
    case 9: fuzz_encrypted_extensions(body, len); break;
    case 10: fuzz_certificate13(body, len); break;
    case 11: fuzz_certificate_request13(body, len); break;
    case 12: fuzz_certificate_verify(body, len); break;
    case 13: fuzz_finished13(body, len); break;
    case 14: fuzz_new_session_ticket(body, len); break;
    case 15: fuzz_key_update(body, len); break;
    case 16: fuzz_authorities(body, len); break;
    case 17: fuzz_new_session_ticket12(body, len); break;
    default: fuzz_alpn(body, len); break;
    }
    return 0;
}
