/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-dma-xd authors
 */

/*
 * DMA_INTER_DOMAIN_COPY with domain=vm: the peer is this program in a QEMU
 * guest, its buffer a window of the guest's ivshmem region.
 *
 *   we (host)                    vm-guest.sh: QEMU (TCG, one vCPU)
 *   perf_vm_spawn()  ---------> boots; runs "this program --peer 3 DEVICE"
 *                                 with fd 3 the virtio-serial port "perf"
 *   connect to port "perf"'s socket: the peer's channel, as a socket pair
 *   group create (embedded broker)
 *   perf_vm_relay_start(): dpdk-dma-access vm --region /proc/QEMU/fd/N
 *                                 --chan (port "dmaxd")
 *   -- JOIN ----------------------> joins through the relay; its buffer is
 *                                   [0, mem_size) of BAR 2
 *   handler_get: the window is mapped here from QEMU's memfd, as host memory
 *   rounds: the host's device copies into or out of the guest's window
 *   close the socket -------------> leaves, exits; the guest powers off
 *
 * The host's copies touch host memory only (QEMU's memfd): what they cost
 * is what the benchmark measures. The guest is emulated and slow, and only
 * answers POISON and VERIFY between rounds.
 *
 * Paths: devtools/vm-guest.sh of the source tree (DPDK_TEST_DMA_PERF_VM_GUEST
 * overrides it); dpdk-dma-access next to this program, installed or in the
 * build tree (DPDK_TEST_DMA_PERF_ACCESS overrides it).
 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "perf.h"

#define VM_GUEST_ENV "DPDK_TEST_DMA_PERF_VM_GUEST"
#define ACCESS_ENV "DPDK_TEST_DMA_PERF_ACCESS"
#define SOCKET_ENV "RTE_DMA_ACCESS_SOCKET"
/* vm-guest.sh's "QEMU cannot run here at all". */
#define VM_SKIP 77
/* A first run fetches the guest kernel (about 16 s) before QEMU starts. */
#define VM_UP_MS 600000
/* The guest's peer leaves, stops EAL and the guest powers off: TCG. */
#define VM_STOP_MS 60000
#define RELAY_STOP_MS 5000
/* The guest only waits for commands: whole runs must not time it out. */
#define VM_TIMEOUT_S "86400"
#define VM_PEER_MEM_MB "64"

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void
vm_path(const struct perf_peer *p, const char *name, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", p->vm_dir, name);
}

/* Wait for @pid up to @ms; true if it ended (its status in *status). */
static bool
wait_ms(pid_t pid, unsigned int ms, int *status)
{
	uint64_t end = now_ms() + ms;

	do {
		pid_t r = waitpid(pid, status, WNOHANG);

		if (r == pid || (r < 0 && errno == ECHILD))
			return true;
		usleep(10000);
	} while (now_ms() < end);
	return false;
}

static void
child_io(const int *others, unsigned int nb_others)
{
	unsigned int i;
	int null_fd;

	/* Another child's socket kept open here would hide its EOF. */
	for (i = 0; i < nb_others; i++)
		close(others[i]);
	/* Our stdout is for results: everything of theirs is diagnostics. */
	null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (null_fd < 0 || dup2(null_fd, STDIN_FILENO) < 0 ||
			dup2(STDERR_FILENO, STDOUT_FILENO) < 0)
		_exit(126);
	/* vm-guest.sh and the relay clean up (QEMU) on SIGTERM. */
	prctl(PR_SET_PDEATHSIG, SIGTERM);
}

/* The smallest power of two of at least @mib MiB, as vm-guest.sh wants. */
static unsigned int
region_mib(unsigned int mib)
{
	unsigned int r = 1;

	while (r < mib)
		r <<= 1;
	return r;
}

int
perf_vm_spawn(struct perf_case *c, unsigned int index, const int *others,
		unsigned int nb_others)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct perf_peer *p = &c->peer;
	const char *script = getenv(VM_GUEST_ENV);
	char exe[PATH_MAX], cmd[2 * PATH_MAX], region[16], port_chan[128],
		port_perf[128], pidfile[96], perf_sock[96];
	uint64_t deadline;
	int fd, status;
	ssize_t n;

	if (script == NULL || script[0] == '\0')
		script = PERF_VM_GUEST;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n < 0)
		return -errno;
	exe[n] = '\0';
	snprintf(p->vm_dir, sizeof(p->vm_dir), "/tmp/dma-perf-vm-XXXXXX");
	if (mkdtemp(p->vm_dir) == NULL) {
		p->vm_dir[0] = '\0';
		return -errno;
	}
	p->vm = true;
	snprintf(region, sizeof(region), "%uM", region_mib(c->mem_mib));
	snprintf(port_chan, sizeof(port_chan), "dmaxd:%s/dmaxd.sock", p->vm_dir);
	snprintf(port_perf, sizeof(port_perf), "perf:%s/perf.sock", p->vm_dir);
	vm_path(p, "qemu.pid", pidfile, sizeof(pidfile));
	vm_path(p, "perf.sock", perf_sock, sizeof(perf_sock));
	/*
	 * The guest has one CPU: the peer's lcore 0 runs there. Fd 3 is the
	 * port to us; the port "dmaxd" is its library's channel to the relay.
	 */
	snprintf(cmd, sizeof(cmd),
		"exec '%s' " PERF_PEER_OPTION " 3 '%s' -- --no-huge --no-pci -m " VM_PEER_MEM_MB
		" --iova-mode=va --lcores=0@0 --no-shconf --no-telemetry --log-level=warning"
		" --file-prefix=test-dma-perf-vm%u '--vdev=%s' 3<>\"$DMA_XD_VPORT_perf\"",
		exe, c->device, index, c->device);

	fflush(NULL);
	p->pid = fork();
	if (p->pid < 0) {
		p->pid = 0;
		return -errno;
	}
	if (p->pid == 0) {
		char *argv[] = {
			(char *)(uintptr_t)script,
			(char *)(uintptr_t)"--ivshmem", region,
			(char *)(uintptr_t)"--port", port_chan,
			(char *)(uintptr_t)"--port", port_perf,
			(char *)(uintptr_t)"--pidfile", pidfile,
			(char *)(uintptr_t)"--timeout", (char *)(uintptr_t)VM_TIMEOUT_S,
			(char *)(uintptr_t)"--env",
			(char *)(uintptr_t)"RTE_DMA_ACCESS_CHANNEL=dmaxd",
			(char *)(uintptr_t)"--env",
			(char *)(uintptr_t)PERF_PEER_IVSHMEM_ENV "=1",
			(char *)(uintptr_t)"--", (char *)(uintptr_t)"sh",
			(char *)(uintptr_t)"-c", cmd, NULL,
		};

		child_io(others, nb_others);
		/* The guest runs its command in our directory, if it can see it. */
		if (chdir("/") == 0)
			setenv("PWD", "/", 1);
		execv(script, argv);
		fprintf(stderr, PERF_NAME ": %s: cannot execute %s: %s\n",
			c->name, script, strerror(errno));
		_exit(126);
	}

	/*
	 * QEMU listens on the port's socket once it runs; connect before the
	 * guest's peer opens the port (with nobody on our end, it would read
	 * end of file).
	 */
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", perf_sock);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	deadline = now_ms() + VM_UP_MS;
	while (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		if (waitpid(p->pid, &status, WNOHANG) == p->pid) {
			p->pid = 0;
			close(fd);
			if (WIFEXITED(status) && WEXITSTATUS(status) == VM_SKIP) {
				fprintf(stderr, PERF_NAME ": %s: domain=vm: QEMU cannot run here (%s said why, above)\n",
					c->name, script);
				return -ENOTSUP;
			}
			fprintf(stderr, PERF_NAME ": %s: domain=vm: %s ended before QEMU was up (status %#x)\n",
				c->name, script, status);
			return -ECHILD;
		}
		if (now_ms() > deadline) {
			close(fd);
			fprintf(stderr, PERF_NAME ": %s: domain=vm: QEMU not up within %u s\n",
				c->name, VM_UP_MS / 1000);
			return -ETIMEDOUT;
		}
		usleep(20000);
	}
	p->fd = fd;
	p->bytes = (size_t)c->mem_mib << 20;
	return 0;
}

/* QEMU's memfd behind the ivshmem device, as /proc/QEMU/fd/N. */
static int
region_find(struct perf_peer *p, char *path, size_t len)
{
	char pidfile[96], dir[64], fdpath[320], link[128];
	struct dirent *de;
	FILE *f;
	DIR *d;
	int pid = 0;
	ssize_t n;

	vm_path(p, "qemu.pid", pidfile, sizeof(pidfile));
	f = fopen(pidfile, "r");
	if (f == NULL)
		return -errno;
	if (fscanf(f, "%d", &pid) != 1 || pid <= 0)
		pid = 0;
	fclose(f);
	if (pid == 0)
		return -ENOENT;
	p->qemu = pid;
	snprintf(dir, sizeof(dir), "/proc/%d/fd", pid);
	d = opendir(dir);
	if (d == NULL)
		return -errno;
	path[0] = '\0';
	while ((de = readdir(d)) != NULL) {
		snprintf(fdpath, sizeof(fdpath), "%s/%s", dir, de->d_name);
		n = readlink(fdpath, link, sizeof(link) - 1);
		if (n <= 0)
			continue;
		link[n] = '\0';
		if (strncmp(link, "/memfd:memory-backend-memfd", 27) == 0) {
			snprintf(path, len, "%s", fdpath);
			break;
		}
	}
	closedir(d);
	return path[0] != '\0' ? 0 : -ENOENT;
}

/* dpdk-dma-access: next to us (installed), or in the build tree. */
static int
access_find(char *path, size_t len)
{
	const char *set = getenv(ACCESS_ENV);
	char exe[PATH_MAX], *slash;
	ssize_t n;

	if (set != NULL && set[0] != '\0') {
		snprintf(path, len, "%s", set);
		return access(path, X_OK) == 0 ? 0 : -errno;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n < 0)
		return -errno;
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (slash == NULL)
		return -ENOENT;
	*slash = '\0';
	if ((size_t)snprintf(path, len, "%s/dpdk-dma-access", exe) < len &&
			access(path, X_OK) == 0)
		return 0;
	if ((size_t)snprintf(path, len, "%s/../dma-access/dpdk-dma-access",
			exe) >= len)
		return -ENAMETOOLONG;
	return access(path, X_OK) == 0 ? 0 : -ENOENT;
}

int
perf_vm_relay_start(const struct perf_config *cfg, struct perf_case *c)
{
	struct perf_peer *p = &c->peer;
	const char *broker = getenv(SOCKET_ENV);
	char bin[PATH_MAX], region[320], chan[96], name[PERF_NAME_LEN + 16];
	int ret;

	ret = region_find(p, region, sizeof(region));
	if (ret < 0) {
		perf_config_error(cfg, c->name, "domain",
			"vm: QEMU's ivshmem memfd is not found (pidfile in %s): %s",
			p->vm_dir, strerror(-ret));
		return ret;
	}
	ret = access_find(bin, sizeof(bin));
	if (ret < 0) {
		perf_config_error(cfg, c->name, "domain",
			"vm: dpdk-dma-access, the guest's relay, is neither next to this program nor in the build tree (set " ACCESS_ENV ")");
		return ret;
	}
	vm_path(p, "dmaxd.sock", chan, sizeof(chan));
	snprintf(name, sizeof(name), "dma-perf-%s", c->name);
	fflush(NULL);
	p->relay = fork();
	if (p->relay < 0) {
		p->relay = 0;
		return -errno;
	}
	if (p->relay == 0) {
		char *argv[] = {
			bin, (char *)(uintptr_t)"--socket", (char *)(uintptr_t)broker,
			(char *)(uintptr_t)"vm", (char *)(uintptr_t)"--name", name,
			(char *)(uintptr_t)"--region", region,
			(char *)(uintptr_t)"--chan", chan, NULL,
		};

		child_io(NULL, 0);
		execv(bin, argv);
		_exit(126);
	}
	return 0;
}

static void
end(pid_t *pid, unsigned int ms)
{
	int status;

	if (*pid <= 0)
		return;
	if (!wait_ms(*pid, ms, &status)) {
		kill(*pid, SIGTERM);
		if (!wait_ms(*pid, RELAY_STOP_MS, &status)) {
			kill(*pid, SIGKILL);
			waitpid(*pid, &status, 0);
		}
	}
	*pid = 0;
}

void
perf_vm_stop(struct perf_peer *p)
{
	char path[96];
	int status;

	/* End of file on its port: the guest's peer leaves and exits. */
	if (p->fd >= 0) {
		close(p->fd);
		p->fd = -1;
	}
	/*
	 * A peer that has joined reads end of file and leaves. One that has
	 * not may not even have opened its port, and would then block in its
	 * first write with nobody on our end: nothing to leave, stop QEMU.
	 */
	if (p->pid > 0 && (p->own_pid == 0 ||
			!wait_ms(p->pid, VM_STOP_MS, &status))) {
		if (p->own_pid != 0)
			fprintf(stderr, PERF_NAME ": warning: the guest's peer did not end within %u s: stopping QEMU\n",
				VM_STOP_MS / 1000);
		/* vm-guest.sh stops QEMU on SIGTERM. */
		kill(p->pid, SIGTERM);
		if (!wait_ms(p->pid, RELAY_STOP_MS, &status)) {
			kill(p->pid, SIGKILL);
			waitpid(p->pid, &status, 0);
			if (p->qemu > 0)
				kill(p->qemu, SIGKILL);
		}
	}
	p->pid = 0;
	p->qemu = 0;
	/* The relay runs until told: the guest has left through it. */
	if (p->relay > 0)
		kill(p->relay, SIGTERM);
	end(&p->relay, RELAY_STOP_MS);
	if (p->vm_dir[0] != '\0') {
		vm_path(p, "dmaxd.sock", path, sizeof(path));
		unlink(path);
		vm_path(p, "perf.sock", path, sizeof(path));
		unlink(path);
		vm_path(p, "qemu.pid", path, sizeof(path));
		unlink(path);
		rmdir(p->vm_dir);
		p->vm_dir[0] = '\0';
	}
	p->vm = false;
}
