#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan) and runs each for
# a bounded time on seeds made from the generated corpus: two thirds of the
# time for the VP9 decoder, one third for H.264 (its header parser and its
# entropy decoder, half each).
#   tests/fuzz/run-fuzz.sh [SECONDS]      (default 60, both together)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
seconds=${1:-60}
build=${DAEDALUS_FUZZ_BUILD_DIR:-$root/build-fuzz}
corpus_dir=${DAEDALUS_CORPUS_DIR:-$root/build/corpus}

CC=clang CXX=clang++ cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DDAEDALUS_FUZZ=ON -DDAEDALUS_VULKAN=OFF >/dev/null
cmake --build "$build" --target vp9_decode_fuzzer h264_headers_fuzzer h264_entropy_fuzzer -j"$(nproc)"

DAEDALUS_RESIZE_ENCODER=${DAEDALUS_RESIZE_ENCODER:-} "$root/tests/corpus/make-corpus.sh" "$corpus_dir" quick >/dev/null

# fuzz NAME SECONDS SEEDS: one target on its seeds, from a clean work folder.
fuzz() {
  local name=$1 secs=$2 seeds=$3 work="$build/fuzz-work-$1"
  ls "$seeds" | grep -q . || { echo "run-fuzz: no seeds for $name" >&2; exit 1; }
  rm -rf "$work"
  mkdir -p "$work"
  echo "run-fuzz: fuzzing $name for ${secs}s"
  "$build/tests/fuzz/$name" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
    -max_len=200000 -print_final_stats=1 -artifact_prefix="$build/$name-" "$work" "$seeds"
}

vp9_seeds="$build/fuzz-seeds"
python3 "$root/tests/fuzz/make_seeds.py" "$vp9_seeds" 4 "$corpus_dir"/vp9-*.ivf
# H.264 seeds: the start of each Annex B clip (parameter sets, the first
# pictures' slices), the input format of the target.
h264_seeds="$build/fuzz-seeds-h264"
mkdir -p "$h264_seeds"
for clip in "$corpus_dir"/h264-*.h264; do
  head -c 20000 "$clip" > "$h264_seeds/$(basename "$clip" .h264)"
done

vp9_seconds=$((seconds * 2 / 3))
fuzz vp9_decode_fuzzer "$vp9_seconds" "$vp9_seeds"
# At least a second each: libFuzzer takes -max_total_time=0 as no limit.
h264_seconds=$(((seconds - vp9_seconds + 1) / 2))
entropy_seconds=$((seconds - vp9_seconds - h264_seconds))
fuzz h264_headers_fuzzer "$((h264_seconds > 0 ? h264_seconds : 1))" "$h264_seeds"
fuzz h264_entropy_fuzzer "$((entropy_seconds > 0 ? entropy_seconds : 1))" "$h264_seeds"
