/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-dma-xd authors
 */

/*
 * The data every case copies, and the check of what it left behind.
 *
 * Byte x of the source buffer is a hash of x, so a copy from the wrong
 * offset, into the wrong slot or of the wrong length is caught, not only
 * a missing one. The check is exhaustive: every byte of the destination
 * buffer is either the source byte of a slot that was copied, or poison
 * (the rest of a slot's stride, slots not reached, the tail past the last
 * slot). The child of SOCKET_COPY runs the same check on its own buffer,
 * which is why it needs the pattern and not a copy of the source.
 *
 * Words are compared eight bytes at a time: the check of a 64 MiB buffer
 * takes a few milliseconds, done after every round.
 */

#include <string.h>

#include <rte_byteorder.h>
#include <rte_common.h>

#include "perf.h"

#define POISON_WORD (0x0101010101010101ull * PERF_POISON)

/* splitmix64's finaliser: every bit of the word index reaches every byte. */
static inline uint64_t
pattern_word(uint64_t w)
{
	uint64_t z = w * 0x9e3779b97f4a7c15ull + 0x632be59bd9b4e019ull;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Byte k of word w sits at offset 8w + k: little-endian in memory. */
uint8_t
perf_pattern_byte(uint64_t off)
{
	return (uint8_t)(pattern_word(off >> 3) >> ((off & 7) * 8));
}

void
perf_pattern_fill(uint8_t *buf, size_t len)
{
	size_t x = 0;

	for (; x + 8 <= len; x += 8) {
		uint64_t w = rte_cpu_to_le_64(pattern_word(x >> 3));

		memcpy(buf + x, &w, sizeof(w));
	}
	for (; x < len; x++)
		buf[x] = perf_pattern_byte(x);
}

void
perf_layout_init(struct perf_layout *l, uint32_t size, size_t bytes)
{
	l->size = size;
	l->stride = RTE_ALIGN_CEIL((size_t)size, PERF_SLOT_ALIGN);
	l->nb_slots = bytes / l->stride;
	l->bytes = bytes;
}

/*
 * Compare @p len bytes at @p p, destination offset @p off, with the
 * pattern (@p pattern) or with poison. Returns the index of the first
 * wrong byte, or len.
 */
static size_t
span_mismatch(const uint8_t *p, uint64_t off, size_t len, bool pattern)
{
	size_t i = 0;

	/* Bytes up to a word boundary of the destination, then words. */
	for (; i < len && ((off + i) & 7) != 0; i++)
		if (p[i] != (pattern ? perf_pattern_byte(off + i) : PERF_POISON))
			return i;
	for (; i + 8 <= len; i += 8) {
		uint64_t got, want;

		memcpy(&got, p + i, sizeof(got));
		want = pattern ? rte_cpu_to_le_64(pattern_word((off + i) >> 3)) :
			POISON_WORD;
		if (got != want)
			break;
	}
	for (; i < len; i++)
		if (p[i] != (pattern ? perf_pattern_byte(off + i) : PERF_POISON))
			return i;
	return len;
}

bool
perf_region_matches(const uint8_t *buf, uint64_t off, size_t len,
		const struct perf_layout *l, uint64_t written,
		struct perf_mismatch *m)
{
	const uint64_t end = off + len;
	const uint64_t slots_end = l->nb_slots * l->stride;

	written = RTE_MIN(written, l->nb_slots);
	while (off < end) {
		uint64_t slot = off / l->stride;
		uint64_t in = off - slot * l->stride;
		uint64_t stop;
		bool pattern;
		size_t bad, n;

		if (off >= slots_end) {
			/* Past the last whole slot: nothing may be written. */
			slot = UINT64_MAX;
			in = off - slots_end;
			stop = end;
			pattern = false;
		} else if (slot < written && in < l->size) {
			stop = RTE_MIN(end, slot * l->stride + l->size);
			pattern = true;
		} else {
			stop = RTE_MIN(end, (slot + 1) * l->stride);
			pattern = false;
		}
		n = (size_t)(stop - off);
		bad = span_mismatch(buf, off, n, pattern);
		if (bad < n) {
			m->slot = slot;
			m->byte = in + bad;
			m->got = buf[bad];
			m->want = pattern ? perf_pattern_byte(off + bad) :
				PERF_POISON;
			return false;
		}
		buf += n;
		off = stop;
	}
	return true;
}
