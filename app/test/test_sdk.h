/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-dma-xd authors
 */

#ifndef TEST_SDK_H
#define TEST_SDK_H

/* What test_sdk.c shares with its DPDK target's cases (dpdk-<target>/). */

#include <stdint.h>

#include "rte_dmadev_sdk.h"

/* The name of the slots the cases allocate themselves. */
#define SDK_SLOT_NAME "xd_sdk_probe0"

/* Stands for the EAL device of a vdev: rte_dma_info_get() reads it. */
extern struct rte_device sdk_fake_device;

/* dma_xd_skeleton0, created by the test's EAL arguments. */
extern int16_t sdk_skel_id;

/* Run the target's own cases, as a cmocka group: 0 if they all passed. */
int sdk_target_run(void);

#endif /* TEST_SDK_H */
