/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-dma-xd authors
 */

#ifndef XD_ENGINE_H
#define XD_ENGINE_H

/*
 * The CPU copy engine shared by every dpdk-dma-xd driver: descriptor rings
 * with DPDK's ring_idx semantics, and the code that executes descriptors,
 * either inline (on the submitting core, at the doorbell) or on a dedicated
 * lcore that behaves like asynchronous hardware.
 *
 * A driver embeds struct xd_engine at the start of its dmadev private data,
 * points the fast-path table at xd_engine_fp_set() and forwards its control
 * ops to the xd_engine_* calls below. Private to the drivers: not installed.
 *
 * Per vchan, four 16-bit ring positions move forward (wrapping at 65536):
 *
 *       tail         done        submitted       head
 *   ----|-------------|-------------|-------------|---->
 *        reported by    executed,     enqueued,
 *        completed()    not reported  not executed
 *
 * head and tail belong to the application thread that drives the vchan
 * (dmadev fast-path calls on one vchan are never concurrent). submitted is
 * published by that thread and done by the engine; in lcore mode they are
 * the only positions two threads share, each with one writer, so the rings
 * need no lock and no atomic read-modify-write.
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <rte_common.h>
#include <rte_dev.h>
#include <rte_dmadev.h>

#include "rte_dmadev_domain.h"
#include "rte_dmadev_domain_xlate.h"
#include "rte_dmadev_sdk.h"

#define XD_MAX_VCHANS 8
#define XD_MIN_DESC 32
/* head - tail must stay below 65536 to be unambiguous in 16 bits. */
#define XD_MAX_DESC 32768
#define XD_MAX_SGES 16

/*
 * How a started device runs (struct xd_engine.started): the classic calls
 * (copy, submit, completed), or the op-based ones (enqueue and dequeue of
 * rte_dma_op, DPDK >= 25.11), chosen at configure time.
 */
#define XD_RUN_STOPPED 0
#define XD_RUN_CLASSIC 1
#define XD_RUN_OPS 2

/* No lcore: the inline engine. */
#define XD_LCORE_NONE UINT32_MAX

enum xd_op {
	XD_OP_COPY,
	XD_OP_COPY_SG,
	XD_OP_FILL,
	/*
	 * Scatter-gather whose entries stay where the caller keeps them
	 * (the op-based API's rte_dma_op, which is the application's until
	 * dequeued): src points at the nb_src sources, the nb_dst
	 * destinations follow them.
	 */
	XD_OP_COPY_SG_EXT,
};

#define XD_DESC_FENCE RTE_BIT32(0)     /* RTE_DMA_OP_FLAG_FENCE */
#define XD_DESC_BATCH_END RTE_BIT32(1) /* last op of a submitted batch */

/* One operation, as enqueued. 32 bytes: two per cache line. */
struct xd_desc {
	uint64_t src;      /* source address; the pattern for a fill */
	uint64_t dst;      /* destination address */
	uint32_t len;      /* bytes; unused by COPY_SG */
	uint8_t op;        /* enum xd_op */
	uint8_t flags;     /* XD_DESC_* */
	uint8_t nb_src;    /* COPY_SG: entries in the slot's sg area */
	uint8_t nb_dst;
	uint64_t reserved;
};

struct xd_vchan_stats {
	uint64_t submitted;
	uint64_t completed;
	uint64_t errors;
};

struct xd_vchan {
	/* Application thread: enqueue side. */
	uint16_t head;
	uint16_t mask;
	uint16_t submitted_local; /* what the last doorbell published */
	bool inline_engine;
	struct xd_desc *desc;
	struct rte_dma_sge *sg;   /* 2 x XD_MAX_SGES per slot */
	uint16_t *status;         /* failures only; 0 (success) elsewhere */
	void **ops;               /* op mode: each slot's rte_dma_op */
	uint32_t size;            /* slots: a power of two */
	uint16_t max_sges;        /* entries per side an op may have */

	/* Published by the application thread, read by the engine. */
	uint16_t submitted __rte_cache_aligned;

	/* Engine. */
	uint16_t done __rte_cache_aligned;
	uint16_t engine_pos;      /* lcore engine: next slot to execute */
	bool batch_failed;        /* an op of the current batch failed */
	bool inter;               /* addresses are translated (below) */
	uint64_t errors_total;    /* failed ops executed, ever */
	/*
	 * Inter-domain vchan: the handlers; what translates through them
	 * is per process (struct xd_vchan_local, xd_local()).
	 */
	uint16_t src_handler;
	uint16_t dst_handler;
	enum rte_dma_inter_domain_type domain_type;
	uint16_t dev_id;          /* with index: where xd_local() looks */
	uint16_t index;

	/*
	 * Stacked engine (engine=NAME): the doorbell hands translated
	 * operations to vchan lower_vchan of dmadev lower_dev, on the
	 * application thread, and completed() reaps them from it; there is
	 * no other thread of ours. [done, sent) is with the lower device
	 * (lower_out of it) or failed here before reaching it (status set);
	 * [sent, submitted_local) waits to be sent. An inter-domain vchan
	 * stays in its read section (xd_vchan_local.in_section) while
	 * anything it sent may still touch a window.
	 */
	bool stacked;
	bool lower_sg;            /* the lower device has copy_sg... */
	bool lower_fill;          /* ...and fill (else they fail here) */
	uint16_t lower_max_sges;
	int16_t lower_dev;
	uint16_t lower_vchan;
	uint16_t sent;
	uint16_t lower_out;

	/* Application thread: completion side. */
	uint16_t tail __rte_cache_aligned;
	uint64_t errors_seen;     /* failed ops reported, ever */
	struct xd_vchan_stats stats;
	bool configured;
} __rte_cache_aligned;

/*
 * What an inter-domain vchan translates through, in this process. The
 * vchan itself (struct xd_vchan) lives in DPDK memory, which a secondary
 * process shares with the primary; its maps, caches and read sections are
 * the process's own, built from its own mappings of the peers' windows
 * (rte_dma_domain_mp_init()).
 */
struct xd_vchan_local {
	/* The handlers' maps; NULL: this process's own domain. */
	struct rte_dma_domain_map *src_map;
	struct rte_dma_domain_map *dst_map;
	/* One translation cache per side. */
	struct rte_dma_domain_xcache src_cache;
	struct rte_dma_domain_xcache dst_cache;
	struct xd_vchan *vc;      /* the vchan, for the drain hook */
	bool ready;               /* maps taken for the vchan's setup */
	bool in_section;          /* stacked: a section lasts across calls */
	/* The executor's read sections; registered while ready. */
	struct rte_dma_domain_qs qs;
} __rte_cache_aligned;

/* Devices whose vchans this process can translate for (by dev_id). */
#define XD_MAX_DEVS 1024
extern struct xd_vchan_local *xd_locals[XD_MAX_DEVS];

static inline struct xd_vchan_local *
xd_local(const struct xd_vchan *vc)
{
	return &xd_locals[vc->dev_id][vc->index];
}

struct xd_engine {
	struct xd_vchan *vchan;   /* nb_vchans entries, rte_zmalloc'd */
	struct rte_dma_fp_object *fp;
	uint16_t nb_vchans;
	uint32_t lcore;           /* XD_LCORE_NONE: inline */
	int numa_node;
	bool worker_running;
	uint32_t worker_stop;     /* 1 asks the worker to drain and return */
	uint32_t started;         /* for secondaries' fast paths: XD_RUN_* */
	bool enq_deq;             /* configured for the op-based API */
	int16_t dev_id;
	/*
	 * The engine lives in memory secondaries share: no pointer into a
	 * process's own image (a secondary maps the driver elsewhere), and
	 * the log type only as the primary registered it.
	 */
	int logtype;              /* the driver's log type, in the primary */
	char driver[32];          /* the driver's name, for logs and dumps */
	uint64_t domain_capa;     /* RTE_DMA_CAPA_INTER_*_DOMAIN it offers */
	uint32_t nb_groups;       /* access pair groups it is a member of */
	/*
	 * Stacked engine: the devices below, in devargs order. Our vchans
	 * are theirs in that order: all of the first's, then the second's.
	 */
	struct xd_lower {
		int16_t dev;
		uint16_t nb_used;     /* of its vchans, as configured */
		bool dma_mapped;      /* windows mapped for rte_dev's DMA */
		bool started;         /* by our start: a vchan of ours is on it */
		struct rte_device *rte_dev;
		struct rte_dma_info info;
		char name[RTE_DEV_NAME_MAX_LEN];
	} lower[XD_MAX_VCHANS];
	uint16_t nb_lowers;       /* 0: the CPU engine */
};

/*
 * Control operations of an engine-backed dmadev. They find the engine at
 * the start of dev->data->dev_private.
 */
extern const struct rte_dma_dev_ops xd_engine_dev_ops;

/*
 * Set up the engine of a freshly allocated device (rte_dma_sdk_pmd_allocate)
 * and point its fast-path table at functions that fail cleanly until the
 * device is started. @domain_capa: the inter-domain capability bits the
 * driver advertises (0 for none).
 */
void xd_engine_init(struct xd_engine *e, struct rte_dma_dev *dev,
		const char *driver, uint32_t lcore, int logtype,
		uint64_t domain_capa);

/*
 * Inter-domain operations shared by the engine's drivers: handlers are
 * checked against the groups of the device, in any combination of the
 * device's own domain and other members (the skeleton's model).
 */
extern const struct rte_dma_domain_ops xd_engine_domain_ops;

/*
 * Inter-domain operations of a paired (Class A) device: as above, but a
 * vchan joins the device's own domain to one member's: one handler must
 * be the device's own, the other a peer's.
 */
extern const struct rte_dma_domain_ops xd_engine_domain_ops_paired;

/*
 * Inter-domain operations of a single-sided (Class B) device: the
 * handlers of grants attached to it (rte_dma_domain_grant_attach()).
 */
extern const struct rte_dma_domain_ops xd_engine_domain_ops_granted;

/* ---- vdev glue: xd_vdev.c ---- */

/* Devarg: run the engine on this worker lcore (default: inline). */
#define XD_VDEV_ARG_LCORE "lcore"
/*
 * Devarg: hand the operations to this intra-domain dmadev (stacked);
 * repeated, to more devices, whose vchans add up.
 */
#define XD_VDEV_ARG_ENGINE "engine"
/*
 * Devarg: 1 maps every window for the lower device's DMA even when it
 * reports SVA (a device without SVA always has them mapped).
 */
#define XD_VDEV_ARG_ENGINE_MAP "engine_map"

/*
 * Add dmadev @lower_name below the engine of @e, making it a stacked one:
 * checks the device and maps windows for its DMA when it lacks SVA or
 * @force_map. Before the device is configured; 0 or a negative errno,
 * logged. xd_engine_unstack() undoes every call.
 */
int xd_engine_stack(struct xd_engine *e, const char *lower_name,
		bool force_map);
void xd_engine_unstack(struct xd_engine *e);

/* What makes one engine-backed driver different from another. */
struct xd_vdev_class {
	const char *driver;       /* the vdev driver's name */
	int *logtype;             /* its log type (xd_vdev_logtype_register) */
	uint64_t domain_capa;     /* RTE_DMA_CAPA_INTER_*_DOMAIN it offers */
	const struct rte_dma_domain_ops *domain_ops; /* and its class */
};

struct rte_vdev_device;

/* Probe: devargs, allocation, engine, inter-domain ops, ready. */
int xd_vdev_probe(const struct xd_vdev_class *cls,
		struct rte_vdev_device *vdev);
/*
 * A secondary process: attach to the primary's device @dev (same engine,
 * in shared memory), take this process's maps of its vchans' handlers and
 * point @dev's fast-path table at functions that follow the primary's
 * start and stop. 0 or a negative errno.
 */
int xd_engine_attach(struct rte_dma_dev *dev);
/* This process's per-vchan state of device @dev_id: make, drop. */
int xd_engine_locals_alloc(int16_t dev_id);
void xd_engine_locals_free(int16_t dev_id);

/* Remove: stop if started, release. */
int xd_vdev_remove(struct rte_vdev_device *vdev);
/* A driver's log type, at level INFO unless EAL's --log-level says. */
int xd_vdev_logtype_register(const char *name);

/*
 * Fast path: xd_engine_fp.c. @run is XD_RUN_*: stopped, the classic
 * calls, or the op-based ones (whose calls the other mode's table fails).
 */
void xd_engine_fp_set(struct rte_dma_fp_object *fp, uint32_t run,
		bool stacked);
/* A secondary's table: it follows the primary's start and stop. */
void xd_engine_fp_set_secondary(struct rte_dma_fp_object *fp);
bool xd_engine_poll(struct xd_vchan *vc);
/*
 * Stacked engine, control path: reap what the lower device completed and
 * send what waits; xd_stack_drain() ends the read section once nothing
 * sent is outstanding (the qs drain hook).
 */
void xd_stack_poll(struct xd_vchan *vc);
void xd_stack_drain(struct rte_dma_domain_qs *qs);

/*
 * ---- DPDK target glue: dpdk-<target>/xd_enq_deq.c ----
 *
 * The op-based API (rte_dma_enqueue_ops(), rte_dma_dequeue_ops()) exists
 * from DPDK 25.11 on; DPDK 22.11 has none of its types, and its glue
 * offers nothing.
 */

/* RTE_DMA_CAPA_OPS_ENQ_DEQ where the target has it, else 0. */
uint64_t xd_enq_deq_capa(void);
/* Whether @conf asks for the op-based API (RTE_DMA_CFG_FLAG_ENQ_DEQ). */
bool xd_enq_deq_requested(const struct rte_dma_conf *conf);
/*
 * Point the table's enqueue and dequeue at the engine's (@run is
 * XD_RUN_OPS), at functions that do nothing (any other @run), or, for a
 * secondary (@secondary), at ones that follow the primary's mode.
 */
void xd_enq_deq_fp_set(struct rte_dma_fp_object *fp, uint32_t run,
		bool stacked, bool secondary);

#endif /* XD_ENGINE_H */
