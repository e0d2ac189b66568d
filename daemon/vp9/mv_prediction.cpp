// SPDX-License-Identifier: MIT
// Motion vector prediction (spec 6.4.22 / libvpx vp9_mvref_common.c):
// the candidate lists NEARESTMV / NEARMV / NEWMV start from, from the
// neighbouring blocks and the previous frame's vectors.
#include "tile_decoder_internal.h"

namespace daedalus::vp9::tile {

namespace {

constexpr int kMvBorder = 16 << 3;  // 16 pixels in 1/8 pel

uint32_t mv_key(const Mv& m) {
  return static_cast<uint32_t>(static_cast<uint16_t>(m.row)) | (static_cast<uint32_t>(static_cast<uint16_t>(m.col)) << 16);
}

}  // namespace

inline void TileDecoder::clamp_mv_ref(Mv& m) const {
  m.col = static_cast<int16_t>(std::clamp<int>(m.col, to_left_ - kMvBorder, to_right_ + kMvBorder));
  m.row = static_cast<int16_t>(std::clamp<int>(m.row, to_top_ - kMvBorder, to_bottom_ + kMvBorder));
}

inline Mv TileDecoder::scaled(const Mv& m, int cand_ref, int ref) const {
  if (h_.ref_sign_bias[cand_ref] != h_.ref_sign_bias[ref]) return Mv{static_cast<int16_t>(-m.row), static_cast<int16_t>(-m.col)};
  return m;
}

// find_mv_refs: up to 2 candidate MVs for `ref` (spec 6.4.22 / libvpx's
// decoder variant with early termination). Returns the candidate count
// the caller indexes with (list[count - 1] is "best").
int TileDecoder::find_mv_refs(int mode, int ref, Mv list[2], int block) const {
  const MvRefPos* pos = kMvRefBlocks[bsize_];
  list[0] = list[1] = Mv{};
  int count = 0;
  bool different_ref_found = false;
  const bool early_break = mode != kNearMv;
  const MvRef* prev = c_.prev_mvs ? &c_.prev_mvs[static_cast<size_t>(row_) * h_.mi_cols + col_] : nullptr;
  // Returns true when the search is done.
  auto add = [&](const Mv& m) {
    if (count) {
      if (mv_key(m) != mv_key(list[0])) {
        list[count++] = m;
        return true;
      }
      return false;
    }
    list[count++] = m;
    return early_break;
  };
  auto finish = [&](int n) {
    for (int i = 0; i < n; ++i) clamp_mv_ref(list[i]);
    return n;
  };
  int i = 0;
  if (block >= 0) {
    for (; i < 2; ++i) {
      if (!inside(pos[i])) continue;
      const ModeInfo* cand = candidate(i);
      different_ref_found = true;
      const int sub = kIdxNColumnToSubblock[block][pos[i].col == 0];
      for (int w = 0; w < 2; ++w) {
        if (cand->ref[w] != ref) continue;
        const Mv m = cand->sb_type < kBlock8x8 ? cand->mv[sub][w] : cand->mv[3][w];
        if (add(m)) return finish(count);
        break;
      }
    }
  }
  for (; i < 8; ++i) {
    if (!inside(pos[i])) continue;
    const ModeInfo* cand = candidate(i);
    different_ref_found = true;
    if (cand->ref[0] == ref) {
      if (add(cand->mv[3][0])) return finish(count);
    } else if (cand->ref[1] == ref) {
      if (add(cand->mv[3][1])) return finish(count);
    }
  }
  if (prev) {
    if (prev->ref[0] == ref) {
      if (add(prev->mv[0])) return finish(count);
    } else if (prev->ref[1] == ref) {
      if (add(prev->mv[1])) return finish(count);
    }
  }
  if (different_ref_found) {
    for (i = 0; i < 8; ++i) {
      if (!inside(pos[i])) continue;
      const ModeInfo* cand = candidate(i);
      if (!cand->is_inter()) continue;
      if (cand->ref[0] != ref)
        if (add(scaled(cand->mv[3][0], cand->ref[0], ref))) return finish(count);
      if (cand->compound() && cand->ref[1] != ref && mv_key(cand->mv[3][1]) != mv_key(cand->mv[3][0]))
        if (add(scaled(cand->mv[3][1], cand->ref[1], ref))) return finish(count);
    }
  }
  if (prev) {
    if (prev->ref[0] != ref && prev->ref[0] > kIntraFrame)
      if (add(scaled(prev->mv[0], prev->ref[0], ref))) return finish(count);
    if (prev->ref[1] > kIntraFrame && prev->ref[1] != ref && mv_key(prev->mv[1]) != mv_key(prev->mv[0]))
      if (add(scaled(prev->mv[1], prev->ref[1], ref))) return finish(count);
  }
  return finish(mode == kNearMv ? 2 : 1);
}

// NEARESTMV / NEARMV of sub-block `block` (libvpx append_sub8x8_mvs):
// earlier sub-blocks' MVs first, then the block's candidate list.
Mv TileDecoder::sub8x8_best(int b_mode, int block, int r) const {
  Mv list[2];
  switch (block) {
    case 0: {
      const int n = find_mv_refs(b_mode, mi_->ref[r], list, block);
      return list[n - 1];
    }
    case 1:
    case 2:
      if (b_mode == kNearestMv) return mi_->mv[0][r];
      find_mv_refs(b_mode, mi_->ref[r], list, block);
      for (int n = 0; n < 2; ++n)
        if (mv_key(mi_->mv[0][r]) != mv_key(list[n])) return list[n];
      return Mv{};
    default:
      if (b_mode == kNearestMv) return mi_->mv[2][r];
      if (mv_key(mi_->mv[2][r]) != mv_key(mi_->mv[1][r])) return mi_->mv[1][r];
      if (mv_key(mi_->mv[2][r]) != mv_key(mi_->mv[0][r])) return mi_->mv[0][r];
      find_mv_refs(b_mode, mi_->ref[r], list, block);
      for (int n = 0; n < 2; ++n)
        if (mv_key(mi_->mv[2][r]) != mv_key(list[n])) return list[n];
      return Mv{};
  }
}

}  // namespace daedalus::vp9::tile
