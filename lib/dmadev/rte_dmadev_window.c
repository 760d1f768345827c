/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-dma-xd authors
 */

/*
 * The receiver's side of a window: check the descriptor a peer exports
 * and map it into this process, into its handler's map. The broker
 * client's reader calls it for the primary, the multi-process channel for
 * each secondary.
 */

#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rte_common.h>

#include "dmadev_domain_private.h"

/*
 * Map a window at the owner's own address when that range is free here,
 * anywhere otherwise. At the owner's address the peer's layout is kept:
 * windows it registered side by side, in ascending order, are side by side
 * and ascending here too, where mappings placed by the kernel would come
 * top-down, one below the other. Copies that walk a peer's buffer across
 * many windows then walk memory in order (measured: 4096 windows of 8 KiB
 * placed by the kernel made 4 KiB copies through them 1.3-1.6x slower than
 * one window; at the owner's address they cost the same), and the kernel
 * can merge the mappings. MAP_FIXED_NOREPLACE never replaces a mapping of
 * ours: an occupied range, a misaligned or forbidden address, fall back.
 *
 * No MAP_POPULATE: a window is the peer's memory, its size the peer's
 * choice. Pre-faulting a sparse memfd would allocate every hole in shared
 * memory charged to this process (2 GiB of RSS for a 2 GiB window of
 * nothing) and stall the join while it does; pages fault in as copies
 * touch them, and only those the owner really has cost anything.
 */
static void *
mem_map_window(uint64_t owner_addr, size_t map_len, int prot, int fd,
		uint64_t offset)
{
	void *p = MAP_FAILED;

	if (owner_addr != 0 && owner_addr < DXA_MEM_ADDR_LIMIT)
		p = mmap((void *)(uintptr_t)owner_addr, map_len, prot,
			MAP_SHARED | MAP_FIXED_NOREPLACE, fd,
			(off_t)offset);
	if (p == MAP_FAILED)
		p = mmap(NULL, map_len, prot, MAP_SHARED, fd,
			(off_t)offset);
	return p;
}

/*
 * Check and map a window a peer exports. A descriptor the kernel cannot
 * keep from shrinking (hugetlbfs file) is mapped only from an owner who
 * could harm this process anyway: the same uid, or root.
 */
int
dxa_window_map(const struct dxa_mem_event *ev, int rx_fd)
{
	uint64_t align, aligned_off, pre;
	struct stat st;
	size_t map_len;
	bool sealed;
	int prot, ret;
	void *p;

	ret = dxa_mem_fd_check(rx_fd, ev->offset, ev->len, ev->perm, &sealed);
	if (ret == 0 && !sealed && ev->owner_uid != (uint32_t)geteuid() &&
			ev->owner_uid != 0)
		ret = -EPERM;
	if (ret == 0 && fstat(rx_fd, &st) != 0)
		ret = -errno;
	if (ret != 0) {
		DOMAIN_LOG_RL(ERR, "peer window %u of handler %u refused: %s",
			ev->mem_id, ev->handler, ret == -EPERM ?
			"it could be shrunk under us (unsealed)" :
			strerror(-ret));
		return ret;
	}
	align = st.st_blksize > 0 && rte_is_power_of_2((uint32_t)st.st_blksize) ?
		(uint64_t)st.st_blksize : (uint64_t)sysconf(_SC_PAGESIZE);
	aligned_off = ev->offset & ~(align - 1);
	pre = ev->offset - aligned_off;
	map_len = RTE_ALIGN_CEIL(pre + ev->len, align);
	prot = PROT_READ | ((ev->perm & DXA_PERM_WRITE) ? PROT_WRITE : 0);
	p = mem_map_window(ev->base - pre, map_len, prot, rx_fd, aligned_off);
	if (p == MAP_FAILED) {
		DOMAIN_LOG_RL(ERR, "cannot map peer window %u of handler %u (%" PRIu64 " bytes): %s",
			ev->mem_id, ev->handler, ev->len, strerror(errno));
		return -errno;
	}
	/*
	 * A child forked from here is a member of nothing: it must not keep
	 * a peer's memory mapped after we give it back.
	 */
	if (madvise(p, map_len, MADV_DONTFORK) != 0)
		DOMAIN_LOG_RL(WARNING, "peer window %u of handler %u stays mapped in children forked from here: %s",
			ev->mem_id, ev->handler, strerror(errno));
	ret = dxa_map_window_add(ev->group_id, ev->handler, ev->mem_id,
		ev->base, ev->len, ev->perm, (uint64_t)(uintptr_t)p + pre, p,
		map_len);
	if (ret != 0) {
		DOMAIN_LOG_RL(ERR, "peer window %u of handler %u not added: %s",
			ev->mem_id, ev->handler, strerror(-ret));
		munmap(p, map_len);
		return ret;
	}
	return 0;
}
