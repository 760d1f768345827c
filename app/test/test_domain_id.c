/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-dma-xd authors
 */

/*
 * Tests of the process domain identity (rte_dma_domain_id_get/set).
 *
 * The id is fixed at its first use in a process, so every case runs in a
 * fresh process: a child forked from this one, which itself never touches
 * the id. A child reports a failed check on stderr and exits non-zero;
 * cmocka's assertions are for the parent only, since a failing one in a
 * child would jump back into the child's copy of the test runner.
 */

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include <rte_common.h>
#include <rte_uuid.h>

#include "rte_dmadev_domain.h"

#define ENV_NAME "RTE_DMA_DOMAIN_ID"

/* Two fixed ids and their canonical text. */
#define ID_A_STR "6ba7b810-9dad-11d1-80b4-00c04fd430c8"
#define ID_B_STR "0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9"

#define NB_THREADS 8

/* In a child: report the failed check and end the child with status 1. */
#define CHILD_CHECK(cond) do { \
	if (!(cond)) { \
		fprintf(stderr, "%s:%d: check failed in child %d: %s\n", \
			__FILE__, __LINE__, (int)getpid(), #cond); \
		_exit(1); \
	} \
} while (0)

static rte_uuid_t id_a;
static rte_uuid_t id_b;
static const rte_uuid_t id_nil;

static bool
uuid_equal(const rte_uuid_t x, const rte_uuid_t y)
{
	return rte_uuid_compare(x, y) == 0;
}

/*
 * Run @p fn in a fresh child process. If @p out is not NULL, the child's
 * domain id (rte_dma_domain_id_get() after @p fn) comes back through it.
 * Returns the child's exit status, or -1 if it did not exit normally.
 */
static int
run_child(void (*fn)(const void *arg), const void *arg, rte_uuid_t out)
{
	int fds[2];
	int status;
	pid_t pid;

	if (pipe(fds) != 0)
		return -1;
	/* Nothing buffered may be written twice, once by each process. */
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (pid == 0) {
		rte_uuid_t id;

		close(fds[0]);
		fn(arg);
		if (out != NULL) {
			CHILD_CHECK(rte_dma_domain_id_get(id) == 0);
			CHILD_CHECK(write(fds[1], id, sizeof(id)) ==
				(ssize_t)sizeof(id));
		}
		_exit(0);
	}
	close(fds[1]);
	if (out != NULL &&
			read(fds[0], out, sizeof(rte_uuid_t)) != sizeof(rte_uuid_t))
		memset(out, 0, sizeof(rte_uuid_t));
	close(fds[0]);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static void
expect_child_ok(void (*fn)(const void *arg), const void *arg)
{
	assert_int_equal(run_child(fn, arg, NULL), 0);
}

/* Same, from inside a child (for a grandchild). */
static void
child_expect_child_ok(void (*fn)(const void *arg), const void *arg)
{
	CHILD_CHECK(run_child(fn, arg, NULL) == 0);
}

/* A random (version 4, RFC 4122 variant) id. */
static bool
uuid_is_random_v4(const rte_uuid_t id)
{
	return (id[6] & 0xf0) == 0x40 && (id[8] & 0xc0) == 0x80;
}

/* --- argument checks --- */

static void
child_null_and_nil(const void *arg)
{
	rte_uuid_t id;

	RTE_SET_USED(arg);
	CHILD_CHECK(rte_dma_domain_id_get(NULL) == -EINVAL);
	CHILD_CHECK(rte_dma_domain_id_set(NULL) == -EINVAL);
	CHILD_CHECK(rte_dma_domain_id_set(id_nil) == -EINVAL);
	/* None of these fixed the id. */
	CHILD_CHECK(rte_dma_domain_id_set(id_a) == 0);
	CHILD_CHECK(rte_dma_domain_id_get(id) == 0);
	CHILD_CHECK(uuid_equal(id, id_a));
	/* and after it is fixed, the same answers */
	CHILD_CHECK(rte_dma_domain_id_get(NULL) == -EINVAL);
	CHILD_CHECK(rte_dma_domain_id_set(NULL) == -EINVAL);
	CHILD_CHECK(rte_dma_domain_id_set(id_nil) == -EINVAL);
}

static void
test_null_and_nil(void **state)
{
	RTE_SET_USED(state);
	expect_child_ok(child_null_and_nil, NULL);
}

/* --- set and get order --- */

static void
child_set_before_get(const void *arg)
{
	rte_uuid_t id;
	int i;

	RTE_SET_USED(arg);
	CHILD_CHECK(rte_dma_domain_id_set(id_a) == 0);
	/* the first set wins, even before any get */
	CHILD_CHECK(rte_dma_domain_id_set(id_b) == -EBUSY);
	CHILD_CHECK(rte_dma_domain_id_set(id_a) == -EBUSY);
	for (i = 0; i < 3; i++) {
		memset(id, 0, sizeof(id));
		CHILD_CHECK(rte_dma_domain_id_get(id) == 0);
		CHILD_CHECK(uuid_equal(id, id_a));
	}
	CHILD_CHECK(rte_dma_domain_id_set(id_b) == -EBUSY);
}

static void
test_set_before_get(void **state)
{
	RTE_SET_USED(state);
	expect_child_ok(child_set_before_get, NULL);
}

static void
child_set_after_get(const void *arg)
{
	rte_uuid_t first, id;

	RTE_SET_USED(arg);
	CHILD_CHECK(rte_dma_domain_id_get(first) == 0);
	CHILD_CHECK(!rte_uuid_is_null(first));
	CHILD_CHECK(rte_dma_domain_id_set(id_a) == -EBUSY);
	CHILD_CHECK(rte_dma_domain_id_get(id) == 0);
	CHILD_CHECK(uuid_equal(id, first));
}

static void
test_set_after_get(void **state)
{
	RTE_SET_USED(state);
	expect_child_ok(child_set_after_get, NULL);
}

/* --- environment --- */

static void
child_env(const void *arg)
{
	const char *text = arg;
	rte_uuid_t id;

	CHILD_CHECK(setenv(ENV_NAME, text, 1) == 0);
	CHILD_CHECK(rte_dma_domain_id_get(id) == 0);
	CHILD_CHECK(uuid_equal(id, id_a));
	/* read once: later changes to the variable do not matter */
	CHILD_CHECK(setenv(ENV_NAME, ID_B_STR, 1) == 0);
	CHILD_CHECK(rte_dma_domain_id_get(id) == 0);
	CHILD_CHECK(uuid_equal(id, id_a));
	CHILD_CHECK(rte_dma_domain_id_set(id_b) == -EBUSY);
}

static void
test_env(void **state)
{
	char upper[sizeof(ID_A_STR)];
	unsigned int i;

	RTE_SET_USED(state);
	expect_child_ok(child_env, ID_A_STR);
	/* upper-case hex is the same canonical form */
	for (i = 0; i < sizeof(upper); i++)
		upper[i] = (char)toupper((unsigned char)ID_A_STR[i]);
	expect_child_ok(child_env, upper);
}

static void
child_env_set_wins(const void *arg)
{
	rte_uuid_t id;

	RTE_SET_USED(arg);
	CHILD_CHECK(setenv(ENV_NAME, ID_A_STR, 1) == 0);
	CHILD_CHECK(rte_dma_domain_id_set(id_b) == 0);
	CHILD_CHECK(rte_dma_domain_id_get(id) == 0);
	CHILD_CHECK(uuid_equal(id, id_b));
}

static void
test_env_set_wins(void **state)
{
	RTE_SET_USED(state);
	expect_child_ok(child_env_set_wins, NULL);
}

static void
child_env_invalid(const void *arg)
{
	const char *text = arg;
	rte_uuid_t id;

	CHILD_CHECK(setenv(ENV_NAME, text, 1) == 0);
	CHILD_CHECK(rte_dma_domain_id_get(id) == -EINVAL);
	/* nothing was chosen: the same answer again... */
	CHILD_CHECK(rte_dma_domain_id_get(id) == -EINVAL);
	/* ...and a fixed variable is read at the next call */
	CHILD_CHECK(setenv(ENV_NAME, ID_A_STR, 1) == 0);
	CHILD_CHECK(rte_dma_domain_id_get(id) == 0);
	CHILD_CHECK(uuid_equal(id, id_a));
}

static void
child_env_invalid_then_set(const void *arg)
{
	const char *text = arg;
	rte_uuid_t id;

	CHILD_CHECK(setenv(ENV_NAME, text, 1) == 0);
	CHILD_CHECK(rte_dma_domain_id_get(id) == -EINVAL);
	/* a bad variable does not block an explicit choice */
	CHILD_CHECK(rte_dma_domain_id_set(id_b) == 0);
	CHILD_CHECK(rte_dma_domain_id_get(id) == 0);
	CHILD_CHECK(uuid_equal(id, id_b));
}

static void
test_env_invalid(void **state)
{
	static const char *const bad[] = {
		"",
		"x",
		"not-a-uuid",
		"00000000-0000-0000-0000-000000000000",
		"{" ID_A_STR "}",
		"6ba7b8109dad11d180b400c04fd430c8",
		ID_A_STR " ",
		" " ID_A_STR,
		ID_A_STR "0",
		"6ba7b810-9dad-11d1-80b4-00c04fd430cg",
		"6ba7b810_9dad-11d1-80b4-00c04fd430c8",
		"6ba7b810-9dad-11d1-80b4-00c04fd430c",
		"urn:uuid:" ID_A_STR,
	};
	unsigned int i;

	RTE_SET_USED(state);
	for (i = 0; i < RTE_DIM(bad); i++) {
		if (run_child(child_env_invalid, bad[i], NULL) != 0)
			fail_msg("RTE_DMA_DOMAIN_ID=\"%s\"", bad[i]);
		if (run_child(child_env_invalid_then_set, bad[i], NULL) != 0)
			fail_msg("RTE_DMA_DOMAIN_ID=\"%s\", then set", bad[i]);
	}
}

/* --- random ids --- */

static void
child_random(const void *arg)
{
	rte_uuid_t first, id;
	int i;

	RTE_SET_USED(arg);
	CHILD_CHECK(rte_dma_domain_id_get(first) == 0);
	CHILD_CHECK(!rte_uuid_is_null(first));
	CHILD_CHECK(uuid_is_random_v4(first));
	for (i = 0; i < 100; i++) {
		CHILD_CHECK(rte_dma_domain_id_get(id) == 0);
		CHILD_CHECK(uuid_equal(id, first));
	}
}

static void
test_random(void **state)
{
	RTE_SET_USED(state);
	expect_child_ok(child_random, NULL);
}

static void
child_nothing(const void *arg)
{
	RTE_SET_USED(arg);
}

/* Processes that never chose an id never share one. */
static void
test_random_unique(void **state)
{
	rte_uuid_t ids[4];
	unsigned int i, j;

	RTE_SET_USED(state);
	for (i = 0; i < RTE_DIM(ids); i++) {
		assert_int_equal(run_child(child_nothing, NULL, ids[i]), 0);
		assert_false(rte_uuid_is_null(ids[i]));
		for (j = 0; j < i; j++)
			assert_false(uuid_equal(ids[i], ids[j]));
	}
}

/* --- threads --- */

struct race {
	pthread_barrier_t barrier;
	struct {
		bool setter;
		rte_uuid_t mine;  /* what a setter tries to set */
		rte_uuid_t got;   /* what a getter got */
		int ret;
	} t[NB_THREADS];
};

/* One thread's view: the race it takes part in and its own slot. */
struct race_arg {
	struct race *race;
	unsigned int slot;
};

static void *
race_worker(void *arg)
{
	const struct race_arg *a = arg;
	struct race *r = a->race;
	unsigned int i = a->slot;

	pthread_barrier_wait(&r->barrier);
	if (r->t[i].setter)
		r->t[i].ret = rte_dma_domain_id_set(r->t[i].mine);
	else
		r->t[i].ret = rte_dma_domain_id_get(r->t[i].got);
	return NULL;
}

/*
 * Threads race for the first use: the gets all see one id, at most one
 * set wins, and if one did, that is the id every get sees.
 */
static void
child_threads(const void *arg)
{
	const bool with_setters = arg != NULL;
	struct race_arg args[NB_THREADS];
	pthread_t th[NB_THREADS];
	struct race r;
	rte_uuid_t id;
	int winner = -1;
	unsigned int i;

	memset(&r, 0, sizeof(r));
	CHILD_CHECK(pthread_barrier_init(&r.barrier, NULL, NB_THREADS) == 0);
	for (i = 0; i < NB_THREADS; i++) {
		r.t[i].setter = with_setters && (i % 2) == 1;
		rte_uuid_copy(r.t[i].mine, id_a);
		r.t[i].mine[15] = (uint8_t)i;
		args[i].race = &r;
		args[i].slot = i;
		CHILD_CHECK(pthread_create(&th[i], NULL, race_worker,
			&args[i]) == 0);
	}
	for (i = 0; i < NB_THREADS; i++)
		CHILD_CHECK(pthread_join(th[i], NULL) == 0);
	pthread_barrier_destroy(&r.barrier);

	CHILD_CHECK(rte_dma_domain_id_get(id) == 0);
	for (i = 0; i < NB_THREADS; i++) {
		if (r.t[i].setter) {
			CHILD_CHECK(r.t[i].ret == 0 || r.t[i].ret == -EBUSY);
			if (r.t[i].ret == 0) {
				CHILD_CHECK(winner < 0);
				winner = (int)i;
			}
		} else {
			CHILD_CHECK(r.t[i].ret == 0);
			CHILD_CHECK(uuid_equal(r.t[i].got, id));
		}
	}
	if (winner >= 0)
		CHILD_CHECK(uuid_equal(id, r.t[winner].mine));
}

static void
test_threads(void **state)
{
	static const int with_setters = 1;
	int round;

	RTE_SET_USED(state);
	/* A race is not decided the same way twice: a few rounds. */
	for (round = 0; round < 5; round++) {
		expect_child_ok(child_threads, NULL);
		expect_child_ok(child_threads, &with_setters);
	}
}

/* --- fork --- */

static rte_uuid_t parent_id;

static void
grandchild_differs(const void *arg)
{
	rte_uuid_t id;

	RTE_SET_USED(arg);
	CHILD_CHECK(rte_dma_domain_id_get(id) == 0);
	CHILD_CHECK(!uuid_equal(id, parent_id));
	CHILD_CHECK(uuid_is_random_v4(id));
}

static void
grandchild_can_set(const void *arg)
{
	rte_uuid_t id;

	RTE_SET_USED(arg);
	/* the parent's fixed state is forgotten too */
	CHILD_CHECK(rte_dma_domain_id_set(id_b) == 0);
	CHILD_CHECK(rte_dma_domain_id_get(id) == 0);
	CHILD_CHECK(uuid_equal(id, id_b));
}

static void
grandchild_env(const void *arg)
{
	rte_uuid_t id;

	RTE_SET_USED(arg);
	CHILD_CHECK(rte_dma_domain_id_get(id) == 0);
	CHILD_CHECK(uuid_equal(id, id_a));
}

static void
child_fork_random(const void *arg)
{
	rte_uuid_t id;

	RTE_SET_USED(arg);
	CHILD_CHECK(rte_dma_domain_id_get(parent_id) == 0);
	child_expect_child_ok(grandchild_differs, NULL);
	child_expect_child_ok(grandchild_can_set, NULL);
	/* the parent keeps its own */
	CHILD_CHECK(rte_dma_domain_id_get(id) == 0);
	CHILD_CHECK(uuid_equal(id, parent_id));
}

static void
child_fork_after_set(const void *arg)
{
	RTE_SET_USED(arg);
	CHILD_CHECK(rte_dma_domain_id_set(id_a) == 0);
	CHILD_CHECK(rte_dma_domain_id_get(parent_id) == 0);
	CHILD_CHECK(uuid_equal(parent_id, id_a));
	/* set in the parent, not inherited: the child picks a random one */
	child_expect_child_ok(grandchild_differs, NULL);
}

static void
child_fork_env(const void *arg)
{
	rte_uuid_t id;

	RTE_SET_USED(arg);
	CHILD_CHECK(setenv(ENV_NAME, ID_A_STR, 1) == 0);
	CHILD_CHECK(rte_dma_domain_id_get(id) == 0);
	CHILD_CHECK(uuid_equal(id, id_a));
	/* the inherited variable is an explicit choice for the child too */
	child_expect_child_ok(grandchild_env, NULL);
}

static void
test_fork(void **state)
{
	RTE_SET_USED(state);
	expect_child_ok(child_fork_random, NULL);
	expect_child_ok(child_fork_after_set, NULL);
	expect_child_ok(child_fork_env, NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_null_and_nil),
		cmocka_unit_test(test_set_before_get),
		cmocka_unit_test(test_set_after_get),
		cmocka_unit_test(test_env),
		cmocka_unit_test(test_env_set_wins),
		cmocka_unit_test(test_env_invalid),
		cmocka_unit_test(test_random),
		cmocka_unit_test(test_random_unique),
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_fork),
	};

	/* The children decide about the variable themselves. */
	unsetenv(ENV_NAME);
	if (rte_uuid_parse(ID_A_STR, id_a) != 0 ||
			rte_uuid_parse(ID_B_STR, id_b) != 0)
		return 1;
	return cmocka_run_group_tests_name("domain_id", tests, NULL, NULL) == 0 ?
		0 : 1;
}
