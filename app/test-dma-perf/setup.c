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
		perf_config_error(cfg, c->name, c->dev_key,
			"no dmadev named '%s' (there are: %s; eal_args creates them with --vdev=NAME)",
			c->device, device_list(list, sizeof(list)));
		return -EINVAL;
	}
	c->dev_id = (int16_t)ret;
	ret = rte_dma_info_get(c->dev_id, &info);
	if (ret < 0) {
		perf_config_error(cfg, c->name, c->dev_key,
			"%s: no device information: %s", c->device,
			rte_strerror(-ret));
		return -EINVAL;
	}
	if ((info.dev_capa & NEED_CAPA) != NEED_CAPA) {
		perf_config_error(cfg, c->name, c->dev_key,
			"%s cannot copy memory to memory (capabilities 0x%" PRIx64 ")",
			c->device, info.dev_capa);
		return -EINVAL;
	}
	if (c->dir != PERF_MEM2MEM) {
		const bool to_dev = c->dir == PERF_MEM2DEV;
		const uint64_t capa = to_dev ? RTE_DMA_CAPA_MEM_TO_DEV :
			RTE_DMA_CAPA_DEV_TO_MEM;

		if (!(info.dev_capa & capa))
			perf_config_error(cfg, c->name, c->dev_key,
				"%s cannot copy %s a device (no %s): dir=%s, with raddr, coreid, pfid and vfid, needs a PCIe endpoint DMA device",
				c->device, to_dev ? "from memory into" : "out of",
				to_dev ? "RTE_DMA_CAPA_MEM_TO_DEV" :
				"RTE_DMA_CAPA_DEV_TO_MEM", to_dev ? "mem2dev" : "dev2mem");
		else
			perf_config_error(cfg, c->name, c->dev_key,
				"%s can do dir=%s, but this benchmark verifies every copy and cannot read a remote endpoint's memory: not supported yet",
				c->device, to_dev ? "mem2dev" : "dev2mem");
		return -EINVAL;
	}
	if (c->use_ops) {
#ifdef RTE_DMA_CAPA_OPS_ENQ_DEQ
		const bool has = (info.dev_capa & RTE_DMA_CAPA_OPS_ENQ_DEQ) != 0;
#else
		const bool has = false;
#endif
		perf_config_error(cfg, c->name, "use_enq_deq_ops",
			has ? "%s has enqueue/dequeue operations, but this benchmark does not drive them yet: use_enq_deq_ops=0" :
			"%s has no enqueue/dequeue operations (no RTE_DMA_CAPA_OPS_ENQ_DEQ): use_enq_deq_ops=0",
			c->device);
		return -EINVAL;
	}
	/* The loops hand the device our virtual addresses. */
	if (!(info.dev_capa & RTE_DMA_CAPA_SVA) &&
			rte_eal_iova_mode() != RTE_IOVA_VA) {
		perf_config_error(cfg, c->name, c->dev_key,
			"%s needs IOVAs that are not our virtual addresses: run EAL with --iova-mode=va (eal_args)",
			c->device);
		return -EINVAL;
	}
	if (c->type == PERF_DMA_INTER_DOMAIN_COPY) {
		const bool os = c->domain == PERF_DOMAIN_OS;

		if (!rte_dma_domain_is_supported(c->dev_id, os ?
				RTE_DMA_INTER_OS_DOMAIN :
				RTE_DMA_INTER_PROCESS_DOMAIN)) {
			perf_config_error(cfg, c->name, c->dev_key,
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
		perf_config_error(cfg, c->name, c->dev_key,
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
		perf_config_error(cfg, c->name, c->dev_key,
			"%s does not start: %s", c->device, rte_strerror(-ret));
		return -EINVAL;
	}
	/* An engine on a worker lcore makes that lcore busy while started. */
	ret = 0;
	if (c->lcore != rte_get_main_lcore() &&
			rte_eal_get_lcore_state(c->lcore) != WAIT) {
		perf_config_error(cfg, c->name, c->lcore_key,
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

/*
 * src_numa_node, dst_numa_node: a node EAL knows. Where EAL knows one
 * node only, every buffer is on it, whatever the config says: told, and
 * the case runs (a config written for a larger machine moves over).
 */
static int
check_node(const struct perf_config *cfg, const struct perf_case *c,
		const char *key, int *node)
{
	const unsigned int nb = rte_socket_count();
	unsigned int i;

	if (*node < 0)
		return 0;
	if (nb <= 1) {
		if (c->worker == 0 && c->scenario <= 1 &&
				*node != rte_socket_id_by_idx(0))
			fprintf(stderr, PERF_NAME ": %s: [%s] %s: note: EAL sees one NUMA node, so node %d means that one\n",
				cfg->path, c->name, key, *node);
		*node = -1;
		return 0;
	}
	for (i = 0; i < nb; i++)
		if (rte_socket_id_by_idx(i) == *node)
			return 0;
	perf_config_error(cfg, c->name, key,
		"NUMA node %d is not one of the %u EAL sees", *node, nb);
	return -EINVAL;
}

/*
 * Workers of one case run together: with all their devices started, no
 * engine may sit on a worker's lcore.
 */
static int
check_workers(const struct perf_config *cfg, struct perf_case *lead)
{
	unsigned int i, started = 0;
	int ret = 0;

	for (i = 0; i < lead->nb_workers && perf_case_dma(lead); i++) {
		if (perf_dev_start(&lead[i]) < 0)
			break;
		started++;
	}
	for (i = 0; i < lead->nb_workers; i++) {
		const struct perf_case *c = &lead[i];

		if (c->lcore != rte_get_main_lcore() &&
				rte_eal_get_lcore_state(c->lcore) != WAIT) {
			perf_config_error(cfg, c->name, c->lcore_key,
				"lcore %u runs the engine of a device of this case while it is started: give the worker another lcore",
				c->lcore);
			ret = -EINVAL;
		}
	}
	for (i = 0; i < started; i++)
		perf_dev_stop(&lead[i], NULL);
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
			perf_config_error(cfg, c->name, c->lcore_key,
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
		if (check_node(cfg, c, "src_numa_node", &c->src_node) < 0 ||
				check_node(cfg, c, "dst_numa_node", &c->dst_node) < 0)
			ret = -EINVAL;
	}
	for (i = 0; ret == 0 && i < cfg->nb_cases; i++) {
		struct perf_case *c = &cfg->cases[i];

		if (perf_case_active(c) && c->nb_workers > 1 &&
				perf_case_leads(c) && check_workers(cfg, c) < 0)
			ret = -EINVAL;
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
