#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# selftests: build the mm selftests the series uses, static, against the
# UAPI headers of the test kernel (make headers in $KBUILD_OUT).
#
#   SELFTESTS="a b"   mm selftests to build (default mrelease_test)
set -eu
STAGE=selftests
. "$(dirname "$0")/lib.sh"

OUT=$BUILD/selftests/mm
TESTS=${SELFTESTS:-mrelease_test}

[ -d "$KBUILD_OUT/usr/include/linux" ] || fail "no headers in $KBUILD_OUT/usr/include; run scripts/build.sh first"
stage_begin "building $TESTS"
mkdir -p "$OUT"
targets=()
for t in $TESTS; do
	targets+=("$OUT/$t")
done
if ! make -C "$LINUX/tools/testing/selftests/mm" -j"$(nproc)" \
	OUTPUT="$OUT" KHDR_INCLUDES="-isystem $KBUILD_OUT/usr/include" \
	USERLDFLAGS=-static "${targets[@]}" >"$OUT/build.log" 2>&1; then
	cat "$OUT/build.log" >&2
	fail "building $TESTS failed"
fi
if grep -q 'warning:' "$OUT/build.log"; then
	grep 'warning:' "$OUT/build.log" >&2
	fail "building $TESTS gave compiler warnings"
fi
stage_end
