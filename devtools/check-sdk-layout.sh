#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Build the project against DPDK's real driver SDK headers, taken from the
# Debian source package of the installed DPDK, so that the static asserts in
# lib/dmadev/rte_dmadev_sdk.h check the pinned 22.11 layouts against them.
# Needs root (adds a deb-src entry when none exists) and the Debian mirror.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if ! grep -rqs '^Types:.*deb-src\|^deb-src' /etc/apt/sources.list /etc/apt/sources.list.d/; then
	src=/etc/apt/sources.list.d/debian.sources
	[ -f "$src" ] || { echo "no deb-src entry and no $src to derive one from" >&2; exit 1; }
	sed 's/^Types: deb$/Types: deb-src/' "$src" > /etc/apt/sources.list.d/dpdk-dma-xd-src.sources
	apt-get update -qq
fi

ver=$(pkg-config --modversion libdpdk)
(cd "$work" && apt-get source --download-only -qq dpdk >/dev/null 2>&1) || {
	echo "cannot download the dpdk source package" >&2; exit 1; }
orig=$(ls "$work"/dpdk_*.orig.tar.* | head -n 1)
tar -C "$work" -xf "$orig" --wildcards '*/lib/dmadev/rte_dmadev_pmd.h' \
	'*/drivers/bus/vdev/bus_vdev_driver.h' '*/lib/eal/include/dev_driver.h'
mkdir -p "$work/sdk"
find "$work" -path "$work/sdk" -prune -o -name '*.h' -exec cp {} "$work/sdk/" \;

echo "== building against the driver SDK headers of DPDK $ver"
meson setup "$work/build" "$top" -Dwerror=true -Dtests=disabled \
	-Ddpdk_sdk_include="$work/sdk" >/dev/null
ninja -C "$work/build" >/dev/null
echo "== pinned DPDK 22.11 driver layouts match the real SDK headers"
