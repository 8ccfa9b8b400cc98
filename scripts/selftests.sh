#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# selftests: build the mm selftests the series uses, static, with -Werror,
# against the UAPI headers of the test kernel (make headers in $KBUILD_OUT).  The names
# of the tests built go to $BUILD/selftests/mm/list, which the guest runs.
#
#   LAB_SELFTESTS="a b"   mm selftests to build (default: lib.sh's list)
set -eu -o pipefail
STAGE=selftests
. "$(dirname "$0")/lib.sh"

OUT=$BUILD/selftests/mm
TESTS=$SELFTESTS

[ -d "$KBUILD_OUT/usr/include/linux" ] || fail "no headers in $KBUILD_OUT/usr/include; run scripts/kernel.sh first"
mkdir -p "$OUT"
targets=()
: >"$OUT/list"
for t in $TESTS; do
	# The series' own tests exist only once its patches are applied.
	if [ ! -f "$LINUX/tools/testing/selftests/mm/$t.c" ]; then
		say "$t is not in this tree; skipped"
		continue
	fi
	targets+=("$OUT/$t")
	echo "$t" >>"$OUT/list"
done
[ ${#targets[@]} -gt 0 ] || fail "none of $TESTS is in this tree"
stage_begin "building $(paste -sd' ' "$OUT/list")"
if ! make -C "$LINUX/tools/testing/selftests/mm" -j"$(nproc)" \
	OUTPUT="$OUT" KHDR_INCLUDES="-isystem $KBUILD_OUT/usr/include" \
	USERCFLAGS=-Werror USERLDFLAGS=-static "${targets[@]}" >"$OUT/build.log" 2>&1; then
	cat "$OUT/build.log" >&2
	fail "building $(paste -sd' ' "$OUT/list") failed"
fi
stage_end
