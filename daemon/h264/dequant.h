// SPDX-License-Identifier: MIT
// Dequantisation (8.5.9, 8.5.12.1, 8.5.13.1): LevelScale4x4 / LevelScale8x8
// from the scaling lists, the scaling of 4x4 and 8x8 coefficients, and the
// chroma QP (Table 8-15).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace daedalus::h264 {

// QPc for qPI = Clip3(-QpBdOffsetC, 51, QPY + offset), 8-bit.
int chroma_qp(int qp_y, int offset);

// LevelScale of one scaling list (raster order) for qP % 6 = m.
struct LevelScale4x4 {
  std::array<std::array<int32_t, 16>, 6> v;
};
struct LevelScale8x8 {
  std::array<std::array<int32_t, 64>, 6> v;
};
LevelScale4x4 level_scale_4x4(const std::array<uint8_t, 16>& weight_scale);
LevelScale8x8 level_scale_8x8(const std::array<uint8_t, 64>& weight_scale);

// d = scaled coefficient of level c at raster position k (8.5.12.1 for the
// 4x4 blocks other than DC-coded ones' DC; 8.5.13.1), kept as libavcodec
// keeps it, in 16 bits.
int16_t dequant_4x4(int32_t c, const LevelScale4x4& ls, int qp, int k);
int16_t dequant_8x8(int32_t c, const LevelScale8x8& ls, int qp, int k);
// The multiplier of the DC transforms (h264_work.h dc_scale).
inline int32_t dc_scale(const LevelScale4x4& ls, int qp) { return ls.v[size_t(qp % 6)][0] << (qp / 6); }

}  // namespace daedalus::h264
