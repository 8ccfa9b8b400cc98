# SPDX-License-Identifier: GPL-2.0
# The process_mrelease lab.  Each target runs one stage script in scripts/;
# this file only strings them together.
#
#   make          base kernel + patches/, build, boot in QEMU, run the tests
#   make check    linux/ must be patches/ applied; the lab's self-tests,
#                 checkpatch, the man page, per-patch builds, then make
#   make export   write linux/'s commits on top of 'base' back to patches/
#   make reset    drop linux/'s commits, apply patches/ again
#   make bench    the numbers the changelogs quote (benchmark kernel, not a test)
#   make mutants  break the series' kernel code on purpose (mutants/), one
#                 mutant at a time, and show which tests catch each
#   make clients  a real killer (Debian's earlyoom, unmodified and with
#                 contrib/earlyoom/) against the test kernel

# The mm selftests the series runs in the guest; those not in the tree (the
# series' own, before its patches are applied) are skipped.
SELFTESTS ?= mrelease_test mrelease_evict_test mrelease_kill_test
export SELFTESTS

.PHONY: all deps base tree treecheck config kernel selftests guest run check labtest \
	checkpatch manpage bisect bench mutants clients export reset clean

all: run

deps:
	@scripts/deps.sh

base: deps
	@scripts/base.sh

tree: base
	@scripts/tree.sh apply

config: tree
	@scripts/config.sh

kernel: config
	@scripts/build.sh

selftests: kernel
	@scripts/selftests.sh

guest: kernel selftests
	@scripts/guest.sh

run: guest
	@scripts/results.sh

# bisect checks commits out in linux/: never alongside the guest run (make -j)
check: treecheck labtest checkpatch manpage
	@$(MAKE) --no-print-directory bisect
	@$(MAKE) --no-print-directory run

# checkpatch reads patches/, bisect and the guest run linux/: they must agree
treecheck: tree
	@scripts/tree.sh check

labtest: tree
	@tests/run.sh

checkpatch: tree
	@scripts/checkpatch.sh

manpage: deps
	@scripts/manpage.sh

bisect: config
	@scripts/bisect.sh

bench: tree
	@scripts/bench.sh

mutants: run
	@scripts/mutants.sh

clients: kernel
	@scripts/clients.sh

export:
	@scripts/tree.sh export

reset:
	@scripts/tree.sh reset

clean:
	rm -rf build
