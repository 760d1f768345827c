/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-dma-xd authors
 */

/* The driver calls of rte_dmadev_sdk.h that read the same on both targets. */

#include <errno.h>
#include <stdio.h>

#include "rte_dmadev_sdk.h"
#include "dmadev_domain_private.h"

struct rte_dma_dev *
rte_dma_sdk_pmd_allocate(const char *name, struct rte_device *device,
		int numa_node, size_t priv_size, const struct rte_dma_dev_ops *ops,
		int *err)
{
	struct rte_dma_dev *dev;
	int ret;

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
	ret = dxa_sdk_slot_attach(dev, name, numa_node, device);
	if (ret != 0) {
		rte_dma_pmd_release(name);
		*err = ret;
		return NULL;
	}
	dev->dev_ops = ops;
	dev->fp_obj->dev_private = dev->data->dev_private;
	*err = 0;
	return dev;
}

void
rte_dma_sdk_pmd_ready(struct rte_dma_dev *dev)
{
	dev->state = RTE_DMA_DEV_READY;
}

int
rte_dma_sdk_pmd_detach(struct rte_dma_dev *dev)
{
	char name[RTE_DEV_NAME_MAX_LEN];

	if (dev == NULL || dev->data == NULL)
		return -EINVAL;
	snprintf(name, sizeof(name), "%s", dev->data->dev_name);
	dev->state = RTE_DMA_DEV_REGISTERED;
	return rte_dma_pmd_release(name);
}
