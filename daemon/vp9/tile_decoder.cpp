// SPDX-License-Identifier: MIT
// Tile decoding: follows the decoding process of the VP9 bitstream spec
// (sections 6.4 and 9.3), with libvpx's decoder as the behavioural reference
// for the details the spec leaves to its pseudo-code. This file: the tile
// decoder's set-up, whole tiles, the frame's tiles and decode_tiles() on
// one thread; the steps of a block are in the files tile_decoder_internal.h
// lists.
#include "tile_decoder.h"

#include <algorithm>
#include <cstring>

#include "tile_decoder_internal.h"

namespace daedalus::vp9 {
namespace tile {

TileDecoder::TileDecoder(const TileDecodeContext& c)
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

// Returns the bytes the tile left unread.
size_t TileDecoder::decode_tile(const uint8_t* data, size_t size, int row_start, int row_end, int col_start, int col_end) {
  bd_.init(data, size);
  coeff_end_ = work_.coeffs.size();
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
  work_.coeffs.resize(coeff_end_);
  return bd_.unread_bytes();
}

inline void TileDecoder::compute_filter_levels(int s) {
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

namespace {

int tile_offset(int idx, int mis, int log2) {
  const int sb_cols = (mis + 7) >> 3;
  const int offset = ((idx * sb_cols) >> log2) << 3;
  return std::min(offset, mis);
}

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

}  // namespace
}  // namespace tile

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
  const std::vector<tile::TileSpan> tiles = tile::split_tiles(data, size, h);
  const int tile_cols = 1 << h.log2_tile_cols;
  if (ctx.threads && ctx.threads->size() > 1 && tile_cols > 1) {
    tile::decode_tile_columns(tiles, tile_cols, *ctx.threads, ctx);
    return;
  }
  ctx.blocks->clear();
  ctx.blocks->reserve(mis);  // no reallocation: ModeInfo pointers stay valid
  tile::TileDecoder td(ctx);
  for (const tile::TileSpan& t : tiles) {
    if (t.empty()) continue;
    const size_t unread = td.decode_tile(t.data, t.size, t.r0, t.r1, t.c0, t.c1);
    if (ctx.tile_unread_bytes) ctx.tile_unread_bytes->push_back(unread);
  }
  td.flush_coef_counts();
}

}  // namespace daedalus::vp9
