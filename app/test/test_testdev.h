/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-dma-xd authors
 */

#ifndef TEST_TESTDEV_H
#define TEST_TESTDEV_H

/*
 * dma_xd_testdev: a control-path-only dmadev, linked into the contract
 * tests, that advertises inter-domain capabilities. No real device has
 * them yet, and the library's -ENOTSUP and parameter plumbing can only be
 * tested against a driver that claims them.
 *
 * Devargs (all optional):
 *   capa=none|process|os|both  inter-domain bits advertised (default process)
 *   ops=0|1                    register rte_dma_domain_ops at probe (default 0)
 *   class=software|A|B         the class in those ops (default software)
 *
 * The name neither prefixes nor extends dma_skeleton or dma_xd_skeleton:
 * the vdev bus binds the first driver whose name prefixes the device name.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_dmadev.h>

#include "rte_dmadev_domain.h"

#define TESTDEV_DRIVER "dma_xd_testdev"
#define TESTDEV_MAX_VCHANS 4
#define TESTDEV_MIN_DESC 32
#define TESTDEV_MAX_DESC 4096
/* A handler the driver's vchan_check does not know: it says -ENOENT. */
#define TESTDEV_UNKNOWN_HANDLER 0xdead

/* What the driver's vchan_setup op saw for one vchan. */
struct testdev_vchan {
	bool set_up;
	uint16_t nb_desc;
	/* rte_dma_domain_vchan_param_get() for this vchan, inside the op. */
	struct rte_dma_inter_domain_param seen;
};

/* Driver-side record of one device, for the tests to inspect. */
struct testdev_state {
	int16_t dev_id;
	uint64_t capa;          /* inter-domain bits advertised */
	bool domain_ops;        /* registered rte_dma_domain_ops at probe */
	uint16_t nb_vchans;     /* from the last configure */
	unsigned int check_calls;
	unsigned int setup_calls;
	/* Arguments of the last vchan_check call. */
	uint16_t check_vchan;
	struct rte_dma_inter_domain_param check_param;
	struct testdev_vchan vchan[TESTDEV_MAX_VCHANS];
	/* Group hooks, as the library called them. */
	unsigned int attach_calls;
	unsigned int detach_calls;
	unsigned int member_left_calls;
	int16_t last_group;        /* of the last attach or detach */
	uint16_t attached_handler; /* of the last attach */
	uint16_t left_handler;     /* of the last member_left */
	int attach_error;          /* returned by group_attach: fault injection */
};

/* The record of test device @p dev_id, or NULL if it is not one. */
struct testdev_state *testdev_get(int16_t dev_id);

#endif /* TEST_TESTDEV_H */
