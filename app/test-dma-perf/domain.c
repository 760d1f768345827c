/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-dma-xd authors
 */

/*
 * DMA_INTER_DOMAIN_COPY, our side: copies into (or out of) the buffer of
 * another process through an inter-domain vchan.
 *
 *   we (EAL, group creator)                    the peer (its own EAL)
 *   perf_domain_spawn()  fork [, namespaces], exec "this program --peer FD
 *                        DEVICE"
 *   EAL starts                                 EAL starts, READY
 *   group create (embedded broker) -- JOIN: token, group, layout -->
 *                                              join, share the buffer,
 *                      <-- JOINED: its domain, its buffer's address --
 *   handler_get (the windows are mapped here by then)
 *   rounds: rte_dma_copy() to or from the peer's addresses
 *                         -- POISON, VERIFY, CORRUPT (peer.c's) -->
 *   close the socket ------------------------> leave, EAL cleanup, exit
 *
 * The peer is this program executed again, not a fork of us: a fork of an
 * EAL process shares its memory and inherits none of its threads, and
 * fork-then-EAL is what the other children do. It gets a clean EAL of its
 * own, with its own --file-prefix, no hugepages, and one dma_xd_skeleton
 * device to be a member through.
 *
 * The broker is the library's: its embedded broker starts in this process
 * at the first group create when nobody listens on the socket. Unless the
 * user set RTE_DMA_ACCESS_SOCKET, the socket is put in a directory of this
 * run, so parallel runs never meet and no daemon is needed.
 *
 * domain=os: the peer runs in new user, pid, mount, ipc, network and uts
 * namespaces and shares with us only the broker's socket, besides what it
 * inherits (its socket pair, our stderr). uid 0 inside is our uid outside;
 * it gets a private /run for EAL's runtime files and a /proc of its own pid
 * namespace when the kernel lets it mount them.
 *
 * domain=vm: the peer runs in a QEMU guest (domain_vm.c), its channel a
 * virtio-serial port instead of the socket pair, and joins through the
 * guest's relay, which domain_vm.c starts once the group (and with it the
 * embedded broker) exists.
 */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <uuid/uuid.h>

#include <rte_common.h>
#include <rte_dev.h>
#include <rte_dmadev.h>
#include <rte_eal.h>
#include <rte_errno.h>

#include "rte_dmadev_domain.h"

#include "perf.h"

#define SOCKET_ENV "RTE_DMA_ACCESS_SOCKET"
#define SOCKET_NAME "broker.sock"
/* sun_path less its terminating NUL. */
#define SOCKET_PATH_MAX 107
/* Descriptors beyond the windows: EAL, the library, our outputs. */
#define FD_MARGIN 256
#define PEER_MEM_MB "16"
#define MAX_PEER_ARGS 24
#define OS_NAMESPACES (CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | \
	CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWUTS)
#define OS_NAMESPACES_STR "CLONE_NEWUSER|CLONE_NEWNS|CLONE_NEWPID|CLONE_NEWIPC|CLONE_NEWNET|CLONE_NEWUTS"

/* The run's socket directory, if we made it: removed at the end. */
static char sock_dir[PATH_MAX];
static char sock_path[PATH_MAX + sizeof(SOCKET_NAME) + 1];
/* One token for the run: the embedded broker admits only its first. */
static rte_uuid_t token;

static bool
any_inter(const struct perf_config *cfg)
{
	unsigned int i;

	for (i = 0; i < cfg->nb_cases; i++)
		if (perf_case_active(&cfg->cases[i]) &&
				cfg->cases[i].type == PERF_DMA_INTER_DOMAIN_COPY)
			return true;
	return false;
}

static const char *const domain_names[] = {
	[PERF_DOMAIN_PROCESS] = "process",
	[PERF_DOMAIN_OS] = "os",
	[PERF_DOMAIN_VM] = "vm",
};

static const char *
errno_name(int err)
{
	const char *n = strerrorname_np(err);

	return n != NULL ? n : "?";
}

/* ---- before anything starts --------------------------------------------- */

static int
socket_prepare(void)
{
	const char *set = getenv(SOCKET_ENV);
	const char *tmp = getenv("TMPDIR");

	if (set != NULL && set[0] != '\0')
		return 0;
	if (tmp == NULL || tmp[0] != '/' ||
			strlen(tmp) + 32 + sizeof(SOCKET_NAME) > SOCKET_PATH_MAX)
		tmp = "/tmp";
	snprintf(sock_dir, sizeof(sock_dir), "%s/dma-perf-broker-XXXXXX", tmp);
	/* mkdtemp() makes it 0700: ours alone. */
	if (mkdtemp(sock_dir) == NULL) {
		int ret = -errno;

		fprintf(stderr, PERF_NAME ": cannot make a directory for the access broker's socket in %s: %s\n",
			tmp, strerror(-ret));
		sock_dir[0] = '\0';
		return ret;
	}
	snprintf(sock_path, sizeof(sock_path), "%s/" SOCKET_NAME, sock_dir);
	/* Inherited by the peers, which are started next. */
	if (setenv(SOCKET_ENV, sock_path, 1) != 0) {
		rmdir(sock_dir);
		sock_dir[0] = '\0';
		return -ENOMEM;
	}
	return 0;
}

/*
 * A peer keeps a descriptor per window it shares, and the broker keeps
 * those it relays: make room in both processes (the peers inherit ours).
 */
static int
fd_limit_prepare(const struct perf_config *cfg)
{
	const struct perf_case *widest = NULL;
	rlim_t need = FD_MARGIN;
	struct rlimit rl;
	unsigned int i;

	for (i = 0; i < cfg->nb_cases; i++) {
		const struct perf_case *c = &cfg->cases[i];

		if (!perf_case_active(c) || c->type != PERF_DMA_INTER_DOMAIN_COPY)
			continue;
		need += c->windows;
		if (widest == NULL || c->windows > widest->windows)
			widest = c;
	}
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return -errno;
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur >= need)
		return 0;
	if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < need) {
		perf_config_error(cfg, widest->name, "windows",
			"the windows of the run need %llu open descriptors in one process, and the hard limit (ulimit -Hn) is %llu: use fewer windows",
			(unsigned long long)need,
			(unsigned long long)rl.rlim_max);
		return -EMFILE;
	}
	rl.rlim_cur = need;
	if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
		return -errno;
	return 0;
}

int
perf_domain_prepare(const struct perf_config *cfg)
{
	int ret;

	if (!any_inter(cfg))
		return 0;
	ret = fd_limit_prepare(cfg);
	if (ret == 0)
		ret = socket_prepare();
	return ret;
}

void
perf_domain_cleanup(void)
{
	if (sock_dir[0] == '\0')
		return;
	/* An embedded broker leaves its socket file behind. */
	unlink(sock_path);
	rmdir(sock_dir);
	sock_dir[0] = '\0';
}

/* ---- starting a peer ------------------------------------------------------ */

/* What a peer is started with, all made before fork(). */
struct spawn_args {
	char exe[PATH_MAX];
	char fd[16];
	char lcores[256];
	char prefix[64];
	char vdev[RTE_DEV_NAME_MAX_LEN + 8];
	char *argv[MAX_PEER_ARGS];
	bool private_run;  /* domain=os: a tmpfs on /run (see below) */
};

/*
 * EAL's lcore 0 may run on any CPU we may run on: the peer only waits for
 * commands, and the kernel should put it where it disturbs least.
 */
static void
lcores_arg(char *buf, size_t len)
{
	cpu_set_t set;
	size_t n;
	int cpu, first = -1;

	n = (size_t)snprintf(buf, len, "--lcores=0@(");
	if (sched_getaffinity(0, sizeof(set), &set) != 0) {
		snprintf(buf, len, "--lcores=0@(0)");
		return;
	}
	for (cpu = 0; cpu <= CPU_SETSIZE && n < len; cpu++) {
		bool in = cpu < CPU_SETSIZE && CPU_ISSET(cpu, &set);

		if (in && first < 0)
			first = cpu;
		if (in || first < 0)
			continue;
		n += (size_t)snprintf(buf + n, len - n, "%s%d", buf[n - 1] == '(' ?
			"" : ",", first);
		if (cpu - 1 > first && n < len)
			n += (size_t)snprintf(buf + n, len - n, "-%d", cpu - 1);
		first = -1;
	}
	if (n < len)
		snprintf(buf + n, len - n, ")");
}

/* Whether @p path (or, if it does not exist, its directory) is under /run. */
static bool
under_run(const char *path)
{
	char copy[PATH_MAX], real[PATH_MAX];
	char *slash;

	snprintf(copy, sizeof(copy), "%s", path);
	if (realpath(copy, real) == NULL) {
		slash = strrchr(copy, '/');
		if (slash == NULL)
			return false;
		*slash = '\0';
		if (realpath(copy[0] != '\0' ? copy : "/", real) == NULL)
			return false;
	}
	return strcmp(real, "/run") == 0 || strncmp(real, "/run/", 5) == 0;
}

static int
spawn_args_init(struct spawn_args *a, const struct perf_case *c,
		unsigned int index, int fd)
{
	const char *sock = getenv(SOCKET_ENV);
	ssize_t n;
	int i = 0;

	n = readlink("/proc/self/exe", a->exe, sizeof(a->exe) - 1);
	if (n < 0)
		return -errno;
	a->exe[n] = '\0';
	snprintf(a->fd, sizeof(a->fd), "%d", fd);
	lcores_arg(a->lcores, sizeof(a->lcores));
	snprintf(a->prefix, sizeof(a->prefix),
		"--file-prefix=test-dma-perf-%d-peer%u", (int)getpid(), index);
	a->argv[i++] = a->exe;
	a->argv[i++] = (char *)(uintptr_t)PERF_PEER_OPTION;
	a->argv[i++] = a->fd;
	a->argv[i++] = (char *)(uintptr_t)c->device;
	a->argv[i++] = (char *)(uintptr_t)"--";
	a->argv[i++] = (char *)(uintptr_t)"--no-huge";
	a->argv[i++] = (char *)(uintptr_t)"--no-pci";
	a->argv[i++] = (char *)(uintptr_t)"-m";
	a->argv[i++] = (char *)(uintptr_t)PEER_MEM_MB;
	a->argv[i++] = (char *)(uintptr_t)"--iova-mode=va";
	a->argv[i++] = a->lcores;
	a->argv[i++] = (char *)(uintptr_t)"--no-shconf";
	a->argv[i++] = (char *)(uintptr_t)"--no-telemetry";
	a->argv[i++] = (char *)(uintptr_t)"--log-level=warning";
	a->argv[i++] = a->prefix;
	snprintf(a->vdev, sizeof(a->vdev), "--vdev=%s", c->device);
	a->argv[i++] = a->vdev;
	a->argv[i] = NULL;
	/*
	 * Root inside a user namespace puts EAL's runtime files in /run,
	 * which only the real root may write: give the peer its own /run,
	 * unless that would hide the socket or the program.
	 */
	a->private_run = c->domain == PERF_DOMAIN_OS &&
		(sock == NULL || !under_run(sock)) && !under_run(a->exe);
	return 0;
}

/* Tell our side why the peer never started, and give up. */
static void __rte_noreturn
spawn_fail(int fd, enum perf_xpeer_stage stage, int err)
{
	struct perf_xpeer_status st = { .status = -err, .stage = stage };

	send(fd, &st, sizeof(st), MSG_NOSIGNAL);
	_exit(126);
}

static int
write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return errno;
	n = write(fd, text, strlen(text));
	if (n != (ssize_t)strlen(text)) {
		int err = n < 0 ? errno : EIO;

		close(fd);
		return err;
	}
	close(fd);
	return 0;
}

/*
 * domain=os: new namespaces. The process that called unshare() is not in
 * the new pid namespace itself, its next child is (as pid 1): the caller
 * stays behind as that child's parent and passes its exit status on, so
 * that our waitpid() sees the peer end.
 */
static void
enter_namespaces(int fd, const struct spawn_args *a)
{
	const uid_t uid = getuid();
	const gid_t gid = getgid();
	char map[64];
	int err, status;
	pid_t pid;

	if (unshare(OS_NAMESPACES) != 0)
		spawn_fail(fd, PERF_XPEER_UNSHARE, errno);
	/* Without "deny", an unprivileged process may not write gid_map. */
	err = write_file("/proc/self/setgroups", "deny");
	snprintf(map, sizeof(map), "0 %u 1", (unsigned int)uid);
	if (err == 0)
		err = write_file("/proc/self/uid_map", map);
	snprintf(map, sizeof(map), "0 %u 1", (unsigned int)gid);
	if (err == 0)
		err = write_file("/proc/self/gid_map", map);
	if (err != 0)
		spawn_fail(fd, PERF_XPEER_IDMAP, err);

	pid = fork();
	if (pid < 0)
		spawn_fail(fd, PERF_XPEER_FORK, errno);
	if (pid > 0) {
		close(fd);
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 128);
	}
	/* Pid 1 of its namespace: dies with the process above. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	/* Nothing mounted here may reach our namespace, and the reverse. */
	mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL);
	/* Best effort: a container may forbid these; EAL then says why. */
	if (a->private_run)
		mount("tmpfs", "/run", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
			"mode=0755");
	mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	sethostname("test-dma-perf-peer", strlen("test-dma-perf-peer"));
}

int
perf_domain_spawn(struct perf_case *c, unsigned int index, const int *others,
		unsigned int nb_others)
{
	struct perf_peer *p = &c->peer;
	static struct spawn_args a;
	pid_t parent = getpid();
	unsigned int i;
	int sv[2], null_fd, ret;

	if (c->domain == PERF_DOMAIN_VM)
		return perf_vm_spawn(c, index, others, nb_others);
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return -errno;
	ret = spawn_args_init(&a, c, index, sv[1]);
	if (ret < 0)
		goto close_pair;
	/* Nothing buffered may be written twice, by both processes. */
	fflush(NULL);
	p->pid = fork();
	if (p->pid < 0) {
		ret = -errno;
		p->pid = 0;
		goto close_pair;
	}
	if (p->pid == 0) {
		close(sv[0]);
		/* Another child's socket kept open here would hide its EOF. */
		for (i = 0; i < nb_others; i++)
			close(others[i]);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(EXIT_FAILURE);
		if (c->domain == PERF_DOMAIN_OS)
			enter_namespaces(sv[1], &a);
		/*
		 * The one descriptor the peer inherits besides stderr; our
		 * stdout is for results, and nothing reads our stdin.
		 */
		null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (fcntl(sv[1], F_SETFD, 0) != 0 || null_fd < 0 ||
				dup2(null_fd, STDIN_FILENO) < 0 ||
				dup2(STDERR_FILENO, STDOUT_FILENO) < 0)
			spawn_fail(sv[1], PERF_XPEER_EXEC, errno);
		execv(a.exe, a.argv);
		spawn_fail(sv[1], PERF_XPEER_EXEC, errno);
	}
	close(sv[1]);
	p->fd = sv[0];
	p->bytes = (size_t)c->mem_mib << 20;
	return 0;

close_pair:
	close(sv[0]);
	close(sv[1]);
	return ret;
}

/* ---- the group ------------------------------------------------------------ */

/*
 * The peer's answer, @p want the stage it should have reached. Any other
 * is printed, naming the case and the key that chose what failed.
 */
static int
peer_status(const struct perf_config *cfg, struct perf_case *c,
		enum perf_xpeer_stage want, struct perf_xpeer_status *st)
{
	int ret = perf_recv_all(c->peer.fd, st, sizeof(*st));
	const char *why;

	if (ret < 0) {
		perf_config_error(cfg, c->name, "type",
			"the peer process ended before it %s (its messages, if any, are above)",
			want == PERF_XPEER_READY ? "started" : "joined the group");
		return -EINVAL;
	}
	if (st->status == 0 && st->stage == want)
		return 0;
	why = strerror(-st->status);
	switch (st->stage) {
	case PERF_XPEER_UNSHARE:
		perf_config_error(cfg, c->name, "domain",
			"os: the peer cannot have namespaces of its own: unshare(" OS_NAMESPACES_STR "): %s (%s); domain=process needs none",
			why, errno_name(-st->status));
		break;
	case PERF_XPEER_IDMAP:
		perf_config_error(cfg, c->name, "domain",
			"os: the peer cannot map its uid and gid in its user namespace: %s (%s)",
			why, errno_name(-st->status));
		break;
	case PERF_XPEER_FORK:
		perf_config_error(cfg, c->name, "domain",
			"os: the peer cannot start in its pid namespace: fork: %s (%s)",
			why, errno_name(-st->status));
		break;
	case PERF_XPEER_EXEC:
		perf_config_error(cfg, c->name, "type",
			"the peer cannot execute this program: %s", why);
		break;
	case PERF_XPEER_EAL:
		perf_config_error(cfg, c->name, "type",
			"the peer's EAL does not start: %s (its own message is above)",
			why);
		break;
	case PERF_XPEER_DEVICE:
		perf_config_error(cfg, c->name, "type",
			"the peer has no %s that crosses domains: %s",
			c->device, why);
		break;
	case PERF_XPEER_MEMORY:
		perf_config_error(cfg, c->name, c->windows > 1 ? "windows" : "mem_size",
			"the peer cannot share %u MiB as %u window%s: %s",
			c->mem_mib, c->windows, c->windows > 1 ? "s" : "", why);
		break;
	case PERF_XPEER_JOIN:
		perf_config_error(cfg, c->name, "type",
			"the peer cannot join the group: %s", why);
		break;
	default:
		perf_config_error(cfg, c->name, "type",
			"the peer answered out of turn (stage %u, status %d)",
			st->stage, st->status);
		break;
	}
	return -EINVAL;
}

/* The group of @p c's device: one per device, shared by its cases. */
static int
group_get(const struct perf_config *cfg, struct perf_case *c,
		const rte_uuid_t me)
{
	unsigned int i;
	int ret;

	for (i = 0; &cfg->cases[i] != c; i++) {
		const struct perf_case *o = &cfg->cases[i];

		if (o->group_id >= 0 && o->dev_id == c->dev_id) {
			c->group_id = o->group_id;
			return 0;
		}
	}
	ret = rte_dma_access_pair_group_create(c->dev_id, (uint8_t *)(uintptr_t)me,
		token, &c->group_id, NULL);
	if (ret < 0) {
		c->group_id = -1;
		perf_config_error(cfg, c->name, "device",
			"%s cannot create an access pair group: %s (" SOCKET_ENV "=%s)",
			c->device, strerror(-ret), getenv(SOCKET_ENV));
		return -EINVAL;
	}
	return 0;
}

static int
case_setup(const struct perf_config *cfg, struct perf_case *c,
		const rte_uuid_t me)
{
	struct perf_xpeer_join join = {
		.windows = c->windows,
		.bytes = (uint64_t)c->mem_mib << 20,
		.pattern = c->direction == PERF_DIR_READ,
		/* A guest's buffer is its ivshmem region, whatever we ask. */
		.huge = rte_eal_has_hugepages() && c->domain != PERF_DOMAIN_VM,
	};
	struct iovec iov = { .iov_base = &join, .iov_len = sizeof(join) };
	/* Class B: the peer grants its buffer to us instead of joining. */
	const bool granted =
		rte_dma_domain_class_get(c->dev_id) == RTE_DMA_DOMAIN_CLASS_B;
	struct perf_xpeer_status st;
	uint16_t own, peer;
	int ret;

	if (peer_status(cfg, c, PERF_XPEER_READY, &st) < 0)
		return -EINVAL;
	if (!granted && group_get(cfg, c, me) < 0)
		return -EINVAL;
	if (c->domain == PERF_DOMAIN_VM) {
		/* The relay passes no Class B grant: a guest has no descriptor. */
		if (granted) {
			perf_config_error(cfg, c->name, "domain",
				"vm: %s is Class B, whose peer grants its buffer, and a guest cannot grant across the VM boundary",
				c->device);
			return -EINVAL;
		}
		if (perf_vm_relay_start(cfg, c) < 0)
			return -EINVAL;
	}
	memcpy(join.token, token, sizeof(join.token));
	join.group_id = c->group_id;
	if (granted)
		memcpy(join.grantee, me, sizeof(join.grantee));
	ret = perf_send_all(c->peer.fd, &iov, 1);
	explicit_bzero(join.token, sizeof(join.token));
	if (ret < 0) {
		perf_config_error(cfg, c->name, "type",
			"the peer process is gone: %s", strerror(-ret));
		return -EINVAL;
	}
	if (peer_status(cfg, c, PERF_XPEER_JOINED, &st) < 0)
		return -EINVAL;
	if (st.bytes != join.bytes || st.addr % PERF_WINDOW_ALIGN != 0) {
		perf_config_error(cfg, c->name, "type",
			"the peer shares %" PRIu64 " bytes at 0x%" PRIx64 ", not %" PRIu64 " bytes on a page",
			st.bytes, st.addr, join.bytes);
		return -EINVAL;
	}
	/* Pid 1 and uid 0 of namespaces of its own, or it is not in them. */
	if (c->domain == PERF_DOMAIN_OS && (st.pid != 1 || st.uid != 0)) {
		perf_config_error(cfg, c->name, "domain",
			"os: the peer is not in namespaces of its own (it is pid %d, uid %u)",
			st.pid, st.uid);
		return -EINVAL;
	}
	c->peer.addr = st.addr;
	c->peer.own_pid = st.pid;
	c->peer.huge = st.huge != 0;
	memcpy(c->peer.domain_id, st.domain_id, sizeof(c->peer.domain_id));

	if (granted) {
		/* Once this returns, the granted window is mapped here. */
		ret = rte_dma_domain_grant_attach(c->dev_id, token, st.grant,
			&own, NULL);
		if (ret < 0) {
			perf_config_error(cfg, c->name, "device",
				"%s cannot attach the peer's grant %u: %s",
				c->device, st.grant, strerror(-ret));
			return -EINVAL;
		}
		c->grant = st.grant;
		peer = st.grant;
	} else {
		/* Once this returns, the peer's windows are mapped here. */
		ret = rte_dma_access_pair_group_handler_get(c->dev_id,
			c->group_id, (uint8_t *)(uintptr_t)me, &own);
		if (ret == 0)
			ret = rte_dma_access_pair_group_handler_get(c->dev_id,
				c->group_id, c->peer.domain_id, &peer);
		if (ret < 0) {
			perf_config_error(cfg, c->name, "device",
				"no handler for %s in group %d: %s",
				c->device, c->group_id, strerror(-ret));
			return -EINVAL;
		}
	}
	c->xd = (struct rte_dma_inter_domain_param){
		/* A VM is an OS domain of its own. */
		.type = c->domain == PERF_DOMAIN_PROCESS ?
			RTE_DMA_INTER_PROCESS_DOMAIN : RTE_DMA_INTER_OS_DOMAIN,
		.src_handler = c->direction == PERF_DIR_WRITE ? own : peer,
		.dst_handler = c->direction == PERF_DIR_WRITE ? peer : own,
	};

	/* The vchan of a round, once before any round. */
	ret = perf_dev_start(c);
	if (ret < 0) {
		perf_config_error(cfg, c->name, "device",
			"%s refused the inter-domain vchan (%s, handlers %u -> %u): %s",
			c->device, domain_names[c->domain],
			c->xd.src_handler, c->xd.dst_handler, rte_strerror(-ret));
		return -EINVAL;
	}
	rte_dma_stop(c->dev_id);
	return 0;
}

int
perf_domain_setup(struct perf_config *cfg)
{
	rte_uuid_t me;
	unsigned int i;
	int ret = 0;

	if (!any_inter(cfg))
		return 0;
	if (rte_dma_domain_id_get(me) < 0) {
		fprintf(stderr, PERF_NAME ": no domain id for this process: is RTE_DMA_DOMAIN_ID a valid UUID?\n");
		return -EINVAL;
	}
	uuid_generate_random(token);
	for (i = 0; i < cfg->nb_cases; i++) {
		struct perf_case *c = &cfg->cases[i];

		if (!perf_case_active(c) || c->type != PERF_DMA_INTER_DOMAIN_COPY)
			continue;
		if (case_setup(cfg, c, me) < 0)
			ret = -EINVAL;
	}
	/* Every peer has joined or failed: nobody needs the secret now. */
	explicit_bzero(token, sizeof(token));
	return ret;
}

void
perf_domain_release(struct perf_config *cfg)
{
	unsigned int i, j;

	/*
	 * Grants first: detached, their owners revoke them without waiting.
	 * Then the peers of groups leave and the groups go, and only then
	 * the owners of grants exit: the broker may live in one of them
	 * (the first broker call of the run embedded it there).
	 */
	for (i = 0; i < cfg->nb_cases; i++) {
		struct perf_case *c = &cfg->cases[i];

		if (c->grant != 0)
			rte_dma_domain_grant_detach(c->dev_id, c->grant);
	}
	for (i = 0; i < cfg->nb_cases; i++)
		if (cfg->cases[i].type == PERF_DMA_INTER_DOMAIN_COPY &&
				cfg->cases[i].grant == 0)
			perf_peer_stop(&cfg->cases[i].peer);
	for (i = 0; i < cfg->nb_cases; i++) {
		struct perf_case *c = &cfg->cases[i];
		bool done = false;
		int ret;

		if (c->group_id < 0)
			continue;
		for (j = 0; j < i; j++)
			done = done || (cfg->cases[j].group_id == c->group_id &&
				cfg->cases[j].dev_id == c->dev_id);
		if (!done) {
			ret = rte_dma_access_pair_group_destroy(c->dev_id,
				c->group_id);
			if (ret < 0)
				fprintf(stderr, PERF_NAME ": warning: %s: the group of %s was not destroyed: %s\n",
					c->name, c->device, strerror(-ret));
		}
	}
	for (i = 0; i < cfg->nb_cases; i++) {
		struct perf_case *c = &cfg->cases[i];

		if (c->grant != 0)
			perf_peer_stop(&c->peer);
		c->grant = 0;
		c->group_id = -1;
	}
}
