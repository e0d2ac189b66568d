#!/bin/busybox sh
# shellcheck shell=dash
# SPDX-License-Identifier: MIT
#
# /init of the daedalus test VM's initramfs (packed by tests/vm/run.sh next to
# a static busybox).  Runs as PID 1 in the guest:
#   1. mounts proc, sysfs, devtmpfs, debugfs
#   2. mounts the host's root filesystem read-only (9p tag "hostroot") on /host
#      and the writable per-run results directory (9p tag "results") inside it
#   3. gives the host tree the guest's /proc, /sys, /dev and tmpfs /tmp, /run
#   4. chroots into the host tree and runs tests/vm/guest-tests.sh there, so
#      host binaries (v4l2-compliance, gst-launch-1.0, the daemon) run unchanged
#   5. records the exit code and reboots, which ends QEMU (-no-reboot).
# Everything the host needs comes back through the results share.

/bin/busybox --install -s /bin
export PATH=/bin

say() { echo "daedalus-vm: $*"; }
fatal() {
	say "FATAL: $*"
	echo "$*" >/results/init-error 2>/dev/null
	sync
	reboot -f
	sleep 5
	poweroff -f
}

mkdir -p /proc /sys /dev /host /results /tmp
mount -t proc proc /proc || fatal "mount proc"
mount -t sysfs sysfs /sys || fatal "mount sysfs"
mount -t devtmpfs devtmpfs /dev || fatal "mount devtmpfs"
mount -t debugfs debugfs /sys/kernel/debug || fatal "mount debugfs"
mkdir -p /dev/shm /dev/pts
# devtmpfs has no /dev/fd & co; bash process substitution and tools need them.
ln -sf /proc/self/fd /dev/fd
ln -sf /proc/self/fd/0 /dev/stdin
ln -sf /proc/self/fd/1 /dev/stdout
ln -sf /proc/self/fd/2 /dev/stderr
mount -t tmpfs -o mode=1777 tmpfs /dev/shm
mount -t devpts devpts /dev/pts

# msize: bigger 9p messages make reading host binaries much faster.
# cache=loose: the host tree is read-only for the guest and nothing on the host
# should change what the tests read during a run.
P9="trans=virtio,version=9p2000.L,msize=524288"
mount -t 9p -o "$P9,ro,cache=loose" hostroot /host || fatal "mount 9p hostroot"
mount -t 9p -o "$P9,cache=none" results /results || fatal "mount 9p results"
[ -f /results/guest-env.sh ] || fatal "results share lacks guest-env.sh"
. /results/guest-env.sh

# The host tree's own /proc, /sys, /dev, /tmp must never be read through 9p:
# cover them with the guest's.
for d in proc sys dev; do
	mount -o bind "/$d" "/host/$d" || fatal "bind /$d"
done
mount -o bind /sys/kernel/debug /host/sys/kernel/debug || fatal "bind debugfs"

# The guest's tmpfs /tmp, /run and /var/tmp below would hide a clone, build
# or kernel cache that lives there on the host (a CI checkout under /tmp):
# keep a view of each such path now and put it back on top afterwards.
mkdir -p /keep
KEEP=""
n=0
for p in "$DAEDALUS_REPO" "$DAEDALUS_BUILD_DIR" "$DAEDALUS_KERNEL_DIR"; do
	case "$p" in /tmp/*|/run/*|/var/tmp/*) ;; *) continue ;; esac
	[ -d "/host$p" ] || continue
	mkdir -p "/keep/$n"
	mount -o bind "/host$p" "/keep/$n" || fatal "keep $p"
	KEEP="$KEEP $n:$p"
	n=$((n + 1))
done
mount -o bind /dev/shm /host/dev/shm
mount -o bind /dev/pts /host/dev/pts
mount -t tmpfs -o mode=1777,size=1G tmpfs /host/tmp || fatal "tmpfs /tmp"
mount -t tmpfs -o mode=755 tmpfs /host/run || fatal "tmpfs /run"
[ -d /host/var/tmp ] && mount -t tmpfs -o mode=1777 tmpfs /host/var/tmp
for k in $KEEP; do
	p=${k#*:}
	mkdir -p "/host$p"
	mount -o bind "/keep/${k%%:*}" "/host$p" || fatal "restore $p"
done
mkdir -p /host/tmp/daedalus-results
mount -o bind /results /host/tmp/daedalus-results || fatal "bind results"

say "shell ready after $(cut -d' ' -f1 /proc/uptime)s uptime"

rc=0
chroot /host /usr/bin/env -i \
	PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
	HOME=/tmp TMPDIR=/tmp LANG=C.UTF-8 TERM=dumb \
	DAEDALUS_RESULTS=/tmp/daedalus-results \
	/bin/bash "$DAEDALUS_GUEST_TESTS" </dev/console >/dev/console 2>&1 || rc=$?
echo "$rc" >/results/guest-rc
say "guest tests finished with exit code $rc"

umount /host/tmp/daedalus-results 2>/dev/null
sync
umount /results 2>/dev/null
reboot -f
# reboot -f does not return; if it somehow does, panic=-1 / the host timeout ends QEMU.
sleep 10
poweroff -f
