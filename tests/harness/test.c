#include "test.h"

#include <ctype.h>

int lt_test_failed_checks;
int lt_test_passed;
int lt_test_failed;
int lt_test_current_failed;

int lt_test_summary(void)
{
    printf("%d passed, %d failed\n", lt_test_passed, lt_test_failed);
    return lt_test_failed == 0 ? 0 : 1;
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    c = tolower(c);
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    return -1;
}

size_t lt_test_unhex(const char *hex, unsigned char *out, size_t cap)
{
    size_t n = 0;
    int hi = -1;
    for (; *hex; hex++) {
        int v = hexval((unsigned char)*hex);
        if (v < 0) {
            continue;
        }
        if (hi < 0) {
            hi = v;
        } else {
            if (n < cap) {
                out[n] = (unsigned char)(hi << 4 | v);
            }
            n++;
            hi = -1;
        }
    }
    return n;
}
