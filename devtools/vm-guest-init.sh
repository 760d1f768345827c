#!/bin/busybox sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The dpdk-dma-xd authors
#
# /init of the guests of devtools/vm-guest.sh (busybox-static): load the
# virtio and 9p modules, mount the host's root read-only and the guest
# kernel's modules over virtio-9p, chroot into the host root and run the
# command that vm-guest.sh left in the scratch folder; its exit status goes
# to SCRATCH/rc, its output to SCRATCH/out. Then power off.
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev

say() { echo "dmaxd-init: $*" >/dev/console; }
halt_now() { sync; poweroff -f; sleep 5; }

for m in $(cat /mods/order); do
	insmod "/mods/$m" 2>/dev/null || say "insmod $m failed"
done
scratch=$(sed -n 's/.*dmaxd\.scratch=\([^ ]*\).*/\1/p' /proc/cmdline)
opts=trans=virtio,version=9p2000.L,msize=524288
mount -t 9p -o ro,$opts,cache=loose hostroot /host || { say "no host root"; halt_now; }
mount -t proc proc /host/proc
mount -t sysfs sys /host/sys
mount -t devtmpfs dev /host/dev
mkdir -p /host/dev/pts /host/dev/shm
mount -t devpts devpts /host/dev/pts
for d in /tmp /run /dev/shm /var/tmp; do
	mount -t tmpfs -o mode=1777 tmpfs "/host$d"
done
mkdir -p "/host$scratch"
mount -t 9p -o $opts scratch "/host$scratch" || { say "no scratch"; halt_now; }
# The guest kernel's modules, for the host root's modprobe (which needs
# kmod there): under /tmp, since the host root may have no /lib/modules.
kmod=/tmp/.guest-kmod
mkdir -p "/host$kmod/lib/modules/$(uname -r)"
mount -t 9p -o ro,$opts,cache=loose modules "/host$kmod/lib/modules/$(uname -r)" ||
	say "no guest modules"
# Modules the kernel asks for itself come from there too.
printf '#!/bin/sh\nexec /bin/chroot /host /sbin/modprobe -d %s "$@"\n' "$kmod" >/bin/modprobe-host
chmod 755 /bin/modprobe-host
echo /bin/modprobe-host >/proc/sys/kernel/modprobe
# virtio-serial ports: DMA_XD_VPORT_<name>=/dev/vportNpM for the command.
/bin/modprobe-host -q virtio_console 2>/dev/null || true
for p in /sys/class/virtio-ports/*; do
	[ -f "$p/name" ] || continue
	dev=/host/dev/${p##*/}
	for i in 1 2 3 4 5 6 7 8 9 10; do [ -e "$dev" ] && break; sleep 0.1; done
	echo "export DMA_XD_VPORT_$(cat "$p/name")=/dev/${p##*/}" >>/host$scratch/ports
done
say "running $(cat /host$scratch/cmd | tail -n 1)"
touch "/host$scratch/ports"
chroot /host /bin/sh -c ". $scratch/ports; . $scratch/cmd" >"/host$scratch/out" 2>&1
echo $? >"/host$scratch/rc"
sync
umount "/host$scratch"
halt_now
