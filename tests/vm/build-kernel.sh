#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Build (or reuse) the daedalus QEMU test kernel: Debian's linux-source-6.12,
# x86_64, `make tinyconfig` + tests/vm/config/daedalus.config, with KASAN,
# lockdep, kmemleak and friends, plus visl/vimc as modules.
#
# The result lives outside the repository, in
#   ${DAEDALUS_CACHE:-$HOME/.cache/daedalus}/kernel/<key>/
# where <key> = sha256(config fragment + source package version + this script
# + compiler version).  That directory holds:
#   bzImage        the kernel to boot (build/vmlinux has the symbols)
#   build/         the O= build tree (Module.symvers, scripts, include/generated,
#                  ...): pass it as KDIR to build out-of-tree modules
#   modroot/       `make modules_install` output (lib/modules/<release>/...)
#   release        the kernel release string (uname -r in the guest)
#   build.log      the full build log
# and is reused as long as the key matches.
#
# stdout: exactly one line, the cache directory, so callers can do
#   KERNEL_DIR=$(tests/vm/build-kernel.sh)
# Everything else (progress) goes to stderr.
#
# Environment:
#   DAEDALUS_CACHE            cache root (default ~/.cache/daedalus)
#   DAEDALUS_KERNEL_TARBALL   source tarball (default /usr/src/linux-source-6.12.tar.xz)
#   DAEDALUS_KERNEL_JOBS      make -j value (default: nproc)
#   DAEDALUS_KERNEL_REBUILD=1 ignore and replace a cached build with the same key
#   DAEDALUS_KERNEL_NO_SEED=1 build from scratch instead of seeding the build
#                             tree from an earlier cached build
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
FRAGMENT="$SCRIPT_DIR/config/daedalus.config"
TARBALL=${DAEDALUS_KERNEL_TARBALL:-/usr/src/linux-source-6.12.tar.xz}
SRC_PKG=linux-source-6.12
CACHE_ROOT="${DAEDALUS_CACHE:-$HOME/.cache/daedalus}/kernel"
JOBS=${DAEDALUS_KERNEL_JOBS:-$(nproc)}

log() { printf '[build-kernel %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

[ -f "$TARBALL" ] || die "$TARBALL missing: run scripts/setup-debian.sh (installs $SRC_PKG from bookworm-backports)"
[ -f "$FRAGMENT" ] || die "$FRAGMENT missing"
for tool in make gcc flex bison bc depmod xz sha256sum flock; do
  command -v "$tool" >/dev/null || die "'$tool' not found: run scripts/setup-debian.sh"
done

pkg_version=$(dpkg-query -W -f='${Version}' "$SRC_PKG" 2>/dev/null || true)
# Without the package (e.g. a hand-provided tarball) key on the tarball itself.
[ -n "$pkg_version" ] || pkg_version="tarball-$(sha256sum "$TARBALL" | cut -c1-16)"
cc_version=$(gcc --version | head -n1)

key=$( { cat "$FRAGMENT"; echo "pkg=$pkg_version"; cat "${BASH_SOURCE[0]}"; echo "cc=$cc_version"; } \
       | sha256sum | cut -c1-64)
OUT="$CACHE_ROOT/$key"
mkdir -p "$CACHE_ROOT"

# One build per key at a time; a second caller waits and then reuses.
exec 9>"$CACHE_ROOT/.lock-$key"
if ! flock -n 9; then
  log "another build of $key is running, waiting for it"
  flock 9
fi

if [ -f "$OUT/.complete" ] && [ "${DAEDALUS_KERNEL_REBUILD:-0}" != 1 ]; then
  log "reusing cached kernel $(cat "$OUT/release") in $OUT"
  echo "$OUT"
  exit 0
fi

# --- unpack the source once per package version (shared by all keys) ---------
SRC_PARENT="$CACHE_ROOT/src-$pkg_version"
SRC="$SRC_PARENT/$SRC_PKG"
if [ ! -f "$SRC_PARENT/.complete" ]; then
  log "unpacking $TARBALL into $SRC_PARENT"
  rm -rf "$SRC_PARENT"
  mkdir -p "$SRC_PARENT"
  tar -C "$SRC_PARENT" -xf "$TARBALL"
  [ -f "$SRC/Makefile" ] || die "tarball did not contain $SRC_PKG/Makefile"
  touch "$SRC_PARENT/.complete"
fi

rm -rf "$OUT"
mkdir -p "$OUT"
BUILD_LOG="$OUT/build.log"
: >"$BUILD_LOG"
log "building kernel $key (log: $BUILD_LOG)"

# Seed the build tree from the newest complete build of the same source (and
# compiler), so that a changed fragment rebuilds only what it affects instead
# of ~1200 objects.  Kbuild records absolute O= paths in its .cmd files (e.g.
# for objtool, which every object depends on); rewrite them to the new tree,
# or make would see changed commands and rebuild everything.
seed=""
# shellcheck disable=SC2045 # cache paths are hex keys, no spaces
for d in $(ls -td "$CACHE_ROOT"/*/.complete 2>/dev/null); do
  d=$(dirname "$d")
  if [ "$(cat "$d/source" 2>/dev/null)" = "$pkg_version $cc_version" ] && [ -d "$d/build" ]; then
    seed=$d; break
  fi
done
if [ -n "$seed" ] && [ "${DAEDALUS_KERNEL_NO_SEED:-0}" != 1 ]; then
  log "seeding the build tree from $seed (incremental rebuild)"
  cp -a "$seed/build" "$OUT/build"
  grep -rlF --include='*.cmd' "$seed/build" "$OUT/build" | xargs -r sed -i "s|$seed/build|$OUT/build|g"
  rm -f "$OUT/build/.config"
else
  mkdir -p "$OUT/build"
fi

kmake() {
  nice -n 19 make -C "$SRC" O="$OUT/build" ARCH=x86_64 "$@" >>"$BUILD_LOG" 2>&1
}

start=$(date +%s)

# --- configure -----------------------------------------------------------------
log "configure: tinyconfig + $(basename "$FRAGMENT")"
kmake tinyconfig || die "make tinyconfig failed, see $BUILD_LOG"
( cd "$SRC" && ARCH=x86_64 scripts/kconfig/merge_config.sh -m -O "$OUT/build" \
    "$OUT/build/.config" "$FRAGMENT" ) >>"$BUILD_LOG" 2>&1 \
  || die "merge_config.sh failed, see $BUILD_LOG"
kmake olddefconfig || die "make olddefconfig failed, see $BUILD_LOG"

# Kconfig silently drops options whose dependencies are not met, so check that
# every option the fragment asks for really is in the final .config.
config="$OUT/build/.config"
bad=0
while IFS= read -r line; do
  case "$line" in
    CONFIG_*=y|CONFIG_*=m)
      # y or m both satisfy the request: select-only helpers (videobuf2-*,
      # v4l2-mem2mem) follow their selectors and become m when visl is m.
      sym=${line%%=*}
      if ! grep -qE "^$sym=[ym]\$" "$config"; then
        log "config: wanted '$line', got '$(grep -E "^($sym=|# $sym is not set)" "$config" || echo "(absent)")'"
        bad=1
      fi ;;
    CONFIG_*=*)
      sym=${line%%=*}
      if ! grep -qxF -- "$line" "$config"; then
        got=$(grep -E "^($sym=|# $sym is not set)" "$config" || echo "(absent)")
        log "config: wanted '$line', got '$got'"
        bad=1
      fi ;;
    "# CONFIG_"*" is not set")
      sym=${line#\# }; sym=${sym%% *}
      if grep -qE "^$sym=[ym]" "$config"; then
        log "config: wanted '$line', got '$(grep -E "^$sym=" "$config")'"
        bad=1
      fi ;;
  esac
done <"$FRAGMENT"
[ "$bad" = 0 ] || die "requested options were dropped by olddefconfig (unmet dependencies); fix $FRAGMENT"
log "configure: all $(grep -cE '^CONFIG_|^# CONFIG_.* is not set' "$FRAGMENT") requested options present"

# --- build ---------------------------------------------------------------------
log "compile: bzImage + modules with -j$JOBS (nice 19); takes ~10-15 min on 2 cores"
kmake -j"$JOBS" bzImage modules &
make_pid=$!
# Progress: one line a minute with the number of objects built so far.
while kill -0 "$make_pid" 2>/dev/null; do
  for _ in $(seq 60); do kill -0 "$make_pid" 2>/dev/null || break; sleep 1; done
  kill -0 "$make_pid" 2>/dev/null || break
  log "compile: $(( $(date +%s) - start ))s, $(grep -cE '^\s+(CC|AS)' "$BUILD_LOG") objects so far"
done
wait "$make_pid" || { tail -n 30 "$BUILD_LOG" >&2; die "kernel build failed, see $BUILD_LOG"; }

kmake modules_prepare || die "make modules_prepare failed, see $BUILD_LOG"
kmake INSTALL_MOD_PATH="$OUT/modroot" INSTALL_MOD_STRIP=1 modules_install \
  || die "make modules_install failed, see $BUILD_LOG"

release=$(cat "$OUT/build/include/config/kernel.release")
cp "$OUT/build/arch/x86/boot/bzImage" "$OUT/bzImage"
echo "$release" >"$OUT/release"
echo "$pkg_version $cc_version" >"$OUT/source"
for f in Module.symvers scripts/mod/modpost include/generated/autoconf.h; do
  [ -e "$OUT/build/$f" ] || die "build tree lacks $f, cannot build out-of-tree modules"
done
touch "$OUT/.complete"
log "done: kernel $release in $(( $(date +%s) - start ))s -> $OUT"
echo "$OUT"
