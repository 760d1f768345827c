/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-dma-xd authors
 */

/*
 * The target's part of the driver calls of rte_dmadev_sdk.h on DPDK >=
 * 25.11: DPDK's own SDK headers give the layouts, so nothing needs
 * checking at probe.
 */

#include <errno.h>

#include <rte_common.h>

#include "rte_dmadev_sdk.h"
#include "dmadev_domain_private.h"

/* DPDK's own headers give the layouts: nothing to prove. */
int
dxa_sdk_slot_attach(struct rte_dma_dev *dev, const char *name, int numa_node,
		struct rte_device *device)
{
	RTE_SET_USED(name);
	RTE_SET_USED(numa_node);
	dev->device = device;
	return 0;
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
