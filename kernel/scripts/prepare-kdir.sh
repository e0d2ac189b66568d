#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Prepare a kernel tree to compile-check daedalus_v4l2.ko against, from
# Debian's linux-source-6.12 (no full kernel build: defconfig + the media
# options the module needs + modules_prepare).
#
#   kernel/scripts/prepare-kdir.sh x86_64 /tmp/kdir-x86
#   kernel/scripts/prepare-kdir.sh arm64  /tmp/kdir-arm64
#   make -C kernel KDIR=/tmp/kdir-x86/linux-source-6.12 KBUILD_MODPOST_WARN=1
#   make -C kernel arm64 KDIR_ARM64=/tmp/kdir-arm64/linux-source-6.12 KBUILD_MODPOST_WARN=1
#
# KBUILD_MODPOST_WARN=1 because modules_prepare leaves no Module.symvers;
# for a loadable module use the VM harness kernel (tests/vm/build-kernel.sh).
set -eu
ARCH_NAME=${1:?usage: $0 x86_64|arm64 OUTDIR}
OUT=${2:?usage: $0 x86_64|arm64 OUTDIR}
SRC_TAR=${LINUX_SOURCE_TAR:-/usr/src/linux-source-6.12.tar.xz}
JOBS=${JOBS:-2}

case "$ARCH_NAME" in
	x86_64) MAKEARGS=(ARCH=x86_64) ;;
	arm64) MAKEARGS=(ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-) ;;
	*) echo "unknown arch $ARCH_NAME" >&2; exit 2 ;;
esac

mkdir -p "$OUT"
cd "$OUT"
[ -d linux-source-6.12 ] || nice -n 10 tar xf "$SRC_TAR"
cd linux-source-6.12
cat >daedalus-media.config <<'CFG'
CONFIG_MODULES=y
CONFIG_MEDIA_SUPPORT=y
CONFIG_MEDIA_SUPPORT_FILTER=y
CONFIG_MEDIA_TEST_SUPPORT=y
CONFIG_MEDIA_CONTROLLER=y
CONFIG_MEDIA_CONTROLLER_REQUEST_API=y
CONFIG_VIDEO_DEV=y
CONFIG_V4L_TEST_DRIVERS=y
CONFIG_VIDEO_VISL=m
CONFIG_V4L2_MEM2MEM_DEV=y
CONFIG_VIDEOBUF2_VMALLOC=y
CONFIG_DMA_SHARED_BUFFER=y
CFG
nice -n 10 make "${MAKEARGS[@]}" defconfig
ARCH=${MAKEARGS[0]#ARCH=} ./scripts/kconfig/merge_config.sh -m .config daedalus-media.config
nice -n 10 make "${MAKEARGS[@]}" olddefconfig
# y or m: the vb2/m2m helpers are select-only and follow their selectors,
# which arm64's defconfig builds as modules (=m is all a compile check needs).
for opt in CONFIG_V4L2_MEM2MEM_DEV CONFIG_VIDEOBUF2_VMALLOC CONFIG_MEDIA_CONTROLLER; do
	grep -qE "^$opt=[ym]\$" .config || { echo "$opt not enabled" >&2; exit 1; }
done
nice -n 10 make "${MAKEARGS[@]}" -j"$JOBS" modules_prepare
echo "KDIR=$PWD"
