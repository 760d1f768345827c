#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The dpdk-dma-xd authors
#
# The README's main command: install what is missing, build, and run the
# benchmark dpdk-test-dma-perf with app/test-dma-perf/configs/quick.ini: a
# two-process inter-domain run on the software devices. A peer process (the
# benchmark started again, with its own EAL and dma_xd_skeleton) joins an
# access pair group of ours through the broker embedded in this run, shares
# its buffer, and dma_xd_skeleton copies into it and out of it (also from
# an OS domain: the peer in namespaces of its own), every copy verified;
# next to the same copies within one process through dma_xd_skeleton and
# Debian's dma_skeleton, memcpy, process_vm_writev and a unix socket, at
# 64 B, 4 KiB, 64 KiB and 1 MiB. It prints the results table, with the
# inter-domain over intra-domain and over CMA ratios. Under 30 s, no
# hugepages needed; exit status 0 only if every copy was verified.
#
# Usage: devtools/demo.sh [BENCHMARK_OPTION...] [-- EAL_ARGUMENT...]
#   Arguments go to dpdk-test-dma-perf after --config quick.ini (see its
#   --help, or man -l doc/man/dpdk-test-dma-perf.1); a --config of yours
#   replaces quick.ini, e.g. --config app/test-dma-perf/configs/full.ini
#   for the sweep from 64 B to 16 MiB (under four minutes).
#   dpdk-dma-xd-demo, the short tour of the local devices, is
#   $BUILD_DIR/app/dma-xd-demo/dpdk-dma-xd-demo.
# Environment:
#   BUILD_DIR  build directory, relative to the top of the tree (default: build)
set -euo pipefail

cd "$(dirname "$0")/.."

builddir=${BUILD_DIR:-build}

if [ "$(id -u)" -eq 0 ]; then
	devtools/install-deps.sh --if-missing
else
	devtools/install-deps.sh --check >&2 || true
fi

if [ ! -f "$builddir/meson-private/coredata.dat" ]; then
	meson setup "$builddir"
fi
meson compile -C "$builddir"

# getopt: the last --config given wins, so the caller's replaces ours.
exec "$builddir/app/test-dma-perf/dpdk-test-dma-perf" \
	--config app/test-dma-perf/configs/quick.ini "$@"
