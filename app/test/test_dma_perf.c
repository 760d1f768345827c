/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-dma-xd authors
 */

/*
 * Tests of the benchmark dpdk-test-dma-perf, by running it: the binary is
 * the unit. This program has no EAL of its own.
 *
 *   test_dma_perf config   every way a command line or config is refused:
 *                          exit status 2, a message naming the file, the
 *                          section and the key, and nothing measured (no
 *                          table, no result file left behind)
 *   test_dma_perf run      short real runs of every case type: sane
 *                          non-zero figures, verified data, the CSV
 *                          columns, JSON, plot, progress, and a data
 *                          mismatch injected into every case type;
 *                          DMA_INTER_DOMAIN_COPY with a real peer process
 *                          (process and OS domains, both directions, one
 *                          and several windows) and its failures;
 *                          upstream's language: parallel workers, their
 *                          totals, --result in upstream's columns
 *   test_dma_perf upstream configs/upstream.ini, our config in the
 *                          language of DPDK's own dpdk-test-dma-perf,
 *                          run as it is (its --file-prefix made unique):
 *                          upstream's result file, checked row by row
 *
 * Environment (meson sets it):
 *   XD_PERF          the dpdk-test-dma-perf binary
 *   XD_PERF_CONFIGS  the directory of its shipped configs
 *
 * Each test writes its configs and outputs into its own mkdtemp()
 * directory, and every run gets its own EAL file prefix: the tests run in
 * parallel with anything.
 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "test_huge.h"

#define EXIT_SKIP 77
#define RUN_TIMEOUT_S 60
#define OUT_MAX (256 * 1024)
#define MAX_ARGS 16
#define MAX_ENV 4

/* The first ten columns are the original interface; the rest came later. */
#define CSV_HEADER "case,type,device,buf_size,ops,mops,gbps,ns_per_op,cycles_per_op,errors," \
	"worker,workers,lcore,mem_size,dma_ring_size,kick_batch"
#define CSV_COLUMNS 16

/* EAL of every run but the prefix, which run_perf() makes unique. */
#define EAL_BASE "--no-huge --no-pci -m 256 --iova-mode=va -l 0-1 " \
	"--no-shconf --no-telemetry"
#define EAL_XD "--vdev=dma_xd_skeleton0 --vdev=dma_xd_skeleton1,lcore=1"
#define EAL_CNXK "--vdev=dma_xd_cnxk0"
#define EAL_IDXD "--vdev=dma_xd_idxd0"
#define EAL_DEBIAN "--vdev=dma_skeleton0"
/* Two inline engines: two DMA workers on lcores 0 and 1. */
#define EAL_BASE_XD2 "--vdev=dma_xd_skeleton0 --vdev=dma_xd_skeleton2"
#define RTE_DIM_(a) (sizeof(a) / sizeof((a)[0]))

struct fixture {
	char dir[64];
	const void *param;  /* the test's initial state, if any */
	struct test_huge huge; /* hugepages a case reserved, if any */
};

struct run {
	int status;        /* exit status; -1: killed or did not exit */
	char *out;         /* its stdout */
	char *err;         /* its stderr */
};

/* 2 MB pages reserved for upstream's config (--in-memory). */
#define UPSTREAM_HUGE_PAGES 160
/* And for a run with a peer on hugepages: EAL's 64 MB, the peer's 4. */
#define HUGE_PEER_PAGES 48

static const char *perf_bin;
static int run_timeout_s = RUN_TIMEOUT_S;
static const char *configs_dir;
static unsigned int run_seq;
/* -1: not probed yet; 0 or 1: whether Debian's dma_skeleton plugin loads */
static int debian = -1;
/*
 * The output buffers of the run not yet freed: a failed check leaves its
 * test before run_free(), and the teardown frees them instead.
 */
static char *live_out, *live_err;

/* ---- files ------------------------------------------------------------ */

static int
rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* A fresh directory; *state (a test's initial state) becomes fx->param. */
static int
setup_dir(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	assert_non_null(fx);
	fx->param = *state;
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/test-dma-perf-XXXXXX");
	assert_non_null(mkdtemp(fx->dir));
	*state = fx;
	return 0;
}

static int
teardown_dir(void **state)
{
	struct fixture *fx = *state;

	free(live_out);
	free(live_err);
	live_out = live_err = NULL;
	test_huge_teardown(&fx->huge);
	nftw(fx->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(fx);
	return 0;
}

static const char *
path_in(const struct fixture *fx, const char *name, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", fx->dir, name);
	return buf;
}

static bool
file_exists(const char *path)
{
	return access(path, F_OK) == 0;
}

/* Whole file as a string (NULL if unreadable); the caller frees it. */
static char *
read_file(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	size_t n;

	if (f == NULL)
		return NULL;
	buf = calloc(1, OUT_MAX + 1);
	if (buf != NULL) {
		n = fread(buf, 1, OUT_MAX, f);
		buf[n] = '\0';
	}
	fclose(f);
	return buf;
}

/*
 * Write a config named @p name from @p text, where each "@EAL@" becomes
 * eal_args=<the sandbox EAL arguments and @p vdevs>.
 */
static void
write_config(const struct fixture *fx, const char *name, const char *text,
		const char *vdevs, char *path, size_t len)
{
	const char *p = text, *at;
	FILE *f;

	path_in(fx, name, path, len);
	f = fopen(path, "w");
	assert_non_null(f);
	while ((at = strstr(p, "@EAL@")) != NULL) {
		fwrite(p, 1, (size_t)(at - p), f);
		fprintf(f, "eal_args=" EAL_BASE " %s", vdevs);
		p = at + strlen("@EAL@");
	}
	fputs(p, f);
	assert_int_equal(fclose(f), 0);
}

/* ---- running the benchmark ------------------------------------------------ */

/*
 * Run the benchmark with @p args (NULL-terminated, argv[0] not included)
 * and @p env (NULL-terminated "NAME=value" settings added to ours), in
 * @p fx's directory. Configs without their own --file-prefix get one from
 * the benchmark itself (unique per process).
 */
static void
run_perf(const struct fixture *fx, const char *const *env,
		const char *const *args, struct run *r)
{
	char out[PATH_MAX], err[PATH_MAX];
	const char *argv[MAX_ARGS + 2];
	unsigned int n = 0, i;
	int status = 0;
	time_t deadline;
	pid_t pid, w;

	path_in(fx, "stdout.txt", out, sizeof(out));
	path_in(fx, "stderr.txt", err, sizeof(err));
	argv[n++] = perf_bin;
	for (i = 0; args[i] != NULL; i++) {
		assert_true(n < MAX_ARGS);
		argv[n++] = args[i];
	}
	argv[n] = NULL;
	run_seq++;

	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int fo = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int fe = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (fo < 0 || fe < 0 || chdir(fx->dir) < 0)
			_exit(126);
		dup2(fo, STDOUT_FILENO);
		dup2(fe, STDERR_FILENO);
		for (i = 0; env != NULL && env[i] != NULL; i++)
			putenv((char *)(uintptr_t)env[i]);
		execv(perf_bin, (char *const *)(uintptr_t)argv);
		_exit(127);
	}
	deadline = time(NULL) + run_timeout_s;
	while ((w = waitpid(pid, &status, WNOHANG)) == 0 &&
			time(NULL) < deadline)
		usleep(10000);
	if (w == 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		print_message("  %s did not finish within %d s\n", perf_bin,
			run_timeout_s);
	}
	r->status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	r->out = live_out = read_file(out);
	r->err = live_err = read_file(err);
	assert_non_null(r->out);
	assert_non_null(r->err);
}

static void
run_free(struct run *r)
{
	free(r->out);
	free(r->err);
	r->out = r->err = NULL;
	live_out = live_err = NULL;
}

/* Show what the run said when a check on it fails. */
static void
run_dump(const struct run *r)
{
	print_message("  exit status %d\n  --- stdout ---\n%s  --- stderr ---\n%s",
		r->status, r->out, r->err);
}

static void
expect_in(const struct run *r, const char *text, const char *what)
{
	if (strstr(text, what) == NULL) {
		print_message("  expected \"%s\" in the output\n", what);
		run_dump(r);
		fail();
	}
}

/* Each string of @wants (NULL-terminated) in the file at @path. */
static void
expect_in_file(const struct run *r, const char *path,
		const char *const *wants)
{
	char *text = read_file(path);

	assert_non_null(text);
	for (; *wants != NULL; wants++)
		expect_in(r, text, *wants);
	free(text);
}

static void
expect_status(const struct run *r, int status)
{
	if (r->status != status) {
		print_message("  expected exit status %d\n", status);
		run_dump(r);
		fail();
	}
}

/* Whether Debian's dma_skeleton plugin gives us a dma_skeleton0. */
static bool
have_debian(const struct fixture *fx)
{
	static const char ini[] =
		"[GLOBAL]\n@EAL@\n"
		"[case1]\ntype=DMA_MEM_COPY\ndevice=dma_skeleton0\nbuf_size=64\n";
	char cfgpath[PATH_MAX];
	struct run r;

	if (debian >= 0)
		return debian == 1;
	write_config(fx, "probe.ini", ini, EAL_DEBIAN, cfgpath, sizeof(cfgpath));
	run_perf(fx, NULL, (const char *[]){ "--config", cfgpath, "--check",
		NULL }, &r);
	debian = r.status == 0;
	if (!debian)
		print_message("  Debian's dma_skeleton is not available: %s",
			r.err);
	run_free(&r);
	return debian == 1;
}

/*
 * Whether DPDK's dma_skeleton (have_debian() first) lists capability @capa
 * ("copy_sg", "fill") in --list-dma: DPDK 22.11's has neither, 25.11's has
 * both.
 */
static bool
debian_has(const struct fixture *fx, const char *capa)
{
	static const char ini[] =
		"[GLOBAL]\n@EAL@\n"
		"[case1]\ntype=DMA_MEM_COPY\ndevice=dma_skeleton0\nbuf_size=64\n";
	char cfgpath[PATH_MAX], word[32], list[256];
	const char *line;
	struct run r;
	bool has;

	write_config(fx, "capa.ini", ini, EAL_DEBIAN, cfgpath, sizeof(cfgpath));
	run_perf(fx, NULL, (const char *[]){ "--config", cfgpath, "--list-dma",
		NULL }, &r);
	expect_status(&r, 0);
	line = strstr(r.out, "dma_skeleton0: capabilities ");
	assert_non_null(line);
	/* " mem2mem copy_sg sva " from "capabilities mem2mem copy_sg sva;" */
	line += strlen("dma_skeleton0: capabilities");
	snprintf(list, sizeof(list), "%.*s ", (int)strcspn(line, ";\n"), line);
	snprintf(word, sizeof(word), " %s ", capa);
	has = strstr(list, word) != NULL;
	run_free(&r);
	return has;
}

/* ---- bad configs ------------------------------------------------------------ */

struct bad_config {
	const char *ini;          /* "@EAL@": our EAL arguments */
	const char *vdevs;        /* --vdev arguments for @EAL@ */
	const char *expect[3];    /* each must be in stderr */
	bool needs_debian;
	const char *debian_lacks; /* a capability dma_skeleton0 must lack */
};

/*
 * Runs the config with --csv into the test directory: exit status 2, the
 * messages, no result file, no table (nothing was measured).
 */
static void
test_bad_config(void **state)
{
	const struct fixture *fx = *state;
	const struct bad_config *bc = fx->param;
	char cfgpath[PATH_MAX], csv[PATH_MAX];
	struct run r;
	unsigned int i;

	if (bc->needs_debian && !have_debian(fx))
		skip();
	if (bc->debian_lacks != NULL && debian_has(fx, bc->debian_lacks)) {
		print_message("  skipped: this DPDK's dma_skeleton has %s, and no other device here lacks it\n",
			bc->debian_lacks);
		skip();
	}
	write_config(fx, "bad.ini", bc->ini,
		bc->vdevs != NULL ? bc->vdevs : EAL_XD, cfgpath,
		sizeof(cfgpath));
	path_in(fx, "out.csv", csv, sizeof(csv));
	run_perf(fx, NULL, (const char *[]){ "--config", cfgpath, "--csv",
		csv, NULL }, &r);
	expect_status(&r, 2);
	expect_in(&r, r.err, "bad.ini");
	for (i = 0; i < 3 && bc->expect[i] != NULL; i++)
		expect_in(&r, r.err, bc->expect[i]);
	if (strstr(r.out, "Mops/s") != NULL) {
		print_message("  a refused config printed a results table\n");
		run_dump(&r);
		fail();
	}
	/* Nothing half-run: the output files opened early are gone again. */
	assert_false(file_exists(csv));
	assert_false(file_exists(path_in(fx, "bad_result.csv", csv,
		sizeof(csv))));
	run_free(&r);
}

#define CPU_CASE "[case1]\ntype=CPU_MEM_COPY\nbuf_size=64\n"
#define XD_CASE "[case1]\ntype=DMA_MEM_COPY\ndevice=dma_xd_skeleton0\nbuf_size=64\n"

#define BAD(id, ...) \
	static struct bad_config id = { __VA_ARGS__ }

/* INI syntax */
BAD(bad_no_equals, .ini = "[GLOBAL]\n@EAL@\n[case1]\ntype CPU_MEM_COPY\n",
	.expect = { "bad.ini:4:", "neither [section] nor key=value" });
BAD(bad_key_before_section, .ini = "test_seconds=1\n" CPU_CASE,
	.expect = { "bad.ini:1:", "key before any section" });
BAD(bad_section_header, .ini = "[case1\ntype=CPU_MEM_COPY\n",
	.expect = { "bad.ini:1:", "not a section header" });
/* sections */
BAD(bad_unknown_section, .ini = "[GLOBAL]\n@EAL@\n[bench1]\ntype=CPU_MEM_COPY\n" CPU_CASE,
	.expect = { "[bench1]", "unknown section" });
BAD(bad_case_zero, .ini = "[case0]\ntype=CPU_MEM_COPY\nbuf_size=64\n",
	.expect = { "[case0]", "unknown section" });
BAD(bad_dup_section, .ini = CPU_CASE CPU_CASE,
	.expect = { "[case1]", "section given more than once" });
BAD(bad_no_case, .ini = "[GLOBAL]\n@EAL@\n",
	.expect = { "no [caseN] section" });
BAD(bad_all_skipped, .ini = "[GLOBAL]\n@EAL@\n[case1]\nskip=1\ntype=DMA_INTER_DOMAIN_COPY\n",
	.expect = { "every case has skip=1" });
/* keys */
BAD(bad_unknown_key, .ini = CPU_CASE "buf_sz=128\n",
	.expect = { "[case1] buf_sz", "unknown key" });
BAD(bad_unknown_global_key, .ini = "[GLOBAL]\ntest_secs=1\n" CPU_CASE,
	.expect = { "[GLOBAL] test_secs", "unknown key" });
BAD(bad_case_key_in_global, .ini = "[GLOBAL]\nmem_size=4\n" CPU_CASE,
	.expect = { "[GLOBAL] mem_size", "belongs in a [caseN] section" });
BAD(bad_global_key_in_case, .ini = CPU_CASE "cache_flush=1\n",
	.expect = { "[case1] cache_flush", "belongs in [GLOBAL]" });
BAD(bad_upstream_lcore_dma, .ini = CPU_CASE "lcore_dma=lcore10@0000:00:04.2\n",
	.expect = { "[case1] lcore_dma:", "unknown key", "lcore_dma0, lcore_dma1" });
BAD(bad_dup_key, .ini = CPU_CASE "buf_size=128\n",
	.expect = { "[case1] buf_size", "given more than once" });
BAD(bad_skipped_unknown_key, .ini = CPU_CASE "[case2]\nskip=1\ntpye=CPU_MEM_COPY\n",
	.expect = { "[case2] tpye", "unknown key" });
/* [GLOBAL] values */
BAD(bad_test_seconds, .ini = "[GLOBAL]\ntest_seconds=0\n" CPU_CASE,
	.expect = { "[GLOBAL] test_seconds", "not a number of seconds" });
BAD(bad_test_seconds_text, .ini = "[GLOBAL]\ntest_seconds=1s\n" CPU_CASE,
	.expect = { "[GLOBAL] test_seconds" });
BAD(bad_cache_flush, .ini = "[GLOBAL]\ncache_flush=2\n" CPU_CASE,
	.expect = { "[GLOBAL] cache_flush", "neither 0 nor 1" });
BAD(bad_empty_csv, .ini = "[GLOBAL]\ncsv=\n" CPU_CASE,
	.expect = { "[GLOBAL] csv", "empty file name" });
BAD(bad_eal, .ini = "[GLOBAL]\neal_args=--no-huge --no-such-eal-option\n" CPU_CASE,
	.expect = { "[GLOBAL] eal_args", "EAL does not start" });
/* type */
BAD(bad_type_missing, .ini = "[case1]\nbuf_size=64\n",
	.expect = { "[case1] type", "missing" });
BAD(bad_type_unknown, .ini = "[case1]\ntype=GPU_COPY\nbuf_size=64\n",
	.expect = { "[case1] type", "unknown type 'GPU_COPY'" });
/* DMA_INTER_DOMAIN_COPY's keys */
#define INTER_CASE "[case1]\ntype=DMA_INTER_DOMAIN_COPY\ndevice=dma_xd_skeleton0\nbuf_size=64\n"
BAD(bad_inter_domain, .ini = INTER_CASE "domain=container\n",
	.expect = { "[case1] domain", "'container' is neither process, os nor vm" });
/* Refused before anything starts: no guest is booted for it. */
BAD(bad_inter_vm_windows, .ini = INTER_CASE "domain=vm\nwindows=2\n",
	.expect = { "[case1] windows", "vm: the guest shares one window" });
BAD(bad_inter_direction, .ini = INTER_CASE "direction=sideways\n",
	.expect = { "[case1] direction", "'sideways' is neither write nor read" });
BAD(bad_inter_windows_zero, .ini = INTER_CASE "windows=0\n",
	.expect = { "[case1] windows", "not a whole number in 1..4096" });
BAD(bad_inter_windows_many, .ini = INTER_CASE "windows=5000\n",
	.expect = { "[case1] windows", "not a whole number in 1..4096" });
BAD(bad_inter_windows_pages, .ini = INTER_CASE "mem_size=1\nwindows=3\n",
	.expect = { "[case1] windows", "cannot be cut into 3 windows of whole 4 KiB pages" });
BAD(bad_inter_windows_straddle, .ini = "[case1]\ntype=DMA_INTER_DOMAIN_COPY\ndevice=dma_xd_skeleton0\nbuf_size=64,8K\nmem_size=1\nwindows=256\n",
	.expect = { "[case1] windows", "windows of 4 KiB hold no whole number of buf_size 8 KiB", "straddle" });
BAD(bad_inter_peer_attach, .ini = INTER_CASE "peer=attach\n",
	.expect = { "[case1] peer", "not supported yet", "peer=spawn" });
BAD(bad_inter_peer_value, .ini = INTER_CASE "peer=fork\n",
	.expect = { "[case1] peer", "'fork' is neither spawn nor attach" });
BAD(bad_inter_device_missing, .ini = "[case1]\ntype=DMA_INTER_DOMAIN_COPY\nbuf_size=64\n",
	.expect = { "[case1] lcore_dma0", "missing: a DMA_INTER_DOMAIN_COPY case names its dmadev" });
BAD(bad_inter_key_on_dma, .ini = XD_CASE "direction=read\nwindows=2\n",
	.expect = { "[case1] direction", "[case1] windows", "only DMA_INTER_DOMAIN_COPY cases take it, not DMA_MEM_COPY" });
BAD(bad_inter_kick_gt_ring, .ini = INTER_CASE "dma_ring_size=64\nkick_batch=128\n",
	.expect = { "[case1] kick_batch", "larger than dma_ring_size" });
#undef INTER_CASE
BAD(bad_skip_value, .ini = CPU_CASE "skip=yes\n",
	.expect = { "[case1] skip", "neither 0 nor 1" });
/* buf_size */
#define BUF(id, value, msg) \
	BAD(id, .ini = "[case1]\ntype=CPU_MEM_COPY\nbuf_size=" value "\n", \
		.expect = { "[case1] buf_size", msg })
BUF(bad_buf_empty, "", "empty value");
BUF(bad_buf_first_gt_last, "64,32,2,MUL", "larger than last");
BUF(bad_buf_mul_step, "64,8K,1,MUL", "MUL step");
BUF(bad_buf_add_step, "64,8K,0,ADD", "ADD step");
BUF(bad_buf_op, "64,8K,2,DIV", "'DIV' is neither a size nor ADD or MUL");
BUF(bad_buf_three_fields, "64,8K,MUL", "4 fields, not 3");
BUF(bad_buf_empty_field, "64,,2,MUL", "empty field 2");
BUF(bad_buf_zero, "0", "'0' is not a size");
BUF(bad_buf_suffix, "12Q", "'12Q' is not a size");
BUF(bad_buf_too_big, "2G", "'2G' is not a size");
BUF(bad_buf_twice, "64,4K,64", "lists 64 B twice");
BUF(bad_buf_too_many, "1,1G,1,ADD", "more than 64 sizes");
#undef BUF
BAD(bad_buf_absent, .ini = "[case1]\ntype=CPU_MEM_COPY\n",
	.expect = { "[case1] buf_size", "missing" });
/* other values */
BAD(bad_mem_size, .ini = CPU_CASE "mem_size=0\n",
	.expect = { "[case1] mem_size", "not a whole number" });
BAD(bad_mem_too_small, .ini = "[case1]\ntype=CPU_MEM_COPY\nbuf_size=2M\nmem_size=1\n",
	.expect = { "[case1] mem_size", "cannot hold one buffer of buf_size 2 MiB" });
BAD(bad_kick_batch, .ini = CPU_CASE "kick_batch=0\n",
	.expect = { "[case1] kick_batch" });
BAD(bad_kick_gt_ring, .ini = XD_CASE "dma_ring_size=64\nkick_batch=128\n",
	.expect = { "[case1] kick_batch", "larger than dma_ring_size" });
BAD(bad_kick_cma, .ini = "[case1]\ntype=CMA_COPY\nbuf_size=64\nkick_batch=2000\n",
	.expect = { "[case1] kick_batch", "one system call" });
BAD(bad_lcore_value, .ini = CPU_CASE "lcore=-1\n",
	.expect = { "[case1] lcore", "not a whole number" });
BAD(bad_dma_key_on_cpu, .ini = CPU_CASE "dma_ring_size=64\ndevice=dma_xd_skeleton0\n",
	.expect = { "[case1] dma_ring_size", "[case1] device", "only DMA_MEM_COPY" });
BAD(bad_device_missing, .ini = "[case1]\ntype=DMA_MEM_COPY\nbuf_size=64\n",
	.expect = { "[case1] lcore_dma0", "missing", "device=dma_xd_skeleton0" });
BAD(bad_device_name, .ini = XD_CASE "[case2]\ntype=DMA_MEM_COPY\ndevice=a,b\nbuf_size=64\n",
	.expect = { "[case2] device", "not a dmadev name" });
BAD(bad_sge_vs_size, .ini = "[case1]\ntype=DMA_MEM_COPY\ndevice=dma_xd_skeleton0\nbuf_size=2\ndma_src_sge=4\n",
	.expect = { "[case1] dma_src_sge", "cannot be cut into 4 pieces" });
BAD(bad_sge_range, .ini = XD_CASE "dma_dst_sge=0\n",
	.expect = { "[case1] dma_dst_sge" });
/* needs EAL: devices, lcores, memory */
BAD(bad_device_unknown, .ini = "[GLOBAL]\n@EAL@\n[case1]\ntype=DMA_MEM_COPY\ndevice=nosuch0\nbuf_size=64\n",
	.expect = { "[case1] device", "no dmadev named 'nosuch0'", "dma_xd_skeleton0" });
BAD(bad_sge_no_capa, .ini = "[GLOBAL]\n@EAL@\n[case1]\ntype=DMA_MEM_COPY\ndevice=dma_skeleton0\nbuf_size=64\ndma_src_sge=4\n",
	.vdevs = EAL_DEBIAN,
	.expect = { "[case1] dma_src_sge", "RTE_DMA_CAPA_OPS_COPY_SG" },
	.needs_debian = true, .debian_lacks = "copy_sg");
BAD(bad_sge_above_max, .ini = "[GLOBAL]\n@EAL@\n" XD_CASE "dma_dst_sge=32\n",
	.expect = { "[case1] dma_dst_sge", "max 16" });
BAD(bad_ring_range, .ini = "[GLOBAL]\n@EAL@\n" XD_CASE "dma_ring_size=16\nkick_batch=8\n",
	.expect = { "[case1] dma_ring_size", "outside dma_xd_skeleton0's 32..32768" });
BAD(bad_ring_refused, .ini = "[GLOBAL]\n@EAL@\n[case1]\ntype=DMA_MEM_COPY\ndevice=dma_skeleton0\nbuf_size=64\ndma_ring_size=1000\n",
	.vdevs = EAL_DEBIAN,
	.expect = { "[case1] dma_ring_size", "refused a vchan of 1000" },
	.needs_debian = true);
BAD(bad_too_few_lcores, .ini = "[GLOBAL]\n@EAL@\n" CPU_CASE "lcore=5\n",
	.expect = { "[case1] lcore", "too few lcores" });
BAD(bad_engine_lcore, .ini = "[GLOBAL]\n@EAL@\n[case1]\ntype=DMA_MEM_COPY\ndevice=dma_xd_skeleton1\nbuf_size=64\nlcore=1\n",
	.expect = { "[case1] lcore", "runs dma_xd_skeleton1's engine" });
BAD(bad_memory, .ini = "[GLOBAL]\n@EAL@\n" CPU_CASE "mem_size=1024\n",
	.expect = { "mem_size", "-m in eal_args" });
BAD(bad_inter_no_capa, .ini = "[GLOBAL]\n@EAL@\n[case1]\ntype=DMA_INTER_DOMAIN_COPY\ndevice=dma_skeleton0\nbuf_size=64\n",
	.vdevs = EAL_DEBIAN,
	.expect = { "[case1] device", "dma_skeleton0 cannot copy across process domains" },
	.needs_debian = true);
BAD(bad_inter_os_no_capa, .ini = "[GLOBAL]\n@EAL@\n[case1]\ntype=DMA_INTER_DOMAIN_COPY\ndevice=dma_skeleton0\ndomain=os\nbuf_size=64\n",
	.vdevs = EAL_DEBIAN,
	.expect = { "[case1] device", "cannot copy across OS domains", "RTE_DMA_CAPA_INTER_OS_DOMAIN" },
	.needs_debian = true);
/* Class A: process domains only */
BAD(bad_inter_os_cnxk, .ini = "[GLOBAL]\n@EAL@\n[case1]\ntype=DMA_INTER_DOMAIN_COPY\ndevice=dma_xd_cnxk0\ndomain=os\nbuf_size=64\n",
	.vdevs = EAL_CNXK,
	.expect = { "[case1] device", "dma_xd_cnxk0 cannot copy across OS domains", "RTE_DMA_CAPA_INTER_OS_DOMAIN" });
/* Class B: the peer's buffer comes as one grant */
BAD(bad_inter_windows_idxd, .ini = "[GLOBAL]\n@EAL@\n[case1]\ntype=DMA_INTER_DOMAIN_COPY\ndevice=dma_xd_idxd0\nbuf_size=64\nmem_size=1\nwindows=2\n",
	.vdevs = EAL_IDXD,
	.expect = { "[case1] windows", "dma_xd_idxd0 is a Class B device", "windows must be 1" });
/* upstream's language: workers */
#define UP_DMA "[case1]\ntype=DMA_MEM_COPY\nbuf_size=64\nmem_size=1\n"
BAD(bad_lcore_dma_gap, .ini = UP_DMA "lcore_dma0=lcore=0,dev=dma_xd_skeleton0\nlcore_dma2=lcore=1,dev=dma_xd_skeleton2\n",
	.expect = { "[case1] lcore_dma1", "missing", "without gaps" });
BAD(bad_lcore_dma_field, .ini = UP_DMA "lcore_dma0=lcore=0,dev=dma_xd_skeleton0,queue=3\n",
	.expect = { "[case1] lcore_dma0", "unknown field 'queue'" });
BAD(bad_lcore_dma_not_kv, .ini = UP_DMA "lcore_dma0=lcore=0,dma_xd_skeleton0\n",
	.expect = { "[case1] lcore_dma0", "'dma_xd_skeleton0' is not name=value" });
BAD(bad_lcore_dma_dir, .ini = UP_DMA "lcore_dma0=lcore=0,dev=dma_xd_skeleton0,dir=dev2dev\n",
	.expect = { "[case1] lcore_dma0", "dir=dev2dev is neither mem2mem, mem2dev nor dev2mem" });
BAD(bad_lcore_dma_no_dev, .ini = UP_DMA "lcore_dma0=lcore=0,dir=mem2mem\n",
	.expect = { "[case1] lcore_dma0", "names no dev=" });
BAD(bad_lcore_dma_no_lcore, .ini = UP_DMA "lcore_dma0=dev=dma_xd_skeleton0\n",
	.expect = { "[case1] lcore_dma0", "names no lcore=" });
BAD(bad_lcore_dma_lcore, .ini = UP_DMA "lcore_dma0=lcore=x,dev=dma_xd_skeleton0\n",
	.expect = { "[case1] lcore_dma0", "lcore=x is not an lcore number" });
BAD(bad_lcore_dma_raddr, .ini = UP_DMA "lcore_dma0=lcore=0,dev=dma_xd_skeleton0,dir=dev2mem,raddr=0xzz\n",
	.expect = { "[case1] lcore_dma0", "raddr=0xzz is not a hexadecimal address" });
BAD(bad_lcore_dma_coreid, .ini = UP_DMA "lcore_dma0=lcore=0,dev=dma_xd_skeleton0,dir=dev2mem,coreid=300\n",
	.expect = { "[case1] lcore_dma0", "coreid=300 is not a whole number in 0..255" });
BAD(bad_lcore_dma_and_device, .ini = UP_DMA "device=dma_xd_skeleton0\nlcore_dma0=lcore=0,dev=dma_xd_skeleton2\n",
	.expect = { "[case1] device", "given with lcore_dma0" });
BAD(bad_lcore_dma_same_lcore, .ini = UP_DMA "lcore_dma0=lcore=1,dev=dma_xd_skeleton0\nlcore_dma1=lcore=1,dev=dma_xd_skeleton2\n",
	.expect = { "[case1] lcore_dma1", "one worker per lcore" });
BAD(bad_lcore_dma_same_dev, .ini = UP_DMA "lcore_dma0=lcore=0,dev=dma_xd_skeleton0\nlcore_dma1=lcore=1,dev=dma_xd_skeleton0\n",
	.expect = { "[case1] lcore_dma1", "one worker per device" });
BAD(bad_lcore_dma_on_cpu, .ini = CPU_CASE "lcore_dma0=lcore=0,dev=dma_xd_skeleton0\n",
	.expect = { "[case1] lcore_dma0", "only DMA_MEM_COPY and DMA_INTER_DOMAIN_COPY" });
BAD(bad_lcore_dma_inter_two, .ini = "[case1]\ntype=DMA_INTER_DOMAIN_COPY\nbuf_size=64\nlcore_dma0=lcore=0,dev=dma_xd_skeleton0\nlcore_dma1=lcore=1,dev=dma_xd_skeleton2\n",
	.expect = { "[case1] lcore_dma1", "DMA_INTER_DOMAIN_COPY case has one worker" });
BAD(bad_lcore_list_on_dma, .ini = XD_CASE "lcore=0,1\n",
	.expect = { "[case1] lcore", "DMA workers are lcore_dma0, lcore_dma1" });
BAD(bad_lcore_list_value, .ini = CPU_CASE "lcore = 0, x\n",
	.expect = { "[case1] lcore", "'0, x' is not a whole number" });
BAD(bad_workers_share_mem, .ini = "[case1]\ntype=CPU_MEM_COPY\nbuf_size=1M\nmem_size=1\nlcore=0,1\n",
	.expect = { "[case1] mem_size", "shared by 2 workers" });
/* upstream's language: variables */
BAD(bad_var_two, .ini = CPU_CASE "mem_size=1,4,2,MUL\nkick_batch=8,64,2,MUL\n",
	.expect = { "[case1] kick_batch", "one variable per case", "mem_size varies" });
BAD(bad_var_with_sizes, .ini = "[case1]\ntype=CPU_MEM_COPY\nbuf_size=64,4K\nkick_batch=8,64,2,MUL\n",
	.expect = { "[case1] kick_batch", "varies while buf_size lists several sizes" });
BAD(bad_var_form, .ini = CPU_CASE "mem_size=1,4\n",
	.expect = { "[case1] mem_size", "neither a whole number nor a range" });
BAD(bad_var_mul_step, .ini = XD_CASE "dma_ring_size=64,1024,1,MUL\n",
	.expect = { "[case1] dma_ring_size", "increment of MUL is a whole number of 2 or more" });
BAD(bad_var_order, .ini = CPU_CASE "kick_batch=64,8,2,MUL\n",
	.expect = { "[case1] kick_batch", "first not above last" });
BAD(bad_var_kick_gt_ring, .ini = XD_CASE "dma_ring_size=64\nkick_batch=16,256,2,MUL\n",
	.expect = { "[case1] kick_batch", "128 is larger than dma_ring_size (64)" });
/* upstream's language: other keys */
BAD(bad_numa_value, .ini = CPU_CASE "src_numa_node=-1\n",
	.expect = { "[case1] src_numa_node", "not a whole number" });
BAD(bad_numa_on_cma, .ini = "[case1]\ntype=CMA_COPY\nbuf_size=64\ndst_numa_node=0\n",
	.expect = { "[case1] dst_numa_node", "only DMA_MEM_COPY and CPU_MEM_COPY" });
BAD(bad_enq_deq_value, .ini = XD_CASE "use_enq_deq_ops=yes\n",
	.expect = { "[case1] use_enq_deq_ops", "neither 0 nor 1" });
/* upstream's language, against the devices */
BAD(bad_dev2mem, .ini = "[GLOBAL]\n@EAL@\n" UP_DMA "lcore_dma0=lcore=0,dev=dma_xd_skeleton0,dir=dev2mem,raddr=0x200000000,coreid=1,pfid=2,vfid=3\n",
	.expect = { "[case1] lcore_dma0", "dma_xd_skeleton0 cannot copy out of a device", "RTE_DMA_CAPA_DEV_TO_MEM" });
BAD(bad_mem2dev, .ini = "[GLOBAL]\n@EAL@\n" UP_DMA "lcore_dma0=lcore=0,dev=dma_skeleton0,dir=mem2dev,raddr=0x300000000\n",
	.vdevs = EAL_DEBIAN,
	.expect = { "[case1] lcore_dma0", "dma_skeleton0 cannot copy from memory into a device", "RTE_DMA_CAPA_MEM_TO_DEV" },
	.needs_debian = true);
BAD(bad_enq_deq_device, .ini = "[GLOBAL]\n@EAL@\n" XD_CASE "use_enq_deq_ops=1\n",
	.expect = { "[case1] use_enq_deq_ops",
		"dma_xd_skeleton0 has", "use_enq_deq_ops=0" });
BAD(bad_lcore_dma_unknown_dev, .ini = "[GLOBAL]\n@EAL@\n" UP_DMA "lcore_dma0=lcore=0,dev=0000:00:04.2\n",
	.expect = { "[case1] lcore_dma0", "no dmadev named '0000:00:04.2'" });
BAD(bad_lcore_dma_few_lcores, .ini = "[GLOBAL]\n@EAL@\n" UP_DMA "lcore_dma0=lcore=10,dev=dma_xd_skeleton0\n",
	.expect = { "[case1] lcore_dma0", "lcore 10 is not one of EAL's lcores" });
BAD(bad_lcore_dma_engine, .ini = "[GLOBAL]\n@EAL@\n" UP_DMA "lcore_dma0=lcore=0,dev=dma_xd_skeleton1\nlcore_dma1=lcore=1,dev=dma_xd_skeleton0\n",
	.expect = { "[case1] lcore_dma1", "runs the engine of a device of this case" });
#undef UP_DMA
/* several problems: all reported */
BAD(bad_several, .ini = "[GLOBAL]\ncache_flush=3\n[case1]\ntype=CPU_MEM_COPY\nbuf_size=64,32,2,MUL\n[case2]\ntype=SOCKET_COPY\n",
	.expect = { "[GLOBAL] cache_flush", "[case1] buf_size", "[case2] buf_size" });
#undef BAD

/* ---- command line --------------------------------------------------------- */

static void
cli_expect(void **state, const char *const *env, const char *const *args,
		int status, const char *msg)
{
	struct fixture *fx = *state;
	struct run r;

	run_perf(fx, env, args, &r);
	expect_status(&r, status);
	if (msg != NULL)
		expect_in(&r, status == 0 ? r.out : r.err, msg);
	run_free(&r);
}

static void
write_cpu_config(const struct fixture *fx, char *path, size_t len)
{
	write_config(fx, "cpu.ini",
		"[GLOBAL]\n@EAL@\ntest_seconds=0.05\n"
		"[case1]\ntype=CPU_MEM_COPY\nbuf_size=64\nmem_size=1\n",
		"", path, len);
}

static void
test_cli_help(void **state)
{
	cli_expect(state, NULL, (const char *[]){ "--help", NULL }, 0,
		"Usage: dpdk-test-dma-perf");
}

static void
test_cli_unknown_option(void **state)
{
	cli_expect(state, NULL, (const char *[]){ "--bogus", NULL }, 2,
		"--help");
}

static void
test_cli_stray_argument(void **state)
{
	char cfg[PATH_MAX];

	write_cpu_config(*state, cfg, sizeof(cfg));
	cli_expect(state, NULL, (const char *[]){ "--config", cfg, "extra",
		NULL }, 2, "EAL arguments go after --");
}

static void
test_cli_missing_config(void **state)
{
	cli_expect(state, NULL, (const char *[]){ "--config",
		"/nonexistent/perf.ini", NULL }, 2, "No such file");
}

static void
test_cli_empty_output(void **state)
{
	char cfg[PATH_MAX];

	write_cpu_config(*state, cfg, sizeof(cfg));
	cli_expect(state, NULL, (const char *[]){ "--config", cfg, "--json=",
		NULL }, 2, "--json: empty file name");
}

static void
test_cli_unwritable_output(void **state)
{
	char cfg[PATH_MAX];

	write_cpu_config(*state, cfg, sizeof(cfg));
	cli_expect(state, NULL, (const char *[]){ "--config", cfg, "--csv",
		"/nonexistent/dir/out.csv", NULL }, 2, "--csv: cannot write");
}

static void
test_cli_plot_extension(void **state)
{
	char cfg[PATH_MAX];

	write_cpu_config(*state, cfg, sizeof(cfg));
	cli_expect(state, NULL, (const char *[]){ "--config", cfg, "--plot",
		"chart.pdf", NULL }, 2, "must end in .png or .svg");
}

/* Without gnuplot on PATH, --plot is refused before anything runs. */
static void
test_cli_plot_without_gnuplot(void **state)
{
	static const char *const env[] = { "PATH=/nonexistent", NULL };
	char cfg[PATH_MAX];

	write_cpu_config(*state, cfg, sizeof(cfg));
	cli_expect(state, env, (const char *[]){ "--config", cfg, "--plot",
		"chart.png", NULL }, 2, "gnuplot is not installed");
}

/* ---- real runs -------------------------------------------------------------- */

struct csv_row {
	char f[CSV_COLUMNS][64];
};

/* Split a CSV line into exactly CSV_COLUMNS fields. */
static bool
csv_split(const char *line, struct csv_row *row)
{
	unsigned int i = 0;
	const char *p = line;

	for (;;) {
		size_t n = strcspn(p, ",\n");

		if (i == CSV_COLUMNS || n >= sizeof(row->f[0]))
			return false;
		memcpy(row->f[i], p, n);
		row->f[i][n] = '\0';
		i++;
		if (p[n] != ',')
			break;
		p += n + 1;
	}
	return i == CSV_COLUMNS;
}

static double
num(const char *s)
{
	char *end;
	double v = strtod(s, &end);

	return *end == '\0' && end != s ? v : -1.0;
}

/*
 * Check the CSV of a run: the header, one row per case and size, every
 * figure positive and consistent, no errors. Returns the rows' count and
 * which types were seen.
 */
enum csv_type {
	T_DMA, T_CPU, T_CMA, T_SOCKET, T_INTER, NB_TYPES,
};

static unsigned int
check_csv(const char *path, bool types_seen[NB_TYPES])
{
	static const char *const types[NB_TYPES] = {
		[T_DMA] = "DMA_MEM_COPY", [T_CPU] = "CPU_MEM_COPY",
		[T_CMA] = "CMA_COPY", [T_SOCKET] = "SOCKET_COPY",
		[T_INTER] = "DMA_INTER_DOMAIN_COPY",
	};
	char *text = read_file(path);
	char *line, *save = NULL;
	unsigned int rows = 0, t;

	assert_non_null(text);
	line = strtok_r(text, "\n", &save);
	assert_non_null(line);
	assert_string_equal(line, CSV_HEADER);
	while ((line = strtok_r(NULL, "\n", &save)) != NULL) {
		struct csv_row row;
		double size, ops, mops, gbps, ns, cyc;

		if (!csv_split(line, &row)) {
			print_message("  bad CSV row: %s\n", line);
			fail();
		}
		for (t = 0; t < NB_TYPES && strcmp(row.f[1], types[t]) != 0; t++)
			;
		assert_true(t < NB_TYPES);
		types_seen[t] = true;
		/* A device for DMA cases, none for the others. */
		assert_int_equal(row.f[2][0] != '\0', t == T_DMA || t == T_INTER);
		size = num(row.f[3]);
		ops = num(row.f[4]);
		mops = num(row.f[5]);
		gbps = num(row.f[6]);
		ns = num(row.f[7]);
		cyc = num(row.f[8]);
		if (!(size > 0 && ops > 0 && mops > 0 && gbps > 0 && ns > 0 &&
				cyc > 0)) {
			print_message("  not a sane result: %s\n", line);
			fail();
		}
		/* The columns agree with each other (within rounding). */
		assert_true(mops * ns > 990.0 && mops * ns < 1010.0);
		assert_true(gbps / (mops * size / 1000.0) > 0.99 &&
			gbps / (mops * size / 1000.0) < 1.01);
		assert_string_equal(row.f[9], "0");
		rows++;
	}
	free(text);
	return rows;
}

/*
 * Every case type (DMA through the inline and the lcore engine, with
 * scatter-gather too, and through Debian's device when it is there, CPU,
 * CMA, socket) at two sizes, one not a multiple of a cache line: exit 0
 * (every round's data verified), sane figures, table, CSV and JSON.
 */
static void
test_run_all_types(void **state)
{
	struct fixture *fx = *state;
	bool deb = have_debian(fx);
	char cfg[PATH_MAX], csv[PATH_MAX], json[PATH_MAX];
	char ini[2048];
	bool seen[NB_TYPES] = { false };
	unsigned int rows, nb_cases = 7;
	struct run r;

	snprintf(ini, sizeof(ini),
		"[GLOBAL]\n@EAL@\ntest_seconds=0.2\n"
		"[case1]\ntype=DMA_MEM_COPY\ndevice=dma_xd_skeleton0\nbuf_size=64,1000\nmem_size=4\n"
		"[case2]\ntype=DMA_MEM_COPY\ndevice=dma_xd_skeleton1\nbuf_size=64,1000\nmem_size=4\ndma_ring_size=256\nkick_batch=16\n"
		"[case3]\ntype=DMA_MEM_COPY\ndevice=dma_xd_skeleton0\nbuf_size=64,1000\nmem_size=4\ndma_src_sge=3\ndma_dst_sge=2\n"
		"[case4]\ntype=CPU_MEM_COPY\nbuf_size=64,1000\nmem_size=4\n"
		"[case5]\ntype=CMA_COPY\nbuf_size=64,1000\nmem_size=4\nkick_batch=8\n"
		"[case6]\ntype=SOCKET_COPY\nbuf_size=64,1000\nmem_size=4\nkick_batch=8\n"
		"[case7]\nskip=1\ntype=DMA_INTER_DOMAIN_COPY\n"
		"%s",
		deb ? "[case8]\ntype=DMA_MEM_COPY\ndevice=dma_skeleton0\nbuf_size=64,1000\nmem_size=4\n" : "");
	if (deb)
		nb_cases++;
	write_config(fx, "all.ini", ini,
		deb ? EAL_XD " " EAL_DEBIAN : EAL_XD, cfg, sizeof(cfg));
	path_in(fx, "all.csv", csv, sizeof(csv));
	path_in(fx, "all.json", json, sizeof(json));
	run_perf(fx, NULL, (const char *[]){ "--config", cfg, "--csv", csv,
		"--json", json, NULL }, &r);
	expect_status(&r, 0);
	/* The table: its header and a row per case and size. */
	expect_in(&r, r.out, "buf_size  case");
	expect_in(&r, r.out, "case7    skipped (skip=1)");
	expect_in(&r, r.out, "64 B  case5    CMA_COPY");
	expect_in(&r, r.out, "1000 B  case6    SOCKET_COPY");
	expect_in(&r, r.out, "dma_xd_skeleton1");
	/* Short runs print no progress. */
	assert_null(strstr(r.err, "left"));

	rows = check_csv(csv, seen);
	assert_int_equal(rows, (nb_cases - 1) * 2);
	assert_true(seen[T_DMA] && seen[T_CPU] && seen[T_CMA] && seen[T_SOCKET]);

	expect_in_file(&r, json, (const char *[]){
		"\"results\": [",
		"\"skipped\": [\"case7\"]",
		"\"type\": \"SOCKET_COPY\"",
		"\"dma_src_sge\": 3",
		NULL });
	run_free(&r);
}

/* The CSV columns are an interface: exactly these, in this order. */
static void
test_run_csv_stable(void **state)
{
	struct fixture *fx = *state;
	char cfg[PATH_MAX], csv[PATH_MAX];
	bool seen[NB_TYPES] = { false };
	char *text;
	struct run r;

	write_cpu_config(fx, cfg, sizeof(cfg));
	path_in(fx, "cpu.csv", csv, sizeof(csv));
	run_perf(fx, NULL, (const char *[]){ "--config", cfg, "--csv", csv,
		NULL }, &r);
	expect_status(&r, 0);
	text = read_file(csv);
	assert_non_null(text);
	assert_memory_equal(text, CSV_HEADER "\ncase1,CPU_MEM_COPY,,64,",
		strlen(CSV_HEADER "\ncase1,CPU_MEM_COPY,,64,"));
	free(text);
	assert_int_equal(check_csv(csv, seen), 1);
	run_free(&r);
}

/* Outputs named in [GLOBAL]; the command line wins over them. */
static void
test_run_outputs_from_config(void **state)
{
	struct fixture *fx = *state;
	char cfg[PATH_MAX], a[PATH_MAX], b[PATH_MAX], j[PATH_MAX];
	struct run r;

	write_config(fx, "out.ini",
		"[GLOBAL]\n@EAL@\ntest_seconds=0.05\ncsv=a.csv\njson=a.json\n"
		"[case1]\ntype=CPU_MEM_COPY\nbuf_size=4K\nmem_size=1\n",
		"", cfg, sizeof(cfg));
	path_in(fx, "a.csv", a, sizeof(a));
	path_in(fx, "b.csv", b, sizeof(b));
	path_in(fx, "a.json", j, sizeof(j));
	run_perf(fx, NULL, (const char *[]){ "--config", cfg, "--csv", b,
		NULL }, &r);
	expect_status(&r, 0);
	assert_false(file_exists(a));
	assert_true(file_exists(b));
	assert_true(file_exists(j));
	run_free(&r);
}

/*
 * Remove the (empty) EAL runtime directory of file prefix @name: where EAL
 * puts it, /var/run/dpdk for root, else $XDG_RUNTIME_DIR/dpdk or /tmp/dpdk.
 */
static void
runtime_dir_remove(const char *name)
{
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	char dir[PATH_MAX];

	if (getuid() == 0)
		snprintf(dir, sizeof(dir), "/var/run/dpdk/%s", name);
	else if (xdg != NULL)
		snprintf(dir, sizeof(dir), "%s/dpdk/%s", xdg, name);
	else
		snprintf(dir, sizeof(dir), "/tmp/dpdk/%s", name);
	rmdir(dir);
}

/* EAL arguments after -- replace the config's. */
static void
test_run_eal_after_dashdash(void **state)
{
	struct fixture *fx = *state;
	char cfg[PATH_MAX], prefix[64];
	struct run r;

	write_config(fx, "noeal.ini",
		"[GLOBAL]\neal_args=--this-would-fail\ntest_seconds=0.05\n"
		"[case1]\ntype=DMA_MEM_COPY\ndevice=dma_xd_skeleton0\nbuf_size=64\nmem_size=1\n",
		"", cfg, sizeof(cfg));
	snprintf(prefix, sizeof(prefix), "--file-prefix=test-dma-perf-%d-%u",
		(int)getpid(), run_seq);
	run_perf(fx, NULL, (const char *[]){ "--config", cfg, "--",
		"--no-huge", "--no-pci", "-m", "256", "--iova-mode=va",
		"-l", "0-1", "--no-shconf", "--no-telemetry", prefix,
		"--vdev=dma_xd_skeleton0", NULL }, &r);
	expect_status(&r, 0);
	expect_in(&r, r.out, "dma_xd_skeleton0");
	run_free(&r);
	/* The prefix was ours, not the tool's: so is its runtime directory. */
	runtime_dir_remove(prefix + strlen("--file-prefix="));
}

/* --check: everything checked, nothing measured. */
static void
test_run_check(void **state)
{
	struct fixture *fx = *state;
	char cfg[PATH_MAX], csv[PATH_MAX];
	struct run r;

	write_config(fx, "chk.ini",
		"[GLOBAL]\n@EAL@\ncsv=chk.csv\n" XD_CASE, EAL_XD, cfg,
		sizeof(cfg));
	path_in(fx, "chk.csv", csv, sizeof(csv));
	run_perf(fx, NULL, (const char *[]){ "--config", cfg, "--check",
		NULL }, &r);
	expect_status(&r, 0);
	expect_in(&r, r.out, "chk.ini: OK");
	assert_null(strstr(r.out, "Mops/s"));
	assert_false(file_exists(csv));
	run_free(&r);
}

/* The shipped configs are valid here (they need Debian's device). */
static void
test_run_shipped_configs(void **state)
{
	static const char *const names[] = {
		"quick.ini", "full.ini", "drivers.ini", "stacked.ini",
	};
	struct fixture *fx = *state;
	char cfg[PATH_MAX];
	unsigned int i;
	struct run r;

	if (!have_debian(fx))
		skip();
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(cfg, sizeof(cfg), "%s/%s", configs_dir, names[i]);
		run_perf(fx, NULL, (const char *[]){ "--config", cfg,
			"--check", NULL }, &r);
		expect_status(&r, 0);
		run_free(&r);
	}
}

/* A data mismatch (injected) fails the run loudly, in every case type. */
static void
test_run_mismatch(void **state)
{
	static const char *const env[] = {
		"DPDK_TEST_DMA_PERF_FAULT=mismatch", NULL,
	};
	static const char *const cases[] = {
		"type=DMA_MEM_COPY\ndevice=dma_xd_skeleton0",
		"type=DMA_MEM_COPY\ndevice=dma_xd_skeleton1",
		"type=CPU_MEM_COPY",
		"type=CMA_COPY",
		"type=SOCKET_COPY",
		/* the peer finds it in its buffer; we, in ours */
		"type=DMA_INTER_DOMAIN_COPY\ndevice=dma_xd_skeleton0",
		"type=DMA_INTER_DOMAIN_COPY\ndevice=dma_xd_skeleton0\ndirection=read",
	};
	struct fixture *fx = *state;
	char cfg[PATH_MAX], csv[PATH_MAX], ini[512];
	unsigned int i;
	struct run r;

	path_in(fx, "bad.csv", csv, sizeof(csv));
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(ini, sizeof(ini),
			"[GLOBAL]\n@EAL@\ntest_seconds=0.05\n"
			"[case1]\n%s\nbuf_size=100\nmem_size=1\n", cases[i]);
		write_config(fx, "mm.ini", ini, EAL_XD, cfg, sizeof(cfg));
		run_perf(fx, env, (const char *[]){ "--config", cfg, "--csv",
			csv, NULL }, &r);
		expect_status(&r, 1);
		expect_in(&r, r.err, "ERROR: DATA MISMATCH in case1");
		expect_in(&r, r.err, "slot 0 byte 0");
		/* A failed run leaves no results behind. */
		assert_false(file_exists(csv));
		run_free(&r);
	}
}

/* ---- DMA_INTER_DOMAIN_COPY ------------------------------------------------- */

/* Whether a directory holds an entry whose name starts with @p prefix. */
static bool
dir_has(const char *path, const char *prefix)
{
	DIR *d = opendir(path);
	struct dirent *e;
	bool found = false;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		found = found || strncmp(e->d_name, prefix, strlen(prefix)) == 0;
	closedir(d);
	return found;
}

/*
 * Copies into and out of a peer process through dma_xd_skeleton0, with one
 * window and with 16, next to the same copies in our domain and CMA, and
 * through the lcore engine of dma_xd_skeleton1 (a second group), and over
 * buffers of another mem_size, whose intra reference is of that size, and
 * through dma_xd_cnxk0 (Class A: the peer needs a device of its own, of
 * the same driver) and dma_xd_idxd0 (Class B: the peer grants its buffer
 * to us): exit 0,
 * so every round was verified (by the peer, for writes), sane figures in
 * the CSV, the ratio lines, the JSON fields. The broker's socket lives in
 * a directory of the run under TMPDIR, gone after it.
 */
static void
test_run_inter(void **state)
{
	struct fixture *fx = *state;
	char cfg[PATH_MAX], csv[PATH_MAX], json[PATH_MAX], tmpdir[PATH_MAX + 8];
	const char *env[] = { tmpdir, NULL };
	bool seen[NB_TYPES] = { false };
	const char *line;
	char row[256];
	struct run r;

	write_config(fx, "inter.ini",
		"[GLOBAL]\n@EAL@\ntest_seconds=0.1\n"
		"[case1]\ntype=DMA_MEM_COPY\ndevice=dma_xd_skeleton0\nbuf_size=64,1000\nmem_size=4\n"
		"[case2]\ntype=CMA_COPY\nbuf_size=64,1000\nmem_size=4\n"
		"[case3]\ntype=DMA_INTER_DOMAIN_COPY\ndevice=dma_xd_skeleton0\nbuf_size=64,1000\nmem_size=4\n"
		"[case4]\ntype=DMA_INTER_DOMAIN_COPY\ndevice=dma_xd_skeleton0\nbuf_size=64,1000\nmem_size=4\ndirection=read\n"
		"[case5]\ntype=DMA_INTER_DOMAIN_COPY\ndevice=dma_xd_skeleton0\nbuf_size=64,1000\nmem_size=4\ndomain=process\ndirection=write\nwindows=16\n"
		"[case6]\ntype=DMA_INTER_DOMAIN_COPY\ndevice=dma_xd_skeleton0\nbuf_size=64,1000\nmem_size=4\ndirection=read\nwindows=16\npeer=spawn\n"
		"[case7]\ntype=DMA_INTER_DOMAIN_COPY\ndevice=dma_xd_skeleton1\nbuf_size=64,1000\nmem_size=4\nwindows=16\ndma_ring_size=256\nkick_batch=16\n"
		"[case8]\ntype=DMA_MEM_COPY\ndevice=dma_xd_skeleton0\nbuf_size=64\nmem_size=2\n"
		"[case9]\ntype=DMA_INTER_DOMAIN_COPY\ndevice=dma_xd_skeleton0\nbuf_size=64\nmem_size=2\n"
		"[case10]\ntype=DMA_INTER_DOMAIN_COPY\ndevice=dma_xd_cnxk0\nbuf_size=64\nmem_size=2\ndirection=read\n"
		"[case11]\ntype=DMA_INTER_DOMAIN_COPY\ndevice=dma_xd_idxd0\nbuf_size=64\nmem_size=2\n",
		EAL_XD " " EAL_CNXK " " EAL_IDXD, cfg, sizeof(cfg));
	path_in(fx, "inter.csv", csv, sizeof(csv));
	path_in(fx, "inter.json", json, sizeof(json));
	snprintf(tmpdir, sizeof(tmpdir), "TMPDIR=%s", fx->dir);
	run_perf(fx, env, (const char *[]){ "--config", cfg, "--csv", csv,
		"--json", json, NULL }, &r);
	expect_status(&r, 0);
	expect_in(&r, r.out, "domain process, direction write, windows 1, peer pid");
	expect_in(&r, r.out, "domain process, direction read, windows 16, peer pid");
	/* Our EAL has no hugepages: nor has the peer's buffer. */
	expect_in(&r, r.out, ", its buffer on 4 KiB pages\n");
	expect_in(&r, r.out, "1000 B  case6    DMA_INTER_DOMAIN_COPY dma_xd_skeleton0");
	/* The ratios: to the same device in our domain, and to CMA. */
	expect_in(&r, r.out, "ratios of copies per second");
	expect_in(&r, r.out, "case3    process write, 1 window");
	expect_in(&r, r.out, "case6    process read, 16 windows");
	expect_in(&r, r.out, "x intra (case1)");
	expect_in(&r, r.out, "x CMA (case2)");
	expect_in(&r, r.out, "(no intra case)");
	/* References of the row's mem_size first, then any. */
	line = strstr(r.out, "case9    process write, 1 window");
	assert_non_null(line);
	snprintf(row, sizeof(row), "%.*s", (int)strcspn(line, "\n"), line);
	expect_in(&r, row, "x intra (case8) ");
	expect_in(&r, row, "x CMA (case2)");
	/* Class A: the peer joined through a device of the same driver */
	expect_in(&r, r.out, "case10   process read, 1 window");
	expect_in(&r, r.out, "\n     64 B  case10   DMA_INTER_DOMAIN_COPY dma_xd_cnxk0 ");
	/* Class B: the peer granted its buffer to us */
	expect_in(&r, r.out, "case11   process write, 1 window");
	expect_in(&r, r.out, "\n     64 B  case11   DMA_INTER_DOMAIN_COPY dma_xd_idxd0 ");

	assert_int_equal(check_csv(csv, seen), 18);
	assert_true(seen[T_INTER] && seen[T_DMA] && seen[T_CMA]);
	expect_in_file(&r, csv, (const char *[]){
		"\ncase7,DMA_INTER_DOMAIN_COPY,dma_xd_skeleton1,64,",
		NULL });

	expect_in_file(&r, json, (const char *[]){
		"\"domain\": \"process\", \"direction\": \"read\", \"windows\": 16, \"peer_huge_pages\": false",
		"\"intra_case\": \"case1\", \"vs_intra\": ",
		"\"cma_case\": \"case2\", \"vs_cma\": ",
		"\"intra_case\": null, \"vs_intra\": null",
		NULL });
	/* The run's socket directory is gone with it. */
	assert_false(dir_has(fx->dir, "dma-perf-broker-"));
	run_free(&r);
}

/*
 * domain=os: the peer in namespaces of its own (it reports being pid 1
 * and uid 0 there), both directions. Skipped where unshare(2) of those
 * namespaces is not permitted, which the run must say with status 2.
 */
static void
test_run_inter_os(void **state)
{
	struct fixture *fx = *state;
	char cfg[PATH_MAX], csv[PATH_MAX];
	bool seen[NB_TYPES] = { false };
	struct run r;

	write_config(fx, "os.ini",
		"[GLOBAL]\n@EAL@\ntest_seconds=0.1\n"
		"[case1]\ntype=DMA_INTER_DOMAIN_COPY\ndevice=dma_xd_skeleton0\nbuf_size=64,4K\nmem_size=4\ndomain=os\n"
		"[case2]\ntype=DMA_INTER_DOMAIN_COPY\ndevice=dma_xd_skeleton0\nbuf_size=64,4K\nmem_size=4\ndomain=os\ndirection=read\nwindows=4\n"
		"[case3]\ntype=DMA_MEM_COPY\ndevice=dma_xd_skeleton0\nbuf_size=64,4K\nmem_size=4\n",
		EAL_XD, cfg, sizeof(cfg));
	path_in(fx, "os.csv", csv, sizeof(csv));
	run_perf(fx, NULL, (const char *[]){ "--config", cfg, "--csv", csv,
		NULL }, &r);
	if (r.status == 2 && strstr(r.err, "[case1] domain: os") != NULL &&
			strstr(r.err, "unshare(") != NULL) {
		print_message("  skip reason: this system does not permit the peer's namespaces: %s",
			r.err);
		run_free(&r);
		skip();
	}
	expect_status(&r, 0);
	expect_in(&r, r.out, "domain os, direction write, windows 1, peer pid 1 in its own namespaces");
	expect_in(&r, r.out, "domain os, direction read, windows 4, peer pid 1 in its own namespaces");
	expect_in(&r, r.out, "case2    os read, 4 windows");
	expect_in(&r, r.out, "x intra (case3)");
	assert_int_equal(check_csv(csv, seen), 6);
	run_free(&r);
}

/*
 * domain=vm: configs/vm.ini, with shorter rounds. Its vm cases' peers run
 * in QEMU guests (devtools/vm-guest.sh), their buffers windows of the
 * guests' ivshmem regions; the data is verified after every round, the
 * ratio rows compare each with its process case, and each guest ends
 * with its peer (vm-guest.sh reports the peer's exit status 0 once QEMU
 * has stopped). Skipped only where QEMU cannot run at all.
 */
static void
test_vm_config(void **state)
{
	struct fixture *fx = *state;
	static const char full[] = "\ntest_seconds=1\n";
	char src[PATH_MAX], cfg[PATH_MAX], csv[PATH_MAX], json[PATH_MAX], *text,
		*at, *ini;
	bool seen[NB_TYPES] = { false };
	const char *e;
	unsigned int guests = 0;
	struct run r;

	snprintf(src, sizeof(src), "%s/vm.ini", configs_dir);
	text = read_file(src);
	assert_non_null(text);
	at = strstr(text, full);
	assert_non_null(at);
	*at = '\0';
	assert_true(asprintf(&ini, "%s\ntest_seconds=0.2\n%s", text,
		at + strlen(full)) > 0);
	write_config(fx, "vm.ini", ini, "", cfg, sizeof(cfg));
	free(ini);
	free(text);
	path_in(fx, "vm.csv", csv, sizeof(csv));
	path_in(fx, "vm.json", json, sizeof(json));
	/* Two guests boot under TCG, one after the other's QEMU is up. */
	run_timeout_s = 300;
	run_perf(fx, NULL, (const char *[]){ "--config", cfg, "--csv", csv,
		"--json", json, NULL }, &r);
	run_timeout_s = RUN_TIMEOUT_S;
	if (r.status != 0 && strstr(r.err, "QEMU cannot run here") != NULL) {
		print_message("  skip reason: QEMU cannot run on this machine: %s",
			r.err);
		run_free(&r);
		skip();
	}
	expect_status(&r, 0);
	expect_in(&r, r.out, "domain vm, direction write, windows 1, peer pid");
	expect_in(&r, r.out, "domain vm, direction read, windows 1, peer pid");
	expect_in(&r, r.out, "in a QEMU guest");
	expect_in(&r, r.out, "case2    vm write, 1 window");
	expect_in(&r, r.out, "x process (case1)");
	expect_in(&r, r.out, "case4    vm read, 1 window");
	expect_in(&r, r.out, "x process (case3)");
	for (e = r.err; (e = strstr(e, "--peer 3")) != NULL; e++)
		if (strstr(e, "exited 0 after") != NULL)
			guests++;
	if (guests < 2) {
		run_dump(&r);
		fail_msg("the guests' peers did not both end with status 0");
	}
	assert_int_equal(check_csv(csv, seen), 8);
	assert_true(seen[T_INTER]);
	expect_in_file(&r, json, (const char *[]){
		"\"domain\": \"vm\", \"direction\": \"write\", \"windows\": 1, \"peer_huge_pages\": false",
		"\"process_case\": \"case1\", \"vs_process\": ",
		"\"process_case\": \"case3\", \"vs_process\": ",
		NULL });
	run_free(&r);
}

/*
 * A run that stops after its guest was booted (here: no such device in
 * our EAL) stops the guest at once, whatever the guest's peer was doing:
 * one that has not joined has nothing to leave.
 */
static void
test_vm_refused(void **state)
{
	struct fixture *fx = *state;
	char cfg[PATH_MAX];
	time_t t0 = time(NULL);
	struct run r;

	write_config(fx, "vm-bad.ini",
		"[GLOBAL]\n@EAL@\ntest_seconds=0.1\n"
		"[case1]\ntype=DMA_INTER_DOMAIN_COPY\ndevice=dma_xd_skeleton0\ndomain=vm\nbuf_size=4K\nmem_size=1\n",
		"", cfg, sizeof(cfg));
	run_perf(fx, NULL, (const char *[]){ "--config", cfg, NULL }, &r);
	if (r.status != 2 && strstr(r.err, "QEMU cannot run here") != NULL) {
		print_message("  skip reason: QEMU cannot run on this machine: %s",
			r.err);
		run_free(&r);
		skip();
	}
	expect_status(&r, 2);
	expect_in(&r, r.err, "[case1] device: no dmadev named 'dma_xd_skeleton0'");
	if (time(NULL) - t0 > 20) {
		run_dump(&r);
		fail_msg("the refused run took %ld s to stop its guest",
			(long)(time(NULL) - t0));
	}
	run_free(&r);
}

/*
 * RTE_DMA_ACCESS_SOCKET set by the user wins: the broker (embedded, as
 * nobody listens there) is on that path, and no directory of the run's is
 * made.
 */
static void
test_run_inter_socket_env(void **state)
{
	struct fixture *fx = *state;
	char cfg[PATH_MAX], sock[PATH_MAX + 32], tmpdir[PATH_MAX + 8];
	char sub[PATH_MAX];
	const char *env[] = { sock, tmpdir, NULL };
	struct run r;

	write_config(fx, "env.ini",
		"[GLOBAL]\n@EAL@\ntest_seconds=0.05\n"
		"[case1]\ntype=DMA_INTER_DOMAIN_COPY\ndevice=dma_xd_skeleton0\nbuf_size=64\nmem_size=1\n",
		EAL_XD, cfg, sizeof(cfg));
	path_in(fx, "tmp", sub, sizeof(sub));
	assert_int_equal(mkdir(sub, 0700), 0);
	snprintf(tmpdir, sizeof(tmpdir), "TMPDIR=%s", sub);
	snprintf(sock, sizeof(sock), "RTE_DMA_ACCESS_SOCKET=%s/mine.sock",
		fx->dir);
	run_perf(fx, env, (const char *[]){ "--config", cfg, NULL }, &r);
	expect_status(&r, 0);
	expect_in(&r, r.err, "mine.sock");
	assert_false(dir_has(sub, "dma-perf-broker-"));
	run_free(&r);
}

/*
 * A peer that cannot join (a wrong token: the broker refuses it) stops the
 * run before any measurement, with status 2; a peer that dies during the
 * run makes it fail with status 1. Neither leaves a result file.
 */
static void
test_run_inter_peer_fails(void **state)
{
	static const char *const token[] = {
		"DPDK_TEST_DMA_PERF_FAULT=peer-token", NULL,
	};
	static const char *const gone[] = {
		"DPDK_TEST_DMA_PERF_FAULT=peer-exit", NULL,
	};
	struct fixture *fx = *state;
	char cfg[PATH_MAX], csv[PATH_MAX];
	struct run r;

	write_config(fx, "fail.ini",
		"[GLOBAL]\n@EAL@\ntest_seconds=0.05\n"
		"[case1]\ntype=DMA_INTER_DOMAIN_COPY\ndevice=dma_xd_skeleton0\nbuf_size=64\nmem_size=1\n",
		EAL_XD, cfg, sizeof(cfg));
	path_in(fx, "fail.csv", csv, sizeof(csv));

	run_perf(fx, token, (const char *[]){ "--config", cfg, "--csv", csv,
		NULL }, &r);
	expect_status(&r, 2);
	expect_in(&r, r.err, "[case1] type: the peer cannot join the group: Permission denied");
	assert_null(strstr(r.out, "Mops/s"));
	assert_false(file_exists(csv));
	run_free(&r);

	run_perf(fx, gone, (const char *[]){ "--config", cfg, "--csv", csv,
		NULL }, &r);
	expect_status(&r, 1);
	expect_in(&r, r.err, "case1 (DMA_INTER_DOMAIN_COPY, dma_xd_skeleton0): cannot reset the destination");
	assert_false(file_exists(csv));
	run_free(&r);
}

static bool
have_gnuplot(void)
{
	const char *path = getenv("PATH");
	char buf[PATH_MAX];

	while (path != NULL && *path != '\0') {
		size_t n = strcspn(path, ":");

		snprintf(buf, sizeof(buf), "%.*s/gnuplot", (int)n, path);
		if (n > 0 && access(buf, X_OK) == 0)
			return true;
		path += n + (path[n] == ':');
	}
	return false;
}

static void
test_run_plot(void **state)
{
	static const unsigned char png_magic[] = { 0x89, 'P', 'N', 'G' };
	struct fixture *fx = *state;
	char cfg[PATH_MAX], png[PATH_MAX], svg[PATH_MAX];
	char *text;
	struct run r;

	if (!have_gnuplot()) {
		print_message("  skip reason: gnuplot is not installed (apt-get install gnuplot-nox)\n");
		skip();
	}
	write_config(fx, "plot.ini",
		"[GLOBAL]\n@EAL@\ntest_seconds=0.05\n"
		"[case1]\ntype=CPU_MEM_COPY\nbuf_size=64,4K,8,MUL\nmem_size=1\n"
		"[case2]\ntype=DMA_MEM_COPY\ndevice=dma_xd_skeleton0\nbuf_size=64,4K,8,MUL\nmem_size=1\n",
		EAL_XD, cfg, sizeof(cfg));
	path_in(fx, "chart.png", png, sizeof(png));
	path_in(fx, "chart.svg", svg, sizeof(svg));
	run_perf(fx, NULL, (const char *[]){ "--config", cfg, "--plot", png,
		NULL }, &r);
	expect_status(&r, 0);
	run_free(&r);
	text = read_file(png);
	assert_non_null(text);
	assert_memory_equal(text, png_magic, sizeof(png_magic));
	free(text);

	run_perf(fx, NULL, (const char *[]){ "--config", cfg, "--plot", svg,
		NULL }, &r);
	expect_status(&r, 0);
	expect_in_file(&r, svg, (const char *[]){
		"<svg",
		"case2 DMA_MEM_COPY dma_xd_skeleton0",
		NULL });
	run_free(&r);
}

/* cache_flush=1: the flush between warm-up and timing, DMA ring drained. */
static void
test_run_cache_flush(void **state)
{
	struct fixture *fx = *state;
	char cfg[PATH_MAX], csv[PATH_MAX];
	bool seen[NB_TYPES] = { false };
	struct run r;

	write_config(fx, "flush.ini",
		"[GLOBAL]\n@EAL@\ntest_seconds=0.1\ncache_flush=1\n"
		"[case1]\ntype=DMA_MEM_COPY\ndevice=dma_xd_skeleton1\nbuf_size=4K\nmem_size=2\n"
		"[case2]\ntype=CPU_MEM_COPY\nbuf_size=4K\nmem_size=2\n",
		EAL_XD, cfg, sizeof(cfg));
	path_in(fx, "flush.csv", csv, sizeof(csv));
	run_perf(fx, NULL, (const char *[]){ "--config", cfg, "--csv", csv,
		NULL }, &r);
	expect_status(&r, 0);
	expect_in(&r, r.out, "cache_flush on");
	assert_int_equal(check_csv(csv, seen), 2);
	run_free(&r);
}

/* A run expected to last 5 s or more (4.2 s + 5 warm-ups of 0.168 s) says
 * where it is on stderr. */
static void
test_run_progress(void **state)
{
	struct fixture *fx = *state;
	char cfg[PATH_MAX];
	struct run r;

	write_config(fx, "long.ini",
		"[GLOBAL]\n@EAL@\ntest_seconds=4.2\n"
		"[case1]\ntype=CPU_MEM_COPY\nbuf_size=64\nmem_size=1\n",
		"", cfg, sizeof(cfg));
	run_perf(fx, NULL, (const char *[]){ "--config", cfg, NULL }, &r);
	expect_status(&r, 0);
	expect_in(&r, r.err, "[1/1] buf_size 64 B, 1 case, about 5 s left");
	run_free(&r);
}

/* ---- main ------------------------------------------------------------------- */


/* ---- upstream's config, as it is ------------------------------------------ */

/* The fields of a line of upstream's result file, at most @p max. */
static unsigned int
result_fields(char *line, char **f, unsigned int max)
{
	unsigned int n = 0;
	char *p = line;

	while (n < max) {
		f[n++] = p;
		p = strchr(p, ',');
		if (p == NULL)
			break;
		*p++ = '\0';
	}
	return n;
}

/*
 * Check the block of case @p id in upstream's result file @p text: its
 * header with @p type, then for each of 8 scenarios (buf_size 64 to 8192,
 * doubling) a row per worker on lcores 0 and 1 and a summary whose
 * totals are the rows' sums.
 */
static void
check_result_case(const char *text, unsigned int id, const char *type,
		const char *dev0, const char *dev1)
{
	char head[256], *copy, *line, *save = NULL, *f[16] = { NULL };
	const char *at;
	unsigned int s, w, n;

	snprintf(head, sizeof(head), "Case %u : %s,lcore,DMA,DMA ring size,kick batch size,buffer size(B),number of buffers,memory(MB),average cycle,bandwidth(Gbps),MOps\n",
		id, type);
	at = strstr(text, head);
	if (at == NULL) {
		print_message("  no \"%s\" in the result file:\n%s", head, text);
		fail();
	}
	copy = strdup(at + strlen(head));
	assert_non_null(copy);
	line = strtok_r(copy, "\n", &save);
	for (s = 1; s <= 8; s++) {
		const unsigned int size = 64u << (s - 1);
		double sum_mops = 0, sum_gbps = 0, sum_nr = 0;
		char scen[32];

		snprintf(scen, sizeof(scen), "Scenario %u", s);
		for (w = 0; w < 2; w++) {
			double nr, mem, cyc, gbps, mops;

			assert_non_null(line);
			n = result_fields(line, f, RTE_DIM_(f));
			assert_int_equal(n, 11);
			assert_string_equal(f[0], scen);
			assert_int_equal(atoi(f[1]), (int)w);
			if (dev0 != NULL) {
				assert_string_equal(f[2], w == 0 ? dev0 : dev1);
				assert_string_equal(f[3], "1024");
				assert_string_equal(f[4], "32");
			} else {
				assert_string_equal(f[2], "NA");
				assert_string_equal(f[3], "NA");
				assert_string_equal(f[4], "NA");
			}
			assert_int_equal(atoi(f[5]), (int)size);
			nr = num(f[6]);
			mem = num(f[7]);
			cyc = num(f[8]);
			gbps = num(f[9]);
			mops = num(f[10]);
			/* Each worker's share of 10 MB, in 64-byte slots. */
			assert_true(nr == (double)((5u << 20) / (size < 64 ? 64 : size)));
			assert_true(mem > 9.99 && mem < 10.01);
			if (!(cyc > 0 && gbps > 0 && mops > 0)) {
				print_message("  not a sane result: %s\n", line);
				fail();
			}
			/* Gbit/s = Mops * size * 8 / 1000, within rounding. */
			assert_true(gbps / (mops * size * 8 / 1000.0) > 0.99 &&
				gbps / (mops * size * 8 / 1000.0) < 1.01);
			sum_mops += mops;
			sum_gbps += gbps;
			sum_nr += nr;
			line = strtok_r(NULL, "\n", &save);
		}
		assert_non_null(line);
		n = result_fields(line, f, RTE_DIM_(f));
		assert_int_equal(n, 11);
		snprintf(scen, sizeof(scen), "Scenario %u Summary", s);
		assert_string_equal(f[0], scen);
		assert_true(num(f[6]) == sum_nr);
		assert_true(fabs(num(f[9]) - sum_gbps) < 0.01);
		assert_true(fabs(num(f[10]) - sum_mops) < 0.01);
		line = strtok_r(NULL, "\n", &save);
	}
	free(copy);
}

/*
 * configs/upstream.ini, our config in the language of DPDK's own tool
 * (its example's cases, our devices and lcores, upstream's --in-memory on
 * real hugepages), run as it is but for a --file-prefix of this test's
 * own: exit 0, every round verified, and upstream's result file under its
 * default name in the current directory, case by case.
 */
static void
test_upstream_config(void **state)
{
	struct fixture *fx = *state;
	char src[PATH_MAX], cfg[PATH_MAX], res[PATH_MAX], prefix[64];
	char why[256];
	char *text, *at;
	FILE *f;
	struct run r;

	if (!have_debian(fx))
		skip();
	/* Two 10 MB cases of two workers, and EAL's own. */
	if (!test_huge_setup(&fx->huge, fx->dir, UPSTREAM_HUGE_PAGES, why,
			sizeof(why))) {
		print_message("  skipped: upstream's --in-memory needs hugepages: %s\n",
			why);
		skip();
	}
	snprintf(src, sizeof(src), "%s/upstream.ini", configs_dir);
	text = read_file(src);
	assert_non_null(text);
	/* Parallel-safe: the one change, a prefix of this process. */
	at = strstr(text, "--file-prefix=test ");
	assert_non_null(at);
	snprintf(prefix, sizeof(prefix), "--file-prefix=dma-perf-up-%d ",
		(int)getpid());
	path_in(fx, "upstream.ini", cfg, sizeof(cfg));
	f = fopen(cfg, "w");
	assert_non_null(f);
	fwrite(text, 1, (size_t)(at - text), f);
	fputs(prefix, f);
	fputs(at + strlen("--file-prefix=test "), f);
	assert_int_equal(fclose(f), 0);
	free(text);

	run_timeout_s = 180;
	run_perf(fx, NULL, (const char *[]){ "--config", cfg, NULL }, &r);
	run_timeout_s = RUN_TIMEOUT_S;
	expect_status(&r, 0);
	expect_in(&r, r.out, "case1/all");
	expect_in(&r, r.out, "case4/all");
	text = read_file(path_in(fx, "upstream_result.csv", res, sizeof(res)));
	assert_non_null(text);
	expect_in(&r, text, "Test Environment:\nCPU frequency,");
	expect_in(&r, text, "Skip the test-case 3\n");
	check_result_case(text, 1, "DMA_MEM_COPY", "dma_xd_skeleton0",
		"dma_skeleton0");
	check_result_case(text, 2, "DMA_MEM_COPY", "dma_xd_skeleton0",
		"dma_xd_skeleton2");
	check_result_case(text, 4, "CPU_MEM_COPY", NULL, NULL);
	free(text);
	run_free(&r);
}

/*
 * With EAL on hugepages, a peer's buffer is on hugepages too (where the
 * kernel has them free), so that both sides of a copy cost the same TLB
 * misses; the header and the JSON say which pages it got.
 */
static void
test_run_huge_peer(void **state)
{
	struct fixture *fx = *state;
	char cfg[PATH_MAX], json[PATH_MAX], why[256];
	struct run r;
	FILE *f;

	/* EAL's memory (--in-memory: hugetlb memfds) and the peer's 4 MB. */
	if (!test_huge_setup(&fx->huge, fx->dir, HUGE_PEER_PAGES, why,
			sizeof(why))) {
		print_message("  skipped: a run on hugepages needs them: %s\n",
			why);
		skip();
	}
	f = fopen(path_in(fx, "huge.ini", cfg, sizeof(cfg)), "w");
	assert_non_null(f);
	fputs("[GLOBAL]\n"
		"eal_args=--in-memory --no-pci -m 64 --iova-mode=va -l 0-1 --no-telemetry --vdev=dma_xd_skeleton0\n"
		"test_seconds=0.1\n"
		"[case1]\ntype=DMA_MEM_COPY\ndevice=dma_xd_skeleton0\nbuf_size=64\nmem_size=4\n"
		"[case2]\ntype=DMA_INTER_DOMAIN_COPY\ndevice=dma_xd_skeleton0\nbuf_size=64\nmem_size=4\n",
		f);
	assert_int_equal(fclose(f), 0);
	path_in(fx, "huge.json", json, sizeof(json));
	run_perf(fx, NULL, (const char *[]){ "--config", cfg, "--json", json,
		NULL }, &r);
	expect_status(&r, 0);
	expect_in(&r, r.out, "domain process, direction write, windows 1, peer pid");
	expect_in(&r, r.out, ", its buffer on huge pages\n");
	expect_in(&r, r.out, "x intra (case1)");
	expect_in_file(&r, json, (const char *[]){
		"\"windows\": 1, \"peer_huge_pages\": true",
		NULL });
	run_free(&r);
}

/*
 * Upstream's language in a short run: two DMA workers and two CPU
 * workers in parallel, a varying kick_batch (two scenarios), --result to a
 * path of ours: per-worker rows and totals in the table, the CSV and the
 * JSON, and the result file where --result says (no default one).
 */
static void
test_run_workers(void **state)
{
	struct fixture *fx = *state;
	char cfg[PATH_MAX], res[PATH_MAX], csv[PATH_MAX], json[PATH_MAX];
	bool seen[NB_TYPES] = { false };
	struct run r;

	write_config(fx, "w.ini",
		"[GLOBAL]\n@EAL@\ntest_seconds=0.1\n"
		"[case1]\ntype=DMA_MEM_COPY\nmem_size=2\nbuf_size=64\ndma_ring_size=256\nkick_batch=16,32,16,ADD\n"
		"lcore_dma0=lcore=0,dev=dma_xd_skeleton0,dir=mem2mem\n"
		"lcore_dma1=lcore=1,dev=dma_xd_skeleton2,dir=mem2mem\n"
		"[case2]\ntype=CPU_MEM_COPY\nmem_size=2\nbuf_size=4096\nlcore = 0, 1\n",
		EAL_BASE_XD2, cfg, sizeof(cfg));
	path_in(fx, "r.csv", res, sizeof(res));
	path_in(fx, "w.csv", csv, sizeof(csv));
	path_in(fx, "w.json", json, sizeof(json));
	run_perf(fx, NULL, (const char *[]){ "--config", cfg, "--result", res,
		"--csv", csv, "--json", json, NULL }, &r);
	expect_status(&r, 0);
	expect_in(&r, r.out, "case1/s1/w0");
	expect_in(&r, r.out, "case1/s2/w1");
	expect_in(&r, r.out, "case1/s2/all");
	expect_in(&r, r.out, "case2/all");
	assert_false(file_exists(path_in(fx, "w_result.csv", cfg, sizeof(cfg))));
	/* 2 scenarios x 2 workers + 2 CPU workers */
	assert_int_equal(check_csv(csv, seen), 6);
	expect_in_file(&r, res, (const char *[]){
		"Case 1 : DMA_MEM_COPY,lcore,DMA,",
		"Scenario 1,0,dma_xd_skeleton0,256,16,64,",
		"Scenario 2,1,dma_xd_skeleton2,256,32,64,",
		"Scenario 2 Summary, , , , , ,",
		"Case 2 : CPU_MEM_COPY,lcore,DMA,",
		"Scenario 1,1,NA,NA,NA,4096,",
		NULL });
	expect_in_file(&r, json, (const char *[]){
		"\"totals\": [",
		"\"label\": \"case1/s2/all\"",
		NULL });
	run_free(&r);
}

/* Named after the config, each in its own directory. */
#define BAD_TEST(id) { #id, test_bad_config, setup_dir, teardown_dir, &id }
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup_dir, teardown_dir)

int
main(int argc, char **argv)
{
	const struct CMUnitTest config_tests[] = {
		T(test_cli_help),
		T(test_cli_unknown_option),
		T(test_cli_stray_argument),
		T(test_cli_missing_config),
		T(test_cli_empty_output),
		T(test_cli_unwritable_output),
		T(test_cli_plot_extension),
		T(test_cli_plot_without_gnuplot),
		BAD_TEST(bad_no_equals),
		BAD_TEST(bad_key_before_section),
		BAD_TEST(bad_section_header),
		BAD_TEST(bad_unknown_section),
		BAD_TEST(bad_case_zero),
		BAD_TEST(bad_dup_section),
		BAD_TEST(bad_no_case),
		BAD_TEST(bad_all_skipped),
		BAD_TEST(bad_unknown_key),
		BAD_TEST(bad_unknown_global_key),
		BAD_TEST(bad_case_key_in_global),
		BAD_TEST(bad_global_key_in_case),
		BAD_TEST(bad_upstream_lcore_dma),
		BAD_TEST(bad_dup_key),
		BAD_TEST(bad_skipped_unknown_key),
		BAD_TEST(bad_test_seconds),
		BAD_TEST(bad_test_seconds_text),
		BAD_TEST(bad_cache_flush),
		BAD_TEST(bad_empty_csv),
		BAD_TEST(bad_eal),
		BAD_TEST(bad_type_missing),
		BAD_TEST(bad_type_unknown),
		BAD_TEST(bad_inter_domain),
		BAD_TEST(bad_inter_vm_windows),
		BAD_TEST(bad_inter_direction),
		BAD_TEST(bad_inter_windows_zero),
		BAD_TEST(bad_inter_windows_many),
		BAD_TEST(bad_inter_windows_pages),
		BAD_TEST(bad_inter_windows_straddle),
		BAD_TEST(bad_inter_peer_attach),
		BAD_TEST(bad_inter_peer_value),
		BAD_TEST(bad_inter_device_missing),
		BAD_TEST(bad_inter_key_on_dma),
		BAD_TEST(bad_inter_kick_gt_ring),
		BAD_TEST(bad_skip_value),
		BAD_TEST(bad_buf_empty),
		BAD_TEST(bad_buf_first_gt_last),
		BAD_TEST(bad_buf_mul_step),
		BAD_TEST(bad_buf_add_step),
		BAD_TEST(bad_buf_op),
		BAD_TEST(bad_buf_three_fields),
		BAD_TEST(bad_buf_empty_field),
		BAD_TEST(bad_buf_zero),
		BAD_TEST(bad_buf_suffix),
		BAD_TEST(bad_buf_too_big),
		BAD_TEST(bad_buf_twice),
		BAD_TEST(bad_buf_too_many),
		BAD_TEST(bad_buf_absent),
		BAD_TEST(bad_mem_size),
		BAD_TEST(bad_mem_too_small),
		BAD_TEST(bad_kick_batch),
		BAD_TEST(bad_kick_gt_ring),
		BAD_TEST(bad_kick_cma),
		BAD_TEST(bad_lcore_value),
		BAD_TEST(bad_dma_key_on_cpu),
		BAD_TEST(bad_device_missing),
		BAD_TEST(bad_device_name),
		BAD_TEST(bad_sge_vs_size),
		BAD_TEST(bad_sge_range),
		BAD_TEST(bad_device_unknown),
		BAD_TEST(bad_sge_no_capa),
		BAD_TEST(bad_sge_above_max),
		BAD_TEST(bad_ring_range),
		BAD_TEST(bad_ring_refused),
		BAD_TEST(bad_too_few_lcores),
		BAD_TEST(bad_engine_lcore),
		BAD_TEST(bad_memory),
		BAD_TEST(bad_inter_no_capa),
		BAD_TEST(bad_inter_os_no_capa),
		BAD_TEST(bad_inter_os_cnxk),
		BAD_TEST(bad_inter_windows_idxd),
		BAD_TEST(bad_lcore_dma_gap),
		BAD_TEST(bad_lcore_dma_field),
		BAD_TEST(bad_lcore_dma_not_kv),
		BAD_TEST(bad_lcore_dma_dir),
		BAD_TEST(bad_lcore_dma_no_dev),
		BAD_TEST(bad_lcore_dma_no_lcore),
		BAD_TEST(bad_lcore_dma_lcore),
		BAD_TEST(bad_lcore_dma_raddr),
		BAD_TEST(bad_lcore_dma_coreid),
		BAD_TEST(bad_lcore_dma_and_device),
		BAD_TEST(bad_lcore_dma_same_lcore),
		BAD_TEST(bad_lcore_dma_same_dev),
		BAD_TEST(bad_lcore_dma_on_cpu),
		BAD_TEST(bad_lcore_dma_inter_two),
		BAD_TEST(bad_lcore_list_on_dma),
		BAD_TEST(bad_lcore_list_value),
		BAD_TEST(bad_workers_share_mem),
		BAD_TEST(bad_var_two),
		BAD_TEST(bad_var_with_sizes),
		BAD_TEST(bad_var_form),
		BAD_TEST(bad_var_mul_step),
		BAD_TEST(bad_var_order),
		BAD_TEST(bad_var_kick_gt_ring),
		BAD_TEST(bad_numa_value),
		BAD_TEST(bad_numa_on_cma),
		BAD_TEST(bad_enq_deq_value),
		BAD_TEST(bad_dev2mem),
		BAD_TEST(bad_mem2dev),
		BAD_TEST(bad_enq_deq_device),
		BAD_TEST(bad_lcore_dma_unknown_dev),
		BAD_TEST(bad_lcore_dma_few_lcores),
		BAD_TEST(bad_lcore_dma_engine),
		BAD_TEST(bad_several),
	};
	const struct CMUnitTest run_tests[] = {
		T(test_run_all_types),
		T(test_run_csv_stable),
		T(test_run_outputs_from_config),
		T(test_run_eal_after_dashdash),
		T(test_run_check),
		T(test_run_shipped_configs),
		T(test_run_mismatch),
		T(test_run_inter),
		T(test_run_inter_os),
		T(test_run_inter_socket_env),
		T(test_run_inter_peer_fails),
		T(test_run_plot),
		T(test_run_cache_flush),
		T(test_run_progress),
		T(test_run_workers),
		T(test_run_huge_peer),
	};
	const struct CMUnitTest upstream_tests[] = {
		T(test_upstream_config),
	};
	const struct CMUnitTest vm_tests[] = {
		T(test_vm_config),
		T(test_vm_refused),
	};

	perf_bin = getenv("XD_PERF");
	configs_dir = getenv("XD_PERF_CONFIGS");
	if (argc != 2 || perf_bin == NULL || configs_dir == NULL) {
		fprintf(stderr, "usage: XD_PERF=BINARY XD_PERF_CONFIGS=DIR %s config|run|upstream|vm\n",
			argv[0]);
		return 2;
	}
	if (access(perf_bin, X_OK) != 0) {
		fprintf(stderr, "%s: %s (not built?)\n", perf_bin,
			strerror(errno));
		return 1;
	}
	if (strcmp(argv[1], "config") == 0)
		return cmocka_run_group_tests_name("dma_perf_config",
			config_tests, NULL, NULL);
	if (strcmp(argv[1], "run") == 0)
		return cmocka_run_group_tests_name("dma_perf_run", run_tests,
			NULL, NULL);
	if (strcmp(argv[1], "upstream") == 0)
		return cmocka_run_group_tests_name("dma_perf_upstream",
			upstream_tests, NULL, NULL);
	if (strcmp(argv[1], "vm") == 0)
		return cmocka_run_group_tests_name("dma_perf_vm", vm_tests,
			NULL, NULL);
	fprintf(stderr, "%s: unknown group '%s' (config, run, upstream or vm)\n", argv[0],
		argv[1]);
	return 2;
}
