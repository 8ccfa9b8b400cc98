#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# bisect: every commit on top of 'base' in linux/ must build on its own:
# the test kernel (vmlinux, headers) and the series' selftests at each commit,
# and, for each config in configs/matrix/, the directories the series touches
# (mm/ always) in a kernel configured with that fragment on top.
#
# A commit that built before with the same tree and the same configs is not
# built again: $BUILD/bisect/stamps has a stamp for each such pair.
#
# The commits are checked out in linux/ itself, not in a worktree: the same
# source path makes the last commit's objects ccache hits for the test
# kernel's build.  make check runs this stage alone, before the guest run.
# linux/ must have nothing uncommitted, and goes back to its branch at the end.
set -eu
STAGE=bisect
. "$(dirname "$0")/lib.sh"

MATRIX=("$LAB"/configs/matrix/*.config)
# The commits are built in their own directory, from a copy of the test
# kernel's .config: building a commit that does not define a series option
# (a KUnit suite) drops it from the .config, and the test kernel must keep it.
BISECT_OUT=$BUILD/bisect/kernel

# Kernel directories whose C files the series changes, and mm/.
touched_dirs() {
	{
		echo mm/
		git -C "$LINUX" diff --name-only base..HEAD -- '*.c' |
			grep -v -e '^tools/' -e '^arch/' -e '^Documentation/' |
			xargs -r -n1 dirname | sed 's|$|/|'
	} | sort -u
}

configure_matrix() {
	local frag name
	for frag in "${MATRIX[@]}"; do
		name=$(basename "$frag" .config)
		KBUILD_OUT=$BUILD/matrix/$name "$LAB/scripts/config.sh" \
			"$LAB/configs/qemu-x86_64.config" "$frag"
	done
}

# The configs a commit is built with, as one hash.
configs_hash() {
	local frag
	{
		cat "$KBUILD_OUT/.config"
		for frag in "${MATRIX[@]}"; do
			cat "$BUILD/matrix/$(basename "$frag" .config)/.config"
		done
	} | sha256sum | cut -c1-16
}

build_commit() {
	local c=$1 frag name stamp
	STAGE="bisect $(git -C "$LINUX" log -1 --format='%h %s' "$c" | cut -c1-60)"
	stamp=$STAMPS/$(git -C "$LINUX" rev-parse "$c^{tree}")-$CONFIGS
	if [ -e "$stamp" ]; then
		say "built before (same tree, same configs)"
		return
	fi
	git -C "$LINUX" checkout -q "$c"
	STAGE=$STAGE KBUILD_OUT=$BISECT_OUT "$LAB/scripts/build.sh" vmlinux headers
	KBUILD_OUT=$BISECT_OUT BUILD=$BUILD/bisect "$LAB/scripts/selftests.sh" >/dev/null
	for frag in "${MATRIX[@]}"; do
		name=$(basename "$frag" .config)
		# shellcheck disable=SC2046
		STAGE="$STAGE [$name]" KBUILD_OUT=$BUILD/matrix/$name \
			"$LAB/scripts/build.sh" $(touched_dirs)
	done
	touch "$stamp"
}

n=$(git -C "$LINUX" rev-list --count base..HEAD)
if [ "$n" -eq 0 ]; then
	say "no commits on base"
	exit 0
fi
[ -z "$(git -C "$LINUX" status --porcelain --untracked-files=no)" ] ||
	fail "linux/ has uncommitted changes; commit or stash them first"
stage_begin "building each of $n commits"
head=$(git -C "$LINUX" symbolic-ref -q --short HEAD || git -C "$LINUX" rev-parse HEAD)
trap 'git -C "$LINUX" checkout -q "$head"' EXIT
configure_matrix
mkdir -p "$BISECT_OUT"
cp "$KBUILD_OUT/.config" "$BISECT_OUT/.config"
STAMPS=$BUILD/bisect/stamps
mkdir -p "$STAMPS"
CONFIGS=$(configs_hash)
for c in $(git -C "$LINUX" rev-list --reverse base..HEAD); do
	build_commit "$c"
done
STAGE=bisect
stage_end
