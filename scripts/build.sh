#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# build: the test kernel (bzImage) and its UAPI headers, out of tree in
# $KBUILD_OUT, with ccache.  The log goes to $KBUILD_OUT/build.log; a line a
# minute shows that a long build is alive.
#
#   build.sh [make targets]   default: bzImage headers
set -eu
STAGE=${STAGE:-build}
. "$(dirname "$0")/lib.sh"

JOBS=${JOBS:-$(nproc)}
CC_CMD=gcc
if command -v ccache >/dev/null; then
	CC_CMD="ccache gcc"
fi

# A line a minute about the build that writes log $1.
report_progress() {
	local last
	while sleep 60; do
		last=$(grep -E '^ +(CC|LD|AR|AS)' "$1" | tail -n 1 | sed 's/^ *//')
		say "still building: $(grep -cE '^ +(CC|LD|AR|AS)' "$1") steps, last '$last'"
	done
}

# Run make in the foreground, where Ctrl-C reaches it (a background job of a
# script ignores SIGINT), and report its progress from the background.
make_with_progress() {
	local log=$1 rc=0
	shift
	report_progress "$log" &
	# shellcheck disable=SC2064 # the reporter's pid, now
	trap "kill $! 2>/dev/null" EXIT
	make -C "$LINUX" O="$KBUILD_OUT" CC="$CC_CMD" HOSTCC="$CC_CMD" -j"$JOBS" "$@" >"$log" 2>&1 || rc=$?
	return "$rc"
}

[ -f "$KBUILD_OUT/.config" ] || fail "no $KBUILD_OUT/.config; run scripts/config.sh first"
if [ $# -eq 0 ]; then
	set -- bzImage headers
	# The test kernel: whatever touched its .config since config.sh ran,
	# it must still have every option asked for (the KUnit suites too).
	fragments=("$LAB/configs/qemu-x86_64.config")
	[ ! -f "$KBUILD_OUT/series.config" ] || fragments+=("$KBUILD_OUT/series.config")
	"$LAB/scripts/config.sh" --check "$KBUILD_OUT/.config" "${fragments[@]}"
fi
stage_begin "make $* (-j$JOBS, $(git -C "$LINUX" describe --always --tags HEAD))"
log=$KBUILD_OUT/build.log
if ! make_with_progress "$log" "$@"; then
	grep -E 'error|Error' "$log" | head -n 20 >&2 || true
	fail "make $* failed, see $log"
fi
if grep -q 'warning:' "$log"; then
	grep 'warning:' "$log" | sort -u >&2
	fail "make $* gave compiler warnings, see $log"
fi
stage_end
