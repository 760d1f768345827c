/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-dma-xd authors
 */

/*
 * The guest's end of a VM channel (dma_access_vm.h): framing over a
 * virtio-serial port, and the shared region it implies.
 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "dma_access_vm.h"

/* A frame that started must end within this. */
#define FRAME_REST_MS 1000

static struct {
	pthread_mutex_t lock;    /* writers: one frame at a time */
	int fd;                  /* the channel, or -1 */
	bool down;               /* dxa_vm_chan_shutdown(): reads end */
	int wake[2];             /* a pipe: wakes a reader at shutdown */
	char region[PATH_MAX];   /* the BAR's resource file */
	dev_t region_dev;
	ino_t region_ino;
	uint64_t region_size;
} vm = { .lock = PTHREAD_MUTEX_INITIALIZER, .fd = -1, .wake = { -1, -1 } };

static int
read_sysfs(const char *dir, const char *file, char *buf, size_t len)
{
	char path[PATH_MAX];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -EIO;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

/* The device of virtio-serial port @name: /dev/vportNpM. */
static int
port_path(const char *name, char *path, size_t len)
{
	const char *base = "/sys/class/virtio-ports";
	char dir[512], val[64];
	struct dirent *de;
	int ret = -ENOENT;
	DIR *d;

	d = opendir(base);
	if (d == NULL)
		return -ENOENT;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(dir, sizeof(dir), "%s/%s", base, de->d_name);
		if (read_sysfs(dir, "name", val, sizeof(val)) == 0 &&
				strcmp(val, name) == 0) {
			snprintf(path, len, "/dev/%s", de->d_name);
			ret = 0;
			break;
		}
	}
	closedir(d);
	return ret;
}

/* BAR 2 of the first ivshmem device, enabled. */
static int
ivshmem_path(char *path, size_t len)
{
	const char *base = "/sys/bus/pci/devices";
	char dir[512], ven[16], dev[16];
	struct dirent *de;
	int ret = -ENOENT, fd;
	DIR *d;

	d = opendir(base);
	if (d == NULL)
		return -ENOENT;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(dir, sizeof(dir), "%s/%s", base, de->d_name);
		if (read_sysfs(dir, "vendor", ven, sizeof(ven)) != 0 ||
				read_sysfs(dir, "device", dev, sizeof(dev)) != 0 ||
				strtoul(ven, NULL, 16) != DXA_VM_IVSHMEM_VENDOR ||
				strtoul(dev, NULL, 16) != DXA_VM_IVSHMEM_DEVICE)
			continue;
		/* Memory decoding must be on for the BAR to map anything. */
		snprintf(path, len, "%s/enable", dir);
		fd = open(path, O_WRONLY | O_CLOEXEC);
		if (fd >= 0) {
			if (write(fd, "1", 1) != 1)
				ret = -errno;
			close(fd);
		}
		snprintf(path, len, "%s/resource%d", dir, DXA_VM_IVSHMEM_BAR);
		ret = 0;
		break;
	}
	closedir(d);
	return ret;
}

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/*
 * Send hello @h until the relay echoes it, by @deadline. Non-blocking @fd:
 * a port whose host end is not connected takes no bytes (EAGAIN) and reads
 * end-of-file. A hello written as the host end goes is lost with that
 * connection, and a guest may not look before the host end is back: so
 * the hello is sent again after end-of-file and every
 * DXA_VM_HELLO_RESEND_MS without an echo. The relay answers the first
 * copy that reaches it and skips the others (same nonce).
 */
static int
hello_exchange(int fd, const struct dxa_vm_hello *h, uint64_t deadline)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	uint8_t win[sizeof(*h)], c;
	uint64_t now, wait, sent_at = 0;
	bool sent = false;
	size_t have = 0;
	ssize_t n;

	while ((now = now_ms()) < deadline) {
		if (sent && now - sent_at >= DXA_VM_HELLO_RESEND_MS)
			sent = false;
		if (!sent) {
			n = write(fd, h, sizeof(*h));
			if (n == (ssize_t)sizeof(*h)) {
				sent = true;
				sent_at = now;
				continue;
			}
			if (n >= 0 || (errno != EAGAIN && errno != EINTR))
				return -ECONNREFUSED;
			poll(NULL, 0, 10);
			continue;
		}
		wait = sent_at + DXA_VM_HELLO_RESEND_MS - now;
		if (deadline - now < wait)
			wait = deadline - now;
		if (poll(&p, 1, (int)wait) <= 0)
			continue;
		/* A sliding window over the stream, a byte at a time: short. */
		n = read(fd, &c, 1);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n < 0)
			return -ECONNREFUSED;
		if (n == 0) {
			/* The host end is gone, for now: so is the hello. */
			sent = false;
			poll(NULL, 0, 10);
			continue;
		}
		if (have == sizeof(win)) {
			memmove(win, win + 1, sizeof(win) - 1);
			have--;
		}
		win[have++] = c;
		if (have == sizeof(win) && memcmp(win, h, sizeof(*h)) == 0)
			return 0;
	}
	return -ECONNREFUSED; /* nobody relays this channel */
}

int
dxa_vm_hello(int fd)
{
	struct dxa_vm_hello h = {
		.magic = DXA_VM_HELLO_MAGIC, .version = DXA_VERSION,
	};
	int flags, rnd, ret;

	rnd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	if (rnd < 0 || read(rnd, &h.nonce, sizeof(h.nonce)) != sizeof(h.nonce))
		h.nonce = (uint64_t)getpid() << 32 ^ now_ms();
	if (rnd >= 0)
		close(rnd);
	flags = fcntl(fd, F_GETFL);
	if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0)
		return -errno;
	ret = hello_exchange(fd, &h, now_ms() + DXA_VM_HELLO_MS);
	if (fcntl(fd, F_SETFL, flags) != 0 && ret == 0)
		ret = -errno;
	return ret;
}

int
dxa_vm_chan_open(const char *chan)
{
	const char *region = getenv("RTE_DMA_ACCESS_VM_REGION");
	char path[PATH_MAX];
	struct stat st;
	int fd, ret;

	if (chan == NULL || chan[0] == '\0')
		return -EINVAL;
	if (chan[0] == '/') {
		snprintf(path, sizeof(path), "%s", chan);
	} else {
		ret = port_path(chan, path, sizeof(path));
		if (ret != 0)
			return ret;
	}
	if (region != NULL) {
		snprintf(vm.region, sizeof(vm.region), "%s", region);
	} else {
		ret = ivshmem_path(vm.region, sizeof(vm.region));
		if (ret != 0)
			return ret;
	}
	if (stat(vm.region, &st) != 0 || st.st_size <= 0)
		return -ENOENT;
	vm.region_dev = st.st_dev;
	vm.region_ino = st.st_ino;
	vm.region_size = (uint64_t)st.st_size;
	if (vm.wake[0] < 0 && pipe2(vm.wake, O_CLOEXEC | O_NONBLOCK) != 0)
		return -errno;
	fd = open(path, O_RDWR | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	/* A port is a character device: a pipe or socket would SIGPIPE. */
	if (fstat(fd, &st) != 0 || !S_ISCHR(st.st_mode)) {
		close(fd);
		return -ENODEV;
	}
	ret = dxa_vm_hello(fd);
	if (ret != 0) {
		close(fd);
		return ret;
	}
	pthread_mutex_lock(&vm.lock);
	vm.fd = fd;
	vm.down = false;
	while (read(vm.wake[0], path, sizeof(path)) > 0)
		;
	pthread_mutex_unlock(&vm.lock);
	return fd;
}

void
dxa_vm_chan_shutdown(int fd)
{
	pthread_mutex_lock(&vm.lock);
	if (fd == vm.fd && !vm.down) {
		vm.down = true;
		if (write(vm.wake[1], "x", 1) < 0)
			vm.down = true; /* a full pipe wakes as well */
	}
	pthread_mutex_unlock(&vm.lock);
}

void
dxa_vm_chan_close(int fd)
{
	pthread_mutex_lock(&vm.lock);
	if (fd == vm.fd)
		__atomic_store_n(&vm.fd, -1, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&vm.lock);
	close(fd);
}

bool
dxa_vm_chan_is(int fd)
{
	return fd >= 0 && fd == __atomic_load_n(&vm.fd, __ATOMIC_RELAXED);
}

bool
dxa_vm_region_is(int fd, uint64_t *size)
{
	struct stat st;

	if (vm.region_size == 0 || fstat(fd, &st) != 0 ||
			st.st_dev != vm.region_dev || st.st_ino != vm.region_ino)
		return false;
	*size = vm.region_size;
	return true;
}

bool
dxa_vm_fd_crosses(int fd)
{
	uint64_t size;

	if (vm.region_size == 0)
		return true;
	return dxa_vm_region_is(fd, &size);
}

int
dxa_vm_chan_send(int fd, uint16_t type, uint32_t seq, const void *body,
		size_t body_len, int pass_fd)
{
	uint8_t msg[DXA_MSG_MAX];
	struct dxa_hdr h;
	uint64_t size;
	size_t done = 0, len = sizeof(h) + body_len;
	ssize_t n;
	int ret = 0;

	if (len > sizeof(msg))
		return -EMSGSIZE;
	if (pass_fd >= 0 && !dxa_vm_region_is(pass_fd, &size))
		return -EBADF;
	dxa_hdr_init(&h, type, seq, body_len);
	memcpy(msg, &h, sizeof(h));
	if (body_len != 0)
		memcpy(msg + sizeof(h), body, body_len);
	/* Frames of two threads must not interleave. */
	pthread_mutex_lock(&vm.lock);
	if (vm.down)
		ret = -ECONNRESET;
	while (ret == 0 && done < len) {
		n = write(fd, msg + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			ret = n == 0 || errno == ENOTCONN || errno == EPIPE ?
				-ECONNRESET : -errno;
			break;
		}
		done += (size_t)n;
	}
	pthread_mutex_unlock(&vm.lock);
	return ret;
}

/* Read exactly @len bytes, the first within @timeout_ms. */
static int
read_full(int fd, uint8_t *buf, size_t len, int timeout_ms)
{
	struct pollfd p[2] = {
		{ .fd = fd, .events = POLLIN },
		{ .fd = vm.wake[0], .events = POLLIN },
	};
	size_t done = 0;
	ssize_t n;
	int ret;

	while (done < len) {
		do {
			ret = poll(p, 2, done == 0 ? timeout_ms : FRAME_REST_MS);
		} while (ret < 0 && errno == EINTR);
		if (ret < 0)
			return -errno;
		if (__atomic_load_n(&vm.down, __ATOMIC_RELAXED))
			return -ECONNRESET;
		if (ret == 0)
			return done == 0 ? -ETIMEDOUT : -EPROTO;
		n = read(fd, buf + done, len - done);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		/* The host broke the stream: the connection is gone. */
		if (n <= 0)
			return n == 0 || errno == ENOTCONN ? -ECONNRESET : -errno;
		done += (size_t)n;
	}
	return 0;
}

int
dxa_vm_chan_recv(int fd, void *buf, int timeout_ms, int *rx_fd)
{
	struct dxa_mem_event ev;
	struct dxa_hdr h;
	uint8_t *b = buf;
	int ret;

	*rx_fd = -1;
	ret = read_full(fd, b, sizeof(h), timeout_ms);
	if (ret != 0)
		return ret;
	memcpy(&h, b, sizeof(h));
	/* The relay's bye: the session, and this connection, are over. */
	if (h.magic == DXA_VM_HELLO_MAGIC)
		return -ECONNRESET;
	if (h.magic != DXA_MAGIC || h.length < sizeof(h) ||
			h.length > DXA_MSG_MAX)
		return -EPROTO;
	ret = read_full(fd, b + sizeof(h), h.length - sizeof(h),
		FRAME_REST_MS);
	if (ret != 0)
		return ret == -ETIMEDOUT ? -EPROTO : ret;
	ret = dxa_msg_check(b, h.length, 1);
	if (ret < 0)
		return ret;
	if (h.type == DXA_MEM_EVENT) {
		memcpy(&ev, b + sizeof(h), sizeof(ev));
		if (ev.event == DXA_MEM_ADD) {
			*rx_fd = open(vm.region, ((ev.perm & DXA_PERM_WRITE) != 0 ?
				O_RDWR : O_RDONLY) | O_CLOEXEC);
			if (*rx_fd < 0)
				return -errno;
		}
	}
	return (int)h.length;
}
