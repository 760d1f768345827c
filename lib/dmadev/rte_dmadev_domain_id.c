/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-dma-xd authors
 */

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <uuid/uuid.h>

#include <rte_common.h>
#include <rte_uuid.h>

#include "rte_dmadev_domain.h"
#include "dmadev_domain_private.h"

/* Name of the environment variable that fixes the domain id. */
#define DOMAIN_ID_ENV "RTE_DMA_DOMAIN_ID"

static pthread_mutex_t id_lock = PTHREAD_MUTEX_INITIALIZER;
static bool id_fixed;  /* the id was handed out: it never changes again */
static bool id_preset; /* rte_dma_domain_id_set() chose it */
static rte_uuid_t id_value;

/*
 * A forked child is another domain: it must not keep the parent's id. The
 * handler runs in the child only, single-threaded, before fork() returns.
 */
static void
domain_id_forget(void)
{
	pthread_mutex_init(&id_lock, NULL);
	id_fixed = false;
	id_preset = false;
	memset(id_value, 0, sizeof(id_value));
}

RTE_INIT(domain_id_init)
{
	pthread_atfork(NULL, NULL, domain_id_forget);
}

/* Called with id_lock held and the id not yet fixed. */
static int
domain_id_choose(void)
{
	const char *env;

	if (id_preset)
		return 0;
	env = getenv(DOMAIN_ID_ENV);
	if (env != NULL) {
		if (strlen(env) != 36 || uuid_parse(env, id_value) != 0 ||
				rte_uuid_is_null(id_value)) {
			memset(id_value, 0, sizeof(id_value));
			DOMAIN_LOG_RL(ERR, "rte_dma_domain_id_get: %s=\"%.40s\" is not a canonical non-nil UUID (e.g. the output of uuidgen)",
				DOMAIN_ID_ENV, env);
			return -EINVAL;
		}
		return 0;
	}
	uuid_generate_random(id_value);
	return 0;
}

int
rte_dma_domain_id_get(rte_uuid_t id)
{
	int ret = 0;

	if (id == NULL)
		return -EINVAL;
	pthread_mutex_lock(&id_lock);
	if (!id_fixed) {
		ret = domain_id_choose();
		id_fixed = (ret == 0);
	}
	if (ret == 0)
		rte_uuid_copy(id, id_value);
	pthread_mutex_unlock(&id_lock);
	return ret;
}

int
rte_dma_domain_id_set(const rte_uuid_t id)
{
	int ret = 0;

	if (id == NULL || rte_uuid_is_null(id)) {
		DOMAIN_LOG_RL(ERR, "rte_dma_domain_id_set: NULL or nil domain id");
		return -EINVAL;
	}
	pthread_mutex_lock(&id_lock);
	if (id_fixed || id_preset) {
		ret = -EBUSY;
	} else {
		memcpy(id_value, id, sizeof(id_value));
		id_preset = true;
	}
	pthread_mutex_unlock(&id_lock);
	if (ret != 0)
		DOMAIN_LOG_RL(ERR, "rte_dma_domain_id_set: the domain id is already fixed (by RTE_DMA_DOMAIN_ID, an earlier set, or a first use): call it before any other inter-domain call");
	return ret;
}

int
dxa_domain_id_adopt(const char *api, const uint8_t *id)
{
	int ret = 0;

	if (rte_uuid_is_null(id)) {
		DOMAIN_LOG_RL(ERR, "%s: nil domain id: pass rte_dma_domain_id_get()'s",
			api);
		return -EINVAL;
	}
	pthread_mutex_lock(&id_lock);
	/*
	 * Upstream's model: the application generates its domain id and
	 * passes it to every call. With no id fixed yet (no
	 * rte_dma_domain_id_set(), no RTE_DMA_DOMAIN_ID, no earlier
	 * rte_dma_domain_id_get()), the first one given becomes this
	 * process's; from then on only that one is accepted.
	 */
	if (!id_fixed && !id_preset && getenv(DOMAIN_ID_ENV) == NULL) {
		memcpy(id_value, id, sizeof(id_value));
		id_fixed = true;
	} else if (!id_fixed) {
		ret = domain_id_choose();
		id_fixed = (ret == 0);
	}
	if (ret == 0 && memcmp(id_value, id, sizeof(id_value)) != 0)
		ret = -EINVAL;
	pthread_mutex_unlock(&id_lock);
	if (ret == -EINVAL)
		DOMAIN_LOG_RL(ERR, "%s: the domain id is not this process's: a process has one domain id, fixed by its first use (pass rte_dma_domain_id_get()'s)",
			api);
	return ret;
}
