/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-dma-xd authors
 */

/*
 * Window maps, their tables and the reclamation that lets executors read
 * them without locks.
 *
 * A table is written once, by dxa_table_build(), and never changed after:
 * an update builds a new one, publishes it in the map and frees the old
 * one only after dxa_qs_synchronize() has seen every executor leave the
 * read section it was in. The memory a removed window maps is unmapped at
 * the same point, so an executor never touches an unmapped page.
 *
 * The radix index: 4 levels of 512 entries over address bits 47..12, one
 * entry covering 512 GiB, 1 GiB, 2 MiB, 4 KiB. All nodes of a table sit in
 * one array of uint32_t (node 0 is the root) so that a lookup is four
 * dependent loads at most, whatever the number of windows:
 *
 *   0            no window there
 *   LEAF | i     every address of the entry is in window i's extent
 *   n (>= 1)     partly covered: node n resolves it
 *
 * A window's extent is [base, base + len) rounded up to 4 KiB: bases are
 * 4 KiB-aligned and windows do not overlap, so a page meets one window at
 * most, and the exact bounds are checked after the walk in any case.
 *
 * Locks: map_lock serialises the updates of every map and is held while
 * they wait for executors (which never take it); qs_lock nests inside it.
 * rte_dmadev_group.c calls in with its group lock held; nothing here calls
 * out of the maps.
 */

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <linux/membarrier.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_debug.h>
#include <rte_dev.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_memory.h>
#include <rte_pause.h>

#include "dma_access_proto.h"
#include "dmadev_domain_private.h"

#define XLATE_PAGE_SHIFT 12
#define XLATE_LEVEL_BITS 9
#define XLATE_LEVELS 4
#define XLATE_FANOUT (1u << XLATE_LEVEL_BITS)
#define XLATE_LEAF RTE_BIT32(31)
/* Windows one table may hold: their index must fit beside XLATE_LEAF. */
#define XLATE_TABLE_MAX (XLATE_LEAF - 1)

/* Windows one map keeps: each update rebuilds the whole table. */
#define MAP_WINDOWS_MAX 16384
#define MAP_HANDLERS (UINT16_MAX + 1)
#define MAP_PERMS (RTE_DMA_DOMAIN_PERM_READ | RTE_DMA_DOMAIN_PERM_WRITE)

/*
 * Waiting for an executor to leave its read section: a batch takes
 * microseconds, so spin briefly, then yield (it may share our CPU), then
 * sleep (it may have been preempted for long).
 */
#define QS_SPINS 256
#define QS_YIELDS 4096
#define QS_SLEEP_NS 20000
/* "1": executors keep a fence per batch, updaters need no membarrier(2). */
#define QS_FENCE_ENV "RTE_DMA_DOMAIN_QS_FENCE"

_Static_assert(RTE_BIT64(XLATE_PAGE_SHIFT) == DXA_MEM_ALIGN,
	"the index's smallest entry is the window alignment");
_Static_assert(XLATE_PAGE_SHIFT + XLATE_LEVELS * XLATE_LEVEL_BITS == 48 &&
	DXA_MEM_ADDR_LIMIT == RTE_BIT64(48),
	"the index covers exactly the window address space");
_Static_assert(RTE_DMA_DOMAIN_PERM_READ == DXA_PERM_READ &&
	RTE_DMA_DOMAIN_PERM_WRITE == DXA_PERM_WRITE,
	"windows carry the broker's permission bits unchanged");
_Static_assert(MAP_WINDOWS_MAX <= XLATE_TABLE_MAX, "window index in a leaf");

/* A built table and its windows, in one allocation. */
struct table_priv {
	struct rte_dma_domain_table pub;
	struct rte_dma_domain_window windows[];
};

/* Gen 0 is an empty cache and 1 the dead table: no cache ever holds 1. */
static uint64_t table_gen_next = 2;

static const uint32_t empty_root[XLATE_FANOUT];

/* Every killed map points here; a lookup fails before the index. */
static struct rte_dma_domain_table dead_table = {
	.gen = 1,
	.dead = 1,
	.nodes = empty_root,
};

/* What a window's memory is mapped as, to munmap when it goes. */
struct map_mapping {
	void *addr;
	size_t len;
	bool extmem;  /* registered with EAL and mapped for dma_devs[] */
};

struct map_priv {
	struct rte_dma_domain_map pub;
	uint32_t refcnt;         /* atomic; the registry holds one */
	uint16_t handler;
	int16_t group_id;
	bool own;
	uint32_t nb_windows;
	uint32_t cap;
	/* Sorted by base, so that a rebuild need not sort. */
	struct rte_dma_domain_window *windows;
	struct map_mapping *mappings; /* parallel to windows */
	struct rte_dma_domain_table *old_table; /* while being killed */
	struct map_priv *next_dying;
};

static pthread_mutex_t map_lock = PTHREAD_MUTEX_INITIALIZER;
/* handler -> map; allocated on first use, a 512 KiB array. */
static struct map_priv **maps;

static pthread_mutex_t qs_lock = PTHREAD_MUTEX_INITIALIZER;
static struct rte_dma_domain_qs *qs_head;

uint32_t rte_dma_domain_qs_waiters;
uint32_t rte_dma_domain_qs_asym;

/*
 * Devices every window is mapped for (rte_dma_domain_dma_map_add()), in
 * the order they were added; under map_lock.
 */
#define DMA_DEVS_MAX 32
static struct rte_device *dma_devs[DMA_DEVS_MAX];
static unsigned int dma_devs_refs[DMA_DEVS_MAX]; /* adds not yet undone */
static unsigned int nb_dma_devs;

/* ---- Tables ---------------------------------------------------------- */

struct radix_build {
	uint32_t *nodes;
	uint32_t nb_nodes;
	uint32_t cap;
	/*
	 * The last node entered at each level and the first address it
	 * covers: windows come sorted, so the next one mostly lands in the
	 * same deepest node and its insertion need not start at the root.
	 */
	uint32_t path[XLATE_LEVELS];
	uint64_t path_base[XLATE_LEVELS];
};

/* Log2 of the bytes one entry at @level covers. */
static inline unsigned int
radix_shift(unsigned int level)
{
	return XLATE_PAGE_SHIFT + (XLATE_LEVELS - 1 - level) * XLATE_LEVEL_BITS;
}

static int
radix_node_new(struct radix_build *b, uint32_t *idx)
{
	if (b->nb_nodes == b->cap) {
		uint32_t cap = b->cap * 2;
		uint32_t *n;

		/* A child index must stay below the leaf bit. */
		if (b->cap >= XLATE_LEAF / 2)
			return -ENOMEM;
		n = realloc(b->nodes, (size_t)cap * XLATE_FANOUT * sizeof(*n));
		if (n == NULL)
			return -ENOMEM;
		b->nodes = n;
		b->cap = cap;
	}
	memset(&b->nodes[(size_t)b->nb_nodes * XLATE_FANOUT], 0,
		XLATE_FANOUT * sizeof(*b->nodes));
	*idx = b->nb_nodes++;
	return 0;
}

/*
 * Point every entry of @node (at @level) that [lo, end) touches at window
 * @leaf, descending where an entry is only partly covered. Nodes are
 * addressed by index: radix_node_new() may move the array.
 */
static int
radix_insert(struct radix_build *b, uint32_t node, unsigned int level,
		uint64_t lo, uint64_t end, uint32_t leaf)
{
	unsigned int shift = radix_shift(level);
	uint64_t span = RTE_BIT64(shift);
	uint64_t node_base = lo & ~((span << XLATE_LEVEL_BITS) - 1);
	uint32_t first = (lo >> shift) & (XLATE_FANOUT - 1);
	uint32_t last = ((end - 1) >> shift) & (XLATE_FANOUT - 1);
	uint32_t i;
	int ret;

	for (i = first; i <= last; i++) {
		uint64_t e_lo = node_base + (uint64_t)i * span;
		uint64_t e_end = e_lo + span;
		size_t slot = (size_t)node * XLATE_FANOUT + i;
		uint32_t child;

		if (level == XLATE_LEVELS - 1 || (lo <= e_lo && end >= e_end)) {
			b->nodes[slot] = XLATE_LEAF | leaf;
			continue;
		}
		child = b->nodes[slot];
		/* Extents do not overlap: a partly covered entry is no leaf. */
		RTE_ASSERT(!(child & XLATE_LEAF));
		if (child == 0) {
			ret = radix_node_new(b, &child);
			if (ret != 0)
				return ret;
			b->nodes[slot] = child;
		}
		b->path[level + 1] = child;
		b->path_base[level + 1] = e_lo;
		ret = radix_insert(b, child, level + 1, RTE_MAX(lo, e_lo),
			RTE_MIN(end, e_end), leaf);
		if (ret != 0)
			return ret;
	}
	return 0;
}

static int
window_cmp(const void *a, const void *b)
{
	const struct rte_dma_domain_window *wa = a, *wb = b;

	return wa->base < wb->base ? -1 : wa->base > wb->base;
}

static bool
window_valid(const struct rte_dma_domain_window *w)
{
	return w->base % DXA_MEM_ALIGN == 0 && w->len > 0 &&
		w->base < DXA_MEM_ADDR_LIMIT &&
		w->len <= DXA_MEM_ADDR_LIMIT - w->base &&
		w->perm != 0 && (w->perm & ~MAP_PERMS) == 0;
}

static bool
windows_overlap(const struct rte_dma_domain_window *w, uint32_t n)
{
	uint32_t i;

	for (i = 1; i < n; i++)
		if (w[i].base < w[i - 1].base + w[i - 1].len)
			return true;
	return false;
}

/*
 * Index sorted, checked windows. A rebuild after every update makes this
 * the cost of an update, hence the shortcut through the last path taken.
 */
static int
radix_index(struct radix_build *b, const struct rte_dma_domain_window *w,
		uint32_t n)
{
	const unsigned int deepest = XLATE_LEVELS - 1;
	uint32_t i, root, e, first, last;
	int ret;

	ret = radix_node_new(b, &root);
	for (i = 0; i < n && ret == 0; i++) {
		uint64_t end = RTE_ALIGN_CEIL(w[i].base + w[i].len,
			DXA_MEM_ALIGN);
		unsigned int level;

		/* Node 0 is the root, so path[level] == 0 means none yet. */
		for (level = deepest; level > 0; level--)
			if (b->path[level] != 0 &&
					w[i].base >= b->path_base[level] &&
					end - b->path_base[level] <=
					RTE_BIT64(radix_shift(level) +
						XLATE_LEVEL_BITS))
				break;
		if (level != deepest) {
			ret = radix_insert(b, level > 0 ? b->path[level] : root,
				level, w[i].base, end, i);
			continue;
		}
		/* Within one last-level node: its 4 KiB entries, in place. */
		first = (w[i].base >> XLATE_PAGE_SHIFT) & (XLATE_FANOUT - 1);
		last = ((end - 1) >> XLATE_PAGE_SHIFT) & (XLATE_FANOUT - 1);
		for (e = first; e <= last; e++)
			b->nodes[(size_t)b->path[deepest] * XLATE_FANOUT + e] =
				XLATE_LEAF | i;
	}
	return ret;
}

int
dxa_table_build(const struct rte_dma_domain_window *w, uint32_t n,
		struct rte_dma_domain_table **out)
{
	struct radix_build b = { .cap = 0 };
	struct rte_dma_domain_window *x;
	struct table_priv *t;
	bool sorted = true;
	uint32_t i;
	int ret;

	if (out == NULL || (n > 0 && w == NULL) || n > XLATE_TABLE_MAX)
		return -EINVAL;
	/*
	 * Room for a power of two of windows: a map grows by one window per
	 * update, and sizes that repeat let malloc reuse the table freed by
	 * the previous update instead of faulting in fresh pages each time.
	 */
	t = malloc(sizeof(*t) + (size_t)rte_align32pow2(RTE_MAX(n, 1u)) *
		sizeof(t->windows[0]));
	if (t == NULL)
		return -ENOMEM;
	if (n > 0)
		memcpy(t->windows, w, (size_t)n * sizeof(t->windows[0]));
	/* One pass for sorted input, which is what the maps give. */
	for (i = 0; i < n; i++) {
		x = &t->windows[i];
		if (!window_valid(x)) {
			ret = -EINVAL;
			goto free_table;
		}
		if (i == 0 || !sorted)
			continue;
		if (x->base < x[-1].base) {
			sorted = false;
		} else if (x->base < x[-1].base + x[-1].len) {
			ret = -EINVAL;
			goto free_table;
		}
	}
	if (!sorted) {
		qsort(t->windows, n, sizeof(t->windows[0]), window_cmp);
		if (windows_overlap(t->windows, n)) {
			ret = -EINVAL;
			goto free_table;
		}
	}

	/*
	 * Windows that share pages of the index share nodes, so the count
	 * is not known up front; radix_node_new() doubles from here.
	 */
	b.cap = 8;
	b.nodes = malloc((size_t)b.cap * XLATE_FANOUT * sizeof(*b.nodes));
	if (b.nodes == NULL) {
		ret = -ENOMEM;
		goto free_table;
	}
	ret = radix_index(&b, t->windows, n);
	if (ret != 0)
		goto free_nodes;
	/* Give back what the doubling overshot; a failure keeps it all. */
	if (b.nb_nodes < b.cap) {
		uint32_t *shrunk = realloc(b.nodes,
			(size_t)b.nb_nodes * XLATE_FANOUT * sizeof(*b.nodes));

		if (shrunk != NULL)
			b.nodes = shrunk;
	}

	t->pub.gen = __atomic_fetch_add(&table_gen_next, 1, __ATOMIC_RELAXED);
	t->pub.dead = 0;
	t->pub.nb_windows = n;
	t->pub.windows = t->windows;
	t->pub.nodes = b.nodes;
	*out = &t->pub;
	return 0;

free_nodes:
	free(b.nodes);
free_table:
	free(t);
	return ret;
}

void
dxa_table_free(struct rte_dma_domain_table *t)
{
	if (t == NULL || t == &dead_table)
		return;
	free((void *)(uintptr_t)t->nodes);
	free(container_of(t, struct table_priv, pub));
}

/*
 * The fast path's miss: no allocation, lock, log or system call, and no
 * write but to the caller's cache and *local.
 */
/* Index of the last window of @t whose base is not above @addr, or -1. */
static int64_t
table_window_at_or_below(const struct rte_dma_domain_table *t, uint64_t addr)
{
	uint32_t lo = 0, hi = t->nb_windows;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (t->windows[mid].base <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (int64_t)lo - 1;
}

/*
 * Say why [addr, addr + len) missed: outside every window of the peer, or
 * beside, across the end of, or without the permission of the window it
 * was near. Only for an operation that fails anyway (never for one that
 * translates), out of line and rate-limited: a peer's layout is no
 * secret to a member, which maps it.
 */
static void __rte_noinline __rte_cold
xlate_miss_log(const struct rte_dma_domain_table *t, uint64_t addr,
		uint64_t len, uint32_t perm)
{
	const bool dst = (perm & RTE_DMA_DOMAIN_PERM_WRITE) != 0;
	const char *side = dst ? "destination" : "source";
	const char *status = dst ? "INVALID_DST_ADDR" : "INVALID_SRC_ADDR";
	const struct rte_dma_domain_window *w = NULL, *next = NULL;
	int64_t i = table_window_at_or_below(t, addr);
	uint64_t end = addr + len;

	if (i >= 0)
		w = &t->windows[i];
	if (i + 1 < (int64_t)t->nb_windows)
		next = &t->windows[i + 1];
	if (w != NULL && addr - w->base < w->len) {
		if ((w->perm & perm) != perm)
			DOMAIN_LOG_RL(WARNING, "inter-domain %s 0x%" PRIx64 "+%" PRIu64 ": peer window %u (0x%" PRIx64 "+%" PRIu64 ") is not %s: %s; the owner registered it without that permission",
				side, addr, len, w->id, w->base, w->len,
				dst ? "writable" : "readable", status);
		else
			DOMAIN_LOG_RL(WARNING, "inter-domain %s 0x%" PRIx64 "+%" PRIu64 ": crosses the end of peer window %u (0x%" PRIx64 "+%" PRIu64 ") by %" PRIu64 " bytes: %s; split the operation at the window's end, or register more memory",
				side, addr, len, w->id, w->base, w->len,
				end - (w->base + w->len), status);
	} else if (next != NULL && end > next->base && end >= addr) {
		DOMAIN_LOG_RL(WARNING, "inter-domain %s 0x%" PRIx64 "+%" PRIu64 ": starts %" PRIu64 " bytes before peer window %u (0x%" PRIx64 "+%" PRIu64 "): %s",
			side, addr, len, next->base - addr, next->id,
			next->base, next->len, status);
	} else {
		DOMAIN_LOG_RL(WARNING, "inter-domain %s 0x%" PRIx64 "+%" PRIu64 ": outside every window of the peer (%u windows; memory it never registered, or a local address on an inter-domain side): %s; telemetry /dmadev_domain/windows lists them",
			side, addr, len, t->nb_windows, status);
	}
}

int
rte_dma_domain_xlate_slow(const struct rte_dma_domain_table *t,
		struct rte_dma_domain_xcache *c, uint64_t addr, uint64_t len,
		uint32_t perm, uint64_t *local)
{
	const struct rte_dma_domain_window *w;
	unsigned int level, shift;
	uint32_t e = 0, node = 0;
	uint64_t off;

	if (unlikely(t->dead))
		return -ENOLINK;
	if (unlikely(addr >= DXA_MEM_ADDR_LIMIT))
		goto miss;
	for (level = 0; level < XLATE_LEVELS; level++) {
		shift = radix_shift(level);
		e = t->nodes[(size_t)node * XLATE_FANOUT +
			((addr >> shift) & (XLATE_FANOUT - 1))];
		if (e & XLATE_LEAF)
			break;
		if (e == 0)
			goto miss;
		node = e;
	}
	/* The last level holds only leaves: the loop ended on one. */
	RTE_ASSERT(e & XLATE_LEAF);
	w = &t->windows[e & ~XLATE_LEAF];
	/*
	 * Wrapping: an addr below base gives a huge off. The index only
	 * narrowed it to the window's extent; these are the real bounds.
	 */
	off = addr - w->base;
	if (off >= w->len || len > w->len - off || (w->perm & perm) != perm)
		goto miss;
	c->gen = t->gen;
	c->base = w->base;
	c->len = w->len;
	c->delta = w->delta;
	*local = addr + w->delta;
	return 0;
miss:
	xlate_miss_log(t, addr, len, perm);
	return -EFAULT;
}

/* ---- Quiescence -------------------------------------------------------- */

void
rte_dma_domain_qs_register(struct rte_dma_domain_qs *qs)
{
	struct rte_dma_domain_qs *q;

	pthread_mutex_lock(&qs_lock);
	/* Linking it twice would make the registry a cycle. */
	for (q = qs_head; q != NULL && q != qs; q = q->next)
		;
	if (q == NULL) {
		qs->next = qs_head;
		qs_head = qs;
	}
	pthread_mutex_unlock(&qs_lock);
}

void
rte_dma_domain_qs_unregister(struct rte_dma_domain_qs *qs)
{
	struct rte_dma_domain_qs **p;

	pthread_mutex_lock(&qs_lock);
	/* Not found is harmless: a forked child forgot its parent's. */
	for (p = &qs_head; *p != NULL; p = &(*p)->next) {
		if (*p == qs) {
			*p = qs->next;
			qs->next = NULL;
			break;
		}
	}
	pthread_mutex_unlock(&qs_lock);
}

static void
qs_wait(const struct rte_dma_domain_qs *qs, uint64_t seq)
{
	const struct timespec nap = { .tv_nsec = QS_SLEEP_NS };
	unsigned int spins = 0;

	/* Any change will do: a section entered since reads the new table. */
	while (__atomic_load_n(&qs->seq, __ATOMIC_ACQUIRE) == seq) {
		if (spins < QS_SPINS)
			rte_pause();
		else if (spins < QS_SPINS + QS_YIELDS)
			sched_yield();
		else
			nanosleep(&nap, NULL);
		if (spins < QS_SPINS + QS_YIELDS)
			spins++;
	}
}

/*
 * Run a full barrier on every CPU that runs a thread of this process
 * (membarrier(2)), for executors that enter sections without one. The
 * kernel may lack memory for the CPU mask for a moment: try again. Any
 * other failure (a seccomp filter installed since start) would leave
 * executors unordered with nothing to fall back on, once they skip the
 * fence: the process stops rather than free memory under them.
 */
static void
qs_membarrier(void)
{
	const struct timespec nap = { .tv_nsec = QS_SLEEP_NS };
	long r;

	while ((r = syscall(__NR_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED,
			0, 0)) != 0 && (errno == ENOMEM || errno == EINTR ||
			errno == EAGAIN))
		nanosleep(&nap, NULL);
	if (r != 0)
		rte_panic("membarrier(2) failed after registration: %s; executors of inter-domain vchans would read freed tables\n",
			strerror(errno));
}

void
dxa_qs_synchronize(void)
{
	struct rte_dma_domain_qs *qs;
	uint64_t seq;

	/* Executors whose sections can last see it and start nothing new. */
	__atomic_fetch_add(&rte_dma_domain_qs_waiters, 1, __ATOMIC_RELAXED);
	/*
	 * Pairs with the fence of rte_dma_domain_qs_enter(), or stands for
	 * it: either this sees an executor's odd count, or that executor's
	 * table load sees what the caller published before calling here.
	 */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (__atomic_load_n(&rte_dma_domain_qs_asym, __ATOMIC_RELAXED) != 0)
		qs_membarrier();
	/* Held throughout, so no counter is unregistered and freed under us. */
	pthread_mutex_lock(&qs_lock);
	for (qs = qs_head; qs != NULL; qs = qs->next) {
		seq = __atomic_load_n(&qs->seq, __ATOMIC_ACQUIRE);
		if (!(seq & 1))
			continue;
		/* Our own thread's section would wait for us: end it here. */
		if (qs->drain != NULL &&
				__atomic_load_n(&qs->owner, __ATOMIC_RELAXED) ==
				rte_gettid())
			qs->drain(qs);
		qs_wait(qs, seq);
	}
	pthread_mutex_unlock(&qs_lock);
	__atomic_fetch_sub(&rte_dma_domain_qs_waiters, 1, __ATOMIC_RELEASE);
}

/* ---- Windows mapped for devices' DMA --------------------------------- */

/* Extmem wants whole pages; a window's mapping is whole 4 KiB pages. */
static size_t
mapping_dma_len(const struct map_mapping *m)
{
	return RTE_ALIGN_CEIL(m->len, (size_t)DXA_MEM_ALIGN);
}

static int
mapping_dev_map(const struct map_mapping *m, struct rte_device *dev)
{
	if (rte_dev_dma_map(dev, m->addr, (uint64_t)(uintptr_t)m->addr,
			mapping_dma_len(m)) < 0)
		return rte_errno > 0 ? -rte_errno : -EIO;
	return 0;
}

static void
mapping_dev_unmap(const struct map_mapping *m, struct rte_device *dev)
{
	if (rte_dev_dma_unmap(dev, m->addr, (uint64_t)(uintptr_t)m->addr,
			mapping_dma_len(m)) < 0)
		DOMAIN_LOG(ERR, "cannot unmap a window from %s's DMA: %s",
			rte_dev_name(dev), rte_strerror(rte_errno));
}

/* Register a window's mapping as external memory, once. */
static int
mapping_extmem_register(struct map_mapping *m)
{
	if (rte_extmem_register(m->addr, mapping_dma_len(m), NULL, 0,
			DXA_MEM_ALIGN) != 0)
		return rte_errno > 0 ? -rte_errno : -EIO;
	m->extmem = true;
	return 0;
}

/* Undo mapping_dma_map() for the first @nb_devs devices. */
static void
mapping_dma_unmap_n(struct map_mapping *m, unsigned int nb_devs)
{
	unsigned int i;

	if (!m->extmem)
		return;
	for (i = 0; i < nb_devs; i++)
		mapping_dev_unmap(m, dma_devs[i]);
	if (rte_extmem_unregister(m->addr, mapping_dma_len(m)) != 0)
		DOMAIN_LOG(ERR, "cannot unregister a window's external memory: %s",
			rte_strerror(rte_errno));
	m->extmem = false;
}

/*
 * Make a window's mapping reachable by every device of dma_devs[] before
 * it is published. Called with map_lock held.
 */
static int
mapping_dma_map(struct map_mapping *m)
{
	unsigned int i;
	int ret;

	if (nb_dma_devs == 0 || m->addr == NULL || m->len == 0)
		return 0;
	ret = mapping_extmem_register(m);
	if (ret != 0) {
		DOMAIN_LOG(ERR, "cannot register a window as external memory: %s",
			strerror(-ret));
		return ret;
	}
	for (i = 0; i < nb_dma_devs; i++) {
		ret = mapping_dev_map(m, dma_devs[i]);
		if (ret != 0) {
			DOMAIN_LOG(ERR, "cannot map a window for %s's DMA: %s",
				rte_dev_name(dma_devs[i]), strerror(-ret));
			mapping_dma_unmap_n(m, i);
			return ret;
		}
	}
	return 0;
}

/* ---- Maps ---------------------------------------------------------------- */

static void
mapping_unmap(struct map_mapping *m)
{
	/* No device may reach what goes away. */
	mapping_dma_unmap_n(m, nb_dma_devs);
	/* A window added with no mapping (map_len 0) owns nothing. */
	if (m->addr != NULL && m->len > 0 && munmap(m->addr, m->len) != 0)
		DOMAIN_LOG(ERR, "munmap of a window failed: %s",
			strerror(errno));
}

/* Everything but the table; the caller made sure no executor can read. */
static void
map_windows_release(struct map_priv *mp)
{
	uint32_t i;

	for (i = 0; i < mp->nb_windows; i++)
		mapping_unmap(&mp->mappings[i]);
	free(mp->windows);
	free(mp->mappings);
	mp->windows = NULL;
	mp->mappings = NULL;
	mp->nb_windows = 0;
	mp->cap = 0;
}

static void
map_unref(struct map_priv *mp)
{
	if (__atomic_sub_fetch(&mp->refcnt, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	/*
	 * The registry lets go only in a kill: the windows are gone and
	 * the table is the dead one already; this is for form's sake.
	 */
	map_windows_release(mp);
	dxa_table_free(mp->pub.table);
	free(mp);
}

/* Publish @t in @mp and wait until nobody reads the table it replaces. */
static struct rte_dma_domain_table *
map_publish(struct map_priv *mp, struct rte_dma_domain_table *t)
{
	struct rte_dma_domain_table *old = mp->pub.table;

	__atomic_store_n(&mp->pub.table, t, __ATOMIC_RELEASE);
	dxa_qs_synchronize();
	return old;
}

/* Called with map_lock held. */
static int
map_learn_locked(int16_t group_id, uint16_t handler, bool own,
		struct map_priv **out)
{
	struct map_priv *mp;
	int ret;

	if (maps == NULL) {
		maps = calloc(MAP_HANDLERS, sizeof(*maps));
		if (maps == NULL)
			return -ENOMEM;
	}
	mp = maps[handler];
	if (mp != NULL)
		goto out;
	mp = calloc(1, sizeof(*mp));
	if (mp == NULL)
		return -ENOMEM;
	/* Never a NULL table: executors load it without checking. */
	ret = dxa_table_build(NULL, 0, &mp->pub.table);
	if (ret != 0) {
		free(mp);
		return ret;
	}
	mp->refcnt = 1;
	mp->handler = handler;
	mp->group_id = group_id;
	mp->own = own;
	maps[handler] = mp;
out:
	if (out != NULL)
		*out = mp;
	return 0;
}

static struct map_priv *
map_find_locked(uint16_t handler)
{
	return maps != NULL ? maps[handler] : NULL;
}

int
dxa_map_learn(int16_t group_id, uint16_t handler, bool own)
{
	int ret;

	if (handler == 0)
		return -EINVAL;
	pthread_mutex_lock(&map_lock);
	ret = map_learn_locked(group_id, handler, own, NULL);
	pthread_mutex_unlock(&map_lock);
	return ret;
}

/*
 * An update could not be published (no memory for the new table): the
 * old one must not stay either, since it may still grant a window that is
 * going away. Failing every operation toward this peer is the safe
 * remainder; the map stays registered, dead, so later windows are refused.
 */
static void
map_fail_dead_locked(struct map_priv *mp)
{
	struct rte_dma_domain_table *old = map_publish(mp, &dead_table);

	DOMAIN_LOG(ERR, "handler %u: no memory for a new window table: its windows are dropped, operations toward it fail",
		mp->handler);
	map_windows_release(mp);
	dxa_table_free(old);
}

static int
map_windows_reserve(struct map_priv *mp, uint32_t n)
{
	struct rte_dma_domain_window *w;
	struct map_mapping *m;
	uint32_t cap;

	if (n <= mp->cap)
		return 0;
	cap = mp->cap == 0 ? 16 :
		RTE_MIN(mp->cap * 2, (uint32_t)MAP_WINDOWS_MAX);
	w = realloc(mp->windows, cap * sizeof(*w));
	if (w == NULL)
		return -ENOMEM;
	mp->windows = w;
	m = realloc(mp->mappings, cap * sizeof(*m));
	if (m == NULL)
		return -ENOMEM;
	mp->mappings = m;
	mp->cap = cap;
	return 0;
}

/* First window whose base is not below @base. */
static uint32_t
map_window_pos(const struct map_priv *mp, uint64_t base)
{
	uint32_t lo = 0, hi = mp->nb_windows;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (mp->windows[mid].base < base)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void
map_window_remove_at(struct map_priv *mp, uint32_t i)
{
	uint32_t tail = mp->nb_windows - i - 1;

	memmove(&mp->windows[i], &mp->windows[i + 1],
		tail * sizeof(mp->windows[0]));
	memmove(&mp->mappings[i], &mp->mappings[i + 1],
		tail * sizeof(mp->mappings[0]));
	mp->nb_windows--;
}

int
dxa_map_window_add(int16_t group_id, uint16_t handler, uint32_t mem_id,
		uint64_t base, uint64_t len, uint32_t perm, uint64_t local,
		void *map_addr, size_t map_len)
{
	const struct rte_dma_domain_window w = {
		.base = base, .len = len, .delta = local - base,
		.perm = perm, .id = mem_id,
	};
	struct rte_dma_domain_table *t, *old;
	struct map_priv *mp;
	uint32_t i, pos;
	int ret;

	if (handler == 0 || !window_valid(&w))
		return -EINVAL;
	pthread_mutex_lock(&map_lock);
	ret = map_learn_locked(group_id, handler, false, &mp);
	if (ret != 0)
		goto unlock;
	if (mp->pub.table->dead) {
		ret = -ENOLINK;
		goto unlock;
	}
	for (i = 0; i < mp->nb_windows; i++) {
		if (mp->windows[i].id == mem_id) {
			ret = -EEXIST;
			goto unlock;
		}
	}
	if (mp->nb_windows >= MAP_WINDOWS_MAX) {
		ret = -ENOSPC;
		goto unlock;
	}
	/* Overlap with a neighbour is refused here, before any allocation. */
	pos = map_window_pos(mp, base);
	if ((pos > 0 && mp->windows[pos - 1].base +
			mp->windows[pos - 1].len > base) ||
			(pos < mp->nb_windows &&
			 mp->windows[pos].base < base + len)) {
		ret = -EINVAL;
		goto unlock;
	}
	ret = map_windows_reserve(mp, mp->nb_windows + 1);
	if (ret != 0)
		goto unlock;
	memmove(&mp->windows[pos + 1], &mp->windows[pos],
		(mp->nb_windows - pos) * sizeof(mp->windows[0]));
	memmove(&mp->mappings[pos + 1], &mp->mappings[pos],
		(mp->nb_windows - pos) * sizeof(mp->mappings[0]));
	mp->windows[pos] = w;
	mp->mappings[pos] = (struct map_mapping){ map_addr, map_len, false };
	mp->nb_windows++;
	/* Devices reach the memory before any operation can be sent to it. */
	ret = mapping_dma_map(&mp->mappings[pos]);
	if (ret == 0) {
		ret = dxa_table_build(mp->windows, mp->nb_windows, &t);
		if (ret != 0)
			mapping_dma_unmap_n(&mp->mappings[pos], nb_dma_devs);
	}
	if (ret != 0) {
		/* Nothing was published: the caller keeps its mapping. */
		map_window_remove_at(mp, pos);
		goto unlock;
	}
	old = map_publish(mp, t);
	dxa_table_free(old);
unlock:
	pthread_mutex_unlock(&map_lock);
	return ret;
}

int
dxa_map_window_del(uint16_t handler, uint32_t mem_id)
{
	struct rte_dma_domain_table *t, *old;
	struct map_mapping gone;
	struct map_priv *mp;
	uint32_t i;
	int ret = -ENOENT;

	pthread_mutex_lock(&map_lock);
	mp = map_find_locked(handler);
	if (mp == NULL)
		goto unlock;
	for (i = 0; i < mp->nb_windows; i++)
		if (mp->windows[i].id == mem_id)
			break;
	if (i == mp->nb_windows)
		goto unlock;
	gone = mp->mappings[i];
	map_window_remove_at(mp, i);
	/* The remaining windows were valid together: only memory can fail. */
	if (dxa_table_build(mp->windows, mp->nb_windows, &t) != 0) {
		map_fail_dead_locked(mp);
	} else {
		old = map_publish(mp, t);
		dxa_table_free(old);
	}
	mapping_unmap(&gone);
	ret = 0;
unlock:
	pthread_mutex_unlock(&map_lock);
	return ret;
}

/* maps_kill(): every map, whatever its group. */
#define MAPS_ALL INT16_MIN

/*
 * Kill @handler's map, or every map of @group_id (MAPS_ALL: of every
 * group) when @handler is 0: all turn dead first, then one wait covers
 * them all.
 */
static void
maps_kill(int16_t group_id, uint16_t handler)
{
	struct map_priv *dying = NULL, *mp;
	uint32_t h;

	pthread_mutex_lock(&map_lock);
	if (maps == NULL)
		goto unlock;
	for (h = handler != 0 ? handler : 1; h < MAP_HANDLERS; h++) {
		mp = maps[h];
		if (mp != NULL && (handler != 0 || group_id == MAPS_ALL ||
				mp->group_id == group_id)) {
			maps[h] = NULL;
			mp->old_table = mp->pub.table;
			__atomic_store_n(&mp->pub.table, &dead_table,
				__ATOMIC_RELEASE);
			mp->next_dying = dying;
			dying = mp;
		}
		if (handler != 0)
			break;
	}
	if (dying == NULL)
		goto unlock;
	dxa_qs_synchronize();
	while (dying != NULL) {
		mp = dying;
		dying = mp->next_dying;
		map_windows_release(mp);
		dxa_table_free(mp->old_table);
		mp->old_table = NULL;
		/* The registry's reference; vchans may hold more. */
		map_unref(mp);
	}
unlock:
	pthread_mutex_unlock(&map_lock);
}

void
dxa_map_kill(uint16_t handler)
{
	if (handler == 0)
		return;
	maps_kill(0, handler);
}

void
dxa_map_kill_all(void)
{
	maps_kill(MAPS_ALL, 0);
}

bool
dxa_map_has_window(uint16_t handler, uint32_t mem_id)
{
	struct map_priv *mp;
	bool found = false;
	uint32_t i;

	pthread_mutex_lock(&map_lock);
	mp = map_find_locked(handler);
	for (i = 0; mp != NULL && i < mp->nb_windows && !found; i++)
		found = mp->windows[i].id == mem_id;
	pthread_mutex_unlock(&map_lock);
	return found;
}

void
dxa_map_kill_group(int16_t group_id)
{
	maps_kill(group_id, 0);
}

int
dxa_map_ref(uint16_t handler, struct rte_dma_domain_map **map,
		int16_t *group_id, bool *own)
{
	struct map_priv *mp;

	if (map == NULL)
		return -EINVAL;
	pthread_mutex_lock(&map_lock);
	mp = map_find_locked(handler);
	if (mp == NULL) {
		pthread_mutex_unlock(&map_lock);
		return -ENOENT;
	}
	__atomic_add_fetch(&mp->refcnt, 1, __ATOMIC_RELAXED);
	*map = &mp->pub;
	if (group_id != NULL)
		*group_id = mp->group_id;
	if (own != NULL)
		*own = mp->own;
	pthread_mutex_unlock(&map_lock);
	return 0;
}

uint32_t
dxa_map_nb_windows(uint16_t handler)
{
	struct map_priv *mp;
	uint32_t n;

	pthread_mutex_lock(&map_lock);
	mp = map_find_locked(handler);
	n = mp != NULL ? mp->nb_windows : 0;
	pthread_mutex_unlock(&map_lock);
	return n;
}

unsigned int
dxa_map_each(uint16_t handler,
		void (*fn)(const struct dxa_map_view *v, void *arg), void *arg)
{
	unsigned int n = 0;
	uint32_t h;

	pthread_mutex_lock(&map_lock);
	for (h = handler != 0 ? handler : 1; maps != NULL && h < MAP_HANDLERS;
			h++) {
		const struct map_priv *mp = maps[h];

		if (mp != NULL) {
			const struct dxa_map_view v = {
				.handler = mp->handler,
				.group_id = mp->group_id,
				.own = mp->own,
				.dead = mp->pub.table->dead != 0,
				.nb_windows = mp->nb_windows,
				.windows = mp->windows,
			};

			fn(&v, arg);
			n++;
		}
		if (handler != 0)
			break;
	}
	pthread_mutex_unlock(&map_lock);
	return n;
}

void
rte_dma_domain_map_put(struct rte_dma_domain_map *map)
{
	if (map != NULL)
		map_unref(container_of(map, struct map_priv, pub));
}

/* Apply @fn to the mapping of every window of every live map. */
static int
maps_each_mapping(int (*fn)(struct map_mapping *, void *), void *arg)
{
	uint32_t h, i;
	int ret;

	if (maps == NULL)
		return 0;
	for (h = 1; h < MAP_HANDLERS; h++) {
		struct map_priv *mp = maps[h];

		for (i = 0; mp != NULL && i < mp->nb_windows; i++) {
			ret = fn(&mp->mappings[i], arg);
			if (ret != 0)
				return ret;
		}
	}
	return 0;
}

struct dev_map_walk {
	struct rte_device *dev;
	struct map_mapping *failed; /* where a map walk stopped */
};

/* For a device being added: register if no device had it, then map. */
static int
dev_map_one(struct map_mapping *m, void *arg)
{
	struct dev_map_walk *w = arg;
	bool registered_here = !m->extmem;
	int ret = 0;

	if (m->addr == NULL || m->len == 0)
		return 0;
	if (registered_here)
		ret = mapping_extmem_register(m);
	if (ret == 0)
		ret = mapping_dev_map(m, w->dev);
	if (ret == 0)
		return 0;
	if (registered_here && m->extmem) {
		rte_extmem_unregister(m->addr, mapping_dma_len(m));
		m->extmem = false;
	}
	w->failed = m;
	return ret;
}

/* Undo dev_map_one() for every mapping before w->failed (all if NULL). */
static int
dev_unmap_one(struct map_mapping *m, void *arg)
{
	struct dev_map_walk *w = arg;

	if (m == w->failed)
		return 1; /* stop the walk: the rest was never mapped */
	if (!m->extmem)
		return 0;
	mapping_dev_unmap(m, w->dev);
	if (nb_dma_devs == 0) {
		rte_extmem_unregister(m->addr, mapping_dma_len(m));
		m->extmem = false;
	}
	return 0;
}

int
rte_dma_domain_dma_map_add(struct rte_device *dev)
{
	struct dev_map_walk w = { .dev = dev, .failed = NULL };
	unsigned int i;
	int ret;

	if (dev == NULL)
		return -EINVAL;
	if (rte_eal_iova_mode() != RTE_IOVA_VA)
		return -ENOTSUP;
	pthread_mutex_lock(&map_lock);
	for (i = 0; i < nb_dma_devs; i++) {
		if (dma_devs[i] == dev) {
			/* Mapped already: one more user of the maps. */
			dma_devs_refs[i]++;
			ret = 0;
			goto unlock;
		}
	}
	if (nb_dma_devs == DMA_DEVS_MAX) {
		ret = -ENOSPC;
		goto unlock;
	}
	ret = maps_each_mapping(dev_map_one, &w);
	if (ret != 0) {
		DOMAIN_LOG(ERR, "cannot map the windows for %s's DMA: %s",
			rte_dev_name(dev), strerror(-ret));
		maps_each_mapping(dev_unmap_one, &w);
		goto unlock;
	}
	dma_devs_refs[nb_dma_devs] = 1;
	dma_devs[nb_dma_devs++] = dev;
unlock:
	pthread_mutex_unlock(&map_lock);
	return ret;
}

void
rte_dma_domain_dma_map_del(struct rte_device *dev)
{
	struct dev_map_walk w = { .dev = dev, .failed = NULL };
	unsigned int i;

	pthread_mutex_lock(&map_lock);
	for (i = 0; i < nb_dma_devs; i++)
		if (dma_devs[i] == dev)
			break;
	if (i < nb_dma_devs && --dma_devs_refs[i] == 0) {
		memmove(&dma_devs[i], &dma_devs[i + 1],
			(nb_dma_devs - i - 1) * sizeof(dma_devs[0]));
		memmove(&dma_devs_refs[i], &dma_devs_refs[i + 1],
			(nb_dma_devs - i - 1) * sizeof(dma_devs_refs[0]));
		nb_dma_devs--;
		/* With the last device gone, the registrations go too. */
		maps_each_mapping(dev_unmap_one, &w);
	}
	pthread_mutex_unlock(&map_lock);
}

/*
 * Executors enter read sections without a fence when the updaters can
 * make every thread of the process run one instead (membarrier(2), Linux
 * 4.14; a seccomp filter may refuse it). That costs an interrupt of every
 * CPU running a thread of the process at each window update: an
 * application that updates windows often on isolated cores can keep the
 * fences instead, with RTE_DMA_DOMAIN_QS_FENCE=1. The registration is the
 * process's, so a forked child, which starts with one thread and no
 * executor, registers again.
 */
static void
qs_asym_init(void)
{
	const char *env = getenv(QS_FENCE_ENV);
	int cmds = (int)syscall(__NR_membarrier, MEMBARRIER_CMD_QUERY, 0, 0);
	bool ok = (env == NULL || strcmp(env, "1") != 0) && cmds > 0 &&
		(cmds & MEMBARRIER_CMD_PRIVATE_EXPEDITED) != 0 &&
		syscall(__NR_membarrier,
			MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0) == 0;

	__atomic_store_n(&rte_dma_domain_qs_asym, ok ? 1 : 0,
		__ATOMIC_RELAXED);
}

/*
 * A forked child is a member of nothing and runs no executor of its
 * parent's: it starts with empty registries. What the parent had stays
 * allocated and mapped in the child, unreachable, rather than be freed
 * under a vchan copy that may still point at it.
 */
static void
xlate_forget(void)
{
	pthread_mutex_init(&map_lock, NULL);
	pthread_mutex_init(&qs_lock, NULL);
	maps = NULL;
	qs_head = NULL;
	nb_dma_devs = 0;
	qs_asym_init();
}

RTE_INIT(xlate_init)
{
	qs_asym_init();
	pthread_atfork(NULL, NULL, xlate_forget);
}
