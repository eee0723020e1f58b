#!/bin/sh
# test-setup-deps.sh — a learner without root or sudo, who lacks packages:
# tools/setup-deps.sh must print the one install line and let make go on
# when only optional parts are missing (each named SKIPPED), and stop with
# a clear line only when the runtime itself cannot be built. Then make,
# with cmocka missing, builds the library and the tools and skips the tests.
set -u
cd "$(dirname "$0")/../.."
fail() { echo "test-setup: FAIL: $*"; exit 1; }
command -v dpkg-query >/dev/null 2>&1 || { echo "test-setup: SKIPPED: not a Debian system"; exit 0; }

out=$(TAPA_SETUP_NO_ROOT=1 TAPA_SETUP_MISSING="libcmocka-dev pandoc" tools/setup-deps.sh 2>&1)
rc=$?
[ $rc = 0 ] || fail "optional packages missing, no root: exit $rc (make would stop). Output: $out"
printf '%s\n' "$out" | grep -q "apt-get install -y libcmocka-dev pandoc" || fail "no install line in: $out"
printf '%s\n' "$out" | grep -q "SKIPPED until libcmocka-dev is installed: the unit tests" || fail "no SKIPPED for the tests: $out"
printf '%s\n' "$out" | grep -q "SKIPPED until pandoc is installed: the lessons" || fail "no SKIPPED for the lessons: $out"

out=$(TAPA_SETUP_NO_ROOT=1 TAPA_SETUP_MISSING="libuv1-dev" tools/setup-deps.sh 2>&1)
rc=$?
[ $rc = 1 ] || fail "libuv missing: exit $rc, expected 1. Output: $out"
printf '%s\n' "$out" | grep -q "the runtime needs libuv1-dev" || fail "libuv missing is not said: $out"

build=${1:-build} # the kit's own build: only what is missing is built
out=$(make --no-print-directory -s BUILD="$build" HAVE_CMOCKA= lib tools test-unit 2>&1)
rc=$?
[ $rc = 0 ] || fail "make without cmocka stopped (exit $rc): $out"
[ -f "$build/release/lib/libtapa.a" ] && [ -x "$build/bin/tapa-grade" ] || fail "make without cmocka did not build the library and the grader"
printf '%s\n' "$out" | grep -q "test-unit: SKIPPED: cmocka is not installed" || fail "no SKIPPED line for test-unit: $out"
echo "test-setup: no root and missing packages: one install line, all else built, the rest SKIPPED: OK"
