// SPDX-License-Identifier: MIT
// Per-frame entropy decoding of VP9 tiles (spec section 6.4): partition
// trees, mode info, motion vector prediction and coefficient tokens. The
// output is the frame's dispatch::FrameWork (blocks, tx blocks, dequantised
// coefficients) plus the mode info grid the loop filter masks and the next
// frame's MV prediction are derived from.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "daedalus/dispatch/dispatch.h"
#include "daedalus/dispatch/fork_join.h"
#include "frame_header.h"
#include "probs.h"

namespace daedalus::vp9 {

struct Mv {
  int16_t row = 0, col = 0;
  bool operator==(const Mv& o) const { return row == o.row && col == o.col; }
  bool operator!=(const Mv& o) const { return !(*this == o); }
};

// One decoded block ("MODE_INFO"); the mi grid points at it from every 8x8
// it covers.
struct ModeInfo {
  uint8_t sb_type = 0;
  uint8_t skip = 0;
  uint8_t tx_size = 0;
  uint8_t segment_id = 0;
  uint8_t seg_id_predicted = 0;
  uint8_t interp_filter = 3;  // 3 for intra blocks (context rule)
  uint8_t uv_mode = 0;
  uint8_t filter_level = 0;
  uint8_t mode[4] = {};       // y mode per 4x4 (sub8x8) / inter mode; [3] is the block's mode
  int8_t ref[2] = {0, -1};    // RefFrame; ref[0] == 0 means intra
  Mv mv[4][2];                // per 4x4 sub-block and reference; [3] is the block's MV
  bool is_inter() const { return ref[0] > 0; }
  bool compound() const { return ref[1] > 0; }
};

// What the next frame's MV prediction needs of this one, per 8x8.
struct MvRef {
  Mv mv[2];
  int8_t ref[2] = {0, -1};
};

// Inputs and outputs of decoding one frame's tiles.
struct TileDecodeContext {
  const FrameHeader* hdr = nullptr;
  const FrameContext* fc = nullptr;
  FrameCounts* counts = nullptr;
  const MvRef* prev_mvs = nullptr;        // null when use_prev_frame_mvs is off
  const uint8_t* last_seg_map = nullptr;  // null: predicted segment ids are 0
  uint8_t* cur_seg_map = nullptr;
  // Outputs.
  std::vector<ModeInfo>* blocks = nullptr;
  std::vector<int32_t>* grid = nullptr;   // mi_rows * mi_cols indices into blocks
  std::vector<MvRef>* mvs = nullptr;      // mi_rows * mi_cols
  dispatch::FrameWork* work = nullptr;
  // Optional: bytes each tile left unread (tests check tiles end in sync).
  std::vector<size_t>* tile_unread_bytes = nullptr;
  // Optional: the threads that decode the frame's tile columns at once, up
  // to one per column (null: all on the calling thread). The outputs are
  // the same as on one thread, to the byte.
  dispatch::ForkJoin* threads = nullptr;
};

// Decodes all tiles of a frame. `data` starts right after the compressed
// header. Throws daedalus::Error on corrupt or truncated data (with tile
// columns on several threads: the error of the first bad tile in bitstream
// order, after every thread has stopped).
void decode_tiles(const uint8_t* data, size_t size, const TileDecodeContext& ctx);

// Fills work.lf[] (dd_lf_unit grids) from the mode info grid, applying
// VP9's loop filter mask rules so that an executor in libvpx order is exact.
void build_loop_filter_units(const FrameHeader& hdr, const std::vector<ModeInfo>& blocks,
                             const std::vector<int32_t>& grid, dispatch::FrameWork& work);

}  // namespace daedalus::vp9
