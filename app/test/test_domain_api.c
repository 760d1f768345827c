/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-dma-xd authors
 */

/*
 * Contract tests of the inter-domain dmadev API: every invalid argument
 * and state, in the documented order, then the successful plumbing down to
 * the driver. They run against dma_xd_testdev (test_testdev.c), the only
 * device that claims inter-domain capabilities today.
 */

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <rte_bus_vdev.h>
#include <rte_common.h>
#include <rte_dmadev.h>

#include "rte_dmadev_domain.h"
#include "rte_dmadev_domain_pmd.h"
#include "test_eal.h"
#include "test_testdev.h"

#define NB_VCHANS 2
#define NB_DESC 64

/* An enum value above RTE_DMA_INTER_OS_DOMAIN. */
#define TYPE_UNDEFINED(v) ((enum rte_dma_inter_domain_type)(v))

static struct {
	int16_t both;  /* PROCESS and OS capability, domain ops registered */
	int16_t proc;  /* PROCESS capability only, domain ops registered */
	int16_t noops; /* PROCESS and OS capability, no domain ops */
	int16_t local; /* no inter-domain capability, no domain ops */
} dev;

static const struct {
	const char *name;
	const char *args;
	int16_t *id;
} devices[] = {
	{ TESTDEV_DRIVER "_both", "capa=both,ops=1", &dev.both },
	{ TESTDEV_DRIVER "_proc", "capa=process,ops=1", &dev.proc },
	{ TESTDEV_DRIVER "_noops", "capa=both,ops=0", &dev.noops },
	{ TESTDEV_DRIVER "_local", "capa=none,ops=0", &dev.local },
};

static struct rte_dma_vchan_conf
m2m_conf(uint16_t nb_desc)
{
	struct rte_dma_vchan_conf conf;

	memset(&conf, 0, sizeof(conf));
	conf.direction = RTE_DMA_DIR_MEM_TO_MEM;
	conf.nb_desc = nb_desc;
	return conf;
}

static struct rte_dma_inter_domain_param
domain(enum rte_dma_inter_domain_type type, uint16_t src, uint16_t dst)
{
	struct rte_dma_inter_domain_param d;

	memset(&d, 0, sizeof(d));
	d.type = type;
	d.src_handler = src;
	d.dst_handler = dst;
	return d;
}

static bool
domain_is_none(const struct rte_dma_inter_domain_param *d)
{
	const struct rte_dma_inter_domain_param none = domain(
		RTE_DMA_INTER_DOMAIN_NONE, 0, 0);

	return memcmp(d, &none, sizeof(none)) == 0;
}

/* An id that names no device. */
static int16_t
unused_dev_id(void)
{
	int16_t id;

	for (id = 0; id < INT16_MAX; id++)
		if (!rte_dma_is_valid(id))
			return id;
	return INT16_MAX;
}

static struct testdev_state *
state_of(int16_t id)
{
	struct testdev_state *st = testdev_get(id);

	assert_non_null(st);
	return st;
}

/*
 * One setup call and its effect on the driver: how many times its
 * vchan_check and its vchan_setup op ran. A call rejected by the generic
 * checks (the library's on DPDK 22.11, DPDK's own from 25.11) reaches
 * neither; the domain parameters are checked inside the vchan_setup op.
 */
static void
expect_setup(int16_t id, uint16_t vchan,
		const struct rte_dma_vchan_conf *conf,
		const struct rte_dma_inter_domain_param *d,
		int expected, unsigned int checks, unsigned int setups)
{
	struct testdev_state *st = testdev_get(id);
	unsigned int check0 = st != NULL ? st->check_calls : 0;
	unsigned int setup0 = st != NULL ? st->setup_calls : 0;

	assert_int_equal(rte_dma_domain_vchan_setup(id, vchan, conf, d),
		expected);
	if (st == NULL)
		return;
	assert_int_equal(st->check_calls - check0, checks);
	assert_int_equal(st->setup_calls - setup0, setups);
}

static void
dev_configure(int16_t id, uint16_t nb_vchans)
{
	struct rte_dma_conf conf = { .nb_vchans = nb_vchans };
	struct testdev_state *st = state_of(id);

	assert_int_equal(rte_dma_stop(id), 0);
	assert_int_equal(rte_dma_configure(id, &conf), 0);
	st->check_calls = 0;
	st->setup_calls = 0;
}

static void
dev_start(int16_t id)
{
	struct rte_dma_vchan_conf conf = m2m_conf(NB_DESC);
	uint16_t v;

	for (v = 0; v < NB_VCHANS; v++)
		assert_int_equal(rte_dma_vchan_setup(id, v, &conf), 0);
	assert_int_equal(rte_dma_start(id), 0);
}

/* Every test starts from configured, stopped devices with no vchan set up. */
static int
devs_reset(void **state)
{
	unsigned int i;

	RTE_SET_USED(state);
	for (i = 0; i < RTE_DIM(devices); i++)
		dev_configure(*devices[i].id, NB_VCHANS);
	return 0;
}

static int
group_setup(void **state)
{
	unsigned int i;

	RTE_SET_USED(state);
	for (i = 0; i < RTE_DIM(devices); i++) {
		if (rte_vdev_init(devices[i].name, devices[i].args) != 0) {
			fprintf(stderr, "cannot create %s\n", devices[i].name);
			return -1;
		}
		*devices[i].id = rte_dma_get_dev_id_by_name(devices[i].name);
		if (*devices[i].id < 0 || testdev_get(*devices[i].id) == NULL)
			return -1;
	}
	return 0;
}

static int
group_teardown(void **state)
{
	unsigned int i;

	RTE_SET_USED(state);
	for (i = 0; i < RTE_DIM(devices); i++) {
		rte_dma_stop(*devices[i].id);
		rte_vdev_uninit(devices[i].name);
	}
	return 0;
}

/* 1. ids and pointers */

static void
test_setup_invalid_dev(void **state)
{
	struct rte_dma_vchan_conf conf = m2m_conf(NB_DESC);
	struct rte_dma_inter_domain_param d = domain(
		RTE_DMA_INTER_PROCESS_DOMAIN, 1, 2);
	struct rte_dma_inter_domain_param none = domain(
		RTE_DMA_INTER_DOMAIN_NONE, 0, 0);

	RTE_SET_USED(state);
	assert_int_equal(rte_dma_domain_vchan_setup(-1, 0, &conf, &d), -EINVAL);
	assert_int_equal(rte_dma_domain_vchan_setup(INT16_MIN, 0, &conf, &d),
		-EINVAL);
	assert_int_equal(rte_dma_domain_vchan_setup(INT16_MAX, 0, &conf, &d),
		-EINVAL);
	assert_int_equal(rte_dma_domain_vchan_setup(unused_dev_id(), 0, &conf,
		&none), -EINVAL);
}

static void
test_setup_null_args(void **state)
{
	struct rte_dma_vchan_conf conf = m2m_conf(NB_DESC);
	struct rte_dma_inter_domain_param d = domain(
		RTE_DMA_INTER_PROCESS_DOMAIN, 1, 2);

	RTE_SET_USED(state);
	expect_setup(dev.both, 0, NULL, &d, -EINVAL, 0, 0);
	expect_setup(dev.both, 0, &conf, NULL, -EINVAL, 0, 0);
	expect_setup(dev.both, 0, NULL, NULL, -EINVAL, 0, 0);
	/* A NULL pointer is refused before the device id is looked at. */
	assert_int_equal(rte_dma_domain_vchan_setup(-1, 0, NULL, NULL), -EINVAL);
}

static void
test_setup_unconfigured(void **state)
{
	static const char name[] = TESTDEV_DRIVER "_unconf";
	struct rte_dma_vchan_conf conf = m2m_conf(NB_DESC);
	struct rte_dma_inter_domain_param d = domain(
		RTE_DMA_INTER_PROCESS_DOMAIN, 1, 2);
	struct rte_dma_inter_domain_param none = domain(
		RTE_DMA_INTER_DOMAIN_NONE, 0, 0);
	int16_t id;

	RTE_SET_USED(state);
	assert_int_equal(rte_vdev_init(name, "capa=both,ops=1"), 0);
	id = rte_dma_get_dev_id_by_name(name);
	assert_true(id >= 0);
	expect_setup(id, 0, &conf, &d, -EINVAL, 0, 0);
	expect_setup(id, 0, &conf, &none, -EINVAL, 0, 0);
	assert_int_equal(rte_vdev_uninit(name), 0);
}

static void
test_setup_vchan_range(void **state)
{
	static const uint16_t bad[] = {
		NB_VCHANS, TESTDEV_MAX_VCHANS, RTE_DMA_ALL_VCHAN - 1,
		RTE_DMA_ALL_VCHAN,
	};
	struct rte_dma_vchan_conf conf = m2m_conf(NB_DESC);
	struct rte_dma_inter_domain_param d = domain(
		RTE_DMA_INTER_PROCESS_DOMAIN, 1, 2);
	struct rte_dma_inter_domain_param none = domain(
		RTE_DMA_INTER_DOMAIN_NONE, 0, 0);
	unsigned int i;

	RTE_SET_USED(state);
	for (i = 0; i < RTE_DIM(bad); i++) {
		expect_setup(dev.both, bad[i], &conf, &d, -EINVAL, 0, 0);
		expect_setup(dev.both, bad[i], &conf, &none, -EINVAL, 0, 0);
	}
	expect_setup(dev.both, NB_VCHANS - 1, &conf, &d, 0, 1, 1);
}

/* 2. state: after ids and pointers, before any parameter value. */

static void
test_setup_started(void **state)
{
	struct rte_dma_vchan_conf conf = m2m_conf(NB_DESC);
	struct rte_dma_inter_domain_param d = domain(
		RTE_DMA_INTER_PROCESS_DOMAIN, 1, 2);
	struct rte_dma_inter_domain_param none = domain(
		RTE_DMA_INTER_DOMAIN_NONE, 0, 0);
	struct rte_dma_inter_domain_param bad_type = domain(
		TYPE_UNDEFINED(7), 0, 0);
	struct rte_dma_inter_domain_param bad_rsvd = d;
	struct rte_dma_vchan_conf bad_conf = m2m_conf(1);

	RTE_SET_USED(state);
	bad_rsvd.reserved[1] = 1;
	dev_start(dev.both);
	expect_setup(dev.both, 0, &conf, &d, -EBUSY, 0, 0);
	expect_setup(dev.both, 0, &conf, &none, -EBUSY, 0, 0);
	expect_setup(dev.both, 0, &conf, &bad_type, -EBUSY, 0, 0);
	expect_setup(dev.both, 0, &conf, &bad_rsvd, -EBUSY, 0, 0);
	expect_setup(dev.both, 0, &bad_conf, &d, -EBUSY, 0, 0);
	/* pointers come first; the vchan range after the state, as in DPDK */
	expect_setup(dev.both, 0, &conf, NULL, -EINVAL, 0, 0);
	expect_setup(dev.both, NB_VCHANS, &conf, &d, -EBUSY, 0, 0);
	assert_int_equal(rte_dma_vchan_setup(dev.both, NB_VCHANS, &conf),
		-EBUSY);
	/* -ENOTSUP (no driver ops) is a later step than the state */
	dev_start(dev.noops);
	expect_setup(dev.noops, 0, &conf, &d, -EBUSY, 0, 0);
	/* DPDK's own call agrees */
	assert_int_equal(rte_dma_vchan_setup(dev.both, 0, &conf), -EBUSY);

	assert_int_equal(rte_dma_stop(dev.both), 0);
	expect_setup(dev.both, 0, &conf, &d, 0, 1, 1);
}

/* 3. parameter values and capability */

static void
test_setup_type_undefined(void **state)
{
	static const unsigned int types[] = { 3, 4, 0x7fffffff, UINT32_MAX };
	const int16_t ids[] = { dev.both, dev.noops, dev.local };
	struct rte_dma_vchan_conf conf = m2m_conf(NB_DESC);
	struct rte_dma_inter_domain_param d;
	unsigned int i, j;

	RTE_SET_USED(state);
	for (i = 0; i < RTE_DIM(types); i++) {
		for (j = 0; j < RTE_DIM(ids); j++) {
			/*
			 * DPDK leaves the range to the driver: the op
			 * runs, and refuses before any check.
			 */
			d = domain(TYPE_UNDEFINED(types[i]), 1, 2);
			expect_setup(ids[j], 0, &conf, &d, -EINVAL, 0, 1);
			d = domain(TYPE_UNDEFINED(types[i]), 0, 0);
			expect_setup(ids[j], 0, &conf, &d, -EINVAL, 0, 1);
		}
	}
}

static void
test_setup_reserved(void **state)
{
	static const enum rte_dma_inter_domain_type types[] = {
		RTE_DMA_INTER_DOMAIN_NONE, RTE_DMA_INTER_PROCESS_DOMAIN,
		RTE_DMA_INTER_OS_DOMAIN,
	};
	static const uint64_t values[] = { 1, RTE_BIT64(63), UINT64_MAX };
	struct rte_dma_vchan_conf conf = m2m_conf(NB_DESC);
	struct rte_dma_inter_domain_param d;
	unsigned int t, r, v;

	RTE_SET_USED(state);
	for (t = 0; t < RTE_DIM(types); t++) {
		for (r = 0; r < RTE_DIM(d.reserved); r++) {
			for (v = 0; v < RTE_DIM(values); v++) {
				if (types[t] == RTE_DMA_INTER_DOMAIN_NONE) {
					/* DPDK ignores them for NONE. */
					d = domain(types[t], 0, 0);
					d.reserved[r] = values[v];
					expect_setup(dev.both, 0, &conf, &d, 0,
						0, 1);
					continue;
				}
				d = domain(types[t], 1, 2);
				d.reserved[r] = values[v];
				expect_setup(dev.both, 0, &conf, &d, -EINVAL,
					0, 0);
				/* -EINVAL comes before -ENOTSUP */
				expect_setup(dev.noops, 0, &conf, &d, -EINVAL,
					0, 0);
			}
		}
	}
}

static void
test_setup_none_with_handlers(void **state)
{
	static const uint16_t handlers[][2] = {
		{ 1, 0 }, { 0, 1 }, { 1, 2 }, { UINT16_MAX, UINT16_MAX },
	};
	const int16_t ids[] = { dev.both, dev.noops, dev.local };
	struct rte_dma_vchan_conf conf = m2m_conf(NB_DESC);
	struct rte_dma_inter_domain_param d;
	unsigned int i, j;

	RTE_SET_USED(state);
	/* DPDK accepts them and the driver ignores them: a local vchan. */
	for (i = 0; i < RTE_DIM(handlers); i++) {
		for (j = 0; j < RTE_DIM(ids); j++) {
			d = domain(RTE_DMA_INTER_DOMAIN_NONE, handlers[i][0],
				handlers[i][1]);
			expect_setup(ids[j], 0, &conf, &d, 0, 0, 1);
			assert_true(domain_is_none(&state_of(ids[j])->vchan[0].seen));
		}
	}
}

static void
test_setup_direction(void **state)
{
	static const enum rte_dma_inter_domain_type types[] = {
		RTE_DMA_INTER_PROCESS_DOMAIN, RTE_DMA_INTER_OS_DOMAIN,
	};
	static const enum rte_dma_direction dirs[] = {
		RTE_DMA_DIR_MEM_TO_DEV, RTE_DMA_DIR_DEV_TO_MEM,
		RTE_DMA_DIR_DEV_TO_DEV, (enum rte_dma_direction)42,
	};
	struct rte_dma_vchan_conf conf;
	struct rte_dma_inter_domain_param d;
	unsigned int t, i;

	RTE_SET_USED(state);
	for (i = 0; i < RTE_DIM(dirs); i++) {
		conf = m2m_conf(NB_DESC);
		conf.direction = dirs[i];
		/* Ports that would be right for the direction: only the
		 * direction itself is wrong for an inter-domain vchan.
		 */
		if (dirs[i] == RTE_DMA_DIR_DEV_TO_MEM ||
				dirs[i] == RTE_DMA_DIR_DEV_TO_DEV)
			conf.src_port.port_type = RTE_DMA_PORT_PCIE;
		if (dirs[i] == RTE_DMA_DIR_MEM_TO_DEV ||
				dirs[i] == RTE_DMA_DIR_DEV_TO_DEV)
			conf.dst_port.port_type = RTE_DMA_PORT_PCIE;
		for (t = 0; t < RTE_DIM(types); t++) {
			d = domain(types[t], 1, 2);
			expect_setup(dev.both, 0, &conf, &d, -EINVAL, 0, 0);
			/* -EINVAL comes before -ENOTSUP */
			expect_setup(dev.noops, 0, &conf, &d, -EINVAL, 0, 0);
		}
	}
}

static void
test_setup_capability_missing(void **state)
{
	struct rte_dma_vchan_conf conf = m2m_conf(NB_DESC);
	struct rte_dma_inter_domain_param proc = domain(
		RTE_DMA_INTER_PROCESS_DOMAIN, 1, 2);
	struct rte_dma_inter_domain_param os = domain(
		RTE_DMA_INTER_OS_DOMAIN, 1, 2);

	RTE_SET_USED(state);
	/* Driver ops registered, but no OS bit: -EINVAL, check not asked. */
	expect_setup(dev.proc, 0, &conf, &os, -EINVAL, 0, 0);
	expect_setup(dev.proc, 0, &conf, &proc, 0, 1, 1);
	/* No bit at all: -EINVAL, which comes before -ENOTSUP. */
	expect_setup(dev.local, 0, &conf, &proc, -EINVAL, 0, 0);
	expect_setup(dev.local, 0, &conf, &os, -EINVAL, 0, 0);
}

/* 4. driver support */

static void
test_setup_no_driver_ops(void **state)
{
	struct rte_dma_vchan_conf conf = m2m_conf(NB_DESC);
	struct rte_dma_inter_domain_param proc = domain(
		RTE_DMA_INTER_PROCESS_DOMAIN, 1, 2);
	struct rte_dma_inter_domain_param os = domain(
		RTE_DMA_INTER_OS_DOMAIN, 1, 2);
	struct rte_dma_inter_domain_param none = domain(
		RTE_DMA_INTER_DOMAIN_NONE, 0, 0);
	struct testdev_state *st = state_of(dev.noops);

	RTE_SET_USED(state);
	expect_setup(dev.noops, 0, &conf, &proc, -ENOTSUP, 0, 1);
	expect_setup(dev.noops, 1, &conf, &os, -ENOTSUP, 0, 1);
	assert_false(st->vchan[0].set_up);
	assert_false(st->vchan[1].set_up);
	/* A local vchan needs nothing from the driver's domain support. */
	expect_setup(dev.noops, 0, &conf, &none, 0, 0, 1);
}

static void
test_setup_check_error(void **state)
{
	struct rte_dma_vchan_conf conf = m2m_conf(NB_DESC);
	struct rte_dma_inter_domain_param d;
	struct testdev_state *st = state_of(dev.both);

	RTE_SET_USED(state);
	d = domain(RTE_DMA_INTER_PROCESS_DOMAIN, TESTDEV_UNKNOWN_HANDLER, 2);
	expect_setup(dev.both, 1, &conf, &d, -ENOENT, 1, 1);
	assert_int_equal(st->check_vchan, 1);
	assert_memory_equal(&st->check_param, &d, sizeof(d));

	d = domain(RTE_DMA_INTER_OS_DOMAIN, 1, TESTDEV_UNKNOWN_HANDLER);
	expect_setup(dev.both, 0, &conf, &d, -ENOENT, 1, 1);
	assert_int_equal(st->check_vchan, 0);
	assert_memory_equal(&st->check_param, &d, sizeof(d));
	assert_false(st->vchan[0].set_up);
	assert_false(st->vchan[1].set_up);
}

/* 5. DPDK's checks, before the driver's (DPDK's order) */

static void
test_setup_dpdk_errors(void **state)
{
	static const uint16_t bad_desc[] = {
		0, 1, TESTDEV_MIN_DESC - 1, TESTDEV_MAX_DESC + 1, UINT16_MAX,
	};
	struct rte_dma_inter_domain_param d = domain(
		RTE_DMA_INTER_PROCESS_DOMAIN, 1, 2);
	struct rte_dma_vchan_conf conf;
	unsigned int i;

	RTE_SET_USED(state);
	for (i = 0; i < RTE_DIM(bad_desc); i++) {
		conf = m2m_conf(bad_desc[i]);
		expect_setup(dev.both, 0, &conf, &d, -EINVAL, 0, 0);
	}
	/* A device port on a memory-to-memory vchan */
	conf = m2m_conf(NB_DESC);
	conf.src_port.port_type = RTE_DMA_PORT_PCIE;
	expect_setup(dev.both, 0, &conf, &d, -EINVAL, 0, 0);
	/* The bounds themselves are fine */
	conf = m2m_conf(TESTDEV_MIN_DESC);
	expect_setup(dev.both, 0, &conf, &d, 0, 1, 1);
	conf = m2m_conf(TESTDEV_MAX_DESC);
	expect_setup(dev.both, 0, &conf, &d, 0, 1, 1);
}

static void
test_setup_failure_keeps_config(void **state)
{
	struct rte_dma_vchan_conf good = m2m_conf(NB_DESC);
	struct rte_dma_vchan_conf conf;
	struct rte_dma_inter_domain_param d = domain(
		RTE_DMA_INTER_PROCESS_DOMAIN, 1, 2);
	struct rte_dma_inter_domain_param bad;
	struct testdev_state *st = state_of(dev.both);
	struct testdev_vchan before;

	RTE_SET_USED(state);
	expect_setup(dev.both, 0, &good, &d, 0, 1, 1);
	before = st->vchan[0];
	assert_true(before.set_up);
	assert_int_equal(before.nb_desc, NB_DESC);

	/* DPDK leaves the type's range to the driver: its op refuses. */
	bad = domain(TYPE_UNDEFINED(3), 1, 2);
	expect_setup(dev.both, 0, &good, &bad, -EINVAL, 0, 1);
	bad = d;
	bad.reserved[0] = 1;
	expect_setup(dev.both, 0, &good, &bad, -EINVAL, 0, 0);
	conf = good;
	conf.direction = RTE_DMA_DIR_DEV_TO_MEM;
	conf.src_port.port_type = RTE_DMA_PORT_PCIE;
	expect_setup(dev.both, 0, &conf, &d, -EINVAL, 0, 0);
	bad = domain(RTE_DMA_INTER_OS_DOMAIN, TESTDEV_UNKNOWN_HANDLER, 4);
	expect_setup(dev.both, 0, &good, &bad, -ENOENT, 1, 1);
	conf = m2m_conf(TESTDEV_MAX_DESC + 1);
	bad = domain(RTE_DMA_INTER_OS_DOMAIN, 3, 4);
	expect_setup(dev.both, 0, &conf, &bad, -EINVAL, 0, 0);

	assert_memory_equal(&st->vchan[0], &before, sizeof(before));

	/* and a later success does replace it */
	conf = m2m_conf(2 * NB_DESC);
	expect_setup(dev.both, 0, &conf, &bad, 0, 1, 1);
	assert_int_equal(st->vchan[0].nb_desc, 2 * NB_DESC);
	assert_memory_equal(&st->vchan[0].seen, &bad, sizeof(bad));
}

static void
test_setup_plumbing(void **state)
{
	struct rte_dma_vchan_conf conf0 = m2m_conf(NB_DESC);
	struct rte_dma_vchan_conf conf1 = m2m_conf(2 * NB_DESC);
	struct rte_dma_inter_domain_param proc = domain(
		RTE_DMA_INTER_PROCESS_DOMAIN, 1, 2);
	struct rte_dma_inter_domain_param os = domain(
		RTE_DMA_INTER_OS_DOMAIN, 3, 4);
	struct rte_dma_inter_domain_param none = domain(
		RTE_DMA_INTER_DOMAIN_NONE, 0, 0);
	struct rte_dma_inter_domain_param out;
	struct testdev_state *st = state_of(dev.both);
	uint16_t v;

	RTE_SET_USED(state);
	expect_setup(dev.both, 0, &conf0, &proc, 0, 1, 1);
	assert_int_equal(st->check_vchan, 0);
	assert_memory_equal(&st->check_param, &proc, sizeof(proc));
	assert_int_equal(st->vchan[0].nb_desc, NB_DESC);
	assert_memory_equal(&st->vchan[0].seen, &proc, sizeof(proc));

	expect_setup(dev.both, 1, &conf1, &os, 0, 1, 1);
	assert_int_equal(st->check_vchan, 1);
	assert_int_equal(st->vchan[1].nb_desc, 2 * NB_DESC);
	assert_memory_equal(&st->vchan[1].seen, &os, sizeof(os));
	/* vchan 0 untouched by vchan 1's setup */
	assert_memory_equal(&st->vchan[0].seen, &proc, sizeof(proc));

	/* Outside a setup call the driver reads NONE. */
	for (v = 0; v < TESTDEV_MAX_VCHANS; v++) {
		memset(&out, 0xff, sizeof(out));
		assert_int_equal(rte_dma_domain_vchan_param_get(dev.both, v,
			&conf0, &out), 0);
		assert_true(domain_is_none(&out));
	}

	/* DPDK's plain call, and NONE, both read NONE, with no check. */
	assert_int_equal(rte_dma_vchan_setup(dev.both, 0, &conf0), 0);
	assert_true(domain_is_none(&st->vchan[0].seen));
	expect_setup(dev.both, 1, &conf1, &none, 0, 0, 1);
	assert_true(domain_is_none(&st->vchan[1].seen));

	/* An inter-domain vchan is a vchan like any other for start/stop. */
	expect_setup(dev.both, 0, &conf0, &proc, 0, 1, 1);
	assert_int_equal(rte_dma_start(dev.both), 0);
	assert_int_equal(rte_dma_stop(dev.both), 0);
}

static void
test_param_get_outside(void **state)
{
	const int16_t ids[] = { dev.both, dev.noops, -1, unused_dev_id() };
	struct rte_dma_vchan_conf conf = m2m_conf(NB_DESC);
	struct rte_dma_inter_domain_param out;
	unsigned int i;
	uint16_t v;

	RTE_SET_USED(state);
	for (i = 0; i < RTE_DIM(ids); i++) {
		for (v = 0; v < TESTDEV_MAX_VCHANS; v++) {
			memset(&out, 0xff, sizeof(out));
			assert_int_equal(rte_dma_domain_vchan_param_get(ids[i],
				v, &conf, &out), 0);
			assert_true(domain_is_none(&out));
		}
	}
}

/* With NONE, rte_dma_domain_vchan_setup() is rte_dma_vchan_setup(). */
static void
test_setup_none_is_plain(void **state)
{
	const int16_t ids[] = { dev.both, dev.noops, dev.local };
	struct rte_dma_inter_domain_param none = domain(
		RTE_DMA_INTER_DOMAIN_NONE, 0, 0);
	struct rte_dma_vchan_conf confs[8];
	unsigned int nb_confs = 0;
	unsigned int i, j;
	int plain, dom;

	RTE_SET_USED(state);
	confs[nb_confs++] = m2m_conf(NB_DESC);
	confs[nb_confs++] = m2m_conf(TESTDEV_MIN_DESC - 1);
	confs[nb_confs++] = m2m_conf(TESTDEV_MAX_DESC + 1);
	confs[nb_confs] = m2m_conf(NB_DESC);
	confs[nb_confs++].direction = RTE_DMA_DIR_MEM_TO_DEV; /* no capa */
	confs[nb_confs] = m2m_conf(NB_DESC);
	confs[nb_confs++].direction = (enum rte_dma_direction)42;
	confs[nb_confs] = m2m_conf(NB_DESC);
	confs[nb_confs++].dst_port.port_type = RTE_DMA_PORT_PCIE;

	for (j = 0; j < RTE_DIM(ids); j++) {
		struct testdev_state *st = state_of(ids[j]);

		for (i = 0; i < nb_confs; i++) {
			unsigned int s0 = st->setup_calls;
			unsigned int s1;

			plain = rte_dma_vchan_setup(ids[j], 1, &confs[i]);
			s1 = st->setup_calls;
			dom = rte_dma_domain_vchan_setup(ids[j], 1, &confs[i],
				&none);
			assert_int_equal(dom, plain);
			assert_int_equal(st->setup_calls - s1, s1 - s0);
		}
		assert_int_equal(rte_dma_vchan_setup(ids[j], 1, NULL),
			rte_dma_domain_vchan_setup(ids[j], 1, NULL, &none));
		assert_int_equal(st->check_calls, 0);

		/* started: both -EBUSY */
		dev_start(ids[j]);
		assert_int_equal(rte_dma_vchan_setup(ids[j], 0, &confs[0]),
			-EBUSY);
		assert_int_equal(rte_dma_domain_vchan_setup(ids[j], 0,
			&confs[0], &none), -EBUSY);
		assert_int_equal(rte_dma_stop(ids[j]), 0);
	}
}

/* rte_dma_domain_ops_register() / _unregister() */

static int
check_refuse_all(int16_t dev_id, uint16_t vchan,
		const struct rte_dma_inter_domain_param *d)
{
	RTE_SET_USED(dev_id);
	RTE_SET_USED(vchan);
	RTE_SET_USED(d);
	return -EPERM;
}

static int
attach_nop(int16_t dev_id, int16_t group_id, uint16_t handler)
{
	RTE_SET_USED(dev_id);
	RTE_SET_USED(group_id);
	RTE_SET_USED(handler);
	return 0;
}

static void
detach_nop(int16_t dev_id, int16_t group_id)
{
	RTE_SET_USED(dev_id);
	RTE_SET_USED(group_id);
}

static void
left_nop(int16_t dev_id, int16_t group_id, uint16_t handler)
{
	RTE_SET_USED(dev_id);
	RTE_SET_USED(group_id);
	RTE_SET_USED(handler);
}

static void
test_ops_register(void **state)
{
	static const struct rte_dma_domain_ops refuse = {
		.vchan_check = check_refuse_all,
		.group_attach = attach_nop,
		.group_detach = detach_nop,
		.member_left = left_nop,
	};
	static const struct rte_dma_domain_ops empty = { .vchan_check = NULL };
	/* Each table lacks one operation: none is accepted. */
	static const struct rte_dma_domain_ops partial[] = {
		{ .group_attach = attach_nop, .group_detach = detach_nop,
		  .member_left = left_nop },
		{ .vchan_check = check_refuse_all, .group_detach = detach_nop,
		  .member_left = left_nop },
		{ .vchan_check = check_refuse_all, .group_attach = attach_nop,
		  .member_left = left_nop },
		{ .vchan_check = check_refuse_all, .group_attach = attach_nop,
		  .group_detach = detach_nop },
	};
	unsigned int i;
	struct rte_dma_vchan_conf conf = m2m_conf(NB_DESC);
	struct rte_dma_inter_domain_param d = domain(
		RTE_DMA_INTER_PROCESS_DOMAIN, 1, 2);

	RTE_SET_USED(state);
	assert_int_equal(rte_dma_domain_ops_register(-1, &refuse), -EINVAL);
	assert_int_equal(rte_dma_domain_ops_register(INT16_MIN, &refuse),
		-EINVAL);
	assert_int_equal(rte_dma_domain_ops_register(dev.noops, NULL), -EINVAL);
	assert_int_equal(rte_dma_domain_ops_register(dev.noops, &empty),
		-EINVAL);
	for (i = 0; i < RTE_DIM(partial); i++)
		assert_int_equal(rte_dma_domain_ops_register(dev.noops,
			&partial[i]), -EINVAL);
	/* none of these registered anything */
	assert_false(rte_dma_domain_is_supported(dev.noops,
		RTE_DMA_INTER_PROCESS_DOMAIN));
	expect_setup(dev.noops, 0, &conf, &d, -ENOTSUP, 0, 1);

	/* A second table never replaces the first. */
	assert_int_equal(rte_dma_domain_ops_register(dev.both, &refuse),
		-EEXIST);
	expect_setup(dev.both, 0, &conf, &d, 0, 1, 1);

	assert_int_equal(rte_dma_domain_ops_register(dev.noops, &refuse), 0);
	assert_true(rte_dma_domain_is_supported(dev.noops,
		RTE_DMA_INTER_PROCESS_DOMAIN));
	assert_true(rte_dma_domain_is_supported(dev.noops,
		RTE_DMA_INTER_OS_DOMAIN));
	/* its check is the one asked, and its errno comes back unchanged */
	expect_setup(dev.noops, 0, &conf, &d, -EPERM, 0, 1);
	assert_int_equal(rte_dma_domain_ops_register(dev.noops, &refuse),
		-EEXIST);

	rte_dma_domain_ops_unregister(dev.noops);
	assert_false(rte_dma_domain_is_supported(dev.noops,
		RTE_DMA_INTER_PROCESS_DOMAIN));
	expect_setup(dev.noops, 0, &conf, &d, -ENOTSUP, 0, 1);
	/* harmless: twice, never registered, invalid ids */
	rte_dma_domain_ops_unregister(dev.noops);
	rte_dma_domain_ops_unregister(dev.local);
	rte_dma_domain_ops_unregister(unused_dev_id());
	rte_dma_domain_ops_unregister(-1);
	rte_dma_domain_ops_unregister(INT16_MIN);
	assert_true(rte_dma_domain_is_supported(dev.both,
		RTE_DMA_INTER_PROCESS_DOMAIN));
}

/* Probe registers, close unregisters: a device can come back. */
static void
test_ops_reprobe(void **state)
{
	static const char name[] = TESTDEV_DRIVER "_reprobe";
	int16_t id;
	int round;

	RTE_SET_USED(state);
	for (round = 0; round < 2; round++) {
		assert_int_equal(rte_vdev_init(name, "capa=process,ops=1"), 0);
		id = rte_dma_get_dev_id_by_name(name);
		assert_true(id >= 0);
		assert_true(rte_dma_domain_is_supported(id,
			RTE_DMA_INTER_PROCESS_DOMAIN));
		assert_int_equal(rte_vdev_uninit(name), 0);
		assert_false(rte_dma_is_valid(id));
		assert_false(rte_dma_domain_is_supported(id,
			RTE_DMA_INTER_PROCESS_DOMAIN));
	}
}

static void
test_is_supported(void **state)
{
	const struct {
		int16_t id;
		enum rte_dma_inter_domain_type type;
		bool supported;
	} cases[] = {
		{ dev.both, RTE_DMA_INTER_PROCESS_DOMAIN, true },
		{ dev.both, RTE_DMA_INTER_OS_DOMAIN, true },
		{ dev.both, RTE_DMA_INTER_DOMAIN_NONE, false },
		{ dev.both, TYPE_UNDEFINED(3), false },
		{ dev.both, TYPE_UNDEFINED(UINT32_MAX), false },
		{ dev.proc, RTE_DMA_INTER_PROCESS_DOMAIN, true },
		{ dev.proc, RTE_DMA_INTER_OS_DOMAIN, false },
		{ dev.noops, RTE_DMA_INTER_PROCESS_DOMAIN, false },
		{ dev.noops, RTE_DMA_INTER_OS_DOMAIN, false },
		{ dev.local, RTE_DMA_INTER_PROCESS_DOMAIN, false },
		{ dev.local, RTE_DMA_INTER_OS_DOMAIN, false },
		{ -1, RTE_DMA_INTER_PROCESS_DOMAIN, false },
		{ INT16_MIN, RTE_DMA_INTER_PROCESS_DOMAIN, false },
		{ unused_dev_id(), RTE_DMA_INTER_PROCESS_DOMAIN, false },
	};
	unsigned int i;

	RTE_SET_USED(state);
	for (i = 0; i < RTE_DIM(cases); i++) {
		if (rte_dma_domain_is_supported(cases[i].id, cases[i].type) !=
				cases[i].supported)
			fail_msg("case %u: device %d type %u: expected %s", i,
				cases[i].id, (unsigned int)cases[i].type,
				cases[i].supported ? "true" : "false");
	}
}

static void
test_capa_bits(void **state)
{
	struct rte_dma_info info;

	RTE_SET_USED(state);
	/* the upstream (DPDK 25.11) values */
	assert_true(RTE_DMA_CAPA_INTER_PROCESS_DOMAIN == RTE_BIT64(9));
	assert_true(RTE_DMA_CAPA_INTER_OS_DOMAIN == RTE_BIT64(10));
	assert_int_equal(RTE_DMA_INTER_DOMAIN_NONE, 0);
	/* and they reach the application through rte_dma_info_get() */
	assert_int_equal(rte_dma_info_get(dev.both, &info), 0);
	assert_true(info.dev_capa & RTE_DMA_CAPA_INTER_PROCESS_DOMAIN);
	assert_true(info.dev_capa & RTE_DMA_CAPA_INTER_OS_DOMAIN);
	assert_int_equal(rte_dma_info_get(dev.local, &info), 0);
	assert_false(info.dev_capa & (RTE_DMA_CAPA_INTER_PROCESS_DOMAIN |
		RTE_DMA_CAPA_INTER_OS_DOMAIN));
}

static void
test_capa_name(void **state)
{
	static const uint64_t no_name[] = {
		0, RTE_DMA_CAPA_MEM_TO_MEM, RTE_DMA_CAPA_SVA, RTE_BIT64(8),
		RTE_BIT64(11), RTE_DMA_CAPA_OPS_COPY, RTE_BIT64(63),
		RTE_DMA_CAPA_INTER_PROCESS_DOMAIN | RTE_DMA_CAPA_INTER_OS_DOMAIN,
		RTE_DMA_CAPA_INTER_PROCESS_DOMAIN | RTE_DMA_CAPA_MEM_TO_MEM,
	};
	unsigned int i;

	RTE_SET_USED(state);
	assert_string_equal(rte_dma_domain_capa_name(
		RTE_DMA_CAPA_INTER_PROCESS_DOMAIN), "inter_process_domain");
	assert_string_equal(rte_dma_domain_capa_name(
		RTE_DMA_CAPA_INTER_OS_DOMAIN), "inter_os_domain");
	for (i = 0; i < RTE_DIM(no_name); i++)
		assert_null(rte_dma_domain_capa_name(no_name[i]));
}

static void
test_capa_dump(void **state)
{
	const struct {
		uint64_t capa;
		const char *rest;
	} cases[] = {
		{ 0, " none\n" },
		{ RTE_DMA_CAPA_MEM_TO_MEM | RTE_DMA_CAPA_SVA |
			RTE_DMA_CAPA_OPS_COPY | RTE_DMA_CAPA_OPS_COPY_SG |
			RTE_DMA_CAPA_OPS_FILL, " none\n" },
		{ RTE_DMA_CAPA_INTER_PROCESS_DOMAIN, " inter_process_domain\n" },
		{ RTE_DMA_CAPA_INTER_OS_DOMAIN, " inter_os_domain\n" },
		{ RTE_DMA_CAPA_INTER_PROCESS_DOMAIN |
			RTE_DMA_CAPA_INTER_OS_DOMAIN | RTE_DMA_CAPA_MEM_TO_MEM,
			" inter_process_domain inter_os_domain\n" },
	};
	static const char key[] = "inter-domain capa:";
	unsigned int i;

	RTE_SET_USED(state);
	for (i = 0; i < RTE_DIM(cases); i++) {
		char *buf = NULL;
		size_t len = 0;
		const char *at;
		FILE *f;

		f = open_memstream(&buf, &len);
		assert_non_null(f);
		rte_dma_domain_capa_dump(f, cases[i].capa);
		assert_int_equal(fclose(f), 0);
		/* exactly one line, holding the key and the names after it */
		at = strstr(buf, key);
		assert_non_null(at);
		assert_string_equal(at + strlen(key), cases[i].rest);
		assert_ptr_equal(strchr(buf, '\n'), buf + len - 1);
		free(buf);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_setup_invalid_dev, devs_reset),
		cmocka_unit_test_setup(test_setup_null_args, devs_reset),
		cmocka_unit_test_setup(test_setup_unconfigured, devs_reset),
		cmocka_unit_test_setup(test_setup_vchan_range, devs_reset),
		cmocka_unit_test_setup(test_setup_started, devs_reset),
		cmocka_unit_test_setup(test_setup_type_undefined, devs_reset),
		cmocka_unit_test_setup(test_setup_reserved, devs_reset),
		cmocka_unit_test_setup(test_setup_none_with_handlers, devs_reset),
		cmocka_unit_test_setup(test_setup_direction, devs_reset),
		cmocka_unit_test_setup(test_setup_capability_missing, devs_reset),
		cmocka_unit_test_setup(test_setup_no_driver_ops, devs_reset),
		cmocka_unit_test_setup(test_setup_check_error, devs_reset),
		cmocka_unit_test_setup(test_setup_dpdk_errors, devs_reset),
		cmocka_unit_test_setup(test_setup_failure_keeps_config,
			devs_reset),
		cmocka_unit_test_setup(test_setup_plumbing, devs_reset),
		cmocka_unit_test_setup(test_param_get_outside, devs_reset),
		cmocka_unit_test_setup(test_setup_none_is_plain, devs_reset),
		cmocka_unit_test_setup(test_ops_register, devs_reset),
		cmocka_unit_test_setup(test_ops_reprobe, devs_reset),
		cmocka_unit_test_setup(test_is_supported, devs_reset),
		cmocka_unit_test(test_capa_bits),
		cmocka_unit_test(test_capa_name),
		cmocka_unit_test(test_capa_dump),
	};
	int ret;

	ret = test_eal_init("api", NULL, 0);
	if (ret != 0) {
		fprintf(stderr, "EAL init failed: %s\n", strerror(-ret));
		return 1;
	}
	ret = cmocka_run_group_tests_name("domain_api", tests, group_setup,
		group_teardown);
	test_eal_fini();
	return ret == 0 ? 0 : 1;
}
