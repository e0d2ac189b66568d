#!/usr/bin/env bash
# Builds the libFuzzer target with clang (ASan + UBSan) and runs it for a
# bounded time on seeds made from the generated VP9 corpus.
#   tests/fuzz/run-fuzz.sh [SECONDS]      (default 60)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
seconds=${1:-60}
build=${DAEDALUS_FUZZ_BUILD_DIR:-$root/build-fuzz}
corpus_dir=${DAEDALUS_CORPUS_DIR:-$root/build/corpus}

CC=clang CXX=clang++ cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DDAEDALUS_FUZZ=ON -DDAEDALUS_VULKAN=OFF >/dev/null
cmake --build "$build" --target vp9_decode_fuzzer -j"$(nproc)"

DAEDALUS_RESIZE_ENCODER=${DAEDALUS_RESIZE_ENCODER:-} "$root/tests/corpus/make-corpus.sh" "$corpus_dir" quick >/dev/null
seeds="$build/fuzz-seeds"
work="$build/fuzz-work"
rm -rf "$work"
mkdir -p "$work"
python3 "$root/tests/fuzz/make_seeds.py" "$seeds" 4 "$corpus_dir"/vp9-*.ivf
ls "$seeds" | grep -q . || { echo "run-fuzz: no seeds" >&2; exit 1; }
echo "run-fuzz: fuzzing the VP9 decoder for ${seconds}s"
"$build/tests/fuzz/vp9_decode_fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
  -max_len=200000 -print_final_stats=1 -artifact_prefix="$build/" "$work" "$seeds"
