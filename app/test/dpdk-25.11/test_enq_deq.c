/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-dma-xd authors
 */

/*
 * The op-based API (rte_dma_enqueue_ops(), rte_dma_dequeue_ops()) of the
 * native target on one of our devices, where DPDK's own suites do not
 * look: errors first (no configure flag, the classic calls in op mode, bad
 * entry counts, a stopped device), then per-op statuses, fences, order,
 * a full ring and multi-entry data.
 *
 *   test_enq_deq DEVICE [EAL ARG]...
 *
 * The EAL arguments create DEVICE (--vdev=...), and an engine device
 * before it for a stacked one.
 */

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <rte_common.h>
#include <rte_dmadev.h>
#include <rte_eal.h>
#include <rte_malloc.h>

#include "test_eal.h"

#define NB_DESC 64
#define BUF_LEN 4096
/* Entries an op of these tests can carry, both sides together. */
#define OP_SGES 64
#define DEQ_TIMEOUT_NS (5ull * 1000 * 1000 * 1000)
#define SENTINEL 0xa5
/* A status no device writes: the op was never touched. */
#define STATUS_UNTOUCHED ((enum rte_dma_status_code)0x7777)

/*
 * An op and room for OP_SGES entries after it: struct rte_dma_op ends with
 * a flexible array, so the ops live in one buffer, OP_STRIDE bytes apart.
 */
#define OP_STRIDE RTE_ALIGN_CEIL(sizeof(struct rte_dma_op) + \
	OP_SGES * sizeof(struct rte_dma_sge), RTE_CACHE_LINE_SIZE)

static int16_t dev_id = -1;
static struct rte_dma_info info;
static uint8_t *src_buf;
static uint8_t *dst_buf;
static uint8_t *op_mem; /* NB_DESC + 1 ops */

static struct rte_dma_op *
op_at(unsigned int i)
{
	return (struct rte_dma_op *)(op_mem + (size_t)i * OP_STRIDE);
}

static rte_iova_t
iova(const void *p)
{
	return (rte_iova_t)(uintptr_t)p;
}

static int
dev_setup(bool enq_deq)
{
	struct rte_dma_conf conf = {
		.nb_vchans = 1,
		.flags = enq_deq ? RTE_DMA_CFG_FLAG_ENQ_DEQ : 0,
	};
	struct rte_dma_vchan_conf vconf = {
		.direction = RTE_DMA_DIR_MEM_TO_MEM,
		.nb_desc = NB_DESC,
	};
	int ret;

	ret = rte_dma_stop(dev_id);
	if (ret == 0)
		ret = rte_dma_configure(dev_id, &conf);
	if (ret == 0)
		ret = rte_dma_vchan_setup(dev_id, 0, &vconf);
	if (ret == 0)
		ret = rte_dma_start(dev_id);
	return ret;
}

static int
setup_ops(void **state)
{
	RTE_SET_USED(state);
	memset(op_mem, 0, OP_STRIDE * (NB_DESC + 1));
	return dev_setup(true);
}

static int
setup_classic(void **state)
{
	RTE_SET_USED(state);
	return dev_setup(false);
}

/* Op @i: one copy of @len bytes, src_buf + off to dst_buf + off. */
static struct rte_dma_op *
op_copy(unsigned int i, size_t off, uint32_t len, uint64_t flags)
{
	struct rte_dma_op *op = op_at(i);

	memset(op, 0, OP_STRIDE);
	op->flags = flags;
	op->status = STATUS_UNTOUCHED;
	op->nb_src = 1;
	op->nb_dst = 1;
	op->src_dst_seg[0].addr = iova(src_buf + off);
	op->src_dst_seg[0].length = len;
	op->src_dst_seg[1].addr = iova(dst_buf + off);
	op->src_dst_seg[1].length = len;
	return op;
}

/* Dequeue exactly @n ops (waiting for a worker lcore or a device below). */
static void
dequeue_all(struct rte_dma_op **out, uint16_t n)
{
	uint64_t deadline = test_now_ns() + DEQ_TIMEOUT_NS;
	uint16_t got = 0;

	while (got < n) {
		got += rte_dma_dequeue_ops(dev_id, 0, out + got, n - got);
		if (test_now_ns() > deadline)
			fail_msg("dequeued %u of %u ops", got, n);
	}
	/* and nothing more */
	assert_int_equal(rte_dma_dequeue_ops(dev_id, 0, out + got, 1), 0);
}

/* --- errors first --- */

static void
test_capa(void **state)
{
	RTE_SET_USED(state);
	assert_true(info.dev_capa & RTE_DMA_CAPA_OPS_ENQ_DEQ);
	assert_true(info.max_sges >= 1);
}

/* Without RTE_DMA_CFG_FLAG_ENQ_DEQ: nothing goes in, the op is untouched. */
static void
test_no_flag(void **state)
{
	struct rte_dma_op *op = op_copy(0, 0, 64, 0);
	struct rte_dma_op *out = NULL;
	uint16_t last;
	bool err = false;

	RTE_SET_USED(state);
	memset(dst_buf, SENTINEL, 64);
	assert_int_equal(rte_dma_enqueue_ops(dev_id, 0, &op, 1), 0);
	assert_int_equal(op->status, STATUS_UNTOUCHED);
	assert_int_equal(rte_dma_dequeue_ops(dev_id, 0, &out, 1), 0);
	assert_null(out);
	assert_int_equal(dst_buf[0], SENTINEL);
	/* the classic calls work as before */
	assert_int_equal(rte_dma_copy(dev_id, 0, iova(src_buf), iova(dst_buf),
		64, RTE_DMA_OP_FLAG_SUBMIT), 0);
	while (rte_dma_completed(dev_id, 0, 1, &last, &err) == 0)
		;
	assert_false(err);
}

/* With the flag, the classic calls are refused, not mixed in. */
static void
test_classic_refused(void **state)
{
	struct rte_dma_sge s = { iova(src_buf), 64 }, d = { iova(dst_buf), 64 };
	enum rte_dma_status_code st;
	uint16_t last;
	bool err = false;

	RTE_SET_USED(state);
	assert_int_equal(rte_dma_copy(dev_id, 0, iova(src_buf), iova(dst_buf),
		64, RTE_DMA_OP_FLAG_SUBMIT), -ENOTSUP);
	assert_int_equal(rte_dma_copy_sg(dev_id, 0, &s, &d, 1, 1, 0),
		-ENOTSUP);
	assert_int_equal(rte_dma_submit(dev_id, 0), -ENOTSUP);
	assert_int_equal(rte_dma_completed(dev_id, 0, 1, &last, &err), 0);
	assert_int_equal(rte_dma_completed_status(dev_id, 0, 1, &last, &st),
		0);
	assert_int_equal(rte_dma_burst_capacity(dev_id, 0), NB_DESC);
}

/*
 * An op with no entries on a side, or more than max_sges, is refused:
 * the burst stops before it, it keeps its status, the ops before it run.
 */
static void
test_bad_counts(void **state)
{
	const uint16_t bad[][2] = {
		{ 0, 1 }, { 1, 0 }, { 0, 0 },
		{ (uint16_t)(info.max_sges + 1), 1 },
		{ 1, (uint16_t)(info.max_sges + 1) },
		{ UINT16_MAX, UINT16_MAX },
	};
	struct rte_dma_op *ops[3], *out[2];
	unsigned int i;

	RTE_SET_USED(state);
	for (i = 0; i < RTE_DIM(bad); i++) {
		ops[0] = op_copy(0, 0, 64, 0);
		ops[1] = op_copy(1, 64, 64, 0);
		ops[1]->nb_src = bad[i][0];
		ops[1]->nb_dst = bad[i][1];
		ops[2] = op_copy(2, 128, 64, 0);
		assert_int_equal(rte_dma_enqueue_ops(dev_id, 0, ops, 3), 1);
		assert_int_equal(ops[1]->status, STATUS_UNTOUCHED);
		dequeue_all(out, 1);
		assert_ptr_equal(out[0], ops[0]);
		assert_int_equal(out[0]->status, RTE_DMA_STATUS_SUCCESSFUL);
		/* the refused op took no slot */
		assert_int_equal(rte_dma_burst_capacity(dev_id, 0), NB_DESC);
	}
}

/* A stopped device takes nothing and returns nothing. */
static void
test_stopped(void **state)
{
	struct rte_dma_op *op = op_copy(0, 0, 64, 0), *out = NULL;

	RTE_SET_USED(state);
	assert_int_equal(rte_dma_stop(dev_id), 0);
	assert_int_equal(rte_dma_enqueue_ops(dev_id, 0, &op, 1), 0);
	assert_int_equal(rte_dma_dequeue_ops(dev_id, 0, &out, 1), 0);
	assert_int_equal(op->status, STATUS_UNTOUCHED);
	assert_int_equal(rte_dma_start(dev_id), 0);
	assert_int_equal(rte_dma_enqueue_ops(dev_id, 0, &op, 1), 1);
	dequeue_all(&out, 1);
	assert_ptr_equal(out, op);
}

/*
 * Each op reports its own failure and the device goes on; a fence after
 * a failure of the same burst is not attempted, one in the next burst is.
 */
static void
test_status(void **state)
{
	struct rte_dma_op *ops[5], *out[5];
	unsigned int i;

	RTE_SET_USED(state);
	memset(src_buf, 0x3c, 512);
	memset(dst_buf, SENTINEL, 512);
	ops[0] = op_copy(0, 0, 64, 0);
	ops[1] = op_copy(1, 64, 64, 0);
	ops[1]->src_dst_seg[0].addr = 0;
	ops[2] = op_copy(2, 128, 64, 0);
	ops[2]->src_dst_seg[1].length = 32;         /* 64 bytes into 32 */
	ops[3] = op_copy(3, 192, 64, RTE_DMA_OP_FLAG_FENCE);
	ops[4] = op_copy(4, 256, 64, 0);
	assert_int_equal(rte_dma_enqueue_ops(dev_id, 0, ops, 5), 5);
	dequeue_all(out, 5);
	for (i = 0; i < 5; i++)
		assert_ptr_equal(out[i], ops[i]);
	assert_int_equal(out[0]->status, RTE_DMA_STATUS_SUCCESSFUL);
	assert_int_equal(out[1]->status, RTE_DMA_STATUS_INVALID_SRC_ADDR);
	assert_int_equal(out[2]->status, RTE_DMA_STATUS_INVALID_LENGTH);
	assert_int_equal(out[3]->status, RTE_DMA_STATUS_NOT_ATTEMPTED);
	assert_int_equal(out[4]->status, RTE_DMA_STATUS_SUCCESSFUL);
	assert_memory_equal(dst_buf, src_buf, 64);
	assert_int_equal(dst_buf[64], SENTINEL);
	assert_int_equal(dst_buf[128], SENTINEL);
	assert_int_equal(dst_buf[192], SENTINEL);
	assert_memory_equal(dst_buf + 256, src_buf + 256, 64);

	/* a fence in a burst of its own runs */
	ops[0] = op_copy(0, 192, 64, RTE_DMA_OP_FLAG_FENCE);
	assert_int_equal(rte_dma_enqueue_ops(dev_id, 0, ops, 1), 1);
	dequeue_all(out, 1);
	assert_int_equal(out[0]->status, RTE_DMA_STATUS_SUCCESSFUL);
	assert_memory_equal(dst_buf + 192, src_buf + 192, 64);
}

/* A full ring takes what fits; dequeue returns the ops in order. */
static void
test_full_ring(void **state)
{
	struct rte_dma_op *ops[NB_DESC + 1], *out[NB_DESC];
	unsigned int i;

	RTE_SET_USED(state);
	for (i = 0; i < 512; i++)
		src_buf[i] = (uint8_t)i;
	memset(dst_buf, SENTINEL, 512);
	for (i = 0; i <= NB_DESC; i++)
		ops[i] = op_copy(i, i * 4 % 512, 4, 0);
	assert_int_equal(rte_dma_enqueue_ops(dev_id, 0, ops, NB_DESC + 1),
		NB_DESC);
	assert_int_equal(rte_dma_enqueue_ops(dev_id, 0, ops + NB_DESC, 1), 0);
	dequeue_all(out, NB_DESC);
	for (i = 0; i < NB_DESC; i++) {
		assert_ptr_equal(out[i], ops[i]);
		assert_int_equal(out[i]->status, RTE_DMA_STATUS_SUCCESSFUL);
	}
	assert_memory_equal(dst_buf, src_buf, NB_DESC * 4);
	assert_int_equal(rte_dma_enqueue_ops(dev_id, 0, ops + NB_DESC, 1), 1);
	dequeue_all(out, 1);
}

/*
 * Entries that split differently on each side, up to max_sges: every
 * byte lands, in order, and nothing past the destination is touched.
 */
static void
test_multi_entry(void **state)
{
	uint16_t n = RTE_MIN(info.max_sges, (uint16_t)(OP_SGES / 2));
	struct rte_dma_op *op = op_at(0), *out;
	uint32_t total = 0, off = 0, len;
	uint16_t i;

	RTE_SET_USED(state);
	for (i = 0; i < BUF_LEN; i++)
		src_buf[i] = (uint8_t)(i * 7 + 1);
	memset(dst_buf, SENTINEL, BUF_LEN);
	memset(op, 0, OP_STRIDE);
	/* sources of 1, 2, 3... bytes, spaced out */
	for (i = 0; i < n; i++) {
		len = i + 1;
		op->src_dst_seg[i].addr = iova(src_buf + 100 * i);
		op->src_dst_seg[i].length = len;
		total += len;
	}
	/* one destination, or two halves, contiguous */
	op->nb_src = n;
	op->nb_dst = n >= 2 ? 2 : 1;
	len = op->nb_dst == 2 ? total / 2 : total;
	op->src_dst_seg[n].addr = iova(dst_buf);
	op->src_dst_seg[n].length = len;
	if (op->nb_dst == 2) {
		op->src_dst_seg[n + 1].addr = iova(dst_buf + len);
		op->src_dst_seg[n + 1].length = total - len;
	}
	assert_int_equal(rte_dma_enqueue_ops(dev_id, 0, &op, 1), 1);
	dequeue_all(&out, 1);
	assert_ptr_equal(out, op);
	assert_int_equal(out->status, RTE_DMA_STATUS_SUCCESSFUL);
	for (i = 0; i < n; i++) {
		assert_memory_equal(dst_buf + off, src_buf + 100 * i, i + 1);
		off += i + 1;
	}
	assert_int_equal(dst_buf[total], SENTINEL);
}

/* Statistics count the ops and their failures, as for the classic calls. */
static void
test_stats(void **state)
{
	struct rte_dma_op *ops[2], *out[2];
	struct rte_dma_stats st;

	RTE_SET_USED(state);
	assert_int_equal(rte_dma_stats_reset(dev_id, 0), 0);
	ops[0] = op_copy(0, 0, 64, 0);
	ops[1] = op_copy(1, 64, 64, 0);
	ops[1]->src_dst_seg[1].addr = 0;
	assert_int_equal(rte_dma_enqueue_ops(dev_id, 0, ops, 2), 2);
	dequeue_all(out, 2);
	assert_int_equal(out[1]->status, RTE_DMA_STATUS_INVALID_DST_ADDR);
	assert_int_equal(rte_dma_stats_get(dev_id, 0, &st), 0);
	assert_int_equal(st.submitted, 2);
	assert_int_equal(st.completed, 2);
	assert_int_equal(st.errors, 1);
}

static int
group_setup(void **state)
{
	RTE_SET_USED(state);
	if (rte_eal_iova_mode() != RTE_IOVA_VA) {
		fprintf(stderr, "the tests need IOVA as VA\n");
		return -1;
	}
	src_buf = rte_malloc("test_src", BUF_LEN, 4096);
	dst_buf = rte_malloc("test_dst", BUF_LEN, 4096);
	op_mem = rte_zmalloc("test_ops", OP_STRIDE * (NB_DESC + 1),
		RTE_CACHE_LINE_SIZE);
	if (src_buf == NULL || dst_buf == NULL || op_mem == NULL)
		return -1;
	return rte_dma_info_get(dev_id, &info) == 0 ? 0 : -1;
}

static int
group_teardown(void **state)
{
	RTE_SET_USED(state);
	rte_free(src_buf);
	rte_free(dst_buf);
	rte_free(op_mem);
	return 0;
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_capa),
		cmocka_unit_test_setup(test_no_flag, setup_classic),
		cmocka_unit_test_setup(test_classic_refused, setup_ops),
		cmocka_unit_test_setup(test_bad_counts, setup_ops),
		cmocka_unit_test_setup(test_stopped, setup_ops),
		cmocka_unit_test_setup(test_status, setup_ops),
		cmocka_unit_test_setup(test_full_ring, setup_ops),
		cmocka_unit_test_setup(test_multi_entry, setup_ops),
		cmocka_unit_test_setup(test_stats, setup_ops),
	};
	char group[64];
	int ret;

	if (argc < 2) {
		fprintf(stderr, "usage: %s DEVICE [EAL ARG]...\n", argv[0]);
		return 2;
	}
	ret = test_eal_init("enq_deq", (const char *const *)(argv + 2),
		(unsigned int)(argc - 2));
	if (ret != 0) {
		fprintf(stderr, "EAL init failed: %s\n", strerror(-ret));
		return 1;
	}
	dev_id = rte_dma_get_dev_id_by_name(argv[1]);
	if (dev_id < 0) {
		fprintf(stderr, "no dmadev %s\n", argv[1]);
		test_eal_fini();
		return 1;
	}
	snprintf(group, sizeof(group), "enq_deq[%s]", argv[1]);
	ret = cmocka_run_group_tests_name(group, tests, group_setup,
		group_teardown);
	test_eal_fini();
	return ret == 0 ? 0 : 1;
}
