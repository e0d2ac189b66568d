#!/usr/bin/env bash
# One command for a fresh Debian 12 machine: install dependencies, build,
# generate the bench clips, run daedalus-bench (times, then instruction
# counts under callgrind), and write the results under build/bench/:
#
#   bench.json, summary.txt, bench.png     decoders and stages, timed
#   callgrind.json                         Ir per frame / per CPU stage
#   pi5-model.md                           Pi 5 frame time projection
#   pi5-model-v3d.md                       the same from the V3D compiler's output
#   microbench.json                        Google Benchmark, CPU stages
#
# Environment: DAEDALUS_BUILD_DIR (default build), BENCH_REPEAT (2),
# BENCH_FRAMES (all), BENCH_VULKAN_FRAMES (lavapipe takes seconds per
# 1080p frame: 20 by default, "all" for every frame), BENCH_CALLGRIND_FRAMES (10; 0 skips callgrind),
# BENCH_SET (full | quick).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

bash scripts/setup-debian.sh
build=${DAEDALUS_BUILD_DIR:-$root/build}
out="$build/bench"
jobs=$(nproc)
[ "$jobs" -gt 2 ] || jobs=2
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j"$jobs" --target daedalus-bench
cmake --build "$build" -j"$jobs" --target daedalus-bench-stages 2>/dev/null || echo "bench: no CPU backend, no microbenchmarks"

mkdir -p "$out"
bench/make-bench-clips.sh "$build/bench-clips" "${BENCH_SET:-full}" >/dev/null
list="$build/bench-clips/bench-clips.txt"
bin="$build/bench/daedalus-bench"
frames=()
[ -n "${BENCH_FRAMES:-}" ] && frames=(--frames "$BENCH_FRAMES")
[ "${BENCH_VULKAN_FRAMES:-20}" != all ] && frames+=(--vulkan-frames "${BENCH_VULKAN_FRAMES:-20}")

"$bin" --clip-list "$list" --repeat "${BENCH_REPEAT:-2}" "${frames[@]}" \
  --json "$out/bench.json" --summary "$out/summary.txt"
/usr/bin/python3 bench/check_bench_json.py "$out/bench.json"
/usr/bin/python3 bench/plot_bench.py "$out/bench.json" "$out/bench.png"

cg_frames=${BENCH_CALLGRIND_FRAMES:-10}
if [ "$cg_frames" -gt 0 ]; then
  # Instruction counts are repeatable where times are not; a few frames of
  # the 1080p bench clip are enough (callgrind runs ~50x slower).
  clips=()
  while IFS= read -r c; do clips+=("$c"); done < <(awk -F'\t' '$1 ~ /^bench-/ {print $1 "=" $3}' "$list")
  [ ${#clips[@]} -gt 0 ] || clips=("$(awk -F'\t' 'NR==1 {print $1 "=" $3}' "$list")")
  # valgrind cannot run everything everywhere (seen: valgrind 3.19 stops
  # with SIGILL on rdtscp in libhwy's initialiser, which libavcodec loads,
  # on an Intel Xeon): then the times above stand alone.
  if "$bin" --callgrind "${clips[@]}" --frames "$cg_frames" --stage-size 1920x1080 \
    --callgrind-dir "$out/callgrind" --json "$out/callgrind.json" >/dev/null; then
    echo "bench: instruction counts in $out/callgrind.json"
    : > "$out/pi5-model.md"
    for c in "${clips[@]}"; do
      /usr/bin/python3 bench/pi5_model.py "$out/bench.json" "$out/callgrind.json" --clip "${c%%=*}" >> "$out/pi5-model.md"
      echo >> "$out/pi5-model.md"
    done
    echo "bench: Pi 5 projection in $out/pi5-model.md"
  else
    rm -f "$out/callgrind.json" "$out/pi5-model.md"
    echo "bench: the callgrind run failed on this machine ($(grep -m1 -E 'unhandled instruction|Unrecognised instruction|valgrind:' "$out/callgrind/child.log" 2>/dev/null || echo "see $out/callgrind/child.log")): no instruction counts or Pi 5 projection this time" >&2
  fi
fi
# The Pi 5 projection from the Pi 5's own shader compiler (issue 19): V3D
# statistics of every pipeline (tests/v3d/v3d-check.sh, which builds and
# caches Mesa V3DV + its noop shim once per machine) and the stateless
# Vulkan run's dispatches with their loops counted (a separate run: the
# counting costs host CPU that the timed run above must not carry).
if cmake --build "$build" -j"$jobs" --target daedalus-checkasm >/dev/null &&
   tests/v3d/v3d-check.sh "$build/tools/checkasm/daedalus-checkasm" "$build/v3d" > "$out/v3d-check.log" 2>&1; then
  "$bin" --clip-list "$list" --decoders daedalus-vulkan-stateless --vk-count-loop-trips --repeat 1 \
    --vulkan-frames "${BENCH_VULKAN_FRAMES:-20}" --no-stage-bench --no-progress --json "$out/bench-v3d.json" >/dev/null
  /usr/bin/python3 bench/pi5_model.py --v3d "$build/v3d/stats.json" "$out/bench-v3d.json" > "$out/pi5-model-v3d.md"
  echo "bench: Pi 5 projection from the V3D compiler in $out/pi5-model-v3d.md"
else
  echo "bench: no V3D statistics on this machine (see $out/v3d-check.log): no V3D projection" >&2
fi
if [ -x "$build/bench/daedalus-bench-stages" ]; then
  "$build/bench/daedalus-bench-stages" --benchmark_repetitions=3 --benchmark_report_aggregates_only=true \
    --benchmark_out="$out/microbench.json" --benchmark_out_format=json >/dev/null
  echo "bench: CPU stage microbenchmarks in $out/microbench.json"
fi
echo "bench: $out/bench.json $out/bench.png $out/summary.txt"
cat "$out/summary.txt"
