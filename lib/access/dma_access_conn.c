/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-dma-xd authors
 */

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "dma_access_conn.h"
#include "dma_access_vm.h"

int
dxa_conn_open(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (path == NULL || strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

void
dxa_conn_attach_fd(struct msghdr *mh, union dxa_fd_control *ctl, int fd)
{
	struct cmsghdr *cm;

	memset(ctl, 0, sizeof(*ctl));
	mh->msg_control = ctl->buf;
	mh->msg_controllen = sizeof(ctl->buf);
	cm = CMSG_FIRSTHDR(mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
}

/*
 * Room to receive a few descriptors: a peer that sends more than one is
 * told apart from one that sends one, and what came is closed. Beyond
 * this the kernel sets MSG_CTRUNC and closes the rest itself.
 */
#define RX_FDS_MAX 8

union fds_control {
	struct cmsghdr align;
	char buf[CMSG_SPACE(RX_FDS_MAX * sizeof(int))];
};

int
dxa_conn_send_fd(int fd, uint16_t type, uint32_t seq, const void *body,
		size_t body_len, int pass_fd)
{
	uint8_t msg[DXA_MSG_MAX];
	union dxa_fd_control ctl;
	struct iovec iov = { .iov_base = msg };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct dxa_hdr h;
	ssize_t n;

	/* A guest's channel to its VM relay is a byte stream. */
	if (dxa_vm_chan_is(fd))
		return dxa_vm_chan_send(fd, type, seq, body, body_len, pass_fd);
	if (sizeof(h) + body_len > sizeof(msg))
		return -EMSGSIZE;
	dxa_hdr_init(&h, type, seq, body_len);
	memcpy(msg, &h, sizeof(h));
	if (body_len != 0)
		memcpy(msg + sizeof(h), body, body_len);
	iov.iov_len = sizeof(h) + body_len;
	if (pass_fd >= 0)
		dxa_conn_attach_fd(&mh, &ctl, pass_fd);
	do {
		n = sendmsg(fd, &mh, MSG_NOSIGNAL);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EPIPE ? -ECONNRESET : -errno;
	return 0;
}

int
dxa_conn_send(int fd, uint16_t type, uint32_t seq, const void *body,
		size_t body_len)
{
	return dxa_conn_send_fd(fd, type, seq, body, body_len, -1);
}

unsigned int
dxa_conn_take_fds(struct msghdr *mh, int *first)
{
	struct cmsghdr *cm;
	unsigned int nb = 0;
	size_t i, n;
	int rfd;

	*first = -1;
	for (cm = CMSG_FIRSTHDR(mh); cm != NULL; cm = CMSG_NXTHDR(mh, cm)) {
		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		n = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < n; i++) {
			memcpy(&rfd, CMSG_DATA(cm) + i * sizeof(int),
				sizeof(int));
			if (nb++ == 0)
				*first = rfd;
			else
				close(rfd);
		}
	}
	return nb;
}

int
dxa_conn_recv_fd(int fd, void *buf, int timeout_ms, int *rx_fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	union fds_control ctl;
	struct iovec iov = { .iov_base = buf, .iov_len = DXA_MSG_MAX };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = ctl.buf, .msg_controllen = sizeof(ctl.buf),
	};
	unsigned int nb;
	ssize_t n;
	int ret, got;

	if (dxa_vm_chan_is(fd))
		return dxa_vm_chan_recv(fd, buf, timeout_ms, rx_fd);
	*rx_fd = -1;
	do {
		ret = poll(&p, 1, timeout_ms);
	} while (ret < 0 && errno == EINTR);
	if (ret < 0)
		return -errno;
	if (ret == 0)
		return -ETIMEDOUT;
	do {
		/* MSG_TRUNC: learn the real size of an oversized packet. */
		n = recvmsg(fd, &mh, MSG_TRUNC | MSG_CMSG_CLOEXEC);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == ECONNRESET ? -ECONNRESET : -errno;
	nb = dxa_conn_take_fds(&mh, &got);
	if (nb > 1 || (mh.msg_flags & MSG_CTRUNC) != 0)
		ret = -EPROTO;
	else if (n == 0)
		ret = -ECONNRESET;
	else if (n > DXA_MSG_MAX)
		ret = -EMSGSIZE;
	else
		ret = dxa_msg_check(buf, (size_t)n, 1);
	/* Nothing leaks from a message the caller never sees. */
	if (ret < 0) {
		if (got >= 0)
			close(got);
		return ret;
	}
	*rx_fd = got;
	return (int)n;
}

int
dxa_conn_recv(int fd, void *buf, int timeout_ms)
{
	int n, rx_fd;

	/* A descriptor nobody asked for is closed, never leaked. */
	n = dxa_conn_recv_fd(fd, buf, timeout_ms, &rx_fd);
	if (rx_fd >= 0)
		close(rx_fd);
	return n;
}

int
dxa_conn_call(int fd, uint16_t type, const void *body, size_t body_len,
		void *reply, size_t reply_len, int timeout_ms)
{
	static __thread uint32_t seq;
	uint8_t buf[DXA_MSG_MAX];
	struct dxa_hdr h;
	int32_t status;
	int ret;

	if (++seq == 0)
		seq = 1;
	ret = dxa_conn_send(fd, type, seq, body, body_len);
	if (ret < 0)
		return ret;
	for (;;) {
		ret = dxa_conn_recv(fd, buf, timeout_ms);
		if (ret < 0)
			return ret;
		memcpy(&h, buf, sizeof(h));
		/* Nobody reads this connection's events: dropped. */
		if (h.type == DXA_EVENT || h.type == DXA_MEM_EVENT)
			continue;
		if (h.seq != seq || h.type != (type | DXA_REPLY) ||
				h.length - sizeof(h) != reply_len)
			return -EPROTO;
		memcpy(reply, buf + sizeof(h), reply_len);
		memcpy(&status, reply, sizeof(status));
		return status;
	}
}

void
dxa_conn_shutdown(int fd)
{
	if (dxa_vm_chan_is(fd))
		dxa_vm_chan_shutdown(fd);
	else
		shutdown(fd, SHUT_RDWR);
}

void
dxa_conn_close(int fd)
{
	if (dxa_vm_chan_is(fd))
		dxa_vm_chan_close(fd);
	else
		close(fd);
}
