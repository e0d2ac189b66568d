#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Builds FFmpeg with the v4l2-request hwaccel (Kwiboo/FFmpeg, the branch
# LibreELEC and Kodi ship on Pi-class boards) into a per-machine cache and
# prints the install folder; its bin/ffmpeg drives a V4L2 stateless decoder
# through the Request API:
#
#   ffmpeg=$(tests/clients/build-ffmpeg-v4l2request.sh)/bin/ffmpeg
#   $ffmpeg -hwaccel v4l2request -hwaccel_output_format drm_prime -i CLIP \
#     -vf hwdownload,format=nv12 -f framemd5 -
#
# Only what the tests need is configured: the VP9, H.264 and AV1 decoders
# with their v4l2request hwaccels, the IVF, Matroska/WebM, MP4 and raw H.264
# demuxers, hwdownload and format, the framemd5/md5 muxers. The decoders
# alone (no hwaccel) are libavcodec's software decoders (AV1's native
# decoder has none: without a device it fails).
# It is compiled against the 6.12 uAPI headers (headers_install of
# Debian's linux-source-6.12; bookworm's linux-libc-dev 6.1 lacks the AV1
# stateless controls).
#
# Cache: ${DAEDALUS_CACHE:-~/.cache/daedalus}/ffmpeg-v4l2request/<tag>-<key>/,
# key = sha256 of this script, the compiler and the kernel source version;
# reused while it matches.
#
# Source: DAEDALUS_FFMPEG_GIT=<a clone or bare mirror of Kwiboo/FFmpeg>
# (git archive of the commit below), else the GitHub tarball of that
# commit. Exits 77 (CTest's skip) when neither can be had (offline, no
# mirror) or a build dependency is missing; 1 when the build fails.
# DAEDALUS_FFMPEG_JOBS: make -j (default nproc); the build runs nice'd.
set -euo pipefail

tag=v4l2request-2024-v2-60e62ec
commit=60e62ec609e42278fceadbdf0408a798ce216b9c
TARBALL=${DAEDALUS_KERNEL_TARBALL:-/usr/src/linux-source-6.12.tar.xz}
CACHE_ROOT="${DAEDALUS_CACHE:-$HOME/.cache/daedalus}/ffmpeg-v4l2request"
JOBS=${DAEDALUS_FFMPEG_JOBS:-$(nproc)}

log() { printf '[build-ffmpeg %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
skip() { log "SKIP: $*"; exit 77; }
die() { log "ERROR: $*"; exit 1; }

for tool in make gcc pkg-config tar xz sha256sum flock; do
  command -v "$tool" >/dev/null || skip "'$tool' not found: run scripts/setup-debian.sh"
done
for pc in libudev libdrm; do
  pkg-config --exists "$pc" || skip "$pc development files missing: run scripts/setup-debian.sh"
done
[ -f "$TARBALL" ] || skip "$TARBALL missing (the uAPI headers come from it): run scripts/setup-debian.sh"

kernel_version=$(dpkg-query -W -f='${Version}' linux-source-6.12 2>/dev/null || true)
[ -n "$kernel_version" ] || kernel_version="tarball-$(sha256sum "$TARBALL" | cut -c1-16)"
key=$( { cat "${BASH_SOURCE[0]}"; gcc --version | head -n1; echo "kernel=$kernel_version"; } \
       | sha256sum | cut -c1-16)
OUT="$CACHE_ROOT/$tag-$key"
mkdir -p "$CACHE_ROOT"

# One build per key at a time; a second caller waits and then reuses it.
exec 9>"$CACHE_ROOT/.lock-$tag-$key"
if ! flock -n 9; then
  log "another build of $tag-$key is running, waiting for it"
  flock 9
fi
if [ -f "$OUT/.complete" ]; then
  echo "$OUT"
  exit 0
fi

WORK="$CACHE_ROOT/.work-$tag-$key"
rm -rf "$WORK" "$OUT"
mkdir -p "$WORK/src"
trap 'rm -rf "$WORK"' EXIT
start=$(date +%s)

# --- source ---------------------------------------------------------------------
if [ -n "${DAEDALUS_FFMPEG_GIT:-}" ]; then
  gitdir=$DAEDALUS_FFMPEG_GIT
  [ -d "$gitdir/.git" ] && gitdir="$gitdir/.git"
  git --git-dir="$gitdir" cat-file -e "$commit^{commit}" 2>/dev/null \
    || skip "$DAEDALUS_FFMPEG_GIT has no commit $commit ($tag)"
  log "source: git archive $commit from $DAEDALUS_FFMPEG_GIT"
  git --git-dir="$gitdir" archive "$commit" | tar -x -C "$WORK/src"
else
  url="https://github.com/Kwiboo/FFmpeg/archive/$commit.tar.gz"
  log "source: $url"
  command -v curl >/dev/null || skip "curl not found and DAEDALUS_FFMPEG_GIT not set"
  curl -fsSL --retry 2 --connect-timeout 10 -o "$WORK/src.tar.gz" "$url" \
    || skip "cannot download $url (offline?); set DAEDALUS_FFMPEG_GIT to a clone or mirror of Kwiboo/FFmpeg"
  tar -x -C "$WORK/src" --strip-components=1 -f "$WORK/src.tar.gz"
fi
[ -x "$WORK/src/configure" ] || die "the source has no configure script"

# --- 6.12 uAPI headers ------------------------------------------------------------
log "uapi headers: headers_install from $TARBALL"
mkdir -p "$WORK/linux"
# (the tree minus the big folders headers_install does not read)
top=$( (tar -tf "$TARBALL" 2>/dev/null || true) | head -n1); top=${top%%/*}
tar -x -C "$WORK/linux" --strip-components=1 -f "$TARBALL" --anchored \
  --exclude="$top/drivers" --exclude="$top/Documentation" --exclude="$top/sound" \
  --exclude="$top/fs" --exclude="$top/net" --exclude="$top/tools/testing" --exclude="$top/arch/[!x]*"
make -s -C "$WORK/linux" ARCH=x86 INSTALL_HDR_PATH="$OUT/uapi" headers_install >"$WORK/headers.log" 2>&1 \
  || { tail -n 20 "$WORK/headers.log" >&2; die "headers_install failed"; }
rm -rf "$WORK/linux"

# --- configure + build -------------------------------------------------------------
log "configure + make (log $OUT/build.log once built)"
cd "$WORK/src"
conf=(
  --prefix="$OUT" --extra-cflags="-I$OUT/uapi/include"
  --disable-everything --disable-doc --disable-debug --disable-x86asm
  --disable-autodetect --disable-network --disable-avdevice --disable-postproc
  --disable-ffplay --disable-ffprobe
  --enable-v4l2-request --enable-libudev --enable-libdrm
  --enable-hwaccel=vp9_v4l2request,h264_v4l2request,av1_v4l2request
  --enable-decoder=vp9,h264,av1
  --enable-parser=vp9,h264,av1
  --enable-demuxer=ivf,matroska,mov,h264
  --enable-muxer=framemd5,md5,null,rawvideo
  --enable-encoder=rawvideo,wrapped_avframe
  --enable-filter=hwdownload,format,null,scale
  --enable-protocol=file,pipe
)
{
  echo "configure ${conf[*]}"
  ./configure "${conf[@]}"
} >"$WORK/build.log" 2>&1 || { tail -n 30 "$WORK/build.log" >&2; die "configure failed"; }
for want in vp9_v4l2request h264_v4l2request av1_v4l2request; do
  grep -q "^$want" <(sed -n '/^Enabled hwaccels:/,/^$/p' "$WORK/build.log" | tr -s ' ' '\n') \
    || die "configure did not enable the $want hwaccel (log $WORK/build.log)"
done
log "make -j$JOBS (nice'd)"
nice -n 19 make -j"$JOBS" >>"$WORK/build.log" 2>&1 || { tail -n 30 "$WORK/build.log" >&2; die "make failed"; }
make install >>"$WORK/build.log" 2>&1 || die "make install failed"
cp "$WORK/build.log" "$OUT/build.log"
took=$(( $(date +%s) - start ))
echo "$tag ($commit), built in $took s with -j$JOBS" >"$OUT/.complete"
log "built in $took s: $OUT/bin/ffmpeg"
echo "$OUT"
