/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-dma-xd authors
 */

/*
 * A scriptable member of access pair groups, for the multi-process tests
 * (test_access.c). One EAL process with four dma_xd_testdev devices:
 *
 *   p  capa=process,ops=1  can be a member
 *   n  capa=none,ops=0     no inter-domain capability: -EINVAL
 *   o  capa=process,ops=0  capability but no driver support: -ENOTSUP
 *   a  capa=process,ops=1,class=A  a member of Class A
 *   x  an invalid device id: -EINVAL
 *
 * It prints "ready DOMAIN" once EAL is up (or "fail -ERRNO" and exits),
 * then reads one command per line on stdin and answers one line on stdout:
 *
 *   domain                          ok DOMAIN
 *   create DEV TOKEN [DOMAIN]       ok GID | err -ERRNO
 *   join DEV TOKEN GID [DOMAIN]     ok | err -ERRNO
 *   leave DEV GID                   ok | err -ERRNO
 *   destroy DEV GID                 ok | err -ERRNO
 *   handler DEV GID DOMAIN          ok H | err -ERRNO
 *   handlers DEV GID SRC DST        ok HS HD | err -ERRNO (src_dst form;
 *                                   "err -ERRNO but wrote HS HD" if it
 *                                   failed and still wrote an output)
 *   hooks DEV                       ok attach=N detach=N left=N group=G
 *                                      handler=H left_handler=H
 *   react none|destroy|leave        ok: from now on, the callback calls
 *                                   destroy (or leave) for the group of
 *                                   each MEMBER_LEFT it gets
 *   cbinfo                          ok calls=N thread=NAME react=RET
 *                                   (RET: status of the last call made
 *                                   by the callback; 1 if none was made)
 *   quit                            ok, then EAL is shut down
 *
 * TOKEN and DOMAIN are UUIDs in text form, or "nil". DOMAIN defaults to
 * this process's own id; giving another one tests that the library refuses
 * it. Group events arrive asynchronously, on their own lines:
 *
 *   event GID DOMAIN MEMBER_LEFT|GROUP_DESTROYED NS
 *
 * NS is CLOCK_MONOTONIC in nanoseconds when the callback was entered: the
 * clock is the same in every process, so the orchestrator measures
 * delivery latency against the moment it killed a member. The line is
 * printed once the callback's reaction (react) is done, so that cbinfo
 * after it sees the result. End of input is "quit".
 */

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_dmadev.h>
#include <rte_uuid.h>

#include "rte_dmadev_domain.h"
#include "test_eal.h"
#include "test_testdev.h"

#define LINE_MAX_LEN 512
#define MAX_WORDS 6
#define DEV_INVALID INT16_MAX
/* What src_dst_handles_get must not overwrite when it fails. */
#define HANDLE_SENTINEL 0xbeef
/* cbinfo's react= before the callback made any call. */
#define REACT_NONE 1

enum reaction { REACT_NOTHING, REACT_DESTROY, REACT_LEAVE };

static const char *const vdevs[] = {
	"--vdev=" TESTDEV_DRIVER "_p0,capa=process,ops=1",
	"--vdev=" TESTDEV_DRIVER "_n0,capa=none,ops=0",
	"--vdev=" TESTDEV_DRIVER "_o0,capa=process,ops=0",
	"--vdev=" TESTDEV_DRIVER "_a0,capa=process,ops=1,class=A",
	"--log-level=lib.eal:warning",
};

static const struct {
	char letter;
	const char *name;
} dev_names[] = {
	{ 'p', TESTDEV_DRIVER "_p0" },
	{ 'n', TESTDEV_DRIVER "_n0" },
	{ 'o', TESTDEV_DRIVER "_o0" },
	{ 'a', TESTDEV_DRIVER "_a0" },
};

static int16_t dev_ids[RTE_DIM(dev_names)];
static rte_uuid_t own_domain;

/*
 * Replies (main thread) and events (event thread) share stdout; the
 * callback's record below is read by cbinfo. Both under out_lock.
 */
static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
	enum reaction react;
	int react_ret;
	unsigned int calls;
	char thread[16];
} cb = { .react_ret = REACT_NONE };

static void __rte_format_printf(1, 2)
say(const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&out_lock);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	pthread_mutex_unlock(&out_lock);
}

static void
reply_status(int ret)
{
	if (ret == 0)
		say("ok");
	else
		say("err %d", ret);
}

static void
on_event(int16_t dev_id, int16_t group_id, rte_uuid_t domain_id,
		enum rte_dma_access_pair_group_event_type event)
{
	uint64_t ns = test_now_ns();
	enum reaction react;
	char text[37], name[16];
	int ret = REACT_NONE;

	if (pthread_getname_np(pthread_self(), name, sizeof(name)) != 0)
		snprintf(name, sizeof(name), "?");
	pthread_mutex_lock(&out_lock);
	react = cb.react;
	pthread_mutex_unlock(&out_lock);
	/* The API promises that a callback may call it: no lock is held. */
	if (event == RTE_DMA_GROUP_EVENT_MEMBER_LEFT && react == REACT_DESTROY)
		ret = rte_dma_access_pair_group_destroy(dev_id, group_id);
	else if (event == RTE_DMA_GROUP_EVENT_MEMBER_LEFT &&
			react == REACT_LEAVE)
		ret = rte_dma_access_pair_group_leave(dev_id, group_id);
	pthread_mutex_lock(&out_lock);
	cb.calls++;
	snprintf(cb.thread, sizeof(cb.thread), "%s", name);
	if (ret != REACT_NONE)
		cb.react_ret = ret;
	pthread_mutex_unlock(&out_lock);

	rte_uuid_unparse(domain_id, text, sizeof(text));
	say("event %d %s %s %" PRIu64, group_id, text,
		event == RTE_DMA_GROUP_EVENT_MEMBER_LEFT ? "MEMBER_LEFT" :
		event == RTE_DMA_GROUP_EVENT_GROUP_DESTROYED ?
			"GROUP_DESTROYED" : "UNKNOWN", ns);
}

/* ---- arguments ---- */

static int
arg_dev(const char *s, int16_t *dev_id)
{
	unsigned int i;

	if (s == NULL || s[0] == '\0' || s[1] != '\0')
		return -EINVAL;
	if (s[0] == 'x') {
		*dev_id = DEV_INVALID;
		return 0;
	}
	for (i = 0; i < RTE_DIM(dev_names); i++) {
		if (dev_names[i].letter == s[0]) {
			*dev_id = dev_ids[i];
			return 0;
		}
	}
	return -EINVAL;
}

static int
arg_uuid(const char *s, rte_uuid_t out)
{
	if (s == NULL)
		return -EINVAL;
	if (strcmp(s, "nil") == 0) {
		memset(out, 0, sizeof(rte_uuid_t));
		return 0;
	}
	return rte_uuid_parse(s, out) == 0 ? 0 : -EINVAL;
}

/* A domain argument that may be left out: this process's own id then. */
static int
arg_domain(const char *s, rte_uuid_t out)
{
	if (s == NULL) {
		rte_uuid_copy(out, own_domain);
		return 0;
	}
	return arg_uuid(s, out);
}

static int
arg_group(const char *s, int16_t *group_id)
{
	char *end;
	long v;

	if (s == NULL)
		return -EINVAL;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < INT16_MIN ||
			v > INT16_MAX)
		return -EINVAL;
	*group_id = (int16_t)v;
	return 0;
}

/* ---- commands ---- */

static void
cmd_create(char **w, unsigned int n)
{
	rte_uuid_t token, domain;
	int16_t dev_id, group_id = -1;
	int ret;

	if (n < 3 || n > 4 || arg_dev(w[1], &dev_id) != 0 ||
			arg_uuid(w[2], token) != 0 ||
			arg_domain(n > 3 ? w[3] : NULL, domain) != 0) {
		say("err usage");
		return;
	}
	ret = rte_dma_access_pair_group_create(dev_id, domain, token,
		&group_id, on_event);
	if (ret == 0)
		say("ok %d", group_id);
	else
		reply_status(ret);
}

static void
cmd_join(char **w, unsigned int n)
{
	rte_uuid_t token, domain;
	int16_t dev_id, group_id;

	if (n < 4 || n > 5 || arg_dev(w[1], &dev_id) != 0 ||
			arg_uuid(w[2], token) != 0 ||
			arg_group(w[3], &group_id) != 0 ||
			arg_domain(n > 4 ? w[4] : NULL, domain) != 0) {
		say("err usage");
		return;
	}
	reply_status(rte_dma_access_pair_group_join(dev_id, domain, token,
		group_id, on_event));
}

static void
cmd_end(char **w, unsigned int n, bool destroy)
{
	int16_t dev_id, group_id;

	if (n != 3 || arg_dev(w[1], &dev_id) != 0 ||
			arg_group(w[2], &group_id) != 0) {
		say("err usage");
		return;
	}
	reply_status(destroy ?
		rte_dma_access_pair_group_destroy(dev_id, group_id) :
		rte_dma_access_pair_group_leave(dev_id, group_id));
}

static void
cmd_handler(char **w, unsigned int n)
{
	int16_t dev_id, group_id;
	rte_uuid_t domain;
	uint16_t h = 0;
	int ret;

	if (n != 4 || arg_dev(w[1], &dev_id) != 0 ||
			arg_group(w[2], &group_id) != 0 ||
			arg_uuid(w[3], domain) != 0) {
		say("err usage");
		return;
	}
	ret = rte_dma_access_pair_group_handler_get(dev_id, group_id, domain,
		&h);
	if (ret == 0)
		say("ok %u", h);
	else
		reply_status(ret);
}

static void
cmd_handlers(char **w, unsigned int n)
{
	uint16_t hs = HANDLE_SENTINEL, hd = HANDLE_SENTINEL;
	rte_uuid_t src, dst;
	int16_t dev_id, group_id;
	int ret;

	if (n != 5 || arg_dev(w[1], &dev_id) != 0 ||
			arg_group(w[2], &group_id) != 0 ||
			arg_uuid(w[3], src) != 0 || arg_uuid(w[4], dst) != 0) {
		say("err usage");
		return;
	}
	ret = rte_dma_access_pair_group_src_dst_handles_get(dev_id, group_id,
		src, dst, &hs, &hd);
	if (ret == 0)
		say("ok %u %u", hs, hd);
	else if (hs != HANDLE_SENTINEL || hd != HANDLE_SENTINEL)
		say("err %d but wrote %u %u", ret, hs, hd);
	else
		reply_status(ret);
}

static void
cmd_hooks(char **w, unsigned int n)
{
	const struct testdev_state *st;
	struct testdev_state snap;
	int16_t dev_id;
	uint16_t h;

	if (n != 2 || arg_dev(w[1], &dev_id) != 0 ||
			(st = testdev_get(dev_id)) == NULL) {
		say("err usage");
		return;
	}
	/*
	 * The library calls the hooks with its group lock held, from the
	 * event thread too. A call that takes that lock (a lookup in group
	 * -1, of which nobody is a member) orders the reads after every hook
	 * call made so far; another one after them, before every later one.
	 */
	rte_dma_access_pair_group_handler_get(dev_id, -1, own_domain, &h);
	snap = *st;
	rte_dma_access_pair_group_handler_get(dev_id, -1, own_domain, &h);
	say("ok attach=%u detach=%u left=%u group=%d handler=%u left_handler=%u",
		snap.attach_calls, snap.detach_calls, snap.member_left_calls,
		snap.last_group, snap.attached_handler, snap.left_handler);
}

static void
cmd_react(char **w, unsigned int n)
{
	static const char *const names[] = {
		[REACT_NOTHING] = "none",
		[REACT_DESTROY] = "destroy",
		[REACT_LEAVE] = "leave",
	};
	unsigned int i;

	for (i = 0; n == 2 && i < RTE_DIM(names); i++) {
		if (strcmp(w[1], names[i]) == 0) {
			pthread_mutex_lock(&out_lock);
			cb.react = (enum reaction)i;
			pthread_mutex_unlock(&out_lock);
			say("ok");
			return;
		}
	}
	say("err usage");
}

static void
cmd_cbinfo(void)
{
	unsigned int calls;
	char thread[16];
	int ret;

	pthread_mutex_lock(&out_lock);
	calls = cb.calls;
	ret = cb.react_ret;
	snprintf(thread, sizeof(thread), "%s", cb.calls > 0 ? cb.thread : "-");
	pthread_mutex_unlock(&out_lock);
	say("ok calls=%u thread=%s react=%d", calls, thread, ret);
}

/* Split @line in place into at most MAX_WORDS words. */
static unsigned int
split(char *line, char **w)
{
	unsigned int n = 0;
	char *save = NULL, *tok;

	for (tok = strtok_r(line, " \t\r\n", &save); tok != NULL;
			tok = strtok_r(NULL, " \t\r\n", &save)) {
		if (n == MAX_WORDS)
			return MAX_WORDS + 1;
		w[n++] = tok;
	}
	return n;
}

/* Run one command line; false once the peer is to quit. */
static bool
run(char *line)
{
	char *w[MAX_WORDS];
	char text[37];
	unsigned int n = split(line, w);

	if (n == 0 || n > MAX_WORDS) {
		say("err usage");
	} else if (strcmp(w[0], "domain") == 0 && n == 1) {
		rte_uuid_unparse(own_domain, text, sizeof(text));
		say("ok %s", text);
	} else if (strcmp(w[0], "create") == 0) {
		cmd_create(w, n);
	} else if (strcmp(w[0], "join") == 0) {
		cmd_join(w, n);
	} else if (strcmp(w[0], "leave") == 0) {
		cmd_end(w, n, false);
	} else if (strcmp(w[0], "destroy") == 0) {
		cmd_end(w, n, true);
	} else if (strcmp(w[0], "handler") == 0) {
		cmd_handler(w, n);
	} else if (strcmp(w[0], "handlers") == 0) {
		cmd_handlers(w, n);
	} else if (strcmp(w[0], "hooks") == 0) {
		cmd_hooks(w, n);
	} else if (strcmp(w[0], "react") == 0) {
		cmd_react(w, n);
	} else if (strcmp(w[0], "cbinfo") == 0 && n == 1) {
		cmd_cbinfo();
	} else if (strcmp(w[0], "quit") == 0 && n == 1) {
		return false;
	} else {
		say("err usage");
	}
	return true;
}

int
main(void)
{
	char line[LINE_MAX_LEN];
	char text[37];
	unsigned int i;
	int ret;

	ret = test_eal_init("accesspeer", vdevs, RTE_DIM(vdevs));
	if (ret == 0)
		ret = rte_dma_domain_id_get(own_domain);
	for (i = 0; ret == 0 && i < RTE_DIM(dev_names); i++) {
		ret = rte_dma_get_dev_id_by_name(dev_names[i].name);
		if (ret >= 0) {
			dev_ids[i] = (int16_t)ret;
			ret = 0;
		}
	}
	if (ret != 0) {
		say("fail %d", ret);
		return EXIT_FAILURE;
	}
	rte_uuid_unparse(own_domain, text, sizeof(text));
	say("ready %s", text);

	while (fgets(line, sizeof(line), stdin) != NULL && run(line))
		;
	say("ok");
	test_eal_fini();
	return EXIT_SUCCESS;
}
