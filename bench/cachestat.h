/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The bench programs' count of a file's pages in the page cache, with
 * cachestat(2).  struct cachestat is in include/uapi/linux/mman.h; glibc's
 * headers do not have it yet.
 */
#ifndef BENCH_CACHESTAT_H
#define BENCH_CACHESTAT_H

#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef __NR_cachestat
#define __NR_cachestat 451
#endif

struct bench_cachestat_range {
	uint64_t off;
	uint64_t len;
};

struct bench_cachestat {
	uint64_t nr_cache;
	uint64_t nr_dirty;
	uint64_t nr_writeback;
	uint64_t nr_evicted;
	uint64_t nr_recently_evicted;
};

/* Pages of @fd's file in the page cache, or -1. */
static inline long cached_pages(int fd)
{
	struct bench_cachestat_range range = { 0, 0 };	/* the whole file */
	struct bench_cachestat cs;

	if (syscall(__NR_cachestat, fd, &range, &cs, 0))
		return -1;
	return cs.nr_cache;
}

#endif
