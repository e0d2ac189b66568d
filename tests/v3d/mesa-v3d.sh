#!/usr/bin/env bash
# Builds the Raspberry Pi 5's Vulkan driver (Mesa V3DV, V3D 7.1) and Mesa's
# v3d "noop" drm-shim, which fakes the V3D kernel driver, from the source of
# the Mesa that setup-debian.sh installed (bookworm-backports; the same
# version as the lavapipe the tests run on), with tests/v3d/patches/*.patch.
# Only the driver and the shim are built (-j = cores, ~5-10 min on 2 cores).
#
# Cached once per machine in
#   ${DAEDALUS_CACHE:-~/.cache/daedalus}/mesa-v3d/<mesa version>-<sha of patches + this script>/
# as lib/libvulkan_broadcom.so, lib/libv3d_noop_drm_shim.so, icd.json and
# env (the environment that runs a Vulkan program on the fake Pi 5: one
# NAME=VALUE a line). Prints that directory as its last line.
#
# Exit 77 (skip) when the source or the build dependencies cannot be had:
# no dpkg/apt (not Debian), no deb-src line, mirror unreachable, meson too old.
# DAEDALUS_MESA_TARBALL=/path/mesa_X.orig.tar.xz uses that tarball instead of
# `apt-get source` (offline machines).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
skip() { echo "mesa-v3d: SKIPPED: $*" >&2; exit 77; }
# Debian's python3 (with python3-mako), not a pyenv/venv one earlier in PATH.
export PATH=/usr/bin:/bin:$PATH

command -v dpkg-query >/dev/null || skip "not a Debian machine (no dpkg-query)"
deb_ver=$(dpkg-query -W -f='${Version}' mesa-vulkan-drivers 2>/dev/null || true)
[ -n "$deb_ver" ] || skip "mesa-vulkan-drivers is not installed (scripts/setup-debian.sh)"
up_ver=${deb_ver#*:}
up_ver=${up_ver%%-*}
sha=$(cat "$0" "$here"/patches/*.patch | sha256sum | cut -c1-12)
key=$(printf '%s-%s' "$deb_ver" "$sha" | tr -c 'A-Za-z0-9._\n-' '_')
root=${DAEDALUS_CACHE:-$HOME/.cache/daedalus}/mesa-v3d
dir=$root/$key
if [ -f "$dir/env" ]; then
  echo "$dir"
  exit 0
fi

for t in meson ninja cc c++ pkg-config bison flex glslangValidator patch xz; do
  command -v "$t" >/dev/null || skip "$t is not installed (scripts/setup-debian.sh)"
done
# Mesa 25's meson.build asks for meson >= 1.1 (bookworm has 1.0, backports 1.7).
dpkg --compare-versions "$(meson --version)" ge 1.1 || skip "meson $(meson --version) < 1.1 (backports' meson: setup-debian.sh)"
/usr/bin/python3 -c 'import mako' 2>/dev/null || skip "python3-mako is not installed"
pkg-config --exists 'libdrm >= 2.4.121' || skip "libdrm-dev >= 2.4.121 (backports) is not installed"

mkdir -p "$root"
exec 9>"$root/.lock"
flock 9  # one build at a time per machine
if [ -f "$dir/env" ]; then
  echo "$dir"
  exit 0
fi
work=$(mktemp -d "$root/build.XXXXXX")
trap 'rm -rf "$work"' EXIT
t0=$(date +%s)

tarball=${DAEDALUS_MESA_TARBALL:-}
if [ -z "$tarball" ]; then
  command -v apt-get >/dev/null || skip "no apt-get"
  grep -rqs '^deb-src .*bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/ ||
    skip "no deb-src line for bookworm-backports (scripts/setup-debian.sh adds it)"
  # Only the upstream tarball is needed; the mirror may no longer have the
  # .dsc / .debian.tar.xz of an older backports upload (apt still verifies
  # the tarball against the Sources index).
  (cd "$work" && apt-get source -qq --download-only "mesa=$deb_ver" >"$work/apt.log" 2>&1) || true
  tarball=$work/mesa_$up_ver.orig.tar.xz
  [ -f "$tarball" ] || { cat "$work/apt.log" >&2; skip "could not download mesa_$up_ver.orig.tar.xz (apt-get source mesa=$deb_ver)"; }
fi
echo "mesa-v3d: building V3DV + v3d drm-shim from $(basename "$tarball") into $dir" >&2
tar -C "$work" -xf "$tarball"
src=$(find "$work" -mindepth 1 -maxdepth 1 -type d -name 'mesa-*' | head -1)
[ -n "$src" ] || { echo "mesa-v3d: no mesa-* directory in $tarball" >&2; exit 1; }
for p in "$here"/patches/*.patch; do
  # Failing to apply is an error, not a skip: the check would silently stop
  # checking. Update the patches for the new Mesa.
  patch -s -d "$src" -p1 --no-backup-if-mismatch < "$p" ||
    { echo "mesa-v3d: $(basename "$p") does not apply to Mesa $deb_ver: update tests/v3d/patches/" >&2; exit 1; }
done

# -O1 with asserts: the compiler's own checks on, builds fast enough.
meson setup "$work/build" "$src" >"$work/meson.log" 2>&1 \
  -Dbuildtype=plain -Dc_args=-O1 -Dcpp_args=-O1 -Db_ndebug=false \
  -Dgallium-drivers= -Dvulkan-drivers=broadcom -Dtools=drm-shim \
  -Dllvm=disabled -Dplatforms= -Dglx=disabled -Degl=disabled -Dgbm=disabled \
  -Dopengl=false -Dgles1=disabled -Dgles2=disabled \
  -Dvalgrind=disabled -Dlibunwind=disabled -Dlmsensors=disabled \
  -Dvulkan-layers= -Dvideo-codecs= -Dbuild-tests=false ||
  { tail -40 "$work/meson.log" >&2; echo "mesa-v3d: meson setup failed" >&2; exit 1; }
ninja -C "$work/build" -j"$(nproc)" \
  src/broadcom/drm-shim/libv3d_noop_drm_shim.so \
  src/broadcom/vulkan/libvulkan_broadcom.so \
  src/broadcom/vulkan/broadcom_devenv_icd.x86_64.json >"$work/ninja.log" 2>&1 ||
  { tail -60 "$work/ninja.log" >&2; echo "mesa-v3d: build failed" >&2; exit 1; }

stage=$work/out
mkdir -p "$stage/lib"
cp "$work/build/src/broadcom/vulkan/libvulkan_broadcom.so" "$work/build/src/broadcom/drm-shim/libv3d_noop_drm_shim.so" "$stage/lib/"
sed "s|\"library_path\": *\"[^\"]*\"|\"library_path\": \"$dir/lib/libvulkan_broadcom.so\"|" \
  "$work/build/src/broadcom/vulkan/broadcom_devenv_icd.x86_64.json" > "$stage/icd.json"
grep -q "$dir/lib/libvulkan_broadcom.so" "$stage/icd.json" || { echo "mesa-v3d: unexpected ICD json" >&2; exit 1; }
# NIR_DEBUG=novalidate: this build has asserts; NIR validation after every
# pass would multiply compile times. MESA_SHADER_CACHE_DISABLE: always compile.
cat > "$stage/env" <<EOF
VK_ICD_FILENAMES=$dir/icd.json
VK_DRIVER_FILES=$dir/icd.json
LD_PRELOAD=$dir/lib/libv3d_noop_drm_shim.so
MESA_SHADER_CACHE_DISABLE=true
NIR_DEBUG=novalidate
EOF
echo "mesa $deb_ver, patches $sha, built in $(( $(date +%s) - t0 )) s with -j$(nproc)" > "$stage/built"
rm -rf "$dir"
mv "$stage" "$dir"
# Older keys' builds are of no further use.
find "$root" -mindepth 1 -maxdepth 1 -type d ! -name "$key" ! -name 'build.*' -exec rm -rf {} +
cat "$dir/built" >&2
echo "$dir"
