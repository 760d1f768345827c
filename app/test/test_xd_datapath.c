/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-dma-xd authors
 */

/*
 * Multi-process tests of the inter-domain datapath: real process domains
 * (test_xd_peer, one EAL process each with an inline and an lcore
 * dma_xd_skeleton device, driven line by line over pipes), joined in
 * access pair groups through the embedded broker of the group's creator,
 * copying into and out of each other's registered memory.
 *
 * Error paths first: registration errors, vchan set-up with handlers the
 * device cannot reach, 100,000 operations at random ranges against a
 * known window layout (each status predicted, guard bytes and data
 * checked by the owner), a peer that leaves, memory unregistered under a
 * stream, a peer killed with -9 in the middle of two streams, memfds that
 * a peer tries to shrink. Then what works: copies of every size both
 * ways on both engines, windows placed at the owner's address or, where
 * that is taken, elsewhere without disturbing what is there, copies
 * between two other processes, scatter-gather and
 * fill, and a peer in its own user, pid, mount, ipc, network and uts
 * namespaces (an OS domain).
 *
 * This program has no EAL of its own. It finds the peer in XD_PEER (meson
 * sets it). XD_SEED fixes the seed of the random operations (printed by
 * each run) to repeat a run; XD_TEST runs only the tests whose names
 * match it (a cmocka filter, e.g. "test_random").
 *
 * Each test has its own directory (broker socket), token, processes and
 * EAL file prefixes: the tests run in parallel with anything. The per-test
 * teardown ends every process it started, also when the test failed; the
 * group teardown repeats it for a test whose teardown could not run.
 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <limits.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include <uuid/uuid.h>

#include "test_huge.h"
#include "test_proc.h"

#define EXIT_SKIP 77
#define DIM(a) (sizeof(a) / sizeof((a)[0]))
#define MAX_PEERS 4
#define KIB 1024u
#define MIB (1024u * 1024u)

/* Longest wait for an answer: above the library's 5 s broker timeout. */
#define REPLY_MS 10000
/* EAL start-up of a peer. */
#define START_MS 15000
/* The random run: 100,000 operations and their checks. */
#define RANDOM_MS 60000
/* A group event that is due. */
#define EVENT_MS 3000
/* How long a peer gets to exit cleanly. */
#define EXIT_MS 3000

/*
 * The driver under test (XD_DRIVER, passed on to the peers), and what its
 * class allows: the same cases run against each; where a class forbids a
 * configuration, the case checks that it is refused.
 */
struct drv_class {
	const char *name;
	bool paired; /* Class A: own domain at one end, one peer's at the other */
	bool os;     /* RTE_DMA_CAPA_INTER_OS_DOMAIN */
	bool grants; /* Class B: memory through grants only, never groups */
	bool stacked; /* over DPDK's dma_skeleton */
};

static const struct drv_class drv_classes[] = {
	{ "skeleton", false, true, false, false },
	{ "skeleton-stacked", false, true, false, true },
	{ "cnxk", true, false, false, false },
	{ "cnxk-stacked", true, false, false, true },
	{ "idxd", false, true, true, false },
	{ "idxd-stacked", false, true, true, true },
};
static const struct drv_class *drv = &drv_classes[0];

#define RANDOM_OPS 100000
/* The streams: blocks of a window, ops to wait for before and after. */
#define STREAM_NBLK 256
#define STREAM_BS 4096
#define STREAM_OPS 4096
/* Windows added and removed under a stream. */
#define CHURN_ROUNDS 100

/* Host name of the OS-domain peer: proves its uts namespace. */
#define NS_HOST "xd-os-domain"

struct peer {
	struct test_proc proc;
	char domain[37];
};

struct fixture {
	struct test_huge huge;   /* hugetlbfs of a secondary case */
	char prefix[48];         /* its primary's EAL file prefix */
	char dir[64];
	char sock[128];
	char token[37];
	char dev;            /* the engine under test: 'i' or 'l' */
	struct peer peers[MAX_PEERS];
};

/* The engine a parametrised test runs on (cmocka's initial state). */
struct engine {
	char dev;
};

static const struct engine inline_engine = { 'i' };
static const struct engine lcore_engine = { 'l' };

/* The fixture of the running test, for the group teardown. */
static struct fixture *live;

/* ---- peers ------------------------------------------------------------ */

static const char *
peer_path(void)
{
	return getenv("XD_PEER");
}

static struct peer *
peer_slot(struct fixture *f)
{
	unsigned int i;

	for (i = 0; i < MAX_PEERS; i++)
		if (!f->peers[i].proc.used)
			return &f->peers[i];
	fail_msg("more than %u peers", MAX_PEERS);
	return NULL;
}

/*
 * Start a peer and wait for "ready DOMAIN". With @hook, the child runs it
 * before exec; a hook that cannot do its job prints "nons WHAT ERRNO"
 * instead of exec'ing: then NULL is returned and @why says what failed.
 */
static struct peer *
peer_spawn_env(struct fixture *f, const char *name, void (*hook)(void *),
		char *why, size_t why_size, const char *const *eal_env)
{
	char sock_env[160];
	const char *env[8] = {
		sock_env,
		"RTE_DMA_ACCESS_BROKER",   /* auto: the creator embeds one */
		"RTE_DMA_DOMAIN_ID",       /* a random domain id each */
	};
	const struct test_proc_opts o = {
		.with_stdin = true,
		.env = env,
		.child_hook = hook,
	};
	char *argv[] = {
		(char *)(uintptr_t)peer_path(), (char *)(uintptr_t)"xdpeer",
		NULL,
	};
	char line[TEST_PROC_LINE];
	struct peer *pe = peer_slot(f);
	unsigned int i, n = 3;
	int ret;

	/* EAL's hugepage and process-type settings (test_eal.h), if any. */
	for (i = 0; eal_env != NULL && eal_env[i] != NULL && n < 7; i++)
		env[n++] = eal_env[i];
	env[n] = NULL;
	snprintf(sock_env, sizeof(sock_env), "RTE_DMA_ACCESS_SOCKET=%s",
		f->sock);
	ret = test_proc_spawn(&pe->proc, name, argv, &o);
	if (ret != 0)
		fail_msg("cannot start peer %s: %s", name, strerror(-ret));
	ret = test_proc_read_line(&pe->proc, line, sizeof(line),
		test_proc_now_ns() + START_MS * 1000000ull);
	if (ret == 0 && strncmp(line, "nons ", 5) == 0 && why != NULL) {
		snprintf(why, why_size, "%s", line + 5);
		return NULL;
	}
	if (ret != 0 || strncmp(line, "ready ", 6) != 0 ||
			strlen(line + 6) != 36)
		fail_msg("peer %s did not start: %s", name,
			ret != 0 ? strerror(-ret) : line);
	snprintf(pe->domain, sizeof(pe->domain), "%s", line + 6);
	return pe;
}

static struct peer *
peer_spawn(struct fixture *f, const char *name, void (*hook)(void *),
		char *why, size_t why_size)
{
	return peer_spawn_env(f, name, hook, why, why_size, NULL);
}

static struct peer *
peer_start(struct fixture *f, const char *name)
{
	return peer_spawn(f, name, NULL, NULL, 0);
}

static const char * __attribute__((format(printf, 3, 4)))
peer_ok(struct peer *pe, char reply[TEST_PROC_LINE], const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	test_proc_vpost(&pe->proc, fmt, ap);
	va_end(ap);
	return test_proc_wait_ok(&pe->proc, reply, REPLY_MS);
}

static void __attribute__((format(printf, 3, 4)))
peer_err(struct peer *pe, int want, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	test_proc_vpost(&pe->proc, fmt, ap);
	va_end(ap);
	test_proc_wait_err(&pe->proc, want, REPLY_MS);
}

/* A command whose answer is "ok NUMBER". */
static uint64_t __attribute__((format(printf, 2, 3)))
peer_num(struct peer *pe, const char *fmt, ...)
{
	char reply[TEST_PROC_LINE];
	const char *s;
	char *end;
	uint64_t v;
	va_list ap;

	va_start(ap, fmt);
	test_proc_vpost(&pe->proc, fmt, ap);
	va_end(ap);
	s = test_proc_wait_ok(&pe->proc, reply, REPLY_MS);
	v = strtoull(s, &end, 0);
	if (end == s || (*end != '\0' && *end != ' '))
		fail_msg("%s: '%s' -> '%s', expected a number", pe->proc.name,
			pe->proc.cmd, reply);
	return v;
}

/* An operation that must complete with status @want. */
static void __attribute__((format(printf, 3, 4)))
peer_status(struct peer *pe, const char *want, const char *fmt, ...)
{
	char reply[TEST_PROC_LINE];
	const char *s;
	va_list ap;

	va_start(ap, fmt);
	test_proc_vpost(&pe->proc, fmt, ap);
	va_end(ap);
	s = test_proc_wait_ok(&pe->proc, reply, REPLY_MS);
	if (strcmp(s, want) != 0)
		fail_msg("%s: '%s' completed %s, expected %s", pe->proc.name,
			pe->proc.cmd, s, want);
}

/*
 * Start @pe's stream of stamped blocks (see test_xd_peer "bg start") into
 * @dst on vchan 0 of @dev, and wait until @first ops completed.
 */
static void
stream_start(struct peer *pe, char dev, uint64_t dst, uint64_t seed,
		uint64_t first)
{
	char reply[TEST_PROC_LINE];

	peer_ok(pe, reply, "bg start %c %#" PRIx64 " %u %u %" PRIu64, dev, dst,
		STREAM_NBLK, STREAM_BS, seed);
	peer_num(pe, "bg wait %" PRIu64, first);
}

/*
 * End @pe's stream once @more ops enqueued from now on have completed;
 * its summary ("ops=.. ok=.. ...") into @res, and printed.
 */
static void
stream_end(struct peer *pe, uint64_t more, char res[TEST_PROC_LINE])
{
	char reply[TEST_PROC_LINE];
	uint64_t mark = peer_num(pe, "bg mark");

	peer_num(pe, "bg wait %" PRIu64, mark + more);
	snprintf(res, TEST_PROC_LINE, "%s", peer_ok(pe, reply, "bg stop"));
	print_message("%s's stream: %s\n", pe->proc.name, res);
}

/*
 * A copy of @len bytes from @src to @dst on vchan 0 of @dev, repeated
 * until it completes with DEV_LINK_ERROR (within EVENT_MS): the grantee
 * learns that a grant is gone asynchronously, and until then a copy may
 * only fail with @meanwhile (or, when NULL, not at all).
 */
static void
copy_until_link_error(struct peer *pe, char dev, uint64_t src, uint64_t dst,
		const char *meanwhile)
{
	uint64_t deadline = test_proc_now_ns() + EVENT_MS * 1000000ull;
	char reply[TEST_PROC_LINE];
	const char *s;

	for (;;) {
		test_proc_post(&pe->proc, "copy %c 0 %#" PRIx64 " %#" PRIx64 " 64",
			dev, src, dst);
		s = test_proc_wait_ok(&pe->proc, reply, REPLY_MS);
		if (strcmp(s, "DEV_LINK_ERROR") == 0)
			return;
		if (meanwhile == NULL || strcmp(s, meanwhile) != 0)
			fail_msg("%s: copy completed %s, expected DEV_LINK_ERROR%s%s",
				pe->proc.name, s, meanwhile ? " or " : "",
				meanwhile ? meanwhile : "");
		if (test_proc_now_ns() > deadline)
			fail_msg("%s: no DEV_LINK_ERROR within %u ms",
				pe->proc.name, EVENT_MS);
		sched_yield();
	}
}

/*
 * The event that a grant of @owner's is gone: a GROUP_DESTROYED from the
 * owner's domain, of the broker's group for the grant (whose id the test
 * does not know).
 */
static void
expect_grant_gone(struct peer *pe, const char *owner)
{
	char line[TEST_PROC_LINE], tail[TEST_PROC_LINE];
	size_t n, tl;
	int ret;

	snprintf(tail, sizeof(tail), " %s GROUP_DESTROYED", owner);
	tl = strlen(tail);
	ret = test_proc_async(&pe->proc, line, EVENT_MS);
	if (ret != 0)
		fail_msg("%s: no event within %u ms (%s), want a grant of %s gone",
			pe->proc.name, EVENT_MS, strerror(-ret), owner);
	n = strlen(line);
	if (strncmp(line, "event ", 6) != 0 || n < tl ||
			strcmp(line + n - tl, tail) != 0)
		fail_msg("%s: unexpected '%s', want a grant of %s gone",
			pe->proc.name, line, owner);
}

/* The text after "KEY=" in an answer of "KEY=VALUE" words. */
static const char *
kv_text(const char *reply, const char *key)
{
	size_t kl = strlen(key);
	const char *s = reply;

	while ((s = strstr(s, key)) != NULL) {
		if ((s == reply || s[-1] == ' ') && s[kl] == '=')
			return s + kl + 1;
		s += kl;
	}
	fail_msg("no %s= in '%s'", key, reply);
	return NULL;
}

static uint64_t
kv(const char *reply, const char *key)
{
	return strtoull(kv_text(reply, key), NULL, 0);
}

/*
 * Whether device @dev of peer @pe has copy_sg and fill. A stacked device
 * offers what its engine device does: DPDK 22.11's dma_skeleton has
 * neither, 25.11's has both.
 */
static bool
sg_fill_capable(struct peer *pe, char dev)
{
	char reply[TEST_PROC_LINE];
	const char *res = peer_ok(pe, reply, "capa %c", dev);

	return kv(res, "sg") == 1 && kv(res, "fill") == 1;
}

/*
 * The status a copy_sg or fill that would end in @want gets on device @dev
 * of @pe: a device without the ops says so, and touches nothing.
 */
static const char *
sg_fill_status(struct peer *pe, char dev, const char *want)
{
	return sg_fill_capable(pe, dev) ? want : "INVALID_OPCODE";
}

static int64_t
kv_signed(const char *reply, const char *key)
{
	return strtoll(kv_text(reply, key), NULL, 10);
}

/* ---- groups, memory --------------------------------------------------- */

static int
group_create(struct fixture *f, struct peer *pe, char dev)
{
	uint64_t gid = peer_num(pe, "create %c %s", dev, f->token);

	assert_in_range(gid, 0, INT16_MAX);
	return (int)gid;
}

static void
group_join(struct fixture *f, struct peer *pe, char dev, int gid)
{
	char reply[TEST_PROC_LINE];

	peer_ok(pe, reply, "join %c %s %d", dev, f->token, gid);
}

/*
 * Handler of @of in group @gid, as @pe sees it. Also the call after
 * which @pe has every window @of registered before it.
 */
static unsigned int
handler_of(struct peer *pe, char dev, int gid, const struct peer *of)
{
	uint64_t h = peer_num(pe, "handler %c %d %s", dev, gid, of->domain);

	if (h == 0 || h > UINT16_MAX)
		fail_msg("%s: handler %" PRIu64 " of %s", pe->proc.name, h,
			of->proc.name);
	return (unsigned int)h;
}

static uint64_t
mem_alloc(struct peer *pe, const char *name, uint64_t len, const char *perm)
{
	return peer_num(pe, "alloc %s %" PRIu64 " %s", name, len, perm);
}

static uint64_t
mem_mfd(struct peer *pe, const char *name, uint64_t size, const char *seals)
{
	return peer_num(pe, "mfd %s %" PRIu64 " %s", name, size, seals);
}

/* Wait for events of @pe: each of @types (NULL-terminated), any order. */
static void
expect_events(struct peer *pe, int gid[], const char *domain,
		const char *const types[])
{
	char line[TEST_PROC_LINE], want[TEST_PROC_LINE];
	bool seen[4] = { false };
	unsigned int n = 0, i, got = 0;
	int ret;

	while (types[n] != NULL)
		n++;
	assert_true(n <= DIM(seen));
	while (got < n) {
		ret = test_proc_async(&pe->proc, line, EVENT_MS);
		if (ret != 0)
			fail_msg("%s: %u of %u events within %u ms (%s), the first missing: %s of group %d",
				pe->proc.name, got, n, EVENT_MS, strerror(-ret),
				types[got], gid[got]);
		for (i = 0; i < n; i++) {
			snprintf(want, sizeof(want), "event %d %s %s", gid[i],
				domain, types[i]);
			if (!seen[i] && strcmp(line, want) == 0)
				break;
		}
		if (i == n)
			fail_msg("%s: unexpected '%s'", pe->proc.name, line);
		seen[i] = true;
		got++;
	}
}

static void
expect_event(struct peer *pe, int gid, const char *domain, const char *type)
{
	const char *const types[] = { type, NULL };
	int gids[] = { gid };

	expect_events(pe, gids, domain, types);
}

/* "quit": the peer must exit cleanly (no SIGBUS, no crash at exit). */
static void
peer_quit(struct peer *pe)
{
	uint64_t deadline = test_proc_now_ns() + EXIT_MS * 1000000ull;
	char reply[TEST_PROC_LINE];

	peer_ok(pe, reply, "quit");
	while (!test_proc_reaped(&pe->proc, false) &&
			test_proc_now_ns() < deadline)
		sched_yield();
	if (pe->proc.pid != 0)
		fail_msg("%s did not exit within %u ms of quit", pe->proc.name,
			EXIT_MS);
	if (!WIFEXITED(pe->proc.status) || WEXITSTATUS(pe->proc.status) != 0)
		fail_msg("%s ended with status %#x", pe->proc.name,
			pe->proc.status);
}

static uint64_t
test_seed(void)
{
	const char *s = getenv("XD_SEED");
	uint64_t seed = s != NULL ? strtoull(s, NULL, 0) : test_proc_now_ns();

	print_message("seed %#" PRIx64 " (XD_SEED=%#" PRIx64 " repeats it)\n",
		seed, seed);
	return seed;
}

/* ---- fixture ---------------------------------------------------------- */

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int
setup(void **state)
{
	const struct engine *e = *state;
	struct fixture *f = calloc(1, sizeof(*f));
	uuid_t u;

	if (f == NULL)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/dxa-xd-XXXXXX");
	if (mkdtemp(f->dir) == NULL) {
		free(f);
		return -1;
	}
	snprintf(f->sock, sizeof(f->sock), "%s/broker.sock", f->dir);
	uuid_generate_random(u);
	uuid_unparse_lower(u, f->token);
	f->dev = e != NULL ? e->dev : 'i';
	live = f;
	*state = f;
	return 0;
}

/*
 * A killed peer leaves its EAL runtime directory, RUNTIME/dpdk/PREFIX
 * (test_eal.c: PREFIX is xdtest-xdpeer-PID): RUNTIME is /var/run for root,
 * else $XDG_RUNTIME_DIR or /tmp. (An OS-domain peer keeps its own in a
 * tmpfs of its mount namespace, gone with it.)
 */
static void
peer_killed(const struct test_proc *p, pid_t pid)
{
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	char path[PATH_MAX];

	(void)p;
	snprintf(path, sizeof(path), "%s/dpdk/xdtest-xdpeer-%d",
		geteuid() == 0 ? "/var/run" : xdg != NULL ? xdg : "/tmp",
		(int)pid);
	nftw(path, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}

/* ---- hugepages, for primary and secondary processes ------------------ */

/* 64 MB for the primary (test_eal.c), and some room. */
#define HUGE_PAGES 48

/*
 * Reserve HUGE_PAGES pages and mount hugetlbfs for a primary and its
 * secondaries. False, with the reason in @why, when this machine cannot:
 * not root, or the kernel has no pages to give.
 */
static bool
huge_setup(struct fixture *f, char *why, size_t len)
{
	if (!test_huge_setup(&f->huge, f->dir, HUGE_PAGES, why, len))
		return false;
	snprintf(f->prefix, sizeof(f->prefix), "xdtest-mp-%d", (int)getpid());
	return true;
}

static void
huge_teardown(struct fixture *f)
{
	char path[PATH_MAX];

	test_huge_teardown(&f->huge);
	/* A primary that died leaves its runtime directory (root: /var/run). */
	if (f->prefix[0] != '\0') {
		snprintf(path, sizeof(path), "/var/run/dpdk/%s", f->prefix);
		nftw(path, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
	}
}

static void
fixture_free(struct fixture *f)
{
	struct test_proc *procs[MAX_PEERS];
	unsigned int i;

	for (i = 0; i < MAX_PEERS; i++)
		procs[i] = &f->peers[i].proc;
	test_proc_end(procs, MAX_PEERS, EXIT_MS, peer_killed);
	huge_teardown(f);
	nftw(f->dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
	free(f);
}

static int
teardown(void **state)
{
	fixture_free(*state);
	live = NULL;
	return 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	if (live != NULL)
		fixture_free(live);
	live = NULL;
	return 0;
}

/* ---- shared steps ----------------------------------------------------- */

/* @a creates a group with @dev, each of @others joins it. */
static int
group_of(struct fixture *f, char dev, struct peer *a, struct peer *others[],
		unsigned int nb)
{
	int gid = group_create(f, a, dev);
	unsigned int i;

	for (i = 0; i < nb; i++)
		group_join(f, others[i], dev, gid);
	return gid;
}

/*
 * Copies of @n bytes both ways between @a's memory and @b's window, on
 * @a's vchans 0 (a -> b) and 1 (b -> a), checked byte for byte by the
 * side that received them; the bytes around each written range must not
 * change. @a_mem and @b_mem are regions of 4 MiB, named A in @a and B in
 * @b: the first half takes writes, reads come from the second.
 */
static void
copy_both_ways(struct peer *a, char dev, uint64_t a_mem, struct peer *b,
		uint64_t b_mem, uint64_t n, uint64_t off, uint64_t seed)
{
	char reply[TEST_PROC_LINE];
	const uint64_t half = 2 * MIB;

	assert_true(off + n + 16 <= half && off >= 16);
	/* a -> b: a's bytes from 0, into b's window at off */
	peer_ok(b, reply, "set B 0 %" PRIu64 " 0", half);
	peer_ok(a, reply, "pat A 0 %" PRIu64 " %" PRIu64, n, seed);
	peer_status(a, "SUCCESSFUL", "copy %c 0 %#" PRIx64 " %#" PRIx64 " %" PRIu64,
		dev, a_mem, b_mem + off, n);
	peer_ok(b, reply, "check B %" PRIu64 " %" PRIu64 " %" PRIu64 " 0",
		off, n, seed);
	peer_ok(b, reply, "same B %" PRIu64 " 16 0", off - 16);
	peer_ok(b, reply, "same B %" PRIu64 " 16 0", off + n);
	/* b -> a: b's second half at off + 1, into a's second half at off */
	peer_ok(a, reply, "set A %" PRIu64 " %" PRIu64 " 0", half, half);
	peer_ok(b, reply, "pat B %" PRIu64 " %" PRIu64 " %" PRIu64,
		half + off + 1, n, seed + 1);
	peer_status(a, "SUCCESSFUL", "copy %c 1 %#" PRIx64 " %#" PRIx64 " %" PRIu64,
		dev, b_mem + half + off + 1, a_mem + half + off, n);
	peer_ok(a, reply, "check A %" PRIu64 " %" PRIu64 " %" PRIu64 " 0",
		half + off, n, seed + 1);
	peer_ok(a, reply, "same A %" PRIu64 " 16 0", half + off - 16);
	peer_ok(a, reply, "same A %" PRIu64 " 16 0", half + off + n);
}

/* Sizes from one byte to 1 MiB, at offsets that are not aligned. */
static const struct {
	uint64_t n;
	uint64_t off;
} copy_sizes[] = {
	{ 1, 16 }, { 17, 4093 }, { 33, 40 }, { 64, 4096 }, { 100, 4095 },
	{ 4096, 8192 }, { 4097, 12289 }, { 65536, 20480 },
	{ 262147, 131073 }, { MIB, 16 },
};

/* ---- 1. registration errors ------------------------------------------- */

/*
 * Every documented error of registration, in one owner; then a peer
 * checks that only what was accepted became a window.
 */
static void
test_reg_errors(void **state)
{
	struct fixture *f = *state;
	struct peer *a = peer_start(f, "A"), *b = peer_start(f, "B");
	char reply[TEST_PROC_LINE];
	uint64_t u, s, g, m, la;
	unsigned int ha, hb;
	int gid = group_of(f, 'i', a, &b, 1);

	/* alloc: length and flags */
	peer_err(b, -EINVAL, "alloc X 0 rw");
	peer_err(b, -EINVAL, "alloc X 4096 0");
	peer_err(b, -EINVAL, "alloc X 4096 0x10");
	/* memfds that could shrink under a peer's mapping */
	u = mem_mfd(b, "U", 16 * KIB, "none");
	peer_err(b, -EPERM, "reg U 0 0 16384 rw");
	peer_err(b, -EPERM, "reg U 0 0 16384 r");
	s = mem_mfd(b, "S", 16 * KIB, "shrink");
	peer_err(b, -EPERM, "reg S 0 0 16384 rw");
	g = mem_mfd(b, "G", 16 * KIB, "grow");
	peer_err(b, -EPERM, "reg G 0 0 16384 rw");
	/* arguments: alignment, length, flags */
	m = mem_mfd(b, "M", 64 * KIB, "both");
	peer_err(b, -EINVAL, "reg M 64 64 4096 rw");
	peer_err(b, -EINVAL, "reg M 4096 100 4096 rw");
	peer_err(b, -EINVAL, "reg M 0 0 0 rw");
	peer_err(b, -EINVAL, "reg M 0 0 4096 0");
	peer_err(b, -EINVAL, "reg M 0 0 4096 0x4"); /* HUGETLB: alloc's only */
	peer_err(b, -EINVAL, "reg M 0 0 4096 0x100");
	/* the descriptor: too small, wrong access mode, wrong kind */
	peer_err(b, -ERANGE, "reg M 0 0 131072 rw");
	peer_err(b, -ERANGE, "reg M 61440 61440 8192 rw");
	peer_err(b, -EACCES, "reg M 0 0 4096 rw ro");
	peer_err(b, -EACCES, "reg M 0 0 4096 w ro");
	peer_err(b, -EBADF, "reg M 0 0 4096 rw pipe");
	/* overlap: equal, inside, across the end; adjacent is fine */
	peer_ok(b, reply, "reg M 0 0 8192 rw");
	peer_err(b, -EEXIST, "reg M 0 0 8192 rw");
	peer_err(b, -EEXIST, "reg M 4096 4096 4096 r");
	peer_err(b, -EEXIST, "reg M 4096 4096 8192 r");
	peer_ok(b, reply, "reg M 8192 8192 4096 r");
	/* a read-only window from a read-only descriptor is fine */
	peer_ok(b, reply, "reg M 16384 16384 4096 r ro");
	/* unregister: unknown, not a start, twice; free of non-alloc'd */
	peer_err(b, -ENOENT, "unreg M 32768");
	peer_err(b, -ENOENT, "unreg M 4096");
	peer_ok(b, reply, "unreg M 8192");
	peer_err(b, -ENOENT, "unreg M 8192");
	peer_err(b, -ENOENT, "unreg U");
	peer_err(b, -ENOENT, "free M");

	/* Only what was accepted is a window for the peer. */
	la = mem_alloc(a, "A", 64 * KIB, "rw");
	ha = handler_of(a, 'i', gid, a);
	hb = handler_of(a, 'i', gid, b);
	peer_ok(a, reply, "setup i 64 process %u %u", ha, hb);
	peer_status(a, "INVALID_DST_ADDR", "copy i 0 %#" PRIx64 " %#" PRIx64 " 64",
		la, u);
	peer_status(a, "INVALID_DST_ADDR", "copy i 0 %#" PRIx64 " %#" PRIx64 " 64",
		la, s);
	peer_status(a, "INVALID_DST_ADDR", "copy i 0 %#" PRIx64 " %#" PRIx64 " 64",
		la, g);
	peer_status(a, "SUCCESSFUL", "copy i 0 %#" PRIx64 " %#" PRIx64 " 64",
		la, m);
	peer_status(a, "INVALID_DST_ADDR", "copy i 0 %#" PRIx64 " %#" PRIx64 " 100",
		la, m + 8100);
	peer_status(a, "INVALID_DST_ADDR", "copy i 0 %#" PRIx64 " %#" PRIx64 " 64",
		la, m + 8192);
	/* the read-only one: readable, not writable */
	peer_status(a, "INVALID_DST_ADDR", "copy i 0 %#" PRIx64 " %#" PRIx64 " 64",
		la, m + 16384);
	peer_ok(a, reply, "setup i 64 process %u %u", hb, ha);
	peer_status(a, "SUCCESSFUL", "copy i 0 %#" PRIx64 " %#" PRIx64 " 64",
		m + 16384, la);
}

/* ---- 1b. one class per group ----------------------------------------- */

/*
 * A group admits only devices of its creator's class: a domain whose
 * device is of another class (x) cannot take part, either way round; with
 * a device of the class it can.
 */
static void
test_class_mismatch(void **state)
{
	struct fixture *f = *state;
	struct peer *a = peer_start(f, "A"), *b = peer_start(f, "B");
	char reply[TEST_PROC_LINE];
	int g1, g2;

	g1 = group_create(f, a, 'i');
	peer_err(b, -EXDEV, "join x %s %d", f->token, g1);
	g2 = group_create(f, b, 'x');
	peer_err(a, -EXDEV, "join i %s %d", f->token, g2);
	peer_err(a, -EXDEV, "join l %s %d", f->token, g2);
	/* refused, nothing was joined: the right device still can */
	peer_err(a, -ENOENT, "handler i %d %s", g2, b->domain);
	group_join(f, b, 'i', g1);
	group_join(f, a, 'x', g2);
	assert_int_not_equal(handler_of(a, 'i', g1, b), 0);
	assert_int_not_equal(handler_of(b, 'x', g2, a), 0);
	peer_ok(b, reply, "leave i %d", g1);
	peer_ok(a, reply, "leave x %d", g2);
}

/* ---- 1c. Class B grants ------------------------------------------------ */

/* A grant of @owner's region @name [off, off + len) to @to. */
static unsigned int
grant_to(struct fixture *f, struct peer *owner, const struct peer *to,
		const char *name, uint64_t off, uint64_t len, const char *perm)
{
	uint64_t h = peer_num(owner, "grant %s %s %s %" PRIu64 " %" PRIu64 " %s",
		f->token, to->domain, name, off, len, perm);

	if (h == 0 || h > UINT16_MAX)
		fail_msg("%s: grant handler %" PRIu64, owner->proc.name, h);
	return (unsigned int)h;
}

/* @pe attaches grant @h to @dev: its own handler. */
static unsigned int
attach(struct fixture *f, struct peer *pe, char dev, unsigned int h)
{
	uint64_t own = peer_num(pe, "attach %c %s %u", dev, f->token, h);

	if (own == 0 || own > UINT16_MAX)
		fail_msg("%s: own handler %" PRIu64, pe->proc.name, own);
	return (unsigned int)own;
}

/*
 * "dpdk-dma-access grant list" (asking the embedded broker, as root) shows
 * grant @h: its owner, grantee, size, access and whether it is attached,
 * and no secret.
 */
static void
grant_listed(struct fixture *f, unsigned int h, const struct peer *owner,
		const struct peer *grantee, uint64_t len, const char *perm,
		bool attached)
{
	const char *tool = getenv("XD_ACCESS");
	char cmd[512], out[8192] = "", want[512], entry[1024];
	const char *e;
	size_t n = 0;
	FILE *p;
	int st;

	if (tool == NULL)
		fail_msg("XD_ACCESS is not set (meson sets it)");
	snprintf(cmd, sizeof(cmd), "'%s' --socket '%s' --json grant list",
		tool, f->sock);
	p = popen(cmd, "r");
	assert_non_null(p);
	while (n < sizeof(out) - 1 &&
			fgets(out + n, (int)(sizeof(out) - n), p) != NULL)
		n += strlen(out + n);
	st = pclose(p);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		fail_msg("%s: status %#x, output: %s", cmd, st, out);
	snprintf(want, sizeof(want), "{\"handler\": %u, \"owner\": \"%s\", \"owner_pid\": %d, ",
		h, owner->domain, (int)owner->proc.pid);
	e = strstr(out, want);
	if (e == NULL)
		fail_msg("no '%s' in: %s", want, out);
	/* The rest of that same entry (one line each). */
	snprintf(entry, sizeof(entry), "%.*s", (int)strcspn(e, "\n"), e);
	snprintf(want, sizeof(want), "\"grantee\": \"%s\", \"bytes\": %" PRIu64 ", \"perm\": \"%s\", \"attached\": %s}",
		grantee->domain, len, perm, attached ? "true" : "false");
	if (strstr(entry, want) == NULL)
		fail_msg("grant %u is not '%s': %s", h, want, entry);
	if (strstr(out, f->token) != NULL)
		fail_msg("grant list shows the token: %s", out);
}

/*
 * Every refusal of the grant calls, in the owner and in initiators, and
 * that a Class B device takes part in no group.
 */
static void
test_grant_errors(void **state)
{
	static const char nil[] = "00000000-0000-0000-0000-000000000000";
	struct fixture *f = *state;
	struct peer *a = peer_start(f, "A"), *b = peer_start(f, "B"),
		*c = peer_start(f, "C");
	char reply[TEST_PROC_LINE], other[37];
	unsigned int h, hr;
	uuid_t u;

	uuid_generate_random(u);
	uuid_unparse_lower(u, other);
	mem_alloc(b, "B", 64 * KIB, "rw");
	mem_alloc(b, "R", 4096, "r");
	/* the owner's arguments */
	peer_err(b, -EINVAL, "grant %s %s B 0 %u rw", f->token, nil, 64 * KIB);
	peer_err(b, -EINVAL, "grant %s %s B 0 %u rw", f->token, b->domain,
		64 * KIB);
	peer_err(b, -EINVAL, "grant %s %s B 100 4096 rw", f->token, a->domain);
	peer_err(b, -EINVAL, "grant %s %s B 0 0 rw", f->token, a->domain);
	peer_err(b, -EINVAL, "grant %s %s B 0 %u 0", f->token, a->domain,
		64 * KIB);
	peer_err(b, -ENOENT, "grant %s %s B 4096 %u rw", f->token, a->domain,
		64 * KIB);
	peer_err(b, -EACCES, "grant %s %s R 0 4096 rw", f->token, a->domain);
	/* a grant is a whole file: the grantee's kernel could map the rest */
	peer_err(b, -EINVAL, "grant %s %s B 4096 4096 rw", f->token, a->domain);
	peer_err(b, -EINVAL, "grant %s %s B 0 %u rw", f->token, a->domain,
		32 * KIB);
	h = grant_to(f, b, a, "B", 0, 64 * KIB, "rw");
	hr = grant_to(f, b, a, "R", 0, 4096, "r");
	assert_int_not_equal(h, hr);
	grant_listed(f, h, b, a, 64 * KIB, "rw", false);
	/* granted memory stays registered until its grants are revoked */
	peer_err(b, -EBUSY, "unreg B");

	/* the initiators */
	peer_err(a, -EINVAL, "attach i %s 0", f->token);
	peer_err(a, -ENOENT, "attach i %s %u", f->token, 0xfff0);
	peer_err(a, -EACCES, "attach i %s %u", other, h);
	peer_err(c, -EACCES, "attach i %s %u", f->token, h);
	peer_err(a, -EXDEV, "attach x %s %u", f->token, h);
	attach(f, a, 'i', h);
	grant_listed(f, h, b, a, 64 * KIB, "rw", true);
	grant_listed(f, hr, b, a, 4096, "r", false);
	peer_err(a, -EEXIST, "attach l %s %u", f->token, h);
	peer_err(a, -ENOENT, "detach l %u", h);
	peer_err(a, -ENOENT, "revoke %u", h);
	peer_err(c, -ENOENT, "revoke %u", h);
	/* a Class B device is in no group; grants are no groups to join */
	peer_err(a, -ENOTSUP, "create i %s", f->token);
	peer_err(a, -ENOTSUP, "join i %s 0", f->token);
	peer_ok(b, reply, "revoke %u", h);
	peer_err(b, -ENOENT, "revoke %u", h);
	peer_err(a, -ENOENT, "attach l %s %u", f->token, h);
	peer_ok(b, reply, "revoke %u", hr);
	peer_ok(b, reply, "unreg B");
}

/*
 * A grant reaches its window and nothing else of the owner's memory, with
 * the permissions it gives, both ways, on both engines. (A read-only grant
 * of read-write memory travels as a read-only descriptor.)
 */
static void
test_grant_copy(void **state)
{
	struct fixture *f = *state;
	const char dev = f->dev;
	struct peer *a = peer_start(f, "A"), *b = peer_start(f, "B");
	char reply[TEST_PROC_LINE];
	unsigned int h, hr, own, ownr;
	uint64_t wb, wr, wo, la;

	/* B's G for writing, R for reading only, O not granted at all */
	wb = mem_alloc(b, "G", 256 * KIB, "rw");
	wr = mem_alloc(b, "R", 4096, "rw");
	wo = mem_alloc(b, "O", 64 * KIB, "rw");
	peer_ok(b, reply, "set G 0 %u 0", 256 * KIB);
	peer_ok(b, reply, "set O 0 %u 0", 64 * KIB);
	peer_ok(b, reply, "pat R 0 4096 91");
	h = grant_to(f, b, a, "G", 0, 256 * KIB, "w");
	hr = grant_to(f, b, a, "R", 0, 4096, "r");
	own = attach(f, a, dev, h);
	la = mem_alloc(a, "A", 64 * KIB, "rw");
	peer_ok(a, reply, "setup %c 64 process %u %u", dev, own, h);
	peer_ok(a, reply, "pat A 0 8192 17");
	peer_status(a, "SUCCESSFUL", "copy %c 0 %#" PRIx64 " %#" PRIx64 " 8192",
		dev, la, wb);
	peer_ok(b, reply, "check G 0 8192 17 0");
	peer_status(a, "SUCCESSFUL", "copy %c 0 %#" PRIx64 " %#" PRIx64 " 4096",
		dev, la, wb + 256 * KIB - 4096);
	peer_status(a, sg_fill_status(a, dev, "SUCCESSFUL"),
		"sg %c 0 %#" PRIx64 ":1000,%#" PRIx64 ":3000 %#" PRIx64 ":4000",
		dev, la, la + 4096, wb + 100 * KIB);
	peer_status(a, sg_fill_status(a, dev, "SUCCESSFUL"),
		"fill %c 0 0x0102030405060708 %#" PRIx64 " 777", dev,
		wb + 200 * KIB);
	if (sg_fill_capable(a, dev)) {
		peer_ok(b, reply, "check G %u 1000 17 0", 100 * KIB);
		peer_ok(b, reply, "check G %u 3000 17 4096",
			100 * KIB + 1000);
		peer_ok(b, reply, "fillchk G %u 777 0x0102030405060708",
			200 * KIB);
	}
	/* nothing else of B's is in reach: past the grant, or not granted */
	peer_status(a, "INVALID_DST_ADDR", "copy %c 0 %#" PRIx64 " %#" PRIx64 " 64",
		dev, la, wb - 32);
	peer_status(a, "INVALID_DST_ADDR", "copy %c 0 %#" PRIx64 " %#" PRIx64 " 64",
		dev, la, wb + 256 * KIB - 32);
	peer_status(a, "INVALID_DST_ADDR", "copy %c 0 %#" PRIx64 " %#" PRIx64 " 64",
		dev, la, wo);
	peer_ok(b, reply, "same O 0 %u 0", 64 * KIB);
	peer_ok(b, reply, "same G %u %u 0", 8192, 100 * KIB - 8192);
	/* a write grant is no read grant */
	peer_ok(a, reply, "setup %c 64 process %u %u", dev, h, own);
	peer_status(a, "INVALID_SRC_ADDR", "copy %c 0 %#" PRIx64 " %#" PRIx64 " 64",
		dev, wb, la);

	/* the read-only grant, through the other engine's device */
	ownr = attach(f, a, dev == 'i' ? 'l' : 'i', hr);
	peer_ok(a, reply, "setup %c 64 process %u %u process %u %u",
		dev == 'i' ? 'l' : 'i', hr, ownr, ownr, hr);
	peer_status(a, "SUCCESSFUL", "copy %c 0 %#" PRIx64 " %#" PRIx64 " 4096",
		dev == 'i' ? 'l' : 'i', wr, la + 16 * KIB);
	peer_ok(a, reply, "check A %u 4096 91 0", 16 * KIB);
	peer_status(a, "INVALID_DST_ADDR", "copy %c 1 %#" PRIx64 " %#" PRIx64 " 64",
		dev == 'i' ? 'l' : 'i', la, wr);
	peer_ok(b, reply, "check R 0 4096 91 0");
}

/*
 * @owner grants @to all of its region @name (@len bytes) read-write, and
 * @to attaches it to @dev and makes it the destination of vchan 0 there:
 * the grant.
 */
static unsigned int
grant_as_dst(struct fixture *f, struct peer *owner, struct peer *to, char dev,
		const char *name, uint64_t len)
{
	unsigned int h = grant_to(f, owner, to, name, 0, len, "rw");
	unsigned int own = attach(f, to, dev, h);
	char reply[TEST_PROC_LINE];

	peer_ok(to, reply, "setup %c 64 process %u %u", dev, own, h);
	return h;
}

/*
 * The owner revokes a grant under a stream: the revoke returns once no
 * operation of the grantee can write the window, so nothing lands after
 * it; the grantee's later operations fail; a new grant works.
 */
static void
test_grant_revoke(void **state)
{
	struct fixture *f = *state;
	const char dev = f->dev;
	struct peer *a = peer_start(f, "A"), *b = peer_start(f, "B");
	const unsigned int len = STREAM_NBLK * STREAM_BS;
	char reply[TEST_PROC_LINE], res[TEST_PROC_LINE];
	uint64_t seed = test_seed(), wb, la;
	unsigned int h, own;

	wb = mem_alloc(b, "W", len, "rw");
	la = mem_alloc(a, "A", 4 * KIB, "rw");
	h = grant_as_dst(f, b, a, dev, "W", len);

	stream_start(a, dev, wb, seed, STREAM_OPS);
	peer_ok(b, reply, "revoke %u", h);
	peer_ok(b, reply, "set W 0 %u 0x5a", len);
	stream_end(a, STREAM_OPS, res);
	if (kv(res, "ok") < STREAM_OPS || kv(res, "ok_after_mark") != 0 ||
			kv(res, "dst") + kv(res, "link") < STREAM_OPS ||
			kv(res, "src") + kv(res, "other") != 0 ||
			kv_signed(res, "last_ok") >= kv_signed(res, "first_fail"))
		fail_msg("A's stream into the revoked grant: %s (want: successes, then only INVALID_DST_ADDR or DEV_LINK_ERROR)",
			res);
	/* Nothing landed after the revoke returned. */
	peer_ok(b, reply, "same W 0 %u 0x5a", len);
	/* The grantee learns the grant is gone; its device keeps working. */
	expect_grant_gone(a, b->domain);
	copy_until_link_error(a, dev, la, wb, NULL);
	peer_err(a, -ENOENT, "detach %c %u", dev, h);
	peer_ok(b, reply, "same W 0 %u 0x5a", len);

	/* A new grant of the same memory works. */
	h = grant_as_dst(f, b, a, dev, "W", len);
	peer_ok(a, reply, "pat A 0 64 3");
	peer_status(a, "SUCCESSFUL", "copy %c 0 %#" PRIx64 " %#" PRIx64 " 64",
		dev, la, wb + 4096);
	peer_ok(b, reply, "check W 4096 64 3 0");
	/* detached: the grantee's operations fail; attached again, work */
	peer_ok(a, reply, "detach %c %u", dev, h);
	peer_status(a, "DEV_LINK_ERROR", "copy %c 0 %#" PRIx64 " %#" PRIx64 " 64",
		dev, la, wb + 4096);
	own = attach(f, a, dev, h);
	peer_ok(a, reply, "setup %c 64 process %u %u", dev, own, h);
	peer_status(a, "SUCCESSFUL", "copy %c 0 %#" PRIx64 " %#" PRIx64 " 64",
		dev, la, wb + 8192);
	peer_ok(b, reply, "check W 8192 64 3 0");
}

/*
 * Whether every thread of process @pid is stopped: SIGSTOP takes effect in
 * each thread when it next runs, which a busy machine may delay.
 */
static bool
all_stopped(pid_t pid)
{
	char path[PATH_MAX], stat[512];
	struct dirent *e;
	bool all = true;
	const char *p;
	DIR *d;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	d = opendir(path);
	if (d == NULL)
		return false;
	while (all && (e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%s/stat", (int)pid,
			e->d_name);
		f = fopen(path, "re");
		if (f == NULL || fgets(stat, sizeof(stat), f) == NULL) {
			all = false;
		} else {
			p = strrchr(stat, ')');
			all = p != NULL && p[1] == ' ' &&
				(p[2] == 'T' || p[2] == 't');
		}
		if (f != NULL)
			fclose(f);
	}
	closedir(d);
	return all;
}

static void
stop_peer(struct peer *pe)
{
	uint64_t deadline = test_proc_now_ns() + EVENT_MS * 1000000ull;

	assert_int_equal(kill(pe->proc.pid, SIGSTOP), 0);
	while (!all_stopped(pe->proc.pid)) {
		if (test_proc_now_ns() > deadline)
			fail_msg("%s did not stop within %u ms", pe->proc.name,
				EVENT_MS);
		sched_yield();
	}
}

/*
 * A grantee that does not answer (stopped): the revoke gives up after the
 * library's 5 s with -ETIMEDOUT and keeps the grant, a second revoke is
 * -EBUSY while the broker still waits, the memory stays registered; once
 * the grantee runs again it lets go, and the grant is gone.
 */
static void
test_grant_revoke_stuck(void **state)
{
	struct fixture *f = *state;
	struct peer *a = peer_start(f, "A"), *b = peer_start(f, "B");
	uint64_t deadline;
	char reply[TEST_PROC_LINE];
	unsigned int h;

	mem_alloc(b, "W", 64 * KIB, "rw");
	h = grant_to(f, b, a, "W", 0, 64 * KIB, "rw");
	attach(f, a, 'i', h);
	stop_peer(a);
	peer_err(b, -ETIMEDOUT, "revoke %u", h);
	peer_err(b, -EBUSY, "revoke %u", h);
	peer_err(b, -EBUSY, "unreg W");
	assert_int_equal(kill(a->proc.pid, SIGCONT), 0);
	/* A releases the window; the broker ends the grant. */
	expect_grant_gone(a, b->domain);
	deadline = test_proc_now_ns() + EVENT_MS * 1000000ull;
	for (;;) {
		test_proc_post(&b->proc, "revoke %u", h);
		test_proc_reply(&b->proc, reply, REPLY_MS);
		if (strcmp(reply, "err -2") == 0)
			break;
		if (strcmp(reply, "err -16") != 0 ||
				test_proc_now_ns() > deadline)
			fail_msg("B: revoke after A resumed: '%s'", reply);
		sched_yield();
	}
	peer_ok(b, reply, "unreg W");
}

/*
 * The owner is killed under a stream: the grantee keeps running, learns
 * it, and its later operations toward the owner fail, with no SIGBUS.
 * The broker lives in a third process (its first grant embedded it), so
 * that it outlives the owner.
 */
static void
test_grant_owner_kill(void **state)
{
	struct fixture *f = *state;
	const char dev = f->dev;
	struct peer *c = peer_start(f, "C"), *a = peer_start(f, "A"),
		*b = peer_start(f, "B");
	const unsigned int len = STREAM_NBLK * STREAM_BS;
	uint64_t seed = test_seed(), wb, la;
	char res[TEST_PROC_LINE];

	mem_alloc(c, "C", 4096, "rw");
	grant_to(f, c, a, "C", 0, 4096, "rw");
	wb = mem_alloc(b, "W", len, "rw");
	la = mem_alloc(a, "A", 4 * KIB, "rw");
	grant_as_dst(f, b, a, dev, "W", len);
	stream_start(a, dev, wb, seed, STREAM_OPS);
	test_proc_kill9(&b->proc);
	expect_grant_gone(a, b->domain);
	stream_end(a, STREAM_OPS, res);
	if (kv(res, "ok") < STREAM_OPS || kv(res, "ok_after_mark") != 0 ||
			kv(res, "src") + kv(res, "dst") + kv(res, "other") != 0)
		fail_msg("A's stream into the dead owner's grant: %s (want: successes, then only DEV_LINK_ERROR)",
			res);
	copy_until_link_error(a, dev, la, wb, NULL);
	peer_quit(a);
}

/* A grant is for Class B devices: another class cannot attach it. */
static void
test_grant_other_class(void **state)
{
	struct fixture *f = *state;
	struct peer *a = peer_start(f, "A"), *b = peer_start(f, "B");
	char reply[TEST_PROC_LINE];
	unsigned int h;

	mem_alloc(b, "B", 64 * KIB, "rw");
	h = grant_to(f, b, a, "B", 0, 64 * KIB, "rw");
	peer_err(a, -EXDEV, "attach i %s %u", f->token, h);
	peer_err(a, -EXDEV, "attach x %s %u", f->token, h);
	peer_ok(b, reply, "revoke %u", h);
}

/* ---- 2. vchan set-up -------------------------------------------------- */

static bool
in_set(unsigned int v, const unsigned int *set, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (set[i] == v)
			return true;
	return false;
}

/*
 * A vchan names handlers the device can reach: its own and members' in
 * its groups. Anything else is -ENOENT, also a handler of a group of the
 * process's other device; NONE stays a local vchan.
 */
/*
 * The telemetry socket of peer @pe, as EAL makes it in its runtime
 * directory (see peer_killed()), connected; its greeting read.
 */
static int
telemetry_open(const struct peer *pe)
{
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char hello[1024];
	int fd, i;

	snprintf(sa.sun_path, sizeof(sa.sun_path),
		"%s/dpdk/xdtest-xdpeer-%d/dpdk_telemetry.v2",
		geteuid() == 0 ? "/var/run" : xdg != NULL ? xdg : "/tmp",
		(int)pe->proc.pid);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	for (i = 0; connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0;
			i++) {
		if (i == 50)
			fail_msg("%s: no telemetry socket at %s: %s",
				pe->proc.name, sa.sun_path, strerror(errno));
		usleep(100 * 1000);
	}
	assert_true(read(fd, hello, sizeof(hello)) > 0);
	return fd;
}

/* One telemetry command and its JSON reply (NUL-terminated). */
static void
telemetry_ask(int fd, const char *cmd, char *reply, size_t len)
{
	ssize_t n;

	assert_int_equal(write(fd, cmd, strlen(cmd)), (ssize_t)strlen(cmd));
	n = read(fd, reply, len - 1);
	assert_true(n > 0);
	reply[n] = '\0';
}

static void
expect_json(const char *reply, const char *what, const char *cmd)
{
	if (strstr(reply, what) == NULL)
		fail_msg("%s: '%s' not in %s", cmd, what, reply);
}

/*
 * What a member sees of its peers' windows, through its own telemetry
 * socket as an operator would ask (usertools/dpdk-telemetry.py): the
 * handlers it knows, each with its windows; a peer's windows with their
 * bases and permissions; an unknown handler, an error.
 */
static void
test_telemetry_windows(void **state)
{
	struct fixture *f = *state;
	struct peer *a = peer_start(f, "A"), *b = peer_start(f, "B");
	char reply[16384], cmd[64], want[96];
	uint64_t wb, rb;
	unsigned int hb;
	int gid, fd;

	gid = group_of(f, 'i', a, &b, 1);
	wb = mem_alloc(b, "B", 64 * KIB, "rw");
	rb = mem_alloc(b, "R", 4096, "r");
	/* After the allocations: A has both windows when this returns. */
	hb = handler_of(a, 'i', gid, b);
	fd = telemetry_open(a);

	telemetry_ask(fd, "/dmadev_domain/handlers", reply, sizeof(reply));
	snprintf(want, sizeof(want), "\"%u\":{\"group_id\":%d,\"own\":0,\"dead\":0,\"nb_windows\":2}",
		hb, gid);
	expect_json(reply, want, "/dmadev_domain/handlers");

	snprintf(cmd, sizeof(cmd), "/dmadev_domain/windows,%u", hb);
	telemetry_ask(fd, cmd, reply, sizeof(reply));
	expect_json(reply, "\"nb_windows\":2", cmd);
	snprintf(want, sizeof(want), "\"base\":\"0x%" PRIx64 "\",\"len\":\"0x10000\",\"perm\":\"rw\"",
		wb);
	expect_json(reply, want, cmd);
	snprintf(want, sizeof(want), "\"base\":\"0x%" PRIx64 "\",\"len\":\"0x1000\",\"perm\":\"r\"",
		rb);
	expect_json(reply, want, cmd);

	/* A handler this process does not know, and no handler at all. */
	telemetry_ask(fd, "/dmadev_domain/windows,65000", reply, sizeof(reply));
	expect_json(reply, "null", "/dmadev_domain/windows,65000");
	telemetry_ask(fd, "/dmadev_domain/windows", reply, sizeof(reply));
	expect_json(reply, "null", "/dmadev_domain/windows");
	close(fd);
}

static void
test_vchan_setup(void **state)
{
	struct fixture *f = *state;
	struct peer *a = peer_start(f, "A"), *b = peer_start(f, "B");
	char reply[TEST_PROC_LINE];
	unsigned int h[4], unknown = 0xfff0, hb_own;
	uint64_t la, wb;
	int g1, g2;

	g1 = group_of(f, 'i', a, &b, 1);
	g2 = group_of(f, 'l', a, &b, 1);
	h[0] = handler_of(a, 'i', g1, a);
	h[1] = handler_of(a, 'i', g1, b);
	h[2] = handler_of(a, 'l', g2, a);
	h[3] = handler_of(a, 'l', g2, b);
	while (in_set(unknown, h, 4))
		unknown--;

	peer_err(a, -ENOENT, "setup i 64 process %u %u", h[0], unknown);
	peer_err(a, -ENOENT, "setup i 64 process %u %u", unknown, h[1]);
	/* without the capability, the type is refused first */
	peer_err(a, drv->os ? -ENOENT : -EINVAL, "setup i 64 os %u %u",
		unknown, unknown);
	/* handlers of the group of the other device */
	peer_err(a, -ENOENT, "setup i 64 process %u %u", h[0], h[3]);
	peer_err(a, -ENOENT, "setup i 64 process %u %u", h[2], h[1]);
	peer_err(a, -ENOENT, "setup l 64 process %u %u", h[2], h[1]);
	peer_err(a, -ENOENT, "setup l 64 process %u %u", h[0], h[0]);
	/* NONE: a local vchan that copies; handlers given are ignored */
	la = mem_alloc(a, "A", 64 * KIB, "rw");
	peer_ok(a, reply, "setup i 64 none %u %u", h[0], h[1]);
	peer_ok(a, reply, "pat A 0 4096 5");
	peer_status(a, "SUCCESSFUL", "copy i 0 %#" PRIx64 " %#" PRIx64 " 4096",
		la, la + 8192);
	peer_ok(a, reply, "check A 8192 4096 5 0");
	peer_ok(a, reply, "setup i 64 none 0 0");
	peer_ok(a, reply, "pat A 0 4096 7");
	peer_status(a, "SUCCESSFUL", "copy i 0 %#" PRIx64 " %#" PRIx64 " 4096",
		la, la + 8192);
	peer_ok(a, reply, "check A 8192 4096 7 0");
	/* the handlers of each device's own group, both types */
	if (!drv->paired) {
		peer_ok(a, reply, "setup i 64 process %u %u os %u %u process %u %u",
			h[0], h[1], h[1], h[0], h[1], h[1]);
		peer_ok(a, reply, "setup l 64 os %u %u process %u %u", h[2],
			h[3], h[3], h[2]);
	} else {
		/* Class A: own to peer, peer to own; not peer to peer or
		 * within this domain, and no OS domains */
		peer_ok(a, reply, "setup i 64 process %u %u process %u %u",
			h[0], h[1], h[1], h[0]);
		peer_err(a, -EINVAL, "setup i 64 process %u %u", h[1], h[1]);
		peer_err(a, -EINVAL, "setup i 64 process %u %u", h[0], h[0]);
		peer_err(a, -EINVAL, "setup l 64 os %u %u", h[2], h[3]);
		peer_ok(a, reply, "setup l 64 process %u %u process %u %u",
			h[2], h[3], h[3], h[2]);
	}

	/*
	 * A handler learnt from a window, without a lookup: A's memory
	 * reached B by B's own lookup, which returned after A's alloc.
	 */
	wb = mem_alloc(b, "B", 64 * KIB, "rw");
	hb_own = handler_of(b, 'i', g1, b);
	peer_ok(b, reply, "setup i 64 process %u %u", hb_own, h[0]);
	peer_ok(b, reply, "pat B 0 100 9");
	peer_status(b, "SUCCESSFUL", "copy i 0 %#" PRIx64 " %#" PRIx64 " 100",
		wb, la + 100);
	peer_ok(a, reply, "check A 100 100 9 0");

	/* One window, every group: B's reaches A through both handlers. */
	assert_int_equal(handler_of(a, 'i', g1, b), h[1]);
	assert_int_equal(handler_of(a, 'l', g2, b), h[3]);
	peer_ok(a, reply, "setup i 64 process %u %u", h[0], h[1]);
	peer_ok(a, reply, "setup l 64 process %u %u", h[2], h[3]);
	peer_status(a, "SUCCESSFUL", "copy i 0 %#" PRIx64 " %#" PRIx64 " 64",
		la, wb + 1000);
	peer_status(a, "SUCCESSFUL", "copy l 0 %#" PRIx64 " %#" PRIx64 " 64",
		la + 256, wb + 2000);
	peer_ok(b, reply, "check B 1000 64 7 0");
	peer_ok(b, reply, "check B 2000 64 7 256");
}

/* ---- 3. copies both ways ---------------------------------------------- */

static void
test_copy(void **state)
{
	struct fixture *f = *state;
	const char dev = f->dev;
	struct peer *a = peer_start(f, "A"), *b = peer_start(f, "B");
	char reply[TEST_PROC_LINE];
	uint64_t wb, la, wb2;
	unsigned int ha, hb, i;
	int gid;

	/* B's memory before it joins, A's after: both become windows. */
	wb = mem_alloc(b, "B", 4 * MIB, "rw");
	gid = group_of(f, dev, a, &b, 1);
	la = mem_alloc(a, "A", 4 * MIB, "rw");
	ha = handler_of(a, dev, gid, a);
	hb = handler_of(a, dev, gid, b);
	peer_ok(a, reply, "setup %c 64 process %u %u process %u %u", dev, ha,
		hb, hb, ha);
	for (i = 0; i < DIM(copy_sizes); i++)
		copy_both_ways(a, dev, la, b, wb, copy_sizes[i].n,
			copy_sizes[i].off, 1000 + i);

	/* A window registered later: visible after the next lookup. */
	wb2 = mem_alloc(b, "B2", 8 * KIB, "rw");
	assert_int_equal(handler_of(a, dev, gid, b), hb);
	peer_ok(a, reply, "pat A 0 8192 77");
	peer_status(a, "SUCCESSFUL", "copy %c 0 %#" PRIx64 " %#" PRIx64 " 8192",
		dev, la, wb2);
	peer_ok(b, reply, "check B2 0 8192 77 0");

	/* The other way round: B initiates into A's window. */
	ha = handler_of(b, dev, gid, a);
	hb = handler_of(b, dev, gid, b);
	peer_ok(b, reply, "setup %c 64 process %u %u", dev, hb, ha);
	peer_ok(b, reply, "pat B 0 4096 55");
	peer_status(b, "SUCCESSFUL", "copy %c 0 %#" PRIx64 " %#" PRIx64 " 4096",
		dev, wb, la + 3 * MIB);
	peer_ok(a, reply, "check A %u 4096 55 0", 3 * MIB);
}

/* ---- 3a. dma-buf windows from real exporters ------------------------- */

/*
 * Whether this kernel has the exporter @dev. The host's may have none (no
 * udmabuf, no DMA-BUF heap): the cases skip then, unless
 * XD_REQUIRE_DMABUF is set - the "vm" suite sets it in a guest whose
 * kernel has both, where a missing exporter is a failure.
 */
static void
dmabuf_require(const char *dev)
{
	if (access(dev, F_OK) == 0)
		return;
	if (getenv("XD_REQUIRE_DMABUF") != NULL)
		fail_msg("%s: %s, but XD_REQUIRE_DMABUF is set", dev,
			strerror(errno));
	print_message("skipped: no %s on this kernel (meson test --suite vm runs this case in a guest that has it)\n",
		dev);
	skip();
}

/*
 * Both windows are dma-bufs of @kind: each peer's region is a buffer of
 * the exporter, registered whole; copies of every size both ways between
 * them, checked byte for byte by the receiver, with the bytes around
 * untouched.
 */
static void
dmabuf_copy(struct fixture *f, const char *kind)
{
	const char dev = f->dev;
	struct peer *a = peer_start(f, "A"), *b = peer_start(f, "B");
	char reply[TEST_PROC_LINE];
	uint64_t la, wb;
	unsigned int ha, hb, i;
	int gid;

	gid = group_of(f, dev, a, &b, 1);
	la = peer_num(a, "dmabuf A %u %s", 4 * MIB, kind);
	peer_ok(a, reply, "reg A 0 0 %u rw", 4 * MIB);
	wb = peer_num(b, "dmabuf B %u %s", 4 * MIB, kind);
	peer_ok(b, reply, "reg B 0 0 %u rw", 4 * MIB);
	ha = handler_of(a, dev, gid, a);
	hb = handler_of(a, dev, gid, b);
	peer_ok(a, reply, "setup %c 64 process %u %u process %u %u", dev, ha,
		hb, hb, ha);
	for (i = 0; i < DIM(copy_sizes); i++)
		copy_both_ways(a, dev, la, b, wb, copy_sizes[i].n,
			copy_sizes[i].off, 3000 + i);
	/* Unregistered, B's buffer is no window any more. */
	peer_ok(b, reply, "unreg B");
	peer_status(a, "INVALID_DST_ADDR", "copy %c 0 %#" PRIx64 " %#" PRIx64 " 64",
		dev, la, wb);
}

static void
test_dmabuf_udmabuf(void **state)
{
	dmabuf_require("/dev/udmabuf");
	dmabuf_copy(*state, "udmabuf");
}

static void
test_dmabuf_heap(void **state)
{
	dmabuf_require("/dev/dma_heap/system");
	dmabuf_copy(*state, "heap");
}

/*
 * What registration requires of a dma-buf, each refused with its own
 * error and no window: the range inside the buffer (-ERANGE), a
 * read-write descriptor for a writable window and a read-only one for a
 * read-only window (-EACCES: a dma-buf cannot be reopened). Its size needs
 * no seal: the exporter fixes it, and udmabuf itself refuses a memfd that
 * could shrink (the kernel's -EINVAL, not ours).
 */
static void
test_dmabuf_errors(void **state)
{
	struct fixture *f = *state;
	struct peer *a, *b;
	char reply[TEST_PROC_LINE];
	uint64_t la, x, r;
	unsigned int ha, hb;
	int gid;

	dmabuf_require("/dev/udmabuf");
	dmabuf_require("/dev/dma_heap/system");
	a = peer_start(f, "A");
	b = peer_start(f, "B");
	gid = group_of(f, 'i', a, &b, 1);
	peer_err(b, -EINVAL, "dmabuf U 65536 udmabuf-unsealed");
	x = peer_num(b, "dmabuf X 65536 udmabuf");
	peer_err(b, -ERANGE, "reg X 0 0 131072 rw");
	peer_err(b, -ERANGE, "reg X 61440 61440 8192 rw");
	peer_err(b, -ERANGE, "reg X 65536 65536 4096 rw");
	/* No read-only file description of a dma-buf can be had from a
	 * read-write one: a read-only window needs one opened read-only. */
	peer_err(b, -EACCES, "reg X 0 0 4096 r");
	r = peer_num(b, "dmabuf R 65536 heap-ro");
	peer_err(b, -EACCES, "reg R 0 0 65536 rw");
	peer_err(b, -EACCES, "reg R 0 0 65536 w");
	peer_ok(b, reply, "reg R 0 0 65536 r");

	la = mem_alloc(a, "A", 64 * KIB, "rw");
	ha = handler_of(a, 'i', gid, a);
	hb = handler_of(a, 'i', gid, b);
	peer_ok(a, reply, "setup i 64 process %u %u", ha, hb);
	peer_status(a, "INVALID_DST_ADDR", "copy i 0 %#" PRIx64 " %#" PRIx64 " 64",
		la, x);
	peer_status(a, "INVALID_DST_ADDR", "copy i 0 %#" PRIx64 " %#" PRIx64 " 64",
		la, r);
	/* The read-only one can be read: the heap's zeroes. */
	peer_ok(a, reply, "set A 0 4096 255");
	peer_ok(a, reply, "setup i 64 process %u %u", hb, ha);
	peer_status(a, "SUCCESSFUL", "copy i 0 %#" PRIx64 " %#" PRIx64 " 4096",
		r + 8192, la);
	peer_ok(a, reply, "same A 0 4096 0");
	peer_status(a, "INVALID_SRC_ADDR", "copy i 0 %#" PRIx64 " %#" PRIx64 " 64",
		x, la);
}

/* ---- 3b. where windows are mapped ------------------------------------- */

/* What "where ADDR" says in @pe, copied to @out. */
static void
where(struct peer *pe, uint64_t addr, char out[TEST_PROC_LINE])
{
	char reply[TEST_PROC_LINE];

	snprintf(out, TEST_PROC_LINE, "%s",
		peer_ok(pe, reply, "where %#" PRIx64, addr));
}

/*
 * A window goes to the owner's address when that range is free in the
 * receiver, elsewhere when it is not, and never over what is there.
 */
static void
test_placement(void **state)
{
	struct fixture *f = *state;
	struct peer *a = peer_start(f, "A"), *b = peer_start(f, "B");
	char reply[TEST_PROC_LINE], before1[TEST_PROC_LINE],
		before2[TEST_PROC_LINE], after[TEST_PROC_LINE];
	uint64_t w1, w2, la, start;
	unsigned int ha, hb;
	int gid;

	w1 = mem_alloc(b, "B1", 64 * KIB, "rw");
	w2 = mem_alloc(b, "B2", 64 * KIB, "rw");
	/* Occupy B1's range in A (it may be occupied already: as good). */
	test_proc_post(&a->proc, "hole %#" PRIx64 " %u", w1, 64 * KIB);
	test_proc_reply(&a->proc, reply, REPLY_MS);
	if (strcmp(reply, "ok") != 0 && strcmp(reply, "err -17") != 0)
		fail_msg("A: hole at B1's address: '%s'", reply);
	where(a, w1, before1);
	assert_string_not_equal(before1, "none");
	where(a, w2, before2);

	gid = group_of(f, 'i', a, &b, 1);
	ha = handler_of(a, 'i', gid, a);
	hb = handler_of(a, 'i', gid, b);

	/* What occupied B1's range is still there, untouched. */
	where(a, w1, after);
	assert_string_equal(after, before1);
	/* B2's range was free: the window is there, a memfd of B's. */
	where(a, w2, after);
	if (strcmp(before2, "none") == 0) {
		assert_int_equal(sscanf(after, "%" SCNx64, &start), 1);
		assert_true(start <= w2);
		if (strstr(after, "memfd:") == NULL)
			fail_msg("A: B2's address holds '%s', not B's memfd",
				after);
	} else {
		print_message("B2's range was in use in A before it joined (%s): only the fallback is checked\n",
			before2);
	}

	/* Both windows work, wherever they are. */
	peer_ok(a, reply, "setup i 64 process %u %u", ha, hb);
	la = mem_alloc(a, "A", 8192, "rw");
	peer_ok(a, reply, "pat A 0 8192 23");
	peer_status(a, "SUCCESSFUL", "copy i 0 %#" PRIx64 " %#" PRIx64 " 4096",
		la, w1 + 60 * KIB);
	peer_status(a, "SUCCESSFUL", "copy i 0 %#" PRIx64 " %#" PRIx64 " 4096",
		la + 4096, w2);
	peer_ok(b, reply, "check B1 %u 4096 23 0", 60 * KIB);
	peer_ok(b, reply, "check B2 0 4096 23 4096");
	peer_ok(b, reply, "same B2 4096 1 0");
}

/* ---- 4. between two other processes ----------------------------------- */

static void
test_third_party(void **state)
{
	struct fixture *f = *state;
	struct peer *a = peer_start(f, "A"), *b = peer_start(f, "B"),
		*c = peer_start(f, "C");
	struct peer *others[] = { b, c };
	char reply[TEST_PROC_LINE];
	uint64_t wb, wc;
	unsigned int hb, hc;
	int gid;

	wb = mem_alloc(b, "B", 64 * KIB, "rw");
	wc = mem_alloc(c, "C", 64 * KIB, "rw");
	peer_ok(b, reply, "pat B 0 65536 31");
	gid = group_of(f, 'i', a, others, 2);
	hb = handler_of(a, 'i', gid, b);
	hc = handler_of(a, 'i', gid, c);
	if (drv->paired) {
		/* Class A: no device of A's at either end */
		peer_err(a, -EINVAL, "setup i 64 process %u %u", hb, hc);
		peer_err(a, -EINVAL, "setup i 64 process %u %u", hc, hb);
		return;
	}
	/* A's vchans: B -> C, and C -> B */
	peer_ok(a, reply, "setup i 64 process %u %u process %u %u", hb, hc,
		hc, hb);
	peer_status(a, "SUCCESSFUL", "copy i 0 %#" PRIx64 " %#" PRIx64 " 5000",
		wb + 100, wc + 200);
	peer_ok(c, reply, "check C 200 5000 31 100");
	peer_ok(c, reply, "same C 199 1 0");
	peer_ok(c, reply, "same C 5200 1 0");
	peer_status(a, sg_fill_status(a, 'i', "SUCCESSFUL"),
		"sg i 0 %#" PRIx64 ":1000,%#" PRIx64 ":3000 %#" PRIx64 ":4000",
		wb, wb + 30000, wc + 40000);
	peer_status(a, sg_fill_status(a, 'i', "SUCCESSFUL"),
		"fill i 0 0x0102030405060708 %#" PRIx64 " 1001", wc + 50000);
	if (sg_fill_capable(a, 'i')) {
		peer_ok(c, reply, "check C 40000 1000 31 0");
		peer_ok(c, reply, "check C 41000 3000 31 30000");
		peer_ok(c, reply, "fillchk C 50000 1001 0x0102030405060708");
	} else {
		peer_ok(c, reply, "same C 40000 12000 0");
	}
	/* each address is checked in its own domain's windows */
	peer_status(a, "INVALID_SRC_ADDR", "copy i 0 %#" PRIx64 " %#" PRIx64 " 1000",
		wb + 65000, wc);
	peer_status(a, "INVALID_DST_ADDR", "copy i 0 %#" PRIx64 " %#" PRIx64 " 1000",
		wb, wc + 65000);
	if (wc + 64 <= wb || wc >= wb + 64 * KIB)
		peer_status(a, "INVALID_SRC_ADDR", "copy i 0 %#" PRIx64 " %#" PRIx64 " 64",
			wc, wc);
	peer_ok(c, reply, "same C 0 64 0");
	/* and the other direction */
	peer_ok(c, reply, "pat C 10000 2000 41");
	peer_status(a, "SUCCESSFUL", "copy i 1 %#" PRIx64 " %#" PRIx64 " 2000",
		wc + 10000, wb + 20000);
	peer_ok(b, reply, "check B 20000 2000 41 0");
}

/* ---- 5. scatter-gather and fill --------------------------------------- */

static void
test_sg_fill(void **state)
{
	struct fixture *f = *state;
	const char dev = f->dev;
	struct peer *a = peer_start(f, "A"), *b = peer_start(f, "B");
	char reply[TEST_PROC_LINE];
	uint64_t wb, la;
	unsigned int ha, hb;
	int gid;

	wb = mem_alloc(b, "B", 64 * KIB, "rw");
	gid = group_of(f, dev, a, &b, 1);
	la = mem_alloc(a, "A", 64 * KIB, "rw");
	ha = handler_of(a, dev, gid, a);
	hb = handler_of(a, dev, gid, b);
	peer_ok(a, reply, "setup %c 64 process %u %u process %u %u", dev, ha,
		hb, hb, ha);

	/*
	 * A device stacked on an engine device without the ops has neither:
	 * they fail as unknown operations and touch nothing.
	 */
	if (!sg_fill_capable(a, dev)) {
		peer_ok(a, reply, "pat A 0 16384 11");
		peer_status(a, sg_fill_status(a, dev, "SUCCESSFUL"),
			"sg %c 0 %#" PRIx64 ":1000 %#" PRIx64 ":1000", dev, la,
			wb + 100);
		peer_status(a, sg_fill_status(a, dev, "SUCCESSFUL"),
			"fill %c 0 0x1122334455667788 %#" PRIx64 " 3001", dev,
			wb + 20000);
		peer_ok(b, reply, "same B 0 65536 0");
		return;
	}

	/* three local pieces into two of B's: the byte stream in order */
	peer_ok(a, reply, "pat A 0 16384 11");
	peer_status(a, "SUCCESSFUL",
		"sg %c 0 %#" PRIx64 ":1000,%#" PRIx64 ":3000,%#" PRIx64 ":96 %#" PRIx64 ":2048,%#" PRIx64 ":2048",
		dev, la, la + 5000, la + 9000, wb + 100, wb + 8192);
	peer_ok(b, reply, "check B 100 1000 11 0");
	peer_ok(b, reply, "check B 1100 1048 11 5000");
	peer_ok(b, reply, "check B 8192 1952 11 6048");
	peer_ok(b, reply, "check B 10144 96 11 9000");
	peer_ok(b, reply, "same B 99 1 0");
	peer_ok(b, reply, "same B 2148 1 0");
	peer_ok(b, reply, "same B 8191 1 0");
	peer_ok(b, reply, "same B 10240 1 0");

	/* fills: an 8-byte pattern and a byte */
	peer_status(a, "SUCCESSFUL", "fill %c 0 0x1122334455667788 %#" PRIx64 " 3001",
		dev, wb + 20000);
	peer_ok(b, reply, "fillchk B 20000 3001 0x1122334455667788");
	peer_ok(b, reply, "same B 19999 1 0");
	peer_ok(b, reply, "same B 23001 1 0");
	peer_status(a, "SUCCESSFUL", "fill %c 0 0xabababababababab %#" PRIx64 " 100",
		dev, wb + 24000);
	peer_ok(b, reply, "same B 24000 100 0xab");

	/* two of B's pieces into three local ones */
	peer_ok(b, reply, "pat B 30000 20000 22");
	peer_status(a, "SUCCESSFUL",
		"sg %c 1 %#" PRIx64 ":2048,%#" PRIx64 ":100 %#" PRIx64 ":1000,%#" PRIx64 ":1148",
		dev, wb + 30000, wb + 40000, la + 32768, la + 40000);
	peer_ok(a, reply, "check A 32768 1000 22 0");
	peer_ok(a, reply, "check A 40000 1048 22 1000");
	peer_ok(a, reply, "check A 41048 100 22 10000");

	/* one bad entry fails the whole operation: nothing moves */
	peer_ok(b, reply, "pat B 60000 5536 44");
	peer_status(a, "INVALID_DST_ADDR",
		"sg %c 0 %#" PRIx64 ":200 %#" PRIx64 ":100,%#" PRIx64 ":100",
		dev, la, wb + 60000, wb + 65500);
	peer_status(a, "INVALID_DST_ADDR", "fill %c 0 0 %#" PRIx64 " 1000",
		dev, wb + 65000);
	peer_ok(b, reply, "check B 60000 5536 44 0");
	peer_ok(a, reply, "set A 50000 200 0x5a");
	peer_status(a, "INVALID_SRC_ADDR",
		"sg %c 1 %#" PRIx64 ":100,%#" PRIx64 ":100 %#" PRIx64 ":200",
		dev, wb + 30000, wb + 70000, la + 50000);
	peer_ok(a, reply, "same A 50000 200 0x5a");
}

/* ---- 6. random ranges ------------------------------------------------- */

struct rwin {
	unsigned int off;    /* both the address and the memfd offset */
	unsigned int len;
	const char *perm;
};

/*
 * A small region: 64 KiB, windows with an unaligned end (0, 3, 5), two
 * adjacent ones (1, 2), a read-only (3) and a write-only one (4), gaps
 * between them.
 */
static const struct rwin small_layout[] = {
	{ 0, 12388, "rw" },
	{ 16384, 8192, "rw" },
	{ 24576, 8192, "rw" },
	{ 36864, 4000, "r" },
	{ 45056, 4096, "w" },
	{ 53248, 5000, "rw" },
};
#define SMALL_REGION (64 * KIB)

/*
 * A large one for the translation index: 8 MiB, 64 windows of one to
 * three pages (some cut short, every eighth filling its 16 KiB stride so
 * that the next one touches it) in the first MiB, one window of 4 MiB and
 * a bit across three 2 MiB boundaries, one right after it, one at the
 * very end.
 */
#define MANY_REGION (8 * MIB)
#define MANY_WINDOWS 67

static unsigned int
many_layout(struct rwin *w)
{
	static const char *const perms[] = { "rw", "rw", "r", "rw", "w",
		"rw", "rw" };
	unsigned int i, n = 0;

	for (i = 0; i < 64; i++) {
		w[n].off = i * 16 * KIB;
		w[n].len = i % 8 == 0 ? 16 * KIB :
			4096 * (1 + i % 3) - (i % 5) * 37;
		w[n++].perm = perms[i % DIM(perms)];
	}
	w[n++] = (struct rwin){ 2 * MIB - 4096, 4 * MIB + 4096 + 100, "rw" };
	w[n++] = (struct rwin){ 6 * MIB + 4096, 4096, "rw" };
	w[n++] = (struct rwin){ MANY_REGION - 4096, 4096, "rw" };
	assert_int_equal(n, MANY_WINDOWS);
	return n;
}

/* The handlers of a vchan of A's between its own memory and B's region. */
struct reach {
	unsigned int own;
	unsigned int peer;
};

/* B's region R reaches A's device @dev as B's memory in a group of both. */
static struct reach
reach_by_group(struct fixture *f, struct peer *a, struct peer *b, char dev,
		unsigned int size)
{
	int gid = group_of(f, dev, a, &b, 1);
	struct reach r = {
		.own = handler_of(a, dev, gid, a),
		.peer = handler_of(a, dev, gid, b),
	};

	(void)size;
	return r;
}

/* B's region R reaches A's device @dev by a grant of all of it. */
static struct reach
reach_by_grant(struct fixture *f, struct peer *a, struct peer *b, char dev,
		unsigned int size)
{
	struct reach r;

	r.peer = grant_to(f, b, a, "R", 0, size, "rw");
	r.own = attach(f, a, dev, r.peer);
	return r;
}

/*
 * B registers @nb windows of a region R of @size bytes (and nothing else:
 * the layout is all its domain has), which then reaches A's device by
 * @reach; A runs RANDOM_OPS operations at random ranges of it, predicting
 * each status from the layout alone (see cmd_random() in test_xd_peer.c).
 * Then B checks that its region is what A's shadow says and that no byte
 * outside its writable windows changed.
 */
static void
run_random(struct fixture *f, const struct rwin *lay, unsigned int nb,
		unsigned int size,
		struct reach (*reach)(struct fixture *f, struct peer *a,
			struct peer *b, char dev, unsigned int size))
{
	const char dev = f->dev;
	struct peer *a = peer_start(f, "A"), *b = peer_start(f, "B");
	uint64_t seed = test_seed(), gseed = seed ^ 0x5eed, region, sum;
	uint64_t w[4], r[4], cats[7];
	char reply[TEST_PROC_LINE], chunk[800];
	const char *res, *first;
	struct reach h;
	size_t used = 0;
	unsigned int i;

	region = mem_mfd(b, "R", size, "both");
	peer_ok(b, reply, "pat R 0 %u %" PRIu64, size, gseed);
	peer_ok(a, reply, "lay clear");
	for (i = 0; i < nb; i++) {
		peer_ok(b, reply, "reg R %u %u %u %s", lay[i].off, lay[i].off,
			lay[i].len, lay[i].perm);
		used += (size_t)snprintf(chunk + used, sizeof(chunk) - used,
			"%s%u:%u:%s", used > 0 ? "," : "", lay[i].off,
			lay[i].len, lay[i].perm);
		if (used > sizeof(chunk) - 40 || i == nb - 1) {
			peer_ok(a, reply, "lay add %s", chunk);
			used = 0;
		}
	}
	h = reach(f, a, b, dev, size);
	mem_alloc(a, "S", 64 * KIB, "rw");
	peer_ok(a, reply, "pat S 0 65536 %" PRIu64, seed + 1);
	mem_alloc(a, "D", MIB, "rw");
	peer_ok(a, reply, "setup %c 64 process %u %u process %u %u", dev,
		h.own, h.peer, h.peer, h.own);

	test_proc_post(&a->proc, "random %c %" PRIu64 " %u %#" PRIx64 " %u %" PRIu64 " S D",
		dev, seed, RANDOM_OPS, region, size, gseed);
	res = test_proc_wait_ok(&a->proc, reply, RANDOM_MS);
	print_message("%s\n", res);
	first = strstr(res, " first=");
	if (kv(res, "bad_status") != 0 || kv(res, "bad_data") != 0 ||
			kv(res, "touched") != 0)
		fail_msg("%s", first != NULL ? first + 1 : res);
	if (sscanf(kv_text(res, "w"), "%" SCNu64 "/%" SCNu64 "/%" SCNu64 "/%" SCNu64,
			&w[0], &w[1], &w[2], &w[3]) != 4 ||
			sscanf(kv_text(res, "r"), "%" SCNu64 "/%" SCNu64 "/%" SCNu64 "/%" SCNu64,
			&r[0], &r[1], &r[2], &r[3]) != 4 ||
			sscanf(kv_text(res, "cats"), "%" SCNu64 ",%" SCNu64 ",%" SCNu64 ",%" SCNu64 ",%" SCNu64 ",%" SCNu64 ",%" SCNu64,
			&cats[0], &cats[1], &cats[2], &cats[3], &cats[4],
			&cats[5], &cats[6]) != 7)
		fail_msg("cannot parse '%s'", res);
	/* Every kind of outcome and range happened, many times. */
	assert_int_equal(w[0] + w[1] + w[2] + w[3], RANDOM_OPS / 2);
	assert_true(w[0] > RANDOM_OPS / 20 && w[2] > RANDOM_OPS / 20);
	assert_int_equal(w[1] + w[3], 0);
	assert_true(r[0] > RANDOM_OPS / 20 && r[1] > RANDOM_OPS / 20);
	assert_int_equal(r[2] + r[3], 0);
	for (i = 0; i < DIM(cats); i++)
		if (cats[i] < RANDOM_OPS / 100)
			fail_msg("range category %u drawn %" PRIu64 " times only",
				i, cats[i]);

	/* The owner's view: the region is what the writes made it. */
	sum = kv(res, "sum");
	assert_int_equal(peer_num(b, "sum R 0 %u", size), sum);
	peer_ok(b, reply, "guard R %" PRIu64, gseed);
}

static void
test_random(void **state)
{
	run_random(*state, small_layout, DIM(small_layout), SMALL_REGION,
		reach_by_group);
}

static void
test_random_many(void **state)
{
	struct rwin lay[MANY_WINDOWS];

	run_random(*state, lay, many_layout(lay), MANY_REGION, reach_by_group);
}

/*
 * A grant is a whole file, so its layout is one window: 4 MiB, across a
 * 2 MiB boundary wherever it is mapped. The ranges around it (past
 * either end, far away) must fail as a whole, reaching nothing else of
 * the owner's.
 */
#define GRANT_REGION (4 * MIB)

static const struct rwin grant_layout[] = {
	{ 0, GRANT_REGION, "rw" },
};

static void
test_grant_random(void **state)
{
	run_random(*state, grant_layout, DIM(grant_layout), GRANT_REGION,
		reach_by_grant);
}

/*
 * Sharing DPDK's own memory: flags are checked; with --no-huge, which the
 * peers run with, the call is documented to fail with -ENOTSUP ("no
 * segment has a descriptor"), and nothing may be registered.
 */
static void
test_share_dpdk(void **state)
{
	static const char *const flags[] = { "rw", "r" };
	struct fixture *f = *state;
	struct peer *a = peer_start(f, "A");
	char reply[TEST_PROC_LINE], want[32];
	unsigned int i;

	peer_err(a, -EINVAL, "share 0");
	peer_err(a, -EINVAL, "share 0x4");
	peer_err(a, -EINVAL, "share 0x100");
	snprintf(want, sizeof(want), "err %d", -ENOTSUP);
	for (i = 0; i < DIM(flags); i++) {
		test_proc_post(&a->proc, "share %s", flags[i]);
		test_proc_reply(&a->proc, reply, REPLY_MS);
		if (strcmp(reply, want) != 0)
			fail_msg("rte_dma_domain_mem_share_dpdk(%s) under EAL --no-huge: '%s', documented -ENOTSUP ('no segment has a descriptor: e.g. EAL --no-huge'); DPDK 22.11 backs --no-huge memory with an unsealable memfd",
				flags[i], reply);
	}
}

/* ---- 7. a peer killed mid-stream -------------------------------------- */

/* One device's view of a group of two: its own handler and the peer's. */
struct side {
	char dev;
	int gid;
	unsigned int own;
	unsigned int peer;
};

static struct side
side_of(struct peer *pe, char dev, int gid, struct peer *other)
{
	struct side sd = {
		.dev = dev,
		.gid = gid,
		.own = handler_of(pe, dev, gid, pe),
		.peer = handler_of(pe, dev, gid, other),
	};

	return sd;
}

/*
 * A (the survivor, creator of group 1 on its inline device and host of
 * the broker) and B (creator of group 2 on its lcore device) stream
 * stamped blocks into each other's window, A on the engine under test, B
 * on the other one; B is killed with -9. A's stream goes through group 1
 * (inline: B's death is a MEMBER_LEFT) or group 2 (lcore: the group is
 * destroyed with its creator).
 */
static void
test_kill(void **state)
{
	struct fixture *f = *state;
	struct peer *a = peer_start(f, "A"), *b = peer_start(f, "B");
	static const char *const types[] = { "MEMBER_LEFT", "GROUP_DESTROYED",
		NULL };
	const unsigned int x = f->dev == 'i' ? 0 : 1, y = 1 - x;
	uint64_t seed = test_seed(), wa, wb, la, done_b, k;
	char reply[TEST_PROC_LINE], res[TEST_PROC_LINE];
	struct side sa[2], sb;
	int gids[2];
	unsigned int i;
	pid_t pid;

	gids[0] = group_of(f, 'i', a, &b, 1);
	gids[1] = group_of(f, 'l', b, &a, 1);
	wa = mem_alloc(a, "W", STREAM_NBLK * STREAM_BS, "rw");
	wb = mem_alloc(b, "W", STREAM_NBLK * STREAM_BS, "rw");
	la = mem_alloc(a, "L", 4 * KIB, "rw");
	sa[0] = side_of(a, 'i', gids[0], b);
	sa[1] = side_of(a, 'l', gids[1], b);
	sb = side_of(b, sa[y].dev, gids[y], a);
	for (i = 0; i < 2; i++)
		peer_ok(a, reply, "setup %c 64 process %u %u", sa[i].dev,
			sa[i].own, sa[i].peer);
	peer_ok(b, reply, "setup %c 64 process %u %u", sb.dev, sb.own,
		sb.peer);

	peer_ok(a, reply, "bg start %c %#" PRIx64 " %u %u %" PRIu64,
		sa[x].dev, wb, STREAM_NBLK, STREAM_BS, seed);
	peer_ok(b, reply, "bg start %c %#" PRIx64 " %u %u %" PRIu64, sb.dev,
		wa, STREAM_NBLK, STREAM_BS, seed + 1);
	peer_num(a, "bg wait %u", STREAM_OPS);
	done_b = peer_num(b, "bg wait %u", 2 * STREAM_OPS);
	pid = b->proc.pid;
	test_proc_kill9(&b->proc);
	peer_killed(&b->proc, pid);

	expect_events(a, gids, b->domain, types);
	/* ops enqueued from now on run toward a domain that is gone */
	stream_end(a, STREAM_OPS, res);
	if (kv(res, "ok") < STREAM_OPS ||
			kv(res, "ok_after_mark") != 0 ||
			kv(res, "link") < STREAM_OPS ||
			kv(res, "src") + kv(res, "dst") + kv(res, "other") != 0 ||
			kv_signed(res, "last_ok") >= kv_signed(res, "first_fail"))
		fail_msg("A's stream toward the killed peer: %s (want: successes, then only DEV_LINK_ERROR)",
			res);

	/* What B completed before it died is in A's window, in order. */
	snprintf(res, sizeof(res), "%s", peer_ok(a, reply, "stamps W %u %u %" PRIu64,
		STREAM_NBLK, STREAM_BS, seed + 1));
	k = kv(res, "done");
	print_message("B completed %" PRIu64 " ops before it was killed (%" PRIu64 " seen by A's window, torn %" PRIu64 ")\n",
		done_b, k, kv(res, "torn"));
	assert_true(k >= done_b);

	/* Both of A's vchans toward B are dead, and so are the handlers. */
	for (i = 0; i < 2; i++) {
		peer_status(a, "DEV_LINK_ERROR", "copy %c 0 %#" PRIx64 " %#" PRIx64 " 64",
			sa[i].dev, la, wb);
		peer_status(a, sg_fill_status(a, sa[i].dev, "DEV_LINK_ERROR"),
			"fill %c 0 0 %#" PRIx64 " 64", sa[i].dev, wb);
		peer_err(a, -ENOENT, "setup %c 64 process %u %u", sa[i].dev,
			sa[i].own, sa[i].peer);
	}
	peer_quit(a);
}

/* ---- 8. a shared memfd cannot change size ----------------------------- */

static bool
has_size(const char *sizes, uint64_t size)
{
	const char *s = strstr(sizes, "sizes=");

	while (s != NULL && *s != '\0') {
		s = strpbrk(s, "0123456789");
		if (s == NULL)
			break;
		if (strtoull(s, NULL, 10) == size)
			return true;
		s += strspn(s, "0123456789");
	}
	return false;
}

static void
test_shrink(void **state)
{
	struct fixture *f = *state;
	struct peer *a, *b;
	char reply[TEST_PROC_LINE], res[TEST_PROC_LINE];
	uint64_t wb, la;
	unsigned int ha, hb;
	int gid;

	if (geteuid() != 0) {
		print_message("not root: opening a mapping's file through /proc/self/map_files needs CAP_SYS_ADMIN, skipped\n");
		skip();
	}
	a = peer_start(f, "A");
	b = peer_start(f, "B");
	wb = mem_alloc(b, "B", 20 * KIB, "rw");
	peer_ok(b, reply, "pat B 0 20480 99");
	gid = group_of(f, 'i', a, &b, 1);
	la = mem_alloc(a, "A", 8 * KIB, "rw");
	ha = handler_of(a, 'i', gid, a);
	hb = handler_of(a, 'i', gid, b);

	/* The receiver has B's memfd mapped: it must not resize it. */
	snprintf(res, sizeof(res), "%s", peer_ok(a, reply, "shrink"));
	print_message("A: %s\n", res);
	if (!has_size(res, 20 * KIB) || !has_size(res, 8 * KIB))
		fail_msg("A did not find its own memfd and B's window among its mappings: %s",
			res);
	/* Nor may the owner. */
	snprintf(res, sizeof(res), "%s", peer_ok(b, reply, "shrink"));
	if (!has_size(res, 20 * KIB))
		fail_msg("B did not find its memfd: %s", res);
	peer_ok(b, reply, "check B 0 20480 99 0");
	peer_ok(a, reply, "setup i 64 process %u %u", hb, ha);
	peer_status(a, "SUCCESSFUL", "copy i 0 %#" PRIx64 " %#" PRIx64 " 8192",
		wb + 12288, la);
	peer_ok(a, reply, "check A 0 8192 99 12288");
}

/* ---- 9. an OS domain -------------------------------------------------- */

static void __attribute__((noreturn))
ns_fail(const char *what, int err)
{
	printf("nons %s: %s (errno %d)\n", what, strerror(err), err);
	fflush(stdout);
	_exit(0);
}

static int
write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

/*
 * In the child, before exec: new user, pid, mount, ipc, network and uts
 * namespaces, with uid and gid 0 inside mapped to ours. The exec'd peer
 * must be the new pid namespace's first process, so this process forks
 * it and only waits for it. The peer gets a private /var/run (EAL keeps
 * its runtime directory there, as uid 0) and its own host name; of the
 * outside world it shares only the file system, thus the broker socket.
 */
static void
ns_child(void *arg)
{
	uid_t uid = geteuid();
	gid_t gid = getegid();
	char map[64];
	pid_t pid;
	int st;

	(void)arg;
	if (unshare(CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWIPC |
			CLONE_NEWNET | CLONE_NEWUTS) != 0)
		ns_fail("unshare", errno);
	if (write_file("/proc/self/setgroups", "deny") != 0)
		ns_fail("setgroups", errno);
	snprintf(map, sizeof(map), "0 %u 1", (unsigned int)uid);
	if (write_file("/proc/self/uid_map", map) != 0)
		ns_fail("uid_map", errno);
	snprintf(map, sizeof(map), "0 %u 1", (unsigned int)gid);
	if (write_file("/proc/self/gid_map", map) != 0)
		ns_fail("gid_map", errno);
	/* A new user namespace changed our credentials: that cleared it. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	pid = fork();
	if (pid < 0)
		ns_fail("fork", errno);
	if (pid > 0) {
		/* Hold no end of the pipes: the peer's EOF must be its own. */
		close_range(0, ~0u, 0);
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
		_exit(WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
	}
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0)
		ns_fail("mount --make-rprivate /", errno);
	if (mount("tmpfs", "/var/run", "tmpfs", MS_NOSUID | MS_NODEV,
			"mode=0755") != 0)
		ns_fail("mount tmpfs /var/run", errno);
	if (sethostname(NS_HOST, strlen(NS_HOST)) != 0)
		ns_fail("sethostname", errno);
}

static void
test_inter_os(void **state)
{
	struct fixture *f = *state;
	struct peer *a = peer_start(f, "A"), *c;
	char reply[TEST_PROC_LINE], why[TEST_PROC_LINE];
	unsigned int ha, hc, i;
	uint64_t la, wc;
	const char *ns;
	int gid;

	c = peer_spawn(f, "C-os", ns_child, why, sizeof(why));
	if (c == NULL) {
		print_message("cannot start a peer in its own namespaces (%s): skipped\n",
			why);
		skip();
	}
	ns = peer_ok(c, reply, "ns");
	if (strcmp(ns, "pid=1 host=" NS_HOST) != 0)
		fail_msg("the OS-domain peer is not in its own pid and uts namespaces: %s",
			ns);
	wc = mem_alloc(c, "B", 4 * MIB, "rw");
	gid = group_of(f, 'i', a, &c, 1);
	la = mem_alloc(a, "A", 4 * MIB, "rw");
	ha = handler_of(a, 'i', gid, a);
	hc = handler_of(a, 'i', gid, c);
	if (!drv->os) {
		/* The group works across; OS-domain vchans do not exist. */
		peer_err(a, -EINVAL, "setup i 64 os %u %u", ha, hc);
		peer_err(c, -EINVAL, "setup i 64 os %u %u",
			handler_of(c, 'i', gid, c), handler_of(c, 'i', gid, a));
		peer_quit(c);
		return;
	}
	peer_ok(a, reply, "setup i 64 os %u %u os %u %u", ha, hc, hc, ha);
	for (i = 0; i < DIM(copy_sizes); i++)
		copy_both_ways(a, 'i', la, c, wc, copy_sizes[i].n,
			copy_sizes[i].off, 2000 + i);

	/* The OS domain initiates too. */
	ha = handler_of(c, 'i', gid, a);
	hc = handler_of(c, 'i', gid, c);
	peer_ok(c, reply, "setup i 64 os %u %u", hc, ha);
	peer_ok(c, reply, "pat B 0 8192 5");
	peer_status(c, "SUCCESSFUL", "copy i 0 %#" PRIx64 " %#" PRIx64 " 8192",
		wc, la + 3 * MIB);
	peer_ok(a, reply, "check A %u 8192 5 0", 3 * MIB);
	peer_quit(c);
}

/* ---- 10. leave, unregister -------------------------------------------- */

/* ---- secondary processes ---------------------------------------------- */

/* E_RTE_SECONDARY of rte_errno.h, which this program does not include. */
#define ERR_SECONDARY 1001

/*
 * A peer on the fixture's hugepages (huge_setup()): the primary, or a
 * secondary process of it.
 */
static struct peer *
mp_peer_start(struct fixture *f, const char *name, bool secondary)
{
	char huge_env[160], prefix_env[96];
	const char *env[] = {
		huge_env, prefix_env,
		secondary ? "XD_EAL_PROC=secondary" : "XD_EAL_PROC=primary",
		NULL,
	};

	snprintf(huge_env, sizeof(huge_env), "XD_EAL_HUGE_DIR=%s", f->huge.dir);
	snprintf(prefix_env, sizeof(prefix_env), "XD_EAL_PREFIX=%s",
		f->prefix);
	return peer_spawn_env(f, name, NULL, NULL, 0, env);
}

/* Hugepages for a primary and its secondaries, or skip (root only). */
static void
mp_setup_or_skip(struct fixture *f)
{
	char why[160];

	if (!huge_setup(f, why, sizeof(why))) {
		print_message("  skip reason: %s\n", why);
		skip();
	}
}

/*
 * The cast of the group cases with a secondary: A a primary on the
 * fixture's hugepages, B a peer whose group A joins and whose 64 KiB
 * window B is A's vchan 0 destination and vchan 1 source on device i;
 * then A2, A's secondary, starts (after all that: it must catch up) with
 * a local region L of its own.
 */
struct mp_cast {
	struct peer *a, *b, *a2;
	uint64_t wb, l2;
	unsigned int ha, hb;
	int gid;
};

static void
mp_cast_start(struct fixture *f, struct mp_cast *c)
{
	char reply[TEST_PROC_LINE];

	mp_setup_or_skip(f);
	c->a = mp_peer_start(f, "A", false);
	c->b = peer_start(f, "B");
	c->gid = group_of(f, 'i', c->b, &c->a, 1);
	c->wb = mem_alloc(c->b, "B", 64 * KIB, "rw");
	c->ha = handler_of(c->a, 'i', c->gid, c->a);
	c->hb = handler_of(c->a, 'i', c->gid, c->b);
	peer_ok(c->a, reply, "setup i 64 process %u %u process %u %u", c->ha,
		c->hb, c->hb, c->ha);
	c->a2 = mp_peer_start(f, "A2", true);
	c->l2 = mem_mfd(c->a2, "L", 64 * KIB, "none");
}

/*
 * A DPDK primary (A, on real hugepages) and its secondary (A2) share A's
 * devices; B is a peer domain. A2 starts after A joined B's group and set
 * a vchan up: it catches up with B's windows and A's vchan, and copies
 * through its own mappings, both ways. A window B registers later reaches
 * A2 as soon as A has it; one B unregisters is gone from A2 too; when
 * A leaves the group, A2's vchan fails with a link error. Group calls, vchan
 * setup and memory registration are refused in A2 with E_RTE_SECONDARY.
 */
static void
test_secondary(void **state)
{
	struct fixture *f = *state;
	char reply[TEST_PROC_LINE];
	struct mp_cast c;
	uint64_t wc;

	/* A late secondary: B's window and A's vchan, both ways. */
	mp_cast_start(f, &c);
	peer_ok(c.a2, reply, "pat L 0 4096 7");
	/*
	 * An lcore engine runs in the primary, which cannot reach A2's own
	 * memory, and a stacked device's engine devices are the primary's:
	 * such devices refuse a secondary's operations.
	 */
	peer_err(c.a2, -EBUSY, "copy l 0 %#" PRIx64 " %#" PRIx64 " 4096", c.l2,
		c.wb);
	if (drv->stacked) {
		peer_err(c.a2, -EBUSY, "copy i 0 %#" PRIx64 " %#" PRIx64 " 4096",
			c.l2, c.wb);
		peer_ok(c.b, reply, "same B 0 4096 0");
		peer_quit(c.a2);
		return;
	}
	peer_status(c.a2, "SUCCESSFUL", "copy i 0 %#" PRIx64 " %#" PRIx64 " 4096",
		c.l2, c.wb);
	peer_ok(c.b, reply, "check B 0 4096 7 0");
	peer_ok(c.b, reply, "pat B 8192 4096 9");
	peer_status(c.a2, "SUCCESSFUL", "copy i 1 %#" PRIx64 " %#" PRIx64 " 4096",
		c.wb + 8192, c.l2 + 8192);
	peer_ok(c.a2, reply, "check L 8192 4096 9 0");
	/* the primary's own copies still work beside it */
	peer_ok(c.b, reply, "pat B 16384 64 11");
	peer_status(c.a, "SUCCESSFUL", "copy i 1 %#" PRIx64 " %#" PRIx64 " 64",
		c.wb + 16384, c.wb + 16384);

	/*
	 * The primary keeps a descriptor of B's window for late secondaries;
	 * a child it forks keeps neither that nor the window's mapping, or
	 * B's memory would live as long.
	 */
	peer_ok(c.a, reply, "where %#" PRIx64, c.wb);
	if (strcmp(reply, "ok none") == 0)
		fail_msg("A: B's window is not at B's address %#" PRIx64, c.wb);
	peer_ok(c.a, reply, "forkfds %#" PRIx64, c.wb);
	assert_string_equal(reply, "ok fds=0 mapped=0");

	/* What the primary owns, the secondary cannot do. */
	peer_err(c.a2, -ERR_SECONDARY, "create i %s", f->token);
	peer_err(c.a2, -ERR_SECONDARY, "join i %s %d", f->token, c.gid);
	peer_err(c.a2, -ERR_SECONDARY, "alloc X 4096 rw");
	peer_err(c.a2, -ERR_SECONDARY, "setup i 64 process %u %u", c.ha, c.hb);

	/*
	 * A window that comes later: the primary maps it when the broker's
	 * event reaches it (its next call to the broker comes after), and
	 * the secondary has it before the primary goes on...
	 */
	wc = mem_alloc(c.b, "C", 64 * KIB, "rw");
	assert_int_equal(handler_of(c.a, 'i', c.gid, c.b), c.hb);
	peer_status(c.a2, "SUCCESSFUL", "copy i 0 %#" PRIx64 " %#" PRIx64 " 4096",
		c.l2, wc);
	peer_ok(c.b, reply, "check C 0 4096 7 0");
	/* ...and one that goes is gone from the secondary as well. */
	peer_ok(c.b, reply, "free C");
	peer_status(c.a2, "INVALID_DST_ADDR",
		"copy i 0 %#" PRIx64 " %#" PRIx64 " 64", c.l2, wc);

	/* The primary leaves the group: the secondary's maps go with it. */
	peer_ok(c.a, reply, "leave i %d", c.gid);
	peer_status(c.a2, "DEV_LINK_ERROR",
		"copy i 0 %#" PRIx64 " %#" PRIx64 " 64", c.l2, c.wb);
	peer_quit(c.a2);
	peer_quit(c.a);
	peer_quit(c.b);
}

/*
 * The primary dies under its secondary: the broker tells B that A is
 * gone, and B may reuse its memory; the secondary, which still maps it,
 * must stop writing. Its vchan fails with a link error soon after.
 */
static void
test_secondary_orphan(void **state)
{
	struct fixture *f = *state;
	struct mp_cast c;

	mp_cast_start(f, &c);
	if (drv->stacked) {
		peer_quit(c.a2);
		return;
	}
	peer_status(c.a2, "SUCCESSFUL",
		"copy i 0 %#" PRIx64 " %#" PRIx64 " 64", c.l2, c.wb);
	test_proc_kill9(&c.a->proc);
	expect_event(c.b, c.gid, c.a->domain, "MEMBER_LEFT");
	copy_until_link_error(c.a2, 'i', c.l2, c.wb, "SUCCESSFUL");
	peer_quit(c.a2);
	peer_quit(c.b);
}

/*
 * A secondary that does not answer (stopped) makes A spend the 5 s of its
 * rte_mp request on each window it maps. B registers two windows, and A's
 * next broker call, whose reply comes after them, waits about 10 s: it
 * succeeds, because that time is A's own mapping, not the broker being
 * silent (the library's wait for a reply is 5 s). Once A2 runs again, it
 * copies as before.
 */
static void
test_secondary_stopped(void **state)
{
	struct fixture *f = *state;
	char reply[TEST_PROC_LINE], want[32];
	struct mp_cast c;
	uint64_t t0, ms;

	mp_cast_start(f, &c);
	/* A2 runs, with B's window mapped (it answered A before it stops). */
	peer_ok(c.a2, reply, "pat L 0 64 3");
	stop_peer(c.a2);
	mem_alloc(c.b, "C", 64 * KIB, "rw");
	mem_alloc(c.b, "D", 64 * KIB, "rw");
	t0 = test_proc_now_ns();
	test_proc_post(&c.a->proc, "handler i %d %s", c.gid, c.b->domain);
	test_proc_reply(&c.a->proc, reply, 3 * REPLY_MS);
	ms = (test_proc_now_ns() - t0) / 1000000u;
	print_message("  A's handler_get behind two windows: %" PRIu64 " ms\n",
		ms);
	snprintf(want, sizeof(want), "ok %u", c.hb);
	if (strcmp(reply, want) != 0)
		fail_msg("A: handler_get while mapping for a stopped secondary: '%s' (want '%s')",
			reply, want);
	/* Otherwise the call did not outlive the library's 5 s wait. */
	if (ms < 6000)
		fail_msg("A mapped two windows in %" PRIu64 " ms: A2 was not waited for",
			ms);
	assert_int_equal(kill(c.a2->proc.pid, SIGCONT), 0);
	if (!drv->stacked) {
		peer_status(c.a2, "SUCCESSFUL",
			"copy i 0 %#" PRIx64 " %#" PRIx64 " 64", c.l2, c.wb);
		peer_ok(c.b, reply, "check B 0 64 3 0");
	}
	peer_quit(c.a2);
	peer_quit(c.a);
	peer_quit(c.b);
}

/*
 * Class B and a secondary: B grants its memory to A (a primary), A
 * attaches it and sets a vchan up, A's secondary A2 writes into the
 * grant. B's revoke returns only once A2, too, can write no more.
 */
static void
test_grant_secondary(void **state)
{
	struct fixture *f = *state;
	const unsigned int len = STREAM_NBLK * STREAM_BS;
	char reply[TEST_PROC_LINE], res[TEST_PROC_LINE];
	struct peer *a, *a2, *b;
	uint64_t wb, l2;
	unsigned int h;

	mp_setup_or_skip(f);
	a = mp_peer_start(f, "A", false);
	b = peer_start(f, "B");
	wb = mem_alloc(b, "W", len, "rw");
	h = grant_as_dst(f, b, a, 'i', "W", len);
	a2 = mp_peer_start(f, "A2", true);
	l2 = mem_mfd(a2, "L", 64 * KIB, "none");
	peer_ok(a2, reply, "pat L 0 4096 5");
	/* As in test_secondary: a stacked device refuses a secondary. */
	if (drv->stacked) {
		peer_err(a2, -EBUSY, "copy i 0 %#" PRIx64 " %#" PRIx64 " 4096",
			l2, wb);
		peer_quit(a2);
		return;
	}
	peer_status(a2, "SUCCESSFUL", "copy i 0 %#" PRIx64 " %#" PRIx64 " 4096",
		l2, wb);
	peer_ok(b, reply, "check W 0 4096 5 0");

	/* A2 streams into the grant while B revokes it. */
	stream_start(a2, 'i', wb, test_seed(), STREAM_OPS);
	peer_ok(b, reply, "revoke %u", h);
	peer_ok(b, reply, "set W 0 %u 0x5a", len);
	stream_end(a2, STREAM_OPS, res);
	if (kv(res, "ok") < STREAM_OPS || kv(res, "ok_after_mark") != 0 ||
			kv(res, "src") + kv(res, "other") != 0)
		fail_msg("A2's stream into the revoked grant: %s (want: successes, then only INVALID_DST_ADDR or DEV_LINK_ERROR)",
			res);
	/* Nothing landed after the revoke returned. */
	peer_ok(b, reply, "same W 0 %u 0x5a", len);
	peer_quit(a2);
	peer_quit(a);
	peer_quit(b);
}

/*
 * A member leaves while copies it submitted into a peer are not reaped
 * yet: on a stacked device they may still be at the engine device, inside
 * the vchan's read section, and it is the leaving thread itself that must
 * unmap the peer's windows. They complete first (they were submitted
 * before the leave) and are reported afterwards; nothing waits forever.
 */
static void
test_leave_outstanding(void **state)
{
	struct fixture *f = *state;
	struct peer *a = peer_start(f, "A"), *b = peer_start(f, "B");
	char reply[TEST_PROC_LINE];
	unsigned int ha, hb;
	uint64_t la, wb;
	int gid;

	/* B creates (a creator cannot leave), A joins. */
	gid = group_of(f, 'i', b, &a, 1);
	wb = mem_alloc(b, "B", MIB, "rw");
	la = mem_alloc(a, "A", MIB, "rw");
	ha = handler_of(a, 'i', gid, a);
	hb = handler_of(a, 'i', gid, b);
	peer_ok(a, reply, "setup i 64 process %u %u", ha, hb);
	peer_ok(a, reply, "pat A 0 %u 5", MIB);
	peer_ok(a, reply, "post i 0 %#" PRIx64 " %#" PRIx64 " %u 64", la, wb,
		16 * KIB);
	peer_ok(a, reply, "leave i %d", gid);
	peer_ok(a, reply, "reap i 0 64");
	assert_string_equal(reply, "ok ok=64 fail=0");
	peer_ok(b, reply, "check B 0 %u 5 0", MIB);
	peer_status(a, "DEV_LINK_ERROR", "copy i 0 %#" PRIx64 " %#" PRIx64 " 64",
		la, wb);
	peer_quit(a);
	peer_quit(b);
}

static void
test_leave(void **state)
{
	struct fixture *f = *state;
	struct peer *a = peer_start(f, "A"), *b = peer_start(f, "B");
	char reply[TEST_PROC_LINE];
	unsigned int ha, hb, ab, bb;
	uint64_t wa, wb;
	int gid;

	gid = group_of(f, 'i', a, &b, 1);
	wa = mem_alloc(a, "A", 64 * KIB, "rw");
	wb = mem_alloc(b, "B", 64 * KIB, "rw");
	ha = handler_of(a, 'i', gid, a);
	hb = handler_of(a, 'i', gid, b);
	ab = handler_of(b, 'i', gid, a);
	bb = handler_of(b, 'i', gid, b);
	peer_ok(a, reply, "setup i 64 process %u %u", ha, hb);
	peer_ok(b, reply, "setup i 64 process %u %u", bb, ab);
	peer_ok(a, reply, "pat A 0 4096 3");
	peer_status(a, "SUCCESSFUL", "copy i 0 %#" PRIx64 " %#" PRIx64 " 4096",
		wa, wb);
	peer_status(b, "SUCCESSFUL", "copy i 0 %#" PRIx64 " %#" PRIx64 " 64",
		wb + 8192, wa + 8192);

	peer_ok(b, reply, "leave i %d", gid);
	expect_event(a, gid, b->domain, "MEMBER_LEFT");
	peer_status(a, "DEV_LINK_ERROR", "copy i 0 %#" PRIx64 " %#" PRIx64 " 64",
		wa, wb);
	peer_status(a, sg_fill_status(a, 'i', "DEV_LINK_ERROR"),
		"fill i 0 0 %#" PRIx64 " 64", wb);
	peer_status(a, sg_fill_status(a, 'i', "DEV_LINK_ERROR"),
		"sg i 0 %#" PRIx64 ":64 %#" PRIx64 ":64", wa, wb);
	/* the leaver's view of the group is gone as well */
	peer_status(b, "DEV_LINK_ERROR", "copy i 0 %#" PRIx64 " %#" PRIx64 " 64",
		wb, wa);
	peer_err(a, -ENOENT, "setup i 64 process %u %u", ha, hb);
	peer_err(b, -ENOENT, "setup i 64 process %u %u", bb, ab);
	peer_err(b, -ENOENT, "handler i %d %s", gid, a->domain);
	/* what was written before is intact */
	peer_ok(b, reply, "check B 0 4096 3 0");

	peer_ok(a, reply, "destroy i %d", gid);
	peer_err(a, -ENOENT, "setup i 64 process %u %u", ha, ha);
}

/*
 * B unregisters a window while A streams into it: the call returns only
 * once no op of A can write it any more, so B may reuse the memory at
 * once; every op A starts afterwards fails with INVALID_DST_ADDR.
 */
static void
test_unregister(void **state)
{
	struct fixture *f = *state;
	const char dev = f->dev;
	struct peer *a = peer_start(f, "A"), *b = peer_start(f, "B");
	const unsigned int len = STREAM_NBLK * STREAM_BS;
	char reply[TEST_PROC_LINE], res[TEST_PROC_LINE];
	uint64_t seed = test_seed(), wb, la;
	unsigned int ha, hb;
	int gid;

	gid = group_of(f, dev, a, &b, 1);
	wb = mem_mfd(b, "W", len, "both");
	peer_ok(b, reply, "reg W 0 0 %u rw", len);
	la = mem_alloc(a, "A", 4 * KIB, "rw");
	ha = handler_of(a, dev, gid, a);
	hb = handler_of(a, dev, gid, b);
	peer_ok(a, reply, "setup %c 64 process %u %u", dev, ha, hb);

	stream_start(a, dev, wb, seed, STREAM_OPS);
	peer_ok(b, reply, "unreg W");
	peer_ok(b, reply, "set W 0 %u 0x5a", len);
	stream_end(a, STREAM_OPS, res);
	if (kv(res, "ok") < STREAM_OPS ||
			kv(res, "ok_after_mark") != 0 ||
			kv(res, "dst") < STREAM_OPS ||
			kv(res, "src") + kv(res, "link") + kv(res, "other") != 0 ||
			kv_signed(res, "last_ok") >= kv_signed(res, "first_fail"))
		fail_msg("A's stream into the unregistered window: %s (want: successes, then only INVALID_DST_ADDR)",
			res);
	/* Nothing landed after unregister returned. */
	peer_ok(b, reply, "same W 0 %u 0x5a", len);
	peer_status(a, "INVALID_DST_ADDR", "copy %c 0 %#" PRIx64 " %#" PRIx64 " 64",
		dev, la, wb);

	/* The same memory can be shared again. */
	peer_ok(b, reply, "reg W 0 0 %u rw", len);
	assert_int_equal(handler_of(a, dev, gid, b), hb);
	peer_ok(a, reply, "pat A 0 64 3");
	peer_status(a, "SUCCESSFUL", "copy %c 0 %#" PRIx64 " %#" PRIx64 " 64",
		dev, la, wb + 4096);
	peer_ok(b, reply, "check W 4096 64 3 0");
}

/*
 * End @pe's stream into @owner's region W, seeded @seed, once @more ops
 * enqueued from now on have completed: every op must have succeeded
 * (@while_what says under what, for the message), and W must hold the
 * stamp of the last op into each block.
 */
static void
stream_end_intact(struct peer *pe, struct peer *owner, uint64_t seed,
		uint64_t more, const char *while_what)
{
	char reply[TEST_PROC_LINE], res[TEST_PROC_LINE];
	uint64_t ops;

	stream_end(pe, more, res);
	ops = kv(res, "ops");
	if (kv(res, "ok") != ops)
		fail_msg("%s's stream while %s: %s (want: only successes)",
			pe->proc.name, while_what, res);
	snprintf(res, sizeof(res), "%s", peer_ok(owner, reply, "stamps W %u %u %" PRIu64,
		STREAM_NBLK, STREAM_BS, seed));
	assert_int_equal(kv(res, "torn"), 0);
	assert_int_equal(kv(res, "done"), ops);
}

/*
 * Windows come and go while a peer streams into another window of the
 * same owner: every change replaces the table the stream translates
 * through, and none may fail or misplace a single op.
 */
static void
test_churn(void **state)
{
	struct fixture *f = *state;
	const char dev = f->dev;
	struct peer *a = peer_start(f, "A"), *b = peer_start(f, "B");
	char reply[TEST_PROC_LINE];
	uint64_t seed = test_seed(), wb;
	unsigned int ha, hb, i;
	int gid;

	gid = group_of(f, dev, a, &b, 1);
	wb = mem_alloc(b, "W", STREAM_NBLK * STREAM_BS, "rw");
	ha = handler_of(a, dev, gid, a);
	hb = handler_of(a, dev, gid, b);
	peer_ok(a, reply, "setup %c 64 process %u %u", dev, ha, hb);
	stream_start(a, dev, wb, seed, STREAM_OPS / 4);
	for (i = 0; i < CHURN_ROUNDS; i++) {
		mem_alloc(b, "X", (i % 3 + 1) * 4 * KIB, i % 2 ? "r" : "rw");
		if (i % 4 == 0)
			mem_alloc(b, "Y", 64 * KIB, "w");
		peer_ok(b, reply, "free X");
		if (i % 4 == 0)
			peer_ok(b, reply, "free Y");
	}
	stream_end_intact(a, b, seed, STREAM_OPS / 4, "B's windows changed");
}

/*
 * Grants come and go while the grantee streams into another grant of the
 * same owner on the same device: each attach and detach replaces the
 * table the stream translates through, and every fourth revoke finds the
 * grant still attached, so that it waits for the grantee to unmap it
 * under the stream. None may fail or misplace a single op.
 */
static void
test_grant_churn(void **state)
{
	struct fixture *f = *state;
	const char dev = f->dev;
	struct peer *a = peer_start(f, "A"), *b = peer_start(f, "B");
	char reply[TEST_PROC_LINE];
	uint64_t seed = test_seed(), wb, size;
	unsigned int h, i;

	wb = mem_alloc(b, "W", STREAM_NBLK * STREAM_BS, "rw");
	grant_as_dst(f, b, a, dev, "W", STREAM_NBLK * STREAM_BS);
	stream_start(a, dev, wb, seed, STREAM_OPS / 4);
	for (i = 0; i < CHURN_ROUNDS; i++) {
		size = (i % 3 + 1) * 4 * KIB;
		mem_alloc(b, "X", size, "rw");
		h = grant_to(f, b, a, "X", 0, size, i % 2 ? "r" : "rw");
		attach(f, a, dev, h);
		if (i % 4 != 3)
			peer_ok(a, reply, "detach %c %u", dev, h);
		peer_ok(b, reply, "revoke %u", h);
		if (i % 4 == 3)
			expect_grant_gone(a, b->domain);
		peer_ok(b, reply, "free X");
	}
	stream_end_intact(a, b, seed, STREAM_OPS / 4, "B's grants changed");
}

int
main(void)
{
	unsigned int i;
	const struct CMUnitTest tests[] = {
		/* errors first */
		cmocka_unit_test_setup_teardown(test_reg_errors, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_class_mismatch, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_telemetry_windows, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_vchan_setup, setup,
			teardown),
		cmocka_unit_test_prestate_setup_teardown(test_random, setup,
			teardown, (void *)(uintptr_t)&inline_engine),
		cmocka_unit_test_prestate_setup_teardown(test_random, setup,
			teardown, (void *)(uintptr_t)&lcore_engine),
		cmocka_unit_test_setup_teardown(test_random_many, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_share_dpdk, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_leave, setup, teardown),
		cmocka_unit_test_setup_teardown(test_leave_outstanding, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_secondary, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_secondary_orphan, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_secondary_stopped, setup,
			teardown),
		cmocka_unit_test_prestate_setup_teardown(test_unregister,
			setup, teardown, (void *)(uintptr_t)&inline_engine),
		cmocka_unit_test_prestate_setup_teardown(test_unregister,
			setup, teardown, (void *)(uintptr_t)&lcore_engine),
		cmocka_unit_test_prestate_setup_teardown(test_kill, setup,
			teardown, (void *)(uintptr_t)&inline_engine),
		cmocka_unit_test_prestate_setup_teardown(test_kill, setup,
			teardown, (void *)(uintptr_t)&lcore_engine),
		cmocka_unit_test_setup_teardown(test_shrink, setup, teardown),
		/* then what works */
		cmocka_unit_test_prestate_setup_teardown(test_copy, setup,
			teardown, (void *)(uintptr_t)&inline_engine),
		cmocka_unit_test_prestate_setup_teardown(test_copy, setup,
			teardown, (void *)(uintptr_t)&lcore_engine),
		cmocka_unit_test_prestate_setup_teardown(test_dmabuf_udmabuf,
			setup, teardown, (void *)(uintptr_t)&inline_engine),
		cmocka_unit_test_prestate_setup_teardown(test_dmabuf_heap,
			setup, teardown, (void *)(uintptr_t)&lcore_engine),
		cmocka_unit_test_setup_teardown(test_dmabuf_errors, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_placement, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_third_party, setup,
			teardown),
		cmocka_unit_test_prestate_setup_teardown(test_churn, setup,
			teardown, (void *)(uintptr_t)&inline_engine),
		cmocka_unit_test_prestate_setup_teardown(test_churn, setup,
			teardown, (void *)(uintptr_t)&lcore_engine),
		cmocka_unit_test_prestate_setup_teardown(test_sg_fill, setup,
			teardown, (void *)(uintptr_t)&inline_engine),
		cmocka_unit_test_prestate_setup_teardown(test_sg_fill, setup,
			teardown, (void *)(uintptr_t)&lcore_engine),
		cmocka_unit_test_setup_teardown(test_inter_os, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_grant_other_class, setup,
			teardown),
	};
	/*
	 * Class B: memory reaches a device through grants, never through
	 * groups (test_grant_errors checks the refusals), so the grant cases
	 * stand for the group ones.
	 */
	const struct CMUnitTest grant_tests[] = {
		cmocka_unit_test_setup_teardown(test_grant_secondary, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_grant_errors, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_grant_revoke_stuck, setup,
			teardown),
		cmocka_unit_test_prestate_setup_teardown(test_grant_revoke,
			setup, teardown, (void *)(uintptr_t)&inline_engine),
		cmocka_unit_test_prestate_setup_teardown(test_grant_revoke,
			setup, teardown, (void *)(uintptr_t)&lcore_engine),
		cmocka_unit_test_prestate_setup_teardown(test_grant_owner_kill,
			setup, teardown, (void *)(uintptr_t)&inline_engine),
		cmocka_unit_test_prestate_setup_teardown(test_grant_owner_kill,
			setup, teardown, (void *)(uintptr_t)&lcore_engine),
		cmocka_unit_test_prestate_setup_teardown(test_grant_copy, setup,
			teardown, (void *)(uintptr_t)&inline_engine),
		cmocka_unit_test_prestate_setup_teardown(test_grant_copy, setup,
			teardown, (void *)(uintptr_t)&lcore_engine),
		cmocka_unit_test_prestate_setup_teardown(test_grant_random,
			setup, teardown, (void *)(uintptr_t)&inline_engine),
		cmocka_unit_test_prestate_setup_teardown(test_grant_random,
			setup, teardown, (void *)(uintptr_t)&lcore_engine),
		cmocka_unit_test_prestate_setup_teardown(test_grant_churn,
			setup, teardown, (void *)(uintptr_t)&inline_engine),
		cmocka_unit_test_prestate_setup_teardown(test_grant_churn,
			setup, teardown, (void *)(uintptr_t)&lcore_engine),
	};
	const char *peer = peer_path();

	if (peer == NULL || access(peer, X_OK) != 0) {
		fprintf(stderr, "XD_PEER (%s) is not the test_xd_peer program: skipped\n",
			peer != NULL ? peer : "unset");
		return EXIT_SKIP;
	}
	/* A peer that died must not kill this process when written to. */
	signal(SIGPIPE, SIG_IGN);
	if (getenv("XD_TEST") != NULL)
		cmocka_set_test_filter(getenv("XD_TEST"));
	for (i = 0; getenv("XD_DRIVER") != NULL && i < DIM(drv_classes); i++)
		if (strcmp(getenv("XD_DRIVER"), drv_classes[i].name) == 0)
			drv = &drv_classes[i];
	if (getenv("XD_DRIVER") != NULL &&
			strcmp(getenv("XD_DRIVER"), drv->name) != 0) {
		fprintf(stderr, "XD_DRIVER=%s: not a driver of ours (skeleton, cnxk, idxd; NAME-stacked)\n",
			getenv("XD_DRIVER"));
		return EXIT_FAILURE;
	}
	if (drv->grants)
		return cmocka_run_group_tests_name(drv->name, grant_tests, NULL,
			group_teardown);
	return cmocka_run_group_tests_name(drv->name, tests, NULL,
		group_teardown);
}
