#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The dpdk-dma-xd authors
#
# The README's main command: install what is missing, build, and run
# dpdk-dma-xd-demo, which copies through dma_xd_skeleton (inline and
# dedicated-lcore engines), Debian's dma_skeleton and memcpy, and prints a
# table of the results.
#
# Usage: devtools/demo.sh [DEMO_OPTION...] [-- EAL_ARGUMENT...]
#   Arguments go to the demo unchanged (see its --help, or
#   man -l doc/man/dpdk-dma-xd-demo.1). Without any, the demo runs with its
#   defaults: 64 B, 1 KiB, 64 KiB and 1 MiB copies, no hugepages needed.
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

exec "$builddir/app/dma-xd-demo/dpdk-dma-xd-demo" "$@"
