// SPDX-License-Identifier: MIT
#include "h264_work_checks.h"

#include <fmt/format.h>

#include "daedalus/error.h"

namespace daedalus::dispatch::h264 {

void check_work(const H264FrameWork& work, const char* who) {
  const auto& p = work.params;
  if (p.mb_cols == 0 || p.mb_rows == 0 || p.mb_cols > 1024 || p.mb_rows > 1024 ||
      p.num_mbs != p.mb_cols * p.mb_rows || work.mbs.size() != p.num_mbs || p.width > p.mb_cols * 16 ||
      p.height > p.mb_rows * 16 || p.width == 0 || p.height == 0)
    throw Error(fmt::format("{}: h264 work: bad picture of {}x{} macroblocks ({} records)", who, p.mb_cols,
                            p.mb_rows, work.mbs.size()));
  for (size_t i = 0; i < work.mbs.size(); ++i) {
    const dd_h264_mb& m = work.mbs[i];
    if (m.mb_x != i % p.mb_cols || m.mb_y != i / p.mb_cols || m.type > DD_H264_MB_INTER ||
        m.chroma_pred_mode > 3 || uint64_t{m.coeff_offset} + H264_MB_COEFFS > work.coeffs.size())
      throw Error(fmt::format("{}: h264 work: bad macroblock record {}", who, i));
    const int modes = m.type == DD_H264_MB_I4X4 ? 16 : m.type == DD_H264_MB_I8X8 ? 4 : m.type == DD_H264_MB_I16X16;
    for (int k = 0; k < modes; ++k)
      if (m.pred_modes[k] > (m.type == DD_H264_MB_I16X16 ? 3 : 8))
        throw Error(fmt::format("{}: h264 work: bad prediction mode in macroblock {}", who, i));
    if (m.type == DD_H264_MB_INTER && work.motion.size() != work.mbs.size())
      throw Error(fmt::format("{}: h264 work: inter macroblock {} without motion records", who, i));
  }
  if (!work.motion.empty() && work.motion.size() != work.mbs.size())
    throw Error(fmt::format("{}: h264 work: {} motion records for {} macroblocks", who, work.motion.size(),
                            work.mbs.size()));
  for (size_t i = 0; i < work.inter.size(); ++i) {
    const dd_h264_inter_block& b = work.inter[i];
    const auto size_ok = [](int n) { return n == 4 || n == 8 || n == 16; };
    if (!size_ok(b.w) || !size_ok(b.h) || b.x % 4 || b.y % 4 || uint32_t{b.x} + b.w > p.mb_cols * 16 ||
        uint32_t{b.y} + b.h > p.mb_rows * 16 || b.luma_log2_denom > 7 || b.chroma_log2_denom > 7)
      throw Error(fmt::format("{}: h264 work: bad inter block {}", who, i));
  }
}

}  // namespace daedalus::dispatch::h264
