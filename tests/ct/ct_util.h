/*
 * Shared by the constant-flow programs in tests/ct (run by scripts/ct.sh
 * under valgrind memcheck, built with -DLT_CONSTANT_FLOW=ON).
 *
 * A secret is "undefined" to memcheck (LT_CF_SECRET); memcheck then reports
 * any branch or memory index computed from it. A clean run is only evidence
 * if the secret really reached the code under test, so each program has a
 * negative mode (environment LT_CT_NEGATIVE=1) in which it branches, on
 * purpose, on a value the code under test produced from the secret, without
 * declassifying it first. ct.sh requires that mode to fail with a memcheck
 * report: it proves the marking is live and flows through libcrypto.
 */
#ifndef LT_CT_UTIL_H
#define LT_CT_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/ct.h"

#if !defined(LT_CONSTANT_FLOW) || !LT_CONSTANT_FLOW
#error "tests/ct programs need -DLT_CONSTANT_FLOW=ON"
#endif

static inline int ct_negative_mode(void)
{
    const char *v = getenv("LT_CT_NEGATIVE");
    return v != NULL && strcmp(v, "1") == 0;
}

/* The deliberate leak of negative mode: a branch on a secret byte. noinline
 * and volatile so the compiler keeps a real conditional jump. */
static volatile int ct_sink;
__attribute__((noinline)) static void ct_leak_branch(const void *secret)
{
    if (*(const volatile unsigned char *)secret == 0) {
        ct_sink++;
    } else {
        ct_sink--;
    }
}

#endif
