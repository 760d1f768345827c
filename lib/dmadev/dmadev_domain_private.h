/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-dma-xd authors
 */

#ifndef DMADEV_DOMAIN_PRIVATE_H
#define DMADEV_DOMAIN_PRIVATE_H

/* Internal to librte_dmadev_domain: not installed. */

#include <rte_log.h>

#include "rte_dmadev_domain_pmd.h"

/** Log type "lib.dmadev.domain". */
extern int rte_dma_domain_logtype;

#define DOMAIN_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_ ## level, rte_dma_domain_logtype, "%s(): " fmt "\n", \
		__func__, ##__VA_ARGS__)

/* For anything a caller or a peer can repeat at will. */
#define DOMAIN_LOG_RL(level, fmt, ...) \
	RTE_DMA_DOMAIN_LOG_RL(level, rte_dma_domain_logtype, fmt, ##__VA_ARGS__)

/* The device's registered inter-domain ops, or NULL. */
const struct rte_dma_domain_ops *rte_dma_domain_ops_get(int16_t dev_id);

/* A device is closing: end its memberships (leave, or destroy if it can). */
void rte_dma_domain_group_dev_closed(int16_t dev_id);

#endif /* DMADEV_DOMAIN_PRIVATE_H */
