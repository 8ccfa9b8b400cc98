# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0
# Helpers shared by the lab's stage scripts.  Each stage sets STAGE before
# sourcing this file; errors then read "STAGE: what went wrong".

LAB=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$LAB/build}
LINUX=${LINUX:-$LAB/linux}
KBUILD_OUT=${KBUILD_OUT:-$BUILD/kernel}
# vCPUs of the guest; results.sh checks that the kernel brought them all up.
# shellcheck disable=SC2034
GUEST_CPUS=2
STAGE_START=$(date +%s)

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
