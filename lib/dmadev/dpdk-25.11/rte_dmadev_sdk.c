/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-dma-xd authors
 */

/*
 * The driver calls of rte_dmadev_sdk.h on DPDK >= 25.11: DPDK's own SDK
 * headers give the layouts, so nothing needs checking at probe.
 */

#include <errno.h>

#include <rte_common.h>

#include "rte_dmadev_sdk.h"
#include "dmadev_domain_private.h"

struct rte_dma_dev *
rte_dma_sdk_pmd_allocate(const char *name, struct rte_device *device,
		int numa_node, size_t priv_size, const struct rte_dma_dev_ops *ops,
		int *err)
{
	struct rte_dma_dev *dev;

	if (name == NULL || device == NULL || ops == NULL || err == NULL) {
		if (err != NULL)
			*err = -EINVAL;
		return NULL;
	}
	if (rte_dma_get_dev_id_by_name(name) >= 0) {
		DOMAIN_LOG(ERR, "rte_dma_sdk_pmd_allocate: a dmadev named %s already exists", name);
		*err = -EEXIST;
		return NULL;
	}
	dev = rte_dma_pmd_allocate(name, numa_node, priv_size);
	if (dev == NULL) {
		DOMAIN_LOG(ERR, "rte_dma_sdk_pmd_allocate: cannot allocate dmadev %s", name);
		*err = -ENOMEM;
		return NULL;
	}
	dev->device = device;
	dev->dev_ops = ops;
	dev->fp_obj->dev_private = dev->data->dev_private;
	*err = 0;
	return dev;
}

int
rte_dma_sdk_dev_started(int16_t dev_id)
{
	struct rte_dma_dev *dev;

	if (!rte_dma_is_valid(dev_id))
		return -ENODEV;
	dev = rte_dma_pmd_get_dev_by_id(dev_id);
	if (dev == NULL || dev->data == NULL)
		return -ENODEV;
	return dev->data->dev_started ? 1 : 0;
}
