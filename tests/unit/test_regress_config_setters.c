/*
 * Regression test (security issue): a failed lt_config_set_* setter must
 * leave the config exactly as it was.
 *
 * lt_config_set_key_pem freed the old key first and kept the new one when it
 * did not match the certificate, so after the error the server held a key
 * that does not go with its chain: every later handshake failed at Finished
 * (the client's pre-master secret is encrypted to the certificate's key).
 * lt_config_set_cert_chain_pem cleared the old chain before parsing the new
 * one, so a bad PEM left the server with no certificate at all.
 * lt_config_set_ca_pem added the good certificates of a PEM that then had a
 * damaged block, and reported success.
 *
 * Each case checks the error, then that a handshake (or the config's state)
 * shows the old settings still in force.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "certs.h"
#include "conn/conn.h"
#include "pair.h"
#include "test.h"

/* A private key that matches nothing in the demo PKI (P-256: quick). */
/* Another RSA key: the identity it would belong to holds a chain it does
 * not match. (An EC key would go to the other identity, which has none.) */
static char *other_key_pem(void)
{
    EVP_PKEY *k = tc_rsa_key(2048);
    EXPECT(k != NULL);
    char *out = tc_pem_of_key(k);
    EVP_PKEY_free(k);
    return out;
}

/* The first CERTIFICATE block of pem, then a damaged one. */
static char *good_then_damaged(const char *pem)
{
    const char *end = strstr(pem, "-----END CERTIFICATE-----");
    EXPECT(end != NULL);
    size_t first = (size_t)(end - pem) + strlen("-----END CERTIFICATE-----\n");
    const char *bad = "-----BEGIN CERTIFICATE-----\nMIIB!!!!not base64!!!!\n-----END CERTIFICATE-----\n";
    char *out = malloc(first + strlen(bad) + 1);
    memcpy(out, pem, first);
    strcpy(out + first, bad);
    return out;
}

static int fresh_handshake(lt_pair *p)
{
    EXPECT_EQ(pair_new_conns(p), LT_OK);
    return pair_handshake(p);
}

static void test_key_that_does_not_match_keeps_the_old_key(void)
{
    lt_pair p;
    EXPECT_EQ(pair_init_configs(&p, 0), LT_OK);
    const lt_pkey *before = p.scfg->policy.id[LT_ID_RSA].key;
    char *wrong = other_key_pem();
    EXPECT_EQ(lt_config_set_key_pem(p.scfg, wrong, strlen(wrong)), LT_ERR_CONFIG);
    EXPECT(strstr(lt_config_error(p.scfg), "does not match the certificate") != NULL);
    EXPECT(p.scfg->policy.id[LT_ID_RSA].key == before);
    free(wrong);

    /* Not a key at all: the same. */
    EXPECT_EQ(lt_config_set_key_pem(p.scfg, "junk", 4), LT_ERR_CONFIG);
    EXPECT(p.scfg->policy.id[LT_ID_RSA].key == before);

    /* And through the file setter (unreadable file). */
    EXPECT_EQ(lt_config_set_key_file(p.scfg, "/nonexistent/key.pem"), LT_ERR_CONFIG);
    EXPECT(p.scfg->policy.id[LT_ID_RSA].key == before);

    /* The server still decrypts with the key of its certificate (the
     * handshake comes last: it freezes the config). */
    int rc = fresh_handshake(&p);
    EXPECT_EQ(rc, LT_OK);
    if (rc != LT_OK) {
        const char *d = NULL;
        lt_conn_error(p.server, &d);
        fprintf(stderr, "  server: %s (%s)\n", lt_result_name(lt_conn_error(p.server, NULL)), d);
    }
    pair_free(&p);
}

static void test_bad_chain_keeps_the_old_chain(void)
{
    /* The failed setters first, then the handshake that shows the chain
     * is still the old one (a connection freezes its config). */
    lt_pair p;
    EXPECT_EQ(pair_init_configs(&p, 0), LT_OK);
    size_t n = p.scfg->policy.id[LT_ID_RSA].chain.n;
    const uint8_t *leaf = p.scfg->policy.id[LT_ID_RSA].chain.der[0];
    EXPECT_EQ(n, 2);
    EXPECT_EQ(lt_config_set_cert_chain_pem(p.scfg, "junk", 4), LT_ERR_CONFIG);
    EXPECT_EQ(p.scfg->policy.id[LT_ID_RSA].chain.n, n);
    EXPECT(p.scfg->policy.id[LT_ID_RSA].chain.der[0] == leaf);

    char *half = good_then_damaged(p.pki.chain_pem);
    EXPECT_EQ(lt_config_set_cert_chain_pem(p.scfg, half, strlen(half)), LT_ERR_CONFIG);
    EXPECT_EQ(p.scfg->policy.id[LT_ID_RSA].chain.n, n);
    free(half);

    EXPECT_EQ(lt_config_set_cert_chain_file(p.scfg, "/nonexistent/chain.pem"), LT_ERR_CONFIG);
    EXPECT_EQ(p.scfg->policy.id[LT_ID_RSA].chain.n, n);
    EXPECT_EQ(fresh_handshake(&p), LT_OK);
    pair_free(&p);
}

/* A server config with the other PKI's identity. */
static lt_config *server_of(const lt_demo_pki *pki)
{
    lt_config *s = lt_config_new(LT_ROLE_SERVER);
    EXPECT_EQ(lt_config_set_cert_chain_pem(s, pki->chain_pem, strlen(pki->chain_pem)), LT_OK);
    EXPECT_EQ(lt_config_set_key_pem(s, pki->key_pem, strlen(pki->key_pem)), LT_OK);
    return s;
}

/* The client of p against a server of another PKI: unknown_ca. */
static void expect_other_server_refused(lt_pair *p, const lt_demo_pki *other)
{
    lt_config *s = server_of(other);
    EXPECT_EQ(pair_new_conns(p), LT_OK);
    lt_conn_free(p->server);
    p->server = lt_conn_new(s);
    lt_config_free(s); /* the connection keeps it */
    EXPECT(pair_handshake(p) < 0);
    EXPECT_EQ(lt_conn_error(p->client, NULL), LT_ERR_UNKNOWN_CA);
}

/* A CA PEM with a damaged block is refused whole: none of it is trusted. */
static void test_damaged_ca_pem_adds_nothing(void)
{
    lt_pair p;
    lt_demo_pki other;
    EXPECT_EQ(pair_init_configs(&p, 0), LT_OK);
    EXPECT_EQ(lt_demo_pki_make(&other, "localhost"), LT_OK);
    char *half = good_then_damaged(other.ca_pem);
    EXPECT_EQ(lt_config_set_ca_pem(p.ccfg, half, strlen(half)), LT_ERR_CONFIG);
    free(half);
    /* Still trusts its CA... */
    EXPECT_EQ(fresh_handshake(&p), LT_OK);
    /* ... and not the other one. */
    expect_other_server_refused(&p, &other);

    /* A fresh client config whose first CA setter fails still uses the
     * system store (nothing was loaded). */
    lt_config *c = lt_config_new(LT_ROLE_CLIENT);
    EXPECT_EQ(lt_config_set_ca_pem(c, "junk", 4), LT_ERR_CONFIG);
    EXPECT_EQ(c->trust_loaded, 0);
    EXPECT(c->trust == NULL);
    EXPECT_EQ(lt_config_set_ca_file(c, "/nonexistent/ca.pem"), LT_ERR_CONFIG);
    EXPECT(c->trust == NULL);
    lt_config_free(c);
    lt_demo_pki_free(&other);
    pair_free(&p);
}

/* The same through a file (X509_STORE_load_file reads the whole file
 * before adding anything). */
static void test_damaged_ca_file_adds_nothing(void)
{
    lt_pair p;
    lt_demo_pki other;
    EXPECT_EQ(pair_init_configs(&p, 0), LT_OK);
    EXPECT_EQ(lt_demo_pki_make(&other, "localhost"), LT_OK);
    char path[] = "/tmp/lt-test-ca-XXXXXX";
    int fd = mkstemp(path);
    EXPECT(fd >= 0);
    char *half = good_then_damaged(other.ca_pem);
    FILE *f = fdopen(fd, "w");
    fputs(half, f);
    fclose(f);
    free(half);
    EXPECT_EQ(lt_config_set_ca_file(p.ccfg, path), LT_ERR_CONFIG);
    remove(path);
    expect_other_server_refused(&p, &other);
    lt_demo_pki_free(&other);
    pair_free(&p);
}

/* Config lifetime (lucidtls.h): the first connection freezes a config;
 * every setter then fails with LT_ERR_FROZEN, says so, and changes
 * nothing; the config lives while a connection holds it. */
static void test_frozen_config_refuses_every_setter(void)
{
    lt_pair p;
    EXPECT_EQ(pair_init_configs(&p, 0), LT_OK);
    EXPECT(!lt_config_frozen(p.ccfg));
    EXPECT_EQ(pair_new_conns(&p), LT_OK);
    EXPECT(lt_config_frozen(p.ccfg) && lt_config_frozen(p.scfg));
    lt_config *c = p.ccfg, *s = p.scfg;
    size_t n_suites = c->policy.n_suites;
    uint16_t suite = LT_TLS_AES_128_GCM_SHA256, group = LT_GROUP_SECP384R1;
    EXPECT_EQ(lt_config_set_cipher_suites(c, &suite, 1), LT_ERR_FROZEN);
    EXPECT(strstr(lt_config_error(c), "frozen") != NULL);
    EXPECT(strstr(lt_config_error(c), "lt_config_set_cipher_suites") != NULL);
    EXPECT_EQ(c->policy.n_suites, n_suites);
    EXPECT_EQ(lt_config_set_ciphers(c, "AES128-SHA"), LT_ERR_FROZEN);
    EXPECT_EQ(lt_config_set_groups(c, &group, 1), LT_ERR_FROZEN);
    EXPECT_EQ(c->policy.groups[0], LT_GROUP_X25519);
    EXPECT_EQ(lt_config_set_versions(c, LT_TLS1_2, LT_TLS1_2), LT_ERR_FROZEN);
    EXPECT_EQ(c->policy.max_version, LT_TLS1_3);
    EXPECT_EQ(lt_config_set_ems(c, 0), LT_ERR_FROZEN);
    EXPECT_EQ(c->policy.ems, 1);
    EXPECT_EQ(lt_config_set_security_level(c, 0), LT_ERR_FROZEN);
    EXPECT_EQ(lt_config_set_trace(c, NULL, NULL, 1), LT_ERR_FROZEN);
    EXPECT_EQ(lt_config_set_keylog(c, NULL, NULL), LT_ERR_FROZEN);
    EXPECT_EQ(lt_config_set_alpn(c, "h2"), LT_ERR_FROZEN);
    EXPECT_EQ(c->policy.alpn_len, 0);
    uint16_t scheme = 0x0804;
    EXPECT_EQ(lt_config_set_sigalgs(c, &scheme, 1), LT_ERR_FROZEN);
    EXPECT_EQ(c->policy.n_sigalgs, 0);
    EXPECT_EQ(lt_config_set_ca_pem(c, p.pki.ca_pem, strlen(p.pki.ca_pem)), LT_ERR_FROZEN);
    EXPECT_EQ(lt_config_set_ca_file(c, "/nonexistent"), LT_ERR_FROZEN);
    EXPECT_EQ(lt_config_use_system_ca(c), LT_ERR_FROZEN);
    lt_config_dangerous_disable_hostname_check(c);
    EXPECT_EQ(c->policy.hostname_check, 1);
    lt_config_set_encrypt_then_mac(c, 0);
    EXPECT_EQ(c->policy.etm, 1);
    EXPECT_EQ(lt_config_set_cert_chain_pem(s, p.pki.chain_pem, strlen(p.pki.chain_pem)), LT_ERR_FROZEN);
    EXPECT_EQ(lt_config_set_key_pem(s, p.pki.key_pem, strlen(p.pki.key_pem)), LT_ERR_FROZEN);
    EXPECT_EQ(lt_config_set_key_file(s, "/nonexistent"), LT_ERR_FROZEN);
    EXPECT_EQ(lt_config_set_tickets(s, 1, 60), LT_ERR_FROZEN);
    EXPECT_EQ(lt_config_set_client_hello_callback(s, NULL, NULL), LT_ERR_FROZEN);
    EXPECT(strcmp(lt_result_name(LT_ERR_FROZEN), "LT_ERR_FROZEN") == 0);
    EXPECT(strstr(lt_result_string(LT_ERR_FROZEN), "frozen") != NULL);

    /* The caller's references may go first: the connections keep theirs
     * (ASan would see a use after free here). */
    lt_config_free(p.ccfg);
    lt_config_free(p.scfg);
    p.ccfg = p.scfg = NULL;
    EXPECT_EQ(pair_handshake(&p), LT_OK);
    EXPECT_EQ(lt_conn_version(p.client), LT_TLS1_3);
    /* lt_config_ref: one more owner, given back with lt_config_free. */
    lt_config *mine = lt_config_new(LT_ROLE_CLIENT);
    EXPECT(lt_config_ref(mine) == mine);
    lt_config_free(mine);
    EXPECT_EQ(lt_config_set_ems(mine, 0), LT_OK); /* still alive, not frozen */
    lt_config_free(mine);
    pair_free(&p);
}

static void test_policy_setters(void)
{
    lt_config *c = lt_config_new(LT_ROLE_CLIENT);
    EXPECT_EQ(lt_config_set_security_level(c, 3), LT_OK);
    EXPECT_EQ(lt_config_set_security_level(c, 9), LT_ERR_CONFIG);
    EXPECT_EQ(c->policy.security_level, 3);
    EXPECT_EQ(lt_config_set_security_level(c, -2), LT_ERR_CONFIG);
    EXPECT_EQ(c->policy.security_level, 3);

    EXPECT_EQ(lt_config_set_ciphers(c, "AES128-SHA:AES256-SHA"), LT_OK);
    EXPECT_EQ(c->policy.n_suites, 2);
    EXPECT_EQ(lt_config_set_ciphers(c, "AES128-GCM-SHA256:NOPE"), LT_ERR_CONFIG);
    EXPECT_EQ(lt_config_set_ciphers(c, ""), LT_ERR_CONFIG);
    uint16_t bad[2] = {LT_TLS_RSA_WITH_AES_128_GCM_SHA256, 0x0005 /* RC4: not ours */};
    EXPECT_EQ(lt_config_set_cipher_suites(c, bad, 2), LT_ERR_CONFIG);
    EXPECT_EQ(lt_config_set_cipher_suites(c, bad, 0), LT_ERR_CONFIG);
    EXPECT_EQ(c->policy.n_suites, 2);
    EXPECT_EQ(c->policy.suites[0], LT_TLS_RSA_WITH_AES_128_CBC_SHA);
    EXPECT_EQ(c->policy.suites[1], LT_TLS_RSA_WITH_AES_256_CBC_SHA);
    lt_config_free(c);
}

int main(void)
{
    LT_RUN(test_key_that_does_not_match_keeps_the_old_key);
    LT_RUN(test_bad_chain_keeps_the_old_chain);
    LT_RUN(test_damaged_ca_pem_adds_nothing);
    LT_RUN(test_damaged_ca_file_adds_nothing);
    LT_RUN(test_policy_setters);
    LT_RUN(test_frozen_config_refuses_every_setter);
    return lt_test_summary();
}
