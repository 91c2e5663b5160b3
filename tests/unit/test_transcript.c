/*
 * The transcript (src/hs/transcript.c): several hashes at once, the raw
 * messages kept until dropped, the hash of a truncated message, and the
 * RFC 8446 4.4.1 message_hash replacement. Every digest is checked against
 * a one-shot hash of the bytes it must cover.
 */
#include <string.h>

#include "hs/transcript.h"
#include "test.h"

static const uint8_t CH[] = {1, 0, 0, 3, 0xaa, 0xbb, 0xcc};
static const uint8_t SH[] = {2, 0, 0, 2, 0x11, 0x22};

static void oneshot(lt_hash_alg alg, const uint8_t *a, size_t an, const uint8_t *b, size_t bn, uint8_t *out,
                    size_t *len)
{
    uint8_t both[64];
    memcpy(both, a, an);
    if (bn > 0) {
        memcpy(both + an, b, bn);
    }
    EXPECT_EQ(lt_hash_oneshot(alg, both, an + bn, out, len), LT_OK);
}

static void test_two_hashes_started_late_cover_everything(void)
{
    lt_transcript t;
    lt_transcript_init(&t);
    EXPECT_EQ(lt_transcript_add(&t, CH, sizeof CH, "ClientHello"), LT_OK);
    EXPECT_EQ(lt_transcript_set_hash(&t, LT_HASH_SHA256), LT_OK);
    EXPECT_EQ(lt_transcript_add(&t, SH, sizeof SH, "ServerHello"), LT_OK);
    EXPECT_EQ(lt_transcript_set_hash(&t, LT_HASH_SHA384), LT_OK);
    EXPECT(lt_transcript_set_hash(&t, LT_HASH_SHA256) != LT_OK); /* once per alg */
    uint8_t got[LT_MAX_HASH_LEN], want[LT_MAX_HASH_LEN];
    size_t got_len, want_len;
    EXPECT_EQ(lt_transcript_hash_alg(&t, LT_HASH_SHA384, got, &got_len), LT_OK);
    oneshot(LT_HASH_SHA384, CH, sizeof CH, SH, sizeof SH, want, &want_len);
    EXPECT_EQ(got_len, 48);
    EXPECT(memcmp(got, want, want_len) == 0);
    EXPECT_EQ(lt_transcript_hash(&t, got, &got_len), LT_OK); /* the first: SHA-256 */
    oneshot(LT_HASH_SHA256, CH, sizeof CH, SH, sizeof SH, want, &want_len);
    EXPECT_EQ(got_len, 32);
    EXPECT(memcmp(got, want, want_len) == 0);
    const uint8_t *raw;
    size_t raw_len;
    EXPECT_EQ(lt_transcript_raw(&t, &raw, &raw_len), LT_OK);
    EXPECT_EQ(raw_len, sizeof CH + sizeof SH);
    EXPECT(memcmp(raw + sizeof CH, SH, sizeof SH) == 0);
    lt_transcript_drop_raw(&t);
    EXPECT(lt_transcript_raw(&t, &raw, &raw_len) != LT_OK);
    /* The running hashes go on without the raw messages. */
    EXPECT_EQ(lt_transcript_add(&t, CH, sizeof CH, "ClientHello"), LT_OK);
    EXPECT_EQ(t.n_msgs, 3);
    lt_transcript_free(&t);
}

static void test_hash_with_a_truncated_message(void)
{
    lt_transcript t;
    lt_transcript_init(&t);
    EXPECT_EQ(lt_transcript_set_hash(&t, LT_HASH_SHA256), LT_OK);
    EXPECT_EQ(lt_transcript_add(&t, CH, sizeof CH, "ClientHello"), LT_OK);
    uint8_t got[LT_MAX_HASH_LEN], want[LT_MAX_HASH_LEN], after[LT_MAX_HASH_LEN];
    size_t got_len, want_len, after_len;
    EXPECT_EQ(lt_transcript_hash_with(&t, LT_HASH_SHA256, SH, 3, got, &got_len), LT_OK);
    oneshot(LT_HASH_SHA256, CH, sizeof CH, SH, 3, want, &want_len);
    EXPECT(got_len == want_len && memcmp(got, want, want_len) == 0);
    /* ...and the running hash did not take the partial bytes in. */
    EXPECT_EQ(lt_transcript_hash(&t, after, &after_len), LT_OK);
    oneshot(LT_HASH_SHA256, CH, sizeof CH, NULL, 0, want, &want_len);
    EXPECT(memcmp(after, want, want_len) == 0);
    lt_transcript_free(&t);
}

/* RFC 8446 4.4.1: Transcript-Hash(ClientHello1, HelloRetryRequest, ...) =
 * Hash(message_hash || 00 00 Hash.length || Hash(ClientHello1) || HRR ...). */
static void test_message_hash_replaces_client_hello1(void)
{
    lt_transcript t;
    lt_transcript_init(&t);
    EXPECT_EQ(lt_transcript_add(&t, CH, sizeof CH, "ClientHello"), LT_OK);
    EXPECT_EQ(lt_transcript_replace_with_message_hash(&t, LT_HASH_SHA256), LT_OK);
    EXPECT_EQ(lt_transcript_add(&t, SH, sizeof SH, "HelloRetryRequest"), LT_OK);
    uint8_t mh[4 + 32] = {254, 0, 0, 32}, want[LT_MAX_HASH_LEN], got[LT_MAX_HASH_LEN];
    size_t len, got_len;
    EXPECT_EQ(lt_hash_oneshot(LT_HASH_SHA256, CH, sizeof CH, mh + 4, &len), LT_OK);
    oneshot(LT_HASH_SHA256, mh, sizeof mh, SH, sizeof SH, want, &len);
    EXPECT_EQ(lt_transcript_hash(&t, got, &got_len), LT_OK);
    EXPECT(got_len == 32 && memcmp(got, want, 32) == 0);
    lt_transcript_free(&t);
}

int main(void)
{
    LT_RUN(test_two_hashes_started_late_cover_everything);
    LT_RUN(test_hash_with_a_truncated_message);
    LT_RUN(test_message_hash_replaces_client_hello1);
    return lt_test_summary();
}
