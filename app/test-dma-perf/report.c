/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-dma-xd authors
 */

/*
 * Results: the table on stdout (one block per buffer size, as each size
 * completes), and at the end, if asked, CSV, JSON and a gnuplot chart.
 *
 * Below the rows of a size, each DMA_INTER_DOMAIN_COPY case gets a line of
 * ratios: its copies per second over those of the intra-domain copies of
 * the same device (the first DMA_MEM_COPY case with its device and
 * scatter-gather settings) and over CMA_COPY's, at that size. They are
 * what the case is for, and they are meaningful within one run only.
 * Every reference (these and the CPU_MEM_COPY of the "vs CPU" column) is
 * taken from a case with the same mem_size when there is one, since the
 * buffers' size decides whether copies run from cache or from memory.
 *
 * The CSV columns are an interface: scripts read them by position.
 * Add columns at the end only, never rename, reorder or drop one.
 */

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_eal.h>
#include <rte_lcore.h>

#include "perf.h"

#ifndef APP_VERSION
#define APP_VERSION "unknown"
#endif

extern char **environ;

/* More sizes than this get gnuplot's own tics. */
#define MAX_XTICS 16

#define CSV_HEADER "case,type,device,buf_size,ops,mops,gbps,ns_per_op,cycles_per_op,errors,worker,workers,lcore,mem_size,dma_ring_size,kick_batch"

/* Upstream's result file (--result): its header line of a case. */
#define RESULT_HEADER "Case %u : %s,lcore,DMA,DMA ring size,kick batch size,buffer size(B),number of buffers,memory(MB),average cycle,bandwidth(Gbps),MOps\n"
#define RESULT_BLANK ",,,,,,,,\n"

struct metrics {
	double seconds;
	double mops;
	double gbps;
	double ns_per_op;
	double cycles_per_op;
};

static void
metrics_get(const struct perf_result *res, uint32_t size, uint64_t hz,
		struct metrics *m)
{
	double ops = (double)res->ops;

	m->seconds = (double)res->cycles / (double)hz;
	if (res->ops == 0 || res->cycles == 0) {
		*m = (struct metrics){ .seconds = m->seconds };
		return;
	}
	m->mops = ops / m->seconds / 1e6;
	m->gbps = ops * size / m->seconds / 1e9;
	m->ns_per_op = m->seconds * 1e9 / ops;
	m->cycles_per_op = (double)res->cycles / ops;
}

static const char *
device_of(const struct perf_case *c)
{
	return perf_case_dma(c) ? c->device : "";
}

static const char *
domain_name(const struct perf_case *c)
{
	static const char *const names[] = {
		[PERF_DOMAIN_PROCESS] = "process",
		[PERF_DOMAIN_OS] = "os",
		[PERF_DOMAIN_VM] = "vm",
	};

	return names[c->domain];
}

static const char *
direction_name(const struct perf_case *c)
{
	return c->direction == PERF_DIR_READ ? "read" : "write";
}

/* The table's type column: as wide as the widest active type's name. */
static int
type_width(const struct perf_config *cfg)
{
	size_t w = strlen("CPU_MEM_COPY") + 1;
	unsigned int i;

	for (i = 0; i < cfg->nb_cases; i++)
		if (perf_case_active(&cfg->cases[i]))
			w = RTE_MAX(w, strlen(perf_type_name(cfg->cases[i].type)));
	return (int)w;
}

/* The table's case column: as wide as the widest row name. */
static int
label_width(const struct perf_config *cfg)
{
	size_t w = strlen("case") + 4;
	unsigned int i;

	for (i = 0; i < cfg->nb_cases; i++)
		if (perf_case_active(&cfg->cases[i]))
			w = RTE_MAX(w, strlen(cfg->cases[i].label) + 1);
	return (int)w;
}

/*
 * The workers of @p lead together at its size @p si: copies per second
 * and bytes per second add up, ns/op is the group's (one copy every so
 * often, from any worker), cycles/op is the workers' mean.
 */
static void
metrics_total(const struct perf_case *lead, unsigned int si, uint64_t hz,
		struct metrics *t, uint64_t *ops, uint64_t *errors)
{
	unsigned int w;

	*t = (struct metrics){ 0 };
	*ops = 0;
	*errors = 0;
	for (w = 0; w < lead->nb_workers; w++) {
		const struct perf_result *res = &lead[w].results[si];
		struct metrics m;

		metrics_get(res, lead->sizes[si], hz, &m);
		t->seconds = RTE_MAX(t->seconds, m.seconds);
		t->mops += m.mops;
		t->gbps += m.gbps;
		t->cycles_per_op += m.cycles_per_op / lead->nb_workers;
		*ops += res->ops;
		*errors += res->errors;
	}
	t->ns_per_op = t->mops > 0 ? 1e3 / t->mops : 0.0;
}

/* A group's name in the total row: the leader's, without "/w0". */
static const char *
total_label(const struct perf_case *lead, char *buf, size_t len)
{
	size_t n = strlen(lead->label);

	if (n >= 3 && strcmp(lead->label + n - 3, "/w0") == 0)
		n -= 3;
	snprintf(buf, len, "%.*s/all", (int)n, lead->label);
	return buf;
}

/*
 * The result of the first active case at @p size that @p match accepts,
 * preferring one over buffers of the same mem_size as @p c (the same
 * cache residency: a 1 MiB case compares with a 1 MiB case).
 */
static const struct perf_case *
reference(const struct perf_config *cfg, uint32_t size,
		bool (*match)(const struct perf_case *ref,
			const struct perf_case *c),
		const struct perf_case *c, const struct perf_result **res)
{
	unsigned int i, pass;

	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < cfg->nb_cases; i++) {
			const struct perf_case *ref = &cfg->cases[i];
			int idx = perf_case_size_index(ref, size);

			if (pass == 0 && ref->mem_mib != c->mem_mib)
				continue;
			if (perf_case_active(ref) && idx >= 0 &&
					match(ref, c) &&
					ref->results[idx].measured &&
					ref->results[idx].ops > 0) {
				*res = &ref->results[idx];
				return ref;
			}
		}
	}
	return NULL;
}

static bool
is_cpu(const struct perf_case *ref, const struct perf_case *c)
{
	RTE_SET_USED(c);
	return ref->type == PERF_CPU_MEM_COPY;
}

static bool
is_cma(const struct perf_case *ref, const struct perf_case *c)
{
	RTE_SET_USED(c);
	return ref->type == PERF_CMA_COPY;
}

/* The same copies within our domain: same device, same pieces. */
static bool
is_intra(const struct perf_case *ref, const struct perf_case *c)
{
	return ref->type == PERF_DMA_MEM_COPY &&
		strcmp(ref->device, c->device) == 0 &&
		ref->src_sge == c->src_sge && ref->dst_sge == c->dst_sge;
}

/*
 * The same copies into (or out of) another process's window: what a
 * guest's window, host memory too, should cost the host as much as.
 */
static bool
is_process_peer(const struct perf_case *ref, const struct perf_case *c)
{
	return ref->type == PERF_DMA_INTER_DOMAIN_COPY &&
		ref->domain == PERF_DOMAIN_PROCESS &&
		ref->direction == c->direction &&
		strcmp(ref->device, c->device) == 0 &&
		ref->src_sge == c->src_sge && ref->dst_sge == c->dst_sge;
}

/*
 * Copies per second of @p c at @p size over those of the first case that
 * @p match accepts (*ref); 0 if there is none.
 */
static double
ratio_to(const struct perf_config *cfg, const struct perf_bench *b,
		const struct perf_case *c, uint32_t size,
		bool (*match)(const struct perf_case *ref,
			const struct perf_case *c),
		const struct perf_case **ref)
{
	const struct perf_result *rr = NULL;
	int idx = perf_case_size_index(c, size);
	struct metrics m, mr;

	*ref = reference(cfg, size, match, c, &rr);
	if (*ref == NULL || idx < 0)
		return 0.0;
	metrics_get(&c->results[idx], size, b->tsc_hz, &m);
	metrics_get(rr, size, b->tsc_hz, &mr);
	return mr.mops > 0 ? m.mops / mr.mops : 0.0;
}

/* ---- table ----------------------------------------------------------------- */

/* What the peer's buffer is on: its TLB cost is part of every copy. */
static const char *
peer_pages(const struct perf_case *c)
{
	return c->peer.huge ? "its buffer on huge pages" :
		"its buffer on 4 KiB pages";
}

void
perf_report_header(const struct perf_config *cfg, const struct perf_bench *b)
{
	const int tw = type_width(cfg);
	const int lw = label_width(cfg);
	unsigned int i;
	char lcores[256];

	printf(PERF_NAME " " APP_VERSION ": config %s\n", cfg->path);
	printf("EAL lcores %s (main %u), IOVA as %s, TSC %.3f GHz\n",
		perf_lcore_list(lcores, sizeof(lcores)),
		rte_get_main_lcore(),
		rte_eal_iova_mode() == RTE_IOVA_VA ? "VA" : "PA",
		(double)b->tsc_hz / 1e9);
	printf("each case at each buf_size: %u interleaved rounds of %.3f s, each after %.3f s of warm-up; cache_flush %s; data verified after every round\n",
		PERF_ROUNDS, cfg->test_seconds / PERF_ROUNDS, b->warm_s,
		cfg->cache_flush ? "on" : "off");
	for (i = 0; i < cfg->nb_cases; i++) {
		const struct perf_case *c = &cfg->cases[i];

		if (!perf_case_active(c)) {
			printf("  %-8s skipped (skip=1)\n", c->name);
			continue;
		}
		printf("  %-*s %-*s %-18s lcore %u, mem_size %u MiB, kick_batch %u",
			lw, c->label, tw, perf_type_name(c->type),
			perf_case_dma(c) ? c->device : "-", c->lcore,
			c->mem_mib, c->kick_batch);
		if (perf_case_dma(c))
			printf(", dma_ring_size %u, sge %u/%u", c->ring,
				c->src_sge, c->dst_sge);
		if (c->nb_workers > 1)
			printf(", worker %u of %u (in parallel)", c->worker + 1,
				c->nb_workers);
		if (c->type == PERF_DMA_INTER_DOMAIN_COPY && c->domain == PERF_DOMAIN_VM)
			printf(", domain vm, direction %s, windows %u, peer pid %d in a QEMU guest, its window in QEMU's region on 4 KiB pages",
				direction_name(c), c->windows, c->peer.own_pid);
		else if (c->type == PERF_DMA_INTER_DOMAIN_COPY && c->domain == PERF_DOMAIN_OS)
			printf(", domain os, direction %s, windows %u, peer pid %d in its own namespaces, %s",
				direction_name(c), c->windows, c->peer.own_pid,
				peer_pages(c));
		else if (c->type == PERF_DMA_INTER_DOMAIN_COPY)
			printf(", domain process, direction %s, windows %u, peer pid %d, %s",
				direction_name(c), c->windows, c->peer.own_pid,
				peer_pages(c));
		printf("\n");
	}
	printf("\n%9s  %-*s %-*s %-18s %12s %9s %8s %11s %10s %6s %8s\n",
		"buf_size", lw, "case", tw, "type", "device", "ops", "Mops/s",
		"GB/s", "ns/op", "cycles/op", "errors", "vs CPU");
	fflush(stdout);
}

/* The ratios of the inter-domain cases at @p size, if any. */
static void
report_ratios(const struct perf_config *cfg, const struct perf_bench *b,
		uint32_t size, const char *sz)
{
	const struct perf_case *intra, *cma, *proc;
	unsigned int i;
	bool first = true;

	for (i = 0; i < cfg->nb_cases; i++) {
		const struct perf_case *c = &cfg->cases[i];
		char what[64], vs_intra[96] = "", vs_cma[96] = "",
			vs_proc[128] = "";
		double ri, rc, rp = 0.0;

		if (!perf_case_active(c) || c->type != PERF_DMA_INTER_DOMAIN_COPY ||
				perf_case_size_index(c, size) < 0)
			continue;
		ri = ratio_to(cfg, b, c, size, is_intra, &intra);
		rc = ratio_to(cfg, b, c, size, is_cma, &cma);
		if (c->domain == PERF_DOMAIN_VM)
			rp = ratio_to(cfg, b, c, size, is_process_peer, &proc);
		if (ri > 0)
			snprintf(vs_intra, sizeof(vs_intra), "%8.2fx intra (%s)",
				ri, intra->name);
		if (rc > 0)
			snprintf(vs_cma, sizeof(vs_cma), "%8.2fx CMA (%s)", rc,
				cma->name);
		if (rp > 0)
			snprintf(vs_proc, sizeof(vs_proc), "%8.2fx process (%s%s)",
				rp, proc->name, proc->peer.huge != c->peer.huge ?
				", its pages differ" : "");
		if (vs_intra[0] == '\0' && vs_cma[0] == '\0' &&
				vs_proc[0] == '\0')
			continue;
		if (first)
			printf("%9s  ratios of copies per second, inter-domain over the same copies in our domain (same device) and over CMA_COPY:\n",
				sz);
		first = false;
		snprintf(what, sizeof(what), "%s %s, %u window%s", domain_name(c),
			direction_name(c), c->windows, c->windows > 1 ? "s" : "");
		if (vs_proc[0] != '\0' && vs_intra[0] != '\0')
			printf("%9s  %-8s %-27s %-28s %s\n", "", c->name, what,
				vs_proc, vs_intra);
		else if (vs_proc[0] != '\0')
			printf("%9s  %-8s %-27s %s\n", "", c->name, what,
				vs_proc);
		else if (vs_cma[0] != '\0')
			printf("%9s  %-8s %-27s %-28s %s\n", "", c->name, what,
				vs_intra[0] != '\0' ? vs_intra :
				"   (no intra case)", vs_cma);
		else
			printf("%9s  %-8s %-27s %s\n", "", c->name, what,
				vs_intra);
	}
	if (!first)
		printf("\n");
}

void
perf_report_size(const struct perf_config *cfg, const struct perf_bench *b,
		uint32_t size)
{
	const struct perf_result *cpu = NULL;
	const int tw = type_width(cfg);
	const int lw = label_width(cfg);
	struct metrics m, mc;
	unsigned int i;
	char sz[32], ratio[32], total[PERF_NAME_LEN + 32];

	perf_size_str(size, sz, sizeof(sz));
	for (i = 0; i < cfg->nb_cases; i++) {
		const struct perf_case *c = &cfg->cases[i];
		int idx = perf_case_size_index(c, size);
		const struct perf_result *res;

		if (!perf_case_active(c) || idx < 0)
			continue;
		res = &c->results[idx];
		metrics_get(res, size, b->tsc_hz, &m);
		/* A CPU_MEM_COPY case at this size is the reference. */
		if (reference(cfg, size, is_cpu, c, &cpu) != NULL)
			metrics_get(cpu, size, b->tsc_hz, &mc);
		else
			cpu = NULL;
		snprintf(ratio, sizeof(ratio), "-");
		if (cpu != NULL && m.ns_per_op > 0)
			snprintf(ratio, sizeof(ratio), "%.2fx",
				m.ns_per_op / mc.ns_per_op);
		printf("%9s  %-*s %-*s %-18s %12" PRIu64 " %9.2f %8.2f %11.1f %10.1f %6" PRIu64 " %8s\n",
			sz, lw, c->label, tw, perf_type_name(c->type),
			perf_case_dma(c) ? c->device : "-",
			res->ops, m.mops, m.gbps, m.ns_per_op, m.cycles_per_op,
			res->errors, ratio);
		/* After the last worker of a case, the case's total. */
		if (c->nb_workers > 1 && c->worker + 1 == c->nb_workers) {
			const struct perf_case *lead = c - c->worker;
			uint64_t ops, errors;
			char nw[32];

			metrics_total(lead, (unsigned int)idx, b->tsc_hz, &m,
				&ops, &errors);
			snprintf(nw, sizeof(nw), "(%u workers)", c->nb_workers);
			printf("%9s  %-*s %-*s %-18s %12" PRIu64 " %9.2f %8.2f %11.1f %10.1f %6" PRIu64 " %8s\n",
				sz, lw, total_label(lead, total, sizeof(total)),
				tw, perf_type_name(c->type), nw, ops, m.mops,
				m.gbps, m.ns_per_op, m.cycles_per_op, errors, "-");
		}
	}
	printf("\n");
	report_ratios(cfg, b, size, sz);
	fflush(stdout);
}

/* ---- CSV, JSON --------------------------------------------------------------- */

int
perf_report_csv(FILE *f, const struct perf_config *cfg,
		const struct perf_bench *b)
{
	unsigned int i, j;

	fprintf(f, CSV_HEADER "\n");
	for (i = 0; i < cfg->nb_cases; i++) {
		const struct perf_case *c = &cfg->cases[i];

		if (!perf_case_active(c))
			continue;
		for (j = 0; j < c->nb_sizes; j++) {
			const struct perf_result *res = &c->results[j];
			struct metrics m;

			metrics_get(res, c->sizes[j], b->tsc_hz, &m);
			fprintf(f, "%s,%s,%s,%u,%" PRIu64 ",%.6f,%.6f,%.3f,%.2f,%" PRIu64 ",%u,%u,%u,%u,%u,%u\n",
				c->name, perf_type_name(c->type), device_of(c),
				c->sizes[j], res->ops, m.mops, m.gbps,
				m.ns_per_op, m.cycles_per_op, res->errors,
				c->worker, RTE_MAX(c->nb_workers, 1u), c->lcore,
				c->mem_mib, perf_case_dma(c) ? c->ring : 0,
				c->kick_batch);
		}
	}
	return ferror(f) ? -EIO : 0;
}

static void
json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s != '\0'; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch < 0x20)
			fprintf(f, "\\u%04x", ch);
		else
			fputc(ch, f);
	}
	fputc('"', f);
}

/* An inter-domain row's settings and ratios (null: no reference). */
static void
json_inter(FILE *f, const struct perf_config *cfg, const struct perf_bench *b,
		const struct perf_case *c, uint32_t size)
{
	const struct perf_case *intra, *cma, *proc = NULL;
	double ri = ratio_to(cfg, b, c, size, is_intra, &intra);
	double rc = ratio_to(cfg, b, c, size, is_cma, &cma);
	double rp = 0.0;

	if (c->domain == PERF_DOMAIN_VM)
		rp = ratio_to(cfg, b, c, size, is_process_peer, &proc);
	fprintf(f, ", \"domain\": \"%s\", \"direction\": \"%s\", \"windows\": %u",
		domain_name(c), direction_name(c), c->windows);
	/* A guest's window is in QEMU's region: 4 KiB pages. */
	fprintf(f, ", \"peer_huge_pages\": %s",
		c->peer.huge ? "true" : "false");
	fprintf(f, ", \"intra_case\": ");
	if (ri > 0) {
		json_string(f, intra->name);
		fprintf(f, ", \"vs_intra\": %.4f", ri);
	} else {
		fprintf(f, "null, \"vs_intra\": null");
	}
	fprintf(f, ", \"cma_case\": ");
	if (rc > 0) {
		json_string(f, cma->name);
		fprintf(f, ", \"vs_cma\": %.4f", rc);
	} else {
		fprintf(f, "null, \"vs_cma\": null");
	}
	/* A guest's window against another process's: domain=vm only. */
	if (c->domain != PERF_DOMAIN_VM)
		return;
	fprintf(f, ", \"process_case\": ");
	if (rp > 0) {
		json_string(f, proc->name);
		fprintf(f, ", \"vs_process\": %.4f", rp);
	} else {
		fprintf(f, "null, \"vs_process\": null");
	}
}

int
perf_report_json(FILE *f, const struct perf_config *cfg,
		const struct perf_bench *b)
{
	bool first = true;
	unsigned int i, j;

	fprintf(f, "{\n  \"tool\": \"" PERF_NAME "\",\n  \"version\": \"" APP_VERSION "\",\n  \"config\": ");
	json_string(f, cfg->path);
	fprintf(f, ",\n  \"eal_args\": ");
	json_string(f, cfg->eal_used);
	fprintf(f, ",\n  \"test_seconds\": %g,\n  \"rounds\": %u,\n  \"warmup_seconds\": %g,\n  \"cache_flush\": %s,\n  \"tsc_hz\": %" PRIu64 ",\n  \"skipped\": [",
		cfg->test_seconds, PERF_ROUNDS, b->warm_s,
		cfg->cache_flush ? "true" : "false", b->tsc_hz);
	for (i = 0; i < cfg->nb_cases; i++) {
		if (perf_case_active(&cfg->cases[i]))
			continue;
		fprintf(f, "%s", first ? "" : ", ");
		json_string(f, cfg->cases[i].name);
		first = false;
	}
	fprintf(f, "],\n  \"results\": [");
	first = true;
	for (i = 0; i < cfg->nb_cases; i++) {
		const struct perf_case *c = &cfg->cases[i];

		if (!perf_case_active(c))
			continue;
		for (j = 0; j < c->nb_sizes; j++) {
			const struct perf_result *res = &c->results[j];
			struct metrics m;

			metrics_get(res, c->sizes[j], b->tsc_hz, &m);
			fprintf(f, "%s\n    {\"case\": ", first ? "" : ",");
			json_string(f, c->name);
			fprintf(f, ", \"type\": \"%s\", \"device\": ",
				perf_type_name(c->type));
			json_string(f, device_of(c));
			fprintf(f, ", \"label\": ");
			json_string(f, c->label);
			fprintf(f, ", \"scenario\": %u, \"worker\": %u, \"workers\": %u",
				c->scenario, c->worker,
				RTE_MAX(c->nb_workers, 1u));
			fprintf(f, ", \"lcore\": %u, \"mem_size\": %u, \"kick_batch\": %u",
				c->lcore, c->mem_mib, c->kick_batch);
			if (perf_case_dma(c))
				fprintf(f, ", \"dma_ring_size\": %u, \"dma_src_sge\": %u, \"dma_dst_sge\": %u",
					c->ring, c->src_sge, c->dst_sge);
			if (c->type == PERF_DMA_INTER_DOMAIN_COPY)
				json_inter(f, cfg, b, c, c->sizes[j]);
			fprintf(f, ", \"buf_size\": %u, \"ops\": %" PRIu64 ", \"seconds\": %.6f, \"mops\": %.6f, \"gbps\": %.6f, \"ns_per_op\": %.3f, \"cycles_per_op\": %.2f, \"errors\": %" PRIu64 "}",
				c->sizes[j], res->ops, m.seconds, m.mops, m.gbps,
				m.ns_per_op, m.cycles_per_op, res->errors);
			first = false;
		}
	}
	fprintf(f, "\n  ],\n  \"totals\": [");
	first = true;
	for (i = 0; i < cfg->nb_cases; i++) {
		const struct perf_case *c = &cfg->cases[i];

		if (!perf_case_active(c) || c->nb_workers <= 1 ||
				!perf_case_leads(c))
			continue;
		for (j = 0; j < c->nb_sizes; j++) {
			struct metrics m;
			uint64_t ops, errors;
			char label[PERF_NAME_LEN + 32];

			metrics_total(c, j, b->tsc_hz, &m, &ops, &errors);
			fprintf(f, "%s\n    {\"case\": ", first ? "" : ",");
			json_string(f, c->name);
			fprintf(f, ", \"label\": ");
			json_string(f, total_label(c, label, sizeof(label)));
			fprintf(f, ", \"type\": \"%s\", \"scenario\": %u, \"workers\": %u, \"buf_size\": %u, \"ops\": %" PRIu64 ", \"mops\": %.6f, \"gbps\": %.6f, \"ns_per_op\": %.3f, \"cycles_per_op\": %.2f, \"errors\": %" PRIu64 "}",
				perf_type_name(c->type), c->scenario,
				c->nb_workers, c->sizes[j], ops, m.mops, m.gbps,
				m.ns_per_op, m.cycles_per_op, errors);
			first = false;
		}
	}
	fprintf(f, "\n  ]\n}\n");
	return ferror(f) ? -EIO : 0;
}

/* ---- upstream's result file ------------------------------------------------- */

/* One worker's row of a scenario; its figures are added to @p sum. */
static void
result_row(FILE *f, const struct perf_case *c, unsigned int si,
		unsigned int scenario, uint64_t hz, double *sum)
{
	const uint32_t size = c->sizes[si];
	const uint64_t nr_buf = perf_worker_bytes(c) /
		RTE_ALIGN_CEIL((size_t)size, PERF_SLOT_ALIGN);
	const double memory = (double)size * nr_buf * 2 / (1024 * 1024);
	struct metrics m;
	uint64_t cycles;

	metrics_get(&c->results[si], size, hz, &m);
	cycles = (uint64_t)(m.cycles_per_op + 0.5);
	if (perf_case_dma(c))
		fprintf(f, "Scenario %u,%u,%s,%u,%u,%u,%" PRIu64 ",%.2f,%" PRIu64 ",%.3f,%.3f\n",
			scenario, c->lcore, c->device, c->ring, c->kick_batch,
			size, nr_buf, memory, cycles, m.gbps * 8, m.mops);
	else
		fprintf(f, "Scenario %u,%u,NA,NA,NA,%u,%" PRIu64 ",%.2f,%" PRIu64 ",%.3f,%.3f\n",
			scenario, c->lcore, size, nr_buf, memory, cycles,
			m.gbps * 8, m.mops);
	sum[0] += (double)nr_buf;
	sum[1] += memory;
	sum[2] += (double)cycles;
	sum[3] += m.gbps * 8;
	sum[4] += m.mops;
}

/*
 * The cases of one section, from @p first: upstream's lines of a case,
 * a block per scenario with a row per worker and their summary.
 */
static void
result_section(FILE *f, const struct perf_case *first, unsigned int nb,
		uint64_t hz)
{
	unsigned int g, si, w;

	if (!perf_case_active(first)) {
		fprintf(f, RESULT_BLANK RESULT_BLANK "Skip the test-case %u\n",
			first->section);
		return;
	}
	fprintf(f, RESULT_BLANK RESULT_BLANK "Test Environment:\nCPU frequency,%.3f Ghz\n"
		RESULT_BLANK RESULT_HEADER, (double)hz / 1e9, first->section,
		perf_type_name(first->type));
	for (g = 0; g < nb; g += first[g].nb_workers) {
		const struct perf_case *lead = &first[g];

		for (si = 0; si < lead->nb_sizes; si++) {
			const unsigned int scen = lead->scenario > 0 ?
				lead->scenario : si + 1;
			double sum[5] = { 0 };

			for (w = 0; w < lead->nb_workers; w++)
				result_row(f, &lead[w], si, scen, hz, sum);
			fprintf(f, "Scenario %u Summary, , , , , ,%" PRIu64 ",%.2f,%.1f,%.3f,%.3f\n",
				scen, (uint64_t)sum[0], sum[1],
				sum[2] / lead->nb_workers, sum[3], sum[4]);
		}
	}
}

int
perf_report_result(FILE *f, const struct perf_config *cfg,
		const struct perf_bench *b)
{
	unsigned int i = 0, n;

	while (i < cfg->nb_cases) {
		for (n = 1; i + n < cfg->nb_cases &&
				strcmp(cfg->cases[i + n].name, cfg->cases[i].name) == 0;
				n++)
			;
		result_section(f, &cfg->cases[i], n, b->tsc_hz);
		i += n;
	}
	return ferror(f) ? -EIO : 0;
}

/* ---- plot ------------------------------------------------------------------- */

const char *
perf_plot_tool(char *buf, size_t len)
{
	const char *path = getenv("PATH");

	if (buf == NULL || len == 0)
		return NULL;
	while (path != NULL && *path != '\0') {
		size_t n = strcspn(path, ":");

		if (n > 0 && (size_t)snprintf(buf, len, "%.*s/gnuplot", (int)n,
				path) < len && access(buf, X_OK) == 0)
			return buf;
		path += n + (path[n] == ':');
	}
	return NULL;
}

/* A gnuplot single-quoted string: a quote inside is doubled. */
static void
gp_string(FILE *f, const char *s)
{
	fputc('\'', f);
	for (; *s != '\0'; s++) {
		if (*s == '\'')
			fputc('\'', f);
		fputc(*s, f);
	}
	fputc('\'', f);
}

static void
gp_plot(FILE *f, const struct perf_config *cfg, const char *data, int col)
{
	unsigned int i, block = 0;
	char title[PERF_NAME_LEN * 2 + 32];

	fprintf(f, "plot ");
	for (i = 0; i < cfg->nb_cases; i++) {
		const struct perf_case *c = &cfg->cases[i];

		if (!perf_case_active(c))
			continue;
		snprintf(title, sizeof(title), "%s %s%s%s", c->name,
			perf_type_name(c->type),
			perf_case_dma(c) ? " " : "", device_of(c));
		fprintf(f, "%s", block > 0 ? ", \\\n     " : "");
		gp_string(f, data);
		fprintf(f, " index %u using 1:%d with linespoints title ",
			block, col);
		gp_string(f, title);
		block++;
	}
	fprintf(f, "\n");
}

/*
 * Tics at the measured sizes, named as the table names them, and a little
 * room beyond the first and the last.
 */
static void
gp_xaxis(FILE *f, const struct perf_config *cfg)
{
	uint32_t sizes[MAX_XTICS];
	uint32_t lo = UINT32_MAX, hi = 0;
	unsigned int n = 0, i, j, k;
	bool named = true;
	char sz[32];

	for (i = 0; i < cfg->nb_cases; i++) {
		const struct perf_case *c = &cfg->cases[i];

		for (j = 0; perf_case_active(c) && j < c->nb_sizes; j++) {
			lo = RTE_MIN(lo, c->sizes[j]);
			hi = RTE_MAX(hi, c->sizes[j]);
			for (k = 0; k < n && sizes[k] != c->sizes[j]; k++)
				;
			if (k < n)
				continue;
			if (n == MAX_XTICS)
				named = false;
			else
				sizes[n++] = c->sizes[j];
		}
	}
	fprintf(f, "set xrange [%g:%g]\n", lo / 1.5, hi * 1.5);
	if (!named) {
		/* Too many to name: gnuplot picks. */
		fprintf(f, "set format x '%%.0b %%BB'\n");
		return;
	}
	fprintf(f, "set xtics (");
	for (k = 0; k < n; k++)
		fprintf(f, "%s'%s' %u", k > 0 ? ", " : "",
			perf_size_str(sizes[k], sz, sizeof(sz)), sizes[k]);
	fprintf(f, ")\n");
}

static int
write_plot_files(FILE *df, FILE *sf, const char *data, const char *path,
		const struct perf_config *cfg, const struct perf_bench *b)
{
	const char *ext = strrchr(path, '.');
	bool svg = ext != NULL && strcmp(ext, ".svg") == 0;
	unsigned int i, j;

	for (i = 0; i < cfg->nb_cases; i++) {
		const struct perf_case *c = &cfg->cases[i];

		if (!perf_case_active(c))
			continue;
		fprintf(df, "# %s %s %s\n", c->name, perf_type_name(c->type),
			device_of(c));
		for (j = 0; j < c->nb_sizes; j++) {
			struct metrics m;

			metrics_get(&c->results[j], c->sizes[j], b->tsc_hz, &m);
			fprintf(df, "%u %.6f %.3f\n", c->sizes[j], m.gbps,
				m.ns_per_op);
		}
		fprintf(df, "\n\n");
	}

	if (svg)
		fprintf(sf, "set terminal svg size 1200,960 noenhanced\n");
	else
		fprintf(sf, "if (strstrt(GPVAL_TERMINALS, 'pngcairo') > 0) {\n"
			"  set terminal pngcairo size 1200,960 noenhanced\n"
			"} else {\n"
			"  set terminal png size 1200,960 noenhanced\n"
			"}\n");
	fprintf(sf, "set output ");
	gp_string(sf, path);
	fprintf(sf, "\nset multiplot layout 2,1 title ");
	gp_string(sf, cfg->path);
	fprintf(sf, "\nset logscale x 2\n");
	gp_xaxis(sf, cfg);
	fprintf(sf, "set xlabel 'buffer size (buf_size)'\n"
		"set grid\n"
		"set key outside right top\n"
		"set ylabel 'GB/s'\n");
	gp_plot(sf, cfg, data, 2);
	fprintf(sf, "set logscale y 10\nset ylabel 'ns per copy'\n");
	gp_plot(sf, cfg, data, 3);
	fprintf(sf, "unset multiplot\n");
	return ferror(df) || ferror(sf) ? -EIO : 0;
}

int
perf_report_plot(const char *path, const struct perf_config *cfg,
		const struct perf_bench *b)
{
	const char *tmp = getenv("TMPDIR");
	char data[PATH_MAX], script[PATH_MAX], tool[PATH_MAX];
	char *argv[] = { tool, script, NULL };
	int dfd, sfd, status, ret;
	FILE *df, *sf;
	pid_t pid;

	if (perf_plot_tool(tool, sizeof(tool)) == NULL) {
		fprintf(stderr, PERF_NAME ": --plot: gnuplot is not installed (apt-get install gnuplot-nox)\n");
		return -ENOENT;
	}
	if (tmp == NULL || tmp[0] == '\0')
		tmp = "/tmp";
	snprintf(data, sizeof(data), "%s/dma-perf-data-XXXXXX", tmp);
	snprintf(script, sizeof(script), "%s/dma-perf-plot-XXXXXX", tmp);
	dfd = mkstemp(data);
	if (dfd < 0) {
		ret = -errno;
		goto fail;
	}
	sfd = mkstemp(script);
	if (sfd < 0) {
		ret = -errno;
		close(dfd);
		goto unlink_data;
	}
	df = fdopen(dfd, "w");
	sf = df != NULL ? fdopen(sfd, "w") : NULL;
	if (sf == NULL) {
		ret = -errno;
		if (df != NULL)
			fclose(df);
		else
			close(dfd);
		close(sfd);
		goto unlink_script;
	}
	ret = write_plot_files(df, sf, data, path, cfg, b);
	if (fclose(df) != 0)
		ret = -EIO;
	if (fclose(sf) != 0)
		ret = -EIO;
	if (ret < 0)
		goto unlink_script;

	ret = posix_spawn(&pid, tool, NULL, NULL, argv, environ);
	if (ret != 0) {
		ret = -ret;
		goto unlink_script;
	}
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
			WEXITSTATUS(status) != 0) {
		fprintf(stderr, PERF_NAME ": --plot: %s failed (its message is above)\n",
			tool);
		ret = -ECHILD;
	}
unlink_script:
	unlink(script);
unlink_data:
	unlink(data);
fail:
	if (ret < 0 && ret != -ECHILD)
		fprintf(stderr, PERF_NAME ": --plot: cannot run gnuplot with files in %s: %s\n",
			tmp, strerror(-ret));
	return ret;
}
