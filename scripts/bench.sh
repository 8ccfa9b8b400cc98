#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# bench: the numbers the series' changelogs quote.  Build the benchmark
# kernel (configs/qemu-x86_64.config + configs/bench.config: no lockdep or
# DEBUG_VM, function tracer) in $BUILD/bench/kernel, boot it with
# bench/mrelease_bench in place of the selftests and print what it measured.
# Nothing here passes or fails.
#
#   LAB_LINUX=dir   the tree to measure, e.g. a worktree of linux/ at 'base'
#                   or at one patch of the series (default linux/)
set -eu -o pipefail
STAGE=bench
. "$(dirname "$0")/lib.sh"

OUT=$BUILD/bench
export LAB_KBUILD_OUT=$OUT/kernel LAB_LINUX=$LINUX LAB_BUILD=$BUILD

"$LAB/scripts/config.sh" "$LAB/configs/qemu-x86_64.config" "$LAB/configs/bench.config"
"$LAB/scripts/kernel.sh" bzImage

stage_begin "mrelease_bench on $(git -C "$LINUX" describe --always --tags HEAD)"
mkdir -p "$OUT/mm"
gcc -static -O2 -Wall -Wextra -o "$OUT/mm/mrelease_bench" "$LAB/bench/mrelease_bench.c"
echo mrelease_bench >"$OUT/mm/list"
# Two LRU modes of eight cases of seven runs: more than one selftest's time.
LAB_SELFTESTS_DIR=$OUT/mm LAB_GUEST_OUT=$OUT/guest \
	LAB_TEST_TIMEOUT=${TEST_TIMEOUT:-1500} LAB_IDLE_TIMEOUT=${IDLE_TIMEOUT:-1500} \
	"$LAB/scripts/guest.sh"

if grep -qE 'WARNING:|BUG:|Kernel panic' "$OUT/guest/console.log"; then
	say "the kernel complained; see $OUT/guest/console.log"
fi
sed -n 's/^# //p' "$OUT/guest/kselftest.tap" | grep -v '^selftests:' |
	tee "$OUT/results.txt"
stage_end
