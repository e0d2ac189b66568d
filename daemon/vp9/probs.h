// SPDX-License-Identifier: MIT
// VP9 probability contexts (spec section 7.4 "frame contexts"), the symbol
// counts gathered while decoding a frame, and backward adaptation (spec
// section 8.4.2) that turns counts into the next frame's probabilities.
#pragma once

#include <cstdint>

namespace daedalus::vp9 {

struct MvComponentProbs {
  uint8_t sign;
  uint8_t classes[10];
  uint8_t class0[1];
  uint8_t bits[10];
  uint8_t class0_fr[2][3];
  uint8_t fr[3];
  uint8_t class0_hp;
  uint8_t hp;
};

struct FrameContext {
  uint8_t tx8[2][1];
  uint8_t tx16[2][2];
  uint8_t tx32[2][3];
  uint8_t coef[4][2][2][6][6][3];  // [tx][plane>0][is_inter][band][ctx][node]
  uint8_t skip[3];
  uint8_t inter_mode[7][3];
  uint8_t interp_filter[4][2];
  uint8_t is_inter[4];
  uint8_t comp_mode[5];
  uint8_t single_ref[5][2];
  uint8_t comp_ref[5];
  uint8_t y_mode[4][9];
  uint8_t uv_mode[10][9];
  uint8_t partition[16][3];
  uint8_t mv_joints[3];
  MvComponentProbs mv[2];  // [0] = row (vertical), [1] = col
};

struct MvComponentCounts {
  uint32_t sign[2];
  uint32_t classes[11];
  uint32_t class0[2];
  uint32_t bits[10][2];
  uint32_t class0_fr[2][4];
  uint32_t fr[4];
  uint32_t class0_hp[2];
  uint32_t hp[2];
};

struct FrameCounts {
  uint32_t coef[4][2][2][6][6][4];  // tokens ZERO, ONE, TWO+ (more), EOB_MODEL
  uint32_t eob_branch[4][2][2][6][6];
  uint32_t tx8[2][2], tx16[2][3], tx32[2][4];
  uint32_t skip[3][2];
  uint32_t inter_mode[7][4];
  uint32_t interp_filter[4][3];
  uint32_t is_inter[4][2];
  uint32_t comp_mode[5][2];
  uint32_t single_ref[5][2][2];
  uint32_t comp_ref[5][2];
  uint32_t y_mode[4][10];
  uint32_t uv_mode[10][10];
  uint32_t partition[16][4];
  uint32_t mv_joints[4];
  MvComponentCounts mv[2];
};

// into += from, count by count (per-thread counts of one frame).
void add_counts(FrameCounts& into, const FrameCounts& from);

// The spec's default probabilities (setup_past_independence).
FrameContext default_frame_context();

struct AdaptParams {
  bool intra_only;           // key frame or intra-only: only coefficients adapt
  bool last_frame_was_key;   // coefficients adapt faster right after a key frame
  bool tx_mode_select;
  bool interp_switchable;
  bool allow_high_precision_mv;
};
// Backward adaptation: pre = the saved context the frame started from, cur =
// the probabilities the frame was decoded with (after forward updates).
// Returns the adapted context.
FrameContext adapt_probs(const FrameContext& pre, const FrameContext& cur, const FrameCounts& counts,
                         const AdaptParams& params);

}  // namespace daedalus::vp9
