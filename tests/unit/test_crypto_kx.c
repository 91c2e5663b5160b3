/*
 * ECDHE key exchange (src/crypto/kx.c): X25519 against RFC 7748 5.2 and 6.1,
 * P-256 and P-384 against RFC 5903 8.1 and 8.2, fresh keys agreeing both
 * ways, and every kind of bad peer value refused with illegal_parameter
 * (RFC 8422 5.11, RFC 8446 4.2.8.2, RFC 7748 6.1) with the output wiped.
 */
#include <stdint.h>
#include <string.h>

#include "crypto/crypto.h"
#include "test.h"

static const uint16_t ALL_GROUPS[] = {LT_GROUP_X25519, LT_GROUP_SECP256R1, LT_GROUP_SECP384R1};
#define N_GROUPS (sizeof(ALL_GROUPS) / sizeof(ALL_GROUPS[0]))

static lt_kx_key *key_from_hex(uint16_t group, const char *hex)
{
    uint8_t priv[LT_MAX_KX_SECRET];
    size_t n = lt_test_unhex(hex, priv, sizeof priv);
    lt_kx_key *k = NULL;
    EXPECT_EQ(lt_kx_key_from_private(group, priv, n, &k), LT_OK);
    EXPECT(k != NULL);
    return k;
}

/* k's public value equals hex. */
static void expect_public(const lt_kx_key *k, const char *hex)
{
    uint8_t want[LT_MAX_KX_PUBLIC], got[LT_MAX_KX_PUBLIC];
    size_t wn = lt_test_unhex(hex, want, sizeof want), gn = 0;
    EXPECT_EQ(lt_kx_public(k, got, sizeof got, &gn), LT_OK);
    EXPECT_EQ(gn, wn);
    EXPECT_MEM(got, want, wn);
}

/* derive(k, peer) gives exactly secret_hex. */
static void expect_secret(const lt_kx_key *k, const char *peer_hex, const char *secret_hex)
{
    uint8_t peer[LT_MAX_KX_PUBLIC], want[LT_MAX_KX_SECRET], got[LT_MAX_KX_SECRET];
    size_t pn = lt_test_unhex(peer_hex, peer, sizeof peer);
    size_t wn = lt_test_unhex(secret_hex, want, sizeof want), gn = 0;
    EXPECT_EQ(lt_kx_derive(k, peer, pn, got, sizeof got, &gn), LT_OK);
    EXPECT_EQ(gn, wn);
    EXPECT_MEM(got, want, wn);
}

/* derive(k, peer) is illegal_parameter, with the output wiped and no length. */
static void expect_refused(const lt_kx_key *k, const uint8_t *peer, size_t len)
{
    uint8_t out[LT_MAX_KX_SECRET + 8];
    uint8_t zeros[sizeof out];
    size_t n = 12345;
    memset(out, 0xAA, sizeof out);
    memset(zeros, 0, sizeof zeros);
    EXPECT_EQ(lt_kx_derive(k, peer, len, out, sizeof out, &n), LT_ERR_ILLEGAL_PARAMETER);
    EXPECT_EQ(n, 0);
    EXPECT_MEM(out, zeros, sizeof out);
}

static void test_group_table(void)
{
    EXPECT(lt_group_supported(LT_GROUP_X25519));
    EXPECT(lt_group_supported(LT_GROUP_SECP256R1));
    EXPECT(lt_group_supported(LT_GROUP_SECP384R1));
    EXPECT(!lt_group_supported(25));     /* secp521r1 */
    EXPECT(!lt_group_supported(30));     /* x448 */
    EXPECT(!lt_group_supported(0x0a0a)); /* GREASE (RFC 8701) */
    EXPECT(!lt_group_supported(0));
    EXPECT(strcmp(lt_group_name(LT_GROUP_X25519), "x25519") == 0);
    EXPECT(strcmp(lt_group_name(LT_GROUP_SECP256R1), "secp256r1") == 0);
    EXPECT(strcmp(lt_group_name(LT_GROUP_SECP384R1), "secp384r1") == 0);
    EXPECT(lt_group_name(25) == NULL);
    EXPECT_EQ(lt_group_public_len(LT_GROUP_X25519), 32);
    EXPECT_EQ(lt_group_public_len(LT_GROUP_SECP256R1), 65);
    EXPECT_EQ(lt_group_public_len(LT_GROUP_SECP384R1), 97);
    EXPECT_EQ(lt_group_public_len(25), 0);

    lt_kx_key *k = (lt_kx_key *)1;
    EXPECT_EQ(lt_kx_keygen(25, &k), LT_ERR_USAGE);
    EXPECT(k == NULL);
    uint8_t priv[32] = {1};
    k = (lt_kx_key *)1;
    EXPECT_EQ(lt_kx_key_from_private(LT_GROUP_X25519, priv, 31, &k), LT_ERR_USAGE);
    EXPECT(k == NULL);
}

/* RFC 7748 5.2: the two scalar-multiplication vectors. The second u has its
 * top bit set, which X25519 must ignore (RFC 7748 5: "MUST mask"). */
static void test_x25519_rfc7748_5_2(void)
{
    lt_kx_key *k = key_from_hex(LT_GROUP_X25519, "a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4");
    expect_secret(k, "e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c",
                  "c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552");
    lt_kx_free(k);
    k = key_from_hex(LT_GROUP_X25519, "4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d");
    expect_secret(k, "e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493",
                  "95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957");
    lt_kx_free(k);
}

/* RFC 7748 5.2, iterated: k = u = 9; then k, u = X25519(k, u), k. After 1
 * and after 1000 iterations. */
static void test_x25519_rfc7748_iterated(void)
{
    uint8_t k[32] = {9}, u[32] = {9}, next[32], want1[32], want1000[32];
    size_t n;
    lt_test_unhex("422c8e7a6227d7bca1350b3e2bb7279f7897b87bb6854b783c60e80311ae3079", want1, 32);
    lt_test_unhex("684cf59ba83309552800ef566f2f4d3c1c3887c49360e3875f2eb94d99532c51", want1000, 32);
    for (int i = 1; i <= 1000; i++) {
        lt_kx_key *key = NULL;
        if (lt_kx_key_from_private(LT_GROUP_X25519, k, 32, &key) != LT_OK ||
            lt_kx_derive(key, u, 32, next, sizeof next, &n) != LT_OK || n != 32) {
            EXPECT(!"X25519 step failed");
            lt_kx_free(key);
            return;
        }
        lt_kx_free(key);
        memcpy(u, k, 32);
        memcpy(k, next, 32);
        if (i == 1) {
            EXPECT_MEM(k, want1, 32);
        }
    }
    EXPECT_MEM(k, want1000, 32);
}

/* RFC 7748 6.1: Alice and Bob. Our public value is X25519(a, 9). */
static void test_x25519_rfc7748_6_1(void)
{
    const char *alice_pub = "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a";
    const char *bob_pub = "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f";
    const char *shared = "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742";
    lt_kx_key *a = key_from_hex(LT_GROUP_X25519, "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
    lt_kx_key *b = key_from_hex(LT_GROUP_X25519, "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
    expect_public(a, alice_pub);
    expect_public(b, bob_pub);
    expect_secret(a, bob_pub, shared);
    expect_secret(b, alice_pub, shared);
    EXPECT_EQ(lt_kx_group(a), LT_GROUP_X25519);
    lt_kx_free(a);
    lt_kx_free(b);
}

/* RFC 5903 8.1 (the 256-bit random ECP group is P-256): the public values
 * 04 || gix || giy and 04 || grx || gry, and the shared x coordinate girx. */
static void test_p256_rfc5903(void)
{
    const char *gi = "04 dad0b65394221cf9b051e1feca5787d098dfe637fc90b9ef945d0c3772581180"
                     "5271a0461cdb8252d61f1c456fa3e59ab1f45b33accf5f58389e0577b8990bb3";
    const char *gr = "04 d12dfb5289c8d4f81208b70270398c342296970a0bccb74c736fc7554494bf63"
                     "56fbf3ca366cc23e8157854c13c58d6aac23f046ada30f8353e74f33039872ab";
    const char *girx = "d6840f6b42f6edafd13116e0e12565202fef8e9ece7dce03812464d04b9442de";
    lt_kx_key *i = key_from_hex(LT_GROUP_SECP256R1, "c88f01f510d9ac3f70a292daa2316de544e9aab8afe84049c62a9c57862d1433");
    lt_kx_key *r = key_from_hex(LT_GROUP_SECP256R1, "c6ef9c5d78ae012a011164acb397ce2088685d8f06bf9be0b283ab46476bee53");
    expect_public(i, gi);
    expect_public(r, gr);
    expect_secret(i, gr, girx);
    expect_secret(r, gi, girx);
    lt_kx_free(i);
    lt_kx_free(r);
}

/* RFC 5903 8.2: P-384. */
static void test_p384_rfc5903(void)
{
    const char *gi =
        "04 667842d7d180ac2cde6f74f37551f55755c7645c20ef73e31634fe72b4c55ee6de3ac808acb4bdb4c88732aee95f41aa"
        "9482ed1fc0eeb9cafc4984625ccfc23f65032149e0e144ada024181535a0f38eeb9fcff3c2c947dae69b4c634573a81c";
    const char *gr =
        "04 e558dbef53eecde3d3fccfc1aea08a89a987475d12fd950d83cfa41732bc509d0d1ac43a0336def96fda41d0774a3571"
        "dcfbec7aacf3196472169e838430367f66eebe3c6e70c416dd5f0c68759dd1fff83fa40142209dff5eaad96db9e6386c";
    const char *girx =
        "11187331c279962d93d604243fd592cb9d0a926f422e47187521287e7156c5c4d603135569b9e9d09cf5d4a270f59746";
    lt_kx_key *i = key_from_hex(LT_GROUP_SECP384R1, "099f3c7034d4a2c699884d73a375a67f7624ef7c6b3c0f160647b674"
                                                    "14dce655e35b538041e649ee3faef896783ab194");
    lt_kx_key *r = key_from_hex(LT_GROUP_SECP384R1, "41cb0779b4bdb85d47846725fbec3c9430fab46cc8dc5060855cc9bd"
                                                    "a0aa2942e0308312916b8ed2960e4bd55a7448fc");
    expect_public(i, gi);
    expect_public(r, gr);
    expect_secret(i, gr, girx);
    expect_secret(r, gi, girx);
    lt_kx_free(i);
    lt_kx_free(r);
}

/* A scalar outside [1, n-1] is not a private key. */
static void test_bad_private_scalars(void)
{
    uint8_t zero[32] = {0}, ff[48];
    lt_kx_key *k = NULL;
    memset(ff, 0xff, sizeof ff);
    EXPECT_EQ(lt_kx_key_from_private(LT_GROUP_SECP256R1, zero, 32, &k), LT_ERR_USAGE);
    EXPECT(k == NULL);
    EXPECT_EQ(lt_kx_key_from_private(LT_GROUP_SECP256R1, ff, 32, &k), LT_ERR_USAGE); /* > n */
    EXPECT(k == NULL);
    EXPECT_EQ(lt_kx_key_from_private(LT_GROUP_SECP384R1, ff, 48, &k), LT_ERR_USAGE);
    EXPECT(k == NULL);
}

/* Fresh keys on each group: right public length and form, and both sides
 * derive the same secret of the right length; two fresh keys differ. */
static void test_keygen_agree(void)
{
    for (size_t g = 0; g < N_GROUPS; g++) {
        uint16_t group = ALL_GROUPS[g];
        lt_kx_key *a = NULL, *b = NULL;
        uint8_t pa[LT_MAX_KX_PUBLIC], pb[LT_MAX_KX_PUBLIC], sa[LT_MAX_KX_SECRET], sb[LT_MAX_KX_SECRET];
        size_t na = 0, nb = 0, la = 0, lb = 0;
        EXPECT_EQ(lt_kx_keygen(group, &a), LT_OK);
        EXPECT_EQ(lt_kx_keygen(group, &b), LT_OK);
        if (a == NULL || b == NULL) {
            lt_kx_free(a);
            lt_kx_free(b);
            continue;
        }
        EXPECT_EQ(lt_kx_group(a), group);
        EXPECT_EQ(lt_kx_public(a, pa, sizeof pa, &na), LT_OK);
        EXPECT_EQ(lt_kx_public(b, pb, sizeof pb, &nb), LT_OK);
        EXPECT_EQ(na, lt_group_public_len(group));
        EXPECT_EQ(nb, lt_group_public_len(group));
        if (group != LT_GROUP_X25519) {
            EXPECT_EQ(pa[0], 4);
            EXPECT_EQ(pb[0], 4);
        }
        EXPECT(memcmp(pa, pb, na) != 0);
        /* Too small an output buffer for the public value. */
        size_t tiny = 0;
        EXPECT_EQ(lt_kx_public(a, pa, na - 1, &tiny), LT_ERR_USAGE);
        EXPECT_EQ(lt_kx_public(a, pa, sizeof pa, &na), LT_OK);

        EXPECT_EQ(lt_kx_derive(a, pb, nb, sa, sizeof sa, &la), LT_OK);
        EXPECT_EQ(lt_kx_derive(b, pa, na, sb, sizeof sb, &lb), LT_OK);
        EXPECT_EQ(la, group == LT_GROUP_SECP384R1 ? 48 : 32);
        EXPECT_EQ(lb, la);
        EXPECT_MEM(sa, sb, la);
        /* A third key gives another secret. */
        lt_kx_key *c = NULL;
        uint8_t sc[LT_MAX_KX_SECRET];
        size_t lc = 0;
        EXPECT_EQ(lt_kx_keygen(group, &c), LT_OK);
        EXPECT_EQ(lt_kx_derive(c, pb, nb, sc, sizeof sc, &lc), LT_OK);
        EXPECT(lc == la && memcmp(sc, sa, la) != 0);
        /* An output buffer smaller than the secret: refused and wiped. */
        uint8_t small[31];
        memset(small, 0xAA, sizeof small);
        EXPECT_EQ(lt_kx_derive(a, pb, nb, small, sizeof small, &la), LT_ERR_USAGE);
        EXPECT(small[0] == 0 && small[30] == 0);
        lt_kx_free(a);
        lt_kx_free(b);
        lt_kx_free(c);
    }
}

/* X25519 low-order u values: the secret would be all zeros (RFC 7748 6.1
 * "MAY check"; RFC 8422 5.11 and RFC 8446 7.4.2 make it a MUST). */
static void test_x25519_low_order(void)
{
    static const char *const low_order[] = {
        "0000000000000000000000000000000000000000000000000000000000000000", /* 0 */
        "0100000000000000000000000000000000000000000000000000000000000000", /* 1 */
        "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800", /* order 8 */
        "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157", /* order 8 */
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", /* p - 1 */
        "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", /* p (= 0) */
        "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", /* p + 1 (= 1) */
        "0000000000000000000000000000000000000000000000000000000000000080", /* 0, top bit set */
    };
    lt_kx_key *k = NULL;
    EXPECT_EQ(lt_kx_keygen(LT_GROUP_X25519, &k), LT_OK);
    for (size_t i = 0; k != NULL && i < sizeof(low_order) / sizeof(low_order[0]); i++) {
        uint8_t u[32];
        lt_test_unhex(low_order[i], u, sizeof u);
        expect_refused(k, u, sizeof u);
    }
    lt_kx_free(k);
}

static void test_x25519_bad_lengths(void)
{
    uint8_t u[40];
    lt_kx_key *k = NULL;
    memset(u, 0x42, sizeof u);
    EXPECT_EQ(lt_kx_keygen(LT_GROUP_X25519, &k), LT_OK);
    expect_refused(k, u, 31);
    expect_refused(k, u, 33);
    expect_refused(k, u, 0);
    expect_refused(k, NULL, 0);
    lt_kx_free(k);
}

/* Bad P-256 / P-384 peer values, built from a valid point of the group. */
static void test_nist_bad_points(void)
{
    for (size_t g = 1; g < N_GROUPS; g++) {
        uint16_t group = ALL_GROUPS[g];
        size_t plen = lt_group_public_len(group), flen = (plen - 1) / 2;
        lt_kx_key *k = NULL, *peer = NULL;
        uint8_t good[LT_MAX_KX_PUBLIC + 1], bad[LT_MAX_KX_PUBLIC + 1], secret[LT_MAX_KX_SECRET];
        size_t n = 0;
        EXPECT_EQ(lt_kx_keygen(group, &k), LT_OK);
        EXPECT_EQ(lt_kx_keygen(group, &peer), LT_OK);
        if (k == NULL || peer == NULL) {
            lt_kx_free(k);
            lt_kx_free(peer);
            continue;
        }
        EXPECT_EQ(lt_kx_public(peer, good, sizeof good, &n), LT_OK);
        EXPECT_EQ(lt_kx_derive(k, good, plen, secret, sizeof secret, &n), LT_OK); /* the base case works */

        /* Wrong lengths: one short, one long, the other curve's length. */
        expect_refused(k, good, plen - 1);
        memcpy(bad, good, plen);
        bad[plen] = 0;
        expect_refused(k, bad, plen + 1);
        expect_refused(k, good, group == LT_GROUP_SECP256R1 ? 97 : 65);
        expect_refused(k, good, 0);

        /* The point at infinity: its one-byte encoding 00, and 00 followed
         * by zeros at the full length. */
        memset(bad, 0, sizeof bad);
        expect_refused(k, bad, 1);
        expect_refused(k, bad, plen);

        /* Compressed points 02/03 || x (their own length, and padded to
         * the uncompressed length). */
        memcpy(bad, good, 1 + flen);
        bad[0] = 2;
        expect_refused(k, bad, 1 + flen);
        bad[0] = 3;
        expect_refused(k, bad, 1 + flen);
        memcpy(bad, good, plen);
        bad[0] = 2;
        expect_refused(k, bad, plen);
        bad[0] = 3;
        expect_refused(k, bad, plen);

        /* The "hybrid" forms 06/07 || x || y that libcrypto would decode:
         * RFC 8422 5.4.1 and RFC 8446 4.2.8.2 allow only 04. One of these
         * has the right parity bit for y. */
        memcpy(bad, good, plen);
        bad[0] = 6;
        expect_refused(k, bad, plen);
        bad[0] = 7;
        expect_refused(k, bad, plen);
        bad[0] = 0;
        expect_refused(k, bad, plen);
        bad[0] = 5;
        expect_refused(k, bad, plen);

        /* Off the curve: y changed in its last bit; x changed. */
        memcpy(bad, good, plen);
        bad[plen - 1] ^= 1;
        expect_refused(k, bad, plen);
        memcpy(bad, good, plen);
        bad[1] ^= 0x80;
        expect_refused(k, bad, plen);
        /* (0, 0) and coordinates that are not field elements (all ff: >= p). */
        memset(bad, 0, sizeof bad);
        bad[0] = 4;
        expect_refused(k, bad, plen);
        memset(bad, 0xff, sizeof bad);
        bad[0] = 4;
        expect_refused(k, bad, plen);

        lt_kx_free(k);
        lt_kx_free(peer);
    }
}

/* A point of the other curve (right form, wrong length) and a P-256 point
 * padded to P-384's length are both refused. */
static void test_cross_curve(void)
{
    lt_kx_key *k256 = NULL, *k384 = NULL;
    uint8_t p256[LT_MAX_KX_PUBLIC], p384[LT_MAX_KX_PUBLIC];
    size_t n256 = 0, n384 = 0;
    EXPECT_EQ(lt_kx_keygen(LT_GROUP_SECP256R1, &k256), LT_OK);
    EXPECT_EQ(lt_kx_keygen(LT_GROUP_SECP384R1, &k384), LT_OK);
    if (k256 == NULL || k384 == NULL) {
        lt_kx_free(k256);
        lt_kx_free(k384);
        return;
    }
    EXPECT_EQ(lt_kx_public(k256, p256, sizeof p256, &n256), LT_OK);
    EXPECT_EQ(lt_kx_public(k384, p384, sizeof p384, &n384), LT_OK);
    expect_refused(k256, p384, n384);
    expect_refused(k384, p256, n256);
    lt_kx_free(k256);
    lt_kx_free(k384);
}

static void test_null_and_free(void)
{
    uint8_t buf[64];
    size_t n;
    lt_kx_free(NULL);
    EXPECT_EQ(lt_kx_public(NULL, buf, sizeof buf, &n), LT_ERR_USAGE);
    EXPECT_EQ(lt_kx_derive(NULL, buf, 32, buf, sizeof buf, &n), LT_ERR_USAGE);
    EXPECT_EQ(lt_kx_keygen(LT_GROUP_X25519, NULL), LT_ERR_USAGE);
    EXPECT_EQ(lt_kx_group(NULL), 0);
}

int main(void)
{
    LT_RUN(test_group_table);
    LT_RUN(test_x25519_rfc7748_5_2);
    LT_RUN(test_x25519_rfc7748_iterated);
    LT_RUN(test_x25519_rfc7748_6_1);
    LT_RUN(test_p256_rfc5903);
    LT_RUN(test_p384_rfc5903);
    LT_RUN(test_bad_private_scalars);
    LT_RUN(test_keygen_agree);
    LT_RUN(test_x25519_low_order);
    LT_RUN(test_x25519_bad_lengths);
    LT_RUN(test_nist_bad_points);
    LT_RUN(test_cross_curve);
    LT_RUN(test_null_and_free);
    return lt_test_summary();
}
