/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-dma-xd authors
 */

/*
 * An application outside this project's build: app-build.sh compiles it
 * with nothing but "pkg-config libdpdk-dma-xd" (against the build tree,
 * then against a staging install) and runs it with the driver loaded as
 * an EAL plugin (-d). It uses the library (domain id, capability bits,
 * rte_dma_domain_vchan_setup()) and the device: one copy, checked.
 * Exit status 0 when all of it worked.
 */

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <rte_dmadev.h>
#include <rte_eal.h>
#include <rte_malloc.h>
#include <rte_dmadev_domain.h>

#define COPY_LEN 4096

static int
copy_once(int16_t id)
{
	struct rte_dma_conf conf = { .nb_vchans = 1 };
	struct rte_dma_vchan_conf vconf = {
		.direction = RTE_DMA_DIR_MEM_TO_MEM,
		.nb_desc = 64,
	};
	struct rte_dma_inter_domain_param domain = {
		.type = RTE_DMA_INTER_DOMAIN_NONE,
	};
	struct rte_dma_info info;
	uint16_t last = 0;
	bool err = false;
	char *src, *dst;
	int i, ret = -1;

	if (rte_dma_info_get(id, &info) != 0 ||
			(info.dev_capa & RTE_DMA_CAPA_INTER_PROCESS_DOMAIN) == 0) {
		fprintf(stderr, "xd_app: device %d has no inter-process capability\n", id);
		return -1;
	}
	src = rte_malloc(NULL, COPY_LEN, 64);
	dst = rte_zmalloc(NULL, COPY_LEN, 64);
	if (src == NULL || dst == NULL)
		goto out;
	for (i = 0; i < COPY_LEN; i++)
		src[i] = (char)(i * 5 + 1);
	if (rte_dma_configure(id, &conf) != 0 ||
			rte_dma_domain_vchan_setup(id, 0, &vconf, &domain) != 0 ||
			rte_dma_start(id) != 0)
		goto out;
	if (rte_dma_copy(id, 0, (rte_iova_t)(uintptr_t)src,
			(rte_iova_t)(uintptr_t)dst, COPY_LEN,
			RTE_DMA_OP_FLAG_SUBMIT) < 0)
		goto out;
	if (rte_dma_completed(id, 0, 1, &last, &err) != 1 || err ||
			memcmp(src, dst, COPY_LEN) != 0)
		goto out;
	ret = 0;
out:
	if (ret != 0)
		fprintf(stderr, "xd_app: the copy through device %d failed\n", id);
	rte_dma_stop(id);
	rte_free(src);
	rte_free(dst);
	return ret;
}

int
main(int argc, char **argv)
{
	rte_uuid_t domain_id;
	char text[37];
	int16_t id;
	int ret;

	if (rte_eal_init(argc, argv) < 0) {
		fprintf(stderr, "xd_app: EAL initialisation failed\n");
		return 1;
	}
	ret = rte_dma_domain_id_get(domain_id);
	id = rte_dma_next_dev(0);
	if (ret != 0 || id < 0) {
		fprintf(stderr, "xd_app: %s\n", ret != 0 ?
			"no domain id" : "no dmadev: was the plugin loaded (-d)?");
		rte_eal_cleanup();
		return 1;
	}
	rte_uuid_unparse(domain_id, text, sizeof(text));
	ret = copy_once(id);
	if (ret == 0)
		printf("xd_app: domain %s: %d bytes copied by dmadev %d\n",
			text, COPY_LEN, id);
	rte_dma_close(id);
	rte_eal_cleanup();
	return ret == 0 ? 0 : 1;
}
