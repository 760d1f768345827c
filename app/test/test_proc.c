/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-dma-xd authors
 */

/* Child processes driven line by line: see test_proc.h. */

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "test_proc.h"

uint64_t
test_proc_now_ns(void)
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

/*
 * In the child, between fork and exec. The orchestrators that use this
 * have one thread, so the child may call anything, setenv() included.
 */
static void
child_exec(char *const argv[], const struct test_proc_opts *o, int in,
		int out, pid_t parent)
{
	const char *const *e;
	char name[256];
	int null = -1;

	if (in < 0)
		null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (dup2(in >= 0 ? in : null, STDIN_FILENO) < 0 ||
			dup2(out, STDOUT_FILENO) < 0)
		_exit(126);
	for (e = o->env; e != NULL && *e != NULL; e++) {
		const char *eq = strchr(*e, '=');

		if (eq == NULL) {
			unsetenv(*e);
		} else {
			snprintf(name, sizeof(name), "%.*s", (int)(eq - *e), *e);
			setenv(name, eq + 1, 1);
		}
	}
	/* This process may ignore SIGPIPE; exec would pass that on. */
	signal(SIGPIPE, SIG_DFL);
	/* Die with the test, whatever happens to it. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(126);
	if (o->child_hook != NULL)
		o->child_hook(o->hook_arg);
	execv(argv[0], argv);
	_exit(127);
}

int
test_proc_spawn(struct test_proc *p, const char *name, char *const argv[],
		const struct test_proc_opts *o)
{
	static const struct test_proc_opts defaults;
	int in[2] = { -1, -1 }, out[2];
	pid_t parent = getpid();
	int ret;

	if (o == NULL)
		o = &defaults;
	memset(p, 0, sizeof(*p));
	p->in = p->out = -1;
	if (pipe2(out, O_CLOEXEC) != 0)
		return -errno;
	if (o->with_stdin && pipe2(in, O_CLOEXEC) != 0) {
		ret = -errno;
		goto close_out;
	}
	/* Nothing buffered may be written twice by the child. */
	fflush(stdout);
	fflush(stderr);
	p->pid = fork();
	if (p->pid < 0) {
		ret = -errno;
		goto close_in;
	}
	if (p->pid == 0)
		child_exec(argv, o, in[0], out[1], parent);
	p->used = true;
	snprintf(p->name, sizeof(p->name), "%s", name);
	close(out[1]);
	p->out = out[0];
	if (o->with_stdin) {
		close(in[0]);
		p->in = in[1];
	}
	return 0;
close_in:
	if (o->with_stdin) {
		close(in[0]);
		close(in[1]);
	}
close_out:
	close(out[0]);
	close(out[1]);
	return ret;
}

bool
test_proc_reaped(struct test_proc *p, bool block)
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

int
test_proc_read_line(struct test_proc *p, char *line, size_t size,
		uint64_t deadline_ns)
{
	struct pollfd pfd = { .fd = p->out, .events = POLLIN };
	int64_t left;
	char *nl;
	ssize_t n;

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
			return -EPIPE; /* a line longer than any child prints */
		left = (int64_t)(deadline_ns - test_proc_now_ns());
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
is_async(const char *line)
{
	return strncmp(line, TEST_PROC_ASYNC, strlen(TEST_PROC_ASYNC)) == 0;
}

void
test_proc_vpost(struct test_proc *p, const char *fmt, va_list ap)
{
	char line[TEST_PROC_LINE + 1];
	int n;

	n = vsnprintf(p->cmd, sizeof(p->cmd), fmt, ap);
	assert_true(n > 0 && (size_t)n < sizeof(p->cmd));
	snprintf(line, sizeof(line), "%s\n", p->cmd);
	if (write(p->in, line, (size_t)n + 1) != n + 1)
		fail_msg("%s: cannot send '%s': %s", p->name, p->cmd,
			strerror(errno));
}

void
test_proc_post(struct test_proc *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	test_proc_vpost(p, fmt, ap);
	va_end(ap);
}

void
test_proc_reply(struct test_proc *p, char reply[TEST_PROC_LINE],
		unsigned int timeout_ms)
{
	uint64_t deadline = test_proc_now_ns() + timeout_ms * 1000000ull;
	int ret;

	for (;;) {
		ret = test_proc_read_line(p, reply, TEST_PROC_LINE, deadline);
		if (ret != 0)
			fail_msg("%s: no answer to '%s' within %u ms: %s",
				p->name, p->cmd, timeout_ms, strerror(-ret));
		if (!is_async(reply))
			return;
		if (p->nb_async == TEST_PROC_MAX_ASYNC)
			fail_msg("%s: more than %u asynchronous lines unread",
				p->name, TEST_PROC_MAX_ASYNC);
		snprintf(p->async[p->nb_async++], TEST_PROC_LINE, "%s", reply);
	}
}

const char *
test_proc_wait_ok(struct test_proc *p, char reply[TEST_PROC_LINE],
		unsigned int timeout_ms)
{
	test_proc_reply(p, reply, timeout_ms);
	if (strcmp(reply, "ok") == 0)
		return reply + 2;
	if (strncmp(reply, "ok ", 3) != 0)
		fail_msg("%s: '%s' -> '%s', expected ok", p->name, p->cmd,
			reply);
	return reply + 3;
}

const char *
test_proc_ok(struct test_proc *p, char reply[TEST_PROC_LINE],
		unsigned int timeout_ms, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	test_proc_vpost(p, fmt, ap);
	va_end(ap);
	return test_proc_wait_ok(p, reply, timeout_ms);
}

void
test_proc_wait_err(struct test_proc *p, int want, unsigned int timeout_ms)
{
	char reply[TEST_PROC_LINE], expect[32];

	test_proc_reply(p, reply, timeout_ms);
	snprintf(expect, sizeof(expect), "err %d", want);
	if (strcmp(reply, expect) != 0)
		fail_msg("%s: '%s' -> '%s', expected '%s' (%s)", p->name,
			p->cmd, reply, expect, strerror(-want));
}

void
test_proc_err(struct test_proc *p, int want, unsigned int timeout_ms,
		const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	test_proc_vpost(p, fmt, ap);
	va_end(ap);
	test_proc_wait_err(p, want, timeout_ms);
}

int
test_proc_async(struct test_proc *p, char line[TEST_PROC_LINE],
		unsigned int timeout_ms)
{
	int ret;

	if (p->nb_async > 0) {
		snprintf(line, TEST_PROC_LINE, "%s", p->async[0]);
		memmove(p->async[0], p->async[1],
			(p->nb_async - 1) * sizeof(p->async[0]));
		p->nb_async--;
		return 0;
	}
	ret = test_proc_read_line(p, line, TEST_PROC_LINE,
		test_proc_now_ns() + timeout_ms * 1000000ull);
	if (ret == 0 && !is_async(line))
		fail_msg("%s: '%s' while no command ran", p->name, line);
	return ret;
}

void
test_proc_kill9(struct test_proc *p)
{
	assert_true(p->pid > 0);
	assert_int_equal(kill(p->pid, SIGKILL), 0);
	test_proc_reaped(p, true);
}

void
test_proc_end(struct test_proc *const procs[], unsigned int n,
		unsigned int timeout_ms,
		void (*killed)(const struct test_proc *p, pid_t pid))
{
	uint64_t deadline = test_proc_now_ns() + timeout_ms * 1000000ull;
	unsigned int i, left;
	struct test_proc *p;
	pid_t pid;

	for (i = 0; i < n; i++) {
		p = procs[i];
		if (p == NULL || !p->used || p->pid == 0)
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
		for (i = 0; i < n; i++) {
			p = procs[i];
			if (p != NULL && p->used && !test_proc_reaped(p, false))
				left++;
		}
		if (left > 0)
			sleep_ms(5);
	} while (left > 0 && test_proc_now_ns() < deadline);
	for (i = 0; i < n; i++) {
		p = procs[i];
		if (p == NULL || !p->used)
			continue;
		pid = p->pid;
		if (pid != 0) {
			fprintf(stderr, "teardown: %s (pid %d) did not exit: killed\n",
				p->name, (int)pid);
			kill(pid, SIGKILL);
			test_proc_reaped(p, true);
			if (killed != NULL)
				killed(p, pid);
		}
		if (p->in >= 0)
			close(p->in);
		if (p->out >= 0)
			close(p->out);
		p->in = p->out = -1;
		p->used = false;
	}
}
