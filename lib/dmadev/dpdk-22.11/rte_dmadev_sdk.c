/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-dma-xd authors
 */

#include <errno.h>
#include <string.h>

#include <rte_common.h>
#include <rte_eal.h>
#include <rte_memzone.h>

#include "rte_dmadev_sdk.h"
#include "dmadev_domain_private.h"

/*
 * librte_dmadev 22.11 keeps struct rte_dma_dev_data for all devices in one
 * memzone: a header holding dev_max, then the cache-aligned array.
 */
#define SDK_SHARED_DATA_MZ "rte_dma_dev_data"
struct sdk_shared_data {
	int16_t dev_max;
	struct rte_dma_dev_data data[];
};
_Static_assert(offsetof(struct sdk_shared_data, data) == RTE_CACHE_LINE_SIZE,
	"DPDK 22.11 layout: dmadev shared data array");

/* The dev that rte_dma_info_get() handed to the probe op, per thread. */
static __thread const struct rte_dma_dev *probe_seen;

static int
sdk_probe_info_get(const struct rte_dma_dev *dev, struct rte_dma_info *info,
		uint32_t info_sz)
{
	RTE_SET_USED(info);
	RTE_SET_USED(info_sz);
	probe_seen = dev;
	return 0;
}

static const struct rte_dma_dev_ops sdk_probe_ops = {
	.dev_info_get = sdk_probe_info_get,
};

const char *
rte_dma_sdk_layout_check(struct rte_dma_dev *dev, const char *name,
		int numa_node, struct rte_device *device)
{
	struct rte_dma_info info;
	int16_t id;

	if (dev->data == NULL || strncmp(dev->data->dev_name, name,
			sizeof(dev->data->dev_name)) != 0)
		return "data->dev_name";
	id = dev->data->dev_id;
	if (rte_dma_get_dev_id_by_name(name) != id)
		return "data->dev_id";
	/* A secondary attaches to what the primary allocated, wherever. */
	if (rte_eal_process_type() == RTE_PROC_PRIMARY &&
			dev->data->numa_node != numa_node)
		return "data->numa_node";
	if (dev->data->dev_private == NULL)
		return "data->dev_private";
	if (dev->fp_obj != &rte_dma_fp_objs[id])
		return "fp_obj";
	if (dev->state != RTE_DMA_DEV_REGISTERED)
		return "state";
	/* The fields above read back right: now writing is safe. */
	dev->device = device;
	dev->dev_ops = &sdk_probe_ops;
	probe_seen = NULL;
	if (rte_dma_info_get(id, &info) != 0 || probe_seen != dev)
		return "dev_ops (rte_dma_info_get did not reach the device)";
	if (info.dev_name != dev->data->dev_name)
		return "info.dev_name";
	return NULL;
}

int
dxa_sdk_slot_attach(struct rte_dma_dev *dev, const char *name, int numa_node,
		struct rte_device *device)
{
	const char *bad = rte_dma_sdk_layout_check(dev, name, numa_node, device);

	if (bad == NULL)
		return 0;
	DOMAIN_LOG(ERR, "dmadev %s not created: the running librte_dmadev does not match the DPDK 22.11 driver layout this build pins (%s)",
		name, bad);
	return -ENOTSUP;
}

int
rte_dma_sdk_dev_started(int16_t dev_id)
{
	const struct rte_memzone *mz;
	const struct sdk_shared_data *shared;
	const struct rte_dma_dev_data *data;
	struct rte_dma_info info;

	mz = rte_memzone_lookup(SDK_SHARED_DATA_MZ);
	if (mz == NULL || rte_dma_info_get(dev_id, &info) != 0)
		return -ENODEV;
	shared = mz->addr;
	if (dev_id < 0 || dev_id >= shared->dev_max ||
			mz->len < sizeof(*shared) +
			(size_t)(dev_id + 1) * sizeof(*data))
		return -ENODEV;
	data = &shared->data[dev_id];
	if (data->dev_id != dev_id || strncmp(data->dev_name, info.dev_name,
			sizeof(data->dev_name)) != 0)
		return -ENODEV;
	return data->dev_started ? 1 : 0;
}
