/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-dma-xd authors
 */

/*
 * "daemon": run the access broker in the foreground.
 *
 * No EAL: the broker needs none, and rte_log writes to stderr without it.
 * The process does not fork (systemd runs it as Type=simple; by hand, put
 * it in the background with '&'). The line "listening on PATH" on stdout
 * says it is ready; SIGTERM or SIGINT stop it cleanly (exit 0), which
 * removes the socket and keeps the token file.
 */

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_log.h>

#include "dma_access_app.h"
#include "dma_access_broker.h"

#define STATE_DIR_MODE 0700
#define SOCKET_DIR_MODE 0755
#define DEFAULT_SOCKET_MODE 0666

#define DLOG(level, fmt, ...) \
	rte_log(RTE_LOG_ ## level, daemon_logtype, APP_NAME ": " fmt "\n", \
		##__VA_ARGS__)

static int daemon_logtype = RTE_LOGTYPE_USER1;

/*
 * The broker the signal handlers stop. Written only while SIGTERM and
 * SIGINT are blocked, so a handler never sees it change.
 */
static struct dxa_broker *running;
static volatile sig_atomic_t stop_signal;

static void
on_stop_signal(int sig)
{
	int saved = errno;

	stop_signal = sig;
	dxa_broker_stop(running); /* one write() to an eventfd */
	errno = saved;
}

/*
 * Default token file: a system one for root, the XDG state directory of
 * the user otherwise.
 */
static int
default_state_path(char *buf, size_t len)
{
	const char *xdg = getenv("XDG_STATE_HOME");
	const char *home = getenv("HOME");
	struct passwd *pw;
	int n;

	if (geteuid() == 0) {
		n = snprintf(buf, len, "/var/lib/dpdk-dma-access/tokens");
	} else if (xdg != NULL && xdg[0] == '/') {
		n = snprintf(buf, len, "%s/dpdk-dma-access/tokens", xdg);
	} else {
		if (home == NULL || home[0] != '/') {
			pw = getpwuid(geteuid());
			home = pw != NULL ? pw->pw_dir : NULL;
		}
		if (home == NULL)
			return -ENOENT;
		n = snprintf(buf, len, "%s/.local/state/dpdk-dma-access/tokens",
			home);
	}
	if (n < 0 || (size_t)n >= len)
		return -ENAMETOOLONG;
	return 0;
}

/*
 * Create the missing directories above the file @path with @mode (exactly:
 * the umask does not narrow it), then check the last one: a directory
 * another user owns lets that user replace our file there, so it is
 * refused. Returns 0 or -errno; logs why.
 */
static int
prepare_dir(const char *what, const char *path, mode_t mode)
{
	char dir[PATH_MAX];
	struct stat st;
	char *slash, *p;
	char c;
	int err;

	if (strlen(path) >= sizeof(dir))
		return -ENAMETOOLONG;
	strcpy(dir, path);
	slash = strrchr(dir, '/');
	if (slash == NULL)
		strcpy(dir, ".");
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	for (p = dir + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		c = *p;
		*p = '\0';
		if (mkdir(dir, mode) == 0) {
			if (chmod(dir, mode) != 0) {
				err = errno;
				DLOG(ERR, "cannot set the mode of %s: %s", dir,
					strerror(err));
				return -err;
			}
			DLOG(INFO, "created %s directory %s", what, dir);
		} else if (errno != EEXIST) {
			err = errno;
			DLOG(ERR, "cannot create %s directory %s: %s", what, dir,
				strerror(err));
			return -err;
		}
		*p = c;
		if (c == '\0')
			break;
	}
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		DLOG(ERR, "%s directory %s is not a directory", what, dir);
		return -ENOTDIR;
	}
	if (st.st_uid != geteuid() && st.st_uid != 0) {
		DLOG(ERR, "%s directory %s belongs to uid %u, who could replace our files there: choose another path",
			what, dir, (unsigned int)st.st_uid);
		return -EPERM;
	}
	if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0 &&
			(st.st_mode & S_ISVTX) == 0)
		DLOG(WARNING, "%s directory %s is writable by others (mode %04o): they could replace our files there",
			what, dir, (unsigned int)(st.st_mode & 07777));
	return 0;
}

/*
 * Two brokers on one token file would each rewrite it from their own table
 * and lose the other's tokens: hold "<state>.lock" for the daemon's life.
 * Returns the lock's fd, or -errno (-EBUSY: another broker holds it).
 */
static int
lock_state(const char *state)
{
	char path[PATH_MAX];
	int fd, err;

	if (snprintf(path, sizeof(path), "%s.lock", state) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		err = errno;
		DLOG(ERR, "cannot open %s: %s", path, strerror(err));
		return -err;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		err = errno == EWOULDBLOCK ? EBUSY : errno;
		if (err == EBUSY)
			DLOG(ERR, "token file %s is in use by another broker (%s is locked)",
				state, path);
		else
			DLOG(ERR, "cannot lock %s: %s", path, strerror(err));
		close(fd);
		return -err;
	}
	return fd;
}

/*
 * Each connection and each window is a descriptor: let the soft limit
 * allow them all (the broker takes what does not fit from the windows).
 */
static void
raise_fd_limit(uint32_t max_conns, uint32_t max_export_fds)
{
	rlim_t want = (rlim_t)max_conns + max_export_fds + DXA_SPARE_FDS;
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= want)
		return;
	rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > want ?
		want : rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur < want)
		DLOG(WARNING, "open files limited to %lu: fewer than %u connections and %u windows will be held",
			(unsigned long)rl.rlim_cur, max_conns, max_export_fds);
}

/* dxa_broker_create() failed with @err: say why in the admin's terms. */
static void
report_create_error(const struct dxa_broker_conf *conf, int err)
{
	struct stat st;

	switch (-err) {
	case EADDRINUSE:
		DLOG(ERR, "a broker is already listening at %s", conf->socket_path);
		return;
	case EBADMSG:
		DLOG(ERR, "token file %s is damaged: move it aside to start with no tokens",
			conf->state_path);
		return;
	case EPERM:
		if (lstat(conf->state_path, &st) == 0 &&
				(!S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
				 (st.st_mode & 077) != 0)) {
			DLOG(ERR, "token file %s refused: it must be a regular file owned by uid %u with mode 0600 (it is %s, uid %u, mode %04o)",
				conf->state_path, (unsigned int)geteuid(),
				S_ISREG(st.st_mode) ? "a file" : "not a file",
				(unsigned int)st.st_uid,
				(unsigned int)(st.st_mode & 07777));
			return;
		}
		break;
	default:
		break;
	}
	DLOG(ERR, "cannot start the broker at %s (token file %s): %s",
		conf->socket_path, conf->state_path, strerror(-err));
}

static int
parse_daemon_options(struct dxa_broker_conf *conf, char *state, size_t len,
		int argc, char **argv, bool *help)
{
	enum {
		OPT_STATE = 256, OPT_SOCKET_MODE, OPT_MAX_GROUPS,
		OPT_MAX_MEMBERS, OPT_MAX_CONNS, OPT_MSG_RATE, OPT_ADMIN_CONNS,
		OPT_MAX_CONNS_UID, OPT_MAX_GROUPS_UID, OPT_MAX_GROUPS_TOKEN,
		OPT_MAX_EXPORTS, OPT_MAX_EXPORTS_UID, OPT_MAX_EXPORT_FDS,
		OPT_MAX_WINDOW_GIB, OPT_MAX_WINDOWS_RECV, OPT_AUTH_FAIL_RATE,
	};
	static const struct option opts[] = {
		{ "state", required_argument, NULL, OPT_STATE },
		{ "socket-mode", required_argument, NULL, OPT_SOCKET_MODE },
		{ "max-groups", required_argument, NULL, OPT_MAX_GROUPS },
		{ "max-members", required_argument, NULL, OPT_MAX_MEMBERS },
		{ "max-conns", required_argument, NULL, OPT_MAX_CONNS },
		{ "msg-rate", required_argument, NULL, OPT_MSG_RATE },
		{ "admin-conns", required_argument, NULL, OPT_ADMIN_CONNS },
		{ "max-conns-uid", required_argument, NULL, OPT_MAX_CONNS_UID },
		{ "max-groups-uid", required_argument, NULL,
			OPT_MAX_GROUPS_UID },
		{ "max-groups-token", required_argument, NULL,
			OPT_MAX_GROUPS_TOKEN },
		{ "max-exports", required_argument, NULL, OPT_MAX_EXPORTS },
		{ "max-exports-uid", required_argument, NULL,
			OPT_MAX_EXPORTS_UID },
		{ "max-export-fds", required_argument, NULL,
			OPT_MAX_EXPORT_FDS },
		{ "max-window-gib", required_argument, NULL,
			OPT_MAX_WINDOW_GIB },
		{ "max-windows-recv", required_argument, NULL,
			OPT_MAX_WINDOWS_RECV },
		{ "auth-fail-rate", required_argument, NULL,
			OPT_AUTH_FAIL_RATE },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	/* Bounds: group ids are int16_t, member counts uint16_t. */
	static const struct {
		int opt;
		const char *name;
		uint32_t max;
		size_t off;
	} limits[] = {
		{ OPT_MAX_GROUPS, "--max-groups", INT16_MAX + 1,
			offsetof(struct dxa_broker_conf, max_groups) },
		{ OPT_MAX_MEMBERS, "--max-members", UINT16_MAX,
			offsetof(struct dxa_broker_conf, max_members) },
		{ OPT_MAX_CONNS, "--max-conns", 1u << 20,
			offsetof(struct dxa_broker_conf, max_conns) },
		{ OPT_MSG_RATE, "--msg-rate", UINT32_MAX,
			offsetof(struct dxa_broker_conf, msg_rate) },
		{ OPT_ADMIN_CONNS, "--admin-conns", 1u << 16,
			offsetof(struct dxa_broker_conf, admin_conns) },
		{ OPT_MAX_CONNS_UID, "--max-conns-uid", 1u << 20,
			offsetof(struct dxa_broker_conf, max_conns_uid) },
		{ OPT_MAX_GROUPS_UID, "--max-groups-uid", INT16_MAX + 1,
			offsetof(struct dxa_broker_conf, max_groups_uid) },
		{ OPT_MAX_GROUPS_TOKEN, "--max-groups-token", INT16_MAX + 1,
			offsetof(struct dxa_broker_conf, max_groups_token) },
		{ OPT_MAX_EXPORTS, "--max-exports", 1u << 20,
			offsetof(struct dxa_broker_conf, max_exports) },
		{ OPT_MAX_EXPORTS_UID, "--max-exports-uid", 1u << 20,
			offsetof(struct dxa_broker_conf, max_exports_uid) },
		{ OPT_MAX_EXPORT_FDS, "--max-export-fds", 1u << 20,
			offsetof(struct dxa_broker_conf, max_export_fds) },
		/* 2^48 bytes: the largest window. */
		{ OPT_MAX_WINDOW_GIB, "--max-window-gib", 1u << 18, SIZE_MAX },
		{ OPT_MAX_WINDOWS_RECV, "--max-windows-recv", 1u << 20,
			offsetof(struct dxa_broker_conf, max_windows_recv) },
		{ OPT_AUTH_FAIL_RATE, "--auth-fail-rate", UINT32_MAX,
			offsetof(struct dxa_broker_conf, auth_fail_rate) },
	};
	uint32_t v;
	unsigned int i;
	int c, ret;

	*help = false;
	state[0] = '\0';
	while ((c = getopt_long(argc, argv, "+:h", opts, NULL)) != -1) {
		switch (c) {
		case OPT_STATE:
			if (optarg[0] == '\0')
				return usage_error("--state: empty path");
			if (strlen(optarg) >= len)
				return usage_error("--state: path too long: %s",
					optarg);
			strcpy(state, optarg);
			break;
		case OPT_SOCKET_MODE:
			if (parse_mode(optarg, &conf->socket_mode) != 0)
				return usage_error("--socket-mode: '%s' is not an octal mode such as 0660",
					optarg);
			break;
		case OPT_MAX_GROUPS:
		case OPT_MAX_MEMBERS:
		case OPT_MAX_CONNS:
		case OPT_MSG_RATE:
		case OPT_ADMIN_CONNS:
		case OPT_MAX_CONNS_UID:
		case OPT_MAX_GROUPS_UID:
		case OPT_MAX_GROUPS_TOKEN:
		case OPT_MAX_EXPORTS:
		case OPT_MAX_EXPORTS_UID:
		case OPT_MAX_EXPORT_FDS:
		case OPT_MAX_WINDOW_GIB:
		case OPT_MAX_WINDOWS_RECV:
		case OPT_AUTH_FAIL_RATE:
			for (i = 0; limits[i].opt != c; i++)
				;
			ret = parse_u32(optarg, 1, limits[i].max, &v);
			if (ret != 0)
				return usage_error("%s: '%s' is not a number from 1 to %u",
					limits[i].name, optarg, limits[i].max);
			if (c == OPT_MAX_WINDOW_GIB)
				conf->max_window_bytes_uid = (uint64_t)v << 30;
			else
				*(uint32_t *)((char *)conf + limits[i].off) = v;
			break;
		case 'h':
			usage_print("daemon");
			*help = true;
			return APP_EXIT_OK;
		default:
			return usage_bad_option(c, argv);
		}
	}
	if (optind < argc)
		return usage_error("daemon: unexpected argument '%s'",
			argv[optind]);
	return APP_EXIT_OK;
}

int
cmd_daemon(const struct app_ctx *ctx, int argc, char **argv)
{
	struct dxa_broker_conf conf = {
		.socket_path = ctx->socket_path,
		.socket_mode = DEFAULT_SOCKET_MODE,
	};
	struct sigaction sa = { .sa_handler = on_stop_signal };
	sigset_t stop_set, old_set;
	char state[PATH_MAX];
	struct dxa_broker *b;
	int ret, err, lock_fd;
	bool help;

	ret = parse_daemon_options(&conf, state, sizeof(state), argc, argv,
		&help);
	if (ret != APP_EXIT_OK || help)
		return ret;
	if (state[0] == '\0') {
		err = default_state_path(state, sizeof(state));
		if (err != 0)
			return usage_error("no default token file (HOME unset or too long): use --state");
	}
	conf.state_path = state;

	ret = rte_log_register_type_and_pick_level(APP_NAME, RTE_LOG_INFO);
	if (ret >= 0)
		daemon_logtype = ret;
	conf.logtype = daemon_logtype;

	/* Whatever the daemon creates itself is private; the socket is chmod'ed. */
	umask(077);
	if (prepare_dir("state", state, STATE_DIR_MODE) != 0 ||
			prepare_dir("socket", conf.socket_path,
				SOCKET_DIR_MODE) != 0)
		return APP_EXIT_REFUSED;
	lock_fd = lock_state(state);
	if (lock_fd < 0)
		return APP_EXIT_REFUSED;
	raise_fd_limit(conf.max_conns != 0 ? conf.max_conns :
		DXA_DEFAULT_MAX_CONNS, conf.max_export_fds != 0 ?
		conf.max_export_fds : DXA_DEFAULT_MAX_EXPORT_FDS);

	/*
	 * A stop signal that comes before the broker exists stays pending
	 * until it does, then stops it: the broker's stop is latched.
	 */
	sigemptyset(&stop_set);
	sigaddset(&stop_set, SIGTERM);
	sigaddset(&stop_set, SIGINT);
	sigprocmask(SIG_BLOCK, &stop_set, &old_set);
	sa.sa_mask = stop_set;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	/* A member gone mid-reply is the broker's business, not a crash. */
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);

	b = dxa_broker_create(&conf, &err);
	if (b == NULL) {
		report_create_error(&conf, err);
		sigprocmask(SIG_SETMASK, &old_set, NULL);
		close(lock_fd);
		return APP_EXIT_REFUSED;
	}
	running = b;
	dxa_broker_limits(b, &conf);
	DLOG(INFO, "token file %s, socket mode %04o, at most %u groups of %u members, %u connections (%u for admins, %u per uid), %u messages/s each",
		conf.state_path, (unsigned int)conf.socket_mode,
		conf.max_groups, conf.max_members, conf.max_conns,
		conf.admin_conns, conf.max_conns_uid, conf.msg_rate);
	DLOG(INFO, "per uid: %u groups, %u windows of %" PRIu64 " GiB; per token %u groups; per connection %u windows exported, %u received; %u window descriptors in all; %u failed token checks/s in all",
		conf.max_groups_uid, conf.max_exports_uid,
		conf.max_window_bytes_uid >> 30, conf.max_groups_token,
		conf.max_exports, conf.max_windows_recv, conf.max_export_fds,
		conf.auth_fail_rate);
	printf("listening on %s\n", conf.socket_path);
	fflush(stdout);

	sigprocmask(SIG_SETMASK, &old_set, NULL);
	ret = dxa_broker_run(b);
	sigprocmask(SIG_BLOCK, &stop_set, NULL);

	running = NULL;
	dxa_broker_destroy(b);
	close(lock_fd);
	if (ret != 0) {
		DLOG(ERR, "broker failed: %s", strerror(-ret));
		return APP_EXIT_REFUSED;
	}
	DLOG(INFO, "stopped by %s", stop_signal == SIGINT ? "SIGINT" :
		"SIGTERM");
	return APP_EXIT_OK;
}
