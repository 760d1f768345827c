/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-dma-xd authors
 */

/*
 * The access broker. Single-threaded: dxa_broker_run() owns every piece of
 * state, so nothing here locks. Peer identity is the kernel's (SO_PEERCRED,
 * SO_PEERGROUPS), never a field of a message.
 *
 * Memory windows: a connection's exports are relayed, descriptor and all,
 * to every member of every group it is in. Each export records whom it
 * was sent to, as (receiver, owner's handler in their common group); that
 * record is what an UNEXPORT waits on, and it only ever names current
 * co-members: leaving a group, or closing, takes a peer out of it.
 */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_log.h>

#include "dma_access_broker.h"
#include "dma_access_conn.h"
#include "dma_access_tokens.h"
#include "dma_access_log.h"

#define BLOG(b, level, fmt, ...) \
	rte_log(RTE_LOG_ ## level, (b)->logtype, fmt "\n", ##__VA_ARGS__)
#define BLOG_RL(b, level, fmt, ...) \
	DXA_LOG_RL_TYPE(level, (b)->logtype, fmt, ##__VA_ARGS__)

#define GROUP_IDS (INT16_MAX + 1)
#define HANDLERS (UINT16_MAX + 1)
#define CONN_MAX_GIDS 64
/* uid accounts beyond those of connected uids: see uid_acct_get(). */
#define UID_ACCTS_SPARE 1024

enum handler_state {
	HANDLER_FREE = 0,
	HANDLER_USED,
	HANDLER_QUARANTINE, /* released; an old holder may still use it */
};

/*
 * Bound of one peer's queue of unsent messages. Replies add at most
 * DXA_OUT_PAUSE to it (past that the broker stops reading the peer); a
 * join may relay at once every window the peer may be sent
 * (max_windows_recv), which it reads only after that; events of groups
 * come on top. A peer that lets more pile up does not read: dropped.
 */
#define OUT_MAX_MSGS(b) ((b)->conf.max_windows_recv + 4 * DXA_OUT_PAUSE)
/* A window event, the largest message queued in numbers, and its record. */
#define OUT_MSG_COST 128
/* Descriptors a message may bring that are told apart from one. */
#define RX_FDS_MAX 8
/* do_unexport(): the reply waits for the receivers. */
#define REPLY_LATER 1

/*
 * A window's descriptor. The export holds a reference, and so does each
 * queued message that carries it: counting them, rather than dup()ing
 * per queued message, keeps a join that relays thousands of windows to a
 * slow reader from costing thousands of descriptors.
 */
struct mem_file {
	int fd;
	uint32_t refs;
	/*
	 * Counted while the descriptor is open, which may be after its
	 * export went (a queued message still carries it): the budgets are
	 * of descriptors and memory the broker really holds.
	 */
	struct dxa_broker *b;
	struct uid_acct *acct;
	uint64_t len;
};

/* A message its peer has not taken yet: see conn_send(). */
struct out_msg {
	struct out_msg *next;
	struct mem_file *file;   /* rides with it, or NULL */
	uint32_t len;
	uint8_t data[];
};

/* A member that was sent a window: see mem_add(). */
struct mem_recv {
	struct conn *conn;
	uint16_t handler;        /* the owner's, in their common group */
	int16_t group_id;
	bool owes;               /* sent the DEL; its RELEASED is due */
};

/* A window a connection exports. */
struct mem_export {
	struct dxa_mem_export desc;
	struct mem_file *file;
	struct mem_recv *recv;   /* who was sent it */
	uint32_t nb_recv;
	uint32_t cap_recv;
	uint32_t unexport_seq;   /* of the UNEXPORT waiting for receivers */
	bool removing;           /* an UNEXPORT waits for receivers */
	/*
	 * The grant group it is for (sent to its grantee only), or -1: every
	 * group of its connection but grants. A grant's window is removed
	 * by a GRANT_REVOKE, never by an UNEXPORT.
	 */
	int16_t scope;
};

/* A handler a peer may still hold, in the handler's epoch of release. */
struct hold {
	uint16_t handler;
	uint16_t epoch;
};

/*
 * What one uid holds, while it has a connection or something to remember
 * (a recent failed token check): the per-uid bounds are checked here.
 */
struct uid_acct {
	uid_t uid;
	uint32_t conns;
	uint32_t groups;         /* groups and grants it created */
	uint32_t exports;        /* descriptors held for its windows */
	uint64_t export_bytes;
	uint64_t fail_window;    /* failed token checks: current second */
	uint32_t fails;          /* in it */
	bool failed;             /* ever; last_fail is then valid */
	uint64_t last_fail;      /* monotonic s */
};

struct conn {
	int fd;                  /* -1 for dxa_broker_feed() */
	pid_t pid;
	uid_t uid;
	struct uid_acct *acct;
	/*
	 * Token checks of this connection skip the rate limits: it came
	 * while its uid had no failed check in DXA_AUTH_MEMORY_S, and has
	 * failed none. See token_check().
	 */
	bool auth_clean;
	bool admin;
	uint32_t ev_mask;        /* what epoll watches for it */
	uint32_t nb_recv;        /* windows it was sent and still has */
	uint32_t recv_more;      /* do_export(): windows it is to be sent */
	gid_t gids[CONN_MAX_GIDS];
	unsigned int nb_gids;
	uint64_t window;         /* rate limit: current second */
	uint32_t msgs;           /* messages in that second */
	struct hold *held;       /* quarantined handlers this peer may hold */
	uint32_t nb_held;
	uint32_t cap_held;
	uint32_t nb_groups;      /* memberships */
	struct mem_export *exports;
	uint32_t nb_exports;
	uint32_t cap_exports;
	uint32_t nb_owed;        /* RELEASED this peer owes */
	struct out_msg *out_head; /* unsent, oldest first */
	struct out_msg *out_last;
	uint32_t nb_out;
	size_t out_bytes;        /* what the queue costs, headers included */
	bool dead;               /* to be closed: it failed to take a message */
	struct conn *next;       /* all connections */
};

struct member {
	struct conn *conn;
	uint8_t domain_id[DXA_UUID_LEN];
	uint16_t handler;
	uint8_t dev_class;
	bool creator;
};

struct group {
	int16_t id;
	uint8_t token_id[DXA_UUID_LEN];
	uint64_t created;
	/*
	 * A Class B grant: members[0] is the owner (no device), the only
	 * possible joiner the grantee domain, and the only window the one
	 * export of the owner scoped to this group (grant_mem).
	 */
	bool grant;
	bool revoked;            /* its window is gone: to be destroyed */
	uint8_t grantee[DXA_UUID_LEN];
	uint32_t grant_mem;
	uint32_t nb_members;
	struct member members[]; /* max_members; members[0] is the creator */
};

struct dxa_broker {
	struct dxa_broker_conf conf;
	char *socket_path;
	int listen_fd;
	int epoll_fd;
	int stop_fd;             /* eventfd: dxa_broker_stop() */
	int spare_fd;            /* given up to accept-and-close at EMFILE */
	int logtype;
	struct dxa_token_store tokens;
	struct conn *conns;
	uint32_t nb_conns;
	struct group **group_by_id;  /* GROUP_IDS entries */
	uint32_t nb_groups;
	int16_t next_group;
	uint8_t *handler_state;      /* HANDLERS entries */
	uint32_t *handler_holders;   /* quarantine: peers that may hold it */
	uint64_t *handler_released;  /* quarantine: when (monotonic s) */
	uint16_t *handler_epoch;     /* bumped when a quarantine is cut short */
	struct conn **handler_conn;  /* the member holding each used handler */
	uint16_t next_handler;
	uint32_t nb_grants;          /* groups that are grants */
	uint32_t nb_revoked;         /* grants waiting for grant_sweep() */
	uint64_t flushed;            /* when use counts were last written */
	struct uid_acct **accts;     /* nb_accts of cap_accts */
	uint32_t nb_accts;
	uint32_t cap_accts;
	uint32_t nb_export_fds;      /* descriptors held for windows */
	uint64_t auth_window;        /* failed token checks of everyone: */
	uint32_t auth_fails;         /* in this second */
	struct uid_acct feed_acct;
	struct conn feed_conn;       /* dxa_broker_feed()'s peer */
};

static uint64_t
now_realtime(void)
{
	return (uint64_t)time(NULL);
}

static uint64_t
now_mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (uint64_t)ts.tv_sec;
}

int
dxa_default_socket_path(char *buf, size_t len)
{
	const char *env = getenv("RTE_DMA_ACCESS_SOCKET");
	const char *xdg;
	int n;

	if (env != NULL && env[0] != '\0')
		n = snprintf(buf, len, "%s", env);
	else if (geteuid() == 0)
		n = snprintf(buf, len, "/run/dpdk/dma-access.sock");
	else if ((xdg = getenv("XDG_RUNTIME_DIR")) != NULL && xdg[0] == '/')
		n = snprintf(buf, len, "%s/dpdk/dma-access.sock", xdg);
	else
		n = snprintf(buf, len, "/tmp/dpdk-dma-access-%u/dma-access.sock",
			(unsigned int)geteuid());
	if (n < 0 || (size_t)n >= len)
		return -ENAMETOOLONG;
	return 0;
}

/* ---- uid accounts ---- */

static bool
uid_acct_idle(const struct uid_acct *a, uint64_t now)
{
	return a->conns == 0 && a->groups == 0 && a->exports == 0 &&
		(!a->failed || a->last_fail + DXA_AUTH_MEMORY_S <= now);
}

/*
 * The account of @uid, made if there is none. The table holds the uids
 * with a connection and those remembered for a failed token check: at
 * most max_conns + UID_ACCTS_SPARE entries, none evicted while it counts
 * anything. NULL when it is full of such (or out of memory).
 */
static struct uid_acct *
uid_acct_get(struct dxa_broker *b, uid_t uid)
{
	uint64_t now = now_mono_s();
	struct uid_acct *a, **n;
	uint32_t i;

	for (i = 0; i < b->nb_accts; i++)
		if (b->accts[i]->uid == uid)
			return b->accts[i];
	for (i = 0; i < b->nb_accts;) {
		if (uid_acct_idle(b->accts[i], now)) {
			free(b->accts[i]);
			b->accts[i] = b->accts[--b->nb_accts];
		} else {
			i++;
		}
	}
	if (b->nb_accts >= b->conf.max_conns + UID_ACCTS_SPARE)
		return NULL;
	if (b->nb_accts == b->cap_accts) {
		uint32_t cap = b->cap_accts ? b->cap_accts * 2 : 64;

		n = realloc(b->accts, cap * sizeof(*n));
		if (n == NULL)
			return NULL;
		b->accts = n;
		b->cap_accts = cap;
	}
	a = calloc(1, sizeof(*a));
	if (a == NULL)
		return NULL;
	a->uid = uid;
	b->accts[b->nb_accts++] = a;
	return a;
}

static void
mem_file_closed(struct mem_file *f)
{
	f->b->nb_export_fds--;
	f->acct->exports--;
	f->acct->export_bytes -= f->len;
}

/* ---- sending ---- */

static struct mem_file *
mem_file_get(struct mem_file *f)
{
	f->refs++;
	return f;
}

static void mem_file_closed(struct mem_file *f);

static void
mem_file_put(struct mem_file *f)
{
	if (f == NULL || --f->refs > 0)
		return;
	close(f->fd);
	mem_file_closed(f);
	free(f);
}

/*
 * One non-blocking send, with descriptor @pass_fd if not -1. Returns 0,
 * -EAGAIN when the peer is full, or -errno.
 */
static int
conn_write(int fd, const uint8_t *msg, size_t len, int pass_fd)
{
	union dxa_fd_control ctl;
	struct iovec iov = {
		.iov_base = (void *)(uintptr_t)msg, .iov_len = len,
	};
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t n;

	if (pass_fd >= 0)
		dxa_conn_attach_fd(&mh, &ctl, pass_fd);
	do {
		n = sendmsg(fd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL);
	} while (n < 0 && errno == EINTR);
	return n < 0 ? -errno : 0;
}

/*
 * Whether the broker reads @c: not while DXA_OUT_PAUSE messages wait for
 * it. A peer that sends requests and never reads the replies then fills
 * its own socket, not the broker's memory.
 */
static bool
conn_reading(const struct conn *c)
{
	return c->nb_out < DXA_OUT_PAUSE;
}

/*
 * Ask epoll for EPOLLOUT exactly while @c has something queued, and for
 * EPOLLIN while the broker reads it.
 */
static int
conn_watch(struct dxa_broker *b, struct conn *c)
{
	struct epoll_event ev = {
		.events = EPOLLRDHUP | (conn_reading(c) ? EPOLLIN : 0) |
			(c->out_head != NULL ? EPOLLOUT : 0),
		.data.ptr = c,
	};

	if (c->fd < 0 || ev.events == c->ev_mask)
		return 0;
	if (epoll_ctl(b->epoll_fd, EPOLL_CTL_MOD, c->fd, &ev) != 0)
		return -errno;
	c->ev_mask = ev.events;
	return 0;
}

static size_t
out_msg_cost(const struct out_msg *m)
{
	return sizeof(*m) + m->len;
}

static void
out_msg_free(struct out_msg *m)
{
	mem_file_put(m->file);
	free(m);
}

static int
conn_queue(struct dxa_broker *b, struct conn *c, const uint8_t *msg,
		size_t len, struct mem_file *file)
{
	struct out_msg *m;
	int ret;

	if (c->nb_out >= OUT_MAX_MSGS(b) ||
			c->out_bytes + sizeof(*m) + len >
			(size_t)OUT_MAX_MSGS(b) * OUT_MSG_COST)
		return -EAGAIN;
	m = malloc(sizeof(*m) + len);
	if (m == NULL)
		return -ENOMEM;
	m->next = NULL;
	m->file = NULL;
	m->len = (uint32_t)len;
	memcpy(m->data, msg, len);
	if (c->out_head == NULL)
		c->out_head = m;
	else
		c->out_last->next = m;
	c->out_last = m;
	c->nb_out++;
	c->out_bytes += out_msg_cost(m);
	if (file != NULL)
		m->file = mem_file_get(file);
	/* Queued either way: a failure marks the peer dead, which frees it. */
	ret = conn_watch(b, c);
	return ret;
}

static void
conn_queue_free(struct conn *c)
{
	struct out_msg *m;

	while ((m = c->out_head) != NULL) {
		c->out_head = m->next;
		out_msg_free(m);
	}
	c->out_last = NULL;
	c->nb_out = 0;
	c->out_bytes = 0;
}

/*
 * Replies and events never block the broker and are never lost while the
 * peer reads: what its socket buffer cannot take waits in its queue, in
 * order, and goes out when epoll says the socket is writable. Once
 * anything waits, everything after it waits too, or a later message
 * could overtake an earlier one (a reply its window events). A peer whose
 * queue reaches its bound does not read what it is sent: -EAGAIN, and the
 * caller drops it. @file, if not NULL, rides with the message.
 */
static int
conn_send_file(struct dxa_broker *b, struct conn *c, uint16_t type,
		uint32_t seq, const void *body, size_t len, struct mem_file *file)
{
	uint8_t msg[DXA_MSG_MAX];
	struct dxa_hdr h;
	int ret;

	if (c->fd < 0)
		return 0;
	if (c->dead)
		return -EPIPE;
	dxa_hdr_init(&h, type, seq, len);
	memcpy(msg, &h, sizeof(h));
	memcpy(msg + sizeof(h), body, len);
	if (c->out_head == NULL) {
		ret = conn_write(c->fd, msg, sizeof(h) + len,
			file != NULL ? file->fd : -1);
		if (ret != -EAGAIN)
			return ret;
	}
	return conn_queue(b, c, msg, sizeof(h) + len, file);
}

static int
conn_send(struct dxa_broker *b, struct conn *c, uint16_t type, uint32_t seq,
		const void *body, size_t len)
{
	return conn_send_file(b, c, type, seq, body, len, NULL);
}

/* Mark @c to be closed because sending to it failed with @err. */
static void
conn_drop(struct dxa_broker *b, struct conn *c, int err)
{
	if (c->dead)
		return;
	/* A peer that exited is closed anyway; one that stalls is not. */
	if (err == -EAGAIN)
		BLOG_RL(b, WARNING, "member pid %d does not read its events: dropped",
			(int)c->pid);
	/* The kernel bounds descriptors in flight by our RLIMIT_NOFILE. */
	if (err == -ETOOMANYREFS)
		BLOG_RL(b, WARNING, "member pid %d leaves too many windows unread: dropped",
			(int)c->pid);
	c->dead = true;
}

/* Send what @c's queue holds, in order, until its socket is full. */
static void
conn_flush(struct dxa_broker *b, struct conn *c)
{
	struct out_msg *m;
	int ret;

	while ((m = c->out_head) != NULL) {
		ret = conn_write(c->fd, m->data, m->len,
			m->file != NULL ? m->file->fd : -1);
		if (ret == -EAGAIN)
			break;
		if (ret != 0) {
			conn_drop(b, c, ret);
			return;
		}
		c->out_head = m->next;
		c->nb_out--;
		c->out_bytes -= out_msg_cost(m);
		out_msg_free(m);
		if (c->out_head == NULL)
			c->out_last = NULL;
	}
	/* Reads again once the peer caught up; EPOLLOUT while any is left. */
	ret = conn_watch(b, c);
	if (ret != 0)
		conn_drop(b, c, ret);
}

/* ---- handlers ---- */

/*
 * A quarantined handler may be reused early only when nothing else is
 * left, and only this long after its release: every member got the event
 * that made it dead milliseconds after the release, and its driver stopped
 * using it then. Without this, one long-lived member watching others join
 * and leave would pin all 65,535 handlers and deny every create and join.
 */
#define HANDLER_QUARANTINE_MIN_S 10

static uint16_t
handler_alloc(struct dxa_broker *b)
{
	uint64_t oldest = UINT64_MAX, now;
	uint16_t reuse = 0;
	uint32_t i;

	for (i = 0; i < UINT16_MAX; i++) {
		uint16_t h = b->next_handler;

		b->next_handler = h == UINT16_MAX ? 1 : h + 1;
		if (b->handler_state[h] == HANDLER_FREE) {
			b->handler_state[h] = HANDLER_USED;
			return h;
		}
	}
	now = now_mono_s();
	for (i = 1; i <= UINT16_MAX; i++) {
		if (b->handler_state[i] == HANDLER_QUARANTINE &&
				b->handler_released[i] < oldest) {
			oldest = b->handler_released[i];
			reuse = (uint16_t)i;
		}
	}
	if (reuse == 0 || oldest + HANDLER_QUARANTINE_MIN_S > now)
		return 0;
	/* Holds recorded before now belong to the old epoch: ignored. */
	b->handler_epoch[reuse]++;
	b->handler_holders[reuse] = 0;
	b->handler_state[reuse] = HANDLER_USED;
	BLOG_RL(b, NOTICE, "handlers exhausted: handler %u reused after %" PRIu64 " s of quarantine",
		reuse, now - oldest);
	return reuse;
}

static int
conn_hold(struct dxa_broker *b, struct conn *c, uint16_t h)
{
	if (c->nb_held == c->cap_held) {
		uint32_t cap = c->cap_held ? c->cap_held * 2 : 8;
		struct hold *n = realloc(c->held, cap * sizeof(*n));

		if (n == NULL)
			return -ENOMEM;
		c->held = n;
		c->cap_held = cap;
	}
	c->held[c->nb_held++] = (struct hold){
		.handler = h, .epoch = b->handler_epoch[h],
	};
	return 0;
}

/*
 * A released handler is not handed out again while any peer that could
 * have learnt it is connected: the members of its group at release time.
 * Each of them keeps it in its held list, and the handler is free once the
 * last of them has disconnected. A peer that cannot record it (no memory)
 * leaves the handler quarantined for the broker's lifetime: safe.
 */
static void
handler_release(struct dxa_broker *b, struct group *g, uint16_t h)
{
	uint32_t i, holders = 0;

	b->handler_conn[h] = NULL;
	for (i = 0; i < g->nb_members; i++) {
		if (conn_hold(b, g->members[i].conn, h) == 0)
			holders++;
		else
			holders = UINT32_MAX / 2;
	}
	if (holders == 0) {
		b->handler_state[h] = HANDLER_FREE;
		return;
	}
	b->handler_state[h] = HANDLER_QUARANTINE;
	b->handler_holders[h] += holders;
	b->handler_released[h] = now_mono_s();
}

static void
conn_drop_holds(struct dxa_broker *b, struct conn *c)
{
	uint32_t i;

	for (i = 0; i < c->nb_held; i++) {
		uint16_t h = c->held[i].handler;

		/* A hold from before an early reuse no longer counts. */
		if (c->held[i].epoch != b->handler_epoch[h] ||
				b->handler_state[h] != HANDLER_QUARANTINE)
			continue;
		if (b->handler_holders[h] > 0 && --b->handler_holders[h] == 0)
			b->handler_state[h] = HANDLER_FREE;
	}
	free(c->held);
	c->held = NULL;
	c->nb_held = c->cap_held = 0;
}

/* ---- groups ---- */

static struct group *
group_get(struct dxa_broker *b, int16_t id)
{
	return id >= 0 ? b->group_by_id[id] : NULL;
}

static struct member *
group_member_of_conn(struct group *g, const struct conn *c)
{
	uint32_t i;

	for (i = 0; i < g->nb_members; i++)
		if (g->members[i].conn == c)
			return &g->members[i];
	return NULL;
}

static struct member *
group_member_of_domain(struct group *g, const uint8_t *domain_id)
{
	uint32_t i;

	for (i = 0; i < g->nb_members; i++)
		if (memcmp(g->members[i].domain_id, domain_id, DXA_UUID_LEN) == 0)
			return &g->members[i];
	return NULL;
}

static void
token_member_gone(struct dxa_broker *b, const struct group *g)
{
	struct dxa_token *t = dxa_tokens_find_id(&b->tokens, g->token_id);

	/* A revoked token has nobody left to count. */
	if (t != NULL && t->members > 0)
		t->members--;
}

/* ---- memory windows ---- */

/* The next group, from *pos on, that @c is in, with its member entry. */
static struct group *
conn_next_group(struct dxa_broker *b, const struct conn *c, uint32_t *pos,
		uint32_t *seen, struct member **m)
{
	while (*seen < c->nb_groups && *pos < GROUP_IDS) {
		struct group *g = b->group_by_id[(*pos)++];

		if (g != NULL && (*m = group_member_of_conn(g, c)) != NULL) {
			(*seen)++;
			return g;
		}
	}
	return NULL;
}

static int
export_find(const struct conn *c, uint32_t mem_id)
{
	uint32_t i;

	for (i = 0; i < c->nb_exports; i++)
		if (c->exports[i].desc.mem_id == mem_id)
			return (int)i;
	return -1;
}

/* Room for @more receivers of @e. */
static int
recv_reserve(struct mem_export *e, uint32_t more)
{
	uint32_t cap = e->cap_recv;
	struct mem_recv *n;

	if (e->nb_recv + more <= cap)
		return 0;
	cap = RTE_MAX(e->nb_recv + more, cap * 2);
	n = realloc(e->recv, cap * sizeof(*n));
	if (n == NULL)
		return -ENOMEM;
	e->recv = n;
	e->cap_recv = cap;
	return 0;
}

static void
recv_remove(struct mem_export *e, uint32_t j)
{
	if (e->recv[j].owes)
		e->recv[j].conn->nb_owed--;
	e->recv[j].conn->nb_recv--;
	e->recv[j] = e->recv[--e->nb_recv];
}

/* Whether @to may be sent @more windows: max_windows_recv, or -ENOSPC. */
static int
recv_room(struct dxa_broker *b, const struct conn *to, uint32_t more)
{
	if (to->nb_recv + more <= b->conf.max_windows_recv)
		return 0;
	BLOG_RL(b, NOTICE, "pid %d uid %u would be sent %u windows, more than %u: refused",
		(int)to->pid, (unsigned int)to->uid, to->nb_recv + more,
		b->conf.max_windows_recv);
	return -ENOSPC;
}

/* Forget export @idx of @c; its descriptor closes with its last message. */
static void
export_free(struct conn *c, uint32_t idx)
{
	struct mem_export *e = &c->exports[idx];

	while (e->nb_recv > 0)
		recv_remove(e, e->nb_recv - 1);
	mem_file_put(e->file);
	free(e->recv);
	c->exports[idx] = c->exports[--c->nb_exports];
}

static void
conn_forget_exports(struct conn *c)
{
	while (c->nb_exports > 0)
		export_free(c, c->nb_exports - 1);
	free(c->exports);
	c->exports = NULL;
	c->cap_exports = 0;
}

/*
 * An UNEXPORT is answered once nobody is left who may still map the
 * window: then the window goes. Returns whether export @idx of @owner
 * went (another one now has that index).
 */
static bool
export_settle(struct dxa_broker *b, struct conn *owner, uint32_t idx)
{
	struct mem_export *e = &owner->exports[idx];
	struct dxa_reply_status r = { .status = 0 };
	struct group *g;
	int ret;

	if (!e->removing || e->nb_recv > 0)
		return false;
	ret = conn_send(b, owner, e->scope >= 0 ?
		DXA_GRANT_REVOKE | DXA_REPLY : DXA_MEM_UNEXPORT | DXA_REPLY,
		e->unexport_seq, &r, sizeof(r));
	if (ret != 0)
		conn_drop(b, owner, ret);
	/*
	 * A revoked grant's group goes once nothing iterates over groups:
	 * grant_sweep(), at the end of the message or close that led here.
	 */
	g = e->scope >= 0 ? b->group_by_id[e->scope] : NULL;
	if (g != NULL && !g->revoked) {
		g->revoked = true;
		b->nb_revoked++;
	}
	export_free(owner, idx);
	return true;
}

static void
mem_event_fill(struct dxa_mem_event *ev, const struct mem_export *e,
		int16_t group_id, uint16_t handler, const struct conn *owner,
		uint16_t event)
{
	*ev = (struct dxa_mem_event){
		.group_id = group_id,
		.event = event,
		.handler = handler,
		.mem_id = e->desc.mem_id,
		.perm = e->desc.perm,
		.base = e->desc.base,
		.len = e->desc.len,
		.offset = e->desc.offset,
		.owner_uid = (uint32_t)owner->uid,
	};
}

/*
 * Send window @e of @owner, member @om of @g, to @to, and record it so
 * that an UNEXPORT reaches @to. The caller reserved the room: a window
 * sent is a window recorded. A receiver that cannot take it is dropped,
 * and not recorded.
 */
static void
mem_add(struct dxa_broker *b, struct conn *owner, struct mem_export *e,
		const struct group *g, const struct member *om, struct conn *to)
{
	struct dxa_mem_event ev;
	int ret;

	mem_event_fill(&ev, e, g->id, om->handler, owner, DXA_MEM_ADD);
	ret = conn_send_file(b, to, DXA_MEM_EVENT, 0, &ev, sizeof(ev),
		e->file);
	if (ret != 0) {
		conn_drop(b, to, ret);
		return;
	}
	e->recv[e->nb_recv++] = (struct mem_recv){
		.conn = to, .handler = om->handler, .group_id = g->id,
	};
	to->nb_recv++;
}

/*
 * Forget who was sent windows through @g: everyone when the group goes
 * (@who NULL), or what member @who gave and got through it when it leaves.
 * No DEL is sent: the receivers learn it from the group's own event and
 * drop those windows unasked. What is sent is the reply of an UNEXPORT
 * that waited only for them.
 */
static void
mem_group_unlink(struct dxa_broker *b, struct group *g,
		const struct conn *who)
{
	uint32_t i, j, k;

	for (i = 0; i < g->nb_members; i++) {
		const struct member *m = &g->members[i];
		struct conn *owner = m->conn;

		for (k = 0; k < owner->nb_exports;) {
			struct mem_export *e = &owner->exports[k];

			for (j = 0; j < e->nb_recv;) {
				const struct mem_recv *r = &e->recv[j];

				if (r->handler == m->handler &&
						(who == NULL || who == owner ||
						 r->conn == who))
					recv_remove(e, j);
				else
					j++;
			}
			if (!export_settle(b, owner, k))
				k++;
		}
	}
}

/*
 * Room for what a join into @g by @c will relay: each window of the others
 * gets one receiver more, each of @c's gets every other member. Made
 * before the join commits, so a join either relays everything or fails.
 */
/*
 * Whether export @e goes to the members of @g: a grant's window to its
 * grant only, every other window to every group but grants.
 */
static bool
export_for(const struct mem_export *e, const struct group *g)
{
	return g->grant ? e->scope == g->id : e->scope < 0;
}

/* Windows of @o that a member of @g is sent. */
static uint32_t
exports_for(const struct conn *o, const struct group *g)
{
	uint32_t k, n = 0;

	for (k = 0; k < o->nb_exports; k++)
		if (!o->exports[k].removing && export_for(&o->exports[k], g))
			n++;
	return n;
}

static int
mem_join_reserve(struct dxa_broker *b, struct group *g, struct conn *c)
{
	uint32_t i, k, in = 0, out = exports_for(c, g);
	int ret;

	/* Nobody is sent more windows than it may map: refused first. */
	for (i = 0; i < g->nb_members; i++) {
		struct conn *o = g->members[i].conn;

		in += exports_for(o, g);
		ret = recv_room(b, o, out);
		if (ret != 0)
			return ret;
	}
	ret = recv_room(b, c, in);
	if (ret != 0)
		return ret;
	for (i = 0; i < g->nb_members; i++) {
		struct conn *o = g->members[i].conn;

		for (k = 0; k < o->nb_exports; k++)
			if (export_for(&o->exports[k], g) &&
					recv_reserve(&o->exports[k], 1) != 0)
				return -ENOMEM;
	}
	for (k = 0; k < c->nb_exports; k++)
		if (export_for(&c->exports[k], g) &&
				recv_reserve(&c->exports[k], g->nb_members) != 0)
			return -ENOMEM;
	return 0;
}

/*
 * Joiner @jm and the other members of @g exchange their windows. Queued
 * before the join's reply: the joiner has every window when its join
 * returns, and each other member has the joiner's before any later reply
 * of its own. Windows being removed are not handed out again.
 */
static void
mem_join_relay(struct dxa_broker *b, struct group *g, const struct member *jm)
{
	struct conn *c = jm->conn;
	uint32_t i, k;

	for (i = 0; i < g->nb_members; i++) {
		const struct member *m = &g->members[i];

		if (m == jm)
			continue;
		for (k = 0; k < m->conn->nb_exports; k++)
			if (!m->conn->exports[k].removing &&
					export_for(&m->conn->exports[k], g))
				mem_add(b, m->conn, &m->conn->exports[k], g, m,
					c);
	}
	for (k = 0; k < c->nb_exports; k++) {
		if (c->exports[k].removing || !export_for(&c->exports[k], g))
			continue;
		for (i = 0; i < g->nb_members; i++)
			if (&g->members[i] != jm)
				mem_add(b, c, &c->exports[k], g, jm,
					g->members[i].conn);
	}
}

/*
 * Check descriptor @fd for window @req of @c and record it as an export of
 * scope @scope, with room for @nb_to receivers. Consumes @fd on failure
 * only; on success the export owns it.
 */
static int
export_add(struct dxa_broker *b, struct conn *c,
		const struct dxa_mem_export *req, int fd, bool fd_lost,
		int16_t scope, uint32_t nb_to, struct mem_export **out)
{
	struct uid_acct *a = c->acct;
	struct mem_recv *recv = NULL;
	struct mem_file *file = NULL;
	struct mem_export *e;
	bool sealed;
	uint32_t i;
	int ret;

	if (fd < 0)
		return fd_lost ? -EMFILE : -EBADF;
	ret = dxa_mem_fd_check(fd, req->offset, req->len, req->perm, &sealed);
	if (ret != 0)
		goto close_fd;
	/*
	 * The broker holds a descriptor per window: bounded per connection,
	 * per uid and in total, within what dxa_broker_create() set aside
	 * from RLIMIT_NOFILE for them, so windows never take the slots of
	 * connections (the administrator's among them).
	 */
	ret = -ENOSPC;
	if (c->nb_exports >= b->conf.max_exports) {
		BLOG_RL(b, NOTICE, "pid %d uid %u exports %u windows already: refused",
			(int)c->pid, (unsigned int)c->uid, c->nb_exports);
		goto close_fd;
	}
	if (b->nb_export_fds >= b->conf.max_export_fds) {
		BLOG_RL(b, WARNING, "%u window descriptors held, the most: window of pid %d uid %u refused",
			b->nb_export_fds, (int)c->pid, (unsigned int)c->uid);
		goto close_fd;
	}
	ret = -EDQUOT;
	if (a->exports >= b->conf.max_exports_uid ||
			req->len > b->conf.max_window_bytes_uid -
				RTE_MIN(a->export_bytes,
					b->conf.max_window_bytes_uid)) {
		BLOG_RL(b, NOTICE, "uid %u holds %u windows of %" PRIu64 " bytes: window of %" PRIu64 " bytes of pid %d refused",
			(unsigned int)c->uid, a->exports, a->export_bytes,
			req->len, (int)c->pid);
		goto close_fd;
	}
	/*
	 * Receivers translate an owner address to one window of that owner
	 * per handler: two windows over one address, sent under one handler,
	 * would make that ambiguous. A grant's window has a handler of its
	 * own. Ids are unique whatever the scope.
	 */
	ret = -EEXIST;
	for (i = 0; i < c->nb_exports; i++) {
		const struct dxa_mem_export *o = &c->exports[i].desc;

		if (o->mem_id == req->mem_id ||
				(c->exports[i].scope == scope &&
				 req->base < o->base + o->len &&
				 o->base < req->base + req->len))
			goto close_fd;
	}
	ret = -ENOMEM;
	if (c->nb_exports == c->cap_exports) {
		uint32_t cap = c->cap_exports ? c->cap_exports * 2 : 8;

		e = realloc(c->exports, cap * sizeof(*e));
		if (e == NULL)
			goto close_fd;
		c->exports = e;
		c->cap_exports = cap;
	}
	file = malloc(sizeof(*file));
	if (nb_to > 0)
		recv = calloc(nb_to, sizeof(*recv));
	if (file == NULL || (nb_to > 0 && recv == NULL)) {
		free(file);
		free(recv);
		goto close_fd;
	}
	*file = (struct mem_file){
		.fd = fd, .refs = 1, .b = b, .acct = a, .len = req->len,
	};
	b->nb_export_fds++;
	a->exports++;
	a->export_bytes += req->len;
	e = &c->exports[c->nb_exports++];
	*e = (struct mem_export){
		.desc = *req, .file = file, .recv = recv, .cap_recv = nb_to,
		.scope = scope,
	};
	*out = e;
	return 0;
close_fd:
	close(fd);
	return ret;
}

static int
do_export(struct dxa_broker *b, struct conn *c,
		const struct dxa_mem_export *req, int fd, bool fd_lost)
{
	uint32_t i, pos, seen, nb_to = 0;
	struct mem_export *e;
	struct member *m;
	struct group *g;
	int ret;

	/*
	 * A receiver counts once per group it shares with @c: that many
	 * windows it is sent. Counted, checked, then cleared.
	 */
	ret = 0;
	for (pos = 0, seen = 0; (g = conn_next_group(b, c, &pos, &seen, &m));)
		for (i = 0; !g->grant && i < g->nb_members; i++)
			g->members[i].conn->recv_more++;
	for (pos = 0, seen = 0; (g = conn_next_group(b, c, &pos, &seen, &m));)
		for (i = 0; !g->grant && i < g->nb_members; i++)
			if (g->members[i].conn != c && ret == 0)
				ret = recv_room(b, g->members[i].conn,
					g->members[i].conn->recv_more);
	for (pos = 0, seen = 0; (g = conn_next_group(b, c, &pos, &seen, &m));)
		for (i = 0; !g->grant && i < g->nb_members; i++)
			g->members[i].conn->recv_more = 0;
	if (ret != 0) {
		if (fd >= 0)
			close(fd);
		return ret;
	}
	for (pos = 0, seen = 0; (g = conn_next_group(b, c, &pos, &seen, &m));)
		if (!g->grant)
			nb_to += g->nb_members - 1;
	ret = export_add(b, c, req, fd, fd_lost, -1, nb_to, &e);
	if (ret != 0)
		return ret;
	for (pos = 0, seen = 0; (g = conn_next_group(b, c, &pos, &seen, &m));)
		for (i = 0; !g->grant && i < g->nb_members; i++)
			if (g->members[i].conn != c)
				mem_add(b, c, e, g, m, g->members[i].conn);
	return 0;
}

/*
 * Remove export @idx of @c: at once when nobody has it, else once every
 * receiver has unmapped it (REPLY_LATER; export_settle() answers @seq).
 */
static int
export_remove(struct dxa_broker *b, struct conn *c, uint32_t idx,
		uint32_t seq)
{
	struct dxa_mem_event ev;
	struct mem_export *e;
	uint32_t j;
	int ret;

	e = &c->exports[idx];
	if (e->removing)
		return -EBUSY;
	if (e->nb_recv == 0) {
		export_free(c, idx);
		return 0;
	}
	e->removing = true;
	e->unexport_seq = seq;
	for (j = 0; j < e->nb_recv; j++) {
		struct mem_recv *r = &e->recv[j];

		mem_event_fill(&ev, e, r->group_id, r->handler, c, DXA_MEM_DEL);
		ret = conn_send(b, r->conn, DXA_MEM_EVENT, 0, &ev, sizeof(ev));
		/* Dropped: it leaves the record when it is closed. */
		if (ret != 0) {
			conn_drop(b, r->conn, ret);
			continue;
		}
		r->owes = true;
		r->conn->nb_owed++;
	}
	return REPLY_LATER;
}

/* Returns 0, a negative errno, or REPLY_LATER: see export_settle(). */
static int
do_unexport(struct dxa_broker *b, struct conn *c,
		const struct dxa_mem_ref *req, uint32_t seq)
{
	int idx = export_find(c, req->mem_id);

	/* A grant's window goes with its grant (GRANT_REVOKE). */
	if (idx < 0 || c->exports[idx].scope >= 0)
		return -ENOENT;
	return export_remove(b, c, (uint32_t)idx, seq);
}

/*
 * A receiver unmapped a window. A RELEASED nobody owes (late, repeated or
 * made up) is ignored, and cheaply: only a peer that owes one gets as far
 * as a lookup.
 */
static void
mem_released(struct dxa_broker *b, struct conn *c,
		const struct dxa_mem_released *req)
{
	struct mem_export *e;
	struct conn *owner;
	uint32_t j;
	int idx;

	if (c->nb_owed == 0)
		return;
	owner = b->handler_conn[req->handler];
	if (owner == NULL)
		return;
	idx = export_find(owner, req->mem_id);
	if (idx < 0)
		return;
	e = &owner->exports[idx];
	for (j = 0; j < e->nb_recv; j++) {
		if (e->recv[j].conn == c && e->recv[j].owes &&
				e->recv[j].handler == req->handler) {
			recv_remove(e, j);
			export_settle(b, owner, (uint32_t)idx);
			return;
		}
	}
}

/* Tell every member but @except; a peer that cannot take it is marked dead. */
static void
group_notify(struct dxa_broker *b, struct group *g, const struct member *m,
		uint16_t event, struct conn *except)
{
	struct dxa_event ev = {
		.group_id = g->id,
		.event = event,
		.handler = event == DXA_EVENT_MEMBER_LEFT ? m->handler : 0,
	};
	uint32_t i;
	int ret;

	memcpy(ev.domain_id, m->domain_id, DXA_UUID_LEN);
	for (i = 0; i < g->nb_members; i++) {
		struct conn *c = g->members[i].conn;

		if (c == except)
			continue;
		ret = conn_send(b, c, DXA_EVENT, 0, &ev, sizeof(ev));
		if (ret != 0)
			conn_drop(b, c, ret);
	}
}

static void
group_free(struct dxa_broker *b, struct group *g)
{
	struct dxa_token *t = dxa_tokens_find_id(&b->tokens, g->token_id);

	/* members[0] is the creator until the group goes. */
	g->members[0].conn->acct->groups--;
	if (t != NULL && t->groups > 0)
		t->groups--;
	b->group_by_id[g->id] = NULL;
	b->nb_groups--;
	if (g->grant)
		b->nb_grants--;
	if (g->revoked)
		b->nb_revoked--;
	free(g);
}

/* Remove member @idx (not the creator) and tell the others. */
static void
group_remove_member(struct dxa_broker *b, struct group *g, uint32_t idx)
{
	struct member m = g->members[idx];

	mem_group_unlink(b, g, m.conn);
	/* Released first: the leaver knew its handler too, so it holds it. */
	handler_release(b, g, m.handler);
	/* members[0] is the creator, never removed here, so it stays first. */
	g->members[idx] = g->members[--g->nb_members];
	m.conn->nb_groups--;
	token_member_gone(b, g);
	group_notify(b, g, &m, DXA_EVENT_MEMBER_LEFT, NULL);
}

/* The creator is gone: the group goes, joiners are told. */
static void
group_destroy(struct dxa_broker *b, struct group *g)
{
	struct member creator = g->members[0];
	uint32_t i;

	mem_group_unlink(b, g, NULL);
	group_notify(b, g, &creator, DXA_EVENT_GROUP_DESTROYED, creator.conn);
	for (i = 0; i < g->nb_members; i++) {
		handler_release(b, g, g->members[i].handler);
		g->members[i].conn->nb_groups--;
		token_member_gone(b, g);
	}
	group_free(b, g);
}

/* ---- authentication ---- */

static void
auth_window(uint64_t now, uint64_t *window, uint32_t *count)
{
	if (*window != now) {
		*window = now;
		*count = 0;
	}
}

/*
 * Whether @c may have a token checked now. Failed checks are bounded per
 * uid (DXA_AUTH_FAIL_BURST a second) and for all uids together
 * (auth_fail_rate): past either, a check is refused (-EAGAIN) before the
 * token is looked at, so guessing gains nothing from more uids or more
 * messages. A connection that came while its uid had failed no check for
 * DXA_AUTH_MEMORY_S, and has failed none itself, is checked whatever the
 * counts: a client holding a valid token is not locked out by a guesser
 * sharing its uid. Guesses through such connections are bounded too: one
 * each, after which it is counted as any other, and none of a guessing
 * uid's new connections gets that way for DXA_AUTH_MEMORY_S.
 */
static bool
auth_allowed(struct dxa_broker *b, const struct conn *c)
{
	uint64_t now = now_mono_s();

	if (c->auth_clean)
		return true;
	auth_window(now, &c->acct->fail_window, &c->acct->fails);
	auth_window(now, &b->auth_window, &b->auth_fails);
	if (c->acct->fails >= DXA_AUTH_FAIL_BURST)
		return false;
	if (b->auth_fails >= b->conf.auth_fail_rate) {
		BLOG_RL(b, WARNING, "%u failed token checks in a second from all uids: checks refused for the rest of it",
			b->auth_fails);
		return false;
	}
	return true;
}

static void
auth_failed(struct dxa_broker *b, struct conn *c)
{
	uint64_t now = now_mono_s();

	auth_window(now, &c->acct->fail_window, &c->acct->fails);
	auth_window(now, &b->auth_window, &b->auth_fails);
	c->acct->fails++;
	c->acct->failed = true;
	c->acct->last_fail = now;
	b->auth_fails++;
	c->auth_clean = false;
	BLOG_RL(b, NOTICE, "token refused for pid %d uid %u", (int)c->pid,
		(unsigned int)c->uid);
}

/* Token check for create/join; the secret stays in the message buffer. */
static int
token_check(struct dxa_broker *b, struct conn *c, const uint8_t *secret,
		uint8_t dev_class, struct dxa_token **out)
{
	struct dxa_token *t;
	int ret;

	if (!auth_allowed(b, c))
		return -EAGAIN;
	t = dxa_tokens_find(&b->tokens, secret);
	if (t == NULL) {
		auth_failed(b, c);
		return -EACCES;
	}
	ret = dxa_token_admits(t, c->uid, c->gids, c->nb_gids, dev_class,
		now_realtime());
	if (ret == -EACCES)
		auth_failed(b, c);
	if (ret == 0)
		*out = t;
	return ret;
}

/* ---- requests ---- */

static bool
uuid_nil(const uint8_t *u)
{
	static const uint8_t nil[DXA_UUID_LEN];

	return memcmp(u, nil, DXA_UUID_LEN) == 0;
}

static int group_new(struct dxa_broker *b, struct conn *c,
		struct dxa_token *t, const uint8_t *domain_id, uint8_t dev_class,
		struct group **out);

static int
do_create(struct dxa_broker *b, struct conn *c,
		const struct dxa_group_create *req, struct dxa_reply_group *r)
{
	struct dxa_token *t = NULL;
	struct group *g;
	int ret;

	if (uuid_nil(req->domain_id))
		return -EINVAL;
	ret = token_check(b, c, req->token, req->dev_class, &t);
	if (ret != 0)
		return ret;
	/* Class B devices reach memory through grants, not groups. */
	if (req->dev_class == DXA_CLASS_B)
		return -EXDEV;
	ret = group_new(b, c, t, req->domain_id, req->dev_class, &g);
	if (ret != 0)
		return ret;
	r->group_id = g->id;
	r->handler = g->members[0].handler;
	return 0;
}

/*
 * A new group of token @t, created by @c for domain @domain_id with a
 * device of @dev_class, in the tables.
 */
static int
group_new(struct dxa_broker *b, struct conn *c, struct dxa_token *t,
		const uint8_t *domain_id, uint8_t dev_class, struct group **out)
{
	struct group *g;
	uint16_t h;
	uint32_t i;

	if (b->nb_groups >= b->conf.max_groups) {
		BLOG_RL(b, WARNING, "%u groups, the most: group of pid %d uid %u refused",
			b->nb_groups, (int)c->pid, (unsigned int)c->uid);
		return -ENOSPC;
	}
	if (c->acct->groups >= b->conf.max_groups_uid ||
			t->groups >= b->conf.max_groups_token) {
		BLOG_RL(b, NOTICE, "uid %u has %u groups, its token %u: group of pid %d refused",
			(unsigned int)c->uid, c->acct->groups, t->groups,
			(int)c->pid);
		return -EDQUOT;
	}
	g = calloc(1, sizeof(*g) + b->conf.max_members * sizeof(g->members[0]));
	if (g == NULL)
		return -ENOMEM;
	h = handler_alloc(b);
	if (h == 0) {
		free(g);
		return -ENOSPC;
	}
	for (i = 0; i < GROUP_IDS; i++) {
		int16_t id = b->next_group;

		b->next_group = id == INT16_MAX ? 0 : id + 1;
		if (b->group_by_id[id] == NULL) {
			g->id = id;
			break;
		}
	}
	memcpy(g->token_id, t->id, DXA_UUID_LEN);
	g->created = now_realtime();
	g->members[0] = (struct member){
		.conn = c, .handler = h, .dev_class = dev_class,
		.creator = true,
	};
	memcpy(g->members[0].domain_id, domain_id, DXA_UUID_LEN);
	g->nb_members = 1;
	b->group_by_id[g->id] = g;
	b->nb_groups++;
	b->handler_conn[h] = c;
	c->nb_groups++;
	c->acct->groups++;
	t->members++;
	t->groups++;
	dxa_tokens_used(&b->tokens, t);
	*out = g;
	return 0;
}

/*
 * A join or attach of a group or grant that does not exist: answered as
 * for one that does, so that a peer without a valid token learns nothing
 * of which exist (their ids are sequential): the token is checked, and
 * counted, first. Only a valid one learns -ENOENT.
 */
static int
missing_group(struct dxa_broker *b, struct conn *c, const uint8_t *secret,
		uint8_t dev_class)
{
	struct dxa_token *t = NULL;
	int ret;

	ret = token_check(b, c, secret, dev_class, &t);
	return ret != 0 ? ret : -ENOENT;
}

static int group_admit(struct dxa_broker *b, struct group *g,
		struct conn *c, const uint8_t *secret, const uint8_t *domain_id,
		uint8_t dev_class, struct dxa_reply_group *r);
static int group_add_member(struct dxa_broker *b, struct group *g,
		struct conn *c, struct dxa_token *t, const uint8_t *domain_id,
		uint8_t dev_class, struct member **out);

static int
do_join(struct dxa_broker *b, struct conn *c, const struct dxa_group_join *req,
		struct dxa_reply_group *r)
{
	struct group *g = group_get(b, req->group_id);

	if (uuid_nil(req->domain_id))
		return -EINVAL;
	/* A grant is reached through GRANT_ATTACH only. */
	if (g == NULL || g->grant)
		return missing_group(b, c, req->token, req->dev_class);
	return group_admit(b, g, c, req->token, req->domain_id,
		req->dev_class, r);
}

/*
 * Admit @c into @g, the one place a join (of a group or a grant) is
 * judged: the token (@secret) must be valid for @c and be the one @g was
 * created with; a grant admits only the domain it names; and the device
 * must be of the creator's class - what a transfer needs at each end
 * depends on it (Class A: a device of the class at both; a grant's owner
 * is Class B). The class is checked last, so that a peer the token
 * refuses learns nothing about @g.
 */
static int
group_admit(struct dxa_broker *b, struct group *g, struct conn *c,
		const uint8_t *secret, const uint8_t *domain_id,
		uint8_t dev_class, struct dxa_reply_group *r)
{
	struct dxa_token *t = NULL;
	struct member *m;
	int ret;

	ret = token_check(b, c, secret, dev_class, &t);
	if (ret != 0)
		return ret;
	if (memcmp(t->id, g->token_id, DXA_UUID_LEN) != 0 ||
			(g->grant &&
			 memcmp(domain_id, g->grantee, DXA_UUID_LEN) != 0)) {
		auth_failed(b, c);
		return -EACCES;
	}
	if (dev_class != g->members[0].dev_class)
		return -EXDEV;
	ret = group_add_member(b, g, c, t, domain_id, dev_class, &m);
	if (ret != 0)
		return ret;
	r->group_id = g->id;
	r->handler = m->handler;
	return 0;
}

/*
 * @c joins @g (token @t checked) for @domain_id with a device of
 * @dev_class; the windows are exchanged before the reply.
 */
static int
group_add_member(struct dxa_broker *b, struct group *g, struct conn *c,
		struct dxa_token *t, const uint8_t *domain_id, uint8_t dev_class,
		struct member **out)
{
	struct member *m;
	uint16_t h;
	int ret;

	if (group_member_of_domain(g, domain_id) != NULL ||
			group_member_of_conn(g, c) != NULL)
		return -EEXIST;
	if (g->nb_members >= b->conf.max_members)
		return -ENOSPC;
	ret = mem_join_reserve(b, g, c);
	if (ret != 0)
		return ret;
	h = handler_alloc(b);
	if (h == 0)
		return -ENOSPC;
	m = &g->members[g->nb_members++];
	*m = (struct member){
		.conn = c, .handler = h, .dev_class = dev_class,
	};
	memcpy(m->domain_id, domain_id, DXA_UUID_LEN);
	b->handler_conn[h] = c;
	c->nb_groups++;
	t->members++;
	dxa_tokens_used(&b->tokens, t);
	mem_join_relay(b, g, m);
	*out = m;
	return 0;
}

/* ---- Class B grants ---- */

/*
 * The grant @handler names, when @c may see it: its owner or anyone (NULL
 * @owner). A grant being revoked is found only by its owner (*revoking
 * set), for whom a second revoke is -EBUSY, not -ENOENT: the grantee may
 * still have the window.
 */
static struct group *
grant_find(struct dxa_broker *b, uint16_t handler, const struct conn *owner,
		bool *revoking)
{
	struct conn *oc = b->handler_conn[handler];
	uint32_t pos = 0, seen = 0;
	struct member *m;
	struct group *g;

	if (oc == NULL || (owner != NULL && oc != owner))
		return NULL;
	while ((g = conn_next_group(b, oc, &pos, &seen, &m)) != NULL) {
		int idx;

		if (!g->grant || !m->creator || m->handler != handler ||
				g->revoked)
			continue;
		idx = export_find(oc, g->grant_mem);
		if (idx < 0)
			return NULL;
		if (revoking != NULL)
			*revoking = oc->exports[idx].removing;
		return owner != NULL || !oc->exports[idx].removing ? g : NULL;
	}
	return NULL;
}

static int
do_grant_create(struct dxa_broker *b, struct conn *c,
		const struct dxa_grant_create *req, int fd, bool fd_lost,
		struct dxa_reply_group *r)
{
	struct dxa_token *t = NULL;
	struct mem_export *e;
	struct group *g;
	int ret;

	ret = -EINVAL;
	if (uuid_nil(req->owner) || uuid_nil(req->grantee) ||
			memcmp(req->owner, req->grantee, DXA_UUID_LEN) == 0)
		goto close_fd;
	/* The owner needs no device: the grant is for Class B initiators. */
	ret = token_check(b, c, req->token, DXA_CLASS_B, &t);
	if (ret != 0)
		goto close_fd;
	ret = group_new(b, c, t, req->owner, DXA_CLASS_B, &g);
	if (ret != 0)
		goto close_fd;
	ret = export_add(b, c, &req->win, fd, fd_lost, g->id, 1, &e);
	if (ret != 0) {
		/* export_add() closed the descriptor. */
		group_destroy(b, g);
		return ret;
	}
	g->grant = true;
	g->grant_mem = req->win.mem_id;
	memcpy(g->grantee, req->grantee, DXA_UUID_LEN);
	b->nb_grants++;
	r->group_id = g->id;
	r->handler = g->members[0].handler;
	return 0;
close_fd:
	if (fd >= 0)
		close(fd);
	return ret;
}

static int
do_grant_attach(struct dxa_broker *b, struct conn *c,
		const struct dxa_grant_attach *req, struct dxa_reply_group *r)
{
	struct group *g = grant_find(b, req->handler, NULL, NULL);

	if (uuid_nil(req->domain_id))
		return -EINVAL;
	if (g == NULL)
		return missing_group(b, c, req->token, req->dev_class);
	return group_admit(b, g, c, req->token, req->domain_id,
		req->dev_class, r);
}

/* Returns 0, a negative errno, or REPLY_LATER: see export_settle(). */
static int
do_grant_revoke(struct dxa_broker *b, struct conn *c,
		const struct dxa_grant_ref *req, uint32_t seq)
{
	bool revoking = false;
	struct group *g = grant_find(b, req->handler, c, &revoking);
	int ret;

	if (g == NULL)
		return -ENOENT;
	if (revoking)
		return -EBUSY;
	ret = export_remove(b, c, (uint32_t)export_find(c, g->grant_mem), seq);
	if (ret == 0 && !g->revoked) {
		/* Nobody had the window: the grant goes with this message. */
		g->revoked = true;
		b->nb_revoked++;
	}
	return ret;
}

/*
 * Destroy the grants whose window is gone: the grantee, if any, gets
 * GROUP_DESTROYED, and its operations toward the owner fail from then on.
 * Runs at the end of each message and close, outside the loops over
 * groups and exports that settle windows.
 */
static void
grant_sweep(struct dxa_broker *b)
{
	uint32_t i;

	for (i = 0; i < GROUP_IDS && b->nb_revoked > 0; i++) {
		struct group *g = b->group_by_id[i];

		if (g != NULL && g->revoked)
			group_destroy(b, g);
	}
}

static int
do_leave(struct dxa_broker *b, struct conn *c, const struct dxa_group_ref *req)
{
	struct group *g = group_get(b, req->group_id);
	struct member *m;

	if (g == NULL || (m = group_member_of_conn(g, c)) == NULL)
		return -ENOENT;
	if (m->creator)
		return -EPERM;
	group_remove_member(b, g, (uint32_t)(m - g->members));
	return 0;
}

static int
do_destroy(struct dxa_broker *b, struct conn *c,
		const struct dxa_group_ref *req)
{
	struct group *g = group_get(b, req->group_id);
	struct member *m;

	if (g == NULL || (m = group_member_of_conn(g, c)) == NULL)
		return -ENOENT;
	if (!m->creator)
		return -EPERM;
	/* A grant ends with GRANT_REVOKE, which removes its window too. */
	if (g->grant)
		return -EINVAL;
	if (g->nb_members > 1)
		return -EBUSY;
	handler_release(b, g, m->handler);
	c->nb_groups--;
	token_member_gone(b, g);
	group_free(b, g);
	return 0;
}

static int
do_handler_get(struct dxa_broker *b, struct conn *c,
		const struct dxa_handler_get *req, struct dxa_reply_group *r)
{
	struct group *g = group_get(b, req->group_id);
	struct member *m;

	/* Only members learn handlers; to others the group does not exist. */
	if (g == NULL || group_member_of_conn(g, c) == NULL)
		return -ENOENT;
	m = group_member_of_domain(g, req->domain_id);
	if (m == NULL)
		return -ENOENT;
	r->group_id = g->id;
	r->handler = m->handler;
	return 0;
}

/* ---- administration ---- */

static bool
is_admin(const struct conn *c)
{
	return c->uid == 0 || c->uid == geteuid();
}

static int
do_token_list(struct dxa_broker *b, const struct dxa_list_req *req,
		struct dxa_reply_token_list *r)
{
	const struct dxa_token *t;

	r->total = b->tokens.nb;
	if (req->index >= b->tokens.nb)
		return -ENOENT;
	t = &b->tokens.tokens[req->index];
	memcpy(r->token_id, t->id, DXA_UUID_LEN);
	r->policy = t->policy;
	r->created = t->created;
	r->uses = t->uses;
	r->members = t->members;
	return 0;
}

/* The @index-th group in id order. */
static struct group *
group_nth(struct dxa_broker *b, uint32_t index)
{
	uint32_t i, seen = 0;

	for (i = 0; i < GROUP_IDS; i++) {
		if (b->group_by_id[i] == NULL || b->group_by_id[i]->grant)
			continue;
		if (seen++ == index)
			return b->group_by_id[i];
	}
	return NULL;
}

/* The @index-th grant in id order. */
static struct group *
grant_nth(struct dxa_broker *b, uint32_t index)
{
	uint32_t i, seen = 0;

	for (i = 0; i < GROUP_IDS && seen < b->nb_grants; i++) {
		if (b->group_by_id[i] == NULL || !b->group_by_id[i]->grant)
			continue;
		if (seen++ == index)
			return b->group_by_id[i];
	}
	return NULL;
}

static int
do_grant_list(struct dxa_broker *b, const struct dxa_list_req *req,
		struct dxa_reply_grant_list *r)
{
	struct group *g = grant_nth(b, req->index);
	const struct member *o;
	int idx;

	r->total = b->nb_grants;
	if (g == NULL)
		return -ENOENT;
	o = &g->members[0];
	memcpy(r->owner, o->domain_id, DXA_UUID_LEN);
	memcpy(r->grantee, g->grantee, DXA_UUID_LEN);
	r->owner_pid = o->conn->pid;
	r->owner_uid = o->conn->uid;
	r->handler = o->handler;
	r->attached = g->nb_members > 1;
	idx = export_find(o->conn, g->grant_mem);
	if (idx >= 0) {
		r->len = o->conn->exports[idx].desc.len;
		r->perm = o->conn->exports[idx].desc.perm;
	}
	return 0;
}

static int
do_group_list(struct dxa_broker *b, const struct dxa_list_req *req,
		struct dxa_reply_group_list *r)
{
	struct group *g = group_nth(b, req->index);

	r->total = b->nb_groups - b->nb_grants;
	if (g == NULL)
		return -ENOENT;
	r->group_id = g->id;
	r->nb_members = (uint16_t)g->nb_members;
	memcpy(r->token_id, g->token_id, DXA_UUID_LEN);
	r->created = g->created;
	return 0;
}

static int
do_group_show(struct dxa_broker *b, const struct dxa_group_show *req,
		struct dxa_reply_group_show *r)
{
	struct group *g = group_get(b, req->group_id);
	const struct member *m;

	if (g == NULL)
		return -ENOENT;
	r->total = g->nb_members;
	if (req->index >= g->nb_members)
		return -ENOENT;
	m = &g->members[req->index];
	memcpy(r->domain_id, m->domain_id, DXA_UUID_LEN);
	r->pid = m->conn->pid;
	r->uid = m->conn->uid;
	r->gid = m->conn->nb_gids > 0 ? m->conn->gids[0] : 0;
	r->handler = m->handler;
	r->creator = m->creator;
	r->dev_class = m->dev_class;
	return 0;
}

/* ---- dispatch ---- */

static bool
rate_allowed(struct dxa_broker *b, struct conn *c)
{
	uint64_t now = now_mono_s();

	if (c->window != now) {
		c->window = now;
		c->msgs = 0;
	}
	return ++c->msgs <= b->conf.msg_rate;
}

/*
 * Handle one message of @c, with the descriptor @rx_fd that came with it
 * (-1: none; always consumed), or @rx_lost when one came but the broker
 * had no descriptor left to take it. Returns 0, or a negative errno when
 * the connection must be closed (malformed message, peer gone). Peers
 * that could not take an event are marked dead for conn_sweep().
 */
static int
dispatch(struct dxa_broker *b, struct conn *c, const uint8_t *msg,
		size_t len, int rx_fd, bool rx_lost)
{
	union {
		struct dxa_group_create create;
		struct dxa_group_join join;
		struct dxa_group_ref ref;
		struct dxa_handler_get hget;
		struct dxa_token_issue issue;
		struct dxa_list_req list;
		struct dxa_token_revoke revoke;
		struct dxa_group_show show;
		struct dxa_mem_export exp;
		struct dxa_mem_ref mref;
		struct dxa_mem_released rel;
		struct dxa_grant_create gcreate;
		struct dxa_grant_attach gattach;
		struct dxa_grant_ref gref;
	} req;
	union {
		struct dxa_reply_group group;
		struct dxa_reply_token_issue issue;
		struct dxa_reply_token_list tlist;
		struct dxa_reply_group_list glist;
		struct dxa_reply_group_show show;
		struct dxa_reply_status status;
		struct dxa_reply_grant_list grlist;
	} rep;
	struct dxa_token *t;
	struct dxa_hdr h;
	int status, ret;
	bool allowed;
	int body;

	ret = dxa_msg_check(msg, len, 0);
	if (ret == 0) {
		memcpy(&h, msg, sizeof(h));
		/* Only an EXPORT or a GRANT_CREATE brings a descriptor. */
		if ((rx_fd >= 0 || rx_lost) && h.type != DXA_MEM_EXPORT &&
				h.type != DXA_GRANT_CREATE)
			ret = -EPROTO;
	}
	if (ret != 0) {
		if (rx_fd >= 0)
			close(rx_fd);
		BLOG_RL(b, WARNING, "malformed message from pid %d uid %u: connection closed",
			(int)c->pid, (unsigned int)c->uid);
		return ret;
	}
	body = dxa_body_size(h.type);
	memcpy(&req, msg + sizeof(h), (size_t)body);
	memset(&rep, 0, sizeof(rep));

	allowed = rate_allowed(b, c);
	/*
	 * One-way, so never refused: dropping an owed RELEASED would leave
	 * its owner's UNEXPORT waiting for good, and one nobody owes costs
	 * nothing to ignore.
	 */
	if (h.type == DXA_MEM_RELEASED) {
		mem_released(b, c, &req.rel);
		return 0;
	}
	if (!allowed) {
		status = -EAGAIN;
		goto reply;
	}
	if (h.type >= DXA_TOKEN_ISSUE && h.type <= DXA_GRANT_LIST &&
			!is_admin(c)) {
		status = -EPERM;
		goto reply;
	}
	switch (h.type) {
	case DXA_GROUP_CREATE:
		status = do_create(b, c, &req.create, &rep.group);
		break;
	case DXA_GROUP_JOIN:
		status = do_join(b, c, &req.join, &rep.group);
		break;
	case DXA_GROUP_LEAVE:
		status = do_leave(b, c, &req.ref);
		break;
	case DXA_GROUP_DESTROY:
		status = do_destroy(b, c, &req.ref);
		break;
	case DXA_HANDLER_GET:
		status = do_handler_get(b, c, &req.hget, &rep.group);
		break;
	case DXA_TOKEN_ISSUE:
		status = dxa_tokens_issue(&b->tokens, &req.issue.policy, NULL,
			&t);
		if (status == 0) {
			memcpy(rep.issue.token_id, t->id, DXA_UUID_LEN);
			memcpy(rep.issue.secret, t->secret, DXA_UUID_LEN);
		}
		break;
	case DXA_TOKEN_LIST:
		status = do_token_list(b, &req.list, &rep.tlist);
		break;
	case DXA_TOKEN_REVOKE:
		status = dxa_tokens_revoke(&b->tokens, req.revoke.token_id);
		break;
	case DXA_GROUP_LIST:
		status = do_group_list(b, &req.list, &rep.glist);
		break;
	case DXA_GROUP_SHOW:
		status = do_group_show(b, &req.show, &rep.show);
		break;
	case DXA_MEM_EXPORT:
		status = do_export(b, c, &req.exp, rx_fd, rx_lost);
		rx_fd = -1;
		break;
	case DXA_MEM_UNEXPORT:
		status = do_unexport(b, c, &req.mref, h.seq);
		if (status == REPLY_LATER)
			return 0;
		break;
	case DXA_GRANT_CREATE:
		status = do_grant_create(b, c, &req.gcreate, rx_fd, rx_lost,
			&rep.group);
		rx_fd = -1;
		break;
	case DXA_GRANT_ATTACH:
		status = do_grant_attach(b, c, &req.gattach, &rep.group);
		break;
	case DXA_GRANT_REVOKE:
		status = do_grant_revoke(b, c, &req.gref, h.seq);
		if (status == REPLY_LATER)
			return 0;
		break;
	case DXA_GRANT_LIST:
		status = do_grant_list(b, &req.list, &rep.grlist);
		break;
	default:
		/* dxa_msg_check() lets no other request type through. */
		status = -EPROTO;
		break;
	}
reply:
	if (rx_fd >= 0)
		close(rx_fd);
	/* The secret, if any, is not kept beyond this call. */
	memset(&req, 0, sizeof(req));
	/* Every reply body starts with the status. */
	memcpy(&rep, &status, sizeof(status));
	ret = conn_send(b, c, h.type | DXA_REPLY, h.seq, &rep,
		(size_t)dxa_body_size(h.type | DXA_REPLY));
	memset(&rep, 0, sizeof(rep));
	if (ret != 0)
		conn_drop(b, c, ret);
	grant_sweep(b);
	return ret;
}

/* ---- connections ---- */

/* Remove every membership of @c, as if it had left every group. */
static void
conn_leave_all(struct dxa_broker *b, struct conn *c)
{
	uint32_t i, j;

	for (i = 0; i < GROUP_IDS && b->nb_groups > 0; i++) {
		struct group *g = b->group_by_id[i];

		if (g == NULL)
			continue;
		for (j = 0; j < g->nb_members; j++) {
			if (g->members[j].conn != c)
				continue;
			if (g->members[j].creator)
				group_destroy(b, g);
			else
				group_remove_member(b, g, j);
			break;
		}
	}
}

static void
conn_unlink(struct dxa_broker *b, struct conn *c)
{
	struct conn **p;

	for (p = &b->conns; *p != NULL; p = &(*p)->next) {
		if (*p == c) {
			*p = c->next;
			b->nb_conns--;
			return;
		}
	}
}

static void
conn_free(struct dxa_broker *b, struct conn *c)
{
	/* Nothing more is sent to it while it goes. */
	c->dead = true;
	conn_unlink(b, c);
	conn_leave_all(b, c);
	conn_forget_exports(c);
	conn_drop_holds(b, c);
	conn_queue_free(c);
	c->acct->conns--;
	if (c->fd >= 0) {
		epoll_ctl(b->epoll_fd, EPOLL_CTL_DEL, c->fd, NULL);
		close(c->fd);
	}
	free(c);
}

/*
 * Close every connection marked dead, and destroy the grants revoked
 * meanwhile. Either sends events to others, which may mark more: repeat
 * until nothing is left. Each round frees a connection or every revoked
 * grant, so this ends.
 */
static void
conn_sweep(struct dxa_broker *b)
{
	struct conn *c;

	for (;;) {
		for (c = b->conns; c != NULL && !c->dead; c = c->next)
			;
		if (c != NULL) {
			conn_free(b, c);
			continue;
		}
		/* Destroying a grant tells its grantee, who may fail to take it. */
		if (b->nb_revoked == 0)
			return;
		grant_sweep(b);
	}
}


static void
conn_accept(struct dxa_broker *b)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	struct epoll_event ev = { .events = EPOLLIN | EPOLLRDHUP };
	struct uid_acct *a;
	struct conn *c;
	bool admin;
	int fd;

	fd = accept4(b->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0 && (errno == EMFILE || errno == ENFILE) &&
			b->spare_fd >= 0) {
		/*
		 * Out of descriptors, the pending connection would keep the
		 * listening socket readable and the loop spinning: take it
		 * with the spare descriptor and close it at once.
		 */
		close(b->spare_fd);
		fd = accept4(b->listen_fd, NULL, NULL, SOCK_CLOEXEC);
		if (fd >= 0)
			close(fd);
		b->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
		BLOG_RL(b, WARNING, "out of file descriptors: connection refused");
		return;
	}
	if (fd < 0)
		return;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) {
		close(fd);
		return;
	}
	/*
	 * The last admin_conns slots are the administrator's: whatever the
	 * other uids hold, "token list" and "token revoke" get through.
	 */
	admin = cred.uid == 0 || cred.uid == geteuid();
	if (b->nb_conns >= b->conf.max_conns ||
			(!admin && b->nb_conns >= b->conf.max_conns -
				b->conf.admin_conns)) {
		BLOG_RL(b, WARNING, "connection of pid %d uid %u refused: %u connections already",
			(int)cred.pid, (unsigned int)cred.uid, b->nb_conns);
		close(fd);
		return;
	}
	a = uid_acct_get(b, cred.uid);
	if (a == NULL) {
		BLOG_RL(b, WARNING, "connection of pid %d uid %u refused: %u uids accounted already",
			(int)cred.pid, (unsigned int)cred.uid, b->nb_accts);
		close(fd);
		return;
	}
	if (!admin && a->conns >= b->conf.max_conns_uid) {
		BLOG_RL(b, WARNING, "connection of pid %d refused: uid %u has %u connections already",
			(int)cred.pid, (unsigned int)cred.uid, a->conns);
		close(fd);
		return;
	}
	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		close(fd);
		return;
	}
	c->fd = fd;
	c->pid = cred.pid;
	c->uid = cred.uid;
	c->acct = a;
	c->admin = admin;
	c->auth_clean = !a->failed ||
		a->last_fail + DXA_AUTH_MEMORY_S <= now_mono_s();
	c->gids[0] = cred.gid;
	c->nb_gids = 1;
	/* Supplementary groups, for tokens limited to a gid (Linux >= 4.13). */
	len = sizeof(c->gids) - sizeof(c->gids[0]);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, &c->gids[1], &len) == 0)
		c->nb_gids += len / sizeof(gid_t);
	ev.data.ptr = c;
	if (epoll_ctl(b->epoll_fd, EPOLL_CTL_ADD, fd, &ev) != 0) {
		free(c);
		close(fd);
		return;
	}
	c->ev_mask = ev.events;
	c->next = b->conns;
	b->conns = c;
	b->nb_conns++;
	a->conns++;
}

/*
 * Receive one message of @c, with at most one descriptor (*rx_fd, or -1).
 * More than one, or control data cut short around one, make the message
 * malformed and are closed: the broker never keeps what it did not ask
 * for. Control data cut short with no descriptor in it means the kernel
 * could not give the broker one (no descriptor left): *rx_lost, for the
 * EXPORT to be refused rather than its sender closed. Returns the
 * message's length, 0 when the peer is gone or malformed, or -EAGAIN.
 */
static ssize_t
conn_recv(struct dxa_broker *b, struct conn *c, uint8_t *msg, int *rx_fd,
		bool *rx_lost)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(RX_FDS_MAX * sizeof(int))];
	} ctl;
	struct iovec iov = { .iov_base = msg, .iov_len = DXA_MSG_MAX };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = ctl.buf, .msg_controllen = sizeof(ctl.buf),
	};
	unsigned int nb;
	ssize_t n;

	*rx_fd = -1;
	*rx_lost = false;
	do {
		n = recvmsg(c->fd, &mh,
			MSG_DONTWAIT | MSG_TRUNC | MSG_CMSG_CLOEXEC);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK ? -EAGAIN : 0;
	nb = dxa_conn_take_fds(&mh, rx_fd);
	if (nb > 1 || (nb == 1 && (mh.msg_flags & MSG_CTRUNC) != 0)) {
		BLOG_RL(b, WARNING, "more than one descriptor with a message from pid %d: connection closed",
			(int)c->pid);
		n = 0;
	} else if (n > DXA_MSG_MAX) {
		BLOG_RL(b, WARNING, "oversized message (%zd bytes) from pid %d: connection closed",
			n, (int)c->pid);
		n = 0;
	} else if ((mh.msg_flags & MSG_CTRUNC) != 0) {
		BLOG_RL(b, WARNING, "out of file descriptors: one from pid %d refused",
			(int)c->pid);
		*rx_lost = true;
	}
	if (n == 0 && *rx_fd >= 0) {
		close(*rx_fd);
		*rx_fd = -1;
	}
	return n;
}

/*
 * Send what waits for @c if it can take it; read every message it has
 * queued; close it on error or hang-up.
 */
static void
conn_ready(struct dxa_broker *b, struct conn *c, uint32_t events)
{
	uint8_t msg[DXA_MSG_MAX];
	bool rx_lost;
	ssize_t n;
	int rx_fd;

	if (events & EPOLLOUT)
		conn_flush(b, c);
	/*
	 * A peer that does not read its replies is not read either: its
	 * requests wait in its own socket (back-pressure), and the events
	 * others cause are what can still reach its queue's bound.
	 */
	while (!c->dead && conn_reading(c) &&
			(events & ~(uint32_t)EPOLLOUT) != 0) {
		n = conn_recv(b, c, msg, &rx_fd, &rx_lost);
		if (n == -EAGAIN)
			break;
		if (n <= 0) {
			c->dead = true;
			break;
		}
		if (dispatch(b, c, msg, (size_t)n, rx_fd, rx_lost) != 0)
			c->dead = true;
		memset(msg, 0, (size_t)n);
		if (c->dead)
			break;
	}
	if (events & (EPOLLHUP | EPOLLRDHUP | EPOLLERR))
		c->dead = true;
	conn_sweep(b);
}

int
dxa_broker_run(struct dxa_broker *b)
{
	struct epoll_event ev[64];
	int i, n;

	for (;;) {
		/* Use counts reach the state file within about a second. */
		if (b->tokens.dirty && now_mono_s() != b->flushed) {
			dxa_tokens_flush(&b->tokens);
			b->flushed = now_mono_s();
		}
		n = epoll_wait(b->epoll_fd, ev, RTE_DIM(ev),
			b->tokens.dirty ? 1000 : -1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		for (i = 0; i < n; i++) {
			if (ev[i].data.ptr == &b->stop_fd)
				return 0;
			if (ev[i].data.ptr == &b->listen_fd)
				conn_accept(b);
		}
		/*
		 * Connections are handled after the control fds, so a
		 * connection closed during this round (a dead peer) is never
		 * touched through a stale epoll entry.
		 */
		for (i = 0; i < n; i++) {
			struct conn *c = ev[i].data.ptr, *p;

			if (ev[i].data.ptr == &b->listen_fd)
				continue;
			for (p = b->conns; p != NULL && p != c; p = p->next)
				;
			if (p != NULL)
				conn_ready(b, c, ev[i].events);
		}
	}
}

void
dxa_broker_limits(const struct dxa_broker *b, struct dxa_broker_conf *conf)
{
	*conf = b->conf;
}

void
dxa_broker_stop(struct dxa_broker *b)
{
	uint64_t one = 1;
	ssize_t r;

	r = write(b->stop_fd, &one, sizeof(one));
	RTE_SET_USED(r);
}

/* Bind @path, replacing a stale socket that nobody listens on. */
static int
listen_bind(const char *path, mode_t mode)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, probe, err;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		err = -errno;
		if (err != -EADDRINUSE)
			goto fail;
		probe = dxa_conn_open(path);
		if (probe >= 0) {
			close(probe);
			goto fail;
		}
		if (probe != -ECONNREFUSED)
			goto fail;
		unlink(path);
		if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
			err = -errno;
			goto fail;
		}
	}
	/*
	 * Until this chmod the socket has the umask's mode, which is never
	 * wider than what is asked for here in practice (no group/other
	 * write with the usual 022 or 077): nobody else can connect early.
	 */
	if (chmod(path, mode) != 0 || listen(fd, 128) != 0) {
		err = -errno;
		unlink(path);
		goto fail;
	}
	return fd;
fail:
	close(fd);
	return err;
}

/*
 * The broker holds a descriptor per window, and the kernel bounds the
 * descriptors it has in flight to receivers by the same limit: take all
 * the hard limit allows. A failure leaves the soft limit, which works,
 * only with fewer windows.
 */
static void
raise_fd_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= rl.rlim_max)
		return;
	rl.rlim_cur = rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
}

/* 0 in a limit of @conf selects its default. */
static void
conf_defaults(struct dxa_broker_conf *conf)
{
	static const struct {
		size_t off;
		uint32_t def;
	} limits[] = {
		{ offsetof(struct dxa_broker_conf, admin_conns),
			DXA_DEFAULT_ADMIN_CONNS },
		{ offsetof(struct dxa_broker_conf, max_conns_uid),
			DXA_DEFAULT_MAX_CONNS_UID },
		{ offsetof(struct dxa_broker_conf, max_groups_uid),
			DXA_DEFAULT_MAX_GROUPS_UID },
		{ offsetof(struct dxa_broker_conf, max_groups_token),
			DXA_DEFAULT_MAX_GROUPS_TOKEN },
		{ offsetof(struct dxa_broker_conf, max_exports),
			DXA_DEFAULT_MAX_EXPORTS },
		{ offsetof(struct dxa_broker_conf, max_exports_uid),
			DXA_DEFAULT_MAX_EXPORTS_UID },
		{ offsetof(struct dxa_broker_conf, max_export_fds),
			DXA_DEFAULT_MAX_EXPORT_FDS },
		{ offsetof(struct dxa_broker_conf, max_windows_recv),
			DXA_DEFAULT_MAX_WINDOWS_RECV },
		{ offsetof(struct dxa_broker_conf, auth_fail_rate),
			DXA_DEFAULT_AUTH_FAIL_RATE },
	};
	unsigned int i;

	for (i = 0; i < RTE_DIM(limits); i++) {
		uint32_t *v = (uint32_t *)((char *)conf + limits[i].off);

		if (*v == 0)
			*v = limits[i].def;
	}
	if (conf->max_window_bytes_uid == 0)
		conf->max_window_bytes_uid = DXA_DEFAULT_MAX_WINDOW_BYTES_UID;
	/* The reserve is part of max_conns; one slot at least is anyone's. */
	if (conf->admin_conns >= conf->max_conns)
		conf->admin_conns = conf->max_conns - 1;
}

/*
 * Descriptors: every connection, every window and DXA_SPARE_FDS must fit
 * in RLIMIT_NOFILE, or the kernel, not the broker, would refuse whoever
 * comes last - the administrator included. What does not fit is taken
 * from the windows, and said.
 */
static void
fd_budget(struct dxa_broker *b)
{
	uint64_t need = (uint64_t)b->conf.max_conns + b->conf.max_export_fds +
		DXA_SPARE_FDS;
	uint64_t fixed = (uint64_t)b->conf.max_conns + DXA_SPARE_FDS;
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY ||
			rl.rlim_cur >= need)
		return;
	b->conf.max_export_fds = rl.rlim_cur > fixed ?
		(uint32_t)(rl.rlim_cur - fixed) : 0;
	BLOG(b, WARNING, "open files limited to %lu: at most %u window descriptors (%u connections)",
		(unsigned long)rl.rlim_cur, b->conf.max_export_fds,
		b->conf.max_conns);
}

struct dxa_broker *
dxa_broker_create(const struct dxa_broker_conf *conf, int *err)
{
	struct epoll_event ev = { .events = EPOLLIN };
	struct dxa_broker *b;
	int ret;

	b = calloc(1, sizeof(*b));
	if (b == NULL) {
		*err = -ENOMEM;
		return NULL;
	}
	b->conf = *conf;
	if (b->conf.max_groups == 0 || b->conf.max_groups > GROUP_IDS)
		b->conf.max_groups = DXA_DEFAULT_MAX_GROUPS;
	if (b->conf.max_members == 0 || b->conf.max_members > UINT16_MAX)
		b->conf.max_members = DXA_DEFAULT_MAX_MEMBERS;
	if (b->conf.max_conns == 0)
		b->conf.max_conns = DXA_DEFAULT_MAX_CONNS;
	if (b->conf.msg_rate == 0)
		b->conf.msg_rate = DXA_DEFAULT_MSG_RATE;
	conf_defaults(&b->conf);
	b->logtype = conf->logtype;
	b->listen_fd = b->epoll_fd = b->stop_fd = -1;
	raise_fd_limit();
	fd_budget(b);
	b->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	b->next_handler = 1;
	b->feed_conn.fd = -1;
	b->feed_conn.acct = &b->feed_acct;
	b->group_by_id = calloc(GROUP_IDS, sizeof(*b->group_by_id));
	b->handler_state = calloc(HANDLERS, sizeof(*b->handler_state));
	b->handler_holders = calloc(HANDLERS, sizeof(*b->handler_holders));
	b->handler_released = calloc(HANDLERS, sizeof(*b->handler_released));
	b->handler_epoch = calloc(HANDLERS, sizeof(*b->handler_epoch));
	b->handler_conn = calloc(HANDLERS, sizeof(*b->handler_conn));
	if (b->group_by_id == NULL || b->handler_state == NULL ||
			b->handler_holders == NULL ||
			b->handler_released == NULL || b->handler_epoch == NULL ||
			b->handler_conn == NULL) {
		ret = -ENOMEM;
		goto fail;
	}
	/* Handler 0 means "none": never handed out. */
	b->handler_state[0] = HANDLER_USED;
	ret = dxa_tokens_open(&b->tokens, conf->state_path);
	if (ret != 0) {
		BLOG(b, ERR, "cannot load tokens from %s: %s", conf->state_path,
			strerror(-ret));
		goto fail;
	}
	b->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	b->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (b->epoll_fd < 0 || b->stop_fd < 0) {
		ret = -errno;
		goto fail;
	}
	ev.data.ptr = &b->stop_fd;
	if (epoll_ctl(b->epoll_fd, EPOLL_CTL_ADD, b->stop_fd, &ev) != 0) {
		ret = -errno;
		goto fail;
	}
	if (conf->socket_path != NULL) {
		b->socket_path = strdup(conf->socket_path);
		if (b->socket_path == NULL) {
			ret = -ENOMEM;
			goto fail;
		}
		b->listen_fd = listen_bind(b->socket_path, conf->socket_mode);
		if (b->listen_fd < 0) {
			ret = b->listen_fd;
			free(b->socket_path);
			b->socket_path = NULL;
			goto fail;
		}
		ev.data.ptr = &b->listen_fd;
		if (epoll_ctl(b->epoll_fd, EPOLL_CTL_ADD, b->listen_fd,
				&ev) != 0) {
			ret = -errno;
			goto fail;
		}
	}
	return b;
fail:
	dxa_broker_destroy(b);
	*err = ret;
	return NULL;
}

int
dxa_broker_token_add(struct dxa_broker *b, const uint8_t secret[16],
		const struct dxa_policy *policy)
{
	struct dxa_token *t;

	return dxa_tokens_issue(&b->tokens, policy, secret, &t);
}

void
dxa_broker_destroy(struct dxa_broker *b)
{
	uint32_t i;

	if (b == NULL)
		return;
	while (b->conns != NULL)
		conn_free(b, b->conns);
	/* feed_conn's memberships and windows, if the fuzz target left any. */
	b->feed_conn.dead = true;
	conn_leave_all(b, &b->feed_conn);
	conn_forget_exports(&b->feed_conn);
	conn_drop_holds(b, &b->feed_conn);
	if (b->group_by_id != NULL)
		for (i = 0; i < GROUP_IDS; i++)
			free(b->group_by_id[i]);
	if (b->listen_fd >= 0) {
		close(b->listen_fd);
		unlink(b->socket_path);
	}
	if (b->epoll_fd >= 0)
		close(b->epoll_fd);
	if (b->stop_fd >= 0)
		close(b->stop_fd);
	if (b->spare_fd >= 0)
		close(b->spare_fd);
	dxa_tokens_flush(&b->tokens);
	dxa_tokens_close(&b->tokens);
	free(b->socket_path);
	free(b->group_by_id);
	free(b->handler_state);
	free(b->handler_holders);
	free(b->handler_released);
	free(b->handler_epoch);
	free(b->handler_conn);
	for (i = 0; i < b->nb_accts; i++)
		free(b->accts[i]);
	free(b->accts);
	free(b);
}

int
dxa_broker_feed(struct dxa_broker *b, const void *msg, size_t len, int fd,
		uid_t uid, gid_t gid, pid_t pid)
{
	struct conn *c = &b->feed_conn;

	c->uid = uid;
	c->gids[0] = gid;
	c->nb_gids = 1;
	c->pid = pid;
	if (len > DXA_MSG_MAX) {
		if (fd >= 0)
			close(fd);
		return -EMSGSIZE;
	}
	return dispatch(b, c, msg, len, fd, false);
}
