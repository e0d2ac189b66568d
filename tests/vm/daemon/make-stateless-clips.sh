#!/bin/bash
# SPDX-License-Identifier: MIT
#
# Host side of the guest's daemon tests (run-daemon-tests.sh): writes every
# clip they decode, each with a CLIP.framemd5 of libavcodec's NV12 output
# (`ffmpeg -autoscale 0 -pix_fmt nv12 -f framemd5`: frames at their own
# size where a stream changes resolution), into OUT (default
# <repo>/build-vm/stateless-clips). In the TCG guest starting ffmpeg or
# ffprobe takes many seconds, so the guest makes and probes nothing itself.
#   corpus/            every VP9 clip of a corpus dir (CORPUS, default
#                      /tmp/corpus, then <repo>/build-vm/corpus): the
#                      stateless group's sweep, one GStreamer process per
#                      backend (tests/vm/gst-md5)
#   vp9-352x288, vp9-98x66, vp9-1920x1080, h264-352x288, vp9-altref,
#   vp9-tiles4         copied from the corpus dirs when there
#   vp9-176x144, h264-176x144  the two extra clients of concurrent-4
#   vp9-long-320x240   150 frames: the client of daemon-sigkill
#   seek-full, seek-tail  vp9-352x288 (key frames every 5) and its tail from
#                      the second key frame: a client that seeks to it
#   altref-64          64x64, 20 frames, two hidden alt-ref frames in
#                      superframes: small enough for lavapipe under TCG to
#                      meet GStreamer's one-second request wait
#   small-long         176x144, 150 frames: the small client of two-clients
#   tl, tl-dropped     error-resilient 2-layer temporal stream whose layer-1
#                      frames refresh no reference slot, and the same with
#                      every layer-1 frame dropped
#   small/             vpxenc clips of every width and height class below
#                      one 64x64 superblock (below, at and past 8, 16, 32,
#                      64; odd sizes), lossy and lossless: the device sweep
#                      of sizes (the CLI being right did not mean the
#                      device was)
#   lossless-34x18     12 frames, vpxenc --good --cpu-used=4 --lossless=1:
#                      came out all-zero through the device once
#   altref-er-720p     1280x720, 16 frames, alt-refs + error resilient:
#                      GStreamer 1.22 "Not enough memory to decode VP9
#                      stream" under TCG
#   resize-inter       vpxenc's real-time CBR at 40 kbit/s with dynamic
#                      resize from 1280x720: its inter frames change the
#                      frame size (checked here with ffprobe), which
#                      GStreamer >= 1.25.1 follows only with REMOVE_BUFS
#                      (the gst126 group)
#   av1-tiles-352x288  libaom, 24 frames: 2x2 tiles, a key frame at 12,
#                      alt-refs (hidden frames shown later by
#                      show_existing_frame) (the gst126 group: v4l2slav1dec)
#   av1-208x120        libaom --cpu-used 4: odd size, delta q
#   av1-svt-320x240    SVT-AV1's choice of tools
# Clips and framemd5s that are already there and current are kept.
set -eu
REPO=$(cd "$(dirname "$0")/../../.." && pwd)
OUT=${1:-$REPO/build-vm/stateless-clips}
CORPUS=${CORPUS:-/tmp/corpus}
mkdir -p "$OUT/corpus"
fmd5() {
	[ "$1.framemd5" -nt "$1" ] && return 0
	ffmpeg -nostdin -v error -i "$1" -autoscale 0 -pix_fmt nv12 -f framemd5 - >"$1.framemd5.tmp"
	mv "$1.framemd5.tmp" "$1.framemd5"
}
put() { # put SRC DST: copy when different, then its framemd5
	cmp -s "$1" "$2" || cp "$1" "$2"
	fmd5 "$2"
}
gen() { # gen OUT SIZE FRAMES CODEC-ARGS...: an ffmpeg testsrc2 clip, once
	local out=$1 size=$2 frames=$3 tmp="${1%.*}.tmp.${1##*.}"
	shift 3
	if [ ! -s "$out" ]; then
		ffmpeg -nostdin -v error -y -f lavfi -i "testsrc2=size=$size:rate=30" -frames:v "$frames" \
			-pix_fmt yuv420p "$@" "$tmp"
		mv "$tmp" "$out"
	fi
	fmd5 "$out"
}
# Each corpus clip from the first dir that has it, copied when new or changed.
declare -A seen=()
for d in "$CORPUS" "$REPO/build-vm/corpus"; do
	for c in "$d"/vp9-*.ivf "$d"/vp9-*.webm; do
		b=$(basename "$c")
		[ -f "$c" ] && [ -z "${seen[$b]:-}" ] || continue
		seen[$b]=1
		put "$c" "$OUT/corpus/$b"
	done
done
for c in vp9-altref.ivf vp9-tiles4.ivf vp9-352x288.ivf vp9-98x66.ivf vp9-1920x1080.ivf h264-352x288.h264; do
	for d in "$CORPUS" "$REPO/build-vm/corpus"; do
		if [ -f "$d/$c" ]; then put "$d/$c" "$OUT/$c"; break; fi
	done
done
gen "$OUT/vp9-176x144.ivf" 176x144 30 -c:v libvpx-vp9 -b:v 200k -deadline realtime -cpu-used 8
gen "$OUT/h264-176x144.h264" 176x144 30 -c:v libx264 -x264-params bframes=2 -f h264
gen "$OUT/vp9-long-320x240.ivf" 320x240 150 -c:v libvpx-vp9 -b:v 300k -deadline realtime -cpu-used 8
gen "$OUT/av1-tiles-352x288.ivf" 352x288 24 -c:v libaom-av1 -cpu-used 8 -g 12 -tile-columns 1 -tile-rows 1 -b:v 300k
gen "$OUT/av1-208x120.ivf" 208x120 10 -c:v libaom-av1 -cpu-used 4 -g 6 -b:v 150k
gen "$OUT/av1-svt-320x240.ivf" 320x240 16 -c:v libsvtav1 -preset 10 -g 8
if [ -f "$OUT/vp9-352x288.ivf" ]; then
	if ! cmp -s "$OUT/vp9-352x288.ivf" "$OUT/seek-full.ivf"; then
		cp "$OUT/vp9-352x288.ivf" "$OUT/seek-full.ivf"
		python3 "$REPO/tests/vm/daemon/ivfcut.py" "$OUT/seek-full.ivf" "$OUT/seek-tail.ivf" from-key:1 >/dev/null
	fi
	fmd5 "$OUT/seek-full.ivf"
	fmd5 "$OUT/seek-tail.ivf"
fi
if [ ! -s "$OUT/tl-dropped.ivf" ]; then
	ffmpeg -nostdin -v error -y -f lavfi -i testsrc2=size=320x240:rate=30 -frames:v 24 -pix_fmt yuv420p \
		-c:v libvpx-vp9 -b:v 300k -deadline realtime -cpu-used 8 -error-resilient 1 -g 1000 \
		-ts-parameters ts_number_layers=2:ts_target_bitrate=150,300:ts_rate_decimator=2,1:ts_periodicity=2:ts_layer_id=0,1:ts_layering_mode=2 \
		"$OUT/tl.ivf"
	python3 "$REPO/tests/vm/daemon/ivfcut.py" "$OUT/tl.ivf" "$OUT/tl-dropped.ivf" drop-odd >/dev/null
fi
fmd5 "$OUT/tl.ivf"
fmd5 "$OUT/tl-dropped.ivf"
if [ ! -s "$OUT/altref-64.ivf" ]; then
	# Two passes (vpxenc's default) need a seekable input: a y4m file.
	ffmpeg -nostdin -v error -y -f lavfi -i testsrc2=size=64x64:rate=30 -frames:v 20 -pix_fmt yuv420p "$OUT/altref-64.y4m"
	vpxenc --codec=vp9 --ivf --quiet --disable-warning-prompt --threads=1 --good --cpu-used=4 --target-bitrate=100 \
		--auto-alt-ref=1 --lag-in-frames=16 -o "$OUT/altref-64.tmp.ivf" "$OUT/altref-64.y4m"
	rm -f "$OUT/altref-64.y4m"
	mv "$OUT/altref-64.tmp.ivf" "$OUT/altref-64.ivf"
fi
fmd5 "$OUT/altref-64.ivf"
# vpx OUT WxH FRAMES VPXENC-ARGS...: a vpxenc clip of testsrc2, once.
vpx() {
	local out=$1 size=$2 frames=$3
	shift 3
	if [ ! -s "$out" ]; then
		# vpxenc's two passes need a seekable input: a y4m file. testsrc2
		# rounds its size down to even numbers; scaled, odd sizes stay odd.
		ffmpeg -nostdin -v error -y -f lavfi -i "testsrc2=size=128x128:rate=30" -frames:v "$frames" \
			-vf "scale=${size/x/:}" -pix_fmt yuv420p "$out.y4m"
		vpxenc --codec=vp9 --ivf --quiet --disable-warning-prompt --threads=1 "$@" -o "$out.tmp" "$out.y4m"
		rm -f "$out.y4m"
		mv "$out.tmp" "$out"
	fi
	fmd5 "$out"
}
mkdir -p "$OUT/small"
for size in 2x2 7x5 8x8 9x15 16x16 17x31 33x17 34x18 18x34 63x47 64x64 65x9; do
	vpx "$OUT/small/vp9-$size.ivf" "$size" 10 --good --cpu-used=4 --target-bitrate=50
done
for size in 2x2 17x9 34x18 63x63; do
	vpx "$OUT/small/vp9-lossless-$size.ivf" "$size" 10 --good --cpu-used=4 --lossless=1
done
vpx "$OUT/lossless-34x18.ivf" 34x18 12 --good --cpu-used=4 --lossless=1
vpx "$OUT/altref-er-720p.ivf" 1280x720 16 --good --cpu-used=5 --lag-in-frames=12 --auto-alt-ref=1 \
	--error-resilient=1 --target-bitrate=900
# Dynamic resize: the first inter frame is already scaled down, so 30
# frames are enough. A clip without a size change on an inter frame would
# let the gst126 group pass without testing it: fail here instead.
vpx "$OUT/resize-inter.ivf" 1280x720 30 --rt --end-usage=cbr --target-bitrate=40 --resize-allowed=1
if ! ffprobe -v error -show_entries frame=width,height,key_frame -of csv=p=0 "$OUT/resize-inter.ivf" |
	awk -F, 'NR > 1 && $1 == 0 && ($2 != w || $3 != h) { found = 1 } { w = $2; h = $3 } END { exit !found }'; then
	echo "make-stateless-clips: $OUT/resize-inter.ivf has no inter frame that changes the frame size" >&2
	exit 1
fi
# The small client of the two-clients test: long enough (150 frames) to be
# still decoding while the big client runs.
gen "$OUT/small-long.ivf" 176x144 150 -c:v libvpx-vp9 -b:v 300k -deadline realtime -cpu-used 8 -g 60
ls "$OUT" "$OUT/corpus" "$OUT/small"
