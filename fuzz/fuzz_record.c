/*
 * libFuzzer target for the record layer (src/record/record.c) and the record
 * ciphers under it (src/crypto/record_cipher.c).
 *
 * Input:
 *   byte 0   protection mode (% 8): 0 plaintext, 1 AES-128-CBC/HMAC-SHA256,
 *            2 AES-128-GCM, 3 AES-256-CBC/HMAC-SHA1, 4 AES-256-GCM,
 *            5 ChaCha20-Poly1305, 6 AES-128-CBC/HMAC-SHA256 encrypt-then-MAC
 *            (TLS 1.2 all), 7 TLS 1.3 AES-128-GCM, with the fixed keys of
 *            fuzz_record_rc()
 *   byte 1   bits 0-2: bytes per lt_record_absorb call (all, 1, 2, 3, 5,
 *            7, 16, 300); bit 3: pin the read version to 0x0303 as after
 *            the hellos
 *   rest     the byte stream from the network
 *
 * The stream is absorbed chunk by chunk and each complete record opened, in
 * a loop, as lt_conn_feed does. Checked: no crash or sanitizer report, every
 * error is one the header documents for that call, absorb never takes more
 * than one record, the plaintext lies inside the input buffer and is at most
 * 2^14 bytes. For protected modes, every record that opens is sealed again
 * with the same keys and opened by a second cipher object: the round trip
 * must give the same plaintext and content type. Under TLS 1.3 keys the type
 * that comes out is the inner one, never change_cipher_spec or unknown,
 * except the unprotected middlebox change_cipher_spec (the byte 1), which
 * uses no sequence number.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/limits.h"
#include "fuzz_common.h"
#include "record/record.h"

#define CHECK(cond)                                                                                                    \
    do {                                                                                                               \
        if (!(cond)) {                                                                                                 \
            __builtin_trap();                                                                                          \
        }                                                                                                              \
    } while (0)

static const size_t CHUNKS[8] = {0, 1, 2, 3, 5, 7, 16, 300};

typedef struct ciphers {
    lt_rc *seal;
    lt_rc *open;
} ciphers;

/* One pair of extra cipher objects per mode, made once: key setup is not
 * what we fuzz, and making them per input would dominate the run time. */
static ciphers g_verify[FUZZ_RECORD_MODES];
static uint8_t g_buf[LT_MAX_PLAINTEXT + 512];
static volatile uint8_t g_sink;

static void touch(const uint8_t *p, size_t n)
{
    /* Read every plaintext byte so ASan sees any pointer past the buffer. */
    uint8_t x = 0;
    for (size_t i = 0; i < n; i++) {
        x ^= p[i];
    }
    g_sink = x;
}

static void round_trip(unsigned mode, uint64_t seq, const uint8_t hdr_in[5], uint8_t type, const uint8_t *pt,
                       size_t pt_len)
{
    ciphers *c = &g_verify[mode];
    size_t prefix = lt_rc_prefix_len(c->seal);
    CHECK(prefix + pt_len <= sizeof g_buf);
    memcpy(g_buf + prefix, pt, pt_len);
    uint8_t hdr[5] = {type, hdr_in[1], hdr_in[2], 0, 0};
    size_t frag_len = 0;
    CHECK(lt_rc_seal(c->seal, seq, type, hdr, g_buf, pt_len, &frag_len) == LT_OK);
    CHECK(frag_len > pt_len && frag_len <= LT_MAX_CIPHERTEXT_TLS12);
    CHECK(((size_t)hdr[3] << 8 | hdr[4]) == frag_len);
    uint8_t *pt2 = NULL, type2 = 0;
    size_t pt2_len = 0;
    CHECK(lt_rc_open(c->open, seq, hdr, g_buf, frag_len, &type2, &pt2, &pt2_len) == LT_OK);
    CHECK(type2 == type);
    CHECK(pt2_len == pt_len && pt2 >= g_buf && pt2 + pt2_len <= g_buf + sizeof g_buf);
    CHECK(pt_len == 0 || memcmp(pt2, pt, pt_len) == 0);
    /* A different sequence number must not verify (replay/reorder). */
    memcpy(g_buf + prefix, pt, pt_len);
    CHECK(lt_rc_seal(c->seal, seq, type, hdr, g_buf, pt_len, &frag_len) == LT_OK);
    CHECK(lt_rc_open(c->open, seq + 1, hdr, g_buf, frag_len, &type2, &pt2, &pt2_len) == LT_ERR_BAD_RECORD_MAC);
}

static int is_absorb_error(int rc)
{
    return rc == LT_ERR_UNEXPECTED_MESSAGE || rc == LT_ERR_PROTOCOL_VERSION || rc == LT_ERR_RECORD_OVERFLOW;
}

/* What lt_record_open may answer once keys are in: RFC 8446 adds
 * unexpected_message (inner type, no type, unprotected records). */
static int is_open_error(int rc, int tls13)
{
    return rc == LT_ERR_BAD_RECORD_MAC || rc == LT_ERR_RECORD_OVERFLOW || (tls13 && rc == LT_ERR_UNEXPECTED_MESSAGE);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2) {
        return 0;
    }
    unsigned mode = data[0] % FUZZ_RECORD_MODES;
    size_t chunk = CHUNKS[data[1] & 7];
    int pin_version = (data[1] & 8) != 0;
    data += 2;
    size -= 2;

    if (mode != 0 && g_verify[mode].seal == NULL) {
        g_verify[mode].seal = fuzz_record_rc(mode, 1);
        g_verify[mode].open = fuzz_record_rc(mode, 0);
    }
    int tls13 = mode != 0 && lt_rc_version(g_verify[mode].open) == LT_TLS1_3;

    lt_record r;
    CHECK(lt_record_init(&r) == LT_OK);
    if (pin_version) {
        r.read_version = LT_TLS1_2;
    }
    if (mode != 0) {
        lt_record_set_read_cipher(&r, fuzz_record_rc(mode, 0));
    }

    size_t off = 0;
    uint64_t records = 0;
    while (off < size) {
        size_t n = chunk == 0 || chunk > size - off ? size - off : chunk;
        size_t consumed = (size_t)-1;
        int rc = lt_record_absorb(&r, data + off, n, &consumed);
        CHECK(consumed <= n);
        if (rc != LT_OK) {
            CHECK(is_absorb_error(rc));
            /* Header errors are raised as soon as the header is complete. */
            CHECK(r.in_len == LT_RECORD_HEADER_LEN);
            break;
        }
        off += consumed;
        CHECK(r.in_len <= LT_RECORD_IN_CAP);
        if (!lt_record_ready(&r)) {
            /* Not a whole record yet: absorb must have taken everything. */
            CHECK(consumed == n);
            continue;
        }
        size_t frag_len = ((size_t)r.in[3] << 8) | r.in[4];
        uint8_t hdr[5];
        memcpy(hdr, r.in, 5);
        uint8_t type = 0;
        uint8_t *pt = NULL;
        size_t pt_len = 0;
        uint64_t seq = r.read_seq;
        rc = lt_record_open(&r, &type, &pt, &pt_len);
        if (rc != LT_OK) {
            /* Without keys nothing can fail once the header passed. */
            CHECK(mode != 0);
            CHECK(is_open_error(rc, tls13));
            break;
        }
        int passed_through = tls13 && hdr[0] != LT_CT_APPLICATION_DATA;
        CHECK(r.read_seq == (passed_through ? seq : seq + 1));
        CHECK(type >= LT_CT_CHANGE_CIPHER_SPEC && type <= LT_CT_APPLICATION_DATA);
        CHECK(pt_len <= LT_MAX_PLAINTEXT);
        CHECK(pt >= r.in + LT_RECORD_HEADER_LEN && pt + pt_len <= r.in + LT_RECORD_HEADER_LEN + frag_len);
        touch(pt, pt_len);
        if (mode == 0) {
            CHECK(type == hdr[0]);
            CHECK(pt == r.in + LT_RECORD_HEADER_LEN && pt_len == frag_len);
        } else if (passed_through) {
            /* RFC 8446 5: only the middlebox change_cipher_spec. */
            CHECK(type == LT_CT_CHANGE_CIPHER_SPEC && pt_len == 1 && pt[0] == 1);
        } else {
            CHECK(tls13 ? type != LT_CT_CHANGE_CIPHER_SPEC : type == hdr[0]);
            CHECK(pt_len < frag_len);
            round_trip(mode, seq, hdr, type, pt, pt_len);
        }
        /* The opened record is dropped by the next absorb, never re-opened. */
        CHECK(!lt_record_ready(&r));
        records++;
    }
    (void)records;
    lt_record_free(&r);
    return 0;
}
