/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-dma-xd authors
 */

/*
 * Contract tests of the broker's token table (dma_access_tokens.h): what
 * it refuses to load, how it fails, then what it keeps, writes and admits.
 *
 * No EAL: the table is plain C. Each test gets its own directory under
 * /tmp (made in setup, removed in teardown whatever the test did to it).
 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include <rte_common.h>
#include <rte_log.h>
#include <uuid/uuid.h>

#include "dma_access_tokens.h"

#define HDR "dpdk-dma-access tokens 1\n"
#define ID1 "6ba7b810-9dad-41d1-80b4-00c04fd430c8"
#define SEC1 "0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9"
#define ID2 "1b4e28ba-2fa1-41d2-883f-0016d3cca427"
#define SEC2 "9a3c1e52-77d0-4c4b-b0a1-3f6e2d8c5b7a"
/* A complete, valid token line: the malformed cases are edits of it. */
#define LINE1 "id=" ID1 " secret=" SEC1 " created=1700000000 uses=3" \
	" expires=0 max_members=2 class=1 uids=0,1000 gids=-\n"
#define LINE2 "id=" ID2 " secret=" SEC2 " created=1 uses=0" \
	" expires=18446744073709551615 max_members=4294967295 class=2" \
	" uids=- gids=1,2,3,4,5,6,7,4294967295\n"

struct tdir {
	char dir[64];      /* mkdtemp() */
	char path[96];     /* dir/tokens */
	char moved[96];    /* where a test may move dir to */
};

/* ---- Fixture and helpers -------------------------------------------- */

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	RTE_SET_USED(st);
	RTE_SET_USED(flag);
	RTE_SET_USED(ftw);
	return remove(path);
}

static void
rm_tree(const char *dir)
{
	struct stat st;

	if (lstat(dir, &st) != 0)
		return;
	chmod(dir, 0700);
	nftw(dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}

static int
setup_dir(void **state)
{
	struct tdir *d = calloc(1, sizeof(*d));

	if (d == NULL)
		return -1;
	strcpy(d->dir, "/tmp/dxa-tokens-XXXXXX");
	if (mkdtemp(d->dir) == NULL) {
		free(d);
		return -1;
	}
	snprintf(d->path, sizeof(d->path), "%s/tokens", d->dir);
	snprintf(d->moved, sizeof(d->moved), "%s.moved", d->dir);
	*state = d;
	return 0;
}

static int
teardown_dir(void **state)
{
	struct tdir *d = *state;

	rm_tree(d->moved);
	rm_tree(d->dir);
	free(d);
	return 0;
}

static void
write_text(const char *path, const char *text, size_t len, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	assert_true(fd >= 0);
	assert_int_equal(fchmod(fd, mode), 0);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	assert_int_equal(close(fd), 0);
}

static void
write_str(const char *path, const char *text)
{
	write_text(path, text, strlen(text), 0600);
}

/* The whole file, NUL-terminated; the caller frees it. */
static char *
read_text(const char *path)
{
	FILE *f = fopen(path, "re");
	char *buf = NULL;
	size_t len = 0;
	size_t n;
	char chunk[4096];

	assert_non_null(f);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		buf = realloc(buf, len + n + 1);
		assert_non_null(buf);
		memcpy(buf + len, chunk, n);
		len += n;
	}
	fclose(f);
	if (buf == NULL)
		buf = calloc(1, 1);
	else
		buf[len] = '\0';
	return buf;
}

/* Entries of @dir other than . and .. (a leaked temp file shows here). */
static unsigned int
dir_entries(const char *dir)
{
	DIR *dp = opendir(dir);
	struct dirent *e;
	unsigned int n = 0;

	assert_non_null(dp);
	while ((e = readdir(dp)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			n++;
	closedir(dp);
	return n;
}

static void
uuid_from(const char *text, uint8_t out[DXA_UUID_LEN])
{
	assert_int_equal(uuid_parse(text, out), 0);
}

static void
assert_empty(const struct dxa_token_store *s)
{
	assert_int_equal(s->nb, 0);
	assert_null(s->tokens);
	assert_null(s->path);
}

static void
expect_open(const char *path, int expected)
{
	struct dxa_token_store s;

	memset(&s, 0xa5, sizeof(s));
	assert_int_equal(dxa_tokens_open(&s, path), expected);
	if (expected != 0)
		assert_empty(&s);
	dxa_tokens_close(&s);
}

/* A policy a real admin could issue: uids 0 and 1000, group 27, class B. */
static struct dxa_policy
policy_rich(void)
{
	struct dxa_policy p = {
		.expires = UINT64_MAX,
		.max_members = 4,
		.dev_class = DXA_CLASS_B,
		.nb_uids = 2,
		.nb_gids = 1,
		.uids = { 0, 1000 },
		.gids = { 27 },
	};

	return p;
}

/* ---- Refused files ---------------------------------------------------- */

static void
test_open_refuses_mode(void **state)
{
	static const mode_t refused[] = {
		0644, 0640, 0604, 0660, 0610, 0601, 0602, 0620,
	};
	struct tdir *d = *state;
	unsigned int i;

	for (i = 0; i < RTE_DIM(refused); i++) {
		write_text(d->path, HDR LINE1, strlen(HDR LINE1), refused[i]);
		expect_open(d->path, -EPERM);
	}
	/* Stricter than 0600 is fine. */
	write_text(d->path, HDR LINE1, strlen(HDR LINE1), 0400);
	expect_open(d->path, 0);
}

static void
test_open_refuses_symlink(void **state)
{
	struct tdir *d = *state;
	char target[128];

	snprintf(target, sizeof(target), "%s/real", d->dir);
	write_str(target, HDR LINE1);
	assert_int_equal(symlink(target, d->path), 0);
	expect_open(d->path, -EPERM);
	/* A dangling one is not "missing". */
	assert_int_equal(unlink(target), 0);
	expect_open(d->path, -EPERM);
}

static void
test_open_refuses_not_regular(void **state)
{
	struct tdir *d = *state;

	assert_int_equal(mkdir(d->path, 0700), 0);
	expect_open(d->path, -EPERM);
	assert_int_equal(rmdir(d->path), 0);
	/* Would block a plain open() for reading. */
	assert_int_equal(mkfifo(d->path, 0600), 0);
	expect_open(d->path, -EPERM);
}

static void
test_open_refuses_other_owner(void **state)
{
	struct tdir *d = *state;

	if (geteuid() != 0) {
		print_message("  skip reason: chown to another uid needs root\n");
		skip();
	}
	write_str(d->path, HDR LINE1);
	assert_int_equal(chown(d->path, 65534, 65534), 0);
	expect_open(d->path, -EPERM);
	/* Same uid, other group: still ours. */
	assert_int_equal(chown(d->path, 0, 65534), 0);
	expect_open(d->path, 0);
}

static void
test_open_refuses_malformed(void **state)
{
	static const struct {
		const char *what;
		const char *text;
	} cases[] = {
		{ "empty file", "" },
		{ "other version", "dpdk-dma-access tokens 2\n" LINE1 },
		{ "version line unterminated", "dpdk-dma-access tokens 1" },
		{ "version line with space", "dpdk-dma-access tokens 1 \n" },
		{ "no version line", LINE1 },
		{ "truncated last line", HDR LINE1
			"id=" ID2 " secret=" SEC2 " created=1 uses=0" },
		{ "missing final newline", HDR "id=" ID1 " secret=" SEC1
			" created=1700000000 uses=3 expires=0 max_members=2"
			" class=1 uids=0,1000 gids=-" },
		{ "blank line", HDR LINE1 "\n" },
		{ "bad uuid (not hex)", HDR "id=6ba7b810-9dad-41d1-80b4-00c04fd430cz"
			" secret=" SEC1 " created=1 uses=0 expires=0 max_members=0"
			" class=0 uids=- gids=-\n" },
		{ "bad uuid (short)", HDR "id=6ba7b810-9dad-41d1-80b4-00c04fd430c"
			" secret=" SEC1 " created=1 uses=0 expires=0 max_members=0"
			" class=0 uids=- gids=-\n" },
		{ "bad uuid (no dashes)", HDR "id=6ba7b8109dad41d180b400c04fd430c8"
			" secret=" SEC1 " created=1 uses=0 expires=0 max_members=0"
			" class=0 uids=- gids=-\n" },
		{ "uuid not canonical (upper case)", HDR "id=" ID1
			" secret=0F1E2D3C-4B5A-4978-8695-A4B3C2D1E0F9 created=1"
			" uses=0 expires=0 max_members=0 class=0 uids=- gids=-\n" },
		{ "extra field", HDR "id=" ID1 " secret=" SEC1 " created=1 uses=0"
			" expires=0 max_members=0 class=0 uids=- gids=- x=1\n" },
		{ "trailing space", HDR "id=" ID1 " secret=" SEC1 " created=1"
			" uses=0 expires=0 max_members=0 class=0 uids=- gids=- \n" },
		{ "double space", HDR "id=" ID1 "  secret=" SEC1 " created=1"
			" uses=0 expires=0 max_members=0 class=0 uids=- gids=-\n" },
		{ "missing field", HDR "id=" ID1 " secret=" SEC1 " created=1"
			" uses=0 expires=0 max_members=0 class=0 uids=-\n" },
		{ "fields swapped", HDR "secret=" SEC1 " id=" ID1 " created=1"
			" uses=0 expires=0 max_members=0 class=0 uids=- gids=-\n" },
		{ "leading zero", HDR "id=" ID1 " secret=" SEC1 " created=01"
			" uses=0 expires=0 max_members=0 class=0 uids=- gids=-\n" },
		{ "sign", HDR "id=" ID1 " secret=" SEC1 " created=+1"
			" uses=0 expires=0 max_members=0 class=0 uids=- gids=-\n" },
		{ "negative", HDR "id=" ID1 " secret=" SEC1 " created=1"
			" uses=-1 expires=0 max_members=0 class=0 uids=- gids=-\n" },
		{ "u64 overflow", HDR "id=" ID1 " secret=" SEC1 " created=1"
			" uses=0 expires=18446744073709551616 max_members=0"
			" class=0 uids=- gids=-\n" },
		{ "u32 overflow", HDR "id=" ID1 " secret=" SEC1 " created=1"
			" uses=0 expires=0 max_members=4294967296 class=0"
			" uids=- gids=-\n" },
		{ "unknown class", HDR "id=" ID1 " secret=" SEC1 " created=1"
			" uses=0 expires=0 max_members=0 class=3 uids=- gids=-\n" },
		{ "empty value", HDR "id=" ID1 " secret=" SEC1 " created="
			" uses=0 expires=0 max_members=0 class=0 uids=- gids=-\n" },
		{ "empty list", HDR "id=" ID1 " secret=" SEC1 " created=1"
			" uses=0 expires=0 max_members=0 class=0 uids= gids=-\n" },
		{ "list with empty element", HDR "id=" ID1 " secret=" SEC1
			" created=1 uses=0 expires=0 max_members=0 class=0"
			" uids=1,,2 gids=-\n" },
		{ "list with trailing comma", HDR "id=" ID1 " secret=" SEC1
			" created=1 uses=0 expires=0 max_members=0 class=0"
			" uids=1, gids=-\n" },
		{ "list too long", HDR "id=" ID1 " secret=" SEC1 " created=1"
			" uses=0 expires=0 max_members=0 class=0"
			" uids=1,2,3,4,5,6,7,8,9 gids=-\n" },
		{ "duplicate id", HDR LINE1 "id=" ID1 " secret=" SEC2
			" created=1 uses=0 expires=0 max_members=0 class=0"
			" uids=- gids=-\n" },
		{ "duplicate secret", HDR LINE1 "id=" ID2 " secret=" SEC1
			" created=1 uses=0 expires=0 max_members=0 class=0"
			" uids=- gids=-\n" },
		{ "good line, then a bad one", HDR LINE1 LINE2 "garbage\n" },
	};
	/* A NUL is not text, wherever it is. */
	static const char nul_line[] = HDR "id=" ID1 " secret=" SEC1
		" created=1\0 uses=0 expires=0 max_members=0 class=0"
		" uids=- gids=-\n";
	struct tdir *d = *state;
	unsigned int i;

	/* The baseline is valid: each case fails for its own reason. */
	write_str(d->path, HDR LINE1 LINE2);
	expect_open(d->path, 0);
	for (i = 0; i < RTE_DIM(cases); i++) {
		print_message("  case: %s\n", cases[i].what);
		write_str(d->path, cases[i].text);
		expect_open(d->path, -EBADMSG);
	}
	write_text(d->path, nul_line, sizeof(nul_line) - 1, 0600);
	expect_open(d->path, -EBADMSG);
}

/* Token lines with ids and secrets made from @i. */
static void
table_text(const char *path, unsigned int nb)
{
	size_t size = strlen(HDR) + (size_t)nb * 200;
	char *text = malloc(size);
	size_t pos;
	unsigned int i;

	assert_non_null(text);
	pos = (size_t)snprintf(text, size, "%s", HDR);
	for (i = 0; i < nb; i++)
		pos += (size_t)snprintf(text + pos, size - pos,
			"id=%08x-0000-4000-8000-%012x secret=%08x-1111-4000-8000-%012x"
			" created=%u uses=0 expires=0 max_members=0 class=0"
			" uids=- gids=-\n", i, i, i, i, i);
	write_text(path, text, pos, 0600);
	free(text);
}

static void
test_open_refuses_too_many(void **state)
{
	struct tdir *d = *state;
	struct dxa_policy p = { 0 };
	struct dxa_token_store s;

	table_text(d->path, DXA_TOKENS_MAX + 1);
	expect_open(d->path, -EBADMSG);

	table_text(d->path, DXA_TOKENS_MAX);
	assert_int_equal(dxa_tokens_open(&s, d->path), 0);
	assert_int_equal(s.nb, DXA_TOKENS_MAX);
	assert_int_equal(dxa_tokens_issue(&s, &p, NULL, NULL), -ENOSPC);
	assert_int_equal(s.nb, DXA_TOKENS_MAX);
	dxa_tokens_close(&s);
}

/* ---- Refused changes -------------------------------------------------- */

static void
test_issue_invalid(void **state)
{
	struct dxa_token_store s;
	struct dxa_policy p;
	struct dxa_token *t;

	RTE_SET_USED(state);
	assert_int_equal(dxa_tokens_open(NULL, NULL), -EINVAL);
	assert_int_equal(dxa_tokens_open(&s, NULL), 0);
	memset(&p, 0, sizeof(p));
	assert_int_equal(dxa_tokens_issue(NULL, &p, NULL, &t), -EINVAL);
	assert_int_equal(dxa_tokens_issue(&s, NULL, NULL, &t), -EINVAL);
	/* A policy the file could not load back (dxa_msg_check() rules). */
	p.dev_class = DXA_CLASS_B + 1;
	assert_int_equal(dxa_tokens_issue(&s, &p, NULL, &t), -EINVAL);
	p = policy_rich();
	p.nb_uids = DXA_POLICY_MAX_IDS + 1;
	assert_int_equal(dxa_tokens_issue(&s, &p, NULL, &t), -EINVAL);
	p = policy_rich();
	p.uids[p.nb_uids] = 5; /* past the count */
	assert_int_equal(dxa_tokens_issue(&s, &p, NULL, &t), -EINVAL);
	p = policy_rich();
	p.reserved = 1;
	assert_int_equal(dxa_tokens_issue(&s, &p, NULL, &t), -EINVAL);
	assert_int_equal(s.nb, 0);
	dxa_tokens_close(&s);
	/* Closing twice, or what was never opened, is harmless. */
	dxa_tokens_close(&s);
	dxa_tokens_close(NULL);
}

static void
test_issue_secret_exists(void **state)
{
	struct tdir *d = *state;
	struct dxa_policy p = policy_rich();
	uint8_t secret[DXA_UUID_LEN];
	struct dxa_token_store s;
	struct dxa_token *t;
	char *before;
	char *after;

	uuid_from(SEC1, secret);
	write_str(d->path, HDR LINE1);
	assert_int_equal(dxa_tokens_open(&s, d->path), 0);
	before = read_text(d->path);
	assert_int_equal(dxa_tokens_issue(&s, &p, secret, &t), -EEXIST);
	assert_int_equal(s.nb, 1);
	after = read_text(d->path);
	assert_string_equal(before, after);
	free(before);
	free(after);

	/* A random secret that came back is taken, then refused as given. */
	assert_int_equal(dxa_tokens_issue(&s, &p, NULL, &t), 0);
	memcpy(secret, t->secret, sizeof(secret));
	assert_int_equal(dxa_tokens_issue(&s, &p, secret, &t), -EEXIST);
	assert_int_equal(s.nb, 2);
	dxa_tokens_close(&s);
}

static void
test_issue_full(void **state)
{
	struct dxa_policy p = { 0 };
	struct dxa_token_store s;
	struct dxa_token *t = NULL;
	uint8_t secret[DXA_UUID_LEN];
	unsigned int i;

	RTE_SET_USED(state);
	/* Memory only: the limit, not the file, is under test. */
	assert_int_equal(dxa_tokens_open(&s, NULL), 0);
	for (i = 0; i < DXA_TOKENS_MAX; i++)
		assert_int_equal(dxa_tokens_issue(&s, &p, NULL, &t), 0);
	assert_int_equal(s.nb, DXA_TOKENS_MAX);
	assert_true(s.cap <= DXA_TOKENS_MAX);
	uuid_generate_random(secret);
	t = NULL;
	assert_int_equal(dxa_tokens_issue(&s, &p, NULL, &t), -ENOSPC);
	assert_int_equal(dxa_tokens_issue(&s, &p, secret, &t), -ENOSPC);
	assert_null(t);
	/* Room again after a revoke. */
	assert_int_equal(dxa_tokens_revoke(&s, s.tokens[7].id), 0);
	assert_int_equal(dxa_tokens_issue(&s, &p, secret, &t), 0);
	assert_ptr_equal(dxa_tokens_find(&s, secret), t);
	dxa_tokens_close(&s);
}

static void
test_revoke_unknown(void **state)
{
	struct tdir *d = *state;
	struct dxa_token_store s;
	uint8_t id[DXA_UUID_LEN];
	char *before;
	char *after;

	uuid_from(ID2, id);
	assert_int_equal(dxa_tokens_open(&s, NULL), 0);
	assert_int_equal(dxa_tokens_revoke(&s, id), -ENOENT);
	assert_int_equal(dxa_tokens_revoke(&s, NULL), -EINVAL);
	assert_int_equal(dxa_tokens_revoke(NULL, id), -EINVAL);
	dxa_tokens_close(&s);

	write_str(d->path, HDR LINE1);
	assert_int_equal(dxa_tokens_open(&s, d->path), 0);
	before = read_text(d->path);
	assert_int_equal(dxa_tokens_revoke(&s, id), -ENOENT);
	/* The secret is not the id. */
	uuid_from(SEC1, id);
	assert_int_equal(dxa_tokens_revoke(&s, id), -ENOENT);
	assert_int_equal(s.nb, 1);
	after = read_text(d->path);
	assert_string_equal(before, after);
	free(before);
	free(after);
	dxa_tokens_close(&s);
}

/* ---- Failed writes leave file and table as they were ------------------ */

/*
 * RLIMIT_FSIZE: a write past the limit fails with EFBIG, for root too, so
 * this is the fault that works whoever runs the test. The limit lets the
 * version line through and stops in the first token line: the temporary
 * file is left half written, the case the rename protects against.
 */
static void
test_write_fails_midway(void **state)
{
	struct tdir *d = *state;
	struct dxa_policy p = policy_rich();
	struct rlimit old;
	struct rlimit lim;
	struct dxa_token_store s;
	struct dxa_token *t;
	uint8_t id[DXA_UUID_LEN];
	int r_issue, r_revoke;
	uint32_t nb;
	char *before;
	char *after;

	write_str(d->path, HDR LINE1 LINE2);
	before = read_text(d->path);
	assert_int_equal(dxa_tokens_open(&s, d->path), 0);
	uuid_from(ID1, id);
	nb = s.nb;

	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	lim = old;
	lim.rlim_cur = 64;
	signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
	r_issue = dxa_tokens_issue(&s, &p, NULL, &t);
	r_revoke = dxa_tokens_revoke(&s, id);
	dxa_tokens_used(&s, &s.tokens[1]);
	/* Restored before any assert can jump out of the test. */
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, SIG_DFL);

	assert_int_equal(r_issue, -EFBIG);
	assert_int_equal(r_revoke, -EFBIG);
	/* Table unchanged; the use count is best effort: kept in memory. */
	assert_int_equal(s.nb, nb);
	assert_non_null(dxa_tokens_find_id(&s, id));
	assert_int_equal(s.tokens[1].uses, 1);
	/* File unchanged, and no temporary file left behind. */
	after = read_text(d->path);
	assert_string_equal(before, after);
	free(after);
	assert_int_equal(dir_entries(d->dir), 1);

	/* Once writes work again, so does the table. */
	assert_int_equal(dxa_tokens_revoke(&s, id), 0);
	assert_int_equal(s.nb, nb - 1);
	dxa_tokens_close(&s);
	free(before);
}

/*
 * The temporary file cannot be created: the directory is no longer where
 * the store's path says (as root, a read-only mode would not stop the
 * write; a directory that went away does). Moved, not removed, so the old
 * file can be checked afterwards.
 */
static void
test_write_fails_no_dir(void **state)
{
	struct tdir *d = *state;
	struct dxa_policy p = policy_rich();
	struct dxa_token_store s;
	struct dxa_token *t;
	uint8_t id[DXA_UUID_LEN];
	char *before;
	char *after;
	int r_issue, r_revoke;

	write_str(d->path, HDR LINE1);
	before = read_text(d->path);
	assert_int_equal(dxa_tokens_open(&s, d->path), 0);
	uuid_from(ID1, id);

	assert_int_equal(rename(d->dir, d->moved), 0);
	r_issue = dxa_tokens_issue(&s, &p, NULL, &t);
	r_revoke = dxa_tokens_revoke(&s, id);
	assert_int_equal(rename(d->moved, d->dir), 0);

	assert_int_equal(r_issue, -ENOENT);
	assert_int_equal(r_revoke, -ENOENT);
	assert_int_equal(s.nb, 1);
	assert_non_null(dxa_tokens_find_id(&s, id));
	after = read_text(d->path);
	assert_string_equal(before, after);
	free(after);
	assert_int_equal(dir_entries(d->dir), 1);
	dxa_tokens_close(&s);
	free(before);
}

/* Without root, a read-only directory is the plain case of the above. */
static void
test_write_fails_readonly_dir(void **state)
{
	struct tdir *d = *state;
	struct dxa_policy p = { 0 };
	struct dxa_token_store s;
	struct dxa_token *t;
	char *before;
	char *after;
	int ret;

	if (geteuid() == 0) {
		print_message("  skip reason: root writes to a 0500 directory (see test_write_fails_no_dir)\n");
		skip();
	}
	write_str(d->path, HDR LINE1);
	before = read_text(d->path);
	assert_int_equal(dxa_tokens_open(&s, d->path), 0);
	assert_int_equal(chmod(d->dir, 0500), 0);
	ret = dxa_tokens_issue(&s, &p, NULL, &t);
	assert_int_equal(chmod(d->dir, 0700), 0);
	assert_int_equal(ret, -EACCES);
	assert_int_equal(s.nb, 1);
	after = read_text(d->path);
	assert_string_equal(before, after);
	free(after);
	free(before);
	dxa_tokens_close(&s);
}

/* ---- What the table keeps --------------------------------------------- */

static void
test_round_trip(void **state)
{
	struct dxa_policy p = policy_rich();
	struct dxa_token_store s;
	struct dxa_token *t;
	uint8_t id[DXA_UUID_LEN];
	uint8_t secret[DXA_UUID_LEN];
	uint8_t given[DXA_UUID_LEN];

	RTE_SET_USED(state);
	uuid_from(SEC2, given);
	assert_int_equal(dxa_tokens_open(&s, NULL), 0);
	assert_null(dxa_tokens_find(&s, given));

	assert_int_equal(dxa_tokens_issue(&s, &p, NULL, &t), 0);
	assert_non_null(t);
	assert_memory_equal(&t->policy, &p, sizeof(p));
	assert_int_equal(t->uses, 0);
	assert_int_equal(t->members, 0);
	assert_true(t->created > 1700000000);
	assert_memory_not_equal(t->id, t->secret, DXA_UUID_LEN);
	memcpy(id, t->id, sizeof(id));
	memcpy(secret, t->secret, sizeof(secret));

	/* The embedded broker's way: its own secret. */
	assert_int_equal(dxa_tokens_issue(&s, &p, given, &t), 0);
	assert_memory_equal(t->secret, given, DXA_UUID_LEN);

	t = dxa_tokens_find(&s, secret);
	assert_non_null(t);
	assert_memory_equal(t->id, id, DXA_UUID_LEN);
	assert_ptr_equal(dxa_tokens_find_id(&s, id), t);
	/* An id is not a secret, nor the other way round. */
	assert_null(dxa_tokens_find(&s, id));
	assert_null(dxa_tokens_find_id(&s, secret));

	dxa_tokens_used(&s, t);
	assert_int_equal(t->uses, 1);

	assert_int_equal(dxa_tokens_revoke(&s, id), 0);
	assert_null(dxa_tokens_find(&s, secret));
	assert_null(dxa_tokens_find_id(&s, id));
	assert_int_equal(dxa_tokens_revoke(&s, id), -ENOENT);
	assert_non_null(dxa_tokens_find(&s, given));
	assert_int_equal(s.nb, 1);
	dxa_tokens_close(&s);
}

static void
test_missing_file(void **state)
{
	struct tdir *d = *state;
	struct dxa_policy p = { 0 };
	struct dxa_token_store s;
	struct dxa_token *t;
	struct stat st;
	char *text;

	assert_int_equal(dxa_tokens_open(&s, d->path), 0);
	assert_int_equal(s.nb, 0);
	/* Nothing written until something changes. */
	assert_int_equal(dir_entries(d->dir), 0);
	assert_int_equal(dxa_tokens_issue(&s, &p, NULL, &t), 0);
	assert_int_equal(lstat(d->path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	text = read_text(d->path);
	assert_int_equal(strncmp(text, HDR, strlen(HDR)), 0);
	free(text);
	assert_int_equal(dir_entries(d->dir), 1);
	dxa_tokens_close(&s);

	/* Revoking the last token leaves a valid, empty table. */
	assert_int_equal(dxa_tokens_open(&s, d->path), 0);
	assert_int_equal(s.nb, 1);
	assert_int_equal(dxa_tokens_revoke(&s, s.tokens[0].id), 0);
	dxa_tokens_close(&s);
	text = read_text(d->path);
	assert_string_equal(text, HDR);
	free(text);
	assert_int_equal(dxa_tokens_open(&s, d->path), 0);
	assert_int_equal(s.nb, 0);
	dxa_tokens_close(&s);
}

static void
test_load_hand_written(void **state)
{
	struct tdir *d = *state;
	struct dxa_token_store s;
	const struct dxa_token *t;
	uint8_t id[DXA_UUID_LEN];
	uint8_t secret[DXA_UUID_LEN];
	static const uint32_t gids[] = { 1, 2, 3, 4, 5, 6, 7, UINT32_MAX };

	write_str(d->path, HDR LINE1 LINE2);
	assert_int_equal(dxa_tokens_open(&s, d->path), 0);
	assert_int_equal(s.nb, 2);
	assert_string_equal(s.path, d->path);

	t = &s.tokens[0];
	uuid_from(ID1, id);
	uuid_from(SEC1, secret);
	assert_memory_equal(t->id, id, DXA_UUID_LEN);
	assert_memory_equal(t->secret, secret, DXA_UUID_LEN);
	assert_int_equal(t->created, 1700000000);
	assert_int_equal(t->uses, 3);
	assert_int_equal(t->members, 0);
	assert_int_equal(t->policy.expires, 0);
	assert_int_equal(t->policy.max_members, 2);
	assert_int_equal(t->policy.dev_class, DXA_CLASS_A);
	assert_int_equal(t->policy.nb_uids, 2);
	assert_int_equal(t->policy.uids[0], 0);
	assert_int_equal(t->policy.uids[1], 1000);
	assert_int_equal(t->policy.nb_gids, 0);
	assert_ptr_equal(dxa_tokens_find(&s, secret), t);

	t = &s.tokens[1];
	assert_int_equal(t->policy.expires, UINT64_MAX);
	assert_int_equal(t->policy.max_members, UINT32_MAX);
	assert_int_equal(t->policy.dev_class, DXA_CLASS_B);
	assert_int_equal(t->policy.nb_uids, 0);
	assert_int_equal(t->policy.nb_gids, DXA_POLICY_MAX_IDS);
	assert_memory_equal(t->policy.gids, gids, sizeof(gids));
	dxa_tokens_close(&s);
}

static void
test_persistence(void **state)
{
	struct tdir *d = *state;
	struct dxa_policy p[3];
	struct dxa_token saved[3];
	struct dxa_token_store s;
	struct dxa_token *t;
	unsigned int i;
	char *text;

	memset(p, 0, sizeof(p));
	p[1] = policy_rich();
	p[2].dev_class = DXA_CLASS_A;
	p[2].expires = 1;
	p[2].nb_uids = DXA_POLICY_MAX_IDS;
	p[2].nb_gids = DXA_POLICY_MAX_IDS;
	for (i = 0; i < DXA_POLICY_MAX_IDS; i++) {
		p[2].uids[i] = UINT32_MAX - i;
		p[2].gids[i] = i;
	}

	assert_int_equal(dxa_tokens_open(&s, d->path), 0);
	for (i = 0; i < RTE_DIM(p); i++) {
		assert_int_equal(dxa_tokens_issue(&s, &p[i], NULL, &t), 0);
		/* Members are the broker's live count, never saved. */
		t->members = 7;
	}
	dxa_tokens_used(&s, &s.tokens[1]);
	dxa_tokens_used(&s, &s.tokens[1]);
	dxa_tokens_used(&s, &s.tokens[2]);
	/* Use counts are written by a flush, not by each use. */
	assert_true(s.dirty);
	assert_int_equal(dxa_tokens_flush(&s), 0);
	assert_false(s.dirty);
	assert_int_equal(dxa_tokens_flush(&s), 0);
	memcpy(saved, s.tokens, sizeof(saved));
	/* Unflushed, this one is lost with the table: by design. */
	dxa_tokens_used(&s, &s.tokens[0]);
	dxa_tokens_close(&s);

	assert_int_equal(dxa_tokens_open(&s, d->path), 0);
	assert_int_equal(s.nb, RTE_DIM(p));
	for (i = 0; i < RTE_DIM(p); i++) {
		t = &s.tokens[i];
		assert_memory_equal(t->id, saved[i].id, DXA_UUID_LEN);
		assert_memory_equal(t->secret, saved[i].secret, DXA_UUID_LEN);
		assert_memory_equal(&t->policy, &p[i], sizeof(p[i]));
		assert_int_equal(t->created, saved[i].created);
		assert_int_equal(t->uses, saved[i].uses);
		assert_int_equal(t->members, 0);
	}
	assert_int_equal(s.tokens[1].uses, 2);
	assert_int_equal(s.tokens[2].uses, 1);

	/* A revoke persists too, and keeps the order of the others. */
	assert_int_equal(dxa_tokens_revoke(&s, saved[1].id), 0);
	dxa_tokens_close(&s);
	assert_int_equal(dxa_tokens_open(&s, d->path), 0);
	assert_int_equal(s.nb, 2);
	assert_memory_equal(s.tokens[0].id, saved[0].id, DXA_UUID_LEN);
	assert_memory_equal(s.tokens[1].id, saved[2].id, DXA_UUID_LEN);
	assert_null(dxa_tokens_find(&s, saved[1].secret));
	dxa_tokens_close(&s);

	/* Written in the documented format (ids as canonical text). */
	text = read_text(d->path);
	assert_int_equal(strncmp(text, HDR "id=", strlen(HDR "id=")), 0);
	free(text);
	assert_int_equal(dir_entries(d->dir), 1);
}

static void
test_file_mode(void **state)
{
	static const mode_t umasks[] = { 0, 0277, 0022 };
	struct tdir *d = *state;
	struct dxa_policy p = { 0 };
	struct dxa_token_store s;
	struct dxa_token *t;
	struct stat st;
	mode_t old;
	unsigned int i;
	int ret;

	assert_int_equal(dxa_tokens_open(&s, d->path), 0);
	for (i = 0; i < RTE_DIM(umasks); i++) {
		old = umask(umasks[i]);
		ret = dxa_tokens_issue(&s, &p, NULL, &t);
		umask(old);
		assert_int_equal(ret, 0);
		assert_int_equal(lstat(d->path, &st), 0);
		assert_int_equal(st.st_mode & 07777, 0600);
		assert_int_equal(st.st_uid, geteuid());
	}
	dxa_tokens_close(&s);
	/* And what we wrote, we load. */
	expect_open(d->path, 0);
}

/* ---- What a token admits ---------------------------------------------- */

static void
test_admits(void **state)
{
	static const gid_t in_27[] = { 1000, 27 };
	static const gid_t not_27[] = { 1000, 100 };
	struct dxa_token t;

	RTE_SET_USED(state);
	memset(&t, 0, sizeof(t));
	/* No rule: anyone, any class, any time. */
	assert_int_equal(dxa_token_admits(&t, 0, NULL, 0, DXA_CLASS_ANY, 0), 0);
	assert_int_equal(dxa_token_admits(&t, 12345, not_27, 2, DXA_CLASS_B,
		UINT64_MAX), 0);

	/* Expiry: admitted strictly before it. */
	t.policy.expires = 1000;
	assert_int_equal(dxa_token_admits(&t, 1000, NULL, 0, 0, 999), 0);
	assert_int_equal(dxa_token_admits(&t, 1000, NULL, 0, 0, 1000), -EACCES);
	assert_int_equal(dxa_token_admits(&t, 1000, NULL, 0, 0, 1001), -EACCES);
	t.policy.expires = 0;

	/* Uids: listed only; root too. */
	t.policy.nb_uids = 2;
	t.policy.uids[0] = 1000;
	t.policy.uids[1] = 1001;
	assert_int_equal(dxa_token_admits(&t, 1000, NULL, 0, 0, 1), 0);
	assert_int_equal(dxa_token_admits(&t, 1001, NULL, 0, 0, 1), 0);
	assert_int_equal(dxa_token_admits(&t, 1002, NULL, 0, 0, 1), -EACCES);
	assert_int_equal(dxa_token_admits(&t, 0, NULL, 0, 0, 1), -EACCES);
	t.policy.uids[1] = 0;
	assert_int_equal(dxa_token_admits(&t, 0, NULL, 0, 0, 1), 0);
	t.policy.nb_uids = 0;

	/* Gids: any of the peer's groups, supplementary ones included. */
	t.policy.nb_gids = 1;
	t.policy.gids[0] = 27;
	assert_int_equal(dxa_token_admits(&t, 1000, in_27, 2, 0, 1), 0);
	assert_int_equal(dxa_token_admits(&t, 1000, &in_27[1], 1, 0, 1), 0);
	assert_int_equal(dxa_token_admits(&t, 1000, not_27, 2, 0, 1), -EACCES);
	assert_int_equal(dxa_token_admits(&t, 1000, in_27, 1, 0, 1), -EACCES);
	assert_int_equal(dxa_token_admits(&t, 1000, NULL, 0, 0, 1), -EACCES);
	t.policy.nb_gids = 0;

	/* Class: ANY admits all; otherwise the same class only. */
	t.policy.dev_class = DXA_CLASS_A;
	assert_int_equal(dxa_token_admits(&t, 1, NULL, 0, DXA_CLASS_A, 1), 0);
	assert_int_equal(dxa_token_admits(&t, 1, NULL, 0, DXA_CLASS_B, 1),
		-EACCES);
	assert_int_equal(dxa_token_admits(&t, 1, NULL, 0, DXA_CLASS_ANY, 1),
		-EACCES);
	t.policy.dev_class = DXA_CLASS_ANY;
	assert_int_equal(dxa_token_admits(&t, 1, NULL, 0, DXA_CLASS_B, 1), 0);

	/* Members: 0 is no limit; else full at max_members. */
	t.members = 100000;
	assert_int_equal(dxa_token_admits(&t, 1, NULL, 0, 0, 1), 0);
	t.policy.max_members = 2;
	t.members = 1;
	assert_int_equal(dxa_token_admits(&t, 1, NULL, 0, 0, 1), 0);
	t.members = 2;
	assert_int_equal(dxa_token_admits(&t, 1, NULL, 0, 0, 1), -ENOSPC);
	t.members = 3;
	assert_int_equal(dxa_token_admits(&t, 1, NULL, 0, 0, 1), -ENOSPC);
	/* A refused member is refused whether or not there is room. */
	t.policy.expires = 1;
	assert_int_equal(dxa_token_admits(&t, 1, NULL, 0, 0, 1), -EACCES);
}

/* ---- Constant-time lookup --------------------------------------------- */

static void
test_find_many(void **state)
{
	enum { NB = 1000 };
	struct dxa_policy p = { 0 };
	struct dxa_token_store s;
	uint8_t secret[DXA_UUID_LEN];
	unsigned int i, bit;

	RTE_SET_USED(state);
	assert_int_equal(dxa_tokens_open(&s, NULL), 0);
	for (i = 0; i < NB; i++)
		assert_int_equal(dxa_tokens_issue(&s, &p, NULL, NULL), 0);
	/* Every entry, first and last included, is found as itself. */
	for (i = 0; i < NB; i++) {
		memcpy(secret, s.tokens[i].secret, sizeof(secret));
		assert_ptr_equal(dxa_tokens_find(&s, secret), &s.tokens[i]);
		assert_ptr_equal(dxa_tokens_find_id(&s, s.tokens[i].id),
			&s.tokens[i]);
	}
	/* One bit off anywhere is no match, for the first, a middle, the last. */
	for (i = 0; i < NB; i += NB / 2 - 1) {
		for (bit = 0; bit < DXA_UUID_LEN * 8; bit++) {
			memcpy(secret, s.tokens[i].secret, sizeof(secret));
			secret[bit / 8] ^= (uint8_t)(1u << (bit % 8));
			assert_null(dxa_tokens_find(&s, secret));
		}
	}
	memset(secret, 0, sizeof(secret));
	assert_null(dxa_tokens_find(&s, secret));
	assert_null(dxa_tokens_find(&s, NULL));
	assert_null(dxa_tokens_find(NULL, secret));
	dxa_tokens_close(&s);
}

/* ---- Secrets stay out of the log -------------------------------------- */

static void
test_no_secret_logged(void **state)
{
	struct tdir *d = *state;
	struct dxa_policy p = policy_rich();
	struct dxa_token_store s;
	struct dxa_token *t;
	char id[UUID_STR_LEN];
	char secret[UUID_STR_LEN];
	char *log = NULL;
	size_t log_len = 0;
	FILE *f;
	int ret;

	f = open_memstream(&log, &log_len);
	assert_non_null(f);
	rte_log_set_global_level(RTE_LOG_DEBUG);
	rte_log_set_level_pattern("lib.dmadev.domain*", RTE_LOG_DEBUG);
	rte_openlog_stream(f);

	ret = dxa_tokens_open(&s, d->path);
	if (ret == 0)
		ret = dxa_tokens_issue(&s, &p, NULL, &t);
	if (ret == 0) {
		uuid_unparse_lower(t->id, id);
		uuid_unparse_lower(t->secret, secret);
		/* A failing write logs too: the directory moves away. */
		if (rename(d->dir, d->moved) == 0) {
			dxa_tokens_used(&s, t);
			if (dxa_tokens_flush(&s) == 0)
				ret = -1;
			rename(d->moved, d->dir);
		}
		ret = dxa_tokens_revoke(&s, t->id);
	}
	dxa_tokens_close(&s);
	/* A refused file with a secret in it. */
	write_str(d->path, HDR "id=" ID1 " secret=" SEC1 " created=x\n");
	if (ret == 0)
		ret = dxa_tokens_open(&s, d->path) == -EBADMSG ? 0 : -1;

	rte_openlog_stream(NULL);
	rte_log_set_level_pattern("lib.dmadev.domain*", RTE_LOG_WARNING);
	fclose(f);
	assert_int_equal(ret, 0);
	assert_non_null(log);
	print_message("  log:\n%s", log);
	assert_non_null(strstr(log, id));
	assert_non_null(strstr(log, "use counts not saved"));
	assert_null(strstr(log, secret));
	assert_null(strstr(log, SEC1));
	free(log);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup_dir, teardown_dir)
		/* Errors first. */
		T(test_open_refuses_mode),
		T(test_open_refuses_symlink),
		T(test_open_refuses_not_regular),
		T(test_open_refuses_other_owner),
		T(test_open_refuses_malformed),
		T(test_open_refuses_too_many),
		T(test_issue_invalid),
		T(test_issue_secret_exists),
		T(test_issue_full),
		T(test_revoke_unknown),
		T(test_write_fails_midway),
		T(test_write_fails_no_dir),
		T(test_write_fails_readonly_dir),
		/* Then what works. */
		T(test_round_trip),
		T(test_missing_file),
		T(test_load_hand_written),
		T(test_persistence),
		T(test_file_mode),
		T(test_admits),
		T(test_find_many),
		T(test_no_secret_logged),
#undef T
	};

	/* Thousands of "token issued" lines would bury the results. */
	rte_log_set_level_pattern("lib.dmadev.domain*", RTE_LOG_WARNING);
	return cmocka_run_group_tests_name("access_tokens", tests, NULL,
		NULL) == 0 ? 0 : 1;
}
