#!/usr/bin/env bash
# mutants.sh — one-line sabotages of the security checks, each of which some
# test must catch (the list and the driver: scripts/mutants.py).
#
# For each mutant: apply it, rebuild incrementally (build-mutants/, or
# LT_MUTANTS_BUILD), run only the tests that should catch it, restore the
# file. Fails if any mutant survives, no longer applies, or does not build.
#
#   scripts/mutants.sh              # all of them (CI runs this after the suite)
#   scripts/mutants.sh --list       # what they are and what they cover
#   scripts/mutants.sh --only ems   # a subset (regex on the name)
#
# Last line: "N passed, N failed" (passed = killed).
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
exec python3 "$ROOT/scripts/mutants.py" "$@"
