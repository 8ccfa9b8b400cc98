#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# guest: pack the initramfs (busybox, mke2fs, the kernel's kselftest runner
# and the selftests) and boot the test kernel in QEMU, under TCG unless
# GUEST_ACCEL=kvm asks for KVM.  The guest runs the tests and powers off; a
# timeout ends a guest that hangs.
#
# Output in $BUILD/guest: console.log (ttyS0: kernel log, KUnit KTAP),
# kselftest.tap (ttyS1: the runner's TAP), qemu.status ("exit N" or
# "timeout N").
#
# The selftests run are those selftests.sh built ($SELFTESTS_DIR/list).
#   GUEST_TIMEOUT=s      whole guest run (default 1800)
#   TEST_TIMEOUT=s       one selftest program (default 900)
#   QEMU=cmd             QEMU binary (default qemu-system-x86_64)
#   SELFTEST_ARGS=args   arguments for every selftest program, e.g.
#                        "-t NAME" to run one case of the harness
#   GUEST_FILES="a b"    more files of $SELFTESTS_DIR to install beside the
#                        selftests (programs the listed ones run)
#   GUEST_OUT=dir        output directory (default $BUILD/guest)
set -eu
STAGE=guest
. "$(dirname "$0")/lib.sh"

OUT=${GUEST_OUT:-$BUILD/guest}
ROOT=$OUT/initramfs
SELFTESTS_DIR=${SELFTESTS_DIR:-$BUILD/selftests/mm}
KSFT_SRC=$LINUX/tools/testing/selftests
GUEST_TIMEOUT=${GUEST_TIMEOUT:-1800}
TEST_TIMEOUT=${TEST_TIMEOUT:-900}
QEMU=${QEMU:-qemu-system-x86_64}

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
			fail "no $SELFTESTS_DIR/$t (GUEST_FILES)"
	done
	(cd "$ROOT" && find . | cpio -o -H newc -R 0:0 --quiet | gzip -1) >"$OUT/initramfs.cpio.gz"
}

# Not KVM because /dev/kvm exists: on this lab's machines (nested) it does,
# but QEMU either aborts setting MSR 0x10a (-cpu max or host) or the guest
# hangs before its first console line (-cpu max,-arch-capabilities).
accel() {
	echo "${GUEST_ACCEL:-tcg}"
}

# Print a line now and then while the guest runs, naming the running test.
watch_guest() {
	local pid=$1 n=0 running
	while kill -0 "$pid" 2>/dev/null; do
		sleep 1
		n=$((n + 1))
		if [ $((n % 60)) -eq 0 ]; then
			running=$(grep -o 'lab: running .*' "$OUT/console.log" | tail -n 1 | tr -d '\r')
			say "guest alive after $n s: ${running:-booting}"
		fi
	done
}

run_qemu() {
	local kernel=$KBUILD_OUT/arch/x86/boot/bzImage rc=0 pid
	[ -f "$kernel" ] || fail "no kernel at $kernel; run scripts/build.sh first"
	rm -f "$OUT/console.log" "$OUT/kselftest.tap" "$OUT/qemu.status"
	timeout -k 10 "$GUEST_TIMEOUT" "$QEMU" \
		-accel "$(accel)" -cpu max -smp "$GUEST_CPUS" -m 2G \
		-display none -monitor none -no-reboot \
		-serial "file:$OUT/console.log" -serial "file:$OUT/kselftest.tap" \
		-kernel "$kernel" -initrd "$OUT/initramfs.cpio.gz" \
		-append "console=ttyS0 panic=-1 brd.rd_nr=2 brd.rd_size=524288 lab_test_timeout=$TEST_TIMEOUT" \
		>"$OUT/qemu.log" 2>&1 &
	pid=$!
	# timeout runs QEMU in a process group of its own, which Ctrl-C does not
	# reach; timeout passes our TERM on to QEMU.
	trap 'kill "$pid" 2>/dev/null; wait "$pid"; exit 130' INT TERM
	watch_guest "$pid"
	wait "$pid" || rc=$?
	trap - INT TERM
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
say "guest ended: $(cat "$OUT/qemu.status")"
stage_end
