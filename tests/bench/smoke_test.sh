#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# CTest smoke test: daedalus-bench on the smallest corpus clip, then the
# JSON schema check. Passes whether or not our decoder decodes the clip
# (an unavailable run must say why); fails on a malformed report.
set -euo pipefail
bench=$1 corpus=$2 out=$3 python=$4 checker=$5
mkdir -p "$out"
clip="$corpus/vp9-98x66.ivf"
[ -s "$clip" ] || { echo "smoke: $clip missing (corpus fixture)"; exit 1; }
"$bench" "$clip" --repeat 1 --stage-iterations 1 --stage-size 96x64 --no-progress --json "$out/bench.json"
"$python" "$checker" "$out/bench.json" --require-run libavcodec-1t libavcodec-mt libvpx-1t libvpx-mt daedalus-cpu daedalus-vulkan
