/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-dma-xd authors
 */

#ifndef PERF_H
#define PERF_H

/*
 * dpdk-test-dma-perf: types shared by the benchmark's files.
 *
 *   main.c    command line, EAL, the order of the phases, exit status
 *   config.c  the INI file: every key checked before EAL starts
 *   setup.c   what needs EAL to check: lcores, devices, buffers
 *   bench.c   rounds, warm-up, timing, verification, progress
 *   loops.c   the timed loops, one per case type (the fast path)
 *   peer.c    the child process of CMA_COPY and SOCKET_COPY
 *   domain.c  DMA_INTER_DOMAIN_COPY, our side: the broker's socket, the
 *             peer started (namespaces for domain=os), group, handlers
 *   domain_peer.c  the peer itself: this program re-executed with --peer,
 *             its own EAL, a group member that shares its buffer
 *   verify.c  the data pattern and the check of a destination
 *   report.c  table, CSV, JSON and plot
 *
 * Phases, each finished before the next starts: parse and check the whole
 * config (exit 2 on any problem), start the other processes, start EAL,
 * check devices and lcores, set up the groups with the peers and allocate
 * everything (exit 2 on any problem), measure (exit 1 on any failure, a
 * data mismatch included), write the results.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include <sys/uio.h>

#include <rte_dmadev.h>

#include "rte_dmadev_domain.h"

#define PERF_NAME "dpdk-test-dma-perf"

/* Exit status: 1 a failure while measuring, 2 a bad command line or config. */
#define PERF_EXIT_FAIL 1
#define PERF_EXIT_CONFIG 2

/*
 * A [caseN] section becomes one case per worker (lcore_dmaN, or an lcore
 * of an "lcore = a, b" list) and per value of a varying mem_size,
 * dma_ring_size or kick_batch: PERF_MAX_CASES counts those.
 */
#define PERF_MAX_CASES 256
#define PERF_MAX_SECTIONS 64
#define PERF_MAX_WORKERS 32
#define PERF_MAX_SIZES 64
#define PERF_MAX_SGE 64
#define PERF_MAX_BUF_SIZE (1u << 30)
#define PERF_MAX_MEM_MIB (64u << 10)
/* Longest key, section or value rte_cfgfile keeps (CFG_*_LEN). */
#define PERF_NAME_LEN 64
#define PERF_VALUE_LEN 256

/* Slots start on cache lines whatever the copy size, as real buffers do. */
#define PERF_SLOT_ALIGN 64
/*
 * Every destination starts this far into its page, the source at a page
 * start: were their addresses equal modulo 4 KiB, the CPU would take
 * loads for dependent on earlier stores (4K aliasing), and copies of 1-2
 * KiB would run at half speed, whoever makes them.
 */
#define PERF_DST_SKEW 2048
/* Destination bytes not (yet) written by a copy. */
#define PERF_POISON 0xe7
/*
 * Each scenario's timed time is split into this many rounds, interleaved
 * with the other cases of the same buffer size, so that a machine that
 * changes speed during the run moves every case alike.
 */
#define PERF_ROUNDS 5

enum perf_type {
	PERF_DMA_MEM_COPY,
	PERF_CPU_MEM_COPY,
	PERF_CMA_COPY,
	PERF_SOCKET_COPY,
	PERF_DMA_INTER_DOMAIN_COPY,
	PERF_TYPE_MAX,
};

/* DMA_INTER_DOMAIN_COPY: what separates the peer from us (domain=). */
enum perf_domain {
	PERF_DOMAIN_PROCESS,  /* another process */
	PERF_DOMAIN_OS,       /* another process in its own namespaces */
	PERF_DOMAIN_VM,       /* a process in a QEMU guest (domain_vm.c) */
};

/* DMA_INTER_DOMAIN_COPY: which way the copies go (direction=). */
enum perf_direction {
	PERF_DIR_WRITE,       /* our source into the peer's buffer */
	PERF_DIR_READ,        /* the peer's buffer into our destination */
};

/* An lcore_dmaN's dir=: upstream's transfer directions. */
enum perf_xfer_dir {
	PERF_MEM2MEM,
	PERF_MEM2DEV,         /* into a PCIe endpoint's memory at raddr */
	PERF_DEV2MEM,         /* out of it */
};

/* Most windows= can ask for: the library's limit of ranges per process. */
#define PERF_MAX_WINDOWS 4096
/* Windows start on pages of this size (the library's rule). */
#define PERF_WINDOW_ALIGN 4096

/* Totals of one case at one buffer size, over its rounds. */
struct perf_result {
	uint64_t ops;     /* copies completed in the timed windows */
	uint64_t cycles;  /* TSC cycles of the timed windows */
	uint64_t errors;  /* copies completed with an error status */
	bool measured;
};

/*
 * The other process of CMA_COPY and SOCKET_COPY (a child that owns the
 * destination) and of DMA_INTER_DOMAIN_COPY (the peer, a group member).
 */
struct perf_peer {
	pid_t pid;        /* 0: none */
	int fd;           /* our end of the socket pair; -1: none */
	uint64_t addr;    /* the buffer, in the child's address space */
	size_t bytes;
	rte_uuid_t domain_id; /* DMA_INTER_DOMAIN_COPY: the peer's domain */
	int32_t own_pid;      /* DMA_INTER_DOMAIN_COPY: its pid, as it sees it */
	bool huge;            /* DMA_INTER_DOMAIN_COPY: its buffer's pages */
	/* domain=vm: pid is devtools/vm-guest.sh's, which owns QEMU. */
	bool vm;
	pid_t qemu;           /* from QEMU's pidfile; 0: not known yet */
	pid_t relay;          /* dpdk-dma-access vm; 0: none */
	char vm_dir[64];      /* its sockets and pidfile */
};

struct perf_case {
	char name[PERF_NAME_LEN];       /* its section, "caseN" */
	char label[PERF_NAME_LEN + 16]; /* its rows: name[/sS][/wW] */
	unsigned int section;           /* N of caseN */
	/*
	 * Upstream's scenario number (1, 2, ...) when mem_size, dma_ring_size
	 * or kick_batch varies; 0 when nothing does or buf_size does.
	 */
	unsigned int scenario;
	/*
	 * Workers of one section and scenario run in parallel, each on its
	 * lcore with its device, as consecutive cases: worker 0 leads.
	 */
	unsigned int worker;
	unsigned int nb_workers;
	enum perf_type type;
	bool skip;
	uint32_t mem_mib;               /* per side: source, destination */
	uint32_t sizes[PERF_MAX_SIZES]; /* buf_size, ascending */
	unsigned int nb_sizes;
	uint16_t ring;                  /* dma_ring_size */
	uint16_t kick_batch;
	uint16_t src_sge;
	uint16_t dst_sge;
	bool lcore_set;
	unsigned int lcore;             /* the main lcore unless lcore_set */
	char device[PERF_NAME_LEN];
	/* The keys that named device and lcore, for messages. */
	char dev_key[PERF_NAME_LEN];
	char lcore_key[PERF_NAME_LEN];
	/* lcore_dmaN's dir= and its PCIe endpoint fields */
	enum perf_xfer_dir dir;
	uint64_t raddr;
	uint8_t coreid;
	uint16_t pfid;
	uint16_t vfid;
	bool use_ops;                   /* use_enq_deq_ops=1 */
	int src_node;                   /* src_numa_node; -1: any */
	int dst_node;                   /* dst_numa_node; -1: any */
	/* DMA_INTER_DOMAIN_COPY */
	enum perf_domain domain;
	enum perf_direction direction;
	uint32_t windows;               /* the peer's buffer in this many */

	/* Set up after EAL starts. */
	int16_t dev_id;                 /* -1: no device */
	int16_t group_id;               /* DMA_INTER_DOMAIN_COPY; -1: none */
	uint16_t grant;                 /* Class B: the peer's grant; 0: none */
	/* The vchan's domains: type NONE (a local vchan) but for the above. */
	struct rte_dma_inter_domain_param xd;
	struct perf_peer peer;
	struct iovec *iov_local;        /* CMA, SOCKET: kick_batch + 1 */
	struct iovec *iov_remote;       /* CMA: kick_batch */
	enum rte_dma_status_code *status; /* DMA: ring entries */

	struct perf_result results[PERF_MAX_SIZES]; /* as sizes[] */
};

struct perf_config {
	const char *path;
	bool has_eal_args;
	char eal_args[PERF_VALUE_LEN];
	char eal_used[1024];      /* what EAL was started with, for the record */
	double test_seconds;
	bool cache_flush;
	/* Outputs named in [GLOBAL]; "" if none. The command line wins. */
	char csv[PERF_VALUE_LEN];
	char json[PERF_VALUE_LEN];
	char plot[PERF_VALUE_LEN];
	bool list_dma;            /* --list-dma: no case needs to be active */
	unsigned int nb_cases;
	struct perf_case cases[PERF_MAX_CASES];
};

/* Where a case's copies go, at one buffer size. */
struct perf_layout {
	uint32_t size;      /* bytes per copy */
	size_t stride;      /* distance between slot starts */
	uint64_t nb_slots;
	size_t bytes;       /* the whole destination buffer (mem_size) */
};

struct perf_mismatch {
	uint64_t slot;      /* UINT64_MAX: past the last slot */
	uint64_t byte;      /* within the slot (or past the last one) */
	uint8_t got;
	uint8_t want;
};

/* The workers of one round meet here before their timed windows. */
struct perf_sync {
	uint32_t arrived;
	uint32_t nb;
};

/* One round of one case at one size: the state its loop works on. */
struct perf_round {
	struct perf_case *c;
	struct perf_sync *sync;   /* several workers: start together */
	struct perf_layout lay;
	const uint8_t *src;       /* local source buffer */
	uint8_t *dst;             /* local destination (DMA, CPU) */
	rte_iova_t src_iova;      /* DMA: the same buffers, as IOVAs */
	rte_iova_t dst_iova;
	uint16_t batch;
	/* DMA with scatter-gather: a copy's pieces within its slot. */
	uint32_t src_seg_off[PERF_MAX_SGE];
	uint32_t src_seg_len[PERF_MAX_SGE];
	uint32_t dst_seg_off[PERF_MAX_SGE];
	uint32_t dst_seg_len[PERF_MAX_SGE];

	uint64_t slot;            /* next slot to copy into */
	uint64_t issued;          /* copies handed to the engine */
	uint64_t done;            /* copies finished, with or without error */
	uint64_t errors;          /* of which with an error status */

	/* Timing, set by bench.c. */
	int (*loop)(struct perf_round *r, uint64_t end);
	uint64_t warm_cycles;
	uint64_t timed_cycles;
	uint64_t drain_cycles;
	const uint8_t *flush_buf; /* cache_flush=1: walked before timing */
	size_t flush_bytes;
	uint64_t ops;             /* successful copies in the timed window */
	uint64_t cycles;          /* its length */
};

/* ---- config.c ---- */

/*
 * Print "dpdk-test-dma-perf: FILE: [section] key: message". @p section
 * and @p key may be NULL.
 */
void perf_config_error(const struct perf_config *cfg, const char *section,
		const char *key, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/*
 * Load and check @p path into @p cfg. Every problem found is printed.
 * Returns 0, or -EINVAL when there was any.
 */
int perf_config_load(struct perf_config *cfg, const char *path);

const char *perf_type_name(enum perf_type t);

/* A case's buffer size in bytes, "64 B", "4 KiB", "1 MiB" form. */
const char *perf_size_str(uint32_t size, char *buf, size_t len);

/* ---- setup.c ---- */

/*
 * After EAL: check each active case's lcore and device (capabilities,
 * ring, engine lcore), allocate the per-case arrays. Every problem found
 * is printed. Returns 0 or -EINVAL.
 */
int perf_setup_check(struct perf_config *cfg);

/* Configure and start @p c's device for a round. */
int perf_dev_start(const struct perf_case *c);
/* Stop it again; its statistics are compared with @p r's counts. */
int perf_dev_stop(const struct perf_case *c, const struct perf_round *r);

void perf_setup_release(struct perf_config *cfg);

/* EAL's lcores, "0,1,2". */
const char *perf_lcore_list(char *buf, size_t len);

/* ---- bench.c ---- */

struct perf_bench {
	uint8_t *src;          /* pattern source, shared by every case */
	/*
	 * The same pattern PERF_DST_SKEW bytes into a page, for the copies
	 * into a peer: there the destination starts on a page (a window).
	 */
	uint8_t *src_skew;
	uint8_t *src_skew_alloc;
	uint8_t *dst;          /* local destination (DMA, CPU cases) */
	uint8_t *dst_alloc;    /* where dst's allocation starts */
	size_t src_bytes;
	size_t dst_bytes;
	/* src_numa_node, dst_numa_node: buffers on that node, or NULL */
	uint8_t *node_src[RTE_MAX_NUMA_NODES];
	uint8_t *node_dst[RTE_MAX_NUMA_NODES];
	uint8_t *node_dst_alloc[RTE_MAX_NUMA_NODES];
	size_t node_src_bytes[RTE_MAX_NUMA_NODES];
	size_t node_dst_bytes[RTE_MAX_NUMA_NODES];
	uint8_t *flush_buf;    /* cache_flush=1: walked between rounds */
	size_t flush_bytes;
	uint8_t *scratch;      /* CMA verification: what is read back */
	size_t scratch_bytes;
	uint64_t tsc_hz;
	double warm_s;
	const char *fault;     /* test hook, see bench.c */
};

/* Allocate the buffers the active cases need. 0, or -ENOMEM (printed). */
int perf_bench_alloc(struct perf_bench *b, const struct perf_config *cfg);
void perf_bench_free(struct perf_bench *b);

/*
 * Measure every active case at every size; print the table as each size
 * completes. Returns 0, or a negative errno after printing what failed.
 */
int perf_bench_run(struct perf_bench *b, struct perf_config *cfg);

/* Warm-up before each round, for @p test_seconds per scenario. */
double perf_warm_seconds(double test_seconds);

/* Index of @p size in @p c's sizes, or -1. */
int perf_case_size_index(const struct perf_case *c, uint32_t size);

/* ---- loops.c ---- */

int perf_loop_dma(struct perf_round *r, uint64_t end);
int perf_loop_dma_sg(struct perf_round *r, uint64_t end);
int perf_loop_cpu(struct perf_round *r, uint64_t end);
int perf_loop_cma(struct perf_round *r, uint64_t end);
int perf_loop_socket(struct perf_round *r, uint64_t end);

/* Wait for every issued DMA copy; -ETIMEDOUT after @p timeout cycles. */
int perf_dma_drain(struct perf_round *r, uint64_t timeout);

/* ---- domain.c ---- */

/*
 * Before anything is started: the broker's socket in a directory of this
 * run (unless RTE_DMA_ACCESS_SOCKET is set), and room for the descriptors
 * of the peers' windows. Returns 0, or a negative errno (printed).
 */
int perf_domain_prepare(const struct perf_config *cfg);

/*
 * Start the peer of an active DMA_INTER_DOMAIN_COPY case, before EAL:
 * fork, for domain=os enter new namespaces, and execute this program
 * again in peer mode. @p others: earlier children's sockets.
 */
int perf_domain_spawn(struct perf_case *c, unsigned int index,
		const int *others, unsigned int nb_others);

/*
 * After perf_setup_check(): for each DMA_INTER_DOMAIN_COPY case, wait for
 * its peer, make it a member of the group of the case's device (created
 * here), and set the vchan's handlers. Every problem is printed; returns
 * 0 or -EINVAL.
 */
int perf_domain_setup(struct perf_config *cfg);

/* Stop the peers (they leave their groups), then destroy the groups. */
void perf_domain_release(struct perf_config *cfg);

/* After EAL's cleanup: remove the socket directory of this run, if ours. */
void perf_domain_cleanup(void);

/* ---- domain_vm.c ---- */

/*
 * domain=vm: boot a QEMU guest (devtools/vm-guest.sh) whose command is the
 * peer, and connect to its command port. Before EAL, as
 * perf_domain_spawn(). Returns 0 or a negative errno (printed).
 */
int perf_vm_spawn(struct perf_case *c, unsigned int index,
		const int *others, unsigned int nb_others);

/*
 * Bind the guest of @p c to the broker: start its relay (dpdk-dma-access
 * vm) with QEMU's ivshmem memfd and the guest's channel. After the group
 * exists (the broker runs), before the peer joins. 0 or -errno (printed).
 */
int perf_vm_relay_start(const struct perf_config *cfg, struct perf_case *c);

/* Stop the guest (its peer leaves on end of file), then its relay. */
void perf_vm_stop(struct perf_peer *p);

/* ---- domain_peer.c ---- */

/*
 * The peer's arguments: PERF_PEER_OPTION FD DEVICE -- EAL-ARGUMENTS.
 * DEVICE is the vdev the peer probes (EAL-ARGUMENTS has --vdev=DEVICE) and
 * joins its group with: one named like the case's device, hence of its
 * driver and class (a Class A group takes only devices of its class).
 */
#define PERF_PEER_OPTION "--peer"

/*
 * Set in a guest peer's environment (domain=vm): its buffer is a window of
 * the ivshmem region (PCI 1af4:1110, BAR 2) at offset 0, and FD is a
 * virtio-serial port, not a socket.
 */
#define PERF_PEER_IVSHMEM_ENV "DPDK_TEST_DMA_PERF_PEER_IVSHMEM"

/* This program as the peer (argv[1] is PERF_PEER_OPTION). Exit status. */
int perf_domain_peer_main(int argc, char **argv);

/* ---- peer.c ---- */

/*
 * What the parent sends the child: a fixed header, and for DATA the
 * payload of @p nb copies right after it. Plain data, no pointers: the
 * child applies the layout to its own buffer.
 */
enum perf_peer_cmd {
	PERF_PEER_DATA = 1,   /* nb copies into slots from @p slot on */
	PERF_PEER_POISON,     /* fill the whole buffer with PERF_POISON */
	PERF_PEER_VERIFY,     /* check the buffer: @p written slots copied */
	PERF_PEER_CORRUPT,    /* test hook: flip the first byte of @p slot */
};

struct perf_peer_msg {
	uint32_t cmd;
	uint32_t nb;
	uint64_t slot;
	uint64_t size;
	uint64_t stride;
	uint64_t nb_slots;
	uint64_t written;
};

struct perf_peer_reply {
	int32_t status;       /* 0 or a negative errno */
	uint32_t reserved;
	uint64_t value;       /* DATA: copies received; start: buffer address */
	struct perf_mismatch m; /* VERIFY with status -EIO */
};

/*
 * Fork the child of @p c, before EAL starts: it maps mem_size bytes,
 * faults them in, poisons them and waits for commands; it exits when our
 * end of the socket closes, or when we die. @p others are descriptors of
 * earlier children the new one must not keep open.
 */
int perf_peer_spawn(struct perf_peer *p, size_t bytes, const int *others,
		unsigned int nb_others);
int perf_peer_cmd(struct perf_peer *p, const struct perf_peer_msg *msg,
		struct perf_peer_reply *reply);
/* process_vm_readv() of @p len bytes at @p off of the child's buffer. */
int perf_peer_read(const struct perf_peer *p, uint64_t off, void *buf,
		size_t len);
void perf_peer_stop(struct perf_peer *p);

/*
 * The commands every child serves alike on its buffer of @p bytes at
 * @p buf: POISON, VERIFY, CORRUPT. Returns false for any other command.
 */
bool perf_peer_serve(const struct perf_peer_msg *m, uint8_t *buf,
		size_t bytes, struct perf_peer_reply *reply);

/*
 * DMA_INTER_DOMAIN_COPY: the peer's first message, and its answer to the
 * join request. Plain data.
 */
enum perf_xpeer_stage {
	PERF_XPEER_UNSHARE = 1,  /* domain=os: new namespaces */
	PERF_XPEER_IDMAP,        /* domain=os: uid_map, gid_map */
	PERF_XPEER_FORK,         /* domain=os: the pid namespace's first */
	PERF_XPEER_EXEC,         /* this program again */
	PERF_XPEER_EAL,          /* the peer's EAL */
	PERF_XPEER_DEVICE,       /* its PERF_PEER_DEVICE */
	PERF_XPEER_READY,        /* ready to join */
	PERF_XPEER_MEMORY,       /* its buffer, shared */
	PERF_XPEER_JOIN,         /* the group */
	PERF_XPEER_JOINED,       /* a member: @p addr is its buffer */
};

struct perf_xpeer_status {
	int32_t status;          /* 0 or a negative errno */
	uint32_t stage;          /* enum perf_xpeer_stage: reached, or failed */
	uint64_t addr;           /* JOINED: the buffer, in the peer's space */
	uint64_t bytes;
	uint8_t domain_id[16];   /* JOINED: the peer's domain */
	/* JOINED: as the peer sees them (domain=os: 1 and 0, its own). */
	int32_t pid;
	uint32_t uid;
	/* JOINED, for a Class B device: the grant of the buffer to us. */
	uint16_t grant;
	/* JOINED: 1 if the buffer is on huge pages. */
	uint16_t huge;
	uint16_t reserved[2];
};

/*
 * Join group @group_id and share the buffer with it; or, with group_id -1
 * (a Class B device here), grant the buffer to domain @grantee instead.
 */
struct perf_xpeer_join {
	uint8_t token[16];       /* the group's token: a secret */
	uint8_t grantee[16];     /* group_id -1: our domain */
	int32_t group_id;
	uint32_t windows;        /* share the buffer as this many windows */
	uint64_t bytes;
	uint32_t pattern;        /* 1: fill with the source pattern (read) */
	/*
	 * 1: our buffers are on huge pages; back yours with them too where
	 * the kernel has free ones, so that both sides' TLBs cost the same.
	 */
	uint32_t huge;
};

/* Send all of @p iov (which is consumed) without SIGPIPE. */
int perf_send_all(int fd, struct iovec *iov, int nb);
/* Read exactly @p len bytes; -EPIPE on end of file. */
int perf_recv_all(int fd, void *buf, size_t len);

/* ---- verify.c ---- */

/* Byte @p off of every source buffer. */
uint8_t perf_pattern_byte(uint64_t off);
void perf_pattern_fill(uint8_t *buf, size_t len);

void perf_layout_init(struct perf_layout *l, uint32_t size, size_t bytes);

/*
 * Whether bytes [off, off + len) of a destination, held at @p buf, are
 * what @p l and the first @p written slots copied should leave there: the
 * source pattern in the copied part of those slots, poison everywhere
 * else. On a mismatch, @p m tells the first wrong byte.
 */
bool perf_region_matches(const uint8_t *buf, uint64_t off, size_t len,
		const struct perf_layout *l, uint64_t written,
		struct perf_mismatch *m);

/* ---- report.c ---- */

void perf_report_header(const struct perf_config *cfg,
		const struct perf_bench *b);
/* The table rows of every case measured at @p size. */
void perf_report_size(const struct perf_config *cfg,
		const struct perf_bench *b, uint32_t size);
int perf_report_csv(FILE *f, const struct perf_config *cfg,
		const struct perf_bench *b);
int perf_report_json(FILE *f, const struct perf_config *cfg,
		const struct perf_bench *b);
/*
 * Upstream's result file: per case its environment and header lines, per
 * scenario a row per worker and a summary, in upstream's columns.
 */
int perf_report_result(FILE *f, const struct perf_config *cfg,
		const struct perf_bench *b);
/* The gnuplot program to run, or NULL if none is on PATH. */
const char *perf_plot_tool(char *buf, size_t len);
int perf_report_plot(const char *path, const struct perf_config *cfg,
		const struct perf_bench *b);

static inline bool
perf_case_active(const struct perf_case *c)
{
	return !c->skip;
}

/* Whether the case's copies go through a dmadev (the DMA loops). */
static inline bool
perf_case_dma(const struct perf_case *c)
{
	return c->type == PERF_DMA_MEM_COPY ||
		c->type == PERF_DMA_INTER_DOMAIN_COPY;
}

/*
 * The destination bytes of one worker: mem_size shared by the workers of
 * the case, in whole pages (each worker copies into its own share).
 */
static inline size_t
perf_worker_bytes(const struct perf_case *c)
{
	size_t mem = (size_t)c->mem_mib << 20;

	if (c->nb_workers <= 1)
		return mem;
	return mem / c->nb_workers / 4096 * 4096;
}

/* Whether @p c leads the workers it runs with (or runs alone). */
static inline bool
perf_case_leads(const struct perf_case *c)
{
	return c->worker == 0;
}

#endif /* PERF_H */
