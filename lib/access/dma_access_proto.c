/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-dma-xd authors
 */

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include <rte_common.h>

#include "dma_access_proto.h"

/* Pin the wire layout: a change here is a new protocol version. */
_Static_assert(sizeof(struct dxa_hdr) == 16, "dxa_hdr");
_Static_assert(sizeof(struct dxa_group_create) == 40, "dxa_group_create");
_Static_assert(sizeof(struct dxa_group_join) == 40, "dxa_group_join");
_Static_assert(sizeof(struct dxa_group_ref) == 8, "dxa_group_ref");
_Static_assert(sizeof(struct dxa_handler_get) == 24, "dxa_handler_get");
_Static_assert(sizeof(struct dxa_reply_group) == 8, "dxa_reply_group");
_Static_assert(sizeof(struct dxa_policy) == 80, "dxa_policy");
_Static_assert(sizeof(struct dxa_reply_token_issue) == 40, "token_issue");
_Static_assert(sizeof(struct dxa_reply_token_list) == 128, "token_list");
_Static_assert(sizeof(struct dxa_reply_group_list) == 40, "group_list");
_Static_assert(sizeof(struct dxa_reply_group_show) == 40, "group_show");
_Static_assert(sizeof(struct dxa_event) == 24, "dxa_event");
_Static_assert(sizeof(struct dxa_mem_export) == 32, "dxa_mem_export");
_Static_assert(sizeof(struct dxa_mem_ref) == 8, "dxa_mem_ref");
_Static_assert(sizeof(struct dxa_mem_released) == 8, "dxa_mem_released");
_Static_assert(sizeof(struct dxa_reply_status) == 8, "dxa_reply_status");
_Static_assert(sizeof(struct dxa_mem_event) == 48, "dxa_mem_event");
_Static_assert(sizeof(struct dxa_grant_create) == 80, "dxa_grant_create");
_Static_assert(sizeof(struct dxa_grant_attach) == 40, "dxa_grant_attach");
_Static_assert(sizeof(struct dxa_grant_ref) == 8, "dxa_grant_ref");
_Static_assert(sizeof(struct dxa_reply_grant_list) == 64, "grant_list");

int
dxa_body_size(uint16_t type)
{
	switch (type) {
	case DXA_GROUP_CREATE:
		return sizeof(struct dxa_group_create);
	case DXA_GROUP_JOIN:
		return sizeof(struct dxa_group_join);
	case DXA_GROUP_LEAVE:
	case DXA_GROUP_DESTROY:
		return sizeof(struct dxa_group_ref);
	case DXA_HANDLER_GET:
		return sizeof(struct dxa_handler_get);
	case DXA_TOKEN_ISSUE:
		return sizeof(struct dxa_token_issue);
	case DXA_TOKEN_LIST:
	case DXA_GROUP_LIST:
		return sizeof(struct dxa_list_req);
	case DXA_TOKEN_REVOKE:
		return sizeof(struct dxa_token_revoke);
	case DXA_GROUP_SHOW:
		return sizeof(struct dxa_group_show);
	case DXA_MEM_EXPORT:
		return sizeof(struct dxa_mem_export);
	case DXA_MEM_UNEXPORT:
		return sizeof(struct dxa_mem_ref);
	case DXA_MEM_RELEASED:
		return sizeof(struct dxa_mem_released);
	case DXA_GRANT_CREATE:
		return sizeof(struct dxa_grant_create);
	case DXA_GRANT_ATTACH:
		return sizeof(struct dxa_grant_attach);
	case DXA_GRANT_REVOKE:
		return sizeof(struct dxa_grant_ref);
	case DXA_GRANT_LIST:
		return sizeof(struct dxa_list_req);
	case DXA_EVENT:
		return sizeof(struct dxa_event);
	case DXA_MEM_EVENT:
		return sizeof(struct dxa_mem_event);
	case DXA_GROUP_CREATE | DXA_REPLY:
	case DXA_GROUP_JOIN | DXA_REPLY:
	case DXA_GROUP_LEAVE | DXA_REPLY:
	case DXA_GROUP_DESTROY | DXA_REPLY:
	case DXA_HANDLER_GET | DXA_REPLY:
	case DXA_TOKEN_REVOKE | DXA_REPLY:
	case DXA_GRANT_CREATE | DXA_REPLY:
	case DXA_GRANT_ATTACH | DXA_REPLY:
		return sizeof(struct dxa_reply_group);
	case DXA_GRANT_REVOKE | DXA_REPLY:
		return sizeof(struct dxa_reply_status);
	case DXA_GRANT_LIST | DXA_REPLY:
		return sizeof(struct dxa_reply_grant_list);
	case DXA_TOKEN_ISSUE | DXA_REPLY:
		return sizeof(struct dxa_reply_token_issue);
	case DXA_TOKEN_LIST | DXA_REPLY:
		return sizeof(struct dxa_reply_token_list);
	case DXA_GROUP_LIST | DXA_REPLY:
		return sizeof(struct dxa_reply_group_list);
	case DXA_GROUP_SHOW | DXA_REPLY:
		return sizeof(struct dxa_reply_group_show);
	case DXA_MEM_EXPORT | DXA_REPLY:
	case DXA_MEM_UNEXPORT | DXA_REPLY:
		return sizeof(struct dxa_reply_status);
	default:
		/* DXA_MEM_RELEASED is one-way: it has no reply type. */
		return -1;
	}
}

static bool
zeroed(const void *p, size_t n)
{
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		if (b[i] != 0)
			return false;
	return true;
}

#define ZEROED(field) zeroed(&(field), sizeof(field))

bool
dxa_policy_valid(const struct dxa_policy *p)
{
	unsigned int i;

	if (p->dev_class > DXA_CLASS_B || p->nb_uids > DXA_POLICY_MAX_IDS ||
			p->nb_gids > DXA_POLICY_MAX_IDS || p->reserved != 0)
		return false;
	/* Unused entries are zero, so a policy has one encoding. */
	for (i = p->nb_uids; i < DXA_POLICY_MAX_IDS; i++)
		if (p->uids[i] != 0)
			return false;
	for (i = p->nb_gids; i < DXA_POLICY_MAX_IDS; i++)
		if (p->gids[i] != 0)
			return false;
	return true;
}

/*
 * A window as its owner describes it and its receivers get it. Both terms
 * are bounded before they are added, so base + len cannot wrap.
 */
static bool
window_ok(uint32_t mem_id, uint32_t perm, uint64_t base, uint64_t len,
		uint64_t offset)
{
	return mem_id != 0 && perm != 0 && (perm & ~DXA_PERM_ALL) == 0 &&
		len > 0 && len <= DXA_MEM_ADDR_LIMIT &&
		base <= DXA_MEM_ADDR_LIMIT && base + len <= DXA_MEM_ADDR_LIMIT &&
		base % DXA_MEM_ALIGN == 0 && offset % DXA_MEM_ALIGN == 0;
}

/* Field rules of each body; the length is already known to be exact. */
static bool
body_ok(uint16_t type, const void *body)
{
	switch (type) {
	case DXA_GROUP_CREATE: {
		const struct dxa_group_create *b = body;

		return b->dev_class <= DXA_CLASS_B && ZEROED(b->reserved);
	}
	case DXA_GROUP_JOIN: {
		const struct dxa_group_join *b = body;

		return b->group_id >= 0 && b->dev_class <= DXA_CLASS_B &&
			ZEROED(b->reserved);
	}
	case DXA_GROUP_LEAVE:
	case DXA_GROUP_DESTROY: {
		const struct dxa_group_ref *b = body;

		return b->group_id >= 0 && ZEROED(b->reserved);
	}
	case DXA_HANDLER_GET: {
		const struct dxa_handler_get *b = body;

		return b->group_id >= 0 && ZEROED(b->reserved);
	}
	case DXA_TOKEN_ISSUE:
		return dxa_policy_valid(&((const struct dxa_token_issue *)body)->policy);
	case DXA_TOKEN_LIST:
	case DXA_GROUP_LIST:
		return ((const struct dxa_list_req *)body)->reserved == 0;
	case DXA_TOKEN_REVOKE:
		return true;
	case DXA_GROUP_SHOW: {
		const struct dxa_group_show *b = body;

		return b->group_id >= 0 && b->reserved == 0;
	}
	case DXA_MEM_EXPORT: {
		const struct dxa_mem_export *b = body;

		return window_ok(b->mem_id, b->perm, b->base, b->len,
			b->offset);
	}
	case DXA_MEM_UNEXPORT: {
		const struct dxa_mem_ref *b = body;

		return b->mem_id != 0 && b->reserved == 0;
	}
	case DXA_MEM_RELEASED: {
		const struct dxa_mem_released *b = body;

		return b->handler != 0 && b->mem_id != 0 && b->reserved == 0;
	}
	case DXA_GRANT_CREATE: {
		const struct dxa_grant_create *b = body;

		return window_ok(b->win.mem_id, b->win.perm, b->win.base,
			b->win.len, b->win.offset);
	}
	case DXA_GRANT_ATTACH: {
		const struct dxa_grant_attach *b = body;

		return b->handler != 0 && b->dev_class <= DXA_CLASS_B &&
			ZEROED(b->reserved);
	}
	case DXA_GRANT_REVOKE: {
		const struct dxa_grant_ref *b = body;

		return b->handler != 0 && b->reserved == 0 &&
			b->reserved2 == 0;
	}
	case DXA_GRANT_LIST:
		return ((const struct dxa_list_req *)body)->reserved == 0;
	case DXA_EVENT: {
		const struct dxa_event *b = body;

		return b->group_id >= 0 &&
			b->event <= DXA_EVENT_GROUP_DESTROYED &&
			b->reserved == 0;
	}
	case DXA_MEM_EVENT: {
		const struct dxa_mem_event *b = body;

		/* A DEL repeats the window its ADD described. */
		return b->group_id >= 0 && b->event <= DXA_MEM_DEL &&
			b->handler != 0 && b->reserved == 0 &&
			b->reserved2 == 0 &&
			window_ok(b->mem_id, b->perm, b->base, b->len,
				b->offset);
	}
	case DXA_GROUP_CREATE | DXA_REPLY:
	case DXA_GROUP_JOIN | DXA_REPLY:
	case DXA_HANDLER_GET | DXA_REPLY:
	case DXA_GRANT_CREATE | DXA_REPLY:
	case DXA_GRANT_ATTACH | DXA_REPLY: {
		const struct dxa_reply_group *b = body;

		/* A success names a real group and a real handler. */
		return b->status < 0 ||
			(b->status == 0 && b->group_id >= 0 && b->handler != 0);
	}
	case DXA_GROUP_LEAVE | DXA_REPLY:
	case DXA_GROUP_DESTROY | DXA_REPLY:
	case DXA_TOKEN_REVOKE | DXA_REPLY:
		return ((const struct dxa_reply_group *)body)->status <= 0;
	case DXA_TOKEN_ISSUE | DXA_REPLY: {
		const struct dxa_reply_token_issue *b = body;

		return b->status <= 0 && b->reserved == 0;
	}
	case DXA_TOKEN_LIST | DXA_REPLY: {
		const struct dxa_reply_token_list *b = body;

		return b->status <= 0 && b->reserved == 0 &&
			(b->status != 0 || dxa_policy_valid(&b->policy));
	}
	case DXA_GROUP_LIST | DXA_REPLY: {
		const struct dxa_reply_group_list *b = body;

		return b->status <= 0 && b->reserved == 0;
	}
	case DXA_GROUP_SHOW | DXA_REPLY: {
		const struct dxa_reply_group_show *b = body;

		return b->status <= 0 && b->creator <= 1 &&
			b->dev_class <= DXA_CLASS_B;
	}
	case DXA_MEM_EXPORT | DXA_REPLY:
	case DXA_MEM_UNEXPORT | DXA_REPLY:
	case DXA_GRANT_REVOKE | DXA_REPLY: {
		const struct dxa_reply_status *b = body;

		return b->status <= 0 && b->reserved == 0;
	}
	case DXA_GRANT_LIST | DXA_REPLY: {
		const struct dxa_reply_grant_list *b = body;

		return b->status <= 0 && b->attached <= 1 && b->reserved == 0 &&
			(b->perm & ~DXA_PERM_ALL) == 0;
	}
	default:
		return false;
	}
}

static bool
is_event(uint16_t type)
{
	return type == DXA_EVENT || type == DXA_MEM_EVENT;
}

/* Events and one-way messages are answered by nothing: their seq is 0. */
static bool
unanswered(uint16_t type)
{
	return is_event(type) || type == DXA_MEM_RELEASED;
}

int
dxa_msg_check(const void *msg, size_t len, int from_broker)
{
	struct dxa_hdr h;
	int body;

	if (msg == NULL || len < sizeof(h) || len > DXA_MSG_MAX)
		return -EMSGSIZE;
	memcpy(&h, msg, sizeof(h));
	if (h.magic != DXA_MAGIC || h.version != DXA_VERSION)
		return -EPROTO;
	/* Requests flow to the broker; replies and events from it. */
	if (from_broker != ((h.type & DXA_REPLY) != 0 || is_event(h.type)))
		return -EPROTO;
	body = dxa_body_size(h.type);
	if (body < 0)
		return -EPROTO;
	if (h.length != len || len != sizeof(h) + (size_t)body)
		return -EMSGSIZE;
	if (unanswered(h.type) != (h.seq == 0))
		return -EPROTO;
	/* Bodies are read in place: only byte alignment is assumed. */
	{
		uint8_t copy[DXA_MSG_MAX] __rte_aligned(8);

		memcpy(copy, (const uint8_t *)msg + sizeof(h), (size_t)body);
		if (!body_ok(h.type, copy))
			return -EPROTO;
	}
	return 0;
}

void
dxa_hdr_init(struct dxa_hdr *h, uint16_t type, uint32_t seq, size_t body_len)
{
	h->magic = DXA_MAGIC;
	h->version = DXA_VERSION;
	h->type = type;
	h->length = (uint32_t)(sizeof(*h) + body_len);
	h->seq = seq;
}
