/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-dma-xd authors
 */

/*
 * The admin side: token issue|list|revoke, group list|show.
 *
 * Each command parses its whole command line first (usage errors never
 * touch the broker), then opens one connection and makes one call per
 * entry. The broker decides who may administer (root or its own uid); this
 * side only reports its answer well.
 *
 * A token's secret leaves the broker once, in the reply to TOKEN_ISSUE:
 * it is printed on stdout and wiped from memory at once. Nothing else here
 * ever sees one.
 */

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <uuid/uuid.h>

#include <rte_common.h>

#include "dma_access_app.h"
#include "dma_access_conn.h"
#include "dma_access_proto.h"

/* Every listing reply starts with these two fields: one loop fetches all. */
struct list_head {
	int32_t status;
	uint32_t total;
};

_Static_assert(offsetof(struct dxa_reply_token_list, total) ==
	offsetof(struct list_head, total), "token list head");
_Static_assert(offsetof(struct dxa_reply_group_list, total) ==
	offsetof(struct list_head, total), "group list head");
_Static_assert(offsetof(struct dxa_reply_group_show, total) ==
	offsetof(struct list_head, total), "group show head");
_Static_assert(offsetof(struct dxa_reply_grant_list, total) ==
	offsetof(struct list_head, total), "grant list head");

/*
 * dxa_msg_check() only lets replies with status <= 0 through, so a reply
 * buffer still holding this after a call was never written: the error is
 * the transport's, not the broker's.
 */
#define STATUS_NO_REPLY 1

/* A rate-limited request was not executed: retry it, for about 2 s. */
#define EAGAIN_RETRIES 20
#define EAGAIN_PAUSE_US 100000

struct admin {
	const struct app_ctx *ctx;
	const char *what;  /* "token list": prefixes every message */
	int fd;
};

static int
admin_unreachable(const struct admin *a, int err)
{
	const char *path = a->ctx->socket_path;

	switch (-err) {
	case ENOENT:
		fprintf(stderr, APP_NAME ": %s: no broker at %s (no such socket)\n",
			a->what, path);
		break;
	case ECONNREFUSED:
		fprintf(stderr, APP_NAME ": %s: no broker listening at %s (stale socket)\n",
			a->what, path);
		break;
	case EACCES:
		fprintf(stderr, APP_NAME ": %s: cannot connect to %s: permission denied by the socket or its directory\n",
			a->what, path);
		return APP_EXIT_UNREACHABLE;
	case ENAMETOOLONG:
		return usage_error("%s: socket path too long: %s", a->what,
			path);
	default:
		fprintf(stderr, APP_NAME ": %s: cannot connect to %s: %s\n",
			a->what, path, strerror(-err));
		break;
	}
	if (a->ctx->socket_explicit)
		fprintf(stderr, "Start one with '" APP_NAME " --socket %s daemon'.\n",
			path);
	else
		fprintf(stderr, "Start one with '" APP_NAME " daemon' (as root: 'systemctl start dpdk-dma-access'),\n"
			"or name a running one with --socket or RTE_DMA_ACCESS_SOCKET.\n");
	return APP_EXIT_UNREACHABLE;
}

static int
admin_open(struct admin *a, const struct app_ctx *ctx, const char *what)
{
	a->ctx = ctx;
	a->what = what;
	a->fd = dxa_conn_open(ctx->socket_path);
	if (a->fd < 0)
		return admin_unreachable(a, a->fd);
	return APP_EXIT_OK;
}

static void
admin_close(struct admin *a)
{
	if (a->fd >= 0)
		close(a->fd);
	a->fd = -1;
}

/* Who owns the broker: the owner of its socket, which it bound. */
static void
print_owner_hint(const struct admin *a)
{
	struct passwd *pw;
	struct stat st;

	if (stat(a->ctx->socket_path, &st) != 0)
		return;
	pw = getpwuid(st.st_uid);
	fprintf(stderr, "The broker at %s runs as uid %u%s%s%s; you are uid %u.\n",
		a->ctx->socket_path, (unsigned int)st.st_uid,
		pw != NULL ? " (" : "", pw != NULL ? pw->pw_name : "",
		pw != NULL ? ")" : "", (unsigned int)geteuid());
}

/* The broker answered @status < 0: say what it means. */
static int
admin_refused(const struct admin *a, int status)
{
	switch (-status) {
	case EPERM:
		fprintf(stderr, APP_NAME ": %s: permission denied: only root or the broker's owner may administer\n",
			a->what);
		print_owner_hint(a);
		break;
	case EAGAIN:
		fprintf(stderr, APP_NAME ": %s: the broker is rate-limiting this connection; try again later\n",
			a->what);
		break;
	default:
		fprintf(stderr, APP_NAME ": %s: refused by the broker: %s\n",
			a->what, strerror(-status));
		break;
	}
	return APP_EXIT_REFUSED;
}

/*
 * One request, one reply. Returns APP_EXIT_OK with the broker's *status
 * (the reply body is valid when it is 0), or reports a transport failure
 * and returns APP_EXIT_UNREACHABLE.
 */
static int
admin_call(const struct admin *a, uint16_t type, const void *req,
		size_t req_len, void *reply, size_t reply_len, int *status)
{
	int32_t st;
	int ret, tries = 0;

	for (;;) {
		st = STATUS_NO_REPLY;
		memcpy(reply, &st, sizeof(st));
		ret = dxa_conn_call(a->fd, type, req, req_len, reply, reply_len,
			a->ctx->timeout_ms);
		memcpy(&st, reply, sizeof(st));
		if (st != STATUS_NO_REPLY && ret == -EAGAIN &&
				++tries <= EAGAIN_RETRIES) {
			usleep(EAGAIN_PAUSE_US);
			continue;
		}
		break;
	}
	if (st != STATUS_NO_REPLY) {
		*status = ret;
		return APP_EXIT_OK;
	}
	switch (-ret) {
	case ETIMEDOUT:
		fprintf(stderr, APP_NAME ": %s: the broker at %s did not answer within %d ms\n",
			a->what, a->ctx->socket_path, a->ctx->timeout_ms);
		break;
	case ECONNRESET:
		fprintf(stderr, APP_NAME ": %s: the broker at %s closed the connection (at its connection limit, or another protocol version?)\n",
			a->what, a->ctx->socket_path);
		break;
	case EPROTO:
	case EMSGSIZE:
		fprintf(stderr, APP_NAME ": %s: unexpected reply from the broker at %s (another protocol version?)\n",
			a->what, a->ctx->socket_path);
		break;
	default:
		fprintf(stderr, APP_NAME ": %s: broker at %s: %s\n",
			a->what, a->ctx->socket_path, strerror(-ret));
		break;
	}
	return APP_EXIT_UNREACHABLE;
}

/*
 * Fetch every entry of a listing: @req is sent with *@index = 0, 1, ...
 * until the broker's total (or -ENOENT, if the table shrank meanwhile).
 * On APP_EXIT_OK, *@entries is a malloc'ed array of *@nb replies of
 * @reply_len bytes each. A broker refusal is reported, except -ENOENT for
 * the first entry, which gives an empty list.
 */
static int
admin_list(const struct admin *a, uint16_t type, void *req, size_t req_len,
		uint32_t *index, size_t reply_len, void **entries, uint32_t *nb)
{
	uint8_t reply[DXA_MSG_MAX];
	struct list_head head;
	uint8_t *v = NULL, *nv;
	uint32_t cap = 0;
	int status, ret;

	*nb = 0;
	for (*index = 0;; (*index)++) {
		ret = admin_call(a, type, req, req_len, reply, reply_len,
			&status);
		if (ret != APP_EXIT_OK)
			goto fail;
		if (status == -ENOENT)
			break;
		if (status != 0) {
			ret = admin_refused(a, status);
			goto fail;
		}
		if (*nb == cap) {
			cap = cap == 0 ? 16 : cap * 2;
			nv = realloc(v, (size_t)cap * reply_len);
			if (nv == NULL) {
				fprintf(stderr, APP_NAME ": %s: out of memory\n",
					a->what);
				ret = APP_EXIT_REFUSED;
				goto fail;
			}
			v = nv;
		}
		memcpy(v + (size_t)*nb * reply_len, reply, reply_len);
		(*nb)++;
		memcpy(&head, reply, sizeof(head));
		if (*index + 1 >= head.total)
			break;
	}
	*entries = v;
	return APP_EXIT_OK;
fail:
	free(v);
	return ret;
}

/* ---- output ---- */

#define TABLE_MAX_COLS 9
#define CELL_LEN 96

/*
 * Print a table: a header and one row per entry, columns as wide as their
 * widest cell. @fmt fills the cells of one entry; it runs twice per entry
 * (measure, then print) so no cell is kept.
 */
static void
table_print(const char *const *head, unsigned int nb_cols,
		const void *entries, size_t entry_size, uint32_t nb,
		void (*fmt)(const void *entry, char cells[][CELL_LEN]))
{
	char cells[TABLE_MAX_COLS][CELL_LEN];
	size_t width[TABLE_MAX_COLS];
	unsigned int c;
	uint32_t i;

	for (c = 0; c < nb_cols; c++)
		width[c] = strlen(head[c]);
	for (i = 0; i < nb; i++) {
		fmt((const uint8_t *)entries + i * entry_size, cells);
		for (c = 0; c < nb_cols; c++)
			width[c] = RTE_MAX(width[c], strlen(cells[c]));
	}
	for (c = 0; c < nb_cols; c++)
		printf("%-*s%s", c + 1 < nb_cols ? (int)width[c] : 0, head[c],
			c + 1 < nb_cols ? "  " : "\n");
	for (i = 0; i < nb; i++) {
		fmt((const uint8_t *)entries + i * entry_size, cells);
		for (c = 0; c < nb_cols; c++)
			printf("%-*s%s", c + 1 < nb_cols ? (int)width[c] : 0,
				cells[c], c + 1 < nb_cols ? "  " : "\n");
	}
}

static void
uuid_text(const uint8_t u[DXA_UUID_LEN], char out[37])
{
	uuid_unparse_lower(u, out);
}

/* Local time for people; JSON carries the seconds since the epoch. */
static void
time_text(uint64_t t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if ((uint64_t)tt != t || localtime_r(&tt, &tm) == NULL ||
			strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm) == 0)
		snprintf(buf, len, "%" PRIu64, t);
}

/* "any" for an empty list, else "1000,1001". */
static void
ids_text(const uint32_t *ids, unsigned int nb, char *buf, size_t len)
{
	size_t off = 0;
	unsigned int i;

	if (nb == 0) {
		snprintf(buf, len, "any");
		return;
	}
	buf[0] = '\0';
	for (i = 0; i < nb && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%u",
			i == 0 ? "" : ",", ids[i]);
}

static void
ids_json(const uint32_t *ids, unsigned int nb)
{
	unsigned int i;

	putchar('[');
	for (i = 0; i < nb; i++)
		printf("%s%u", i == 0 ? "" : ", ", ids[i]);
	putchar(']');
}

/* stdout must have taken everything, or the caller must know. */
static int
output_flush(const char *what)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, APP_NAME ": %s: cannot write the output: %s\n",
			what, strerror(errno));
		return APP_EXIT_REFUSED;
	}
	return APP_EXIT_OK;
}

/* ---- command lines ---- */

/*
 * Parse the command line of a subcommand that has no option but --help and
 * takes exactly @nb_pos arguments (0 or 1, called @pos_name). Returns
 * APP_EXIT_OK with *@pos set (or NULL), or an exit code; *@help tells that
 * the help was printed instead.
 */
static int
parse_plain(const char *what, const char *topic, int argc, char **argv,
		int nb_pos, const char *pos_name, const char **pos, bool *help)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	*help = false;
	*pos = NULL;
	while ((c = getopt_long(argc, argv, "+:h", opts, NULL)) != -1) {
		if (c != 'h')
			return usage_bad_option(c, argv);
		usage_print(topic);
		*help = true;
		return APP_EXIT_OK;
	}
	if (nb_pos > 0 && optind >= argc)
		return usage_error("%s: missing %s", what,
			pos_name != NULL ? pos_name : "argument");
	if (argc - optind > nb_pos)
		return usage_error("%s: unexpected argument '%s'", what,
			argv[optind + nb_pos]);
	if (nb_pos > 0)
		*pos = argv[optind];
	return APP_EXIT_OK;
}

/* A listing without arguments: "token list", "group list", "grant list". */
struct listing {
	const char *what;       /* the command, for messages */
	const char *topic;      /* its help topic */
	uint16_t type;          /* the request, one entry per index */
	size_t entry_size;      /* its reply */
	const char *empty;      /* what an empty table says */
	const char *const *head; /* the table's column titles */
	unsigned int nb_cols;
	void (*row)(const void *entry, char cells[][CELL_LEN]);
	void (*json)(const void *entry); /* one JSON object, no newline */
};

/*
 * Parse, ask the broker for every entry, print them as a table or (with
 * --json) a JSON array. Returns an exit status.
 */
static int
admin_listing(const struct app_ctx *ctx, int argc, char **argv,
		const struct listing *l)
{
	struct dxa_list_req req;
	struct admin a;
	const char *pos;
	void *entries;
	uint32_t nb, i;
	bool help;
	int ret;

	ret = parse_plain(l->what, l->topic, argc, argv, 0, NULL, &pos, &help);
	if (ret != APP_EXIT_OK || help)
		return ret;
	ret = admin_open(&a, ctx, l->what);
	if (ret != APP_EXIT_OK)
		return ret;
	memset(&req, 0, sizeof(req));
	ret = admin_list(&a, l->type, &req, sizeof(req), &req.index,
		l->entry_size, &entries, &nb);
	admin_close(&a);
	if (ret != APP_EXIT_OK)
		return ret;
	if (ctx->json) {
		printf("[");
		for (i = 0; i < nb; i++) {
			printf("%s\n  ", i == 0 ? "" : ",");
			l->json((const uint8_t *)entries + i * l->entry_size);
		}
		printf("%s]\n", nb == 0 ? "" : "\n");
	} else if (nb == 0) {
		printf("%s\n", l->empty);
	} else {
		table_print(l->head, l->nb_cols, entries, l->entry_size, nb,
			l->row);
	}
	free(entries);
	return output_flush(l->what);
}

/* ---- token ---- */

static int
add_id(const char *opt, const char *arg, uint32_t *ids, uint8_t *nb,
		int (*parse)(const char *, uint32_t *), const char *kind)
{
	uint32_t id;
	unsigned int i;
	int ret;

	ret = parse(arg, &id);
	if (ret == -ENOENT)
		return usage_error("%s: no %s named '%s'", opt, kind, arg);
	if (ret != 0)
		return usage_error("%s: '%s' is neither a %s name nor a number below 4294967295",
			opt, arg, kind);
	for (i = 0; i < *nb; i++)
		if (ids[i] == id)
			return APP_EXIT_OK;
	if (*nb == DXA_POLICY_MAX_IDS)
		return usage_error("%s: at most %u of them per token", opt,
			DXA_POLICY_MAX_IDS);
	ids[(*nb)++] = id;
	return APP_EXIT_OK;
}

static int
token_issue(const struct app_ctx *ctx, int argc, char **argv)
{
	enum { OPT_UID = 256, OPT_GID, OPT_TTL, OPT_MAX_MEMBERS, OPT_CLASS };
	static const struct option opts[] = {
		{ "uid", required_argument, NULL, OPT_UID },
		{ "gid", required_argument, NULL, OPT_GID },
		{ "ttl", required_argument, NULL, OPT_TTL },
		{ "max-members", required_argument, NULL, OPT_MAX_MEMBERS },
		{ "class", required_argument, NULL, OPT_CLASS },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct dxa_token_issue req;
	struct dxa_reply_token_issue rep;
	struct dxa_token_revoke undo;
	struct dxa_reply_group undo_rep;
	char id[37], secret[37];
	struct admin a;
	uint64_t ttl = 0;
	int c, ret, status;

	memset(&req, 0, sizeof(req));
	while ((c = getopt_long(argc, argv, "+:h", opts, NULL)) != -1) {
		switch (c) {
		case OPT_UID:
			ret = add_id("--uid", optarg, req.policy.uids,
				&req.policy.nb_uids, parse_uid, "user");
			if (ret != APP_EXIT_OK)
				return ret;
			break;
		case OPT_GID:
			ret = add_id("--gid", optarg, req.policy.gids,
				&req.policy.nb_gids, parse_gid, "group");
			if (ret != APP_EXIT_OK)
				return ret;
			break;
		case OPT_TTL:
			ret = parse_duration(optarg, &ttl);
			if (ret == -ERANGE)
				return usage_error("--ttl: '%s' is out of range (1s to 36500d)",
					optarg);
			if (ret != 0)
				return usage_error("--ttl: '%s' is not a duration such as 30s, 15m, 2h, 7d or a number of seconds",
					optarg);
			break;
		case OPT_MAX_MEMBERS:
			if (parse_u32(optarg, 0, UINT32_MAX,
					&req.policy.max_members) != 0)
				return usage_error("--max-members: '%s' is not a number",
					optarg);
			break;
		case OPT_CLASS:
			if (parse_class(optarg, &req.policy.dev_class) != 0)
				return usage_error("--class: '%s' is not any, A or B",
					optarg);
			break;
		case 'h':
			usage_print("token");
			return APP_EXIT_OK;
		default:
			return usage_bad_option(c, argv);
		}
	}
	if (optind < argc)
		return usage_error("token issue: unexpected argument '%s'",
			argv[optind]);
	if (ttl != 0)
		req.policy.expires = (uint64_t)time(NULL) + ttl;

	ret = admin_open(&a, ctx, "token issue");
	if (ret != APP_EXIT_OK)
		return ret;
	ret = admin_call(&a, DXA_TOKEN_ISSUE, &req, sizeof(req), &rep,
		sizeof(rep), &status);
	if (ret != APP_EXIT_OK)
		goto out;
	if (status == -ENOSPC) {
		fprintf(stderr, APP_NAME ": token issue: no space: the broker's token table is full, or its token file cannot be written\n");
		ret = APP_EXIT_REFUSED;
		goto out;
	}
	if (status != 0) {
		ret = admin_refused(&a, status);
		goto out;
	}
	uuid_text(rep.token_id, id);
	uuid_text(rep.secret, secret);
	if (ctx->json)
		printf("{\"id\": \"%s\", \"token\": \"%s\"}\n", id, secret);
	else
		printf("%s\nid: %s\n", secret, id);
	ret = output_flush(a.what);
	explicit_bzero(secret, sizeof(secret));
	explicit_bzero(&rep.secret, sizeof(rep.secret));
	if (ret != APP_EXIT_OK) {
		/* Nobody got the secret: a token nobody can use must not stay. */
		memcpy(undo.token_id, rep.token_id, sizeof(undo.token_id));
		if (admin_call(&a, DXA_TOKEN_REVOKE, &undo, sizeof(undo),
				&undo_rep, sizeof(undo_rep), &status) ==
				APP_EXIT_OK && status == 0)
			fprintf(stderr, APP_NAME ": token issue: token %s revoked again\n",
				id);
		else
			fprintf(stderr, APP_NAME ": token issue: token %s was issued; revoke it\n",
				id);
	}
out:
	admin_close(&a);
	return ret;
}

static void
token_row(const void *entry, char cells[][CELL_LEN])
{
	const struct dxa_reply_token_list *t = entry;
	const struct dxa_policy *p = &t->policy;
	char when[64];

	uuid_text(t->token_id, cells[0]);
	snprintf(cells[1], CELL_LEN, "%s", class_name(p->dev_class));
	ids_text(p->uids, p->nb_uids, cells[2], CELL_LEN);
	ids_text(p->gids, p->nb_gids, cells[3], CELL_LEN);
	if (p->max_members == 0)
		snprintf(cells[4], CELL_LEN, "unlimited");
	else
		snprintf(cells[4], CELL_LEN, "%u", p->max_members);
	snprintf(cells[5], CELL_LEN, "%u", t->members);
	snprintf(cells[6], CELL_LEN, "%" PRIu64, t->uses);
	time_text(t->created, cells[7], CELL_LEN);
	if (p->expires == 0) {
		snprintf(cells[8], CELL_LEN, "never");
	} else {
		time_text(p->expires, when, sizeof(when));
		snprintf(cells[8], CELL_LEN, "%s%s", when,
			p->expires <= (uint64_t)time(NULL) ? " (expired)" : "");
	}
}

static void
token_json(const void *entry)
{
	const struct dxa_reply_token_list *t = entry;
	const struct dxa_policy *p = &t->policy;
	uint64_t now = (uint64_t)time(NULL);
	char id[37];

	uuid_text(t->token_id, id);
	printf("{\"id\": \"%s\", \"class\": \"%s\", \"uids\": ", id,
		class_name(p->dev_class));
	ids_json(p->uids, p->nb_uids);
	printf(", \"gids\": ");
	ids_json(p->gids, p->nb_gids);
	printf(", \"max_members\": %u, \"members\": %u, \"uses\": %" PRIu64
		", \"created\": %" PRIu64 ", ", p->max_members, t->members,
		t->uses, t->created);
	if (p->expires == 0)
		printf("\"expires\": null, \"expired\": false}");
	else
		printf("\"expires\": %" PRIu64 ", \"expired\": %s}", p->expires,
			p->expires <= now ? "true" : "false");
}

static int
token_revoke(const struct app_ctx *ctx, int argc, char **argv)
{
	struct dxa_token_revoke req;
	struct dxa_reply_group rep;
	struct admin a;
	const char *pos;
	char id[37];
	int ret, status;
	bool help;

	ret = parse_plain("token revoke", "token", argc, argv, 1,
		"token ID (see 'token list')", &pos, &help);
	if (ret != APP_EXIT_OK || help)
		return ret;
	if (uuid_parse(pos, req.token_id) != 0)
		return usage_error("token revoke: '%s' is not a token ID (a UUID, as 'token list' prints)",
			pos);
	uuid_text(req.token_id, id);
	ret = admin_open(&a, ctx, "token revoke");
	if (ret != APP_EXIT_OK)
		return ret;
	ret = admin_call(&a, DXA_TOKEN_REVOKE, &req, sizeof(req), &rep,
		sizeof(rep), &status);
	if (ret != APP_EXIT_OK)
		goto out;
	if (status == -ENOENT) {
		fprintf(stderr, APP_NAME ": token revoke: no token with id %s\n",
			id);
		ret = APP_EXIT_REFUSED;
	} else if (status != 0) {
		ret = admin_refused(&a, status);
	} else {
		if (ctx->json)
			printf("{\"id\": \"%s\", \"revoked\": true}\n", id);
		else
			printf("revoked %s\n", id);
		ret = output_flush(a.what);
	}
out:
	admin_close(&a);
	return ret;
}

static const char *const token_head[] = { "ID", "CLASS", "UIDS", "GIDS",
	"MAX-MEMBERS", "MEMBERS", "USES", "CREATED", "EXPIRES" };

static const struct listing token_listing = {
	.what = "token list", .topic = "token", .type = DXA_TOKEN_LIST,
	.entry_size = sizeof(struct dxa_reply_token_list),
	.empty = "no tokens", .head = token_head,
	.nb_cols = RTE_DIM(token_head), .row = token_row, .json = token_json,
};

int
cmd_token(const struct app_ctx *ctx, int argc, char **argv)
{
	if (argc < 2)
		return usage_error("token: missing subcommand (issue, list or revoke)");
	if (strcmp(argv[1], "issue") == 0)
		return token_issue(ctx, argc - 1, argv + 1);
	if (strcmp(argv[1], "list") == 0)
		return admin_listing(ctx, argc - 1, argv + 1, &token_listing);
	if (strcmp(argv[1], "revoke") == 0)
		return token_revoke(ctx, argc - 1, argv + 1);
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage_print("token");
		return APP_EXIT_OK;
	}
	return usage_error("token: unknown subcommand '%s' (issue, list or revoke)",
		argv[1]);
}

/* ---- group ---- */

static void
group_row(const void *entry, char cells[][CELL_LEN])
{
	const struct dxa_reply_group_list *g = entry;

	snprintf(cells[0], CELL_LEN, "%d", g->group_id);
	snprintf(cells[1], CELL_LEN, "%u", g->nb_members);
	uuid_text(g->token_id, cells[2]);
	time_text(g->created, cells[3], CELL_LEN);
}

static void
group_json(const void *entry)
{
	const struct dxa_reply_group_list *g = entry;
	char id[37];

	uuid_text(g->token_id, id);
	printf("{\"id\": %d, \"members\": %u, \"token_id\": \"%s\", \"created\": %" PRIu64 "}",
		g->group_id, g->nb_members, id, g->created);
}

static const char *const group_head[] = { "GROUP", "MEMBERS", "TOKEN-ID",
	"CREATED" };

static const struct listing group_listing = {
	.what = "group list", .topic = "group", .type = DXA_GROUP_LIST,
	.entry_size = sizeof(struct dxa_reply_group_list),
	.empty = "no groups", .head = group_head,
	.nb_cols = RTE_DIM(group_head), .row = group_row, .json = group_json,
};

static void
member_row(const void *entry, char cells[][CELL_LEN])
{
	const struct dxa_reply_group_show *m = entry;

	uuid_text(m->domain_id, cells[0]);
	snprintf(cells[1], CELL_LEN, "%d", m->pid);
	snprintf(cells[2], CELL_LEN, "%u", m->uid);
	snprintf(cells[3], CELL_LEN, "%u", m->gid);
	snprintf(cells[4], CELL_LEN, "%u", m->handler);
	snprintf(cells[5], CELL_LEN, "%s", m->creator ? "creator" : "joiner");
	snprintf(cells[6], CELL_LEN, "%s", member_class_name(m->dev_class));
}

static int
group_show(const struct app_ctx *ctx, int argc, char **argv)
{
	static const char *const head[] = { "DOMAIN", "PID", "UID", "GID",
		"HANDLER", "ROLE", "CLASS" };
	struct dxa_reply_group_show *v;
	struct dxa_group_show req;
	struct admin a;
	const char *pos;
	void *entries;
	uint32_t gid, nb, i;
	char id[37];
	bool help;
	int ret;

	ret = parse_plain("group show", "group", argc, argv, 1,
		"group ID (see 'group list')", &pos, &help);
	if (ret != APP_EXIT_OK || help)
		return ret;
	if (parse_u32(pos, 0, INT16_MAX, &gid) != 0)
		return usage_error("group show: '%s' is not a group ID (0 to %d)",
			pos, INT16_MAX);
	ret = admin_open(&a, ctx, "group show");
	if (ret != APP_EXIT_OK)
		return ret;
	memset(&req, 0, sizeof(req));
	req.group_id = (int16_t)gid;
	ret = admin_list(&a, DXA_GROUP_SHOW, &req, sizeof(req), &req.index,
		sizeof(*v), &entries, &nb);
	admin_close(&a);
	if (ret != APP_EXIT_OK)
		return ret;
	v = entries;
	/* A group has its creator as long as it exists. */
	if (nb == 0) {
		fprintf(stderr, APP_NAME ": group show: no group %u\n", gid);
		return APP_EXIT_REFUSED;
	}
	if (ctx->json) {
		printf("{\"id\": %u, \"members\": [", gid);
		for (i = 0; i < nb; i++) {
			uuid_text(v[i].domain_id, id);
			printf("%s\n  {\"domain\": \"%s\", \"pid\": %d, \"uid\": %u, \"gid\": %u, \"handler\": %u, \"role\": \"%s\", \"class\": \"%s\"}",
				i == 0 ? "" : ",", id, v[i].pid, v[i].uid,
				v[i].gid, v[i].handler,
				v[i].creator ? "creator" : "joiner",
				member_class_name(v[i].dev_class));
		}
		printf("\n]}\n");
	} else {
		table_print(head, RTE_DIM(head), v, sizeof(*v), nb, member_row);
	}
	free(v);
	return output_flush(a.what);
}

/* ---- grant ---- */

static const char *
perm_text(uint32_t perm)
{
	return perm == DXA_PERM_ALL ? "rw" : perm == DXA_PERM_READ ? "r" :
		perm == DXA_PERM_WRITE ? "w" : "-";
}

static void
grant_row(const void *entry, char cells[][CELL_LEN])
{
	const struct dxa_reply_grant_list *g = entry;

	snprintf(cells[0], CELL_LEN, "%u", g->handler);
	uuid_text(g->owner, cells[1]);
	snprintf(cells[2], CELL_LEN, "%d", g->owner_pid);
	uuid_text(g->grantee, cells[3]);
	snprintf(cells[4], CELL_LEN, "%" PRIu64, g->len);
	snprintf(cells[5], CELL_LEN, "%s", perm_text(g->perm));
	snprintf(cells[6], CELL_LEN, "%s", g->attached ? "yes" : "no");
}

static void
grant_json(const void *entry)
{
	const struct dxa_reply_grant_list *g = entry;
	char owner[37], grantee[37];

	uuid_text(g->owner, owner);
	uuid_text(g->grantee, grantee);
	printf("{\"handler\": %u, \"owner\": \"%s\", \"owner_pid\": %d, \"owner_uid\": %u, \"grantee\": \"%s\", \"bytes\": %" PRIu64 ", \"perm\": \"%s\", \"attached\": %s}",
		g->handler, owner, g->owner_pid, g->owner_uid, grantee, g->len,
		perm_text(g->perm), g->attached ? "true" : "false");
}

static const char *const grant_head[] = { "HANDLER", "OWNER", "OWNER-PID",
	"GRANTEE", "BYTES", "PERM", "ATTACHED" };

static const struct listing grant_listing = {
	.what = "grant list", .topic = "grant", .type = DXA_GRANT_LIST,
	.entry_size = sizeof(struct dxa_reply_grant_list),
	.empty = "no grants", .head = grant_head,
	.nb_cols = RTE_DIM(grant_head), .row = grant_row, .json = grant_json,
};

int
cmd_grant(const struct app_ctx *ctx, int argc, char **argv)
{
	if (argc < 2)
		return usage_error("grant: missing subcommand (list)");
	if (strcmp(argv[1], "list") == 0)
		return admin_listing(ctx, argc - 1, argv + 1, &grant_listing);
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage_print("grant");
		return APP_EXIT_OK;
	}
	return usage_error("grant: unknown subcommand '%s' (list)", argv[1]);
}

int
cmd_group(const struct app_ctx *ctx, int argc, char **argv)
{
	if (argc < 2)
		return usage_error("group: missing subcommand (list or show)");
	if (strcmp(argv[1], "list") == 0)
		return admin_listing(ctx, argc - 1, argv + 1, &group_listing);
	if (strcmp(argv[1], "show") == 0)
		return group_show(ctx, argc - 1, argv + 1);
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage_print("group");
		return APP_EXIT_OK;
	}
	return usage_error("group: unknown subcommand '%s' (list or show)",
		argv[1]);
}
