/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-dma-xd authors
 */

/*
 * The driver-interface subset (rte_dmadev_sdk.h) against the running
 * librte_dmadev: the layout check must pass on a real slot and fire on a
 * tampered one, and the allocation wrapper must refuse bad input.
 */

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include <rte_common.h>
#include <rte_dmadev.h>
#include <rte_lcore.h>

#include "rte_dmadev_sdk.h"
#include "test_eal.h"

#define SLOT_NAME "xd_sdk_probe0"

/* Stands for the EAL device of a vdev: rte_dma_info_get() reads it. */
static struct rte_device fake_device = { .name = SLOT_NAME };

static int16_t skel_id;

static const struct rte_dma_dev_ops empty_ops = { 0 };

/* A fresh slot straight from DPDK, as a driver's probe gets it. */
static struct rte_dma_dev *
slot_new(void)
{
	struct rte_dma_dev *dev;

	dev = rte_dma_pmd_allocate(SLOT_NAME, (int)rte_socket_id(), 64);
	assert_non_null(dev);
	return dev;
}

static void
test_layout_check_passes(void **state)
{
	struct rte_dma_dev *dev = slot_new();

	(void)state;
	fake_device.numa_node = (int)rte_socket_id();
	assert_null(rte_dma_sdk_layout_check(dev, SLOT_NAME,
		(int)rte_socket_id(), &fake_device));
	assert_ptr_equal(dev->device, &fake_device);
	assert_int_equal(rte_dma_pmd_release(SLOT_NAME), 0);
}

/* A slot whose fast-path object is not where the layout says. */
static void
test_layout_check_fp_obj(void **state)
{
	struct rte_dma_dev *dev = slot_new();
	struct rte_dma_fp_object *real = dev->fp_obj;

	(void)state;
	dev->fp_obj = real + 1;
	assert_string_equal(rte_dma_sdk_layout_check(dev, SLOT_NAME,
		(int)rte_socket_id(), &fake_device), "fp_obj");
	dev->fp_obj = real;
	assert_int_equal(rte_dma_pmd_release(SLOT_NAME), 0);
}

/* What a shifted dev_name or numa_node field would read back as. */
static void
test_layout_check_fields(void **state)
{
	struct rte_dma_dev *dev = slot_new();

	(void)state;
	assert_string_equal(rte_dma_sdk_layout_check(dev, "xd_sdk_other0",
		(int)rte_socket_id(), &fake_device), "data->dev_name");
	assert_string_equal(rte_dma_sdk_layout_check(dev, SLOT_NAME,
		(int)rte_socket_id() + 1, &fake_device), "data->numa_node");
	assert_int_equal(rte_dma_pmd_release(SLOT_NAME), 0);
}

/* A slot already READY is not what a probe gets: refused. */
static void
test_layout_check_state(void **state)
{
	struct rte_dma_dev *dev = slot_new();

	(void)state;
	dev->state = RTE_DMA_DEV_READY;
	assert_string_equal(rte_dma_sdk_layout_check(dev, SLOT_NAME,
		(int)rte_socket_id(), &fake_device), "state");
	dev->state = RTE_DMA_DEV_REGISTERED;
	assert_int_equal(rte_dma_pmd_release(SLOT_NAME), 0);
}

static void
test_allocate_bad_input(void **state)
{
	int err = 0;

	(void)state;
	assert_null(rte_dma_sdk_pmd_allocate(NULL, &fake_device, 0, 64,
		&empty_ops, &err));
	assert_int_equal(err, -EINVAL);
	assert_null(rte_dma_sdk_pmd_allocate(SLOT_NAME, NULL, 0, 64,
		&empty_ops, &err));
	assert_int_equal(err, -EINVAL);
	assert_null(rte_dma_sdk_pmd_allocate(SLOT_NAME, &fake_device, 0, 64,
		NULL, &err));
	assert_int_equal(err, -EINVAL);
	/* A name in use: the existing device is left alone. */
	assert_null(rte_dma_sdk_pmd_allocate("dma_xd_skeleton0",
		&fake_device, 0, 64, &empty_ops, &err));
	assert_int_equal(err, -EEXIST);
	assert_int_equal(rte_dma_get_dev_id_by_name("dma_xd_skeleton0"),
		skel_id);
	/* And nothing was left allocated by the failures. */
	assert_true(rte_dma_get_dev_id_by_name(SLOT_NAME) < 0);
}

static void
test_dev_started(void **state)
{
	struct rte_dma_conf conf = { .nb_vchans = 1 };
	struct rte_dma_vchan_conf vconf = {
		.direction = RTE_DMA_DIR_MEM_TO_MEM,
		.nb_desc = 64,
	};

	(void)state;
	assert_int_equal(rte_dma_sdk_dev_started(-1), -ENODEV);
	assert_int_equal(rte_dma_sdk_dev_started(INT16_MAX), -ENODEV);
	assert_int_equal(rte_dma_configure(skel_id, &conf), 0);
	assert_int_equal(rte_dma_vchan_setup(skel_id, 0, &vconf), 0);
	assert_int_equal(rte_dma_sdk_dev_started(skel_id), 0);
	assert_int_equal(rte_dma_start(skel_id), 0);
	assert_int_equal(rte_dma_sdk_dev_started(skel_id), 1);
	assert_int_equal(rte_dma_stop(skel_id), 0);
	assert_int_equal(rte_dma_sdk_dev_started(skel_id), 0);
}

int
main(void)
{
	static const char *const extra[] = { "--vdev=dma_xd_skeleton0" };
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout_check_passes),
		cmocka_unit_test(test_layout_check_fp_obj),
		cmocka_unit_test(test_layout_check_fields),
		cmocka_unit_test(test_layout_check_state),
		cmocka_unit_test(test_allocate_bad_input),
		cmocka_unit_test(test_dev_started),
	};
	int ret;

	ret = test_eal_init("sdk", extra, RTE_DIM(extra));
	if (ret != 0) {
		fprintf(stderr, "EAL init failed: %s\n", strerror(-ret));
		return 1;
	}
	skel_id = rte_dma_get_dev_id_by_name("dma_xd_skeleton0");
	if (skel_id < 0) {
		fprintf(stderr, "dma_xd_skeleton0 was not created\n");
		test_eal_fini();
		return 1;
	}
	ret = cmocka_run_group_tests(tests, NULL, NULL);
	test_eal_fini();
	return ret;
}
