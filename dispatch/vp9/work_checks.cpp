// SPDX-License-Identifier: MIT
#include "work_checks.h"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

#include "daedalus/error.h"

namespace daedalus::dispatch::vp9 {

void check_frame_params(const dd_frame_params& p, std::string_view who) {
  if (p.bit_depth != 8) throw Error(fmt::format("{}: bit depth {} is not supported", who, p.bit_depth));
  if (p.ss_x != 1 || p.ss_y != 1) throw Error(fmt::format("{}: only 4:2:0 is supported", who));
  if (p.mi_cols == 0 || p.mi_rows == 0 || p.mi_cols > 2048 || p.mi_rows > 2048)
    throw Error(fmt::format("{}: bad frame size {}x{} mi", who, p.mi_cols, p.mi_rows));
}

void check_work(const FrameWork& work, std::string_view who) {
  const dd_frame_params& p = work.params;
  if (p.num_blocks != work.blocks.size() || p.num_tx_blocks != work.tx_blocks.size() ||
      p.num_coeffs != work.coeffs.size())
    throw Error(fmt::format("{}: FrameWork counts do not match its arrays", who));
  check_frame_params(p, who);
  for (size_t i = 0; i < work.tx_blocks.size(); ++i) {
    const dd_tx_block& t = work.tx_blocks[i];
    if (t.plane > 2 || t.tx_size > 3 || t.tx_type > 4 || (t.tx_type == DD_TX_WHT_WHT && t.tx_size != 0) ||
        (t.mode > DD_TM_PRED && t.mode != DD_MODE_INTER))
      throw Error(fmt::format("{}: tx block {} has bad plane/size/type/mode", who, i));
    const uint32_t n = 4u << t.tx_size;
    if (t.x >= decoded_width(p, t.plane) || t.y >= decoded_height(p, t.plane) || (t.x % 4) || (t.y % 4))
      throw Error(fmt::format("{}: tx block {} at {},{} outside plane {}", who, i, t.x, t.y, t.plane));
    if (t.eob && uint64_t{t.coeff_offset} + n * n > work.coeffs.size())
      throw Error(fmt::format("{}: tx block {} coefficients beyond the coefficient array", who, i));
  }
  for (size_t i = 0; i < work.blocks.size(); ++i) {
    const dd_block& b = work.blocks[i];
    if (b.w_log2 < 2 || b.w_log2 > 6 || b.h_log2 < 2 || b.h_log2 > 6 || b.x >= p.mi_cols * 8 ||
        b.y >= p.mi_rows * 8 || (b.flags & DD_BLOCK_INTER && (b.ref[0] > 2 || b.interp_filter > 3)) ||
        (b.flags & DD_BLOCK_COMPOUND && b.ref[1] > 2))
      throw Error(fmt::format("{}: block {} is malformed", who, i));
  }
  check_loop_filter_units(work, who);
}

namespace {

// 0 for an edge size of 0, 4, 8 or 16 (no bit outside 4 | 8 | 16, at most
// one bit set); byte arithmetic only, so that a loop over a plane's units
// vectorizes.
inline uint8_t bad_size_bits(uint8_t s) { return uint8_t((s & uint8_t(s - 1)) | (s & uint8_t(~28u))); }
inline uint8_t bad_bits(const dd_lf_unit& u) {
  return uint8_t(bad_size_bits(u.left_size) | bad_size_bits(u.top_size) | (u.level & uint8_t(~63u)));
}

[[noreturn, gnu::noinline, gnu::cold]] void bad_lf_unit(const std::vector<dd_lf_unit>& grid, int plane,
                                                        std::string_view who) {
  const dd_lf_unit& u = *std::find_if(grid.begin(), grid.end(), [](const dd_lf_unit& x) { return bad_bits(x) != 0; });
  throw Error(fmt::format("{}: loop filter unit of plane {} has size {}/{} level {}", who, plane, u.left_size,
                          u.top_size, u.level));
}

}  // namespace

void check_loop_filter_units(const FrameWork& work, std::string_view who) {
  const dd_frame_params& p = work.params;
  for (int pl = 0; pl < 3; ++pl) {
    const std::vector<dd_lf_unit>& grid = work.lf[pl];
    if (!grid.empty() && grid.size() != size_t{p.lf_cols[pl]} * p.lf_rows[pl])
      throw Error(fmt::format("{}: loop filter grid of plane {} has {} units, expected {}x{}", who, pl, grid.size(),
                              p.lf_cols[pl], p.lf_rows[pl]));
    // Both backends check every unit of every frame: one OR over the plane,
    // the unit to blame looked for only when one is wrong.
    uint8_t bad = 0;
    for (const dd_lf_unit& u : grid) bad |= bad_bits(u);
    if (bad) [[unlikely]]
      bad_lf_unit(grid, pl, who);
  }
}

void check_destination(const Surface& dst, const dd_frame_params& p, std::string_view who) {
  if (dst.format() != SurfaceFormat::kPlanar420)
    throw Error(fmt::format("{}: the destination must be a planar surface", who));
  for (int pl = 0; pl < 3; ++pl) {
    const PlaneLayout& l = dst.plane(pl);
    const uint32_t need_w = decoded_width(p, pl), need_h = decoded_height(p, pl);
    if (l.width < need_w || l.height < need_h)
      throw Error(fmt::format("{}: destination plane {} is {}x{}, the frame needs {}x{}", who, pl, l.width, l.height,
                              need_w, need_h));
  }
}

}  // namespace daedalus::dispatch::vp9
