// SPDX-License-Identifier: GPL-2.0
/*
 * walk_bench: what PROCESS_MRELEASE_REAP_KILL costs on a system with many
 * processes, and how long a call waits for a victim that tears down its own
 * mm.  Patches 7 and 8 of the series quote it.  Not a test: it prints numbers
 * and checks nothing.
 *
 * On a kernel without the flag (the base), only the flags-0 cases run.
 *
 * Part 1, the walks.  With 0 and then IDLE (10000) idle processes around,
 * REPS calls each of process_mrelease(pidfd, REAP_KILL) on a victim with
 * 1 MiB of anonymous memory, bound to our CPU while we run SCHED_FIFO, so
 * that it cannot run before the call returns:
 *   private: the victim's own threads are the mm's only users; the call does
 *            not walk the processes;
 *   shared:  a CLONE_VM sibling shares the mm; the call walks every process
 *            twice, under tasklist_lock, to check and kill each user.
 *
 * Part 2, the wait.  REPS calls each on a victim with 16 MiB of anonymous
 * memory and an 8 MiB file read through a private mapping, either unable to
 * run (as above) or free to run on the other CPU, where SIGKILL wakes it and
 * it runs its own exit_mmap() alongside the reap: pidfd_send_signal() then
 * process_mrelease(pidfd, 0), and REAP_KILL.  The difference between the two
 * is what the call spends waiting for that exit_mmap() to free what it
 * unmapped (patch 8).
 *
 * Printed per case, as "case: call median M ms, min A, max B (n)": the call's
 * time in ms, after one call that is not counted.  The 24 MiB victim has
 * 16 MiB of anonymous memory and the 8 MiB file.  TCG times: compare them with each other, within
 * one run.
 *
 *   walk_bench [idle processes (10000)] [reps (15)]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "syscalls.h"

#define MAX_REPS	64
#define STACK_SIZE	(64 * 1024)
#define FILE_NAME	"walk_bench.data"

static int our_cpu;
static size_t page_size;

static void die(const char *what)
{
	fprintf(stderr, "walk_bench: %s: %s\n", what, strerror(errno));
	exit(1);
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void print_times(const char *name, double *ms, int n)
{
	qsort(ms, n, sizeof(*ms), cmp_double);
	printf("%s: call median %.3f ms, min %.3f, max %.3f (%d)\n",
	       name, ms[n / 2], ms[0], ms[n - 1], n);
	fflush(stdout);
}

/* Bind to @cpu, or with -1 allow every CPU */
static void bind_to(int cpu)
{
	cpu_set_t set;
	int i;

	CPU_ZERO(&set);
	for (i = 0; i < CPU_SETSIZE; i++)
		if (i == cpu || cpu < 0)
			CPU_SET(i, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		die("sched_setaffinity");
}

static void touch(char *p, size_t size)
{
	size_t off;

	for (off = 0; off < size; off += page_size)
		p[off] = 1;
}

static int sibling_main(void *arg __attribute__((unused)))
{
	for (;;)
		pause();
	return 0;
}

struct victim {
	pid_t pid;
	pid_t sibling;		/* a CLONE_VM sibling, or 0 */
	int pidfd;
};

struct victim_kind {
	size_t anon;
	int file_fd;		/* < 0: none */
	size_t file_size;
	bool sibling;
	bool pinned;		/* on our CPU, unable to run while we run */
};

/* Fork a victim, wait until its memory is populated, open its pidfd. */
static void start_victim(const struct victim_kind *k, struct victim *v)
{
	int pipefd[2];

	if (pipe(pipefd))
		die("pipe");
	v->pid = fork();
	if (v->pid < 0)
		die("fork");
	if (!v->pid) {
		pid_t sibling = 0;
		char *p;

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		bind_to(k->pinned ? our_cpu : -1);
		p = mmap(NULL, k->anon, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			_exit(1);
		touch(p, k->anon);
		if (k->file_fd >= 0) {
			volatile char *f = mmap(NULL, k->file_size, PROT_READ,
						MAP_PRIVATE, k->file_fd, 0);
			size_t off;

			if (f == MAP_FAILED)
				_exit(1);
			for (off = 0; off < k->file_size; off += page_size)
				(void)f[off];
		}
		if (k->sibling) {
			char *stack = mmap(NULL, STACK_SIZE,
					   PROT_READ | PROT_WRITE,
					   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

			if (stack == MAP_FAILED)
				_exit(1);
			sibling = clone(sibling_main, stack + STACK_SIZE,
					CLONE_VM | CLONE_PARENT | SIGCHLD,
					NULL);
			if (sibling < 0)
				_exit(1);
		}
		if (write(pipefd[1], &sibling, sizeof(sibling)) !=
		    sizeof(sibling))
			_exit(1);
		for (;;)
			pause();
	}
	close(pipefd[1]);
	if (read(pipefd[0], &v->sibling, sizeof(v->sibling)) !=
	    sizeof(v->sibling))
		die("victim");
	close(pipefd[0]);
	v->pidfd = syscall(__NR_pidfd_open, v->pid, 0);
	if (v->pidfd < 0)
		die("pidfd_open");
}

static void end_victim(struct victim *v)
{
	kill(v->pid, SIGKILL);
	waitpid(v->pid, NULL, 0);
	if (v->sibling) {
		kill(v->sibling, SIGKILL);
		waitpid(v->sibling, NULL, 0);
	}
	close(v->pidfd);
}

/* The time of one call in ms, or -1 if it failed */
static double one_call(const struct victim_kind *k, bool reap_kill)
{
	struct sched_param fifo = { .sched_priority = 1 };
	struct sched_param other = { .sched_priority = 0 };
	struct victim v;
	double t;
	int ret;

	start_victim(k, &v);
	/* A pinned victim cannot run on our CPU until we sleep or yield */
	if (k->pinned && sched_setscheduler(0, SCHED_FIFO, &fifo))
		die("SCHED_FIFO");
	t = now_ms();
	if (reap_kill) {
		ret = syscall(__NR_process_mrelease, v.pidfd,
			      PROCESS_MRELEASE_REAP_KILL);
	} else {
		syscall(__NR_pidfd_send_signal, v.pidfd, SIGKILL, NULL, 0);
		ret = syscall(__NR_process_mrelease, v.pidfd, 0);
	}
	t = now_ms() - t;
	if (ret)
		fprintf(stderr, "walk_bench: process_mrelease: %s\n",
			strerror(errno));
	if (k->pinned)
		sched_setscheduler(0, SCHED_OTHER, &other);
	end_victim(&v);
	return ret ? -1 : t;
}

static void measure(const char *name, const struct victim_kind *k,
		    bool reap_kill, int reps)
{
	double ms[MAX_REPS];
	int i, n = 0;

	/* One call first, not counted: faults in our code and data */
	one_call(k, reap_kill);
	for (i = 0; i < reps; i++) {
		double t = one_call(k, reap_kill);

		if (t >= 0)
			ms[n++] = t;
	}
	if (n)
		print_times(name, ms, n);
	else
		printf("%s: every call failed\n", name);
}

static pid_t *start_idle(int n)
{
	pid_t *pids = calloc(n, sizeof(*pids));
	int i;

	if (!pids)
		die("calloc");
	for (i = 0; i < n; i++) {
		pids[i] = fork();
		if (pids[i] < 0)
			die("fork of an idle process");
		if (!pids[i]) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			for (;;)
				pause();
		}
	}
	return pids;
}

static void end_idle(pid_t *pids, int n)
{
	int i;

	for (i = 0; i < n; i++)
		kill(pids[i], SIGKILL);
	for (i = 0; i < n; i++)
		waitpid(pids[i], NULL, 0);
	free(pids);
}

static int make_file(size_t size)
{
	char buf[65536];
	size_t done;
	int fd;

	fd = open(FILE_NAME, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		die("open");
	memset(buf, 0x5a, sizeof(buf));
	for (done = 0; done < size; done += sizeof(buf))
		if (write(fd, buf, sizeof(buf)) != sizeof(buf))
			die("write");
	fsync(fd);
	return fd;
}

static void walks(int idle, int reps)
{
	struct victim_kind k = { .anon = 1 << 20, .file_fd = -1,
				 .pinned = true };
	pid_t *pids = NULL;
	char name[128];

	if (idle)
		pids = start_idle(idle);
	k.sibling = false;
	snprintf(name, sizeof(name), "REAP_KILL %d idle, private mm", idle);
	measure(name, &k, true, reps);
	k.sibling = true;
	snprintf(name, sizeof(name), "REAP_KILL %d idle, shared mm", idle);
	measure(name, &k, true, reps);
	if (idle)
		end_idle(pids, idle);
}

static void waits(int reps, bool reap_kill)
{
	struct victim_kind k = { .anon = 16 << 20, .file_size = 8 << 20 };

	k.file_fd = make_file(k.file_size);
	k.pinned = true;
	measure("kill + flags 0, 24 MiB victim unable to run", &k, false, reps);
	k.pinned = false;
	measure("kill + flags 0, 24 MiB victim free to run", &k, false, reps);
	if (reap_kill) {
		k.pinned = true;
		measure("REAP_KILL, 24 MiB victim unable to run", &k, true,
			reps);
		k.pinned = false;
		measure("REAP_KILL, 24 MiB victim free to run", &k, true, reps);
	}
	close(k.file_fd);
	unlink(FILE_NAME);
}

int main(int argc, char **argv)
{
	int idle = argc > 1 ? atoi(argv[1]) : 10000;
	int reps = argc > 2 ? atoi(argv[2]) : 15;
	bool reap_kill;

	if (reps < 1 || reps > MAX_REPS || idle < 0)
		return 2;
	page_size = sysconf(_SC_PAGESIZE);
	our_cpu = sched_getcpu();
	bind_to(our_cpu);
	setvbuf(stdout, NULL, _IOLBF, 0);

	/* Feature discovery without a victim: EBADF where the flag is known */
	reap_kill = syscall(__NR_process_mrelease, -1,
			    PROCESS_MRELEASE_REAP_KILL) == -1 && errno == EBADF;
	if (reap_kill) {
		walks(0, reps);
		walks(idle, reps);
	} else {
		printf("kernel lacks PROCESS_MRELEASE_REAP_KILL: flags 0 only\n");
	}
	waits(reps, reap_kill);
	return 0;
}
