// SPDX-License-Identifier: MIT
// What the Vulkan stages share of a frame's host-side preparation: input
// validation (dispatch/vp9/work_checks.h, shared with the CPU backend) and
// the tx aux array that residual, intra_recon and add_residual read, each
// part planned by its stage's file (stage_<shader>.cpp). The loop filter's
// and inter prediction's own plans: stage_loop_filter.h, stage_inter_pred.h.
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
// eob == 0), followed by index lists described by the ranges below, in the
// order plan_tx has the stages append them: residual (stage_residual.cpp),
// add_residual (stage_add_residual.cpp), intra_recon
// (stage_intra_recon.cpp).
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
  uint32_t intra_dispatches() const { return uint32_t(intra_steps.size()); }
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
constexpr uint32_t kIntraChainMaxGroups = VulkanOptions::kDefaultIntraChainMaxGroups;
uint32_t intra_level_groups(uint32_t count, uint32_t count_4x4);
inline uint32_t TxPlan::intra_groups(size_t level) const {
  return intra_level_groups(intra_levels[level].count, intra_level_4x4[level]);
}
// plan_intra's per-4x4-unit level grids, kept by a caller that plans
// frame after frame: zeroed once per frame size, and after each frame only
// the units its intra blocks touched are zeroed again (an inter frame has
// few), instead of two grids of the whole frame per plane every frame.
struct IntraGrids {
  int cols[3] = {}, rows[3] = {};
  std::vector<uint32_t> wrote[3], read[3];
  bool clean = false;  // every cell 0 (false: zero them all first)
  // Sized for a frame of p's size, every cell 0 (zeroed only when the size
  // changed or they are not clean).
  void fit(const dd_frame_params& p);
};
TxPlan plan_tx(const FrameWork& work, uint32_t chain_max_groups = kIntraChainMaxGroups, IntraGrids* grids = nullptr);
// plan_tx's parts, one per stage, each appending its lists to plan.aux.
void plan_residual(const FrameWork& work, TxPlan& plan);      // aux[0, num_tx), by_size, residual_samples
void plan_add_residual(const FrameWork& work, TxPlan& plan);  // inter, inter_4x4
void plan_intra(const FrameWork& work, uint32_t chain_max_groups, TxPlan& plan, IntraGrids& grids);  // intra_*

}  // namespace daedalus::dispatch::vk
