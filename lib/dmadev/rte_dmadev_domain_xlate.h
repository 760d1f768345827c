/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-dma-xd authors
 */

#ifndef RTE_DMADEV_DOMAIN_XLATE_H
#define RTE_DMADEV_DOMAIN_XLATE_H

/**
 * @file
 * Address translation for inter-domain vchans: the fast-path part.
 *
 * Audience: dmadev drivers. Applications never include this file.
 *
 * A peer domain's memory reaches this process as *windows*: a range
 * [base, base + len) of the peer's address space (its IOVA), mapped here at
 * some local address, with the permissions the owner granted (read: the
 * window may be a source; write: a destination). The library keeps one
 * *map* per peer handler and publishes its windows as an immutable *table*
 * that it replaces, never edits, when windows come or go:
 *
 * @code{.unparsed}
 *   vchan --src_map--> map (handler 7) --table--> gen 41, 3 windows
 *         --dst_map--> map (handler 9) --table--> gen 44, 4096 windows
 *                                               radix index, 4 levels
 * @endcode
 *
 * A driver takes a map per inter-domain handler at vchan setup
 * (rte_dma_domain_map_get()) and translates every address of every
 * operation when it executes it: it loads each map's table once per batch
 * (rte_dma_domain_xlate_begin()), then looks every address of the batch up
 * in it (rte_dma_domain_xlate_in()). An address range
 * that is not wholly inside one window with the needed permission fails,
 * and so does every address of a map whose domain has left. Lookup cost
 * does not grow with the number of windows: a per-vchan cache of the last
 * window, then a fixed-depth radix index.
 *
 * Reclamation: a table (and the memory its windows map) is released only
 * after every executor that might be using it has left its read section.
 * An executor is whatever runs a vchan's operations (the thread at the
 * doorbell, or an engine lcore); it owns one struct rte_dma_domain_qs,
 * registered at vchan setup, and brackets each batch with
 * rte_dma_domain_qs_enter() / rte_dma_domain_qs_exit(). Read sections never
 * block, so reclamation always ends.
 *
 * Nothing here allocates, locks, logs or makes a system call.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_atomic.h>
#include <rte_branch_prediction.h>
#include <rte_common.h>

#ifdef __cplusplus
extern "C" {
#endif

struct rte_device;

/** A window may be read by peers (a source of their transfers). */
#define RTE_DMA_DOMAIN_PERM_READ RTE_BIT32(0)
/** A window may be written by peers (a destination). */
#define RTE_DMA_DOMAIN_PERM_WRITE RTE_BIT32(1)

/** One window of a peer's memory. */
struct rte_dma_domain_window {
	uint64_t base;  /**< First byte, in the owner's address space. */
	uint64_t len;   /**< Bytes; > 0. */
	uint64_t delta; /**< Local address minus base (wrapping arithmetic). */
	uint32_t perm;  /**< RTE_DMA_DOMAIN_PERM_* */
	uint32_t id;    /**< The owner's id of the memory it came from. */
};

/**
 * An immutable set of windows. Published by the library, read by
 * executors inside read sections.
 */
struct rte_dma_domain_table {
	/** Unique in the process for the table's lifetime, never 0. */
	uint64_t gen;
	/** The domain left: every lookup fails with -ENOLINK. */
	uint32_t dead;
	/** Windows in the table. */
	uint32_t nb_windows;
	/** The windows, sorted by base, non-overlapping. */
	const struct rte_dma_domain_window *windows;
	/** Radix index over the windows (see rte_dmadev_xlate.c). */
	const uint32_t *nodes;
};

/** The windows of one peer handler, as this process sees them. */
struct rte_dma_domain_map {
	/** Current table; never NULL. Load with acquire. */
	struct rte_dma_domain_table *table;
};

/**
 * Last window a vchan used on one side (source or destination): the
 * common case of many operations into one buffer costs two compares.
 * Zero-initialise. Owned by the executor.
 */
struct rte_dma_domain_xcache {
	uint64_t gen;   /**< Table the entry came from; 0: empty. */
	uint64_t base;
	uint64_t len;
	uint64_t delta;
};

/**
 * An executor's quiescent-state counter: odd while in a read section.
 * One per executor (per vchan for the drivers of this project).
 */
struct rte_dma_domain_qs {
	uint64_t seq; /**< Written by the executor only. */
	/** Registry link, owned by the library. */
	struct rte_dma_domain_qs *next;
	/**
	 * For an executor whose read section outlives the call that entered
	 * it (an engine that hands operations to another device and stays
	 * inside until that device completes them): the thread in the
	 * section (rte_gettid()), written by the executor at each entry,
	 * and a function, set before registration, that ends the section by
	 * waiting for the outstanding operations. A reclamation made by
	 * that very thread calls @p drain instead of waiting for itself,
	 * which would never end. Zero and NULL for executors whose sections
	 * end within one call.
	 */
	int owner;
	/** See @p owner; called with library locks held: must not call in. */
	void (*drain)(struct rte_dma_domain_qs *qs);
} __rte_cache_aligned;

/**
 * Reclamations in progress in this process: non-zero while some updater
 * waits for executors to leave their read sections. An executor whose
 * sections can outlast a call stops starting new work while it is set,
 * so that its section ends after one drain (see rte_dma_domain_qs).
 * Read with rte_dma_domain_qs_reclaiming().
 */
extern uint32_t rte_dma_domain_qs_waiters;

/**
 * Non-zero when this process's reclamations order the executors' read
 * sections themselves, with membarrier(2)'s private expedited command:
 * rte_dma_domain_qs_enter() then needs no fence of its own. Set once the
 * process is registered for it (at start, and again in a forked child),
 * before any executor runs.
 */
extern uint32_t rte_dma_domain_qs_asym;

/** Whether an updater waits for read sections to end (see above). */
static __rte_always_inline bool
rte_dma_domain_qs_reclaiming(void)
{
	return __atomic_load_n(&rte_dma_domain_qs_waiters,
		__ATOMIC_RELAXED) != 0;
}

/**
 * Translation result codes (negative, as errno values, so that they read
 * well; drivers turn them into completion statuses).
 */
#define RTE_DMA_DOMAIN_XLATE_OK 0 /**< Translated. */

/**
 * Look an address range up in a table, filling @p c on success.
 * The miss path of rte_dma_domain_xlate(); drivers call that instead.
 *
 * @return 0 and *local; -EFAULT when the range is not wholly inside one
 *   window that grants @p perm; -ENOLINK when the domain has left.
 */
int rte_dma_domain_xlate_slow(const struct rte_dma_domain_table *t,
		struct rte_dma_domain_xcache *c, uint64_t addr, uint64_t len,
		uint32_t perm, uint64_t *local);

/**
 * Start translating through @p map for one batch: load its current table
 * and forget the cached window of @p c if it came from another table.
 * Call inside a read section; the table stays valid until the section
 * ends, so a batch may translate all its operations through it with
 * rte_dma_domain_xlate_in(). A table published meanwhile applies from the
 * next batch on.
 *
 * @param map The peer's map (from rte_dma_domain_map_get()).
 * @param c The vchan's cache for this side.
 * @return The table to pass to rte_dma_domain_xlate_in().
 */
static __rte_always_inline const struct rte_dma_domain_table *
rte_dma_domain_xlate_begin(const struct rte_dma_domain_map *map,
		struct rte_dma_domain_xcache *c)
{
	const struct rte_dma_domain_table *t =
		__atomic_load_n(&map->table, __ATOMIC_ACQUIRE);

	/* An empty range misses; the slow path refills c and its gen. */
	if (unlikely(c->gen != t->gen))
		c->len = 0;
	return t;
}

/**
 * Whether [addr, addr + len) lies wholly in the cached window that starts
 * at @p base and spans @p win_len bytes: the cache's hit test, for
 * executors that keep a copy of the cache entry in registers.
 */
static __rte_always_inline bool
rte_dma_domain_xcache_hit(uint64_t base, uint64_t win_len, uint64_t addr,
		uint64_t len)
{
	uint64_t off = addr - base;

	return off < win_len && len <= win_len - off;
}

/**
 * Translate [addr, addr + len) of a peer's address space into a local
 * address through a table from rte_dma_domain_xlate_begin(), in the same
 * read section. The cache @p c must only ever be used with one @p perm
 * (one cache per side of a vchan).
 *
 * @param t The table rte_dma_domain_xlate_begin() returned for @p c.
 * @param c The vchan's cache for this side.
 * @param addr Peer address of the first byte.
 * @param len Bytes.
 * @param perm RTE_DMA_DOMAIN_PERM_READ (source) or _WRITE (destination).
 * @param[out] local Local address of the first byte.
 * @return 0; -EFAULT (outside every window, or straddling two, or without
 *   @p perm); -ENOLINK (the domain has left).
 */
static __rte_always_inline int
rte_dma_domain_xlate_in(const struct rte_dma_domain_table *t,
		struct rte_dma_domain_xcache *c, uint64_t addr, uint64_t len,
		uint32_t perm, uint64_t *local)
{
	if (likely(rte_dma_domain_xcache_hit(c->base, c->len, addr, len))) {
		*local = addr + c->delta;
		return RTE_DMA_DOMAIN_XLATE_OK;
	}
	return rte_dma_domain_xlate_slow(t, c, addr, len, perm, local);
}

/**
 * Translate one range through the current table of @p map: what
 * rte_dma_domain_xlate_begin() and rte_dma_domain_xlate_in() do for a
 * batch, for a single operation. Call inside a read section only.
 *
 * @param map The peer's map (from rte_dma_domain_map_get()).
 * @param c The vchan's cache for this side (one @p perm only).
 * @param addr Peer address of the first byte.
 * @param len Bytes.
 * @param perm RTE_DMA_DOMAIN_PERM_READ (source) or _WRITE (destination).
 * @param[out] local Local address of the first byte.
 * @return As rte_dma_domain_xlate_in().
 */
static __rte_always_inline int
rte_dma_domain_xlate(const struct rte_dma_domain_map *map,
		struct rte_dma_domain_xcache *c, uint64_t addr, uint64_t len,
		uint32_t perm, uint64_t *local)
{
	return rte_dma_domain_xlate_in(rte_dma_domain_xlate_begin(map, c), c,
		addr, len, perm, local);
}

/**
 * Enter a read section: tables loaded from now until
 * rte_dma_domain_qs_exit() stay valid, and so does the memory of their
 * windows.
 */
static __rte_always_inline void
rte_dma_domain_qs_enter(struct rte_dma_domain_qs *qs)
{
	__atomic_store_n(&qs->seq, qs->seq + 1, __ATOMIC_RELAXED);
	/*
	 * The odd count must be visible before any table pointer is loaded:
	 * a store-load order. Where the updater makes every thread of the
	 * process execute a full barrier (membarrier(2)) between publishing
	 * a table and reading the counters, keeping the compiler from
	 * reordering is enough here; otherwise this takes a full fence, one
	 * per batch, paired with the updater's.
	 */
	if (likely(__atomic_load_n(&rte_dma_domain_qs_asym,
			__ATOMIC_RELAXED) != 0))
		rte_compiler_barrier();
	else
		rte_atomic_thread_fence(__ATOMIC_SEQ_CST);
}

/** Leave a read section. */
static __rte_always_inline void
rte_dma_domain_qs_exit(struct rte_dma_domain_qs *qs)
{
	__atomic_store_n(&qs->seq, qs->seq + 1, __ATOMIC_RELEASE);
}

/**
 * The map of @p handler for a vchan of device @p dev_id.
 *
 * @p handler must be a handler of a group the device is a member of: its
 * own (translation is then the identity: *map is NULL) or another
 * member's. The map holds a reference until rte_dma_domain_map_put().
 *
 * @param dev_id Device identifier.
 * @param handler A handler, non-zero.
 * @param[out] map The map, or NULL for the device's own domain.
 * @return 0; -EINVAL (handler 0, NULL @p map); -ENOENT (not a handler of
 *   any group of this device that this process has learnt: from
 *   rte_dma_access_pair_group_handler_get() or a shared window).
 */
int rte_dma_domain_map_get(int16_t dev_id, uint16_t handler,
		struct rte_dma_domain_map **map);

/**
 * Drop a reference from rte_dma_domain_map_get(). NULL is harmless.
 * Control path; the caller's executor must not be in a read section.
 */
void rte_dma_domain_map_put(struct rte_dma_domain_map *map);

/**
 * Register an executor's counter (zeroed) before its first read section.
 */
void rte_dma_domain_qs_register(struct rte_dma_domain_qs *qs);

/**
 * Unregister an executor's counter, outside any read section of it.
 */
void rte_dma_domain_qs_unregister(struct rte_dma_domain_qs *qs);

/**
 * Make every window of every peer, now and from now on, reachable by the
 * DMA of device @p dev, for an engine that hands translated addresses to a
 * device without shared virtual addressing: each window's mapping is
 * registered as external memory (rte_extmem_register(), once whatever the
 * number of devices) and mapped for @p dev with its IOVA equal to its
 * virtual address (rte_dev_dma_map(); IOVA-as-VA mode), before the window
 * can be translated; it is unmapped after the last operation that might
 * use it, before it is unmapped from the process. A window that cannot be
 * mapped for every such device is refused (its translations fail).
 *
 * Adding a device again counts: it stays mapped until as many
 * rte_dma_domain_dma_map_del() calls.
 *
 * @param dev The device (the rte_device of a dmadev).
 * @return 0; -ENOSPC (too many devices);
 *   -ENOTSUP (EAL is not in IOVA-as-VA mode); or what mapping an
 *   existing window returned, with nothing left mapped for @p dev.
 */
int rte_dma_domain_dma_map_add(struct rte_device *dev);

/**
 * Undo one rte_dma_domain_dma_map_add(): after the last, unmap every
 * window from @p dev. Harmless for a device that was not added.
 *
 * @param dev The device.
 */
void rte_dma_domain_dma_map_del(struct rte_device *dev);

#ifdef __cplusplus
}
#endif

#endif /* RTE_DMADEV_DOMAIN_XLATE_H */
