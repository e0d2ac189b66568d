#!/usr/bin/env bash
# The README's main job: set up, build, generate a VP9 sample and decode it
# with daedalus, printing per-frame timing and a bit-exact verdict against
# libavcodec measured in the same run.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

bash scripts/setup-debian.sh
build=${DAEDALUS_BUILD_DIR:-$root/build}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j"$(nproc)" --target daedalus-decode

samples="$build/corpus"
tests/corpus/make-corpus.sh "$samples" quick
clip="$samples/vp9-1920x1080.ivf"
decode="$build/tools/decode/daedalus-decode"

backend=${DAEDALUS_BACKEND:-cpu}
decoder=daedalus
if ! "$decode" "$clip" --decoder daedalus --backend "$backend" --frames 1 >/dev/null 2>&1; then
  echo "demo: --decoder daedalus --backend $backend cannot decode this clip yet; showing the libavcodec reference path"
  decoder=ffmpeg
fi
echo "demo: $clip (1920x1080 VP9, 60 frames) with --decoder $decoder --backend $backend"
"$decode" "$clip" --decoder "$decoder" --backend "$backend" --profile --verify
