/* The bounded reader and writer: every read is checked, every vector is
 * bounded, every overflow is caught. */
#include "base/bytes.h"
#include "test.h"

static void test_reads_in_bounds(void)
{
    const uint8_t in[] = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a};
    lt_rd r = lt_rd_init(in, sizeof in);
    uint8_t a;
    uint16_t b;
    uint32_t c, d;
    EXPECT_EQ(lt_rd_u8(&r, &a), LT_OK);
    EXPECT_EQ(a, 0x01);
    EXPECT_EQ(lt_rd_u16(&r, &b), LT_OK);
    EXPECT_EQ(b, 0x0203);
    EXPECT_EQ(lt_rd_u24(&r, &c), LT_OK);
    EXPECT_EQ(c, 0x040506);
    EXPECT_EQ(lt_rd_u32(&r, &d), LT_OK);
    EXPECT_EQ(d, 0x0708090aU);
    EXPECT_EQ(lt_rd_left(&r), 0);
    EXPECT_EQ(lt_rd_done(&r), LT_OK);
}

static void test_short_reads_fail_and_consume_nothing(void)
{
    const uint8_t in[] = {0xaa, 0xbb, 0xcc};
    lt_rd r = lt_rd_init(in, sizeof in);
    uint32_t v;
    EXPECT_EQ(lt_rd_u32(&r, &v), LT_ERR_DECODE);
    EXPECT_EQ(lt_rd_left(&r), 3);
    uint8_t buf[4];
    EXPECT_EQ(lt_rd_copy(&r, buf, 4), LT_ERR_DECODE);
    const uint8_t *p;
    EXPECT_EQ(lt_rd_bytes(&r, 4, &p), LT_ERR_DECODE);
    EXPECT_EQ(lt_rd_bytes(&r, 3, &p), LT_OK);
    EXPECT(p == in);
    uint8_t b;
    EXPECT_EQ(lt_rd_u8(&r, &b), LT_ERR_DECODE);
    lt_rd empty = lt_rd_init(NULL, 0);
    EXPECT_EQ(lt_rd_u8(&empty, &b), LT_ERR_DECODE);
}

static void test_vectors_are_bounded(void)
{
    /* A 2-byte-length vector of 3 bytes, then one more byte. */
    const uint8_t in[] = {0x00, 0x03, 'a', 'b', 'c', 0xff};
    lt_rd r = lt_rd_init(in, sizeof in);
    lt_rd sub;
    EXPECT_EQ(lt_rd_vec(&r, 2, 1, 10, &sub), LT_OK);
    EXPECT_EQ(lt_rd_left(&sub), 3);
    uint32_t v;
    EXPECT_EQ(lt_rd_u32(&sub, &v), LT_ERR_DECODE); /* cannot read past the vector */
    EXPECT_EQ(lt_rd_done(&sub), LT_ERR_DECODE);    /* 3 bytes left: trailing data */
    EXPECT_EQ(lt_rd_left(&r), 1);
}

static void test_vector_length_checks(void)
{
    const uint8_t too_long[] = {0x05, 'a', 'b'};
    lt_rd r = lt_rd_init(too_long, sizeof too_long);
    lt_rd sub;
    EXPECT_EQ(lt_rd_vec(&r, 1, 0, 255, &sub), LT_ERR_DECODE);

    const uint8_t two[] = {0x02, 'a', 'b'};
    r = lt_rd_init(two, sizeof two);
    EXPECT_EQ(lt_rd_vec(&r, 1, 3, 255, &sub), LT_ERR_DECODE); /* under min */
    r = lt_rd_init(two, sizeof two);
    EXPECT_EQ(lt_rd_vec(&r, 1, 0, 1, &sub), LT_ERR_DECODE); /* over max */
    r = lt_rd_init(two, sizeof two);
    EXPECT_EQ(lt_rd_vec(&r, 1, 2, 2, &sub), LT_OK);

    const uint8_t u24[] = {0x00, 0x00, 0x01, 'x'};
    r = lt_rd_init(u24, sizeof u24);
    EXPECT_EQ(lt_rd_vec(&r, 3, 1, 1, &sub), LT_OK);
    EXPECT_EQ(lt_rd_done(&r), LT_OK);

    r = lt_rd_init(u24, sizeof u24);
    EXPECT_EQ(lt_rd_vec(&r, 4, 0, 10, &sub), LT_ERR_INTERNAL); /* bad prefix size */
    const uint8_t short_prefix[] = {0x00};
    r = lt_rd_init(short_prefix, 1);
    EXPECT_EQ(lt_rd_vec(&r, 2, 0, 10, &sub), LT_ERR_DECODE);
}

static void test_writer_and_backpatch(void)
{
    uint8_t buf[16];
    lt_wr w = lt_wr_init(buf, sizeof buf);
    lt_wr_u8(&w, 0x16);
    size_t m = lt_wr_open_vec(&w, 3);
    lt_wr_u16(&w, 0x0303);
    lt_wr_u32(&w, 0xdeadbeef);
    lt_wr_close_vec(&w, m, 3);
    EXPECT_EQ(lt_wr_finish(&w), LT_OK);
    EXPECT_EQ(w.off, 1 + 3 + 6);
    const uint8_t want[] = {0x16, 0, 0, 6, 0x03, 0x03, 0xde, 0xad, 0xbe, 0xef};
    EXPECT_MEM(buf, want, sizeof want);
}

static void test_writer_overflow_is_sticky(void)
{
    uint8_t buf[4];
    lt_wr w = lt_wr_init(buf, sizeof buf);
    lt_wr_u16(&w, 1);
    lt_wr_u24(&w, 2); /* does not fit */
    EXPECT_EQ(lt_wr_finish(&w), LT_ERR_INTERNAL);
    EXPECT_EQ(w.off, 2);
    lt_wr_u8(&w, 3); /* would fit, but the error stays */
    EXPECT_EQ(lt_wr_finish(&w), LT_ERR_INTERNAL);
    EXPECT(lt_wr_reserve(&w, 1) == NULL);
}

static void test_vector_too_long_for_prefix(void)
{
    uint8_t buf[300];
    lt_wr w = lt_wr_init(buf, sizeof buf);
    size_t m = lt_wr_open_vec(&w, 1);
    uint8_t zeros[256] = {0};
    lt_wr_bytes(&w, zeros, sizeof zeros); /* 256 > 255 */
    lt_wr_close_vec(&w, m, 1);
    EXPECT_EQ(lt_wr_finish(&w), LT_ERR_INTERNAL);
}

int main(void)
{
    LT_RUN(test_reads_in_bounds);
    LT_RUN(test_short_reads_fail_and_consume_nothing);
    LT_RUN(test_vectors_are_bounded);
    LT_RUN(test_vector_length_checks);
    LT_RUN(test_writer_and_backpatch);
    LT_RUN(test_writer_overflow_is_sticky);
    LT_RUN(test_vector_too_long_for_prefix);
    return lt_test_summary();
}
