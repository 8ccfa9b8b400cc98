# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0
# Helpers shared by the lab's stage scripts.  Each stage sets STAGE before
# sourcing this file; errors then read "STAGE: what went wrong".

LAB=$(cd "$(dirname "$0")/.." && pwd)

# The lab's settings.  Each is read from the environment as LAB_<name>
# (make takes them as <name>=... on its command line and passes them on so);
# the unprefixed name in the environment is ignored, so that a stray BUILD
# or LINUX in a user's shell cannot redirect the lab.  Each script's header
# says which of them it reads.
LAB_SETTINGS="BUILD LINUX KBUILD_OUT LINUX_TREE LINUX_BASE LINUX_SOURCE_DEB
	LINUX_SOURCE_ANY PATCHES COVER SERIES_VERSION SERIES_CONFIG
	SELFTESTS SELFTESTS_DIR SELFTEST_ARGS KUNIT_FILTER CMDLINE GUEST_ACCEL
	GUEST_FILES GUEST_OUT GUEST_TIMEOUT TEST_TIMEOUT IDLE_TIMEOUT QEMU JOBS
	FAIL_LINES FAIL_FAST RESULTS_OUT KUNIT_PY MUTANTS MATRIX EARLYOOM_SRC ROUNDS FILE_MIB
	FORCE BENCH"
for _v in $LAB_SETTINGS; do
	unset "$_v"
	_lv=LAB_$_v
	if [ -n "${!_lv+set}" ]; then
		printf -v "$_v" '%s' "${!_lv}"
	fi
done
unset _v _lv

BUILD=${BUILD:-$LAB/build}
LINUX=${LINUX:-$LAB/linux}
KBUILD_OUT=${KBUILD_OUT:-$BUILD/kernel}
PATCHES=${PATCHES:-$LAB/patches}
# The series' cover letter (first line: its subject) and version (PATCH vN)
COVER=${COVER:-$LAB/cover-letter.txt}
SERIES_VERSION=${SERIES_VERSION:-3}
# The mm selftests the guest runs; those not in the tree (the series' own,
# before its patches are applied) are skipped.
SELFTESTS=${SELFTESTS:-mrelease_test mrelease_evict_test mrelease_kill_test}
# vCPUs of the guest; results.sh checks that the kernel brought them all up.
# shellcheck disable=SC2034
GUEST_CPUS=2
# What the guest's init writes to the kernel log before each test program
# (guest/init), and once at the end of the run.
GUEST_RUNNING='lab: running '
# shellcheck disable=SC2034
GUEST_DONE='lab: done'
STAGE_START=$(date +%s)
# ccache keys on the compiler's command line.  With the lab as its base
# directory, the absolute paths there become relative to the build
# directory, so a clone elsewhere, or a worktree laid out like linux/ and
# build/kernel (worktree_paths), hits the same cache entries.
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$LAB}

say() {
	printf '%s: %s\n' "$STAGE" "$*"
}

fail() {
	printf '%s: %s\n' "$STAGE" "$*" >&2
	exit 1
}

stage_begin() {
	say "$*"
}

stage_end() {
	say "done in $(( $(date +%s) - STAGE_START )) s"
}

# The patches of the series in $PATCHES, in order, without the cover letter.
series_patches() {
	find "$PATCHES" -maxdepth 1 -name '*.patch' ! -name '*0000-cover-letter.patch' | sort
}

# The config fragments of the test kernel: the lab's, and the options of
# configs/series.config that the tree defines (config.sh writes those).
test_fragments() {
	echo "$LAB/configs/qemu-x86_64.config"
	[ ! -f "$KBUILD_OUT/series.config" ] || echo "$KBUILD_OUT/series.config"
}

# A stage that builds another checkout of the kernel keeps it in
# $1/linux and builds it in $1/build/kernel: paths relative to each other as
# linux/ and build/kernel are, so that ccache hits across them.
# shellcheck disable=SC2034 # for the caller
worktree_paths() {
	WT_TREE=$1/linux
	WT_KBUILD_OUT=$1/build/kernel
}

# Configure and build the benchmark kernel (configs/qemu-x86_64.config and
# configs/bench.config: no lockdep or DEBUG_VM, no series.config) of tree $1
# in $2, incrementally.
bench_kernel_build() {
	LAB_LINUX=$1 LAB_KBUILD_OUT=$2 LAB_BUILD=$BUILD \
		"$LAB/scripts/config.sh" "$LAB/configs/qemu-x86_64.config" "$LAB/configs/bench.config"
	LAB_LINUX=$1 LAB_KBUILD_OUT=$2 "$LAB/scripts/kernel.sh" bzImage
}

# Check out commit $2 in $1, a detached worktree of linux/ with nothing
# uncommitted; made anew when missing or when it belongs to another linux/.
worktree_at() {
	local dir=$1 commit=$2 ours theirs=
	# --git-common-dir is relative to the tree it is asked in (".git")
	ours=$(cd "$LINUX" && cd "$(git rev-parse --git-common-dir)" && pwd -P)
	if [ -d "$dir" ]; then
		theirs=$(cd "$dir" && cd "$(git rev-parse --git-common-dir)" && pwd -P) || true
	fi
	if [ "$theirs" != "$ours" ] || [ "$(cd "$dir" && git rev-parse --show-toplevel)" != "$(cd "$dir" && pwd -P)" ]; then
		rm -rf "$dir"
		git -C "$LINUX" worktree prune
		git -C "$LINUX" worktree add -q --detach "$dir" "$commit"
	fi
	git -C "$dir" checkout -q --detach "$commit"
	git -C "$dir" reset -q --hard
}

# The test that was running at line $2 of guest console log $1 (all of it
# without $2), from the marks guest/init writes; before the first, the KUnit
# suite that had not ended and its last case that had (KUnit names a case
# when it ends), or "boot".
running_test() {
	local lines=${2:-}
	if [ ! -f "$1" ]; then
		echo "boot"
		return
	fi
	if [ -z "$lines" ]; then
		lines=$(wc -l <"$1")
	fi
	head -n "$lines" "$1" | tr -d '\r' | awk -v mark="$GUEST_RUNNING" '
		index($0, mark) { test = substr($0, index($0, mark) + length(mark)) }
		/^    # Subtest: / { suite = $NF; done = "" }
		/^    (not )?ok [0-9]+ / { done = $1 == "not" ? $4 : $3 }
		/^(not )?ok [0-9]+ / { suite = "" }
		END {
			if (test != "")
				print test
			else if (suite != "")
				print "KUnit " suite (done == "" ? ", its first case" : ", the case after " done)
			else
				print "boot"
		}'
}

# The first Debian archive URI (not the security archive) in the machine's
# apt sources, one-line or deb822 format.
archive_uri() {
	{
		cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
			awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /:\/\//) { print $i; break } }'
		cat /etc/apt/sources.list.d/*.sources 2>/dev/null |
			awk '$1 == "URIs:" { for (i = 2; i <= NF; i++) print $i }'
	} | grep -v -e '-security' -e '^cdrom:' | grep '/debian/*$' | head -n 1
}
# apt-get with the lab's private configuration under $BUILD/apt.
apt_private() {
	local dir=$BUILD/apt
	apt-get -q \
		-o Dir::Etc::SourceList="$dir/sources.list" \
		-o Dir::Etc::SourceParts="$dir/sources.list.d" \
		-o Dir::State::Lists="$dir/lists" \
		-o Dir::Cache="$dir/cache" \
		-o APT::Sandbox::User=root \
		"$@"
}

# Point the private configuration at Debian sid (binary and source packages),
# at the machine's own archive address so that a local mirror is respected,
# and update it.  The machine's apt setup is not touched.
apt_private_sid() {
	local uri dir=$BUILD/apt
	uri=$(archive_uri) || true
	[ -n "$uri" ] || fail "no Debian archive found in /etc/apt/sources*"
	mkdir -p "$dir/sources.list.d" "$dir/lists/partial" "$dir/cache/archives/partial"
	{
		echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri sid main"
		echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri sid main"
	} >"$dir/sources.list"
	say "using Debian sid at $uri"
	# apt-get update exits 0 when it could not fetch an index
	if ! apt_private update >"$dir/update.log" 2>&1 ||
		grep -qE '^(Err:|E: |W: Failed to fetch|W: Some index files failed)' "$dir/update.log"; then
		grep -E '^(Err:|E: |W: )' "$dir/update.log" >&2 || true
		fail "apt-get update could not fetch sid's index from $uri; see $dir/update.log"
	fi
}
