/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-dma-xd authors
 */

/*
 * Multi-process tests of the access pair group control plane: real member
 * processes (test_access_peer, one EAL process each, driven line by line
 * over pipes), the real broker (dpdk-dma-access daemon, or the library's
 * embedded one) and the real admin tool. Error paths first: every errno
 * the group API documents, produced across processes; then handlers,
 * events (with their latency after a kill -9, and callbacks that call the
 * API back), the driver hooks, token persistence, expiry, revocation and
 * uid policy, the embedded broker, a broker that is sent garbage, and a
 * broker (played by this program) that fails the library.
 *
 * This program has no EAL of its own. It finds its helpers in the
 * environment (meson sets both):
 *   XD_PEER    test_access_peer
 *   XD_ACCESS  dpdk-dma-access; while it is not built, the tests that need
 *              a daemon or the admin tool skip and say so.
 *
 * Each test has its own directory (socket, token file, runtime directory
 * of the processes run as another uid), its own processes and EAL file
 * prefixes: the tests can run in parallel with anything. The per-test
 * teardown ends every process it started and removes what they left, also
 * when the test failed; the group teardown repeats it for a test whose
 * teardown could not run.
 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <uuid/uuid.h>

#include "dma_access_broker.h"
#include "dma_access_conn.h"
#include "dma_access_proto.h"

#define NOBODY 65534
#define DIM(a) (sizeof(a) / sizeof((a)[0]))
#define MIN_OF(a, b) ((a) < (b) ? (a) : (b))
#define MAX_PROCS 12
#define LINE_LEN 256
#define MAX_PENDING 32
#define NIL_UUID "00000000-0000-0000-0000-000000000000"

/* Longest wait for a reply: above the library's 5 s broker timeout. */
#define REPLY_TIMEOUT_MS 10000
/* Process start-up (EAL init, daemon bind). */
#define START_TIMEOUT_MS 10000
/*
 * Event delivery after a member dies: at once, from the kernel's closing of
 * its socket, never from a timeout. The latency itself is printed; the
 * bound here only tells "at once" from "after a timeout" on a loaded CI
 * machine (a timed unit test is no benchmark).
 */
#define EVENT_LATENCY_NS (1000 * 1000 * 1000ull)
/* How long to wait for an event that is not latency-bound. */
#define EVENT_TIMEOUT_MS 3000
/* How long a process gets to exit cleanly at teardown. */
#define EXIT_TIMEOUT_MS 3000

enum proc_kind { PROC_PEER, PROC_DAEMON, PROC_TOOL };

struct proc {
	bool used;
	enum proc_kind kind;
	char name[16];
	pid_t pid;        /* 0 once reaped */
	int status;       /* waitpid() status, once reaped */
	uid_t uid;
	int in;           /* its stdin; -1 when it has none or it was closed */
	int out;          /* its stdout */
	char buf[4096];   /* bytes read, not yet a whole line */
	size_t len;
	/* event lines read while waiting for a reply */
	char pending[MAX_PENDING][LINE_LEN];
	unsigned int nb_pending;
	char domain[37];  /* a peer's domain id */
	char cmd[LINE_LEN]; /* the last command sent */
	char log[128];    /* its captured stderr, or "" */
};

struct fixture {
	char dir[64];     /* mkdtemp(), mode 0755: other uids reach the socket */
	char sock[96];
	char state[96];
	char xdg[96];     /* XDG_RUNTIME_DIR of processes run as NOBODY */
	struct proc procs[MAX_PROCS];
	/* This process posing as a broker: listening and accepted sockets. */
	int fake_listen;
	int fake_conn;
};

/* How a process is started. */
struct spawn_opts {
	uid_t uid;           /* 0: this process's uid */
	const char *broker;  /* RTE_DMA_ACCESS_BROKER, or NULL: unset */
	const char *sock;    /* RTE_DMA_ACCESS_SOCKET, or NULL: the fixture's */
	bool log;            /* its stderr to a file, for proc_log_has() */
};

struct event {
	int group;
	char domain[37];
	char type[24];
	uint64_t ns;
};

struct hooks {
	unsigned int attach, detach, left;
	int group;
	unsigned int handler, left_handler;
};

/* What a peer's event callback recorded. */
struct cbinfo {
	unsigned int calls;
	char thread[16];
	int react;      /* status of its last API call; 1: it made none */
};

/* The fixture of the running test, for the group teardown. */
static struct fixture *live;

/* ---- time, paths ------------------------------------------------------ */

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void
sleep_ms(unsigned int ms)
{
	struct timespec ts = {
		.tv_sec = ms / 1000,
		.tv_nsec = (long)(ms % 1000) * 1000000,
	};

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static const char *
peer_path(void)
{
	return getenv("XD_PEER");
}

/* The daemon and admin binary, or NULL while it is not built. */
static const char *
access_path(void)
{
	const char *p = getenv("XD_ACCESS");

	if (p == NULL || p[0] == '\0' || access(p, X_OK) != 0)
		return NULL;
	return p;
}

static void
require_access(void)
{
	if (access_path() != NULL)
		return;
	print_message("dpdk-dma-access is not built (XD_ACCESS=%s): this test needs the daemon or the admin tool, skipped\n",
		getenv("XD_ACCESS") != NULL ? getenv("XD_ACCESS") : "unset");
	skip();
}

static void
require_root(void)
{
	if (geteuid() == 0)
		return;
	print_message("not root: this test runs processes as uid %u, skipped\n",
		NOBODY);
	skip();
}

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void
random_uuid(char out[37])
{
	uuid_t u;

	uuid_generate_random(u);
	uuid_unparse_lower(u, out);
}

/* ---- processes -------------------------------------------------------- */

/* Drop to @uid in a child, before exec: supplementary groups, gid, uid. */
static void
child_become(uid_t uid)
{
	if (uid == 0 || uid == geteuid())
		return;
	if (setgroups(0, NULL) != 0 || setgid(uid) != 0 || setuid(uid) != 0)
		_exit(126);
}

/*
 * Start @argv with its stdout on a pipe (and its stdin on one too when
 * @with_stdin), as @o says (NULL: as this process, the fixture's socket,
 * RTE_DMA_ACCESS_BROKER unset). This process has one thread, so the child
 * may set its environment between fork and exec.
 */
static struct proc *
spawn(struct fixture *f, enum proc_kind kind, const char *name,
		char *const argv[], const struct spawn_opts *o, bool with_stdin)
{
	static const struct spawn_opts defaults;
	uid_t uid;
	int in[2] = { -1, -1 }, out[2], err = -1;
	pid_t parent = getpid();
	struct proc *p = NULL;
	unsigned int i;

	if (o == NULL)
		o = &defaults;
	uid = o->uid;
	for (i = 0; i < MAX_PROCS && p == NULL; i++)
		if (!f->procs[i].used)
			p = &f->procs[i];
	assert_non_null(p);
	memset(p, 0, sizeof(*p));
	if (o->log) {
		snprintf(p->log, sizeof(p->log), "%s/%s-%u.log", f->dir, name,
			(unsigned int)(p - f->procs));
		err = open(p->log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
			0644);
		assert_true(err >= 0);
	}
	assert_int_equal(pipe2(out, O_CLOEXEC), 0);
	if (with_stdin)
		assert_int_equal(pipe2(in, O_CLOEXEC), 0);
	/* Nothing buffered may be written twice by the child. */
	fflush(stdout);
	fflush(stderr);
	p->pid = fork();
	if (p->pid < 0) {
		close(out[0]);
		close(out[1]);
		if (with_stdin) {
			close(in[0]);
			close(in[1]);
		}
		fail_msg("fork: %s", strerror(errno));
	}
	if (p->pid == 0) {
		int null = open("/dev/null", O_RDONLY | O_CLOEXEC);

		if (dup2(with_stdin ? in[0] : null, STDIN_FILENO) < 0 ||
				dup2(out[1], STDOUT_FILENO) < 0 ||
				(err >= 0 && dup2(err, STDERR_FILENO) < 0))
			_exit(126);
		setenv("RTE_DMA_ACCESS_SOCKET",
			o->sock != NULL ? o->sock : f->sock, 1);
		if (o->broker != NULL)
			setenv("RTE_DMA_ACCESS_BROKER", o->broker, 1);
		else
			unsetenv("RTE_DMA_ACCESS_BROKER");
		if (uid != 0 && uid != geteuid()) {
			/* EAL of a non-root process keeps its files there. */
			setenv("XDG_RUNTIME_DIR", f->xdg, 1);
			setenv("HOME", f->xdg, 1);
		}
		child_become(uid);
		/* This process ignores SIGPIPE; exec would pass that on. */
		signal(SIGPIPE, SIG_DFL);
		/* After the uid change, which clears it: die with the test. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(126);
		execv(argv[0], argv);
		_exit(127);
	}
	if (err >= 0)
		close(err);
	p->used = true;
	p->kind = kind;
	p->uid = uid;
	snprintf(p->name, sizeof(p->name), "%s", name);
	close(out[1]);
	p->out = out[0];
	p->in = -1;
	if (with_stdin) {
		close(in[0]);
		p->in = in[1];
	}
	return p;
}

/*
 * Whether @p's captured stderr (spawn_opts.log) holds @needle: the log
 * lines a call writes come before its reply, so after a reply they are
 * there.
 */
static bool
proc_log_has(const struct proc *p, const char *needle)
{
	static char buf[1 << 16];
	ssize_t n;
	int fd;

	assert_true(p->log[0] != '\0');
	fd = open(p->log, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	assert_true(n >= 0);
	buf[n] = '\0';
	return strstr(buf, needle) != NULL;
}

/* Reap @p if it has exited; true once it has. */
static bool
proc_reaped(struct proc *p, bool block)
{
	pid_t r;

	if (p->pid == 0)
		return true;
	do {
		r = waitpid(p->pid, &p->status, block ? 0 : WNOHANG);
	} while (r < 0 && errno == EINTR);
	if (r == 0)
		return false;
	p->pid = 0;
	return true;
}

/*
 * The next line of @p's stdout, without its newline. Returns 0, -ETIMEDOUT
 * at @deadline, or -EPIPE when @p closed its stdout.
 */
static int
read_line(struct proc *p, char *line, size_t size, uint64_t deadline)
{
	struct pollfd pfd = { .fd = p->out, .events = POLLIN };
	char *nl;
	ssize_t n;
	int64_t left;

	for (;;) {
		nl = memchr(p->buf, '\n', p->len);
		if (nl != NULL) {
			size_t l = (size_t)(nl - p->buf);

			snprintf(line, size, "%.*s", (int)l, p->buf);
			memmove(p->buf, nl + 1, p->len - l - 1);
			p->len -= l + 1;
			return 0;
		}
		if (p->len == sizeof(p->buf))
			return -EPIPE; /* a line longer than any we print */
		left = (int64_t)(deadline - now_ns());
		if (left <= 0)
			return -ETIMEDOUT;
		if (poll(&pfd, 1, (int)(left / 1000000) + 1) < 0 &&
				errno != EINTR)
			return -errno;
		if (pfd.revents == 0)
			continue;
		n = read(p->out, p->buf + p->len, sizeof(p->buf) - p->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -EPIPE;
		p->len += (size_t)n;
	}
}

static bool
is_event(const char *line)
{
	return strncmp(line, "event ", 6) == 0;
}

static void
queue_event(struct proc *p, const char *line)
{
	if (p->nb_pending == MAX_PENDING)
		fail_msg("%s: more than %u unexpected events", p->name,
			MAX_PENDING);
	snprintf(p->pending[p->nb_pending++], LINE_LEN, "%s", line);
}

/* Start a peer and wait for its "ready DOMAIN". */
static struct proc *
peer_start(struct fixture *f, const char *name, const struct spawn_opts *o)
{
	char *argv[] = { (char *)(uintptr_t)peer_path(), NULL };
	char line[LINE_LEN];
	struct proc *p;
	int ret;

	assert_non_null(argv[0]);
	p = spawn(f, PROC_PEER, name, argv, o, true);
	ret = read_line(p, line, sizeof(line),
		now_ns() + START_TIMEOUT_MS * 1000000ull);
	if (ret != 0 || strncmp(line, "ready ", 6) != 0 ||
			strlen(line + 6) != 36)
		fail_msg("peer %s did not start: %s", name,
			ret != 0 ? strerror(-ret) : line);
	snprintf(p->domain, sizeof(p->domain), "%s", line + 6);
	return p;
}

/* A peer of the daemon tests: never falls back to an embedded broker. */
static struct proc *
member_start(struct fixture *f, const char *name)
{
	static const struct spawn_opts daemon_only = { .broker = "daemon" };

	return peer_start(f, name, &daemon_only);
}

/* Send one command; its reply is read by peer_wait_ok/_err(). */
static void
peer_vpost(struct proc *p, const char *fmt, va_list ap)
{
	char line[LINE_LEN + 1];
	int n;

	n = vsnprintf(p->cmd, sizeof(p->cmd), fmt, ap);
	assert_true(n > 0 && (size_t)n < sizeof(p->cmd));
	snprintf(line, sizeof(line), "%s\n", p->cmd);
	if (write(p->in, line, (size_t)n + 1) != n + 1)
		fail_msg("%s: cannot send '%s': %s", p->name, p->cmd,
			strerror(errno));
}

static void __attribute__((format(printf, 2, 3)))
peer_post(struct proc *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	peer_vpost(p, fmt, ap);
	va_end(ap);
}

/*
 * The reply to the last command; events read meanwhile are kept for
 * peer_event(). A peer that dies or hangs fails the test.
 */
static void
peer_reply(struct proc *p, char reply[LINE_LEN])
{
	uint64_t deadline = now_ns() + REPLY_TIMEOUT_MS * 1000000ull;
	int ret;

	for (;;) {
		ret = read_line(p, reply, LINE_LEN, deadline);
		if (ret != 0)
			fail_msg("%s: no reply to '%s': %s", p->name, p->cmd,
				strerror(-ret));
		if (!is_event(reply))
			return;
		queue_event(p, reply);
	}
}

/* The last command must have succeeded: what follows "ok " (or ""). */
static const char *
peer_wait_ok(struct proc *p, char reply[LINE_LEN])
{
	peer_reply(p, reply);
	if (strcmp(reply, "ok") == 0)
		return reply + 2;
	if (strncmp(reply, "ok ", 3) != 0)
		fail_msg("%s: '%s' -> '%s', expected ok", p->name, p->cmd,
			reply);
	return reply + 3;
}

/* The last command must have failed with @want (a negative errno). */
static void
peer_wait_err(struct proc *p, int want)
{
	char reply[LINE_LEN], expect[32];

	peer_reply(p, reply);
	snprintf(expect, sizeof(expect), "err %d", want);
	if (strcmp(reply, expect) != 0)
		fail_msg("%s: '%s' -> '%s', expected '%s' (%s)", p->name,
			p->cmd, reply, expect, strerror(-want));
}

/* A command that must succeed: returns what follows "ok " (or ""). */
static const char * __attribute__((format(printf, 3, 4)))
peer_ok(struct proc *p, char reply[LINE_LEN], const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	peer_vpost(p, fmt, ap);
	va_end(ap);
	return peer_wait_ok(p, reply);
}

/* A command that must fail with @want (a negative errno). */
static void __attribute__((format(printf, 3, 4)))
peer_err(struct proc *p, int want, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	peer_vpost(p, fmt, ap);
	va_end(ap);
	peer_wait_err(p, want);
}

/* create, returning the group id. */
static int
group_create_on(struct proc *p, char dev, const char *token)
{
	char reply[LINE_LEN];
	int gid;

	gid = atoi(peer_ok(p, reply, "create %c %s", dev, token));
	assert_in_range(gid, 0, INT16_MAX);
	return gid;
}

static int
group_create(struct proc *p, const char *token)
{
	return group_create_on(p, 'p', token);
}

static unsigned int
handler_get(struct proc *p, int gid, const struct proc *of)
{
	char reply[LINE_LEN];
	unsigned int h;

	h = (unsigned int)atoi(peer_ok(p, reply, "handler p %d %s", gid,
		of->domain));
	if (h == 0 || h > UINT16_MAX)
		fail_msg("%s: handler of %s in group %d is %u", p->name,
			of->name, gid, h);
	return h;
}

static struct hooks
hooks_get(struct proc *p)
{
	char reply[LINE_LEN];
	struct hooks h;

	assert_int_equal(sscanf(peer_ok(p, reply, "hooks p"),
		"attach=%u detach=%u left=%u group=%d handler=%u left_handler=%u",
		&h.attach, &h.detach, &h.left, &h.group, &h.handler,
		&h.left_handler), 6);
	return h;
}

static struct cbinfo
cbinfo_get(struct proc *p)
{
	char reply[LINE_LEN];
	struct cbinfo cb;

	assert_int_equal(sscanf(peer_ok(p, reply, "cbinfo"),
		"calls=%u thread=%15s react=%d", &cb.calls, cb.thread,
		&cb.react), 3);
	return cb;
}

/* The callbacks ran on the library's event thread, as documented. */
static void
assert_event_thread(struct proc *p, unsigned int calls)
{
	struct cbinfo cb = cbinfo_get(p);

	assert_int_equal(cb.calls, calls);
	assert_string_equal(cb.thread, "dma-xd-event");
}

/* "quit": the peer must exit cleanly, its memberships ending with it. */
static void
peer_quit(struct proc *p)
{
	uint64_t deadline;
	char reply[LINE_LEN];

	peer_ok(p, reply, "quit");
	deadline = now_ns() + EXIT_TIMEOUT_MS * 1000000ull;
	while (!proc_reaped(p, false) && now_ns() < deadline)
		sleep_ms(5);
	if (p->pid != 0)
		fail_msg("%s did not exit within %u ms of quit", p->name,
			EXIT_TIMEOUT_MS);
	assert_true(WIFEXITED(p->status));
	assert_int_equal(WEXITSTATUS(p->status), 0);
}

static void
parse_event(const struct proc *p, const char *line, struct event *ev)
{
	if (sscanf(line, "event %d %36s %23s %" SCNu64, &ev->group,
			ev->domain, ev->type, &ev->ns) != 4)
		fail_msg("%s: bad event line '%s'", p->name, line);
}

/*
 * Wait for the next event of @p, at most @timeout_ms; it must be @type for
 * group @gid from @domain (NULL: any domain).
 */
static void
peer_event(struct proc *p, const char *type, int gid, const char *domain,
		unsigned int timeout_ms, struct event *ev)
{
	char line[LINE_LEN];
	int ret;

	if (p->nb_pending > 0) {
		snprintf(line, sizeof(line), "%s", p->pending[0]);
		memmove(p->pending[0], p->pending[1],
			(p->nb_pending - 1) * sizeof(p->pending[0]));
		p->nb_pending--;
	} else {
		ret = read_line(p, line, sizeof(line),
			now_ns() + timeout_ms * 1000000ull);
		if (ret != 0)
			fail_msg("%s: no %s event for group %d within %u ms: %s",
				p->name, type, gid, timeout_ms, strerror(-ret));
		if (!is_event(line))
			fail_msg("%s: '%s' while waiting for an event",
				p->name, line);
	}
	parse_event(p, line, ev);
	if (strcmp(ev->type, type) != 0 || ev->group != gid ||
			(domain != NULL && strcmp(ev->domain, domain) != 0))
		fail_msg("%s: got '%s', expected %s of group %d from %s",
			p->name, line, type, gid,
			domain != NULL ? domain : "any domain");
}

/* @p must get no event within @ms. */
static void
peer_no_event(struct proc *p, unsigned int ms)
{
	char line[LINE_LEN];
	int ret;

	if (p->nb_pending > 0)
		fail_msg("%s: unexpected '%s'", p->name, p->pending[0]);
	ret = read_line(p, line, sizeof(line), now_ns() + ms * 1000000ull);
	if (ret == 0)
		fail_msg("%s: unexpected '%s'", p->name, line);
	assert_int_equal(ret, -ETIMEDOUT);
}

/*
 * A killed peer leaves its EAL runtime directory, RUNTIME/dpdk/PREFIX
 * (test_eal.c: PREFIX is xdtest-accesspeer-PID): RUNTIME is /var/run for
 * root, else $XDG_RUNTIME_DIR or /tmp. Those of peers run as NOBODY are in
 * the fixture's directory and go with it.
 */
static void
peer_runtime_remove(const struct proc *p, pid_t pid)
{
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	char path[PATH_MAX];

	if (p->kind != PROC_PEER || (p->uid != 0 && p->uid != geteuid()))
		return;
	snprintf(path, sizeof(path), "%s/dpdk/xdtest-accesspeer-%d",
		geteuid() == 0 ? "/var/run" : xdg != NULL ? xdg : "/tmp",
		(int)pid);
	nftw(path, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}

/* kill -9 @p and reap it; returns CLOCK_MONOTONIC just before the kill. */
static uint64_t
proc_kill9(struct proc *p)
{
	pid_t pid = p->pid;
	uint64_t t;

	assert_true(pid > 0);
	t = now_ns();
	assert_int_equal(kill(pid, SIGKILL), 0);
	proc_reaped(p, true);
	peer_runtime_remove(p, pid);
	return t;
}

/* ---- the admin tool and the daemon ------------------------------------ */

/*
 * Run "dpdk-dma-access --socket SOCK ARGS..." as @uid; its stdout goes to
 * @out. Returns its exit status.
 */
static int
cli(struct fixture *f, uid_t uid, char *out, size_t size, ...)
{
	const struct spawn_opts o = { .uid = uid };
	char *argv[16];
	char line[LINE_LEN];
	uint64_t deadline = now_ns() + REPLY_TIMEOUT_MS * 1000000ull;
	struct proc *p;
	unsigned int n = 0;
	size_t used = 0;
	va_list ap;
	int ret;

	argv[n++] = (char *)(uintptr_t)access_path();
	argv[n++] = (char *)(uintptr_t)"--socket";
	argv[n++] = f->sock;
	va_start(ap, size);
	while ((argv[n] = va_arg(ap, char *)) != NULL)
		assert_true(++n < 16);
	va_end(ap);
	p = spawn(f, PROC_TOOL, "cli", argv, &o, false);
	if (out != NULL && size > 0)
		out[0] = '\0';
	while ((ret = read_line(p, line, sizeof(line), deadline)) == 0) {
		if (out != NULL && used < size)
			used += (size_t)snprintf(out + used, size - used,
				"%s\n", line);
	}
	if (ret == -ETIMEDOUT)
		kill(p->pid, SIGKILL);
	proc_reaped(p, true);
	close(p->out);
	p->used = false;
	assert_int_not_equal(ret, -ETIMEDOUT);
	return WIFEXITED(p->status) ? WEXITSTATUS(p->status) : -1;
}

/* token issue [OPTIONS]: the secret and the public id. */
static void
token_issue(struct fixture *f, char secret[37], char id[37], const char *o1,
		const char *v1)
{
	char out[512];
	int ret;

	ret = cli(f, 0, out, sizeof(out), "token", "issue", o1, v1, NULL);
	assert_int_equal(ret, 0);
	if (sscanf(out, "%36s\nid: %36s", secret, id) != 2 ||
			strlen(secret) != 36 || strlen(id) != 36)
		fail_msg("token issue printed '%s'", out);
}

/* "daemon" with the fixture's socket and token file, and @opt @val. */
static struct proc *
daemon_start(struct fixture *f, const char *opt, const char *val)
{
	char *argv[] = {
		(char *)(uintptr_t)access_path(),
		(char *)(uintptr_t)"--socket", f->sock,
		(char *)(uintptr_t)"daemon",
		(char *)(uintptr_t)"--state", f->state,
		(char *)(uintptr_t)opt, (char *)(uintptr_t)val,
		NULL,
	};
	char line[LINE_LEN], want[LINE_LEN];
	struct proc *p;
	int ret;

	p = spawn(f, PROC_DAEMON, "daemon", argv, NULL, false);
	ret = read_line(p, line, sizeof(line),
		now_ns() + START_TIMEOUT_MS * 1000000ull);
	snprintf(want, sizeof(want), "listening on %s", f->sock);
	if (ret != 0 || strcmp(line, want) != 0)
		fail_msg("daemon did not start: %s",
			ret != 0 ? strerror(-ret) : line);
	return p;
}

/* SIGTERM: the daemon must stop cleanly and remove its socket. */
static void
daemon_stop(struct proc *d)
{
	uint64_t deadline = now_ns() + EXIT_TIMEOUT_MS * 1000000ull;

	assert_int_equal(kill(d->pid, SIGTERM), 0);
	while (!proc_reaped(d, false) && now_ns() < deadline)
		sleep_ms(5);
	if (d->pid != 0)
		fail_msg("the daemon did not stop within %u ms of SIGTERM",
			EXIT_TIMEOUT_MS);
	assert_true(WIFEXITED(d->status));
	assert_int_equal(WEXITSTATUS(d->status), 0);
	close(d->out);
	d->used = false;
}

/* ---- fixture ---------------------------------------------------------- */

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/dxa-access-XXXXXX");
	if (mkdtemp(f->dir) == NULL || chmod(f->dir, 0755) != 0) {
		free(f);
		return -1;
	}
	snprintf(f->sock, sizeof(f->sock), "%s/broker.sock", f->dir);
	snprintf(f->state, sizeof(f->state), "%s/tokens", f->dir);
	snprintf(f->xdg, sizeof(f->xdg), "%s/xdg", f->dir);
	if (mkdir(f->xdg, 0700) != 0 ||
			(geteuid() == 0 && chown(f->xdg, NOBODY, NOBODY) != 0)) {
		nftw(f->dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
		free(f);
		return -1;
	}
	f->fake_listen = f->fake_conn = -1;
	live = f;
	*state = f;
	return 0;
}

/*
 * End the processes of @kind: peers get end of input and exit cleanly (that
 * runs their EAL cleanup), the others SIGTERM; what is left after
 * EXIT_TIMEOUT_MS is killed, and what a killed peer left is removed.
 */
static void
procs_end(struct fixture *f, enum proc_kind kind)
{
	uint64_t deadline = now_ns() + EXIT_TIMEOUT_MS * 1000000ull;
	unsigned int i, left;
	struct proc *p;

	for (i = 0; i < MAX_PROCS; i++) {
		p = &f->procs[i];
		if (!p->used || p->kind != kind || p->pid == 0)
			continue;
		if (p->in >= 0) {
			close(p->in);
			p->in = -1;
		} else {
			kill(p->pid, SIGTERM);
		}
	}
	do {
		left = 0;
		for (i = 0; i < MAX_PROCS; i++) {
			p = &f->procs[i];
			if (p->used && p->kind == kind && !proc_reaped(p, false))
				left++;
		}
		if (left > 0)
			sleep_ms(5);
	} while (left > 0 && now_ns() < deadline);
	for (i = 0; i < MAX_PROCS; i++) {
		pid_t pid;

		p = &f->procs[i];
		if (!p->used || p->kind != kind)
			continue;
		pid = p->pid;
		if (pid != 0) {
			fprintf(stderr, "teardown: %s (pid %d) did not exit: killed\n",
				p->name, (int)pid);
			kill(pid, SIGKILL);
			proc_reaped(p, true);
			peer_runtime_remove(p, pid);
		}
		if (p->in >= 0)
			close(p->in);
		close(p->out);
		p->used = false;
	}
}

/* Members first, so that none sees its broker go; then the broker. */
static void
fixture_free(struct fixture *f)
{
	procs_end(f, PROC_PEER);
	procs_end(f, PROC_TOOL);
	procs_end(f, PROC_DAEMON);
	if (f->fake_conn >= 0)
		close(f->fake_conn);
	if (f->fake_listen >= 0)
		close(f->fake_listen);
	nftw(f->dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
	free(f);
}

static int
teardown(void **state)
{
	fixture_free(*state);
	live = NULL;
	return 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	if (live != NULL)
		fixture_free(live);
	live = NULL;
	return 0;
}

/* ---- test helpers ----------------------------------------------------- */

/* The next event of @p must come within EVENT_LATENCY_NS of @t0. */
static void
event_within(struct proc *p, const char *type, int gid, const char *domain,
		uint64_t t0, struct event *ev)
{
	uint64_t lat;

	peer_event(p, type, gid, domain, EVENT_TIMEOUT_MS, ev);
	if (ev->ns < t0)
		fail_msg("%s: %s stamped %" PRIu64 " ns, before the kill at %" PRIu64,
			p->name, type, ev->ns, t0);
	lat = ev->ns - t0;
	print_message("%s: %s %.3f ms after the kill\n", p->name, type,
		(double)lat / 1e6);
	if (lat > EVENT_LATENCY_NS)
		fail_msg("%s: %s came %.3f ms after the kill, more than %llu ms",
			p->name, type, (double)lat / 1e6,
			EVENT_LATENCY_NS / 1000000);
}

/* Leave cleanly; every peer in @others must be told. */
static void
leave_seen_by(struct proc *leaver, int gid, struct proc *const others[],
		unsigned int nb)
{
	char reply[LINE_LEN];
	struct event ev;
	unsigned int i;

	peer_ok(leaver, reply, "leave p %d", gid);
	for (i = 0; i < nb; i++)
		peer_event(others[i], "MEMBER_LEFT", gid, leaver->domain,
			EVENT_TIMEOUT_MS, &ev);
}

/* A unix socket file that nobody listens on: what a crashed broker leaves. */
static void
stale_socket(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(fd);
}

/* The broker must close @fd, without answering. */
static void
expect_closed(int fd, const char *what)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	uint8_t buf[DXA_MSG_MAX];
	ssize_t n;

	if (poll(&pfd, 1, REPLY_TIMEOUT_MS) != 1)
		fail_msg("%s: the broker kept the connection open", what);
	n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
	if (n > 0)
		fail_msg("%s: the broker answered (%zd bytes) instead of closing",
			what, n);
	assert_true(n == 0 || errno == ECONNRESET);
	close(fd);
}

static int
raw_connect(const struct fixture *f)
{
	int fd = dxa_conn_open(f->sock);

	assert_true(fd >= 0);
	return fd;
}

/* Send @len bytes of @msg as one packet on a new connection. */
static int
raw_send(const struct fixture *f, const void *msg, size_t len)
{
	int fd = raw_connect(f);

	assert_int_equal(send(fd, msg, len, MSG_NOSIGNAL), (ssize_t)len);
	return fd;
}

/* A JOIN as a bare client of the wire protocol; returns the status. */
static int
raw_join(int fd, const char *token, const char *domain, int gid,
		uint16_t *handler)
{
	struct dxa_group_join req;
	struct dxa_reply_group rep;
	int ret;

	memset(&req, 0, sizeof(req));
	assert_int_equal(uuid_parse(token, req.token), 0);
	assert_int_equal(uuid_parse(domain, req.domain_id), 0);
	req.group_id = (int16_t)gid;
	memset(&rep, 0, sizeof(rep));
	ret = dxa_conn_call(fd, DXA_GROUP_JOIN, &req, sizeof(req), &rep,
		sizeof(rep), REPLY_TIMEOUT_MS);
	if (ret == 0)
		*handler = rep.handler;
	return ret;
}

/* "expires" of token @id in "token list --json", CLOCK_REALTIME seconds. */
static uint64_t
token_expires(struct fixture *f, const char *id)
{
	char out[4096];
	const char *e;

	assert_int_equal(cli(f, 0, out, sizeof(out), "--json", "token", "list",
		NULL), 0);
	e = strstr(out, id);
	if (e == NULL || (e = strstr(e, "\"expires\": ")) == NULL)
		fail_msg("token %s: no expiry in '%s'", id, out);
	return strtoull(e + strlen("\"expires\": "), NULL, 10);
}

/*
 * Sleep until CLOCK_MONOTONIC is @ms past a whole second: the broker counts
 * failed token checks per second of that clock.
 */
static void
align_to_second(unsigned int ms)
{
	uint64_t frac = now_ns() % 1000000000ull;
	uint64_t want = (uint64_t)ms * 1000000ull;

	sleep_ms((unsigned int)((1000000000ull + want - frac) %
		1000000000ull / 1000000ull) + 1);
}

/*
 * This process as the broker, to make the library's side of the wire fail:
 * listen on the fixture's socket, take one connection at a time, read a
 * request, answer it (or not). The sockets are the fixture's, closed at
 * teardown.
 */
static void
fake_listen(struct fixture *f)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	f->fake_listen = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	assert_true(f->fake_listen >= 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", f->sock);
	assert_int_equal(bind(f->fake_listen, (struct sockaddr *)&sa,
		sizeof(sa)), 0);
	assert_int_equal(listen(f->fake_listen, 8), 0);
}

static void
fake_accept(struct fixture *f)
{
	struct pollfd pfd = { .fd = f->fake_listen, .events = POLLIN };

	if (poll(&pfd, 1, REPLY_TIMEOUT_MS) != 1)
		fail_msg("nobody connected to the fake broker");
	if (f->fake_conn >= 0)
		close(f->fake_conn);
	f->fake_conn = accept4(f->fake_listen, NULL, NULL, SOCK_CLOEXEC);
	assert_true(f->fake_conn >= 0);
}

/* The next request on the fake's connection: it must be of @type. */
static struct dxa_hdr
fake_request(struct fixture *f, uint16_t type)
{
	struct pollfd pfd = { .fd = f->fake_conn, .events = POLLIN };
	uint8_t buf[DXA_MSG_MAX];
	struct dxa_hdr h;
	ssize_t n;

	if (poll(&pfd, 1, REPLY_TIMEOUT_MS) != 1)
		fail_msg("no request came to the fake broker");
	n = recv(f->fake_conn, buf, sizeof(buf), 0);
	assert_true(n >= (ssize_t)sizeof(h));
	assert_int_equal(dxa_msg_check(buf, (size_t)n, 0), 0);
	memcpy(&h, buf, sizeof(h));
	assert_int_equal(h.type, type);
	return h;
}

static void
fake_reply(struct fixture *f, const struct dxa_hdr *req, int32_t status,
		int16_t gid, uint16_t handler)
{
	struct dxa_reply_group r = {
		.status = status, .group_id = gid, .handler = handler,
	};

	assert_int_equal(dxa_conn_send(f->fake_conn, req->type | DXA_REPLY,
		req->seq, &r, sizeof(r)), 0);
}

static void
fake_event(struct fixture *f, int16_t gid, uint16_t event, uint16_t handler,
		const char *domain)
{
	struct dxa_event ev = {
		.group_id = gid, .event = event, .handler = handler,
	};

	assert_int_equal(uuid_parse(domain, ev.domain_id), 0);
	assert_int_equal(dxa_conn_send(f->fake_conn, DXA_EVENT, 0, &ev,
		sizeof(ev)), 0);
}

static void
fake_hangup(struct fixture *f)
{
	close(f->fake_conn);
	f->fake_conn = -1;
}

/* ---- errors that never reach the broker ------------------------------- */

/*
 * Argument, capability and membership checks, in the library of a real
 * member process. RTE_DMA_ACCESS_BROKER=daemon and no daemon: a call that
 * went to the broker would say -ECONNREFUSED instead.
 */
static void
test_local_errors(void **state)
{
	static const struct spawn_opts daemon_only = { .broker = "daemon" };
	struct fixture *f = *state;
	char tok[37], other[37];
	struct proc *p;
	struct hooks h;

	random_uuid(tok);
	random_uuid(other);
	p = peer_start(f, "peer", &daemon_only);

	/* Invalid device. */
	peer_err(p, -EINVAL, "create x %s", tok);
	peer_err(p, -EINVAL, "join x %s 0", tok);
	peer_err(p, -EINVAL, "leave x 0");
	peer_err(p, -EINVAL, "destroy x 0");
	peer_err(p, -EINVAL, "handler x 0 %s", p->domain);
	peer_err(p, -EINVAL, "handlers x 0 %s %s", p->domain, p->domain);
	/* Nil token. */
	peer_err(p, -EINVAL, "create p nil");
	peer_err(p, -EINVAL, "join p nil 0");
	/* A domain id that is not this process's, or nil. */
	peer_err(p, -EINVAL, "create p %s %s", tok, other);
	peer_err(p, -EINVAL, "create p %s nil", tok);
	peer_err(p, -EINVAL, "join p %s 0 %s", tok, other);
	/* Negative group id. */
	peer_err(p, -EINVAL, "join p %s -1", tok);
	/* No inter-domain capability, whatever the call (DPDK's wrappers). */
	peer_err(p, -EINVAL, "create n %s", tok);
	peer_err(p, -EINVAL, "join n %s 0", tok);
	peer_err(p, -EINVAL, "leave n 0");
	peer_err(p, -EINVAL, "destroy n 0");
	peer_err(p, -EINVAL, "handler n 0 %s", p->domain);
	/* Capability, but the driver registered no inter-domain ops. */
	peer_err(p, -ENOTSUP, "create o %s", tok);
	peer_err(p, -ENOTSUP, "join o %s 0", tok);
	/*
	 * DPDK's order: the driver's support before the arguments, which
	 * only a driver checks.
	 */
	peer_err(p, -ENOTSUP, "create o nil");
	peer_err(p, -ENOTSUP, "create o %s %s", tok, other);
	/* Not a member of anything. */
	peer_err(p, -ENOENT, "leave p 0");
	peer_err(p, -ENOENT, "destroy p 0");
	peer_err(p, -ENOENT, "handler p 0 %s", p->domain);
	peer_err(p, -ENOENT, "handlers p 0 %s %s", p->domain, p->domain);

	/* Nothing was embedded, nothing reached the driver. */
	assert_int_equal(access(f->sock, F_OK), -1);
	h = hooks_get(p);
	assert_int_equal(h.attach, 0);
	assert_int_equal(h.detach, 0);
}

/* RTE_DMA_ACCESS_BROKER=daemon without a daemon: -ECONNREFUSED. */
static void
test_broker_unreachable(void **state)
{
	static const struct spawn_opts daemon_only = {
		.broker = "daemon", .log = true,
	};
	struct fixture *f = *state;
	char tok[37], out[512], want[256];
	struct proc *p;

	random_uuid(tok);
	p = peer_start(f, "peer", &daemon_only);
	/* No socket at all: each says where it looked, and what to do. */
	peer_err(p, -ECONNREFUSED, "create p %s", tok);
	snprintf(want, sizeof(want), "no access broker listens on %s (from RTE_DMA_ACCESS_SOCKET), and RTE_DMA_ACCESS_BROKER=daemon forbids an embedded one: start dpdk-dma-access daemon",
		f->sock);
	assert_true(proc_log_has(p, want));
	peer_err(p, -ECONNREFUSED, "join p %s 0", tok);
	snprintf(want, sizeof(want), "no access broker listens on %s (from RTE_DMA_ACCESS_SOCKET): a joiner never starts one",
		f->sock);
	assert_true(proc_log_has(p, want));
	/* The library embedded no broker, even for create. */
	assert_int_equal(access(f->sock, F_OK), -1);
	/* A stale socket that nobody listens on. */
	stale_socket(f->sock);
	peer_err(p, -ECONNREFUSED, "create p %s", tok);
	peer_err(p, -ECONNREFUSED, "join p %s 0", tok);
	assert_int_equal(hooks_get(p).attach, 0);
	/* The admin tool says "unreachable" too. */
	if (access_path() != NULL)
		assert_int_equal(cli(f, 0, out, sizeof(out), "token", "list",
			NULL), 3);
}

/* -ENOSPC: the daemon's group table. */
static void
test_groups_full(void **state)
{
	struct fixture *f = *state;
	char tok[37], id[37];
	char reply[LINE_LEN];
	struct proc *a, *b;
	int gid;

	require_access();
	daemon_start(f, "--max-groups", "1");
	token_issue(f, tok, id, NULL, NULL);
	a = member_start(f, "creator1");
	b = member_start(f, "creator2");
	gid = group_create(a, tok);
	peer_err(b, -ENOSPC, "create p %s", tok);
	peer_ok(a, reply, "destroy p %d", gid);
	group_create(b, tok);
}

/*
 * The broker fails the library: it hangs up during a call (-ECONNRESET),
 * sends garbage (the library disconnects), or says no. Played by this
 * process, which speaks the wire protocol well enough.
 */
static void
test_broker_faults(void **state)
{
	static const struct spawn_opts daemon_only = { .broker = "daemon" };
	struct fixture *f = *state;
	char tok[37], other[37];
	char reply[LINE_LEN];
	struct dxa_hdr req;
	struct event ev;
	struct hooks h;
	struct proc *p;

	random_uuid(tok);
	random_uuid(other);
	fake_listen(f);
	p = peer_start(f, "peer", &daemon_only);

	/* A reply with a status: passed through. */
	peer_post(p, "create p %s", tok);
	fake_accept(f);
	req = fake_request(f, DXA_GROUP_CREATE);
	fake_reply(f, &req, -ENOSPC, 0, 0);
	peer_wait_err(p, -ENOSPC);
	assert_int_equal(hooks_get(p).attach, 0);

	/* Success: the driver is given the broker's handler. */
	peer_post(p, "create p %s", tok);
	req = fake_request(f, DXA_GROUP_CREATE);
	fake_reply(f, &req, 0, 7, 1234);
	assert_int_equal(atoi(peer_wait_ok(p, reply)), 7);
	h = hooks_get(p);
	assert_int_equal(h.attach, 1);
	assert_int_equal(h.group, 7);
	assert_int_equal(h.handler, 1234);
	/* An event reaches the callback and the driver. */
	fake_event(f, 7, DXA_EVENT_MEMBER_LEFT, 4321, other);
	peer_event(p, "MEMBER_LEFT", 7, other, EVENT_TIMEOUT_MS, &ev);
	assert_int_equal(hooks_get(p).left_handler, 4321);
	/* An event of a group it is not in is dropped. */
	fake_event(f, 8, DXA_EVENT_GROUP_DESTROYED, 0, other);
	peer_no_event(p, 50);

	/* Garbage instead of a reply: disconnected, every membership ends. */
	peer_post(p, "handler p 7 %s", other);
	req = fake_request(f, DXA_HANDLER_GET);
	assert_int_equal(send(f->fake_conn, "garbage!", 8, MSG_NOSIGNAL), 8);
	peer_wait_err(p, -ECONNRESET);
	peer_event(p, "GROUP_DESTROYED", 7, NIL_UUID, EVENT_TIMEOUT_MS, &ev);
	h = hooks_get(p);
	assert_int_equal(h.detach, 1);
	peer_err(p, -ENOENT, "handler p 7 %s", other);

	/* A hang-up during the call: -ECONNRESET, and the library reconnects. */
	peer_post(p, "join p %s 9", tok);
	fake_accept(f);
	req = fake_request(f, DXA_GROUP_JOIN);
	fake_reply(f, &req, 0, 9, 55);
	peer_wait_ok(p, reply);
	peer_post(p, "leave p 9");
	req = fake_request(f, DXA_GROUP_LEAVE);
	fake_hangup(f);
	peer_wait_err(p, -ECONNRESET);
	peer_event(p, "GROUP_DESTROYED", 9, NIL_UUID, EVENT_TIMEOUT_MS, &ev);
	peer_err(p, -ENOENT, "leave p 9");
	assert_int_equal(hooks_get(p).detach, 2);
}

/* Every errno of the group calls that the broker decides. */
static void
test_group_errors(void **state)
{
	struct fixture *f = *state;
	char tok[37], id[37], tok2[37], id2[37], wrong[37];
	char reply[LINE_LEN];
	struct proc *c, *j;
	struct hooks h;
	struct event ev;
	int gid;

	require_access();
	daemon_start(f, NULL, NULL);
	token_issue(f, tok, id, NULL, NULL);
	token_issue(f, tok2, id2, NULL, NULL);
	random_uuid(wrong);
	c = member_start(f, "creator");
	j = member_start(f, "joiner");
	gid = group_create(c, tok);

	/* Unknown token; a valid token that is not the group's. */
	peer_err(c, -EACCES, "create p %s", wrong);
	peer_err(j, -EACCES, "join p %s %d", wrong, gid);
	peer_err(j, -EACCES, "join p %s %d", tok2, gid);
	/* Unknown group. */
	peer_err(j, -ENOENT, "join p %s %d", tok, gid + 100);
	peer_ok(j, reply, "join p %s %d", tok, gid);
	/* Already a member: the joiner, and the creator. */
	peer_err(j, -EEXIST, "join p %s %d", tok, gid);
	peer_err(c, -EEXIST, "join p %s %d", tok, gid);
	/* The creator cannot leave, a joiner cannot destroy. */
	peer_err(c, -EPERM, "leave p %d", gid);
	peer_err(j, -EPERM, "destroy p %d", gid);
	/* Not while a joiner remains. */
	peer_err(c, -EBUSY, "destroy p %d", gid);
	/* Handler of a domain that is not a member. */
	peer_err(j, -ENOENT, "handler p %d %s", gid, wrong);
	peer_err(c, -ENOENT, "handlers p %d %s %s", gid, c->domain, wrong);
	peer_err(c, -ENOENT, "handlers p %d %s %s", gid, wrong, c->domain);
	/* Leave a group one is not in. */
	peer_err(j, -ENOENT, "leave p %d", gid + 100);

	peer_ok(j, reply, "leave p %d", gid);
	peer_event(c, "MEMBER_LEFT", gid, j->domain, EVENT_TIMEOUT_MS, &ev);
	/* Gone: no second leave, no handlers for a non-member. */
	peer_err(j, -ENOENT, "leave p %d", gid);
	peer_err(j, -ENOENT, "handler p %d %s", gid, c->domain);
	peer_ok(c, reply, "destroy p %d", gid);
	peer_err(c, -ENOENT, "destroy p %d", gid);
	peer_err(c, -ENOENT, "handler p %d %s", gid, c->domain);
	peer_err(j, -ENOENT, "join p %s %d", tok, gid);

	h = hooks_get(c);
	assert_int_equal(h.attach, 1);
	assert_int_equal(h.detach, 1);
	h = hooks_get(j);
	assert_int_equal(h.attach, 1);
	assert_int_equal(h.detach, 1);
}

/* -ENOSPC: the daemon's member limit, then a token's. */
static void
test_group_full(void **state)
{
	struct fixture *f = *state;
	char tok[37], id[37], tok1[37], id1[37];
	char reply[LINE_LEN];
	struct proc *c, *j1, *j2;
	int gid, gid1;

	require_access();
	daemon_start(f, "--max-members", "2");
	token_issue(f, tok, id, NULL, NULL);
	token_issue(f, tok1, id1, "--max-members", "1");
	c = member_start(f, "creator");
	j1 = member_start(f, "joiner1");
	j2 = member_start(f, "joiner2");

	gid = group_create(c, tok);
	peer_ok(j1, reply, "join p %s %d", tok, gid);
	peer_err(j2, -ENOSPC, "join p %s %d", tok, gid);
	/* A departure makes room. */
	leave_seen_by(j1, gid, &c, 1);
	peer_ok(j2, reply, "join p %s %d", tok, gid);

	/* A token for one member at once: its creator is that member. */
	gid1 = group_create(j1, tok1);
	peer_err(c, -ENOSPC, "join p %s %d", tok1, gid1);
	peer_err(c, -ENOSPC, "create p %s", tok1);
	/* Its creator gone, the token admits again. */
	peer_ok(j1, reply, "destroy p %d", gid1);
	gid1 = group_create(c, tok1);
	assert_int_not_equal(gid1, gid);
}

/* -EAGAIN: more than DXA_AUTH_FAIL_BURST failed token checks in a second. */
static void
test_auth_rate_limit(void **state)
{
	struct fixture *f = *state;
	char tok[37], id[37], wrong[37];
	char reply[LINE_LEN];
	struct proc *c, *j;
	unsigned int i;
	int gid;

	require_access();
	daemon_start(f, NULL, NULL);
	token_issue(f, tok, id, NULL, NULL);
	c = member_start(f, "creator");
	j = member_start(f, "joiner");
	gid = group_create(c, tok);

	/* All six checks in one second of the broker's clock. */
	align_to_second(20);
	for (i = 0; i < DXA_AUTH_FAIL_BURST; i++) {
		random_uuid(wrong);
		peer_err(j, -EACCES, "join p %s %d", wrong, gid);
	}
	/* Refused before the token is even looked at. */
	peer_err(j, -EAGAIN, "join p %s %d", tok, gid);
	/* The next second, the right token opens the group. */
	align_to_second(20);
	peer_ok(j, reply, "join p %s %d", tok, gid);
}

/* An expired token opens nothing; members admitted before stay. */
static void
test_token_expiry(void **state)
{
	struct fixture *f = *state;
	char tok1[37], id1[37], tok2[37], id2[37], out[4096];
	struct proc *c, *j;
	uint64_t expires;
	int gid;

	require_access();
	daemon_start(f, NULL, NULL);
	c = member_start(f, "creator");
	j = member_start(f, "joiner");
	token_issue(f, tok1, id1, "--ttl", "1s");
	/* 2 s: the create below is at least a second before the expiry. */
	token_issue(f, tok2, id2, "--ttl", "2s");
	gid = group_create(c, tok2);

	expires = token_expires(f, id2);
	assert_true(expires >= token_expires(f, id1));
	while ((uint64_t)time(NULL) < expires)
		sleep_ms(20);

	peer_err(j, -EACCES, "join p %s %d", tok2, gid);
	peer_err(j, -EACCES, "create p %s", tok1);
	/* The creator is still a member. */
	handler_get(c, gid, c);
	assert_int_equal(cli(f, 0, out, sizeof(out), "--json", "token", "list",
		NULL), 0);
	assert_non_null(strstr(out, "\"expired\": true"));
	assert_null(strstr(out, "\"expired\": false"));
}

/* A revoked token opens nothing; members admitted before stay. */
static void
test_token_revoke(void **state)
{
	struct fixture *f = *state;
	char tok[37], id[37], out[4096];
	char reply[LINE_LEN];
	struct proc *c, *j1, *j2;
	unsigned int h;
	int gid;

	require_access();
	daemon_start(f, NULL, NULL);
	token_issue(f, tok, id, NULL, NULL);
	c = member_start(f, "creator");
	j1 = member_start(f, "joiner1");
	j2 = member_start(f, "joiner2");
	gid = group_create(c, tok);
	peer_ok(j1, reply, "join p %s %d", tok, gid);
	h = handler_get(c, gid, j1);

	assert_int_equal(cli(f, 0, out, sizeof(out), "token", "revoke", id,
		NULL), 0);
	peer_err(j2, -EACCES, "join p %s %d", tok, gid);
	peer_err(j2, -EACCES, "create p %s", tok);

	/* The members are unaffected: handlers, events, leave, destroy. */
	assert_int_equal(handler_get(j1, gid, j1), h);
	handler_get(j1, gid, c);
	leave_seen_by(j1, gid, &c, 1);
	peer_ok(c, reply, "destroy p %d", gid);

	assert_int_equal(cli(f, 0, out, sizeof(out), "--json", "token", "list",
		NULL), 0);
	assert_null(strstr(out, id));
	assert_int_equal(cli(f, 0, out, sizeof(out), "token", "revoke", id,
		NULL), 1);
}

/* A token limited to some uids refuses the others, root included. */
static void
test_token_uid(void **state)
{
	static const struct spawn_opts as_nobody = {
		.uid = NOBODY, .broker = "daemon",
	};
	struct fixture *f = *state;
	char tok0[37], id0[37], tokn[37], idn[37], gidtext[8];
	char out[4096], want[32];
	struct proc *c, *n;
	int gid0, gidn;

	require_access();
	require_root();
	daemon_start(f, NULL, NULL);
	token_issue(f, tok0, id0, "--uid", "0");
	token_issue(f, tokn, idn, "--uid", "65534");
	c = member_start(f, "root");
	n = peer_start(f, "nobody", &as_nobody);

	gid0 = group_create(c, tok0);
	peer_err(n, -EACCES, "join p %s %d", tok0, gid0);
	peer_err(n, -EACCES, "create p %s", tok0);
	gidn = group_create(n, tokn);
	/* Root is no exception to a uid list. */
	peer_err(c, -EACCES, "join p %s %d", tokn, gidn);

	/* The broker saw the uid from the kernel. */
	snprintf(gidtext, sizeof(gidtext), "%d", gidn);
	assert_int_equal(cli(f, 0, out, sizeof(out), "--json", "group", "show",
		gidtext, NULL), 0);
	snprintf(want, sizeof(want), "\"uid\": %u", NOBODY);
	assert_non_null(strstr(out, want));
}

/*
 * Classes: a token limited to one admits only devices of that class, and
 * a group only joiners of its creator's class (-EXDEV, after the token);
 * group show names each member's class.
 */
static void
test_token_class(void **state)
{
	struct fixture *f = *state;
	char toka[37], ida[37], tokb[37], idb[37], tok[37], id[37];
	char out[8192], gidtext[8];
	struct proc *c, *j;
	int gida, gid;

	require_access();
	daemon_start(f, NULL, NULL);
	token_issue(f, toka, ida, "--class", "A");
	token_issue(f, tokb, idb, "--class", "B");
	token_issue(f, tok, id, NULL, NULL);
	c = member_start(f, "creator");
	j = member_start(f, "joiner");

	/* --class A: Class A devices only; --class B: nobody here. */
	peer_err(c, -EACCES, "create p %s", toka);
	peer_err(c, -EACCES, "create a %s", tokb);
	peer_err(c, -EACCES, "create p %s", tokb);
	gida = group_create_on(c, 'a', toka);
	peer_err(j, -EACCES, "join p %s %d", toka, gida);
	peer_ok(j, out, "join a %s %d", toka, gida);
	/* Four failed token checks: let the rate limiter's second pass. */
	sleep_ms(1100);

	/* Any class: the group is its creator's. */
	gid = group_create_on(c, 'p', tok);
	peer_err(j, -EXDEV, "join a %s %d", tok, gid);
	/* A wrong token is refused for the token, whatever the class. */
	peer_err(j, -EACCES, "join a %s %d", toka, gid);
	peer_ok(j, out, "join p %s %d", tok, gid);

	snprintf(gidtext, sizeof(gidtext), "%d", gida);
	assert_int_equal(cli(f, 0, out, sizeof(out), "--json", "group", "show",
		gidtext, NULL), 0);
	assert_non_null(strstr(out, "\"class\": \"A\""));
	assert_null(strstr(out, "\"class\": \"software\""));
	snprintf(gidtext, sizeof(gidtext), "%d", gid);
	assert_int_equal(cli(f, 0, out, sizeof(out), "--json", "group", "show",
		gidtext, NULL), 0);
	assert_non_null(strstr(out, "\"class\": \"software\""));
	assert_null(strstr(out, "\"class\": \"A\""));
}

/* Administration is for root and the broker's own uid. */
static void
test_admin_uid(void **state)
{
	struct fixture *f = *state;
	char out[4096];

	require_access();
	require_root();
	daemon_start(f, NULL, NULL);
	assert_int_equal(cli(f, NOBODY, out, sizeof(out), "token", "issue",
		NULL), 1);
	assert_int_equal(cli(f, NOBODY, out, sizeof(out), "token", "list",
		NULL), 1);
	assert_int_equal(cli(f, NOBODY, out, sizeof(out), "group", "list",
		NULL), 1);
	/* A usage error is told apart from a refusal. */
	assert_int_equal(cli(f, NOBODY, out, sizeof(out), "token", "bogus",
		NULL), 2);
	/* Nothing was issued. */
	assert_int_equal(cli(f, 0, out, sizeof(out), "--json", "token", "list",
		NULL), 0);
	assert_null(strstr(out, "\"id\""));
}

/*
 * Malformed packets close only their own connection; the members, and a
 * bare client of the wire protocol, keep working.
 */
static void
test_malformed(void **state)
{
	struct fixture *f = *state;
	char tok[37], id[37], raw_domain[37];
	char reply[LINE_LEN];
	uint8_t big[4096], msg[DXA_MSG_MAX];
	struct dxa_handler_get hget;
	struct dxa_hdr hdr;
	struct proc *c, *j;
	struct event ev;
	uint16_t raw_h = 0;
	unsigned int hc;
	int gid, good;

	require_access();
	daemon_start(f, NULL, NULL);
	token_issue(f, tok, id, NULL, NULL);
	c = member_start(f, "creator");
	j = member_start(f, "joiner");
	gid = group_create(c, tok);
	peer_ok(j, reply, "join p %s %d", tok, gid);
	hc = handler_get(j, gid, c);
	good = raw_connect(f);

	/* Garbage. */
	expect_closed(raw_send(f, "garbage!", 8), "garbage");
	/* An empty packet. */
	expect_closed(raw_send(f, "", 0), "empty packet");
	/* Larger than any message: a valid header that claims it. */
	memset(big, 0xa5, sizeof(big));
	dxa_hdr_init(&hdr, DXA_HANDLER_GET, 1, sizeof(big) - sizeof(hdr));
	memcpy(big, &hdr, sizeof(hdr));
	expect_closed(raw_send(f, big, sizeof(big)), "oversized packet");
	/* A valid request one byte short. */
	memset(&hget, 0, sizeof(hget));
	hget.group_id = (int16_t)gid;
	dxa_hdr_init(&hdr, DXA_HANDLER_GET, 1, sizeof(hget));
	memcpy(msg, &hdr, sizeof(hdr));
	memcpy(msg + sizeof(hdr), &hget, sizeof(hget));
	expect_closed(raw_send(f, msg, sizeof(hdr) + sizeof(hget) - 1),
		"short body");
	/* Non-zero reserved bytes. */
	hget.reserved[0] = 1;
	memcpy(msg + sizeof(hdr), &hget, sizeof(hget));
	expect_closed(raw_send(f, msg, sizeof(hdr) + sizeof(hget)),
		"reserved bytes");
	/* A reply, sent to the broker. */
	dxa_hdr_init(&hdr, DXA_HANDLER_GET | DXA_REPLY, 1,
		sizeof(struct dxa_reply_group));
	memset(msg, 0, sizeof(msg));
	memcpy(msg, &hdr, sizeof(hdr));
	expect_closed(raw_send(f, msg, sizeof(hdr) +
		sizeof(struct dxa_reply_group)), "reply type");
	/* Another protocol version. */
	dxa_hdr_init(&hdr, DXA_GROUP_LEAVE, 1, sizeof(struct dxa_group_ref));
	hdr.version = DXA_VERSION + 1;
	memset(msg, 0, sizeof(msg));
	memcpy(msg, &hdr, sizeof(hdr));
	expect_closed(raw_send(f, msg, sizeof(hdr) +
		sizeof(struct dxa_group_ref)), "version");

	/* The bare client still talks: the broker's own -EEXIST check... */
	assert_int_equal(raw_join(good, tok, c->domain, gid, &raw_h), -EEXIST);
	/* ...and a membership whose lease is this connection. */
	random_uuid(raw_domain);
	assert_int_equal(raw_join(good, tok, raw_domain, gid, &raw_h), 0);
	assert_int_not_equal(raw_h, 0);
	assert_int_equal(atoi(peer_ok(c, reply, "handler p %d %s", gid,
		raw_domain)), raw_h);
	close(good);
	peer_event(c, "MEMBER_LEFT", gid, raw_domain, EVENT_TIMEOUT_MS, &ev);
	peer_event(j, "MEMBER_LEFT", gid, raw_domain, EVENT_TIMEOUT_MS, &ev);

	/* The members were never disturbed. */
	assert_int_equal(handler_get(j, gid, c), hc);
	leave_seen_by(j, gid, &c, 1);
	peer_ok(c, reply, "destroy p %d", gid);
}

/* ---- handlers and events ---------------------------------------------- */

/*
 * Every member learns the same handler for each member, its own included;
 * handlers are non-zero, distinct within the broker, and not handed out
 * again while a member that knew the old one is connected.
 */
static void
test_handlers(void **state)
{
	struct fixture *f = *state;
	char tok[37], id[37];
	char reply[LINE_LEN];
	struct proc *m[3];
	unsigned int h[3], h2, hn, a, b, s, d;
	struct hooks hk;
	int gid, gid2;

	require_access();
	daemon_start(f, NULL, NULL);
	token_issue(f, tok, id, NULL, NULL);
	m[0] = member_start(f, "creator");
	m[1] = member_start(f, "joiner1");
	m[2] = member_start(f, "joiner2");
	gid = group_create(m[0], tok);
	peer_ok(m[1], reply, "join p %s %d", tok, gid);
	peer_ok(m[2], reply, "join p %s %d", tok, gid);

	for (b = 0; b < 3; b++) {
		h[b] = handler_get(m[0], gid, m[b]);
		for (a = 1; a < 3; a++)
			assert_int_equal(handler_get(m[a], gid, m[b]), h[b]);
	}
	assert_int_not_equal(h[0], h[1]);
	assert_int_not_equal(h[0], h[2]);
	assert_int_not_equal(h[1], h[2]);
	/* The src_dst form: both at once, in order. */
	assert_int_equal(sscanf(peer_ok(m[1], reply, "handlers p %d %s %s",
		gid, m[0]->domain, m[2]->domain), "%u %u", &s, &d), 2);
	assert_int_equal(s, h[0]);
	assert_int_equal(d, h[2]);
	/* The driver was given each member's own handler. */
	for (a = 0; a < 3; a++) {
		hk = hooks_get(m[a]);
		assert_int_equal(hk.attach, 1);
		assert_int_equal(hk.group, gid);
		assert_int_equal(hk.handler, h[a]);
	}

	/* Another group of the same broker: new handlers. */
	gid2 = group_create(m[2], tok);
	assert_int_not_equal(gid2, gid);
	h2 = handler_get(m[2], gid2, m[2]);
	for (a = 0; a < 3; a++)
		assert_int_not_equal(h2, h[a]);

	/* Leave and rejoin: the old handler is not handed out again. */
	leave_seen_by(m[1], gid, (struct proc *const []){ m[0], m[2] }, 2);
	peer_ok(m[1], reply, "join p %s %d", tok, gid);
	hn = handler_get(m[0], gid, m[1]);
	assert_int_not_equal(hn, h[1]);
	assert_int_not_equal(hn, h[0]);
	assert_int_not_equal(hn, h[2]);
	assert_int_not_equal(hn, h2);
	assert_int_equal(handler_get(m[1], gid, m[1]), hn);
	peer_no_event(m[1], 20);
}

/* A clean leave: the others get MEMBER_LEFT, the drivers their hooks. */
static void
test_event_leave(void **state)
{
	struct fixture *f = *state;
	char tok[37], id[37];
	char reply[LINE_LEN];
	struct proc *c, *j;
	unsigned int hj;
	struct hooks h;
	int gid;

	require_access();
	daemon_start(f, NULL, NULL);
	token_issue(f, tok, id, NULL, NULL);
	c = member_start(f, "creator");
	j = member_start(f, "joiner");
	gid = group_create(c, tok);
	peer_ok(j, reply, "join p %s %d", tok, gid);
	hj = handler_get(c, gid, j);

	leave_seen_by(j, gid, &c, 1);
	/* The leaver is not told of its own departure. */
	peer_no_event(j, 50);
	h = hooks_get(c);
	assert_int_equal(h.attach, 1);
	assert_int_equal(h.left, 1);
	assert_int_equal(h.left_handler, hj);
	assert_int_equal(h.detach, 0);
	h = hooks_get(j);
	assert_int_equal(h.attach, 1);
	assert_int_equal(h.handler, hj);
	assert_int_equal(h.detach, 1);
	assert_int_equal(h.group, gid);
	assert_int_equal(h.left, 0);

	peer_ok(c, reply, "destroy p %d", gid);
	h = hooks_get(c);
	assert_int_equal(h.detach, 1);
	assert_int_equal(h.group, gid);
	peer_no_event(c, 20);
}

/* kill -9 of a joiner: everyone else gets MEMBER_LEFT at once. */
static void
test_event_kill_joiner(void **state)
{
	struct fixture *f = *state;
	char tok[37], id[37];
	char reply[LINE_LEN];
	struct proc *c, *j1, *j2;
	unsigned int h1;
	struct event ev;
	struct hooks h;
	uint64_t t0;
	int gid;

	require_access();
	daemon_start(f, NULL, NULL);
	token_issue(f, tok, id, NULL, NULL);
	c = member_start(f, "creator");
	j1 = member_start(f, "joiner1");
	j2 = member_start(f, "joiner2");
	gid = group_create(c, tok);
	peer_ok(j1, reply, "join p %s %d", tok, gid);
	peer_ok(j2, reply, "join p %s %d", tok, gid);
	h1 = handler_get(c, gid, j1);

	t0 = proc_kill9(j1);
	event_within(c, "MEMBER_LEFT", gid, j1->domain, t0, &ev);
	event_within(j2, "MEMBER_LEFT", gid, j1->domain, t0, &ev);

	h = hooks_get(c);
	assert_int_equal(h.left, 1);
	assert_int_equal(h.left_handler, h1);
	assert_int_equal(hooks_get(j2).left_handler, h1);
	/* The dead member is no longer in the group. */
	peer_err(c, -ENOENT, "handler p %d %s", gid, j1->domain);
	peer_err(c, -EBUSY, "destroy p %d", gid);
	leave_seen_by(j2, gid, &c, 1);
	peer_ok(c, reply, "destroy p %d", gid);
}

/* kill -9 of the creator: the joiners get GROUP_DESTROYED at once. */
static void
test_event_kill_creator(void **state)
{
	struct fixture *f = *state;
	char tok[37], id[37];
	char reply[LINE_LEN];
	struct proc *c, *j1, *j2;
	struct event ev;
	struct hooks h;
	uint64_t t0;
	int gid, gid2;

	require_access();
	daemon_start(f, NULL, NULL);
	token_issue(f, tok, id, NULL, NULL);
	c = member_start(f, "creator");
	j1 = member_start(f, "joiner1");
	j2 = member_start(f, "joiner2");
	gid = group_create(c, tok);
	peer_ok(j1, reply, "join p %s %d", tok, gid);
	peer_ok(j2, reply, "join p %s %d", tok, gid);

	t0 = proc_kill9(c);
	event_within(j1, "GROUP_DESTROYED", gid, c->domain, t0, &ev);
	event_within(j2, "GROUP_DESTROYED", gid, c->domain, t0, &ev);

	h = hooks_get(j1);
	assert_int_equal(h.attach, 1);
	assert_int_equal(h.detach, 1);
	assert_int_equal(h.group, gid);
	assert_int_equal(h.left, 0);
	assert_event_thread(j1, 1);
	/* No membership is left, and no group. */
	peer_err(j1, -ENOENT, "leave p %d", gid);
	peer_err(j1, -ENOENT, "handler p %d %s", gid, j1->domain);
	peer_err(j1, -ENOENT, "join p %s %d", tok, gid);
	/* The broker carries on. */
	gid2 = group_create(j1, tok);
	peer_ok(j2, reply, "join p %s %d", tok, gid2);
	assert_int_equal(handler_get(j2, gid2, j1), handler_get(j1, gid2, j1));
}

/* Tokens outlive the daemon; members see a daemon stop as the group's end. */
static void
test_daemon_restart(void **state)
{
	struct fixture *f = *state;
	char tok[37], id[37], out[4096];
	char reply[LINE_LEN];
	struct proc *d, *c, *j;
	struct event ev;
	struct stat st;
	int gid;

	require_access();
	d = daemon_start(f, NULL, NULL);
	token_issue(f, tok, id, NULL, NULL);
	c = member_start(f, "creator");
	gid = group_create(c, tok);
	/* The token file is private to the daemon. */
	assert_int_equal(stat(f->state, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);

	daemon_stop(d);
	assert_int_equal(access(f->sock, F_OK), -1);
	peer_event(c, "GROUP_DESTROYED", gid, NIL_UUID, EVENT_TIMEOUT_MS, &ev);
	assert_int_equal(hooks_get(c).detach, 1);

	daemon_start(f, NULL, NULL);
	assert_int_equal(cli(f, 0, out, sizeof(out), "--json", "token", "list",
		NULL), 0);
	assert_non_null(strstr(out, id));
	/* The same process reconnects; the same token opens a new group. */
	gid = group_create(c, tok);
	j = member_start(f, "joiner");
	peer_ok(j, reply, "join p %s %d", tok, gid);
	assert_int_equal(handler_get(j, gid, c), handler_get(c, gid, c));
}

/*
 * No daemon: the creator's library embeds the broker, joiners reach it on
 * the same socket, and it dies with its creator.
 */
static void
test_embedded(void **state)
{
	static const struct spawn_opts logged = { .log = true };
	struct fixture *f = *state;
	char tok[37], tok2[37], wrong[37], want[256];
	char reply[LINE_LEN];
	struct proc *c, *j1, *j2;
	struct event ev;
	struct stat st;
	uint64_t t0;
	int gid, gid2;

	random_uuid(tok);
	random_uuid(tok2);
	random_uuid(wrong);
	c = peer_start(f, "creator", &logged);
	j1 = peer_start(f, "joiner1", &logged);
	j2 = peer_start(f, "joiner2", &logged);
	/* Only a create may embed: a join finds nobody, and says so. */
	peer_err(j1, -ECONNREFUSED, "join p %s 0", tok);
	assert_true(proc_log_has(j1, "a joiner never starts one"));

	gid = group_create(c, tok);
	/* The creator hears where its broker is; the id logged is not the secret. */
	snprintf(want, sizeof(want), "an embedded one, in this process, listens on %s",
		f->sock);
	assert_true(proc_log_has(c, want));
	assert_true(proc_log_has(c, "token issued: public id "));
	assert_false(proc_log_has(c, tok));
	/* A lookup before joining: why, in the API's words. */
	peer_err(j1, -ENOENT, "handler p %d %s", gid, c->domain);
	assert_true(proc_log_has(j1, "rte_dma_access_pair_group_handler_get: device "));
	snprintf(want, sizeof(want), "is not in group %d: create or join it", gid);
	assert_true(proc_log_has(j1, want));
	assert_int_equal(lstat(f->sock, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(st.st_uid, geteuid());

	peer_err(j2, -EACCES, "join p %s %d", wrong, gid);
	/* The joiner learns why, and nothing of the secret is logged. */
	snprintf(want, sizeof(want), ": group %d: the access broker refused the token or this peer",
		gid);
	assert_true(proc_log_has(j2, "rte_dma_access_pair_group_join: device "));
	assert_true(proc_log_has(j2, want));
	assert_false(proc_log_has(j2, wrong));
	assert_false(proc_log_has(c, wrong));
	peer_ok(j1, reply, "join p %s %d", tok, gid);
	peer_ok(j2, reply, "join p %s %d", tok, gid);
	assert_int_equal(handler_get(j1, gid, c), handler_get(c, gid, c));
	leave_seen_by(j2, gid, (struct proc *const []){ c, j1 }, 2);
	peer_ok(j2, reply, "join p %s %d", tok, gid);

	/* The broker goes with its creator: nil domain or the creator's. */
	t0 = proc_kill9(c);
	event_within(j1, "GROUP_DESTROYED", gid, NULL, t0, &ev);
	if (strcmp(ev.domain, NIL_UUID) != 0)
		assert_string_equal(ev.domain, c->domain);
	event_within(j2, "GROUP_DESTROYED", gid, NULL, t0, &ev);
	assert_int_equal(hooks_get(j1).detach, 1);

	/* The next creator's broker replaces the stale socket. */
	gid2 = group_create(j1, tok2);
	peer_ok(j2, reply, "join p %s %d", tok2, gid2);
	leave_seen_by(j2, gid2, &j1, 1);
}

/* A member's exit, clean but without leave or destroy, ends its membership. */
static void
test_event_exit(void **state)
{
	struct fixture *f = *state;
	char tok[37], id[37];
	char reply[LINE_LEN];
	struct proc *c, *j1, *j2;
	struct event ev;
	struct hooks h;
	int gid;

	require_access();
	daemon_start(f, NULL, NULL);
	token_issue(f, tok, id, NULL, NULL);
	c = member_start(f, "creator");
	j1 = member_start(f, "joiner1");
	j2 = member_start(f, "joiner2");
	gid = group_create(c, tok);
	peer_ok(j1, reply, "join p %s %d", tok, gid);
	peer_ok(j2, reply, "join p %s %d", tok, gid);

	peer_quit(j1);
	peer_event(c, "MEMBER_LEFT", gid, j1->domain, EVENT_TIMEOUT_MS, &ev);
	peer_event(j2, "MEMBER_LEFT", gid, j1->domain, EVENT_TIMEOUT_MS, &ev);
	peer_quit(c);
	peer_event(j2, "GROUP_DESTROYED", gid, c->domain, EVENT_TIMEOUT_MS,
		&ev);
	h = hooks_get(j2);
	assert_int_equal(h.left, 1);
	assert_int_equal(h.detach, 1);
	assert_event_thread(j2, 2);
	peer_err(j2, -ENOENT, "leave p %d", gid);
}

/*
 * A callback may call the API, including destroy and leave of its own
 * group: no lock of the library is held while it runs.
 */
static void
test_callback_reentry(void **state)
{
	struct fixture *f = *state;
	char tok[37], id[37];
	char reply[LINE_LEN];
	struct proc *c, *j1, *j2;
	struct cbinfo cb;
	struct event ev;
	int gid;

	require_access();
	daemon_start(f, NULL, NULL);
	token_issue(f, tok, id, NULL, NULL);
	c = member_start(f, "creator");
	j1 = member_start(f, "joiner1");
	j2 = member_start(f, "joiner2");

	/* The creator destroys from its callback: refused while j2 stays... */
	peer_ok(c, reply, "react destroy");
	gid = group_create(c, tok);
	peer_ok(j1, reply, "join p %s %d", tok, gid);
	peer_ok(j2, reply, "join p %s %d", tok, gid);
	leave_seen_by(j1, gid, &c, 1);
	peer_event(j2, "MEMBER_LEFT", gid, j1->domain, EVENT_TIMEOUT_MS, &ev);
	cb = cbinfo_get(c);
	assert_int_equal(cb.calls, 1);
	assert_int_equal(cb.react, -EBUSY);
	/* ...done once the last joiner is gone. */
	leave_seen_by(j2, gid, &c, 1);
	cb = cbinfo_get(c);
	assert_int_equal(cb.calls, 2);
	assert_int_equal(cb.react, 0);
	assert_string_equal(cb.thread, "dma-xd-event");
	peer_err(c, -ENOENT, "destroy p %d", gid);
	assert_int_equal(hooks_get(c).detach, 1);
	peer_err(j1, -ENOENT, "join p %s %d", tok, gid);

	/* A joiner leaves from its callback when another one goes. */
	peer_ok(c, reply, "react none");
	peer_ok(j1, reply, "react leave");
	gid = group_create(c, tok);
	peer_ok(j1, reply, "join p %s %d", tok, gid);
	peer_ok(j2, reply, "join p %s %d", tok, gid);
	leave_seen_by(j2, gid, (struct proc *const []){ c, j1 }, 2);
	peer_event(c, "MEMBER_LEFT", gid, j1->domain, EVENT_TIMEOUT_MS, &ev);
	cb = cbinfo_get(j1);
	assert_int_equal(cb.react, 0);
	peer_err(j1, -ENOENT, "leave p %d", gid);
	peer_ok(c, reply, "destroy p %d", gid);
}

/*
 * The embedded broker admits its token for the creator's uid and root; its
 * socket (mode 0600) keeps every other uid out.
 */
static void
test_embedded_uid(void **state)
{
	struct fixture *f = *state;
	char tok[37], tok2[37], sock[128];
	char reply[LINE_LEN];
	struct proc *n, *n2, *r, *rc, *nj;
	struct event ev;
	struct stat st;
	uint64_t t0;
	int gid;

	require_root();
	/* A directory the unprivileged creator may bind in. */
	snprintf(sock, sizeof(sock), "%s/broker.sock", f->xdg);
	{
		const struct spawn_opts nobody = { .uid = NOBODY, .sock = sock };
		const struct spawn_opts root = { .sock = sock };

		n = peer_start(f, "nobody-creator", &nobody);
		n2 = peer_start(f, "nobody-joiner", &nobody);
		r = peer_start(f, "root-joiner", &root);
	}
	random_uuid(tok);
	random_uuid(tok2);

	gid = group_create(n, tok);
	assert_int_equal(lstat(sock, &st), 0);
	assert_int_equal(st.st_uid, NOBODY);
	assert_int_equal(st.st_mode & 0777, 0600);
	peer_ok(n2, reply, "join p %s %d", tok, gid);
	peer_ok(r, reply, "join p %s %d", tok, gid);
	t0 = proc_kill9(n);
	event_within(n2, "GROUP_DESTROYED", gid, NULL, t0, &ev);
	event_within(r, "GROUP_DESTROYED", gid, NULL, t0, &ev);

	/* A root creator's broker, which uid 65534 cannot reach. */
	{
		const struct spawn_opts nobody = { .uid = NOBODY };

		rc = peer_start(f, "root-creator", NULL);
		nj = peer_start(f, "nobody-joiner2", &nobody);
	}
	gid = group_create(rc, tok2);
	/* A socket this uid may not use is no broker for it at all. */
	peer_err(nj, -ECONNREFUSED, "join p %s %d", tok2, gid);
}

/* ---- hostile local users (issue 15) ------------------------------------ */

/*
 * The attacks run as uid NOBODY against a root daemon, each for a few
 * seconds, with the broker's RSS and descriptors sampled before, under and
 * after; a legitimate client (LEGIT_UID, or NOBODY where the attack is
 * one of its own uid) and the admin tool must be served throughout.
 */
#define LEGIT_UID 4242
/* Growth of the broker's RSS an attack may cause, KiB. */
#define RSS_SLACK_KB (16 * 1024)

/* A field of /proc/PID/status, in kB. */
static long
proc_status_kb(pid_t pid, const char *field)
{
	char path[64], line[256];
	size_t n = strlen(field);
	long v = -1;
	FILE *fp;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	fp = fopen(path, "r");
	if (fp == NULL)
		return -1;
	while (fgets(line, sizeof(line), fp) != NULL)
		if (strncmp(line, field, n) == 0 && line[n] == ':')
			v = strtol(line + n + 1, NULL, 10);
	fclose(fp);
	return v;
}

/* Descriptors @pid holds: entries of /proc/PID/fd. */
static long
proc_fds(pid_t pid)
{
	char path[64];
	struct dirent *de;
	long n = 0;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	d = opendir(path);
	if (d == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

struct sample {
	long rss_kb;
	long fds;
};

/*
 * The broker's descriptors once it has handled what was sent: until it
 * holds @want, or for @timeout_ms at most (a loaded machine delays it; the
 * caller's assertion then says by how much it is off).
 */
static void
fds_settle(const struct proc *d, long want, unsigned int timeout_ms)
{
	unsigned int waited;

	for (waited = 0; waited < timeout_ms && proc_fds(d->pid) != want;
			waited += 20)
		sleep_ms(20);
}

static struct sample
sample_of(const struct proc *d, const char *test, const char *when)
{
	struct sample s = {
		.rss_kb = proc_status_kb(d->pid, "VmRSS"),
		.fds = proc_fds(d->pid),
	};

	assert_true(s.rss_kb > 0 && s.fds > 0);
	print_message("figure %s broker %s: rss %ld KiB, %ld fds\n", test,
		when, s.rss_kb, s.fds);
	return s;
}

/* "daemon" with the fixture's socket and token file and @opts (NULL-ended). */
static struct proc *
daemon_startv(struct fixture *f, const char *const *opts)
{
	char *argv[32] = {
		(char *)(uintptr_t)access_path(),
		(char *)(uintptr_t)"--socket", f->sock,
		(char *)(uintptr_t)"daemon",
		(char *)(uintptr_t)"--state", f->state,
	};
	char line[LINE_LEN], want[LINE_LEN];
	unsigned int n = 6;
	struct proc *p;
	int ret;

	while (opts != NULL && *opts != NULL && n < DIM(argv) - 1)
		argv[n++] = (char *)(uintptr_t)*opts++;
	argv[n] = NULL;
	p = spawn(f, PROC_DAEMON, "daemon", argv, NULL, false);
	ret = read_line(p, line, sizeof(line),
		now_ns() + START_TIMEOUT_MS * 1000000ull);
	snprintf(want, sizeof(want), "listening on %s", f->sock);
	if (ret != 0 || strcmp(line, want) != 0)
		fail_msg("daemon did not start: %s",
			ret != 0 ? strerror(-ret) : line);
	return p;
}

/*
 * A child of this process, as @uid, running @fn(@arg, its stdin), which
 * answers on stdout; it is a PROC_TOOL, ended (SIGTERM) at teardown.
 */
typedef void (*worker_fn)(const void *arg, int in);

static struct proc *
worker_start(struct fixture *f, const char *name, uid_t uid, worker_fn fn,
		const void *arg)
{
	int in[2], out[2];
	struct proc *p = NULL;
	unsigned int i;
	pid_t pid;

	for (i = 0; i < MAX_PROCS && p == NULL; i++)
		if (!f->procs[i].used)
			p = &f->procs[i];
	assert_non_null(p);
	memset(p, 0, sizeof(*p));
	assert_int_equal(pipe2(in, O_CLOEXEC), 0);
	assert_int_equal(pipe2(out, O_CLOEXEC), 0);
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(in[1]);
		close(out[0]);
		if (dup2(out[1], STDOUT_FILENO) < 0)
			_exit(126);
		if (uid != 0 && (setgroups(0, NULL) != 0 ||
				setgid(uid) != 0 || setuid(uid) != 0))
			_exit(126);
		signal(SIGPIPE, SIG_IGN);
		signal(SIGTERM, SIG_DFL);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		fn(arg, in[0]);
		_exit(0);
	}
	close(in[0]);
	close(out[1]);
	p->used = true;
	p->kind = PROC_TOOL;
	p->uid = uid;
	p->pid = pid;
	p->in = in[1];
	p->out = out[0];
	snprintf(p->name, sizeof(p->name), "%s", name);
	return p;
}

/* The next line of worker @p, within @ms. */
static void
worker_line(struct proc *p, char line[LINE_LEN], unsigned int ms)
{
	int ret = read_line(p, line, LINE_LEN, now_ns() + ms * 1000000ull);

	if (ret != 0)
		fail_msg("%s: no answer: %s", p->name, strerror(-ret));
}

/* Stop worker @p and wait for it. */
static void
worker_end(struct proc *p)
{
	if (p->pid != 0)
		kill(p->pid, SIGKILL);
	proc_reaped(p, true);
	if (p->in >= 0)
		close(p->in);
	close(p->out);
	p->used = false;
}

/* Block until the parent writes a byte (or goes): a worker's go signal. */
static void
worker_wait(int in)
{
	char c;

	while (read(in, &c, 1) < 0 && errno == EINTR)
		;
}

static void
worker_go(struct proc *p)
{
	assert_int_equal(write(p->in, "g", 1), 1);
}

/* Raw wire requests, in children too: no cmocka here. */
static int
w_create(int fd, const uint8_t *token, int16_t *gid)
{
	struct dxa_group_create req = { .dev_class = DXA_CLASS_ANY };
	struct dxa_reply_group rep;
	int ret;

	memcpy(req.token, token, DXA_UUID_LEN);
	uuid_generate_random(req.domain_id);
	ret = dxa_conn_call(fd, DXA_GROUP_CREATE, &req, sizeof(req), &rep,
		sizeof(rep), REPLY_TIMEOUT_MS);
	if (ret == 0)
		*gid = rep.group_id;
	return ret;
}

static int
w_join(int fd, const uint8_t *token, int16_t gid)
{
	struct dxa_group_join req = {
		.group_id = gid, .dev_class = DXA_CLASS_ANY,
	};
	struct dxa_reply_group rep;

	memcpy(req.token, token, DXA_UUID_LEN);
	uuid_generate_random(req.domain_id);
	return dxa_conn_call(fd, DXA_GROUP_JOIN, &req, sizeof(req), &rep,
		sizeof(rep), REPLY_TIMEOUT_MS);
}

static int
w_ref(int fd, uint16_t type, int16_t gid)
{
	struct dxa_group_ref req = { .group_id = gid };
	struct dxa_reply_group rep;

	return dxa_conn_call(fd, type, &req, sizeof(req), &rep, sizeof(rep),
		REPLY_TIMEOUT_MS);
}

/* A sealed memfd of @len bytes, none of them written: all holes. */
static int
sparse_memfd(uint64_t len)
{
	int fd = memfd_create("hostile", MFD_CLOEXEC | MFD_ALLOW_SEALING);

	if (fd < 0 || ftruncate(fd, (off_t)len) != 0 ||
			fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW) != 0)
		return -1;
	return fd;
}

static int
w_export(int fd, int mfd, uint32_t mem_id, uint64_t base, uint64_t len)
{
	struct dxa_mem_export req = {
		.base = base, .len = len, .mem_id = mem_id,
		.perm = DXA_PERM_ALL,
	};
	uint8_t buf[DXA_MSG_MAX];
	struct dxa_hdr h;
	int32_t status;
	int ret;

	ret = dxa_conn_send_fd(fd, DXA_MEM_EXPORT, mem_id, &req, sizeof(req),
		mfd);
	if (ret < 0)
		return ret;
	for (;;) {
		ret = dxa_conn_recv(fd, buf, REPLY_TIMEOUT_MS);
		if (ret < 0)
			return ret;
		memcpy(&h, buf, sizeof(h));
		if (h.type == (DXA_MEM_EXPORT | DXA_REPLY))
			break;
	}
	memcpy(&status, buf + sizeof(h), sizeof(status));
	return status;
}

/*
 * A legitimate client: its own connections, one create and one join with
 * @token, the group destroyed after. Returns 0 or the first error, and
 * how long create + join took.
 */
static int
legit_round(const char *sock, const int *keep, const uint8_t *token,
		uint64_t *ns)
{
	uint64_t t0 = now_ns();
	int c = keep != NULL ? keep[0] : dxa_conn_open(sock);
	int j = keep != NULL ? keep[1] : dxa_conn_open(sock);
	int16_t gid = -1;
	int ret = c < 0 ? c : j < 0 ? j : 0;

	if (ret == 0)
		ret = w_create(c, token, &gid);
	if (ret == 0)
		ret = w_join(j, token, gid);
	*ns = now_ns() - t0;
	if (ret == 0)
		ret = w_ref(j, DXA_GROUP_LEAVE, gid);
	if (ret == 0)
		ret = w_ref(c, DXA_GROUP_DESTROY, gid);
	if (keep == NULL && c >= 0)
		close(c);
	if (keep == NULL && j >= 0)
		close(j);
	return ret;
}

struct legit_arg {
	const char *sock;
	uint8_t token[DXA_UUID_LEN];
	unsigned int rounds;
	bool keep;   /* two connections for all rounds, opened at start */
};

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Worker: on each go, @rounds legit rounds; "done OK FAIL MEDIAN_US P99_US". */
static void
legit_main(const void *varg, int in)
{
	const struct legit_arg *a = varg;
	uint64_t *lat = calloc(a->rounds, sizeof(*lat));
	unsigned int i, ok, bad;
	int first, keep[2] = { -1, -1 };

	if (lat == NULL)
		return;
	if (a->keep) {
		keep[0] = dxa_conn_open(a->sock);
		keep[1] = dxa_conn_open(a->sock);
	}
	dprintf(STDOUT_FILENO, "ready\n");
	for (;;) {
		worker_wait(in);
		ok = bad = 0;
		first = 0;
		for (i = 0; i < a->rounds; i++) {
			int ret = legit_round(a->sock, a->keep ? keep : NULL,
				a->token, &lat[i]);

			if (ret == 0)
				ok++;
			else if (bad++ == 0)
				first = ret;
		}
		qsort(lat, a->rounds, sizeof(*lat), cmp_u64);
		dprintf(STDOUT_FILENO, "done %u %u %d %" PRIu64 " %" PRIu64 "\n", ok, bad, first,
			lat[a->rounds / 2] / 1000,
			lat[a->rounds * 99 / 100] / 1000);
	}
}

static struct proc *
legit_start(struct fixture *f, uid_t uid, struct legit_arg *a,
		const char *secret, unsigned int rounds)
{
	char line[LINE_LEN];
	struct proc *p;

	a->sock = f->sock;
	a->rounds = rounds;
	a->keep = uid == NOBODY;
	assert_int_equal(uuid_parse(secret, a->token), 0);
	p = worker_start(f, "legit", uid, legit_main, a);
	worker_line(p, line, START_TIMEOUT_MS);
	assert_string_equal(line, "ready");
	return p;
}

/* One batch of the legit worker: every round must succeed. */
static void
legit_served(struct proc *p, const char *test, const char *when)
{
	char line[LINE_LEN];
	unsigned int ok, bad;
	unsigned long med, p99;
	int first;

	worker_go(p);
	worker_line(p, line, 4 * REPLY_TIMEOUT_MS);
	if (sscanf(line, "done %u %u %d %lu %lu", &ok, &bad, &first, &med,
			&p99) != 5)
		fail_msg("legit client: '%s'", line);
	if (when != NULL)
		print_message("figure %s legit %s: %u create+join, median %lu us, p99 %lu us\n",
			test, when, ok, med, p99);
	if (bad != 0)
		fail_msg("%s: the legitimate client failed %u of %u (first %d)",
			test, bad, ok + bad, first);
}

/* The admin tool must list tokens and groups. */
static void
admin_served(struct fixture *f, const char *test)
{
	char out[4096];

	if (cli(f, 0, out, sizeof(out), "token", "list", NULL) != 0 ||
			cli(f, 0, out, sizeof(out), "group", "list", NULL) != 0)
		fail_msg("%s: the admin tool was not served", test);
}

/* Broker growth under an attack stays within the bound. */
static void
assert_bounded(const char *test, struct sample before, struct sample under,
		long max_fds)
{
	if (under.rss_kb - before.rss_kb > RSS_SLACK_KB)
		fail_msg("%s: broker RSS grew by %ld KiB (bound %d)", test,
			under.rss_kb - before.rss_kb, RSS_SLACK_KB);
	if (under.fds - before.fds > max_fds)
		fail_msg("%s: broker holds %ld descriptors more (bound %ld)",
			test, under.fds - before.fds, max_fds);
}

/* Attack 1: requests whose replies are never read, on 16 connections. */
static void
unread_main(const void *varg, int in)
{
	const char *sock = varg;
	struct dxa_list_req req = { .index = 0 };
	unsigned long sent = 0;
	int fds[16];
	unsigned int i;
	uint64_t end;

	for (i = 0; i < DIM(fds); i++)
		fds[i] = dxa_conn_open(sock);
	/* Until every socket is full, for at most 2 s. */
	end = now_ns() + 2000000000ull;
	for (i = 0; i < DIM(fds); i++) {
		struct dxa_hdr h;
		uint8_t msg[sizeof(h) + sizeof(req)];

		dxa_hdr_init(&h, DXA_TOKEN_LIST, 1, sizeof(req));
		memcpy(msg, &h, sizeof(h));
		memcpy(msg + sizeof(h), &req, sizeof(req));
		while (fds[i] >= 0 && now_ns() < end &&
				send(fds[i], msg, sizeof(msg),
					MSG_DONTWAIT | MSG_NOSIGNAL) > 0)
			sent++;
	}
	dprintf(STDOUT_FILENO, "ready %lu\n", sent);
	worker_wait(in);
}

/*
 * The judgement of every attack: a legitimate member (when there is one)
 * and the administrator are served while it lasts, and the broker holds
 * no more than @bound descriptors and slots beyond what it held before.
 */
static void
served_under_attack(struct fixture *f, struct proc *l, const char *what,
		struct sample s0, struct sample s1, long bound)
{
	if (l != NULL)
		legit_served(l, what, "under");
	admin_served(f, what);
	assert_bounded(what, s0, s1, bound);
}

/* Once the attacker is gone, the broker holds what it held before. */
static void
all_given_back(struct proc *d, const char *what, struct sample s0)
{
	struct sample s2;

	fds_settle(d, s0.fds, 5000);
	s2 = sample_of(d, what, "after");
	assert_int_equal(s2.fds, s0.fds);
}

static void
test_hostile_unread(void **state)
{
	struct fixture *f = *state;
	struct legit_arg la;
	char tok[37], id[37], line[LINE_LEN];
	struct sample s0, s1;
	struct proc *d, *a, *l;

	require_access();
	require_root();
	d = daemon_startv(f, NULL);
	token_issue(f, tok, id, NULL, NULL);
	l = legit_start(f, LEGIT_UID, &la, tok, 20);
	s0 = sample_of(d, "unread", "before");
	a = worker_start(f, "attacker", NOBODY, unread_main, f->sock);
	worker_line(a, line, START_TIMEOUT_MS);
	print_message("attacker: %s requests sent, none read\n", line + 6);
	/* The broker has them all, and reads none of them any more. */
	fds_settle(d, s0.fds + 16, 5000);
	s1 = sample_of(d, "unread", "under");
	assert_int_equal(s1.fds, s0.fds + 16);
	served_under_attack(f, l, "unread", s0, s1, 16 + 2);
	worker_end(a);
	all_given_back(d, "unread", s0);
}

/* Attack 2: every connection one uid can open. */
static void
conns_main(const void *varg, int in)
{
	const char *sock = varg;
	unsigned int i, open_ok = 0, alive = 0;
	static int fds[300];

	unsigned int before, rounds;

	for (i = 0; i < DIM(fds); i++)
		if ((fds[i] = dxa_conn_open(sock)) >= 0)
			open_ok++;
	/*
	 * What the broker refused it closed: POLLHUP. Counted until two
	 * counts 300 ms apart agree: a loaded broker closes them late.
	 */
	for (rounds = 0, before = UINT_MAX; rounds < 20 && alive != before;
			rounds++) {
		before = alive;
		alive = 0;
		sleep_ms(300);
		for (i = 0; i < DIM(fds); i++) {
			struct pollfd p = { .fd = fds[i], .events = POLLIN };

			if (fds[i] >= 0 && poll(&p, 1, 0) == 0)
				alive++;
		}
	}
	dprintf(STDOUT_FILENO, "ready %u %u\n", open_ok, alive);
	worker_wait(in);
}

static void
test_hostile_conns(void **state)
{
	static const char *const opts[] = {
		"--max-conns", "96", "--admin-conns", "8", NULL,
	};
	struct fixture *f = *state;
	struct legit_arg la;
	char tok[37], id[37], line[LINE_LEN];
	unsigned int opened, alive;
	struct sample s0, s1;
	struct proc *d, *a, *a2, *l;
	struct rlimit rl;

	require_access();
	require_root();
	/* Children inherit it: 300 connections each. */
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &rl), 0);
	if (rl.rlim_cur < 1024) {
		rl.rlim_cur = MIN_OF((rlim_t)1024, rl.rlim_max);
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	d = daemon_startv(f, opts);
	token_issue(f, tok, id, NULL, NULL);
	l = legit_start(f, LEGIT_UID, &la, tok, 10);
	s0 = sample_of(d, "conns", "before");
	a = worker_start(f, "attacker", NOBODY, conns_main, f->sock);
	worker_line(a, line, START_TIMEOUT_MS);
	assert_int_equal(sscanf(line, "ready %u %u", &opened, &alive), 2);
	print_message("attacker uid %u: %u connects, %u kept by the broker\n",
		NOBODY, opened, alive);
	assert_int_equal(alive, DXA_DEFAULT_MAX_CONNS_UID);
	s1 = sample_of(d, "conns", "under");
	/* Another uid is served beside it. */
	legit_served(l, "conns", "under");
	/* A second uid takes what is left of the others' slots... */
	a2 = worker_start(f, "attacker2", LEGIT_UID + 1, conns_main, f->sock);
	worker_line(a2, line, START_TIMEOUT_MS);
	assert_int_equal(sscanf(line, "ready %u %u", &opened, &alive), 2);
	assert_int_equal(alive, 96 - 8 - DXA_DEFAULT_MAX_CONNS_UID);
	/* ...and the administrator still gets through. */
	admin_served(f, "conns");
	assert_bounded("conns", s0, s1, DXA_DEFAULT_MAX_CONNS_UID + 2);
	worker_end(a);
	worker_end(a2);
	all_given_back(d, "conns", s0);
	legit_served(l, "conns", "after");
}

/* Attack 3: re-export one 4 KiB memfd, without membership, until refused. */
static void
exports_main(const void *varg, int in)
{
	const char *sock = varg;
	unsigned int i, k, held = 0;
	int fds[8], mfd = sparse_memfd(4096), ret = 0;

	for (k = 0; k < DIM(fds); k++)
		fds[k] = dxa_conn_open(sock);
	for (k = 0; k < DIM(fds) && ret != -EDQUOT; k++) {
		for (i = 0; i < 2 * DXA_DEFAULT_MAX_EXPORTS; i++) {
			ret = w_export(fds[k], mfd, i + 1,
				(uint64_t)(i + 1) << 12, 4096);
			if (ret != 0)
				break;
			held++;
		}
	}
	dprintf(STDOUT_FILENO, "ready %u %d\n", held, ret);
	worker_wait(in);
}

static void
test_hostile_exports(void **state)
{
	struct fixture *f = *state;
	struct legit_arg la;
	char tok[37], id[37], line[LINE_LEN];
	struct sample s0, s1;
	struct proc *d, *a, *l;
	unsigned int held;
	int last;

	require_access();
	require_root();
	d = daemon_startv(f, NULL);
	token_issue(f, tok, id, NULL, NULL);
	l = legit_start(f, LEGIT_UID, &la, tok, 10);
	s0 = sample_of(d, "exports", "before");
	a = worker_start(f, "attacker", NOBODY, exports_main, f->sock);
	worker_line(a, line, 4 * REPLY_TIMEOUT_MS);
	assert_int_equal(sscanf(line, "ready %u %d", &held, &last), 2);
	print_message("attacker: %u windows held, then %d\n", held, last);
	assert_int_equal(held, DXA_DEFAULT_MAX_EXPORTS_UID);
	assert_int_equal(last, -EDQUOT);
	s1 = sample_of(d, "exports", "under");
	served_under_attack(f, l, "exports", s0, s1, DXA_DEFAULT_MAX_EXPORTS_UID + 8 + 2);
	worker_end(a);
	all_given_back(d, "exports", s0);
}

/*
 * Attack 4: a member exports a sealed, sparse 2 GiB window to a victim
 * (a library process), then more windows than the victim may be sent.
 */
struct sparse_arg {
	const char *sock;
	uint8_t token[DXA_UUID_LEN];
};

static void
sparse_main(const void *varg, int in)
{
	const struct sparse_arg *a = varg;
	int fd = dxa_conn_open(a->sock), mfd = sparse_memfd(2ull << 30);
	int small = sparse_memfd(4096), ret;
	unsigned int i, more = 0;
	int16_t gid = -1;

	ret = w_create(fd, a->token, &gid);
	if (ret == 0)
		ret = w_export(fd, mfd, 1, 1ull << 40, 2ull << 30);
	dprintf(STDOUT_FILENO, "ready %d %d\n", ret, gid);
	/* The victim has joined: flood it with windows. */
	worker_wait(in);
	for (i = 0; i < 64; i++) {
		ret = w_export(fd, small, i + 2, (1ull << 39) + ((uint64_t)i << 12),
			4096);
		if (ret != 0)
			break;
		more++;
	}
	dprintf(STDOUT_FILENO, "more %u %d\n", more, ret);
	worker_wait(in);
}

static void
test_hostile_sparse(void **state)
{
	static const char *const opts[] = { "--max-windows-recv", "16", NULL };
	struct fixture *f = *state;
	struct sparse_arg sa = { .sock = f->sock };
	char tok[37], id[37], line[LINE_LEN], reply[LINE_LEN];
	struct sample s0, s1;
	long v0, v1, v2;
	struct proc *d, *a, *v;
	unsigned int more;
	int ret, gid;
	uint64_t t0;

	require_access();
	require_root();
	d = daemon_startv(f, opts);
	token_issue(f, tok, id, NULL, NULL);
	assert_int_equal(uuid_parse(tok, sa.token), 0);
	v = member_start(f, "victim");
	s0 = sample_of(d, "sparse", "before");
	a = worker_start(f, "attacker", NOBODY, sparse_main, &sa);
	worker_line(a, line, START_TIMEOUT_MS);
	assert_int_equal(sscanf(line, "ready %d %d", &ret, &gid), 2);
	assert_int_equal(ret, 0);
	v0 = proc_status_kb(v->pid, "VmRSS");
	t0 = now_ns();
	peer_ok(v, reply, "join p %s %d", tok, gid);
	v1 = proc_status_kb(v->pid, "VmRSS");
	print_message("figure sparse victim: rss %ld KiB before, %ld KiB after a 2 GiB window (join %.1f ms)\n",
		v0, v1, (double)(now_ns() - t0) / 1e6);
	if (v1 - v0 > RSS_SLACK_KB)
		fail_msg("the victim's RSS grew by %ld KiB for a window of holes",
			v1 - v0);
	/* 16 windows at most: the sparse one and 15 more. */
	worker_go(a);
	worker_line(a, line, 4 * REPLY_TIMEOUT_MS);
	assert_int_equal(sscanf(line, "more %u %d", &more, &ret), 2);
	assert_int_equal(more, 15);
	assert_int_equal(ret, -ENOSPC);
	v2 = proc_status_kb(v->pid, "VmRSS");
	print_message("figure sparse victim: rss %ld KiB with 16 windows\n",
		v2);
	s1 = sample_of(d, "sparse", "under");
	admin_served(f, "sparse");
	assert_bounded("sparse", s0, s1, 16 + 4);
	/* The victim is still a member, and answers. */
	peer_ok(v, reply, "handler p %d %s", gid, v->domain);
	worker_end(a);
	sample_of(d, "sparse", "after");
}

/* Attack 5: one token holder creates every group it can. */
static void
groups_main(const void *varg, int in)
{
	const struct sparse_arg *a = varg;
	unsigned int made = 0;
	int fds[4], ret = 0;
	unsigned int k;
	int16_t gid;

	for (k = 0; k < DIM(fds); k++)
		fds[k] = dxa_conn_open(a->sock);
	for (k = 0; ret == 0 || ret == -EEXIST; k++) {
		ret = w_create(fds[k % DIM(fds)], a->token, &gid);
		if (ret == 0)
			made++;
	}
	dprintf(STDOUT_FILENO, "ready %u %d\n", made, ret);
	worker_wait(in);
}

static void
test_hostile_groups(void **state)
{
	struct fixture *f = *state;
	struct sparse_arg sa = { .sock = f->sock };
	char tok[37], id[37], tok2[37], id2[37], line[LINE_LEN];
	struct sample s0, s1;
	struct legit_arg la;
	struct proc *d, *a, *l;
	unsigned int made;
	int ret;

	require_access();
	require_root();
	d = daemon_startv(f, NULL);
	token_issue(f, tok, id, NULL, NULL);
	token_issue(f, tok2, id2, NULL, NULL);
	assert_int_equal(uuid_parse(tok, sa.token), 0);
	l = legit_start(f, LEGIT_UID, &la, tok2, 10);
	s0 = sample_of(d, "groups", "before");
	a = worker_start(f, "attacker", NOBODY, groups_main, &sa);
	worker_line(a, line, 4 * REPLY_TIMEOUT_MS);
	assert_int_equal(sscanf(line, "ready %u %d", &made, &ret), 2);
	print_message("attacker: %u groups, then %d\n", made, ret);
	assert_int_equal(made, DXA_DEFAULT_MAX_GROUPS_UID);
	assert_int_equal(ret, -EDQUOT);
	s1 = sample_of(d, "groups", "under");
	/* Another token, another uid: groups as ever. */
	served_under_attack(f, l, "groups", s0, s1, 4 + 2);
	worker_end(a);
	sample_of(d, "groups", "after");
}

/*
 * Attack 6: 80 uids guess tokens for 2 s, each reconnecting; a client of
 * the first guesser's uid, connected before, keeps its valid token.
 */
#define GUESS_UIDS 80
#define GUESS_MS 2000

static void
guess_main(const void *varg, int in)
{
	const char *sock = varg;
	unsigned long checked = 0, refused = 0;
	uint8_t token[DXA_UUID_LEN];
	uint64_t end;
	int fd = -1, ret, n = 0;

	worker_wait(in);
	end = now_ns() + GUESS_MS * 1000000ull;
	while (now_ns() < end) {
		if (fd < 0 || ++n % 16 == 0) {
			if (fd >= 0)
				close(fd);
			fd = dxa_conn_open(sock);
			if (fd < 0)
				continue;
		}
		uuid_generate_random(token);
		ret = w_join(fd, token, 0);
		if (ret == -EACCES)
			checked++;
		else if (ret == -EAGAIN)
			refused++;
	}
	dprintf(STDOUT_FILENO, "done %lu %lu\n", checked, refused);
	worker_wait(in);
}

static void
test_hostile_guess(void **state)
{
	struct fixture *f = *state;
	char tok[37], id[37], line[LINE_LEN];
	static pid_t pids[GUESS_UIDS];
	int outs[GUESS_UIDS], go[2];
	unsigned long checked = 0, refused = 0, c, r;
	struct legit_arg la;
	struct sample s0, s1;
	struct proc *d, *l;
	unsigned int i;

	require_access();
	require_root();
	d = daemon_startv(f, NULL);
	token_issue(f, tok, id, NULL, NULL);
	/* Same uid as the first guesser; its connections come first. */
	l = legit_start(f, NOBODY, &la, tok, 20);
	s0 = sample_of(d, "guess", "before");
	/* Forked directly: more than MAX_PROCS; one pipe says go to all. */
	assert_int_equal(pipe2(go, O_CLOEXEC), 0);
	for (i = 0; i < GUESS_UIDS; i++) {
		int out[2];

		assert_int_equal(pipe2(out, O_CLOEXEC), 0);
		pids[i] = fork();
		assert_true(pids[i] >= 0);
		if (pids[i] == 0) {
			uid_t uid = i == 0 ? NOBODY : 60000 + i;

			close(go[1]);
			dup2(out[1], STDOUT_FILENO);
			if (setgroups(0, NULL) != 0 || setgid(uid) != 0 ||
					setuid(uid) != 0)
				_exit(126);
			prctl(PR_SET_PDEATHSIG, SIGKILL);
				guess_main(f->sock, go[0]);
			_exit(0);
		}
		close(out[1]);
		outs[i] = out[0];
	}
	close(go[0]);
	/* Closing the write end is the go of every guesser. */
	close(go[1]);
	sleep_ms(GUESS_MS / 2);
	s1 = sample_of(d, "guess", "under");
	legit_served(l, "guess", "under");
	admin_served(f, "guess");
	for (i = 0; i < GUESS_UIDS; i++) {
		FILE *fp = fdopen(outs[i], "r");

		if (fp == NULL || fgets(line, sizeof(line), fp) == NULL ||
				sscanf(line, "done %lu %lu", &c, &r) != 2)
			fail_msg("guesser %u did not report", i);
		checked += c;
		refused += r;
		fclose(fp);
		kill(pids[i], SIGKILL);
		waitpid(pids[i], NULL, 0);
	}
	print_message("figure guess: %u uids, %lu tokens checked, %lu refused unchecked in %u ms\n",
		GUESS_UIDS, checked, refused, GUESS_MS);
	/*
	 * The global bound for each second begun, and one check per uid on
	 * the connection it had before its first failure.
	 */
	if (checked > (GUESS_MS / 1000 + 1) * DXA_DEFAULT_AUTH_FAIL_RATE +
			GUESS_UIDS)
		fail_msg("%lu tokens checked in %u ms", checked, GUESS_MS);
	assert_bounded("guess", s0, s1, GUESS_UIDS * 2 + 4);
}

/* Attack 7: no answer tells a group that exists from one that does not. */
static void
test_hostile_existence(void **state)
{
	struct fixture *f = *state;
	char tok[37], id[37], wrong[37], reply[LINE_LEN];
	struct proc *c, *n;
	int gid;

	require_access();
	require_root();
	daemon_startv(f, NULL);
	token_issue(f, tok, id, NULL, NULL);
	c = member_start(f, "creator");
	{
		const struct spawn_opts nobody = {
			.uid = NOBODY, .broker = "daemon",
		};

		n = peer_start(f, "nobody", &nobody);
	}
	gid = group_create(c, tok);
	random_uuid(wrong);
	peer_err(n, -EACCES, "join p %s %d", wrong, gid);
	peer_err(n, -EACCES, "join p %s %d", wrong, gid + 1);
	peer_err(n, -EACCES, "join p %s %d", wrong, 9999);
	/* A valid token learns what exists. */
	peer_err(n, -ENOENT, "join p %s %d", tok, 9999);
	peer_ok(n, reply, "join p %s %d", tok, gid);
}

/* Attack 8: temporaries of the token file are removed at start. */
static void
test_hostile_leftovers(void **state)
{
	struct fixture *f = *state;
	char stale[128], keep[128], other[128];
	struct stat st;
	int fd;

	require_access();
	snprintf(stale, sizeof(stale), "%s.Ab1XyZ", f->state);
	snprintf(keep, sizeof(keep), "%s.keep", f->state);
	snprintf(other, sizeof(other), "%s/other.Ab1XyZ", f->dir);
	fd = open(stale, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "secret\n", 7), 7);
	close(fd);
	close(open(keep, O_CREAT | O_WRONLY | O_CLOEXEC, 0600));
	close(open(other, O_CREAT | O_WRONLY | O_CLOEXEC, 0600));
	daemon_startv(f, NULL);
	assert_int_not_equal(lstat(stale, &st), 0);
	assert_int_equal(lstat(keep, &st), 0);
	assert_int_equal(lstat(other, &st), 0);
}

/*
 * Soak: legitimate rounds beside an attacker that floods requests it never
 * reads and guesses tokens; no token lost, no membership ended.
 */
#define SOAK_S 20

static void
soak_attack_main(const void *varg, int in)
{
	const char *sock = varg;
	uint8_t token[DXA_UUID_LEN];
	int fd = -1;

	(void)in;
	dprintf(STDOUT_FILENO, "ready\n");
	for (;;) {
		if (fd < 0)
			fd = dxa_conn_open(sock);
		uuid_generate_random(token);
		if (fd >= 0 && w_join(fd, token, 0) == -ECONNRESET) {
			close(fd);
			fd = -1;
		}
	}
}

static void
test_hostile_soak(void **state)
{
	struct fixture *f = *state;
	char tok[37], id[37], tok2[37], id2[37], line[LINE_LEN];
	char reply[LINE_LEN], out[4096];
	struct legit_arg la = { .keep = false };
	struct proc *d, *a, *a2, *l, *c, *j;
	uint64_t end;
	unsigned int rounds = 0;
	int gid;

	require_access();
	require_root();
	d = daemon_startv(f, NULL);
	token_issue(f, tok, id, NULL, NULL);
	token_issue(f, tok2, id2, NULL, NULL);
	c = member_start(f, "creator");
	j = member_start(f, "joiner");
	gid = group_create(c, tok2);
	peer_ok(j, reply, "join p %s %d", tok2, gid);
	l = legit_start(f, LEGIT_UID, &la, tok, 200);
	sample_of(d, "soak", "before");
	legit_served(l, "soak", "without attacker");
	a = worker_start(f, "unread", NOBODY, unread_main, f->sock);
	worker_line(a, line, START_TIMEOUT_MS);
	a2 = worker_start(f, "guesser", NOBODY, soak_attack_main, f->sock);
	worker_line(a2, line, START_TIMEOUT_MS);
	legit_served(l, "soak", "with attacker");
	end = now_ns() + SOAK_S * 1000000000ull;
	while (now_ns() < end) {
		legit_served(l, "soak", NULL);
		rounds++;
	}
	sample_of(d, "soak", "under");
	admin_served(f, "soak");
	worker_end(a);
	worker_end(a2);
	sample_of(d, "soak", "after");
	print_message("soak: %u batches of 200 legitimate create+join\n",
		rounds);
	/* No token lost, no membership ended. */
	assert_int_equal(cli(f, 0, out, sizeof(out), "token", "list", NULL), 0);
	assert_non_null(strstr(out, id));
	assert_non_null(strstr(out, id2));
	peer_ok(j, reply, "handler p %d %s", gid, c->domain);
	peer_no_event(j, 100);
	peer_no_event(c, 100);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		/* errors first */
		cmocka_unit_test_setup_teardown(test_local_errors, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_broker_unreachable,
			setup, teardown),
		cmocka_unit_test_setup_teardown(test_broker_faults, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_group_errors, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_group_full, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_groups_full, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_auth_rate_limit, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_token_expiry, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_token_revoke, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_token_uid, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_token_class, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_admin_uid, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_malformed, setup,
			teardown),
		/* then what works */
		cmocka_unit_test_setup_teardown(test_handlers, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_event_leave, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_event_kill_joiner, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_event_kill_creator,
			setup, teardown),
		cmocka_unit_test_setup_teardown(test_event_exit, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_callback_reentry, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_daemon_restart, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_embedded, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_embedded_uid, setup,
			teardown),
	};
	/* argv[1] "hostile": issue 15's attacks, a test of their own. */
	const struct CMUnitTest hostile[] = {
		cmocka_unit_test_setup_teardown(test_hostile_leftovers, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_hostile_existence, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_hostile_unread, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_hostile_conns, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_hostile_exports, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_hostile_sparse, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_hostile_groups, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_hostile_guess, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_hostile_soak, setup,
			teardown),
	};
	const char *peer = peer_path();

	if (peer == NULL || access(peer, X_OK) != 0) {
		fprintf(stderr, "XD_PEER (%s) is not the test_access_peer program: skipped\n",
			peer != NULL ? peer : "unset");
		return 77;
	}
	/* A peer that died must not kill this process when written to. */
	signal(SIGPIPE, SIG_IGN);
	if (argc > 1 && strcmp(argv[1], "hostile") == 0)
		return cmocka_run_group_tests_name("hostile", hostile, NULL,
			group_teardown);
	return cmocka_run_group_tests(tests, NULL, group_teardown);
}
