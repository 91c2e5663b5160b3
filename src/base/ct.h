/*
 * Constant-flow annotations (the idea of Mbed TLS's TEST_CF_SECRET).
 *
 * LT_CF_SECRET(p, n) marks n bytes at p as secret; LT_CF_PUBLIC(p, n) marks
 * them public again. In a build with LT_CONSTANT_FLOW defined these are
 * valgrind memcheck client requests: "secret" is "undefined", so memcheck
 * reports every conditional jump, conditional move and memory index that
 * depends on a secret ("Conditional jump or move depends on uninitialised
 * value(s)", "Use of uninitialised value"). LT_CF_PUBLIC is placed only at
 * the deliberate public decision points (e.g. the one "record good" word in
 * CBC open), so each use is also documentation of where a secret-derived
 * value is allowed to become observable.
 *
 * In every other build both expand to nothing: no code, no header, no cost.
 * The client requests themselves are a few no-op instructions when not run
 * under valgrind, so an LT_CONSTANT_FLOW build still runs natively.
 */
#ifndef LT_BASE_CT_H
#define LT_BASE_CT_H

#if defined(LT_CONSTANT_FLOW) && LT_CONSTANT_FLOW
#include <valgrind/memcheck.h>
#define LT_CF_SECRET(p, n) ((void)VALGRIND_MAKE_MEM_UNDEFINED((p), (n)))
#define LT_CF_PUBLIC(p, n) ((void)VALGRIND_MAKE_MEM_DEFINED((p), (n)))
#else
#define LT_CF_SECRET(p, n) ((void)0)
#define LT_CF_PUBLIC(p, n) ((void)0)
#endif

#endif
