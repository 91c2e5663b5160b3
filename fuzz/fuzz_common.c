#include "fuzz_common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* RAND_set_rand_method is deprecated in OpenSSL 3 but still honoured by
 * RAND_bytes_ex; it is the only way to make libcrypto's own randomness
 * (PKCS#1 padding) reproducible without a custom provider. Test code only:
 * the library itself never includes OpenSSL outside src/crypto. */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/rand.h>

#include "base/limits.h"
#include "conn/conn.h"
#include "crypto/crypto.h"

#ifndef LT_FUZZ_TESTKEYS_DIR
#error "LT_FUZZ_TESTKEYS_DIR must name fuzz/testkeys (set by fuzz/CMakeLists.txt)"
#endif

static fuzz_rng *g_rng;

void fuzz_rng_reset(fuzz_rng *r, uint64_t seed)
{
    r->state = seed;
}

/* splitmix64: tiny, and every output depends only on how many bytes the
 * stream has given, which is all reproducibility needs. */
static uint64_t next64(fuzz_rng *r)
{
    uint64_t z = (r->state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static void fill(fuzz_rng *r, uint8_t *buf, size_t n)
{
    while (n > 0) {
        uint64_t v = next64(r);
        size_t k = n < 8 ? n : 8;
        memcpy(buf, &v, k);
        buf += k;
        n -= k;
    }
}

static void lt_hook(void *arg, uint8_t *buf, size_t n)
{
    fill(arg, buf, n);
}

static int rand_bytes(unsigned char *buf, int num)
{
    if (g_rng == NULL || num < 0) {
        return 0;
    }
    fill(g_rng, buf, (size_t)num);
    return 1;
}

static int rand_status(void)
{
    return 1;
}

static const RAND_METHOD FUZZ_RAND = {
    .seed = NULL,
    .bytes = rand_bytes,
    .cleanup = NULL,
    .add = NULL,
    .pseudorand = rand_bytes,
    .status = rand_status,
};

void fuzz_rng_use(fuzz_rng *r)
{
    static int installed;
    if (!installed) {
        if (RAND_set_rand_method(&FUZZ_RAND) != 1) {
            fuzz_die("RAND_set_rand_method", LT_ERR_CRYPTO);
        }
        installed = 1;
    }
    g_rng = r;
    lt_test_set_rng(lt_hook, r);
}

void fuzz_die(const char *what, int rc)
{
    fprintf(stderr, "fuzz setup failed: %s: %s\n", what, lt_result_name(rc));
    abort();
}

static char *read_text(const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", LT_FUZZ_TESTKEYS_DIR, name);
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "cannot open %s\n", path);
        abort();
    }
    char *buf = malloc(65536);
    if (buf == NULL) {
        abort();
    }
    size_t n = fread(buf, 1, 65535, f);
    fclose(f);
    buf[n] = '\0';
    return buf;
}

const fuzz_pki *fuzz_pki_get(void)
{
    static fuzz_pki pki;
    if (pki.chain_pem == NULL) {
        pki.chain_pem = read_text("test-only-chain.pem");
        pki.key_pem = read_text("test-only-server.key");
        pki.ca_pem = read_text("test-only-ca.pem");
        pki.client_chain_pem = read_text("test-only-client-chain.pem");
        pki.client_key_pem = read_text("test-only-client.key");
        pki.client_ca_pem = read_text("test-only-client-ca.pem");
    }
    return &pki;
}

lt_config *fuzz_server_config(void)
{
    const fuzz_pki *pki = fuzz_pki_get();
    lt_config *cfg = lt_config_new(LT_ROLE_SERVER);
    if (cfg == NULL) {
        fuzz_die("lt_config_new", LT_ERR_NOMEM);
    }
    int rc = lt_config_set_cert_chain_pem(cfg, pki->chain_pem, strlen(pki->chain_pem));
    if (rc != LT_OK) {
        fuzz_die("lt_config_set_cert_chain_pem", rc);
    }
    rc = lt_config_set_key_pem(cfg, pki->key_pem, strlen(pki->key_pem));
    if (rc != LT_OK) {
        fuzz_die("lt_config_set_key_pem", rc);
    }
    return cfg;
}

/* Every byte of every field, read: under ASan a field that points past its
 * data (an explain text built from hostile wire bytes) is a finding. */
static volatile unsigned fuzz_trace_sink;
void fuzz_trace_touch(void *arg, const lt_conn *conn, const lt_event *ev)
{
    (void)arg;
    (void)conn;
    unsigned h = (unsigned)ev->kind;
    const char *texts[3] = {ev->what, ev->rfc, ev->detail};
    for (size_t i = 0; i < 3; i++) {
        h += texts[i] != NULL ? (unsigned)strlen(texts[i]) : 0;
    }
    for (size_t i = 0; i < ev->nfields; i++) {
        const lt_field *f = &ev->fields[i];
        h += (unsigned)strlen(f->name) + (f->text != NULL ? (unsigned)strlen(f->text) : 0);
        for (size_t k = 0; f->bytes != NULL && k < f->len; k++) {
            h += f->bytes[k];
        }
    }
    fuzz_trace_sink += h;
}

void fuzz_trace(lt_config *cfg)
{
    int rc = lt_config_set_trace(cfg, fuzz_trace_touch, NULL, 1);
    if (rc != LT_OK) {
        fuzz_die("lt_config_set_trace", rc);
    }
}

lt_config *fuzz_server_auth_config(int mode)
{
    const fuzz_pki *pki = fuzz_pki_get();
    lt_config *cfg = fuzz_server_config();
    int rc = lt_config_set_ca_pem(cfg, pki->client_ca_pem, strlen(pki->client_ca_pem));
    if (rc != LT_OK) {
        fuzz_die("lt_config_set_ca_pem (client CA)", rc);
    }
    if ((rc = lt_config_set_client_auth(cfg, mode)) != LT_OK) {
        fuzz_die("lt_config_set_client_auth", rc);
    }
    return cfg;
}

lt_config *fuzz_client_config_id(int with_identity)
{
    const fuzz_pki *pki = fuzz_pki_get();
    lt_config *cfg = lt_config_new(LT_ROLE_CLIENT);
    if (cfg == NULL) {
        fuzz_die("lt_config_new", LT_ERR_NOMEM);
    }
    int rc = lt_config_set_ca_pem(cfg, pki->ca_pem, strlen(pki->ca_pem));
    if (rc != LT_OK) {
        fuzz_die("lt_config_set_ca_pem", rc);
    }
    if (!with_identity) {
        return cfg;
    }
    /* The identity it answers a CertificateRequest with (ECDSA P-256,
     * clientAuth, issued by the client CA the auth server trusts). */
    rc = lt_config_set_cert_chain_pem(cfg, pki->client_chain_pem, strlen(pki->client_chain_pem));
    if (rc != LT_OK) {
        fuzz_die("lt_config_set_cert_chain_pem (client)", rc);
    }
    if ((rc = lt_config_set_key_pem(cfg, pki->client_key_pem, strlen(pki->client_key_pem))) != LT_OK) {
        fuzz_die("lt_config_set_key_pem (client)", rc);
    }
    return cfg;
}

lt_config *fuzz_client_config(void)
{
    return fuzz_client_config_id(1);
}

typedef struct record_mode {
    const char *name;
    lt_cipher_alg cipher;
    lt_mac_alg mac;
    uint16_t version;
    int encrypt_then_mac;
} record_mode;

static const record_mode RECORD_MODES[FUZZ_RECORD_MODES] = {
    {"plaintext", 0, LT_MAC_NONE, LT_TLS1_2, 0},
    {"AES-128-CBC/HMAC-SHA256", LT_CIPHER_AES_128_CBC, LT_MAC_HMAC_SHA256, LT_TLS1_2, 0},
    {"AES-128-GCM", LT_CIPHER_AES_128_GCM, LT_MAC_NONE, LT_TLS1_2, 0},
    {"AES-256-CBC/HMAC-SHA1", LT_CIPHER_AES_256_CBC, LT_MAC_HMAC_SHA1, LT_TLS1_2, 0},
    {"AES-256-GCM", LT_CIPHER_AES_256_GCM, LT_MAC_NONE, LT_TLS1_2, 0},
    {"ChaCha20-Poly1305", LT_CIPHER_CHACHA20_POLY1305, LT_MAC_NONE, LT_TLS1_2, 0},
    {"AES-128-CBC/HMAC-SHA256 encrypt-then-MAC", LT_CIPHER_AES_128_CBC, LT_MAC_HMAC_SHA256, LT_TLS1_2, 1},
    {"TLS 1.3 AES-128-GCM", LT_CIPHER_AES_128_GCM, LT_MAC_NONE, LT_TLS1_3, 0},
};

const char *fuzz_record_mode_name(unsigned mode)
{
    return RECORD_MODES[mode % FUZZ_RECORD_MODES].name;
}

lt_rc *fuzz_record_rc(unsigned mode, int enc)
{
    const record_mode *m = &RECORD_MODES[mode % FUZZ_RECORD_MODES];
    if (m->cipher == 0) {
        return NULL;
    }
    /* Fixed, obviously fake keys: the seeds in corpus/record are sealed
     * with them by gen_seeds. */
    uint8_t key[32], mac[48], iv[12];
    for (size_t i = 0; i < sizeof key; i++) {
        key[i] = (uint8_t)(0x10 + i);
    }
    for (size_t i = 0; i < sizeof mac; i++) {
        mac[i] = (uint8_t)(0x80 + i);
    }
    memcpy(iv, "\xa0\xa1\xa2\xa3\xa4\xa5\xa6\xa7\xa8\xa9\xaa\xab", 12);
    const lt_rc_keys keys = {.version = m->version,
                             .cipher = m->cipher,
                             .mac = m->mac,
                             .encrypt_then_mac = m->encrypt_then_mac,
                             .key = key,
                             .mac_key = m->mac == LT_MAC_NONE ? NULL : mac,
                             .iv = lt_cipher_fixed_iv_len(m->cipher, m->version) ? iv : NULL};
    lt_rc *rc = lt_rc_new(&keys, enc);
    if (rc == NULL) {
        fuzz_die("lt_rc_new", LT_ERR_CRYPTO);
    }
    return rc;
}

#define CHECK(cond)                                                                                                    \
    do {                                                                                                               \
        if (!(cond)) {                                                                                                 \
            __builtin_trap();                                                                                          \
        }                                                                                                              \
    } while (0)

static const size_t FEED_CHUNKS[8] = {0, 1, 3, 7, 64, 511, 2048, 0};

/* Errors a peer can cause (lucidtls.h "Errors the peer caused"). Anything
 * else (INTERNAL, CRYPTO, USAGE, NOMEM, CONFIG) coming out of peer bytes is
 * a bug in the library. */
static int is_peer_error(int rc)
{
    return rc <= LT_ERR_DECODE && rc >= LT_ERR_CERTIFICATE_REQUIRED;
}

static void check_result(lt_conn *c, int rc)
{
    size_t queued = 0;
    (void)lt_conn_out_peek(c, &queued);
    CHECK(queued <= LT_OUT_HARD_CAP);
    if (rc >= 0) {
        /* LT_WANT_OUTPUT only as backpressure: more than the write cap is
         * queued, and the core takes no input until it drains. */
        CHECK(rc == LT_OK || rc == LT_WANT_INPUT || rc == LT_CLOSED ||
              (rc == LT_WANT_OUTPUT && queued > LT_OUT_QUEUE_CAP && !lt_conn_wants_input(c)));
        return;
    }
    CHECK(is_peer_error(rc));
    /* "Once a connection hits a fatal error every later call returns the
     * same error." */
    const char *detail = NULL;
    CHECK(lt_conn_error(c, &detail) == rc);
    CHECK(detail != NULL && detail[0] != '\0');
    CHECK(!lt_conn_is_established(c));
}

static void drain_output(lt_conn *c)
{
    size_t len = 0;
    /* Peek even with nothing queued: NULL and 0 then (the NULL + 0 bug of
     * tests/unit/test_regress_out_peek_null.c is fixed). */
    const uint8_t *out = lt_conn_out_peek(c, &len);
    CHECK(len == 0 || out != NULL);
    if (len > 0) {
        /* Every queued byte must be readable (ASan) and framed as records. */
        CHECK(len >= 5);
        CHECK(out[0] >= 20 && out[0] <= 23 && out[1] == 3);
        uint8_t x = 0;
        for (size_t i = 0; i < len; i++) {
            x ^= out[i];
        }
        (void)x;
        lt_conn_out_consume(c, len);
    }
    lt_conn_out_peek(c, &len);
    CHECK(len == 0);
}

static int verbose(void)
{
    static int v = -1;
    if (v < 0) {
        v = getenv("LT_FUZZ_VERBOSE") != NULL;
    }
    return v;
}

int fuzz_drive(lt_conn *c, uint8_t flags, const uint8_t *data, size_t size)
{
    size_t chunk = FEED_CHUNKS[flags & 7];
    int echo = (flags & 8) != 0, close_once = (flags & 16) != 0, eof = (flags & 32) != 0;
    uint8_t app[4096];
    size_t off = 0, app_total = 0;
    int stalled = 0, closed = 0, err = 0;

    while (off < size && err == 0) {
        size_t n = chunk == 0 || chunk > size - off ? size - off : chunk;
        size_t used = (size_t)-1;
        int rc = lt_conn_feed(c, data + off, n, &used);
        CHECK(used <= n);
        off += used;
        check_result(c, rc);
        int hs = lt_conn_handshake(c);
        check_result(c, hs);
        if (hs == LT_OK) {
            CHECK(lt_conn_is_established(c));
            CHECK((lt_conn_version(c) == LT_TLS1_2 || lt_conn_version(c) == LT_TLS1_3) && lt_conn_cipher_suite(c) != 0);
        }
        size_t got = 0, read_now = 0;
        int rd;
        while ((rd = lt_conn_read(c, app, sizeof app, &got)) == LT_OK && got > 0) {
            CHECK(got <= sizeof app);
            CHECK(lt_conn_is_established(c));
            read_now += got;
            if (echo) {
                size_t w = 0;
                int wr = lt_conn_write(c, app, got, &w);
                /* Writing after our close_notify is misuse, refused. */
                CHECK(wr == LT_OK || wr == LT_ERR_USAGE);
            }
        }
        check_result(c, rd);
        app_total += read_now;
        if (close_once && !closed && lt_conn_is_established(c)) {
            closed = 1;
            CHECK(lt_conn_close(c) == LT_OK);
        }
        drain_output(c);
        err = lt_conn_error(c, NULL);
        /* Progress: a feed that takes nothing must have left data to read. */
        if (used == 0 && read_now == 0 && err == 0) {
            CHECK(!stalled);
            stalled = 1;
        } else {
            stalled = 0;
        }
    }
    if (eof && err == 0) {
        lt_conn_feed_eof(c);
        check_result(c, lt_conn_handshake(c));
        size_t got = 0;
        check_result(c, lt_conn_read(c, app, sizeof app, &got));
        drain_output(c);
    }
    if (verbose()) {
        const char *detail = NULL;
        int e = lt_conn_error(c, &detail);
        fprintf(stderr, "[fuzz] fed %zu/%zu bytes: %s, %s%s%s, read %zu bytes of application data\n", off, size,
                lt_conn_is_established(c) ? "established" : "not established", lt_result_name(e), e ? ": " : "",
                e ? detail : "", app_total);
    }
    return lt_conn_is_established(c);
}
