/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-dma-xd authors
 */

#ifndef TEST_HUGE_H
#define TEST_HUGE_H

/*
 * Real 2 MB hugepages for a test's DPDK processes: pages reserved in the
 * kernel's pool and a hugetlbfs mount of the test's own (EAL --huge-dir),
 * both given back at teardown. Parallel tests change the pool one at a
 * time, under a lock file.
 */

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

struct test_huge {
	char dir[PATH_MAX];  /* the hugetlbfs mount; "" if none */
	unsigned int pages;  /* 2 MB pages reserved */
};

/*
 * Reserve @pages pages and mount hugetlbfs at @parent/huge. False, with
 * the reason in @why, when this machine cannot: not root, or the kernel
 * has no pages to give (the caller then skips, saying why).
 */
bool test_huge_setup(struct test_huge *h, const char *parent,
		unsigned int pages, char *why, size_t len);

/* Unmount and give the pages back; harmless after a failed setup. */
void test_huge_teardown(struct test_huge *h);

#endif /* TEST_HUGE_H */
