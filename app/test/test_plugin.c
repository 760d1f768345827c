/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-dma-xd authors
 */

/*
 * A plain DPDK application that knows nothing of dpdk-dma-xd: it links
 * only libdpdk, and gets one of our drivers from the plugin given with EAL
 * -d: "test_plugin PLUGIN DEVICE" (meson passes them; without, the
 * skeleton's). It copies through the device and checks the data, so a
 * plugin that loads but cannot work fails too.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <rte_common.h>
#include <rte_dmadev.h>
#include <rte_eal.h>
#include <rte_malloc.h>

#include "test_eal.h"

#define COPY_LEN 4096

static const char *plugin_dev = "dma_xd_skeleton0";

static void
test_plugin_device_copies(void **state)
{
	struct rte_dma_conf conf = { .nb_vchans = 1 };
	struct rte_dma_vchan_conf vconf = {
		.direction = RTE_DMA_DIR_MEM_TO_MEM,
		.nb_desc = 64,
	};
	uint16_t last = 0;
	bool err = false;
	int16_t id;
	char *src, *dst;
	int i;

	(void)state;
	id = rte_dma_get_dev_id_by_name(plugin_dev);
	assert_true(id >= 0);
	src = rte_malloc(NULL, COPY_LEN, 64);
	dst = rte_zmalloc(NULL, COPY_LEN, 64);
	assert_non_null(src);
	assert_non_null(dst);
	for (i = 0; i < COPY_LEN; i++)
		src[i] = (char)(i * 7 + 3);
	assert_int_equal(rte_dma_configure(id, &conf), 0);
	assert_int_equal(rte_dma_vchan_setup(id, 0, &vconf), 0);
	assert_int_equal(rte_dma_start(id), 0);
	assert_int_equal(rte_dma_copy(id, 0, (rte_iova_t)(uintptr_t)src,
		(rte_iova_t)(uintptr_t)dst, COPY_LEN, RTE_DMA_OP_FLAG_SUBMIT), 0);
	assert_int_equal(rte_dma_completed(id, 0, 1, &last, &err), 1);
	assert_false(err);
	assert_int_equal(last, 0);
	assert_memory_equal(src, dst, COPY_LEN);
	assert_int_equal(rte_dma_stop(id), 0);
	assert_int_equal(rte_dma_close(id), 0);
	rte_free(src);
	rte_free(dst);
}

int
main(int argc, char **argv)
{
	/* The plugin by bare name: found through LD_LIBRARY_PATH. */
	const char *extra[] = { "-d", "librte_dma_xd_skeleton.so", NULL };
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plugin_device_copies),
	};
	char vdev[128];
	int ret;

	if (argc != 1 && argc != 3) {
		fprintf(stderr, "usage: %s [PLUGIN DEVICE]\n", argv[0]);
		return 1;
	}
	if (argc == 3) {
		extra[1] = argv[1];
		plugin_dev = argv[2];
	}
	snprintf(vdev, sizeof(vdev), "--vdev=%s", plugin_dev);
	extra[2] = vdev;
	ret = test_eal_init(plugin_dev, extra, RTE_DIM(extra));
	if (ret != 0) {
		fprintf(stderr, "EAL init failed (is the plugin loadable?): %s\n",
			strerror(-ret));
		return 1;
	}
	ret = cmocka_run_group_tests(tests, NULL, NULL);
	test_eal_fini();
	return ret;
}
