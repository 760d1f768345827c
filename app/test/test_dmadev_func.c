/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-dma-xd authors
 */

/*
 * Functional tests of a software dmadev, run once per device:
 *
 *   test_dmadev_func xd-inline   dma_xd_skeleton, inline engine
 *   test_dmadev_func xd-lcore    dma_xd_skeleton, engine on lcore 1
 *   test_dmadev_func cnxk-inline dma_xd_cnxk (Class A), inline engine
 *   test_dmadev_func cnxk-lcore  dma_xd_cnxk, engine on lcore 1
 *   test_dmadev_func idxd-inline dma_xd_idxd (Class B), inline engine
 *   test_dmadev_func idxd-lcore  dma_xd_idxd, engine on lcore 1
 *   test_dmadev_func debian      Debian's own dma_skeleton plugin
 *
 * Everything DPDK's dmadev API promises (ring indexes, completion counts,
 * statistics, stop/start) is checked on every device; what only our
 * driver's specification promises (per-op error statuses, devargs, exact
 * limits) is skipped, with the reason, on Debian's device. The program
 * exits 77 (meson: skipped) when the device under test is not available.
 */

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <rte_bus_vdev.h>
#include <rte_common.h>
#include <rte_dmadev.h>
#include <rte_eal.h>
#include <rte_malloc.h>

#include "rte_dmadev_domain.h"
#include "test_eal.h"

#define EXIT_SKIP 77

/* Default ring: a power of two, as Debian's dma_skeleton requires. */
#define NB_DESC 1024
#define BUF_LEN (2u << 20)
#define MIB (1u << 20)
#define GUARD 64
#define SENTINEL 0xa5
#define REAP_TIMEOUT_NS (5ull * 1000 * 1000 * 1000)
/* Sizes of the tests' own arrays, above what any device here offers. */
#define MAX_SGES 64
#define MAX_VCHANS 64

/* The xd_skeleton specification. */
#define XD_MAX_VCHANS 8
#define XD_MIN_DESC 32
#define XD_MAX_DESC 32768
#define XD_MAX_SGES 16

struct target {
	const char *arg;        /* command-line name */
	const char *dev_name;   /* the device under test */
	const char *vdev_arg;   /* EAL --vdev argument, NULL: create at run time */
	const char *devargs;    /* the device's devargs */
	const char *spare_name; /* a second device of the same driver */
	bool xd;                /* our driver: its whole specification applies */
	bool inline_engine;     /* copies happen inside rte_dma_submit() */
	uint64_t domain_capa;   /* inter-domain capability bits it advertises */
	const char *capa_line;  /* how rte_dma_dump() prints them */
	int dev_class;          /* rte_dma_domain_class_get() */
	const char *lower_vdev_arg; /* stacked: the engine device's --vdev */
	const char *lower_name;     /* stacked: the engine device */
};

#define XD_BOTH_DOMAINS \
	(RTE_DMA_CAPA_INTER_PROCESS_DOMAIN | RTE_DMA_CAPA_INTER_OS_DOMAIN)
#define XD_BOTH_LINE "inter-domain capa: inter_process_domain inter_os_domain\n"
#define XD_PROCESS_LINE "inter-domain capa: inter_process_domain\n"

static const struct target targets[] = {
	{
		.arg = "xd-inline",
		.dev_name = "dma_xd_skeleton0",
		.vdev_arg = "--vdev=dma_xd_skeleton0",
		.devargs = "",
		.spare_name = "dma_xd_skeleton5",
		.xd = true,
		.inline_engine = true,
		.domain_capa = XD_BOTH_DOMAINS,
		.capa_line = XD_BOTH_LINE,
		.dev_class = RTE_DMA_DOMAIN_CLASS_SOFTWARE,
	},
	{
		.arg = "xd-lcore",
		.dev_name = "dma_xd_skeleton0",
		.vdev_arg = "--vdev=dma_xd_skeleton0,lcore=1",
		.devargs = "lcore=1",
		.spare_name = "dma_xd_skeleton5",
		.xd = true,
		.domain_capa = XD_BOTH_DOMAINS,
		.capa_line = XD_BOTH_LINE,
		.dev_class = RTE_DMA_DOMAIN_CLASS_SOFTWARE,
	},
	{
		.arg = "cnxk-inline",
		.dev_name = "dma_xd_cnxk0",
		.vdev_arg = "--vdev=dma_xd_cnxk0",
		.devargs = "",
		.spare_name = "dma_xd_cnxk5",
		.xd = true,
		.inline_engine = true,
		.domain_capa = RTE_DMA_CAPA_INTER_PROCESS_DOMAIN,
		.capa_line = XD_PROCESS_LINE,
		.dev_class = RTE_DMA_DOMAIN_CLASS_A,
	},
	{
		.arg = "cnxk-lcore",
		.dev_name = "dma_xd_cnxk0",
		.vdev_arg = "--vdev=dma_xd_cnxk0,lcore=1",
		.devargs = "lcore=1",
		.spare_name = "dma_xd_cnxk5",
		.xd = true,
		.domain_capa = RTE_DMA_CAPA_INTER_PROCESS_DOMAIN,
		.capa_line = XD_PROCESS_LINE,
		.dev_class = RTE_DMA_DOMAIN_CLASS_A,
	},
	{
		.arg = "idxd-inline",
		.dev_name = "dma_xd_idxd0",
		.vdev_arg = "--vdev=dma_xd_idxd0",
		.devargs = "",
		.spare_name = "dma_xd_idxd5",
		.xd = true,
		.inline_engine = true,
		.domain_capa = XD_BOTH_DOMAINS,
		.capa_line = XD_BOTH_LINE,
		.dev_class = RTE_DMA_DOMAIN_CLASS_B,
	},
	{
		.arg = "idxd-lcore",
		.dev_name = "dma_xd_idxd0",
		.vdev_arg = "--vdev=dma_xd_idxd0,lcore=1",
		.devargs = "lcore=1",
		.spare_name = "dma_xd_idxd5",
		.xd = true,
		.domain_capa = XD_BOTH_DOMAINS,
		.capa_line = XD_BOTH_LINE,
		.dev_class = RTE_DMA_DOMAIN_CLASS_B,
	},
	{
		/* Stacked over Debian's dma_skeleton, which does the copies. */
		.arg = "xd-stacked",
		.dev_name = "dma_xd_skeleton0",
		.lower_vdev_arg = "--vdev=dma_skeleton0",
		.lower_name = "dma_skeleton0",
		.vdev_arg = "--vdev=dma_xd_skeleton0,engine=dma_skeleton0",
		.devargs = "engine=dma_skeleton0",
		.spare_name = "dma_xd_skeleton5",
		.xd = true,
		.domain_capa = XD_BOTH_DOMAINS,
		.capa_line = XD_BOTH_LINE,
		.dev_class = RTE_DMA_DOMAIN_CLASS_SOFTWARE,
	},
	{
		/* The same with every window mapped for dma_skeleton's DMA. */
		.arg = "idxd-stacked-map",
		.dev_name = "dma_xd_idxd0",
		.lower_vdev_arg = "--vdev=dma_skeleton0",
		.lower_name = "dma_skeleton0",
		.vdev_arg = "--vdev=dma_xd_idxd0,engine=dma_skeleton0,engine_map=1",
		.devargs = "engine=dma_skeleton0,engine_map=1",
		.spare_name = "dma_xd_idxd5",
		.xd = true,
		.domain_capa = XD_BOTH_DOMAINS,
		.capa_line = XD_BOTH_LINE,
		.dev_class = RTE_DMA_DOMAIN_CLASS_B,
	},
	{
		/*
		 * Created after EAL init, so that a system without the plugin
		 * skips instead of failing EAL init.
		 */
		.arg = "debian",
		.dev_name = "dma_skeleton0",
		.devargs = "",
		.spare_name = "dma_skeleton5",
	},
};

static const struct target *target;
static int16_t dev_id = -1;
static struct rte_dma_info info;
static uint8_t *src_buf;
static uint8_t *dst_buf;

/* IOVA as VA (checked at start-up), and the devices advertise SVA. */
static rte_iova_t
iova(const void *p)
{
	return (rte_iova_t)(uintptr_t)p;
}

static void
skip_unless(bool cond, const char *why)
{
	if (!cond) {
		print_message("  skip reason: %s\n", why);
		skip();
	}
}

static void
skip_unless_xd(const char *why)
{
	skip_unless(target->xd, why);
}

static void
skip_unless_capa(uint64_t capa, const char *name)
{
	if ((info.dev_capa & capa) == 0) {
		print_message("  skip reason: %s lacks %s\n", target->dev_name,
			name);
		skip();
	}
}

/* Bytes that differ from one position and one seed to the next. */
static void
pattern_fill(uint8_t *p, size_t len, uint32_t seed)
{
	uint32_t x = seed * 2654435761u + 1;
	size_t i;

	for (i = 0; i < len; i++) {
		x = x * 1103515245u + 12345u;
		p[i] = (uint8_t)(x >> 16);
	}
}

static void
check_equal(const uint8_t *got, const uint8_t *want, size_t len,
		const char *what)
{
	size_t i;

	if (memcmp(got, want, len) == 0)
		return;
	for (i = 0; i < len && got[i] == want[i]; i++)
		;
	fail_msg("%s: byte %zu of %zu is 0x%02x, expected 0x%02x", what, i,
		len, got[i], want[i]);
}

static void
check_untouched(const uint8_t *p, size_t len, const char *what)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (p[i] != SENTINEL)
			fail_msg("%s: byte %zu was written (0x%02x)", what, i,
				p[i]);
	}
}

static void
deadline_check(uint64_t deadline, uint16_t vchan, unsigned int done,
		unsigned int want)
{
	if (test_now_ns() > deadline)
		fail_msg("vchan %u: %u of %u completions after %llu s", vchan,
			done, want, REAP_TIMEOUT_NS / 1000000000ull);
	/*
	 * A worker thread may share this CPU (Debian's skeleton runs on the
	 * control-thread cpuset): let it run instead of spinning.
	 */
	sched_yield();
}

/*
 * Reap exactly @p n successful completions with rte_dma_completed(),
 * polling for asynchronous engines. Returns the last_idx reported.
 */
static uint16_t
reap(uint16_t vchan, uint16_t n)
{
	uint64_t deadline = test_now_ns() + REAP_TIMEOUT_NS;
	uint16_t done = 0;
	uint16_t last = 0;
	bool err = false;
	uint16_t got;

	while (done < n) {
		got = rte_dma_completed(dev_id, vchan, n - done, &last, &err);
		if (err)
			fail_msg("vchan %u: has_error after %u of %u", vchan,
				done + got, n);
		assert_true(got <= n - done);
		done += got;
		if (got == 0)
			deadline_check(deadline, vchan, done, n);
	}
	return last;
}

/* Reap exactly @p n statuses with rte_dma_completed_status(). */
static uint16_t
reap_status(uint16_t vchan, uint16_t n, enum rte_dma_status_code *st)
{
	uint64_t deadline = test_now_ns() + REAP_TIMEOUT_NS;
	uint16_t done = 0;
	uint16_t last = 0;
	uint16_t got;

	while (done < n) {
		got = rte_dma_completed_status(dev_id, vchan, n - done, &last,
			st + done);
		assert_true(got <= n - done);
		done += got;
		if (got == 0)
			deadline_check(deadline, vchan, done, n);
	}
	return last;
}

/* Nothing left to report: 0, no error, last_idx unchanged. */
static void
expect_nothing(uint16_t vchan, uint16_t last_idx)
{
	enum rte_dma_status_code st[4];
	uint16_t last = (uint16_t)(last_idx + 1);
	bool err = true;

	assert_int_equal(rte_dma_completed(dev_id, vchan, 4, &last, &err), 0);
	assert_false(err);
	assert_int_equal(last, last_idx);
	last = (uint16_t)(last_idx + 1);
	assert_int_equal(rte_dma_completed_status(dev_id, vchan, 4, &last, st),
		0);
	assert_int_equal(last, last_idx);
}

/*
 * Nothing reported yet since start: 0 and no error. (DPDK does not say
 * what last_idx reads before the first completion.)
 */
static void
expect_none_yet(uint16_t vchan)
{
	enum rte_dma_status_code st[4];
	uint16_t last;
	bool err = true;

	assert_int_equal(rte_dma_completed(dev_id, vchan, 4, &last, &err), 0);
	assert_false(err);
	assert_int_equal(rte_dma_completed_status(dev_id, vchan, 4, &last, st),
		0);
}

static void
enq_copy(uint16_t vchan, const void *src, void *dst, uint32_t len,
		uint64_t flags, uint16_t idx)
{
	int ret = rte_dma_copy(dev_id, vchan, iova(src), iova(dst), len, flags);

	if (ret != idx)
		fail_msg("copy on vchan %u returned %d, expected ring idx %u",
			vchan, ret, idx);
}

static void
expect_status(const enum rte_dma_status_code *got,
		const enum rte_dma_status_code *want, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (got[i] != want[i])
			fail_msg("status %u is %d, expected %d", i, got[i],
				want[i]);
	}
}

/* Stop, configure @p nb_vchans vchans with the given ring sizes, start. */
static void
dev_setup_desc(uint16_t nb_vchans, const uint16_t *nb_desc)
{
	struct rte_dma_conf conf = { .nb_vchans = nb_vchans };
	struct rte_dma_vchan_conf vconf;
	uint16_t v;

	assert_int_equal(rte_dma_stop(dev_id), 0);
	assert_int_equal(rte_dma_configure(dev_id, &conf), 0);
	for (v = 0; v < nb_vchans; v++) {
		memset(&vconf, 0, sizeof(vconf));
		vconf.direction = RTE_DMA_DIR_MEM_TO_MEM;
		vconf.nb_desc = nb_desc[v];
		assert_int_equal(rte_dma_vchan_setup(dev_id, v, &vconf), 0);
	}
	assert_int_equal(rte_dma_start(dev_id), 0);
}

static void
dev_setup(uint16_t nb_vchans, uint16_t nb_desc)
{
	uint16_t descs[MAX_VCHANS] = { 0 };
	uint16_t v;

	assert_true(nb_vchans <= RTE_DIM(descs));
	for (v = 0; v < nb_vchans; v++)
		descs[v] = nb_desc;
	dev_setup_desc(nb_vchans, descs);
}

/* Every test starts from one started vchan with NB_DESC descriptors. */
static int
setup_default(void **state)
{
	RTE_SET_USED(state);
	dev_setup(1, NB_DESC);
	return 0;
}

/* Ring capacity the device may report for @p nb_desc descriptors. */
static void
check_capacity(uint16_t vchan, uint16_t nb_desc)
{
	uint16_t cap = rte_dma_burst_capacity(dev_id, vchan);

	if (target->xd) {
		/* nb_desc rounded up to a power of two, all usable */
		assert_int_equal(cap, rte_align32pow2(nb_desc));
	} else {
		/* a ring may keep one slot free to tell full from empty */
		assert_true(cap == nb_desc || cap == nb_desc - 1);
	}
}

/* --- device description --- */

static void
test_info(void **state)
{
	struct rte_dma_info di;

	RTE_SET_USED(state);
	assert_int_equal(rte_dma_info_get(dev_id, &di), 0);
	assert_string_equal(di.dev_name, target->dev_name);
	assert_true(di.dev_capa & RTE_DMA_CAPA_MEM_TO_MEM);
	assert_true(di.dev_capa & RTE_DMA_CAPA_OPS_COPY);
	assert_int_equal(di.nb_vchans, 1);
	assert_true(di.max_vchans >= 1);
	assert_true(di.min_desc <= NB_DESC && NB_DESC <= di.max_desc);
	/* Ours cross domains, each its own kinds; Debian's device none. */
	assert_int_equal(di.dev_capa & XD_BOTH_DOMAINS, target->domain_capa);
	assert_int_equal(rte_dma_domain_is_supported(dev_id,
		RTE_DMA_INTER_PROCESS_DOMAIN),
		!!(target->domain_capa & RTE_DMA_CAPA_INTER_PROCESS_DOMAIN));
	assert_int_equal(rte_dma_domain_is_supported(dev_id,
		RTE_DMA_INTER_OS_DOMAIN),
		!!(target->domain_capa & RTE_DMA_CAPA_INTER_OS_DOMAIN));
}

/* The class: ours declare one; Debian's device has no inter-domain ops. */
static void
test_domain_class(void **state)
{
	RTE_SET_USED(state);
	assert_int_equal(rte_dma_domain_class_get(-1), -EINVAL);
	assert_int_equal(rte_dma_domain_class_get(INT16_MAX),
		-EINVAL);
	assert_int_equal(rte_dma_domain_class_get(dev_id),
		target->xd ? target->dev_class : -ENOTSUP);
}

static void
test_info_xd(void **state)
{
	/* HANDLES_ERRORS: per-op statuses, the device goes on (DPDK's suite). */
	static const uint64_t want = RTE_DMA_CAPA_MEM_TO_MEM |
		RTE_DMA_CAPA_SVA | RTE_DMA_CAPA_HANDLES_ERRORS |
		RTE_DMA_CAPA_OPS_COPY | RTE_DMA_CAPA_OPS_COPY_SG |
		RTE_DMA_CAPA_OPS_FILL;
	static const uint64_t never = RTE_DMA_CAPA_MEM_TO_DEV |
		RTE_DMA_CAPA_DEV_TO_MEM | RTE_DMA_CAPA_DEV_TO_DEV;

	static const uint64_t ops = RTE_DMA_CAPA_OPS_COPY_SG |
		RTE_DMA_CAPA_OPS_FILL;
	struct rte_dma_info lo;
	int16_t lower;

	RTE_SET_USED(state);
	skip_unless_xd("limits and capabilities of the xd_skeleton spec");
	assert_int_equal(info.dev_capa & XD_BOTH_DOMAINS, target->domain_capa);
	assert_int_equal(info.dev_capa & never, 0);
	if (target->lower_name == NULL) {
		assert_int_equal(info.dev_capa & want, want);
		assert_int_equal(info.max_vchans, XD_MAX_VCHANS);
		assert_int_equal(info.min_desc, XD_MIN_DESC);
		assert_int_equal(info.max_desc, XD_MAX_DESC);
		assert_int_equal(info.max_sges, XD_MAX_SGES);
		return;
	}
	/* Stacked: what the spec and the engine device both offer. */
	lower = rte_dma_get_dev_id_by_name(target->lower_name);
	assert_true(lower >= 0);
	assert_int_equal(rte_dma_info_get(lower, &lo), 0);
	assert_int_equal(info.dev_capa & (want & ~ops), want & ~ops);
	assert_int_equal(info.dev_capa & ops, lo.dev_capa & ops);
	assert_int_equal(info.max_vchans, RTE_MIN(XD_MAX_VCHANS, lo.max_vchans));
	assert_int_equal(info.min_desc, RTE_MAX(XD_MIN_DESC, lo.min_desc));
	/* the engine device's ring is twice ours */
	assert_int_equal(info.max_desc, RTE_MIN(XD_MAX_DESC, lo.max_desc / 2));
	assert_int_equal(info.max_sges, RTE_MIN(XD_MAX_SGES, lo.max_sges));
}

/*
 * The inter-domain setup call with handlers the device cannot reach: for a
 * type without the capability (any type on Debian's device) -EINVAL, else
 * (not a member of any group) -ENOENT from the handler check.
 */
static void
test_domain_setup_local(void **state)
{
	static const enum rte_dma_inter_domain_type types[] = {
		RTE_DMA_INTER_PROCESS_DOMAIN, RTE_DMA_INTER_OS_DOMAIN,
	};
	static const uint64_t capa[] = {
		RTE_DMA_CAPA_INTER_PROCESS_DOMAIN, RTE_DMA_CAPA_INTER_OS_DOMAIN,
	};
	struct rte_dma_inter_domain_param d;
	struct rte_dma_vchan_conf conf;
	unsigned int i;

	RTE_SET_USED(state);
	memset(&conf, 0, sizeof(conf));
	conf.direction = RTE_DMA_DIR_MEM_TO_MEM;
	conf.nb_desc = NB_DESC;
	memset(&d, 0, sizeof(d));
	assert_int_equal(rte_dma_domain_vchan_setup(dev_id, 0, &conf, &d),
		-EBUSY);
	assert_int_equal(rte_dma_stop(dev_id), 0);
	conf.nb_desc = 64;
	for (i = 0; i < RTE_DIM(types); i++) {
		d.type = types[i];
		d.src_handler = 1;
		d.dst_handler = 2;
		assert_int_equal(rte_dma_domain_vchan_setup(dev_id, 0, &conf,
			&d), (target->domain_capa & capa[i]) ? -ENOENT : -EINVAL);
	}
	/* refused: the vchan still has its NB_DESC ring and works */
	assert_int_equal(rte_dma_start(dev_id), 0);
	check_capacity(0, NB_DESC);
	pattern_fill(src_buf, 256, 7);
	memset(dst_buf, SENTINEL, 256);
	enq_copy(0, src_buf, dst_buf, 256, RTE_DMA_OP_FLAG_SUBMIT, 0);
	assert_int_equal(reap(0, 1), 0);
	check_equal(dst_buf, src_buf, 256, "copy after a refused setup");

	/* NONE is an ordinary local vchan: this setup does take effect */
	assert_int_equal(rte_dma_stop(dev_id), 0);
	memset(&d, 0, sizeof(d));
	assert_int_equal(rte_dma_domain_vchan_setup(dev_id, 0, &conf, &d), 0);
	assert_int_equal(rte_dma_start(dev_id), 0);
	check_capacity(0, 64);
	memset(dst_buf, SENTINEL, 256);
	enq_copy(0, src_buf, dst_buf, 256, RTE_DMA_OP_FLAG_SUBMIT, 0);
	assert_int_equal(reap(0, 1), 0);
	check_equal(dst_buf, src_buf, 256, "copy on a NONE vchan");
}

/* --- data movement --- */

static void
test_copy_sizes(void **state)
{
	static const struct {
		uint32_t len;
		uint32_t src_off;
		uint32_t dst_off;
	} cases[] = {
		{ 1, 0, 0 }, { 2, 0, 0 }, { 15, 0, 0 }, { 16, 0, 0 },
		{ 17, 3, 1 }, { 31, 0, 0 }, { 32, 0, 0 }, { 33, 5, 0 },
		{ 48, 0, 7 }, { 63, 0, 0 }, { 64, 0, 0 },
		{ 65, 0, 0 }, { 64, 1, 3 }, { 4095, 0, 0 }, { 4096, 0, 0 },
		{ 4096, 7, 13 }, { 4097, 0, 0 }, { 65536, 0, 0 }, { MIB, 0, 0 },
		{ MIB, 5, 1 },
	};
	uint16_t idx = 0;
	unsigned int i;

	RTE_SET_USED(state);
	for (i = 0; i < RTE_DIM(cases); i++) {
		uint32_t len = cases[i].len;
		uint8_t *src = src_buf + cases[i].src_off;
		uint8_t *dst = dst_buf + GUARD + cases[i].dst_off;

		pattern_fill(src, len, i + 1);
		memset(dst_buf, SENTINEL, GUARD + cases[i].dst_off + len + GUARD);
		enq_copy(0, src, dst, len, RTE_DMA_OP_FLAG_SUBMIT, idx);
		assert_int_equal(reap(0, 1), idx);
		check_equal(dst, src, len, "copied data");
		check_untouched(dst_buf, GUARD + cases[i].dst_off,
			"bytes before the destination");
		check_untouched(dst + len, GUARD, "bytes after the destination");
		idx++;
	}
	expect_nothing(0, idx - 1);
}

/* Nothing completes before the doorbell; both doorbells work. */
static void
test_copy_doorbell(void **state)
{
	const uint32_t len = 4096;
	unsigned int i;

	RTE_SET_USED(state);
	pattern_fill(src_buf, 4 * len, 11);
	memset(dst_buf, SENTINEL, 4 * len);
	for (i = 0; i < 3; i++)
		enq_copy(0, src_buf + i * len, dst_buf + i * len, len, 0, i);
	usleep(2000);
	expect_none_yet(0);

	assert_int_equal(rte_dma_submit(dev_id, 0), 0);
	assert_int_equal(reap(0, 3), 2);
	check_equal(dst_buf, src_buf, 3 * len, "copies after rte_dma_submit");

	enq_copy(0, src_buf + 3 * len, dst_buf + 3 * len, len,
		RTE_DMA_OP_FLAG_SUBMIT, 3);
	assert_int_equal(reap(0, 1), 3);
	check_equal(dst_buf + 3 * len, src_buf + 3 * len, len,
		"copy with RTE_DMA_OP_FLAG_SUBMIT");
	/* an empty doorbell is harmless */
	assert_int_equal(rte_dma_submit(dev_id, 0), 0);
	expect_nothing(0, 3);
}

/*
 * An op runs at the doorbell, not at enqueue, as on hardware: until then
 * its source may still change and its destination is not written, and a
 * stop before the doorbell drops it. The xd_skeleton spec says the same of
 * its inline engine ("copy performed on the caller's core at submit time").
 */
static void
test_exec_at_doorbell(void **state)
{
	const uint32_t len = 4096;
	uint8_t *src = src_buf, *dst = dst_buf;

	RTE_SET_USED(state);
	/* the source is read at the doorbell */
	pattern_fill(src, len, 13);
	memset(dst, SENTINEL, len);
	enq_copy(0, src, dst, len, 0, 0);
	usleep(2000);
	check_untouched(dst, len,
		"destination written before the doorbell (op ran at enqueue)");
	pattern_fill(src, len, 14);
	assert_int_equal(rte_dma_submit(dev_id, 0), 0);
	assert_int_equal(reap(0, 1), 0);
	check_equal(dst, src, len,
		"destination vs source as it was at the doorbell");

	/* an op enqueued on another vchan waits for that vchan's doorbell */
	if (info.max_vchans >= 2) {
		dev_setup(2, NB_DESC);
		memset(dst, SENTINEL, len);
		enq_copy(1, src, dst, len, 0, 0);
		enq_copy(0, src, dst + len, len, RTE_DMA_OP_FLAG_SUBMIT, 0);
		assert_int_equal(reap(0, 1), 0);
		usleep(2000);
		check_untouched(dst, len,
			"vchan 1 destination after vchan 0's doorbell only");
		assert_int_equal(rte_dma_submit(dev_id, 1), 0);
		assert_int_equal(reap(1, 1), 0);
		check_equal(dst, src, len, "vchan 1 after its doorbell");
	}

	/* a stop before the doorbell drops the op unexecuted */
	memset(dst, SENTINEL, len);
	enq_copy(0, src, dst, len, 0, 1);
	assert_int_equal(rte_dma_stop(dev_id), 0);
	assert_int_equal(rte_dma_start(dev_id), 0);
	assert_int_equal(rte_dma_submit(dev_id, 0), 0);
	usleep(2000);
	expect_none_yet(0);
	check_untouched(dst, len, "destination of an op dropped by a stop");
}

/* The inline engine has copied by the time rte_dma_submit() returns. */
static void
test_inline_synchronous(void **state)
{
	const uint32_t len = 1000;
	uint16_t last = 0;
	bool err = true;
	unsigned int i;

	RTE_SET_USED(state);
	skip_unless(target->inline_engine, "only the inline engine is synchronous");
	pattern_fill(src_buf, 8 * len, 12);
	memset(dst_buf, SENTINEL, 8 * len);
	for (i = 0; i < 8; i++)
		enq_copy(0, src_buf + i * len, dst_buf + i * len, len, 0, i);
	assert_int_equal(rte_dma_submit(dev_id, 0), 0);
	check_equal(dst_buf, src_buf, 8 * len, "destination after the doorbell");
	assert_int_equal(rte_dma_completed(dev_id, 0, 64, &last, &err), 8);
	assert_false(err);
	assert_int_equal(last, 7);
}

struct sg_case {
	uint16_t nb_src;
	uint16_t nb_dst;
	uint32_t src_len[MAX_SGES];
	uint32_t dst_len[MAX_SGES];
};

/*
 * Lay out the segments of one side in @p buf, each followed by a gap of
 * GUARD bytes; returns the bytes used.
 */
static size_t
sg_layout(uint8_t *buf, const uint32_t *len, uint16_t nb,
		struct rte_dma_sge *sge)
{
	size_t off = GUARD;
	uint16_t i;

	for (i = 0; i < nb; i++) {
		sge[i].addr = iova(buf + off);
		sge[i].length = len[i];
		off += len[i] + GUARD;
	}
	return off;
}

static void
run_sg_case(const struct sg_case *c, uint16_t idx)
{
	struct rte_dma_sge src[MAX_SGES], dst[MAX_SGES];
	uint8_t *flat = src_buf + MIB; /* the source stream, gathered */
	size_t src_used, dst_used, off;
	uint16_t i;

	src_used = sg_layout(src_buf, c->src_len, c->nb_src, src);
	dst_used = sg_layout(dst_buf, c->dst_len, c->nb_dst, dst);
	pattern_fill(src_buf, src_used, idx + 100);
	memset(dst_buf, SENTINEL, dst_used);
	for (i = 0, off = 0; i < c->nb_src; i++) {
		memcpy(flat + off, (void *)(uintptr_t)src[i].addr, src[i].length);
		off += src[i].length;
	}

	assert_int_equal(rte_dma_copy_sg(dev_id, 0, src, dst, c->nb_src,
		c->nb_dst, RTE_DMA_OP_FLAG_SUBMIT), idx);
	assert_int_equal(reap(0, 1), idx);

	for (i = 0, off = 0; i < c->nb_dst; i++) {
		const uint8_t *d = (const uint8_t *)(uintptr_t)dst[i].addr;

		check_equal(d, flat + off, dst[i].length, "scattered data");
		check_untouched(d - GUARD, GUARD, "gap before a segment");
		off += dst[i].length;
	}
	check_untouched(dst_buf + dst_used - GUARD, GUARD, "gap after the last segment");
}

static void
test_copy_sg(void **state)
{
	struct sg_case cases[5] = {
		{ 1, 3, { 3000 }, { 1000, 1000, 1000 } },
		{ 4, 1, { 1, 100, 1000, 1899 }, { 3000 } },
		{ 4, 2, { 7, 9, 4096, 1 }, { 4000, 113 } },
		{ 2, 2, { 1, 1 }, { 1, 1 } },
	};
	uint16_t max = RTE_MIN(info.max_sges, MAX_SGES);
	struct sg_case *big = &cases[4];
	uint32_t total = 0;
	uint16_t i;

	RTE_SET_USED(state);
	skip_unless_capa(RTE_DMA_CAPA_OPS_COPY_SG, "RTE_DMA_CAPA_OPS_COPY_SG");
	assert_true(info.max_sges >= 1);
	/* max_sges on both sides, split at different places */
	big->nb_src = max;
	big->nb_dst = max;
	for (i = 0; i < max; i++) {
		big->src_len[i] = 37u * i + 1;
		total += big->src_len[i];
	}
	for (i = 0; i < max - 1; i++)
		big->dst_len[i] = total / max;
	big->dst_len[max - 1] = total - (max - 1) * (total / max);

	for (i = 0; i < RTE_DIM(cases); i++) {
		if (cases[i].nb_src > max || cases[i].nb_dst > max)
			continue;
		run_sg_case(&cases[i], i);
	}
}

static void
test_copy_sg_invalid(void **state)
{
	struct rte_dma_sge src[XD_MAX_SGES + 1], dst[XD_MAX_SGES + 1];
	const uint16_t max = XD_MAX_SGES;
	const uint16_t counts[][2] = {
		{ 0, 1 }, { 1, 0 }, { 0, 0 }, { max + 1, 1 }, { 1, max + 1 },
		{ max + 1, max + 1 },
	};
	uint16_t cap = rte_dma_burst_capacity(dev_id, 0);
	unsigned int i;

	RTE_SET_USED(state);
	skip_unless_xd("sge count checks are part of the xd_skeleton spec");
	for (i = 0; i < RTE_DIM(src); i++) {
		src[i].addr = iova(src_buf + i * 64);
		src[i].length = 64;
		dst[i].addr = iova(dst_buf + i * 64);
		dst[i].length = 64;
	}
	for (i = 0; i < RTE_DIM(counts); i++) {
		int ret = rte_dma_copy_sg(dev_id, 0, src, dst, counts[i][0],
			counts[i][1], RTE_DMA_OP_FLAG_SUBMIT);

		if (ret != -EINVAL)
			fail_msg("copy_sg nb_src %u nb_dst %u returned %d, expected -EINVAL",
				counts[i][0], counts[i][1], ret);
	}
	/* refused immediately: no slot, no ring idx taken */
	assert_int_equal(rte_dma_burst_capacity(dev_id, 0), cap);
	expect_none_yet(0);
	enq_copy(0, src_buf, dst_buf, 64, RTE_DMA_OP_FLAG_SUBMIT, 0);
	assert_int_equal(reap(0, 1), 0);
}

static void
test_fill(void **state)
{
	static const uint64_t patterns[] = {
		0, UINT64_MAX, 0x0123456789abcdefull, 0xffull,
		0x8000000000000001ull, 0xa5a5a5a55a5a5a5aull,
	};
	static const uint32_t lens[] = { 1, 7, 8, 9, 15, 16, 17, 4099, 65536 };
	uint16_t idx = 0;
	unsigned int p, l;
	uint32_t i;

	RTE_SET_USED(state);
	skip_unless_capa(RTE_DMA_CAPA_OPS_FILL, "RTE_DMA_CAPA_OPS_FILL");
	for (p = 0; p < RTE_DIM(patterns); p++) {
		for (l = 0; l < RTE_DIM(lens); l++) {
			uint8_t *dst = dst_buf + GUARD;

			memset(dst_buf, SENTINEL, lens[l] + 2 * GUARD);
			assert_int_equal(rte_dma_fill(dev_id, 0, patterns[p],
				iova(dst), lens[l], RTE_DMA_OP_FLAG_SUBMIT), idx);
			assert_int_equal(reap(0, 1), idx);
			idx++;
			/* the pattern's bytes, least significant first */
			for (i = 0; i < lens[l]; i++) {
				uint8_t want = (uint8_t)(patterns[p] >> (8 * (i % 8)));

				if (dst[i] != want)
					fail_msg("fill 0x%016llx len %u: byte %u is 0x%02x, expected 0x%02x",
						(unsigned long long)patterns[p],
						lens[l], i, dst[i], want);
			}
			check_untouched(dst_buf, GUARD, "bytes before the fill");
			check_untouched(dst + lens[l], GUARD, "bytes after the fill");
		}
	}
}

/* --- ring indexes and completions --- */

static void
test_ring_idx_sequence(void **state)
{
	struct rte_dma_sge sge_s = { .addr = iova(src_buf), .length = 64 };
	struct rte_dma_sge sge_d = { .addr = iova(dst_buf + 4096), .length = 64 };
	uint16_t idx;

	RTE_SET_USED(state);
	/* every kind of op takes the next index */
	for (idx = 0; idx < 16; idx++) {
		int ret;

		if (idx % 4 == 1 && (info.dev_capa & RTE_DMA_CAPA_OPS_FILL))
			ret = rte_dma_fill(dev_id, 0, idx, iova(dst_buf + 8192),
				64, 0);
		else if (idx % 4 == 2 &&
				(info.dev_capa & RTE_DMA_CAPA_OPS_COPY_SG))
			ret = rte_dma_copy_sg(dev_id, 0, &sge_s, &sge_d, 1, 1, 0);
		else
			ret = rte_dma_copy(dev_id, 0, iova(src_buf),
				iova(dst_buf), 64, 0);
		assert_int_equal(ret, idx);
	}
	assert_int_equal(rte_dma_submit(dev_id, 0), 0);
	assert_int_equal(reap(0, 5), 4);
	assert_int_equal(reap(0, 5), 9);
	assert_int_equal(reap(0, 6), 15);
	expect_nothing(0, 15);
}

/* More than 65536 ops: every index returned and reported, across the wrap. */
static void
test_ring_wrap(void **state)
{
	const unsigned int burst = 256;
	const unsigned int total = 275 * burst; /* 70400 */
	const uint32_t chunk = 64;
	unsigned int sent = 0, reaped = 0, k = 0;
	uint64_t deadline;

	RTE_SET_USED(state);
	while (sent < total) {
		unsigned int b;

		/* new data each burst, so a missed copy shows */
		for (b = 0; b < burst; b++)
			memcpy(src_buf + b * chunk, &sent, sizeof(sent));
		for (b = 0; b < burst; b++, sent++) {
			int ret = rte_dma_copy(dev_id, 0,
				iova(src_buf + b * chunk),
				iova(dst_buf + b * chunk), chunk,
				b == burst - 1 ? RTE_DMA_OP_FLAG_SUBMIT : 0);

			if (ret != (uint16_t)sent)
				fail_msg("op %u: ring idx %d, expected %u",
					sent, ret, (uint16_t)sent);
		}
		/* reap in uneven pieces, checking each reported last_idx */
		deadline = test_now_ns() + REAP_TIMEOUT_NS;
		while (reaped < sent) {
			uint16_t want = RTE_MIN(1 + (k++ % 97), sent - reaped);
			uint16_t last = 0;
			bool err = false;
			uint16_t got;

			got = rte_dma_completed(dev_id, 0, want, &last, &err);
			assert_false(err);
			assert_true(got <= want);
			if (got == 0) {
				deadline_check(deadline, 0, reaped, sent);
				continue;
			}
			reaped += got;
			if (last != (uint16_t)(reaped - 1))
				fail_msg("after %u completions last_idx is %u, expected %u",
					reaped, last, (uint16_t)(reaped - 1));
		}
		check_equal(dst_buf, src_buf, burst * chunk, "burst data");
	}
	assert_true(total > 65536);
	expect_nothing(0, (uint16_t)(total - 1));
}

static void
test_completed_interplay(void **state)
{
	enum rte_dma_status_code st[8];
	enum rte_dma_status_code ok[8];
	uint16_t got = 0;
	uint64_t deadline;
	unsigned int i;

	RTE_SET_USED(state);
	for (i = 0; i < RTE_DIM(ok); i++)
		ok[i] = RTE_DMA_STATUS_SUCCESSFUL;
	pattern_fill(src_buf, 10 * 128, 21);
	memset(dst_buf, SENTINEL, 10 * 128);
	for (i = 0; i < 10; i++)
		enq_copy(0, src_buf + i * 128, dst_buf + i * 128, 128,
			i == 9 ? RTE_DMA_OP_FLAG_SUBMIT : 0, i);
	/* one stream of indexes, whichever call reports them */
	assert_int_equal(reap(0, 3), 2);
	memset(st, 0xff, sizeof(st));
	assert_int_equal(reap_status(0, 4, st), 6);
	expect_status(st, ok, 4);
	assert_int_equal(reap(0, 3), 9);
	expect_nothing(0, 9);
	check_equal(dst_buf, src_buf, 10 * 128, "copied data");

	/* last_idx and has_error are optional outputs */
	enq_copy(0, src_buf, dst_buf, 64, 0, 10);
	enq_copy(0, src_buf, dst_buf, 64, RTE_DMA_OP_FLAG_SUBMIT, 11);
	deadline = test_now_ns() + REAP_TIMEOUT_NS;
	while (got < 2) {
		uint16_t n = rte_dma_completed(dev_id, 0, 2 - got, NULL, NULL);

		got += n;
		if (n == 0)
			deadline_check(deadline, 0, got, 2);
	}
	expect_nothing(0, 11);
}

/* --- per-op errors (our driver only) --- */

#define NO_ERRORS_WHY "Debian's dma_skeleton has no per-op error statuses " \
	"(it reports every op successful and dereferences NULL addresses)"

/* Poll with rte_dma_completed() until it stops at a failed op. */
static uint16_t
reap_until_error(uint16_t vchan, uint16_t *last)
{
	uint64_t deadline = test_now_ns() + REAP_TIMEOUT_NS;
	uint16_t done = 0;
	bool err = false;
	uint16_t got;

	while (!err) {
		got = rte_dma_completed(dev_id, vchan, 64, last, &err);
		done += got;
		if (got == 0 && !err)
			deadline_check(deadline, vchan, done, done + 1);
	}
	return done;
}

static void
test_error_status(void **state)
{
	enum rte_dma_status_code want[8], st[8];
	struct rte_dma_sge sg_src[2], sg_dst[2];
	uint8_t *a = dst_buf, *b = dst_buf + 4096, *c = dst_buf + 8192;
	uint8_t *d = dst_buf + 12288, *e = dst_buf + 16384;
	uint16_t last = 0;
	bool err = false;
	uint16_t n = 0;

	RTE_SET_USED(state);
	skip_unless_xd(NO_ERRORS_WHY);
	pattern_fill(src_buf, 4096, 31);
	memset(dst_buf, SENTINEL, 5 * 4096);
	sg_src[0] = (struct rte_dma_sge){ iova(src_buf), 100 };
	sg_src[1] = (struct rte_dma_sge){ iova(src_buf + 100), 100 };
	sg_dst[0] = (struct rte_dma_sge){ iova(e), 150 };
	sg_dst[1] = (struct rte_dma_sge){ iova(e + 1024), 51 };

	/* one batch: good and bad ops mixed */
	enq_copy(0, src_buf, a, 512, 0, n);
	want[n++] = RTE_DMA_STATUS_SUCCESSFUL;
	assert_int_equal(rte_dma_copy(dev_id, 0, 0, iova(b), 512, 0), n);
	want[n++] = RTE_DMA_STATUS_INVALID_SRC_ADDR;
	enq_copy(0, src_buf, c, 512, 0, n);
	want[n++] = RTE_DMA_STATUS_SUCCESSFUL;
	assert_int_equal(rte_dma_copy(dev_id, 0, iova(src_buf), 0, 512, 0), n);
	want[n++] = RTE_DMA_STATUS_INVALID_DST_ADDR;
	/* An op the device does not advertise fails as such. */
	assert_int_equal(rte_dma_fill(dev_id, 0, 0x1122334455667788ull, 0, 512,
		0), n);
	want[n++] = (info.dev_capa & RTE_DMA_CAPA_OPS_FILL) ?
		RTE_DMA_STATUS_INVALID_DST_ADDR : RTE_DMA_STATUS_INVALID_OPCODE;
	/* 200 bytes gathered, 201 to scatter */
	assert_int_equal(rte_dma_copy_sg(dev_id, 0, sg_src, sg_dst, 2, 2, 0), n);
	want[n++] = (info.dev_capa & RTE_DMA_CAPA_OPS_COPY_SG) ?
		RTE_DMA_STATUS_INVALID_LENGTH : RTE_DMA_STATUS_INVALID_OPCODE;
	enq_copy(0, src_buf, d, 512, RTE_DMA_OP_FLAG_SUBMIT, n);
	want[n++] = RTE_DMA_STATUS_SUCCESSFUL;

	/* completed() stops before the first failed op... */
	assert_int_equal(reap_until_error(0, &last), 1);
	assert_int_equal(last, 0);
	/* ...and does not consume it: the same answer again */
	assert_int_equal(rte_dma_completed(dev_id, 0, 64, &last, &err), 0);
	assert_true(err);
	assert_int_equal(last, 0);
	/* completed_status() consumes it */
	assert_int_equal(rte_dma_completed_status(dev_id, 0, 1, &last, st), 1);
	assert_int_equal(st[0], RTE_DMA_STATUS_INVALID_SRC_ADDR);
	assert_int_equal(last, 1);
	/* then completed() goes on to the next failure */
	assert_int_equal(reap_until_error(0, &last), 1);
	assert_int_equal(last, 2);
	memset(st, 0xff, sizeof(st));
	assert_int_equal(reap_status(0, n - 3, st), n - 1);
	expect_status(st, want + 3, n - 3);
	expect_nothing(0, n - 1);

	check_equal(a, src_buf, 512, "good copy before the failure");
	check_equal(c, src_buf, 512, "good copy between failures");
	check_equal(d, src_buf, 512, "good copy after the failures");
	check_untouched(b, 4096, "destination of a copy from address 0");
	check_untouched(e, 4096, "destination of a mismatched copy_sg");

	/* the ring keeps working */
	memset(a, SENTINEL, 512);
	enq_copy(0, src_buf, a, 512, RTE_DMA_OP_FLAG_SUBMIT, n);
	assert_int_equal(reap(0, 1), n);
	check_equal(a, src_buf, 512, "copy after the errors");
}

static void
test_error_fence(void **state)
{
	enum rte_dma_status_code st[4];
	const enum rte_dma_status_code want[] = {
		RTE_DMA_STATUS_SUCCESSFUL, RTE_DMA_STATUS_INVALID_SRC_ADDR,
		RTE_DMA_STATUS_NOT_ATTEMPTED,
	};
	const enum rte_dma_status_code ok[] = {
		RTE_DMA_STATUS_SUCCESSFUL, RTE_DMA_STATUS_SUCCESSFUL,
	};
	uint8_t *fenced = dst_buf + 4096;

	RTE_SET_USED(state);
	skip_unless_xd(NO_ERRORS_WHY);
	pattern_fill(src_buf, 4096, 41);
	memset(dst_buf, SENTINEL, 4 * 4096);

	/* a fenced op after a failure in its batch is not attempted */
	enq_copy(0, src_buf, dst_buf, 256, 0, 0);
	assert_int_equal(rte_dma_copy(dev_id, 0, 0, iova(dst_buf + 8192), 256,
		0), 1);
	enq_copy(0, src_buf, fenced, 256,
		RTE_DMA_OP_FLAG_FENCE | RTE_DMA_OP_FLAG_SUBMIT, 2);
	assert_int_equal(reap_status(0, 3, st), 2);
	expect_status(st, want, 3);
	check_untouched(fenced, 4096, "destination of a not-attempted op");

	/* the failure does not reach into the next batch */
	enq_copy(0, src_buf, fenced, 256,
		RTE_DMA_OP_FLAG_FENCE | RTE_DMA_OP_FLAG_SUBMIT, 3);
	assert_int_equal(reap_status(0, 1, st), 3);
	expect_status(st, ok, 1);
	check_equal(fenced, src_buf, 256, "fenced copy in a new batch");

	/* a fence with nothing failed before it is just ordering */
	enq_copy(0, src_buf + 256, dst_buf + 12288, 256, 0, 4);
	enq_copy(0, dst_buf + 12288, dst_buf + 12288 + 1024, 256,
		RTE_DMA_OP_FLAG_FENCE | RTE_DMA_OP_FLAG_SUBMIT, 5);
	assert_int_equal(reap_status(0, 2, st), 5);
	expect_status(st, ok, 2);
	check_equal(dst_buf + 12288 + 1024, src_buf + 256, 256,
		"fenced copy of the previous op's output");
}

/* --- capacity --- */

static void
test_burst_capacity(void **state)
{
	uint16_t cap0;
	unsigned int i;

	RTE_SET_USED(state);
	check_capacity(0, NB_DESC);
	cap0 = rte_dma_burst_capacity(dev_id, 0);
	for (i = 0; i < 10; i++) {
		enq_copy(0, src_buf, dst_buf, 64, 0, i);
		assert_int_equal(rte_dma_burst_capacity(dev_id, 0),
			cap0 - i - 1);
	}
	assert_int_equal(rte_dma_submit(dev_id, 0), 0);
	/* executed but not reported still holds its slot */
	usleep(2000);
	assert_int_equal(rte_dma_burst_capacity(dev_id, 0), cap0 - 10);
	reap(0, 5);
	assert_int_equal(rte_dma_burst_capacity(dev_id, 0), cap0 - 5);
	reap(0, 5);
	assert_int_equal(rte_dma_burst_capacity(dev_id, 0), cap0);
}

static void
test_burst_capacity_rounding(void **state)
{
	static const uint16_t sizes[] = {
		XD_MIN_DESC, XD_MIN_DESC + 1, 100, 1000, 1025, XD_MAX_DESC,
	};
	unsigned int i;

	RTE_SET_USED(state);
	skip_unless_xd("Debian's dma_skeleton refuses sizes that are not powers of two");
	/* A stacked device is limited by its engine device too. */
	for (i = 0; i < RTE_DIM(sizes); i++) {
		uint16_t n = RTE_MIN(sizes[i], info.max_desc);

		dev_setup(1, n);
		check_capacity(0, n);
	}
}

static void
test_enospc(void **state)
{
	struct rte_dma_sge sge = { .addr = iova(src_buf), .length = 64 };
	uint16_t cap0;
	unsigned int i;

	RTE_SET_USED(state);
	dev_setup(1, 64);
	cap0 = rte_dma_burst_capacity(dev_id, 0);
	pattern_fill(src_buf, 64, 51);
	for (i = 0; i < cap0; i++)
		enq_copy(0, src_buf, dst_buf + i * 64, 64, 0, i);
	assert_int_equal(rte_dma_burst_capacity(dev_id, 0), 0);
	assert_int_equal(rte_dma_copy(dev_id, 0, iova(src_buf), iova(dst_buf),
		64, 0), -ENOSPC);
	if (info.dev_capa & RTE_DMA_CAPA_OPS_FILL)
		assert_int_equal(rte_dma_fill(dev_id, 0, 0, iova(dst_buf), 64,
			0), -ENOSPC);
	if (info.dev_capa & RTE_DMA_CAPA_OPS_COPY_SG)
		assert_int_equal(rte_dma_copy_sg(dev_id, 0, &sge, &sge, 1, 1,
			0), -ENOSPC);
	assert_int_equal(rte_dma_burst_capacity(dev_id, 0), 0);

	assert_int_equal(rte_dma_submit(dev_id, 0), 0);
	assert_int_equal(reap(0, cap0), cap0 - 1);
	assert_int_equal(rte_dma_burst_capacity(dev_id, 0), cap0);
	for (i = 0; i < cap0; i++)
		check_equal(dst_buf + i * 64, src_buf, 64, "copies of a full ring");
	/* the refused ops took no index */
	enq_copy(0, src_buf, dst_buf, 64, RTE_DMA_OP_FLAG_SUBMIT, cap0);
	assert_int_equal(reap(0, 1), cap0);
}

/* --- statistics --- */

static void
expect_stats(uint16_t vchan, uint64_t submitted, uint64_t completed,
		uint64_t errors)
{
	struct rte_dma_stats s;

	memset(&s, 0xff, sizeof(s));
	assert_int_equal(rte_dma_stats_get(dev_id, vchan, &s), 0);
	if (s.submitted != submitted || s.completed != completed ||
			s.errors != errors)
		fail_msg("vchan %u stats: submitted %llu completed %llu errors %llu; expected %llu %llu %llu",
			vchan, (unsigned long long)s.submitted,
			(unsigned long long)s.completed,
			(unsigned long long)s.errors,
			(unsigned long long)submitted,
			(unsigned long long)completed,
			(unsigned long long)errors);
}

static void
test_stats(void **state)
{
	const uint16_t nb_vchans = RTE_MIN(info.max_vchans, 2);
	const unsigned int ops[2] = { 5, 3 };
	struct rte_dma_stats s;
	uint16_t v;
	unsigned int i;

	RTE_SET_USED(state);
	dev_setup(nb_vchans, NB_DESC);
	assert_int_equal(rte_dma_stats_reset(dev_id, RTE_DMA_ALL_VCHAN), 0);
	for (v = 0; v < nb_vchans; v++) {
		for (i = 0; i < ops[v]; i++)
			enq_copy(v, src_buf, dst_buf + v * 4096, 64,
				RTE_DMA_OP_FLAG_SUBMIT, i);
	}
	for (v = 0; v < nb_vchans; v++) {
		reap(v, ops[v]);
		expect_stats(v, ops[v], ops[v], 0);
	}
	if (nb_vchans == 2) {
		expect_stats(RTE_DMA_ALL_VCHAN, 8, 8, 0);
		assert_int_equal(rte_dma_stats_reset(dev_id, 0), 0);
		expect_stats(0, 0, 0, 0);
		expect_stats(1, 3, 3, 0);
		expect_stats(RTE_DMA_ALL_VCHAN, 3, 3, 0);
	} else {
		expect_stats(RTE_DMA_ALL_VCHAN, 5, 5, 0);
	}
	assert_int_equal(rte_dma_stats_reset(dev_id, RTE_DMA_ALL_VCHAN), 0);
	for (v = 0; v < nb_vchans; v++)
		expect_stats(v, 0, 0, 0);
	expect_stats(RTE_DMA_ALL_VCHAN, 0, 0, 0);

	/* DPDK's argument checks */
	assert_int_equal(rte_dma_stats_get(dev_id, nb_vchans, &s), -EINVAL);
	assert_int_equal(rte_dma_stats_get(dev_id, 0, NULL), -EINVAL);
	assert_int_equal(rte_dma_stats_reset(dev_id, nb_vchans), -EINVAL);
}

static void
test_stats_errors(void **state)
{
	enum rte_dma_status_code st[8];

	RTE_SET_USED(state);
	skip_unless_xd(NO_ERRORS_WHY);
	assert_int_equal(rte_dma_stats_reset(dev_id, RTE_DMA_ALL_VCHAN), 0);
	enq_copy(0, src_buf, dst_buf, 64, 0, 0);
	assert_int_equal(rte_dma_copy(dev_id, 0, 0, iova(dst_buf), 64, 0), 1);
	enq_copy(0, src_buf, dst_buf, 64, 0, 2);
	assert_int_equal(rte_dma_copy(dev_id, 0, iova(src_buf), 0, 64, 0), 3);
	enq_copy(0, src_buf, dst_buf, 64, RTE_DMA_OP_FLAG_SUBMIT, 4);
	reap_status(0, 5, st);
	/* DPDK: completed counts failed completions too */
	expect_stats(0, 5, 5, 2);
	expect_stats(RTE_DMA_ALL_VCHAN, 5, 5, 2);
}

/* --- vchans --- */

static void
test_multi_vchan(void **state)
{
	const uint16_t descs[3] = { 32, 64, 128 };
	enum rte_dma_status_code st[2];
	uint16_t v;

	RTE_SET_USED(state);
	skip_unless(info.max_vchans >= 3, "the device has fewer than 3 vchans");
	dev_setup_desc(3, descs);
	for (v = 0; v < 3; v++)
		check_capacity(v, descs[v]);

	pattern_fill(src_buf, 4 * 4096, 61);
	memset(dst_buf, SENTINEL, 4 * 4096);
	/* each vchan has its own ring: each starts at 0 */
	enq_copy(2, src_buf, dst_buf, 4096, RTE_DMA_OP_FLAG_SUBMIT, 0);
	enq_copy(0, src_buf + 4096, dst_buf + 4096, 4096, 0, 0);
	enq_copy(1, src_buf + 8192, dst_buf + 8192, 4096, 0, 0);
	enq_copy(1, src_buf + 12288, dst_buf + 12288, 4096, 0, 1);
	/* a doorbell rings for its own vchan only */
	assert_int_equal(rte_dma_submit(dev_id, 1), 0);
	assert_int_equal(reap(1, 2), 1);
	assert_int_equal(reap(2, 1), 0);
	usleep(2000);
	expect_none_yet(0);
	assert_int_equal(rte_dma_submit(dev_id, 0), 0);
	assert_int_equal(reap(0, 1), 0);
	check_equal(dst_buf, src_buf, 4 * 4096, "data of three vchans");
	for (v = 0; v < 3; v++)
		check_capacity(v, descs[v]);

	if (!target->xd)
		return;
	/* an error on one vchan is that vchan's alone */
	assert_int_equal(rte_dma_copy(dev_id, 0, 0, iova(dst_buf), 64,
		RTE_DMA_OP_FLAG_SUBMIT), 1);
	enq_copy(1, src_buf, dst_buf + 8192, 64, RTE_DMA_OP_FLAG_SUBMIT, 2);
	assert_int_equal(reap(1, 1), 2);
	assert_int_equal(reap_status(0, 1, st), 1);
	assert_int_equal(st[0], RTE_DMA_STATUS_INVALID_SRC_ADDR);
}

static void
test_max_vchans(void **state)
{
	struct rte_dma_conf conf = { .nb_vchans = info.max_vchans + 1 };
	uint16_t nb = RTE_MIN(info.max_vchans, MAX_VCHANS);
	uint16_t v;

	RTE_SET_USED(state);
	dev_setup(nb, 64);
	for (v = 0; v < nb; v++) {
		enq_copy(v, src_buf, dst_buf + v * 64, 64,
			RTE_DMA_OP_FLAG_SUBMIT, 0);
		assert_int_equal(reap(v, 1), 0);
	}
	assert_int_equal(rte_dma_stop(dev_id), 0);
	assert_int_equal(rte_dma_configure(dev_id, &conf), -EINVAL);
}

/* --- life cycle --- */

static void
test_stop_start(void **state)
{
	uint16_t cap0 = rte_dma_burst_capacity(dev_id, 0);
	unsigned int i;

	RTE_SET_USED(state);
	pattern_fill(src_buf, 16 * 256, 71);

	/* after a clean stop the indexes start again at 0 */
	for (i = 0; i < 5; i++)
		enq_copy(0, src_buf, dst_buf, 64, RTE_DMA_OP_FLAG_SUBMIT, i);
	assert_int_equal(reap(0, 5), 4);
	assert_int_equal(rte_dma_stop(dev_id), 0);
	assert_int_equal(rte_dma_start(dev_id), 0);
	enq_copy(0, src_buf, dst_buf, 64, RTE_DMA_OP_FLAG_SUBMIT, 0);
	assert_int_equal(reap(0, 1), 0);

	/* stop with ops in flight: a fresh, empty ring after start */
	for (i = 0; i < 16; i++)
		enq_copy(0, src_buf + i * 256, dst_buf + i * 256, 256,
			RTE_DMA_OP_FLAG_SUBMIT, i + 1);
	assert_int_equal(rte_dma_stop(dev_id), 0);
	assert_int_equal(rte_dma_start(dev_id), 0);
	expect_none_yet(0);
	assert_int_equal(rte_dma_burst_capacity(dev_id, 0), cap0);
	memset(dst_buf, SENTINEL, 256);
	enq_copy(0, src_buf, dst_buf, 256, RTE_DMA_OP_FLAG_SUBMIT, 0);
	assert_int_equal(reap(0, 1), 0);
	check_equal(dst_buf, src_buf, 256, "copy after a restart");

	/* stop with ops enqueued but never submitted: they are gone */
	for (i = 0; i < 4; i++)
		enq_copy(0, src_buf, dst_buf + 4096 + i * 256, 256, 0, i + 1);
	assert_int_equal(rte_dma_stop(dev_id), 0);
	assert_int_equal(rte_dma_start(dev_id), 0);
	assert_int_equal(rte_dma_submit(dev_id, 0), 0);
	usleep(2000);
	expect_none_yet(0);
	enq_copy(0, src_buf, dst_buf, 64, RTE_DMA_OP_FLAG_SUBMIT, 0);
	assert_int_equal(reap(0, 1), 0);

	/* repeated calls are harmless (DPDK checks the state) */
	assert_int_equal(rte_dma_start(dev_id), 0);
	assert_int_equal(rte_dma_stop(dev_id), 0);
	assert_int_equal(rte_dma_stop(dev_id), 0);
	assert_int_equal(rte_dma_start(dev_id), 0);
	enq_copy(0, src_buf, dst_buf, 64, RTE_DMA_OP_FLAG_SUBMIT, 0);
	assert_int_equal(reap(0, 1), 0);
}

static void
test_reconfigure(void **state)
{
	struct rte_dma_conf conf = { .nb_vchans = 1 };
	struct rte_dma_vchan_conf vconf;
	struct rte_dma_stats s;
	uint16_t nb = RTE_MIN(info.max_vchans, 2);
	uint16_t v;

	RTE_SET_USED(state);
	memset(&vconf, 0, sizeof(vconf));
	vconf.direction = RTE_DMA_DIR_MEM_TO_MEM;
	vconf.nb_desc = NB_DESC;
	/* not while started */
	assert_int_equal(rte_dma_configure(dev_id, &conf), -EBUSY);
	assert_int_equal(rte_dma_vchan_setup(dev_id, 0, &vconf), -EBUSY);

	dev_setup(nb, 64);
	for (v = 0; v < nb; v++) {
		check_capacity(v, 64);
		enq_copy(v, src_buf, dst_buf, 64, RTE_DMA_OP_FLAG_SUBMIT, 0);
		assert_int_equal(reap(v, 1), 0);
	}

	/* fewer vchans, a bigger ring */
	dev_setup(1, 256);
	check_capacity(0, 256);
	assert_int_equal(rte_dma_stats_get(dev_id, 1, &s), -EINVAL);
	enq_copy(0, src_buf, dst_buf, 64, RTE_DMA_OP_FLAG_SUBMIT, 0);
	assert_int_equal(reap(0, 1), 0);

	/* ring size limits (DPDK checks them against dev_info) */
	assert_int_equal(rte_dma_stop(dev_id), 0);
	vconf.nb_desc = info.min_desc - 1;
	assert_int_equal(rte_dma_vchan_setup(dev_id, 0, &vconf), -EINVAL);
	vconf.nb_desc = info.max_desc + 1;
	if (info.max_desc < UINT16_MAX)
		assert_int_equal(rte_dma_vchan_setup(dev_id, 0, &vconf),
			-EINVAL);
	/* a refused setup left the vchan as it was */
	assert_int_equal(rte_dma_start(dev_id), 0);
	check_capacity(0, 256);
	enq_copy(0, src_buf, dst_buf, 64, RTE_DMA_OP_FLAG_SUBMIT, 0);
	assert_int_equal(reap(0, 1), 0);
}

static char *
dump_to_string(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	f = open_memstream(&buf, &len);
	assert_non_null(f);
	assert_int_equal(rte_dma_dump(dev_id, f), 0);
	assert_int_equal(fclose(f), 0);
	assert_non_null(buf);
	return buf;
}

/* The largest ring, filled to the last slot and drained, across the wrap. */
static void
test_ring_wrap_full(void **state)
{
	const uint16_t nb_desc = (uint16_t)rte_align32prevpow2(info.max_desc);
	unsigned int sent = 0, rounds, r, i;
	uint16_t cap;

	RTE_SET_USED(state);
	dev_setup(1, nb_desc);
	cap = rte_dma_burst_capacity(dev_id, 0);
	check_capacity(0, nb_desc);
	rounds = 65536 / cap + 2;
	for (r = 0; r < rounds; r++) {
		for (i = 0; i < cap; i++, sent++) {
			int ret = rte_dma_copy(dev_id, 0, iova(src_buf + r * 8),
				iova(dst_buf + r * 8), 8, 0);

			if (ret != (uint16_t)sent)
				fail_msg("op %u: ring idx %d, expected %u", sent,
					ret, (uint16_t)sent);
		}
		assert_int_equal(rte_dma_copy(dev_id, 0, iova(src_buf),
			iova(dst_buf), 8, 0), -ENOSPC);
		assert_int_equal(rte_dma_submit(dev_id, 0), 0);
		assert_int_equal(reap(0, cap), (uint16_t)(sent - 1));
		assert_int_equal(rte_dma_burst_capacity(dev_id, 0), cap);
	}
	assert_true(sent > 65536);
	expect_nothing(0, (uint16_t)(sent - 1));
}

/* One thread driving one vchan; results are checked by the main thread. */
struct vchan_worker {
	uint16_t vchan;
	uint8_t *src;
	uint8_t *dst;
	unsigned int nb_ops;
	char error[160]; /* empty on success */
};

#define WORKER_BURST 64
#define WORKER_CHUNK 256

static void *
vchan_worker_run(void *arg)
{
	struct vchan_worker *w = arg;
	unsigned int sent = 0, reaped = 0, b;
	uint64_t deadline;

	while (sent < w->nb_ops) {
		for (b = 0; b < WORKER_BURST; b++) {
			uint8_t *src = w->src + b * WORKER_CHUNK;

			memset(src, (int)(sent + b), WORKER_CHUNK);
			memcpy(src, &w->vchan, sizeof(w->vchan));
		}
		for (b = 0; b < WORKER_BURST; b++, sent++) {
			int ret = rte_dma_copy(dev_id, w->vchan,
				iova(w->src + b * WORKER_CHUNK),
				iova(w->dst + b * WORKER_CHUNK), WORKER_CHUNK,
				b == WORKER_BURST - 1 ? RTE_DMA_OP_FLAG_SUBMIT : 0);

			if (ret != (uint16_t)sent) {
				snprintf(w->error, sizeof(w->error),
					"vchan %u op %u: ring idx %d", w->vchan,
					sent, ret);
				return NULL;
			}
		}
		deadline = test_now_ns() + REAP_TIMEOUT_NS;
		while (reaped < sent) {
			uint16_t last = 0;
			bool err = false;
			uint16_t got;

			got = rte_dma_completed(dev_id, w->vchan, sent - reaped,
				&last, &err);
			reaped += got;
			if (err || (got != 0 && last != (uint16_t)(reaped - 1))) {
				snprintf(w->error, sizeof(w->error),
					"vchan %u: has_error %d, last_idx %u after %u",
					w->vchan, err, last, reaped);
				return NULL;
			}
			if (got == 0 && test_now_ns() > deadline) {
				snprintf(w->error, sizeof(w->error),
					"vchan %u: timeout at %u of %u", w->vchan,
					reaped, sent);
				return NULL;
			}
			if (got == 0)
				sched_yield();
		}
		if (memcmp(w->dst, w->src, WORKER_BURST * WORKER_CHUNK) != 0) {
			snprintf(w->error, sizeof(w->error),
				"vchan %u: data of the burst ending at %u", w->vchan,
				sent);
			return NULL;
		}
	}
	return NULL;
}

/* Two vchans driven by two threads at once stay independent. */
static void
test_vchans_parallel(void **state)
{
	const size_t region = WORKER_BURST * WORKER_CHUNK;
	struct vchan_worker w[2];
	struct rte_dma_stats s;
	pthread_t th[2];
	unsigned int i;

	RTE_SET_USED(state);
	skip_unless(info.max_vchans >= 2, "the device has a single vchan");
	dev_setup(2, 256);
	memset(w, 0, sizeof(w));
	for (i = 0; i < 2; i++) {
		w[i].vchan = i;
		w[i].src = src_buf + i * region;
		w[i].dst = dst_buf + i * region;
		/* whole bursts; more than 20000 ops each */
		w[i].nb_ops = (313 + 16 * i) * WORKER_BURST;
		assert_int_equal(pthread_create(&th[i], NULL, vchan_worker_run,
			&w[i]), 0);
	}
	for (i = 0; i < 2; i++)
		assert_int_equal(pthread_join(th[i], NULL), 0);
	for (i = 0; i < 2; i++) {
		if (w[i].error[0] != '\0')
			fail_msg("%s", w[i].error);
		assert_int_equal(rte_dma_stats_get(dev_id, i, &s), 0);
		assert_int_equal(s.submitted, w[i].nb_ops);
		assert_int_equal(s.completed, w[i].nb_ops);
	}
}

static void
test_vchan_status(void **state)
{
	uint64_t deadline = test_now_ns() + REAP_TIMEOUT_NS;
	enum rte_dma_vchan_status vs;
	unsigned int i;
	int ret;

	RTE_SET_USED(state);
	ret = rte_dma_vchan_status(dev_id, 0, &vs);
	skip_unless(ret != -ENOTSUP, "the driver has no vchan_status op");
	assert_int_equal(ret, 0);
	for (i = 0; i < 8; i++)
		enq_copy(0, src_buf, dst_buf, 4096,
			i == 7 ? RTE_DMA_OP_FLAG_SUBMIT : 0, i);
	reap(0, 8);
	/*
	 * All work reported done: idle. Our engine knows it at once; a
	 * worker thread may need one more empty poll to say so.
	 */
	for (;;) {
		assert_int_equal(rte_dma_vchan_status(dev_id, 0, &vs), 0);
		if (vs == RTE_DMA_VCHAN_IDLE)
			break;
		assert_false(target->xd);
		deadline_check(deadline, 0, 8, 8);
	}
	assert_int_equal(rte_dma_vchan_status(dev_id, 1, &vs), -EINVAL);
}

/* Fast-path calls on a stopped device fail without touching the rings. */
static void
test_stopped_fast_path(void **state)
{
	struct rte_dma_sge sge = { .addr = iova(src_buf), .length = 64 };

	RTE_SET_USED(state);
	skip_unless_xd("Debian's dma_skeleton keeps accepting ops while stopped");
	assert_int_equal(rte_dma_stop(dev_id), 0);
	memset(dst_buf, SENTINEL, 64);
	assert_true(rte_dma_copy(dev_id, 0, iova(src_buf), iova(dst_buf), 64,
		RTE_DMA_OP_FLAG_SUBMIT) < 0);
	assert_true(rte_dma_fill(dev_id, 0, 0, iova(dst_buf), 64,
		RTE_DMA_OP_FLAG_SUBMIT) < 0);
	assert_true(rte_dma_copy_sg(dev_id, 0, &sge, &sge, 1, 1,
		RTE_DMA_OP_FLAG_SUBMIT) < 0);
	assert_true(rte_dma_submit(dev_id, 0) < 0);
	assert_int_equal(rte_dma_burst_capacity(dev_id, 0), 0);
	expect_none_yet(0);
	check_untouched(dst_buf, 64, "destination of an op on a stopped device");
	assert_int_equal(rte_dma_start(dev_id), 0);
	enq_copy(0, src_buf, dst_buf, 64, RTE_DMA_OP_FLAG_SUBMIT, 0);
	assert_int_equal(reap(0, 1), 0);
}

/*
 * As DPDK's generic layer allows (and its API suite does): a device starts
 * with vchans configured but not set up. Operations on such a vchan fail
 * cleanly and touch nothing; the vchans that were set up work.
 */
static void
test_vchan_not_set_up(void **state)
{
	struct rte_dma_conf conf = { .nb_vchans = 2 };
	struct rte_dma_vchan_conf vconf = {
		.direction = RTE_DMA_DIR_MEM_TO_MEM,
		.nb_desc = NB_DESC,
	};
	struct rte_dma_sge sge = { .addr = iova(src_buf), .length = 64 };
	enum rte_dma_status_code st[4];
	enum rte_dma_vchan_status vs;
	struct rte_dma_stats stats;
	bool err = false;
	uint16_t last;

	RTE_SET_USED(state);
	skip_unless_xd("Debian's dma_skeleton refuses to start with a vchan not set up");
	skip_unless(info.max_vchans >= 2,
		"the device has one vchan: a configured one is set up");
	assert_int_equal(rte_dma_stop(dev_id), 0);
	assert_int_equal(rte_dma_configure(dev_id, &conf), 0);
	assert_int_equal(rte_dma_vchan_setup(dev_id, 0, &vconf), 0);
	assert_int_equal(rte_dma_start(dev_id), 0);

	memset(dst_buf, SENTINEL, 64);
	assert_int_equal(rte_dma_copy(dev_id, 1, iova(src_buf), iova(dst_buf),
		64, RTE_DMA_OP_FLAG_SUBMIT), -EINVAL);
	assert_int_equal(rte_dma_fill(dev_id, 1, 0, iova(dst_buf), 64,
		RTE_DMA_OP_FLAG_SUBMIT), -EINVAL);
	assert_int_equal(rte_dma_copy_sg(dev_id, 1, &sge, &sge, 1, 1,
		RTE_DMA_OP_FLAG_SUBMIT), -EINVAL);
	assert_int_equal(rte_dma_submit(dev_id, 1), -EINVAL);
	assert_int_equal(rte_dma_burst_capacity(dev_id, 1), 0);
	assert_int_equal(rte_dma_completed(dev_id, 1, 4, &last, &err), 0);
	assert_false(err);
	assert_int_equal(rte_dma_completed_status(dev_id, 1, 4, &last, st), 0);
	assert_int_equal(rte_dma_vchan_status(dev_id, 1, &vs), 0);
	assert_int_equal(vs, RTE_DMA_VCHAN_IDLE);
	assert_int_equal(rte_dma_stats_get(dev_id, 1, &stats), 0);
	assert_true(stats.submitted == 0 && stats.completed == 0 &&
		stats.errors == 0);
	check_untouched(dst_buf, 64, "destination of an op on a vchan not set up");

	/* The vchan that was set up works, before and after a restart. */
	enq_copy(0, src_buf, dst_buf, 64, RTE_DMA_OP_FLAG_SUBMIT, 0);
	assert_int_equal(reap(0, 1), 0);
	assert_int_equal(rte_dma_stop(dev_id), 0);
	assert_int_equal(rte_dma_start(dev_id), 0);
	enq_copy(0, src_buf, dst_buf, 64, RTE_DMA_OP_FLAG_SUBMIT, 0);
	assert_int_equal(reap(0, 1), 0);
}

static void
test_dump(void **state)
{
	char *out;

	RTE_SET_USED(state);
	out = dump_to_string();
	assert_non_null(strstr(out, target->dev_name));
	free(out);
	assert_int_equal(rte_dma_dump(dev_id, NULL), -EINVAL);
}

static void
test_dump_domain_capa(void **state)
{
	char *out;

	RTE_SET_USED(state);
	skip_unless_xd("Debian's dma_skeleton does not print the inter-domain capability line");
	out = dump_to_string();
	if (strstr(out, target->capa_line) == NULL)
		fail_msg("no line '%.*s' in:\n%s",
			(int)strlen(target->capa_line) - 1, target->capa_line,
			out);
	free(out);
}

/* Our driver refuses devargs it does not understand. */
static void
test_bad_devargs(void **state)
{
	const char *name = target->spare_name;
	static const char *const bad[] = {
		"bogus=1", "lcore=1,bogus=2", "lcore=0", "lcore=99",
		"lcore=-1", "lcore=abc", "lcore=1x", "lcore=",
		"lcore=4294967297",
		/* stacked engines */
		"engine=", "engine=no_such_dmadev", "engine_map=1",
		"engine=dma_xd_no_such0,engine_map=2",
		"engine=dma_skeleton0,engine=dma_skeleton0",
		"engine=dma_skeleton0,lcore=1",
	};
	char arg[96];
	unsigned int i;
	int16_t id;

	RTE_SET_USED(state);
	skip_unless_xd("xd_skeleton devargs");
	for (i = 0; i < RTE_DIM(bad); i++) {
		int ret = rte_vdev_init(name, bad[i]);

		if (ret >= 0) {
			rte_vdev_uninit(name);
			fail_msg("devargs \"%s\" accepted (%d)", bad[i], ret);
		}
		assert_true(rte_dma_get_dev_id_by_name(name) < 0);
	}

	/* an inter-domain device (the one under test) is no engine */
	snprintf(arg, sizeof(arg), "engine=%s", target->dev_name);
	assert_true(rte_vdev_init(name, arg) < 0);
	assert_true(rte_dma_get_dev_id_by_name(name) < 0);

	/* the name is free again after each refusal */
	assert_int_equal(rte_vdev_init(name, ""), 0);
	id = rte_dma_get_dev_id_by_name(name);
	assert_true(rte_dma_is_valid(id));
	assert_int_equal(rte_vdev_uninit(name), 0);
	assert_false(rte_dma_is_valid(id));

	/* lcore 1 is free unless the device under test holds it */
	if (target->inline_engine) {
		struct rte_dma_conf conf = { .nb_vchans = 1 };
		struct rte_dma_vchan_conf vconf = {
			.direction = RTE_DMA_DIR_MEM_TO_MEM,
			.nb_desc = 64,
		};
		uint16_t last = 0;
		uint64_t deadline;
		bool err = false;

		assert_int_equal(rte_vdev_init(name, "lcore=1"), 0);
		id = rte_dma_get_dev_id_by_name(name);
		assert_true(id >= 0);
		assert_int_equal(rte_dma_configure(id, &conf), 0);
		assert_int_equal(rte_dma_vchan_setup(id, 0, &vconf), 0);
		assert_int_equal(rte_dma_start(id), 0);
		pattern_fill(src_buf, 512, 81);
		memset(dst_buf, SENTINEL, 512);
		assert_int_equal(rte_dma_copy(id, 0, iova(src_buf),
			iova(dst_buf), 512, RTE_DMA_OP_FLAG_SUBMIT), 0);
		deadline = test_now_ns() + REAP_TIMEOUT_NS;
		while (rte_dma_completed(id, 0, 1, &last, &err) == 0)
			deadline_check(deadline, 0, 0, 1);
		assert_false(err);
		check_equal(dst_buf, src_buf, 512, "copy by an lcore device");
		assert_int_equal(rte_dma_stop(id), 0);
		assert_int_equal(rte_vdev_uninit(name), 0);
	}
}

/* Last: closes the device under test, then makes another one. */
static void
test_close(void **state)
{
	const char *spare = target->spare_name;
	int16_t id;

	RTE_SET_USED(state);
	/* DPDK: not while started */
	assert_int_equal(rte_dma_close(dev_id), -EBUSY);
	assert_int_equal(rte_dma_stop(dev_id), 0);
	assert_int_equal(rte_dma_close(dev_id), 0);
	assert_false(rte_dma_is_valid(dev_id));
	assert_true(rte_dma_get_dev_id_by_name(target->dev_name) < 0);
	assert_int_equal(rte_dma_close(dev_id), -EINVAL);
	assert_int_equal(rte_dma_start(dev_id), -EINVAL);

	/*
	 * Everything the device held (its lcore, with lcore=1) is free
	 * again: a new device with the same devargs works.
	 */
	assert_int_equal(rte_vdev_init(spare, target->devargs), 0);
	id = rte_dma_get_dev_id_by_name(spare);
	assert_true(id >= 0);
	dev_id = id;
	assert_int_equal(rte_dma_info_get(dev_id, &info), 0);
	dev_setup(1, 64);
	pattern_fill(src_buf, 4096, 91);
	memset(dst_buf, SENTINEL, 4096);
	enq_copy(0, src_buf, dst_buf, 4096, RTE_DMA_OP_FLAG_SUBMIT, 0);
	assert_int_equal(reap(0, 1), 0);
	check_equal(dst_buf, src_buf, 4096, "copy on a re-created device");
	assert_int_equal(rte_dma_stop(dev_id), 0);
	assert_int_equal(rte_vdev_uninit(spare), 0);
	assert_false(rte_dma_is_valid(id));
	dev_id = -1;
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
	if (src_buf == NULL || dst_buf == NULL)
		return -1;
	return rte_dma_info_get(dev_id, &info) == 0 ? 0 : -1;
}

static int
group_teardown(void **state)
{
	RTE_SET_USED(state);
	rte_free(src_buf);
	rte_free(dst_buf);
	return 0;
}

static int
usage(const char *prog)
{
	unsigned int i;

	fprintf(stderr, "usage: %s <device>, one of:", prog);
	for (i = 0; i < RTE_DIM(targets); i++)
		fprintf(stderr, " %s", targets[i].arg);
	fprintf(stderr, "\n");
	return 2;
}

int
main(int argc, char **argv)
{
#define T(fn) cmocka_unit_test_setup(fn, setup_default)
	const struct CMUnitTest tests[] = {
		T(test_info),
		T(test_info_xd),
		T(test_domain_setup_local),
		T(test_copy_sizes),
		T(test_copy_doorbell),
		T(test_exec_at_doorbell),
		T(test_inline_synchronous),
		T(test_copy_sg),
		T(test_copy_sg_invalid),
		T(test_fill),
		T(test_ring_idx_sequence),
		T(test_ring_wrap),
		T(test_ring_wrap_full),
		T(test_completed_interplay),
		T(test_error_status),
		T(test_error_fence),
		T(test_burst_capacity),
		T(test_burst_capacity_rounding),
		T(test_enospc),
		T(test_stats),
		T(test_stats_errors),
		T(test_multi_vchan),
		T(test_max_vchans),
		T(test_vchans_parallel),
		T(test_vchan_status),
		T(test_stop_start),
		T(test_reconfigure),
		T(test_stopped_fast_path),
		T(test_vchan_not_set_up),
		T(test_dump),
		T(test_dump_domain_capa),
		T(test_domain_class),
		T(test_bad_devargs),
		T(test_close),
	};
#undef T
	const char *eal_args[2];
	unsigned int nb_eal_args = 0;
	char group[64];
	unsigned int i;
	int ret;

	if (argc != 2)
		return usage(argv[0]);
	for (i = 0; i < RTE_DIM(targets); i++)
		if (strcmp(argv[1], targets[i].arg) == 0)
			target = &targets[i];
	if (target == NULL)
		return usage(argv[0]);
#ifndef TEST_HAVE_XD_DRIVER
	if (target->xd) {
		printf("our drivers are not built: skipped\n");
		return EXIT_SKIP;
	}
#endif
	/* An engine device comes first: the stacked one looks it up. */
	if (target->lower_vdev_arg != NULL)
		eal_args[nb_eal_args++] = target->lower_vdev_arg;
	if (target->vdev_arg != NULL)
		eal_args[nb_eal_args++] = target->vdev_arg;
	ret = test_eal_init(target->arg, eal_args, nb_eal_args);
	if (ret != 0) {
		fprintf(stderr, "EAL init failed: %s\n", strerror(-ret));
		return 1;
	}
	if (target->vdev_arg == NULL) {
		ret = rte_vdev_init(target->dev_name, target->devargs);
		if (ret > 0) {
			/* no driver claimed the name: the plugin is absent */
			printf("no driver for %s: skipped\n", target->dev_name);
			test_eal_fini();
			return EXIT_SKIP;
		}
		if (ret < 0) {
			fprintf(stderr, "cannot create %s: %s\n",
				target->dev_name, strerror(-ret));
			test_eal_fini();
			return 1;
		}
	}
	dev_id = rte_dma_get_dev_id_by_name(target->dev_name);
	if (dev_id < 0) {
		fprintf(stderr, "no dmadev %s\n", target->dev_name);
		test_eal_fini();
		return 1;
	}

	snprintf(group, sizeof(group), "dmadev_func[%s]", target->arg);
	ret = cmocka_run_group_tests_name(group, tests, group_setup,
		group_teardown);
	test_eal_fini();
	return ret == 0 ? 0 : 1;
}
