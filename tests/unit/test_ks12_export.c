/*
 * The TLS 1.2 exporter (RFC 5705, lt_ks12_export in src/hs/keysched12.c)
 * and the PRF with a list of seeds under it (lt_tls12_prf_seeds,
 * src/crypto/kdf.c).
 *
 * Oracles: one export captured from OpenSSL 3.0.19 itself; the others
 * computed once outside lucidtls with Python's hmac module and P_hash
 * written from RFC 5246 5 (the script is at the end of this file); and the
 * definition rebuilt with lt_tls12_prf over a hand-concatenated seed.
 */
#include <stdint.h>
#include <string.h>

#include "hs/keysched12.h"
#include "test.h"

static const char LABEL[] = "EXPORTER-lucidtls test";
static const uint8_t CONTEXT[] = "context value";

typedef struct inputs {
    uint8_t ms[48];
    uint8_t client_random[32];
    uint8_t server_random[32];
} inputs;

static inputs make_inputs(void)
{
    inputs in;
    for (int i = 0; i < 48; i++) {
        in.ms[i] = (uint8_t)(0x10 + i);
    }
    for (int i = 0; i < 32; i++) {
        in.client_random[i] = (uint8_t)(0xa0 + i);
        in.server_random[i] = (uint8_t)(0x40 + i);
    }
    return in;
}

static void expect_hex_at(int line, const uint8_t *got, size_t len, const char *hex)
{
    uint8_t want[256];
    size_t n = lt_test_unhex(hex, want, sizeof want);
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

static int export_(const inputs *in, lt_hash_alg alg, const char *label, size_t label_len, const uint8_t *context,
                   size_t context_len, int use_context, uint8_t *out, size_t out_len)
{
    return lt_ks12_export(alg, in->ms, in->client_random, in->server_random, label, label_len, context, context_len,
                          use_context, out, out_len);
}

/* `openssl s_client -tls1_2 -keylogfile F -msg -keymatexport
 * "EXPORTER-lucidtls test" -keymatexportlen 40` against `openssl s_server`
 * (ECDHE-ECDSA-AES256-GCM-SHA384, so the PRF is P_SHA384): the key log gave
 * the client random and the master secret, -msg the ServerHello (whose
 * random ends in RFC 8446 4.1.3's "DOWNGRD\1": the server speaks TLS 1.3),
 * s_client the keying material. s_client exports with no context. */
static void test_export_openssl(void)
{
    inputs in;
    uint8_t out[40];
    EXPECT_EQ(lt_test_unhex(
                  "7ebe35f73f9332f68ea10ee76ee5f9cbfaea39a6fa030fc1b20c2a52785149ba1f45b79120e6f3b7931ba4478e115541",
                  in.ms, sizeof in.ms),
              48);
    EXPECT_EQ(lt_test_unhex("4f9a598aacdeb2ca25a22fc00db9c711e5147d570edef98017bd65be7d856dbd", in.client_random, 32),
              32);
    EXPECT_EQ(lt_test_unhex("741f9a3652d44ae4ebe9dadf7951634d89a1e4e3f8f93552444f574e47524401", in.server_random, 32),
              32);
    EXPECT_EQ(export_(&in, LT_HASH_SHA384, LABEL, strlen(LABEL), NULL, 0, 0, out, sizeof out), LT_OK);
    expect_hex(out, 40, "2ADC872D65901C47D2F900742DF18C970E8CB4028FE62158C7AC41021D89936A6C59E2697A88AFCF");
}

/* Values from the Python script below. */
static void test_export_python(void)
{
    inputs in = make_inputs();
    uint8_t out[40];

    EXPECT_EQ(export_(&in, LT_HASH_SHA256, LABEL, strlen(LABEL), CONTEXT, sizeof CONTEXT - 1, 1, out, 40), LT_OK);
    expect_hex(out, 40, "536d2441891de73037facf4af7333ae3c5d31faad7c8c5b3c9664b004221d8a64a8f11182c4d7a2b");
    EXPECT_EQ(export_(&in, LT_HASH_SHA256, LABEL, strlen(LABEL), NULL, 0, 0, out, 40), LT_OK);
    expect_hex(out, 40, "b1f50d0da09cfb08ecfb30e9c2e00ac84359b1199c55f1759962f1fb3c1825f00fb2dff0e6b03296");
    EXPECT_EQ(export_(&in, LT_HASH_SHA256, LABEL, strlen(LABEL), NULL, 0, 1, out, 40), LT_OK);
    expect_hex(out, 40, "03e77088fa9892266175848756ab2edecf4295dc9bc6b6b13a341c1435946f94c97d8ce2f862c2cd");

    EXPECT_EQ(export_(&in, LT_HASH_SHA384, LABEL, strlen(LABEL), CONTEXT, sizeof CONTEXT - 1, 1, out, 40), LT_OK);
    expect_hex(out, 40, "05c01866b5384e51ae435942e34efe3c7e051c47c75f53c2b03ac7a9d5a7caa475781f33de0752a3");
    EXPECT_EQ(export_(&in, LT_HASH_SHA384, LABEL, strlen(LABEL), NULL, 0, 0, out, 40), LT_OK);
    expect_hex(out, 40, "297c2209ff208fc5a999041bfe098cdebf17aa4c56a861f050d76e323267ef6b2279587537042674");
    EXPECT_EQ(export_(&in, LT_HASH_SHA384, LABEL, strlen(LABEL), NULL, 0, 1, out, 40), LT_OK);
    expect_hex(out, 40, "c2519c47945feb0b8683011581cdca3e4d994184080f40469a6b2cc26a7b3bb7093bf9ab1f8f6aeb");

    /* Without use_context the context bytes are not an input. */
    uint8_t again[40];
    EXPECT_EQ(export_(&in, LT_HASH_SHA384, LABEL, strlen(LABEL), CONTEXT, sizeof CONTEXT - 1, 0, again, 40), LT_OK);
    expect_hex(again, 40, "297c2209ff208fc5a999041bfe098cdebf17aa4c56a861f050d76e323267ef6b2279587537042674");
}

/* RFC 5705 4 rebuilt with lt_tls12_prf: the seed is client_random, then
 * server_random + uint16 length + context, concatenated by hand. */
static void test_export_definition(void)
{
    inputs in = make_inputs();
    uint8_t seed2[32 + 2 + 300], want[64], got[64], context[300];
    for (size_t i = 0; i < sizeof context; i++) {
        context[i] = (uint8_t)i;
    }
    memcpy(seed2, in.server_random, 32);
    seed2[32] = (uint8_t)(sizeof context >> 8);
    seed2[33] = (uint8_t)sizeof context;
    memcpy(seed2 + 34, context, sizeof context);
    EXPECT_EQ(lt_tls12_prf(LT_HASH_SHA256, in.ms, 48, LABEL, in.client_random, 32, seed2, sizeof seed2, want, 64),
              LT_OK);
    EXPECT_EQ(export_(&in, LT_HASH_SHA256, LABEL, strlen(LABEL), context, sizeof context, 1, got, 64), LT_OK);
    EXPECT_MEM(got, want, 64);

    /* The client and server randoms are not interchangeable. */
    uint8_t swapped[64];
    EXPECT_EQ(lt_ks12_export(LT_HASH_SHA256, in.ms, in.server_random, in.client_random, LABEL, strlen(LABEL), context,
                             sizeof context, 1, swapped, 64),
              LT_OK);
    EXPECT(memcmp(swapped, got, 64) != 0);
}

/* RFC 5705 4: exporter labels can collide with the PRF's own; libssl
 * refuses labels that begin with these five, and so do we. */
static void test_export_reserved_labels(void)
{
    static const char *const reserved[] = {"client finished",        "server finished", "master secret",
                                           "extended master secret", "key expansion",   "key expansion, and more"};
    inputs in = make_inputs();
    uint8_t out[16];
    for (size_t i = 0; i < sizeof reserved / sizeof reserved[0]; i++) {
        memset(out, 0xaa, sizeof out);
        EXPECT_EQ(export_(&in, LT_HASH_SHA256, reserved[i], strlen(reserved[i]), NULL, 0, 0, out, 16), LT_ERR_USAGE);
        EXPECT(all_zero(out, sizeof out));
    }
    /* A prefix of a reserved label is not one. */
    EXPECT_EQ(export_(&in, LT_HASH_SHA256, "master", 6, NULL, 0, 0, out, 16), LT_OK);
    EXPECT_EQ(export_(&in, LT_HASH_SHA256, "client finishe", 14, NULL, 0, 0, out, 16), LT_OK);
    /* The label is label_len raw bytes: "key expansion" with the length of
     * "key" is "key". */
    EXPECT_EQ(export_(&in, LT_HASH_SHA256, "key expansion", 3, NULL, 0, 0, out, 16), LT_OK);
}

static void test_export_limits(void)
{
    static uint8_t context[70000];
    char label[1025];
    inputs in = make_inputs();
    uint8_t out[32];
    memset(label, 'E', sizeof label);

    /* libcrypto's TLS1-PRF takes LT_TLS12_PRF_MAX_INPUT bytes of label and
     * seed; the randoms take 64 and the context length 2. */
    size_t room = LT_TLS12_PRF_MAX_INPUT - 64 - 2;
    EXPECT_EQ(export_(&in, LT_HASH_SHA256, label, 10, context, room - 10, 1, out, 32), LT_OK);
    memset(out, 0xaa, sizeof out);
    EXPECT_EQ(export_(&in, LT_HASH_SHA256, label, 10, context, room - 9, 1, out, 32), LT_ERR_USAGE);
    EXPECT(all_zero(out, sizeof out));
    EXPECT_EQ(export_(&in, LT_HASH_SHA256, label, LT_TLS12_PRF_MAX_INPUT - 64, NULL, 0, 0, out, 32), LT_OK);
    EXPECT_EQ(export_(&in, LT_HASH_SHA256, label, LT_TLS12_PRF_MAX_INPUT - 63, NULL, 0, 0, out, 32), LT_ERR_USAGE);
    EXPECT_EQ(export_(&in, LT_HASH_SHA256, label, 10, context, sizeof context, 1, out, 32), LT_ERR_USAGE);
    /* Without use_context the context's length does not matter. */
    EXPECT_EQ(export_(&in, LT_HASH_SHA256, label, 10, context, sizeof context, 0, out, 32), LT_OK);

    EXPECT_EQ(export_(&in, LT_HASH_SHA256, label, 0, NULL, 0, 0, out, 32), LT_ERR_USAGE);
    EXPECT_EQ(export_(&in, LT_HASH_SHA256, NULL, 3, NULL, 0, 0, out, 32), LT_ERR_USAGE);
    EXPECT_EQ(export_(&in, LT_HASH_SHA256, label, 3, NULL, 5, 1, out, 32), LT_ERR_USAGE);
    EXPECT_EQ(export_(&in, LT_HASH_SHA256, label, 3, NULL, 0, 0, NULL, 32), LT_ERR_USAGE);
    EXPECT_EQ(export_(&in, LT_HASH_SHA256, label, 3, NULL, 0, 0, out, 0), LT_ERR_USAGE);
    EXPECT_EQ(export_(&in, (lt_hash_alg)0, label, 3, NULL, 0, 0, out, 32), LT_ERR_USAGE);
    EXPECT_EQ(lt_ks12_export(LT_HASH_SHA256, NULL, in.client_random, in.server_random, label, 3, NULL, 0, 0, out, 32),
              LT_ERR_USAGE);
}

/* lt_tls12_prf_seeds: the pieces concatenate; lt_tls12_prf is the same
 * function with a NUL-terminated label and two pieces. */
static void test_prf_seeds(void)
{
    static const uint8_t secret[] = "a secret";
    static const uint8_t seed[] = "0123456789abcdef";
    uint8_t a[50], b[50];
    lt_prf_seed pieces[LT_PRF_MAX_SEEDS + 1] = {{seed, 3}, {seed + 3, 0}, {seed + 3, 10}, {seed + 13, 3}, {seed, 1}};

    EXPECT_EQ(lt_tls12_prf(LT_HASH_SHA256, secret, 8, "label", seed, 16, NULL, 0, a, 50), LT_OK);
    EXPECT_EQ(lt_tls12_prf_seeds(LT_HASH_SHA256, secret, 8, (const uint8_t *)"label", 5, pieces, 4, b, 50), LT_OK);
    EXPECT_MEM(a, b, 50);
    /* The label is its bytes: a NUL inside counts. */
    EXPECT_EQ(lt_tls12_prf_seeds(LT_HASH_SHA256, secret, 8, (const uint8_t *)"lab\0el", 6, pieces, 4, b, 50), LT_OK);
    EXPECT(memcmp(a, b, 50) != 0);

    memset(b, 0xaa, sizeof b);
    EXPECT_EQ(
        lt_tls12_prf_seeds(LT_HASH_SHA256, secret, 8, (const uint8_t *)"label", 5, pieces, LT_PRF_MAX_SEEDS + 1, b, 50),
        LT_ERR_USAGE);
    EXPECT(all_zero(b, sizeof b));
    pieces[1].p = NULL;
    pieces[1].len = 1;
    EXPECT_EQ(lt_tls12_prf_seeds(LT_HASH_SHA256, secret, 8, (const uint8_t *)"label", 5, pieces, 4, b, 50),
              LT_ERR_USAGE);
    EXPECT_EQ(lt_tls12_prf_seeds(LT_HASH_SHA256, secret, 8, (const uint8_t *)"label", 5, NULL, 1, b, 50), LT_ERR_USAGE);
    EXPECT_EQ(lt_tls12_prf_seeds(LT_HASH_SHA256, secret, 8, (const uint8_t *)"label", 5, NULL, 0, b, 50), LT_OK);
    EXPECT_EQ(lt_tls12_prf_seeds(LT_HASH_SHA256, secret, 8, (const uint8_t *)"", 0, NULL, 0, b, 50), LT_ERR_USAGE);

    /* The input bound, exactly (a piece can never make it wrap). */
    {
        static uint8_t big[LT_TLS12_PRF_MAX_INPUT];
        lt_prf_seed one[2] = {{big, LT_TLS12_PRF_MAX_INPUT - 5}, {big, 0}};
        EXPECT_EQ(lt_tls12_prf_seeds(LT_HASH_SHA256, secret, 8, (const uint8_t *)"label", 5, one, 2, b, 50), LT_OK);
        one[1].len = 1;
        EXPECT_EQ(lt_tls12_prf_seeds(LT_HASH_SHA256, secret, 8, (const uint8_t *)"label", 5, one, 2, b, 50),
                  LT_ERR_USAGE);
        one[0].len = SIZE_MAX;
        EXPECT_EQ(lt_tls12_prf_seeds(LT_HASH_SHA256, secret, 8, (const uint8_t *)"label", 5, one, 1, b, 50),
                  LT_ERR_USAGE);
    }
}

int main(void)
{
    LT_RUN(test_export_openssl);
    LT_RUN(test_export_python);
    LT_RUN(test_export_definition);
    LT_RUN(test_export_reserved_labels);
    LT_RUN(test_export_limits);
    LT_RUN(test_prf_seeds);
    return lt_test_summary();
}

/*
 * The script that computed the values of test_export_python (Python 3.11,
 * the standard library only):
 *
 *   import hmac, hashlib, struct
 *   def p_hash(h, secret, seed, n):                   # RFC 5246 5
 *       a, out = seed, b''
 *       while len(out) < n:
 *           a = hmac.new(secret, a, h).digest()
 *           out += hmac.new(secret, a + seed, h).digest()
 *       return out[:n]
 *   def export(h, ms, cr, sr, label, ctx, use_ctx, n):  # RFC 5705 4
 *       seed = cr + sr + ((struct.pack('>H', len(ctx)) + ctx) if use_ctx else b'')
 *       return p_hash(h, ms, label + seed, n)
 *   ms = bytes(0x10 + i for i in range(48))
 *   cr = bytes(0xa0 + i for i in range(32))
 *   sr = bytes(0x40 + i for i in range(32))
 *   for h in (hashlib.sha256, hashlib.sha384):
 *       for ctx, use in ((b'context value', 1), (b'', 0), (b'', 1)):
 *           print(export(h, ms, cr, sr, b'EXPORTER-lucidtls test', ctx, use, 40).hex())
 */
