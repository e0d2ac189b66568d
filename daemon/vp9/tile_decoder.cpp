// SPDX-License-Identifier: MIT
// Tile decoding: follows the decoding process of the VP9 bitstream spec
// (sections 6.4 and 9.3), with libvpx's decoder as the behavioural reference
// for the details the spec leaves to its pseudo-code.
#include "tile_decoder.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "bool_decoder.h"
#include "daedalus/error.h"
#include "tables.h"

namespace daedalus::vp9 {
namespace {

constexpr int kMvBorder = 16 << 3;  // 16 pixels in 1/8 pel
constexpr int kMvLow = -(1 << 14), kMvUpp = 1 << 14;

uint32_t mv_key(const Mv& m) {
  return static_cast<uint32_t>(static_cast<uint16_t>(m.row)) | (static_cast<uint32_t>(static_cast<uint16_t>(m.col)) << 16);
}

bool use_mv_hp(const Mv& m) { return std::abs(m.row) < 64 && std::abs(m.col) < 64; }

void lower_mv_precision(Mv& m, bool allow_hp) {
  if (allow_hp && use_mv_hp(m)) return;
  if (m.row & 1) m.row = static_cast<int16_t>(m.row + (m.row > 0 ? -1 : 1));
  if (m.col & 1) m.col = static_cast<int16_t>(m.col + (m.col > 0 ? -1 : 1));
}

// ---- coefficient token tables ------------------------------------------
// The token loop addresses probabilities and counts of a (band, context)
// pair with one index, bc8 = (band * 6 + ctx) * 8: probabilities are kept
// as [band * 6 + ctx][8] bytes and counts as [band * 6 + ctx][8] words, so
// both are one scaled-index access off the same register.
constexpr int kBandCtxs = 6 * 6;
constexpr ptrdiff_t ctx8(int token_cache_sum) { return ((1 + token_cache_sum) >> 1) * 8; }

// A scan position with the two raster neighbours its context comes from
// and its band (as band * 48, the bc8 of context 0), in one record so that
// the loop needs one table pointer.
struct CoefScan {
  int16_t pos, nb0, nb1, band8;
};
struct CoefScans {
  CoefScan entries[2 * (16 + 64 + 256) + 16 + 64 + 256 + 1024];
  const CoefScan* by[4][4];  // [tx_size][dd_tx_type & 3], as kScanOrders
};
const CoefScans& coef_scans() {
  static const CoefScans* const tables = [] {
    auto* t = new CoefScans{};
    size_t next = 0;
    for (int tx = 0; tx < 4; ++tx)
      for (int type = 0; type < 4; ++type) {
        const ScanOrder so = scan_order(tx, type);
        const CoefScan* found = nullptr;
        for (int prev = 0; prev < type && !found; ++prev)
          if (scan_order(tx, prev).scan == so.scan) found = t->by[tx][prev];
        if (!found) {
          CoefScan* e = t->entries + next;
          const int n = 16 << (2 * tx);
          for (int i = 0; i < n; ++i) {
            const int band = tx == 0 ? (i < 16 ? kCoefBand4x4[i] : 5) : coef_band_8x8plus(i);
            e[i] = {so.scan[i], so.neighbors[2 * i], so.neighbors[2 * i + 1], static_cast<int16_t>(band * 48)};
          }
          next += static_cast<size_t>(n);
          found = e;
        }
        t->by[tx][type] = found;
      }
    return t;
  }();
  return *tables;
}

class TileDecoder {
 public:
  explicit TileDecoder(const TileDecodeContext& c)
      : c_(c), h_(*c.hdr), fc_(*c.fc), counts_(*c.counts), work_(*c.work) {
    const int cols4 = static_cast<int>(h_.sb64_cols) * 16 + 16;
    for (int p = 0; p < 3; ++p) above_nz_[p].assign(cols4, 0);
    above_partition_.assign(h_.sb64_cols * 8 + 8, 0);
    for (int s = 0; s < 8; ++s) {
      const int q = segment_qindex(h_, s);
      dq_[s][0][0] = static_cast<int16_t>(dc_q(q, h_.y_dc_delta));
      dq_[s][0][1] = static_cast<int16_t>(ac_q(q, 0));
      dq_[s][1][0] = static_cast<int16_t>(dc_q(q, h_.uv_dc_delta));
      dq_[s][1][1] = static_cast<int16_t>(ac_q(q, h_.uv_ac_delta));
      compute_filter_levels(s);
    }
    for (int t = 0; t < 4; ++t)
      for (int i = 0; i < 2; ++i)
        for (int j = 0; j < 2; ++j)
          for (int bc = 0; bc < kBandCtxs; ++bc) {
            std::memcpy(coef_probs_[t][i][j][bc], fc_.coef[t][i][j][bc / 6][bc % 6], 3);
            std::memset(coef_probs_[t][i][j][bc] + 3, 0, 5);
          }
    std::memset(coef_counts_, 0, sizeof coef_counts_);
    for (int b = 0; b < kBlockSizes; ++b)
      for (int i = 0; i < 8; ++i)
        mv_ref_offsets_[b][i] = kMvRefBlocks[b][i].row * static_cast<ptrdiff_t>(h_.mi_cols) + kMvRefBlocks[b][i].col;
    for (int b = 0; b < kBlockSizes; ++b) {
      const int b8 = std::max(b, int{kBlock8x8});  // sub-8x8 blocks count as 8x8
      nz_ctx_size_[b][0] = static_cast<uint8_t>(1 << kBWidthLog2[b8]);
      nz_ctx_size_[b][1] = static_cast<uint8_t>(1 << kBHeightLog2[b8]);
      nz_ctx_size_[b][2] = static_cast<uint8_t>(1 << std::max(kBWidthLog2[b8] - h_.ss_x, 0));
      nz_ctx_size_[b][3] = static_cast<uint8_t>(1 << std::max(kBHeightLog2[b8] - h_.ss_y, 0));
    }
  }

  // Adds the token counts gathered in coef_counts_ to the frame's counts.
  void flush_coef_counts() {
    for (int t = 0; t < 4; ++t)
      for (int i = 0; i < 2; ++i)
        for (int j = 0; j < 2; ++j)
          for (int bc = 0; bc < kBandCtxs; ++bc) {
            const uint32_t* n = coef_counts_[t][i][j][bc];
            for (int k = 0; k < 4; ++k) counts_.coef[t][i][j][bc / 6][bc % 6][k] += n[k];
            counts_.eob_branch[t][i][j][bc / 6][bc % 6] += n[4];
          }
  }

  // Returns the bytes the tile left unread.
  size_t decode_tile(const uint8_t* data, size_t size, int row_start, int row_end, int col_start, int col_end) {
    bd_.init(data, size);
    col_start_ = col_start;
    col_end_ = col_end;
    for (int r = row_start; r < row_end; r += 8) {
      std::memset(left_partition_, 0, sizeof left_partition_);
      std::memset(left_nz_, 0, sizeof left_nz_);
      for (int col = col_start; col < col_end; col += 8) {
        decode_partition(r, col, 3);
        // Stop early on data that ran out long ago instead of decoding the
        // rest of a (possibly huge) frame from zero padding.
        if (bd_.overrun() > 8) throw Error("vp9: tile data truncated");
      }
    }
    // A tile that needed far more bits than it had is corrupt; libvpx
    // tolerates the arithmetic coder's small look-ahead past the end.
    if (bd_.overrun() > 8) throw Error("vp9: tile data truncated");
    return bd_.unread_bytes();
  }

 private:
  // ---- helpers -------------------------------------------------------
  [[gnu::always_inline]] int read(int prob) { return bd_.read(prob); }

  ModeInfo* at(int row, int col) const {
    const int32_t idx = (*c_.grid)[static_cast<size_t>(row) * h_.mi_cols + col];
    // Decode order guarantees every neighbour VP9 looks at is decoded in
    // this frame. The grid is not reset between frames (every entry is
    // rewritten), so a miss, which would be our bug, could only find a
    // stale index; one outside the blocks' storage (reserved for mi_rows *
    // mi_cols) is reported instead of dereferenced.
    if (static_cast<uint32_t>(idx) >= mis_) [[unlikely]]
      throw Error("vp9: internal error: neighbour block not decoded yet");
    return &(*c_.blocks)[idx];
  }

  void compute_filter_levels(int s) {
    const int base = h_.lf.level;
    int lvl_seg = base;
    if (h_.seg.active(s, kSegAltLf)) {
      const int d = h_.seg.feature_data[s][kSegAltLf];
      lvl_seg = std::clamp(h_.seg.abs_delta ? d : base + d, 0, 63);
    }
    const int scale = 1 << (base >> 5);
    for (int ref = 0; ref < 4; ++ref)
      for (int mode = 0; mode < 2; ++mode) {
        int l = lvl_seg;
        if (h_.lf.delta_enabled) {
          l += h_.lf.ref_deltas[ref] * scale;
          if (ref > 0) l += h_.lf.mode_deltas[mode] * scale;
        }
        lf_lvl_[s][ref][mode] = static_cast<uint8_t>(std::clamp(l, 0, 63));
      }
  }

  // Sets n context bytes to v; n is a power of two up to 16 in practice,
  // which become single stores instead of memset calls.
  static void fill_ctx(uint8_t* p, int n, uint8_t v) {
    const uint64_t w = v * 0x0101010101010101ull;
    switch (n) {
      case 1: p[0] = v; break;
      case 2: std::memcpy(p, &w, 2); break;
      case 4: std::memcpy(p, &w, 4); break;
      case 8: std::memcpy(p, &w, 8); break;
      case 16:
        std::memcpy(p, &w, 8);
        std::memcpy(p + 8, &w, 8);
        break;
      default: std::memset(p, v, static_cast<size_t>(std::max(n, 0))); break;
    }
  }

  // Sets a w x h rectangle of a per-8x8 grid (row pitch `stride`) to v.
  // Rows of a whole block (w = 1, 2, 4 or 8) are copied from a local row
  // as fixed-size stores; a block cut by the picture edge takes the loop.
  template <class T>
  [[gnu::always_inline]] static void fill_rect(T* p, size_t stride, int w, int h, const T& v) {
    auto rows = [&]<int kW>() {
      T row[kW];
      for (int i = 0; i < kW; ++i) row[i] = v;
      for (int y = 0; y < h; ++y, p += stride) std::memcpy(p, row, sizeof row);
    };
    switch (w) {
      case 1: for (int y = 0; y < h; ++y, p += stride) *p = v; break;
      case 2: rows.template operator()<2>(); break;
      case 4: rows.template operator()<4>(); break;
      case 8: rows.template operator()<8>(); break;
      default:
        for (int y = 0; y < h; ++y, p += stride) std::fill_n(p, w, v);
        break;
    }
  }

  // ---- partition -----------------------------------------------------
  void decode_partition(int row, int col, int bsl) {  // bsl: log2(size / 8)
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

  // ---- block ---------------------------------------------------------
  void decode_block(int row, int col, BlockSize bsize) {
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

  // ---- segment ids ---------------------------------------------------
  int predicted_segment_id() const {
    if (!c_.last_seg_map) return 0;
    int s = 7;
    for (int y = 0; y < y_mis_; ++y)
      for (int x = 0; x < x_mis_; ++x)
        s = std::min<int>(s, c_.last_seg_map[static_cast<size_t>(row_ + y) * h_.mi_cols + col_ + x]);
    return s;
  }
  void set_segment_map(int id) {
    for (int y = 0; y < y_mis_; ++y)
      for (int x = 0; x < x_mis_; ++x) c_.cur_seg_map[static_cast<size_t>(row_ + y) * h_.mi_cols + col_ + x] = static_cast<uint8_t>(id);
  }
  void copy_segment_map() {
    for (int y = 0; y < y_mis_; ++y)
      for (int x = 0; x < x_mis_; ++x) {
        const size_t o = static_cast<size_t>(row_ + y) * h_.mi_cols + col_ + x;
        c_.cur_seg_map[o] = c_.last_seg_map ? c_.last_seg_map[o] : 0;
      }
  }
  [[gnu::always_inline]] int read_intra_segment_id(BoolDecoder& bd) {
    if (!h_.seg.enabled) return 0;
    if (!h_.seg.update_map) {
      copy_segment_map();
      return 0;
    }
    const int id = bd.read_tree(kSegmentTree, h_.seg.tree_probs);
    set_segment_map(id);
    return id;
  }
  [[gnu::always_inline]] int read_inter_segment_id(BoolDecoder& bd) {
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

  // ---- skip / tx size ------------------------------------------------
  [[gnu::always_inline]] int read_skip(BoolDecoder& bd) {
    if (h_.seg.active(mi_->segment_id, kSegSkip)) return 1;
    const int ctx = (above_ ? above_->skip : 0) + (left_ ? left_->skip : 0);
    const int s = bd.read(fc_.skip[ctx]);
    ++counts_.skip[ctx][s];
    return s;
  }
  [[gnu::always_inline]] int read_tx_size(BoolDecoder& bd, bool allow_select) {
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

  // ---- intra modes ---------------------------------------------------
  static int sub_mode(const ModeInfo* m, int b) { return m->sb_type < kBlock8x8 ? m->mode[b] : m->mode[3]; }
  int above_mode(int b) const {
    if (b == 0 || b == 1) return (!above_ || above_->is_inter()) ? 0 : sub_mode(above_, b + 2);
    return mi_->mode[b - 2];
  }
  int left_mode(int b) const {
    if (b == 0 || b == 2) return (!left_ || left_->is_inter()) ? 0 : sub_mode(left_, b + 1);
    return mi_->mode[b - 1];
  }
  [[gnu::always_inline]] int read_kf_y_mode(BoolDecoder& bd, int b) { return bd.read_tree(kIntraModeTree, kKfYModeProbs[above_mode(b)][left_mode(b)]); }

  [[gnu::always_inline]] void read_intra_frame_mode_info(BoolDecoder& bd) {
    mi_->segment_id = static_cast<uint8_t>(read_intra_segment_id(bd));
    mi_->skip = static_cast<uint8_t>(read_skip(bd));
    mi_->tx_size = static_cast<uint8_t>(read_tx_size(bd, true));
    mi_->ref[0] = kIntraFrame;
    mi_->ref[1] = kNoneRef;
    read_y_modes(bd, true);
    mi_->uv_mode = static_cast<uint8_t>(bd.read_tree(kIntraModeTree, kKfUvModeProbs[mi_->mode[3]]));
  }

  [[gnu::always_inline]] int read_if_y_mode(BoolDecoder& bd, int group) {
    const int m = bd.read_tree(kIntraModeTree, fc_.y_mode[group]);
    ++counts_.y_mode[group][m];
    return m;
  }

  [[gnu::always_inline]] void read_y_modes(BoolDecoder& bd, bool kf) {
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

  // ---- inter frames --------------------------------------------------
  [[gnu::always_inline]] void read_inter_frame_mode_info(BoolDecoder& bd) {
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

  int comp_mode_ctx() const {
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

  int comp_ref_ctx() const {
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

  int single_ref_p1_ctx() const {
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

  int single_ref_p2_ctx() const {
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

  [[gnu::always_inline]] void read_ref_frames(BoolDecoder& bd) {
    read_ref_frames_unchecked(bd);
    for (int r = 0; r < 1 + mi_->compound(); ++r)
      if (mi_->ref[r] < kLastFrame || !h_.ref_valid[mi_->ref[r] - kLastFrame])
        throw Error("vp9: block uses a reference frame with invalid dimensions");
  }
  [[gnu::always_inline]] void read_ref_frames_unchecked(BoolDecoder& bd) {
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

  [[gnu::always_inline]] int read_inter_mode(BoolDecoder& bd, int ctx) {
    const int m = bd.read_tree(kInterModeTree, fc_.inter_mode[ctx]);
    ++counts_.inter_mode[ctx][m];
    return kNearestMv + m;
  }

  // Whether MV candidate position p of the current block lies in the
  // tile; most blocks have all of theirs inside (mv_refs_inside_).
  [[gnu::always_inline]] bool inside(const MvRefPos& p) const { return mv_refs_inside_ || is_inside(p); }
  // The block at MV candidate position i of the current block (inside()).
  [[gnu::always_inline]] const ModeInfo* candidate(int i) const {
    const int32_t idx = grid_at_block_[mv_ref_offsets_[bsize_][i]];
    if (static_cast<uint32_t>(idx) >= mis_) [[unlikely]]
      throw Error("vp9: internal error: neighbour block not decoded yet");
    return blocks_base_ + idx;
  }
  bool is_inside(const MvRefPos& p) const {
    const int r = row_ + p.row, c = col_ + p.col;
    return !(r < 0 || c < col_start_ || r >= static_cast<int>(h_.mi_rows) || c >= col_end_);
  }

  void clamp_mv_ref(Mv& m) const {
    m.col = static_cast<int16_t>(std::clamp<int>(m.col, to_left_ - kMvBorder, to_right_ + kMvBorder));
    m.row = static_cast<int16_t>(std::clamp<int>(m.row, to_top_ - kMvBorder, to_bottom_ + kMvBorder));
  }

  Mv scaled(const Mv& m, int cand_ref, int ref) const {
    if (h_.ref_sign_bias[cand_ref] != h_.ref_sign_bias[ref]) return Mv{static_cast<int16_t>(-m.row), static_cast<int16_t>(-m.col)};
    return m;
  }

  // find_mv_refs: up to 2 candidate MVs for `ref` (spec 6.4.22 / libvpx's
  // decoder variant with early termination). Returns the candidate count
  // the caller indexes with (list[count - 1] is "best").
  int find_mv_refs(int mode, int ref, Mv list[2], int block) const {
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
  Mv sub8x8_best(int b_mode, int block, int r) const {
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

  [[gnu::always_inline]] int read_mv_component(BoolDecoder& bd, int comp, bool usehp) {
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

  [[gnu::always_inline]] Mv read_mv(BoolDecoder& bd, const Mv& ref) {
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

  [[gnu::always_inline]] void read_inter_block_mode_info(BoolDecoder& bd) {
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

  // ---- coefficients --------------------------------------------------
  // Decodes one transform block's tokens (spec 6.4.24 / libvpx
  // decode_coefs), returns eob. `probs`/`cnt` are the block's
  // coef_probs_/coef_counts_ slices, `ctx` the above/left context. Blocks
  // with tokens get their dequantised n*n raster appended to work_.coeffs
  // at *coeff_offset; a block whose first token is EOB (the common case)
  // costs no coefficient storage.
  template <int kTx>
  [[gnu::noinline]] int decode_coefs(const uint8_t* probs, uint32_t* cnt, const CoefScan* scan, const int16_t* dq, int ctx,
                   uint32_t* coeff_offset) {
    constexpr int kMaxEob = 16 << (2 * kTx);
    constexpr int kShift = kTx == 3;
    // A local copy of the bool decoder: the token_cache/count stores below
    // could alias its members, which would pin them to memory.
    BoolDecoder bd = bd_;
    const size_t off = work_.coeffs.size();
    *coeff_offset = static_cast<uint32_t>(off);
    ptrdiff_t bc8 = ctx * 8;  // band 0
    // Each "more coefficients" read reserves the reads of the common token
    // path after it: ZERO?, ONE?, sign.
    bd.reserve_reads(4);
    ++cnt[bc8 + 4];
    if (!bd.read_unchecked(probs[bc8])) {
      ++cnt[bc8 + 3];
      bd_ = bd;
      return 0;
    }
    work_.coeffs.resize(off + kMaxEob);
    int16_t* const out = work_.coeffs.data() + off;
    uint8_t token_cache[kMaxEob];
    const CoefScan* s = scan;
    const CoefScan* const end = scan + kMaxEob;
    const int dq_ac = dq[1];
    int dqv = dq[0];
    // At the loop head the "more coefficients" bit of position s was 1 and
    // bc8 is position s's index.
    for (;;) {
      while (!bd.read_unchecked(probs[bc8 + 1])) {  // ZERO_TOKEN (no EOB check follows one)
        ++cnt[bc8];
        token_cache[s->pos] = 0;
        dqv = dq_ac;
        if (++s == end) {
          bd_ = bd;
          return kMaxEob;
        }
        bc8 = s->band8 + ctx8(token_cache[s->nb0] + token_cache[s->nb1]);
        bd.reserve_reads(3);
      }
      const int pos = s->pos;
      if (!bd.read_unchecked(probs[bc8 + 2])) {  // ONE_TOKEN
        ++cnt[bc8 + 1];
        token_cache[pos] = 1;
        const int v = dqv >> kShift;
        out[pos] = static_cast<int16_t>(bd.read_unchecked(128) ? -v : v);
      } else {
        ++cnt[bc8 + 2];
        const int v = (read_two_plus(bd, probs[bc8 + 2], token_cache[pos]) * dqv) >> kShift;
        // libavcodec's 8-bit path stores int16 and wraps; so do we.
        out[pos] = static_cast<int16_t>(bd.read(128) ? -v : v);
      }
      dqv = dq_ac;
      if (++s == end) break;
      bc8 = s->band8 + ctx8(token_cache[s->nb0] + token_cache[s->nb1]);
      bd.reserve_reads(4);
      ++cnt[bc8 + 4];
      if (!bd.read_unchecked(probs[bc8])) {
        ++cnt[bc8 + 3];
        break;
      }
    }
    bd_ = bd;
    return static_cast<int>(s - scan);
  }
  // The rest of a token known to be TWO or more (Pareto model tail and
  // extra bits); sets its token_cache entry, returns its magnitude.
  [[gnu::always_inline]] static int read_two_plus(BoolDecoder& bd, int p2, uint8_t& cache) {
    const uint8_t* pp = kParetoFull[p2 - 1];
    if (bd.read(pp[0])) {
      if (bd.read(pp[3])) {
        cache = 5;
        if (bd.read(pp[5])) {
          if (bd.read(pp[7])) return 67 + read_extra(bd, kCat6Prob, 14);
          return 35 + read_extra(bd, kCat5Prob, 5);
        }
        if (bd.read(pp[6])) return 19 + read_extra(bd, kCat4Prob, 4);
        return 11 + read_extra(bd, kCat3Prob, 3);
      }
      cache = 4;
      if (bd.read(pp[4])) return 7 + read_extra(bd, kCat2Prob, 2);
      return 5 + read_extra(bd, kCat1Prob, 1);
    }
    if (bd.read(pp[1])) {
      cache = 3;
      return 3 + bd.read(pp[2]);
    }
    cache = 2;
    return 2;
  }
  [[gnu::always_inline]] static int read_extra(BoolDecoder& bd, const uint8_t* probs, int n) {
    int v = 0;
    for (int i = 0; i < n; ++i) v = (v << 1) | bd.read(probs[i]);
    return v;
  }

  // ---- output --------------------------------------------------------
  // Whether any of the n (1, 2, 4 or 8) nonzero-context bytes at p is set.
  static bool any_nonzero(const uint8_t* p, int n) {
    switch (n) {
      case 1: return p[0] != 0;
      case 2: { uint16_t v; std::memcpy(&v, p, 2); return v != 0; }
      case 4: { uint32_t v; std::memcpy(&v, p, 4); return v != 0; }
      default: { uint64_t v; std::memcpy(&v, p, 8); return v != 0; }
    }
  }
  // Sets n nonzero-context bytes at p to nz (0/1); those at or past `limit`
  // (outside the picture) to 0.
  static void set_nonzero(uint8_t* p, int n, int limit, uint8_t nz) {
    if (n <= limit) [[likely]] {
      const uint64_t v = nz * 0x0101010101010101ull;
      switch (n) {
        case 1: p[0] = nz; break;
        case 2: std::memcpy(p, &v, 2); break;
        case 4: std::memcpy(p, &v, 4); break;
        default: std::memcpy(p, &v, 8); break;
      }
      return;
    }
    for (int i = 0; i < n; ++i) p[i] = i < limit ? nz : 0;
  }

  void emit_block_and_residual() {
    const bool inter = mi_->is_inter();
    // Block record.
    dd_block blk{};
    blk.x = static_cast<uint16_t>(col_ * 8);
    blk.y = static_cast<uint16_t>(row_ * 8);
    blk.w_log2 = static_cast<uint8_t>(kBWidthLog2[bsize_] + 2);
    blk.h_log2 = static_cast<uint8_t>(kBHeightLog2[bsize_] + 2);
    blk.flags = static_cast<uint8_t>((inter ? DD_BLOCK_INTER : 0) | (mi_->compound() ? DD_BLOCK_COMPOUND : 0));
    blk.interp_filter = inter ? mi_->interp_filter : 0;
    blk.ref[0] = static_cast<uint8_t>(inter ? mi_->ref[0] - 1 : 0);
    blk.ref[1] = static_cast<uint8_t>(mi_->compound() ? mi_->ref[1] - 1 : 0);
    blk.segment_id = mi_->segment_id;
    for (int b = 0; b < 4; ++b)
      for (int r = 0; r < 2; ++r) {
        blk.mv[b][r][0] = mi_->mv[b][r].row;
        blk.mv[b][r][1] = mi_->mv[b][r].col;
      }

    const bool skip = mi_->skip;
    if (skip) {
      reset_skip_context();
      // A skipped inter block lists no tx blocks (they would all have
      // eob 0); intra ones still list theirs for prediction.
      if (inter) {
        blk.flags |= DD_BLOCK_SKIP;
        work_.blocks.push_back(blk);
        return;
      }
    }

    int eob_total = 0;
    const CoefScans& scans = *scans_;
    const BlockSize bs8 = std::max<BlockSize>(bsize_, kBlock8x8);  // sub-8x8 blocks count as 8x8
    for (int plane = 0; plane < 3; ++plane) {
      const int ss_x = plane ? h_.ss_x : 0, ss_y = plane ? h_.ss_y : 0;
      // Block size in 4x4 units in this plane.
      const int bwl = std::max(kBWidthLog2[bs8] - ss_x, 0);
      const int bhl = std::max(kBHeightLog2[bs8] - ss_y, 0);
      const int n4w = 1 << bwl, n4h = 1 << bhl;
      int tx_size = mi_->tx_size;
      if (plane) tx_size = bsize_ < kBlock8x8 ? 0 : std::min({tx_size, bwl, bhl, 3});
      const int step = 1 << tx_size;
      int max_w = n4w, max_h = n4h;
      if (to_right_ < 0) max_w += to_right_ >> (5 + ss_x);
      if (to_bottom_ < 0) max_h += to_bottom_ >> (5 + ss_y);
      const int x4 = (col_ * 2) >> ss_x, y4 = (row_ * 2) >> ss_y;  // block origin in 4x4 units
      uint8_t* above = &above_nz_[plane][x4];
      uint8_t* left = &left_nz_[plane][((row_ & 7) * 2) >> ss_y];
      // Per plane unless an intra sub-8x8 luma block (one mode per 4x4).
      const bool mode_per_tx = !inter && plane == 0 && bsize_ < kBlock8x8;
      const bool adst = !inter && plane == 0 && tx_size < 3 && !h_.lossless;
      int mode = plane ? mi_->uv_mode : mi_->mode[3];
      dd_tx_block tb{};
      tb.plane = static_cast<uint8_t>(plane);
      tb.tx_size = static_cast<uint8_t>(tx_size);
      tb.mode = static_cast<uint8_t>(inter ? DD_MODE_INTER : mode);
      tb.tx_type = static_cast<uint8_t>(h_.lossless ? int{DD_TX_WHT_WHT} : adst ? int{kModeToTxType[mode]} : int{DD_TX_DCT_DCT});
      const uint8_t* const probs = coef_probs_[tx_size][plane > 0][inter][0];
      uint32_t* const cnt = coef_counts_[tx_size][plane > 0][inter][0];
      const int16_t* const dq = dq_[mi_->segment_id][plane > 0];
      const int have_left = left_ ? int{DD_TX_HAVE_LEFT} : 0;
      const int have_above = row_ > 0 ? int{DD_TX_HAVE_ABOVE} : 0;
      for (int r = 0; r < max_h; r += step) {
        tb.y = static_cast<uint16_t>((y4 + r) * 4);
        for (int cc = 0; cc < max_w; cc += step) {
          if (mode_per_tx) {
            mode = mi_->mode[(r << 1) + cc];
            tb.mode = static_cast<uint8_t>(mode);
            tb.tx_type = static_cast<uint8_t>(h_.lossless ? int{DD_TX_WHT_WHT} : int{kModeToTxType[mode]});
          }
          tb.x = static_cast<uint16_t>((x4 + cc) * 4);
          tb.flags = static_cast<uint8_t>((cc > 0 ? int{DD_TX_HAVE_LEFT} : have_left) |
                                          (r > 0 ? int{DD_TX_HAVE_ABOVE} : have_above) |
                                          (cc + step < n4w ? int{DD_TX_HAVE_ABOVE_RIGHT} : 0));
          int eob = 0;
          tb.coeff_offset = 0;
          if (!skip) {
            // Scan order follows the transform type (lossless uses the default scan).
            const CoefScan* scan = scans.by[tx_size][h_.lossless ? 0 : tb.tx_type];
            const int ctx = any_nonzero(above + cc, step) + any_nonzero(left + r, step);
            switch (tx_size) {
              case 0: eob = decode_coefs<0>(probs, cnt, scan, dq, ctx, &tb.coeff_offset); break;
              case 1: eob = decode_coefs<1>(probs, cnt, scan, dq, ctx, &tb.coeff_offset); break;
              case 2: eob = decode_coefs<2>(probs, cnt, scan, dq, ctx, &tb.coeff_offset); break;
              default: eob = decode_coefs<3>(probs, cnt, scan, dq, ctx, &tb.coeff_offset); break;
            }
            const uint8_t nz = eob > 0;
            set_nonzero(above + cc, step, max_w - cc, nz);
            set_nonzero(left + r, step, max_h - r, nz);
          }
          tb.eob = static_cast<uint16_t>(eob);
          // Only a block with coefficients has an offset (0 otherwise): the
          // same value however the tiles were split among threads.
          if (eob == 0) tb.coeff_offset = 0;
          eob_total += eob;
          if (!inter || eob > 0) work_.tx_blocks.push_back(tb);
        }
      }
    }
    // An inter block of 8x8 or more without coefficients counts as skipped
    // (affects later skip contexts and the loop filter), like libvpx.
    if (inter && bsize_ >= kBlock8x8 && eob_total == 0 && !mi_->skip) {
      mi_->skip = 1;
    }
    if (mi_->skip) blk.flags |= DD_BLOCK_SKIP;
    work_.blocks.push_back(blk);
  }

  // A skipped block clears its nonzero contexts (sizes per block size
  // from nz_ctx_size_; a block never crosses its superblock, so the left
  // ones stay within left_nz_).
  void reset_skip_context() {
    const uint8_t* n = nz_ctx_size_[bsize_];
    const int ax = col_ * 2, ly = (row_ & 7) * 2;
    fill_ctx(&above_nz_[0][ax], n[0], 0);
    fill_ctx(&left_nz_[0][ly], n[1], 0);
    const int cax = ax >> h_.ss_x, cly = ly >> h_.ss_y;
    fill_ctx(&above_nz_[1][cax], n[2], 0);
    fill_ctx(&above_nz_[2][cax], n[2], 0);
    fill_ctx(&left_nz_[1][cly], n[3], 0);
    fill_ctx(&left_nz_[2][cly], n[3], 0);
  }

  const TileDecodeContext& c_;
  const FrameHeader& h_;
  const uint32_t mis_ = h_.mi_rows * h_.mi_cols;
  const FrameContext& fc_;
  FrameCounts& counts_;
  dispatch::FrameWork& work_;
  BoolDecoder bd_;
  int col_start_ = 0, col_end_ = 0;
  std::vector<uint8_t> above_partition_;
  uint8_t left_partition_[8] = {};
  std::vector<uint8_t> above_nz_[3];
  uint8_t left_nz_[3][16] = {};
  // Grid offsets of kMvRefBlocks' positions.
  ptrdiff_t mv_ref_offsets_[kBlockSizes][8] = {};
  // Reserved for every 8x8 of the frame: never reallocated while decoding.
  ModeInfo* const blocks_base_ = c_.blocks->data();
  // Nonzero context bytes a block covers: [block size][luma w, luma h,
  // chroma w, chroma h], in 4x4 units.
  uint8_t nz_ctx_size_[kBlockSizes][4] = {};
  int16_t dq_[8][2][2] = {};
  // [tx_size][plane > 0][is_inter][band * 6 + ctx]: see kBandCtxs.
  uint8_t coef_probs_[4][2][2][kBandCtxs][8];
  uint32_t coef_counts_[4][2][2][kBandCtxs][8];
  const CoefScans* scans_ = &coef_scans();
  uint8_t lf_lvl_[8][4][2] = {};
  // Current block.
  int row_ = 0, col_ = 0, x_mis_ = 0, y_mis_ = 0;
  BlockSize bsize_ = kBlock4x4;
  ModeInfo* mi_ = nullptr;
  const int32_t* grid_at_block_ = nullptr;
  bool mv_refs_inside_ = false;
  const ModeInfo* above_ = nullptr;
  const ModeInfo* left_ = nullptr;
  int to_left_ = 0, to_right_ = 0, to_top_ = 0, to_bottom_ = 0;
};

int tile_offset(int idx, int mis, int log2) {
  const int sb_cols = (mis + 7) >> 3;
  const int offset = ((idx * sb_cols) >> log2) << 3;
  return std::min(offset, mis);
}


// One tile's data and its extent in 8x8 units.
struct TileSpan {
  const uint8_t* data = nullptr;
  size_t size = 0;
  int r0 = 0, r1 = 0, c0 = 0, c1 = 0;
  bool empty() const { return r1 <= r0 || c1 <= c0; }
};

// The frame's tiles in bitstream order (tile row by tile row); every tile
// but the last is preceded by its size.
std::vector<TileSpan> split_tiles(const uint8_t* data, size_t size, const FrameHeader& h) {
  const int tile_cols = 1 << h.log2_tile_cols, tile_rows = 1 << h.log2_tile_rows;
  std::vector<TileSpan> tiles;
  tiles.reserve(static_cast<size_t>(tile_cols) * tile_rows);
  const uint8_t* p = data;
  const uint8_t* end = data + size;
  for (int tr = 0; tr < tile_rows; ++tr)
    for (int tc = 0; tc < tile_cols; ++tc) {
      TileSpan t;
      if (tr == tile_rows - 1 && tc == tile_cols - 1) {
        t.size = static_cast<size_t>(end - p);
      } else {
        if (end - p < 4) throw Error("vp9: truncated tile size");
        t.size = (static_cast<size_t>(p[0]) << 24) | (static_cast<size_t>(p[1]) << 16) |
                 (static_cast<size_t>(p[2]) << 8) | p[3];
        p += 4;
        if (t.size > static_cast<size_t>(end - p)) throw Error("vp9: tile size exceeds the frame data");
      }
      t.data = p;
      t.r0 = tile_offset(tr, static_cast<int>(h.mi_rows), h.log2_tile_rows);
      t.r1 = tile_offset(tr + 1, static_cast<int>(h.mi_rows), h.log2_tile_rows);
      t.c0 = tile_offset(tc, static_cast<int>(h.mi_cols), h.log2_tile_cols);
      t.c1 = tile_offset(tc + 1, static_cast<int>(h.mi_cols), h.log2_tile_cols);
      tiles.push_back(t);
      p += t.size;
    }
  return tiles;
}

// One thread's outputs when tile columns are decoded in parallel.
struct TileColumnWorker {
  std::vector<ModeInfo> blocks;
  dispatch::FrameWork work;  // blocks, tx_blocks and coeffs only
  FrameCounts counts{};
};

// Worker outputs are shared by every decoder of the process, not kept per
// stream: a new stream's first frame (a key frame, often its largest) then
// writes into memory earlier frames already faulted in. Only its own
// FrameWork is new, as on one thread.
class WorkerPool {
 public:
  std::unique_ptr<TileColumnWorker> acquire() {
    std::lock_guard lock(mutex_);
    if (free_.empty()) return std::make_unique<TileColumnWorker>();
    std::unique_ptr<TileColumnWorker> w = std::move(free_.back());
    free_.pop_back();
    return w;
  }
  void release(std::unique_ptr<TileColumnWorker> w) {
    std::lock_guard lock(mutex_);
    if (free_.size() < kMaxIdle) free_.push_back(std::move(w));
  }

 private:
  static constexpr size_t kMaxIdle = 8;  // two 4-thread streams' worth
  std::mutex mutex_;
  std::vector<std::unique_ptr<TileColumnWorker>> free_;
};

WorkerPool& worker_pool() {
  static WorkerPool pool;
  return pool;
}

// Tile columns on `n` threads. VP9 tile columns are independent: a block's
// contexts, neighbours and MV candidates never cross a tile column's edges
// (they do cross tile rows, so one worker takes a column's tiles top to
// bottom). Worker w decodes columns w, w + n, ... into outputs of its own;
// the outputs are then concatenated in bitstream order, with the indices
// they hold (mode info grid, coefficient offsets) moved along, so the
// frame's work, grid and counts are exactly those of decoding on one
// thread.
void decode_tile_columns(const std::vector<TileSpan>& tiles, int tile_cols, unsigned n, const TileDecodeContext& ctx) {
  const FrameHeader& h = *ctx.hdr;
  const size_t mis = static_cast<size_t>(h.mi_rows) * h.mi_cols;
  std::vector<std::unique_ptr<TileColumnWorker>> pool(n);
  for (auto& w : pool) w = worker_pool().acquire();
  struct Release {  // back to the process's pool on every way out
    std::vector<std::unique_ptr<TileColumnWorker>>& pool;
    ~Release() {
      for (auto& w : pool) worker_pool().release(std::move(w));
    }
  } release{pool};
  struct Output {  // one tile's share of its worker's outputs: [begin, end)
    size_t blocks[2] = {}, work_blocks[2] = {}, tx[2] = {}, coeffs[2] = {};
    size_t unread = 0;
    bool decoded = false;
  };
  std::vector<Output> out(tiles.size());
  std::vector<std::exception_ptr> error(n);
  std::vector<size_t> error_tile(n, tiles.size());
  auto run = [&](unsigned w) {
    TileColumnWorker& wk = *pool[w];
    size_t i = 0;
    try {
      // Room for the worst case of this worker's columns up front, as
      // FrameCore reserves the frame's work (see there): grown by doubling,
      // a stream's first frame would copy its coefficients over and over.
      size_t mi = 0;
      for (int tc = static_cast<int>(w); tc < tile_cols; tc += static_cast<int>(n))
        mi += static_cast<size_t>(tiles[static_cast<size_t>(tc)].c1 - tiles[static_cast<size_t>(tc)].c0) * h.mi_rows;
      const size_t units = std::min<size_t>(mi * 4, (4096 / 4) * (2304 / 4));
      wk.blocks.clear();
      wk.blocks.reserve(mi);  // at most one per 8x8; TileDecoder keeps pointers into it
      wk.work.blocks.clear();
      wk.work.blocks.reserve(units);
      wk.work.tx_blocks.clear();
      wk.work.tx_blocks.reserve(units * 3 / 2);
      wk.work.coeffs.clear();
      wk.work.coeffs.reserve(units * 16 * 3 / 2);
      wk.counts = FrameCounts{};
      TileDecodeContext c = ctx;
      c.counts = &wk.counts;
      c.blocks = &wk.blocks;
      c.work = &wk.work;
      c.tile_unread_bytes = nullptr;
      c.threads = 1;
      TileDecoder td(c);
      for (int tc = static_cast<int>(w); tc < tile_cols; tc += static_cast<int>(n))
        for (i = static_cast<size_t>(tc); i < tiles.size(); i += static_cast<size_t>(tile_cols)) {
          const TileSpan& t = tiles[i];
          if (t.empty()) continue;
          Output& o = out[i];
          o.blocks[0] = wk.blocks.size();
          o.work_blocks[0] = wk.work.blocks.size();
          o.tx[0] = wk.work.tx_blocks.size();
          o.coeffs[0] = wk.work.coeffs.size();
          o.unread = td.decode_tile(t.data, t.size, t.r0, t.r1, t.c0, t.c1);
          o.blocks[1] = wk.blocks.size();
          o.work_blocks[1] = wk.work.blocks.size();
          o.tx[1] = wk.work.tx_blocks.size();
          o.coeffs[1] = wk.work.coeffs.size();
          o.decoded = true;
        }
      td.flush_coef_counts();
    } catch (...) {
      error[w] = std::current_exception();
      error_tile[w] = i;
    }
  };
  {
    std::vector<std::jthread> threads;
    threads.reserve(n - 1);
    for (unsigned w = 1; w < n; ++w) threads.emplace_back(run, w);
    run(0);
  }  // joined here
  // The error of the first failing tile in bitstream order, as one thread
  // would have reported it.
  unsigned first = n;
  for (unsigned w = 0; w < n; ++w)
    if (error[w] && (first == n || error_tile[w] < error_tile[first])) first = w;
  if (first != n) std::rethrow_exception(error[first]);

  ctx.blocks->clear();
  ctx.blocks->reserve(mis);
  dispatch::FrameWork& work = *ctx.work;
  std::vector<int32_t>& grid = *ctx.grid;
  for (size_t i = 0; i < tiles.size(); ++i) {
    const Output& o = out[i];
    if (!o.decoded) continue;
    const TileColumnWorker& wk = *pool[(i % static_cast<size_t>(tile_cols)) % n];
    const int32_t block_shift = static_cast<int32_t>(ctx.blocks->size()) - static_cast<int32_t>(o.blocks[0]);
    ctx.blocks->insert(ctx.blocks->end(), wk.blocks.begin() + o.blocks[0], wk.blocks.begin() + o.blocks[1]);
    work.blocks.insert(work.blocks.end(), wk.work.blocks.begin() + o.work_blocks[0],
                       wk.work.blocks.begin() + o.work_blocks[1]);
    const uint32_t coeff_shift = static_cast<uint32_t>(work.coeffs.size() - o.coeffs[0]);  // modulo 2^32
    const size_t tx0 = work.tx_blocks.size();
    work.tx_blocks.insert(work.tx_blocks.end(), wk.work.tx_blocks.begin() + o.tx[0], wk.work.tx_blocks.begin() + o.tx[1]);
    for (size_t k = tx0; k < work.tx_blocks.size(); ++k)
      if (work.tx_blocks[k].eob) work.tx_blocks[k].coeff_offset += coeff_shift;
    work.coeffs.insert(work.coeffs.end(), wk.work.coeffs.begin() + o.coeffs[0], wk.work.coeffs.begin() + o.coeffs[1]);
    const TileSpan& t = tiles[i];
    for (int r = t.r0; r < t.r1; ++r) {
      int32_t* row = grid.data() + static_cast<size_t>(r) * h.mi_cols;
      for (int c = t.c0; c < t.c1; ++c) row[c] += block_shift;
    }
    if (ctx.tile_unread_bytes) ctx.tile_unread_bytes->push_back(o.unread);
  }
  for (unsigned w = 0; w < n; ++w) add_counts(*ctx.counts, pool[w]->counts);
}

}  // namespace

void decode_tiles(const uint8_t* data, size_t size, const TileDecodeContext& ctx) {
  const FrameHeader& h = *ctx.hdr;
  const size_t mis = static_cast<size_t>(h.mi_rows) * h.mi_cols;
  // Not reset: decode_block() writes every entry of a frame that decodes,
  // and at() looks only at neighbours decoded before (see there).
  ctx.grid->resize(mis);
  // Inter frames write every entry (decode_block); intra frames none, and
  // no frame takes its MVs from an intra frame, but keep them defined.
  if (h.intra_frame()) ctx.mvs->assign(mis, MvRef{});
  else ctx.mvs->resize(mis);
  const std::vector<TileSpan> tiles = split_tiles(data, size, h);
  const int tile_cols = 1 << h.log2_tile_cols;
  const unsigned threads = std::min(std::max(ctx.threads, 1u), static_cast<unsigned>(tile_cols));
  if (threads > 1) {
    decode_tile_columns(tiles, tile_cols, threads, ctx);
    return;
  }
  ctx.blocks->clear();
  ctx.blocks->reserve(mis);  // no reallocation: ModeInfo pointers stay valid
  TileDecoder td(ctx);
  for (const TileSpan& t : tiles) {
    if (t.empty()) continue;
    const size_t unread = td.decode_tile(t.data, t.size, t.r0, t.r1, t.c0, t.c1);
    if (ctx.tile_unread_bytes) ctx.tile_unread_bytes->push_back(unread);
  }
  td.flush_coef_counts();
}

}  // namespace daedalus::vp9
