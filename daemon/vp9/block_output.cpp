// SPDX-License-Identifier: MIT
// Work output: each decoded block becomes a dd_block record and its
// transform blocks dd_tx_block records (with their coefficient tokens
// decoded, coef_tokens.cpp), in the order docs/dispatch.md describes.
#include "tile_decoder_internal.h"

namespace daedalus::vp9::tile {

// Whether any of the n (1, 2, 4 or 8) nonzero-context bytes at p is set.
inline bool TileDecoder::any_nonzero(const uint8_t* p, int n) {
  switch (n) {
    case 1: return p[0] != 0;
    case 2: { uint16_t v; std::memcpy(&v, p, 2); return v != 0; }
    case 4: { uint32_t v; std::memcpy(&v, p, 4); return v != 0; }
    default: { uint64_t v; std::memcpy(&v, p, 8); return v != 0; }
  }
}

// Sets n nonzero-context bytes at p to nz (0/1); those at or past `limit`
// (outside the picture) to 0.
inline void TileDecoder::set_nonzero(uint8_t* p, int n, int limit, uint8_t nz) {
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

void TileDecoder::emit_block_and_residual() {
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
  const BlockSize bs8 = std::max<BlockSize>(bsize_, kBlock8x8);  // sub-8x8 blocks count as 8x8
  PlaneTxBlocks p{};
  p.have_left = left_ ? int{DD_TX_HAVE_LEFT} : 0;
  p.have_above = row_ > 0 ? int{DD_TX_HAVE_ABOVE} : 0;
  p.decode = !skip;
  p.list_all = !inter;
  // The plane's geometry and token tables: set for luma and for the first
  // chroma plane; the second chroma plane has the first one's.
  int tx_size = 0, left_y4 = 0;
  dd_tx_block tb{};
  for (int plane = 0; plane < 3; ++plane) {
    if (plane < 2) {
      const int ss_x = plane ? h_.ss_x : 0, ss_y = plane ? h_.ss_y : 0;
      // Block size in 4x4 units in this plane.
      const int bwl = std::max(kBWidthLog2[bs8] - ss_x, 0);
      const int bhl = std::max(kBHeightLog2[bs8] - ss_y, 0);
      p.n4w = 1 << bwl;
      tx_size = mi_->tx_size;
      if (plane) tx_size = bsize_ < kBlock8x8 ? 0 : std::min({tx_size, bwl, bhl, 3});
      p.max_w = p.n4w;
      p.max_h = 1 << bhl;
      if (to_right_ < 0) p.max_w += to_right_ >> (5 + ss_x);
      if (to_bottom_ < 0) p.max_h += to_bottom_ >> (5 + ss_y);
      p.x4 = (col_ * 2) >> ss_x;  // block origin in 4x4 units
      p.y4 = (row_ * 2) >> ss_y;
      left_y4 = ((row_ & 7) * 2) >> ss_y;
      // Per plane unless an intra sub-8x8 luma block (one mode per 4x4).
      p.mode_per_tx = !inter && plane == 0 && bsize_ < kBlock8x8;
      const bool adst = !inter && plane == 0 && tx_size < 3 && !h_.lossless;
      const int mode = plane ? mi_->uv_mode : mi_->mode[3];
      tb.tx_size = static_cast<uint8_t>(tx_size);
      tb.mode = static_cast<uint8_t>(inter ? DD_MODE_INTER : mode);
      tb.tx_type = static_cast<uint8_t>(h_.lossless ? int{DD_TX_WHT_WHT} : adst ? int{kModeToTxType[mode]} : int{DD_TX_DCT_DCT});
      // Scan order follows the transform type (lossless uses the default scan).
      p.scan = scans_->by[tx_size][h_.lossless ? 0 : tb.tx_type];
      p.probs = coef_probs_[tx_size][plane > 0][inter][0];
      p.cnt = coef_counts_[tx_size][plane > 0][inter][0];
      p.dq = dq_[mi_->segment_id][plane > 0];
    }
    p.above = &above_nz_[plane][p.x4];
    p.left = &left_nz_[plane][left_y4];
    tb.plane = static_cast<uint8_t>(plane);
    switch (tx_size) {
      case 0: eob_total += emit_plane_tx_blocks<0>(p, tb); break;
      case 1: eob_total += emit_plane_tx_blocks<1>(p, tb); break;
      case 2: eob_total += emit_plane_tx_blocks<2>(p, tb); break;
      default: eob_total += emit_plane_tx_blocks<3>(p, tb); break;
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

template <int kTx>
int TileDecoder::emit_plane_tx_blocks(const PlaneTxBlocks& p, dd_tx_block tb) {
  constexpr int kStep = 1 << kTx;
  const CoefScan* scan = p.scan;
  int eob_total = 0;
  for (int r = 0; r < p.max_h; r += kStep) {
    tb.y = static_cast<uint16_t>((p.y4 + r) * 4);
    for (int c = 0; c < p.max_w; c += kStep) {
      if (p.mode_per_tx) [[unlikely]] {
        const int mode = mi_->mode[(r << 1) + c];
        tb.mode = static_cast<uint8_t>(mode);
        tb.tx_type = static_cast<uint8_t>(h_.lossless ? int{DD_TX_WHT_WHT} : int{kModeToTxType[mode]});
        scan = scans_->by[kTx][h_.lossless ? 0 : tb.tx_type];
      }
      tb.x = static_cast<uint16_t>((p.x4 + c) * 4);
      tb.flags = static_cast<uint8_t>((c > 0 ? int{DD_TX_HAVE_LEFT} : p.have_left) |
                                      (r > 0 ? int{DD_TX_HAVE_ABOVE} : p.have_above) |
                                      (c + kStep < p.n4w ? int{DD_TX_HAVE_ABOVE_RIGHT} : 0));
      int eob = 0;
      tb.coeff_offset = 0;
      if (p.decode) {
        const int ctx = any_nonzero(p.above + c, kStep) + any_nonzero(p.left + r, kStep);
        eob = decode_coefs<kTx>(p.probs, p.cnt, scan, p.dq, ctx, &tb.coeff_offset);
        const uint8_t nz = eob > 0;
        set_nonzero(p.above + c, kStep, p.max_w - c, nz);
        set_nonzero(p.left + r, kStep, p.max_h - r, nz);
      }
      tb.eob = static_cast<uint16_t>(eob);
      // Only a block with coefficients has an offset (0 otherwise): the
      // same value however the tiles were split among threads.
      if (eob == 0) tb.coeff_offset = 0;
      eob_total += eob;
      if (p.list_all || eob > 0) work_.tx_blocks.push_back(tb);
    }
  }
  return eob_total;
}

// A skipped block clears its nonzero contexts (sizes per block size
// from nz_ctx_size_; a block never crosses its superblock, so the left
// ones stay within left_nz_).
inline void TileDecoder::reset_skip_context() {
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

}  // namespace daedalus::vp9::tile
