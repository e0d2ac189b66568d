// SPDX-License-Identifier: MIT
// Loop filter edge decisions. libvpx (which defines the exact behaviour)
// builds per-64x64 bit masks of which 8x8 edges get which filter size and
// then adjusts them at superblock and picture borders. Every one of those
// rules depends only on the block covering an 8x8 and on the 8x8's position,
// so we decide each 8x8 directly from its block (a per-block record built
// once per frame) and write its 2x2 dd_lf_units (one per 4x4) as two 64-bit
// words, row by row along runs of one block; the executor (dispatch
// loop_filter stage) needs no VP9 knowledge. tests/unit/vp9/loop_filter_units_test.cpp
// keeps the mask formulation as the reference.
//
// The rules, for an 8x8 (luma) or 8x8-chroma cell covered by block B:
// - B's own left/top border is an edge; so is every transform border inside
//   B unless B is a skipped inter block (no residual). Edge size: 16 for
//   16x16 and 32x32 transforms, 8 for 8x8, 4 for 4x4 except on 32x32
//   luma (64x64 chroma) boundaries, where it is 8.
// - The inner 4x4 edges of the cell are filtered (size 4) when B uses 4x4
//   transforms and has residual.
// - The picture's left and top borders are never filtered.
// - 4:2:0 chroma: a cell takes everything (level included) from the block
//   at its top-left luma 8x8. On an odd number of mi columns (rows) the last
//   chroma column (row) is only 4 pixels wide (high): its 16-wide edges use
//   the 8-wide filter, and the last column has no inner edges.
#include <algorithm>
#include <array>
#include <bit>
#include <cstddef>
#include <cstring>
#include <memory>

#include "tables.h"
#include "tile_decoder.h"

namespace daedalus::vp9 {
namespace {

static_assert(std::endian::native == std::endian::little, "units are assembled as little-endian words");
static_assert(sizeof(dd_lf_unit) == 4 && offsetof(dd_lf_unit, level) == 0 && offsetof(dd_lf_unit, left_size) == 1 &&
              offsetof(dd_lf_unit, top_size) == 2);

// Filter size on the edges of a transform size (4x4 .. 32x32).
constexpr uint8_t kTxEdgeSize[4] = {4, 8, 16, 16};
// Transform width in 8x8 cells.
constexpr int kTx8x8s[4] = {1, 1, 2, 4};

// Filter size of the left (top) edge of a cell at each position % 8 within
// its superblock (one byte per position) when edges repeat every `period`
// cells; the same table serves columns and rows, luma and chroma.
constexpr uint64_t edge_sizes(int period, int tx) {
  uint64_t v = 0;
  for (int p = 0; p < 8; p += period) {
    const uint64_t size = (tx == 0 && p % 4 == 0) ? 8 : kTxEdgeSize[tx];
    v |= size << (8 * p);
  }
  return v;
}

// Everything the cells of a block need, by (block size, tx size, skipped
// inter block): independent of the block's level and position. Left edge
// sizes come as unit-pair words (size << 8: the left unit's left_size) per
// position % 8, so that two cells' worth is one 16-byte load.
struct BlockEdges {
  alignas(16) uint64_t left_words[8] = {};
  alignas(16) uint64_t uv_left_words[8] = {};
  uint64_t top = 0, uv_top = 0;     // edge_sizes() for rows
  uint8_t inner = 0, uv_inner = 0;  // size of the inner 4x4 edges: 4 or 0
  uint8_t w8 = 1, uv_w8 = 1;        // width in (chroma) 8x8 cells
};

constexpr void set_left_words(uint64_t (&words)[8], uint64_t sizes) {
  for (int p = 0; p < 8; ++p) words[p] = ((sizes >> (8 * p)) & 0xff) << 8;
}

constexpr int uv_tx_size(int b, int tx) {
  if (b < kBlock8x8) return 0;
  return std::min<int>(tx, std::min(kBWidthLog2[b], kBHeightLog2[b]) - 1);
}

constexpr int edges_index(int b, int tx, bool skip_inter) { return b * 8 + tx * 2 + skip_inter; }

constexpr std::array<BlockEdges, kBlockSizes * 8> make_block_edges() {
  std::array<BlockEdges, kBlockSizes * 8> t{};
  for (int b = 0; b < kBlockSizes; ++b)
    for (int tx = 0; tx < 4; ++tx)
      for (int skip_inter = 0; skip_inter < 2; ++skip_inter) {
        BlockEdges& e = t[edges_index(b, tx, skip_inter)];
        // Sizes that the tile decoder never produces get a harmless entry.
        const int ty = std::min<int>(tx, kMaxTxSize[b]), tuv = uv_tx_size(b, ty);
        const int w = kNum8x8W[b], h = kNum8x8H[b];
        const int uv_w = std::max(w / 2, 1), uv_h = std::max(h / 2, 1);
        // Skipped inter blocks have no residual, hence no inner tx edges.
        set_left_words(e.left_words, edge_sizes(skip_inter ? w : kTx8x8s[ty], ty));
        e.top = edge_sizes(skip_inter ? h : kTx8x8s[ty], ty);
        set_left_words(e.uv_left_words, edge_sizes(skip_inter ? uv_w : kTx8x8s[tuv], tuv));
        e.uv_top = edge_sizes(skip_inter ? uv_h : kTx8x8s[tuv], tuv);
        e.inner = (ty == 0 && !skip_inter) ? 4 : 0;
        e.uv_inner = (tuv == 0 && !skip_inter) ? 4 : 0;
        e.w8 = static_cast<uint8_t>(w);
        e.uv_w8 = static_cast<uint8_t>(uv_w);
      }
  return t;
}

constexpr std::array<BlockEdges, kBlockSizes * 8> kBlockEdges = make_block_edges();
alignas(16) constexpr uint64_t kNoLeftEdges[8] = {};

const BlockEdges& edges_of(const ModeInfo& mi) {
  return kBlockEdges[edges_index(mi.sb_type, mi.tx_size & 3, mi.skip && mi.is_inter())];
}

uint64_t unit(uint64_t level, uint64_t left, uint64_t top) { return level | left << 8 | top << 16; }
uint64_t byte_at(uint64_t sizes, int pos) { return (sizes >> ((pos & 7) * 8)) & 0xff; }

// A block as the cells of one plane see it, its level applied (a block of
// level 0 is all zeros: no edges, level 0). Built once per block; a block
// is met once per cell row it covers.
struct PlaneBlock {
  const uint64_t* left_words;  // BlockEdges::left_words (kNoLeftEdges: level 0)
  uint64_t tops;               // edge_sizes() for rows
  uint64_t bottom_pair;        // the two units of a cell's bottom unit row, left edge 0
  uint64_t w8;                 // width in cells
};
struct BlockLf {
  PlaneBlock y, uv;
};

// The two units of a cell's top unit row: level and inner edge as in the
// bottom row, `top` as their top edge.
constexpr uint64_t kLevelAndInnerLeft = 0x0000ffff000000ffull;
constexpr uint64_t kTopOfBoth = 0x0001000000010000ull;

PlaneBlock plane_block(uint64_t level, const uint64_t* left_words, uint64_t tops, uint64_t inner, uint64_t w8) {
  if (!level) return {kNoLeftEdges, 0, 0, w8};
  return {left_words, tops, unit(level, 0, inner) | unit(level, inner, inner) << 32, w8};
}

BlockLf block_lf(const ModeInfo& mi) {
  const BlockEdges& e = edges_of(mi);
  const uint64_t level = mi.filter_level;
  return {plane_block(level, e.left_words, e.top, e.inner, e.w8),
          plane_block(level, e.uv_left_words, e.uv_top, e.uv_inner, e.uv_w8)};
}

// Two 64-bit words in one vector register (GCC/Clang vector extension:
// SSE2 on x86-64, NEON on the Pi).
using Words2 = uint64_t __attribute__((vector_size(16)));

// One row of cells of a plane, run by run (a run: the cells of one block in
// this row). Each cell's two units of the top and of the bottom unit row
// are one 64-bit word each; the words go to a scratch row (uint64_t, so
// that the stores cannot alias anything else the loop reads).
struct RowPlan {
  const BlockLf* blocks;
  const int32_t* grid_row;  // grid indices along the row
  int grid_step;            // grid entries per cell (1 luma, 2 chroma)
  int row;                  // cell row (position in the superblock: row % 8)
  int cells;                // full cells in the row
  bool picture_top;         // the top edges are the picture border
  bool narrow_row;          // last chroma row of an odd mi row count
};

template <bool kChroma>
[[gnu::noinline]] void write_row(const RowPlan& plan, uint64_t* top_row, uint64_t* bottom_row) {
  const BlockLf* const blocks = plan.blocks;
  const int32_t* const grid_row = plan.grid_row;
  const int step = plan.grid_step, cells = plan.cells;
  const int top_shift = (plan.row & 7) * 8;
  const uint64_t top_mask = plan.picture_top ? 0 : 0xff;
  const bool narrow_row = kChroma && plan.narrow_row;
  int c = 0;
  while (c < cells) {
    const PlaneBlock& b = kChroma ? blocks[grid_row[c * step]].uv : blocks[grid_row[c * step]].y;
    const int end = c + std::min<int>(static_cast<int>(b.w8), cells - c);
    uint64_t top = (b.tops >> top_shift) & top_mask;
    if (narrow_row && top == 16) top = 8;
    const uint64_t bottom_pair = b.bottom_pair;
    // The two units of a cell's top row differ in the left edge only, as do
    // the two of its bottom row.
    const uint64_t top_pair = (bottom_pair & kLevelAndInnerLeft) | top * kTopOfBoth;
    // Two cells (16 bytes of each unit row) at a time: runs are even unless
    // cut by the picture's right border or 8 luma pixels wide.
    const uint64_t* left_words = b.left_words;
    const Words2 top2 = {top_pair, top_pair}, bottom2 = {bottom_pair, bottom_pair};
    for (; c + 2 <= end; c += 2) {
      Words2 left;
      std::memcpy(&left, left_words + (c & 7), sizeof(left));
      const Words2 t = top2 | left, b2 = bottom2 | left;
      std::memcpy(top_row + c, &t, sizeof(t));
      std::memcpy(bottom_row + c, &b2, sizeof(b2));
    }
    if (c < end) {
      const uint64_t left = left_words[c & 7];
      top_row[c] = top_pair | left;
      bottom_row[c] = bottom_pair | left;
      ++c;
    }
  }
}

}  // namespace

void build_loop_filter_units(const FrameHeader& h, const std::vector<ModeInfo>& blocks,
                             const std::vector<int32_t>& grid, dispatch::FrameWork& work) {
  const int mi_cols = static_cast<int>(h.mi_cols), mi_rows = static_cast<int>(h.mi_rows);
  const int cols[3] = {mi_cols * 2, (mi_cols * 2) >> h.ss_x, (mi_cols * 2) >> h.ss_x};
  const int rows[3] = {mi_rows * 2, (mi_rows * 2) >> h.ss_y, (mi_rows * 2) >> h.ss_y};
  for (int p = 0; p < 3; ++p) {
    work.params.lf_cols[p] = static_cast<uint32_t>(cols[p]);
    work.params.lf_rows[p] = static_cast<uint32_t>(rows[p]);
  }
  if (h.lf.level == 0) {  // VP9 skips the loop filter entirely
    for (int p = 0; p < 3; ++p) work.lf[p].assign(static_cast<size_t>(cols[p]) * rows[p], dd_lf_unit{});
    return;
  }
  // Each row of cells is built in a small buffer that stays in L1 and then
  // appended: growing the grids by resize() would first zero-fill them unit
  // by unit, which costs as much as deciding the edges.
  for (int p = 0; p < 3; ++p) {
    work.lf[p].clear();
    work.lf[p].reserve(static_cast<size_t>(cols[p]) * rows[p]);
  }
  const auto block_lfs = std::make_unique_for_overwrite<BlockLf[]>(blocks.size());
  for (size_t i = 0; i < blocks.size(); ++i) block_lfs[i] = block_lf(blocks[i]);
  // Two unit rows of words; a word holds two units (a cell's width).
  std::vector<uint64_t> two_rows(static_cast<size_t>(mi_cols) * 2 + 2);
  constexpr uint64_t kNoLeftEdge = ~uint64_t{0xff00};  // the picture's left border
  const auto append = [](std::vector<dd_lf_unit>& plane, const uint64_t* words, int units) {
    const auto* from = reinterpret_cast<const dd_lf_unit*>(words);
    plane.insert(plane.end(), from, from + units);
  };

  // Luma: cell (r, c) covers units (2r..2r+1, 2c..2c+1).
  for (int r = 0; r < mi_rows; ++r) {
    const RowPlan rp{block_lfs.get(), grid.data() + static_cast<size_t>(r) * mi_cols, 1, r, mi_cols, r == 0, false};
    write_row<false>(rp, two_rows.data(), two_rows.data() + mi_cols);
    two_rows[0] &= kNoLeftEdge;
    two_rows[mi_cols] &= kNoLeftEdge;
    append(work.lf[0], two_rows.data(), cols[0]);
    append(work.lf[0], two_rows.data() + mi_cols, cols[0]);
  }

  // Chroma (4:2:0, the only format of profile 0): cell (r, c) covers units
  // (2r..2r+1, 2c..2c+1) and takes its block from luma cell (2r, 2c). A
  // last column (row) of half cells exists on odd mi column (row) counts.
  const int full_cols = mi_cols / 2, uv_rows = (mi_rows + 1) / 2;
  for (int r = 0; r < uv_rows; ++r) {
    const bool half_row = 2 * r + 1 == mi_rows;
    const int32_t* grid_row = grid.data() + static_cast<size_t>(2 * r) * mi_cols;
    const RowPlan rp{block_lfs.get(), grid_row, 2, r, full_cols, r == 0, half_row};
    // cols[1] units: full_cols words plus a half word on odd mi_cols.
    uint64_t* top_row = two_rows.data();
    uint64_t* bottom_row = top_row + full_cols + 1;
    write_row<true>(rp, top_row, bottom_row);
    if (mi_cols & 1) {  // half cell: left units only, no inner edges
      const int c = full_cols;
      const PlaneBlock& b = block_lfs[grid_row[2 * c]].uv;
      uint64_t left = b.left_words[c & 7] >> 8;
      uint64_t top = r == 0 ? 0 : byte_at(b.tops, r);
      if (left == 16) left = 8;
      if (half_row && top == 16) top = 8;
      const uint64_t level_only = b.bottom_pair & 0xff;
      top_row[c] = level_only | left << 8 | top << 16;
      bottom_row[c] = level_only | left << 8;
    }
    top_row[0] &= kNoLeftEdge;
    bottom_row[0] &= kNoLeftEdge;
    // Both chroma planes filter the same edges.
    for (auto* plane : {&work.lf[1], &work.lf[2]}) {
      append(*plane, top_row, cols[1]);
      if (!half_row) append(*plane, bottom_row, cols[1]);
    }
  }
}

}  // namespace daedalus::vp9
