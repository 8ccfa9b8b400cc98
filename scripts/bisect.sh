#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# bisect: every commit on top of 'base' in linux/ must build on its own:
# the test kernel (vmlinux, headers) and the series' selftests at each commit,
# and, for each config in configs/matrix/, the directories the series touches
# (mm/ always) in a kernel configured with that fragment on top.
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

build_commit() {
	local c=$1 frag name
	STAGE="bisect $(git -C "$LINUX" log -1 --format='%h %s' "$c" | cut -c1-60)"
	git -C "$LINUX" checkout -q "$c"
	STAGE=$STAGE KBUILD_OUT=$BISECT_OUT "$LAB/scripts/build.sh" vmlinux headers
	KBUILD_OUT=$BISECT_OUT BUILD=$BUILD/bisect "$LAB/scripts/selftests.sh" >/dev/null
	for frag in "${MATRIX[@]}"; do
		name=$(basename "$frag" .config)
		# shellcheck disable=SC2046
		STAGE="$STAGE [$name]" KBUILD_OUT=$BUILD/matrix/$name \
			"$LAB/scripts/build.sh" $(touched_dirs)
	done
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
for c in $(git -C "$LINUX" rev-list --reverse base..HEAD); do
	build_commit "$c"
done
STAGE=bisect
stage_end
