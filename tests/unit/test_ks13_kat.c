/*
 * Known answers for the TLS 1.3 key schedule (src/hs/keysched13.c) and the
 * HKDF / HMAC it stands on (src/crypto/kdf.c).
 *
 * Oracles:
 *  - HKDF: RFC 5869 appendix A (test cases 1-4 and 7).
 *  - HMAC: RFC 4231 section 4 (test cases 1, 2, 3 and 6, SHA-256 and SHA-384).
 *  - The schedule: RFC 8448 section 3 (simple 1-RTT) and section 4 (resumed
 *    0-RTT), TLS_AES_128_GCM_SHA256. The hex below is the RFC's, copied
 *    verbatim (the RFC's own line breaks re-flowed, every byte kept; the
 *    comment gives the RFC 8448 line where each value starts and its
 *    length, which the copy was checked against). Transcript hashes are
 *    computed here from the handshake messages the RFC prints, and checked
 *    against the hash the RFC states where it states one.
 *  - What RFC 8448 has no trace for (SHA-384, KeyUpdate, the exporter): one
 *    export is OpenSSL 3.0.19's own (test_export_openssl); the other values
 *    were computed once outside lucidtls with Python's hmac and hashlib
 *    modules, HKDF written from RFC 5869 2.2-2.3 and
 *    HKDF-Expand-Label from RFC 8446 7.1 (the script is at the end of this
 *    file; it reproduces the RFC 8448 values above too). KeyUpdate and the
 *    exporter are also rebuilt step by step here, with hand-built HkdfLabel
 *    bytes and lt_hkdf_expand.
 */
#include <stdint.h>
#include <string.h>

#include "hs/keysched13.h"
#include "test.h"

/* ---- Helpers ---- */

static size_t unhex(const char *hex, uint8_t *out, size_t cap)
{
    size_t n = lt_test_unhex(hex, out, cap);
    EXPECT(n <= cap);
    return n;
}

static void expect_hex_at(int line, const uint8_t *got, size_t len, const char *hex)
{
    uint8_t want[1024];
    size_t n = unhex(hex, want, sizeof want);
    EXPECT_EQ(n, len);
    if (n != len || memcmp(got, want, len) != 0) {
        fprintf(stderr, "  FAIL line %d: got ", line);
        for (size_t i = 0; i < len; i++) {
            fprintf(stderr, "%02x", got[i]);
        }
        fprintf(stderr, "\n");
        lt_test_current_failed = 1;
        lt_test_failed_checks++;
    }
}
#define expect_hex(got, len, hex) expect_hex_at(__LINE__, (got), (len), (hex))

static int all_zero(const uint8_t *p, size_t n)
{
    uint8_t acc = 0;
    for (size_t i = 0; i < n; i++) {
        acc |= p[i];
    }
    return acc == 0;
}

/* Transcript-Hash: the hash of the concatenated hex-encoded messages. */
static void transcript_hash(lt_hash_alg alg, const char *const *msgs, size_t n, uint8_t *out)
{
    static uint8_t buf[4096];
    size_t off = 0, len = 0;
    for (size_t i = 0; i < n; i++) {
        off += unhex(msgs[i], buf + off, sizeof buf - off);
    }
    EXPECT(off <= sizeof buf);
    EXPECT_EQ(lt_hash_oneshot(alg, buf, off, out, &len), LT_OK);
    EXPECT_EQ(len, lt_hash_len(alg));
}

/* ---- RFC 8448 vectors ---- */

/* RFC 8448 3, line 177: {client} construct a ClientHello handshake message, ClientHello (196 octets) */
static const char S3_CH[] =
    "01 00 00 c0 03 03 cb 34 ec b1 e7 81 63 ba 1c 38 c6 da cb 19 6a 6d ff a2 1a 8d 99 12 ec 18 a2 ef "
    "62 83 02 4d ec e7 00 00 06 13 01 13 03 13 02 01 00 00 91 00 00 00 0b 00 09 00 00 06 73 65 72 76 "
    "65 72 ff 01 00 01 00 00 0a 00 14 00 12 00 1d 00 17 00 18 00 19 01 00 01 01 01 02 01 03 01 04 00 "
    "23 00 00 00 33 00 26 00 24 00 1d 00 20 99 38 1d e5 60 e4 bd 43 d2 3d 8e 43 5a 7d ba fe b3 c0 6e "
    "51 c1 3c ae 4d 54 13 69 1e 52 9a af 2c 00 2b 00 03 02 03 04 00 0d 00 20 00 1e 04 03 05 03 06 03 "
    "02 03 08 04 08 05 08 06 04 01 05 01 06 01 02 01 04 02 05 02 06 02 02 02 00 2d 00 02 01 01 00 1c "
    "00 02 40 01";
/* RFC 8448 3, line 219: {server} extract secret "early", secret (32 octets) */
static const char S3_EARLY[] =
    "33 ad 0a 1c 60 7e c0 3b 09 e6 cd 98 93 68 0c e2 10 ad f3 00 aa 1f 26 60 e1 b2 2e 10 f1 70 f9 2a";
/* RFC 8448 3, line 241: {server} construct a ServerHello handshake message, ServerHello (90 octets) */
static const char S3_SH[] =
    "02 00 00 56 03 03 a6 af 06 a4 12 18 60 dc 5e 6e 60 24 9c d3 4c 95 93 0c 8a c5 cb 14 34 da c1 55 "
    "77 2e d3 e2 69 28 00 13 01 00 00 2e 00 33 00 24 00 1d 00 20 c9 82 88 76 11 20 95 fe 66 76 2b db "
    "f7 c6 72 e1 56 d6 cc 25 3b 83 3d f1 dd 69 b1 b0 4e 75 1f 0f 00 2b 00 02 03 04";
/* RFC 8448 3, line 259: {server} derive secret for handshake "tls13 derived", expanded (32 octets) */
static const char S3_DERIVED_FOR_HS[] =
    "6f 26 15 a1 08 c7 02 c5 67 8f 54 fc 9d ba b6 97 16 c0 76 18 9c 48 25 0c eb ea c3 57 6c 36 11 ba";
/* RFC 8448 3, line 267: {server} extract secret "handshake", IKM (32 octets) */
static const char S3_DHE[] =
    "8b d4 05 4f b5 5b 9d 63 fd fb ac f9 f0 4b 9f 0d 35 e6 d6 3f 53 75 63 ef d4 62 72 90 0f 89 49 2d";
/* RFC 8448 3, line 270: {server} extract secret "handshake", secret (32 octets) */
static const char S3_HS_SECRET[] =
    "1d c8 26 e9 36 06 aa 6f dc 0a ad c1 2f 74 1b 01 04 6a a6 b9 9f 69 1e d2 21 a9 f0 ca 04 3f be ac";
/* RFC 8448 3, line 287: {server} derive secret "tls13 c hs traffic", hash (32 octets) */
static const char S3_HASH_CH_SH[] =
    "86 0c 06 ed c0 78 58 ee 8e 78 f0 e7 42 8c 58 ed d6 b4 3f 2c a3 e6 e9 5f 02 ed 06 3c f0 e1 ca d8";
/* RFC 8448 3, line 290: {server} derive secret "tls13 c hs traffic", info (54 octets) */
static const char S3_C_HS_INFO[] =
    "00 20 12 74 6c 73 31 33 20 63 20 68 73 20 74 72 61 66 66 69 63 20 86 0c 06 ed c0 78 58 ee 8e 78 "
    "f0 e7 42 8c 58 ed d6 b4 3f 2c a3 e6 e9 5f 02 ed 06 3c f0 e1 ca d8";
/* RFC 8448 3, line 294: {server} derive secret "tls13 c hs traffic", expanded (32 octets) */
static const char S3_C_HS[] =
    "b3 ed db 12 6e 06 7f 35 a7 80 b3 ab f4 5e 2d 8f 3b 1a 95 07 38 f5 2e 96 00 74 6a 0e 27 a5 5a 21";
/* RFC 8448 3, line 309: {server} derive secret "tls13 s hs traffic", expanded (32 octets) */
static const char S3_S_HS[] =
    "b6 7b 7d 69 0c c1 6c 4e 75 e5 42 13 cb 2d 37 b4 e9 c9 12 bc de d9 10 5d 42 be fd 59 d3 91 ad 38";
/* RFC 8448 3, line 324: {server} derive secret for master "tls13 derived", expanded (32 octets) */
static const char S3_DERIVED_FOR_MASTER[] =
    "43 de 77 e0 c7 77 13 85 9a 94 4d b9 db 25 90 b5 31 90 a6 5b 3e e2 e4 f1 2d d7 a0 bb 7c e2 54 b4";
/* RFC 8448 3, line 343: {server} extract secret "master", secret (32 octets) */
static const char S3_MASTER[] =
    "18 df 06 84 3d 13 a0 8b f2 a4 49 84 4c 5f 8a 47 80 01 bc 4d 4c 62 79 84 d5 a4 1d a8 d0 40 29 19";
/* RFC 8448 3, line 367: {server} derive write traffic keys for handshake data, key expanded (16 octets) */
static const char S3_S_HS_KEY[] = "3f ce 51 60 09 c2 17 27 d0 f2 e4 e8 6e e4 03 bc";
/* RFC 8448 3, line 372: {server} derive write traffic keys for handshake data, iv expanded (12 octets) */
static const char S3_S_HS_IV[] = "5d 31 3e b2 67 12 76 ee 13 00 0b 30";
/* RFC 8448 3, line 376: {server} construct an EncryptedExtensions handshake message, EncryptedExtensions (40 octets) */
static const char S3_EE[] =
    "08 00 00 24 00 22 00 0a 00 14 00 12 00 1d 00 17 00 18 00 19 01 00 01 01 01 02 01 03 01 04 00 1c "
    "00 02 40 01 00 00 00 00";
/* RFC 8448 3, line 382: {server} construct a Certificate handshake message, Certificate (445 octets) */
static const char S3_CERT[] =
    "0b 00 01 b9 00 00 01 b5 00 01 b0 30 82 01 ac 30 82 01 15 a0 03 02 01 02 02 01 02 30 0d 06 09 2a "
    "86 48 86 f7 0d 01 01 0b 05 00 30 0e 31 0c 30 0a 06 03 55 04 03 13 03 72 73 61 30 1e 17 0d 31 36 "
    "30 37 33 30 30 31 32 33 35 39 5a 17 0d 32 36 30 37 33 30 30 31 32 33 35 39 5a 30 0e 31 0c 30 0a "
    "06 03 55 04 03 13 03 72 73 61 30 81 9f 30 0d 06 09 2a 86 48 86 f7 0d 01 01 01 05 00 03 81 8d 00 "
    "30 81 89 02 81 81 00 b4 bb 49 8f 82 79 30 3d 98 08 36 39 9b 36 c6 98 8c 0c 68 de 55 e1 bd b8 26 "
    "d3 90 1a 24 61 ea fd 2d e4 9a 91 d0 15 ab bc 9a 95 13 7a ce 6c 1a f1 9e aa 6a f9 8c 7c ed 43 12 "
    "09 98 e1 87 a8 0e e0 cc b0 52 4b 1b 01 8c 3e 0b 63 26 4d 44 9a 6d 38 e2 2a 5f da 43 08 46 74 80 "
    "30 53 0e f0 46 1c 8c a9 d9 ef bf ae 8e a6 d1 d0 3e 2b d1 93 ef f0 ab 9a 80 02 c4 74 28 a6 d3 5a "
    "8d 88 d7 9f 7f 1e 3f 02 03 01 00 01 a3 1a 30 18 30 09 06 03 55 1d 13 04 02 30 00 30 0b 06 03 55 "
    "1d 0f 04 04 03 02 05 a0 30 0d 06 09 2a 86 48 86 f7 0d 01 01 0b 05 00 03 81 81 00 85 aa d2 a0 e5 "
    "b9 27 6b 90 8c 65 f7 3a 72 67 17 06 18 a5 4c 5f 8a 7b 33 7d 2d f7 a5 94 36 54 17 f2 ea e8 f8 a5 "
    "8c 8f 81 72 f9 31 9c f3 6b 7f d6 c5 5b 80 f2 1a 03 01 51 56 72 60 96 fd 33 5e 5e 67 f2 db f1 02 "
    "70 2e 60 8c ca e6 be c1 fc 63 a4 2a 99 be 5c 3e b7 10 7c 3c 54 e9 b9 eb 2b d5 20 3b 1c 3b 84 e0 "
    "a8 b2 f7 59 40 9b a3 ea c9 d9 1d 40 2d cc 0c c8 f8 96 12 29 ac 91 87 b4 2b 4d e1 00 00";
/* RFC 8448 3, line 415: {server} construct a CertificateVerify handshake message, CertificateVerify (136 octets) */
static const char S3_CV[] =
    "0f 00 00 84 08 04 00 80 5a 74 7c 5d 88 fa 9b d2 e5 5a b0 85 a6 10 15 b7 21 1f 82 4c d4 84 14 5a "
    "b3 ff 52 f1 fd a8 47 7b 0b 7a bc 90 db 78 e2 d3 3a 5c 14 1a 07 86 53 fa 6b ef 78 0c 5e a2 48 ee "
    "aa a7 85 c4 f3 94 ca b6 d3 0b be 8d 48 59 ee 51 1f 60 29 57 b1 54 11 ac 02 76 71 45 9e 46 44 5c "
    "9e a5 8c 18 1e 81 8e 95 b8 c3 fb 0b f3 27 84 09 d3 be 15 2a 3d a5 04 3e 06 3d da 65 cd f5 ae a2 "
    "0d 53 df ac d4 2f 74 f3";
/* RFC 8448 3, line 430: {server} calculate finished "tls13 finished", info (18 octets) */
static const char S3_FINISHED_INFO[] = "00 20 0e 74 6c 73 31 33 20 66 69 6e 69 73 68 65 64 00";
/* RFC 8448 3, line 433: {server} calculate finished "tls13 finished", expanded (32 octets) */
static const char S3_S_FINISHED_KEY[] =
    "00 8d 3b 66 f8 16 ea 55 9f 96 b5 37 e8 85 c3 1f c0 68 bf 49 2c 65 2f 01 f2 88 a1 d8 cd c1 9f c8";
/* RFC 8448 3, line 436: {server} calculate finished "tls13 finished", finished (32 octets) */
static const char S3_S_FINISHED[] =
    "9b 9b 14 1d 90 63 37 fb d2 cb dc e7 1d f4 de da 4a b4 2c 30 95 72 cb 7f ff ee 54 54 b7 8f 07 18";
/* RFC 8448 3, line 441: {server} construct a Finished handshake message, Finished (36 octets) */
static const char S3_S_FINISHED_MSG[] =
    "14 00 00 20 9b 9b 14 1d 90 63 37 fb d2 cb dc e7 1d f4 de da 4a b4 2c 30 95 72 cb 7f ff ee 54 54 "
    "b7 8f 07 18";
/* RFC 8448 3, line 537: {server} derive secret "tls13 c ap traffic", hash (32 octets) */
static const char S3_HASH_CH_SFIN[] =
    "96 08 10 2a 0f 1c cc 6d b6 25 0b 7b 7e 41 7b 1a 00 0e aa da 3d aa e4 77 7a 76 86 c9 ff 83 df 13";
/* RFC 8448 3, line 544: {server} derive secret "tls13 c ap traffic", expanded (32 octets) */
static const char S3_C_AP[] =
    "9e 40 64 6c e7 9a 7f 9d c0 5a f8 88 9b ce 65 52 87 5a fa 0b 06 df 00 87 f7 92 eb b7 c1 75 04 a5";
/* RFC 8448 3, line 567: {server} derive secret "tls13 s ap traffic", expanded (32 octets) */
static const char S3_S_AP[] =
    "a1 1a f9 f0 55 31 f8 56 ad 47 11 6b 45 a9 50 32 82 04 b4 f4 4b fb 6b 3a 4b 4f 1f 3f cb 63 16 43";
/* RFC 8448 3, line 582: {server} derive secret "tls13 exp master", expanded (32 octets) */
static const char S3_EXP_MASTER[] =
    "fe 22 f8 81 17 6e da 18 eb 8f 44 52 9e 67 92 c5 0c 9a 3f 89 45 2f 68 d8 ae 31 1b 43 09 d3 cf 50";
/* RFC 8448 3, line 592: {server} derive write traffic keys for application data, key expanded (16 octets) */
static const char S3_S_AP_KEY[] = "9f 02 28 3b 6c 9c 07 ef c2 6b b9 f2 ac 92 e3 56";
/* RFC 8448 3, line 597: {server} derive write traffic keys for application data, iv expanded (12 octets) */
static const char S3_S_AP_IV[] = "cf 78 2b 88 dd 83 54 9a ad f1 e9 84";
/* RFC 8448 3, line 606: {server} derive read traffic keys for handshake data, key expanded (16 octets) */
static const char S3_C_HS_KEY[] = "db fa a6 93 d1 76 2c 5b 66 6a f5 d9 50 25 8d 01";
/* RFC 8448 3, line 611: {server} derive read traffic keys for handshake data, iv expanded (12 octets) */
static const char S3_C_HS_IV[] = "5b d3 c7 1b 83 6e 0b 76 bb 73 26 5f";
/* RFC 8448 3, line 684: {client} calculate finished "tls13 finished", expanded (32 octets) */
static const char S3_C_FINISHED_KEY[] =
    "b8 0a d0 10 15 fb 2f 0b d6 5f f7 d4 da 5d 6b f8 3f 84 82 1d 1f 87 fd c7 d3 c7 5b 5a 7b 42 d9 c4";
/* RFC 8448 3, line 687: {client} calculate finished "tls13 finished", finished (32 octets) */
static const char S3_C_FINISHED[] =
    "a8 ec 43 6d 67 76 34 ae 52 5a c1 fc eb e1 1a 03 9e c1 76 94 fa c6 e9 85 27 b6 42 f2 ed d5 ce 61";
/* RFC 8448 3, line 692: {client} construct a Finished handshake message, Finished (36 octets) */
static const char S3_C_FINISHED_MSG[] =
    "14 00 00 20 a8 ec 43 6d 67 76 34 ae 52 5a c1 fc eb e1 1a 03 9e c1 76 94 fa c6 e9 85 27 b6 42 f2 "
    "ed d5 ce 61";
/* RFC 8448 3, line 713: {client} derive write traffic keys for application data, key expanded (16 octets) */
static const char S3_C_AP_KEY[] = "17 42 2d da 59 6e d5 d9 ac d8 90 e3 c6 3f 50 51";
/* RFC 8448 3, line 718: {client} derive write traffic keys for application data, iv expanded (12 octets) */
static const char S3_C_AP_IV[] = "5b 78 92 3d ee 08 57 90 33 e5 23 d9";
/* RFC 8448 3, line 725: {client} derive secret "tls13 res master", hash (32 octets) */
static const char S3_HASH_CH_CFIN[] =
    "20 91 45 a9 6e e8 e2 a1 22 ff 81 00 47 cc 95 26 84 65 8d 60 49 e8 64 29 42 6d b8 7c 54 ad 14 3d";
/* RFC 8448 3, line 739: {client} derive secret "tls13 res master", expanded (32 octets) */
static const char S3_RES_MASTER[] =
    "7d f2 35 f2 03 1d 2a 05 12 87 d0 2b 02 41 b0 bf da f8 6c c8 56 23 1f 2d 5a ba 46 c4 34 ec 19 6c";
/* RFC 8448 3, line 754: {server} generate resumption secret "tls13 resumption", hash (2 octets) */
static const char S3_TICKET_NONCE[] = "00 00";
/* RFC 8448 3, line 756: {server} generate resumption secret "tls13 resumption", info (22 octets) */
static const char S3_RESUMPTION_INFO[] = "00 20 10 74 6c 73 31 33 20 72 65 73 75 6d 70 74 69 6f 6e 02 00 00";
/* RFC 8448 3, line 759: {server} generate resumption secret "tls13 resumption", expanded (32 octets) */
static const char S3_RES_PSK[] =
    "4e cd 0e b6 ec 3b 4d 87 f5 d6 02 8f 92 2c a4 c5 85 1a 27 7f d4 13 11 c9 e6 2d 2c 94 92 e1 c4 f3";
/* RFC 8448 4, line 878: {client} extract secret "early", IKM (32 octets) */
static const char S4_PSK[] =
    "4e cd 0e b6 ec 3b 4d 87 f5 d6 02 8f 92 2c a4 c5 85 1a 27 7f d4 13 11 c9 e6 2d 2c 94 92 e1 c4 f3";
/* RFC 8448 4, line 881: {client} extract secret "early", secret (32 octets) */
static const char S4_EARLY[] =
    "9b 21 88 e9 b2 fc 6d 64 d7 1d c3 29 90 0e 20 bb 41 91 50 00 f6 78 aa 83 9c bb 79 7c b7 d8 33 2c";
/* RFC 8448 4, line 921: {client} calculate PSK binder, ClientHello prefix (477 octets) */
static const char S4_CH_PREFIX[] =
    "01 00 01 fc 03 03 1b c3 ce b6 bb e3 9c ff 93 83 55 b5 a5 0a db 6d b2 1b 7a 6a f6 49 d7 b4 bc 41 "
    "9d 78 76 48 7d 95 00 00 06 13 01 13 03 13 02 01 00 01 cd 00 00 00 0b 00 09 00 00 06 73 65 72 76 "
    "65 72 ff 01 00 01 00 00 0a 00 14 00 12 00 1d 00 17 00 18 00 19 01 00 01 01 01 02 01 03 01 04 00 "
    "33 00 26 00 24 00 1d 00 20 e4 ff b6 8a c0 5f 8d 96 c9 9d a2 66 98 34 6c 6b e1 64 82 ba dd da fe "
    "05 1a 66 b4 f1 8d 66 8f 0b 00 2a 00 00 00 2b 00 03 02 03 04 00 0d 00 20 00 1e 04 03 05 03 06 03 "
    "02 03 08 04 08 05 08 06 04 01 05 01 06 01 02 01 04 02 05 02 06 02 02 02 00 2d 00 02 01 01 00 1c "
    "00 02 40 01 00 15 00 57 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 "
    "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 "
    "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 "
    "29 00 dd 00 b8 00 b2 2c 03 5d 82 93 59 ee 5f f7 af 4e c9 00 00 00 00 26 2a 64 94 dc 48 6d 2c 8a "
    "34 cb 33 fa 90 bf 1b 00 70 ad 3c 49 88 83 c9 36 7c 09 a2 be 78 5a bc 55 cd 22 60 97 a3 a9 82 11 "
    "72 83 f8 2a 03 a1 43 ef d3 ff 5d d3 6d 64 e8 61 be 7f d6 1d 28 27 db 27 9c ce 14 50 77 d4 54 a3 "
    "66 4d 4e 6d a4 d2 9e e0 37 25 a6 a4 da fc d0 fc 67 d2 ae a7 05 29 51 3e 3d a2 67 7f a5 90 6c 5b "
    "3f 7d 8f 92 f2 28 bd a4 0d da 72 14 70 f9 fb f2 97 b5 ae a6 17 64 6f ac 5c 03 27 2e 97 07 27 c6 "
    "21 a7 91 41 ef 5f 7d e6 50 5e 5b fb c3 88 e9 33 43 69 40 93 93 4a e4 d3 57 fa d6 aa cb";
/* RFC 8448 4, line 946: {client} calculate PSK binder, binder hash (32 octets) */
static const char S4_BINDER_HASH[] =
    "63 22 4b 2e 45 73 f2 d3 45 4c a8 4b 9d 00 9a 04 f6 be 9e 05 71 1a 83 96 47 3a ef a0 1e 92 4a 14";
/* RFC 8448 4, line 949: {client} calculate PSK binder, PRK (32 octets) */
static const char S4_BINDER_KEY[] =
    "69 fe 13 1a 3b ba d5 d6 3c 64 ee bc c3 0e 39 5b 9d 81 07 72 6a 13 d0 74 e3 89 db c8 a4 e4 72 56";
/* RFC 8448 4, line 964: {client} calculate PSK binder, expanded (32 octets) */
static const char S4_BINDER_FINISHED_KEY[] =
    "55 88 67 3e 72 cb 59 c8 7d 22 0c af fe 94 f2 de a9 a3 b1 60 9f 7d 50 e9 0a 48 22 7d b9 ed 7e aa";
/* RFC 8448 4, line 967: {client} calculate PSK binder, finished (32 octets) */
static const char S4_BINDER[] =
    "3a dd 4f b2 d8 fd f8 22 a0 ca 3c f7 67 8e f5 e8 8d ae 99 01 41 c5 92 4d 57 bb 6f a3 1b 9e 5f 9d";
/* RFC 8448 4, line 972: {client} send handshake record, payload (512 octets) */
static const char S4_CH[] =
    "01 00 01 fc 03 03 1b c3 ce b6 bb e3 9c ff 93 83 55 b5 a5 0a db 6d b2 1b 7a 6a f6 49 d7 b4 bc 41 "
    "9d 78 76 48 7d 95 00 00 06 13 01 13 03 13 02 01 00 01 cd 00 00 00 0b 00 09 00 00 06 73 65 72 76 "
    "65 72 ff 01 00 01 00 00 0a 00 14 00 12 00 1d 00 17 00 18 00 19 01 00 01 01 01 02 01 03 01 04 00 "
    "33 00 26 00 24 00 1d 00 20 e4 ff b6 8a c0 5f 8d 96 c9 9d a2 66 98 34 6c 6b e1 64 82 ba dd da fe "
    "05 1a 66 b4 f1 8d 66 8f 0b 00 2a 00 00 00 2b 00 03 02 03 04 00 0d 00 20 00 1e 04 03 05 03 06 03 "
    "02 03 08 04 08 05 08 06 04 01 05 01 06 01 02 01 04 02 05 02 06 02 02 02 00 2d 00 02 01 01 00 1c "
    "00 02 40 01 00 15 00 57 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 "
    "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 "
    "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 "
    "29 00 dd 00 b8 00 b2 2c 03 5d 82 93 59 ee 5f f7 af 4e c9 00 00 00 00 26 2a 64 94 dc 48 6d 2c 8a "
    "34 cb 33 fa 90 bf 1b 00 70 ad 3c 49 88 83 c9 36 7c 09 a2 be 78 5a bc 55 cd 22 60 97 a3 a9 82 11 "
    "72 83 f8 2a 03 a1 43 ef d3 ff 5d d3 6d 64 e8 61 be 7f d6 1d 28 27 db 27 9c ce 14 50 77 d4 54 a3 "
    "66 4d 4e 6d a4 d2 9e e0 37 25 a6 a4 da fc d0 fc 67 d2 ae a7 05 29 51 3e 3d a2 67 7f a5 90 6c 5b "
    "3f 7d 8f 92 f2 28 bd a4 0d da 72 14 70 f9 fb f2 97 b5 ae a6 17 64 6f ac 5c 03 27 2e 97 07 27 c6 "
    "21 a7 91 41 ef 5f 7d e6 50 5e 5b fb c3 88 e9 33 43 69 40 93 93 4a e4 d3 57 fa d6 aa cb 00 21 20 "
    "3a dd 4f b2 d8 fd f8 22 a0 ca 3c f7 67 8e f5 e8 8d ae 99 01 41 c5 92 4d 57 bb 6f a3 1b 9e 5f 9d";
/* RFC 8448 4, line 1038: {client} derive secret "tls13 c e traffic", hash (32 octets) */
static const char S4_HASH_CH[] =
    "08 ad 0f a0 5d 7c 72 33 b1 77 5b a2 ff 9f 4c 5b 8b 59 27 6b 7f 22 7f 13 a9 76 24 5f 5d 96 09 13";
/* RFC 8448 4, line 1045: {client} derive secret "tls13 c e traffic", expanded (32 octets) */
static const char S4_C_E_TRAFFIC[] =
    "3f bb e6 a6 0d eb 66 c3 0a 32 79 5a ba 0e ff 7e aa 10 10 55 86 e7 be 5c 09 67 8d 63 b6 ca ab 62";
/* RFC 8448 4, line 1060: {client} derive secret "tls13 e exp master", expanded (32 octets) */
static const char S4_E_EXP_MASTER[] =
    "b2 02 68 66 61 09 37 d7 42 3e 5b e9 08 62 cc f2 4c 0e 60 91 18 6d 34 f8 12 08 9f f5 be 2e f7 df";
/* RFC 8448 4, line 1078: {client} derive write traffic keys for early application data, key expanded (16 octets) */
static const char S4_E_KEY[] = "92 02 05 a5 b7 bf 21 15 e6 fc 5c 29 42 83 4f 54";
/* RFC 8448 4, line 1083: {client} derive write traffic keys for early application data, iv expanded (12 octets) */
static const char S4_E_IV[] = "6d 47 5f 09 93 c8 e5 64 61 0d b2 b9";
/* RFC 8448 4, line 1110: {server} construct a ServerHello handshake message, ServerHello (96 octets) */
static const char S4_SH[] =
    "02 00 00 5c 03 03 3c cf d2 de c8 90 22 27 63 47 2a e8 13 67 77 c9 d7 35 87 77 bb 66 e9 1e a5 12 "
    "24 95 f5 59 ea 2d 00 13 01 00 00 34 00 29 00 02 00 00 00 33 00 24 00 1d 00 20 12 17 61 ee 42 c3 "
    "33 e1 b9 e7 7b 60 dd 57 c2 05 3c d9 45 12 ab 47 f1 15 e8 6e ff 50 94 2c ea 31 00 2b 00 02 03 04";
/* RFC 8448 4, line 1147: {server} extract secret "handshake", IKM (32 octets) */
static const char S4_DHE[] =
    "f4 41 94 75 6f f9 ec 9d 25 18 06 35 d6 6e a6 82 4c 6a b3 bf 17 99 77 be 37 f7 23 57 0e 7c cb 2e";
/* RFC 8448 4, line 1150: {server} extract secret "handshake", secret (32 octets) */
static const char S4_HS_SECRET[] =
    "00 5c b1 12 fd 8e b4 cc c6 23 bb 88 a0 7c 64 b3 ed e1 60 53 63 fc 7d 0d f8 c7 ce 4f f0 fb 4a e6";
/* RFC 8448 4, line 1158: {server} derive secret "tls13 c hs traffic", hash (32 octets) */
static const char S4_HASH_CH_SH[] =
    "f7 36 cb 34 fe 25 e7 01 55 1b ee 6f d2 4c 1c c7 10 2a 7d af 94 05 cb 15 d9 7a af e1 6f 75 7d 03";
/* RFC 8448 4, line 1165: {server} derive secret "tls13 c hs traffic", expanded (32 octets) */
static const char S4_C_HS[] =
    "2f aa c0 8f 85 1d 35 fe a3 60 4f cb 4d e8 2d c6 2c 9b 16 4a 70 97 4d 04 62 e2 7f 1a b2 78 70 0f";
/* RFC 8448 4, line 1187: {server} derive secret "tls13 s hs traffic", expanded (32 octets) */
static const char S4_S_HS[] =
    "fe 92 7a e2 71 31 2e 8b f0 27 5b 58 1c 54 ee f0 20 45 0d c4 ec ff aa 05 a1 a3 5d 27 51 8e 78 03";
/* RFC 8448 4, line 1213: {server} extract secret "master", secret (32 octets) */
static const char S4_MASTER[] =
    "e2 d3 2d 4e d6 6d d3 78 97 a0 e8 0c 84 10 75 03 ce 58 bf 8a ad 4c b5 5a 50 02 d7 7e cb 89 0e ce";

/* ---- HKDF: RFC 5869 appendix A ---- */

typedef struct hkdf_case {
    const char *name;
    lt_hash_alg alg;
    const char *ikm, *salt, *info; /* salt NULL: "not provided" */
    size_t len;
    const char *prk, *okm;
} hkdf_case;

static const hkdf_case HKDF_CASES[] = {
    /* RFC 5869 A.1, lines 520-530 */
    {"A.1", LT_HASH_SHA256, "0x0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "0x000102030405060708090a0b0c",
     "0xf0f1f2f3f4f5f6f7f8f9", 42,
     "0x077709362c2e32df0ddc3f0dc47bba63"
     "90b6c73bb50f9c3122ec844ad7c2b3e5",
     "0x3cb25f25faacd57a90434f64d0362f2a"
     "2d2d0a90cf1a5a4c5db02d56ecc4c5bf"
     "34007208d5b887185865"},
    /* RFC 5869 A.2, lines 571-596 */
    {"A.2", LT_HASH_SHA256,
     "0x000102030405060708090a0b0c0d0e0f"
     "101112131415161718191a1b1c1d1e1f"
     "202122232425262728292a2b2c2d2e2f"
     "303132333435363738393a3b3c3d3e3f"
     "404142434445464748494a4b4c4d4e4f",
     "0x606162636465666768696a6b6c6d6e6f"
     "707172737475767778797a7b7c7d7e7f"
     "808182838485868788898a8b8c8d8e8f"
     "909192939495969798999a9b9c9d9e9f"
     "a0a1a2a3a4a5a6a7a8a9aaabacadaeaf",
     "0xb0b1b2b3b4b5b6b7b8b9babbbcbdbebf"
     "c0c1c2c3c4c5c6c7c8c9cacbcccdcecf"
     "d0d1d2d3d4d5d6d7d8d9dadbdcdddedf"
     "e0e1e2e3e4e5e6e7e8e9eaebecedeeef"
     "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff",
     82,
     "0x06a6b88c5853361a06104c9ceb35b45c"
     "ef760014904671014a193f40c15fc244",
     "0xb11e398dc80327a1c8e7f78c596a4934"
     "4f012eda2d4efad8a050cc4c19afa97c"
     "59045a99cac7827271cb41c65e590e09"
     "da3275600c2f09b8367793a9aca3db71"
     "cc30c58179ec3e87c14c01d5c1f3434f"
     "1d87"},
    /* RFC 5869 A.3, lines 602-612: zero-length salt and info */
    {"A.3", LT_HASH_SHA256, "0x0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "", "", 42,
     "0x19ef24a32c717b167f33a91d6f648bdf"
     "96596776afdb6377ac434c1c293ccb04",
     "0x8da4e775a563c18f715f802a063c5a31"
     "b8a11f5c5ee1879ec3454e5f3c738d2d"
     "9d201395faa4b61a96c8"},
    /* RFC 5869 A.4, lines 627-636 */
    {"A.4", LT_HASH_SHA1, "0x0b0b0b0b0b0b0b0b0b0b0b", "0x000102030405060708090a0b0c", "0xf0f1f2f3f4f5f6f7f8f9", 42,
     "0x9b6c18c432a7bf8f0e71c8eb88f4b30baa2ba243",
     "0x085a01ea1b10f36933068b56efa5ad81"
     "a4f14b822f5b091568a9cdd4f155fda2"
     "c22e422478d305f3f896"},
    /* RFC 5869 A.7, lines 699-708: salt not provided (HashLen zeros) */
    {"A.7", LT_HASH_SHA1, "0x0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c", NULL, "", 42,
     "0x2adccada18779e7c2077ad2eb19d3f3e731385dd",
     "0x2c91117204d745f3500d636a62f64f0a"
     "b3bae548aa53d423b0d1f27ebba6f5e5"
     "673a081d70cce7acfc48"},
};

/* lt_test_unhex would read the "0x" prefix's 0 as a digit. */
static size_t unhex_0x(const char *hex, uint8_t *out, size_t cap)
{
    if (hex[0] == '0' && hex[1] == 'x') {
        hex += 2;
    }
    return unhex(hex, out, cap);
}

static void test_hkdf_rfc5869(void)
{
    for (size_t i = 0; i < sizeof HKDF_CASES / sizeof HKDF_CASES[0]; i++) {
        const hkdf_case *c = &HKDF_CASES[i];
        uint8_t ikm[128], salt[128], info[128], prk[LT_MAX_HASH_LEN], okm[128], want[128];
        size_t ikm_len = unhex_0x(c->ikm, ikm, sizeof ikm);
        size_t salt_len = c->salt ? unhex_0x(c->salt, salt, sizeof salt) : 0;
        size_t info_len = unhex_0x(c->info, info, sizeof info);
        size_t hash_len = lt_hash_len(c->alg);

        EXPECT_EQ(lt_hkdf_extract(c->alg, c->salt ? salt : NULL, salt_len, ikm, ikm_len, prk), LT_OK);
        EXPECT_EQ(unhex_0x(c->prk, want, sizeof want), hash_len);
        EXPECT_MEM(prk, want, hash_len);
        EXPECT_EQ(lt_hkdf_expand(c->alg, prk, hash_len, info_len ? info : NULL, info_len, okm, c->len), LT_OK);
        EXPECT_EQ(unhex_0x(c->okm, want, sizeof want), c->len);
        EXPECT_MEM(okm, want, c->len);
        if (lt_test_current_failed) {
            fprintf(stderr, "  (RFC 5869 %s)\n", c->name);
        }
    }
}

/* RFC 5869 2.2: a salt not provided is HashLen zeros, so the explicit zeros
 * give A.7's PRK too, and so does an empty salt. */
static void test_hkdf_salt_zeros(void)
{
    const hkdf_case *c = &HKDF_CASES[4];
    uint8_t ikm[64], zeros[20] = {0}, prk_null[20], prk_zeros[20], prk_empty[20];
    size_t ikm_len = unhex_0x(c->ikm, ikm, sizeof ikm);
    EXPECT_EQ(lt_hkdf_extract(LT_HASH_SHA1, NULL, 0, ikm, ikm_len, prk_null), LT_OK);
    EXPECT_EQ(lt_hkdf_extract(LT_HASH_SHA1, zeros, sizeof zeros, ikm, ikm_len, prk_zeros), LT_OK);
    EXPECT_EQ(lt_hkdf_extract(LT_HASH_SHA1, zeros, 0, ikm, ikm_len, prk_empty), LT_OK);
    EXPECT_MEM(prk_null, prk_zeros, 20);
    EXPECT_MEM(prk_null, prk_empty, 20);
    expect_hex(prk_null, 20, "2adccada18779e7c2077ad2eb19d3f3e731385dd");
}

/* An empty IKM is legal (RFC 5869 2.2: PRK = HMAC-Hash(salt, IKM)), and
 * libcrypto needs a real pointer even for zero bytes: check both paths
 * against HMAC and against the Python value of HMAC-SHA256(0^32, ""). */
static void test_hkdf_empty_ikm(void)
{
    uint8_t prk[32], mac[32], salt[5] = {1, 2, 3, 4, 5};
    size_t mac_len = 0;
    EXPECT_EQ(lt_hkdf_extract(LT_HASH_SHA256, NULL, 0, NULL, 0, prk), LT_OK);
    expect_hex(prk, 32, "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
    EXPECT_EQ(lt_hkdf_extract(LT_HASH_SHA256, salt, sizeof salt, NULL, 0, prk), LT_OK);
    EXPECT_EQ(lt_hmac(LT_HASH_SHA256, salt, sizeof salt, NULL, 0, mac, &mac_len), LT_OK);
    EXPECT_EQ(mac_len, 32);
    EXPECT_MEM(prk, mac, 32);
}

static void test_hkdf_usage(void)
{
    static uint8_t out[255 * 48 + 1];
    uint8_t prk[48] = {0};

    EXPECT_EQ(lt_hkdf_extract((lt_hash_alg)0, NULL, 0, prk, 32, out), LT_ERR_USAGE);
    EXPECT_EQ(lt_hkdf_extract(LT_HASH_SHA256, NULL, 5, prk, 32, out), LT_ERR_USAGE);
    EXPECT_EQ(lt_hkdf_extract(LT_HASH_SHA256, prk, 32, NULL, 5, out), LT_ERR_USAGE);
    EXPECT_EQ(lt_hkdf_extract(LT_HASH_SHA256, prk, 32, prk, 32, NULL), LT_ERR_USAGE);

    /* RFC 5869 2.3: L <= 255*HashLen; PRK at least HashLen. */
    EXPECT_EQ(lt_hkdf_expand(LT_HASH_SHA256, prk, 32, NULL, 0, out, 255 * 32), LT_OK);
    memset(out, 0xaa, sizeof out);
    EXPECT_EQ(lt_hkdf_expand(LT_HASH_SHA256, prk, 32, NULL, 0, out, 255 * 32 + 1), LT_ERR_USAGE);
    EXPECT(all_zero(out, 255 * 32 + 1)); /* wiped on failure */
    memset(out, 0xaa, 32);
    EXPECT_EQ(lt_hkdf_expand(LT_HASH_SHA256, prk, 31, NULL, 0, out, 32), LT_ERR_USAGE);
    EXPECT(all_zero(out, 32));
    EXPECT_EQ(lt_hkdf_expand(LT_HASH_SHA256, prk, 32, NULL, 0, out, 0), LT_ERR_USAGE);
    EXPECT_EQ(lt_hkdf_expand(LT_HASH_SHA256, prk, 32, NULL, 3, out, 32), LT_ERR_USAGE);
    EXPECT_EQ(lt_hkdf_expand(LT_HASH_SHA256, NULL, 32, NULL, 0, out, 32), LT_ERR_USAGE);
    EXPECT_EQ(lt_hkdf_expand((lt_hash_alg)7, prk, 48, NULL, 0, out, 32), LT_ERR_USAGE);
    EXPECT_EQ(lt_hkdf_expand(LT_HASH_SHA384, prk, 48, NULL, 0, out, 255 * 48 + 1), LT_ERR_USAGE);
}

/* ---- HMAC: RFC 4231 section 4 ---- */

typedef struct hmac_case {
    const char *name;
    const char *key, *data; /* hex */
    const char *sha256, *sha384;
} hmac_case;

static const hmac_case HMAC_CASES[] = {
    {"4.2 (test case 1)", "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "4869205468657265",
     "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
     "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59cfaea9ea9076ede7f4af152e8b2fa9cb6"},
    {"4.3 (test case 2)", "4a656665", "7768617420646f2079612077616e7420666f72206e6f7468696e673f",
     "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
     "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e8e2240ca5e69e2c78b3239ecfab21649"},
    {"4.4 (test case 3)", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
     "dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd",
     "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe",
     "88062608d3e6ad8a0aa2ace014c8a86f0aa635d947ac9febe83ef4e55966144b2a5ab39dc13814b94e3ab6e101a34f27"},
    /* A key longer than the block size (131 bytes of 0xaa): hashed first. */
    {"4.7 (test case 6)",
     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
     /* "Test Using Larger Than Block-Size Key - Hash Key First" */
     "54657374205573696e67204c6172676572205468616e20426c6f636b2d53697a65204b6579202d2048617368204b6579204669"
     "727374",
     "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
     "4ece084485813e9088d2c63a041bc5b44f9ef1012a2b588f3cd11f05033ac4c60c2ef6ab4030fe8296248df163f44952"},
};

static void test_hmac_rfc4231(void)
{
    for (size_t i = 0; i < sizeof HMAC_CASES / sizeof HMAC_CASES[0]; i++) {
        const hmac_case *c = &HMAC_CASES[i];
        uint8_t key[256], data[256], mac[LT_MAX_HASH_LEN];
        size_t key_len = unhex(c->key, key, sizeof key), data_len = unhex(c->data, data, sizeof data);
        size_t mac_len = 0;
        EXPECT_EQ(lt_hmac(LT_HASH_SHA256, key, key_len, data, data_len, mac, &mac_len), LT_OK);
        EXPECT_EQ(mac_len, 32);
        expect_hex(mac, 32, c->sha256);
        EXPECT_EQ(lt_hmac(LT_HASH_SHA384, key, key_len, data, data_len, mac, &mac_len), LT_OK);
        EXPECT_EQ(mac_len, 48);
        expect_hex(mac, 48, c->sha384);
        if (lt_test_current_failed) {
            fprintf(stderr, "  (RFC 4231 %s)\n", c->name);
        }
    }
    EXPECT_EQ(unhex(HMAC_CASES[3].key, (uint8_t[256]){0}, 256), 131);
}

/* An empty key is a valid HMAC key (zero-padded, RFC 2104 2). Values from
 * Python's hmac module. */
static void test_hmac_empty(void)
{
    uint8_t mac[48];
    size_t mac_len = 0;
    EXPECT_EQ(lt_hmac(LT_HASH_SHA256, NULL, 0, NULL, 0, mac, &mac_len), LT_OK);
    expect_hex(mac, 32, "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
    EXPECT_EQ(lt_hmac(LT_HASH_SHA384, NULL, 0, (const uint8_t *)"abc", 3, mac, &mac_len), LT_OK);
    EXPECT_EQ(mac_len, 48);
    expect_hex(mac, 48,
               "948f7c5caa500c31d7d4a0f52f3e3da7e33c8a9fe6ef528b8a9ac3e4adc4e24d908e6f40b737510e82354759dc5e9f06");
}

static void test_hmac_usage(void)
{
    uint8_t mac[48], key[4] = {0};
    size_t mac_len = 99;
    memset(mac, 0xaa, sizeof mac);
    EXPECT_EQ(lt_hmac((lt_hash_alg)0, key, 4, key, 4, mac, &mac_len), LT_ERR_USAGE);
    EXPECT_EQ(mac_len, 0);
    EXPECT_EQ(lt_hmac(LT_HASH_SHA256, NULL, 4, key, 4, mac, &mac_len), LT_ERR_USAGE);
    EXPECT(all_zero(mac, 32)); /* wiped on failure */
    EXPECT_EQ(lt_hmac(LT_HASH_SHA256, key, 4, NULL, 4, mac, &mac_len), LT_ERR_USAGE);
    EXPECT_EQ(lt_hmac(LT_HASH_SHA256, key, 4, key, 4, NULL, &mac_len), LT_ERR_USAGE);
    EXPECT_EQ(lt_hmac(LT_HASH_SHA256, key, 4, key, 4, mac, NULL), LT_ERR_USAGE);
}

/* ---- RFC 8448 section 3: simple 1-RTT ---- */

/* The HkdfLabel the schedule builds is the RFC's "info": expanding the
 * RFC's info bytes directly gives what lt_ks13_expand_label gives. */
static void test_rfc8448_hkdf_label(void)
{
    uint8_t hs[32], s_hs[32], th[32], info[64], a[32], b[32];
    size_t info_len;
    unhex(S3_HS_SECRET, hs, sizeof hs);
    unhex(S3_HASH_CH_SH, th, sizeof th);
    unhex(S3_S_HS, s_hs, sizeof s_hs);

    info_len = unhex(S3_C_HS_INFO, info, sizeof info);
    EXPECT_EQ(info_len, 54);
    EXPECT_EQ(lt_hkdf_expand(LT_HASH_SHA256, hs, 32, info, info_len, a, 32), LT_OK);
    EXPECT_EQ(lt_ks13_expand_label(LT_HASH_SHA256, hs, "c hs traffic", th, 32, b, 32), LT_OK);
    EXPECT_MEM(a, b, 32);
    expect_hex(a, 32, S3_C_HS);

    info_len = unhex(S3_FINISHED_INFO, info, sizeof info);
    EXPECT_EQ(info_len, 18);
    EXPECT_EQ(lt_hkdf_expand(LT_HASH_SHA256, s_hs, 32, info, info_len, a, 32), LT_OK);
    EXPECT_EQ(lt_ks13_expand_label(LT_HASH_SHA256, s_hs, "finished", NULL, 0, b, 32), LT_OK);
    EXPECT_MEM(a, b, 32);
    expect_hex(a, 32, S3_S_FINISHED_KEY);
}

static void test_rfc8448_1rtt(void)
{
    lt_ks13 ks;
    uint8_t th[32], secret[32], c_hs[32], s_hs[32], out[32], dhe[32], key[16], iv[12], empty[32];
    size_t empty_len = 0;
    const char *const ch_sh[] = {S3_CH, S3_SH};
    const char *const ch_cv[] = {S3_CH, S3_SH, S3_EE, S3_CERT, S3_CV};
    const char *const ch_sfin[] = {S3_CH, S3_SH, S3_EE, S3_CERT, S3_CV, S3_S_FINISHED_MSG};
    const char *const ch_cfin[] = {S3_CH, S3_SH, S3_EE, S3_CERT, S3_CV, S3_S_FINISHED_MSG, S3_C_FINISHED_MSG};

    /* Early Secret = HKDF-Extract(0, 0): no PSK. */
    EXPECT_EQ(lt_ks13_early(&ks, LT_HASH_SHA256, NULL, 0), LT_OK);
    EXPECT_EQ(ks.hash, LT_HASH_SHA256);
    EXPECT_EQ(ks.hash_len, 32);
    expect_hex(ks.early, 32, S3_EARLY);
    /* The "derived" step on its own: Derive-Secret(., "derived", ""). */
    EXPECT_EQ(lt_hash_oneshot(LT_HASH_SHA256, "", 0, empty, &empty_len), LT_OK);
    EXPECT_EQ(lt_ks13_derive_secret(&ks, ks.early, "derived", empty, secret), LT_OK);
    expect_hex(secret, 32, S3_DERIVED_FOR_HS);

    /* Handshake Secret from the x25519 shared secret. */
    EXPECT_EQ(unhex(S3_DHE, dhe, sizeof dhe), 32);
    EXPECT_EQ(lt_ks13_handshake(&ks, dhe, sizeof dhe), LT_OK);
    expect_hex(ks.handshake, 32, S3_HS_SECRET);
    EXPECT(all_zero(ks.early, sizeof ks.early));

    transcript_hash(LT_HASH_SHA256, ch_sh, 2, th);
    expect_hex(th, 32, S3_HASH_CH_SH);
    EXPECT_EQ(lt_ks13_derive_secret(&ks, ks.handshake, "c hs traffic", th, c_hs), LT_OK);
    expect_hex(c_hs, 32, S3_C_HS);
    EXPECT_EQ(lt_ks13_derive_secret(&ks, ks.handshake, "s hs traffic", th, s_hs), LT_OK);
    expect_hex(s_hs, 32, S3_S_HS);

    EXPECT_EQ(lt_ks13_traffic_keys(LT_HASH_SHA256, LT_CIPHER_AES_128_GCM, s_hs, key, iv), LT_OK);
    expect_hex(key, 16, S3_S_HS_KEY);
    expect_hex(iv, 12, S3_S_HS_IV);
    EXPECT_EQ(lt_ks13_traffic_keys(LT_HASH_SHA256, LT_CIPHER_AES_128_GCM, c_hs, key, iv), LT_OK);
    expect_hex(key, 16, S3_C_HS_KEY);
    expect_hex(iv, 12, S3_C_HS_IV);

    /* Server Finished over ClientHello...CertificateVerify (4.4.4). */
    transcript_hash(LT_HASH_SHA256, ch_cv, 5, th);
    EXPECT_EQ(lt_ks13_finished(LT_HASH_SHA256, s_hs, th, out), LT_OK);
    expect_hex(out, 32, S3_S_FINISHED);
    {
        /* ...which is the verify_data of the Finished message the RFC sends. */
        uint8_t msg[36];
        EXPECT_EQ(unhex(S3_S_FINISHED_MSG, msg, sizeof msg), 36);
        EXPECT_MEM(msg + 4, out, 32);
    }

    /* Master Secret. */
    EXPECT_EQ(lt_ks13_derive_secret(&ks, ks.handshake, "derived", empty, secret), LT_OK);
    expect_hex(secret, 32, S3_DERIVED_FOR_MASTER);
    EXPECT_EQ(lt_ks13_master(&ks), LT_OK);
    expect_hex(ks.master, 32, S3_MASTER);
    EXPECT(all_zero(ks.handshake, sizeof ks.handshake));

    /* Application secrets over ClientHello...server Finished. */
    transcript_hash(LT_HASH_SHA256, ch_sfin, 6, th);
    expect_hex(th, 32, S3_HASH_CH_SFIN);
    EXPECT_EQ(lt_ks13_derive_secret(&ks, ks.master, "c ap traffic", th, secret), LT_OK);
    expect_hex(secret, 32, S3_C_AP);
    EXPECT_EQ(lt_ks13_traffic_keys(LT_HASH_SHA256, LT_CIPHER_AES_128_GCM, secret, key, iv), LT_OK);
    expect_hex(key, 16, S3_C_AP_KEY);
    expect_hex(iv, 12, S3_C_AP_IV);
    EXPECT_EQ(lt_ks13_derive_secret(&ks, ks.master, "s ap traffic", th, secret), LT_OK);
    expect_hex(secret, 32, S3_S_AP);
    EXPECT_EQ(lt_ks13_traffic_keys(LT_HASH_SHA256, LT_CIPHER_AES_128_GCM, secret, key, iv), LT_OK);
    expect_hex(key, 16, S3_S_AP_KEY);
    expect_hex(iv, 12, S3_S_AP_IV);
    EXPECT_EQ(lt_ks13_derive_secret(&ks, ks.master, "exp master", th, secret), LT_OK);
    expect_hex(secret, 32, S3_EXP_MASTER);

    /* Client Finished over ClientHello...server Finished. */
    EXPECT_EQ(lt_ks13_finished(LT_HASH_SHA256, c_hs, th, out), LT_OK);
    expect_hex(out, 32, S3_C_FINISHED);
    EXPECT_EQ(lt_ks13_expand_label(LT_HASH_SHA256, c_hs, "finished", NULL, 0, secret, 32), LT_OK);
    expect_hex(secret, 32, S3_C_FINISHED_KEY);

    /* Resumption master secret over ClientHello...client Finished. */
    transcript_hash(LT_HASH_SHA256, ch_cfin, 7, th);
    expect_hex(th, 32, S3_HASH_CH_CFIN);
    EXPECT_EQ(lt_ks13_derive_secret(&ks, ks.master, "res master", th, secret), LT_OK);
    expect_hex(secret, 32, S3_RES_MASTER);

    /* The ticket's PSK (4.6.1), nonce 00 00 as the NewSessionTicket sends. */
    {
        uint8_t nonce[2], psk[32];
        EXPECT_EQ(unhex(S3_TICKET_NONCE, nonce, sizeof nonce), 2);
        EXPECT_EQ(lt_ks13_resumption_psk(LT_HASH_SHA256, secret, nonce, sizeof nonce, psk), LT_OK);
        expect_hex(psk, 32, S3_RES_PSK);
        /* Section 4 resumes with exactly this PSK. */
        expect_hex(psk, 32, S4_PSK);
        uint8_t info[32];
        size_t info_len = unhex(S3_RESUMPTION_INFO, info, sizeof info);
        EXPECT_EQ(info_len, 22);
        EXPECT_EQ(lt_hkdf_expand(LT_HASH_SHA256, secret, 32, info, info_len, out, 32), LT_OK);
        EXPECT_MEM(out, psk, 32);
    }
    lt_wipe(&ks, sizeof ks);
}

/* ---- RFC 8448 section 4: resumed 0-RTT ---- */

static void test_rfc8448_resumed(void)
{
    lt_ks13 ks;
    uint8_t psk[32], th[32], binder_key[32], binder[32], secret[32], dhe[32], key[16], iv[12];
    static uint8_t ch[512];
    const char *const prefix[] = {S4_CH_PREFIX};
    const char *const full_ch[] = {S4_CH};
    const char *const ch_sh[] = {S4_CH, S4_SH};

    EXPECT_EQ(unhex(S4_PSK, psk, sizeof psk), 32);
    EXPECT_EQ(lt_ks13_early(&ks, LT_HASH_SHA256, psk, sizeof psk), LT_OK);
    expect_hex(ks.early, 32, S4_EARLY);

    /* The binder (4.2.11.2): a Finished computed with the binder key over
     * the ClientHello truncated before the binders. The binder key's label
     * is "res binder" (RFC 8446 7.1); this vector fails with any other. */
    EXPECT_EQ(lt_ks13_binder_key(&ks, 0, binder_key), LT_OK);
    expect_hex(binder_key, 32, S4_BINDER_KEY);
    transcript_hash(LT_HASH_SHA256, prefix, 1, th);
    expect_hex(th, 32, S4_BINDER_HASH);
    EXPECT_EQ(lt_ks13_finished(LT_HASH_SHA256, binder_key, th, binder), LT_OK);
    expect_hex(binder, 32, S4_BINDER);
    EXPECT_EQ(lt_ks13_expand_label(LT_HASH_SHA256, binder_key, "finished", NULL, 0, secret, 32), LT_OK);
    expect_hex(secret, 32, S4_BINDER_FINISHED_KEY);
    /* The ClientHello sent: the prefix, then binders<33..2^16-1> holding
     * one 32-byte binder: 00 21 20 || binder. */
    EXPECT_EQ(unhex(S4_CH, ch, sizeof ch), 512);
    {
        uint8_t pre[477];
        EXPECT_EQ(unhex(S4_CH_PREFIX, pre, sizeof pre), 477);
        EXPECT_MEM(ch, pre, 477);
        EXPECT(ch[477] == 0x00 && ch[478] == 0x21 && ch[479] == 0x20);
        EXPECT_MEM(ch + 480, binder, 32);
    }

    /* An external PSK's binder key is a different one (7.1). */
    {
        uint8_t ext[32];
        EXPECT_EQ(lt_ks13_binder_key(&ks, 1, ext), LT_OK);
        EXPECT(memcmp(ext, binder_key, 32) != 0);
        expect_hex(ext, 32, "ce30064fe130ccc35799d808397cadddc95f09730c23b65ff659bb16202f51aa"); /* Python */
    }

    /* 0-RTT secrets over the whole ClientHello. */
    transcript_hash(LT_HASH_SHA256, full_ch, 1, th);
    expect_hex(th, 32, S4_HASH_CH);
    EXPECT_EQ(lt_ks13_derive_secret(&ks, ks.early, "c e traffic", th, secret), LT_OK);
    expect_hex(secret, 32, S4_C_E_TRAFFIC);
    EXPECT_EQ(lt_ks13_traffic_keys(LT_HASH_SHA256, LT_CIPHER_AES_128_GCM, secret, key, iv), LT_OK);
    expect_hex(key, 16, S4_E_KEY);
    expect_hex(iv, 12, S4_E_IV);
    EXPECT_EQ(lt_ks13_derive_secret(&ks, ks.early, "e exp master", th, secret), LT_OK);
    expect_hex(secret, 32, S4_E_EXP_MASTER);

    /* psk_dhe_ke: the handshake secret from the PSK's early secret. */
    EXPECT_EQ(unhex(S4_DHE, dhe, sizeof dhe), 32);
    EXPECT_EQ(lt_ks13_handshake(&ks, dhe, sizeof dhe), LT_OK);
    expect_hex(ks.handshake, 32, S4_HS_SECRET);
    transcript_hash(LT_HASH_SHA256, ch_sh, 2, th);
    expect_hex(th, 32, S4_HASH_CH_SH);
    EXPECT_EQ(lt_ks13_derive_secret(&ks, ks.handshake, "c hs traffic", th, secret), LT_OK);
    expect_hex(secret, 32, S4_C_HS);
    EXPECT_EQ(lt_ks13_derive_secret(&ks, ks.handshake, "s hs traffic", th, secret), LT_OK);
    expect_hex(secret, 32, S4_S_HS);
    EXPECT_EQ(lt_ks13_master(&ks), LT_OK);
    expect_hex(ks.master, 32, S4_MASTER);
    lt_wipe(&ks, sizeof ks);
}

/* ---- KeyUpdate (7.2) ---- */

/* HkdfLabel for "traffic upd", built by hand: length 32, label
 * "tls13 traffic upd" (17 bytes), empty context. */
static const char TRAFFIC_UPD_INFO_32[] = "00 20 11 74 6c 73 31 33 20 74 72 61 66 66 69 63 20 75 70 64 00";

static void test_key_update(void)
{
    uint8_t secret[32], info[32], want[32];
    size_t info_len = unhex(TRAFFIC_UPD_INFO_32, info, sizeof info);
    EXPECT_EQ(info_len, 21);

    /* client_application_traffic_secret_0 of RFC 8448 3. */
    EXPECT_EQ(unhex(S3_C_AP, secret, sizeof secret), 32);
    EXPECT_EQ(lt_hkdf_expand(LT_HASH_SHA256, secret, 32, info, info_len, want, 32), LT_OK);
    EXPECT_EQ(lt_ks13_update_traffic_secret(LT_HASH_SHA256, secret), LT_OK);
    EXPECT_MEM(secret, want, 32);
    expect_hex(secret, 32, "fcdfcc72725aaee48bf64e4fd8b749cdbdbab39d90da0b26e2245ca6ea167207"); /* Python */
    /* _2 from _1: the update chains. */
    EXPECT_EQ(lt_hkdf_expand(LT_HASH_SHA256, secret, 32, info, info_len, want, 32), LT_OK);
    EXPECT_EQ(lt_ks13_update_traffic_secret(LT_HASH_SHA256, secret), LT_OK);
    EXPECT_MEM(secret, want, 32);
    expect_hex(secret, 32, "68474fe58c172143d0a009a76edd231b0d934f3058588ea0852662279e54a573"); /* Python */

    EXPECT_EQ(unhex(S3_S_AP, secret, sizeof secret), 32);
    EXPECT_EQ(lt_ks13_update_traffic_secret(LT_HASH_SHA256, secret), LT_OK);
    expect_hex(secret, 32, "51921b8aa3001976eb401d0a4319a8516416a6c56001a357e5d162031e84f916"); /* Python */

    EXPECT_EQ(lt_ks13_update_traffic_secret(LT_HASH_SHA1, secret), LT_ERR_USAGE);
    EXPECT_EQ(lt_ks13_update_traffic_secret(LT_HASH_SHA256, NULL), LT_ERR_USAGE);
}

/* ---- The exporter (7.5) ---- */

/* TLS-Exporter rebuilt from its definition with lt_hash_oneshot and
 * lt_hkdf_expand over hand-built HkdfLabels. */
static void export_by_hand(lt_hash_alg alg, const uint8_t *ems, const char *label, const uint8_t *context,
                           size_t context_len, uint8_t *out, size_t out_len)
{
    uint8_t empty_h[48], context_h[48], secret[48], info[2 + 1 + 255 + 1 + 48];
    size_t hl = lt_hash_len(alg), len = 0, n = 0, label_len = strlen(label);

    EXPECT_EQ(lt_hash_oneshot(alg, "", 0, empty_h, &len), LT_OK);
    EXPECT_EQ(lt_hash_oneshot(alg, context_len ? (const void *)context : "", context_len, context_h, &len), LT_OK);
    /* Derive-Secret(Secret, label, ""): HkdfLabel(Hash.length, "tls13 " + label, Hash("")) */
    info[n++] = (uint8_t)(hl >> 8);
    info[n++] = (uint8_t)hl;
    info[n++] = (uint8_t)(6 + label_len);
    memcpy(info + n, "tls13 ", 6);
    n += 6;
    memcpy(info + n, label, label_len);
    n += label_len;
    info[n++] = (uint8_t)hl;
    memcpy(info + n, empty_h, hl);
    n += hl;
    EXPECT_EQ(lt_hkdf_expand(alg, ems, hl, info, n, secret, hl), LT_OK);
    /* HKDF-Expand-Label(., "exporter", Hash(context_value), key_length) */
    n = 0;
    info[n++] = (uint8_t)(out_len >> 8);
    info[n++] = (uint8_t)out_len;
    info[n++] = 14;
    memcpy(info + n, "tls13 exporter", 14);
    n += 14;
    info[n++] = (uint8_t)hl;
    memcpy(info + n, context_h, hl);
    n += hl;
    EXPECT_EQ(lt_hkdf_expand(alg, secret, hl, info, n, out, out_len), LT_OK);
}

static void test_export_sha256(void)
{
    static const char label[] = "EXPORTER-lucidtls test";
    static const uint8_t context[] = "context value";
    uint8_t ems[32], got[64], want[64];

    /* exporter_master_secret of RFC 8448 3. */
    EXPECT_EQ(unhex(S3_EXP_MASTER, ems, sizeof ems), 32);
    EXPECT_EQ(lt_ks13_export(LT_HASH_SHA256, ems, label, strlen(label), context, sizeof context - 1, got, 32), LT_OK);
    export_by_hand(LT_HASH_SHA256, ems, label, context, sizeof context - 1, want, 32);
    EXPECT_MEM(got, want, 32);
    expect_hex(got, 32, "826cd2e14f9714a7c93013900da8bdc64b39ebeb4edd07b03ec294c35bb0bfcb"); /* Python */

    /* No context and an empty one are the same in TLS 1.3 (7.5). */
    EXPECT_EQ(lt_ks13_export(LT_HASH_SHA256, ems, label, strlen(label), NULL, 0, got, 50), LT_OK);
    export_by_hand(LT_HASH_SHA256, ems, label, NULL, 0, want, 50);
    EXPECT_MEM(got, want, 50);
    expect_hex(got, 50,
               "3ce39d3c9c7b5cf1967580442f6291e4b760ecd68d3dee2c7942ff546f871ebceca307ebd2db62caf910acdae4920f18a697");
    EXPECT_EQ(lt_ks13_export(LT_HASH_SHA256, ems, label, strlen(label), context, 0, want, 50), LT_OK);
    EXPECT_MEM(got, want, 50);

    /* The length is an input: a shorter export is not a prefix. */
    EXPECT_EQ(lt_ks13_export(LT_HASH_SHA256, ems, label, strlen(label), NULL, 0, want, 32), LT_OK);
    EXPECT(memcmp(got, want, 32) != 0);
}

static void test_export_limits(void)
{
    static uint8_t big_context[70000];
    char label[251];
    uint8_t ems[32] = {1}, out[64], want[64];

    /* The context is hashed: any length works, 255 is no limit here. */
    memset(big_context, 0x5c, sizeof big_context);
    EXPECT_EQ(lt_ks13_export(LT_HASH_SHA256, ems, "x", 1, big_context, sizeof big_context, out, 16), LT_OK);

    /* "tls13 " + label must fit label<7..255>: 1 to 249 bytes. */
    memset(label, 'a', sizeof label);
    label[250] = 0;
    EXPECT_EQ(lt_ks13_export(LT_HASH_SHA256, ems, label, 249, NULL, 0, out, 16), LT_OK);
    label[249] = 0;
    export_by_hand(LT_HASH_SHA256, ems, label, NULL, 0, want, 16);
    EXPECT_MEM(out, want, 16);
    memset(out, 0xaa, sizeof out);
    EXPECT_EQ(lt_ks13_export(LT_HASH_SHA256, ems, label, 250, NULL, 0, out, 16), LT_ERR_USAGE);
    EXPECT(all_zero(out, 16));
    EXPECT_EQ(lt_ks13_export(LT_HASH_SHA256, ems, label, 0, NULL, 0, out, 16), LT_ERR_USAGE);
    EXPECT_EQ(lt_ks13_export(LT_HASH_SHA256, ems, NULL, 3, NULL, 0, out, 16), LT_ERR_USAGE);

    /* The label is label_len raw bytes: a NUL inside counts. */
    EXPECT_EQ(lt_ks13_export(LT_HASH_SHA256, ems, "ab\0c", 4, NULL, 0, out, 16), LT_OK);
    EXPECT_EQ(lt_ks13_export(LT_HASH_SHA256, ems, "ab", 2, NULL, 0, want, 16), LT_OK);
    EXPECT(memcmp(out, want, 16) != 0);

    EXPECT_EQ(lt_ks13_export(LT_HASH_SHA256, ems, "x", 1, NULL, 5, out, 16), LT_ERR_USAGE);
    EXPECT_EQ(lt_ks13_export(LT_HASH_SHA256, NULL, "x", 1, NULL, 0, out, 16), LT_ERR_USAGE);
    EXPECT_EQ(lt_ks13_export(LT_HASH_SHA256, ems, "x", 1, NULL, 0, NULL, 16), LT_ERR_USAGE);
    EXPECT_EQ(lt_ks13_export(LT_HASH_SHA256, ems, "x", 1, NULL, 0, out, 0), LT_ERR_USAGE);
    EXPECT_EQ(lt_ks13_export(LT_HASH_SHA1, ems, "x", 1, NULL, 0, out, 16), LT_ERR_USAGE);
    {
        static uint8_t long_out[255 * 32 + 1];
        EXPECT_EQ(lt_ks13_export(LT_HASH_SHA256, ems, "x", 1, NULL, 0, long_out, 255 * 32), LT_OK);
        EXPECT_EQ(lt_ks13_export(LT_HASH_SHA256, ems, "x", 1, NULL, 0, long_out, 255 * 32 + 1), LT_ERR_USAGE);
    }
}

/* OpenSSL 3.0.19's own exporter: `openssl s_client -tls1_3 -keylogfile F
 * -keymatexport "EXPORTER-lucidtls test" -keymatexportlen 40` against
 * `openssl s_server` (TLS_AES_256_GCM_SHA384) printed the keying material;
 * the key log gave the EXPORTER_SECRET. s_client exports with no context. */
static void test_export_openssl(void)
{
    static const char label[] = "EXPORTER-lucidtls test";
    uint8_t ems[48], out[40];
    EXPECT_EQ(unhex("4d51398979a2ab3743ae6a82b9b461267e0c82b7b6185478406b5beaa7e6cb6bc181e3c972bb8c5a30b70eee5d210abb",
                    ems, sizeof ems),
              48);
    EXPECT_EQ(lt_ks13_export(LT_HASH_SHA384, ems, label, strlen(label), NULL, 0, out, sizeof out), LT_OK);
    expect_hex(out, 40, "B46D3922628682F9CE8520D5F7F3E58E4F3BB5610C3A10EBC3A42E44A66D7A723C6E0BCC6A92BF1E");
}

/* ---- SHA-384 (TLS_AES_256_GCM_SHA384) ---- */

static void hash_str(lt_hash_alg alg, const char *s, uint8_t *out)
{
    size_t len = 0;
    EXPECT_EQ(lt_hash_oneshot(alg, s, strlen(s), out, &len), LT_OK);
    EXPECT_EQ(len, lt_hash_len(alg));
}

/* Made-up inputs; every expected value from the Python script below. */
static void test_sha384_schedule(void)
{
    lt_ks13 ks;
    uint8_t dhe[48], th1[48], th2[48], th3[48], secret[48], s_hs[48], c_ap[48], out[64], key[32], iv[12];
    const uint8_t nonce[4] = {1, 2, 3, 4};
    for (int i = 0; i < 48; i++) {
        dhe[i] = (uint8_t)(0x30 + i);
    }
    hash_str(LT_HASH_SHA384, "ClientHello...ServerHello", th1);
    hash_str(LT_HASH_SHA384, "ClientHello...server Finished", th2);
    hash_str(LT_HASH_SHA384, "ClientHello...CertificateVerify", th3);

    EXPECT_EQ(lt_ks13_early(&ks, LT_HASH_SHA384, NULL, 0), LT_OK);
    EXPECT_EQ(ks.hash_len, 48);
    expect_hex(ks.early, 48,
               "7ee8206f5570023e6dc7519eb1073bc4e791ad37b5c382aa10ba18e2357e716971f9362f2c2fe2a76bfd78dfec4ea9b5");
    EXPECT_EQ(lt_ks13_binder_key(&ks, 1, secret), LT_OK);
    expect_hex(secret, 48,
               "08f41b6439cb3ec19b027633b75a616e6a9d5ab7aee0efde11c4b5eb83f921bc5ddb68c3e1f8bdf1b996d05ba5a71007");
    EXPECT_EQ(lt_ks13_handshake(&ks, dhe, sizeof dhe), LT_OK);
    expect_hex(ks.handshake, 48,
               "eadb02573585109e0d290f6a19d9c2320ffd3e60b617cdf88d2b5dc015393439595eefb1d1d4da4dd76d6249e54bff7e");
    EXPECT_EQ(lt_ks13_derive_secret(&ks, ks.handshake, "c hs traffic", th1, secret), LT_OK);
    expect_hex(secret, 48,
               "af88eea46cd06a0962a9141650e459b7a724d43eda365612c5fa812468242be16b6f87c2940d64db0097b348fc80b2a8");
    EXPECT_EQ(lt_ks13_derive_secret(&ks, ks.handshake, "s hs traffic", th1, s_hs), LT_OK);
    expect_hex(s_hs, 48,
               "448f9381aeafaac8878485661e36a112271a89bc168adf4508561f690067b3074bf3d00f3b2802738053443894fd0aa2");
    EXPECT_EQ(lt_ks13_traffic_keys(LT_HASH_SHA384, LT_CIPHER_AES_256_GCM, s_hs, key, iv), LT_OK);
    expect_hex(key, 32, "c4c792fa9369bcd6c980f36e62c4d23013113b67c2dca3ee19c2bd59a651c16b");
    expect_hex(iv, 12, "96e68cf12aaeb62788f10475");
    EXPECT_EQ(lt_ks13_finished(LT_HASH_SHA384, s_hs, th3, out), LT_OK);
    expect_hex(out, 48,
               "b203dbd54f871870a3c68c781bc897e0f2549a1476298a905dfb67f9dd62b4cbf4f991c62f5126900d33c41dd900fc6b");

    EXPECT_EQ(lt_ks13_master(&ks), LT_OK);
    expect_hex(ks.master, 48,
               "1775e7d00b918cd034c57e09f8358f78af0ce635d11f141ab97d354e9cdc4fb9439eb2cc57c08944a7a12e27940656fb");
    EXPECT_EQ(lt_ks13_derive_secret(&ks, ks.master, "c ap traffic", th2, c_ap), LT_OK);
    expect_hex(c_ap, 48,
               "e9b075447cb2021c3d9e04031bddde3e9f92ed7f777d40e0292a45f947a1dd684d3ab7bbcbd0304e8385449b1ba7a6c6");
    EXPECT_EQ(lt_ks13_update_traffic_secret(LT_HASH_SHA384, c_ap), LT_OK);
    expect_hex(c_ap, 48,
               "eecca368a340a6ffe00131a32bade87fdbbfca168a4380c43df9dfcaec4caadd3fcb7e16990a6fdad186caefd6164d64");

    EXPECT_EQ(lt_ks13_derive_secret(&ks, ks.master, "exp master", th2, secret), LT_OK);
    expect_hex(secret, 48,
               "00874c20e4a17f709e72692edbc228be6f7fe0834b327d578fe7d5367219197efa461146f3d2bb3122e6a75a0c307c8a");
    {
        static const char label[] = "EXPORTER-lucidtls test";
        static const uint8_t context[] = "context value";
        uint8_t want[64];
        EXPECT_EQ(lt_ks13_export(LT_HASH_SHA384, secret, label, strlen(label), context, sizeof context - 1, out, 64),
                  LT_OK);
        expect_hex(out, 64,
                   "23927ba2f5b076b73b0e3777131fee77abacb337aa2b56080c96c447bbe36b2580ff0033946f606e5d331562d731a86c"
                   "08f27448ebc50281557e96fb36cd2aea");
        export_by_hand(LT_HASH_SHA384, secret, label, context, sizeof context - 1, want, 64);
        EXPECT_MEM(out, want, 64);
    }

    EXPECT_EQ(lt_ks13_derive_secret(&ks, ks.master, "res master", th2, secret), LT_OK);
    expect_hex(secret, 48,
               "14ffe652e47a036a88282d8775ee1bfd1331d388f05b0ee2b44986a69d0a1de530a37940cf155aa7b53ca4d7ed8b185d");
    EXPECT_EQ(lt_ks13_resumption_psk(LT_HASH_SHA384, secret, nonce, sizeof nonce, out), LT_OK);
    expect_hex(out, 48,
               "dc9b52dc562380c79f24fe6e083bc938ad0c9198a21965c49c2d7bfe7441b4ffafb951f5d38a6f2e7647f3cf665ce300");
    lt_wipe(&ks, sizeof ks);
}

/* ---- Limits and misuse ---- */

static void test_expand_label_limits(void)
{
    static uint8_t out[255 * 32 + 1];
    uint8_t secret[32] = {7}, context[256] = {0};
    char label[251];
    memset(label, 'l', sizeof label);

    /* label<7..255> holds "tls13 " + Label: Label is 1 to 249 bytes. */
    label[249] = 0;
    EXPECT_EQ(lt_ks13_expand_label(LT_HASH_SHA256, secret, label, NULL, 0, out, 32), LT_OK);
    label[249] = 'l';
    label[250] = 0;
    memset(out, 0xaa, 32);
    EXPECT_EQ(lt_ks13_expand_label(LT_HASH_SHA256, secret, label, NULL, 0, out, 32), LT_ERR_USAGE);
    EXPECT(all_zero(out, 32));
    EXPECT_EQ(lt_ks13_expand_label(LT_HASH_SHA256, secret, "", NULL, 0, out, 32), LT_ERR_USAGE);
    EXPECT_EQ(lt_ks13_expand_label(LT_HASH_SHA256, secret, NULL, NULL, 0, out, 32), LT_ERR_USAGE);

    /* context<0..255> */
    EXPECT_EQ(lt_ks13_expand_label(LT_HASH_SHA256, secret, "c", context, 255, out, 32), LT_OK);
    EXPECT_EQ(lt_ks13_expand_label(LT_HASH_SHA256, secret, "c", context, 256, out, 32), LT_ERR_USAGE);
    EXPECT_EQ(lt_ks13_expand_label(LT_HASH_SHA256, secret, "c", NULL, 1, out, 32), LT_ERR_USAGE);
    /* The largest label and context together. */
    label[249] = 0;
    {
        uint8_t secret48[48] = {7};
        EXPECT_EQ(lt_ks13_expand_label(LT_HASH_SHA384, secret48, label, context, 255, out, 48), LT_OK);
    }

    /* Length: 1 to 255 * Hash.length (RFC 5869 2.3). */
    EXPECT_EQ(lt_ks13_expand_label(LT_HASH_SHA256, secret, "c", NULL, 0, out, 0), LT_ERR_USAGE);
    EXPECT_EQ(lt_ks13_expand_label(LT_HASH_SHA256, secret, "c", NULL, 0, out, 255 * 32), LT_OK);
    EXPECT_EQ(lt_ks13_expand_label(LT_HASH_SHA256, secret, "c", NULL, 0, out, 255 * 32 + 1), LT_ERR_USAGE);
    EXPECT_EQ(lt_ks13_expand_label(LT_HASH_SHA256, secret, "c", NULL, 0, out, 1), LT_OK);

    /* TLS 1.3 has SHA-256 and SHA-384 suites only. */
    EXPECT_EQ(lt_ks13_expand_label(LT_HASH_SHA1, secret, "c", NULL, 0, out, 20), LT_ERR_USAGE);
    EXPECT_EQ(lt_ks13_expand_label(LT_HASH_SHA256, NULL, "c", NULL, 0, out, 32), LT_ERR_USAGE);
    EXPECT_EQ(lt_ks13_expand_label(LT_HASH_SHA256, secret, "c", NULL, 0, NULL, 32), LT_ERR_USAGE);
}

static void test_schedule_usage(void)
{
    lt_ks13 ks;
    uint8_t out[48], key[32], iv[12], th[48] = {0}, psk[32] = {0};

    /* early */
    EXPECT_EQ(lt_ks13_early(&ks, LT_HASH_SHA1, NULL, 0), LT_ERR_USAGE);
    EXPECT_EQ(lt_ks13_early(&ks, LT_HASH_SHA256, NULL, 5), LT_ERR_USAGE);
    EXPECT_EQ(lt_ks13_early(NULL, LT_HASH_SHA256, NULL, 0), LT_ERR_USAGE);
    /* An uninitialised schedule (hash 0) or an inconsistent one. */
    memset(&ks, 0, sizeof ks);
    EXPECT_EQ(lt_ks13_derive_secret(&ks, ks.early, "derived", th, out), LT_ERR_USAGE);
    EXPECT_EQ(lt_ks13_binder_key(&ks, 0, out), LT_ERR_USAGE);
    EXPECT_EQ(lt_ks13_handshake(&ks, psk, 32), LT_ERR_USAGE);
    EXPECT_EQ(lt_ks13_master(&ks), LT_ERR_USAGE);
    EXPECT_EQ(lt_ks13_derive_secret(NULL, ks.early, "derived", th, out), LT_ERR_USAGE);
    ks.hash = LT_HASH_SHA384;
    ks.hash_len = 32;
    EXPECT_EQ(lt_ks13_master(&ks), LT_ERR_USAGE);

    /* A missing (EC)DHE secret is refused, and the early secret is gone. */
    EXPECT_EQ(lt_ks13_early(&ks, LT_HASH_SHA256, psk, sizeof psk), LT_OK);
    EXPECT_EQ(lt_ks13_handshake(&ks, NULL, 32), LT_ERR_USAGE);
    EXPECT(all_zero(ks.early, sizeof ks.early));
    EXPECT(all_zero(ks.handshake, sizeof ks.handshake));
    EXPECT_EQ(lt_ks13_early(&ks, LT_HASH_SHA256, psk, sizeof psk), LT_OK);
    EXPECT_EQ(lt_ks13_handshake(&ks, psk, 0), LT_ERR_USAGE);
    /* psk_ke (no (EC)DHE): the caller passes the 0-value explicitly. */
    EXPECT_EQ(lt_ks13_early(&ks, LT_HASH_SHA256, psk, sizeof psk), LT_OK);
    EXPECT_EQ(lt_ks13_handshake(&ks, psk, sizeof psk), LT_OK);
    EXPECT(!all_zero(ks.handshake, 32));
    EXPECT_EQ(lt_ks13_derive_secret(&ks, ks.handshake, "c hs traffic", NULL, out), LT_ERR_USAGE);

    /* Traffic keys: TLS 1.3 AEADs only; the key length follows the cipher. */
    memset(key, 0xaa, sizeof key);
    memset(iv, 0xaa, sizeof iv);
    EXPECT_EQ(lt_ks13_traffic_keys(LT_HASH_SHA256, LT_CIPHER_AES_128_CBC, psk, key, iv), LT_ERR_USAGE);
    EXPECT_EQ(lt_ks13_traffic_keys(LT_HASH_SHA1, LT_CIPHER_AES_128_GCM, psk, key, iv), LT_ERR_USAGE);
    EXPECT(all_zero(key, 16) && all_zero(iv, sizeof iv));
    memset(key, 0xaa, sizeof key);
    EXPECT_EQ(lt_ks13_traffic_keys(LT_HASH_SHA256, LT_CIPHER_AES_128_GCM, psk, key, iv), LT_OK);
    EXPECT(key[16] == 0xaa); /* 16 bytes written, no more */
    EXPECT_EQ(lt_ks13_traffic_keys(LT_HASH_SHA256, LT_CIPHER_CHACHA20_POLY1305, psk, key, iv), LT_OK);
    EXPECT(key[16] != 0xaa || key[31] != 0xaa);
    {
        /* The length is in the HkdfLabel: AES-128's key is not the first
         * half of ChaCha20's from the same secret. */
        uint8_t k128[16];
        EXPECT_EQ(lt_ks13_traffic_keys(LT_HASH_SHA256, LT_CIPHER_AES_128_GCM, psk, k128, iv), LT_OK);
        EXPECT(memcmp(k128, key, 16) != 0);
    }
    EXPECT_EQ(lt_ks13_traffic_keys(LT_HASH_SHA256, LT_CIPHER_AES_128_GCM, psk, NULL, iv), LT_ERR_USAGE);

    /* Finished */
    memset(out, 0xaa, sizeof out);
    EXPECT_EQ(lt_ks13_finished(LT_HASH_SHA256, psk, NULL, out), LT_ERR_USAGE);
    EXPECT(all_zero(out, 32));
    EXPECT_EQ(lt_ks13_finished(LT_HASH_SHA1, psk, th, out), LT_ERR_USAGE);
    EXPECT_EQ(lt_ks13_finished(LT_HASH_SHA256, NULL, th, out), LT_ERR_USAGE);

    /* The ticket nonce is opaque ticket_nonce<0..255> (4.6.1). */
    {
        uint8_t nonce[256] = {0};
        EXPECT_EQ(lt_ks13_resumption_psk(LT_HASH_SHA256, psk, nonce, 255, out), LT_OK);
        EXPECT_EQ(lt_ks13_resumption_psk(LT_HASH_SHA256, psk, nonce, 0, out), LT_OK);
        EXPECT_EQ(lt_ks13_resumption_psk(LT_HASH_SHA256, psk, NULL, 0, key), LT_OK);
        EXPECT_MEM(out, key, 32);
        EXPECT_EQ(lt_ks13_resumption_psk(LT_HASH_SHA256, psk, nonce, 256, out), LT_ERR_USAGE);
        EXPECT_EQ(lt_ks13_resumption_psk(LT_HASH_SHA1, psk, nonce, 2, out), LT_ERR_USAGE);
    }
    lt_wipe(&ks, sizeof ks);
}

int main(void)
{
    LT_RUN(test_hkdf_rfc5869);
    LT_RUN(test_hkdf_salt_zeros);
    LT_RUN(test_hkdf_empty_ikm);
    LT_RUN(test_hkdf_usage);
    LT_RUN(test_hmac_rfc4231);
    LT_RUN(test_hmac_empty);
    LT_RUN(test_hmac_usage);
    LT_RUN(test_rfc8448_hkdf_label);
    LT_RUN(test_rfc8448_1rtt);
    LT_RUN(test_rfc8448_resumed);
    LT_RUN(test_key_update);
    LT_RUN(test_export_sha256);
    LT_RUN(test_export_limits);
    LT_RUN(test_export_openssl);
    LT_RUN(test_sha384_schedule);
    LT_RUN(test_expand_label_limits);
    LT_RUN(test_schedule_usage);
    return lt_test_summary();
}

/*
 * The script that computed the values marked "Python" (Python 3.11, the
 * standard library only). The KeyUpdate and exporter inputs are RFC 8448 3
 * secrets; the same functions reproduce the RFC 8448 values above.
 *
 *   import hmac, hashlib, struct
 *   H = {'sha256': hashlib.sha256, 'sha384': hashlib.sha384}
 *   def extract(alg, salt, ikm):                      # RFC 5869 2.2
 *       return hmac.new(salt or bytes(H[alg]().digest_size), ikm, H[alg]).digest()
 *   def expand(alg, prk, info, n):                    # RFC 5869 2.3
 *       t, okm, i = b'', b'', 1
 *       while len(okm) < n:
 *           t = hmac.new(prk, t + info + bytes([i]), H[alg]).digest(); okm += t; i += 1
 *       return okm[:n]
 *   def xl(alg, secret, label, ctx, n):               # RFC 8446 7.1
 *       label = b'tls13 ' + label
 *       info = struct.pack('>H', n) + bytes([len(label)]) + label + bytes([len(ctx)]) + ctx
 *       return expand(alg, secret, info, n)
 *   def ds(alg, secret, label, th): return xl(alg, secret, label, th, H[alg]().digest_size)
 *   def empty(alg): return H[alg](b'').digest()
 *   def export(alg, ems, label, ctx, n):              # RFC 8446 7.5
 *       return xl(alg, ds(alg, ems, label, empty(alg)), b'exporter', H[alg](ctx).digest(), n)
 *   x = bytes.fromhex
 *
 *   extract('sha256', b'', b'')                       # test_hkdf_empty_ikm
 *   hmac.new(b'', b'abc', hashlib.sha384).digest()    # test_hmac_empty
 *   c_ap = x('9e40646ce79a7f9dc05af8889bce6552875afa0b06df0087f792ebb7c17504a5')
 *   xl('sha256', c_ap, b'traffic upd', b'', 32)       # test_key_update (and again on the result)
 *   ems = x('fe22f881176eda18eb8f44529e6792c50c9a3f89452f68d8ae311b4309d3cf50')
 *   export('sha256', ems, b'EXPORTER-lucidtls test', b'context value', 32)   # test_export_sha256
 *   export('sha256', ems, b'EXPORTER-lucidtls test', b'', 50)
 *   early = extract('sha256', b'', x('4ecd0eb6ec3b4d87f5d6028f922ca4c5851a277fd41311c9e62d2c9492e1c4f3'))
 *   ds('sha256', early, b'ext binder', empty('sha256'))                        # test_rfc8448_resumed
 *
 *   # test_sha384_schedule
 *   A = 'sha384'
 *   dhe = bytes(range(0x30, 0x30 + 48))
 *   th1, th2, th3 = (H[A](s).digest() for s in (b'ClientHello...ServerHello',
 *                    b'ClientHello...server Finished', b'ClientHello...CertificateVerify'))
 *   e = extract(A, b'', bytes(48));  ds(A, e, b'ext binder', empty(A))
 *   hs = extract(A, ds(A, e, b'derived', empty(A)), dhe)
 *   ds(A, hs, b'c hs traffic', th1);  shs = ds(A, hs, b's hs traffic', th1)
 *   xl(A, shs, b'key', b'', 32);  xl(A, shs, b'iv', b'', 12)
 *   hmac.new(xl(A, shs, b'finished', b'', 48), th3, hashlib.sha384).digest()
 *   m = extract(A, ds(A, hs, b'derived', empty(A)), bytes(48))
 *   cap = ds(A, m, b'c ap traffic', th2);  xl(A, cap, b'traffic upd', b'', 48)
 *   em = ds(A, m, b'exp master', th2);  export(A, em, b'EXPORTER-lucidtls test', b'context value', 64)
 *   rm = ds(A, m, b'res master', th2);  xl(A, rm, b'resumption', bytes([1, 2, 3, 4]), 48)
 */
