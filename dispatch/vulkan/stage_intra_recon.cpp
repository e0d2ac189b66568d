// SPDX-License-Identifier: MIT
// The intra_recon stage's host side (shaders/intra_recon.comp): the intra
// wavefront levels of the tx aux array, run as levels and chains of narrow
// levels or as superblock waves (TxPlan::intra_*), and their dispatches.
#include <algorithm>
#include <array>

#include "superblock_waves.h"
#include "vk_backend.h"
#include "vk_surface.h"
#include "work_checks.h"

namespace daedalus::dispatch::vk {

namespace {

// The intra shader's workgroup classes: 0 = 4x4, 1 = larger.
uint32_t intra_size_class(const dd_tx_block& t) { return std::min<uint32_t>(t.tx_size, 1); }

// TxPlan::intra_waves from the levels plan_intra found. Each superblock's
// blocks keep the order of the level lists (level by level, 4x4 blocks,
// then the larger ones, inside a level), so its chain is its run of blocks per level: two
// blocks of one superblock on one level never depend on each other, and
// every block they depend on in other superblocks belongs to an earlier
// wave (left, above-left, above and above-right superblocks: sbx + 2 sby
// at least one smaller).
void plan_intra_waves(const FrameWork& work, const std::vector<uint32_t>& level_of, IntraSchedule schedule,
                      TxPlan& plan) {
  const dd_frame_params& p = work.params;
  const uint32_t sb_cols = (p.mi_cols + 7) / 8, sb_rows = (p.mi_rows + 7) / 8;
  std::vector<std::vector<uint32_t>> per_sb(size_t(sb_cols) * sb_rows);
  for (const Range& r : plan.intra_levels)
    for (uint32_t k = 0; k < r.count; ++k) {
      const uint32_t i = plan.aux[r.base + k];
      const dd_tx_block& t = work.tx_blocks[i];
      const int log2w = 6 - (t.plane ? p.ss_x : 0), log2h = 6 - (t.plane ? p.ss_y : 0);
      per_sb[size_t(t.y >> log2h) * sb_cols + (t.x >> log2w)].push_back(i);
    }
  const uint32_t num_waves = num_superblock_waves(sb_cols, sb_rows);
  auto for_each_sb = [&](uint32_t wave, auto&& fn) {
    for_each_superblock_of_wave(wave, sb_cols, sb_rows, [&](uint32_t sbx, uint32_t sby) {
      if (!per_sb[size_t(sby) * sb_cols + sbx].empty()) fn(per_sb[size_t(sby) * sb_cols + sbx]);
    });
  };
  if (schedule == IntraSchedule::kAuto) {
    std::vector<bool> used(num_waves, false);
    for (uint32_t sby = 0; sby < sb_rows; ++sby)
      for (uint32_t sbx = 0; sbx < sb_cols; ++sbx)
        if (!per_sb[size_t(sby) * sb_cols + sbx].empty()) used[sbx + 2 * sby] = true;
    if (size_t(std::count(used.begin(), used.end(), true)) >= plan.intra_steps.size()) return;
  }

  std::vector<uint32_t> pairs;  // per workgroup: chain base, chain levels
  std::vector<Range> waves;     // into pairs
  for (uint32_t w = 0; w < num_waves; ++w) {
    Range wave{uint32_t(pairs.size()), 0};
    for_each_sb(w, [&](const std::vector<uint32_t>& list) {
      const uint32_t list_base = uint32_t(plan.aux.size());
      plan.aux.insert(plan.aux.end(), list.begin(), list.end());
      std::vector<uint32_t> chain;  // kIntraLevelWords per level
      for (size_t k = 0; k < list.size();) {
        size_t e = k;
        uint32_t n4 = 0;
        for (; e < list.size() && level_of[list[e]] == level_of[list[k]]; ++e)
          n4 += intra_size_class(work.tx_blocks[list[e]]) == 0;
        chain.insert(chain.end(), {list_base + uint32_t(k), uint32_t(e - k), n4});
        k = e;
      }
      pairs.insert(pairs.end(), {uint32_t(plan.aux.size()), uint32_t(chain.size() / kIntraLevelWords)});
      plan.aux.insert(plan.aux.end(), chain.begin(), chain.end());
      wave.count++;
    });
    if (wave.count) waves.push_back(wave);
  }
  const uint32_t pairs_base = uint32_t(plan.aux.size());
  plan.aux.insert(plan.aux.end(), pairs.begin(), pairs.end());
  for (const Range& r : waves) plan.intra_waves.push_back({pairs_base + r.base, r.count});
  plan.intra_by_superblock = true;
}

}  // namespace

uint32_t intra_level_groups(uint32_t count, uint32_t count_4x4) {
  return (count_4x4 + kIntra4x4PerGroup - 1) / kIntra4x4PerGroup +
         (count - count_4x4 + kIntraLargerPerGroup - 1) / kIntraLargerPerGroup;
}

void plan_intra(const FrameWork& work, uint32_t chain_max_groups, IntraSchedule schedule, TxPlan& plan) {
  const dd_frame_params& p = work.params;
  const size_t num_tx = work.tx_blocks.size();
  // Intra wavefront: a tx block's level is one more than the level of every
  // earlier intra tx block that wrote a 4x4 unit it reads (its edges), that
  // read or wrote a unit it writes (so a later block never overwrites
  // pixels before an earlier one has read them). Pixels not written by
  // intra blocks (inter prediction, earlier stages) are level 0.
  struct Grid {
    int cols = 0, rows = 0;
    std::vector<uint32_t> wrote, read;
  } grid[3];
  for (int pl = 0; pl < 3; ++pl) {
    grid[pl].cols = (int(vp9::decoded_width(p, pl)) + 3) / 4;
    grid[pl].rows = (int(vp9::decoded_height(p, pl)) + 3) / 4;
    grid[pl].wrote.assign(size_t(grid[pl].cols) * grid[pl].rows, 0);
    grid[pl].read.assign(size_t(grid[pl].cols) * grid[pl].rows, 0);
  }
  std::vector<uint32_t> level_of(num_tx, 0);
  uint32_t max_level = 0;
  for (size_t i = 0; i < num_tx; ++i) {
    const dd_tx_block& t = work.tx_blocks[i];
    if (t.mode == DD_MODE_INTER) continue;
    Grid& g = grid[t.plane];
    const int W = int(vp9::decoded_width(p, t.plane)), H = int(vp9::decoded_height(p, t.plane));
    const int n = 4 << t.tx_size;
    const bool have_left = (t.flags & DD_TX_HAVE_LEFT) && t.x > 0;
    const bool have_above = (t.flags & DD_TX_HAVE_ABOVE) && t.y > 0;
    const bool have_ar = have_above && (t.flags & DD_TX_HAVE_ABOVE_RIGHT) && t.tx_size == DD_TX_4X4;
    // Read rectangles in 4x4 units: [x0, x1] x [y0, y1] inclusive.
    struct Rect {
      int x0, x1, y0, y1;
    } reads[2];
    int nreads = 0;
    if (have_above) {
      const int xs = have_left ? t.x - 1 : t.x;
      const int xe = std::min(t.x + (have_ar ? 2 * n : n) - 1, W - 1);
      reads[nreads++] = {xs / 4, xe / 4, (t.y - 1) / 4, (t.y - 1) / 4};
    }
    if (have_left) reads[nreads++] = {(t.x - 1) / 4, (t.x - 1) / 4, t.y / 4, std::min(t.y + n - 1, H - 1) / 4};
    const Rect own = {t.x / 4, (std::min(t.x + n, W) - 1) / 4, t.y / 4, (std::min(t.y + n, H) - 1) / 4};
    uint32_t dep = 0;
    for (int k = 0; k < nreads; ++k)
      for (int uy = reads[k].y0; uy <= reads[k].y1; ++uy)
        for (int ux = reads[k].x0; ux <= reads[k].x1; ++ux) dep = std::max(dep, g.wrote[size_t(uy) * g.cols + ux]);
    for (int uy = own.y0; uy <= own.y1; ++uy)
      for (int ux = own.x0; ux <= own.x1; ++ux) {
        dep = std::max(dep, g.wrote[size_t(uy) * g.cols + ux]);
        dep = std::max(dep, g.read[size_t(uy) * g.cols + ux]);
      }
    const uint32_t level = dep + 1;
    level_of[i] = level;
    max_level = std::max(max_level, level);
    for (int k = 0; k < nreads; ++k)
      for (int uy = reads[k].y0; uy <= reads[k].y1; ++uy)
        for (int ux = reads[k].x0; ux <= reads[k].x1; ++ux) {
          uint32_t& r = g.read[size_t(uy) * g.cols + ux];
          r = std::max(r, level);
        }
    for (int uy = own.y0; uy <= own.y1; ++uy)
      for (int ux = own.x0; ux <= own.x1; ++ux) g.wrote[size_t(uy) * g.cols + ux] = level;
  }
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
  if (schedule != IntraSchedule::kLevels && num_levels) plan_intra_waves(work, level_of, schedule, plan);
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
    // Superblock waves: one workgroup per superblock, each walking its own
    // chain (chain_levels = DD_CHAINS_PER_GROUP: the chains are in aux).
    if (tx_plan_.intra_by_superblock)
      for (const Range& wave : tx_plan_.intra_waves) {
        barrier();
        dd_intra_push pc{0, 0, planes, use_residual, 0, wave.base, DD_CHAINS_PER_GROUP};
        dispatch_linear(kIntraRecon, set, pc, wave.count);
      }
    else
      for (const TxPlan::IntraStep& step : tx_plan_.intra_steps) {
        barrier();
        if (step.chain()) {
          // One workgroup walks the narrow levels.
          dd_intra_push pc{0, 0, planes, use_residual, 0, step.chain_base, step.num_levels};
          dispatch_linear(kIntraRecon, set, pc, 1);
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
