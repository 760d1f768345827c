/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-dma-xd authors
 */

#ifndef DMA_ACCESS_TOKENS_H
#define DMA_ACCESS_TOKENS_H

/*
 * The broker's token table: admin-issued access tokens with their policy,
 * persisted across broker restarts. Internal; used by the broker only.
 *
 * A token has a public id (listed, revoked by) and a secret (presented by
 * members). Both are random UUIDs from libuuid. Secrets are compared in
 * constant time over the whole table and never logged.
 *
 * Persistence: when the store has a path, every change is written to it
 * atomically (a temporary file in the same directory, created 0600,
 * fsync'ed, renamed over the old one, directory fsync'ed), so a crash
 * leaves either the old or the new table, never a mix. A file that is not
 * a regular file owned by the broker's uid, or is readable by others, is
 * refused at load.
 */

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "dma_access_proto.h"

/* Tokens one broker keeps at most. */
#define DXA_TOKENS_MAX 4096

struct dxa_token {
	uint8_t id[DXA_UUID_LEN];
	uint8_t secret[DXA_UUID_LEN];
	struct dxa_policy policy;
	uint64_t created;  /* CLOCK_REALTIME seconds */
	uint64_t uses;     /* successful create/join; persisted */
	uint32_t members;  /* currently admitted; not persisted */
	uint32_t groups;   /* groups and grants made with it; not persisted */
};

struct dxa_token_store {
	struct dxa_token *tokens; /* nb used of cap */
	uint32_t nb;
	uint32_t cap;
	char *path;               /* NULL: memory only (embedded broker) */
	bool dirty;               /* use counts newer than the file */
};

/*
 * Open a store. With a @path, load it (a missing file is an empty table);
 * the file is refused (-EPERM) if it is not a regular file of this uid
 * with mode 0600 or stricter, and (-EBADMSG) if it does not parse.
 * Temporary files an interrupted write left next to it ("<path>.XXXXXX",
 * regular, of this uid) are removed first: the caller must hold the
 * file's lock.
 */
int dxa_tokens_open(struct dxa_token_store *s, const char *path);

/* Free the table (nothing is written). */
void dxa_tokens_close(struct dxa_token_store *s);

/*
 * Issue a token with @policy (already validated by dxa_msg_check()). With
 * @secret non-NULL, use it instead of a random one (the embedded broker
 * registers its creator's token this way). Returns 0 and *out, -ENOSPC when
 * full, -EEXIST for a secret already in the table, or a write error (the
 * table is then unchanged).
 */
int dxa_tokens_issue(struct dxa_token_store *s, const struct dxa_policy *p,
		const uint8_t *secret, struct dxa_token **out);

/* Revoke by public id: 0, -ENOENT, or a write error (table unchanged). */
int dxa_tokens_revoke(struct dxa_token_store *s,
		const uint8_t id[DXA_UUID_LEN]);

/*
 * The token whose secret is @secret, or NULL. Constant time in the secret:
 * every entry is compared fully whatever matches.
 */
struct dxa_token *dxa_tokens_find(struct dxa_token_store *s,
		const uint8_t secret[DXA_UUID_LEN]);

/* The token with public id @id, or NULL. */
struct dxa_token *dxa_tokens_find_id(struct dxa_token_store *s,
		const uint8_t id[DXA_UUID_LEN]);

/*
 * Whether @t admits a new member with these credentials now: 0, -EACCES
 * (expired, uid, gid or class not allowed), -ENOSPC (max_members reached).
 * @gids are the peer's primary and supplementary groups.
 */
int dxa_token_admits(const struct dxa_token *t, uid_t uid,
		const gid_t *gids, unsigned int nb_gids, uint8_t dev_class,
		uint64_t now);

/*
 * Count one more use. Only in memory: use counts are statistics, not
 * worth two fsyncs on every create and join (they cut the broker to some
 * 2,000 group set-ups a second). dxa_tokens_flush() writes them; every
 * issue and revoke writes them too.
 */
void dxa_tokens_used(struct dxa_token_store *s, struct dxa_token *t);

/* Write the table if use counts changed since the last write: 0 or errno. */
int dxa_tokens_flush(struct dxa_token_store *s);

#endif /* DMA_ACCESS_TOKENS_H */
