#!/bin/bash
# SPDX-License-Identifier: MIT
#
# daedalus-gst-md5 checked on the host with GStreamer's software VP9 decoder
# (vp9dec, libvpx) in place of v4l2slvp9dec: the guest's corpus sweep is only
# as good as this comparison.
#   self_test.sh TOOL CORPUS-DIR
set -u
TOOL=$1 CORPUS=$2
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
DEC="vp9dec ! videoconvert"
fails=0
check() { # check NAME WANT-REGEX OUTPUT
	if [[ $3 =~ $2 ]]; then echo "ok   $1"; else echo "FAIL $1: wanted /$2/, got: $3"; fails=$((fails + 1)); fi
}
for c in vp9-98x66 vp9-resize-odd; do
	cp "$CORPUS/$c.ivf" "$W/" || exit 1
	ffmpeg -nostdin -v error -i "$W/$c.ivf" -autoscale 0 -pix_fmt nv12 -f framemd5 "$W/$c.ivf.framemd5" || exit 1
done
# An odd width (rows padded to 4 bytes in GStreamer's buffers) and a clip
# that changes resolution: every frame equal.
out=$("$TOOL" --decoder "$DEC" "$W/vp9-98x66.ivf" "$W/vp9-resize-odd.ivf"; echo "rc=$?")
check odd-width "PASS vp9-98x66.ivf: 10 frames bit-exact \(.* 98x66" "$out"
check resize "PASS vp9-resize-odd.ivf: 30 frames bit-exact" "$out"
check exit-0 "rc=0$" "$out"
# One md5 changed: that frame is reported, the exit status is 1.
cp "$W/vp9-98x66.ivf.framemd5" "$W/good.framemd5"
awk -F', *' 'BEGIN { OFS = ", " } !/^#/ && ++n == 4 { $NF = "00000000000000000000000000000000" } { print }' \
	"$W/good.framemd5" >"$W/vp9-98x66.ivf.framemd5"
out=$("$TOOL" --decoder "$DEC" "$W/vp9-98x66.ivf"; echo "rc=$?")
check one-frame-differs "FAIL vp9-98x66.ivf: frame 3 differs .*rc=1$" "$out"
cp "$W/good.framemd5" "$W/vp9-98x66.ivf.framemd5"
# A decoder that stops early: a failure, unless it stops exactly where the
# stream changes resolution (what GStreamer 1.22's VP9 base class does).
out=$("$TOOL" --decoder "$DEC ! identity eos-after=6" "$W/vp9-98x66.ivf"; echo "rc=$?")
check stops-early "FAIL vp9-98x66.ivf: 5 frames vs libavcodec 10.*rc=1$" "$out"
out=$("$TOOL" --decoder "$DEC ! identity eos-after=11" "$W/vp9-resize-odd.ivf"; echo "rc=$?")
check stops-at-resize "SKIP vp9-resize-odd.ivf: GStreamer ends it at frame 10.*rc=0$" "$out"
out=$("$TOOL" --decoder "$DEC ! identity eos-after=9" "$W/vp9-resize-odd.ivf"; echo "rc=$?")
check stops-before-resize "FAIL vp9-resize-odd.ivf: 8 frames vs libavcodec 30.*rc=1$" "$out"
# The raw mode on what gst-launch's filesink writes.
gst-launch-1.0 -q filesrc location="$W/vp9-98x66.ivf" ! parsebin ! vp9dec ! videoconvert ! \
	video/x-raw,format=NV12 ! filesink location="$W/out.nv12" || exit 1
out=$("$TOOL" --raw "$W/out.nv12" --expect "$W/vp9-98x66.ivf.framemd5"; echo "rc=$?")
check raw "^10 frames bit-exact \(98x66\).rc=0$" "$out"
head -c 20000 "$W/out.nv12" >"$W/short.nv12"
out=$("$TOOL" --raw "$W/short.nv12" --expect "$W/vp9-98x66.ivf.framemd5"; echo "rc=$?")
check raw-partial "partial 98x66 frame.*rc=1$" "$out"
# --prefix: a file that a failed stream cut short passes while its frames
# are the reference's first ones; a wrong one among them still fails.
fsize=$((100 * 66 + 100 * 33))  # 98x66 NV12 in GStreamer's layout: stride 100, 33 CbCr rows
head -c $((4 * fsize)) "$W/out.nv12" >"$W/four.nv12"
out=$("$TOOL" --raw "$W/four.nv12" --expect "$W/vp9-98x66.ivf.framemd5" --prefix; echo "rc=$?")
check raw-prefix "^4 of 10 frames written, all bit-exact \(98x66\).rc=0$" "$out"
out=$("$TOOL" --raw "$W/four.nv12" --expect "$W/vp9-98x66.ivf.framemd5"; echo "rc=$?")
check raw-prefix-needs-flag "4 frames vs libavcodec 10.*rc=1$" "$out"
{ head -c $((2 * fsize)) "$W/out.nv12"; tail -c +$((3 * fsize + 1)) "$W/out.nv12" | head -c $((2 * fsize)); } >"$W/skip.nv12"
out=$("$TOOL" --raw "$W/skip.nv12" --expect "$W/vp9-98x66.ivf.framemd5" --prefix; echo "rc=$?")
check raw-prefix-stale-frame "^frame 2 differs .*rc=1$" "$out"
exit $((fails > 0))
