#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kernel: build the test kernel (bzImage) and its UAPI headers, out of tree
# in $KBUILD_OUT, with ccache.  CONFIG_WERROR makes a compiler warning fail
# the build.  The log goes to $KBUILD_OUT/build.log; a line a minute shows
# that a long build is alive and how far it got.
#
#   kernel.sh [make targets]   default: bzImage headers
#   LAB_JOBS=n                 make -j (default: nproc)
#   LAB_STAGE=name             the name its messages carry (for other stages)
set -eu -o pipefail
STAGE=${LAB_STAGE:-kernel}
. "$(dirname "$0")/lib.sh"

JOBS=${JOBS:-$(nproc)}
CC_CMD=gcc
if command -v ccache >/dev/null; then
	CC_CMD="ccache gcc"
fi
STEPS='^ +(CC|LD|AR|AS|HOSTCC|HOSTLD)'

# A line a minute about the build that writes log $1: the steps done, of
# about $2 (what the last build from scratch of these targets took).
report_progress() {
	local log=$1 total=$2 steps last
	while sleep 60; do
		steps=$(grep -cE "$STEPS" "$log" || true)
		last=$(grep -E "$STEPS" "$log" | tail -n 1 | sed 's/^ *//' || true)
		say "still building: $steps${total:+ of about $total} steps, last '$last'"
	done
}

# Run make in the foreground, where Ctrl-C reaches it (a background job of a
# script ignores SIGINT), and report its progress from the background.
make_with_progress() {
	local log=$1 total=$2 rc=0
	shift 2
	# Not with the lock's fd: its sleep would hold the lock after we exit.
	report_progress "$log" "$total" 9>&- &
	# shellcheck disable=SC2064 # the reporter's pid, now
	trap "kill $! 2>/dev/null" EXIT
	make -C "$LINUX" O="$KBUILD_OUT" CC="$CC_CMD" HOSTCC="$CC_CMD" -j"$JOBS" "$@" >"$log" 2>&1 || rc=$?
	return "$rc"
}

[ -f "$KBUILD_OUT/.config" ] || fail "no $KBUILD_OUT/.config; run scripts/config.sh first"
# One build at a time in an output directory: a second one (a leftover of an
# interrupted run, or another make) would corrupt it.
exec 9>"$KBUILD_OUT/.lab-build.lock"
flock -n 9 || fail "another build is using $KBUILD_OUT"
if [ $# -eq 0 ]; then
	set -- bzImage headers
	# Whatever touched the .config since config.sh made it, it must still
	# have every option asked for (the test kernel's KUnit suites too).
	if [ -f "$KBUILD_OUT/lab-fragments" ]; then
		mapfile -t fragments <"$KBUILD_OUT/lab-fragments"
	else
		mapfile -t fragments < <(test_fragments)
	fi
	"$LAB/scripts/config.sh" --check "$KBUILD_OUT/.config" "${fragments[@]}"
fi
stage_begin "make $* (-j$JOBS, $(git -C "$LINUX" describe --always --tags HEAD))"
log=$KBUILD_OUT/build.log
# The number of steps of the last build of these targets from scratch.
steps_file=$KBUILD_OUT/build-steps-$(echo "$*" | tr ' /' '__')
scratch=
[ -e "$KBUILD_OUT/vmlinux.o" ] || [ -e "$KBUILD_OUT/mm/built-in.a" ] || scratch=1
total=$(cat "$steps_file" 2>/dev/null || true)
if ! make_with_progress "$log" "$total" "$@"; then
	grep -E 'error|Error' "$log" | head -n 20 >&2 || true
	fail "make $* failed, see $log"
fi
[ -z "$scratch" ] || grep -cE "$STEPS" "$log" >"$steps_file" || true
stage_end
