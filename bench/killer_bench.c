// SPDX-License-Identifier: GPL-2.0
/*
 * killer_bench: a real low-memory killer against victims that read a file.
 * Not a test: it prints what happened and checks nothing.
 *
 * The killer (earlyoom, unmodified or patched) runs as our child with its
 * arguments as given; its output goes to a log that we follow.  Then, for
 * each round: empty the file's page cache, fork a victim that maps the file
 * MAP_PRIVATE, reads every page, and then grows its anonymous memory until
 * the killer kills it.  Every 5 ms we sample MemFree and the file's pages in
 * the page cache (cachestat()), and take note of three moments: the killer's
 * log line about the victim's process_mrelease() (the call has returned), 100
 * ms after that, and the victim's death (waitpid()).  Printed per round: the
 * signal the killer sent, what process_mrelease() returned, the file's cached
 * MiB before the kill, when the call returned, and once the victim is gone,
 * and how much MemFree grew by those moments, counted from the last sample
 * before the kill.  Swap is turned off, so that the victim's memory is
 * freed, not swapped.
 *
 * Of the file left cached once the victim is gone, the part in PMD-size
 * folios (FileHugePages; nothing else here has a file) is what khugepaged
 * collapsed while the victim ran: it puts the new folio in the page cache
 * and retracts the page tables of the range, so the victim no longer maps it
 * and a reap cannot see it.  The round's khugepaged collapses
 * (thp_collapse_alloc) are printed with it.
 *
 *   killer_bench [-f file MiB (200)] [-n rounds (10)] [-r] -- killer args...
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
#define SAMPLE_MS	5
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

static void run_round(int round, int fd, size_t size, bool random)
{
	struct sample before, at_ret = { 0 }, later = { 0 }, dead = { 0 }, s;
	double t_ret = 0, deadline;
	int ready[2], status;
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
		/* The last sample before the kill is the baseline */
		if (!dead.ms && !t_ret && !log_line(off, pid, "sending", line,
						    sizeof(line)))
			before = s;
		sleep_ms(SAMPLE_MS);
	}
	if (!dead.ms) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		printf("round %d: the killer did not kill the victim in 120 s\n",
		       round);
		return;
	}
	sleep_ms(200);
	take(&s, fd);
	printf("round %d: %s, process_mrelease %s; file cached MiB: %.1f read, %.1f at return, %.1f after exit (%.0f in PMD-size folios); MemFree +MiB: %.0f at return, %.0f 100 ms later, %.0f at exit; khugepaged collapses: %ld\n",
	       round, signal_sent(off, pid),
	       mrelease_result(off, pid, line, sizeof(line)),
	       mib(cached_before),
	       t_ret ? mib(at_ret.cached_pages) : -1.0,
	       mib(s.cached_pages), meminfo_kb("FileHugePages") / 1024.0,
	       t_ret ? (at_ret.memfree_kb - before.memfree_kb) / 1024.0 : -1.0,
	       later.ms ? (later.memfree_kb - before.memfree_kb) / 1024.0 : -1.0,
	       (dead.memfree_kb - before.memfree_kb) / 1024.0,
	       vmstat("thp_collapse_alloc") - collapses);
	fflush(stdout);
	/* Let the killer settle before the next victim */
	sleep_ms(1000);
}

int main(int argc, char **argv)
{
	size_t size = MiB(200);
	int rounds = 10, opt, fd, i;
	bool random = false;
	pid_t killer;

	while ((opt = getopt(argc, argv, "f:n:r")) != -1) {
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
		default:
			return 2;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "usage: %s [-f MiB] [-n rounds] [-r] -- killer args...\n",
			argv[0]);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	swapoff("/dev/ram1");
	fd = create_file("killer_bench.data", size);
	if (fd < 0) {
		perror("killer_bench.data");
		return 1;
	}
	killer = start_killer(argv + optind);
	sleep_ms(2000);
	printf("killer: %s; file %zu MiB, %s folios, %d rounds\n",
	       argv[optind], size >> 20, random ? "order-0" : "large", rounds);
	for (i = 1; i <= rounds; i++)
		run_round(i, fd, size, random);
	kill(killer, SIGTERM);
	waitpid(killer, NULL, 0);
	unlink("killer_bench.data");
	return 0;
}
