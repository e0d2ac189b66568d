// SPDX-License-Identifier: MIT
// Host-side preparation of a frame's work for the Vulkan shaders: input
// validation (dispatch/vp9/work_checks.h, shared with the CPU backend),
// index lists that group tx blocks per transform size, intra wavefront
// levels, loop-filter superblock levels, and inter prediction jobs with
// reference positions from dispatch/vp9/inter_geometry.h.
#pragma once

#include <cstdint>
#include <vector>

#include "daedalus/dispatch/dispatch.h"
#include "daedalus/shader_interface.h"

namespace daedalus::dispatch::vk {

constexpr uint32_t kNoResidual = DD_NO_RESIDUAL;

// vp9::check_work with this backend's name: throws daedalus::Error for
// exactly the work the CPU backend rejects. The planners below assume it
// has passed.
void validate_work(const FrameWork& work);

// The "tx aux" array the residual / intra / add_residual shaders read:
// words [0, num_tx) hold each tx block's residual offset (kNoResidual when
// eob == 0), followed by index lists described by the ranges below.
struct Range {
  uint32_t base = 0, count = 0;
};
struct TxPlan {
  std::vector<uint32_t> aux;
  uint32_t residual_samples = 0;  // int16 residual buffer size
  Range by_size[4];               // eob > 0 tx blocks of each size
  std::vector<Range> intra_levels;  // intra tx blocks, wavefront level by level
  // Per level: how many of its blocks (listed first) are 4x4; the larger
  // ones (8x8 to 32x32) follow them.
  std::vector<uint32_t> intra_level_4x4;
  uint32_t intra_groups(size_t level) const;  // workgroups a level takes
  // The intra dispatches: a wide level alone, or a chain of consecutive
  // narrow levels walked by one workgroup (barriers between levels instead
  // of a dispatch per level). A chain's levels are described in aux from
  // chain_base, kIntraLevelWords each: list base, count, 4x4 count.
  struct IntraStep {
    uint32_t first_level = 0, num_levels = 1;
    uint32_t chain_base = 0;  // when chain()
    bool chain() const { return num_levels > 1; }
  };
  std::vector<IntraStep> intra_steps;
  // The other way to run the same levels: superblock waves. Superblocks
  // with equal sbx + 2 * sby read no pixel another one writes (as in the
  // loop filter), so a wave is one dispatch of one workgroup per superblock
  // that holds intra blocks, and each workgroup walks its superblock's
  // blocks level by level as a chain. A wave's workgroup g finds its chain
  // at aux[wave.base + 2 g] (chain base, number of levels). A key frame has
  // hundreds of levels but only sb_cols + 2 sb_rows waves; a frame with few
  // intra blocks has few levels. Not the default: on lavapipe the waves'
  // long chains cost more than the dispatches they save (a 720p key frame
  // in the QEMU TCG guest: 0.72 s of intra time instead of 0.52-0.54 s);
  // on V3DV, where every dispatch is a CSD job, they may not
  // (DAEDALUS_VK_INTRA_SCHEDULE=waves or auto, unmeasured there).
  std::vector<Range> intra_waves;
  bool intra_by_superblock = false;  // dispatch intra_waves instead of intra_steps
  uint32_t intra_dispatches() const {
    return uint32_t(intra_by_superblock ? intra_waves.size() : intra_steps.size());
  }
  Range inter;                      // inter tx blocks with eob > 0, 4x4 ones first
  uint32_t inter_4x4 = 0;           // how many of them are 4x4
};
// An intra workgroup (64 invocations) predicts 16 4x4 blocks (4
// invocations each: a 4x4 block is 4 words) or 4 larger ones (16 each: an
// 8x8 block is 16 words, a 32x32 one 256). No invocation idles through a
// small block's set-up, and a large block's set-up is paid by 16
// invocations, not 64 (on SIMD lavapipe, by two 8-lane groups, not eight).
constexpr uint32_t kIntra4x4PerGroup = DD_INTRA_4X4_PER_GROUP, kIntraLargerPerGroup = DD_INTRA_LARGER_PER_GROUP;
constexpr uint32_t kIntraLevelWords = DD_INTRA_LEVEL_WORDS;  // a chained level's descriptor in aux
// A level is narrow (chained) when it needs at most this many workgroups.
constexpr uint32_t kIntraChainMaxGroups = 2;
uint32_t intra_level_groups(uint32_t count, uint32_t count_4x4);
inline uint32_t TxPlan::intra_groups(size_t level) const {
  return intra_level_groups(intra_levels[level].count, intra_level_4x4[level]);
}
// kAuto: whichever of the two takes fewer dispatches.
enum class IntraSchedule { kLevels, kSuperblockWaves, kAuto };
TxPlan plan_tx(const FrameWork& work, uint32_t chain_max_groups = kIntraChainMaxGroups,
               IntraSchedule schedule = IntraSchedule::kLevels);

// The loop filter's superblocks in wave order (list: sbx | sby << 16,
// levels: the waves), and per superblock of list kLfEdgeWords words of
// masks (edges): which of its units have an edge to filter (size 4, 8 or
// 16 and a level of 1..63). The shader walks only those units instead of
// loading every unit of the superblock (loop_filter.comp).
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
LfPlan plan_loop_filter(const FrameWork& work);

// A reference as the inter stage sees it.
struct RefView {
  bool present = false;
  int plane_w[3] = {}, plane_h[3] = {};  // plane sizes of the surface
  uint32_t offset[3] = {}, stride[3] = {}, step[3] = {};
};

// Inter prediction jobs: header words [0, 27) = reference plane layouts
// [slot][plane] (offset, stride, step); from word 32, 16 words per job:
//   [0] plane | filter << 8 | nrefs << 16, [1] x | y << 16, [2] w | h << 16,
//   [3 + 5 i] ref slot, pos_x, pos_y (1/16 pel), dx | dy << 16,
//             ref_w | ref_h << 16   for i = 0, 1.
// Only the part of each block inside the decoded area becomes a job. From
// word 32 + 16 * num_jobs, one word per 4x4-pixel unit of a job (what one
// shader invocation predicts): job << 8 | unit_row << 4 | unit_col, grouped
// by pass (0: every job's first reference, 1: compound jobs' second) and
// by the reference slot the pass reads: units[pass][slot] is one dispatch.
constexpr uint32_t kJobHeaderWords = DD_JOB_HEADER_WORDS, kJobWords = DD_JOB_WORDS;
struct InterPlan {
  std::vector<uint32_t> words;
  uint32_t num_jobs = 0, num_units = 0;
  Range units[2][3];
};
InterPlan plan_inter(const FrameWork& work, const RefView refs[3]);
// The same into `plan`, reusing its storage (a backend plans every frame).
void plan_inter(const FrameWork& work, const RefView refs[3], InterPlan& plan);

}  // namespace daedalus::dispatch::vk
