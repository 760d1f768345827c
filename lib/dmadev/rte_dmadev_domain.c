/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-dma-xd authors
 */

#include <errno.h>
#include <string.h>

#include <rte_common.h>
#include <rte_log.h>

#include "rte_dmadev_domain.h"
#include "rte_dmadev_domain_pmd.h"
#include "dma_access_log.h"
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
/*
 * Devices with a table: the broker client lives while there are some
 * (rte_dma_domain_ops_unregister(), rte_dmadev_group.c).
 */
static uint32_t domain_nb_registered;

_Static_assert(RTE_DMA_DOMAIN_LOG_BURST == DXA_LOG_BURST,
	"one rate for every limiter");

bool
rte_dma_domain_log_allowed(struct rte_dma_domain_ratelimit *rl)
{
	return dxa_log_allowed(&rl->window, &rl->count);
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
		DOMAIN_LOG_RL(ERR, "rte_dma_domain_ops_register: invalid device id %d or NULL ops", dev_id);
		return -EINVAL;
	}
	if (ops->vchan_check == NULL || ops->group_attach == NULL ||
			ops->group_detach == NULL || ops->member_left == NULL) {
		DOMAIN_LOG_RL(ERR, "rte_dma_domain_ops_register: device %d: inter-domain ops table is incomplete",
			dev_id);
		return -EINVAL;
	}
	if (ops->dev_class > RTE_DMA_DOMAIN_CLASS_B) {
		DOMAIN_LOG_RL(ERR, "rte_dma_domain_ops_register: device %d: unknown inter-domain class %u",
			dev_id, ops->dev_class);
		return -EINVAL;
	}
	if (!__atomic_compare_exchange_n(&domain_ops[dev_id], &expected, ops,
			false, __ATOMIC_RELEASE, __ATOMIC_RELAXED)) {
		DOMAIN_LOG_RL(ERR, "rte_dma_domain_ops_register: device %d already has inter-domain ops", dev_id);
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

bool
dxa_ops_remove(int16_t dev_id, bool *last)
{
	if (dev_id < 0 || __atomic_exchange_n(&domain_ops[dev_id], NULL,
			__ATOMIC_ACQ_REL) == NULL)
		return false;
	*last = __atomic_sub_fetch(&domain_nb_registered, 1,
		__ATOMIC_ACQ_REL) == 0;
	return true;
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

int
dxa_vchan_domain_check(int16_t dev_id, uint16_t vchan,
		const struct rte_dma_inter_domain_param *raw,
		struct rte_dma_inter_domain_param *out)
{
	const struct rte_dma_domain_ops *ops;

	memset(out, 0, sizeof(*out));
	if (raw->type == RTE_DMA_INTER_DOMAIN_NONE)
		return 0;
	if (domain_capa_bit(raw->type) == 0) {
		DOMAIN_LOG_RL(ERR, "rte_dma_vchan_setup: device %d vchan %u: undefined inter-domain type %u",
			dev_id, vchan, (unsigned int)raw->type);
		return -EINVAL;
	}
	ops = rte_dma_domain_ops_get(dev_id);
	if (ops == NULL) {
		DOMAIN_LOG_RL(ERR, "rte_dma_vchan_setup: device %d advertises inter-domain capability but its driver has no inter-domain support in this library",
			dev_id);
		return -ENOTSUP;
	}
	*out = *raw;
	return ops->vchan_check(dev_id, vchan, out);
}
