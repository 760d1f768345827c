/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-dma-xd authors
 */

/* The library's control threads, with DPDK 22.11's call for them. */

#include <rte_lcore.h>

#include "dmadev_domain_private.h"

int
dxa_ctrl_thread_create(pthread_t *thread, const char *name,
		void *(*fn)(void *), void *arg)
{
	return -rte_ctrl_thread_create(thread, name, NULL, fn, arg);
}
