#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# b4: Debian's b4 0.16.0-1 from sid (bookworm's 0.12 has no 'b4 prep
# --check'), with the sid libraries it needs that bookworm lacks or has too
# old (python3-liblore, python3-ezgb, python3-patatt; all architecture-
# independent).  The .debs come through the lab's private apt setup, are
# checked against the sha256 sums below, and are unpacked under
# $BUILD/b4/root; $BUILD/b4/b4 runs b4 with bookworm's /usr/bin/python3.
# Nothing is installed into /usr.
#
# The rest of b4's Depends are bookworm's own packages, installed by
# scripts/deps.sh: python3-requests, python3-dkim (with python3-dnspython and
# python3-nacl) and python3-pygit2.  git-filter-repo, which Debian's b4 still
# depends on, is no longer used by b4 0.16 (pygit2 rewrites the history).
set -eu -o pipefail
STAGE=b4
. "$(dirname "$0")/lib.sh"

VERSION=0.16.0-1
# package=version and the sha256 of its .deb
DEBS=(
	"b4=$VERSION 46e1beda64f6734714f3d44a0c2f1b83d4eda3237ad48758ecd34202cfbd08a3"
	"python3-ezgb=0.2.0-1 e9e9aef6708facf827992161aadb29ce835437e626aaed06feec3b65f4fe089c"
	"python3-liblore=0.8.2-2 147e9f17f1dd6d531608953f1dfcfe015364c509784453156e3256e70d1fa691"
	"python3-patatt=0.8.0-1 3466cf376bacaf68709775c83e26f2db18b51faa1743b013ac816ee147f0c2ad"
)
# What b4 imports from bookworm
NEEDS=(python3-dkim python3-pygit2 python3-requests)
OUT=$BUILD/b4
ROOT=$OUT/root
SITE=$ROOT/usr/lib/python3/dist-packages

deb_file() {
	echo "${1%%=*}_${1#*=}_all.deb"
}

missing=()
for p in "${NEEDS[@]}"; do
	[ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" = "install ok installed" ] ||
		missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] ||
	fail "b4 needs ${missing[*]}; run scripts/deps.sh as root, or apt-get install --no-install-recommends ${missing[*]}"

if [ -x "$OUT/b4" ] && [ "$(cat "$OUT/installed" 2>/dev/null)" = "${DEBS[*]}" ]; then
	say "b4 $VERSION already in $OUT"
	exit 0
fi

stage_begin "getting b4 $VERSION from Debian sid into $OUT"
mkdir -p "$OUT/debs"
get=()
for d in "${DEBS[@]}"; do
	[ -f "$OUT/debs/$(deb_file "${d% *}")" ] || get+=("${d% *}")
done
if [ ${#get[@]} -gt 0 ]; then
	apt_private_sid
	(cd "$OUT/debs" && apt_private download "${get[@]}") >"$OUT/download.log" 2>&1 ||
		fail "cannot download ${get[*]}, see $OUT/download.log"
fi
for d in "${DEBS[@]}"; do
	f=$(deb_file "${d% *}")
	sum=$(sha256sum "$OUT/debs/$f" | cut -d' ' -f1)
	[ "$sum" = "${d#* }" ] || fail "$f has sha256 $sum, expected ${d#* }"
done
say "sha256 verified: ${#DEBS[@]} .debs"

rm -rf "$ROOT" "$OUT/installed"
for d in "${DEBS[@]}"; do
	dpkg-deb -x "$OUT/debs/$(deb_file "${d% *}")" "$ROOT"
done
# b4 0.16 walks the history with pygit2.enums.SortMode (pygit2 1.14);
# bookworm's pygit2 1.11 has the same flags as GIT_SORT_* constants.
if ! /usr/bin/python3 -c 'import pygit2.enums' 2>/dev/null; then
	sed -i -e 's/^from pygit2\.enums import SortMode$/from pygit2 import GIT_SORT_REVERSE, GIT_SORT_TOPOLOGICAL/' \
		-e 's/SortMode\.TOPOLOGICAL | SortMode\.REVERSE/GIT_SORT_TOPOLOGICAL | GIT_SORT_REVERSE/' \
		"$SITE/b4/_rewrite.py"
	say "adapted b4/_rewrite.py to pygit2 $(/usr/bin/python3 -c 'import pygit2; print(pygit2.__version__)')"
fi
# sid's python is newer: everything must compile with bookworm's
/usr/bin/python3 -m compileall -q "$SITE" >"$OUT/compile.log" 2>&1 ||
	fail "b4 or its libraries do not compile with $(/usr/bin/python3 --version), see $OUT/compile.log"

# /usr/bin/python3, not the first python3 in PATH: the packages above are for
# Debian's.  -s: no user site-packages.
cat >"$OUT/b4" <<EOF
#!/bin/sh
# b4 $VERSION from Debian sid, unpacked by scripts/b4.sh
PYTHONPATH=$SITE exec /usr/bin/python3 -s $ROOT/usr/bin/b4 "\$@"
EOF
chmod 755 "$OUT/b4"
version=$("$OUT/b4" --version) || fail "$OUT/b4 --version failed"
[ "$version" = "${VERSION%-*}" ] || fail "$OUT/b4 --version says '$version', not ${VERSION%-*}"
# what b4 prep and b4 send import
PYTHONPATH=$SITE /usr/bin/python3 -s -c 'import b4.ez, b4.command' ||
	fail "b4 $VERSION does not load with bookworm's python3 and its packages"
echo "${DEBS[*]}" >"$OUT/installed"
say "b4 $version: $OUT/b4"
stage_end
