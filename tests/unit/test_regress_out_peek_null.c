/*
 * Regression test (found by fuzz/fuzz_server): lt_conn_out_peek() on a
 * connection that has not queued any output yet.
 *
 * conn.c returns c->rec.out + c->rec.out_off, and rec.out is NULL until the
 * first record is written, so this computes NULL + 0: undefined behaviour in
 * C11 (6.5.6p8 only defines pointer arithmetic on pointers into an object).
 * clang's -fsanitize=undefined (pointer-overflow) aborts here, so this test
 * fails in a clang LT_SANITIZE=ON build:
 *
 *   CC=clang cmake -S . -B build-asan -DLT_SANITIZE=ON && cmake --build build-asan
 *   build-asan/tests/test_regress_out_peek_null
 *   -> src/conn/conn.c: runtime error: applying zero offset to null pointer
 *
 * A fresh server is the normal case (every sans-I/O loop peeks before the
 * ClientHello has arrived), as is a client before lt_conn_handshake(). The
 * API promises *len == 0 here; the pointer itself is then never read.
 */
#include "lucidtls/lucidtls.h"
#include "test.h"

static void test_peek_fresh_server(void)
{
    lt_config *cfg = lt_config_new(LT_ROLE_SERVER);
    EXPECT(cfg != NULL);
    lt_conn *c = lt_conn_new(cfg);
    EXPECT(c != NULL);
    size_t len = 123;
    (void)lt_conn_out_peek(c, &len);
    EXPECT_EQ(len, 0);
    lt_conn_free(c);
    lt_config_free(cfg);
}

static void test_peek_fresh_client(void)
{
    lt_config *cfg = lt_config_new(LT_ROLE_CLIENT);
    EXPECT(cfg != NULL);
    lt_conn *c = lt_conn_new(cfg);
    EXPECT(c != NULL);
    size_t len = 123;
    (void)lt_conn_out_peek(c, &len);
    EXPECT_EQ(len, 0);
    /* Consuming nothing from nothing must be harmless too. */
    lt_conn_out_consume(c, 0);
    lt_conn_free(c);
    lt_config_free(cfg);
}

int main(void)
{
    LT_RUN(test_peek_fresh_server);
    LT_RUN(test_peek_fresh_client);
    return lt_test_summary();
}
