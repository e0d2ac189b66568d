// SPDX-License-Identifier: MIT
// Where VP9 inter prediction reads a reference: the block a prediction
// covers in each plane, the chroma vector of sub-8x8 blocks, the visible
// reference size reads are clamped to, the allowed scale range, and the
// 1/16-pel position and step in the (possibly scaled) reference. Shared by
// the CPU reference backend (CpuBackend::predict) and the Vulkan backend's
// job planner (plan_inter), which must compute the same numbers.
// Header-only: the CPU backend calls these per predicted block.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string_view>

#include <fmt/format.h>

#include "daedalus/dispatch/dispatch.h"
#include "daedalus/error.h"

namespace daedalus::dispatch::vp9 {

struct Mv {
  int row, col;
};

// Rounded division used for the chroma MV of sub-8x8 blocks (round half away
// from zero), as libvpx's round_mv_comp_q4 / q2.
inline int round_div(int sum, int d) { return (sum >= 0 ? sum + d / 2 : sum - d / 2) / d; }

// True for blocks smaller than 8x8 (4x4, 4x8, 8x4): one record for the 8x8
// area with a vector per 4x4 (dd_block).
inline bool is_sub8x8(const dd_block& b) { return b.w_log2 < 3 || b.h_log2 < 3; }

// Size of the block a plane's prediction covers: sub-8x8 blocks predict
// their whole 8x8 area (subsampled for chroma).
inline int pred_width(const dd_block& b, int ss_x) { return (is_sub8x8(b) ? 8 : 1 << b.w_log2) >> ss_x; }
inline int pred_height(const dd_block& b, int ss_y) { return (is_sub8x8(b) ? 8 : 1 << b.h_log2) >> ss_y; }

// 4:2:0 chroma of a sub-8x8 block: one block with the rounded average of the
// four luma vectors of reference i.
inline Mv sub8x8_chroma_mv(const dd_block& b, int i) {
  int sr = 0, sc = 0;
  for (int k = 0; k < 4; ++k) {
    sr += b.mv[k][i][0];
    sc += b.mv[k][i][1];
  }
  return {round_div(sr, 4), round_div(sc, 4)};
}

// The area of a reference plane that reads are clamped to: the
// reference's visible size (subsampled, rounded up, for chroma), at most the
// surface's plane size. Throws for an empty area and for a scale outside
// VP9's range (references from half to 16 times the frame's size: a q14
// scale in 1/16 .. 2).
struct RefArea {
  int w, h;
};
inline RefArea ref_read_area(int surface_w, int surface_h, const dd_ref_params& rp, int ss_x, int ss_y,
                             std::string_view who) {
  const RefArea a{std::min<int>(surface_w, (int(rp.width) + ss_x) >> ss_x),
                  std::min<int>(surface_h, (int(rp.height) + ss_y) >> ss_y)};
  if (a.w <= 0 || a.h <= 0) throw Error(fmt::format("{}: empty reference picture", who));
  if (rp.x_scale_q14 <= 0 || rp.y_scale_q14 <= 0 || rp.x_scale_q14 > 2 << 14 || rp.y_scale_q14 > 2 << 14 ||
      rp.x_scale_q14 < (1 << 14) / 16 || rp.y_scale_q14 < (1 << 14) / 16)
    throw Error(fmt::format("{}: reference scale {}/{} (q14) outside VP9's 1/16..2 range", who, rp.x_scale_q14,
                            rp.y_scale_q14));
  return a;
}

[[noreturn]] inline void missing_reference(const dd_block& b, int slot, std::string_view who) {
  throw Error(fmt::format("{}: block at {},{} uses missing reference {}", who, b.x, b.y, slot));
}

inline bool is_scaled(const dd_ref_params& rp) { return rp.x_scale_q14 != (1 << 14) || rp.y_scale_q14 != (1 << 14); }

// 1/16-pel position of a block's top-left in the reference and the 1/16
// step between output pixels (16 when unscaled).
struct RefPosition {
  int pos_x, pos_y, dx, dy;
};

// The position of the w x h prediction at (x, y) of `plane` with vector mv,
// following libavcodec's mc_luma/chroma_(un)scaled: scaled references get
// VP9's MV clamp and per-component scaling. (px, py, pw, ph) is the part of
// the enclosing prediction block the clamp sees: (0, 0, w, h) for a whole
// block, (ox, oy, 8, 8) for a 4x4 of a sub-8x8 block.
inline RefPosition ref_position(const dd_ref_params& rp, const dd_frame_params& fp, int plane, int x, int y, Mv mv,
                                int px, int py, int pw, int ph) {
  const bool ssx = plane && fp.ss_x, ssy = plane && fp.ss_y;
  RefPosition r{0, 0, 16, 16};
  if (!is_scaled(rp)) {
    r.pos_x = x * 16 + mv.col * (ssx ? 1 : 2);
    r.pos_y = y * 16 + mv.row * (ssy ? 1 : 2);
    return r;
  }
  const int64_t sx = rp.x_scale_q14, sy = rp.y_scale_q14;
  auto scale_x = [&](int64_t v) { return static_cast<int>((v * sx) >> 14); };
  auto scale_y = [&](int64_t v) { return static_cast<int>((v * sy) >> 14); };
  const int cols = int(fp.mi_cols), rows = int(fp.mi_rows);
  if (ssx) {
    // libvpx scales the chroma block position at double precision and
    // keeps only its fraction (webm issue 820); reproduced exactly.
    const int mvx = std::clamp(mv.col, -(x + pw - px + 4) * 16, (cols * 4 - x + px + 3) * 16);
    r.pos_x = scale_x(mvx) + (scale_x(int64_t{x} * 16) & ~15) + (scale_x(int64_t{x} * 32) & 15);
  } else {
    const int mvx = std::clamp(mv.col, -(x + pw - px + 4) * 8, (cols * 8 - x + px + 3) * 8);
    r.pos_x = scale_x(int64_t{mvx} * 2) + scale_x(int64_t{x} * 16);
  }
  if (ssy) {
    const int mvy = std::clamp(mv.row, -(y + ph - py + 4) * 16, (rows * 4 - y + py + 3) * 16);
    r.pos_y = scale_y(mvy) + (scale_y(int64_t{y} * 16) & ~15) + (scale_y(int64_t{y} * 32) & 15);
  } else {
    const int mvy = std::clamp(mv.row, -(y + ph - py + 4) * 8, (rows * 8 - y + py + 3) * 8);
    r.pos_y = scale_y(int64_t{mvy} * 2) + scale_y(int64_t{y} * 16);
  }
  r.dx = static_cast<int>((16 * sx) >> 14);
  r.dy = static_cast<int>((16 * sy) >> 14);
  return r;
}

}  // namespace daedalus::dispatch::vp9
