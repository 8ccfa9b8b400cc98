#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# bisectable: every commit on top of 'base' in linux/ must build on its own:
# the test kernel (vmlinux, headers) and the series' selftests at each
# commit, and, for each config in configs/matrix/, the directories the series
# touches (mm/ always) in a kernel configured with that fragment on top.  A
# commit that only changes the selftests (and MAINTAINERS, Documentation/)
# builds its headers and selftests.
# CONFIG_WERROR and -Werror make a warning at any commit fail it.
#
# The commits are checked out in a worktree of linux/ ($BUILD/bisect/linux),
# so linux/ itself is never touched, and built in $BUILD/bisect/build/:
# laid out as linux/ and build/kernel are, so that ccache (CCACHE_BASEDIR)
# shares objects between them.  A commit that built before with the same
# tree and the same configs is not built again: $BUILD/bisect/stamps has a
# stamp for each such pair.
set -eu -o pipefail
STAGE=bisectable
. "$(dirname "$0")/lib.sh"

MATRIX=("$LAB"/configs/matrix/*.config)
worktree_paths "$BUILD/bisect"
# Each commit is built from a copy of the test kernel's .config: building a
# commit that does not define a series option (a KUnit suite) drops it from
# the .config, and the test kernel must keep it.
BISECT_OUT=$WT_KBUILD_OUT
MATRIX_OUT=$BUILD/bisect/build/matrix

# Kernel directories whose C files the series changes, and mm/.
touched_dirs() {
	{
		echo mm/
		git -C "$LINUX" diff --name-only base..HEAD -- '*.c' |
			{ grep -v -e '^tools/' -e '^arch/' -e '^Documentation/' || true; } |
			xargs -r -n1 dirname | sed 's|$|/|'
	} | sort -u
}

configure_matrix() {
	local frag name
	for frag in "${MATRIX[@]}"; do
		name=$(basename "$frag" .config)
		LAB_KBUILD_OUT=$MATRIX_OUT/$name "$LAB/scripts/config.sh" \
			"$LAB/configs/qemu-x86_64.config" "$frag"
	done
}

# The configs a commit is built with, as one hash.
configs_hash() {
	local frag
	{
		cat "$KBUILD_OUT/.config"
		for frag in "${MATRIX[@]}"; do
			cat "$MATRIX_OUT/$(basename "$frag" .config)/.config"
		done
	} | sha256sum | cut -c1-16
}

build_commit() {
	local c=$1 frag name stamp
	STAGE="bisectable $(git -C "$LINUX" log -1 --format='%h %s' "$c" | cut -c1-60)"
	stamp=$STAMPS/$(git -C "$LINUX" rev-parse "$c^{tree}")-$CONFIGS
	if [ -e "$stamp" ]; then
		say "built before (same tree, same configs)"
		return
	fi
	worktree_at "$WT_TREE" "$c"
	# A commit that changes nothing the kernel's build reads (only
	# tools/testing/, MAINTAINERS, Documentation/) leaves the kernel as its
	# parent built it: its UAPI headers and selftests only.
	if git -C "$LINUX" diff --quiet "$c^" "$c" -- . ':(exclude)tools/testing' \
		':(exclude)MAINTAINERS' ':(exclude)Documentation'; then
		LAB_STAGE="$STAGE (selftests only)" LAB_LINUX=$WT_TREE \
			LAB_KBUILD_OUT=$BISECT_OUT "$LAB/scripts/kernel.sh" headers
		LAB_LINUX=$WT_TREE LAB_KBUILD_OUT=$BISECT_OUT LAB_BUILD=$BUILD/bisect \
			"$LAB/scripts/selftests.sh" >/dev/null
		touch "$stamp"
		return
	fi
	LAB_STAGE=$STAGE LAB_LINUX=$WT_TREE LAB_KBUILD_OUT=$BISECT_OUT \
		"$LAB/scripts/kernel.sh" vmlinux headers
	LAB_LINUX=$WT_TREE LAB_KBUILD_OUT=$BISECT_OUT LAB_BUILD=$BUILD/bisect \
		"$LAB/scripts/selftests.sh" >/dev/null
	for frag in "${MATRIX[@]}"; do
		name=$(basename "$frag" .config)
		# shellcheck disable=SC2046
		LAB_STAGE="$STAGE [$name]" LAB_LINUX=$WT_TREE \
			LAB_KBUILD_OUT=$MATRIX_OUT/$name \
			"$LAB/scripts/kernel.sh" $(touched_dirs)
	done
	touch "$stamp"
}

n=$(git -C "$LINUX" rev-list --count base..HEAD)
if [ "$n" -eq 0 ]; then
	say "no commits on base"
	exit 0
fi
stage_begin "building each of $n commits"
configure_matrix
mkdir -p "$BISECT_OUT"
cp "$KBUILD_OUT/.config" "$BISECT_OUT/.config"
STAMPS=$BUILD/bisect/stamps
mkdir -p "$STAMPS"
CONFIGS=$(configs_hash)
for c in $(git -C "$LINUX" rev-list --reverse base..HEAD); do
	build_commit "$c"
done
STAGE=bisectable
stage_end
