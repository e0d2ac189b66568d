// SPDX-License-Identifier: MIT
// Thread counts chosen by environment variables (DAEDALUS_CPU_THREADS for
// the CPU backend's stages, DAEDALUS_ENTROPY_THREADS for VP9 tile columns).
#pragma once

namespace daedalus::dispatch {

// The value of environment variable `name` when it is a whole number in
// 1..16; otherwise the machine's hardware threads, at most 4 (the Pi 5 has
// four cores; more threads than that only add contention for the bitstream
// and the stage pools on bigger hosts).
unsigned threads_from_env(const char* name);

}  // namespace daedalus::dispatch
