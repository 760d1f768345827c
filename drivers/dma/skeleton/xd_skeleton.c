/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-dma-xd authors
 */

/*
 * dma_xd_skeleton: the reference software dmadev of dpdk-dma-xd. All data
 * movement is the shared CPU engine (drivers/dma/common); this file is the
 * vdev glue: devargs, probe, remove.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_kvargs.h>
#include <rte_lcore.h>
#include <rte_log.h>

#include "rte_dmadev_domain_pmd.h"
#include "rte_dmadev_sdk.h"
#include "xd_engine.h"

#define XD_SKEL_DRIVER dma_xd_skeleton
#define XD_SKEL_ARG_LCORE "lcore"

static int xd_skel_logtype;

#define SKEL_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_ ## level, xd_skel_logtype, \
		RTE_STR(XD_SKEL_DRIVER) ": " fmt "\n", ##__VA_ARGS__)

struct xd_skel_dev {
	struct xd_engine engine; /* first: the engine finds itself here */
};

static int
xd_skel_parse_lcore(const char *key, const char *value, void *opaque)
{
	uint32_t *lcore = opaque;
	unsigned long v;
	char *end;

	RTE_SET_USED(key);
	errno = 0;
	v = strtoul(value, &end, 10);
	if (errno != 0 || end == value || *end != '\0' || v >= RTE_MAX_LCORE) {
		SKEL_LOG(ERR, "lcore=%s is not an lcore id", value);
		return -EINVAL;
	}
	if (!rte_lcore_is_enabled((unsigned int)v) ||
			v == rte_get_main_lcore()) {
		SKEL_LOG(ERR, "lcore=%lu must be an enabled worker lcore (EAL -l), not the main lcore",
			v);
		return -EINVAL;
	}
	*lcore = (uint32_t)v;
	return 0;
}

static int
xd_skel_parse_args(const char *args, uint32_t *lcore)
{
	static const char *const keys[] = { XD_SKEL_ARG_LCORE, NULL };
	struct rte_kvargs *kv;
	int ret = 0;

	*lcore = XD_LCORE_NONE;
	if (args == NULL || args[0] == '\0')
		return 0;
	kv = rte_kvargs_parse(args, keys);
	if (kv == NULL) {
		SKEL_LOG(ERR, "cannot parse devargs \"%s\" (known: %s)", args,
			XD_SKEL_ARG_LCORE);
		return -EINVAL;
	}
	if (rte_kvargs_count(kv, XD_SKEL_ARG_LCORE) > 1) {
		SKEL_LOG(ERR, "%s given more than once", XD_SKEL_ARG_LCORE);
		ret = -EINVAL;
	} else if (rte_kvargs_process(kv, XD_SKEL_ARG_LCORE,
			xd_skel_parse_lcore, lcore) != 0) {
		ret = -EINVAL;
	}
	rte_kvargs_free(kv);
	return ret;
}

static int
xd_skel_probe(struct rte_vdev_device *vdev)
{
	const char *name = rte_vdev_device_name(vdev);
	struct xd_skel_dev *skel;
	struct rte_dma_dev *dev;
	uint32_t lcore;
	int ret;

	if (rte_eal_process_type() != RTE_PROC_PRIMARY) {
		SKEL_LOG(ERR, "%s: secondary processes are not supported yet", name);
		return -ENOTSUP;
	}
	/* The CPU engine dereferences addresses: they must be VAs. */
	if (rte_eal_iova_mode() != RTE_IOVA_VA) {
		SKEL_LOG(ERR, "%s: needs IOVA as VA (EAL --iova-mode=va)", name);
		return -ENOTSUP;
	}
	ret = xd_skel_parse_args(rte_vdev_device_args(vdev), &lcore);
	if (ret != 0)
		return ret;
	dev = rte_dma_sdk_pmd_allocate(name, &vdev->device, rte_socket_id(),
		sizeof(*skel), &xd_engine_dev_ops, &ret);
	if (dev == NULL)
		return ret;
	skel = dev->data->dev_private;
	xd_engine_init(&skel->engine, dev, RTE_STR(XD_SKEL_DRIVER), lcore,
		xd_skel_logtype, RTE_DMA_CAPA_INTER_PROCESS_DOMAIN |
		RTE_DMA_CAPA_INTER_OS_DOMAIN);
	ret = rte_dma_domain_ops_register(dev->data->dev_id,
		&xd_engine_domain_ops);
	if (ret != 0) {
		SKEL_LOG(ERR, "%s: cannot register inter-domain operations: %s",
			name, strerror(-ret));
		rte_dma_pmd_release(name);
		return ret;
	}
	rte_dma_sdk_pmd_ready(dev);
	if (lcore == XD_LCORE_NONE)
		SKEL_LOG(INFO, "%s: inline engine", name);
	else
		SKEL_LOG(INFO, "%s: engine on lcore %u", name, lcore);
	return 0;
}

static int
xd_skel_remove(struct rte_vdev_device *vdev)
{
	const char *name = rte_vdev_device_name(vdev);
	int16_t id = rte_dma_get_dev_id_by_name(name);

	if (id < 0)
		return -EINVAL;
	/* At EAL cleanup the device may still be started. */
	if (rte_dma_sdk_dev_started(id) == 1)
		rte_dma_stop(id);
	return rte_dma_pmd_release(name);
}

static struct rte_vdev_driver xd_skel_driver = {
	.probe = xd_skel_probe,
	.remove = xd_skel_remove,
	.drv_flags = RTE_VDEV_DRV_NEED_IOVA_AS_VA,
};

RTE_PMD_REGISTER_VDEV(dma_xd_skeleton, xd_skel_driver);
RTE_PMD_REGISTER_PARAM_STRING(dma_xd_skeleton, XD_SKEL_ARG_LCORE "=<uint16>");

RTE_INIT(xd_skel_log_init)
{
	xd_skel_logtype = rte_log_register_type_and_pick_level(
		"pmd.dma.xd_skeleton", RTE_LOG_INFO);
	if (xd_skel_logtype < 0)
		xd_skel_logtype = RTE_LOGTYPE_PMD;
}
