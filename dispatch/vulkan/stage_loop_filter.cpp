// SPDX-License-Identifier: MIT
// The loop_filter stage's host side (shaders/loop_filter_masks.comp and
// shaders/loop_filter.comp): each superblock's edge masks built on the GPU
// in one dispatch (stage_loop_filter.h), then one dispatch per superblock
// wave.
#include "stage_loop_filter.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <bit>

#include "daedalus/error.h"
#include "vk_backend.h"
#include "vk_surface.h"

namespace daedalus::dispatch::vk {

namespace {

// Superblocks with equal sbx + 2 * sby (a wave) touch no pixel another one
// of the wave reads or writes. fn(sbx, sby) for the superblocks of `wave`,
// top first.
template <class Fn>
void for_each_superblock_of_wave(uint32_t wave, uint32_t sb_cols, uint32_t sb_rows, Fn&& fn) {
  for (uint32_t sby = 0; sby < sb_rows && 2 * sby <= wave; ++sby)
    if (const uint32_t sbx = wave - 2 * sby; sbx < sb_cols) fn(sbx, sby);
}
uint32_t num_superblock_waves(uint32_t sb_cols, uint32_t sb_rows) { return sb_cols + 2 * (sb_rows - 1); }

// Where plane `pl`'s masks sit among a superblock's edge words (the
// vertical ones; the horizontal ones 12 words later), as loop_filter.comp's
// edge_mask() reads them: n units per superblock side (4:2:0: 8 for
// chroma), per_word masks per word, mask i in word base + i / per_word.
struct LfMaskLayout {
  uint32_t n, per_word, base;
  uint32_t word(uint32_t i) const { return base + i / per_word; }
  uint32_t shift(uint32_t i) const { return n * (i % per_word); }
};
constexpr uint32_t kLfHorizontalWords = 12;
LfMaskLayout lf_mask_layout(int pl) {
  const uint32_t n = pl ? 8 : 16;
  return {n, 32 / n, pl == 0 ? 0u : pl == 1 ? 8u : 10u};
}

}  // namespace

LfPlan plan_loop_filter(const FrameWork& work, bool with_edges) {
  const dd_frame_params& p = work.params;
  LfPlan plan;
  plan.unit_base[1] = uint32_t(work.lf[0].size());
  plan.unit_base[2] = uint32_t(work.lf[0].size() + work.lf[1].size());
  bool any = false;
  for (auto& g : work.lf) any |= !g.empty();
  if (!any) return plan;
  const uint32_t sb_cols = (p.mi_cols + 7) / 8, sb_rows = (p.mi_rows + 7) / 8;
  plan.list.reserve(size_t(sb_cols) * sb_rows);
  if (with_edges) plan.edges.reserve(size_t(sb_cols) * sb_rows * kLfEdgeWords);
  for (uint32_t l = 0; l < num_superblock_waves(sb_cols, sb_rows); ++l) {
    Range r{uint32_t(plan.list.size()), 0};
    for_each_superblock_of_wave(l, sb_cols, sb_rows, [&](uint32_t sbx, uint32_t sby) {
      plan.list.push_back(sbx | sby << 16);
      r.count++;
      if (!with_edges) return;
      const size_t at = plan.edges.size();
      plan.edges.resize(at + kLfEdgeWords, 0);
      uint32_t* words = plan.edges.data() + at;
      for (int pl = 0; pl < 3; ++pl) {
        if (work.lf[pl].empty()) continue;
        const LfMaskLayout m = lf_mask_layout(pl);
        const uint32_t n = m.n;
        const uint32_t cols = p.lf_cols[pl], rows = p.lf_rows[pl];
        const uint32_t ux0 = sbx * n, uy0 = sby * n;
        for (uint32_t i = 0; i < n && uy0 + i < rows; ++i) {
          for (uint32_t j = 0; j < n && ux0 + j < cols; ++j) {
            const dd_lf_unit& u = work.lf[pl][size_t(uy0 + i) * cols + ux0 + j];
            if (u.level == 0) continue;  // levels above 63 do not pass validate_work
            // Vertical: row i's mask, bit j; horizontal: column j's, bit i.
            if (u.left_size) words[m.word(i)] |= 1u << (m.shift(i) + j);
            if (u.top_size) words[kLfHorizontalWords + m.word(j)] |= 1u << (m.shift(j) + i);
          }
        }
      }
    });
    if (r.count) plan.levels.push_back(r);
  }
  return plan;
}

namespace {

// The edge walks of shaders/loop_filter.comp's level `r`, as
// DispatchRecord::loop_trips: {vertical, horizontal}. Lanes 0-63 walk the
// luma unit rows (vertical) or columns (horizontal), 4 lanes each, lanes
// 64-95 and 96-127 the chroma planes' with 8 units per side; a 16-lane batch
// walks as many edges as the most of its 4 unit rows / columns has.
std::array<uint64_t, 2> lf_batch_trips(const LfPlan& plan, const Range& r) {
  std::array<uint64_t, 2> trips{};
  for (uint32_t s = r.base; s < r.base + r.count; ++s) {
    const uint32_t* words = plan.edges.data() + size_t(s) * kLfEdgeWords;
    for (int pass = 0; pass < 2; ++pass) {
      const uint32_t* w = words + kLfHorizontalWords * pass;
      for (int pl = 0; pl < 3; ++pl) {
        const LfMaskLayout m = lf_mask_layout(pl);
        for (uint32_t batch = 0; batch < m.n / 4; ++batch) {
          int most = 0;
          for (uint32_t i = 4 * batch; i < 4 * batch + 4; ++i)
            most = std::max(most, std::popcount((w[m.word(i)] >> m.shift(i)) & ((1u << m.n) - 1)));
          trips[pass] += uint64_t(most);
        }
      }
    }
  }
  return trips;
}

}  // namespace

std::vector<uint32_t> VulkanBackend::loop_filter_edges() const {
  if (lf_plan_.levels.empty()) return {};
  const uint32_t* at = reinterpret_cast<const uint32_t*>(lf_aux_buf_.data()) + lf_plan_.list.size();
  return std::vector<uint32_t>(at, at + lf_plan_.list.size() * kLfEdgeWords);
}

void VulkanBackend::loop_filter(const FrameWork& work, Surface& dst_s) {
  require_frame("loop_filter");
  VkSurface& dst = as_vk(dst_s, "loop_filter destination");
  dd_loop_filter_push pc{};
  pc.planes = dst_planes(dst, work.params, "loop_filter");
  // The shader moves pixels as 32-bit words (create_surface aligns planes
  // and strides to 16).
  for (int pl = 0; pl < 3; pl++)
    if (pc.planes.off[pl] % 4 || pc.planes.stride[pl] % 4)
      throw Error(fmt::format("vulkan backend: loop_filter: plane {} offset {} / stride {} not a multiple of 4", pl,
                              pc.planes.off[pl], pc.planes.stride[pl]));
  pc.sharpness = work.params.sharpness & 7;
  pc.edges_base = uint32_t(lf_plan_.list.size());
  for (int pl = 0; pl < 3; pl++) {
    const bool present = !work.lf[pl].empty();
    pc.cols[pl] = present ? work.params.lf_cols[pl] : 0;
    pc.rows[pl] = present ? work.params.lf_rows[pl] : 0;
    pc.lf_base[pl] = lf_plan_.unit_base[pl];
  }
  stage_begin(Stage::kLoopFilter);
  if (!lf_plan_.levels.empty()) {
    // The edge masks first (the waves read them after the barrier below).
    dd_loop_filter_masks_push mp{};
    mp.count = uint32_t(lf_plan_.list.size());
    mp.edges_base = pc.edges_base;
    std::copy(std::begin(pc.cols), std::end(pc.cols), std::begin(mp.cols));
    std::copy(std::begin(pc.rows), std::end(pc.rows), std::begin(mp.rows));
    std::copy(std::begin(pc.lf_base), std::end(pc.lf_base), std::begin(mp.lf_base));
    dispatch_linear(kLoopFilterMasks, make_set(kLoopFilterMasks, {lf_buf_.buffer(), lf_aux_buf_.buffer()}), mp,
                    div_up(mp.count * kLfEdgeWords, DD_LF_MASKS_LANES));
    VkDescriptorSet set = make_set(kLoopFilter, {dst.buffer(), lf_buf_.buffer(), lf_aux_buf_.buffer()});
    for (const Range& r : lf_plan_.levels) {
      barrier();
      pc.list_base = r.base;
      pc.count = r.count;
      dispatch_linear(kLoopFilter, set, pc, r.count);
      if (count_loop_trips_) {
        const std::array<uint64_t, 2> trips = lf_batch_trips(lf_plan_, r);
        dispatches_.back().num_loop_trips = 2;
        std::copy(trips.begin(), trips.end(), dispatches_.back().loop_trips.begin());
      }
    }
  }
  stage_end(Stage::kLoopFilter);
}

}  // namespace daedalus::dispatch::vk
