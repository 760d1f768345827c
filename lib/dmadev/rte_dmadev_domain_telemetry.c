/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-dma-xd authors
 */

/*
 * Telemetry beside DPDK's own /dmadev/ commands:
 *   /dmadev_domain/info          this process's domain id
 *   /dmadev_domain/devs          inter-domain support of every dmadev
 *   /dmadev_domain/handlers      the handlers this process knows (its
 *                                own and its peers'), with their group
 *   /dmadev_domain/windows,H     the windows of handler H it can reach
 * Nothing secret is reachable from here: a member maps its peers'
 * windows anyway; tokens never reach this library's tables.
 */

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include <rte_common.h>
#include <rte_telemetry.h>
#include <rte_uuid.h>

#include "rte_dmadev_domain.h"
#include "dmadev_domain_private.h"

static int
telemetry_info(const char *cmd, const char *params, struct rte_tel_data *d)
{
	char text[RTE_UUID_STRLEN];
	rte_uuid_t id;

	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	rte_tel_data_start_dict(d);
	if (rte_dma_domain_id_get(id) == 0) {
		rte_uuid_unparse(id, text, sizeof(text));
		rte_tel_data_add_dict_string(d, "domain_id", text);
	} else {
		rte_tel_data_add_dict_string(d, "domain_id", "invalid RTE_DMA_DOMAIN_ID");
	}
	return 0;
}

static int
telemetry_devs(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct rte_tel_data *dev;
	char key[8];
	int16_t id;

	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	rte_tel_data_start_dict(d);
	RTE_DMA_FOREACH_DEV(id) {
		dev = rte_tel_data_alloc();
		if (dev == NULL)
			return -ENOMEM;
		rte_tel_data_start_dict(dev);
		rte_tel_data_add_dict_int(dev, "inter_process_domain",
			rte_dma_domain_is_supported(id, RTE_DMA_INTER_PROCESS_DOMAIN));
		rte_tel_data_add_dict_int(dev, "inter_os_domain",
			rte_dma_domain_is_supported(id, RTE_DMA_INTER_OS_DOMAIN));
		snprintf(key, sizeof(key), "%d", id);
		rte_tel_data_add_dict_container(d, key, dev, 0);
	}
	return 0;
}

/* 64-bit values as hex strings: the telemetry integer calls differ by DPDK release. */
static void
dict_add_hex(struct rte_tel_data *d, const char *name, uint64_t v)
{
	char text[24];

	snprintf(text, sizeof(text), "0x%" PRIx64, v);
	rte_tel_data_add_dict_string(d, name, text);
}

static void
handlers_one(const struct dxa_map_view *v, void *arg)
{
	struct rte_tel_data *d = arg, *h;
	char key[8];

	h = rte_tel_data_alloc();
	if (h == NULL)
		return;
	rte_tel_data_start_dict(h);
	rte_tel_data_add_dict_int(h, "group_id", v->group_id);
	rte_tel_data_add_dict_int(h, "own", v->own);
	rte_tel_data_add_dict_int(h, "dead", v->dead);
	rte_tel_data_add_dict_int(h, "nb_windows", (int)v->nb_windows);
	snprintf(key, sizeof(key), "%u", v->handler);
	if (rte_tel_data_add_dict_container(d, key, h, 0) != 0)
		rte_tel_data_free(h);
}

static int
telemetry_handlers(const char *cmd, const char *params,
		struct rte_tel_data *d)
{
	RTE_SET_USED(cmd);
	RTE_SET_USED(params);
	rte_tel_data_start_dict(d);
	dxa_map_each(0, handlers_one, d);
	return 0;
}

static void
windows_one(const struct dxa_map_view *v, void *arg)
{
	struct rte_tel_data *d = arg, *w;
	char key[12], perm[3];
	uint32_t i;

	rte_tel_data_add_dict_int(d, "group_id", v->group_id);
	rte_tel_data_add_dict_int(d, "nb_windows", (int)v->nb_windows);
	/* The dict holds RTE_TEL_MAX_DICT_ENTRIES: the rest is counted only. */
	for (i = 0; i < v->nb_windows; i++) {
		const struct rte_dma_domain_window *win = &v->windows[i];

		w = rte_tel_data_alloc();
		if (w == NULL)
			return;
		rte_tel_data_start_dict(w);
		dict_add_hex(w, "base", win->base);
		dict_add_hex(w, "len", win->len);
		snprintf(perm, sizeof(perm), "%s%s",
			(win->perm & RTE_DMA_DOMAIN_PERM_READ) ? "r" : "",
			(win->perm & RTE_DMA_DOMAIN_PERM_WRITE) ? "w" : "");
		rte_tel_data_add_dict_string(w, "perm", perm);
		/* Where a type NONE vchan would reach it too (see the guide). */
		rte_tel_data_add_dict_int(w, "at_owner_address", win->delta == 0);
		snprintf(key, sizeof(key), "%u", win->id);
		if (rte_tel_data_add_dict_container(d, key, w, 0) != 0) {
			rte_tel_data_free(w);
			return;
		}
	}
}

static int
telemetry_windows(const char *cmd, const char *params,
		struct rte_tel_data *d)
{
	unsigned long h;
	char *end;

	RTE_SET_USED(cmd);
	if (params == NULL || params[0] == '\0')
		return -EINVAL;
	h = strtoul(params, &end, 0);
	if (*end != '\0' || h == 0 || h > UINT16_MAX)
		return -EINVAL;
	rte_tel_data_start_dict(d);
	if (dxa_map_each((uint16_t)h, windows_one, d) == 0)
		return -ENOENT;
	return 0;
}

RTE_INIT(dma_domain_telemetry_init)
{
	rte_telemetry_register_cmd("/dmadev_domain/info", telemetry_info,
		"This process's inter-domain DMA domain id. No parameters.");
	rte_telemetry_register_cmd("/dmadev_domain/devs", telemetry_devs,
		"Inter-domain support (process, OS) of each dmadev. No parameters.");
	rte_telemetry_register_cmd("/dmadev_domain/handlers", telemetry_handlers,
		"Handlers this process knows: group, own domain, windows. No parameters.");
	rte_telemetry_register_cmd("/dmadev_domain/windows", telemetry_windows,
		"Windows of one handler this process can reach. Parameters: handler.");
}
