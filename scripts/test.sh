#!/usr/bin/env bash
# The README's test command: set up a fresh Debian 12 machine, build
# everything, and run every test. Exits non-zero on any failure.
#
#   1. the code that parses untrusted input (VP9 decoder, H.264 headers,
#      CPU stages, media layer, daemon protocol) under ASan + UBSan;
#   2. the CPU backend's stage threads and the VP9 tile column threads
#      under TSan;
#   3. a bounded libFuzzer run over the VP9 decoder and the H.264 headers;
#   4. everything else in one CTest run, last, so its summary closes the
#      log: unit tests, CLI vs `ffmpeg -f framemd5` on the generated corpus,
#      our VP9 decoder on both backends vs libavcodec and vs vpxdec, the
#      Vulkan checker and V3DV-profile test on lavapipe with validation,
#      bench smoke test, the module compiled against Debian's 6.1 headers
#      and cross-compiled for arm64 against 6.12, and the kernel module +
#      daemon in QEMU on a 6.12 kernel built from Debian's
#      linux-source-6.12 (cached in ~/.cache/daedalus), GStreamer through
#      the daemon on both backends included.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

bash scripts/setup-debian.sh

build=${DAEDALUS_BUILD_DIR:-$root/build}
asan=${DAEDALUS_ASAN_BUILD_DIR:-$root/build-asan}
jobs=$(nproc)
fuzz_seconds=${DAEDALUS_FUZZ_SECONDS:-60}

cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j"$jobs"
"$build"/tests/corpus/daedalus-resize-encode >/dev/null 2>&1 || true
export DAEDALUS_RESIZE_ENCODER="$build/tests/corpus/daedalus-resize-encode"

echo "== ASan + UBSan: decoders, stages, media, daemon =="
cmake -S . -B "$asan" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DDAEDALUS_SANITIZE=ON -DDAEDALUS_VULKAN=OFF \
  -DDAEDALUS_CORPUS_DIR="$build/corpus" >/dev/null
cmake --build "$asan" -j"$jobs" --target vp9_tests vp9_links_without_libav h264_tests h264_links_without_libav dispatch_cpu_test media_tests bridge_tests \
  daedalus-resize-encode
(cd "$asan" && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --output-on-failure -j"$jobs" -R '^(corpus|vp9|h264|dispatch\.cpu|media)\.|^[A-Z][A-Za-z0-9_]*\.' \
  -E 'libvpx|sharpness_bitexact|^cli\.|^vm\.|^vulkan\.|^bench\.|^checkasm\.')

echo "== TSan: the CPU backend's stage threads, VP9 tile column threads =="
# The fork-join pool and every stage on 1 vs 2, 3, 5 threads (the loop
# filter's rows wait on each other; a wait one superblock short is a race
# TSan reports).
tsan=${DAEDALUS_TSAN_BUILD_DIR:-$root/build-tsan}
cmake -S . -B "$tsan" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDAEDALUS_VULKAN=OFF \
  -DCMAKE_CXX_FLAGS=-fsanitize=thread -DCMAKE_EXE_LINKER_FLAGS=-fsanitize=thread \
  -DDAEDALUS_CORPUS_DIR="$build/corpus" >/dev/null
cmake --build "$tsan" -j"$jobs" --target dispatch_cpu_test vp9_tests
TSAN_OPTIONS=halt_on_error=1 "$tsan"/tests/unit/dispatch/dispatch_cpu_test --gtest_filter='ForkJoin.*:CpuThreads.*'
# VP9 tile columns entropy-decoded on 2, 3 and 4 threads against one.
TSAN_OPTIONS=halt_on_error=1 "$tsan"/tests/unit/vp9/vp9_tests --gtest_filter='CorpusTileThreads.*'

echo "== libFuzzer: VP9 decoder, H.264 headers, ${fuzz_seconds}s =="
DAEDALUS_CORPUS_DIR="$build/corpus" tests/fuzz/run-fuzz.sh "$fuzz_seconds"

echo "== all tests =="
# Vulkan tests run on lavapipe with the Khronos validation layer on.
export DAEDALUS_VK_VALIDATION=1
export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-/tmp}
cd "$build"
ctest --output-on-failure -j"$jobs" --timeout 2700
