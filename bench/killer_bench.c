// SPDX-License-Identifier: GPL-2.0
/*
 * killer_bench: a real low-memory killer against victims that read a file.
 * Not a test: it prints what happened and checks nothing.
 *
 * The killer (earlyoom, unmodified or patched) runs as our child with its
 * arguments as given; its output goes to a log that we follow.  Then, for each
 * round: empty the file's page cache, fork a victim that maps the file
 * MAP_PRIVATE, reads every page, and then grows its anonymous memory until
 * the killer kills it.  We sample MemFree and the file's pages in the page
 * cache (cachestat()), sleeping 3 ms between samples (with the sampling's own
 * time, about 8 ms apart in the lab's TCG guest), and take note of three
 * moments: the killer's log line about the victim's process_mrelease() (the
 * call has returned), 100 ms after that, and the victim's death (waitpid()).
 * Printed per round: the signal the killer sent, what process_mrelease()
 * returned, the file's cached MiB before the kill, when the call returned,
 * and once the victim is gone, how much MemFree grew by those moments and in
 * the end (300 ms or more after the death), counted from the last sample
 * before the kill, and how long after the kill MemFree had grown by 90% of
 * what it grew by in the end, and by 90% of that less what the file's page
 * cache gave back (a kernel that evicts has more to free); "n/a" where a
 * moment was not seen (no call in the killer's log, no kill in it, no
 * growth).  For the first rounds (-t),
 * every sample from 100 ms before the kill to 300 ms after the death, as
 * "trace ROUND MS MEMFREE_MIB CACHED_MIB" lines (MS from the kill, which is
 * the first sample taken once the killer's log names it).  Every swap device
 * is turned off, so that the victim's memory is freed, not swapped, and
 * earlyoom's swap threshold plays no part.
 *
 * Of the file left cached once the victim is gone, the part in PMD-size
 * folios (FileHugePages; nothing else here has a file) is what khugepaged
 * collapsed while the victim ran: it puts the new folio in the page cache
 * and retracts the page tables of the range, so the victim no longer maps it
 * and a reap cannot see it.  The round's khugepaged collapses
 * (thp_collapse_alloc) are printed with it.
 *
 *   killer_bench [-f file MiB (200)] [-n rounds (10)] [-r] [-t traced rounds (3)]
 *                -- killer args...
 *
 * -r: fault the file in with MADV_RANDOM (order-0 folios) instead of the
 * default readahead (large folios).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/swap.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cachestat.h"
#include "meminfo.h"

#define MiB(x)		((size_t)(x) << 20)
#define SAMPLE_MS	3
#define MAX_SAMPLES	8192
#define GROW_CHUNK	MiB(8)
#define KILLER_LOG	"/tmp/killer.log"
#define VICTIM_NAME	"kb_victim"

struct sample {
	double ms;
	long memfree_kb;
	long cached_pages;
};

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

/* A counter in /proc/vmstat, or -1 */
static long vmstat(const char *name)
{
	size_t len = strlen(name);
	char line[128];
	long val = -1;
	FILE *f;

	f = fopen("/proc/vmstat", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, name, len) && line[len] == ' ') {
			val = atol(line + len + 1);
			break;
		}
	fclose(f);
	return val;
}

static void take(struct sample *s, int fd)
{
	s->ms = now_ms();
	s->memfree_kb = meminfo_kb("MemFree");
	s->cached_pages = cached_pages(fd);
}

/*
 * Append a sample to @s (@n of them so far); when it is full, the oldest half
 * goes first: the kill comes at the end.
 */
static void record(struct sample *s, int *n, const struct sample *one)
{
	if (*n == MAX_SAMPLES) {
		memmove(s, s + MAX_SAMPLES / 2,
			MAX_SAMPLES / 2 * sizeof(*s));
		*n = MAX_SAMPLES / 2;
	}
	s[(*n)++] = *one;
}

/* Turn every swap device off; true if none is left */
static bool swap_off(void)
{
	char line[256], dev[200];
	FILE *f = fopen("/proc/swaps", "r");

	if (f) {
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "%199s", dev) == 1 && dev[0] == '/')
				swapoff(dev);
		fclose(f);
	}
	return meminfo_kb("SwapTotal") == 0;
}

/* @v as "%.*f", or "n/a" if !@have */
static const char *fmt(char *buf, size_t len, int prec, double v, bool have)
{
	if (!have)
		return "n/a";
	snprintf(buf, len, "%.*f", prec, v);
	return buf;
}

static double mib(long pages)
{
	return pages * (double)sysconf(_SC_PAGESIZE) / MiB(1);
}

static int create_file(const char *path, size_t size)
{
	char buf[1 << 16];
	size_t done;
	int fd;

	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		return -1;
	for (done = 0; done < size; done += sizeof(buf)) {
		memset(buf, (int)(done >> 16), sizeof(buf));
		if (write(fd, buf, sizeof(buf)) != sizeof(buf))
			return -1;
	}
	return fsync(fd) ? -1 : fd;
}

/* Map the file, read every page, tell the parent, then grow until killed. */
static void victim(int fd, size_t size, bool random, int ready_fd)
{
	long page = sysconf(_SC_PAGESIZE);
	volatile char sum = 0;
	char *map, *anon;
	size_t i;

	prctl(PR_SET_NAME, VICTIM_NAME);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	map = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (map == MAP_FAILED)
		_exit(1);
	if (random)
		madvise(map, size, MADV_RANDOM);
	for (i = 0; i < size; i += page)
		sum += map[i];
	if (write(ready_fd, "r", 1) != 1)
		_exit(1);
	for (;;) {
		anon = mmap(NULL, GROW_CHUNK, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (anon == MAP_FAILED) {
			sleep_ms(10);
			continue;
		}
		memset(anon, 1, GROW_CHUNK);
		sleep_ms(2);
	}
}

static pid_t start_killer(char **argv)
{
	pid_t pid = fork();
	int fd;

	if (pid)
		return pid;
	fd = open(KILLER_LOG, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
		_exit(127);
	execv(argv[0], argv);
	_exit(127);
}

/*
 * The killer's log from @off on: the line that names pid @pid (as earlyoom
 * does: "process PID " or "pid=PID:") and contains @what, copied to @line.
 * Returns true if found.
 */
static bool log_line(long off, pid_t pid, const char *what, char *line,
		     size_t len)
{
	char buf[512], tag1[32], tag2[32];
	bool found = false;
	FILE *f;

	f = fopen(KILLER_LOG, "r");
	if (!f)
		return false;
	fseek(f, off, SEEK_SET);
	snprintf(tag1, sizeof(tag1), "process %d ", pid);
	snprintf(tag2, sizeof(tag2), "pid=%d:", pid);
	while (fgets(buf, sizeof(buf), f))
		if (strstr(buf, what) &&
		    (strstr(buf, tag1) || strstr(buf, tag2))) {
			buf[strcspn(buf, "\n")] = 0;
			snprintf(line, len, "%s", buf);
			found = true;
			break;
		}
	fclose(f);
	return found;
}

static long log_size(void)
{
	FILE *f = fopen(KILLER_LOG, "r");
	long size;

	if (!f)
		return 0;
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	fclose(f);
	return size;
}

static const char *signal_sent(long off, pid_t pid)
{
	char line[512];

	if (!log_line(off, pid, "sending", line, sizeof(line)))
		return "?";
	if (strstr(line, "SIGKILL"))
		return "SIGKILL";
	if (strstr(line, "SIGTERM"))
		return "SIGTERM";
	return "?";
}

/*
 * "success" ("REAP_KILL success" from the patched earlyoom), or the errno
 * text after "failed: ", or "no call"
 */
static const char *mrelease_result(long off, pid_t pid, char *buf, size_t len)
{
	char *p;

	if (!log_line(off, pid, "process_mrelease", buf, len))
		return "no call";
	if (strstr(buf, "REAP_KILL success"))
		return "REAP_KILL success";
	if (strstr(buf, "success"))
		return "success";
	p = strstr(buf, "failed: ");
	return p ? p + strlen("failed: ") : buf;
}

/*
 * Time from the kill until MemFree had grown by 90% of @grown_kb, in ms; -1
 * if @grown_kb is not positive
 */
static double ms_to_free(const struct sample *s, int n, double t_kill,
			 const struct sample *before, long grown_kb)
{
	long goal = grown_kb * 9 / 10;
	int i;

	if (goal <= 0)
		return -1;
	for (i = 0; i < n; i++)
		if (s[i].ms >= t_kill &&
		    s[i].memfree_kb - before->memfree_kb >= goal)
			return s[i].ms - t_kill;
	return -1;
}

/*
 * The samples from 100 ms before the kill to 300 ms after the death, as
 * "trace ROUND MS MEMFREE_MIB CACHED_MIB", MS counted from the kill
 */
static void print_trace(int round, const struct sample *s, int n,
			double t_kill, double t_dead)
{
	int i;

	for (i = 0; i < n; i++)
		if (s[i].ms >= t_kill - 100 && s[i].ms <= t_dead + 300)
			printf("trace %d %.1f %.1f %.2f\n", round, s[i].ms - t_kill,
			       s[i].memfree_kb / 1024.0, mib(s[i].cached_pages));
}

static void run_round(int round, int fd, size_t size, bool random, bool trace)
{
	struct sample before, at_ret = { 0 }, later = { 0 }, dead = { 0 }, s;
	double t_ret = 0, t_kill = 0, to_free = -1, to_free_rest = -1, deadline;
	char b1[16], b2[16], b3[16], b4[16], b5[16];
	long grown_kb, file_kb;
	static struct sample samples[MAX_SAMPLES];
	int ready[2], status, n = 0;
	char line[512], c;
	long off, cached_before, collapses;
	pid_t pid;

	posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	collapses = vmstat("thp_collapse_alloc");
	if (pipe(ready))
		exit(1);
	pid = fork();
	if (!pid) {
		close(ready[0]);
		victim(fd, size, random, ready[1]);
	}
	close(ready[1]);
	if (read(ready[0], &c, 1) != 1) {
		printf("round %d: the victim died before it was ready\n", round);
		waitpid(pid, NULL, 0);
		return;
	}
	close(ready[0]);
	cached_before = cached_pages(fd);
	off = log_size();

	take(&before, fd);
	deadline = now_ms() + 120000;
	while (now_ms() < deadline) {
		take(&s, fd);
		record(samples, &n, &s);
		if (!t_ret && log_line(off, pid, "process_mrelease", line,
				       sizeof(line))) {
			at_ret = s;
			t_ret = s.ms;
		}
		if (t_ret && !later.ms && s.ms >= t_ret + 100)
			later = s;
		if (!dead.ms && waitpid(pid, &status, WNOHANG) == pid)
			dead = s;
		if (dead.ms && (later.ms || s.ms > dead.ms + 1000))
			break;
		/*
		 * The last sample before the kill is the baseline; the kill
		 * is first seen in the killer's log at the next one.
		 */
		if (!t_kill) {
			if (log_line(off, pid, "sending", line, sizeof(line)))
				t_kill = s.ms;
			else if (!dead.ms && !t_ret)
				before = s;
		}
		sleep_ms(SAMPLE_MS);
	}
	if (!dead.ms) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		printf("round %d: the killer did not kill the victim in 120 s\n",
		       round);
		return;
	}
	/* Until 300 ms after the death: the end, and the trace's */
	while (s.ms < dead.ms + 300) {
		sleep_ms(SAMPLE_MS);
		take(&s, fd);
		record(samples, &n, &s);
	}
	/*
	 * What the file's page cache gave back is part of the end's growth:
	 * the time to free the rest compares kernels that evict and do not.
	 */
	grown_kb = s.memfree_kb - before.memfree_kb;
	file_kb = (cached_before - s.cached_pages) * (sysconf(_SC_PAGESIZE) / 1024);
	if (t_kill) {
		to_free = ms_to_free(samples, n, t_kill, &before, grown_kb);
		to_free_rest = ms_to_free(samples, n, t_kill, &before,
					  grown_kb - file_kb);
	}
	printf("round %d: %s, process_mrelease %s; file cached MiB: %.1f read, %s at return, %.1f after exit (%.0f in PMD-size folios); MemFree +MiB: %s at return, %s 100 ms later, %.0f at exit, %.0f in the end; 90%% freed after ms: %s, of all but the file: %s; khugepaged collapses: %ld\n",
	       round, signal_sent(off, pid),
	       mrelease_result(off, pid, line, sizeof(line)),
	       mib(cached_before),
	       fmt(b1, sizeof(b1), 1, mib(at_ret.cached_pages), t_ret),
	       mib(s.cached_pages), meminfo_kb("FileHugePages") / 1024.0,
	       fmt(b2, sizeof(b2), 0,
		   (at_ret.memfree_kb - before.memfree_kb) / 1024.0, t_ret),
	       fmt(b3, sizeof(b3), 0,
		   (later.memfree_kb - before.memfree_kb) / 1024.0, later.ms),
	       (dead.memfree_kb - before.memfree_kb) / 1024.0,
	       grown_kb / 1024.0,
	       fmt(b4, sizeof(b4), 0, to_free, to_free >= 0),
	       fmt(b5, sizeof(b5), 0, to_free_rest, to_free_rest >= 0),
	       vmstat("thp_collapse_alloc") - collapses);
	/* Without the kill's time, there is nothing to trace against */
	if (trace && t_kill)
		print_trace(round, samples, n, t_kill, dead.ms);
	fflush(stdout);
	/* Let the killer settle before the next victim */
	sleep_ms(1000);
}

int main(int argc, char **argv)
{
	size_t size = MiB(200);
	int rounds = 10, traced = 3, opt, fd, i;
	bool random = false;
	pid_t killer;

	while ((opt = getopt(argc, argv, "f:n:rt:")) != -1) {
		switch (opt) {
		case 'f':
			size = MiB(atol(optarg));
			break;
		case 'n':
			rounds = atoi(optarg);
			break;
		case 'r':
			random = true;
			break;
		case 't':
			traced = atoi(optarg);
			break;
		default:
			return 2;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "usage: %s [-f MiB] [-n rounds] [-r] [-t rounds] -- killer args...\n",
			argv[0]);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!swap_off()) {
		fprintf(stderr, "could not turn swap off\n");
		return 1;
	}
	fd = create_file("killer_bench.data", size);
	if (fd < 0) {
		perror("killer_bench.data");
		return 1;
	}
	killer = start_killer(argv + optind);
	sleep_ms(2000);
	printf("killer: %s; file %zu MiB, %s folios, %d rounds; SwapTotal %ld kB\n",
	       argv[optind], size >> 20, random ? "order-0" : "large", rounds,
	       meminfo_kb("SwapTotal"));
	for (i = 1; i <= rounds; i++)
		run_round(i, fd, size, random, i <= traced);
	kill(killer, SIGTERM);
	waitpid(killer, NULL, 0);
	unlink("killer_bench.data");
	return 0;
}
