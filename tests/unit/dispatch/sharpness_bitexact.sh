#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# End-to-end check of the loop filter's sharpness handling: encodes a small
# clip, rewrites its sharpness to 1..7 (vp9_set_sharpness.py) and requires
# daedalus (CPU backend) to be bit-exact with libavcodec on it.
#
#   sharpness_bitexact.sh DAEDALUS_DECODE WORKDIR
set -euo pipefail
decode=${1:?usage: sharpness_bitexact.sh DAEDALUS_DECODE WORKDIR}
work=${2:?usage: sharpness_bitexact.sh DAEDALUS_DECODE WORKDIR}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$work"
ffmpeg -nostdin -hide_banner -loglevel error -y -f lavfi -i testsrc2=size=352x288:rate=30 -frames:v 12 \
  -pix_fmt yuv420p -f yuv4mpegpipe "$work/sharp-src.y4m"
vpxenc --codec=vp9 --ivf --quiet --disable-warning-prompt --threads=1 --good --cpu-used=4 --target-bitrate=150 \
  --lag-in-frames=0 --auto-alt-ref=0 --kf-max-dist=6 -o "$work/sharp-base.ivf" "$work/sharp-src.y4m" 2>/dev/null
python3 "$here/vp9_set_sharpness.py" "$work/sharp-base.ivf" "$work/sharp-1to7.ivf"
# The rewrite must change the pictures, or the check would prove nothing.
base_md5=$(ffmpeg -nostdin -loglevel error -i "$work/sharp-base.ivf" -f md5 -)
sharp_md5=$(ffmpeg -nostdin -loglevel error -i "$work/sharp-1to7.ivf" -f md5 -)
if [[ "$base_md5" == "$sharp_md5" ]]; then echo "sharpness rewrite changed nothing" >&2; exit 1; fi
out=$("$decode" --decoder daedalus --backend cpu --verify "$work/sharp-1to7.ivf" 2>&1 | tail -1)
echo "$out"
[[ "$out" == *"bit-exact with libavcodec on all 12 frames"* ]]
