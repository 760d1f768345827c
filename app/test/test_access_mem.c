/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-dma-xd authors
 */

/*
 * Contract tests of memory windows at the broker: DXA_MEM_EXPORT,
 * DXA_MEM_UNEXPORT, DXA_MEM_RELEASED and the DXA_MEM_EVENTs they cause,
 * spoken over real connections to a real broker. Error paths first: every
 * errno an export or unexport can get, then the messages that close a
 * connection; then relaying (at export and at join, before the join's
 * reply), the UNEXPORT that waits for its receivers, and a join that
 * relays thousands of windows through the broker's output queue.
 *
 * No EAL: the broker is plain C. Each test gets its own directory and
 * socket, and its own broker on a thread of this process; so every
 * descriptor the broker holds is in this process's table, and each test
 * ends by checking that, once the test has closed its side, the table is
 * back to what it was when the broker started: the broker leaked nothing.
 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <rte_common.h>
#include <rte_log.h>

#include "dma_access_broker.h"
#include "dma_access_conn.h"
#include "dma_access_proto.h"

/* Longest wait for something that must come. */
#define TIMEOUT_MS 10000
/* How long something that must not come is given to show up. */
#define QUIET_MS 200
/* Descriptors a test may track for its teardown. */
#define MAX_FDS 64
#define PAGE DXA_MEM_ALIGN
/* An owner address that is not 0, so a zeroed field is not mistaken for it. */
#define BASE (UINT64_C(1) << 32)
#define HUGE_2M (2u << 20)

static const uint8_t secret[DXA_UUID_LEN] = {
	0x3c, 0x1d, 0x7e, 0x02, 0x99, 0x10, 0x4a, 0x5b,
	0x86, 0x41, 0x0d, 0xee, 0x27, 0x6f, 0x01, 0x42,
};

struct fixture {
	char dir[64];
	char sock[96];
	struct dxa_broker *b;
	pthread_t thread;
	bool running;
	unsigned int baseline;  /* descriptors open once the broker runs */
	int fds[MAX_FDS];       /* the test's own, closed at its end */
	unsigned int nb_fds;
	uint8_t next_domain;
};

/* One message received from the broker. */
struct rx {
	struct dxa_hdr h;
	uint8_t body[DXA_MSG_MAX];
	int fd;                 /* came with it, or -1 */
};

/* ---- descriptors ------------------------------------------------------ */

static unsigned int
count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	unsigned int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

static int
highest_fd(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int top = -1;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			top = RTE_MAX(top, atoi(e->d_name));
	closedir(d);
	return top;
}

static int
track(struct fixture *f, int fd)
{
	assert_true(fd >= 0);
	assert_true(f->nb_fds < MAX_FDS);
	f->fds[f->nb_fds++] = fd;
	return fd;
}

/* Close a tracked descriptor before the test ends. */
static void
untrack_close(struct fixture *f, int fd)
{
	unsigned int i;

	for (i = 0; i < f->nb_fds; i++) {
		if (f->fds[i] == fd) {
			f->fds[i] = f->fds[--f->nb_fds];
			close(fd);
			return;
		}
	}
	fail_msg("descriptor %d is not the test's", fd);
}

static void
close_tracked(struct fixture *f)
{
	while (f->nb_fds > 0)
		close(f->fds[--f->nb_fds]);
}

/*
 * The test closes its side; the broker then closes the connections and
 * must be left with exactly the descriptors it started with.
 */
static void
assert_no_leak(struct fixture *f)
{
	struct timespec ts = { .tv_nsec = 10 * 1000 * 1000 };
	unsigned int i, n = 0;

	close_tracked(f);
	for (i = 0; i < TIMEOUT_MS / 10; i++) {
		n = count_fds();
		if (n == f->baseline)
			return;
		nanosleep(&ts, NULL);
	}
	fail_msg("%u descriptors open, %u when the broker started", n,
		f->baseline);
}

static int
memfd_new(struct fixture *f, size_t size, unsigned int seals)
{
	int fd = track(f, memfd_create("test-window",
		MFD_CLOEXEC | MFD_ALLOW_SEALING));

	assert_int_equal(ftruncate(fd, (off_t)size), 0);
	if (seals != 0)
		assert_int_equal(fcntl(fd, F_ADD_SEALS, seals), 0);
	return fd;
}

static int
memfd_sealed(struct fixture *f, size_t size)
{
	return memfd_new(f, size, F_SEAL_SHRINK | F_SEAL_GROW);
}

/* A new, read-only file description of what @fd is. */
static int
reopen_ro(struct fixture *f, int fd)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	return track(f, open(path, O_RDONLY | O_CLOEXEC));
}

/* ---- the broker ------------------------------------------------------- */

static void *
broker_main(void *arg)
{
	dxa_broker_run(arg);
	return NULL;
}

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	RTE_SET_USED(st);
	RTE_SET_USED(flag);
	RTE_SET_USED(ftw);
	return remove(path);
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	if (f == NULL)
		return 0;
	close_tracked(f);
	if (f->running) {
		dxa_broker_stop(f->b);
		pthread_join(f->thread, NULL);
	}
	dxa_broker_destroy(f->b);
	nftw(f->dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
	free(f);
	return 0;
}

static int
setup(void **state)
{
	struct dxa_broker_conf conf = { .socket_mode = 0600 };
	struct dxa_policy any = { 0 };
	struct fixture *f = calloc(1, sizeof(*f));
	int err;

	*state = f;
	if (f == NULL)
		return -1;
	strcpy(f->dir, "/tmp/dxa-mem-XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(f->sock, sizeof(f->sock), "%s/broker.sock", f->dir);
	conf.socket_path = f->sock;
	f->b = dxa_broker_create(&conf, &err);
	if (f->b == NULL || dxa_broker_token_add(f->b, secret, &any) != 0)
		return -1;
	if (pthread_create(&f->thread, NULL, broker_main, f->b) != 0)
		return -1;
	f->running = true;
	f->baseline = count_fds();
	return 0;
}

/* ---- the wire --------------------------------------------------------- */

static int
peer_open(struct fixture *f)
{
	return track(f, dxa_conn_open(f->sock));
}

static uint32_t
send_req(int fd, uint16_t type, const void *body, size_t len, int pass_fd)
{
	static uint32_t seq;

	seq++;
	assert_int_equal(dxa_conn_send_fd(fd, type, seq, body, len, pass_fd),
		0);
	return seq;
}

/* Receive one message; returns its length or the error. */
static int
rx_next(int fd, int timeout_ms, struct rx *m)
{
	uint8_t buf[DXA_MSG_MAX];
	int n;

	n = dxa_conn_recv_fd(fd, buf, timeout_ms, &m->fd);
	if (n < 0)
		return n;
	memcpy(&m->h, buf, sizeof(m->h));
	memcpy(m->body, buf + sizeof(m->h), (size_t)n - sizeof(m->h));
	return n;
}

static int32_t
rx_status(const struct rx *m)
{
	int32_t status;

	memcpy(&status, m->body, sizeof(status));
	return status;
}

/* The reply to request @seq of @type, skipping (and closing) events. */
static int32_t
reply_wait(int fd, uint16_t type, uint32_t seq, void *reply, size_t len)
{
	struct rx m;

	for (;;) {
		assert_true(rx_next(fd, TIMEOUT_MS, &m) > 0);
		if (m.h.seq == 0) {
			if (m.fd >= 0)
				close(m.fd);
			continue;
		}
		assert_int_equal(m.h.type, type | DXA_REPLY);
		assert_int_equal(m.h.seq, seq);
		assert_int_equal(m.fd, -1);
		if (reply != NULL)
			memcpy(reply, m.body, len);
		return rx_status(&m);
	}
}

static int32_t
call(int fd, uint16_t type, const void *body, size_t len, int pass_fd,
		void *reply, size_t reply_len)
{
	uint32_t seq = send_req(fd, type, body, len, pass_fd);

	return reply_wait(fd, type, seq, reply, reply_len);
}

static struct dxa_mem_export
window(uint32_t mem_id, uint64_t base, uint64_t len, uint64_t offset,
		uint32_t perm)
{
	return (struct dxa_mem_export){
		.base = base, .len = len, .offset = offset, .mem_id = mem_id,
		.perm = perm,
	};
}

static int32_t
export(int fd, const struct dxa_mem_export *w, int pass_fd)
{
	return call(fd, DXA_MEM_EXPORT, w, sizeof(*w), pass_fd, NULL, 0);
}

static int32_t
unexport(int fd, uint32_t mem_id)
{
	struct dxa_mem_ref r = { .mem_id = mem_id };

	return call(fd, DXA_MEM_UNEXPORT, &r, sizeof(r), -1, NULL, 0);
}

static void
released(int fd, uint16_t handler, uint32_t mem_id)
{
	struct dxa_mem_released r = { .handler = handler, .mem_id = mem_id };

	assert_int_equal(dxa_conn_send(fd, DXA_MEM_RELEASED, 0, &r,
		sizeof(r)), 0);
}

static void
domain_next(struct fixture *f, uint8_t domain[DXA_UUID_LEN])
{
	memset(domain, 0, DXA_UUID_LEN);
	domain[0] = 0xd0;
	domain[15] = ++f->next_domain;
}

/* Create a group on @fd; returns its id, the creator's handler in *h. */
static int16_t
group_create(struct fixture *f, int fd, uint16_t *h)
{
	struct dxa_group_create req = { 0 };
	struct dxa_reply_group r;

	memcpy(req.token, secret, DXA_UUID_LEN);
	domain_next(f, req.domain_id);
	assert_int_equal(call(fd, DXA_GROUP_CREATE, &req, sizeof(req), -1,
		&r, sizeof(r)), 0);
	*h = r.handler;
	return r.group_id;
}

/*
 * Join group @gid on @fd. The window events that come before the reply
 * are kept in @ev (descriptors in @ev_fd, closed if @ev_fd is NULL) up to
 * @max of them; returns how many came, the joiner's handler in *h.
 */
static unsigned int
group_join(struct fixture *f, int fd, int16_t gid, uint16_t *h,
		struct dxa_mem_event *ev, int *ev_fd, unsigned int max)
{
	struct dxa_group_join req = { .group_id = gid };
	struct dxa_reply_group r;
	unsigned int nb = 0;
	uint32_t seq;
	struct rx m;

	memcpy(req.token, secret, DXA_UUID_LEN);
	domain_next(f, req.domain_id);
	seq = send_req(fd, DXA_GROUP_JOIN, &req, sizeof(req), -1);
	for (;;) {
		assert_true(rx_next(fd, TIMEOUT_MS, &m) > 0);
		if (m.h.type != DXA_MEM_EVENT)
			break;
		assert_true(m.fd >= 0);
		if (nb < max && ev != NULL)
			memcpy(&ev[nb], m.body, sizeof(ev[nb]));
		if (nb < max && ev_fd != NULL)
			ev_fd[nb] = m.fd;
		else
			close(m.fd);
		nb++;
	}
	assert_int_equal(m.h.type, DXA_GROUP_JOIN | DXA_REPLY);
	assert_int_equal(m.h.seq, seq);
	assert_int_equal(rx_status(&m), 0);
	memcpy(&r, m.body, sizeof(r));
	*h = r.handler;
	return nb;
}

/* The next message on @fd must be a window event: returned, fd in *fd. */
static struct dxa_mem_event
mem_event_wait(int fd, uint16_t event, int *rx_fd)
{
	struct dxa_mem_event ev;
	struct rx m;

	assert_true(rx_next(fd, TIMEOUT_MS, &m) > 0);
	assert_int_equal(m.h.type, DXA_MEM_EVENT);
	memcpy(&ev, m.body, sizeof(ev));
	assert_int_equal(ev.event, event);
	if (event == DXA_MEM_ADD)
		assert_true(m.fd >= 0);
	else
		assert_int_equal(m.fd, -1);
	if (rx_fd != NULL)
		*rx_fd = m.fd;
	else if (m.fd >= 0)
		close(m.fd);
	return ev;
}

static void
member_left_wait(int fd, int16_t gid, uint16_t handler)
{
	struct dxa_event ev;
	struct rx m;

	assert_true(rx_next(fd, TIMEOUT_MS, &m) > 0);
	assert_int_equal(m.h.type, DXA_EVENT);
	memcpy(&ev, m.body, sizeof(ev));
	assert_int_equal(ev.event, DXA_EVENT_MEMBER_LEFT);
	assert_int_equal(ev.group_id, gid);
	assert_int_equal(ev.handler, handler);
}

static void
assert_window(const struct dxa_mem_event *ev, const struct dxa_mem_export *w,
		int16_t gid, uint16_t owner)
{
	assert_int_equal(ev->group_id, gid);
	assert_int_equal(ev->handler, owner);
	assert_int_equal(ev->mem_id, w->mem_id);
	assert_int_equal(ev->perm, w->perm);
	assert_int_equal(ev->base, w->base);
	assert_int_equal(ev->len, w->len);
	assert_int_equal(ev->offset, w->offset);
	assert_int_equal(ev->owner_uid, geteuid());
}

/* Nothing arrives on @fd for a while. */
static void
assert_quiet(int fd)
{
	struct rx m;

	assert_int_equal(rx_next(fd, QUIET_MS, &m), -ETIMEDOUT);
}

/* The broker closed @fd: whatever came before, then the end. */
static void
assert_closed(int fd)
{
	struct rx m;
	int n;

	do {
		n = rx_next(fd, TIMEOUT_MS, &m);
		if (n > 0 && m.fd >= 0)
			close(m.fd);
	} while (n > 0);
	assert_int_equal(n, -ECONNRESET);
}

/* A message with any number of descriptors, as no helper would send it. */
static void
send_with_fds(int fd, uint16_t type, const void *body, size_t len,
		const int *fds, unsigned int nb)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(4 * sizeof(int))];
	} ctl;
	uint8_t msg[DXA_MSG_MAX];
	struct iovec iov = { .iov_base = msg, .iov_len = sizeof(struct dxa_hdr) + len };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = ctl.buf, .msg_controllen = CMSG_SPACE(nb * sizeof(int)),
	};
	struct cmsghdr *cm;
	struct dxa_hdr h;

	assert_true(nb > 0 && nb <= 4);
	dxa_hdr_init(&h, type, 1, len);
	memcpy(msg, &h, sizeof(h));
	memcpy(msg + sizeof(h), body, len);
	memset(&ctl, 0, sizeof(ctl));
	cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(nb * sizeof(int));
	memcpy(CMSG_DATA(cm), fds, nb * sizeof(int));
	assert_int_equal(sendmsg(fd, &mh, MSG_NOSIGNAL),
		(ssize_t)iov.iov_len);
}

/* ---- the descriptor check itself -------------------------------------- */

static void
test_fd_check(void **state)
{
	struct fixture *f = *state;
	int mfd = memfd_sealed(f, 4 * PAGE);
	int path_fd, dir_fd, hfd;
	bool sealed = false;

	assert_int_equal(dxa_mem_fd_check(-1, 0, PAGE, DXA_PERM_READ, &sealed),
		-EBADF);
	dir_fd = track(f, open(f->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC));
	assert_int_equal(dxa_mem_fd_check(dir_fd, 0, PAGE, DXA_PERM_READ,
		&sealed), -EBADF);
	/* A path names the memfd but cannot map it. */
	{
		char p[64];

		snprintf(p, sizeof(p), "/proc/self/fd/%d", mfd);
		path_fd = track(f, open(p, O_PATH | O_CLOEXEC));
	}
	assert_int_equal(dxa_mem_fd_check(path_fd, 0, PAGE, DXA_PERM_READ,
		&sealed), -EBADF);
	/* Ranges: the end may touch the end of the file, not pass it. */
	assert_int_equal(dxa_mem_fd_check(mfd, 0, 4 * PAGE, DXA_PERM_ALL,
		&sealed), 0);
	assert_true(sealed);
	assert_int_equal(dxa_mem_fd_check(mfd, 3 * PAGE, PAGE, DXA_PERM_ALL,
		&sealed), 0);
	assert_int_equal(dxa_mem_fd_check(mfd, 3 * PAGE, 2 * PAGE,
		DXA_PERM_ALL, &sealed), -ERANGE);
	assert_int_equal(dxa_mem_fd_check(mfd, UINT64_MAX - PAGE + 1, PAGE,
		DXA_PERM_ALL, &sealed), -ERANGE);
	assert_int_equal(dxa_mem_fd_check(mfd, PAGE, UINT64_MAX,
		DXA_PERM_ALL, &sealed), -ERANGE);
	/* A write-only window still needs a readable descriptor to map. */
	assert_int_equal(dxa_mem_fd_check(mfd, 0, PAGE, DXA_PERM_WRITE,
		&sealed), 0);
	assert_int_equal(dxa_mem_fd_check(reopen_ro(f, mfd), 0, PAGE,
		DXA_PERM_READ, &sealed), 0);
	/* A hugetlbfs file is accepted, but nothing keeps it from shrinking. */
	hfd = memfd_create("test-huge", MFD_HUGETLB | MFD_CLOEXEC);
	if (hfd >= 0 && ftruncate(track(f, hfd), HUGE_2M) == 0) {
		sealed = true;
		assert_int_equal(dxa_mem_fd_check(hfd, 0, HUGE_2M,
			DXA_PERM_ALL, &sealed), 0);
		assert_false(sealed);
	} else {
		print_message("no 2 MiB hugetlbfs memfd here: that case is not checked\n");
	}
	assert_no_leak(f);
}

/* ---- export and unexport: every errno --------------------------------- */

static void
test_export_errors(void **state)
{
	struct fixture *f = *state;
	struct dxa_mem_export w = window(1, BASE, PAGE, 0, DXA_PERM_ALL);
	struct dxa_mem_export ro = window(1, BASE, PAGE, 0, DXA_PERM_READ);
	int c = peer_open(f);
	int sealed = memfd_sealed(f, 4 * PAGE);
	int tmp;
	char path[128];

	/* No descriptor. */
	assert_int_equal(export(c, &w, -1), -EBADF);
	/* Not a memfd, hugetlbfs file or dma-buf. */
	snprintf(path, sizeof(path), "%s/plain", f->dir);
	tmp = track(f, open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC,
		0600));
	assert_int_equal(ftruncate(tmp, 4 * PAGE), 0);
	assert_int_equal(export(c, &w, tmp), -EBADF);
	/* A memfd that could shrink under its receivers. */
	assert_int_equal(export(c, &w, memfd_new(f, 4 * PAGE, 0)), -EPERM);
	assert_int_equal(export(c, &w, memfd_new(f, 4 * PAGE, F_SEAL_SHRINK)),
		-EPERM);
	/* Too small for the window. */
	w.len = 8 * PAGE;
	assert_int_equal(export(c, &w, sealed), -ERANGE);
	w.len = PAGE;
	w.offset = 4 * PAGE;
	assert_int_equal(export(c, &w, sealed), -ERANGE);
	w.offset = 0;
	/* Access mode and permission disagree, either way. */
	assert_int_equal(export(c, &ro, sealed), -EACCES);
	assert_int_equal(export(c, &w, reopen_ro(f, sealed)), -EACCES);
	assert_int_equal(export(c, &w, memfd_new(f, PAGE,
		F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)), -EACCES);
	/* Nothing of these was kept: mem_id 1 is free. */
	assert_int_equal(unexport(c, 1), -ENOENT);

	assert_int_equal(export(c, &w, sealed), 0);
	/* Same mem_id elsewhere; another mem_id over the same bytes. */
	w.base = BASE + 16 * PAGE;
	assert_int_equal(export(c, &w, sealed), -EEXIST);
	w = window(2, BASE, PAGE, PAGE, DXA_PERM_ALL);
	assert_int_equal(export(c, &w, sealed), -EEXIST);
	w = window(2, BASE - PAGE, 2 * PAGE, 0, DXA_PERM_ALL);
	assert_int_equal(export(c, &w, sealed), -EEXIST);
	/* Touching is not overlapping. */
	w = window(2, BASE - PAGE, PAGE, 0, DXA_PERM_ALL);
	assert_int_equal(export(c, &w, sealed), 0);
	w = window(3, BASE + PAGE, PAGE, 0, DXA_PERM_ALL);
	assert_int_equal(export(c, &w, sealed), 0);

	/* Unexport: unknown, then done at once (nobody received them). */
	assert_int_equal(unexport(c, 4), -ENOENT);
	assert_int_equal(unexport(c, 1), 0);
	assert_int_equal(unexport(c, 1), -ENOENT);
	/* Its mem_id and its range are free again. */
	w = window(1, BASE, PAGE, 0, DXA_PERM_ALL);
	assert_int_equal(export(c, &w, sealed), 0);
	assert_no_leak(f);
}

/*
 * The broker itself runs out of descriptors: the one an EXPORT brings
 * cannot be received. The export is refused, the exporter stays.
 */
static void
test_export_emfile(void **state)
{
	struct fixture *f = *state;
	struct dxa_mem_export w = window(1, BASE, PAGE, 0, DXA_PERM_ALL);
	int c = peer_open(f);
	int mfd = memfd_sealed(f, PAGE);
	struct rlimit old, low;
	int fill[256], top, probe;
	unsigned int nb = 0, i;
	int32_t status;
	uint32_t seq;

	/* Accepted: the broker needs no new descriptor for this peer. */
	assert_int_equal(unexport(c, 1), -ENOENT);
	/* Make every descriptor number up to the highest in use taken. */
	top = highest_fd();
	for (;;) {
		probe = open("/dev/null", O_RDONLY | O_CLOEXEC);
		assert_true(probe >= 0);
		if (probe > top)
			break;
		assert_true(nb < RTE_DIM(fill));
		fill[nb++] = probe;
	}
	close(probe);
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &old), 0);
	low = old;
	low.rlim_cur = (rlim_t)top + 1;
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
	seq = send_req(c, DXA_MEM_EXPORT, &w, sizeof(w), mfd);
	status = reply_wait(c, DXA_MEM_EXPORT, seq, NULL, 0);
	/* Restored before any assertion can end the test. */
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &old), 0);
	for (i = 0; i < nb; i++)
		close(fill[i]);
	assert_int_equal(status, -EMFILE);
	/* With descriptors back, the same export goes through. */
	assert_int_equal(export(c, &w, mfd), 0);
	assert_no_leak(f);
}

/* ---- messages that close the connection ------------------------------- */

static void
expect_export_closes(struct fixture *f, uint64_t base, uint64_t len,
		uint64_t offset, uint32_t mem_id, uint32_t perm, int mfd)
{
	struct dxa_mem_export w = window(mem_id, base, len, offset, perm);
	int c = peer_open(f);

	assert_int_equal(dxa_conn_send_fd(c, DXA_MEM_EXPORT, 1, &w,
		sizeof(w), mfd), 0);
	assert_closed(c);
	untrack_close(f, c);
}

static void
test_malformed(void **state)
{
	struct fixture *f = *state;
	struct dxa_mem_export ok = window(1, BASE, PAGE, 0, DXA_PERM_ALL);
	struct dxa_handler_get hget = { .group_id = 0 };
	struct dxa_mem_ref ref = { .mem_id = 1 };
	struct dxa_mem_released rel = { .handler = 1, .mem_id = 1 };
	int mfd = memfd_sealed(f, 16 * PAGE);
	int two[2] = { mfd, mfd };
	unsigned int before;
	int c;

	/* Two descriptors with one export. */
	c = peer_open(f);
	send_with_fds(c, DXA_MEM_EXPORT, &ok, sizeof(ok), two, 2);
	assert_closed(c);
	untrack_close(f, c);
	/*
	 * A descriptor with anything but an export: not kept either. Once
	 * the broker has closed the connection, it holds one descriptor
	 * fewer than while it served it.
	 */
	c = peer_open(f);
	assert_int_equal(unexport(c, 1), -ENOENT);
	before = count_fds();
	assert_int_equal(dxa_conn_send_fd(c, DXA_HANDLER_GET, 1, &hget,
		sizeof(hget), mfd), 0);
	assert_closed(c);
	assert_int_equal(count_fds(), before - 1);
	untrack_close(f, c);
	c = peer_open(f);
	assert_int_equal(dxa_conn_send_fd(c, DXA_MEM_UNEXPORT, 1, &ref,
		sizeof(ref), mfd), 0);
	assert_closed(c);
	untrack_close(f, c);

	/* Windows the body check refuses, descriptor or not. */
	expect_export_closes(f, BASE + 1, PAGE, 0, 1, DXA_PERM_ALL, mfd);
	expect_export_closes(f, BASE, PAGE, PAGE / 2, 1, DXA_PERM_ALL, mfd);
	expect_export_closes(f, BASE, 0, 0, 1, DXA_PERM_ALL, mfd);
	expect_export_closes(f, BASE, PAGE, 0, 1, 0, mfd);
	expect_export_closes(f, BASE, PAGE, 0, 1, 4, -1);
	expect_export_closes(f, BASE, PAGE, 0, 0, DXA_PERM_ALL, mfd);
	expect_export_closes(f, DXA_MEM_ADDR_LIMIT - PAGE, 2 * PAGE, 0, 1,
		DXA_PERM_ALL, mfd);
	expect_export_closes(f, UINT64_MAX - PAGE + 1, PAGE, 0, 1,
		DXA_PERM_ALL, mfd);

	/* Unexport and released: ids 0, reserved bits, a seq on a one-way. */
	c = peer_open(f);
	ref.mem_id = 0;
	send_req(c, DXA_MEM_UNEXPORT, &ref, sizeof(ref), -1);
	assert_closed(c);
	untrack_close(f, c);
	c = peer_open(f);
	ref = (struct dxa_mem_ref){ .mem_id = 1, .reserved = 1 };
	send_req(c, DXA_MEM_UNEXPORT, &ref, sizeof(ref), -1);
	assert_closed(c);
	untrack_close(f, c);
	c = peer_open(f);
	rel.handler = 0;
	released(c, rel.handler, rel.mem_id);
	assert_closed(c);
	untrack_close(f, c);
	c = peer_open(f);
	rel.handler = 1;
	send_req(c, DXA_MEM_RELEASED, &rel, sizeof(rel), -1);
	assert_closed(c);
	untrack_close(f, c);
	/* A peer cannot send what only the broker sends. */
	c = peer_open(f);
	{
		struct dxa_mem_event ev = {
			.event = DXA_MEM_ADD, .handler = 1, .mem_id = 1,
			.perm = DXA_PERM_ALL, .base = BASE, .len = PAGE,
		};

		assert_int_equal(dxa_conn_send_fd(c, DXA_MEM_EVENT, 0, &ev,
			sizeof(ev), mfd), 0);
	}
	assert_closed(c);
	untrack_close(f, c);
	assert_no_leak(f);
}

/* A RELEASED nobody owes is not an error: no reply, no close. */
static void
test_released_unowed(void **state)
{
	struct fixture *f = *state;
	int c = peer_open(f);

	released(c, 1, 1);
	released(c, UINT16_MAX, UINT32_MAX);
	assert_quiet(c);
	assert_int_equal(unexport(c, 1), -ENOENT);
	assert_no_leak(f);
}

/* ---- relaying --------------------------------------------------------- */

/*
 * The creator's window reaches a joiner before its join returns, with the
 * descriptor, the creator's handler and uid; what the creator wrote is
 * what the joiner maps. A read-only window comes as a read-only
 * descriptor: the joiner's kernel refuses to map it writable.
 */
static void
test_relay_at_join(void **state)
{
	struct fixture *f = *state;
	struct dxa_mem_export rw = window(7, BASE, 2 * PAGE, PAGE, DXA_PERM_ALL);
	struct dxa_mem_export ro = window(8, BASE + 4 * PAGE, PAGE, 0,
		DXA_PERM_READ);
	struct dxa_mem_event ev[2];
	int ev_fd[2];
	int creator = peer_open(f), joiner = peer_open(f);
	int mfd = memfd_sealed(f, 4 * PAGE);
	uint16_t hc, hj;
	unsigned int i;
	int16_t gid;
	char *p;

	p = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
	assert_true(p != MAP_FAILED);
	strcpy(p + PAGE, "written by the creator");
	assert_int_equal(export(creator, &rw, mfd), 0);
	assert_int_equal(export(creator, &ro, reopen_ro(f, mfd)), 0);
	gid = group_create(f, creator, &hc);
	assert_int_equal(group_join(f, joiner, gid, &hj, ev, ev_fd, 2), 2);
	for (i = 0; i < 2; i++)
		track(f, ev_fd[i]);
	if (ev[0].mem_id != rw.mem_id) {
		RTE_SWAP(ev[0], ev[1]);
		RTE_SWAP(ev_fd[0], ev_fd[1]);
	}
	assert_window(&ev[0], &rw, gid, hc);
	assert_window(&ev[1], &ro, gid, hc);
	munmap(p, 4 * PAGE);
	p = mmap(NULL, rw.len, PROT_READ | PROT_WRITE, MAP_SHARED, ev_fd[0],
		(off_t)rw.offset);
	assert_true(p != MAP_FAILED);
	assert_string_equal(p, "written by the creator");
	munmap(p, rw.len);
	assert_true(mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED,
		ev_fd[1], 0) == MAP_FAILED);
	assert_int_equal(errno, EACCES);
	p = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, ev_fd[1], 0);
	assert_true(p != MAP_FAILED);
	munmap(p, PAGE);
	/* The creator was sent nothing. */
	assert_quiet(creator);
	assert_no_leak(f);
}

/*
 * A joiner's windows reach the members already there, whether exported
 * before the join or after it; and a window exported later reaches every
 * member of every group of its owner.
 */
static void
test_relay_joiner_windows(void **state)
{
	struct fixture *f = *state;
	struct dxa_mem_export before = window(1, BASE, PAGE, 0, DXA_PERM_ALL);
	struct dxa_mem_export after = window(2, BASE + PAGE, PAGE, 0,
		DXA_PERM_WRITE);
	struct dxa_mem_event ev;
	int creator = peer_open(f), other = peer_open(f);
	int joiner = peer_open(f);
	int mfd = memfd_sealed(f, PAGE);
	uint16_t hc, ho, hj, hj2;
	int16_t g1, g2;

	assert_int_equal(export(joiner, &before, mfd), 0);
	g1 = group_create(f, creator, &hc);
	g2 = group_create(f, other, &ho);
	assert_int_equal(group_join(f, joiner, g1, &hj, NULL, NULL, 0), 0);
	ev = mem_event_wait(creator, DXA_MEM_ADD, NULL);
	assert_window(&ev, &before, g1, hj);
	assert_int_equal(group_join(f, joiner, g2, &hj2, NULL, NULL, 0), 0);
	ev = mem_event_wait(other, DXA_MEM_ADD, NULL);
	assert_window(&ev, &before, g2, hj2);

	assert_int_equal(export(joiner, &after, mfd), 0);
	ev = mem_event_wait(creator, DXA_MEM_ADD, NULL);
	assert_window(&ev, &after, g1, hj);
	ev = mem_event_wait(other, DXA_MEM_ADD, NULL);
	assert_window(&ev, &after, g2, hj2);
	assert_quiet(creator);
	assert_quiet(other);
	RTE_SET_USED(hc);
	RTE_SET_USED(ho);
	assert_no_leak(f);
}

/* ---- unexport waits for its receivers --------------------------------- */

/* A creator with window 1 and a joiner that has it; returns the group. */
static int16_t
shared_window(struct fixture *f, int creator, int joiner, uint16_t *hc,
		uint16_t *hj)
{
	struct dxa_mem_export w = window(1, BASE, PAGE, 0, DXA_PERM_ALL);
	int16_t gid;

	assert_int_equal(export(creator, &w, memfd_sealed(f, PAGE)), 0);
	gid = group_create(f, creator, hc);
	assert_int_equal(group_join(f, joiner, gid, hj, NULL, NULL, 0), 1);
	return gid;
}

static void
test_unexport_waits_released(void **state)
{
	struct fixture *f = *state;
	struct dxa_mem_ref ref = { .mem_id = 1 };
	struct dxa_mem_export w = window(1, BASE, PAGE, 0, DXA_PERM_ALL);
	int creator = peer_open(f), joiner = peer_open(f);
	struct dxa_mem_event ev;
	uint16_t hc, hj;
	uint32_t seq;
	int16_t gid;

	gid = shared_window(f, creator, joiner, &hc, &hj);
	seq = send_req(creator, DXA_MEM_UNEXPORT, &ref, sizeof(ref), -1);
	ev = mem_event_wait(joiner, DXA_MEM_DEL, NULL);
	assert_window(&ev, &w, gid, hc);
	/* Withheld while the joiner may still map it. */
	assert_quiet(creator);
	/* Meanwhile: removing it twice is refused, at once. */
	assert_int_equal(unexport(creator, 1), -EBUSY);
	/* So is a new window over it: receivers still translate to it. */
	assert_int_equal(export(creator, &w, memfd_sealed(f, PAGE)), -EEXIST);
	/* A RELEASED for another window, or another owner, does not count. */
	released(joiner, hc, 2);
	released(joiner, hj, 1);
	assert_quiet(creator);
	released(joiner, hc, 1);
	assert_int_equal(reply_wait(creator, DXA_MEM_UNEXPORT, seq, NULL, 0), 0);
	/* Late and repeated: ignored, nobody is closed. */
	released(joiner, hc, 1);
	assert_int_equal(unexport(creator, 1), -ENOENT);
	/* The window can come back, and reaches the joiner again. */
	assert_int_equal(export(creator, &w, memfd_sealed(f, PAGE)), 0);
	ev = mem_event_wait(joiner, DXA_MEM_ADD, NULL);
	assert_window(&ev, &w, gid, hc);
	assert_no_leak(f);
}

/* A receiver that closes owes nothing any more. */
static void
test_unexport_receiver_closes(void **state)
{
	struct fixture *f = *state;
	struct dxa_mem_ref ref = { .mem_id = 1 };
	int creator = peer_open(f), joiner = peer_open(f);
	uint16_t hc, hj;
	uint32_t seq;

	shared_window(f, creator, joiner, &hc, &hj);
	seq = send_req(creator, DXA_MEM_UNEXPORT, &ref, sizeof(ref), -1);
	mem_event_wait(joiner, DXA_MEM_DEL, NULL);
	assert_quiet(creator);
	untrack_close(f, joiner);
	/* reply_wait() skips the MEMBER_LEFT event that also comes. */
	assert_int_equal(reply_wait(creator, DXA_MEM_UNEXPORT, seq, NULL, 0), 0);
	assert_no_leak(f);
}

/*
 * Nor does one that leaves the group (its window goes with the group's
 * MEMBER_LEFT); and an owner that leaves takes its windows out of the
 * group: unexporting them later waits for nobody.
 */
static void
test_unexport_after_leave(void **state)
{
	struct fixture *f = *state;
	struct dxa_mem_ref ref = { .mem_id = 1 };
	struct dxa_mem_export w = window(5, BASE + PAGE, PAGE, 0, DXA_PERM_ALL);
	struct dxa_group_ref leave;
	int creator = peer_open(f), joiner = peer_open(f);
	uint16_t hc, hj;
	uint32_t seq;
	int16_t gid;

	gid = shared_window(f, creator, joiner, &hc, &hj);
	leave = (struct dxa_group_ref){ .group_id = gid };
	seq = send_req(creator, DXA_MEM_UNEXPORT, &ref, sizeof(ref), -1);
	mem_event_wait(joiner, DXA_MEM_DEL, NULL);
	assert_int_equal(call(joiner, DXA_GROUP_LEAVE, &leave, sizeof(leave),
		-1, NULL, 0), 0);
	assert_int_equal(reply_wait(creator, DXA_MEM_UNEXPORT, seq, NULL, 0), 0);
	member_left_wait(creator, gid, hj);

	/* The joiner comes back and shares a window; then leaves. */
	assert_int_equal(group_join(f, joiner, gid, &hj, NULL, NULL, 0), 0);
	assert_int_equal(export(joiner, &w, memfd_sealed(f, PAGE)), 0);
	mem_event_wait(creator, DXA_MEM_ADD, NULL);
	assert_int_equal(call(joiner, DXA_GROUP_LEAVE, &leave, sizeof(leave),
		-1, NULL, 0), 0);
	assert_int_equal(unexport(joiner, 5), 0);
	/* The creator got the MEMBER_LEFT, and no DEL. */
	member_left_wait(creator, gid, hj);
	assert_quiet(creator);
	assert_no_leak(f);
}

/* ---- the output queue ------------------------------------------------- */

/*
 * A join relays more windows than any socket buffer holds: all of them
 * reach the joiner, in order, before its reply, and nobody is dropped.
 * One more than the limit is refused.
 */
static void
test_many_windows(void **state)
{
	struct fixture *f = *state;
	struct dxa_mem_export w;
	int creator = peer_open(f), joiner = peer_open(f);
	int mfd = memfd_sealed(f, PAGE);
	uint16_t hc, hj;
	unsigned int i;
	int16_t gid;

	for (i = 0; i < DXA_DEFAULT_MAX_EXPORTS; i++) {
		w = window(i + 1, BASE + (uint64_t)i * PAGE, PAGE, 0,
			DXA_PERM_ALL);
		assert_int_equal(export(creator, &w, mfd), 0);
	}
	w = window(i + 1, BASE + (uint64_t)i * PAGE, PAGE, 0, DXA_PERM_ALL);
	assert_int_equal(export(creator, &w, mfd), -ENOSPC);
	gid = group_create(f, creator, &hc);
	assert_int_equal(group_join(f, joiner, gid, &hj, NULL, NULL, 0),
		DXA_DEFAULT_MAX_EXPORTS);
	/* Both still served. */
	assert_int_equal(unexport(creator, DXA_DEFAULT_MAX_EXPORTS + 1), -ENOENT);
	assert_int_equal(unexport(joiner, 1), -ENOENT);
	/* The joiner's windows reach the creator the same way. */
	for (i = 0; i < DXA_DEFAULT_MAX_EXPORTS; i++) {
		w = window(i + 1, BASE + (uint64_t)i * PAGE, PAGE, 0,
			DXA_PERM_ALL);
		assert_int_equal(export(joiner, &w, mfd), 0);
	}
	for (i = 0; i < DXA_DEFAULT_MAX_EXPORTS; i++) {
		struct dxa_mem_event ev = mem_event_wait(creator, DXA_MEM_ADD,
			NULL);

		assert_int_equal(ev.mem_id, i + 1);
		assert_int_equal(ev.handler, hj);
	}
	assert_no_leak(f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		/* Errors first. */
		T(test_fd_check),
		T(test_export_errors),
		T(test_export_emfile),
		T(test_malformed),
		T(test_released_unowed),
		/* Then what works. */
		T(test_relay_at_join),
		T(test_relay_joiner_windows),
		T(test_unexport_waits_released),
		T(test_unexport_receiver_closes),
		T(test_unexport_after_leave),
		T(test_many_windows),
#undef T
	};

	/* Every test issues a token: its line would bury the results. */
	rte_log_set_level_pattern("lib.dmadev.domain*", RTE_LOG_WARNING);
	return cmocka_run_group_tests_name("access_mem", tests, NULL,
		NULL) == 0 ? 0 : 1;
}
