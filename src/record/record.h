/*
 * The record layer (RFC 5246 6.2, RFC 8446 5): framing, fragmentation, and
 * record protection through the cipher objects of src/crypto. It knows
 * content types but nothing about handshake messages. Only this file's
 * functions touch an lt_record's fields.
 *
 * Input: lt_record_absorb() buffers bytes until one whole record is there
 * (never more than one), lt_record_open() then checks and decrypts it in
 * place. Output: lt_record_write() fragments into records of at most 2^14
 * plaintext bytes, protects them and appends them to the output buffer.
 */
#ifndef LT_RECORD_H
#define LT_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "base/bytes.h"
#include "base/limits.h"
#include "crypto/crypto.h"

/* The input buffer holds one record of the largest kind any version allows
 * (TLS 1.2's 2^14 + 2048; TLS 1.3 allows less). */
#define LT_RECORD_IN_CAP (LT_RECORD_HEADER_LEN + LT_MAX_CIPHERTEXT_TLS12)
/* Output bounds (public, documented in lucidtls.h): application writes fill
 * the queue up to LT_OUT_QUEUE_CAP; input is refused while more than that
 * is queued; nothing is ever queued past LT_OUT_HARD_CAP. What protection
 * adds to each record is the write cipher's lt_rc_overhead. */

/* ContentType (RFC 5246 6.2.1). */
enum { LT_CT_CHANGE_CIPHER_SPEC = 20, LT_CT_ALERT = 21, LT_CT_HANDSHAKE = 22, LT_CT_APPLICATION_DATA = 23 };
const char *lt_content_type_name(uint8_t type);

/* Called once per record we write (protect = 1) or read (protect = 0), for
 * the trace; type is the real content type, and keyed says whether the
 * record really was protected (a TLS 1.3 middlebox ChangeCipherSpec comes
 * in the clear under read keys). */
typedef void (*lt_record_observer)(void *arg, int protect, uint8_t type, uint64_t seq, size_t pt_len, size_t record_len,
                                   int keyed);

typedef struct lt_record {
    /* Input: one record at most. */
    uint8_t *in; /* LT_RECORD_IN_CAP bytes, allocated on first use */
    size_t in_len;
    size_t in_high; /* how much of it ever held data: what to wipe */
    int in_opened;  /* the buffered record was handed out; drop it on the next absorb */
    /* Output: protected records waiting to be sent, [out_off, out_len). */
    uint8_t *out;
    size_t out_off;
    size_t out_len;
    size_t out_cap;
    size_t out_high;
    /* Protection state per direction; NULL until ChangeCipherSpec. */
    lt_rc *read_rc;
    lt_rc *write_rc;
    uint64_t read_seq;
    uint64_t write_seq;
    /* Version written in outgoing record headers, and the one required on
     * incoming records (0: any 3.x, before the version is negotiated). */
    uint16_t write_version;
    uint16_t read_version;
    lt_record_observer observer;
    void *observer_arg;
    /* TLS 1.3 server that refused early data (RFC 8446 4.2.10): skipping
     * until a record opens or the keys change, with early_budget ciphertext
     * bytes it may still drop. */
    int early_skipping;
    size_t early_budget;
    /* TLS 1.3 server: the client may send its first alert before it
     * switches to its handshake keys (see lt_record_allow_plaintext_alert). */
    int plain_alert_ok;
    /* Why the last lt_record_open failed, when more can be said than the
     * error code does (a static string), else NULL. */
    const char *problem;
} lt_record;

/* What the last failed lt_record_open found, in words, or NULL. */
const char *lt_record_problem(const lt_record *r);

/* The content type lt_record_open reports for a record it dropped. */
#define LT_CT_DROPPED 0
/* RFC 8446 4.2.10: a server that does not accept the client's early data
 * "skip[s] past early data" — application_data records it cannot open
 * under its current read keys (or, with no read keys yet, after a
 * HelloRetryRequest, every application_data record) — "up to the configured
 * max_early_data_size". We never accept early data and advertise no size,
 * so this is our bound. */
#define LT_MAX_EARLY_DATA_SKIP 32768
/* Start dropping (until a record opens, the keys change, or the budget is
 * spent: then a record that does not open fails as usual). */
void lt_record_skip_early_data(lt_record *r);
/* A TLS 1.3 server, right after it installs the client's handshake keys:
 * until the first protected record from the client opens, an unprotected
 * alert record is read as the client's alert. Clients built on OpenSSL send
 * the alert for a certificate they refuse before they switch keys; RFC 8446
 * 6 ("encrypted as specified by the current connection state") leaves the
 * moment to them, and s_server accepts it too. */
void lt_record_allow_plaintext_alert(lt_record *r);

LT_MUST_USE int lt_record_init(lt_record *r);
void lt_record_free(lt_record *r);

/* Buffers input toward one whole record; *consumed says how much was taken.
 * Header checks happen as soon as the header is in: an unknown content type
 * (unexpected_message), a bad version (protocol_version), or a length over
 * the limit (record_overflow: 2^14 in plaintext, 2^14 + 2048 under TLS 1.2
 * keys, 2^14 + 256 under TLS 1.3 keys) fail here, before the body is waited
 * for. */
LT_MUST_USE int lt_record_absorb(lt_record *r, const uint8_t *in, size_t len, size_t *consumed);
int lt_record_ready(const lt_record *r);
/* Zero-copy input: where the next bytes go, and how many the current record
 * still needs (the rest of the header, or the rest of the body); 0 when a
 * whole record is buffered. A caller that reads from a socket can read
 * straight into it, then commit what it got. */
uint8_t *lt_record_in_space(lt_record *r, size_t *room);
LT_MUST_USE int lt_record_in_commit(lt_record *r, size_t n);
/* Checks and decrypts the buffered record. *type is the real content type
 * (under TLS 1.3 keys, the one inside the record); *pt points into the input
 * buffer and stays valid until the next absorb. Under TLS 1.3 read keys:
 *   - an unprotected change_cipher_spec record of the one byte 0x01 comes
 *     out as it is (RFC 8446 5: middlebox compatibility; the caller drops it
 *     or refuses it, knowing the handshake state), and uses no sequence
 *     number; any other unprotected record is unexpected_message;
 *   - a protected record whose inner type is change_cipher_spec or unknown,
 *     or a protected handshake or alert record with no content, is
 *     unexpected_message (RFC 8446 5, 5.4). */
LT_MUST_USE int lt_record_open(lt_record *r, uint8_t *type, uint8_t **pt, size_t *pt_len);

/* Appends data as protected records of at most 2^14 bytes each. Fails with
 * LT_ERR_INTERNAL rather than queue a byte past LT_OUT_HARD_CAP. */
LT_MUST_USE int lt_record_write(lt_record *r, uint8_t type, const uint8_t *data, size_t len);
size_t lt_record_pending(const lt_record *r);
/* Plaintext bytes that can be written before the protected records would
 * pass LT_OUT_QUEUE_CAP (counting the write cipher's overhead for each record). */
size_t lt_record_write_room(const lt_record *r);
/* More than LT_OUT_QUEUE_CAP is queued: only replies to input get there, so
 * the caller must drain output before any more input is taken. */
int lt_record_out_full(const lt_record *r);
/* Free the input and output buffers if nothing is in flight; they are
 * allocated again on the next use. */
void lt_record_release_buffers(lt_record *r);

/* Switch a direction to new keys (on ChangeCipherSpec, or a TLS 1.3 key
 * change): takes ownership of rc, frees the old state, and resets the
 * sequence number to 0 (RFC 5246 6.1, RFC 8446 5.3). */
void lt_record_set_read_cipher(lt_record *r, lt_rc *rc);
void lt_record_set_write_cipher(lt_record *r, lt_rc *rc);

/* Accessors, so that no other layer touches the fields. */
/* The version written in outgoing record headers, and the one required on
 * incoming ones (0: any 3.x, before the version is negotiated). */
void lt_record_set_versions(lt_record *r, uint16_t write_version, uint16_t read_version);
/* The protected records waiting to be sent: *len bytes at the result (NULL
 * when there is no output buffer yet); consume drops the first n of them
 * (at most what is pending). */
const uint8_t *lt_record_out_peek(const lt_record *r, size_t *len);
void lt_record_out_consume(lt_record *r, size_t n);
/* Are records in that direction (write_dir 1: ours, 0: the peer's)
 * protected? */
int lt_record_is_protected(const lt_record *r, int write_dir);
/* The sequence number of the next record to be opened. */
uint64_t lt_record_read_seq(const lt_record *r);
/* The sequence number of the next record we protect (records sent under
 * the current write keys). */
uint64_t lt_record_write_seq(const lt_record *r);
/* fn is called for every record protected or unprotected; NULL for none. */
void lt_record_set_observer(lt_record *r, lt_record_observer fn, void *arg);

#endif
