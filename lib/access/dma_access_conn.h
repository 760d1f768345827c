/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-dma-xd authors
 */

#ifndef DMA_ACCESS_CONN_H
#define DMA_ACCESS_CONN_H

/*
 * Client end of a broker connection, without threads: the admin tool uses
 * it as is, the library's group client builds its event thread on it.
 * Internal to the project.
 */

#include <stddef.h>
#include <stdint.h>

#include "dma_access_proto.h"

/*
 * Connect to the broker at @path (SOCK_SEQPACKET, close-on-exec).
 * Returns the fd, or -ENOENT / -ECONNREFUSED (nobody listens there),
 * -EACCES (the socket's permissions), -ENAMETOOLONG.
 */
int dxa_conn_open(const char *path);

/* Send one message: header built here from @type, @seq and the body. */
int dxa_conn_send(int fd, uint16_t type, uint32_t seq, const void *body,
		size_t body_len);

/*
 * As dxa_conn_send(), with descriptor @pass_fd attached (SCM_RIGHTS); the
 * caller keeps its own copy of @pass_fd.
 */
int dxa_conn_send_fd(int fd, uint16_t type, uint32_t seq, const void *body,
		size_t body_len, int pass_fd);

/*
 * As dxa_conn_recv(), also taking a descriptor that came with the message:
 * stored in *rx_fd (close-on-exec), or -1 if none came. A message with more
 * than one descriptor, or whose control data was truncated, is malformed:
 * -EPROTO, and every descriptor that came with it is closed.
 */
int dxa_conn_recv_fd(int fd, void *buf, int timeout_ms, int *rx_fd);

/*
 * Receive one message into @buf (DXA_MSG_MAX bytes), checked with
 * dxa_msg_check() as coming from the broker. Waits at most @timeout_ms
 * (-1: forever). Returns its length, -ETIMEDOUT, -ECONNRESET when the
 * broker closed, or -EPROTO/-EMSGSIZE for a malformed message.
 */
int dxa_conn_recv(int fd, void *buf, int timeout_ms);

/*
 * One request and its reply, for a connection nobody else reads: events
 * that arrive meanwhile are dropped. @reply receives the reply body
 * (@reply_len bytes, the size of the reply type). Returns the reply's
 * status (0 or a negative errno from the broker), or a transport error as
 * dxa_conn_recv().
 */
int dxa_conn_call(int fd, uint16_t type, const void *body, size_t body_len,
		void *reply, size_t reply_len, int timeout_ms);

/*
 * shutdown(SHUT_RDWR) and close() of a connection of dxa_conn_open() or
 * of a guest's VM channel (dma_access_vm.h), which is no socket.
 */
void dxa_conn_shutdown(int fd);
void dxa_conn_close(int fd);

#include <sys/socket.h>

/* Control data room for the one descriptor a message may carry. */
union dxa_fd_control {
	struct cmsghdr align;
	char buf[CMSG_SPACE(sizeof(int))];
};

/* Attach descriptor @fd to @mh, in @ctl (which must outlive the send). */
void dxa_conn_attach_fd(struct msghdr *mh, union dxa_fd_control *ctl,
		int fd);

/*
 * Take the descriptors out of @mh's control data (received with
 * recvmsg()). Returns how many came; the first is in *first (-1 if none),
 * the others are closed at once: a receiver never keeps what it did not
 * ask for.
 */
unsigned int dxa_conn_take_fds(struct msghdr *mh, int *first);

#endif /* DMA_ACCESS_CONN_H */
