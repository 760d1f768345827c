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

int
dxa_conn_send(int fd, uint16_t type, uint32_t seq, const void *body,
		size_t body_len)
{
	uint8_t msg[DXA_MSG_MAX];
	struct dxa_hdr h;
	ssize_t n;

	if (sizeof(h) + body_len > sizeof(msg))
		return -EMSGSIZE;
	dxa_hdr_init(&h, type, seq, body_len);
	memcpy(msg, &h, sizeof(h));
	if (body_len != 0)
		memcpy(msg + sizeof(h), body, body_len);
	do {
		n = send(fd, msg, sizeof(h) + body_len, MSG_NOSIGNAL);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EPIPE ? -ECONNRESET : -errno;
	return 0;
}

int
dxa_conn_recv(int fd, void *buf, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	ssize_t n;
	int ret;

	do {
		ret = poll(&p, 1, timeout_ms);
	} while (ret < 0 && errno == EINTR);
	if (ret < 0)
		return -errno;
	if (ret == 0)
		return -ETIMEDOUT;
	do {
		/* MSG_TRUNC: learn the real size of an oversized packet. */
		n = recv(fd, buf, DXA_MSG_MAX, MSG_TRUNC);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == ECONNRESET ? -ECONNRESET : -errno;
	if (n == 0)
		return -ECONNRESET;
	if (n > DXA_MSG_MAX)
		return -EMSGSIZE;
	ret = dxa_msg_check(buf, (size_t)n, 1);
	return ret < 0 ? ret : (int)n;
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
		if (h.type == DXA_EVENT)
			continue;
		if (h.seq != seq || h.type != (type | DXA_REPLY) ||
				h.length - sizeof(h) != reply_len)
			return -EPROTO;
		memcpy(reply, buf + sizeof(h), reply_len);
		memcpy(&status, reply, sizeof(status));
		return status;
	}
}
