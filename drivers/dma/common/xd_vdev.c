/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-dma-xd authors
 */

/*
 * The vdev side every engine-backed driver shares: devargs, probe and
 * remove. A driver is a struct xd_vdev_class and two one-line callbacks.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_kvargs.h>
#include <rte_lcore.h>
#include <rte_log.h>

#include "rte_dmadev_domain_pmd.h"
#include "xd_engine.h"

#define VDEV_LOG(cls, level, fmt, ...) \
	rte_log(RTE_LOG_ ## level, *(cls)->logtype, "%s: " fmt "\n", \
		(cls)->driver, ##__VA_ARGS__)

static const char *const xd_vdev_keys[] = { XD_VDEV_ARG_LCORE, NULL };

struct lcore_arg {
	const struct xd_vdev_class *cls;
	uint32_t lcore;
};

static int
xd_vdev_parse_lcore(const char *key, const char *value, void *opaque)
{
	struct lcore_arg *a = opaque;
	unsigned long v;
	char *end;

	RTE_SET_USED(key);
	errno = 0;
	v = strtoul(value, &end, 10);
	if (errno != 0 || end == value || *end != '\0' || v >= RTE_MAX_LCORE) {
		VDEV_LOG(a->cls, ERR, "lcore=%s is not an lcore id", value);
		return -EINVAL;
	}
	if (!rte_lcore_is_enabled((unsigned int)v) ||
			v == rte_get_main_lcore()) {
		VDEV_LOG(a->cls, ERR, "lcore=%lu must be an enabled worker lcore (EAL -l), not the main lcore",
			v);
		return -EINVAL;
	}
	a->lcore = (uint32_t)v;
	return 0;
}

static int
xd_vdev_parse_args(const struct xd_vdev_class *cls, const char *args,
		uint32_t *lcore)
{
	struct lcore_arg a = { .cls = cls, .lcore = XD_LCORE_NONE };
	struct rte_kvargs *kv;
	int ret = 0;

	*lcore = XD_LCORE_NONE;
	if (args == NULL || args[0] == '\0')
		return 0;
	kv = rte_kvargs_parse(args, xd_vdev_keys);
	if (kv == NULL) {
		VDEV_LOG(cls, ERR, "cannot parse devargs \"%s\" (known: %s)",
			args, XD_VDEV_ARG_LCORE);
		return -EINVAL;
	}
	if (rte_kvargs_count(kv, XD_VDEV_ARG_LCORE) > 1) {
		VDEV_LOG(cls, ERR, "%s given more than once", XD_VDEV_ARG_LCORE);
		ret = -EINVAL;
	} else if (rte_kvargs_process(kv, XD_VDEV_ARG_LCORE,
			xd_vdev_parse_lcore, &a) != 0) {
		ret = -EINVAL;
	}
	rte_kvargs_free(kv);
	*lcore = a.lcore;
	return ret;
}

int
xd_vdev_probe(const struct xd_vdev_class *cls, struct rte_vdev_device *vdev)
{
	const char *name = rte_vdev_device_name(vdev);
	struct rte_dma_dev *dev;
	struct xd_engine *e;
	uint32_t lcore;
	int ret;

	if (rte_eal_process_type() != RTE_PROC_PRIMARY) {
		VDEV_LOG(cls, ERR, "%s: secondary processes are not supported yet",
			name);
		return -ENOTSUP;
	}
	/* The CPU engine dereferences addresses: they must be VAs. */
	if (rte_eal_iova_mode() != RTE_IOVA_VA) {
		VDEV_LOG(cls, ERR, "%s: needs IOVA as VA (EAL --iova-mode=va)",
			name);
		return -ENOTSUP;
	}
	ret = xd_vdev_parse_args(cls, rte_vdev_device_args(vdev), &lcore);
	if (ret != 0)
		return ret;
	dev = rte_dma_sdk_pmd_allocate(name, &vdev->device, rte_socket_id(),
		sizeof(*e), &xd_engine_dev_ops, &ret);
	if (dev == NULL)
		return ret;
	e = dev->data->dev_private;
	xd_engine_init(e, dev, cls->driver, lcore, *cls->logtype,
		cls->domain_capa);
	ret = rte_dma_domain_ops_register(dev->data->dev_id, cls->domain_ops);
	if (ret != 0) {
		VDEV_LOG(cls, ERR, "%s: cannot register inter-domain operations: %s",
			name, strerror(-ret));
		rte_dma_pmd_release(name);
		return ret;
	}
	rte_dma_sdk_pmd_ready(dev);
	if (lcore == XD_LCORE_NONE)
		VDEV_LOG(cls, INFO, "%s: inline engine", name);
	else
		VDEV_LOG(cls, INFO, "%s: engine on lcore %u", name, lcore);
	return 0;
}

int
xd_vdev_remove(struct rte_vdev_device *vdev)
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

int
xd_vdev_logtype_register(const char *name)
{
	int t = rte_log_register_type_and_pick_level(name, RTE_LOG_INFO);

	return t < 0 ? RTE_LOGTYPE_PMD : t;
}
