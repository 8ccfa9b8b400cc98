#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# clients: real low-memory killers against the base kernel and the series, in
# one run.  Build the benchmark kernels of both (as bench.sh does: the same
# configuration, the base from the tree's 'base' tag in $BUILD/bench/base),
# boot each with earlyoom (scripts/earlyoom.sh), bench/lmkd_killer and
# bench/killer_bench, and let each killer kill victims that read a file and
# then grow.  Three kinds of victim: a $FILE_MIB MiB file faulted in by
# readahead (large folios), the same with MADV_RANDOM (order-0 folios), and
# a 16 MiB file (anon-heavy).  Against each: earlyoom as Debian ships it
# (kill(), then process_mrelease(pidfd, 0)) and with contrib/earlyoom's patch
# (PROCESS_MRELEASE_REAP_KILL), both sending SIGKILL at once (-m 30,30);
# lmkd's pattern (pidfd_send_signal(), then process_mrelease(pidfd, 0) on a
# reaper thread), and the same with -K (REAP_KILL).  Then both earlyooms with
# their default SIGTERM first (-m 30) against the first kind.  Prints every
# round, then both kernels side by side (bench/clients.py), and draws the
# traced rounds: cached MiB and MemFree around the kill, base and series in
# one picture per killer and kind ($BUILD/clients/trace-N.png).  Nothing
# here passes or fails.
#
#   LAB_ROUNDS=n      victims per killer and kind (default 10)
#   LAB_FILE_MIB=n    the file of the file-heavy victims (default 200)
#   LAB_LINUX=dir     the series' tree (default linux/)
#   LAB_TEST_TIMEOUT, LAB_GUEST_TIMEOUT, LAB_IDLE_TIMEOUT  as guest.sh's, for
#                     the killers' guest runs (defaults 5400, 6000, 600)
set -eu -o pipefail
STAGE=clients
. "$(dirname "$0")/lib.sh"

OUT=$BUILD/clients
ROUNDS=${ROUNDS:-10}
FILE_MIB=${FILE_MIB:-200}

"$LAB/scripts/earlyoom.sh"

rm -rf "$OUT/mm"
mkdir -p "$OUT/mm"
gcc -static -O2 -Wall -Wextra -Werror -o "$OUT/mm/killer_bench" "$LAB/bench/killer_bench.c"
gcc -static -O2 -Wall -Wextra -Werror -pthread -o "$OUT/mm/lmkd_killer" "$LAB/bench/lmkd_killer.c"
install -m 755 "$BUILD/earlyoom/earlyoom" "$BUILD/earlyoom/earlyoom-reap-kill" "$OUT/mm/"
# What the guest runs, as a selftest program
cat >"$OUT/mm/killers" <<GUEST
#!/bin/sh
cd "\$(dirname "\$0")" || exit 1
# earlyoom BINARY SIGNALS KIND VICTIM-ARGS
earlyoom() {
	echo "== \$1 -m \$2 / \$3"
	./killer_bench -n $ROUNDS \$4 -- ./\$1 -m \$2 -s 100 -r 0 --prefer '^kb_victim\$'
}
# lmkd [-K] KIND VICTIM-ARGS
lmkd() {
	k=
	if [ "\$1" = -K ]; then k=" -K"; shift; fi
	echo "== lmkd_killer -m 30\$k / \$1"
	./killer_bench -n $ROUNDS \$2 -- ./lmkd_killer -m 30 \$k -p kb_victim
}
for kind in large order-0 anon-heavy; do
	case \$kind in
	large) args="-f $FILE_MIB" ;;
	order-0) args="-f $FILE_MIB -r" ;;
	anon-heavy) args="-f 16" ;;
	esac
	earlyoom earlyoom 30,30 \$kind "\$args"
	earlyoom earlyoom-reap-kill 30,30 \$kind "\$args"
	lmkd \$kind "\$args"
	lmkd -K \$kind "\$args"
done
earlyoom earlyoom 30 large "-f $FILE_MIB"
earlyoom earlyoom-reap-kill 30 large "-f $FILE_MIB"
GUEST
chmod 755 "$OUT/mm/killers"
echo killers >"$OUT/mm/list"

# Run the killers on the benchmark kernel $2 of tree $1; what they printed in
# $3/rounds.txt.
clients_kernel() {
	local tree=$1 kbuild_out=$2 dir=$3
	bench_kernel_build "$tree" "$kbuild_out"
	stage_begin "the killers on $(git -C "$tree" describe --always --tags HEAD)"
	rm -rf "$dir"
	mkdir -p "$dir"
	LAB_SELFTESTS_DIR=$OUT/mm LAB_GUEST_FILES="killer_bench lmkd_killer earlyoom earlyoom-reap-kill" \
		LAB_GUEST_OUT=$dir/guest LAB_TEST_TIMEOUT=${TEST_TIMEOUT:-5400} \
		LAB_GUEST_TIMEOUT=${GUEST_TIMEOUT:-6000} LAB_IDLE_TIMEOUT=${IDLE_TIMEOUT:-600} \
		LAB_LINUX=$tree LAB_KBUILD_OUT=$kbuild_out LAB_BUILD=$BUILD "$LAB/scripts/guest.sh"
	if grep -qE 'WARNING:|BUG:|Kernel panic' "$dir/guest/console.log"; then
		say "the kernel complained; see $dir/guest/console.log"
	fi
	sed -n 's/^# //p' "$dir/guest/kselftest.tap" |
		grep -E "^(==|killer:|round|trace)" >"$dir/rounds.txt" || true
	grep -v '^trace' "$dir/rounds.txt" || true
	stage_end
}

worktree_paths "$BUILD/bench/base"
worktree_at "$WT_TREE" base
clients_kernel "$WT_TREE" "$WT_KBUILD_OUT" "$OUT/base"
clients_kernel "$LINUX" "$BUILD/bench/kernel" "$OUT/series"

stage_begin "base and series side by side (TCG guest)"
rm -f "$OUT"/trace-*
"$LAB/bench/clients.py" "$OUT" "$OUT/base/rounds.txt" "$OUT/series/rounds.txt" |
	tee "$OUT/summary.txt"
if command -v gnuplot >/dev/null; then
	gnuplot "$OUT/traces.gp"
	say "the traced rounds drawn in $(find "$OUT" -maxdepth 1 -name 'trace-*.png' | wc -l) pictures, $OUT/trace-*.png"
else
	say "no gnuplot (gnuplot-nox, which scripts/deps.sh installs): no pictures"
fi
stage_end
