// SPDX-License-Identifier: MIT
// The host-side planning of the Vulkan stages (stage_*.cpp): intra
// wavefront levels and loop-filter superblock levels, on hand-made work.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <vector>

#include "daedalus/dispatch/synthetic_work.h"
#include "daedalus/error.h"
#include "stage_inter_pred.h"
#include "stage_loop_filter.h"
#include "vk_work.h"

using namespace daedalus::dispatch;

namespace {

FrameWork frame(uint32_t w, uint32_t h) {
  FrameWork f;
  f.params.width = w;
  f.params.height = h;
  f.params.mi_cols = (w + 7) / 8;
  f.params.mi_rows = (h + 7) / 8;
  f.params.ss_x = f.params.ss_y = 1;
  f.params.bit_depth = 8;
  return f;
}

dd_tx_block tx(int x, int y, int flags, int size = DD_TX_4X4, int mode = DD_DC_PRED) {
  dd_tx_block t{};
  t.x = uint16_t(x);
  t.y = uint16_t(y);
  t.tx_size = uint8_t(size);
  t.mode = uint8_t(mode);
  t.flags = uint8_t(flags);
  return t;
}

// Level of each tx block index.
std::map<uint32_t, size_t> levels_of(const vk::TxPlan& plan) {
  std::map<uint32_t, size_t> out;
  for (size_t l = 0; l < plan.intra_levels.size(); ++l)
    for (uint32_t i = 0; i < plan.intra_levels[l].count; ++i) out[plan.aux[plan.intra_levels[l].base + i]] = l + 1;
  return out;
}

TEST(VulkanPlan, RasterOf4x4WithAboveRightIsAKnightsMoveWavefront) {
  FrameWork f = frame(32, 16);  // luma 8x4 tx blocks of 4x4
  const int all = DD_TX_HAVE_LEFT | DD_TX_HAVE_ABOVE | DD_TX_HAVE_ABOVE_RIGHT;
  for (int y = 0; y < 16; y += 4)
    for (int x = 0; x < 32; x += 4) f.tx_blocks.push_back(tx(x, y, all));
  f.params.num_tx_blocks = uint32_t(f.tx_blocks.size());
  auto lv = levels_of(vk::plan_tx(f));
  ASSERT_EQ(lv.size(), f.tx_blocks.size());
  for (size_t i = 0; i < f.tx_blocks.size(); ++i) {
    const int bx = f.tx_blocks[i].x / 4, by = f.tx_blocks[i].y / 4;
    // reads left (bx-1), above (bx, by-1) and above-right (bx+1, by-1)
    EXPECT_EQ(lv[uint32_t(i)], size_t(bx + 2 * by + 1)) << "block " << bx << "," << by;
  }
}

// A level's list at aux[base, base + count): its first n4 blocks are 4x4,
// the rest larger (the shader's workgroup classes).
void expect_sorted_by_size(const FrameWork& f, const vk::TxPlan& plan, uint32_t base, uint32_t count, uint32_t n4) {
  ASSERT_LE(n4, count);
  for (uint32_t k = 0; k < count; ++k) {
    const int size = f.tx_blocks[plan.aux[base + k]].tx_size;
    if (k < n4)
      EXPECT_EQ(size, DD_TX_4X4) << "entry " << k << " of the level at " << base;
    else
      EXPECT_GT(size, DD_TX_4X4) << "entry " << k << " of the level at " << base;
  }
}

// The steps cover every level once, in order; a wide level is never
// chained; each chain's descriptors in aux repeat its levels' (base, count,
// 4x4 count); every level lists its blocks by size class.
void expect_steps_cover_levels(const FrameWork& f, const vk::TxPlan& plan, uint32_t max_groups) {
  uint32_t next = 0;
  for (const auto& step : plan.intra_steps) {
    ASSERT_EQ(step.first_level, next);
    ASSERT_GE(step.num_levels, 1u);
    for (uint32_t k = 0; k < step.num_levels; ++k) {
      const uint32_t l = step.first_level + k;
      expect_sorted_by_size(f, plan, plan.intra_levels[l].base, plan.intra_levels[l].count, plan.intra_level_4x4[l]);
      if (step.chain()) {
        EXPECT_LE(plan.intra_groups(l), max_groups) << "level " << l;
        const uint32_t* d = &plan.aux[step.chain_base + vk::kIntraLevelWords * k];
        EXPECT_EQ(d[0], plan.intra_levels[l].base);
        EXPECT_EQ(d[1], plan.intra_levels[l].count);
        EXPECT_EQ(d[2], plan.intra_level_4x4[l]);
      }
    }
    next += step.num_levels;
  }
  EXPECT_EQ(next, plan.intra_levels.size());
}

TEST(VulkanPlan, WorkgroupsPerLevelPack4x4AndLargerBlocks) {
  // 16 4x4 blocks per workgroup, 4 larger blocks (8x8 to 32x32).
  EXPECT_EQ(vk::intra_level_groups(0, 0), 0u);
  EXPECT_EQ(vk::intra_level_groups(16, 16), 1u);
  EXPECT_EQ(vk::intra_level_groups(17, 17), 2u);
  EXPECT_EQ(vk::intra_level_groups(5, 0), 2u);
  EXPECT_EQ(vk::intra_level_groups(1 + 4 + 3, 1), 1u + 2u);
}

TEST(VulkanPlan, NarrowLevelRunsAreChainedWideLevelsAreNot) {
  // 4x4 blocks with above-right in a 64x32 luma area: the knight's-move
  // wavefront has levels of 1 to 4 blocks (one workgroup each); with 8x8
  // blocks in a 32x32 area beside it and no edges, level 1 is wide.
  FrameWork f = frame(96, 32);
  const int all = DD_TX_HAVE_LEFT | DD_TX_HAVE_ABOVE | DD_TX_HAVE_ABOVE_RIGHT;
  for (int y = 0; y < 32; y += 4)
    for (int x = 0; x < 64; x += 4) f.tx_blocks.push_back(tx(x, y, all));
  for (int y = 0; y < 32; y += 8)
    for (int x = 64; x < 96; x += 8) f.tx_blocks.push_back(tx(x, y, 0, DD_TX_8X8));
  f.params.num_tx_blocks = uint32_t(f.tx_blocks.size());
  for (uint32_t max_groups : {0u, 1u, 2u, 1000u}) {
    SCOPED_TRACE(max_groups);
    vk::TxPlan plan = vk::plan_tx(f, max_groups);
    const auto lv = levels_of(plan);
    ASSERT_EQ(lv.size(), f.tx_blocks.size());  // the chains change no level
    expect_steps_cover_levels(f, plan, max_groups);
    size_t chained = 0;
    for (const auto& step : plan.intra_steps) chained += step.chain() ? step.num_levels : 0;
    if (max_groups == 0) {
      EXPECT_EQ(chained, 0u);
    }
    if (max_groups == 1000) {
      EXPECT_EQ(plan.intra_steps.size(), 1u);
    }
    if (max_groups == 2) {
      // Level 1: the first 4x4 block and the 16 8x8 blocks (1 + 4 groups).
      EXPECT_FALSE(plan.intra_steps[0].chain());
      EXPECT_GT(chained, plan.intra_levels.size() / 2);
    }
  }
}

// A key-frame-like layout: every 32x32 luma / 16x16 chroma quadrant of
// each superblock tiled with one random transform size, all edges present,
// in decode order (superblock raster, quadrants in Z order).
FrameWork random_intra_frame(uint32_t w, uint32_t h, uint32_t seed) {
  FrameWork f = frame(w, h);
  uint32_t state = seed;
  auto rnd = [&](uint32_t n) {
    state = state * 1664525u + 1013904223u;
    return (state >> 16) % n;
  };
  const int all = DD_TX_HAVE_LEFT | DD_TX_HAVE_ABOVE | DD_TX_HAVE_ABOVE_RIGHT;
  for (uint32_t sby = 0; sby < (h + 63) / 64; ++sby)
    for (uint32_t sbx = 0; sbx < (w + 63) / 64; ++sbx)
      for (int q = 0; q < 4; ++q)
        for (int pl = 0; pl < 3; ++pl) {
          const int half = pl ? 16 : 32, pw = int(pl ? w / 2 : w), ph = int(pl ? h / 2 : h);
          const int qx = int(sbx) * 2 * half + (q & 1) * half, qy = int(sby) * 2 * half + (q >> 1) * half;
          const int size = int(rnd(pl ? 3 : 4)), n = 4 << size;
          for (int y = qy; y < qy + half && y < ph; y += n)
            for (int x = qx; x < qx + half && x < pw; x += n) {
              dd_tx_block t = tx(x, y, all, size, int(rnd(DD_TM_PRED + 1)));
              t.plane = uint8_t(pl);
              f.tx_blocks.push_back(t);
            }
        }
  f.params.num_tx_blocks = uint32_t(f.tx_blocks.size());
  return f;
}

// The levels, checked against the pixels each block reads (its row above,
// x - 1 to x + n - 1, to x + 2n - 1 for 4x4 blocks, and its column left,
// as the CPU reference reads them) and writes, not against the rule they
// were made with: every pixel a block reads that another intra block
// writes was written on an earlier level, a block later in decode order
// overwrites it on a later one; each block is on exactly one level; the
// steps cover the levels, all four sizes listed by size class.
TEST(VulkanPlan, LevelsReadOnlyWhatEarlierLevelsWrote) {
  for (uint32_t seed : {1u, 2u, 3u, 7u}) {
    SCOPED_TRACE(seed);
    FrameWork f = random_intra_frame(320, 200, seed);
    const vk::TxPlan plan = vk::plan_tx(f);
    expect_steps_cover_levels(f, plan, vk::kIntraChainMaxGroups);
    std::vector<uint32_t> level(f.tx_blocks.size(), 0);
    for (uint32_t l = 0; l < plan.intra_levels.size(); ++l)
      for (uint32_t k = 0; k < plan.intra_levels[l].count; ++k) {
        const uint32_t i = plan.aux[plan.intra_levels[l].base + k];
        ASSERT_LT(i, f.tx_blocks.size());
        ASSERT_EQ(level[i], 0u) << "block " << i << " is on two levels";
        level[i] = l + 1;
      }
    // Which block writes each pixel (per plane).
    auto pw = [](int pl) { return pl ? 160 : 320; };
    auto ph = [](int pl) { return pl ? 100 : 200; };
    std::vector<std::vector<int>> owner(3);
    for (int pl = 0; pl < 3; ++pl) owner[pl].assign(size_t(pw(pl)) * ph(pl), -1);
    for (size_t i = 0; i < f.tx_blocks.size(); ++i) {
      const dd_tx_block& t = f.tx_blocks[i];
      ASSERT_NE(level[i], 0u) << "block " << i << " is on no level";
      const int n = 4 << t.tx_size;
      for (int y = t.y; y < std::min(int(t.y) + n, ph(t.plane)); ++y)
        for (int x = t.x; x < std::min(int(t.x) + n, pw(t.plane)); ++x) owner[t.plane][y * pw(t.plane) + x] = int(i);
    }
    for (size_t i = 0; i < f.tx_blocks.size(); ++i) {
      const dd_tx_block& t = f.tx_blocks[i];
      const int n = 4 << t.tx_size, W = pw(t.plane), H = ph(t.plane);
      auto check = [&](int x, int y) {
        if (x < 0 || y < 0 || x >= W || y >= H) return;
        const int a = owner[t.plane][y * W + x];
        if (a < 0 || size_t(a) == i) return;
        // A block later in decode order writes the pixel after this one
        // read it (the reference reads what was there before).
        if (size_t(a) > i)
          EXPECT_LT(level[i], level[size_t(a)]) << "block " << a << " overwrites a pixel block " << i << " reads first";
        else
          EXPECT_LT(level[size_t(a)], level[i]) << "block " << i << " (plane " << int(t.plane) << " at " << t.x << ","
                                                << t.y << ") reads pixel " << x << "," << y << " of block " << a;
      };
      // Above-right pixels only for 4x4 blocks (build_edges in cpu_backend.cpp).
      for (int x = t.x - 1; x < t.x + (t.tx_size == DD_TX_4X4 ? 2 * n : n); ++x) check(x, t.y - 1);
      for (int y = t.y; y < t.y + n; ++y) check(t.x - 1, y);
    }
  }
  // One 8x8 block: one level, one dispatch.
  FrameWork one = frame(320, 200);
  one.tx_blocks.push_back(tx(64, 64, 0, DD_TX_8X8));
  one.params.num_tx_blocks = 1;
  EXPECT_EQ(vk::plan_tx(one).intra_dispatches(), 1u);
}

TEST(VulkanPlan, NoEdgesMeansOneLevel) {
  FrameWork f = frame(64, 64);
  for (int y = 0; y < 64; y += 8)
    for (int x = 0; x < 64; x += 8) f.tx_blocks.push_back(tx(x, y, 0, DD_TX_8X8));
  f.params.num_tx_blocks = uint32_t(f.tx_blocks.size());
  vk::TxPlan plan = vk::plan_tx(f);
  ASSERT_EQ(plan.intra_levels.size(), 1u);
  EXPECT_EQ(plan.intra_levels[0].count, 64u);
}

TEST(VulkanPlan, PlanesAreIndependentAndInterBlocksAreNotScheduled) {
  FrameWork f = frame(16, 16);
  f.tx_blocks.push_back(tx(0, 0, 0, DD_TX_8X8));
  f.tx_blocks.push_back(tx(8, 0, DD_TX_HAVE_LEFT, DD_TX_8X8));
  dd_tx_block u = tx(0, 0, 0, DD_TX_4X4);
  u.plane = 1;
  f.tx_blocks.push_back(u);
  dd_tx_block inter = tx(0, 8, 0, DD_TX_8X8, DD_MODE_INTER);
  inter.eob = 1;
  f.coeffs.resize(64);
  f.tx_blocks.push_back(inter);
  f.params.num_tx_blocks = uint32_t(f.tx_blocks.size());
  f.params.num_coeffs = 64;
  vk::TxPlan plan = vk::plan_tx(f);
  auto lv = levels_of(plan);
  EXPECT_EQ(lv[0], 1u);
  EXPECT_EQ(lv[1], 2u);
  EXPECT_EQ(lv[2], 1u);  // chroma does not wait for luma
  EXPECT_EQ(lv.count(3), 0u);
  EXPECT_EQ(plan.inter.count, 1u);
  EXPECT_EQ(plan.inter_4x4, 0u);
  EXPECT_EQ(plan.aux[3], 0u);  // the inter block's residual offset
  EXPECT_EQ(plan.residual_samples, 64u);
}

TEST(VulkanPlan, LoopFilterLevelsNeverShareAFootprint) {
  FrameWork f = frame(1920, 1080);
  for (int p = 0; p < 3; ++p) {
    f.params.lf_cols[p] = (p ? 960 : 1920) / 4;
    f.params.lf_rows[p] = (p ? 544 : 1088) / 4;
    f.lf[p].resize(size_t(f.params.lf_cols[p]) * f.params.lf_rows[p]);
  }
  vk::LfPlan plan = vk::plan_loop_filter(f);
  const uint32_t sb_cols = 30, sb_rows = 17;
  EXPECT_EQ(plan.levels.size(), sb_cols + 2 * (sb_rows - 1));
  EXPECT_EQ(plan.list.size(), sb_cols * sb_rows);
  std::set<uint32_t> seen;
  for (const auto& r : plan.levels) {
    for (uint32_t i = 0; i < r.count; ++i) {
      const uint32_t a = plan.list[r.base + i];
      EXPECT_TRUE(seen.insert(a).second);
      for (uint32_t j = i + 1; j < r.count; ++j) {
        const int ax = int(a & 0xffff), ay = int(a >> 16);
        const int bx = int(plan.list[r.base + j] & 0xffff), by = int(plan.list[r.base + j] >> 16);
        // footprints (64 + 8 px each way) overlap only for neighbours
        EXPECT_FALSE(std::abs(ax - bx) <= 1 && std::abs(ay - by) <= 1) << ax << "," << ay << " vs " << bx << "," << by;
      }
    }
  }
}

// The edge masks name exactly the units with something to filter (size 4,
// 8 or 16 and a level other than 0), per plane, at the bit the shader reads,
// on a frame whose right and bottom superblocks are cut (40x24 units).
TEST(VulkanPlan, LoopFilterEdgeMasksNameTheUnitsWithEdges) {
  FrameWork f = frame(160, 96);
  uint32_t seed = 7;
  auto next = [&] { return seed = seed * 1103515245u + 12345u, seed >> 16; };
  for (int p = 0; p < 3; ++p) {
    f.params.lf_cols[p] = (p ? 80 : 160) / 4;
    f.params.lf_rows[p] = (p ? 48 : 96) / 4;
    f.lf[p].resize(size_t(f.params.lf_cols[p]) * f.params.lf_rows[p]);
    for (auto& u : f.lf[p]) {
      const uint8_t sizes[4] = {0, 4, 8, 16};
      u.level = uint8_t(next() % 64);  // 0: never filtered (above 63 fails validate_work)
      u.left_size = sizes[next() % 4];
      u.top_size = sizes[next() % 4];
    }
  }
  const vk::LfPlan plan = vk::plan_loop_filter(f);
  ASSERT_EQ(plan.edges.size(), plan.list.size() * vk::kLfEdgeWords);
  // The planes' units one after another in the shader's unit buffer.
  EXPECT_EQ(plan.unit_base[0], 0u);
  EXPECT_EQ(plan.unit_base[1], 960u);
  EXPECT_EQ(plan.unit_base[2], 960u + 240u);
  int vertical = 0, horizontal = 0;
  for (size_t s = 0; s < plan.list.size(); ++s) {
    const uint32_t sbx = plan.list[s] & 0xffff, sby = plan.list[s] >> 16;
    const uint32_t* m = plan.edges.data() + s * vk::kLfEdgeWords;
    for (int p = 0; p < 3; ++p) {
      const uint32_t n = p ? 8 : 16, cols = f.params.lf_cols[p], rows = f.params.lf_rows[p];
      for (uint32_t i = 0; i < n; ++i) {
        // As loop_filter.comp's edge_mask().
        const uint32_t word = p == 0 ? i >> 1 : 6 + 2 * p + (i >> 2), shift = p == 0 ? 16 * (i & 1) : 8 * (i & 3);
        const uint32_t row_mask = (m[word] >> shift) & ((1u << n) - 1), col_mask = (m[12 + word] >> shift) & ((1u << n) - 1);
        for (uint32_t j = 0; j < n; ++j) {
          bool want_v = false, want_h = false;
          const uint32_t ux = sbx * n + j, uy = sby * n + i;  // row i, column j
          const uint32_t cx = sbx * n + i, cy = sby * n + j;  // column i, row j
          if (ux < cols && uy < rows) {
            const dd_lf_unit& u = f.lf[p][size_t(uy) * cols + ux];
            want_v = u.left_size && u.level >= 1;
          }
          if (cx < cols && cy < rows) {
            const dd_lf_unit& u = f.lf[p][size_t(cy) * cols + cx];
            want_h = u.top_size && u.level >= 1;
          }
          EXPECT_EQ(bool(row_mask >> j & 1), want_v) << "plane " << p << " sb " << sbx << "," << sby << " row " << i << " col " << j;
          EXPECT_EQ(bool(col_mask >> j & 1), want_h) << "plane " << p << " sb " << sbx << "," << sby << " col " << i << " row " << j;
          vertical += want_v;
          horizontal += want_h;
        }
      }
    }
  }
  EXPECT_GT(vertical, 500);  // of 1440 units, about 2 in 3 have each edge
  EXPECT_GT(horizontal, 500);
}

// Inter units: every pixel of every job is covered exactly once per pass
// that reads a reference, units sit in the group of the slot their pass
// reads, and only compound jobs have second-pass units.
TEST(VulkanPlan, InterUnitsCoverEachJobOncePerReferenceGroupedBySlot) {
  FrameWork f = frame(40, 24);  // 40x24: the right and bottom blocks are cut by the frame edge
  auto block = [&](int x, int y, int lg, int ref0, int ref1) {
    dd_block b{};
    b.x = uint16_t(x);
    b.y = uint16_t(y);
    b.w_log2 = b.h_log2 = uint8_t(lg);
    b.flags = DD_BLOCK_INTER | (ref1 >= 0 ? DD_BLOCK_COMPOUND : 0);
    b.ref[0] = uint8_t(ref0);
    b.ref[1] = uint8_t(ref1 >= 0 ? ref1 : 0);
    f.blocks.push_back(b);
  };
  block(0, 0, 4, 2, -1);   // 16x16, slot 2
  block(16, 0, 4, 0, 1);   // 16x16 compound, slots 0 and 1
  block(32, 0, 4, 1, -1);  // 16x16 cut to 8x16 luma by the frame edge
  block(0, 16, 3, 0, 2);   // 8x8 compound
  f.params.num_blocks = uint32_t(f.blocks.size());
  vk::RefView views[3];
  for (auto& v : views) {
    v.present = true;
    for (int pl = 0; pl < 3; ++pl) {
      v.plane_w[pl] = pl ? 20 : 40;
      v.plane_h[pl] = pl ? 12 : 24;
      v.stride[pl] = 64;
      v.step[pl] = 1;
    }
  }
  for (auto& r : f.params.refs) r = {40, 24, 1 << 14, 1 << 14};
  const vk::InterPlan plan = vk::plan_inter(f, views);
  ASSERT_EQ(plan.num_jobs, 12u);  // 4 blocks x 3 planes
  uint32_t total = 0;
  for (uint32_t pass = 0; pass < 2; ++pass) {
    std::map<uint32_t, uint32_t> covered;  // job -> pixels covered in this pass
    for (uint32_t slot = 0; slot < 3; ++slot)
      for (uint32_t kind = 0; kind < vk::kInterKinds; ++kind) {
        const vk::Range& g = plan.units[pass][slot][kind];
        total += g.count;
        for (uint32_t i = 0; i < g.count; ++i) {
          const uint32_t u = plan.words[g.base + i], j = u >> 8;
          ASSERT_LT(j, plan.num_jobs);
          const uint32_t* job = &plan.words[vk::kJobHeaderWords + j * vk::kJobWords];
          ASSERT_GT(job[0] >> 16, pass) << "a pass-" << pass << " unit of a job with fewer references";
          const uint32_t* ref = job + 3 + 5 * pass;
          EXPECT_EQ(ref[0], slot) << "unit in the group of another slot";
          EXPECT_EQ(vk::inter_kind(ref[1], ref[2], ref[3] & 0xffff, ref[3] >> 16), kind)
              << "unit in the group of another kind";
          const uint32_t w = job[2] & 0xffff, h = job[2] >> 16, ux = (u & 15) * 4,
                         uy = ((u >> 4) & 15) * vk::kInterUnitRows;
          ASSERT_LT(ux, w);
          ASSERT_LT(uy, h);
          covered[j] += std::min(4u, w - ux) * std::min(vk::kInterUnitRows, h - uy);
        }
      }
    for (uint32_t j = 0; j < plan.num_jobs; ++j) {
      const uint32_t* job = &plan.words[vk::kJobHeaderWords + j * vk::kJobWords];
      const uint32_t want = (job[0] >> 16) > pass ? (job[2] & 0xffff) * (job[2] >> 16) : 0;
      EXPECT_EQ(covered[j], want) << "job " << j << " pass " << pass;
    }
  }
  EXPECT_EQ(total, plan.num_units);
  // Units of 4 columns by 8 rows: a 16x16 luma job has 8, its 8x8 chroma
  // 2, an 8x8's luma 2 and its 4x4 chroma 1. Every vector is 0 here: all
  // copies.
  uint32_t second[3] = {};
  for (uint32_t slot = 0; slot < 3; ++slot)
    for (uint32_t kind = 0; kind < vk::kInterKinds; ++kind) {
      second[slot] += plan.units[1][slot][kind].count;
      if (kind != DD_INTER_KIND_COPY) {
        EXPECT_EQ(plan.units[0][slot][kind].count + plan.units[1][slot][kind].count, 0u);
      }
    }
  EXPECT_EQ(second[0] + second[1] + second[2], 8u + 2 + 2 + 2 + 1 + 1)
      << "second pass: the compound 16x16 (8 + 2 + 2 units) and 8x8 (2 + 1 + 1) only";
  EXPECT_EQ(second[1], 12u);  // the 16x16's second reference is slot 1
  EXPECT_EQ(second[2], 4u);   // the 8x8's is slot 2
}

TEST(VulkanPlan, RejectsWhatTheReferenceRejects) {
  FrameWork f = frame(16, 16);
  f.tx_blocks.push_back(tx(0, 0, 0, DD_TX_8X8));
  f.tx_blocks[0].tx_type = DD_TX_WHT_WHT;  // WHT only for 4x4
  f.params.num_tx_blocks = 1;
  EXPECT_THROW(vk::validate_work(f), daedalus::Error);
  f.tx_blocks[0].tx_type = 0;
  f.tx_blocks[0].eob = 3;  // coefficients beyond the array
  EXPECT_THROW(vk::validate_work(f), daedalus::Error);
  f.coeffs.resize(64);
  f.params.num_coeffs = 64;
  EXPECT_NO_THROW(vk::validate_work(f));
  f.params.num_blocks = 5;  // counts that do not match
  EXPECT_THROW(vk::validate_work(f), daedalus::Error);
}

}  // namespace

// The backend keeps plan_intra's grids from frame to frame: planning with
// kept grids, after frames of other sizes and kinds, gives what planning
// with fresh ones gives.
TEST(VulkanPlan, KeptIntraGridsPlanLikeFreshOnes) {
  vk::IntraGrids grids;
  const FrameWork frames[] = {
      make_synthetic_work({192, 128, true, 3u}), make_synthetic_work({192, 128, false, 4u}),
      make_synthetic_work({192, 128, true, 5u}), make_synthetic_work({96, 64, true, 6u}),
      make_synthetic_work({192, 128, false, 7u}), make_synthetic_work({192, 128, true, 3u})};
  for (size_t k = 0; k < std::size(frames); ++k) {
    const vk::TxPlan fresh = vk::plan_tx(frames[k]);
    const vk::TxPlan kept = vk::plan_tx(frames[k], vk::kIntraChainMaxGroups, &grids);
    ASSERT_GT(fresh.intra_levels.size(), 0u) << "frame " << k << " has intra blocks";
    EXPECT_EQ(kept.aux, fresh.aux) << "frame " << k;
    EXPECT_EQ(kept.intra_level_4x4, fresh.intra_level_4x4) << "frame " << k;
    ASSERT_EQ(kept.intra_levels.size(), fresh.intra_levels.size()) << "frame " << k;
    EXPECT_TRUE(grids.clean);
  }
}
