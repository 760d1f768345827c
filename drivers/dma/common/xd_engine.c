/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-dma-xd authors
 */

/* Control path of the CPU engine. */

#include <errno.h>
#include <inttypes.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include <rte_bus.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_malloc.h>
#include <rte_pause.h>

#include "rte_dmadev_domain_pmd.h"
#include "xd_engine.h"

/*
 * A secondary may have numbered the log types otherwise: there, the
 * engine's own log type, registered in every process.
 */
static int xd_engine_logtype;

#define XD_LOG(e, level, fmt, ...) \
	rte_log(RTE_LOG_ ## level, rte_eal_process_type() == RTE_PROC_PRIMARY ? \
		(e)->logtype : xd_engine_logtype, "%s: " fmt "\n", \
		(e)->driver, ##__VA_ARGS__)

RTE_INIT(xd_engine_log_init)
{
	xd_engine_logtype = xd_vdev_logtype_register("pmd.dma.xd_engine");
}

/*
 * Empty polls before the idle lcore engine yields its core. About 100 µs
 * of spinning: a busy engine never yields, an idle one does not starve
 * other threads when cores are oversubscribed (CI machines, tests).
 */
#define XD_IDLE_SPINS 4096

static struct xd_engine *
xd_engine_of(const struct rte_dma_dev *dev)
{
	return dev->data->dev_private;
}

struct xd_vchan_local *xd_locals[XD_MAX_DEVS];

/*
 * The device's configuration is the primary's, in memory both share: a
 * secondary that changed it would pull rings from under the primary.
 */
static bool
xd_secondary_refused(const struct xd_engine *e, const char *what)
{
	if (rte_eal_process_type() == RTE_PROC_PRIMARY)
		return false;
	XD_LOG(e, ERR, "%s: the primary process configures, starts and stops the device",
		what);
	return true;
}

/* Let go of what this process translates a vchan's operations through. */
static void
xd_local_release(struct xd_vchan_local *lc)
{
	if (lc->ready) {
		rte_dma_domain_qs_unregister(&lc->qs);
		rte_dma_domain_map_put(lc->src_map);
		rte_dma_domain_map_put(lc->dst_map);
	}
	memset(lc, 0, sizeof(*lc));
}

/*
 * Take this process's maps of @vc's handlers and register its read
 * sections: the vchan can translate here from now on. @src and @dst are
 * references the caller passes on (the primary takes them at setup), or
 * NULL with @take to look them up here (a secondary).
 */
static int
xd_local_setup(struct xd_vchan *vc, struct rte_dma_domain_map *src,
		struct rte_dma_domain_map *dst, bool take)
{
	struct xd_vchan_local *lc = xd_local(vc);
	int ret;

	xd_local_release(lc);
	lc->vc = vc;
	if (!vc->inter)
		return 0;
	if (take) {
		ret = rte_dma_domain_map_get(vc->dev_id, vc->src_handler, &src);
		if (ret != 0)
			return ret;
		ret = rte_dma_domain_map_get(vc->dev_id, vc->dst_handler, &dst);
		if (ret != 0) {
			rte_dma_domain_map_put(src);
			return ret;
		}
	}
	lc->src_map = src;
	lc->dst_map = dst;
	/* Its sections outlast calls: a reclaimer may drain it. */
	if (vc->stacked)
		lc->qs.drain = xd_stack_drain;
	/* Registered where it lives: the registry links this very struct. */
	rte_dma_domain_qs_register(&lc->qs);
	lc->ready = true;
	return 0;
}

int
xd_engine_locals_alloc(int16_t dev_id)
{
	if (dev_id < 0 || dev_id >= XD_MAX_DEVS)
		return -ENOSPC;
	if (xd_locals[dev_id] != NULL)
		return 0;
	/* The process's own memory, not DPDK's that secondaries share. */
	xd_locals[dev_id] = aligned_alloc(RTE_CACHE_LINE_SIZE,
		sizeof(struct xd_vchan_local) * XD_MAX_VCHANS);
	if (xd_locals[dev_id] == NULL)
		return -ENOMEM;
	memset(xd_locals[dev_id], 0,
		sizeof(struct xd_vchan_local) * XD_MAX_VCHANS);
	return 0;
}

void
xd_engine_locals_free(int16_t dev_id)
{
	uint16_t i;

	if (dev_id < 0 || dev_id >= XD_MAX_DEVS || xd_locals[dev_id] == NULL)
		return;
	for (i = 0; i < XD_MAX_VCHANS; i++)
		xd_local_release(&xd_locals[dev_id][i]);
	free(xd_locals[dev_id]);
	xd_locals[dev_id] = NULL;
}

/* A vchan's ring and, in this process, what it translates through. */
static void
xd_vchan_free(struct xd_vchan *vc)
{
	if (vc->configured)
		xd_local_release(xd_local(vc));
	rte_free(vc->desc);
	rte_free(vc->sg);
	rte_free(vc->status);
	rte_free(vc->ops);
	memset(vc, 0, sizeof(*vc));
}

static void
xd_vchans_free(struct xd_engine *e)
{
	uint16_t i;

	for (i = 0; i < e->nb_vchans; i++)
		xd_vchan_free(&e->vchan[i]);
	rte_free(e->vchan);
	e->vchan = NULL;
	e->nb_vchans = 0;
}

static int
xd_worker(void *arg)
{
	struct xd_engine *e = arg;
	unsigned int idle = 0;
	uint16_t i;
	bool busy;

	while (!__atomic_load_n(&e->worker_stop, __ATOMIC_ACQUIRE)) {
		busy = false;
		for (i = 0; i < e->nb_vchans; i++)
			busy |= xd_engine_poll(&e->vchan[i]);
		if (busy) {
			idle = 0;
		} else if (++idle < XD_IDLE_SPINS) {
			rte_pause();
		} else {
			idle = 0;
			sched_yield();
		}
	}
	/* Drain: everything submitted before stop completes. */
	do {
		busy = false;
		for (i = 0; i < e->nb_vchans; i++)
			busy |= xd_engine_poll(&e->vchan[i]);
	} while (busy);
	return 0;
}

static bool
xd_stacked(const struct xd_engine *e)
{
	return e->nb_lowers > 0;
}

static int
xd_info_get(const struct rte_dma_dev *dev, struct rte_dma_info *info,
		uint32_t info_sz)
{
	const struct xd_engine *e = xd_engine_of(dev);
	uint16_t i, vchans = 0;

	RTE_SET_USED(info_sz);
	/*
	 * HANDLES_ERRORS: a failed operation (a NULL or untranslatable
	 * address, a bad scatter-gather list, a failure below a stacked
	 * engine) gets its status in completed_status() and the device goes
	 * on with the next ones.
	 */
	info->dev_capa = RTE_DMA_CAPA_MEM_TO_MEM | RTE_DMA_CAPA_SVA |
		RTE_DMA_CAPA_HANDLES_ERRORS |
		RTE_DMA_CAPA_OPS_COPY | RTE_DMA_CAPA_OPS_COPY_SG |
		RTE_DMA_CAPA_OPS_FILL | xd_enq_deq_capa() | e->domain_capa;
	info->max_vchans = XD_MAX_VCHANS;
	info->min_desc = XD_MIN_DESC;
	info->max_desc = XD_MAX_DESC;
	info->max_sges = XD_MAX_SGES;
	/* Stacked: what this engine and every device below it can do. */
	for (i = 0; i < e->nb_lowers; i++) {
		const struct rte_dma_info *lo = &e->lower[i].info;

		/* SVA too: our own side's addresses reach it as given. */
		info->dev_capa &= ~(RTE_DMA_CAPA_OPS_COPY_SG |
			RTE_DMA_CAPA_OPS_FILL | RTE_DMA_CAPA_SVA) |
			(lo->dev_capa & (RTE_DMA_CAPA_OPS_COPY_SG |
			RTE_DMA_CAPA_OPS_FILL | RTE_DMA_CAPA_SVA));
		vchans += lo->max_vchans;
		info->min_desc = RTE_MAX(info->min_desc, lo->min_desc);
		/* Its ring is twice ours: it never fills before ours. */
		info->max_desc = RTE_MIN(info->max_desc, lo->max_desc / 2);
		/*
		 * copy_sg's limit. An op of one entry a side goes down as a
		 * copy (xd_stack_one()), even when this is 0.
		 */
		info->max_sges = RTE_MIN(info->max_sges, lo->max_sges);
	}
	if (xd_stacked(e))
		info->max_vchans = RTE_MIN(info->max_vchans, vchans);
	return 0;
}

/*
 * Stacked: configure the devices below for @nb_vchans of ours, each with
 * as many of its vchans as ours still need, in order.
 */
static int
xd_stack_configure(struct xd_engine *e, uint16_t nb_vchans)
{
	uint16_t i, left = nb_vchans;
	int ret;

	for (i = 0; i < e->nb_lowers; i++) {
		struct xd_lower *lo = &e->lower[i];
		struct rte_dma_conf conf = {
			.nb_vchans = RTE_MIN(left, lo->info.max_vchans),
		};

		lo->nb_used = conf.nb_vchans;
		if (conf.nb_vchans == 0)
			continue;
		ret = rte_dma_configure(lo->dev, &conf);
		if (ret != 0) {
			XD_LOG(e, ERR, "cannot configure engine device %s: %s",
				lo->name, strerror(-ret));
			return ret;
		}
		left -= conf.nb_vchans;
	}
	return 0;
}

/* Stacked: the device below that runs our @vchan, and its vchan there. */
static struct xd_lower *
xd_stack_lower_of(struct xd_engine *e, uint16_t vchan, uint16_t *lower_vchan)
{
	uint16_t i;

	for (i = 0; i < e->nb_lowers; i++) {
		if (vchan < e->lower[i].nb_used) {
			*lower_vchan = vchan;
			return &e->lower[i];
		}
		vchan -= e->lower[i].nb_used;
	}
	return NULL;
}

/* Stacked: whether a vchan of ours on device @lower was set up. */
static bool
xd_stack_lower_used(const struct xd_engine *e, uint16_t lower)
{
	uint16_t i, first = 0;

	for (i = 0; i < lower; i++)
		first += e->lower[i].nb_used;
	for (i = first; i < first + e->lower[lower].nb_used; i++)
		if (e->vchan[i].configured)
			return true;
	return false;
}

static int
xd_configure(struct rte_dma_dev *dev, const struct rte_dma_conf *conf,
		uint32_t conf_sz)
{
	struct xd_engine *e = xd_engine_of(dev);
	struct xd_vchan *vchans;
	int ret;

	RTE_SET_USED(conf_sz);
	if (xd_secondary_refused(e, "configure"))
		return -E_RTE_SECONDARY;
	ret = xd_stack_configure(e, conf->nb_vchans);
	if (ret != 0)
		return ret;
	/* librte_dmadev checked nb_vchans against max_vchans and state. */
	vchans = rte_zmalloc_socket(e->driver,
		sizeof(*vchans) * conf->nb_vchans, RTE_CACHE_LINE_SIZE,
		e->numa_node);
	if (vchans == NULL) {
		XD_LOG(e, ERR, "no memory for %u vchans", conf->nb_vchans);
		return -ENOMEM;
	}
	xd_vchans_free(e);
	e->vchan = vchans;
	e->nb_vchans = conf->nb_vchans;
	/* Its vchans, set up from now on, keep an op pointer per slot. */
	e->enq_deq = xd_enq_deq_requested(conf);
	return 0;
}

static int
xd_vchan_setup(struct rte_dma_dev *dev, uint16_t vchan,
		const struct rte_dma_vchan_conf *conf, uint32_t conf_sz)
{
	struct xd_engine *e = xd_engine_of(dev);
	struct xd_vchan *vc = &e->vchan[vchan];
	struct rte_dma_domain_map *src = NULL, *dst = NULL;
	struct xd_vchan fresh = { 0 };
	struct rte_dma_inter_domain_param dom;
	uint32_t size;
	int ret;

	RTE_SET_USED(conf_sz);
	if (xd_secondary_refused(e, "vchan setup"))
		return -E_RTE_SECONDARY;
	/* librte_dmadev checked vchan, direction and nb_desc ranges. */
	fresh.dev_id = (uint16_t)dev->data->dev_id;
	fresh.index = vchan;
	ret = rte_dma_domain_vchan_param_get(dev->data->dev_id, vchan, conf,
		&dom);
	if (ret != 0)
		return ret;
	if (dom.type != RTE_DMA_INTER_DOMAIN_NONE) {
		/* The handlers are checked: each has a map, or is our own. */
		ret = rte_dma_domain_map_get(dev->data->dev_id,
			dom.src_handler, &src);
		if (ret == 0)
			ret = rte_dma_domain_map_get(dev->data->dev_id,
				dom.dst_handler, &dst);
		if (ret != 0) {
			rte_dma_domain_map_put(src);
			XD_LOG(e, ERR, "vchan %u: handler %u or %u is gone",
				vchan, dom.src_handler, dom.dst_handler);
			return ret;
		}
		fresh.inter = true;
		fresh.domain_type = dom.type;
		fresh.src_handler = dom.src_handler;
		fresh.dst_handler = dom.dst_handler;
	}
	size = rte_align32pow2(conf->nb_desc);
	if (xd_stacked(e)) {
		/*
		 * A ring twice ours below (max_desc allows it): whatever
		 * slot a device keeps free, it takes all ours can hold.
		 */
		struct rte_dma_vchan_conf lower = {
			.direction = RTE_DMA_DIR_MEM_TO_MEM,
		};
		struct xd_lower *lo = xd_stack_lower_of(e, vchan,
			&fresh.lower_vchan);

		/* librte_dmadev checked vchan < nb_vchans: lo is there. */
		lower.nb_desc = (uint16_t)RTE_MIN(2 * size,
			(uint32_t)lo->info.max_desc);
		ret = rte_dma_vchan_setup(lo->dev, fresh.lower_vchan, &lower);
		if (ret != 0) {
			XD_LOG(e, ERR, "vchan %u: cannot set up vchan %u of engine device %s: %s",
				vchan, fresh.lower_vchan, lo->name,
				strerror(-ret));
			rte_dma_domain_map_put(src);
			rte_dma_domain_map_put(dst);
			return ret;
		}
		fresh.stacked = true;
		fresh.lower_dev = lo->dev;
		fresh.lower_sg = lo->info.dev_capa & RTE_DMA_CAPA_OPS_COPY_SG;
		fresh.lower_fill = lo->info.dev_capa & RTE_DMA_CAPA_OPS_FILL;
		fresh.lower_max_sges = lo->info.max_sges;
	}
	fresh.max_sges = XD_MAX_SGES;
	if (fresh.stacked)
		fresh.max_sges = fresh.lower_sg ?
			RTE_MIN(XD_MAX_SGES, fresh.lower_max_sges) : 1;
	fresh.size = size;
	fresh.mask = (uint16_t)(size - 1);
	fresh.inline_engine = (e->lcore == XD_LCORE_NONE) && !fresh.stacked;
	fresh.status = rte_zmalloc_socket(e->driver,
		sizeof(*fresh.status) * size, RTE_CACHE_LINE_SIZE, e->numa_node);
	fresh.desc = rte_zmalloc_socket(e->driver, sizeof(*fresh.desc) * size,
		RTE_CACHE_LINE_SIZE, e->numa_node);
	fresh.sg = rte_zmalloc_socket(e->driver,
		sizeof(*fresh.sg) * 2 * XD_MAX_SGES * size, RTE_CACHE_LINE_SIZE,
		e->numa_node);
	if (e->enq_deq)
		fresh.ops = rte_zmalloc_socket(e->driver,
			sizeof(*fresh.ops) * size, RTE_CACHE_LINE_SIZE,
			e->numa_node);
	if (fresh.status == NULL || fresh.desc == NULL || fresh.sg == NULL ||
			(e->enq_deq && fresh.ops == NULL)) {
		XD_LOG(e, ERR, "no memory for a ring of %u descriptors", size);
		/* Not configured: only the maps to put. */
		rte_dma_domain_map_put(src);
		rte_dma_domain_map_put(dst);
		xd_vchan_free(&fresh);
		return -ENOMEM;
	}
	fresh.configured = true;
	/* Only now, with everything allocated, replace the old ring. */
	xd_vchan_free(vc);
	*vc = fresh;
	xd_local_setup(vc, src, dst, false);
	/* Secondaries translate through maps of their own. */
	rte_dma_domain_mp_vchan_changed(vc->dev_id, vchan);
	return 0;
}

static int
xd_start(struct rte_dma_dev *dev)
{
	struct xd_engine *e = xd_engine_of(dev);
	uint32_t run;
	uint16_t i;
	int ret;

	if (xd_secondary_refused(e, "start"))
		return -E_RTE_SECONDARY;
	for (i = 0; i < e->nb_vchans; i++) {
		struct xd_vchan *vc = &e->vchan[i];

		/*
		 * As DPDK's generic layer allows, a vchan configured but not
		 * set up does not stop the start: it stays all zeroes, which
		 * the fast path reads as a full ring of no slots, so every
		 * enqueue on it fails (-EINVAL) and nothing ever completes.
		 */
		if (!vc->configured)
			continue;
		/* ring_idx starts again from 0 at every start. */
		vc->head = vc->submitted_local = vc->submitted = 0;
		vc->done = vc->engine_pos = vc->tail = 0;
		vc->sent = vc->lower_out = 0;
		vc->batch_failed = false;
		vc->errors_seen = vc->errors_total;
		/* Failures never reported before the stop are forgotten. */
		memset(vc->status, 0, sizeof(*vc->status) * vc->size);
	}
	for (i = 0; i < e->nb_lowers; i++) {
		struct xd_lower *lo = &e->lower[i];

		/* A device below none of our set-up vchans is left alone. */
		lo->started = xd_stack_lower_used(e, i);
		if (!lo->started)
			continue;
		ret = rte_dma_start(lo->dev);
		if (ret != 0) {
			XD_LOG(e, ERR, "cannot start engine device %s: %s",
				lo->name, strerror(-ret));
			lo->started = false;
			while (i-- > 0)
				if (e->lower[i].started) {
					rte_dma_stop(e->lower[i].dev);
					e->lower[i].started = false;
				}
			return ret;
		}
	}
	if (e->lcore != XD_LCORE_NONE) {
		if (rte_eal_get_lcore_state(e->lcore) != WAIT) {
			XD_LOG(e, ERR, "engine lcore %u is busy", e->lcore);
			return -EBUSY;
		}
		__atomic_store_n(&e->worker_stop, 0, __ATOMIC_RELAXED);
		ret = rte_eal_remote_launch(xd_worker, e, e->lcore);
		if (ret != 0) {
			XD_LOG(e, ERR, "cannot launch the engine on lcore %u: %d",
				e->lcore, ret);
			return ret;
		}
		e->worker_running = true;
	}
	run = e->enq_deq ? XD_RUN_OPS : XD_RUN_CLASSIC;
	xd_engine_fp_set(e->fp, run, xd_stacked(e));
	__atomic_store_n(&e->started, run, __ATOMIC_RELEASE);
	return 0;
}

/*
 * What was submitted completes before a stop, as with the other engines:
 * send what waits and reap until the device below has finished, for at
 * most XD_STACK_DRAIN_MS (a device that never completes is stopped all
 * the same; its operations then report nothing).
 */
#define XD_STACK_DRAIN_MS 1000

static void
xd_stack_stop(struct xd_engine *e)
{
	uint64_t deadline = rte_get_timer_cycles() +
		rte_get_timer_hz() * XD_STACK_DRAIN_MS / 1000;
	uint16_t i;

	for (i = 0; i < e->nb_vchans; i++) {
		struct xd_vchan *vc = &e->vchan[i];

		while ((vc->lower_out != 0 || vc->sent != vc->submitted_local)
				&& rte_get_timer_cycles() < deadline) {
			xd_stack_poll(vc);
			rte_pause();
		}
		if (vc->lower_out != 0 || vc->sent != vc->submitted_local)
			XD_LOG(e, ERR, "vchan %u: its engine device did not finish %u operations in %u ms",
				i, (uint16_t)(vc->submitted_local - vc->done),
				XD_STACK_DRAIN_MS);
	}
	/* Nothing of the devices below runs after this... */
	for (i = 0; i < e->nb_lowers; i++)
		if (e->lower[i].started) {
			rte_dma_stop(e->lower[i].dev);
			e->lower[i].started = false;
		}
	/* ...so no section needs to last. */
	for (i = 0; i < e->nb_vchans; i++) {
		struct xd_vchan *vc = &e->vchan[i];
		struct xd_vchan_local *lc;

		if (!vc->configured)
			continue;
		lc = xd_local(vc);
		if (lc->in_section) {
			rte_dma_domain_qs_exit(&lc->qs);
			lc->in_section = false;
		}
		vc->lower_out = 0;
	}
}

static int
xd_stop(struct rte_dma_dev *dev)
{
	struct xd_engine *e = xd_engine_of(dev);

	if (xd_secondary_refused(e, "stop"))
		return -E_RTE_SECONDARY;
	__atomic_store_n(&e->started, XD_RUN_STOPPED, __ATOMIC_RELEASE);
	xd_engine_fp_set(e->fp, XD_RUN_STOPPED, false);
	if (xd_stacked(e))
		xd_stack_stop(e);
	if (e->worker_running) {
		__atomic_store_n(&e->worker_stop, 1, __ATOMIC_RELEASE);
		rte_eal_wait_lcore(e->lcore);
		e->worker_running = false;
	}
	return 0;
}

static int
xd_close(struct rte_dma_dev *dev)
{
	struct xd_engine *e = xd_engine_of(dev);

	/* A secondary lets go of its own state only. */
	if (rte_eal_process_type() != RTE_PROC_PRIMARY) {
		xd_engine_locals_free(dev->data->dev_id);
		rte_dma_domain_ops_unregister(dev->data->dev_id);
		return 0;
	}
	/* librte_dmadev refuses to close a started device. */
	xd_vchans_free(e);
	rte_dma_domain_ops_unregister(dev->data->dev_id);
	xd_engine_unstack(e);
	return 0;
}

static int
xd_stats_get(const struct rte_dma_dev *dev, uint16_t vchan,
		struct rte_dma_stats *stats, uint32_t stats_sz)
{
	const struct xd_engine *e = xd_engine_of(dev);
	uint16_t i;

	RTE_SET_USED(stats_sz);
	memset(stats, 0, sizeof(*stats));
	for (i = 0; i < e->nb_vchans; i++) {
		if (vchan != RTE_DMA_ALL_VCHAN && vchan != i)
			continue;
		stats->submitted += e->vchan[i].stats.submitted;
		stats->completed += e->vchan[i].stats.completed;
		stats->errors += e->vchan[i].stats.errors;
	}
	return 0;
}

static int
xd_stats_reset(struct rte_dma_dev *dev, uint16_t vchan)
{
	struct xd_engine *e = xd_engine_of(dev);
	uint16_t i;

	for (i = 0; i < e->nb_vchans; i++) {
		if (vchan == RTE_DMA_ALL_VCHAN || vchan == i)
			memset(&e->vchan[i].stats, 0, sizeof(e->vchan[i].stats));
	}
	return 0;
}

static int
xd_vchan_status(const struct rte_dma_dev *dev, uint16_t vchan,
		enum rte_dma_vchan_status *status)
{
	const struct xd_vchan *vc = &xd_engine_of(dev)->vchan[vchan];
	uint16_t done = __atomic_load_n(&vc->done, __ATOMIC_ACQUIRE);
	enum rte_dma_vchan_status lower;

	/*
	 * Stacked: done moves only when completions are polled, so ask the
	 * device below about what it was sent.
	 */
	if (vc->stacked && vc->sent == vc->submitted_local &&
			rte_dma_vchan_status(vc->lower_dev, vc->lower_vchan,
				&lower) == 0) {
		*status = lower == RTE_DMA_VCHAN_IDLE ?
			RTE_DMA_VCHAN_IDLE : RTE_DMA_VCHAN_ACTIVE;
		return 0;
	}
	*status = done == vc->submitted_local ?
		RTE_DMA_VCHAN_IDLE : RTE_DMA_VCHAN_ACTIVE;
	return 0;
}

static int
xd_dump(const struct rte_dma_dev *dev, FILE *f)
{
	const struct xd_engine *e = xd_engine_of(dev);
	struct rte_dma_info info = { 0 };
	uint16_t i;

	xd_info_get(dev, &info, sizeof(info));
	fprintf(f, "  driver: %s\n", e->driver);
	rte_dma_domain_capa_dump(f, info.dev_capa);
	if (e->domain_capa != 0)
		fprintf(f, "  access pair groups: %u\n",
			__atomic_load_n(&e->nb_groups, __ATOMIC_RELAXED));
	for (i = 0; i < e->nb_lowers; i++)
		fprintf(f, "  engine: stacked on dmadev %s (id %d, %u vchans used)%s\n",
			e->lower[i].name, e->lower[i].dev, e->lower[i].nb_used,
			e->lower[i].dma_mapped ?
			", windows mapped for its DMA" : "");
	if (!xd_stacked(e) && e->lcore == XD_LCORE_NONE)
		fprintf(f, "  engine: inline (caller's core, at submit)\n");
	else if (!xd_stacked(e))
		fprintf(f, "  engine: lcore %u (%s)\n", e->lcore,
			e->worker_running ? "running" : "stopped");
	for (i = 0; i < e->nb_vchans; i++) {
		const struct xd_vchan *vc = &e->vchan[i];

		if (!vc->configured) {
			fprintf(f, "  vchan %u: not set up\n", i);
			continue;
		}
		fprintf(f, "  vchan %u: ring %u, head %u, submitted %u, done %u, tail %u\n",
			i, vc->size, vc->head, vc->submitted_local,
			__atomic_load_n(&vc->done, __ATOMIC_RELAXED), vc->tail);
		if (vc->stacked)
			fprintf(f, "    stacked: sent %u, at the engine device %u%s\n",
				vc->sent, vc->lower_out, xd_local(vc)->in_section ?
				", in its read section" : "");
		if (vc->inter)
			fprintf(f, "    inter-%s: src handler %u (%s), dst handler %u (%s)\n",
				vc->domain_type == RTE_DMA_INTER_OS_DOMAIN ?
				"os" : "process",
				vc->src_handler, xd_local(vc)->src_map == NULL ?
				"own domain" : "peer",
				vc->dst_handler, xd_local(vc)->dst_map == NULL ?
				"own domain" : "peer");
		fprintf(f, "    stats: submitted %" PRIu64 ", completed %" PRIu64
			", errors %" PRIu64 "\n", vc->stats.submitted,
			vc->stats.completed, vc->stats.errors);
	}
	return 0;
}

const struct rte_dma_dev_ops xd_engine_dev_ops = {
	.dev_info_get = xd_info_get,
	.dev_configure = xd_configure,
	.dev_start = xd_start,
	.dev_stop = xd_stop,
	.dev_close = xd_close,
	.vchan_setup = xd_vchan_setup,
	.stats_get = xd_stats_get,
	.stats_reset = xd_stats_reset,
	.vchan_status = xd_vchan_status,
	.dev_dump = xd_dump,
	RTE_DMA_SDK_GROUP_OPS
};

/* ---- inter-domain operations ---- */

/*
 * The engine of a device of ours, through the public fast-path table: the
 * library calls these ops only for devices that registered them, i.e. ours.
 */
static struct xd_engine *
xd_engine_of_id(int16_t dev_id)
{
	if (!rte_dma_is_valid(dev_id))
		return NULL;
	return rte_dma_fp_objs[dev_id].dev_private;
}

/*
 * Each handler must be one the device can reach: its own or a member's.
 * *@src_own / *@dst_own tell which side is the device's own domain.
 */
static int
xd_domain_reach(int16_t dev_id,
		const struct rte_dma_inter_domain_param *domain, bool *src_own,
		bool *dst_own)
{
	struct rte_dma_domain_map *src = NULL, *dst = NULL;
	int ret;

	ret = rte_dma_domain_map_get(dev_id, domain->src_handler, &src);
	if (ret == 0)
		ret = rte_dma_domain_map_get(dev_id, domain->dst_handler, &dst);
	*src_own = src == NULL;
	*dst_own = dst == NULL;
	rte_dma_domain_map_put(src);
	rte_dma_domain_map_put(dst);
	return ret;
}

static int
xd_domain_vchan_check(int16_t dev_id, uint16_t vchan,
		const struct rte_dma_inter_domain_param *domain)
{
	bool src_own, dst_own;

	RTE_SET_USED(vchan);
	return xd_domain_reach(dev_id, domain, &src_own, &dst_own);
}

static int
xd_domain_group_attach(int16_t dev_id, int16_t group_id, uint16_t handler)
{
	struct xd_engine *e = xd_engine_of_id(dev_id);

	RTE_SET_USED(group_id);
	RTE_SET_USED(handler);
	if (e == NULL)
		return -ENODEV;
	__atomic_fetch_add(&e->nb_groups, 1, __ATOMIC_RELAXED);
	return 0;
}

/*
 * The library has killed the group's maps by now: vchans using them fail
 * with DEV_LINK_ERROR until they are set up again. Nothing of the
 * device's own changes.
 */
static void
xd_domain_group_detach(int16_t dev_id, int16_t group_id)
{
	struct xd_engine *e = xd_engine_of_id(dev_id);

	RTE_SET_USED(group_id);
	if (e != NULL && e->nb_groups > 0)
		__atomic_fetch_sub(&e->nb_groups, 1, __ATOMIC_RELAXED);
}

static void
xd_domain_member_left(int16_t dev_id, int16_t group_id, uint16_t handler)
{
	struct xd_engine *e = xd_engine_of_id(dev_id);

	if (e != NULL)
		XD_LOG(e, INFO, "group %d: member with handler %u left; its windows are gone",
			group_id, handler);
}

/* A secondary: the primary set @vchan up; take our maps of it. */
static void
xd_domain_vchan_refresh(int16_t dev_id, uint16_t vchan)
{
	struct xd_engine *e = xd_engine_of_id(dev_id);
	int ret;

	if (e == NULL || vchan >= e->nb_vchans || xd_locals[dev_id] == NULL)
		return;
	ret = xd_local_setup(&e->vchan[vchan], NULL, NULL, true);
	if (ret != 0)
		XD_LOG(e, ERR, "vchan %u: no maps of handlers %u and %u here (%s): its operations fail",
			vchan, e->vchan[vchan].src_handler,
			e->vchan[vchan].dst_handler, strerror(-ret));
}

int
xd_engine_attach(struct rte_dma_dev *dev)
{
	struct xd_engine *e = xd_engine_of(dev);
	uint16_t i;
	int ret;

	ret = xd_engine_locals_alloc(dev->data->dev_id);
	if (ret != 0)
		return ret;
	/*
	 * The engine devices of a stacked one are the primary's only, and
	 * an lcore engine runs in the primary, which cannot reach this
	 * process's own memory: operations here fail (-EBUSY) rather than
	 * fault there.
	 */
	if (xd_stacked(e) || e->lcore != XD_LCORE_NONE) {
		XD_LOG(e, WARNING, "%s: its %s engine runs in the primary process; operations from a secondary fail",
			dev->data->dev_name, xd_stacked(e) ? "stacked" : "lcore");
		xd_engine_fp_set(dev->fp_obj, XD_RUN_STOPPED, false);
		return 0;
	}
	for (i = 0; i < e->nb_vchans; i++)
		if (e->vchan[i].configured)
			xd_domain_vchan_refresh(dev->data->dev_id, i);
	xd_engine_fp_set_secondary(dev->fp_obj);
	return 0;
}

const struct rte_dma_domain_ops xd_engine_domain_ops = {
	.dev_class = RTE_DMA_DOMAIN_CLASS_SOFTWARE,
	.vchan_check = xd_domain_vchan_check,
	.group_attach = xd_domain_group_attach,
	.group_detach = xd_domain_group_detach,
	.member_left = xd_domain_member_left,
	.vchan_refresh = xd_domain_vchan_refresh,
};

/*
 * Class A: the handlers are the keys of the two ends, this device's
 * domain and one peer's, as on CN20K. Which is which gives the direction:
 * own to peer writes into the peer, peer to own reads from it. A transfer
 * between two peers, or within this domain, has no device at one end.
 */
static int
xd_domain_vchan_check_paired(int16_t dev_id, uint16_t vchan,
		const struct rte_dma_inter_domain_param *domain)
{
	struct xd_engine *e = xd_engine_of_id(dev_id);
	bool src_own, dst_own;
	int ret;

	ret = xd_domain_reach(dev_id, domain, &src_own, &dst_own);
	if (ret != 0)
		return ret;
	if (src_own == dst_own) {
		if (e != NULL)
			XD_LOG(e, ERR, "vchan %u: handlers %u and %u: a paired device needs its own domain at one end and a peer's at the other",
				vchan, domain->src_handler,
				domain->dst_handler);
		return -EINVAL;
	}
	return 0;
}

/*
 * Class B: the handlers are the grants attached to the device (and its own
 * handler of each), in any combination the device can reach, as for the
 * software device; the class makes the broker admit the device to grants
 * only.
 */
const struct rte_dma_domain_ops xd_engine_domain_ops_granted = {
	.dev_class = RTE_DMA_DOMAIN_CLASS_B,
	.vchan_check = xd_domain_vchan_check,
	.group_attach = xd_domain_group_attach,
	.group_detach = xd_domain_group_detach,
	.member_left = xd_domain_member_left,
	.vchan_refresh = xd_domain_vchan_refresh,
};

const struct rte_dma_domain_ops xd_engine_domain_ops_paired = {
	.dev_class = RTE_DMA_DOMAIN_CLASS_A,
	.vchan_check = xd_domain_vchan_check_paired,
	.group_attach = xd_domain_group_attach,
	.group_detach = xd_domain_group_detach,
	.member_left = xd_domain_member_left,
	.vchan_refresh = xd_domain_vchan_refresh,
};

void
xd_engine_init(struct xd_engine *e, struct rte_dma_dev *dev,
		const char *driver, uint32_t lcore, int logtype,
		uint64_t domain_capa)
{
	e->fp = dev->fp_obj;
	e->numa_node = dev->data->numa_node;
	e->lcore = lcore;
	e->logtype = logtype;
	snprintf(e->driver, sizeof(e->driver), "%s", driver);
	e->domain_capa = domain_capa;
	e->dev_id = dev->data->dev_id;
	xd_engine_fp_set(e->fp, XD_RUN_STOPPED, false);
}

/* The EAL device of a dmadev, by name: its own, or a prefix of it. */
struct xd_dev_search {
	const char *name;
	struct rte_device *found;
};

static bool
xd_dev_name_match(const char *dev, const char *name)
{
	size_t len = strlen(dev);

	/* e.g. "0000:6a:01.0-q0" is a queue of "0000:6a:01.0" */
	return strncmp(dev, name, len) == 0 &&
		(name[len] == '\0' || name[len] == '-' || name[len] == '.');
}

static int
xd_dev_search_bus(const struct rte_bus *bus, const void *arg)
{
	struct xd_dev_search *s = (struct xd_dev_search *)(uintptr_t)arg;
	struct rte_dev_iterator it;
	struct rte_device *dev;
	char filter[64];

	snprintf(filter, sizeof(filter), "bus=%s", rte_bus_name(bus));
	RTE_DEV_FOREACH(dev, filter, &it) {
		if (xd_dev_name_match(rte_dev_name(dev), s->name) &&
				(s->found == NULL || strlen(rte_dev_name(dev)) >
				 strlen(rte_dev_name(s->found))))
			s->found = dev;
	}
	return 1; /* every bus */
}

static struct rte_device *
xd_dev_find(const char *name)
{
	struct xd_dev_search s = { .name = name, .found = NULL };

	rte_bus_find(NULL, xd_dev_search_bus, &s);
	return s.found;
}

int
xd_engine_stack(struct xd_engine *e, const char *lower_name, bool force_map)
{
	struct xd_lower *lo = &e->lower[e->nb_lowers];
	struct rte_device *rdev;
	uint16_t i;
	int16_t id;
	int ret;

	if (e->nb_lowers == RTE_DIM(e->lower)) {
		XD_LOG(e, ERR, "engine=%s: at most %u engine devices",
			lower_name, (unsigned int)RTE_DIM(e->lower));
		return -E2BIG;
	}
	id = rte_dma_get_dev_id_by_name(lower_name);
	if (id < 0) {
		XD_LOG(e, ERR, "engine=%s: no such dmadev (its --vdev must come before this one's)",
			lower_name);
		return -ENODEV;
	}
	for (i = 0; i < e->nb_lowers; i++) {
		if (e->lower[i].dev == id) {
			XD_LOG(e, ERR, "engine=%s: named twice", lower_name);
			return -EINVAL;
		}
	}
	memset(lo, 0, sizeof(*lo));
	ret = rte_dma_info_get(id, &lo->info);
	if (ret != 0) {
		XD_LOG(e, ERR, "engine=%s: cannot get its information: %s",
			lower_name, strerror(-ret));
		return ret;
	}
	if ((lo->info.dev_capa & (RTE_DMA_CAPA_MEM_TO_MEM |
			RTE_DMA_CAPA_OPS_COPY)) !=
			(RTE_DMA_CAPA_MEM_TO_MEM | RTE_DMA_CAPA_OPS_COPY)) {
		XD_LOG(e, ERR, "engine=%s: it cannot copy memory to memory",
			lower_name);
		return -ENOTSUP;
	}
	/*
	 * An engine device gets addresses already translated here: one
	 * that translates too (ours, stacked on ours) would add a layer
	 * and nothing else. Engine devices are plain intra-domain ones.
	 */
	if (lo->info.dev_capa & (RTE_DMA_CAPA_INTER_PROCESS_DOMAIN |
			RTE_DMA_CAPA_INTER_OS_DOMAIN)) {
		XD_LOG(e, ERR, "engine=%s: an inter-domain device cannot be an engine; give an intra-domain one",
			lower_name);
		return -EINVAL;
	}
	if (rte_dma_sdk_dev_started(id) == 1) {
		XD_LOG(e, ERR, "engine=%s: it is started; this device configures and starts it",
			lower_name);
		return -EBUSY;
	}
	if (force_map || !(lo->info.dev_capa & RTE_DMA_CAPA_SVA)) {
		rdev = xd_dev_find(lower_name);
		if (rdev == NULL) {
			XD_LOG(e, ERR, "engine=%s: cannot find its EAL device to map windows for its DMA",
				lower_name);
			return -ENODEV;
		}
		/* Counted: two of ours over one EAL device share its maps. */
		ret = rte_dma_domain_dma_map_add(rdev);
		if (ret != 0) {
			XD_LOG(e, ERR, "engine=%s: cannot map windows for its DMA: %s",
				lower_name, strerror(-ret));
			return ret;
		}
		lo->rte_dev = rdev;
		lo->dma_mapped = true;
	}
	lo->dev = id;
	snprintf(lo->name, sizeof(lo->name), "%s", lower_name);
	e->nb_lowers++;
	return 0;
}

void
xd_engine_unstack(struct xd_engine *e)
{
	while (e->nb_lowers > 0) {
		struct xd_lower *lo = &e->lower[--e->nb_lowers];

		if (lo->dma_mapped)
			rte_dma_domain_dma_map_del(lo->rte_dev);
		lo->dma_mapped = false;
	}
}
