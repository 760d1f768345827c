/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-dma-xd authors
 */

/*
 * The op-based API of DPDK >= 25.11 on the engine's rings: each enqueued
 * rte_dma_op takes one slot as a scatter-gather descriptor whose entries
 * stay in the op (XD_OP_COPY_SG_EXT), the op pointer is kept per slot
 * (xd_vchan.ops, allocated at vchan setup of a device configured with
 * RTE_DMA_CFG_FLAG_ENQ_DEQ), and dequeue hands the ops back in ring order
 * with their status. Execution, inter-domain translation and window
 * checks, fences and the stacked engine are the classic path's: only the
 * way ops enter and leave the ring differs.
 *
 * Fast path: no allocation, syscall, lock or log here.
 */

#include <rte_branch_prediction.h>
#include <rte_eal.h>

#include "xd_engine_fp.h"

uint64_t
xd_enq_deq_capa(void)
{
	return RTE_DMA_CAPA_OPS_ENQ_DEQ;
}

bool
xd_enq_deq_requested(const struct rte_dma_conf *conf)
{
	return (conf->flags & RTE_DMA_CFG_FLAG_ENQ_DEQ) != 0;
}

/*
 * An op whose entry count is 0 or above what the vchan takes is refused
 * at enqueue, as rte_dma_copy_sg() refuses one with -EINVAL: the burst
 * stops before it, the op is left untouched (no status: it never reached
 * the device), and ops[returned] is the one to fix. A full ring stops the
 * burst the same way; rte_dma_burst_capacity() tells the two apart.
 */
static __rte_always_inline bool
xd_op_refused(const struct xd_vchan *vc, const struct rte_dma_op *op)
{
	return op->nb_src == 0 || op->nb_dst == 0 ||
		op->nb_src > vc->max_sges || op->nb_dst > vc->max_sges;
}

/* Enqueued ops are submitted: one doorbell for the burst. */
static uint16_t
xd_enqueue_ops(void *dev_private, uint16_t vchan, struct rte_dma_op **ops,
		uint16_t nb_ops)
{
	struct xd_vchan *vc = xd_vchan_of(dev_private, vchan);
	uint16_t n = RTE_MIN(nb_ops, xd_ring_room(vc));
	uint16_t i;

	for (i = 0; i < n; i++) {
		struct rte_dma_op *op = ops[i];
		uint16_t slot = vc->head & vc->mask;
		struct xd_desc *d = &vc->desc[slot];

		if (unlikely(xd_op_refused(vc, op)))
			break;
		d->src = (uint64_t)(uintptr_t)op->src_dst_seg;
		d->op = XD_OP_COPY_SG_EXT;
		d->nb_src = (uint8_t)op->nb_src;
		d->nb_dst = (uint8_t)op->nb_dst;
		d->flags = xd_desc_flags(op->flags);
		vc->ops[slot] = op;
		vc->head++;
	}
	if (i != 0)
		xd_engine_doorbell(vc);
	return i;
}

/* In ring order, as they were enqueued; each with its own status. */
static uint16_t
xd_dequeue_ops(void *dev_private, uint16_t vchan, struct rte_dma_op **ops,
		uint16_t nb_ops)
{
	struct xd_vchan *vc = xd_vchan_of(dev_private, vchan);
	uint16_t n = xd_ready(vc, nb_ops);
	bool failed = xd_maybe_failed(vc);
	uint16_t i;

	for (i = 0; i < n; i++) {
		uint16_t pos = vc->tail + i;
		struct rte_dma_op *op = vc->ops[pos & vc->mask];

		op->status = likely(!failed) ? RTE_DMA_STATUS_SUCCESSFUL :
			(enum rte_dma_status_code)xd_status_take(vc, pos);
		ops[i] = op;
	}
	vc->tail += n;
	vc->stats.completed += n;
	return n;
}

/* Stacked: first take what the device below finished, and send the rest. */
static uint16_t
xd_stack_dequeue_ops(void *dev_private, uint16_t vchan,
		struct rte_dma_op **ops, uint16_t nb_ops)
{
	xd_stack_poll(xd_vchan_of(dev_private, vchan));
	return xd_dequeue_ops(dev_private, vchan, ops, nb_ops);
}

/* Stopped, or configured for the classic calls: nothing goes in or out. */
static uint16_t
xd_ops_off(void *p, uint16_t v, struct rte_dma_op **ops, uint16_t n)
{
	RTE_SET_USED(p); RTE_SET_USED(v); RTE_SET_USED(ops); RTE_SET_USED(n);
	return 0;
}

/*
 * A secondary follows the primary's start, stop and mode (see
 * xd_engine_fp_set_secondary()); the stacked and lcore engines never
 * run for a secondary, whose table then stays the stopped one.
 */
static __rte_always_inline bool
xd_sec_ops_running(const void *dev_private)
{
	return __atomic_load_n(&((const struct xd_engine *)dev_private)->started,
		__ATOMIC_ACQUIRE) == XD_RUN_OPS;
}

static uint16_t
xd_sec_enqueue_ops(void *p, uint16_t v, struct rte_dma_op **ops, uint16_t n)
{
	if (unlikely(!xd_sec_ops_running(p)))
		return 0;
	return xd_enqueue_ops(p, v, ops, n);
}

static uint16_t
xd_sec_dequeue_ops(void *p, uint16_t v, struct rte_dma_op **ops, uint16_t n)
{
	if (unlikely(!xd_sec_ops_running(p)))
		return 0;
	return xd_dequeue_ops(p, v, ops, n);
}

void
xd_enq_deq_fp_set(struct rte_dma_fp_object *fp, uint32_t run, bool stacked,
		bool secondary)
{
	if (secondary) {
		fp->enqueue = xd_sec_enqueue_ops;
		fp->dequeue = xd_sec_dequeue_ops;
	} else if (run == XD_RUN_OPS) {
		fp->enqueue = xd_enqueue_ops;
		fp->dequeue = stacked ? xd_stack_dequeue_ops : xd_dequeue_ops;
	} else {
		fp->enqueue = xd_ops_off;
		fp->dequeue = xd_ops_off;
	}
}
