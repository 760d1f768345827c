/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-dma-xd authors
 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
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
		"--no-huge", "--no-pci", "-m", "512", "-l", "0-1",
		"--iova-mode=va",
		/* the tests stop stopped devices on purpose: no warnings */
		"--log-level=lib.dmadev:error",
	};
	char *argv[TEST_EAL_MAX_ARGS];
	char prefix[64];
	unsigned int i;
	int argc = 0;
	int ret;

	if (RTE_DIM(base) + nb_extra + 2 > RTE_DIM(argv))
		return -E2BIG;
	snprintf(prefix, sizeof(prefix), "--file-prefix=xdtest-%s-%d",
		tag, (int)getpid());
	/* EAL copies what it keeps of argv, so locals are enough here. */
	argv[argc++] = (char *)(uintptr_t)"test";
	argv[argc++] = prefix;
	for (i = 0; i < RTE_DIM(base); i++)
		argv[argc++] = (char *)(uintptr_t)base[i];
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

void
test_eal_fini(void)
{
	int16_t id;

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
