/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-dma-xd authors
 */

#ifndef XD_ENGINE_FP_H
#define XD_ENGINE_FP_H

/*
 * Fast-path internals of the engine, for its fast-path files only: the
 * common one (xd_engine_fp.c) and a DPDK target's own calls on the same
 * rings (dpdk-<target>/). Ring positions as in xd_engine.h.
 */

#include <rte_branch_prediction.h>

#include "xd_engine.h"

static __rte_always_inline struct xd_vchan *
xd_vchan_of(void *dev_private, uint16_t vchan)
{
	return &((struct xd_engine *)dev_private)->vchan[vchan];
}

/*
 * Free slots. A vchan configured but never set up is all zeroes: a ring
 * of no slots, with no room ever.
 */
static __rte_always_inline uint16_t
xd_ring_room(const struct xd_vchan *vc)
{
	return vc->size - (uint16_t)(vc->head - vc->tail);
}

static __rte_always_inline uint8_t
xd_desc_flags(uint64_t flags)
{
	return (flags & RTE_DMA_OP_FLAG_FENCE) ? XD_DESC_FENCE : 0;
}

/* Executed, not yet reported: done - tail, at most @max. */
static __rte_always_inline uint16_t
xd_ready(const struct xd_vchan *vc, uint16_t max)
{
	uint16_t avail = __atomic_load_n(&vc->done, __ATOMIC_ACQUIRE) - vc->tail;

	return RTE_MIN(avail, max);
}

/* Whether a failure may lie among the executed ops not yet reported. */
static __rte_always_inline bool
xd_maybe_failed(const struct xd_vchan *vc)
{
	return __atomic_load_n(&vc->errors_total, __ATOMIC_RELAXED) !=
		vc->errors_seen;
}

/*
 * Report the status of the executed op at ring position @pos: a failure
 * is counted once and its slot made successful again for the next op.
 */
static __rte_always_inline uint16_t
xd_status_take(struct xd_vchan *vc, uint16_t pos)
{
	uint16_t *slot = &vc->status[pos & vc->mask];
	uint16_t st = *slot;

	if (st != RTE_DMA_STATUS_SUCCESSFUL) {
		*slot = RTE_DMA_STATUS_SUCCESSFUL;
		vc->errors_seen++;
		vc->stats.errors++;
	}
	return st;
}

/*
 * Hand what was enqueued since the last doorbell to the engine (inline:
 * execute it now). Out of line: see its definition.
 */
void xd_engine_doorbell(struct xd_vchan *vc);

#endif /* XD_ENGINE_FP_H */
