/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-dma-xd authors
 */

/*
 * dma_xd_idxd: a Class B (single-sided) inter-domain dmadev, after Intel
 * DSA's inter-domain permissions table. Only the initiator has a device:
 * an owner of memory, which needs none, grants one window of it to this
 * domain (rte_dma_domain_grant_create()) and passes the grant's handler
 * on; the initiator attaches the grant to this device
 * (rte_dma_domain_grant_attach()) and names it as a vchan's source or
 * destination handler. The owner revokes the grant when it wants. A grant
 * is a whole file, so the grantee's kernel maps it nothing more. Data
 * moves with the shared CPU engine (drivers/dma/common), inline or on an
 * lcore.
 */

#include <rte_common.h>

#include "rte_dmadev_domain_pmd.h"
#include "rte_dmadev_sdk.h"
#include "xd_engine.h"

static int xd_idxd_logtype;

static const struct xd_vdev_class xd_idxd_class = {
	.driver = "dma_xd_idxd",
	.logtype = &xd_idxd_logtype,
	.domain_capa = RTE_DMA_CAPA_INTER_PROCESS_DOMAIN |
		RTE_DMA_CAPA_INTER_OS_DOMAIN,
	.domain_ops = &xd_engine_domain_ops_granted,
};

static int
xd_idxd_probe(struct rte_vdev_device *vdev)
{
	return xd_vdev_probe(&xd_idxd_class, vdev);
}

static struct rte_vdev_driver xd_idxd_driver = {
	.probe = xd_idxd_probe,
	.remove = xd_vdev_remove,
	.drv_flags = RTE_VDEV_DRV_NEED_IOVA_AS_VA,
};

RTE_PMD_REGISTER_VDEV(dma_xd_idxd, xd_idxd_driver);
RTE_PMD_REGISTER_PARAM_STRING(dma_xd_idxd, XD_VDEV_ARG_LCORE "=<uint16>");

RTE_INIT(xd_idxd_log_init)
{
	xd_idxd_logtype = xd_vdev_logtype_register("pmd.dma.xd_idxd");
}
