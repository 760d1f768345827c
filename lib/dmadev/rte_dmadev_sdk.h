/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-dma-xd authors
 */

#ifndef RTE_DMADEV_SDK_H
#define RTE_DMADEV_SDK_H

/**
 * @file
 * The DPDK driver interface a dmadev PMD of this project builds against,
 * the same on both DPDK targets.
 *
 * Audience: driver writers only. Applications never include this file.
 *
 * What differs between the targets is in rte_dmadev_sdk_target.h, one per
 * target (lib/dmadev/dpdk-22.11/, lib/dmadev/dpdk-25.11/):
 *
 *  - DPDK 22.11: the driver SDK subset, pinned (Debian ships no SDK
 *    headers), and no access pair group ops in struct rte_dma_dev_ops;
 *  - DPDK >= 25.11: DPDK's own SDK headers, and the five group ops, which
 *    RTE_DMA_SDK_GROUP_OPS fills with the library's group calls.
 *
 * A driver's ops table ends with RTE_DMA_SDK_GROUP_OPS and its vchan_setup
 * reads the domain parameters with rte_dma_domain_vchan_param_get(): the
 * same driver source serves both targets.
 */

#include "rte_dmadev_sdk_target.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Allocate a dmadev slot for a driver and check it before the device is
 * exposed.
 *
 * On DPDK 22.11 this proves that the running librte_dmadev uses the layout
 * the build pins: the slot's name, id, NUMA node and private area read back
 * as allocated; rte_dma_get_dev_id_by_name() finds the id; dev->fp_obj is
 * &rte_dma_fp_objs[id]; rte_dma_info_get() on the id reaches a probe
 * callback with this very @c dev. On any mismatch the slot is released, a
 * log line says which check failed, and NULL is returned with *err set to
 * -ENOTSUP: the probe must fail rather than run on a wrong layout. On DPDK
 * >= 25.11 the layouts come from DPDK's own headers and need no check.
 *
 * On success the slot is REGISTERED, dev->device is set, dev_ops is @p ops
 * and fp_obj->dev_private points at the private area. The caller fills its
 * fast-path functions and then calls rte_dma_sdk_pmd_ready().
 *
 * @param name Device name.
 * @param device The EAL device (e.g. &vdev->device).
 * @param numa_node NUMA node for the private area.
 * @param priv_size Size of the driver's private area (zeroed).
 * @param ops Driver control operations.
 * @param[out] err 0; -EINVAL (NULL argument); -EEXIST (the name is taken);
 *   -ENOMEM; -ENOTSUP (22.11: the layout check failed).
 * @return The slot, or NULL.
 */
struct rte_dma_dev *rte_dma_sdk_pmd_allocate(const char *name,
		struct rte_device *device, int numa_node, size_t priv_size,
		const struct rte_dma_dev_ops *ops, int *err);

/**
 * Mark a slot allocated by rte_dma_sdk_pmd_allocate() ready for use.
 *
 * @param dev The slot.
 */
void rte_dma_sdk_pmd_ready(struct rte_dma_dev *dev);

/**
 * In a secondary process: give up this process's slot of a device the
 * primary owns, without closing it (which would tell the driver to free
 * what the primary still uses): the slot turns back to REGISTERED and
 * librte_dmadev releases it, touching only this process's state.
 *
 * @param dev The slot, as rte_dma_sdk_pmd_allocate() returned it here.
 * @return 0, or what rte_dma_pmd_release() returned.
 */
int rte_dma_sdk_pmd_detach(struct rte_dma_dev *dev);

/**
 * Whether device @p dev_id is started, read from DPDK's shared device data
 * (librte_dmadev has no public accessor for it).
 *
 * @param dev_id A device id.
 * @return 1 if started, 0 if stopped, -ENODEV if there is no such device or
 *   its shared data cannot be trusted (the caller then lets DPDK decide).
 */
int rte_dma_sdk_dev_started(int16_t dev_id);

#ifdef __cplusplus
}
#endif

#endif /* RTE_DMADEV_SDK_H */
