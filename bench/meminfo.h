/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The bench programs' reading of /proc/meminfo: one field, in kB, or -1.
 */
#ifndef BENCH_MEMINFO_H
#define BENCH_MEMINFO_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static inline long meminfo_kb(const char *field)
{
	size_t len = strlen(field);
	char line[256];
	long val = -1;
	FILE *f;

	f = fopen("/proc/meminfo", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, field, len) && line[len] == ':') {
			val = atol(line + len + 1);
			break;
		}
	fclose(f);
	return val;
}

#endif
