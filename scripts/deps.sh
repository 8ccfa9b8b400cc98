#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# deps: install the Debian packages the lab needs, if any is missing.
# Needs root for apt-get; without root it names the packages to install.
set -eu -o pipefail
STAGE=deps
. "$(dirname "$0")/lib.sh"

PACKAGES=(
	bc bison busybox-static ccache cpio e2fsprogs flex gcc git gnuplot-nox
	groff-base gzip
	libc6-dev libelf-dev libssl-dev make perl python3 python3-dkim python3-git
	python3-ply python3-pygit2 python3-requests patch qemu-system-x86 shellcheck
	xz-utils
)

missing=()
for p in "${PACKAGES[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing+=("$p")
	fi
done
[ ${#missing[@]} -gt 0 ] || exit 0

stage_begin "installing ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
	fail "not root; run: sudo apt-get install --no-install-recommends ${missing[*]}"
fi
export DEBIAN_FRONTEND=noninteractive
apt-get -q update >/dev/null || fail "apt-get update failed"
apt-get -q install -y --no-install-recommends "${missing[@]}" >/dev/null ||
	fail "apt-get install ${missing[*]} failed"
stage_end
