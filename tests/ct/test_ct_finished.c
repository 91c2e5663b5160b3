/*
 * Constant flow of the Finished check (RFC 5246 7.4.9), run through the real
 * lt_hs_check_finished (src/hs/common12.c), not a copy of it.
 *
 * The expected verify_data is secret: PRF(master_secret, label, transcript
 * hash). We give a server connection a marked-secret master secret and run
 * lt_hs_check_finished on a received Finished that matches, is one byte off
 * in every position, or differs everywhere. The received verify_data is
 * marked secret too (public on the wire, but an early-exit comparison would
 * branch on the first differing byte of either side). The only branch
 * allowed is on the verdict, after the LT_CF_PUBLIC in common12.c: delete
 * that line and this program fails under scripts/ct.sh.
 *
 * Negative mode (LT_CT_NEGATIVE=1): the same PRF run on the marked secret,
 * then a branch on its output, which proves the marking reaches through
 * libcrypto's TLS1-PRF into the value the comparison uses.
 */
#include <stdint.h>
#include <string.h>

#include "conn/conn.h"
#include "ct_util.h"
#include "hs/hs_int.h"
#include "hs/keysched12.h"
#include "test.h"

static const uint16_t SUITES[] = {LT_TLS_RSA_WITH_AES_128_GCM_SHA256, LT_TLS_RSA_WITH_AES_256_GCM_SHA384};

/* A server connection waiting for the client's Finished, with a transcript
 * of one fake message and a marked-secret master secret. */
static lt_conn *conn_waiting_for_finished(lt_config *cfg, const lt_suite *suite, const uint8_t ms[48])
{
    lt_conn *c = lt_conn_new(cfg);
    EXPECT(c != NULL);
    c->hs->session.suite = suite;
    lt_hs_test_set_state(c->hs, LT_ST_SERVER_WAIT_FINISHED);
    static const uint8_t hello[] = {LT_HS_CLIENT_HELLO, 0, 0, 2, 3, 3};
    EXPECT_EQ(lt_transcript_add(&c->hs->h12->transcript, hello, sizeof hello, "ClientHello"), LT_OK);
    EXPECT_EQ(lt_transcript_set_hash(&c->hs->h12->transcript, suite->prf_hash), LT_OK);
    memcpy(c->hs->session.master_secret, ms, 48);
    LT_CF_SECRET(c->hs->session.master_secret, 48);
    return c;
}

/* The client's verify_data for that transcript, computed in the clear. */
static void reference_verify_data(const lt_suite *suite, const uint8_t ms[48], uint8_t ref[12])
{
    lt_config *cfg = lt_config_new(LT_ROLE_SERVER);
    lt_conn *c = lt_conn_new(cfg);
    c->hs->session.suite = suite;
    static const uint8_t hello[] = {LT_HS_CLIENT_HELLO, 0, 0, 2, 3, 3};
    EXPECT_EQ(lt_transcript_add(&c->hs->h12->transcript, hello, sizeof hello, "ClientHello"), LT_OK);
    EXPECT_EQ(lt_transcript_set_hash(&c->hs->h12->transcript, suite->prf_hash), LT_OK);
    uint8_t hash[LT_MAX_HASH_LEN];
    size_t hash_len;
    EXPECT_EQ(lt_transcript_hash(&c->hs->h12->transcript, hash, &hash_len), LT_OK);
    EXPECT_EQ(lt_ks12_finished(suite->prf_hash, ms, 1, hash, hash_len, ref), LT_OK);
    if (ct_negative_mode()) {
        uint8_t marked[48], leaked[12];
        memcpy(marked, ms, 48);
        LT_CF_SECRET(marked, 48);
        EXPECT_EQ(lt_ks12_finished(suite->prf_hash, marked, 1, hash, hash_len, leaked), LT_OK);
        ct_leak_branch(leaked);
        LT_CF_PUBLIC(marked, 48);
    }
    lt_conn_free(c);
    lt_config_free(cfg);
}

static int check(lt_config *cfg, const lt_suite *suite, const uint8_t ms[48], const uint8_t got[12])
{
    lt_conn *c = conn_waiting_for_finished(cfg, suite, ms);
    uint8_t body[12];
    memcpy(body, got, 12);
    LT_CF_SECRET(body, sizeof body);
    int rc = lt_hs_check_finished(c->hs, body, sizeof body);
    LT_CF_PUBLIC(&rc, sizeof rc);
    LT_CF_PUBLIC(c->hs->session.master_secret, 48);
    lt_conn_free(c);
    return rc;
}

static void test_finished_check_is_constant_flow(void)
{
    lt_config *cfg = lt_config_new(LT_ROLE_SERVER);
    for (size_t si = 0; si < sizeof SUITES / sizeof SUITES[0]; si++) {
        const lt_suite *suite = lt_suite_find(SUITES[si]);
        uint8_t ms[48], ref[12], got[12];
        for (size_t i = 0; i < sizeof ms; i++) {
            ms[i] = (uint8_t)(0xa5 ^ i);
        }
        reference_verify_data(suite, ms, ref);
        EXPECT_EQ(check(cfg, suite, ms, ref), LT_OK);
        for (size_t i = 0; i < sizeof got; i++) {
            memcpy(got, ref, sizeof got);
            got[i] ^= 0x01;
            EXPECT_EQ(check(cfg, suite, ms, got), LT_ERR_DECRYPT_ERROR);
        }
        for (size_t i = 0; i < sizeof got; i++) {
            got[i] = (uint8_t)~ref[i];
        }
        EXPECT_EQ(check(cfg, suite, ms, got), LT_ERR_DECRYPT_ERROR);
    }
    lt_config_free(cfg);
}

int main(void)
{
    LT_RUN(test_finished_check_is_constant_flow);
    return lt_test_summary();
}
