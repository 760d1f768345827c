/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-dma-xd authors
 */

#ifndef TEST_EAL_H
#define TEST_EAL_H

/*
 * EAL set-up shared by the test programs. Every process gets its own file
 * prefix (tag and pid), so any number of tests run in parallel, and runs
 * without hugepages, PCI or an IOMMU, with IOVA as VA and lcores 0-1.
 */

#include <stdint.h>

/*
 * Start EAL with the sandbox arguments plus @p extra (e.g. --vdev=...).
 * Returns 0 or a negative errno.
 */
int test_eal_init(const char *tag, const char *const extra[],
		unsigned int nb_extra);

/*
 * Stop and close every dmadev still present (a started device may own an
 * lcore or a thread that must not outlive EAL), shut EAL down and remove
 * this process's runtime directory.
 */
void test_eal_fini(void);

/* Monotonic time in nanoseconds, for poll deadlines. */
uint64_t test_now_ns(void);

#endif /* TEST_EAL_H */
