/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-dma-xd authors
 */

/*
 * The access pair group API: argument checks, then the broker, then the
 * driver's group hooks. Memberships of this process are kept here so that
 * events reach the right device and callback.
 *
 * group_lock serialises the API calls and the handling of each event, so
 * an event never sees a half-made membership; it is held across broker
 * calls, which the reader thread answers without it, and never while an
 * application callback runs.
 */

#include <errno.h>
#include <pthread.h>
#include <string.h>

#include <rte_common.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_uuid.h>

#include "dma_access_client.h"
#include "dmadev_domain_private.h"
#include "rte_dmadev_domain.h"
#include "rte_dmadev_domain_pmd.h"

/* Groups one process can be a member of at once. */
#define GROUP_MEMBERSHIPS 256

/* Log lines name the call the application made (on DPDK >= 25.11, DPDK's
 * wrapper calls in through the driver ops). */
#define API_CREATE "rte_dma_access_pair_group_create"
#define API_JOIN "rte_dma_access_pair_group_join"
#define API_HANDLER_GET "rte_dma_access_pair_group_handler_get"

struct membership {
	bool used;
	bool creator;
	int16_t dev_id;
	int16_t group_id;
	uint16_t handler;
	uint16_t grant;  /* a Class B grant attached: its handler; else 0 */
	uint32_t gen;    /* the broker connection that carries it */
	rte_dma_access_pair_group_event_cb_t cb;
};

static pthread_mutex_t group_lock = PTHREAD_MUTEX_INITIALIZER;
static struct membership memberships[GROUP_MEMBERSHIPS];

/*
 * What this process knows of a group's handlers changes here, and its
 * secondaries hear it (nothing without secondaries).
 */
static int
maps_learn(int16_t group_id, uint16_t handler, bool own)
{
	int ret = dxa_map_learn(group_id, handler, own);

	if (ret == 0)
		dxa_mp_learned(group_id, handler, own);
	return ret;
}

static void
maps_kill(uint16_t handler)
{
	dxa_map_kill(handler);
	dxa_mp_killed(0, handler);
}

static void
maps_kill_group(int16_t group_id)
{
	dxa_map_kill_group(group_id);
	dxa_mp_killed(group_id, 0);
}

static struct membership *
membership_find(int16_t dev_id, int16_t group_id)
{
	unsigned int i;

	for (i = 0; i < RTE_DIM(memberships); i++) {
		struct membership *m = &memberships[i];

		if (m->used && m->group_id == group_id &&
				(dev_id < 0 || m->dev_id == dev_id))
			return m;
	}
	return NULL;
}

static struct membership *
membership_free_slot(void)
{
	unsigned int i;

	for (i = 0; i < RTE_DIM(memberships); i++)
		if (!memberships[i].used)
			return &memberships[i];
	return NULL;
}

/* Tell the driver, then the application; group_lock is released for it. */
static void
deliver(struct membership m, const uint8_t *domain_id,
		enum rte_dma_access_pair_group_event_type event, uint16_t handler)
{
	const struct rte_dma_domain_ops *ops = rte_dma_domain_ops_get(m.dev_id);
	rte_uuid_t dom;

	if (ops != NULL) {
		if (event == RTE_DMA_GROUP_EVENT_MEMBER_LEFT)
			ops->member_left(m.dev_id, m.group_id, handler);
		else
			ops->group_detach(m.dev_id, m.group_id);
	}
	if (m.cb == NULL)
		return;
	memcpy(dom, domain_id, sizeof(dom));
	pthread_mutex_unlock(&group_lock);
	m.cb(m.dev_id, m.group_id, dom, event);
	pthread_mutex_lock(&group_lock);
}

/* The event thread. */
static void
group_event(const struct dxa_event *ev, bool lost, uint32_t gen)
{
	static const uint8_t nil[DXA_UUID_LEN];
	struct membership *m, copy;
	unsigned int i;

	pthread_mutex_lock(&group_lock);
	if (lost) {
		unsigned int ended = 0;

		/*
		 * The broker dropped every membership the lost connection
		 * carried; those made since over a new one stand.
		 */
		for (i = 0; i < RTE_DIM(memberships); i++) {
			if (!memberships[i].used || memberships[i].gen != gen)
				continue;
			copy = memberships[i];
			memberships[i].used = false;
			maps_kill_group(copy.group_id);
			deliver(copy, nil, RTE_DMA_GROUP_EVENT_GROUP_DESTROYED, 0);
			ended++;
		}
		pthread_mutex_unlock(&group_lock);
		/*
		 * A connection that carried nothing (closed after the last
		 * leave, at shutdown) ends without a word.
		 */
		if (ended > 0)
			DOMAIN_LOG_RL(WARNING, "lost the access broker: %u group membership%s ended (GROUP_DESTROYED delivered); create or join again once a broker runs",
				ended, ended > 1 ? "s" : "");
		return;
	}
	m = membership_find(-1, ev->group_id);
	if (m != NULL) {
		copy = *m;
		/*
		 * The windows go before anyone is told: once the callback
		 * runs, operations toward the departed fail with
		 * DEV_LINK_ERROR, and the memory is unmapped.
		 */
		if (ev->event == DXA_EVENT_GROUP_DESTROYED) {
			m->used = false;
			maps_kill_group(copy.group_id);
			deliver(copy, ev->domain_id,
				RTE_DMA_GROUP_EVENT_GROUP_DESTROYED, 0);
		} else {
			maps_kill(ev->handler);
			deliver(copy, ev->domain_id,
				RTE_DMA_GROUP_EVENT_MEMBER_LEFT, ev->handler);
		}
	}
	pthread_mutex_unlock(&group_lock);
}

/* A forked child inherits the table but is a member of nothing. */
static void
group_forget(void)
{
	pthread_mutex_init(&group_lock, NULL);
	memset(memberships, 0, sizeof(memberships));
}

RTE_INIT(group_init)
{
	dxa_client_set_handler(group_event);
	pthread_atfork(NULL, NULL, group_forget);
}

int
dxa_dev_check(const char *api, int16_t dev_id, const void *out)
{
	struct rte_dma_info info;

	if (!rte_dma_is_valid(dev_id) || out == NULL) {
		DOMAIN_LOG_RL(ERR, "%s: invalid device id %d or NULL output argument",
			api, dev_id);
		return -EINVAL;
	}
	if (rte_dma_info_get(dev_id, &info) != 0)
		return -EINVAL;
	if ((info.dev_capa & (RTE_DMA_CAPA_INTER_PROCESS_DOMAIN |
			RTE_DMA_CAPA_INTER_OS_DOMAIN)) == 0) {
		DOMAIN_LOG_RL(ERR, "%s: device %d has no inter-domain capability: use a dma_xd_* device",
			api, dev_id);
		return -EINVAL;
	}
	if (rte_dma_domain_ops_get(dev_id) == NULL) {
		DOMAIN_LOG_RL(ERR, "%s: device %d: its driver has no inter-domain support in this library",
			api, dev_id);
		return -ENOTSUP;
	}
	return 0;
}

/*
 * What create, join and attach check beyond dxa_dev_check(), which the
 * caller made: the domain id (the caller's own becomes this process's if
 * none is fixed yet) and the token. *@dev_class is the device's class,
 * for the broker.
 */
static int
member_precheck(const char *api, int16_t dev_id, const uint8_t *domain_id,
		const uint8_t *token, uint8_t *dev_class)
{
	const struct rte_dma_domain_ops *ops = rte_dma_domain_ops_get(dev_id);
	int ret;

	if (domain_id == NULL || token == NULL) {
		DOMAIN_LOG_RL(ERR, "%s: device %d: NULL domain id or token",
			api, dev_id);
		return -EINVAL;
	}
	if (ops == NULL)
		return -ENOTSUP;
	ret = dxa_domain_id_adopt(api, domain_id);
	if (ret != 0)
		return ret;
	if (rte_uuid_is_null(token)) {
		DOMAIN_LOG_RL(ERR, "%s: device %d: nil token: pass the token's secret (dpdk-dma-access token issue, line 1) or, for the embedded broker, a UUID of your own",
			api, dev_id);
		return -EINVAL;
	}
	*dev_class = ops->dev_class;
	return 0;
}

/* The broker call of leave/destroy, also used to undo a failed attach. */
static int
group_ref_call(uint16_t type, int16_t group_id)
{
	struct dxa_group_ref ref = { .group_id = group_id };
	struct dxa_reply_group r;

	return dxa_client_call(type, &ref, sizeof(ref), &r, sizeof(r), NULL);
}

/* Record a membership the broker granted, or undo it if the driver says no. */
static int
membership_add(struct membership *slot, int16_t dev_id, int16_t group_id,
		uint16_t handler, bool creator,
		rte_dma_access_pair_group_event_cb_t cb)
{
	const struct rte_dma_domain_ops *ops = rte_dma_domain_ops_get(dev_id);
	int ret;

	ret = maps_learn(group_id, handler, true);
	if (ret == 0)
		ret = ops->group_attach(dev_id, group_id, handler);
	if (ret != 0) {
		maps_kill_group(group_id);
		group_ref_call(creator ? DXA_GROUP_DESTROY : DXA_GROUP_LEAVE,
			group_id);
		return ret;
	}
	/* group_lock keeps other calls, hence reconnections, out till now. */
	*slot = (struct membership){
		.used = true, .creator = creator, .dev_id = dev_id,
		.group_id = group_id, .handler = handler, .cb = cb,
		.gen = dxa_client_generation(),
	};
	return 0;
}

/*
 * Ask the broker for a membership of @dev_id (@type: create, join or
 * attach, with @req) and record it, all under group_lock; *@r is the
 * answer. With @join_gid >= 0 this process must not be in that group yet
 * (-EEXIST). @grant: the grant's handler for an attach, else 0. The
 * request, which holds the token, is wiped.
 */
/*
 * Say why the broker (or this process's table) refused a membership, in
 * the words of @api. Nothing here tells a prober more than the errno: a
 * refused token is one reason, whichever of its checks failed (the
 * broker's own log says which, to its operator). -ECONNREFUSED was
 * logged with the socket path where it was tried.
 */
static void
membership_refused(const char *api, int16_t dev_id, int16_t group_id,
		int ret)
{
	char group[24] = "";

	if (group_id >= 0)
		snprintf(group, sizeof(group), " group %d:", group_id);
	switch (ret) {
	case -EACCES:
		DOMAIN_LOG_RL(ERR, "%s: device %d:%s the access broker refused the token or this peer: unknown, revoked, expired, used up, or not issued for this user, group or device class (the broker's log says which; dpdk-dma-access token list)",
			api, dev_id, group);
		break;
	case -EAGAIN:
		DOMAIN_LOG_RL(ERR, "%s: device %d:%s too many refused tokens from this user: the broker refuses for a while, retry later",
			api, dev_id, group);
		break;
	case -ENOENT:
		DOMAIN_LOG_RL(ERR, "%s: device %d:%s no such group at the access broker (destroyed, or created at another broker: check RTE_DMA_ACCESS_SOCKET)",
			api, dev_id, group);
		break;
	case -EEXIST:
		DOMAIN_LOG_RL(ERR, "%s: device %d:%s this domain or process is a member already",
			api, dev_id, group);
		break;
	case -EXDEV:
		DOMAIN_LOG_RL(ERR, "%s: device %d:%s the group's devices are of another class (rte_dma_domain_class_get()): join through a device of the creator's class",
			api, dev_id, group);
		break;
	case -ENOSPC:
		DOMAIN_LOG_RL(ERR, "%s: device %d:%s no room: the broker's group table or the token's member limit is full, or this process is in %zu groups already",
			api, dev_id, group, RTE_DIM(memberships));
		break;
	case -ECONNREFUSED:
		break;
	default:
		DOMAIN_LOG_RL(ERR, "%s: device %d:%s %s", api, dev_id, group,
			strerror(-ret));
		break;
	}
}

static int
membership_request(const char *api, int16_t dev_id, uint16_t type,
		void *req, size_t req_len, const uint8_t *embed_secret,
		int16_t join_gid, bool creator, uint16_t grant,
		rte_dma_access_pair_group_event_cb_t cb,
		struct dxa_reply_group *r)
{
	struct membership *slot;
	int ret;

	pthread_mutex_lock(&group_lock);
	if (join_gid >= 0 && membership_find(-1, join_gid) != NULL) {
		ret = -EEXIST;
	} else if ((slot = membership_free_slot()) == NULL) {
		ret = -ENOSPC;
	} else {
		ret = dxa_client_call(type, req, req_len, r, sizeof(*r),
			embed_secret);
		if (ret == 0)
			ret = membership_add(slot, dev_id, r->group_id,
				r->handler, creator, cb);
		if (ret == 0)
			slot->grant = grant;
	}
	pthread_mutex_unlock(&group_lock);
	memset(req, 0, req_len);
	if (ret != 0)
		membership_refused(api, dev_id, join_gid, ret);
	return ret;
}

/* A Class B device reaches memory through grants only. */
static int
not_class_b(const char *api, int16_t dev_id, uint8_t dev_class)
{
	if (dev_class != RTE_DMA_DOMAIN_CLASS_B)
		return 0;
	DOMAIN_LOG_RL(ERR, "%s: device %d is of Class B: it takes part through grants (rte_dma_domain_grant_attach()), not groups",
		api, dev_id);
	return -ENOTSUP;
}

int
dxa_group_create(int16_t dev_id, const uint8_t *domain_id,
		const uint8_t *token, int16_t *group_id,
		rte_dma_access_pair_group_event_cb_t cb)
{
	struct dxa_group_create req = { 0 };
	struct dxa_reply_group r;
	int ret;

	if (dxa_in_secondary())
		return -E_RTE_SECONDARY;

	ret = member_precheck(API_CREATE, dev_id, domain_id, token,
		&req.dev_class);
	if (ret == 0)
		ret = not_class_b(API_CREATE, dev_id, req.dev_class);
	if (ret != 0)
		return ret;
	memcpy(req.token, token, DXA_UUID_LEN);
	memcpy(req.domain_id, domain_id, DXA_UUID_LEN);
	ret = membership_request(API_CREATE, dev_id, DXA_GROUP_CREATE, &req,
		sizeof(req), token, -1, true, 0, cb, &r);
	if (ret != 0)
		return ret;
	*group_id = r.group_id;
	dxa_mem_share_dpdk_default();
	return 0;
}

int
dxa_group_join(int16_t dev_id, const uint8_t *domain_id,
		const uint8_t *token, int16_t group_id,
		rte_dma_access_pair_group_event_cb_t cb)
{
	struct dxa_group_join req = { .group_id = group_id };
	struct dxa_reply_group r;
	int ret;

	if (dxa_in_secondary())
		return -E_RTE_SECONDARY;

	/* An id, so checked with the ids, before capability and driver. */
	if (group_id < 0) {
		DOMAIN_LOG_RL(ERR, API_JOIN ": device %d: negative group id %d: pass the id the creator's rte_dma_access_pair_group_create() returned",
			dev_id, group_id);
		return -EINVAL;
	}
	ret = member_precheck(API_JOIN, dev_id, domain_id, token,
		&req.dev_class);
	if (ret == 0)
		ret = not_class_b(API_JOIN, dev_id, req.dev_class);
	if (ret != 0)
		return ret;
	memcpy(req.token, token, DXA_UUID_LEN);
	memcpy(req.domain_id, domain_id, DXA_UUID_LEN);
	ret = membership_request(API_JOIN, dev_id, DXA_GROUP_JOIN, &req,
		sizeof(req), NULL, group_id, false, 0, cb, &r);
	if (ret == 0)
		dxa_mem_share_dpdk_default();
	return ret;
}

/* leave and destroy: the same steps, with the roles swapped. */
static int
membership_end(int16_t dev_id, int16_t group_id, bool as_creator)
{
	const struct rte_dma_domain_ops *ops;
	struct membership *m;
	int ret;

	if (dxa_in_secondary())
		return -E_RTE_SECONDARY;

	pthread_mutex_lock(&group_lock);
	m = membership_find(dev_id, group_id);
	if (m == NULL) {
		ret = -ENOENT;
	} else if (m->creator != as_creator) {
		ret = -EPERM;
	} else {
		ret = group_ref_call(as_creator ? DXA_GROUP_DESTROY :
			DXA_GROUP_LEAVE, group_id);
		if (ret == 0) {
			m->used = false;
			maps_kill_group(group_id);
			ops = rte_dma_domain_ops_get(dev_id);
			if (ops != NULL)
				ops->group_detach(dev_id, group_id);
		}
	}
	pthread_mutex_unlock(&group_lock);
	return ret;
}

int
dxa_group_leave(int16_t dev_id, int16_t group_id)
{
	return membership_end(dev_id, group_id, false);
}

int
rte_dma_domain_grant_attach(int16_t dev_id, rte_uuid_t token,
		uint16_t handler, uint16_t *own_handler,
		rte_dma_access_pair_group_event_cb_t cb)
{
	struct dxa_grant_attach req = { .handler = handler };
	struct dxa_reply_group r;
	rte_uuid_t me;
	int ret;

	if (dxa_in_secondary())
		return -E_RTE_SECONDARY;

	if (handler == 0 || own_handler == NULL) {
		DOMAIN_LOG_RL(ERR, "%s: device %d: grant handler 0 or NULL argument: pass the handler the owner's rte_dma_domain_grant_create() returned",
			__func__, dev_id);
		return -EINVAL;
	}
	ret = dxa_dev_check(__func__, dev_id, own_handler);
	if (ret == 0)
		ret = rte_dma_domain_id_get(me);
	if (ret == 0)
		ret = member_precheck(__func__, dev_id, me, token,
			&req.dev_class);
	if (ret != 0)
		return ret;
	memcpy(req.token, token, DXA_UUID_LEN);
	memcpy(req.domain_id, me, DXA_UUID_LEN);
	/* The window comes before the reply: mapped when this returns. */
	ret = membership_request(__func__, dev_id, DXA_GRANT_ATTACH, &req,
		sizeof(req), NULL, -1, false, handler, cb, &r);
	if (ret == 0)
		*own_handler = r.handler;
	return ret;
}

int
rte_dma_domain_grant_detach(int16_t dev_id, uint16_t handler)
{
	int16_t group_id = -1;
	unsigned int i;

	if (dxa_in_secondary())
		return -E_RTE_SECONDARY;

	if (!rte_dma_is_valid(dev_id) || handler == 0)
		return -EINVAL;
	pthread_mutex_lock(&group_lock);
	for (i = 0; i < RTE_DIM(memberships); i++)
		if (memberships[i].used && memberships[i].dev_id == dev_id &&
				memberships[i].grant == handler)
			group_id = memberships[i].group_id;
	pthread_mutex_unlock(&group_lock);
	if (group_id < 0)
		return -ENOENT;
	return membership_end(dev_id, group_id, false);
}

int
dxa_group_destroy(int16_t dev_id, int16_t group_id)
{
	return membership_end(dev_id, group_id, true);
}

int
dxa_group_handler_get(int16_t dev_id, int16_t group_id,
		const uint8_t *domain_id, uint16_t *handler)
{
	struct dxa_handler_get req = { .group_id = group_id };
	struct dxa_reply_group r;
	struct membership *m;
	int ret;

	if (dxa_in_secondary())
		return -E_RTE_SECONDARY;

	if (domain_id == NULL) {
		DOMAIN_LOG_RL(ERR, API_HANDLER_GET ": device %d: NULL domain id",
			dev_id);
		return -EINVAL;
	}
	memcpy(req.domain_id, domain_id, DXA_UUID_LEN);
	pthread_mutex_lock(&group_lock);
	m = membership_find(dev_id, group_id);
	if (m == NULL) {
		ret = -ENOENT;
		DOMAIN_LOG_RL(ERR, API_HANDLER_GET ": device %d is not in group %d: create or join it through this device first (the handler of a member is known once joined)",
			dev_id, group_id);
	} else {
		ret = dxa_client_call(DXA_HANDLER_GET, &req, sizeof(req), &r,
			sizeof(r), NULL);
		if (ret == -ENOENT)
			DOMAIN_LOG_RL(ERR, API_HANDLER_GET ": device %d: group %d has no member with that domain id (not joined yet, or left)",
				dev_id, group_id);
	}
	/*
	 * Under group_lock, so a departure event for this handler (handled
	 * under it too, and sent after this reply) cannot be overtaken.
	 */
	if (ret == 0)
		ret = maps_learn(group_id, r.handler,
			r.handler == m->handler);
	pthread_mutex_unlock(&group_lock);
	if (ret == 0)
		*handler = r.handler;
	return ret;
}

int
rte_dma_access_pair_group_src_dst_handles_get(int16_t dev_id,
		int16_t group_id, rte_uuid_t src_domain_id,
		rte_uuid_t dst_domain_id, uint16_t *src_handle,
		uint16_t *dst_handle)
{
	uint16_t src, dst;
	int ret;

	if (dxa_in_secondary())
		return -E_RTE_SECONDARY;

	if (src_handle == NULL || dst_handle == NULL)
		return -EINVAL;
	/* What DPDK's wrapper of handler_get checks, then the same call. */
	ret = dxa_dev_check(__func__, dev_id, &src);
	if (ret == 0)
		ret = dxa_group_handler_get(dev_id, group_id, src_domain_id,
			&src);
	if (ret == 0)
		ret = dxa_group_handler_get(dev_id, group_id, dst_domain_id,
			&dst);
	if (ret != 0)
		return ret;
	*src_handle = src;
	*dst_handle = dst;
	return 0;
}

/* A device is closing: end its memberships (leave, or destroy if it can). */
static void
group_dev_closed(int16_t dev_id)
{
	unsigned int i;

	pthread_mutex_lock(&group_lock);
	for (i = 0; i < RTE_DIM(memberships); i++) {
		struct membership *m = &memberships[i];

		if (!m->used || m->dev_id != dev_id)
			continue;
		/*
		 * A creator whose group still has joiners cannot destroy it:
		 * the group then ends when this process's connection does.
		 */
		group_ref_call(m->creator ? DXA_GROUP_DESTROY : DXA_GROUP_LEAVE,
			m->group_id);
		m->used = false;
		maps_kill_group(m->group_id);
	}
	pthread_mutex_unlock(&group_lock);
}

void
rte_dma_domain_ops_unregister(int16_t dev_id)
{
	bool last;

	if (!dxa_ops_remove(dev_id, &last))
		return;
	group_dev_closed(dev_id);
	/*
	 * With no inter-domain device left, no group call can be made:
	 * the broker connection and the library's threads go too, so that
	 * none of them outlives EAL (devices close in rte_eal_cleanup()).
	 */
	if (last)
		dxa_client_shutdown();
}

bool
rte_dma_domain_group_has_dev(int16_t group_id, int16_t dev_id)
{
	bool found;

	pthread_mutex_lock(&group_lock);
	found = membership_find(dev_id, group_id) != NULL;
	pthread_mutex_unlock(&group_lock);
	return found;
}

int
rte_dma_domain_map_get(int16_t dev_id, uint16_t handler,
		struct rte_dma_domain_map **map)
{
	struct rte_dma_domain_map *m;
	int16_t group_id;
	bool own;
	int ret;

	if (handler == 0 || map == NULL)
		return -EINVAL;
	ret = dxa_map_ref(handler, &m, &group_id, &own);
	if (ret != 0)
		return ret;
	/*
	 * Memberships are the primary's: a secondary has the maps the
	 * primary gave it, for handlers the primary checked at setup.
	 */
	if (rte_eal_process_type() == RTE_PROC_PRIMARY &&
			!rte_dma_domain_group_has_dev(group_id, dev_id)) {
		rte_dma_domain_map_put(m);
		return -ENOENT;
	}
	if (own) {
		/* Identity translation needs no map and no reference. */
		rte_dma_domain_map_put(m);
		m = NULL;
	}
	*map = m;
	return 0;
}
