/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-dma-xd authors
 */

#ifndef DMA_ACCESS_APP_H
#define DMA_ACCESS_APP_H

/*
 * dpdk-dma-access: the access broker daemon and its admin tool, one binary.
 *
 *   main.c    global options, command dispatch, help
 *   daemon.c  "daemon": runs lib/dmadev's broker until SIGTERM/SIGINT
 *   admin.c   "token ...", "group ...": one broker connection, one request
 *             per reply, tables or JSON on stdout
 *   parse.c   argument parsers shared by both sides
 *
 * Every command returns one of the exit codes below; messages go to stderr
 * and name what was wrong, output goes to stdout.
 */

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/un.h>

#define APP_NAME "dpdk-dma-access"

/* Exit status, documented in dpdk-dma-access(8). */
enum app_exit {
	APP_EXIT_OK = 0,
	APP_EXIT_REFUSED = 1,     /* the broker (or the system) said no */
	APP_EXIT_USAGE = 2,       /* bad command line */
	APP_EXIT_UNREACHABLE = 3, /* no broker answering at the socket */
};

/* Admin calls wait this long for a reply unless --timeout says otherwise. */
#define APP_DEFAULT_TIMEOUT_MS 5000

/* What the global options decided; read-only for the commands. */
struct app_ctx {
	char socket_path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	bool socket_explicit;  /* from --socket, not the default */
	bool json;
	int timeout_ms;        /* -1: wait forever */
};

int cmd_daemon(const struct app_ctx *ctx, int argc, char **argv);
int cmd_token(const struct app_ctx *ctx, int argc, char **argv);
int cmd_group(const struct app_ctx *ctx, int argc, char **argv);
/* dpdk-dma-access grant list */
int cmd_grant(const struct app_ctx *ctx, int argc, char **argv);
int cmd_vm(const struct app_ctx *ctx, int argc, char **argv);

/* Print "dpdk-dma-access: <msg>" and the help hint; returns APP_EXIT_USAGE. */
int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * getopt_long() returned '?' or ':' (optstring starts with ':'): report the
 * offending argument. Returns APP_EXIT_USAGE.
 */
int usage_bad_option(int c, char **argv);

/*
 * Print the help of command @topic (NULL: everything) to stdout; false if
 * there is no such command.
 */
bool usage_print(const char *topic);

/*
 * Parsers: 0 on success, -EINVAL when @s is not what is asked for,
 * -ERANGE when it is out of [@min, @max]. Nothing is printed.
 */
int parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out);
/* 30s, 15m, 2h, 7d or plain seconds, > 0. */
int parse_duration(const char *s, uint64_t *seconds);
/* Octal permission bits, at most 0777. */
int parse_mode(const char *s, mode_t *mode);
/* A user or group name, or a number; -ENOENT for an unknown name. */
int parse_uid(const char *s, uint32_t *uid);
int parse_gid(const char *s, uint32_t *gid);
/* any, A or B (any case) to enum dxa_class. */
int parse_class(const char *s, uint8_t *dev_class);

/* Printable name of enum dxa_class. */
const char *class_name(uint8_t dev_class);
/* The same for a member's device: "software", "A", "B". */
const char *member_class_name(uint8_t dev_class);

#endif /* DMA_ACCESS_APP_H */
