/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-dma-xd authors
 */

/*
 * dpdk-dma-access vm: bind a virtual machine to the broker. Whoever
 * launches the VM runs it beside QEMU, with the VM's shared region (the
 * memfd behind its ivshmem device) and its control channel (the socket of
 * its virtio-serial port), as the user whose credentials the VM's guests
 * then act with at the broker. See dma_access_vm.h.
 */

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <rte_log.h>

#include "dma_access_app.h"
#include "dma_access_vm.h"

static int stop_fd = -1;

static void
on_stop(int sig)
{
	uint64_t one = 1;

	(void)sig;
	if (write(stop_fd, &one, sizeof(one)) < 0)
		return;
}

int
cmd_vm(const struct app_ctx *ctx, int argc, char **argv)
{
	enum { OPT_NAME = 256, OPT_REGION, OPT_CHAN };
	static const struct option opts[] = {
		{ "name", required_argument, NULL, OPT_NAME },
		{ "region", required_argument, NULL, OPT_REGION },
		{ "chan", required_argument, NULL, OPT_CHAN },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct dxa_vm_relay_conf conf = {
		.broker_path = ctx->socket_path,
		.logtype = RTE_LOGTYPE_USER1,
	};
	struct sigaction sa = { .sa_handler = on_stop };
	int c, ret;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case OPT_NAME:
			conf.name = optarg;
			break;
		case OPT_REGION:
			conf.region_path = optarg;
			break;
		case OPT_CHAN:
			conf.chan_path = optarg;
			break;
		case 'h':
			usage_print("vm");
			return APP_EXIT_OK;
		default:
			return usage_bad_option(c, argv);
		}
	}
	if (optind < argc)
		return usage_error("vm: unexpected argument '%s'", argv[optind]);
	if (conf.name == NULL || conf.region_path == NULL ||
			conf.chan_path == NULL)
		return usage_error("vm: --name, --region and --chan are all needed");
	stop_fd = eventfd(0, EFD_CLOEXEC);
	if (stop_fd < 0) {
		fprintf(stderr, APP_NAME ": vm: eventfd: %s\n", strerror(errno));
		return APP_EXIT_REFUSED;
	}
	conf.stop_fd = stop_fd;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	rte_log(RTE_LOG_NOTICE, conf.logtype,
		APP_NAME ": vm %s: region %s, channel %s, broker %s\n",
		conf.name, conf.region_path, conf.chan_path, conf.broker_path);
	ret = dxa_vm_relay_run(&conf);
	close(stop_fd);
	if (ret != 0) {
		fprintf(stderr, APP_NAME ": vm %s: %s\n", conf.name,
			strerror(-ret));
		return APP_EXIT_REFUSED;
	}
	return APP_EXIT_OK;
}
