/*
 * Constant flow of the TLS 1.3 Finished check (RFC 8446 4.4.4), run through
 * the real lt_hs13_check_finished (src/hs/common13.c). The PSK binder check
 * (src/hs/resume13.c) is the same computation (a Finished keyed from the
 * binder key) and the same comparison.
 *
 * The expected verify_data is secret: HMAC(finished_key, transcript hash),
 * finished_key from the peer's handshake traffic secret. We mark that secret
 * and the received verify_data, and run the check on a Finished that
 * matches, is one byte off in every position, or differs everywhere. The
 * only branch allowed is on the verdict, after the LT_CF_PUBLIC in
 * common13.c.
 *
 * Negative mode (LT_CT_NEGATIVE=1): the same HKDF and HMAC on the marked
 * secret, then a branch on the output, which proves the marking reaches
 * through libcrypto into the value the comparison uses.
 */
#include <stdint.h>
#include <string.h>

#include "conn/conn.h"
#include "ct_util.h"
#include "hs/hs_int.h"
#include "hs/keysched13.h"
#include "test.h"

static const uint16_t SUITES[] = {LT_TLS_AES_128_GCM_SHA256, LT_TLS_AES_256_GCM_SHA384};
static const uint8_t HELLO[] = {LT_HS_CLIENT_HELLO, 0, 0, 2, 3, 3};

/* A TLS 1.3 server waiting for the client's Finished, with a transcript of
 * one fake message and a marked-secret client handshake traffic secret. */
static lt_conn *conn_waiting_for_finished(lt_config *cfg, const lt_suite *suite, const uint8_t *secret, size_t n)
{
    lt_conn *c = lt_conn_new(cfg);
    EXPECT(c != NULL);
    c->hs->session.suite = suite;
    lt_hs_test_set_state(c->hs, LT_ST_SERVER_WAIT_FINISHED);
    lt_hs_test_set_version(c->hs, LT_TLS1_3);
    EXPECT_EQ(lt_transcript_add(&c->hs->h12->transcript, HELLO, sizeof HELLO, "ClientHello"), LT_OK);
    EXPECT_EQ(lt_transcript_set_hash(&c->hs->h12->transcript, suite->prf_hash), LT_OK);
    memcpy(c->hs->h13->c_hs, secret, n);
    LT_CF_SECRET(c->hs->h13->c_hs, n);
    return c;
}

static void reference_verify_data(const lt_suite *suite, const uint8_t *secret, size_t n, uint8_t *ref)
{
    uint8_t th[LT_MAX_HASH_LEN];
    size_t th_len = 0;
    EXPECT_EQ(lt_hash_oneshot(suite->prf_hash, HELLO, sizeof HELLO, th, &th_len), LT_OK);
    EXPECT_EQ(lt_ks13_finished(suite->prf_hash, secret, th, ref), LT_OK);
    if (ct_negative_mode()) {
        uint8_t marked[LT_MAX_HASH_LEN], leaked[LT_MAX_HASH_LEN];
        memcpy(marked, secret, n);
        LT_CF_SECRET(marked, n);
        EXPECT_EQ(lt_ks13_finished(suite->prf_hash, marked, th, leaked), LT_OK);
        ct_leak_branch(leaked);
        LT_CF_PUBLIC(marked, n);
    }
}

static int check(lt_config *cfg, const lt_suite *suite, const uint8_t *secret, size_t n, const uint8_t *got)
{
    lt_conn *c = conn_waiting_for_finished(cfg, suite, secret, n);
    uint8_t body[LT_MAX_HASH_LEN];
    memcpy(body, got, n);
    LT_CF_SECRET(body, n);
    int rc = lt_hs13_check_finished(c->hs, c->hs->h13->c_hs, body, n);
    LT_CF_PUBLIC(&rc, sizeof rc);
    LT_CF_PUBLIC(c->hs->h13->c_hs, n);
    lt_conn_free(c);
    return rc;
}

static void test_tls13_finished_check_is_constant_flow(void)
{
    lt_config *cfg = lt_config_new(LT_ROLE_SERVER);
    for (size_t si = 0; si < sizeof SUITES / sizeof SUITES[0]; si++) {
        const lt_suite *suite = lt_suite_find(SUITES[si]);
        size_t n = lt_hash_len(suite->prf_hash);
        uint8_t secret[LT_MAX_HASH_LEN], ref[LT_MAX_HASH_LEN], got[LT_MAX_HASH_LEN];
        for (size_t i = 0; i < n; i++) {
            secret[i] = (uint8_t)(0x5a ^ i);
        }
        reference_verify_data(suite, secret, n, ref);
        EXPECT_EQ(check(cfg, suite, secret, n, ref), LT_OK);
        for (size_t i = 0; i < n; i++) {
            memcpy(got, ref, n);
            got[i] ^= 0x01;
            EXPECT_EQ(check(cfg, suite, secret, n, got), LT_ERR_DECRYPT_ERROR);
        }
        for (size_t i = 0; i < n; i++) {
            got[i] = (uint8_t)~ref[i];
        }
        EXPECT_EQ(check(cfg, suite, secret, n, got), LT_ERR_DECRYPT_ERROR);
    }
    lt_config_free(cfg);
}

int main(void)
{
    LT_RUN(test_tls13_finished_check_is_constant_flow);
    return lt_test_summary();
}
