/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-dma-xd authors
 */

#ifndef XD_SUITE_TEST_H
#define XD_SUITE_TEST_H

/*
 * The test harness DPDK's own dmadev suites (app/test/test_dmadev*.c,
 * fetched at build time by devtools/fetch-dpdk-tests.sh) expect to find
 * as "test.h": written for this project from the interface those files
 * use, for DPDK 22.11's suite and for later ones (25.11), so they build
 * and run unchanged, outside DPDK's test application.
 *
 *   test command   REGISTER_*_TEST(name, fn): fn() runs when the harness
 *                  is asked for command "name"; 0 passes, TEST_SKIPPED
 *                  skips, anything else fails.
 *   test suite     struct unit_test_suite: a setup, test cases and a
 *                  teardown, run by unit_test_suite_runner().
 *   test case      a function, optionally with its own setup/teardown and
 *                  a data pointer; its result is one of TEST_*.
 *
 * The harness (harness.c) tests the devices named on its command line
 * only: DPDK's suites look for every dmadev (RTE_DMA_FOREACH_DEV) and try
 * to create Debian's dma_skeleton, which would test another driver (and,
 * with the stacked engine, the device below ours). The two calls that do
 * so are routed to the harness below; nothing else changes.
 */

#include <errno.h>
#include <stdint.h>
#include <stdio.h>

#include <rte_bus_vdev.h>
#include <rte_common.h>
#include <rte_dmadev.h>
#include <rte_test.h>

/* Results of a test case, a suite or a command (DPDK's values). */
#define TEST_SUCCESS 0
#define TEST_FAILED (-1)
#define TEST_SKIPPED 77
#define TEST_NOT_SUPPORTED (-ENOTSUP)

/* Assertions: on failure they log and return TEST_FAILED. */
#define TEST_ASSERT RTE_TEST_ASSERT
#define TEST_ASSERT_EQUAL RTE_TEST_ASSERT_EQUAL
#define TEST_ASSERT_NOT_EQUAL RTE_TEST_ASSERT_NOT_EQUAL
#define TEST_ASSERT_SUCCESS RTE_TEST_ASSERT_SUCCESS
#define TEST_ASSERT_FAIL RTE_TEST_ASSERT_FAIL
#define TEST_ASSERT_NULL RTE_TEST_ASSERT_NULL
#define TEST_ASSERT_NOT_NULL RTE_TEST_ASSERT_NOT_NULL

struct unit_test_case {
	int (*setup)(void);       /* TEST_SKIPPED skips the case */
	void (*teardown)(void);
	int (*testcase)(void);
	int (*testcase_with_data)(const void *data);
	const char *name;
	const void *data;
	int enabled;              /* 0: not run, counted as skipped */
};

#define TEST_CASE_NAMED_WITH_DATA(nm, st, td, fn, dt) { \
	.setup = (st), .teardown = (td), .testcase_with_data = (fn), \
	.name = (nm), .data = (dt), .enabled = 1 }
#define TEST_CASE_WITH_DATA(st, td, fn, dt) \
	TEST_CASE_NAMED_WITH_DATA(#fn, st, td, fn, dt)
#define TEST_CASE_NAMED_ST(nm, st, td, fn) { \
	.setup = (st), .teardown = (td), .testcase = (fn), .name = (nm), \
	.enabled = 1 }
#define TEST_CASE_ST(st, td, fn) TEST_CASE_NAMED_ST(#fn, st, td, fn)
#define TEST_CASE(fn) TEST_CASE_ST(NULL, NULL, fn)
#define TEST_CASE_DISABLED(fn) { .testcase = (fn), .name = #fn, .enabled = 0 }
#define TEST_CASES_END() { .name = NULL }

struct unit_test_suite {
	const char *suite_name;
	int (*setup)(void);       /* failure or TEST_SKIPPED: no case runs */
	void (*teardown)(void);
	unsigned int total;       /* filled in by the runner */
	unsigned int executed;
	unsigned int succeeded;
	unsigned int skipped;
	unsigned int failed;
	unsigned int unsupported;
	struct unit_test_suite **unit_test_suites; /* not run by this harness */
	struct unit_test_case unit_test_cases[];   /* ends with TEST_CASES_END */
};

/*
 * Run @suite: TEST_SUCCESS when no case failed, TEST_SKIPPED when none
 * ran, else TEST_FAILED. A skipped case is a failure unless the harness
 * was told to allow it (--allow-skip): a software device has no reason to
 * skip what DPDK's suite tests.
 */
int unit_test_suite_runner(struct unit_test_suite *suite);

/* Commands, registered before main() runs. */
typedef int (test_callback)(void);
void xd_suite_register(const char *name, test_callback *fn);

#define REGISTER_TEST_COMMAND(cmd, fn) \
	static void __attribute__((constructor)) \
	xd_suite_register_ ## cmd(void) \
	{ \
		xd_suite_register(RTE_STR(cmd), fn); \
	}
#define REGISTER_FAST_TEST(cmd, no_huge, asan, fn) REGISTER_TEST_COMMAND(cmd, fn)
#define REGISTER_DRIVER_TEST(cmd, fn) REGISTER_TEST_COMMAND(cmd, fn)
#define REGISTER_PERF_TEST(cmd, fn) REGISTER_TEST_COMMAND(cmd, fn)
#define REGISTER_STRESS_TEST(cmd, fn) REGISTER_TEST_COMMAND(cmd, fn)

/* The devices under test only (see the top of this file). */
int xd_suite_vdev_init(const char *name, const char *args);
int16_t xd_suite_next_dev(int16_t start_dev_id);
#define rte_vdev_init xd_suite_vdev_init
#define rte_dma_next_dev xd_suite_next_dev

#endif /* XD_SUITE_TEST_H */
