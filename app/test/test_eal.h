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

#include <stdbool.h>
#include <stdint.h>

/*
 * Environment of a test's EAL process: with TEST_EAL_HUGE_DIR_ENV set it
 * runs on the hugepages of that hugetlbfs mount (64 MB) instead of
 * --no-huge; TEST_EAL_PREFIX_ENV fixes its file prefix (else one of its
 * own); TEST_EAL_PROC_ENV=secondary makes it a secondary process of the
 * primary with that prefix, without devices of its own;
 * TEST_EAL_LCORES_ENV maps lcores 0 and 1 to CPUs (EAL's --lcores, e.g.
 * "(0-1)@0" in a guest with one vCPU; default "0-1").
 */
#define TEST_EAL_HUGE_DIR_ENV "XD_EAL_HUGE_DIR"
#define TEST_EAL_PREFIX_ENV "XD_EAL_PREFIX"
#define TEST_EAL_PROC_ENV "XD_EAL_PROC"
#define TEST_EAL_LCORES_ENV "XD_EAL_LCORES"

/* Whether TEST_EAL_PROC_ENV asks for a secondary process. */
bool test_eal_secondary(void);

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
