// SPDX-License-Identifier: MIT
// Contexts of the reference frame syntax elements (spec section 9.3 /
// libvpx vp9_pred_common.c): compound or single reference, and which one,
// from the above and left blocks.
#include "tile_decoder_internal.h"

namespace daedalus::vp9::tile {

int TileDecoder::comp_mode_ctx() const {
  const int fixed = h_.comp_fixed_ref;
  if (above_ && left_) {
    if (!above_->compound() && !left_->compound())
      return (above_->ref[0] == fixed) ^ (left_->ref[0] == fixed);
    if (!above_->compound()) return 2 + (above_->ref[0] == fixed || !above_->is_inter());
    if (!left_->compound()) return 2 + (left_->ref[0] == fixed || !left_->is_inter());
    return 4;
  }
  if (above_ || left_) {
    const ModeInfo* e = above_ ? above_ : left_;
    return e->compound() ? 3 : (e->ref[0] == fixed);
  }
  return 1;
}

int TileDecoder::comp_ref_ctx() const {
  const int fix_ref_idx = h_.ref_sign_bias[h_.comp_fixed_ref];
  const int var_ref_idx = !fix_ref_idx;
  const int var0 = h_.comp_var_ref[0], var1 = h_.comp_var_ref[1], fixed = h_.comp_fixed_ref;
  if (above_ && left_) {
    const bool ai = !above_->is_inter(), li = !left_->is_inter();
    if (ai && li) return 2;
    if (ai || li) {
      const ModeInfo* e = ai ? left_ : above_;
      if (!e->compound()) return 1 + 2 * (e->ref[0] != var1);
      return 1 + 2 * (e->ref[var_ref_idx] != var1);
    }
    const bool l_sg = !left_->compound(), a_sg = !above_->compound();
    const int vrfa = a_sg ? above_->ref[0] : above_->ref[var_ref_idx];
    const int vrfl = l_sg ? left_->ref[0] : left_->ref[var_ref_idx];
    if (vrfa == vrfl && var1 == vrfa) return 0;
    if (l_sg && a_sg) {
      if ((vrfa == fixed && vrfl == var0) || (vrfl == fixed && vrfa == var0)) return 4;
      if (vrfa == vrfl) return 3;
      return 1;
    }
    if (l_sg || a_sg) {
      const int vrfc = l_sg ? vrfa : vrfl;
      const int rfs = a_sg ? vrfa : vrfl;
      if (vrfc == var1 && rfs != var1) return 1;
      if (rfs == var1 && vrfc != var1) return 2;
      return 4;
    }
    return vrfa == vrfl ? 4 : 2;
  }
  if (above_ || left_) {
    const ModeInfo* e = above_ ? above_ : left_;
    if (!e->is_inter()) return 2;
    if (e->compound()) return 4 * (e->ref[var_ref_idx] != var1);
    return 3 * (e->ref[0] != var1);
  }
  return 2;
}

int TileDecoder::single_ref_p1_ctx() const {
  if (above_ && left_) {
    const bool ai = !above_->is_inter(), li = !left_->is_inter();
    if (ai && li) return 2;
    if (ai || li) {
      const ModeInfo* e = ai ? left_ : above_;
      if (!e->compound()) return 4 * (e->ref[0] == kLastFrame);
      return 1 + (e->ref[0] == kLastFrame || e->ref[1] == kLastFrame);
    }
    const bool a2 = above_->compound(), l2 = left_->compound();
    const int a0 = above_->ref[0], a1 = above_->ref[1], l0 = left_->ref[0], l1 = left_->ref[1];
    if (a2 && l2) return 1 + (a0 == kLastFrame || a1 == kLastFrame || l0 == kLastFrame || l1 == kLastFrame);
    if (a2 || l2) {
      const int rfs = !a2 ? a0 : l0;
      const int crf1 = a2 ? a0 : l0, crf2 = a2 ? a1 : l1;
      if (rfs == kLastFrame) return 3 + (crf1 == kLastFrame || crf2 == kLastFrame);
      return crf1 == kLastFrame || crf2 == kLastFrame;
    }
    return 2 * (a0 == kLastFrame) + 2 * (l0 == kLastFrame);
  }
  if (above_ || left_) {
    const ModeInfo* e = above_ ? above_ : left_;
    if (!e->is_inter()) return 2;
    if (!e->compound()) return 4 * (e->ref[0] == kLastFrame);
    return 1 + (e->ref[0] == kLastFrame || e->ref[1] == kLastFrame);
  }
  return 2;
}

int TileDecoder::single_ref_p2_ctx() const {
  if (above_ && left_) {
    const bool ai = !above_->is_inter(), li = !left_->is_inter();
    if (ai && li) return 2;
    if (ai || li) {
      const ModeInfo* e = ai ? left_ : above_;
      if (!e->compound()) {
        if (e->ref[0] == kLastFrame) return 3;
        return 4 * (e->ref[0] == kGoldenFrame);
      }
      return 1 + 2 * (e->ref[0] == kGoldenFrame || e->ref[1] == kGoldenFrame);
    }
    const bool a2 = above_->compound(), l2 = left_->compound();
    const int a0 = above_->ref[0], a1 = above_->ref[1], l0 = left_->ref[0], l1 = left_->ref[1];
    if (a2 && l2) {
      if (a0 == l0 && a1 == l1)
        return 3 * (a0 == kGoldenFrame || a1 == kGoldenFrame || l0 == kGoldenFrame || l1 == kGoldenFrame);
      return 2;
    }
    if (a2 || l2) {
      const int rfs = !a2 ? a0 : l0;
      const int crf1 = a2 ? a0 : l0, crf2 = a2 ? a1 : l1;
      if (rfs == kGoldenFrame) return 3 + (crf1 == kGoldenFrame || crf2 == kGoldenFrame);
      if (rfs == kAltrefFrame) return crf1 == kGoldenFrame || crf2 == kGoldenFrame;
      return 1 + 2 * (crf1 == kGoldenFrame || crf2 == kGoldenFrame);
    }
    if (a0 == kLastFrame && l0 == kLastFrame) return 3;
    if (a0 == kLastFrame || l0 == kLastFrame) {
      const int edge0 = (a0 == kLastFrame) ? l0 : a0;
      return 4 * (edge0 == kGoldenFrame);
    }
    return 2 * (a0 == kGoldenFrame) + 2 * (l0 == kGoldenFrame);
  }
  if (above_ || left_) {
    const ModeInfo* e = above_ ? above_ : left_;
    if (!e->is_inter() || (e->ref[0] == kLastFrame && !e->compound())) return 2;
    if (!e->compound()) return 4 * (e->ref[0] == kGoldenFrame);
    return 3 * (e->ref[0] == kGoldenFrame || e->ref[1] == kGoldenFrame);
  }
  return 2;
}

}  // namespace daedalus::vp9::tile
