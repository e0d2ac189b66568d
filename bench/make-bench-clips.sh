#!/usr/bin/env bash
# The clips daedalus-bench runs: the corpus's quick VP9 clips (made by
# tests/corpus/make-corpus.sh) plus the bench set below, which stands for
# what a Pi 5 is actually asked to play: 1080p30 VP9 as YouTube serves it
# (2-pass good quality, ~4 Mbit/s, 4 tile columns, alt-ref frames), with
# moving, textured content so that every stage has realistic work.
#
#   bench/make-bench-clips.sh OUTDIR [quick|full]
#
# quick: only the small corpus clip (for the CTest smoke test).
# full (default): corpus quick VP9 clips + the bench set.
# Writes OUTDIR/bench-clips.txt (name<TAB>codec<TAB>path). Clips are cached
# by a settings stamp like the corpus.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: make-bench-clips.sh OUTDIR [quick|full]}
set_name=${2:-full}
mkdir -p "$out"
list="$out/bench-clips.txt.tmp"
: > "$list"

"$here/../tests/corpus/make-corpus.sh" "$out" quick >/dev/null
while IFS=$'\t' read -r name codec path; do
  case "$name" in
    vp9-352x288) printf '%s\t%s\t%s\n' "$name" "$codec" "$path" >> "$list" ;;
    vp9-1920x1080) [ "$set_name" = full ] && printf '%s\t%s\t%s\n' "$name" "$codec" "$path" >> "$list" ;;
  esac
done < "$out/corpus.txt"

# name width height frames lavfi-source vpxenc-args
BENCH=(
  "bench-vp9-1080p30-yt 1920 1080 90 testsrc2=size=1920x1080:rate=30,noise=alls=6:allf=t --good --cpu-used=2 --passes=2 --target-bitrate=4000 --end-usage=vbr --tile-columns=2 --auto-alt-ref=1 --lag-in-frames=25 --kf-max-dist=240 --row-mt=1 --fps=30000/1000"
  "bench-vp9-1080p30-mandel 1920 1080 60 mandelbrot=size=1920x1080:rate=30 --good --cpu-used=2 --passes=2 --target-bitrate=4000 --end-usage=vbr --tile-columns=2 --auto-alt-ref=1 --lag-in-frames=25 --kf-max-dist=240 --row-mt=1 --fps=30000/1000"
)

make_clip() {
  local name=$1 w=$2 h=$3 frames=$4 src=$5; shift 5
  local args="$*"
  local path="$out/$name.ivf" stamp="$out/$name.ivf.settings"
  local settings="vp9 $w $h $frames $src $args"
  if [ -s "$path" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$settings" ]; then
    printf '%s\t%s\t%s\n' "$name" vp9 "$path" >> "$list"; return
  fi
  local y4m="$out/.$name.y4m"
  ffmpeg -nostdin -hide_banner -loglevel error -y -f lavfi -i "$src" -frames:v "$frames" \
    -pix_fmt yuv420p -f yuv4mpegpipe "$y4m"
  echo "bench-clips: encoding $name (2-pass, this takes a few minutes)" >&2
  # shellcheck disable=SC2086
  if ! vpxenc --codec=vp9 --ivf --quiet --disable-warning-prompt --threads=2 $args -o "$path" "$y4m" 2>"$path.log"; then
    cat "$path.log" >&2; rm -f "$y4m"; echo "bench-clips: vpxenc failed for $name" >&2; exit 1
  fi
  rm -f "$y4m" "$path.log"
  echo "$settings" > "$stamp"
  printf '%s\t%s\t%s\n' "$name" vp9 "$path" >> "$list"
}

if [ "$set_name" = full ]; then
  for spec in "${BENCH[@]}"; do
    # shellcheck disable=SC2086
    make_clip $spec
  done
fi
mv "$list" "$out/bench-clips.txt"
cat "$out/bench-clips.txt"
