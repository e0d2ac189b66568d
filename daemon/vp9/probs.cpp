// SPDX-License-Identifier: MIT
#include "probs.h"

#include <algorithm>
#include <cstring>
#include <type_traits>

#include "tables.h"

namespace daedalus::vp9 {

void add_counts(FrameCounts& into, const FrameCounts& from) {
  // Every member is an array of uint32_t (or a struct of them): add the
  // words, whatever the members are.
  static_assert(std::is_trivially_copyable_v<FrameCounts> && sizeof(FrameCounts) % sizeof(uint32_t) == 0);
  constexpr size_t kWords = sizeof(FrameCounts) / sizeof(uint32_t);
  uint32_t a[kWords], b[kWords];
  std::memcpy(a, &into, sizeof a);
  std::memcpy(b, &from, sizeof b);
  for (size_t i = 0; i < kWords; ++i) a[i] += b[i];
  std::memcpy(&into, a, sizeof a);
}

FrameContext default_frame_context() {
  FrameContext fc{};
  const uint8_t tx8[2][1] = {{100}, {66}};
  const uint8_t tx16[2][2] = {{20, 152}, {15, 101}};
  const uint8_t tx32[2][3] = {{3, 136, 37}, {5, 52, 13}};
  std::memcpy(fc.tx8, tx8, sizeof tx8);
  std::memcpy(fc.tx16, tx16, sizeof tx16);
  std::memcpy(fc.tx32, tx32, sizeof tx32);
  std::memcpy(fc.coef, kDefaultCoefProbs, sizeof fc.coef);
  const uint8_t skip[3] = {192, 128, 64};
  std::memcpy(fc.skip, skip, sizeof skip);
  const uint8_t inter_mode[7][3] = {{2, 173, 34}, {7, 145, 85}, {7, 166, 63}, {7, 94, 66},
                                    {8, 64, 46},  {17, 81, 31}, {25, 29, 30}};
  std::memcpy(fc.inter_mode, inter_mode, sizeof inter_mode);
  const uint8_t interp[4][2] = {{235, 162}, {36, 255}, {34, 3}, {149, 144}};
  std::memcpy(fc.interp_filter, interp, sizeof interp);
  const uint8_t is_inter[4] = {9, 102, 187, 225};
  std::memcpy(fc.is_inter, is_inter, sizeof is_inter);
  const uint8_t comp_mode[5] = {239, 183, 119, 96, 41};
  std::memcpy(fc.comp_mode, comp_mode, sizeof comp_mode);
  const uint8_t single_ref[5][2] = {{33, 16}, {77, 74}, {142, 142}, {172, 170}, {238, 247}};
  std::memcpy(fc.single_ref, single_ref, sizeof single_ref);
  const uint8_t comp_ref[5] = {50, 126, 123, 221, 226};
  std::memcpy(fc.comp_ref, comp_ref, sizeof comp_ref);
  const uint8_t y_mode[4][9] = {{65, 32, 18, 144, 162, 194, 41, 51, 98},
                                {132, 68, 18, 165, 217, 196, 45, 40, 78},
                                {173, 80, 19, 176, 240, 193, 64, 35, 46},
                                {221, 135, 38, 194, 248, 121, 96, 85, 29}};
  std::memcpy(fc.y_mode, y_mode, sizeof y_mode);
  const uint8_t uv_mode[10][9] = {
      {120, 7, 76, 176, 208, 126, 28, 54, 103},  {48, 12, 154, 155, 139, 90, 34, 117, 119},
      {67, 6, 25, 204, 243, 158, 13, 21, 96},    {97, 5, 44, 131, 176, 139, 48, 68, 97},
      {83, 5, 42, 156, 111, 152, 26, 49, 152},   {80, 5, 58, 178, 74, 83, 33, 62, 145},
      {86, 5, 32, 154, 192, 168, 14, 22, 163},   {85, 5, 32, 156, 216, 148, 19, 29, 73},
      {77, 7, 64, 116, 132, 122, 37, 126, 120},  {101, 21, 107, 181, 192, 103, 19, 67, 125}};
  std::memcpy(fc.uv_mode, uv_mode, sizeof uv_mode);
  const uint8_t partition[16][3] = {{199, 122, 141}, {147, 63, 159}, {148, 133, 118}, {121, 104, 114},
                                    {174, 73, 87},   {92, 41, 83},   {82, 99, 50},    {53, 39, 39},
                                    {177, 58, 59},   {68, 26, 63},   {52, 79, 25},    {17, 14, 12},
                                    {222, 34, 30},   {72, 16, 44},   {58, 32, 12},    {10, 7, 6}};
  std::memcpy(fc.partition, partition, sizeof partition);
  const uint8_t joints[3] = {32, 64, 96};
  std::memcpy(fc.mv_joints, joints, sizeof joints);
  const MvComponentProbs row = {128, {224, 144, 192, 168, 192, 176, 192, 198, 198, 245}, {216},
                                {136, 140, 148, 160, 176, 192, 224, 234, 234, 240}, {{128, 128, 64}, {96, 112, 64}},
                                {64, 96, 64}, 160, 128};
  const MvComponentProbs col = {128, {216, 128, 176, 160, 176, 176, 192, 198, 198, 208}, {208},
                                {136, 140, 148, 160, 176, 192, 224, 234, 234, 240}, {{128, 128, 64}, {96, 112, 64}},
                                {64, 96, 64}, 160, 128};
  fc.mv[0] = row;
  fc.mv[1] = col;
  return fc;
}

namespace {

uint8_t clip_prob(int p) { return static_cast<uint8_t>(std::clamp(p, 1, 255)); }

// Probability of a 0 from counts, rounded, clipped to 1..255.
int prob_from_counts(uint32_t n0, uint32_t den) {
  return clip_prob(static_cast<int>((static_cast<uint64_t>(n0) * 256 + (den >> 1)) / den));
}

uint8_t merge_coef(uint8_t pre, uint32_t n0, uint32_t n1, uint32_t count_sat, uint32_t max_factor) {
  const uint32_t den = n0 + n1;
  const int prob = den == 0 ? 128 : prob_from_counts(n0, den);
  const uint32_t count = std::min(den, count_sat);
  const uint32_t factor = max_factor * count / count_sat;
  return static_cast<uint8_t>((pre * (256 - factor) + prob * factor + 128) >> 8);
}

uint8_t merge_mode(uint8_t pre, uint32_t n0, uint32_t n1) {
  const uint32_t den = n0 + n1;
  if (den == 0) return pre;
  const uint32_t count = std::min<uint32_t>(den, 20);
  const uint32_t factor = 128 * count / 20;
  const int prob = prob_from_counts(n0, den);
  return static_cast<uint8_t>((pre * (256 - factor) + prob * factor + 128) >> 8);
}

// Adapts every node of a tree; returns the total count below node i.
uint32_t merge_tree(const int8_t* tree, int i, const uint8_t* pre, const uint32_t* counts, uint8_t* out) {
  const int l = tree[i], r = tree[i + 1];
  const uint32_t lc = l <= 0 ? counts[-l] : merge_tree(tree, l, pre, counts, out);
  const uint32_t rc = r <= 0 ? counts[-r] : merge_tree(tree, r, pre, counts, out);
  out[i >> 1] = merge_mode(pre[i >> 1], lc, rc);
  return lc + rc;
}

}  // namespace

FrameContext adapt_probs(const FrameContext& pre, const FrameContext& cur, const FrameCounts& c,
                         const AdaptParams& params) {
  FrameContext fc = cur;
  const uint32_t count_sat = 24;
  const uint32_t factor = (!params.intra_only && params.last_frame_was_key) ? 128 : 112;
  for (int t = 0; t < 4; ++t)
    for (int i = 0; i < 2; ++i)
      for (int j = 0; j < 2; ++j)
        for (int k = 0; k < 6; ++k)
          for (int l = 0; l < (k == 0 ? 3 : 6); ++l) {
            const uint32_t* n = c.coef[t][i][j][k][l];
            const uint32_t eob = c.eob_branch[t][i][j][k][l];
            const uint8_t* p = pre.coef[t][i][j][k][l];
            uint8_t* o = fc.coef[t][i][j][k][l];
            o[0] = merge_coef(p[0], n[3], eob - n[3], count_sat, factor);
            o[1] = merge_coef(p[1], n[0], n[1] + n[2], count_sat, factor);
            o[2] = merge_coef(p[2], n[1], n[2], count_sat, factor);
          }
  if (params.intra_only) return fc;

  for (int i = 0; i < 4; ++i) fc.is_inter[i] = merge_mode(pre.is_inter[i], c.is_inter[i][0], c.is_inter[i][1]);
  for (int i = 0; i < 5; ++i) fc.comp_mode[i] = merge_mode(pre.comp_mode[i], c.comp_mode[i][0], c.comp_mode[i][1]);
  for (int i = 0; i < 5; ++i) fc.comp_ref[i] = merge_mode(pre.comp_ref[i], c.comp_ref[i][0], c.comp_ref[i][1]);
  for (int i = 0; i < 5; ++i)
    for (int j = 0; j < 2; ++j)
      fc.single_ref[i][j] = merge_mode(pre.single_ref[i][j], c.single_ref[i][j][0], c.single_ref[i][j][1]);
  for (int i = 0; i < 7; ++i) merge_tree(kInterModeTree, 0, pre.inter_mode[i], c.inter_mode[i], fc.inter_mode[i]);
  for (int i = 0; i < 4; ++i) merge_tree(kIntraModeTree, 0, pre.y_mode[i], c.y_mode[i], fc.y_mode[i]);
  for (int i = 0; i < 10; ++i) merge_tree(kIntraModeTree, 0, pre.uv_mode[i], c.uv_mode[i], fc.uv_mode[i]);
  for (int i = 0; i < 16; ++i) merge_tree(kPartitionTree, 0, pre.partition[i], c.partition[i], fc.partition[i]);
  if (params.interp_switchable)
    for (int i = 0; i < 4; ++i)
      merge_tree(kSwitchableInterpTree, 0, pre.interp_filter[i], c.interp_filter[i], fc.interp_filter[i]);
  if (params.tx_mode_select) {
    for (int i = 0; i < 2; ++i) {
      const uint32_t* t8 = c.tx8[i];
      fc.tx8[i][0] = merge_mode(pre.tx8[i][0], t8[0], t8[1]);
      const uint32_t* t16 = c.tx16[i];
      fc.tx16[i][0] = merge_mode(pre.tx16[i][0], t16[0], t16[1] + t16[2]);
      fc.tx16[i][1] = merge_mode(pre.tx16[i][1], t16[1], t16[2]);
      const uint32_t* t32 = c.tx32[i];
      fc.tx32[i][0] = merge_mode(pre.tx32[i][0], t32[0], t32[1] + t32[2] + t32[3]);
      fc.tx32[i][1] = merge_mode(pre.tx32[i][1], t32[1], t32[2] + t32[3]);
      fc.tx32[i][2] = merge_mode(pre.tx32[i][2], t32[2], t32[3]);
    }
  }
  for (int i = 0; i < 3; ++i) fc.skip[i] = merge_mode(pre.skip[i], c.skip[i][0], c.skip[i][1]);

  merge_tree(kMvJointTree, 0, pre.mv_joints, c.mv_joints, fc.mv_joints);
  for (int i = 0; i < 2; ++i) {
    const MvComponentProbs& p = pre.mv[i];
    const MvComponentCounts& n = c.mv[i];
    MvComponentProbs& o = fc.mv[i];
    o.sign = merge_mode(p.sign, n.sign[0], n.sign[1]);
    merge_tree(kMvClassTree, 0, p.classes, n.classes, o.classes);
    merge_tree(kMvClass0Tree, 0, p.class0, n.class0, o.class0);
    for (int j = 0; j < 10; ++j) o.bits[j] = merge_mode(p.bits[j], n.bits[j][0], n.bits[j][1]);
    for (int j = 0; j < 2; ++j) merge_tree(kMvFrTree, 0, p.class0_fr[j], n.class0_fr[j], o.class0_fr[j]);
    merge_tree(kMvFrTree, 0, p.fr, n.fr, o.fr);
    if (params.allow_high_precision_mv) {
      o.class0_hp = merge_mode(p.class0_hp, n.class0_hp[0], n.class0_hp[1]);
      o.hp = merge_mode(p.hp, n.hp[0], n.hp[1]);
    }
  }
  return fc;
}

}  // namespace daedalus::vp9
