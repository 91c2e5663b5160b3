/*
 * Handshake message codec tests (src/hs/messages.c).
 *
 * Every parser gets: a real message captured from OpenSSL 3.0
 * (`openssl s_client -tls1_2 -msg` against `openssl s_server -tls1_2` on
 * loopback), a write -> parse round trip, every truncation, trailing bytes,
 * and the malformed cases its RFC section forbids. Parsers are always handed
 * an exact-size heap copy, so under ASan any read past the end is caught.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hs/messages.h"
#include "test.h"

/* --- Captured from OpenSSL 3.0.19 (whole messages, header included). ----- */

/* ClientHello with -servername example.com: 28 suites (SCSV last), SNI,
 * ec_point_formats, supported_groups, session_ticket, encrypt_then_mac, EMS,
 * signature_algorithms (20 entries). */
static const char REAL_CH_ECDHE[] =
    "010000c703034d0d3243a5171888f33f6652672839268ead726dae62c1de45488672a328f631000038c02cc030009fcc"
    "a9cca8ccaac02bc02f009ec024c028006bc023c0270067c00ac0140039c009c0130033009d009c003d003c0035002f00"
    "ff0100006600000010000e00000b6578616d706c652e636f6d000b000403000102000a000c000a001d0017001e001900"
    "18002300000016000000170000000d002a0028040305030603080708080809080a080b08040805080604010501060103"
    "0303010302040205020602";

/* ServerHello: ECDHE-RSA-AES256-GCM-SHA384, renegotiation_info (empty),
 * ec_point_formats, session_ticket, EMS. */
static const char REAL_SH_ECDHE[] =
    "0200003d03038085bd5045611ca7b1b0cce747abdd6962a8092301587f3bc64fd31d589e92fa00c030000015ff010001"
    "00000b0004030001020023000000170000";

/* Certificate: one self-signed RSA certificate of 781 bytes. */
static const char REAL_CERT[] =
    "0b00031300031000030d30820309308201f1a003020102021421e430840594b537e6a043e8ea2ae93a828e987a300d06"
    "092a864886f70d01010b050030143112301006035504030c096c6f63616c686f7374301e170d32363131323731353438"
    "31375a170d3236313132383135343831375a30143112301006035504030c096c6f63616c686f737430820122300d0609"
    "2a864886f70d01010105000382010f003082010a0282010100eb3300189b465f2b49ea9dbd0cede28a2d828025e42c24"
    "f548c6db07218f29009e92cfabe988bbb593e3cfd68da6044d06b5b7b8457283662ab59963b62651361382e0144d61a1"
    "1d7d6ed5e50e363005a5974d8aaeac00e24359e330d6c95dd8d38f53f1fb6b78cd647c643ff2722b9b26e5525baa5b3e"
    "90f70a0a42b3f53f392296a112896a02f15311ac79e0b238d0cff7eacb6fbe63fded849ed193eda4302f1db79c3aebe8"
    "e1575248965964e4384bc8db1121443c60ce5bed130c6654914ec9266fa3f2d9fd991bcca59c09177e24dcff54af0a2b"
    "df4e10cc831526e6487a3a0c2e2b890a61fa91e6553d208cb4c08daf837cb9a1b008746063f5f66ba90203010001a353"
    "3051301d0603551d0e0416041462cd58a2796b5d79e36c9e24da2e7ea7e77f7f57301f0603551d2304183016801462cd"
    "58a2796b5d79e36c9e24da2e7ea7e77f7f57300f0603551d130101ff040530030101ff300d06092a864886f70d01010b"
    "050003820101003cf5ef64a0d9f4c95c129e42cbffb1241e605917a42ca5443b97f0707cad154c304bdc3a8305f27a06"
    "65c42d01cf6c55a60421510cdbb89a786d8b3910855eebfb667a593fe9c7bb62276260631555ea21a570d8dc9b009cbb"
    "8a5b5dd1d7f7996b52264eeb7f6fed4abb4f57ef6b7447eee2d2f4422f585d4e983db3307bfe021d3ca4bb5ec7613d5a"
    "e091020ddbad87abe0c0658216a199d1727b95fce3a851fcf6ef1bbd71392973225caf1018cf7202aa67e358fd6b5006"
    "5f869ae9a4e2512e923069f1e79de7453853baea029ad73fd14d0817c462443d2c85fab7eccc88ac38e73cbde67cf9ad"
    "725239cea38d6e0f9a1b35340f2223b9c29f336b33efff";

/* ClientHello with -cipher AES128-GCM-SHA256: suites {009c, 00ff}, no SNI. */
static const char REAL_CH_RSA[] =
    "01000067030387887672373e6b9c7003145e7cf23598da78f20da9fe2b91494fd9dbeace4df9000004009c00ff010000"
    "3a002300000016000000170000000d002a0028040305030603080708080809080a080b08040805080604010501060103"
    "0303010302040205020602";

/* ServerHello: AES128-GCM-SHA256, renegotiation_info, session_ticket, EMS. */
static const char REAL_SH_RSA[] =
    "020000350303f9badd40637df6ebbc228343a19c1ef1f678fd612e4088a33f4e60256419ba1f00009c00000dff010001"
    "000023000000170000";

/* ServerHelloDone. */
static const char REAL_SHD[] = "0e000000";

/* ClientKeyExchange (RSA): a 256-byte EncryptedPreMasterSecret. */
static const char REAL_CKE_RSA[] =
    "10000102010012964630632a81910869a64ee6584313f2fd8e01a9fb520456af9ac3d1aca23b30360d9bdbeec04109ec"
    "dffe22ef791a8c7bf408e5d8478ab9193891a551a4dfec47c0318f4b21dcaece147e95f6cc16a65b118f8beee2f0b3b4"
    "ea15656413bbbd6c8f270f77a6fea7e8b419e2b539521389a67d748a208ab3289b52dad597696f8c1b7770391ad6d2c6"
    "d78848cf80ba967cc66ddbc0c638c2503c583f57ba0f388fb24675e2542b693998c5f4eb00e5b5b9f79c07eac28de7f0"
    "49ea40c46530887290e8238bc2db04b36de124fa6688b3bd3a126e78ef3ab436cd9c27838c570f938eead5e4dc224362"
    "d72dedcdb34c3b09c65d394845daf0c36426a3fd5b36";

/* Finished (client, decrypted by -msg). */
static const char REAL_FINISHED[] = "1400000c6e35fc771831ccc9ffa04e8c";

/* ECDHE, captured the same way (-cipher ... -groups ...). */

/* ServerKeyExchange, ECDHE-ECDSA-AES128-GCM-SHA256 with P-256: named_curve,
 * secp256r1, a 65-byte uncompressed point, ecdsa_secp256r1_sha256 (0x0403),
 * a 70-byte DER signature. */
static const char REAL_SKE_ECDSA_P256[] =
    "0c00008f03001741043af51a3c1dd57fadfe104df6e3a7afddf4fc86a51ca1bc70d76926590c44273854fab7c7fb6704785ba08d1e"
    "f44fc9608e3ce5a33dc00a672486b90a8be40e640403004630440220570c682f770b6b889a92f7ba7070102fe1d595fc36e350611c"
    "3aaddafe71267a02207a089434f1ac01189aaf0d6c11f730537ba188e41ffc82d3dceb96aa935e8230";

/* ServerKeyExchange, ECDHE-RSA-AES128-GCM-SHA256 with X25519: a 32-byte
 * point, rsa_pss_rsae_sha256 (0x0804), a 256-byte signature. */
static const char REAL_SKE_RSA_X25519[] =
    "0c00012803001d2048fe3a0c637b1cd875b01854eccf2d5bcc2bd8e9bad8c1a421c12efb70c56248080401005371678752ca6808e3"
    "77eaef964dcf39c77ce8fd78e71f8d5f68e507be011f2e49ee1736a30b11171022f52906cc8add8258e07861200fc06f1522192bac"
    "eedb9aeef562831ea2d9c3f3b2595a807312093ebd3ee96c9b6bfddc165134793946d6a1bc4ab06604131b472e00ffbbd5f2e19366"
    "ab7976d0be5489872f097f231528b5c9be465fc3268b1e2c5de09599c135b0edbce0ec2f6c62c4bfbf54790aaf236faae3003e9aa9"
    "5f60360533f5c80c149f9818b2175f25ecbde3c153116506294ce19e1ff5ecaab0263bc11a57a5a18b73b717f8eef692ef2801da4e"
    "04bf4002be3491df4afb8018ee7fb8517cfd8e9bc5cba01d8e2bb8fa65ccc08860e8be";

/* ClientKeyExchange (ECDHE, P-256): a 65-byte uncompressed point. */
static const char REAL_CKE_ECDHE_P256[] =
    "100000424104e7b3de0aeb23123991659cb0eac5ed3dcda0e3ecfc1919ec360da547d8b5feb3e16948e0e8a647d10526c1cfcf7a71"
    "840f09d8eec2ac865732e45f7ec6db9709";

/* ClientKeyExchange (ECDHE, X25519): a 32-byte point. */
static const char REAL_CKE_ECDHE_X25519[] =
    "100000212041af1e3ea06a85bb2bb50c4d4eeed06b8d04bd1b0ae491d9b23f506de9750116";

/* ServerHello, ECDHE-RSA-AES128-SHA256 (a CBC suite, so OpenSSL agrees to
 * encrypt_then_mac): renegotiation_info, ec_point_formats {0, 1, 2},
 * session_ticket, encrypt_then_mac, EMS. */
static const char REAL_SH_ETM[] =
    "0200004103036d9ed9682224159697bfe48c7395028f8e491c47c61f197367817aadcabbe15e00c027000019ff01000100000b0004"
    "03000102002300000016000000170000";

/* --- Helpers ------------------------------------------------------------- */

/* Room for the largest legal ClientHello body (2+32+33+65536+256+65537 =
 * 131396 bytes) and its header. */
#define BUF_CAP 140000

/* The parser input: an exact-size heap copy, freed on the next call, so
 * pointers a parser stores stay valid until then. */
static uint8_t *g_exact;

static const uint8_t *exact(const uint8_t *b, size_t n)
{
    free(g_exact);
    g_exact = malloc(n > 0 ? n : 1);
    if (n > 0) {
        memcpy(g_exact, b, n);
    }
    return g_exact;
}

/* Decodes a captured message into buf and checks its 4-byte header; returns
 * the body length (the body starts at buf + 4). */
static size_t real_body(const char *hex, uint8_t *buf, uint8_t want_type)
{
    size_t n = lt_test_unhex(hex, buf, BUF_CAP);
    EXPECT(n >= 4);
    EXPECT_EQ(buf[0], want_type);
    EXPECT_EQ(((size_t)buf[1] << 16) | ((size_t)buf[2] << 8) | buf[3], n - 4);
    return n - 4;
}

/* Checks the header a writer produced and returns the body length. */
static size_t written_body(const lt_wr *w, uint8_t want_type)
{
    EXPECT_EQ(lt_wr_finish(w), LT_OK);
    EXPECT(w->off >= 4);
    EXPECT_EQ(w->base[0], want_type);
    EXPECT_EQ(((size_t)w->base[1] << 16) | ((size_t)w->base[2] << 8) | w->base[3], w->off - 4);
    return w->off - 4;
}

typedef int (*parse_fn)(const uint8_t *b, size_t n);

static int p_ch(const uint8_t *b, size_t n)
{
    lt_client_hello ch;
    return lt_parse_client_hello(b, n, &ch);
}
static int p_sh(const uint8_t *b, size_t n)
{
    lt_server_hello sh;
    return lt_parse_server_hello(b, n, &sh);
}
static int p_cert(const uint8_t *b, size_t n)
{
    lt_certificate_msg c;
    return lt_parse_certificate(b, n, &c);
}
static int p_empty(const uint8_t *b, size_t n)
{
    return lt_parse_empty(b, n);
}
static int p_cke(const uint8_t *b, size_t n)
{
    lt_rd enc;
    return lt_parse_client_key_exchange_rsa(b, n, &enc);
}
static int p_fin(const uint8_t *b, size_t n)
{
    uint8_t vd[LT_FINISHED_LEN];
    return lt_parse_finished(b, n, vd);
}

static int run(parse_fn f, const uint8_t *b, size_t n)
{
    return f(exact(b, n), n);
}

/* Every strict prefix of a valid body must be LT_ERR_DECODE, except
 * ok_len: a hello cut right after compression_methods is a valid hello
 * without extensions (RFC 5246 7.4.1.2). Pass (size_t)-1 for none. */
static void check_truncations(parse_fn f, const uint8_t *b, size_t n, size_t ok_len)
{
    EXPECT_EQ(run(f, b, n), LT_OK);
    for (size_t len = 0; len < n; len++) {
        int rc = run(f, b, len);
        if (len == ok_len) {
            EXPECT_EQ(rc, LT_OK);
        } else if (rc != LT_ERR_DECODE) {
            fprintf(stderr, "  truncation to %zu of %zu bytes: rc %d\n", len, n, rc);
            EXPECT_EQ(rc, LT_ERR_DECODE);
        }
    }
}

/* A valid body followed by one more byte is LT_ERR_DECODE. */
static void check_trailing(parse_fn f, const uint8_t *b, size_t n)
{
    static uint8_t tmp[BUF_CAP + 1];
    memcpy(tmp, b, n);
    tmp[n] = 0x00;
    EXPECT_EQ(run(f, tmp, n + 1), LT_ERR_DECODE);
    tmp[n] = 0xff;
    EXPECT_EQ(run(f, tmp, n + 1), LT_ERR_DECODE);
}

/* Hello bodies built piece by piece with the writer, so tests can plant
 * exactly the malformation they are about. */
typedef struct hb {
    uint8_t buf[BUF_CAP];
    lt_wr w;
    size_t exts;
} hb;

#define RANDOM_HEX "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"

static void hb_raw(hb *b, const char *hex)
{
    uint8_t tmp[4096];
    size_t n = lt_test_unhex(hex, tmp, sizeof(tmp));
    lt_wr_bytes(&b->w, tmp, n);
}

/* ClientHello up to and including compression_methods: TLS 1.2, random
 * 00..1f, empty session_id, suites {009c}, compressions {null}. */
static void ch_start_noext(hb *b)
{
    b->w = lt_wr_init(b->buf, sizeof(b->buf));
    hb_raw(b, "0303" RANDOM_HEX "00"
              "0002009c"
              "0100");
}
static void ch_start(hb *b)
{
    ch_start_noext(b);
    b->exts = lt_wr_open_vec(&b->w, 2);
}
/* ServerHello up to compression_method: TLS 1.2, random 00..1f, empty
 * session_id, suite 009c, null compression. */
static void sh_start(hb *b)
{
    b->w = lt_wr_init(b->buf, sizeof(b->buf));
    hb_raw(b, "0303" RANDOM_HEX "00"
              "009c"
              "00");
    b->exts = lt_wr_open_vec(&b->w, 2);
}
/* One Extension: type, then the body with its 2-byte length computed. */
static void hb_ext(hb *b, uint16_t type, const char *body_hex)
{
    lt_wr_u16(&b->w, type);
    size_t m = lt_wr_open_vec(&b->w, 2);
    hb_raw(b, body_hex);
    lt_wr_close_vec(&b->w, m, 2);
}
static size_t hb_end(hb *b)
{
    lt_wr_close_vec(&b->w, b->exts, 2);
    EXPECT_EQ(lt_wr_finish(&b->w), LT_OK);
    return b->w.off;
}
static size_t hb_end_noext(hb *b)
{
    EXPECT_EQ(lt_wr_finish(&b->w), LT_OK);
    return b->w.off;
}

/* A ClientHello whose extensions block holds one extension. */
static int ch_one_ext(uint16_t type, const char *body_hex, lt_client_hello *ch)
{
    static hb b;
    ch_start(&b);
    hb_ext(&b, type, body_hex);
    size_t n = hb_end(&b);
    return lt_parse_client_hello(exact(b.buf, n), n, ch);
}
static int sh_one_ext(uint16_t type, const char *body_hex, lt_server_hello *sh)
{
    static hb b;
    sh_start(&b);
    hb_ext(&b, type, body_hex);
    size_t n = hb_end(&b);
    return lt_parse_server_hello(exact(b.buf, n), n, sh);
}

/* Offset of the extensions block in a ClientHello body (test-side walk). */
static size_t ch_ext_offset(const uint8_t *b)
{
    size_t off = 2 + LT_RANDOM_LEN;
    off += 1 + b[off];
    off += 2 + ((size_t)b[off] << 8 | b[off + 1]);
    off += 1 + b[off];
    return off;
}
static size_t sh_ext_offset(const uint8_t *b)
{
    size_t off = 2 + LT_RANDOM_LEN;
    off += 1 + b[off];
    return off + 3;
}

static const uint16_t SUITES[] = {LT_TLS_RSA_WITH_AES_128_GCM_SHA256, LT_TLS_RSA_WITH_AES_256_GCM_SHA384,
                                  LT_TLS_RSA_WITH_AES_128_CBC_SHA};
static const uint16_t SIGALGS[] = {0x0401, 0x0501, 0x0601, 0x0804};

static void full_ch_params(lt_client_hello_params *p, uint8_t random[LT_RANDOM_LEN])
{
    for (int i = 0; i < LT_RANDOM_LEN; i++) {
        random[i] = (uint8_t)(0xa0 + i);
    }
    memset(p, 0, sizeof(*p));
    p->client_version = LT_TLS1_2;
    p->random = random;
    p->suites = SUITES;
    p->n_suites = 3;
    p->sni = "www.example.org";
    p->ems = 1;
    p->reneg_info = 1;
    p->sigalgs = SIGALGS;
    p->n_sigalgs = 4;
}

/* --- Names and headers --------------------------------------------------- */

static void test_type_names(void)
{
    EXPECT(strcmp(lt_hs_type_name(LT_HS_HELLO_REQUEST), "HelloRequest") == 0);
    EXPECT(strcmp(lt_hs_type_name(LT_HS_CLIENT_HELLO), "ClientHello") == 0);
    EXPECT(strcmp(lt_hs_type_name(LT_HS_SERVER_HELLO), "ServerHello") == 0);
    EXPECT(strcmp(lt_hs_type_name(LT_HS_NEW_SESSION_TICKET), "NewSessionTicket") == 0);
    EXPECT(strcmp(lt_hs_type_name(LT_HS_CERTIFICATE), "Certificate") == 0);
    EXPECT(strcmp(lt_hs_type_name(LT_HS_SERVER_KEY_EXCHANGE), "ServerKeyExchange") == 0);
    EXPECT(strcmp(lt_hs_type_name(LT_HS_CERTIFICATE_REQUEST), "CertificateRequest") == 0);
    EXPECT(strcmp(lt_hs_type_name(LT_HS_SERVER_HELLO_DONE), "ServerHelloDone") == 0);
    EXPECT(strcmp(lt_hs_type_name(LT_HS_CERTIFICATE_VERIFY), "CertificateVerify") == 0);
    EXPECT(strcmp(lt_hs_type_name(LT_HS_CLIENT_KEY_EXCHANGE), "ClientKeyExchange") == 0);
    EXPECT(strcmp(lt_hs_type_name(LT_HS_FINISHED), "Finished") == 0);
    EXPECT(strcmp(lt_hs_type_name(3), "unknown") == 0);
    EXPECT(strcmp(lt_hs_type_name(255), "unknown") == 0);
}

static void test_hs_header_backpatch(void)
{
    uint8_t buf[400];
    lt_wr w = lt_wr_init(buf, sizeof(buf));
    size_t mark = lt_hs_begin(&w, LT_HS_CERTIFICATE_VERIFY);
    for (int i = 0; i < 300; i++) {
        lt_wr_u8(&w, (uint8_t)i);
    }
    lt_hs_end(&w, mark);
    EXPECT_EQ(lt_wr_finish(&w), LT_OK);
    EXPECT_EQ(w.off, 304);
    EXPECT_EQ(buf[0], LT_HS_CERTIFICATE_VERIFY);
    EXPECT_EQ(buf[1], 0x00);
    EXPECT_EQ(buf[2], 0x01);
    EXPECT_EQ(buf[3], 0x2c);
    EXPECT_EQ(buf[4], 0);
    EXPECT_EQ(buf[303], (uint8_t)299);
}

/* --- ClientHello: valid input ------------------------------------------- */

static void test_ch_real_openssl_ecdhe(void)
{
    static uint8_t buf[BUF_CAP];
    size_t n = real_body(REAL_CH_ECDHE, buf, LT_HS_CLIENT_HELLO);
    lt_client_hello ch;
    EXPECT_EQ(lt_parse_client_hello(exact(buf + 4, n), n, &ch), LT_OK);
    EXPECT_EQ(ch.client_version, 0x0303);
    EXPECT_EQ(ch.random[0], 0x4d);
    EXPECT_EQ(ch.random[31], 0x31);
    EXPECT_EQ(ch.session_id_len, 0);
    EXPECT_EQ(lt_rd_left(&ch.suites), 56);
    EXPECT_EQ(ch.suites.p[0], 0xc0);
    EXPECT_EQ(ch.suites.p[1], 0x2c);
    EXPECT_EQ(ch.has_scsv, 1);
    EXPECT_EQ(lt_rd_left(&ch.compressions), 1);
    EXPECT_EQ(ch.has_null_compression, 1);
    EXPECT_EQ(ch.ext_seen, LT_SEEN_SNI | LT_SEEN_TICKET | LT_SEEN_EMS | LT_SEEN_SIGALGS | LT_SEEN_GROUPS |
                               LT_SEEN_POINT_FORMATS | LT_SEEN_ETM);
    EXPECT(strcmp(ch.sni, "example.com") == 0);
    EXPECT_EQ(ch.n_sigalgs, 20);
    EXPECT_EQ(ch.sigalgs[0], 0x0403);
    EXPECT_EQ(ch.sigalgs[19], 0x0602);
    EXPECT_EQ(lt_rd_left(&ch.sigalgs_all), 40);
    EXPECT(lt_u16_list_has(ch.sigalgs_all, 0x0804));
    EXPECT(!lt_u16_list_has(ch.sigalgs_all, 0x0101));
    EXPECT_EQ(lt_rd_left(&ch.reneg_info), 0);
    /* supported_groups {x25519, secp256r1, x448, secp521r1, secp384r1}. */
    EXPECT_EQ(lt_rd_left(&ch.supported_groups), 10);
    EXPECT(lt_u16_list_has(ch.supported_groups, 0x001d));
    EXPECT(lt_u16_list_has(ch.supported_groups, 0x0017));
    EXPECT(lt_u16_list_has(ch.supported_groups, 0x0018));
    EXPECT(!lt_u16_list_has(ch.supported_groups, 0x0100));
    /* ec_point_formats {uncompressed, ansiX962_compressed_prime, _char2}. */
    EXPECT_EQ(lt_rd_left(&ch.ec_point_formats), 3);
    EXPECT_EQ(ch.has_uncompressed_point, 1);
    EXPECT_EQ(ch.encrypt_then_mac, 1);
    EXPECT_EQ(ch.has_fallback_scsv, 0);
    EXPECT_EQ(lt_rd_left(&ch.sigalgs_cert), 0);
}

static void test_ch_real_openssl_rsa(void)
{
    static uint8_t buf[BUF_CAP];
    size_t n = real_body(REAL_CH_RSA, buf, LT_HS_CLIENT_HELLO);
    lt_client_hello ch;
    EXPECT_EQ(lt_parse_client_hello(exact(buf + 4, n), n, &ch), LT_OK);
    EXPECT_EQ(lt_rd_left(&ch.suites), 4);
    EXPECT_EQ(ch.suites.p[0], 0x00);
    EXPECT_EQ(ch.suites.p[1], 0x9c);
    EXPECT_EQ(ch.has_scsv, 1);
    EXPECT_EQ(ch.ext_seen, LT_SEEN_TICKET | LT_SEEN_EMS | LT_SEEN_SIGALGS | LT_SEEN_ETM);
    EXPECT_EQ(ch.encrypt_then_mac, 1);
    EXPECT_EQ(ch.sni[0], '\0');
    EXPECT_EQ(ch.n_sigalgs, 20);
}

static void test_ch_write_exact_bytes(void)
{
    static const uint16_t suites[] = {0x009c, 0x002f};
    static const uint16_t sigalgs[] = {0x0401, 0x0501};
    uint8_t random[LT_RANDOM_LEN];
    for (int i = 0; i < LT_RANDOM_LEN; i++) {
        random[i] = (uint8_t)i;
    }
    lt_client_hello_params p;
    memset(&p, 0, sizeof(p));
    p.client_version = 0x0303;
    p.random = random;
    p.suites = suites;
    p.n_suites = 2;
    p.add_scsv = 1;
    p.sni = "a.b";
    p.ems = 1;
    p.reneg_info = 1;
    p.sigalgs = sigalgs;
    p.n_sigalgs = 2;
    uint8_t want[256], buf[256];
    size_t wn = lt_test_unhex("01 00004e 0303" RANDOM_HEX "00 0006 009c 002f 00ff 01 00 001f"
                              " 0000 0008 0006 00 0003 612e62" /* server_name */
                              " 0017 0000"                     /* extended_master_secret */
                              " ff01 0001 00"                  /* renegotiation_info */
                              " 000d 0006 0004 0401 0501",     /* signature_algorithms */
                              want, sizeof(want));
    lt_wr w = lt_wr_init(buf, sizeof(buf));
    lt_write_client_hello(&w, &p);
    EXPECT_EQ(lt_wr_finish(&w), LT_OK);
    EXPECT_EQ(w.off, wn);
    EXPECT_MEM(buf, want, wn);
}

static void test_ch_roundtrip_full(void)
{
    uint8_t random[LT_RANDOM_LEN], buf[1024];
    lt_client_hello_params p;
    full_ch_params(&p, random);
    lt_wr w = lt_wr_init(buf, sizeof(buf));
    lt_write_client_hello(&w, &p);
    size_t n = written_body(&w, LT_HS_CLIENT_HELLO);
    lt_client_hello ch;
    EXPECT_EQ(lt_parse_client_hello(exact(buf + 4, n), n, &ch), LT_OK);
    EXPECT_EQ(ch.client_version, LT_TLS1_2);
    EXPECT_MEM(ch.random, random, LT_RANDOM_LEN);
    EXPECT_EQ(ch.session_id_len, 0);
    EXPECT_EQ(lt_rd_left(&ch.suites), 6);
    for (size_t i = 0; i < 3 && lt_rd_left(&ch.suites) == 6; i++) {
        EXPECT_EQ(((unsigned)ch.suites.p[2 * i] << 8) | ch.suites.p[2 * i + 1], SUITES[i]);
    }
    EXPECT_EQ(ch.has_scsv, 0);
    EXPECT_EQ(ch.has_null_compression, 1);
    EXPECT_EQ(ch.ext_seen, LT_SEEN_SNI | LT_SEEN_EMS | LT_SEEN_RENEG | LT_SEEN_SIGALGS);
    EXPECT(strcmp(ch.sni, "www.example.org") == 0);
    EXPECT_EQ(lt_rd_left(&ch.reneg_info), 0);
    EXPECT_EQ(ch.n_sigalgs, 4);
    EXPECT_MEM(ch.sigalgs, SIGALGS, sizeof(SIGALGS));
}

static void test_ch_roundtrip_scsv_no_extensions(void)
{
    uint8_t random[LT_RANDOM_LEN], buf[256];
    lt_client_hello_params p;
    full_ch_params(&p, random);
    p.sni = NULL;
    p.ems = 0;
    p.reneg_info = 0;
    p.sigalgs = NULL;
    p.n_sigalgs = 0;
    p.add_scsv = 1;
    lt_wr w = lt_wr_init(buf, sizeof(buf));
    lt_write_client_hello(&w, &p);
    size_t n = written_body(&w, LT_HS_CLIENT_HELLO);
    /* No extensions: the block is omitted, the body ends after
     * compression_methods. */
    EXPECT_EQ(n, 2 + 32 + 1 + 2 + 8 + 2);
    EXPECT_EQ(ch_ext_offset(buf + 4), n);
    lt_client_hello ch;
    EXPECT_EQ(lt_parse_client_hello(exact(buf + 4, n), n, &ch), LT_OK);
    EXPECT_EQ(ch.has_scsv, 1);
    EXPECT_EQ(lt_rd_left(&ch.suites), 8);
    EXPECT_EQ(ch.ext_seen, 0);
}

static void test_ch_struct_is_reset(void)
{
    lt_client_hello ch;
    EXPECT_EQ(ch_one_ext(LT_EXT_SERVER_NAME, "0004 00 0001 61", &ch), LT_OK);
    EXPECT(strcmp(ch.sni, "a") == 0);
    EXPECT_EQ(ch_one_ext(LT_EXT_EXTENDED_MASTER_SECRET, "", &ch), LT_OK);
    EXPECT_EQ(ch.sni[0], '\0');
    EXPECT_EQ(ch.ext_seen, LT_SEEN_EMS);
}

/* --- ClientHello: framing ------------------------------------------------ */

static void test_ch_truncations(void)
{
    static uint8_t buf[BUF_CAP];
    size_t n = real_body(REAL_CH_ECDHE, buf, LT_HS_CLIENT_HELLO);
    check_truncations(p_ch, buf + 4, n, ch_ext_offset(buf + 4));
    n = real_body(REAL_CH_RSA, buf, LT_HS_CLIENT_HELLO);
    check_truncations(p_ch, buf + 4, n, ch_ext_offset(buf + 4));

    uint8_t random[LT_RANDOM_LEN];
    lt_client_hello_params p;
    full_ch_params(&p, random);
    lt_wr w = lt_wr_init(buf, sizeof(buf));
    lt_write_client_hello(&w, &p);
    n = written_body(&w, LT_HS_CLIENT_HELLO);
    check_truncations(p_ch, buf + 4, n, ch_ext_offset(buf + 4));
}

static void test_ch_trailing_bytes(void)
{
    static uint8_t buf[BUF_CAP];
    size_t n = real_body(REAL_CH_ECDHE, buf, LT_HS_CLIENT_HELLO);
    check_trailing(p_ch, buf + 4, n);
    /* Without extensions, one extra byte is half an extensions length. */
    static hb b;
    ch_start_noext(&b);
    n = hb_end_noext(&b);
    EXPECT_EQ(run(p_ch, b.buf, n), LT_OK);
    check_trailing(p_ch, b.buf, n);
}

static void test_ch_extensions_block_presence(void)
{
    static hb b;
    lt_client_hello ch;
    /* An empty but present block is fine (extensions<0..2^16-1>). */
    ch_start(&b);
    size_t n = hb_end(&b);
    EXPECT_EQ(lt_parse_client_hello(exact(b.buf, n), n, &ch), LT_OK);
    EXPECT_EQ(ch.ext_seen, 0);
    /* A block whose length runs past the message. */
    ch_start_noext(&b);
    hb_raw(&b, "0005 0017 0000");
    n = hb_end_noext(&b);
    EXPECT_EQ(run(p_ch, b.buf, n), LT_ERR_DECODE);
    /* A block shorter than its contents: the rest is trailing. */
    ch_start_noext(&b);
    hb_raw(&b, "0003 0017 0000");
    n = hb_end_noext(&b);
    EXPECT_EQ(run(p_ch, b.buf, n), LT_ERR_DECODE);
    /* An extension whose data runs past the block. */
    ch_start(&b);
    hb_raw(&b, "0017 0001");
    n = hb_end(&b);
    EXPECT_EQ(run(p_ch, b.buf, n), LT_ERR_DECODE);
    /* Half an extension type. */
    ch_start(&b);
    hb_raw(&b, "00");
    n = hb_end(&b);
    EXPECT_EQ(run(p_ch, b.buf, n), LT_ERR_DECODE);
}

static void test_ch_session_id(void)
{
    static hb b;
    lt_client_hello ch;
    char hex[200];
    /* 32 bytes is the maximum and is copied out. */
    b.w = lt_wr_init(b.buf, sizeof(b.buf));
    snprintf(hex, sizeof(hex), "0303%s20%s 0002009c 0100", RANDOM_HEX, RANDOM_HEX);
    hb_raw(&b, hex);
    size_t n = hb_end_noext(&b);
    EXPECT_EQ(lt_parse_client_hello(exact(b.buf, n), n, &ch), LT_OK);
    EXPECT_EQ(ch.session_id_len, 32);
    EXPECT_EQ(ch.session_id[31], 0x1f);
    /* 33 is over SessionID<0..32>. */
    b.w = lt_wr_init(b.buf, sizeof(b.buf));
    snprintf(hex, sizeof(hex), "0303%s21%s 20 0002009c 0100", RANDOM_HEX, RANDOM_HEX);
    hb_raw(&b, hex);
    n = hb_end_noext(&b);
    EXPECT_EQ(run(p_ch, b.buf, n), LT_ERR_DECODE);
    /* A session_id length past the end of the message. */
    b.w = lt_wr_init(b.buf, sizeof(b.buf));
    hb_raw(&b, "0303" RANDOM_HEX "10 0102");
    n = hb_end_noext(&b);
    EXPECT_EQ(run(p_ch, b.buf, n), LT_ERR_DECODE);
}

static void test_ch_cipher_suites_bounds(void)
{
    static hb b;
    /* cipher_suites<2..2^16-2>: empty, odd, and longer than what follows. */
    const char *bad[] = {"0000 0100", "0001 00 0100", "0003 009c00 0100", "0004 009c 0100", "ffff 009c 0100"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        b.w = lt_wr_init(b.buf, sizeof(b.buf));
        hb_raw(&b, "0303" RANDOM_HEX "00");
        hb_raw(&b, bad[i]);
        size_t n = hb_end_noext(&b);
        EXPECT_EQ(run(p_ch, b.buf, n), LT_ERR_DECODE);
    }
    /* The SCSV anywhere in the list, and a GREASE suite (RFC 8701) that is
     * simply carried along. */
    b.w = lt_wr_init(b.buf, sizeof(b.buf));
    hb_raw(&b, "0303" RANDOM_HEX "00 0006 1a1a 00ff 009c 0100");
    size_t n = hb_end_noext(&b);
    lt_client_hello ch;
    EXPECT_EQ(lt_parse_client_hello(exact(b.buf, n), n, &ch), LT_OK);
    EXPECT_EQ(ch.has_scsv, 1);
    EXPECT_EQ(lt_rd_left(&ch.suites), 6);
    /* 0xFF00 is not the SCSV: byte order matters. */
    b.w = lt_wr_init(b.buf, sizeof(b.buf));
    hb_raw(&b, "0303" RANDOM_HEX "00 0004 ff00 009c 0100");
    n = hb_end_noext(&b);
    EXPECT_EQ(lt_parse_client_hello(exact(b.buf, n), n, &ch), LT_OK);
    EXPECT_EQ(ch.has_scsv, 0);
}

static void test_ch_compression_methods(void)
{
    static hb b;
    lt_client_hello ch;
    /* compression_methods<1..2^8-1>: empty is a decode error. */
    b.w = lt_wr_init(b.buf, sizeof(b.buf));
    hb_raw(&b, "0303" RANDOM_HEX "00 0002009c 00");
    size_t n = hb_end_noext(&b);
    EXPECT_EQ(run(p_ch, b.buf, n), LT_ERR_DECODE);
    /* Well-formed without null: parses, has_null_compression = 0 (the state
     * machine refuses it, RFC 5246 7.4.1.2). */
    b.w = lt_wr_init(b.buf, sizeof(b.buf));
    hb_raw(&b, "0303" RANDOM_HEX "00 0002009c 0101");
    n = hb_end_noext(&b);
    EXPECT_EQ(lt_parse_client_hello(exact(b.buf, n), n, &ch), LT_OK);
    EXPECT_EQ(ch.has_null_compression, 0);
    /* null not first. */
    b.w = lt_wr_init(b.buf, sizeof(b.buf));
    hb_raw(&b, "0303" RANDOM_HEX "00 0002009c 03014000");
    n = hb_end_noext(&b);
    EXPECT_EQ(lt_parse_client_hello(exact(b.buf, n), n, &ch), LT_OK);
    EXPECT_EQ(ch.has_null_compression, 1);
    EXPECT_EQ(lt_rd_left(&ch.compressions), 3);
    /* Length past the end. */
    b.w = lt_wr_init(b.buf, sizeof(b.buf));
    hb_raw(&b, "0303" RANDOM_HEX "00 0002009c 0200");
    n = hb_end_noext(&b);
    EXPECT_EQ(run(p_ch, b.buf, n), LT_ERR_DECODE);
}

/* --- ClientHello: extensions -------------------------------------------- */

static void test_ch_duplicate_known_extension(void)
{
    static hb b;
    const uint16_t types[] = {LT_EXT_EXTENDED_MASTER_SECRET, LT_EXT_SESSION_TICKET};
    for (size_t i = 0; i < 2; i++) {
        ch_start(&b);
        hb_ext(&b, types[i], "");
        hb_ext(&b, 0x0016, "");
        hb_ext(&b, types[i], "");
        size_t n = hb_end(&b);
        EXPECT_EQ(run(p_ch, b.buf, n), LT_ERR_ILLEGAL_PARAMETER);
    }
    ch_start(&b);
    hb_ext(&b, LT_EXT_SERVER_NAME, "0004 00 0001 61");
    hb_ext(&b, LT_EXT_SERVER_NAME, "0004 00 0001 62");
    size_t n = hb_end(&b);
    EXPECT_EQ(run(p_ch, b.buf, n), LT_ERR_ILLEGAL_PARAMETER);
    ch_start(&b);
    hb_ext(&b, LT_EXT_RENEGOTIATION_INFO, "00");
    hb_ext(&b, LT_EXT_RENEGOTIATION_INFO, "00");
    n = hb_end(&b);
    EXPECT_EQ(run(p_ch, b.buf, n), LT_ERR_ILLEGAL_PARAMETER);
}

static void test_ch_duplicate_unknown_extension(void)
{
    static hb b;
    ch_start(&b);
    hb_ext(&b, 0x1234, "aa");
    hb_ext(&b, LT_EXT_EXTENDED_MASTER_SECRET, "");
    hb_ext(&b, 0x1234, "bbbb");
    size_t n = hb_end(&b);
    EXPECT_EQ(run(p_ch, b.buf, n), LT_ERR_ILLEGAL_PARAMETER);
    /* Distinct unknown types (GREASE 0x0a0a among them) are skipped. */
    ch_start(&b);
    hb_ext(&b, 0x0a0a, "");
    hb_ext(&b, 0x1234, "aa");
    hb_ext(&b, 0x1235, "aa");
    n = hb_end(&b);
    lt_client_hello ch;
    EXPECT_EQ(lt_parse_client_hello(exact(b.buf, n), n, &ch), LT_OK);
    EXPECT_EQ(ch.ext_seen, 0);
}

static void test_ch_error_precedence(void)
{
    static hb b;
    /* Framing is checked over the whole block before duplicates, and
     * duplicates before extension bodies. */
    ch_start(&b);
    hb_ext(&b, LT_EXT_EXTENDED_MASTER_SECRET, "");
    hb_ext(&b, LT_EXT_EXTENDED_MASTER_SECRET, "");
    hb_raw(&b, "0016 0005 00");
    size_t n = hb_end(&b);
    EXPECT_EQ(run(p_ch, b.buf, n), LT_ERR_DECODE);
    ch_start(&b);
    hb_ext(&b, LT_EXT_EXTENDED_MASTER_SECRET, "ff");
    hb_ext(&b, LT_EXT_EXTENDED_MASTER_SECRET, "");
    n = hb_end(&b);
    EXPECT_EQ(run(p_ch, b.buf, n), LT_ERR_ILLEGAL_PARAMETER);
}

static void test_ch_extension_count_no_cap(void)
{
    static hb b;
    /* There is no cap on the count (there used to be one at 128): 129
     * distinct extensions parse. The largest blocks are in the "largest
     * legal ClientHello" tests below. */
    ch_start(&b);
    for (uint16_t t = 0; t < 129; t++) {
        hb_ext(&b, (uint16_t)(0x4000 + t), "");
    }
    size_t n = hb_end(&b);
    EXPECT_EQ(run(p_ch, b.buf, n), LT_OK);
}

static void test_ch_ems(void)
{
    lt_client_hello ch;
    EXPECT_EQ(ch_one_ext(LT_EXT_EXTENDED_MASTER_SECRET, "", &ch), LT_OK);
    EXPECT_EQ(ch.ext_seen, LT_SEEN_EMS);
    /* RFC 7627 5.1: the extension_data is empty. */
    EXPECT_EQ(ch_one_ext(LT_EXT_EXTENDED_MASTER_SECRET, "00", &ch), LT_ERR_DECODE);
    EXPECT_EQ(ch_one_ext(LT_EXT_EXTENDED_MASTER_SECRET, "0000", &ch), LT_ERR_DECODE);
}

static void test_ch_renegotiation_info(void)
{
    lt_client_hello ch;
    EXPECT_EQ(ch_one_ext(LT_EXT_RENEGOTIATION_INFO, "00", &ch), LT_OK);
    EXPECT_EQ(ch.ext_seen, LT_SEEN_RENEG);
    EXPECT_EQ(lt_rd_left(&ch.reneg_info), 0);
    /* A renegotiating client sends its 12-byte verify_data (RFC 5746 3.5). */
    EXPECT_EQ(ch_one_ext(LT_EXT_RENEGOTIATION_INFO, "0c 0102030405060708090a0b0c", &ch), LT_OK);
    EXPECT_EQ(lt_rd_left(&ch.reneg_info), 12);
    EXPECT_EQ(ch.reneg_info.p[0], 0x01);
    EXPECT_EQ(ch.reneg_info.p[11], 0x0c);
    /* Empty body, length past the body, trailing bytes. */
    EXPECT_EQ(ch_one_ext(LT_EXT_RENEGOTIATION_INFO, "", &ch), LT_ERR_DECODE);
    EXPECT_EQ(ch_one_ext(LT_EXT_RENEGOTIATION_INFO, "01", &ch), LT_ERR_DECODE);
    EXPECT_EQ(ch_one_ext(LT_EXT_RENEGOTIATION_INFO, "0c 0102", &ch), LT_ERR_DECODE);
    EXPECT_EQ(ch_one_ext(LT_EXT_RENEGOTIATION_INFO, "00 00", &ch), LT_ERR_DECODE);
    EXPECT_EQ(ch_one_ext(LT_EXT_RENEGOTIATION_INFO, "01 aa bb", &ch), LT_ERR_DECODE);
}

static void test_ch_sni_valid(void)
{
    lt_client_hello ch;
    EXPECT_EQ(ch_one_ext(LT_EXT_SERVER_NAME, "0004 00 0001 61", &ch), LT_OK);
    EXPECT_EQ(ch.ext_seen, LT_SEEN_SNI);
    EXPECT(strcmp(ch.sni, "a") == 0);
    /* An unknown name type is skipped by its 16-bit length (RFC 6066 3);
     * the host_name after it is taken. */
    EXPECT_EQ(ch_one_ext(LT_EXT_SERVER_NAME, "000a 05 0002 7a7a 00 0002 6162", &ch), LT_OK);
    EXPECT(strcmp(ch.sni, "ab") == 0);
    /* Only an unknown type: seen, but no host name. */
    EXPECT_EQ(ch_one_ext(LT_EXT_SERVER_NAME, "0005 05 0002 7a7a", &ch), LT_OK);
    EXPECT_EQ(ch.ext_seen, LT_SEEN_SNI);
    EXPECT_EQ(ch.sni[0], '\0');
    EXPECT_EQ(ch_one_ext(LT_EXT_SERVER_NAME, "0003 07 0000", &ch), LT_OK);
}

static void test_ch_sni_malformed(void)
{
    lt_client_hello ch;
    /* An empty extension body: the ServerNameList is missing. */
    EXPECT_EQ(ch_one_ext(LT_EXT_SERVER_NAME, "", &ch), LT_ERR_DECODE);
    /* server_name_list<1..2^16-1>: empty. */
    EXPECT_EQ(ch_one_ext(LT_EXT_SERVER_NAME, "0000", &ch), LT_ERR_DECODE);
    /* HostName<1..2^16-1>: empty. */
    EXPECT_EQ(ch_one_ext(LT_EXT_SERVER_NAME, "0003 00 0000", &ch), LT_ERR_DECODE);
    /* A NUL inside the name: well-formed, but not a name (a bad value). */
    EXPECT_EQ(ch_one_ext(LT_EXT_SERVER_NAME, "0006 00 0003 610062", &ch), LT_ERR_ILLEGAL_PARAMETER);
    EXPECT_EQ(ch_one_ext(LT_EXT_SERVER_NAME, "0004 00 0001 00", &ch), LT_ERR_ILLEGAL_PARAMETER);
    /* Bytes after the list inside the extension. */
    EXPECT_EQ(ch_one_ext(LT_EXT_SERVER_NAME, "0004 00 0001 61 ff", &ch), LT_ERR_DECODE);
    /* The entry runs past the list; the list runs past the extension. */
    EXPECT_EQ(ch_one_ext(LT_EXT_SERVER_NAME, "0004 00 0002 6162", &ch), LT_ERR_DECODE);
    EXPECT_EQ(ch_one_ext(LT_EXT_SERVER_NAME, "0009 00 0001 61", &ch), LT_ERR_DECODE);
    /* Half an entry. */
    EXPECT_EQ(ch_one_ext(LT_EXT_SERVER_NAME, "0001 00", &ch), LT_ERR_DECODE);
    EXPECT_EQ(ch_one_ext(LT_EXT_SERVER_NAME, "0002 00 00", &ch), LT_ERR_DECODE);
}

static void test_ch_sni_duplicate_name_type(void)
{
    lt_client_hello ch;
    /* RFC 6066 3: "The ServerNameList MUST NOT contain more than one name of
     * the same name_type." */
    EXPECT_EQ(ch_one_ext(LT_EXT_SERVER_NAME, "0008 00 0001 61 00 0001 62", &ch), LT_ERR_ILLEGAL_PARAMETER);
    EXPECT_EQ(ch_one_ext(LT_EXT_SERVER_NAME, "000a 05 0002 7a7a 05 0002 7a7a", &ch), LT_ERR_ILLEGAL_PARAMETER);
    /* Different types are fine. */
    EXPECT_EQ(ch_one_ext(LT_EXT_SERVER_NAME, "000a 05 0002 7a7a 06 0002 7a7a", &ch), LT_OK);
}

static void test_ch_sni_length_limit(void)
{
    static hb b;
    lt_client_hello ch;
    char name[300];
    memset(name, 'a', sizeof(name));
    for (size_t len = 254; len <= 257; len++) {
        ch_start(&b);
        lt_wr_u16(&b.w, LT_EXT_SERVER_NAME);
        size_t e = lt_wr_open_vec(&b.w, 2);
        size_t list = lt_wr_open_vec(&b.w, 2);
        lt_wr_u8(&b.w, 0);
        size_t h = lt_wr_open_vec(&b.w, 2);
        lt_wr_bytes(&b.w, name, len);
        lt_wr_close_vec(&b.w, h, 2);
        lt_wr_close_vec(&b.w, list, 2);
        lt_wr_close_vec(&b.w, e, 2);
        size_t n = hb_end(&b);
        int rc = lt_parse_client_hello(exact(b.buf, n), n, &ch);
        if (len <= LT_MAX_HOSTNAME) {
            EXPECT_EQ(rc, LT_OK);
            EXPECT_EQ(strlen(ch.sni), len);
        } else {
            /* HostName<1..2^16-1> allows it; no DNS name is that long. */
            EXPECT_EQ(rc, LT_ERR_ILLEGAL_PARAMETER);
        }
    }
}

static void test_ch_signature_algorithms(void)
{
    lt_client_hello ch;
    EXPECT_EQ(ch_one_ext(LT_EXT_SIGNATURE_ALGORITHMS, "0004 0401 0804", &ch), LT_OK);
    EXPECT_EQ(ch.ext_seen, LT_SEEN_SIGALGS);
    EXPECT_EQ(ch.n_sigalgs, 2);
    EXPECT_EQ(ch.sigalgs[0], 0x0401);
    EXPECT_EQ(ch.sigalgs[1], 0x0804);
    /* <2..2^16-2>, even, exact. */
    EXPECT_EQ(ch_one_ext(LT_EXT_SIGNATURE_ALGORITHMS, "", &ch), LT_ERR_DECODE);
    EXPECT_EQ(ch_one_ext(LT_EXT_SIGNATURE_ALGORITHMS, "0000", &ch), LT_ERR_DECODE);
    EXPECT_EQ(ch_one_ext(LT_EXT_SIGNATURE_ALGORITHMS, "0003 040105", &ch), LT_ERR_DECODE);
    EXPECT_EQ(ch_one_ext(LT_EXT_SIGNATURE_ALGORITHMS, "0002 0401 00", &ch), LT_ERR_DECODE);
    EXPECT_EQ(ch_one_ext(LT_EXT_SIGNATURE_ALGORITHMS, "0006 0401", &ch), LT_ERR_DECODE);
}

static void test_ch_signature_algorithms_cap(void)
{
    /* 40 entries: the first LT_MAX_SIGALGS are kept, the rest still parsed. */
    char hex[4 + 40 * 4 + 1];
    snprintf(hex, sizeof(hex), "%04x", 80);
    for (int i = 0; i < 40; i++) {
        snprintf(hex + 4 + 4 * i, 5, "%04x", 0x0100 + i);
    }
    lt_client_hello ch;
    EXPECT_EQ(ch_one_ext(LT_EXT_SIGNATURE_ALGORITHMS, hex, &ch), LT_OK);
    EXPECT_EQ(ch.n_sigalgs, LT_MAX_SIGALGS);
    EXPECT_EQ(ch.sigalgs[0], 0x0100);
    EXPECT_EQ(ch.sigalgs[LT_MAX_SIGALGS - 1], 0x0100 + LT_MAX_SIGALGS - 1);
}

static void test_ch_alpn_and_ticket(void)
{
    lt_client_hello ch;
    /* protocol_name_list {"h2", "http/1.1"}: kept raw, without its length. */
    EXPECT_EQ(ch_one_ext(LT_EXT_ALPN, "000c 02 6832 08 687474702f312e31", &ch), LT_OK);
    EXPECT_EQ(ch.ext_seen, LT_SEEN_ALPN);
    EXPECT_EQ(lt_rd_left(&ch.alpn), 12);
    EXPECT_EQ(ch.alpn.p[0], 2);
    EXPECT_EQ(ch.alpn.p[11], '1');
    /* protocol_name_list<2..2^16-1>. */
    EXPECT_EQ(ch_one_ext(LT_EXT_ALPN, "0001 00", &ch), LT_ERR_DECODE);
    EXPECT_EQ(ch_one_ext(LT_EXT_ALPN, "", &ch), LT_ERR_DECODE);
    EXPECT_EQ(ch_one_ext(LT_EXT_ALPN, "0003 02 6832 ff", &ch), LT_ERR_DECODE);
    /* A session ticket of any content is only marked. */
    EXPECT_EQ(ch_one_ext(LT_EXT_SESSION_TICKET, "deadbeef", &ch), LT_OK);
    EXPECT_EQ(ch.ext_seen, LT_SEEN_TICKET);
}

/* --- ClientHello writer -------------------------------------------------- */

static void test_ch_writer_overflow(void)
{
    uint8_t random[LT_RANDOM_LEN], full[1024];
    lt_client_hello_params p;
    full_ch_params(&p, random);
    lt_wr w = lt_wr_init(full, sizeof(full));
    lt_write_client_hello(&w, &p);
    EXPECT_EQ(lt_wr_finish(&w), LT_OK);
    size_t need = w.off;
    /* Every smaller capacity fails through the sticky error and never
     * writes past the buffer (exact-size heap buffers under ASan). */
    for (size_t cap = 0; cap < need; cap++) {
        uint8_t *buf = malloc(cap > 0 ? cap : 1);
        lt_wr small = lt_wr_init(buf, cap);
        lt_write_client_hello(&small, &p);
        EXPECT(lt_wr_finish(&small) != LT_OK);
        EXPECT(small.off <= cap);
        free(buf);
    }
}

static void test_ch_writer_rejects_bad_params(void)
{
    uint8_t random[LT_RANDOM_LEN], buf[1024];
    char longname[LT_MAX_HOSTNAME + 2];
    memset(longname, 'x', sizeof(longname) - 1);
    longname[sizeof(longname) - 1] = '\0';
    lt_client_hello_params p;
    lt_wr w;

    full_ch_params(&p, random);
    p.sni = "";
    w = lt_wr_init(buf, sizeof(buf));
    lt_write_client_hello(&w, &p);
    EXPECT_EQ(lt_wr_finish(&w), LT_ERR_INTERNAL);

    full_ch_params(&p, random);
    p.sni = longname;
    w = lt_wr_init(buf, sizeof(buf));
    lt_write_client_hello(&w, &p);
    EXPECT_EQ(lt_wr_finish(&w), LT_ERR_INTERNAL);

    full_ch_params(&p, random);
    p.n_suites = 0;
    w = lt_wr_init(buf, sizeof(buf));
    lt_write_client_hello(&w, &p);
    EXPECT_EQ(lt_wr_finish(&w), LT_ERR_INTERNAL);

    /* A name of exactly 255 bytes is fine and round-trips. */
    longname[LT_MAX_HOSTNAME] = '\0';
    full_ch_params(&p, random);
    p.sni = longname;
    w = lt_wr_init(buf, sizeof(buf));
    lt_write_client_hello(&w, &p);
    size_t n = written_body(&w, LT_HS_CLIENT_HELLO);
    lt_client_hello ch;
    EXPECT_EQ(lt_parse_client_hello(exact(buf + 4, n), n, &ch), LT_OK);
    EXPECT(strcmp(ch.sni, longname) == 0);
}

/* --- ServerHello --------------------------------------------------------- */

static void test_sh_real_openssl(void)
{
    static uint8_t buf[BUF_CAP];
    lt_server_hello sh;
    size_t n = real_body(REAL_SH_ECDHE, buf, LT_HS_SERVER_HELLO);
    EXPECT_EQ(lt_parse_server_hello(exact(buf + 4, n), n, &sh), LT_OK);
    EXPECT_EQ(sh.server_version, 0x0303);
    EXPECT_EQ(sh.random[0], 0x80);
    EXPECT_EQ(sh.random[31], 0xfa);
    EXPECT_EQ(sh.session_id_len, 0);
    EXPECT_EQ(sh.cipher_suite, 0xc030);
    EXPECT_EQ(sh.compression_method, 0);
    EXPECT_EQ(sh.ext_seen, LT_SEEN_RENEG | LT_SEEN_TICKET | LT_SEEN_EMS | LT_SEEN_POINT_FORMATS);
    EXPECT_EQ(lt_rd_left(&sh.reneg_info), 0);
    /* ec_point_formats {0, 1, 2} (RFC 8422 5.2): known now, so not reported
     * as unknown; whether it was asked for is the state machine's call. */
    EXPECT_EQ(lt_rd_left(&sh.ec_point_formats), 3);
    EXPECT_EQ(sh.has_uncompressed_point, 1);
    EXPECT_EQ(sh.encrypt_then_mac, 0);
    EXPECT_EQ(sh.has_unknown_ext, 0);
    EXPECT_EQ(sh.sni_ack, 0);

    n = real_body(REAL_SH_RSA, buf, LT_HS_SERVER_HELLO);
    EXPECT_EQ(lt_parse_server_hello(exact(buf + 4, n), n, &sh), LT_OK);
    EXPECT_EQ(sh.cipher_suite, LT_TLS_RSA_WITH_AES_128_GCM_SHA256);
    EXPECT_EQ(sh.ext_seen, LT_SEEN_RENEG | LT_SEEN_TICKET | LT_SEEN_EMS);
    EXPECT_EQ(sh.has_unknown_ext, 0);
}

static void test_sh_roundtrip(void)
{
    uint8_t random[LT_RANDOM_LEN], sid[LT_MAX_SESSION_ID], buf[256];
    for (int i = 0; i < LT_RANDOM_LEN; i++) {
        random[i] = (uint8_t)(0x50 + i);
        sid[i] = (uint8_t)(0x90 + i);
    }
    lt_server_hello_params p;
    memset(&p, 0, sizeof(p));
    p.server_version = LT_TLS1_2;
    p.random = random;
    p.session_id = sid;
    p.session_id_len = 32;
    p.cipher_suite = LT_TLS_RSA_WITH_AES_256_CBC_SHA256;
    p.ems = 1;
    p.reneg_info = 1;
    p.sni_ack = 1;
    lt_wr w = lt_wr_init(buf, sizeof(buf));
    lt_write_server_hello(&w, &p);
    size_t n = written_body(&w, LT_HS_SERVER_HELLO);
    lt_server_hello sh;
    EXPECT_EQ(lt_parse_server_hello(exact(buf + 4, n), n, &sh), LT_OK);
    EXPECT_EQ(sh.server_version, LT_TLS1_2);
    EXPECT_MEM(sh.random, random, LT_RANDOM_LEN);
    EXPECT_EQ(sh.session_id_len, 32);
    EXPECT_MEM(sh.session_id, sid, 32);
    EXPECT_EQ(sh.cipher_suite, LT_TLS_RSA_WITH_AES_256_CBC_SHA256);
    EXPECT_EQ(sh.compression_method, 0);
    EXPECT_EQ(sh.ext_seen, LT_SEEN_RENEG | LT_SEEN_EMS | LT_SEEN_SNI);
    EXPECT_EQ(sh.sni_ack, 1);
    EXPECT_EQ(sh.has_unknown_ext, 0);
    /* Order on the wire: renegotiation_info, extended_master_secret,
     * server_name. */
    uint8_t want[64];
    size_t wn = lt_test_unhex("000d ff01 0001 00 0017 0000 0000 0000", want, sizeof(want));
    EXPECT_EQ(n, 2 + 32 + 1 + 32 + 2 + 1 + wn);
    EXPECT_MEM(buf + 4 + 70, want, wn);
}

static void test_sh_no_extensions_omitted(void)
{
    uint8_t random[LT_RANDOM_LEN], buf[256];
    memset(random, 0x77, sizeof(random));
    lt_server_hello_params p;
    memset(&p, 0, sizeof(p));
    p.server_version = LT_TLS1_2;
    p.random = random;
    p.cipher_suite = LT_TLS_RSA_WITH_AES_128_GCM_SHA256;
    lt_wr w = lt_wr_init(buf, sizeof(buf));
    lt_write_server_hello(&w, &p);
    size_t n = written_body(&w, LT_HS_SERVER_HELLO);
    EXPECT_EQ(n, 2 + 32 + 1 + 2 + 1);
    EXPECT_EQ(buf[4 + 34], 0);    /* session_id length */
    EXPECT_EQ(buf[4 + 35], 0x00); /* suite */
    EXPECT_EQ(buf[4 + 36], 0x9c);
    EXPECT_EQ(buf[4 + 37], 0x00); /* compression */
    lt_server_hello sh;
    EXPECT_EQ(lt_parse_server_hello(exact(buf + 4, n), n, &sh), LT_OK);
    EXPECT_EQ(sh.ext_seen, 0);
    /* A session_id over 32 bytes is refused by the writer. */
    uint8_t sid[40] = {0};
    p.session_id = sid;
    p.session_id_len = 33;
    w = lt_wr_init(buf, sizeof(buf));
    lt_write_server_hello(&w, &p);
    EXPECT_EQ(lt_wr_finish(&w), LT_ERR_INTERNAL);
}

static void test_sh_truncations_and_trailing(void)
{
    static uint8_t buf[BUF_CAP];
    size_t n = real_body(REAL_SH_ECDHE, buf, LT_HS_SERVER_HELLO);
    check_truncations(p_sh, buf + 4, n, sh_ext_offset(buf + 4));
    check_trailing(p_sh, buf + 4, n);
    n = real_body(REAL_SH_RSA, buf, LT_HS_SERVER_HELLO);
    check_truncations(p_sh, buf + 4, n, sh_ext_offset(buf + 4));
    check_trailing(p_sh, buf + 4, n);
}

static void test_sh_session_id_bounds(void)
{
    static hb b;
    char hex[200];
    b.w = lt_wr_init(b.buf, sizeof(b.buf));
    snprintf(hex, sizeof(hex), "0303%s21%s20 009c 00", RANDOM_HEX, RANDOM_HEX);
    hb_raw(&b, hex);
    size_t n = hb_end_noext(&b);
    EXPECT_EQ(run(p_sh, b.buf, n), LT_ERR_DECODE);
    b.w = lt_wr_init(b.buf, sizeof(b.buf));
    hb_raw(&b, "0303" RANDOM_HEX "05 0102 009c 00");
    n = hb_end_noext(&b);
    EXPECT_EQ(run(p_sh, b.buf, n), LT_ERR_DECODE);
}

static void test_sh_unknown_extension(void)
{
    static hb b;
    lt_server_hello sh;
    /* signature_algorithms: "Servers MUST NOT send this extension" (RFC 5246
     * 7.4.1.4.1), so it is unknown here. */
    EXPECT_EQ(sh_one_ext(LT_EXT_SIGNATURE_ALGORITHMS, "0002 0401", &sh), LT_OK);
    EXPECT_EQ(sh.has_unknown_ext, 1);
    EXPECT_EQ(sh.unknown_ext, LT_EXT_SIGNATURE_ALGORITHMS);
    EXPECT_EQ(sh.ext_seen, 0);
    /* The first unknown type is the one reported. */
    sh_start(&b);
    hb_ext(&b, 0x1234, "");
    hb_ext(&b, LT_EXT_EXTENDED_MASTER_SECRET, "");
    hb_ext(&b, 0x5678, "aa");
    size_t n = hb_end(&b);
    EXPECT_EQ(lt_parse_server_hello(exact(b.buf, n), n, &sh), LT_OK);
    EXPECT_EQ(sh.unknown_ext, 0x1234);
    EXPECT_EQ(sh.ext_seen, LT_SEEN_EMS);
    /* Type 0 is server_name, known: no unknown flag. */
    EXPECT_EQ(sh_one_ext(LT_EXT_SERVER_NAME, "", &sh), LT_OK);
    EXPECT_EQ(sh.has_unknown_ext, 0);
    EXPECT_EQ(sh.sni_ack, 1);
    EXPECT_EQ(sh_one_ext(LT_EXT_ALPN, "0003 02 6832", &sh), LT_OK);
    EXPECT_EQ(sh.ext_seen, LT_SEEN_ALPN);
    EXPECT_EQ(sh_one_ext(LT_EXT_SESSION_TICKET, "", &sh), LT_OK);
    EXPECT_EQ(sh.ext_seen, LT_SEEN_TICKET);
}

static void test_sh_duplicate_extension(void)
{
    static hb b;
    const uint16_t types[] = {LT_EXT_RENEGOTIATION_INFO, LT_EXT_EXTENDED_MASTER_SECRET, LT_EXT_SERVER_NAME, 0x7777};
    const char *bodies[] = {"00", "", "", ""};
    for (size_t i = 0; i < 4; i++) {
        sh_start(&b);
        hb_ext(&b, types[i], bodies[i]);
        hb_ext(&b, types[i], bodies[i]);
        size_t n = hb_end(&b);
        EXPECT_EQ(run(p_sh, b.buf, n), LT_ERR_ILLEGAL_PARAMETER);
    }
}

static void test_sh_bad_extension_bodies(void)
{
    lt_server_hello sh;
    /* RFC 6066 3: the server's server_name "SHALL be empty". */
    EXPECT_EQ(sh_one_ext(LT_EXT_SERVER_NAME, "0004 00 0001 61", &sh), LT_ERR_DECODE);
    /* RFC 7627 5.1: empty. */
    EXPECT_EQ(sh_one_ext(LT_EXT_EXTENDED_MASTER_SECRET, "00", &sh), LT_ERR_DECODE);
    /* RFC 5746 3.2: renegotiated_connection<0..255>, exact. */
    EXPECT_EQ(sh_one_ext(LT_EXT_RENEGOTIATION_INFO, "", &sh), LT_ERR_DECODE);
    EXPECT_EQ(sh_one_ext(LT_EXT_RENEGOTIATION_INFO, "02 aa", &sh), LT_ERR_DECODE);
    EXPECT_EQ(sh_one_ext(LT_EXT_RENEGOTIATION_INFO, "00 00", &sh), LT_ERR_DECODE);
    /* On renegotiation: client_verify_data || server_verify_data. */
    EXPECT_EQ(sh_one_ext(LT_EXT_RENEGOTIATION_INFO, "18 000102030405060708090a0b0c0d0e0f1011121314151617", &sh), LT_OK);
    EXPECT_EQ(lt_rd_left(&sh.reneg_info), 24);
    EXPECT_EQ(sh.reneg_info.p[23], 0x17);
}

static void test_sh_writer_overflow(void)
{
    uint8_t random[LT_RANDOM_LEN] = {0}, full[256];
    lt_server_hello_params p;
    memset(&p, 0, sizeof(p));
    p.server_version = LT_TLS1_2;
    p.random = random;
    p.cipher_suite = 0x009c;
    p.ems = p.reneg_info = p.sni_ack = 1;
    lt_wr w = lt_wr_init(full, sizeof(full));
    lt_write_server_hello(&w, &p);
    EXPECT_EQ(lt_wr_finish(&w), LT_OK);
    for (size_t cap = 0; cap < w.off; cap++) {
        uint8_t *buf = malloc(cap > 0 ? cap : 1);
        lt_wr small = lt_wr_init(buf, cap);
        lt_write_server_hello(&small, &p);
        EXPECT(lt_wr_finish(&small) != LT_OK);
        free(buf);
    }
}

/* --- Certificate --------------------------------------------------------- */

static void test_cert_real_openssl(void)
{
    static uint8_t buf[BUF_CAP];
    size_t n = real_body(REAL_CERT, buf, LT_HS_CERTIFICATE);
    lt_certificate_msg c;
    EXPECT_EQ(lt_parse_certificate(exact(buf + 4, n), n, &c), LT_OK);
    EXPECT_EQ(c.n, 1);
    EXPECT_EQ(c.len[0], 781);
    EXPECT(c.der[0] == g_exact + 6);
    EXPECT_EQ(c.der[0][0], 0x30); /* DER SEQUENCE */
    EXPECT_EQ(c.der[0][780], 0xff);
    check_truncations(p_cert, buf + 4, n, (size_t)-1);
    check_trailing(p_cert, buf + 4, n);
}

static void test_cert_roundtrip(void)
{
    static uint8_t big[70000];
    static uint8_t buf[80000];
    uint8_t a[1] = {0x30}, b[5] = {1, 2, 3, 4, 5};
    for (size_t i = 0; i < sizeof(big); i++) {
        big[i] = (uint8_t)(i * 7);
    }
    const uint8_t *der[3] = {a, big, b};
    size_t len[3] = {sizeof(a), sizeof(big), sizeof(b)};
    lt_wr w = lt_wr_init(buf, sizeof(buf));
    lt_write_certificate(&w, der, len, 3);
    size_t n = written_body(&w, LT_HS_CERTIFICATE);
    EXPECT_EQ(n, 3 + 3 * 3 + 1 + 70000 + 5);
    lt_certificate_msg c;
    EXPECT_EQ(lt_parse_certificate(exact(buf + 4, n), n, &c), LT_OK);
    EXPECT_EQ(c.n, 3);
    for (size_t i = 0; i < 3 && c.n == 3; i++) {
        EXPECT_EQ(c.len[i], len[i]);
        EXPECT_MEM(c.der[i], der[i], len[i]);
    }
}

static void test_cert_empty_list(void)
{
    uint8_t buf[16];
    lt_wr w = lt_wr_init(buf, sizeof(buf));
    lt_write_certificate(&w, NULL, NULL, 0);
    size_t n = written_body(&w, LT_HS_CERTIFICATE);
    EXPECT_EQ(n, 3);
    lt_certificate_msg c;
    c.n = 99;
    EXPECT_EQ(lt_parse_certificate(exact(buf + 4, n), n, &c), LT_OK);
    EXPECT_EQ(c.n, 0);
}

static void test_cert_empty_entry(void)
{
    uint8_t buf[64];
    /* ASN.1Cert<1..2^24-1>: an empty entry, first or after a good one. */
    size_t n = lt_test_unhex("000003 000000", buf, sizeof(buf));
    EXPECT_EQ(run(p_cert, buf, n), LT_ERR_DECODE);
    n = lt_test_unhex("000007 000001aa 000000", buf, sizeof(buf));
    EXPECT_EQ(run(p_cert, buf, n), LT_ERR_DECODE);
    /* The writer refuses to produce one. */
    const uint8_t *der[1] = {buf};
    size_t len[1] = {0};
    lt_wr w = lt_wr_init(buf, sizeof(buf));
    lt_write_certificate(&w, der, len, 1);
    EXPECT_EQ(lt_wr_finish(&w), LT_ERR_INTERNAL);
}

static void test_cert_chain_length_limit(void)
{
    enum { N = LT_MAX_PEER_CHAIN + 2 };
    static uint8_t buf[16 + 5 * N];
    static uint8_t certs[N][2];
    const uint8_t *der[N];
    size_t len[N];
    for (int i = 0; i < N; i++) {
        certs[i][0] = 0x30;
        certs[i][1] = (uint8_t)i;
        der[i] = certs[i];
        len[i] = 2;
    }
    lt_certificate_msg c;
    /* The leaf, OpenSSL's default verify depth of intermediates, the root. */
    EXPECT_EQ(LT_MAX_PEER_CHAIN, 102);
    /* LT_MAX_PEER_CHAIN entries: fine. */
    lt_wr w = lt_wr_init(buf, sizeof(buf));
    lt_write_certificate(&w, der, len, LT_MAX_PEER_CHAIN);
    size_t n = written_body(&w, LT_HS_CERTIFICATE);
    EXPECT_EQ(lt_parse_certificate(exact(buf + 4, n), n, &c), LT_OK);
    EXPECT_EQ(c.n, LT_MAX_PEER_CHAIN);
    EXPECT_EQ(c.n_listed, LT_MAX_PEER_CHAIN);
    EXPECT_EQ(c.der[LT_MAX_PEER_CHAIN - 1][1], LT_MAX_PEER_CHAIN - 1);
    /* One more: well-formed but too long a chain; how many is reported. */
    w = lt_wr_init(buf, sizeof(buf));
    lt_write_certificate(&w, der, len, LT_MAX_PEER_CHAIN + 1);
    n = written_body(&w, LT_HS_CERTIFICATE);
    EXPECT_EQ(run(p_cert, buf + 4, n), LT_ERR_BAD_CERTIFICATE);
    EXPECT_EQ(lt_parse_certificate(exact(buf + 4, n), n, &c), LT_ERR_BAD_CERTIFICATE);
    EXPECT_EQ(c.n, 0);
    EXPECT_EQ(c.n_listed, LT_MAX_PEER_CHAIN + 1);
    /* Over the limit, the last one empty: malformed wins over too long. */
    static uint8_t bad[16 + 5 * N];
    lt_wr w2 = lt_wr_init(bad, sizeof(bad));
    size_t m = lt_wr_open_vec(&w2, 3);
    for (int i = 0; i < LT_MAX_PEER_CHAIN; i++) {
        lt_wr_u24(&w2, 2);
        lt_wr_bytes(&w2, certs[i], 2);
    }
    lt_wr_u24(&w2, 0);
    lt_wr_close_vec(&w2, m, 3);
    EXPECT_EQ(lt_wr_finish(&w2), LT_OK);
    EXPECT_EQ(run(p_cert, bad, w2.off), LT_ERR_DECODE);
}

static void test_cert_bad_lengths(void)
{
    uint8_t buf[64];
    /* An entry longer than the list; a list longer than the body; a list
     * shorter than the body. */
    size_t n = lt_test_unhex("000004 000005 aa", buf, sizeof(buf));
    EXPECT_EQ(run(p_cert, buf, n), LT_ERR_DECODE);
    n = lt_test_unhex("000009 000001 aa", buf, sizeof(buf));
    EXPECT_EQ(run(p_cert, buf, n), LT_ERR_DECODE);
    n = lt_test_unhex("000004 000001 aa bb", buf, sizeof(buf));
    EXPECT_EQ(run(p_cert, buf, n), LT_ERR_DECODE);
    /* Half an entry length. */
    n = lt_test_unhex("000002 0000", buf, sizeof(buf));
    EXPECT_EQ(run(p_cert, buf, n), LT_ERR_DECODE);
    n = lt_test_unhex("ffffff", buf, sizeof(buf));
    EXPECT_EQ(run(p_cert, buf, n), LT_ERR_DECODE);
}

/* --- Empty messages ------------------------------------------------------ */

static void test_empty_messages(void)
{
    static uint8_t buf[BUF_CAP];
    size_t n = real_body(REAL_SHD, buf, LT_HS_SERVER_HELLO_DONE);
    EXPECT_EQ(n, 0);
    EXPECT_EQ(run(p_empty, buf + 4, n), LT_OK);
    EXPECT_EQ(run(p_empty, (const uint8_t *)"\0", 1), LT_ERR_DECODE);
    EXPECT_EQ(run(p_empty, (const uint8_t *)"ab", 2), LT_ERR_DECODE);

    lt_wr w = lt_wr_init(buf, 4);
    lt_write_empty(&w, LT_HS_HELLO_REQUEST);
    EXPECT_EQ(written_body(&w, LT_HS_HELLO_REQUEST), 0);
    EXPECT_EQ(w.off, 4);
    w = lt_wr_init(buf, 3);
    lt_write_empty(&w, LT_HS_SERVER_HELLO_DONE);
    EXPECT_EQ(lt_wr_finish(&w), LT_ERR_INTERNAL);
}

/* --- ClientKeyExchange --------------------------------------------------- */

static void test_cke_real_openssl(void)
{
    static uint8_t buf[BUF_CAP];
    size_t n = real_body(REAL_CKE_RSA, buf, LT_HS_CLIENT_KEY_EXCHANGE);
    lt_rd enc;
    EXPECT_EQ(lt_parse_client_key_exchange_rsa(exact(buf + 4, n), n, &enc), LT_OK);
    EXPECT_EQ(lt_rd_left(&enc), 256);
    EXPECT(enc.p == g_exact + 2);
    EXPECT_EQ(enc.p[0], 0x12);
    check_truncations(p_cke, buf + 4, n, (size_t)-1);
    check_trailing(p_cke, buf + 4, n);
}

static void test_cke_roundtrip_and_lengths(void)
{
    uint8_t enc_in[300], buf[400];
    for (size_t i = 0; i < sizeof(enc_in); i++) {
        enc_in[i] = (uint8_t)(i ^ 0x5a);
    }
    lt_wr w = lt_wr_init(buf, sizeof(buf));
    lt_write_client_key_exchange_rsa(&w, enc_in, sizeof(enc_in));
    size_t n = written_body(&w, LT_HS_CLIENT_KEY_EXCHANGE);
    EXPECT_EQ(n, 302);
    lt_rd enc;
    EXPECT_EQ(lt_parse_client_key_exchange_rsa(exact(buf + 4, n), n, &enc), LT_OK);
    EXPECT_EQ(lt_rd_left(&enc), 300);
    EXPECT_MEM(enc.p, enc_in, 300);
    /* A zero-length ciphertext is well-formed (RSA decryption fails later). */
    EXPECT_EQ(run(p_cke, (const uint8_t *)"\0\0", 2), LT_OK);
    /* SSL 3.0 style, without the length: the first two bytes are read as a
     * length that does not match. */
    EXPECT_EQ(run(p_cke, enc_in, 256), LT_ERR_DECODE);
    /* Length smaller than the body. */
    uint8_t shorter[5] = {0x00, 0x02, 1, 2, 3};
    EXPECT_EQ(run(p_cke, shorter, 5), LT_ERR_DECODE);
}

/* --- Finished ------------------------------------------------------------ */

static void test_finished_real_and_roundtrip(void)
{
    static uint8_t buf[BUF_CAP];
    size_t n = real_body(REAL_FINISHED, buf, LT_HS_FINISHED);
    uint8_t vd[LT_FINISHED_LEN];
    EXPECT_EQ(lt_parse_finished(exact(buf + 4, n), n, vd), LT_OK);
    EXPECT_EQ(vd[0], 0x6e);
    EXPECT_EQ(vd[11], 0x8c);

    uint8_t out[16], want[16];
    lt_wr w = lt_wr_init(out, sizeof(out));
    lt_write_finished(&w, vd);
    EXPECT_EQ(lt_wr_finish(&w), LT_OK);
    size_t wn = lt_test_unhex(REAL_FINISHED, want, sizeof(want));
    EXPECT_EQ(w.off, wn);
    EXPECT_MEM(out, want, wn);
}

static void test_finished_lengths(void)
{
    uint8_t body[13];
    uint8_t vd[LT_FINISHED_LEN];
    memset(body, 0xab, sizeof(body));
    EXPECT_EQ(run(p_fin, body, 11), LT_ERR_DECODE);
    EXPECT_EQ(run(p_fin, body, 13), LT_ERR_DECODE);
    EXPECT_EQ(run(p_fin, body, 0), LT_ERR_DECODE);
    EXPECT_EQ(lt_parse_finished(exact(body, 12), 12, vd), LT_OK);
    EXPECT_EQ(vd[11], 0xab);
    check_truncations(p_fin, body, 12, (size_t)-1);
}

/* --- Writers in small buffers -------------------------------------------- */

static void test_small_writers_overflow(void)
{
    uint8_t vd[LT_FINISHED_LEN] = {0};
    uint8_t enc[40] = {0};
    const uint8_t *der[1] = {enc};
    size_t len[1] = {sizeof(enc)};
    /* Needed sizes: Finished 16, CKE 4 + 2 + 40, Certificate 4 + 3 + 3 + 40. */
    for (size_t cap = 0; cap < 50; cap++) {
        uint8_t *buf = malloc(cap > 0 ? cap : 1);
        lt_wr w = lt_wr_init(buf, cap);
        lt_write_finished(&w, vd);
        EXPECT_EQ(lt_wr_finish(&w) == LT_OK, cap >= 16);
        w = lt_wr_init(buf, cap);
        lt_write_client_key_exchange_rsa(&w, enc, sizeof(enc));
        EXPECT_EQ(lt_wr_finish(&w) == LT_OK, cap >= 46);
        w = lt_wr_init(buf, cap);
        lt_write_certificate(&w, der, len, 1);
        EXPECT_EQ(lt_wr_finish(&w) == LT_OK, cap >= 50);
        free(buf);
    }
}

/* CertificateRequest (RFC 5246 7.4.4): types, signature algorithms, CA names. */
static void test_certificate_request(void)
{
    /* types {rsa_sign(1), ecdsa_sign(64)}, sigalgs {0x0401, 0x0804}, two DNs. */
    static const uint8_t ok[] = {2, 1, 64, 0, 4, 4, 1, 8, 4, 0, 9, 0, 2, 'A', 'B', 0, 3, 'C', 'D', 'E'};
    lt_certificate_request cr;
    EXPECT_EQ(lt_parse_certificate_request(ok, sizeof ok, &cr), LT_OK);
    EXPECT_EQ(lt_rd_left(&cr.types), 2);
    EXPECT_EQ(lt_rd_left(&cr.sigalgs), 4);
    EXPECT_EQ(cr.n_authorities, 2);
    for (size_t cut = 0; cut < sizeof ok; cut++) {
        uint8_t *copy = malloc(cut + 1);
        memcpy(copy, ok, cut);
        EXPECT_EQ(lt_parse_certificate_request(copy, cut, &cr), LT_ERR_DECODE);
        free(copy);
    }
    static const uint8_t no_types[] = {0, 0, 0, 0, 0};
    EXPECT_EQ(lt_parse_certificate_request(no_types, sizeof no_types, &cr), LT_ERR_DECODE);
    static const uint8_t odd_sigalgs[] = {1, 1, 0, 3, 4, 1, 8, 0, 0};
    EXPECT_EQ(lt_parse_certificate_request(odd_sigalgs, sizeof odd_sigalgs, &cr), LT_ERR_DECODE);
    static const uint8_t empty_dn[] = {1, 1, 0, 0, 0, 2, 0, 0};
    EXPECT_EQ(lt_parse_certificate_request(empty_dn, sizeof empty_dn, &cr), LT_ERR_DECODE);
    static const uint8_t trailing[] = {1, 1, 0, 0, 0, 0, 7};
    EXPECT_EQ(lt_parse_certificate_request(trailing, sizeof trailing, &cr), LT_ERR_DECODE);
}

/* ======================================================================== */
/* ECDHE-era extensions, the largest legal ClientHello, ECDHE key exchange   */

/* --- Helpers: lists and GREASE ------------------------------------------ */

static void test_is_grease(void)
{
    /* RFC 8701 2: the 16 values 0x0A0A, 0x1A1A, ..., 0xFAFA. */
    unsigned count = 0;
    for (uint32_t v = 0; v <= 0xFFFF; v++) {
        count += (unsigned)lt_is_grease((uint16_t)v);
    }
    EXPECT_EQ(count, 16);
    for (unsigned hi = 0; hi < 16; hi++) {
        uint16_t v = (uint16_t)(((hi << 4 | 0xA) << 8) | (hi << 4 | 0xA));
        EXPECT(lt_is_grease(v));
    }
    EXPECT(!lt_is_grease(0x0a1a));
    EXPECT(!lt_is_grease(0x0b0b));
    EXPECT(!lt_is_grease(0x0000));
    EXPECT(!lt_is_grease(0xabab));
    EXPECT(!lt_is_grease(0x0a0b));
}

static void test_u16_list_has(void)
{
    static const uint8_t list[] = {0x00, 0x1d, 0x0a, 0x0a, 0x00, 0x17, 0xff};
    EXPECT(lt_u16_list_has(lt_rd_init(list, 6), 0x001d));
    EXPECT(lt_u16_list_has(lt_rd_init(list, 6), 0x0a0a));
    EXPECT(lt_u16_list_has(lt_rd_init(list, 6), 0x0017));
    /* Entries are aligned: 0x1d0a spans two entries and is not one. */
    EXPECT(!lt_u16_list_has(lt_rd_init(list, 6), 0x1d0a));
    /* A stray odd byte is not an entry, and is never read past. */
    EXPECT(!lt_u16_list_has(lt_rd_init(list, 7), 0x17ff));
    EXPECT(!lt_u16_list_has(lt_rd_init(list + 6, 1), 0x00ff));
    EXPECT(!lt_u16_list_has(lt_rd_init(list, 0), 0x0000));
    EXPECT(!lt_u16_list_has(lt_rd_init(NULL, 0), 0x001d));
}

/* --- ClientHello: the new extensions ------------------------------------ */

static void test_ch_supported_groups(void)
{
    lt_client_hello ch;
    EXPECT_EQ(ch_one_ext(LT_EXT_SUPPORTED_GROUPS, "0004 001d 0017", &ch), LT_OK);
    EXPECT_EQ(ch.ext_seen, LT_SEEN_GROUPS);
    EXPECT_EQ(lt_rd_left(&ch.supported_groups), 4);
    EXPECT(ch.supported_groups.p == g_exact + ch_ext_offset(g_exact) + 2 + 4 + 2);
    EXPECT(lt_u16_list_has(ch.supported_groups, 0x001d));
    EXPECT(lt_u16_list_has(ch.supported_groups, 0x0017));
    EXPECT(!lt_u16_list_has(ch.supported_groups, 0x0018));
    /* One group is the minimum (<2..2^16-1>). */
    EXPECT_EQ(ch_one_ext(LT_EXT_SUPPORTED_GROUPS, "0002 0018", &ch), LT_OK);
    EXPECT_EQ(lt_rd_left(&ch.supported_groups), 2);
    /* GREASE (RFC 8701 3) and unknown groups are carried, not judged. */
    EXPECT_EQ(ch_one_ext(LT_EXT_SUPPORTED_GROUPS, "0008 7a7a 001d 1234 0017", &ch), LT_OK);
    EXPECT(lt_u16_list_has(ch.supported_groups, 0x7a7a));
    EXPECT(lt_u16_list_has(ch.supported_groups, 0x0017));
    /* Malformed: empty body, empty list, odd lengths, the list longer or
     * shorter than the body. */
    const char *bad[] = {"", "00", "0000", "0001 00", "0003 001d00", "0004 001d", "0002 001d 00", "0002", "ffff 001d"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        EXPECT_EQ(ch_one_ext(LT_EXT_SUPPORTED_GROUPS, bad[i], &ch), LT_ERR_DECODE);
    }
}

static void test_ch_ec_point_formats(void)
{
    lt_client_hello ch;
    /* RFC 8422 5.1.2: what a client that supports only uncompressed sends. */
    EXPECT_EQ(ch_one_ext(LT_EXT_EC_POINT_FORMATS, "01 00", &ch), LT_OK);
    EXPECT_EQ(ch.ext_seen, LT_SEEN_POINT_FORMATS);
    EXPECT_EQ(lt_rd_left(&ch.ec_point_formats), 1);
    EXPECT_EQ(ch.has_uncompressed_point, 1);
    /* Without uncompressed: parses, the flag says so (the state machine
     * decides on illegal_parameter, RFC 8422 5.1.2). */
    EXPECT_EQ(ch_one_ext(LT_EXT_EC_POINT_FORMATS, "02 0102", &ch), LT_OK);
    EXPECT_EQ(ch.has_uncompressed_point, 0);
    EXPECT_EQ(lt_rd_left(&ch.ec_point_formats), 2);
    EXPECT_EQ(ch_one_ext(LT_EXT_EC_POINT_FORMATS, "03 f8 01 00", &ch), LT_OK);
    EXPECT_EQ(ch.has_uncompressed_point, 1);
    /* The largest list, <1..2^8-1>. */
    char hex[2 + 255 * 2 + 1];
    memcpy(hex, "ff", 2);
    for (int i = 0; i < 255; i++) {
        snprintf(hex + 2 + 2 * i, 3, "%02x", (unsigned)(254 - i)); /* 0 last */
    }
    EXPECT_EQ(ch_one_ext(LT_EXT_EC_POINT_FORMATS, hex, &ch), LT_OK);
    EXPECT_EQ(lt_rd_left(&ch.ec_point_formats), 255);
    EXPECT_EQ(ch.has_uncompressed_point, 1);
    /* Malformed: empty body, empty list, short list, trailing bytes. */
    const char *bad[] = {"", "00", "02 00", "01 00 00", "01"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        EXPECT_EQ(ch_one_ext(LT_EXT_EC_POINT_FORMATS, bad[i], &ch), LT_ERR_DECODE);
    }
}

static void test_ch_encrypt_then_mac(void)
{
    lt_client_hello ch;
    EXPECT_EQ(ch_one_ext(LT_EXT_ENCRYPT_THEN_MAC, "", &ch), LT_OK);
    EXPECT_EQ(ch.ext_seen, LT_SEEN_ETM);
    EXPECT_EQ(ch.encrypt_then_mac, 1);
    /* RFC 7366 2: the extension_data "SHALL be empty". */
    EXPECT_EQ(ch_one_ext(LT_EXT_ENCRYPT_THEN_MAC, "00", &ch), LT_ERR_DECODE);
    EXPECT_EQ(ch_one_ext(LT_EXT_ENCRYPT_THEN_MAC, "0000", &ch), LT_ERR_DECODE);
    /* Absent: 0. */
    EXPECT_EQ(ch_one_ext(LT_EXT_EXTENDED_MASTER_SECRET, "", &ch), LT_OK);
    EXPECT_EQ(ch.encrypt_then_mac, 0);
}

static void test_ch_signature_algorithms_cert(void)
{
    lt_client_hello ch;
    EXPECT_EQ(ch_one_ext(LT_EXT_SIGNATURE_ALGORITHMS_CERT, "0004 0804 0403", &ch), LT_OK);
    EXPECT_EQ(ch.ext_seen, LT_SEEN_SIGALGS_CERT);
    EXPECT_EQ(lt_rd_left(&ch.sigalgs_cert), 4);
    EXPECT(lt_u16_list_has(ch.sigalgs_cert, 0x0403));
    /* It is not signature_algorithms: that stays empty. */
    EXPECT_EQ(ch.n_sigalgs, 0);
    EXPECT_EQ(lt_rd_left(&ch.sigalgs_all), 0);
    /* RFC 8446 4.2.3: SignatureScheme supported_signature_algorithms<2..2^16-2>. */
    const char *bad[] = {"", "0000", "0001 08", "0003 080404", "0004 0804", "0002 0804 00"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        EXPECT_EQ(ch_one_ext(LT_EXT_SIGNATURE_ALGORITHMS_CERT, bad[i], &ch), LT_ERR_DECODE);
    }
}

static void test_ch_sigalgs_whole_list(void)
{
    /* 40 schemes: sigalgs[] keeps the first LT_MAX_SIGALGS, sigalgs_all
     * keeps all of them. */
    char hex[8 + 40 * 5 + 1];
    size_t off = (size_t)snprintf(hex, sizeof(hex), "%04x", 80);
    for (unsigned i = 0; i < 40; i++) {
        off += (size_t)snprintf(hex + off, sizeof(hex) - off, " %04x", 0x0100 + i);
    }
    lt_client_hello ch;
    EXPECT_EQ(ch_one_ext(LT_EXT_SIGNATURE_ALGORITHMS, hex, &ch), LT_OK);
    EXPECT_EQ(ch.n_sigalgs, LT_MAX_SIGALGS);
    EXPECT_EQ(ch.sigalgs[LT_MAX_SIGALGS - 1], 0x0100 + LT_MAX_SIGALGS - 1);
    EXPECT_EQ(lt_rd_left(&ch.sigalgs_all), 80);
    EXPECT(lt_u16_list_has(ch.sigalgs_all, 0x0100 + 39));
    EXPECT(!lt_u16_list_has(ch.sigalgs_all, 0x0100 + 40));
}

static void test_ch_fallback_scsv(void)
{
    static hb b;
    lt_client_hello ch;
    /* RFC 7507: TLS_FALLBACK_SCSV anywhere among the suites. */
    b.w = lt_wr_init(b.buf, sizeof(b.buf));
    hb_raw(&b, "0303" RANDOM_HEX "00 0006 009c 5600 002f 0100");
    size_t n = hb_end_noext(&b);
    EXPECT_EQ(lt_parse_client_hello(exact(b.buf, n), n, &ch), LT_OK);
    EXPECT_EQ(ch.has_fallback_scsv, 1);
    EXPECT_EQ(ch.has_scsv, 0);
    b.w = lt_wr_init(b.buf, sizeof(b.buf));
    hb_raw(&b, "0303" RANDOM_HEX "00 0004 5600 00ff 0100");
    n = hb_end_noext(&b);
    EXPECT_EQ(lt_parse_client_hello(exact(b.buf, n), n, &ch), LT_OK);
    EXPECT_EQ(ch.has_fallback_scsv, 1);
    EXPECT_EQ(ch.has_scsv, 1);
    /* Neighbours of the codepoint are ordinary suites. */
    b.w = lt_wr_init(b.buf, sizeof(b.buf));
    hb_raw(&b, "0303" RANDOM_HEX "00 0004 5601 0056 0100");
    n = hb_end_noext(&b);
    EXPECT_EQ(lt_parse_client_hello(exact(b.buf, n), n, &ch), LT_OK);
    EXPECT_EQ(ch.has_fallback_scsv, 0);
}

/* GREASE (RFC 8701) in every list of a ClientHello: suites, extension types
 * (empty and with a body, first and last), groups, signature schemes,
 * supported_versions (which a TLS 1.2 server ignores), ALPN. All parse and
 * every field we know is as without them. */
static void test_ch_grease_everywhere(void)
{
    static hb b;
    b.w = lt_wr_init(b.buf, sizeof(b.buf));
    hb_raw(&b, "0303" RANDOM_HEX "00 0008 2a2a c02b 009c 00ff 0100");
    b.exts = lt_wr_open_vec(&b.w, 2);
    hb_ext(&b, 0x3a3a, "");
    hb_ext(&b, LT_EXT_SERVER_NAME, "0004 00 0001 61");
    hb_ext(&b, LT_EXT_SUPPORTED_GROUPS, "0006 4a4a 001d 0017");
    hb_ext(&b, LT_EXT_EC_POINT_FORMATS, "01 00");
    hb_ext(&b, LT_EXT_SIGNATURE_ALGORITHMS, "0006 5a5a 0403 0804");
    hb_ext(&b, LT_EXT_SIGNATURE_ALGORITHMS_CERT, "0004 6a6a 0403");
    hb_ext(&b, LT_EXT_SUPPORTED_VERSIONS, "06 7a7a 0304 0303");
    hb_ext(&b, LT_EXT_ALPN, "0006 02 8a8a 02 6832");
    hb_ext(&b, LT_EXT_KEY_SHARE, "0005 9a9a 0001 00");
    hb_ext(&b, LT_EXT_PSK_KEY_EXCHANGE_MODES, "01 01");
    hb_ext(&b, LT_EXT_ENCRYPT_THEN_MAC, "");
    hb_ext(&b, 0xfafa, "00");
    size_t n = hb_end(&b);
    lt_client_hello ch;
    EXPECT_EQ(lt_parse_client_hello(exact(b.buf, n), n, &ch), LT_OK);
    EXPECT_EQ(ch.has_scsv, 1);
    EXPECT(lt_u16_list_has(ch.suites, 0x2a2a));
    EXPECT(lt_u16_list_has(ch.suites, 0xc02b));
    /* The TLS 1.3 ones are parsed since the 1.3 codec (a GREASE version
     * and key share group parse like any unknown value). */
    EXPECT_EQ(ch.ext_seen, LT_SEEN_SNI | LT_SEEN_GROUPS | LT_SEEN_POINT_FORMATS | LT_SEEN_SIGALGS |
                               LT_SEEN_SIGALGS_CERT | LT_SEEN_ALPN | LT_SEEN_ETM | LT_SEEN_VERSIONS |
                               LT_SEEN_KEY_SHARE | LT_SEEN_PSK_MODES);
    EXPECT(lt_u16_list_has(ch.versions, 0x7a7a));
    EXPECT_EQ(ch.n_key_shares, 1);
    EXPECT_EQ(ch.psk_dhe_ke, 1);
    EXPECT(strcmp(ch.sni, "a") == 0);
    EXPECT_EQ(ch.n_sigalgs, 3);
    EXPECT_EQ(ch.sigalgs[0], 0x5a5a);
    EXPECT_EQ(ch.sigalgs[2], 0x0804);
    EXPECT(lt_u16_list_has(ch.supported_groups, 0x001d));
    EXPECT(lt_u16_list_has(ch.sigalgs_cert, 0x0403));
    EXPECT_EQ(ch.has_uncompressed_point, 1);
    EXPECT_EQ(ch.encrypt_then_mac, 1);
}

static void test_ch_new_extensions_truncations(void)
{
    static hb b;
    ch_start(&b);
    hb_ext(&b, LT_EXT_SUPPORTED_GROUPS, "0004 001d 0017");
    hb_ext(&b, LT_EXT_EC_POINT_FORMATS, "01 00");
    hb_ext(&b, LT_EXT_SIGNATURE_ALGORITHMS_CERT, "0002 0403");
    hb_ext(&b, LT_EXT_ENCRYPT_THEN_MAC, "");
    size_t n = hb_end(&b);
    check_truncations(p_ch, b.buf, n, ch_ext_offset(b.buf));
    check_trailing(p_ch, b.buf, n);
}

static void test_ch_new_extensions_duplicates(void)
{
    static hb b;
    const uint16_t types[] = {LT_EXT_SUPPORTED_GROUPS, LT_EXT_EC_POINT_FORMATS, LT_EXT_SIGNATURE_ALGORITHMS_CERT,
                              LT_EXT_ENCRYPT_THEN_MAC, LT_EXT_KEY_SHARE};
    const char *bodies[] = {"0002 001d", "01 00", "0002 0403", "", "0000"};
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        ch_start(&b);
        hb_ext(&b, types[i], bodies[i]);
        hb_ext(&b, LT_EXT_EXTENDED_MASTER_SECRET, "");
        hb_ext(&b, types[i], bodies[i]);
        size_t n = hb_end(&b);
        EXPECT_EQ(run(p_ch, b.buf, n), LT_ERR_ILLEGAL_PARAMETER);
    }
}

/* --- ClientHello: the largest legal ones -------------------------------- */

/* Writes `count` empty extensions of distinct types first, first+step, ...
 * (mod 2^16). */
static void put_empty_exts(lt_wr *w, uint32_t first, uint32_t step, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        lt_wr_u16(w, (uint16_t)(first + step * i));
        lt_wr_u16(w, 0);
    }
}

/* The ClientHello head (version, random, empty session_id, suites {009c},
 * null compression), then an extensions block of 16382 empty extensions
 * of unknown types and one with a 3-byte body: exactly 2^16-1 bytes. */
static size_t ch_max_unknown_exts(uint8_t *buf, size_t cap)
{
    lt_wr w = lt_wr_init(buf, cap);
    uint8_t head[64];
    size_t hn = lt_test_unhex("0303" RANDOM_HEX "00 0002 009c 0100", head, sizeof(head));
    lt_wr_bytes(&w, head, hn);
    size_t exts = lt_wr_open_vec(&w, 2);
    put_empty_exts(&w, 0x4000, 1, 16382);
    lt_wr_u16(&w, 0x0a0a); /* GREASE, with a body */
    lt_wr_u16(&w, 3);
    lt_wr_bytes(&w, "xyz", 3);
    lt_wr_close_vec(&w, exts, 2);
    EXPECT_EQ(lt_wr_finish(&w), LT_OK);
    EXPECT_EQ(w.off - exts - 2, 0xFFFF);
    return w.off;
}

static void test_ch_max_extensions_block_of_unknown_types(void)
{
    static uint8_t buf[BUF_CAP];
    size_t n = ch_max_unknown_exts(buf, sizeof(buf));
    lt_client_hello ch;
    EXPECT_EQ(lt_parse_client_hello(exact(buf, n), n, &ch), LT_OK);
    EXPECT_EQ(ch.ext_seen, 0);
    /* The most extensions a block can hold: 16383 empty ones (65532 bytes). */
    lt_wr w = lt_wr_init(buf, sizeof(buf));
    uint8_t head[64];
    size_t hn = lt_test_unhex("0303" RANDOM_HEX "00 0002 009c 0100", head, sizeof(head));
    lt_wr_bytes(&w, head, hn);
    size_t exts = lt_wr_open_vec(&w, 2);
    put_empty_exts(&w, 0x4000, 1, 16383);
    lt_wr_close_vec(&w, exts, 2);
    EXPECT_EQ(lt_wr_finish(&w), LT_OK);
    EXPECT_EQ(lt_parse_client_hello(exact(buf, w.off), w.off, &ch), LT_OK);
    /* The same with known extensions among them, the last one included. */
    w.off -= 8;
    lt_wr_u16(&w, LT_EXT_EXTENDED_MASTER_SECRET);
    lt_wr_u16(&w, 0);
    lt_wr_u16(&w, LT_EXT_ENCRYPT_THEN_MAC);
    lt_wr_u16(&w, 0);
    lt_wr_close_vec(&w, exts, 2);
    EXPECT_EQ(lt_wr_finish(&w), LT_OK);
    EXPECT_EQ(lt_parse_client_hello(exact(buf, w.off), w.off, &ch), LT_OK);
    EXPECT_EQ(ch.ext_seen, LT_SEEN_EMS | LT_SEEN_ETM);
    /* A 16384th extension would make the block 2^16 bytes, over
     * extensions<0..2^16-1>: the 2-byte length cannot say it, so the writer
     * refuses it. */
    put_empty_exts(&w, 0x0abc, 0, 1);
    lt_wr_close_vec(&w, exts, 2);
    EXPECT_EQ(lt_wr_finish(&w), LT_ERR_INTERNAL);
}

static void test_ch_duplicate_among_many(void)
{
    static uint8_t buf[BUF_CAP];
    uint8_t head[64];
    size_t hn = lt_test_unhex("0303" RANDOM_HEX "00 0002 009c 0100", head, sizeof(head));
    /* 10000 distinct unknown types spread over the whole 16-bit space (step
     * 6 visits every word of the bitmap), then one of them again: at the
     * end, in the middle, and right after itself. */
    const size_t where[] = {10000, 5000, 1};
    const size_t which[] = {0, 9999, 0};
    for (size_t k = 0; k < 3; k++) {
        lt_wr w = lt_wr_init(buf, sizeof(buf));
        lt_wr_bytes(&w, head, hn);
        size_t exts = lt_wr_open_vec(&w, 2);
        put_empty_exts(&w, 0x0100, 6, where[k]);
        put_empty_exts(&w, 0x0100 + 6 * which[k], 0, 1);
        put_empty_exts(&w, 0x0100 + 6 * where[k], 6, 10000 - where[k]);
        lt_wr_close_vec(&w, exts, 2);
        EXPECT_EQ(lt_wr_finish(&w), LT_OK);
        EXPECT_EQ(run(p_ch, buf, w.off), LT_ERR_ILLEGAL_PARAMETER);
    }
    /* Without the repeat: fine (types wrap around 0xFFFF and stay distinct). */
    lt_wr w = lt_wr_init(buf, sizeof(buf));
    lt_wr_bytes(&w, head, hn);
    size_t exts = lt_wr_open_vec(&w, 2);
    put_empty_exts(&w, 0x0100, 6, 10000);
    put_empty_exts(&w, 0xffff, 0, 1);
    lt_wr_close_vec(&w, exts, 2);
    EXPECT_EQ(lt_wr_finish(&w), LT_OK);
    EXPECT_EQ(run(p_ch, buf, w.off), LT_OK);
    /* The edges of the bitmap: 0x0000 / 0xFFFF, and the words around bit 64. */
    const uint16_t pairs[][2] = {{0x0000, 0x0000}, {0xffff, 0xffff}, {0x003f, 0x003f}, {0x0040, 0x0040}};
    const uint16_t distinct[] = {0x003f, 0x0040, 0x007f, 0x0080, 0xffbf, 0xffc0, 0xfffe, 0xffff, 0x0001};
    static hb b;
    for (size_t i = 0; i < 4; i++) {
        ch_start(&b);
        hb_ext(&b, pairs[i][0], pairs[i][0] == 0 ? "0004 00 0001 61" : "");
        hb_ext(&b, pairs[i][1], pairs[i][1] == 0 ? "0004 00 0001 62" : "");
        size_t n = hb_end(&b);
        EXPECT_EQ(run(p_ch, b.buf, n), LT_ERR_ILLEGAL_PARAMETER);
    }
    ch_start(&b);
    for (size_t i = 0; i < sizeof(distinct) / sizeof(distinct[0]); i++) {
        hb_ext(&b, distinct[i], "");
    }
    size_t n = hb_end(&b);
    EXPECT_EQ(run(p_ch, b.buf, n), LT_OK);
}

/* A ClientHello whose extensions block holds one extension with a uint16
 * list of `list_len` bytes of values first, first+1, ... */
static size_t ch_one_big_list(uint8_t *buf, size_t cap, uint16_t type, size_t list_len, uint16_t first)
{
    lt_wr w = lt_wr_init(buf, cap);
    uint8_t head[64];
    size_t hn = lt_test_unhex("0303" RANDOM_HEX "00 0002 009c 0100", head, sizeof(head));
    lt_wr_bytes(&w, head, hn);
    size_t exts = lt_wr_open_vec(&w, 2);
    lt_wr_u16(&w, type);
    size_t data = lt_wr_open_vec(&w, 2);
    size_t list = lt_wr_open_vec(&w, 2);
    for (size_t i = 0; i < list_len / 2; i++) {
        lt_wr_u16(&w, (uint16_t)(first + i));
    }
    lt_wr_close_vec(&w, list, 2);
    lt_wr_close_vec(&w, data, 2);
    lt_wr_close_vec(&w, exts, 2);
    EXPECT_EQ(lt_wr_finish(&w), LT_OK);
    return w.off;
}

static void test_ch_largest_lists(void)
{
    /* signature_algorithms is <2..2^16-2>, but a list inside an extension
     * inside a block of at most 2^16-1 bytes is at most 65535 - 4 - 2 =
     * 65529 bytes, so 65528 (32764 schemes) is the largest that can be
     * sent. It parses, whole, and every entry is found. */
    static uint8_t buf[BUF_CAP];
    const size_t max_list = 65528;
    size_t n = ch_one_big_list(buf, sizeof(buf), LT_EXT_SIGNATURE_ALGORITHMS, max_list, 0x0100);
    lt_client_hello ch;
    EXPECT_EQ(lt_parse_client_hello(exact(buf, n), n, &ch), LT_OK);
    EXPECT_EQ(ch.n_sigalgs, LT_MAX_SIGALGS);
    EXPECT_EQ(lt_rd_left(&ch.sigalgs_all), max_list);
    EXPECT(lt_u16_list_has(ch.sigalgs_all, (uint16_t)(0x0100 + max_list / 2 - 1)));
    EXPECT(!lt_u16_list_has(ch.sigalgs_all, (uint16_t)(0x0100 + max_list / 2)));
    /* The same for supported_groups and signature_algorithms_cert. */
    n = ch_one_big_list(buf, sizeof(buf), LT_EXT_SUPPORTED_GROUPS, max_list, 0x8000);
    EXPECT_EQ(lt_parse_client_hello(exact(buf, n), n, &ch), LT_OK);
    EXPECT_EQ(lt_rd_left(&ch.supported_groups), max_list);
    EXPECT(lt_u16_list_has(ch.supported_groups, (uint16_t)(0x8000 + max_list / 2 - 1)));
    n = ch_one_big_list(buf, sizeof(buf), LT_EXT_SIGNATURE_ALGORITHMS_CERT, max_list, 0x0200);
    EXPECT_EQ(lt_parse_client_hello(exact(buf, n), n, &ch), LT_OK);
    EXPECT_EQ(lt_rd_left(&ch.sigalgs_cert), max_list);
    /* A list that claims 2^16-2 bytes cannot fit its extension: it runs
     * past the extension_data, which is a decode error, not a read past the
     * end. */
    n = ch_one_big_list(buf, sizeof(buf), LT_EXT_SIGNATURE_ALGORITHMS, max_list, 0x0100);
    size_t list_len_at = ch_ext_offset(buf) + 2 + 4;
    buf[list_len_at] = 0xff;
    buf[list_len_at + 1] = 0xfe;
    EXPECT_EQ(run(p_ch, buf, n), LT_ERR_DECODE);
}

/* The suites of a ClientHello head: 32767 of them (2^16-2 bytes), with
 * both SCSVs and GREASE among them. */
static void put_max_suites(lt_wr *w)
{
    size_t suites = lt_wr_open_vec(w, 2);
    for (uint32_t i = 0; i < 0x7fff; i++) {
        uint16_t s = (uint16_t)(0xffff - i);
        if (i == 100) {
            s = LT_SCSV_RENEGOTIATION;
        } else if (i == 0x7ffe) {
            s = LT_SCSV_FALLBACK;
        }
        lt_wr_u16(w, s);
    }
    lt_wr_close_vec(w, suites, 2);
}

static void test_ch_max_cipher_suites(void)
{
    static uint8_t buf[BUF_CAP];
    uint8_t head[64];
    size_t hn = lt_test_unhex("0303" RANDOM_HEX "00", head, sizeof(head));
    lt_wr w = lt_wr_init(buf, sizeof(buf));
    lt_wr_bytes(&w, head, hn);
    put_max_suites(&w);
    lt_wr_u8(&w, 1);
    lt_wr_u8(&w, 0);
    EXPECT_EQ(lt_wr_finish(&w), LT_OK);
    lt_client_hello ch;
    EXPECT_EQ(lt_parse_client_hello(exact(buf, w.off), w.off, &ch), LT_OK);
    EXPECT_EQ(lt_rd_left(&ch.suites), 0xfffe);
    EXPECT_EQ(ch.has_scsv, 1);
    EXPECT_EQ(ch.has_fallback_scsv, 1);
    EXPECT(lt_u16_list_has(ch.suites, 0xfafa));
    /* 2^16-1 is odd, over the maximum and not a list of suites. */
    size_t at = hn;
    buf[at] = 0xff;
    buf[at + 1] = 0xff;
    EXPECT_EQ(run(p_ch, buf, w.off), LT_ERR_DECODE);
}

/* The largest ClientHello the syntax allows: a 32-byte session_id, 2^16-2
 * bytes of suites, 255 compression methods, a 2^16-1 extensions block with
 * the extensions we know and thousands we do not: 131396 bytes, which is
 * more than the handshake layer takes (2^17), and parses. */
static void test_ch_largest_legal(void)
{
    static uint8_t buf[BUF_CAP];
    lt_wr w = lt_wr_init(buf, sizeof(buf));
    lt_wr_u16(&w, 0x0303);
    for (int i = 0; i < LT_RANDOM_LEN; i++) {
        lt_wr_u8(&w, (uint8_t)i);
    }
    lt_wr_u8(&w, 32);
    for (int i = 0; i < 32; i++) {
        lt_wr_u8(&w, (uint8_t)(0xc0 + i));
    }
    put_max_suites(&w);
    lt_wr_u8(&w, 255);
    for (int i = 255; i > 0; i--) {
        lt_wr_u8(&w, (uint8_t)(i - 1)); /* null last */
    }
    size_t exts = lt_wr_open_vec(&w, 2);
    uint8_t known[256];
    size_t kn = lt_test_unhex("0000 000e 000c 00 0009 6c6f63616c686f7374" /* server_name "localhost" */
                              " 000a 0006 0004 001d 0017"                 /* supported_groups */
                              " 000b 0002 0100"                           /* ec_point_formats */
                              " 000d 0006 0004 0804 0403"                 /* signature_algorithms */
                              " 0016 0000 0017 0000"                      /* encrypt_then_mac, EMS */
                              " ff01 0001 00",                            /* renegotiation_info */
                              known, sizeof(known));
    lt_wr_bytes(&w, known, kn);
    /* Fill the block to exactly 2^16-1 with empty unknown extensions, and one
     * whose body takes up the rest. */
    size_t left = 0xFFFF - kn;
    size_t count = left / 4 - 1;
    put_empty_exts(&w, 0x4000, 1, count);
    left -= 4 * count;
    lt_wr_u16(&w, 0xeaea);
    lt_wr_u16(&w, (uint16_t)(left - 4));
    for (size_t i = 0; i < left - 4; i++) {
        lt_wr_u8(&w, 0xee);
    }
    lt_wr_close_vec(&w, exts, 2);
    EXPECT_EQ(lt_wr_finish(&w), LT_OK);
    EXPECT_EQ(w.off, 131396);
    EXPECT_EQ(w.off - exts - 2, 0xFFFF);
    lt_client_hello ch;
    EXPECT_EQ(lt_parse_client_hello(exact(buf, w.off), w.off, &ch), LT_OK);
    EXPECT_EQ(ch.session_id_len, 32);
    EXPECT_EQ(ch.session_id[31], 0xdf);
    EXPECT_EQ(lt_rd_left(&ch.suites), 0xfffe);
    EXPECT_EQ(lt_rd_left(&ch.compressions), 255);
    EXPECT_EQ(ch.has_null_compression, 1);
    EXPECT_EQ(ch.has_scsv, 1);
    EXPECT_EQ(ch.ext_seen, LT_SEEN_SNI | LT_SEEN_GROUPS | LT_SEEN_POINT_FORMATS | LT_SEEN_SIGALGS | LT_SEEN_ETM |
                               LT_SEEN_EMS | LT_SEEN_RENEG);
    EXPECT(strcmp(ch.sni, "localhost") == 0);
    /* Cut anywhere inside the extensions block: decode_error (a few cuts;
     * every cut of a 131 KB message would be slow under valgrind). */
    const size_t cuts[] = {w.off - 1, w.off - (left - 4), exts + 3, exts + 2 + kn + 2, exts + 1};
    for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
        EXPECT_EQ(run(p_ch, buf, cuts[i]), LT_ERR_DECODE);
    }
    /* Right before the block: a ClientHello without extensions. */
    EXPECT_EQ(run(p_ch, buf, exts), LT_OK);
}

/* A ClientHello larger than one record (2^14 bytes of plaintext) parses:
 * the handshake layer reassembles messages of up to 2^17 bytes (RFC 5246
 * 6.2.1: a message may span records). Here 600 suites, 3000 unknown
 * extensions and a 4000-byte unknown body: 17279 bytes. */
static void test_ch_larger_than_a_record(void)
{
    static uint8_t buf[BUF_CAP];
    lt_wr w = lt_wr_init(buf, sizeof(buf));
    uint8_t head[64];
    size_t hn = lt_test_unhex("0303" RANDOM_HEX "00", head, sizeof(head));
    lt_wr_bytes(&w, head, hn);
    size_t suites = lt_wr_open_vec(&w, 2);
    for (uint16_t i = 0; i < 600; i++) {
        lt_wr_u16(&w, (uint16_t)(0x1000 + i));
    }
    lt_wr_u16(&w, 0xc02f);
    lt_wr_close_vec(&w, suites, 2);
    lt_wr_u8(&w, 1);
    lt_wr_u8(&w, 0);
    size_t exts = lt_wr_open_vec(&w, 2);
    put_empty_exts(&w, 0x2000, 3, 3000);
    lt_wr_u16(&w, 0xbaba);
    lt_wr_u16(&w, 4000);
    for (int i = 0; i < 4000; i++) {
        lt_wr_u8(&w, (uint8_t)i);
    }
    lt_wr_u16(&w, LT_EXT_SUPPORTED_GROUPS);
    lt_wr_u16(&w, 4);
    lt_wr_u16(&w, 2);
    lt_wr_u16(&w, 0x0017);
    lt_wr_close_vec(&w, exts, 2);
    EXPECT_EQ(lt_wr_finish(&w), LT_OK);
    EXPECT(w.off > 16384);
    lt_client_hello ch;
    EXPECT_EQ(lt_parse_client_hello(exact(buf, w.off), w.off, &ch), LT_OK);
    EXPECT(lt_u16_list_has(ch.suites, 0xc02f));
    EXPECT_EQ(ch.ext_seen, LT_SEEN_GROUPS);
    EXPECT(lt_u16_list_has(ch.supported_groups, 0x0017));
    check_trailing(p_ch, buf, w.off);
}

/* --- ClientHello writer: the new parameters ----------------------------- */

static void test_ch_write_new_extensions_exact(void)
{
    static const uint16_t suites[] = {0xc02f};
    static const uint16_t groups[] = {0x001d, 0x0017};
    static const uint16_t cert_algs[] = {0x0403};
    uint8_t random[LT_RANDOM_LEN];
    for (int i = 0; i < LT_RANDOM_LEN; i++) {
        random[i] = (uint8_t)i;
    }
    lt_client_hello_params p;
    memset(&p, 0, sizeof(p));
    p.client_version = 0x0303;
    p.random = random;
    p.suites = suites;
    p.n_suites = 1;
    p.add_scsv = 1;
    p.fallback_scsv = 1;
    p.groups = groups;
    p.n_groups = 2;
    p.ec_point_formats = 1;
    p.etm = 1;
    p.sigalgs_cert = cert_algs;
    p.n_sigalgs_cert = 1;
    uint8_t want[256], buf[256];
    size_t wn = lt_test_unhex("01 00004b 0303" RANDOM_HEX "00 0006 c02f 00ff 5600 01 00 001c"
                              " 000a 0006 0004 001d 0017" /* supported_groups */
                              " 000b 0002 01 00"          /* ec_point_formats {uncompressed} */
                              " 0032 0004 0002 0403"      /* signature_algorithms_cert */
                              " 0016 0000",               /* encrypt_then_mac */
                              want, sizeof(want));
    lt_wr w = lt_wr_init(buf, sizeof(buf));
    lt_write_client_hello(&w, &p);
    EXPECT_EQ(lt_wr_finish(&w), LT_OK);
    EXPECT_EQ(w.off, wn);
    EXPECT_MEM(buf, want, wn);

    lt_client_hello ch;
    EXPECT_EQ(lt_parse_client_hello(exact(buf + 4, w.off - 4), w.off - 4, &ch), LT_OK);
    EXPECT_EQ(ch.has_scsv, 1);
    EXPECT_EQ(ch.has_fallback_scsv, 1);
    EXPECT_EQ(ch.ext_seen, LT_SEEN_GROUPS | LT_SEEN_POINT_FORMATS | LT_SEEN_SIGALGS_CERT | LT_SEEN_ETM);
    EXPECT_EQ(lt_rd_left(&ch.supported_groups), 4);
    EXPECT_EQ(ch.has_uncompressed_point, 1);
    EXPECT(lt_u16_list_has(ch.sigalgs_cert, 0x0403));
    EXPECT_EQ(ch.encrypt_then_mac, 1);

    /* The fallback SCSV alone is a non-empty list. */
    p.n_suites = 0;
    p.suites = NULL;
    p.add_scsv = 0;
    w = lt_wr_init(buf, sizeof(buf));
    lt_write_client_hello(&w, &p);
    size_t n = written_body(&w, LT_HS_CLIENT_HELLO);
    EXPECT_EQ(lt_parse_client_hello(exact(buf + 4, n), n, &ch), LT_OK);
    EXPECT_EQ(lt_rd_left(&ch.suites), 2);
    EXPECT_EQ(ch.has_fallback_scsv, 1);
}

static void test_ch_writer_new_params_rejected(void)
{
    static const uint16_t one[] = {0x001d};
    static uint16_t many[0x8000];
    static uint8_t buf[BUF_CAP];
    uint8_t random[LT_RANDOM_LEN];
    lt_client_hello_params p;
    lt_wr w;
    /* A count without a pointer. */
    full_ch_params(&p, random);
    p.n_groups = 1;
    w = lt_wr_init(buf, sizeof(buf));
    lt_write_client_hello(&w, &p);
    EXPECT_EQ(lt_wr_finish(&w), LT_ERR_INTERNAL);
    full_ch_params(&p, random);
    p.n_sigalgs_cert = 1;
    w = lt_wr_init(buf, sizeof(buf));
    lt_write_client_hello(&w, &p);
    EXPECT_EQ(lt_wr_finish(&w), LT_ERR_INTERNAL);
    /* A pointer without a count sends nothing. */
    full_ch_params(&p, random);
    p.groups = one;
    p.sigalgs_cert = one;
    w = lt_wr_init(buf, sizeof(buf));
    lt_write_client_hello(&w, &p);
    size_t n = written_body(&w, LT_HS_CLIENT_HELLO);
    lt_client_hello ch;
    EXPECT_EQ(lt_parse_client_hello(exact(buf + 4, n), n, &ch), LT_OK);
    EXPECT_EQ(ch.ext_seen & (LT_SEEN_GROUPS | LT_SEEN_SIGALGS_CERT), 0);
    /* 32768 groups do not fit a 2-byte list length. */
    full_ch_params(&p, random);
    p.groups = many;
    p.n_groups = 0x8000;
    w = lt_wr_init(buf, sizeof(buf));
    lt_write_client_hello(&w, &p);
    EXPECT_EQ(lt_wr_finish(&w), LT_ERR_INTERNAL);
    /* Every smaller capacity fails and stays inside the buffer. */
    full_ch_params(&p, random);
    p.groups = one;
    p.n_groups = 1;
    p.ec_point_formats = 1;
    p.etm = 1;
    p.fallback_scsv = 1;
    p.sigalgs_cert = one;
    p.n_sigalgs_cert = 1;
    w = lt_wr_init(buf, sizeof(buf));
    lt_write_client_hello(&w, &p);
    size_t need = w.off;
    EXPECT_EQ(lt_wr_finish(&w), LT_OK);
    for (size_t cap = need - 30; cap < need; cap++) {
        uint8_t *small = malloc(cap);
        lt_wr sw = lt_wr_init(small, cap);
        lt_write_client_hello(&sw, &p);
        EXPECT(lt_wr_finish(&sw) != LT_OK);
        EXPECT(sw.off <= cap);
        free(small);
    }
}

/* --- ServerHello: ec_point_formats and encrypt_then_mac ----------------- */

static void test_sh_real_openssl_etm(void)
{
    static uint8_t buf[BUF_CAP];
    lt_server_hello sh;
    size_t n = real_body(REAL_SH_ETM, buf, LT_HS_SERVER_HELLO);
    EXPECT_EQ(lt_parse_server_hello(exact(buf + 4, n), n, &sh), LT_OK);
    EXPECT_EQ(sh.cipher_suite, 0xc027);
    EXPECT_EQ(sh.ext_seen, LT_SEEN_RENEG | LT_SEEN_POINT_FORMATS | LT_SEEN_TICKET | LT_SEEN_ETM | LT_SEEN_EMS);
    EXPECT_EQ(sh.encrypt_then_mac, 1);
    EXPECT_EQ(sh.has_uncompressed_point, 1);
    EXPECT_EQ(lt_rd_left(&sh.ec_point_formats), 3);
    EXPECT_EQ(sh.has_unknown_ext, 0);
    check_truncations(p_sh, buf + 4, n, sh_ext_offset(buf + 4));
    check_trailing(p_sh, buf + 4, n);
}

static void test_sh_ec_point_formats_and_etm(void)
{
    lt_server_hello sh;
    EXPECT_EQ(sh_one_ext(LT_EXT_EC_POINT_FORMATS, "01 00", &sh), LT_OK);
    EXPECT_EQ(sh.ext_seen, LT_SEEN_POINT_FORMATS);
    EXPECT_EQ(sh.has_uncompressed_point, 1);
    EXPECT_EQ(sh.has_unknown_ext, 0);
    /* RFC 8422 5.2: the server's list "MUST contain the value 0"; that it
     * does not is reported, the client decides. */
    EXPECT_EQ(sh_one_ext(LT_EXT_EC_POINT_FORMATS, "01 01", &sh), LT_OK);
    EXPECT_EQ(sh.has_uncompressed_point, 0);
    const char *bad_formats[] = {"", "00", "02 00", "01 00 00"};
    for (size_t i = 0; i < sizeof(bad_formats) / sizeof(bad_formats[0]); i++) {
        EXPECT_EQ(sh_one_ext(LT_EXT_EC_POINT_FORMATS, bad_formats[i], &sh), LT_ERR_DECODE);
    }
    EXPECT_EQ(sh_one_ext(LT_EXT_ENCRYPT_THEN_MAC, "", &sh), LT_OK);
    EXPECT_EQ(sh.ext_seen, LT_SEEN_ETM);
    EXPECT_EQ(sh.encrypt_then_mac, 1);
    EXPECT_EQ(sh.has_unknown_ext, 0);
    /* RFC 7366 2: empty. */
    EXPECT_EQ(sh_one_ext(LT_EXT_ENCRYPT_THEN_MAC, "00", &sh), LT_ERR_DECODE);
    /* supported_groups is not a TLS 1.2 ServerHello extension: unknown. */
    EXPECT_EQ(sh_one_ext(LT_EXT_SUPPORTED_GROUPS, "0002 001d", &sh), LT_OK);
    EXPECT_EQ(sh.has_unknown_ext, 1);
    EXPECT_EQ(sh.unknown_ext, LT_EXT_SUPPORTED_GROUPS);
    /* Duplicates. */
    static hb b;
    const uint16_t types[] = {LT_EXT_EC_POINT_FORMATS, LT_EXT_ENCRYPT_THEN_MAC};
    const char *bodies[] = {"01 00", ""};
    for (size_t i = 0; i < 2; i++) {
        sh_start(&b);
        hb_ext(&b, types[i], bodies[i]);
        hb_ext(&b, types[i], bodies[i]);
        size_t n = hb_end(&b);
        EXPECT_EQ(run(p_sh, b.buf, n), LT_ERR_ILLEGAL_PARAMETER);
    }
}

static void test_sh_write_etm_and_point_formats(void)
{
    uint8_t random[LT_RANDOM_LEN], buf[256], want[256];
    for (int i = 0; i < LT_RANDOM_LEN; i++) {
        random[i] = (uint8_t)i;
    }
    lt_server_hello_params p;
    memset(&p, 0, sizeof(p));
    p.server_version = 0x0303;
    p.random = random;
    p.cipher_suite = 0xc027;
    p.etm = 1;
    p.ec_point_formats = 1;
    size_t wn = lt_test_unhex("02 000032 0303" RANDOM_HEX "00 c027 00 000a"
                              " 000b 0002 01 00" /* ec_point_formats {uncompressed} */
                              " 0016 0000",      /* encrypt_then_mac */
                              want, sizeof(want));
    lt_wr w = lt_wr_init(buf, sizeof(buf));
    lt_write_server_hello(&w, &p);
    EXPECT_EQ(lt_wr_finish(&w), LT_OK);
    EXPECT_EQ(w.off, wn);
    EXPECT_MEM(buf, want, wn);
    lt_server_hello sh;
    EXPECT_EQ(lt_parse_server_hello(exact(buf + 4, w.off - 4), w.off - 4, &sh), LT_OK);
    EXPECT_EQ(sh.ext_seen, LT_SEEN_POINT_FORMATS | LT_SEEN_ETM);
    EXPECT_EQ(sh.encrypt_then_mac, 1);
    EXPECT_EQ(sh.has_uncompressed_point, 1);
    /* With everything else too, in a buffer one byte short of each size. */
    p.ems = 1;
    p.reneg_info = 1;
    p.sni_ack = 1;
    w = lt_wr_init(buf, sizeof(buf));
    lt_write_server_hello(&w, &p);
    size_t n = written_body(&w, LT_HS_SERVER_HELLO);
    EXPECT_EQ(lt_parse_server_hello(exact(buf + 4, n), n, &sh), LT_OK);
    EXPECT_EQ(sh.ext_seen, LT_SEEN_POINT_FORMATS | LT_SEEN_ETM | LT_SEEN_EMS | LT_SEEN_RENEG | LT_SEEN_SNI);
    for (size_t cap = 0; cap < n + 4; cap++) {
        uint8_t *small = malloc(cap > 0 ? cap : 1);
        lt_wr sw = lt_wr_init(small, cap);
        lt_write_server_hello(&sw, &p);
        EXPECT(lt_wr_finish(&sw) != LT_OK);
        EXPECT(sw.off <= cap);
        free(small);
    }
}

/* --- ECDHE ServerKeyExchange -------------------------------------------- */

static int p_ske(const uint8_t *b, size_t n)
{
    lt_server_key_exchange_ecdhe ske;
    return lt_parse_server_key_exchange_ecdhe(b, n, &ske);
}
static int p_cke_ecdhe(const uint8_t *b, size_t n)
{
    lt_rd point;
    return lt_parse_client_key_exchange_ecdhe(b, n, &point);
}

static void test_ske_real_openssl(void)
{
    static uint8_t buf[BUF_CAP];
    lt_server_key_exchange_ecdhe ske;
    size_t n = real_body(REAL_SKE_ECDSA_P256, buf, LT_HS_SERVER_KEY_EXCHANGE);
    EXPECT_EQ(lt_parse_server_key_exchange_ecdhe(exact(buf + 4, n), n, &ske), LT_OK);
    EXPECT_EQ(ske.group, 0x0017);
    EXPECT_EQ(lt_rd_left(&ske.point), 65);
    EXPECT(ske.point.p == g_exact + 4);
    EXPECT_EQ(ske.point.p[0], 0x04);
    EXPECT(ske.params == g_exact);
    EXPECT_EQ(ske.params_len, 4 + 65);
    EXPECT_EQ(ske.sig_scheme, 0x0403);
    EXPECT_EQ(lt_rd_left(&ske.signature), 70);
    EXPECT(ske.signature.p == g_exact + 4 + 65 + 4);
    EXPECT_EQ(ske.signature.p[0], 0x30);
    check_truncations(p_ske, buf + 4, n, (size_t)-1);
    check_trailing(p_ske, buf + 4, n);

    n = real_body(REAL_SKE_RSA_X25519, buf, LT_HS_SERVER_KEY_EXCHANGE);
    EXPECT_EQ(lt_parse_server_key_exchange_ecdhe(exact(buf + 4, n), n, &ske), LT_OK);
    EXPECT_EQ(ske.group, 0x001d);
    EXPECT_EQ(lt_rd_left(&ske.point), 32);
    EXPECT_EQ(ske.params_len, 36);
    EXPECT_EQ(ske.sig_scheme, 0x0804);
    EXPECT_EQ(lt_rd_left(&ske.signature), 256);
    check_truncations(p_ske, buf + 4, n, (size_t)-1);
    check_trailing(p_ske, buf + 4, n);
}

static void test_ske_malformed(void)
{
    uint8_t buf[600];
    size_t n;
    lt_server_key_exchange_ecdhe ske;
    /* RFC 8422 5.4: named_curve(3) only. The deprecated explicit curves (1,
     * 2), reserved and unassigned types are refused as a bad value, even
     * when nothing follows (we cannot know what would). */
    const char *types[] = {"01 0017 01 04 0403 0000", "02", "00 001d 01 09 0804 0000",
                           "04 001d 01 09 0804 0000", "f8", "ff 0017"};
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        n = lt_test_unhex(types[i], buf, sizeof(buf));
        EXPECT_EQ(run(p_ske, buf, n), LT_ERR_ILLEGAL_PARAMETER);
    }
    /* ECPoint.point<1..2^8-1>: empty is a decode error; so are a point or a
     * signature longer than what follows, a missing signature and a
     * missing scheme. */
    const char *bad[] = {"",
                         "03",
                         "03 00",
                         "03 001d",
                         "03 001d 00 0804 0000",
                         "03 001d 02 09 0804 0000",
                         "03 001d 01 09",
                         "03 001d 01 09 08",
                         "03 001d 01 09 0804",
                         "03 001d 01 09 0804 00",
                         "03 001d 01 09 0804 0002 aa",
                         "03 001d 01 09 0804 0001 aa bb"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        n = lt_test_unhex(bad[i], buf, sizeof(buf));
        EXPECT_EQ(run(p_ske, buf, n), LT_ERR_DECODE);
    }
    /* An empty signature is well-formed (opaque<0..2^16-1>); the verifier
     * rejects it. GREASE and unknown groups and schemes parse. */
    n = lt_test_unhex("03 0a0a 01 09 1a1a 0000", buf, sizeof(buf));
    EXPECT_EQ(lt_parse_server_key_exchange_ecdhe(exact(buf, n), n, &ske), LT_OK);
    EXPECT_EQ(ske.group, 0x0a0a);
    EXPECT_EQ(ske.sig_scheme, 0x1a1a);
    EXPECT_EQ(lt_rd_left(&ske.signature), 0);
    EXPECT_EQ(ske.params_len, 5);
    /* The longest point: 255 bytes. */
    n = 0;
    buf[n++] = 3;
    buf[n++] = 0;
    buf[n++] = 0x19;
    buf[n++] = 255;
    memset(buf + n, 0x04, 255);
    n += 255;
    buf[n++] = 0x06;
    buf[n++] = 0x03;
    buf[n++] = 0;
    buf[n++] = 1;
    buf[n++] = 0x30;
    EXPECT_EQ(lt_parse_server_key_exchange_ecdhe(exact(buf, n), n, &ske), LT_OK);
    EXPECT_EQ(lt_rd_left(&ske.point), 255);
    EXPECT_EQ(ske.params_len, 259);
    EXPECT_EQ(lt_rd_left(&ske.signature), 1);
    /* The struct is reset on failure: nothing from the last parse is left. */
    n = lt_test_unhex("03 001d 00", buf, sizeof(buf));
    EXPECT_EQ(lt_parse_server_key_exchange_ecdhe(exact(buf, n), n, &ske), LT_ERR_DECODE);
    EXPECT_EQ(ske.sig_scheme, 0);
    EXPECT_EQ(lt_rd_left(&ske.signature), 0);
}

static void test_ske_largest_signature(void)
{
    /* signature<0..2^16-1>: 65535 bytes parse. */
    static uint8_t buf[BUF_CAP];
    uint8_t point[65];
    memset(point, 0x04, sizeof(point));
    lt_wr w = lt_wr_init(buf, sizeof(buf));
    size_t m = lt_write_server_key_exchange_ecdhe_params(&w, 0x0017, point, sizeof(point));
    static uint8_t sig[0x10000];
    memset(sig, 0x5a, sizeof(sig));
    lt_write_server_key_exchange_signature(&w, m, 0x0401, sig, 0xFFFF);
    size_t n = written_body(&w, LT_HS_SERVER_KEY_EXCHANGE);
    lt_server_key_exchange_ecdhe ske;
    EXPECT_EQ(lt_parse_server_key_exchange_ecdhe(exact(buf + 4, n), n, &ske), LT_OK);
    EXPECT_EQ(lt_rd_left(&ske.signature), 0xFFFF);
    /* 2^16 bytes cannot be written. */
    w = lt_wr_init(buf, sizeof(buf));
    m = lt_write_server_key_exchange_ecdhe_params(&w, 0x0017, point, sizeof(point));
    lt_write_server_key_exchange_signature(&w, m, 0x0401, sig, 0x10000);
    EXPECT_EQ(lt_wr_finish(&w), LT_ERR_INTERNAL);
}

static void test_ske_write_roundtrip(void)
{
    uint8_t point[32], sig[72], buf[512], want[512];
    for (int i = 0; i < 32; i++) {
        point[i] = (uint8_t)(0x20 + i);
    }
    for (int i = 0; i < 72; i++) {
        sig[i] = (uint8_t)(0x80 + i);
    }
    lt_wr w = lt_wr_init(buf, sizeof(buf));
    size_t m = lt_write_server_key_exchange_ecdhe_params(&w, 0x001d, point, sizeof(point));
    EXPECT_EQ(m, 1);
    size_t params_len = 0;
    const uint8_t *params = lt_server_key_exchange_params(&w, m, &params_len);
    /* The params are in the writer's buffer, right after the header. */
    EXPECT(params == buf + 4);
    EXPECT_EQ(params_len, 36);
    lt_write_server_key_exchange_signature(&w, m, 0x0403, sig, sizeof(sig));
    size_t n = written_body(&w, LT_HS_SERVER_KEY_EXCHANGE);
    EXPECT_EQ(n, 36 + 4 + 72);
    /* Exact bytes: 03 001d 20 <point> 0403 0048 <sig>. */
    size_t wn = lt_test_unhex("0c 000070 03 001d 20", want, sizeof(want));
    memcpy(want + wn, point, 32);
    wn += 32;
    wn += lt_test_unhex("0403 0048", want + wn, sizeof(want) - wn);
    memcpy(want + wn, sig, 72);
    wn += 72;
    EXPECT_EQ(w.off, wn);
    EXPECT_MEM(buf, want, wn);

    lt_server_key_exchange_ecdhe ske;
    EXPECT_EQ(lt_parse_server_key_exchange_ecdhe(exact(buf + 4, n), n, &ske), LT_OK);
    EXPECT_EQ(ske.group, 0x001d);
    EXPECT_EQ(lt_rd_left(&ske.point), 32);
    EXPECT_MEM(ske.point.p, point, 32);
    EXPECT_EQ(ske.params_len, params_len);
    EXPECT_MEM(ske.params, buf + 4, params_len);
    EXPECT_EQ(ske.sig_scheme, 0x0403);
    EXPECT_EQ(lt_rd_left(&ske.signature), 72);
    EXPECT_MEM(ske.signature.p, sig, 72);

    /* After other output in the same writer: the mark and the params still
     * point at this message. */
    w = lt_wr_init(buf, sizeof(buf));
    lt_write_empty(&w, LT_HS_SERVER_HELLO_DONE);
    m = lt_write_server_key_exchange_ecdhe_params(&w, 0x0017, point, 1);
    params = lt_server_key_exchange_params(&w, m, &params_len);
    EXPECT(params == buf + 8);
    EXPECT_EQ(params_len, 5);
    lt_write_server_key_exchange_signature(&w, m, 0x0804, NULL, 0);
    EXPECT_EQ(lt_wr_finish(&w), LT_OK);
    EXPECT_EQ(w.off, 4 + 4 + 5 + 4);
    EXPECT_EQ(buf[4], LT_HS_SERVER_KEY_EXCHANGE);
    EXPECT_EQ(buf[7], 9);
    EXPECT_EQ(lt_parse_server_key_exchange_ecdhe(exact(buf + 8, 9), 9, &ske), LT_OK);
    EXPECT_EQ(lt_rd_left(&ske.signature), 0);
}

static void test_ske_writer_rejects(void)
{
    uint8_t point[256], buf[1024];
    memset(point, 4, sizeof(point));
    size_t len = 0;
    /* ECPoint.point<1..2^8-1>: empty, 256 bytes, NULL. */
    const size_t lens[] = {0, 256, 5};
    const uint8_t *ptrs[] = {point, point, NULL};
    for (size_t i = 0; i < 3; i++) {
        lt_wr w = lt_wr_init(buf, sizeof(buf));
        size_t m = lt_write_server_key_exchange_ecdhe_params(&w, 0x0017, ptrs[i], lens[i]);
        EXPECT_EQ(lt_wr_finish(&w), LT_ERR_INTERNAL);
        EXPECT(lt_server_key_exchange_params(&w, m, &len) == NULL);
        EXPECT_EQ(len, 0);
        lt_write_server_key_exchange_signature(&w, m, 0x0403, point, 8);
        EXPECT_EQ(lt_wr_finish(&w), LT_ERR_INTERNAL);
    }
    /* A signature length without bytes. */
    lt_wr w = lt_wr_init(buf, sizeof(buf));
    size_t m = lt_write_server_key_exchange_ecdhe_params(&w, 0x0017, point, 65);
    lt_write_server_key_exchange_signature(&w, m, 0x0403, NULL, 8);
    EXPECT_EQ(lt_wr_finish(&w), LT_ERR_INTERNAL);
    /* Every capacity short of the message fails inside the buffer, and the
     * params accessor says so. */
    w = lt_wr_init(buf, sizeof(buf));
    m = lt_write_server_key_exchange_ecdhe_params(&w, 0x0017, point, 65);
    lt_write_server_key_exchange_signature(&w, m, 0x0403, point, 70);
    EXPECT_EQ(lt_wr_finish(&w), LT_OK);
    size_t need = w.off;
    for (size_t cap = 0; cap < need; cap++) {
        uint8_t *small = malloc(cap > 0 ? cap : 1);
        lt_wr sw = lt_wr_init(small, cap);
        size_t sm = lt_write_server_key_exchange_ecdhe_params(&sw, 0x0017, point, 65);
        const uint8_t *params = lt_server_key_exchange_params(&sw, sm, &len);
        EXPECT((params == NULL) == (cap < 4 + 69));
        lt_write_server_key_exchange_signature(&sw, sm, 0x0403, point, 70);
        EXPECT(lt_wr_finish(&sw) != LT_OK);
        EXPECT(sw.off <= cap);
        free(small);
    }
}

/* --- ECDHE ClientKeyExchange -------------------------------------------- */

static void test_cke_ecdhe_real_openssl(void)
{
    static uint8_t buf[BUF_CAP];
    lt_rd point;
    size_t n = real_body(REAL_CKE_ECDHE_P256, buf, LT_HS_CLIENT_KEY_EXCHANGE);
    EXPECT_EQ(lt_parse_client_key_exchange_ecdhe(exact(buf + 4, n), n, &point), LT_OK);
    EXPECT_EQ(lt_rd_left(&point), 65);
    EXPECT(point.p == g_exact + 1);
    EXPECT_EQ(point.p[0], 0x04);
    check_truncations(p_cke_ecdhe, buf + 4, n, (size_t)-1);
    check_trailing(p_cke_ecdhe, buf + 4, n);
    n = real_body(REAL_CKE_ECDHE_X25519, buf, LT_HS_CLIENT_KEY_EXCHANGE);
    EXPECT_EQ(lt_parse_client_key_exchange_ecdhe(exact(buf + 4, n), n, &point), LT_OK);
    EXPECT_EQ(lt_rd_left(&point), 32);
    check_truncations(p_cke_ecdhe, buf + 4, n, (size_t)-1);
    check_trailing(p_cke_ecdhe, buf + 4, n);
    /* An RSA ClientKeyExchange is not an ECDHE one (its 2-byte length reads
     * as a 1-byte length followed by trailing bytes). */
    n = real_body(REAL_CKE_RSA, buf, LT_HS_CLIENT_KEY_EXCHANGE);
    EXPECT_EQ(run(p_cke_ecdhe, buf + 4, n), LT_ERR_DECODE);
}

static void test_cke_ecdhe_roundtrip_and_lengths(void)
{
    uint8_t point[256], buf[300];
    for (int i = 0; i < 256; i++) {
        point[i] = (uint8_t)i;
    }
    const size_t ok_lens[] = {1, 32, 65, 97, 133, 255};
    for (size_t i = 0; i < sizeof(ok_lens) / sizeof(ok_lens[0]); i++) {
        lt_wr w = lt_wr_init(buf, sizeof(buf));
        lt_write_client_key_exchange_ecdhe(&w, point, ok_lens[i]);
        size_t n = written_body(&w, LT_HS_CLIENT_KEY_EXCHANGE);
        EXPECT_EQ(n, 1 + ok_lens[i]);
        EXPECT_EQ(buf[4], ok_lens[i]);
        lt_rd got;
        EXPECT_EQ(lt_parse_client_key_exchange_ecdhe(exact(buf + 4, n), n, &got), LT_OK);
        EXPECT_EQ(lt_rd_left(&got), ok_lens[i]);
        EXPECT_MEM(got.p, point, ok_lens[i]);
    }
    /* The writer refuses what the parser would: empty, over 255, NULL. */
    const size_t bad_lens[] = {0, 256, 4};
    const uint8_t *ptrs[] = {point, point, NULL};
    for (size_t i = 0; i < 3; i++) {
        lt_wr w = lt_wr_init(buf, sizeof(buf));
        lt_write_client_key_exchange_ecdhe(&w, ptrs[i], bad_lens[i]);
        EXPECT_EQ(lt_wr_finish(&w), LT_ERR_INTERNAL);
    }
    /* Short capacities. */
    for (size_t cap = 0; cap < 4 + 1 + 65; cap++) {
        uint8_t *small = malloc(cap > 0 ? cap : 1);
        lt_wr w = lt_wr_init(small, cap);
        lt_write_client_key_exchange_ecdhe(&w, point, 65);
        EXPECT(lt_wr_finish(&w) != LT_OK);
        EXPECT(w.off <= cap);
        free(small);
    }
    /* Parser: empty body, empty point (the deprecated implicit encoding),
     * a point length past the end, trailing bytes. */
    const char *bad[] = {"", "00", "02 04", "01 04 00", "ff 04"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        size_t n = lt_test_unhex(bad[i], buf, sizeof(buf));
        EXPECT_EQ(run(p_cke_ecdhe, buf, n), LT_ERR_DECODE);
    }
}

/* --- CertificateRequest: the largest list ------------------------------- */

static void test_certificate_request_largest_sigalgs(void)
{
    /* supported_signature_algorithms<2^16-1> holds up to 2^16-2 bytes of
     * pairs (32767 of them), which a CertificateRequest (a 2^24-1 message)
     * can carry whole. */
    static uint8_t buf[BUF_CAP];
    lt_wr w = lt_wr_init(buf, sizeof(buf));
    lt_wr_u8(&w, 1);
    lt_wr_u8(&w, 64);
    size_t v = lt_wr_open_vec(&w, 2);
    for (uint32_t i = 0; i < 0x7fff; i++) {
        lt_wr_u16(&w, (uint16_t)i);
    }
    lt_wr_close_vec(&w, v, 2);
    lt_wr_u16(&w, 0);
    EXPECT_EQ(lt_wr_finish(&w), LT_OK);
    lt_certificate_request cr;
    EXPECT_EQ(lt_parse_certificate_request(exact(buf, w.off), w.off, &cr), LT_OK);
    EXPECT_EQ(lt_rd_left(&cr.sigalgs), 0xfffe);
    EXPECT(lt_u16_list_has(cr.sigalgs, 0x7ffe));
    EXPECT(!lt_u16_list_has(cr.sigalgs, 0x7fff));
}

int main(void)
{
    LT_RUN(test_certificate_request);
    LT_RUN(test_type_names);
    LT_RUN(test_hs_header_backpatch);
    LT_RUN(test_ch_real_openssl_ecdhe);
    LT_RUN(test_ch_real_openssl_rsa);
    LT_RUN(test_ch_write_exact_bytes);
    LT_RUN(test_ch_roundtrip_full);
    LT_RUN(test_ch_roundtrip_scsv_no_extensions);
    LT_RUN(test_ch_struct_is_reset);
    LT_RUN(test_ch_truncations);
    LT_RUN(test_ch_trailing_bytes);
    LT_RUN(test_ch_extensions_block_presence);
    LT_RUN(test_ch_session_id);
    LT_RUN(test_ch_cipher_suites_bounds);
    LT_RUN(test_ch_compression_methods);
    LT_RUN(test_ch_duplicate_known_extension);
    LT_RUN(test_ch_duplicate_unknown_extension);
    LT_RUN(test_ch_error_precedence);
    LT_RUN(test_ch_extension_count_no_cap);
    LT_RUN(test_ch_ems);
    LT_RUN(test_ch_renegotiation_info);
    LT_RUN(test_ch_sni_valid);
    LT_RUN(test_ch_sni_malformed);
    LT_RUN(test_ch_sni_duplicate_name_type);
    LT_RUN(test_ch_sni_length_limit);
    LT_RUN(test_ch_signature_algorithms);
    LT_RUN(test_ch_signature_algorithms_cap);
    LT_RUN(test_ch_alpn_and_ticket);
    LT_RUN(test_ch_writer_overflow);
    LT_RUN(test_ch_writer_rejects_bad_params);
    LT_RUN(test_sh_real_openssl);
    LT_RUN(test_sh_roundtrip);
    LT_RUN(test_sh_no_extensions_omitted);
    LT_RUN(test_sh_truncations_and_trailing);
    LT_RUN(test_sh_session_id_bounds);
    LT_RUN(test_sh_unknown_extension);
    LT_RUN(test_sh_duplicate_extension);
    LT_RUN(test_sh_bad_extension_bodies);
    LT_RUN(test_sh_writer_overflow);
    LT_RUN(test_cert_real_openssl);
    LT_RUN(test_cert_roundtrip);
    LT_RUN(test_cert_empty_list);
    LT_RUN(test_cert_empty_entry);
    LT_RUN(test_cert_chain_length_limit);
    LT_RUN(test_cert_bad_lengths);
    LT_RUN(test_empty_messages);
    LT_RUN(test_cke_real_openssl);
    LT_RUN(test_cke_roundtrip_and_lengths);
    LT_RUN(test_finished_real_and_roundtrip);
    LT_RUN(test_finished_lengths);
    LT_RUN(test_small_writers_overflow);
    LT_RUN(test_is_grease);
    LT_RUN(test_u16_list_has);
    LT_RUN(test_ch_supported_groups);
    LT_RUN(test_ch_ec_point_formats);
    LT_RUN(test_ch_encrypt_then_mac);
    LT_RUN(test_ch_signature_algorithms_cert);
    LT_RUN(test_ch_sigalgs_whole_list);
    LT_RUN(test_ch_fallback_scsv);
    LT_RUN(test_ch_grease_everywhere);
    LT_RUN(test_ch_new_extensions_truncations);
    LT_RUN(test_ch_new_extensions_duplicates);
    LT_RUN(test_ch_max_extensions_block_of_unknown_types);
    LT_RUN(test_ch_duplicate_among_many);
    LT_RUN(test_ch_largest_lists);
    LT_RUN(test_ch_max_cipher_suites);
    LT_RUN(test_ch_largest_legal);
    LT_RUN(test_ch_larger_than_a_record);
    LT_RUN(test_ch_write_new_extensions_exact);
    LT_RUN(test_ch_writer_new_params_rejected);
    LT_RUN(test_sh_real_openssl_etm);
    LT_RUN(test_sh_ec_point_formats_and_etm);
    LT_RUN(test_sh_write_etm_and_point_formats);
    LT_RUN(test_ske_real_openssl);
    LT_RUN(test_ske_malformed);
    LT_RUN(test_ske_largest_signature);
    LT_RUN(test_ske_write_roundtrip);
    LT_RUN(test_ske_writer_rejects);
    LT_RUN(test_cke_ecdhe_real_openssl);
    LT_RUN(test_cke_ecdhe_roundtrip_and_lengths);
    LT_RUN(test_certificate_request_largest_sigalgs);
    free(g_exact);
    return lt_test_summary();
}
