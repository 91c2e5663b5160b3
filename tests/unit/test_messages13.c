/*
 * TLS 1.3 message codec tests: the ClientHello and ServerHello extensions
 * of RFC 8446 4.2 (src/hs/messages.c) and the messages of messages13.h
 * (src/hs/messages13.c).
 *
 * Every parser gets real messages: captured from OpenSSL 3.0.19
 * (`openssl s_client -tls1_3 -msg` against `openssl s_server -tls1_3` on
 * loopback: a full handshake, one with `-groups P-256` on the server for a
 * HelloRetryRequest, one with `-Verify 1` for a CertificateRequest, and a
 * resumption with `-sess_in` for pre_shared_key), and the byte-exact
 * traces of RFC 8448, including its PSK binder (a known answer for
 * binders_offset). Then a write -> parse round trip, every truncation,
 * trailing bytes, over-long inner lengths and the values RFC 8446 forbids.
 * Parsers are always handed an exact-size heap copy, so under ASan any read
 * past the end is caught.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "hs/messages13.h"
#include "test.h"

/* --- Captured messages (whole messages, header included) ---------------- */

/* From OpenSSL 3.0.19, on loopback, server with a self-signed P-256
 * certificate. */

/* ClientHello: 32-byte legacy_session_id, SNI localhost, ec_point_formats, supported_groups, session_ticket,
 * encrypt_then_mac, EMS, signature_algorithms, supported_versions {0304}, psk_key_exchange_modes {psk_dhe_ke},
 * key_share {x25519} */
static const char OSSL_CH[] =
    "010000ea0303f13c2a5fc66487e051a2df2406b9cc458efd523a9d003e2640388fbfbf7045bb206e7885198581cc1f46"
    "5b8ca7f04a75b8dc22c30745a812546b84ddb09a1b232d000813021303130100ff010000990000000e000c0000096c6f"
    "63616c686f7374000b000403000102000a00160014001d0017001e001900180100010101020103010400230000001600"
    "0000170000000d001e001c040305030603080708080809080a080b080408050806040105010601002b0003020304002d"
    "00020101003300260024001d00202b27d1381f2f7c04340331249ad3ea07dfbc46828c06303379d26e8c4e0ffd4c";

/* ServerHello: TLS_AES_256_GCM_SHA384, supported_versions 0304, key_share x25519 */
static const char OSSL_SH[] =
    "02000076030399a508810539114b60214c347f036478c5707cc8bb0e1187d3faa7d86754be39206e7885198581cc1f46"
    "5b8ca7f04a75b8dc22c30745a812546b84ddb09a1b232d130200002e002b0002030400330024001d00204ad59db3942d"
    "e8fa0b057ac0dccc4b6b6ca97501c4adf796954b35b97013c450";

/* EncryptedExtensions: empty */
static const char OSSL_EE[] = "080000020000";

/* Certificate: empty context, one self-signed P-256 certificate (386 bytes), no entry extensions */
static const char OSSL_CERT[] =
    "0b00018b000001870001823082017e30820123a00302010202143614986339885c766293b21cf3c821060ed11fb1300a"
    "06082a8648ce3d04030230143112301006035504030c096c6f63616c686f7374301e170d323631323032303133393132"
    "5a170d3236313230343031333931325a30143112301006035504030c096c6f63616c686f73743059301306072a8648ce"
    "3d020106082a8648ce3d030107034200044226d2519f288635a933f24f57287b5239a2b32d8d11b3dd4679edc9953c6c"
    "626900b40d4f3740f6e270693d1e7666db69d45a2e2c59a47d223a4ce826439c2fa3533051301d0603551d0e04160414"
    "02e3088f44ba1170308a37713b4a1f77598490b6301f0603551d2304183016801402e3088f44ba1170308a37713b4a1f"
    "77598490b6300f0603551d130101ff040530030101ff300a06082a8648ce3d0403020349003046022100b85dd197a4e8"
    "95938f580ff0655f9ddf94ba28c6c1c739dc83680c65cd38a856022100b1a8a2ef427b34e4df9ca7fd1742958a0fdaf2"
    "ac8a31db969453870ed4a1bdbf0000";

/* CertificateVerify: ecdsa_secp256r1_sha256, a 72-byte DER signature */
static const char OSSL_CV[] =
    "0f00004c04030048304602210083af2592b0d47e98f592f9a945f729791b17612ce0fe412bdeb028f8becb2258022100"
    "b7bda44866e80994a99caaeaac6f338628c74c0608dc80219aa6968c2bebe6c7";

/* Finished (server): 48 bytes (SHA-384) */
static const char OSSL_FIN[] =
    "14000030fd868e203f46fdb15c69edb5daf588057822186533d22262b4cf53a7044106d31a68484ebae2c34683dbb9c0"
    "98a9802f";

/* NewSessionTicket: lifetime 7200, an 8-byte nonce, a 208-byte ticket, no extensions */
static const char OSSL_NST[] =
    "040000e500001c20d757fbb708000000000000000000d0037234428d71f559afaa83655924c28293a4f3832e08562928"
    "e6c79dd07fb11874d433da563d182919aeb5e456e69e7cc7eefa690f070b5f20b2d216726d378a41f9e238e8e15e5364"
    "3b2439aff9f26e40f05373917af080d5523af0e10966d4a321fb4b21048d7e5918b0a506dad1b29e5e9c74e8fd859e54"
    "95589739991944b77097a4d0e7212523252ca3e3f87ae1109849e749aa966ddc2b8bcbb88ef4abe97702180a3b181d9c"
    "1b4e045ab387f078972fa3d4d4aab4fd9d8daa469824acc193a90c75dfec601e4b4f831170eced0000";

/* HelloRetryRequest (server -groups P-256): supported_versions, key_share selected_group secp256r1, no cookie */
static const char OSSL_HRR[] =
    "020000540303cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c20ec6722969abbe88075"
    "f37084e05d2383d4a0aa81dc3dd946bfc0be440f76eb2c130200000c002b00020304003300020017";

/* ClientHello after that HelloRetryRequest: one secp256r1 key share (65 bytes) */
static const char OSSL_CH2[] =
    "0100010b03035f88cbfb69e474f3e5296c1b39df8eb9ed52f2ad9692bc2dab230ab2b63ef99b20ec6722969abbe88075"
    "f37084e05d2383d4a0aa81dc3dd946bfc0be440f76eb2c000813021303130100ff010000ba0000000e000c0000096c6f"
    "63616c686f7374000b000403000102000a00160014001d0017001e001900180100010101020103010400230000001600"
    "0000170000000d001e001c040305030603080708080809080a080b080408050806040105010601002b0003020304002d"
    "0002010100330047004500170041049566bb15d7374d71814cf1d097c3d83f32f41ef72a9fda90e048832b22324db98d"
    "38435828f7b240b2f0159019d3c405b6d474d890b40b65da9e8e2aee1a8061";

/* CertificateRequest (server -Verify 1): empty context, signature_algorithms (16 schemes) */
static const char OSSL_CR[] =
    "0d000029000026000d00220020040305030603080708080809080a080b08040805080604010501060103030301";

/* the client Certificate answering it */
static const char OSSL_CLIENT_CERT[] =
    "0b00018b000001870001823082017e30820123a00302010202143614986339885c766293b21cf3c821060ed11fb1300a"
    "06082a8648ce3d04030230143112301006035504030c096c6f63616c686f7374301e170d323631323032303133393132"
    "5a170d3236313230343031333931325a30143112301006035504030c096c6f63616c686f73743059301306072a8648ce"
    "3d020106082a8648ce3d030107034200044226d2519f288635a933f24f57287b5239a2b32d8d11b3dd4679edc9953c6c"
    "626900b40d4f3740f6e270693d1e7666db69d45a2e2c59a47d223a4ce826439c2fa3533051301d0603551d0e04160414"
    "02e3088f44ba1170308a37713b4a1f77598490b6301f0603551d2304183016801402e3088f44ba1170308a37713b4a1f"
    "77598490b6300f0603551d130101ff040530030101ff300a06082a8648ce3d0403020349003046022100b85dd197a4e8"
    "95938f580ff0655f9ddf94ba28c6c1c739dc83680c65cd38a856022100b1a8a2ef427b34e4df9ca7fd1742958a0fdaf2"
    "ac8a31db969453870ed4a1bdbf0000";

/* ClientHello resuming (-sess_in): as OSSL_CH, then pre_shared_key: one 208-byte identity, one 48-byte binder */
static const char OSSL_CH_PSK[] =
    "010001f903036844dbff608fde80e6ec06289d1cdb92990e760027cead52834cca51ade6869b20f4c260fbbecaf16337"
    "b936c29a78bed50ff41aaf347b8d39ad2a98a7ff02d490000813021303130100ff010001a80000000e000c0000096c6f"
    "63616c686f7374000b000403000102000a00160014001d0017001e001900180100010101020103010400230000001600"
    "0000170000000d001e001c040305030603080708080809080a080b080408050806040105010601002b0003020304002d"
    "00020101003300260024001d00206c618d95b5f7ec84fe6ee105c65d47e87054941eca4d62fa03f2323d8cdbd7770029"
    "010b00d600d05f738a4786d409d2a520e584ae900654777b446340e568b4f85bf909f37f7a73baaf63942d9f6b8ea347"
    "b65cd8ecea0c82a96f9a7d71a95f9bc52b0c16898f579d596e7f0d39f53268d2af4bcf4243f44d260affaf38f956eff3"
    "b5f97e898d410757ffbd494e6cfcdbbc93741def5bdd6234d39cc74b8ddff8d4e810c9b4bf1950aa60d0f18dd6688452"
    "c384d2a179605a96f058cf90303eabbef23e2a173346815e8a214202110928c0589b3376c1e701bdea1993e1c4d71c75"
    "58ad19aa8e11d690e3d7f1de826fb0dfd6f8e0a8e56a89927ec9003130d52a57df33d9ea8074007a2e09a0b343fbe64e"
    "163d3d203593bd74f6ae183327718191c133f6d0b1b0e282ed4a947295";

/* ServerHello accepting it: supported_versions, key_share x25519, pre_shared_key selected_identity 0 */
static const char OSSL_SH_PSK[] =
    "0200007c0303c84c431c1e9bc2414f7a11b746e42654fd42a951d5b882735adb0b5ec486853620f4c260fbbecaf16337"
    "b936c29a78bed50ff41aaf347b8d39ad2a98a7ff02d4901302000034002b0002030400330024001d0020c17ef4a69425"
    "cf06cdf1d41b229cf311f5b22863b682882ddf9fb7125a7b826e002900020000";

/* RFC 8448 section 3: ClientHello */
static const char RFC_CH[] =
    "010000c00303cb34ecb1e78163ba1c38c6dacb196a6dffa21a8d9912ec18a2ef6283024dece700000613011303130201"
    "0000910000000b0009000006736572766572ff01000100000a00140012001d0017001800190100010101020103010400"
    "230000003300260024001d002099381de560e4bd43d23d8e435a7dbafeb3c06e51c13cae4d5413691e529aaf2c002b00"
    "03020304000d0020001e040305030603020308040805080604010501060102010402050206020202002d00020101001c"
    "00024001";

/* RFC 8448 section 3: ServerHello */
static const char RFC_SH[] =
    "020000560303a6af06a4121860dc5e6e60249cd34c95930c8ac5cb1434dac155772ed3e2692800130100002e00330024"
    "001d0020c9828876112095fe66762bdbf7c672e156d6cc253b833df1dd69b1b04e751f0f002b00020304";

/* RFC 8448 section 3: EncryptedExtensions */
static const char RFC_EE[] = "080000240022000a00140012001d00170018001901000101010201030104001c0002400100000000";

/* RFC 8448 section 3: Certificate */
static const char RFC_CERT[] =
    "0b0001b9000001b50001b0308201ac30820115a003020102020102300d06092a864886f70d01010b0500300e310c300a"
    "06035504031303727361301e170d3136303733303031323335395a170d3236303733303031323335395a300e310c300a"
    "0603550403130372736130819f300d06092a864886f70d010101050003818d0030818902818100b4bb498f8279303d98"
    "0836399b36c6988c0c68de55e1bdb826d3901a2461eafd2de49a91d015abbc9a95137ace6c1af19eaa6af98c7ced4312"
    "0998e187a80ee0ccb0524b1b018c3e0b63264d449a6d38e22a5fda430846748030530ef0461c8ca9d9efbfae8ea6d1d0"
    "3e2bd193eff0ab9a8002c47428a6d35a8d88d79f7f1e3f0203010001a31a301830090603551d1304023000300b060355"
    "1d0f0404030205a0300d06092a864886f70d01010b05000381810085aad2a0e5b9276b908c65f73a7267170618a54c5f"
    "8a7b337d2df7a594365417f2eae8f8a58c8f8172f9319cf36b7fd6c55b80f21a03015156726096fd335e5e67f2dbf102"
    "702e608ccae6bec1fc63a42a99be5c3eb7107c3c54e9b9eb2bd5203b1c3b84e0a8b2f759409ba3eac9d91d402dcc0cc8"
    "f8961229ac9187b42b4de10000";

/* RFC 8448 section 3: CertificateVerify */
static const char RFC_CV[] =
    "0f000084080400805a747c5d88fa9bd2e55ab085a61015b7211f824cd484145ab3ff52f1fda8477b0b7abc90db78e2d3"
    "3a5c141a078653fa6bef780c5ea248eeaaa785c4f394cab6d30bbe8d4859ee511f602957b15411ac027671459e46445c"
    "9ea58c181e818e95b8c3fb0bf3278409d3be152a3da5043e063dda65cdf5aea20d53dfacd42f74f3";

/* RFC 8448 section 3: server Finished */
static const char RFC_FIN[] = "140000209b9b141d906337fbd2cbdce71df4deda4ab42c309572cb7fffee5454b78f0718";

/* RFC 8448 section 3: NewSessionTicket */
static const char RFC_NST[] =
    "040000c90000001efad6aac502000000b22c035d829359ee5ff7af4ec900000000262a6494dc486d2c8a34cb33fa90bf"
    "1b0070ad3c498883c9367c09a2be785abc55cd226097a3a982117283f82a03a143efd3ff5dd36d64e861be7fd61d2827"
    "db279cce145077d454a3664d4e6da4d29ee03725a6a4dafcd0fc67d2aea70529513e3da2677fa5906c5b3f7d8f92f228"
    "bda40dda721470f9fbf297b5aea617646fac5c03272e970727c621a79141ef5f7de6505e5bfbc388e93343694093934a"
    "e4d3570008002a000400000400";

/* RFC 8448 section 4: ClientHello */
static const char RFC_CH_PSK[] =
    "010001fc03031bc3ceb6bbe39cff938355b5a50adb6db21b7a6af649d7b4bc419d7876487d9500000613011303130201"
    "0001cd0000000b0009000006736572766572ff01000100000a00140012001d0017001800190100010101020103010400"
    "3300260024001d0020e4ffb68ac05f8d96c99da26698346c6be16482badddafe051a66b4f18d668f0b002a0000002b00"
    "03020304000d0020001e040305030603020308040805080604010501060102010402050206020202002d00020101001c"
    "000240010015005700000000000000000000000000000000000000000000000000000000000000000000000000000000"
    "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
    "2900dd00b800b22c035d829359ee5ff7af4ec900000000262a6494dc486d2c8a34cb33fa90bf1b0070ad3c498883c936"
    "7c09a2be785abc55cd226097a3a982117283f82a03a143efd3ff5dd36d64e861be7fd61d2827db279cce145077d454a3"
    "664d4e6da4d29ee03725a6a4dafcd0fc67d2aea70529513e3da2677fa5906c5b3f7d8f92f228bda40dda721470f9fbf2"
    "97b5aea617646fac5c03272e970727c621a79141ef5f7de6505e5bfbc388e93343694093934ae4d357fad6aacb002120"
    "3add4fb2d8fdf822a0ca3cf7678ef5e88dae990141c5924d57bb6fa31b9e5f9d";

/* RFC 8448 section 4: ServerHello */
static const char RFC_SH_PSK[] =
    "0200005c03033ccfd2dec890222763472ae8136777c9d7358777bb66e91ea5122495f559ea2d00130100003400290002"
    "000000330024001d0020121761ee42c333e1b9e77b60dd57c2053cd94512ab47f115e86eff50942cea31002b00020304";

/* RFC 8448 section 4: EncryptedExtensions */
static const char RFC_EE_EARLY[] =
    "080000280026000a00140012001d00170018001901000101010201030104001c0002400100000000002a0000";

/* RFC 8448 section 5: HelloRetryRequest */
static const char RFC_HRR[] =
    "020000ac0303cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c00130100008400330002"
    "0017002c0074007271dcd04bb88bc3189119398a00000000eefafc76c146b823b096f8aacad365dd0030953f4edf6256"
    "36e5f21bb2e23fcc654b1b5b40318d10d137abcbb87574e36e8a1f025f7dfa5d6e50781b5eda4aa15b0c8be778257d16"
    "aa3030e9e7841dd9e4c0342267e8ca0caf571fb2b7cff0f934b0002b00020304";

/* RFC 8448 section 5: ClientHello 2 */
static const char RFC_CH2[] =
    "010001fc0303b0b1c5a5aa37c5919f2ed1d5c6fff7fcb7849716945a2b8cee9258a346677b6f00000613011303130201"
    "0001cd0000000b0009000006736572766572ff01000100000a00080006001d001700180033004700450017004104a6da"
    "7392ec591e17abfd535964b99894d13befb221b3def2ebe3830eac8f0151812677c4d6d2237e85cf01d6910cfb83954e"
    "76ba7352830534159897e8065780002b0003020304000d0020001e040305030603020308040805080604010501060102"
    "010402050206020202002c0074007271dcd04bb88bc3189119398a00000000eefafc76c146b823b096f8aacad365dd00"
    "30953f4edf625636e5f21bb2e23fcc654b1b5b40318d10d137abcbb87574e36e8a1f025f7dfa5d6e50781b5eda4aa15b"
    "0c8be778257d16aa3030e9e7841dd9e4c0342267e8ca0caf571fb2b7cff0f934b0002d00020101001c00024001001500"
    "af0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
    "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
    "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
    "0000000000000000000000000000000000000000000000000000000000000000";

/* RFC 8448 section 6: CertificateRequest */
static const char RFC_CR[] = "0d000027000024000d0020001e040305030603020308040805080604010501060102010402050206020202";

/* RFC 8448 section 6: CertificateVerify */
static const char RFC_CV_ECDSA[] =
    "0f00004b040300473045022100d7a4d34bd54f55fee1a89625678c3dd5e5f60dac73ec940c5c7b9304a02084a9022028"
    "9f595ed488b9ac689a3d192b1a8bb38f34af7874c059c9806a1f38269353e8";

/* RFC 8448 section 7: ClientHello */
static const char RFC_CH_COMPAT[] =
    "010000dc03034e640a3f2c2738f09c9418bd78edccd7559d0531199276d4d92a0e9ee9d77d0920a80c165581a8e0d06c"
    "0018d54d3a06dd32cfd4051eb026fad3fd0ba99269e6ef00061301130313020100008d0000000b000900000673657276"
    "6572ff01000100000a00140012001d00170018001901000101010201030104003300260024001d00208e7292cf3056db"
    "b0d25fcbe55c107dc9bbf83dd9708f39203ba341249a7d9b63002b0003020304000d0020001e04030503060302030804"
    "0805080604010501060102010402050206020202002d00020101001c00024001";

/* --- Helpers ------------------------------------------------------------- */

/* Room for the largest ClientHello body (131396 bytes) and its header. */
#define BUF_CAP 140000

static uint8_t *g_exact;

/* An exact-size heap copy of b (freed on the next call). */
static const uint8_t *exact(const uint8_t *b, size_t n)
{
    free(g_exact);
    g_exact = malloc(n > 0 ? n : 1);
    if (n > 0) {
        memcpy(g_exact, b, n);
    }
    return g_exact;
}

/* Decodes a captured message into buf, checks its header, returns the body
 * length (the body starts at buf + 4). */
static size_t real_body(const char *hex, uint8_t *buf, uint8_t want_type)
{
    size_t n = lt_test_unhex(hex, buf, BUF_CAP);
    EXPECT(n >= 4);
    EXPECT_EQ(buf[0], want_type);
    EXPECT_EQ(((size_t)buf[1] << 16) | ((size_t)buf[2] << 8) | buf[3], n - 4);
    return n - 4;
}

/* Checks the header a writer produced; returns the body length. */
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
static int p_ee(const uint8_t *b, size_t n)
{
    lt_encrypted_extensions ee;
    return lt_parse_encrypted_extensions(b, n, &ee);
}
static int p_cert(const uint8_t *b, size_t n)
{
    lt_certificate13 c;
    return lt_parse_certificate13(b, n, &c);
}
static int p_cr(const uint8_t *b, size_t n)
{
    lt_certificate_request13 cr;
    return lt_parse_certificate_request13(b, n, &cr);
}
static int p_cv(const uint8_t *b, size_t n)
{
    lt_certificate_verify cv;
    return lt_parse_certificate_verify(b, n, &cv);
}
static int p_fin32(const uint8_t *b, size_t n)
{
    const uint8_t *vd;
    return lt_parse_finished13(b, n, 32, &vd);
}
static int p_fin48(const uint8_t *b, size_t n)
{
    const uint8_t *vd;
    return lt_parse_finished13(b, n, 48, &vd);
}
static int p_nst(const uint8_t *b, size_t n)
{
    lt_new_session_ticket t;
    return lt_parse_new_session_ticket(b, n, &t);
}
static int p_ku(const uint8_t *b, size_t n)
{
    int req;
    return lt_parse_key_update(b, n, &req);
}

static int run(parse_fn f, const uint8_t *b, size_t n)
{
    return f(exact(b, n), n);
}

/* Every strict prefix of a valid body is LT_ERR_DECODE, except ok_len (a
 * hello cut right after its compression field is a hello without
 * extensions); (size_t)-1 for none. */
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

/* A valid body and one more byte (0x00, 0xff) is LT_ERR_DECODE. */
static void check_trailing(parse_fn f, const uint8_t *b, size_t n)
{
    static uint8_t tmp[BUF_CAP + 1];
    if (n > BUF_CAP) {
        EXPECT(n <= BUF_CAP);
        return;
    }
    memcpy(tmp, b, n);
    tmp[n] = 0x00;
    EXPECT_EQ(run(f, tmp, n + 1), LT_ERR_DECODE);
    tmp[n] = 0xff;
    EXPECT_EQ(run(f, tmp, n + 1), LT_ERR_DECODE);
}

/* Where the hello's compression field ends (a valid cut). */
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

/* Bodies built piece by piece, so a test can plant exactly the malformation
 * it is about. */
typedef struct hb {
    uint8_t buf[BUF_CAP];
    lt_wr w;
    size_t exts;
} hb;

#define RANDOM_HEX "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
#define HRR_RANDOM_HEX "cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c"

static void hb_raw(hb *b, const char *hex)
{
    static uint8_t tmp[BUF_CAP];
    size_t n = lt_test_unhex(hex, tmp, sizeof(tmp));
    lt_wr_bytes(&b->w, tmp, n);
}
/* A message body starting with `head`, then an open extensions block. */
static void hb_start(hb *b, const char *head)
{
    b->w = lt_wr_init(b->buf, sizeof(b->buf));
    hb_raw(b, head);
    b->exts = lt_wr_open_vec(&b->w, 2);
}
/* ClientHello: TLS 1.2, random 00..1f, empty session_id, {1301}, {null}. */
static void ch_start(hb *b)
{
    hb_start(b, "0303" RANDOM_HEX "00 0002 1301 0100");
}
/* ServerHello: random 00..1f (or the HelloRetryRequest one), empty
 * session_id, TLS_AES_128_GCM_SHA256, null. */
static void sh_start(hb *b, int hrr)
{
    hb_start(b, hrr ? "0303" HRR_RANDOM_HEX "00 1301 00" : "0303" RANDOM_HEX "00 1301 00");
}
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
static int ch_one_ext(uint16_t type, const char *body_hex, lt_client_hello *ch)
{
    static hb b;
    ch_start(&b);
    hb_ext(&b, type, body_hex);
    size_t n = hb_end(&b);
    return lt_parse_client_hello(exact(b.buf, n), n, ch);
}
static int sh_one_ext(int hrr, uint16_t type, const char *body_hex, lt_server_hello *sh)
{
    static hb b;
    sh_start(&b, hrr);
    hb_ext(&b, type, body_hex);
    size_t n = hb_end(&b);
    return lt_parse_server_hello(exact(b.buf, n), n, sh);
}
/* An EncryptedExtensions / CertificateRequest / NewSessionTicket body with
 * one extension. */
static int ee_one_ext(uint16_t type, const char *body_hex, lt_encrypted_extensions *ee)
{
    static hb b;
    hb_start(&b, "");
    hb_ext(&b, type, body_hex);
    size_t n = hb_end(&b);
    return lt_parse_encrypted_extensions(exact(b.buf, n), n, ee);
}
static int nst_one_ext(uint16_t type, const char *body_hex, lt_new_session_ticket *t)
{
    static hb b;
    /* lifetime 3600, age_add, nonce {aa}, ticket "ttx". */
    hb_start(&b, "00000e10 01020304 01aa 0003 747478");
    hb_ext(&b, type, body_hex);
    size_t n = hb_end(&b);
    return lt_parse_new_session_ticket(exact(b.buf, n), n, t);
}

/* The extension types of a block, in order (lt_ext_next). */
static size_t ext_types(lt_rd block, uint16_t *types, size_t cap)
{
    size_t n = 0;
    uint16_t type;
    lt_rd body;
    while (lt_ext_next(&block, &type, &body)) {
        if (n < cap) {
            types[n] = type;
        }
        n++;
    }
    return n;
}

/* Every extension type we know, and the ones RFC 8446 4.2 allows in an
 * EncryptedExtensions. */
static const uint16_t KNOWN[] = {LT_EXT_SERVER_NAME,
                                 LT_EXT_SUPPORTED_GROUPS,
                                 LT_EXT_EC_POINT_FORMATS,
                                 LT_EXT_SIGNATURE_ALGORITHMS,
                                 LT_EXT_ALPN,
                                 LT_EXT_PADDING,
                                 LT_EXT_ENCRYPT_THEN_MAC,
                                 LT_EXT_EXTENDED_MASTER_SECRET,
                                 LT_EXT_SESSION_TICKET,
                                 LT_EXT_PRE_SHARED_KEY,
                                 LT_EXT_EARLY_DATA,
                                 LT_EXT_SUPPORTED_VERSIONS,
                                 LT_EXT_COOKIE,
                                 LT_EXT_PSK_KEY_EXCHANGE_MODES,
                                 LT_EXT_CERTIFICATE_AUTHORITIES,
                                 LT_EXT_POST_HANDSHAKE_AUTH,
                                 LT_EXT_SIGNATURE_ALGORITHMS_CERT,
                                 LT_EXT_KEY_SHARE,
                                 LT_EXT_RENEGOTIATION_INFO};
#define N_KNOWN (sizeof(KNOWN) / sizeof(KNOWN[0]))

static int in_list(uint16_t v, const uint16_t *list, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (list[i] == v) {
            return 1;
        }
    }
    return 0;
}

/* --- Constants and names ------------------------------------------------- */

static void test_constants(void)
{
    /* RFC 8446 4.1.3: SHA-256("HelloRetryRequest"). */
    uint8_t d[32];
    size_t dn = 0;
    EXPECT_EQ(lt_hash_oneshot(LT_HASH_SHA256, "HelloRetryRequest", 17, d, &dn), LT_OK);
    EXPECT_EQ(dn, 32);
    EXPECT_MEM(LT_HRR_RANDOM, d, 32);
    uint8_t want[32];
    lt_test_unhex(HRR_RANDOM_HEX, want, sizeof want);
    EXPECT_MEM(LT_HRR_RANDOM, want, 32);
    /* "DOWNGRD" then 01. */
    EXPECT_MEM(LT_DOWNGRADE_TLS12, "DOWNGRD\x01", 8);
    EXPECT(strcmp(lt_hs_type_name(LT_HS_ENCRYPTED_EXTENSIONS), "EncryptedExtensions") == 0);
    EXPECT(strcmp(lt_hs_type_name(LT_HS_KEY_UPDATE), "KeyUpdate") == 0);
    EXPECT(strcmp(lt_hs_type_name(LT_HS_END_OF_EARLY_DATA), "EndOfEarlyData") == 0);
    EXPECT(strcmp(lt_hs_type_name(LT_HS_MESSAGE_HASH), "message_hash") == 0);
    EXPECT(strcmp(lt_hs_type_name(3), "unknown") == 0);
}

/* --- ClientHello: real ones -------------------------------------------- */

static void test_ch_real_openssl(void)
{
    static uint8_t buf[BUF_CAP];
    size_t n = real_body(OSSL_CH, buf, LT_HS_CLIENT_HELLO);
    lt_client_hello ch;
    EXPECT_EQ(lt_parse_client_hello(exact(buf + 4, n), n, &ch), LT_OK);
    EXPECT_EQ(ch.session_id_len, 32);
    EXPECT_EQ(ch.ext_seen, LT_SEEN_SNI | LT_SEEN_POINT_FORMATS | LT_SEEN_GROUPS | LT_SEEN_TICKET | LT_SEEN_ETM |
                               LT_SEEN_EMS | LT_SEEN_SIGALGS | LT_SEEN_VERSIONS | LT_SEEN_PSK_MODES |
                               LT_SEEN_KEY_SHARE);
    EXPECT_EQ(lt_rd_left(&ch.versions), 2);
    EXPECT(lt_u16_list_has(ch.versions, 0x0304));
    EXPECT_EQ(lt_rd_left(&ch.psk_modes), 1);
    EXPECT_EQ(ch.psk_dhe_ke, 1);
    EXPECT_EQ(ch.n_key_shares, 1);
    lt_rd shares = ch.key_shares;
    uint16_t group = 0;
    lt_rd key;
    EXPECT_EQ(lt_key_share_next(&shares, &group, &key), 1);
    EXPECT_EQ(group, 0x001d);
    EXPECT_EQ(lt_rd_left(&key), 32);
    EXPECT_EQ(key.p[0], 0x2b);
    EXPECT_EQ(lt_key_share_next(&shares, &group, &key), 0);
    /* The whole block, in order: key_share last. */
    uint16_t types[16];
    EXPECT_EQ(ext_types(ch.extensions, types, 16), 10);
    EXPECT_EQ(types[0], LT_EXT_SERVER_NAME);
    EXPECT_EQ(types[9], LT_EXT_KEY_SHARE);
    EXPECT(ch.extensions.p + ch.extensions.len == g_exact + n);
    EXPECT_EQ(lt_rd_left(&ch.cookie), 0);
    EXPECT_EQ(ch.n_psk_identities, 0);
    EXPECT_EQ(ch.binders_offset, 0);
    EXPECT_EQ(ch.early_data, 0);
    check_truncations(p_ch, buf + 4, n, ch_ext_offset(buf + 4));
    check_trailing(p_ch, buf + 4, n);
}

static void test_ch_real_openssl_after_hrr(void)
{
    static uint8_t buf[BUF_CAP];
    size_t n = real_body(OSSL_CH2, buf, LT_HS_CLIENT_HELLO);
    lt_client_hello ch;
    EXPECT_EQ(lt_parse_client_hello(exact(buf + 4, n), n, &ch), LT_OK);
    EXPECT_EQ(ch.n_key_shares, 1);
    lt_rd shares = ch.key_shares, key;
    uint16_t group = 0;
    EXPECT_EQ(lt_key_share_next(&shares, &group, &key), 1);
    EXPECT_EQ(group, 0x0017);
    EXPECT_EQ(lt_rd_left(&key), 65);
    EXPECT_EQ(key.p[0], 0x04);
}

static void test_ch_real_openssl_psk(void)
{
    static uint8_t buf[BUF_CAP];
    size_t n = real_body(OSSL_CH_PSK, buf, LT_HS_CLIENT_HELLO);
    lt_client_hello ch;
    EXPECT_EQ(lt_parse_client_hello(exact(buf + 4, n), n, &ch), LT_OK);
    EXPECT(ch.ext_seen & LT_SEEN_PSK);
    EXPECT_EQ(ch.n_psk_identities, 1);
    /* 505-byte body; binders: 2-byte length + one 1 + 48 entry. */
    EXPECT_EQ(n, 505);
    EXPECT_EQ(ch.binders_offset, 505 - 2 - 49);
    EXPECT_EQ(lt_rd_left(&ch.psk_binders), 49);
    EXPECT_EQ(g_exact[ch.binders_offset], 0);
    EXPECT_EQ(g_exact[ch.binders_offset + 1], 49);
    EXPECT_EQ(ch.psk_binders.p, g_exact + ch.binders_offset + 2);
    lt_rd ids = ch.psk_identities, id, binders = ch.psk_binders, binder;
    uint32_t age = 0;
    EXPECT_EQ(lt_psk_identity_next(&ids, &id, &age), 1);
    EXPECT_EQ(lt_rd_left(&id), 208);
    EXPECT_EQ(lt_psk_identity_next(&ids, &id, &age), 0);
    EXPECT_EQ(lt_psk_binder_next(&binders, &binder), 1);
    EXPECT_EQ(lt_rd_left(&binder), 48);
    EXPECT_EQ(lt_psk_binder_next(&binders, &binder), 0);
    uint16_t types[16];
    EXPECT_EQ(ext_types(ch.extensions, types, 16), 11);
    EXPECT_EQ(types[10], LT_EXT_PRE_SHARED_KEY);
    check_truncations(p_ch, buf + 4, n, ch_ext_offset(buf + 4));
    check_trailing(p_ch, buf + 4, n);
}

/* RFC 8448 4: the binder covers the ClientHello up to binders_offset (the
 * "ClientHello prefix (477 octets)" of the trace), header included, and
 * its hash is the trace's "binder hash". */
static void test_ch_rfc8448_binder_offset(void)
{
    static uint8_t buf[BUF_CAP];
    size_t n = real_body(RFC_CH_PSK, buf, LT_HS_CLIENT_HELLO);
    lt_client_hello ch;
    EXPECT_EQ(lt_parse_client_hello(exact(buf + 4, n), n, &ch), LT_OK);
    EXPECT_EQ(4 + ch.binders_offset, 477);
    uint8_t h[32], want[32];
    size_t hn = 0;
    EXPECT_EQ(lt_hash_oneshot(LT_HASH_SHA256, buf, 4 + ch.binders_offset, h, &hn), LT_OK);
    lt_test_unhex("63224b2e4573f2d3454ca84b9d009a04f6be9e05711a8396473aefa01e924a14", want, 32);
    EXPECT_MEM(h, want, 32);
    /* The binder itself: the trace's "finished" value. */
    lt_rd binders = ch.psk_binders, binder;
    EXPECT_EQ(lt_psk_binder_next(&binders, &binder), 1);
    EXPECT_EQ(lt_rd_left(&binder), 32);
    lt_test_unhex("3add4fb2d8fdf822a0ca3cf7678ef5e88dae990141c5924d57bb6fa31b9e5f9d", want, 32);
    EXPECT_MEM(binder.p, want, 32);
    lt_rd ids = ch.psk_identities, id;
    uint32_t age = 0;
    EXPECT_EQ(lt_psk_identity_next(&ids, &id, &age), 1);
    EXPECT_EQ(lt_rd_left(&id), 178);
    EXPECT_EQ(age, 0xfad6aacb);
    EXPECT_EQ(ch.early_data, 1);
    EXPECT_EQ(ch.psk_dhe_ke, 1);
    EXPECT(ch.ext_seen & LT_SEEN_PADDING);
    EXPECT(ch.ext_seen & LT_SEEN_EARLY_DATA);
    EXPECT(ch.ext_seen & LT_SEEN_RENEG);
    check_truncations(p_ch, buf + 4, n, ch_ext_offset(buf + 4));
}

static void test_ch_rfc8448_others(void)
{
    static uint8_t buf[BUF_CAP];
    lt_client_hello ch;
    size_t n = real_body(RFC_CH, buf, LT_HS_CLIENT_HELLO);
    EXPECT_EQ(lt_parse_client_hello(exact(buf + 4, n), n, &ch), LT_OK);
    EXPECT_EQ(ch.session_id_len, 0);
    EXPECT_EQ(ch.n_key_shares, 1);
    EXPECT(lt_u16_list_has(ch.versions, 0x0304));
    EXPECT_EQ(ch.ext_seen & LT_SEEN_PSK, 0);
    /* 5: the second ClientHello echoes the 116-byte cookie element. */
    n = real_body(RFC_CH2, buf, LT_HS_CLIENT_HELLO);
    EXPECT_EQ(lt_parse_client_hello(exact(buf + 4, n), n, &ch), LT_OK);
    EXPECT_EQ(lt_rd_left(&ch.cookie), 114);
    EXPECT_EQ(ch.cookie.p[0], 0x71);
    EXPECT(ch.ext_seen & LT_SEEN_COOKIE);
    /* 7: compatibility mode, a 32-byte session ID. */
    n = real_body(RFC_CH_COMPAT, buf, LT_HS_CLIENT_HELLO);
    EXPECT_EQ(lt_parse_client_hello(exact(buf + 4, n), n, &ch), LT_OK);
    EXPECT_EQ(ch.session_id_len, 32);
}

/* --- ClientHello: writer ----------------------------------------------- */

static const uint16_t SUITES13[] = {0x1301, 0x1302};
static const uint16_t VERSIONS[] = {0x0304, 0x0303};
static const uint16_t SHARE_GROUPS[] = {0x001d, 0x0017};

typedef struct ch13_fixture {
    uint8_t random[32], sid[32], k1[32], k2[65], cookie[40], id1[20], id2[7];
    const uint8_t *keys[2];
    size_t key_lens[2];
    const uint8_t *ids[2];
    size_t id_lens[2];
    uint32_t ages[2];
    size_t binders_offset;
    lt_client_hello_params p;
} ch13_fixture;

/* Every TLS 1.3 parameter set: session ID, versions, two key shares, a
 * cookie, psk_dhe_ke, two PSKs with 32-byte binders. */
static void ch13_params(ch13_fixture *f)
{
    memset(f, 0, sizeof(*f));
    for (size_t i = 0; i < 32; i++) {
        f->random[i] = (uint8_t)i;
        f->sid[i] = (uint8_t)(0x80 + i);
        f->k1[i] = (uint8_t)(0x10 + i);
    }
    memset(f->k2, 0x04, sizeof f->k2);
    memset(f->cookie, 0xc0, sizeof f->cookie);
    memset(f->id1, 0x11, sizeof f->id1);
    memset(f->id2, 0x22, sizeof f->id2);
    f->keys[0] = f->k1, f->keys[1] = f->k2;
    f->key_lens[0] = 32, f->key_lens[1] = 65;
    f->ids[0] = f->id1, f->ids[1] = f->id2;
    f->id_lens[0] = sizeof f->id1, f->id_lens[1] = sizeof f->id2;
    f->ages[0] = 0x01020304, f->ages[1] = 0xfffffffe;
    lt_client_hello_params *p = &f->p;
    p->client_version = 0x0303;
    p->random = f->random;
    p->suites = SUITES13;
    p->n_suites = 2;
    p->sni = "example.com";
    p->groups = SHARE_GROUPS;
    p->n_groups = 2;
    p->session_id = f->sid;
    p->session_id_len = 32;
    p->versions = VERSIONS;
    p->n_versions = 2;
    p->key_share_groups = SHARE_GROUPS;
    p->key_share_keys = f->keys;
    p->key_share_lens = f->key_lens;
    p->n_key_shares = 2;
    p->key_share_ext = 1;
    p->cookie = f->cookie;
    p->cookie_len = sizeof f->cookie;
    p->psk_modes_dhe = 1;
    p->psk_identities = f->ids;
    p->psk_identity_lens = f->id_lens;
    p->psk_obfuscated_ages = f->ages;
    p->n_psks = 2;
    p->binder_len = 32;
    p->binders_offset_out = &f->binders_offset;
}

static void test_ch_write_roundtrip(void)
{
    static ch13_fixture f;
    ch13_params(&f);
    static uint8_t buf[BUF_CAP];
    lt_wr w = lt_wr_init(buf, sizeof buf);
    lt_write_client_hello(&w, &f.p);
    size_t n = written_body(&w, LT_HS_CLIENT_HELLO);
    lt_client_hello ch;
    EXPECT_EQ(lt_parse_client_hello(exact(buf + 4, n), n, &ch), LT_OK);
    EXPECT_EQ(ch.session_id_len, 32);
    EXPECT_MEM(ch.session_id, f.sid, 32);
    EXPECT_EQ(lt_rd_left(&ch.versions), 4);
    EXPECT_MEM(ch.versions.p, "\x03\x04\x03\x03", 4);
    EXPECT_EQ(ch.n_key_shares, 2);
    lt_rd shares = ch.key_shares, key;
    uint16_t group = 0;
    EXPECT_EQ(lt_key_share_next(&shares, &group, &key), 1);
    EXPECT(group == 0x001d && key.len == 32 && memcmp(key.p, f.k1, 32) == 0);
    EXPECT_EQ(lt_key_share_next(&shares, &group, &key), 1);
    EXPECT(group == 0x0017 && key.len == 65 && memcmp(key.p, f.k2, 65) == 0);
    EXPECT_EQ(lt_key_share_next(&shares, &group, &key), 0);
    EXPECT_EQ(lt_rd_left(&ch.cookie), 40);
    EXPECT_MEM(ch.cookie.p, f.cookie, 40);
    EXPECT_EQ(ch.psk_dhe_ke, 1);
    EXPECT_EQ(ch.n_psk_identities, 2);
    lt_rd ids = ch.psk_identities, id;
    uint32_t age = 0;
    EXPECT_EQ(lt_psk_identity_next(&ids, &id, &age), 1);
    EXPECT(id.len == 20 && memcmp(id.p, f.id1, 20) == 0 && age == 0x01020304);
    EXPECT_EQ(lt_psk_identity_next(&ids, &id, &age), 1);
    EXPECT(id.len == 7 && memcmp(id.p, f.id2, 7) == 0 && age == 0xfffffffe);
    EXPECT_EQ(lt_psk_identity_next(&ids, &id, &age), 0);
    /* The writer's offset counts the header; the parser's the body. */
    EXPECT_EQ(f.binders_offset, ch.binders_offset + 4);
    EXPECT_EQ(lt_rd_left(&ch.psk_binders), 2 * 33);
    uint16_t types[16];
    size_t nt = ext_types(ch.extensions, types, 16);
    EXPECT_EQ(nt, 7);
    EXPECT_EQ(types[nt - 1], LT_EXT_PRE_SHARED_KEY);
    EXPECT_EQ(ch.ext_seen, LT_SEEN_SNI | LT_SEEN_GROUPS | LT_SEEN_VERSIONS | LT_SEEN_KEY_SHARE | LT_SEEN_COOKIE |
                               LT_SEEN_PSK_MODES | LT_SEEN_PSK);
    check_truncations(p_ch, buf + 4, n, ch_ext_offset(buf + 4));
    check_trailing(p_ch, buf + 4, n);
}

/* The bytes of the TLS 1.3 extensions, exactly. */
static void test_ch_write_exact(void)
{
    uint8_t random[32] = {0};
    uint8_t key[3] = {0xaa, 0xbb, 0xcc}, cookie[2] = {0xc1, 0xc2}, id[1] = {0x1d};
    const uint8_t *keys[1] = {key};
    size_t key_lens[1] = {3};
    const uint8_t *ids[1] = {id};
    size_t id_lens[1] = {1};
    uint32_t ages[1] = {0x0a0b0c0d};
    uint16_t group = 0x001d, version = 0x0304;
    size_t off = 99;
    lt_client_hello_params p = {.client_version = 0x0303,
                                .random = random,
                                .suites = SUITES13,
                                .n_suites = 1,
                                .versions = &version,
                                .n_versions = 1,
                                .key_share_groups = &group,
                                .key_share_keys = keys,
                                .key_share_lens = key_lens,
                                .n_key_shares = 1,
                                .cookie = cookie,
                                .cookie_len = 2,
                                .psk_modes_dhe = 1,
                                .psk_identities = ids,
                                .psk_identity_lens = id_lens,
                                .psk_obfuscated_ages = ages,
                                .n_psks = 1,
                                .binder_len = 32,
                                .binders_offset_out = &off};
    uint8_t buf[512], want[512];
    /* Write after 5 bytes already in the buffer: the offset is relative to
     * the message, not the buffer. */
    lt_wr w = lt_wr_init(buf, sizeof buf);
    lt_wr_bytes(&w, "12345", 5);
    lt_write_client_hello(&w, &p);
    EXPECT_EQ(lt_wr_finish(&w), LT_OK);
    size_t n = lt_test_unhex("01 00007d 0303"
                             "0000000000000000000000000000000000000000000000000000000000000000"
                             "00 0002 1301 0100 0052"
                             "002b 0003 02 0304"
                             "0033 0009 0007 001d 0003 aabbcc"
                             "002c 0004 0002 c1c2"
                             "002d 0002 01 01"
                             "0029 002c 0007 0001 1d 0a0b0c0d 0021 20"
                             "0000000000000000000000000000000000000000000000000000000000000000",
                             want, sizeof want);
    EXPECT_EQ(w.off - 5, n);
    EXPECT_MEM(buf + 5, want, n);
    /* The binders vector is the last 35 bytes: 0021, 20, 32 zeros. */
    EXPECT_EQ(off, n - 35);
    EXPECT_EQ(buf[5 + off], 0x00);
    EXPECT_EQ(buf[5 + off + 1], 0x21);
    /* key_share_ext with no shares: an empty client_shares (4.2.8). */
    lt_client_hello_params q = {
        .client_version = 0x0303, .random = random, .suites = SUITES13, .n_suites = 1, .key_share_ext = 1};
    w = lt_wr_init(buf, sizeof buf);
    lt_write_client_hello(&w, &q);
    EXPECT_EQ(lt_wr_finish(&w), LT_OK);
    n = lt_test_unhex("0033 0002 0000", want, sizeof want);
    EXPECT_EQ(buf[w.off - 8], 0x00);
    EXPECT_EQ(buf[w.off - 7], 0x06);
    EXPECT_MEM(buf + w.off - n, want, n);
    lt_client_hello ch;
    EXPECT_EQ(lt_parse_client_hello(exact(buf + 4, w.off - 4), w.off - 4, &ch), LT_OK);
    EXPECT_EQ(ch.ext_seen, LT_SEEN_KEY_SHARE);
    EXPECT_EQ(ch.n_key_shares, 0);
}

static void test_ch_patch_binder(void)
{
    static ch13_fixture f;
    ch13_params(&f);
    f.p.binder_len = 48;
    static uint8_t buf[BUF_CAP];
    lt_wr w = lt_wr_init(buf, sizeof buf);
    lt_write_client_hello(&w, &f.p);
    size_t n = written_body(&w, LT_HS_CLIENT_HELLO);
    uint8_t b0[48], b1[48];
    memset(b0, 0xb0, sizeof b0);
    memset(b1, 0xb1, sizeof b1);
    /* What the binders cover does not change when they are patched in. */
    static uint8_t before[BUF_CAP];
    memcpy(before, buf, f.binders_offset);
    lt_patch_binder(buf, f.binders_offset, 48, 1, b1);
    lt_patch_binder(buf, f.binders_offset, 48, 0, b0);
    EXPECT_MEM(before, buf, f.binders_offset);
    lt_client_hello ch;
    EXPECT_EQ(lt_parse_client_hello(exact(buf + 4, n), n, &ch), LT_OK);
    lt_rd binders = ch.psk_binders, binder;
    EXPECT_EQ(lt_psk_binder_next(&binders, &binder), 1);
    EXPECT(binder.len == 48 && memcmp(binder.p, b0, 48) == 0);
    EXPECT_EQ(lt_psk_binder_next(&binders, &binder), 1);
    EXPECT(binder.len == 48 && memcmp(binder.p, b1, 48) == 0);
    EXPECT_EQ(lt_psk_binder_next(&binders, &binder), 0);
    /* Nothing past the last binder was touched. */
    EXPECT_EQ(4 + n, f.binders_offset + 2 + 2 * 49);
}

static void test_ch_writer_rejects(void)
{
    static ch13_fixture f;
    uint8_t buf[4096];
    size_t zero = 0;
    const uint8_t *null_key[2] = {NULL, NULL};
    uint16_t dup_groups[2] = {0x001d, 0x001d};
    uint16_t many[128];
    for (int i = 0; i < 128; i++) {
        many[i] = (uint16_t)i;
    }
    for (int c = 0; c < 14; c++) {
        ch13_params(&f);
        lt_client_hello_params *p = &f.p;
        switch (c) {
        case 0: p->session_id_len = 33; break;
        case 1: p->session_id = NULL; break;
        case 2: p->versions = many, p->n_versions = 128; break; /* versions<2..254> */
        case 3: p->versions = NULL; break;
        case 4: p->key_share_lens = &zero, p->n_key_shares = 1; break;
        case 5: p->key_share_keys = null_key; break;
        case 6: p->key_share_groups = dup_groups; break;
        case 7: p->cookie_len = 0; break;
        case 8: p->cookie = NULL; break;
        case 9: p->psk_modes_dhe = 0; break; /* 4.2.9 */
        case 10: p->binder_len = 31; break;
        case 11: p->binder_len = 256; break;
        case 12: f.id_lens[1] = 0; break;
        default: p->psk_obfuscated_ages = NULL; break;
        }
        lt_wr w = lt_wr_init(buf, sizeof buf);
        lt_write_client_hello(&w, p);
        if (lt_wr_finish(&w) != LT_ERR_INTERNAL) {
            fprintf(stderr, "  case %d accepted\n", c);
        }
        EXPECT_EQ(lt_wr_finish(&w), LT_ERR_INTERNAL);
        EXPECT_EQ(f.binders_offset, 0);
    }
    /* 127 versions is the most versions<2..254> holds. */
    ch13_params(&f);
    f.p.versions = many, f.p.n_versions = 127;
    lt_wr w = lt_wr_init(buf, sizeof buf);
    lt_write_client_hello(&w, &f.p);
    EXPECT_EQ(lt_wr_finish(&w), LT_OK);
    /* A key over key_exchange<1..2^16-1>. */
    static uint8_t big[65536];
    static uint8_t out[70000];
    const uint8_t *bk[1] = {big};
    size_t bl[1] = {65536};
    ch13_params(&f);
    f.p.key_share_keys = bk, f.p.key_share_lens = bl, f.p.n_key_shares = 1;
    w = lt_wr_init(out, sizeof out);
    lt_write_client_hello(&w, &f.p);
    EXPECT_EQ(lt_wr_finish(&w), LT_ERR_INTERNAL);
}

/* --- ClientHello: bad TLS 1.3 extensions ------------------------------- */

static void test_ch_supported_versions(void)
{
    lt_client_hello ch;
    EXPECT_EQ(ch_one_ext(LT_EXT_SUPPORTED_VERSIONS, "02 0304", &ch), LT_OK);
    EXPECT_EQ(ch.ext_seen, LT_SEEN_VERSIONS);
    EXPECT_EQ(ch_one_ext(LT_EXT_SUPPORTED_VERSIONS, "00", &ch), LT_ERR_DECODE);         /* < 2 */
    EXPECT_EQ(ch_one_ext(LT_EXT_SUPPORTED_VERSIONS, "01 03", &ch), LT_ERR_DECODE);      /* < 2 */
    EXPECT_EQ(ch_one_ext(LT_EXT_SUPPORTED_VERSIONS, "03 030403", &ch), LT_ERR_DECODE);  /* odd */
    EXPECT_EQ(ch_one_ext(LT_EXT_SUPPORTED_VERSIONS, "04 0304", &ch), LT_ERR_DECODE);    /* over the body */
    EXPECT_EQ(ch_one_ext(LT_EXT_SUPPORTED_VERSIONS, "02 0304 00", &ch), LT_ERR_DECODE); /* trailing */
    EXPECT_EQ(ch_one_ext(LT_EXT_SUPPORTED_VERSIONS, "", &ch), LT_ERR_DECODE);
    /* 254 bytes is the most; 255 is over versions<2..254>. */
    char hex[1200];
    strcpy(hex, "fe");
    for (int i = 0; i < 127; i++) {
        strcat(hex, "7a7a");
    }
    EXPECT_EQ(ch_one_ext(LT_EXT_SUPPORTED_VERSIONS, hex, &ch), LT_OK);
    EXPECT_EQ(lt_rd_left(&ch.versions), 254);
    strcpy(hex, "ff");
    for (int i = 0; i < 127; i++) {
        strcat(hex, "7a7a");
    }
    strcat(hex, "03");
    EXPECT_EQ(ch_one_ext(LT_EXT_SUPPORTED_VERSIONS, hex, &ch), LT_ERR_DECODE);
}

static void test_ch_key_share(void)
{
    lt_client_hello ch;
    /* client_shares<0..2^16-1>: empty is legal. */
    EXPECT_EQ(ch_one_ext(LT_EXT_KEY_SHARE, "0000", &ch), LT_OK);
    EXPECT_EQ(ch.n_key_shares, 0);
    EXPECT_EQ(ch.ext_seen, LT_SEEN_KEY_SHARE);
    EXPECT_EQ(ch_one_ext(LT_EXT_KEY_SHARE, "000e 001d 0002 aabb 0017 0001 cc 0100 0001 dd", &ch), LT_ERR_DECODE);
    EXPECT_EQ(ch_one_ext(LT_EXT_KEY_SHARE, "0010 001d 0002 aabb 0017 0001 cc 0100 0001 dd", &ch), LT_OK);
    EXPECT_EQ(ch.n_key_shares, 3);
    /* key_exchange<1..2^16-1>: an empty key. */
    EXPECT_EQ(ch_one_ext(LT_EXT_KEY_SHARE, "0004 001d 0000", &ch), LT_ERR_DECODE);
    /* A key longer than the list, a group cut, trailing bytes. */
    EXPECT_EQ(ch_one_ext(LT_EXT_KEY_SHARE, "0005 001d 0002 aa", &ch), LT_ERR_DECODE);
    EXPECT_EQ(ch_one_ext(LT_EXT_KEY_SHARE, "0001 00", &ch), LT_ERR_DECODE);
    EXPECT_EQ(ch_one_ext(LT_EXT_KEY_SHARE, "0005 001d 0001 aa 00", &ch), LT_ERR_DECODE);
    EXPECT_EQ(ch_one_ext(LT_EXT_KEY_SHARE, "00", &ch), LT_ERR_DECODE);
    EXPECT_EQ(ch_one_ext(LT_EXT_KEY_SHARE, "", &ch), LT_ERR_DECODE);
    /* 4.2.8: the same group twice is illegal_parameter, also apart. */
    EXPECT_EQ(ch_one_ext(LT_EXT_KEY_SHARE, "000a 001d 0001 aa 001d 0001 bb", &ch), LT_ERR_ILLEGAL_PARAMETER);
    EXPECT_EQ(ch_one_ext(LT_EXT_KEY_SHARE, "000f 001d 0001 aa 0017 0001 cc 001d 0001 bb", &ch),
              LT_ERR_ILLEGAL_PARAMETER);
    /* ... but bad syntax later in the list wins. */
    EXPECT_EQ(ch_one_ext(LT_EXT_KEY_SHARE, "000d 001d 0001 aa 001d 0001 bb 0017 00", &ch), LT_ERR_DECODE);
    /* GREASE groups are just groups. */
    EXPECT_EQ(ch_one_ext(LT_EXT_KEY_SHARE, "000a 2a2a 0001 00 001d 0001 bb", &ch), LT_OK);
    EXPECT_EQ(ch.n_key_shares, 2);
}

/* The most key shares a ClientHello can hold: 13105 one-byte keys fill a
 * key_share whose block is 2^16-1 bytes. All counted, all distinct. */
static void test_ch_key_share_most(void)
{
    static hb b;
    ch_start(&b);
    lt_wr_u16(&b.w, LT_EXT_KEY_SHARE);
    size_t data = lt_wr_open_vec(&b.w, 2);
    size_t list = lt_wr_open_vec(&b.w, 2);
    size_t count = (65535 - 4 - 2) / 5;
    for (size_t i = 0; i < count; i++) {
        lt_wr_u16(&b.w, (uint16_t)(i * 5));
        lt_wr_u16(&b.w, 1);
        lt_wr_u8(&b.w, (uint8_t)i);
    }
    lt_wr_close_vec(&b.w, list, 2);
    lt_wr_close_vec(&b.w, data, 2);
    size_t n = hb_end(&b);
    lt_client_hello ch;
    EXPECT_EQ(lt_parse_client_hello(exact(b.buf, n), n, &ch), LT_OK);
    EXPECT_EQ(ch.n_key_shares, count);
    /* The last group again instead of the last entry's own. */
    size_t last = n - 5;
    b.buf[last] = (uint8_t)(((count - 2) * 5) >> 8);
    b.buf[last + 1] = (uint8_t)((count - 2) * 5);
    EXPECT_EQ(run(p_ch, b.buf, n), LT_ERR_ILLEGAL_PARAMETER);
}

static void test_ch_cookie_and_modes(void)
{
    lt_client_hello ch;
    EXPECT_EQ(ch_one_ext(LT_EXT_COOKIE, "0003 aabbcc", &ch), LT_OK);
    EXPECT_EQ(lt_rd_left(&ch.cookie), 3);
    EXPECT_EQ(ch.ext_seen, LT_SEEN_COOKIE);
    EXPECT_EQ(ch_one_ext(LT_EXT_COOKIE, "0000", &ch), LT_ERR_DECODE); /* cookie<1..2^16-1> */
    EXPECT_EQ(ch_one_ext(LT_EXT_COOKIE, "0004 aabbcc", &ch), LT_ERR_DECODE);
    EXPECT_EQ(ch_one_ext(LT_EXT_COOKIE, "0002 aabbcc", &ch), LT_ERR_DECODE);
    EXPECT_EQ(ch_one_ext(LT_EXT_COOKIE, "", &ch), LT_ERR_DECODE);
    /* ke_modes<1..255>. */
    EXPECT_EQ(ch_one_ext(LT_EXT_PSK_KEY_EXCHANGE_MODES, "01 00", &ch), LT_OK);
    EXPECT_EQ(ch.psk_dhe_ke, 0);
    EXPECT_EQ(ch.ext_seen, LT_SEEN_PSK_MODES);
    EXPECT_EQ(ch_one_ext(LT_EXT_PSK_KEY_EXCHANGE_MODES, "03 00 07 01", &ch), LT_OK);
    EXPECT_EQ(ch.psk_dhe_ke, 1);
    EXPECT_EQ(lt_rd_left(&ch.psk_modes), 3);
    EXPECT_EQ(ch_one_ext(LT_EXT_PSK_KEY_EXCHANGE_MODES, "00", &ch), LT_ERR_DECODE);
    EXPECT_EQ(ch_one_ext(LT_EXT_PSK_KEY_EXCHANGE_MODES, "02 01", &ch), LT_ERR_DECODE);
    EXPECT_EQ(ch_one_ext(LT_EXT_PSK_KEY_EXCHANGE_MODES, "01 01 01", &ch), LT_ERR_DECODE);
}

/* One PskIdentity {identity "x", age} and one 32-byte binder. */
#define ONE_ID "0007 0001 78 00000001"
#define BINDER32 "20 0000000000000000000000000000000000000000000000000000000000000000"
#define ONE_BINDER "0021 " BINDER32

static void test_ch_pre_shared_key(void)
{
    lt_client_hello ch;
    EXPECT_EQ(ch_one_ext(LT_EXT_PRE_SHARED_KEY, ONE_ID ONE_BINDER, &ch), LT_OK);
    EXPECT_EQ(ch.n_psk_identities, 1);
    EXPECT_EQ(ch.ext_seen, LT_SEEN_PSK);
    /* The ClientHello of ch_one_ext: 2+32+1+4+2 = 41 bytes, the block's
     * length, type, length, identities (2+7). */
    EXPECT_EQ(ch.binders_offset, 41 + 2 + 4 + 9);
    /* identities<7..2^16-1>, identity<1..2^16-1>. */
    EXPECT_EQ(ch_one_ext(LT_EXT_PRE_SHARED_KEY, "0006 0000 00000001" ONE_BINDER, &ch), LT_ERR_DECODE);
    EXPECT_EQ(ch_one_ext(LT_EXT_PRE_SHARED_KEY, "0000" ONE_BINDER, &ch), LT_ERR_DECODE);
    EXPECT_EQ(ch_one_ext(LT_EXT_PRE_SHARED_KEY, "0007 0002 78 00000001" ONE_BINDER, &ch), LT_ERR_DECODE);
    EXPECT_EQ(ch_one_ext(LT_EXT_PRE_SHARED_KEY, "0008 0001 78 00000001 00" ONE_BINDER, &ch), LT_ERR_DECODE);
    /* binders<33..2^16-1>, PskBinderEntry<32..255>. */
    EXPECT_EQ(ch_one_ext(LT_EXT_PRE_SHARED_KEY,
                         ONE_ID "0021 1f 00000000000000000000000000000000000000000000000000000000000000 00", &ch),
              LT_ERR_DECODE);
    EXPECT_EQ(ch_one_ext(LT_EXT_PRE_SHARED_KEY, ONE_ID "0000", &ch), LT_ERR_DECODE);
    EXPECT_EQ(ch_one_ext(LT_EXT_PRE_SHARED_KEY, ONE_ID "0022 " BINDER32 "00", &ch), LT_ERR_DECODE);
    EXPECT_EQ(ch_one_ext(LT_EXT_PRE_SHARED_KEY, ONE_ID, &ch), LT_ERR_DECODE);
    EXPECT_EQ(ch_one_ext(LT_EXT_PRE_SHARED_KEY, ONE_ID ONE_BINDER "00", &ch), LT_ERR_DECODE);
    EXPECT_EQ(ch_one_ext(LT_EXT_PRE_SHARED_KEY, "", &ch), LT_ERR_DECODE);
    /* A 255-byte binder is the longest. */
    char hex[2048];
    strcpy(hex, ONE_ID "0100 ff");
    for (int i = 0; i < 255; i++) {
        strcat(hex, "ab");
    }
    EXPECT_EQ(ch_one_ext(LT_EXT_PRE_SHARED_KEY, hex, &ch), LT_OK);
    lt_rd binders = ch.psk_binders, binder;
    EXPECT_EQ(lt_psk_binder_next(&binders, &binder), 1);
    EXPECT_EQ(lt_rd_left(&binder), 255);
    /* Counts that differ: illegal_parameter, either way. */
    EXPECT_EQ(ch_one_ext(LT_EXT_PRE_SHARED_KEY, "000e 0001 78 00000001 0001 79 00000002" ONE_BINDER, &ch),
              LT_ERR_ILLEGAL_PARAMETER);
    EXPECT_EQ(ch_one_ext(LT_EXT_PRE_SHARED_KEY, ONE_ID "0042 " BINDER32 BINDER32, &ch), LT_ERR_ILLEGAL_PARAMETER);
    /* ... but a mismatch with bad syntax is decode_error. */
    EXPECT_EQ(ch_one_ext(LT_EXT_PRE_SHARED_KEY, ONE_ID "0043 " BINDER32 BINDER32 "00", &ch), LT_ERR_DECODE);
}

static void test_ch_psk_must_be_last(void)
{
    static hb b;
    /* 4.2.11: followed by any extension, known or not, empty or not. */
    const uint16_t after[] = {LT_EXT_EXTENDED_MASTER_SECRET, 0x7777, LT_EXT_PADDING};
    for (size_t i = 0; i < 3; i++) {
        ch_start(&b);
        hb_ext(&b, LT_EXT_SUPPORTED_VERSIONS, "02 0304");
        hb_ext(&b, LT_EXT_PRE_SHARED_KEY, ONE_ID ONE_BINDER);
        hb_ext(&b, after[i], "");
        size_t n = hb_end(&b);
        EXPECT_EQ(run(p_ch, b.buf, n), LT_ERR_ILLEGAL_PARAMETER);
    }
    /* First of several, or last: only last passes. */
    ch_start(&b);
    hb_ext(&b, LT_EXT_PRE_SHARED_KEY, ONE_ID ONE_BINDER);
    hb_ext(&b, LT_EXT_SUPPORTED_VERSIONS, "02 0304");
    size_t n = hb_end(&b);
    EXPECT_EQ(run(p_ch, b.buf, n), LT_ERR_ILLEGAL_PARAMETER);
    ch_start(&b);
    hb_ext(&b, LT_EXT_SUPPORTED_VERSIONS, "02 0304");
    hb_ext(&b, LT_EXT_PSK_KEY_EXCHANGE_MODES, "01 01");
    hb_ext(&b, LT_EXT_PRE_SHARED_KEY, ONE_ID ONE_BINDER);
    n = hb_end(&b);
    lt_client_hello ch;
    EXPECT_EQ(lt_parse_client_hello(exact(b.buf, n), n, &ch), LT_OK);
    EXPECT_EQ(ch.binders_offset, n - 35);
    /* Two pre_shared_key: a duplicate (illegal_parameter as well). */
    ch_start(&b);
    hb_ext(&b, LT_EXT_PRE_SHARED_KEY, ONE_ID ONE_BINDER);
    hb_ext(&b, LT_EXT_PRE_SHARED_KEY, ONE_ID ONE_BINDER);
    n = hb_end(&b);
    EXPECT_EQ(run(p_ch, b.buf, n), LT_ERR_ILLEGAL_PARAMETER);
}

static void test_ch_empty_and_opaque_extensions(void)
{
    lt_client_hello ch;
    EXPECT_EQ(ch_one_ext(LT_EXT_EARLY_DATA, "", &ch), LT_OK);
    EXPECT_EQ(ch.early_data, 1);
    EXPECT_EQ(ch.ext_seen, LT_SEEN_EARLY_DATA);
    EXPECT_EQ(ch_one_ext(LT_EXT_EARLY_DATA, "00", &ch), LT_ERR_DECODE);
    EXPECT_EQ(ch_one_ext(LT_EXT_EARLY_DATA, "00000400", &ch), LT_ERR_DECODE); /* the NST form */
    EXPECT_EQ(ch_one_ext(LT_EXT_POST_HANDSHAKE_AUTH, "", &ch), LT_OK);
    EXPECT_EQ(ch.post_handshake_auth, 1);
    EXPECT_EQ(ch.ext_seen, LT_SEEN_POST_HS_AUTH);
    EXPECT_EQ(ch_one_ext(LT_EXT_POST_HANDSHAKE_AUTH, "01", &ch), LT_ERR_DECODE);
    /* padding: any bytes, any length (RFC 7685 says zeros; we do not
     * check). */
    EXPECT_EQ(ch_one_ext(LT_EXT_PADDING, "", &ch), LT_OK);
    EXPECT_EQ(ch.ext_seen, LT_SEEN_PADDING);
    EXPECT_EQ(ch_one_ext(LT_EXT_PADDING, "00 00 00 ff 17", &ch), LT_OK);
    /* certificate_authorities<3..2^16-1> of DistinguishedName<1..2^16-1>. */
    EXPECT_EQ(ch_one_ext(LT_EXT_CERTIFICATE_AUTHORITIES, "0003 0001 41", &ch), LT_OK);
    EXPECT_EQ(ch.ext_seen, LT_SEEN_CAS);
    EXPECT_EQ(ch_one_ext(LT_EXT_CERTIFICATE_AUTHORITIES, "0008 0001 41 0003 424344", &ch), LT_OK);
    EXPECT_EQ(ch_one_ext(LT_EXT_CERTIFICATE_AUTHORITIES, "0002 0000", &ch), LT_ERR_DECODE);
    EXPECT_EQ(ch_one_ext(LT_EXT_CERTIFICATE_AUTHORITIES, "0003 0000 41", &ch), LT_ERR_DECODE);
    EXPECT_EQ(ch_one_ext(LT_EXT_CERTIFICATE_AUTHORITIES, "0004 0003 4142", &ch), LT_ERR_DECODE);
    EXPECT_EQ(ch_one_ext(LT_EXT_CERTIFICATE_AUTHORITIES, "0003 0001 41 00", &ch), LT_ERR_DECODE);
    EXPECT_EQ(ch_one_ext(LT_EXT_CERTIFICATE_AUTHORITIES, "", &ch), LT_ERR_DECODE);
}

static void test_ch_walkers_stop_on_garbage(void)
{
    /* The walkers are for lists a parser framed; handed anything else they
     * stop, and stay stopped. */
    uint8_t junk[] = {0x00, 0x2b, 0x00, 0x05, 0x02};
    lt_rd r = lt_rd_init(junk, sizeof junk), body, x;
    uint16_t type = 0;
    uint32_t age;
    EXPECT_EQ(lt_ext_next(&r, &type, &body), 0);
    EXPECT_EQ(lt_rd_left(&r), 0);
    EXPECT_EQ(lt_ext_next(&r, &type, &body), 0);
    r = lt_rd_init(junk, sizeof junk);
    EXPECT_EQ(lt_key_share_next(&r, &type, &x), 0);
    EXPECT_EQ(lt_rd_left(&r), 0);
    r = lt_rd_init(junk, sizeof junk);
    EXPECT_EQ(lt_psk_identity_next(&r, &x, &age), 0);
    r = lt_rd_init(junk, sizeof junk);
    EXPECT_EQ(lt_psk_binder_next(&r, &x), 0); /* 0x00-long: under 32 */
    EXPECT_EQ(lt_rd_left(&r), 0);
    /* A well-formed list walks to its end. */
    uint8_t exts[] = {0x00, 0x17, 0x00, 0x00, 0xff, 0x01, 0x00, 0x01, 0x00};
    r = lt_rd_init(exts, sizeof exts);
    EXPECT_EQ(lt_ext_next(&r, &type, &body), 1);
    EXPECT_EQ(type, LT_EXT_EXTENDED_MASTER_SECRET);
    EXPECT_EQ(lt_rd_left(&body), 0);
    EXPECT_EQ(lt_ext_next(&r, &type, &body), 1);
    EXPECT_EQ(type, LT_EXT_RENEGOTIATION_INFO);
    EXPECT_EQ(lt_rd_left(&body), 1);
    EXPECT_EQ(lt_ext_next(&r, &type, &body), 0);
}

/* --- ServerHello and HelloRetryRequest --------------------------------- */

static void test_sh_real_openssl(void)
{
    static uint8_t buf[BUF_CAP];
    lt_server_hello sh;
    size_t n = real_body(OSSL_SH, buf, LT_HS_SERVER_HELLO);
    EXPECT_EQ(lt_parse_server_hello(exact(buf + 4, n), n, &sh), LT_OK);
    EXPECT_EQ(sh.is_hrr, 0);
    EXPECT_EQ(sh.server_version, 0x0303);
    EXPECT_EQ(sh.cipher_suite, 0x1302);
    EXPECT_EQ(sh.session_id_len, 32);
    EXPECT_EQ(sh.ext_seen, LT_SEEN_VERSIONS | LT_SEEN_KEY_SHARE);
    EXPECT_EQ(sh.selected_version, 0x0304);
    EXPECT_EQ(sh.key_share_group, 0x001d);
    EXPECT_EQ(lt_rd_left(&sh.key_share_key), 32);
    EXPECT_EQ(sh.key_share_key.p[0], 0x4a);
    EXPECT_EQ(sh.has_unknown_ext, 0);
    EXPECT_EQ(sh.has_forbidden_ext, 0);
    check_truncations(p_sh, buf + 4, n, sh_ext_offset(buf + 4));
    check_trailing(p_sh, buf + 4, n);

    n = real_body(OSSL_HRR, buf, LT_HS_SERVER_HELLO);
    EXPECT_EQ(lt_parse_server_hello(exact(buf + 4, n), n, &sh), LT_OK);
    EXPECT_EQ(sh.is_hrr, 1);
    EXPECT_EQ(sh.ext_seen, LT_SEEN_VERSIONS | LT_SEEN_KEY_SHARE);
    EXPECT_EQ(sh.selected_version, 0x0304);
    EXPECT_EQ(sh.key_share_group, 0x0017);
    EXPECT_EQ(lt_rd_left(&sh.key_share_key), 0);
    EXPECT_EQ(lt_rd_left(&sh.cookie), 0);
    EXPECT_EQ(sh.has_forbidden_ext, 0);
    check_truncations(p_sh, buf + 4, n, sh_ext_offset(buf + 4));
    check_trailing(p_sh, buf + 4, n);

    n = real_body(OSSL_SH_PSK, buf, LT_HS_SERVER_HELLO);
    EXPECT_EQ(lt_parse_server_hello(exact(buf + 4, n), n, &sh), LT_OK);
    EXPECT_EQ(sh.ext_seen, LT_SEEN_VERSIONS | LT_SEEN_KEY_SHARE | LT_SEEN_PSK);
    EXPECT_EQ(sh.psk_identity, 0);
    EXPECT_EQ(sh.has_forbidden_ext, 0);
}

static void test_sh_rfc8448(void)
{
    static uint8_t buf[BUF_CAP];
    lt_server_hello sh;
    size_t n = real_body(RFC_SH, buf, LT_HS_SERVER_HELLO);
    EXPECT_EQ(lt_parse_server_hello(exact(buf + 4, n), n, &sh), LT_OK);
    EXPECT_EQ(sh.is_hrr, 0);
    EXPECT_EQ(sh.cipher_suite, 0x1301);
    EXPECT_EQ(sh.key_share_group, 0x001d);
    EXPECT_EQ(sh.key_share_key.p[0], 0xc9);
    EXPECT_EQ(sh.selected_version, 0x0304);

    n = real_body(RFC_SH_PSK, buf, LT_HS_SERVER_HELLO);
    EXPECT_EQ(lt_parse_server_hello(exact(buf + 4, n), n, &sh), LT_OK);
    EXPECT_EQ(sh.ext_seen, LT_SEEN_VERSIONS | LT_SEEN_KEY_SHARE | LT_SEEN_PSK);
    EXPECT_EQ(sh.psk_identity, 0);

    /* 5: a HelloRetryRequest with a cookie. */
    n = real_body(RFC_HRR, buf, LT_HS_SERVER_HELLO);
    EXPECT_EQ(lt_parse_server_hello(exact(buf + 4, n), n, &sh), LT_OK);
    EXPECT_EQ(sh.is_hrr, 1);
    EXPECT_EQ(sh.ext_seen, LT_SEEN_VERSIONS | LT_SEEN_KEY_SHARE | LT_SEEN_COOKIE);
    EXPECT_EQ(sh.key_share_group, 0x0017);
    EXPECT_EQ(lt_rd_left(&sh.cookie), 114);
    EXPECT_EQ(sh.has_forbidden_ext, 0);
    check_truncations(p_sh, buf + 4, n, sh_ext_offset(buf + 4));
    check_trailing(p_sh, buf + 4, n);
}

static void test_sh_bad_extensions(void)
{
    lt_server_hello sh;
    /* supported_versions: exactly a ProtocolVersion. */
    EXPECT_EQ(sh_one_ext(0, LT_EXT_SUPPORTED_VERSIONS, "03", &sh), LT_ERR_DECODE);
    EXPECT_EQ(sh_one_ext(0, LT_EXT_SUPPORTED_VERSIONS, "030400", &sh), LT_ERR_DECODE);
    EXPECT_EQ(sh_one_ext(0, LT_EXT_SUPPORTED_VERSIONS, "02 0304", &sh), LT_ERR_DECODE); /* the client's form */
    EXPECT_EQ(sh_one_ext(1, LT_EXT_SUPPORTED_VERSIONS, "", &sh), LT_ERR_DECODE);
    /* key_share in a ServerHello: one whole KeyShareEntry. */
    EXPECT_EQ(sh_one_ext(0, LT_EXT_KEY_SHARE, "001d", &sh), LT_ERR_DECODE);
    EXPECT_EQ(sh_one_ext(0, LT_EXT_KEY_SHARE, "001d 0000", &sh), LT_ERR_DECODE);
    EXPECT_EQ(sh_one_ext(0, LT_EXT_KEY_SHARE, "001d 0002 aa", &sh), LT_ERR_DECODE);
    EXPECT_EQ(sh_one_ext(0, LT_EXT_KEY_SHARE, "001d 0001 aa 00", &sh), LT_ERR_DECODE);
    EXPECT_EQ(sh_one_ext(0, LT_EXT_KEY_SHARE, "0005 001d 0001 aa", &sh), LT_ERR_DECODE); /* the client's form */
    EXPECT_EQ(sh_one_ext(0, LT_EXT_KEY_SHARE, "001d 0001 aa", &sh), LT_OK);
    /* ... in a HelloRetryRequest: a bare NamedGroup. */
    EXPECT_EQ(sh_one_ext(1, LT_EXT_KEY_SHARE, "001d 0001 aa", &sh), LT_ERR_DECODE);
    EXPECT_EQ(sh_one_ext(1, LT_EXT_KEY_SHARE, "00", &sh), LT_ERR_DECODE);
    EXPECT_EQ(sh_one_ext(1, LT_EXT_KEY_SHARE, "001d", &sh), LT_OK);
    EXPECT_EQ(sh.key_share_group, 0x001d);
    /* cookie<1..2^16-1>. */
    EXPECT_EQ(sh_one_ext(1, LT_EXT_COOKIE, "0000", &sh), LT_ERR_DECODE);
    EXPECT_EQ(sh_one_ext(1, LT_EXT_COOKIE, "0002 aa", &sh), LT_ERR_DECODE);
    EXPECT_EQ(sh_one_ext(1, LT_EXT_COOKIE, "0001 aa 00", &sh), LT_ERR_DECODE);
    EXPECT_EQ(sh_one_ext(1, LT_EXT_COOKIE, "0001 aa", &sh), LT_OK);
    /* pre_shared_key: a uint16 selected_identity. */
    EXPECT_EQ(sh_one_ext(0, LT_EXT_PRE_SHARED_KEY, "00", &sh), LT_ERR_DECODE);
    EXPECT_EQ(sh_one_ext(0, LT_EXT_PRE_SHARED_KEY, "000100", &sh), LT_ERR_DECODE);
    EXPECT_EQ(sh_one_ext(0, LT_EXT_PRE_SHARED_KEY, "0003", &sh), LT_OK);
    EXPECT_EQ(sh.psk_identity, 3);
}

/* A well-formed ServerHello body for each known type (the ones a
 * ServerHello never carries parse with any body, or an empty one). */
static const char *sh_body_for(uint16_t type, int hrr)
{
    switch (type) {
    case LT_EXT_SUPPORTED_VERSIONS: return "0304";
    case LT_EXT_KEY_SHARE: return hrr ? "001d" : "001d 0001 aa";
    case LT_EXT_COOKIE: return "0001 aa";
    case LT_EXT_PRE_SHARED_KEY: return "0000";
    case LT_EXT_RENEGOTIATION_INFO: return "00";
    case LT_EXT_EC_POINT_FORMATS: return "01 00";
    case LT_EXT_ALPN: return "0003 02 6832";
    default: return "";
    }
}

/* RFC 8446 4.2: which known extensions a TLS 1.3 ServerHello or
 * HelloRetryRequest must not carry. They are reported in forbidden_ext;
 * the TLS 1.2 ones keep their TLS 1.2 handling (ext_seen), the rest stay
 * unknown_ext as before. */
static void test_sh_forbidden_extensions(void)
{
    lt_server_hello sh;
    EXPECT_EQ(sh_one_ext(0, LT_EXT_COOKIE, "0001 aa", &sh), LT_OK);
    EXPECT_EQ(sh.ext_seen, LT_SEEN_COOKIE);
    EXPECT(sh.has_forbidden_ext && sh.forbidden_ext == LT_EXT_COOKIE);
    EXPECT_EQ(sh_one_ext(1, LT_EXT_PRE_SHARED_KEY, "0000", &sh), LT_OK);
    EXPECT_EQ(sh.ext_seen, LT_SEEN_PSK);
    EXPECT(sh.has_forbidden_ext && sh.forbidden_ext == LT_EXT_PRE_SHARED_KEY);
    EXPECT_EQ(sh_one_ext(0, LT_EXT_EXTENDED_MASTER_SECRET, "", &sh), LT_OK);
    EXPECT_EQ(sh.ext_seen, LT_SEEN_EMS);
    EXPECT_EQ(sh.has_unknown_ext, 0);
    EXPECT(sh.has_forbidden_ext && sh.forbidden_ext == LT_EXT_EXTENDED_MASTER_SECRET);
    EXPECT_EQ(sh_one_ext(0, LT_EXT_EARLY_DATA, "", &sh), LT_OK);
    EXPECT(sh.has_unknown_ext && sh.unknown_ext == LT_EXT_EARLY_DATA);
    EXPECT(sh.has_forbidden_ext && sh.forbidden_ext == LT_EXT_EARLY_DATA);
    /* Every known type but the three of each form. */
    const uint16_t sh_ok[] = {LT_EXT_SUPPORTED_VERSIONS, LT_EXT_KEY_SHARE, LT_EXT_PRE_SHARED_KEY};
    const uint16_t hrr_ok[] = {LT_EXT_SUPPORTED_VERSIONS, LT_EXT_KEY_SHARE, LT_EXT_COOKIE};
    for (int hrr = 0; hrr < 2; hrr++) {
        for (size_t i = 0; i < N_KNOWN; i++) {
            EXPECT_EQ(sh_one_ext(hrr, KNOWN[i], sh_body_for(KNOWN[i], hrr), &sh), LT_OK);
            int ok = in_list(KNOWN[i], hrr ? hrr_ok : sh_ok, 3);
            EXPECT_EQ(sh.has_forbidden_ext, !ok);
            if (!ok) {
                EXPECT_EQ(sh.forbidden_ext, KNOWN[i]);
            }
        }
    }
    /* The first one is the one reported; unknown types are not forbidden. */
    static hb b;
    sh_start(&b, 0);
    hb_ext(&b, 0x1234, "");
    hb_ext(&b, LT_EXT_SUPPORTED_VERSIONS, "0304");
    hb_ext(&b, LT_EXT_SESSION_TICKET, "");
    hb_ext(&b, LT_EXT_SERVER_NAME, "");
    size_t n = hb_end(&b);
    EXPECT_EQ(lt_parse_server_hello(exact(b.buf, n), n, &sh), LT_OK);
    EXPECT_EQ(sh.forbidden_ext, LT_EXT_SESSION_TICKET);
    EXPECT_EQ(sh.unknown_ext, 0x1234);
}

static void test_sh_write_roundtrip(void)
{
    uint8_t random[32], sid[32], key[65], cookie[5] = {1, 2, 3, 4, 5};
    memset(random, 0x5a, sizeof random);
    memset(sid, 0x77, sizeof sid);
    memset(key, 0x04, sizeof key);
    lt_server_hello_params p = {.server_version = 0x0303,
                                .random = random,
                                .session_id = sid,
                                .session_id_len = 32,
                                .cipher_suite = 0x1303,
                                .selected_version = 0x0304,
                                .key_share_group = 0x0017,
                                .key_share_key = key,
                                .key_share_len = 65,
                                .psk_selected = 1,
                                .psk_identity = 2};
    uint8_t buf[1024];
    lt_wr w = lt_wr_init(buf, sizeof buf);
    lt_write_server_hello(&w, &p);
    size_t n = written_body(&w, LT_HS_SERVER_HELLO);
    lt_server_hello sh;
    EXPECT_EQ(lt_parse_server_hello(exact(buf + 4, n), n, &sh), LT_OK);
    EXPECT_EQ(sh.is_hrr, 0);
    EXPECT_EQ(sh.cipher_suite, 0x1303);
    EXPECT_EQ(sh.session_id_len, 32);
    EXPECT_EQ(sh.ext_seen, LT_SEEN_VERSIONS | LT_SEEN_KEY_SHARE | LT_SEEN_PSK);
    EXPECT_EQ(sh.selected_version, 0x0304);
    EXPECT_EQ(sh.key_share_group, 0x0017);
    EXPECT(sh.key_share_key.len == 65 && memcmp(sh.key_share_key.p, key, 65) == 0);
    EXPECT_EQ(sh.psk_identity, 2);
    EXPECT_EQ(sh.has_forbidden_ext, 0);
    check_truncations(p_sh, buf + 4, n, sh_ext_offset(buf + 4));
    check_trailing(p_sh, buf + 4, n);

    /* A HelloRetryRequest, exactly. */
    lt_server_hello_params h = {.server_version = 0x0303,
                                .random = LT_HRR_RANDOM,
                                .cipher_suite = 0x1301,
                                .selected_version = 0x0304,
                                .key_share_group = 0x0017,
                                .cookie = cookie,
                                .cookie_len = 5};
    w = lt_wr_init(buf, sizeof buf);
    lt_write_server_hello(&w, &h);
    n = written_body(&w, LT_HS_SERVER_HELLO);
    uint8_t want[128];
    size_t wn = lt_test_unhex("02 00003f 0303" HRR_RANDOM_HEX "00 1301 00 0017"
                              "002b 0002 0304"
                              "0033 0002 0017"
                              "002c 0007 0005 0102030405",
                              want, sizeof want);
    EXPECT_EQ(w.off, wn);
    EXPECT_MEM(buf, want, wn);
    EXPECT_EQ(lt_parse_server_hello(exact(buf + 4, n), n, &sh), LT_OK);
    EXPECT_EQ(sh.is_hrr, 1);
    EXPECT_EQ(sh.ext_seen, LT_SEEN_VERSIONS | LT_SEEN_KEY_SHARE | LT_SEEN_COOKIE);
    EXPECT_EQ(sh.key_share_group, 0x0017);
    EXPECT(sh.cookie.len == 5 && memcmp(sh.cookie.p, cookie, 5) == 0);

    /* The writer refuses what would not parse back. */
    lt_server_hello_params bad[5];
    for (int i = 0; i < 5; i++) {
        bad[i] = h;
    }
    bad[0].key_share_key = key, bad[0].key_share_len = 65; /* HRR with a key */
    bad[1].random = random;                                /* SH with a bare group */
    bad[2].cookie_len = 0;
    bad[3].cookie = NULL;
    bad[4].random = random, bad[4].key_share_key = NULL, bad[4].key_share_len = 3;
    for (int i = 0; i < 5; i++) {
        w = lt_wr_init(buf, sizeof buf);
        lt_write_server_hello(&w, &bad[i]);
        EXPECT_EQ(lt_wr_finish(&w), LT_ERR_INTERNAL);
    }
}

/* --- EncryptedExtensions ----------------------------------------------- */

static void test_ee_real(void)
{
    static uint8_t buf[BUF_CAP];
    lt_encrypted_extensions ee;
    size_t n = real_body(OSSL_EE, buf, LT_HS_ENCRYPTED_EXTENSIONS);
    EXPECT_EQ(n, 2);
    EXPECT_EQ(lt_parse_encrypted_extensions(exact(buf + 4, n), n, &ee), LT_OK);
    EXPECT_EQ(ee.ext_seen, 0);
    EXPECT_EQ(ee.has_unknown_ext, 0);
    check_truncations(p_ee, buf + 4, n, (size_t)-1);
    check_trailing(p_ee, buf + 4, n);

    /* RFC 8448 3: supported_groups, record_size_limit (28, which we do
     * not know), server_name. */
    n = real_body(RFC_EE, buf, LT_HS_ENCRYPTED_EXTENSIONS);
    EXPECT_EQ(lt_parse_encrypted_extensions(exact(buf + 4, n), n, &ee), LT_OK);
    EXPECT_EQ(ee.ext_seen, LT_SEEN_GROUPS | LT_SEEN_SNI);
    EXPECT_EQ(ee.sni_ack, 1);
    EXPECT_EQ(lt_rd_left(&ee.groups), 18);
    EXPECT(lt_u16_list_has(ee.groups, 0x0104));
    EXPECT(ee.has_unknown_ext && ee.unknown_ext == 28);
    check_truncations(p_ee, buf + 4, n, (size_t)-1);
    check_trailing(p_ee, buf + 4, n);

    /* RFC 8448 4: and early_data. */
    n = real_body(RFC_EE_EARLY, buf, LT_HS_ENCRYPTED_EXTENSIONS);
    EXPECT_EQ(lt_parse_encrypted_extensions(exact(buf + 4, n), n, &ee), LT_OK);
    EXPECT_EQ(ee.ext_seen, LT_SEEN_GROUPS | LT_SEEN_SNI | LT_SEEN_EARLY_DATA);
    EXPECT_EQ(ee.early_data, 1);
}

static void test_ee_write_roundtrip(void)
{
    uint8_t buf[256], want[64];
    lt_encrypted_extensions_params p = {.sni_ack = 1, .early_data = 1, .alpn = (const uint8_t *)"h2", .alpn_len = 2};
    lt_wr w = lt_wr_init(buf, sizeof buf);
    lt_write_encrypted_extensions(&w, &p);
    size_t n = written_body(&w, LT_HS_ENCRYPTED_EXTENSIONS);
    size_t wn = lt_test_unhex("08 000013 0011 0000 0000 0010 0005 0003 02 6832 002a 0000", want, sizeof want);
    EXPECT_EQ(w.off, wn);
    EXPECT_MEM(buf, want, wn);
    lt_encrypted_extensions ee;
    EXPECT_EQ(lt_parse_encrypted_extensions(exact(buf + 4, n), n, &ee), LT_OK);
    EXPECT_EQ(ee.ext_seen, LT_SEEN_SNI | LT_SEEN_ALPN | LT_SEEN_EARLY_DATA);
    EXPECT(ee.alpn.len == 2 && memcmp(ee.alpn.p, "h2", 2) == 0);
    check_truncations(p_ee, buf + 4, n, (size_t)-1);
    check_trailing(p_ee, buf + 4, n);
    /* Nothing to say: an empty block. */
    lt_encrypted_extensions_params none = {0};
    w = lt_wr_init(buf, sizeof buf);
    lt_write_encrypted_extensions(&w, &none);
    EXPECT_EQ(written_body(&w, LT_HS_ENCRYPTED_EXTENSIONS), 2);
    EXPECT(buf[4] == 0 && buf[5] == 0);
    /* ProtocolName<1..2^8-1>. */
    static uint8_t name[256];
    lt_encrypted_extensions_params bad[3] = {
        {.alpn = name, .alpn_len = 0}, {.alpn = name, .alpn_len = 256}, {.alpn = NULL, .alpn_len = 2}};
    for (int i = 0; i < 3; i++) {
        w = lt_wr_init(buf, sizeof buf);
        lt_write_encrypted_extensions(&w, &bad[i]);
        EXPECT_EQ(lt_wr_finish(&w), LT_ERR_INTERNAL);
    }
    lt_encrypted_extensions_params longest = {.alpn = name, .alpn_len = 255};
    static uint8_t big[512];
    w = lt_wr_init(big, sizeof big);
    lt_write_encrypted_extensions(&w, &longest);
    n = written_body(&w, LT_HS_ENCRYPTED_EXTENSIONS);
    EXPECT_EQ(lt_parse_encrypted_extensions(exact(big + 4, n), n, &ee), LT_OK);
    EXPECT_EQ(lt_rd_left(&ee.alpn), 255);
}

static void test_ee_forbidden_extensions(void)
{
    /* RFC 8446 4.2: of the types we know, only these may be in an
     * EncryptedExtensions; every other one is illegal_parameter, whatever
     * its body. */
    const uint16_t allowed[] = {LT_EXT_SERVER_NAME, LT_EXT_SUPPORTED_GROUPS, LT_EXT_ALPN, LT_EXT_EARLY_DATA};
    lt_encrypted_extensions ee;
    for (size_t i = 0; i < N_KNOWN; i++) {
        if (in_list(KNOWN[i], allowed, 4)) {
            continue;
        }
        EXPECT_EQ(ee_one_ext(KNOWN[i], "", &ee), LT_ERR_ILLEGAL_PARAMETER);
        EXPECT_EQ(ee_one_ext(KNOWN[i], "0002 0017", &ee), LT_ERR_ILLEGAL_PARAMETER);
    }
    EXPECT_EQ(ee_one_ext(LT_EXT_KEY_SHARE, "001d 0001 aa", &ee), LT_ERR_ILLEGAL_PARAMETER);
    EXPECT_EQ(ee_one_ext(LT_EXT_SUPPORTED_VERSIONS, "0304", &ee), LT_ERR_ILLEGAL_PARAMETER);
    /* Unknown types are reported, the first one. */
    static hb b;
    hb_start(&b, "");
    hb_ext(&b, 0x0001, "01"); /* max_fragment_length: allowed, unknown to us */
    hb_ext(&b, 0x4444, "");
    size_t n = hb_end(&b);
    EXPECT_EQ(lt_parse_encrypted_extensions(exact(b.buf, n), n, &ee), LT_OK);
    EXPECT(ee.has_unknown_ext && ee.unknown_ext == 1);
    /* A duplicate, known or not. */
    hb_start(&b, "");
    hb_ext(&b, 0x4444, "");
    hb_ext(&b, 0x4444, "");
    n = hb_end(&b);
    EXPECT_EQ(run(p_ee, b.buf, n), LT_ERR_ILLEGAL_PARAMETER);
    hb_start(&b, "");
    hb_ext(&b, LT_EXT_EARLY_DATA, "");
    hb_ext(&b, LT_EXT_EARLY_DATA, "");
    n = hb_end(&b);
    EXPECT_EQ(run(p_ee, b.buf, n), LT_ERR_ILLEGAL_PARAMETER);
    /* Bad syntax anywhere wins over a forbidden type before it. */
    hb_start(&b, "");
    hb_ext(&b, LT_EXT_KEY_SHARE, "");
    hb_ext(&b, LT_EXT_EARLY_DATA, "00");
    n = hb_end(&b);
    EXPECT_EQ(run(p_ee, b.buf, n), LT_ERR_DECODE);
    hb_start(&b, "");
    hb_ext(&b, LT_EXT_KEY_SHARE, "");
    hb_ext(&b, LT_EXT_EARLY_DATA, "");
    n = hb_end(&b);
    EXPECT_EQ(run(p_ee, b.buf, n), LT_ERR_ILLEGAL_PARAMETER);
}

static void test_ee_bad_bodies(void)
{
    lt_encrypted_extensions ee;
    EXPECT_EQ(ee_one_ext(LT_EXT_SERVER_NAME, "00", &ee), LT_ERR_DECODE);
    EXPECT_EQ(ee_one_ext(LT_EXT_SUPPORTED_GROUPS, "0003 001d00", &ee), LT_ERR_DECODE);
    EXPECT_EQ(ee_one_ext(LT_EXT_SUPPORTED_GROUPS, "0000", &ee), LT_ERR_DECODE);
    EXPECT_EQ(ee_one_ext(LT_EXT_SUPPORTED_GROUPS, "0002 001d 00", &ee), LT_ERR_DECODE);
    EXPECT_EQ(ee_one_ext(LT_EXT_ALPN, "0001 00", &ee), LT_ERR_DECODE);
    EXPECT_EQ(ee_one_ext(LT_EXT_ALPN, "0004 02 6832", &ee), LT_ERR_DECODE);
    EXPECT_EQ(ee_one_ext(LT_EXT_EARLY_DATA, "00000000", &ee), LT_ERR_DECODE);
    /* The block is not optional here, and must be the whole body. */
    uint8_t body[4] = {0x00, 0x01, 0x00, 0x00};
    EXPECT_EQ(run(p_ee, body, 0), LT_ERR_DECODE);
    EXPECT_EQ(run(p_ee, body, 2), LT_ERR_DECODE);
    EXPECT_EQ(run(p_ee, body + 2, 2), LT_OK);
    uint8_t cut[6] = {0x00, 0x04, 0x00, 0x00, 0x00, 0x01};
    EXPECT_EQ(run(p_ee, cut, 6), LT_ERR_DECODE); /* an extension longer than the block */
}

/* --- Certificate ------------------------------------------------------- */

static void test_cert13_real(void)
{
    static uint8_t buf[BUF_CAP];
    lt_certificate13 c;
    size_t n = real_body(OSSL_CERT, buf, LT_HS_CERTIFICATE);
    EXPECT_EQ(lt_parse_certificate13(exact(buf + 4, n), n, &c), LT_OK);
    EXPECT_EQ(lt_rd_left(&c.context), 0);
    EXPECT_EQ(c.chain.n, 1);
    EXPECT_EQ(c.chain.n_listed, 1);
    EXPECT_EQ(c.chain.len[0], 386);
    EXPECT_EQ(c.chain.der[0][0], 0x30);
    EXPECT_EQ(c.n_entry_exts, 0);
    /* Our writer gives the same bytes back. */
    static uint8_t out[BUF_CAP];
    lt_wr w = lt_wr_init(out, sizeof out);
    lt_write_certificate13(&w, NULL, 0, c.chain.der, c.chain.len, c.chain.n);
    EXPECT_EQ(written_body(&w, LT_HS_CERTIFICATE), n);
    EXPECT_MEM(out, buf, n + 4);
    check_truncations(p_cert, buf + 4, n, (size_t)-1);
    check_trailing(p_cert, buf + 4, n);

    n = real_body(OSSL_CLIENT_CERT, buf, LT_HS_CERTIFICATE);
    EXPECT_EQ(lt_parse_certificate13(exact(buf + 4, n), n, &c), LT_OK);
    EXPECT_EQ(c.chain.n, 1);

    n = real_body(RFC_CERT, buf, LT_HS_CERTIFICATE);
    EXPECT_EQ(lt_parse_certificate13(exact(buf + 4, n), n, &c), LT_OK);
    EXPECT_EQ(c.chain.n, 1);
    EXPECT_EQ(c.chain.len[0], 432);
    check_truncations(p_cert, buf + 4, n, (size_t)-1);
}

static void test_cert13_write_roundtrip(void)
{
    uint8_t a[3] = {1, 2, 3}, b2[1] = {9}, cc[300];
    memset(cc, 0x33, sizeof cc);
    const uint8_t *der[3] = {a, b2, cc};
    size_t len[3] = {3, 1, 300};
    uint8_t ctx[2] = {0xab, 0xcd};
    static uint8_t buf[2048];
    lt_wr w = lt_wr_init(buf, sizeof buf);
    lt_write_certificate13(&w, ctx, 2, der, len, 3);
    size_t n = written_body(&w, LT_HS_CERTIFICATE);
    EXPECT_EQ(n, 1 + 2 + 3 + 3 * (3 + 2) + 3 + 1 + 300);
    uint8_t head[24];
    size_t hn = lt_test_unhex("02 abcd 00013f 000003 010203 0000 000001 09 0000 00012c", head, sizeof head);
    EXPECT_MEM(buf + 4, head, hn);
    lt_certificate13 c;
    EXPECT_EQ(lt_parse_certificate13(exact(buf + 4, n), n, &c), LT_OK);
    EXPECT(c.context.len == 2 && memcmp(c.context.p, ctx, 2) == 0);
    EXPECT_EQ(c.chain.n, 3);
    EXPECT(c.chain.len[2] == 300 && memcmp(c.chain.der[2], cc, 300) == 0);
    check_truncations(p_cert, buf + 4, n, (size_t)-1);
    check_trailing(p_cert, buf + 4, n);
    /* The empty Certificate a client without one sends (4.4.2.4). */
    w = lt_wr_init(buf, sizeof buf);
    lt_write_certificate13(&w, ctx, 1, NULL, NULL, 0);
    EXPECT_EQ(written_body(&w, LT_HS_CERTIFICATE), 5);
    EXPECT_MEM(buf, "\x0b\x00\x00\x05\x01\xab\x00\x00\x00", 9);
    EXPECT_EQ(lt_parse_certificate13(exact(buf + 4, 5), 5, &c), LT_OK);
    EXPECT_EQ(c.chain.n, 0);
    /* Refused: a context over 255 bytes, or without bytes, an empty entry. */
    static uint8_t big[256];
    size_t zero[1] = {0};
    w = lt_wr_init(buf, sizeof buf);
    lt_write_certificate13(&w, big, 256, NULL, NULL, 0);
    EXPECT_EQ(lt_wr_finish(&w), LT_ERR_INTERNAL);
    w = lt_wr_init(buf, sizeof buf);
    lt_write_certificate13(&w, NULL, 1, NULL, NULL, 0);
    EXPECT_EQ(lt_wr_finish(&w), LT_ERR_INTERNAL);
    w = lt_wr_init(buf, sizeof buf);
    lt_write_certificate13(&w, NULL, 0, der, zero, 1);
    EXPECT_EQ(lt_wr_finish(&w), LT_ERR_INTERNAL);
}

/* A Certificate body: empty context, then `entries_hex` as the list. */
static int cert13_of(const char *entries_hex, lt_certificate13 *c)
{
    static uint8_t tmp[BUF_CAP];
    uint8_t *e = tmp + 4;
    size_t n = lt_test_unhex(entries_hex, e, sizeof(tmp) - 4);
    tmp[0] = 0;
    tmp[1] = (uint8_t)(n >> 16), tmp[2] = (uint8_t)(n >> 8), tmp[3] = (uint8_t)n;
    return lt_parse_certificate13(exact(tmp, n + 4), n + 4, c);
}

static void test_cert13_entries(void)
{
    lt_certificate13 c;
    /* cert_data<1..2^24-1>. */
    EXPECT_EQ(cert13_of("000000 0000", &c), LT_ERR_DECODE);
    EXPECT_EQ(cert13_of("000001 aa", &c), LT_ERR_DECODE); /* no extensions block */
    EXPECT_EQ(cert13_of("000001 aa 00", &c), LT_ERR_DECODE);
    EXPECT_EQ(cert13_of("000002 aa 0000", &c), LT_ERR_DECODE);
    EXPECT_EQ(cert13_of("000001 aa 0000", &c), LT_OK);
    /* Entry extensions we do not know: status_request (5) with an
     * OCSPResponse, SCT (18). Counted over all entries, the first kept. */
    EXPECT_EQ(cert13_of("000001 aa 0008 0005 0004 01000001 000001 bb 0008 0012 0000 0005 0000", &c), LT_OK);
    EXPECT_EQ(c.chain.n, 2);
    EXPECT_EQ(c.n_entry_exts, 3);
    EXPECT_EQ(c.first_entry_ext, 5);
    /* The same type in two entries is fine; twice in one is not. */
    EXPECT_EQ(cert13_of("000001 aa 0004 0005 0000 000001 bb 0004 0005 0000", &c), LT_OK);
    EXPECT_EQ(cert13_of("000001 aa 0008 0005 0000 0005 0000", &c), LT_ERR_ILLEGAL_PARAMETER);
    /* A type we know: not specified for Certificate (4.2). */
    EXPECT_EQ(cert13_of("000001 aa 0004 0033 0000", &c), LT_ERR_ILLEGAL_PARAMETER);
    EXPECT_EQ(cert13_of("000001 aa 0004 0000 0000", &c), LT_ERR_ILLEGAL_PARAMETER);
    /* Framing inside an entry's block. */
    EXPECT_EQ(cert13_of("000001 aa 0004 0005 0001", &c), LT_ERR_DECODE);
    EXPECT_EQ(cert13_of("000001 aa 0003 0005 00", &c), LT_ERR_DECODE);
    /* A bad value in an early entry, bad syntax in a later one: decode. */
    EXPECT_EQ(cert13_of("000001 aa 0004 0033 0000 000001 bb 0001 00", &c), LT_ERR_DECODE);
    EXPECT_EQ(cert13_of("000001 aa 0008 0005 0000 0005 0000 000000 0000", &c), LT_ERR_DECODE);
    /* certificate_request_context<0..2^8-1>: its length past the body. */
    uint8_t body[5] = {0x05, 0x00, 0x00, 0x00, 0x00};
    EXPECT_EQ(run(p_cert, body, 5), LT_ERR_DECODE);
    EXPECT_EQ(run(p_cert, body + 1, 4), LT_OK);
    EXPECT_EQ(run(p_cert, body + 1, 3), LT_ERR_DECODE);
}

static void test_cert13_chain_limit(void)
{
    /* LT_MAX_PEER_CHAIN entries parse; one more is bad_certificate with
     * n_listed; a bad extension anywhere is judged first. */
    static char hex[200 * 32];
    lt_certificate13 c;
    for (size_t count = LT_MAX_PEER_CHAIN; count <= LT_MAX_PEER_CHAIN + 1; count++) {
        hex[0] = '\0';
        for (size_t i = 0; i < count; i++) {
            strcat(hex, "000001 aa 0000 ");
        }
        int rc = cert13_of(hex, &c);
        EXPECT_EQ(c.chain.n_listed, count);
        if (count == LT_MAX_PEER_CHAIN) {
            EXPECT_EQ(rc, LT_OK);
            EXPECT_EQ(c.chain.n, count);
        } else {
            EXPECT_EQ(rc, LT_ERR_BAD_CERTIFICATE);
            EXPECT_EQ(c.chain.n, 0);
        }
    }
    strcat(hex, "000001 aa 0004 002b 0000");
    EXPECT_EQ(cert13_of(hex, &c), LT_ERR_ILLEGAL_PARAMETER);
    strcat(hex, "000001");
    EXPECT_EQ(cert13_of(hex, &c), LT_ERR_DECODE);
}

/* --- CertificateRequest ------------------------------------------------ */

static void test_cr13_real(void)
{
    static uint8_t buf[BUF_CAP];
    lt_certificate_request13 cr;
    size_t n = real_body(OSSL_CR, buf, LT_HS_CERTIFICATE_REQUEST);
    EXPECT_EQ(lt_parse_certificate_request13(exact(buf + 4, n), n, &cr), LT_OK);
    EXPECT_EQ(lt_rd_left(&cr.context), 0);
    EXPECT_EQ(cr.ext_seen, LT_SEEN_SIGALGS);
    EXPECT_EQ(lt_rd_left(&cr.sigalgs), 32);
    EXPECT(lt_u16_list_has(cr.sigalgs, 0x0403));
    EXPECT(lt_u16_list_has(cr.sigalgs, 0x0804));
    check_truncations(p_cr, buf + 4, n, (size_t)-1);
    check_trailing(p_cr, buf + 4, n);
    n = real_body(RFC_CR, buf, LT_HS_CERTIFICATE_REQUEST);
    EXPECT_EQ(lt_parse_certificate_request13(exact(buf + 4, n), n, &cr), LT_OK);
    EXPECT_EQ(lt_rd_left(&cr.sigalgs), 30);
    EXPECT(lt_u16_list_has(cr.sigalgs, 0x0202));
    check_truncations(p_cr, buf + 4, n, (size_t)-1);
}

static int cr13_of(const char *head_hex, const char *exts_hex, lt_certificate_request13 *cr)
{
    static hb b;
    hb_start(&b, head_hex);
    hb_raw(&b, exts_hex);
    size_t n = hb_end(&b);
    return lt_parse_certificate_request13(exact(b.buf, n), n, cr);
}

#define SIGALGS_EXT "000d 0006 0004 0403 0804"

static void test_cr13_extensions(void)
{
    lt_certificate_request13 cr;
    EXPECT_EQ(cr13_of("03 aabbcc", SIGALGS_EXT, &cr), LT_OK);
    EXPECT(cr.context.len == 3 && cr.context.p[2] == 0xcc);
    /* Every extension a CertificateRequest may carry that we know, and
     * unknown ones (oid_filters 48, status_request 5) ignored. */
    EXPECT_EQ(cr13_of("00",
                      "0030 0002 0000" SIGALGS_EXT "0032 0004 0002 0401"
                      "002f 000a 0008 0002 4142 0002 4344"
                      "0005 0000",
                      &cr),
              LT_OK);
    EXPECT_EQ(cr.ext_seen, LT_SEEN_SIGALGS | LT_SEEN_SIGALGS_CERT | LT_SEEN_CAS);
    EXPECT_EQ(cr.n_authorities, 2);
    EXPECT(lt_u16_list_has(cr.sigalgs_cert, 0x0401));
    /* 4.3.2: signature_algorithms MUST be there: missing_extension. */
    EXPECT_EQ(cr13_of("00", "0032 0004 0002 0401", &cr), LT_ERR_MISSING_EXTENSION);
    EXPECT_EQ(cr13_of("00", "4444 0000", &cr), LT_ERR_MISSING_EXTENSION);
    /* extensions<2..2^16-1>: an empty block is bad syntax. */
    EXPECT_EQ(cr13_of("00", "", &cr), LT_ERR_DECODE);
    /* Bad bodies. */
    EXPECT_EQ(cr13_of("00", "000d 0005 0003 040308", &cr), LT_ERR_DECODE);
    EXPECT_EQ(cr13_of("00", "000d 0002 0000", &cr), LT_ERR_DECODE);
    EXPECT_EQ(cr13_of("00", SIGALGS_EXT "002f 0004 0002 0000", &cr), LT_ERR_DECODE);
    EXPECT_EQ(cr13_of("00", SIGALGS_EXT "002f 0002 0000", &cr), LT_ERR_DECODE);
    /* A known type that does not belong (4.2), a duplicate. */
    EXPECT_EQ(cr13_of("00", SIGALGS_EXT "0033 0000", &cr), LT_ERR_ILLEGAL_PARAMETER);
    EXPECT_EQ(cr13_of("00", SIGALGS_EXT "0000 0000", &cr), LT_ERR_ILLEGAL_PARAMETER);
    EXPECT_EQ(cr13_of("00", SIGALGS_EXT SIGALGS_EXT, &cr), LT_ERR_ILLEGAL_PARAMETER);
    /* Precedence: decode, then illegal_parameter, then missing. */
    EXPECT_EQ(cr13_of("00", "0033 0000", &cr), LT_ERR_ILLEGAL_PARAMETER);
    EXPECT_EQ(cr13_of("00", "0033 0000 002f 0000", &cr), LT_ERR_DECODE);
    /* The context's length past the body. */
    uint8_t body[3] = {0x04, 0x00, 0x00};
    EXPECT_EQ(run(p_cr, body, 3), LT_ERR_DECODE);
}

/* --- CertificateVerify, Finished --------------------------------------- */

static void test_cv_real_and_roundtrip(void)
{
    static uint8_t buf[BUF_CAP];
    lt_certificate_verify cv;
    const char *real[3] = {OSSL_CV, RFC_CV, RFC_CV_ECDSA};
    const uint16_t schemes[3] = {0x0403, 0x0804, 0x0403};
    const size_t sig_lens[3] = {72, 128, 71};
    for (int i = 0; i < 3; i++) {
        size_t n = real_body(real[i], buf, LT_HS_CERTIFICATE_VERIFY);
        EXPECT_EQ(lt_parse_certificate_verify(exact(buf + 4, n), n, &cv), LT_OK);
        EXPECT_EQ(cv.scheme, schemes[i]);
        EXPECT_EQ(lt_rd_left(&cv.signature), sig_lens[i]);
        static uint8_t out[BUF_CAP];
        lt_wr w = lt_wr_init(out, sizeof out);
        lt_write_certificate_verify(&w, cv.scheme, cv.signature.p, cv.signature.len);
        EXPECT_EQ(written_body(&w, LT_HS_CERTIFICATE_VERIFY), n);
        EXPECT_MEM(out, buf, n + 4);
        check_truncations(p_cv, buf + 4, n, (size_t)-1);
        check_trailing(p_cv, buf + 4, n);
    }
    /* signature<0..2^16-1>: empty parses; the length past the body. */
    uint8_t body[6] = {0x08, 0x04, 0x00, 0x00, 0x00, 0x01};
    EXPECT_EQ(run(p_cv, body, 4), LT_OK);
    EXPECT_EQ(run(p_cv, body + 2, 4), LT_ERR_DECODE);
    static uint8_t sig[65536], out[70000];
    lt_wr w = lt_wr_init(out, sizeof out);
    lt_write_certificate_verify(&w, 0x0804, sig, 65535);
    size_t n = written_body(&w, LT_HS_CERTIFICATE_VERIFY);
    EXPECT_EQ(run(p_cv, out + 4, n), LT_OK);
    w = lt_wr_init(out, sizeof out);
    lt_write_certificate_verify(&w, 0x0804, sig, 65536);
    EXPECT_EQ(lt_wr_finish(&w), LT_ERR_INTERNAL);
    w = lt_wr_init(out, sizeof out);
    lt_write_certificate_verify(&w, 0x0804, NULL, 5);
    EXPECT_EQ(lt_wr_finish(&w), LT_ERR_INTERNAL);
}

static void test_finished13(void)
{
    static uint8_t buf[BUF_CAP];
    const uint8_t *vd = NULL;
    /* SHA-384 (OpenSSL chose TLS_AES_256_GCM_SHA384) and SHA-256 (8448). */
    size_t n = real_body(OSSL_FIN, buf, LT_HS_FINISHED);
    EXPECT_EQ(n, 48);
    EXPECT_EQ(lt_parse_finished13(exact(buf + 4, n), n, 48, &vd), LT_OK);
    EXPECT(vd == g_exact);
    check_truncations(p_fin48, buf + 4, n, (size_t)-1);
    check_trailing(p_fin48, buf + 4, n);
    EXPECT_EQ(lt_parse_finished13(exact(buf + 4, n), n, 32, &vd), LT_ERR_DECODE);
    EXPECT(vd == NULL);
    n = real_body(RFC_FIN, buf, LT_HS_FINISHED);
    EXPECT_EQ(lt_parse_finished13(exact(buf + 4, n), n, 32, &vd), LT_OK);
    EXPECT_EQ(vd[0], 0x9b);
    check_truncations(p_fin32, buf + 4, n, (size_t)-1);
    check_trailing(p_fin32, buf + 4, n);
    EXPECT_EQ(lt_parse_finished13(exact(buf + 4, n), n, 48, &vd), LT_ERR_DECODE);
    static uint8_t out[64];
    lt_wr w = lt_wr_init(out, sizeof out);
    lt_write_finished13(&w, buf + 4, 32);
    EXPECT_EQ(written_body(&w, LT_HS_FINISHED), 32);
    EXPECT_MEM(out, buf, 36);
    w = lt_wr_init(out, sizeof out);
    lt_write_finished13(&w, buf + 4, 0);
    EXPECT_EQ(lt_wr_finish(&w), LT_ERR_INTERNAL);
    w = lt_wr_init(out, sizeof out);
    lt_write_finished13(&w, NULL, 32);
    EXPECT_EQ(lt_wr_finish(&w), LT_ERR_INTERNAL);
}

/* --- NewSessionTicket -------------------------------------------------- */

static void test_nst_real(void)
{
    static uint8_t buf[BUF_CAP];
    lt_new_session_ticket t;
    size_t n = real_body(OSSL_NST, buf, LT_HS_NEW_SESSION_TICKET);
    EXPECT_EQ(lt_parse_new_session_ticket(exact(buf + 4, n), n, &t), LT_OK);
    EXPECT_EQ(t.lifetime, 7200);
    EXPECT_EQ(t.age_add, 0xd757fbb7);
    EXPECT_EQ(lt_rd_left(&t.nonce), 8);
    EXPECT_EQ(lt_rd_left(&t.ticket), 208);
    EXPECT_EQ(t.has_early_data, 0);
    /* Our writer gives the same bytes back. */
    static uint8_t out[BUF_CAP];
    lt_wr w = lt_wr_init(out, sizeof out);
    lt_write_new_session_ticket(&w, t.lifetime, t.age_add, t.nonce.p, t.nonce.len, t.ticket.p, t.ticket.len);
    EXPECT_EQ(written_body(&w, LT_HS_NEW_SESSION_TICKET), n);
    EXPECT_MEM(out, buf, n + 4);
    check_truncations(p_nst, buf + 4, n, (size_t)-1);
    check_trailing(p_nst, buf + 4, n);

    /* RFC 8448 3: lifetime 30, a 2-byte nonce, early_data 1024. */
    n = real_body(RFC_NST, buf, LT_HS_NEW_SESSION_TICKET);
    EXPECT_EQ(lt_parse_new_session_ticket(exact(buf + 4, n), n, &t), LT_OK);
    EXPECT_EQ(t.lifetime, 30);
    EXPECT_EQ(t.age_add, 0xfad6aac5);
    EXPECT_EQ(lt_rd_left(&t.nonce), 2);
    EXPECT_EQ(lt_rd_left(&t.ticket), 178);
    EXPECT_EQ(t.has_early_data, 1);
    EXPECT_EQ(t.max_early_data, 1024);
    check_truncations(p_nst, buf + 4, n, (size_t)-1);
    check_trailing(p_nst, buf + 4, n);
}

static void test_nst_values_and_bounds(void)
{
    lt_new_session_ticket t;
    static hb b;
    /* 4.6.1: at most 604800 seconds. */
    hb_start(&b, "00093a80 00000000 00 0001 aa");
    size_t n = hb_end(&b);
    EXPECT_EQ(run(p_nst, b.buf, n), LT_OK);
    b.buf[3] = 0x81; /* 604801 */
    EXPECT_EQ(run(p_nst, b.buf, n), LT_ERR_ILLEGAL_PARAMETER);
    b.buf[0] = 0xff;
    EXPECT_EQ(run(p_nst, b.buf, n), LT_ERR_ILLEGAL_PARAMETER);
    /* ... judged after the syntax. */
    EXPECT_EQ(run(p_nst, b.buf, n - 1), LT_ERR_DECODE);
    /* ticket<1..2^16-1>, ticket_nonce<0..255>. */
    hb_start(&b, "00000001 00000000 00 0000");
    n = hb_end(&b);
    EXPECT_EQ(run(p_nst, b.buf, n), LT_ERR_DECODE);
    hb_start(&b, "00000001 00000000 05 aabb 0001 aa");
    n = hb_end(&b);
    EXPECT_EQ(run(p_nst, b.buf, n), LT_ERR_DECODE);
    /* extensions<0..2^16-2>: a 2^16-1 block is bad syntax. */
    static uint8_t big[80000];
    lt_wr w = lt_wr_init(big, sizeof big);
    uint8_t head[16];
    size_t hn = lt_test_unhex("00000001 00000000 00 0001 aa", head, sizeof head);
    lt_wr_bytes(&w, head, hn);
    lt_wr_u16(&w, 0xffff);
    lt_wr_u16(&w, 0x4444);
    lt_wr_u16(&w, 0xffff - 4);
    lt_wr_reserve(&w, 0xffff - 4);
    EXPECT_EQ(lt_wr_finish(&w), LT_OK);
    memset(big + hn + 6, 0, 0xffff - 4);
    EXPECT_EQ(run(p_nst, big, w.off), LT_ERR_DECODE);
    big[hn + 1] = 0xfe, big[hn + 5] = 0xfa; /* 2^16-2 with one byte less in the extension */
    EXPECT_EQ(run(p_nst, big, w.off - 1), LT_OK);
    /* early_data: exactly a uint32. */
    EXPECT_EQ(nst_one_ext(LT_EXT_EARLY_DATA, "00004000", &t), LT_OK);
    EXPECT(t.has_early_data && t.max_early_data == 0x4000);
    EXPECT_EQ(nst_one_ext(LT_EXT_EARLY_DATA, "", &t), LT_ERR_DECODE);
    EXPECT_EQ(nst_one_ext(LT_EXT_EARLY_DATA, "000040", &t), LT_ERR_DECODE);
    EXPECT_EQ(nst_one_ext(LT_EXT_EARLY_DATA, "0000400000", &t), LT_ERR_DECODE);
    /* Unknown ignored; known but not for NST (4.2) illegal_parameter. */
    EXPECT_EQ(nst_one_ext(0x4444, "abcdef", &t), LT_OK);
    EXPECT_EQ(t.has_early_data, 0);
    for (size_t i = 0; i < N_KNOWN; i++) {
        if (KNOWN[i] != LT_EXT_EARLY_DATA) {
            EXPECT_EQ(nst_one_ext(KNOWN[i], "", &t), LT_ERR_ILLEGAL_PARAMETER);
        }
    }
    hb_start(&b, "00000001 00000000 00 0001 aa");
    hb_ext(&b, LT_EXT_EARLY_DATA, "00000001");
    hb_ext(&b, LT_EXT_EARLY_DATA, "00000001");
    n = hb_end(&b);
    EXPECT_EQ(run(p_nst, b.buf, n), LT_ERR_ILLEGAL_PARAMETER);
}

static void test_nst_writer(void)
{
    uint8_t buf[512], want[64];
    uint8_t nonce[1] = {7}, ticket[3] = {1, 2, 3};
    lt_wr w = lt_wr_init(buf, sizeof buf);
    lt_write_new_session_ticket(&w, 604800, 0x01020304, nonce, 1, ticket, 3);
    size_t n = written_body(&w, LT_HS_NEW_SESSION_TICKET);
    size_t wn = lt_test_unhex("04 000011 00093a80 01020304 01 07 0003 010203 0000", want, sizeof want);
    EXPECT_EQ(w.off, wn);
    EXPECT_MEM(buf, want, wn);
    lt_new_session_ticket t;
    EXPECT_EQ(lt_parse_new_session_ticket(exact(buf + 4, n), n, &t), LT_OK);
    EXPECT_EQ(t.lifetime, 604800);
    static uint8_t big[300];
    struct {
        uint32_t lifetime;
        const uint8_t *nonce;
        size_t nonce_len;
        const uint8_t *ticket;
        size_t ticket_len;
    } bad[5] = {{604801, nonce, 1, ticket, 3},
                {1, big, 256, ticket, 3},
                {1, NULL, 1, ticket, 3},
                {1, nonce, 1, ticket, 0},
                {1, nonce, 1, NULL, 3}};
    for (int i = 0; i < 5; i++) {
        w = lt_wr_init(buf, sizeof buf);
        lt_write_new_session_ticket(&w, bad[i].lifetime, 0, bad[i].nonce, bad[i].nonce_len, bad[i].ticket,
                                    bad[i].ticket_len);
        EXPECT_EQ(lt_wr_finish(&w), LT_ERR_INTERNAL);
    }
}

/* --- KeyUpdate --------------------------------------------------------- */

static void test_key_update(void)
{
    uint8_t buf[16];
    int req = -1;
    for (int v = 0; v < 2; v++) {
        lt_wr w = lt_wr_init(buf, sizeof buf);
        lt_write_key_update(&w, v);
        EXPECT_EQ(written_body(&w, LT_HS_KEY_UPDATE), 1);
        EXPECT_EQ(buf[4], v);
        EXPECT_EQ(lt_parse_key_update(exact(buf + 4, 1), 1, &req), LT_OK);
        EXPECT_EQ(req, v);
        check_truncations(p_ku, buf + 4, 1, (size_t)-1);
        check_trailing(p_ku, buf + 4, 1);
    }
    /* Any true value asks for an update. */
    lt_wr w = lt_wr_init(buf, sizeof buf);
    lt_write_key_update(&w, 7);
    EXPECT_EQ(buf[4], 1);
    /* 4.6.3: another value is illegal_parameter. */
    for (int v = 2; v < 256; v++) {
        uint8_t b = (uint8_t)v;
        EXPECT_EQ(run(p_ku, &b, 1), LT_ERR_ILLEGAL_PARAMETER);
    }
    uint8_t two[2] = {2, 0};
    EXPECT_EQ(run(p_ku, two, 2), LT_ERR_DECODE);
    EXPECT_EQ(run(p_ku, two, 0), LT_ERR_DECODE);
}

int main(void)
{
    LT_RUN(test_constants);
    LT_RUN(test_ch_real_openssl);
    LT_RUN(test_ch_real_openssl_after_hrr);
    LT_RUN(test_ch_real_openssl_psk);
    LT_RUN(test_ch_rfc8448_binder_offset);
    LT_RUN(test_ch_rfc8448_others);
    LT_RUN(test_ch_write_roundtrip);
    LT_RUN(test_ch_write_exact);
    LT_RUN(test_ch_patch_binder);
    LT_RUN(test_ch_writer_rejects);
    LT_RUN(test_ch_supported_versions);
    LT_RUN(test_ch_key_share);
    LT_RUN(test_ch_key_share_most);
    LT_RUN(test_ch_cookie_and_modes);
    LT_RUN(test_ch_pre_shared_key);
    LT_RUN(test_ch_psk_must_be_last);
    LT_RUN(test_ch_empty_and_opaque_extensions);
    LT_RUN(test_ch_walkers_stop_on_garbage);
    LT_RUN(test_sh_real_openssl);
    LT_RUN(test_sh_rfc8448);
    LT_RUN(test_sh_bad_extensions);
    LT_RUN(test_sh_forbidden_extensions);
    LT_RUN(test_sh_write_roundtrip);
    LT_RUN(test_ee_real);
    LT_RUN(test_ee_write_roundtrip);
    LT_RUN(test_ee_forbidden_extensions);
    LT_RUN(test_ee_bad_bodies);
    LT_RUN(test_cert13_real);
    LT_RUN(test_cert13_write_roundtrip);
    LT_RUN(test_cert13_entries);
    LT_RUN(test_cert13_chain_limit);
    LT_RUN(test_cr13_real);
    LT_RUN(test_cr13_extensions);
    LT_RUN(test_cv_real_and_roundtrip);
    LT_RUN(test_finished13);
    LT_RUN(test_nst_real);
    LT_RUN(test_nst_values_and_bounds);
    LT_RUN(test_nst_writer);
    LT_RUN(test_key_update);
    free(g_exact);
    return lt_test_summary();
}
