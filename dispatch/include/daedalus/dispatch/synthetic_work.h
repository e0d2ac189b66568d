// SPDX-License-Identifier: MIT
// Synthetic but realistic per-frame work descriptions for benchmarking the
// dispatch stages without a bitstream: the partition / transform / motion
// statistics of a 1080p VP9 stream at ~4 Mbit/s (mostly 16x16..32x32
// blocks, ~85% inter blocks on inter frames, ~30% of inter tx blocks with
// coefficients, sparse low-frequency coefficients, small motion vectors).
// Used by bench/ and by warm_up() (dispatch.h). Deterministic for a given seed. Every record obeys work.h's contract:
// decode order, edge-availability flags that only point at pixels decoded
// earlier, loop-filter sizes on transform edges.
#pragma once

#include <cstdint>

#include "daedalus/dispatch/dispatch.h"

namespace daedalus::dispatch {

struct SyntheticOptions {
  uint32_t width = 1920, height = 1080;
  bool intra_only = false;  // a key frame: every block intra
  uint32_t seed = 1;
};

FrameWork make_synthetic_work(const SyntheticOptions& opt);

// Fills a planar surface's visible area with a smooth, moving-looking
// pattern (references for inter prediction).
void fill_reference(Surface& surface, uint32_t seed);

}  // namespace daedalus::dispatch
