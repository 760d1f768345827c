/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-dma-xd authors
 */

/*
 * Shareable memory: the owner's side (registration, export to the broker)
 * and the receiver's side (checking and mapping the descriptors peers
 * export, and handing the windows to the maps of rte_dmadev_xlate.c).
 *
 * Lock order: mem.lock is never held across a broker call made through
 * the client (whose lock the connect hook holds when it takes mem.lock).
 */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_errno.h>
#include <rte_eal_memconfig.h>
#include <rte_memory.h>

#include "dma_access_client.h"
#include "dma_access_conn.h"
#include "dma_access_vm.h"
#include "dmadev_domain_private.h"
#include "rte_dmadev_domain.h"

/* Ranges one process can register at once (the broker's per-peer limit). */
#define MEM_REGS 4096
#define MEM_PERMS (RTE_DMA_DOMAIN_MEM_READ | RTE_DMA_DOMAIN_MEM_WRITE)

_Static_assert(RTE_DMA_DOMAIN_MEM_READ == DXA_PERM_READ, "perm bits");
_Static_assert(RTE_DMA_DOMAIN_MEM_WRITE == DXA_PERM_WRITE, "perm bits");
_Static_assert(RTE_DMA_DOMAIN_PERM_READ == DXA_PERM_READ, "perm bits");
_Static_assert(RTE_DMA_DOMAIN_PERM_WRITE == DXA_PERM_WRITE, "perm bits");

struct mem_reg {
	bool used;
	bool removing;   /* unregister in progress: not exported again */
	bool allocated;  /* from rte_dma_domain_mem_alloc(): we unmap it */
	bool extmem;     /* we registered it with EAL */
	uint32_t id;
	uint8_t *addr;
	size_t len;
	size_t map_len;  /* allocated: the whole mapping */
	int fd;          /* our own descriptor, access mode matching perm */
	uint64_t offset;
	uint32_t perm;
};

/* A grant of ours (Class B), on registration @reg_id. */
struct mem_grant {
	uint16_t handler;  /* 0: free slot, unless pending */
	bool pending;      /* being created: the broker has not answered */
	uint32_t reg_id;
};

/* Grants of one process; their window ids have this bit, registrations not. */
#define MEM_GRANTS 256
#define GRANT_MEM_ID_BIT UINT32_C(0x80000000)

static struct {
	pthread_mutex_t lock;
	struct mem_reg regs[MEM_REGS];
	uint32_t next_id;
	struct mem_grant grants[MEM_GRANTS];
	uint32_t next_grant_id;
	bool follow_dpdk;  /* DPDK's new memory is shared as EAL adds it */
} mem = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
};

/* ---- owner side ---- */

static struct mem_reg *
reg_find(const void *addr)
{
	unsigned int i;

	for (i = 0; i < MEM_REGS; i++)
		if (mem.regs[i].used && mem.regs[i].addr == addr)
			return &mem.regs[i];
	return NULL;
}

static bool
reg_overlaps(uintptr_t a, size_t len)
{
	unsigned int i;

	for (i = 0; i < MEM_REGS; i++) {
		const struct mem_reg *r = &mem.regs[i];
		uintptr_t b = (uintptr_t)r->addr;

		if (r->used && a < b + r->len && b < a + len)
			return true;
	}
	return false;
}

static void
export_body(const struct mem_reg *r, struct dxa_mem_export *e)
{
	*e = (struct dxa_mem_export){
		.base = (uint64_t)(uintptr_t)r->addr,
		.len = r->len,
		.offset = r->offset,
		.mem_id = r->id,
		.perm = r->perm,
	};
}

/*
 * A descriptor whose access mode is exactly what @perm needs: peers of a
 * read-only window get a read-only descriptor, so their kernel refuses a
 * writable mapping whatever their code does.
 */
static int
own_fd(int fd, uint32_t perm)
{
	char path[64];
	int flags, nfd;

	flags = fcntl(fd, F_GETFL);
	if (flags < 0)
		return -errno;
	if ((perm & DXA_PERM_WRITE) != 0 || (flags & O_ACCMODE) == O_RDONLY) {
		nfd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
		return nfd < 0 ? -errno : nfd;
	}
	/* Reopening through /proc gives a new, read-only file description. */
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	nfd = open(path, O_RDONLY | O_CLOEXEC);
	if (nfd < 0)
		return errno == ENOENT || errno == ENXIO ? -EACCES : -errno;
	return nfd;
}

static size_t
page_size_of(const struct mem_reg *r)
{
	struct stat st;

	if (fstat(r->fd, &st) == 0 && st.st_blksize > 0 &&
			rte_is_power_of_2((uint32_t)st.st_blksize))
		return (size_t)st.st_blksize;
	return (size_t)sysconf(_SC_PAGESIZE);
}

/* Tell EAL about memory it does not know, as external memory. */
static void
reg_extmem(struct mem_reg *r)
{
	size_t pg = page_size_of(r);

	if (rte_mem_virt2memseg_list(r->addr) != NULL)
		return;
	if ((uintptr_t)r->addr % pg != 0 || r->len % pg != 0)
		return;
	if (rte_extmem_register(r->addr, r->len, NULL, 0, pg) == 0)
		r->extmem = true;
}

/* Whether a grant of ours is on registration @id; mem.lock held. */
static bool
reg_granted(uint32_t id)
{
	unsigned int i;

	for (i = 0; i < MEM_GRANTS; i++)
		if ((mem.grants[i].handler != 0 || mem.grants[i].pending) &&
				mem.grants[i].reg_id == id)
			return true;
	return false;
}

static void
reg_release(struct mem_reg *r)
{
	if (r->extmem)
		rte_extmem_unregister(r->addr, r->len);
	if (r->fd >= 0)
		close(r->fd);
	memset(r, 0, sizeof(*r));
}

/* @api: the call the application made, for its log lines. */
static int
mem_register(const char *api, void *addr, size_t len, int fd,
		uint64_t offset, uint64_t flags, bool allocated, size_t map_len)
{
	struct dxa_mem_export e;
	struct dxa_reply_status rep;
	struct mem_reg *r = NULL;
	uintptr_t a = (uintptr_t)addr;
	uint32_t perm = (uint32_t)(flags & MEM_PERMS);
	bool sealed;
	unsigned int i;
	int nfd, ret;

	if (dxa_in_secondary())
		return -E_RTE_SECONDARY;

	if (addr == NULL || len == 0 || a % DXA_MEM_ALIGN != 0 ||
			offset % DXA_MEM_ALIGN != 0 ||
			len > DXA_MEM_ADDR_LIMIT - a || a >= DXA_MEM_ADDR_LIMIT ||
			perm == 0 || (flags & ~(uint64_t)MEM_PERMS) != 0 ||
			fd < 0) {
		DOMAIN_LOG_RL(ERR, "%s: invalid range %p+%zu, fd %d, offset %" PRIu64 " or flags 0x%" PRIx64 ": addr and offset 4 KiB-aligned, len > 0, below 2^48, READ and/or WRITE only",
			api, addr, len, fd, offset, flags);
		return -EINVAL;
	}
	nfd = own_fd(fd, perm);
	if (nfd < 0) {
		/* A dma-buf, e.g., cannot be reopened read-only. */
		DOMAIN_LOG_RL(ERR, "%s: fd %d: no read-only descriptor for a read-only window: %s (give one opened read-only)",
			api, fd, strerror(-nfd));
		return nfd;
	}
	ret = dxa_mem_fd_check(nfd, offset, len, perm, &sealed);
	if (ret != 0) {
		DOMAIN_LOG_RL(ERR, "%s: fd %d cannot back a window: %s", api,
			fd, ret == -EPERM ?
			"a memfd without F_SEAL_SHRINK|F_SEAL_GROW (seal it, or use rte_dma_domain_mem_alloc())" :
			ret == -ENODEV ? "a dma-buf whose exporter refuses a shared CPU mapping" :
			strerror(-ret));
		close(nfd);
		return ret;
	}
	pthread_mutex_lock(&mem.lock);
	if (reg_overlaps(a, len)) {
		ret = -EEXIST;
	} else {
		for (i = 0; i < MEM_REGS && r == NULL; i++)
			if (!mem.regs[i].used)
				r = &mem.regs[i];
		if (r == NULL)
			ret = -ENOSPC;
	}
	if (ret != 0) {
		pthread_mutex_unlock(&mem.lock);
		close(nfd);
		return ret;
	}
	if (++mem.next_id == 0)
		mem.next_id = 1;
	*r = (struct mem_reg){
		.used = true, .allocated = allocated, .id = mem.next_id,
		.addr = addr, .len = len, .map_len = map_len, .fd = nfd,
		.offset = offset, .perm = perm,
	};
	reg_extmem(r);
	export_body(r, &e);
	pthread_mutex_unlock(&mem.lock);

	/*
	 * Without a connection the export waits for the next one. A connect
	 * racing with this call may have exported it already: -EEXIST.
	 */
	/* A guest's private memory stays with its own device. */
	if (!dxa_vm_fd_crosses(nfd))
		return 0;
	ret = dxa_client_call_fd(DXA_MEM_EXPORT, &e, sizeof(e), nfd, &rep,
		sizeof(rep));
	if (ret == 0 || ret == -ENOTCONN || ret == -EEXIST)
		return 0;
	DOMAIN_LOG_RL(ERR, "%s: the access broker refused to share %p+%zu: %s",
		api, addr, len, strerror(-ret));
	pthread_mutex_lock(&mem.lock);
	reg_release(r);
	pthread_mutex_unlock(&mem.lock);
	return ret;
}

int
rte_dma_domain_mem_register(void *addr, size_t len, int fd, uint64_t offset,
		uint64_t flags)
{
	return mem_register(__func__, addr, len, fd, offset, flags, false, 0);
}

int
rte_dma_domain_mem_unregister(void *addr)
{
	struct dxa_mem_ref ref = { 0 };
	struct dxa_reply_status rep;
	struct mem_reg *r;
	int ret;

	if (dxa_in_secondary())
		return -E_RTE_SECONDARY;

	if (addr == NULL)
		return -EINVAL;
	pthread_mutex_lock(&mem.lock);
	r = reg_find(addr);
	if (r == NULL || r->removing) {
		pthread_mutex_unlock(&mem.lock);
		return -ENOENT;
	}
	if (reg_granted(r->id)) {
		pthread_mutex_unlock(&mem.lock);
		DOMAIN_LOG_RL(ERR, "rte_dma_domain_mem_unregister: %p is granted: revoke its grants first (rte_dma_domain_grant_revoke())",
			addr);
		return -EBUSY;
	}
	r->removing = true;
	ref.mem_id = r->id;
	pthread_mutex_unlock(&mem.lock);

	/* The broker answers once every peer has unmapped it. */
	ret = dxa_client_call_fd(DXA_MEM_UNEXPORT, &ref, sizeof(ref), -1, &rep,
		sizeof(rep));
	if (ret == -ENOTCONN || ret == -ENOENT)
		ret = 0;
	pthread_mutex_lock(&mem.lock);
	if (ret != 0)
		r->removing = false;
	else
		reg_release(r);
	pthread_mutex_unlock(&mem.lock);
	if (ret != 0)
		DOMAIN_LOG_RL(ERR, "rte_dma_domain_mem_unregister: cannot stop sharing %p: %s",
			addr, strerror(-ret));
	return ret;
}

int
rte_dma_domain_mem_alloc(size_t len, uint64_t flags, void **addr)
{
	unsigned int mfd_flags = MFD_CLOEXEC | MFD_ALLOW_SEALING;
	struct stat st;
	size_t size;
	void *p;
	int fd, ret;

	if (dxa_in_secondary())
		return -E_RTE_SECONDARY;

	if (addr == NULL || len == 0 || (flags & MEM_PERMS) == 0 ||
			(flags & ~(uint64_t)(MEM_PERMS |
				RTE_DMA_DOMAIN_MEM_HUGETLB)) != 0)
		return -EINVAL;
	if (flags & RTE_DMA_DOMAIN_MEM_HUGETLB)
		mfd_flags |= MFD_HUGETLB;
	fd = memfd_create("dpdk-dma-xd", mfd_flags);
	if (fd < 0)
		return -errno;
	/* st_blksize is the page size: huge for a hugetlb memfd. */
	if (fstat(fd, &st) != 0) {
		ret = -errno;
		goto close_fd;
	}
	size = RTE_ALIGN_CEIL(len, (size_t)st.st_blksize);
	if (size < len) {
		ret = -EINVAL;
		goto close_fd;
	}
	if (ftruncate(fd, (off_t)size) != 0) {
		ret = errno == EINVAL || errno == ENOSPC ? -ENOMEM : -errno;
		goto close_fd;
	}
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
		fd, 0);
	if (p == MAP_FAILED) {
		ret = -errno;
		goto close_fd;
	}
	/* Sealed before anyone else sees the descriptor. */
	if (fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW |
			F_SEAL_SEAL) != 0) {
		ret = -errno;
		goto unmap;
	}
	ret = mem_register(__func__, p, size, fd, 0, flags & MEM_PERMS, true,
		size);
	if (ret != 0)
		goto unmap;
	close(fd);
	*addr = p;
	return 0;
unmap:
	munmap(p, size);
close_fd:
	close(fd);
	return ret;
}

int
rte_dma_domain_mem_free(void *addr)
{
	struct mem_reg *r;
	size_t len;
	int ret;

	if (dxa_in_secondary())
		return -E_RTE_SECONDARY;

	if (addr == NULL)
		return -EINVAL;
	pthread_mutex_lock(&mem.lock);
	r = reg_find(addr);
	ret = r == NULL || !r->allocated ? -ENOENT : 0;
	len = ret == 0 ? r->map_len : 0;
	pthread_mutex_unlock(&mem.lock);
	if (ret == 0)
		ret = rte_dma_domain_mem_unregister(addr);
	if (ret == 0)
		munmap(addr, len);
	return ret;
}

/* A run of segments with one descriptor, contiguous in VA and in file. */
struct seg_run {
	uint8_t *addr;
	size_t len;
	int fd;
	uint64_t offset;
};

struct seg_walk {
	struct seg_run *runs;
	unsigned int nb;
	unsigned int max;
};

static int
seg_walk_cb(const struct rte_memseg_list *msl, const struct rte_memseg *ms,
		void *arg)
{
	struct seg_walk *w = arg;
	struct seg_run *last = w->nb > 0 ? &w->runs[w->nb - 1] : NULL;
	size_t off;
	int fd;

	RTE_SET_USED(msl);
	fd = rte_memseg_get_fd_thread_unsafe(ms);
	if (fd < 0 || rte_memseg_get_fd_offset_thread_unsafe(ms, &off) != 0)
		return 0;
	if (last != NULL && last->fd == fd &&
			last->addr + last->len == (uint8_t *)ms->addr &&
			last->offset + last->len == off) {
		last->len += ms->len;
		return 0;
	}
	if (w->nb == w->max)
		return -1;
	w->runs[w->nb++] = (struct seg_run){
		.addr = ms->addr, .len = ms->len, .fd = fd, .offset = off,
	};
	return 0;
}

/*
 * Register every run of DPDK's file-backed memory with @flags. Returns the
 * runs newly registered, -ENOTSUP when none is shareable, or an error.
 */
static int
mem_share_dpdk(uint64_t flags)
{
	struct seg_walk w = { .max = MEM_REGS };
	unsigned int i, shared = 0;
	int ret = 0, n = 0;

	w.runs = calloc(w.max, sizeof(*w.runs));
	if (w.runs == NULL)
		return -ENOMEM;
	/* Collected under EAL's lock, registered after it (broker calls). */
	rte_mcfg_mem_read_lock();
	if (rte_memseg_walk_thread_unsafe(seg_walk_cb, &w) < 0)
		ret = -ENOSPC;
	/* EAL's descriptors stay valid only under its lock: duplicate them. */
	for (i = 0; i < w.nb && ret == 0; i++) {
		w.runs[i].fd = fcntl(w.runs[i].fd, F_DUPFD_CLOEXEC, 0);
		if (w.runs[i].fd < 0)
			ret = -errno;
	}
	rte_mcfg_mem_read_unlock();
	for (i = 0; i < w.nb && ret == 0; i++) {
		ret = rte_dma_domain_mem_register(w.runs[i].addr, w.runs[i].len,
			w.runs[i].fd, w.runs[i].offset, flags);
		if (ret == -EEXIST) {
			ret = 0; /* shared already */
			shared++;
		} else if (ret == -EPERM || ret == -EBADF) {
			/*
			 * Not a file a window may live in: with --no-huge,
			 * DPDK 22.11 backs memory with a memfd it never made
			 * sealable. Such a run stays private.
			 */
			ret = 0;
		} else if (ret == 0) {
			n++;
		}
	}
	if (ret == 0 && n == 0 && shared == 0)
		ret = -ENOTSUP;
	for (i = 0; i < w.nb; i++)
		if (w.runs[i].fd >= 0)
			close(w.runs[i].fd);
	free(w.runs);
	return ret != 0 ? ret : n;
}

int
rte_dma_domain_mem_share_dpdk(uint64_t flags)
{
	int ret;

	if (dxa_in_secondary())
		return -E_RTE_SECONDARY;

	if ((flags & MEM_PERMS) == 0 || (flags & ~(uint64_t)MEM_PERMS) != 0)
		return -EINVAL;
	ret = mem_share_dpdk(flags);
	if (ret == -ENOTSUP)
		DOMAIN_LOG_RL(ERR, "rte_dma_domain_mem_share_dpdk: no DPDK memory segment is backed by a file that can be shared (EAL --no-huge?): share memory of rte_dma_domain_mem_alloc() instead");
	return ret;
}

/* Name of the environment variable that turns the default sharing off. */
#define SHARE_DPDK_ENV "RTE_DMA_DOMAIN_SHARE_DPDK"

/*
 * DPDK memory that EAL allocates or frees once the default sharing is on:
 * shared as it comes, withdrawn before it goes (the peers have unmapped it
 * when this returns). EAL calls it in the allocating thread with its
 * memory hotplug lock held, so its descriptors are valid here and nothing
 * here takes that lock; a broker that does not answer delays that
 * allocation by the client's timeout at most.
 */
static void
mem_dpdk_event(enum rte_mem_event type, const void *addr, size_t len,
		void *arg)
{
	const uint8_t *p = addr, *end = p + len;
	const struct rte_memseg *ms;
	size_t off;
	int fd, ret;

	RTE_SET_USED(arg);
	for (; p < end; p = (const uint8_t *)ms->addr + ms->len) {
		ms = rte_mem_virt2memseg(p, NULL);
		if (ms == NULL || ms->len == 0)
			return;
		if (type == RTE_MEM_EVENT_FREE) {
			ret = rte_dma_domain_mem_unregister(ms->addr);
			if (ret != 0 && ret != -ENOENT)
				DOMAIN_LOG_RL(WARNING, "DPDK memory at %p is freed while still shared: %s",
					ms->addr, strerror(-ret));
			continue;
		}
		fd = rte_memseg_get_fd_thread_unsafe(ms);
		if (fd < 0 || rte_memseg_get_fd_offset_thread_unsafe(ms,
				&off) != 0)
			continue;
		ret = mem_register("rte_dma_domain_mem_share_dpdk", ms->addr,
			ms->len, fd, off, RTE_DMA_DOMAIN_MEM_READ |
			RTE_DMA_DOMAIN_MEM_WRITE, false, 0);
		if (ret != 0 && ret != -EEXIST && ret != -EPERM && ret != -EBADF)
			DOMAIN_LOG_RL(WARNING, "new DPDK memory at %p is not shared: %s",
				ms->addr, strerror(-ret));
	}
}

void
dxa_mem_share_dpdk_default(void)
{
	static bool told;
	const char *env = getenv(SHARE_DPDK_ENV);
	int ret;

	if (env != NULL && strcmp(env, "0") == 0)
		return;
	ret = mem_share_dpdk(RTE_DMA_DOMAIN_MEM_READ | RTE_DMA_DOMAIN_MEM_WRITE);
	/* Once: EAL refuses a second callback of the same name. */
	if (ret >= 0 && !__atomic_exchange_n(&mem.follow_dpdk, true,
			__ATOMIC_RELAXED))
		rte_mem_event_callback_register("dma-xd-share", mem_dpdk_event,
			NULL);
	if (ret > 0)
		DOMAIN_LOG(INFO, "DPDK's memory is shared with this process's groups (read and write, %d more range%s; %s=0 keeps it private)",
			ret, ret > 1 ? "s" : "", SHARE_DPDK_ENV);
	else if (ret == -ENOTSUP && !__atomic_exchange_n(&told, true,
			__ATOMIC_RELAXED))
		DOMAIN_LOG(INFO, "DPDK's memory is not shared: no segment is backed by a file a peer can map (EAL --no-huge); peers reach memory from rte_dma_domain_mem_alloc() or _register()");
	else if (ret < 0 && ret != -ENOTSUP)
		DOMAIN_LOG_RL(WARNING, "DPDK's memory could not be shared with this process's groups: %s",
			strerror(-ret));
}

/*
 * A new broker connection @conn_fd is open and nobody reads it yet: export
 * every registered range over it (the broker forgot the old connection's
 * exports with it). The client calls it with its lock held.
 */
static void
mem_conn_opened(int conn_fd)
{
	uint8_t buf[DXA_MSG_MAX];
	struct dxa_mem_export e;
	struct dxa_reply_status rep;
	struct dxa_hdr h;
	unsigned int i;
	uint32_t seq = 0;
	int n, rx_fd;

	pthread_mutex_lock(&mem.lock);
	/*
	 * Grants lived on the connection that broke: none is left (one being
	 * created now, over this connection, is still pending).
	 */
	for (i = 0; i < MEM_GRANTS; i++)
		mem.grants[i].handler = 0;
	for (i = 0; i < MEM_REGS; i++) {
		const struct mem_reg *r = &mem.regs[i];

		if (!r->used || r->removing || !dxa_vm_fd_crosses(r->fd))
			continue;
		export_body(r, &e);
		/*
		 * Nobody else reads this connection yet and it carries no
		 * membership, so the next message is this reply.
		 */
		if (dxa_conn_send_fd(conn_fd, DXA_MEM_EXPORT, ++seq, &e,
				sizeof(e), r->fd) != 0)
			break;
		n = dxa_conn_recv_fd(conn_fd, buf, DXA_CLIENT_TIMEOUT_MS,
			&rx_fd);
		if (rx_fd >= 0)
			close(rx_fd);
		if (n < 0)
			break;
		memcpy(&h, buf, sizeof(h));
		memcpy(&rep, buf + sizeof(h), RTE_MIN(sizeof(rep),
			(size_t)n - sizeof(h)));
		if (h.type != (DXA_MEM_EXPORT | DXA_REPLY) || rep.status != 0)
			DOMAIN_LOG_RL(ERR, "reconnected to the access broker: it refused to share %p again: %d",
				r->addr, rep.status);
	}
	pthread_mutex_unlock(&mem.lock);
}

/* ---- Class B grants, owner side ---- */

/*
 * Whether [a, a + len) of registration @r is its whole file (up to the
 * padding of the file's last page): a peer given the descriptor can map
 * any of the file, so only then does its kernel keep it to the grant.
 */
static bool
reg_whole_file(const struct mem_reg *r, uintptr_t a, size_t len)
{
	uint64_t file_off = r->offset + (a - (uintptr_t)r->addr);
	off_t end = lseek(r->fd, 0, SEEK_END);

	return file_off == 0 && end > 0 && (uint64_t)end >= len &&
		(uint64_t)end - len < page_size_of(r);
}

/* The registration holding [a, a + len), or NULL; mem.lock held. */
static struct mem_reg *
reg_holding(uintptr_t a, size_t len)
{
	unsigned int i;

	for (i = 0; i < MEM_REGS; i++) {
		struct mem_reg *r = &mem.regs[i];
		uintptr_t b = (uintptr_t)r->addr;

		if (r->used && !r->removing && a >= b && len <= r->len &&
				a - b <= r->len - len)
			return r;
	}
	return NULL;
}

int
rte_dma_domain_grant_create(rte_uuid_t token, const rte_uuid_t grantee,
		const void *addr, size_t len, uint64_t perm, uint16_t *handler)
{
	struct dxa_grant_create req = { 0 };
	struct dxa_reply_group rep;
	uintptr_t a = (uintptr_t)addr;
	struct mem_grant *slot = NULL;
	struct mem_reg *r;
	unsigned int i;
	int fd, ret;

	if (dxa_in_secondary())
		return -E_RTE_SECONDARY;

	if (token == NULL || grantee == NULL || handler == NULL ||
			rte_uuid_is_null(token) || rte_uuid_is_null(grantee) ||
			addr == NULL || len == 0 || a % DXA_MEM_ALIGN != 0 ||
			(perm & MEM_PERMS) == 0 ||
			(perm & ~(uint64_t)MEM_PERMS) != 0) {
		DOMAIN_LOG_RL(ERR, "rte_dma_domain_grant_create: invalid argument (%p+%zu, perm 0x%" PRIx64 "): a non-nil token and grantee, a 4 KiB-aligned addr, len > 0, READ and/or WRITE",
			addr, len, perm);
		return -EINVAL;
	}
	ret = rte_dma_domain_id_get(req.owner);
	if (ret != 0)
		return ret;
	if (memcmp(req.owner, grantee, DXA_UUID_LEN) == 0) {
		DOMAIN_LOG_RL(ERR, "rte_dma_domain_grant_create: the grantee is this domain: name another domain's id");
		return -EINVAL;
	}
	pthread_mutex_lock(&mem.lock);
	r = reg_holding(a, len);
	for (i = 0; i < MEM_GRANTS && slot == NULL; i++)
		if (mem.grants[i].handler == 0 && !mem.grants[i].pending)
			slot = &mem.grants[i];
	if (r == NULL || slot == NULL || (perm & ~(uint64_t)r->perm) != 0 ||
			!reg_whole_file(r, a, len)) {
		ret = r == NULL ? -ENOENT : slot == NULL ? -ENOSPC :
			(perm & ~(uint64_t)r->perm) != 0 ? -EACCES : -EINVAL;
		pthread_mutex_unlock(&mem.lock);
		DOMAIN_LOG_RL(ERR, "rte_dma_domain_grant_create: %p+%zu: %s",
			addr, len,
			ret == -ENOENT ? "not inside one registered range" :
			ret == -ENOSPC ? "too many grants" :
			ret == -EACCES ?
			"more access than the range was registered with" :
			"not a whole file (the memory of one rte_dma_domain_mem_alloc(), or a registered file that holds nothing else)");
		return ret;
	}
	/* A read-only grant travels as a read-only descriptor. */
	fd = own_fd(r->fd, (uint32_t)perm);
	req.win = (struct dxa_mem_export){
		.base = a,
		.len = len,
		.offset = r->offset + (a - (uintptr_t)r->addr),
		.mem_id = GRANT_MEM_ID_BIT |
			(++mem.next_grant_id & ~GRANT_MEM_ID_BIT),
		.perm = (uint32_t)perm,
	};
	if (req.win.mem_id == GRANT_MEM_ID_BIT)
		req.win.mem_id = GRANT_MEM_ID_BIT |
			(++mem.next_grant_id & ~GRANT_MEM_ID_BIT);
	slot->reg_id = r->id;
	/* Reserved, so that an unregister waits for the answer. */
	slot->pending = true;
	pthread_mutex_unlock(&mem.lock);
	if (fd < 0) {
		ret = fd;
		goto out;
	}
	memcpy(req.token, token, DXA_UUID_LEN);
	memcpy(req.grantee, grantee, DXA_UUID_LEN);
	/* No lock of ours across the call: connecting re-exports. */
	ret = dxa_client_call_fd_connect(DXA_GRANT_CREATE, &req, sizeof(req),
		fd, &rep, sizeof(rep), token);
	close(fd);
out:
	memset(&req, 0, sizeof(req));
	pthread_mutex_lock(&mem.lock);
	slot->pending = false;
	slot->handler = ret == 0 ? rep.handler : 0;
	pthread_mutex_unlock(&mem.lock);
	if (ret != 0) {
		DOMAIN_LOG_RL(ERR, "rte_dma_domain_grant_create: %p+%zu refused: %s",
			addr, len, strerror(-ret));
		return ret;
	}
	*handler = rep.handler;
	return 0;
}

int
rte_dma_domain_grant_revoke(uint16_t handler)
{
	struct dxa_grant_ref ref = { .handler = handler };
	struct dxa_reply_status rep;
	struct mem_grant *g = NULL;
	unsigned int i;
	int ret;

	if (dxa_in_secondary())
		return -E_RTE_SECONDARY;

	if (handler == 0)
		return -EINVAL;
	pthread_mutex_lock(&mem.lock);
	for (i = 0; i < MEM_GRANTS && g == NULL; i++)
		if (mem.grants[i].handler == handler)
			g = &mem.grants[i];
	pthread_mutex_unlock(&mem.lock);
	if (g == NULL)
		return -ENOENT;
	/* The broker answers once the grantee has unmapped the window. */
	ret = dxa_client_call_fd(DXA_GRANT_REVOKE, &ref, sizeof(ref), -1, &rep,
		sizeof(rep));
	if (ret == -ENOTCONN)
		ret = -ENOENT;
	pthread_mutex_lock(&mem.lock);
	/*
	 * Gone once the broker says it has no such grant, or the connection
	 * that carried it broke. After a timeout (or -EBUSY: a revoke still
	 * waiting) the grantee may still map it: the grant stays recorded,
	 * and its memory registered.
	 */
	if ((ret == 0 || ret == -ENOENT || ret == -ECONNRESET) &&
			g->handler == handler)
		g->handler = 0;
	pthread_mutex_unlock(&mem.lock);
	if (ret != 0 && ret != -ENOENT)
		DOMAIN_LOG_RL(ERR, "rte_dma_domain_grant_revoke: grant %u not revoked: %s",
			handler, strerror(-ret));
	return ret;
}

/* ---- receiver side ---- */

/*
 * A window event arrived on @conn_fd with descriptor @rx_fd (-1 if none;
 * consumed either way). Runs on the client's reader thread, so a window
 * is mapped before any later reply of the broker is handed to a caller.
 */
static void
mem_event(int conn_fd, const struct dxa_mem_event *ev, int rx_fd)
{
	struct dxa_mem_released rel = {
		.handler = ev->handler, .mem_id = ev->mem_id,
	};

	if (ev->event == DXA_MEM_ADD && rx_fd >= 0) {
		if (dxa_window_map(ev, rx_fd) == 0)
			dxa_mp_window_added(ev, rx_fd);
	} else if (ev->event == DXA_MEM_DEL) {
		/* Unmapped once no operation can use it, here and in our
		 * secondaries; then say so.
		 */
		dxa_map_window_del(ev->handler, ev->mem_id);
		dxa_mp_window_removed(ev->handler, ev->mem_id);
		dxa_conn_send(conn_fd, DXA_MEM_RELEASED, 0, &rel, sizeof(rel));
	} else {
		DOMAIN_LOG_RL(ERR, "a window from the access broker came without its descriptor: ignored");
	}
	if (rx_fd >= 0)
		close(rx_fd);
}

/* A forked child shares nothing: it starts with no registration. */
static void
mem_forget(void)
{
	unsigned int i;

	pthread_mutex_init(&mem.lock, NULL);
	for (i = 0; i < MEM_REGS; i++) {
		if (mem.regs[i].used && mem.regs[i].fd >= 0)
			close(mem.regs[i].fd);
		memset(&mem.regs[i], 0, sizeof(mem.regs[i]));
	}
}

static const struct dxa_client_mem_hooks mem_hooks = {
	.opened = mem_conn_opened,
	.event = mem_event,
};

RTE_INIT(mem_init)
{
	pthread_atfork(NULL, NULL, mem_forget);
	dxa_client_set_mem_hooks(&mem_hooks);
}
