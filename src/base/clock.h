/*
 * The wall clock, for ticket lifetimes and ages (RFC 8446 4.6.1: lifetimes
 * in seconds, ages in milliseconds). Wall time because a client's stored
 * session outlives its process. Test builds can set the clock.
 */
#ifndef LT_BASE_CLOCK_H
#define LT_BASE_CLOCK_H

#include <stdint.h>

/* Milliseconds since the Unix epoch. */
uint64_t lt_wall_ms(void);

/* Test builds only (LT_TEST_HOOKS): add offset_ms to the clock. */
void lt_test_clock_advance(int64_t offset_ms);

#endif
