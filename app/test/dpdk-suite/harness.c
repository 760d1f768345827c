/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-dma-xd authors
 */

/*
 * Runs DPDK's own dmadev test suites (fetched at build time, see test.h)
 * against our devices, as a meson test:
 *
 *   test_dpdk_suite [--allow-skip=TEXT]... COMMAND DEVICE[,DEVICE...] [EAL ARG]...
 *
 * COMMAND is "dmadev_api" (DPDK's API suite, test_dma_api(), on each
 * DEVICE) or a command the suite registers ("dmadev_autotest": DPDK's
 * instance suite, and from 25.11 the API suite too, on each DEVICE). The
 * EAL arguments create the devices (--vdev=...); the harness adds its
 * sandbox (its own file prefix, no hugepages, no PCI, IOVA as VA).
 *
 * Exit status: 0 passed, 77 skipped (the suite could not be fetched:
 * nothing to run), 1 failed. A skip inside the suite fails the test unless
 * an --allow-skip TEXT matches the case's name or the line the suite
 * announced it with ("... skipping ..."): every allowed skip is named, with
 * its reason, in app/test/dpdk-suite/meson.build.
 */

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_bus_vdev.h>
#include <rte_dmadev.h>

#include "suite-origin.h"
#include "test.h"
#include "test_eal.h"

/* The harness itself calls the real ones. */
#undef rte_vdev_init
#undef rte_dma_next_dev

/* Declared by the suite's test_dmadev_api.h; not in the stand-ins. */
int test_dma_api(uint16_t dev_id);

#define XD_SUITE_MAX_CMDS 16
#define XD_SUITE_MAX_DEVS 8
#define XD_SUITE_MAX_ALLOW 16

static struct {
	const char *name;
	test_callback *fn;
} cmds[XD_SUITE_MAX_CMDS];
static unsigned int nb_cmds;

static int16_t duts[XD_SUITE_MAX_DEVS];
static unsigned int nb_duts;

static const char *allowed[XD_SUITE_MAX_ALLOW];
static unsigned int nb_allowed;

/* Skips the suite announced or the runner saw, and those not allowed. */
static unsigned int nb_skips, nb_bad_skips;

void
xd_suite_register(const char *name, test_callback *fn)
{
	if (nb_cmds == XD_SUITE_MAX_CMDS) {
		fprintf(stderr, "harness: too many commands, %s dropped\n", name);
		return;
	}
	cmds[nb_cmds].name = name;
	cmds[nb_cmds].fn = fn;
	nb_cmds++;
}

static bool
xd_suite_is_dut(int16_t dev_id)
{
	unsigned int i;

	for (i = 0; i < nb_duts; i++)
		if (duts[i] == dev_id)
			return true;
	return false;
}

int
xd_suite_vdev_init(const char *name, const char *args)
{
	RTE_SET_USED(args);
	printf("harness: not creating %s: the suite runs on the devices under test only\n",
		name);
	return -EPERM;
}

int16_t
xd_suite_next_dev(int16_t start_dev_id)
{
	int16_t id = rte_dma_next_dev(start_dev_id);

	while (id >= 0 && !xd_suite_is_dut(id))
		id = rte_dma_next_dev(id + 1);
	return id;
}

/* Whether a skip, named by its case or its announcement, is allowed. */
static bool
xd_suite_skip_allowed(const char *what)
{
	unsigned int i;

	for (i = 0; i < nb_allowed; i++)
		if (strstr(what, allowed[i]) != NULL)
			return true;
	return false;
}

static void
xd_suite_skip(const char *what)
{
	nb_skips++;
	if (!xd_suite_skip_allowed(what)) {
		nb_bad_skips++;
		fprintf(stderr, "harness: SKIP NOT ALLOWED: %s\n", what);
	}
}

static int
xd_suite_case_run(struct unit_test_case *tc)
{
	int ret;

	if (!tc->enabled)
		return TEST_SKIPPED;
	if (tc->setup != NULL) {
		ret = tc->setup();
		if (ret != TEST_SUCCESS)
			return ret == TEST_SKIPPED ? TEST_SKIPPED : TEST_FAILED;
	}
	if (tc->testcase != NULL)
		ret = tc->testcase();
	else
		ret = tc->testcase_with_data(tc->data);
	if (tc->teardown != NULL)
		tc->teardown();
	return ret;
}

int
unit_test_suite_runner(struct unit_test_suite *suite)
{
	struct unit_test_case *tc;
	int ret = TEST_SUCCESS;
	char what[256];

	suite->total = suite->executed = suite->succeeded = 0;
	suite->skipped = suite->failed = suite->unsupported = 0;
	printf(" + ------------------------------------------------------- +\n");
	printf(" + Test Suite : %s\n", suite->suite_name);
	if (suite->setup != NULL)
		ret = suite->setup();
	for (tc = suite->unit_test_cases; tc->name != NULL; tc++) {
		int r = ret == TEST_SUCCESS ? xd_suite_case_run(tc) : ret;

		suite->total++;
		if (r == TEST_SUCCESS) {
			suite->executed++;
			suite->succeeded++;
			printf(" + TestCase [%2u] : %s succeeded\n", suite->total,
				tc->name);
		} else if (r == TEST_SKIPPED) {
			suite->skipped++;
			printf(" + TestCase [%2u] : %s skipped\n", suite->total,
				tc->name);
			snprintf(what, sizeof(what), "case %s of %s", tc->name,
				suite->suite_name);
			xd_suite_skip(what);
		} else if (r == TEST_NOT_SUPPORTED) {
			suite->unsupported++;
			printf(" + TestCase [%2u] : %s not supported\n",
				suite->total, tc->name);
			snprintf(what, sizeof(what), "case %s of %s (not supported)",
				tc->name, suite->suite_name);
			xd_suite_skip(what);
		} else {
			suite->executed++;
			suite->failed++;
			printf(" + TestCase [%2u] : %s failed\n", suite->total,
				tc->name);
		}
	}
	if (suite->teardown != NULL && ret == TEST_SUCCESS)
		suite->teardown();
	printf(" + Tests Total : %2u, Succeeded : %2u, Failed : %2u, Skipped : %2u, Unsupported : %2u\n",
		suite->total, suite->succeeded, suite->failed, suite->skipped,
		suite->unsupported);
	if (ret != TEST_SUCCESS && ret != TEST_SKIPPED)
		printf(" + Suite setup failed: %d\n", ret);
	if (suite->failed != 0 || (ret != TEST_SUCCESS && ret != TEST_SKIPPED))
		return TEST_FAILED;
	return suite->succeeded == 0 ? TEST_SKIPPED : TEST_SUCCESS;
}

/*
 * DPDK's suites announce some skips with a printf only ("...: device does
 * not report errors, skipping error handling tests"): everything the
 * process writes goes through a pipe, is copied to the real output and
 * read for them.
 */
struct xd_suite_tap {
	int pipe[2];
	int out;                  /* the real stdout */
	int err;                  /* the real stderr */
	pthread_t reader;
};

static void *
xd_suite_tap_read(void *arg)
{
	struct xd_suite_tap *tap = arg;
	FILE *in = fdopen(tap->pipe[0], "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	if (in == NULL)
		return NULL;
	while ((n = getline(&line, &cap, in)) > 0) {
		if (write(tap->out, line, (size_t)n) != n)
			break;
		if (strstr(line, "skipping") != NULL &&
				strstr(line, "harness:") == NULL) {
			line[strcspn(line, "\r\n")] = '\0';
			xd_suite_skip(line);
		}
	}
	free(line);
	fclose(in);
	return NULL;
}

static int
xd_suite_tap_open(struct xd_suite_tap *tap)
{
	fflush(stdout);
	fflush(stderr);
	if (pipe(tap->pipe) != 0)
		return -errno;
	tap->out = dup(STDOUT_FILENO);
	tap->err = dup(STDERR_FILENO);
	if (tap->out < 0 || tap->err < 0 ||
			dup2(tap->pipe[1], STDOUT_FILENO) < 0 ||
			dup2(tap->pipe[1], STDERR_FILENO) < 0)
		return -errno;
	close(tap->pipe[1]);
	setvbuf(stdout, NULL, _IOLBF, 0);
	return -pthread_create(&tap->reader, NULL, xd_suite_tap_read, tap);
}

static void
xd_suite_tap_close(struct xd_suite_tap *tap)
{
	fflush(stdout);
	fflush(stderr);
	/* The pipe's last writers go: the reader sees its end. */
	dup2(tap->out, STDOUT_FILENO);
	dup2(tap->err, STDERR_FILENO);
	pthread_join(tap->reader, NULL);
	close(tap->out);
	close(tap->err);
}

/* Run COMMAND on the devices under test: a TEST_* result. */
static int
xd_suite_command(const char *command)
{
	unsigned int i;
	int ret;

	if (strcmp(command, "dmadev_api") == 0) {
#ifdef XD_SUITE_UNAVAILABLE
		return TEST_FAILED;
#endif
		for (i = 0; i < nb_duts; i++) {
			ret = test_dma_api((uint16_t)duts[i]);
			if (ret != TEST_SUCCESS)
				return ret;
		}
		return TEST_SUCCESS;
	}
	for (i = 0; i < nb_cmds; i++)
		if (strcmp(cmds[i].name, command) == 0)
			return cmds[i].fn();
	fprintf(stderr, "harness: the suite registers no command %s\n", command);
	return TEST_FAILED;
}

static int
xd_suite_duts(char *list)
{
	char *name, *save = NULL;

	for (name = strtok_r(list, ",", &save); name != NULL;
			name = strtok_r(NULL, ",", &save)) {
		int id = rte_dma_get_dev_id_by_name(name);

		if (id < 0 || nb_duts == XD_SUITE_MAX_DEVS) {
			fprintf(stderr, "harness: no dmadev %s to test\n", name);
			return -ENODEV;
		}
		duts[nb_duts++] = (int16_t)id;
	}
	return nb_duts > 0 ? 0 : -EINVAL;
}

int
main(int argc, char **argv)
{
	struct xd_suite_tap tap;
	const char *command;
	int first = 1, ret;

	while (first < argc && strncmp(argv[first], "--allow-skip=", 13) == 0) {
		if (nb_allowed < XD_SUITE_MAX_ALLOW)
			allowed[nb_allowed++] = argv[first] + 13;
		first++;
	}
	if (argc - first < 2) {
		fprintf(stderr, "usage: %s [--allow-skip=TEXT]... COMMAND DEVICE[,DEVICE...] [EAL ARG]...\n",
			argv[0]);
		return 1;
	}
#ifdef XD_SUITE_UNAVAILABLE
	printf("SKIP: DPDK's dmadev test suite is unavailable: %s\n",
		XD_SUITE_UNAVAILABLE);
	return 77;
#else
	printf("harness: DPDK's dmadev suite from %s\n", XD_SUITE_ORIGIN);
#endif
	command = argv[first];
	ret = test_eal_init(command, (const char *const *)&argv[first + 2],
		(unsigned int)(argc - first - 2));
	if (ret != 0) {
		fprintf(stderr, "harness: EAL init failed: %s\n", strerror(-ret));
		return 1;
	}
	if (xd_suite_duts(argv[first + 1]) != 0) {
		test_eal_fini();
		return 1;
	}
	ret = xd_suite_tap_open(&tap);
	if (ret != 0) {
		fprintf(stderr, "harness: cannot read the suite's output: %s\n",
			strerror(-ret));
		test_eal_fini();
		return 1;
	}
	ret = xd_suite_command(command);
	xd_suite_tap_close(&tap);
	test_eal_fini();
	if (ret == TEST_SKIPPED) {
		printf("harness: FAILED: %s skipped everything on a software device\n",
			command);
		return 1;
	}
	if (ret != TEST_SUCCESS) {
		printf("harness: FAILED: %s returned %d\n", command, ret);
		return 1;
	}
	if (nb_bad_skips != 0) {
		printf("harness: FAILED: %u of %u skips not allowed\n",
			nb_bad_skips, nb_skips);
		return 1;
	}
	printf("harness: %s passed (%u allowed skips)\n", command, nb_skips);
	return 0;
}
