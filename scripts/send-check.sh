#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# send-check: would b4 send the series as patches/ has it?  b4 (scripts/b4.sh)
# works in $BUILD/send/linux, a clone of linux/'s 'series' branch made anew
# each run; linux/ itself, its branches, work tree and notes are only read.
# There each commit gets its git note below '---' (b4 0.16 formats commits
# with 'git show', which leaves notes out), and the branch is enrolled with
# b4 prep against 'base', the cover letter (cover-letter.txt, first line the
# subject) in the branch description; revision 3, To/Cc from the tree's
# get_maintainer.pl (b4 prep --auto-to-cc), then b4 prep --check, which runs
# checkpatch as scripts/checkpatch.sh does and must find nothing.  b4 send -o
# writes the mails to $BUILD/send/mails and sends nothing: no patatt signing,
# no mail transport but /bin/false, no lore.  The mails must match patches/:
# one per file, the same subjects, the same notes below '---', and the cover
# letter's text must come through as cover-letter.txt has it.
#
#   LAB_LINUX, LAB_PATCHES, LAB_COVER, LAB_SERIES_VERSION   as for tree.sh
set -eu -o pipefail
STAGE=send-check
. "$(dirname "$0")/lib.sh"

SEND=$BUILD/send
REPO=$SEND/linux
B4=$BUILD/b4/b4

# Run b4 in the clone, its output in $SEND/$1.log
run_b4() {
	local log=$SEND/$1.log
	shift
	(cd "$REPO" && "$B4" "$@") >"$log" 2>&1 || {
		sed 's/^/  /' "$log" >&2
		fail "b4 $* failed, see $log"
	}
}

# Drop trailing empty lines
trim() {
	sed -e :a -e '/^\n*$/{$d;N;ba' -e '}'
}

# b4 0.16 leaves git notes out; put each commit's note in its message,
# below '---' as format-patch --notes writes it, keeping author and date.
fold_notes() {
	local c note parent
	parent=$(git -C "$REPO" rev-parse base)
	for c in $(git -C "$REPO" rev-list --reverse base..series); do
		{
			git -C "$REPO" log -1 --format=%B "$c" | trim
			if note=$(git -C "$REPO" notes show "$c" 2>/dev/null); then
				printf -- '---\n\nNotes:\n'
				printf '%s\n' "$note" | sed 's/^/    /'
			fi
		} >"$SEND/msg"
		parent=$(GIT_AUTHOR_NAME=$(git -C "$REPO" log -1 --format=%an "$c") \
			GIT_AUTHOR_EMAIL=$(git -C "$REPO" log -1 --format=%ae "$c") \
			GIT_AUTHOR_DATE=$(git -C "$REPO" log -1 --format=%aD "$c") \
			git -C "$REPO" commit-tree -p "$parent" -F "$SEND/msg" "$c^{tree}")
	done
	git -C "$REPO" update-ref refs/heads/series "$parent"
}

# Header $2 of mail $1, unfolded
header() {
	awk -v h="$2:" '
		/^$/ { exit }
		f && /^[ \t]/ { v = v $0; next }
		f { exit }
		index($0, h) == 1 { f = 1; v = substr($0, length(h) + 1) }
		END { gsub(/[ \t]+/, " ", v); sub(/^ /, "", v); sub(/ $/, "", v); print v }' "$1"
}

# The notes below '---' of patch or mail $1 (git drops the blanks of their
# empty lines in the mails)
notes() {
	awk 'state == 0 && /^---$/ { state = 1; next }
		state == 1 && /^Notes:$/ { state = 2; next }
		state == 1 && /^( |diff )/ { exit }
		state == 2 && /^(    |[ \t]*$)/ { print; next }
		state == 2 { exit }' "$1" |
		sed -e 's/[ \t]*$//' -e 's/^    //' | trim
}

"$LAB/scripts/b4.sh"

stage_begin "b4 prep and b4 send -o on a clone of $LINUX (series)"
git -C "$LINUX" rev-parse -q --verify refs/heads/series >/dev/null ||
	fail "$LINUX has no 'series' branch; run make tree first"
git -C "$LINUX" rev-parse -q --verify base >/dev/null || fail "$LINUX has no 'base' tag"
[ -f "$COVER" ] || fail "no $COVER"
# The sender: the repository's git identity, else the series' author
name=$(git -C "$LAB" config user.name || git -C "$LINUX" log -1 --format=%an series)
email=$(git -C "$LAB" config user.email || git -C "$LINUX" log -1 --format=%ae series)

rm -rf "$SEND"
mkdir -p "$SEND"
# --shared: linux/'s objects, not a copy; 'base' is a branch here, as b4 wants
git clone -q --shared --single-branch --branch series --no-tags "$LINUX" "$REPO"
git -C "$REPO" fetch -q origin refs/tags/base:refs/heads/base
if git -C "$LINUX" rev-parse -q --verify refs/notes/commits >/dev/null; then
	git -C "$REPO" fetch -q origin refs/notes/commits:refs/notes/commits
fi
git -C "$REPO" remote remove origin
say "cloned series ($(git -C "$REPO" rev-list --count base..series) commits on base) into $REPO"

# b4 and its git see only the clone's configuration, and keep their cache and
# data under $SEND.  /usr/bin first: checkpatch's spdxcheck.py needs Debian's
# python3 (see checkpatch.sh).
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
export XDG_CACHE_HOME=$SEND/cache XDG_DATA_HOME=$SEND/data XDG_CONFIG_HOME=$SEND/config
export PATH=/usr/bin:$PATH
git -C "$REPO" config user.name "$name"
git -C "$REPO" config user.email "$email"
git -C "$REPO" config b4.prep-cover-strategy branch-description
git -C "$REPO" config branch.series.description "$(cat "$COVER")"
# checkpatch.sh's checks, in the form b4 runs checkpatch
git -C "$REPO" config b4.prep-perpatch-check-cmd \
	"$REPO/scripts/checkpatch.pl -q --terse --no-summary --mailback --showfile --strict --ignore FILE_PATH_CHANGES"
# Nothing leaves: no signing (b4's web endpoint, its choice in a kernel tree
# without a mail transport, would need it), and /bin/false as the transport.
git -C "$REPO" config b4.send-no-patatt-sign yes
git -C "$REPO" config sendemail.sendmailcmd /bin/false

fold_notes
run_b4 enroll prep -e base
run_b4 revision prep --force-revision "$SERIES_VERSION"
run_b4 auto-to-cc prep --auto-to-cc
run_b4 check prep --check
sed -e 's/\x1b\[32m●\x1b\[0m/ok/g' -e 's/\x1b\[31m●\x1b\[0m/WARNING/g' \
	-e 's/\x1b\[31;5m●\x1b\[0m/ERROR/g' -e 's/^/  /' "$SEND/check.log"
summary=$(grep -E '^Success: [0-9]+, Warning: [0-9]+, Error: [0-9]+$' "$SEND/check.log") ||
	fail "no summary from b4 prep --check, see $SEND/check.log"
[[ $summary == *"Warning: 0, Error: 0" ]] || fail "b4 prep --check: $summary"
run_b4 send send --no-sign -o "$SEND/mails"

mapfile -t want < <(find "$PATCHES" -maxdepth 1 -name '*.patch' | sort)
mapfile -t mails < <(find "$SEND/mails" -name '*.eml' | sort)
[ ${#mails[@]} -eq ${#want[@]} ] ||
	fail "b4 wrote ${#mails[@]} mails, patches/ has ${#want[@]} files"
bad=0
kept=0
for i in "${!mails[@]}"; do
	m=${mails[$i]}
	p=${want[$i]}
	subject=$(header "$m" Subject)
	echo "  $subject"
	if [ "$subject" != "$(header "$p" Subject)" ]; then
		echo "    is not $(basename "$p"): $(header "$p" Subject)"
		bad=1
	fi
	if [ -z "$(header "$m" To)" ] || [ -z "$(header "$m" Cc)" ]; then
		echo "    has no To or no Cc"
		bad=1
	fi
	[ "$i" -gt 0 ] || continue
	if [ "$(notes "$m")" != "$(notes "$p")" ]; then
		echo "    notes differ from $(basename "$p")"
		bad=1
	elif [ -n "$(notes "$m")" ]; then
		kept=$((kept + 1))
	fi
done
# b4 prep --auto-to-cc takes 'word: text' lines in the last paragraph of the
# cover letter for trailers, and moves them below its To: and Cc:.
if ! diff -u <(sed '1d' "$COVER" | sed '/./,$!d' | trim) \
	<(sed '1,/^$/d' "${mails[0]}" | sed '/^---$/,$d' | trim) >"$SEND/cover.diff"; then
	echo "  the cover letter is not $(basename "$COVER") (-), as b4 sends it (+):"
	sed 's/^/    /' "$SEND/cover.diff"
	bad=1
fi
say "To: $(header "${mails[0]}" To)"
say "Cc: $(header "${mails[0]}" Cc)"
[ "$bad" -eq 0 ] || fail "the mails do not match patches/ and $(basename "$COVER"); see $SEND/mails"
say "b4 prep --check: $summary"
say "${#mails[@]} mails, subjects as in patches/, notes below '---' in $kept of $((${#mails[@]} - 1)): $SEND/mails"
stage_end
