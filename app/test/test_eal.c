/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-dma-xd authors
 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_dmadev.h>
#include <rte_eal.h>
#include <rte_errno.h>

#include "test_eal.h"

#define TEST_EAL_MAX_ARGS 32

/* Filled before rte_eal_cleanup(), which frees EAL's copy of the path. */
static char runtime_dir[PATH_MAX];

int
test_eal_init(const char *tag, const char *const extra[],
		unsigned int nb_extra)
{
	static const char *const base[] = {
		"--no-pci", "--iova-mode=va",
		/* the tests stop stopped devices on purpose: no warnings */
		"--log-level=lib.dmadev:error",
	};
	static const char *const no_huge[] = { "--no-huge", "-m", "512" };
	const char *huge = getenv(TEST_EAL_HUGE_DIR_ENV);
	const char *fixed_prefix = getenv(TEST_EAL_PREFIX_ENV);
	char *argv[TEST_EAL_MAX_ARGS];
	const char *lcores = getenv(TEST_EAL_LCORES_ENV);
	char prefix[96], huge_dir[PATH_MAX + 16], lcores_arg[64];
	unsigned int i;
	int argc = 0;
	int ret;

	if (RTE_DIM(base) + RTE_DIM(no_huge) + nb_extra + 5 > RTE_DIM(argv))
		return -E2BIG;
	if (fixed_prefix != NULL)
		snprintf(prefix, sizeof(prefix), "--file-prefix=%s",
			fixed_prefix);
	else
		snprintf(prefix, sizeof(prefix), "--file-prefix=xdtest-%s-%d",
			tag, (int)getpid());
	/* EAL copies what it keeps of argv, so locals are enough here. */
	argv[argc++] = (char *)(uintptr_t)"test";
	argv[argc++] = prefix;
	/* Lcores 0 and 1: on CPUs 0 and 1, or where the environment says. */
	snprintf(lcores_arg, sizeof(lcores_arg), "--lcores=%s",
		lcores != NULL ? lcores : "0-1");
	argv[argc++] = lcores_arg;
	for (i = 0; i < RTE_DIM(base); i++)
		argv[argc++] = (char *)(uintptr_t)base[i];
	if (huge != NULL) {
		/* Real hugepages: a primary that secondaries can join. */
		snprintf(huge_dir, sizeof(huge_dir), "--huge-dir=%s", huge);
		argv[argc++] = huge_dir;
		argv[argc++] = (char *)(uintptr_t)"-m";
		argv[argc++] = (char *)(uintptr_t)"64";
		/*
		 * Memory a secondary must map at the same address: far from
		 * where the kernel puts libraries and ASan its shadow
		 * (which made an ASan secondary fail to attach).
		 */
		if (!test_eal_secondary())
			argv[argc++] = (char *)(uintptr_t)
				"--base-virtaddr=0x300000000000";
	} else {
		for (i = 0; i < RTE_DIM(no_huge); i++)
			argv[argc++] = (char *)(uintptr_t)no_huge[i];
	}
	if (test_eal_secondary()) {
		argv[argc++] = (char *)(uintptr_t)"--proc-type=secondary";
		/* The primary's devices come to it; it creates none. */
		nb_extra = 0;
	}
	for (i = 0; i < nb_extra; i++)
		argv[argc++] = (char *)(uintptr_t)extra[i];

	ret = rte_eal_init(argc, argv);
	if (ret < 0)
		return -rte_errno;
	snprintf(runtime_dir, sizeof(runtime_dir), "%s",
		rte_eal_get_runtime_dir());
	return 0;
}

/* The runtime directory holds only plain files (config, fbarrays). */
static void
runtime_dir_remove(void)
{
	struct dirent *de;
	DIR *d;

	if (runtime_dir[0] == '\0')
		return;
	d = opendir(runtime_dir);
	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			unlinkat(dirfd(d), de->d_name, 0);
	}
	closedir(d);
	rmdir(runtime_dir);
}

bool
test_eal_secondary(void)
{
	const char *proc = getenv(TEST_EAL_PROC_ENV);

	return proc != NULL && strcmp(proc, "secondary") == 0;
}

void
test_eal_fini(void)
{
	int16_t id;

	/* A secondary's devices and runtime directory are the primary's. */
	if (test_eal_secondary()) {
		rte_eal_cleanup();
		return;
	}
	RTE_DMA_FOREACH_DEV(id) {
		rte_dma_stop(id);
		rte_dma_close(id);
	}
	rte_eal_cleanup();
	runtime_dir_remove();
}

uint64_t
test_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}
