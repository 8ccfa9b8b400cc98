#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# checkpatch: every patch in patches/ must be clean under
# scripts/checkpatch.pl --strict of the base tree.
#
# FILE_PATH_CHANGES ("does MAINTAINERS need updating?") is ignored: checkpatch
# says it for every new file, and the series adds files only where
# MAINTAINERS already has an entry (mm/, tools/testing/selftests/mm/).
# spdxcheck.py, which checkpatch runs on new files, needs Debian's python3
# with python3-ply and python3-git, so /usr/bin comes first in PATH.
set -eu -o pipefail
STAGE=checkpatch
. "$(dirname "$0")/lib.sh"

mapfile -t patches < <(series_patches)
if [ ${#patches[@]} -eq 0 ]; then
	say "no patches"
	exit 0
fi
stage_begin "checking ${#patches[@]} patches"
bad=()
for p in "${patches[@]}"; do
	if ! (cd "$LINUX" && PATH=/usr/bin:$PATH scripts/checkpatch.pl --strict --quiet \
		--show-types --ignore FILE_PATH_CHANGES "$p"); then
		bad+=("$(basename "$p")")
	fi
done
[ ${#bad[@]} -eq 0 ] || fail "not clean: ${bad[*]}"
stage_end
