#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# earlyoom: a real low-memory killer for the guest.  Get Debian's earlyoom
# 1.9.0-1 source package (sid, through the lab's private apt setup, as
# base.sh gets the kernel), verify it, and build two static binaries:
# $BUILD/earlyoom/earlyoom, earlyoom as Debian ships it (its kill path:
# kill(), then process_mrelease(pidfd, 0)), and earlyoom-reap-kill, the same
# with contrib/earlyoom/*.patch (PROCESS_MRELEASE_REAP_KILL where the kernel
# has it).  Static, because the guest has no C library; Debian's binary
# package needs sid's.
#
#   LAB_EARLYOOM_SRC=dir   take the source package's three files from dir
set -eu -o pipefail
STAGE=earlyoom
. "$(dirname "$0")/lib.sh"

PKG=earlyoom
VERSION=1.9.0-1
DSC=${PKG}_$VERSION.dsc
DSC_SHA256=b2c5e2dd48f28cc5c762480ec068ce9474fe6e578cf6f1d0fc52e0e60714659d
OUT=$BUILD/earlyoom
SRC=$OUT/src

# The source package's files, from EARLYOOM_SRC or the archive, into $SRC.
get_source() {
	rm -rf "$SRC"
	mkdir -p "$SRC"
	if [ -n "${EARLYOOM_SRC:-}" ]; then
		[ -f "$EARLYOOM_SRC/$DSC" ] || fail "EARLYOOM_SRC=$EARLYOOM_SRC has no $DSC"
		cp "$EARLYOOM_SRC"/"${PKG}"_1.9.0* "$SRC/"
	else
		apt_private_sid
		(cd "$SRC" && apt_private source --download-only "$PKG=$VERSION") \
			>"$OUT/download.log" 2>&1 ||
			fail "cannot download the $PKG $VERSION source package, see $OUT/download.log"
	fi
}

# The .dsc is pinned; it names the other files' checksums.
verify_source() {
	local sum
	sum=$(sha256sum "$SRC/$DSC" | cut -d' ' -f1)
	[ "$sum" = "$DSC_SHA256" ] || fail "$DSC has sha256 $sum, expected $DSC_SHA256"
	sed -n '/^Checksums-Sha256:/,/^[^ ]/s/^ \([0-9a-f]\{64\}\) [0-9]* \(.*\)$/\1  \2/p' \
		"$SRC/$DSC" >"$SRC/SHA256SUMS"
	[ "$(wc -l <"$SRC/SHA256SUMS")" -eq 2 ] || fail "$DSC: expected two files in Checksums-Sha256"
	(cd "$SRC" && sha256sum --quiet -c SHA256SUMS) || fail "the $PKG source files do not match $DSC"
	say "sha256 verified: $DSC and the files it lists"
}

# Unpack into directory $1, with Debian's patches as its series lists them.
unpack() {
	local dir=$1 p
	rm -rf "$dir"
	mkdir -p "$dir"
	tar -xzf "$SRC/${PKG}_1.9.0.orig.tar.gz" -C "$dir" --strip-components=1
	tar -xJf "$SRC/${PKG}_$VERSION.debian.tar.xz" -C "$dir"
	# (1.9.0-1's series lists none: its three are commented out)
	while read -r p; do
		[ -n "$p" ] || continue
		patch -d "$dir" -p1 -s <"$dir/debian/patches/$p" || fail "Debian patch $p does not apply"
	done < <(sed -e 's/#.*//' "$dir/debian/patches/series" 2>/dev/null)
}

# Build $1 into binary $2 as Debian does (its rules: VERSION, hardening,
# -Wall -pedantic), but static.
build() {
	(cd "$1" && CFLAGS="-O2 -fstack-protector-strong -Wall -pedantic" LDFLAGS=-static \
		make -s earlyoom VERSION=v1.9.0) >"$OUT/build.log" 2>&1 ||
		fail "building $1 failed, see $OUT/build.log"
	install -m 755 "$1/earlyoom" "$2"
}

stage_begin "getting $PKG $VERSION (source) and building it"
mkdir -p "$OUT"
[ -f "$SRC/$DSC" ] || get_source
verify_source
unpack "$OUT/debian"
build "$OUT/debian" "$OUT/earlyoom"
unpack "$OUT/reap-kill"
for p in "$LAB"/contrib/earlyoom/*.patch; do
	patch -d "$OUT/reap-kill" -p1 -s <"$p" || fail "$(basename "$p") does not apply to $PKG $VERSION"
done
build "$OUT/reap-kill" "$OUT/earlyoom-reap-kill"
stage_end
