#!/bin/bash
# SPDX-License-Identifier: MIT
# Times the Vulkan backend (lavapipe) under QEMU's TCG in user mode: a
# stand-in for the VM suite's TCG guest that takes about a minute instead
# of a guest boot plus a 2-4 minute daemon warm-up per try.
#
# What it is good for: comparing two builds of a shader on the workload
# that the TCG guest runs (tests/vm). User mode has no soft MMU and no
# guest kernel, so absolute times are about half the guest's, but the
# stages keep their proportions (docs/perf-log/2026-12.md). With -t 1 (one
# llvmpipe thread) run-to-run noise is much lower: use it to compare, -t 2
# to see what the guest's two vCPUs get.
#
# Usage: bench/tcg_proxy.sh [-b BUILD_DIR] [-f FRAMES] [-t THREADS] [-r REPEATS] CLIP
# Prints, per run, the --profile line of every packet with the CPU-side
# stage times dropped (the *.gpu, entropy and frame.* columns remain).
set -euo pipefail

build=build frames=1 threads= repeats=1
while getopts "b:f:t:r:h" opt; do
  case $opt in
    b) build=$OPTARG ;;
    f) frames=$OPTARG ;;
    t) threads=$OPTARG ;;
    r) repeats=$OPTARG ;;
    *) sed -n '2,/^set -e/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
[ $# -eq 1 ] || { echo "usage: $0 [-b BUILD_DIR] [-f FRAMES] [-t THREADS] [-r REPEATS] CLIP" >&2; exit 2; }
clip=$1
decode=$build/tools/decode/daedalus-decode
command -v qemu-x86_64 >/dev/null || { echo "tcg_proxy: qemu-x86_64 not found (Debian: qemu-user)" >&2; exit 1; }
[ -x "$decode" ] || { echo "tcg_proxy: $decode not built" >&2; exit 1; }
[ -r "$clip" ] || { echo "tcg_proxy: cannot read $clip" >&2; exit 1; }

# -cpu max: QEMU's TCG emulates AVX2, as the VM suite's guest CPU does
# (tests/vm/run.sh); llvmpipe then JITs 256-bit code, as it does there.
for ((i = 1; i <= repeats; i++)); do
  echo "run $i: $(basename "$clip"), $frames frame(s), LP_NUM_THREADS=${threads:-default}"
  env ${threads:+LP_NUM_THREADS=$threads} qemu-x86_64 -cpu max "$decode" --decoder daedalus --backend vulkan \
    --warm-up --profile --frames "$frames" "$clip" 2>&1 >/dev/null |
    grep -E '^profile (packet|summary)' |
    sed -E 's/ +(parse|residual|inter_pred|intra_recon|loop_filter|pack_nv12) [0-9.]+//g'
done
