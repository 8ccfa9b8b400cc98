# SPDX-License-Identifier: GPL-2.0
# The process_mrelease lab.  Each target runs the stage script of its name in
# scripts/, after the stages it needs; this file only strings them together.
#
#   make              base kernel + patches/, build, boot in QEMU, judge the
#                     run (the stages: base tree config kernel selftests
#                     guest results)
#   make check        the test gate: linux/ must be patches/ applied; the
#                     lab's self-tests, checkpatch, the man page, b4's
#                     checks, every commit built on its own, then make
#   make check-all    make check, then make matrix
#   make matrix       the series' tests with MGLRU on, and on kernels without
#                     swap and without THP (configs/matrix/)
#   make guest-only   boot the kernel and selftests built last, and judge
#   make results-only judge the last guest run again
#   make export       write linux/'s commits on top of 'base' to patches/
#   make reset        drop linux/'s commits, apply patches/ again
#   make send-check   b4: the series as mails, checked, To/Cc filled in, not sent
#   make bench        the numbers the changelogs quote, base and series
#                     side by side (benchmark kernels), then make clients
#   make mutants      break the series' kernel code on purpose (mutants/), one
#                     mutant at a time, and show which tests catch each
#   make clients      real killers (Debian's earlyoom, unmodified and with
#                     contrib/earlyoom/, and lmkd's pattern) against the
#                     base and the series (benchmark kernels)
#
# Settings, the way Kbuild takes O= and V=: on make's command line, e.g.
#   make SELFTESTS=mrelease_kill_test SELFTEST_ARGS="-t NAME"
# or as LAB_<name> in the environment (scripts/lib.sh lists them).  A plain
# SELFTESTS or BUILD in the environment is ignored.
$(foreach v,$(.VARIABLES),$(if $(filter command line,$(origin $(v))),\
	$(eval export LAB_$(v) := $$($(v)))))

.PHONY: all deps base tree treecheck config kernel selftests guest results \
	guest-only results-only check check-all matrix labtest checkpatch manpage bisectable \
	send-check bench mutants clients export reset clean

all: results

deps:
	@scripts/deps.sh

base: deps
	@scripts/base.sh

tree: base
	@scripts/tree.sh apply

config: tree
	@scripts/config.sh

kernel: config
	@scripts/kernel.sh

selftests: kernel
	@scripts/selftests.sh

guest: kernel selftests
	@scripts/guest.sh

results: guest
	@scripts/results.sh

guest-only:
	@scripts/guest.sh
	@scripts/results.sh

results-only:
	@scripts/results.sh

# bisectable checks commits out in a worktree of linux/ and builds them
# there; it runs alone, before the guest run, to leave the CPUs to one build.
check: treecheck labtest checkpatch manpage send-check
	@$(MAKE) --no-print-directory bisectable
	@$(MAKE) --no-print-directory results

check-all: check
	@$(MAKE) --no-print-directory matrix

matrix: selftests
	@scripts/matrix.sh

# checkpatch reads patches/, bisectable and the guest run linux/: they must agree
treecheck: tree
	@scripts/tree.sh check

labtest: tree
	@tests/run.sh

checkpatch: tree
	@scripts/checkpatch.sh

manpage: deps
	@scripts/manpage.sh

bisectable: config
	@scripts/bisectable.sh

# the mails come from linux/ and are compared with patches/: they must agree
send-check: treecheck
	@scripts/send-check.sh

bench: tree
	@scripts/bench.sh
	@scripts/clients.sh

mutants: results
	@scripts/mutants.sh

clients: tree
	@scripts/clients.sh

export:
	@scripts/tree.sh export

reset:
	@scripts/tree.sh reset

clean:
	rm -rf build
