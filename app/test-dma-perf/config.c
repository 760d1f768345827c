/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-dma-xd authors
 */

/*
 * The INI file, read with DPDK's rte_cfgfile and checked in full before
 * anything else happens: every section, every key and every value. All
 * the problems found are printed, each naming the file, the section and
 * the key; the caller exits with status 2 if there was any.
 *
 * What needs EAL to check (lcores, devices and their capabilities) is
 * setup.c's job, run before any measurement as well.
 */

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <rte_cfgfile.h>
#include <rte_common.h>
#include <rte_string_fns.h>

#include "perf.h"

#define GLOBAL_SECTION "GLOBAL"
#define CASE_PREFIX "case"
/* More sections than this cannot be valid (one GLOBAL, the cases). */
#define MAX_SECTIONS (PERF_MAX_SECTIONS + 16)
#define LCORE_DMA "lcore_dma"
#define MAX_ENTRIES 64

#define DEFAULT_TEST_SECONDS 1.0
#define MAX_TEST_SECONDS 3600.0
#define DEFAULT_MEM_MIB 32
#define DEFAULT_RING 1024
#define DEFAULT_KICK_BATCH 32
#define MAX_MUL_STEP 1024
#define TYPE_LIST "DMA_MEM_COPY, CPU_MEM_COPY, CMA_COPY, SOCKET_COPY or DMA_INTER_DOMAIN_COPY"

static_assert(PERF_NAME_LEN == CFG_NAME_LEN, "section and key names");
static_assert(PERF_VALUE_LEN == CFG_VALUE_LEN, "values");

static const char *const type_names[PERF_TYPE_MAX] = {
	[PERF_DMA_MEM_COPY] = "DMA_MEM_COPY",
	[PERF_CPU_MEM_COPY] = "CPU_MEM_COPY",
	[PERF_CMA_COPY] = "CMA_COPY",
	[PERF_SOCKET_COPY] = "SOCKET_COPY",
	[PERF_DMA_INTER_DOMAIN_COPY] = "DMA_INTER_DOMAIN_COPY",
};

/* Which case types take a key. */
enum key_scope {
	KEY_ANY,
	KEY_DMA,      /* DMA_MEM_COPY and DMA_INTER_DOMAIN_COPY */
	KEY_INTER,    /* DMA_INTER_DOMAIN_COPY */
	KEY_UPSTREAM, /* upstream's types: DMA_MEM_COPY and CPU_MEM_COPY */
};

/*
 * Keys of a [caseN] section, sorted; lcore_dma0, lcore_dma1, ... besides.
 * device= is our alias of lcore_dmaN's dev=, as lcore= of its lcore=.
 */
static const struct {
	const char *name;
	enum key_scope scope;
} case_keys[] = {
	{ "buf_size", KEY_ANY },
	{ "device", KEY_DMA },
	{ "direction", KEY_INTER },
	{ "dma_dst_sge", KEY_DMA },
	{ "dma_ring_size", KEY_DMA },
	{ "dma_src_sge", KEY_DMA },
	{ "domain", KEY_INTER },
	{ "dst_numa_node", KEY_UPSTREAM },
	{ "kick_batch", KEY_ANY },
	{ "lcore", KEY_ANY },
	{ "mem_size", KEY_ANY },
	{ "peer", KEY_INTER },
	{ "skip", KEY_ANY },
	{ "src_numa_node", KEY_UPSTREAM },
	{ "type", KEY_ANY },
	{ "use_enq_deq_ops", KEY_DMA },
	{ "windows", KEY_INTER },
};

#define CASE_KEY_LIST "buf_size, device, direction, dma_dst_sge, dma_ring_size, dma_src_sge, domain, dst_numa_node, kick_batch, lcore, lcore_dma0, lcore_dma1, ..., mem_size, peer, skip, src_numa_node, type, use_enq_deq_ops, windows"

/* A worker of a section: an lcore_dmaN, or device= and lcore=. */
struct worker {
	char key[PERF_NAME_LEN];       /* lcore_dmaN, or "" for the aliases */
	bool lcore_set;
	unsigned int lcore;
	char device[PERF_NAME_LEN];
	enum perf_xfer_dir dir;
	uint64_t raddr;
	uint8_t coreid;
	uint16_t pfid;
	uint16_t vfid;
};

/* What varies in a section besides buf_size: one key at most. */
struct variable {
	const char *key;               /* NULL: nothing varies */
	uint32_t values[PERF_MAX_SIZES];
	unsigned int nb;
};

static const char *const global_keys[] = {
	"cache_flush", "csv", "eal_args", "json", "plot", "test_seconds",
};

const char *
perf_type_name(enum perf_type t)
{
	return t < PERF_TYPE_MAX ? type_names[t] : "?";
}

const char *
perf_size_str(uint32_t size, char *buf, size_t len)
{
	if (size >= (1u << 30) && size % (1u << 30) == 0)
		snprintf(buf, len, "%u GiB", size >> 30);
	else if (size >= (1u << 20) && size % (1u << 20) == 0)
		snprintf(buf, len, "%u MiB", size >> 20);
	else if (size >= 1024 && size % 1024 == 0)
		snprintf(buf, len, "%u KiB", size >> 10);
	else
		snprintf(buf, len, "%u B", size);
	return buf;
}

void
perf_config_error(const struct perf_config *cfg, const char *section,
		const char *key, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, PERF_NAME ": %s: ", cfg->path);
	if (section != NULL && key != NULL)
		fprintf(stderr, "[%s] %s: ", section, key);
	else if (section != NULL)
		fprintf(stderr, "[%s]: ", section);
	else if (key != NULL)
		fprintf(stderr, "%s: ", key);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* ---- values ------------------------------------------------------------- */

/* Decimal digits only: strtoull() would take "-1", "0x10" and " 5". */
static int
parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (s[0] < '0' || s[0] > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

static int
parse_bool(const char *s, bool *out)
{
	if (strcmp(s, "0") == 0)
		*out = false;
	else if (strcmp(s, "1") == 0)
		*out = true;
	else
		return -EINVAL;
	return 0;
}

/* A byte count: digits with an optional K, M or G (binary) suffix. */
static int
parse_size(const char *s, uint64_t max, uint64_t *out)
{
	static const struct {
		const char *suffix;
		uint64_t mult;
	} units[] = {
		{ "", 1 }, { "b", 1 },
		{ "k", 1ull << 10 }, { "kb", 1ull << 10 }, { "kib", 1ull << 10 },
		{ "m", 1ull << 20 }, { "mb", 1ull << 20 }, { "mib", 1ull << 20 },
		{ "g", 1ull << 30 }, { "gb", 1ull << 30 }, { "gib", 1ull << 30 },
	};
	unsigned long long v;
	unsigned int i;
	char *end;

	if (s[0] < '0' || s[0] > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0)
		return -EINVAL;
	for (i = 0; i < RTE_DIM(units); i++) {
		if (strcasecmp(end, units[i].suffix) != 0)
			continue;
		if (v == 0 || v > max / units[i].mult)
			return -ERANGE;
		*out = v * units[i].mult;
		return 0;
	}
	return -EINVAL;
}

/* Blanks and line ends around @p p removed. */
static char *
strip(char *p)
{
	char *end;

	while (*p == ' ' || *p == '\t')
		p++;
	end = p + strlen(p);
	while (end > p && (end[-1] == ' ' || end[-1] == '\t' ||
			end[-1] == '\n' || end[-1] == '\r'))
		*--end = '\0';
	return p;
}

/* Split @p value at commas into @p fields, spaces around each removed. */
static int
split_fields(char *value, char **fields, unsigned int max)
{
	unsigned int n = 0;
	char *p = value;

	for (;;) {
		char *comma = strchr(p, ',');

		if (n == max)
			return -E2BIG;
		if (comma != NULL)
			*comma = '\0';
		fields[n++] = strip(p);
		if (comma == NULL)
			return (int)n;
		p = comma + 1;
	}
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

static bool
is_range_op(const char *s)
{
	return strcasecmp(s, "ADD") == 0 || strcasecmp(s, "MUL") == 0;
}

/*
 * buf_size: one size; a list of sizes ("64,4K,64K,1M"); or a range
 * "first,last,step,ADD|MUL" (upstream's form), from first while <= last.
 */
static int
parse_buf_size(const struct perf_config *cfg, struct perf_case *c,
		const char *value)
{
	char copy[PERF_VALUE_LEN];
	char *f[PERF_MAX_SIZES + 1];
	uint64_t first, last, step, v;
	unsigned int i, j;
	int n;

	snprintf(copy, sizeof(copy), "%s", value);
	n = split_fields(copy, f, RTE_DIM(f));
	if (n < 0) {
		perf_config_error(cfg, c->name, "buf_size",
			"more than %u sizes", PERF_MAX_SIZES);
		return -EINVAL;
	}
	for (i = 0; i < (unsigned int)n; i++) {
		if (f[i][0] == '\0') {
			perf_config_error(cfg, c->name, "buf_size",
				"'%s': empty field %u", value, i + 1);
			return -EINVAL;
		}
	}
	if (is_range_op(f[n - 1])) {
		bool mul = strcasecmp(f[n - 1], "MUL") == 0;

		if (n != 4) {
			perf_config_error(cfg, c->name, "buf_size",
				"'%s': a range is first,last,step,ADD|MUL (4 fields, not %d)",
				value, n);
			return -EINVAL;
		}
		if (parse_size(f[0], PERF_MAX_BUF_SIZE, &first) < 0 ||
				parse_size(f[1], PERF_MAX_BUF_SIZE, &last) < 0) {
			perf_config_error(cfg, c->name, "buf_size",
				"'%s': first and last must be sizes of 1 B to 1 GiB (digits, optional K, M or G)",
				value);
			return -EINVAL;
		}
		if (first > last) {
			perf_config_error(cfg, c->name, "buf_size",
				"'%s': first (%s) is larger than last (%s)",
				value, f[0], f[1]);
			return -EINVAL;
		}
		if (mul && parse_u64(f[2], 2, MAX_MUL_STEP, &step) < 0) {
			perf_config_error(cfg, c->name, "buf_size",
				"'%s': a MUL step is a factor of 2 to %u, not '%s'",
				value, MAX_MUL_STEP, f[2]);
			return -EINVAL;
		}
		if (!mul && parse_size(f[2], PERF_MAX_BUF_SIZE, &step) < 0) {
			perf_config_error(cfg, c->name, "buf_size",
				"'%s': an ADD step is a size of 1 B to 1 GiB, not '%s'",
				value, f[2]);
			return -EINVAL;
		}
		c->nb_sizes = 0;
		for (v = first; v <= last; v = mul ? v * step : v + step) {
			if (c->nb_sizes == PERF_MAX_SIZES) {
				perf_config_error(cfg, c->name, "buf_size",
					"'%s' gives more than %u sizes",
					value, PERF_MAX_SIZES);
				return -EINVAL;
			}
			c->sizes[c->nb_sizes++] = (uint32_t)v;
		}
		return 0;
	}

	for (i = 0; i < (unsigned int)n; i++) {
		int ret = parse_size(f[i], PERF_MAX_BUF_SIZE, &v);

		if (ret < 0) {
			/* "64,8192,2,DIV": meant as a range. */
			if (n == 4 && i == 3 && f[i][0] >= 'A')
				perf_config_error(cfg, c->name, "buf_size",
					"'%s': '%s' is neither a size nor ADD or MUL (a range is first,last,step,ADD|MUL)",
					value, f[i]);
			else
				perf_config_error(cfg, c->name, "buf_size",
					"'%s': '%s' is not a size of 1 B to 1 GiB (digits, optional K, M or G suffix)",
					value, f[i]);
			return -EINVAL;
		}
		c->sizes[i] = (uint32_t)v;
	}
	c->nb_sizes = (unsigned int)n;
	qsort(c->sizes, c->nb_sizes, sizeof(c->sizes[0]), cmp_u32);
	for (j = 1; j < c->nb_sizes; j++) {
		if (c->sizes[j] == c->sizes[j - 1]) {
			char sz[32];

			perf_config_error(cfg, c->name, "buf_size",
				"'%s' lists %s twice", value,
				perf_size_str(c->sizes[j], sz, sizeof(sz)));
			return -EINVAL;
		}
	}
	return 0;
}

/* ---- sections ----------------------------------------------------------- */

static bool
is_case_section(const char *name)
{
	const char *d = name + strlen(CASE_PREFIX);

	return strncmp(name, CASE_PREFIX, strlen(CASE_PREFIX)) == 0 &&
		d[0] >= '1' && d[0] <= '9' && strspn(d, "0123456789") == strlen(d);
}

static const char *
entry_get(const struct rte_cfgfile_entry *e, int n, const char *key)
{
	int i;

	for (i = 0; i < n; i++)
		if (strcmp(e[i].name, key) == 0)
			return e[i].value;
	return NULL;
}

/* Each key once: rte_cfgfile keeps duplicates, and lookups see the first. */
static int
check_duplicates(const struct perf_config *cfg, const char *section,
		const struct rte_cfgfile_entry *e, int n)
{
	int i, j, ret = 0;

	for (i = 1; i < n; i++) {
		for (j = 0; j < i; j++) {
			if (strcmp(e[i].name, e[j].name) == 0) {
				perf_config_error(cfg, section, e[i].name,
					"given more than once");
				ret = -EINVAL;
				break;
			}
		}
	}
	return ret;
}

/* lcore_dma0, lcore_dma1, ...: digits right after, no leading zero. */
static bool
is_lcore_dma(const char *key)
{
	const char *d = key + strlen(LCORE_DMA);

	return strncmp(key, LCORE_DMA, strlen(LCORE_DMA)) == 0 &&
		d[0] >= '0' && d[0] <= '9' && (d[0] != '0' || d[1] == '\0') &&
		strlen(d) <= 3 && strspn(d, "0123456789") == strlen(d);
}

/* Say where a key that is not one of this section's belongs. */
static const char *
unknown_key_hint(const char *key, bool in_global)
{
	unsigned int i;

	if (strncmp(key, LCORE_DMA, strlen(LCORE_DMA)) == 0 && !in_global)
		return ": the workers are lcore_dma0, lcore_dma1, ... (a number right after lcore_dma)";
	if (!in_global) {
		for (i = 0; i < RTE_DIM(global_keys); i++)
			if (strcmp(key, global_keys[i]) == 0)
				return ": it belongs in [" GLOBAL_SECTION "]";
		return " (known: " CASE_KEY_LIST ")";
	}
	if (is_lcore_dma(key))
		return ": it belongs in a [caseN] section";
	for (i = 0; i < RTE_DIM(case_keys); i++)
		if (strcmp(key, case_keys[i].name) == 0)
			return ": it belongs in a [caseN] section";
	return " (known: cache_flush, csv, eal_args, json, plot, test_seconds)";
}

static int
load_global(struct perf_config *cfg, const struct rte_cfgfile_entry *e, int n)
{
	const char *v;
	int i, ret = check_duplicates(cfg, GLOBAL_SECTION, e, n);

	for (i = 0; i < n; i++) {
		unsigned int k;

		for (k = 0; k < RTE_DIM(global_keys); k++)
			if (strcmp(e[i].name, global_keys[k]) == 0)
				break;
		if (k == RTE_DIM(global_keys)) {
			perf_config_error(cfg, GLOBAL_SECTION, e[i].name,
				"unknown key%s", unknown_key_hint(e[i].name, true));
			ret = -EINVAL;
		}
	}

	v = entry_get(e, n, "eal_args");
	if (v != NULL) {
		cfg->has_eal_args = true;
		snprintf(cfg->eal_args, sizeof(cfg->eal_args), "%s", v);
	}
	v = entry_get(e, n, "test_seconds");
	if (v != NULL) {
		char *end;
		double d;

		errno = 0;
		d = strtod(v, &end);
		/* The comparisons also refuse NaN. */
		if (errno != 0 || end == v || *end != '\0' ||
				!(d > 0.0 && d <= MAX_TEST_SECONDS)) {
			perf_config_error(cfg, GLOBAL_SECTION, "test_seconds",
				"'%s' is not a number of seconds in (0, %.0f]",
				v, MAX_TEST_SECONDS);
			ret = -EINVAL;
		} else {
			cfg->test_seconds = d;
		}
	}
	v = entry_get(e, n, "cache_flush");
	if (v != NULL && parse_bool(v, &cfg->cache_flush) < 0) {
		perf_config_error(cfg, GLOBAL_SECTION, "cache_flush",
			"'%s' is neither 0 nor 1", v);
		ret = -EINVAL;
	}
	/* Output files: a name is all they need here; main.c opens them. */
	v = entry_get(e, n, "csv");
	if (v != NULL)
		snprintf(cfg->csv, sizeof(cfg->csv), "%s", v);
	v = entry_get(e, n, "json");
	if (v != NULL)
		snprintf(cfg->json, sizeof(cfg->json), "%s", v);
	v = entry_get(e, n, "plot");
	if (v != NULL)
		snprintf(cfg->plot, sizeof(cfg->plot), "%s", v);
	for (i = 0; i < n; i++) {
		if ((strcmp(e[i].name, "csv") == 0 || strcmp(e[i].name, "json") == 0 ||
				strcmp(e[i].name, "plot") == 0) && e[i].value[0] == '\0') {
			perf_config_error(cfg, GLOBAL_SECTION, e[i].name,
				"empty file name");
			ret = -EINVAL;
		}
	}
	return ret;
}

/* An unsigned key of a case, if present: 0, or -EINVAL after a message. */
static int
case_uint(const struct perf_config *cfg, const struct perf_case *c,
		const struct rte_cfgfile_entry *e, int n, const char *key,
		uint64_t min, uint64_t max, uint64_t *out, bool *present)
{
	const char *v = entry_get(e, n, key);

	if (present != NULL)
		*present = v != NULL;
	if (v == NULL)
		return 0;
	if (parse_u64(v, min, max, out) < 0) {
		perf_config_error(cfg, c->name, key,
			"'%s' is not a whole number in %" PRIu64 "..%" PRIu64,
			v, min, max);
		return -EINVAL;
	}
	return 0;
}

/*
 * A key of @p c whose value is one of @p names, if present: 0 and its
 * index in *out, or -EINVAL after a message listing the choices.
 */
static int
case_choice(const struct perf_config *cfg, const struct perf_case *c,
		const struct rte_cfgfile_entry *e, int n, const char *key,
		const char *const *names, unsigned int nb, unsigned int *out)
{
	const char *v = entry_get(e, n, key);
	char list[PERF_VALUE_LEN];
	unsigned int i;
	size_t len = 0;

	if (v == NULL)
		return 0;
	for (i = 0; i < nb; i++) {
		if (strcmp(v, names[i]) == 0) {
			*out = i;
			return 0;
		}
	}
	for (i = 0; i < nb && len < sizeof(list); i++)
		len += snprintf(list + len, sizeof(list) - len, "%s%s",
			i == 0 ? "" : i + 1 < nb ? ", " : " nor ", names[i]);
	perf_config_error(cfg, c->name, key, "'%s' is neither %s", v, list);
	return -EINVAL;
}

/* domain, direction, windows and peer of a DMA_INTER_DOMAIN_COPY case. */
static int
load_inter_keys(const struct perf_config *cfg, struct perf_case *c,
		const struct rte_cfgfile_entry *e, int n)
{
	static const char *const domains[] = {
		[PERF_DOMAIN_PROCESS] = "process",
		[PERF_DOMAIN_OS] = "os",
		[PERF_DOMAIN_VM] = "vm",
	};
	static const char *const directions[] = {
		[PERF_DIR_WRITE] = "write",
		[PERF_DIR_READ] = "read",
	};
	/* Known, so that the refusal can say why. */
	static const char *const peers[] = { "spawn", "attach" };
	unsigned int domain = PERF_DOMAIN_PROCESS, dir = PERF_DIR_WRITE;
	unsigned int peer = 0;
	bool present;
	uint64_t u;
	int ret = 0;

	if (case_choice(cfg, c, e, n, "domain", domains, RTE_DIM(domains),
			&domain) < 0)
		ret = -EINVAL;
	if (case_choice(cfg, c, e, n, "direction", directions,
			RTE_DIM(directions), &dir) < 0)
		ret = -EINVAL;
	if (case_choice(cfg, c, e, n, "peer", peers, RTE_DIM(peers),
			&peer) < 0) {
		ret = -EINVAL;
	} else if (peer != 0) {
		perf_config_error(cfg, c->name, "peer",
			"attach (to a peer that runs already) is not supported yet: peer=spawn, the default, starts the peer");
		ret = -EINVAL;
	}
	c->domain = (enum perf_domain)domain;
	c->direction = (enum perf_direction)dir;
	c->windows = 1;
	if (case_uint(cfg, c, e, n, "windows", 1, PERF_MAX_WINDOWS, &u,
			&present) < 0)
		ret = -EINVAL;
	else if (present)
		c->windows = (uint32_t)u;
	/* A guest's buffer is one range of its ivshmem region. */
	if (c->domain == PERF_DOMAIN_VM && c->windows != 1) {
		perf_config_error(cfg, c->name, "windows",
			"vm: the guest shares one window of its ivshmem region: windows=1");
		ret = -EINVAL;
	}
	return ret;
}

/*
 * The peer cuts its buffer into equal windows starting on pages, and a
 * copy may not straddle two of them (the datapath refuses it): every slot
 * must lie in one window.
 */
static int
check_windows(const struct perf_config *cfg, const struct perf_case *c)
{
	const size_t mem = (size_t)c->mem_mib << 20;
	const size_t win = mem / c->windows;
	unsigned int i;
	char sz[32], wsz[32];

	if (c->windows == 1)
		return 0;
	if (mem % c->windows != 0 || win % PERF_WINDOW_ALIGN != 0) {
		perf_config_error(cfg, c->name, "windows",
			"mem_size %u MiB cannot be cut into %u windows of whole 4 KiB pages",
			c->mem_mib, c->windows);
		return -EINVAL;
	}
	for (i = 0; i < c->nb_sizes; i++) {
		size_t stride = RTE_ALIGN_CEIL((size_t)c->sizes[i],
				PERF_SLOT_ALIGN);

		if (win % stride != 0) {
			perf_config_error(cfg, c->name, "windows",
				"windows of %s hold no whole number of buf_size %s copies (each in a %zu-byte slot): copies would straddle two windows; use fewer windows or a larger mem_size",
				perf_size_str((uint32_t)win, wsz, sizeof(wsz)),
				perf_size_str(c->sizes[i], sz, sizeof(sz)),
				stride);
			return -EINVAL;
		}
	}
	return 0;
}

/* The checks that relate keys of one case to each other. */
static int
check_case(const struct perf_config *cfg, const struct perf_case *c)
{
	const size_t mem = perf_worker_bytes(c);
	const uint32_t pieces = RTE_MAX(c->src_sge, c->dst_sge);
	unsigned int i;
	char sz[32];
	int ret = 0;

	for (i = 0; i < c->nb_sizes; i++) {
		size_t stride = RTE_ALIGN_CEIL((size_t)c->sizes[i],
				PERF_SLOT_ALIGN);

		if (stride > mem && c->nb_workers > 1) {
			perf_config_error(cfg, c->name, "mem_size",
				"%u MiB shared by %u workers cannot hold one buffer of buf_size %s each",
				c->mem_mib, c->nb_workers,
				perf_size_str(c->sizes[i], sz, sizeof(sz)));
			return -EINVAL;
		}
		if (stride > mem) {
			perf_config_error(cfg, c->name, "mem_size",
				"%u MiB cannot hold one buffer of buf_size %s",
				c->mem_mib,
				perf_size_str(c->sizes[i], sz, sizeof(sz)));
			return -EINVAL;
		}
		if (c->sizes[i] < pieces) {
			perf_config_error(cfg, c->name,
				c->src_sge >= c->dst_sge ? "dma_src_sge" : "dma_dst_sge",
				"buf_size %s cannot be cut into %u pieces",
				perf_size_str(c->sizes[i], sz, sizeof(sz)), pieces);
			return -EINVAL;
		}
	}
	switch (c->type) {
	case PERF_DMA_INTER_DOMAIN_COPY:
		if (check_windows(cfg, c) < 0)
			ret = -EINVAL;
		/* fall through */
	case PERF_DMA_MEM_COPY:
		if (c->kick_batch > c->ring) {
			perf_config_error(cfg, c->name, "kick_batch",
				"%u is larger than dma_ring_size (%u)",
				c->kick_batch, c->ring);
			ret = -EINVAL;
		}
		break;
	case PERF_CMA_COPY:
		/* One process_vm_writev() per batch: one iovec per copy. */
		if (c->kick_batch > IOV_MAX) {
			perf_config_error(cfg, c->name, "kick_batch",
				"%u is more than CMA_COPY takes in one system call (%d)",
				c->kick_batch, IOV_MAX);
			ret = -EINVAL;
		}
		break;
	case PERF_SOCKET_COPY:
		/* One sendmsg() per batch: a header and one iovec per copy. */
		if (c->kick_batch > IOV_MAX - 1) {
			perf_config_error(cfg, c->name, "kick_batch",
				"%u is more than SOCKET_COPY takes in one system call (%d)",
				c->kick_batch, IOV_MAX - 1);
			ret = -EINVAL;
		}
		break;
	default:
		break;
	}
	return ret;
}

/*
 * mem_size, dma_ring_size or kick_batch: one value, or upstream's range
 * first,last,increment,ADD|MUL. A range is noted in @p var (one key of a
 * section may vary, as upstream's tool allows), its first value in *out.
 */
static int
case_var(const struct perf_config *cfg, const struct perf_case *c,
		const struct rte_cfgfile_entry *e, int n, const char *key,
		uint64_t min, uint64_t max, uint64_t *out, bool *present,
		struct variable *var)
{
	const char *v = entry_get(e, n, key);
	char copy[PERF_VALUE_LEN];
	uint64_t first, last, step, x;
	char *f[5];
	bool mul;
	int nf;

	*present = v != NULL;
	if (v == NULL || strchr(v, ',') == NULL)
		return case_uint(cfg, c, e, n, key, min, max, out, NULL);
	snprintf(copy, sizeof(copy), "%s", v);
	nf = split_fields(copy, f, RTE_DIM(f));
	if (nf != 4 || !is_range_op(f[3])) {
		perf_config_error(cfg, c->name, key,
			"'%s' is neither a whole number nor a range first,last,increment,ADD|MUL",
			v);
		return -EINVAL;
	}
	mul = strcasecmp(f[3], "MUL") == 0;
	if (parse_u64(f[0], min, max, &first) < 0 ||
			parse_u64(f[1], min, max, &last) < 0 || first > last) {
		perf_config_error(cfg, c->name, key,
			"'%s': first and last must be whole numbers in %" PRIu64 "..%" PRIu64 ", first not above last",
			v, min, max);
		return -EINVAL;
	}
	if (parse_u64(f[2], mul ? 2 : 1, mul ? MAX_MUL_STEP : max, &step) < 0) {
		perf_config_error(cfg, c->name, key,
			"'%s': the increment of %s is a whole number of %u or more, not '%s'",
			v, mul ? "MUL" : "ADD", mul ? 2 : 1, f[2]);
		return -EINVAL;
	}
	if (var->key != NULL) {
		perf_config_error(cfg, c->name, key,
			"a second range in one case (%s varies already): one variable per case, as upstream's tool has it",
			var->key);
		return -EINVAL;
	}
	var->key = key;
	var->nb = 0;
	for (x = first; x <= last; x = mul ? x * step : x + step) {
		if (var->nb == PERF_MAX_SIZES) {
			perf_config_error(cfg, c->name, key,
				"'%s' gives more than %u values", v,
				PERF_MAX_SIZES);
			return -EINVAL;
		}
		var->values[var->nb++] = (uint32_t)x;
	}
	*out = first;
	return 0;
}

/* A dmadev name the CSV can hold unquoted. */
static bool
is_device_name(const char *v, size_t max)
{
	return v[0] != '\0' && strlen(v) < max && strpbrk(v, ", \t\"") == NULL;
}

/*
 * lcore_dmaN=lcore=L,dev=NAME[,dir=mem2mem|mem2dev|dev2mem][,raddr=HEX]
 * [,coreid=C][,pfid=P][,vfid=V] into @p w.
 */
static int
parse_lcore_dma(const struct perf_config *cfg, const struct perf_case *c,
		const char *key, const char *value, struct worker *w)
{
	static const char *const dirs[] = {
		[PERF_MEM2MEM] = "mem2mem",
		[PERF_MEM2DEV] = "mem2dev",
		[PERF_DEV2MEM] = "dev2mem",
	};
	char copy[PERF_VALUE_LEN];
	char *f[16];
	bool have_dev = false;
	int nf, i;

	snprintf(w->key, sizeof(w->key), "%s", key);
	snprintf(copy, sizeof(copy), "%s", value);
	nf = split_fields(copy, f, RTE_DIM(f));
	if (nf < 0) {
		perf_config_error(cfg, c->name, key, "too many fields");
		return -EINVAL;
	}
	for (i = 0; i < nf; i++) {
		char *eq = strchr(f[i], '=');
		const char *k = f[i], *v;
		uint64_t u;
		char *end;
		unsigned int d;

		if (eq == NULL) {
			perf_config_error(cfg, c->name, key,
				"'%s' is not name=value (lcore=L,dev=NAME,dir=mem2mem)",
				f[i]);
			return -EINVAL;
		}
		*eq = '\0';
		v = strip(eq + 1);
		k = strip(f[i]);
		if (strcmp(k, "lcore") == 0) {
			if (parse_u64(v, 0, RTE_MAX_LCORE - 1, &u) < 0) {
				perf_config_error(cfg, c->name, key,
					"lcore=%s is not an lcore number (0..%d)",
					v, RTE_MAX_LCORE - 1);
				return -EINVAL;
			}
			w->lcore = (unsigned int)u;
			w->lcore_set = true;
		} else if (strcmp(k, "dev") == 0) {
			if (!is_device_name(v, sizeof(w->device))) {
				perf_config_error(cfg, c->name, key,
					"dev=%s is not a dmadev name", v);
				return -EINVAL;
			}
			snprintf(w->device, sizeof(w->device), "%s", v);
			have_dev = true;
		} else if (strcmp(k, "dir") == 0) {
			for (d = 0; d < RTE_DIM(dirs); d++)
				if (strcmp(v, dirs[d]) == 0)
					break;
			if (d == RTE_DIM(dirs)) {
				perf_config_error(cfg, c->name, key,
					"dir=%s is neither mem2mem, mem2dev nor dev2mem",
					v);
				return -EINVAL;
			}
			w->dir = (enum perf_xfer_dir)d;
		} else if (strcmp(k, "raddr") == 0) {
			errno = 0;
			u = strtoull(v, &end, 16);
			if (errno != 0 || end == v || *end != '\0' ||
					v[0] == '-') {
				perf_config_error(cfg, c->name, key,
					"raddr=%s is not a hexadecimal address", v);
				return -EINVAL;
			}
			w->raddr = u;
		} else if (strcmp(k, "coreid") == 0 || strcmp(k, "pfid") == 0 ||
				strcmp(k, "vfid") == 0) {
			uint64_t max = k[0] == 'c' ? UINT8_MAX : UINT16_MAX;

			if (parse_u64(v, 0, max, &u) < 0) {
				perf_config_error(cfg, c->name, key,
					"%s=%s is not a whole number in 0..%" PRIu64,
					k, v, max);
				return -EINVAL;
			}
			if (k[0] == 'c')
				w->coreid = (uint8_t)u;
			else if (k[0] == 'p')
				w->pfid = (uint16_t)u;
			else
				w->vfid = (uint16_t)u;
		} else {
			perf_config_error(cfg, c->name, key,
				"unknown field '%s' (known: lcore, dev, dir, raddr, coreid, pfid, vfid)",
				k);
			return -EINVAL;
		}
	}
	if (!w->lcore_set || !have_dev) {
		perf_config_error(cfg, c->name, key,
			"'%s' names no %s (lcore=L,dev=NAME,dir=mem2mem)", value,
			!w->lcore_set ? "lcore=" : "dev=");
		return -EINVAL;
	}
	return 0;
}

/*
 * The workers of @p c: lcore_dma0, lcore_dma1, ... (DMA cases), or
 * device= and lcore= (the aliases: one worker), or "lcore = a, b" (CPU
 * workers). Each lcore and each device once.
 */
static int
load_workers(const struct perf_config *cfg, const struct perf_case *c,
		const struct rte_cfgfile_entry *e, int n, struct worker *w,
		unsigned int *nb)
{
	const bool dma = perf_case_dma(c);
	const char *dev = entry_get(e, n, "device");
	const char *lcore = entry_get(e, n, "lcore");
	unsigned int nb_dma = 0, i, j;
	char key[PERF_NAME_LEN];
	int k;

	*nb = 0;
	for (k = 0; k < n; k++)
		nb_dma += is_lcore_dma(e[k].name);
	for (i = 0; i < nb_dma; i++) {
		const char *v;

		snprintf(key, sizeof(key), LCORE_DMA "%u", i);
		v = entry_get(e, n, key);
		if (v == NULL) {
			perf_config_error(cfg, c->name, key,
				"missing: lcore_dma0, lcore_dma1, ... are numbered without gaps (upstream's tool stops at the first one missing)");
			return -EINVAL;
		}
		if (i == PERF_MAX_WORKERS) {
			perf_config_error(cfg, c->name, key,
				"more than %u workers", PERF_MAX_WORKERS);
			return -EINVAL;
		}
		memset(&w[i], 0, sizeof(w[i]));
		if (parse_lcore_dma(cfg, c, key, v, &w[i]) < 0)
			return -EINVAL;
	}
	if (nb_dma > 0) {
		if (dev != NULL || lcore != NULL) {
			perf_config_error(cfg, c->name, dev != NULL ? "device" : "lcore",
				"given with lcore_dma0: the workers are lcore_dma0, lcore_dma1, ... alone (device= and lcore= are the short form of one)");
			return -EINVAL;
		}
		if (c->type == PERF_DMA_INTER_DOMAIN_COPY && nb_dma > 1) {
			perf_config_error(cfg, c->name, LCORE_DMA "1",
				"a DMA_INTER_DOMAIN_COPY case has one worker (its peer is per case)");
			return -EINVAL;
		}
		*nb = nb_dma;
	} else {
		char copy[PERF_VALUE_LEN], *tok, *save = NULL;
		uint64_t u;

		if (dma && dev == NULL) {
			perf_config_error(cfg, c->name, LCORE_DMA "0",
				"missing: a %s case names its dmadev (e.g. lcore_dma0=lcore=1,dev=dma_xd_skeleton0,dir=mem2mem, or device=dma_xd_skeleton0)",
				perf_type_name(c->type));
			return -EINVAL;
		}
		if (dev != NULL && !is_device_name(dev, sizeof(w[0].device))) {
			perf_config_error(cfg, c->name, "device",
				"'%s' is not a dmadev name", dev);
			return -EINVAL;
		}
		memset(&w[0], 0, sizeof(w[0]));
		snprintf(copy, sizeof(copy), "%s", lcore != NULL ? lcore : "");
		/* Upstream's "lcore = 10, 11": commas, blanks or both. */
		for (tok = strtok_r(copy, ", \t", &save); tok != NULL;
				tok = strtok_r(NULL, ", \t", &save)) {
			if (*nb > 0 && c->type != PERF_CPU_MEM_COPY) {
				perf_config_error(cfg, c->name, "lcore",
					"'%s': several lcores make several CPU_MEM_COPY workers; %s",
					lcore, dma ? "DMA workers are lcore_dma0, lcore_dma1, ..." :
					"this type runs on one");
				return -EINVAL;
			}
			if (*nb == PERF_MAX_WORKERS ||
					parse_u64(tok, 0, RTE_MAX_LCORE - 1, &u) < 0) {
				perf_config_error(cfg, c->name, "lcore",
					"'%s' is not a whole number in 0..%d, nor a list of at most %u of them",
					lcore, RTE_MAX_LCORE - 1, PERF_MAX_WORKERS);
				return -EINVAL;
			}
			memset(&w[*nb], 0, sizeof(w[0]));
			w[*nb].lcore = (unsigned int)u;
			w[*nb].lcore_set = true;
			(*nb)++;
		}
		if (*nb == 0)
			*nb = 1;
		if (dev != NULL)
			snprintf(w[0].device, sizeof(w[0].device), "%s", dev);
	}
	/* Upstream's rule: one lcore per device and one device per lcore. */
	for (i = 1; i < *nb; i++) {
		for (j = 0; j < i; j++) {
			const char *wk = w[i].key[0] != '\0' ? w[i].key : "lcore";

			if (w[i].lcore_set && w[j].lcore_set &&
					w[i].lcore == w[j].lcore) {
				perf_config_error(cfg, c->name, wk,
					"lcore %u serves another worker already: one worker per lcore",
					w[i].lcore);
				return -EINVAL;
			}
			if (dma && strcmp(w[i].device, w[j].device) == 0) {
				perf_config_error(cfg, c->name, wk,
					"dev=%s serves another worker already: one worker per device",
					w[i].device);
				return -EINVAL;
			}
		}
	}
	return 0;
}

static int
load_case(struct perf_config *cfg, struct perf_case *c,
		const struct rte_cfgfile_entry *e, int n, struct worker *w,
		unsigned int *nb_workers, struct variable *var)
{
	bool present, dma;
	const char *v;
	uint64_t u;
	int i, t, ret = check_duplicates(cfg, c->name, e, n);

	c->dev_id = -1;
	c->group_id = -1;
	c->peer.fd = -1;
	c->src_node = -1;
	c->dst_node = -1;
	*nb_workers = 1;
	var->key = NULL;
	for (i = 0; i < n; i++) {
		unsigned int k;

		for (k = 0; k < RTE_DIM(case_keys); k++)
			if (strcmp(e[i].name, case_keys[k].name) == 0)
				break;
		if (k == RTE_DIM(case_keys) && !is_lcore_dma(e[i].name)) {
			perf_config_error(cfg, c->name, e[i].name,
				"unknown key%s", unknown_key_hint(e[i].name, false));
			ret = -EINVAL;
		}
	}

	v = entry_get(e, n, "skip");
	if (v != NULL && parse_bool(v, &c->skip) < 0) {
		perf_config_error(cfg, c->name, "skip",
			"'%s' is neither 0 nor 1", v);
		return -EINVAL;
	}
	/* A skipped case keeps its place in the file; its keys are names only. */
	if (c->skip)
		return ret;

	for (i = 0; i < n; i++) {
		if (e[i].value[0] == '\0') {
			perf_config_error(cfg, c->name, e[i].name, "empty value");
			return -EINVAL;
		}
	}

	v = entry_get(e, n, "type");
	if (v == NULL) {
		perf_config_error(cfg, c->name, "type", "missing (" TYPE_LIST ")");
		return -EINVAL;
	}
	for (t = 0; t < PERF_TYPE_MAX; t++)
		if (strcmp(v, type_names[t]) == 0)
			break;
	if (t == PERF_TYPE_MAX) {
		perf_config_error(cfg, c->name, "type",
			"unknown type '%s' (" TYPE_LIST ")", v);
		return -EINVAL;
	}
	c->type = (enum perf_type)t;
	dma = perf_case_dma(c);
	for (i = 0; i < n; i++) {
		enum key_scope scope = KEY_DMA;
		unsigned int k;

		for (k = 0; k < RTE_DIM(case_keys); k++)
			if (strcmp(e[i].name, case_keys[k].name) == 0)
				break;
		if (k < RTE_DIM(case_keys))
			scope = case_keys[k].scope;
		else if (!is_lcore_dma(e[i].name))
			continue;
		if (scope == KEY_DMA && !dma) {
			perf_config_error(cfg, c->name, e[i].name,
				"only DMA_MEM_COPY and DMA_INTER_DOMAIN_COPY cases take it, not %s",
				type_names[c->type]);
			ret = -EINVAL;
		} else if (scope == KEY_INTER &&
				c->type != PERF_DMA_INTER_DOMAIN_COPY) {
			perf_config_error(cfg, c->name, e[i].name,
				"only DMA_INTER_DOMAIN_COPY cases take it, not %s",
				type_names[c->type]);
			ret = -EINVAL;
		} else if (scope == KEY_UPSTREAM && c->type != PERF_DMA_MEM_COPY &&
				c->type != PERF_CPU_MEM_COPY) {
			perf_config_error(cfg, c->name, e[i].name,
				"only DMA_MEM_COPY and CPU_MEM_COPY cases take it, not %s",
				type_names[c->type]);
			ret = -EINVAL;
		}
	}
	if (ret < 0)
		return ret;
	if (c->type == PERF_DMA_INTER_DOMAIN_COPY &&
			load_inter_keys(cfg, c, e, n) < 0)
		ret = -EINVAL;

	c->mem_mib = DEFAULT_MEM_MIB;
	if (case_var(cfg, c, e, n, "mem_size", 1, PERF_MAX_MEM_MIB, &u,
			&present, var) < 0)
		ret = -EINVAL;
	else if (present)
		c->mem_mib = (uint32_t)u;

	v = entry_get(e, n, "buf_size");
	if (v == NULL) {
		perf_config_error(cfg, c->name, "buf_size",
			"missing (a size, a list of sizes, or first,last,step,ADD|MUL)");
		ret = -EINVAL;
	} else if (parse_buf_size(cfg, c, v) < 0) {
		ret = -EINVAL;
	} else if (c->nb_sizes > 1 && var->key != NULL) {
		perf_config_error(cfg, c->name, "buf_size",
			"several sizes while %s varies: one variable per case, as upstream's tool has it",
			var->key);
		ret = -EINVAL;
	}

	c->ring = DEFAULT_RING;
	if (case_var(cfg, c, e, n, "dma_ring_size", 1, UINT16_MAX, &u,
			&present, var) < 0)
		ret = -EINVAL;
	else if (present)
		c->ring = (uint16_t)u;

	c->kick_batch = dma ? RTE_MIN(DEFAULT_KICK_BATCH, c->ring) :
		DEFAULT_KICK_BATCH;
	if (case_var(cfg, c, e, n, "kick_batch", 1, UINT16_MAX, &u,
			&present, var) < 0)
		ret = -EINVAL;
	else if (present)
		c->kick_batch = (uint16_t)u;
	if (var->key != NULL && c->nb_sizes > 1 && ret == 0) {
		perf_config_error(cfg, c->name, var->key,
			"varies while buf_size lists several sizes: one variable per case, as upstream's tool has it");
		ret = -EINVAL;
	}

	c->src_sge = 1;
	if (case_uint(cfg, c, e, n, "dma_src_sge", 1, PERF_MAX_SGE, &u,
			&present) < 0)
		ret = -EINVAL;
	else if (present)
		c->src_sge = (uint16_t)u;
	c->dst_sge = 1;
	if (case_uint(cfg, c, e, n, "dma_dst_sge", 1, PERF_MAX_SGE, &u,
			&present) < 0)
		ret = -EINVAL;
	else if (present)
		c->dst_sge = (uint16_t)u;

	if (case_uint(cfg, c, e, n, "src_numa_node", 0, RTE_MAX_NUMA_NODES - 1,
			&u, &present) < 0)
		ret = -EINVAL;
	else if (present)
		c->src_node = (int)u;
	if (case_uint(cfg, c, e, n, "dst_numa_node", 0, RTE_MAX_NUMA_NODES - 1,
			&u, &present) < 0)
		ret = -EINVAL;
	else if (present)
		c->dst_node = (int)u;
	v = entry_get(e, n, "use_enq_deq_ops");
	if (v != NULL && parse_bool(v, &c->use_ops) < 0) {
		perf_config_error(cfg, c->name, "use_enq_deq_ops",
			"'%s' is neither 0 nor 1", v);
		ret = -EINVAL;
	}

	if (load_workers(cfg, c, e, n, w, nb_workers) < 0)
		ret = -EINVAL;
	return ret;
}

/*
 * @p t as it runs with @p value of the varying key, or as it is: the
 * checks that relate keys of one case to each other, with each worker's
 * share of mem_size.
 */
static int
check_scenario(const struct perf_config *cfg, struct perf_case *t,
		const struct variable *var, unsigned int s,
		unsigned int nb_workers)
{
	if (var->key != NULL && strcmp(var->key, "mem_size") == 0)
		t->mem_mib = var->values[s];
	else if (var->key != NULL && strcmp(var->key, "dma_ring_size") == 0)
		t->ring = (uint16_t)var->values[s];
	else if (var->key != NULL)
		t->kick_batch = (uint16_t)var->values[s];
	t->nb_workers = nb_workers;
	return check_case(cfg, t);
}

/*
 * Load section @p name into cases: one per value of its varying key and
 * per worker, the workers of one value next to each other.
 */
static int
load_section(struct perf_config *cfg, const char *name,
		const struct rte_cfgfile_entry *e, int n)
{
	static struct perf_case t;
	static struct worker w[PERF_MAX_WORKERS];
	static struct variable var;
	unsigned int nb_workers, nb_scen, s, k;
	int ret;

	memset(&t, 0, sizeof(t));
	snprintf(t.name, sizeof(t.name), "%s", name);
	t.section = (unsigned int)strtoul(name + strlen(CASE_PREFIX), NULL, 10);
	ret = load_case(cfg, &t, e, n, w, &nb_workers, &var);
	if (ret < 0)
		return ret;
	nb_scen = var.key != NULL ? var.nb : 1;
	for (s = 0; s < nb_scen && !t.skip; s++)
		if (check_scenario(cfg, &t, &var, s, nb_workers) < 0)
			return -EINVAL;
	if (t.skip)
		nb_scen = nb_workers = 1;
	if (cfg->nb_cases + nb_scen * nb_workers > PERF_MAX_CASES) {
		perf_config_error(cfg, name, var.key,
			"%u workers%s make more than the %u cases this program keeps",
			nb_workers, var.key != NULL ? " times the values of a range" : "",
			PERF_MAX_CASES);
		return -EINVAL;
	}
	for (s = 0; s < nb_scen; s++) {
		if (!t.skip)
			check_scenario(cfg, &t, &var, s, nb_workers);
		for (k = 0; k < nb_workers; k++) {
			struct perf_case *c = &cfg->cases[cfg->nb_cases++];
			const struct worker *wk = &w[k];
			size_t len;

			*c = t;
			c->scenario = var.key != NULL ? s + 1 : 0;
			c->worker = k;
			c->nb_workers = nb_workers;
			c->lcore_set = wk->lcore_set;
			c->lcore = wk->lcore;
			memcpy(c->device, wk->device, sizeof(c->device));
			c->dir = wk->dir;
			c->raddr = wk->raddr;
			c->coreid = wk->coreid;
			c->pfid = wk->pfid;
			c->vfid = wk->vfid;
			rte_strscpy(c->dev_key, wk->key[0] != '\0' ? wk->key :
				"device", sizeof(c->dev_key));
			rte_strscpy(c->lcore_key, wk->key[0] != '\0' ? wk->key :
				"lcore", sizeof(c->lcore_key));
			rte_strscpy(c->label, t.name, sizeof(c->label));
			len = strlen(c->label);
			if (c->scenario > 0 && len < sizeof(c->label))
				len += (size_t)snprintf(c->label + len,
					sizeof(c->label) - len, "/s%u",
					c->scenario);
			if (nb_workers > 1 && len < sizeof(c->label))
				snprintf(c->label + len, sizeof(c->label) - len,
					"/w%u", k);
		}
	}
	return 0;
}

/* ---- the file ----------------------------------------------------------- */

/*
 * Line by line, what rte_cfgfile would drop or refuse without saying
 * where: lines that are neither a section, a key=value nor a comment,
 * keys before any section, names and values too long to keep.
 */
static int
lint_file(const struct perf_config *cfg, FILE *f)
{
	char line[CFG_NAME_LEN + CFG_VALUE_LEN + 8];
	bool in_section = false;
	unsigned int lineno = 0;
	int ret = 0;

	while (fgets(line, sizeof(line), f) != NULL) {
		size_t len = strlen(line);
		char *p, *eq;

		lineno++;
		if (len == sizeof(line) - 1 && line[len - 1] != '\n') {
			fprintf(stderr, PERF_NAME ": %s:%u: line longer than %zu characters\n",
				cfg->path, lineno, sizeof(line) - 2);
			return -EINVAL;
		}
		p = strchr(line, ';');
		if (p != NULL)
			*p = '\0';
		p = strip(line);
		if (*p == '\0')
			continue;
		if (*p == '[') {
			len = strlen(p);
			if (p[len - 1] != ']' || len < 3 || len - 2 >= CFG_NAME_LEN) {
				fprintf(stderr, PERF_NAME ": %s:%u: '%s' is not a section header ([NAME], at most %d characters)\n",
					cfg->path, lineno, p, CFG_NAME_LEN - 1);
				ret = -EINVAL;
			}
			in_section = true;
			continue;
		}
		eq = strchr(p, '=');
		if (eq == NULL || eq == p) {
			fprintf(stderr, PERF_NAME ": %s:%u: '%s' is neither [section] nor key=value\n",
				cfg->path, lineno, p);
			ret = -EINVAL;
		} else if (!in_section) {
			fprintf(stderr, PERF_NAME ": %s:%u: key before any section ([GLOBAL] or [caseN] comes first)\n",
				cfg->path, lineno);
			ret = -EINVAL;
		} else if ((size_t)(eq - p) >= CFG_NAME_LEN ||
				strlen(eq + 1) >= CFG_VALUE_LEN) {
			fprintf(stderr, PERF_NAME ": %s:%u: key longer than %d or value longer than %d characters\n",
				cfg->path, lineno, CFG_NAME_LEN - 1,
				CFG_VALUE_LEN - 1);
			ret = -EINVAL;
		}
	}
	return ret;
}

int
perf_config_load(struct perf_config *cfg, const char *path)
{
	static char names_buf[MAX_SECTIONS][CFG_NAME_LEN];
	static struct rte_cfgfile_entry entries[MAX_ENTRIES];
	char *names[MAX_SECTIONS];
	struct rte_cfgfile *f;
	FILE *fp;
	unsigned int nb_active = 0, nb_case_sections = 0;
	int nb_sec, i, j, n, ret = 0;

	cfg->path = path;
	cfg->test_seconds = DEFAULT_TEST_SECONDS;
	fp = fopen(path, "r");
	if (fp == NULL) {
		fprintf(stderr, PERF_NAME ": %s: %s\n", path, strerror(errno));
		return -EINVAL;
	}
	ret = lint_file(cfg, fp);
	fclose(fp);
	if (ret < 0)
		return ret;
	f = rte_cfgfile_load(path, CFG_FLAG_EMPTY_VALUES);
	if (f == NULL) {
		perf_config_error(cfg, NULL, NULL, "rte_cfgfile cannot read it");
		return -EINVAL;
	}

	nb_sec = rte_cfgfile_num_sections(f, "", 0);
	if (nb_sec > MAX_SECTIONS) {
		perf_config_error(cfg, NULL, NULL,
			"%d sections: at most [GLOBAL] and %u cases",
			nb_sec, PERF_MAX_SECTIONS);
		ret = -EINVAL;
		goto close;
	}
	for (i = 0; i < MAX_SECTIONS; i++)
		names[i] = names_buf[i];
	nb_sec = rte_cfgfile_sections(f, names, MAX_SECTIONS);

	for (i = 0; i < nb_sec; i++) {
		char secname[CFG_NAME_LEN];
		bool dup = false;

		for (j = 0; j < i; j++)
			dup = dup || strcmp(names[i], names[j]) == 0;
		if (dup) {
			perf_config_error(cfg, names[i], NULL,
				"section given more than once");
			ret = -EINVAL;
			continue;
		}
		n = rte_cfgfile_section_num_entries_by_index(f, secname, i);
		if (n > MAX_ENTRIES) {
			perf_config_error(cfg, names[i], NULL,
				"%d keys: far more than any section has", n);
			ret = -EINVAL;
			continue;
		}
		n = rte_cfgfile_section_entries_by_index(f, i, secname,
				entries, MAX_ENTRIES);
		if (n < 0) {
			perf_config_error(cfg, names[i], NULL, "unreadable");
			ret = -EINVAL;
			continue;
		}
		if (strcmp(names[i], GLOBAL_SECTION) == 0) {
			if (load_global(cfg, entries, n) < 0)
				ret = -EINVAL;
		} else if (is_case_section(names[i])) {
			unsigned int first = cfg->nb_cases;

			if (++nb_case_sections > PERF_MAX_SECTIONS) {
				perf_config_error(cfg, names[i], NULL,
					"more than %u cases", PERF_MAX_SECTIONS);
				ret = -EINVAL;
				continue;
			}
			if (load_section(cfg, names[i], entries, n) < 0)
				ret = -EINVAL;
			else if (cfg->nb_cases > first &&
					perf_case_active(&cfg->cases[first]))
				nb_active++;
		} else {
			perf_config_error(cfg, names[i], NULL,
				"unknown section (want [GLOBAL] or [caseN], N = 1, 2, ...)");
			ret = -EINVAL;
		}
	}
	if (ret == 0 && nb_active == 0 && !cfg->list_dma) {
		perf_config_error(cfg, NULL, NULL, cfg->nb_cases == 0 ?
			"no [caseN] section: nothing to measure" :
			"every case has skip=1: nothing to measure");
		ret = -EINVAL;
	}
close:
	rte_cfgfile_close(f);
	return ret;
}
