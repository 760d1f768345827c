/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-dma-xd authors
 */

/*
 * Windows for secondary processes.
 *
 * Group membership, the broker connection and the windows peers export
 * belong to the primary process. A secondary shares the primary's devices
 * and DPDK memory but not its mappings or descriptors, so the primary
 * hands it every window it maps, with the window's file descriptor, over
 * DPDK's multi-process channel (action DXA_MP_ACTION), and the secondary
 * maps it itself: its translations then go through its own maps, built by
 * the same code as the primary's (dxa_map_*).
 *
 *   primary                                  secondary
 *   learn a handler      -- LEARN -------->  dxa_map_learn()
 *   map a window         == ADD + fd ====>  map it, dxa_map_window_add()
 *   window going away    == DEL ==========>  dxa_map_window_del(), reply
 *   handler/group gone   == KILL =========>  dxa_map_kill*(), reply
 *                        <== HELLO ========  a secondary starts: every
 *                            LEARN, ADD -->  handler and window, then the
 *                            reply           reply
 *
 * "--" is a message (rte_mp_sendmsg), "==" a request every secondary
 * answers (rte_mp_request_sync): a window is mapped in every secondary
 * before the primary goes on, and the primary reports a window released
 * to the broker only once every secondary has unmapped it too. All messages
 * from the primary reach a secondary over one socket and run, in order,
 * on its multi-process thread, so a HELLO's reply comes after the windows
 * it announced, and a DEL never overtakes the ADD before it. Messages go
 * to every secondary: one that has a window already ignores its ADD.
 *
 * The primary keeps a duplicate of each window's descriptor for the
 * secondaries that start later; without a multi-process channel
 * (--in-memory, --no-shconf) it keeps none and does nothing here.
 */

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <poll.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_thread.h>

#include "dmadev_domain_private.h"

#define DXA_MP_ACTION "dxa_mp_windows"
/* A secondary that takes longer to answer is reported, not waited for. */
#define DXA_MP_TIMEOUT_S 5

enum mp_op {
	MP_HELLO = 1,
	MP_LEARN,
	MP_ADD,
	MP_DEL,
	MP_KILL,
	MP_VCHAN,
};

struct mp_body {
	uint16_t op;          /* enum mp_op */
	uint16_t handler;     /* LEARN, DEL, KILL (0: all of group_id);
			       * VCHAN: the vchan
			       */
	int16_t group_id;     /* LEARN, KILL; VCHAN: the device */
	uint8_t own;          /* LEARN */
	uint8_t request;      /* the primary waits for the answer */
	uint32_t mem_id;      /* DEL */
	int32_t status;       /* replies */
	int32_t pid;          /* HELLO reply: the primary's */
	struct dxa_mem_event ev; /* ADD: as the broker sent it */
};

_Static_assert(sizeof(struct mp_body) <= RTE_MP_MAX_PARAM_LEN,
	"a message fits one rte_mp parameter");

/* What the primary announced and still holds, for later secondaries. */
struct mp_window {
	struct dxa_mem_event ev;
	int fd;               /* a duplicate of the window's descriptor */
};

struct mp_handler {
	int16_t group_id;
	uint16_t handler;
	bool own;
};

static struct {
	pthread_mutex_t lock;   /* everything below */
	bool active;            /* the channel works: keep and send */
	bool tried;
	struct mp_window *windows;
	unsigned int nb_windows, cap_windows;
	struct mp_handler *handlers;
	unsigned int nb_handlers, cap_handlers;
} mp = { .lock = PTHREAD_MUTEX_INITIALIZER };

static bool
mp_primary(void)
{
	return rte_eal_process_type() == RTE_PROC_PRIMARY;
}

static void
mp_msg_init(struct rte_mp_msg *m, const struct mp_body *b)
{
	memset(m, 0, sizeof(*m));
	snprintf(m->name, sizeof(m->name), "%s", DXA_MP_ACTION);
	m->len_param = sizeof(*b);
	memcpy(m->param, b, sizeof(*b));
}

/* Primary, mp.lock held: a message to every secondary, no answer. */
static void
mp_send(const struct mp_body *b, int fd)
{
	struct rte_mp_msg m;

	mp_msg_init(&m, b);
	if (fd >= 0) {
		m.num_fds = 1;
		m.fds[0] = fd;
	}
	if (rte_mp_sendmsg(&m) != 0)
		DOMAIN_LOG_RL(ERR, "cannot tell the secondary processes (op %u): %s",
			b->op, rte_strerror(rte_errno));
}

/*
 * Primary, mp.lock not held (the answers come through our mp thread,
 * which a HELLO may hold on the lock): every secondary acts, then
 * answers.
 */
static void
mp_request_all(const struct mp_body *req, int fd)
{
	struct timespec ts = { .tv_sec = DXA_MP_TIMEOUT_S };
	struct rte_mp_reply reply = { 0 };
	struct mp_body body = *req;
	const struct mp_body *b = &body;
	struct rte_mp_msg m;

	body.request = 1;
	mp_msg_init(&m, &body);
	if (fd >= 0) {
		m.num_fds = 1;
		m.fds[0] = fd;
	}
	if (rte_mp_request_sync(&m, &reply, &ts) != 0)
		DOMAIN_LOG_RL(ERR, "secondary processes did not all confirm (op %u): %s",
			b->op, rte_strerror(rte_errno));
	else if (reply.nb_received != reply.nb_sent)
		DOMAIN_LOG_RL(ERR, "%d of %d secondary processes did not confirm op %u in %d s; their mappings may outlive it",
			reply.nb_sent - reply.nb_received, reply.nb_sent,
			b->op, DXA_MP_TIMEOUT_S);
	free(reply.msgs);
}

static int
grow(void **arr, unsigned int *cap, unsigned int need, size_t elt)
{
	unsigned int n;
	void *p;

	if (need <= *cap)
		return 0;
	n = *cap == 0 ? 16 : *cap * 2;
	p = realloc(*arr, (size_t)n * elt);
	if (p == NULL)
		return -ENOMEM;
	*arr = p;
	*cap = n;
	return 0;
}

/* ---- Primary: what happens here is told to the secondaries ----------- */

void
dxa_mp_learned(int16_t group_id, uint16_t handler, bool own)
{
	struct mp_body b = {
		.op = MP_LEARN, .group_id = group_id, .handler = handler,
		.own = own,
	};
	unsigned int i;

	if (!mp_primary())
		return;
	pthread_mutex_lock(&mp.lock);
	if (!mp.active)
		goto unlock;
	for (i = 0; i < mp.nb_handlers; i++)
		if (mp.handlers[i].handler == handler)
			goto unlock;
	if (grow((void **)&mp.handlers, &mp.cap_handlers, mp.nb_handlers + 1,
			sizeof(*mp.handlers)) != 0) {
		DOMAIN_LOG_RL(ERR, "no memory: handler %u not kept for secondary processes",
			handler);
		goto unlock;
	}
	mp.handlers[mp.nb_handlers++] = (struct mp_handler){
		group_id, handler, own,
	};
	mp_send(&b, -1);
unlock:
	pthread_mutex_unlock(&mp.lock);
}

/*
 * Primary: @keep (if any) records @b in what a late secondary is replayed,
 * under the lock; then every secondary is asked to do @b (with @fd if not
 * -1), outside the lock, as the answers come through our mp thread.
 * Nothing is kept or asked while no secondary can attach.
 */
static void
mp_forward(const struct mp_body *b, int fd,
		void (*keep)(const struct mp_body *b, int fd))
{
	bool active;

	if (!mp_primary())
		return;
	pthread_mutex_lock(&mp.lock);
	active = mp.active;
	if (active && keep != NULL)
		keep(b, fd);
	pthread_mutex_unlock(&mp.lock);
	if (active)
		mp_request_all(b, fd);
}

static void
keep_added(const struct mp_body *b, int fd)
{
	int dup_fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);

	if (dup_fd < 0 || grow((void **)&mp.windows, &mp.cap_windows,
			mp.nb_windows + 1, sizeof(*mp.windows)) != 0) {
		DOMAIN_LOG_RL(ERR, "window %u of handler %u not kept for secondary processes: %s",
			b->ev.mem_id, b->ev.handler,
			dup_fd < 0 ? strerror(errno) : "no memory");
		if (dup_fd >= 0)
			close(dup_fd);
		return;
	}
	mp.windows[mp.nb_windows].ev = b->ev;
	mp.windows[mp.nb_windows].fd = dup_fd;
	mp.nb_windows++;
}

void
dxa_mp_window_added(const struct dxa_mem_event *ev, int fd)
{
	const struct mp_body b = { .op = MP_ADD, .ev = *ev };

	/*
	 * Mapped in every secondary before the broker hears that it is
	 * mapped here: a peer's next operation may come from any of them.
	 */
	mp_forward(&b, fd, keep_added);
}

/* Forget the windows @b covers (by @match), closing their descriptors. */
static void
windows_drop(bool (*match)(const struct mp_window *, const struct mp_body *),
		const struct mp_body *b)
{
	unsigned int i, kept = 0;

	for (i = 0; i < mp.nb_windows; i++) {
		if (match(&mp.windows[i], b))
			close(mp.windows[i].fd);
		else
			mp.windows[kept++] = mp.windows[i];
	}
	mp.nb_windows = kept;
}

/* The window a DEL names. */
static bool
window_is(const struct mp_window *w, const struct mp_body *del)
{
	return w->ev.handler == del->handler && w->ev.mem_id == del->mem_id;
}

static void
keep_removed(const struct mp_body *b, int fd)
{
	RTE_SET_USED(fd);
	windows_drop(window_is, b);
}

void
dxa_mp_window_removed(uint16_t handler, uint32_t mem_id)
{
	const struct mp_body b = {
		.op = MP_DEL, .handler = handler, .mem_id = mem_id,
	};

	mp_forward(&b, -1, keep_removed);
}

/* What a KILL covers: its handler, or with handler 0 its group. */
static bool
killed_by(const struct mp_body *kill, int16_t group_id, uint16_t handler)
{
	return kill->handler != 0 ? handler == kill->handler :
		group_id == kill->group_id;
}

static bool
window_of(const struct mp_window *w, const struct mp_body *kill)
{
	return killed_by(kill, w->ev.group_id, w->ev.handler);
}

static void
keep_killed(const struct mp_body *b, int fd)
{
	unsigned int i, kept = 0;

	RTE_SET_USED(fd);
	windows_drop(window_of, b);
	for (i = 0; i < mp.nb_handlers; i++) {
		const struct mp_handler *h = &mp.handlers[i];

		if (!killed_by(b, h->group_id, h->handler))
			mp.handlers[kept++] = *h;
	}
	mp.nb_handlers = kept;
}

void
dxa_mp_killed(int16_t group_id, uint16_t handler)
{
	const struct mp_body b = {
		.op = MP_KILL, .group_id = group_id, .handler = handler,
	};

	mp_forward(&b, -1, keep_killed);
}

void
rte_dma_domain_mp_vchan_changed(int16_t dev_id, uint16_t vchan)
{
	const struct mp_body b = {
		.op = MP_VCHAN, .group_id = dev_id, .handler = vchan,
	};

	mp_forward(&b, -1, NULL);
}

/* A secondary starts: everything it must know, then the reply. */
static int
primary_hello(const struct rte_mp_msg *msg, const void *peer)
{
	struct mp_body b = { .op = MP_HELLO };
	struct rte_mp_msg reply;
	unsigned int i;

	RTE_SET_USED(msg);
	pthread_mutex_lock(&mp.lock);
	for (i = 0; i < mp.nb_handlers; i++) {
		struct mp_body l = {
			.op = MP_LEARN, .group_id = mp.handlers[i].group_id,
			.handler = mp.handlers[i].handler,
			.own = mp.handlers[i].own,
		};

		mp_send(&l, -1);
	}
	for (i = 0; i < mp.nb_windows; i++) {
		struct mp_body a = { .op = MP_ADD, .ev = mp.windows[i].ev };

		mp_send(&a, mp.windows[i].fd);
	}
	b.status = (int32_t)mp.nb_windows;
	b.pid = (int32_t)getpid();
	mp_msg_init(&reply, &b);
	i = rte_mp_reply(&reply, peer);
	pthread_mutex_unlock(&mp.lock);
	return (int)i;
}

/* ---- Secondary: do as the primary did -------------------------------- */

static int
secondary_action(const struct rte_mp_msg *msg, const void *peer)
{
	struct mp_body b, r = { 0 };
	struct rte_mp_msg reply;
	int fd = msg->num_fds > 0 ? msg->fds[0] : -1;
	const struct rte_dma_domain_ops *ops;
	int i;

	/* Only an ADD carries a descriptor, and only one. */
	for (i = 1; i < msg->num_fds; i++)
		close(msg->fds[i]);
	if (msg->len_param != (int)sizeof(b)) {
		DOMAIN_LOG_RL(ERR, "malformed message from the primary process (%d bytes)",
			msg->len_param);
		if (fd >= 0)
			close(fd);
		return -EINVAL;
	}
	memcpy(&b, msg->param, sizeof(b));
	switch (b.op) {
	case MP_LEARN:
		dxa_map_learn(b.group_id, b.handler, b.own != 0);
		break;
	case MP_ADD:
		if (fd < 0) {
			DOMAIN_LOG_RL(ERR, "window %u of handler %u from the primary process came without its descriptor",
				b.ev.mem_id, b.ev.handler);
			break;
		}
		/* Every secondary hears each ADD; one may have it already. */
		if (!dxa_map_has_window(b.ev.handler, b.ev.mem_id))
			dxa_window_map(&b.ev, fd);
		break;
	case MP_DEL:
		dxa_map_window_del(b.handler, b.mem_id);
		break;
	case MP_KILL:
		if (b.handler != 0)
			dxa_map_kill(b.handler);
		else
			dxa_map_kill_group(b.group_id);
		break;
	case MP_VCHAN:
		ops = rte_dma_domain_ops_get(b.group_id);
		if (ops != NULL && ops->vchan_refresh != NULL)
			ops->vchan_refresh(b.group_id, b.handler);
		break;
	default:
		DOMAIN_LOG_RL(ERR, "unknown message %u from the primary process",
			b.op);
		break;
	}
	if (fd >= 0)
		close(fd);
	if (!b.request)
		return 0;
	r.op = b.op;
	mp_msg_init(&reply, &r);
	return rte_mp_reply(&reply, peer);
}

/*
 * A secondary outliving its primary would keep writing into windows whose
 * owners the broker has told the primary is gone, and who may reuse them:
 * a thread waits on the primary's pidfd and, the moment it exits, kills
 * every map here (operations fail with DEV_LINK_ERROR, the windows are
 * unmapped once no operation can use them).
 */
static uint32_t
primary_watch(void *arg)
{
	struct pollfd p = { .fd = (int)(intptr_t)arg, .events = POLLIN };

	while (poll(&p, 1, -1) < 0 && errno == EINTR)
		;
	DOMAIN_LOG(ERR, "the primary process exited: every window of this secondary goes");
	dxa_map_kill_all();
	close(p.fd);
	return 0;
}

static void
primary_watch_start(pid_t pid)
{
	rte_thread_t t;
	int fd;

	fd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (fd < 0) {
		DOMAIN_LOG(WARNING, "cannot watch the primary process %d (%s): if it dies, this process keeps its windows until it exits",
			(int)pid, strerror(errno));
		return;
	}
	if (rte_thread_create(&t, NULL, primary_watch,
			(void *)(intptr_t)fd) != 0) {
		DOMAIN_LOG(WARNING, "cannot start the thread that watches the primary: if it dies, this process keeps its windows until it exits");
		close(fd);
		return;
	}
	rte_thread_detach(t);
}

static int
secondary_hello(void)
{
	struct timespec ts = { .tv_sec = DXA_MP_TIMEOUT_S };
	struct mp_body b = { .op = MP_HELLO };
	struct rte_mp_reply reply = { 0 };
	struct rte_mp_msg m;
	int ret = 0;

	mp_msg_init(&m, &b);
	if (rte_mp_request_sync(&m, &reply, &ts) != 0 ||
			reply.nb_received != 1) {
		ret = rte_errno != 0 ? -rte_errno : -ETIMEDOUT;
		DOMAIN_LOG(ERR, "the primary process did not send its windows: %s",
			strerror(-ret));
	} else {
		memcpy(&b, reply.msgs[0].param, sizeof(b));
		DOMAIN_LOG(DEBUG, "caught up with the primary: %d windows",
			b.status);
		primary_watch_start((pid_t)b.pid);
	}
	free(reply.msgs);
	return ret;
}

/*
 * The primary keeps a descriptor per window (up to 16384 per peer): let
 * it use what the hard limit allows, not only the soft one.
 */
static void
fd_limit_raise(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
			DOMAIN_LOG(DEBUG, "cannot raise the descriptor limit: %s",
				strerror(errno));
	}
}

int
rte_dma_domain_mp_init(void)
{
	int ret = 0;

	pthread_mutex_lock(&mp.lock);
	if (mp.tried) {
		ret = mp.active ? 0 : -ENOTSUP;
		pthread_mutex_unlock(&mp.lock);
		return ret;
	}
	mp.tried = true;
	if (rte_mp_action_register(DXA_MP_ACTION, mp_primary() ?
			primary_hello : secondary_action) != 0) {
		/* No channel (--in-memory, --no-shconf): nobody to tell. */
		ret = rte_errno == ENOTSUP ? -ENOTSUP : -rte_errno;
		if (ret != -ENOTSUP || !mp_primary())
			DOMAIN_LOG(ERR, "cannot register the multi-process action: %s",
				rte_strerror(-ret));
		pthread_mutex_unlock(&mp.lock);
		return ret;
	}
	mp.active = true;
	if (mp_primary())
		fd_limit_raise();
	pthread_mutex_unlock(&mp.lock);
	/* Outside the lock: the primary's messages run on our mp thread. */
	if (!mp_primary())
		ret = secondary_hello();
	return ret;
}

bool
dxa_in_secondary(void)
{
	if (mp_primary())
		return false;
	DOMAIN_LOG_RL(ERR, "group membership, memory registration and grants belong to the primary process: call them there, not in a secondary (-E_RTE_SECONDARY)");
	return true;
}

/*
 * A forked child is no primary of anyone: it keeps nothing, not even the
 * window descriptors, which would otherwise keep the peers' memory alive
 * for as long as the child runs.
 */
static void
mp_forget(void)
{
	unsigned int i;

	pthread_mutex_init(&mp.lock, NULL);
	mp.active = false;
	mp.tried = false;
	for (i = 0; i < mp.nb_windows; i++)
		close(mp.windows[i].fd);
	free(mp.windows);
	mp.windows = NULL;
	mp.nb_windows = mp.cap_windows = 0;
	free(mp.handlers);
	mp.handlers = NULL;
	mp.nb_handlers = mp.cap_handlers = 0;
}

RTE_INIT(mp_init)
{
	pthread_atfork(NULL, NULL, mp_forget);
}
