#!/usr/bin/env bash
# The README's test command: set up a fresh Debian 12 machine, build
# everything, run every test (unit, CLI-vs-ffmpeg, corpus, QEMU kernel
# harness). Exits non-zero on any failure.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

bash scripts/setup-debian.sh

build=${DAEDALUS_BUILD_DIR:-$root/build}
jobs=$(nproc)
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j"$jobs"

# Vulkan tests run on lavapipe with the Khronos validation layer on.
export DAEDALUS_VK_VALIDATION=1
export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-/tmp}
cd "$build"
ctest --output-on-failure -j"$jobs" --timeout 1800
