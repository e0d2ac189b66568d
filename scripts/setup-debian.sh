#!/usr/bin/env bash
# Install everything daedalus needs on a fresh Debian 12 (bookworm) machine.
# Idempotent: a second run installs nothing and prints one line.
set -euo pipefail

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

BACKPORTS_LIST=/etc/apt/sources.list.d/bookworm-backports.list

# Packages from bookworm proper.
PKGS=(
  build-essential cmake ninja-build pkg-config git
  libavcodec-dev libavformat-dev libavutil-dev libswscale-dev ffmpeg
  vpx-tools libvpx-dev dav1d libdav1d-dev x264 aom-tools
  libgtest-dev libgmock-dev libbenchmark-dev
  libcli11-dev libfmt-dev libspdlog-dev nlohmann-json3-dev libsystemd-dev
  glslang-tools spirv-tools libvulkan-dev vulkan-tools
  vulkan-validationlayers
  v4l-utils
  gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good
  gstreamer1.0-plugins-bad libgstreamer1.0-dev
  qemu-system-x86 busybox-static cpio
  bc bison flex libelf-dev libssl-dev kmod xz-utils dwarves rsync
  gcc-aarch64-linux-gnu linux-headers-amd64
  clang libclang-rt-14-dev
  valgrind python3-matplotlib
  python3-mako libudev-dev libzstd-dev libexpat1-dev zlib1g-dev dpkg-dev
  libgudev-1.0-dev fluster
)
# Packages that must come from bookworm-backports: Mesa 25 lavapipe (has
# VK_EXT_external_memory_dma_buf like V3DV) and the 6.12 kernel source the
# Pi's kernel series is built from.
# libgstreamer-plugins-base1.0-dev (gstreamer-video, for daedalus-gst-md5)
# too: it needs libgbm-dev, which must match the backports libgbm1 that
# Mesa 25 brings.
# meson and libdrm-dev too, for tests/v3d/, which builds Mesa's V3DV (the
# Pi 5's Vulkan driver) from the source of that same Mesa: Mesa 25 wants
# meson >= 1.1 and the libdrm-dev that matches backports' libdrm2; and
# tests/clients/build-gstreamer.sh's GStreamer 1.26 wants meson >= 1.4
# (with libgudev-1.0-dev for v4l2codecs; fluster runs its decoders).
BPO_PKGS=(mesa-vulkan-drivers linux-source-6.12 libgstreamer-plugins-base1.0-dev meson libdrm-dev)

missing=()
for p in "${PKGS[@]}" "${BPO_PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# lavapipe must be the backports build (Mesa >= 25).
mesa_ver=$(dpkg-query -W -f='${Version}' mesa-vulkan-drivers 2>/dev/null || true)
case "$mesa_ver" in 2[5-9].*|3*) ;; *) missing+=(mesa-vulkan-drivers) ;; esac

# The mirror this system already takes bookworm from, as the "[options] URI"
# of a deb line: from its one-line deb lines (sources.list, *.list) or its
# deb822 stanzas (*.sources, Debian 12's default); deb.debian.org only when
# neither names bookworm.
debian_mirror() {
  local f found
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -r "$f" ] || continue
    # deb [options] URI bookworm components...
    found=$(awk '$1 == "deb" {
        i = 2; opts = ""
        if ($2 ~ /^\[/) { while (i < NF && $i !~ /\]$/) { opts = opts $i " "; i++ }; opts = opts $i " "; i++ }
        if ($(i + 1) == "bookworm") { print opts $i; exit }
      }' "$f")
    if [ -n "$found" ]; then echo "$found"; return; fi
  done
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -r "$f" ] || continue
    # Stanzas (paragraphs) with Types deb and Suites bookworm: the first URI,
    # and Signed-By when it names a keyring file.
    found=$(awk 'BEGIN { RS = ""; FS = "\n" }
      {
        types = suites = uris = key = enabled = ""
        for (l = 1; l <= NF; l++) {
          if ($l ~ /^#/ || $l !~ /^[A-Za-z-]+:/) continue
          k = tolower(substr($l, 1, index($l, ":") - 1)); v = substr($l, index($l, ":") + 1)
          gsub(/^[ \t]+|[ \t]+$/, "", v)
          if (k == "types") types = " " v " "; else if (k == "suites") suites = " " v " "
          else if (k == "uris") { split(v, u, /[ \t]+/); uris = u[1] }
          else if (k == "signed-by") key = v; else if (k == "enabled") enabled = tolower(v)
        }
        if (enabled != "no" && types ~ / deb / && suites ~ / bookworm / && uris != "") {
          print (key ~ /^\/[^ ]+$/ ? "[signed-by=" key "] " : "") uris; exit
        }
      }' "$f")
    if [ -n "$found" ]; then echo "$found"; return; fi
  done
  echo "http://deb.debian.org/debian"
}

# tests/v3d/ fetches that Mesa's source with `apt-get source`: backports'
# deb-src line, the twin of its deb line.
has_src() { grep -rqs '^deb-src .*bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; }
has_src || missing+=(deb-src:bookworm-backports)

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all dependencies present"
  exit 0
fi

if [ ! -f "$BACKPORTS_LIST" ] && ! grep -rqs bookworm-backports /etc/apt/sources.list /etc/apt/sources.list.d/; then
  echo "deb $(debian_mirror) bookworm-backports main" | $SUDO tee "$BACKPORTS_LIST" >/dev/null
fi
if ! has_src; then
  line=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | grep -m1 "^deb .*bookworm-backports" || true)
  [ -n "$line" ] || line="deb $(debian_mirror) bookworm-backports main"
  echo "deb-src ${line#deb }" | $SUDO tee /etc/apt/sources.list.d/bookworm-backports-src.list >/dev/null
fi

export DEBIAN_FRONTEND=noninteractive
echo "setup: installing ${missing[*]}"
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${PKGS[@]}" >/dev/null
$SUDO apt-get install -y -qq --no-install-recommends -t bookworm-backports "${BPO_PKGS[@]}" >/dev/null
echo "setup: done"
