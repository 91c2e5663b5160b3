/*
 * libFuzzer target for the handshake message codec (src/hs/messages.c).
 *
 * Input: one selector byte (taken % 9), then a message body (no 4-byte
 * header).
 *   0 ClientHello  1 ServerHello  2 Certificate  3 empty body
 *   4 ClientKeyExchange (RSA)     5 Finished
 *   6 ServerKeyExchange (ECDHE)   7 ClientKeyExchange (ECDHE)
 *   8 CertificateRequest
 * Bytes are handed to the parsers exactly as libFuzzer gives them, so ASan
 * catches any read past the input. When a parse succeeds, the result is
 * checked against the invariants the struct promises, written back through
 * our writer and parsed again: that must succeed and give the same fields.
 * Certificate, both ClientKeyExchanges, Finished and ServerKeyExchange have
 * a single encoding, so their rewrite must equal the input byte for byte.
 * CertificateRequest has no writer (we do not ask for client certificates
 * yet); only its invariants are checked.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/text.h"
#include "hs/messages.h"

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
    /* The fallback SCSV is among the suites already: not added again. */
    lt_wr w = lt_wr_init(g_out, sizeof(g_out));
    lt_write_client_hello(&w, &p);
    size_t n;
    const uint8_t *b = rewritten_body(&w, LT_HS_CLIENT_HELLO, &n);

    lt_client_hello again;
    CHECK(lt_parse_client_hello(b, n, &again) == LT_OK);
    CHECK(again.client_version == ch.client_version);
    CHECK(memcmp(again.random, ch.random, LT_RANDOM_LEN) == 0);
    CHECK(again.session_id_len == 0);
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
    uint32_t want = ch.ext_seen & (LT_SEEN_EMS | LT_SEEN_RENEG | LT_SEEN_SIGALGS | LT_SEEN_GROUPS |
                                   LT_SEEN_POINT_FORMATS | LT_SEEN_ETM | LT_SEEN_SIGALGS_CERT);
    if (ch.sni[0] != '\0') {
        want |= LT_SEEN_SNI;
    }
    CHECK(again.ext_seen == want);
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
    CHECK(again.ext_seen ==
          (sh.ext_seen & (LT_SEEN_RENEG | LT_SEEN_EMS | LT_SEEN_SNI | LT_SEEN_POINT_FORMATS | LT_SEEN_ETM)));
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

static void fuzz_certificate_request(const uint8_t *body, size_t len)
{
    lt_certificate_request cr;
    if (lt_parse_certificate_request(body, len, &cr) != LT_OK) {
        return;
    }
    CHECK(lt_rd_left(&cr.types) >= 1 && lt_rd_left(&cr.types) <= 255);
    CHECK(lt_rd_left(&cr.sigalgs) % 2 == 0);
    CHECK(inside(cr.types, body, len) && inside(cr.sigalgs, body, len));
    /* Each DistinguishedName takes at least 3 bytes. */
    CHECK(cr.n_authorities * 3 <= len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) {
        return 0;
    }
    const uint8_t *body = data + 1;
    size_t len = size - 1;
    switch (data[0] % 9) {
    case 0: fuzz_client_hello(body, len); break;
    case 1: fuzz_server_hello(body, len); break;
    case 2: fuzz_certificate(body, len); break;
    case 3: fuzz_empty(body, len); break;
    case 4: fuzz_client_key_exchange(body, len); break;
    case 5: fuzz_finished(body, len); break;
    case 6: fuzz_server_key_exchange_ecdhe(body, len); break;
    case 7: fuzz_client_key_exchange_ecdhe(body, len); break;
    default: fuzz_certificate_request(body, len); break;
    }
    return 0;
}
