/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-dma-xd authors
 */

#include <time.h>

#include <rte_common.h>

#include "dma_access_log.h"

int dxa_logtype;

RTE_INIT(dxa_log_init)
{
	dxa_logtype = rte_log_register_type_and_pick_level(
		"lib.dmadev.access", RTE_LOG_INFO);
	if (dxa_logtype < 0)
		dxa_logtype = RTE_LOGTYPE_USER1;
}

bool
dxa_log_allowed(uint64_t *window, uint32_t *count)
{
	struct timespec ts;
	uint64_t now;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	now = (uint64_t)ts.tv_sec;
	if (__atomic_load_n(window, __ATOMIC_RELAXED) != now) {
		__atomic_store_n(window, now, __ATOMIC_RELAXED);
		__atomic_store_n(count, 0, __ATOMIC_RELAXED);
	}
	return __atomic_fetch_add(count, 1, __ATOMIC_RELAXED) < DXA_LOG_BURST;
}
