/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-dma-xd authors
 */

/*
 * What can only be checked once EAL runs, checked before any measurement:
 * that each case's lcore is one of EAL's, that its device exists and can
 * do what the case asks (mem-to-mem copy, scatter-gather, ring size, our
 * virtual addresses as IOVAs, copies across process or OS domains), that
 * its engine does not need the lcore the case runs on, and that the
 * children of CMA_COPY are reachable. (The peers of DMA_INTER_DOMAIN_COPY
 * are domain.c's, once these checks pass.)
 * Each device is configured and started once here, as in a round, and
 * stopped again.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_dmadev.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_launch.h>
#include <rte_lcore.h>

#include "rte_dmadev_domain.h"

#include "perf.h"

#define NEED_CAPA (RTE_DMA_CAPA_MEM_TO_MEM | RTE_DMA_CAPA_OPS_COPY)

int
perf_dev_start(const struct perf_case *c)
{
	const struct rte_dma_conf conf = { .nb_vchans = 1 };
	const struct rte_dma_vchan_conf vconf = {
		.direction = RTE_DMA_DIR_MEM_TO_MEM,
		.nb_desc = c->ring,
	};
	int ret;

	/*
	 * Configured each time: two cases may share a device, not a ring.
	 * A local vchan (type NONE) is exactly rte_dma_vchan_setup(); an
	 * inter-domain one names the handlers domain.c found.
	 */
	ret = rte_dma_configure(c->dev_id, &conf);
	if (ret == 0)
		ret = rte_dma_domain_vchan_setup(c->dev_id, 0, &vconf, &c->xd);
	if (ret == 0)
		ret = rte_dma_start(c->dev_id);
	if (ret == 0)
		ret = rte_dma_stats_reset(c->dev_id, 0);
	return ret;
}

int
perf_dev_stop(const struct perf_case *c, const struct perf_round *r)
{
	struct rte_dma_stats st;

	/* The device's own count must agree with the loop's. */
	if (r != NULL && rte_dma_stats_get(c->dev_id, 0, &st) == 0 &&
			(st.submitted != r->issued || st.errors != r->errors))
		fprintf(stderr, PERF_NAME ": warning: %s: %s counted %" PRIu64 " copies submitted and %" PRIu64 " errors, the benchmark %" PRIu64 " and %" PRIu64 "\n",
			c->name, c->device, st.submitted, st.errors,
			r->issued, r->errors);
	return rte_dma_stop(c->dev_id);
}

const char *
perf_lcore_list(char *buf, size_t len)
{
	unsigned int lcore;
	size_t n = 0;

	buf[0] = '\0';
	RTE_LCORE_FOREACH(lcore) {
		if (n >= len)
			break;
		n += snprintf(buf + n, len - n, "%s%u", n > 0 ? "," : "",
			lcore);
	}
	return buf;
}

static const char *
device_list(char *buf, size_t len)
{
	struct rte_dma_info info;
	int16_t id;
	size_t n = 0;

	snprintf(buf, len, "none");
	RTE_DMA_FOREACH_DEV(id) {
		if (rte_dma_info_get(id, &info) < 0 || n >= len)
			continue;
		n += snprintf(buf + n, len - n, "%s%s", n > 0 ? ", " : "",
			info.dev_name);
	}
	return buf;
}

static int
check_device(const struct perf_config *cfg, struct perf_case *c)
{
	struct rte_dma_info info;
	char list[512];
	int ret;

	ret = rte_dma_get_dev_id_by_name(c->device);
	if (ret < 0) {
		perf_config_error(cfg, c->name, "device",
			"no dmadev named '%s' (there are: %s; eal_args creates them with --vdev=NAME)",
			c->device, device_list(list, sizeof(list)));
		return -EINVAL;
	}
	c->dev_id = (int16_t)ret;
	ret = rte_dma_info_get(c->dev_id, &info);
	if (ret < 0) {
		perf_config_error(cfg, c->name, "device",
			"%s: no device information: %s", c->device,
			rte_strerror(-ret));
		return -EINVAL;
	}
	if ((info.dev_capa & NEED_CAPA) != NEED_CAPA) {
		perf_config_error(cfg, c->name, "device",
			"%s cannot copy memory to memory (capabilities 0x%" PRIx64 ")",
			c->device, info.dev_capa);
		return -EINVAL;
	}
	/* The loops hand the device our virtual addresses. */
	if (!(info.dev_capa & RTE_DMA_CAPA_SVA) &&
			rte_eal_iova_mode() != RTE_IOVA_VA) {
		perf_config_error(cfg, c->name, "device",
			"%s needs IOVAs that are not our virtual addresses: run EAL with --iova-mode=va (eal_args)",
			c->device);
		return -EINVAL;
	}
	if (c->type == PERF_DMA_INTER_DOMAIN_COPY) {
		const bool os = c->domain == PERF_DOMAIN_OS;

		if (!rte_dma_domain_is_supported(c->dev_id, os ?
				RTE_DMA_INTER_OS_DOMAIN :
				RTE_DMA_INTER_PROCESS_DOMAIN)) {
			perf_config_error(cfg, c->name, "device",
				"%s cannot copy across %s domains (no %s, or its driver has no inter-domain support): domain=%s needs a device that has",
				c->device, os ? "OS" : "process", os ?
				"RTE_DMA_CAPA_INTER_OS_DOMAIN" :
				"RTE_DMA_CAPA_INTER_PROCESS_DOMAIN",
				os ? "os" : "process");
			return -EINVAL;
		}
		if (c->windows > 1 && rte_dma_domain_class_get(c->dev_id) ==
				RTE_DMA_DOMAIN_CLASS_B) {
			perf_config_error(cfg, c->name, "windows",
				"%s is a Class B device: the peer grants it its buffer as one window, so windows must be 1",
				c->device);
			return -EINVAL;
		}
	}
	if (c->src_sge > 1 || c->dst_sge > 1) {
		const char *key = c->src_sge > 1 ? "dma_src_sge" : "dma_dst_sge";

		if (!(info.dev_capa & RTE_DMA_CAPA_OPS_COPY_SG)) {
			perf_config_error(cfg, c->name, key,
				"%s cannot do scatter-gather copies (no RTE_DMA_CAPA_OPS_COPY_SG): dma_src_sge and dma_dst_sge must be 1",
				c->device);
			return -EINVAL;
		}
		if (c->src_sge > info.max_sges || c->dst_sge > info.max_sges) {
			perf_config_error(cfg, c->name,
				c->src_sge > info.max_sges ? "dma_src_sge" : "dma_dst_sge",
				"%u is more than %s takes (max %u)",
				RTE_MAX(c->src_sge, c->dst_sge), c->device,
				info.max_sges);
			return -EINVAL;
		}
	}
	if (c->ring < info.min_desc || c->ring > info.max_desc) {
		perf_config_error(cfg, c->name, "dma_ring_size",
			"%u is outside %s's %u..%u", c->ring, c->device,
			info.min_desc, info.max_desc);
		return -EINVAL;
	}

	/* What a round will do, once, before any round runs. */
	ret = rte_dma_configure(c->dev_id,
		&(const struct rte_dma_conf){ .nb_vchans = 1 });
	if (ret < 0) {
		perf_config_error(cfg, c->name, "device",
			"%s refused to be configured: %s", c->device,
			rte_strerror(-ret));
		return -EINVAL;
	}
	ret = rte_dma_domain_vchan_setup(c->dev_id, 0,
		&(const struct rte_dma_vchan_conf){
			.direction = RTE_DMA_DIR_MEM_TO_MEM,
			.nb_desc = c->ring,
		},
		&(const struct rte_dma_inter_domain_param){
			.type = RTE_DMA_INTER_DOMAIN_NONE,
		});
	if (ret < 0) {
		perf_config_error(cfg, c->name, "dma_ring_size",
			"%s refused a vchan of %u descriptors: %s", c->device,
			c->ring, rte_strerror(-ret));
		return -EINVAL;
	}
	ret = rte_dma_start(c->dev_id);
	if (ret < 0) {
		perf_config_error(cfg, c->name, "device",
			"%s does not start: %s", c->device, rte_strerror(-ret));
		return -EINVAL;
	}
	/* An engine on a worker lcore makes that lcore busy while started. */
	ret = 0;
	if (c->lcore != rte_get_main_lcore() &&
			rte_eal_get_lcore_state(c->lcore) != WAIT) {
		perf_config_error(cfg, c->name, "lcore",
			"lcore %u runs %s's engine while it is started: drive the case from another lcore",
			c->lcore, c->device);
		ret = -EINVAL;
	}
	perf_dev_stop(c, NULL);
	return ret;
}

/* The kernel may forbid reading and writing another process's memory. */
static int
check_cma(const struct perf_config *cfg, const struct perf_case *c)
{
	uint8_t byte;
	int ret = perf_peer_read(&c->peer, 0, &byte, 1);

	if (ret < 0)
		perf_config_error(cfg, c->name, "type",
			"CMA_COPY cannot reach its child process: process_vm_readv: %s (a seccomp filter, or Yama's kernel.yama.ptrace_scope=3, forbids it)",
			strerror(-ret));
	return ret;
}

int
perf_setup_check(struct perf_config *cfg)
{
	unsigned int i;
	char list[256];
	int ret = 0;

	for (i = 0; i < cfg->nb_cases; i++) {
		struct perf_case *c = &cfg->cases[i];

		if (!perf_case_active(c))
			continue;
		if (!c->lcore_set) {
			c->lcore = rte_get_main_lcore();
		} else if (!rte_lcore_is_enabled(c->lcore)) {
			perf_config_error(cfg, c->name, "lcore",
				"lcore %u is not one of EAL's lcores (%s): too few lcores, give more with -l in eal_args",
				c->lcore, perf_lcore_list(list, sizeof(list)));
			ret = -EINVAL;
			continue;
		}

		switch (c->type) {
		case PERF_DMA_MEM_COPY:
		case PERF_DMA_INTER_DOMAIN_COPY:
			if (check_device(cfg, c) < 0) {
				ret = -EINVAL;
				continue;
			}
			c->status = calloc(c->ring, sizeof(*c->status));
			if (c->status == NULL)
				return -ENOMEM;
			break;
		case PERF_CMA_COPY:
			if (check_cma(cfg, c) < 0) {
				ret = -EINVAL;
				continue;
			}
			c->iov_remote = calloc(c->kick_batch,
					sizeof(*c->iov_remote));
			c->iov_local = calloc(c->kick_batch,
					sizeof(*c->iov_local));
			if (c->iov_remote == NULL || c->iov_local == NULL)
				return -ENOMEM;
			break;
		case PERF_SOCKET_COPY:
			/* The header, then one iovec per copy. */
			c->iov_local = calloc(c->kick_batch + 1u,
					sizeof(*c->iov_local));
			if (c->iov_local == NULL)
				return -ENOMEM;
			break;
		default:
			break;
		}
	}
	return ret;
}

void
perf_setup_release(struct perf_config *cfg)
{
	unsigned int i, j;

	for (i = 0; i < cfg->nb_cases; i++) {
		struct perf_case *c = &cfg->cases[i];
		bool closed = false;

		free(c->status);
		free(c->iov_local);
		free(c->iov_remote);
		c->status = NULL;
		c->iov_local = NULL;
		c->iov_remote = NULL;
		if (c->dev_id < 0)
			continue;
		/* Cases may share a device: close it once. */
		for (j = 0; j < i; j++)
			closed = closed || cfg->cases[j].dev_id == c->dev_id;
		if (!closed)
			rte_dma_close(c->dev_id);
	}
}
