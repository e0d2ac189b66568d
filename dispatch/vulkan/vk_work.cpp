// SPDX-License-Identifier: MIT
#include "vk_work.h"

#include <algorithm>
#include <array>
#include <cstddef>

#include "inter_geometry.h"
#include "work_checks.h"

namespace daedalus::dispatch::vk {

void validate_work(const FrameWork& work) { vp9::check_work(work, "vulkan backend"); }

// The shaders read dd_tx_block and dd_lf_unit as 32-bit words, each field
// at the (word, shift, bits) of work_shared.h: those must be where the C
// records put them (little-endian, like the Pi 5 and its GPU).
namespace {
constexpr bool field_at(size_t offset, size_t size, uint32_t word, uint32_t shift, uint32_t bits) {
  return offset == word * 4 + shift / 8 && shift % 8 == 0 && size * 8 == bits;
}
}  // namespace
#define DD_CHECK_FIELD(record, member, POS) \
  static_assert(field_at(offsetof(record, member), sizeof(record::member), POS), #record "." #member " vs " #POS)
static_assert(sizeof(dd_tx_block) == DD_TX_BLOCK_WORDS * 4);
DD_CHECK_FIELD(dd_tx_block, x, DD_TXB_X);
DD_CHECK_FIELD(dd_tx_block, y, DD_TXB_Y);
DD_CHECK_FIELD(dd_tx_block, plane, DD_TXB_PLANE);
DD_CHECK_FIELD(dd_tx_block, tx_size, DD_TXB_TX_SIZE);
DD_CHECK_FIELD(dd_tx_block, tx_type, DD_TXB_TX_TYPE);
DD_CHECK_FIELD(dd_tx_block, mode, DD_TXB_MODE);
DD_CHECK_FIELD(dd_tx_block, eob, DD_TXB_EOB);
DD_CHECK_FIELD(dd_tx_block, flags, DD_TXB_FLAGS);
DD_CHECK_FIELD(dd_tx_block, coeff_offset, DD_TXB_COEFF_OFFSET);
static_assert(sizeof(dd_lf_unit) == 4);
DD_CHECK_FIELD(dd_lf_unit, level, DD_LFU_LEVEL);
DD_CHECK_FIELD(dd_lf_unit, left_size, DD_LFU_LEFT_SIZE);
DD_CHECK_FIELD(dd_lf_unit, top_size, DD_LFU_TOP_SIZE);
#undef DD_CHECK_FIELD

namespace {

// The intra shader's workgroup classes: 0 = 4x4, 1 = larger.
uint32_t intra_size_class(const dd_tx_block& t) { return std::min<uint32_t>(t.tx_size, 1); }

// Superblocks with equal sbx + 2 * sby (a wave) touch no pixel another one
// of the wave reads or writes, for the loop filter and for intra
// prediction alike. fn(sbx, sby) for the superblocks of `wave`, top first.
template <class Fn>
void for_each_superblock_of_wave(uint32_t wave, uint32_t sb_cols, uint32_t sb_rows, Fn&& fn) {
  for (uint32_t sby = 0; sby < sb_rows && 2 * sby <= wave; ++sby)
    if (const uint32_t sbx = wave - 2 * sby; sbx < sb_cols) fn(sbx, sby);
}
uint32_t num_superblock_waves(uint32_t sb_cols, uint32_t sb_rows) { return sb_cols + 2 * (sb_rows - 1); }

// TxPlan::intra_waves from the levels plan_tx found. Each superblock's
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

TxPlan plan_tx(const FrameWork& work, uint32_t chain_max_groups, IntraSchedule schedule) {
  const dd_frame_params& p = work.params;
  const size_t num_tx = work.tx_blocks.size();
  TxPlan plan;
  plan.aux.assign(num_tx, kNoResidual);
  uint32_t off = 0;
  std::vector<uint32_t> by_size[4], inter;
  for (size_t i = 0; i < num_tx; ++i) {
    const dd_tx_block& t = work.tx_blocks[i];
    if (!t.eob) continue;
    plan.aux[i] = off;
    off += 16u << (2 * t.tx_size);
    by_size[t.tx_size].push_back(uint32_t(i));
    if (t.mode == DD_MODE_INTER) inter.push_back(uint32_t(i));
  }
  plan.residual_samples = off;
  for (int s = 0; s < 4; ++s) {
    plan.by_size[s] = {uint32_t(plan.aux.size()), uint32_t(by_size[s].size())};
    plan.aux.insert(plan.aux.end(), by_size[s].begin(), by_size[s].end());
  }
  std::stable_partition(inter.begin(), inter.end(),
                        [&](uint32_t i) { return work.tx_blocks[i].tx_size == DD_TX_4X4; });
  plan.inter_4x4 = uint32_t(
      std::count_if(inter.begin(), inter.end(), [&](uint32_t i) { return work.tx_blocks[i].tx_size == DD_TX_4X4; }));
  plan.inter = {uint32_t(plan.aux.size()), uint32_t(inter.size())};
  plan.aux.insert(plan.aux.end(), inter.begin(), inter.end());

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
  return plan;
}

LfPlan plan_loop_filter(const FrameWork& work) {
  const dd_frame_params& p = work.params;
  LfPlan plan;
  plan.unit_base[1] = uint32_t(work.lf[0].size());
  plan.unit_base[2] = uint32_t(work.lf[0].size() + work.lf[1].size());
  bool any = false;
  for (auto& g : work.lf) any |= !g.empty();
  if (!any) return plan;
  const uint32_t sb_cols = (p.mi_cols + 7) / 8, sb_rows = (p.mi_rows + 7) / 8;
  plan.edges.reserve(size_t(sb_cols) * sb_rows * kLfEdgeWords);
  for (uint32_t l = 0; l < num_superblock_waves(sb_cols, sb_rows); ++l) {
    Range r{uint32_t(plan.list.size()), 0};
    for_each_superblock_of_wave(l, sb_cols, sb_rows, [&](uint32_t sbx, uint32_t sby) {
      plan.list.push_back(sbx | sby << 16);
      const size_t at = plan.edges.size();
      plan.edges.resize(at + kLfEdgeWords, 0);
      uint32_t* words = plan.edges.data() + at;
      for (int pl = 0; pl < 3; ++pl) {
        if (work.lf[pl].empty()) continue;
        // Units per superblock side (4:2:0: 8 for chroma) and where this
        // plane's masks start among the vertical ones.
        const uint32_t n = pl ? 8 : 16, per_word = 32 / n;
        const uint32_t base = pl == 0 ? 0 : pl == 1 ? 8 : 10;
        const uint32_t cols = p.lf_cols[pl], rows = p.lf_rows[pl];
        const uint32_t ux0 = sbx * n, uy0 = sby * n;
        for (uint32_t i = 0; i < n && uy0 + i < rows; ++i) {
          for (uint32_t j = 0; j < n && ux0 + j < cols; ++j) {
            const dd_lf_unit& u = work.lf[pl][size_t(uy0 + i) * cols + ux0 + j];
            if (u.level == 0) continue;  // levels above 63 do not pass validate_work
            // Vertical: row i's mask, bit j; horizontal: column j's, bit i.
            if (u.left_size) words[base + i / per_word] |= 1u << (n * (i % per_word) + j);
            if (u.top_size) words[12 + base + j / per_word] |= 1u << (n * (j % per_word) + i);
          }
        }
      }
      r.count++;
    });
    if (r.count) plan.levels.push_back(r);
  }
  return plan;
}

InterPlan plan_inter(const FrameWork& work, const RefView refs[3]) {
  InterPlan plan;
  plan_inter(work, refs, plan);
  return plan;
}

void plan_inter(const FrameWork& work, const RefView refs[3], InterPlan& plan) {
  const dd_frame_params& fp = work.params;
  plan.num_jobs = plan.num_units = 0;
  std::vector<uint32_t>& out = plan.words;
  out.assign(kJobHeaderWords, 0);  // keeps the capacity of earlier frames
  uint32_t units_in[2][3] = {};    // per pass and reference slot
  for (int s = 0; s < 3; ++s)
    for (int pl = 0; pl < 3; ++pl) {
      out[s * 9 + pl * 3 + 0] = refs[s].offset[pl];
      out[s * 9 + pl * 3 + 1] = refs[s].stride[pl];
      out[s * 9 + pl * 3 + 2] = refs[s].step[pl];
    }
  for (const dd_block& b : work.blocks) {
    if (!(b.flags & DD_BLOCK_INTER)) continue;
    const int nrefs = (b.flags & DD_BLOCK_COMPOUND) ? 2 : 1;
    const bool sub8x8 = vp9::is_sub8x8(b);
    for (int plane = 0; plane < 3; ++plane) {
      const bool chroma = plane > 0;
      const int ssx = chroma ? int(fp.ss_x) : 0, ssy = chroma ? int(fp.ss_y) : 0;
      const int x = b.x >> ssx, y = b.y >> ssy;
      const int bw = vp9::pred_width(b, ssx), bh = vp9::pred_height(b, ssy);
      const int dw = int(vp9::decoded_width(fp, plane)), dh = int(vp9::decoded_height(fp, plane));
      // Per reference: the area reads are clamped to, checked as the CPU
      // backend does.
      int ref_w[2] = {}, ref_h[2] = {};
      for (int i = 0; i < nrefs; ++i) {
        const RefView& rv = refs[b.ref[i]];
        if (!rv.present) vp9::missing_reference(b, b.ref[i], "vulkan backend");
        const vp9::RefArea area = vp9::ref_read_area(rv.plane_w[plane], rv.plane_h[plane], fp.refs[b.ref[i]], ssx,
                                                     ssy, "vulkan backend");
        ref_w[i] = area.w;
        ref_h[i] = area.h;
      }
      // Sub-blocks: (offset, size, vector index or -1 for the chroma average).
      struct Part {
        int ox, oy, w, h, mv;
      } parts[4];
      int nparts = 0;
      if (!sub8x8) {
        parts[nparts++] = {0, 0, bw, bh, 0};
      } else if (!chroma || (!ssx && !ssy)) {
        for (int k = 0; k < 4; ++k) parts[nparts++] = {(k & 1) * 4, (k >> 1) * 4, 4, 4, k};
      } else {
        parts[nparts++] = {0, 0, bw, bh, -1};
      }
      for (int k = 0; k < nparts; ++k) {
        const Part& pt = parts[k];
        const int px = x + pt.ox, py = y + pt.oy;
        // Written area: inside the decoded plane (the rest is computed and
        // dropped by the reference, so it need not be computed here).
        const int w = std::min(pt.w, dw - px), h = std::min(pt.h, dh - py);
        if (w <= 0 || h <= 0) continue;
        uint32_t job[kJobWords] = {};
        job[DD_JOB_KIND] = uint32_t(plane) | uint32_t(b.interp_filter & 3) << 8 | uint32_t(nrefs) << 16;
        job[DD_JOB_POS] = uint32_t(px) | uint32_t(py) << 16;
        job[DD_JOB_SIZE] = uint32_t(w) | uint32_t(h) << 16;
        for (int i = 0; i < nrefs; ++i) {
          const vp9::Mv mv = pt.mv >= 0 ? vp9::Mv{b.mv[pt.mv][i][0], b.mv[pt.mv][i][1]} : vp9::sub8x8_chroma_mv(b, i);
          // Sub-8x8 luma parts pass (ox, oy, 8, 8) as the reference does.
          const bool luma_part = pt.mv >= 0 && sub8x8;
          const vp9::RefPosition rp =
              luma_part ? vp9::ref_position(fp.refs[b.ref[i]], fp, plane, px, py, mv, pt.ox, pt.oy, 8, 8)
                        : vp9::ref_position(fp.refs[b.ref[i]], fp, plane, px, py, mv, 0, 0, bw, bh);
          uint32_t* r = job + DD_JOB_REF + DD_JOB_REF_WORDS * i;
          r[0] = b.ref[i];
          r[1] = uint32_t(rp.pos_x);
          r[2] = uint32_t(rp.pos_y);
          r[3] = uint32_t(rp.dx) | uint32_t(rp.dy) << 16;
          r[4] = uint32_t(ref_w[i]) | uint32_t(ref_h[i]) << 16;
        }
        out.insert(out.end(), job, job + kJobWords);
        ++plan.num_jobs;
        const uint32_t units = uint32_t((w + 3) / 4) * uint32_t((h + 3) / 4);
        for (int i = 0; i < nrefs; ++i) units_in[i][b.ref[i]] += units;
      }
    }
  }
  // Units, pass by pass and slot by slot; within a group job by job, so
  // that neighbouring invocations read neighbouring pixels. Sized first,
  // then written in place.
  const size_t jobs_end = out.size();
  for (uint32_t pass = 0; pass < 2; ++pass)
    for (uint32_t slot = 0; slot < 3; ++slot) {
      Range& g = plan.units[pass][slot];
      g.base = uint32_t(jobs_end) + plan.num_units;
      g.count = units_in[pass][slot];
      plan.num_units += g.count;
    }
  out.resize(jobs_end + plan.num_units);
  for (uint32_t pass = 0; pass < 2; ++pass)
    for (uint32_t slot = 0; slot < 3; ++slot) {
      uint32_t* u = out.data() + plan.units[pass][slot].base;
      for (uint32_t j = 0; j < plan.num_jobs; ++j) {
        const uint32_t* job = out.data() + kJobHeaderWords + size_t(j) * kJobWords;
        if ((job[DD_JOB_KIND] >> 16) <= pass || job[DD_JOB_REF + DD_JOB_REF_WORDS * pass] != slot) continue;
        const uint32_t uw = ((job[DD_JOB_SIZE] & 0xffffu) + 3) / 4, uh = ((job[DD_JOB_SIZE] >> 16) + 3) / 4;
        for (uint32_t r = 0; r < uh; ++r)
          for (uint32_t c = 0; c < uw; ++c) *u++ = j << DD_UNIT_JOB_SHIFT | r << 4 | c;
      }
    }
}

}  // namespace daedalus::dispatch::vk
