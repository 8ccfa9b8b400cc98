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
