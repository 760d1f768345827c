/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-dma-xd authors
 */

/*
 * The driver interface (rte_dmadev_sdk.h) against the running librte_dmadev:
 * the allocation wrapper must refuse bad input and the started flag must
 * read right; the DPDK target's own cases are in dpdk-<target>/.
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
#include "test_sdk.h"

/* Stands for the EAL device of a vdev: rte_dma_info_get() reads it. */
struct rte_device sdk_fake_device = { .name = SDK_SLOT_NAME };

int16_t sdk_skel_id;

static const struct rte_dma_dev_ops empty_ops = { 0 };

static void
test_allocate_bad_input(void **state)
{
	int err = 0;

	(void)state;
	assert_null(rte_dma_sdk_pmd_allocate(NULL, &sdk_fake_device, 0, 64,
		&empty_ops, &err));
	assert_int_equal(err, -EINVAL);
	assert_null(rte_dma_sdk_pmd_allocate(SDK_SLOT_NAME, NULL, 0, 64,
		&empty_ops, &err));
	assert_int_equal(err, -EINVAL);
	assert_null(rte_dma_sdk_pmd_allocate(SDK_SLOT_NAME, &sdk_fake_device, 0, 64,
		NULL, &err));
	assert_int_equal(err, -EINVAL);
	/* A name in use: the existing device is left alone. */
	assert_null(rte_dma_sdk_pmd_allocate("dma_xd_skeleton0",
		&sdk_fake_device, 0, 64, &empty_ops, &err));
	assert_int_equal(err, -EEXIST);
	assert_int_equal(rte_dma_get_dev_id_by_name("dma_xd_skeleton0"),
		sdk_skel_id);
	/* And nothing was left allocated by the failures. */
	assert_true(rte_dma_get_dev_id_by_name(SDK_SLOT_NAME) < 0);
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
	assert_int_equal(rte_dma_configure(sdk_skel_id, &conf), 0);
	assert_int_equal(rte_dma_vchan_setup(sdk_skel_id, 0, &vconf), 0);
	assert_int_equal(rte_dma_sdk_dev_started(sdk_skel_id), 0);
	assert_int_equal(rte_dma_start(sdk_skel_id), 0);
	assert_int_equal(rte_dma_sdk_dev_started(sdk_skel_id), 1);
	assert_int_equal(rte_dma_stop(sdk_skel_id), 0);
	assert_int_equal(rte_dma_sdk_dev_started(sdk_skel_id), 0);
}

int
main(void)
{
	static const char *const extra[] = { "--vdev=dma_xd_skeleton0" };
	const struct CMUnitTest common[] = {
		cmocka_unit_test(test_allocate_bad_input),
		cmocka_unit_test(test_dev_started),
	};
	int ret;

	ret = test_eal_init("sdk", extra, RTE_DIM(extra));
	if (ret != 0) {
		fprintf(stderr, "EAL init failed: %s\n", strerror(-ret));
		return 1;
	}
	sdk_skel_id = rte_dma_get_dev_id_by_name("dma_xd_skeleton0");
	if (sdk_skel_id < 0) {
		fprintf(stderr, "dma_xd_skeleton0 was not created\n");
		test_eal_fini();
		return 1;
	}
	ret = cmocka_run_group_tests_name("sdk", common, NULL, NULL);
	ret |= sdk_target_run();
	test_eal_fini();
	return ret;
}
