/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-dma-xd authors
 */

/*
 * The DPDK 22.11 target's glue: DPDK 22.11 has no inter-domain API, so the
 * library defines upstream's public names here, with the checks DPDK
 * 25.11's wrappers make, in their order, before the same group code the
 * native target's driver ops reach. And its struct rte_dma_vchan_conf has
 * no domain member: rte_dma_domain_vchan_setup() carries the parameters to
 * the driver's vchan_setup op through the calling thread.
 */

#include <errno.h>
#include <string.h>

#include <rte_common.h>
#include <rte_dmadev.h>

#include "dmadev_domain_private.h"
#include "rte_dmadev_domain.h"
#include "rte_dmadev_domain_pmd.h"
#include "rte_dmadev_sdk.h"

int
rte_dma_access_pair_group_create(int16_t dev_id, rte_uuid_t domain_id,
		rte_uuid_t token, int16_t *group_id,
		rte_dma_access_pair_group_event_cb_t cb)
{
	int ret = dxa_dev_check(__func__, dev_id, group_id);

	return ret != 0 ? ret :
		dxa_group_create(dev_id, domain_id, token, group_id, cb);
}

int
rte_dma_access_pair_group_join(int16_t dev_id, rte_uuid_t domain_id,
		rte_uuid_t token, int16_t group_id,
		rte_dma_access_pair_group_event_cb_t cb)
{
	int ret = dxa_dev_check(__func__, dev_id, &group_id);

	return ret != 0 ? ret :
		dxa_group_join(dev_id, domain_id, token, group_id, cb);
}

int
rte_dma_access_pair_group_leave(int16_t dev_id, int16_t group_id)
{
	int ret = dxa_dev_check(__func__, dev_id, &group_id);

	return ret != 0 ? ret : dxa_group_leave(dev_id, group_id);
}

int
rte_dma_access_pair_group_destroy(int16_t dev_id, int16_t group_id)
{
	int ret = dxa_dev_check(__func__, dev_id, &group_id);

	return ret != 0 ? ret : dxa_group_destroy(dev_id, group_id);
}

int
rte_dma_access_pair_group_handler_get(int16_t dev_id, int16_t group_id,
		rte_uuid_t domain_id, uint16_t *handler)
{
	int ret = dxa_dev_check(__func__, dev_id, handler);

	return ret != 0 ? ret :
		dxa_group_handler_get(dev_id, group_id, domain_id, handler);
}

/*
 * The parameters of the vchan being set up, for the driver's vchan_setup
 * op: it runs inside rte_dma_vchan_setup(), on the caller's thread, and
 * two threads may set up two different devices at once.
 */
static __thread struct {
	int16_t dev_id;
	uint16_t vchan;
	bool active;
	struct rte_dma_inter_domain_param param;
} pending_setup;

int
rte_dma_domain_vchan_param_get(int16_t dev_id, uint16_t vchan,
		const struct rte_dma_vchan_conf *conf,
		struct rte_dma_inter_domain_param *domain)
{
	static const struct rte_dma_inter_domain_param none;

	RTE_SET_USED(conf);
	if (pending_setup.active && pending_setup.dev_id == dev_id &&
			pending_setup.vchan == vchan)
		return dxa_vchan_domain_check(dev_id, vchan,
			&pending_setup.param, domain);
	return dxa_vchan_domain_check(dev_id, vchan, &none, domain);
}

/*
 * DPDK 25.11's checks of conf->domain in rte_dma_vchan_setup(), in its
 * order; DPDK 22.11's own function makes the rest (direction, nb_desc,
 * ports) when called next.
 */
int
rte_dma_domain_vchan_setup(int16_t dev_id, uint16_t vchan,
		const struct rte_dma_vchan_conf *conf,
		const struct rte_dma_inter_domain_param *domain)
{
	struct rte_dma_info info;
	int ret;

	if (!rte_dma_is_valid(dev_id) || conf == NULL || domain == NULL) {
		DOMAIN_LOG_RL(ERR, "rte_dma_domain_vchan_setup: invalid device %d or NULL conf/domain", dev_id);
		return -EINVAL;
	}
	if (rte_dma_sdk_dev_started(dev_id) == 1) {
		DOMAIN_LOG_RL(ERR, "rte_dma_domain_vchan_setup: device %d must be stopped to set up a vchan (rte_dma_stop())",
			dev_id);
		return -EBUSY;
	}
	if (rte_dma_info_get(dev_id, &info) != 0)
		return -EINVAL;
	if (info.nb_vchans == 0) {
		DOMAIN_LOG_RL(ERR, "rte_dma_domain_vchan_setup: device %d is not configured (rte_dma_configure() first)", dev_id);
		return -EINVAL;
	}
	if (vchan >= info.nb_vchans) {
		DOMAIN_LOG_RL(ERR, "rte_dma_domain_vchan_setup: device %d: vchan %u out of range (%u configured)",
			dev_id, vchan, info.nb_vchans);
		return -EINVAL;
	}
	if (domain->type != RTE_DMA_INTER_DOMAIN_NONE &&
			conf->direction != RTE_DMA_DIR_MEM_TO_MEM) {
		DOMAIN_LOG_RL(ERR, "rte_dma_domain_vchan_setup: device %d: inter-domain vchans are MEM_TO_MEM only",
			dev_id);
		return -EINVAL;
	}
	if ((domain->type == RTE_DMA_INTER_OS_DOMAIN &&
			!(info.dev_capa & RTE_DMA_CAPA_INTER_OS_DOMAIN)) ||
			(domain->type == RTE_DMA_INTER_PROCESS_DOMAIN &&
			!(info.dev_capa & RTE_DMA_CAPA_INTER_PROCESS_DOMAIN))) {
		DOMAIN_LOG_RL(ERR, "rte_dma_domain_vchan_setup: device %d: no %s capability", dev_id,
			domain->type == RTE_DMA_INTER_OS_DOMAIN ?
			"inter_os_domain" : "inter_process_domain");
		return -EINVAL;
	}
	if ((domain->type == RTE_DMA_INTER_PROCESS_DOMAIN ||
			domain->type == RTE_DMA_INTER_OS_DOMAIN) &&
			(domain->reserved[0] != 0 || domain->reserved[1] != 0)) {
		DOMAIN_LOG_RL(ERR, "rte_dma_domain_vchan_setup: device %d: inter-domain reserved fields are not zero",
			dev_id);
		return -EINVAL;
	}
	pending_setup.dev_id = dev_id;
	pending_setup.vchan = vchan;
	pending_setup.param = *domain;
	pending_setup.active = true;
	ret = rte_dma_vchan_setup(dev_id, vchan, conf);
	pending_setup.active = false;
	return ret;
}
