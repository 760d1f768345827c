/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-dma-xd authors
 */

/*
 * The token file, version 1. Text, so an admin can read (not edit) it and
 * a diff shows what changed; written only by the broker.
 *
 *   dpdk-dma-access tokens 1
 *   id=<uuid> secret=<uuid> created=<u64> uses=<u64> expires=<u64>
 *       max_members=<u32> class=<u8> uids=<list> gids=<list>
 *
 * One token per line (shown folded here), fields in exactly this order,
 * separated by one space, every line ending in '\n'. A uuid is canonical
 * lower-case text; a number is plain decimal without sign or leading zero;
 * a list is '-' when empty, else 1 to DXA_POLICY_MAX_IDS numbers joined by
 * ','. Anything else, a duplicate id or secret, or a policy that
 * dxa_msg_check() would refuse makes the whole file invalid (-EBADMSG):
 * a broker that guesses at a damaged token file could admit someone the
 * admin did not.
 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <uuid/uuid.h>

#include "dma_access_tokens.h"
#include "dma_access_log.h"

#define TOKENS_VERSION_LINE "dpdk-dma-access tokens 1\n"

/* Longest token line we write, with room; bounds what a load reads. */
#define TOKENS_LINE_MAX 512
#define TOKENS_LIST_WORST (DXA_POLICY_MAX_IDS * sizeof("4294967295,") - 1)
#define TOKENS_LINE_WORST \
	(sizeof("id= secret= created= uses= expires= max_members= class= uids= gids=\n") - 1 + \
	 2 * (UUID_STR_LEN - 1) + 3 * (sizeof("18446744073709551615") - 1) + \
	 (sizeof("4294967295") - 1) + 3 + 2 * TOKENS_LIST_WORST)
_Static_assert(TOKENS_LINE_WORST < TOKENS_LINE_MAX, "token line buffer");
#define TOKENS_FILE_MAX \
	(sizeof(TOKENS_VERSION_LINE) + (size_t)DXA_TOKENS_MAX * TOKENS_LINE_MAX)

#define TOKENS_NB_FIELDS 9

/* Keys of a token line, in file order. */
static const char *const field_keys[TOKENS_NB_FIELDS] = {
	"id", "secret", "created", "uses", "expires", "max_members",
	"class", "uids", "gids",
};

/* No entry to leave out of a write. */
#define TOKENS_SKIP_NONE UINT32_MAX

struct field {
	const char *s;
	size_t len;
};

static void
id_text(const uint8_t id[DXA_UUID_LEN], char out[UUID_STR_LEN])
{
	uuid_unparse_lower(id, out);
}

static uint64_t
realtime_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec;
}

/* Secrets do not outlive their slot in freed memory. */
static void
tokens_free(struct dxa_token *tokens, uint32_t cap)
{
	if (tokens == NULL)
		return;
	explicit_bzero(tokens, (size_t)cap * sizeof(*tokens));
	free(tokens);
}

/*
 * Room for @nb entries. Not realloc(): it could free a block holding
 * secrets without clearing it.
 */
static int
tokens_reserve(struct dxa_token_store *s, uint32_t nb)
{
	struct dxa_token *tokens;
	uint32_t cap;

	if (nb <= s->cap)
		return 0;
	if (nb > DXA_TOKENS_MAX)
		return -ENOSPC;
	cap = s->cap == 0 ? 16 : s->cap * 2;
	if (cap < nb)
		cap = nb;
	if (cap > DXA_TOKENS_MAX)
		cap = DXA_TOKENS_MAX;
	tokens = calloc(cap, sizeof(*tokens));
	if (tokens == NULL)
		return -ENOMEM;
	if (s->nb != 0)
		memcpy(tokens, s->tokens, (size_t)s->nb * sizeof(*tokens));
	tokens_free(s->tokens, s->cap);
	s->tokens = tokens;
	s->cap = cap;
	return 0;
}

/* ---- Writing ---------------------------------------------------------- */

static int
write_all(int fd, const char *buf, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Append ' key=' and the list (or '-') at @pos; returns the new length. */
static size_t
format_list(char *buf, size_t size, size_t pos, const char *key,
		const uint32_t *ids, uint8_t nb)
{
	unsigned int i;
	int n;

	n = snprintf(buf + pos, size - pos, " %s=%s", key, nb == 0 ? "-" : "");
	pos += (size_t)n;
	for (i = 0; i < nb; i++) {
		n = snprintf(buf + pos, size - pos, "%s%" PRIu32,
			i == 0 ? "" : ",", ids[i]);
		pos += (size_t)n;
	}
	return pos;
}

/* One token line into @buf; returns its length (fits: TOKENS_LINE_WORST). */
static size_t
format_token(char *buf, size_t size, const struct dxa_token *t)
{
	char id[UUID_STR_LEN];
	char secret[UUID_STR_LEN];
	size_t pos;
	int n;

	id_text(t->id, id);
	id_text(t->secret, secret);
	n = snprintf(buf, size, "id=%s secret=%s created=%" PRIu64
		" uses=%" PRIu64 " expires=%" PRIu64 " max_members=%" PRIu32
		" class=%u", id, secret, t->created, t->uses,
		t->policy.expires, t->policy.max_members,
		(unsigned int)t->policy.dev_class);
	explicit_bzero(secret, sizeof(secret));
	pos = (size_t)n;
	pos = format_list(buf, size, pos, "uids", t->policy.uids,
		t->policy.nb_uids);
	pos = format_list(buf, size, pos, "gids", t->policy.gids,
		t->policy.nb_gids);
	n = snprintf(buf + pos, size - pos, "\n");
	return pos + (size_t)n;
}

/* The table, without entry @skip, to @fd. */
static int
write_table(int fd, const struct dxa_token_store *s, uint32_t skip)
{
	char line[TOKENS_LINE_MAX];
	uint32_t i;
	size_t len;
	int ret;

	ret = write_all(fd, TOKENS_VERSION_LINE,
		sizeof(TOKENS_VERSION_LINE) - 1);
	for (i = 0; i < s->nb && ret == 0; i++) {
		if (i == skip)
			continue;
		len = format_token(line, sizeof(line), &s->tokens[i]);
		ret = write_all(fd, line, len);
	}
	explicit_bzero(line, sizeof(line));
	return ret;
}

/* The directory holding @path, opened for fsync(). */
static int
dir_open(const char *path)
{
	const char *slash = strrchr(path, '/');
	char dir[PATH_MAX];
	int fd;

	if (slash == NULL) {
		strcpy(dir, ".");
	} else if (slash == path) {
		strcpy(dir, "/");
	} else {
		if ((size_t)(slash - path) >= sizeof(dir))
			return -ENAMETOOLONG;
		memcpy(dir, path, (size_t)(slash - path));
		dir[slash - path] = '\0';
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/*
 * Replace the file by the table without entry @skip. The rename is the
 * commit point: every step before it can fail and leave the old file as it
 * was (the caller then leaves the table as it was too). The directory is
 * opened before the rename so that nothing after it can fail but the
 * directory fsync, and that one is only logged: undoing the table change
 * then would make the broker disagree with the file it loads next time.
 */
static int
store_write(const struct dxa_token_store *s, uint32_t skip)
{
	char tmp[PATH_MAX];
	int dfd = -1;
	int fd;
	int ret;

	if (s->path == NULL)
		return 0;
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.XXXXXX", s->path) >=
			sizeof(tmp))
		return -ENAMETOOLONG;
	/* O_CREAT | O_EXCL, mode 0600: nobody else can have it open. */
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		goto out;
	}
	/* mkostemp's 0600 is reduced by the umask; the broker needs rw. */
	if (fchmod(fd, S_IRUSR | S_IWUSR) != 0) {
		ret = -errno;
		goto close_tmp;
	}
	ret = write_table(fd, s, skip);
	if (ret != 0)
		goto close_tmp;
	if (fsync(fd) != 0) {
		ret = -errno;
		goto close_tmp;
	}
	ret = close(fd);
	fd = -1;
	if (ret != 0) {
		ret = -errno;
		goto unlink_tmp;
	}
	dfd = dir_open(s->path);
	if (dfd < 0) {
		ret = dfd;
		goto unlink_tmp;
	}
	if (rename(tmp, s->path) != 0) {
		ret = -errno;
		goto close_dir;
	}
	if (fsync(dfd) != 0)
		DXA_LOG_RL(WARNING, "%s: directory fsync: %s (table written)",
			s->path, strerror(errno));
	close(dfd);
	return 0;

close_dir:
	close(dfd);
close_tmp:
	if (fd >= 0)
		close(fd);
unlink_tmp:
	unlink(tmp);
out:
	DXA_LOG_RL(ERR, "%s: cannot write the token table: %s",
		s->path, strerror(-ret));
	return ret;
}

/* ---- Reading ---------------------------------------------------------- */

/* Plain decimal, no sign, no leading zero, at most @max. */
static bool
parse_u64(const char *s, size_t len, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (len == 0 || len > 20 || (len > 1 && s[0] == '0'))
		return false;
	for (i = 0; i < len; i++) {
		unsigned int d = (unsigned int)(s[i] - '0');

		if (s[i] < '0' || s[i] > '9')
			return false;
		if (v > (max - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*out = v;
	return true;
}

/* Canonical lower-case text only: what we write is all we read. */
static bool
parse_uuid(const char *s, size_t len, uint8_t out[DXA_UUID_LEN])
{
	char text[UUID_STR_LEN];
	char again[UUID_STR_LEN];
	bool ok;

	if (len != UUID_STR_LEN - 1)
		return false;
	memcpy(text, s, len);
	text[len] = '\0';
	ok = uuid_parse(text, out) == 0;
	if (ok) {
		uuid_unparse_lower(out, again);
		ok = memcmp(text, again, len) == 0;
	}
	explicit_bzero(text, sizeof(text));
	explicit_bzero(again, sizeof(again));
	return ok;
}

static bool
parse_list(const char *s, size_t len, uint32_t ids[DXA_POLICY_MAX_IDS],
		uint8_t *nb)
{
	const char *end = s + len;
	const char *comma;
	uint64_t v;
	uint8_t n = 0;

	if (len == 1 && s[0] == '-') {
		*nb = 0;
		return true;
	}
	for (;;) {
		comma = memchr(s, ',', (size_t)(end - s));
		if (comma == NULL)
			comma = end;
		if (n == DXA_POLICY_MAX_IDS ||
				!parse_u64(s, (size_t)(comma - s), UINT32_MAX, &v))
			return false;
		ids[n++] = (uint32_t)v;
		if (comma == end)
			break;
		s = comma + 1;
	}
	*nb = n;
	return true;
}

/* Split at single spaces into exactly TOKENS_NB_FIELDS "key=value". */
static bool
split_line(const char *line, size_t len, struct field f[TOKENS_NB_FIELDS])
{
	const char *end = line + len;
	const char *p = line;
	const char *sp;
	size_t klen;
	unsigned int i;

	for (i = 0; i < TOKENS_NB_FIELDS; i++) {
		if (p > end)
			return false;
		sp = memchr(p, ' ', (size_t)(end - p));
		if (sp == NULL)
			sp = end;
		klen = strlen(field_keys[i]);
		if ((size_t)(sp - p) <= klen ||
				memcmp(p, field_keys[i], klen) != 0 ||
				p[klen] != '=')
			return false;
		f[i].s = p + klen + 1;
		f[i].len = (size_t)(sp - f[i].s);
		p = sp + 1;
	}
	/* The last field ended the line. */
	return p == end + 1;
}

static bool
parse_token(const char *line, size_t len, struct dxa_token *t)
{
	struct field f[TOKENS_NB_FIELDS];
	uint64_t v;

	memset(t, 0, sizeof(*t));
	if (!split_line(line, len, f) ||
			!parse_uuid(f[0].s, f[0].len, t->id) ||
			!parse_uuid(f[1].s, f[1].len, t->secret) ||
			!parse_u64(f[2].s, f[2].len, UINT64_MAX, &t->created) ||
			!parse_u64(f[3].s, f[3].len, UINT64_MAX, &t->uses) ||
			!parse_u64(f[4].s, f[4].len, UINT64_MAX,
				&t->policy.expires))
		return false;
	if (!parse_u64(f[5].s, f[5].len, UINT32_MAX, &v))
		return false;
	t->policy.max_members = (uint32_t)v;
	if (!parse_u64(f[6].s, f[6].len, UINT8_MAX, &v))
		return false;
	t->policy.dev_class = (uint8_t)v;
	return parse_list(f[7].s, f[7].len, t->policy.uids,
			&t->policy.nb_uids) &&
		parse_list(f[8].s, f[8].len, t->policy.gids,
			&t->policy.nb_gids) &&
		dxa_policy_valid(&t->policy);
}

/*
 * Parse the whole file into @s (empty) or fail as a whole; *@line is the
 * line that failed.
 */
static int
parse_table(struct dxa_token_store *s, const char *buf, size_t len,
		unsigned int *line)
{
	const size_t vlen = sizeof(TOKENS_VERSION_LINE) - 1;
	const char *end = buf + len;
	const char *p;
	const char *nl;
	struct dxa_token *t;
	int ret;

	*line = 1;
	if (len < vlen || memcmp(buf, TOKENS_VERSION_LINE, vlen) != 0)
		return -EBADMSG;
	for (p = buf + vlen; p < end; p = nl + 1) {
		++*line;
		/* A line without its '\n' is a truncated one. */
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL || (size_t)(nl - p) >= TOKENS_LINE_MAX ||
				s->nb == DXA_TOKENS_MAX)
			return -EBADMSG;
		ret = tokens_reserve(s, s->nb + 1);
		if (ret != 0)
			return ret;
		t = &s->tokens[s->nb];
		/* Keys must stay keys: ids and secrets are unique. */
		if (!parse_token(p, (size_t)(nl - p), t) ||
				dxa_tokens_find_id(s, t->id) != NULL ||
				dxa_tokens_find(s, t->secret) != NULL) {
			explicit_bzero(t, sizeof(*t));
			return -EBADMSG;
		}
		s->nb++;
	}
	return 0;
}

/*
 * Read @fd, already checked, whole. A file that grows past the size a
 * full table can have is not ours.
 */
static int
read_file(int fd, char **out, size_t *out_len)
{
	size_t cap = 4096;
	size_t len = 0;
	char *buf = malloc(cap);
	char *bigger;
	ssize_t n;
	int ret;

	if (buf == NULL)
		return -ENOMEM;
	for (;;) {
		if (len == cap) {
			if (cap >= TOKENS_FILE_MAX) {
				ret = -EBADMSG;
				goto fail;
			}
			/* Copied by hand: the old block is cleared, then freed. */
			bigger = malloc(cap * 2);
			if (bigger == NULL) {
				ret = -ENOMEM;
				goto fail;
			}
			memcpy(bigger, buf, len);
			explicit_bzero(buf, cap);
			free(buf);
			buf = bigger;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -errno;
			goto fail;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	*out = buf;
	*out_len = len;
	return 0;

fail:
	explicit_bzero(buf, cap);
	free(buf);
	return ret;
}

/* Only a regular file of ours that nobody else may read: NULL, or why not. */
static const char *
file_distrust(const struct stat *st)
{
	if (!S_ISREG(st->st_mode))
		return "not a regular file";
	if (st->st_uid != geteuid())
		return "owned by another uid";
	if ((st->st_mode & (S_IRWXG | S_IRWXO)) != 0)
		return "group or others have access (want 0600)";
	return NULL;
}

static int
store_load(struct dxa_token_store *s)
{
	const char *why;
	struct stat lst;
	struct stat st;
	unsigned int line;
	size_t len = 0;
	char *buf = NULL;
	int ret;
	int fd;

	if (lstat(s->path, &lst) != 0) {
		if (errno == ENOENT)
			return 0; /* created by the first change */
		ret = -errno;
		DXA_LOG(ERR, "%s: %s", s->path, strerror(-ret));
		return ret;
	}
	why = file_distrust(&lst);
	if (why != NULL) {
		DXA_LOG(ERR, "%s: refused: %s", s->path, why);
		return -EPERM;
	}
	/*
	 * Checked again on what was opened: the path may have been swapped
	 * since the lstat(). O_NONBLOCK so that a fifo put there cannot
	 * hang the broker.
	 */
	fd = open(s->path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		ret = errno == ELOOP ? -EPERM : -errno;
		DXA_LOG(ERR, "%s: %s", s->path, strerror(-ret));
		return ret;
	}
	if (fstat(fd, &st) != 0 || file_distrust(&st) != NULL ||
			st.st_dev != lst.st_dev || st.st_ino != lst.st_ino) {
		close(fd);
		DXA_LOG(ERR, "%s: refused: changed while being opened",
			s->path);
		return -EPERM;
	}
	ret = read_file(fd, &buf, &len);
	close(fd);
	if (ret != 0) {
		DXA_LOG(ERR, "%s: %s", s->path, strerror(-ret));
		return ret;
	}
	ret = parse_table(s, buf, len, &line);
	explicit_bzero(buf, len);
	free(buf);
	if (ret != 0)
		DXA_LOG(ERR, "%s: refused at line %u: %s", s->path, line,
			ret == -EBADMSG ? "not a valid version 1 token file" :
			strerror(-ret));
	return ret;
}

/*
 * Remove what a write cut short left: "<file>.XXXXXX" temporaries of
 * store_write() (a kill between mkostemp() and rename()). They may hold
 * secrets of tokens revoked since. Only regular files of this uid, named
 * exactly so, are removed; the caller holds the file's lock, so no other
 * broker is writing one now.
 */
static void
store_remove_stale(const struct dxa_token_store *s)
{
	char dir[PATH_MAX];
	const char *base, *slash = strrchr(s->path, '/');
	unsigned int removed = 0;
	struct dirent *de;
	struct stat st;
	size_t blen;
	DIR *d;

	if (slash == NULL) {
		strcpy(dir, ".");
		base = s->path;
	} else {
		snprintf(dir, sizeof(dir), "%.*s",
			slash == s->path ? 1 : (int)(slash - s->path), s->path);
		base = slash + 1;
	}
	blen = strlen(base);
	d = opendir(dir);
	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (strlen(de->d_name) != blen + sizeof(".XXXXXX") - 1 ||
				strncmp(de->d_name, base, blen) != 0 ||
				de->d_name[blen] != '.')
			continue;
		if (fstatat(dirfd(d), de->d_name, &st,
				AT_SYMLINK_NOFOLLOW) != 0 ||
				!S_ISREG(st.st_mode) || st.st_uid != geteuid())
			continue;
		if (unlinkat(dirfd(d), de->d_name, 0) == 0)
			removed++;
	}
	closedir(d);
	if (removed > 0)
		DXA_LOG(NOTICE, "%s: removed %u temporary files left by an interrupted write",
			s->path, removed);
}

/* ---- API -------------------------------------------------------------- */

int
dxa_tokens_open(struct dxa_token_store *s, const char *path)
{
	int ret;

	if (s == NULL)
		return -EINVAL;
	memset(s, 0, sizeof(*s));
	if (path == NULL)
		return 0;
	if (strlen(path) + sizeof(".XXXXXX") > PATH_MAX)
		return -ENAMETOOLONG;
	s->path = strdup(path);
	if (s->path == NULL)
		return -ENOMEM;
	store_remove_stale(s);
	ret = store_load(s);
	if (ret != 0) {
		dxa_tokens_close(s);
		return ret;
	}
	DXA_LOG(INFO, "%s: %u tokens", s->path, (unsigned int)s->nb);
	return 0;
}

void
dxa_tokens_close(struct dxa_token_store *s)
{
	if (s == NULL)
		return;
	tokens_free(s->tokens, s->cap);
	free(s->path);
	memset(s, 0, sizeof(*s));
}

int
dxa_tokens_issue(struct dxa_token_store *s, const struct dxa_policy *p,
		const uint8_t *secret, struct dxa_token **out)
{
	char id[UUID_STR_LEN];
	struct dxa_token *t;
	int ret;

	if (s == NULL || p == NULL)
		return -EINVAL;
	/* What the file could not load back must not be written to it. */
	if (!dxa_policy_valid(p))
		return -EINVAL;
	if (secret != NULL && dxa_tokens_find(s, secret) != NULL)
		return -EEXIST;
	if (s->nb >= DXA_TOKENS_MAX)
		return -ENOSPC;
	ret = tokens_reserve(s, s->nb + 1);
	if (ret != 0)
		return ret;

	/* Not in the table (s->nb) until it is complete. */
	t = &s->tokens[s->nb];
	memset(t, 0, sizeof(*t));
	t->policy = *p;
	t->created = realtime_now();
	/*
	 * A clash of random UUIDs is as likely as guessing a secret; the
	 * loops keep ids and secrets unique keys all the same.
	 */
	do {
		uuid_generate_random(t->id);
	} while (dxa_tokens_find_id(s, t->id) != NULL);
	if (secret != NULL) {
		memcpy(t->secret, secret, DXA_UUID_LEN);
	} else {
		do {
			uuid_generate_random(t->secret);
		} while (dxa_tokens_find(s, t->secret) != NULL);
	}

	s->nb++;
	ret = store_write(s, TOKENS_SKIP_NONE);
	if (ret != 0) {
		s->nb--;
		explicit_bzero(t, sizeof(*t));
		return ret;
	}
	s->dirty = false;
	id_text(t->id, id);
	DXA_LOG(INFO, "token issued: public id %s (for token list and revoke; not the secret members present)",
		id);
	if (out != NULL)
		*out = t;
	return 0;
}

int
dxa_tokens_revoke(struct dxa_token_store *s, const uint8_t id[DXA_UUID_LEN])
{
	char text[UUID_STR_LEN];
	struct dxa_token *t;
	uint32_t i;
	int ret;

	if (s == NULL || id == NULL)
		return -EINVAL;
	t = dxa_tokens_find_id(s, id);
	if (t == NULL)
		return -ENOENT;
	i = (uint32_t)(t - s->tokens);
	/* The file first: the table changes only once it is written. */
	ret = store_write(s, i);
	if (ret != 0)
		return ret;
	s->dirty = false;
	id_text(id, text);
	/* Keep the order: listing by index stays stable for the rest. */
	memmove(t, t + 1, (size_t)(s->nb - i - 1) * sizeof(*t));
	s->nb--;
	explicit_bzero(&s->tokens[s->nb], sizeof(*t));
	DXA_LOG(INFO, "token revoked: public id %s", text);
	return 0;
}

/*
 * Hide a value from the optimiser, so that it cannot turn the mask
 * arithmetic below back into a branch on secret data.
 */
#define HIDE_VALUE(v) __asm__("" : "+r"(v))

struct dxa_token *
dxa_tokens_find(struct dxa_token_store *s, const uint8_t secret[DXA_UUID_LEN])
{
	uintptr_t found = 0;
	uintptr_t index = 0;
	uintptr_t mask;
	uint32_t diff;
	uint32_t i;
	unsigned int b;

	if (s == NULL || secret == NULL)
		return NULL;
	/* Time depends on the table size only, which is not a secret. */
	for (i = 0; i < s->nb; i++) {
		diff = 0;
		for (b = 0; b < DXA_UUID_LEN; b++)
			diff |= (uint32_t)(s->tokens[i].secret[b] ^ secret[b]);
		HIDE_VALUE(diff);
		/* diff is 0..255: diff - 1 borrows into bit 31 iff diff == 0. */
		mask = (uintptr_t)0 - (uintptr_t)((diff - 1) >> 31);
		HIDE_VALUE(mask);
		index = (index & ~mask) | ((uintptr_t)i & mask);
		found |= mask;
	}
	/* Secrets are unique: at most one entry matched. */
	return found != 0 ? &s->tokens[index] : NULL;
}

struct dxa_token *
dxa_tokens_find_id(struct dxa_token_store *s, const uint8_t id[DXA_UUID_LEN])
{
	uint32_t i;

	if (s == NULL || id == NULL)
		return NULL;
	for (i = 0; i < s->nb; i++)
		if (memcmp(s->tokens[i].id, id, DXA_UUID_LEN) == 0)
			return &s->tokens[i];
	return NULL;
}

static bool
id_listed(const uint32_t *ids, uint8_t nb, uint32_t id)
{
	unsigned int i;

	for (i = 0; i < nb; i++)
		if (ids[i] == id)
			return true;
	return false;
}

int
dxa_token_admits(const struct dxa_token *t, uid_t uid, const gid_t *gids,
		unsigned int nb_gids, uint8_t dev_class, uint64_t now)
{
	const struct dxa_policy *p = &t->policy;
	bool gid_ok;
	unsigned int i;

	if (p->expires != 0 && now >= p->expires)
		return -EACCES;
	/* Root is no exception: an admin who wants it lists uid 0. */
	if (p->nb_uids != 0 && !id_listed(p->uids, p->nb_uids, (uint32_t)uid))
		return -EACCES;
	if (p->nb_gids != 0) {
		gid_ok = false;
		for (i = 0; i < nb_gids && !gid_ok; i++)
			gid_ok = id_listed(p->gids, p->nb_gids,
				(uint32_t)gids[i]);
		if (!gid_ok)
			return -EACCES;
	}
	if (p->dev_class != DXA_CLASS_ANY && p->dev_class != dev_class)
		return -EACCES;
	if (p->max_members != 0 && t->members >= p->max_members)
		return -ENOSPC;
	return 0;
}

void
dxa_tokens_used(struct dxa_token_store *s, struct dxa_token *t)
{
	if (s == NULL || t == NULL)
		return;
	t->uses++;
	s->dirty = s->path != NULL;
}

int
dxa_tokens_flush(struct dxa_token_store *s)
{
	int ret;

	if (s == NULL || !s->dirty)
		return 0;
	ret = store_write(s, TOKENS_SKIP_NONE);
	if (ret != 0) {
		DXA_LOG_RL(WARNING, "use counts not saved: %s", strerror(-ret));
		return ret;
	}
	s->dirty = false;
	return 0;
}
