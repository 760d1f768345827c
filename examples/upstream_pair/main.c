/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-dma-xd authors
 */

/*
 * A copy into another process's memory, written only from DPDK 25.11's
 * documentation of inter-domain DMA (the "Inter-domain DMA Transfers"
 * section of the dmadev programmer's guide and the doxygen of
 * rte_dmadev.h): nothing in it is specific to dpdk-dma-xd. It is the
 * acceptance test of the native target, where it builds against DPDK's
 * own rte_dmadev.h unchanged and reaches our drivers through EAL's -d and
 * --vdev; dpdk-22.11.diff is all it takes on the DPDK 22.11 target.
 *
 *   dpdk-dma-upstream-pair [EAL options] -- create SOCKET
 *   dpdk-dma-upstream-pair [EAL options] -- join SOCKET
 *
 * The creator makes an access pair group and listens on the unix socket
 * SOCKET, the side channel the guide leaves to the application. The joiner
 * connects, joins, allocates its buffer with rte_zmalloc() and sends its
 * address. The creator looks up both handlers, sets up a vchan from its
 * domain to the joiner's, copies a pattern into the joiner's buffer and
 * tells it so; the joiner checks every byte, leaves the group and says
 * so; the creator destroys the group. Each exits 0 only if the copy
 * arrived intact.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_dmadev.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_random.h>
#include <rte_uuid.h>

#define RING_SIZE 64
#define DEFAULT_BYTES 65536
#define TIMEOUT_S 10

/* What the two processes tell each other over the side channel. */
struct invite {
	int16_t group_id;
	rte_uuid_t token;
	rte_uuid_t creator_domain;
};

struct reply {
	rte_uuid_t joiner_domain;
	uint64_t addr;     /* the joiner's buffer, as the device sees it */
	uint64_t len;
};

struct note {
	uint64_t seed;     /* the creator copied; the joiner checks this */
	int32_t status;    /* the joiner: 0 if the bytes were right */
};

/* Set by the event callback, on the library's event thread. */
static bool member_left;

static void
group_event(int16_t dev_id, int16_t group_id, rte_uuid_t domain_id,
		enum rte_dma_access_pair_group_event_type event)
{
	char id[RTE_UUID_STRLEN];

	rte_uuid_unparse(domain_id, id, sizeof(id));
	printf("device %d, group %d: %s (domain %s)\n", dev_id, group_id,
		event == RTE_DMA_GROUP_EVENT_MEMBER_LEFT ? "member left" :
		"group destroyed", id);
	__atomic_store_n(&member_left, true, __ATOMIC_RELEASE);
}

/* The guide: "each process must generate a unique domain_id". */
static void
random_uuid(rte_uuid_t u)
{
	uint64_t a = rte_rand(), b = rte_rand();

	memcpy(u, &a, sizeof(a));
	memcpy(u + sizeof(a), &b, sizeof(b));
	u[6] = (u[6] & 0x0f) | 0x40; /* version 4 */
	u[8] = (u[8] & 0x3f) | 0x80; /* variant 1 */
}

/* The first dmadev that can copy across process domains. */
static int16_t
inter_process_dev(void)
{
	struct rte_dma_info info;
	int16_t dev_id;

	RTE_DMA_FOREACH_DEV(dev_id) {
		if (rte_dma_info_get(dev_id, &info) == 0 &&
				(info.dev_capa & RTE_DMA_CAPA_INTER_PROCESS_DOMAIN))
			return dev_id;
	}
	rte_exit(EXIT_FAILURE, "no dmadev with RTE_DMA_CAPA_INTER_PROCESS_DOMAIN\n");
}

static void
configure(int16_t dev_id)
{
	struct rte_dma_conf conf = { .nb_vchans = 1 };

	if (rte_dma_configure(dev_id, &conf) != 0)
		rte_exit(EXIT_FAILURE, "cannot configure dmadev %d\n", dev_id);
}

static void
xfer(int fd, void *buf, size_t len, bool out)
{
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = out ? write(fd, (char *)buf + done, len - done) :
			read(fd, (char *)buf + done, len - done);
		if (n <= 0)
			rte_exit(EXIT_FAILURE, "side channel: %s\n",
				n == 0 ? "peer closed" : strerror(errno));
		done += (size_t)n;
	}
}

static int
side_channel(const char *path, bool listen_here)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, conn, i;

	if (strlen(path) >= sizeof(sa.sun_path))
		rte_exit(EXIT_FAILURE, "socket path too long: %s\n", path);
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		rte_exit(EXIT_FAILURE, "socket: %s\n", strerror(errno));
	if (listen_here) {
		unlink(path);
		if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
				listen(fd, 1) != 0)
			rte_exit(EXIT_FAILURE, "%s: %s\n", path, strerror(errno));
		conn = accept(fd, NULL, NULL);
		if (conn < 0)
			rte_exit(EXIT_FAILURE, "accept: %s\n", strerror(errno));
		close(fd);
		unlink(path);
		return conn;
	}
	for (i = 0; i < TIMEOUT_S * 10; i++) {
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
			return fd;
		usleep(100 * 1000);
	}
	rte_exit(EXIT_FAILURE, "no creator at %s: %s\n", path, strerror(errno));
}

static uint8_t
pattern(uint64_t seed, uint64_t i)
{
	return (uint8_t)(seed + i * 131 + (i >> 8));
}

/* Process#1 of the guide. */
static int
creator(const char *path)
{
	struct rte_dma_vchan_conf vconf = {
		.direction = RTE_DMA_DIR_MEM_TO_MEM,
		.nb_desc = RING_SIZE,
	};
	uint16_t own_handler, peer_handler, last_idx;
	struct invite inv = { 0 };
	struct reply rep;
	struct note note = { .seed = rte_rand() };
	int16_t dev_id = inter_process_dev();
	bool has_error = false;
	uint64_t deadline, i;
	uint8_t *src;
	int fd, ret;

	configure(dev_id);
	random_uuid(inv.creator_domain);
	random_uuid(inv.token);
	ret = rte_dma_access_pair_group_create(dev_id, inv.creator_domain,
		inv.token, &inv.group_id, group_event);
	if (ret != 0)
		rte_exit(EXIT_FAILURE, "rte_dma_access_pair_group_create: %s\n",
			strerror(-ret));
	printf("created group %d on dmadev %d\n", inv.group_id, dev_id);

	fd = side_channel(path, true);
	xfer(fd, &inv, sizeof(inv), true);
	xfer(fd, &rep, sizeof(rep), false);
	if (rep.len == 0 || rep.len > UINT32_MAX)
		rte_exit(EXIT_FAILURE, "the joiner offers %" PRIu64 " bytes\n",
			rep.len);

	ret = rte_dma_access_pair_group_handler_get(dev_id, inv.group_id,
		inv.creator_domain, &own_handler);
	if (ret == 0)
		ret = rte_dma_access_pair_group_handler_get(dev_id,
			inv.group_id, rep.joiner_domain, &peer_handler);
	if (ret != 0)
		rte_exit(EXIT_FAILURE, "rte_dma_access_pair_group_handler_get: %s\n",
			strerror(-ret));
	vconf.domain.type = RTE_DMA_INTER_PROCESS_DOMAIN;
	vconf.domain.src_handler = own_handler;
	vconf.domain.dst_handler = peer_handler;
	ret = rte_dma_vchan_setup(dev_id, 0, &vconf);
	if (ret == 0)
		ret = rte_dma_start(dev_id);
	if (ret != 0)
		rte_exit(EXIT_FAILURE, "vchan %u -> %u: %s\n", own_handler,
			peer_handler, strerror(-ret));

	src = rte_malloc(NULL, rep.len, 0);
	if (src == NULL)
		rte_exit(EXIT_FAILURE, "rte_malloc(%" PRIu64 ")\n", rep.len);
	for (i = 0; i < rep.len; i++)
		src[i] = pattern(note.seed, i);
	ret = rte_dma_copy(dev_id, 0, rte_malloc_virt2iova(src), rep.addr,
		(uint32_t)rep.len, RTE_DMA_OP_FLAG_SUBMIT);
	if (ret < 0)
		rte_exit(EXIT_FAILURE, "rte_dma_copy: %s\n", strerror(-ret));
	deadline = rte_get_timer_cycles() + TIMEOUT_S * rte_get_timer_hz();
	while (rte_dma_completed(dev_id, 0, 1, &last_idx, &has_error) == 0) {
		if (has_error || rte_get_timer_cycles() > deadline)
			break;
	}
	if (has_error) {
		enum rte_dma_status_code st;

		rte_dma_completed_status(dev_id, 0, 1, &last_idx, &st);
		rte_exit(EXIT_FAILURE, "the copy failed with status %d\n", st);
	}
	printf("copied %" PRIu64 " bytes into the joiner's buffer at 0x%" PRIx64 "\n",
		rep.len, rep.addr);

	xfer(fd, &note, sizeof(note), true);
	xfer(fd, &note, sizeof(note), false);
	close(fd);
	/* The joiner leaves after it answered: its MEMBER_LEFT comes. */
	deadline = rte_get_timer_cycles() + TIMEOUT_S * rte_get_timer_hz();
	while (!__atomic_load_n(&member_left, __ATOMIC_ACQUIRE) &&
			rte_get_timer_cycles() < deadline)
		usleep(1000);
	rte_dma_stop(dev_id);
	ret = rte_dma_access_pair_group_destroy(dev_id, inv.group_id);
	if (ret != 0)
		rte_exit(EXIT_FAILURE, "rte_dma_access_pair_group_destroy: %s\n",
			strerror(-ret));
	rte_free(src);
	printf("the joiner %s the data; group %d destroyed\n",
		note.status == 0 ? "verified" : "did NOT verify", inv.group_id);
	return note.status == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

/* Process#2 of the guide. */
static int
joiner(const char *path)
{
	int16_t dev_id = inter_process_dev();
	struct invite inv;
	struct reply rep = { .len = DEFAULT_BYTES };
	struct note note;
	uint64_t i, bad = 0;
	uint8_t *buf;
	int fd, ret;

	configure(dev_id);
	random_uuid(rep.joiner_domain);
	fd = side_channel(path, false);
	xfer(fd, &inv, sizeof(inv), false);
	ret = rte_dma_access_pair_group_join(dev_id, rep.joiner_domain,
		inv.token, inv.group_id, group_event);
	if (ret != 0)
		rte_exit(EXIT_FAILURE, "rte_dma_access_pair_group_join: %s\n",
			strerror(-ret));
	printf("joined group %d on dmadev %d\n", inv.group_id, dev_id);

	buf = rte_zmalloc(NULL, rep.len, 0);
	if (buf == NULL)
		rte_exit(EXIT_FAILURE, "rte_zmalloc(%" PRIu64 ")\n", rep.len);
	rep.addr = rte_malloc_virt2iova(buf);
	xfer(fd, &rep, sizeof(rep), true);

	xfer(fd, &note, sizeof(note), false);
	for (i = 0; i < rep.len; i++)
		bad += buf[i] != pattern(note.seed, i);
	note.status = bad == 0 ? 0 : -EIO;
	printf("%" PRIu64 " of %" PRIu64 " bytes as the creator wrote them\n",
		rep.len - bad, rep.len);
	ret = rte_dma_access_pair_group_leave(dev_id, inv.group_id);
	if (ret != 0)
		rte_exit(EXIT_FAILURE, "rte_dma_access_pair_group_leave: %s\n",
			strerror(-ret));
	xfer(fd, &note, sizeof(note), true);
	close(fd);
	rte_free(buf);
	return note.status == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

int
main(int argc, char **argv)
{
	int n, ret;

	n = rte_eal_init(argc, argv);
	if (n < 0)
		rte_exit(EXIT_FAILURE, "EAL: %s\n", rte_strerror(rte_errno));
	argc -= n;
	argv += n;
	if (argc == 3 && strcmp(argv[1], "create") == 0)
		ret = creator(argv[2]);
	else if (argc == 3 && strcmp(argv[1], "join") == 0)
		ret = joiner(argv[2]);
	else
		rte_exit(EXIT_FAILURE, "usage: %s [EAL options] -- create SOCKET | join SOCKET\n",
			argv[0]);
	rte_eal_cleanup();
	return ret;
}
