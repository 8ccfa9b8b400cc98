#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The lab's self-tests: each failure path of the lab must fail, name its
# cause, and not pass by accident.  Recorded guest output is in tests/data/;
# nothing here boots a kernel.  Prints TAP; exits 1 if a case fails.
set -u
LAB=$(cd "$(dirname "$0")/.." && pwd)
DATA=$LAB/tests/data
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

n=0
failed=0

# run_case NAME: run function NAME in a shell of its own with errexit, so
# that any command that fails fails the case, not only the last one (bash
# ignores set -e in a subshell that is an 'if' condition or part of a || list).
# Its output goes to a log that is shown when it fails.
run_case() {
	local name=$1 log=$TMP/$1.log rc=0
	n=$((n + 1))
	mkdir "$TMP/$name.d"
	(cd "$TMP/$name.d" && exec bash -eu "$LAB/tests/run.sh" --case "$name") \
		>"$log" 2>&1 || rc=$?
	if [ "$rc" -eq 0 ]; then
		echo "ok $n $name"
	else
		echo "not ok $n $name"
		sed 's/^/# /' "$log"
		failed=$((failed + 1))
	fi
}

# expect_fail "text" cmd...: cmd must exit non-zero and print text.
expect_fail() {
	local text=$1 out rc=0
	shift
	out=$("$@" 2>&1) || rc=$?
	echo "$out"
	[ "$rc" -ne 0 ] || { echo "expected a failure, got exit 0"; return 1; }
	grep -qF -- "$text" <<<"$out" || { echo "expected '$text' in the output"; return 1; }
}

# results.sh on recorded guest output tests/data/$1
results() {
	LAB_GUEST_OUT=$DATA/$1 LAB_RESULTS_OUT=$PWD/results-$1 LAB_LINUX=$KERNEL \
		"$LAB/scripts/results.sh"
}

last_line() {
	tail -n 1
}

KERNEL=${LAB_LINUX:-$LAB/linux}

results_pass() {
	local out
	out=$(results pass)
	echo "$out"
	last_line <<<"$out" | grep -qE '^[1-9][0-9]* passed, 0 failed'
}

results_failing_test() {
	expect_fail "1 failed" results fail-test
}

# The assertion that failed is printed with the failed test's name.
results_failing_test_says_why() {
	expect_fail "Expected gone (1) == 0 (0)" results fail-test
}

results_panic_names_test() {
	expect_fail "while running mm: mrelease_kill_test" results panic
}

results_warn_names_test() {
	expect_fail "the kernel complained while running mm: mrelease_kill_test" results warn
}

# The WARN's whole report is printed, its call trace included.
results_warn_report_is_printed() {
	expect_fail "    |  do_syscall_64+0x4b/0x110" results warn
	expect_fail "    | ---[ end trace" results warn
}

results_hang_names_test() {
	expect_fail "timed out after 1800 s while running mm: mrelease_kill_test" results hang
}

# A guest that went silent was stopped by guest.sh: the test that hung is named.
results_silence_names_test() {
	cp -r "$DATA/hang" silent
	echo "idle 300" >silent/qemu.status
	expect_fail "no output for 300 s while running mm: mrelease_kill_test" \
		env LAB_GUEST_OUT="$PWD/silent" LAB_RESULTS_OUT="$PWD/r" LAB_LINUX="$KERNEL" \
		"$LAB/scripts/results.sh"
}

# A guest stopped because its kernel reported itself stuck: the test is named.
results_stuck_names_test() {
	cp -r "$DATA/hang" stuck
	echo "stuck 10" >stuck/qemu.status
	expect_fail "reported itself stuck while running mm: mrelease_kill_test" \
		env LAB_GUEST_OUT="$PWD/stuck" LAB_RESULTS_OUT="$PWD/r" LAB_LINUX="$KERNEL" \
		"$LAB/scripts/results.sh"
}

# A kernel that dies in a KUnit case at boot, before the first selftest:
# the suite and the last case that ended are named.
results_kunit_crash_names_case() {
	expect_fail "complained while running KUnit mrelease_evict, the case after anon_is_freed_before_eviction" \
		results kunit-crash
}

# A panic's tests that never ran make one line, not one blank line each.
results_panic_counts_tests_never_run() {
	local out
	out=$(results panic) && return 1
	echo "$out"
	grep -qx '\[CRASHED\] 14 test(s) of the plan never ran' <<<"$out"
	[ "$(grep -c '^\[CRASHED\] *$' <<<"$out")" -eq 0 ]
}

# The lab reads its settings as LAB_<name>, or from make's command line:
# the same names unprefixed in the environment change nothing.
settings_ignore_stray_names() {
	env GUEST_OUT=/nonexistent RESULTS_OUT="$PWD/stray" LAB_GUEST_OUT="$DATA/pass" \
		LAB_RESULTS_OUT="$PWD/r1" LAB_LINUX="$KERNEL" "$LAB/scripts/results.sh"
	[ -d r1 ] && [ ! -e stray ]
	env GUEST_OUT=/nonexistent RESULTS_OUT="$PWD/stray" BUILD="$PWD/stray" \
		make -s -C "$LAB" results-only GUEST_OUT="$DATA/pass" \
		RESULTS_OUT="$PWD/r2" LINUX="$KERNEL"
	[ -d r2 ] && [ ! -e stray ]
}

results_kunit_failure() {
	expect_fail "18 passed, 1 failed" results kunit-fail
}

results_missing_cpu() {
	expect_fail "guest: 1 of 2 CPUs online" results one-cpu
}

results_bad_ktap() {
	expect_fail "0 passed, 1 failed" results bad-ktap
}

results_final_line_on_failure() {
	local out
	out=$(results warn) && return 1
	last_line <<<"$out" | grep -qE '^[0-9]+ passed, [1-9][0-9]* failed'
}

config_missing_option() {
	printf 'CONFIG_SWAP=y\n# CONFIG_MEMCG is not set\n' >config
	printf 'CONFIG_SWAP=y\nCONFIG_MEMCG=y\n' >frag
	expect_fail "CONFIG_MEMCG did not survive olddefconfig" \
		"$LAB/scripts/config.sh" --check config frag
}

config_later_fragment_wins() {
	printf '# CONFIG_SWAP is not set\nCONFIG_MEMCG=y\n' >config
	printf 'CONFIG_SWAP=y\nCONFIG_MEMCG=y\n' >frag
	printf '# CONFIG_SWAP is not set\n' >nosw
	"$LAB/scripts/config.sh" --check config frag nosw
}

# A one-file git tree tagged 'base', standing in for the kernel.
fake_tree() {
	git init -q -b series linux
	echo one >linux/file
	git -C linux add file
	git -C linux -c user.name=t -c user.email=t@t commit -q -m base
	git -C linux tag base
}

# A series option is used when the tree's Kconfig defines it, and only then.
config_series_option_in_tree() {
	local out
	fake_tree
	printf 'config FOO_KUNIT_TEST\n\ttristate "foo"\n' >linux/Kconfig
	git -C linux add Kconfig
	printf 'CONFIG_FOO_KUNIT_TEST=y\nCONFIG_FOO_KUNIT=y\n' >series
	out=$(LAB_LINUX=$PWD/linux LAB_SERIES_CONFIG=$PWD/series \
		"$LAB/scripts/config.sh" --series-options 2>&1)
	echo "$out"
	grep -qx 'CONFIG_FOO_KUNIT_TEST=y' <<<"$out"
	grep -q 'CONFIG_FOO_KUNIT is not in this tree' <<<"$out"
	! grep -qx 'CONFIG_FOO_KUNIT=y' <<<"$out"
}

tree_bad_patch_is_named() {
	fake_tree
	mkdir patches
	git -C linux checkout -q -b other
	echo two >linux/file
	git -C linux -c user.name=t -c user.email=t@t commit -q -am "change one to two"
	git -C linux format-patch -q -o ../patches base..HEAD
	mv patches/0001-*.patch patches/0001-good.patch
	sed 's/^-one/-three/' patches/0001-good.patch >patches/0002-bad.patch
	git -C linux checkout -q series
	expect_fail "patch 0002-bad.patch does not apply" \
		env LAB_LINUX="$PWD/linux" LAB_PATCHES="$PWD/patches" LAB_BUILD="$PWD/build" \
		"$LAB/scripts/tree.sh" apply
}

# A one-patch series in patches/ made from a commit of a fake_tree.
fake_series() {
	fake_tree
	git -C linux checkout -q -b other
	echo two >linux/file
	git -C linux -c user.name=t -c user.email=t@t commit -q -am "change one to two"
	git -C linux format-patch -q -o ../patches base..HEAD
	git -C linux checkout -q series
	git -C linux branch -q -D other
	export LAB_LINUX=$PWD/linux LAB_PATCHES=$PWD/patches LAB_BUILD=$PWD/build
}

# A series that does not apply whole leaves linux/ at base, not half-applied.
tree_failed_apply_leaves_base() {
	fake_series
	sed 's/^-one/-three/' patches/0001-*.patch >patches/0002-bad.patch
	expect_fail "linux/ is back at base" "$LAB/scripts/tree.sh" apply
	[ "$(git -C linux rev-parse HEAD)" = "$(git -C linux rev-parse base)" ]
	# and export then refuses to empty patches/
	expect_fail "export would empty patches/" "$LAB/scripts/tree.sh" export
	[ -f patches/0002-bad.patch ]
}

# Commits and edits only in linux/ survive a reset, unless FORCE=1.
tree_reset_keeps_work() {
	fake_series
	"$LAB/scripts/tree.sh" apply
	echo three >linux/file
	expect_fail "uncommitted changes" "$LAB/scripts/tree.sh" reset
	git -C linux -c user.name=t -c user.email=t@t commit -q -am "two to three"
	expect_fail "differ from patches/" "$LAB/scripts/tree.sh" reset
	[ "$(cat linux/file)" = three ]
	LAB_FORCE=1 "$LAB/scripts/tree.sh" reset
	[ "$(cat linux/file)" = two ]
}

# make check tests linux/ and patches/ both: they must be the same series.
tree_check_wants_linux_as_patches() {
	fake_series
	"$LAB/scripts/tree.sh" apply
	"$LAB/scripts/tree.sh" check
	echo three >linux/file
	expect_fail "uncommitted changes" "$LAB/scripts/tree.sh" check
	git -C linux -c user.name=t -c user.email=t@t commit -q -am "two to three"
	expect_fail "differ from patches/" "$LAB/scripts/tree.sh" check
}

# With LINUX_TREE, nothing is downloaded, and linux/ records where it came
# from: a linux/ from elsewhere is not used.
tree_linux_tree_origin() {
	fake_tree
	mv linux src
	mkdir patches
	export LAB_LINUX=$PWD/linux LAB_PATCHES=$PWD/patches LAB_BUILD=$PWD/build
	out=$(LAB_LINUX_TREE=$PWD/src "$LAB/scripts/base.sh")
	grep -q "not needed" <<<"$out"
	[ ! -e build/base ]
	LAB_LINUX_TREE=$PWD/src "$LAB/scripts/tree.sh" apply
	grep -q "LINUX_TREE=$PWD/src " <<<"$(git -C linux config lab.origin)"
	git clone -q src src2
	expect_fail "linux/ came from 'LINUX_TREE=$PWD/src" \
		env LAB_LINUX_TREE="$PWD/src2" "$LAB/scripts/tree.sh" apply
}

tree_export_is_stable() {
	fake_tree
	echo two >linux/file
	git -C linux -c user.name=t -c user.email=t@t commit -q -am "change one to two"
	printf 'Cover subject\n\nCover body.\n' >cover
	export LAB_LINUX=$PWD/linux LAB_PATCHES=$PWD/patches LAB_BUILD=$PWD/build LAB_COVER=$PWD/cover
	git -C linux notes add -m "$(printf 'Changes since v1:\n- one\n\n- two')" HEAD
	"$LAB/scripts/tree.sh" export
	cp -r patches first
	sleep 1
	"$LAB/scripts/tree.sh" export
	diff -r first patches
	grep -q 'Subject: \[PATCH v3 0/1\] Cover subject' patches/v3-0000-cover-letter.patch
	# Applied again, the series exports to the same files, notes included.
	"$LAB/scripts/tree.sh" reset
	"$LAB/scripts/tree.sh" export
	diff -r first patches
	grep -q '^    - two$' patches/v3-0001-*.patch
}

# What guest.sh packs, standing in for a kernel, its tree and one selftest;
# ./qemu runs "$1".
fake_guest() {
	mkdir -p kernel/arch/x86/boot selftests ksft/tools/testing/selftests/kselftest \
		ksft/tools/testing/selftests/mm
	touch kernel/arch/x86/boot/bzImage ksft/tools/testing/selftests/run_kselftest.sh \
		ksft/tools/testing/selftests/kselftest/runner.sh \
		ksft/tools/testing/selftests/kselftest/ktap_helpers.sh \
		ksft/tools/testing/selftests/mm/settings
	printf '#!/bin/sh\n' >selftests/mrelease_test
	chmod +x selftests/mrelease_test
	echo mrelease_test >selftests/list
	printf '#!/bin/sh\n%s\n' "$1" >qemu
	chmod +x qemu
}

# Ctrl-C: SIGINT to the foreground process group, as a terminal sends it.
# $1: a file with the pid of a process that must be gone soon after;
# the rest: the command, started as a process group of its own.
interrupt_leaves_nothing() {
	local pidfile=$1 pgid i
	shift
	# A job started with & ignores SIGINT, and so would all it runs:
	# give the command SIGINT's default back, as a terminal's shell does.
	python3 -c 'import os, signal, sys
signal.signal(signal.SIGINT, signal.SIG_DFL)
os.setsid()
os.execvp(sys.argv[1], sys.argv[1:])' "$@" >out.log 2>&1 &
	pgid=$!
	for i in $(seq 50); do
		[ -s "$pidfile" ] && break
		sleep 0.2
	done
	[ -s "$pidfile" ]
	kill -INT -- -"$pgid"
	# Everything of the group gone within 5 s: the process in $1 may go
	# first, and the script's trap needs a moment on a loaded machine.
	for i in $(seq 25); do
		kill -0 -- -"$pgid" 2>/dev/null || break
		sleep 0.2
	done
	echo "after $i tries"
	cat out.log
	# (not "! cmd": set -e does not stop on it)
	if kill -0 "$(cat "$pidfile")" 2>/dev/null; then
		echo "pid $(cat "$pidfile") still runs"
		return 1
	fi
	if kill -0 -- -"$pgid" 2>/dev/null; then
		echo "processes of group $pgid still run"
		return 1
	fi
}

# QEMU runs under timeout in a process group of its own: Ctrl-C must stop it.
guest_interrupt_stops_qemu() {
	fake_guest 'echo $$ >qemu.pid; exec sleep 60'
	LAB_BUILD=$PWD/build LAB_KBUILD_OUT=$PWD/kernel LAB_LINUX=$PWD/ksft LAB_SELFTESTS_DIR=$PWD/selftests \
		LAB_QEMU=$PWD/qemu LAB_GUEST_TIMEOUT=100 interrupt_leaves_nothing qemu.pid "$LAB/scripts/guest.sh"
}

# The kernel build: Ctrl-C must stop make, and its progress reporter.
build_interrupt_stops_make() {
	mkdir src out
	printf 'all:\n\techo $$$$ >%s/make.pid; sleep 60\n' "$PWD" >src/Makefile
	touch out/.config
	LAB_LINUX=$PWD/src LAB_KBUILD_OUT=$PWD/out interrupt_leaves_nothing make.pid \
		"$LAB/scripts/kernel.sh" all
}

# Two builds never share an output directory: the second one stops.
build_output_directory_is_locked() {
	mkdir src out
	printf 'all:\n\techo $$$$ >%s/make.pid; sleep 30\n' "$PWD" >src/Makefile
	touch out/.config
	LAB_LINUX=$PWD/src LAB_KBUILD_OUT=$PWD/out "$LAB/scripts/kernel.sh" all >first.log 2>&1 &
	for i in $(seq 50); do
		[ -s make.pid ] && break
		sleep 0.2
	done
	expect_fail "another build is using $PWD/out" \
		env LAB_LINUX="$PWD/src" LAB_KBUILD_OUT="$PWD/out" "$LAB/scripts/kernel.sh" all
	kill "$(cat make.pid)"
	wait || true
}

# The lock goes with the build: a second build right after the first one
# ended must not find it held (the progress reporter's sleep once kept it).
build_lock_is_released_at_exit() {
	mkdir src out
	printf 'all:\n\ttrue\n' >src/Makefile
	touch out/.config
	LAB_LINUX=$PWD/src LAB_KBUILD_OUT=$PWD/out "$LAB/scripts/kernel.sh" all
	LAB_LINUX=$PWD/src LAB_KBUILD_OUT=$PWD/out "$LAB/scripts/kernel.sh" all
}

guest_hang_times_out() {
	fake_guest 'exec sleep 60'
	LAB_BUILD=$PWD/build LAB_KBUILD_OUT=$PWD/kernel LAB_LINUX=$PWD/ksft LAB_SELFTESTS_DIR=$PWD/selftests \
		LAB_QEMU=$PWD/qemu LAB_GUEST_TIMEOUT=2 "$LAB/scripts/guest.sh"
	grep -qx 'timeout 2' build/guest/qemu.status
}

# A guest that prints nothing for IDLE_TIMEOUT seconds is stopped then, long
# before GUEST_TIMEOUT; one that keeps printing is not.
guest_silence_stops_qemu() {
	local start
	fake_guest 'exec sleep 60'
	start=$(date +%s)
	LAB_BUILD=$PWD/build LAB_KBUILD_OUT=$PWD/kernel LAB_LINUX=$PWD/ksft LAB_SELFTESTS_DIR=$PWD/selftests \
		LAB_QEMU=$PWD/qemu LAB_GUEST_TIMEOUT=100 LAB_IDLE_TIMEOUT=2 "$LAB/scripts/guest.sh"
	grep -qx 'idle 2' build/guest/qemu.status
	[ $(($(date +%s) - start)) -lt 30 ]
	# A line a second on the console for 4 s: it is not idle.
	# shellcheck disable=SC2016 # the fake QEMU's script
	fake_guest 'for a; do case "$a" in file:*console.log) log=${a#file:} ;; esac; done
for i in 1 2 3 4; do echo "line $i" >>"$log"; sleep 1; done'
	LAB_BUILD=$PWD/build LAB_KBUILD_OUT=$PWD/kernel LAB_LINUX=$PWD/ksft LAB_SELFTESTS_DIR=$PWD/selftests \
		LAB_QEMU=$PWD/qemu LAB_GUEST_TIMEOUT=100 LAB_IDLE_TIMEOUT=2 "$LAB/scripts/guest.sh"
	grep -qx 'exit 0' build/guest/qemu.status
}

# A kernel that reported an RCU stall keeps printing, so it is never idle: the
# guest is stopped soon after the report, long before GUEST_TIMEOUT.
guest_stuck_kernel_stops_qemu() {
	local start
	# shellcheck disable=SC2016 # the fake QEMU's script
	fake_guest 'for a; do case "$a" in file:*console.log) log=${a#file:} ;; esac; done
echo "rcu: INFO: rcu_preempt self-detected stall on CPU" >>"$log"
while :; do echo "rcu: 1-....: (21003 ticks this GP)" >>"$log"; sleep 1; done'
	start=$(date +%s)
	LAB_BUILD=$PWD/build LAB_KBUILD_OUT=$PWD/kernel LAB_LINUX=$PWD/ksft LAB_SELFTESTS_DIR=$PWD/selftests \
		LAB_QEMU=$PWD/qemu LAB_GUEST_TIMEOUT=100 LAB_IDLE_TIMEOUT=50 "$LAB/scripts/guest.sh"
	grep -qx 'stuck 10' build/guest/qemu.status
	[ $(($(date +%s) - start)) -lt 40 ]
}

# SELFTEST_ARGS reaches the program: the runner starts a script that passes it.
guest_selftest_args_reach_the_program() {
	local mm=build/guest/initramfs/kselftest/mm
	fake_guest 'exit 0'
	LAB_BUILD=$PWD/build LAB_KBUILD_OUT=$PWD/kernel LAB_LINUX=$PWD/ksft LAB_SELFTESTS_DIR=$PWD/selftests \
		LAB_QEMU=$PWD/qemu LAB_SELFTEST_ARGS='-t one -t two' "$LAB/scripts/guest.sh"
	cmp selftests/mrelease_test "$mm/mrelease_test.bin"
	# shellcheck disable=SC2016 # the script's text, not expanded here
	grep -qx 'exec "$(dirname "$0")/mrelease_test.bin" -t one -t two' "$mm/mrelease_test"
	[ -x "$mm/mrelease_test" ]
}

# make bisectable and make mutants build incrementally: worktree_at checks
# another commit out in the worktree it made before instead of a new one,
# also when run from inside another git tree (the lab's own).
worktree_is_kept() {
	fake_tree
	echo two >linux/file
	git -C linux -c user.name=t -c user.email=t@t commit -q -am two
	git init -q lab
	# shellcheck disable=SC2016 # the script's text, not expanded here
	(cd lab && LAB_LINUX=$PWD/../linux bash -eu -c '. "$1/scripts/lib.sh"
		worktree_at ../wt base
		touch ../wt/object
		worktree_at ../wt series' t "$LAB")
	[ -e wt/object ] && [ "$(cat wt/file)" = two ]
}

# FAIL_FAST=1 tells the guest's init to stop at the first failure, on the
# kernel command line; without it the init runs every test.
guest_fail_fast_reaches_the_command_line() {
	fake_guest 'printf "%s\n" "$@" >args'
	LAB_BUILD=$PWD/build LAB_KBUILD_OUT=$PWD/kernel LAB_LINUX=$PWD/ksft LAB_SELFTESTS_DIR=$PWD/selftests \
		LAB_QEMU=$PWD/qemu "$LAB/scripts/guest.sh"
	[ "$(grep -c lab_fail_fast args)" = 0 ]
	LAB_BUILD=$PWD/build LAB_KBUILD_OUT=$PWD/kernel LAB_LINUX=$PWD/ksft LAB_SELFTESTS_DIR=$PWD/selftests \
		LAB_QEMU=$PWD/qemu LAB_FAIL_FAST=1 "$LAB/scripts/guest.sh"
	grep -q ' lab_fail_fast=1' args
}

# Not a case: a body whose middle command fails, for the case below.
middle_command_fails() {
	false
	true
}

run_case_fails_on_a_middle_command() {
	! bash -eu "$LAB/tests/run.sh" --case middle_command_fails
}

scripts_are_shellcheck_clean() {
	cd "$LAB" && shellcheck scripts/*.sh tests/run.sh guest/init guest/timeout .ci/run
}

# run.sh --case NAME: one case, in the shell run_case starts for it.
if [ "${1:-}" = --case ]; then
	"$2"
	exit
fi

for c in results_pass results_failing_test results_failing_test_says_why \
	results_panic_names_test \
	results_warn_names_test results_warn_report_is_printed results_hang_names_test \
	results_kunit_failure results_kunit_crash_names_case \
	results_missing_cpu results_bad_ktap results_silence_names_test results_stuck_names_test \
	results_panic_counts_tests_never_run settings_ignore_stray_names \
	results_final_line_on_failure config_missing_option \
	config_later_fragment_wins config_series_option_in_tree tree_bad_patch_is_named tree_export_is_stable \
	tree_failed_apply_leaves_base tree_reset_keeps_work tree_check_wants_linux_as_patches \
	tree_linux_tree_origin \
	guest_hang_times_out guest_silence_stops_qemu guest_stuck_kernel_stops_qemu guest_selftest_args_reach_the_program \
	guest_fail_fast_reaches_the_command_line worktree_is_kept \
	guest_interrupt_stops_qemu build_interrupt_stops_make build_output_directory_is_locked \
	build_lock_is_released_at_exit \
	run_case_fails_on_a_middle_command scripts_are_shellcheck_clean; do
	run_case "$c"
done
echo "labtest: $((n - failed)) passed, $failed failed"
[ "$failed" -eq 0 ]
