/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-dma-xd authors
 */

/*
 * The timed loops: the fast path of the benchmark. Each runs until the
 * TSC reaches @p end, looking at the clock once per batch of kick_batch
 * copies, and walks the slots of its buffers in the same order from where
 * the previous call stopped:
 *
 *   DMA_MEM_COPY  rte_dma_copy() (or _sg) x batch, rte_dma_submit(), then
 *                 rte_dma_completed(); the ring is topped up by whole
 *                 batches, so it stays as full as the batch allows
 *   CPU_MEM_COPY  memcpy() x batch
 *   CMA_COPY      one process_vm_writev() of batch iovecs
 *   SOCKET_COPY   one sendmsg() of a header and batch iovecs; the child
 *                 reads them into its slots and replies once per batch
 *
 * Nothing here allocates, logs or checks what set-up already checked.
 */

#include <errno.h>
#include <string.h>
#include <sys/uio.h>

#include <rte_branch_prediction.h>
#include <rte_cycles.h>
#include <rte_dmadev.h>
#include <rte_pause.h>

#include "perf.h"

static inline uint64_t
next_slot(const struct perf_round *r, uint64_t slot)
{
	return ++slot == r->lay.nb_slots ? 0 : slot;
}

/*
 * rte_dma_completed() stopped at a failed copy: take the statuses from
 * there on, the failed one included.
 */
static void
dma_take_errors(struct perf_round *r)
{
	const struct perf_case *c = r->c;
	uint16_t last_idx, n, i;

	n = rte_dma_completed_status(c->dev_id, 0, c->ring, &last_idx,
			c->status);
	for (i = 0; i < n; i++)
		r->errors += c->status[i] != RTE_DMA_STATUS_SUCCESSFUL;
	r->done += n;
}

static inline uint16_t
dma_poll(struct perf_round *r)
{
	uint16_t last_idx, done;
	bool error = false;

	done = rte_dma_completed(r->c->dev_id, 0, r->c->ring, &last_idx,
			&error);
	r->done += done;
	if (unlikely(error))
		dma_take_errors(r);
	return done;
}

int
perf_loop_dma(struct perf_round *r, uint64_t end)
{
	const int16_t dev_id = r->c->dev_id;
	const uint64_t room = r->c->ring - r->batch;
	const uint32_t size = r->lay.size;
	const size_t stride = r->lay.stride;

	do {
		uint16_t n = 0;

		if (r->issued - r->done <= room) {
			int ret = 0;

			for (; n < r->batch; n++) {
				uint64_t off = r->slot * stride;

				ret = rte_dma_copy(dev_id, 0, r->src_iova + off,
						r->dst_iova + off, size, 0);
				if (unlikely(ret < 0))
					break;
				r->slot = next_slot(r, r->slot);
			}
			/* -ENOSPC: a device may hold less than its ring. */
			if (unlikely(ret < 0 && ret != -ENOSPC))
				return ret;
			if (n > 0) {
				ret = rte_dma_submit(dev_id, 0);
				if (unlikely(ret < 0))
					return ret;
				r->issued += n;
			}
		}
		if (dma_poll(r) == 0 && n == 0)
			rte_pause();
	} while (rte_get_tsc_cycles() < end);
	return 0;
}

/* As perf_loop_dma(), each copy described as pieces of its slot. */
int
perf_loop_dma_sg(struct perf_round *r, uint64_t end)
{
	const int16_t dev_id = r->c->dev_id;
	const uint16_t nb_src = r->c->src_sge, nb_dst = r->c->dst_sge;
	const uint64_t room = r->c->ring - r->batch;
	const size_t stride = r->lay.stride;
	struct rte_dma_sge src[PERF_MAX_SGE], dst[PERF_MAX_SGE];
	uint16_t i;

	for (i = 0; i < nb_src; i++)
		src[i].length = r->src_seg_len[i];
	for (i = 0; i < nb_dst; i++)
		dst[i].length = r->dst_seg_len[i];
	do {
		uint16_t n = 0;

		if (r->issued - r->done <= room) {
			int ret = 0;

			for (; n < r->batch; n++) {
				uint64_t off = r->slot * stride;

				for (i = 0; i < nb_src; i++)
					src[i].addr = r->src_iova + off +
						r->src_seg_off[i];
				for (i = 0; i < nb_dst; i++)
					dst[i].addr = r->dst_iova + off +
						r->dst_seg_off[i];
				ret = rte_dma_copy_sg(dev_id, 0, src, dst, nb_src,
						nb_dst, 0);
				if (unlikely(ret < 0))
					break;
				r->slot = next_slot(r, r->slot);
			}
			if (unlikely(ret < 0 && ret != -ENOSPC))
				return ret;
			if (n > 0) {
				ret = rte_dma_submit(dev_id, 0);
				if (unlikely(ret < 0))
					return ret;
				r->issued += n;
			}
		}
		if (dma_poll(r) == 0 && n == 0)
			rte_pause();
	} while (rte_get_tsc_cycles() < end);
	return 0;
}

int
perf_dma_drain(struct perf_round *r, uint64_t timeout)
{
	const uint64_t deadline = rte_get_tsc_cycles() + timeout;

	while (r->done < r->issued) {
		if (dma_poll(r) == 0) {
			if (rte_get_tsc_cycles() > deadline)
				return -ETIMEDOUT;
			rte_pause();
		}
	}
	return r->done == r->issued ? 0 : -EPROTO;
}

int
perf_loop_cpu(struct perf_round *r, uint64_t end)
{
	const uint8_t *src = r->src;
	uint8_t *dst = r->dst;
	const uint32_t size = r->lay.size;
	const size_t stride = r->lay.stride;
	uint16_t n;

	do {
		for (n = 0; n < r->batch; n++) {
			uint64_t off = r->slot * stride;

			memcpy(dst + off, src + off, size);
			r->slot = next_slot(r, r->slot);
		}
		r->issued += r->batch;
		r->done += r->batch;
	} while (rte_get_tsc_cycles() < end);
	return 0;
}

int
perf_loop_cma(struct perf_round *r, uint64_t end)
{
	const struct perf_peer *p = &r->c->peer;
	struct iovec *local = r->c->iov_local, *remote = r->c->iov_remote;
	const uint32_t size = r->lay.size;
	const size_t stride = r->lay.stride;
	const ssize_t want = (ssize_t)size * r->batch;
	uint16_t n;

	do {
		ssize_t got;

		for (n = 0; n < r->batch; n++) {
			uint64_t off = r->slot * stride;

			local[n].iov_base = (void *)(uintptr_t)(r->src + off);
			local[n].iov_len = size;
			remote[n].iov_base = (void *)(uintptr_t)(p->addr + off);
			remote[n].iov_len = size;
			r->slot = next_slot(r, r->slot);
		}
		got = process_vm_writev(p->pid, local, r->batch, remote,
				r->batch, 0);
		if (unlikely(got != want))
			return got < 0 ? -errno : -EFAULT;
		r->issued += r->batch;
		r->done += r->batch;
	} while (rte_get_tsc_cycles() < end);
	return 0;
}

int
perf_loop_socket(struct perf_round *r, uint64_t end)
{
	struct perf_peer *p = &r->c->peer;
	struct iovec *iov = r->c->iov_local;
	const uint32_t size = r->lay.size;
	const size_t stride = r->lay.stride;
	struct perf_peer_msg hdr = {
		.cmd = PERF_PEER_DATA,
		.nb = r->batch,
		.size = size,
		.stride = stride,
		.nb_slots = r->lay.nb_slots,
	};
	struct perf_peer_reply reply;
	uint16_t n;
	int ret;

	do {
		hdr.slot = r->slot;
		iov[0].iov_base = &hdr;
		iov[0].iov_len = sizeof(hdr);
		for (n = 0; n < r->batch; n++) {
			uint64_t off = r->slot * stride;

			iov[n + 1].iov_base = (void *)(uintptr_t)(r->src + off);
			iov[n + 1].iov_len = size;
			r->slot = next_slot(r, r->slot);
		}
		ret = perf_send_all(p->fd, iov, r->batch + 1);
		if (unlikely(ret < 0))
			return ret;
		ret = perf_recv_all(p->fd, &reply, sizeof(reply));
		if (unlikely(ret < 0))
			return ret;
		if (unlikely(reply.status != 0 || reply.value != r->batch))
			return -EPROTO;
		r->issued += r->batch;
		r->done += r->batch;
	} while (rte_get_tsc_cycles() < end);
	return 0;
}
