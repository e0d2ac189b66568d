#!/usr/bin/env bash
# Generates the test corpus with vpxenc / ffmpeg (libvpx-vp9, libx264,
# libaom) from fixed settings, so no media is committed. Each clip is made
# once: a stamp holding the clip's settings is kept beside it and a clip is
# re-made only when its settings change.
#
#   tests/corpus/make-corpus.sh OUTDIR [SET]      SET: quick | vp9 | h264 | all (default all)
#
# Prints the list of clips it made or found, one path per line, to
# OUTDIR/corpus.txt (name<TAB>codec<TAB>path).
set -euo pipefail

out=${1:?usage: make-corpus.sh OUTDIR [quick|vp9|h264|all]}
set_name=${2:-all}
mkdir -p "$out"
list="$out/corpus.txt.tmp"
: > "$list"

# name codec width height frames source encoder-args...
# Sources are lavfi test patterns with motion (testsrc2 moves, mandelbrot
# zooms) so that inter prediction has real work.
QUICK=(
  "vp9-352x288 vp9 352 288 10 testsrc2 --good --cpu-used=4 --target-bitrate=300 --kf-max-dist=5"
  "vp9-98x66 vp9 98 66 10 testsrc2 --good --cpu-used=4 --target-bitrate=100"
  "vp9-1920x1080 vp9 1920 1080 60 testsrc2 --good --cpu-used=8 --target-bitrate=4000 --tile-columns=2 --auto-alt-ref=1 --lag-in-frames=16"
  "h264-352x288 h264 352 288 10 testsrc2 -preset veryfast -g 5"
  "h264-98x66 h264 98 66 10 testsrc2 -preset veryfast"
  "h264-1920x1080 h264 1920 1080 10 testsrc2 -preset ultrafast"
  "av1-352x288 av1 352 288 10 testsrc2 -cpu-used 8 -b:v 300k"
  "av1-98x66 av1 98 66 10 testsrc2 -cpu-used 8 -b:v 100k"
  "av1-1920x1080 av1 1920 1080 3 testsrc2 -cpu-used 8 -b:v 2M -row-mt 1 -tiles 2x2"
)
# The VP9 decoder's corpus: sizes, quantizers, sharpness, tiles,
# segmentation, alt-ref / hidden frames, error resilience, frame-parallel,
# dynamic resize (scaled references).
VP9=(
  "vp9-2x2 vp9 2 2 10 testsrc2 --good --cpu-used=4 --target-bitrate=20"
  "vp9-8x8 vp9 8 8 10 testsrc2 --good --cpu-used=4 --target-bitrate=20"
  "vp9-16x16 vp9 16 16 10 testsrc2 --good --cpu-used=4 --target-bitrate=30"
  "vp9-34x18 vp9 34 18 10 mandelbrot --good --cpu-used=4 --target-bitrate=40"
  "vp9-66x66 vp9 66 66 10 testsrc2 --good --cpu-used=4 --target-bitrate=80"
  "vp9-130x132 vp9 130 132 10 testsrc2 --good --cpu-used=4 --target-bitrate=150"
  "vp9-200x202 vp9 200 202 10 mandelbrot --good --cpu-used=4 --target-bitrate=200"
  "vp9-640x360 vp9 640 360 10 testsrc2 --good --cpu-used=4 --target-bitrate=600"
  "vp9-q0-lossless vp9 176 144 10 testsrc2 --good --cpu-used=4 --lossless=1"
  "vp9-q1 vp9 176 144 10 testsrc2 --good --cpu-used=4 --end-usage=q --cq-level=1 --min-q=1 --max-q=1"
  "vp9-q10 vp9 176 144 10 testsrc2 --good --cpu-used=4 --end-usage=q --cq-level=10 --min-q=10 --max-q=10"
  "vp9-q20 vp9 176 144 10 mandelbrot --good --cpu-used=4 --end-usage=q --cq-level=20 --min-q=20 --max-q=20"
  "vp9-q32 vp9 176 144 10 testsrc2 --good --cpu-used=4 --end-usage=q --cq-level=32 --min-q=32 --max-q=32"
  "vp9-q45 vp9 176 144 10 testsrc2 --good --cpu-used=4 --end-usage=q --cq-level=45 --min-q=45 --max-q=45"
  "vp9-q63 vp9 176 144 10 testsrc2 --good --cpu-used=4 --end-usage=q --cq-level=63 --min-q=63 --max-q=63"
  "vp9-sharp1 vp9 176 144 10 testsrc2 --good --cpu-used=4 --target-bitrate=100 --sharpness=1"
  "vp9-sharp4 vp9 176 144 10 mandelbrot --good --cpu-used=4 --target-bitrate=100 --sharpness=4"
  "vp9-sharp7 vp9 176 144 10 testsrc2 --good --cpu-used=4 --target-bitrate=100 --sharpness=7"
  "vp9-tiles2 vp9 640 360 10 testsrc2 --good --cpu-used=4 --target-bitrate=500 --tile-columns=1"
  "vp9-tiles4 vp9 1280 720 10 testsrc2 --good --cpu-used=6 --target-bitrate=1000 --tile-columns=2"
  "vp9-tilerows2 vp9 640 360 10 testsrc2 --good --cpu-used=4 --target-bitrate=500 --tile-rows=1"
  "vp9-tiles4x4 vp9 1280 720 10 mandelbrot --good --cpu-used=6 --target-bitrate=1000 --tile-columns=2 --tile-rows=2"
  # Tile columns with backward adaptation (vpxenc's default is frame-parallel
  # mode, which adapts nothing): the threads' symbol counts must be summed.
  "vp9-tiles4-adapt vp9 1280 720 10 mandelbrot --good --cpu-used=6 --target-bitrate=1000 --tile-columns=2 --frame-parallel=0"
  "vp9-aq1 vp9 352 288 10 testsrc2 --good --cpu-used=4 --target-bitrate=300 --aq-mode=1"
  "vp9-aq2 vp9 352 288 10 mandelbrot --good --cpu-used=4 --target-bitrate=300 --aq-mode=2"
  "vp9-aq3 vp9 352 288 10 testsrc2 --rt --cpu-used=6 --end-usage=cbr --target-bitrate=300 --aq-mode=3"
  "vp9-altref vp9 352 288 20 testsrc2 --good --cpu-used=4 --target-bitrate=300 --auto-alt-ref=1 --lag-in-frames=16"
  "vp9-altref-multi vp9 352 288 20 mandelbrot --good --cpu-used=4 --target-bitrate=300 --auto-alt-ref=6 --lag-in-frames=25"
  "vp9-error-res vp9 352 288 10 testsrc2 --good --cpu-used=4 --target-bitrate=300 --error-resilient=1"
  "vp9-frame-parallel vp9 352 288 10 testsrc2 --good --cpu-used=4 --target-bitrate=300 --frame-parallel=1"
  "vp9-no-frame-parallel vp9 352 288 10 testsrc2 --good --cpu-used=4 --target-bitrate=300 --frame-parallel=0"
  "vp9-rt vp9 352 288 10 testsrc2 --rt --cpu-used=8 --end-usage=cbr --target-bitrate=200"
  "vp9-best vp9 176 144 10 testsrc2 --best --target-bitrate=150"
  "vp9-kf-every vp9 176 144 10 testsrc2 --good --cpu-used=4 --target-bitrate=150 --kf-max-dist=1"
  "vp9-resize-down-up vp9 320 240 10 testsrc2 resize:240x180 288x216"
  "vp9-resize-odd vp9 200 150 10 mandelbrot resize:131x97 177x133"
  "vp9-ffmpeg-webm vp9 352 288 10 testsrc2 ffmpeg:-c:v libvpx-vp9 -b:v 300k -g 5"
  "vp9-ffmpeg-lossless vp9 96 64 10 testsrc2 ffmpeg:-c:v libvpx-vp9 -lossless 1"
  "vp9-ffmpeg-crf vp9 320 180 10 mandelbrot ffmpeg:-c:v libvpx-vp9 -crf 30 -b:v 0 -row-mt 1"
)

# The H.264 header parser's corpus (tests/unit/h264): one clip per coding
# tool whose syntax the headers carry. libx264 settings; "mp4:" / "mkv:"
# put the clip in that container (length-prefixed NAL units, avcC).
H264=(
  "h264-baseline-cavlc h264 176 144 15 testsrc2 -profile:v baseline -g 6"
  "h264-main-bpyramid h264 176 144 20 mandelbrot -profile:v main -x264-params bframes=3:b-pyramid=normal:ref=4:direct=spatial"
  "h264-direct-temporal h264 176 144 15 testsrc2 -x264-params bframes=3:direct=temporal:ref=2"
  "h264-weighted h264 176 144 15 mandelbrot -x264-params weightp=2:bframes=2:weightb=1:ref=3"
  "h264-refs6 h264 176 144 20 testsrc2 -x264-params ref=6:bframes=2:b-pyramid=strict:mixed-refs=1"
  "h264-slices4 h264 352 288 6 testsrc2 -x264-params slices=4:bframes=1"
  "h264-constrained-intra h264 176 144 10 testsrc2 -x264-params constrained-intra=1:bframes=0"
  "h264-cavlc-high h264 176 144 12 mandelbrot -profile:v high -x264-params cabac=0:8x8dct=1:bframes=2"
  "h264-cqm h264 176 144 8 testsrc2 -profile:v high -x264-params 8x8dct=1:cqm4iy=6,12,19,26,12,19,26,31,19,26,31,35,26,31,35,40:cqm4py=10,14,20,24,14,20,24,27,20,24,27,30,24,27,30,34:cqm8iy=6,10,13,16,18,23,25,27,10,11,16,18,23,25,27,29,13,16,18,23,25,27,29,31,16,18,23,25,27,29,31,33,18,23,25,27,29,31,33,36,23,25,27,29,31,33,36,38,25,27,29,31,33,36,38,40,27,29,31,33,36,38,40,42"
  "h264-cqm-jvt h264 64 64 5 testsrc2 -profile:v high -x264-params 8x8dct=1:cqm=jvt"
  "h264-34x18 h264 34 18 10 mandelbrot -x264-params bframes=2"
  "h264-2x2 h264 2 2 5 testsrc2 -x264-params bframes=1"
  "h264-intra-only h264 96 64 8 testsrc2 -x264-params keyint=1"
  "h264-long-gop h264 64 48 300 mandelbrot -x264-params keyint=300:min-keyint=300:scenecut=0:bframes=2"
  "h264-deblock h264 96 64 6 testsrc2 -x264-params deblock=-3,2:bframes=1"
  "h264-no-deblock h264 96 64 6 testsrc2 -x264-params no-deblock=1"
  "h264-vui-hrd h264 96 64 6 testsrc2 -x264-params nal-hrd=vbr:vbv-maxrate=400:vbv-bufsize=800:colorprim=bt709:transfer=bt709:colormatrix=bt709:overscan=show:videoformat=pal:chromaloc=1:range=pc:sar=4/3"
  "h264-mp4 h264 176 144 12 testsrc2 mp4:-x264-params bframes=2:weightp=1"
  "h264-mkv h264 98 66 8 mandelbrot mkv:-profile:v main"
)

case "$set_name" in
  quick) specs=("${QUICK[@]}") ;;
  vp9) specs=("${QUICK[@]:0:3}" "${VP9[@]}") ;;
  h264) specs=("${QUICK[@]:3:3}" "${H264[@]}") ;;
  all) specs=("${QUICK[@]}" "${VP9[@]}" "${H264[@]}") ;;
  *) echo "unknown set: $set_name" >&2; exit 2 ;;
esac

source_args() {  # source width height frames
  local src=$1 w=$2 h=$3
  case "$src" in
    testsrc2) echo "testsrc2=size=${w}x${h}:rate=30" ;;
    mandelbrot) echo "mandelbrot=size=${w}x${h}:rate=30" ;;
  esac
}

make_clip() {
  local name=$1 codec=$2 w=$3 h=$4 frames=$5 src=$6; shift 6
  local args="$*"
  local ext ivf
  case "$codec" in
    vp9) ext=ivf; [[ "$args" == ffmpeg:* ]] && ext=webm ;;
    h264) ext=h264; [[ "$args" == mp4:* ]] && ext=mp4; [[ "$args" == mkv:* ]] && ext=mkv ;;
    av1) ext=ivf ;;
  esac
  local path="$out/$name.$ext"
  local stamp="$path.settings"
  local settings="$codec $w $h $frames $src $args"
  if [ -s "$path" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$settings" ]; then
    printf '%s\t%s\t%s\n' "$name" "$codec" "$path" >> "$list"
    return
  fi
  local lavfi
  lavfi=$(source_args "$src" "$w" "$h")
  local ff=(ffmpeg -nostdin -hide_banner -loglevel error -y -f lavfi -i "$lavfi" -frames:v "$frames" -pix_fmt yuv420p)
  case "$codec" in
    vp9)
      if [[ "$args" == resize:* ]]; then
        # Frame size changes on inter frames (scaled references): made with
        # libvpx's API by daedalus-resize-encode, built by CMake.
        local enc=${DAEDALUS_RESIZE_ENCODER:?set DAEDALUS_RESIZE_ENCODER to the daedalus-resize-encode binary}
        local segs=() size i=0
        for size in "${w}x${h}" ${args#resize:}; do
          "${ff[@]/#$lavfi/$(source_args "$src" "${size%x*}" "${size#*x}")}" -f rawvideo "$out/.$name.$i.yuv"
          segs+=("$size:$out/.$name.$i.yuv")
          i=$((i + 1))
        done
        "$enc" "$path" "$frames" "${segs[@]}"
        rm -f "$out/.$name".*.yuv
      elif [[ "$args" == ffmpeg:* ]]; then
        # shellcheck disable=SC2086
        "${ff[@]}" ${args#ffmpeg:} "$path"
      else
        # vpxenc's default is two passes, which need a seekable input.
        local y4m="$out/.$name.y4m"
        "${ff[@]}" -f yuv4mpegpipe "$y4m"
        # shellcheck disable=SC2086
        if ! vpxenc --codec=vp9 --ivf --quiet --disable-warning-prompt --threads=1 $args -o "$path" "$y4m" 2>"$path.log"; then
          cat "$path.log" >&2; rm -f "$y4m"; echo "corpus: vpxenc failed for $name" >&2; exit 1
        fi
        rm -f "$y4m" "$path.log"
      fi ;;
    h264)
      if [[ $ext == h264 ]]; then
        # shellcheck disable=SC2086
        "${ff[@]}" -c:v libx264 $args -bsf:v h264_mp4toannexb -f h264 "$path"
      else
        # shellcheck disable=SC2086
        "${ff[@]}" -c:v libx264 ${args#"$ext":} "$path"
      fi ;;
    av1)
      # shellcheck disable=SC2086
      "${ff[@]}" -c:v libaom-av1 $args -f ivf "$path" ;;
  esac
  # A clip without a single decodable frame means the encoder silently
  # failed; never let that become a vacuous test.
  local n
  n=$(ffprobe -v error -count_packets -select_streams v:0 -show_entries stream=nb_read_packets -of csv=p=0 "$path" || echo 0)
  if [ "${n:-0}" -lt 1 ]; then echo "corpus: $path has no packets" >&2; exit 1; fi
  echo "$settings" > "$stamp"
  printf '%s\t%s\t%s\n' "$name" "$codec" "$path" >> "$list"
  echo "corpus: made $path" >&2
}

for spec in "${specs[@]}"; do
  # shellcheck disable=SC2086
  make_clip $spec
done
mv "$list" "$out/corpus.txt"
