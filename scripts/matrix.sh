#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# matrix: the series' tests where make check does not run them: the test
# kernel with MGLRU on (lab_lru_gen=y), and, for each configs/matrix/
# fragment (no swap, no THP), a kernel built whole with it on top of the
# test kernel's config and booted.  Each run is judged as make's is; the last
# line adds them up.  Output under $BUILD/matrix-runs/NAME/.
#
#   LAB_MATRIX="a b"   only these runs (mglru, and the fragments' names)
set -eu -o pipefail
STAGE=matrix
. "$(dirname "$0")/lib.sh"

OUT=$BUILD/matrix-runs
passed=0
failed=0
summary=()

# Judge the guest run in $OUT/$1; add its counts.
judge() {
	local name=$1 last p f
	last=$(LAB_GUEST_OUT="$OUT/$name/guest" LAB_RESULTS_OUT="$OUT/$name/results" \
		"$LAB/scripts/results.sh" 2>&1 | tee "$OUT/$name/results.log" | tail -n 1) || true
	grep -vE '^[0-9]+ passed' "$OUT/$name/results.log" | grep -E 'FAIL|\[FAILED\]|\[CRASHED\]' || true
	p=$(echo "$last" | grep -oE '^[0-9]+ passed' | grep -oE '[0-9]+' || echo 0)
	f=$(echo "$last" | grep -oE '[0-9]+ failed' | grep -oE '[0-9]+' || echo 1)
	say "$name: $last"
	summary+=("$name: $last")
	passed=$((passed + p))
	failed=$((failed + f))
}

wanted() {
	[ -z "${MATRIX:-}" ] || grep -qw -- "$1" <<<"$MATRIX"
}

stage_begin "the series' tests with MGLRU on, and on $(for f in "$LAB"/configs/matrix/*.config; do basename "$f"; done | paste -sd' ')"
[ -x "$BUILD/selftests/mm/$(head -n 1 "$BUILD/selftests/mm/list")" ] ||
	fail "no selftests in $BUILD/selftests/mm; run make first"
if wanted mglru; then
	mkdir -p "$OUT/mglru"
	LAB_GUEST_OUT=$OUT/mglru/guest LAB_CMDLINE="lab_lru_gen=y ${CMDLINE:-}" \
		"$LAB/scripts/guest.sh"
	grep -q 'lab: lru_gen enabled 0x0*[1-9a-f]' "$OUT/mglru/guest/console.log" ||
		fail "the guest did not turn MGLRU on (see $OUT/mglru/guest/console.log)"
	judge mglru
fi
for frag in "$LAB"/configs/matrix/*.config; do
	name=$(basename "$frag" .config)
	wanted "$name" || continue
	dir=$OUT/$name
	mapfile -t fragments < <(test_fragments)
	LAB_KBUILD_OUT=$dir/kernel "$LAB/scripts/config.sh" "${fragments[@]}" "$frag"
	LAB_KBUILD_OUT=$dir/kernel LAB_STAGE="matrix $name" "$LAB/scripts/kernel.sh"
	LAB_KBUILD_OUT=$dir/kernel LAB_BUILD=$dir "$LAB/scripts/selftests.sh"
	LAB_KBUILD_OUT=$dir/kernel LAB_SELFTESTS_DIR=$dir/selftests/mm \
		LAB_GUEST_OUT=$dir/guest "$LAB/scripts/guest.sh"
	judge "$name"
done
printf '%s\n' "${summary[@]}"
stage_end
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
