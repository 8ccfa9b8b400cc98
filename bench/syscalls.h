/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The bench programs' syscall numbers and flags, for C libraries whose
 * headers predate them (x86_64 numbers; the guest is x86_64).
 */
#ifndef BENCH_SYSCALLS_H
#define BENCH_SYSCALLS_H

#include <sys/mman.h>
#include <sys/syscall.h>

#ifndef __NR_pidfd_send_signal
#define __NR_pidfd_send_signal 424
#endif
#ifndef __NR_pidfd_open
#define __NR_pidfd_open 434
#endif
#ifndef __NR_process_madvise
#define __NR_process_madvise 440
#endif
#ifndef __NR_process_mrelease
#define __NR_process_mrelease 448
#endif
#ifndef PROCESS_MRELEASE_REAP_KILL
#define PROCESS_MRELEASE_REAP_KILL 1
#endif
#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif

#endif /* BENCH_SYSCALLS_H */
