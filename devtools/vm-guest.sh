#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The dpdk-dma-xd authors
#
# Boot a throw-away QEMU guest that runs this machine's own binaries, run
# one command in it, and return the command's exit status. The guest is
# the test rig of the VM-boundary and dma-buf tests (meson suite "vm").
#
# Usage: devtools/vm-guest.sh [OPTION...] -- COMMAND [ARG...]
#        devtools/vm-guest.sh --fetch
#   --fetch            only install/fetch what a guest needs (idempotent)
#   --ivshmem SIZE     share SIZE bytes (a power of two, e.g. 16M) with the
#                      guest as ivshmem-plain (PCI 1af4:1110, BAR 2), backed
#                      by a sealed memfd of QEMU (memory-backend-memfd): the
#                      host finds it as QEMU's fd linked to
#                      "/memfd:memory-backend-memfd (deleted)"
#   --ivshmem-file FILE
#                      back the ivshmem device with FILE instead (with
#                      --ivshmem SIZE, its size): e.g. another guest's
#                      region, /proc/QEMU/fd/N, so two guests share it
#   --port NAME:SOCK   a virtio-serial port NAME whose host end is the Unix
#                      socket SOCK (QEMU listens on it); in the guest the
#                      command finds its device in $DMA_XD_VPORT_NAME
#                      (repeatable)
#   --pidfile FILE     QEMU writes its pid there (for tests that kill it)
#   --timeout SEC      stop the guest after SEC seconds (default 240)
#   --log FILE         the guest's console (default: a temporary file,
#                      printed on failure)
#   --env NAME=VALUE   set in the guest command's environment (repeatable);
#                      ASAN_OPTIONS, UBSAN_OPTIONS, LSAN_OPTIONS and
#                      LD_LIBRARY_PATH pass on from here
#
# How: Debian packages only. qemu-system-x86 and busybox-static are
# installed with apt-get (root) when missing. The guest kernel is
# bookworm-backports' 6.12 (udmabuf, DMA-BUF system heap), fetched with
# `apt-get download` through a private apt configuration - the machine's
# own apt sources are never touched - and cached, keyed by its version, in
# $DMA_XD_VM_CACHE (default /var/cache/dpdk-dma-xd/vm for root,
# ~/.cache/dpdk-dma-xd/vm otherwise), so every later run on the machine
# reuses it. The guest boots the kernel's uncompressed vmlinux (PVH entry)
# under TCG with one vCPU and 1 GiB, from a busybox initramfs that loads
# the virtio and 9p modules, mounts the host's root read-only over
# virtio-9p and chroots into it: COMMAND runs there as root, in the
# current directory, with the guest kernel's modules at /lib/modules.
#
# Exit status: COMMAND's; 77 when QEMU cannot run here at all - it is not
# installed and cannot be (the reason is printed); 1 when the guest failed
# or QEMU stopped before the command ended (its console is printed).
set -euo pipefail

export PATH=$PATH:/usr/sbin:/sbin
top=$(cd "$(dirname "$0")/.." && pwd)
SKIP=77

die() { echo "vm-guest.sh: $*" >&2; exit 1; }
skip() { echo "vm-guest.sh: SKIP: $*" >&2; exit "$SKIP"; }

if [ "$(id -u)" -eq 0 ]; then
	cache=${DMA_XD_VM_CACHE:-/var/cache/dpdk-dma-xd/vm}
else
	cache=${DMA_XD_VM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/dpdk-dma-xd/vm}
fi

fetch_only=false
ivshmem=
ivshmem_file=
ports=()
pidfile=
timeout_s=240
log=
guest_env=()
while [ $# -gt 0 ]; do
	case "$1" in
	--fetch) fetch_only=true ;;
	--ivshmem) ivshmem=$2; shift ;;
	--ivshmem-file) ivshmem_file=$2; shift ;;
	--port) ports+=("$2"); shift ;;
	--pidfile) pidfile=$2; shift ;;
	--timeout) timeout_s=$2; shift ;;
	--log) log=$2; shift ;;
	--env) guest_env+=("$2"); shift ;;
	--) shift; break ;;
	-h|--help) sed -n '5,/^set /{/^#/s/^# \{0,1\}//p}' "$0"; exit 0 ;;
	*) die "unknown argument '$1' (try --help)" ;;
	esac
	shift
done
$fetch_only || [ $# -gt 0 ] || die "no command (try --help)"
[ -z "$ivshmem_file" ] || [ -n "$ivshmem" ] || die "--ivshmem-file needs --ivshmem SIZE"

# ---- packages ------------------------------------------------------------

have_pkg() {
	local st

	st=$(dpkg-query -W -f='${db:Status-Abbrev}' "$1" 2>/dev/null || true)
	[ "${st:0:2}" = ii ]
}

need=()
# kmod: depmod, modinfo and the guest's modprobe; cpio: the initramfs.
for p in qemu-system-x86 busybox-static kmod cpio; do
	have_pkg "$p" || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
	[ "$(id -u)" -eq 0 ] ||
		skip "QEMU cannot run: ${need[*]} not installed (as root: apt-get install ${need[*]})"
	echo "vm-guest.sh: installing ${need[*]}" >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
		--no-install-recommends "${need[@]}" >&2 ||
		{ apt-get update -q >&2 &&
		  DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
			--no-install-recommends "${need[@]}" >&2; } ||
		skip "QEMU cannot run: installing ${need[*]} failed"
fi
command -v qemu-system-x86_64 >/dev/null || skip "QEMU cannot run: no qemu-system-x86_64"

# ---- the guest kernel, cached by version ---------------------------------

mkdir -p "$cache"
# One fetch at a time per cache (parallel tests, CI runs).
exec 9>"$cache/.lock"
flock 9

apt_dir=$cache/apt
apt_opts=(
	-o "Dir::Etc::SourceList=$apt_dir/sources.list"
	-o "Dir::Etc::SourceParts=$apt_dir/sources.list.d"
	-o "Dir::Etc::Preferences=$apt_dir/preferences"
	-o "Dir::Etc::PreferencesParts=$apt_dir/preferences.d"
	-o "Dir::State::Lists=$apt_dir/lists"
	-o "Dir::State::status=$apt_dir/status"
	-o "Dir::Cache=$apt_dir/cache"
	-o "APT::Sandbox::User=root"
	-o "Debug::NoLocking=true"
)
kernel_version() {
	# linux-image-amd64 of bookworm-backports depends on the real package.
	apt-cache "${apt_opts[@]}" depends linux-image-amd64 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-image-6\.[0-9.+a-z-]*-amd64\)$/\1/p' |
		head -n 1
}

kpkg=
mkdir -p "$apt_dir"/{lists/partial,cache/archives/partial,sources.list.d,preferences.d}
echo "deb http://deb.debian.org/debian bookworm-backports main" >"$apt_dir/sources.list"
touch "$apt_dir/status" "$apt_dir/preferences"
# Refresh the index at most once a day; without a network, use the cache.
if [ -z "$(find "$apt_dir/lists" -maxdepth 1 -name '*Packages*' -mtime -1 2>/dev/null)" ]; then
	apt-get "${apt_opts[@]}" -q update >/dev/null 2>&1 ||
		echo "vm-guest.sh: apt-get update of bookworm-backports failed; using the cache" >&2
fi
kpkg=$(kernel_version || true)
if [ -z "$kpkg" ] || [ ! -f "$cache/$kpkg/vmlinux" ]; then
	if [ -z "$kpkg" ]; then
		# No index: the newest kernel already cached.
		kpkg=$(find "$cache" -maxdepth 2 -name vmlinux -printf '%h\n' 2>/dev/null |
			xargs -r -n1 basename | sort -V | tail -n 1)
		[ -n "$kpkg" ] || die "no guest kernel cached and bookworm-backports unreachable"
	else
		echo "vm-guest.sh: fetching $kpkg from bookworm-backports" >&2
		rm -rf "$cache/$kpkg.tmp"
		mkdir -p "$cache/$kpkg.tmp"
		(cd "$cache/$kpkg.tmp" && apt-get "${apt_opts[@]}" -q download "$kpkg" >&2) ||
			die "apt-get download $kpkg failed"
		dpkg-deb -x "$cache/$kpkg.tmp"/*.deb "$cache/$kpkg.tmp/root"
		rm -f "$cache/$kpkg.tmp"/*.deb
		kver=$(ls "$cache/$kpkg.tmp/root/lib/modules")
		depmod -b "$cache/$kpkg.tmp/root" "$kver"
		# The PVH entry of the uncompressed ELF boots faster than the
		# bzImage: find the compressed kernel inside it.
		vmlinuz=$cache/$kpkg.tmp/root/boot/vmlinuz-$kver
		ok=false
		for magic in 'fd377a585a00:xz -dc' '28b52ffd:zstd -dc' '1f8b0800:gzip -dc' \
				'5d000000:lzma -dc'; do
			hex=${magic%%:*} cmd=${magic#*:}
			for off in $(od -An -v -tx1 -w1 "$vmlinuz" | tr -d ' \n' |
					grep -ob "$hex" | cut -d: -f1 | head -n 8); do
				[ $((off % 2)) -eq 0 ] || continue
				tail -c +$((off / 2 + 1)) "$vmlinuz" | $cmd \
					>"$cache/$kpkg.tmp/vmlinux" 2>/dev/null || true
				if [ "$(head -c 4 "$cache/$kpkg.tmp/vmlinux" | od -An -tx1 | tr -d ' ')" = 7f454c46 ]; then
					ok=true
					break 2
				fi
			done
		done
		$ok || die "no ELF kernel found inside $vmlinuz"
		mv "$cache/$kpkg.tmp/root/lib/modules/$kver" "$cache/$kpkg.tmp/modules"
		rm -rf "$cache/$kpkg.tmp/root"
		echo "$kver" >"$cache/$kpkg.tmp/kver"
		rm -rf "${cache:?}/$kpkg"
		mv "$cache/$kpkg.tmp" "$cache/$kpkg"
	fi
fi
kdir=$cache/$kpkg
kver=$(cat "$kdir/kver")

# ---- the initramfs, cached by kernel and busybox -------------------------

bbver=$(dpkg-query -W -f='${Version}' busybox-static | tr ':~' '__')
initrd=$kdir/initrd-busybox-$bbver-$(sha1sum "$top/devtools/vm-guest-init.sh" | cut -c1-12).cpio.gz
# The modules to mount the host root, in dependency order.
mods_for() {
	local m=$1 dep

	for dep in $(modinfo -b "$kdir/root-for-modinfo" -k "$kver" -F depends "$m" 2>/dev/null | tr ',' ' '); do
		mods_for "$dep"
	done
	modinfo -b "$kdir/root-for-modinfo" -k "$kver" -n "$m" 2>/dev/null || true
}
if [ ! -f "$initrd" ]; then
	work=$(mktemp -d)
	mkdir -p "$work"/{bin,dev,proc,sys,host,mods} "$kdir/root-for-modinfo/lib/modules"
	ln -sfn "$kdir/modules" "$kdir/root-for-modinfo/lib/modules/$kver"
	cp /bin/busybox "$work/bin/busybox"
	: >"$work/mods/order"
	for m in virtio_pci 9pnet_virtio 9p virtio_console; do
		for f in $(mods_for "$m"); do
			[ "$f" != builtin ] && [ "${f#/}" != "$f" ] || continue
			b=$(basename "$f"); b=${b%.xz}; b=${b%.zst}
			grep -qx "$b" "$work/mods/order" && continue
			case "$f" in
			*.xz) xz -dc "$f" >"$work/mods/$b" ;;
			*.zst) zstd -qdc "$f" >"$work/mods/$b" ;;
			*) cp "$f" "$work/mods/$b" ;;
			esac
			echo "$b" >>"$work/mods/order"
		done
	done
	cp "$top/devtools/vm-guest-init.sh" "$work/init"
	chmod 755 "$work/init"
	(cd "$work" && find . | cpio -o -H newc --quiet | gzip -1) >"$initrd.tmp"
	mv "$initrd.tmp" "$initrd"
	rm -rf "$work"
fi
flock -u 9

$fetch_only && { echo "vm-guest.sh: guest kernel $kver ($kdir), initramfs $initrd"; exit 0; }

# ---- boot ----------------------------------------------------------------

scratch=$(mktemp -d /tmp/dma-xd-vm.XXXXXX)
own_log=false
if [ -z "$log" ]; then
	log=$scratch.console
	own_log=true
fi
qpid=
cleanup() {
	[ -z "$qpid" ] || kill "$qpid" 2>/dev/null || true
	[ -z "$qpid" ] || wait "$qpid" 2>/dev/null || true
	rm -rf "$scratch"
	! $own_log || rm -f "$log"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

{
	printf 'cd %q\n' "$PWD"
	# What a sanitizer build and meson's test environment need, as here.
	for v in ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS LD_LIBRARY_PATH; do
		[ -z "${!v:-}" ] || printf 'export %s=%q\n' "$v" "${!v}"
	done
	for e in "${guest_env[@]}"; do printf 'export %q\n' "$e"; done
	printf 'export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n'
	printf 'export DMA_XD_VM_SCRATCH=%q\n' "$scratch"
	printf '%q ' "$@"
	printf '\n'
} >"$scratch/cmd"

qemu=(qemu-system-x86_64 -accel tcg -cpu max -machine q35 -smp 1 -m 1G
	-nodefaults -no-user-config -nographic -serial stdio -no-reboot
	-kernel "$kdir/vmlinux" -initrd "$initrd"
	-append "console=ttyS0 quiet loglevel=3 panic=-1 dmaxd.scratch=$scratch"
	-virtfs "local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap"
	-virtfs "local,path=$kdir/modules,mount_tag=modules,security_model=none,readonly=on"
	-virtfs "local,path=$scratch,mount_tag=scratch,security_model=none")
if [ -n "$ivshmem_file" ]; then
	# QEMU never truncates a backing file that has a size already.
	qemu+=(-object "memory-backend-file,id=shm0,mem-path=$ivshmem_file,size=$ivshmem,share=on"
		-device ivshmem-plain,memdev=shm0)
elif [ -n "$ivshmem" ]; then
	qemu+=(-object "memory-backend-memfd,id=shm0,size=$ivshmem,share=on,seal=on"
		-device ivshmem-plain,memdev=shm0)
fi
if [ ${#ports[@]} -gt 0 ]; then
	qemu+=(-device virtio-serial)
	i=0
	for p in "${ports[@]}"; do
		qemu+=(-chardev "socket,path=${p#*:},server=on,wait=off,id=port$i"
			-device "virtserialport,chardev=port$i,name=${p%%:*}")
		i=$((i + 1))
	done
fi
[ -z "$pidfile" ] || qemu+=(-pidfile "$pidfile")

start=$SECONDS
"${qemu[@]}" </dev/null >"$log" 2>&1 &
qpid=$!
# Killed or timed out: the command's status file never appears.
deadline=$((SECONDS + timeout_s))
while kill -0 "$qpid" 2>/dev/null; do
	[ $SECONDS -lt $deadline ] || { echo "vm-guest.sh: guest timed out after ${timeout_s} s" >&2; break; }
	sleep 0.2
done
kill "$qpid" 2>/dev/null || true
wait "$qpid" 2>/dev/null && qrc=0 || qrc=$?
qpid=
if [ ! -f "$scratch/rc" ]; then
	# Whatever stopped it, QEMU ran: a failure, never a skip.
	cat "$log" >&2
	die "the guest ended without the command's status (QEMU exit $qrc, $((SECONDS - start)) s)"
fi
rc=$(cat "$scratch/rc")
cat "$scratch/out" 2>/dev/null || true
echo "vm-guest.sh: guest $kver: '$*' exited $rc after $((SECONDS - start)) s" >&2
exit "$rc"
