/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-dma-xd authors
 */

#include <errno.h>
#include <string.h>

#include <rte_common.h>
#include <rte_kvargs.h>
#include <rte_lcore.h>

#include "rte_dmadev_domain_pmd.h"
#include "rte_dmadev_sdk.h"
#include "test_testdev.h"

/* dmadev ids go up to RTE_DMADEV_DEFAULT_MAX (64) unless raised. */
#define TESTDEV_MAX_DEVS 64

static struct testdev_state *testdevs[TESTDEV_MAX_DEVS];

struct testdev_state *
testdev_get(int16_t dev_id)
{
	if (dev_id < 0 || dev_id >= TESTDEV_MAX_DEVS)
		return NULL;
	return testdevs[dev_id];
}

static struct testdev_state *
testdev_of(const struct rte_dma_dev *dev)
{
	return dev->data->dev_private;
}

static int
testdev_info_get(const struct rte_dma_dev *dev, struct rte_dma_info *info,
		uint32_t info_sz)
{
	RTE_SET_USED(info_sz);
	info->dev_capa = RTE_DMA_CAPA_MEM_TO_MEM | RTE_DMA_CAPA_OPS_COPY |
		testdev_of(dev)->capa;
	info->max_vchans = TESTDEV_MAX_VCHANS;
	info->min_desc = TESTDEV_MIN_DESC;
	info->max_desc = TESTDEV_MAX_DESC;
	info->max_sges = 0;
	return 0;
}

static int
testdev_configure(struct rte_dma_dev *dev, const struct rte_dma_conf *conf,
		uint32_t conf_sz)
{
	struct testdev_state *st = testdev_of(dev);

	RTE_SET_USED(conf_sz);
	/* A new configuration forgets every vchan, as hardware would. */
	memset(st->vchan, 0, sizeof(st->vchan));
	st->nb_vchans = conf->nb_vchans;
	return 0;
}

static int
testdev_vchan_setup(struct rte_dma_dev *dev, uint16_t vchan,
		const struct rte_dma_vchan_conf *conf, uint32_t conf_sz)
{
	struct testdev_state *st = testdev_of(dev);
	struct testdev_vchan *vc = &st->vchan[vchan];

	struct rte_dma_inter_domain_param seen;
	int ret;

	RTE_SET_USED(conf_sz);
	st->setup_calls++;
	/* A refused setup leaves the vchan as it was. */
	ret = rte_dma_domain_vchan_param_get(st->dev_id, vchan, conf, &seen);
	if (ret != 0)
		return ret;
	vc->seen = seen;
	vc->set_up = true;
	vc->nb_desc = conf->nb_desc;
	return 0;
}

static int
testdev_start(struct rte_dma_dev *dev)
{
	RTE_SET_USED(dev);
	return 0;
}

static int
testdev_stop(struct rte_dma_dev *dev)
{
	RTE_SET_USED(dev);
	return 0;
}

static int
testdev_close(struct rte_dma_dev *dev)
{
	struct testdev_state *st = testdev_of(dev);

	if (st->domain_ops)
		rte_dma_domain_ops_unregister(st->dev_id);
	testdevs[st->dev_id] = NULL;
	return 0;
}

static const struct rte_dma_dev_ops testdev_ops = {
	.dev_info_get = testdev_info_get,
	.dev_configure = testdev_configure,
	.dev_start = testdev_start,
	.dev_stop = testdev_stop,
	.dev_close = testdev_close,
	.vchan_setup = testdev_vchan_setup,
	RTE_DMA_SDK_GROUP_OPS
};

static int
testdev_vchan_check(int16_t dev_id, uint16_t vchan,
		const struct rte_dma_inter_domain_param *domain)
{
	struct testdev_state *st = testdev_get(dev_id);

	if (st == NULL)
		return -ENODEV;
	st->check_calls++;
	st->check_vchan = vchan;
	st->check_param = *domain;
	if (domain->src_handler == TESTDEV_UNKNOWN_HANDLER ||
			domain->dst_handler == TESTDEV_UNKNOWN_HANDLER)
		return -ENOENT;
	return 0;
}

static int
testdev_group_attach(int16_t dev_id, int16_t group_id, uint16_t handler)
{
	struct testdev_state *st = testdev_get(dev_id);

	if (st == NULL)
		return -ENODEV;
	st->attach_calls++;
	st->last_group = group_id;
	st->attached_handler = handler;
	return st->attach_error;
}

static void
testdev_group_detach(int16_t dev_id, int16_t group_id)
{
	struct testdev_state *st = testdev_get(dev_id);

	if (st == NULL)
		return;
	st->detach_calls++;
	st->last_group = group_id;
}

static void
testdev_member_left(int16_t dev_id, int16_t group_id, uint16_t handler)
{
	struct testdev_state *st = testdev_get(dev_id);

	RTE_SET_USED(group_id);
	if (st == NULL)
		return;
	st->member_left_calls++;
	st->left_handler = handler;
}

/* One table per class (class= devarg): the class is part of the table. */
#define TESTDEV_OPS(cls) { \
	.dev_class = (cls), \
	.vchan_check = testdev_vchan_check, \
	.group_attach = testdev_group_attach, \
	.group_detach = testdev_group_detach, \
	.member_left = testdev_member_left, \
}

static const struct rte_dma_domain_ops testdev_domain_ops[] = {
	TESTDEV_OPS(RTE_DMA_DOMAIN_CLASS_SOFTWARE),
	TESTDEV_OPS(RTE_DMA_DOMAIN_CLASS_A),
	TESTDEV_OPS(RTE_DMA_DOMAIN_CLASS_B),
};

struct testdev_args {
	uint64_t capa;
	bool ops;
	unsigned int dev_class;
};

static int
testdev_parse_capa(const char *key, const char *value, void *opaque)
{
	struct testdev_args *a = opaque;

	RTE_SET_USED(key);
	if (strcmp(value, "none") == 0)
		a->capa = 0;
	else if (strcmp(value, "process") == 0)
		a->capa = RTE_DMA_CAPA_INTER_PROCESS_DOMAIN;
	else if (strcmp(value, "os") == 0)
		a->capa = RTE_DMA_CAPA_INTER_OS_DOMAIN;
	else if (strcmp(value, "both") == 0)
		a->capa = RTE_DMA_CAPA_INTER_PROCESS_DOMAIN |
			RTE_DMA_CAPA_INTER_OS_DOMAIN;
	else
		return -EINVAL;
	return 0;
}

static int
testdev_parse_ops(const char *key, const char *value, void *opaque)
{
	struct testdev_args *a = opaque;

	RTE_SET_USED(key);
	if (strcmp(value, "0") != 0 && strcmp(value, "1") != 0)
		return -EINVAL;
	a->ops = value[0] == '1';
	return 0;
}

static int
testdev_parse_class(const char *key, const char *value, void *opaque)
{
	static const char *const names[] = { "software", "A", "B" };
	struct testdev_args *a = opaque;
	unsigned int i;

	RTE_SET_USED(key);
	for (i = 0; i < RTE_DIM(names); i++) {
		if (strcmp(value, names[i]) == 0) {
			a->dev_class = i;
			return 0;
		}
	}
	return -EINVAL;
}

static int
testdev_parse_args(const char *args, struct testdev_args *a)
{
	static const char *const keys[] = { "capa", "ops", "class", NULL };
	struct rte_kvargs *kv;
	int ret;

	a->capa = RTE_DMA_CAPA_INTER_PROCESS_DOMAIN;
	a->ops = false;
	a->dev_class = RTE_DMA_DOMAIN_CLASS_SOFTWARE;
	if (args == NULL || args[0] == '\0')
		return 0;
	kv = rte_kvargs_parse(args, keys);
	if (kv == NULL)
		return -EINVAL;
	ret = rte_kvargs_process(kv, "capa", testdev_parse_capa, a);
	if (ret == 0)
		ret = rte_kvargs_process(kv, "ops", testdev_parse_ops, a);
	if (ret == 0)
		ret = rte_kvargs_process(kv, "class", testdev_parse_class, a);
	rte_kvargs_free(kv);
	return ret < 0 ? -EINVAL : 0;
}

static int
testdev_probe(struct rte_vdev_device *vdev)
{
	const char *name = rte_vdev_device_name(vdev);
	struct testdev_state *st;
	struct testdev_args args;
	struct rte_dma_dev *dev;
	int ret;

	ret = testdev_parse_args(rte_vdev_device_args(vdev), &args);
	if (ret != 0)
		return ret;
	dev = rte_dma_sdk_pmd_allocate(name, &vdev->device, rte_socket_id(),
		sizeof(*st), &testdev_ops, &ret);
	if (dev == NULL)
		return ret;
	st = dev->data->dev_private;
	st->dev_id = dev->data->dev_id;
	if (st->dev_id >= TESTDEV_MAX_DEVS) {
		ret = -ENOSPC;
		goto release;
	}
	st->capa = args.capa;
	if (args.ops) {
		/* Registered before the device is announced, as the API asks. */
		ret = rte_dma_domain_ops_register(st->dev_id,
			&testdev_domain_ops[args.dev_class]);
		if (ret != 0)
			goto release;
		st->domain_ops = true;
	}
	testdevs[st->dev_id] = st;
	rte_dma_sdk_pmd_ready(dev);
	return 0;

release:
	rte_dma_pmd_release(name);
	return ret;
}

static int
testdev_remove(struct rte_vdev_device *vdev)
{
	/* Closes the device (testdev_close) if it got as far as ready. */
	return rte_dma_pmd_release(rte_vdev_device_name(vdev));
}

static struct rte_vdev_driver testdev_driver = {
	.probe = testdev_probe,
	.remove = testdev_remove,
};

RTE_PMD_REGISTER_VDEV(dma_xd_testdev, testdev_driver);
