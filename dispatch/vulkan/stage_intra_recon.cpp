// SPDX-License-Identifier: MIT
// The intra_recon stage's host side (shaders/intra_recon.comp): the intra
// wavefront levels of the tx aux array (TxPlan::intra_*), a dispatch per
// wide level and one per run of narrow levels (a chain).
#include <algorithm>
#include <array>

#include "vk_backend.h"
#include "vk_surface.h"
#include "work_checks.h"

namespace daedalus::dispatch::vk {

namespace {

// The intra shader's workgroup classes: 0 = 4x4, 1 = larger.
uint32_t intra_size_class(const dd_tx_block& t) { return std::min<uint32_t>(t.tx_size, 1); }

}  // namespace

uint32_t intra_level_groups(uint32_t count, uint32_t count_4x4) {
  return (count_4x4 + kIntra4x4PerGroup - 1) / kIntra4x4PerGroup +
         (count - count_4x4 + kIntraLargerPerGroup - 1) / kIntraLargerPerGroup;
}

namespace {

// The 4x4 units an intra tx block reads (its above and left edges) and
// writes, inclusive rectangles in units of its plane.
struct UnitRect {
  int x0, x1, y0, y1;
};
struct IntraUnits {
  UnitRect reads[2];
  int nreads = 0;
  UnitRect own;
};
IntraUnits intra_units(const dd_tx_block& t, const dd_frame_params& p) {
  const int W = int(vp9::decoded_width(p, t.plane)), H = int(vp9::decoded_height(p, t.plane));
  const int n = 4 << t.tx_size;
  const bool have_left = (t.flags & DD_TX_HAVE_LEFT) && t.x > 0;
  const bool have_above = (t.flags & DD_TX_HAVE_ABOVE) && t.y > 0;
  const bool have_ar = have_above && (t.flags & DD_TX_HAVE_ABOVE_RIGHT) && t.tx_size == DD_TX_4X4;
  IntraUnits u;
  if (have_above) {
    const int xs = have_left ? t.x - 1 : t.x;
    const int xe = std::min(t.x + (have_ar ? 2 * n : n) - 1, W - 1);
    u.reads[u.nreads++] = {xs / 4, xe / 4, (t.y - 1) / 4, (t.y - 1) / 4};
  }
  if (have_left) u.reads[u.nreads++] = {(t.x - 1) / 4, (t.x - 1) / 4, t.y / 4, std::min(t.y + n - 1, H - 1) / 4};
  u.own = {t.x / 4, (std::min(t.x + n, W) - 1) / 4, t.y / 4, (std::min(t.y + n, H) - 1) / 4};
  return u;
}

}  // namespace

void IntraGrids::fit(const dd_frame_params& p) {
  for (int pl = 0; pl < 3; ++pl) {
    const int c = (int(vp9::decoded_width(p, pl)) + 3) / 4, r = (int(vp9::decoded_height(p, pl)) + 3) / 4;
    if (c != cols[pl] || r != rows[pl]) clean = false;
    cols[pl] = c;
    rows[pl] = r;
  }
  if (!clean)
    for (int pl = 0; pl < 3; ++pl) {
      wrote[pl].assign(size_t(cols[pl]) * rows[pl], 0);
      read[pl].assign(size_t(cols[pl]) * rows[pl], 0);
    }
  clean = true;
}

void plan_intra(const FrameWork& work, uint32_t chain_max_groups, TxPlan& plan, IntraGrids& grids) {
  const dd_frame_params& p = work.params;
  const size_t num_tx = work.tx_blocks.size();
  // Intra wavefront: a tx block's level is one more than the level of every
  // earlier intra tx block that wrote a 4x4 unit it reads (its edges), that
  // read or wrote a unit it writes (so a later block never overwrites
  // pixels before an earlier one has read them). Pixels not written by
  // intra blocks (inter prediction, earlier stages) are level 0.
  grids.fit(p);
  grids.clean = false;  // until the touched units are zeroed again below
  std::vector<uint32_t> level_of(num_tx, 0);
  uint32_t max_level = 0;
  for (size_t i = 0; i < num_tx; ++i) {
    const dd_tx_block& t = work.tx_blocks[i];
    if (t.mode == DD_MODE_INTER) continue;
    const int cols = grids.cols[t.plane];
    uint32_t* const wrote = grids.wrote[t.plane].data();
    uint32_t* const read = grids.read[t.plane].data();
    const IntraUnits u = intra_units(t, p);
    uint32_t dep = 0;
    for (int k = 0; k < u.nreads; ++k)
      for (int uy = u.reads[k].y0; uy <= u.reads[k].y1; ++uy)
        for (int ux = u.reads[k].x0; ux <= u.reads[k].x1; ++ux) dep = std::max(dep, wrote[size_t(uy) * cols + ux]);
    for (int uy = u.own.y0; uy <= u.own.y1; ++uy)
      for (int ux = u.own.x0; ux <= u.own.x1; ++ux) {
        dep = std::max(dep, wrote[size_t(uy) * cols + ux]);
        dep = std::max(dep, read[size_t(uy) * cols + ux]);
      }
    const uint32_t level = dep + 1;
    level_of[i] = level;
    max_level = std::max(max_level, level);
    for (int k = 0; k < u.nreads; ++k)
      for (int uy = u.reads[k].y0; uy <= u.reads[k].y1; ++uy)
        for (int ux = u.reads[k].x0; ux <= u.reads[k].x1; ++ux) {
          uint32_t& r = read[size_t(uy) * cols + ux];
          r = std::max(r, level);
        }
    for (int uy = u.own.y0; uy <= u.own.y1; ++uy)
      for (int ux = u.own.x0; ux <= u.own.x1; ++ux) wrote[size_t(uy) * cols + ux] = level;
  }
  // Back to all zero for the next frame: only what was touched.
  for (size_t i = 0; i < num_tx; ++i) {
    const dd_tx_block& t = work.tx_blocks[i];
    if (t.mode == DD_MODE_INTER) continue;
    const int cols = grids.cols[t.plane];
    const IntraUnits u = intra_units(t, p);
    for (int k = 0; k < u.nreads + 1; ++k) {
      const UnitRect& r = k < u.nreads ? u.reads[k] : u.own;
      for (int uy = r.y0; uy <= r.y1; ++uy)
        for (int ux = r.x0; ux <= r.x1; ++ux) {
          grids.wrote[t.plane][size_t(uy) * cols + ux] = 0;
          grids.read[t.plane][size_t(uy) * cols + ux] = 0;
        }
    }
  }
  grids.clean = true;
  // Counting sort by level; inside a level the 4x4 blocks first, then the
  // larger ones (the shader packs kIntra4x4PerGroup / kIntraLargerPerGroup
  // of them per workgroup), decode order otherwise.
  std::vector<std::array<uint32_t, 2>> counts(max_level + 2, {0, 0}), start(max_level + 2, {0, 0});
  for (size_t i = 0; i < num_tx; ++i)
    if (level_of[i]) counts[level_of[i]][intra_size_class(work.tx_blocks[i])]++;
  uint32_t base = uint32_t(plan.aux.size()), total = 0;
  for (uint32_t l = 1; l <= max_level; ++l) {
    const auto& c = counts[l];
    start[l] = {total, total + c[0]};
    plan.intra_levels.push_back({base + total, c[0] + c[1]});
    plan.intra_level_4x4.push_back(c[0]);
    total += c[0] + c[1];
  }
  plan.aux.resize(plan.aux.size() + total);
  for (size_t i = 0; i < num_tx; ++i)
    if (const uint32_t l = level_of[i]) plan.aux[base + start[l][intra_size_class(work.tx_blocks[i])]++] = uint32_t(i);
  // Runs of narrow levels become chains (a run of one stays a plain level).
  const uint32_t num_levels = uint32_t(plan.intra_levels.size());
  auto narrow = [&](uint32_t k) { return plan.intra_groups(k) <= chain_max_groups; };
  for (uint32_t l = 0; l < num_levels;) {
    uint32_t end = l + 1;
    if (narrow(l))
      while (end < num_levels && narrow(end)) ++end;
    TxPlan::IntraStep step{l, end - l, 0};
    if (step.chain()) {
      step.chain_base = uint32_t(plan.aux.size());
      for (uint32_t k = l; k < end; ++k)
        plan.aux.insert(plan.aux.end(), {plan.intra_levels[k].base, plan.intra_levels[k].count,
                                         plan.intra_level_4x4[k]});
    }
    plan.intra_steps.push_back(step);
    l = end;
  }
}

void VulkanBackend::intra_recon(const FrameWork& work, Surface& dst_s) {
  require_frame("intra_recon");
  VkSurface& dst = as_vk(dst_s, "intra_recon destination");
  dd_planes planes = dst_planes(dst, work.params, "intra_recon");
  stage_begin(Stage::kIntraRecon);
  if (!tx_plan_.intra_levels.empty()) {
    VkDescriptorSet set =
        make_set(kIntraRecon, {tx_buf_.buffer(), residual_buf_.buffer(), tx_aux_buf_.buffer(), dst.buffer()});
    const uint32_t use_residual = residual_recorded_ ? 1u : 0u;
    for (const TxPlan::IntraStep& step : tx_plan_.intra_steps) {
      barrier();
      if (step.chain()) {
        // One workgroup walks the narrow levels.
        dd_intra_push pc{0, 0, planes, use_residual, 0, step.chain_base, step.num_levels};
        dispatch_linear(kIntraRecon, set, pc, 1);
        uint32_t steps = 0;
        for (uint32_t l = step.first_level; l < step.first_level + step.num_levels; ++l)
          steps += tx_plan_.intra_groups(l);
        dispatches_.back().steps = steps;
      } else {
        // A level: workgroups of 4x4 blocks, then of larger ones.
        const uint32_t l = step.first_level;
        const Range& r = tx_plan_.intra_levels[l];
        dd_intra_push pc{r.base, r.count, planes, use_residual, tx_plan_.intra_level_4x4[l], 0, 0};
        dispatch_linear(kIntraRecon, set, pc, tx_plan_.intra_groups(l));
      }
    }
  }
  stage_end(Stage::kIntraRecon);
}

}  // namespace daedalus::dispatch::vk
