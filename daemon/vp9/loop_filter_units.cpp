// SPDX-License-Identifier: MIT
// Loop filter edge decisions. VP9 (and libvpx, which defines the exact
// behaviour) builds per-64x64 bit masks of which 8x8 edges get which filter
// size; we build the same masks and expand them into one dd_lf_unit per 4x4
// so that the executor (dispatch loop_filter stage) needs no VP9 knowledge.
#include <algorithm>
#include <cstring>

#include "tables.h"
#include "tile_decoder.h"

namespace daedalus::vp9 {
namespace {

// Masks of one superblock: luma bits are row * 8 + col over 8x8 blocks,
// chroma (4:2:0) bits are row * 4 + col over 8x8 chroma blocks.
struct SbMasks {
  uint64_t left_y[4] = {}, above_y[4] = {}, int_4x4_y = 0;
  uint16_t left_uv[4] = {}, above_uv[4] = {}, int_4x4_uv = 0;
  uint8_t lfl_y[64] = {};
};

constexpr uint64_t kLeftTxMask[4] = {~0ull, ~0ull, 0x5555555555555555ull, 0x1111111111111111ull};
constexpr uint64_t kAboveTxMask[4] = {~0ull, ~0ull, 0x00ff00ff00ff00ffull, 0x000000ff000000ffull};
constexpr uint16_t kLeftTxMaskUv[4] = {0xffff, 0xffff, 0x5555, 0x1111};
constexpr uint16_t kAboveTxMaskUv[4] = {0xffff, 0xffff, 0x0f0f, 0x000f};

uint64_t left_pred_mask(int b) {
  uint64_t m = 0;
  for (int r = 0; r < kNum8x8H[b]; ++r) m |= 1ull << (r * 8);
  return m;
}
uint64_t above_pred_mask(int b) { return (1ull << kNum8x8W[b]) - 1; }
uint64_t size_mask(int b) {
  uint64_t m = 0;
  for (int r = 0; r < kNum8x8H[b]; ++r) m |= above_pred_mask(b) << (r * 8);
  return m;
}
int uv_w(int b) { return std::max(kNum8x8W[b] / 2, 1); }
int uv_h(int b) { return std::max(kNum8x8H[b] / 2, 1); }
uint16_t left_pred_mask_uv(int b) {
  uint16_t m = 0;
  for (int r = 0; r < uv_h(b); ++r) m |= static_cast<uint16_t>(1u << (r * 4));
  return m;
}
uint16_t above_pred_mask_uv(int b) { return static_cast<uint16_t>((1u << uv_w(b)) - 1); }
uint16_t size_mask_uv(int b) {
  uint16_t m = 0;
  for (int r = 0; r < uv_h(b); ++r) m |= static_cast<uint16_t>(above_pred_mask_uv(b) << (r * 4));
  return m;
}

int uv_tx_size(const ModeInfo& mi) {
  if (mi.sb_type < kBlock8x8) return 0;
  return std::min<int>(mi.tx_size, std::min(kBWidthLog2[mi.sb_type], kBHeightLog2[mi.sb_type]) - 1);
}

void build_masks(const ModeInfo& mi, int shift_y, int shift_uv, bool with_uv, SbMasks& m) {
  const int b = mi.sb_type;
  const int tx_y = mi.tx_size;
  const int tx_uv = uv_tx_size(mi);
  const int level = mi.filter_level;
  if (!level) return;
  for (int r = 0; r < kNum8x8H[b]; ++r)
    for (int c = 0; c < kNum8x8W[b]; ++c) {
      const int idx = shift_y + r * 8 + c;
      if (idx < 64) m.lfl_y[idx] = static_cast<uint8_t>(level);
    }
  m.above_y[tx_y] |= above_pred_mask(b) << shift_y;
  m.left_y[tx_y] |= left_pred_mask(b) << shift_y;
  if (with_uv) {
    m.above_uv[tx_uv] |= static_cast<uint16_t>(above_pred_mask_uv(b) << shift_uv);
    m.left_uv[tx_uv] |= static_cast<uint16_t>(left_pred_mask_uv(b) << shift_uv);
  }
  // Skipped inter blocks have no residual, hence no internal tx edges.
  if (mi.skip && mi.is_inter()) return;
  m.above_y[tx_y] |= (size_mask(b) & kAboveTxMask[tx_y]) << shift_y;
  m.left_y[tx_y] |= (size_mask(b) & kLeftTxMask[tx_y]) << shift_y;
  if (tx_y == 0) m.int_4x4_y |= size_mask(b) << shift_y;
  if (with_uv) {
    m.above_uv[tx_uv] |= static_cast<uint16_t>((size_mask_uv(b) & kAboveTxMaskUv[tx_uv]) << shift_uv);
    m.left_uv[tx_uv] |= static_cast<uint16_t>((size_mask_uv(b) & kLeftTxMaskUv[tx_uv]) << shift_uv);
    if (tx_uv == 0) m.int_4x4_uv |= static_cast<uint16_t>(size_mask_uv(b) << shift_uv);
  }
}

class MaskBuilder {
 public:
  MaskBuilder(const FrameHeader& h, const std::vector<ModeInfo>& blocks, const std::vector<int32_t>& grid)
      : h_(h), blocks_(blocks), grid_(grid) {}

  const ModeInfo& at(int row, int col) const { return blocks_[grid_[static_cast<size_t>(row) * h_.mi_cols + col]]; }

  // Walks the superblock like the partition tree: a block of 16x16 or more
  // contributes luma and chroma masks; inside a 16x16 only the first block
  // contributes chroma (4:2:0 chroma of 8x8 blocks is shared).
  SbMasks build(int mi_row, int mi_col) const {
    SbMasks m;
    const int max_rows = std::min(8, static_cast<int>(h_.mi_rows) - mi_row);
    const int max_cols = std::min(8, static_cast<int>(h_.mi_cols) - mi_col);
    const ModeInfo& top = at(mi_row, mi_col);
    switch (top.sb_type) {
      case kBlock64x64: build_masks(top, 0, 0, true, m); break;
      case kBlock64x32:
        build_masks(top, 0, 0, true, m);
        if (4 < max_rows) build_masks(at(mi_row + 4, mi_col), 32, 8, true, m);
        break;
      case kBlock32x64:
        build_masks(top, 0, 0, true, m);
        if (4 < max_cols) build_masks(at(mi_row, mi_col + 4), 4, 2, true, m);
        break;
      default:
        for (int i32 = 0; i32 < 4; ++i32) {
          const int r32 = (i32 >> 1) * 4, c32 = (i32 & 1) * 4;
          if (c32 >= max_cols || r32 >= max_rows) continue;
          const int sy32 = r32 * 8 + c32, suv32 = (r32 / 2) * 4 + c32 / 2;
          const ModeInfo& b32 = at(mi_row + r32, mi_col + c32);
          switch (b32.sb_type) {
            case kBlock32x32: build_masks(b32, sy32, suv32, true, m); break;
            case kBlock32x16:
              build_masks(b32, sy32, suv32, true, m);
              if (r32 + 2 < max_rows) build_masks(at(mi_row + r32 + 2, mi_col + c32), sy32 + 16, suv32 + 4, true, m);
              break;
            case kBlock16x32:
              build_masks(b32, sy32, suv32, true, m);
              if (c32 + 2 < max_cols) build_masks(at(mi_row + r32, mi_col + c32 + 2), sy32 + 2, suv32 + 1, true, m);
              break;
            default:
              for (int i16 = 0; i16 < 4; ++i16) {
                const int r16 = r32 + (i16 >> 1) * 2, c16 = c32 + (i16 & 1) * 2;
                if (c16 >= max_cols || r16 >= max_rows) continue;
                const int sy16 = r16 * 8 + c16, suv16 = (r16 / 2) * 4 + c16 / 2;
                const ModeInfo& b16 = at(mi_row + r16, mi_col + c16);
                switch (b16.sb_type) {
                  case kBlock16x16: build_masks(b16, sy16, suv16, true, m); break;
                  case kBlock16x8:
                    build_masks(b16, sy16, suv16, true, m);
                    if (r16 + 1 < max_rows) build_masks(at(mi_row + r16 + 1, mi_col + c16), sy16 + 8, 0, false, m);
                    break;
                  case kBlock8x16:
                    build_masks(b16, sy16, suv16, true, m);
                    if (c16 + 1 < max_cols) build_masks(at(mi_row + r16, mi_col + c16 + 1), sy16 + 1, 0, false, m);
                    break;
                  default:
                    build_masks(b16, sy16, suv16, true, m);
                    for (int i8 = 1; i8 < 4; ++i8) {
                      const int r8 = r16 + (i8 >> 1), c8 = c16 + (i8 & 1);
                      if (c8 >= max_cols || r8 >= max_rows) continue;
                      build_masks(at(mi_row + r8, mi_col + c8), r8 * 8 + c8, 0, false, m);
                    }
                    break;
                }
              }
              break;
          }
        }
        break;
    }
    adjust(m, mi_row, mi_col);
    return m;
  }

 private:
  void adjust(SbMasks& m, int mi_row, int mi_col) const {
    // 32x32 transforms use the 16-wide filter too.
    m.left_y[2] |= m.left_y[3];
    m.above_y[2] |= m.above_y[3];
    m.left_uv[2] |= m.left_uv[3];
    m.above_uv[2] |= m.above_uv[3];
    // 4x4 edges on 32x32 boundaries get at least the 8-tap filter.
    constexpr uint64_t kLeftBorder = 0x1111111111111111ull, kAboveBorder = 0x000000ff000000ffull;
    constexpr uint16_t kLeftBorderUv = 0x1111, kAboveBorderUv = 0x000f;
    m.left_y[1] |= m.left_y[0] & kLeftBorder;
    m.left_y[0] &= ~kLeftBorder;
    m.above_y[1] |= m.above_y[0] & kAboveBorder;
    m.above_y[0] &= ~kAboveBorder;
    m.left_uv[1] |= m.left_uv[0] & kLeftBorderUv;
    m.left_uv[0] &= static_cast<uint16_t>(~kLeftBorderUv);
    m.above_uv[1] |= m.above_uv[0] & kAboveBorderUv;
    m.above_uv[0] &= static_cast<uint16_t>(~kAboveBorderUv);

    if (mi_row + 8 > static_cast<int>(h_.mi_rows)) {
      const uint64_t rows = h_.mi_rows - mi_row;
      const uint64_t mask_y = (1ull << (rows << 3)) - 1;
      const uint16_t mask_uv = static_cast<uint16_t>((1u << (((rows + 1) >> 1) << 2)) - 1);
      for (int i = 0; i < 3; ++i) {
        m.left_y[i] &= mask_y;
        m.above_y[i] &= mask_y;
        m.left_uv[i] &= mask_uv;
        m.above_uv[i] &= mask_uv;
      }
      m.int_4x4_y &= mask_y;
      m.int_4x4_uv &= mask_uv;
      if (rows == 1) {
        m.above_uv[1] |= m.above_uv[2];
        m.above_uv[2] = 0;
      }
      if (rows == 5) {
        m.above_uv[1] |= m.above_uv[2] & 0xff00;
        m.above_uv[2] &= static_cast<uint16_t>(~(m.above_uv[2] & 0xff00));
      }
    }
    if (mi_col + 8 > static_cast<int>(h_.mi_cols)) {
      const uint64_t cols = h_.mi_cols - mi_col;
      const uint64_t mask_y = ((1ull << cols) - 1) * 0x0101010101010101ull;
      const uint16_t mask_uv = static_cast<uint16_t>(((1u << ((cols + 1) >> 1)) - 1) * 0x1111);
      const uint16_t mask_uv_int = static_cast<uint16_t>(((1u << (cols >> 1)) - 1) * 0x1111);
      for (int i = 0; i < 3; ++i) {
        m.left_y[i] &= mask_y;
        m.above_y[i] &= mask_y;
        m.left_uv[i] &= mask_uv;
        m.above_uv[i] &= mask_uv;
      }
      m.int_4x4_y &= mask_y;
      m.int_4x4_uv &= mask_uv_int;
      if (cols == 1) {
        m.left_uv[1] |= m.left_uv[2];
        m.left_uv[2] = 0;
      }
      if (cols == 5) {
        m.left_uv[1] |= m.left_uv[2] & 0xcccc;
        m.left_uv[2] &= static_cast<uint16_t>(~(m.left_uv[2] & 0xcccc));
      }
    }
    if (mi_col == 0) {
      for (int i = 0; i < 3; ++i) {
        m.left_y[i] &= 0xfefefefefefefefeull;
        m.left_uv[i] &= 0xeeee;
      }
    }
  }

  const FrameHeader& h_;
  const std::vector<ModeInfo>& blocks_;
  const std::vector<int32_t>& grid_;
};

uint8_t size_of(uint64_t m16, uint64_t m8, uint64_t m4, int bit) {
  if ((m16 >> bit) & 1) return 16;
  if ((m8 >> bit) & 1) return 8;
  if ((m4 >> bit) & 1) return 4;
  return 0;
}

}  // namespace

void build_loop_filter_units(const FrameHeader& h, const std::vector<ModeInfo>& blocks,
                             const std::vector<int32_t>& grid, dispatch::FrameWork& work) {
  const int cols[3] = {static_cast<int>(h.mi_cols) * 2, static_cast<int>(h.mi_cols * 2) >> h.ss_x,
                       static_cast<int>(h.mi_cols * 2) >> h.ss_x};
  const int rows[3] = {static_cast<int>(h.mi_rows) * 2, static_cast<int>(h.mi_rows * 2) >> h.ss_y,
                       static_cast<int>(h.mi_rows * 2) >> h.ss_y};
  for (int p = 0; p < 3; ++p) {
    work.params.lf_cols[p] = static_cast<uint32_t>(cols[p]);
    work.params.lf_rows[p] = static_cast<uint32_t>(rows[p]);
    work.lf[p].assign(static_cast<size_t>(cols[p]) * rows[p], dd_lf_unit{});
  }
  if (h.lf.level == 0) return;  // VP9 skips the loop filter entirely
  MaskBuilder mb(h, blocks, grid);
  for (int sr = 0; sr < static_cast<int>(h.mi_rows); sr += 8)
    for (int sc = 0; sc < static_cast<int>(h.mi_cols); sc += 8) {
      const SbMasks m = mb.build(sr, sc);
      // Luma: 8x8 block (r, c) -> units (2r..2r+1, 2c..2c+1).
      dd_lf_unit* y = work.lf[0].data();
      for (int r = 0; r < 8 && sr + r < static_cast<int>(h.mi_rows); ++r)
        for (int c = 0; c < 8 && sc + c < static_cast<int>(h.mi_cols); ++c) {
          const int bit = r * 8 + c;
          const uint8_t lvl = m.lfl_y[bit];
          const uint8_t left = size_of(m.left_y[2], m.left_y[1], m.left_y[0], bit);
          const uint8_t top = (sr + r == 0) ? 0 : size_of(m.above_y[2], m.above_y[1], m.above_y[0], bit);
          const uint8_t inner = ((m.int_4x4_y >> bit) & 1) ? 4 : 0;
          const int uy = (sr + r) * 2, ux = (sc + c) * 2;
          for (int dy = 0; dy < 2; ++dy)
            for (int dx = 0; dx < 2; ++dx) {
              dd_lf_unit& u = y[static_cast<size_t>(uy + dy) * cols[0] + ux + dx];
              u.level = lvl;
              u.left_size = dx == 0 ? left : inner;
              u.top_size = dy == 0 ? top : inner;
            }
        }
      // Chroma (4:2:0): 8x8 chroma block (r, c) -> units (2r..2r+1, 2c..2c+1);
      // level of the luma 8x8 at (2r, 2c).
      for (int p = 1; p < 3; ++p) {
        dd_lf_unit* uv = work.lf[p].data();
        for (int r = 0; r < 4 && sr + 2 * r < static_cast<int>(h.mi_rows); ++r)
          for (int c = 0; c < 4 && sc + 2 * c < static_cast<int>(h.mi_cols); ++c) {
            const int bit = r * 4 + c;
            const uint8_t lvl = m.lfl_y[(r * 2) * 8 + c * 2];
            const uint8_t left = size_of(m.left_uv[2], m.left_uv[1], m.left_uv[0], bit);
            const uint8_t top = (sr + 2 * r == 0) ? 0 : size_of(m.above_uv[2], m.above_uv[1], m.above_uv[0], bit);
            const bool inner = (m.int_4x4_uv >> bit) & 1;
            // The internal horizontal 4x4 edge is skipped on the last chroma
            // row of an odd-height frame (it would lie on the border).
            const bool inner_h = inner && (sr + 2 * r != static_cast<int>(h.mi_rows) - 1);
            const int uy = (sr / 2 + r) * 2, ux = (sc / 2 + c) * 2;
            for (int dy = 0; dy < 2; ++dy)
              for (int dx = 0; dx < 2; ++dx) {
                if (uy + dy >= rows[p] || ux + dx >= cols[p]) continue;
                dd_lf_unit& u = uv[static_cast<size_t>(uy + dy) * cols[p] + ux + dx];
                u.level = lvl;
                u.left_size = dx == 0 ? left : (inner ? 4 : 0);
                u.top_size = dy == 0 ? top : (inner_h ? 4 : 0);
              }
          }
      }
    }
}

}  // namespace daedalus::vp9
