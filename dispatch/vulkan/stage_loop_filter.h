// SPDX-License-Identifier: MIT
// The loop_filter stage's host side (stage_loop_filter.cpp, shader
// shaders/loop_filter.comp): which superblocks each dispatch filters and
// which of their units have an edge.
#pragma once

#include <cstdint>
#include <vector>

#include "vk_work.h"

namespace daedalus::dispatch::vk {

// The loop filter's superblocks in wave order (list: sbx | sby << 16,
// levels: the waves), and per superblock of list kLfEdgeWords words of
// masks (edges): which of its units have an edge to filter (size 4, 8 or
// 16 and a level of 1..63). The shader walks only those units instead of
// loading every unit of the superblock (loop_filter.comp). The backend has
// the GPU build the masks (loop_filter_masks.comp, the same words): the
// host plans only the list and the waves, which depend on nothing but the
// frame size and which planes have units.
//   [0, 8)   luma vertical edges, unit row r at bits 16 * (r & 1) of word r >> 1
//   [8, 10)  U vertical edges, unit row r at bits 8 * (r & 3) of word 8 + (r >> 2)
//   [10, 12) V vertical edges, likewise
//   [12, 24) horizontal edges, the same with unit columns for unit rows
// Bit i of a row's mask is the superblock's unit column i (of a column's
// mask, unit row i). unit_base: where each plane's dd_lf_unit array starts
// in the one unit buffer the shader reads (the planes one after another).
inline constexpr uint32_t kLfEdgeWords = DD_LF_EDGE_WORDS;
struct LfPlan {
  std::vector<uint32_t> list;
  std::vector<Range> levels;
  std::vector<uint32_t> edges;
  uint32_t unit_base[3] = {};
};
// with_edges: the masks built on the host too (the reference for
// loop_filter_masks.comp, and what counting the shader's loop trips reads);
// without, edges stays empty.
LfPlan plan_loop_filter(const FrameWork& work, bool with_edges = true);

}  // namespace daedalus::dispatch::vk
