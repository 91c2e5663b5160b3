/*
 * Serialized sessions (src/hs/session.c): the server's ticket state and the
 * client's stored session.
 *
 * Blobs for the negative cases are built here by an independent writer
 * (raw_*: the layout of the comment at the top of session.c, written field
 * by field), so each invalid value is tested on its own, with every other
 * field valid and every length consistent. Each format gets: a known-answer
 * encoding, round trips at the extremes (empty and 255-byte SNI, empty and
 * 48-byte PSK, 1- and LT_SESSION_MAX_TICKET-byte ticket, 255-byte ALPN, all
 * integer fields at their maximum), every truncation, a trailing byte, a
 * wrong format version, a bad protocol version, an over-long PSK, an empty
 * and an over-long ticket, and a NUL inside the SNI. Decoders are handed
 * exact-size heap copies (ASan catches any read past the end), and a failed
 * decode must leave the output struct all zero.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/bytes.h"
#include "base/limits.h"
#include "hs/session.h"
#include "test.h"

#define FORMAT 2

static int all_zero(const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++) {
        if (b[i] != 0) {
            return 0;
        }
    }
    return 1;
}

static void fill(uint8_t *p, size_t n, uint8_t seed)
{
    for (size_t i = 0; i < n; i++) {
        p[i] = (uint8_t)(seed + i * 13);
    }
}

static void fill_sni(char *sni, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        sni[i] = (char)('a' + i % 26);
    }
    sni[n] = '\0';
}

/* ---- comparisons, field by field (padding is not part of a struct's value) ---- */

static int same_ticket_state(const lt_ticket_state *a, const lt_ticket_state *b)
{
    return a->version == b->version && a->suite == b->suite && a->psk_len == b->psk_len &&
           memcmp(a->psk, b->psk, a->psk_len) == 0 && a->issued_s == b->issued_s && a->lifetime_s == b->lifetime_s &&
           a->age_add == b->age_add && a->ems == b->ems && a->client_auth == b->client_auth &&
           strcmp(a->sni, b->sni) == 0 && a->alpn_len == b->alpn_len && memcmp(a->alpn, b->alpn, a->alpn_len) == 0;
}

static int same_client_session(const lt_client_session *a, const lt_client_session *b)
{
    return a->version == b->version && a->suite == b->suite && a->psk_len == b->psk_len &&
           memcmp(a->psk, b->psk, a->psk_len) == 0 && a->ticket_len == b->ticket_len &&
           memcmp(a->ticket, b->ticket, a->ticket_len) == 0 && a->received_ms == b->received_ms &&
           a->lifetime_s == b->lifetime_s && a->age_add == b->age_add && a->max_early_data == b->max_early_data &&
           a->ems == b->ems && a->session_id_len == b->session_id_len &&
           memcmp(a->session_id, b->session_id, a->session_id_len) == 0 && strcmp(a->sni, b->sni) == 0 &&
           a->alpn_len == b->alpn_len && memcmp(a->alpn, b->alpn, a->alpn_len) == 0;
}

/* ---- decoding exact-size heap copies ---- */

static int decode_ts(const uint8_t *in, size_t len, lt_ticket_state *out)
{
    uint8_t *copy = malloc(len > 0 ? len : 1);
    if (len > 0) {
        memcpy(copy, in, len);
    }
    memset(out, 0x5A, sizeof *out);
    int rc = lt_ticket_state_decode(copy, len, out);
    free(copy);
    return rc;
}

static int decode_cs(const uint8_t *in, size_t len, lt_client_session *out)
{
    uint8_t *copy = malloc(len > 0 ? len : 1);
    if (len > 0) {
        memcpy(copy, in, len);
    }
    memset(out, 0x5A, sizeof *out);
    int rc = lt_client_session_decode(copy, len, out);
    free(copy);
    return rc;
}

/* Refused as LT_ERR_DECODE, with the output wiped. */
static int ts_refused(const uint8_t *in, size_t len)
{
    lt_ticket_state s;
    return decode_ts(in, len, &s) == LT_ERR_DECODE && all_zero(&s, sizeof s);
}

static int cs_refused(const uint8_t *in, size_t len)
{
    lt_client_session *s = malloc(sizeof *s);
    int ok = decode_cs(in, len, s) == LT_ERR_DECODE && all_zero(s, sizeof *s);
    free(s);
    return ok;
}

/* ---- the independent writer: each field as the format comment says ---- */

typedef struct raw_fields {
    uint16_t format, version, suite;
    size_t psk_len;    /* written as a u8 length, then that many bytes */
    size_t ticket_len; /* client session only: u16 length, then that many bytes */
    uint64_t time;     /* issued_s or received_ms */
    uint32_t lifetime_s, age_add, max_early_data;
    const uint8_t *sni;
    size_t sni_len;
    size_t alpn_len;
    uint8_t ems;         /* written as a u8 (format 2) */
    size_t sid_len;      /* client session only: u8 length, then that many bytes (format 2) */
    uint8_t client_auth; /* ticket state only: a u8 after ems */
} raw_fields;

static raw_fields raw_default(void)
{
    raw_fields f = {FORMAT, LT_TLS1_3, 0x1301, 32, 100, 1700000000, 7200, 0x01020304, 0, (const uint8_t *)"example.com",
                    11,     2,         0,      0,  0};
    return f;
}

static void raw_bytes(lt_wr *w, size_t n, uint8_t seed)
{
    uint8_t *p = lt_wr_reserve(w, n);
    if (p != NULL) {
        fill(p, n, seed);
    }
}

static void raw_u64(lt_wr *w, uint64_t v)
{
    uint8_t *p = lt_wr_reserve(w, 8);
    if (p != NULL) {
        lt_put_u64(p, v);
    }
}

static void raw_tail(lt_wr *w, const raw_fields *f)
{
    lt_wr_u8(w, (uint8_t)f->sni_len);
    lt_wr_bytes(w, f->sni, f->sni_len);
    lt_wr_u8(w, (uint8_t)f->alpn_len);
    raw_bytes(w, f->alpn_len, 0x61);
}

static size_t raw_ticket_state(const raw_fields *f, uint8_t *out, size_t cap)
{
    lt_wr w = lt_wr_init(out, cap);
    lt_wr_u16(&w, f->format);
    lt_wr_u16(&w, f->version);
    lt_wr_u16(&w, f->suite);
    lt_wr_u8(&w, (uint8_t)f->psk_len);
    raw_bytes(&w, f->psk_len, 0x11);
    raw_u64(&w, f->time);
    lt_wr_u32(&w, f->lifetime_s);
    lt_wr_u32(&w, f->age_add);
    lt_wr_u8(&w, f->ems);
    lt_wr_u8(&w, f->client_auth);
    raw_tail(&w, f);
    return lt_wr_finish(&w) == LT_OK ? w.off : 0;
}

static size_t raw_client_session(const raw_fields *f, uint8_t *out, size_t cap)
{
    lt_wr w = lt_wr_init(out, cap);
    lt_wr_u16(&w, f->format);
    lt_wr_u16(&w, f->version);
    lt_wr_u16(&w, f->suite);
    lt_wr_u8(&w, (uint8_t)f->psk_len);
    raw_bytes(&w, f->psk_len, 0x11);
    lt_wr_u16(&w, (uint16_t)f->ticket_len);
    raw_bytes(&w, f->ticket_len, 0x22);
    raw_u64(&w, f->time);
    lt_wr_u32(&w, f->lifetime_s);
    lt_wr_u32(&w, f->age_add);
    lt_wr_u32(&w, f->max_early_data);
    lt_wr_u8(&w, f->ems);
    lt_wr_u8(&w, (uint8_t)f->sid_len);
    raw_bytes(&w, f->sid_len, 0x33);
    raw_tail(&w, f);
    return lt_wr_finish(&w) == LT_OK ? w.off : 0;
}

#define RAW_CAP 4096

/* ---- structs at the extremes ---- */

static lt_ticket_state ts_max(void)
{
    lt_ticket_state s;
    memset(&s, 0, sizeof s);
    s.version = LT_TLS1_3;
    s.suite = 0xFFFF;
    s.psk_len = LT_SESSION_MAX_PSK;
    fill(s.psk, s.psk_len, 1);
    s.issued_s = UINT64_MAX;
    s.lifetime_s = UINT32_MAX;
    s.age_add = UINT32_MAX;
    fill_sni(s.sni, LT_SESSION_MAX_SNI);
    s.alpn_len = LT_SESSION_MAX_ALPN;
    fill(s.alpn, s.alpn_len, 2);
    return s;
}

static void cs_max(lt_client_session *s)
{
    memset(s, 0, sizeof *s);
    s->version = LT_TLS1_3;
    s->suite = 0xFFFF;
    s->psk_len = LT_SESSION_MAX_PSK;
    fill(s->psk, s->psk_len, 3);
    s->ticket_len = LT_SESSION_MAX_TICKET;
    fill(s->ticket, s->ticket_len, 4);
    s->received_ms = UINT64_MAX;
    s->lifetime_s = UINT32_MAX;
    s->age_add = UINT32_MAX;
    s->max_early_data = UINT32_MAX;
    fill_sni(s->sni, LT_SESSION_MAX_SNI);
    s->alpn_len = LT_SESSION_MAX_ALPN;
    fill(s->alpn, s->alpn_len, 5);
}

/* encode -> decode gives the same struct, and decode -> encode the same
 * bytes. */
static int ts_round_trip(const lt_ticket_state *s)
{
    uint8_t buf[RAW_CAP], again[RAW_CAP];
    size_t len = 0, len2 = 0;
    lt_ticket_state d;
    return lt_ticket_state_encode(s, buf, sizeof buf, &len) == LT_OK && decode_ts(buf, len, &d) == LT_OK &&
           same_ticket_state(s, &d) && lt_ticket_state_encode(&d, again, sizeof again, &len2) == LT_OK && len2 == len &&
           memcmp(buf, again, len) == 0;
}

static int cs_round_trip(const lt_client_session *s)
{
    static uint8_t buf[LT_CLIENT_SESSION_MAX_ENCODED], again[LT_CLIENT_SESSION_MAX_ENCODED];
    static lt_client_session d;
    size_t len = 0, len2 = 0;
    return lt_client_session_encode(s, buf, sizeof buf, &len) == LT_OK && len <= LT_CLIENT_SESSION_MAX_ENCODED &&
           decode_cs(buf, len, &d) == LT_OK && same_client_session(s, &d) &&
           lt_client_session_encode(&d, again, sizeof again, &len2) == LT_OK && len2 == len &&
           memcmp(buf, again, len) == 0;
}

/* ---- known answers: the format is stored on disk, it must not drift ---- */

static void test_ticket_state_known_answer(void)
{
    lt_ticket_state s, d;
    uint8_t buf[128], want[128];
    size_t len = 0;
    memset(&s, 0, sizeof s);
    s.version = LT_TLS1_3;
    s.suite = 0x1302;
    s.psk_len = 3;
    memcpy(s.psk, "\x01\x02\x03", 3);
    s.issued_s = 0x0102030405060708ull;
    s.lifetime_s = 7200;
    s.age_add = 0xA1B2C3D4;
    s.client_auth = 1;
    strcpy(s.sni, "ab");
    s.alpn_len = 2;
    memcpy(s.alpn, "h2", 2);
    size_t want_len = lt_test_unhex("0002 0304 1302 03010203 0102030405060708 00001c20 a1b2c3d4 00 01 026162 026832",
                                    want, sizeof want);
    EXPECT_EQ(lt_ticket_state_encode(&s, buf, sizeof buf, &len), LT_OK);
    EXPECT_EQ(len, want_len);
    EXPECT_MEM(buf, want, want_len);
    EXPECT_EQ(decode_ts(want, want_len, &d), LT_OK);
    EXPECT(same_ticket_state(&s, &d));
}

static void test_client_session_known_answer(void)
{
    lt_client_session s, d;
    uint8_t buf[128], want[128];
    size_t len = 0;
    memset(&s, 0, sizeof s);
    s.version = LT_TLS1_2;
    s.suite = 0xC02F;
    s.psk_len = 0;
    s.ticket_len = 2;
    memcpy(s.ticket, "\xEE\xFF", 2);
    s.received_ms = 0x00000190A0B0C0D0ull;
    s.lifetime_s = 1;
    s.age_add = 2;
    s.max_early_data = 0x4000;
    s.alpn_len = 0;
    size_t want_len = lt_test_unhex(
        "0002 0303 c02f 00 0002eeff 00000190a0b0c0d0 00000001 00000002 00004000 00 00 00 00", want, sizeof want);
    EXPECT_EQ(lt_client_session_encode(&s, buf, sizeof buf, &len), LT_OK);
    EXPECT_EQ(len, want_len);
    EXPECT_MEM(buf, want, want_len);
    EXPECT_EQ(decode_cs(want, want_len, &d), LT_OK);
    EXPECT(same_client_session(&s, &d));
    EXPECT_EQ(d.sni[0], '\0');
}

/* The independent writer and the codec agree on the layout. */
static void test_raw_writer_agrees(void)
{
    static uint8_t raw[RAW_CAP], enc[RAW_CAP];
    static lt_client_session cs;
    lt_ticket_state ts;
    size_t len = 0;
    raw_fields f = raw_default();
    size_t n = raw_ticket_state(&f, raw, sizeof raw);
    EXPECT(n > 0);
    EXPECT_EQ(decode_ts(raw, n, &ts), LT_OK);
    EXPECT_EQ(ts.psk_len, 32);
    EXPECT_EQ(ts.issued_s, 1700000000);
    EXPECT(strcmp(ts.sni, "example.com") == 0);
    EXPECT_EQ(lt_ticket_state_encode(&ts, enc, sizeof enc, &len), LT_OK);
    EXPECT_EQ(len, n);
    EXPECT_MEM(enc, raw, n);
    n = raw_client_session(&f, raw, sizeof raw);
    EXPECT(n > 0);
    EXPECT_EQ(decode_cs(raw, n, &cs), LT_OK);
    EXPECT_EQ(cs.ticket_len, 100);
    EXPECT_EQ(cs.age_add, 0x01020304);
    EXPECT_EQ(lt_client_session_encode(&cs, enc, sizeof enc, &len), LT_OK);
    EXPECT_EQ(len, n);
    EXPECT_MEM(enc, raw, n);
}

/* ---- round trips at the extremes ---- */

static void test_ticket_state_round_trips(void)
{
    lt_ticket_state s = ts_max();
    EXPECT(ts_round_trip(&s));
    s.version = LT_TLS1_2;
    EXPECT(ts_round_trip(&s));
    /* Everything empty or zero. */
    memset(&s, 0, sizeof s);
    s.version = LT_TLS1_3;
    EXPECT(ts_round_trip(&s));
    /* One of each length in between. */
    s.psk_len = 1;
    s.psk[0] = 0xFF;
    strcpy(s.sni, "x");
    s.alpn_len = 1;
    s.alpn[0] = 0;
    EXPECT(ts_round_trip(&s));
    /* Whatever follows the SNI's NUL is not part of it. */
    s = ts_max();
    s.sni[10] = '\0';
    EXPECT(ts_round_trip(&s));
}

static void test_client_session_round_trips(void)
{
    static lt_client_session s;
    cs_max(&s);
    EXPECT(cs_round_trip(&s));
    s.version = LT_TLS1_2;
    EXPECT(cs_round_trip(&s));
    /* The smallest: empty PSK, SNI and ALPN, a 1-byte ticket. */
    memset(&s, 0, sizeof s);
    s.version = LT_TLS1_3;
    s.ticket_len = 1;
    EXPECT(cs_round_trip(&s));
    /* The largest is exactly what LT_CLIENT_SESSION_MAX_ENCODED allows for. */
    cs_max(&s);
    uint8_t *buf = malloc(LT_CLIENT_SESSION_MAX_ENCODED);
    size_t len = 0, n;
    EXPECT_EQ(lt_client_session_encode(&s, buf, LT_CLIENT_SESSION_MAX_ENCODED, &len), LT_OK);
    EXPECT(len <= LT_CLIENT_SESSION_MAX_ENCODED);
    /* Too small a buffer, by one byte or more, is refused, with no length. */
    n = 99;
    EXPECT_EQ(lt_client_session_encode(&s, buf, len - 1, &n), LT_ERR_INTERNAL);
    EXPECT_EQ(n, 0);
    EXPECT_EQ(lt_client_session_encode(&s, buf, 0, &n), LT_ERR_INTERNAL);
    free(buf);
}

/* ---- every truncation and a trailing byte ---- */

static void test_ticket_state_truncations_and_trailing(void)
{
    lt_ticket_state s = ts_max();
    uint8_t buf[RAW_CAP];
    size_t len = 0, bad = 0;
    EXPECT_EQ(lt_ticket_state_encode(&s, buf, sizeof buf, &len), LT_OK);
    for (size_t n = 0; n < len; n++) {
        bad += !ts_refused(buf, n);
    }
    EXPECT_EQ(bad, 0);
    buf[len] = 0;
    EXPECT(ts_refused(buf, len + 1));
    EXPECT(ts_refused(NULL, 0));
    /* The same on a short one (empty fields). */
    memset(&s, 0, sizeof s);
    s.version = LT_TLS1_2;
    EXPECT_EQ(lt_ticket_state_encode(&s, buf, sizeof buf, &len), LT_OK);
    for (size_t n = 0; n < len; n++) {
        bad += !ts_refused(buf, n);
    }
    EXPECT_EQ(bad, 0);
    buf[len] = 0xFF;
    EXPECT(ts_refused(buf, len + 1));
}

static void test_client_session_truncations_and_trailing(void)
{
    static lt_client_session s;
    static uint8_t buf[LT_CLIENT_SESSION_MAX_ENCODED + 1];
    size_t len = 0, bad = 0;
    cs_max(&s);
    EXPECT_EQ(lt_client_session_encode(&s, buf, sizeof buf, &len), LT_OK);
    for (size_t n = 0; n < len; n++) {
        bad += !cs_refused(buf, n);
    }
    EXPECT_EQ(bad, 0);
    buf[len] = 0;
    EXPECT(cs_refused(buf, len + 1));
    EXPECT(cs_refused(NULL, 0));
    memset(&s, 0, sizeof s);
    s.version = LT_TLS1_3;
    s.ticket_len = 1;
    EXPECT_EQ(lt_client_session_encode(&s, buf, sizeof buf, &len), LT_OK);
    for (size_t n = 0; n < len; n++) {
        bad += !cs_refused(buf, n);
    }
    EXPECT_EQ(bad, 0);
    buf[len] = 0xFF;
    EXPECT(cs_refused(buf, len + 1));
}

/* ---- each invalid field, alone ---- */

/* Both formats refuse the blob made from f. */
static int both_refuse(const raw_fields *f)
{
    static uint8_t raw[RAW_CAP];
    size_t n = raw_ticket_state(f, raw, sizeof raw);
    int ok = n > 0 && ts_refused(raw, n);
    n = raw_client_session(f, raw, sizeof raw);
    return ok && n > 0 && cs_refused(raw, n);
}

static int both_accept(const raw_fields *f)
{
    static uint8_t raw[RAW_CAP];
    static lt_client_session cs;
    lt_ticket_state ts;
    size_t n = raw_ticket_state(f, raw, sizeof raw);
    int ok = n > 0 && decode_ts(raw, n, &ts) == LT_OK;
    n = raw_client_session(f, raw, sizeof raw);
    return ok && n > 0 && decode_cs(raw, n, &cs) == LT_OK;
}

static void test_format_version(void)
{
    static const uint16_t bad[] = {0, 1, 3, 0x0100, 0xFFFF}; /* 1: the format before TLS 1.2 resumption */
    raw_fields f = raw_default();
    EXPECT(both_accept(&f));
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        f.format = bad[i];
        EXPECT(both_refuse(&f));
    }
}

static void test_protocol_version(void)
{
    static const uint16_t bad[] = {0, 0x0300, 0x0301, 0x0302, 0x0305, 0x7F1C, 0xFEFD, 0xFFFF};
    raw_fields f = raw_default();
    f.version = LT_TLS1_2;
    EXPECT(both_accept(&f));
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        f.version = bad[i];
        EXPECT(both_refuse(&f));
    }
}

static void test_psk_length(void)
{
    raw_fields f = raw_default();
    f.psk_len = LT_SESSION_MAX_PSK;
    EXPECT(both_accept(&f));
    f.psk_len = 0;
    EXPECT(both_accept(&f));
    /* With that many bytes really there: refused for the length alone. */
    f.psk_len = LT_SESSION_MAX_PSK + 1;
    EXPECT(both_refuse(&f));
    f.psk_len = 255;
    EXPECT(both_refuse(&f));
}

static void test_ticket_length(void)
{
    static uint8_t raw[RAW_CAP];
    raw_fields f = raw_default();
    size_t n;
    f.ticket_len = LT_SESSION_MAX_TICKET;
    n = raw_client_session(&f, raw, sizeof raw);
    EXPECT(n > 0 && !cs_refused(raw, n));
    f.ticket_len = 1;
    n = raw_client_session(&f, raw, sizeof raw);
    EXPECT(n > 0 && !cs_refused(raw, n));
    f.ticket_len = 0;
    n = raw_client_session(&f, raw, sizeof raw);
    EXPECT(n > 0 && cs_refused(raw, n));
    f.ticket_len = LT_SESSION_MAX_TICKET + 1;
    n = raw_client_session(&f, raw, sizeof raw);
    EXPECT(n > 0 && cs_refused(raw, n));
    /* A length far over the bound, and over what is there. */
    f.ticket_len = 100;
    n = raw_client_session(&f, raw, sizeof raw);
    lt_put_u16(raw + 2 + 2 + 2 + 1 + f.psk_len, 0xFFFF);
    EXPECT(n > 0 && cs_refused(raw, n));
}

static void test_sni_nul(void)
{
    static const char *bad[] = {"\0example.com", "exa\0mple.com", "example.com\0", "\0"};
    static const size_t bad_len[] = {12, 12, 12, 1};
    uint8_t sni[LT_SESSION_MAX_SNI];
    raw_fields f = raw_default();
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        f.sni = (const uint8_t *)bad[i];
        f.sni_len = bad_len[i];
        EXPECT(both_refuse(&f));
    }
    /* The longest the format can say, 255 bytes, with no NUL: accepted;
     * with one NUL anywhere in it: refused. */
    memset(sni, 'a', sizeof sni);
    f.sni = sni;
    f.sni_len = sizeof sni;
    EXPECT(both_accept(&f));
    for (size_t at = 0; at < sizeof sni; at += 50) {
        sni[at] = '\0';
        EXPECT(both_refuse(&f));
        sni[at] = 'a';
    }
    /* Empty: no server name. */
    f.sni_len = 0;
    EXPECT(both_accept(&f));
}

/* The SNI and ALPN lengths are one byte: 255 is the most the format can
 * express (over 255 cannot be written). A length byte beyond what follows
 * is a truncation. */
static void test_sni_alpn_lengths(void)
{
    static uint8_t raw[RAW_CAP];
    raw_fields f = raw_default();
    f.alpn_len = LT_SESSION_MAX_ALPN;
    EXPECT(both_accept(&f));
    f.alpn_len = 0;
    size_t n = raw_ticket_state(&f, raw, sizeof raw);
    /* The ALPN length byte is last: claim one byte that is not there. */
    raw[n - 1] = 1;
    EXPECT(ts_refused(raw, n));
    raw[n - 1] = 0xFF;
    EXPECT(ts_refused(raw, n));
    n = raw_client_session(&f, raw, sizeof raw);
    raw[n - 1] = 0xFF;
    EXPECT(cs_refused(raw, n));
    /* The SNI length byte claiming more than is there (the ALPN length byte
     * would be read as SNI). */
    raw[n - 1 - f.sni_len - 1] = (uint8_t)(f.sni_len + 1);
    raw[n - 1] = 0;
    EXPECT(cs_refused(raw, n));
}

/* TLS 1.2 fields (format 2): the EMS flag is 0 or 1; the session ID is
 * 0..32 bytes; an empty ticket needs a TLS 1.2 session with a session ID. */
static void test_tls12_fields(void)
{
    static uint8_t raw[RAW_CAP];
    static lt_client_session cs;
    lt_ticket_state ts;
    raw_fields f = raw_default();
    f.version = LT_TLS1_2;
    f.psk_len = 48;
    f.ems = 1;
    f.sid_len = 32;
    EXPECT(both_accept(&f));
    size_t n = raw_client_session(&f, raw, sizeof raw);
    EXPECT_EQ(decode_cs(raw, n, &cs), LT_OK);
    EXPECT(cs.ems == 1 && cs.session_id_len == 32 && cs.session_id[0] == 0x33);
    n = raw_ticket_state(&f, raw, sizeof raw);
    EXPECT_EQ(decode_ts(raw, n, &ts), LT_OK);
    EXPECT_EQ(ts.ems, 1);
    f.ems = 2;
    EXPECT(both_refuse(&f));
    f.ems = 0xFF;
    EXPECT(both_refuse(&f));
    f.ems = 0;
    f.sid_len = 33;
    n = raw_client_session(&f, raw, sizeof raw);
    EXPECT(n > 0 && cs_refused(raw, n));
    /* A session ID alone: an empty ticket, TLS 1.2 only. */
    f.sid_len = 32;
    f.ticket_len = 0;
    n = raw_client_session(&f, raw, sizeof raw);
    EXPECT(n > 0 && !cs_refused(raw, n));
    f.sid_len = 0;
    n = raw_client_session(&f, raw, sizeof raw);
    EXPECT(n > 0 && cs_refused(raw, n));
    f.sid_len = 32;
    f.version = LT_TLS1_3;
    n = raw_client_session(&f, raw, sizeof raw);
    EXPECT(n > 0 && cs_refused(raw, n));
    /* Round trips, and the encoder refuses what the decoder would. */
    cs_max(&cs);
    cs.version = LT_TLS1_2;
    cs.ems = 1;
    cs.session_id_len = 32;
    fill(cs.session_id, 32, 9);
    EXPECT(cs_round_trip(&cs));
    cs.ticket_len = 0;
    EXPECT(cs_round_trip(&cs));
    uint8_t buf[RAW_CAP];
    size_t len = 0;
    cs.session_id_len = 0;
    EXPECT_EQ(lt_client_session_encode(&cs, buf, sizeof buf, &len), LT_ERR_USAGE);
    cs.session_id_len = 33;
    EXPECT_EQ(lt_client_session_encode(&cs, buf, sizeof buf, &len), LT_ERR_USAGE);
    cs.session_id_len = 32;
    cs.ems = 2;
    EXPECT_EQ(lt_client_session_encode(&cs, buf, sizeof buf, &len), LT_ERR_USAGE);
    ts = ts_max();
    ts.ems = 2;
    EXPECT_EQ(lt_ticket_state_encode(&ts, buf, sizeof buf, &len), LT_ERR_USAGE);
    ts.ems = 1;
    EXPECT(ts_round_trip(&ts));
    /* client_auth is a flag too: 0 or 1, both ways. */
    ts.client_auth = 2;
    EXPECT_EQ(lt_ticket_state_encode(&ts, buf, sizeof buf, &len), LT_ERR_USAGE);
    ts.client_auth = 1;
    EXPECT(ts_round_trip(&ts));
    f = raw_default();
    f.client_auth = 1;
    n = raw_ticket_state(&f, raw, sizeof raw);
    EXPECT_EQ(decode_ts(raw, n, &ts), LT_OK);
    EXPECT_EQ(ts.client_auth, 1);
    f.client_auth = 2;
    n = raw_ticket_state(&f, raw, sizeof raw);
    EXPECT(n > 0 && decode_ts(raw, n, &ts) != LT_OK);
}

/* ---- the encoders refuse what the decoders would ---- */

static void test_encode_refuses_invalid(void)
{
    static lt_client_session cs;
    uint8_t buf[RAW_CAP];
    size_t len = 7;
    lt_ticket_state ts = ts_max();
    ts.psk_len = LT_SESSION_MAX_PSK + 1;
    EXPECT_EQ(lt_ticket_state_encode(&ts, buf, sizeof buf, &len), LT_ERR_USAGE);
    EXPECT_EQ(len, 0);
    ts = ts_max();
    ts.version = 0x0302;
    EXPECT_EQ(lt_ticket_state_encode(&ts, buf, sizeof buf, &len), LT_ERR_USAGE);
    ts = ts_max();
    memset(ts.sni, 'a', sizeof ts.sni); /* no terminating NUL */
    EXPECT_EQ(lt_ticket_state_encode(&ts, buf, sizeof buf, &len), LT_ERR_USAGE);

    cs_max(&cs);
    cs.ticket_len = 0;
    EXPECT_EQ(lt_client_session_encode(&cs, buf, sizeof buf, &len), LT_ERR_USAGE);
    cs_max(&cs);
    cs.ticket_len = LT_SESSION_MAX_TICKET + 1;
    EXPECT_EQ(lt_client_session_encode(&cs, buf, sizeof buf, &len), LT_ERR_USAGE);
    cs_max(&cs);
    cs.psk_len = 255;
    EXPECT_EQ(lt_client_session_encode(&cs, buf, sizeof buf, &len), LT_ERR_USAGE);
    cs_max(&cs);
    cs.version = 0;
    EXPECT_EQ(lt_client_session_encode(&cs, buf, sizeof buf, &len), LT_ERR_USAGE);
    cs_max(&cs);
    memset(cs.sni, 'b', sizeof cs.sni);
    EXPECT_EQ(lt_client_session_encode(&cs, buf, sizeof buf, &len), LT_ERR_USAGE);
    EXPECT_EQ(len, 0);
}

int main(void)
{
    LT_RUN(test_ticket_state_known_answer);
    LT_RUN(test_client_session_known_answer);
    LT_RUN(test_raw_writer_agrees);
    LT_RUN(test_ticket_state_round_trips);
    LT_RUN(test_client_session_round_trips);
    LT_RUN(test_ticket_state_truncations_and_trailing);
    LT_RUN(test_client_session_truncations_and_trailing);
    LT_RUN(test_format_version);
    LT_RUN(test_protocol_version);
    LT_RUN(test_psk_length);
    LT_RUN(test_ticket_length);
    LT_RUN(test_sni_nul);
    LT_RUN(test_sni_alpn_lengths);
    LT_RUN(test_encode_refuses_invalid);
    LT_RUN(test_tls12_fields);
    return lt_test_summary();
}
