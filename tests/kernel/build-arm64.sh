#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# CTest kernel.build_arm64: cross-compile kernel/ for arm64 (the Pi 5's
# architecture) against Debian's linux-source-6.12, the series the Pi's
# kernel comes from. Compile only.
#
# The tree is prepared by kernel/scripts/prepare-kdir.sh (arm64 defconfig +
# the media options + modules_prepare, ~1.5 min on 2 cores with the unpack)
# and cached in
#   ${DAEDALUS_CACHE:-$HOME/.cache/daedalus}/kdir-arm64/<key>/kdir
# keyed by prepare-kdir.sh, this script's CACHE_LAYOUT, the source package
# version and both compilers. Only what out-of-tree builds use is kept (~65 MB
# instead of the 1.6 GB source): the kernel's own list for that,
# scripts/package/install-extmod-build (what `make *-pkg` ships as headers).
# A cached run compiles in seconds.
#
# modules_prepare writes no Module.symvers (that needs a full kernel build),
# so every import is unresolved and modpost may only warn.
#
# Exit: 0 pass, 1 fail, 77 no cross compiler or no kernel source
# (scripts/setup-debian.sh installs gcc-aarch64-linux-gnu and linux-source-6.12).
# Environment: DAEDALUS_CACHE, DAEDALUS_KERNEL_TARBALL (default
# /usr/src/linux-source-6.12.tar.xz), DAEDALUS_KERNEL_JOBS (default 2).
set -euo pipefail
KT_NAME=kernel.build_arm64
# shellcheck source=tests/kernel/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Bump when what is kept of the prepared tree changes.
CACHE_LAYOUT=1
CROSS=aarch64-linux-gnu-
PREPARE=$KT_REPO/kernel/scripts/prepare-kdir.sh
TARBALL=${DAEDALUS_KERNEL_TARBALL:-/usr/src/linux-source-6.12.tar.xz}
SRC_PKG=linux-source-6.12
CACHE_ROOT="${DAEDALUS_CACHE:-$HOME/.cache/daedalus}/kdir-arm64"

command -v "${CROSS}gcc" >/dev/null || kt_skip "${CROSS}gcc missing (apt-get install gcc-aarch64-linux-gnu)"
[ -f "$TARBALL" ] || kt_skip "$TARBALL missing (linux-source-6.12 from bookworm-backports)"
for tool in make gcc flex bison bc flock sha256sum readelf nm strings; do
  command -v "$tool" >/dev/null || kt_fail "'$tool' not found: run scripts/setup-debian.sh"
done
[ -f "$PREPARE" ] || kt_fail "$PREPARE missing"

pkg_version=$(dpkg-query -W -f='${Version}' "$SRC_PKG" 2>/dev/null || true)
[ -n "$pkg_version" ] || pkg_version="tarball-$(sha256sum "$TARBALL" | cut -c1-16)"
key=$( { cat "$PREPARE"; echo "layout=$CACHE_LAYOUT pkg=$pkg_version"
         "${CROSS}gcc" --version | sed -n 1p; gcc --version | sed -n 1p; } | sha256sum | cut -c1-32)
cache=$CACHE_ROOT/$key
kdir=$cache/kdir
mkdir -p "$CACHE_ROOT"

# Shared while compiling against the tree (many runs at once), exclusive
# while preparing it, so a second run waits for the first and then reuses.
exec 9>"$CACHE_ROOT/.lock-$key"
if ! flock -n -s 9; then
  kt_log "another run is preparing $cache, waiting"
  flock -s 9
fi
if [ ! -f "$cache/.complete" ]; then
  # flock converts by dropping the shared lock first, so two runs upgrading
  # at once cannot deadlock; whoever comes second finds .complete below.
  flock 9
fi

if [ ! -f "$cache/.complete" ]; then
  rm -rf "$cache"
  mkdir -p "$cache"
  start=$(date +%s)
  kt_log "preparing the arm64 tree (log: $cache/prepare.log)"
  if ! LINUX_SOURCE_TAR=$TARBALL JOBS=$KT_JOBS "$PREPARE" arm64 "$cache/work" >"$cache/prepare.log" 2>&1; then
    tail -n 40 "$cache/prepare.log" >&2
    kt_fail "kernel/scripts/prepare-kdir.sh arm64 failed (log: $cache/prepare.log)"
  fi
  src=$cache/work/$SRC_PKG
  # modules_prepare writes no Module.symvers; install-extmod-build lists it,
  # so give it an empty one for the copy and drop it again (an empty file
  # would only hide modpost's "Module.symvers is missing" notice).
  # CC=HOSTCC: otherwise the script rebuilds the host tools with the cross
  # compiler, for installing on the target.
  touch "$src/Module.symvers"
  if ! (cd "$src" && srctree=. SRCARCH=arm64 CC=gcc HOSTCC=gcc MAKE=make \
          sh scripts/package/install-extmod-build "$kdir") >>"$cache/prepare.log" 2>&1; then
    tail -n 20 "$cache/prepare.log" >&2
    kt_fail "install-extmod-build failed (log: $cache/prepare.log)"
  fi
  rm -f "$kdir/Module.symvers"
  for f in Makefile include/config/auto.conf include/generated/autoconf.h \
           arch/arm64/include/generated scripts/mod/modpost scripts/basic/fixdep; do
    [ -e "$kdir/$f" ] || kt_fail "the trimmed tree lacks $f (log: $cache/prepare.log)"
  done
  rm -rf "$cache/work"
  echo $(( $(date +%s) - start )) >"$cache/prepare-seconds"
  touch "$cache/.complete"
  kt_log "prepared in $(cat "$cache/prepare-seconds")s, $(du -sh "$kdir" | cut -f1) kept"
  # Trees of older keys are not used any more (take each one's lock first).
  for old in "$CACHE_ROOT"/*/; do
    old=${old%/}
    [ "$old" = "$cache" ] && continue
    ( flock -n 8 && rm -rf "$old" ) 8>"$CACHE_ROOT/.lock-${old##*/}" || true
  done
  flock -s 9
else
  kt_log "reusing $kdir (prepared in $(cat "$cache/prepare-seconds" 2>/dev/null || echo ?)s)"
fi

kt_mktemp
kt_stage_sources "$KT_TMP/src"
mod=$KT_TMP/src/kernel
kt_build "$kdir" "$mod" "$KT_TMP/build.log" ARCH=arm64 CROSS_COMPILE="$CROSS"
kt_check_modpost "$KT_TMP/build.log"
ko=$mod/daedalus_v4l2.ko

for obj in "$ko" "$mod"/daedalus_main.o; do
  machine=$(readelf -h "$obj" | sed -n 's/^ *Machine: *//p')
  [ "$machine" = AArch64 ] || kt_fail "$(basename "$obj") is for '$machine', not AArch64"
done
vermagic=$(kt_vermagic "$ko")
case $vermagic in
  6.12.*aarch64*) ;;
  *) kt_fail "vermagic '$vermagic': not built for an arm64 6.12 kernel" ;;
esac
# 6.12 has the AV1 stateless uAPI: the guarded AV1 tables must be in.
kt_has_av1 "$ko" || kt_fail "AV1 tables missing against 6.12 (symbols daedalus_av1_fmt/_ctrls)"

kt_log "PASS: AArch64 module, vermagic '$vermagic', AV1 compiled in"
