/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-dma-xd authors
 */

/*
 * The peer of DMA_INTER_DOMAIN_COPY: this program executed again by
 * domain.c as "dpdk-test-dma-perf --peer FD DEVICE -- EAL-ARGUMENTS", with
 * FD its end of a socket pair to the benchmark and DEVICE its vdev.
 *
 *   start EAL, find DEVICE                     -> READY (or why not)
 *   <- JOIN: token, group, bytes, windows, pattern
 *   join the group; share a buffer of @bytes as @windows windows; fill it
 *   with poison (the benchmark writes) or the source pattern (it reads)
 *                                              -> JOINED: domain, address
 *   serve POISON, VERIFY, CORRUPT on the buffer, as the other children
 *   end of file: leave the group, stop EAL, exit 0
 *
 * Test hooks, in DPDK_TEST_DMA_PERF_FAULT: "peer-token" joins with a
 * wrong token; "peer-exit" exits at the first command after joining.
 *
 * One window is rte_dma_domain_mem_alloc()'s memory. Several are one
 * sealed memfd, mapped once and registered piece by piece, so that the
 * benchmark's addresses are contiguous and only the translation sees the
 * cuts; the whole mapping is made known to EAL first, so that the library
 * does not make a memory segment list of each piece.
 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_dmadev.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_log.h>
#include <rte_memory.h>

#include "rte_dmadev_domain.h"

#include "perf.h"

#define MAX_EAL_ARGS 32
#define FAULT_ENV "DPDK_TEST_DMA_PERF_FAULT"
#define PEER_PERMS (RTE_DMA_DOMAIN_MEM_READ | RTE_DMA_DOMAIN_MEM_WRITE)

struct peer_buf {
	uint8_t *addr;
	size_t bytes;
	uint32_t windows;   /* registered so far */
	uint32_t nb_windows; /* asked for */
	bool memfd;         /* our own mapping (several windows) */
	int region_fd;      /* in a guest: the ivshmem BAR; else -1 */
	bool extmem;        /* that mapping registered with EAL by us */
	bool huge;          /* on huge pages */
};

static bool
fault(const char *what)
{
	const char *f = getenv(FAULT_ENV);

	return f != NULL && strcmp(f, what) == 0;
}

/* All of @p len to the benchmark (in a guest, over a virtio-serial port). */
static int
peer_send(int fd, const void *buf, size_t len)
{
	struct iovec iov = { .iov_base = (void *)(uintptr_t)buf,
		.iov_len = len };

	return perf_send_all(fd, &iov, 1);
}

static int
report(int fd, enum perf_xpeer_stage stage, int status)
{
	struct perf_xpeer_status st = { .status = status, .stage = stage };

	return peer_send(fd, &st, sizeof(st));
}

/* ---- the buffer ------------------------------------------------------------ */

static void
buf_unshare(struct peer_buf *b)
{
	size_t win;
	uint32_t i;

	if (b->addr == NULL)
		return;
	if (b->region_fd >= 0) {
		rte_dma_domain_mem_unregister(b->addr);
		munmap(b->addr, b->bytes);
		close(b->region_fd);
		b->region_fd = -1;
	} else if (b->memfd) {
		win = b->bytes / b->nb_windows;
		for (i = 0; i < b->windows; i++)
			rte_dma_domain_mem_unregister(b->addr + i * win);
		if (b->extmem)
			rte_extmem_unregister(b->addr, b->bytes);
		munmap(b->addr, b->bytes);
	} else {
		rte_dma_domain_mem_free(b->addr);
	}
	b->addr = NULL;
}

static int
buf_share_windows(struct peer_buf *b, size_t bytes, uint32_t windows)
{
	const size_t win = bytes / windows;
	uint32_t i;
	void *p;
	int fd, ret;

	fd = memfd_create("test-dma-perf-peer", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		return -errno;
	if (ftruncate(fd, (off_t)bytes) != 0) {
		ret = -errno;
		goto close_fd;
	}
	p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
		fd, 0);
	if (p == MAP_FAILED) {
		ret = -errno;
		goto close_fd;
	}
	/* The library shares only memfds that cannot shrink under a peer. */
	if (fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW |
			F_SEAL_SEAL) != 0) {
		ret = -errno;
		munmap(p, bytes);
		goto close_fd;
	}
	b->addr = p;
	b->bytes = bytes;
	b->nb_windows = windows;
	b->memfd = true;
	b->extmem = rte_extmem_register(p, bytes, NULL, 0,
		PERF_WINDOW_ALIGN) == 0;
	for (i = 0; i < windows; i++) {
		ret = rte_dma_domain_mem_register(b->addr + i * win, win, fd,
			i * win, PEER_PERMS);
		if (ret < 0)
			break;
		b->windows++;
	}
	/* The library keeps descriptors of its own. */
	close(fd);
	if (ret < 0)
		buf_unshare(b);
	return ret;

close_fd:
	close(fd);
	return ret;
}

/* In a guest: BAR 2 of the first ivshmem device (PCI 1af4:1110). */
static int
ivshmem_open(void)
{
	static const char *const root = "/sys/bus/pci/devices";
	char path[PATH_MAX], id[2][16];
	struct dirent *de;
	int fd = -ENOENT;
	unsigned int i;
	FILE *f;
	DIR *d;

	d = opendir(root);
	if (d == NULL)
		return -errno;
	while (fd == -ENOENT && (de = readdir(d)) != NULL) {
		static const char *const files[] = { "vendor", "device" };

		if (de->d_name[0] == '.')
			continue;
		for (i = 0; i < RTE_DIM(files); i++) {
			id[i][0] = '\0';
			snprintf(path, sizeof(path), "%s/%s/%s", root,
				de->d_name, files[i]);
			f = fopen(path, "r");
			if (f == NULL)
				break;
			if (fgets(id[i], sizeof(id[i]), f) == NULL)
				id[i][0] = '\0';
			fclose(f);
		}
		if (i < RTE_DIM(files) || strtoul(id[0], NULL, 16) != 0x1af4 ||
				strtoul(id[1], NULL, 16) != 0x1110)
			continue;
		/* Nothing has enabled it: the guest has no driver for it. */
		snprintf(path, sizeof(path), "%s/%s/enable", root, de->d_name);
		f = fopen(path, "w");
		if (f != NULL) {
			fputs("1", f);
			fclose(f);
		}
		snprintf(path, sizeof(path), "%s/%s/resource2", root, de->d_name);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			fd = -errno;
	}
	closedir(d);
	return fd;
}

/*
 * domain=vm: [0, bytes) of the ivshmem region, the one memory a guest
 * shares; the host maps it from QEMU's memfd. Only mmap() reaches a BAR.
 */
static int
buf_share_ivshmem(struct peer_buf *b, size_t bytes)
{
	struct stat st;
	void *p;
	int fd, ret;

	fd = ivshmem_open();
	if (fd < 0)
		return fd;
	if (fstat(fd, &st) != 0) {
		ret = -errno;
		goto close_fd;
	}
	if ((uint64_t)st.st_size < bytes) {
		ret = -ENOSPC;
		goto close_fd;
	}
	p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		ret = -errno;
		goto close_fd;
	}
	ret = rte_dma_domain_mem_register(p, bytes, fd, 0, PEER_PERMS);
	if (ret < 0) {
		munmap(p, bytes);
		goto close_fd;
	}
	b->addr = p;
	b->bytes = bytes;
	b->windows = 1;
	b->nb_windows = 1;
	b->region_fd = fd;
	return 0;

close_fd:
	close(fd);
	return ret;
}

/* The kernel's default huge page size (what MFD_HUGETLB gets), or 0. */
static uint64_t
huge_page_size(void)
{
	char line[128];
	uint64_t kib = 0;
	FILE *f;

	f = fopen("/proc/meminfo", "r");
	if (f == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "Hugepagesize: %" SCNu64 " kB", &kib) == 1)
			break;
	fclose(f);
	return kib << 10;
}

/*
 * The buffer, as @windows windows. One window is on huge pages when the
 * benchmark's are (@huge), it is a whole number of the kernel's default
 * ones (a 1 GiB page would not be spent on a few MiB) and the kernel has
 * enough free: otherwise its pages are 4 KiB, and the benchmark says so
 * (b->huge).
 */
static int
buf_share(struct peer_buf *b, size_t bytes, uint32_t windows, bool huge)
{
	uint64_t hsz;
	void *p;
	int ret;

	if (getenv(PERF_PEER_IVSHMEM_ENV) != NULL)
		return windows == 1 ? buf_share_ivshmem(b, bytes) : -EINVAL;
	if (windows > 1)
		return buf_share_windows(b, bytes, windows);
	ret = -ENOMEM;
	hsz = huge ? huge_page_size() : 0;
	if (hsz != 0 && bytes % hsz == 0)
		ret = rte_dma_domain_mem_alloc(bytes, PEER_PERMS |
			RTE_DMA_DOMAIN_MEM_HUGETLB, &p);
	b->huge = ret == 0;
	if (ret != 0)
		ret = rte_dma_domain_mem_alloc(bytes, PEER_PERMS, &p);
	if (ret < 0)
		return ret;
	b->addr = p;
	b->bytes = bytes;
	b->windows = 1;
	b->nb_windows = 1;
	return 0;
}

/* ---- the peer -------------------------------------------------------------- */

static bool
join_ok(const struct perf_xpeer_join *j)
{
	return j->bytes > 0 && j->bytes <= ((uint64_t)PERF_MAX_MEM_MIB << 20) &&
		j->windows >= 1 && j->windows <= PERF_MAX_WINDOWS &&
		j->bytes % j->windows == 0 &&
		(j->bytes / j->windows) % PERF_WINDOW_ALIGN == 0 &&
		j->group_id >= -1 && j->group_id <= INT16_MAX &&
		(j->group_id >= 0 || (j->windows == 1 &&
			!rte_uuid_is_null(j->grantee))) &&
		j->huge <= 1;
}

/*
 * Join, share, fill; then tell the benchmark where the buffer is. For a
 * Class B initiator, share, then grant the buffer to it (*grant) instead
 * of joining: the grant needs no device (the peer probes one anyway, as
 * every peer does, but does not use it).
 */
static int
peer_join(int fd, int16_t dev_id, struct peer_buf *b, int16_t *group_id,
		uint16_t *grant)
{
	struct perf_xpeer_status st = { .stage = PERF_XPEER_JOINED };
	struct perf_xpeer_join j;
	rte_uuid_t me;
	int ret;

	ret = perf_recv_all(fd, &j, sizeof(j));
	if (ret < 0)
		return ret;
	if (!join_ok(&j)) {
		explicit_bzero(j.token, sizeof(j.token));
		report(fd, PERF_XPEER_JOIN, -EINVAL);
		return -EINVAL;
	}
	if (fault("peer-token"))
		j.token[0] ^= 1;
	ret = rte_dma_domain_id_get(me);
	if (ret == 0 && j.group_id >= 0)
		ret = rte_dma_access_pair_group_join(dev_id, me, j.token,
			(int16_t)j.group_id, NULL);
	if (ret < 0) {
		explicit_bzero(j.token, sizeof(j.token));
		report(fd, PERF_XPEER_JOIN, ret);
		return ret;
	}
	*group_id = (int16_t)j.group_id;

	ret = buf_share(b, j.bytes, j.windows, j.huge != 0);
	if (ret < 0) {
		explicit_bzero(j.token, sizeof(j.token));
		report(fd, PERF_XPEER_MEMORY, ret);
		return ret;
	}
	if (j.group_id < 0) {
		ret = rte_dma_domain_grant_create(j.token, j.grantee, b->addr,
			b->bytes, PEER_PERMS, grant);
		if (ret < 0) {
			explicit_bzero(j.token, sizeof(j.token));
			report(fd, PERF_XPEER_JOIN, ret);
			return ret;
		}
	}
	explicit_bzero(j.token, sizeof(j.token));
	st.grant = *grant;
	st.huge = b->huge;
	if (j.pattern)
		perf_pattern_fill(b->addr, b->bytes);
	else
		memset(b->addr, PERF_POISON, b->bytes);

	st.addr = (uint64_t)(uintptr_t)b->addr;
	st.bytes = b->bytes;
	st.pid = (int32_t)getpid();
	st.uid = (uint32_t)getuid();
	memcpy(st.domain_id, me, sizeof(st.domain_id));
	return peer_send(fd, &st, sizeof(st));
}

static void
peer_serve(int fd, struct peer_buf *b, const char *runtime_dir)
{
	struct perf_peer_reply reply;
	struct perf_peer_msg m;

	/* End of file: the benchmark is done (or gone). */
	while (perf_recv_all(fd, &m, sizeof(m)) == 0) {
		/* Gone as if killed, but without litter in /run. */
		if (fault("peer-exit")) {
			rmdir(runtime_dir);
			_exit(PERF_EXIT_FAIL);
		}
		if (!perf_peer_serve(&m, b->addr, b->bytes, &reply))
			reply.status = -EINVAL;
		if (peer_send(fd, &reply, sizeof(reply)) < 0)
			return;
	}
}

int
perf_domain_peer_main(int argc, char **argv)
{
	char *eal_argv[MAX_EAL_ARGS + 1];
	char runtime_dir[PATH_MAX] = "";
	struct peer_buf b = { .region_fd = -1 };
	int16_t dev_id, group_id = -1;
	uint16_t grant = 0;
	int fd, i, eal_argc = 0, ret;
	char *end;
	long v;

	if (argc < 5 || strcmp(argv[4], "--") != 0 ||
			argc - 5 + 1 > MAX_EAL_ARGS) {
		fprintf(stderr, PERF_NAME ": " PERF_PEER_OPTION " is for the benchmark's own use\n");
		return PERF_EXIT_CONFIG;
	}
	errno = 0;
	v = strtol(argv[2], &end, 10);
	if (errno != 0 || *end != '\0' || v < 3 || v > INT_MAX) {
		fprintf(stderr, PERF_NAME ": " PERF_PEER_OPTION ": '%s' is not a descriptor\n",
			argv[2]);
		return PERF_EXIT_CONFIG;
	}
	fd = (int)v;
	/* Our descriptor stays ours: none of EAL's children may have it. */
	fcntl(fd, F_SETFD, FD_CLOEXEC);

	eal_argv[eal_argc++] = argv[0];
	for (i = 5; i < argc; i++)
		eal_argv[eal_argc++] = argv[i];
	eal_argv[eal_argc] = NULL;
	rte_openlog_stream(stderr);
	if (rte_eal_init(eal_argc, eal_argv) < 0) {
		report(fd, PERF_XPEER_EAL, -rte_errno);
		return PERF_EXIT_FAIL;
	}
	/* EAL frees its copy of the path at cleanup; rmdir() comes after. */
	snprintf(runtime_dir, sizeof(runtime_dir), "%s",
		rte_eal_get_runtime_dir());

	ret = rte_dma_get_dev_id_by_name(argv[3]);
	if (ret >= 0 && !rte_dma_domain_is_supported((int16_t)ret,
			RTE_DMA_INTER_PROCESS_DOMAIN))
		ret = -ENOTSUP;
	if (ret < 0) {
		report(fd, PERF_XPEER_DEVICE, ret);
		goto stop_eal;
	}
	dev_id = (int16_t)ret;
	ret = report(fd, PERF_XPEER_READY, 0);
	if (ret == 0)
		ret = peer_join(fd, dev_id, &b, &group_id, &grant);
	if (ret == 0)
		peer_serve(fd, &b, runtime_dir);

	/*
	 * Leave first: with no member left to unmap the windows, stopping
	 * to share them does not wait for anyone. The benchmark detached
	 * from a grant before it let us go, so a revoke waits for nobody.
	 */
	if (group_id >= 0)
		rte_dma_access_pair_group_leave(dev_id, group_id);
	if (grant != 0)
		rte_dma_domain_grant_revoke(grant);
	buf_unshare(&b);
	rte_dma_close(dev_id);
stop_eal:
	rte_eal_cleanup();
	rmdir(runtime_dir);
	close(fd);
	return ret < 0 && ret != -EPIPE ? PERF_EXIT_FAIL : EXIT_SUCCESS;
}
