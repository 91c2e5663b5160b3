/*
 * Trust anchors and peer chain verification (RFC 5280 path validation by
 * libcrypto's X509_verify_cert, RFC 6125 name checks by X509_VERIFY_PARAM).
 *
 * The verify callback records every error it sees and lets verification go
 * on, so one run tells separately whether the chain, the key and signature
 * strength, the validity times and the hostname were good (for the
 * narration). The result is then chosen by priority: chain, then weak keys,
 * then weak signatures, then time, then purpose, then hostname. Any recorded
 * error fails the verification.
 *
 * The security level is libcrypto's auth level (X509_VERIFY_PARAM_set_auth_level),
 * so the rules are exactly OpenSSL's: every key in the chain (the leaf's,
 * each CA's, the trust anchor's) and every signature except the trust
 * anchor's own self-signature must have at least the level's bits of
 * security. We only word the errors ourselves.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include "base/text.h"
#include "crypto/crypto.h"

/*
 * Parsing a certificate (d2i_X509, mostly its public key through the 3.0
 * decoders) is most of a client's handshake CPU, and a client usually sees
 * the same server chain again and again. The trust object keeps the last
 * few peer certificates it parsed, keyed by their exact DER bytes. Only
 * parsing is saved: every handshake still verifies signatures, validity
 * times, purpose and name.
 */
#define LT_CERT_CACHE 8

struct cert_cache_entry {
    uint8_t *der;
    size_t len;
    X509 *x;
};

struct lt_trust {
    X509_STORE *store;
    CRYPTO_RWLOCK *lock; /* guards the cache: a config is shared by threads */
    struct cert_cache_entry cache[LT_CERT_CACHE];
    unsigned next_slot;
};

lt_trust *lt_trust_new(void)
{
    lt_trust *t = calloc(1, sizeof(*t));

    if (t == NULL) {
        return NULL;
    }
    t->store = X509_STORE_new();
    t->lock = CRYPTO_THREAD_lock_new();
    if (t->store == NULL || t->lock == NULL) {
        X509_STORE_free(t->store);
        CRYPTO_THREAD_lock_free(t->lock);
        free(t);
        return NULL;
    }
    return t;
}

void lt_trust_free(lt_trust *t)
{
    if (t == NULL) {
        return;
    }
    for (size_t i = 0; i < LT_CERT_CACHE; i++) {
        X509_free(t->cache[i].x);
        free(t->cache[i].der);
    }
    CRYPTO_THREAD_lock_free(t->lock);
    X509_STORE_free(t->store);
    free(t);
}

/* A parsed certificate for exactly these DER bytes (the whole blob, no
 * trailing bytes), from the cache or freshly parsed; NULL if it does not
 * parse. The caller owns one reference. */
static X509 *parse_cert_cached(lt_trust *t, const uint8_t *der, size_t len)
{
    X509 *x = NULL;
    if (CRYPTO_THREAD_write_lock(t->lock)) {
        for (size_t i = 0; i < LT_CERT_CACHE && x == NULL; i++) {
            struct cert_cache_entry *e = &t->cache[i];
            if (e->x != NULL && e->len == len && memcmp(e->der, der, len) == 0 && X509_up_ref(e->x)) {
                x = e->x;
            }
        }
        CRYPTO_THREAD_unlock(t->lock);
    }
    if (x != NULL) {
        return x;
    }
    const unsigned char *p = der;
    x = len <= 0x7fffffff ? d2i_X509(NULL, &p, (long)len) : NULL;
    if (x == NULL || p != der + len) {
        X509_free(x);
        ERR_clear_error();
        return NULL;
    }
    uint8_t *copy = malloc(len);
    if (copy != NULL && X509_up_ref(x) && CRYPTO_THREAD_write_lock(t->lock)) {
        struct cert_cache_entry *e = &t->cache[t->next_slot++ % LT_CERT_CACHE];
        X509_free(e->x);
        free(e->der);
        memcpy(copy, der, len);
        e->der = copy;
        e->len = len;
        e->x = x;
        copy = NULL;
        CRYPTO_THREAD_unlock(t->lock);
    }
    free(copy);
    return x;
}

int lt_trust_add_file(lt_trust *t, const char *path)
{
    LT_ENSURE(t != NULL && path != NULL, LT_ERR_USAGE);
    if (X509_STORE_load_file(t->store, path) != 1) {
        ERR_clear_error();
        return LT_ERR_CONFIG;
    }
    return LT_OK;
}

int lt_trust_add_dir(lt_trust *t, const char *path)
{
    LT_ENSURE(t != NULL && path != NULL, LT_ERR_USAGE);
    if (X509_STORE_load_path(t->store, path) != 1) {
        ERR_clear_error();
        return LT_ERR_CONFIG;
    }
    return LT_OK;
}

/* All or nothing: every CERTIFICATE block is parsed before any is added, and
 * a damaged block fails the whole PEM (as X509_STORE_load_file does for a
 * file). Other blocks (a key, a CRL, a TRUSTED CERTIFICATE) are skipped, as
 * before. */
int lt_trust_add_pem(lt_trust *t, const char *pem, size_t len)
{
    LT_ENSURE(t != NULL && pem != NULL && len <= 0x7fffffff, LT_ERR_USAGE);
    STACK_OF(X509) *certs = sk_X509_new_null();
    BIO *bio = BIO_new_mem_buf(pem, (int)len);
    int rc = LT_OK;
    if (certs == NULL || bio == NULL) {
        sk_X509_free(certs);
        BIO_free(bio);
        return LT_ERR_NOMEM;
    }
    ERR_clear_error(); /* the end of the input is told by the error queue */
    for (;;) {
        char *name = NULL, *header = NULL;
        unsigned char *data = NULL;
        long dlen = 0;
        if (PEM_read_bio(bio, &name, &header, &data, &dlen) != 1) {
            /* The end of the input ("no start line"), or a damaged block. */
            unsigned long e = ERR_peek_last_error();
            if (ERR_GET_LIB(e) != ERR_LIB_PEM || ERR_GET_REASON(e) != PEM_R_NO_START_LINE) {
                rc = LT_ERR_CONFIG;
            }
            break;
        }
        if (strcmp(name, PEM_STRING_X509) == 0 || strcmp(name, PEM_STRING_X509_OLD) == 0) {
            const unsigned char *p = data;
            X509 *x = d2i_X509(NULL, &p, dlen);
            if (x == NULL || p != data + dlen || !sk_X509_push(certs, x)) {
                X509_free(x);
                rc = LT_ERR_CONFIG;
            }
        }
        OPENSSL_free(name);
        OPENSSL_free(header);
        OPENSSL_free(data);
        if (rc != LT_OK) {
            break;
        }
    }
    BIO_free(bio);
    if (rc == LT_OK && sk_X509_num(certs) == 0) {
        rc = LT_ERR_CONFIG;
    }
    /* X509_STORE_add_cert takes its own reference; a duplicate is fine.
     * It fails only when out of memory. */
    for (int i = 0; rc == LT_OK && i < sk_X509_num(certs); i++) {
        if (X509_STORE_add_cert(t->store, sk_X509_value(certs, i)) != 1) {
            rc = LT_ERR_NOMEM;
        }
    }
    sk_X509_pop_free(certs, X509_free);
    ERR_clear_error();
    return rc;
}

int lt_trust_add_system(lt_trust *t)
{
    LT_ENSURE(t != NULL, LT_ERR_USAGE);
    if (X509_STORE_set_default_paths(t->store) != 1) {
        ERR_clear_error();
        return LT_ERR_CONFIG;
    }
    return LT_OK;
}

/* ---- Text for the report ---- */

/* Copy s into a field, replacing anything unprintable: names come from the
 * peer and end up in terminals and logs. */
/* Peer-supplied text (names, SANs) into dst: through the one escaping
 * function, so a certificate cannot put control bytes in a log. */
static void put_text(char *dst, size_t cap, const char *s, size_t n)
{
    lt_escape_peer_text(dst, cap, s, n);
}

static void bio_to_text(BIO *bio, char *dst, size_t cap)
{
    char *p = NULL;
    long n = BIO_get_mem_data(bio, &p);

    put_text(dst, cap, p != NULL ? p : "", n > 0 ? (size_t)n : 0);
}

static void name_text(const X509_NAME *name, char *dst, size_t cap)
{
    BIO *bio = BIO_new(BIO_s_mem());

    dst[0] = '\0';
    if (bio == NULL) {
        return;
    }
    /* RFC 2253 one line, most specific first: "CN=localhost,O=Example".
     * Control and non-ASCII bytes are left to put_text (our one escaping
     * function), not escaped a first time by libcrypto. */
    if (X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB & ~ASN1_STRFLGS_ESC_CTRL) >= 0) {
        bio_to_text(bio, dst, cap);
    }
    BIO_free(bio);
}

static void time_text(const ASN1_TIME *tm, char *dst, size_t cap)
{
    BIO *bio;

    dst[0] = '\0';
    if (tm == NULL) {
        return;
    }
    bio = BIO_new(BIO_s_mem());
    if (bio == NULL) {
        return;
    }
    if (ASN1_TIME_print(bio, tm) == 1) {
        bio_to_text(bio, dst, cap);
    }
    BIO_free(bio);
}

/* Text that is already ours (separators, escaped names): copied as is. */
static void append(char *dst, size_t cap, const char *s)
{
    size_t used = strlen(dst);

    if (used + 1 < cap) {
        snprintf(dst + used, cap - used, "%s", s);
    }
}

/* The leaf's DNS and IP subjectAltNames, ", "-separated. */
static void san_text(X509 *leaf, char *dst, size_t cap)
{
    GENERAL_NAMES *gens = X509_get_ext_d2i(leaf, NID_subject_alt_name, NULL, NULL);
    int i;

    dst[0] = '\0';
    if (gens == NULL) {
        return;
    }
    for (i = 0; i < sk_GENERAL_NAME_num(gens); i++) {
        const GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);
        char one[256];
        one[0] = '\0';
        if (g->type == GEN_DNS) {
            const ASN1_STRING *s = g->d.dNSName;
            put_text(one, sizeof(one), (const char *)ASN1_STRING_get0_data(s), (size_t)ASN1_STRING_length(s));
        } else if (g->type == GEN_IPADD) {
            const ASN1_STRING *s = g->d.iPAddress;
            int len = ASN1_STRING_length(s);
            if (len == 4 || len == 16) {
                if (inet_ntop(len == 4 ? AF_INET : AF_INET6, ASN1_STRING_get0_data(s), one, sizeof(one)) == NULL) {
                    one[0] = '\0';
                }
            }
        }
        if (one[0] != '\0') {
            if (dst[0] != '\0') {
                append(dst, cap, ", ");
            }
            append(dst, cap, one);
        }
    }
    GENERAL_NAMES_free(gens);
}

/* ---- Verification ---- */

enum err_class { EC_NONE = 0, EC_UNKNOWN_CA, EC_BAD, EC_WEAK_KEY, EC_WEAK_SIG, EC_TIME, EC_PURPOSE, EC_HOST, EC_COUNT };

static enum err_class classify(int err)
{
    switch (err) {
    case X509_V_OK: return EC_NONE;
    case X509_V_ERR_CERT_HAS_EXPIRED:
    case X509_V_ERR_CERT_NOT_YET_VALID: return EC_TIME;
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    case X509_V_ERR_CERT_UNTRUSTED: return EC_UNKNOWN_CA;
    case X509_V_ERR_HOSTNAME_MISMATCH:
    case X509_V_ERR_IP_ADDRESS_MISMATCH: return EC_HOST;
    case X509_V_ERR_INVALID_PURPOSE: return EC_PURPOSE;
    /* Below the security level (X509_VERIFY_PARAM_set_auth_level). */
    case X509_V_ERR_EE_KEY_TOO_SMALL:
    case X509_V_ERR_CA_KEY_TOO_SMALL: return EC_WEAK_KEY;
    case X509_V_ERR_CA_MD_TOO_WEAK: return EC_WEAK_SIG;
    default: return EC_BAD;
    }
}

/* The first error of each kind, with the certificate it was about. */
struct seen {
    int err[EC_COUNT];
    int depth[EC_COUNT];
    X509 *cert[EC_COUNT]; /* owned reference */
    int chain_first;      /* EC_UNKNOWN_CA or EC_BAD, whichever came first */
    int client;           /* verifying a client certificate (purpose sslclient) */
};

static int seen_index = -1;
static CRYPTO_ONCE seen_once = CRYPTO_ONCE_STATIC_INIT;

static void seen_index_init(void)
{
    seen_index = X509_STORE_CTX_get_ex_new_index(0, NULL, NULL, NULL, NULL);
}

static int verify_cb(int ok, X509_STORE_CTX *ctx)
{
    struct seen *s;
    enum err_class ec;
    int err;

    if (ok) {
        return 1;
    }
    s = X509_STORE_CTX_get_ex_data(ctx, seen_index);
    err = X509_STORE_CTX_get_error(ctx);
    ec = classify(err);
    if (s == NULL) {
        return 0;
    }
    if (ec == EC_NONE) {
        /* A failure without an error code: treat it as a bad certificate. */
        ec = EC_BAD;
        err = X509_V_ERR_UNSPECIFIED;
    }
    if (s->err[ec] == 0) {
        X509 *cur = X509_STORE_CTX_get_current_cert(ctx);
        s->err[ec] = err;
        s->depth[ec] = X509_STORE_CTX_get_error_depth(ctx);
        if (cur != NULL && X509_up_ref(cur) == 1) {
            s->cert[ec] = cur;
        }
    }
    if ((ec == EC_UNKNOWN_CA || ec == EC_BAD) && s->chain_first == 0) {
        s->chain_first = ec;
    }
    /* Go on: we decide the outcome ourselves from everything we saw. */
    return 1;
}

static void seen_free(struct seen *s)
{
    int i;

    for (i = 0; i < EC_COUNT; i++) {
        X509_free(s->cert[i]);
    }
}

static const char *subject_or(X509 *x, char *buf, size_t cap, const char *dflt)
{
    if (x == NULL) {
        return dflt;
    }
    name_text(X509_get_subject_name(x), buf, cap);
    return buf;
}

/* ---- Security level: the words for its failures ---- */

/* Minimum sizes per level, as OpenSSL derives them from bits of security
 * (EVP_PKEY_get_security_bits: RSA/DSA/DH by modulus size, EC by half the
 * order's size; NIST SP 800-57 Part 1 5.6.1). Index: the level. */
static const int level_bits[LT_SECLEVEL_MAX + 1] = {0, 80, 112, 128, 192, 256};
static const int level_rsa[LT_SECLEVEL_MAX + 1] = {0, 1024, 2048, 3072, 7680, 15360};
static const int level_ec[LT_SECLEVEL_MAX + 1] = {0, 160, 224, 256, 384, 512};

static int clamp_level(int level)
{
    return level < 0 ? 0 : level > LT_SECLEVEL_MAX ? LT_SECLEVEL_MAX : level;
}

/* "the minimum at security level 2 is 2048" for this kind of key. */
static void key_minimum(EVP_PKEY *pk, int level, char *buf, size_t cap)
{
    int l = clamp_level(level);
    if (pk != NULL && (EVP_PKEY_is_a(pk, "RSA") || EVP_PKEY_is_a(pk, "RSA-PSS") || EVP_PKEY_is_a(pk, "DSA") ||
                       EVP_PKEY_is_a(pk, "DH") || EVP_PKEY_is_a(pk, "DHX"))) {
        snprintf(buf, cap, "the minimum at security level %d is %d", level, level_rsa[l]);
    } else if (pk != NULL && EVP_PKEY_is_a(pk, "EC")) {
        snprintf(buf, cap, "the minimum at security level %d is %d", level, level_ec[l]);
    } else {
        snprintf(buf, cap, "security level %d needs %d bits of security, the key has %d", level, level_bits[l],
                 pk != NULL ? EVP_PKEY_get_security_bits(pk) : 0);
    }
}

static void describe_weak_key(const struct seen *s, int level, lt_cert_report *r)
{
    X509 *x = s->cert[EC_WEAK_KEY];
    EVP_PKEY *pk = x != NULL ? X509_get0_pubkey(x) : NULL;
    char key[64], min[128], name[256];

    if (pk == NULL) {
        /* OpenSSL counts a key it cannot read as below every level. */
        snprintf(key, sizeof(key), "of a type we cannot read");
        snprintf(min, sizeof(min), "security level %d refuses such keys", level);
        ERR_clear_error();
    } else {
        lt_pkey_describe((const lt_pkey *)pk, key, sizeof(key));
        key_minimum(pk, level, min, sizeof(min));
    }
    if (s->depth[EC_WEAK_KEY] == 0) {
        snprintf(r->detail, sizeof(r->detail), "server key is %s; %s", key, min);
    } else {
        snprintf(r->detail, sizeof(r->detail), "CA key of certificate '%s' (depth %d) is %s; %s",
                 subject_or(x, name, sizeof(name), "?"), s->depth[EC_WEAK_KEY], key, min);
    }
}

/* "SHA-1", "MD5": the digest a certificate is signed with, or the signature
 * algorithm when it has no separate digest (Ed25519). */
static const char *sig_hash_name(X509 *x)
{
    int mdnid = NID_undef, pknid = NID_undef;

    if (x == NULL || X509_get_signature_info(x, &mdnid, &pknid, NULL, NULL) != 1) {
        ERR_clear_error();
        return "an unknown algorithm";
    }
    switch (mdnid) {
    case NID_md2: return "MD2";
    case NID_md4: return "MD4";
    case NID_md5: return "MD5";
    case NID_md5_sha1: return "MD5+SHA-1";
    case NID_sha1: return "SHA-1";
    case NID_sha224: return "SHA-224";
    case NID_sha256: return "SHA-256";
    case NID_sha384: return "SHA-384";
    case NID_sha512: return "SHA-512";
    case NID_undef: return pknid != NID_undef ? OBJ_nid2sn(pknid) : "an unknown algorithm";
    default: return OBJ_nid2sn(mdnid);
    }
}

static void describe_weak_sig(const struct seen *s, int level, lt_cert_report *r)
{
    X509 *x = s->cert[EC_WEAK_SIG];
    char name[256];

    snprintf(r->detail, sizeof(r->detail),
             "certificate '%s' (depth %d) is signed with %s, which security level %d forbids",
             subject_or(x, name, sizeof(name), "?"), s->depth[EC_WEAK_SIG], sig_hash_name(x), level);
}

/* One clear line for the chosen failure. */
static int describe(const struct seen *s, int ec, const char *hostname, lt_cert_report *r)
{
    char name[256];
    char when[64];
    const char *why = X509_verify_cert_error_string(s->err[ec]);
    X509 *x = s->cert[ec];

    switch (ec) {
    case EC_UNKNOWN_CA:
        name[0] = '\0';
        if (x != NULL) {
            name_text(X509_get_issuer_name(x), name, sizeof(name));
        }
        snprintf(r->detail, sizeof(r->detail), "unknown CA: %s (issuer: %s)", why, name[0] ? name : "?");
        return LT_ERR_UNKNOWN_CA;
    case EC_BAD:
        snprintf(r->detail, sizeof(r->detail), "bad certificate: %s (depth %d: %s)", why, s->depth[ec],
                 subject_or(x, name, sizeof(name), "?"));
        return LT_ERR_BAD_CERTIFICATE;
    case EC_TIME:
        if (s->err[ec] == X509_V_ERR_CERT_NOT_YET_VALID) {
            time_text(x != NULL ? X509_get0_notBefore(x) : NULL, when, sizeof(when));
            snprintf(r->detail, sizeof(r->detail), "certificate not yet valid (not before: %s; depth %d: %s)", when,
                     s->depth[ec], subject_or(x, name, sizeof(name), "?"));
        } else {
            time_text(x != NULL ? X509_get0_notAfter(x) : NULL, when, sizeof(when));
            snprintf(r->detail, sizeof(r->detail), "certificate expired (not after: %s; depth %d: %s)", when,
                     s->depth[ec], subject_or(x, name, sizeof(name), "?"));
        }
        return LT_ERR_CERTIFICATE_EXPIRED;
    case EC_WEAK_KEY: describe_weak_key(s, r->security_level, r); return LT_ERR_INSUFFICIENT_SECURITY;
    case EC_WEAK_SIG: describe_weak_sig(s, r->security_level, r); return LT_ERR_BAD_CERTIFICATE;
    case EC_PURPOSE:
        snprintf(r->detail, sizeof(r->detail), "certificate not allowed for TLS %s authentication: %s (depth %d: %s)",
                 s->client ? "client" : "server", why, s->depth[ec], subject_or(x, name, sizeof(name), "?"));
        return LT_ERR_UNSUPPORTED_CERTIFICATE;
    case EC_HOST:
    default:
        snprintf(r->detail, sizeof(r->detail), "hostname mismatch (wanted %s, certificate has %s)",
                 hostname != NULL ? hostname : "?", r->names[0] ? r->names : r->subject);
        return LT_ERR_HOSTNAME_MISMATCH;
    }
}

static int set_host(X509_VERIFY_PARAM *param, const char *hostname)
{
    ASN1_OCTET_STRING *ip;

    /* RFC 6125 6.4.3: no partial-label wildcards ("f*.example.com"). */
    X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    /* An IP literal is matched against iPAddress SANs, never DNS names
     * (RFC 6125 3.1.3.2 via RFC 5280 4.2.1.6). */
    ip = a2i_IPADDRESS(hostname);
    if (ip != NULL) {
        ASN1_OCTET_STRING_free(ip);
        return X509_VERIFY_PARAM_set1_ip_asc(param, hostname) == 1;
    }
    ERR_clear_error();
    return X509_VERIFY_PARAM_set1_host(param, hostname, 0) == 1;
}

/* ---- keyUsage ---- */

static const struct {
    uint32_t x509; /* X509v3_KU_* */
    unsigned lt;   /* LT_KU_* */
    const char *name;
} KU_BITS[] = {
    {X509v3_KU_DIGITAL_SIGNATURE, LT_KU_DIGITAL_SIGNATURE, "digitalSignature"},
    {X509v3_KU_NON_REPUDIATION, LT_KU_NON_REPUDIATION, "nonRepudiation"},
    {X509v3_KU_KEY_ENCIPHERMENT, LT_KU_KEY_ENCIPHERMENT, "keyEncipherment"},
    {X509v3_KU_DATA_ENCIPHERMENT, LT_KU_DATA_ENCIPHERMENT, "dataEncipherment"},
    {X509v3_KU_KEY_AGREEMENT, LT_KU_KEY_AGREEMENT, "keyAgreement"},
    {X509v3_KU_KEY_CERT_SIGN, LT_KU_KEY_CERT_SIGN, "keyCertSign"},
    {X509v3_KU_CRL_SIGN, LT_KU_CRL_SIGN, "cRLSign"},
    {X509v3_KU_ENCIPHER_ONLY, LT_KU_ENCIPHER_ONLY, "encipherOnly"},
    {X509v3_KU_DECIPHER_ONLY, LT_KU_DECIPHER_ONLY, "decipherOnly"},
};

static void key_usage_of(X509 *leaf, lt_cert_report *r)
{
    /* UINT32_MAX when the certificate has no keyUsage extension. */
    uint32_t ku = X509_get_key_usage(leaf);

    r->has_key_usage = ku != UINT32_MAX;
    r->key_usage = 0;
    r->key_usage_names[0] = '\0';
    if (!r->has_key_usage) {
        return;
    }
    for (size_t i = 0; i < sizeof(KU_BITS) / sizeof(KU_BITS[0]); i++) {
        if (ku & KU_BITS[i].x509) {
            r->key_usage |= KU_BITS[i].lt;
            if (r->key_usage_names[0] != '\0') {
                append(r->key_usage_names, sizeof(r->key_usage_names), ", ");
            }
            append(r->key_usage_names, sizeof(r->key_usage_names), KU_BITS[i].name);
        }
    }
    if (r->key_usage_names[0] == '\0') {
        append(r->key_usage_names, sizeof(r->key_usage_names), "(no bits set)");
    }
}

int lt_cert_allows_der(const uint8_t *der, size_t len, lt_key_use use)
{
    const unsigned char *p = der;
    if (der == NULL || len == 0 || len > 0x7fffffff) {
        return 0;
    }
    X509 *x = d2i_X509(NULL, &p, (long)len);
    if (x == NULL) {
        ERR_clear_error();
        return 0;
    }
    lt_cert_report r;
    memset(&r, 0, sizeof r);
    key_usage_of(x, &r);
    X509_free(x);
    ERR_clear_error();
    return lt_cert_allows(&r, use);
}

static unsigned key_use_bit(lt_key_use use)
{
    switch (use) {
    case LT_KEY_USE_ENCIPHERMENT: return LT_KU_KEY_ENCIPHERMENT;
    case LT_KEY_USE_SIGNATURE: return LT_KU_DIGITAL_SIGNATURE;
    default: return 0;
    }
}

int lt_cert_allows(const lt_cert_report *report, lt_key_use use)
{
    unsigned bit = key_use_bit(use);

    if (report == NULL || bit == 0) {
        return 0;
    }
    /* RFC 5280 4.2.1.3: without the extension the key may be used for
     * anything; with it, only for what it lists. */
    return !report->has_key_usage || (report->key_usage & bit) != 0;
}

const char *lt_key_use_name(lt_key_use use)
{
    switch (use) {
    case LT_KEY_USE_ENCIPHERMENT: return "keyEncipherment";
    case LT_KEY_USE_SIGNATURE: return "digitalSignature";
    default: return "?";
    }
}

static int verify_chain(const lt_trust *t, const uint8_t *const *der, const size_t *len, size_t n, const char *hostname,
                        int security_level, int client, lt_cert_report *report, lt_pkey **leaf_pub)
{
    STACK_OF(X509) *certs = NULL;
    X509_STORE_CTX *ctx = NULL;
    X509 *leaf = NULL;
    struct seen s;
    int rc = LT_OK;
    int vr;
    size_t i;

    LT_ENSURE(t != NULL && report != NULL && (der != NULL || n == 0) && (len != NULL || n == 0), LT_ERR_USAGE);
    LT_ENSURE(security_level >= 0 && security_level <= LT_SECLEVEL_MAX, LT_ERR_USAGE);
    memset(report, 0, sizeof(*report));
    report->security_level = security_level;
    memset(&s, 0, sizeof(s));
    s.client = client;
    if (leaf_pub != NULL) {
        *leaf_pub = NULL;
    }
    report->host_checked = hostname != NULL;
    if (n == 0) {
        snprintf(report->detail, sizeof(report->detail), "bad certificate: the peer sent no certificate");
        return LT_ERR_BAD_CERTIFICATE;
    }
    LT_ENSURE(CRYPTO_THREAD_run_once(&seen_once, seen_index_init) && seen_index >= 0, LT_ERR_CRYPTO);

    certs = sk_X509_new_null();
    LT_ENSURE(certs != NULL, LT_ERR_NOMEM);
    for (i = 0; i < n; i++) {
        /* The whole blob must be one certificate: trailing bytes are as
         * malformed as a broken encoding. The cache is the only state a
         * verification changes in the (otherwise read-only) trust object. */
        X509 *x = der[i] != NULL ? parse_cert_cached((lt_trust *)t, der[i], len[i]) : NULL;
        if (x == NULL) {
            snprintf(report->detail, sizeof(report->detail),
                     "bad certificate: certificate %zu of %zu could not be parsed as DER X.509", i + 1, n);
            rc = LT_ERR_BAD_CERTIFICATE;
            goto out;
        }
        if (!sk_X509_push(certs, x)) {
            X509_free(x);
            rc = LT_ERR_NOMEM;
            goto out;
        }
    }
    leaf = sk_X509_value(certs, 0);

    name_text(X509_get_subject_name(leaf), report->subject, sizeof(report->subject));
    name_text(X509_get_issuer_name(leaf), report->issuer, sizeof(report->issuer));
    time_text(X509_get0_notBefore(leaf), report->not_before, sizeof(report->not_before));
    time_text(X509_get0_notAfter(leaf), report->not_after, sizeof(report->not_after));
    san_text(leaf, report->names, sizeof(report->names));
    lt_pkey_describe((const lt_pkey *)X509_get0_pubkey(leaf), report->key, sizeof(report->key));
    key_usage_of(leaf, report);

    ctx = X509_STORE_CTX_new();
    if (ctx == NULL) {
        rc = LT_ERR_NOMEM;
        goto out;
    }
    /* The rest of the peer's list is untrusted intermediates (RFC 5246
     * 7.4.2: each certifies the one before it; the root may be omitted). */
    if (X509_STORE_CTX_init(ctx, t->store, leaf, certs) != 1 ||
        /* RFC 5280 4.2.1.12: an extendedKeyUsage, when present, must
         * allow serverAuth (or clientAuth for a client certificate). */
        X509_STORE_CTX_set_purpose(ctx, client ? X509_PURPOSE_SSL_CLIENT : X509_PURPOSE_SSL_SERVER) != 1 ||
        X509_STORE_CTX_set_ex_data(ctx, seen_index, &s) != 1 ||
        (hostname != NULL && !set_host(X509_STORE_CTX_get0_param(ctx), hostname))) {
        rc = LT_ERR_CRYPTO;
        goto out;
    }
    /* Level 0 is auth level 0: no key or digest check at all. */
    X509_VERIFY_PARAM_set_auth_level(X509_STORE_CTX_get0_param(ctx), security_level);
    /* OpenSSL's default, said here: LT_MAX_CHAIN is built on it. */
    X509_VERIFY_PARAM_set_depth(X509_STORE_CTX_get0_param(ctx), LT_MAX_VERIFY_DEPTH);
    X509_STORE_CTX_set_verify_cb(ctx, verify_cb);

    vr = X509_verify_cert(ctx);
    if (vr <= 0) {
        /* Failed without the callback recording why (e.g. an internal
         * error): record the context's error so it cannot pass. */
        int err = X509_STORE_CTX_get_error(ctx);
        enum err_class ec = classify(err);
        if (ec == EC_NONE) {
            ec = EC_BAD;
            err = X509_V_ERR_UNSPECIFIED;
        }
        if (s.err[ec] == 0) {
            s.err[ec] = err;
            s.depth[ec] = X509_STORE_CTX_get_error_depth(ctx);
        }
        if ((ec == EC_UNKNOWN_CA || ec == EC_BAD) && s.chain_first == 0) {
            s.chain_first = ec;
        }
    }
    ERR_clear_error();

    report->chain_ok = s.chain_first == 0;
    report->time_ok = s.err[EC_TIME] == 0;
    report->host_ok = s.err[EC_HOST] == 0;
    report->strength_ok = s.err[EC_WEAK_KEY] == 0 && s.err[EC_WEAK_SIG] == 0;
    {
        STACK_OF(X509) *built = X509_STORE_CTX_get0_chain(ctx);
        report->chain_len = built != NULL ? sk_X509_num(built) : 0;
        if (report->chain_ok && report->chain_len > 0) {
            name_text(X509_get_subject_name(sk_X509_value(built, report->chain_len - 1)), report->anchor,
                      sizeof(report->anchor));
        }
    }

    /* Priority: the chain itself, then the strength of its keys and
     * signatures, then validity times, then purpose, then the name. */
    if (s.chain_first != 0) {
        rc = describe(&s, s.chain_first, hostname, report);
    } else if (s.err[EC_WEAK_KEY] != 0) {
        rc = describe(&s, EC_WEAK_KEY, hostname, report);
    } else if (s.err[EC_WEAK_SIG] != 0) {
        rc = describe(&s, EC_WEAK_SIG, hostname, report);
    } else if (s.err[EC_TIME] != 0) {
        rc = describe(&s, EC_TIME, hostname, report);
    } else if (s.err[EC_PURPOSE] != 0) {
        rc = describe(&s, EC_PURPOSE, hostname, report);
    } else if (s.err[EC_HOST] != 0) {
        rc = describe(&s, EC_HOST, hostname, report);
    } else if (vr != 1) {
        snprintf(report->detail, sizeof(report->detail), "bad certificate: verification failed");
        rc = LT_ERR_BAD_CERTIFICATE;
    } else if (leaf_pub != NULL) {
        EVP_PKEY *pub = X509_get_pubkey(leaf);
        if (pub == NULL) {
            snprintf(report->detail, sizeof(report->detail), "bad certificate: unreadable public key");
            rc = LT_ERR_BAD_CERTIFICATE;
        } else {
            *leaf_pub = (lt_pkey *)pub;
        }
    }

out:
    seen_free(&s);
    X509_STORE_CTX_free(ctx);
    sk_X509_pop_free(certs, X509_free);
    ERR_clear_error();
    return rc;
}

int lt_verify_chain(const lt_trust *t, const uint8_t *const *der, const size_t *len, size_t n, const char *hostname,
                    int security_level, lt_cert_report *report, lt_pkey **leaf_pub)
{
    return verify_chain(t, der, len, n, hostname, security_level, 0, report, leaf_pub);
}

int lt_verify_client_chain(const lt_trust *t, const uint8_t *const *der, const size_t *len, size_t n,
                           int security_level, lt_cert_report *report, lt_pkey **leaf_pub)
{
    return verify_chain(t, der, len, n, NULL, security_level, 1, report, leaf_pub);
}

static X509 *parse_cert(const uint8_t *der, size_t len)
{
    const unsigned char *p = der;
    X509 *x = der != NULL && len > 0 && len <= 0x7fffffff ? d2i_X509(NULL, &p, (long)len) : NULL;
    if (x == NULL || p != der + len) {
        X509_free(x);
        ERR_clear_error();
        return NULL;
    }
    return x;
}

int lt_cert_public_key(const uint8_t *der, size_t len, lt_pkey **out)
{
    *out = NULL;
    X509 *x = parse_cert(der, len);
    EVP_PKEY *pub = x != NULL ? X509_get_pubkey(x) : NULL;
    X509_free(x);
    ERR_clear_error();
    if (pub == NULL) {
        return LT_ERR_BAD_CERTIFICATE;
    }
    *out = (lt_pkey *)pub;
    return LT_OK;
}

/* Appends a name's DER with its 2-byte length (RFC 5246 7.4.4
 * DistinguishedName) when it fits the list's 2^16-1 bytes. */
static void add_dn(uint8_t *buf, size_t cap, size_t *len, const X509_NAME *name)
{
    const uint8_t *enc = NULL;
    size_t n = 0;
    if (X509_NAME_get0_der(name, &enc, &n) != 1 || n == 0 || n + 2 > cap - *len) {
        return;
    }
    buf[*len] = (uint8_t)(n >> 8);
    buf[*len + 1] = (uint8_t)n;
    memcpy(buf + *len + 2, enc, n);
    *len += 2 + n;
}

/* A DistinguishedName list, malloc'ed to fit (NULL and 0 when empty). */
static int finish_dn_list(uint8_t *buf, size_t len, uint8_t **out, size_t *out_len)
{
    ERR_clear_error();
    if (len == 0) {
        free(buf);
        return LT_OK;
    }
    /* Kept for the config's life: only what the names take. */
    uint8_t *fit = realloc(buf, len);
    *out = fit != NULL ? fit : buf;
    *out_len = len;
    return LT_OK;
}

int lt_chain_issuer_names(const lt_chain *c, uint8_t **out, size_t *out_len)
{
    *out = NULL;
    *out_len = 0;
    size_t cap = 0xFFFF, len = 0;
    uint8_t *buf = malloc(cap);
    LT_ENSURE(buf != NULL, LT_ERR_NOMEM);
    for (size_t i = 0; i < c->n; i++) {
        X509 *x = parse_cert(c->der[i], c->len[i]);
        if (x != NULL) {
            add_dn(buf, cap, &len, X509_get_issuer_name(x));
        }
        X509_free(x);
    }
    return finish_dn_list(buf, len, out, out_len);
}

/* The subjects of the store's certificates, as a DistinguishedName list
 * body (RFC 5246 7.4.4, RFC 8446 4.2.4): each name's DER with a 2-byte
 * length, up to the list's 2^16-1 bytes (names that do not fit are left
 * out: a client that does not see its CA may still send its certificate).
 * A directory store (lt_trust_add_dir) loads certificates only on lookup,
 * so it lists none. */
int lt_trust_ca_names(const lt_trust *t, uint8_t **out, size_t *out_len)
{
    *out = NULL;
    *out_len = 0;
    STACK_OF(X509_OBJECT) *objs = X509_STORE_get0_objects(t->store);
    size_t cap = 0xFFFF, len = 0;
    uint8_t *buf = malloc(cap);
    LT_ENSURE(buf != NULL, LT_ERR_NOMEM);
    for (int i = 0; objs != NULL && i < sk_X509_OBJECT_num(objs); i++) {
        X509 *x = X509_OBJECT_get0_X509(sk_X509_OBJECT_value(objs, i));
        if (x != NULL) {
            add_dn(buf, cap, &len, X509_get_subject_name(x));
        }
    }
    return finish_dn_list(buf, len, out, out_len);
}

int lt_cert_subject_text(const uint8_t *der, size_t len, char *out, size_t cap)
{
    if (cap > 0) {
        out[0] = '\0';
    }
    X509 *x = parse_cert(der, len);
    if (x == NULL) {
        return LT_ERR_DECODE;
    }
    name_text(X509_get_subject_name(x), out, cap);
    X509_free(x);
    return LT_OK;
}

int lt_cert_names(const uint8_t *der, size_t len, char *subject, size_t subject_cap, char *issuer, size_t issuer_cap)
{
    const unsigned char *p = der;
    X509 *x = d2i_X509(NULL, &p, (long)len);

    if (subject_cap > 0) {
        subject[0] = '\0';
    }
    if (issuer_cap > 0) {
        issuer[0] = '\0';
    }
    if (x == NULL) {
        ERR_clear_error();
        return LT_ERR_BAD_CERTIFICATE;
    }
    name_text(X509_get_subject_name(x), subject, subject_cap);
    name_text(X509_get_issuer_name(x), issuer, issuer_cap);
    X509_free(x);
    return LT_OK;
}
