/*
 * Known answers for the TLS 1.2 key schedule (src/hs/keysched12.c): the
 * master secret with and without the extended master secret, the key block
 * sliced in RFC 5246 6.3 order, and both Finished values.
 *
 * Oracle: the expected bytes were computed once, outside lucidtls, with
 * Python's hmac module and P_hash written from RFC 5246 5 (the script is in
 * the comment at the end of this file), so a change in a label, a seed order
 * or the EMS switch is caught here, without an external peer.
 */
#include <string.h>

#include "hs/keysched12.h"
#include "test.h"

typedef struct inputs {
    uint8_t pms[48];
    uint8_t client_random[32];
    uint8_t server_random[32];
} inputs;

static inputs make_inputs(void)
{
    inputs in;
    in.pms[0] = 3;
    in.pms[1] = 3;
    for (int i = 0; i < 46; i++) {
        in.pms[2 + i] = (uint8_t)(1 + i);
    }
    for (int i = 0; i < 32; i++) {
        in.client_random[i] = (uint8_t)(0xa0 + i);
        in.server_random[i] = (uint8_t)(0x40 + i);
    }
    return in;
}

static void expect_hex(const uint8_t *got, size_t len, const char *hex)
{
    uint8_t want[256];
    size_t n = lt_test_unhex(hex, want, sizeof want);
    EXPECT_EQ(n, len);
    EXPECT_MEM(got, want, len);
}

/* Hash("session hash input"): a stand-in for Hash(handshake_messages). */
static void session_hash(lt_hash_alg alg, uint8_t *out, size_t *len)
{
    static const char in[] = "session hash input";
    EXPECT_EQ(lt_hash_oneshot(alg, in, sizeof in - 1, out, len), LT_OK);
}

static void test_master_secret_rfc5246(void)
{
    inputs in = make_inputs();
    uint8_t ms[48];
    EXPECT_EQ(lt_ks12_master_secret(LT_HASH_SHA256, in.pms, 48, 0, NULL, 0, in.client_random, in.server_random, ms),
              LT_OK);
    expect_hex(ms, 48,
               "2f713bfb09c505e0c238a0755712552d67cb8e9540693a5b0380b57f2ec7f34e6670988813279d23cfdf01d8d247f05e");
}

static void test_extended_master_secret_sha256(void)
{
    inputs in = make_inputs();
    uint8_t sh[64], ms[48];
    size_t sh_len = 0;
    session_hash(LT_HASH_SHA256, sh, &sh_len);
    EXPECT_EQ(sh_len, 32);
    EXPECT_EQ(lt_ks12_master_secret(LT_HASH_SHA256, in.pms, 48, 1, sh, sh_len, in.client_random, in.server_random, ms),
              LT_OK);
    expect_hex(ms, 48,
               "1806f5ad8c3c60be909d86d85541cb9b1d37c5743f32ee1c8471790341c0d306bb9121d3120834b8f755363fea3ab083");
    /* RFC 7627 4: the randoms are not an input any more. */
    in.client_random[0] ^= 1;
    uint8_t ms2[48];
    EXPECT_EQ(lt_ks12_master_secret(LT_HASH_SHA256, in.pms, 48, 1, sh, sh_len, in.client_random, in.server_random, ms2),
              LT_OK);
    EXPECT_MEM(ms, ms2, 48);
}

static void test_extended_master_secret_sha384(void)
{
    inputs in = make_inputs();
    uint8_t sh[64], ms[48];
    size_t sh_len = 0;
    session_hash(LT_HASH_SHA384, sh, &sh_len);
    EXPECT_EQ(sh_len, 48);
    EXPECT_EQ(lt_ks12_master_secret(LT_HASH_SHA384, in.pms, 48, 1, sh, sh_len, in.client_random, in.server_random, ms),
              LT_OK);
    expect_hex(ms, 48,
               "915b9831adc1b73000d18b637fd535d7523e45c8039c51c1859ae6f0638b966e198bbf3087d1ecb9a0569a06a299ea7a");
}

/* AES-128-CBC-SHA: MAC keys 20, keys 16, in RFC 5246 6.3 order (client
 * MAC, server MAC, client key, server key). No IVs: TLS 1.2 CBC records
 * carry an explicit IV, and 6.3 generates IVs "only for implicit nonce
 * techniques". */
static void test_key_block_cbc_sha(void)
{
    inputs in = make_inputs();
    uint8_t ms[48];
    EXPECT_EQ(lt_ks12_master_secret(LT_HASH_SHA256, in.pms, 48, 0, NULL, 0, in.client_random, in.server_random, ms),
              LT_OK);
    lt_key_block kb;
    EXPECT_EQ(lt_ks12_key_block(lt_suite_find(0x002F), ms, in.client_random, in.server_random, &kb), LT_OK);
    EXPECT_EQ(kb.mac_len, 20);
    EXPECT_EQ(kb.key_len, 16);
    EXPECT_EQ(kb.iv_len, 0);
    expect_hex(kb.client_mac, 20, "916a2441dfea729a662ec16fe6f7d524361af841");
    expect_hex(kb.server_mac, 20, "d3c5717d297c6564ae6915f1340a5525280794ac");
    expect_hex(kb.client_key, 16, "eddca9f76cacebf5b98697944fec33a6");
    expect_hex(kb.server_key, 16, "5e6e0df6445f10f258179008cbf4daf8");
}

/* AES-256-GCM-SHA384: the PRF is SHA-384 (RFC 5289 3), no MAC keys, 4-byte
 * implicit IVs (RFC 5288 3). */
static void test_key_block_gcm_sha384(void)
{
    inputs in = make_inputs();
    uint8_t sh[64], ms[48];
    size_t sh_len = 0;
    session_hash(LT_HASH_SHA384, sh, &sh_len);
    EXPECT_EQ(lt_ks12_master_secret(LT_HASH_SHA384, in.pms, 48, 1, sh, sh_len, in.client_random, in.server_random, ms),
              LT_OK);
    lt_key_block kb;
    EXPECT_EQ(lt_ks12_key_block(lt_suite_find(0x009D), ms, in.client_random, in.server_random, &kb), LT_OK);
    EXPECT_EQ(kb.mac_len, 0);
    EXPECT_EQ(kb.key_len, 32);
    EXPECT_EQ(kb.iv_len, 4);
    expect_hex(kb.client_key, 32, "822d91b6c3038f8a98770ab631155f79b3e5fc5aa9abbe043df0ad5c7db86393");
    expect_hex(kb.server_key, 32, "d6e4c3aa0baa670c292da18ad73b563bd1fcde26b6243a97b109053c79a12544");
    expect_hex(kb.client_iv, 4, "7190f3f9");
    expect_hex(kb.server_iv, 4, "e53bd394");
}

static void test_finished_both_labels(void)
{
    inputs in = make_inputs();
    uint8_t sh[64], ms[48], th[64];
    size_t sh_len = 0, th_len = 0;
    session_hash(LT_HASH_SHA256, sh, &sh_len);
    EXPECT_EQ(lt_ks12_master_secret(LT_HASH_SHA256, in.pms, 48, 1, sh, sh_len, in.client_random, in.server_random, ms),
              LT_OK);
    EXPECT_EQ(lt_hash_oneshot(LT_HASH_SHA256, "transcript", 10, th, &th_len), LT_OK);
    uint8_t vd[12];
    EXPECT_EQ(lt_ks12_finished(LT_HASH_SHA256, ms, 1, th, th_len, vd), LT_OK);
    expect_hex(vd, 12, "b28da026d94e374749fe4b81");
    EXPECT_EQ(lt_ks12_finished(LT_HASH_SHA256, ms, 0, th, th_len, vd), LT_OK);
    expect_hex(vd, 12, "b64164f50d81720c82b4896f");
}

int main(void)
{
    LT_RUN(test_master_secret_rfc5246);
    LT_RUN(test_extended_master_secret_sha256);
    LT_RUN(test_extended_master_secret_sha384);
    LT_RUN(test_key_block_cbc_sha);
    LT_RUN(test_key_block_gcm_sha384);
    LT_RUN(test_finished_both_labels);
    return lt_test_summary();
}

/*
 * The oracle (Python 3, standard library only):
 *
 *   import hmac, hashlib
 *   def p_hash(h, secret, seed, n):
 *       out, a = b"", seed
 *       while len(out) < n:
 *           a = hmac.new(secret, a, h).digest()
 *           out += hmac.new(secret, a + seed, h).digest()
 *       return out[:n]
 *   prf = lambda s, label, seed, n, h=hashlib.sha256: p_hash(h, s, label + seed, n)
 *   pms = bytes([3, 3]) + bytes(range(1, 47))
 *   cr, sr = bytes(range(0xa0, 0xc0)), bytes(range(0x40, 0x60))
 *   sh256 = hashlib.sha256(b"session hash input").digest()
 *   sh384 = hashlib.sha384(b"session hash input").digest()
 *   ms = prf(pms, b"master secret", cr + sr, 48)
 *   ems = prf(pms, b"extended master secret", sh256, 48)
 *   ems384 = prf(pms, b"extended master secret", sh384, 48, hashlib.sha384)
 *   kb_cbc = prf(ms, b"key expansion", sr + cr, 2 * (20 + 16))
 *   kb_gcm384 = prf(ems384, b"key expansion", sr + cr, 2 * (32 + 4), hashlib.sha384)
 *   th = hashlib.sha256(b"transcript").digest()
 *   cf = prf(ems, b"client finished", th, 12); sf = prf(ems, b"server finished", th, 12)
 */
