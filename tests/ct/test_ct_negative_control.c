/*
 * Negative control for scripts/ct.sh: this program MUST make memcheck
 * report. If it ran clean, the constant-flow machinery would be broken
 * (valgrind headers missing, LT_CF_SECRET compiled to nothing, the program
 * not run under memcheck) and every clean tests/ct result would be void.
 *
 * It marks a secret and then does the three things constant-flow code must
 * never do: branch on it, index memory with it, and end an early-exit
 * comparison on it (the classic memcmp timing leak). ct.sh checks for both
 * report kinds: "Conditional jump or move depends on uninitialised
 * value(s)" and "Use of uninitialised value".
 */
#include <stdint.h>
#include <string.h>

#include "crypto/crypto.h"
#include "ct_util.h"

static volatile uint8_t table[256];

/* Early exit on the first difference: time depends on the secret. */
__attribute__((noinline)) static int leaky_memeq(const uint8_t *a, const uint8_t *b, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) {
        if (a[i] != b[i]) {
            return 0;
        }
    }
    return 1;
}

int main(void)
{
    uint8_t secret[16], guess[16];
    int r;

    memset(secret, 0x5a, sizeof(secret));
    memset(guess, 0x5a, sizeof(guess));
    LT_CF_SECRET(secret, sizeof(secret));

    /* 1. A branch on a secret byte. */
    ct_leak_branch(secret);
    /* 2. A secret memory index (a table lookup, as in table-based AES). */
    table[secret[1]]++;
    /* 3. An early-exit comparison. */
    r = leaky_memeq(secret, guess, sizeof(guess));
    /* 4. The constant-time comparison, declassified properly: no report of
     * its own (shows the positive path works in the same run). */
    {
        int eq = lt_ct_eq(secret, guess, sizeof(guess));
        LT_CF_PUBLIC(&eq, sizeof(eq));
        if (!eq) {
            return 2;
        }
    }
    LT_CF_PUBLIC(&r, sizeof(r));
    printf("negative control ran (memcheck must have reported)\n");
    return r == 1 ? 0 : 2;
}
