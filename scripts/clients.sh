#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# clients: real low-memory killers against the test kernel.  Boot the kernel
# in $KBUILD_OUT with earlyoom (scripts/earlyoom.sh), bench/lmkd_killer and
# bench/killer_bench, and let each killer kill victims that read a file and
# then grow.  earlyoom as Debian ships it (kill(), then process_mrelease(pidfd,
# 0)) and with contrib/earlyoom's patch (PROCESS_MRELEASE_REAP_KILL), each
# with its default SIGTERM first (-m 30) and with SIGKILL at once (-m 30,30);
# lmkd's pattern (pidfd_send_signal(), then process_mrelease(pidfd, 0) on a
# reaper thread) and the same with -K (REAP_KILL).  Prints every round and a
# summary per killer.  Nothing here passes or fails.
#
#   LAB_ROUNDS=n      victims per killer and setting (default 10)
#   LAB_FILE_MIB=n    the file each victim reads (default 200)
#   LAB_KBUILD_OUT=dir  the kernel (default build/kernel)
#   LAB_LINUX=dir     the tree that kernel was built from; to compare with the
#                     base kernel, build it first (see README.md)
set -eu -o pipefail
STAGE=clients
. "$(dirname "$0")/lib.sh"

TREE=$(git -C "$LINUX" describe --always --tags HEAD)
OUT=$BUILD/clients/$TREE
ROUNDS=${ROUNDS:-10}
FILE_MIB=${FILE_MIB:-200}

"$LAB/scripts/earlyoom.sh"

stage_begin "earlyoom against $TREE ($KBUILD_OUT)"
rm -rf "$OUT/mm"
mkdir -p "$OUT/mm"
gcc -static -O2 -Wall -Wextra -Werror -o "$OUT/mm/killer_bench" "$LAB/bench/killer_bench.c"
gcc -static -O2 -Wall -Wextra -Werror -pthread -o "$OUT/mm/lmkd_killer" "$LAB/bench/lmkd_killer.c"
install -m 755 "$BUILD/earlyoom/earlyoom" "$BUILD/earlyoom/earlyoom-reap-kill" "$OUT/mm/"
# What the guest runs, as a selftest program
cat >"$OUT/mm/killers" <<EOF
#!/bin/sh
cd "\$(dirname "\$0")" || exit 1
for killer in earlyoom earlyoom-reap-kill; do
	for m in 30 30,30; do
		echo "== \$killer -m \$m"
		./killer_bench -n $ROUNDS -f $FILE_MIB -- ./\$killer -m \$m -s 100 -r 0 --prefer '^kb_victim\$'
	done
done
for k in "" -K; do
	echo "== lmkd_killer -m 30 \$k"
	./killer_bench -n $ROUNDS -f $FILE_MIB -- ./lmkd_killer -m 30 \$k -p kb_victim
done
EOF
chmod 755 "$OUT/mm/killers"
echo killers >"$OUT/mm/list"
LAB_SELFTESTS_DIR=$OUT/mm LAB_GUEST_FILES="killer_bench lmkd_killer earlyoom earlyoom-reap-kill" \
	LAB_GUEST_OUT=$OUT/guest LAB_TEST_TIMEOUT=${TEST_TIMEOUT:-3000} LAB_GUEST_TIMEOUT=3600 \
	LAB_IDLE_TIMEOUT=${IDLE_TIMEOUT:-600} LAB_LINUX=$LINUX LAB_KBUILD_OUT=$KBUILD_OUT \
	LAB_BUILD=$BUILD "$LAB/scripts/guest.sh"

if grep -qE 'WARNING:|BUG:|Kernel panic' "$OUT/guest/console.log"; then
	say "the kernel complained; see $OUT/guest/console.log"
fi
sed -n 's/^# //p' "$OUT/guest/kselftest.tap" | grep -E "^(==|killer:|round)" >"$OUT/rounds.txt" || true
cat "$OUT/rounds.txt"
# Per killer and setting: failed calls by error, the file left cached once
# the victim is gone, and how much of it was in PMD-size folios (khugepaged).
awk '
	function num(text, after,    t) {
		t = substr(text, index(text, after) + length(after))
		return t + 0
	}
	/^== / { key = substr($0, 4); sub(/ +$/, "", key); order[++n] = key; next }
	/^round/ {
		rounds[key]++
		r = substr($0, index($0, "process_mrelease ") + 17)
		r = substr(r, 1, index(r, ";") - 1)
		if (r !~ /success$/) failed[key] = failed[key] " [" r "]"
		l = num($0, " at return, ")
		left[key] += l
		if (l > 0) kept[key]++
		huge[key] += num($0, " after exit (")
	}
	END {
		for (i = 1; i <= n; i++) {
			k = order[i]
			printf "%s: %d rounds; failed calls:%s; file left after the exit in %d, %.1f MiB per round, %.1f of it in PMD-size folios\n",
				k, rounds[k], failed[k] == "" ? " none" : failed[k], kept[k],
				rounds[k] ? left[k] / rounds[k] : 0, rounds[k] ? huge[k] / rounds[k] : 0
		}
	}' "$OUT/rounds.txt" | tee "$OUT/summary.txt"
stage_end
