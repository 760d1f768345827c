/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-dma-xd authors
 */

/*
 * The host's end of a VM channel (dma_access_vm.h): one guest session at
 * a time between QEMU's chardev socket and a broker connection of its own.
 * One thread, one poll loop; blocking writes (a frame is at most
 * DXA_MSG_MAX bytes, and QEMU and the broker both read what they get).
 */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "dma_access_conn.h"
#include "dma_access_log.h"
#include "dma_access_vm.h"

#define RLOG(r, level, fmt, ...) \
	DXA_LOG_RL_TYPE(level, (r)->conf->logtype, "vm %s: " fmt, \
		(r)->conf->name, ##__VA_ARGS__)

/* Retry of a channel whose QEMU is not (yet, or any more) there. */
#define CHAN_RETRY_MS 50
/*
 * How long a channel stays disconnected after the relay broke it: the
 * guest sees end-of-file only while the host end is not connected, and
 * an emulated guest may take a while to look.
 */
#define CHAN_BREAK_MS 500

/* A window relayed to the guest: its removal is the guest's to answer. */
struct fwd {
	int16_t group_id;
	uint16_t handler;
	uint32_t mem_id;
};

struct relay {
	const struct dxa_vm_relay_conf *conf;
	int region_rw;           /* the region, for writable windows */
	int region_ro;           /* and for read-only ones */
	dev_t region_dev;
	ino_t region_ino;
	uint64_t region_size;
	int chan;                /* QEMU's socket, or -1 */
	bool broke;              /* the relay broke it: wait CHAN_BREAK_MS */
	int broker;              /* this session's, or -1 */
	bool in_session;         /* a hello came: frames follow */
	uint64_t nonce;          /* the session's hello's */
	uint8_t in[2 * DXA_MSG_MAX];
	size_t in_len;
	struct fwd *fwd;
	uint32_t nb_fwd;
	uint32_t cap_fwd;
};

static int
write_all(int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	ssize_t n;

	while (len > 0) {
		n = send(fd, p, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -EPIPE;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* End the session: its broker connection goes, and its memberships. */
static void
session_end(struct relay *r)
{
	if (r->broker >= 0)
		close(r->broker);
	r->broker = -1;
	r->in_session = false;
	r->nb_fwd = 0;
}

/*
 * Break the stream too: the guest reads end-of-file, and its library
 * knows its connection is gone. The next connection starts clean.
 */
static void
chan_drop(struct relay *r)
{
	const struct dxa_vm_hello bye = {
		.magic = DXA_VM_HELLO_MAGIC, .version = DXA_VM_BYE_VERSION,
	};

	/* Queued in the guest's port: read even by a guest slow to look. */
	if (r->chan >= 0 && r->in_session)
		send(r->chan, &bye, sizeof(bye), MSG_NOSIGNAL | MSG_DONTWAIT);
	session_end(r);
	if (r->chan >= 0)
		close(r->chan);
	r->chan = -1;
	r->in_len = 0;
}

static int
chan_connect(struct relay *r)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(r->conf->chan_path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, r->conf->chan_path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	r->chan = fd;
	r->in_len = 0;
	r->in_session = false;
	return 0;
}

/* A reply of status @status to the guest's request @h, from the relay. */
static int
reply_guest(struct relay *r, const struct dxa_hdr *req, int32_t status)
{
	uint8_t msg[DXA_MSG_MAX] = { 0 };
	uint16_t type = req->type | DXA_REPLY;
	int len = dxa_body_size(type);
	struct dxa_hdr h;

	if (len < (int)sizeof(status))
		return -EPROTO;
	dxa_hdr_init(&h, type, req->seq, (size_t)len);
	memcpy(msg, &h, sizeof(h));
	memcpy(msg + sizeof(h), &status, sizeof(status));
	return write_all(r->chan, msg, sizeof(h) + (size_t)len);
}

static int
fwd_find(const struct relay *r, int16_t group, uint16_t handler,
		uint32_t mem_id)
{
	uint32_t i;

	for (i = 0; i < r->nb_fwd; i++)
		if (r->fwd[i].group_id == group && r->fwd[i].handler == handler &&
				r->fwd[i].mem_id == mem_id)
			return (int)i;
	return -1;
}

static int
fwd_add(struct relay *r, int16_t group, uint16_t handler, uint32_t mem_id)
{
	struct fwd *f;
	uint32_t cap;

	if (r->nb_fwd == r->cap_fwd) {
		cap = r->cap_fwd == 0 ? 64 : 2 * r->cap_fwd;
		f = realloc(r->fwd, cap * sizeof(*f));
		if (f == NULL)
			return -ENOMEM;
		r->fwd = f;
		r->cap_fwd = cap;
	}
	r->fwd[r->nb_fwd++] = (struct fwd){ group, handler, mem_id };
	return 0;
}

/*
 * One checked frame of the guest. Returns 0, or a negative errno: the
 * guest broke the rules, and loses its session.
 */
static int
from_guest(struct relay *r, const uint8_t *msg, size_t len)
{
	const uint8_t *body = msg + sizeof(struct dxa_hdr);
	size_t blen = len - sizeof(struct dxa_hdr);
	struct dxa_mem_export e;
	struct dxa_mem_released rel;
	struct dxa_hdr h;
	int ret, i, fd;

	ret = dxa_msg_check(msg, len, 0);
	if (ret < 0) {
		RLOG(r, WARNING, "malformed message from the guest: its session ends");
		return ret;
	}
	memcpy(&h, msg, sizeof(h));
	switch (h.type) {
	case DXA_GROUP_CREATE:
	case DXA_GROUP_JOIN:
	case DXA_GROUP_LEAVE:
	case DXA_GROUP_DESTROY:
	case DXA_HANDLER_GET:
	case DXA_MEM_EXPORT:
	case DXA_MEM_UNEXPORT:
	case DXA_MEM_RELEASED:
		break;
	case DXA_GRANT_CREATE:
	case DXA_GRANT_ATTACH:
	case DXA_GRANT_REVOKE:
		/* Class B grants are not relayed (yet): said, not fatal. */
		return reply_guest(r, &h, -ENOTSUP);
	default:
		/* Administration is the host's: a guest is never an admin. */
		return reply_guest(r, &h, -EPERM);
	}
	if (r->broker < 0) {
		r->broker = dxa_conn_open(r->conf->broker_path);
		if (r->broker < 0) {
			RLOG(r, ERR, "no access broker at %s: %s",
				r->conf->broker_path, strerror(-r->broker));
			r->broker = -1;
			return reply_guest(r, &h, -ECONNREFUSED);
		}
	}
	if (h.type == DXA_MEM_EXPORT) {
		memcpy(&e, body, sizeof(e));
		/* The guest names bytes of its region; only those it has. */
		if (e.offset % DXA_MEM_ALIGN != 0 || e.offset > r->region_size ||
				e.len > r->region_size - e.offset) {
			RLOG(r, WARNING, "guest claims [%#" PRIx64 ", +%#" PRIx64 ") outside its %#" PRIx64 "-byte region: its session ends",
				e.offset, e.len, r->region_size);
			return -ERANGE;
		}
		fd = (e.perm & DXA_PERM_WRITE) != 0 ? r->region_rw : r->region_ro;
		return dxa_conn_send_fd(r->broker, h.type, h.seq, body, blen, fd);
	}
	if (h.type == DXA_MEM_RELEASED) {
		memcpy(&rel, body, sizeof(rel));
		for (i = 0; i < (int)r->nb_fwd; i++)
			if (r->fwd[i].handler == rel.handler &&
					r->fwd[i].mem_id == rel.mem_id)
				r->fwd[i--] = r->fwd[--r->nb_fwd];
	}
	return dxa_conn_send(r->broker, h.type, h.seq, body, blen);
}

/* Frames in r->in: hellos, then messages. Returns -errno to drop. */
static int
guest_input(struct relay *r)
{
	struct dxa_vm_hello hello;
	struct dxa_hdr h;
	size_t used = 0, i;
	int ret = 0;

	while (ret == 0) {
		size_t have = r->in_len - used;
		const uint8_t *p = r->in + used;

		if (!r->in_session) {
			/* Skip to a hello: what precedes it is stale. */
			for (i = 0; i + sizeof(hello) <= have; i++) {
				memcpy(&hello, p + i, sizeof(hello));
				if (hello.magic == DXA_VM_HELLO_MAGIC &&
						hello.version == DXA_VERSION)
					break;
			}
			if (i + sizeof(hello) > have) {
				/* Keep a possible start of a hello. */
				used += have > sizeof(hello) ?
					have - sizeof(hello) + 1 : 0;
				break;
			}
			used += i + sizeof(hello);
			session_end(r);
			ret = write_all(r->chan, &hello, sizeof(hello));
			r->in_session = true;
			r->nonce = hello.nonce;
			continue;
		}
		if (have < sizeof(h))
			break;
		memcpy(&h, p, sizeof(h));
		if (h.magic == DXA_VM_HELLO_MAGIC) {
			if (have < sizeof(hello))
				break;
			memcpy(&hello, p, sizeof(hello));
			if (hello.version == DXA_VERSION &&
					hello.nonce == r->nonce) {
				/* The session's own, sent again: answered. */
				used += sizeof(hello);
				continue;
			}
			/* A new process opened the channel: a new session. */
			r->in_session = false;
			continue;
		}
		if (h.magic != DXA_MAGIC || h.length < sizeof(h) ||
				h.length > DXA_MSG_MAX) {
			RLOG(r, WARNING, "not a frame on the channel: the guest's session ends");
			return -EPROTO;
		}
		if (have < h.length)
			break;
		ret = from_guest(r, p, h.length);
		used += h.length;
	}
	memmove(r->in, r->in + used, r->in_len - used);
	r->in_len -= used;
	return ret;
}

/* A message of the broker for the guest, with its descriptor if any. */
static int
to_guest(struct relay *r, const uint8_t *msg, size_t len, int rx_fd)
{
	struct dxa_mem_released rel = { 0 };
	struct dxa_mem_event ev;
	struct dxa_hdr h;
	struct stat st;
	bool inside;
	int i;

	memcpy(&h, msg, sizeof(h));
	if (h.type != DXA_MEM_EVENT) {
		if (rx_fd >= 0)
			close(rx_fd);
		return write_all(r->chan, msg, len);
	}
	memcpy(&ev, msg + sizeof(h), sizeof(ev));
	if (ev.event == DXA_MEM_ADD) {
		/* Only a window of the region the guest shares can reach it. */
		inside = rx_fd >= 0 && fstat(rx_fd, &st) == 0 &&
			st.st_dev == r->region_dev && st.st_ino == r->region_ino &&
			ev.offset <= r->region_size &&
			ev.len <= r->region_size - ev.offset;
		if (rx_fd >= 0)
			close(rx_fd);
		if (!inside)
			return 0;
		if (fwd_add(r, ev.group_id, ev.handler, ev.mem_id) != 0)
			return 0;
		return write_all(r->chan, msg, len);
	}
	if (rx_fd >= 0)
		close(rx_fd);
	i = fwd_find(r, ev.group_id, ev.handler, ev.mem_id);
	if (i >= 0)
		return write_all(r->chan, msg, len);
	/* Never relayed, never mapped: released at once, for the guest. */
	rel.handler = ev.handler;
	rel.mem_id = ev.mem_id;
	return dxa_conn_send(r->broker, DXA_MEM_RELEASED, 0, &rel,
		sizeof(rel));
}

static int
region_open(struct relay *r)
{
	struct stat st;
	bool sealed;
	int ret;

	r->region_rw = open(r->conf->region_path, O_RDWR | O_CLOEXEC);
	if (r->region_rw < 0)
		return -errno;
	r->region_ro = open(r->conf->region_path, O_RDONLY | O_CLOEXEC);
	if (r->region_ro < 0 || fstat(r->region_rw, &st) != 0)
		return -errno;
	r->region_dev = st.st_dev;
	r->region_ino = st.st_ino;
	r->region_size = (uint64_t)st.st_size;
	/* Host peers map it: the rules of any window's descriptor apply. */
	ret = dxa_mem_fd_check(r->region_rw, 0, r->region_size, DXA_PERM_ALL,
		&sealed);
	if (ret != 0 || r->region_size == 0)
		return ret != 0 ? ret : -EBADF;
	return 0;
}

int
dxa_vm_relay_run(const struct dxa_vm_relay_conf *conf)
{
	struct relay r = {
		.conf = conf, .region_rw = -1, .region_ro = -1, .chan = -1,
		.broker = -1,
	};
	uint8_t msg[DXA_MSG_MAX];
	struct pollfd p[3];
	ssize_t n;
	int ret, rx_fd, nb;

	ret = region_open(&r);
	if (ret != 0) {
		RLOG(&r, ERR, "region %s cannot be shared: %s (a memfd sealed against shrinking and growing, e.g. QEMU's memory-backend-memfd)",
			conf->region_path, strerror(-ret));
		goto out;
	}
	for (;;) {
		p[0] = (struct pollfd){ .fd = conf->stop_fd, .events = POLLIN };
		nb = 1;
		if (r.broke) {
			r.broke = false;
			if (poll(p, 1, CHAN_BREAK_MS) > 0)
				break;
		}
		if (r.chan < 0 && chan_connect(&r) != 0) {
			if (poll(p, 1, CHAN_RETRY_MS) > 0)
				break;
			continue;
		}
		p[nb++] = (struct pollfd){ .fd = r.chan, .events = POLLIN };
		if (r.broker >= 0)
			p[nb++] = (struct pollfd){ .fd = r.broker, .events = POLLIN };
		if (poll(p, nb, -1) < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			break;
		}
		if (p[0].revents != 0)
			break;
		if (p[1].revents != 0) {
			n = read(r.chan, r.in + r.in_len, sizeof(r.in) - r.in_len);
			if (n <= 0) {
				/* QEMU is gone: so are the guest's memberships. */
				RLOG(&r, NOTICE, "channel closed: the guest's memberships end");
				chan_drop(&r);
				continue;
			}
			r.in_len += (size_t)n;
			if (guest_input(&r) != 0) {
				chan_drop(&r);
				r.broke = true;
				continue;
			}
		}
		if (nb == 3 && p[2].revents != 0 && r.broker >= 0) {
			n = dxa_conn_recv_fd(r.broker, msg, 0, &rx_fd);
			if (n == -ETIMEDOUT)
				continue;
			if (n < 0) {
				RLOG(&r, NOTICE, "the broker ended the guest's connection: %s",
					strerror((int)-n));
				chan_drop(&r);
				r.broke = true;
				continue;
			}
			if (to_guest(&r, msg, (size_t)n, rx_fd) != 0) {
				chan_drop(&r);
				r.broke = true;
			}
		}
	}
	ret = ret < 0 ? ret : 0;
	chan_drop(&r);
out:
	if (r.region_rw >= 0)
		close(r.region_rw);
	if (r.region_ro >= 0)
		close(r.region_ro);
	free(r.fwd);
	return ret;
}
