/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-dma-xd authors
 */

/*
 * The native target's glue (DPDK >= 25.11): upstream's public names are
 * DPDK's own (librte_dmadev), whose wrappers check the device id, the
 * out-pointers and the capability bits and then call the driver ops below;
 * the domain parameters of a vchan reach the driver in conf->domain.
 */

#include <string.h>

#include <rte_common.h>
#include <rte_dmadev.h>

#include "dmadev_domain_private.h"
#include "rte_dmadev_domain.h"
#include "rte_dmadev_domain_pmd.h"
#include "rte_dmadev_sdk.h"

int
rte_dma_sdk_group_create(const struct rte_dma_dev *dev, rte_uuid_t domain_id,
		rte_uuid_t token, int16_t *group_id,
		rte_dma_access_pair_group_event_cb_t cb)
{
	return dxa_group_create(dev->data->dev_id, domain_id, token, group_id,
		cb);
}

int
rte_dma_sdk_group_join(const struct rte_dma_dev *dev, rte_uuid_t domain_id,
		rte_uuid_t token, int16_t group_id,
		rte_dma_access_pair_group_event_cb_t cb)
{
	return dxa_group_join(dev->data->dev_id, domain_id, token, group_id,
		cb);
}

int
rte_dma_sdk_group_leave(const struct rte_dma_dev *dev, int16_t group_id)
{
	return dxa_group_leave(dev->data->dev_id, group_id);
}

int
rte_dma_sdk_group_destroy(const struct rte_dma_dev *dev, int16_t group_id)
{
	return dxa_group_destroy(dev->data->dev_id, group_id);
}

int
rte_dma_sdk_group_handler_get(const struct rte_dma_dev *dev, int16_t group_id,
		rte_uuid_t domain_id, uint16_t *handler)
{
	return dxa_group_handler_get(dev->data->dev_id, group_id, domain_id,
		handler);
}

int
rte_dma_domain_vchan_param_get(int16_t dev_id, uint16_t vchan,
		const struct rte_dma_vchan_conf *conf,
		struct rte_dma_inter_domain_param *domain)
{
	return dxa_vchan_domain_check(dev_id, vchan, &conf->domain, domain);
}

/* DPDK's rte_dma_vchan_setup() checks conf->domain itself. */
int
rte_dma_domain_vchan_setup(int16_t dev_id, uint16_t vchan,
		const struct rte_dma_vchan_conf *conf,
		const struct rte_dma_inter_domain_param *domain)
{
	struct rte_dma_vchan_conf with_domain;

	if (conf == NULL || domain == NULL) {
		DOMAIN_LOG_RL(ERR, "rte_dma_domain_vchan_setup: device %d: NULL conf or domain", dev_id);
		return -EINVAL;
	}
	with_domain = *conf;
	with_domain.domain = *domain;
	return rte_dma_vchan_setup(dev_id, vchan, &with_domain);
}
