/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-dma-xd authors
 */

/*
 * DPDK 22.11 has no op-based API (no rte_dma_op, no enqueue or dequeue in
 * the fast-path table): the engine offers none and is never asked for it.
 */

#include "xd_engine.h"

uint64_t
xd_enq_deq_capa(void)
{
	return 0;
}

bool
xd_enq_deq_requested(const struct rte_dma_conf *conf)
{
	RTE_SET_USED(conf);
	return false;
}

void
xd_enq_deq_fp_set(struct rte_dma_fp_object *fp, uint32_t run, bool stacked,
		bool secondary)
{
	RTE_SET_USED(fp);
	RTE_SET_USED(run);
	RTE_SET_USED(stacked);
	RTE_SET_USED(secondary);
}
