/*
 * Ephemeral key exchange: ECDHE over X25519 (RFC 7748) and the NIST curves
 * P-256 and P-384 (RFC 8422), for TLS 1.2 ServerKeyExchange /
 * ClientKeyExchange and TLS 1.3 key_share.
 *
 * The peer's value is checked here, before libcrypto computes anything:
 * its exact length for the group, and for the NIST curves the uncompressed
 * form (RFC 8422 5.4.1 and RFC 8446 4.2.8.2 allow no other). libcrypto then
 * checks the point is on the curve (EVP_PKEY_set1_encoded_public_key and the
 * public-key check of EVP_PKEY_derive_set_peer, RFC 8422 5.11) and refuses
 * an all-zero X25519 result (RFC 7748 6.1).
 *
 * A peer key is made by copying the group from our own key
 * (EVP_PKEY_copy_parameters), so no algorithm is looked up by name per
 * handshake beyond what EVP_PKEY_CTX_new_from_* does inside libcrypto.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>

#include "crypto/crypto.h"

struct lt_kx_key {
    uint16_t group;
    EVP_PKEY *pkey;
};

/* What we need to know about each group. */
struct group_info {
    uint16_t id;
    const char *tls_name;  /* RFC 8446 4.2.7 / RFC 8422 5.1.1 */
    const char *ossl_name; /* the key type (X25519) or EC group name */
    int is_ec;             /* a NIST curve (EC key type) */
    size_t field_len;      /* bytes of a field element: the secret's length */
};

static const struct group_info GROUPS[] = {
    {LT_GROUP_X25519, "x25519", "X25519", 0, 32},
    {LT_GROUP_SECP256R1, "secp256r1", "P-256", 1, 32},
    {LT_GROUP_SECP384R1, "secp384r1", "P-384", 1, 48},
};

static const struct group_info *group_info(uint16_t group)
{
    for (size_t i = 0; i < sizeof(GROUPS) / sizeof(GROUPS[0]); i++) {
        if (GROUPS[i].id == group) {
            return &GROUPS[i];
        }
    }
    return NULL;
}

int lt_group_supported(uint16_t group)
{
    return group_info(group) != NULL;
}

const char *lt_group_name(uint16_t group)
{
    const struct group_info *g = group_info(group);
    return g != NULL ? g->tls_name : NULL;
}

/* X25519: the 32-byte u-coordinate (RFC 7748 5). NIST curves: 04 || x || y
 * (RFC 8422 5.4.1 UncompressedPointRepresentation). */
static size_t public_len(const struct group_info *g)
{
    return g->is_ec ? 1 + 2 * g->field_len : g->field_len;
}

size_t lt_group_public_len(uint16_t group)
{
    const struct group_info *g = group_info(group);
    return g != NULL ? public_len(g) : 0;
}

static int kx_key_wrap(const struct group_info *g, EVP_PKEY *pkey, lt_kx_key **out)
{
    lt_kx_key *k = calloc(1, sizeof(*k));
    if (k == NULL) {
        EVP_PKEY_free(pkey);
        return LT_ERR_NOMEM;
    }
    k->group = g->id;
    k->pkey = pkey;
    *out = k;
    return LT_OK;
}

static EVP_PKEY *generate(const struct group_info *g)
{
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, g->is_ec ? "EC" : g->ossl_name, NULL);
    EVP_PKEY *pkey = NULL;

    if (ctx == NULL || EVP_PKEY_keygen_init(ctx) != 1 ||
        (g->is_ec && EVP_PKEY_CTX_set_group_name(ctx, g->ossl_name) != 1) || EVP_PKEY_keygen(ctx, &pkey) != 1) {
        EVP_PKEY_free(pkey);
        pkey = NULL;
    }
    EVP_PKEY_CTX_free(ctx);
    return pkey;
}

#ifdef LT_TEST_HOOKS
/* Test builds with the deterministic RNG: the private key is drawn from it
 * (a scalar out of range is drawn again), so a recorded handshake replays
 * byte for byte. The shipped library always uses libcrypto's keygen. */
static int keygen_from_test_rng(uint16_t group, lt_kx_key **out)
{
    uint8_t priv[LT_MAX_KX_SECRET];
    size_t len = group == LT_GROUP_SECP384R1 ? 48 : 32;
    for (int tries = 0; tries < 64; tries++) {
        LT_GUARD(lt_random(priv, len));
        if (lt_kx_key_from_private(group, priv, len, out) == LT_OK) {
            lt_wipe(priv, sizeof priv);
            return LT_OK;
        }
    }
    lt_wipe(priv, sizeof priv);
    return LT_ERR_CRYPTO;
}
#endif

int lt_kx_keygen(uint16_t group, lt_kx_key **out)
{
    const struct group_info *g = group_info(group);
    EVP_PKEY *pkey;

    LT_ENSURE(out != NULL, LT_ERR_USAGE);
    *out = NULL;
    LT_ENSURE(g != NULL, LT_ERR_USAGE);
#ifdef LT_TEST_HOOKS
    if (lt_test_rng_active()) {
        return keygen_from_test_rng(group, out);
    }
#endif
    pkey = generate(g);
    if (pkey == NULL) {
        ERR_clear_error();
        return LT_ERR_CRYPTO;
    }
    return kx_key_wrap(g, pkey, out);
}

uint16_t lt_kx_group(const lt_kx_key *k)
{
    return k != NULL ? k->group : 0;
}

int lt_kx_public(const lt_kx_key *k, uint8_t *out, size_t cap, size_t *len)
{
    const struct group_info *g;
    size_t want, got = 0;
    int ok;

    LT_ENSURE(k != NULL && out != NULL && len != NULL, LT_ERR_USAGE);
    g = group_info(k->group);
    LT_ENSURE(g != NULL, LT_ERR_INTERNAL);
    want = public_len(g);
    LT_ENSURE(cap >= want, LT_ERR_USAGE);
    if (g->is_ec) {
        /* The encoded public key of an EC key is the uncompressed point
         * unless the key was told otherwise (ours never is). */
        ok = EVP_PKEY_get_octet_string_param(k->pkey, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, out, cap, &got) == 1;
    } else {
        got = cap;
        ok = EVP_PKEY_get_raw_public_key(k->pkey, out, &got) == 1;
    }
    if (!ok || got != want || (g->is_ec && out[0] != POINT_CONVERSION_UNCOMPRESSED)) {
        ERR_clear_error();
        return LT_ERR_CRYPTO;
    }
    *len = got;
    return LT_OK;
}

/* The peer's public value as a key on our key's group; LT_ERR_ILLEGAL_PARAMETER
 * when it is not a valid public value of that group. */
static int peer_key(const lt_kx_key *k, const struct group_info *g, const uint8_t *peer, size_t peer_len,
                    EVP_PKEY **out)
{
    EVP_PKEY *p;

    *out = NULL;
    /* RFC 8446 4.2.8.2 / RFC 8422 5.4.1: exactly this length; for the NIST
     * curves only the uncompressed form (first byte 4). This also refuses
     * the one-byte encoding of the point at infinity and compressed points
     * (02/03), which libcrypto would otherwise accept. */
    LT_ENSURE(peer_len == public_len(g), LT_ERR_ILLEGAL_PARAMETER);
    LT_ENSURE(!g->is_ec || peer[0] == POINT_CONVERSION_UNCOMPRESSED, LT_ERR_ILLEGAL_PARAMETER);

    p = EVP_PKEY_new();
    LT_ENSURE(p != NULL, LT_ERR_NOMEM);
    if (EVP_PKEY_copy_parameters(p, k->pkey) != 1) {
        EVP_PKEY_free(p);
        ERR_clear_error();
        return LT_ERR_CRYPTO;
    }
    /* For EC this decodes the point and refuses one that is not on the
     * curve (RFC 8422 5.11). */
    if (EVP_PKEY_set1_encoded_public_key(p, peer, peer_len) != 1) {
        EVP_PKEY_free(p);
        ERR_clear_error();
        return LT_ERR_ILLEGAL_PARAMETER;
    }
    *out = p;
    return LT_OK;
}

/* 1 when all n bytes are zero, in time that depends only on n. */
static int all_zero(const uint8_t *p, size_t n)
{
    uint8_t acc = 0;
    for (size_t i = 0; i < n; i++) {
        acc |= p[i];
    }
    return (int)((((unsigned)acc) - 1u) >> 8) & 1;
}

static int derive_with(const lt_kx_key *k, const struct group_info *g, EVP_PKEY *peer, uint8_t *secret,
                       size_t *secret_len)
{
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, k->pkey, NULL);
    size_t n = g->field_len;
    int rc = LT_OK;

    LT_ENSURE(ctx != NULL, LT_ERR_NOMEM);
    if (EVP_PKEY_derive_init(ctx) != 1) {
        rc = LT_ERR_CRYPTO;
    } else if (EVP_PKEY_derive_set_peer(ctx, peer) != 1) {
        /* The public-key check of the peer (on the curve, RFC 8422 5.11). */
        rc = LT_ERR_ILLEGAL_PARAMETER;
    } else if (EVP_PKEY_derive(ctx, secret, &n) != 1) {
        /* libcrypto's X25519 refuses an all-zero result (a low-order peer
         * value, RFC 7748 6.1); ECDH with a checked point on a prime-order
         * curve cannot fail on the peer's account. */
        rc = g->is_ec ? LT_ERR_CRYPTO : LT_ERR_ILLEGAL_PARAMETER;
    } else if (n != g->field_len) {
        rc = LT_ERR_CRYPTO;
    } else if (!g->is_ec && all_zero(secret, n)) {
        /* RFC 7748 6.1, RFC 8422 5.11: MUST abort on an all-zero X25519
         * secret. libcrypto already does; this keeps the rule here too. */
        rc = LT_ERR_ILLEGAL_PARAMETER;
    }
    EVP_PKEY_CTX_free(ctx);
    ERR_clear_error();
    if (rc == LT_OK) {
        *secret_len = n;
    }
    return rc;
}

int lt_kx_derive(const lt_kx_key *k, const uint8_t *peer, size_t peer_len, uint8_t *secret, size_t cap,
                 size_t *secret_len)
{
    const struct group_info *g;
    EVP_PKEY *pk = NULL;
    int rc;

    LT_ENSURE(k != NULL && secret != NULL && secret_len != NULL && (peer != NULL || peer_len == 0), LT_ERR_USAGE);
    *secret_len = 0;
    g = group_info(k->group);
    LT_ENSURE(g != NULL, LT_ERR_INTERNAL);
    if (cap < g->field_len) {
        lt_wipe(secret, cap);
        return LT_ERR_USAGE;
    }
    rc = peer_key(k, g, peer, peer_len, &pk);
    if (rc == LT_OK) {
        rc = derive_with(k, g, pk, secret, secret_len);
    }
    EVP_PKEY_free(pk);
    if (rc != LT_OK) {
        lt_wipe(secret, cap);
        *secret_len = 0;
    }
    return rc;
}

void lt_kx_free(lt_kx_key *k)
{
    if (k == NULL) {
        return;
    }
    /* EVP_PKEY_free clears the private key material. */
    EVP_PKEY_free(k->pkey);
    free(k);
}

/* ---- Keys from a known private scalar (known-answer tests) ---- */

/* The uncompressed public point d*G of a NIST-curve scalar, into pub
 * (1 + 2 * field_len bytes). 0 when d is not in [1, n-1]. */
static int ec_public_of(const struct group_info *g, const BIGNUM *d, uint8_t *pub, size_t cap)
{
    int nid = g->id == LT_GROUP_SECP256R1 ? NID_X9_62_prime256v1 : NID_secp384r1;
    EC_GROUP *grp = EC_GROUP_new_by_curve_name(nid);
    EC_POINT *pt = grp != NULL ? EC_POINT_new(grp) : NULL;
    BN_CTX *bn = BN_CTX_new();
    int ok = grp != NULL && pt != NULL && bn != NULL && !BN_is_zero(d) && !BN_is_negative(d) &&
             BN_cmp(d, EC_GROUP_get0_order(grp)) < 0 && EC_POINT_mul(grp, pt, d, NULL, NULL, bn) == 1 &&
             EC_POINT_point2oct(grp, pt, POINT_CONVERSION_UNCOMPRESSED, pub, cap, bn) == public_len(g);
    BN_CTX_free(bn);
    EC_POINT_free(pt);
    EC_GROUP_free(grp);
    return ok;
}

static EVP_PKEY *ec_key_from_scalar(const struct group_info *g, const uint8_t *priv, size_t len)
{
    uint8_t pub[LT_MAX_KX_PUBLIC];
    BIGNUM *d = BN_secure_new();
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    OSSL_PARAM *params = NULL;
    EVP_PKEY_CTX *ctx = NULL;
    EVP_PKEY *pkey = NULL;

    int ok = d != NULL && bld != NULL && BN_bin2bn(priv, (int)len, d) != NULL && ec_public_of(g, d, pub, sizeof(pub)) &&
             OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, g->ossl_name, 0) == 1 &&
             OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, d) == 1 &&
             OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pub, public_len(g)) == 1 &&
             (params = OSSL_PARAM_BLD_to_param(bld)) != NULL &&
             (ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL)) != NULL && EVP_PKEY_fromdata_init(ctx) == 1 &&
             EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_KEYPAIR, params) == 1;
    if (!ok) {
        EVP_PKEY_free(pkey);
        pkey = NULL;
    }
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params); /* OSSL_PARAM_BLD_to_param: secure memory for the BN, cleared */
    OSSL_PARAM_BLD_free(bld);
    BN_clear_free(d);
    return pkey;
}

int lt_kx_key_from_private(uint16_t group, const uint8_t *priv, size_t len, lt_kx_key **out)
{
    const struct group_info *g = group_info(group);
    EVP_PKEY *pkey;

    LT_ENSURE(out != NULL && priv != NULL, LT_ERR_USAGE);
    *out = NULL;
    LT_ENSURE(g != NULL && len == g->field_len, LT_ERR_USAGE);
    if (g->is_ec) {
        pkey = ec_key_from_scalar(g, priv, len);
    } else {
        pkey = EVP_PKEY_new_raw_private_key_ex(NULL, g->ossl_name, NULL, priv, len);
    }
    if (pkey == NULL) {
        ERR_clear_error();
        return LT_ERR_USAGE;
    }
    return kx_key_wrap(g, pkey, out);
}
