/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-dma-xd authors
 */

#ifndef TEST_PROC_H
#define TEST_PROC_H

/*
 * Child processes driven line by line, for the multi-process tests (cmocka
 * orchestrators without EAL of their own).
 *
 * A child reads one command per line on its stdin and answers each with
 * one line on its stdout; lines it prints on its own, at any time, start
 * with TEST_PROC_ASYNC ("event "). Reading a reply keeps the asynchronous
 * lines that arrive before it for test_proc_async(), so no event is lost
 * while a command runs.
 *
 *   test_proc_spawn()       fork and exec, stdout (and stdin) on pipes
 *   test_proc_ok/_err()     one command whose answer must be ok / an errno
 *   test_proc_async()       the next asynchronous line
 *   test_proc_kill9()       SIGKILL and reap
 *   test_proc_end()         end input, wait, kill what is left
 *
 * Functions that can only fail because the child misbehaved fail the
 * running cmocka test (fail_msg) with the command and the answer.
 */

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define TEST_PROC_LINE 1024
#define TEST_PROC_MAX_ASYNC 64
#define TEST_PROC_ASYNC "event "

struct test_proc {
	bool used;
	char name[24];
	pid_t pid;        /* 0 once reaped */
	int status;       /* waitpid() status, once reaped */
	int in;           /* its stdin; -1 when it has none or it was closed */
	int out;          /* its stdout */
	char buf[16384];  /* bytes read, not yet a whole line */
	size_t len;
	char async[TEST_PROC_MAX_ASYNC][TEST_PROC_LINE];
	unsigned int nb_async;
	char cmd[TEST_PROC_LINE]; /* the last command sent, for messages */
};

struct test_proc_opts {
	/* Give the child a pipe as stdin (else /dev/null). */
	bool with_stdin;
	/* Environment changes: "NAME=VALUE" sets, "NAME" unsets; NULL ends. */
	const char *const *env;
	/*
	 * Runs in the child just before exec, after the environment is set;
	 * it may fork (e.g. to enter a new pid namespace) and returns only in
	 * the process that is to exec.
	 */
	void (*child_hook)(void *arg);
	void *hook_arg;
};

/* CLOCK_MONOTONIC in nanoseconds. */
uint64_t test_proc_now_ns(void);

/*
 * Start @argv[0] as @p. The child dies with this process
 * (PR_SET_PDEATHSIG). Returns 0 or a negative errno (pipe, fork).
 */
int test_proc_spawn(struct test_proc *p, const char *name,
		char *const argv[], const struct test_proc_opts *o);

/* Reap @p if it has exited (wait for it with @block); true once it has. */
bool test_proc_reaped(struct test_proc *p, bool block);

/*
 * The next line of @p's stdout, without its newline: 0, -ETIMEDOUT at
 * @deadline_ns, or -EPIPE once @p closed its stdout.
 */
int test_proc_read_line(struct test_proc *p, char *line, size_t size,
		uint64_t deadline_ns);

/* Send one command line (no newline in @fmt). */
void test_proc_post(struct test_proc *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void test_proc_vpost(struct test_proc *p, const char *fmt, va_list ap);

/*
 * The answer to the last command, within @timeout_ms; asynchronous lines
 * read meanwhile are kept. A child that dies or hangs fails the test.
 */
void test_proc_reply(struct test_proc *p, char reply[TEST_PROC_LINE],
		unsigned int timeout_ms);

/*
 * The answer to the last command must be "ok [...]": what follows "ok "
 * ("" for a bare "ok"), inside @reply.
 */
const char *test_proc_wait_ok(struct test_proc *p, char reply[TEST_PROC_LINE],
		unsigned int timeout_ms);

/* The answer to the last command must be "err @want" (a negative errno). */
void test_proc_wait_err(struct test_proc *p, int want,
		unsigned int timeout_ms);

/* Send a command that must succeed: test_proc_wait_ok(). */
const char *test_proc_ok(struct test_proc *p, char reply[TEST_PROC_LINE],
		unsigned int timeout_ms, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Send a command that must fail: test_proc_wait_err(). */
void test_proc_err(struct test_proc *p, int want, unsigned int timeout_ms,
		const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/*
 * The next asynchronous line of @p (kept ones first), within @timeout_ms:
 * 0, -ETIMEDOUT or -EPIPE. Any other line fails the test: nothing is
 * expected from @p but asynchronous lines while no command runs.
 */
int test_proc_async(struct test_proc *p, char line[TEST_PROC_LINE],
		unsigned int timeout_ms);

/* SIGKILL @p and reap it. */
void test_proc_kill9(struct test_proc *p);

/*
 * End the @n processes of @procs at once (NULL entries and unused slots
 * are skipped): close their stdin (SIGTERM those without one), give them
 * @timeout_ms to exit, SIGKILL the rest. @killed is called for each one
 * that had to be killed (NULL: none), with its pid, so that the caller
 * can remove what it left. Closes every descriptor and marks the slots
 * unused.
 */
void test_proc_end(struct test_proc *const procs[], unsigned int n,
		unsigned int timeout_ms,
		void (*killed)(const struct test_proc *p, pid_t pid));

#endif /* TEST_PROC_H */
