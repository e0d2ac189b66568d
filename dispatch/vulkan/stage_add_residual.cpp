// SPDX-License-Identifier: MIT
// The add_residual pass's host side (shaders/add_residual.comp): the inter
// tx blocks whose residual is added to the prediction, 4x4 ones first, and
// their dispatches, recorded at the end of the inter_pred stage.
#include <algorithm>
#include <vector>

#include "vk_backend.h"
#include "vk_surface.h"

namespace daedalus::dispatch::vk {

void plan_add_residual(const FrameWork& work, TxPlan& plan) {
  std::vector<uint32_t> inter;
  for (size_t i = 0; i < work.tx_blocks.size(); ++i) {
    const dd_tx_block& t = work.tx_blocks[i];
    if (t.eob && t.mode == DD_MODE_INTER) inter.push_back(uint32_t(i));
  }
  std::stable_partition(inter.begin(), inter.end(),
                        [&](uint32_t i) { return work.tx_blocks[i].tx_size == DD_TX_4X4; });
  plan.inter_4x4 = uint32_t(
      std::count_if(inter.begin(), inter.end(), [&](uint32_t i) { return work.tx_blocks[i].tx_size == DD_TX_4X4; }));
  plan.inter = {uint32_t(plan.aux.size()), uint32_t(inter.size())};
  plan.aux.insert(plan.aux.end(), inter.begin(), inter.end());
}

void VulkanBackend::add_residual(VkSurface& dst, const dd_planes& planes) {
  if (!residual_recorded_ || !tx_plan_.inter.count) return;
  barrier();
  VkDescriptorSet set =
      make_set(kAddResidual, {tx_buf_.buffer(), residual_buf_.buffer(), tx_aux_buf_.buffer(), dst.buffer()});
  const Range& r = tx_plan_.inter;
  const uint32_t small = tx_plan_.inter_4x4;
  // Four 4x4 blocks per workgroup, or one larger block.
  if (small) {
    dd_add_residual_push pc{r.base, small, planes, 2};
    dispatch_linear(kAddResidual, set, pc, div_up(small, 4));
  }
  if (r.count > small) {
    dd_add_residual_push pc{r.base + small, r.count - small, planes, 0};
    dispatch_linear(kAddResidual, set, pc, r.count - small);
  }
}

}  // namespace daedalus::dispatch::vk
