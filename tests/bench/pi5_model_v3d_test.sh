#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# CTest bench.pi5_model_v3d: the Pi 5 projection from the V3D compiler's
# statistics (v3d.compile's build/v3d/stats.json) and the stateless run's
# dispatch records, on a small corpus clip: the loops the backend counts
# must match the loops of the compiled programs (pi5_model.py fails
# otherwise), and both frame kinds must be projected. Skips (77) when
# v3d.compile could not run on this machine.
set -euo pipefail
bench=$1 corpus=$2 stats=$3 out=$4 python=$5 model=$6
[ -s "$stats" ] || { echo "pi5_model_v3d: no $stats (v3d.compile skipped or not run)"; exit 77; }
mkdir -p "$out"
clip="$corpus/vp9-352x288.ivf"
[ -s "$clip" ] || { echo "pi5_model_v3d: $clip missing (corpus fixture)"; exit 1; }
"$bench" "$clip" --decoders daedalus-vulkan-stateless --vk-count-loop-trips --frames 8 --repeat 1 \
  --no-stage-bench --no-progress --json "$out/bench.json" > "$out/bench.out"
"$python" "$model" --v3d "$stats" "$out/bench.json" | tee "$out/projection.txt"
grep -q "^  key frames (" "$out/projection.txt"
grep -q "^  inter frames (" "$out/projection.txt"
grep -q "^    loop_filter " "$out/projection.txt"
if grep "loops not counted" "$out/projection.txt" | grep -q "loop_filter"; then
  echo "pi5_model_v3d: loop_filter's loops were not counted" >&2
  exit 1
fi
