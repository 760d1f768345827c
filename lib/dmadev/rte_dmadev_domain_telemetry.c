/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-dma-xd authors
 */

/*
 * Telemetry beside DPDK's own /dmadev/ commands:
 *   /dmadev_domain/info          this process's domain id
 *   /dmadev_domain/devs          inter-domain support of every dmadev
 * Nothing secret is reachable from here.
 */

#include <rte_common.h>
#include <rte_telemetry.h>
#include <rte_uuid.h>

#include "rte_dmadev_domain.h"
#include "dmadev_domain_private.h"

static int
telemetry_info(const char *cmd, const char *params, struct rte_tel_data *d)
{
	char text[RTE_UUID_STRLEN];
	rte_uuid_t id;

	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	rte_tel_data_start_dict(d);
	if (rte_dma_domain_id_get(id) == 0) {
		rte_uuid_unparse(id, text, sizeof(text));
		rte_tel_data_add_dict_string(d, "domain_id", text);
	} else {
		rte_tel_data_add_dict_string(d, "domain_id", "invalid RTE_DMA_DOMAIN_ID");
	}
	return 0;
}

static int
telemetry_devs(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct rte_tel_data *dev;
	char key[8];
	int16_t id;

	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	rte_tel_data_start_dict(d);
	RTE_DMA_FOREACH_DEV(id) {
		dev = rte_tel_data_alloc();
		if (dev == NULL)
			return -ENOMEM;
		rte_tel_data_start_dict(dev);
		rte_tel_data_add_dict_int(dev, "inter_process_domain",
			rte_dma_domain_is_supported(id, RTE_DMA_INTER_PROCESS_DOMAIN));
		rte_tel_data_add_dict_int(dev, "inter_os_domain",
			rte_dma_domain_is_supported(id, RTE_DMA_INTER_OS_DOMAIN));
		snprintf(key, sizeof(key), "%d", id);
		rte_tel_data_add_dict_container(d, key, dev, 0);
	}
	return 0;
}

RTE_INIT(dma_domain_telemetry_init)
{
	rte_telemetry_register_cmd("/dmadev_domain/info", telemetry_info,
		"This process's inter-domain DMA domain id. No parameters.");
	rte_telemetry_register_cmd("/dmadev_domain/devs", telemetry_devs,
		"Inter-domain support (process, OS) of each dmadev. No parameters.");
}
