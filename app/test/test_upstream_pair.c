/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-dma-xd authors
 */

/*
 * The acceptance test of the native target: examples/upstream_pair, a
 * program written only from DPDK 25.11's documentation, run as two real
 * processes on real hugepages, with nothing but EAL arguments (-d for our
 * plugin, --vdev) and environment variables that are not the program's
 * business (the broker's socket, the plugin's library path). On DPDK
 * 22.11 the same program runs with its documented diff applied.
 *
 *   test_upstream_pair DRIVER   (dma_xd_skeleton, dma_xd_cnxk)
 * Environment: XD_UPSTREAM_PAIR (the program), XD_PLUGIN_DIR (where
 * librte_<DRIVER>.so is).
 */

#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "test_huge.h"
#include "test_proc.h"

/* Two processes of -m 32, and room. */
#define HUGE_PAGES 40
#define RUN_MS 30000

static const char *driver;
static const char *program;
static const char *plugin_dir;

struct fixture {
	char dir[64];
	struct test_huge huge;
	char why[256];           /* no hugepages here: why */
	struct test_proc creator;
	struct test_proc joiner;
};

/* What one process printed, and how it ended. */
struct outcome {
	char out[8192];
	int status;
};

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/xd-upstream-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	if (!test_huge_setup(&f->huge, f->dir, HUGE_PAGES, f->why,
			sizeof(f->why)))
		test_huge_teardown(&f->huge);
	*state = f;
	return 0;
}

/* A killed process leaves EAL's runtime directory (root: /var/run). */
static void
killed(const struct test_proc *p, pid_t pid)
{
	char path[PATH_MAX];

	(void)pid;
	snprintf(path, sizeof(path), "/var/run/dpdk/xdup-%s-%d", p->name,
		(int)getpid());
	nftw(path, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}

/* The program runs on real hugepages: without them, say why and skip. */
static void
need_hugepages(const struct fixture *f)
{
	if (f->huge.dir[0] != '\0')
		return;
	print_message("skipped: %s\n", f->why);
	skip();
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	struct test_proc *procs[] = { &f->creator, &f->joiner };

	test_proc_end(procs, 2, 5000, killed);
	test_huge_teardown(&f->huge);
	nftw(f->dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
	free(f);
	return 0;
}

static void
start(struct fixture *f, struct test_proc *p, const char *role,
		const char *const *extra_env)
{
	char huge[PATH_MAX + 16], prefix[64], plugin[64], vdev[64];
	char sock[PATH_MAX], lib[PATH_MAX + 32], broker[PATH_MAX + 32];
	char prog[PATH_MAX], what[16];
	const char *env[8] = { lib, broker };
	unsigned int n = 2;
	char *argv[] = {
		prog, "-l", "0", huge, "-m", "32", "--no-pci", "-d", plugin,
		vdev, prefix, "--", what, sock, NULL,
	};
	struct test_proc_opts o = { .env = env };

	snprintf(prog, sizeof(prog), "%s", program);
	snprintf(what, sizeof(what), "%s", role);
	while (extra_env != NULL && *extra_env != NULL)
		env[n++] = *extra_env++;
	snprintf(huge, sizeof(huge), "--huge-dir=%s", f->huge.dir);
	snprintf(prefix, sizeof(prefix), "--file-prefix=xdup-%s-%d", role,
		(int)getpid());
	/* Bare name: EAL refuses plugin paths below world-writable dirs. */
	snprintf(plugin, sizeof(plugin), "librte_%s.so", driver);
	snprintf(vdev, sizeof(vdev), "--vdev=%s0", driver);
	snprintf(sock, sizeof(sock), "%s/side.sock", f->dir);
	snprintf(lib, sizeof(lib), "LD_LIBRARY_PATH=%s", plugin_dir);
	snprintf(broker, sizeof(broker), "RTE_DMA_ACCESS_SOCKET=%s/broker.sock",
		f->dir);
	assert_int_equal(test_proc_spawn(p, role, argv, &o), 0);
}

/* Everything @p prints until it exits, and its exit status. */
static void
finish(struct test_proc *p, struct outcome *o)
{
	uint64_t deadline = test_proc_now_ns() + RUN_MS * 1000000ull;
	char line[TEST_PROC_LINE];
	size_t used;

	o->out[0] = '\0';
	while (test_proc_read_line(p, line, sizeof(line), deadline) == 0) {
		used = strlen(o->out);
		snprintf(o->out + used, sizeof(o->out) - used, "%s\n", line);
	}
	if (!test_proc_reaped(p, true))
		fail_msg("%s did not exit", p->name);
	o->status = WIFEXITED(p->status) ? WEXITSTATUS(p->status) : -1;
}

static void
expect_line(const struct outcome *o, const char *name, const char *text)
{
	if (strstr(o->out, text) == NULL)
		fail_msg("%s did not print '%s'; it printed:\n%s", name, text,
			o->out);
}

/*
 * The joiner keeps DPDK's memory private (RTE_DMA_DOMAIN_SHARE_DPDK=0):
 * its rte_zmalloc() buffer is in no window, the creator's copy completes
 * with an error instead of reaching it, and both say so.
 */
static void
test_private_memory_refused(void **state)
{
	static const char *const private_env[] = {
		"RTE_DMA_DOMAIN_SHARE_DPDK=0", NULL,
	};
	struct fixture *f = *state;
	struct outcome c, j;

	need_hugepages(f);
	start(f, &f->creator, "create", NULL);
	start(f, &f->joiner, "join", private_env);
	finish(&f->creator, &c);
	finish(&f->joiner, &j);
	assert_int_not_equal(c.status, 0);
	assert_int_not_equal(j.status, 0);
	expect_line(&j, "the joiner", "joined group");
	if (strstr(c.out, "copied") != NULL)
		fail_msg("the creator copied into private memory:\n%s", c.out);
}

/* The whole flow of the guide: create, join, handlers, copy, leave, destroy. */
static void
test_copy_into_peer(void **state)
{
	struct fixture *f = *state;
	struct outcome c, j;

	need_hugepages(f);
	start(f, &f->creator, "create", NULL);
	start(f, &f->joiner, "join", NULL);
	finish(&f->creator, &c);
	finish(&f->joiner, &j);
	expect_line(&c, "the creator", "created group");
	expect_line(&c, "the creator", "copied 65536 bytes");
	expect_line(&c, "the creator", "member left");
	expect_line(&c, "the creator", "the joiner verified the data");
	expect_line(&j, "the joiner", "65536 of 65536 bytes as the creator wrote them");
	assert_int_equal(c.status, 0);
	assert_int_equal(j.status, 0);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_private_memory_refused,
			setup, teardown),
		cmocka_unit_test_setup_teardown(test_copy_into_peer, setup,
			teardown),
	};

	program = getenv("XD_UPSTREAM_PAIR");
	plugin_dir = getenv("XD_PLUGIN_DIR");
	if (argc != 2 || strncmp(argv[1], "dma_", 4) != 0 || program == NULL ||
			plugin_dir == NULL) {
		fprintf(stderr, "usage: XD_UPSTREAM_PAIR=PROGRAM XD_PLUGIN_DIR=DIR %s DRIVER\n",
			argv[0]);
		return 1;
	}
	driver = argv[1];
	return cmocka_run_group_tests(tests, NULL, NULL);
}
