/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-dma-xd authors
 */

/*
 * libFuzzer target: broker messages, as a peer would send them. Every
 * input goes through the same check and dispatcher as a message read from
 * a connection (dxa_broker_feed()), against one long-lived in-memory broker
 * holding a known token, so sequences of inputs build up and tear down
 * groups and memory windows. An input whose seq is odd brings a
 * descriptor, as a peer's SCM_RIGHTS would: a sealed memfd, so that
 * exports get past the descriptor check to the window table, and any other
 * message with one is refused. Inputs are also checked as
 * broker-to-member messages, which the library's client parses.
 */

#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "dma_access_broker.h"
#include "dma_access_proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The seed corpus uses this secret, so creates and joins get through. */
static const uint8_t fuzz_secret[DXA_UUID_LEN] = {
	0x5e, 0xc7, 0xe7, 0x00, 0x00, 0x00, 0x40, 0x00,
	0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
};

static struct dxa_broker *
fuzz_broker(void)
{
	static struct dxa_broker *b;
	struct dxa_broker_conf conf = { .logtype = 0 };
	struct dxa_policy any = { 0 };
	int err;

	if (b != NULL)
		return b;
	/* No socket, no state file: the dispatcher alone. */
	b = dxa_broker_create(&conf, &err);
	if (b == NULL || dxa_broker_token_add(b, fuzz_secret, &any) != 0)
		abort();
	return b;
}

/* The seeds' windows fit in it: 1 MiB, read-write, size sealed. */
#define FUZZ_MEMFD_SIZE (1 << 20)

static int
fuzz_memfd(void)
{
	static int fd = -1;

	if (fd >= 0)
		return fd;
	fd = memfd_create("fuzz-window", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0 || ftruncate(fd, FUZZ_MEMFD_SIZE) != 0 ||
			fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW) != 0)
		abort();
	return fd;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dxa_broker *b = fuzz_broker();
	uint8_t msg[DXA_MSG_MAX];
	struct dxa_hdr h;
	int fd = -1;

	if (size > sizeof(msg))
		size = sizeof(msg);
	memcpy(msg, data, size);
	dxa_msg_check(msg, size, 1);
	/* The broker takes the descriptor over: it gets its own. */
	if (size >= sizeof(h)) {
		memcpy(&h, msg, sizeof(h));
		if (h.seq & 1)
			fd = fcntl(fuzz_memfd(), F_DUPFD_CLOEXEC, 0);
	}
	/* Root and a plain user reach different branches (administration). */
	dxa_broker_feed(b, msg, size, fd, size & 1 ? 0 : 1000, 1000, 4242);
	return 0;
}
