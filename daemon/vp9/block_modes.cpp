// SPDX-License-Identifier: MIT
// Partition trees, blocks and their mode info (spec section 6.4; libvpx
// vp9_decodeframe.c / vp9_decodemv.c): segment ids, skip, transform size, intra
// and inter modes, reference frames, interpolation filter and motion
// vector residuals. One translation unit, as the mode info is read
// through a bool decoder copy the compiler keeps in registers (decode_block).
#include "tile_decoder_internal.h"

#include <cstdlib>

namespace daedalus::vp9::tile {

namespace {

constexpr int kMvLow = -(1 << 14), kMvUpp = 1 << 14;

bool use_mv_hp(const Mv& m) { return std::abs(m.row) < 64 && std::abs(m.col) < 64; }

void lower_mv_precision(Mv& m, bool allow_hp) {
  if (allow_hp && use_mv_hp(m)) return;
  if (m.row & 1) m.row = static_cast<int16_t>(m.row + (m.row > 0 ? -1 : 1));
  if (m.col & 1) m.col = static_cast<int16_t>(m.col + (m.col > 0 ? -1 : 1));
}

}  // namespace

void TileDecoder::decode_partition(int row, int col, int bsl) {  // bsl: log2(size / 8)
  if (row >= static_cast<int>(h_.mi_rows) || col >= static_cast<int>(h_.mi_cols)) return;
  const int num8 = 1 << bsl;
  const int hbs = num8 >> 1;
  const bool has_rows = (row + hbs) < static_cast<int>(h_.mi_rows);
  const bool has_cols = (col + hbs) < static_cast<int>(h_.mi_cols);
  const int above = (above_partition_[col] >> bsl) & 1;
  const int left = (left_partition_[row & 7] >> bsl) & 1;
  const int ctx = left * 2 + above + bsl * 4;
  const uint8_t* probs = h_.intra_frame() ? kKfPartitionProbs[ctx] : fc_.partition[ctx];
  int p;
  if (has_rows && has_cols) p = bd_.read_tree(kPartitionTree, probs);
  else if (!has_rows && has_cols) p = read(probs[1]) ? kPartSplit : kPartHorz;
  else if (has_rows && !has_cols) p = read(probs[2]) ? kPartSplit : kPartVert;
  else p = kPartSplit;
  ++counts_.partition[ctx][p];
  const BlockSize subsize = kSubsize[p][bsl];
  if (hbs == 0) {
    decode_block(row, col, subsize);
  } else {
    switch (p) {
      case kPartNone: decode_block(row, col, subsize); break;
      case kPartHorz:
        decode_block(row, col, subsize);
        if (has_rows) decode_block(row + hbs, col, subsize);
        break;
      case kPartVert:
        decode_block(row, col, subsize);
        if (has_cols) decode_block(row, col + hbs, subsize);
        break;
      default:
        decode_partition(row, col, bsl - 1);
        decode_partition(row, col + hbs, bsl - 1);
        decode_partition(row + hbs, col, bsl - 1);
        decode_partition(row + hbs, col + hbs, bsl - 1);
        break;
    }
  }
  if (bsl == 0 || p != kPartSplit) {
    fill_ctx(&above_partition_[col], num8, kPartitionCtxAbove[subsize]);
    fill_ctx(&left_partition_[row & 7], std::min(num8, 8 - (row & 7)), kPartitionCtxLeft[subsize]);
  }
}

inline void TileDecoder::decode_block(int row, int col, BlockSize bsize) {
  row_ = row;
  col_ = col;
  bsize_ = bsize;
  const int bw = kNum8x8W[bsize], bh = kNum8x8H[bsize];
  x_mis_ = std::min(bw, static_cast<int>(h_.mi_cols) - col);
  y_mis_ = std::min(bh, static_cast<int>(h_.mi_rows) - row);
  c_.blocks->emplace_back();
  const int32_t idx = static_cast<int32_t>(c_.blocks->size() - 1);
  fill_rect(c_.grid->data() + static_cast<size_t>(row) * h_.mi_cols + col, h_.mi_cols, x_mis_, y_mis_, idx);
  mi_ = &(*c_.blocks)[idx];
  mi_->sb_type = bsize;
  grid_at_block_ = c_.grid->data() + static_cast<size_t>(row) * h_.mi_cols + col;
  // Candidate positions reach at most 3 rows up and 3 columns left, and
  // below / right of the block's top-left only within the block itself.
  mv_refs_inside_ = row >= 3 && col - col_start_ >= 3 && row + bh <= static_cast<int>(h_.mi_rows) && col + bw <= col_end_;
  above_ = row > 0 ? at(row - 1, col) : nullptr;
  left_ = col > col_start_ ? at(row, col - 1) : nullptr;
  // Edges in 1/8 pel for MV clamping.
  to_left_ = -(col * 64);
  to_right_ = (static_cast<int>(h_.mi_cols) - bw - col) * 64;
  to_top_ = -(row * 64);
  to_bottom_ = (static_cast<int>(h_.mi_rows) - bh - row) * 64;

  // Mode info is read through a local copy of the bool decoder that the
  // compiler can keep in registers: the mode info stores in between
  // (uint8_t, so they may alias anything) would otherwise force every
  // read to reload and store back the decoder's state.
  BoolDecoder bd = bd_;
  if (h_.intra_frame()) read_intra_frame_mode_info(bd);
  else read_inter_frame_mode_info(bd);
  bd_ = bd;

  const int ref_idx = mi_->ref[0] > 0 ? mi_->ref[0] : 0;
  const int mode_idx = (mi_->is_inter() && mi_->mode[3] != kZeroMv) ? 1 : 0;
  mi_->filter_level = lf_lvl_[mi_->segment_id][ref_idx][mode_idx];

  if (!h_.intra_frame()) {
    MvRef m;
    m.ref[0] = mi_->ref[0];
    m.ref[1] = mi_->ref[1];
    m.mv[0] = mi_->mv[3][0];
    m.mv[1] = mi_->mv[3][1];
    fill_rect(c_.mvs->data() + static_cast<size_t>(row) * h_.mi_cols + col, h_.mi_cols, x_mis_, y_mis_, m);
  }
  emit_block_and_residual();
}

inline int TileDecoder::predicted_segment_id() const {
  if (!c_.last_seg_map) return 0;
  int s = 7;
  for (int y = 0; y < y_mis_; ++y)
    for (int x = 0; x < x_mis_; ++x)
      s = std::min<int>(s, c_.last_seg_map[static_cast<size_t>(row_ + y) * h_.mi_cols + col_ + x]);
  return s;
}

inline void TileDecoder::set_segment_map(int id) {
  for (int y = 0; y < y_mis_; ++y)
    for (int x = 0; x < x_mis_; ++x) c_.cur_seg_map[static_cast<size_t>(row_ + y) * h_.mi_cols + col_ + x] = static_cast<uint8_t>(id);
}

inline void TileDecoder::copy_segment_map() {
  for (int y = 0; y < y_mis_; ++y)
    for (int x = 0; x < x_mis_; ++x) {
      const size_t o = static_cast<size_t>(row_ + y) * h_.mi_cols + col_ + x;
      c_.cur_seg_map[o] = c_.last_seg_map ? c_.last_seg_map[o] : 0;
    }
}

[[gnu::always_inline]] inline int TileDecoder::read_intra_segment_id(BoolDecoder& bd) {
  if (!h_.seg.enabled) return 0;
  if (!h_.seg.update_map) {
    copy_segment_map();
    return 0;
  }
  const int id = bd.read_tree(kSegmentTree, h_.seg.tree_probs);
  set_segment_map(id);
  return id;
}

[[gnu::always_inline]] inline int TileDecoder::read_inter_segment_id(BoolDecoder& bd) {
  if (!h_.seg.enabled) return 0;
  const int predicted = predicted_segment_id();
  if (!h_.seg.update_map) {
    copy_segment_map();
    return predicted;
  }
  int id;
  if (h_.seg.temporal_update) {
    const int ctx = (above_ ? above_->seg_id_predicted : 0) + (left_ ? left_->seg_id_predicted : 0);
    mi_->seg_id_predicted = static_cast<uint8_t>(bd.read(h_.seg.pred_probs[ctx]));
    id = mi_->seg_id_predicted ? predicted : bd.read_tree(kSegmentTree, h_.seg.tree_probs);
  } else {
    id = bd.read_tree(kSegmentTree, h_.seg.tree_probs);
  }
  set_segment_map(id);
  return id;
}

[[gnu::always_inline]] inline int TileDecoder::read_skip(BoolDecoder& bd) {
  if (h_.seg.active(mi_->segment_id, kSegSkip)) return 1;
  const int ctx = (above_ ? above_->skip : 0) + (left_ ? left_->skip : 0);
  const int s = bd.read(fc_.skip[ctx]);
  ++counts_.skip[ctx][s];
  return s;
}

[[gnu::always_inline]] inline int TileDecoder::read_tx_size(BoolDecoder& bd, bool allow_select) {
  const int max_tx = kMaxTxSize[bsize_];
  if (allow_select && h_.tx_mode == kTxModeSelect && bsize_ >= kBlock8x8) {
    int a = (above_ && !above_->skip) ? above_->tx_size : max_tx;
    int l = (left_ && !left_->skip) ? left_->tx_size : max_tx;
    if (!left_) l = a;
    if (!above_) a = l;
    const int ctx = (a + l) > max_tx;
    const uint8_t* probs = max_tx == 1 ? fc_.tx8[ctx] : max_tx == 2 ? fc_.tx16[ctx] : fc_.tx32[ctx];
    int tx = bd.read(probs[0]);
    if (tx != 0 && max_tx >= 2) {
      tx += bd.read(probs[1]);
      if (tx != 1 && max_tx >= 3) tx += bd.read(probs[2]);
    }
    if (max_tx == 1) ++counts_.tx8[ctx][tx];
    else if (max_tx == 2) ++counts_.tx16[ctx][tx];
    else ++counts_.tx32[ctx][tx];
    return tx;
  }
  return std::min<int>(max_tx, kTxModeToBiggest[h_.tx_mode]);
}

inline int TileDecoder::sub_mode(const ModeInfo* m, int b) { return m->sb_type < kBlock8x8 ? m->mode[b] : m->mode[3]; }

inline int TileDecoder::above_mode(int b) const {
  if (b == 0 || b == 1) return (!above_ || above_->is_inter()) ? 0 : sub_mode(above_, b + 2);
  return mi_->mode[b - 2];
}

inline int TileDecoder::left_mode(int b) const {
  if (b == 0 || b == 2) return (!left_ || left_->is_inter()) ? 0 : sub_mode(left_, b + 1);
  return mi_->mode[b - 1];
}

[[gnu::always_inline]] inline int TileDecoder::read_kf_y_mode(BoolDecoder& bd, int b) { return bd.read_tree(kIntraModeTree, kKfYModeProbs[above_mode(b)][left_mode(b)]); }

[[gnu::always_inline]] inline void TileDecoder::read_intra_frame_mode_info(BoolDecoder& bd) {
  mi_->segment_id = static_cast<uint8_t>(read_intra_segment_id(bd));
  mi_->skip = static_cast<uint8_t>(read_skip(bd));
  mi_->tx_size = static_cast<uint8_t>(read_tx_size(bd, true));
  mi_->ref[0] = kIntraFrame;
  mi_->ref[1] = kNoneRef;
  read_y_modes(bd, true);
  mi_->uv_mode = static_cast<uint8_t>(bd.read_tree(kIntraModeTree, kKfUvModeProbs[mi_->mode[3]]));
}

[[gnu::always_inline]] inline int TileDecoder::read_if_y_mode(BoolDecoder& bd, int group) {
  const int m = bd.read_tree(kIntraModeTree, fc_.y_mode[group]);
  ++counts_.y_mode[group][m];
  return m;
}

[[gnu::always_inline]] inline void TileDecoder::read_y_modes(BoolDecoder& bd, bool kf) {
  auto rd = [&](int b, int group) __attribute__((always_inline)) { return kf ? read_kf_y_mode(bd, b) : read_if_y_mode(bd, group); };
  uint8_t* m = mi_->mode;
  switch (bsize_) {
    case kBlock4x4:
      for (int i = 0; i < 4; ++i) m[i] = static_cast<uint8_t>(rd(i, 0));
      break;
    case kBlock4x8:
      m[0] = m[2] = static_cast<uint8_t>(rd(0, 0));
      m[1] = m[3] = static_cast<uint8_t>(rd(1, 0));
      break;
    case kBlock8x4:
      m[0] = m[1] = static_cast<uint8_t>(rd(0, 0));
      m[2] = m[3] = static_cast<uint8_t>(rd(2, 0));
      break;
    default:
      m[0] = m[1] = m[2] = m[3] = static_cast<uint8_t>(rd(0, kSizeGroup[bsize_]));
  }
}

[[gnu::always_inline]] inline void TileDecoder::read_inter_frame_mode_info(BoolDecoder& bd) {
  mi_->segment_id = static_cast<uint8_t>(read_inter_segment_id(bd));
  mi_->skip = static_cast<uint8_t>(read_skip(bd));
  bool inter;
  if (h_.seg.active(mi_->segment_id, kSegRefFrame)) {
    inter = h_.seg.feature_data[mi_->segment_id][kSegRefFrame] != kIntraFrame;
  } else {
    int ctx;
    if (above_ && left_) {
      const bool ai = !above_->is_inter(), li = !left_->is_inter();
      ctx = (ai && li) ? 3 : (ai || li) ? 1 : 0;
    } else if (above_ || left_) {
      ctx = 2 * !(above_ ? above_ : left_)->is_inter();
    } else {
      ctx = 0;
    }
    inter = bd.read(fc_.is_inter[ctx]);
    ++counts_.is_inter[ctx][inter];
  }
  mi_->tx_size = static_cast<uint8_t>(read_tx_size(bd, !mi_->skip || !inter));
  if (inter) {
    read_inter_block_mode_info(bd);
  } else {
    mi_->ref[0] = kIntraFrame;
    mi_->ref[1] = kNoneRef;
    mi_->interp_filter = 3;
    read_y_modes(bd, false);
    const int uv = bd.read_tree(kIntraModeTree, fc_.uv_mode[mi_->mode[3]]);
    ++counts_.uv_mode[mi_->mode[3]][uv];
    mi_->uv_mode = static_cast<uint8_t>(uv);
  }
}

[[gnu::always_inline]] inline void TileDecoder::read_ref_frames(BoolDecoder& bd) {
  read_ref_frames_unchecked(bd);
  for (int r = 0; r < 1 + mi_->compound(); ++r)
    if (mi_->ref[r] < kLastFrame || !h_.ref_valid[mi_->ref[r] - kLastFrame])
      throw Error("vp9: block uses a reference frame with invalid dimensions");
}

[[gnu::always_inline]] inline void TileDecoder::read_ref_frames_unchecked(BoolDecoder& bd) {
  const int seg = mi_->segment_id;
  if (h_.seg.active(seg, kSegRefFrame)) {
    mi_->ref[0] = static_cast<int8_t>(h_.seg.feature_data[seg][kSegRefFrame]);
    mi_->ref[1] = kNoneRef;
    return;
  }
  int mode = h_.reference_mode;
  if (mode == kRefModeSelect) {
    const int ctx = comp_mode_ctx();
    mode = bd.read(fc_.comp_mode[ctx]);
    ++counts_.comp_mode[ctx][mode];
  }
  if (mode == kCompoundRef) {
    const int idx = h_.ref_sign_bias[h_.comp_fixed_ref];
    const int ctx = comp_ref_ctx();
    const int bit = bd.read(fc_.comp_ref[ctx]);
    ++counts_.comp_ref[ctx][bit];
    mi_->ref[idx] = static_cast<int8_t>(h_.comp_fixed_ref);
    mi_->ref[!idx] = static_cast<int8_t>(h_.comp_var_ref[bit]);
  } else {
    const int ctx0 = single_ref_p1_ctx();
    const int bit0 = bd.read(fc_.single_ref[ctx0][0]);
    ++counts_.single_ref[ctx0][0][bit0];
    if (bit0) {
      const int ctx1 = single_ref_p2_ctx();
      const int bit1 = bd.read(fc_.single_ref[ctx1][1]);
      ++counts_.single_ref[ctx1][1][bit1];
      mi_->ref[0] = bit1 ? kAltrefFrame : kGoldenFrame;
    } else {
      mi_->ref[0] = kLastFrame;
    }
    mi_->ref[1] = kNoneRef;
  }
}

[[gnu::always_inline]] inline int TileDecoder::read_inter_mode(BoolDecoder& bd, int ctx) {
  const int m = bd.read_tree(kInterModeTree, fc_.inter_mode[ctx]);
  ++counts_.inter_mode[ctx][m];
  return kNearestMv + m;
}

[[gnu::always_inline]] inline int TileDecoder::read_mv_component(BoolDecoder& bd, int comp, bool usehp) {
  const MvComponentProbs& p = fc_.mv[comp];
  MvComponentCounts& n = counts_.mv[comp];
  const int sign = bd.read(p.sign);
  const int cls = bd.read_tree(kMvClassTree, p.classes);
  ++n.sign[sign];
  ++n.classes[cls];
  int mag, d;
  if (cls == 0) {
    d = bd.read(p.class0[0]);
    ++n.class0[d];
    mag = 0;
  } else {
    d = 0;
    for (int i = 0; i < cls; ++i) {
      const int b = bd.read(p.bits[i]);
      ++n.bits[i][b];
      d |= b << i;
    }
    mag = 2 << (cls + 2);
  }
  const int fr = bd.read_tree(kMvFrTree, cls == 0 ? p.class0_fr[d] : p.fr);
  int hp = 1;
  if (cls == 0) ++n.class0_fr[d][fr];
  else ++n.fr[fr];
  if (usehp) hp = bd.read(cls == 0 ? p.class0_hp : p.hp);
  if (cls == 0) ++n.class0_hp[hp];
  else ++n.hp[hp];
  mag += ((d << 3) | (fr << 1) | hp) + 1;
  return sign ? -mag : mag;
}

[[gnu::always_inline]] inline Mv TileDecoder::read_mv(BoolDecoder& bd, const Mv& ref) {
  const int joint = bd.read_tree(kMvJointTree, fc_.mv_joints);
  ++counts_.mv_joints[joint];
  const bool usehp = h_.allow_high_precision_mv && use_mv_hp(ref);
  int dr = 0, dc = 0;
  if (joint == 2 || joint == 3) dr = read_mv_component(bd, 0, usehp);
  if (joint == 1 || joint == 3) dc = read_mv_component(bd, 1, usehp);
  const int r = ref.row + dr, c = ref.col + dc;
  if (r <= kMvLow || r >= kMvUpp || c <= kMvLow || c >= kMvUpp) throw Error("vp9: motion vector out of range");
  return Mv{static_cast<int16_t>(r), static_cast<int16_t>(c)};
}

[[gnu::always_inline]] inline void TileDecoder::read_inter_block_mode_info(BoolDecoder& bd) {
  read_ref_frames(bd);
  const bool compound = mi_->compound();
  const MvRefPos* pos = kMvRefBlocks[bsize_];
  int counter = 0;
  for (int i = 0; i < 2; ++i)
    if (inside(pos[i])) counter += kMode2Counter[candidate(i)->mode[3]];
  const int mode_ctx = kCounterToContext[counter];
  if (mode_ctx > 6) throw Error("vp9: invalid inter mode context");
  int mode = kZeroMv;
  if (h_.seg.active(mi_->segment_id, kSegSkip)) {
    if (bsize_ < kBlock8x8) throw Error("vp9: segment skip feature on a sub-8x8 block");
  } else if (bsize_ >= kBlock8x8) {
    mode = read_inter_mode(bd, mode_ctx);
  }
  if (h_.interp_filter == kSwitchableFilter) {
    const int lt = left_ ? left_->interp_filter : 3;
    const int at_ = above_ ? above_->interp_filter : 3;
    const int ctx = lt == at_ ? lt : lt == 3 ? at_ : at_ == 3 ? lt : 3;
    const int f = bd.read_tree(kSwitchableInterpTree, fc_.interp_filter[ctx]);
    ++counts_.interp_filter[ctx][f];
    mi_->interp_filter = static_cast<uint8_t>(f);
  } else {
    mi_->interp_filter = static_cast<uint8_t>(h_.interp_filter);
  }
  const bool allow_hp = h_.allow_high_precision_mv;
  if (bsize_ < kBlock8x8) {
    const int n4w = bsize_ == kBlock8x4 ? 2 : 1;  // 4x4 columns per sub-block
    const int n4h = bsize_ == kBlock4x8 ? 2 : 1;
    Mv best_new[2];
    bool got_new = false;
    int b_mode = kZeroMv;
    for (int idy = 0; idy < 2; idy += n4h)
      for (int idx = 0; idx < 2; idx += n4w) {
        const int j = idy * 2 + idx;
        b_mode = read_inter_mode(bd, mode_ctx);
        Mv best_sub[2];
        if (b_mode == kNearestMv || b_mode == kNearMv) {
          for (int r = 0; r < 1 + compound; ++r) best_sub[r] = sub8x8_best(b_mode, j, r);
        } else if (b_mode == kNewMv && !got_new) {
          for (int r = 0; r < 1 + compound; ++r) {
            Mv list[2];
            find_mv_refs(kNewMv, mi_->ref[r], list, -1);
            lower_mv_precision(list[0], allow_hp);
            best_new[r] = list[0];
          }
          got_new = true;
        }
        for (int r = 0; r < 1 + compound; ++r) {
          Mv m;
          if (b_mode == kNewMv) m = read_mv(bd, best_new[r]);
          else if (b_mode == kZeroMv) m = Mv{};
          else m = best_sub[r];
          mi_->mv[j][r] = m;
          if (n4h == 2) mi_->mv[j + 2][r] = m;
          if (n4w == 2) mi_->mv[j + 1][r] = m;
        }
        mi_->mode[j] = static_cast<uint8_t>(b_mode);
        if (n4h == 2) mi_->mode[j + 2] = static_cast<uint8_t>(b_mode);
        if (n4w == 2) mi_->mode[j + 1] = static_cast<uint8_t>(b_mode);
      }
    mi_->mode[3] = static_cast<uint8_t>(b_mode);
  } else {
    Mv best[2];
    if (mode != kZeroMv) {
      for (int r = 0; r < 1 + compound; ++r) {
        Mv list[2];
        const int n = find_mv_refs(mode, mi_->ref[r], list, -1);
        lower_mv_precision(list[n - 1], allow_hp);
        best[r] = list[n - 1];
      }
    }
    for (int r = 0; r < 1 + compound; ++r) {
      Mv m;
      if (mode == kNewMv) m = read_mv(bd, best[r]);
      else if (mode == kZeroMv) m = Mv{};
      else m = best[r];
      for (int b = 0; b < 4; ++b) mi_->mv[b][r] = m;
    }
    for (int b = 0; b < 4; ++b) mi_->mode[b] = static_cast<uint8_t>(mode);
  }
}

}  // namespace daedalus::vp9::tile
