// SPDX-License-Identifier: MIT
// The tile decoder's insides, shared by its files (as dav1d's decode.c,
// refmvs.c and recon_tmpl.c share internal.h): TileDecoder, the state of
// decoding one frame's tiles on one thread, and the steps of decoding a
// block. Each group of methods below is defined in the file it names:
//   tile_decoder.cpp        set-up, whole tiles, decode_tiles() on one thread
//   tile_threads.cpp        tile columns on several threads
//   block_modes.cpp         partition trees, blocks, mode info (segment ids,
//                           skip, tx size, intra / inter modes, MV residuals)
//   reference_contexts.cpp  contexts of the reference frame syntax elements
//   mv_prediction.cpp       candidate MV lists (find_mv_refs)
//   coef_tokens.cpp         coefficient tokens, dequantised into the work
//   block_output.cpp        a block's dd_block and dd_tx_block records
// Not part of the VP9 library's interface (tile_decoder.h is).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "bool_decoder.h"
#include "daedalus/error.h"
#include "tables.h"
#include "tile_decoder.h"

namespace daedalus::vp9::tile {

// ---- coefficient token tables (coef_tokens.cpp) -------------------------
// The token loop addresses probabilities and counts of a (band, context)
// pair with one index, bc8 = (band * 6 + ctx) * 8: probabilities are kept
// as [band * 6 + ctx][8] bytes and counts as [band * 6 + ctx][8] words, so
// both are one scaled-index access off the same register.
constexpr int kBandCtxs = 6 * 6;

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
// The scan tables of every transform size and type (coef_tokens.cpp).
const CoefScans& coef_scans();

class TileDecoder {
 public:
  explicit TileDecoder(const TileDecodeContext& c);
  // Adds the token counts gathered in coef_counts_ to the frame's counts.
  void flush_coef_counts();
  // Returns the bytes the tile left unread.
  size_t decode_tile(const uint8_t* data, size_t size, int row_start, int row_end, int col_start, int col_end);

 private:
  // ---- Set-up and whole tiles (tile_decoder.cpp) -------------------------
  inline void compute_filter_levels(int s);

  // ---- Helpers every part uses -------------------------------------------
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

  // ---- Partition, block and mode info (block_modes.cpp) ------------------
  void decode_partition(int row, int col, int bsl);
  inline void decode_block(int row, int col, BlockSize bsize);
  inline int predicted_segment_id() const;
  inline void set_segment_map(int id);
  inline void copy_segment_map();
  [[gnu::always_inline]] inline int read_intra_segment_id(BoolDecoder& bd);
  [[gnu::always_inline]] inline int read_inter_segment_id(BoolDecoder& bd);
  [[gnu::always_inline]] inline int read_skip(BoolDecoder& bd);
  [[gnu::always_inline]] inline int read_tx_size(BoolDecoder& bd, bool allow_select);
  static inline int sub_mode(const ModeInfo* m, int b);
  inline int above_mode(int b) const;
  inline int left_mode(int b) const;
  [[gnu::always_inline]] inline int read_kf_y_mode(BoolDecoder& bd, int b);
  [[gnu::always_inline]] inline void read_intra_frame_mode_info(BoolDecoder& bd);
  [[gnu::always_inline]] inline int read_if_y_mode(BoolDecoder& bd, int group);
  [[gnu::always_inline]] inline void read_y_modes(BoolDecoder& bd, bool kf);
  [[gnu::always_inline]] inline void read_inter_frame_mode_info(BoolDecoder& bd);
  [[gnu::always_inline]] inline void read_ref_frames(BoolDecoder& bd);
  [[gnu::always_inline]] inline void read_ref_frames_unchecked(BoolDecoder& bd);
  [[gnu::always_inline]] inline int read_inter_mode(BoolDecoder& bd, int ctx);
  [[gnu::always_inline]] inline int read_mv_component(BoolDecoder& bd, int comp, bool usehp);
  [[gnu::always_inline]] inline Mv read_mv(BoolDecoder& bd, const Mv& ref);
  [[gnu::always_inline]] inline void read_inter_block_mode_info(BoolDecoder& bd);

  // ---- Reference frame contexts (reference_contexts.cpp) -----------------
  int comp_mode_ctx() const;
  int comp_ref_ctx() const;
  int single_ref_p1_ctx() const;
  int single_ref_p2_ctx() const;

  // ---- Motion vector prediction (mv_prediction.cpp) ----------------------
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
  inline void clamp_mv_ref(Mv& m) const;
  inline Mv scaled(const Mv& m, int cand_ref, int ref) const;
  // find_mv_refs: up to 2 candidate MVs for `ref` (spec 6.4.22 / libvpx's
  // decoder variant with early termination). Returns the candidate count
  // the caller indexes with (list[count - 1] is "best").
  int find_mv_refs(int mode, int ref, Mv list[2], int block) const;
  // NEARESTMV / NEARMV of sub-block `block` (libvpx append_sub8x8_mvs):
  // earlier sub-blocks' MVs first, then the block's candidate list.
  Mv sub8x8_best(int b_mode, int block, int r) const;

  // ---- Coefficient tokens (coef_tokens.cpp) ------------------------------
  // Decodes one transform block's tokens (spec 6.4.24 / libvpx
  // decode_coefs), returns eob. `probs`/`cnt` are the block's
  // coef_probs_/coef_counts_ slices, `ctx` the above/left context. Blocks
  // with tokens get their dequantised n*n raster appended to work_.coeffs
  // at *coeff_offset; a block whose first token is EOB (the common case)
  // costs no coefficient storage.
  template <int kTx>
  [[gnu::noinline]] int decode_coefs(const uint8_t* probs, uint32_t* cnt, const CoefScan* scan, const int16_t* dq,
                                     int ctx, uint32_t* coeff_offset);
  // Makes work_.coeffs hold at least n zeros past coeff_end_.
  [[gnu::noinline]] void grow_coeffs(size_t n);
  // The rest of a token known to be TWO or more (Pareto model tail and
  // extra bits); sets its token_cache entry, returns its magnitude.
  [[gnu::always_inline]] static inline int read_two_plus(BoolDecoder& bd, int p2, uint8_t& cache);
  [[gnu::always_inline]] static inline int read_extra(BoolDecoder& bd, const uint8_t* probs, int n);

  // ---- Work output (block_output.cpp) ------------------------------------
  // Whether any of the n (1, 2, 4 or 8) nonzero-context bytes at p is set.
  static inline bool any_nonzero(const uint8_t* p, int n);
  // Sets n nonzero-context bytes at p to nz (0/1); those at or past `limit`
  // (outside the picture) to 0.
  static inline void set_nonzero(uint8_t* p, int n, int limit, uint8_t nz);
  // The current block's dd_block and dd_tx_block records, decoding each
  // transform block's tokens on the way.
  void emit_block_and_residual();
  // What the loop over one plane's transform blocks of the current block
  // needs (emit_block_and_residual fills it per plane).
  struct PlaneTxBlocks {
    uint8_t* above;  // nonzero contexts at the block's first 4x4 column / row
    uint8_t* left;
    const uint8_t* probs;  // coef_probs_ / coef_counts_ slices of the plane
    uint32_t* cnt;
    const int16_t* dq;
    const CoefScan* scan;
    int x4, y4;        // block origin in 4x4 units
    int max_w, max_h;  // 4x4 units inside the picture
    int n4w;           // block width in 4x4 units
    int have_left, have_above;
    bool decode;       // the block has tokens (not skipped)
    bool list_all;     // list every tx block, with coefficients or not (intra)
    bool mode_per_tx;  // intra sub-8x8 luma: mode (and scan) per 4x4
  };
  // One plane's dd_tx_block records (`tb` has the plane's fields set) and
  // their tokens, all of transform size kTx; returns the eobs' sum.
  template <int kTx>
  int emit_plane_tx_blocks(const PlaneTxBlocks& p, dd_tx_block tb);
  // A skipped block clears its nonzero contexts (sizes per block size
  // from nz_ctx_size_; a block never crosses its superblock, so the left
  // ones stay within left_nz_).
  inline void reset_skip_context();

  const TileDecodeContext& c_;
  const FrameHeader& h_;
  const uint32_t mis_ = h_.mi_rows * h_.mi_cols;
  const FrameContext& fc_;
  FrameCounts& counts_;
  dispatch::FrameWork& work_;
  // End of the coefficients the tile's blocks have taken. Within a tile,
  // work_.coeffs runs past it with zeros (grow_coeffs) so that a block's
  // n*n raster needs no zeroing of its own; decode_tile() cuts the slack.
  size_t coeff_end_ = 0;
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

// One tile's data and its extent in 8x8 units.
struct TileSpan {
  const uint8_t* data = nullptr;
  size_t size = 0;
  int r0 = 0, r1 = 0, c0 = 0, c1 = 0;
  bool empty() const { return r1 <= r0 || c1 <= c0; }
};

// The frame's tiles with tile columns on the pool's threads
// (tile_threads.cpp); the outputs are the same as decode_tiles() on one
// thread, to the byte.
void decode_tile_columns(const std::vector<TileSpan>& tiles, int tile_cols, dispatch::ForkJoin& threads,
                         const TileDecodeContext& ctx);

}  // namespace daedalus::vp9::tile
