/*
 * libFuzzer target for the handshake message codec (src/hs/messages.c).
 *
 * Input: one selector byte, then a message body (no 4-byte header).
 *   0 ClientHello  1 ServerHello  2 Certificate  3 empty body
 *   4 ClientKeyExchange (RSA)     5 Finished
 * Bytes are handed to the parsers exactly as libFuzzer gives them, so ASan
 * catches any read past the input. When a parse succeeds, the result is
 * checked against the invariants the struct promises, written back through
 * our writer and parsed again: that must succeed and give the same fields.
 * Certificate, ClientKeyExchange and Finished have a single encoding, so
 * their rewrite must equal the input byte for byte.
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

/* A ClientHello has at most (2^16-2)/2 suites; a message at most 2^24-1 bytes
 * but a fuzz input is far smaller. */
static uint16_t g_suites[0x7fff];
static uint8_t g_out[1 << 18];

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
    p.sigalgs = ch.n_sigalgs > 0 ? ch.sigalgs : NULL;
    p.n_sigalgs = ch.n_sigalgs;
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
    CHECK(again.has_null_compression == 1);
    CHECK(strcmp(again.sni, ch.sni) == 0);
    CHECK(again.n_sigalgs == ch.n_sigalgs);
    CHECK(memcmp(again.sigalgs, ch.sigalgs, ch.n_sigalgs * sizeof(uint16_t)) == 0);
    CHECK(lt_rd_left(&again.reneg_info) == 0);
    uint32_t want = ch.ext_seen & (LT_SEEN_EMS | LT_SEEN_RENEG | LT_SEEN_SIGALGS);
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
    CHECK(again.ext_seen == (sh.ext_seen & (LT_SEEN_RENEG | LT_SEEN_EMS | LT_SEEN_SNI)));
    CHECK(again.sni_ack == sh.sni_ack);
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) {
        return 0;
    }
    const uint8_t *body = data + 1;
    size_t len = size - 1;
    switch (data[0] % 6) {
    case 0: fuzz_client_hello(body, len); break;
    case 1: fuzz_server_hello(body, len); break;
    case 2: fuzz_certificate(body, len); break;
    case 3: fuzz_empty(body, len); break;
    case 4: fuzz_client_key_exchange(body, len); break;
    default: fuzz_finished(body, len); break;
    }
    return 0;
}
