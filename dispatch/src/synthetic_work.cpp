// SPDX-License-Identifier: MIT
#include "daedalus/dispatch/synthetic_work.h"

#include <algorithm>
#include <cstring>
#include <random>

namespace daedalus::dispatch {

namespace {


struct Builder {
  FrameWork& w;
  std::mt19937 rng;
  bool intra_only;

  uint32_t uniform(uint32_t n) { return std::uniform_int_distribution<uint32_t>(0, n - 1)(rng); }
  bool chance(double p) { return std::uniform_real_distribution<double>(0, 1)(rng) < p; }

  uint32_t plane_w(int p) const { return p ? w.params.mi_cols * 4 : w.params.mi_cols * 8; }
  uint32_t plane_h(int p) const { return p ? w.params.mi_rows * 4 : w.params.mi_rows * 8; }

  // Sparse low-frequency coefficients: nonzero values only in the top-left
  // 4x4 (2x2 for 4x4 transforms), eob >= every nonzero position's scan
  // index in any VP9 scan, so eob-based shortcuts stay valid.
  uint16_t add_coeffs(int tx_size, dd_tx_block& t) {
    const int n = 4 << tx_size;
    t.coeff_offset = static_cast<uint32_t>(w.coeffs.size());
    w.coeffs.resize(w.coeffs.size() + size_t(n) * n, 0);
    int16_t* c = &w.coeffs[t.coeff_offset];
    const int q = 40 + static_cast<int>(uniform(40));  // dequantiser step
    c[0] = static_cast<int16_t>((static_cast<int>(uniform(31)) - 15) * q);
    if (chance(0.35)) return 1;  // DC only
    const int lim = tx_size == 0 ? 2 : 4;
    const int count = 1 + static_cast<int>(uniform(6));
    for (int i = 0; i < count; ++i) {
      const int r = static_cast<int>(uniform(lim)), col = static_cast<int>(uniform(lim));
      c[r * n + col] = static_cast<int16_t>((static_cast<int>(uniform(9)) - 4) * q);
    }
    return static_cast<uint16_t>(std::min(n * n, 16 + static_cast<int>(uniform(24))));
  }

  // Loop-filter edges of one transform block: left and top edges of the
  // transform, sized by the transform (4, 8, 16), none at picture borders.
  void mark_lf(int p, uint32_t x, uint32_t y, int tx_size, uint8_t level, bool block_edge_only, bool left_edge,
               bool top_edge) {
    const uint32_t cols = w.params.lf_cols[p];
    const uint8_t size = tx_size == 0 ? 4 : tx_size == 1 ? 8 : 16;
    const int n4 = 1 << tx_size;
    for (int j = 0; j < n4; ++j) {
      for (int i = 0; i < n4; ++i) {
        const uint32_t ux = x / 4 + i, uy = y / 4 + j;
        if (ux >= cols || uy >= w.params.lf_rows[p]) continue;
        dd_lf_unit& u = w.lf[p][size_t(uy) * cols + ux];
        u.level = level;
        if (i == 0 && ux > 0 && (!block_edge_only || left_edge)) u.left_size = size;
        if (j == 0 && uy > 0 && (!block_edge_only || top_edge)) u.top_size = size;
      }
    }
  }

  void add_block(uint32_t x, uint32_t y, int log2) {
    dd_block b{};
    b.x = static_cast<uint16_t>(x);
    b.y = static_cast<uint16_t>(y);
    b.w_log2 = b.h_log2 = static_cast<uint8_t>(log2);
    const bool inter = !intra_only && chance(0.85);
    const bool skip = inter && chance(0.45);
    const uint8_t level = static_cast<uint8_t>(20 + uniform(16));
    if (inter) {
      b.flags = static_cast<uint8_t>(DD_BLOCK_INTER | (skip ? int{DD_BLOCK_SKIP} : 0));
      b.interp_filter = static_cast<uint8_t>(uniform(10) < 7 ? uint32_t{DD_FILTER_REGULAR} : uniform(3));
      b.ref[0] = static_cast<uint8_t>(uniform(10) < 7 ? 0 : uniform(3));
      if (chance(0.15)) {
        b.flags |= DD_BLOCK_COMPOUND;
        b.ref[1] = static_cast<uint8_t>((b.ref[0] + 1 + uniform(2)) % 3);
      }
      std::normal_distribution<double> mv(0, 40);  // 1/8 pel, ~5 px spread
      for (auto& sub : b.mv)
        for (auto& r : sub)
          for (auto& c : r) c = static_cast<int16_t>(std::clamp(mv(rng), -2000.0, 2000.0));
    } else {
      b.ref[0] = 0;
    }
    w.blocks.push_back(b);

    // Transform size: the block size capped at 32x32, sometimes one smaller.
    int tx = std::min(log2 - 2, 3);
    if (tx > 0 && chance(0.3)) --tx;
    const uint8_t mode = inter ? uint8_t{DD_MODE_INTER} : static_cast<uint8_t>(uniform(10));
    for (int p = 0; p < 3; ++p) {
      const int ptx = p ? std::max(0, std::min(tx, log2 - 3)) : tx;
      const uint32_t bx = p ? x / 2 : x, by = p ? y / 2 : y;
      const uint32_t bsize = p ? (1u << log2) / 2 : (1u << log2);
      const uint32_t step = 4u << ptx;
      const uint32_t pw = plane_w(p), ph = plane_h(p);
      for (uint32_t ty = by; ty < by + std::max(bsize, step); ty += step) {
        for (uint32_t tx_x = bx; tx_x < bx + std::max(bsize, step); tx_x += step) {
          if (tx_x >= pw || ty >= ph) continue;
          const bool has_coeffs = !skip && (inter ? chance(0.3) : chance(0.6));
          if (inter && !has_coeffs) {
            mark_lf(p, tx_x, ty, ptx, level, skip, tx_x == bx, ty == by);
            continue;
          }
          dd_tx_block t{};
          t.x = static_cast<uint16_t>(tx_x);
          t.y = static_cast<uint16_t>(ty);
          t.plane = static_cast<uint8_t>(p);
          t.tx_size = static_cast<uint8_t>(ptx);
          t.mode = mode;
          t.tx_type = (inter || ptx == 3 || p) ? uint8_t{DD_TX_DCT_DCT} : static_cast<uint8_t>(uniform(4));
          if (!inter) {
            if (tx_x > 0) t.flags |= DD_TX_HAVE_LEFT;
            if (ty > 0) t.flags |= DD_TX_HAVE_ABOVE;
            // Above-right only where it is certainly decoded already: the
            // row above the current 64x64 superblock row.
            const uint32_t sb = p ? 32 : 64;
            if (ty > 0 && ty % sb == 0 && tx_x + step < pw) t.flags |= DD_TX_HAVE_ABOVE_RIGHT;
          }
          if (has_coeffs) t.eob = add_coeffs(ptx, t);
          w.tx_blocks.push_back(t);
          mark_lf(p, tx_x, ty, ptx, level, false, true, true);
        }
      }
    }
  }

  // VP9-like partition: split with a probability that favours 16x16 and
  // 32x32, forced where the block would cross the picture edge.
  void partition(uint32_t x, uint32_t y, int log2) {
    const uint32_t size = 1u << log2;
    if (x >= w.params.mi_cols * 8 || y >= w.params.mi_rows * 8) return;
    const bool crosses = x + size > w.params.mi_cols * 8 || y + size > w.params.mi_rows * 8;
    const double p_split = log2 == 6 ? 0.85 : log2 == 5 ? 0.6 : log2 == 4 ? 0.3 : 0.0;
    if (log2 > 3 && (crosses || chance(p_split))) {
      const uint32_t h = size / 2;
      partition(x, y, log2 - 1);
      partition(x + h, y, log2 - 1);
      partition(x, y + h, log2 - 1);
      partition(x + h, y + h, log2 - 1);
      return;
    }
    add_block(x, y, log2);
  }
};

}  // namespace

FrameWork make_synthetic_work(const SyntheticOptions& opt) {
  FrameWork w;
  auto& p = w.params;
  p.width = opt.width;
  p.height = opt.height;
  p.mi_cols = (opt.width + 7) / 8;
  p.mi_rows = (opt.height + 7) / 8;
  p.ss_x = p.ss_y = 1;
  p.bit_depth = 8;
  p.flags = DD_FRAME_SHOW | (opt.intra_only ? uint32_t{DD_FRAME_INTRA_ONLY} : 0u);
  p.sharpness = 0;
  for (int pl = 0; pl < 3; ++pl) {
    p.lf_cols[pl] = pl ? p.mi_cols : p.mi_cols * 2;
    p.lf_rows[pl] = pl ? p.mi_rows : p.mi_rows * 2;
    w.lf[pl].assign(size_t(p.lf_cols[pl]) * p.lf_rows[pl], dd_lf_unit{});
  }
  for (auto& r : p.refs) r = {opt.width, opt.height, 1 << 14, 1 << 14};
  Builder b{w, std::mt19937(opt.seed), opt.intra_only};
  for (uint32_t y = 0; y < p.mi_rows * 8; y += 64)
    for (uint32_t x = 0; x < p.mi_cols * 8; x += 64) b.partition(x, y, 6);
  p.num_blocks = static_cast<uint32_t>(w.blocks.size());
  p.num_tx_blocks = static_cast<uint32_t>(w.tx_blocks.size());
  p.num_coeffs = static_cast<uint32_t>(w.coeffs.size());
  return w;
}

void fill_reference(Surface& s, uint32_t seed) {
  uint8_t* base = s.host_data();
  for (int p = 0; p < s.num_planes(); ++p) {
    const auto& pl = s.plane(p);
    for (uint32_t y = 0; y < pl.height; ++y) {
      uint8_t* row = base + pl.offset + size_t(y) * pl.stride;
      for (uint32_t x = 0; x < pl.width * pl.step; ++x) {
        // Gradients plus a hashed texture term: smooth enough to look like
        // video, varied enough that a wrong tap or offset changes the md5.
        const uint32_t h = (x * 2654435761u) ^ (y * 40503u) ^ seed;
        row[x] = static_cast<uint8_t>((x / 3 + y / 2 + seed * 17 + (h >> 28)) & 0xff);
      }
    }
  }
}

}  // namespace daedalus::dispatch
