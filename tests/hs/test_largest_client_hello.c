/*
 * "Accept the largest legal inputs": a ClientHello of the largest size RFC
 * 5246 7.4.1.2 allows (131396 bytes of body: 32767 cipher suites, 255
 * compression methods, 2^16-1 bytes of extensions), sent in records of
 * 2^14 bytes, is answered with a ServerHello, not refused as too big. The
 * suites are GREASE values (RFC 8701) but one we implement, the extensions
 * unknown ones but the few we need.
 */
#include <stdlib.h>
#include <string.h>

#include "conn/conn.h"
#include "pair.h"
#include "test.h"

static size_t put16(uint8_t *p, unsigned v)
{
    p[0] = (uint8_t)(v >> 8), p[1] = (uint8_t)v;
    return 2;
}

static size_t largest_client_hello(uint8_t *m)
{
    size_t o = 4;
    o += put16(m + o, 0x0303);
    memset(m + o, 0x42, 32), o += 32;
    m[o++] = 32, memset(m + o, 7, 32), o += 32;
    o += put16(m + o, 65534);
    for (int i = 0; i < 32766; i++) {
        o += put16(m + o, 0x0a0a + 0x1010 * (unsigned)(i % 16)); /* GREASE */
    }
    o += put16(m + o, LT_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256);
    m[o++] = 255;
    for (int i = 0; i < 255; i++) {
        m[o++] = (uint8_t)(254 - i); /* ends with null (0) */
    }
    size_t ext_len_at = o;
    o += 2;
    size_t ext_start = o;
    static const uint8_t needed[] = {
        0xff, 0x01, 0, 1, 0,                /* renegotiation_info, empty */
        0,    13,   0, 4, 0, 2, 0x08, 0x04, /* signature_algorithms: rsa_pss_rsae_sha256 */
        0,    10,   0, 4, 0, 2, 0,    29,   /* supported_groups: x25519 */
        0,    11,   0, 2, 1, 0,             /* ec_point_formats: uncompressed */
    };
    memcpy(m + o, needed, sizeof needed), o += sizeof needed;
    /* Unknown extensions of 4 bytes each, then one that fills the rest. */
    for (unsigned type = 0x1000; 65535 - (o - ext_start) > 4 + 1000; type++) {
        o += put16(m + o, type), o += put16(m + o, 0); /* distinct unassigned types, empty */
    }
    size_t rest = 65535 - (o - ext_start) - 4;
    o += put16(m + o, 21 /* padding */), o += put16(m + o, (unsigned)rest);
    memset(m + o, 0, rest), o += rest;
    put16(m + ext_len_at, (unsigned)(o - ext_start));
    size_t body = o - 4;
    m[0] = 1, m[1] = (uint8_t)(body >> 16), m[2] = (uint8_t)(body >> 8), m[3] = (uint8_t)body;
    return o;
}

static void test_largest_legal_client_hello_is_answered(void)
{
    lt_pair p;
    EXPECT_EQ(pair_init(&p, 0), LT_OK);
    uint8_t *m = malloc(4 + 131396);
    size_t n = largest_client_hello(m);
    EXPECT_EQ(n, 4 + 131396);
    size_t off = 0;
    int rc = LT_OK;
    while (off < n && rc == LT_OK) {
        size_t chunk = n - off < 16384 ? n - off : 16384;
        uint8_t rec[5 + 16384] = {22, 3, 1, (uint8_t)(chunk >> 8), (uint8_t)chunk};
        memcpy(rec + 5, m + off, chunk);
        size_t used = 0;
        rc = lt_conn_feed(p.server, rec, 5 + chunk, &used);
        EXPECT_EQ(used, 5 + chunk);
        off += chunk;
    }
    const char *detail = NULL;
    if (rc != LT_OK) {
        lt_conn_error(p.server, &detail);
        fprintf(stderr, "  detail: %s\n", detail);
    }
    EXPECT_EQ(rc, LT_OK);
    size_t out_len = 0;
    const uint8_t *out = lt_conn_out_peek(p.server, &out_len);
    EXPECT(out != NULL && out_len > 9 && out[0] == 22 && out[5] == 2); /* a ServerHello */
    EXPECT_EQ(lt_conn_cipher_suite(p.server), LT_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256);
    free(m);
    pair_free(&p);
}

int main(void)
{
    LT_RUN(test_largest_legal_client_hello_is_answered);
    return lt_test_summary();
}
