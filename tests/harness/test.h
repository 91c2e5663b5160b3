/*
 * A tiny test harness. Each test file defines test functions and runs them
 * with LT_RUN(fn) from main(), then returns lt_test_summary().
 *
 * A failed EXPECT prints file:line and the expression, and marks the current
 * test failed; the test goes on so one run shows every failure.
 */
#ifndef LT_TEST_H
#define LT_TEST_H

#include <stdio.h>
#include <string.h>

extern int lt_test_failed_checks;
extern int lt_test_passed;
extern int lt_test_failed;
extern int lt_test_current_failed;

#define EXPECT(cond)                                                                                                   \
    do {                                                                                                               \
        if (!(cond)) {                                                                                                 \
            fprintf(stderr, "  FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);                                          \
            lt_test_current_failed = 1;                                                                                \
            lt_test_failed_checks++;                                                                                   \
        }                                                                                                              \
    } while (0)

#define EXPECT_EQ(a, b)                                                                                                \
    do {                                                                                                               \
        long long lt_a_ = (long long)(a), lt_b_ = (long long)(b);                                                      \
        if (lt_a_ != lt_b_) {                                                                                          \
            fprintf(stderr, "  FAIL %s:%d: %s == %s (%lld vs %lld)\n", __FILE__, __LINE__, #a, #b, lt_a_, lt_b_);      \
            lt_test_current_failed = 1;                                                                                \
            lt_test_failed_checks++;                                                                                   \
        }                                                                                                              \
    } while (0)

#define EXPECT_MEM(a, b, n) EXPECT(memcmp((a), (b), (n)) == 0)

#define LT_RUN(fn)                                                                                                     \
    do {                                                                                                               \
        lt_test_current_failed = 0;                                                                                    \
        fn();                                                                                                          \
        if (lt_test_current_failed) {                                                                                  \
            lt_test_failed++;                                                                                          \
            fprintf(stderr, "FAILED %s\n", #fn);                                                                       \
        } else {                                                                                                       \
            lt_test_passed++;                                                                                          \
            printf("ok %s\n", #fn);                                                                                    \
        }                                                                                                              \
    } while (0)

/* Prints "N passed, N failed" and returns the exit status. */
int lt_test_summary(void);

/* Hex helper: decodes a hex string (spaces ignored) into out; returns length. */
size_t lt_test_unhex(const char *hex, unsigned char *out, size_t cap);

#endif
