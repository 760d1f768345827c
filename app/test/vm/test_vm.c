/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-dma-xd authors
 */

/*
 * A VM is an OS domain: real QEMU guests (devtools/vm-guest.sh: TCG, one
 * vCPU) sharing an ivshmem region with the host, their processes members
 * of the host's groups over a virtio-serial channel that the VM's relay
 * (dpdk-dma-access vm) binds to the broker.
 *
 *   host                                                guest
 *   H: test_xd_peer ---- embedded broker                G: test_xd_peer
 *      (creator)            |                              RTE_DMA_ACCESS_CHANNEL
 *                         relay  <-- chan.sock --> QEMU --> port "dmaxd"
 *      region: QEMU's memfd (/proc/QEMU/fd/N)   ivshmem --> BAR 2
 *   this program <----------- cmd.sock --------> port "cmd": G's stdin/stdout
 *
 * G is driven exactly as a local peer: this program re-executes itself as
 * "bridge SOCKET", a process whose stdin and stdout are the guest port's
 * socket, and drives that with test_proc.
 *
 * Cases: the host process copies into and out of a guest process's window
 * (a) and the guest process with its own device into the host's window in
 * the region (b); two guests on one region, B's QEMU mapping A's memfd,
 * each VM with its relay, copy into each other's windows with their own
 * devices (c); ranges outside windows are refused on both sides, and a
 * host window outside the region never reaches the guest (e); QEMU killed
 * mid-stream (d): MEMBER_LEFT at the host within 1 s, DEV_LINK_ERROR
 * after, nothing outside the windows written; a guest that sends garbage
 * or claims a range outside its region (f) loses its membership and
 * nothing else.
 *
 * Environment (meson sets it): XD_PEER, XD_ACCESS (dpdk-dma-access),
 * XD_VM_GUEST (devtools/vm-guest.sh). QEMU that cannot run at all: 77.
 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include <uuid/uuid.h>

#include "dma_access_proto.h"
#include "dma_access_vm.h"
#include "rte_dmadev_domain.h"
#include "test_proc.h"

#define EXIT_SKIP 77
#define KIB 1024u
#define MIB (1024u * 1024u)

#define REPLY_MS 20000
/* Boot and EAL start-up of the guest's peer, under TCG. */
#define BOOT_MS 120000
#define START_MS 15000
#define EXIT_MS 3000

/* The region: the guest's window at 0, the host's at 2 MiB. */
#define REGION "16M"
#define GWIN_OFF 0u
#define HWIN_OFF (2 * MIB)
#define WIN_LEN MIB
/* Streams toward the guest's window. */
#define STREAM_NBLK 256
#define STREAM_BS 4096
#define STREAM_OPS 512

/* Flow (c): the second guest's window in the one region. */
#define BWIN_OFF (4 * MIB)

enum {
	P_GUEST_VM, P_RELAY, P_RELAY2, P_GUEST, P_AGENT, P_HOST,
	/* the second VM, of flow (c) only */
	P_GUEST_VM_B, P_RELAY_B, P_GUEST_B, P_AGENT_B,
	P_NB
};

/* One VM: the host ends of its ports, its QEMU, its region. */
struct vm {
	char chan[128], chan2[128], cmd[128], sh[128], pidfile[128];
	char region[300];       /* /proc/QEMU/fd/N */
	pid_t qemu;
};

struct rig {
	char dir[64];
	char broker[128];
	struct vm vm[2];        /* vm[1] shares vm[0]'s region: flow (c) */
	char token[37];
	struct test_proc procs[P_NB];
	char h_dom[37], g_dom[37], b_dom[37];
	int gid;
	uint64_t g_region, h_region, h_priv, b_region;
	unsigned int hh, hg;    /* handlers as H sees them: H's, G's */
};

static char self_path[PATH_MAX];
static struct rig *live;

/* ---- small helpers ---------------------------------------------------- */

static const char * __attribute__((format(printf, 3, 4)))
ok(struct test_proc *p, char reply[TEST_PROC_LINE], const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	test_proc_vpost(p, fmt, ap);
	va_end(ap);
	return test_proc_wait_ok(p, reply, REPLY_MS);
}

static uint64_t __attribute__((format(printf, 2, 3)))
num(struct test_proc *p, const char *fmt, ...)
{
	char reply[TEST_PROC_LINE];
	va_list ap;

	va_start(ap, fmt);
	test_proc_vpost(p, fmt, ap);
	va_end(ap);
	return strtoull(test_proc_wait_ok(p, reply, REPLY_MS), NULL, 0);
}

static void __attribute__((format(printf, 3, 4)))
status(struct test_proc *p, const char *want, const char *fmt, ...)
{
	char reply[TEST_PROC_LINE];
	const char *s;
	va_list ap;

	va_start(ap, fmt);
	test_proc_vpost(p, fmt, ap);
	va_end(ap);
	s = test_proc_wait_ok(p, reply, REPLY_MS);
	if (strcmp(s, want) != 0)
		fail_msg("%s: '%s' completed %s, expected %s", p->name, p->cmd,
			s, want);
}

static uint64_t
kv(const char *reply, const char *key)
{
	size_t kl = strlen(key);
	const char *s = reply;

	while ((s = strstr(s, key)) != NULL) {
		if ((s == reply || s[-1] == ' ') && s[kl] == '=')
			return strtoull(s + kl + 1, NULL, 0);
		s += kl;
	}
	fail_msg("no %s= in '%s'", key, reply);
	return 0;
}

static uint64_t
ms_since(uint64_t t0)
{
	return (test_proc_now_ns() - t0) / 1000000u;
}

/* ---- the bridge: stdin/stdout <-> a guest port's socket --------------- */

static int
bridge_main(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct pollfd p[2];
	char buf[4096];
	ssize_t n;
	int fd, i;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	for (i = 0; connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0; i++) {
		if (i > 3000)
			return 1;
		usleep(10000);
	}
	p[0] = (struct pollfd){ .fd = 0, .events = POLLIN };
	p[1] = (struct pollfd){ .fd = fd, .events = POLLIN };
	for (;;) {
		if (poll(p, 2, -1) < 0)
			continue;
		for (i = 0; i < 2; i++) {
			if (p[i].revents == 0)
				continue;
			n = read(p[i].fd, buf, sizeof(buf));
			if (n <= 0)
				return 0;
			if (write(i == 0 ? fd : 1, buf, (size_t)n) != n)
				return 0;
		}
	}
}

/* ---- a misbehaving guest process: raw frames on a channel ------------- */

static int
frame_send(int fd, uint16_t type, const void *body, size_t len)
{
	uint8_t msg[DXA_MSG_MAX];
	struct dxa_hdr h;

	dxa_hdr_init(&h, type, 1, len);
	memcpy(msg, &h, sizeof(h));
	memcpy(msg + sizeof(h), body, len);
	return write(fd, msg, sizeof(h) + len) == (ssize_t)(sizeof(h) + len) ?
		0 : -EIO;
}

/*
 * Read until the relay's bye, or end-of-file (it broke the stream),
 * within @ms.
 */
static bool
until_eof(int fd, unsigned int ms)
{
	const struct dxa_vm_hello bye = {
		.magic = DXA_VM_HELLO_MAGIC, .version = DXA_VM_BYE_VERSION,
	};
	struct pollfd p = { .fd = fd, .events = POLLIN };
	uint64_t t0 = test_proc_now_ns();
	uint8_t win[sizeof(bye)];
	size_t have = 0;

	while (ms_since(t0) < ms) {
		if (poll(&p, 1, 100) <= 0)
			continue;
		if (have == sizeof(win))
			memmove(win, win + 1, --have);
		if (read(fd, win + have, 1) != 1)
			return true;
		if (++have == sizeof(win) && memcmp(win, &bye, sizeof(bye)) == 0)
			return true;
	}
	return false;
}

/*
 * Open port @port, say hello, join group @gid with @token as a domain of
 * its own: prints "DOMAIN" and returns the port's fd, or -1.
 */
static int
raw_join(const char *port, const char *token, int gid)
{
	struct dxa_group_join j = {
		.group_id = (int16_t)gid,
		.dev_class = RTE_DMA_DOMAIN_CLASS_SOFTWARE,
	};
	uint8_t buf[DXA_MSG_MAX];
	struct dxa_reply_group rep;
	char dom[37];
	int fd;

	fd = open(port, O_RDWR | O_CLOEXEC | O_NOCTTY);
	if (fd < 0 || uuid_parse(token, j.token) != 0)
		return -1;
	uuid_generate_random(j.domain_id);
	/* The library's session start: it waits out a relay's break. */
	if (dxa_vm_hello(fd) != 0)
		return -1;
	if (frame_send(fd, DXA_GROUP_JOIN, &j, sizeof(j)) != 0 ||
			read(fd, buf, sizeof(struct dxa_hdr) + sizeof(rep)) !=
				(ssize_t)(sizeof(struct dxa_hdr) + sizeof(rep)))
		return -1;
	memcpy(&rep, buf + sizeof(struct dxa_hdr), sizeof(rep));
	if (rep.status != 0)
		return -1;
	uuid_unparse_lower(j.domain_id, dom);
	printf("%s ", dom);
	return fd;
}

/*
 * In the guest: "badguest PORT TOKEN GID garbage|range": join, then send
 * garbage or claim a range past the region's end; the relay must break
 * the stream; then a new session on the same channel must be able to join
 * again. Prints "DOMAIN1 DOMAIN2 dropped".
 */
static int
badguest_main(char **argv)
{
	struct dxa_mem_export e = {
		.base = 0x100000000ull, .len = 4096, .mem_id = 1,
		.perm = DXA_PERM_ALL,
	};
	static const char junk[] = "GET / HTTP/1.0\r\n\r\n and some more junk";
	int fd, gid = atoi(argv[4]);
	struct stat st;

	fd = raw_join(argv[2], argv[3], gid);
	if (fd < 0)
		return 2;
	if (strcmp(argv[5], "garbage") == 0) {
		if (write(fd, junk, sizeof(junk)) != sizeof(junk))
			return 3;
	} else {
		/* Its region is BAR 2 of the ivshmem device; claim past it. */
		e.offset = getenv("XD_REGION_SIZE") != NULL ?
			strtoull(getenv("XD_REGION_SIZE"), NULL, 0) : 0;
		if (e.offset == 0 || frame_send(fd, DXA_MEM_EXPORT, &e,
				sizeof(e)) != 0)
			return 3;
	}
	if (!until_eof(fd, 5000))
		return 4;
	close(fd);
	fd = raw_join(argv[2], argv[3], gid);
	if (fd < 0 || fstat(fd, &st) != 0)
		return 5;
	printf("dropped\n");
	close(fd);
	return 0;
}

/* ---- the rig ---------------------------------------------------------- */

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* QEMU's memfd behind the ivshmem device (or the file it maps). */
static bool
find_region(struct vm *v)
{
	char path[300], link[256];
	struct dirent *de;
	ssize_t n;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)v->qemu);
	d = opendir(path);
	if (d == NULL)
		return false;
	while ((de = readdir(d)) != NULL) {
		snprintf(path, sizeof(path), "/proc/%d/fd/%s", (int)v->qemu,
			de->d_name);
		n = readlink(path, link, sizeof(link) - 1);
		if (n <= 0)
			continue;
		link[n] = '\0';
		if (strncmp(link, "/memfd:memory-backend-memfd", 27) == 0) {
			snprintf(v->region, sizeof(v->region), "%s", path);
			break;
		}
	}
	closedir(d);
	return v->region[0] != '\0';
}

static void
read_ready(struct test_proc *p, char dom[37], unsigned int ms)
{
	char line[TEST_PROC_LINE];
	int ret;

	ret = test_proc_read_line(p, line, sizeof(line),
		test_proc_now_ns() + ms * 1000000ull);
	if (ret != 0 || strncmp(line, "ready ", 6) != 0 || strlen(line + 6) != 36)
		fail_msg("%s did not start: %s", p->name,
			ret != 0 ? strerror(-ret) : line);
	snprintf(dom, 37, "%s", line + 6);
}

/* The relay of VM @name: its region @v, its channel @chan. */
static void
relay_start(struct rig *r, struct test_proc *p, const char *pname,
		const char *name, struct vm *v, char *chan)
{
	const struct test_proc_opts o = { 0 };
	char *argv[] = {
		(char *)(uintptr_t)getenv("XD_ACCESS"),
		(char *)(uintptr_t)"--socket", r->broker,
		(char *)(uintptr_t)"vm", (char *)(uintptr_t)"--name",
		(char *)(uintptr_t)name, (char *)(uintptr_t)"--region",
		v->region, (char *)(uintptr_t)"--chan", chan, NULL,
	};

	assert_int_equal(test_proc_spawn(p, pname, argv, &o), 0);
}

/* A process of the guest, driven through its port's socket @sock. */
static void
bridge_start(struct test_proc *p, const char *name, char *sock)
{
	const struct test_proc_opts o = { .with_stdin = true };
	char *argv[] = { self_path, (char *)(uintptr_t)"bridge", sock, NULL };

	assert_int_equal(test_proc_spawn(p, name, argv, &o), 0);
}

/*
 * Boot VM @i under vm-guest.sh (@vmp), with the guest's peer @g (named
 * @gname) on port "cmd" and, on port "sh", a shell @agent that runs a line
 * and says "ok rc=.. OUTPUT". VM 1 maps VM 0's region. Returns once QEMU
 * is up and its region found.
 */
static void
vm_boot(struct rig *r, unsigned int i, struct test_proc *vmp,
		struct test_proc *g, struct test_proc *agent, const char *gname)
{
	char guest_cmd[PATH_MAX + 256], ports[4][160], *argv[32];
	const char *vm = getenv("XD_VM_GUEST"), *peer = getenv("XD_PEER");
	struct vm *v = &r->vm[i];
	uint64_t t0 = test_proc_now_ns();
	struct test_proc_opts o = { 0 };
	unsigned int n = 0, k;
	FILE *f;
	int pid = 0;

	snprintf(guest_cmd, sizeof(guest_cmd),
		"(sh -c 'while read -r l; do o=$(sh -c \"$l\" 2>&1 </dev/null); echo \"ok rc=$? $(echo $o)\"; done' <>\"$DMA_XD_VPORT_sh\" >&0) & "
		"exec %s xdpeer <>\"$DMA_XD_VPORT_cmd\" >&0", peer);
	snprintf(ports[0], sizeof(ports[0]), "dmaxd:%s", v->chan);
	snprintf(ports[1], sizeof(ports[1]), "dmaxd2:%s", v->chan2);
	snprintf(ports[2], sizeof(ports[2]), "cmd:%s", v->cmd);
	snprintf(ports[3], sizeof(ports[3]), "sh:%s", v->sh);
	argv[n++] = (char *)(uintptr_t)vm;
	argv[n++] = (char *)(uintptr_t)"--ivshmem";
	argv[n++] = (char *)(uintptr_t)REGION;
	if (i > 0) {
		/* The second VM maps the first one's region. */
		argv[n++] = (char *)(uintptr_t)"--ivshmem-file";
		argv[n++] = r->vm[0].region;
	}
	for (k = 0; k < RTE_DIM(ports); k++) {
		argv[n++] = (char *)(uintptr_t)"--port";
		argv[n++] = ports[k];
	}
	argv[n++] = (char *)(uintptr_t)"--pidfile";
	argv[n++] = v->pidfile;
	argv[n++] = (char *)(uintptr_t)"--env";
	argv[n++] = (char *)(uintptr_t)"XD_EAL_LCORES=(0-1)@0";
	argv[n++] = (char *)(uintptr_t)"--env";
	argv[n++] = (char *)(uintptr_t)"RTE_DMA_ACCESS_CHANNEL=dmaxd";
	argv[n++] = (char *)(uintptr_t)"--";
	argv[n++] = (char *)(uintptr_t)"sh";
	argv[n++] = (char *)(uintptr_t)"-c";
	argv[n++] = guest_cmd;
	argv[n] = NULL;
	assert_int_equal(test_proc_spawn(vmp, i > 0 ? "vm-b" : "vm", argv, &o),
		0);
	/*
	 * Connect to the guest's command ports at once: a guest process
	 * reading a port whose host end is not connected reads end-of-file.
	 */
	bridge_start(g, gname, v->cmd);
	bridge_start(agent, i > 0 ? "guest-b-sh" : "guest-sh", v->sh);
	/* QEMU up: its pid, its region. */
	while (v->region[0] == '\0') {
		if (test_proc_reaped(vmp, false)) {
			if (WIFEXITED(vmp->status) &&
					WEXITSTATUS(vmp->status) == EXIT_SKIP) {
				print_message("QEMU cannot run here: skipped\n");
				skip();
			}
			fail_msg("vm-guest.sh ended before QEMU was up (status %#x)",
				vmp->status);
		}
		if (ms_since(t0) > BOOT_MS)
			fail_msg("QEMU not up within %u ms", BOOT_MS);
		f = fopen(v->pidfile, "r");
		if (f != NULL) {
			if (fscanf(f, "%d", &pid) == 1)
				v->qemu = pid;
			fclose(f);
		}
		if (v->qemu == 0 || !find_region(v))
			usleep(20000);
	}
}

/* H: the group's creator, whose embedded broker the relays use. */
static void
host_start(struct rig *r)
{
	static const char *const h_env_unset = "RTE_DMA_ACCESS_BROKER";
	char sock_env[160];
	const char *env[] = { sock_env, h_env_unset, NULL };
	const struct test_proc_opts ho = { .with_stdin = true, .env = env };
	char *argv[] = { (char *)(uintptr_t)getenv("XD_PEER"),
		(char *)(uintptr_t)"xdpeer", NULL };

	snprintf(sock_env, sizeof(sock_env), "RTE_DMA_ACCESS_SOCKET=%s",
		r->broker);
	assert_int_equal(test_proc_spawn(&r->procs[P_HOST], "H", argv, &ho),
		0);
	read_ready(&r->procs[P_HOST], r->h_dom, START_MS);
}

static void
rig_check_env(void)
{
	if (getenv("XD_VM_GUEST") == NULL || getenv("XD_PEER") == NULL ||
			getenv("XD_ACCESS") == NULL)
		fail_msg("XD_VM_GUEST, XD_PEER and XD_ACCESS must be set");
}

/*
 * Boot a guest running G, start the relays and H; H creates a group, G
 * joins; G's window is [0, 1 MiB) of the region, H's [2, 3 MiB) of it,
 * and H has a window of private memory (outside the region).
 */
static void
rig_start(struct rig *r)
{
	char reply[TEST_PROC_LINE];
	uint64_t t0 = test_proc_now_ns();

	rig_check_env();
	vm_boot(r, 0, &r->procs[P_GUEST_VM], &r->procs[P_GUEST],
		&r->procs[P_AGENT], "G");
	/* The VM bound twice: a channel each, one region. */
	relay_start(r, &r->procs[P_RELAY], "relay", "g0", &r->vm[0],
		r->vm[0].chan);
	relay_start(r, &r->procs[P_RELAY2], "relay2", "g0", &r->vm[0],
		r->vm[0].chan2);
	host_start(r);
	read_ready(&r->procs[P_GUEST], r->g_dom, BOOT_MS);
	print_message("guest up, its peer ready, after %" PRIu64 " ms\n",
		ms_since(t0));

	r->gid = (int)num(&r->procs[P_HOST], "create i %s", r->token);
	ok(&r->procs[P_GUEST], reply, "join i %s %d", r->token, r->gid);
	r->g_region = num(&r->procs[P_GUEST], "ivshmem R");
	ok(&r->procs[P_GUEST], reply, "reg R %u %u %u rw", GWIN_OFF, GWIN_OFF,
		WIN_LEN);
	r->h_region = num(&r->procs[P_HOST], "file R %s", r->vm[0].region);
	ok(&r->procs[P_HOST], reply, "reg R %u %u %u rw", HWIN_OFF, HWIN_OFF,
		WIN_LEN);
	r->h_priv = num(&r->procs[P_HOST], "alloc P %u rw", 64 * KIB);
	r->hh = (unsigned int)num(&r->procs[P_HOST], "handler i %d %s", r->gid,
		r->h_dom);
	r->hg = (unsigned int)num(&r->procs[P_HOST], "handler i %d %s", r->gid,
		r->g_dom);
}

/*
 * Flow (c): two guests on one region. VM B maps VM A's region (QEMU A's
 * memfd), and each VM's relay is bound to its own QEMU's descriptor of
 * it. H creates the group, G (in VM A) and B (in VM B) join; G's window
 * is [0, 1 MiB) of the region, B's [4, 5 MiB), and H maps the whole
 * region to watch it.
 */
static void
rig_start2(struct rig *r)
{
	char reply[TEST_PROC_LINE];
	uint64_t t0 = test_proc_now_ns();

	rig_check_env();
	vm_boot(r, 0, &r->procs[P_GUEST_VM], &r->procs[P_GUEST],
		&r->procs[P_AGENT], "G");
	vm_boot(r, 1, &r->procs[P_GUEST_VM_B], &r->procs[P_GUEST_B],
		&r->procs[P_AGENT_B], "B");
	relay_start(r, &r->procs[P_RELAY], "relay", "ga", &r->vm[0],
		r->vm[0].chan);
	relay_start(r, &r->procs[P_RELAY_B], "relay-b", "gb", &r->vm[1],
		r->vm[1].chan);
	host_start(r);
	read_ready(&r->procs[P_GUEST], r->g_dom, BOOT_MS);
	read_ready(&r->procs[P_GUEST_B], r->b_dom, BOOT_MS);
	print_message("two guests up, their peers ready, after %" PRIu64 " ms\n",
		ms_since(t0));

	r->gid = (int)num(&r->procs[P_HOST], "create i %s", r->token);
	ok(&r->procs[P_GUEST], reply, "join i %s %d", r->token, r->gid);
	ok(&r->procs[P_GUEST_B], reply, "join i %s %d", r->token, r->gid);
	r->h_region = num(&r->procs[P_HOST], "file R %s", r->vm[0].region);
	ok(&r->procs[P_HOST], reply, "set R 0 %u 90", 16 * MIB);
	ok(&r->procs[P_HOST], reply, "set R %u %u 0", GWIN_OFF, WIN_LEN);
	ok(&r->procs[P_HOST], reply, "set R %u %u 0", BWIN_OFF, WIN_LEN);
	r->g_region = num(&r->procs[P_GUEST], "ivshmem R");
	ok(&r->procs[P_GUEST], reply, "reg R %u %u %u rw", GWIN_OFF, GWIN_OFF,
		WIN_LEN);
	r->b_region = num(&r->procs[P_GUEST_B], "ivshmem R");
	ok(&r->procs[P_GUEST_B], reply, "reg R %u %u %u rw", BWIN_OFF,
		BWIN_OFF, WIN_LEN);
}

static int
setup(void **state)
{
	struct rig *r = calloc(1, sizeof(*r));
	unsigned int i;
	FILE *f;

	if (r == NULL)
		return -1;
	snprintf(r->dir, sizeof(r->dir), "/tmp/dxa-vm-XXXXXX");
	if (mkdtemp(r->dir) == NULL) {
		free(r);
		return -1;
	}
	snprintf(r->broker, sizeof(r->broker), "%s/broker.sock", r->dir);
	for (i = 0; i < RTE_DIM(r->vm); i++) {
		struct vm *v = &r->vm[i];
		const char *b = i > 0 ? "b-" : "";

		snprintf(v->chan, sizeof(v->chan), "%s/%schan.sock", r->dir, b);
		snprintf(v->chan2, sizeof(v->chan2), "%s/%schan2.sock", r->dir,
			b);
		snprintf(v->cmd, sizeof(v->cmd), "%s/%scmd.sock", r->dir, b);
		snprintf(v->sh, sizeof(v->sh), "%s/%ssh.sock", r->dir, b);
		snprintf(v->pidfile, sizeof(v->pidfile), "%s/%sqemu.pid",
			r->dir, b);
	}
	f = fopen("/proc/sys/kernel/random/uuid", "r");
	if (f == NULL || fscanf(f, "%36s", r->token) != 1) {
		if (f != NULL)
			fclose(f);
		free(r);
		return -1;
	}
	fclose(f);
	live = r;
	*state = r;
	return 0;
}

static void
rig_free(struct rig *r)
{
	struct test_proc *procs[P_NB];
	unsigned int i;

	/* Peers first (G's end goes with QEMU), then the relay, then QEMU. */
	for (i = 0; i < P_NB; i++)
		procs[i] = &r->procs[P_NB - 1 - i];
	for (i = 0; i < RTE_DIM(r->vm); i++)
		if (r->vm[i].qemu > 0)
			kill(r->vm[i].qemu, SIGKILL);
	test_proc_end(procs, P_NB, EXIT_MS, NULL);
	nftw(r->dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
	free(r);
}

static int
teardown(void **state)
{
	rig_free(*state);
	live = NULL;
	return 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	if (live != NULL)
		rig_free(live);
	live = NULL;
	return 0;
}

/* ---- (a), (b), (e) ---------------------------------------------------- */

static void
test_vm_copy(void **state)
{
	struct rig *r = *state;
	struct test_proc *h, *g;
	char reply[TEST_PROC_LINE];
	uint64_t gwin, hwin, gpriv;
	unsigned int gg, gh;

	rig_start(r);
	h = &r->procs[P_HOST];
	g = &r->procs[P_GUEST];
	gwin = r->g_region + GWIN_OFF;   /* G's addresses: its window */
	hwin = r->h_region + HWIN_OFF;   /* H's addresses: its window */

	/* (a) H writes into G's window and reads from it. */
	ok(h, reply, "setup i 64 process %u %u process %u %u", r->hh, r->hg,
		r->hg, r->hh);
	ok(h, reply, "pat P 0 4096 11");
	status(h, "SUCCESSFUL", "copy i 0 %#" PRIx64 " %#" PRIx64 " 4096",
		r->h_priv, gwin + 8192);
	ok(g, reply, "check R %u 4096 11 0", GWIN_OFF + 8192);
	ok(g, reply, "same R %u 16 0", GWIN_OFF + 8192 + 4096);
	ok(g, reply, "pat R %u 65536 12", GWIN_OFF + 65536);
	ok(h, reply, "set P 0 65536 0");
	status(h, "SUCCESSFUL", "copy i 1 %#" PRIx64 " %#" PRIx64 " 65536",
		gwin + 65536, r->h_priv);
	ok(h, reply, "check P 0 65536 12 0");
	/* (e) at the host: G's region outside G's window is no window. */
	status(h, "INVALID_DST_ADDR", "copy i 0 %#" PRIx64 " %#" PRIx64 " 64",
		r->h_priv, gwin + WIN_LEN);
	status(h, "INVALID_DST_ADDR", "copy i 0 %#" PRIx64 " %#" PRIx64 " 64",
		r->h_priv, gwin + WIN_LEN - 32);
	ok(g, reply, "same R %u 4096 0", GWIN_OFF + WIN_LEN);

	/* (b) G, with its own device, copies into H's window in the region. */
	gpriv = num(g, "alloc B %u rw", 64 * KIB);
	gg = (unsigned int)num(g, "handler i %d %s", r->gid, r->g_dom);
	gh = (unsigned int)num(g, "handler i %d %s", r->gid, r->h_dom);
	ok(g, reply, "setup i 64 process %u %u process %u %u", gg, gh, gh, gg);
	ok(g, reply, "pat B 0 16384 21");
	status(g, "SUCCESSFUL", "copy i 0 %#" PRIx64 " %#" PRIx64 " 16384",
		gpriv, hwin + 4096);
	ok(h, reply, "check R %u 16384 21 0", HWIN_OFF + 4096);
	ok(h, reply, "same R %u 4096 0", HWIN_OFF);
	ok(h, reply, "pat R %u 4096 22", HWIN_OFF + 32768);
	status(g, "SUCCESSFUL", "copy i 1 %#" PRIx64 " %#" PRIx64 " 4096",
		hwin + 32768, gpriv);
	ok(g, reply, "check B 0 4096 22 0");
	/* (e) in the guest: outside H's window, and H's private memory. */
	status(g, "INVALID_DST_ADDR", "copy i 0 %#" PRIx64 " %#" PRIx64 " 64",
		gpriv, hwin + WIN_LEN);
	status(g, "INVALID_DST_ADDR", "copy i 0 %#" PRIx64 " %#" PRIx64 " 64",
		gpriv, r->h_priv);
	status(g, "INVALID_SRC_ADDR", "copy i 1 %#" PRIx64 " %#" PRIx64 " 64",
		r->h_priv, gpriv);
	ok(h, reply, "same R %u 4096 0", HWIN_OFF + WIN_LEN);
}

/* ---- (d) -------------------------------------------------------------- */

static void
test_vm_kill(void **state)
{
	struct rig *r = *state;
	struct test_proc *h;
	char reply[TEST_PROC_LINE], line[TEST_PROC_LINE], want[TEST_PROC_LINE],
		res[TEST_PROC_LINE];
	uint64_t gwin, t0, left_ms, mark;
	int ret;

	rig_start(r);
	h = &r->procs[P_HOST];
	gwin = r->g_region + GWIN_OFF;
	ok(h, reply, "set R 0 %u 90", 16 * MIB);     /* all of the region */
	ok(h, reply, "set R %u %u 0", GWIN_OFF, WIN_LEN);
	ok(h, reply, "set R %u %u 0", HWIN_OFF, WIN_LEN);
	ok(h, reply, "setup i 64 process %u %u", r->hh, r->hg);
	ok(h, reply, "bg start i %#" PRIx64 " %u %u 5", gwin, STREAM_NBLK,
		STREAM_BS);
	num(h, "bg wait %u", STREAM_OPS);

	t0 = test_proc_now_ns();
	assert_int_equal(kill(r->vm[0].qemu, SIGKILL), 0);
	snprintf(want, sizeof(want), "event %d %s MEMBER_LEFT", r->gid,
		r->g_dom);
	ret = test_proc_async(h, line, 1000);
	left_ms = ms_since(t0);
	if (ret != 0 || strcmp(line, want) != 0)
		fail_msg("H: no MEMBER_LEFT of the guest within 1 s of QEMU's kill (%s: %s)",
			strerror(-ret), ret == 0 ? line : "");
	print_message("MEMBER_LEFT %" PRIu64 " ms after QEMU was killed\n",
		left_ms);
	/* ops enqueued from now on run toward a domain that is gone */
	mark = num(h, "bg mark");
	num(h, "bg wait %" PRIu64, mark + STREAM_OPS);
	snprintf(res, sizeof(res), "%s", ok(h, reply, "bg stop"));
	print_message("H's stream: %s\n", res);
	if (kv(res, "ok_after_mark") != 0 || kv(res, "link") < STREAM_OPS ||
			kv(res, "src") + kv(res, "dst") + kv(res, "other") != 0)
		fail_msg("H's stream toward the killed guest: %s (want: successes, then only DEV_LINK_ERROR)",
			res);
	status(h, "DEV_LINK_ERROR", "copy i 0 %#" PRIx64 " %#" PRIx64 " 64",
		r->h_priv, gwin);
	/* The guest's handler is gone with it. */
	test_proc_post(h, "setup i 64 process %u %u", r->hh, r->hg);
	test_proc_wait_err(h, -ENOENT, REPLY_MS);
	/* Nothing outside the windows was written. */
	ok(h, reply, "same R %u %u 90", WIN_LEN, HWIN_OFF - WIN_LEN);
	ok(h, reply, "same R %u %u 90", HWIN_OFF + WIN_LEN,
		16 * MIB - HWIN_OFF - WIN_LEN);
	ok(h, reply, "same R %u %u 0", HWIN_OFF, WIN_LEN);
}

/* ---- (c) -------------------------------------------------------------- */

static void
test_vm_guest_to_guest(void **state)
{
	struct rig *r = *state;
	struct test_proc *h, *g, *b;
	char reply[TEST_PROC_LINE];
	uint64_t gwin, bwin, gpriv, bpriv;
	unsigned int gg, gb, bb, bg;

	rig_start2(r);
	h = &r->procs[P_HOST];
	g = &r->procs[P_GUEST];
	b = &r->procs[P_GUEST_B];
	gwin = r->g_region + GWIN_OFF;   /* G's addresses: its window */
	bwin = r->b_region + BWIN_OFF;   /* B's addresses: its window */
	gpriv = num(g, "alloc P %u rw", 64 * KIB);
	bpriv = num(b, "alloc P %u rw", 64 * KIB);
	gg = (unsigned int)num(g, "handler i %d %s", r->gid, r->g_dom);
	gb = (unsigned int)num(g, "handler i %d %s", r->gid, r->b_dom);
	bb = (unsigned int)num(b, "handler i %d %s", r->gid, r->b_dom);
	bg = (unsigned int)num(b, "handler i %d %s", r->gid, r->g_dom);

	/* G's device: G's memory into B's window, and back out of it. */
	ok(g, reply, "setup i 64 process %u %u process %u %u", gg, gb, gb, gg);
	ok(g, reply, "pat P 0 16384 41");
	status(g, "SUCCESSFUL", "copy i 0 %#" PRIx64 " %#" PRIx64 " 16384",
		gpriv, bwin + 4096);
	ok(b, reply, "check R %u 16384 41 0", BWIN_OFF + 4096);
	ok(b, reply, "same R %u 4096 0", BWIN_OFF);
	/* the same bytes of the one region, as the host holds it */
	ok(h, reply, "check R %u 16384 41 0", BWIN_OFF + 4096);
	ok(b, reply, "pat R %u 4096 42", BWIN_OFF + 65536);
	ok(g, reply, "set P 0 4096 0");
	status(g, "SUCCESSFUL", "copy i 1 %#" PRIx64 " %#" PRIx64 " 4096",
		bwin + 65536, gpriv);
	ok(g, reply, "check P 0 4096 42 0");

	/* B's device: B's memory into G's window. */
	ok(b, reply, "setup i 64 process %u %u process %u %u", bb, bg, bg, bb);
	ok(b, reply, "pat P 0 8192 43");
	status(b, "SUCCESSFUL", "copy i 0 %#" PRIx64 " %#" PRIx64 " 8192",
		bpriv, gwin + 8192);
	ok(g, reply, "check R %u 8192 43 0", GWIN_OFF + 8192);
	ok(h, reply, "check R %u 8192 43 0", GWIN_OFF + 8192);

	/* (e) between guests: past a window, and the other's own memory. */
	status(g, "INVALID_DST_ADDR", "copy i 0 %#" PRIx64 " %#" PRIx64 " 64",
		gpriv, bwin + WIN_LEN);
	status(g, "INVALID_DST_ADDR", "copy i 0 %#" PRIx64 " %#" PRIx64 " 64",
		gpriv, bwin - 32);
	status(g, "INVALID_DST_ADDR", "copy i 0 %#" PRIx64 " %#" PRIx64 " 64",
		gpriv, bpriv);
	status(b, "INVALID_DST_ADDR", "copy i 0 %#" PRIx64 " %#" PRIx64 " 64",
		bpriv, gwin + WIN_LEN - 32);
	status(b, "INVALID_SRC_ADDR", "copy i 1 %#" PRIx64 " %#" PRIx64 " 64",
		gpriv, bpriv);
	/* Nothing of the region outside the two windows was written. */
	ok(h, reply, "same R %u %u 90", WIN_LEN, BWIN_OFF - WIN_LEN);
	ok(h, reply, "same R %u %u 90", BWIN_OFF + WIN_LEN,
		16 * MIB - BWIN_OFF - WIN_LEN);
}

/* ---- (f) -------------------------------------------------------------- */

/*
 * A guest process on the VM's second channel joins, then misbehaves
 * (@how: garbage, or a claim past its region): it alone leaves the group,
 * and the channel serves its next session; G, on the first channel, and
 * H are untouched.
 */
static void
misbehave(struct rig *r, const char *how)
{
	struct test_proc *h, *g, *sh;
	char reply[TEST_PROC_LINE], line[TEST_PROC_LINE], want[TEST_PROC_LINE],
		bad1[37], bad2[37];
	const char *s;
	int ret;

	rig_start(r);
	h = &r->procs[P_HOST];
	g = &r->procs[P_GUEST];
	sh = &r->procs[P_AGENT];
	s = ok(sh, reply, "echo hello; ls /dev/vport*");
	print_message("guest shell: %s\n", s);
	s = ok(sh, reply, "XD_REGION_SIZE=%u %s badguest \"$DMA_XD_VPORT_dmaxd2\" %s %d %s",
		16 * MIB, self_path, r->token, r->gid, how);
	if (sscanf(s, "rc=0 %36s %36s dropped", bad1, bad2) != 2)
		fail_msg("the misbehaving guest process: %s", s);
	/* H sees the first session leave, and nothing else. */
	snprintf(want, sizeof(want), "event %d %s MEMBER_LEFT", r->gid, bad1);
	ret = test_proc_async(h, line, 3000);
	if (ret != 0 || strcmp(line, want) != 0)
		fail_msg("H: expected '%s', got %s", want,
			ret != 0 ? strerror(-ret) : line);
	ret = test_proc_async(h, line, 500);
	if (ret != -ETIMEDOUT)
		fail_msg("H: unexpected '%s'", ret == 0 ? line : strerror(-ret));
	/* The second session is a member; G and H still copy. */
	num(h, "handler i %d %s", r->gid, bad2);
	num(h, "handler i %d %s", r->gid, r->g_dom);
	ok(h, reply, "setup i 64 process %u %u", r->hh, r->hg);
	ok(h, reply, "pat P 0 4096 31");
	status(h, "SUCCESSFUL", "copy i 0 %#" PRIx64 " %#" PRIx64 " 4096",
		r->h_priv, r->g_region + GWIN_OFF);
	ok(g, reply, "check R %u 4096 31 0", GWIN_OFF);
}

static void
test_vm_garbage(void **state)
{
	misbehave(*state, "garbage");
}

static void
test_vm_out_of_region(void **state)
{
	misbehave(*state, "range");
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_vm_copy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vm_guest_to_guest, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_vm_kill, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vm_garbage, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_vm_out_of_region, setup,
			teardown),
	};
	ssize_t n;

	if (argc == 3 && strcmp(argv[1], "bridge") == 0)
		return bridge_main(argv[2]);
	if (argc == 6 && strcmp(argv[1], "badguest") == 0)
		return badguest_main(argv);
	n = readlink("/proc/self/exe", self_path, sizeof(self_path) - 1);
	if (n <= 0)
		return EXIT_FAILURE;
	self_path[n] = '\0';
	signal(SIGPIPE, SIG_IGN);
	if (getenv("XD_TEST") != NULL)
		cmocka_set_test_filter(getenv("XD_TEST"));
	return cmocka_run_group_tests_name("vm", tests, NULL, group_teardown);
}
