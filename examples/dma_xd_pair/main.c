/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-dma-xd authors
 */

/*
 * dpdk-dma-xd-pair: the smallest complete program that copies into
 * another process's memory with a dmadev, in each model of the library.
 *
 *   dpdk-dma-xd-pair group   software device (dma_xd_skeleton) or Class A
 *   dpdk-dma-xd-pair cnxk    (dma_xd_cnxk): both processes join one access
 *                            pair group, each with a device of its own
 *   dpdk-dma-xd-pair grant   Class B (dma_xd_idxd): the other process has
 *                            no device and grants us one window instead
 *
 * The program is the initiator, A. It starts itself again as B (its own
 * EAL, its own --file-prefix) and talks to it over a socket pair: B makes
 * a buffer, shares it, and says where it is; A copies a pattern into it
 * with rte_dma_copy(); B checks every byte. Both use an embedded broker on
 * a socket of their own (RTE_DMA_ACCESS_SOCKET, under a new directory in
 * /tmp unless set), so nothing needs setting up: in group modes A's first
 * group create starts it, in grant mode B's grant does. Exit status 0
 * when B saw the right bytes.
 *
 * Error handling is complete but terse: every call's errno is printed.
 */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <rte_dmadev.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_uuid.h>

#include <rte_dmadev_domain.h>

#define BUF_LEN (64 * 1024)
#define COPY_LEN 4096

/* What B tells A, and A tells B: plain data over the socket pair. */
struct hello {
	rte_uuid_t token;   /* A to B: the group's or grant's token */
	rte_uuid_t domain;  /* A's domain (to B), B's domain (to A) */
	int32_t group_id;   /* group modes: A's group, for B to join */
	uint16_t grant;     /* grant mode, B to A: the grant's handler */
	uint64_t addr;      /* B to A: B's buffer, in B's address space */
	int32_t status;     /* B to A: 0, or the errno B failed with */
};

static int
fail(const char *who, const char *what, int err)
{
	fprintf(stderr, "%s: %s: %s\n", who, what, strerror(err < 0 ? -err : err));
	return EXIT_FAILURE;
}

static int
xfer(int fd, void *msg, size_t len, bool out)
{
	ssize_t n = out ? send(fd, msg, len, MSG_NOSIGNAL) :
		recv(fd, msg, len, MSG_WAITALL);

	return n == (ssize_t)len ? 0 : -EPIPE;
}

/* The device each side uses in each mode; B needs none to grant. */
static const char *
device_of(const char *mode)
{
	if (strcmp(mode, "cnxk") == 0)
		return "dma_xd_cnxk0";
	if (strcmp(mode, "grant") == 0)
		return "dma_xd_idxd0";
	return "dma_xd_skeleton0";
}

static int
eal_start(const char *argv0, const char *mode, const char *prefix)
{
	char vdev[64], file_prefix[64];
	char *args[] = {
		(char *)(uintptr_t)argv0, (char *)(uintptr_t)"--no-huge",
		(char *)(uintptr_t)"--no-pci", (char *)(uintptr_t)"-m",
		(char *)(uintptr_t)"64", (char *)(uintptr_t)"--iova-mode=va",
		(char *)(uintptr_t)"-l", (char *)(uintptr_t)"0",
		(char *)(uintptr_t)"--no-shconf",
		(char *)(uintptr_t)"--no-telemetry",
		(char *)(uintptr_t)"--log-level=warning", file_prefix, vdev,
	};

	snprintf(vdev, sizeof(vdev), "--vdev=%s", device_of(mode));
	snprintf(file_prefix, sizeof(file_prefix), "--file-prefix=%s-%d",
		prefix, (int)getpid());
	return rte_eal_init(RTE_DIM(args), args) < 0 ? -rte_errno : 0;
}

/* ---- B: the owner of the buffer ---- */

static int
b_main(const char *mode, int fd)
{
	bool grant = strcmp(mode, "grant") == 0;
	struct hello h, me = { .status = 0 };
	int16_t dev_id = -1;
	uint8_t *buf = NULL;
	int ret, i;

	ret = eal_start("dpdk-dma-xd-pair", mode, "pair-b");
	if (ret == 0)
		ret = xfer(fd, &h, sizeof(h), false);
	if (ret == 0)
		ret = rte_dma_domain_id_get(me.domain);
	/* Group modes: join A's group with our own device. */
	if (ret == 0 && !grant) {
		ret = rte_dma_get_dev_id_by_name(device_of(mode));
		if (ret >= 0) {
			dev_id = (int16_t)ret;
			ret = rte_dma_access_pair_group_join(dev_id, me.domain,
				h.token, (int16_t)h.group_id, NULL);
		}
	}
	/* Sealed memory; a member of a group shares it with the group. */
	if (ret == 0)
		ret = rte_dma_domain_mem_alloc(BUF_LEN, RTE_DMA_DOMAIN_MEM_READ |
			RTE_DMA_DOMAIN_MEM_WRITE, (void **)&buf);
	if (ret == 0)
		memset(buf, 0, BUF_LEN);
	/* Grant mode: nothing is shared until we grant it, to A only. */
	if (ret == 0 && grant)
		ret = rte_dma_domain_grant_create(h.token, h.domain, buf,
			BUF_LEN, RTE_DMA_DOMAIN_MEM_WRITE, &me.grant);
	me.addr = (uint64_t)(uintptr_t)buf;
	me.status = ret;
	if (xfer(fd, &me, sizeof(me), true) != 0 || ret != 0)
		goto out;
	/* A says it is done: check what landed. */
	if (xfer(fd, &h, sizeof(h), false) != 0) {
		ret = -EPIPE;
		goto out;
	}
	for (i = 0; i < BUF_LEN; i++) {
		uint8_t want = i < COPY_LEN ? (uint8_t)(i * 7 + 1) : 0;

		if (buf[i] != want) {
			fprintf(stderr, "B: byte %d is %u, not %u\n", i, buf[i],
				want);
			ret = -EIO;
			break;
		}
	}
	if (ret == 0)
		printf("B: the %d bytes A copied are right, the rest untouched\n",
			COPY_LEN);
	me.status = ret;
	xfer(fd, &me, sizeof(me), true);
out:
	if (me.grant != 0)
		rte_dma_domain_grant_revoke(me.grant);
	if (dev_id >= 0)
		rte_dma_access_pair_group_leave(dev_id, (int16_t)h.group_id);
	rte_eal_cleanup();
	return ret == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

/* ---- A: the initiator ---- */

static int
a_copy(int16_t dev_id, uint16_t own, uint16_t peer, uint64_t dst)
{
	struct rte_dma_conf conf = { .nb_vchans = 1 };
	struct rte_dma_vchan_conf vconf = {
		.direction = RTE_DMA_DIR_MEM_TO_MEM, .nb_desc = 64,
	};
	/* Our side is our own memory; the other side is B's. */
	struct rte_dma_inter_domain_param dom = {
		.type = RTE_DMA_INTER_PROCESS_DOMAIN,
		.src_handler = own, .dst_handler = peer,
	};
	enum rte_dma_status_code st;
	uint16_t last, n = 0;
	uint8_t *src;
	int ret, i;

	src = rte_malloc(NULL, COPY_LEN, 64);
	if (src == NULL)
		return -ENOMEM;
	for (i = 0; i < COPY_LEN; i++)
		src[i] = (uint8_t)(i * 7 + 1);
	ret = rte_dma_configure(dev_id, &conf);
	if (ret == 0)
		ret = rte_dma_domain_vchan_setup(dev_id, 0, &vconf, &dom);
	if (ret == 0)
		ret = rte_dma_start(dev_id);
	/* IOVA as VA: our address is our IOVA, and B's is B's. */
	if (ret == 0)
		ret = rte_dma_copy(dev_id, 0, (rte_iova_t)(uintptr_t)src, dst,
			COPY_LEN, RTE_DMA_OP_FLAG_SUBMIT);
	while (ret >= 0 && n == 0)
		n = rte_dma_completed_status(dev_id, 0, 1, &last, &st);
	if (ret >= 0)
		ret = st == RTE_DMA_STATUS_SUCCESSFUL ? 0 : -EIO;
	rte_dma_stop(dev_id);
	rte_free(src);
	return ret;
}

static int
a_main(const char *argv0, const char *mode)
{
	bool grant = strcmp(mode, "grant") == 0;
	struct hello h = { .group_id = -1 }, b;
	int16_t dev_id, group_id = -1;
	uint16_t own = 0, peer = 0;
	char fdtext[16];
	int sv[2], ret, status;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
		return fail("A", "socketpair", errno);
	pid = fork();
	if (pid == 0) {
		/* B: this program again, with its end of the pair. */
		snprintf(fdtext, sizeof(fdtext), "%d", sv[1]);
		close(sv[0]);
		if (fcntl(sv[1], F_SETFD, 0) == 0)
			execl("/proc/self/exe", argv0, mode, "--owner", fdtext,
				(char *)NULL);
		_exit(127);
	}
	close(sv[1]);
	if (pid < 0)
		return fail("A", "fork", errno);
	ret = eal_start(argv0, mode, "pair-a");
	if (ret != 0)
		return fail("A", "EAL", ret);
	dev_id = (int16_t)rte_dma_get_dev_id_by_name(device_of(mode));
	printf("A: %s, class %d\n", device_of(mode),
		rte_dma_domain_class_get(dev_id));
	/* A token is any secret the two share; a random UUID will do. */
	if (getrandom(h.token, sizeof(h.token), 0) != sizeof(h.token))
		return fail("A", "getrandom", errno);
	ret = rte_dma_domain_id_get(h.domain);
	/* Group modes: create the group; the first create embeds a broker. */
	if (ret == 0 && !grant) {
		ret = rte_dma_access_pair_group_create(dev_id, h.domain,
			h.token, &group_id, NULL);
		h.group_id = group_id;
	}
	if (ret == 0)
		ret = xfer(sv[0], &h, sizeof(h), true);
	if (ret == 0)
		ret = xfer(sv[0], &b, sizeof(b), false);
	if (ret == 0 && b.status != 0)
		ret = b.status;
	if (ret != 0)
		return fail("A", "setting up B", ret);

	if (grant) {
		/* Put B's grant on our device: its window is mapped now. */
		ret = rte_dma_domain_grant_attach(dev_id, h.token, b.grant,
			&own, NULL);
		peer = b.grant;
	} else {
		/* Once these return, B's shared memory is mapped here. */
		ret = rte_dma_access_pair_group_handler_get(dev_id, group_id,
			h.domain, &own);
		if (ret == 0)
			ret = rte_dma_access_pair_group_handler_get(dev_id,
				group_id, b.domain, &peer);
	}
	if (ret == 0)
		ret = a_copy(dev_id, own, peer, b.addr);
	if (ret != 0)
		return fail("A", "copy into B", ret);
	printf("A: copied %d bytes into B's buffer at 0x%" PRIx64 "\n",
		COPY_LEN, b.addr);
	/* Tell B to check, and wait for its verdict. */
	if (xfer(sv[0], &h, sizeof(h), true) != 0 ||
			xfer(sv[0], &b, sizeof(b), false) != 0)
		return fail("A", "B's verdict", EPIPE);
	if (grant)
		rte_dma_domain_grant_detach(dev_id, peer);
	close(sv[0]);
	waitpid(pid, &status, 0);
	if (group_id >= 0)
		rte_dma_access_pair_group_destroy(dev_id, group_id);
	rte_eal_cleanup();
	if (b.status != 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return fail("A", "B found", b.status != 0 ? b.status : EIO);
	return EXIT_SUCCESS;
}

int
main(int argc, char **argv)
{
	static char dir[] = "/tmp/dma-xd-pair-XXXXXX";
	char sock[sizeof(dir) + 16];
	int ret;

	/* A's and B's lines in the order they happen. */
	setvbuf(stdout, NULL, _IOLBF, 0);

	if (argc == 2 && (strcmp(argv[1], "group") == 0 ||
			strcmp(argv[1], "cnxk") == 0 ||
			strcmp(argv[1], "grant") == 0)) {
		/* A broker socket of our own, which B inherits. */
		if (getenv("RTE_DMA_ACCESS_SOCKET") != NULL)
			return a_main(argv[0], argv[1]);
		if (mkdtemp(dir) == NULL)
			return fail("A", "mkdtemp", errno);
		snprintf(sock, sizeof(sock), "%s/broker.sock", dir);
		setenv("RTE_DMA_ACCESS_SOCKET", sock, 1);
		ret = a_main(argv[0], argv[1]);
		unlink(sock);
		rmdir(dir);
		return ret;
	}
	if (argc == 4 && strcmp(argv[2], "--owner") == 0)
		return b_main(argv[1], atoi(argv[3]));
	fprintf(stderr, "usage: %s group|cnxk|grant\n", argv[0]);
	return 2;
}
