/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-dma-xd authors
 */

/*
 * dma_xd_cnxk: a Class A (paired) inter-domain dmadev, after Marvell
 * CN20K's DPI model. Every domain that takes part probes a device of its
 * own and joins the access pair group through it; the broker admits only
 * such devices to a group a dma_xd_cnxk device created. A vchan joins the
 * device's own domain to one peer's: src_handler the local domain's and
 * dst_handler the peer's to write into the peer, the reverse to read from
 * it. Inter-process domains only, memory to memory only. Data moves with
 * the shared CPU engine (drivers/dma/common), inline or on an lcore.
 */

#include <rte_common.h>

#include "rte_dmadev_domain_pmd.h"
#include "rte_dmadev_sdk.h"
#include "xd_engine.h"

static int xd_cnxk_logtype;

static const struct xd_vdev_class xd_cnxk_class = {
	.driver = "dma_xd_cnxk",
	.logtype = &xd_cnxk_logtype,
	.domain_capa = RTE_DMA_CAPA_INTER_PROCESS_DOMAIN,
	.domain_ops = &xd_engine_domain_ops_paired,
};

static int
xd_cnxk_probe(struct rte_vdev_device *vdev)
{
	return xd_vdev_probe(&xd_cnxk_class, vdev);
}

static struct rte_vdev_driver xd_cnxk_driver = {
	.probe = xd_cnxk_probe,
	.remove = xd_vdev_remove,
	.drv_flags = RTE_VDEV_DRV_NEED_IOVA_AS_VA,
};

RTE_PMD_REGISTER_VDEV(dma_xd_cnxk, xd_cnxk_driver);
RTE_PMD_REGISTER_PARAM_STRING(dma_xd_cnxk, XD_VDEV_ARG_LCORE "=<uint16>");

RTE_INIT(xd_cnxk_log_init)
{
	xd_cnxk_logtype = xd_vdev_logtype_register("pmd.dma.xd_cnxk");
}
