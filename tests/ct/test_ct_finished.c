/*
 * Constant flow of the Finished check (RFC 5246 7.4.9).
 *
 * The expected verify_data is secret: PRF(master_secret, label, transcript
 * hash). We mark the master secret secret, derive verify_data with
 * lt_ks12_finished (so the PRF itself runs on the secret: no branch or
 * index on it inside libcrypto's TLS1-PRF either), and compare with
 * lt_ct_eq the way lt_hs_check_finished does: the only branch is on the
 * verdict, after LT_CF_PUBLIC. The received verify_data is marked secret
 * too (it is public on the wire, but it must not matter: an early-exit
 * comparison would branch on the first differing byte of either side).
 * Matching, one-byte-off in every position, and all-different values take
 * the same path.
 */
#include <stdint.h>
#include <string.h>

#include "crypto/crypto.h"
#include "ct_util.h"
#include "hs/keysched12.h"
#include "test.h"

static const lt_hash_alg algs[] = {LT_HASH_SHA256, LT_HASH_SHA384};

/* As lt_hs_check_finished: compare, declassify the verdict, branch once. */
static int check_finished(const uint8_t got[12], const uint8_t want[12])
{
    int match = lt_ct_eq(got, want, 12);
    if (ct_negative_mode()) {
        /* Branching on the verdict before it is declassified. */
        ct_leak_branch(&match);
    }
    LT_CF_PUBLIC(&match, sizeof(match));
    return match ? LT_OK : LT_ERR_DECRYPT_ERROR;
}

static void test_finished_compare(void)
{
    size_t ai, i;
    for (ai = 0; ai < sizeof(algs) / sizeof(algs[0]); ai++) {
        uint8_t ms[LT_MASTER_SECRET_LEN], hash[LT_MAX_HASH_LEN], want[12], got[12];
        size_t hash_len = lt_hash_len(algs[ai]);
        int from_client;
        for (i = 0; i < sizeof(ms); i++) {
            ms[i] = (uint8_t)(0xa5 ^ i);
        }
        memset(hash, 0x42, sizeof(hash));
        for (from_client = 0; from_client <= 1; from_client++) {
            /* The public reference, derived before anything is secret. */
            uint8_t ref[12];
            EXPECT_EQ(lt_ks12_finished(algs[ai], ms, from_client, hash, hash_len, ref), LT_OK);

            LT_CF_SECRET(ms, sizeof(ms));
            EXPECT_EQ(lt_ks12_finished(algs[ai], ms, from_client, hash, hash_len, want), LT_OK);

            /* Equal. */
            memcpy(got, ref, sizeof(got));
            LT_CF_SECRET(got, sizeof(got));
            EXPECT_EQ(check_finished(got, want), LT_OK);
            /* One byte off, in each position. */
            for (i = 0; i < sizeof(got); i++) {
                memcpy(got, ref, sizeof(got));
                got[i] ^= 0x01;
                LT_CF_SECRET(got, sizeof(got));
                EXPECT_EQ(check_finished(got, want), LT_ERR_DECRYPT_ERROR);
            }
            /* Every byte different. */
            for (i = 0; i < sizeof(got); i++) {
                got[i] = (uint8_t)~ref[i];
            }
            LT_CF_SECRET(got, sizeof(got));
            EXPECT_EQ(check_finished(got, want), LT_ERR_DECRYPT_ERROR);
            LT_CF_PUBLIC(ms, sizeof(ms));
        }
    }
}

int main(void)
{
    LT_RUN(test_finished_compare);
    return lt_test_summary();
}
