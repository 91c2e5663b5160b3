#include "base/clock.h"

#include <time.h>

#ifdef LT_TEST_HOOKS
static int64_t test_offset_ms;

void lt_test_clock_advance(int64_t offset_ms)
{
    test_offset_ms += offset_ms;
}
#endif

uint64_t lt_wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t ms = (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
#ifdef LT_TEST_HOOKS
    ms = (uint64_t)((int64_t)ms + test_offset_ms);
#endif
    return ms;
}
