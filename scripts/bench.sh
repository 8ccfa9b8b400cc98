#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# bench: the numbers the series' changelogs quote, for the base kernel and the
# series side by side, in one run.  Build the benchmark kernel
# (configs/qemu-x86_64.config + configs/bench.config: no lockdep or DEBUG_VM,
# function tracer) twice from the same configuration: the series from
# $LINUX in $BUILD/bench/kernel, and the tree's 'base' tag in a worktree,
# $BUILD/bench/base/linux, built in $BUILD/bench/base/build/kernel (both
# incremental after the first time).  Boot each with the benchmarks of bench/
# in place of the selftests, then print every figure of both with the ratio
# series/base (bench/compare.py) and draw the ratios of the times in
# $BUILD/bench/ratios.png (gnuplot).  Nothing here passes or fails.
#
#   LAB_LINUX=dir   the series' tree (default linux/); e.g. a worktree of
#                   linux/ at one patch of the series
#   LAB_BENCH="..." the benchmarks to run (default: mrelease_bench walk_bench)
set -eu -o pipefail
STAGE=bench
. "$(dirname "$0")/lib.sh"

OUT=$BUILD/bench
BENCH=${BENCH:-mrelease_bench walk_bench}

# Build the benchmark kernel of tree $1 in $2, boot it with the benchmarks,
# and keep what they printed in $3/results.txt (the guest's files in $3/guest).
bench_kernel() {
	local tree=$1 kbuild_out=$2 dir=$3
	bench_kernel_build "$tree" "$kbuild_out"

	stage_begin "$BENCH on $(git -C "$tree" describe --always --tags HEAD)"
	# Two LRU modes of eight cases of seven runs: more than one selftest's time.
	LAB_LINUX=$tree LAB_KBUILD_OUT=$kbuild_out LAB_BUILD=$BUILD \
		LAB_SELFTESTS_DIR=$OUT/mm LAB_GUEST_OUT=$dir/guest \
		LAB_TEST_TIMEOUT=${TEST_TIMEOUT:-1500} LAB_IDLE_TIMEOUT=${IDLE_TIMEOUT:-1500} \
		"$LAB/scripts/guest.sh"
	if grep -qE 'WARNING:|BUG:|Kernel panic' "$dir/guest/console.log"; then
		say "the kernel complained; see $dir/guest/console.log"
	fi
	sed -n 's/^# //p' "$dir/guest/kselftest.tap" >"$dir/results.txt"
	stage_end
}

rm -rf "$OUT/mm"
mkdir -p "$OUT/mm"
for b in $BENCH; do
	[ -f "$LAB/bench/$b.c" ] || fail "no benchmark bench/$b.c"
	gcc -static -O2 -Wall -Wextra -Werror -o "$OUT/mm/$b" "$LAB/bench/$b.c"
	echo "$b" >>"$OUT/mm/list"
done

worktree_paths "$OUT/base"
worktree_at "$WT_TREE" base
bench_kernel "$WT_TREE" "$WT_KBUILD_OUT" "$OUT/base"
bench_kernel "$LINUX" "$OUT/kernel" "$OUT"

stage_begin "base and series side by side (TCG times: compare ratios, not absolutes)"
"$LAB/bench/compare.py" "$OUT/base/results.txt" "$OUT/results.txt" "$OUT/ratios.dat" |
	tee "$OUT/compare.txt"
if command -v gnuplot >/dev/null && [ -s "$OUT/ratios.dat" ]; then
	gnuplot <<-EOF
		set terminal pngcairo size 1400,800 noenhanced
		set output "$OUT/ratios.png"
		set title "series / base, median times (TCG guest)"
		set style data histograms
		set style fill solid 0.6
		set boxwidth 0.8
		set yrange [0:*]
		set grid ytics
		set xtics rotate by -50 font ",8"
		set bmargin 16
		set rmargin 12
		plot "$OUT/ratios.dat" using 2:xtic(1) notitle, 1 with lines lt 0 notitle
	EOF
	say "ratios drawn in $OUT/ratios.png"
else
	say "no gnuplot (gnuplot-nox, which scripts/deps.sh installs): no picture"
fi
stage_end
