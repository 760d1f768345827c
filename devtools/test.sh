#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The dpdk-dma-xd authors
#
# Build the project and run the whole test suite. This is the README's test
# command, and .ci/run calls it for each of its test builds.
#
# Usage: devtools/test.sh [BUILD_DIR [MESON_OPTION...]]
#   BUILD_DIR     build directory, relative to the top of the tree
#                 (default: build); set up with meson if it does not exist
#   MESON_OPTION  e.g. -Dwerror=true: given to meson setup for a new build
#                 directory, to meson configure for an existing one
# Environment:
#   CC               compiler of a new build directory (meson's default: cc)
#   MESON_TEST_ARGS  more arguments for meson test, e.g. "--suite fast"
#                    or "--timeout-multiplier 3"
set -euo pipefail

cd "$(dirname "$0")/.."

case "${1:-}" in
-h|--help) sed -n '5,/^set /{/^#/s/^# \{0,1\}//p}' "$0"; exit 0 ;;
esac
builddir=${1:-build}
if [ $# -gt 0 ]; then shift; fi

# Root on a fresh machine: install what is missing. Others get a hint only;
# meson says precisely what it cannot find.
if [ "$(id -u)" -eq 0 ]; then
	devtools/install-deps.sh --if-missing
else
	devtools/install-deps.sh --check >&2 || true
fi

if [ -f "$builddir/meson-private/coredata.dat" ]; then
	[ $# -eq 0 ] || meson configure "$builddir" "$@"
else
	meson setup "$builddir" "$@"
fi
meson compile -C "$builddir"
# shellcheck disable=SC2086 # MESON_TEST_ARGS is a list of words
meson test -C "$builddir" --print-errorlogs --num-processes 2 ${MESON_TEST_ARGS:-}
