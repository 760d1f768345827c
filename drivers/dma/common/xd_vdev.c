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

static const char *const xd_vdev_keys[] = {
	XD_VDEV_ARG_LCORE, XD_VDEV_ARG_ENGINE, XD_VDEV_ARG_ENGINE_MAP, NULL
};

/* What the devargs of one device say. */
struct xd_vdev_args {
	const struct xd_vdev_class *cls;
	uint32_t lcore;
	/* The engine devices, in order; none: the CPU engine. */
	char engine[XD_MAX_VCHANS][RTE_DEV_NAME_MAX_LEN];
	unsigned int nb_engines;
	bool engine_map;
};

static int
xd_vdev_parse_lcore(const char *key, const char *value, void *opaque)
{
	struct xd_vdev_args *a = opaque;
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
xd_vdev_parse_engine(const char *key, const char *value, void *opaque)
{
	struct xd_vdev_args *a = opaque;

	RTE_SET_USED(key);
	if (value[0] == '\0' || strlen(value) >= sizeof(a->engine[0])) {
		VDEV_LOG(a->cls, ERR, "engine=%s is not a dmadev name", value);
		return -EINVAL;
	}
	if (a->nb_engines == RTE_DIM(a->engine)) {
		VDEV_LOG(a->cls, ERR, "engine= given more than %u times",
			(unsigned int)RTE_DIM(a->engine));
		return -EINVAL;
	}
	snprintf(a->engine[a->nb_engines++], sizeof(a->engine[0]), "%s",
		value);
	return 0;
}

static int
xd_vdev_parse_engine_map(const char *key, const char *value, void *opaque)
{
	struct xd_vdev_args *a = opaque;

	RTE_SET_USED(key);
	if (strcmp(value, "0") != 0 && strcmp(value, "1") != 0) {
		VDEV_LOG(a->cls, ERR, "engine_map=%s: give 0 or 1", value);
		return -EINVAL;
	}
	a->engine_map = value[0] == '1';
	return 0;
}

static const struct {
	const char *key;
	arg_handler_t fn;
} xd_vdev_parsers[] = {
	{ XD_VDEV_ARG_LCORE, xd_vdev_parse_lcore },
	{ XD_VDEV_ARG_ENGINE, xd_vdev_parse_engine },
	{ XD_VDEV_ARG_ENGINE_MAP, xd_vdev_parse_engine_map },
};

static int
xd_vdev_parse_args(const char *args, struct xd_vdev_args *a)
{
	const struct xd_vdev_class *cls = a->cls;
	struct rte_kvargs *kv;
	unsigned int i;
	int ret = 0;

	a->lcore = XD_LCORE_NONE;
	if (args == NULL || args[0] == '\0')
		return 0;
	kv = rte_kvargs_parse(args, xd_vdev_keys);
	if (kv == NULL) {
		VDEV_LOG(cls, ERR, "cannot parse devargs \"%s\" (known: %s, %s, %s)",
			args, XD_VDEV_ARG_LCORE, XD_VDEV_ARG_ENGINE,
			XD_VDEV_ARG_ENGINE_MAP);
		return -EINVAL;
	}
	for (i = 0; i < RTE_DIM(xd_vdev_parsers) && ret == 0; i++) {
		const char *key = xd_vdev_parsers[i].key;

		if (rte_kvargs_count(kv, key) > 1 &&
				strcmp(key, XD_VDEV_ARG_ENGINE) != 0) {
			VDEV_LOG(cls, ERR, "%s given more than once", key);
			ret = -EINVAL;
		} else if (rte_kvargs_process(kv, key, xd_vdev_parsers[i].fn,
				a) != 0) {
			ret = -EINVAL;
		}
	}
	rte_kvargs_free(kv);
	if (ret != 0)
		return ret;
	if (a->nb_engines > 0 && a->lcore != XD_LCORE_NONE) {
		VDEV_LOG(cls, ERR, "%s and %s exclude each other: the engine device runs the operations",
			XD_VDEV_ARG_LCORE, XD_VDEV_ARG_ENGINE);
		return -EINVAL;
	}
	if (a->engine_map && a->nb_engines == 0) {
		VDEV_LOG(cls, ERR, "%s needs %s", XD_VDEV_ARG_ENGINE_MAP,
			XD_VDEV_ARG_ENGINE);
		return -EINVAL;
	}
	return 0;
}

/* A secondary's slots, to detach them at remove. */
static struct rte_dma_dev *xd_secondary_devs[XD_MAX_DEVS];

/*
 * A secondary process: the device is the primary's (its engine lives in
 * DPDK memory both share); this process gets its own fast-path table, its
 * own copies of the peers' windows and its own maps of them.
 */
static int
xd_vdev_probe_secondary(const struct xd_vdev_class *cls,
		struct rte_vdev_device *vdev)
{
	const char *name = rte_vdev_device_name(vdev);
	struct rte_dma_dev *dev;
	int ret;

	dev = rte_dma_sdk_pmd_allocate(name, &vdev->device, rte_socket_id(),
		sizeof(struct xd_engine), &xd_engine_dev_ops, &ret);
	if (dev == NULL)
		return ret;
	ret = rte_dma_domain_ops_register(dev->data->dev_id, cls->domain_ops);
	if (ret == 0) {
		/* The windows first: the vchans take maps of them. */
		ret = rte_dma_domain_mp_init();
		if (ret == -ENOTSUP)
			ret = 0;
		if (ret == 0)
			ret = xd_engine_attach(dev);
		if (ret != 0)
			rte_dma_domain_ops_unregister(dev->data->dev_id);
	}
	if (ret != 0) {
		VDEV_LOG(cls, ERR, "%s: cannot attach in this secondary process: %s",
			name, strerror(-ret));
		xd_engine_locals_free(dev->data->dev_id);
		rte_dma_pmd_release(name);
		return ret;
	}
	rte_dma_sdk_pmd_ready(dev);
	xd_secondary_devs[dev->data->dev_id] = dev;
	VDEV_LOG(cls, INFO, "%s: attached to the primary's device", name);
	return 0;
}

int
xd_vdev_probe(const struct xd_vdev_class *cls, struct rte_vdev_device *vdev)
{
	const char *name = rte_vdev_device_name(vdev);
	struct xd_vdev_args args = { .cls = cls };
	struct rte_dma_dev *dev;
	struct xd_engine *e;
	unsigned int i;
	int ret;

	/* The CPU engine dereferences addresses: they must be VAs. */
	if (rte_eal_iova_mode() != RTE_IOVA_VA) {
		VDEV_LOG(cls, ERR, "%s: needs IOVA as VA (EAL --iova-mode=va)",
			name);
		return -ENOTSUP;
	}
	/* The primary's devargs made the device; they mean nothing here. */
	if (rte_eal_process_type() != RTE_PROC_PRIMARY)
		return xd_vdev_probe_secondary(cls, vdev);
	ret = xd_vdev_parse_args(rte_vdev_device_args(vdev), &args);
	if (ret != 0)
		return ret;
	dev = rte_dma_sdk_pmd_allocate(name, &vdev->device, rte_socket_id(),
		sizeof(*e), &xd_engine_dev_ops, &ret);
	if (dev == NULL)
		return ret;
	e = dev->data->dev_private;
	xd_engine_init(e, dev, cls->driver, args.lcore, *cls->logtype,
		cls->domain_capa);
	for (i = 0; i < args.nb_engines; i++) {
		ret = xd_engine_stack(e, args.engine[i], args.engine_map);
		if (ret != 0) {
			xd_engine_unstack(e);
			rte_dma_pmd_release(name);
			return ret;
		}
	}
	ret = rte_dma_domain_ops_register(dev->data->dev_id, cls->domain_ops);
	if (ret != 0) {
		VDEV_LOG(cls, ERR, "%s: cannot register inter-domain operations: %s",
			name, strerror(-ret));
		xd_engine_unstack(e);
		rte_dma_pmd_release(name);
		return ret;
	}
	ret = xd_engine_locals_alloc(dev->data->dev_id);
	if (ret != 0) {
		VDEV_LOG(cls, ERR, "%s: no room for its vchans' state: %s",
			name, strerror(-ret));
		rte_dma_domain_ops_unregister(dev->data->dev_id);
		xd_engine_unstack(e);
		rte_dma_pmd_release(name);
		return ret;
	}
	/* Windows mapped from now on reach secondaries too. */
	rte_dma_domain_mp_init();
	rte_dma_sdk_pmd_ready(dev);
	for (i = 0; i < args.nb_engines; i++)
		VDEV_LOG(cls, INFO, "%s: stacked engine on %s%s", name,
			args.engine[i], e->lower[i].dma_mapped ?
			", windows mapped for its DMA" : "");
	if (args.nb_engines == 0 && args.lcore == XD_LCORE_NONE)
		VDEV_LOG(cls, INFO, "%s: inline engine", name);
	else if (args.nb_engines == 0)
		VDEV_LOG(cls, INFO, "%s: engine on lcore %u", name,
			args.lcore);
	return 0;
}

int
xd_vdev_remove(struct rte_vdev_device *vdev)
{
	const char *name = rte_vdev_device_name(vdev);
	int16_t id = rte_dma_get_dev_id_by_name(name);
	int ret;

	if (id < 0)
		return -EINVAL;
	/*
	 * At EAL cleanup the device may still be started; a secondary
	 * leaves that to the primary, and closes only its own state.
	 */
	if (rte_eal_process_type() != RTE_PROC_PRIMARY) {
		xd_engine_locals_free(id);
		rte_dma_domain_ops_unregister(id);
		ret = rte_dma_sdk_pmd_detach(xd_secondary_devs[id]);
		xd_secondary_devs[id] = NULL;
		return ret;
	}
	if (rte_dma_sdk_dev_started(id) == 1)
		rte_dma_stop(id);
	ret = rte_dma_pmd_release(name);
	if (ret == 0)
		xd_engine_locals_free(id);
	return ret;
}

int
xd_vdev_logtype_register(const char *name)
{
	int t = rte_log_register_type_and_pick_level(name, RTE_LOG_INFO);

	return t < 0 ? RTE_LOGTYPE_USER1 : t;
}
