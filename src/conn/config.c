/* lt_config: shared settings, reference-counted, frozen by the first
 * connection made from it (lucidtls.h, "Config lifetime"). */
#include <pthread.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conn/conn.h"
#include "base/clock.h"
#include "crypto/ticket.h"
#include "hs/session_cache.h"
#include "hs/messages_alpn.h"
#include "hs/suites.h"

static int config_error(lt_config *cfg, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int config_error(lt_config *cfg, int err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cfg->error, sizeof cfg->error, fmt, ap);
    va_end(ap);
    return err;
}

/* Connections read the config without a lock, from any thread: once one
 * exists, no setter may change it. Every setter starts with this check and
 * changes nothing when it fails. */
static int config_refuses_change(lt_config *cfg, const char *setter)
{
    if (!lt_config_frozen(cfg)) {
        return LT_OK;
    }
    return config_error(cfg, LT_ERR_FROZEN,
                        "%s: this config is frozen (a connection uses it); make a new config to change settings",
                        setter);
}
#define LT_CONFIG_MUTABLE(cfg) LT_GUARD(config_refuses_change((cfg), __func__))

/* Which identity a key of this kind belongs to, or -1. */
static int identity_slot(int kind)
{
    return kind == LT_KEY_KIND_RSA ? LT_ID_RSA : kind == LT_KEY_KIND_EC ? LT_ID_EC : -1;
}

lt_config *lt_config_new(lt_role role)
{
    lt_config *cfg = calloc(1, sizeof *cfg);
    if (cfg == NULL) {
        return NULL;
    }
    cfg->role = role;
    atomic_init(&cfg->refs, 1);
    atomic_init(&cfg->frozen, 0);
    cfg->policy.hostname_check = 1;
    cfg->policy.security_level = LT_SECLEVEL_DEFAULT;
    cfg->policy.ems = 1;
    cfg->policy.etm = 1;
    cfg->policy.min_version = LT_TLS1_2;
    cfg->policy.max_version = LT_TLS1_3;
    cfg->policy.n_tickets = LT_DEFAULT_TICKETS;
    cfg->policy.ticket_lifetime_s = LT_DEFAULT_TICKET_LIFETIME;
    /* A server seals tickets under keys of its own, made here and rotated
     * every lifetime (crypto/ticket.c). */
    if (role == LT_ROLE_SERVER) {
        cfg->policy.ticket_keys = lt_ticket_keys_new(LT_DEFAULT_TICKET_LIFETIME, lt_wall_ms() / 1000u);
        /* TLS 1.2 resumption by session ID (RFC 5246 7.4.1.2): on by
         * default; its entries are allocated as sessions are added. */
        cfg->policy.cache = lt_session_cache_new(LT_DEFAULT_SESSION_CACHE, LT_DEFAULT_TICKET_LIFETIME);
        if (cfg->policy.ticket_keys == NULL || cfg->policy.cache == NULL) {
            lt_ticket_keys_free(cfg->policy.ticket_keys);
            lt_session_cache_free(cfg->policy.cache);
            free(cfg);
            return NULL;
        }
    }
    static const uint16_t DEFAULT_GROUPS[] = {LT_GROUP_X25519, LT_GROUP_SECP256R1, LT_GROUP_SECP384R1};
    memcpy(cfg->policy.groups, DEFAULT_GROUPS, sizeof DEFAULT_GROUPS);
    cfg->policy.n_groups = sizeof DEFAULT_GROUPS / sizeof DEFAULT_GROUPS[0];
    for (size_t i = 0; i < lt_suite_count() && i < LT_MAX_CONFIG_SUITES; i++) {
        cfg->policy.suites[cfg->policy.n_suites++] = lt_suite_at(i)->id;
    }
    lt_hs_policy_derive(&cfg->policy);
    return cfg;
}

lt_config *lt_config_ref(lt_config *cfg)
{
    if (cfg != NULL) {
        atomic_fetch_add_explicit(&cfg->refs, 1, memory_order_relaxed);
    }
    return cfg;
}

int lt_config_frozen(const lt_config *cfg)
{
    return atomic_load_explicit(&((lt_config *)cfg)->frozen, memory_order_acquire);
}

void lt_config_freeze(lt_config *cfg)
{
    atomic_store_explicit(&cfg->frozen, 1, memory_order_release);
}

/* Gives back one reference; the last one frees. The release/acquire pair
 * makes every thread's use of the config happen before the free. */
void lt_config_free(lt_config *cfg)
{
    if (cfg == NULL || atomic_fetch_sub_explicit(&cfg->refs, 1, memory_order_acq_rel) != 1) {
        return;
    }
    for (size_t i = 0; i < LT_MAX_IDENTITIES; i++) {
        lt_chain_clear(&cfg->policy.id[i].chain);
        free(cfg->policy.id[i].issuer_names);
        lt_pkey_free(cfg->policy.id[i].key);
    }
    lt_trust_free(cfg->trust);
    lt_ticket_keys_free(cfg->policy.ticket_keys);
    lt_session_cache_free(cfg->policy.cache);
    free(cfg->policy.ca_names);
    free(cfg);
}

const char *lt_config_error(const lt_config *cfg)
{
    return cfg->error;
}

/* Reads a whole (small) file: PEM certificates and keys. */
static int read_file(lt_config *cfg, const char *path, char **out, size_t *out_len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return config_error(cfg, LT_ERR_CONFIG, "cannot open %s", path);
    }
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap + 1);
    while (buf != NULL) {
        len += fread(buf + len, 1, cap - len, f);
        if (len < cap || cap >= (1u << 24)) {
            break;
        }
        cap *= 2;
        char *nb = realloc(buf, cap + 1);
        if (nb == NULL) {
            free(buf);
        }
        buf = nb;
    }
    fclose(f);
    if (buf == NULL) {
        return config_error(cfg, LT_ERR_NOMEM, "out of memory reading %s", path);
    }
    buf[len] = '\0';
    *out = buf;
    *out_len = len;
    return LT_OK;
}

/* Every setter below checks everything first and changes the config only
 * when it succeeds: a failed setter leaves the config as it was (and a line
 * in cfg->error). */

int lt_config_set_cert_chain_pem(lt_config *cfg, const char *pem, size_t len)
{
    LT_CONFIG_MUTABLE(cfg);
    lt_chain chain;
    if (lt_chain_from_pem(pem, len, &chain) != LT_OK) {
        return config_error(cfg, LT_ERR_CONFIG,
                            "no usable certificate chain in the PEM (no certificate, a damaged block, or more than "
                            "%d certificates)",
                            LT_MAX_CHAIN);
    }
    /* RFC 5246 7.4.2: the Certificate message carries each certificate
     * with a 3-byte length, in a list with a 3-byte length. We send at most
     * what we would accept (LT_MAX_HS_MESSAGE), which is also what the output
     * bound leaves room for (LT_OUT_HARD_CAP, lucidtls.h). */
    size_t body = 3;
    for (size_t i = 0; i < chain.n; i++) {
        body += 3 + chain.len[i];
    }
    if (body > LT_MAX_HS_MESSAGE) {
        lt_chain_clear(&chain);
        return config_error(cfg, LT_ERR_CONFIG,
                            "the certificate chain makes a %zu-byte Certificate message; the most "
                            "lucidtls sends is %u",
                            body, LT_MAX_HS_MESSAGE);
    }
    /* One identity per key kind: an RSA chain and an ECDSA chain can both be
     * set (each with its key), and a new chain replaces the one of its kind. */
    int slot = identity_slot(lt_cert_key_kind(chain.der[0], chain.len[0]));
    if (slot < 0) {
        lt_chain_clear(&chain);
        return config_error(cfg, LT_ERR_CONFIG, "the certificate's key is neither RSA nor EC (P-256, P-384)");
    }
    uint8_t *issuers = NULL;
    size_t issuers_len = 0;
    if (lt_chain_issuer_names(&chain, &issuers, &issuers_len) != LT_OK) {
        lt_chain_clear(&chain);
        return config_error(cfg, LT_ERR_NOMEM, "out of memory listing the chain's issuers");
    }
    lt_identity *id = &cfg->policy.id[slot];
    lt_chain_clear(&id->chain);
    free(id->issuer_names);
    id->chain = chain;
    id->issuer_names = issuers;
    id->issuer_names_len = issuers_len;
    id->n_chain_schemes = lt_chain_sig_schemes(&id->chain, id->chain_schemes, LT_MAX_CHAIN);
    id->may_sign = lt_cert_allows_der(id->chain.der[0], id->chain.len[0], LT_KEY_USE_SIGNATURE);
    id->may_encipher = lt_cert_allows_der(id->chain.der[0], id->chain.len[0], LT_KEY_USE_ENCIPHERMENT);
    return LT_OK;
}

int lt_config_set_key_pem(lt_config *cfg, const char *pem, size_t len)
{
    LT_CONFIG_MUTABLE(cfg);
    lt_pkey *key = NULL;
    if (lt_pkey_from_pem(pem, len, &key) != LT_OK) {
        return config_error(cfg, LT_ERR_CONFIG, "no usable private key in the key PEM");
    }
    int slot = identity_slot(lt_pkey_kind(key));
    if (slot < 0) {
        lt_pkey_free(key);
        return config_error(cfg, LT_ERR_CONFIG, "the private key is neither RSA nor EC");
    }
    lt_identity *id = &cfg->policy.id[slot];
    if (id->chain.n > 0 && !lt_pkey_matches_cert(key, id->chain.der[0], id->chain.len[0])) {
        lt_pkey_free(key);
        return config_error(cfg, LT_ERR_CONFIG, "the private key does not match the certificate");
    }
    lt_pkey_free(id->key);
    id->key = key;
    id->key_group = lt_pkey_ec_group(key);
    id->n_sign_schemes = lt_sign_schemes_for_key(key, id->sign_schemes, LT_MAX_SIGN_SCHEMES);
    id->n_sign_schemes13 = lt_sign_schemes13_for_key(key, id->sign_schemes13, LT_MAX_SIGN_SCHEMES);
    return LT_OK;
}

static int set_from_file(lt_config *cfg, const char *path, int (*setter)(lt_config *, const char *, size_t))
{
    char *pem = NULL;
    size_t len = 0;
    LT_GUARD(read_file(cfg, path, &pem, &len));
    int rc = setter(cfg, pem, len);
    lt_wipe(pem, len); /* may be a private key */
    free(pem);
    if (rc != LT_OK) {
        size_t used = strlen(cfg->error);
        snprintf(cfg->error + used, sizeof cfg->error - used, " (%s)", path);
    }
    return rc;
}

int lt_config_set_cert_chain_file(lt_config *cfg, const char *path)
{
    LT_CONFIG_MUTABLE(cfg);
    return set_from_file(cfg, path, lt_config_set_cert_chain_pem);
}

int lt_config_set_key_file(lt_config *cfg, const char *path)
{
    LT_CONFIG_MUTABLE(cfg);
    return set_from_file(cfg, path, lt_config_set_key_pem);
}

static int ensure_trust(lt_config *cfg)
{
    if (cfg->trust == NULL) {
        cfg->trust = lt_trust_new();
    }
    return cfg->trust != NULL ? LT_OK : config_error(cfg, LT_ERR_NOMEM, "out of memory");
}

/* A server's CertificateRequest names the CAs of its trust store (RFC
 * 5246 7.4.4, RFC 8446 4.2.4): listed again after every change to it, so
 * that a handshake only reads them. */
static int trust_changed(lt_config *cfg)
{
    cfg->trust_loaded = 1;
    if (cfg->role != LT_ROLE_SERVER) {
        return LT_OK; /* only a server sends a CertificateRequest */
    }
    uint8_t *names = NULL;
    size_t len = 0;
    if (lt_trust_ca_names(cfg->trust, &names, &len) != LT_OK) {
        return config_error(cfg, LT_ERR_NOMEM, "out of memory listing the CA names");
    }
    free(cfg->policy.ca_names);
    cfg->policy.ca_names = names;
    cfg->policy.ca_names_len = len;
    return LT_OK;
}

/* After a trust source failed: a store made just for it goes again. The
 * lt_trust_add_* functions add nothing when they fail. */
static void drop_unused_trust(lt_config *cfg)
{
    if (!cfg->trust_loaded) {
        lt_trust_free(cfg->trust);
        cfg->trust = NULL;
    }
}

int lt_config_set_ca_file(lt_config *cfg, const char *path)
{
    LT_CONFIG_MUTABLE(cfg);
    LT_GUARD(ensure_trust(cfg));
    if (lt_trust_add_file(cfg->trust, path) != LT_OK) {
        drop_unused_trust(cfg);
        return config_error(cfg, LT_ERR_CONFIG, "cannot load CA file %s", path);
    }
    return trust_changed(cfg);
}

int lt_config_set_ca_dir(lt_config *cfg, const char *path)
{
    LT_CONFIG_MUTABLE(cfg);
    LT_GUARD(ensure_trust(cfg));
    if (lt_trust_add_dir(cfg->trust, path) != LT_OK) {
        drop_unused_trust(cfg);
        return config_error(cfg, LT_ERR_CONFIG, "cannot use CA directory %s", path);
    }
    return trust_changed(cfg);
}

int lt_config_set_ca_pem(lt_config *cfg, const char *pem, size_t len)
{
    LT_CONFIG_MUTABLE(cfg);
    LT_GUARD(ensure_trust(cfg));
    if (lt_trust_add_pem(cfg->trust, pem, len) != LT_OK) {
        drop_unused_trust(cfg);
        return config_error(cfg, LT_ERR_CONFIG, "no usable CA certificate in the PEM, or a damaged block");
    }
    return trust_changed(cfg);
}

int lt_config_use_system_ca(lt_config *cfg)
{
    LT_CONFIG_MUTABLE(cfg);
    LT_GUARD(ensure_trust(cfg));
    if (lt_trust_add_system(cfg->trust) != LT_OK) {
        drop_unused_trust(cfg);
        return config_error(cfg, LT_ERR_CONFIG, "cannot load the system trust store");
    }
    return trust_changed(cfg);
}

/* The system store, loaded once per process for configs that set no CA. */
static lt_trust *g_system_trust;
static pthread_once_t g_system_once = PTHREAD_ONCE_INIT;

static void load_system_trust(void)
{
    g_system_trust = lt_trust_new();
    if (g_system_trust != NULL && lt_trust_add_system(g_system_trust) != LT_OK) {
        lt_trust_free(g_system_trust);
        g_system_trust = NULL;
    }
}

const lt_trust *lt_config_trust(const lt_config *cfg)
{
    if (cfg->trust_loaded) {
        return cfg->trust;
    }
    pthread_once(&g_system_once, load_system_trust);
    return g_system_trust;
}

int lt_config_dangerous_disable_hostname_check(lt_config *cfg)
{
    LT_CONFIG_MUTABLE(cfg);
    cfg->policy.hostname_check = 0;
    return LT_OK;
}

int lt_config_set_security_level(lt_config *cfg, int level)
{
    LT_CONFIG_MUTABLE(cfg);
    if (level < 0 || level > LT_SECLEVEL_MAX) {
        return config_error(cfg, LT_ERR_CONFIG, "security level must be 0 to %d, got %d", LT_SECLEVEL_MAX, level);
    }
    cfg->policy.security_level = level;
    return LT_OK;
}

int lt_config_set_tickets(lt_config *cfg, unsigned count, uint32_t lifetime_s)
{
    LT_CONFIG_MUTABLE(cfg);
    /* RFC 8446 4.6.1: "Servers MUST NOT use any value greater than 604800
     * seconds (7 days)". */
    if (count > LT_MAX_TICKETS || lifetime_s == 0 || lifetime_s > 604800u) {
        return config_error(cfg, LT_ERR_CONFIG, "tickets: count 0..%d and a lifetime of 1..604800 s (got %u, %u)",
                            LT_MAX_TICKETS, count, lifetime_s);
    }
    /* A key seals for one rotation period and opens for two, so the period
     * must cover the lifetime: a new key set with this lifetime as its
     * period (tickets sealed before under this config no longer open). */
    if (cfg->policy.ticket_keys != NULL && !lt_ticket_keys_file_backed(cfg->policy.ticket_keys) &&
        lifetime_s != cfg->policy.ticket_lifetime_s) {
        lt_ticket_keys *k = lt_ticket_keys_new(lifetime_s, lt_wall_ms() / 1000u);
        if (k == NULL) {
            return config_error(cfg, LT_ERR_NOMEM, "out of memory for ticket keys");
        }
        lt_ticket_keys_free(cfg->policy.ticket_keys);
        cfg->policy.ticket_keys = k;
    }
    cfg->policy.n_tickets = count;
    cfg->policy.ticket_lifetime_s = lifetime_s;
    return LT_OK;
}

int lt_config_set_session_cache(lt_config *cfg, size_t max_entries, uint32_t lifetime_s)
{
    LT_CONFIG_MUTABLE(cfg);
    /* RFC 5246 F.1.4: "An upper limit of 24 hours is suggested for session
     * ID lifetimes". */
    if (lifetime_s == 0 || lifetime_s > 86400u) {
        return config_error(cfg, LT_ERR_CONFIG, "session cache: a lifetime of 1..86400 s (got %u)", lifetime_s);
    }
    lt_session_cache *c = NULL;
    if (max_entries > 0) {
        c = lt_session_cache_new(max_entries, lifetime_s);
        if (c == NULL) {
            return config_error(cfg, LT_ERR_NOMEM, "out of memory for the session cache");
        }
    }
    lt_session_cache_free(cfg->policy.cache);
    cfg->policy.cache = c;
    return LT_OK;
}

int lt_config_set_session_store(lt_config *cfg, const lt_session_store *store)
{
    LT_CONFIG_MUTABLE(cfg);
    if (store != NULL && (store->get == NULL || store->put == NULL)) {
        return config_error(cfg, LT_ERR_CONFIG, "session store: get and put are required (remove may be NULL)");
    }
    if (store == NULL) {
        memset(&cfg->policy.store, 0, sizeof cfg->policy.store);
    } else {
        cfg->policy.store = *store;
    }
    return LT_OK;
}

/* The keys come from the file from now on (crypto/ticket.c: parsing,
 * mode check, reloading); the config's own keys go. */
int lt_config_set_ticket_key_file(lt_config *cfg, const char *path)
{
    LT_CONFIG_MUTABLE(cfg);
    if (path == NULL || path[0] == '\0') {
        return config_error(cfg, LT_ERR_USAGE, "ticket key file: no path");
    }
    if (cfg->role != LT_ROLE_SERVER) {
        return config_error(cfg, LT_ERR_CONFIG, "ticket key file: only a server seals and opens tickets");
    }
    char why[sizeof cfg->error] = "";
    lt_ticket_keys *k = lt_ticket_keys_from_file(path, lt_wall_ms() / 1000u, why, sizeof why);
    if (k == NULL) {
        return config_error(cfg, LT_ERR_CONFIG, "%s", why);
    }
    lt_ticket_keys_free(cfg->policy.ticket_keys);
    cfg->policy.ticket_keys = k;
    return LT_OK;
}

int lt_config_set_versions(lt_config *cfg, uint16_t min_version, uint16_t max_version)
{
    LT_CONFIG_MUTABLE(cfg);
    int ok_min = min_version == LT_TLS1_2 || min_version == LT_TLS1_3;
    int ok_max = max_version == LT_TLS1_2 || max_version == LT_TLS1_3;
    if (!ok_min || !ok_max || min_version > max_version) {
        return config_error(cfg, LT_ERR_CONFIG,
                            "versions 0x%04x..0x%04x: lucidtls speaks TLS 1.2 (0x0303) and TLS 1.3 (0x0304)",
                            min_version, max_version);
    }
    cfg->policy.min_version = min_version;
    cfg->policy.max_version = max_version;
    lt_hs_policy_derive(&cfg->policy);
    return LT_OK;
}

int lt_config_set_cipher_suites(lt_config *cfg, const uint16_t *suites, size_t n)
{
    LT_CONFIG_MUTABLE(cfg);
    if (n == 0 || n > LT_MAX_CONFIG_SUITES) {
        return config_error(cfg, LT_ERR_CONFIG, "need 1 to %d cipher suites", LT_MAX_CONFIG_SUITES);
    }
    for (size_t i = 0; i < n; i++) {
        if (lt_suite_find(suites[i]) == NULL) {
            return config_error(cfg, LT_ERR_CONFIG, "unsupported cipher suite 0x%04x", suites[i]);
        }
    }
    memcpy(cfg->policy.suites, suites, n * sizeof suites[0]);
    cfg->policy.n_suites = n;
    lt_hs_policy_derive(&cfg->policy);
    return LT_OK;
}

static int is_separator(char ch)
{
    return ch == ':' || ch == ',' || ch == ' ';
}

int lt_config_set_ciphers(lt_config *cfg, const char *list)
{
    LT_CONFIG_MUTABLE(cfg);
    uint16_t ids[LT_MAX_CONFIG_SUITES];
    size_t n = 0;
    const char *p = list;
    while (*p != '\0') {
        while (is_separator(*p)) {
            p++;
        }
        const char *start = p;
        while (*p != '\0' && !is_separator(*p)) {
            p++;
        }
        size_t len = (size_t)(p - start);
        if (len == 0) {
            continue;
        }
        const lt_suite *s = lt_suite_by_name(start, len);
        if (s == NULL) {
            return config_error(cfg, LT_ERR_CONFIG, "unknown or unsupported cipher suite '%.*s'", (int)len, start);
        }
        int dup = 0;
        for (size_t i = 0; i < n; i++) {
            dup |= ids[i] == s->id;
        }
        if (!dup) {
            if (n == LT_MAX_CONFIG_SUITES) {
                return config_error(cfg, LT_ERR_CONFIG, "too many cipher suites");
            }
            ids[n++] = s->id;
        }
    }
    if (n == 0) {
        return config_error(cfg, LT_ERR_CONFIG, "empty cipher suite list");
    }
    return lt_config_set_cipher_suites(cfg, ids, n);
}

int lt_config_set_ems(lt_config *cfg, int enabled)
{
    LT_CONFIG_MUTABLE(cfg);
    cfg->policy.ems = enabled != 0;
    return LT_OK;
}

int lt_config_set_trace(lt_config *cfg, lt_trace_fn fn, void *arg, int show_secrets)
{
    LT_CONFIG_MUTABLE(cfg);
    cfg->trace = fn;
    cfg->trace_arg = arg;
    cfg->show_secrets = show_secrets != 0;
    return LT_OK;
}

int lt_config_set_keylog(lt_config *cfg, lt_keylog_fn fn, void *arg)
{
    LT_CONFIG_MUTABLE(cfg);
    cfg->keylog = fn;
    cfg->keylog_arg = arg;
    return LT_OK;
}

int lt_config_set_groups(lt_config *cfg, const uint16_t *groups, size_t n)
{
    LT_CONFIG_MUTABLE(cfg);
    if (n == 0 || n > LT_MAX_CONFIG_GROUPS) {
        return config_error(cfg, LT_ERR_CONFIG, "give 1 to %d groups, not %zu", LT_MAX_CONFIG_GROUPS, n);
    }
    for (size_t i = 0; i < n; i++) {
        if (!lt_group_supported(groups[i])) {
            return config_error(cfg, LT_ERR_CONFIG,
                                "group %u is not one lucidtls implements (x25519 = 29, "
                                "secp256r1 = 23, secp384r1 = 24)",
                                groups[i]);
        }
    }
    memcpy(cfg->policy.groups, groups, n * sizeof groups[0]);
    cfg->policy.n_groups = n;
    return LT_OK;
}

int lt_config_set_encrypt_then_mac(lt_config *cfg, int enabled)
{
    LT_CONFIG_MUTABLE(cfg);
    cfg->policy.etm = enabled != 0;
    return LT_OK;
}

int lt_config_set_client_auth(lt_config *cfg, int mode)
{
    LT_CONFIG_MUTABLE(cfg);
    if (mode != LT_CLIENT_AUTH_NONE && mode != LT_CLIENT_AUTH_REQUEST && mode != LT_CLIENT_AUTH_REQUIRE) {
        return config_error(cfg, LT_ERR_CONFIG, "client auth mode %d: use LT_CLIENT_AUTH_NONE, _REQUEST or _REQUIRE",
                            mode);
    }
    if (cfg->role != LT_ROLE_SERVER && mode != LT_CLIENT_AUTH_NONE) {
        return config_error(cfg, LT_ERR_CONFIG, "only a server asks for client certificates");
    }
    cfg->policy.client_auth = mode;
    return LT_OK;
}

int lt_config_set_verify_callback(lt_config *cfg, lt_verify_fn fn, void *arg)
{
    LT_CONFIG_MUTABLE(cfg);
    cfg->policy.verify_cb = fn;
    cfg->policy.verify_arg = arg;
    return LT_OK;
}

int lt_config_set_alpn(lt_config *cfg, const char *protocols)
{
    LT_CONFIG_MUTABLE(cfg);
    uint8_t list[LT_MAX_ALPN_LIST];
    size_t len = 0, bad_at = 0;
    if (protocols == NULL || lt_alpn_encode(protocols, list, sizeof list, &len, &bad_at) != LT_OK) {
        return config_error(cfg, LT_ERR_CONFIG,
                            "ALPN list \"%.64s\": at offset %zu, expected a name of 1 to 255 bytes (names are "
                            "separated by single commas; at most %d bytes in all)",
                            protocols != NULL ? protocols : "(null)", bad_at, LT_MAX_ALPN_LIST);
    }
    memcpy(cfg->policy.alpn, list, len);
    cfg->policy.alpn_len = len;
    return LT_OK;
}

int lt_config_set_sigalgs(lt_config *cfg, const uint16_t *schemes, size_t n)
{
    LT_CONFIG_MUTABLE(cfg);
    if (n == 0 || n > LT_MAX_SIGN_SCHEMES || schemes == NULL) {
        return config_error(cfg, LT_ERR_CONFIG, "give 1 to %d signature schemes, not %zu", LT_MAX_SIGN_SCHEMES, n);
    }
    for (size_t i = 0; i < n; i++) {
        if (!lt_hs_sigalg_implemented(schemes[i])) {
            return config_error(cfg, LT_ERR_CONFIG, "signature scheme 0x%04x is not one lucidtls implements",
                                schemes[i]);
        }
    }
    memcpy(cfg->policy.sigalgs, schemes, n * sizeof schemes[0]);
    cfg->policy.n_sigalgs = n;
    return LT_OK;
}

int lt_config_set_client_hello_callback(lt_config *cfg, lt_client_hello_fn fn, void *arg)
{
    LT_CONFIG_MUTABLE(cfg);
    if (cfg->role != LT_ROLE_SERVER) {
        return config_error(cfg, LT_ERR_CONFIG, "the ClientHello hook is for a server config");
    }
    cfg->policy.client_hello_cb = fn;
    cfg->policy.client_hello_arg = arg;
    return LT_OK;
}

int lt_config_has_identity(const lt_config *cfg)
{
    for (size_t i = 0; i < LT_MAX_IDENTITIES; i++) {
        if (cfg->policy.id[i].key != NULL && cfg->policy.id[i].chain.n > 0) {
            return 1;
        }
    }
    return 0;
}
