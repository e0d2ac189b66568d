// SPDX-License-Identifier: MIT
// The residual stage's host side (shaders/residual.comp, one pipeline per
// transform size): where each tx block's residual goes, the tx blocks of
// each size, and one dispatch per size.
#include <vector>

#include "daedalus/error.h"
#include "vk_backend.h"

namespace daedalus::dispatch::vk {

void plan_residual(const FrameWork& work, TxPlan& plan) {
  const size_t num_tx = work.tx_blocks.size();
  plan.aux.assign(num_tx, kNoResidual);
  uint32_t off = 0;
  std::vector<uint32_t> by_size[4];
  for (size_t i = 0; i < num_tx; ++i) {
    const dd_tx_block& t = work.tx_blocks[i];
    if (!t.eob) continue;
    plan.aux[i] = off;
    off += 16u << (2 * t.tx_size);
    by_size[t.tx_size].push_back(uint32_t(i));
  }
  plan.residual_samples = off;
  for (int s = 0; s < 4; ++s) {
    plan.by_size[s] = {uint32_t(plan.aux.size()), uint32_t(by_size[s].size())};
    plan.aux.insert(plan.aux.end(), by_size[s].begin(), by_size[s].end());
  }
}

void VulkanBackend::residual(const FrameWork& work) {
  require_frame("residual");
  if (work.tx_blocks.size() != params_.num_tx_blocks) throw Error("vulkan backend: residual: not this frame's work");
  stage_begin(Stage::kResidual);
  for (uint32_t sz = 0; sz < 4; sz++) {
    const Range& r = tx_plan_.by_size[sz];
    if (!r.count) continue;
    const PipelineId id = PipelineId(kResidual4 + sz);
    VkDescriptorSet set =
        make_set(id, {tx_buf_.buffer(), coeff_buf_.buffer(), residual_buf_.buffer(), tx_aux_buf_.buffer()});
    dd_residual_push pc{r.base, r.count, (work.params.flags & DD_FRAME_LOSSLESS) ? 1u : 0u};
    // 64 / n blocks per workgroup, one row then one column per invocation;
    // 32x32: one block, two invocations per row and column (residual.comp).
    const uint32_t per_group = sz == 3 ? 1u : 64u >> (2 + sz);
    dispatch_linear(id, set, pc, div_up(r.count, per_group));  // independent blocks: no barrier between sizes
  }
  residual_recorded_ = true;
  stage_end(Stage::kResidual);
}

}  // namespace daedalus::dispatch::vk
