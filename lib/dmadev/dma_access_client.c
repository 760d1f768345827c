/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-dma-xd authors
 */

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_lcore.h>

#include "dma_access_broker.h"
#include "dma_access_client.h"
#include "dma_access_conn.h"
#include "dma_access_vm.h"
#include "dmadev_domain_private.h"

/* RTE_DMA_ACCESS_BROKER: "auto" (default), "daemon" or "embedded". */
#define BROKER_ENV "RTE_DMA_ACCESS_BROKER"
/* A guest's channel to its VM relay (dma_access_vm.h). */
#define CHANNEL_ENV "RTE_DMA_ACCESS_CHANNEL"
#define EVENT_QUEUE 256

struct ev_item {
	bool lost;
	uint32_t gen;              /* lost: which connection */
	struct dxa_event ev;
};

static struct {
	pthread_mutex_t lock;      /* everything below */
	pthread_cond_t cond;       /* reply arrived, connection changed */
	pthread_mutex_t call_lock; /* one request in flight */
	int fd;                    /* -1: not connected */
	uint32_t gen;              /* number of the connection in fd */
	bool reader_alive;
	pthread_t reader;
	uint32_t seq;
	/* the request in flight */
	uint32_t want_seq;
	uint16_t want_type;
	bool have_reply;
	uint8_t reply[DXA_MSG_MAX];
	/*
	 * Time the reader has spent mapping windows, in ns, and when the
	 * mapping in progress began (0: none). A reply may follow thousands
	 * of window events, each mapped before the next is read, and each
	 * may wait for secondary processes: that time is this process's,
	 * and a caller's wait for the broker does not count it.
	 */
	uint64_t mapping_ns;
	uint64_t mapping_since;
	/* events, and the thread that hands them out */
	struct ev_item queue[EVENT_QUEUE];
	uint32_t q_head, q_tail;
	pthread_cond_t q_cond;
	bool event_thread_alive;
	bool event_stop;           /* the event thread returns when idle */
	pthread_t event_thread;
	dxa_client_event_fn handler;
	const struct dxa_client_mem_hooks *mem;
	/* embedded broker */
	struct dxa_broker *broker;
	pthread_t broker_thread;
} cl = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.cond = PTHREAD_COND_INITIALIZER,
	.call_lock = PTHREAD_MUTEX_INITIALIZER,
	.q_cond = PTHREAD_COND_INITIALIZER,
	.fd = -1,
};

void
dxa_client_set_handler(dxa_client_event_fn fn)
{
	pthread_mutex_lock(&cl.lock);
	cl.handler = fn;
	pthread_mutex_unlock(&cl.lock);
}

void
dxa_client_set_mem_hooks(const struct dxa_client_mem_hooks *hooks)
{
	pthread_mutex_lock(&cl.lock);
	cl.mem = hooks;
	pthread_mutex_unlock(&cl.lock);
}

uint32_t
dxa_client_generation(void)
{
	uint32_t gen;

	pthread_mutex_lock(&cl.lock);
	gen = cl.gen;
	pthread_mutex_unlock(&cl.lock);
	return gen;
}

/* Called with cl.lock held. */
static void
queue_push(const struct ev_item *it)
{
	if (cl.q_head - cl.q_tail >= EVENT_QUEUE - 1 && !it->lost) {
		/*
		 * A handler this far behind would miss departures. Drop the
		 * connection instead: the broker then ends every membership of
		 * this process, as this process will, and both agree. The
		 * last slot is kept for the "lost" that follows.
		 */
		if (cl.fd >= 0)
			dxa_conn_shutdown(cl.fd);
		return;
	}
	if (cl.q_head - cl.q_tail >= EVENT_QUEUE)
		return;
	cl.queue[cl.q_head++ % EVENT_QUEUE] = *it;
	pthread_cond_signal(&cl.q_cond);
}

static void *
event_main(void *arg)
{
	struct ev_item it;
	dxa_client_event_fn fn;

	RTE_SET_USED(arg);
	pthread_mutex_lock(&cl.lock);
	for (;;) {
		while (cl.q_head == cl.q_tail && !cl.event_stop)
			pthread_cond_wait(&cl.q_cond, &cl.lock);
		if (cl.q_head == cl.q_tail)
			break;
		it = cl.queue[cl.q_tail++ % EVENT_QUEUE];
		fn = cl.handler;
		/* The handler runs application code: no lock held. */
		pthread_mutex_unlock(&cl.lock);
		if (fn != NULL)
			fn(it.lost ? NULL : &it.ev, it.lost, it.gen);
		pthread_mutex_lock(&cl.lock);
	}
	pthread_mutex_unlock(&cl.lock);
	return NULL;
}

/* Called with cl.lock held. */
static void
conn_lost(void)
{
	struct ev_item lost = { .lost = true, .gen = cl.gen };

	if (cl.fd >= 0) {
		dxa_conn_close(cl.fd);
		cl.fd = -1;
	}
	queue_push(&lost);
	pthread_cond_broadcast(&cl.cond);
}

static uint64_t
now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static void
ts_add_ns(struct timespec *t, uint64_t ns)
{
	ns += (uint64_t)t->tv_nsec;
	t->tv_sec += (time_t)(ns / 1000000000u);
	t->tv_nsec = (long)(ns % 1000000000u);
}

/* Called with cl.lock held: all the reader's mapping time so far. */
static uint64_t
mapping_time(void)
{
	return cl.mapping_ns +
		(cl.mapping_since != 0 ? now_ns() - cl.mapping_since : 0);
}

static void *
reader_main(void *arg)
{
	uint8_t buf[DXA_MSG_MAX];
	int fd = (int)(intptr_t)arg;
	struct dxa_hdr h;
	int n, rx_fd;

	for (;;) {
		n = dxa_conn_recv_fd(fd, buf, -1, &rx_fd);
		if (n > 0) {
			memcpy(&h, buf, sizeof(h));
			if (h.type == DXA_MEM_EVENT) {
				struct dxa_mem_event ev;

				/*
				 * Handled here, in stream order, so a window
				 * is mapped before any reply that follows it
				 * reaches a caller. No lock: mapping may wait
				 * for executors.
				 */
				memcpy(&ev, buf + sizeof(h), sizeof(ev));
				pthread_mutex_lock(&cl.lock);
				cl.mapping_since = now_ns();
				pthread_mutex_unlock(&cl.lock);
				if (cl.mem != NULL)
					cl.mem->event(fd, &ev, rx_fd);
				else if (rx_fd >= 0)
					close(rx_fd);
				pthread_mutex_lock(&cl.lock);
				cl.mapping_ns += now_ns() - cl.mapping_since;
				cl.mapping_since = 0;
				pthread_mutex_unlock(&cl.lock);
				continue;
			}
			/* Only window events carry descriptors. */
			if (rx_fd >= 0)
				close(rx_fd);
		}
		pthread_mutex_lock(&cl.lock);
		if (n < 0 || cl.fd != fd) {
			if (cl.fd == fd)
				conn_lost();
			cl.reader_alive = false;
			pthread_cond_broadcast(&cl.cond);
			pthread_mutex_unlock(&cl.lock);
			if (n == -EPROTO || n == -EMSGSIZE)
				DOMAIN_LOG_RL(ERR, "malformed message from the access broker: disconnected");
			return NULL;
		}
		if (h.type == DXA_EVENT) {
			struct ev_item it = { .lost = false };

			memcpy(&it.ev, buf + sizeof(h), sizeof(it.ev));
			queue_push(&it);
		} else if (h.seq == cl.want_seq &&
				h.type == (cl.want_type | DXA_REPLY) &&
				!cl.have_reply) {
			memcpy(cl.reply, buf, (size_t)n);
			cl.have_reply = true;
			pthread_cond_broadcast(&cl.cond);
		}
		pthread_mutex_unlock(&cl.lock);
	}
}

static void *
broker_main(void *arg)
{
	dxa_broker_run(arg);
	return NULL;
}

static bool
may_embed(void)
{
	const char *mode = getenv(BROKER_ENV);

	return mode == NULL || strcmp(mode, "daemon") != 0;
}

static bool
must_embed(void)
{
	const char *mode = getenv(BROKER_ENV);

	return mode != NULL && strcmp(mode, "embedded") == 0;
}

/* mkdir -p of the socket's directory, private to this uid when created. */
static int
make_parent_dir(const char *path)
{
	char dir[PATH_MAX];
	char *p;

	if (strlen(path) >= sizeof(dir))
		return -ENAMETOOLONG;
	strcpy(dir, path);
	p = strrchr(dir, '/');
	if (p == NULL || p == dir)
		return 0;
	*p = '\0';
	for (p = dir + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0755) != 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return -errno;
	return 0;
}

/*
 * A default socket path must sit in a directory that only this uid or root
 * controls: otherwise another user could have created it first (the /tmp
 * fallback) and collect the tokens members present there. A path given in
 * RTE_DMA_ACCESS_SOCKET is the user's explicit choice and is not judged.
 */
static int
socket_dir_check(const char *path)
{
	char dir[PATH_MAX];
	struct stat st;
	char *p;

	if (getenv("RTE_DMA_ACCESS_SOCKET") != NULL)
		return 0;
	if (strlen(path) >= sizeof(dir))
		return -ENAMETOOLONG;
	strcpy(dir, path);
	p = strrchr(dir, '/');
	if (p == NULL || p == dir)
		return 0;
	*p = '\0';
	if (lstat(dir, &st) != 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISDIR(st.st_mode) ||
			(st.st_uid != geteuid() && st.st_uid != 0) ||
			(st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
		DOMAIN_LOG_RL(ERR, "%s is not a directory of this user or root, closed to others: not using the broker socket in it (fix its owner and mode, or set RTE_DMA_ACCESS_SOCKET)",
			dir);
		return -EPERM;
	}
	return 0;
}

/*
 * Start the embedded broker on @path, admitting @secret for this uid and
 * root. Called with cl.lock held and no connection.
 */
static int
embed_start(const char *path, const uint8_t *secret)
{
	struct dxa_broker_conf conf = {
		.socket_path = path,
		.socket_mode = 0600,
		.logtype = rte_dma_domain_logtype,
	};
	struct dxa_policy policy = { .nb_uids = 1 };
	int ret;

	if (cl.broker != NULL)
		return -EADDRINUSE;
	ret = make_parent_dir(path);
	if (ret == 0)
		ret = socket_dir_check(path);
	if (ret != 0)
		return ret;
	cl.broker = dxa_broker_create(&conf, &ret);
	if (cl.broker == NULL)
		return ret;
	policy.uids[0] = (uint32_t)geteuid();
	if (geteuid() != 0)
		policy.uids[policy.nb_uids++] = 0;
	ret = dxa_broker_token_add(cl.broker, secret, &policy);
	if (ret == 0)
		ret = dxa_ctrl_thread_create(&cl.broker_thread, "dma-xd-broker",
			broker_main, cl.broker);
	if (ret != 0) {
		dxa_broker_destroy(cl.broker);
		cl.broker = NULL;
		return ret;
	}
	DOMAIN_LOG(INFO, "no access broker was running: an embedded one, in this process, listens on %s (it admits this create's token, for this user and root, and ends with this process)",
		path);
	return 0;
}

/*
 * No broker answers at @path: say where this process looked and what
 * would put a broker there. @creating: the call was a create (it may
 * start the embedded broker); otherwise a join or attach, which never do.
 */
static void
refused_log(const char *path, bool creating)
{
	const char *from = getenv("RTE_DMA_ACCESS_SOCKET") != NULL ?
		" (from RTE_DMA_ACCESS_SOCKET)" : " (the default for this user)";

	if (creating && !may_embed())
		DOMAIN_LOG_RL(ERR, "no access broker listens on %s%s, and RTE_DMA_ACCESS_BROKER=daemon forbids an embedded one: start dpdk-dma-access daemon",
			path, from);
	else if (creating)
		DOMAIN_LOG_RL(ERR, "no access broker answers on %s%s, and none could be embedded there",
			path, from);
	else
		DOMAIN_LOG_RL(ERR, "no access broker listens on %s%s: a joiner never starts one; reach the group creator's broker (the same user shares its embedded broker's socket; otherwise set RTE_DMA_ACCESS_SOCKET to it, or run dpdk-dma-access daemon)",
			path, from);
}

/* Called with cl.lock held. */
static int
connect_locked(const uint8_t *embed_secret)
{
	char path[PATH_MAX];
	int fd, ret;

	if (cl.fd >= 0)
		return 0;
	/* The reader of a broken connection must be gone before a new one. */
	while (cl.reader_alive)
		pthread_cond_wait(&cl.cond, &cl.lock);
	/* In a guest: the channel its VM's relay serves; no embedding. */
	if (getenv(CHANNEL_ENV) != NULL) {
		fd = dxa_vm_chan_open(getenv(CHANNEL_ENV));
		if (fd < 0) {
			DOMAIN_LOG_RL(ERR, "cannot open the VM channel %s: %s",
				getenv(CHANNEL_ENV), strerror(-fd));
			return -ECONNREFUSED;
		}
		goto connected;
	}
	ret = dxa_default_socket_path(path, sizeof(path));
	if (ret == 0)
		ret = socket_dir_check(path);
	if (ret != 0)
		return ret;
	if (embed_secret != NULL && must_embed()) {
		ret = embed_start(path, embed_secret);
		if (ret != 0 && ret != -EADDRINUSE)
			return ret;
	}
	fd = dxa_conn_open(path);
	if ((fd == -ENOENT || fd == -ECONNREFUSED) && embed_secret != NULL &&
			may_embed() && cl.broker == NULL) {
		ret = embed_start(path, embed_secret);
		if (ret == -EACCES || ret == -EPERM)
			DOMAIN_LOG_RL(ERR, "cannot create an embedded access broker at %s: %s",
				path, strerror(-ret));
		if (ret == -EADDRINUSE || ret == -EACCES || ret == -EPERM) {
			refused_log(path, true);
			return -ECONNREFUSED;
		}
		if (ret != 0)
			return ret;
		fd = dxa_conn_open(path);
	}
	/*
	 * A socket this user may not use is, for this user, no broker at
	 * all; -EACCES is kept for what the broker refuses.
	 */
	if (fd == -EACCES || fd == -EPERM)
		DOMAIN_LOG_RL(ERR, "no permission to use the access broker socket %s: it belongs to another user (set RTE_DMA_ACCESS_SOCKET to a broker this user may reach)",
			path);
	if (fd == -ENOENT || fd == -ECONNREFUSED)
		refused_log(path, embed_secret != NULL);
	if (fd == -ENOENT || fd == -EACCES || fd == -EPERM)
		fd = -ECONNREFUSED;
	if (fd < 0)
		return fd;
connected:
	/* The broker forgot our exports with the last connection. */
	if (cl.mem != NULL)
		cl.mem->opened(fd);
	if (!cl.event_thread_alive) {
		ret = dxa_ctrl_thread_create(&cl.event_thread, "dma-xd-event",
			event_main, NULL);
		if (ret != 0) {
			dxa_conn_close(fd);
			return ret;
		}
		cl.event_thread_alive = true;
	}
	ret = dxa_ctrl_thread_create(&cl.reader, "dma-xd-client",
		reader_main, (void *)(intptr_t)fd);
	if (ret != 0) {
		dxa_conn_close(fd);
		return ret;
	}
	pthread_detach(cl.reader);
	cl.reader_alive = true;
	cl.fd = fd;
	cl.gen++;
	return 0;
}

static int
client_call(uint16_t type, const void *body, size_t body_len, int pass_fd,
		void *reply, size_t reply_len, const uint8_t *embed_secret,
		bool connect)
{
	struct timespec deadline;
	struct dxa_hdr h;
	int32_t status;
	uint64_t mapped, now;
	int ret = 0;

	pthread_mutex_lock(&cl.call_lock);
	pthread_mutex_lock(&cl.lock);
	if (connect)
		ret = connect_locked(embed_secret);
	else if (cl.fd < 0)
		ret = -ENOTCONN;
	if (ret != 0)
		goto out;
	if (++cl.seq == 0)
		cl.seq = 1;
	cl.want_seq = cl.seq;
	cl.want_type = type;
	cl.have_reply = false;
	if (pass_fd >= 0)
		ret = dxa_conn_send_fd(cl.fd, type, cl.seq, body, body_len,
			pass_fd);
	else
		ret = dxa_conn_send(cl.fd, type, cl.seq, body, body_len);
	if (ret != 0) {
		conn_lost();
		ret = -ECONNRESET;
		goto out;
	}
	/*
	 * The broker has DXA_CLIENT_TIMEOUT_MS, and the deadline moves on by
	 * the time the reader spends meanwhile mapping the windows sent
	 * ahead of the reply.
	 */
	clock_gettime(CLOCK_REALTIME, &deadline);
	mapped = mapping_time();
	deadline.tv_sec += DXA_CLIENT_TIMEOUT_MS / 1000;
	while (!cl.have_reply && cl.fd >= 0 && ret == 0) {
		ret = -pthread_cond_timedwait(&cl.cond, &cl.lock, &deadline);
		if (ret != -ETIMEDOUT)
			continue;
		now = mapping_time();
		if (now != mapped) {
			ts_add_ns(&deadline, now - mapped);
			mapped = now;
			ret = 0;
		}
	}
	if (!cl.have_reply) {
		ret = ret == -ETIMEDOUT ? -ETIMEDOUT : -ECONNRESET;
		goto out;
	}
	memcpy(&h, cl.reply, sizeof(h));
	if (h.length - sizeof(h) != reply_len) {
		ret = -EPROTO;
		goto out;
	}
	memcpy(reply, cl.reply + sizeof(h), reply_len);
	memcpy(&status, reply, sizeof(status));
	ret = status;
out:
	cl.want_seq = 0;
	pthread_mutex_unlock(&cl.lock);
	pthread_mutex_unlock(&cl.call_lock);
	return ret;
}

int
dxa_client_call(uint16_t type, const void *body, size_t body_len,
		void *reply, size_t reply_len, const uint8_t *embed_secret)
{
	return client_call(type, body, body_len, -1, reply, reply_len,
		embed_secret, true);
}

int
dxa_client_call_fd(uint16_t type, const void *body, size_t body_len,
		int pass_fd, void *reply, size_t reply_len)
{
	return client_call(type, body, body_len, pass_fd, reply, reply_len,
		NULL, false);
}

int
dxa_client_call_fd_connect(uint16_t type, const void *body, size_t body_len,
		int pass_fd, void *reply, size_t reply_len,
		const uint8_t *embed_secret)
{
	return client_call(type, body, body_len, pass_fd, reply, reply_len,
		embed_secret, true);
}

/*
 * A forked child is not a member of anything: it must neither talk over
 * the parent's connection (the parent's reader would take its replies)
 * nor keep it open (the broker would not see the parent die). Its copy of
 * the descriptor is closed; the socket stays the parent's. Threads do not
 * survive fork(), so neither do the reader, the event thread or an
 * embedded broker: the child starts from nothing at its first call.
 */
static void
client_forget(void)
{
	pthread_mutex_init(&cl.lock, NULL);
	pthread_mutex_init(&cl.call_lock, NULL);
	pthread_cond_init(&cl.cond, NULL);
	pthread_cond_init(&cl.q_cond, NULL);
	if (cl.fd >= 0)
		dxa_conn_close(cl.fd);
	cl.fd = -1;
	cl.reader_alive = false;
	cl.event_thread_alive = false;
	cl.q_head = cl.q_tail = 0;
	cl.have_reply = false;
	cl.broker = NULL;
}

RTE_INIT(dxa_client_init)
{
	pthread_atfork(NULL, NULL, client_forget);
}

void
dxa_client_shutdown(void)
{
	struct dxa_broker *b;
	bool join_events;

	/* No call in flight while the connection goes. */
	pthread_mutex_lock(&cl.call_lock);
	pthread_mutex_lock(&cl.lock);
	/* The broker ends what the connection carried; the reader sees EOF. */
	if (cl.fd >= 0)
		dxa_conn_shutdown(cl.fd);
	while (cl.reader_alive)
		pthread_cond_wait(&cl.cond, &cl.lock);
	pthread_mutex_unlock(&cl.call_lock);
	/*
	 * From here a queued callback may call the API again (it starts a
	 * new connection): call_lock is free, so that cannot deadlock with
	 * the join below.
	 */
	/* The event thread delivers what is queued (the "lost"), then ends. */
	join_events = cl.event_thread_alive &&
		!pthread_equal(pthread_self(), cl.event_thread);
	if (cl.event_thread_alive) {
		cl.event_stop = true;
		pthread_cond_signal(&cl.q_cond);
	}
	b = cl.broker;
	cl.broker = NULL;
	pthread_mutex_unlock(&cl.lock);
	if (join_events)
		pthread_join(cl.event_thread, NULL);
	else if (cl.event_thread_alive)
		pthread_detach(cl.event_thread);
	pthread_mutex_lock(&cl.lock);
	cl.event_thread_alive = false;
	cl.event_stop = false;
	pthread_mutex_unlock(&cl.lock);
	if (b != NULL) {
		dxa_broker_stop(b);
		pthread_join(cl.broker_thread, NULL);
		dxa_broker_destroy(b);
	}
}

/*
 * At exit, an embedded broker removes its socket; members connected to it
 * see the connection close, as with a crash, and get their events.
 */
RTE_FINI(dxa_client_fini)
{
	struct dxa_broker *b;

	pthread_mutex_lock(&cl.lock);
	b = cl.broker;
	cl.broker = NULL;
	pthread_mutex_unlock(&cl.lock);
	if (b == NULL)
		return;
	dxa_broker_stop(b);
	pthread_join(cl.broker_thread, NULL);
	dxa_broker_destroy(b);
}
