#!/bin/bash
# SPDX-License-Identifier: MIT
#
# Host side of the stateless VP9 tests (run-daemon-tests.sh group
# "stateless"): writes the clips they use, each with a CLIP.framemd5 of
# libavcodec's NV12 output (TCG guests are too slow for reference decodes),
# into OUT (default <repo>/build-vm/stateless-clips):
#   vp9-altref, vp9-tiles4, vp9-resize, vp9-1920x1080  copied from a corpus dir (CORPUS,
#                      default /tmp/corpus or <repo>/build-vm/corpus) if there
#   seek-full, seek-tail  vp9-352x288 (key frames every 5) and its tail from
#                      the second key frame: a client that seeks to it
#   altref-64          64x64, 20 frames, two hidden alt-ref frames in
#                      superframes: small enough for lavapipe under TCG to
#                      meet GStreamer's one-second request wait
#   small-long         176x144, 150 frames: the small client of two-clients
#   tl, tl-dropped     error-resilient 2-layer temporal stream whose layer-1
#                      frames refresh no reference slot, and the same with
#                      every layer-1 frame dropped
set -eu
REPO=$(cd "$(dirname "$0")/../../.." && pwd)
OUT=${1:-$REPO/build-vm/stateless-clips}
CORPUS=${CORPUS:-/tmp/corpus}
mkdir -p "$OUT"
fmd5() { ffmpeg -nostdin -v error -i "$1" -pix_fmt nv12 -f framemd5 - >"$1.framemd5"; }
for c in vp9-altref vp9-tiles4 vp9-resize vp9-352x288 vp9-1920x1080; do
	for d in "$CORPUS" "$REPO/build-vm/corpus"; do
		if [ -f "$d/$c.ivf" ]; then cp "$d/$c.ivf" "$OUT/$c.ivf"; fmd5 "$OUT/$c.ivf"; break; fi
	done
done
if [ -f "$OUT/vp9-352x288.ivf" ]; then
	cp "$OUT/vp9-352x288.ivf" "$OUT/seek-full.ivf"
	python3 "$REPO/tests/vm/daemon/ivfcut.py" "$OUT/seek-full.ivf" "$OUT/seek-tail.ivf" from-key:1 >/dev/null
	fmd5 "$OUT/seek-full.ivf"
	fmd5 "$OUT/seek-tail.ivf"
fi
ffmpeg -nostdin -v error -y -f lavfi -i testsrc2=size=320x240:rate=30 -frames:v 24 -pix_fmt yuv420p \
	-c:v libvpx-vp9 -b:v 300k -deadline realtime -cpu-used 8 -error-resilient 1 -g 1000 \
	-ts-parameters ts_number_layers=2:ts_target_bitrate=150,300:ts_rate_decimator=2,1:ts_periodicity=2:ts_layer_id=0,1:ts_layering_mode=2 \
	"$OUT/tl.ivf"
python3 "$REPO/tests/vm/daemon/ivfcut.py" "$OUT/tl.ivf" "$OUT/tl-dropped.ivf" drop-odd >/dev/null
# Two passes (vpxenc's default) need a seekable input: a y4m file.
ffmpeg -nostdin -v error -y -f lavfi -i testsrc2=size=64x64:rate=30 -frames:v 20 -pix_fmt yuv420p "$OUT/altref-64.y4m"
vpxenc --codec=vp9 --ivf --quiet --disable-warning-prompt --threads=1 --good --cpu-used=4 --target-bitrate=100 \
	--auto-alt-ref=1 --lag-in-frames=16 -o "$OUT/altref-64.ivf" "$OUT/altref-64.y4m"
rm -f "$OUT/altref-64.y4m"
fmd5 "$OUT/altref-64.ivf"
# The small client of the two-clients test: long enough (150 frames) to be
# still decoding while the big client runs.
ffmpeg -nostdin -v error -y -f lavfi -i testsrc2=size=176x144:rate=30 -frames:v 150 -pix_fmt yuv420p \
	-c:v libvpx-vp9 -b:v 300k -deadline realtime -cpu-used 8 -g 60 "$OUT/small-long.ivf"
fmd5 "$OUT/small-long.ivf"
fmd5 "$OUT/tl.ivf"
fmd5 "$OUT/tl-dropped.ivf"
ls "$OUT"
