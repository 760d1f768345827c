/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-dma-xd authors
 */

#ifndef DMADEV_DOMAIN_PRIVATE_H
#define DMADEV_DOMAIN_PRIVATE_H

/* Internal to librte_dmadev_domain: not installed. */

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_log.h>

#include "dma_access_proto.h"
#include "rte_dmadev_domain_pmd.h"
#include "rte_dmadev_domain_xlate.h"

/** Log type "lib.dmadev.domain". */
extern int rte_dma_domain_logtype;

/*
 * Lines read in the words of the API: a line about a call starts with the
 * call's name ("rte_dma_access_pair_group_join: device 0: ..."), one about
 * an event says what happened; never our internal function names.
 */
#define DOMAIN_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_ ## level, rte_dma_domain_logtype, fmt "\n", \
		##__VA_ARGS__)

/* For anything a caller or a peer can repeat at will. */
#define DOMAIN_LOG_RL(level, fmt, ...) \
	RTE_DMA_DOMAIN_LOG_RL(level, rte_dma_domain_logtype, fmt, ##__VA_ARGS__)

/* The device's registered inter-domain ops, or NULL. */
const struct rte_dma_domain_ops *rte_dma_domain_ops_get(int16_t dev_id);

/*
 * Take device @dev_id's inter-domain ops out of the table (the first half
 * of rte_dma_domain_ops_unregister(), whose second half is the groups').
 * Returns whether it had some; *@last: no device has any now.
 */
bool dxa_ops_remove(int16_t dev_id, bool *last);

/*
 * ---- This process's memory (rte_dmadev_mem.c) ----
 *
 * After a create or join: share DPDK's own file-backed memory (read and
 * write) with this process's groups, as upstream's model expects (a peer
 * copies into rte_malloc() memory by address), unless the environment
 * variable RTE_DMA_DOMAIN_SHARE_DPDK is "0". What is shared already stays;
 * segments added since are shared now. Failures are logged, never fatal.
 */
void dxa_mem_share_dpdk_default(void);

/*
 * ---- A peer's windows here (rte_dmadev_window.c) ----
 *
 * Check window @ev's descriptor @fd (not consumed), map it and add it to
 * its handler's map. Returns 0 or a negative errno, logged: a window not
 * mapped is a window operations cannot reach. The primary then hands it
 * to its secondaries (dxa_mp_window_added()).
 */
int dxa_window_map(const struct dxa_mem_event *ev, int fd);

/*
 * ---- Secondary processes (rte_dmadev_mp.c) ----
 *
 * In the primary, what happens to the maps is told to the secondaries:
 * a handler learnt, a window mapped (with its descriptor @fd, duplicated),
 * a window removed and a handler (or, with @handler 0, a group) killed;
 * the last two return once every secondary has done the same. In a
 * secondary they do nothing.
 */
void dxa_mp_learned(int16_t group_id, uint16_t handler, bool own);
void dxa_mp_window_added(const struct dxa_mem_event *ev, int fd);
void dxa_mp_window_removed(uint16_t handler, uint32_t mem_id);
void dxa_mp_killed(int16_t group_id, uint16_t handler);

/*
 * In a secondary process: log that what was asked belongs to the primary
 * and return true (the caller returns -E_RTE_SECONDARY).
 */
bool dxa_in_secondary(void);

/*
 * A slot rte_dma_sdk_pmd_allocate() just got from DPDK, for the device
 * @device: the target's checks and set-up (dpdk-<target>/rte_dmadev_sdk.c).
 * On DPDK 22.11, the layout check (-ENOTSUP, logged, on a mismatch).
 */
struct rte_dma_dev;
struct rte_device;
int dxa_sdk_slot_attach(struct rte_dma_dev *dev, const char *name,
		int numa_node, struct rte_device *device);

/*
 * Start a joinable EAL control thread @name running @fn(@arg): the DPDK
 * target's call for it (dpdk-<target>/rte_dmadev_thread.c). Returns 0 or
 * a negative errno.
 */
int dxa_ctrl_thread_create(pthread_t *thread, const char *name,
		void *(*fn)(void *), void *arg);

/*
 * ---- Domain identity (rte_dmadev_domain_id.c) ----
 *
 * Check that @id (not nil) is this process's domain id; if none is fixed
 * yet, it becomes this process's. Returns 0 or -EINVAL (logged).
 */
int dxa_domain_id_adopt(const char *api, const uint8_t *id);

/*
 * ---- Access pair groups (rte_dmadev_group.c) ----
 *
 * What DPDK's wrappers check before a group op (DPDK >= 25.11,
 * lib/dmadev/rte_dmadev.c), in their order, for calls that have no such
 * wrapper: a valid device and non-NULL @out (-EINVAL), the device's
 * information (-EINVAL), an inter-domain capability bit (-EINVAL), the
 * driver's inter-domain support (-ENOTSUP).
 */
int dxa_dev_check(const char *api, int16_t dev_id, const void *out);

/*
 * The group calls of one device, after dxa_dev_check() or DPDK's own
 * wrappers: the driver ops call them on DPDK >= 25.11, the library's own
 * definitions of upstream's names on DPDK 22.11. Arguments and errors are
 * those of rte_dma_access_pair_group_create() and the others.
 */
int dxa_group_create(int16_t dev_id, const uint8_t *domain_id,
		const uint8_t *token, int16_t *group_id,
		rte_dma_access_pair_group_event_cb_t cb);
int dxa_group_join(int16_t dev_id, const uint8_t *domain_id,
		const uint8_t *token, int16_t group_id,
		rte_dma_access_pair_group_event_cb_t cb);
int dxa_group_leave(int16_t dev_id, int16_t group_id);
int dxa_group_destroy(int16_t dev_id, int16_t group_id);
int dxa_group_handler_get(int16_t dev_id, int16_t group_id,
		const uint8_t *domain_id, uint16_t *handler);

/*
 * A vchan's domain parameters as the driver receives them (@raw), checked
 * for the device: an undefined type is -EINVAL; type NONE reads with zero
 * handlers, whatever was given (DPDK ignores them); otherwise the driver's
 * vchan_check op decides. *@out is what the driver uses.
 */
int dxa_vchan_domain_check(int16_t dev_id, uint16_t vchan,
		const struct rte_dma_inter_domain_param *raw,
		struct rte_dma_inter_domain_param *out);

/* Whether device @dev_id is a member of @group_id (rte_dmadev_group.c). */
bool rte_dma_domain_group_has_dev(int16_t group_id, int16_t dev_id);

/*
 * ---- Window maps (rte_dmadev_xlate.c) ----
 *
 * One map per handler this process has learnt, whatever group it belongs
 * to. The library's own threads call these (the broker client's reader
 * thread for windows, the event thread for departures, application
 * threads for group calls); they serialise on one internal lock and may
 * block until executors leave their read sections, so they are never
 * called from an executor.
 */

/*
 * Learn that @handler belongs to @group_id (@own: it is this process's
 * own handler there). Creates a live, empty map if there is none; a
 * handler already known is left as it is. Returns 0, -ENOMEM.
 */
int dxa_map_learn(int16_t group_id, uint16_t handler, bool own);

/*
 * Add window @mem_id of @handler (learnt as a member of @group_id if need
 * be): [base, base + len) of the owner, at local address @local, with
 * @perm. The map owns [map_addr, map_addr + map_len) from now on and
 * munmaps it when the window goes. Returns 0; -EEXIST (that mem_id is
 * there already), -EINVAL (overlaps another window, misaligned, beyond
 * the index), -ENOLINK (the map is dead), -ENOSPC, -ENOMEM: on failure
 * the caller keeps the mapping.
 */
int dxa_map_window_add(int16_t group_id, uint16_t handler, uint32_t mem_id,
		uint64_t base, uint64_t len, uint32_t perm, uint64_t local,
		void *map_addr, size_t map_len);

/*
 * Remove window @mem_id of @handler once no executor can be using it, then
 * munmap it. Returns 0, or -ENOENT.
 */
int dxa_map_window_del(uint16_t handler, uint32_t mem_id);

/*
 * @handler's domain left: its map turns dead (every lookup -ENOLINK), its
 * windows are unmapped once no executor can be using them, and the map is
 * forgotten (vchans holding it keep the dead map until they put it).
 */
void dxa_map_kill(uint16_t handler);

/* Every map of @group_id, as dxa_map_kill(); the group is gone. */
void dxa_map_kill_group(int16_t group_id);

/* Every map of every group, as dxa_map_kill() (a secondary's primary died). */
void dxa_map_kill_all(void);

/* Whether @handler's map holds window @mem_id. */
bool dxa_map_has_window(uint16_t handler, uint32_t mem_id);

/*
 * The map of @handler with a new reference, and its group and whether it
 * is this process's own handler. Returns 0 or -ENOENT.
 */
int dxa_map_ref(uint16_t handler, struct rte_dma_domain_map **map,
		int16_t *group_id, bool *own);

/* Windows in @handler's map now (0 if unknown), for telemetry and tests. */
uint32_t dxa_map_nb_windows(uint16_t handler);

/*
 * What one map holds, for telemetry: its handler, group, whether it is
 * this process's own domain or dead (its domain left), and its windows,
 * sorted by base (their delta is 0 where a window sits at the owner's
 * address in this process).
 */
struct dxa_map_view {
	uint16_t handler;
	int16_t group_id;
	bool own;
	bool dead;
	uint32_t nb_windows;
	const struct rte_dma_domain_window *windows;
};

/*
 * Call @fn on each map this process has (@handler 0), or on @handler's
 * only, under the maps' lock: @fn must not call into the maps. Returns
 * the number of maps visited.
 */
unsigned int dxa_map_each(uint16_t handler,
		void (*fn)(const struct dxa_map_view *v, void *arg), void *arg);

/*
 * Build a table from @n windows (any order): sorted, checked for overlap
 * and alignment, indexed. Returns 0, -EINVAL, -ENOMEM.
 */
int dxa_table_build(const struct rte_dma_domain_window *w, uint32_t n,
		struct rte_dma_domain_table **out);
void dxa_table_free(struct rte_dma_domain_table *t);

/*
 * Wait until every executor registered now has left the read section it
 * was in (if any). Never call it from an executor.
 */
void dxa_qs_synchronize(void);

#endif /* DMADEV_DOMAIN_PRIVATE_H */
