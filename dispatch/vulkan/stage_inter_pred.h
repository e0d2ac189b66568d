// SPDX-License-Identifier: MIT
// The inter_pred stage's host side (stage_inter_pred.cpp, shader
// shaders/inter_pred.comp): prediction jobs with reference positions from
// dispatch/vp9/inter_geometry.h, and the 4x4-pixel units the shader's
// invocations predict.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "vk_work.h"

namespace daedalus::dispatch::vk {

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
// word 32 + 16 * num_jobs, one word per unit of a job, 4 columns by
// DD_INTER_UNIT_ROWS rows (what one shader invocation predicts): job << 8
// | unit_row << 4 | unit_col, grouped by pass (0: every job's first
// reference, 1: compound jobs' second), by the reference slot the pass
// reads and by the unit kind of the job in that pass (DD_INTER_KIND_*):
// units[pass][slot][kind] is one dispatch of that kind's pipeline.
constexpr uint32_t kJobHeaderWords = DD_JOB_HEADER_WORDS, kJobWords = DD_JOB_WORDS;
constexpr uint32_t kInterKinds = DD_INTER_KINDS, kInterUnitRows = DD_INTER_UNIT_ROWS;
struct InterPlan {
  std::vector<uint32_t> words;  // plan_inter(work, refs) only: the words above
  uint32_t num_words = 0;       // header, jobs and units
  uint32_t num_jobs = 0, num_units = 0;
  Range units[2][3][kInterKinds];
  // Scratch kept from frame to frame: per job its unit columns and rows,
  // reference count and (slot, kind) group per pass (the unit pass reads
  // these, not the jobs it wrote to device memory).
  std::vector<uint32_t> job_units;
};
// The kind of a job's unit in the pass that reads reference position
// (pos_x, pos_y) with step (dx, dy) (DD_INTER_KIND_*).
inline uint32_t inter_kind(uint32_t pos_x, uint32_t pos_y, uint32_t dx, uint32_t dy) {
  if (dx != 16 || dy != 16) return DD_INTER_KIND_SCALED;
  return ((pos_x & 15) ? DD_INTER_KIND_H : 0u) | ((pos_y & 15) ? DD_INTER_KIND_V : 0u);
}
// The words into plan.words.
InterPlan plan_inter(const FrameWork& work, const RefView refs[3]);
// The words written in place at words(n), which returns room for at least
// n words (the backend's persistently mapped jobs buffer): no copy.
// plan.words is left alone; plan's storage is reused frame after frame.
void plan_inter(const FrameWork& work, const RefView refs[3], InterPlan& plan,
                const std::function<uint32_t*(size_t n)>& words);

}  // namespace daedalus::dispatch::vk
