/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-dma-xd authors
 */

/*
 * A scriptable process domain for the datapath tests (test_xd_datapath.c):
 * one EAL process with three devices, two of the driver under test
 * (XD_DRIVER: skeleton, the default, cnxk or idxd, or any of them stacked
 * over Debian's dma_skeleton: skeleton-stacked...) and one of another class,
 *
 *   i  dma_xd_skeleton0          inline engine (copies run at submit)
 *   l  dma_xd_skeleton1,lcore=1  engine on lcore 1
 *   x  dma_xd_cnxk9              inline, Class A
 *
 * (for cnxk: dma_xd_cnxk0, dma_xd_cnxk1,lcore=1 and dma_xd_skeleton9; for
 * idxd, Class B: dma_xd_idxd0, dma_xd_idxd1,lcore=1 and dma_xd_skeleton9),
 *
 * and named memory regions. It prints "ready DOMAIN" once EAL is up (or
 * "fail -ERRNO" and exits), then answers one line per command line:
 * "ok [...]" or "err -ERRNO" ("err usage" for a malformed command, "err
 * MESSAGE" for a failed check). Addresses are hexadecimal (0x...), so the
 * orchestrator can pass them from one peer to another; other numbers may
 * be decimal or hexadecimal.
 *
 * Groups
 *   domain                        ok UUID
 *   create DEV TOKEN              ok GID
 *   join DEV TOKEN GID            ok
 *   leave DEV GID | destroy DEV GID
 *   handler DEV GID DOMAIN        ok H
 *   ns                            ok pid=PID host=HOSTNAME
 * Class B grants
 *   grant TOKEN DOMAIN NAME OFF LEN FLAGS   ok H: rte_dma_domain_grant_create()
 *                                 of NAME's [OFF, OFF+LEN) to DOMAIN
 *   revoke H                      rte_dma_domain_grant_revoke()
 *   attach DEV TOKEN H            ok OWN: rte_dma_domain_grant_attach()
 *   detach DEV H                  rte_dma_domain_grant_detach()
 * Memory (a region is a name for local memory)
 *   alloc NAME LEN FLAGS          ok ADDR     rte_dma_domain_mem_alloc()
 *   free NAME                                  rte_dma_domain_mem_free()
 *   mfd NAME SIZE SEALS           ok ADDR     a memfd of our own, mapped
 *                                             shared; SEALS none, shrink,
 *                                             grow or both (+ F_SEAL_SEAL)
 *   dmabuf NAME SIZE KIND         ok ADDR     a dma-buf from a real
 *                                             exporter, mapped shared:
 *                                             KIND udmabuf (of a sealed
 *                                             memfd), udmabuf-unsealed,
 *                                             heap (/dev/dma_heap/system)
 *                                             or heap-ro (read-only fd)
 *   file NAME PATH                ok ADDR SIZE  PATH opened read-write and
 *                                             mapped shared, whole (e.g. a
 *                                             VM's region: /proc/PID/fd/N)
 *   ivshmem NAME                  ok ADDR SIZE  in a guest: BAR 2 of the
 *                                             ivshmem device (1af4:1110),
 *                                             enabled, mapped shared
 *   reg NAME AOFF FOFF LEN FLAGS [FD]         rte_dma_domain_mem_register(
 *                                             base+AOFF, LEN, fd, FOFF);
 *                                             FD rw (default), ro (a
 *                                             read-only reopen), pipe
 *   unreg NAME [AOFF]                         rte_dma_domain_mem_unregister
 *   share FLAGS                   ok N        rte_dma_domain_mem_share_dpdk()
 *   addr NAME                     ok ADDR SIZE
 *   pat NAME OFF LEN SEED         local write: byte OFF+k = pat(SEED, k)
 *   set NAME OFF LEN BYTE         local memset
 *   check NAME OFF LEN SEED K0    byte OFF+k must be pat(SEED, K0+k)
 *   same NAME OFF LEN BYTE        every byte must be BYTE
 *   fillchk NAME OFF LEN PATTERN  what rte_dma_fill(PATTERN) writes
 *   sum NAME OFF LEN              ok HASH (FNV-1a 64)
 *   guard NAME SEED               bytes of the region outside its writable
 *                                 windows must still be pat(SEED, off)
 *   hole ADDR LEN                 reserve [ADDR, ADDR+LEN) here: an
 *                                 inaccessible mapping that only this
 *                                 command makes (MAP_FIXED_NOREPLACE)
 *   where ADDR                    ok START END PERMS PATH: the mapping
 *                                 holding ADDR (PATH "-" if anonymous),
 *                                 or ok none
 *   shrink                        every memfd mapped here must refuse
 *                                 ftruncate/fallocate with EPERM:
 *                                 ok N sizes=S,S,...
 *   forkfds ADDR                  ok fds=N mapped=0|1: how many memfds a
 *                                 fork()ed child of this process has
 *                                 open, and whether ADDR is mapped in it
 * Datapath (FLAGS: r, w, rw or a number; TYPE none, process, os)
 *   setup DEV NB_DESC TYPE SRC DST [TYPE SRC DST]...
 *                                 stop, configure one vchan per triple,
 *                                 rte_dma_domain_vchan_setup(), start
 *   copy DEV V SRC DST LEN        ok STATUS (completion status name)
 *   fill DEV V PATTERN DST LEN    ok STATUS
 *   sg DEV V A:L,A:L,... A:L,...  ok STATUS (sources, destinations)
 *   post DEV V SRC DST LEN N      enqueue N copies of LEN bytes (block k
 *                                 at SRC/DST + k * LEN), submit, and
 *                                 leave them unreaped
 *   reap DEV V N                  ok ok=K fail=F: N completions
 *   lay clear | lay add OFF:LEN:PERM,...
 *                                 the windows of a peer's region, in
 *                                 increasing order, for random
 *   random DEV SEED NOPS BASE SIZE GSEED SRC DST
 *                                 random operations against a peer's
 *                                 region: see cmd_random()
 *   bg start DEV DST NBLK BS SEED stream stamped blocks on vchan 0 from a
 *                                 thread: op i writes stamp(SEED, i) to
 *                                 DST + (i % NBLK) * BS (BS: 8*n bytes)
 *                                 (DEV is busy for other commands: -EBUSY)
 *   bg wait N                     ok DONE, once DONE >= N ops completed
 *   bg mark                       ok M: ops from M on start after this
 *   bg stop                       ok ops=.. ok=.. link=.. src=.. dst=..
 *                                 other=.. last_ok=.. first_fail=..
 *                                 ok_after_mark=..
 *   stamps NAME NBLK BS SEED      ok done=K torn=T: the region holds what
 *                                 a stream's ops 0..K-1 wrote, in order,
 *                                 with at most op K half written
 *   quit
 *
 * Group events arrive asynchronously, on their own lines:
 *   event GID DOMAIN MEMBER_LEFT|GROUP_DESTROYED
 *
 * The first argument is a tag for the EAL file prefix.
 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/dma-heap.h>
#include <linux/udmabuf.h>

#include <rte_common.h>
#include <rte_dmadev.h>
#include <rte_pause.h>
#include <rte_uuid.h>

#include "rte_dmadev_domain.h"
#include "test_eal.h"

#define LINE_MAX_LEN 4096
#define MAX_WORDS 16
#define MAX_REGIONS 32
#define MAX_WINDOWS 128
#define MAX_VCHANS 4
#define MAX_SGES 16
/* Longest wait for a completion: the lcore engine shares its core. */
#define CPL_TIMEOUT_NS (5ull * 1000 * 1000 * 1000)
/* Longest "bg wait". */
#define BG_WAIT_NS (10ull * 1000 * 1000 * 1000)
/* Ops per batch of the random and streaming commands. */
#define BATCH 32
#define GOLDEN UINT64_C(0x9e3779b97f4a7c15)

/*
 * The devices, by driver under test (XD_DRIVER: skeleton, the default, or
 * cnxk): i and l of that driver, x of the other class, for refusals.
 */
static const struct peer_driver {
	const char *name;
	const char *vdevs[10];
	const char *devs[3]; /* i, l, x */
} drivers[] = {
	{
		"skeleton",
		{
			"--vdev=dma_xd_skeleton0",
			"--vdev=dma_xd_skeleton1,lcore=1",
			"--vdev=dma_xd_cnxk9",
			"--log-level=lib.eal:warning",
			"--log-level=pmd.dma.xd_*:warning",
		},
		{ "dma_xd_skeleton0", "dma_xd_skeleton1", "dma_xd_cnxk9" },
	},
	{
		/*
		 * The stacked engine over Debian's dma_skeleton (one vchan
		 * each): i on three of them, l on two with every window
		 * mapped for their DMA.
		 */
		"skeleton-stacked",
		{
			"--vdev=dma_skeleton0",
			"--vdev=dma_skeleton1",
			"--vdev=dma_skeleton2",
			"--vdev=dma_skeleton3",
			"--vdev=dma_skeleton4",
			"--vdev=dma_xd_skeleton0,engine=dma_skeleton0,engine=dma_skeleton1,engine=dma_skeleton2",
			"--vdev=dma_xd_skeleton1,engine=dma_skeleton3,engine=dma_skeleton4,engine_map=1",
			"--vdev=dma_xd_cnxk9",
			"--log-level=lib.eal:warning",
			"--log-level=pmd.dma.xd_*:warning",
		},
		{ "dma_xd_skeleton0", "dma_xd_skeleton1", "dma_xd_cnxk9" },
	},
	{
		/* As skeleton-stacked. */
		"cnxk-stacked",
		{
			"--vdev=dma_skeleton0",
			"--vdev=dma_skeleton1",
			"--vdev=dma_skeleton2",
			"--vdev=dma_skeleton3",
			"--vdev=dma_skeleton4",
			"--vdev=dma_xd_cnxk0,engine=dma_skeleton0,engine=dma_skeleton1,engine=dma_skeleton2",
			"--vdev=dma_xd_cnxk1,engine=dma_skeleton3,engine=dma_skeleton4,engine_map=1",
			"--vdev=dma_xd_skeleton9",
			"--log-level=lib.eal:warning",
			"--log-level=pmd.dma.xd_*:warning",
		},
		{ "dma_xd_cnxk0", "dma_xd_cnxk1", "dma_xd_skeleton9" },
	},
	{
		/* As skeleton-stacked. */
		"idxd-stacked",
		{
			"--vdev=dma_skeleton0",
			"--vdev=dma_skeleton1",
			"--vdev=dma_skeleton2",
			"--vdev=dma_skeleton3",
			"--vdev=dma_skeleton4",
			"--vdev=dma_xd_idxd0,engine=dma_skeleton0,engine=dma_skeleton1,engine=dma_skeleton2",
			"--vdev=dma_xd_idxd1,engine=dma_skeleton3,engine=dma_skeleton4,engine_map=1",
			"--vdev=dma_xd_skeleton9",
			"--log-level=lib.eal:warning",
			"--log-level=pmd.dma.xd_*:warning",
		},
		{ "dma_xd_idxd0", "dma_xd_idxd1", "dma_xd_skeleton9" },
	},
	{
		"cnxk",
		{
			"--vdev=dma_xd_cnxk0",
			"--vdev=dma_xd_cnxk1,lcore=1",
			"--vdev=dma_xd_skeleton9",
			"--log-level=lib.eal:warning",
			"--log-level=pmd.dma.xd_*:warning",
		},
		{ "dma_xd_cnxk0", "dma_xd_cnxk1", "dma_xd_skeleton9" },
	},
	{
		"idxd",
		{
			"--vdev=dma_xd_idxd0",
			"--vdev=dma_xd_idxd1,lcore=1",
			"--vdev=dma_xd_skeleton9",
			"--log-level=lib.eal:warning",
			"--log-level=pmd.dma.xd_*:warning",
		},
		{ "dma_xd_idxd0", "dma_xd_idxd1", "dma_xd_skeleton9" },
	},
};

static const char dev_letters[] = { 'i', 'l', 'x' };
static const struct peer_driver *driver = &drivers[0];

static int16_t dev_ids[RTE_DIM(dev_letters)];
static rte_uuid_t own_domain;
/*
 * The CPUs this process may use, before EAL pinned the main thread (and
 * with it every thread it creates) to the main lcore's CPU: the stream
 * thread runs anywhere, beside the main thread and the peers' threads.
 */
static cpu_set_t all_cpus;

/* A window registered on a region, as this process registered it. */
struct reg_window {
	uint64_t off;
	uint64_t len;
	uint32_t perm;
};

struct region {
	bool used;
	bool allocated;     /* rte_dma_domain_mem_alloc() */
	char name[16];
	uint8_t *addr;
	size_t size;
	int fd;             /* mfd: our memfd; -1 otherwise */
	struct reg_window win[MAX_WINDOWS];
	unsigned int nb_win;
};

static struct region regions[MAX_REGIONS];

/* Replies (main thread), events (event thread) share stdout. */
static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;

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
	char text[37];

	RTE_SET_USED(dev_id);
	rte_uuid_unparse(domain_id, text, sizeof(text));
	say("event %d %s %s", group_id, text,
		event == RTE_DMA_GROUP_EVENT_MEMBER_LEFT ? "MEMBER_LEFT" :
		event == RTE_DMA_GROUP_EVENT_GROUP_DESTROYED ?
			"GROUP_DESTROYED" : "UNKNOWN");
}

/* ---- patterns ---- */

/* splitmix64's finaliser: every input bit moves every output bit. */
static inline uint64_t
mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= UINT64_C(0xbf58476d1ce4e5b9);
	x ^= x >> 27;
	x *= UINT64_C(0x94d049bb133111eb);
	x ^= x >> 31;
	return x;
}

static inline uint64_t
pat_word(uint64_t seed, uint64_t idx)
{
	return mix64(seed ^ (idx * GOLDEN) ^ UINT64_C(0x5bd1e9955bd1e995));
}

/* Byte @k of the pattern of @seed. */
static inline uint8_t
pat_byte(uint64_t seed, uint64_t k)
{
	return (uint8_t)(pat_word(seed, k >> 3) >> (8 * (k & 7)));
}

static void
pat_fill(uint8_t *dst, size_t len, uint64_t seed, uint64_t k0)
{
	size_t i;

	for (i = 0; i < len; i++)
		dst[i] = pat_byte(seed, k0 + i);
}

/* What the CPU engine's fill writes: the pattern's bytes, repeated. */
static inline uint8_t
fill_byte(uint64_t pattern, uint64_t k)
{
	return (uint8_t)(pattern >> (8 * (k & 7)));
}

/*
 * Word @k of the stamp of stream op @i: i + 1 (never 0) first, then words
 * that differ from those of every other op. Cheap on purpose: the stream
 * should spend its time in the engine's copies, where a kill -9 is meant
 * to land, not in making stamps.
 */
static inline uint64_t
stamp_word(uint64_t seed, uint64_t i, uint64_t k)
{
	if (k == 0)
		return i + 1;
	return (seed ^ ((i + 1) * GOLDEN)) + k * UINT64_C(0xff51afd7ed558ccd);
}

static inline uint8_t
stamp_byte(uint64_t seed, uint64_t i, uint32_t k)
{
	return (uint8_t)(stamp_word(seed, i, k >> 3) >> (8 * (k & 7)));
}

/* @bs is a multiple of 8. */
static void
stamp_fill(uint8_t *dst, uint32_t bs, uint64_t seed, uint64_t i)
{
	uint32_t k;

	for (k = 0; k < bs / 8; k++) {
		uint64_t v = stamp_word(seed, i, k);

		memcpy(dst + 8 * k, &v, sizeof(v));
	}
}

static uint64_t
fnv1a(const uint8_t *p, size_t len)
{
	uint64_t h = UINT64_C(0xcbf29ce484222325);
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= p[i];
		h *= UINT64_C(0x100000001b3);
	}
	return h;
}

/* ---- arguments ---- */

static int
arg_u64(const char *s, uint64_t *v)
{
	char *end;

	if (s == NULL || s[0] == '\0' || s[0] == '-')
		return -EINVAL;
	errno = 0;
	*v = strtoull(s, &end, 0);
	return errno != 0 || *end != '\0' ? -EINVAL : 0;
}

static int
arg_u32(const char *s, uint32_t *v)
{
	uint64_t x;

	if (arg_u64(s, &x) != 0 || x > UINT32_MAX)
		return -EINVAL;
	*v = (uint32_t)x;
	return 0;
}

static int
arg_dev(const char *s, int16_t *dev_id)
{
	unsigned int i;

	if (s == NULL || s[0] == '\0' || s[1] != '\0')
		return -EINVAL;
	for (i = 0; i < RTE_DIM(dev_letters); i++) {
		if (dev_letters[i] == s[0]) {
			*dev_id = dev_ids[i];
			return 0;
		}
	}
	return -EINVAL;
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

/* r, w, rw, or a raw number (to pass undefined bits). */
static int
arg_flags(const char *s, uint64_t *flags)
{
	if (s == NULL)
		return -EINVAL;
	if (strcmp(s, "r") == 0)
		*flags = RTE_DMA_DOMAIN_MEM_READ;
	else if (strcmp(s, "w") == 0)
		*flags = RTE_DMA_DOMAIN_MEM_WRITE;
	else if (strcmp(s, "rw") == 0)
		*flags = RTE_DMA_DOMAIN_MEM_READ | RTE_DMA_DOMAIN_MEM_WRITE;
	else
		return arg_u64(s, flags);
	return 0;
}

static int
arg_type(const char *s, enum rte_dma_inter_domain_type *type)
{
	if (strcmp(s, "none") == 0)
		*type = RTE_DMA_INTER_DOMAIN_NONE;
	else if (strcmp(s, "process") == 0)
		*type = RTE_DMA_INTER_PROCESS_DOMAIN;
	else if (strcmp(s, "os") == 0)
		*type = RTE_DMA_INTER_OS_DOMAIN;
	else
		return -EINVAL;
	return 0;
}

static struct region *
region_find(const char *name)
{
	unsigned int i;

	for (i = 0; i < MAX_REGIONS; i++)
		if (regions[i].used && strcmp(regions[i].name, name) == 0)
			return &regions[i];
	return NULL;
}

static struct region *
region_new(const char *name)
{
	unsigned int i;

	if (strlen(name) >= sizeof(regions[0].name) ||
			region_find(name) != NULL)
		return NULL;
	for (i = 0; i < MAX_REGIONS; i++) {
		if (!regions[i].used) {
			memset(&regions[i], 0, sizeof(regions[i]));
			snprintf(regions[i].name, sizeof(regions[i].name), "%s",
				name);
			regions[i].fd = -1;
			return &regions[i];
		}
	}
	return NULL;
}

/* NAME OFF LEN: a range inside a region. */
static int
arg_range(char **w, struct region **r, uint64_t *off, uint64_t *len)
{
	*r = region_find(w[0]);
	if (*r == NULL || arg_u64(w[1], off) != 0 || arg_u64(w[2], len) != 0 ||
			*off > (*r)->size || *len > (*r)->size - *off)
		return -EINVAL;
	return 0;
}

static const char *
status_name(enum rte_dma_status_code st)
{
	static const char *const names[] = {
		[RTE_DMA_STATUS_SUCCESSFUL] = "SUCCESSFUL",
		[RTE_DMA_STATUS_USER_ABORT] = "USER_ABORT",
		[RTE_DMA_STATUS_NOT_ATTEMPTED] = "NOT_ATTEMPTED",
		[RTE_DMA_STATUS_INVALID_SRC_ADDR] = "INVALID_SRC_ADDR",
		[RTE_DMA_STATUS_INVALID_DST_ADDR] = "INVALID_DST_ADDR",
		[RTE_DMA_STATUS_INVALID_ADDR] = "INVALID_ADDR",
		[RTE_DMA_STATUS_INVALID_LENGTH] = "INVALID_LENGTH",
		[RTE_DMA_STATUS_INVALID_OPCODE] = "INVALID_OPCODE",
		[RTE_DMA_STATUS_BUS_READ_ERROR] = "BUS_READ_ERROR",
		[RTE_DMA_STATUS_BUS_WRITE_ERROR] = "BUS_WRITE_ERROR",
		[RTE_DMA_STATUS_BUS_ERROR] = "BUS_ERROR",
		[RTE_DMA_STATUS_DATA_POISION] = "DATA_POISON",
		[RTE_DMA_STATUS_DESCRIPTOR_READ_ERROR] = "DESCRIPTOR_READ_ERROR",
		[RTE_DMA_STATUS_DEV_LINK_ERROR] = "DEV_LINK_ERROR",
		[RTE_DMA_STATUS_PAGE_FAULT] = "PAGE_FAULT",
	};

	if ((unsigned int)st < RTE_DIM(names) && names[st] != NULL)
		return names[st];
	return "ERROR_UNKNOWN";
}

/* ---- the datapath ---- */

/* The statuses of the next @n operations of @vchan, in order. */
static int
wait_done(int16_t dev_id, uint16_t vchan, uint16_t n,
		enum rte_dma_status_code *st)
{
	uint64_t deadline = test_now_ns() + CPL_TIMEOUT_NS;
	uint16_t got = 0, last;

	while (got < n) {
		uint16_t k = rte_dma_completed_status(dev_id, vchan, n - got,
			&last, st + got);

		got += k;
		if (k == 0) {
			if (test_now_ns() > deadline)
				return -ETIMEDOUT;
			rte_pause();
		}
	}
	return 0;
}

/* One enqueued operation (already submitted): its status as the reply. */
static void
reply_one(int16_t dev_id, uint16_t vchan, int enq)
{
	enum rte_dma_status_code st;
	int ret;

	if (enq < 0) {
		say("err %d", enq);
		return;
	}
	ret = wait_done(dev_id, vchan, 1, &st);
	if (ret != 0)
		say("err %d", ret);
	else
		say("ok %s", status_name(st));
}

/* ---- streaming thread (bg) ---- */

static struct {
	pthread_t thread;
	bool running;
	int16_t dev_id;
	uint64_t dst;
	uint32_t nblk;
	uint32_t bs;
	uint64_t seed;
	uint8_t *src;            /* BATCH blocks, local */
	/* Shared while the thread runs: atomics. */
	uint32_t stop;
	uint64_t next;           /* ops claimed: enqueued or about to be */
	uint64_t done;           /* ops completed */
	uint64_t mark;           /* set by the main thread */
	int error;               /* a failure of the stream itself */
	/* The thread's own; read after it is joined. */
	uint64_t nb_ok, nb_link, nb_src, nb_dst, nb_other;
	uint64_t ok_after_mark;
	int64_t last_ok;
	int64_t first_fail;
} bg = { .last_ok = -1, .first_fail = -1 };

static void
bg_count(uint64_t i, enum rte_dma_status_code st)
{
	uint64_t *c;

	switch (st) {
	case RTE_DMA_STATUS_SUCCESSFUL:
		c = &bg.nb_ok;
		break;
	case RTE_DMA_STATUS_DEV_LINK_ERROR:
		c = &bg.nb_link;
		break;
	case RTE_DMA_STATUS_INVALID_SRC_ADDR:
		c = &bg.nb_src;
		break;
	case RTE_DMA_STATUS_INVALID_DST_ADDR:
		c = &bg.nb_dst;
		break;
	default:
		c = &bg.nb_other;
		break;
	}
	(*c)++;
	if (st == RTE_DMA_STATUS_SUCCESSFUL) {
		bg.last_ok = (int64_t)i;
		if (i >= __atomic_load_n(&bg.mark, __ATOMIC_ACQUIRE))
			bg.ok_after_mark++;
	} else if (bg.first_fail < 0) {
		bg.first_fail = (int64_t)i;
	}
}

static void *
bg_main(void *arg)
{
	enum rte_dma_status_code st[BATCH];
	uint64_t i = 0;
	uint16_t k;
	int ret;

	RTE_SET_USED(arg);
	while (!__atomic_load_n(&bg.stop, __ATOMIC_ACQUIRE)) {
		/*
		 * Claimed before the batch is enqueued, with a full fence: a
		 * mark that reads i + BATCH or less was taken before any op
		 * numbered i + BATCH or more was enqueued, so those see every
		 * revocation that preceded the mark. Published after the
		 * enqueue instead, a batch already run could land after a
		 * stale mark.
		 */
		__atomic_store_n(&bg.next, i + BATCH, __ATOMIC_SEQ_CST);
		for (k = 0; k < BATCH; k++) {
			uint8_t *s = bg.src + (size_t)k * bg.bs;

			/* Sources are rewritten only once the batch is done. */
			stamp_fill(s, bg.bs, bg.seed, i + k);
			ret = rte_dma_copy(bg.dev_id, 0,
				(rte_iova_t)(uintptr_t)s,
				bg.dst + ((i + k) % bg.nblk) * bg.bs, bg.bs,
				k == BATCH - 1 ? RTE_DMA_OP_FLAG_SUBMIT : 0);
			if (ret < 0) {
				__atomic_store_n(&bg.error, ret,
					__ATOMIC_RELEASE);
				return NULL;
			}
		}
		ret = wait_done(bg.dev_id, 0, BATCH, st);
		if (ret != 0) {
			__atomic_store_n(&bg.error, ret, __ATOMIC_RELEASE);
			return NULL;
		}
		for (k = 0; k < BATCH; k++)
			bg_count(i + k, st[k]);
		i += BATCH;
		__atomic_store_n(&bg.done, i, __ATOMIC_RELEASE);
	}
	return NULL;
}

static void
cmd_bg(char **w, unsigned int n)
{
	uint64_t want, deadline, done = 0;
	int err = 0;

	if (n == 7 && strcmp(w[1], "start") == 0) {
		int16_t dev_id;
		uint64_t dst, seed;
		uint32_t nblk, bs;

		if (bg.running || arg_dev(w[2], &dev_id) != 0 ||
				arg_u64(w[3], &dst) != 0 ||
				arg_u32(w[4], &nblk) != 0 || nblk == 0 ||
				arg_u32(w[5], &bs) != 0 || bs < 8 ||
				bs % 8 != 0 || arg_u64(w[6], &seed) != 0) {
			say("err usage");
			return;
		}
		free(bg.src);
		memset(&bg, 0, sizeof(bg));
		bg.last_ok = bg.first_fail = -1;
		bg.mark = UINT64_MAX;
		bg.src = aligned_alloc(64, RTE_ALIGN_CEIL((size_t)bs * BATCH,
			64));
		if (bg.src == NULL) {
			say("err %d", -ENOMEM);
			return;
		}
		bg.dev_id = dev_id;
		bg.dst = dst;
		bg.nblk = nblk;
		bg.bs = bs;
		bg.seed = seed;
		if (pthread_create(&bg.thread, NULL, bg_main, NULL) != 0) {
			say("err %d", -EAGAIN);
			return;
		}
		pthread_setaffinity_np(bg.thread, sizeof(all_cpus), &all_cpus);
		bg.running = true;
		say("ok");
	} else if (n == 3 && strcmp(w[1], "wait") == 0 && bg.running &&
			arg_u64(w[2], &want) == 0) {
		/* A wait for a condition, bounded; the stream never blocks. */
		deadline = test_now_ns() + BG_WAIT_NS;
		while ((done = __atomic_load_n(&bg.done, __ATOMIC_ACQUIRE)) <
					want &&
				(err = __atomic_load_n(&bg.error,
					__ATOMIC_ACQUIRE)) == 0 &&
				test_now_ns() < deadline)
			usleep(100);
		if (err != 0)
			say("err %d", err);
		else if (done < want)
			say("err %d", -ETIMEDOUT);
		else
			say("ok %" PRIu64, done);
	} else if (n == 2 && strcmp(w[1], "mark") == 0 && bg.running) {
		uint64_t m = __atomic_load_n(&bg.next, __ATOMIC_SEQ_CST);

		__atomic_store_n(&bg.mark, m, __ATOMIC_RELEASE);
		say("ok %" PRIu64, m);
	} else if (n == 2 && strcmp(w[1], "stop") == 0 && bg.running) {
		__atomic_store_n(&bg.stop, 1, __ATOMIC_RELEASE);
		pthread_join(bg.thread, NULL);
		bg.running = false;
		if (bg.error != 0) {
			say("err %d", bg.error);
			return;
		}
		say("ok ops=%" PRIu64 " ok=%" PRIu64 " link=%" PRIu64
			" src=%" PRIu64 " dst=%" PRIu64 " other=%" PRIu64
			" last_ok=%" PRId64 " first_fail=%" PRId64
			" ok_after_mark=%" PRIu64, bg.done, bg.nb_ok, bg.nb_link,
			bg.nb_src, bg.nb_dst, bg.nb_other, bg.last_ok,
			bg.first_fail, bg.ok_after_mark);
	} else {
		say("err usage");
	}
}

/* Whether device @dev_id is free for the main thread. */
static bool
dev_busy(int16_t dev_id)
{
	if (bg.running && bg.dev_id == dev_id) {
		say("err %d", -EBUSY);
		return true;
	}
	return false;
}

/*
 * stamps NAME NBLK BS SEED: the region holds exactly what ops 0..K-1 of a
 * stream of SEED wrote (each block the stamp of the last op that targeted
 * it, zero where none did), for some K, except that block K % NBLK may be
 * a mix of its old content and stamp K: the op in progress when the
 * writer was killed. K is the number of ops that completed.
 */
static void
cmd_stamps(char **w, unsigned int n)
{
	uint64_t seed, k_done = 0, last, j, i_exp;
	uint32_t nblk, bs, k;
	struct region *r;
	unsigned int torn = 0;
	bool any = false;
	uint64_t v;

	if (n != 5 || (r = region_find(w[1])) == NULL ||
			arg_u32(w[2], &nblk) != 0 || nblk == 0 ||
			arg_u32(w[3], &bs) != 0 || bs < 8 || bs % 8 != 0 ||
			arg_u64(w[4], &seed) != 0 ||
			(uint64_t)nblk * bs > r->size) {
		say("err usage");
		return;
	}
	/* K: one past the last op whose stamp is there in full. */
	for (j = 0; j < nblk; j++) {
		const uint8_t *b = r->addr + j * bs;

		memcpy(&v, b, sizeof(v));
		if (v == 0 || (v - 1) % nblk != j)
			continue;
		for (k = 0; k < bs && b[k] == stamp_byte(seed, v - 1, k); k++)
			;
		if (k == bs && (!any || v > k_done)) {
			k_done = v;
			any = true;
		}
	}
	for (j = 0; j < nblk; j++) {
		const uint8_t *b = r->addr + j * bs;
		bool has_exp = k_done > 0 && k_done - 1 >= j;
		bool may_tear = j == k_done % nblk;
		bool mixed = false;

		last = k_done - 1;
		i_exp = has_exp ? j + (last - j) / nblk * nblk : 0;
		for (k = 0; k < bs; k++) {
			uint8_t want = has_exp ? stamp_byte(seed, i_exp, k) : 0;

			if (b[k] == want)
				continue;
			if (may_tear && b[k] == stamp_byte(seed, k_done, k)) {
				mixed = true;
				continue;
			}
			say("err block %" PRIu64 " byte %u is 0x%02x, expected 0x%02x (%s %" PRIu64 ", %" PRIu64 " ops completed)",
				j, k, b[k], want, has_exp ? "stamp of op" :
				"zero, no op", has_exp ? i_exp : 0, k_done);
			return;
		}
		torn += mixed;
	}
	say("ok done=%" PRIu64 " torn=%u", k_done, torn);
}

/* ---- random operations ---- */

struct rwin {
	uint64_t off;
	uint64_t len;
	uint32_t perm;
};

/* A peer's region as this process knows it from the orchestrator. */
struct layout {
	uint64_t base;
	uint64_t size;
	struct rwin w[MAX_WINDOWS];
	unsigned int nb;
	/* Ranges (relative to base) no window covers, around and between. */
	int64_t gap_off[MAX_WINDOWS + 2];
	uint64_t gap_len[MAX_WINDOWS + 2];
	unsigned int nb_gaps;
	/* Windows whose successor starts where they end. */
	unsigned int adj[MAX_WINDOWS];
	unsigned int nb_adj;
};

/* What "lay add" collected, for the next random command. */
static struct layout pending;

enum cat {
	CAT_IN,      /* inside a window */
	CAT_EDGE,    /* a whole window, or ending on its last byte */
	CAT_PAST,    /* from inside across the end */
	CAT_BEFORE,  /* from before the start into it */
	CAT_ADJ,     /* across the border of two adjacent windows */
	CAT_GAP,     /* wholly between (or around) windows */
	CAT_FAR,     /* 0, random, past 2^48, wrapping, 4 GiB long */
	CAT_NB,
};

static inline uint64_t
rnd(uint64_t *s)
{
	*s += GOLDEN;
	return mix64(*s);
}

/* Uniform in [0, n), n > 0. */
static inline uint64_t
rnd_below(uint64_t *s, uint64_t n)
{
	return rnd(s) % n;
}

/* Lengths are mostly short, sometimes up to @max. */
static uint64_t
rnd_len(uint64_t *s, uint64_t max)
{
	uint64_t cap = (rnd(s) & 3) == 0 ? max : RTE_MIN(max, UINT64_C(256));

	return 1 + rnd_below(s, cap);
}

/* The rule under test: wholly inside one window that grants @perm. */
static bool
layout_allows(const struct layout *l, uint64_t addr, uint64_t len,
		uint32_t perm)
{
	unsigned int i;

	for (i = 0; i < l->nb; i++) {
		uint64_t b = l->base + l->w[i].off;

		if (addr >= b && addr - b < l->w[i].len &&
				len <= l->w[i].len - (addr - b))
			return (l->w[i].perm & perm) != 0;
	}
	return false;
}

/* Add "off:len:perm,..." to @l: increasing, non-overlapping. */
static int
layout_add(struct layout *l, char *s)
{
	char *save = NULL, *tok, *p1, *p2;

	for (tok = strtok_r(s, ",", &save); tok != NULL;
			tok = strtok_r(NULL, ",", &save)) {
		struct rwin *w = &l->w[l->nb];
		uint64_t flags, end;

		if (l->nb == MAX_WINDOWS)
			return -ENOSPC;
		end = l->nb > 0 ? l->w[l->nb - 1].off + l->w[l->nb - 1].len : 0;
		p1 = strchr(tok, ':');
		p2 = p1 != NULL ? strchr(p1 + 1, ':') : NULL;
		if (p2 == NULL)
			return -EINVAL;
		*p1 = *p2 = '\0';
		if (arg_u64(tok, &w->off) != 0 || arg_u64(p1 + 1, &w->len) != 0 ||
				arg_flags(p2 + 1, &flags) != 0 || w->len == 0 ||
				w->off < end)
			return -EINVAL;
		w->perm = (uint32_t)flags;
		l->nb++;
	}
	return 0;
}

/*
 * The region is @size bytes at @base: check that the windows fit, and
 * list the gaps (64 KiB below the region, between windows, to 64 KiB
 * above it) and the adjacent pairs.
 */
static int
layout_finish(struct layout *l, uint64_t base, uint64_t size)
{
	uint64_t end = 0;
	unsigned int i;

	if (l->nb == 0 || l->w[l->nb - 1].off + l->w[l->nb - 1].len > size)
		return -EINVAL;
	l->base = base;
	l->size = size;
	l->nb_gaps = 0;
	l->nb_adj = 0;
	l->gap_off[l->nb_gaps] = -65536;
	l->gap_len[l->nb_gaps++] = 65536;
	for (i = 0; i < l->nb; i++) {
		if (l->w[i].off > end) {
			l->gap_off[l->nb_gaps] = (int64_t)end;
			l->gap_len[l->nb_gaps++] = l->w[i].off - end;
		} else if (i > 0) {
			l->adj[l->nb_adj++] = i - 1;
		}
		end = l->w[i].off + l->w[i].len;
	}
	l->gap_off[l->nb_gaps] = (int64_t)end;
	l->gap_len[l->nb_gaps++] = size - end + 65536;
	return 0;
}

static void
cmd_lay(char **w, unsigned int n)
{
	int ret;

	if (n == 2 && strcmp(w[1], "clear") == 0) {
		memset(&pending, 0, sizeof(pending));
		say("ok");
	} else if (n == 3 && strcmp(w[1], "add") == 0) {
		ret = layout_add(&pending, w[2]);
		if (ret == 0)
			say("ok %u", pending.nb);
		else
			say("err %d", ret);
	} else {
		say("err usage");
	}
}

/*
 * A peer range of category @c, at most @max bytes long except in the far
 * category. Whether it is valid is not decided here: layout_allows() does.
 */
static void
gen_range(uint64_t *s, const struct layout *l, enum cat c, uint64_t max,
		uint64_t *addr, uint64_t *len)
{
	const struct rwin *w = &l->w[rnd_below(s, l->nb)];
	uint64_t b = l->base + w->off, j, g;

	switch (c) {
	case CAT_IN:
		*len = rnd_len(s, RTE_MIN(w->len, max));
		*addr = b + rnd_below(s, w->len - *len + 1);
		/*
		 * Sometimes across a 2 MiB boundary inside the window: where
		 * the translation index moves from one leaf to the next.
		 */
		j = RTE_ALIGN_CEIL(b + 1, UINT64_C(2) << 20);
		if ((rnd(s) & 3) == 0 && j - b < w->len && *len > 1) {
			g = j - 1 - rnd_below(s, RTE_MIN(*len - 1, j - b));
			if (g + *len <= b + w->len)
				*addr = g;
		}
		break;
	case CAT_EDGE:
		*len = (rnd(s) & 1) && w->len <= max ? w->len :
			rnd_len(s, RTE_MIN(w->len, max));
		*addr = (rnd(s) & 1) ? b : b + w->len - *len;
		break;
	case CAT_PAST:
		j = 1 + rnd_below(s, RTE_MIN(w->len, UINT64_C(256)));
		*addr = b + w->len - j;
		*len = j + 1 + rnd_below(s, 64);
		break;
	case CAT_BEFORE:
		j = 1 + rnd_below(s, 256);
		*addr = b - j;
		*len = j + 1 + rnd_below(s, RTE_MIN(w->len, UINT64_C(256)));
		break;
	case CAT_ADJ:
		if (l->nb_adj == 0) {
			gen_range(s, l, CAT_PAST, max, addr, len);
			return;
		}
		g = l->adj[rnd_below(s, l->nb_adj)];
		w = &l->w[g];
		j = 1 + rnd_below(s, RTE_MIN(w->len, UINT64_C(512)));
		*addr = l->base + w->off + w->len - j;
		*len = j + 1 + rnd_below(s,
			RTE_MIN(l->w[g + 1].len, UINT64_C(512)));
		break;
	case CAT_GAP:
		g = rnd_below(s, l->nb_gaps);
		*len = rnd_len(s, RTE_MIN(l->gap_len[g], max));
		*addr = l->base + (uint64_t)l->gap_off[g] +
			rnd_below(s, l->gap_len[g] - *len + 1);
		break;
	default:
		*len = rnd_len(s, max);
		switch (rnd_below(s, 6)) {
		case 0:
			*addr = 0;
			break;
		case 1:
			*addr = rnd(s);
			break;
		case 2: /* wraps around the end of the address space */
			*addr = UINT64_MAX - rnd_below(s, 64);
			*len = 65 + rnd_below(s, 256);
			break;
		case 3: /* across the 48-bit limit */
			*addr = (UINT64_C(1) << 48) - 1 - rnd_below(s, 64);
			*len = 65 + rnd_below(s, 256);
			break;
		case 4: /* a window's address with high bits set */
			*addr = b + ((rnd(s) | 1) << 48);
			break;
		default: /* starts inside, 4 GiB long */
			*addr = b;
			*len = UINT32_MAX;
			break;
		}
		break;
	}
}

static enum cat
rnd_cat(uint64_t *s)
{
	static const uint8_t weights[CAT_NB] = {
		[CAT_IN] = 40, [CAT_EDGE] = 10, [CAT_PAST] = 10,
		[CAT_BEFORE] = 10, [CAT_ADJ] = 10, [CAT_GAP] = 12,
		[CAT_FAR] = 8,
	};
	uint64_t x = rnd_below(s, 100);
	unsigned int c;

	for (c = 0; c < CAT_NB - 1; c++) {
		if (x < weights[c])
			return (enum cat)c;
		x -= weights[c];
	}
	return CAT_FAR;
}

/* Scatter-gather entries stay short and avoid the far category. */
static enum cat
rnd_sg_cat(uint64_t *s)
{
	static const enum cat bad[] = { CAT_PAST, CAT_BEFORE, CAT_ADJ,
		CAT_GAP };

	if (rnd_below(s, 100) < 85)
		return CAT_IN;
	return bad[rnd_below(s, RTE_DIM(bad))];
}

enum rop { ROP_COPY, ROP_FILL, ROP_SG };

struct rand_op {
	enum rop op;
	enum rte_dma_status_code want;
	uint64_t pattern;
	struct rte_dma_sge src[4];
	struct rte_dma_sge dst[4];
	uint16_t nb_src;
	uint16_t nb_dst;
	uint64_t total;          /* bytes moved if it succeeds */
};

struct rand_run {
	bool sg, fill;           /* the device has copy_sg, fill */
	uint64_t seed;
	struct layout l;
	uint8_t *shadow;         /* what the peer's region must hold */
	struct region *src;      /* local sources of writes */
	struct region *dst;      /* local slots for reads */
	size_t slot;             /* bytes per op in dst */
	uint64_t cats[CAT_NB];
	uint64_t w_st[4], r_st[4]; /* ok, invalid src, invalid dst, other */
	uint64_t bad_status, bad_data, touched;
	char first[256];
};

#define MARK 0xa5

static unsigned int
st_slot(enum rte_dma_status_code st)
{
	switch (st) {
	case RTE_DMA_STATUS_SUCCESSFUL:
		return 0;
	case RTE_DMA_STATUS_INVALID_SRC_ADDR:
		return 1;
	case RTE_DMA_STATUS_INVALID_DST_ADDR:
		return 2;
	default:
		return 3;
	}
}

static void __rte_format_printf(2, 3)
rand_first(struct rand_run *rr, const char *fmt, ...)
{
	va_list ap;

	if (rr->first[0] != '\0')
		return;
	va_start(ap, fmt);
	vsnprintf(rr->first, sizeof(rr->first), fmt, ap);
	va_end(ap);
}

/* Split @total bytes into @n > 0 lengths, each >= 1 (total >= n). */
static void
split_len(uint64_t *s, uint64_t total, uint16_t n, uint64_t *out)
{
	uint64_t left = total;
	uint16_t i;

	for (i = 0; i + 1 < n; i++) {
		uint64_t room = left - (n - i - 1);

		out[i] = 1 + rnd_below(s, room);
		left -= out[i];
	}
	out[n - 1] = left;
}

/* A write: local sources into the peer's region. */
static void
gen_write(struct rand_run *rr, uint64_t *s, struct rand_op *op)
{
	const size_t src_size = rr->src->size;
	uint64_t addr, len, lens[4];
	bool ok = true;
	uint16_t i;
	enum cat c;

	memset(op, 0, sizeof(*op));
	switch (rnd_below(s, 10)) {
	case 0:
		op->op = ROP_FILL;
		break;
	case 1:
		op->op = ROP_SG;
		break;
	default:
		op->op = ROP_COPY;
		break;
	}
	/* Only what the device offers (not a stacked one's: no sg, fill). */
	if ((op->op == ROP_FILL && !rr->fill) || (op->op == ROP_SG && !rr->sg))
		op->op = ROP_COPY;
	if (op->op != ROP_SG) {
		c = rnd_cat(s);
		rr->cats[c]++;
		gen_range(s, &rr->l, c, 16384, &addr, &len);
		op->nb_src = op->nb_dst = 1;
		op->dst[0].addr = addr;
		op->dst[0].length = (uint32_t)len;
		op->total = len;
		/* Any local address: the vchan's source is its own domain. */
		op->src[0].addr = (uintptr_t)rr->src->addr +
			(len < src_size ? rnd_below(s, src_size - len + 1) : 0);
		op->src[0].length = (uint32_t)len;
		op->pattern = rnd(s);
		if ((rnd(s) & 3) == 0)
			op->pattern = (op->pattern & 0xff) *
				UINT64_C(0x0101010101010101);
		ok = layout_allows(&rr->l, addr, len, RTE_DMA_DOMAIN_MEM_WRITE);
	} else {
		op->nb_dst = 1 + rnd_below(s, 4);
		op->total = 0;
		for (i = 0; i < op->nb_dst; i++) {
			c = rnd_sg_cat(s);
			rr->cats[c]++;
			gen_range(s, &rr->l, c, 2048, &addr, &len);
			op->dst[i].addr = addr;
			op->dst[i].length = (uint32_t)len;
			op->total += len;
			ok &= layout_allows(&rr->l, addr, len,
				RTE_DMA_DOMAIN_MEM_WRITE);
		}
		op->nb_src = 1 + rnd_below(s, RTE_MIN(UINT64_C(4), op->total));
		split_len(s, op->total, op->nb_src, lens);
		for (i = 0; i < op->nb_src; i++) {
			op->src[i].addr = (uintptr_t)rr->src->addr +
				rnd_below(s, src_size - lens[i] + 1);
			op->src[i].length = (uint32_t)lens[i];
		}
	}
	op->want = ok ? RTE_DMA_STATUS_SUCCESSFUL :
		RTE_DMA_STATUS_INVALID_DST_ADDR;
}

/* A read: the peer's region into this op's local slot. */
static void
gen_read(struct rand_run *rr, uint64_t *s, struct rand_op *op,
		uint8_t *slot)
{
	uint64_t addr, len, lens[4], at = 0;
	bool ok = true;
	uint16_t i;
	enum cat c;

	memset(op, 0, sizeof(*op));
	op->op = rnd_below(s, 100) < 85 || !rr->sg ? ROP_COPY : ROP_SG;
	if (op->op == ROP_COPY) {
		c = rnd_cat(s);
		rr->cats[c]++;
		gen_range(s, &rr->l, c, 16384, &addr, &len);
		op->nb_src = op->nb_dst = 1;
		op->src[0].addr = addr;
		op->src[0].length = (uint32_t)len;
		op->dst[0].addr = (uintptr_t)slot;
		op->dst[0].length = (uint32_t)len;
		op->total = len;
		ok = layout_allows(&rr->l, addr, len, RTE_DMA_DOMAIN_MEM_READ);
	} else {
		op->nb_src = 1 + rnd_below(s, 4);
		for (i = 0; i < op->nb_src; i++) {
			c = rnd_sg_cat(s);
			rr->cats[c]++;
			gen_range(s, &rr->l, c, 2048, &addr, &len);
			op->src[i].addr = addr;
			op->src[i].length = (uint32_t)len;
			op->total += len;
			ok &= layout_allows(&rr->l, addr, len,
				RTE_DMA_DOMAIN_MEM_READ);
		}
		/* Destinations: consecutive pieces of the slot. */
		op->nb_dst = 1 + rnd_below(s, RTE_MIN(UINT64_C(4), op->total));
		split_len(s, op->total, op->nb_dst, lens);
		for (i = 0; i < op->nb_dst; i++) {
			op->dst[i].addr = (uintptr_t)slot + at;
			op->dst[i].length = (uint32_t)lens[i];
			at += lens[i];
		}
	}
	op->want = ok ? RTE_DMA_STATUS_SUCCESSFUL :
		RTE_DMA_STATUS_INVALID_SRC_ADDR;
}

static int
rand_enqueue(int16_t dev_id, uint16_t vchan, const struct rand_op *op,
		uint64_t flags)
{
	switch (op->op) {
	case ROP_FILL:
		return rte_dma_fill(dev_id, vchan, op->pattern,
			op->dst[0].addr, op->dst[0].length, flags);
	case ROP_SG:
		/* DPDK 22.11 takes non-const arrays it does not write. */
		return rte_dma_copy_sg(dev_id, vchan,
			(struct rte_dma_sge *)(uintptr_t)op->src,
			(struct rte_dma_sge *)(uintptr_t)op->dst,
			op->nb_src, op->nb_dst, flags);
	default:
		return rte_dma_copy(dev_id, vchan, op->src[0].addr,
			op->dst[0].addr, op->dst[0].length, flags);
	}
}

/* Replay a successful write on the shadow, byte stream in order. */
static void
shadow_write(struct rand_run *rr, const struct rand_op *op)
{
	uint16_t si = 0, di = 0;
	uint64_t so = 0, dof = 0, k;

	if (op->op == ROP_FILL) {
		uint8_t *d = rr->shadow + (op->dst[0].addr - rr->l.base);

		for (k = 0; k < op->dst[0].length; k++)
			d[k] = fill_byte(op->pattern, k);
		return;
	}
	for (k = 0; k < op->total; k++) {
		const uint8_t *sp = (const uint8_t *)(uintptr_t)
			op->src[si].addr;

		rr->shadow[op->dst[di].addr - rr->l.base + dof] = sp[so];
		if (++so == op->src[si].length) {
			si++;
			so = 0;
		}
		if (++dof == op->dst[di].length) {
			di++;
			dof = 0;
		}
	}
}

/* A read's slot: the shadow's bytes if it succeeded, untouched if not. */
static void
verify_read(struct rand_run *rr, uint64_t idx, const struct rand_op *op,
		enum rte_dma_status_code st, uint8_t *slot)
{
	uint64_t k = 0, checked, j;
	uint16_t i;

	if (st == RTE_DMA_STATUS_SUCCESSFUL) {
		for (i = 0; i < op->nb_src; i++) {
			const uint8_t *want = rr->shadow +
				(op->src[i].addr - rr->l.base);

			if (memcmp(slot + k, want, op->src[i].length) != 0) {
				rr->bad_data++;
				rand_first(rr, "read op %" PRIu64 ": data differs from what the region holds",
					idx);
				break;
			}
			k += op->src[i].length;
		}
		checked = op->total;
	} else {
		checked = 0;
	}
	/* Past what it may write: 64 bytes, or the whole failed range. */
	j = checked;
	for (k = j; k < RTE_MIN((uint64_t)rr->slot, op->total + 64); k++) {
		if (slot[k] != MARK) {
			rr->touched++;
			rand_first(rr, "read op %" PRIu64 " (%s) wrote slot byte %" PRIu64,
				idx, status_name(st), k);
			break;
		}
	}
	memset(slot, MARK, RTE_MIN((uint64_t)rr->slot, op->total + 64));
}

static int
rand_phase(struct rand_run *rr, int16_t dev_id, uint16_t vchan, bool write,
		uint64_t first, uint64_t nb)
{
	struct rand_op ops[BATCH];
	enum rte_dma_status_code st[BATCH];
	uint64_t s = rr->seed ^ (write ? 0 : UINT64_C(0xabcdef));
	uint64_t done = 0;
	uint16_t k, m;
	int ret;

	if (!write)
		memset(rr->dst->addr, MARK, rr->slot * BATCH);
	while (done < nb) {
		m = (uint16_t)RTE_MIN((uint64_t)BATCH, nb - done);
		for (k = 0; k < m; k++) {
			if (write)
				gen_write(rr, &s, &ops[k]);
			else
				gen_read(rr, &s, &ops[k],
					rr->dst->addr + k * rr->slot);
			ret = rand_enqueue(dev_id, vchan, &ops[k],
				k == m - 1 ? RTE_DMA_OP_FLAG_SUBMIT : 0);
			if (ret < 0)
				return ret;
		}
		ret = wait_done(dev_id, vchan, m, st);
		if (ret != 0)
			return ret;
		for (k = 0; k < m; k++) {
			uint64_t idx = first + done + k;

			(write ? rr->w_st : rr->r_st)[st_slot(st[k])]++;
			if (st[k] != ops[k].want) {
				rr->bad_status++;
				rand_first(rr, "op %" PRIu64 " (%s %s of %u+%u entries, first %#" PRIx64 "+%u -> %#" PRIx64 "+%u) completed %s, expected %s",
					idx, write ? "write" : "read",
					ops[k].op == ROP_FILL ? "fill" :
					ops[k].op == ROP_SG ? "sg" : "copy",
					ops[k].nb_src, ops[k].nb_dst,
					(uint64_t)ops[k].src[0].addr,
					ops[k].src[0].length,
					(uint64_t)ops[k].dst[0].addr,
					ops[k].dst[0].length,
					status_name(st[k]),
					status_name(ops[k].want));
			}
			if (write && st[k] == RTE_DMA_STATUS_SUCCESSFUL &&
					ops[k].want == RTE_DMA_STATUS_SUCCESSFUL)
				shadow_write(rr, &ops[k]);
			if (!write)
				verify_read(rr, idx, &ops[k], st[k],
					rr->dst->addr + k * rr->slot);
		}
		done += m;
	}
	return 0;
}

/*
 * random DEV SEED NOPS BASE SIZE GSEED SRC DST
 *
 * A peer's region of SIZE bytes at BASE (its address) holds pat(GSEED, k)
 * and has the windows given by "lay add". Vchan 0 of DEV writes into that domain
 * from local memory, vchan 1 reads from it into local memory. NOPS/2
 * writes (copy, fill, copy_sg) at random ranges, then NOPS/2 reads (copy,
 * copy_sg); each range is drawn from a category (inside, edges, past the
 * end, before the start, across adjacent windows, gaps, far away) and
 * its expected status computed from the layout alone. A shadow of the
 * region follows the writes that succeed; each read that succeeds must
 * return the shadow's bytes, and each op that fails must leave its
 * destination untouched. SRC holds the write sources; DST needs BATCH
 * slots of 32 KiB. Reply:
 *   ok w=OK/SRC/DST/OTHER r=OK/SRC/DST/OTHER cats=N,N,... bad_status=N
 *      bad_data=N touched=N sum=HASH [first=...]
 * with HASH the FNV-1a of the shadow, for the owner to compare.
 */
static void
cmd_random(char **w, unsigned int n)
{
	struct rte_dma_info info;
	struct rand_run *rr;
	int16_t dev_id;
	uint64_t nops, gseed, base, size;
	char cats[128];
	unsigned int c;
	size_t used = 0;
	int ret;

	rr = calloc(1, sizeof(*rr));
	if (rr == NULL) {
		say("err %d", -ENOMEM);
		return;
	}
	rr->slot = 32768;
	rr->l = pending;
	if (n != 9 || arg_dev(w[1], &dev_id) != 0 ||
			arg_u64(w[2], &rr->seed) != 0 ||
			arg_u64(w[3], &nops) != 0 ||
			arg_u64(w[4], &base) != 0 ||
			arg_u64(w[5], &size) != 0 ||
			arg_u64(w[6], &gseed) != 0 ||
			layout_finish(&rr->l, base, size) != 0 ||
			(rr->src = region_find(w[7])) == NULL ||
			(rr->dst = region_find(w[8])) == NULL ||
			rr->src->size < 16384 ||
			rr->dst->size < rr->slot * BATCH) {
		say("err usage");
		goto out;
	}
	if (dev_busy(dev_id))
		goto out;
	ret = rte_dma_info_get(dev_id, &info);
	if (ret != 0) {
		say("err %d", ret);
		goto out;
	}
	rr->sg = info.dev_capa & RTE_DMA_CAPA_OPS_COPY_SG;
	rr->fill = info.dev_capa & RTE_DMA_CAPA_OPS_FILL;
	rr->shadow = malloc(rr->l.size);
	if (rr->shadow == NULL) {
		say("err %d", -ENOMEM);
		goto out;
	}
	pat_fill(rr->shadow, rr->l.size, gseed, 0);
	ret = rand_phase(rr, dev_id, 0, true, 0, nops / 2);
	if (ret == 0)
		ret = rand_phase(rr, dev_id, 1, false, nops / 2,
			nops - nops / 2);
	if (ret != 0) {
		say("err %d", ret);
		goto out;
	}
	for (c = 0; c < CAT_NB; c++)
		used += (size_t)snprintf(cats + used, sizeof(cats) - used,
			"%s%" PRIu64, c > 0 ? "," : "", rr->cats[c]);
	say("ok w=%" PRIu64 "/%" PRIu64 "/%" PRIu64 "/%" PRIu64
		" r=%" PRIu64 "/%" PRIu64 "/%" PRIu64 "/%" PRIu64
		" cats=%s bad_status=%" PRIu64 " bad_data=%" PRIu64
		" touched=%" PRIu64 " sum=%#" PRIx64 "%s%s",
		rr->w_st[0], rr->w_st[1], rr->w_st[2], rr->w_st[3],
		rr->r_st[0], rr->r_st[1], rr->r_st[2], rr->r_st[3], cats,
		rr->bad_status, rr->bad_data, rr->touched,
		fnv1a(rr->shadow, rr->l.size),
		rr->first[0] != '\0' ? " first=" : "", rr->first);
out:
	free(rr->shadow);
	free(rr);
}

/* ---- group commands ---- */

static void
cmd_create(char **w, unsigned int n)
{
	int16_t dev_id, group_id = -1;
	rte_uuid_t token;
	int ret;

	if (n != 3 || arg_dev(w[1], &dev_id) != 0 ||
			rte_uuid_parse(w[2], token) != 0) {
		say("err usage");
		return;
	}
	ret = rte_dma_access_pair_group_create(dev_id, own_domain, token,
		&group_id, on_event);
	if (ret == 0)
		say("ok %d", group_id);
	else
		reply_status(ret);
}

static void
cmd_join(char **w, unsigned int n)
{
	int16_t dev_id, group_id;
	rte_uuid_t token;

	if (n != 4 || arg_dev(w[1], &dev_id) != 0 ||
			rte_uuid_parse(w[2], token) != 0 ||
			arg_group(w[3], &group_id) != 0) {
		say("err usage");
		return;
	}
	reply_status(rte_dma_access_pair_group_join(dev_id, own_domain, token,
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
			rte_uuid_parse(w[3], domain) != 0) {
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

/* ---- Class B grant commands ---- */

static void
cmd_grant(char **w, unsigned int n)
{
	uint64_t off, len, flags;
	rte_uuid_t token, grantee;
	struct region *r;
	uint16_t h = 0;
	int ret;

	if (n != 7 || rte_uuid_parse(w[1], token) != 0 ||
			rte_uuid_parse(w[2], grantee) != 0 ||
			(r = region_find(w[3])) == NULL ||
			arg_u64(w[4], &off) != 0 || arg_u64(w[5], &len) != 0 ||
			arg_flags(w[6], &flags) != 0 || off > r->size) {
		say("err usage");
		return;
	}
	ret = rte_dma_domain_grant_create(token, grantee, r->addr + off, len,
		flags, &h);
	if (ret == 0)
		say("ok %u", h);
	else
		reply_status(ret);
}

static void
cmd_revoke(char **w, unsigned int n)
{
	uint32_t h;

	if (n != 2 || arg_u32(w[1], &h) != 0 || h > UINT16_MAX) {
		say("err usage");
		return;
	}
	reply_status(rte_dma_domain_grant_revoke((uint16_t)h));
}

static void
cmd_attach(char **w, unsigned int n)
{
	int16_t dev_id;
	rte_uuid_t token;
	uint16_t own = 0;
	uint32_t h;
	int ret;

	if (n != 4 || arg_dev(w[1], &dev_id) != 0 ||
			rte_uuid_parse(w[2], token) != 0 ||
			arg_u32(w[3], &h) != 0 || h > UINT16_MAX) {
		say("err usage");
		return;
	}
	ret = rte_dma_domain_grant_attach(dev_id, token, (uint16_t)h, &own,
		on_event);
	if (ret == 0)
		say("ok %u", own);
	else
		reply_status(ret);
}

static void
cmd_detach(char **w, unsigned int n)
{
	int16_t dev_id;
	uint32_t h;

	if (n != 3 || arg_dev(w[1], &dev_id) != 0 || arg_u32(w[2], &h) != 0 ||
			h > UINT16_MAX) {
		say("err usage");
		return;
	}
	reply_status(rte_dma_domain_grant_detach(dev_id, (uint16_t)h));
}

/* Which namespaces this process is in shows in its pid and host name. */
/* capa DEV: whether the device has copy_sg and fill (rte_dma_info_get()). */
static void
cmd_capa(char **w, unsigned int n)
{
	struct rte_dma_info info;
	int16_t dev_id;
	int ret;

	if (n != 2 || arg_dev(w[1], &dev_id) != 0) {
		say("err usage: capa DEV");
		return;
	}
	ret = rte_dma_info_get(dev_id, &info);
	if (ret != 0)
		say("err %d", ret);
	else
		say("ok sg=%d fill=%d",
			!!(info.dev_capa & RTE_DMA_CAPA_OPS_COPY_SG),
			!!(info.dev_capa & RTE_DMA_CAPA_OPS_FILL));
}

static void
cmd_ns(void)
{
	char host[HOST_NAME_MAX + 1];

	if (gethostname(host, sizeof(host)) != 0)
		snprintf(host, sizeof(host), "?");
	say("ok pid=%d host=%s", (int)getpid(), host);
}

/* ---- memory commands ---- */

static void
cmd_alloc(char **w, unsigned int n)
{
	uint64_t len, flags;
	struct region *r;
	void *addr = NULL;
	int ret;

	if (n != 4 || arg_u64(w[2], &len) != 0 || arg_flags(w[3], &flags) != 0 ||
			(r = region_new(w[1])) == NULL) {
		say("err usage");
		return;
	}
	ret = rte_dma_domain_mem_alloc(len, flags, &addr);
	if (ret != 0) {
		say("err %d", ret);
		return;
	}
	r->used = true;
	r->allocated = true;
	r->addr = addr;
	r->size = len;
	r->win[0] = (struct reg_window){ 0, RTE_ALIGN_CEIL(len,
		(uint64_t)sysconf(_SC_PAGESIZE)), (uint32_t)flags };
	r->nb_win = 1;
	say("ok %#" PRIx64, (uint64_t)(uintptr_t)addr);
}

static void
cmd_free(char **w, unsigned int n)
{
	struct region *r;
	int ret;

	if (n != 2 || (r = region_find(w[1])) == NULL) {
		say("err usage");
		return;
	}
	ret = rte_dma_domain_mem_free(r->addr);
	if (ret == 0 && r->allocated) {
		r->used = false;
	} else if (ret == 0) {
		/* Not ours to unmap, but the library said it was: a bug. */
		say("err freed memory it did not allocate");
		return;
	}
	reply_status(ret);
}

static void
cmd_mfd(char **w, unsigned int n)
{
	static const struct {
		const char *name;
		int seals;
	} kinds[] = {
		{ "none", 0 },
		{ "shrink", F_SEAL_SHRINK },
		{ "grow", F_SEAL_GROW },
		{ "both", F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL },
	};
	struct region *r;
	uint64_t size;
	unsigned int i;
	void *p;
	int fd;

	for (i = 0; n == 4 && i < RTE_DIM(kinds); i++)
		if (strcmp(w[3], kinds[i].name) == 0)
			break;
	if (n != 4 || i == RTE_DIM(kinds) || arg_u64(w[2], &size) != 0 ||
			size == 0 || (r = region_new(w[1])) == NULL) {
		say("err usage");
		return;
	}
	fd = memfd_create("xdtest", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0) {
		say("err %d", -errno);
		return;
	}
	if (ftruncate(fd, (off_t)size) != 0 ||
			(p = mmap(NULL, size, PROT_READ | PROT_WRITE,
				MAP_SHARED | MAP_POPULATE, fd, 0)) == MAP_FAILED) {
		say("err %d", -errno);
		close(fd);
		return;
	}
	if (kinds[i].seals != 0 && fcntl(fd, F_ADD_SEALS, kinds[i].seals) != 0) {
		say("err %d", -errno);
		munmap(p, size);
		close(fd);
		return;
	}
	r->used = true;
	r->addr = p;
	r->size = size;
	r->fd = fd;
	say("ok %#" PRIx64, (uint64_t)(uintptr_t)p);
}

/* A udmabuf of a memfd of @size bytes; the memfd is closed again. */
static int
udmabuf_new(uint64_t size, bool seal)
{
	struct udmabuf_create c = { .flags = UDMABUF_FLAGS_CLOEXEC };
	int dev, mfd, fd = -1, err = 0;

	dev = open("/dev/udmabuf", O_RDWR | O_CLOEXEC);
	if (dev < 0)
		return -errno;
	mfd = memfd_create("xdtest-udmabuf", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (mfd < 0 || ftruncate(mfd, (off_t)size) != 0 ||
			(seal && fcntl(mfd, F_ADD_SEALS, F_SEAL_SHRINK) != 0)) {
		err = -errno;
	} else {
		c.memfd = (uint32_t)mfd;
		c.size = size;
		fd = ioctl(dev, UDMABUF_CREATE, &c);
		if (fd < 0)
			err = -errno;
	}
	if (mfd >= 0)
		close(mfd);
	close(dev);
	return fd >= 0 ? fd : err;
}

/* A buffer of the system DMA-BUF heap, its fd opened with @mode. */
static int
heap_new(uint64_t size, int mode)
{
	struct dma_heap_allocation_data a = {
		.len = size,
		.fd_flags = (uint32_t)(mode | O_CLOEXEC),
	};
	int heap, ret;

	heap = open("/dev/dma_heap/system", O_RDONLY | O_CLOEXEC);
	if (heap < 0)
		return -errno;
	ret = ioctl(heap, DMA_HEAP_IOCTL_ALLOC, &a);
	ret = ret < 0 ? -errno : (int)a.fd;
	close(heap);
	return ret;
}

/* The first ivshmem device's BAR 2 resource file, enabled. */
static int
ivshmem_find(char *path, size_t len)
{
	char dir[300], buf[16];
	struct dirent *de;
	unsigned int ven, dev;
	FILE *f;
	DIR *d;
	int ret = -ENOENT;

	d = opendir("/sys/bus/pci/devices");
	if (d == NULL)
		return -ENOENT;
	while (ret != 0 && (de = readdir(d)) != NULL) {
		ven = dev = 0;
		snprintf(dir, sizeof(dir), "/sys/bus/pci/devices/%s/vendor", de->d_name);
		f = fopen(dir, "r");
		if (f == NULL)
			continue;
		if (fscanf(f, "%x", &ven) != 1)
			ven = 0;
		fclose(f);
		snprintf(dir, sizeof(dir), "/sys/bus/pci/devices/%s/device", de->d_name);
		f = fopen(dir, "r");
		if (f == NULL)
			continue;
		if (fscanf(f, "%x", &dev) != 1)
			dev = 0;
		fclose(f);
		if (ven != 0x1af4 || dev != 0x1110)
			continue;
		snprintf(dir, sizeof(dir), "/sys/bus/pci/devices/%s/enable", de->d_name);
		f = fopen(dir, "w");
		if (f != NULL) {
			fputs("1", f);
			fclose(f);
		}
		snprintf(buf, sizeof(buf), "%s", "resource2");
		snprintf(path, len, "/sys/bus/pci/devices/%s/%s", de->d_name, buf);
		ret = 0;
	}
	closedir(d);
	return ret;
}

/* file NAME PATH, ivshmem NAME: a shared file mapped whole. */
static void
cmd_file(char **w, unsigned int n, bool ivshmem)
{
	char path[PATH_MAX];
	struct region *r;
	struct stat st;
	void *p;
	int fd, ret;

	if ((ivshmem ? n != 2 : n != 3) || region_find(w[1]) != NULL) {
		say("err usage");
		return;
	}
	if (ivshmem) {
		ret = ivshmem_find(path, sizeof(path));
		if (ret != 0) {
			say("err %d", ret);
			return;
		}
	} else {
		snprintf(path, sizeof(path), "%s", w[2]);
	}
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) != 0 || st.st_size <= 0) {
		say("err %d", fd < 0 ? -errno : -EINVAL);
		if (fd >= 0)
			close(fd);
		return;
	}
	p = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		fd, 0);
	if (p == MAP_FAILED || (r = region_new(w[1])) == NULL) {
		say("err %d", p == MAP_FAILED ? -errno : -ENOSPC);
		if (p != MAP_FAILED)
			munmap(p, (size_t)st.st_size);
		close(fd);
		return;
	}
	r->used = true;
	r->addr = p;
	r->size = (size_t)st.st_size;
	r->fd = fd;
	say("ok %#" PRIx64 " %" PRIu64, (uint64_t)(uintptr_t)p,
		(uint64_t)st.st_size);
}

static void
cmd_dmabuf(char **w, unsigned int n)
{
	struct region *r;
	uint64_t size;
	int fd, prot = PROT_READ | PROT_WRITE;
	void *p;

	if (n != 4 || arg_u64(w[2], &size) != 0 || size == 0 ||
			region_find(w[1]) != NULL) {
		say("err usage");
		return;
	}
	if (strcmp(w[3], "udmabuf") == 0) {
		fd = udmabuf_new(size, true);
	} else if (strcmp(w[3], "udmabuf-unsealed") == 0) {
		fd = udmabuf_new(size, false);
	} else if (strcmp(w[3], "heap") == 0) {
		fd = heap_new(size, O_RDWR);
	} else if (strcmp(w[3], "heap-ro") == 0) {
		fd = heap_new(size, O_RDONLY);
		prot = PROT_READ;
	} else {
		say("err usage");
		return;
	}
	if (fd < 0) {
		say("err %d", fd);
		return;
	}
	p = mmap(NULL, size, prot, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED || (r = region_new(w[1])) == NULL) {
		say("err %d", p == MAP_FAILED ? -errno : -ENOSPC);
		if (p != MAP_FAILED)
			munmap(p, size);
		close(fd);
		return;
	}
	r->used = true;
	r->addr = p;
	r->size = size;
	r->fd = fd;
	say("ok %#" PRIx64, (uint64_t)(uintptr_t)p);
}

static void
cmd_reg(char **w, unsigned int n)
{
	uint64_t aoff, foff, len, flags;
	int fd, pipefd[2] = { -1, -1 };
	char path[64];
	struct region *r;
	const char *kind = n == 7 ? w[6] : "rw";
	int ret;

	if ((n != 6 && n != 7) || (r = region_find(w[1])) == NULL ||
			r->fd < 0 || arg_u64(w[2], &aoff) != 0 ||
			arg_u64(w[3], &foff) != 0 || arg_u64(w[4], &len) != 0 ||
			arg_flags(w[5], &flags) != 0) {
		say("err usage");
		return;
	}
	if (strcmp(kind, "rw") == 0) {
		fd = r->fd;
	} else if (strcmp(kind, "ro") == 0) {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", r->fd);
		fd = open(path, O_RDONLY | O_CLOEXEC);
	} else if (strcmp(kind, "pipe") == 0) {
		fd = pipe2(pipefd, O_CLOEXEC) == 0 ? pipefd[0] : -1;
	} else {
		say("err usage");
		return;
	}
	if (fd < 0) {
		say("err %d", -errno);
		return;
	}
	ret = rte_dma_domain_mem_register(r->addr + aoff, len, fd, foff,
		flags);
	if (ret == 0 && r->nb_win < MAX_WINDOWS)
		r->win[r->nb_win++] = (struct reg_window){ aoff, len,
			(uint32_t)flags };
	/* The library keeps its own duplicate. */
	if (fd != r->fd)
		close(fd);
	if (pipefd[1] >= 0)
		close(pipefd[1]);
	reply_status(ret);
}

static void
cmd_unreg(char **w, unsigned int n)
{
	struct region *r;
	uint64_t aoff = 0;
	unsigned int i;
	int ret;

	if ((n != 2 && n != 3) || (r = region_find(w[1])) == NULL ||
			(n == 3 && arg_u64(w[2], &aoff) != 0)) {
		say("err usage");
		return;
	}
	ret = rte_dma_domain_mem_unregister(r->addr + aoff);
	for (i = 0; ret == 0 && i < r->nb_win; i++) {
		if (r->win[i].off == aoff) {
			r->win[i] = r->win[--r->nb_win];
			break;
		}
	}
	reply_status(ret);
}

static void
cmd_share(char **w, unsigned int n)
{
	uint64_t flags;
	int ret;

	if (n != 2 || arg_flags(w[1], &flags) != 0) {
		say("err usage");
		return;
	}
	ret = rte_dma_domain_mem_share_dpdk(flags);
	if (ret < 0)
		say("err %d", ret);
	else
		say("ok %d", ret);
}

static void
cmd_addr(char **w, unsigned int n)
{
	struct region *r;

	if (n != 2 || (r = region_find(w[1])) == NULL) {
		say("err usage");
		return;
	}
	say("ok %#" PRIx64 " %zu", (uint64_t)(uintptr_t)r->addr, r->size);
}

static void
cmd_hole(char **w, unsigned int n)
{
	uint64_t addr, len;
	void *p;

	if (n != 3 || arg_u64(w[1], &addr) != 0 || arg_u64(w[2], &len) != 0 ||
			len == 0) {
		say("err usage");
		return;
	}
	p = mmap((void *)(uintptr_t)addr, len, PROT_NONE,
		MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (p == MAP_FAILED) {
		say("err %d", -errno);
		return;
	}
	if (p != (void *)(uintptr_t)addr) {
		/* A kernel without MAP_FIXED_NOREPLACE took it as a hint. */
		munmap(p, len);
		say("err %d", -ENOTSUP);
		return;
	}
	say("ok");
}

static void
cmd_where(char **w, unsigned int n)
{
	unsigned long long start, end;
	char line[512], perms[8], path[256];
	uint64_t addr;
	FILE *maps;
	int k;

	if (n != 2 || arg_u64(w[1], &addr) != 0) {
		say("err usage");
		return;
	}
	maps = fopen("/proc/self/maps", "re");
	if (maps == NULL) {
		say("err %d", -errno);
		return;
	}
	while (fgets(line, sizeof(line), maps) != NULL) {
		path[0] = '\0';
		k = sscanf(line, "%llx-%llx %7s %*s %*s %*s %255[^\n]", &start,
			&end, perms, path);
		if (k < 3 || addr < start || addr >= end)
			continue;
		fclose(maps);
		say("ok %#llx %#llx %s %s", start, end, perms,
			path[0] != '\0' ? path : "-");
		return;
	}
	fclose(maps);
	say("ok none");
}

/* Whether @addr is inside a mapping of this process. */
static bool
is_mapped(uint64_t addr)
{
	unsigned long long start, end;
	char line[512];
	bool found = false;
	FILE *maps;

	maps = fopen("/proc/self/maps", "re");
	if (maps == NULL)
		return true;
	while (!found && fgets(line, sizeof(line), maps) != NULL)
		found = sscanf(line, "%llx-%llx", &start, &end) == 2 &&
			addr >= start && addr < end;
	fclose(maps);
	return found;
}

/* The memfds open in this process (at most 127: see cmd_forkfds()). */
static int
memfds_open(void)
{
	char link[PATH_MAX], target[64];
	struct dirent *d;
	int count = 0;
	DIR *dir;
	ssize_t k;

	dir = opendir("/proc/self/fd");
	if (dir == NULL)
		return 127;
	while ((d = readdir(dir)) != NULL && count < 127) {
		snprintf(link, sizeof(link), "/proc/self/fd/%s", d->d_name);
		k = readlink(link, target, sizeof(target) - 1);
		if (k > 0 && strncmp(target, "/memfd:", strlen("/memfd:")) == 0)
			count++;
	}
	closedir(dir);
	return count;
}

/* The child's answer is its exit status: the count, then the bit. */
static void
cmd_forkfds(char **w, unsigned int n)
{
	uint64_t addr;
	int status;
	pid_t pid;

	if (n != 2 || arg_u64(w[1], &addr) != 0) {
		say("err usage");
		return;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		say("err %d", -errno);
		return;
	}
	if (pid == 0)
		_exit(memfds_open() << 1 | (is_mapped(addr) ? 1 : 0));
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status)) {
		say("err %d", -ECHILD);
		return;
	}
	say("ok fds=%d mapped=%d", WEXITSTATUS(status) >> 1,
		WEXITSTATUS(status) & 1);
}

/* pat, set, check, same, fillchk, sum: NAME OFF LEN ARG [ARG]. */
static void
cmd_local(char **w, unsigned int n)
{
	uint64_t off, len, a = 0, b = 0, k;
	struct region *r;
	uint8_t *p, want;

	if (n < 4 || arg_range(w + 1, &r, &off, &len) != 0 ||
			(n > 4 && arg_u64(w[4], &a) != 0) ||
			(n > 5 && arg_u64(w[5], &b) != 0)) {
		say("err usage");
		return;
	}
	p = r->addr + off;
	if (strcmp(w[0], "pat") == 0 && n == 5) {
		pat_fill(p, len, a, 0);
		say("ok");
	} else if (strcmp(w[0], "set") == 0 && n == 5) {
		memset(p, (int)(a & 0xff), len);
		say("ok");
	} else if (strcmp(w[0], "sum") == 0 && n == 4) {
		say("ok %#" PRIx64, fnv1a(p, len));
	} else if ((strcmp(w[0], "check") == 0 && n == 6) ||
			(strcmp(w[0], "same") == 0 && n == 5) ||
			(strcmp(w[0], "fillchk") == 0 && n == 5)) {
		for (k = 0; k < len; k++) {
			want = w[0][0] == 'c' ? pat_byte(a, b + k) :
				w[0][0] == 's' ? (uint8_t)a : fill_byte(a, k);
			if (p[k] != want) {
				say("err byte %" PRIu64 " of %s is 0x%02x, expected 0x%02x",
					off + k, r->name, p[k], want);
				return;
			}
		}
		say("ok");
	} else {
		say("err usage");
	}
}

/* Bytes of the region outside its writable windows: unchanged. */
static void
cmd_guard(char **w, unsigned int n)
{
	struct region *r;
	uint64_t seed, k;
	unsigned int i;
	uint8_t *writable;

	if (n != 3 || (r = region_find(w[1])) == NULL ||
			arg_u64(w[2], &seed) != 0) {
		say("err usage");
		return;
	}
	writable = calloc(1, r->size);
	if (writable == NULL) {
		say("err %d", -ENOMEM);
		return;
	}
	for (i = 0; i < r->nb_win; i++)
		if (r->win[i].perm & RTE_DMA_DOMAIN_MEM_WRITE)
			memset(writable + r->win[i].off, 1,
				RTE_MIN(r->win[i].len, r->size - r->win[i].off));
	for (k = 0; k < r->size; k++) {
		if (!writable[k] && r->addr[k] != pat_byte(seed, k)) {
			say("err guard byte %" PRIu64 " of %s changed: 0x%02x, was 0x%02x",
				k, r->name, r->addr[k], pat_byte(seed, k));
			free(writable);
			return;
		}
	}
	free(writable);
	say("ok");
}

/*
 * Try to change the size of @fd of @size bytes in every way: each must be
 * refused with EPERM. 0, or the errno-style failure described in @msg.
 */
static int
resize_refused(int fd, off_t size, char *msg, size_t msg_size)
{
	static const char *const how[] = { "shrink", "grow", "fallocate" };
	unsigned int i;
	int r;

	for (i = 0; i < RTE_DIM(how); i++) {
		if (i == 0)
			r = ftruncate(fd, size / 2);
		else if (i == 1)
			r = ftruncate(fd, size + 4096);
		else
			r = fallocate(fd, 0, size, 4096);
		if (r == 0 || errno != EPERM) {
			snprintf(msg, msg_size, "%s of a %lld-byte memfd %s",
				how[i], (long long)size, r == 0 ?
				"succeeded" : strerror(errno));
			return -1;
		}
	}
	return 0;
}

/*
 * Every memfd that can be a window mapped into this process - its own
 * and those of peers - must keep its size: the kernel's seals, not the
 * peers' good manners, keep a mapping from turning into SIGBUS. Unsealed
 * ones are reported, not truncated (that would crash this process).
 * Windows come from rte_dma_domain_mem_alloc() ("dpdk-dma-xd") or from
 * this program's mfd command ("xdtest"); EAL's own --no-huge memfd is
 * never shared and not sealed. Opening a mapping's file by
 * /proc/self/map_files needs CAP_SYS_ADMIN: the orchestrator runs this
 * only as root.
 */
static void
cmd_shrink(void)
{
	char line[512], path[128], sizes[1024], msg[160];
	unsigned long long start, end;
	uint64_t seen[64];
	unsigned int nb_seen = 0, i;
	size_t used = 0;
	struct stat st;
	int fd, seals;
	FILE *maps;

	sizes[0] = '\0';
	msg[0] = '\0';
	maps = fopen("/proc/self/maps", "re");
	if (maps == NULL) {
		say("err %d", -errno);
		return;
	}
	while (msg[0] == '\0' && fgets(line, sizeof(line), maps) != NULL) {
		if ((strstr(line, "/memfd:dpdk-dma-xd ") == NULL &&
				strstr(line, "/memfd:xdtest ") == NULL) ||
				sscanf(line, "%llx-%llx", &start, &end) != 2)
			continue;
		snprintf(path, sizeof(path), "/proc/self/map_files/%llx-%llx",
			start, end);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0 || fstat(fd, &st) != 0) {
			snprintf(msg, sizeof(msg), "open %s: %s", path,
				strerror(errno));
			if (fd >= 0)
				close(fd);
			break;
		}
		for (i = 0; i < nb_seen && seen[i] != (uint64_t)st.st_ino; i++)
			;
		if (i < nb_seen || nb_seen == RTE_DIM(seen)) {
			close(fd);
			continue;
		}
		seen[nb_seen++] = (uint64_t)st.st_ino;
		seals = fcntl(fd, F_GET_SEALS);
		if (seals < 0 || (seals & (F_SEAL_SHRINK | F_SEAL_GROW)) !=
				(F_SEAL_SHRINK | F_SEAL_GROW))
			snprintf(msg, sizeof(msg), "memfd of %lld bytes at %llx is not sealed (seals %#x)",
				(long long)st.st_size, start, seals);
		else
			resize_refused(fd, st.st_size, msg, sizeof(msg));
		if (msg[0] == '\0' && used < sizeof(sizes))
			used += (size_t)snprintf(sizes + used,
				sizeof(sizes) - used, "%s%lld",
				nb_seen > 1 ? "," : "", (long long)st.st_size);
		close(fd);
	}
	fclose(maps);
	if (msg[0] != '\0')
		say("err %s", msg);
	else
		say("ok %u sizes=%s", nb_seen, sizes);
}

/* ---- datapath commands ---- */

static void
cmd_setup(char **w, unsigned int n)
{
	struct rte_dma_inter_domain_param d[MAX_VCHANS];
	struct rte_dma_vchan_conf vconf = {
		.direction = RTE_DMA_DIR_MEM_TO_MEM,
	};
	struct rte_dma_conf conf = { 0 };
	uint32_t nb_desc, h;
	int16_t dev_id;
	unsigned int i, nb;
	int ret;

	nb = (n - 3) / 3;
	if (n < 6 || (n - 3) % 3 != 0 || nb > MAX_VCHANS ||
			arg_dev(w[1], &dev_id) != 0 ||
			arg_u32(w[2], &nb_desc) != 0) {
		say("err usage");
		return;
	}
	memset(d, 0, sizeof(d));
	for (i = 0; i < nb; i++) {
		if (arg_type(w[3 + 3 * i], &d[i].type) != 0 ||
				arg_u32(w[4 + 3 * i], &h) != 0 || h > UINT16_MAX) {
			say("err usage");
			return;
		}
		d[i].src_handler = (uint16_t)h;
		if (arg_u32(w[5 + 3 * i], &h) != 0 || h > UINT16_MAX) {
			say("err usage");
			return;
		}
		d[i].dst_handler = (uint16_t)h;
	}
	if (dev_busy(dev_id))
		return;
	vconf.nb_desc = (uint16_t)nb_desc;
	conf.nb_vchans = (uint16_t)nb;
	ret = rte_dma_stop(dev_id);
	if (ret == 0)
		ret = rte_dma_configure(dev_id, &conf);
	for (i = 0; ret == 0 && i < nb; i++)
		ret = rte_dma_domain_vchan_setup(dev_id, (uint16_t)i, &vconf,
			&d[i]);
	if (ret == 0)
		ret = rte_dma_start(dev_id);
	reply_status(ret);
}

static int
arg_op(char **w, int16_t *dev_id, uint16_t *vchan, uint64_t *a,
		uint64_t *b, uint32_t *len)
{
	uint32_t v;

	if (arg_dev(w[1], dev_id) != 0 || arg_u32(w[2], &v) != 0 ||
			v >= MAX_VCHANS || arg_u64(w[3], a) != 0 ||
			arg_u64(w[4], b) != 0 || arg_u32(w[5], len) != 0)
		return -EINVAL;
	*vchan = (uint16_t)v;
	return 0;
}

static void
cmd_copy_fill(char **w, unsigned int n, bool fill)
{
	int16_t dev_id;
	uint16_t vchan;
	uint64_t a, b;
	uint32_t len;

	if (n != 6 || arg_op(w, &dev_id, &vchan, &a, &b, &len) != 0) {
		say("err usage");
		return;
	}
	if (dev_busy(dev_id))
		return;
	reply_one(dev_id, vchan, fill ?
		rte_dma_fill(dev_id, vchan, a, b, len, RTE_DMA_OP_FLAG_SUBMIT) :
		rte_dma_copy(dev_id, vchan, a, b, len, RTE_DMA_OP_FLAG_SUBMIT));
}

static void
cmd_post(char **w, unsigned int n)
{
	int16_t dev_id;
	uint16_t vchan;
	uint64_t a, b;
	uint32_t len, nb, k;
	int ret;

	if (n != 7 || arg_op(w, &dev_id, &vchan, &a, &b, &len) != 0 ||
			arg_u32(w[6], &nb) != 0 || nb == 0) {
		say("err usage");
		return;
	}
	if (dev_busy(dev_id))
		return;
	for (k = 0; k < nb; k++) {
		ret = rte_dma_copy(dev_id, vchan, a + (uint64_t)k * len,
			b + (uint64_t)k * len, len,
			k == nb - 1 ? RTE_DMA_OP_FLAG_SUBMIT : 0);
		if (ret < 0) {
			say("err %d", ret);
			return;
		}
	}
	say("ok");
}

static void
cmd_reap(char **w, unsigned int n)
{
	enum rte_dma_status_code st[BATCH];
	uint32_t nb, v, got = 0, ok = 0;
	int16_t dev_id;
	int ret;

	if (n != 4 || arg_dev(w[1], &dev_id) != 0 || arg_u32(w[2], &v) != 0 ||
			v >= MAX_VCHANS || arg_u32(w[3], &nb) != 0) {
		say("err usage");
		return;
	}
	while (got < nb) {
		uint16_t m = (uint16_t)RTE_MIN(nb - got, (uint32_t)BATCH), i;

		ret = wait_done(dev_id, (uint16_t)v, m, st);
		if (ret != 0) {
			say("err %d", ret);
			return;
		}
		for (i = 0; i < m; i++)
			ok += st[i] == RTE_DMA_STATUS_SUCCESSFUL;
		got += m;
	}
	say("ok ok=%u fail=%u", ok, nb - ok);
}

/* "A:L,A:L,...": scatter-gather entries. */
static int
arg_sges(char *s, struct rte_dma_sge *sg, uint16_t *nb)
{
	char *save = NULL, *tok, *colon;
	uint64_t a;
	uint32_t l;

	*nb = 0;
	for (tok = strtok_r(s, ",", &save); tok != NULL;
			tok = strtok_r(NULL, ",", &save)) {
		colon = strchr(tok, ':');
		if (colon == NULL || *nb == MAX_SGES)
			return -EINVAL;
		*colon = '\0';
		if (arg_u64(tok, &a) != 0 || arg_u32(colon + 1, &l) != 0)
			return -EINVAL;
		sg[*nb].addr = a;
		sg[*nb].length = l;
		(*nb)++;
	}
	return *nb > 0 ? 0 : -EINVAL;
}

static void
cmd_sg(char **w, unsigned int n)
{
	struct rte_dma_sge src[MAX_SGES], dst[MAX_SGES];
	uint16_t nb_src, nb_dst;
	int16_t dev_id;
	uint32_t v;

	if (n != 5 || arg_dev(w[1], &dev_id) != 0 || arg_u32(w[2], &v) != 0 ||
			v >= MAX_VCHANS || arg_sges(w[3], src, &nb_src) != 0 ||
			arg_sges(w[4], dst, &nb_dst) != 0) {
		say("err usage");
		return;
	}
	if (dev_busy(dev_id))
		return;
	reply_one(dev_id, (uint16_t)v, rte_dma_copy_sg(dev_id, (uint16_t)v,
		src, dst, nb_src, nb_dst, RTE_DMA_OP_FLAG_SUBMIT));
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
	static const char *const local[] = {
		"pat", "set", "check", "same", "fillchk", "sum",
	};
	char *w[MAX_WORDS];
	char text[37];
	unsigned int n = split(line, w), i;

	if (n == 0 || n > MAX_WORDS) {
		say("err usage");
		return true;
	}
	for (i = 0; i < RTE_DIM(local); i++) {
		if (strcmp(w[0], local[i]) == 0) {
			cmd_local(w, n);
			return true;
		}
	}
	if (strcmp(w[0], "domain") == 0 && n == 1) {
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
	} else if (strcmp(w[0], "grant") == 0) {
		cmd_grant(w, n);
	} else if (strcmp(w[0], "revoke") == 0) {
		cmd_revoke(w, n);
	} else if (strcmp(w[0], "attach") == 0) {
		cmd_attach(w, n);
	} else if (strcmp(w[0], "detach") == 0) {
		cmd_detach(w, n);
	} else if (strcmp(w[0], "capa") == 0) {
		cmd_capa(w, n);
	} else if (strcmp(w[0], "ns") == 0 && n == 1) {
		cmd_ns();
	} else if (strcmp(w[0], "alloc") == 0) {
		cmd_alloc(w, n);
	} else if (strcmp(w[0], "free") == 0) {
		cmd_free(w, n);
	} else if (strcmp(w[0], "mfd") == 0) {
		cmd_mfd(w, n);
	} else if (strcmp(w[0], "dmabuf") == 0) {
		cmd_dmabuf(w, n);
	} else if (strcmp(w[0], "file") == 0) {
		cmd_file(w, n, false);
	} else if (strcmp(w[0], "ivshmem") == 0) {
		cmd_file(w, n, true);
	} else if (strcmp(w[0], "reg") == 0) {
		cmd_reg(w, n);
	} else if (strcmp(w[0], "unreg") == 0) {
		cmd_unreg(w, n);
	} else if (strcmp(w[0], "share") == 0) {
		cmd_share(w, n);
	} else if (strcmp(w[0], "addr") == 0) {
		cmd_addr(w, n);
	} else if (strcmp(w[0], "guard") == 0) {
		cmd_guard(w, n);
	} else if (strcmp(w[0], "hole") == 0) {
		cmd_hole(w, n);
	} else if (strcmp(w[0], "where") == 0) {
		cmd_where(w, n);
	} else if (strcmp(w[0], "shrink") == 0 && n == 1) {
		cmd_shrink();
	} else if (strcmp(w[0], "forkfds") == 0) {
		cmd_forkfds(w, n);
	} else if (strcmp(w[0], "setup") == 0) {
		cmd_setup(w, n);
	} else if (strcmp(w[0], "post") == 0) {
		cmd_post(w, n);
	} else if (strcmp(w[0], "reap") == 0) {
		cmd_reap(w, n);
	} else if (strcmp(w[0], "copy") == 0) {
		cmd_copy_fill(w, n, false);
	} else if (strcmp(w[0], "fill") == 0) {
		cmd_copy_fill(w, n, true);
	} else if (strcmp(w[0], "sg") == 0) {
		cmd_sg(w, n);
	} else if (strcmp(w[0], "lay") == 0) {
		cmd_lay(w, n);
	} else if (strcmp(w[0], "random") == 0) {
		cmd_random(w, n);
	} else if (strcmp(w[0], "bg") == 0 && n >= 2) {
		cmd_bg(w, n);
	} else if (strcmp(w[0], "stamps") == 0) {
		cmd_stamps(w, n);
	} else if (strcmp(w[0], "quit") == 0 && n == 1) {
		return false;
	} else {
		say("err usage");
	}
	return true;
}

int
main(int argc, char **argv)
{
	static char line[LINE_MAX_LEN];
	unsigned int i, nb_args;
	char text[37];
	int ret;

	if (sched_getaffinity(0, sizeof(all_cpus), &all_cpus) != 0)
		CPU_ZERO(&all_cpus);
	for (i = 0; getenv("XD_DRIVER") != NULL && i < RTE_DIM(drivers); i++)
		if (strcmp(getenv("XD_DRIVER"), drivers[i].name) == 0)
			driver = &drivers[i];
	if (getenv("XD_DRIVER") != NULL &&
			strcmp(getenv("XD_DRIVER"), driver->name) != 0) {
		say("fail %d", -EINVAL);
		return EXIT_FAILURE;
	}
	for (nb_args = 0; nb_args < RTE_DIM(driver->vdevs) &&
			driver->vdevs[nb_args] != NULL; nb_args++)
		;
	ret = test_eal_init(argc > 1 ? argv[1] : "xdpeer", driver->vdevs,
		nb_args);
	if (ret == 0)
		ret = rte_dma_domain_id_get(own_domain);
	for (i = 0; ret == 0 && i < RTE_DIM(dev_letters); i++) {
		ret = rte_dma_get_dev_id_by_name(driver->devs[i]);
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
	if (bg.running) {
		__atomic_store_n(&bg.stop, 1, __ATOMIC_RELEASE);
		pthread_join(bg.thread, NULL);
	}
	say("ok");
	test_eal_fini();
	return EXIT_SUCCESS;
}
