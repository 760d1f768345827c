/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-dma-xd authors
 */

/* The driver calls of rte_dmadev_sdk.h that read the same on both targets. */

#include <errno.h>
#include <stdio.h>

#include "rte_dmadev_sdk.h"

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
