/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-dma-xd authors
 */

/*
 * What may back a memory window. The broker checks an exporter's fd with
 * this before relaying it, and every receiver checks it again before
 * mapping: neither trusts the other to have done so.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <linux/magic.h>

#include "dma_access_proto.h"
#include "dma_access_vm.h"

/* Kernel headers older than the features this file checks for. */
#ifndef HUGETLBFS_MAGIC
#define HUGETLBFS_MAGIC 0x958458f6
#endif
#ifndef DMA_BUF_MAGIC
#define DMA_BUF_MAGIC 0x444d4142
#endif
#ifndef F_SEAL_FUTURE_WRITE
#define F_SEAL_FUTURE_WRITE 0x0010
#endif

#define SEALS_SIZE (F_SEAL_SHRINK | F_SEAL_GROW)
#define SEALS_WRITE (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE)

/*
 * The kind of file comes from its file system, not from anything the
 * sender says. Every tmpfs file answers F_GET_SEALS, a memfd as well as a
 * file under /dev/shm, but only a memfd can ever carry the size seals; a
 * named tmpfs file is no memfd at all, so it gets -EBADF rather than an
 * -EPERM that would suggest sealing it.
 */
static int
fd_kind(int fd, const struct stat *st, uint64_t *size, int *seals,
		bool *sealed, bool *dmabuf)
{
	struct statfs sfs;
	off_t end;

	if (fstatfs(fd, &sfs) != 0)
		return -EBADF;
	*seals = 0;
	if ((uint32_t)sfs.f_type == DMA_BUF_MAGIC) {
		/* The exporter fixed its size; st_size is not it. */
		end = lseek(fd, 0, SEEK_END);
		if (end < 0)
			return -EBADF;
		lseek(fd, 0, SEEK_SET);
		*size = (uint64_t)end;
		*sealed = true;
		*dmabuf = true;
		return 0;
	}
	if (!S_ISREG(st->st_mode) || st->st_size < 0)
		return -EBADF;
	*size = (uint64_t)st->st_size;
	if ((uint32_t)sfs.f_type == HUGETLBFS_MAGIC) {
		/* A hugetlbfs memfd may be sealed; a plain file never is. */
		*seals = fcntl(fd, F_GET_SEALS);
		if (*seals < 0)
			*seals = 0;
		*sealed = (*seals & SEALS_SIZE) == SEALS_SIZE;
		return 0;
	}
	*seals = fcntl(fd, F_GET_SEALS);
	if (*seals < 0)
		return -EBADF;
	if ((*seals & SEALS_SIZE) != SEALS_SIZE)
		return st->st_nlink > 0 ? -EBADF : -EPERM;
	*sealed = true;
	return 0;
}

int
dxa_mem_fd_check(int fd, uint64_t offset, uint64_t len, uint32_t perm,
		bool *sealed)
{
	uint64_t size;
	struct stat st;
	int flags, need, seals, ret;
	bool s = false, dmabuf = false;
	void *p;

	if (fd < 0)
		return -EBADF;
	flags = fcntl(fd, F_GETFL);
	/* An O_PATH descriptor names a file but cannot map it. */
	if (flags < 0 || (flags & O_PATH) != 0)
		return -EBADF;
	if (fstat(fd, &st) != 0)
		return -EBADF;
	/* In a guest, its VM's shared region: the hypervisor fixed its size. */
	if (dxa_vm_region_is(fd, &size)) {
		seals = 0;
		s = true;
	} else {
		ret = fd_kind(fd, &st, &size, &seals, &s, &dmabuf);
		if (ret != 0)
			return ret;
	}
	if (offset > size || len > size - offset)
		return -ERANGE;
	/*
	 * The descriptor's mode is what a receiver's kernel enforces: a
	 * read-only window travels as a read-only descriptor, so no receiver
	 * can map it writable whatever its code does. A write seal would make
	 * every receiver's writable mapping fail: refused here, once.
	 */
	need = (perm & DXA_PERM_WRITE) != 0 ? O_RDWR : O_RDONLY;
	if ((flags & O_ACCMODE) != need)
		return -EACCES;
	if ((perm & DXA_PERM_WRITE) != 0 && (seals & SEALS_WRITE) != 0)
		return -EACCES;
	/*
	 * A dma-buf's size is its exporter's and never changes (udmabuf
	 * itself requires its memfd sealed against shrinking), but not every
	 * exporter lets the CPU map it, or map it shared. Every receiver maps
	 * it shared with the window's protection: find out once, here.
	 */
	if (dmabuf) {
		p = mmap(NULL, DXA_MEM_ALIGN, (perm & DXA_PERM_WRITE) != 0 ?
			PROT_READ | PROT_WRITE : PROT_READ, MAP_SHARED, fd,
			(off_t)offset);
		if (p == MAP_FAILED)
			return -ENODEV;
		munmap(p, DXA_MEM_ALIGN);
	}
	if (sealed != NULL)
		*sealed = s;
	return 0;
}
