/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-dma-xd authors
 */

/*
 * Fast path of the CPU engine: no allocation, syscall, lock or log here.
 * Release builds check nothing the dmadev API leaves to the caller (vchan
 * range, started state); a stopped device has functions that fail cleanly.
 */

#include <errno.h>
#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_eal.h>
#include <rte_pause.h>

#include "xd_engine_fp.h"

/* What the caller made sure of: the compiler may drop its checks. */
#define XD_ASSUME(cond) do { \
	if (!(cond)) \
		__builtin_unreachable(); \
} while (0)

/* Ops executed by the lcore engine before it publishes progress. */
#define XD_ENGINE_BURST 32

/*
 * glibc's memcpy, dispatched at run time to the best routine for this CPU
 * (AVX-512, rep movsb), beats the SSE rte_memcpy that Debian's -march=corei7
 * build gives (measured with dpdk-dma-xd-demo: equal at 64 B, 0.96-1.07x
 * memcpy at 64 KiB); below 65 bytes the call itself is what costs.
 */
static __rte_always_inline void
xd_memcpy(void *dst, const void *src, size_t len)
{
	uint8_t *d = dst;
	const uint8_t *s = src;

	/*
	 * 16 to 64 bytes in line, as two overlapping halves of fixed size
	 * (the compiler makes them vector moves): no call, so the loop keeps
	 * its registers.
	 */
	if (len > 32 && len <= 64) {
		__builtin_memcpy(d, s, 32);
		__builtin_memcpy(d + len - 32, s + len - 32, 32);
		return;
	}
	if (len >= 16 && len <= 32) {
		__builtin_memcpy(d, s, 16);
		__builtin_memcpy(d + len - 16, s + len - 16, 16);
		return;
	}
	memcpy(dst, src, len);
}

static void
xd_fill_bytes(uint8_t *dst, uint64_t pattern, uint32_t len)
{
	uint32_t i;

	/* A pattern of one repeated byte is a memset. */
	if (pattern == (pattern & 0xff) * UINT64_C(0x0101010101010101)) {
		memset(dst, (int)(pattern & 0xff), len);
		return;
	}
	/* Otherwise the pattern's bytes, in memory order, repeat. */
	for (i = 0; i + sizeof(pattern) <= len; i += sizeof(pattern))
		memcpy(dst + i, &pattern, sizeof(pattern));
	memcpy(dst + i, &pattern, len - i);
}

/* What makes a scatter-gather list invalid, before anything moves. */
static uint16_t
xd_sg_check(const struct rte_dma_sge *src, uint16_t nb_src,
		const struct rte_dma_sge *dst, uint16_t nb_dst)
{
	uint64_t src_total = 0, dst_total = 0;
	uint16_t i;

	for (i = 0; i < nb_src; i++) {
		if (src[i].addr == 0)
			return RTE_DMA_STATUS_INVALID_SRC_ADDR;
		src_total += src[i].length;
	}
	for (i = 0; i < nb_dst; i++) {
		if (dst[i].addr == 0)
			return RTE_DMA_STATUS_INVALID_DST_ADDR;
		dst_total += dst[i].length;
	}
	if (src_total != dst_total)
		return RTE_DMA_STATUS_INVALID_LENGTH;
	return RTE_DMA_STATUS_SUCCESSFUL;
}

static uint16_t
xd_exec_sg(const struct rte_dma_sge *src, uint16_t nb_src,
		const struct rte_dma_sge *dst, uint16_t nb_dst)
{
	uint32_t s_off = 0, d_off = 0;
	uint16_t s = 0, d = 0, st;

	st = xd_sg_check(src, nb_src, dst, nb_dst);
	if (st != RTE_DMA_STATUS_SUCCESSFUL)
		return st;
	while (s < nb_src && d < nb_dst) {
		uint32_t n = RTE_MIN(src[s].length - s_off, dst[d].length - d_off);

		xd_memcpy((void *)(uintptr_t)(dst[d].addr + d_off),
			(const void *)(uintptr_t)(src[s].addr + s_off), n);
		s_off += n;
		d_off += n;
		if (s_off == src[s].length) {
			s++;
			s_off = 0;
		}
		if (d_off == dst[d].length) {
			d++;
			d_off = 0;
		}
	}
	return RTE_DMA_STATUS_SUCCESSFUL;
}

static __rte_always_inline uint16_t
xd_do_copy(uint64_t src, uint64_t dst, uint32_t len)
{
	if (unlikely(src == 0))
		return RTE_DMA_STATUS_INVALID_SRC_ADDR;
	if (unlikely(dst == 0))
		return RTE_DMA_STATUS_INVALID_DST_ADDR;
	xd_memcpy((void *)(uintptr_t)dst, (const void *)(uintptr_t)src, len);
	return RTE_DMA_STATUS_SUCCESSFUL;
}

static __rte_always_inline uint16_t
xd_do_fill(uint64_t pattern, uint64_t dst, uint32_t len)
{
	if (unlikely(dst == 0))
		return RTE_DMA_STATUS_INVALID_DST_ADDR;
	xd_fill_bytes((uint8_t *)(uintptr_t)dst, pattern, len);
	return RTE_DMA_STATUS_SUCCESSFUL;
}

/*
 * The entries of a scatter-gather op: in the slot's area of the ring
 * (copy_sg keeps a copy), or where the caller keeps them (the op-based
 * API's op, which stays the application's until dequeued).
 */
static __rte_always_inline const struct rte_dma_sge *
xd_desc_sges(const struct xd_vchan *vc, const struct xd_desc *d,
		uint16_t slot, const struct rte_dma_sge **dst)
{
	const struct rte_dma_sge *sg;

	if (d->op == XD_OP_COPY_SG_EXT) {
		sg = (const struct rte_dma_sge *)(uintptr_t)d->src;
		*dst = sg + d->nb_src;
	} else {
		sg = &vc->sg[(size_t)slot * 2 * XD_MAX_SGES];
		*dst = sg + XD_MAX_SGES;
	}
	return sg;
}

static __rte_always_inline uint16_t
xd_exec(const struct xd_vchan *vc, const struct xd_desc *d, uint16_t slot)
{
	const struct rte_dma_sge *sg, *dst;

	switch (d->op) {
	case XD_OP_COPY:
		return xd_do_copy(d->src, d->dst, d->len);
	case XD_OP_FILL:
		return xd_do_fill(d->src, d->dst, d->len);
	case XD_OP_COPY_SG:
	case XD_OP_COPY_SG_EXT:
		sg = xd_desc_sges(vc, d, slot, &dst);
		return xd_exec_sg(sg, d->nb_src, dst, d->nb_dst);
	default:
		return RTE_DMA_STATUS_INVALID_OPCODE;
	}
}

/* Publish failures before done is released (see xd_maybe_failed()). */
static __rte_always_inline void
xd_count_failed(struct xd_vchan *vc, uint64_t failed)
{
	if (unlikely(failed != 0))
		__atomic_store_n(&vc->errors_total, vc->errors_total + failed,
			__ATOMIC_RELAXED);
}

/*
 * Record the outcome of the operation in @slot. Only failures are written:
 * a slot's status stays RTE_DMA_STATUS_SUCCESSFUL (0) until a failure is
 * stored, and completed_status() zeroes it again when it reports it, so a
 * successful operation costs no store here. A failure is counted at once:
 * a running count would hold one more register across every memcpy().
 */
static __rte_always_inline void
xd_record(struct xd_vchan *vc, uint16_t slot, uint16_t st)
{
	if (unlikely(st != RTE_DMA_STATUS_SUCCESSFUL)) {
		vc->status[slot] = st;
		vc->batch_failed = true;
		xd_count_failed(vc, 1);
	}
}

/*
 * One side of an inter-domain batch: the table it translates through
 * (NULL: the vchan's own domain) and a copy of this process's cached
 * window for it (xd_side_cache()), which the loop keeps in registers.
 * The cache lives in memory and the loop calls memcpy(), so reading it
 * there would reload it at every operation; the copy is refreshed
 * whenever the slow path refills the cache. The cache's address is not
 * kept: only a miss needs it, and a register held across every copy
 * would push the window's bounds to the stack.
 */
struct xd_side {
	const struct rte_dma_domain_table *t;
	uint64_t base;
	uint64_t len;
	uint64_t delta;
};

/* The tables of an inter-domain batch, a side each. */
struct xd_batch_tables {
	struct xd_side src;
	struct xd_side dst;
};

/* This process's cache of a vchan's destination (@dst) or source side. */
static __rte_always_inline struct rte_dma_domain_xcache *
xd_side_cache(const struct xd_vchan *vc, bool dst)
{
	struct xd_vchan_local *lc = xd_local(vc);

	return dst ? &lc->dst_cache : &lc->src_cache;
}

static __rte_always_inline void
xd_side_load(struct xd_side *s, const struct rte_dma_domain_xcache *c)
{
	s->base = c->base;
	s->len = c->len;
	s->delta = c->delta;
}

/* Start a side for a batch: the current table of @map, if any. */
static __rte_always_inline void
xd_side_begin(struct xd_side *s, const struct rte_dma_domain_map *map,
		struct rte_dma_domain_xcache *c)
{
	s->t = NULL;
	if (map == NULL)
		return;
	s->t = rte_dma_domain_xlate_begin(map, c);
	xd_side_load(s, c);
}

/*
 * Translate one side of an operation: a peer's range into a local address
 * through the batch's table, or nothing for the vchan's own domain (table
 * NULL). The status names the side; a departed domain is a link error.
 */
static __rte_always_inline uint16_t
xd_xlate(const struct xd_vchan *vc, struct xd_side *s, bool dst,
		uint64_t *addr, uint64_t len, uint32_t perm, uint16_t bad_addr)
{
	struct rte_dma_domain_xcache *c;
	uint64_t local;
	int r;

	if (s->t == NULL)
		return RTE_DMA_STATUS_SUCCESSFUL;
	if (likely(rte_dma_domain_xcache_hit(s->base, s->len, *addr, len))) {
		*addr += s->delta;
		return RTE_DMA_STATUS_SUCCESSFUL;
	}
	c = xd_side_cache(vc, dst);
	r = rte_dma_domain_xlate_slow(s->t, c, *addr, len, perm, &local);
	xd_side_load(s, c);
	if (likely(r == RTE_DMA_DOMAIN_XLATE_OK)) {
		*addr = local;
		return RTE_DMA_STATUS_SUCCESSFUL;
	}
	return r == -ENOLINK ? RTE_DMA_STATUS_DEV_LINK_ERROR : bad_addr;
}

static uint16_t
xd_xlate_sges(const struct xd_vchan *vc, struct xd_side *s, bool dst,
		struct rte_dma_sge *out, const struct rte_dma_sge *in,
		uint16_t n, uint32_t perm, uint16_t bad_addr)
{
	uint16_t i, st;

	for (i = 0; i < n; i++) {
		uint64_t a = in[i].addr;

		st = xd_xlate(vc, s, dst, &a, in[i].length, perm, bad_addr);
		if (st != RTE_DMA_STATUS_SUCCESSFUL)
			return st;
		out[i].addr = a;
		out[i].length = in[i].length;
	}
	return RTE_DMA_STATUS_SUCCESSFUL;
}

/* Translate a copy's two ranges (the status names the failing side). */
static __rte_always_inline uint16_t
xd_xlate_copy(const struct xd_vchan *vc, struct xd_batch_tables *xt,
		const struct xd_desc *d, uint64_t *src, uint64_t *dst)
{
	uint16_t st;

	st = xd_xlate(vc, &xt->src, false, src, d->len,
		RTE_DMA_DOMAIN_PERM_READ, RTE_DMA_STATUS_INVALID_SRC_ADDR);
	if (st != RTE_DMA_STATUS_SUCCESSFUL)
		return st;
	return xd_xlate(vc, &xt->dst, true, dst, d->len,
		RTE_DMA_DOMAIN_PERM_WRITE, RTE_DMA_STATUS_INVALID_DST_ADDR);
}

/* Translate a fill's destination. */
static __rte_always_inline uint16_t
xd_xlate_fill(const struct xd_vchan *vc, struct xd_batch_tables *xt,
		const struct xd_desc *d, uint64_t *dst)
{
	return xd_xlate(vc, &xt->dst, true, dst, d->len,
		RTE_DMA_DOMAIN_PERM_WRITE, RTE_DMA_STATUS_INVALID_DST_ADDR);
}

/*
 * Translate the entries of the scatter-gather op in @slot into @ls: the
 * sources at ls[0], the destinations at ls[XD_MAX_SGES].
 */
static __rte_always_inline uint16_t
xd_xlate_sg(const struct xd_vchan *vc, struct xd_batch_tables *xt,
		const struct xd_desc *d, uint16_t slot, struct rte_dma_sge *ls)
{
	const struct rte_dma_sge *dst;
	const struct rte_dma_sge *sg = xd_desc_sges(vc, d, slot, &dst);
	uint16_t st;

	st = xd_xlate_sges(vc, &xt->src, false, ls, sg, d->nb_src,
		RTE_DMA_DOMAIN_PERM_READ, RTE_DMA_STATUS_INVALID_SRC_ADDR);
	if (st != RTE_DMA_STATUS_SUCCESSFUL)
		return st;
	return xd_xlate_sges(vc, &xt->dst, true, ls + XD_MAX_SGES, dst,
		d->nb_dst, RTE_DMA_DOMAIN_PERM_WRITE,
		RTE_DMA_STATUS_INVALID_DST_ADDR);
}

/*
 * A scatter-gather op of an inter-domain vchan, out of the loop: its
 * entry arrays would take the loop's registers, and the loop's sides
 * must not have their address taken by a call. It translates through
 * sides of its own over the same tables and caches.
 */
static __rte_noinline uint16_t
xd_exec_xd_sg(struct xd_vchan *vc, const struct rte_dma_domain_table *src_t,
		const struct rte_dma_domain_table *dst_t,
		const struct xd_desc *d, uint16_t slot)
{
	struct xd_batch_tables xt = { { src_t, 0, 0, 0 },
		{ dst_t, 0, 0, 0 } };
	struct rte_dma_sge ls[2 * XD_MAX_SGES];
	uint16_t st;

	if (src_t != NULL)
		xd_side_load(&xt.src, xd_side_cache(vc, false));
	if (dst_t != NULL)
		xd_side_load(&xt.dst, xd_side_cache(vc, true));
	st = xd_xlate_sg(vc, &xt, d, slot, ls);
	if (st != RTE_DMA_STATUS_SUCCESSFUL)
		return st;
	return xd_exec_sg(ls, d->nb_src, ls + XD_MAX_SGES, d->nb_dst);
}

/*
 * An operation of an inter-domain vchan: every address is translated
 * before any byte moves, so an operation that fails touches nothing.
 * @p xt holds the batch's source and destination tables.
 */
static __rte_always_inline uint16_t
xd_exec_xd(struct xd_vchan *vc, struct xd_batch_tables *xt,
		const struct xd_desc *d, uint16_t slot)
{
	uint64_t src = d->src, dst = d->dst;
	uint16_t st;

	switch (d->op) {
	case XD_OP_COPY:
		st = xd_xlate_copy(vc, xt, d, &src, &dst);
		if (st != RTE_DMA_STATUS_SUCCESSFUL)
			return st;
		return xd_do_copy(src, dst, d->len);
	case XD_OP_FILL:
		st = xd_xlate_fill(vc, xt, d, &dst);
		if (st != RTE_DMA_STATUS_SUCCESSFUL)
			return st;
		return xd_do_fill(d->src, dst, d->len);
	case XD_OP_COPY_SG:
	case XD_OP_COPY_SG_EXT:
		st = xd_exec_xd_sg(vc, xt->src.t, xt->dst.t, d, slot);
		/* Its misses refilled the caches. */
		if (xt->src.t != NULL)
			xd_side_load(&xt->src, xd_side_cache(vc, false));
		if (xt->dst.t != NULL)
			xd_side_load(&xt->dst, xd_side_cache(vc, true));
		return st;
	default:
		return RTE_DMA_STATUS_INVALID_OPCODE;
	}
}

/*
 * Execute the descriptors in [from, to): the only loop of both engines.
 * @p xt is NULL for an intra-domain vchan.
 */
static __rte_always_inline void
xd_run_loop(struct xd_vchan *vc, uint16_t from, uint16_t to,
		struct xd_batch_tables *xt)
{
	uint16_t pos;

	for (pos = from; pos != to; pos++) {
		uint16_t slot = pos & vc->mask;
		const struct xd_desc *d = &vc->desc[slot];
		const uint8_t flags = d->flags;
		uint16_t st;

		/* A fence after a failure in the same batch is not attempted. */
		if (unlikely((flags & XD_DESC_FENCE) && vc->batch_failed))
			st = RTE_DMA_STATUS_NOT_ATTEMPTED;
		else if (xt != NULL)
			st = xd_exec_xd(vc, xt, d, slot);
		else
			st = xd_exec(vc, d, slot);
		/*
		 * The slot again from pos, and the flags read before: neither
		 * the slot nor the descriptor stays in a register across the
		 * copy, which leaves those to the translation.
		 */
		xd_record(vc, pos & vc->mask, st);
		if (flags & XD_DESC_BATCH_END)
			vc->batch_failed = false;
	}
}

/*
 * The loop for each shape of inter-domain vchan, so that the side that is
 * the vchan's own domain costs nothing per operation: the constant NULL
 * table folds its translation away.
 */
static __rte_noinline void
xd_run_xd_src(struct xd_vchan *vc, uint16_t from, uint16_t to,
		const struct xd_batch_tables *in)
{
	struct xd_batch_tables xt = { .src = in->src };

	XD_ASSUME(xt.src.t != NULL);
	xd_run_loop(vc, from, to, &xt);
}

static __rte_noinline void
xd_run_xd_dst(struct xd_vchan *vc, uint16_t from, uint16_t to,
		const struct xd_batch_tables *in)
{
	struct xd_batch_tables xt = { .dst = in->dst };

	XD_ASSUME(xt.dst.t != NULL);
	xd_run_loop(vc, from, to, &xt);
}

/*
 * A vchan this process has no maps for (a secondary that has not caught
 * up with a setup): nothing is translated, every operation fails.
 */
static __rte_noinline void
xd_run_unmapped(struct xd_vchan *vc, uint16_t from, uint16_t to)
{
	uint16_t pos;

	for (pos = from; pos != to; pos++)
		xd_record(vc, pos & vc->mask, RTE_DMA_STATUS_DEV_LINK_ERROR);
}

static __rte_noinline void
xd_run_xd_both(struct xd_vchan *vc, uint16_t from, uint16_t to,
		const struct xd_batch_tables *in)
{
	struct xd_batch_tables xt = *in;

	XD_ASSUME(xt.src.t != NULL && xt.dst.t != NULL);
	xd_run_loop(vc, from, to, &xt);
}

/*
 * An inter-domain batch runs inside one read section, through the tables
 * current when it starts: they, and the windows they map, stay valid until
 * it ends. A vchan with both sides in its own domain translates nothing:
 * it takes the intra-domain loop.
 */
static __rte_noinline void
xd_run_inter(struct xd_vchan *vc, uint16_t from, uint16_t to)
{
	struct xd_vchan_local *lc = xd_local(vc);
	struct xd_batch_tables xt;

	if (unlikely(!lc->ready)) {
		xd_run_unmapped(vc, from, to);
		return;
	}
	rte_dma_domain_qs_enter(&lc->qs);
	xd_side_begin(&xt.src, lc->src_map, &lc->src_cache);
	xd_side_begin(&xt.dst, lc->dst_map, &lc->dst_cache);
	if (xt.src.t == NULL && xt.dst.t == NULL)
		xd_run_loop(vc, from, to, NULL);
	else if (xt.src.t == NULL)
		xd_run_xd_dst(vc, from, to, &xt);
	else if (xt.dst.t == NULL)
		xd_run_xd_src(vc, from, to, &xt);
	else
		xd_run_xd_both(vc, from, to, &xt);
	rte_dma_domain_qs_exit(&lc->qs);
}

static __rte_always_inline void
xd_run(struct xd_vchan *vc, uint16_t from, uint16_t to)
{
	if (vc->inter)
		xd_run_inter(vc, from, to);
	else
		xd_run_loop(vc, from, to, NULL);
}

/* ---- The stacked engine --------------------------------------------- */

/* The lower device has no room: send the rest later. Not a status. */
#define XD_STACK_FULL UINT16_MAX
/* Lower completions reaped per call into the status array. */
#define XD_STACK_BURST 64

/*
 * Translate one operation and enqueue it on the lower device, without
 * its doorbell. Every address is translated and checked first, so an
 * operation that fails here never reaches the lower device.
 */
static __rte_always_inline uint16_t
xd_stack_one(struct xd_vchan *vc, struct xd_batch_tables *xt,
		const struct xd_desc *d, uint16_t slot)
{
	struct rte_dma_sge ls[2 * XD_MAX_SGES];
	uint64_t flags = (d->flags & XD_DESC_FENCE) ?
		RTE_DMA_OP_FLAG_FENCE : 0;
	uint64_t src = d->src, dst = d->dst;
	uint16_t st;
	int r;

	switch (d->op) {
	case XD_OP_COPY:
		st = xd_xlate_copy(vc, xt, d, &src, &dst);
		if (st != RTE_DMA_STATUS_SUCCESSFUL)
			return st;
		if (unlikely(src == 0))
			return RTE_DMA_STATUS_INVALID_SRC_ADDR;
		if (unlikely(dst == 0))
			return RTE_DMA_STATUS_INVALID_DST_ADDR;
		r = rte_dma_copy(vc->lower_dev, vc->lower_vchan, src, dst,
			d->len, flags);
		break;
	case XD_OP_FILL:
		/* Not advertised; 22.11 would call a NULL function. */
		if (unlikely(!vc->lower_fill))
			return RTE_DMA_STATUS_INVALID_OPCODE;
		st = xd_xlate_fill(vc, xt, d, &dst);
		if (st != RTE_DMA_STATUS_SUCCESSFUL)
			return st;
		if (unlikely(dst == 0))
			return RTE_DMA_STATUS_INVALID_DST_ADDR;
		r = rte_dma_fill(vc->lower_dev, vc->lower_vchan, d->src, dst,
			d->len, flags);
		break;
	case XD_OP_COPY_SG:
	case XD_OP_COPY_SG_EXT:
		/* copy_sg is not advertised without the device's own. */
		if (unlikely((d->op == XD_OP_COPY_SG && !vc->lower_sg) ||
				d->nb_src > vc->max_sges ||
				d->nb_dst > vc->max_sges))
			return RTE_DMA_STATUS_INVALID_OPCODE;
		st = xd_xlate_sg(vc, xt, d, slot, ls);
		if (st == RTE_DMA_STATUS_SUCCESSFUL)
			st = xd_sg_check(ls, d->nb_src, ls + XD_MAX_SGES,
				d->nb_dst);
		if (st != RTE_DMA_STATUS_SUCCESSFUL)
			return st;
		/*
		 * An op of one entry a side (the only kind max_sges lets
		 * through then) reaches a device without scatter-gather
		 * as a copy.
		 */
		if (!vc->lower_sg) {
			r = rte_dma_copy(vc->lower_dev, vc->lower_vchan,
				ls[0].addr, ls[XD_MAX_SGES].addr,
				ls[0].length, flags);
			break;
		}
		r = rte_dma_copy_sg(vc->lower_dev, vc->lower_vchan, ls,
			ls + XD_MAX_SGES, d->nb_src, d->nb_dst, flags);
		break;
	default:
		return RTE_DMA_STATUS_INVALID_OPCODE;
	}
	if (likely(r >= 0))
		return RTE_DMA_STATUS_SUCCESSFUL;
	return r == -ENOSPC ? XD_STACK_FULL : RTE_DMA_STATUS_ERROR_UNKNOWN;
}

/*
 * Move done past the operations that failed here (their status is set:
 * in [done, sent) only those have one) and, with nothing left at the
 * lower device, end the read section.
 */
static __rte_always_inline void
xd_stack_settle(struct xd_vchan *vc)
{
	uint16_t pos = vc->done;

	while (pos != vc->sent && vc->status[pos & vc->mask] !=
			RTE_DMA_STATUS_SUCCESSFUL)
		pos++;
	vc->done = pos;
	if (vc->inter && vc->lower_out == 0) {
		struct xd_vchan_local *lc = xd_local(vc);

		if (lc->in_section) {
			rte_dma_domain_qs_exit(&lc->qs);
			lc->in_section = false;
		}
	}
}

/*
 * Hand [sent, submitted_local) to the lower device, then ring its
 * doorbell once. An inter-domain vchan translates inside its read
 * section; it enters one if it is outside, and while a reclamation waits
 * for a section it is already in, it sends nothing new, so that the
 * section ends with the next drain.
 */
static __rte_noinline void
xd_stack_send(struct xd_vchan *vc)
{
	struct xd_batch_tables xt = { { NULL }, { NULL } };
	uint16_t pos = vc->sent, end = vc->submitted_local;
	struct xd_vchan_local *lc;
	uint16_t nb_sent = 0;

	if (pos == end)
		return;
	if (vc->inter) {
		/* Stacked devices probe in the primary only: it is ready. */
		lc = xd_local(vc);
		if (!lc->in_section) {
			__atomic_store_n(&lc->qs.owner, rte_gettid(),
				__ATOMIC_RELAXED);
			rte_dma_domain_qs_enter(&lc->qs);
			lc->in_section = true;
		} else if (unlikely(rte_dma_domain_qs_reclaiming())) {
			return;
		}
		xd_side_begin(&xt.src, lc->src_map, &lc->src_cache);
		xd_side_begin(&xt.dst, lc->dst_map, &lc->dst_cache);
	}
	for (; pos != end; pos++) {
		uint16_t slot = pos & vc->mask;
		const struct xd_desc *d = &vc->desc[slot];
		uint16_t st;

		if (unlikely((d->flags & XD_DESC_FENCE) && vc->batch_failed))
			st = RTE_DMA_STATUS_NOT_ATTEMPTED;
		else
			st = xd_stack_one(vc, &xt, d, slot);
		if (unlikely(st == XD_STACK_FULL))
			break;
		if (likely(st == RTE_DMA_STATUS_SUCCESSFUL))
			nb_sent++;
		else
			xd_record(vc, slot, st);
		if (d->flags & XD_DESC_BATCH_END)
			vc->batch_failed = false;
	}
	vc->sent = pos;
	if (nb_sent != 0) {
		vc->lower_out += nb_sent;
		rte_dma_submit(vc->lower_dev, vc->lower_vchan);
	}
	xd_stack_settle(vc);
}

/*
 * Take @n completions from the lower device: they belong, in order, to
 * the operations from done on that reached it. @st holds their statuses,
 * or is NULL when all succeeded.
 */
static __rte_always_inline void
xd_stack_advance(struct xd_vchan *vc, uint16_t n,
		const enum rte_dma_status_code *st)
{
	uint16_t pos = vc->done, i;
	uint64_t failed = 0;

	for (i = 0; i < n; i++) {
		/* Skip what failed here: it never reached the device. */
		while (vc->status[pos & vc->mask] != RTE_DMA_STATUS_SUCCESSFUL)
			pos++;
		/* Not xd_record(): the batch being sent is not this one. */
		if (st != NULL && st[i] != RTE_DMA_STATUS_SUCCESSFUL) {
			vc->status[pos & vc->mask] = (uint16_t)st[i];
			failed++;
		}
		pos++;
	}
	vc->done = pos;
	vc->lower_out -= n;
	xd_count_failed(vc, failed);
}

void
xd_stack_poll(struct xd_vchan *vc)
{
	enum rte_dma_status_code st[XD_STACK_BURST];
	uint16_t n, last;
	bool err = false;

	if (vc->lower_out != 0) {
		/* The thread that drives the vchan now (see the drain hook). */
		if (vc->inter && xd_local(vc)->in_section)
			__atomic_store_n(&xd_local(vc)->qs.owner, rte_gettid(),
				__ATOMIC_RELAXED);
		n = rte_dma_completed(vc->lower_dev, vc->lower_vchan,
			vc->lower_out, &last, &err);
		xd_stack_advance(vc, n, NULL);
		/* The device stopped before a failure: take its statuses. */
		if (unlikely(err) && vc->lower_out != 0) {
			n = rte_dma_completed_status(vc->lower_dev,
				vc->lower_vchan,
				RTE_MIN(vc->lower_out, XD_STACK_BURST), &last,
				st);
			xd_stack_advance(vc, n, st);
		}
		xd_stack_settle(vc);
	}
	if (vc->sent != vc->submitted_local)
		xd_stack_send(vc);
}

void
xd_stack_drain(struct rte_dma_domain_qs *qs)
{
	struct xd_vchan *vc = container_of(qs, struct xd_vchan_local, qs)->vc;
	enum rte_dma_status_code st[XD_STACK_BURST];
	uint16_t n, last;

	/* The device finishes what it has; nothing new is sent. */
	while (vc->lower_out != 0) {
		n = rte_dma_completed_status(vc->lower_dev, vc->lower_vchan,
			RTE_MIN(vc->lower_out, XD_STACK_BURST), &last, st);
		if (n == 0)
			rte_pause();
		else
			xd_stack_advance(vc, n, st);
	}
	xd_stack_settle(vc);
}

bool
xd_engine_poll(struct xd_vchan *vc)
{
	uint16_t sub = __atomic_load_n(&vc->submitted, __ATOMIC_ACQUIRE);
	uint16_t pos = vc->engine_pos;
	uint16_t to;

	if (sub == pos)
		return false;
	/* Publish progress in bursts, as hardware completes progressively. */
	to = (uint16_t)(sub - pos) > XD_ENGINE_BURST ?
		(uint16_t)(pos + XD_ENGINE_BURST) : sub;
	xd_run(vc, pos, to);
	vc->engine_pos = to;
	__atomic_store_n(&vc->done, to, __ATOMIC_RELEASE);
	return true;
}

/*
 * The doorbell hands [submitted_local, head) to the engine. The inline
 * engine executes it here, on the caller's core, before returning; the
 * lcore engine is told through the submitted position. Either way nothing
 * runs before the doorbell, as with hardware: a source written between
 * enqueue and submit is copied as it is at submit, and a stop before the
 * doorbell drops the batch.
 */
static __rte_always_inline void
xd_doorbell(struct xd_vchan *vc)
{
	uint16_t head = vc->head;
	uint16_t from = vc->submitted_local;

	if (head == from)
		return;
	vc->stats.submitted += (uint16_t)(head - from);
	vc->submitted_local = head;
	if (vc->inline_engine) {
		xd_run(vc, from, head);
		vc->batch_failed = false;
		/* Same thread as the completion side: no ordering needed. */
		vc->done = head;
	} else {
		vc->desc[(uint16_t)(head - 1) & vc->mask].flags |=
			XD_DESC_BATCH_END;
		if (vc->stacked)
			xd_stack_send(vc);
		else
			__atomic_store_n(&vc->submitted, head,
				__ATOMIC_RELEASE);
	}
}

static __rte_always_inline bool
xd_ring_full(const struct xd_vchan *vc)
{
	return (uint16_t)(vc->head - vc->tail) >= vc->size;
}

/*
 * A full ring: no room (-ENOSPC), or a vchan configured but never set up,
 * which a device may be started with. Such a vchan is all zeroes: a full
 * ring of no slots, so every enqueue lands here and fails with -EINVAL,
 * and the check costs the normal path nothing.
 */
static __rte_always_inline int
xd_ring_full_errno(const struct xd_vchan *vc)
{
	return vc->size != 0 ? -ENOSPC : -EINVAL;
}

/*
 * Out of line on purpose: inlined into the enqueue functions, the doorbell
 * (with the whole engine loop in inline mode) made every enqueue save and
 * restore five registers, for a path most enqueues do not take.
 */
__rte_noinline void
xd_engine_doorbell(struct xd_vchan *vc)
{
	xd_doorbell(vc);
}

static __rte_always_inline int
xd_enqueued(struct xd_vchan *vc, uint16_t idx, uint64_t flags)
{
	vc->head = idx + 1;
	if (flags & RTE_DMA_OP_FLAG_SUBMIT)
		xd_engine_doorbell(vc);
	return idx;
}

/* Copy and fill: one descriptor with two addresses (or a pattern). */
static __rte_always_inline int
xd_enqueue(void *dev_private, uint16_t vchan, uint8_t op, uint64_t src,
		rte_iova_t dst, uint32_t length, uint64_t flags)
{
	struct xd_vchan *vc = xd_vchan_of(dev_private, vchan);
	uint16_t idx = vc->head;
	struct xd_desc *d;

	if (unlikely(xd_ring_full(vc)))
		return xd_ring_full_errno(vc);
	d = &vc->desc[idx & vc->mask];
	d->src = src;
	d->dst = dst;
	d->len = length;
	d->op = op;
	d->flags = xd_desc_flags(flags);
	return xd_enqueued(vc, idx, flags);
}

static int
xd_copy(void *dev_private, uint16_t vchan, rte_iova_t src, rte_iova_t dst,
		uint32_t length, uint64_t flags)
{
	return xd_enqueue(dev_private, vchan, XD_OP_COPY, src, dst, length,
		flags);
}

static int
xd_copy_sg(void *dev_private, uint16_t vchan, const struct rte_dma_sge *src,
		const struct rte_dma_sge *dst, uint16_t nb_src, uint16_t nb_dst,
		uint64_t flags)
{
	struct xd_vchan *vc = xd_vchan_of(dev_private, vchan);
	uint16_t idx = vc->head;
	struct rte_dma_sge *sg;
	struct xd_desc *d;
	uint16_t slot;

	if (unlikely(nb_src == 0 || nb_dst == 0 || nb_src > XD_MAX_SGES ||
			nb_dst > XD_MAX_SGES || src == NULL || dst == NULL))
		return -EINVAL;
	if (unlikely(xd_ring_full(vc)))
		return xd_ring_full_errno(vc);
	slot = idx & vc->mask;
	/* The caller may reuse its arrays once this returns: keep a copy. */
	sg = &vc->sg[(size_t)slot * 2 * XD_MAX_SGES];
	memcpy(sg, src, nb_src * sizeof(*src));
	memcpy(sg + XD_MAX_SGES, dst, nb_dst * sizeof(*dst));
	d = &vc->desc[slot];
	d->op = XD_OP_COPY_SG;
	d->nb_src = (uint8_t)nb_src;
	d->nb_dst = (uint8_t)nb_dst;
	d->flags = xd_desc_flags(flags);
	return xd_enqueued(vc, idx, flags);
}

static int
xd_fill(void *dev_private, uint16_t vchan, uint64_t pattern, rte_iova_t dst,
		uint32_t length, uint64_t flags)
{
	/* The pattern travels in the source field. */
	return xd_enqueue(dev_private, vchan, XD_OP_FILL, pattern, dst, length,
		flags);
}

static int
xd_submit(void *dev_private, uint16_t vchan)
{
	struct xd_vchan *vc = xd_vchan_of(dev_private, vchan);

	/* Nothing to submit: fine, unless the vchan was never set up. */
	if (unlikely(vc->head == vc->submitted_local))
		return vc->size != 0 ? 0 : -EINVAL;
	xd_doorbell(vc);
	return 0;
}

static uint16_t
xd_completed(void *dev_private, uint16_t vchan, const uint16_t nb_cpls,
		uint16_t *last_idx, bool *has_error)
{
	struct xd_vchan *vc = xd_vchan_of(dev_private, vchan);
	uint16_t n = xd_ready(vc, nb_cpls);
	uint16_t i;

	/* Stop before the first failure; completed_status reports it. */
	if (unlikely(xd_maybe_failed(vc))) {
		for (i = 0; i < n; i++) {
			if (vc->status[(uint16_t)(vc->tail + i) & vc->mask] !=
					RTE_DMA_STATUS_SUCCESSFUL) {
				n = i;
				*has_error = true;
				break;
			}
		}
	}
	vc->tail += n;
	vc->stats.completed += n;
	*last_idx = vc->tail - 1;
	return n;
}

static uint16_t
xd_completed_status(void *dev_private, uint16_t vchan,
		const uint16_t nb_cpls, uint16_t *last_idx,
		enum rte_dma_status_code *status)
{
	struct xd_vchan *vc = xd_vchan_of(dev_private, vchan);
	uint16_t n = xd_ready(vc, nb_cpls);
	uint16_t i;

	if (likely(!xd_maybe_failed(vc))) {
		for (i = 0; i < n; i++)
			status[i] = RTE_DMA_STATUS_SUCCESSFUL;
	} else {
		for (i = 0; i < n; i++)
			status[i] = (enum rte_dma_status_code)
				xd_status_take(vc, vc->tail + i);
	}
	vc->tail += n;
	vc->stats.completed += n;
	*last_idx = vc->tail - 1;
	return n;
}

/*
 * The stacked engine's completion calls: first what the lower device
 * finished (and what waited to be sent), then the common report.
 */
static uint16_t
xd_stack_completed(void *dev_private, uint16_t vchan, const uint16_t nb_cpls,
		uint16_t *last_idx, bool *has_error)
{
	xd_stack_poll(xd_vchan_of(dev_private, vchan));
	return xd_completed(dev_private, vchan, nb_cpls, last_idx, has_error);
}

static uint16_t
xd_stack_completed_status(void *dev_private, uint16_t vchan,
		const uint16_t nb_cpls, uint16_t *last_idx,
		enum rte_dma_status_code *status)
{
	xd_stack_poll(xd_vchan_of(dev_private, vchan));
	return xd_completed_status(dev_private, vchan, nb_cpls, last_idx,
		status);
}

static uint16_t
xd_burst_capacity(const void *dev_private, uint16_t vchan)
{
	const struct xd_vchan *vc =
		&((const struct xd_engine *)dev_private)->vchan[vchan];

	return xd_ring_room(vc);
}

/*
 * A stopped device: DPDK 22.11 calls the fast-path table whatever the
 * device state, so these make a call on a stopped device fail cleanly
 * instead of touching rings that may not exist.
 */
/*
 * The enqueue calls of a device in a state that refuses them, each
 * returning @err: prefix_copy, prefix_copy_sg, prefix_fill, prefix_submit.
 */
#define XD_REFUSING_ENQUEUE(prefix, err) \
static int \
prefix ## _copy(void *p, uint16_t v, rte_iova_t s, rte_iova_t d, \
		uint32_t l, uint64_t f) \
{ \
	RTE_SET_USED(p); RTE_SET_USED(v); RTE_SET_USED(s); RTE_SET_USED(d); \
	RTE_SET_USED(l); RTE_SET_USED(f); \
	return (err); \
} \
static int \
prefix ## _copy_sg(void *p, uint16_t v, const struct rte_dma_sge *s, \
		const struct rte_dma_sge *d, uint16_t ns, uint16_t nd, \
		uint64_t f) \
{ \
	RTE_SET_USED(p); RTE_SET_USED(v); RTE_SET_USED(s); RTE_SET_USED(d); \
	RTE_SET_USED(ns); RTE_SET_USED(nd); RTE_SET_USED(f); \
	return (err); \
} \
static int \
prefix ## _fill(void *p, uint16_t v, uint64_t pat, rte_iova_t d, \
		uint32_t l, uint64_t f) \
{ \
	RTE_SET_USED(p); RTE_SET_USED(v); RTE_SET_USED(pat); \
	RTE_SET_USED(d); RTE_SET_USED(l); RTE_SET_USED(f); \
	return (err); \
} \
static int \
prefix ## _submit(void *p, uint16_t v) \
{ \
	RTE_SET_USED(p); RTE_SET_USED(v); \
	return (err); \
}

XD_REFUSING_ENQUEUE(xd_stopped, -EBUSY)

static uint16_t
xd_stopped_completed(void *p, uint16_t v, const uint16_t n, uint16_t *last,
		bool *err)
{
	RTE_SET_USED(p); RTE_SET_USED(v); RTE_SET_USED(n); RTE_SET_USED(last);
	RTE_SET_USED(err);
	return 0;
}

static uint16_t
xd_stopped_completed_status(void *p, uint16_t v, const uint16_t n,
		uint16_t *last, enum rte_dma_status_code *st)
{
	RTE_SET_USED(p); RTE_SET_USED(v); RTE_SET_USED(n); RTE_SET_USED(last);
	RTE_SET_USED(st);
	return 0;
}

/*
 * A device configured for the op-based API: its ops are enqueued and
 * dequeued as rte_dma_op, and the classic calls, which DPDK leaves
 * undefined then, are refused rather than mix ring slots without an op
 * into what dequeue returns. burst_capacity() works in both modes.
 */
XD_REFUSING_ENQUEUE(xd_ops_mode, -ENOTSUP)

static uint16_t
xd_stopped_burst_capacity(const void *p, uint16_t v)
{
	RTE_SET_USED(p); RTE_SET_USED(v);
	return 0;
}

/*
 * A secondary process: the primary starts and stops the device, and only
 * its own fast-path table changes, so a secondary's calls check the
 * started flag in the shared engine first (one load of a line the primary
 * writes only at start and stop). A device run with the op-based API
 * counts as stopped here.
 */
static __rte_always_inline bool
xd_sec_started(const void *dev_private)
{
	return __atomic_load_n(&((const struct xd_engine *)dev_private)->started,
		__ATOMIC_ACQUIRE) == XD_RUN_CLASSIC;
}

static int
xd_sec_copy(void *p, uint16_t v, rte_iova_t s, rte_iova_t d, uint32_t l,
		uint64_t f)
{
	if (unlikely(!xd_sec_started(p)))
		return -EBUSY;
	return xd_copy(p, v, s, d, l, f);
}

static int
xd_sec_copy_sg(void *p, uint16_t v, const struct rte_dma_sge *s,
		const struct rte_dma_sge *d, uint16_t ns, uint16_t nd, uint64_t f)
{
	if (unlikely(!xd_sec_started(p)))
		return -EBUSY;
	return xd_copy_sg(p, v, s, d, ns, nd, f);
}

static int
xd_sec_fill(void *p, uint16_t v, uint64_t pat, rte_iova_t d, uint32_t l,
		uint64_t f)
{
	if (unlikely(!xd_sec_started(p)))
		return -EBUSY;
	return xd_fill(p, v, pat, d, l, f);
}

static int
xd_sec_submit(void *p, uint16_t v)
{
	if (unlikely(!xd_sec_started(p)))
		return -EBUSY;
	return xd_submit(p, v);
}

static uint16_t
xd_sec_completed(void *p, uint16_t v, const uint16_t n, uint16_t *last,
		bool *err)
{
	if (unlikely(!xd_sec_started(p)))
		return 0;
	return xd_completed(p, v, n, last, err);
}

static uint16_t
xd_sec_completed_status(void *p, uint16_t v, const uint16_t n,
		uint16_t *last, enum rte_dma_status_code *st)
{
	if (unlikely(!xd_sec_started(p)))
		return 0;
	return xd_completed_status(p, v, n, last, st);
}

static uint16_t
xd_sec_burst_capacity(const void *p, uint16_t v)
{
	if (unlikely(!xd_sec_started(p)))
		return 0;
	return xd_burst_capacity(p, v);
}

void
xd_engine_fp_set_secondary(struct rte_dma_fp_object *fp)
{
	fp->copy = xd_sec_copy;
	fp->copy_sg = xd_sec_copy_sg;
	fp->fill = xd_sec_fill;
	fp->submit = xd_sec_submit;
	fp->completed = xd_sec_completed;
	fp->completed_status = xd_sec_completed_status;
	fp->burst_capacity = xd_sec_burst_capacity;
	xd_enq_deq_fp_set(fp, XD_RUN_OPS, false, true);
}

void
xd_engine_fp_set(struct rte_dma_fp_object *fp, uint32_t run, bool stacked)
{
	switch (run) {
	case XD_RUN_CLASSIC:
		fp->copy = xd_copy;
		fp->copy_sg = xd_copy_sg;
		fp->fill = xd_fill;
		fp->submit = xd_submit;
		fp->completed = stacked ? xd_stack_completed : xd_completed;
		fp->completed_status = stacked ? xd_stack_completed_status :
			xd_completed_status;
		fp->burst_capacity = xd_burst_capacity;
		break;
	case XD_RUN_OPS:
		fp->copy = xd_ops_mode_copy;
		fp->copy_sg = xd_ops_mode_copy_sg;
		fp->fill = xd_ops_mode_fill;
		fp->submit = xd_ops_mode_submit;
		fp->completed = xd_stopped_completed;
		fp->completed_status = xd_stopped_completed_status;
		fp->burst_capacity = xd_burst_capacity;
		break;
	default:
		fp->copy = xd_stopped_copy;
		fp->copy_sg = xd_stopped_copy_sg;
		fp->fill = xd_stopped_fill;
		fp->submit = xd_stopped_submit;
		fp->completed = xd_stopped_completed;
		fp->completed_status = xd_stopped_completed_status;
		fp->burst_capacity = xd_stopped_burst_capacity;
		break;
	}
	xd_enq_deq_fp_set(fp, run, stacked, false);
}
