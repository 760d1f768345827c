/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-dma-xd authors
 */

#ifndef RTE_DMADEV_SDK_TARGET_H
#define RTE_DMADEV_SDK_TARGET_H

/**
 * @file
 * The DPDK 22.11 target's driver interface: the subset of DPDK 22.11's
 * driver SDK that a dmadev PMD needs. Included by rte_dmadev_sdk.h only.
 *
 * Debian (and most distributions) ship DPDK 22.11 without its driver SDK
 * headers (rte_dmadev_pmd.h, bus_vdev_driver.h, dev_driver.h). Registering
 * a dmadev PMD needs only a handful of internal structures and four
 * exported functions, so this header is the single place in the project
 * that knows them:
 *
 *  - when the real SDK headers are on the include path they are used, and
 *    the static asserts below check them against the pinned layout;
 *  - otherwise the structures are declared here, with every size and offset
 *    pinned by a static assert.
 *
 * The layouts are those of DPDK 22.11 LTS; building against any other DPDK
 * release stops with an error, and rte_dma_sdk_pmd_allocate() re-checks at
 * run time that the running librte_dmadev agrees before a device goes live.
 */

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <rte_common.h>
#include <rte_dev.h>
#include <rte_devargs.h>
#include <rte_dmadev.h>
#include <rte_version.h>

#if RTE_VERSION < RTE_VERSION_NUM(22, 11, 0, 0) || \
	RTE_VERSION >= RTE_VERSION_NUM(22, 12, 0, 0)
#error "rte_dmadev_sdk.h pins the DPDK 22.11.x driver ABI; this DPDK is another release"
#endif

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__has_include)
#if __has_include(<rte_dmadev_pmd.h>) && __has_include(<bus_vdev_driver.h>)
#define RTE_DMA_SDK_REAL_HEADERS 1
#endif
#endif

#if defined(RTE_DMA_SDK_REQUIRE_REAL) && !defined(RTE_DMA_SDK_REAL_HEADERS)
#error "-Ddpdk_sdk_include was given but rte_dmadev_pmd.h/bus_vdev_driver.h are not there"
#endif

#ifdef RTE_DMA_SDK_REAL_HEADERS

#include <bus_vdev_driver.h>
#include <rte_dmadev_pmd.h>

#else /* !RTE_DMA_SDK_REAL_HEADERS */

#include <sys/queue.h>

struct rte_bus;

/** A driver, as the EAL buses see it (dev_driver.h). */
struct rte_driver {
	RTE_TAILQ_ENTRY(rte_driver) next; /**< Next in the bus's list. */
	const char *name;                 /**< Driver name. */
	const char *alias;                /**< Alternative driver name. */
};

/** A device, as the EAL buses see it (dev_driver.h). */
struct rte_device {
	RTE_TAILQ_ENTRY(rte_device) next; /**< Next in the bus's list. */
	const char *name;                 /**< Device name. */
	const char *bus_info;             /**< Bus-specific description. */
	const struct rte_driver *driver;  /**< Driver bound at probe. */
	const struct rte_bus *bus;        /**< Bus handling the device. */
	int numa_node;                    /**< NUMA node, or SOCKET_ID_ANY. */
	struct rte_devargs *devargs;      /**< Arguments from --vdev. */
};

/** A virtual device (bus_vdev_driver.h). */
struct rte_vdev_device {
	RTE_TAILQ_ENTRY(rte_vdev_device) next; /**< Next on the vdev bus. */
	struct rte_device device;              /**< Generic device. */
};

/** vdev probe callback. */
typedef int (rte_vdev_probe_t)(struct rte_vdev_device *dev);
/** vdev remove callback. */
typedef int (rte_vdev_remove_t)(struct rte_vdev_device *dev);
/** vdev DMA map callback. */
typedef int (rte_vdev_dma_map_t)(struct rte_vdev_device *dev, void *addr,
		uint64_t iova, size_t len);
/** vdev DMA unmap callback. */
typedef int (rte_vdev_dma_unmap_t)(struct rte_vdev_device *dev, void *addr,
		uint64_t iova, size_t len);

/** The driver needs IOVA as VA (EAL then picks that mode). */
#define RTE_VDEV_DRV_NEED_IOVA_AS_VA 0x0001

/** A virtual device driver (bus_vdev_driver.h). */
struct rte_vdev_driver {
	RTE_TAILQ_ENTRY(rte_vdev_driver) next; /**< Next on the vdev bus. */
	struct rte_driver driver;              /**< Generic driver. */
	rte_vdev_probe_t *probe;               /**< Create a device. */
	rte_vdev_remove_t *remove;             /**< Destroy a device. */
	rte_vdev_dma_map_t *dma_map;           /**< Optional DMA map. */
	rte_vdev_dma_unmap_t *dma_unmap;       /**< Optional DMA unmap. */
	uint32_t drv_flags;                    /**< RTE_VDEV_DRV_* flags. */
};

/** Add a driver to the vdev bus (exported by librte_bus_vdev). */
void rte_vdev_register(struct rte_vdev_driver *driver);
/** Remove a driver from the vdev bus (exported by librte_bus_vdev). */
void rte_vdev_unregister(struct rte_vdev_driver *driver);

/** Register a vdev driver under a name, at load time. */
#define RTE_PMD_REGISTER_VDEV(nm, vdrv) \
	static const char *vdrvinit_ ## nm ## _alias; \
	RTE_INIT(vdrvinitfn_ ## vdrv) \
	{ \
		(vdrv).driver.name = RTE_STR(nm); \
		(vdrv).driver.alias = vdrvinit_ ## nm ## _alias; \
		rte_vdev_register(&(vdrv)); \
	} \
	RTE_PMD_EXPORT_NAME(nm, __COUNTER__)

/** Name of a vdev. */
static inline const char *
rte_vdev_device_name(const struct rte_vdev_device *dev)
{
	return dev != NULL ? dev->device.name : NULL;
}

/** Arguments given to a vdev (the part after the first comma). */
static inline const char *
rte_vdev_device_args(const struct rte_vdev_device *dev)
{
	if (dev == NULL || dev->device.devargs == NULL)
		return "";
	return dev->device.devargs->args;
}

struct rte_dma_dev;

/** @internal */
typedef int (*rte_dma_info_get_t)(const struct rte_dma_dev *dev,
		struct rte_dma_info *dev_info, uint32_t info_sz);
/** @internal */
typedef int (*rte_dma_configure_t)(struct rte_dma_dev *dev,
		const struct rte_dma_conf *dev_conf, uint32_t conf_sz);
/** @internal */
typedef int (*rte_dma_start_t)(struct rte_dma_dev *dev);
/** @internal */
typedef int (*rte_dma_stop_t)(struct rte_dma_dev *dev);
/** @internal */
typedef int (*rte_dma_close_t)(struct rte_dma_dev *dev);
/** @internal */
typedef int (*rte_dma_vchan_setup_t)(struct rte_dma_dev *dev, uint16_t vchan,
		const struct rte_dma_vchan_conf *conf, uint32_t conf_sz);
/** @internal */
typedef int (*rte_dma_stats_get_t)(const struct rte_dma_dev *dev,
		uint16_t vchan, struct rte_dma_stats *stats, uint32_t stats_sz);
/** @internal */
typedef int (*rte_dma_stats_reset_t)(struct rte_dma_dev *dev, uint16_t vchan);
/** @internal */
typedef int (*rte_dma_vchan_status_t)(const struct rte_dma_dev *dev,
		uint16_t vchan, enum rte_dma_vchan_status *status);
/** @internal */
typedef int (*rte_dma_dump_t)(const struct rte_dma_dev *dev, FILE *f);

/** Control-path operations of a dmadev PMD (rte_dmadev_pmd.h). */
struct rte_dma_dev_ops {
	rte_dma_info_get_t dev_info_get;     /**< Fill struct rte_dma_info. */
	rte_dma_configure_t dev_configure;   /**< Configure the device. */
	rte_dma_start_t dev_start;           /**< Start. */
	rte_dma_stop_t dev_stop;             /**< Stop. */
	rte_dma_close_t dev_close;           /**< Close. */
	rte_dma_vchan_setup_t vchan_setup;   /**< Set up one vchan. */
	rte_dma_stats_get_t stats_get;       /**< Read statistics. */
	rte_dma_stats_reset_t stats_reset;   /**< Reset statistics. */
	rte_dma_vchan_status_t vchan_status; /**< Idle/active status. */
	rte_dma_dump_t dev_dump;             /**< Driver part of rte_dma_dump. */
};

/** Per-device data, kept in a memzone shared by all processes. */
struct rte_dma_dev_data {
	char dev_name[RTE_DEV_NAME_MAX_LEN]; /**< Unique device name. */
	int16_t dev_id;                      /**< Device identifier. */
	int16_t numa_node;                   /**< NUMA node, -1 if unknown. */
	void *dev_private;                   /**< PMD private data. */
	struct rte_dma_conf dev_conf;        /**< Last applied config. */
	__extension__
	uint8_t dev_started : 1;             /**< Started (1) or stopped. */
	uint64_t reserved[2];                /**< Reserved. */
} __rte_cache_aligned;

/** Life-cycle state of a dmadev slot. */
enum rte_dma_dev_state {
	RTE_DMA_DEV_UNUSED = 0, /**< Free slot. */
	RTE_DMA_DEV_REGISTERED, /**< Allocated, not yet usable. */
	RTE_DMA_DEV_READY,      /**< Set by the PMD once probed. */
};

/** A dmadev slot, private to each process. */
struct rte_dma_dev {
	struct rte_device *device;              /**< Underlying device. */
	struct rte_dma_dev_data *data;          /**< Shared data. */
	struct rte_dma_fp_object *fp_obj;       /**< Fast-path table entry. */
	const struct rte_dma_dev_ops *dev_ops;  /**< PMD control ops. */
	enum rte_dma_dev_state state;           /**< Slot state. */
	uint64_t reserved[2];                   /**< Reserved. */
} __rte_cache_aligned;

/** Allocate a dmadev slot with zeroed private data (librte_dmadev). */
struct rte_dma_dev *rte_dma_pmd_allocate(const char *name, int numa_node,
		size_t private_data_size);
/** Release a dmadev slot, closing the device if it is ready. */
int rte_dma_pmd_release(const char *name);

#endif /* RTE_DMA_SDK_REAL_HEADERS */

/*
 * The pinned 22.11 layout. These asserts run against our declarations or,
 * when the SDK headers are installed (or given with -Ddpdk_sdk_include),
 * against the real ones.
 */
#define RTE_DMA_SDK_PIN_SIZE(type, size) \
	_Static_assert(sizeof(struct type) == (size), \
		"DPDK 22.11 layout: sizeof(struct " #type ")")
#define RTE_DMA_SDK_PIN_OFF(type, field, off) \
	_Static_assert(offsetof(struct type, field) == (off), \
		"DPDK 22.11 layout: struct " #type "." #field)

RTE_DMA_SDK_PIN_SIZE(rte_driver, 32);
RTE_DMA_SDK_PIN_OFF(rte_driver, name, 16);
RTE_DMA_SDK_PIN_OFF(rte_driver, alias, 24);

RTE_DMA_SDK_PIN_SIZE(rte_device, 64);
RTE_DMA_SDK_PIN_OFF(rte_device, name, 16);
RTE_DMA_SDK_PIN_OFF(rte_device, bus_info, 24);
RTE_DMA_SDK_PIN_OFF(rte_device, driver, 32);
RTE_DMA_SDK_PIN_OFF(rte_device, bus, 40);
RTE_DMA_SDK_PIN_OFF(rte_device, numa_node, 48);
RTE_DMA_SDK_PIN_OFF(rte_device, devargs, 56);

RTE_DMA_SDK_PIN_OFF(rte_vdev_device, device, 16);

RTE_DMA_SDK_PIN_SIZE(rte_vdev_driver, 88);
RTE_DMA_SDK_PIN_OFF(rte_vdev_driver, driver, 16);
RTE_DMA_SDK_PIN_OFF(rte_vdev_driver, probe, 48);
RTE_DMA_SDK_PIN_OFF(rte_vdev_driver, remove, 56);
RTE_DMA_SDK_PIN_OFF(rte_vdev_driver, dma_map, 64);
RTE_DMA_SDK_PIN_OFF(rte_vdev_driver, dma_unmap, 72);
RTE_DMA_SDK_PIN_OFF(rte_vdev_driver, drv_flags, 80);

RTE_DMA_SDK_PIN_SIZE(rte_dma_dev_ops, 80);
RTE_DMA_SDK_PIN_OFF(rte_dma_dev_ops, dev_info_get, 0);
RTE_DMA_SDK_PIN_OFF(rte_dma_dev_ops, dev_configure, 8);
RTE_DMA_SDK_PIN_OFF(rte_dma_dev_ops, dev_start, 16);
RTE_DMA_SDK_PIN_OFF(rte_dma_dev_ops, dev_stop, 24);
RTE_DMA_SDK_PIN_OFF(rte_dma_dev_ops, dev_close, 32);
RTE_DMA_SDK_PIN_OFF(rte_dma_dev_ops, vchan_setup, 40);
RTE_DMA_SDK_PIN_OFF(rte_dma_dev_ops, stats_get, 48);
RTE_DMA_SDK_PIN_OFF(rte_dma_dev_ops, stats_reset, 56);
RTE_DMA_SDK_PIN_OFF(rte_dma_dev_ops, vchan_status, 64);
RTE_DMA_SDK_PIN_OFF(rte_dma_dev_ops, dev_dump, 72);

RTE_DMA_SDK_PIN_SIZE(rte_dma_dev_data, 128);
RTE_DMA_SDK_PIN_OFF(rte_dma_dev_data, dev_name, 0);
RTE_DMA_SDK_PIN_OFF(rte_dma_dev_data, dev_id, 64);
RTE_DMA_SDK_PIN_OFF(rte_dma_dev_data, numa_node, 66);
RTE_DMA_SDK_PIN_OFF(rte_dma_dev_data, dev_private, 72);
RTE_DMA_SDK_PIN_OFF(rte_dma_dev_data, dev_conf, 80);
RTE_DMA_SDK_PIN_OFF(rte_dma_dev_data, reserved, 88);

RTE_DMA_SDK_PIN_SIZE(rte_dma_dev, 64);
RTE_DMA_SDK_PIN_OFF(rte_dma_dev, device, 0);
RTE_DMA_SDK_PIN_OFF(rte_dma_dev, data, 8);
RTE_DMA_SDK_PIN_OFF(rte_dma_dev, fp_obj, 16);
RTE_DMA_SDK_PIN_OFF(rte_dma_dev, dev_ops, 24);
RTE_DMA_SDK_PIN_OFF(rte_dma_dev, state, 32);
RTE_DMA_SDK_PIN_OFF(rte_dma_dev, reserved, 40);

/* Public in 22.11, but the fast path depends on it just as much. */
RTE_DMA_SDK_PIN_SIZE(rte_dma_fp_object, 128);
RTE_DMA_SDK_PIN_OFF(rte_dma_fp_object, copy, 8);
RTE_DMA_SDK_PIN_OFF(rte_dma_fp_object, burst_capacity, 56);

/** Byte of struct rte_dma_dev_data holding the dev_started bit (bit 0). */
#define RTE_DMA_SDK_DEV_STARTED_BYTE 84

/**
 * The layout check of rte_dma_sdk_pmd_allocate(), on a slot that
 * rte_dma_pmd_allocate() just returned (state REGISTERED).
 *
 * On success dev->device is @p device and dev->dev_ops is a probe table
 * that the caller must replace.
 *
 * @return NULL if the slot reads back as the pinned layout says, else the
 *   name of the first field that does not.
 */
const char *rte_dma_sdk_layout_check(struct rte_dma_dev *dev,
		const char *name, int numa_node, struct rte_device *device);

/*
 * DPDK 22.11's struct rte_dma_dev_ops has no access pair group ops: the
 * library defines upstream's public names itself.
 */
#define RTE_DMA_SDK_GROUP_OPS

#ifdef __cplusplus
}
#endif

#endif /* RTE_DMADEV_SDK_TARGET_H */
