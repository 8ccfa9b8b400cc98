// SPDX-License-Identifier: GPL-2.0
/*
 * mrelease_bench: what process_mrelease() costs and what it gives back for a
 * victim that mapped a clean file.  The series' changelogs quote it.  Not a
 * test: it prints numbers and checks nothing.
 *
 * Each case, REPS times: empty the file's page cache, fork a victim bound to
 * our CPU that maps the file MAP_PRIVATE and reads every page, SIGKILL it and
 * call process_mrelease() as a SCHED_FIFO task, so that the victim cannot run
 * its own exit before the call returns.  Printed: the time of the call and the
 * file's pages in the page cache before the kill, when the call returned and
 * after waitpid().
 *
 * Cases: order-0 folios (MADV_RANDOM) or large folios (default readahead);
 * "cold", when only the victim's faults touched the file, or "hot", when the
 * file was read with read(2) first, so that its folios are referenced and the
 * zap's folio_mark_accessed() activates them, as for a file an app has used.
 *
 * After the reaps of a case, an "app restart" maps and reads the file once
 * more; printed: its time and the /proc/vmstat deltas of
 * workingset_refault_file, pgmajfault and pgactivate.
 *
 * pgactivate: folios that the zap's folio_mark_accessed() activated, counted
 * in /proc/vmstat while the call ran (the victim cannot run meanwhile).
 * pgevict_mrelease: pages the reap dropped from the page cache (0 where the
 * kernel does not have the counter).
 *
 * Then, per folio size, what a killer could do without the series (Michal
 * Hocko's question): process_madvise(MADV_PAGEOUT) on the victim's mapping
 * before the kill, timed, then kill and reap; and, for the cost of eviction
 * per page, posix_fadvise(POSIX_FADV_DONTNEED) of the same file, cached and
 * unmapped, timed.
 *
 * Everything runs twice: with MGLRU off and on (/sys/kernel/mm/lru_gen).
 *
 *   mrelease_bench [file MiB (64)] [reps (7)]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cachestat.h"
#include "syscalls.h"

#define MAX_REPS 64

static size_t page_size;
static int our_cpu;

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static long vmstat(const char *name)
{
	char key[64];
	long val = -1, v;
	FILE *f = fopen("/proc/vmstat", "r");

	if (!f)
		return -1;
	while (fscanf(f, "%63s %ld", key, &v) == 2)
		if (!strcmp(key, name))
			val = v;
	fclose(f);
	return val;
}

static void die(const char *what)
{
	fprintf(stderr, "mrelease_bench: %s: %s\n", what, strerror(errno));
	exit(1);
}

static bool set_policy(int policy)
{
	struct sched_param param = { .sched_priority = policy == SCHED_FIFO };

	return !sched_setscheduler(0, policy, &param);
}

static void drop_cache(int fd)
{
	int i;

	fsync(fd);
	for (i = 0; i < 10 && cached_pages(fd); i++) {
		posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
		if (cached_pages(fd))
			usleep(10000);
	}
}

static volatile char *read_mapping(int fd, size_t size, int advice)
{
	volatile char *p;
	size_t off;

	p = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (p == MAP_FAILED)
		die("mmap");
	madvise((void *)p, size, advice);
	for (off = 0; off < size; off += page_size)
		(void)p[off];
	/*
	 * MADV_RANDOM only made the faults bring in order-0 folios: a zap does
	 * not age the folios of a VMA marked for random access.
	 */
	madvise((void *)p, size, MADV_NORMAL);
	return p;
}

/*
 * Read the file with read(2), which marks its folios accessed; with
 * MADV_RANDOM, one page at a time without readahead, so that the folios are
 * order-0 as the victim's faults would make them.
 */
static void read_file(int fd, size_t size, int advice)
{
	static char buf[1 << 16];
	size_t off, chunk = advice == MADV_RANDOM ? page_size : sizeof(buf);

	if (advice == MADV_RANDOM)
		posix_fadvise(fd, 0, 0, POSIX_FADV_RANDOM);
	for (off = 0; off < size; off += chunk)
		if (pread(fd, buf, chunk, off) != (ssize_t)chunk)
			die("pread");
	posix_fadvise(fd, 0, 0, POSIX_FADV_NORMAL);
}

/*
 * Fork a victim that maps and reads the file, and wait until it has; *@addr
 * is where it mapped the file.
 */
static pid_t start_victim(int fd, size_t size, int advice, void **addr)
{
	int pipefd[2];
	pid_t pid;

	if (pipe(pipefd))
		die("pipe");
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		void *p = (void *)read_mapping(fd, size, advice);

		if (write(pipefd[1], &p, sizeof(p)) != sizeof(p))
			_exit(1);
		for (;;)
			pause();
	}
	close(pipefd[1]);
	if (read(pipefd[0], addr, sizeof(*addr)) != sizeof(*addr))
		die("victim");
	close(pipefd[0]);
	return pid;
}

/* 0 where the kernel has no such counter */
static long vmstat0(const char *name)
{
	long val = vmstat(name);

	return val < 0 ? 0 : val;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void print_median(const char *name, const char *what, double *ms,
			 int reps)
{
	qsort(ms, reps, sizeof(ms[0]), cmp_double);
	printf("%s: %s median %.2f ms, min %.2f, max %.2f (%d)\n",
	       name, what, ms[reps / 2], ms[0], ms[reps - 1], reps);
}

/*
 * With @pageout, the killer first pages out the victim's file mapping with
 * process_madvise(MADV_PAGEOUT), as it could without this series.
 */
static void run_case(const char *name, int fd, size_t size, int advice,
		     bool hot, bool pageout, int reps)
{
	long before, at_return, after, refault, majflt, activate, evict;
	double ms[MAX_REPS], po_ms[MAX_REPS], t0, t;
	int status, r, pidfd;
	void *addr;
	pid_t pid;

	for (r = 0; r < reps; r++) {
		drop_cache(fd);
		if (hot)
			read_file(fd, size, advice);
		pid = start_victim(fd, size, advice, &addr);
		pidfd = syscall(__NR_pidfd_open, pid, 0);
		if (pidfd < 0)
			die("pidfd_open");
		before = cached_pages(fd);

		if (!set_policy(SCHED_FIFO))
			die("SCHED_FIFO");
		po_ms[r] = 0;
		if (pageout) {
			struct iovec iov = { .iov_base = addr, .iov_len = size };

			t0 = now_ms();
			if (syscall(__NR_process_madvise, pidfd, &iov, 1,
				    MADV_PAGEOUT, 0) < 0)
				die("process_madvise");
			po_ms[r] = now_ms() - t0;
		}
		activate = vmstat("pgactivate");
		evict = vmstat0("pgevict_mrelease");
		kill(pid, SIGKILL);
		t0 = now_ms();
		if (syscall(__NR_process_mrelease, pidfd, 0))
			die("process_mrelease");
		ms[r] = now_ms() - t0;
		at_return = cached_pages(fd);
		activate = vmstat("pgactivate") - activate;
		evict = vmstat0("pgevict_mrelease") - evict;
		set_policy(SCHED_OTHER);

		waitpid(pid, &status, 0);
		close(pidfd);
		after = cached_pages(fd);
		printf("%s: reap %d: %.2f ms (pageout %.2f ms), pgactivate +%ld, pgevict_mrelease +%ld, file pages cached %ld before, %ld at return, %ld after waitpid\n",
		       name, r, ms[r], po_ms[r], activate, evict, before,
		       at_return, after);
	}
	print_median(name, "reap time", ms, reps);
	if (pageout)
		print_median(name, "MADV_PAGEOUT time", po_ms, reps);

	refault = vmstat("workingset_refault_file");
	majflt = vmstat("pgmajfault");
	activate = vmstat("pgactivate");
	t0 = now_ms();
	pid = fork();
	if (pid == 0) {
		read_mapping(fd, size, advice);
		_exit(0);
	}
	waitpid(pid, &status, 0);
	t = now_ms() - t0;
	printf("%s: restart read %.2f ms, workingset_refault_file +%ld, pgmajfault +%ld, pgactivate +%ld\n",
	       name, t, vmstat("workingset_refault_file") - refault,
	       vmstat("pgmajfault") - majflt, vmstat("pgactivate") - activate);
}

/*
 * The cost of dropping the same file's cache with fadvise(DONTNEED), once a
 * process that mapped and read it has exited: per-page cost of eviction by
 * the page cache's own path, to compare with the reap's.
 */
static void run_fadvise(const char *name, int fd, size_t size, int advice,
			int reps)
{
	double ms[MAX_REPS], t0;
	int status, r;
	long left;
	pid_t pid;

	for (r = 0; r < reps; r++) {
		drop_cache(fd);
		pid = fork();
		if (pid == 0) {
			read_mapping(fd, size, advice);
			_exit(0);
		}
		waitpid(pid, &status, 0);
		t0 = now_ms();
		posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
		ms[r] = now_ms() - t0;
		left = cached_pages(fd);
		printf("%s: fadvise(DONTNEED) %d: %.2f ms, %ld pages left cached\n",
		       name, r, ms[r], left);
	}
	print_median(name, "fadvise(DONTNEED) time", ms, reps);
}

/* Turn MGLRU on or off; false if the kernel does not have it. */
static bool set_lru_gen(bool on)
{
	FILE *f = fopen("/sys/kernel/mm/lru_gen/enabled", "w");
	bool ok;

	if (!f)
		return false;
	ok = fputs(on ? "y" : "n", f) >= 0;
	return !fclose(f) && ok;
}

int main(int argc, char **argv)
{
	size_t size = (argc > 1 ? strtoul(argv[1], NULL, 0) : 64) << 20;
	int reps = argc > 2 ? atoi(argv[2]) : 7;
	char path[] = "mrelease_bench.XXXXXX";
	static char buf[1 << 16];
	cpu_set_t set;
	size_t off;
	int fd;

	if (reps < 1 || reps > MAX_REPS)
		reps = 7;
	setvbuf(stdout, NULL, _IOLBF, 0);
	page_size = sysconf(_SC_PAGESIZE);
	our_cpu = sched_getcpu();
	CPU_ZERO(&set);
	CPU_SET(our_cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		die("sched_setaffinity");

	fd = mkstemp(path);
	if (fd < 0)
		die("mkstemp");
	unlink(path);
	for (off = 0; off < size; off += sizeof(buf)) {
		memset(buf, off / sizeof(buf), sizeof(buf));
		if (pwrite(fd, buf, sizeof(buf), off) != sizeof(buf))
			die("pwrite");
	}
	printf("file of %zu MiB (%zu pages), %d reaps per case\n",
	       size >> 20, size / page_size, reps);

	for (int lru_gen = 0; lru_gen < 2; lru_gen++) {
		if (!set_lru_gen(lru_gen)) {
			printf("lru_gen %s: not available\n", lru_gen ? "on" : "off");
			continue;
		}
		printf("lru_gen %s\n", lru_gen ? "on" : "off");
		run_case("order-0 cold", fd, size, MADV_RANDOM, false, false, reps);
		run_case("order-0 hot", fd, size, MADV_RANDOM, true, false, reps);
		run_case("large cold", fd, size, MADV_NORMAL, false, false, reps);
		run_case("large hot", fd, size, MADV_NORMAL, true, false, reps);
		run_case("order-0 pageout", fd, size, MADV_RANDOM, false, true, reps);
		run_case("large pageout", fd, size, MADV_NORMAL, false, true, reps);
		run_fadvise("order-0", fd, size, MADV_RANDOM, reps);
		run_fadvise("large", fd, size, MADV_NORMAL, reps);
	}
	set_lru_gen(false);
	return 0;
}
