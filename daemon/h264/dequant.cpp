// SPDX-License-Identifier: MIT
#include "dequant.h"

#include <algorithm>

namespace daedalus::h264 {
namespace {

// normAdjust4x4 (8-315): v[m][0] at (even, even), v[m][1] at (odd, odd),
// v[m][2] elsewhere.
constexpr int kNormAdjust4x4[6][3] = {{10, 16, 13}, {11, 18, 14}, {13, 20, 16},
                                      {14, 23, 18}, {16, 25, 20}, {18, 29, 23}};
// normAdjust8x8 (8-318): the six classes of positions.
constexpr int kNormAdjust8x8[6][6] = {{20, 18, 32, 19, 25, 24}, {22, 19, 35, 21, 28, 26},
                                      {26, 23, 42, 24, 33, 31}, {28, 25, 45, 26, 35, 33},
                                      {32, 28, 51, 30, 40, 38}, {36, 32, 58, 34, 46, 43}};
// Table 8-15: QPc for qPI 30..51 (below 30, QPc = qPI).
constexpr uint8_t kQpc[22] = {29, 30, 31, 32, 32, 33, 34, 34, 35, 35, 36,
                              36, 37, 37, 37, 38, 38, 38, 39, 39, 39, 39};

int norm_adjust_8x8(int m, int i, int j) {
  if (i % 4 == 0 && j % 4 == 0) return kNormAdjust8x8[m][0];
  if (i % 2 == 1 && j % 2 == 1) return kNormAdjust8x8[m][1];
  if (i % 4 == 2 && j % 4 == 2) return kNormAdjust8x8[m][2];
  if ((i % 4 == 0 && j % 2 == 1) || (i % 2 == 1 && j % 4 == 0)) return kNormAdjust8x8[m][3];
  if ((i % 4 == 0 && j % 4 == 2) || (i % 4 == 2 && j % 4 == 0)) return kNormAdjust8x8[m][4];
  return kNormAdjust8x8[m][5];
}

int16_t to_int16(int64_t v) { return static_cast<int16_t>(v); }  // libavcodec's int16_t coefficients

}  // namespace

int chroma_qp(int qp_y, int offset) {
  const int qpi = std::clamp(qp_y + offset, 0, 51);
  return qpi < 30 ? qpi : kQpc[qpi - 30];
}

LevelScale4x4 level_scale_4x4(const std::array<uint8_t, 16>& w) {
  LevelScale4x4 ls;
  for (int m = 0; m < 6; ++m)
    for (int k = 0; k < 16; ++k) {
      const int i = k / 4, j = k % 4;
      const int n = (i % 2 == 0 && j % 2 == 0) ? kNormAdjust4x4[m][0]
                    : (i % 2 == 1 && j % 2 == 1) ? kNormAdjust4x4[m][1]
                                                 : kNormAdjust4x4[m][2];
      ls.v[size_t(m)][size_t(k)] = w[size_t(k)] * n;
    }
  return ls;
}

LevelScale8x8 level_scale_8x8(const std::array<uint8_t, 64>& w) {
  LevelScale8x8 ls;
  for (int m = 0; m < 6; ++m)
    for (int k = 0; k < 64; ++k) ls.v[size_t(m)][size_t(k)] = w[size_t(k)] * norm_adjust_8x8(m, k / 8, k % 8);
  return ls;
}

int16_t dequant_4x4(int32_t c, const LevelScale4x4& ls, int qp, int k) {
  const int64_t x = int64_t{c} * ls.v[size_t(qp % 6)][size_t(k)];
  if (qp >= 24) return to_int16(x * (int64_t{1} << (qp / 6 - 4)));
  return to_int16((x + (int64_t{1} << (3 - qp / 6))) >> (4 - qp / 6));
}

int16_t dequant_8x8(int32_t c, const LevelScale8x8& ls, int qp, int k) {
  const int64_t x = int64_t{c} * ls.v[size_t(qp % 6)][size_t(k)];
  if (qp >= 36) return to_int16(x * (int64_t{1} << (qp / 6 - 6)));
  return to_int16((x + (int64_t{1} << (5 - qp / 6))) >> (6 - qp / 6));
}

}  // namespace daedalus::h264
