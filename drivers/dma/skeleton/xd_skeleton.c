/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-dma-xd authors
 */

/*
 * dma_xd_skeleton: the reference software dmadev of dpdk-dma-xd. It copies
 * with the shared CPU engine and reaches other domains through the windows
 * they share (RTE_DMA_DOMAIN_CLASS_SOFTWARE: a vchan may combine its own
 * domain and any members, process or OS domains). Everything but this
 * description lives in drivers/dma/common.
 */

#include <rte_common.h>

#include "rte_dmadev_domain_pmd.h"
#include "rte_dmadev_sdk.h"
#include "xd_engine.h"

static int xd_skel_logtype;

static const struct xd_vdev_class xd_skel_class = {
	.driver = "dma_xd_skeleton",
	.logtype = &xd_skel_logtype,
	.domain_capa = RTE_DMA_CAPA_INTER_PROCESS_DOMAIN |
		RTE_DMA_CAPA_INTER_OS_DOMAIN,
	.domain_ops = &xd_engine_domain_ops,
};

static int
xd_skel_probe(struct rte_vdev_device *vdev)
{
	return xd_vdev_probe(&xd_skel_class, vdev);
}

static struct rte_vdev_driver xd_skel_driver = {
	.probe = xd_skel_probe,
	.remove = xd_vdev_remove,
	.drv_flags = RTE_VDEV_DRV_NEED_IOVA_AS_VA,
};

RTE_PMD_REGISTER_VDEV(dma_xd_skeleton, xd_skel_driver);
RTE_PMD_REGISTER_PARAM_STRING(dma_xd_skeleton, XD_VDEV_ARG_LCORE "=<uint16>");

RTE_INIT(xd_skel_log_init)
{
	xd_skel_logtype = xd_vdev_logtype_register("pmd.dma.xd_skeleton");
}
