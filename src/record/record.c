#include "record/record.h"

#include <stdlib.h>
#include <string.h>

const char *lt_content_type_name(uint8_t type)
{
    switch (type) {
    case LT_CT_CHANGE_CIPHER_SPEC: return "change_cipher_spec";
    case LT_CT_ALERT: return "alert";
    case LT_CT_HANDSHAKE: return "handshake";
    case LT_CT_APPLICATION_DATA: return "application_data";
    default: return "unknown";
    }
}

int lt_record_init(lt_record *r)
{
    memset(r, 0, sizeof *r);
    r->write_version = LT_TLS1_2;
    return LT_OK;
}

/* The buffers held plaintext: wipe what was used, then free. */
static void free_in(lt_record *r)
{
    if (r->in != NULL) {
        lt_wipe(r->in, r->in_high);
        free(r->in);
    }
    r->in = NULL;
    r->in_len = 0;
    r->in_high = 0;
    r->in_opened = 0;
}

static void free_out(lt_record *r)
{
    if (r->out != NULL) {
        lt_wipe(r->out, r->out_high);
        free(r->out);
    }
    r->out = NULL;
    r->out_cap = 0;
    r->out_off = 0;
    r->out_len = 0;
    r->out_high = 0;
}

void lt_record_free(lt_record *r)
{
    free_in(r);
    free_out(r);
    lt_rc_free(r->read_rc);
    lt_rc_free(r->write_rc);
    memset(r, 0, sizeof *r);
}

void lt_record_release_buffers(lt_record *r)
{
    /* Only when nothing is in flight: no partial or unread record in, no
     * pending bytes out. They come back on the next use. */
    if (r->in_len == 0 || r->in_opened) {
        free_in(r);
    }
    if (r->out_off == r->out_len) {
        free_out(r);
    }
}

static int is_known_content_type(uint8_t t)
{
    return t == LT_CT_CHANGE_CIPHER_SPEC || t == LT_CT_ALERT || t == LT_CT_HANDSHAKE || t == LT_CT_APPLICATION_DATA;
}

static size_t record_body_len(const lt_record *r)
{
    return ((size_t)r->in[3] << 8) | r->in[4];
}

static int reads_tls13(const lt_record *r)
{
    return r->read_rc != NULL && lt_rc_version(r->read_rc) == LT_TLS1_3;
}

/* The most a record body may hold: 2^14 before keys (RFC 5246 6.2.1, RFC
 * 8446 5.1), then the ciphertext limit of the read keys' version (RFC 5246
 * 6.2.3: 2^14 + 2048; RFC 8446 5.2: 2^14 + 256). */
static size_t max_body_len(const lt_record *r)
{
    return r->read_rc == NULL ? LT_MAX_PLAINTEXT : lt_max_ciphertext(lt_rc_version(r->read_rc));
}

/* What protection adds to each record we send now. */
static size_t write_overhead(const lt_record *r)
{
    return r->write_rc == NULL ? 0 : lt_rc_overhead(r->write_rc);
}

/* RFC 5246 6.2.1 and 6.2.3, RFC 8446 5.1 and 5.2: check what the header
 * promises before waiting for the body, so a peer cannot make us buffer
 * more than one record. */
static int check_header(const lt_record *r)
{
    uint8_t type = r->in[0];
    uint16_t version = (uint16_t)(r->in[1] << 8 | r->in[2]);
    size_t len = record_body_len(r);

    /* "If a TLS implementation receives an unexpected record type, it MUST
     * send an unexpected_message alert" (RFC 5246 6). */
    LT_ENSURE(is_known_content_type(type), LT_ERR_UNEXPECTED_MESSAGE);
    LT_ENSURE((version >> 8) == 3, LT_ERR_PROTOCOL_VERSION);
    LT_ENSURE(r->read_version == 0 || version == r->read_version, LT_ERR_PROTOCOL_VERSION);
    /* "The length MUST NOT exceed 2^14 + 2048" (6.2.3; 2^14 + 256 in RFC
     * 8446 5.2); plaintext records may not exceed 2^14 (6.2.1). */
    LT_ENSURE(len <= max_body_len(r), LT_ERR_RECORD_OVERFLOW);
    return LT_OK;
}

uint8_t *lt_record_in_space(lt_record *r, size_t *room)
{
    if (r->in == NULL) {
        /* Allocated on first use, and again after lt_record_release_buffers. */
        r->in = malloc(LT_RECORD_IN_CAP);
        if (r->in == NULL) {
            *room = 0;
            return NULL;
        }
    }
    if (r->in_opened) {
        r->in_len = 0;
        r->in_opened = 0;
    }
    if (r->in_len < LT_RECORD_HEADER_LEN) {
        *room = LT_RECORD_HEADER_LEN - r->in_len;
    } else {
        *room = LT_RECORD_HEADER_LEN + record_body_len(r) - r->in_len;
    }
    return r->in + r->in_len;
}

int lt_record_in_commit(lt_record *r, size_t n)
{
    size_t room;
    (void)lt_record_in_space(r, &room);
    LT_ENSURE(n <= room, LT_ERR_USAGE);
    int header_was_partial = r->in_len < LT_RECORD_HEADER_LEN;
    r->in_len += n;
    if (r->in_len > r->in_high) {
        r->in_high = r->in_len;
    }
    if (header_was_partial && r->in_len == LT_RECORD_HEADER_LEN) {
        return check_header(r);
    }
    return LT_OK;
}

int lt_record_absorb(lt_record *r, const uint8_t *in, size_t len, size_t *consumed)
{
    *consumed = 0;
    while (len > 0 && !lt_record_ready(r)) {
        size_t room;
        uint8_t *dst = lt_record_in_space(r, &room);
        LT_ENSURE(dst != NULL, LT_ERR_NOMEM);
        size_t take = room < len ? room : len;
        memcpy(dst, in, take);
        *consumed += take;
        in += take;
        len -= take;
        LT_GUARD(lt_record_in_commit(r, take));
    }
    return LT_OK;
}

int lt_record_ready(const lt_record *r)
{
    return !r->in_opened && r->in_len >= LT_RECORD_HEADER_LEN && r->in_len == LT_RECORD_HEADER_LEN + record_body_len(r);
}

/* Fails with err, saying why. */
static int refuse(lt_record *r, int err, const char *why)
{
    r->problem = why;
    return err;
}

static int is_ccs_byte(const uint8_t *p, size_t n)
{
    return n == 1 && p[0] == 1;
}

/* RFC 8446 5: under TLS 1.3 keys the only record that may come unprotected
 * is the middlebox-compatibility change_cipher_spec, the single byte 0x01;
 * "An implementation which receives any other change_cipher_spec value or
 * which receives a protected change_cipher_spec record MUST abort the
 * handshake with an unexpected_message alert". */
static int check_tls13_unprotected(lt_record *r, uint8_t type, const uint8_t *p, size_t n)
{
    if (type == LT_CT_ALERT && r->plain_alert_ok) {
        return LT_OK; /* lt_record_allow_plaintext_alert */
    }
    if (type != LT_CT_CHANGE_CIPHER_SPEC) {
        return refuse(r, LT_ERR_UNEXPECTED_MESSAGE,
                      "an unprotected record under TLS 1.3 keys (only the middlebox ChangeCipherSpec may be, RFC "
                      "8446 5)");
    }
    if (!is_ccs_byte(p, n)) {
        return refuse(r, LT_ERR_UNEXPECTED_MESSAGE, "a ChangeCipherSpec that is not the single byte 1 (RFC 8446 5)");
    }
    return LT_OK;
}

/* RFC 8446 5: the inner type must be one we know and not
 * change_cipher_spec; 5.4: "Implementations MUST NOT send Handshake and
 * Alert records that have a zero-length TLSInnerPlaintext.content; if such
 * a message is received, the receiving implementation MUST terminate the
 * connection with an unexpected_message alert." */
static int check_tls13_inner(lt_record *r, uint8_t type, size_t n)
{
    if (type == LT_CT_CHANGE_CIPHER_SPEC) {
        return refuse(r, LT_ERR_UNEXPECTED_MESSAGE, "a protected ChangeCipherSpec (RFC 8446 5)");
    }
    if (!is_known_content_type(type)) {
        return refuse(r, LT_ERR_UNEXPECTED_MESSAGE,
                      type == 0 ? "no content type inside the protected record (all zeros, RFC 8446 5.4)"
                                : "an unknown content type inside the protected record (RFC 8446 5.4)");
    }
    if (n == 0 && type != LT_CT_APPLICATION_DATA) {
        return refuse(r, LT_ERR_UNEXPECTED_MESSAGE, "an empty handshake or alert record (RFC 8446 5.4)");
    }
    return LT_OK;
}

/* What a record that opened may hold. */
static int check_opened(lt_record *r, uint8_t type, size_t pt_len)
{
    /* "TLSCompressed.length MUST NOT exceed 2^14 + 1024" and plaintext
     * MUST NOT exceed 2^14 (6.2.1); we have no compression. */
    LT_ENSURE(pt_len <= LT_MAX_PLAINTEXT, LT_ERR_RECORD_OVERFLOW);
    if (reads_tls13(r)) {
        LT_GUARD(check_tls13_inner(r, type, pt_len));
    }
    return LT_OK;
}

const char *lt_record_problem(const lt_record *r)
{
    return r->problem;
}

void lt_record_skip_early_data(lt_record *r)
{
    r->early_skipping = 1;
    r->early_budget = LT_MAX_EARLY_DATA_SKIP;
}

void lt_record_allow_plaintext_alert(lt_record *r)
{
    r->plain_alert_ok = 1;
}

/* RFC 8446 4.2.10: is this a record of refused early data, to drop? With
 * no read keys (after HelloRetryRequest) every application_data record is;
 * with keys, one that does not open under them. A record that opens ends
 * the skipping: it is the client's next flight. More early data than we
 * allow is unexpected_message (4.2.10: "If ... the server ... receive[s]
 * more than max_early_data_size bytes ..., it MUST terminate the
 * connection with an "unexpected_message" alert"). */
static int drop_early_data(lt_record *r, size_t frag_len, uint8_t *type, uint8_t **pt, size_t *pt_len)
{
    if (frag_len > r->early_budget) {
        return refuse(r, LT_ERR_UNEXPECTED_MESSAGE,
                      "more refused early data than we skip (RFC 8446 4.2.10: at most LT_MAX_EARLY_DATA_SKIP bytes)");
    }
    r->early_budget -= frag_len;
    *type = LT_CT_DROPPED;
    *pt = NULL;
    *pt_len = 0;
    return LT_OK;
}

int lt_record_open(lt_record *r, uint8_t *type, uint8_t **pt, size_t *pt_len)
{
    LT_ENSURE(lt_record_ready(r), LT_ERR_INTERNAL);
    r->in_opened = 1;
    r->problem = NULL;
    size_t frag_len = record_body_len(r);
    uint8_t *frag = r->in + LT_RECORD_HEADER_LEN;
    int counted = 1;
    *type = r->in[0];
    if (r->early_skipping && *type == LT_CT_APPLICATION_DATA) {
        if (r->read_rc == NULL) {
            return drop_early_data(r, frag_len, type, pt, pt_len);
        }
        if (lt_rc_open(r->read_rc, r->read_seq, r->in, frag, frag_len, type, pt, pt_len) != LT_OK) {
            return drop_early_data(r, frag_len, type, pt, pt_len);
        }
        r->early_skipping = 0;
        r->plain_alert_ok = 0;
        LT_GUARD(check_opened(r, *type, *pt_len));
    } else if (r->read_rc == NULL) {
        *pt = frag;
        *pt_len = frag_len;
    } else if (reads_tls13(r) && *type != LT_CT_APPLICATION_DATA) {
        /* Not protected, so not under the key's sequence numbers. */
        LT_GUARD(check_tls13_unprotected(r, *type, frag, frag_len));
        *pt = frag;
        *pt_len = frag_len;
        counted = 0;
    } else {
        /* Every authentication failure inside is LT_ERR_BAD_RECORD_MAC
         * (RFC 5246 6.2.3.2, RFC 8446 5.2); the type that comes out is the
         * real one. */
        int rc = lt_rc_open(r->read_rc, r->read_seq, r->in, frag, frag_len, type, pt, pt_len);
        if (rc == LT_ERR_UNEXPECTED_MESSAGE) {
            /* The TLS 1.3 scheme found no non-zero byte to be the type. */
            return refuse(r, rc, "no content type inside the protected record (all zeros, RFC 8446 5.4)");
        }
        LT_GUARD(rc);
        r->plain_alert_ok = 0; /* the peer uses its keys now */
        LT_GUARD(check_opened(r, *type, *pt_len));
    }
    if (r->observer != NULL) {
        r->observer(r->observer_arg, 0, *type, r->read_seq, *pt_len, frag_len + LT_RECORD_HEADER_LEN,
                    r->read_rc != NULL && counted);
    }
    if (counted) {
        /* A sequence number never wraps (RFC 5246 6.1, RFC 8446 5.3): we
         * would have to rekey, so 2^64 records is a hard end. */
        LT_ENSURE(r->read_seq != UINT64_MAX, LT_ERR_INTERNAL);
        r->read_seq++;
    }
    return LT_OK;
}

size_t lt_record_pending(const lt_record *r)
{
    return r->out_len - r->out_off;
}

size_t lt_record_write_room(const lt_record *r)
{
    size_t pending = lt_record_pending(r);
    if (pending >= LT_OUT_QUEUE_CAP) {
        return 0;
    }
    const size_t per_record = LT_RECORD_HEADER_LEN + write_overhead(r);
    size_t room = LT_OUT_QUEUE_CAP - pending;
    size_t whole = room / (LT_MAX_PLAINTEXT + per_record);
    size_t rest = room % (LT_MAX_PLAINTEXT + per_record);
    return whole * LT_MAX_PLAINTEXT + (rest > per_record ? rest - per_record : 0);
}

int lt_record_out_full(const lt_record *r)
{
    return lt_record_pending(r) > LT_OUT_QUEUE_CAP;
}

/* The output queue is not an lt_buf (crypto/buf.h): once a record is sealed
 * in place it holds only ciphertext, so it need not be wiped on every move
 * (which would cost a pass over each 16 KiB record on the bulk path); it is
 * a queue with a read offset, compacted lazily, and wiped as far as it was
 * ever used (out_high) when it goes. */
static int reserve_out(lt_record *r, size_t need)
{
    if (r->out_off == r->out_len) {
        r->out_off = 0;
        r->out_len = 0;
    }
    if (r->out_cap - r->out_len >= need) {
        return LT_OK;
    }
    if (r->out_off > 0) {
        memmove(r->out, r->out + r->out_off, r->out_len - r->out_off);
        r->out_len -= r->out_off;
        r->out_off = 0;
        if (r->out_cap - r->out_len >= need) {
            return LT_OK;
        }
    }
    /* The first buffer holds a full record under any keys, so that a bulk
     * transfer after the handshake does not have to grow it. */
    size_t cap = r->out_cap ? r->out_cap : (LT_RECORD_HEADER_LEN + LT_MAX_PLAINTEXT + LT_RC_MAX_OVERHEAD);
    while (cap - r->out_len < need) {
        cap *= 2;
    }
    uint8_t *p = malloc(cap);
    LT_ENSURE(p != NULL, LT_ERR_NOMEM);
    if (r->out != NULL) {
        memcpy(p, r->out, r->out_len);
        lt_wipe(r->out, r->out_high);
        free(r->out);
    }
    r->out = p;
    r->out_cap = cap;
    return LT_OK;
}

static int write_one(lt_record *r, uint8_t type, const uint8_t *data, size_t len)
{
    /* One hard cap on every byte we queue, whatever produced it. By
     * construction it is never reached (writes stop at LT_OUT_QUEUE_CAP,
     * input stops past it, and one input adds at most a flight); this is
     * the check that keeps it so. */
    const size_t most = LT_RECORD_HEADER_LEN + len + write_overhead(r);
    LT_ENSURE(lt_record_pending(r) + most <= LT_OUT_HARD_CAP, LT_ERR_INTERNAL);
    LT_GUARD(reserve_out(r, most));
    uint8_t *hdr = r->out + r->out_len;
    hdr[0] = type;
    lt_put_u16(hdr + 1, r->write_version);
    size_t frag_len = len;
    if (r->write_rc == NULL) {
        if (len > 0) {
            memcpy(hdr + LT_RECORD_HEADER_LEN, data, len);
        }
    } else {
        /* Sealed straight from the caller's data: no plaintext copy. */
        LT_ENSURE(r->write_seq != UINT64_MAX, LT_ERR_INTERNAL);
        LT_GUARD(
            lt_rc_seal_from(r->write_rc, r->write_seq, type, hdr, hdr + LT_RECORD_HEADER_LEN, data, len, &frag_len));
    }
    lt_put_u16(hdr + 3, (uint16_t)frag_len);
    r->out_len += LT_RECORD_HEADER_LEN + frag_len;
    if (r->out_len > r->out_high) {
        r->out_high = r->out_len;
    }
    if (r->observer != NULL) {
        r->observer(r->observer_arg, 1, type, r->write_seq, len, LT_RECORD_HEADER_LEN + frag_len, r->write_rc != NULL);
    }
    if (r->write_rc != NULL) {
        r->write_seq++;
    }
    return LT_OK;
}

int lt_record_write(lt_record *r, uint8_t type, const uint8_t *data, size_t len)
{
    /* Zero-length application data is allowed and sent as one record; other
     * types never go out empty (RFC 5246 6.2.1). */
    if (len == 0) {
        LT_ENSURE(type == LT_CT_APPLICATION_DATA, LT_ERR_INTERNAL);
        return write_one(r, type, data, 0);
    }
    while (len > 0) {
        size_t n = len < LT_MAX_PLAINTEXT ? len : LT_MAX_PLAINTEXT;
        LT_GUARD(write_one(r, type, data, n));
        data += n;
        len -= n;
    }
    return LT_OK;
}

void lt_record_set_read_cipher(lt_record *r, lt_rc *rc)
{
    lt_rc_free(r->read_rc);
    r->read_rc = rc;
    r->read_seq = 0;
    /* Early data is skipped only under the keys it was refused with, and a
     * plaintext alert accepted only before the first keys are used. */
    r->early_skipping = 0;
    r->plain_alert_ok = 0;
}

void lt_record_set_write_cipher(lt_record *r, lt_rc *rc)
{
    lt_rc_free(r->write_rc);
    r->write_rc = rc;
    r->write_seq = 0;
}

void lt_record_set_versions(lt_record *r, uint16_t write_version, uint16_t read_version)
{
    r->write_version = write_version;
    r->read_version = read_version;
}

const uint8_t *lt_record_out_peek(const lt_record *r, size_t *len)
{
    *len = lt_record_pending(r);
    /* No output buffer yet: NULL, not NULL + 0 (undefined behaviour). */
    return r->out != NULL ? r->out + r->out_off : NULL;
}

void lt_record_out_consume(lt_record *r, size_t n)
{
    size_t pending = lt_record_pending(r);
    r->out_off += n < pending ? n : pending;
}

int lt_record_is_protected(const lt_record *r, int write_dir)
{
    return (write_dir ? r->write_rc : r->read_rc) != NULL;
}

uint64_t lt_record_read_seq(const lt_record *r)
{
    return r->read_seq;
}

uint64_t lt_record_write_seq(const lt_record *r)
{
    return r->write_seq;
}

void lt_record_set_observer(lt_record *r, lt_record_observer fn, void *arg)
{
    r->observer = fn;
    r->observer_arg = arg;
}
