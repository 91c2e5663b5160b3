/*
 * Serialized sessions (session.h). Both formats are a 2-byte format version,
 * then every field in a fixed order, big-endian, each variable field behind
 * its length:
 *
 *   ticket state (format 2)          client session (format 2)
 *     u16 format = 2                   u16 format = 2
 *     u16 version                      u16 version
 *     u16 suite                        u16 suite
 *     u8  psk_len, psk[psk_len]        u8  psk_len, psk[psk_len]
 *     u64 issued_s                     u16 ticket_len, ticket[ticket_len]
 *     u32 lifetime_s                   u64 received_ms
 *     u32 age_add                      u32 lifetime_s
 *     u8  ems                          u32 age_add
 *     u8  client_auth
 *     u8  sni_len, sni[sni_len]        u32 max_early_data
 *     u8  alpn_len, alpn[alpn_len]     u8  ems
 *                                      u8  sid_len, session_id[sid_len]
 *                                      u8  sni_len, sni[sni_len]
 *                                      u8  alpn_len, alpn[alpn_len]
 *
 * psk_len <= 48, ticket_len <= LT_SESSION_MAX_TICKET, sid_len <= 32, ems 0
 * or 1, the SNI has no NUL byte, version is TLS 1.2 or 1.3. The ticket may
 * be empty only in a TLS 1.2 session that has a session ID (RFC 5246
 * 7.4.1.2: resumption by ID alone); otherwise it has at least one byte.
 * Format 2 added ems and the session ID (TLS 1.2 resumption); format 1
 * blobs are refused (a client then does a full handshake). One struct has one encoding, so a
 * blob that decodes re-encodes to itself. The SNI and ALPN lengths are one
 * byte: the format cannot say more than 255 (RFC 6066 3 host names and
 * RFC 7301 3.1 protocol names are at most that long on the wire anyway).
 *
 * The encoder refuses (LT_ERR_USAGE) a struct the decoder would refuse, so
 * what we write we can read back.
 */
#include <string.h>

#include "base/limits.h"
#include "crypto/crypto.h"
#include "crypto/ticket.h"
#include "hs/session.h"

#define TICKET_STATE_FORMAT 2
#define CLIENT_SESSION_FORMAT 2
#define TICKET_STATE_MAX_ENCODED                                                                                       \
    (2 + 2 + 2 + 1 + LT_SESSION_MAX_PSK + 8 + 4 + 4 + 1 + 1 + LT_SESSION_MAX_SNI + 1 + LT_SESSION_MAX_ALPN)
#define CLIENT_SESSION_ENCODED_MAX                                                                                     \
    (2 + 2 + 2 + 1 + LT_SESSION_MAX_PSK + 2 + LT_SESSION_MAX_TICKET + 8 + 4 + 4 + 4 + 1 + 1 + 32 + 1 +                 \
     LT_SESSION_MAX_SNI + 1 + LT_SESSION_MAX_ALPN)

_Static_assert(CLIENT_SESSION_ENCODED_MAX <= LT_CLIENT_SESSION_MAX_ENCODED,
               "LT_CLIENT_SESSION_MAX_ENCODED is too small");
/* Our own tickets (the sealed ticket state) are sessions our client keeps. */
_Static_assert(TICKET_STATE_MAX_ENCODED + LT_TICKET_OVERHEAD <= LT_SESSION_MAX_TICKET,
               "a ticket of ours must fit in a client session");

/* ---- the pieces both formats share ---- */

static int version_ok(uint16_t v)
{
    return v == LT_TLS1_2 || v == LT_TLS1_3;
}

/* The SNI's length, or -1 when it has no terminating NUL within the array. */
static int sni_len(const char sni[LT_SESSION_MAX_SNI + 1])
{
    size_t n = strnlen(sni, LT_SESSION_MAX_SNI + 1);
    return n > LT_SESSION_MAX_SNI ? -1 : (int)n;
}

static void wr_u64(lt_wr *w, uint64_t v)
{
    lt_wr_u32(w, (uint32_t)(v >> 32));
    lt_wr_u32(w, (uint32_t)v);
}

static int rd_u64(lt_rd *r, uint64_t *v)
{
    uint32_t hi, lo;
    LT_GUARD(lt_rd_u32(r, &hi));
    LT_GUARD(lt_rd_u32(r, &lo));
    *v = ((uint64_t)hi << 32) | lo;
    return LT_OK;
}

static void wr_vec8(lt_wr *w, const void *p, uint8_t n)
{
    lt_wr_u8(w, n);
    lt_wr_bytes(w, p, n);
}

/* A <0..max> vector with a 1-byte length into dst; *n its length. */
static int rd_vec8(lt_rd *r, size_t max, void *dst, uint8_t *n)
{
    lt_rd sub;
    LT_GUARD(lt_rd_vec(r, 1, 0, max, &sub));
    *n = (uint8_t)lt_rd_left(&sub);
    return lt_rd_copy(&sub, dst, lt_rd_left(&sub));
}

/* The SNI: a host name, so no NUL byte inside (it becomes a C string). */
static int rd_sni(lt_rd *r, char sni[LT_SESSION_MAX_SNI + 1])
{
    lt_rd sub;
    const uint8_t *p;
    LT_GUARD(lt_rd_vec(r, 1, 0, LT_SESSION_MAX_SNI, &sub));
    size_t n = lt_rd_left(&sub);
    LT_GUARD(lt_rd_bytes(&sub, n, &p));
    LT_ENSURE(n == 0 || memchr(p, '\0', n) == NULL, LT_ERR_DECODE);
    if (n > 0) {
        memcpy(sni, p, n);
    }
    sni[n] = '\0';
    return LT_OK;
}

/* A flag: 0 or 1, so one struct has one encoding. */
static int rd_flag(lt_rd *r, uint8_t *v)
{
    LT_GUARD(lt_rd_u8(r, v));
    LT_ENSURE(*v <= 1, LT_ERR_DECODE);
    return LT_OK;
}

static int rd_format(lt_rd *r, uint16_t want)
{
    uint16_t format;
    LT_GUARD(lt_rd_u16(r, &format));
    LT_ENSURE(format == want, LT_ERR_DECODE);
    return LT_OK;
}

static int rd_version(lt_rd *r, uint16_t *v)
{
    LT_GUARD(lt_rd_u16(r, v));
    LT_ENSURE(version_ok(*v), LT_ERR_DECODE);
    return LT_OK;
}

static int finish(const lt_wr *w, size_t *len)
{
    LT_GUARD(lt_wr_finish(w));
    *len = w->off;
    return LT_OK;
}

/* ---- the server's ticket state ---- */

static int ticket_state_encodable(const lt_ticket_state *s)
{
    return version_ok(s->version) && s->psk_len <= LT_SESSION_MAX_PSK && s->ems <= 1 && s->client_auth <= 1 &&
           sni_len(s->sni) >= 0;
}

int lt_ticket_state_encode(const lt_ticket_state *s, uint8_t *out, size_t cap, size_t *len)
{
    LT_ENSURE(s != NULL && out != NULL && len != NULL, LT_ERR_USAGE);
    *len = 0;
    LT_ENSURE(ticket_state_encodable(s), LT_ERR_USAGE);
    lt_wr w = lt_wr_init(out, cap);
    lt_wr_u16(&w, TICKET_STATE_FORMAT);
    lt_wr_u16(&w, s->version);
    lt_wr_u16(&w, s->suite);
    wr_vec8(&w, s->psk, s->psk_len);
    wr_u64(&w, s->issued_s);
    lt_wr_u32(&w, s->lifetime_s);
    lt_wr_u32(&w, s->age_add);
    lt_wr_u8(&w, s->ems);
    lt_wr_u8(&w, s->client_auth);
    wr_vec8(&w, s->sni, (uint8_t)sni_len(s->sni));
    wr_vec8(&w, s->alpn, s->alpn_len);
    return finish(&w, len);
}

static int ticket_state_parse(lt_rd *r, lt_ticket_state *s)
{
    LT_GUARD(rd_format(r, TICKET_STATE_FORMAT));
    LT_GUARD(rd_version(r, &s->version));
    LT_GUARD(lt_rd_u16(r, &s->suite));
    LT_GUARD(rd_vec8(r, LT_SESSION_MAX_PSK, s->psk, &s->psk_len));
    LT_GUARD(rd_u64(r, &s->issued_s));
    LT_GUARD(lt_rd_u32(r, &s->lifetime_s));
    LT_GUARD(lt_rd_u32(r, &s->age_add));
    LT_GUARD(rd_flag(r, &s->ems));
    LT_GUARD(rd_flag(r, &s->client_auth));
    LT_GUARD(rd_sni(r, s->sni));
    LT_GUARD(rd_vec8(r, LT_SESSION_MAX_ALPN, s->alpn, &s->alpn_len));
    return lt_rd_done(r);
}

int lt_ticket_state_decode(const uint8_t *in, size_t len, lt_ticket_state *out)
{
    LT_ENSURE(out != NULL, LT_ERR_USAGE);
    memset(out, 0, sizeof *out);
    LT_ENSURE(in != NULL || len == 0, LT_ERR_USAGE);
    lt_rd r = lt_rd_init(in, len);
    int rc = ticket_state_parse(&r, out);
    if (rc != LT_OK) {
        lt_wipe(out, sizeof *out);
    }
    return rc;
}

/* ---- the client's session ---- */

/* The ticket may be empty only when a TLS 1.2 session ID stands in for it. */
static int ticket_len_ok(uint16_t version, size_t ticket_len, size_t sid_len)
{
    size_t min = version == LT_TLS1_2 && sid_len > 0 ? 0 : 1;
    return ticket_len >= min && ticket_len <= LT_SESSION_MAX_TICKET;
}

static int client_session_encodable(const lt_client_session *s)
{
    return version_ok(s->version) && s->psk_len <= LT_SESSION_MAX_PSK && s->session_id_len <= 32 &&
           ticket_len_ok(s->version, s->ticket_len, s->session_id_len) && s->ems <= 1 && sni_len(s->sni) >= 0;
}

int lt_client_session_encode(const lt_client_session *s, uint8_t *out, size_t cap, size_t *len)
{
    LT_ENSURE(s != NULL && out != NULL && len != NULL, LT_ERR_USAGE);
    *len = 0;
    LT_ENSURE(client_session_encodable(s), LT_ERR_USAGE);
    lt_wr w = lt_wr_init(out, cap);
    lt_wr_u16(&w, CLIENT_SESSION_FORMAT);
    lt_wr_u16(&w, s->version);
    lt_wr_u16(&w, s->suite);
    wr_vec8(&w, s->psk, s->psk_len);
    lt_wr_u16(&w, s->ticket_len);
    lt_wr_bytes(&w, s->ticket, s->ticket_len);
    wr_u64(&w, s->received_ms);
    lt_wr_u32(&w, s->lifetime_s);
    lt_wr_u32(&w, s->age_add);
    lt_wr_u32(&w, s->max_early_data);
    lt_wr_u8(&w, s->ems);
    wr_vec8(&w, s->session_id, s->session_id_len);
    wr_vec8(&w, s->sni, (uint8_t)sni_len(s->sni));
    wr_vec8(&w, s->alpn, s->alpn_len);
    return finish(&w, len);
}

static int rd_ticket(lt_rd *r, lt_client_session *s)
{
    lt_rd sub;
    /* RFC 8446 4.6.1: opaque ticket<1..2^16-1>; we keep at most
     * LT_SESSION_MAX_TICKET of it. An empty one (a TLS 1.2 session ID
     * only) is judged once the session ID is read. */
    LT_GUARD(lt_rd_vec(r, 2, 0, LT_SESSION_MAX_TICKET, &sub));
    s->ticket_len = (uint16_t)lt_rd_left(&sub);
    return lt_rd_copy(&sub, s->ticket, s->ticket_len);
}

static int client_session_parse(lt_rd *r, lt_client_session *s)
{
    LT_GUARD(rd_format(r, CLIENT_SESSION_FORMAT));
    LT_GUARD(rd_version(r, &s->version));
    LT_GUARD(lt_rd_u16(r, &s->suite));
    LT_GUARD(rd_vec8(r, LT_SESSION_MAX_PSK, s->psk, &s->psk_len));
    LT_GUARD(rd_ticket(r, s));
    LT_GUARD(rd_u64(r, &s->received_ms));
    LT_GUARD(lt_rd_u32(r, &s->lifetime_s));
    LT_GUARD(lt_rd_u32(r, &s->age_add));
    LT_GUARD(lt_rd_u32(r, &s->max_early_data));
    LT_GUARD(rd_flag(r, &s->ems));
    LT_GUARD(rd_vec8(r, sizeof s->session_id, s->session_id, &s->session_id_len));
    LT_ENSURE(ticket_len_ok(s->version, s->ticket_len, s->session_id_len), LT_ERR_DECODE);
    LT_GUARD(rd_sni(r, s->sni));
    LT_GUARD(rd_vec8(r, LT_SESSION_MAX_ALPN, s->alpn, &s->alpn_len));
    return lt_rd_done(r);
}

int lt_client_session_decode(const uint8_t *in, size_t len, lt_client_session *out)
{
    LT_ENSURE(out != NULL, LT_ERR_USAGE);
    memset(out, 0, sizeof *out);
    LT_ENSURE(in != NULL || len == 0, LT_ERR_USAGE);
    lt_rd r = lt_rd_init(in, len);
    int rc = client_session_parse(&r, out);
    if (rc != LT_OK) {
        lt_wipe(out, sizeof *out);
    }
    return rc;
}
