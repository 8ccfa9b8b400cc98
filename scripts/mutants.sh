#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# mutants: does the series' test suite catch plausible mistakes in the
# series' kernel code?  Each mutants/NAME.patch is a small patch against
# linux/ with the series applied; its first line says what it breaks.  For
# each in turn: apply it to a worktree of linux/ at HEAD ($BUILD/mutants/linux),
# rebuild the test kernel incrementally ($BUILD/mutants/build/kernel, from the
# test kernel's .config), boot it with the series' tests and record which
# tests failed.  A mutant that no test kills SURVIVED.  Prints a table; exits 1 if a
# mutant survived or did not apply.  Not part of make check: each mutant costs
# a rebuild and a guest run.
#
# A mutant's guest run ends at the first test program that fails (and before
# the kselftests when a KUnit case failed): the table names the tests of that
# program.  A mutant that survives has run every test.
#
#   LAB_MUTANTS="a b"   only these (names without .patch; default: all)
#   LAB_FAIL_FAST=0     run every test for each mutant, to see all that fail
set -eu -o pipefail
STAGE=mutants
. "$(dirname "$0")/lib.sh"

OUT=$BUILD/mutants
worktree_paths "$OUT"
TREE=$WT_TREE
TABLE=$OUT/table.txt
FAIL_FAST=${FAIL_FAST:-1}
[ -f "$KBUILD_OUT/.config" ] || fail "no $KBUILD_OUT/.config; run make first"

# A detached worktree of linux/ at its HEAD, clean.
prepare_tree() {
	worktree_at "$TREE" "$(git -C "$LINUX" rev-parse HEAD)"
}

# The tests that failed in results output $1, on one line.  Not the tests a
# run that ended early never reached.
killers() {
	grep -v 'of the plan never ran' "$1" |
		grep -oE '\[(FAILED|CRASHED)\] [^ ]+|FAIL: .*' |
		sed -e 's/^\[[A-Z]*\] //' -e 's/^FAIL: //' | sort -u | paste -sd' ' || true
}

run_mutant() {
	local name=$1 patch=$2 log=$OUT/$1.log start=$SECONDS
	prepare_tree
	if ! git -C "$TREE" apply "$patch" >"$log" 2>&1; then
		printf '%-40s DOES NOT APPLY\n' "$name" | tee -a "$TABLE"
		return 1
	fi
	mkdir -p "$WT_KBUILD_OUT"
	cp "$KBUILD_OUT/.config" "$WT_KBUILD_OUT/.config"
	if ! env LAB_LINUX="$TREE" LAB_KBUILD_OUT="$WT_KBUILD_OUT" LAB_BUILD="$OUT" \
		"$LAB/scripts/kernel.sh" bzImage headers >>"$log" 2>&1 ||
		! env LAB_LINUX="$TREE" LAB_KBUILD_OUT="$WT_KBUILD_OUT" LAB_BUILD="$OUT" \
		"$LAB/scripts/selftests.sh" >>"$log" 2>&1 ||
		! env LAB_LINUX="$TREE" LAB_KBUILD_OUT="$WT_KBUILD_OUT" LAB_BUILD="$OUT" \
		LAB_GUEST_OUT="$OUT/guest-$name" LAB_FAIL_FAST="$FAIL_FAST" \
		"$LAB/scripts/guest.sh" >>"$log" 2>&1; then
		printf '%-40s %4d s  killed by: build or boot (see %s)\n' "$name" $((SECONDS - start)) "$log" | tee -a "$TABLE"
		return 0
	fi
	LAB_LINUX=$TREE LAB_GUEST_OUT=$OUT/guest-$name LAB_RESULTS_OUT=$OUT/results-$name \
		"$LAB/scripts/results.sh" >>"$log" 2>&1 || true
	local k
	k=$(killers "$log")
	if [ -n "$k" ]; then
		printf '%-40s %4d s  killed by: %s\n' "$name" $((SECONDS - start)) "$k" | tee -a "$TABLE"
	else
		printf '%-40s %4d s  SURVIVED\n' "$name" $((SECONDS - start)) | tee -a "$TABLE"
		return 1
	fi
}

mkdir -p "$OUT"
: >"$TABLE"
stage_begin "mutants of $(git -C "$LINUX" describe --always --tags HEAD)"
bad=0
for patch in "$LAB"/mutants/*.patch; do
	name=$(basename "$patch" .patch)
	if [ -n "${MUTANTS:-}" ] && ! grep -qw -- "$name" <<<"$MUTANTS"; then
		continue
	fi
	say "$name: $(head -n 1 "$patch")"
	run_mutant "$name" "$patch" || bad=$((bad + 1))
done
prepare_tree
say "table in $TABLE"
stage_end
[ "$bad" -eq 0 ] || fail "$bad mutant(s) survived or did not apply"
