// SPDX-License-Identifier: MIT
// Superblock waves, the order the loop filter and the intra stage's second
// schedule walk superblocks in: superblocks with equal sbx + 2 * sby (a
// wave) touch no pixel another one of the wave reads or writes, for the
// loop filter and for intra prediction alike.
#pragma once

#include <cstdint>

namespace daedalus::dispatch::vk {

inline uint32_t num_superblock_waves(uint32_t sb_cols, uint32_t sb_rows) { return sb_cols + 2 * (sb_rows - 1); }

// fn(sbx, sby) for the superblocks of `wave`, top first.
template <class Fn>
void for_each_superblock_of_wave(uint32_t wave, uint32_t sb_cols, uint32_t sb_rows, Fn&& fn) {
  for (uint32_t sby = 0; sby < sb_rows && 2 * sby <= wave; ++sby)
    if (const uint32_t sbx = wave - 2 * sby; sbx < sb_cols) fn(sbx, sby);
}

}  // namespace daedalus::dispatch::vk
