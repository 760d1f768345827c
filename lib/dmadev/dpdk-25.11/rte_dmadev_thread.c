/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-dma-xd authors
 */

/*
 * The library's control threads, with DPDK >= 23.11's call for them: it
 * takes a function returning uint32_t and gives an rte_thread_t, which on
 * Linux holds the pthread_t (rte_thread_self() is pthread_self() there).
 */

#include <errno.h>
#include <stdlib.h>

#include <rte_thread.h>

#include "dmadev_domain_private.h"

struct ctrl_start {
	void *(*fn)(void *);
	void *arg;
};

static uint32_t
ctrl_run(void *p)
{
	struct ctrl_start start = *(struct ctrl_start *)p;

	free(p);
	start.fn(start.arg);
	return 0;
}

int
dxa_ctrl_thread_create(pthread_t *thread, const char *name,
		void *(*fn)(void *), void *arg)
{
	struct ctrl_start *start = malloc(sizeof(*start));
	rte_thread_t id;
	int ret;

	if (start == NULL)
		return -ENOMEM;
	start->fn = fn;
	start->arg = arg;
	ret = rte_thread_create_control(&id, name, ctrl_run, start);
	if (ret != 0) {
		free(start);
		return ret > 0 ? -ret : ret;
	}
	*thread = (pthread_t)id.opaque_id;
	return 0;
}
