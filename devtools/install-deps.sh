#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The dpdk-dma-xd authors
#
# Install the Debian 12 packages that building, testing and running the
# project need. The one list of build dependencies: .ci/run, test.sh and
# demo.sh all come here.
#
# Usage: devtools/install-deps.sh [--if-missing | --check] [--docs]
#   (default)     apt-get update, then install the whole list (idempotent)
#   --if-missing  do that only when a package is missing
#   --check       install nothing; list what is missing, exit 1 if anything is
#   --docs        add what the HTML guides need (meson -Denable_docs=true)
set -euo pipefail

packages=(
	busybox-static        # the VM tests' guest initramfs (devtools/vm-guest.sh)
	clang                 # warning check and sanitizer builds
	cpio                  # the VM tests' guest initramfs
	dpdk                  # DPDK tools and runtime
	gcc
	gnuplot-nox           # dpdk-test-dma-perf --plot (and its test)
	kmod                  # the VM tests' guest kernel modules (depmod)
	libc6-dev             # gcc only recommends it
	libclang-rt-14-dev    # clang's ASan/UBSan/libFuzzer runtimes
	libcmocka-dev         # test suite
	libdpdk-dev           # DPDK 22.11 headers and libraries (pkg-config libdpdk)
	librte-dma-skeleton23 # Debian's dma_skeleton plugin (the demo's comparison)
	meson
	ninja-build
	patch                 # the upstream example's DPDK 22.11 diff
	pkg-config
	python3-pyelftools    # building DPDK 25.11 (devtools/build-dpdk.sh)
	qemu-system-x86       # the VM tests: real guests under TCG
	uuid-dev              # domain ids
	xz-utils              # DPDK release tarballs
)

mode=install
for arg in "$@"; do
	case "$arg" in
	--if-missing) mode=if-missing ;;
	--check) mode=check ;;
	--docs) packages+=(python3-sphinx) ;;
	-h|--help) sed -n '5,/^set /{/^#/s/^# \{0,1\}//p}' "$0"; exit 0 ;;
	*) echo "install-deps.sh: unknown argument '$arg' (try --help)" >&2; exit 2 ;;
	esac
done

missing=()
for pkg in "${packages[@]}"; do
	status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$pkg" 2>/dev/null || true)
	[ "${status:0:2}" = ii ] || missing+=("$pkg")
done

if [ "$mode" != install ] && [ ${#missing[@]} -eq 0 ]; then
	exit 0
fi
if [ "$mode" = check ]; then
	echo "missing packages: ${missing[*]}"
	exit 1
fi

if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps.sh: missing packages: ${missing[*]}" >&2
	echo "install-deps.sh: run this script as root, or:" >&2
	echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${packages[*]}" >&2
	exit 1
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends "${packages[@]}"
