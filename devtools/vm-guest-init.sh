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
mount -t 9p -o ro,$opts,cache=loose modules /host/lib/modules || say "no guest modules"
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
# Modules the kernel asks for itself come from the host root's modprobe.
printf '#!/bin/sh\nexec /bin/chroot /host /sbin/modprobe "$@"\n' >/bin/modprobe-host
chmod 755 /bin/modprobe-host
echo /bin/modprobe-host >/proc/sys/kernel/modprobe
chroot /host /sbin/modprobe -q virtio_console 2>/dev/null || true
say "running $(cat /host$scratch/cmd | tail -n 1)"
chroot /host /bin/sh -c ". $scratch/cmd" >"/host$scratch/out" 2>&1
echo $? >"/host$scratch/rc"
sync
umount "/host$scratch"
halt_now
