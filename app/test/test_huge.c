/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-dma-xd authors
 */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test_huge.h"

#define HUGE_NR "/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages"
/* Cases of parallel tests change the pool one at a time. */
#define HUGE_LOCK "/tmp/dpdk-dma-xd-hugepages.lock"

static long
huge_read(void)
{
	FILE *fp = fopen(HUGE_NR, "r");
	long n = -1;

	if (fp != NULL) {
		if (fscanf(fp, "%ld", &n) != 1)
			n = -1;
		fclose(fp);
	}
	return n;
}

static int
huge_write(long n)
{
	FILE *fp = fopen(HUGE_NR, "w");
	int ret = 0;

	if (fp == NULL)
		return -errno;
	if (fprintf(fp, "%ld\n", n) < 0)
		ret = -EIO;
	if (fclose(fp) != 0 && ret == 0)
		ret = -errno;
	return ret;
}

/*
 * Grow (or shrink) the kernel's pool of 2 MB pages by @delta, under a lock
 * shared with the other test processes. Growing fails with -ENOMEM, and
 * changes nothing, when the kernel cannot find the pages.
 */
static int
huge_adjust(long delta)
{
	int lock = open(HUGE_LOCK, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	long now, want;
	int ret;

	if (lock < 0)
		return -errno;
	flock(lock, LOCK_EX);
	now = huge_read();
	want = now + delta < 0 ? 0 : now + delta;
	ret = now < 0 ? -EIO : huge_write(want);
	if (ret == 0 && delta > 0 && huge_read() < want) {
		huge_write(now);
		ret = -ENOMEM;
	}
	flock(lock, LOCK_UN);
	close(lock);
	return ret;
}

bool
test_huge_setup(struct test_huge *h, const char *parent, unsigned int pages,
		char *why, size_t len)
{
	int ret;

	memset(h, 0, sizeof(*h));
	if (geteuid() != 0) {
		snprintf(why, len, "reserving 2 MB hugepages and mounting hugetlbfs need root");
		return false;
	}
	ret = huge_adjust(pages);
	if (ret != 0) {
		snprintf(why, len, "the kernel could not reserve %u 2 MB hugepages: %s",
			pages, strerror(-ret));
		return false;
	}
	h->pages = pages;
	snprintf(h->dir, sizeof(h->dir), "%s/huge", parent);
	if (mkdir(h->dir, 0700) != 0 ||
			mount("nodev", h->dir, "hugetlbfs", 0, "pagesize=2M") != 0) {
		snprintf(why, len, "cannot mount hugetlbfs on %s: %s", h->dir,
			strerror(errno));
		h->dir[0] = '\0';
		return false;
	}
	return true;
}

void
test_huge_teardown(struct test_huge *h)
{
	if (h->dir[0] != '\0' && umount2(h->dir, MNT_DETACH) != 0)
		fprintf(stderr, "cannot unmount %s: %s\n", h->dir,
			strerror(errno));
	h->dir[0] = '\0';
	if (h->pages > 0)
		huge_adjust(-(long)h->pages);
	h->pages = 0;
}
