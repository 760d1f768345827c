/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-dma-xd authors
 */

#include <errno.h>
#include <string.h>
#include <time.h>

#include <rte_common.h>
#include <rte_log.h>

#include "rte_dmadev_domain.h"
#include "rte_dmadev_domain_pmd.h"
#include "rte_dmadev_sdk.h"
#include "dma_access_client.h"
#include "dmadev_domain_private.h"

int rte_dma_domain_logtype;

RTE_INIT(dma_domain_log_init)
{
	rte_dma_domain_logtype = rte_log_register_type_and_pick_level(
			"lib.dmadev.domain", RTE_LOG_INFO);
	if (rte_dma_domain_logtype < 0)
		rte_dma_domain_logtype = RTE_LOGTYPE_USER1;
}

/*
 * One slot per possible dev_id (int16_t, non-negative): 256 KiB of zero
 * pages of which only the slots of probed devices are ever touched. Written
 * at probe/close, read on the control path, hence the atomics.
 */
#define DOMAIN_MAX_DEVS (INT16_MAX + 1)
static const struct rte_dma_domain_ops *domain_ops[DOMAIN_MAX_DEVS];
/* Devices with a table: the broker client lives while there are some. */
static uint32_t domain_nb_registered;

/*
 * The domain parameters of the vchan being set up travel to the driver's
 * vchan_setup op through the calling thread: that op runs inside
 * rte_dma_vchan_setup(), on the caller's thread, and two threads may set up
 * two different devices at once.
 */
static __thread struct {
	int16_t dev_id;
	uint16_t vchan;
	bool active;
	struct rte_dma_inter_domain_param param;
} pending_setup;

bool
rte_dma_domain_log_allowed(struct rte_dma_domain_ratelimit *rl)
{
	struct timespec ts;
	uint64_t now;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	now = (uint64_t)ts.tv_sec;
	if (__atomic_load_n(&rl->window, __ATOMIC_RELAXED) != now) {
		__atomic_store_n(&rl->window, now, __ATOMIC_RELAXED);
		__atomic_store_n(&rl->count, 0, __ATOMIC_RELAXED);
	}
	return __atomic_fetch_add(&rl->count, 1, __ATOMIC_RELAXED) <
		RTE_DMA_DOMAIN_LOG_BURST;
}

const struct rte_dma_domain_ops *
rte_dma_domain_ops_get(int16_t dev_id)
{
	if (dev_id < 0)
		return NULL;
	return __atomic_load_n(&domain_ops[dev_id], __ATOMIC_ACQUIRE);
}

int
rte_dma_domain_ops_register(int16_t dev_id,
		const struct rte_dma_domain_ops *ops)
{
	const struct rte_dma_domain_ops *expected = NULL;

	if (dev_id < 0 || ops == NULL) {
		DOMAIN_LOG_RL(ERR, "invalid device id %d or NULL ops", dev_id);
		return -EINVAL;
	}
	if (ops->vchan_check == NULL || ops->group_attach == NULL ||
			ops->group_detach == NULL || ops->member_left == NULL) {
		DOMAIN_LOG_RL(ERR, "device %d: inter-domain ops table is incomplete",
			dev_id);
		return -EINVAL;
	}
	if (ops->dev_class > RTE_DMA_DOMAIN_CLASS_B) {
		DOMAIN_LOG_RL(ERR, "device %d: unknown inter-domain class %u",
			dev_id, ops->dev_class);
		return -EINVAL;
	}
	if (!__atomic_compare_exchange_n(&domain_ops[dev_id], &expected, ops,
			false, __ATOMIC_RELEASE, __ATOMIC_RELAXED)) {
		DOMAIN_LOG_RL(ERR, "device %d already has inter-domain ops", dev_id);
		return -EEXIST;
	}
	__atomic_add_fetch(&domain_nb_registered, 1, __ATOMIC_ACQ_REL);
	return 0;
}

int
rte_dma_domain_class_get(int16_t dev_id)
{
	const struct rte_dma_domain_ops *ops;

	if (!rte_dma_is_valid(dev_id))
		return -EINVAL;
	ops = rte_dma_domain_ops_get(dev_id);
	return ops != NULL ? ops->dev_class : -ENOTSUP;
}

void
rte_dma_domain_ops_unregister(int16_t dev_id)
{
	if (dev_id < 0 || __atomic_exchange_n(&domain_ops[dev_id], NULL,
			__ATOMIC_ACQ_REL) == NULL)
		return;
	rte_dma_domain_group_dev_closed(dev_id);
	/*
	 * With no inter-domain device left, no group call can be made:
	 * the broker connection and the library's threads go too, so that
	 * none of them outlives EAL (devices close in rte_eal_cleanup()).
	 */
	if (__atomic_sub_fetch(&domain_nb_registered, 1, __ATOMIC_ACQ_REL) == 0)
		dxa_client_shutdown();
}

void
rte_dma_domain_vchan_param_get(int16_t dev_id, uint16_t vchan,
		struct rte_dma_inter_domain_param *domain)
{
	if (domain == NULL)
		return;
	if (pending_setup.active && pending_setup.dev_id == dev_id &&
			pending_setup.vchan == vchan)
		*domain = pending_setup.param;
	else
		memset(domain, 0, sizeof(*domain));
}

static uint64_t
domain_capa_bit(enum rte_dma_inter_domain_type type)
{
	switch (type) {
	case RTE_DMA_INTER_PROCESS_DOMAIN:
		return RTE_DMA_CAPA_INTER_PROCESS_DOMAIN;
	case RTE_DMA_INTER_OS_DOMAIN:
		return RTE_DMA_CAPA_INTER_OS_DOMAIN;
	default:
		return 0;
	}
}

const char *
rte_dma_domain_capa_name(uint64_t capa)
{
	if (capa == RTE_DMA_CAPA_INTER_PROCESS_DOMAIN)
		return "inter_process_domain";
	if (capa == RTE_DMA_CAPA_INTER_OS_DOMAIN)
		return "inter_os_domain";
	return NULL;
}

void
rte_dma_domain_capa_dump(FILE *f, uint64_t capa)
{
	static const uint64_t bits[] = {
		RTE_DMA_CAPA_INTER_PROCESS_DOMAIN,
		RTE_DMA_CAPA_INTER_OS_DOMAIN,
	};
	bool any = false;
	unsigned int i;

	fprintf(f, "  inter-domain capa:");
	for (i = 0; i < RTE_DIM(bits); i++) {
		if (capa & bits[i]) {
			fprintf(f, " %s", rte_dma_domain_capa_name(bits[i]));
			any = true;
		}
	}
	fprintf(f, "%s\n", any ? "" : " none");
}

bool
rte_dma_domain_is_supported(int16_t dev_id,
		enum rte_dma_inter_domain_type type)
{
	struct rte_dma_info info;
	uint64_t bit = domain_capa_bit(type);

	if (bit == 0 || !rte_dma_is_valid(dev_id))
		return false;
	if (rte_dma_info_get(dev_id, &info) != 0)
		return false;
	return (info.dev_capa & bit) != 0 && rte_dma_domain_ops_get(dev_id) != NULL;
}

/* Step 3 of rte_dma_domain_vchan_setup(): the parameters themselves. */
static int
domain_param_check(int16_t dev_id, const struct rte_dma_vchan_conf *conf,
		const struct rte_dma_inter_domain_param *domain,
		const struct rte_dma_info *info)
{
	unsigned int i;

	if ((unsigned int)domain->type > RTE_DMA_INTER_OS_DOMAIN) {
		DOMAIN_LOG_RL(ERR, "device %d: undefined inter-domain type %u",
			dev_id, (unsigned int)domain->type);
		return -EINVAL;
	}
	for (i = 0; i < RTE_DIM(domain->reserved); i++) {
		if (domain->reserved[i] != 0) {
			DOMAIN_LOG_RL(ERR, "device %d: inter-domain reserved[%u] is not zero",
				dev_id, i);
			return -EINVAL;
		}
	}
	if (domain->type == RTE_DMA_INTER_DOMAIN_NONE) {
		if (domain->src_handler != 0 || domain->dst_handler != 0) {
			DOMAIN_LOG_RL(ERR, "device %d: handlers given with inter-domain type NONE",
				dev_id);
			return -EINVAL;
		}
		return 0;
	}
	if (conf->direction != RTE_DMA_DIR_MEM_TO_MEM) {
		DOMAIN_LOG_RL(ERR, "device %d: inter-domain vchans are MEM_TO_MEM only",
			dev_id);
		return -EINVAL;
	}
	if ((info->dev_capa & domain_capa_bit(domain->type)) == 0) {
		DOMAIN_LOG_RL(ERR, "device %d: no %s capability", dev_id,
			rte_dma_domain_capa_name(domain_capa_bit(domain->type)));
		return -EINVAL;
	}
	return 0;
}

int
rte_dma_domain_vchan_setup(int16_t dev_id, uint16_t vchan,
		const struct rte_dma_vchan_conf *conf,
		const struct rte_dma_inter_domain_param *domain)
{
	const struct rte_dma_domain_ops *ops;
	struct rte_dma_info info;
	int ret;

	/* 1. ids and pointers */
	if (!rte_dma_is_valid(dev_id) || conf == NULL || domain == NULL) {
		DOMAIN_LOG_RL(ERR, "invalid device %d or NULL conf/domain", dev_id);
		return -EINVAL;
	}
	/* 2. state, before the vchan range: DPDK's own order */
	if (rte_dma_sdk_dev_started(dev_id) == 1) {
		DOMAIN_LOG_RL(ERR, "device %d must be stopped to set up a vchan",
			dev_id);
		return -EBUSY;
	}
	ret = rte_dma_info_get(dev_id, &info);
	if (ret != 0)
		return ret;
	if (info.nb_vchans == 0) {
		DOMAIN_LOG_RL(ERR, "device %d is not configured", dev_id);
		return -EINVAL;
	}
	if (vchan >= info.nb_vchans) {
		DOMAIN_LOG_RL(ERR, "device %d: vchan %u out of range (%u configured)",
			dev_id, vchan, info.nb_vchans);
		return -EINVAL;
	}
	/* 3. parameter values and capability */
	ret = domain_param_check(dev_id, conf, domain, &info);
	if (ret != 0)
		return ret;
	if (domain->type == RTE_DMA_INTER_DOMAIN_NONE)
		return rte_dma_vchan_setup(dev_id, vchan, conf);
	/* 4. driver support */
	ops = rte_dma_domain_ops_get(dev_id);
	if (ops == NULL) {
		DOMAIN_LOG_RL(ERR, "device %d advertises inter-domain capability but its driver has no inter-domain support",
			dev_id);
		return -ENOTSUP;
	}
	ret = ops->vchan_check(dev_id, vchan, domain);
	if (ret != 0)
		return ret;
	/* 5. DPDK's checks, then the driver, which reads the parameters */
	pending_setup.dev_id = dev_id;
	pending_setup.vchan = vchan;
	pending_setup.param = *domain;
	pending_setup.active = true;
	ret = rte_dma_vchan_setup(dev_id, vchan, conf);
	pending_setup.active = false;
	return ret;
}
