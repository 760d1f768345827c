/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-dma-xd authors
 */

/*
 * Rounds, timing and verification.
 *
 * A scenario is one case at one buffer size. Its test_seconds are split
 * into PERF_ROUNDS rounds, and the rounds of all the scenarios of one
 * buffer size are interleaved (the case that goes first rotates), so that
 * a machine whose speed drifts during the run moves every case alike:
 * ratios between cases at one size are what the run is for.
 *
 * One round, on the case's lcore except where said:
 *
 *   main lcore   poison the destination (ours, or the child's); start the
 *                device (DMA cases only: an idle device's thread would
 *                compete with the other cases)
 *   case lcore   warm-up (not counted); cache_flush=1: drain, walk the
 *                flush buffer; timed window
 *   main lcore   drain and stop the device; verify the whole destination
 *
 * Every round starts from slot 0 of a freshly poisoned destination, so
 * after it the first min(copies, slots) slots hold the source and every
 * other byte is poison: verification checks exactly that, byte for byte.
 *
 * All cases share one source buffer, and the local cases one destination
 * (the first mem_size MiB of each), allocated from EAL memory and written
 * once before any timing, so no page fault is ever timed. The children
 * of CMA_COPY and SOCKET_COPY fault their own buffers in. Destinations
 * start PERF_DST_SKEW bytes into a page, theirs too.
 *
 * DMA_INTER_DOMAIN_COPY runs the loops of DMA_MEM_COPY with the peer's
 * addresses on one side (translation is the device's business): write
 * copies our source into the peer's buffer, which the peer verifies;
 * read copies the peer's buffer, which holds the source pattern, into our
 * destination, which we verify. The peer's buffer starts on a page (its
 * windows do), so there the skew is on our side: a second copy of the
 * source, PERF_DST_SKEW bytes into a page, for writes.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>

#include "perf.h"

/* Progress on stderr when the run should take longer than this. */
#define PROGRESS_MIN_S 5.0
/* A device that has not finished its copies after this is stuck. */
#define DRAIN_TIMEOUT_S 5
/* CMA verification reads the child's buffer in pieces of this size. */
#define SCRATCH_BYTES ((size_t)4 << 20)
#define FLUSH_MIN_BYTES ((size_t)64 << 20)
#define FLUSH_MAX_BYTES ((size_t)512 << 20)

/*
 * Test hook: DPDK_TEST_DMA_PERF_FAULT=mismatch flips a destination byte
 * after every round, before verification, to prove that it fails.
 */
#define FAULT_MISMATCH "mismatch"

/* Where the flush walk's sum goes, so that the reads are not dropped. */
static volatile uint64_t flush_sink;

double
perf_warm_seconds(double test_seconds)
{
	/* A fifth of a round, within 10..200 ms. */
	double w = test_seconds / PERF_ROUNDS / 5;

	w = RTE_MIN(0.2, w);
	return RTE_MAX(0.01, w);
}

/* Whether the case copies into our destination buffer. */
static bool
dst_is_local(const struct perf_case *c)
{
	return c->type == PERF_DMA_MEM_COPY || c->type == PERF_CPU_MEM_COPY ||
		(c->type == PERF_DMA_INTER_DOMAIN_COPY &&
		 c->direction == PERF_DIR_READ);
}

static const char *
case_what(const struct perf_case *c, char *buf, size_t len)
{
	if (perf_case_dma(c))
		snprintf(buf, len, "%s (%s, %s)", c->label,
			perf_type_name(c->type), c->device);
	else
		snprintf(buf, len, "%s (%s)", c->label, perf_type_name(c->type));
	return buf;
}

/* ---- buffers ---------------------------------------------------------- */

int
perf_bench_alloc(struct perf_bench *b, const struct perf_config *cfg)
{
	bool cma = false, skew = false;
	unsigned int i;
	long llc;

	for (i = 0; i < cfg->nb_cases; i++) {
		const struct perf_case *c = &cfg->cases[i];
		size_t bytes = (size_t)c->mem_mib << 20;

		if (!perf_case_active(c))
			continue;
		b->src_bytes = RTE_MAX(b->src_bytes, bytes);
		if (dst_is_local(c))
			b->dst_bytes = RTE_MAX(b->dst_bytes, bytes);
		if (c->src_node >= 0)
			b->node_src_bytes[c->src_node] = RTE_MAX(
				b->node_src_bytes[c->src_node], bytes);
		if (c->dst_node >= 0 && dst_is_local(c))
			b->node_dst_bytes[c->dst_node] = RTE_MAX(
				b->node_dst_bytes[c->dst_node], bytes);
		cma = cma || c->type == PERF_CMA_COPY;
		skew = skew || (c->type == PERF_DMA_INTER_DOMAIN_COPY &&
			c->direction == PERF_DIR_WRITE);
	}
	b->tsc_hz = rte_get_tsc_hz();
	b->warm_s = perf_warm_seconds(cfg->test_seconds);

	b->src = rte_malloc("test-dma-perf-src", b->src_bytes, 4096);
	if (b->dst_bytes > 0) {
		b->dst_alloc = rte_malloc("test-dma-perf-dst",
			b->dst_bytes + PERF_DST_SKEW, 4096);
		if (b->dst_alloc != NULL)
			b->dst = b->dst_alloc + PERF_DST_SKEW;
	}
	if (skew) {
		b->src_skew_alloc = rte_malloc("test-dma-perf-src-skew",
			b->src_bytes + PERF_DST_SKEW, 4096);
		if (b->src_skew_alloc != NULL)
			b->src_skew = b->src_skew_alloc + PERF_DST_SKEW;
	}
	if (b->src == NULL || (b->dst_bytes > 0 && b->dst == NULL) ||
			(skew && b->src_skew == NULL)) {
		perf_config_error(cfg, NULL, "mem_size",
			"cannot allocate %zu MiB of source%s and %zu MiB of destination from EAL memory: give EAL more (-m in eal_args) or use a smaller mem_size",
			b->src_bytes >> 20, skew ? " (twice)" : "",
			b->dst_bytes >> 20);
		goto free_pool;
	}
	for (i = 0; i < RTE_MAX_NUMA_NODES; i++) {
		int node = (int)i;

		if (b->node_src_bytes[i] > 0) {
			b->node_src[i] = rte_malloc_socket("test-dma-perf-src",
				b->node_src_bytes[i], 4096, node);
			if (b->node_src[i] == NULL)
				goto no_node_mem;
			perf_pattern_fill(b->node_src[i], b->node_src_bytes[i]);
		}
		if (b->node_dst_bytes[i] > 0) {
			b->node_dst_alloc[i] = rte_malloc_socket(
				"test-dma-perf-dst",
				b->node_dst_bytes[i] + PERF_DST_SKEW, 4096, node);
			if (b->node_dst_alloc[i] == NULL)
				goto no_node_mem;
			b->node_dst[i] = b->node_dst_alloc[i] + PERF_DST_SKEW;
			memset(b->node_dst[i], PERF_POISON, b->node_dst_bytes[i]);
		}
	}
	/* Writing every byte also faults every page in. */
	perf_pattern_fill(b->src, b->src_bytes);
	if (b->src_skew != NULL)
		perf_pattern_fill(b->src_skew, b->src_bytes);
	if (b->dst != NULL)
		memset(b->dst, PERF_POISON, b->dst_bytes);

	if (cma) {
		b->scratch_bytes = SCRATCH_BYTES;
		b->scratch = malloc(b->scratch_bytes);
		if (b->scratch == NULL)
			goto no_mem;
	}
	if (cfg->cache_flush) {
		/* Twice the last-level cache, as far as it is known. */
		llc = sysconf(_SC_LEVEL3_CACHE_SIZE);
		b->flush_bytes = llc > 0 ? 2 * (size_t)llc : FLUSH_MIN_BYTES;
		b->flush_bytes = RTE_MIN(FLUSH_MAX_BYTES, b->flush_bytes);
		b->flush_bytes = RTE_MAX(FLUSH_MIN_BYTES, b->flush_bytes);
		b->flush_buf = mmap(NULL, b->flush_bytes,
			PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			-1, 0);
		if (b->flush_buf == MAP_FAILED) {
			b->flush_buf = NULL;
			goto no_mem;
		}
		/* Untouched pages would all read the one zero page. */
		memset(b->flush_buf, 1, b->flush_bytes);
	}
	return 0;

no_node_mem:
	perf_config_error(cfg, NULL, "src_numa_node",
		"cannot allocate the buffers of NUMA node %u from EAL memory: give EAL memory there (--socket-mem in eal_args)",
		i);
	goto free_pool;
no_mem:
	fprintf(stderr, PERF_NAME ": out of memory for the %s buffer\n",
		cma && b->scratch == NULL ? "CMA verification" : "cache flush");
free_pool:
	perf_bench_free(b);
	return -ENOMEM;
}

void
perf_bench_free(struct perf_bench *b)
{
	unsigned int i;

	rte_free(b->src);
	rte_free(b->src_skew_alloc);
	rte_free(b->dst_alloc);
	for (i = 0; i < RTE_MAX_NUMA_NODES; i++) {
		rte_free(b->node_src[i]);
		rte_free(b->node_dst_alloc[i]);
		b->node_src[i] = NULL;
		b->node_dst[i] = NULL;
		b->node_dst_alloc[i] = NULL;
	}
	free(b->scratch);
	if (b->flush_buf != NULL)
		munmap(b->flush_buf, b->flush_bytes);
	b->src = NULL;
	b->src_skew = NULL;
	b->src_skew_alloc = NULL;
	b->dst = NULL;
	b->dst_alloc = NULL;
	b->scratch = NULL;
	b->flush_buf = NULL;
}

/* ---- one round ----------------------------------------------------------- */

static void
cache_flush(const uint8_t *buf, size_t len)
{
	const volatile uint8_t *p = buf;
	uint64_t sum = 0;
	size_t i;

	/* One read per line evicts the lines of everything else. */
	for (i = 0; i < len; i += 64)
		sum += p[i];
	flush_sink = sum;
}

/*
 * The workers of a round wait for each other here, so that their timed
 * windows start together (a failed one arrives too: nobody waits forever).
 */
static void
sync_wait(struct perf_sync *s)
{
	__atomic_add_fetch(&s->arrived, 1, __ATOMIC_ACQ_REL);
	while (__atomic_load_n(&s->arrived, __ATOMIC_ACQUIRE) < s->nb)
		rte_pause();
}

/* Warm-up and timed window, on the case's lcore. */
static int
round_body(void *arg)
{
	struct perf_round *r = arg;
	uint64_t base, t0, t1;
	int ret;

	ret = r->loop(r, rte_get_tsc_cycles() + r->warm_cycles);
	/*
	 * Start timing from an empty ring (and cold caches): with several
	 * workers, none counts copies issued before the others started.
	 */
	if (ret == 0 && (r->flush_buf != NULL || r->sync != NULL) &&
			perf_case_dma(r->c))
		ret = perf_dma_drain(r, r->drain_cycles);
	if (ret == 0 && r->flush_buf != NULL)
		cache_flush(r->flush_buf, r->flush_bytes);
	if (r->sync != NULL)
		sync_wait(r->sync);
	if (ret < 0)
		return ret;
	base = r->done - r->errors;
	t0 = rte_get_tsc_cycles();
	ret = r->loop(r, t0 + r->timed_cycles);
	t1 = rte_get_tsc_cycles();
	r->ops = r->done - r->errors - base;
	r->cycles = t1 - t0;
	return ret;
}

/* Cut a copy of @p size bytes into @p nb pieces; the last takes the rest. */
static void
split_segments(uint32_t size, uint16_t nb, uint32_t *off, uint32_t *len)
{
	uint32_t piece = size / nb;
	uint16_t i;

	for (i = 0; i < nb; i++) {
		off[i] = i * piece;
		len[i] = i + 1 < nb ? piece : size - i * piece;
	}
}

static void
report_mismatch(const struct perf_case *c, uint32_t size, unsigned int round,
		const struct perf_mismatch *m)
{
	char what[160], sz[32];

	fprintf(stderr, PERF_NAME ": ERROR: DATA MISMATCH in %s, buf_size %s, round %u: ",
		case_what(c, what, sizeof(what)),
		perf_size_str(size, sz, sizeof(sz)), round + 1);
	if (m->slot == UINT64_MAX)
		fprintf(stderr, "byte %" PRIu64 " past the last slot is 0x%02x, expected poison 0x%02x (nothing may write there)\n",
			m->byte, m->got, m->want);
	else if (m->want == PERF_POISON && m->byte >= size)
		fprintf(stderr, "slot %" PRIu64 " byte %" PRIu64 " (past the copy's end) is 0x%02x, expected poison 0x%02x\n",
			m->slot, m->byte, m->got, m->want);
	else
		fprintf(stderr, "slot %" PRIu64 " byte %" PRIu64 " is 0x%02x, expected 0x%02x\n",
			m->slot, m->byte, m->got, m->want);
}

static int
verify_round(const struct perf_bench *b, struct perf_round *r,
		unsigned int round)
{
	const struct perf_layout *l = &r->lay;
	struct perf_case *c = r->c;
	struct perf_peer_msg msg = {
		.cmd = PERF_PEER_VERIFY, .size = l->size,
		.stride = l->stride, .nb_slots = l->nb_slots,
		.written = r->issued,
	};
	struct perf_peer_reply reply;
	struct perf_mismatch m;
	uint64_t off;
	int ret;

	if (dst_is_local(c)) {
		if (!perf_region_matches(r->dst, 0, l->bytes, l, r->issued, &m)) {
			report_mismatch(c, l->size, round, &m);
			return -EIO;
		}
		return 0;
	}
	if (c->type == PERF_CMA_COPY) {
		/* Read back through the kernel, as the copies went. */
		for (off = 0; off < l->bytes; off += b->scratch_bytes) {
			size_t n = RTE_MIN(b->scratch_bytes, l->bytes - off);

			ret = perf_peer_read(&c->peer, off, b->scratch, n);
			if (ret < 0) {
				fprintf(stderr, PERF_NAME ": %s: process_vm_readv of the child's buffer failed: %s\n",
					c->name, strerror(-ret));
				return ret;
			}
			if (!perf_region_matches(b->scratch, off, n, l,
					r->issued, &m)) {
				report_mismatch(c, l->size, round, &m);
				return -EIO;
			}
		}
		return 0;
	}
	/* SOCKET_COPY's child and a peer we write to check their buffer. */
	ret = perf_peer_cmd(&c->peer, &msg, &reply);
	if (ret == -EIO) {
		report_mismatch(c, l->size, round, &reply.m);
		return ret;
	}
	if (ret < 0)
		fprintf(stderr, PERF_NAME ": %s: the %s did not verify: %s\n",
			c->name, c->type == PERF_SOCKET_COPY ? "child" : "peer",
			strerror(-ret));
	return ret;
}

static int
inject_fault(const struct perf_bench *b, struct perf_round *r)
{
	struct perf_peer_msg msg = {
		.cmd = PERF_PEER_CORRUPT, .size = r->lay.size,
		.stride = r->lay.stride, .nb_slots = r->lay.nb_slots,
	};
	struct perf_peer_reply reply;

	if (b->fault == NULL || strcmp(b->fault, FAULT_MISMATCH) != 0)
		return 0;
	if (dst_is_local(r->c)) {
		r->dst[0] ^= 0xff;
		return 0;
	}
	return perf_peer_cmd(&r->c->peer, &msg, &reply);
}

static int
poison_dst(struct perf_round *r)
{
	struct perf_peer_msg msg = { .cmd = PERF_PEER_POISON };
	struct perf_peer_reply reply;

	if (dst_is_local(r->c)) {
		memset(r->dst, PERF_POISON, r->lay.bytes);
		return 0;
	}
	return perf_peer_cmd(&r->c->peer, &msg, &reply);
}

/*
 * Set up @p r for a round of @p c at its size @p si: the buffers (the
 * case's NUMA nodes, the worker's share of the destination), the loop;
 * poison the destination and start the device.
 */
static int
round_prepare(const struct perf_bench *b, const struct perf_config *cfg,
		struct perf_case *c, unsigned int si, struct perf_round *r)
{
	const uint8_t *src = c->src_node >= 0 ? b->node_src[c->src_node] :
		b->src;
	uint8_t *dst = c->dst_node >= 0 && dst_is_local(c) ?
		b->node_dst[c->dst_node] : b->dst;
	char what[160];
	int ret;

	/* Workers read the same source, each writes its own share. */
	if (dst != NULL)
		dst += c->worker * perf_worker_bytes(c);
	*r = (struct perf_round){
		.c = c,
		.src = src,
		.dst = dst,
		.src_iova = (rte_iova_t)(uintptr_t)src,
		.dst_iova = (rte_iova_t)(uintptr_t)dst,
		.batch = c->kick_batch,
		.warm_cycles = (uint64_t)(b->warm_s * b->tsc_hz),
		.timed_cycles = (uint64_t)(cfg->test_seconds / PERF_ROUNDS *
			b->tsc_hz),
		.drain_cycles = DRAIN_TIMEOUT_S * b->tsc_hz,
		.flush_buf = b->flush_buf,
		.flush_bytes = b->flush_bytes,
	};
	perf_layout_init(&r->lay, c->sizes[si], perf_worker_bytes(c));
	switch (c->type) {
	case PERF_DMA_INTER_DOMAIN_COPY:
		/* The peer's side: its own addresses, its IOVAs. */
		if (c->direction == PERF_DIR_WRITE) {
			r->src = b->src_skew;
			r->src_iova = (rte_iova_t)(uintptr_t)b->src_skew;
			r->dst = NULL;
			r->dst_iova = c->peer.addr;
		} else {
			r->src = NULL;
			r->src_iova = c->peer.addr;
		}
		/* fall through */
	case PERF_DMA_MEM_COPY:
		/* setup.c made sure the device takes our VAs as IOVAs. */
		if (c->src_sge > 1 || c->dst_sge > 1) {
			split_segments(r->lay.size, c->src_sge, r->src_seg_off,
				r->src_seg_len);
			split_segments(r->lay.size, c->dst_sge, r->dst_seg_off,
				r->dst_seg_len);
			r->loop = perf_loop_dma_sg;
		} else {
			r->loop = perf_loop_dma;
		}
		break;
	case PERF_CPU_MEM_COPY:
		r->loop = perf_loop_cpu;
		break;
	case PERF_CMA_COPY:
		r->loop = perf_loop_cma;
		break;
	case PERF_SOCKET_COPY:
		r->loop = perf_loop_socket;
		break;
	default:
		return -EINVAL;
	}

	ret = poison_dst(r);
	if (ret < 0) {
		fprintf(stderr, PERF_NAME ": %s: cannot reset the destination: %s\n",
			case_what(c, what, sizeof(what)), strerror(-ret));
		return ret;
	}
	if (perf_case_dma(c)) {
		ret = perf_dev_start(c);
		if (ret < 0) {
			fprintf(stderr, PERF_NAME ": %s: cannot start the device: %s\n",
				case_what(c, what, sizeof(what)), rte_strerror(-ret));
			return ret;
		}
	}
	return 0;
}

/*
 * After the timed window (which returned @p ret): drain and stop the
 * device, verify the destination, add the round to the results.
 */
static int
round_finish(const struct perf_bench *b, struct perf_round *r,
		unsigned int si, unsigned int round, int ret)
{
	struct perf_case *c = r->c;
	struct perf_result *res = &c->results[si];
	char what[160], sz[32];
	int ret2;

	perf_size_str(r->lay.size, sz, sizeof(sz));
	if (perf_case_dma(c)) {
		ret2 = perf_dma_drain(r, r->drain_cycles);
		if (ret == 0)
			ret = ret2;
		ret2 = perf_dev_stop(c, r);
		if (ret == 0)
			ret = ret2;
	}
	if (ret < 0) {
		fprintf(stderr, PERF_NAME ": %s, buf_size %s: copying failed: %s\n",
			case_what(c, what, sizeof(what)), sz,
			ret == -ETIMEDOUT ? "the device did not complete its copies within 5 s" :
			rte_strerror(-ret));
		return ret;
	}
	if (r->errors > 0) {
		fprintf(stderr, PERF_NAME ": ERROR: %s, buf_size %s: %" PRIu64 " of %" PRIu64 " copies completed with an error status\n",
			case_what(c, what, sizeof(what)), sz, r->errors, r->done);
		return -EIO;
	}

	ret = inject_fault(b, r);
	if (ret == 0)
		ret = verify_round(b, r, round);
	if (ret < 0)
		return ret;

	res->ops += r->ops;
	res->cycles += r->cycles;
	res->errors += r->errors;
	res->measured = true;
	return 0;
}

/*
 * One round of @p lead and the workers after it, in parallel, each on
 * its lcore (the main lcore's, if any, last and here).
 */
static int
run_round(const struct perf_bench *b, const struct perf_config *cfg,
		struct perf_case *lead, unsigned int si, unsigned int round)
{
	static struct perf_round rounds[PERF_MAX_WORKERS];
	const unsigned int nb = RTE_MAX(lead->nb_workers, 1u);
	const unsigned int main_lcore = rte_lcore_id();
	struct perf_sync sync = { .arrived = 0, .nb = nb };
	int ret = 0, res[PERF_MAX_WORKERS] = { 0 };
	unsigned int i, ready, local = nb;

	for (ready = 0; ready < nb; ready++) {
		ret = round_prepare(b, cfg, &lead[ready], si, &rounds[ready]);
		if (ret < 0)
			break;
		if (nb > 1)
			rounds[ready].sync = &sync;
	}
	if (ret < 0) {
		for (i = 0; i < ready; i++)
			if (perf_case_dma(&lead[i]))
				perf_dev_stop(&lead[i], NULL);
		return ret;
	}

	for (i = 0; i < nb; i++) {
		if (lead[i].lcore == main_lcore) {
			local = i;
			continue;
		}
		res[i] = rte_eal_remote_launch(round_body, &rounds[i],
				lead[i].lcore);
		if (res[i] < 0) {
			/* It will not arrive: nor keep the others waiting. */
			__atomic_add_fetch(&sync.arrived, 1, __ATOMIC_RELEASE);
		}
	}
	if (local < nb)
		res[local] = round_body(&rounds[local]);
	for (i = 0; i < nb; i++)
		if (i != local && res[i] == 0)
			res[i] = rte_eal_wait_lcore(lead[i].lcore);

	for (i = 0; i < nb; i++) {
		int r2 = round_finish(b, &rounds[i], si, round, res[i]);

		if (ret == 0)
			ret = r2;
	}
	return ret;
}

/* ---- the run -------------------------------------------------------------- */

int
perf_case_size_index(const struct perf_case *c, uint32_t size)
{
	unsigned int i;

	for (i = 0; i < c->nb_sizes; i++)
		if (c->sizes[i] == size)
			return (int)i;
	return -1;
}

/* Every size of every active case, ascending, each once. */
static unsigned int
all_sizes(const struct perf_config *cfg, uint32_t *sizes, unsigned int max)
{
	unsigned int n = 0, i, j, k;

	for (i = 0; i < cfg->nb_cases; i++) {
		const struct perf_case *c = &cfg->cases[i];

		if (!perf_case_active(c))
			continue;
		for (j = 0; j < c->nb_sizes; j++) {
			uint32_t s = c->sizes[j];

			for (k = 0; k < n && sizes[k] < s; k++)
				;
			if (k < n && sizes[k] == s)
				continue;
			if (n == max)
				return n;
			memmove(&sizes[k + 1], &sizes[k],
				(n - k) * sizeof(sizes[0]));
			sizes[k] = s;
			n++;
		}
	}
	return n;
}

/* One line per buffer size: a long run says where it is. */
static void
progress(unsigned int step, unsigned int steps, uint32_t size,
		unsigned int nb_cases, double left_s)
{
	char sz[32];

	fprintf(stderr, PERF_NAME ": [%u/%u] buf_size %s, %u case%s, about %.0f s left\n",
		step, steps, perf_size_str(size, sz, sizeof(sz)), nb_cases,
		nb_cases == 1 ? "" : "s", left_s);
}

int
perf_bench_run(struct perf_bench *b, struct perf_config *cfg)
{
	static uint32_t sizes[PERF_MAX_CASES * PERF_MAX_SIZES];
	unsigned int nb_sizes, si, k, j, nb_scen = 0;
	double scen_s, left_s;
	bool show;
	int ret;

	b->fault = getenv("DPDK_TEST_DMA_PERF_FAULT");
	nb_sizes = all_sizes(cfg, sizes, RTE_DIM(sizes));
	/* The workers of a case run together: count their leader. */
	for (j = 0; j < cfg->nb_cases; j++)
		if (perf_case_active(&cfg->cases[j]) &&
				perf_case_leads(&cfg->cases[j]))
			nb_scen += cfg->cases[j].nb_sizes;
	scen_s = cfg->test_seconds + PERF_ROUNDS * b->warm_s;
	left_s = nb_scen * scen_s;
	show = left_s >= PROGRESS_MIN_S;

	perf_report_header(cfg, b);
	for (si = 0; si < nb_sizes; si++) {
		unsigned int here = 0;

		for (j = 0; j < cfg->nb_cases; j++)
			here += perf_case_active(&cfg->cases[j]) &&
				perf_case_leads(&cfg->cases[j]) &&
				perf_case_size_index(&cfg->cases[j], sizes[si]) >= 0;
		if (show)
			progress(si + 1, nb_sizes, sizes[si], here, left_s);
		for (k = 0; k < PERF_ROUNDS; k++) {
			/* Who goes first rotates from round to round. */
			for (j = 0; j < cfg->nb_cases; j++) {
				struct perf_case *c =
					&cfg->cases[(j + k) % cfg->nb_cases];
				int idx = perf_case_size_index(c, sizes[si]);

				if (!perf_case_active(c) || !perf_case_leads(c) ||
						idx < 0)
					continue;
				ret = run_round(b, cfg, c, (unsigned int)idx, k);
				if (ret < 0)
					return ret;
			}
		}
		left_s -= here * scen_s;
		perf_report_size(cfg, b, sizes[si]);
	}
	return 0;
}
