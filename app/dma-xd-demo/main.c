/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-dma-xd authors
 */

/*
 * dpdk-dma-xd-demo: what one core pays to copy memory through a dmadev,
 * next to a plain memcpy() loop, in one run.
 *
 * For each copy size, the main lcore runs the same steady-state loop
 * against every case, over the same buffers:
 *
 *   memcpy       memcpy() of up to --batch slots, then a look at the clock
 *   xd-inline    dma_xd_skeleton0: copies on this core at submit time
 *   debian-skel  Debian's dma_skeleton0: ring + worker thread
 *   xd-lcore     dma_xd_skeleton1: copies on a dedicated worker lcore
 *
 *   loop: rte_dma_copy() x batch -> rte_dma_submit() -> rte_dma_completed()
 *
 * ns/op is wall time on the main lcore divided by the copies completed in
 * the timed windows: for the inline engine that is the whole cost of a copy,
 * for the thread-backed devices it is the rate the application sees.
 *
 * Shared machines drift by large factors within seconds. So that drift
 * lands on every case alike, each case's time is split into ROUNDS rounds,
 * interleaved across the cases (who goes first rotates), and a case's
 * figures are its totals over the rounds.
 *
 * Buffers: a source and a destination pool of at least 32 MiB each (and at
 * least 8 slots), cut into slots of the copy size. Every case walks the
 * slots in the same order from slot 0, so ratios within a size compare the
 * same memory traffic; 32 MiB is well past the last-level cache, so the
 * figures are not those of one hot cache line.
 *
 * Every case is checked afterwards: a sample of the slots it wrote must
 * hold the source pattern byte for byte, and for the DMA cases a few fresh
 * copies into poisoned slots must not touch the bytes that follow them.
 */

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <rte_branch_prediction.h>
#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_dmadev.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_malloc.h>
#include <rte_pause.h>

#include "rte_dmadev_domain.h"

#define DEMO_NAME "dpdk-dma-xd-demo"

#define MAX_SIZES 32
#define MAX_COPY_SIZE (16u << 20)
/* Per side; large enough to defeat the last-level cache. */
#define POOL_MIN_BYTES ((size_t)32 << 20)
#define POOL_MIN_SLOTS 8
/* Slots start on cache lines whatever the copy size, as real buffers do. */
#define SLOT_ALIGN 64
#define POISON 0xe7

#define MIN_RING 32
#define MAX_RING 32768
#define VERIFY_SLOTS 64
#define FRESH_SLOTS 8
#define DRAIN_TIMEOUT_S 5
/* Print progress to stderr when the whole run is expected to take longer. */
#define PROGRESS_MIN_S 5.0
#define ROUNDS 5

/* Exit codes: 1 a run-time failure, 2 a bad command line. */
#define EXIT_USAGE 2

enum demo_case {
	CASE_MEMCPY,
	CASE_XD_INLINE,
	CASE_DEBIAN,
	CASE_XD_LCORE,
	CASE_MAX,
};

static const struct {
	const char *label;
	const char *dev_name; /* NULL: no device */
} cases[CASE_MAX] = {
	[CASE_MEMCPY] = { "memcpy", NULL },
	[CASE_XD_INLINE] = { "xd-inline", "dma_xd_skeleton0" },
	[CASE_DEBIAN] = { "debian-skel", "dma_skeleton0" },
	[CASE_XD_LCORE] = { "xd-lcore", "dma_xd_skeleton1" },
};

struct demo_opts {
	uint32_t sizes[MAX_SIZES];
	unsigned int nb_sizes;
	double seconds;
	uint16_t batch;
	uint16_t ring;
	const char *csv_path;
	bool no_lcore;
};

struct pool {
	uint8_t *src;
	uint8_t *dst;
	size_t bytes; /* per side */
};

struct layout {
	uint32_t size;   /* bytes per copy */
	size_t stride;   /* distance between slot starts */
	uint32_t nb_slots;
};

/* State of one case at one size. */
struct run {
	const struct pool *pool;
	const struct layout *lay;
	int16_t dev_id;  /* -1 for memcpy */
	uint16_t batch;
	uint16_t ring;
	uint32_t slot;        /* next slot to copy */
	uint64_t enqueued;    /* copies submitted since the case began */
	uint64_t completed;   /* copies reported complete */
};

struct result {
	bool measured;
	uint64_t ops;
	double secs;
};

typedef int (*loop_fn)(struct run *r, uint64_t end);

static uint64_t timer_hz;

/* ---- command line ---------------------------------------------------- */

static void
usage(FILE *f)
{
	fprintf(f,
		"Usage: " DEMO_NAME " [options] [-- EAL arguments]\n"
		"\n"
		"Copy cost on one core: plain memcpy vs dma_xd_skeleton (inline and\n"
		"dedicated-lcore engines) vs Debian's dma_skeleton, same buffers.\n"
		"\n"
		"  --sizes LIST   copy sizes, comma separated, 1 B..16 MiB; suffixes\n"
		"                 K/KiB and M/MiB (default 64,1024,65536,1048576)\n"
		"  --seconds S    timed duration of each case at each size, split\n"
		"                 into %u interleaved rounds (default 0.5)\n"
		"  --batch N      copies per rte_dma_submit() (default 32)\n"
		"  --ring N       descriptors per vchan, a power of two in %u..%u\n"
		"                 (default 1024)\n"
		"  --csv FILE     also write the results as CSV to FILE\n"
		"  --no-lcore     skip the dedicated-lcore device (dma_xd_skeleton1)\n"
		"  --help         show this help\n"
		"\n"
		"Without EAL arguments it runs with:\n"
		"  --no-huge --no-pci -m 512 --iova-mode=va -l 0-1 --no-shconf\n"
		"  --no-telemetry --file-prefix=dma-xd-demo-<pid>\n"
		"  --vdev=dma_xd_skeleton0\n"
		"  --vdev=dma_skeleton0 --vdev=dma_xd_skeleton1,lcore=1\n"
		"EAL arguments after -- replace all of these; devices they do not\n"
		"create are skipped. Measurements run on the main lcore.\n"
		"Exit status: 0 ok, 1 failure (including a data mismatch), 2 usage.\n",
		ROUNDS, MIN_RING, MAX_RING);
}

static int
parse_uint(const char *s, unsigned long min, unsigned long max,
		unsigned long *out)
{
	unsigned long v;
	char *end;

	/* strtoul() would accept "-1" as ULONG_MAX. */
	if (s[0] == '\0' || s[0] == '-' || s[0] == '+')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

static int
parse_size(const char *s, uint32_t *out)
{
	unsigned long long v;
	uint64_t mult = 1;
	char *end;

	if (!(s[0] >= '0' && s[0] <= '9'))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0)
		return -EINVAL;
	if (strcasecmp(end, "k") == 0 || strcasecmp(end, "kib") == 0)
		mult = 1024;
	else if (strcasecmp(end, "m") == 0 || strcasecmp(end, "mib") == 0)
		mult = 1024 * 1024;
	else if (*end != '\0' && strcasecmp(end, "b") != 0)
		return -EINVAL;
	if (v == 0 || v > MAX_COPY_SIZE / mult)
		return -EINVAL;
	*out = (uint32_t)(v * mult);
	return 0;
}

static int
parse_sizes(const char *list, struct demo_opts *o)
{
	char item[32];
	const char *p = list;

	o->nb_sizes = 0;
	for (;;) {
		/* Not strtok(): an empty item ("64,,1") is an error too. */
		size_t len = strcspn(p, ",");

		if (len == 0 || len >= sizeof(item) || o->nb_sizes == MAX_SIZES)
			return -EINVAL;
		memcpy(item, p, len);
		item[len] = '\0';
		if (parse_size(item, &o->sizes[o->nb_sizes]) < 0)
			return -EINVAL;
		o->nb_sizes++;
		if (p[len] == '\0')
			return 0;
		p += len + 1;
	}
}

static int
parse_seconds(const char *s, double *out)
{
	double v;
	char *end;

	errno = 0;
	v = strtod(s, &end);
	/* The comparison also refuses NaN and infinity. */
	if (errno != 0 || end == s || *end != '\0' || !(v > 0.0 && v <= 600.0))
		return -EINVAL;
	*out = v;
	return 0;
}

/* Returns the index of the first EAL argument, 0 if none, or -EINVAL. */
static int
parse_args(int argc, char **argv, struct demo_opts *o)
{
	enum { OPT_SIZES = 256, OPT_SECONDS, OPT_BATCH, OPT_RING, OPT_CSV,
		OPT_NO_LCORE, OPT_HELP };
	static const struct option longopts[] = {
		{ "sizes", required_argument, NULL, OPT_SIZES },
		{ "seconds", required_argument, NULL, OPT_SECONDS },
		{ "batch", required_argument, NULL, OPT_BATCH },
		{ "ring", required_argument, NULL, OPT_RING },
		{ "csv", required_argument, NULL, OPT_CSV },
		{ "no-lcore", no_argument, NULL, OPT_NO_LCORE },
		{ "help", no_argument, NULL, OPT_HELP },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long v;
	int opt;

	/* "+": stop at the first non-option, so "--" hands the rest to EAL. */
	while ((opt = getopt_long(argc, argv, "+", longopts, NULL)) != -1) {
		switch (opt) {
		case OPT_SIZES:
			if (parse_sizes(optarg, o) < 0) {
				fprintf(stderr, DEMO_NAME ": --sizes: bad list '%s' (want e.g. 64,1K,64KiB,1M; each 1 B..16 MiB, at most %u)\n",
					optarg, MAX_SIZES);
				return -EINVAL;
			}
			break;
		case OPT_SECONDS:
			if (parse_seconds(optarg, &o->seconds) < 0) {
				fprintf(stderr, DEMO_NAME ": --seconds: bad value '%s' (want a number in (0, 600])\n",
					optarg);
				return -EINVAL;
			}
			break;
		case OPT_BATCH:
			if (parse_uint(optarg, 1, MAX_RING, &v) < 0) {
				fprintf(stderr, DEMO_NAME ": --batch: bad value '%s' (want 1..%u)\n",
					optarg, MAX_RING);
				return -EINVAL;
			}
			o->batch = (uint16_t)v;
			break;
		case OPT_RING:
			if (parse_uint(optarg, MIN_RING, MAX_RING, &v) < 0 ||
					!rte_is_power_of_2((uint32_t)v)) {
				fprintf(stderr, DEMO_NAME ": --ring: bad value '%s' (want a power of two in %u..%u)\n",
					optarg, MIN_RING, MAX_RING);
				return -EINVAL;
			}
			o->ring = (uint16_t)v;
			break;
		case OPT_CSV:
			if (optarg[0] == '\0') {
				fprintf(stderr, DEMO_NAME ": --csv: empty file name\n");
				return -EINVAL;
			}
			o->csv_path = optarg;
			break;
		case OPT_NO_LCORE:
			o->no_lcore = true;
			break;
		case OPT_HELP:
			usage(stdout);
			exit(EXIT_SUCCESS);
		default:
			fprintf(stderr, "Try '" DEMO_NAME " --help'.\n");
			return -EINVAL;
		}
	}
	if (o->batch > o->ring) {
		fprintf(stderr, DEMO_NAME ": --batch: %u is larger than the ring (--ring %u)\n",
			o->batch, o->ring);
		return -EINVAL;
	}
	if (optind < argc) {
		if (strcmp(argv[optind - 1], "--") != 0) {
			fprintf(stderr, DEMO_NAME ": unexpected argument '%s' (EAL arguments go after --)\n",
				argv[optind]);
			return -EINVAL;
		}
		return optind;
	}
	return 0;
}

/* ---- EAL ---------------------------------------------------------------- */

/*
 * The defaults suit this sandbox: no hugepages, no NIC, two cores, and a
 * unique file prefix so that parallel runs do not collide. The devices
 * advertise SVA, so they take virtual addresses: IOVA as VA. The demo is a
 * single process, and without --no-shconf EAL would leave some 6 MiB of
 * runtime files behind after every run (--in-memory, which would avoid
 * them too, is refused together with --no-huge); without --no-telemetry a
 * socket that is only removed at exit would keep the runtime directory
 * from being removed, and its thread would share the main lcore's CPU.
 */
static int
eal_start(int argc, char **argv, int eal_first, const struct demo_opts *o)
{
	char prefix[64];
	char *defaults[] = {
		argv[0], "--no-huge", "--no-pci", "-m", "512", "--iova-mode=va",
		"-l", "0-1", "--no-shconf", "--no-telemetry", prefix,
		"--vdev=dma_xd_skeleton0", "--vdev=dma_skeleton0",
		/* Last, so that --no-lcore can leave it out. */
		"--vdev=dma_xd_skeleton1,lcore=1",
	};
	char **eal_argv;
	int eal_argc, ret;

	/* rte_eal_init() may reorder its argv: hand it a copy. */
	eal_argv = calloc(RTE_MAX((size_t)argc, RTE_DIM(defaults)) + 1,
			sizeof(*eal_argv));
	if (eal_argv == NULL)
		return -ENOMEM;
	if (eal_first > 0) {
		eal_argv[0] = argv[0];
		eal_argc = 1;
		while (eal_first < argc)
			eal_argv[eal_argc++] = argv[eal_first++];
	} else {
		snprintf(prefix, sizeof(prefix), "--file-prefix=dma-xd-demo-%d",
			(int)getpid());
		eal_argc = RTE_DIM(defaults) - (o->no_lcore ? 1 : 0);
		memcpy(eal_argv, defaults, eal_argc * sizeof(*eal_argv));
	}

	/*
	 * EAL logs to stdout by default; keep stdout for the results so that
	 * it can be piped.
	 */
	rte_openlog_stream(stderr);
	ret = rte_eal_init(eal_argc, eal_argv);
	free(eal_argv);
	if (ret < 0)
		return -rte_errno;
	return 0;
}

static const char *
size_str(uint32_t size, char *buf, size_t len)
{
	if (size >= (1u << 20) && size % (1u << 20) == 0)
		snprintf(buf, len, "%u MiB", size >> 20);
	else if (size >= 1024 && size % 1024 == 0)
		snprintf(buf, len, "%u KiB", size >> 10);
	else
		snprintf(buf, len, "%u B", size);
	return buf;
}

/* ---- buffers ------------------------------------------------------------ */

/*
 * Byte x of the source pool. Neighbouring bytes and slots differ, so a
 * copy from the wrong offset or the wrong slot is caught, not only a
 * missing one.
 */
static inline uint8_t
pattern_byte(size_t x)
{
	uint32_t h = (uint32_t)(x >> 2) * 2654435761u;

	h ^= h >> 15;
	return (uint8_t)(h >> ((x & 3) * 8));
}

static size_t
pool_bytes_needed(const struct demo_opts *o)
{
	size_t need = POOL_MIN_BYTES;
	unsigned int i;

	for (i = 0; i < o->nb_sizes; i++)
		need = RTE_MAX(need, POOL_MIN_SLOTS *
			RTE_ALIGN_CEIL((size_t)o->sizes[i], SLOT_ALIGN));
	return need;
}

static int
pool_alloc(struct pool *p, size_t bytes)
{
	size_t x;

	p->bytes = bytes;
	p->src = rte_malloc("dma-xd-demo-src", bytes, 4096);
	p->dst = rte_malloc("dma-xd-demo-dst", bytes, 4096);
	if (p->src == NULL || p->dst == NULL) {
		rte_free(p->src);
		rte_free(p->dst);
		return -ENOMEM;
	}
	/* Writing every byte also faults every page in before any timing. */
	for (x = 0; x < bytes; x++)
		p->src[x] = pattern_byte(x);
	memset(p->dst, POISON, bytes);
	return 0;
}

static void
pool_free(struct pool *p)
{
	rte_free(p->src);
	rte_free(p->dst);
}

static void
layout_init(struct layout *l, const struct pool *p, uint32_t size)
{
	l->size = size;
	l->stride = RTE_ALIGN_CEIL((size_t)size, SLOT_ALIGN);
	l->nb_slots = (uint32_t)(p->bytes / l->stride);
}

/* Index of the first byte of dst slot @p slot that differs, or size. */
static size_t
slot_mismatch(const struct run *r, uint32_t slot)
{
	size_t off = (size_t)slot * r->lay->stride;
	const uint8_t *d = r->pool->dst + off;
	size_t i;

	for (i = 0; i < r->lay->size; i++)
		if (d[i] != pattern_byte(off + i))
			return i;
	return r->lay->size;
}

static void
report_mismatch(const struct run *r, const char *label, uint32_t slot,
		size_t i)
{
	size_t off = (size_t)slot * r->lay->stride;
	char sz[32];

	fprintf(stderr, DEMO_NAME ": ERROR: %s, %s copies: slot %u byte %zu is 0x%02x, expected 0x%02x\n",
		label, size_str(r->lay->size, sz, sizeof(sz)), slot, i,
		r->pool->dst[off + i],
		pattern_byte(off + i));
}

/*
 * The timed copies: every slot the case wrote (it began at slot 0 on a
 * poisoned pool) must now hold the source pattern. Check an evenly spread
 * sample of them, byte for byte.
 */
static int
verify_written(const struct run *r, const char *label)
{
	uint64_t written = RTE_MIN(r->enqueued, (uint64_t)r->lay->nb_slots);
	uint64_t nb = RTE_MIN(written, (uint64_t)VERIFY_SLOTS);
	uint64_t k;
	char sz[32];

	if (nb == 0) {
		fprintf(stderr, DEMO_NAME ": ERROR: %s, %s copies: no copy completed\n",
			label, size_str(r->lay->size, sz, sizeof(sz)));
		return -EIO;
	}
	for (k = 0; k < nb; k++) {
		uint32_t slot = (uint32_t)(k * written / nb);
		size_t i = slot_mismatch(r, slot);

		if (i < r->lay->size) {
			report_mismatch(r, label, slot, i);
			return -EIO;
		}
	}
	return 0;
}

/* ---- the loops ---------------------------------------------------------- */

static int
memcpy_loop(struct run *r, uint64_t end)
{
	const struct layout *l = r->lay;
	uint8_t *src = r->pool->src, *dst = r->pool->dst;
	unsigned int i;

	do {
		for (i = 0; i < r->batch; i++) {
			size_t off = (size_t)r->slot * l->stride;

			memcpy(dst + off, src + off, l->size);
			if (++r->slot == l->nb_slots)
				r->slot = 0;
		}
		r->enqueued += r->batch;
		r->completed += r->batch;
	} while (rte_get_timer_cycles() < end);
	return 0;
}

/*
 * Keep the ring busy: top it up with at most one batch, ring the doorbell
 * once, collect whatever finished. -ENOSPC from rte_dma_copy() is ordinary
 * back-pressure (a device may hold one descriptor less than its ring).
 */
static int
dma_loop(struct run *r, uint64_t end)
{
	const struct layout *l = r->lay;
	/* Every device here advertises SVA: its IOVAs are our VAs. */
	const rte_iova_t src = (rte_iova_t)(uintptr_t)r->pool->src;
	const rte_iova_t dst = (rte_iova_t)(uintptr_t)r->pool->dst;
	uint16_t last_idx;
	bool error;

	do {
		uint64_t inflight = r->enqueued - r->completed;
		uint32_t want, n;
		uint16_t done;
		int ret = 0;

		if (unlikely(inflight > r->ring))
			return -EPROTO;
		want = RTE_MIN((uint32_t)(r->ring - inflight), (uint32_t)r->batch);
		for (n = 0; n < want; n++) {
			size_t off = (size_t)r->slot * l->stride;

			ret = rte_dma_copy(r->dev_id, 0, src + off, dst + off,
					l->size, 0);
			if (ret < 0)
				break;
			if (++r->slot == l->nb_slots)
				r->slot = 0;
		}
		if (unlikely(ret < 0 && ret != -ENOSPC))
			return ret;
		if (n > 0) {
			ret = rte_dma_submit(r->dev_id, 0);
			if (unlikely(ret < 0))
				return ret;
			r->enqueued += n;
		}
		done = rte_dma_completed(r->dev_id, 0, r->ring, &last_idx,
				&error);
		if (unlikely(error))
			return -EIO;
		r->completed += done;
		if (n == 0 && done == 0)
			rte_pause();
	} while (rte_get_timer_cycles() < end);
	return 0;
}

/* Wait for every submitted copy; a stuck device fails with -ETIMEDOUT. */
static int
dma_drain(struct run *r)
{
	uint64_t deadline = rte_get_timer_cycles() + DRAIN_TIMEOUT_S * timer_hz;
	uint16_t last_idx;
	bool error;

	while (r->completed < r->enqueued) {
		uint16_t done = rte_dma_completed(r->dev_id, 0, r->ring,
				&last_idx, &error);

		if (error)
			return -EIO;
		r->completed += done;
		if (done == 0) {
			if (rte_get_timer_cycles() > deadline)
				return -ETIMEDOUT;
			rte_pause();
		}
	}
	return r->completed == r->enqueued ? 0 : -EPROTO;
}

/*
 * Fresh copies of a few even slots into poisoned destinations: each must
 * arrive whole, and the poisoned slot after it must stay untouched (no
 * copy writes past its length).
 */
static int
verify_fresh(struct run *r, const char *label)
{
	const struct layout *l = r->lay;
	uint32_t pairs = l->nb_slots / 2;
	uint32_t nb = RTE_MIN((uint32_t)FRESH_SLOTS, pairs);
	uint32_t slots[FRESH_SLOTS];
	uint32_t k;
	char sz[32];
	int ret;

	for (k = 0; k < nb; k++) {
		slots[k] = 2 * (uint32_t)((uint64_t)k * pairs / nb);
		memset(r->pool->dst + (size_t)slots[k] * l->stride, POISON,
			2 * l->stride);
	}
	for (k = 0; k < nb; k++) {
		size_t off = (size_t)slots[k] * l->stride;

		ret = rte_dma_copy(r->dev_id, 0,
				(rte_iova_t)(uintptr_t)(r->pool->src + off),
				(rte_iova_t)(uintptr_t)(r->pool->dst + off),
				l->size, 0);
		if (ret < 0)
			return ret;
		r->enqueued++;
	}
	ret = rte_dma_submit(r->dev_id, 0);
	if (ret < 0)
		return ret;
	ret = dma_drain(r);
	if (ret < 0)
		return ret;

	for (k = 0; k < nb; k++) {
		const uint8_t *after = r->pool->dst +
			(size_t)slots[k] * l->stride + l->size;
		size_t i = slot_mismatch(r, slots[k]);

		if (i < l->size) {
			report_mismatch(r, label, slots[k], i);
			return -EIO;
		}
		for (i = 0; i < 2 * l->stride - l->size; i++) {
			if (after[i] != POISON) {
				fprintf(stderr, DEMO_NAME ": ERROR: %s, %s copies: copy into slot %u wrote 0x%02x at byte %zu past its end\n",
					label, size_str(l->size, sz, sizeof(sz)),
					slots[k], after[i], i);
				return -EIO;
			}
		}
	}
	return 0;
}

/* ---- devices ------------------------------------------------------------ */

static int
dev_setup(int16_t dev_id, const char *name, uint16_t ring)
{
	const uint64_t need = RTE_DMA_CAPA_MEM_TO_MEM | RTE_DMA_CAPA_SVA |
		RTE_DMA_CAPA_OPS_COPY;
	const struct rte_dma_conf conf = { .nb_vchans = 1 };
	const struct rte_dma_vchan_conf vconf = {
		.direction = RTE_DMA_DIR_MEM_TO_MEM,
		.nb_desc = ring,
	};
	/* A local vchan: exactly rte_dma_vchan_setup(), via our library. */
	const struct rte_dma_inter_domain_param local = {
		.type = RTE_DMA_INTER_DOMAIN_NONE,
	};
	struct rte_dma_info info;
	int ret;

	ret = rte_dma_info_get(dev_id, &info);
	if (ret < 0)
		return ret;
	if ((info.dev_capa & need) != need) {
		fprintf(stderr, DEMO_NAME ": %s: lacks mem-to-mem copy with SVA (capa 0x%" PRIx64 ")\n",
			name, info.dev_capa);
		return -ENOTSUP;
	}
	if (ring < info.min_desc || ring > info.max_desc) {
		fprintf(stderr, DEMO_NAME ": --ring: %u is outside %s's %u..%u\n",
			ring, name, info.min_desc, info.max_desc);
		return -ERANGE;
	}
	ret = rte_dma_configure(dev_id, &conf);
	if (ret < 0)
		return ret;
	return rte_dma_domain_vchan_setup(dev_id, 0, &vconf, &local);
}

/* Stats must agree with what the loop saw; a mismatch is worth a look. */
static void
dev_stats_check(const struct run *r, const char *label)
{
	struct rte_dma_stats st;
	char sz[32];

	if (rte_dma_stats_get(r->dev_id, 0, &st) < 0)
		return;
	if (st.submitted != r->enqueued || st.completed != r->completed ||
			st.errors != 0)
		fprintf(stderr, DEMO_NAME ": warning: %s, %s copies: stats say submitted %" PRIu64 " completed %" PRIu64 " errors %" PRIu64 ", the loop saw %" PRIu64 " / %" PRIu64 "\n",
			label, size_str(r->lay->size, sz, sizeof(sz)),
			st.submitted, st.completed,
			st.errors, r->enqueued, r->completed);
}

/* ---- one measurement ---------------------------------------------------- */

static int
measure(struct run *r, loop_fn fn, double warm_s, double secs,
		struct result *res)
{
	uint64_t t0, t1, base;
	int ret;

	/* Warm-up: caches, TLB and ring reach steady state; not counted. */
	ret = fn(r, rte_get_timer_cycles() + (uint64_t)(warm_s * timer_hz));
	if (ret < 0)
		return ret;
	base = r->completed;
	t0 = rte_get_timer_cycles();
	ret = fn(r, t0 + (uint64_t)(secs * timer_hz));
	t1 = rte_get_timer_cycles();
	if (ret < 0)
		return ret;
	res->ops += r->completed - base;
	res->secs += (double)(t1 - t0) / timer_hz;
	res->measured = true;
	return 0;
}

static int
run_case(enum demo_case c, struct run *r, double warm_s, double secs,
		struct result *res)
{
	const char *label = cases[c].label;
	int ret, ret2;

	/* Same starting state for every case: poisoned pool, slot 0. */
	memset(r->pool->dst, POISON, r->pool->bytes);
	r->slot = 0;
	r->enqueued = 0;
	r->completed = 0;

	if (c == CASE_MEMCPY) {
		ret = measure(r, memcpy_loop, warm_s, secs, res);
		return ret < 0 ? ret : verify_written(r, label);
	}

	/*
	 * Start the device only for its own case: a worker thread of an idle
	 * device would otherwise compete for the cores of the others.
	 */
	ret = rte_dma_start(r->dev_id);
	if (ret < 0)
		return ret;
	rte_dma_stats_reset(r->dev_id, 0);
	ret = measure(r, dma_loop, warm_s, secs, res);
	ret2 = dma_drain(r);
	if (ret == 0)
		ret = ret2;
	if (ret == 0)
		ret = verify_written(r, label);
	if (ret == 0)
		ret = verify_fresh(r, label);
	if (ret == 0)
		dev_stats_check(r, label);
	ret2 = rte_dma_stop(r->dev_id);
	return ret < 0 ? ret : ret2;
}

/* ---- output ------------------------------------------------------------- */

static const char *
ratio_str(double v, char *buf, size_t len)
{
	/* Two significant digits are enough; keep small ratios readable. */
	snprintf(buf, len, v < 0.1 ? "%.3fx" : "%.2fx", v);
	return buf;
}

static double
res_ns(const struct result *res)
{
	return res->secs * 1e9 / (double)res->ops;
}

static double
res_gbps(const struct result *res, uint32_t size)
{
	return (double)res->ops * size / res->secs / 1e9;
}

static void
print_header(const struct demo_opts *o, const struct pool *p,
		const int16_t dev_ids[CASE_MAX], double warm_s)
{
	int c;

	printf("%s: main lcore %u; each case: %u interleaved rounds of %.3f s, each after %.3f s warm-up\n",
		DEMO_NAME, rte_lcore_id(), ROUNDS, o->seconds / ROUNDS,
		warm_s);
	printf("batch %u copies/submit, ring %u, buffers 2 x %zu MiB (pre-faulted), same slots for every case\n",
		o->batch, o->ring, p->bytes >> 20);
	for (c = CASE_XD_INLINE; c < CASE_MAX; c++) {
		if (dev_ids[c] >= 0)
			printf("  %-12s %-18s dmadev %d\n", cases[c].label,
				cases[c].dev_name, dev_ids[c]);
		else
			printf("  %-12s %-18s skipped (%s)\n", cases[c].label,
				cases[c].dev_name,
				c == CASE_XD_LCORE && o->no_lcore ?
				"--no-lcore" : "no such device");
	}
	printf("\n%8s  %-12s %8s %11s %9s %8s %10s %13s %14s\n",
		"size", "case", "slots", "ops", "Mops/s", "GB/s", "ns/op",
		"ns-vs-debian", "GBps-vs-memcpy");
}

static void
print_size(FILE *csv, const struct layout *l,
		const struct result res[CASE_MAX])
{
	const struct result *deb = &res[CASE_DEBIAN];
	const struct result *mem = &res[CASE_MEMCPY];
	char sz[32], r1[32], r2[32];
	int c;

	for (c = 0; c < CASE_MAX; c++) {
		const struct result *x = &res[c];
		double ns, gbps;

		if (!x->measured)
			continue;
		ns = res_ns(x);
		gbps = res_gbps(x, l->size);
		snprintf(r1, sizeof(r1), "-");
		snprintf(r2, sizeof(r2), "-");
		if (deb->measured)
			ratio_str(ns / res_ns(deb), r1, sizeof(r1));
		if (mem->measured)
			ratio_str(gbps / res_gbps(mem, l->size), r2,
				sizeof(r2));
		printf("%8s  %-12s %8u %11" PRIu64 " %9.2f %8.2f %10.1f %13s %14s\n",
			size_str(l->size, sz, sizeof(sz)), cases[c].label,
			l->nb_slots, x->ops, x->ops / x->secs / 1e6, gbps, ns,
			r1, r2);
		if (csv == NULL)
			continue;
		fprintf(csv, "%u,%s,%s,%u,%" PRIu64 ",%.6f,%.4f,%.4f,%.3f,",
			l->size, cases[c].label,
			cases[c].dev_name ? cases[c].dev_name : "",
			l->nb_slots, x->ops, x->secs, x->ops / x->secs / 1e6,
			gbps, ns);
		if (deb->measured)
			fprintf(csv, "%.5f", ns / res_ns(deb));
		fputc(',', csv);
		if (mem->measured)
			fprintf(csv, "%.5f", gbps / res_gbps(mem, l->size));
		fputc('\n', csv);
	}
	printf("\n");
	fflush(stdout);
}

/*
 * The two figures this demo exists for, against their targets: inline
 * cost per 64 B copy vs Debian's dma_skeleton, and bandwidth from 64 KiB
 * up vs memcpy.
 */
static void
print_acceptance(const struct demo_opts *o,
		struct result (*res)[CASE_MAX])
{
	char sz[32], r[32];
	bool any = false;
	unsigned int i;

	printf("acceptance figures (ratios within this run):\n");
	for (i = 0; i < o->nb_sizes; i++) {
		const struct result *xd = &res[i][CASE_XD_INLINE];
		const struct result *deb = &res[i][CASE_DEBIAN];
		const struct result *mem = &res[i][CASE_MEMCPY];
		uint32_t size = o->sizes[i];

		if (!xd->measured)
			continue;
		if (size == 64 && deb->measured) {
			double v = res_ns(xd) / res_ns(deb);

			printf("  %8s  xd-inline/debian-skel ns/op = %.1f / %.1f = %s (target <= 0.10x: %s)\n",
				size_str(size, sz, sizeof(sz)), res_ns(xd),
				res_ns(deb), ratio_str(v, r, sizeof(r)),
				v <= 0.10 ? "met" : "NOT met");
			any = true;
		}
		if (size >= 65536 && mem->measured) {
			double v = res_gbps(xd, size) / res_gbps(mem, size);

			printf("  %8s  xd-inline/memcpy GB/s = %.2f / %.2f = %s (target >= 0.90x: %s)\n",
				size_str(size, sz, sizeof(sz)),
				res_gbps(xd, size), res_gbps(mem, size),
				ratio_str(v, r, sizeof(r)),
				v >= 0.90 ? "met" : "NOT met");
			any = true;
		}
	}
	if (!any)
		printf("  none: they need 64 B (with debian-skel) or sizes >= 64 KiB, and xd-inline\n");
}

/* ---- main --------------------------------------------------------------- */

int
main(int argc, char **argv)
{
	struct demo_opts o = {
		.sizes = { 64, 1024, 65536, 1048576 },
		.nb_sizes = 4,
		.seconds = 0.5,
		.batch = 32,
		.ring = 1024,
	};
	static struct result res[MAX_SIZES][CASE_MAX];
	char runtime_dir[PATH_MAX] = "";
	int16_t dev_ids[CASE_MAX];
	bool configured[CASE_MAX] = { false };
	unsigned int i, k, j, nb_cases = 0, step = 0, nb_steps;
	struct pool pool = { 0 };
	struct layout lay;
	struct run r;
	FILE *csv = NULL;
	bool progress;
	double round_s, warm_s;
	int eal_first, c, ret, status = EXIT_FAILURE;

	eal_first = parse_args(argc, argv, &o);
	if (eal_first < 0)
		return EXIT_USAGE;
	if (o.csv_path != NULL) {
		csv = fopen(o.csv_path, "w");
		if (csv == NULL) {
			fprintf(stderr, DEMO_NAME ": --csv: cannot open '%s': %s\n",
				o.csv_path, strerror(errno));
			return EXIT_FAILURE;
		}
	}

	ret = eal_start(argc, argv, eal_first, &o);
	if (ret < 0) {
		fprintf(stderr, DEMO_NAME ": EAL initialisation failed: %s\n",
			rte_strerror(-ret));
		goto close_csv;
	}
	timer_hz = rte_get_timer_hz();
	/*
	 * With our defaults EAL creates an empty runtime directory of our own
	 * prefix and never removes it: do that after rte_eal_cleanup(). User
	 * EAL arguments may name a directory shared with others: leave it.
	 */
	if (eal_first == 0)
		snprintf(runtime_dir, sizeof(runtime_dir), "%s",
			rte_eal_get_runtime_dir());

	for (c = 0; c < CASE_MAX; c++) {
		dev_ids[c] = -1;
		if (cases[c].dev_name == NULL ||
				(c == CASE_XD_LCORE && o.no_lcore))
			continue;
		dev_ids[c] = (int16_t)rte_dma_get_dev_id_by_name(
				cases[c].dev_name);
		if (dev_ids[c] < 0) {
			fprintf(stderr, DEMO_NAME ": %s: no dmadev named %s, skipping it\n",
				cases[c].label, cases[c].dev_name);
			dev_ids[c] = -1;
			continue;
		}
		ret = dev_setup(dev_ids[c], cases[c].dev_name, o.ring);
		if (ret < 0) {
			if (ret == -ERANGE)
				status = EXIT_USAGE;
			else
				fprintf(stderr, DEMO_NAME ": %s: setup failed: %s\n",
					cases[c].dev_name, rte_strerror(-ret));
			goto close_devs;
		}
		configured[c] = true;
	}
	for (c = 0; c < CASE_MAX; c++)
		nb_cases += (c == CASE_MEMCPY || dev_ids[c] >= 0);

	ret = pool_alloc(&pool, pool_bytes_needed(&o));
	if (ret < 0) {
		fprintf(stderr, DEMO_NAME ": cannot allocate 2 x %zu MiB of buffers (EAL -m too small?)\n",
			pool_bytes_needed(&o) >> 20);
		goto close_devs;
	}

	round_s = o.seconds / ROUNDS;
	/* A fifth of a round, within 20..200 ms. */
	warm_s = RTE_MIN(0.2, round_s / 5);
	warm_s = RTE_MAX(0.02, warm_s);
	progress = nb_cases * o.nb_sizes * ROUNDS * (round_s + warm_s) >=
		PROGRESS_MIN_S;
	nb_steps = o.nb_sizes * ROUNDS;
	print_header(&o, &pool, dev_ids, warm_s);
	if (csv != NULL)
		fprintf(csv, "size_bytes,case,device,slots,ops,seconds,mops,gbps,ns_per_op,ns_vs_debian,gbps_vs_memcpy\n");

	for (i = 0; i < o.nb_sizes; i++) {
		char sz[32];

		layout_init(&lay, &pool, o.sizes[i]);
		size_str(lay.size, sz, sizeof(sz));
		for (k = 0; k < ROUNDS; k++) {
			if (progress)
				fprintf(stderr, "[%u/%u] %s, round %u/%u\n",
					++step, nb_steps, sz, k + 1, ROUNDS);
			for (j = 0; j < CASE_MAX; j++) {
				c = (int)((j + k) % CASE_MAX);
				if (c != CASE_MEMCPY && dev_ids[c] < 0)
					continue;
				r = (struct run){
					.pool = &pool,
					.lay = &lay,
					.dev_id = dev_ids[c],
					.batch = o.batch,
					.ring = o.ring,
				};
				ret = run_case(c, &r, warm_s, round_s,
						&res[i][c]);
				if (ret < 0) {
					fprintf(stderr, DEMO_NAME ": %s, %s copies: failed: %s\n",
						cases[c].label, sz,
						rte_strerror(-ret));
					goto free_pool;
				}
			}
		}
		print_size(csv, &lay, res[i]);
	}
	print_acceptance(&o, res);
	status = EXIT_SUCCESS;

free_pool:
	pool_free(&pool);
close_devs:
	for (c = 0; c < CASE_MAX; c++)
		if (configured[c])
			rte_dma_close(dev_ids[c]);
	rte_eal_cleanup();
	/* rmdir() only removes it empty; nothing to report otherwise. */
	if (runtime_dir[0] != '\0')
		rmdir(runtime_dir);
close_csv:
	if (csv != NULL && fclose(csv) != 0) {
		fprintf(stderr, DEMO_NAME ": --csv: writing '%s' failed: %s\n",
			o.csv_path, strerror(errno));
		status = EXIT_FAILURE;
	}
	return status;
}
