#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The dpdk-dma-xd authors
#
# Build xd_app.c as an application outside this project would, with the
# commands the README and the programmer's guide ("Building an
# application") give, and run it with the skeleton driver as a plugin:
#
#   app-build.sh build-tree   against the build tree (meson-uninstalled)
#   app-build.sh staging      against "meson install --destdir" of it
#
# meson passes, in the environment: XD_BUILD_ROOT, XD_APP_SRC (xd_app.c),
# XD_LIBDIR (the absolute install libdir), XD_DPDK_PCDIR and XD_DPDK_LIBDIR
# (where pkg-config found DPDK), CC and XD_APP_CFLAGS (sanitizers).
# Everything goes to a temporary directory of its own in the build tree,
# removed at the end, so the two modes run in parallel.
set -eu

mode=${1:?usage: app-build.sh build-tree|staging}
build=$XD_BUILD_ROOT

# Not under /tmp: EAL refuses a plugin path with a world-writable
# ancestor. If the build tree itself has one, the plugin is named bare
# and found through LD_LIBRARY_PATH, as the README says.
tmp=$(mktemp -d "$build/app-build-$mode.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

world_writable_ancestor() {
	d=$1
	while [ "$d" != / ] && [ -n "$d" ]; do
		if [ -n "$(find "$d" -maxdepth 0 -perm -0002 2>/dev/null)" ]; then
			return 0
		fi
		d=$(dirname "$d")
	done
	return 1
}

fail() {
	echo "app-build.sh $mode: $*" >&2
	exit 1
}

case $mode in
build-tree)
	pcpath=$build/meson-uninstalled
	libpath=$build/lib/dmadev
	plugin=$build/drivers/dma/librte_dma_xd_skeleton.so
	plugin_dir=$build/drivers/dma
	;;
staging)
	stage=$tmp/stage
	meson install -C "$build" --no-rebuild --quiet --destdir "$stage" \
		> "$tmp/install.log" 2>&1 || {
		cat "$tmp/install.log" >&2
		fail "meson install --destdir failed"
	}
	libpath=$stage$XD_LIBDIR
	pcpath=$libpath/pkgconfig
	plugin=$libpath/dpdk-dma-xd
	plugin_dir=$plugin
	;;
*)
	fail "unknown mode (build-tree or staging)"
	;;
esac

[ -f "$pcpath/libdpdk-dma-xd.pc" ] || \
	[ -f "$pcpath/libdpdk-dma-xd-uninstalled.pc" ] || \
	fail "no libdpdk-dma-xd.pc in $pcpath"

PKG_CONFIG_PATH=$pcpath:$XD_DPDK_PCDIR
export PKG_CONFIG_PATH
unset PKG_CONFIG_SYSROOT_DIR || true
cflags=$(pkg-config --cflags libdpdk-dma-xd) || fail "pkg-config --cflags failed"
libs=$(pkg-config --libs libdpdk-dma-xd) || fail "pkg-config --libs failed"
if [ "$mode" = staging ]; then
	# The staged .pc must point into the staging tree, not at the prefix.
	case $cflags in
	*"$stage"*) ;;
	*) fail "the staged libdpdk-dma-xd.pc does not point into $stage: $cflags" ;;
	esac
fi

# shellcheck disable=SC2086 # word splitting of the flags is wanted
${CC:-cc} ${XD_APP_CFLAGS:-} -o "$tmp/xd_app" "$XD_APP_SRC" $cflags $libs \
	|| fail "cannot build the application"

ldpath=$libpath:$XD_DPDK_LIBDIR
if world_writable_ancestor "$plugin"; then
	plugin=librte_dma_xd_skeleton.so
	ldpath=$ldpath:$plugin_dir
fi
LD_LIBRARY_PATH=$ldpath${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH} \
	"$tmp/xd_app" --no-huge -m 256 --no-pci --file-prefix="xdapp-$mode-$$" \
	-d "$plugin" --vdev=dma_xd_skeleton0 > "$tmp/run.log" 2>&1 || {
	cat "$tmp/run.log" >&2
	fail "the application failed"
}
cat "$tmp/run.log"
grep -q "bytes copied" "$tmp/run.log" || fail "the application did not copy"
