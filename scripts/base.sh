#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# base: get the base kernel source, Debian's linux-source-7.2 7.2.13-1, and
# verify it.  Output: $BUILD/base/linux-source.tar.xz.
#
#   LAB_LINUX_SOURCE_DEB=path  use this copy of the package instead of the archive
#   LAB_LINUX_TREE=path        nothing to get: tree.sh takes the kernel from there
#   LAB_LINUX_SOURCE_ANY=1     if 7.2.13-1 cannot be had, take the newest version
#                              (no checksum to verify it against)
#
# The package comes from Debian sid through the lab's private apt
# configuration (apt_private_sid in lib.sh); the machine's apt setup is not
# touched.
set -eu -o pipefail
STAGE=base
. "$(dirname "$0")/lib.sh"

PKG=linux-source-7.2
VERSION=7.2.13-1
SHA256=30a8c5fc63f9028a62e6d7b3f7f43bee67425dbce2a05fceba83f9b87c92083d
OUT=$BUILD/base
TARBALL=$OUT/linux-source.tar.xz

download_deb() {
	[ -n "$(archive_uri)" ] || fail "no Debian archive found in /etc/apt/sources*; set LINUX_SOURCE_DEB"
	apt_private_sid
	say "downloading $PKG $VERSION"
	rm -f "$OUT"/*.deb
	if ! (cd "$OUT" && apt_private download "$PKG=$VERSION") >"$OUT/download.log" 2>&1; then
		cat "$OUT/download.log" >&2
		[ "${LINUX_SOURCE_ANY:-0}" = 1 ] ||
			fail "cannot download $PKG $VERSION (apt's words above); LINUX_SOURCE_ANY=1 takes the newest $PKG instead, unverified"
		say "WARNING: taking the newest $PKG (LINUX_SOURCE_ANY=1); the series was written against $VERSION and may not apply."
		(cd "$OUT" && apt_private download "$PKG") || fail "cannot download $PKG"
	fi
}

if [ -n "${LINUX_TREE:-}" ]; then
	say "not needed: linux/ comes from LINUX_TREE=$LINUX_TREE"
	exit 0
fi

stage_begin "getting $PKG $VERSION"
mkdir -p "$OUT"
if [ -s "$TARBALL" ] && [ -f "$OUT/verified" ]; then
	say "already have $(cat "$OUT/verified")"
	exit 0
fi

if [ -n "${LINUX_SOURCE_DEB:-}" ]; then
	[ -f "$LINUX_SOURCE_DEB" ] || fail "LINUX_SOURCE_DEB=$LINUX_SOURCE_DEB does not exist"
	deb=$LINUX_SOURCE_DEB
else
	download_deb
	deb=$(ls "$OUT"/"${PKG}"_*.deb)
fi

sum=$(sha256sum "$deb" | cut -d' ' -f1)
if [ "$sum" = "$SHA256" ]; then
	say "sha256 verified: $(basename "$deb")"
elif [ "$(dpkg-deb -f "$deb" Version)" = "$VERSION" ]; then
	fail "$(basename "$deb") has sha256 $sum, expected $SHA256"
else
	say "WARNING: $(basename "$deb") is not $VERSION; no checksum to verify it against"
fi

rm -rf "$OUT/unpack"
dpkg-deb -x "$deb" "$OUT/unpack"
mv "$OUT/unpack/usr/src/$PKG.tar.xz" "$TARBALL"
rm -rf "$OUT/unpack"
echo "$(basename "$deb") $sum" >"$OUT/verified"
stage_end
