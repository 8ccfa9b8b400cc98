#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# results: judge a guest run.  Reads $GUEST_OUT (default $BUILD/guest):
# console.log, kselftest.tap, qemu.status.
#
# - KTAP (KUnit suites on the console, kselftests on ttyS1) is parsed by the
#   kernel's own tools/testing/kunit/kunit.py parse: its JSON gives the
#   counts of test cases, its output a failed case's log (the last
#   LAB_FAIL_LINES lines are shown, default 8); both go to $OUT.
# - Every kernel complaint on the console (panic, BUG, WARNING, lockdep,
#   KASAN, bad page state, hung task, stall) fails the run and names the test
#   that was running; so does a guest that timed out, went silent or
#   stopped early, or that brought up fewer CPUs than it was given.
#
#   LAB_GUEST_OUT=dir    the guest run to read (default $BUILD/guest)
#   LAB_RESULTS_OUT=dir  where the parsed output goes (default $BUILD/results)
#
# The last line is "N passed, N failed"; the exit status is 1 on any failure.
set -eu -o pipefail
STAGE=results
. "$(dirname "$0")/lib.sh"

GUEST_OUT=${GUEST_OUT:-$BUILD/guest}
OUT=${RESULTS_OUT:-$BUILD/results}
KUNIT_PY=${KUNIT_PY:-$LINUX/tools/testing/kunit/kunit.py}
# Lines of a failed test's log to print with it
FAIL_LINES=${FAIL_LINES:-8}
# Lines of a kernel report (WARN, BUG, panic) to print at most
REPORT_LINES=40
COMPLAINTS='Kernel panic|BUG:|WARNING:|Oops|general protection fault|Bad page state|KASAN|UBSAN:|INFO: task .* blocked|detected stall'

passed=0
failed=0
skipped=0

# The test that was running at console line $1, or when the console ended.
running_at() {
	running_test "$GUEST_OUT/console.log" "${1:-}"
}

check_failed() {
	say "FAIL: $*"
	failed=$((failed + 1))
}

# Parse KTAP file $2 with kunit.py, add up its counts; $1 names it.
count_ktap() {
	local name=$1 file=$2 log=$OUT/$1.txt json=$OUT/$1.json summary counts p f s
	rm -f "$json"
	python3 "$KUNIT_PY" parse --json="$json" "$file" >"$log" 2>&1 || true
	summary=$(grep 'Testing complete' "$log" | tail -n 1 || true)
	if [ -z "$summary" ]; then
		check_failed "$name: no test results in $(basename "$file"), see $log"
		return
	fi
	# kunit.py prints a failed test's own log before its verdict: show the
	# last lines of it (the assertion that failed), the rest is in $log.
	sed -n 's/^\[[0-9:]*\] //p' "$log" | awk -v keep="$FAIL_LINES" '
		/^\[SKIPPED\]|^ *# (not ok|ok .*# SKIP)/ { print }
		/^# / { buf[n++ % keep] = $0; next }
		# a test of the plan that never ran: the kernel died first
		/^\[CRASHED\] *$/ { never++; n = 0; next }
		/^\[(FAILED|CRASHED)\]/ {
			print
			for (i = (n > keep ? n - keep : 0); i < n; i++)
				print "    " buf[i % keep]
		}
		{ n = 0 }
		END { if (never) print "[CRASHED] " never " test(s) of the plan never ran" }'
	if grep -qE '^\[[0-9:]*\] \[(FAILED|CRASHED)\]' "$log"; then
		say "$name: the failed tests' logs: $log; all output: $file"
	fi
	say "$name: ${summary#*] }"
	# A crashed test also counts as a parser error: count it once, and the
	# errors only when nothing failed or crashed.
	counts=$(python3 -c '
import json, sys
m = json.load(open(sys.argv[1]))["misc"]
print(m["passed"], m["failed"] + m["crashed"] or m["errors"], m["skipped"])' "$json") ||
		fail "$name: no counts in kunit.py's JSON $json"
	read -r p f s <<<"$counts"
	passed=$((passed + p))
	failed=$((failed + f))
	skipped=$((skipped + s))
}

check_console() {
	local console=$GUEST_OUT/console.log hits tests test first
	hits=$(grep -nE "$COMPLAINTS" "$console" | tr -d '\r' || true)
	[ -n "$hits" ] || return 0
	# "test<TAB>line number:line" for every complaint
	hits=$(echo "$hits" | while IFS= read -r hit; do
		printf '%s\t%s\n' "$(running_at "${hit%%:*}")" "$hit"
	done)
	# One failure per test during which the kernel complained.
	tests=$(echo "$hits" | cut -f1 | sort -u)
	while IFS= read -r test; do
		check_failed "console: the kernel complained while running $test:"
		echo "$hits" | awk -F'\t' -v t="$test" '$1 == t { print "    console.log:" $2 }' | head -n 10
		# The first complaint's whole report, to its end marker
		first=$(echo "$hits" | awk -F'\t' -v t="$test" '$1 == t { print $2; exit }')
		first=${first%%:*}
		say "the first report, from console.log line $first:"
		awk -v from="$first" -v max="$REPORT_LINES" 'NR >= from {
			sub(/\r$/, "")
			print "    | " $0
			if (++n >= max || /^---\[ end /) exit
		}' "$console"
	done <<<"$tests"
}

check_completion() {
	local status
	status=$(cat "$GUEST_OUT/qemu.status" 2>/dev/null || echo "missing")
	case "$status" in
	timeout*)
		check_failed "guest: timed out after ${status#timeout } s while running $(running_at)"
		;;
	idle*)
		check_failed "guest: no output for ${status#idle } s while running $(running_at); stopped as hung"
		;;
	stuck*)
		check_failed "guest: the kernel reported itself stuck while running $(running_at); stopped ${status#stuck } s later"
		;;
	"exit 0")
		grep -qF "$GUEST_DONE" "$GUEST_OUT/console.log" ||
			check_failed "guest: stopped while running $(running_at), before the end of the run"
		;;
	*)
		check_failed "guest: no qemu.status ($status); did the guest stage run?"
		;;
	esac
}

# Races and per-CPU state are what the tests are about: a guest that came
# up with fewer CPUs than QEMU gave it tests something else.
check_cpus() {
	local line n
	line=$(grep -o 'smp: Brought up .*' "$GUEST_OUT/console.log" | tr -d '\r' || true)
	[ -n "$line" ] || return 0
	n=$(echo "$line" | grep -oE '[0-9]+ CPUs?$' | grep -oE '^[0-9]+' || true)
	[ "$n" = "$GUEST_CPUS" ] ||
		check_failed "guest: $n of $GUEST_CPUS CPUs online ('$line')"
}

stage_begin "reading $GUEST_OUT"
[ -f "$GUEST_OUT/console.log" ] || fail "no $GUEST_OUT/console.log; run scripts/guest.sh first"
mkdir -p "$OUT"
# kunit.py changes to the kernel tree; give it absolute paths.
GUEST_OUT=$(cd "$GUEST_OUT" && pwd)
OUT=$(cd "$OUT" && pwd)
check_completion
check_cpus
check_console
# KUnit prints an empty plan when no suite is built in; count only suites.
if grep -q '# Subtest:' "$GUEST_OUT/console.log"; then
	count_ktap kunit "$GUEST_OUT/console.log"
fi
# The kernel's kselftest runner prefixes each test program's own KTAP with
# "# "; indent it instead, so that kunit.py counts its test cases as subtests.
awk '/^# selftests: / { inside = 1; print; next }
	/^(not )?ok [0-9]+ selftests: / { inside = 0; print; next }
	inside && /^# / { print "    " substr($0, 3); next }
	{ print }' "$GUEST_OUT/kselftest.tap" >"$OUT/kselftest.ktap" 2>/dev/null || true
count_ktap kselftest "$OUT/kselftest.ktap"
summary="$passed passed, $failed failed"
[ "$skipped" -eq 0 ] || summary="$summary, $skipped skipped"
echo "$summary"
[ "$failed" -eq 0 ]
