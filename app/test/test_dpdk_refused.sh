#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The dpdk-dma-xd authors
#
# meson refuses a DPDK that is neither 22.11.x nor >= 25.11, and a 25.11
# without its driver SDK headers, each with one line naming the fix. The
# DPDKs are copies of the installed libdpdk.pc (and libdpdk-libs.pc) with
# only their Version (and include directory) changed, so the rest of the
# set-up is real.
#
# Usage: test_dpdk_refused.sh SOURCE_ROOT
set -u

src=${1:?usage: test_dpdk_refused.sh SOURCE_ROOT}
pcdir=$(pkg-config --variable=pcfiledir libdpdk) || {
	echo "no libdpdk.pc to start from"; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failed=0
passed=0

# refuse VERSION EXPECTED_TEXT [INCLUDEDIR]
refuse() {
	dir=$work/pc-$1
	mkdir -p "$dir"
	sed "s/^Version:.*/Version: $1/" "$pcdir/libdpdk.pc" > "$dir/libdpdk.pc"
	if [ -n "${3:-}" ]; then
		sed -i "s|^includedir=.*|includedir=$3|" "$dir/libdpdk.pc"
		sed "s|^includedir=.*|includedir=$3|" "$pcdir/libdpdk-libs.pc" \
			> "$dir/libdpdk-libs.pc"
	fi
	out=$(PKG_CONFIG_PATH="$dir:${PKG_CONFIG_PATH:-}" \
		meson setup "$work/build-$1" "$src" 2>&1)
	rc=$?
	line=$(printf '%s\n' "$out" | grep 'ERROR:' | head -n 1)
	if [ "$rc" -eq 0 ]; then
		echo "FAIL: DPDK $1 was accepted"; failed=$((failed + 1))
	elif ! printf '%s\n' "$line" | grep -q -- "$2"; then
		echo "FAIL: DPDK $1: expected '$2' in: $line"; failed=$((failed + 1))
	else
		echo "ok: DPDK $1 refused: $line"; passed=$((passed + 1))
	fi
}

refuse 23.11.0 'is not supported: use DPDK 22.11.x'
refuse 21.11.2 'is not supported: use DPDK 22.11.x'
# A DPDK built without -Denable_driver_sdk=true. When the one at hand has
# the SDK headers (a native one), its include directory is shadowed by one
# that lacks them.
inc=$(pkg-config --variable=includedir libdpdk)
shadow=
if [ -f "$inc/rte_dmadev_pmd.h" ]; then
	shadow=$work/include
	mkdir -p "$shadow"
	for f in "$inc"/*; do ln -s "$f" "$shadow/"; done
	rm -f "$shadow/rte_dmadev_pmd.h" "$shadow/bus_vdev_driver.h"
fi
refuse 25.11.0 'has no driver SDK headers.*-Denable_driver_sdk=true' "$shadow"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
