/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-dma-xd authors
 */

/*
 * dpdk-test-dma-perf: what a copy costs through a dmadev, next to the CPU
 * (memcpy) and to the kernel's ways of putting data into another process
 * (process_vm_writev, a unix socket), measured in one run over the same
 * buffers and sizes so that the ratios mean something.
 *
 * The phases, and the exit status when one fails:
 *
 *   1. command line, config file (config.c)                     2
 *   2. output files opened, gnuplot found                       2
 *   3. children of CMA_COPY / SOCKET_COPY forked (peer.c), peers
 *      of DMA_INTER_DOMAIN_COPY started (domain.c)              1
 *   4. EAL started with the config's eal_args (or those after --)  2
 *   5. lcores, devices, buffers checked and set up (setup.c);
 *      the peers in their groups, handlers (domain.c)           2
 *   6. the measurements (bench.c): any failure, a data mismatch
 *      included, stops the run                                  1
 *   7. CSV, JSON and plot written (report.c)                    1
 *
 * With PERF_PEER_OPTION first, this program is a peer of
 * DMA_INTER_DOMAIN_COPY instead (domain_peer.c).
 *
 * Nothing is measured before everything that can be checked has been, and
 * a run that fails leaves no result file behind.
 */

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_dmadev.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_log.h>

#include "perf.h"

#ifndef PERF_CONFIG_DIR
#define PERF_CONFIG_DIR "."
#endif
#define DEFAULT_CONFIG PERF_CONFIG_DIR "/quick.ini"
#define MAX_EAL_ARGS 64

struct perf_opts {
	const char *config;
	const char *result;
	const char *csv;
	const char *json;
	const char *plot;
	bool check;
	bool list_dma;
	int eal_first;     /* index of the first EAL argument, 0: none */
};

/* An output file, opened before the run so that a bad path fails early. */
struct perf_output {
	const char *what;  /* "--csv" or "[GLOBAL] csv" */
	const char *path;
	FILE *f;
};

static struct perf_config cfg;

static void
usage(FILE *f)
{
	fprintf(f,
		"Usage: " PERF_NAME " [--config FILE] [--result FILE] [--csv FILE]\n"
		"       [--json FILE] [--plot FILE.png|FILE.svg] [--check] [--list-dma]\n"
		"       [-- EAL arguments]\n"
		"\n"
		"Copy throughput and cost per copy of dmadevs, next to CPU memcpy,\n"
		"process_vm_writev (CMA) and a unix socket into another process,\n"
		"over the same buffers and sizes, as an INI config file describes.\n"
		"Configs of DPDK's own dpdk-test-dma-perf run as they are.\n"
		"\n"
		"  --config FILE  the config (default " DEFAULT_CONFIG ")\n"
		"  --result FILE  write the results in upstream's CSV layout (default:\n"
		"                 the config's name up to its first '.', with\n"
		"                 _result.csv, in the current directory)\n"
		"  --csv FILE     write the results as CSV (overrides [GLOBAL] csv)\n"
		"  --json FILE    write the results as JSON (overrides [GLOBAL] json)\n"
		"  --plot FILE    draw GB/s and ns/op against buf_size with gnuplot,\n"
		"                 as PNG or SVG by the name (overrides [GLOBAL] plot)\n"
		"  --check        check the config, EAL, lcores and devices, then\n"
		"                 exit without measuring (writes no file)\n"
		"  --list-dma     start EAL as the config says, list its dmadevs and\n"
		"                 what they can do, and exit\n"
		"  --help         show this help\n"
		"\n"
		"EAL arguments come from [GLOBAL] eal_args, or, replacing those, from\n"
		"after --. Without --file-prefix a unique one is added.\n"
		"Exit status: 0 ok, 1 failure while measuring (a data mismatch\n"
		"included), 2 bad command line, config, device or lcore.\n"
		"See " PERF_NAME "(1).\n");
}

static int
parse_args(int argc, char **argv, struct perf_opts *o)
{
	enum { OPT_CONFIG = 256, OPT_RESULT, OPT_CSV, OPT_JSON, OPT_PLOT,
		OPT_CHECK, OPT_LIST_DMA, OPT_HELP };
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, OPT_CONFIG },
		{ "result", required_argument, NULL, OPT_RESULT },
		{ "csv", required_argument, NULL, OPT_CSV },
		{ "json", required_argument, NULL, OPT_JSON },
		{ "plot", required_argument, NULL, OPT_PLOT },
		{ "check", no_argument, NULL, OPT_CHECK },
		{ "list-dma", no_argument, NULL, OPT_LIST_DMA },
		{ "help", no_argument, NULL, OPT_HELP },
		{ NULL, 0, NULL, 0 },
	};
	int opt, idx = 0;

	/* "+": stop at the first non-option, so "--" hands the rest to EAL. */
	while ((opt = getopt_long(argc, argv, "+", longopts, &idx)) != -1) {
		const char **dst = NULL;

		switch (opt) {
		case OPT_CONFIG:
			dst = &o->config;
			break;
		case OPT_RESULT:
			dst = &o->result;
			break;
		case OPT_CSV:
			dst = &o->csv;
			break;
		case OPT_JSON:
			dst = &o->json;
			break;
		case OPT_PLOT:
			dst = &o->plot;
			break;
		case OPT_CHECK:
			o->check = true;
			break;
		case OPT_LIST_DMA:
			o->list_dma = true;
			break;
		case OPT_HELP:
			usage(stdout);
			exit(EXIT_SUCCESS);
		default:
			fprintf(stderr, "Try '" PERF_NAME " --help'.\n");
			return -EINVAL;
		}
		if (dst != NULL) {
			if (optarg[0] == '\0') {
				fprintf(stderr, PERF_NAME ": --%s: empty file name\n",
					longopts[idx].name);
				return -EINVAL;
			}
			*dst = optarg;
		}
	}
	if (optind < argc) {
		if (strcmp(argv[optind - 1], "--") != 0) {
			fprintf(stderr, PERF_NAME ": unexpected argument '%s' (EAL arguments go after --)\n",
				argv[optind]);
			return -EINVAL;
		}
		o->eal_first = optind;
	}
	return 0;
}

/* ---- outputs ------------------------------------------------------------- */

static void
output_pick(struct perf_output *out, const char *cli, const char *cli_what,
		const char *cfg_value, const char *cfg_what)
{
	out->what = cli != NULL ? cli_what : cfg_what;
	out->path = cli != NULL ? cli : (cfg_value[0] != '\0' ? cfg_value : NULL);
}

static int
output_open(struct perf_output *out)
{
	if (out->path == NULL)
		return 0;
	out->f = fopen(out->path, "w");
	if (out->f == NULL) {
		fprintf(stderr, PERF_NAME ": %s: cannot write '%s': %s\n",
			out->what, out->path, strerror(errno));
		return -errno;
	}
	return 0;
}

/* Close; a run that failed leaves no half-written results behind. */
static int
output_close(struct perf_output *out, bool keep)
{
	int ret = 0;

	if (out->f == NULL)
		return 0;
	if (fclose(out->f) != 0) {
		fprintf(stderr, PERF_NAME ": %s: writing '%s' failed: %s\n",
			out->what, out->path, strerror(errno));
		ret = -EIO;
	}
	out->f = NULL;
	if (!keep || ret < 0)
		unlink(out->path);
	return ret;
}

static int
plot_check(const char *what, const char *path)
{
	const char *ext;
	char tool[PATH_MAX];

	if (path == NULL)
		return 0;
	ext = strrchr(path, '.');
	if (ext == NULL || (strcmp(ext, ".png") != 0 && strcmp(ext, ".svg") != 0)) {
		fprintf(stderr, PERF_NAME ": %s: '%s' must end in .png or .svg\n",
			what, path);
		return -EINVAL;
	}
	if (perf_plot_tool(tool, sizeof(tool)) == NULL) {
		fprintf(stderr, PERF_NAME ": %s: gnuplot is not installed, so no chart can be drawn: install it (apt-get install gnuplot-nox) or leave the plot out; the CSV and JSON outputs need nothing\n",
			what);
		return -ENOENT;
	}
	return 0;
}

/* ---- children ---------------------------------------------------------- */

static int
peers_spawn(struct perf_config *c)
{
	int fds[PERF_MAX_CASES];
	unsigned int i, n = 0;
	int ret;

	for (i = 0; i < c->nb_cases; i++) {
		struct perf_case *pc = &c->cases[i];

		if (!perf_case_active(pc))
			continue;
		if (pc->type == PERF_CMA_COPY || pc->type == PERF_SOCKET_COPY)
			ret = perf_peer_spawn(&pc->peer,
				(size_t)pc->mem_mib << 20, fds, n);
		else if (pc->type == PERF_DMA_INTER_DOMAIN_COPY)
			ret = perf_domain_spawn(pc, i + 1, fds, n);
		else
			continue;
		if (ret < 0) {
			fprintf(stderr, PERF_NAME ": %s: cannot start the %s process: %s\n",
				pc->name, pc->type == PERF_DMA_INTER_DOMAIN_COPY ?
				"peer" : "child", strerror(-ret));
			return ret;
		}
		fds[n++] = pc->peer.fd;
	}
	return 0;
}

static void
peers_stop(struct perf_config *c)
{
	unsigned int i;

	for (i = 0; i < c->nb_cases; i++)
		perf_peer_stop(&c->cases[i].peer);
}

/* ---- EAL ---------------------------------------------------------------- */

/*
 * DPDK >= 25.11's argument parser ends the process itself, from inside
 * rte_eal_init(), on an argument it does not know: while EAL starts, an
 * exit says which part of the config it was, and ends the run as any
 * config error does (PERF_EXIT_CONFIG).
 */
static const struct perf_opts *eal_starting;
/* What a run has open while EAL starts: main()'s, alive during the exit. */
static struct perf_output *eal_outputs[3];

static void
eal_exited(void)
{
	unsigned int i;

	if (eal_starting == NULL)
		return;
	if (eal_starting->eal_first > 0)
		fprintf(stderr, PERF_NAME ": the EAL arguments after -- do not start EAL: EAL ended the process (its own message is above)\n");
	else
		perf_config_error(&cfg, "GLOBAL", "eal_args",
			"EAL does not start with '%s': EAL ended the process (its own message is above)",
			cfg.eal_args);
	peers_stop(&cfg);
	perf_domain_cleanup();
	for (i = 0; i < RTE_DIM(eal_outputs); i++)
		if (eal_outputs[i] != NULL)
			output_close(eal_outputs[i], false);
	_exit(PERF_EXIT_CONFIG);
}

/*
 * EAL arguments: eal_args split at blanks (no quoting), or those after --.
 * A unique --file-prefix is added when none is given, so that runs never
 * share EAL's runtime files; @p own_prefix says so.
 */
static int
eal_start(int argc, char **argv, const struct perf_opts *o, bool *own_prefix)
{
	static char args[PERF_VALUE_LEN];
	static char prefix[64];
	char *eal_argv[MAX_EAL_ARGS + 2];
	int eal_argc = 0, i, ret;
	char *tok, *save = NULL;
	size_t n;

	eal_argv[eal_argc++] = argv[0];
	if (o->eal_first > 0) {
		for (i = o->eal_first; i < argc; i++) {
			if (eal_argc == MAX_EAL_ARGS) {
				fprintf(stderr, PERF_NAME ": more than %d EAL arguments after --\n",
					MAX_EAL_ARGS);
				return -E2BIG;
			}
			eal_argv[eal_argc++] = argv[i];
		}
	} else {
		snprintf(args, sizeof(args), "%s", cfg.eal_args);
		for (tok = strtok_r(args, " \t", &save); tok != NULL;
				tok = strtok_r(NULL, " \t", &save)) {
			if (eal_argc == MAX_EAL_ARGS) {
				perf_config_error(&cfg, "GLOBAL", "eal_args",
					"more than %d arguments", MAX_EAL_ARGS);
				return -E2BIG;
			}
			eal_argv[eal_argc++] = tok;
		}
	}
	*own_prefix = true;
	for (i = 1; i < eal_argc; i++)
		if (strncmp(eal_argv[i], "--file-prefix", 13) == 0)
			*own_prefix = false;
	if (*own_prefix) {
		snprintf(prefix, sizeof(prefix), "--file-prefix=test-dma-perf-%d",
			(int)getpid());
		eal_argv[eal_argc++] = prefix;
	}
	eal_argv[eal_argc] = NULL;
	for (i = 1, n = 0; i < eal_argc && n < sizeof(cfg.eal_used); i++)
		n += snprintf(cfg.eal_used + n, sizeof(cfg.eal_used) - n,
			"%s%s", i > 1 ? " " : "", eal_argv[i]);

	/* EAL logs to stdout by default: keep stdout for the results. */
	rte_openlog_stream(stderr);
	eal_starting = o;
	atexit(eal_exited);
	ret = rte_eal_init(eal_argc, eal_argv);
	eal_starting = NULL;
	if (ret < 0) {
		ret = -rte_errno;
		if (o->eal_first > 0)
			fprintf(stderr, PERF_NAME ": the EAL arguments after -- do not start EAL: %s (EAL's own message is above)\n",
				rte_strerror(-ret));
		else
			perf_config_error(&cfg, "GLOBAL", "eal_args",
				"EAL does not start with %s%s%s: %s (EAL's own message is above)",
				cfg.has_eal_args ? "'" : "", cfg.has_eal_args ?
				cfg.eal_args : "no eal_args given",
				cfg.has_eal_args ? "'" : "", rte_strerror(-ret));
		return ret;
	}
	return 0;
}

/*
 * Upstream's default result file: the config's base name up to its first
 * '.', then "_result.csv", in the current directory.
 */
static const char *
default_result(const char *config, char *buf, size_t len)
{
	const char *base = strrchr(config, '/');

	base = base != NULL ? base + 1 : config;
	snprintf(buf, len, "%.*s_result.csv", (int)strcspn(base, "."), base);
	return buf;
}

/* --list-dma: EAL's dmadevs, and what each can do. */
static int
list_dma(int argc, char **argv, const struct perf_opts *o)
{
	static const struct {
		uint64_t capa;
		const char *name;
	} capas[] = {
		{ RTE_DMA_CAPA_MEM_TO_MEM, "mem2mem" },
		{ RTE_DMA_CAPA_MEM_TO_DEV, "mem2dev" },
		{ RTE_DMA_CAPA_DEV_TO_MEM, "dev2mem" },
		{ RTE_DMA_CAPA_DEV_TO_DEV, "dev2dev" },
		{ RTE_DMA_CAPA_OPS_COPY_SG, "copy_sg" },
		{ RTE_DMA_CAPA_SVA, "sva" },
	};
	struct rte_dma_info info;
	char runtime_dir[PATH_MAX] = "";
	bool own_prefix = false;
	unsigned int i, count = 0;
	int16_t id;

	if (eal_start(argc, argv, o, &own_prefix) < 0)
		return PERF_EXIT_CONFIG;
	if (own_prefix)
		snprintf(runtime_dir, sizeof(runtime_dir), "%s",
			rte_eal_get_runtime_dir());
	RTE_DMA_FOREACH_DEV(id) {
		if (rte_dma_info_get(id, &info) < 0)
			continue;
		printf("%s: capabilities", info.dev_name);
		for (i = 0; i < RTE_DIM(capas); i++)
			if (info.dev_capa & capas[i].capa)
				printf(" %s", capas[i].name);
		printf("; max_sges %u, numa_node %d, descriptors %u..%u\n",
			info.max_sges, info.numa_node, info.min_desc,
			info.max_desc);
		count++;
	}
	if (count == 0)
		printf("no dmadev: eal_args creates them with --vdev=NAME, or allows PCI devices with -a\n");
	rte_eal_cleanup();
	if (runtime_dir[0] != '\0')
		rmdir(runtime_dir);
	return EXIT_SUCCESS;
}

/* ---- main --------------------------------------------------------------- */

int
main(int argc, char **argv)
{
	struct perf_opts o = { .config = DEFAULT_CONFIG };
	struct perf_output csv = { 0 }, json = { 0 }, result = { 0 };
	char result_path[PATH_MAX];
	const char *plot_what, *plot;
	struct perf_bench b = { 0 };
	char runtime_dir[PATH_MAX] = "";
	bool own_prefix = false, ok = false;
	int status = PERF_EXIT_CONFIG;

	if (argc > 1 && strcmp(argv[1], PERF_PEER_OPTION) == 0)
		return perf_domain_peer_main(argc, argv);
	if (parse_args(argc, argv, &o) < 0)
		return PERF_EXIT_CONFIG;
	cfg.list_dma = o.list_dma;
	if (perf_config_load(&cfg, o.config) < 0)
		return PERF_EXIT_CONFIG;
	if (o.list_dma)
		return list_dma(argc, argv, &o);

	output_pick(&csv, o.csv, "--csv", cfg.csv, "[GLOBAL] csv");
	output_pick(&json, o.json, "--json", cfg.json, "[GLOBAL] json");
	output_pick(&result, o.result, "--result",
		default_result(o.config, result_path, sizeof(result_path)),
		"the result file (--result)");
	plot_what = o.plot != NULL ? "--plot" : "[GLOBAL] plot";
	plot = o.plot != NULL ? o.plot : (cfg.plot[0] != '\0' ? cfg.plot : NULL);
	if (plot_check(plot_what, plot) < 0)
		return PERF_EXIT_CONFIG;
	if (!o.check && (output_open(&result) < 0 || output_open(&csv) < 0 ||
			output_open(&json) < 0))
		goto close_outputs;

	if (perf_domain_prepare(&cfg) < 0)
		goto stop_peers;
	if (peers_spawn(&cfg) < 0) {
		status = PERF_EXIT_FAIL;
		goto stop_peers;
	}
	eal_outputs[0] = &csv;
	eal_outputs[1] = &json;
	eal_outputs[2] = &result;
	if (eal_start(argc, argv, &o, &own_prefix) < 0)
		goto stop_peers;
	/* EAL frees its copy of the path at cleanup; rmdir() comes after. */
	if (own_prefix)
		snprintf(runtime_dir, sizeof(runtime_dir), "%s",
			rte_eal_get_runtime_dir());

	if (perf_setup_check(&cfg) < 0 || perf_domain_setup(&cfg) < 0 ||
			perf_bench_alloc(&b, &cfg) < 0)
		goto release;
	if (o.check) {
		printf("%s: OK\n", cfg.path);
		status = EXIT_SUCCESS;
		goto release;
	}

	status = PERF_EXIT_FAIL;
	if (perf_bench_run(&b, &cfg) < 0)
		goto release;
	if (csv.f != NULL && perf_report_csv(csv.f, &cfg, &b) < 0)
		goto release;
	if (json.f != NULL && perf_report_json(json.f, &cfg, &b) < 0)
		goto release;
	if (result.f != NULL && perf_report_result(result.f, &cfg, &b) < 0)
		goto release;
	ok = true;

release:
	perf_bench_free(&b);
	/* The peers leave while the broker (maybe ours) still runs. */
	perf_domain_release(&cfg);
	perf_setup_release(&cfg);
	rte_eal_cleanup();
	if (runtime_dir[0] != '\0')
		rmdir(runtime_dir);
stop_peers:
	peers_stop(&cfg);
	perf_domain_cleanup();
close_outputs:
	if (output_close(&csv, ok) < 0)
		ok = false;
	if (output_close(&json, ok) < 0)
		ok = false;
	if (output_close(&result, ok) < 0)
		ok = false;
	/* The chart is drawn last, from the results that were kept. */
	if (ok && plot != NULL && perf_report_plot(plot, &cfg, &b) < 0)
		ok = false;
	return ok ? EXIT_SUCCESS : status;
}
