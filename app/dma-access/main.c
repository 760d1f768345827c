/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-dma-xd authors
 */

/*
 * dpdk-dma-access: the access broker of inter-domain DMA groups, and the
 * tool that administers it.
 *
 *   dpdk-dma-access [global options] daemon [options]    serve
 *   dpdk-dma-access [global options] token|group ...     administer
 *
 * Global options come before the command and say where the broker is and
 * how to print; each command parses the rest with its own options.
 */

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>

#include "dma_access_app.h"
#include "dma_access_broker.h"
#include "dma_access_proto.h"

static const char usage_head[] =
"Usage: " APP_NAME " [--socket PATH] [--json] [--timeout MS] COMMAND ...\n"
"\n"
"The access broker of inter-domain DMA groups, and its admin tool.\n"
"\n"
"Global options (before COMMAND):\n"
"  --socket PATH    broker socket (default: $RTE_DMA_ACCESS_SOCKET, else\n"
"                   /run/dpdk/dma-access.sock as root,\n"
"                   $XDG_RUNTIME_DIR/dpdk/dma-access.sock for other users,\n"
"                   /tmp/dpdk-dma-access-UID/dma-access.sock without\n"
"                   XDG_RUNTIME_DIR; applications use the same rules)\n"
"  --json           print results as JSON\n"
"  --timeout MS     wait at most MS ms for each reply (default 5000; 0: forever)\n"
"  -h, --help       this help;  -V, --version  the version\n"
"\n"
"Commands:\n";

static const char usage_daemon[] =
"  daemon [--state FILE] [--socket-mode OCTAL] [LIMIT N]...\n"
"        run the broker in the foreground until SIGTERM or SIGINT\n"
"        --state FILE       token file (default: /var/lib/dpdk-dma-access/tokens\n"
"                           as root, else $XDG_STATE_HOME/dpdk-dma-access/tokens\n"
"                           or ~/.local/state/dpdk-dma-access/tokens)\n"
"        --socket-mode M    socket permissions (default 0666)\n"
"        limits (see dpdk-dma-access(8)):\n"
"        --max-groups N     groups at once (default 1024, at most 32768)\n"
"        --max-members N    members per group (default 64, at most 65535)\n"
"        --max-conns N      connections at once (default 1024)\n"
"        --admin-conns N    of those, kept for root and the broker's uid (16)\n"
"        --max-conns-uid N  connections of one other uid (default 64)\n"
"        --msg-rate N       messages per second per connection (default 20000)\n"
"        --max-groups-uid N groups and grants one uid creates (default 64)\n"
"        --max-groups-token N  groups and grants of one token (default 64)\n"
"        --max-exports N    windows one connection exports (default 4096)\n"
"        --max-exports-uid N   windows one uid exports (default 8192)\n"
"        --max-export-fds N windows of all uids (default 16384)\n"
"        --max-window-gib N GiB of the windows of one uid (default 1024)\n"
"        --max-windows-recv N  windows one connection is sent (default 8192)\n"
"        --auth-fail-rate N failed token checks per second, all uids (default 50)\n";

static const char usage_token[] =
"  token issue [--uid U]... [--gid G]... [--ttl DURATION] [--max-members N]\n"
"              [--class any|A|B]\n"
"        issue a token; prints its secret, then \"id: ID\"\n"
"        --uid U, --gid G   admit only these users / groups (names or numbers,\n"
"                           up to 8 each; default: anyone)\n"
"        --ttl DURATION     expire after 30s, 15m, 2h, 7d, or N seconds\n"
"                           (default: never)\n"
"        --max-members N    members admitted at once (default: no limit)\n"
"        --class C          device class: any (default), A or B\n"
"  token list           list tokens (never their secrets)\n"
"  token revoke ID      revoke the token with public id ID\n";

static const char usage_group[] =
"  group list           list groups\n"
"  group show ID        list the members of group ID\n";

static const char usage_grant[] =
"  grant list           list Class B grants (owner, grantee, size, access)\n";

static const char usage_vm[] =
"  vm --name NAME --region PATH --chan SOCKET\n"
"        bind virtual machine NAME: relay its guests' broker connections\n"
"        from the socket of its virtio-serial port (QEMU's chardev, server)\n"
"        until SIGTERM or SIGINT; its guests share windows of PATH (the\n"
"        sealed memfd behind its ivshmem device, e.g. /proc/PID/fd/N of QEMU\n"
"        with memory-backend-memfd) and act with this process's credentials\n";

static const char usage_tail[] =
"  help [COMMAND]       this help\n"
"\n"
"Exit status: 0 success, 1 refused by the broker, 2 usage error,\n"
"3 broker unreachable. See dpdk-dma-access(8).\n";

bool
usage_print(const char *topic)
{
	static const struct {
		const char *name;
		const char *text;
	} topics[] = {
		{ "daemon", usage_daemon },
		{ "token", usage_token },
		{ "group", usage_group },
		{ "grant", usage_grant },
		{ "vm", usage_vm },
	};
	unsigned int i;

	if (topic == NULL) {
		fputs(usage_head, stdout);
		for (i = 0; i < RTE_DIM(topics); i++)
			fputs(topics[i].text, stdout);
		fputs(usage_tail, stdout);
		return true;
	}
	for (i = 0; i < RTE_DIM(topics); i++) {
		if (strcmp(topic, topics[i].name) == 0) {
			fputs(topics[i].text, stdout);
			return true;
		}
	}
	return false;
}

int
usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs(APP_NAME ": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nTry '" APP_NAME " --help'.\n", stderr);
	return APP_EXIT_USAGE;
}

int
usage_bad_option(int c, char **argv)
{
	static const char *const globals[] = { "--json", "--socket", "--timeout" };
	const char *arg = argv[optind - 1];
	unsigned int i;

	if (c == ':')
		return usage_error("option '%s' needs an argument", arg);
	if (optopt != 0)
		return usage_error("unknown option '-%c'", optopt);
	/* The commonest slip: a global option after the command. */
	for (i = 0; i < RTE_DIM(globals); i++)
		if (strncmp(arg, globals[i], strlen(globals[i])) == 0)
			return usage_error("'%s' is a global option: put it before the command",
				arg);
	return usage_error("unknown option '%s'", arg);
}

static int
parse_global(struct app_ctx *ctx, int argc, char **argv)
{
	enum { OPT_SOCKET = 256, OPT_JSON, OPT_TIMEOUT };
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, OPT_SOCKET },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "timeout", required_argument, NULL, OPT_TIMEOUT },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	uint32_t ms;
	int c;

	opterr = 0;
	/* '+': stop at the command, whose options are its own. */
	while ((c = getopt_long(argc, argv, "+:hV", opts, NULL)) != -1) {
		switch (c) {
		case OPT_SOCKET:
			if (optarg[0] == '\0')
				return usage_error("--socket: empty path");
			if (strlen(optarg) >= sizeof(ctx->socket_path))
				return usage_error("--socket: path too long (at most %zu bytes): %s",
					sizeof(ctx->socket_path) - 1, optarg);
			strcpy(ctx->socket_path, optarg);
			ctx->socket_explicit = true;
			break;
		case OPT_JSON:
			ctx->json = true;
			break;
		case OPT_TIMEOUT:
			if (parse_u32(optarg, 0, INT_MAX, &ms) != 0)
				return usage_error("--timeout: '%s' is not a number of milliseconds",
					optarg);
			ctx->timeout_ms = ms == 0 ? -1 : (int)ms;
			break;
		case 'h':
			usage_print(NULL);
			exit(APP_EXIT_OK);
		case 'V':
			printf(APP_NAME " (dpdk-dma-xd) %s, broker protocol %u\n",
				APP_VERSION, DXA_VERSION);
			exit(APP_EXIT_OK);
		default:
			return usage_bad_option(c, argv);
		}
	}
	if (!ctx->socket_explicit &&
			dxa_default_socket_path(ctx->socket_path,
				sizeof(ctx->socket_path)) != 0)
		return usage_error("the default socket path is too long (is RTE_DMA_ACCESS_SOCKET or XDG_RUNTIME_DIR too long?): use --socket");
	return APP_EXIT_OK;
}

int
main(int argc, char **argv)
{
	struct app_ctx ctx = { .timeout_ms = APP_DEFAULT_TIMEOUT_MS };
	const char *cmd;
	int ret;

	ret = parse_global(&ctx, argc, argv);
	if (ret != APP_EXIT_OK)
		return ret;
	if (optind >= argc)
		return usage_error("missing command (daemon, token, group or help)");
	cmd = argv[optind];
	argc -= optind;
	argv += optind;
	/* Each command parses its own argv from scratch. */
	optind = 0;
	if (strcmp(cmd, "daemon") == 0)
		return cmd_daemon(&ctx, argc, argv);
	if (strcmp(cmd, "token") == 0)
		return cmd_token(&ctx, argc, argv);
	if (strcmp(cmd, "group") == 0)
		return cmd_group(&ctx, argc, argv);
	if (strcmp(cmd, "grant") == 0)
		return cmd_grant(&ctx, argc, argv);
	if (strcmp(cmd, "vm") == 0)
		return cmd_vm(&ctx, argc, argv);
	if (strcmp(cmd, "help") == 0) {
		if (argc > 2)
			return usage_error("help: unexpected argument '%s'", argv[2]);
		if (!usage_print(argc > 1 ? argv[1] : NULL))
			return usage_error("help: unknown command '%s'", argv[1]);
		return APP_EXIT_OK;
	}
	return usage_error("unknown command '%s'", cmd);
}
