#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The dpdk-dma-xd authors
#
# Build the project and run the whole test suite. This is the README's test
# command, and .ci/run calls it for each of its test builds.
#
# Usage: devtools/test.sh [--dpdk=installed|--dpdk=TARBALL] [BUILD_DIR [MESON_OPTION...]]
#   (no argument)    both DPDK targets, one after the other: build/ against
#                    the installed DPDK (Debian's 22.11), build-native/
#                    against ../shared/dpdk/dpdk-*.tar.xz (DPDK 25.11)
#   --dpdk=installed the DPDK that pkg-config finds (PKG_CONFIG_PATH as set)
#   --dpdk=TARBALL   a DPDK >= 25.11 release tarball, built once into a
#                    cache by devtools/build-dpdk.sh; DPDK's own dmadev
#                    suites come from the same tarball
#   BUILD_DIR        build directory, relative to the top of the tree
#                    (default: build, or build-native with a tarball); set
#                    up with meson if it does not exist
#   MESON_OPTION     e.g. -Dwerror=true: given to meson setup for a new
#                    build directory, to meson configure for an existing one
# Environment:
#   CC               compiler of a new build directory (meson's default: cc)
#   MESON_TEST_ARGS  more arguments for meson test, e.g. "--suite fast"
#                    or "--timeout-multiplier 3"
set -euo pipefail

cd "$(dirname "$0")/.."

tarball=
case "${1:-}" in
-h|--help) sed -n '5,/^set /{/^#/s/^# \{0,1\}//p}' "$0"; exit 0 ;;
--dpdk=installed) shift ;;
--dpdk=*) tarball=$(realpath "${1#--dpdk=}"); shift ;;
"")
	"$0" --dpdk=installed build
	for t in ../shared/dpdk/dpdk-*.tar.xz; do tarball=$t; done
	[ -f "$tarball" ] || { echo "test.sh: no DPDK tarball in ../shared/dpdk: the native target was not tested" >&2; exit 1; }
	exec "$0" --dpdk="$tarball" build-native
	;;
esac
builddir=${1:-build}
[ -z "$tarball" ] || builddir=${1:-build-native}
if [ $# -gt 0 ]; then shift; fi

# Root on a fresh machine: install what is missing. Others get a hint only;
# meson says precisely what it cannot find.
if [ "$(id -u)" -eq 0 ]; then
	devtools/install-deps.sh --if-missing
else
	devtools/install-deps.sh --check >&2 || true
fi

if [ -n "$tarball" ]; then
	PKG_CONFIG_PATH=$(devtools/build-dpdk.sh "$tarball")
	export PKG_CONFIG_PATH
	set -- -Ddpdk_test_suite="$tarball" "$@"
fi

echo "== DPDK $(pkg-config --modversion libdpdk), build directory $builddir"
if [ -f "$builddir/meson-private/coredata.dat" ]; then
	[ $# -eq 0 ] || meson configure "$builddir" "$@"
else
	meson setup "$builddir" "$@"
fi
meson compile -C "$builddir"
# shellcheck disable=SC2086 # MESON_TEST_ARGS is a list of words
meson test -C "$builddir" --print-errorlogs --num-processes 2 ${MESON_TEST_ARGS:-}
