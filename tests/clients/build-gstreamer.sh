#!/usr/bin/env bash
# Builds GStreamer 1.26 (the monorepo, pinned by commit) with only what the
# tests drive through the device: core with its tools, gst-plugins-base's
# typefind/playback/app/videoconvertscale, gst-plugins-good's matroska and
# isomp4 demuxers, gst-plugins-bad's v4l2codecs, videoparsers, ivfparse and
# debugutils (Fluster's videocodectestsink). Everything else is off
# (-Dauto_features=disabled), so it builds in minutes. Installs into a
# per-machine cache, ~/.cache/daedalus/gstreamer-<tag>-<key>/ (key: the
# commit and this script's hash), and prints that prefix; a second run
# prints it at once.
#
#   prefix=$(tests/clients/build-gstreamer.sh)
#   GST_PLUGIN_SYSTEM_PATH=$prefix/lib/gstreamer-1.0 LD_LIBRARY_PATH=$prefix/lib \
#     "$prefix/bin/gst-inspect-1.0" v4l2codecs
#
# DAEDALUS_GSTREAMER_GIT=<a clone or bare mirror of GStreamer/gstreamer>
# takes the source from it; otherwise the commit's tarball is downloaded
# from GitHub. Exits 77 (CTest's skip) when neither works. Needs meson >= 1.4
# (bookworm-backports) and libgudev-1.0-dev (scripts/setup-debian.sh).
set -euo pipefail

tag=1.26.11
commit=e6ee9e63e033b9c8e343ba0bdfa7590ef81449ee
script_hash=$(sha256sum "${BASH_SOURCE[0]}" | cut -c1-12)
cache_root=${DAEDALUS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/daedalus}
dir=$cache_root/gstreamer-$tag-${commit:0:12}-$script_hash
prefix=$dir/prefix

say() { echo "build-gstreamer: $*" >&2; }
skip() { say "$*; skipping"; exit 77; }

if [ -f "$dir/.complete" ]; then
  echo "$prefix"
  exit 0
fi

command -v meson >/dev/null || skip "meson not installed (scripts/setup-debian.sh)"
meson_ver=$(meson --version)
if [ "$(printf '%s\n' 1.4 "$meson_ver" | sort -V | head -1)" != 1.4 ]; then
  skip "meson $meson_ver is older than 1.4 (take bookworm-backports' meson: scripts/setup-debian.sh)"
fi
pkg-config --exists gudev-1.0 || skip "libgudev-1.0-dev not installed (scripts/setup-debian.sh)"

mkdir -p "$dir"
# One build per machine at a time; a second caller waits and reuses it.
exec 9>"$dir/.lock"
flock 9
if [ -f "$dir/.complete" ]; then
  echo "$prefix"
  exit 0
fi

src=$dir/src
build=$dir/build
rm -rf "$src" "$build" "$prefix"
mkdir -p "$src"
if [ -n "${DAEDALUS_GSTREAMER_GIT:-}" ]; then
  # The plugin docs' caches are left out: the build does not read them, and
  # mirrors that store big blobs apart may lack them.
  git --git-dir="$DAEDALUS_GSTREAMER_GIT" archive --format=tar "$commit" -- . \
      ':(exclude,glob)**/gst_plugins_cache.json' 2>"$dir/git-archive.log" | tar -x -C "$src" ||
    skip "commit $commit ($tag) not in $DAEDALUS_GSTREAMER_GIT"
else
  curl -fsSL --retry 2 --connect-timeout 10 \
      "https://github.com/GStreamer/gstreamer/archive/$commit.tar.gz" |
    tar -xz -C "$src" --strip-components=1 ||
    skip "cannot download GStreamer $tag (offline? set DAEDALUS_GSTREAMER_GIT to a clone)"
fi

jobs=${DAEDALUS_GSTREAMER_JOBS:-$(nproc)}
start=$(date +%s)
say "building GStreamer $tag ($commit) into $prefix, -j$jobs"
# The subprojects' plugin options are features: -Dauto_features=disabled
# turns every one off, the list below turns on what the tests use.
# --wrap-mode=nodownload: a missing dependency is an error, not a download.
nice -n 19 meson setup "$build" "$src" \
    --prefix="$prefix" --libdir=lib --buildtype=release --wrap-mode=nodownload \
    -Dauto_features=disabled \
    -Dbase=enabled -Dgood=enabled -Dbad=enabled -Dugly=disabled -Dtools=enabled \
    -Dgst-plugins-base:app=enabled -Dgst-plugins-base:playback=enabled \
    -Dgst-plugins-base:typefind=enabled -Dgst-plugins-base:videoconvertscale=enabled \
    -Dgst-plugins-base:videotestsrc=enabled -Dgst-plugins-base:pbtypes=enabled \
    -Dgst-plugins-good:matroska=enabled -Dgst-plugins-good:isomp4=enabled \
    -Dgst-plugins-bad:v4l2codecs=enabled -Dgst-plugins-bad:videoparsers=enabled \
    -Dgst-plugins-bad:ivfparse=enabled -Dgst-plugins-bad:debugutils=enabled \
    >"$dir/meson-setup.log" 2>&1 || { tail -30 "$dir/meson-setup.log" >&2; say "meson setup failed ($dir/meson-setup.log)"; exit 1; }
nice -n 19 ninja -C "$build" -j"$jobs" >"$dir/build.log" 2>&1 ||
  { tail -30 "$dir/build.log" >&2; say "build failed ($dir/build.log)"; exit 1; }
nice -n 19 meson install -C "$build" --no-rebuild >"$dir/install.log" 2>&1 ||
  { tail -30 "$dir/install.log" >&2; say "install failed ($dir/install.log)"; exit 1; }
for f in bin/gst-launch-1.0 bin/gst-inspect-1.0 lib/gstreamer-1.0/libgstv4l2codecs.so; do
  [ -e "$prefix/$f" ] || { say "$prefix/$f not installed"; exit 1; }
done
rm -rf "$src" "$build"
say "built in $(( $(date +%s) - start )) s"
touch "$dir/.complete"
echo "$prefix"
