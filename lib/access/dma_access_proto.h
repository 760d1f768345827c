/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-dma-xd authors
 */

#ifndef DMA_ACCESS_PROTO_H
#define DMA_ACCESS_PROTO_H

/*
 * Wire format of the access broker (dpdk-dma-access), version 1.
 *
 * Internal to the project: the library's broker client, the broker itself
 * (daemon or embedded) and the fuzz target use it. Not installed.
 *
 * Transport: a unix SOCK_SEQPACKET socket, one message per packet, so
 * message boundaries are the kernel's and a short or long packet is a
 * malformed one. Peers are on one kernel: integers are in host order, and
 * the magic tells a peer of the other byte order at once.
 *
 * Every message is a struct dxa_hdr followed by exactly the body its type
 * defines; length counts both. A request gets exactly one reply with the
 * request's type | DXA_REPLY and its seq; events come unrequested with
 * seq 0. Every reply body starts with an int32_t status: 0 or a negative
 * errno.
 *
 * Validation (dxa_msg_check()) is total: magic, version, a known type for
 * the direction, the exact length for the type, zero reserved fields,
 * in-range enumerations, counts within their arrays. A message that fails
 * it is not answered: the broker closes that connection.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DXA_MAGIC 0x31415844u /* "DXA1" in memory order on little endian */
#define DXA_VERSION 1
/* Largest message of version 1, with room to grow the bodies. */
#define DXA_MSG_MAX 512

#define DXA_REPLY 0x8000u

enum dxa_type {
	/* Members: any peer. */
	DXA_GROUP_CREATE = 1,
	DXA_GROUP_JOIN = 2,
	DXA_GROUP_LEAVE = 3,
	DXA_GROUP_DESTROY = 4,
	DXA_HANDLER_GET = 5,
	/* Memory windows: any peer. EXPORT carries one fd (SCM_RIGHTS). */
	DXA_MEM_EXPORT = 6,
	DXA_MEM_UNEXPORT = 7,
	/* One-way, no reply: a receiver unmapped a window after a MEM_DEL. */
	DXA_MEM_RELEASED = 8,
	/* Class B grants: any peer. CREATE carries one fd (SCM_RIGHTS). */
	DXA_GRANT_CREATE = 9,
	DXA_GRANT_ATTACH = 10,
	DXA_GRANT_REVOKE = 11,
	/* Administration: root or the broker's own uid. */
	DXA_TOKEN_ISSUE = 16,
	DXA_TOKEN_LIST = 17,
	DXA_TOKEN_REVOKE = 18,
	DXA_GROUP_LIST = 19,
	DXA_GROUP_SHOW = 20,
	DXA_GRANT_LIST = 21,
	/* Broker to member, unrequested. */
	DXA_EVENT = 32,
	/* A window appears (carries its fd) or goes. */
	DXA_MEM_EVENT = 33,
};

/* Same values as enum rte_dma_access_pair_group_event_type. */
enum dxa_event_type {
	DXA_EVENT_MEMBER_LEFT = 0,
	DXA_EVENT_GROUP_DESTROYED = 1,
};

/* Device classes a token may be limited to. */
enum dxa_class {
	DXA_CLASS_ANY = 0,
	DXA_CLASS_A = 1, /* paired: every member owns a device */
	DXA_CLASS_B = 2, /* single-sided: the owner of memory grants windows */
};

#define DXA_UUID_LEN 16
#define DXA_POLICY_MAX_IDS 8

struct dxa_hdr {
	uint32_t magic;
	uint16_t version;
	uint16_t type;
	uint32_t length; /* header + body, bytes */
	uint32_t seq;    /* request id, echoed; 0 for events */
};

/* DXA_GROUP_CREATE */
struct dxa_group_create {
	uint8_t token[DXA_UUID_LEN];
	uint8_t domain_id[DXA_UUID_LEN];
	uint8_t dev_class;     /* enum dxa_class of the creator's device */
	uint8_t reserved[7];
};

/* DXA_GROUP_JOIN */
struct dxa_group_join {
	uint8_t token[DXA_UUID_LEN];
	uint8_t domain_id[DXA_UUID_LEN];
	int16_t group_id;
	uint8_t dev_class;
	uint8_t reserved[5];
};

/* DXA_GROUP_LEAVE, DXA_GROUP_DESTROY: the connection's own membership. */
struct dxa_group_ref {
	int16_t group_id;
	uint8_t reserved[6];
};

/* DXA_HANDLER_GET */
struct dxa_handler_get {
	uint8_t domain_id[DXA_UUID_LEN];
	int16_t group_id;
	uint8_t reserved[6];
};

/* Reply to GROUP_CREATE, GROUP_JOIN, HANDLER_GET (and status-only ones). */
struct dxa_reply_group {
	int32_t status;
	int16_t group_id;
	uint16_t handler;
};

/* A token's policy, as issued and as listed. */
struct dxa_policy {
	uint64_t expires;      /* CLOCK_REALTIME seconds; 0: never */
	uint32_t max_members;  /* concurrent members admitted; 0: no limit */
	uint8_t dev_class;     /* enum dxa_class */
	uint8_t nb_uids;       /* 0: any uid */
	uint8_t nb_gids;       /* 0: any gid */
	uint8_t reserved;
	uint32_t uids[DXA_POLICY_MAX_IDS];
	uint32_t gids[DXA_POLICY_MAX_IDS];
};

/* DXA_TOKEN_ISSUE */
struct dxa_token_issue {
	struct dxa_policy policy;
};

/* Reply to DXA_TOKEN_ISSUE: the only message that carries a secret out. */
struct dxa_reply_token_issue {
	int32_t status;
	uint32_t reserved;
	uint8_t token_id[DXA_UUID_LEN];
	uint8_t secret[DXA_UUID_LEN];
};

/* DXA_TOKEN_LIST, DXA_GROUP_LIST: entry @index of the current table. */
struct dxa_list_req {
	uint32_t index;
	uint32_t reserved;
};

/* Reply to DXA_TOKEN_LIST: one token, never its secret. */
struct dxa_reply_token_list {
	int32_t status;       /* -ENOENT past the end */
	uint32_t total;
	uint8_t token_id[DXA_UUID_LEN];
	struct dxa_policy policy;
	uint64_t created;     /* CLOCK_REALTIME seconds */
	uint64_t uses;        /* successful create/join with it */
	uint32_t members;     /* members it currently admits */
	uint32_t reserved;
};

/* DXA_TOKEN_REVOKE */
struct dxa_token_revoke {
	uint8_t token_id[DXA_UUID_LEN];
};

/* Reply to DXA_GROUP_LIST */
struct dxa_reply_group_list {
	int32_t status;       /* -ENOENT past the end */
	uint32_t total;
	int16_t group_id;
	uint16_t nb_members;
	uint32_t reserved;
	uint8_t token_id[DXA_UUID_LEN];
	uint64_t created;
};

/* DXA_GROUP_SHOW: member @index of a group. */
struct dxa_group_show {
	int16_t group_id;
	uint16_t reserved;
	uint32_t index;
};

/* Reply to DXA_GROUP_SHOW */
struct dxa_reply_group_show {
	int32_t status;       /* -ENOENT: no such group, or past the end */
	uint32_t total;
	uint8_t domain_id[DXA_UUID_LEN];
	int32_t pid;
	uint32_t uid;
	uint32_t gid;
	uint16_t handler;
	uint8_t creator;      /* 1 for the group's creator */
	uint8_t dev_class;
};

/* DXA_EVENT */
struct dxa_event {
	int16_t group_id;
	uint16_t event;       /* enum dxa_event_type */
	uint16_t handler;     /* the departed member's; 0 for DESTROYED */
	uint16_t reserved;
	uint8_t domain_id[DXA_UUID_LEN];
};

/* Permissions of a window: what the owner lets peers do. */
#define DXA_PERM_READ 1u  /* peers may read: a source of their copies */
#define DXA_PERM_WRITE 2u /* peers may write: a destination */
#define DXA_PERM_ALL (DXA_PERM_READ | DXA_PERM_WRITE)

/*
 * Windows: addresses and lengths. base is in the owner's address space
 * (its IOVA) and, like offset, a multiple of 4 KiB; base + len stays below
 * 2^48 (the translation index covers 48-bit addresses).
 */
#define DXA_MEM_ALIGN 4096u
#define DXA_MEM_ADDR_LIMIT (UINT64_C(1) << 48)

/*
 * DXA_MEM_EXPORT: share a window with every member of every group of this
 * connection, now and later. Exactly one fd rides with it: a sealed memfd
 * (F_SEAL_SHRINK | F_SEAL_GROW), a hugetlbfs file or a dma-buf; opened
 * read-write when perm has DXA_PERM_WRITE, read-only otherwise.
 */
struct dxa_mem_export {
	uint64_t base;     /* owner address of the window's first byte */
	uint64_t len;      /* bytes, > 0 */
	uint64_t offset;   /* of the first byte in the fd */
	uint32_t mem_id;   /* chosen by the exporter: non-zero, unique per conn */
	uint32_t perm;     /* DXA_PERM_*, not 0 */
};

/* DXA_MEM_UNEXPORT: the reply comes once every receiver has unmapped it. */
struct dxa_mem_ref {
	uint32_t mem_id;
	uint32_t reserved;
};

/* DXA_MEM_RELEASED (one-way): window @mem_id of owner @handler is gone. */
struct dxa_mem_released {
	uint16_t handler;
	uint16_t reserved;
	uint32_t mem_id;
};

/* Reply to DXA_MEM_EXPORT, DXA_MEM_UNEXPORT. */
struct dxa_reply_status {
	int32_t status;
	uint32_t reserved;
};

enum dxa_mem_event_type {
	DXA_MEM_ADD = 0, /* carries the fd */
	DXA_MEM_DEL = 1, /* answer with DXA_MEM_RELEASED once unmapped */
};

/* DXA_MEM_EVENT */
struct dxa_mem_event {
	int16_t group_id;
	uint16_t event;     /* enum dxa_mem_event_type */
	uint16_t handler;   /* the owner's handler in that group */
	uint16_t reserved;
	uint32_t mem_id;
	uint32_t perm;
	uint64_t base;
	uint64_t len;
	uint64_t offset;
	uint32_t owner_uid; /* the owner's uid, from the kernel */
	uint32_t reserved2;
};

/*
 * DXA_GRANT_CREATE: the owner (no device needed) grants window @win of its
 * memory to domain @grantee alone. The fd of @win rides with it, as with
 * DXA_MEM_EXPORT. The reply (struct dxa_reply_group) names the grant by
 * its handler; group_id is the grant's own group in the broker.
 */
struct dxa_grant_create {
	uint8_t token[DXA_UUID_LEN];
	uint8_t owner[DXA_UUID_LEN];   /* the owner's domain id */
	uint8_t grantee[DXA_UUID_LEN]; /* the only domain that may attach */
	struct dxa_mem_export win;
};

/*
 * DXA_GRANT_ATTACH: the grantee attaches grant @handler to a device of
 * class @dev_class. The window comes before the reply (struct
 * dxa_reply_group: the grant's group and the grantee's own handler).
 */
struct dxa_grant_attach {
	uint8_t token[DXA_UUID_LEN];
	uint8_t domain_id[DXA_UUID_LEN];
	uint16_t handler;
	uint8_t dev_class;
	uint8_t reserved[5];
};

/* DXA_GRANT_REVOKE: answered once the grantee has unmapped the window. */
struct dxa_grant_ref {
	uint16_t handler;
	uint16_t reserved;
	uint32_t reserved2;
};

/* Reply to DXA_GRANT_LIST (request: struct dxa_list_req); no secret. */
struct dxa_reply_grant_list {
	int32_t status;       /* -ENOENT past the end */
	uint32_t total;
	uint8_t owner[DXA_UUID_LEN];
	uint8_t grantee[DXA_UUID_LEN];
	uint64_t len;
	int32_t owner_pid;
	uint32_t owner_uid;
	uint32_t perm;        /* DXA_PERM_* */
	uint16_t handler;
	uint8_t attached;     /* 1 once the grantee attached it */
	uint8_t reserved;
};

/*
 * Whether @fd may back a window of @len bytes at @offset with @perm: a
 * memfd sealed against shrinking and growing, a hugetlbfs file or a
 * dma-buf, big enough, opened with the access @perm needs. Sets
 * *sealed when the kernel guarantees that nobody can shrink it (a sealed
 * memfd, or a dma-buf whose size is fixed). Returns 0, or -EPERM (an
 * unsealed memfd), -EBADF (not a memfd, hugetlbfs file or dma-buf),
 * -ERANGE (too small), -EACCES (access mode does not match perm),
 * -ENODEV (a dma-buf whose exporter refuses a shared CPU mapping with
 * that access).
 */
int dxa_mem_fd_check(int fd, uint64_t offset, uint64_t len, uint32_t perm,
		bool *sealed);

/*
 * Check a received message of @len bytes. @from_broker selects the
 * direction: requests are valid only towards the broker, replies and
 * events only from it. Returns 0 or a negative errno (-EPROTO for any
 * violation, -EMSGSIZE for a bad length).
 */
int dxa_msg_check(const void *msg, size_t len, int from_broker);

/* Exact body size of a message type (request, reply or event), or -1. */
int dxa_body_size(uint16_t type);

/*
 * Whether a token policy is well formed: known class, counts within their
 * arrays, unused entries and reserved fields zero (one encoding each).
 */
bool dxa_policy_valid(const struct dxa_policy *p);

/* Fill a header for a body of @body_len bytes. */
void dxa_hdr_init(struct dxa_hdr *h, uint16_t type, uint32_t seq,
		size_t body_len);

/* The body of a checked message. */
static inline const void *
dxa_body(const void *msg)
{
	return (const uint8_t *)msg + sizeof(struct dxa_hdr);
}

#endif /* DMA_ACCESS_PROTO_H */
