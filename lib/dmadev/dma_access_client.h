/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-dma-xd authors
 */

#ifndef DMA_ACCESS_CLIENT_H
#define DMA_ACCESS_CLIENT_H

/*
 * The library's connection to the access broker: one per process, opened
 * at the first group call. Internal.
 *
 * Threads:
 *  - "dma-xd-client" reads the socket: replies go to the waiting caller,
 *    events to the event queue. It never runs application code.
 *  - "dma-xd-event" runs the event handler (and so the application's
 *    callbacks), one event at a time, holding no lock of this file: a
 *    callback may make broker calls, which the reader thread answers.
 *  - "dma-xd-broker", only in the process that embeds the broker.
 *
 * The connection is the process's lease on its memberships: if it breaks,
 * the broker has dropped them all, and the event handler is told so
 * (lost == true).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dma_access_proto.h"

/* Longest a call waits for the broker's reply. */
#define DXA_CLIENT_TIMEOUT_MS 5000

/*
 * Called on the event thread for each event (@ev non-NULL), or once with
 * @lost when connection number @gen broke (@ev NULL): memberships made over
 * a later connection are not affected.
 */
typedef void (*dxa_client_event_fn)(const struct dxa_event *ev, bool lost,
		uint32_t gen);

/*
 * Number of the current broker connection (0: none yet). Each new
 * connection gets the next number; read it after a call to learn which
 * connection carries the membership that call made.
 */
uint32_t dxa_client_generation(void);

/* Install the event handler (once, before the first call). */
void dxa_client_set_handler(dxa_client_event_fn fn);

/*
 * The memory side's hooks (rte_dmadev_mem.c), installed once before the
 * first call: @opened when a new connection @fd is open and nobody reads
 * it yet; @event on the reader thread for each window event, with its
 * descriptor @rx_fd (-1 if none), which it consumes. Without them, window
 * events are dropped and their descriptors closed.
 */
struct dxa_client_mem_hooks {
	void (*opened)(int fd);
	void (*event)(int fd, const struct dxa_mem_event *ev, int rx_fd);
};
void dxa_client_set_mem_hooks(const struct dxa_client_mem_hooks *hooks);

/*
 * One request and its reply. Connects first if needed. With @embed_secret
 * non-NULL and no broker reachable, starts the embedded broker (if
 * RTE_DMA_ACCESS_BROKER allows it) admitting that secret for this uid and
 * root, then connects to it.
 *
 * Returns the broker's status (0 or a negative errno), or -ECONNREFUSED
 * (no broker), -ECONNRESET (the connection broke), -ETIMEDOUT, -EPROTO.
 */
int dxa_client_call(uint16_t type, const void *body, size_t body_len,
		void *reply, size_t reply_len, const uint8_t *embed_secret);

/*
 * As dxa_client_call() with descriptor @pass_fd attached, over the current
 * connection only: -ENOTCONN when there is none (nothing is sent).
 */
int dxa_client_call_fd(uint16_t type, const void *body, size_t body_len,
		int pass_fd, void *reply, size_t reply_len);

/*
 * As dxa_client_call() with descriptor @pass_fd attached: connects (or
 * embeds the broker for @embed_secret) first if needed.
 */
int dxa_client_call_fd_connect(uint16_t type, const void *body,
		size_t body_len, int pass_fd, void *reply, size_t reply_len,
		const uint8_t *embed_secret);

/*
 * Close the connection (the broker ends every membership it carried),
 * deliver the events still queued, stop the client's threads and an
 * embedded broker. Called when the last inter-domain device closes, so no
 * library thread outlives EAL. The next call starts afresh.
 */
void dxa_client_shutdown(void);

#endif /* DMA_ACCESS_CLIENT_H */
