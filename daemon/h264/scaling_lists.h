// SPDX-License-Identifier: MIT
// Scaling lists (spec 7.3.2.1.1.1, 7.4.2.1.1, Tables 7-2..7-4): the
// scaling_list() syntax, the default and flat lists, and the fall-back
// rules that fill the lists a parameter set does not carry.
#pragma once

#include <array>
#include <cstdint>

#include "rbsp_reader.h"

namespace daedalus::h264 {

// Frame zig-zag scans (Tables 8-12, 8-13): scan index -> raster index.
// Scaling lists are coded in this order even in field macroblocks.
extern const std::array<uint8_t, 16> kZigzag4x4;
extern const std::array<uint8_t, 64> kZigzag8x8;

// Default_4x4_Intra/Inter, Default_8x8_Intra/Inter (Tables 7-3, 7-4), in
// raster order.
extern const std::array<uint8_t, 16> kDefault4x4Intra;
extern const std::array<uint8_t, 16> kDefault4x4Inter;
extern const std::array<uint8_t, 64> kDefault8x8Intra;
extern const std::array<uint8_t, 64> kDefault8x8Inter;

// The lists in raster order (weightScale4x4 / weightScale8x8 of 8.5.9),
// index as the spec's i: 4x4 Y/Cb/Cr intra, Y/Cb/Cr inter; 8x8 Y intra,
// Y inter, then (4:4:4 only) Cb intra, Cb inter, Cr intra, Cr inter.
struct ScalingMatrix {
  std::array<std::array<uint8_t, 16>, 6> list4x4;
  std::array<std::array<uint8_t, 64>, 6> list8x8;
  bool operator==(const ScalingMatrix&) const = default;
};

// Flat_4x4_16 / Flat_8x8_16 everywhere: no scaling matrix in SPS and PPS.
ScalingMatrix flat_scaling_matrix();

// How a parameter set says its lists: which of the 12 are present in the
// bitstream. Lists not present are filled by the fall-back rules.
struct ScalingListsPresence {
  bool matrix_present = false;  // seq_ / pic_scaling_matrix_present_flag
  std::array<bool, 12> list_present{};
};

// How many 8x8 lists a parameter set carries (with transform_8x8_mode_flag
// in a PPS): Y intra / inter, and Cb, Cr intra / inter in 4:4:4 only.
constexpr int scaling_lists_8x8(int chroma_format_idc) { return chroma_format_idc == 3 ? 6 : 2; }

// Reads seq_scaling_list_present_flag[i] / pic_scaling_list_present_flag[i]
// and the lists for i < count (8 or 12 in an SPS; 6, 8 or 12 in a PPS)
// into `m` (raster order; a list whose first delta selects
// UseDefaultScalingMatrixFlag gets its default list). Lists not present are
// left for apply_fallback.
void read_scaling_lists(RbspReader& r, int count, ScalingListsPresence& presence, ScalingMatrix& m);

// Fall-back rule A (SPS, or a PPS whose SPS has no matrix: `fallback` is
// null) or B (a PPS, `fallback` = the SPS's final lists) for every list i
// that is not present: lists 0/3 (4x4) and 6/7 (8x8) take the default list
// (A) or the SPS's list (B); every other list copies the list before it of
// the same kind (1 <- 0, 2 <- 1, 4 <- 3, 5 <- 4, 8 <- 6, 9 <- 7, 10 <- 8,
// 11 <- 9).
void apply_fallback(const ScalingListsPresence& presence, const ScalingMatrix* fallback, ScalingMatrix& m);

}  // namespace daedalus::h264
