// SPDX-License-Identifier: MIT
#include "cavlc.h"

#include <algorithm>
#include <array>
#include <string>
#include <vector>

namespace daedalus::h264 {
namespace {

// Table 9-5: coeff_token by nC range (0 <= nC < 2, 2 <= nC < 4, 4 <= nC < 8,
// 8 <= nC), code length and value, index TotalCoeff * 4 + TrailingOnes.
constexpr uint8_t kCoeffTokenLen[4][4 * 17] = {
    {1,  0,  0,  0,  6,  2,  0,  0,  8,  6,  3,  0,  9,  8,  7,  5,  10, 9,  8,  6,  11, 10, 9,
     7,  13, 11, 10, 8,  13, 13, 11, 9,  13, 13, 13, 10, 14, 14, 13, 11, 14, 14, 14, 13, 15, 15,
     14, 14, 15, 15, 15, 14, 16, 15, 15, 15, 16, 16, 16, 15, 16, 16, 16, 16, 16, 16, 16, 16},
    {2,  0,  0,  0,  6,  2,  0,  0,  6,  5,  3,  0,  7,  6,  6,  4,  8,  6,  6,  4,  8,  7,  7,
     5,  9,  8,  8,  6,  11, 9,  9,  6,  11, 11, 11, 7,  12, 11, 11, 9,  12, 12, 12, 11, 12, 12,
     12, 11, 13, 13, 13, 12, 13, 13, 13, 13, 13, 14, 13, 13, 14, 14, 14, 13, 14, 14, 14, 14},
    {4,  0,  0,  0,  6,  4,  0,  0,  6,  5,  4,  0,  6,  5,  5,  4,  7,  5,  5,  4,  7,  5,  5,
     4,  7,  6,  6,  4,  7,  6,  6,  4,  8,  7,  7,  5,  8,  8,  7,  6,  9,  8,  8,  7,  9,  9,
     8,  8,  9,  9,  9,  8,  10, 9,  9,  9,  10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10},
    {6, 0, 0, 0, 6, 6, 0, 0, 6, 6, 6, 0, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6,
     6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6},
};
constexpr uint8_t kCoeffTokenCode[4][4 * 17] = {
    {1,  0, 0,  0,  5,  1,  0,  0,  7,  4, 1, 0,  7,  6,  5,  3,  7,  6,  5, 3,  7,  6, 5,
     4,  15, 6, 5,  4,  11, 14, 5,  4,  8,  10, 13, 4, 15, 14, 9,  4,  11, 10, 13, 12, 15, 14,
     9,  12, 11, 10, 13, 8,  15, 1,  9,  12, 11, 14, 13, 8,  7, 10, 9,  12, 4,  6,  5,  8},
    {3,  0,  0,  0, 11, 2,  0,  0,  7,  7,  3,  0,  7,  10, 9,  5,  7,  6,  5, 4,  4,  6,  5,
     6,  7,  6,  5, 8,  15, 6,  5,  4,  11, 14, 13, 4,  15, 10, 9,  4,  11, 14, 13, 12, 8, 10,
     9,  8,  15, 14, 13, 12, 11, 10, 9,  12, 7,  11, 6,  8,  9,  8,  10, 1,  7,  6,  5, 4},
    {15, 0,  0,  0,  15, 14, 0,  0,  11, 15, 13, 0,  8,  12, 14, 12, 15, 10, 11, 11, 11, 8,  9,
     10, 9,  14, 13, 9,  8,  10, 9,  8,  15, 14, 13, 13, 11, 14, 10, 12, 15, 10, 13, 12, 11, 14,
     9,  12, 8,  10, 13, 8,  13, 7,  9,  12, 9,  12, 11, 10, 5,  8,  7,  6,  1,  4,  3,  2},
    {3,  0,  0,  0,  0,  1,  0,  0,  4,  5,  6,  0,  8,  9,  10, 11, 12, 13, 14, 15, 16, 17, 18,
     19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41,
     42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63},
};
// Chroma DC of 4:2:0 (nC = -1), index TotalCoeff * 4 + TrailingOnes.
constexpr uint8_t kChromaDcTokenLen[4 * 5] = {2, 0, 0, 0, 6, 1, 0, 0, 6, 6, 3, 0, 6, 7, 7, 6, 6, 8, 8, 7};
constexpr uint8_t kChromaDcTokenCode[4 * 5] = {1, 0, 0, 0, 7, 1, 0, 0, 4, 6, 1, 0, 3, 3, 2, 5, 2, 3, 2, 0};

// Tables 9-7, 9-8: total_zeros by TotalCoeff (1..15), index total_zeros.
constexpr uint8_t kTotalZerosLen[15][16] = {
    {1, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 9}, {3, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 6, 6, 6, 6},
    {4, 3, 3, 3, 4, 4, 3, 3, 4, 5, 5, 6, 5, 6},       {5, 3, 4, 4, 3, 3, 3, 4, 3, 4, 5, 5, 5},
    {4, 4, 4, 3, 3, 3, 3, 3, 4, 5, 4, 5},             {6, 5, 3, 3, 3, 3, 3, 3, 4, 3, 6},
    {6, 5, 3, 3, 3, 2, 3, 4, 3, 6},                   {6, 4, 5, 3, 2, 2, 3, 3, 6},
    {6, 6, 4, 2, 2, 3, 2, 5},                         {5, 5, 3, 2, 2, 2, 4},
    {4, 4, 3, 3, 1, 3},                               {4, 4, 2, 1, 3},
    {3, 3, 1, 2},                                     {2, 2, 1},
    {1, 1}};
constexpr uint8_t kTotalZerosCode[15][16] = {
    {1, 3, 2, 3, 2, 3, 2, 3, 2, 3, 2, 3, 2, 3, 2, 1}, {7, 6, 5, 4, 3, 5, 4, 3, 2, 3, 2, 3, 2, 1, 0},
    {5, 7, 6, 5, 4, 3, 4, 3, 2, 3, 2, 1, 1, 0},       {3, 7, 5, 4, 6, 5, 4, 3, 3, 2, 2, 1, 0},
    {5, 4, 3, 7, 6, 5, 4, 3, 2, 1, 1, 0},             {1, 1, 7, 6, 5, 4, 3, 2, 1, 1, 0},
    {1, 1, 5, 4, 3, 3, 2, 1, 1, 0},                   {1, 1, 1, 3, 3, 2, 2, 1, 0},
    {1, 0, 1, 3, 2, 1, 1, 1},                         {1, 0, 1, 3, 2, 1, 1},
    {0, 1, 1, 2, 1, 3},                               {0, 1, 1, 1, 1},
    {0, 1, 1, 1},                                     {0, 1, 1},
    {0, 1}};
// Table 9-9 (a): chroma DC 4:2:0 total_zeros by TotalCoeff (1..3).
constexpr uint8_t kChromaDcZerosLen[3][4] = {{1, 2, 3, 3}, {1, 2, 2, 0}, {1, 1, 0, 0}};
constexpr uint8_t kChromaDcZerosCode[3][4] = {{1, 1, 1, 0}, {1, 1, 0, 0}, {1, 0, 0, 0}};
// Table 9-10: run_before by zerosLeft (1..6, and > 6), index run_before.
constexpr uint8_t kRunLen[7][16] = {{1, 1},          {1, 2, 2},          {2, 2, 2, 2},
                                    {2, 2, 2, 3, 3}, {2, 2, 3, 3, 3, 3}, {2, 3, 3, 3, 3, 3, 3},
                                    {3, 3, 3, 3, 3, 3, 3, 4, 5, 6, 7, 8, 9, 10, 11}};
constexpr uint8_t kRunCode[7][16] = {{1, 0},          {1, 1, 0},          {3, 2, 1, 0},
                                     {3, 2, 1, 1, 0}, {3, 2, 3, 2, 1, 0}, {3, 0, 1, 3, 2, 5, 4},
                                     {7, 6, 5, 4, 3, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1}};

// A code table as a lookup on its longest code's worth of bits: entry
// (length << 8 | symbol), 0 where no code starts with those bits.
struct VlcTable {
  int max_len = 0;
  std::vector<uint16_t> lookup;
  VlcTable(const uint8_t* len, const uint8_t* code, int count) {
    for (int i = 0; i < count; ++i) max_len = std::max<int>(max_len, len[i]);
    lookup.assign(size_t{1} << max_len, 0);
    for (int i = 0; i < count; ++i) {
      if (!len[i]) continue;
      const uint32_t first = uint32_t(code[i]) << (max_len - len[i]);
      for (uint32_t k = 0; k < (1u << (max_len - len[i])); ++k) lookup[first + k] = uint16_t(len[i] << 8 | i);
    }
  }
};

// Every table of this file, built once (thread-safe static).
struct VlcTables {
  std::vector<VlcTable> coeff_token, total_zeros, chroma_dc_zeros, run_before;
  VlcTable chroma_dc_token{kChromaDcTokenLen, kChromaDcTokenCode, 4 * 5};
  VlcTables() {
    for (int t = 0; t < 4; ++t) coeff_token.emplace_back(kCoeffTokenLen[t], kCoeffTokenCode[t], 4 * 17);
    for (int t = 0; t < 15; ++t) total_zeros.emplace_back(kTotalZerosLen[t], kTotalZerosCode[t], 16);
    for (int t = 0; t < 3; ++t) chroma_dc_zeros.emplace_back(kChromaDcZerosLen[t], kChromaDcZerosCode[t], 4);
    for (int t = 0; t < 7; ++t) run_before.emplace_back(kRunLen[t], kRunCode[t], 16);
  }
};
const VlcTables& vlc_tables() {
  static const VlcTables tables;
  return tables;
}

// Reads one code of a table (the tables are prefix-free): its symbol.
int read_vlc(RbspReader& r, const VlcTable& t, const char* what) {
  const uint16_t e = t.lookup[r.peek(t.max_len)];
  if (!e) {
    // No code: past the end the stream is truncated, else corrupt.
    if (r.position() + size_t(t.max_len) > r.size_bits()) r.fail("truncated");
    r.fail(std::string("invalid ") + what);
  }
  r.skip(e >> 8);
  return e & 0xff;
}

}  // namespace

int read_residual_block_cavlc(RbspReader& r, int nC, int start_idx, int end_idx, int max_num_coeff,
                              int32_t* coeff_level) {
  std::fill(coeff_level, coeff_level + max_num_coeff, 0);
  int token;
  if (nC == -1) {
    token = read_vlc(r, vlc_tables().chroma_dc_token, "coeff_token");
  } else {
    const int table = nC < 2 ? 0 : nC < 4 ? 1 : nC < 8 ? 2 : 3;
    token = read_vlc(r, vlc_tables().coeff_token[size_t(table)], "coeff_token");
  }
  const int total_coeff = token >> 2, trailing_ones = token & 3;
  if (total_coeff == 0) return 0;
  if (total_coeff > end_idx - start_idx + 1) r.fail("coeff_token: more coefficients than the block has");

  int32_t level_val[16];
  int suffix_length = (total_coeff > 10 && trailing_ones < 3) ? 1 : 0;
  for (int i = 0; i < total_coeff; ++i) {
    if (i < trailing_ones) {
      level_val[i] = r.bit() ? -1 : 1;
      continue;
    }
    int level_prefix = 0;
    while (r.bit() == 0)
      if (++level_prefix > 28) r.fail("level_prefix out of range");
    int64_t level_code = int64_t{std::min(15, level_prefix)} << suffix_length;
    const int suffix_size = (level_prefix == 14 && suffix_length == 0) ? 4
                            : level_prefix >= 15                        ? level_prefix - 3
                                                                        : suffix_length;
    if (suffix_size > 0) level_code += r.bits(suffix_size);
    if (level_prefix >= 15 && suffix_length == 0) level_code += 15;
    if (level_prefix >= 16) level_code += (int64_t{1} << (level_prefix - 3)) - 4096;
    if (i == trailing_ones && trailing_ones < 3) level_code += 2;
    const int64_t v = (level_code % 2 == 0) ? (level_code + 2) >> 1 : (-level_code - 1) >> 1;
    if (v < INT16_MIN || v > INT16_MAX) r.fail("coefficient level out of range");
    level_val[i] = static_cast<int32_t>(v);
    if (suffix_length == 0) suffix_length = 1;
    if ((v < 0 ? -v : v) > (3 << (suffix_length - 1)) && suffix_length < 6) ++suffix_length;
  }

  int zeros_left = 0;
  if (total_coeff < end_idx - start_idx + 1) {
    const auto& tables = vlc_tables();
    zeros_left = read_vlc(r,
                          nC == -1 ? tables.chroma_dc_zeros[size_t(total_coeff - 1)]
                                   : tables.total_zeros[size_t(total_coeff - 1)],
                          "total_zeros");
    if (zeros_left > end_idx - start_idx + 1 - total_coeff) r.fail("total_zeros out of range");
  }
  int run_val[16];
  for (int i = 0; i < total_coeff - 1; ++i) {
    run_val[i] = 0;
    if (zeros_left > 0) {
      const int t = std::min(zeros_left, 7) - 1;
      run_val[i] = read_vlc(r, vlc_tables().run_before[size_t(t)], "run_before");
      if (run_val[i] > zeros_left) r.fail("run_before out of range");
    }
    zeros_left -= run_val[i];
  }
  run_val[total_coeff - 1] = zeros_left;
  int coeff_num = -1;
  for (int i = total_coeff - 1; i >= 0; --i) {
    coeff_num += run_val[i] + 1;
    coeff_level[start_idx + coeff_num] = level_val[i];
  }
  return total_coeff;
}

}  // namespace daedalus::h264
