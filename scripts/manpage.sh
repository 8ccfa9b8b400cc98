#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# manpage: the series' man pages (man/) must format without a groff warning.
set -eu -o pipefail
STAGE=manpage
. "$(dirname "$0")/lib.sh"

stage_begin "checking the pages in man/"
for page in "$LAB"/man/man*/*.[0-9]; do
	out=$(groff -t -man -ww -z "$page" 2>&1)
	[ -z "$out" ] || fail "$(basename "$page"): $out"
done
stage_end
