/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-dma-xd authors
 */

#ifndef DMA_ACCESS_BROKER_H
#define DMA_ACCESS_BROKER_H

/*
 * The access broker: keeps tokens, groups, members and handlers, and tells
 * members when others leave. The same code runs in the daemon
 * (dpdk-dma-access daemon) and, embedded, on a thread of a group creator's
 * process. Internal to the project; exported to the daemon only.
 *
 * One thread runs dxa_broker_run(): an epoll loop over the listening socket
 * and every connection, so broker state needs no lock. A connection is a
 * lease: when it closes, for any reason, the broker removes its
 * memberships at once and notifies the other members.
 */

#include <stdint.h>
#include <sys/types.h>

#include "dma_access_proto.h"

struct dxa_broker;

/*
 * Limits. Every resource a peer can make the broker (or another member)
 * hold is bounded per connection, per uid and in total; 0 in a field
 * selects its default. The administrator (uid 0 or the broker's own uid)
 * has connection slots of its own that no other uid can take, and the
 * descriptors of windows are budgeted so that they never eat into those.
 */
struct dxa_broker_conf {
	const char *socket_path;  /* bound by dxa_broker_create() */
	const char *state_path;   /* token file; NULL keeps tokens in memory */
	mode_t socket_mode;       /* e.g. 0666 daemon, 0600 embedded */
	uint32_t max_groups;      /* 0: default */
	uint32_t max_members;     /* per group; 0: default */
	uint32_t max_conns;       /* in total, admin reserve included */
	uint32_t msg_rate;        /* messages/s per connection; 0: default */
	uint32_t admin_conns;     /* slots of max_conns only admins may use */
	uint32_t max_conns_uid;   /* connections of one (non-admin) uid */
	uint32_t max_groups_uid;  /* groups and grants one uid creates */
	uint32_t max_groups_token; /* groups and grants of one token */
	uint32_t max_exports;     /* windows one connection exports */
	uint32_t max_exports_uid; /* windows one uid exports (descriptors) */
	uint32_t max_export_fds;  /* windows of everyone (descriptors) */
	uint64_t max_window_bytes_uid; /* bytes of the windows of one uid */
	uint32_t max_windows_recv; /* windows one connection is sent */
	uint32_t auth_fail_rate;  /* failed token checks/s of all uids */
	int logtype;              /* rte_log type for the broker's lines */
};

#define DXA_DEFAULT_MAX_GROUPS 1024
#define DXA_DEFAULT_MAX_MEMBERS 64
#define DXA_DEFAULT_MAX_CONNS 1024
#define DXA_DEFAULT_MSG_RATE 20000
#define DXA_DEFAULT_ADMIN_CONNS 16
#define DXA_DEFAULT_MAX_CONNS_UID 64
#define DXA_DEFAULT_MAX_GROUPS_UID 64
#define DXA_DEFAULT_MAX_GROUPS_TOKEN 64
#define DXA_DEFAULT_MAX_EXPORTS 4096
#define DXA_DEFAULT_MAX_EXPORTS_UID 8192
#define DXA_DEFAULT_MAX_EXPORT_FDS 16384
#define DXA_DEFAULT_MAX_WINDOW_BYTES_UID (UINT64_C(1) << 40)
/*
 * An eighth of the kernel's default vm.max_map_count (65,530): a member
 * keeps room for its own mappings whatever its peers export.
 */
#define DXA_DEFAULT_MAX_WINDOWS_RECV 8192
#define DXA_DEFAULT_AUTH_FAIL_RATE 50
/* Failed token checks a uid may make per second before -EAGAIN. */
#define DXA_AUTH_FAIL_BURST 5
/*
 * A uid with a failed token check in this many seconds gets its new
 * connections on probation: see token_check() in the broker.
 */
#define DXA_AUTH_MEMORY_S 60
/*
 * Descriptors the broker keeps beyond its connections and windows:
 * stdio, listening socket, epoll, eventfd, token file, lock, and those
 * a message brings before it is refused.
 */
#define DXA_SPARE_FDS 64
/* Messages queued to a peer beyond which the broker stops reading it. */
#define DXA_OUT_PAUSE 64

/*
 * Create a broker listening on conf->socket_path (a stale socket nobody
 * listens on is replaced; a live one gives -EADDRINUSE). Returns NULL and
 * *err on failure.
 */
struct dxa_broker *dxa_broker_create(const struct dxa_broker_conf *conf,
		int *err);

/*
 * Add a token with a caller-chosen secret (the embedded broker registers
 * its creator's token this way). Call before dxa_broker_run().
 */
int dxa_broker_token_add(struct dxa_broker *b, const uint8_t secret[16],
		const struct dxa_policy *policy);

/*
 * The limits @b applies: its configuration with every default filled in
 * and max_export_fds as RLIMIT_NOFILE allowed.
 */
void dxa_broker_limits(const struct dxa_broker *b,
		struct dxa_broker_conf *conf);

/* Serve until dxa_broker_stop(). Returns 0, or a negative errno. */
int dxa_broker_run(struct dxa_broker *b);

/* Make dxa_broker_run() return; safe from any thread or signal handler. */
void dxa_broker_stop(struct dxa_broker *b);

/* Close every connection, unlink the socket, free everything. */
void dxa_broker_destroy(struct dxa_broker *b);

/*
 * Handle one message of the broker's one socketless connection (peer
 * @uid, @gid, @pid) exactly as the loop would: replies and events are
 * dropped. @fd is the descriptor that came with the message, or -1; the
 * broker keeps or closes it. For the fuzz target, which must reach the
 * dispatcher the same way a peer does. Returns 0, or a negative errno
 * when the connection would be closed.
 */
int dxa_broker_feed(struct dxa_broker *b, const void *msg, size_t len,
		int fd, uid_t uid, gid_t gid, pid_t pid);

/*
 * Default socket path: $RTE_DMA_ACCESS_SOCKET if set; as root
 * /run/dpdk/dma-access.sock; else $XDG_RUNTIME_DIR/dpdk/dma-access.sock;
 * else /tmp/dpdk-dma-access-<uid>/dma-access.sock. Returns 0, or -ENAMETOOLONG.
 */
int dxa_default_socket_path(char *buf, size_t len);

#endif /* DMA_ACCESS_BROKER_H */
