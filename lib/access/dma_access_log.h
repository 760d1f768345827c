/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-dma-xd authors
 */

#ifndef DMA_ACCESS_LOG_H
#define DMA_ACCESS_LOG_H

/*
 * Logging of the access component (lib/access): its log type, and the
 * rate limiter for lines a peer or a user can repeat at will, which the
 * dmadev library's drivers share (rte_dma_domain_log_allowed()).
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_log.h>

/** Log type "lib.dmadev.access": the broker's tokens and state. */
extern int dxa_logtype;

/* Lines per second that one call site lets through. */
#define DXA_LOG_BURST 10

/*
 * Whether a rate-limited line may be printed now: @window is the call
 * site's current second, @count the lines asked for in it. Approximate
 * under concurrency, which is all a log needs.
 */
bool dxa_log_allowed(uint64_t *window, uint32_t *count);

/* Lines say what happened, not in which of our functions. */
#define DXA_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_ ## level, dxa_logtype, fmt "\n", ##__VA_ARGS__)

/* At most DXA_LOG_BURST lines per second from this call site. */
#define DXA_LOG_RL_TYPE(level, logtype, fmt, ...) do { \
	static uint64_t rl_window_; \
	static uint32_t rl_count_; \
	if (dxa_log_allowed(&rl_window_, &rl_count_)) \
		rte_log(RTE_LOG_ ## level, (logtype), fmt "\n", \
			##__VA_ARGS__); \
} while (0)

#define DXA_LOG_RL(level, fmt, ...) \
	DXA_LOG_RL_TYPE(level, dxa_logtype, fmt, ##__VA_ARGS__)

#endif /* DMA_ACCESS_LOG_H */
