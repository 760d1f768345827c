/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-dma-xd authors
 */

#ifndef RTE_DMADEV_DOMAIN_PMD_H
#define RTE_DMADEV_DOMAIN_PMD_H

/**
 * @file
 * Driver side of the inter-domain dmadev library.
 *
 * Audience: dmadev drivers that implement inter-domain transfers.
 *
 * DPDK 22.11's struct rte_dma_dev_ops has no slots for inter-domain
 * operations, so the library keeps a table per device. A driver registers
 * its table at probe (after the device is allocated and before it is
 * announced ready) and unregisters it at close. A table is accepted whole or
 * not at all: every operation must be present.
 *
 * How a vchan's domain parameters reach the driver: its ordinary
 * vchan_setup op reads them with rte_dma_domain_vchan_param_get(), which
 * also asks the driver's vchan_check op, on both DPDK targets.
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <rte_log.h>

#include "rte_dmadev_domain.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Inter-domain operations of one device. */
struct rte_dma_domain_ops {
	/**
	 * The device's class (enum rte_dma_domain_class): sent to the
	 * broker at create and join, which admits a joiner only with the
	 * class of the group's creator, and checks class-limited tokens.
	 */
	uint8_t dev_class;
	/**
	 * Check an inter-domain vchan configuration before it is applied:
	 * the handlers name domains this device can reach, as the driver's
	 * class requires. Called from rte_dma_domain_vchan_param_get(), in
	 * the driver's vchan_setup op: after DPDK's generic checks. Returns
	 * 0 or a negative errno that the setup call returns unchanged.
	 */
	int (*vchan_check)(int16_t dev_id, uint16_t vchan,
			const struct rte_dma_inter_domain_param *domain);
	/**
	 * The device became a member of @p group_id (create or join), known
	 * to the others by @p handler. Called on the caller's thread after
	 * the broker agreed; a negative errno undoes the membership (the
	 * library leaves or destroys the group) and is returned to the
	 * caller.
	 */
	int (*group_attach)(int16_t dev_id, int16_t group_id,
			uint16_t handler);
	/**
	 * The device is no longer a member of @p group_id: it left, destroyed
	 * the group, the group was destroyed, or the broker went away. Every
	 * handler of the group is dead for this device from now on.
	 */
	void (*group_detach)(int16_t dev_id, int16_t group_id);
	/**
	 * Member @p handler left @p group_id: that handler is dead for this
	 * device from now on. Called on the event thread before the
	 * application's callback.
	 */
	void (*member_left)(int16_t dev_id, int16_t group_id,
			uint16_t handler);
	/**
	 * In a secondary process: the primary set vchan @p vchan up again;
	 * take this process's maps of its handlers. Called on the
	 * multi-process thread, in order with the windows the primary
	 * sends, while the device is stopped. May be NULL.
	 */
	void (*vchan_refresh)(int16_t dev_id, uint16_t vchan);
};

/**
 * Register a device's inter-domain operations.
 *
 * @param dev_id Device identifier (the slot may still be REGISTERED).
 * @param ops Operations; the table must outlive the registration.
 * @return 0; -EINVAL for an invalid id, NULL @p ops, a missing operation or
 *   an unknown class; -EEXIST if the device already has a table.
 */
int rte_dma_domain_ops_register(int16_t dev_id,
		const struct rte_dma_domain_ops *ops);

/**
 * Drop a device's inter-domain operations (at close). Harmless if none.
 *
 * @param dev_id Device identifier.
 */
void rte_dma_domain_ops_unregister(int16_t dev_id);

/**
 * The domain parameters of the vchan being set up, checked for the device.
 *
 * For use inside a driver's vchan_setup op, with the op's arguments. On
 * DPDK >= 25.11 they are conf->domain; on DPDK 22.11, those that
 * rte_dma_domain_vchan_setup() carries (a plain rte_dma_vchan_setup()
 * reads as type NONE). Type NONE reads with zero handlers, whatever was
 * given; any other type is checked by the device's vchan_check op, after
 * DPDK's generic checks of the vchan, as DPDK's own order has it.
 *
 * @param dev_id Device identifier.
 * @param vchan Virtual channel being set up.
 * @param conf The configuration the op received.
 * @param[out] domain The parameters to apply.
 * @return 0; -EINVAL (undefined type); -ENOTSUP (the device has no
 *   inter-domain ops); what the device's vchan_check op returned.
 */
int rte_dma_domain_vchan_param_get(int16_t dev_id, uint16_t vchan,
		const struct rte_dma_vchan_conf *conf,
		struct rte_dma_inter_domain_param *domain);

/**
 * Join this process to the library's multi-process channel, once per
 * process; drivers call it at probe. In the primary, windows mapped from
 * now on are handed to the secondaries (with their file descriptors), and
 * a secondary that starts later gets them all; in a secondary, this asks
 * the primary for every window it holds and maps them here before
 * returning, then keeps up with it: the secondary's translations go
 * through its own mappings.
 *
 * @return 0; -ENOTSUP (no multi-process channel: --in-memory,
 *   --no-shconf; nothing to share); in a secondary, -ETIMEDOUT or another
 *   negative errno when the primary did not answer.
 */
int rte_dma_domain_mp_init(void);

/**
 * In the primary, after a vchan setup: every secondary process calls the
 * device's vchan_refresh op for @p vchan, and this returns once they all
 * have (or after a timeout, logged). Nothing without secondaries.
 *
 * @param dev_id Device identifier.
 * @param vchan The vchan just set up.
 */
void rte_dma_domain_mp_vchan_changed(int16_t dev_id, uint16_t vchan);

/**
 * Name of an inter-domain capability bit, for dumps ("inter_process_domain",
 * "inter_os_domain"), or NULL for any other bit.
 *
 * @param capa A single RTE_DMA_CAPA_* bit.
 * @return The name, or NULL.
 */
const char *rte_dma_domain_capa_name(uint64_t capa);

/**
 * Print the inter-domain capability bits of @p capa on one line
 * ("inter-domain capa: inter_process_domain inter_os_domain", or "none").
 *
 * @param f Output stream.
 * @param capa Device capability mask.
 */
void rte_dma_domain_capa_dump(FILE *f, uint64_t capa);

/**
 * State of one rate limiter: at most RTE_DMA_DOMAIN_LOG_BURST lines per
 * second from one call site. Zero-initialise it (a static is enough).
 */
struct rte_dma_domain_ratelimit {
	uint64_t window; /**< Current one-second window (monotonic seconds). */
	uint32_t count;  /**< Lines asked for in that window. */
};

/** Lines per second that one rate limiter lets through. */
#define RTE_DMA_DOMAIN_LOG_BURST 10 /* DXA_LOG_BURST */

/**
 * Whether a rate-limited log line may be printed now.
 *
 * For conditions a user or a peer can trigger at will (bad arguments, bad
 * messages). Approximate under concurrency, which is all a log needs.
 *
 * @param rl The call site's limiter.
 * @return true to print.
 */
bool rte_dma_domain_log_allowed(struct rte_dma_domain_ratelimit *rl);

/** Log at most RTE_DMA_DOMAIN_LOG_BURST lines per second from this site. */
#define RTE_DMA_DOMAIN_LOG_RL(level, logtype, fmt, ...) do { \
	static struct rte_dma_domain_ratelimit rl_site_; \
	if (rte_dma_domain_log_allowed(&rl_site_)) \
		rte_log(RTE_LOG_ ## level, (logtype), fmt "\n", \
			##__VA_ARGS__); \
} while (0)

#ifdef __cplusplus
}
#endif

#endif /* RTE_DMADEV_DOMAIN_PMD_H */
