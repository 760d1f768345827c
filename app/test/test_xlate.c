/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-dma-xd authors
 */

/*
 * Tests of the window tables, maps and reclamation (rte_dmadev_xlate.c):
 * what a table refuses, the exact bounds of a lookup, the radix index
 * against a linear search, the per-vchan cache, then maps over real
 * memfd mappings, and executors translating and writing while the maps
 * change under them.
 *
 * No EAL: these are plain C. Each test uses its own handlers and group,
 * so no test sees another's maps.
 */

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <rte_common.h>
#include <rte_log.h>

#include "dma_access_proto.h"
#include "dmadev_domain_private.h"

#define R RTE_DMA_DOMAIN_PERM_READ
#define W RTE_DMA_DOMAIN_PERM_WRITE
#define RW (R | W)
#define KIB UINT64_C(1024)
#define MIB (KIB * 1024)
#define GIB (MIB * 1024)
#define TIB (GIB * 1024)
#define LIMIT DXA_MEM_ADDR_LIMIT

/* Maps are process-wide: every test takes its own group and handlers. */
#define GROUP_MAPS 1
#define GROUP_KILL_A 2
#define GROUP_KILL_B 3
#define GROUP_FULL 4
#define GROUP_CONC 5
#define GROUP_FORK 6
#define GROUP_NOMEM 7

/* ---- Helpers ------------------------------------------------------------ */

static uint64_t rng_state;

/* TEST_XLATE_SEED repeats a run whose seed a failure printed. */
static void
rng_seed(uint64_t seed)
{
	const char *env = getenv("TEST_XLATE_SEED");

	if (env != NULL)
		seed = strtoull(env, NULL, 0);
	rng_state = seed != 0 ? seed : 1;
	print_message("  seed %#" PRIx64 "\n", seed);
}

/* xorshift64*: reproducible from the printed seed. */
static uint64_t
rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * UINT64_C(0x2545F4914F6CDD1D);
}

/* Uniform enough in [lo, hi]. */
static uint64_t
rng_range(uint64_t lo, uint64_t hi)
{
	return lo + rng() % (hi - lo + 1);
}

static struct rte_dma_domain_window
win(uint64_t base, uint64_t len, uint32_t perm, uint64_t delta)
{
	return (struct rte_dma_domain_window){
		.base = base, .len = len, .delta = delta, .perm = perm,
	};
}

static struct rte_dma_domain_table *
build_ok(const struct rte_dma_domain_window *w, uint32_t n)
{
	struct rte_dma_domain_table *t = NULL;

	assert_int_equal(dxa_table_build(w, n, &t), 0);
	assert_non_null(t);
	assert_int_equal(t->nb_windows, n);
	assert_int_equal(t->dead, 0);
	assert_true(t->gen >= 2);
	return t;
}

static int
build_ret(const struct rte_dma_domain_window *w, uint32_t n)
{
	struct rte_dma_domain_table *t = NULL;
	int ret = dxa_table_build(w, n, &t);

	if (ret == 0)
		dxa_table_free(t);
	else
		assert_null(t);
	return ret;
}

/* A lookup through the slow path with a fresh cache each time. */
static int
look(const struct rte_dma_domain_table *t, uint64_t addr, uint64_t len,
		uint32_t perm, uint64_t *local)
{
	struct rte_dma_domain_xcache c = { 0 };
	uint64_t dummy;

	return rte_dma_domain_xlate_slow(t, &c, addr, len, perm,
		local != NULL ? local : &dummy);
}

/*
 * The log line a failed lookup writes (rte_dma_domain_xlate_slow says why
 * a range missed): look @addr+@len up, expect -EFAULT, and expect the
 * line to hold @needle. Each call is another second's first line only if
 * the limiter allows; the cases stay under its 10 lines a second.
 */
static void
expect_miss_log(const struct rte_dma_domain_table *t, uint64_t addr,
		uint64_t len, uint32_t perm, const char *needle)
{
	char *text = NULL;
	size_t size = 0;
	FILE *mem = open_memstream(&text, &size);
	FILE *old = rte_log_get_stream();
	int ret;

	assert_non_null(mem);
	assert_int_equal(rte_openlog_stream(mem), 0);
	ret = look(t, addr, len, perm, NULL);
	/* Back to the old stream before any assert can leave. */
	rte_openlog_stream(old == stderr ? NULL : old);
	fclose(mem);
	if (ret != -EFAULT)
		fail_msg("miss of 0x%" PRIx64 "+%" PRIu64 ": %d, want -EFAULT",
			addr, len, ret);
	if (text == NULL || strstr(text, needle) == NULL)
		fail_msg("miss of 0x%" PRIx64 "+%" PRIu64 ": log '%s' lacks '%s'",
			addr, len, text != NULL ? text : "", needle);
	free(text);
}

/* Expect a translation to @want. */
static void
expect_ok(const struct rte_dma_domain_table *t, uint64_t addr, uint64_t len,
		uint32_t perm, uint64_t want)
{
	uint64_t local = 0;
	int ret = look(t, addr, len, perm, &local);

	if (ret != 0 || local != want)
		fail_msg("addr %#" PRIx64 " len %#" PRIx64 " perm %u: %d, %#"
			PRIx64 " (want %#" PRIx64 ")", addr, len, perm, ret,
			local, want);
}

static void
expect_err(const struct rte_dma_domain_table *t, uint64_t addr, uint64_t len,
		uint32_t perm, int err)
{
	int ret = look(t, addr, len, perm, NULL);

	if (ret != err)
		fail_msg("addr %#" PRIx64 " len %#" PRIx64
			" perm %u: %d, want %d", addr, len, perm, ret, err);
}

/* A shared mapping of a fresh memfd of @len bytes. */
static int
memfd_new(size_t len)
{
	int fd = memfd_create("test_xlate", MFD_CLOEXEC);

	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)len), 0);
	return fd;
}

static void *
map_fd(int fd, size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

	assert_true(p != MAP_FAILED);
	return p;
}

/* Whether any page of [p, p + len) is mapped no more. */
static bool
unmapped(void *p, size_t len)
{
	return msync(p, len, MS_ASYNC) == -1 && errno == ENOMEM;
}

/* ---- Table contract --------------------------------------------------- */

static void
test_table_build_invalid(void **state)
{
	const struct rte_dma_domain_window ok = win(0x10000, 0x1000, RW, 0);
	struct rte_dma_domain_table *t = NULL;
	struct rte_dma_domain_window w[3];

	RTE_SET_USED(state);
	assert_int_equal(dxa_table_build(&ok, 1, NULL), -EINVAL);
	assert_int_equal(dxa_table_build(NULL, 1, &t), -EINVAL);
	assert_null(t);

	/* One bad window spoils the table, wherever it sits. */
	w[0] = ok;
	w[1] = win(0x20000 + 1, 0x1000, RW, 0);         /* misaligned */
	assert_int_equal(build_ret(w, 2), -EINVAL);
	w[1] = win(0x20000 + 0x800, 0x1000, RW, 0);
	assert_int_equal(build_ret(w, 2), -EINVAL);
	w[1] = win(0x20000, 0, RW, 0);                  /* zero length */
	assert_int_equal(build_ret(w, 2), -EINVAL);
	w[1] = win(LIMIT, 0x1000, RW, 0);               /* beyond 2^48 */
	assert_int_equal(build_ret(w, 2), -EINVAL);
	w[1] = win(LIMIT - 0x1000, 0x1001, RW, 0);      /* ends beyond */
	assert_int_equal(build_ret(w, 2), -EINVAL);
	w[1] = win(LIMIT - 0x1000, UINT64_MAX, RW, 0);  /* base + len wraps */
	assert_int_equal(build_ret(w, 2), -EINVAL);
	w[1] = win(UINT64_MAX & ~UINT64_C(0xfff), 0x2000, RW, 0);
	assert_int_equal(build_ret(w, 2), -EINVAL);
	w[1] = win(0x20000, 0x1000, 0, 0);              /* no permission */
	assert_int_equal(build_ret(w, 2), -EINVAL);
	w[1] = win(0x20000, 0x1000, RW | RTE_BIT32(2), 0);
	assert_int_equal(build_ret(w, 2), -EINVAL);

	/* Overlap: by one byte, contained, identical, in any order. */
	w[0] = win(0x10000, 0x1001, R, 0);
	w[1] = win(0x11000, 0x1000, R, 0);
	assert_int_equal(build_ret(w, 2), -EINVAL);
	w[0] = win(0x10000, 0x10000, R, 0);
	w[1] = win(0x14000, 0x1000, R, 0);
	assert_int_equal(build_ret(w, 2), -EINVAL);
	w[2] = win(0x40000, 0x1000, R, 0);
	w[0] = w[2];
	w[1] = win(0x10000, 0x10000, R, 0);
	w[2] = win(0x14000, 0x1000, R, 0);
	assert_int_equal(build_ret(w, 3), -EINVAL);
	w[0] = ok;
	w[1] = ok;
	assert_int_equal(build_ret(w, 2), -EINVAL);

	/* What does fit: adjacent, the very top, empty. */
	w[0] = win(0x11000, 0x1000, R, 0);
	w[1] = win(0x10000, 0x1000, W, 0);
	assert_int_equal(build_ret(w, 2), 0);
	w[0] = win(LIMIT - 0x1000, 0x1000, RW, 0);
	w[1] = win(0, LIMIT - 0x1000, RW, 0);
	assert_int_equal(build_ret(w, 2), 0);
	w[0] = win(0, LIMIT, RW, 0);
	assert_int_equal(build_ret(w, 1), 0);
	assert_int_equal(build_ret(NULL, 0), 0);
	dxa_table_free(NULL);
}

/*
 * A: [1 MiB, +12 KiB) rw, B right after it with an odd length, read only;
 * C far up, write only; gaps around them.
 */
static void
test_lookup_bounds(void **state)
{
	const uint64_t a = 1 * MIB, a_len = 12 * KIB;
	const uint64_t b = a + a_len, b_len = 8 * KIB + 123;
	const uint64_t c = LIMIT - 2 * GIB, c_len = GIB;
	const uint64_t da = 0x7f0000000000 - a, db = UINT64_C(0x1000);
	const uint64_t dc = (uint64_t)0 - c + 0x5000; /* wraps: local 0x5000 */
	struct rte_dma_domain_window w[3] = {
		win(c, c_len, W, dc),
		win(b, b_len, R, db),
		win(a, a_len, RW, da),
	};
	struct rte_dma_domain_table *t = build_ok(w, RTE_DIM(w));
	uint32_t i;

	RTE_SET_USED(state);
	/* Sorted, whatever the order given. */
	for (i = 1; i < t->nb_windows; i++)
		assert_true(t->windows[i - 1].base < t->windows[i].base);

	/* Each miss says why, in the words a user needs (test_miss_log). */
	expect_miss_log(t, b + b_len - 1, 2, R,
		"inter-domain source 0x" );
	expect_miss_log(t, b + b_len - 1, 2, R,
		"crosses the end of peer window 0");
	expect_miss_log(t, a + a_len - 4, 8, W, "by 4 bytes: INVALID_DST_ADDR");
	expect_miss_log(t, b - 16, 32, R, "crosses the end of peer window 0 (0x100000+12288) by 16 bytes");
	expect_miss_log(t, b, 16, W, "is not writable: INVALID_DST_ADDR");
	expect_miss_log(t, c - 16, 32, W, "starts 16 bytes before peer window");
	expect_miss_log(t, 4 * TIB, 64, R, "outside every window of the peer (3 windows");
	expect_miss_log(t, LIMIT + 4096, 64, W, "outside every window");

	/* Errors first: past the end, straddling, gaps, perm, range. */
	expect_err(t, b + b_len, 1, R, -EFAULT);      /* one past B */
	expect_err(t, b + b_len - 1, 2, R, -EFAULT);
	expect_err(t, b + b_len, 0, R, -EFAULT);
	expect_err(t, a + a_len - 1, 2, R, -EFAULT);  /* A into B */
	expect_err(t, a, a_len + 1, R, -EFAULT);
	expect_err(t, a, a_len + b_len, R, -EFAULT);
	expect_err(t, a - 1, 1, R, -EFAULT);          /* gap below A */
	expect_err(t, a - 1, 2, R, -EFAULT);
	expect_err(t, 0, 1, R, -EFAULT);
	expect_err(t, 0, 0, R, -EFAULT);
	expect_err(t, b + 64 * KIB, 1, R, -EFAULT);   /* gap after B */
	expect_err(t, c - 1, 1, W, -EFAULT);
	expect_err(t, c + c_len, 1, W, -EFAULT);
	expect_err(t, b, 1, W, -EFAULT);              /* read-only B */
	expect_err(t, b, 1, RW, -EFAULT);
	expect_err(t, c, 1, R, -EFAULT);              /* write-only C */
	expect_err(t, a, UINT64_MAX, R, -EFAULT);     /* len wraps */
	expect_err(t, a + 1, UINT64_MAX, R, -EFAULT);
	expect_err(t, LIMIT, 1, RW, -EFAULT);
	expect_err(t, LIMIT - 1, 1, W, -EFAULT);
	expect_err(t, LIMIT + a, 1, RW, -EFAULT);     /* aliases A mod 2^48 */
	expect_err(t, UINT64_MAX, 1, R, -EFAULT);
	expect_err(t, UINT64_MAX, 0, R, -EFAULT);

	/* First byte, last byte, whole, len 0 (the address alone). */
	expect_ok(t, a, 1, R, a + da);
	expect_ok(t, a, a_len, RW, a + da);
	expect_ok(t, a + a_len - 1, 1, W, a + a_len - 1 + da);
	expect_ok(t, a + 4 * KIB, 8 * KIB, R, a + 4 * KIB + da);
	expect_ok(t, a, 0, R, a + da);
	expect_ok(t, a + a_len - 1, 0, R, a + a_len - 1 + da);
	expect_ok(t, b, 1, R, b + db);
	expect_ok(t, b, b_len, R, b + db);
	expect_ok(t, b + b_len - 1, 1, R, b + b_len - 1 + db);
	expect_ok(t, c, c_len, W, 0x5000);
	expect_ok(t, c + c_len - 1, 1, W, 0x5000 + c_len - 1);
	/* perm 0 asks for nothing: any window grants it. */
	expect_ok(t, b, 1, 0, b + db);
	dxa_table_free(t);

	/* An empty table has nothing to find. */
	t = build_ok(NULL, 0);
	expect_err(t, 0, 1, R, -EFAULT);
	expect_err(t, a, 1, R, -EFAULT);
	expect_err(t, LIMIT - 1, 1, R, -EFAULT);
	dxa_table_free(t);
}

/* Entries of every level fully covered, and the edges next to them. */
static void
test_lookup_huge_and_tiny(void **state)
{
	const uint64_t g = 5 * GIB;            /* 1 GiB, 1 GiB-aligned */
	const uint64_t u = 10 * GIB + 2 * MIB; /* 1 GiB, 2 MiB-aligned */
	const uint64_t p = 512 * GIB;          /* a whole top-level entry */
	struct rte_dma_domain_window w[] = {
		win(g - 4 * KIB, 4 * KIB, RW, 1 * TIB),
		win(g, GIB, RW, 2 * TIB),
		win(g + GIB, 4 * KIB, RW, 3 * TIB),
		win(g + GIB + 8 * KIB, 1, RW, 4 * TIB),
		win(u, GIB, R, 5 * TIB),
		win(u + GIB, 4 * KIB, W, 6 * TIB),
		win(p - 4 * KIB, 4 * KIB, R, 7 * TIB),
		win(p, 512 * GIB, RW, 8 * TIB),
		win(2 * p, 4 * KIB, W, 9 * TIB),
	};
	struct rte_dma_domain_table *t = build_ok(w, RTE_DIM(w));
	uint32_t i;

	RTE_SET_USED(state);
	for (i = 0; i < RTE_DIM(w); i++) {
		const struct rte_dma_domain_window *x = &w[i];
		uint64_t mid = x->base + x->len / 2;

		expect_ok(t, x->base, 1, x->perm, x->base + x->delta);
		expect_ok(t, x->base, x->len, x->perm, x->base + x->delta);
		expect_ok(t, mid, 1, x->perm, mid + x->delta);
		expect_ok(t, x->base + x->len - 1, 1, x->perm,
			x->base + x->len - 1 + x->delta);
		expect_err(t, x->base, x->len + 1, x->perm, -EFAULT);
		expect_err(t, x->base + x->len - 1, 2, x->perm, -EFAULT);
	}
	/* Gaps between the neighbours, and past the 1-byte window. */
	expect_err(t, g + GIB + 4 * KIB, 1, R, -EFAULT);
	expect_err(t, g + GIB + 8 * KIB + 1, 1, R, -EFAULT);
	expect_err(t, g + GIB + 12 * KIB - 1, 1, R, -EFAULT);
	expect_err(t, u - 1, 1, R, -EFAULT);
	expect_err(t, u + GIB + 4 * KIB, 1, W, -EFAULT);
	expect_err(t, 2 * p + 4 * KIB, 1, W, -EFAULT);
	expect_err(t, 3 * p, 1, W, -EFAULT);
	dxa_table_free(t);
}

/* ---- The index against a linear search ---------------------------- */

#define RAND_WINDOWS 4096
#define RAND_QUERIES 200000

/* Reference: linear search of sorted, non-overlapping windows. */
static int
ref_lookup(const struct rte_dma_domain_window *w, uint32_t n, uint64_t addr,
		uint64_t len, uint32_t perm, uint64_t *local)
{
	uint32_t i;

	for (i = 0; i < n && w[i].base <= addr; i++) {
		if (addr - w[i].base >= w[i].len)
			continue;
		if (len > w[i].len - (addr - w[i].base) ||
				(w[i].perm & perm) != perm)
			return -EFAULT;
		*local = addr + w[i].delta;
		return 0;
	}
	return -EFAULT;
}

/* An address next to an edge of a random window, or anywhere. */
static uint64_t
rand_addr(const struct rte_dma_domain_window *w, uint32_t n)
{
	const struct rte_dma_domain_window *x = &w[rng() % n];
	uint64_t end = x->base + x->len;
	int64_t jitter = (int64_t)rng_range(0, 8) - 4;

	switch (rng() % 6) {
	case 0:
		return x->base + jitter;
	case 1:
		return end + jitter;
	case 2:
		return RTE_ALIGN_CEIL(end, 4096) + jitter;
	case 3:
		return x->base + rng() % x->len;
	case 4:
		return rng_range(w[0].base > 4 * MIB ? w[0].base - 4 * MIB : 0,
			w[n - 1].base + w[n - 1].len + 4 * MIB);
	default:
		return rng() % 64 == 0 ? rng() : rng() % LIMIT;
	}
}

static uint64_t
rand_len(void)
{
	switch (rng() % 5) {
	case 0:
		return 0;
	case 1:
		return 1;
	case 2:
		return rng_range(1, 64);
	case 3:
		return rng_range(1, 8 * MIB);
	default:
		return rng() % 256 == 0 ? rng() : rng_range(1, 4096);
	}
}

static void
test_random_windows(void **state)
{
	static const uint32_t perms[] = { R, W, RW };
	struct rte_dma_domain_xcache cache[RTE_DIM(perms)] = { 0 };
	struct rte_dma_domain_window *w, *shuffled;
	struct rte_dma_domain_map map;
	struct rte_dma_domain_table *t;
	uint64_t base, got = 0, want = 0, hits = 0;
	uint32_t i, j, pi;
	int ret, ref;

	RTE_SET_USED(state);
	rng_seed((uint64_t)time(NULL));
	w = calloc(RAND_WINDOWS, sizeof(*w));
	shuffled = calloc(RAND_WINDOWS, sizeof(*shuffled));
	assert_non_null(w);
	assert_non_null(shuffled);
	/*
	 * Gaps from none (adjacent) to a few MiB, and now and then one that
	 * crosses into another 1 GiB or 512 GiB entry; all below 2^48.
	 */
	base = RTE_ALIGN_FLOOR(rng() % (LIMIT / 2), 4096);
	for (i = 0; i < RAND_WINDOWS; i++) {
		uint64_t len = rng_range(4 * KIB, 4 * MIB);
		uint64_t gap;

		switch (rng() % 8) {
		case 0:
			gap = 0;
			break;
		case 1:
			gap = rng() % 32 == 0 ? rng_range(1, 8) * 256 * GIB :
				rng_range(1, 4) * GIB;
			break;
		default:
			gap = rng_range(0, 4 * MIB);
		}
		w[i] = win(base, len, perms[rng() % 3], rng());
		w[i].id = i;
		base = RTE_ALIGN_CEIL(base + len + gap, 4096);
	}
	assert_true(base < LIMIT);
	memcpy(shuffled, w, RAND_WINDOWS * sizeof(*w));
	for (i = RAND_WINDOWS - 1; i > 0; i--) {
		struct rte_dma_domain_window tmp = shuffled[i];

		j = rng() % (i + 1);
		shuffled[i] = shuffled[j];
		shuffled[j] = tmp;
	}
	t = build_ok(shuffled, RAND_WINDOWS);
	assert_memory_equal(t->windows, w, RAND_WINDOWS * sizeof(*w));
	map.table = t;

	for (i = 0; i < RAND_QUERIES; i++) {
		uint64_t addr = rand_addr(w, RAND_WINDOWS);
		uint64_t len = rand_len();

		pi = rng() % RTE_DIM(perms);
		ref = ref_lookup(w, RAND_WINDOWS, addr, len, perms[pi], &want);
		ret = look(t, addr, len, perms[pi], &got);
		if (ret != ref || (ret == 0 && got != want))
			fail_msg("query %u: addr %#" PRIx64 " len %#" PRIx64
				" perm %u: %d %#" PRIx64 ", reference %d %#"
				PRIx64, i, addr, len, perms[pi], ret, got, ref,
				want);
		/* The same through the cache, one per permission. */
		hits += cache[pi].gen == t->gen &&
			addr - cache[pi].base < cache[pi].len &&
			len <= cache[pi].len - (addr - cache[pi].base);
		ret = rte_dma_domain_xlate(&map, &cache[pi], addr, len,
			perms[pi], &got);
		if (ret != ref || (ret == 0 && got != want))
			fail_msg("cached query %u: addr %#" PRIx64 " len %#"
				PRIx64 " perm %u: %d, reference %d", i, addr,
				len, perms[pi], ret, ref);
	}
	print_message("  %u queries, %" PRIu64 " cache hits\n", RAND_QUERIES,
		hits);
	assert_true(hits > 0);
	dxa_table_free(t);
	free(shuffled);
	free(w);
}

/* ---- The cache ---------------------------------------------------------- */

static void
test_cache(void **state)
{
	const struct rte_dma_domain_window w1 = win(64 * KIB, 64 * KIB, RW,
		0x1000000);
	struct rte_dma_domain_window w2 = w1;
	struct rte_dma_domain_xcache c = { 0 };
	const struct rte_dma_domain_table *bt;
	struct rte_dma_domain_table *t1, *t2;
	struct rte_dma_domain_map map;
	uint64_t local = 0;

	RTE_SET_USED(state);
	t1 = build_ok(&w1, 1);
	w2.delta = 0x2000000;
	t2 = build_ok(&w2, 1);
	assert_true(t2->gen > t1->gen);
	map.table = t1;

	/* A miss or a refusal leaves the cache as it was. */
	assert_int_equal(rte_dma_domain_xlate(&map, &c, 0, 1, W, &local),
		-EFAULT);
	assert_int_equal(c.gen, 0);
	assert_int_equal(rte_dma_domain_xlate(&map, &c, w1.base, w1.len + 1,
		W, &local), -EFAULT);
	assert_int_equal(c.gen, 0);

	/* A hit after the miss that filled the cache. */
	assert_int_equal(rte_dma_domain_xlate(&map, &c, w1.base + 8, 8, W,
		&local), 0);
	assert_int_equal(local, w1.base + 8 + w1.delta);
	assert_int_equal(c.gen, t1->gen);
	assert_int_equal(c.base, w1.base);
	assert_int_equal(c.len, w1.len);
	assert_int_equal(c.delta, w1.delta);
	/* Proof that the hit path answered: the table never held this. */
	c.delta = 0x42000;
	assert_int_equal(rte_dma_domain_xlate(&map, &c, w1.base + 16, 16, W,
		&local), 0);
	assert_int_equal(local, w1.base + 16 + 0x42000);
	/* A range the cached window does not hold goes to the table. */
	assert_int_equal(rte_dma_domain_xlate(&map, &c, w1.base + 8, w1.len,
		W, &local), -EFAULT);
	assert_int_equal(rte_dma_domain_xlate(&map, &c, w1.base - 1, 1,
		W, &local), -EFAULT);

	/* A new table invalidates the entry: its gen differs. */
	map.table = t2;
	assert_int_equal(rte_dma_domain_xlate(&map, &c, w1.base + 16, 16, W,
		&local), 0);
	assert_int_equal(local, w1.base + 16 + w2.delta);
	assert_int_equal(c.gen, t2->gen);

	/*
	 * A batch: the table loaded at its start answers all of it, even
	 * after another is published; the next batch sees the new one.
	 */
	bt = rte_dma_domain_xlate_begin(&map, &c);
	assert_ptr_equal(bt, t2);
	assert_int_equal(c.len, w1.len);
	map.table = t1;
	assert_int_equal(rte_dma_domain_xlate_in(bt, &c, w1.base + 32, 8, W,
		&local), 0);
	assert_int_equal(local, w1.base + 32 + w2.delta);
	bt = rte_dma_domain_xlate_begin(&map, &c);
	assert_ptr_equal(bt, t1);
	/* Another table's entry is emptied, so it cannot hit. */
	assert_int_equal(c.len, 0);
	c.delta = 0x42000;
	assert_int_equal(rte_dma_domain_xlate_in(bt, &c, w1.base + 32, 8, W,
		&local), 0);
	assert_int_equal(local, w1.base + 32 + w1.delta);
	assert_int_equal(c.gen, t1->gen);
	assert_int_equal(c.delta, w1.delta);
	dxa_table_free(t1);
	dxa_table_free(t2);
}

/* ---- Maps ------------------------------------------------------------- */

static void
test_map_invalid(void **state)
{
	struct rte_dma_domain_map *m = NULL;
	int16_t group;
	bool own;

	RTE_SET_USED(state);
	assert_int_equal(dxa_map_learn(GROUP_MAPS, 0, false), -EINVAL);
	assert_int_equal(dxa_map_ref(0, &m, &group, &own), -ENOENT);
	assert_int_equal(dxa_map_ref(100, &m, &group, &own), -ENOENT);
	assert_null(m);
	assert_int_equal(dxa_map_ref(100, NULL, &group, &own), -EINVAL);
	assert_int_equal(dxa_map_nb_windows(100), 0);
	assert_int_equal(dxa_map_window_del(100, 1), -ENOENT);
	assert_int_equal(dxa_map_window_del(0, 1), -ENOENT);

	/* Nothing learnt from a refused window. */
	assert_int_equal(dxa_map_window_add(GROUP_MAPS, 0, 1, 0, 4096, R, 0,
		NULL, 0), -EINVAL);
	assert_int_equal(dxa_map_window_add(GROUP_MAPS, 100, 1, 100, 4096, R,
		0, NULL, 0), -EINVAL);
	assert_int_equal(dxa_map_window_add(GROUP_MAPS, 100, 1, 0, 0, R, 0,
		NULL, 0), -EINVAL);
	assert_int_equal(dxa_map_window_add(GROUP_MAPS, 100, 1, LIMIT, 4096,
		R, 0, NULL, 0), -EINVAL);
	assert_int_equal(dxa_map_window_add(GROUP_MAPS, 100, 1, LIMIT - 4096,
		UINT64_MAX, R, 0, NULL, 0), -EINVAL);
	assert_int_equal(dxa_map_window_add(GROUP_MAPS, 100, 1, 0, 4096, 0,
		0, NULL, 0), -EINVAL);
	assert_int_equal(dxa_map_window_add(GROUP_MAPS, 100, 1, 0, 4096, 4,
		0, NULL, 0), -EINVAL);
	assert_int_equal(dxa_map_ref(100, &m, &group, &own), -ENOENT);

	/* Killing what is not there is harmless. */
	dxa_map_kill(0);
	dxa_map_kill(100);
	dxa_map_kill_group(GROUP_MAPS);
	rte_dma_domain_map_put(NULL);
}

static void
test_map_learn(void **state)
{
	struct rte_dma_domain_map *m = NULL;
	int16_t group = 0;
	bool own = false;

	RTE_SET_USED(state);
	assert_int_equal(dxa_map_learn(GROUP_MAPS, 110, true), 0);
	assert_int_equal(dxa_map_ref(110, &m, &group, &own), 0);
	assert_int_equal(group, GROUP_MAPS);
	assert_true(own);
	/* Live and empty: a table to read, nothing in it. */
	assert_non_null(m->table);
	assert_int_equal(m->table->dead, 0);
	assert_int_equal(m->table->nb_windows, 0);
	rte_dma_domain_map_put(m);

	/* Known already: left as it is. */
	assert_int_equal(dxa_map_learn(GROUP_MAPS + 10, 110, false), 0);
	assert_int_equal(dxa_map_ref(110, &m, &group, &own), 0);
	assert_int_equal(group, GROUP_MAPS);
	assert_true(own);
	rte_dma_domain_map_put(m);

	/* A window of an unknown handler teaches it, as someone else's. */
	assert_int_equal(dxa_map_window_add(GROUP_MAPS, 111, 1, 0, 4096, R,
		0x1000, NULL, 0), 0);
	assert_int_equal(dxa_map_ref(111, &m, &group, &own), 0);
	assert_int_equal(group, GROUP_MAPS);
	assert_false(own);
	assert_int_equal(m->table->nb_windows, 1);
	rte_dma_domain_map_put(m);

	dxa_map_kill(110);
	dxa_map_kill(111);
	assert_int_equal(dxa_map_ref(110, &m, &group, &own), -ENOENT);
	assert_int_equal(dxa_map_ref(111, &m, &group, &own), -ENOENT);
}

/* Two windows over real memory: translate, write, remove, kill. */
static void
test_map_lifecycle(void **state)
{
	const uint16_t h = 120;
	const size_t len = 64 * KIB;
	const uint64_t b1 = 16 * MIB, b2 = 32 * MIB;
	struct rte_dma_domain_xcache c = { 0 };
	struct rte_dma_domain_map *m, *m2;
	struct rte_dma_domain_table *t;
	uint8_t *p1, *p2, *view1, *view2, *extra;
	uint64_t local;
	int fd1, fd2;

	RTE_SET_USED(state);
	fd1 = memfd_new(len);
	fd2 = memfd_new(len);
	p1 = map_fd(fd1, len);
	p2 = map_fd(fd2, len);
	/* The test's own view of the same memory, to see writes land. */
	view1 = map_fd(fd1, len);
	view2 = map_fd(fd2, len);

	assert_int_equal(dxa_map_window_add(GROUP_MAPS, h, 1, b1, len, RW,
		(uintptr_t)p1, p1, len), 0);
	assert_int_equal(dxa_map_ref(h, &m, NULL, NULL), 0);
	t = m->table;
	assert_int_equal(dxa_map_window_add(GROUP_MAPS, h, 2, b2, len, R,
		(uintptr_t)p2, p2, len), 0);
	assert_int_equal(dxa_map_nb_windows(h), 2);
	/* Replaced, never edited. */
	assert_ptr_not_equal(m->table, t);

	/* Refused windows stay the caller's: still mapped afterwards. */
	extra = map_fd(fd1, len);
	assert_int_equal(dxa_map_window_add(GROUP_MAPS, h, 1, 48 * MIB, len,
		RW, (uintptr_t)extra, extra, len), -EEXIST);
	assert_int_equal(dxa_map_window_add(GROUP_MAPS, h, 3, b1 + len - 4096,
		len, RW, (uintptr_t)extra, extra, len), -EINVAL);
	assert_int_equal(dxa_map_window_add(GROUP_MAPS, h, 3, b1 - 4096,
		8192, RW, (uintptr_t)extra, extra, len), -EINVAL);
	assert_false(unmapped(extra, len));
	assert_int_equal(munmap(extra, len), 0);
	assert_int_equal(dxa_map_nb_windows(h), 2);

	/* Write through the translation, read through the view. */
	assert_int_equal(rte_dma_domain_xlate(m, &c, b1 + 100, 28, W, &local),
		0);
	assert_ptr_equal((void *)(uintptr_t)local, p1 + 100);
	memcpy((void *)(uintptr_t)local, "written through a window", 25);
	assert_string_equal((char *)view1 + 100, "written through a window");
	memcpy(view2 + 4000, "the owner's data", 17);
	assert_int_equal(rte_dma_domain_xlate_slow(m->table, &c, b2 + 4000,
		17, R, &local), 0);
	assert_string_equal((char *)(uintptr_t)local, "the owner's data");
	assert_int_equal(rte_dma_domain_xlate_slow(m->table, &c, b2, 1, W,
		&local), -EFAULT);

	/* Removed: no longer found, and unmapped. */
	assert_int_equal(dxa_map_window_del(h, 7), -ENOENT);
	assert_int_equal(dxa_map_window_del(h, 1), 0);
	assert_int_equal(dxa_map_window_del(h, 1), -ENOENT);
	assert_int_equal(dxa_map_nb_windows(h), 1);
	assert_true(unmapped(p1, len));
	assert_int_equal(rte_dma_domain_xlate(m, &c, b1 + 100, 28, W, &local),
		-EFAULT);
	assert_string_equal((char *)view1 + 100, "written through a window");

	/* Killed: a second reference, then the registry's, go. */
	assert_int_equal(dxa_map_ref(h, &m2, NULL, NULL), 0);
	assert_ptr_equal(m, m2);
	dxa_map_kill(h);
	assert_true(unmapped(p2, len));
	assert_int_equal(dxa_map_ref(h, &m2, NULL, NULL), -ENOENT);
	assert_int_equal(dxa_map_nb_windows(h), 0);
	assert_int_equal(dxa_map_window_del(h, 2), -ENOENT);
	assert_int_equal(m->table->dead, 1);
	assert_int_equal(rte_dma_domain_xlate(m, &c, b2 + 4000, 1, R, &local),
		-ENOLINK);
	assert_int_equal(rte_dma_domain_xlate(m, &c, 0, 0, R, &local),
		-ENOLINK);
	rte_dma_domain_map_put(m);
	/* Dead until the last reference goes. */
	assert_int_equal(rte_dma_domain_xlate(m, &c, b2, 1, R, &local),
		-ENOLINK);
	rte_dma_domain_map_put(m);

	/* A handler is learnt afresh once forgotten. */
	assert_int_equal(dxa_map_learn(GROUP_MAPS, h, false), 0);
	assert_int_equal(dxa_map_nb_windows(h), 0);
	dxa_map_kill(h);

	munmap(view1, len);
	munmap(view2, len);
	close(fd1);
	close(fd2);
}

static void
test_map_kill_group(void **state)
{
	struct rte_dma_domain_map *a1, *a2, *b1;
	int fd = memfd_new(4096);
	void *p = map_fd(fd, 4096);

	RTE_SET_USED(state);
	assert_int_equal(dxa_map_learn(GROUP_KILL_A, 130, true), 0);
	assert_int_equal(dxa_map_window_add(GROUP_KILL_A, 131, 1, 0, 4096, RW,
		(uintptr_t)p, p, 4096), 0);
	assert_int_equal(dxa_map_learn(GROUP_KILL_B, 132, false), 0);
	assert_int_equal(dxa_map_ref(130, &a1, NULL, NULL), 0);
	assert_int_equal(dxa_map_ref(131, &a2, NULL, NULL), 0);
	assert_int_equal(dxa_map_ref(132, &b1, NULL, NULL), 0);

	dxa_map_kill_group(GROUP_KILL_A);
	assert_int_equal(a1->table->dead, 1);
	assert_int_equal(a2->table->dead, 1);
	assert_int_equal(b1->table->dead, 0);
	assert_true(unmapped(p, 4096));
	assert_int_equal(dxa_map_nb_windows(131), 0);
	assert_int_equal(dxa_map_ref(130, &a1, NULL, NULL), -ENOENT);
	assert_int_equal(dxa_map_ref(132, &b1, NULL, NULL), 0);
	rte_dma_domain_map_put(b1);

	rte_dma_domain_map_put(a1);
	rte_dma_domain_map_put(a2);
	dxa_map_kill_group(GROUP_KILL_B);
	assert_int_equal(b1->table->dead, 1);
	rte_dma_domain_map_put(b1);
	close(fd);
}

/* The window limit, with windows that map nothing. */
static void
test_map_full(void **state)
{
	const uint16_t h = 140;
	struct timespec t0, t1;
	uint32_t i;
	double s;

	RTE_SET_USED(state);
	/* This thread's CPU time: what other processes do is not our cost. */
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0);
	for (i = 0; ; i++) {
		int ret = dxa_map_window_add(GROUP_FULL, h, i + 1,
			(uint64_t)i * 8192, 4096, RW, 0, NULL, 0);

		if (ret == -ENOSPC)
			break;
		assert_int_equal(ret, 0);
		/*
		 * Every add rebuilds the table: filling it is quadratic, and
		 * a slow machine proves nothing more by taking long.
		 */
		if (i % 1024 == 1023) {
			clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t1);
			s = (double)(t1.tv_sec - t0.tv_sec) +
				(double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
			if (s > 1.0) {
				dxa_map_kill(h);
				skip();
			}
		}
	}
	print_message("  full at %u windows\n", i);
	assert_int_equal(i, dxa_map_nb_windows(h));
	assert_true(i >= 1024);
	/* Room again once one goes. */
	assert_int_equal(dxa_map_window_del(h, 1), 0);
	assert_int_equal(dxa_map_window_add(GROUP_FULL, h, 1, 0, 4096, R, 0,
		NULL, 0), 0);
	assert_int_equal(dxa_map_window_add(GROUP_FULL, h, i + 2, TIB, 4096, R,
		0, NULL, 0), -ENOSPC);
	dxa_map_kill(h);
}

/* ---- Quiescence -------------------------------------------------------- */

struct sync_arg {
	bool done;
};

static void *
sync_thread(void *arg)
{
	struct sync_arg *s = arg;

	dxa_qs_synchronize();
	__atomic_store_n(&s->done, true, __ATOMIC_RELEASE);
	return NULL;
}

static void
test_qs_synchronize(void **state)
{
	struct rte_dma_domain_qs qs = { 0 }, other = { 0 };
	const struct timespec nap = { .tv_nsec = 20 * 1000 * 1000 };
	struct sync_arg s = { false };
	pthread_t th;

	RTE_SET_USED(state);
	/* Nobody, or nobody inside: no wait. */
	dxa_qs_synchronize();
	rte_dma_domain_qs_register(&qs);
	rte_dma_domain_qs_register(&other);
	dxa_qs_synchronize();
	rte_dma_domain_qs_enter(&qs);
	rte_dma_domain_qs_exit(&qs);
	dxa_qs_synchronize();

	/*
	 * Inside a section, it waits: it can only have returned early,
	 * never late, so the nap decides nothing but how often a bug shows.
	 */
	rte_dma_domain_qs_enter(&qs);
	assert_int_equal(pthread_create(&th, NULL, sync_thread, &s), 0);
	nanosleep(&nap, NULL);
	assert_false(__atomic_load_n(&s.done, __ATOMIC_ACQUIRE));
	rte_dma_domain_qs_exit(&qs);
	assert_int_equal(pthread_join(th, NULL), 0);
	assert_true(s.done);

	/*
	 * A section that never ends does not count once unregistered, even
	 * if it was registered twice.
	 */
	rte_dma_domain_qs_register(&other);
	rte_dma_domain_qs_enter(&other);
	rte_dma_domain_qs_unregister(&other);
	rte_dma_domain_qs_unregister(&other);
	dxa_qs_synchronize();
	rte_dma_domain_qs_unregister(&qs);
	dxa_qs_synchronize();
}

/* A forked child forgets the maps and executors of its parent. */
static void
test_fork(void **state)
{
	struct rte_dma_domain_qs qs = { 0 };
	struct rte_dma_domain_map *m;
	int status;
	pid_t pid;

	RTE_SET_USED(state);
	assert_int_equal(dxa_map_learn(GROUP_FORK, 150, false), 0);
	rte_dma_domain_qs_register(&qs);
	rte_dma_domain_qs_enter(&qs);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* No cmocka here: the exit status says what failed. */
		if (dxa_map_ref(150, &m, NULL, NULL) != -ENOENT)
			_exit(1);
		/*
		 * Would wait forever for the parent's section; and aborts if
		 * membarrier(2) refuses a child the parent registered.
		 */
		dxa_qs_synchronize();
		if (dxa_map_learn(GROUP_FORK, 150, true) != 0 ||
				dxa_map_ref(150, &m, NULL, NULL) != 0)
			_exit(2);
		rte_dma_domain_map_put(m);
		dxa_map_kill(150);
		_exit(0);
	}
	rte_dma_domain_qs_exit(&qs);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	rte_dma_domain_qs_unregister(&qs);
	assert_int_equal(dxa_map_nb_windows(150), 0);
	assert_int_equal(dxa_map_ref(150, &m, NULL, NULL), 0);
	rte_dma_domain_map_put(m);
	dxa_map_kill(150);
}

/* ---- Out of memory -------------------------------------------------------- */

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define XLATE_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define XLATE_SANITIZED 1
#endif
#endif

#define NOMEM_HANDLER 170
#define NOMEM_WINDOWS 256

/* What child_nomem() took of the heap. */
static void **hoard, *hoard_next;

/* Virtual size of this process, in bytes. */
static uint64_t
vm_size(void)
{
	unsigned long pages = 0;
	FILE *f = fopen("/proc/self/statm", "re");

	if (f != NULL) {
		if (fscanf(f, "%lu", &pages) != 1)
			pages = 0;
		fclose(f);
	}
	return (uint64_t)pages * (uint64_t)sysconf(_SC_PAGESIZE);
}

/*
 * In a child, whose address space it caps at what it uses: the next table
 * then cannot be allocated. Exit status: the step that went wrong.
 */
static int
child_nomem(void)
{
	struct rte_dma_domain_xcache c = { 0 };
	struct rte_dma_domain_map *m;
	struct rlimit lim;
	uint64_t local;
	uint32_t i;
	void *p;
	int fd;

	fd = memfd_create("test_xlate", MFD_CLOEXEC);
	if (fd < 0 || ftruncate(fd, 4096) != 0)
		return 1;
	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED ||
			dxa_map_window_add(GROUP_NOMEM, NOMEM_HANDLER, 1, 0, 4096,
				RW, (uintptr_t)p, p, 4096) != 0)
		return 2;
	/* A window per GiB: enough that a table needs more than scraps. */
	for (i = 1; i < NOMEM_WINDOWS; i++)
		if (dxa_map_window_add(GROUP_NOMEM, NOMEM_HANDLER, i + 1,
				i * GIB, 4096, RW, 0, NULL, 0) != 0)
			return 3;
	if (dxa_map_ref(NOMEM_HANDLER, &m, NULL, NULL) != 0)
		return 4;

	if (getrlimit(RLIMIT_AS, &lim) != 0)
		return 5;
	lim.rlim_cur = vm_size();
	if (setrlimit(RLIMIT_AS, &lim) != 0)
		return 6;
	/*
	 * The heap this child inherited has room to spare: take it, so that
	 * not even a table's window array (8 KiB here) can be had. Chained
	 * from a global, or the compiler may drop allocations never used.
	 */
	for (i = 1024 * 1024; i >= 4096; i /= 2) {
		while ((hoard = malloc(i)) != NULL) {
			*hoard = hoard_next;
			hoard_next = hoard;
		}
	}
	/* An add that cannot be built: refused, the map as it was. */
	if (dxa_map_window_add(GROUP_NOMEM, NOMEM_HANDLER, 1000, 1000 * GIB,
			4096, RW, 0, NULL, 0) != -ENOMEM)
		return 7;
	if (dxa_map_nb_windows(NOMEM_HANDLER) != NOMEM_WINDOWS ||
			rte_dma_domain_xlate(m, &c, 5 * GIB, 1, R, &local) != 0 ||
			local != 0 || unmapped(p, 4096))
		return 8;
	/* A delete that cannot be built: the whole map goes dead. */
	if (dxa_map_window_del(NOMEM_HANDLER, 2) != 0)
		return 9;
	lim.rlim_cur = lim.rlim_max;
	if (setrlimit(RLIMIT_AS, &lim) != 0)
		return 10;
	if (m->table->dead != 1 || dxa_map_nb_windows(NOMEM_HANDLER) != 0 ||
			rte_dma_domain_xlate(m, &c, 5 * GIB, 1, R, &local) !=
				-ENOLINK || !unmapped(p, 4096))
		return 11;
	/* Dead, and known: later windows are refused, not mapped. */
	if (dxa_map_window_add(GROUP_NOMEM, NOMEM_HANDLER, 1, 0, 4096, RW, 0,
			NULL, 0) != -ENOLINK ||
			dxa_map_window_del(NOMEM_HANDLER, 3) != -ENOENT)
		return 12;
	dxa_map_kill(NOMEM_HANDLER);
	rte_dma_domain_map_put(m);
	if (dxa_map_ref(NOMEM_HANDLER, &m, NULL, NULL) != -ENOENT)
		return 13;
	return 0;
}

static void
test_nomem(void **state)
{
	int status;
	pid_t pid;

	RTE_SET_USED(state);
#ifdef XLATE_SANITIZED
	/* A sanitizer's allocator needs address space of its own. */
	skip();
#endif
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(child_nomem());
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

/* ---- Executors against updates ----------------------------------------- */

#define CONC_HANDLER 160
#define CONC_SLOTS 8
#define CONC_LEN (64 * KIB)
#define CONC_UPDATES 2000
#define CONC_EXECUTORS 1
#define CONC_BATCH 16

struct conc {
	struct rte_dma_domain_map *map;
	bool killing;  /* set before the map is killed */
	bool stop;
	/* Written by each executor, read after the join. */
	struct conc_exec {
		struct rte_dma_domain_qs qs;
		pthread_t th;
		struct conc *c;
		uint64_t seed;
		uint64_t iters;   /* atomic: the main thread waits on it */
		uint64_t ok, fault, nolink, bad;
		int bad_ret;
	} ex[CONC_EXECUTORS];
};

static uint64_t
conc_base(uint32_t slot)
{
	return 256 * MIB + (uint64_t)slot * MIB;
}

static void *
conc_executor(void *arg)
{
	struct conc_exec *e = arg;
	struct rte_dma_domain_xcache cache = { 0 };
	uint64_t x = e->seed, local;
	uint8_t buf[64];
	unsigned int i;
	int ret;

	memset(buf, 0xa5, sizeof(buf));
	while (!__atomic_load_n(&e->c->stop, __ATOMIC_ACQUIRE)) {
		rte_dma_domain_qs_enter(&e->qs);
		for (i = 0; i < CONC_BATCH; i++) {
			uint64_t addr;

			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			addr = conc_base(x % CONC_SLOTS) +
				(x >> 8) % (CONC_LEN - sizeof(buf));
			ret = rte_dma_domain_xlate(e->c->map, &cache, addr,
				sizeof(buf), W, &local);
			if (ret == 0) {
				/* A page-aligned mapping of an aligned base. */
				if ((local - addr) % 4096 != 0) {
					e->bad++;
					continue;
				}
				/* Faults here if it was unmapped too early. */
				memcpy((void *)(uintptr_t)local, buf,
					sizeof(buf));
				e->ok++;
			} else if (ret == -EFAULT) {
				e->fault++;
			} else if (ret == -ENOLINK &&
					/* Ordered by the table's acquire load. */
					__atomic_load_n(&e->c->killing,
						__ATOMIC_RELAXED)) {
				e->nolink++;
			} else {
				e->bad++;
				e->bad_ret = ret;
			}
		}
		rte_dma_domain_qs_exit(&e->qs);
		__atomic_add_fetch(&e->iters, 1, __ATOMIC_RELEASE);
	}
	return NULL;
}

/* Until every executor has run a batch more: they overlap the updates. */
static void
conc_wait_progress(struct conc *c)
{
	uint64_t seen[CONC_EXECUTORS];
	unsigned int i;

	for (i = 0; i < CONC_EXECUTORS; i++)
		seen[i] = __atomic_load_n(&c->ex[i].iters, __ATOMIC_ACQUIRE);
	for (i = 0; i < CONC_EXECUTORS; i++)
		while (__atomic_load_n(&c->ex[i].iters, __ATOMIC_ACQUIRE) <=
				seen[i] + 1)
			sched_yield();
}

static void
conc_run(void)
{
	/* The counters are cache-aligned: calloc() would not honour it. */
	struct conc *c = aligned_alloc(RTE_CACHE_LINE_SIZE, sizeof(*c));
	bool present[CONC_SLOTS] = { false };
	int fd[CONC_SLOTS];
	uint64_t total_ok = 0;
	unsigned int i, u;

	assert_non_null(c);
	memset(c, 0, sizeof(*c));
	rng_seed((uint64_t)time(NULL) ^ 0x5bd1e995);
	for (i = 0; i < CONC_SLOTS; i++)
		fd[i] = memfd_new(CONC_LEN);
	assert_int_equal(dxa_map_learn(GROUP_CONC, CONC_HANDLER, false), 0);
	assert_int_equal(dxa_map_ref(CONC_HANDLER, &c->map, NULL, NULL), 0);
	for (i = 0; i < CONC_EXECUTORS; i++) {
		struct conc_exec *e = &c->ex[i];

		e->c = c;
		e->seed = rng() | 1;
		rte_dma_domain_qs_register(&e->qs);
		assert_int_equal(pthread_create(&e->th, NULL, conc_executor,
			e), 0);
	}

	for (u = 0; u < CONC_UPDATES; u++) {
		uint32_t s = rng() % CONC_SLOTS;

		if (present[s]) {
			assert_int_equal(dxa_map_window_del(CONC_HANDLER,
				s + 1), 0);
		} else {
			/* A new mapping each time: a new local address. */
			void *p = map_fd(fd[s], CONC_LEN);

			assert_int_equal(dxa_map_window_add(GROUP_CONC,
				CONC_HANDLER, s + 1, conc_base(s), CONC_LEN,
				RW, (uintptr_t)p, p, CONC_LEN), 0);
		}
		present[s] = !present[s];
		if (u % 64 == 0)
			conc_wait_progress(c);
	}
	conc_wait_progress(c);
	__atomic_store_n(&c->killing, true, __ATOMIC_RELAXED);
	dxa_map_kill(CONC_HANDLER);
	conc_wait_progress(c);
	__atomic_store_n(&c->stop, true, __ATOMIC_RELEASE);

	for (i = 0; i < CONC_EXECUTORS; i++) {
		struct conc_exec *e = &c->ex[i];

		assert_int_equal(pthread_join(e->th, NULL), 0);
		rte_dma_domain_qs_unregister(&e->qs);
		print_message("  executor %u: %" PRIu64 " batches, %" PRIu64
			" ok, %" PRIu64 " -EFAULT, %" PRIu64 " -ENOLINK\n", i,
			e->iters, e->ok, e->fault, e->nolink);
		if (e->bad != 0)
			fail_msg("executor %u: %" PRIu64
				" bad results (last %d)", i, e->bad, e->bad_ret);
		/* It ran after the kill, so it saw the map dead. */
		assert_true(e->nolink > 0);
		total_ok += e->ok;
	}
	assert_true(total_ok > 0);
	rte_dma_domain_map_put(c->map);
	for (i = 0; i < CONC_SLOTS; i++)
		close(fd[i]);
	free(c);
}

/*
 * Executors enter their sections without a fence of their own where the
 * kernel lets the updaters order them (membarrier(2)): the default here.
 */
static void
test_concurrent_updates(void **state)
{
	RTE_SET_USED(state);
	print_message("  executors enter sections %s\n",
		rte_dma_domain_qs_asym != 0 ?
		"without a fence (membarrier(2) at each update)" :
		"with a fence (no membarrier(2) here)");
	conc_run();
}

/*
 * RTE_DMA_DOMAIN_QS_FENCE=1 keeps the fences (no membarrier(2), no
 * interrupts of other CPUs at updates): this program, executed again with
 * it, says which way its executors enter.
 */
/* How a copy of this program run with RTE_DMA_DOMAIN_QS_FENCE=@v enters. */
static unsigned long
qs_asym_with(const char *v)
{
	char exe[PATH_MAX], cmd[PATH_MAX + 64], out[16] = "";
	ssize_t n;
	FILE *p;

	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	assert_true(n > 0);
	exe[n] = '\0';
	snprintf(cmd, sizeof(cmd), "RTE_DMA_DOMAIN_QS_FENCE=%s '%s' qs-asym",
		v, exe);
	p = popen(cmd, "r");
	assert_non_null(p);
	assert_non_null(fgets(out, sizeof(out), p));
	assert_int_equal(pclose(p), 0);
	return strtoul(out, NULL, 10);
}

static void
test_fence_env(void **state)
{
	RTE_SET_USED(state);
	assert_int_equal(qs_asym_with("1"), 0);
	assert_int_equal(qs_asym_with("0"), rte_dma_domain_qs_asym);
}

/* And with a fence in each, as where the kernel has no membarrier(2). */
static void
test_concurrent_updates_fenced(void **state)
{
	uint32_t asym = rte_dma_domain_qs_asym;

	RTE_SET_USED(state);
	/* No executor runs between tests: the switch is safe here. */
	rte_dma_domain_qs_asym = 0;
	conc_run();
	rte_dma_domain_qs_asym = asym;
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		/* Errors first. */
		cmocka_unit_test(test_table_build_invalid),
		cmocka_unit_test(test_map_invalid),
		/* Then lookups, from exact bounds to random tables. */
		cmocka_unit_test(test_lookup_bounds),
		cmocka_unit_test(test_lookup_huge_and_tiny),
		cmocka_unit_test(test_random_windows),
		cmocka_unit_test(test_cache),
		/* Maps, reclamation, and both together. */
		cmocka_unit_test(test_map_learn),
		cmocka_unit_test(test_map_lifecycle),
		cmocka_unit_test(test_map_kill_group),
		cmocka_unit_test(test_map_full),
		cmocka_unit_test(test_qs_synchronize),
		cmocka_unit_test(test_fork),
		cmocka_unit_test(test_nomem),
		cmocka_unit_test(test_concurrent_updates),
		cmocka_unit_test(test_concurrent_updates_fenced),
		cmocka_unit_test(test_fence_env),
	};

	/* For test_fence_env(): how this process's executors enter. */
	if (argc == 2 && strcmp(argv[1], "qs-asym") == 0) {
		printf("%u\n", rte_dma_domain_qs_asym);
		return 0;
	}

	return cmocka_run_group_tests_name("xlate", tests, NULL, NULL) == 0 ?
		0 : 1;
}
