/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-dma-xd authors
 */

/*
 * The native target's driver interface: our devices fill DPDK's five access
 * pair group ops, which DPDK's own wrappers call.
 */

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include <rte_common.h>
#include <rte_dmadev.h>

#include "rte_dmadev_sdk.h"
#include "test_sdk.h"

static void
test_group_ops_filled(void **state)
{
	const struct rte_dma_dev *dev = rte_dma_pmd_get_dev_by_id(sdk_skel_id);

	(void)state;
	assert_non_null(dev);
	assert_ptr_equal(dev->dev_ops->access_pair_group_create,
		rte_dma_sdk_group_create);
	assert_ptr_equal(dev->dev_ops->access_pair_group_destroy,
		rte_dma_sdk_group_destroy);
	assert_ptr_equal(dev->dev_ops->access_pair_group_join,
		rte_dma_sdk_group_join);
	assert_ptr_equal(dev->dev_ops->access_pair_group_leave,
		rte_dma_sdk_group_leave);
	assert_ptr_equal(dev->dev_ops->access_pair_group_handler_get,
		rte_dma_sdk_group_handler_get);
}

/* DPDK's wrapper reaches our op, which answers for a group it never saw. */
static void
test_group_ops_reached(void **state)
{
	rte_uuid_t dom;
	uint16_t handler;

	(void)state;
	memset(dom, 0x5a, sizeof(dom));
	assert_int_equal(rte_dma_access_pair_group_leave(sdk_skel_id, 7),
		-ENOENT);
	assert_int_equal(rte_dma_access_pair_group_destroy(sdk_skel_id, 7),
		-ENOENT);
	assert_int_equal(rte_dma_access_pair_group_handler_get(sdk_skel_id, 7,
		dom, &handler), -ENOENT);
}

int
sdk_target_run(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_group_ops_filled),
		cmocka_unit_test(test_group_ops_reached),
	};

	return cmocka_run_group_tests_name("sdk_dpdk_25_11", tests, NULL,
		NULL);
}
