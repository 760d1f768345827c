/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-dma-xd authors
 */

/*
 * The other process of CMA_COPY and SOCKET_COPY: a child that owns the
 * destination buffer. (The peer of DMA_INTER_DOMAIN_COPY is domain.c's;
 * it serves the same commands on its buffer, perf_peer_serve().)
 *
 *   parent (EAL, source)                      child (no EAL)
 *   process_vm_writev() ------------------->  buffer       CMA_COPY
 *   sendmsg(header + copies) -- socketpair -> readv() into its slots,
 *                            <-------------- reply         SOCKET_COPY
 *
 * Children are forked before EAL starts: a fork of an EAL process would
 * share its memory copy-on-write (the parent's first write to each page
 * would then fault) and inherit none of its threads. A child only maps
 * its buffer, faults it in and serves fixed-size commands until its
 * socket closes; it dies with the parent (PR_SET_PDEATHSIG) and lets the
 * parent read and write its memory (PR_SET_PTRACER, for Yama).
 *
 * Commands carry the layout each time (no state in the child), and the
 * child checks them against its buffer before it touches anything.
 */

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <rte_common.h>

#include "perf.h"

/* How long a child may take to exit once its socket is closed. */
#define PEER_STOP_MS 5000

int
perf_send_all(int fd, struct iovec *iov, int nb)
{
	while (nb > 0) {
		struct msghdr mh = { .msg_iov = iov, .msg_iovlen = (size_t)nb };
		ssize_t n = sendmsg(fd, &mh, MSG_NOSIGNAL);

		/* A guest's peer talks over a virtio-serial port: no socket. */
		if (n < 0 && errno == ENOTSOCK)
			n = writev(fd, iov, nb);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -EPIPE;
		/* A stream socket may take part of it: skip what went. */
		while (nb > 0 && (size_t)n >= iov->iov_len) {
			n -= (ssize_t)iov->iov_len;
			iov++;
			nb--;
		}
		if (nb > 0) {
			iov->iov_base = (uint8_t *)iov->iov_base + n;
			iov->iov_len -= (size_t)n;
		}
	}
	return 0;
}

int
perf_recv_all(int fd, void *buf, size_t len)
{
	uint8_t *p = buf;

	while (len > 0) {
		ssize_t n = read(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -EPIPE;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int
recv_iov_all(int fd, struct iovec *iov, int nb)
{
	while (nb > 0) {
		ssize_t n = readv(fd, iov, RTE_MIN(nb, IOV_MAX));

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -EPIPE;
		while (nb > 0 && (size_t)n >= iov->iov_len) {
			n -= (ssize_t)iov->iov_len;
			iov++;
			nb--;
		}
		if (nb > 0) {
			iov->iov_base = (uint8_t *)iov->iov_base + n;
			iov->iov_len -= (size_t)n;
		}
	}
	return 0;
}

/* ---- the child ------------------------------------------------------------ */

/* The layout a command names must lie within the buffer. */
static bool
child_layout_ok(const struct perf_peer_msg *m, size_t bytes)
{
	return m->size > 0 && m->stride >= m->size && m->nb_slots > 0 &&
		m->nb_slots <= bytes / m->stride;
}

static int
child_data(int fd, uint8_t *buf, size_t bytes, const struct perf_peer_msg *m,
		struct iovec *iov)
{
	uint64_t slot = m->slot;
	uint32_t i;

	if (!child_layout_ok(m, bytes) || m->nb == 0 || m->nb > IOV_MAX ||
			slot >= m->nb_slots)
		return -EINVAL;
	for (i = 0; i < m->nb; i++) {
		iov[i].iov_base = buf + slot * m->stride;
		iov[i].iov_len = m->size;
		if (++slot == m->nb_slots)
			slot = 0;
	}
	return recv_iov_all(fd, iov, (int)m->nb);
}

bool
perf_peer_serve(const struct perf_peer_msg *m, uint8_t *buf, size_t bytes,
		struct perf_peer_reply *reply)
{
	struct perf_layout l;

	memset(reply, 0, sizeof(*reply));
	switch (m->cmd) {
	case PERF_PEER_POISON:
		memset(buf, PERF_POISON, bytes);
		return true;
	case PERF_PEER_VERIFY:
		if (!child_layout_ok(m, bytes)) {
			reply->status = -EINVAL;
			return true;
		}
		l = (struct perf_layout){ .size = (uint32_t)m->size,
			.stride = m->stride, .nb_slots = m->nb_slots,
			.bytes = bytes };
		if (!perf_region_matches(buf, 0, bytes, &l, m->written,
				&reply->m))
			reply->status = -EIO;
		return true;
	case PERF_PEER_CORRUPT:
		if (!child_layout_ok(m, bytes) || m->slot >= m->nb_slots)
			reply->status = -EINVAL;
		else
			buf[m->slot * m->stride] ^= 0xff;
		return true;
	default:
		return false;
	}
}

static void __rte_noreturn
child_main(int fd, size_t bytes)
{
	struct perf_peer_reply reply = { 0 };
	struct iovec *iov;
	uint8_t *map, *buf;

	map = mmap(NULL, bytes + PERF_DST_SKEW, PROT_READ | PROT_WRITE,
		MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	iov = calloc(IOV_MAX, sizeof(*iov));
	if (map == MAP_FAILED || iov == NULL) {
		reply.status = -ENOMEM;
		send(fd, &reply, sizeof(reply), MSG_NOSIGNAL);
		_exit(EXIT_FAILURE);
	}
	/* As the parent's destination: see PERF_DST_SKEW. */
	buf = map + PERF_DST_SKEW;
	/* Writing every page faults it in before any timing. */
	memset(buf, PERF_POISON, bytes);
	reply.value = (uint64_t)(uintptr_t)buf;
	if (send(fd, &reply, sizeof(reply), MSG_NOSIGNAL) != sizeof(reply))
		_exit(EXIT_FAILURE);

	for (;;) {
		struct perf_peer_msg m;

		/* End of file: the parent is done (or gone). */
		if (perf_recv_all(fd, &m, sizeof(m)) < 0)
			_exit(EXIT_SUCCESS);
		if (m.cmd == PERF_PEER_DATA) {
			memset(&reply, 0, sizeof(reply));
			if (child_data(fd, buf, bytes, &m, iov) < 0)
				_exit(EXIT_FAILURE);
			reply.value = m.nb;
		} else if (!perf_peer_serve(&m, buf, bytes, &reply)) {
			reply.status = -EINVAL;
		}
		if (send(fd, &reply, sizeof(reply), MSG_NOSIGNAL) != sizeof(reply))
			_exit(EXIT_FAILURE);
	}
}

/* ---- the parent ------------------------------------------------------------ */

int
perf_peer_spawn(struct perf_peer *p, size_t bytes, const int *others,
		unsigned int nb_others)
{
	struct perf_peer_reply reply;
	pid_t parent = getpid();
	unsigned int i;
	int sv[2], ret;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return -errno;
	/* Nothing buffered may be written twice, by both processes. */
	fflush(NULL);
	p->pid = fork();
	if (p->pid < 0) {
		ret = -errno;
		close(sv[0]);
		close(sv[1]);
		p->pid = 0;
		return ret;
	}
	if (p->pid == 0) {
		close(sv[0]);
		/* Another child's socket kept open here would hide its EOF. */
		for (i = 0; i < nb_others; i++)
			close(others[i]);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(EXIT_FAILURE);
		prctl(PR_SET_PTRACER, (unsigned long)parent);
		child_main(sv[1], bytes);
	}
	close(sv[1]);
	p->fd = sv[0];
	p->bytes = bytes;
	ret = perf_recv_all(p->fd, &reply, sizeof(reply));
	if (ret == 0 && reply.status < 0)
		ret = reply.status;
	if (ret < 0) {
		perf_peer_stop(p);
		return ret;
	}
	p->addr = reply.value;
	return 0;
}

int
perf_peer_cmd(struct perf_peer *p, const struct perf_peer_msg *msg,
		struct perf_peer_reply *reply)
{
	struct iovec iov = {
		.iov_base = (void *)(uintptr_t)msg,
		.iov_len = sizeof(*msg),
	};
	int ret = perf_send_all(p->fd, &iov, 1);

	if (ret == 0)
		ret = perf_recv_all(p->fd, reply, sizeof(*reply));
	if (ret == 0)
		ret = reply->status;
	return ret;
}

int
perf_peer_read(const struct perf_peer *p, uint64_t off, void *buf, size_t len)
{
	struct iovec local = { .iov_base = buf, .iov_len = len };
	struct iovec remote = {
		.iov_base = (void *)(uintptr_t)(p->addr + off),
		.iov_len = len,
	};
	ssize_t n = process_vm_readv(p->pid, &local, 1, &remote, 1, 0);

	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EFAULT;
}

void
perf_peer_stop(struct perf_peer *p)
{
	if (p->vm) {
		perf_vm_stop(p);
		return;
	}
	if (p->fd >= 0) {
		close(p->fd);
		p->fd = -1;
	}
	if (p->pid > 0) {
		/*
		 * It exits on end of file (a peer of DMA_INTER_DOMAIN_COPY
		 * after leaving its group and stopping its EAL); do not wait
		 * for a stuck one.
		 */
		int status, i;

		for (i = 0; i < PEER_STOP_MS; i++) {
			if (waitpid(p->pid, &status, WNOHANG) != 0)
				break;
			usleep(1000);
		}
		if (i == PEER_STOP_MS) {
			kill(p->pid, SIGKILL);
			waitpid(p->pid, &status, 0);
		}
		p->pid = 0;
	}
}
