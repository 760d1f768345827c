/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-dma-xd authors
 */

#ifndef RTE_DMADEV_SDK_TARGET_H
#define RTE_DMADEV_SDK_TARGET_H

/**
 * @file
 * The native target's driver interface (DPDK >= 25.11): DPDK's own driver
 * SDK headers, which a DPDK built with -Denable_driver_sdk=true installs,
 * and the library's implementation of the access pair group driver ops.
 * Included by rte_dmadev_sdk.h only.
 *
 * DPDK's wrappers (rte_dma_access_pair_group_create() and the others, in
 * librte_dmadev) check the device id, the out-pointers and the capability
 * bits, then call these ops; the ops run the library's group code for the
 * device, the same code the DPDK 22.11 target reaches through its own
 * definitions of those public names.
 */

#include <stdint.h>

#include <rte_uuid.h>
#include <rte_version.h>

#if RTE_VERSION < RTE_VERSION_NUM(25, 11, 0, 0)
#error "the native target needs DPDK >= 25.11; DPDK 22.11 builds the dpdk-22.11 target"
#endif

#include <bus_vdev_driver.h>
#include <rte_dmadev_pmd.h>

#ifdef __cplusplus
extern "C" {
#endif

/** access_pair_group_create op: rte_dma_access_pair_group_create(). */
int rte_dma_sdk_group_create(const struct rte_dma_dev *dev,
		rte_uuid_t domain_id, rte_uuid_t token, int16_t *group_id,
		rte_dma_access_pair_group_event_cb_t cb);
/** access_pair_group_destroy op: rte_dma_access_pair_group_destroy(). */
int rte_dma_sdk_group_destroy(const struct rte_dma_dev *dev,
		int16_t group_id);
/** access_pair_group_join op: rte_dma_access_pair_group_join(). */
int rte_dma_sdk_group_join(const struct rte_dma_dev *dev,
		rte_uuid_t domain_id, rte_uuid_t token, int16_t group_id,
		rte_dma_access_pair_group_event_cb_t cb);
/** access_pair_group_leave op: rte_dma_access_pair_group_leave(). */
int rte_dma_sdk_group_leave(const struct rte_dma_dev *dev, int16_t group_id);
/** access_pair_group_handler_get op: rte_dma_access_pair_group_handler_get(). */
int rte_dma_sdk_group_handler_get(const struct rte_dma_dev *dev,
		int16_t group_id, rte_uuid_t domain_id, uint16_t *handler);

/** The group ops, last in a driver's struct rte_dma_dev_ops initialiser. */
#define RTE_DMA_SDK_GROUP_OPS \
	.access_pair_group_create = rte_dma_sdk_group_create, \
	.access_pair_group_destroy = rte_dma_sdk_group_destroy, \
	.access_pair_group_join = rte_dma_sdk_group_join, \
	.access_pair_group_leave = rte_dma_sdk_group_leave, \
	.access_pair_group_handler_get = rte_dma_sdk_group_handler_get,

#ifdef __cplusplus
}
#endif

#endif /* RTE_DMADEV_SDK_TARGET_H */
