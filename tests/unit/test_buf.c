/* lt_buf (src/crypto/buf.c): growth within its limit, and no byte it held
 * is left behind when it moves, shrinks or is freed. */
#include <string.h>

#include "crypto/buf.h"
#include "test.h"

static void test_grows_up_to_its_limit_and_no_further(void)
{
    lt_buf b = lt_buf_make(5000);
    uint8_t chunk[1000];
    memset(chunk, 0x5a, sizeof chunk);
    for (int i = 0; i < 5; i++) {
        EXPECT_EQ(lt_buf_append(&b, chunk, sizeof chunk), LT_OK);
    }
    EXPECT_EQ(b.len, 5000);
    EXPECT(b.cap <= 5000); /* doubling stops at the limit */
    EXPECT_EQ(lt_buf_append(&b, chunk, 1), LT_ERR_INTERNAL);
    EXPECT_EQ(b.len, 5000); /* a refused append changes nothing */
    EXPECT_EQ(lt_buf_reserve(&b, (size_t)-1), LT_ERR_INTERNAL);
    lt_buf_free(&b);
    EXPECT(b.p == NULL && b.len == 0 && b.max == 5000);
}

static void test_consume_moves_the_rest_and_wipes_the_tail(void)
{
    lt_buf b = lt_buf_make(0);
    const uint8_t data[] = "0123456789";
    EXPECT_EQ(lt_buf_append(&b, data, 10), LT_OK);
    lt_buf_consume(&b, 4);
    EXPECT_EQ(b.len, 6);
    EXPECT_MEM(b.p, "456789", 6);
    for (size_t i = 6; i < 10; i++) {
        EXPECT_EQ(b.p[i], 0); /* the bytes that moved are not left behind */
    }
    lt_buf_reset(&b);
    EXPECT_EQ(b.len, 0);
    for (size_t i = 0; i < 10; i++) {
        EXPECT_EQ(b.p[i], 0);
    }
    lt_buf_free(&b);
}

int main(void)
{
    LT_RUN(test_grows_up_to_its_limit_and_no_further);
    LT_RUN(test_consume_moves_the_rest_and_wipes_the_tail);
    return lt_test_summary();
}
