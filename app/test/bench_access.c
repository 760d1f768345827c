/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-dma-xd authors
 */

/*
 * bench_access: what the access broker costs its members, measured
 * against a running broker (devtools/bench-access.sh starts one).
 *
 *   1. throughput: group create + destroy cycles per second, one client;
 *   2. set-up latency: creator creates, joiner joins, then each side asks
 *      the handlers of both: the median and p99 over the rounds.
 *
 * Usage: bench_access SOCKET TOKEN [CYCLES [ROUNDS]]
 * Speaks the wire protocol directly: this is the broker's share of the
 * cost, the part a daemon has to sustain for every client.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <uuid/uuid.h>

#include "dma_access_conn.h"
#include "dma_access_proto.h"

static double
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int
create(int fd, const uint8_t *token, const uint8_t *dom, int16_t *gid)
{
	struct dxa_group_create req = { .dev_class = DXA_CLASS_ANY };
	struct dxa_reply_group r;
	int ret;

	memcpy(req.token, token, DXA_UUID_LEN);
	memcpy(req.domain_id, dom, DXA_UUID_LEN);
	ret = dxa_conn_call(fd, DXA_GROUP_CREATE, &req, sizeof(req), &r,
		sizeof(r), 1000);
	*gid = r.group_id;
	return ret;
}

static int
ref(int fd, uint16_t type, int16_t gid)
{
	struct dxa_group_ref req = { .group_id = gid };
	struct dxa_reply_group r;

	return dxa_conn_call(fd, type, &req, sizeof(req), &r, sizeof(r), 1000);
}

static int
handler(int fd, int16_t gid, const uint8_t *dom)
{
	struct dxa_handler_get req = { .group_id = gid };
	struct dxa_reply_group r;

	memcpy(req.domain_id, dom, DXA_UUID_LEN);
	return dxa_conn_call(fd, DXA_HANDLER_GET, &req, sizeof(req), &r,
		sizeof(r), 1000);
}

int
main(int argc, char **argv)
{
	struct dxa_group_join join = { .dev_class = DXA_CLASS_ANY };
	struct dxa_reply_group r;
	uint8_t token[DXA_UUID_LEN], dom_a[DXA_UUID_LEN], dom_b[DXA_UUID_LEN];
	long cycles = argc > 3 ? atol(argv[3]) : 20000;
	long rounds = argc > 4 ? atol(argv[4]) : 1000;
	double t0, *lat;
	int a, b, ret = 0;
	int16_t gid;
	long i;

	if (argc < 3 || uuid_parse(argv[2], token) != 0 || cycles <= 0 ||
			rounds <= 0) {
		fprintf(stderr, "usage: %s SOCKET TOKEN [CYCLES [ROUNDS]]\n",
			argv[0]);
		return 2;
	}
	uuid_generate_random(dom_a);
	uuid_generate_random(dom_b);
	a = dxa_conn_open(argv[1]);
	b = dxa_conn_open(argv[1]);
	lat = calloc((size_t)rounds, sizeof(*lat));
	if (a < 0 || b < 0 || lat == NULL) {
		fprintf(stderr, "cannot connect to %s: %s\n", argv[1],
			strerror(a < 0 ? -a : -b));
		return 1;
	}

	t0 = now_us();
	for (i = 0; i < cycles && ret == 0; i++) {
		ret = create(a, token, dom_a, &gid);
		if (ret == 0)
			ret = ref(a, DXA_GROUP_DESTROY, gid);
	}
	if (ret != 0) {
		fprintf(stderr, "create/destroy failed: %s\n", strerror(-ret));
		return 1;
	}
	printf("create+destroy: %ld cycles in %.3f s: %.0f cycles/s\n",
		cycles, (now_us() - t0) / 1e6, cycles / ((now_us() - t0) / 1e6));

	memcpy(join.token, token, DXA_UUID_LEN);
	memcpy(join.domain_id, dom_b, DXA_UUID_LEN);
	for (i = 0; i < rounds && ret == 0; i++) {
		t0 = now_us();
		ret = create(a, token, dom_a, &gid);
		join.group_id = gid;
		if (ret == 0)
			ret = dxa_conn_call(b, DXA_GROUP_JOIN, &join,
				sizeof(join), &r, sizeof(r), 1000);
		if (ret == 0)
			ret = handler(a, gid, dom_a) | handler(a, gid, dom_b) |
				handler(b, gid, dom_a) | handler(b, gid, dom_b);
		lat[i] = now_us() - t0;
		if (ret == 0)
			ret = ref(b, DXA_GROUP_LEAVE, gid);
		if (ret == 0)
			ret = ref(a, DXA_GROUP_DESTROY, gid);
	}
	if (ret != 0) {
		fprintf(stderr, "set-up round failed: %s\n", strerror(-ret));
		return 1;
	}
	qsort(lat, (size_t)rounds, sizeof(*lat), cmp_double);
	printf("create+join+4 handler_get: %ld rounds: median %.1f us, p99 %.1f us\n",
		rounds, lat[rounds / 2], lat[rounds * 99 / 100]);
	close(a);
	close(b);
	free(lat);
	return 0;
}
