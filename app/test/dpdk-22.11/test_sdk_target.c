/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-dma-xd authors
 */

/*
 * The DPDK 22.11 target's driver interface: the layout check must pass on
 * a real slot and fire on a tampered one.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <rte_common.h>
#include <rte_dmadev.h>
#include <rte_lcore.h>

#include "rte_dmadev_sdk.h"
#include "test_sdk.h"

/* A fresh slot straight from DPDK, as a driver's probe gets it. */
static struct rte_dma_dev *
slot_new(void)
{
	struct rte_dma_dev *dev;

	dev = rte_dma_pmd_allocate(SDK_SLOT_NAME, (int)rte_socket_id(), 64);
	assert_non_null(dev);
	return dev;
}

static void
test_layout_check_passes(void **state)
{
	struct rte_dma_dev *dev = slot_new();

	(void)state;
	sdk_fake_device.numa_node = (int)rte_socket_id();
	assert_null(rte_dma_sdk_layout_check(dev, SDK_SLOT_NAME,
		(int)rte_socket_id(), &sdk_fake_device));
	assert_ptr_equal(dev->device, &sdk_fake_device);
	assert_int_equal(rte_dma_pmd_release(SDK_SLOT_NAME), 0);
}

/* A slot whose fast-path object is not where the layout says. */
static void
test_layout_check_fp_obj(void **state)
{
	struct rte_dma_dev *dev = slot_new();
	struct rte_dma_fp_object *real = dev->fp_obj;

	(void)state;
	dev->fp_obj = real + 1;
	assert_string_equal(rte_dma_sdk_layout_check(dev, SDK_SLOT_NAME,
		(int)rte_socket_id(), &sdk_fake_device), "fp_obj");
	dev->fp_obj = real;
	assert_int_equal(rte_dma_pmd_release(SDK_SLOT_NAME), 0);
}

/* What a shifted dev_name or numa_node field would read back as. */
static void
test_layout_check_fields(void **state)
{
	struct rte_dma_dev *dev = slot_new();

	(void)state;
	assert_string_equal(rte_dma_sdk_layout_check(dev, "xd_sdk_other0",
		(int)rte_socket_id(), &sdk_fake_device), "data->dev_name");
	assert_string_equal(rte_dma_sdk_layout_check(dev, SDK_SLOT_NAME,
		(int)rte_socket_id() + 1, &sdk_fake_device), "data->numa_node");
	assert_int_equal(rte_dma_pmd_release(SDK_SLOT_NAME), 0);
}

/* A slot already READY is not what a probe gets: refused. */
static void
test_layout_check_state(void **state)
{
	struct rte_dma_dev *dev = slot_new();

	(void)state;
	dev->state = RTE_DMA_DEV_READY;
	assert_string_equal(rte_dma_sdk_layout_check(dev, SDK_SLOT_NAME,
		(int)rte_socket_id(), &sdk_fake_device), "state");
	dev->state = RTE_DMA_DEV_REGISTERED;
	assert_int_equal(rte_dma_pmd_release(SDK_SLOT_NAME), 0);
}

int
sdk_target_run(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout_check_passes),
		cmocka_unit_test(test_layout_check_fp_obj),
		cmocka_unit_test(test_layout_check_fields),
		cmocka_unit_test(test_layout_check_state),
	};

	return cmocka_run_group_tests_name("sdk_dpdk_22_11", tests, NULL,
		NULL);
}
