// SPDX-License-Identifier: MIT
// The default thread count of the CPU backend's stages and of VP9's tile
// columns, when the caller sets none (BackendOptions::cpu_threads,
// vp9 set_entropy_threads).
#pragma once

namespace daedalus::dispatch {

// The machine's hardware threads, at most 4 (the Pi 5 has four cores; more
// threads than that only add contention for the bitstream and the stage
// pools on bigger hosts).
unsigned default_threads();

}  // namespace daedalus::dispatch
