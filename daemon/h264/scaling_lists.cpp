// SPDX-License-Identifier: MIT
#include "scaling_lists.h"

namespace daedalus::h264 {

const std::array<uint8_t, 16> kZigzag4x4 = {0, 1, 4, 8, 5, 2, 3, 6, 9, 12, 13, 10, 7, 11, 14, 15};
const std::array<uint8_t, 64> kZigzag8x8 = {
    0,  1,  8,  16, 9,  2,  3,  10, 17, 24, 32, 25, 18, 11, 4,  5,  12, 19, 26, 33, 40, 48,
    41, 34, 27, 20, 13, 6,  7,  14, 21, 28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23,
    30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63};

namespace {

// Tables 7-3 and 7-4 as the spec prints them: in zig-zag order.
constexpr std::array<uint8_t, 16> kDefault4x4IntraScan = {6, 13, 13, 20, 20, 20, 28, 28,
                                                          28, 28, 32, 32, 32, 37, 37, 42};
constexpr std::array<uint8_t, 16> kDefault4x4InterScan = {10, 14, 14, 20, 20, 20, 24, 24,
                                                          24, 24, 27, 27, 27, 30, 30, 34};
constexpr std::array<uint8_t, 64> kDefault8x8IntraScan = {
    6,  10, 10, 13, 11, 13, 16, 16, 16, 16, 18, 18, 18, 18, 18, 23, 23, 23, 23, 23, 23, 25,
    25, 25, 25, 25, 25, 25, 27, 27, 27, 27, 27, 27, 27, 27, 29, 29, 29, 29, 29, 29, 29, 31,
    31, 31, 31, 31, 31, 33, 33, 33, 33, 33, 36, 36, 36, 36, 38, 38, 38, 40, 40, 42};
constexpr std::array<uint8_t, 64> kDefault8x8InterScan = {
    9,  13, 13, 15, 13, 15, 17, 17, 17, 17, 19, 19, 19, 19, 19, 21, 21, 21, 21, 21, 21, 22,
    22, 22, 22, 22, 22, 22, 24, 24, 24, 24, 24, 24, 24, 24, 25, 25, 25, 25, 25, 25, 25, 27,
    27, 27, 27, 27, 27, 28, 28, 28, 28, 28, 30, 30, 30, 30, 32, 32, 32, 33, 33, 35};

template <size_t N>
constexpr std::array<uint8_t, N> to_raster(const std::array<uint8_t, N>& scan, const std::array<uint8_t, N>& zigzag) {
  std::array<uint8_t, N> raster{};
  for (size_t k = 0; k < N; ++k) raster[zigzag[k]] = scan[k];
  return raster;
}

// 7.3.2.1.1.1 scaling_list(): delta_scale in -128..127, values modulo 256;
// a next value of 0 ends the list (the rest repeats the last value), and
// at the first position selects the default list.
template <size_t N>
void read_scaling_list(RbspReader& r, const std::array<uint8_t, N>& zigzag, const std::array<uint8_t, N>& default_list,
                       std::array<uint8_t, N>& raster) {
  int last_scale = 8;
  int next_scale = 8;
  for (size_t j = 0; j < N; ++j) {
    if (next_scale != 0) {
      const int delta_scale = r.se("delta_scale", -128, 127);
      next_scale = (last_scale + delta_scale + 256) % 256;
      if (j == 0 && next_scale == 0) {
        raster = default_list;
        return;
      }
    }
    const int value = next_scale == 0 ? last_scale : next_scale;
    raster[zigzag[j]] = static_cast<uint8_t>(value);
    last_scale = value;
  }
}

}  // namespace

const std::array<uint8_t, 16> kDefault4x4Intra = to_raster(kDefault4x4IntraScan, kZigzag4x4);
const std::array<uint8_t, 16> kDefault4x4Inter = to_raster(kDefault4x4InterScan, kZigzag4x4);
const std::array<uint8_t, 64> kDefault8x8Intra = to_raster(kDefault8x8IntraScan, kZigzag8x8);
const std::array<uint8_t, 64> kDefault8x8Inter = to_raster(kDefault8x8InterScan, kZigzag8x8);

ScalingMatrix flat_scaling_matrix() {
  ScalingMatrix m;
  for (auto& l : m.list4x4) l.fill(16);
  for (auto& l : m.list8x8) l.fill(16);
  return m;
}

void read_scaling_lists(RbspReader& r, int count, ScalingListsPresence& presence, ScalingMatrix& m) {
  for (int i = 0; i < count; ++i) {
    presence.list_present[i] = r.flag();
    if (!presence.list_present[i]) continue;
    const bool intra = i < 6 ? i < 3 : (i % 2) == 0;
    if (i < 6)
      read_scaling_list(r, kZigzag4x4, intra ? kDefault4x4Intra : kDefault4x4Inter, m.list4x4[i]);
    else
      read_scaling_list(r, kZigzag8x8, intra ? kDefault8x8Intra : kDefault8x8Inter, m.list8x8[i - 6]);
  }
}

void apply_fallback(const ScalingListsPresence& presence, const ScalingMatrix* fallback, ScalingMatrix& m) {
  for (int i = 0; i < 12; ++i) {
    if (presence.list_present[i]) continue;
    if (i < 6) {
      if (i == 0 || i == 3)
        m.list4x4[i] = fallback ? fallback->list4x4[i] : (i == 0 ? kDefault4x4Intra : kDefault4x4Inter);
      else
        m.list4x4[i] = m.list4x4[i - 1];
    } else {
      const int k = i - 6;
      if (k < 2)
        m.list8x8[k] = fallback ? fallback->list8x8[k] : (k == 0 ? kDefault8x8Intra : kDefault8x8Inter);
      else
        m.list8x8[k] = m.list8x8[k - 2];
    }
  }
}

}  // namespace daedalus::h264
