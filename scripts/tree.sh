#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# tree: the kernel work tree linux/, a git tree of the base with patches/ on
# top.
#
#   tree.sh apply   create linux/ if needed (base commit tagged 'base'), then
#                   apply patches/ with git am unless linux/ already has
#                   commits on top of base
#   tree.sh reset   drop linux/'s commits on top of base, apply patches/ again
#   tree.sh export  write the commits on top of base back to patches/; a
#                   commit's git note (changes since the last version) goes
#                   below the "---" line, and comes back as a note on apply
#   tree.sh check   fail unless linux/ is patches/ applied, with nothing
#                   uncommitted (make check tests both: they must agree)
#
# A patch that does not apply leaves linux/ at base.  reset and export refuse
# to lose work (commits or edits only in linux/, a series only in patches/)
# unless FORCE=1.
#
#   LAB_LINUX_TREE=path [LAB_LINUX_BASE=ref]  use this kernel git tree (e.g. an mm-new
#                   checkout) instead of the Debian package
#
# Where linux/ came from is kept in its git config (lab.origin); an existing
# linux/ from somewhere else than asked is not used.
set -eu -o pipefail
STAGE=tree
. "$(dirname "$0")/lib.sh"

BRANCH=series
# A fixed identity and date make the base commit the same on every machine.
BASE_IDENT=(-c user.name=lab -c user.email=lab@localhost)
BASE_DATE="2026-01-01T00:00:00Z"

commits_on_base() {
	git -C "$LINUX" rev-list --count base..HEAD
}

create_from_tarball() {
	local tarball=$BUILD/base/linux-source.tar.xz
	[ -s "$tarball" ] || fail "$tarball missing; run scripts/base.sh first"
	say "unpacking $(basename "$tarball") into $LINUX"
	rm -rf "$LINUX.tmp"
	mkdir -p "$LINUX.tmp"
	tar -xf "$tarball" -C "$LINUX.tmp" --strip-components=1
	# Debian's tarball ignores everything at the top level; drop those lines
	# so that git sees the tree.
	sed -i '/^# Debian packaging/,$d' "$LINUX.tmp/.gitignore"
	sed -i -e :a -e '/^\n*$/{$d;N;ba' -e '}' "$LINUX.tmp/.gitignore"
	git -C "$LINUX.tmp" init -q -b "$BRANCH"
	# -f: the tarball is pristine source, and its .gitignore (without
	# upstream's "!.gitignore" exceptions) would leave out every dotfile,
	# the selftests' .gitignore files among them.
	git -C "$LINUX.tmp" add -A -f
	GIT_AUTHOR_DATE=$BASE_DATE GIT_COMMITTER_DATE=$BASE_DATE \
		git -C "$LINUX.tmp" "${BASE_IDENT[@]}" commit -q \
		-m "Linux $(make -s -C "$LINUX.tmp" kernelversion) (Debian linux-source-7.2)"
	git -C "$LINUX.tmp" tag base
	mv "$LINUX.tmp" "$LINUX"
}

create_from_git() {
	say "cloning $LINUX_TREE (${LINUX_BASE:-HEAD}) into $LINUX"
	git clone -q --shared --no-checkout "$LINUX_TREE" "$LINUX"
	git -C "$LINUX" checkout -q -B "$BRANCH" "${LINUX_BASE:-HEAD}"
	git -C "$LINUX" tag -f base >/dev/null
}

# Where linux/ is to come from: the Debian package base.sh verified, or
# LINUX_TREE at LINUX_BASE.
wanted_origin() {
	if [ -n "${LINUX_TREE:-}" ]; then
		echo "LINUX_TREE=$(cd "$LINUX_TREE" && pwd) LINUX_BASE=${LINUX_BASE:-HEAD}"
	else
		echo "Debian $(cut -d' ' -f1 "$BUILD/base/verified" 2>/dev/null)"
	fi
}

check_origin() {
	local have want
	want=$(wanted_origin)
	have=$(git -C "$LINUX" config lab.origin || true)
	if [ -z "$have" ]; then
		say "linux/ has no recorded origin; recording '$want'"
		git -C "$LINUX" config lab.origin "$want"
	elif [ "$have" != "$want" ]; then
		fail "linux/ came from '$have', not '$want'; move it away to start over"
	fi
}

# Print the notes below the "---" line of patch $1 (what changed since the
# last version), as format-patch --notes wrote them.
patch_note() {
	awk 'state == 0 && /^---$/ { state = 1; next }
		state == 1 && /^Notes:$/ { state = 2; next }
		state == 1 && /^ / { exit }
		state == 2 && /^    / { print substr($0, 5); next }
		state == 2 { exit }' "$1"
}

apply_patches() {
	local p n=0 note
	mkdir -p "$BUILD"
	while read -r p; do
		if ! git -C "$LINUX" am -q --committer-date-is-author-date "$p" >"$BUILD/git-am.log" 2>&1; then
			git -C "$LINUX" am --abort || true
			cat "$BUILD/git-am.log" >&2
			# Not a part of the series, to be tested or exported as if whole
			git -C "$LINUX" checkout -q -f -B "$BRANCH" base
			fail "patch $(basename "$p") does not apply; linux/ is back at base"
		fi
		# git am drops the notes; keep them for the next export.
		note=$(patch_note "$p")
		if [ -n "$note" ]; then
			git -C "$LINUX" notes add -f -m "$note" HEAD
		fi
		n=$((n + 1))
	done < <(series_patches)
	say "applied $n patches"
}

# patch-ids of the commits on top of base, and of the files in patches/
tree_ids() {
	git -C "$LINUX" log --reverse -p base..HEAD | git patch-id --stable | cut -d' ' -f1
}

file_ids() {
	local p
	series_patches | while read -r p; do git patch-id --stable <"$p"; done | cut -d' ' -f1
}

do_apply() {
	mkdir -p "$BUILD"
	if [ ! -d "$LINUX/.git" ]; then
		if [ -n "${LINUX_TREE:-}" ]; then
			create_from_git
		else
			create_from_tarball
		fi
		git -C "$LINUX" config lab.origin "$(wanted_origin)"
	fi
	check_origin
	git -C "$LINUX" rev-parse -q --verify base >/dev/null ||
		fail "$LINUX has no 'base' tag"
	if [ "$(commits_on_base)" -eq 0 ]; then
		apply_patches
	elif [ "$(tree_ids)" = "$(file_ids)" ]; then
		say "linux/ already has patches/ applied ($(commits_on_base) commits)"
	else
		say "WARNING: linux/ has $(commits_on_base) commits on base that differ from patches/;"
		say "WARNING: testing linux/ as it is ('make export' keeps them, 'make reset' drops them)"
	fi
}

# Tracked files of linux/ changed but not committed
uncommitted() {
	git -C "$LINUX" status --porcelain --untracked-files=no
}

do_reset() {
	[ -d "$LINUX/.git" ] || fail "no $LINUX to reset"
	if [ "${FORCE:-0}" != 1 ]; then
		[ -z "$(uncommitted)" ] ||
			fail "linux/ has uncommitted changes that reset would drop; commit and export them, or FORCE=1"
		[ "$(commits_on_base)" -eq 0 ] || [ "$(tree_ids)" = "$(file_ids)" ] ||
			fail "linux/'s commits differ from patches/ and reset would drop them; export them first, or FORCE=1"
	fi
	git -C "$LINUX" am --abort >/dev/null 2>&1 || true
	git -C "$LINUX" checkout -q -f -B "$BRANCH" base
	apply_patches
}

do_export() {
	local n last_date cover
	n=$(commits_on_base)
	if [ "${FORCE:-0}" != 1 ]; then
		[ -z "$(uncommitted)" ] ||
			fail "linux/ has uncommitted changes, which export would leave out; commit them, or FORCE=1"
		[ "$n" -gt 0 ] || [ -z "$(series_patches)" ] ||
			fail "linux/ has no commits on base; export would empty patches/ (FORCE=1 to do that)"
	fi
	mkdir -p "$PATCHES"
	find "$PATCHES" -maxdepth 1 -name '*.patch' -delete
	if [ "$n" -eq 0 ]; then
		say "no commits on base; patches/ is empty"
		return
	fi
	if [ -f "$COVER" ]; then
		git -C "$LINUX" config "branch.$BRANCH.description" "$(cat "$COVER")"
	fi
	git -C "$LINUX" format-patch -q -v"$SERIES_VERSION" --cover-letter --cover-from-description=subject \
		--notes --zero-commit --no-signature -o "$PATCHES" base..HEAD
	# format-patch dates the cover letter now; date it like the newest patch
	# so that exporting an unchanged series changes nothing.
	last_date=$(git -C "$LINUX" log -1 --format=%aD HEAD)
	cover=$(find "$PATCHES" -maxdepth 1 -name '*0000-cover-letter.patch')
	sed -i "0,/^Date: /s/^Date: .*/Date: $last_date/" "$cover"
	say "exported $n patches and a cover letter to $PATCHES"
}

do_check() {
	[ -d "$LINUX/.git" ] || fail "no $LINUX; run make first"
	[ -z "$(uncommitted)" ] ||
		fail "linux/ has uncommitted changes; commit and export them (make export) or drop them"
	[ "$(tree_ids)" = "$(file_ids)" ] ||
		fail "linux/'s commits differ from patches/; make export, or make reset"
	say "linux/ is patches/ applied ($(commits_on_base) commits)"
}

case "${1:-}" in
apply) do_apply ;;
reset) do_reset ;;
export) do_export ;;
check) do_check ;;
*) fail "usage: tree.sh apply|reset|export|check" ;;
esac
