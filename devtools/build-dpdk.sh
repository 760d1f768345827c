#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The dpdk-dma-xd authors
#
# Build a DPDK release tarball (>= 25.11) minimally, with its driver SDK
# headers, into a prefix cached by the tarball's checksum, and print the
# prefix's pkg-config directory: the native target's stand-in for a DPDK
# installed on the user's machine. A second call with the same tarball
# builds nothing. Debian 12 has no DPDK 25.11 package; its python3-pyelftools
# and meson/ninja are all the build needs (devtools/install-deps.sh).
#
# Usage: devtools/build-dpdk.sh [TARBALL]
#   TARBALL  default: ../shared/dpdk/dpdk-*.tar.xz beside the project
# Environment:
#   DPDK_CACHE  cache directory (default, root: /var/cache/dpdk-dma-xd, where
#               the tests' unprivileged processes can load the libraries too;
#               others: ${XDG_CACHE_HOME:-~/.cache}/dpdk-dma-xd)
# Then, for the project:
#   PKG_CONFIG_PATH=$(devtools/build-dpdk.sh) meson setup build-25.11
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
case "${1:-}" in
-h|--help) sed -n '5,/^set /{/^#/s/^# \{0,1\}//p}' "$0"; exit 0 ;;
esac

tarball=${1:-}
if [ -z "$tarball" ]; then
	for t in "$top"/../shared/dpdk/dpdk-*.tar.xz; do tarball=$t; done
fi
[ -f "$tarball" ] || { echo "build-dpdk.sh: no DPDK tarball (looked for ${tarball:-../shared/dpdk/dpdk-*.tar.xz})" >&2; exit 1; }

sum=$(sha256sum "$tarball" | cut -c1-16)
name=$(basename "$tarball" .tar.xz)
if [ "$(id -u)" -eq 0 ]; then
	cache=${DPDK_CACHE:-/var/cache/dpdk-dma-xd}
else
	cache=${DPDK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/dpdk-dma-xd}
fi
prefix=$cache/$name-$sum
pcdir=$prefix/lib/pkgconfig

if [ -f "$prefix/.complete" ]; then
	echo "$pcdir"
	exit 0
fi

# DPDK's meson needs a python3 that has elftools: Debian's, not another one
# that happens to be first in PATH.
export PATH=/usr/bin:$PATH
/usr/bin/python3 -c 'import elftools' 2>/dev/null || {
	echo "build-dpdk.sh: Debian's python3-pyelftools is missing (devtools/install-deps.sh)" >&2
	exit 1
}

mkdir -p "$cache"
chmod 0755 "$cache"
work=$(mktemp -d "$cache/.build-XXXXXX")
trap 'rm -rf "$work"' EXIT
echo "build-dpdk.sh: building $name into $prefix (a few minutes, once)" >&2
tar -C "$work" -xf "$tarball"
src=$(echo "$work"/*/)

# The libraries and drivers the project uses, the driver SDK headers, and
# DPDK's own test application for its dmadev suites; nothing else.
rm -rf "$prefix"
meson setup "$work/build" "$src" \
	--prefix="$prefix" --libdir=lib --buildtype=release \
	-Dplatform=generic \
	-Denable_libs=cfgfile,dmadev \
	-Denable_drivers=bus/vdev,dma/skeleton \
	-Ddisable_apps='*' \
	-Dtests=false \
	-Denable_docs=false \
	-Denable_driver_sdk=true \
	-Ddeveloper_mode=disabled >"$work/setup.log" 2>&1 || {
	tail -n 30 "$work/setup.log" >&2; exit 1; }
ninja -C "$work/build" >"$work/build.log" 2>&1 || { tail -n 30 "$work/build.log" >&2; exit 1; }
meson install -C "$work/build" --quiet >"$work/install.log" 2>&1 || {
	tail -n 30 "$work/install.log" >&2; exit 1; }
touch "$prefix/.complete"
echo "$pcdir"
