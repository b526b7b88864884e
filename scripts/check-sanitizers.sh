#!/usr/bin/env bash
# Builds qanat with AddressSanitizer and UndefinedBehaviorSanitizer
# (QANAT_SANITIZE=ON) in build-asan and runs the whole CTest suite with it:
# unit tests, CLI tests (including tests/cli/test_robustness.py) and the rest.
# Installs what is missing from Debian first (through scripts/setup.sh).
#
#   scripts/check-sanitizers.sh [CTEST ARGUMENTS...]     # e.g. -R cli
#
# A sanitizer report aborts the program (abort_on_error), so a test that only
# accepts exit status 0 or 1 cannot mistake it for a normal exit. Known leaks
# inside Xapian are suppressed (tests/sanitizers/lsan.supp says which and why).
# Takes about 12 minutes on 2 cores from scratch (build 7-8, tests about 4),
# about 4-5 minutes when the build is up to date.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
build=build-asan

scripts/setup.sh "$build" -DQANAT_SANITIZE=ON
# An existing build folder configured without sanitizers is switched over.
if ! grep -q '^QANAT_SANITIZE:BOOL=ON$' "$build/CMakeCache.txt"; then
  cmake -S . -B "$build" -DQANAT_SANITIZE=ON >/dev/null
  cmake --build "$build" -- -j"$(nproc)" | grep -v '^\[' || true
fi

export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1:check_initialization_order=1:detect_stack_use_after_return=1}
export LSAN_OPTIONS=suppressions=$root/tests/sanitizers/lsan.supp
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:abort_on_error=1
ctest --test-dir "$build" --output-on-failure "$@"
