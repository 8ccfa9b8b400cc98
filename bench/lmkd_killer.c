// SPDX-License-Identifier: GPL-2.0
/*
 * lmkd_killer: the kill path of Android's lmkd, as a small killer for
 * killer_bench (lmkd itself does not build outside Android).  Not lmkd's
 * code: its pattern.  The main thread watches memory and picks the victim;
 * it sends SIGKILL with pidfd_send_signal() and hands the pidfd to a reaper
 * thread, which calls process_mrelease(pidfd, 0); the main thread waits for
 * that kill to be done before it looks at memory again.  With -K it hands
 * the pidfd over unsignalled, and the reaper thread kills and reaps in one
 * call, process_mrelease(pidfd, PROCESS_MRELEASE_REAP_KILL), if the kernel
 * has the flag (asked once at start, without a victim), as lmkd would once
 * it adopts the flag.
 *
 *   lmkd_killer [-m percent (10)] [-K] -p name
 *
 * Kills the process named @name (its comm) whenever MemAvailable is below
 * @percent of MemTotal, checking every 10 ms.  Its log lines name the pid
 * as earlyoom's do ("pid=PID:"), so that killer_bench reads both alike:
 * "sending SIGKILL to pid=PID: ..." and "process_mrelease pid=PID: success"
 * (or "REAP_KILL success", or "failed: <error>").
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "meminfo.h"
#include "syscalls.h"

struct kill_request {
	int pidfd;
	pid_t pid;
	bool reap_kill;
};

/* One request at a time, as lmkd waits for a kill to free memory. */
static struct kill_request pending;
static bool has_pending;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;

static void log_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void log_line(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fflush(stdout);
}

/* The pid of a process whose comm is @name, or 0 */
static pid_t find_victim(const char *name)
{
	char path[288], comm[64];
	struct dirent *d;
	pid_t pid = 0;
	DIR *dir;
	FILE *f;

	dir = opendir("/proc");
	if (!dir)
		return 0;
	while (!pid && (d = readdir(dir))) {
		if (d->d_name[0] < '1' || d->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/comm", d->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(comm, sizeof(comm), f)) {
			comm[strcspn(comm, "\n")] = 0;
			if (!strcmp(comm, name))
				pid = atoi(d->d_name);
		}
		fclose(f);
	}
	closedir(dir);
	return pid;
}

static void *reaper(void *arg)
{
	struct kill_request req;
	unsigned int flags;

	(void)arg;
	for (;;) {
		pthread_mutex_lock(&lock);
		while (!has_pending)
			pthread_cond_wait(&cond, &lock);
		req = pending;
		pthread_mutex_unlock(&lock);

		flags = req.reap_kill ? PROCESS_MRELEASE_REAP_KILL : 0;
		if (req.reap_kill)
			log_line("sending SIGKILL to pid=%d: with REAP_KILL\n", req.pid);
		if (syscall(__NR_process_mrelease, req.pidfd, flags) == 0)
			log_line("process_mrelease pid=%d: %ssuccess\n",
				 req.pid, req.reap_kill ? "REAP_KILL " : "");
		else
			log_line("process_mrelease pid=%d: failed: %s\n",
				 req.pid, strerror(errno));
		close(req.pidfd);

		pthread_mutex_lock(&lock);
		has_pending = false;
		pthread_cond_broadcast(&cond);
		pthread_mutex_unlock(&lock);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	struct timespec tick = { 0, 10 * 1000 * 1000 };
	bool want_reap_kill = false, reap_kill;
	const char *name = NULL;
	long total, avail;
	int percent = 10;
	pthread_t thread;
	pid_t pid;
	int opt, pidfd;

	while ((opt = getopt(argc, argv, "m:Kp:")) != -1) {
		switch (opt) {
		case 'm':
			percent = atoi(optarg);
			break;
		case 'K':
			want_reap_kill = true;
			break;
		case 'p':
			name = optarg;
			break;
		default:
			fprintf(stderr, "usage: %s [-m percent] [-K] -p name\n", argv[0]);
			return 2;
		}
	}
	if (!name)
		return 2;
	/* An unknown flag is EINVAL; a known one with a bad pidfd EBADF. */
	reap_kill = want_reap_kill &&
		syscall(__NR_process_mrelease, -1, PROCESS_MRELEASE_REAP_KILL) == -1 &&
		errno == EBADF;
	log_line("lmkd_killer: kill %s below %d%% MemAvailable; %s\n", name, percent,
		 reap_kill ? "PROCESS_MRELEASE_REAP_KILL" :
		 "pidfd_send_signal, then process_mrelease(0)");
	if (pthread_create(&thread, NULL, reaper, NULL))
		return 1;

	total = meminfo_kb("MemTotal");
	for (;; nanosleep(&tick, NULL)) {
		avail = meminfo_kb("MemAvailable");
		if (avail < 0 || avail * 100 >= total * percent)
			continue;
		pid = find_victim(name);
		if (!pid)
			continue;
		pidfd = syscall(__NR_pidfd_open, pid, 0);
		if (pidfd < 0)
			continue;
		if (!reap_kill) {
			log_line("sending SIGKILL to pid=%d: pidfd_send_signal\n", pid);
			if (syscall(__NR_pidfd_send_signal, pidfd, SIGKILL, NULL, 0)) {
				log_line("pidfd_send_signal pid=%d: failed: %s\n",
					 pid, strerror(errno));
				close(pidfd);
				continue;
			}
		}
		pthread_mutex_lock(&lock);
		while (has_pending)
			pthread_cond_wait(&cond, &lock);
		pending = (struct kill_request){ pidfd, pid, reap_kill };
		has_pending = true;
		pthread_cond_broadcast(&cond);
		/* Until the reaper is done: the victim is being freed. */
		while (has_pending)
			pthread_cond_wait(&cond, &lock);
		pthread_mutex_unlock(&lock);
	}
}
