#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# guest: pack the initramfs (busybox, mke2fs, the kernel's kselftest runner
# and the selftests) and boot the test kernel in QEMU, under TCG unless
# LAB_GUEST_ACCEL=kvm asks for KVM.  The guest runs the tests and powers off.
# A guest that prints nothing for LAB_IDLE_TIMEOUT seconds, whose kernel
# reports itself stuck (RCU stall, soft lockup, hung task), or that runs
# longer than LAB_GUEST_TIMEOUT, is stopped.
#
# Output in $BUILD/guest: console.log (ttyS0: kernel log, KUnit KTAP),
# kselftest.tap (ttyS1: the runner's TAP), qemu.status ("exit N",
# "timeout N", "idle N" or "stuck N").
#
# The selftests run are those selftests.sh built ($SELFTESTS_DIR/list).
#   LAB_GUEST_TIMEOUT=s    whole guest run (default 1800)
#   LAB_IDLE_TIMEOUT=s     longest time without guest output (default 300)
#   LAB_TEST_TIMEOUT=s     one selftest program (default 900)
#   LAB_QEMU=cmd           QEMU binary (default qemu-system-x86_64)
#   LAB_SELFTEST_ARGS=args arguments for every selftest program, e.g.
#                          "-t NAME" to run one case of the harness
#   LAB_KUNIT_FILTER=glob  KUnit suites (and suite.case) to run at boot
#                          (kunit.filter_glob; default: all built in)
#   LAB_CMDLINE=args       more kernel command-line arguments
#   LAB_FAIL_FAST=1        end the run at the first test program that fails,
#                          before the kselftests if a KUnit case failed
#                          (default 0; make mutants: 1)
#   LAB_GUEST_FILES="a b"  more files of $SELFTESTS_DIR to install beside
#                          the selftests (programs the listed ones run)
#   LAB_SELFTESTS_DIR=dir  the built selftests (default $BUILD/selftests/mm)
#   LAB_GUEST_OUT=dir      output directory (default $BUILD/guest)
set -eu -o pipefail
STAGE=guest
. "$(dirname "$0")/lib.sh"

OUT=${GUEST_OUT:-$BUILD/guest}
ROOT=$OUT/initramfs
SELFTESTS_DIR=${SELFTESTS_DIR:-$BUILD/selftests/mm}
KSFT_SRC=$LINUX/tools/testing/selftests
GUEST_TIMEOUT=${GUEST_TIMEOUT:-1800}
IDLE_TIMEOUT=${IDLE_TIMEOUT:-300}
TEST_TIMEOUT=${TEST_TIMEOUT:-900}
QEMU=${QEMU:-qemu-system-x86_64}
# The kernel's own reports that it is stuck: an RCU stall, a soft lockup, a
# hung task.  The guest is stopped STUCK_GRACE seconds after the first, the
# time to print the rest of the report.
STUCK='detected stall|BUG: soft lockup|INFO: task .* blocked for more than'
STUCK_GRACE=10

# Copy a dynamically linked program and the libraries it needs into $ROOT.
copy_program() {
	local lib
	install -D "$1" "$ROOT$1"
	for lib in $(ldd "$1" | grep -o '/[^ ]*'); do
		install -D "$lib" "$ROOT$lib"
	done
}

pack_initramfs() {
	local t
	rm -rf "$ROOT"
	mkdir -p "$ROOT"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,tmp,mnt,etc}
	mkdir -p "$ROOT/kselftest/kselftest" "$ROOT/kselftest/mm"
	install -m 755 /bin/busybox "$ROOT/bin/busybox"
	install -m 755 "$LAB/guest/init" "$ROOT/init"
	install -m 755 "$LAB/guest/timeout" "$ROOT/usr/bin/timeout"
	copy_program /sbin/mke2fs
	cp /etc/mke2fs.conf "$ROOT/etc/"

	install -m 755 "$KSFT_SRC/run_kselftest.sh" "$ROOT/kselftest/"
	cp "$KSFT_SRC/kselftest/runner.sh" "$KSFT_SRC/kselftest/ktap_helpers.sh" \
		"$ROOT/kselftest/kselftest/"
	cp "$KSFT_SRC/mm/settings" "$ROOT/kselftest/mm/"
	: >"$ROOT/kselftest/kselftest-list.txt"
	[ -s "$SELFTESTS_DIR/list" ] || fail "no $SELFTESTS_DIR/list; run scripts/selftests.sh first"
	while read -r t; do
		[ -x "$SELFTESTS_DIR/$t" ] || fail "selftest $t was not built ($SELFTESTS_DIR/$t)"
		if [ -n "${SELFTEST_ARGS:-}" ]; then
			# The runner passes no arguments: it runs a script that does.
			install -m 755 "$SELFTESTS_DIR/$t" "$ROOT/kselftest/mm/$t.bin"
			# shellcheck disable=SC2016 # $0 is the script's, not ours
			printf '#!/bin/sh\nexec "$(dirname "$0")/%s.bin" %s\n' "$t" "$SELFTEST_ARGS" >"$ROOT/kselftest/mm/$t"
			chmod 755 "$ROOT/kselftest/mm/$t"
		else
			install -m 755 "$SELFTESTS_DIR/$t" "$ROOT/kselftest/mm/"
		fi
		echo "mm:$t" >>"$ROOT/kselftest/kselftest-list.txt"
	done <"$SELFTESTS_DIR/list"
	for t in ${GUEST_FILES:-}; do
		install -m 755 "$SELFTESTS_DIR/$t" "$ROOT/kselftest/mm/" ||
			fail "no $SELFTESTS_DIR/$t (LAB_GUEST_FILES)"
	done
	(cd "$ROOT" && find . | cpio -o -H newc -R 0:0 --quiet | gzip -1) >"$OUT/initramfs.cpio.gz"
}

# Not KVM because /dev/kvm exists: on this lab's machines (nested) it does,
# but QEMU either aborts setting MSR 0x10a (-cpu max or host) or the guest
# hangs before its first console line (-cpu max,-arch-capabilities).
accel() {
	echo "${GUEST_ACCEL:-tcg}"
}

# The bytes the guest has written to its two serial ports.
output_size() {
	{ cat "$OUT/console.log" "$OUT/kselftest.tap" 2>/dev/null || true; } | wc -c
}

# While QEMU ($1) runs: a line a minute naming the running test, and the
# idle-output watchdog.  Leaves the longest silence in $OUT/silence.
watch_guest() {
	local pid=$1 n=0 size last=0 quiet=0 longest=0 stuck=
	while kill -0 "$pid" 2>/dev/null; do
		sleep 1
		n=$((n + 1))
		size=$(output_size)
		if [ "$size" -ne "$last" ]; then
			last=$size
			quiet=0
			# A kernel that reported itself stuck repeats its report
			# and is never idle; results.sh fails the run on it.
			if [ -z "$stuck" ] && grep -qE "$STUCK" "$OUT/console.log"; then
				stuck=$n
				say "the kernel reports itself stuck while running $(running_test "$OUT/console.log"); stopping it in $STUCK_GRACE s"
			fi
		else
			quiet=$((quiet + 1))
			[ "$quiet" -le "$longest" ] || longest=$quiet
		fi
		if [ -n "$stuck" ] && [ $((n - stuck)) -ge "$STUCK_GRACE" ]; then
			echo "stuck $STUCK_GRACE" >"$OUT/qemu.status"
			kill "$pid" 2>/dev/null || true
			break
		fi
		if [ "$quiet" -ge "$IDLE_TIMEOUT" ]; then
			say "no guest output for $quiet s while running $(running_test "$OUT/console.log"); stopping it"
			echo "idle $quiet" >"$OUT/qemu.status"
			kill "$pid" 2>/dev/null || true
			break
		fi
		if [ $((n % 60)) -eq 0 ]; then
			say "guest alive after $n s: $(running_test "$OUT/console.log")"
		fi
	done
	echo "$longest" >"$OUT/silence"
}

run_qemu() {
	local kernel=$KBUILD_OUT/arch/x86/boot/bzImage rc=0 pid
	local append="console=ttyS0 panic=-1 brd.rd_nr=2 brd.rd_size=524288 lab_test_timeout=$TEST_TIMEOUT"
	[ -f "$kernel" ] || fail "no kernel at $kernel; run scripts/kernel.sh first"
	[ -z "${KUNIT_FILTER:-}" ] || append="$append kunit.filter_glob=$KUNIT_FILTER"
	[ -z "${CMDLINE:-}" ] || append="$append $CMDLINE"
	[ "${FAIL_FAST:-0}" = 0 ] || append="$append lab_fail_fast=1"
	rm -f "$OUT/console.log" "$OUT/kselftest.tap" "$OUT/qemu.status" "$OUT/silence"
	# Swap on a virtio disk: unlike brd, not SWP_SYNCHRONOUS_IO, so that
	# swap-ins go through the swap cache.  Sparse, made anew each run.
	rm -f "$OUT/swap.img"
	truncate -s 512M "$OUT/swap.img"
	timeout -k 10 "$GUEST_TIMEOUT" "$QEMU" \
		-accel "$(accel)" -cpu max -smp "$GUEST_CPUS" -m 2G \
		-display none -monitor none -no-reboot \
		-serial "file:$OUT/console.log" -serial "file:$OUT/kselftest.tap" \
		-drive "file=$OUT/swap.img,if=virtio,format=raw,cache=unsafe" \
		-kernel "$kernel" -initrd "$OUT/initramfs.cpio.gz" \
		-append "$append" >"$OUT/qemu.log" 2>&1 &
	pid=$!
	# timeout runs QEMU in a process group of its own, which Ctrl-C does not
	# reach; timeout passes our TERM on to QEMU.
	trap 'kill "$pid" 2>/dev/null; wait "$pid"; exit 130' INT TERM
	watch_guest "$pid"
	wait "$pid" || rc=$?
	trap - INT TERM
	rm -f "$OUT/swap.img"
	if [ -f "$OUT/qemu.status" ]; then
		return 0
	fi
	case "$rc" in
	124 | 137) echo "timeout $GUEST_TIMEOUT" >"$OUT/qemu.status" ;;
	0) echo "exit 0" >"$OUT/qemu.status" ;;
	*)
		cat "$OUT/qemu.log" >&2
		fail "$QEMU failed with exit code $rc"
		;;
	esac
}

stage_begin "booting the test kernel ($(accel), tests: $(paste -sd' ' "$SELFTESTS_DIR/list"))"
mkdir -p "$OUT"
pack_initramfs
run_qemu
say "guest ended: $(cat "$OUT/qemu.status"); longest silence $(cat "$OUT/silence") s"
stage_end
