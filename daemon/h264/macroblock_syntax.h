// SPDX-License-Identifier: MIT
// The entropy-coded syntax elements of a macroblock of an I or P slice
// behind one interface, so that the macroblock layer (macroblock_layer.cpp) is written
// once for CAVLC (cavlc_syntax.cpp) and CABAC (cabac_syntax.cpp). Each
// reader derives its own contexts (nC, ctxIdxInc) from the neighbours.
#pragma once

#include <cstdint>
#include <memory>
#include <span>

#include "rbsp_reader.h"

namespace daedalus::h264 {

// What the decoding of later macroblocks needs of a macroblock.
struct MbState {
  int slice = -1;  // slice number in the picture; -1: not decoded
  uint8_t type = 0;  // dd_h264_mb_type
  bool transform8x8 = false;
  uint8_t cbp = 0;  // luma | chroma << 4
  uint8_t chroma_mode = 0;
  // Coefficients coded in each 4x4 luma block (raster) and chroma block:
  // CAVLC's TotalCoeff, CABAC's count of levels (an 8x8 block's in all
  // four); 0 where the coded_block_pattern leaves the block out; 16 for
  // I_PCM.
  uint8_t total_coeff[16]{};
  uint8_t total_coeff_c[2][4]{};
  bool dc_coded = false;       // Intra16x16 DC coded_block_flag (I_PCM: 1)
  bool dc_coded_c[2]{};        // chroma DC coded_block_flag (I_PCM: 1)
  uint8_t modes[16]{};         // Intra4x4PredMode per 4x4 (8x8 modes repeated); DC for other types
  // P slices: inter prediction of each 4x4 block (raster).
  bool inter = false;
  bool skip = false;            // P_Skip
  int8_t ref_idx[16]{};         // refIdxL0; -1 in intra macroblocks
  int16_t mv[16][2]{};          // mvL0
};

// The macroblock being decoded and its neighbours A (left) and B (above),
// null when not available.
struct MbNeighbours {
  const MbState* left;
  const MbState* top;
  const MbState& cur;
};

enum class BlockKind { kLumaDc, kLumaAc, kLuma4x4, kLuma8x8, kChromaDc, kChromaAc };

class SyntaxReader {
 public:
  virtual ~SyntaxReader() = default;
  virtual uint32_t mb_type(const MbNeighbours& n) = 0;  // I slice: 0..25
  // P slices (CAVLC only so far): whether the macroblock is P_Skip
  // (mb_skip_run / mb_skip_flag), mb_type 0..30 (Table 7-13, 5.. intra),
  // sub_mb_type 0..3 (Table 7-17), ref_idx_l0 of te(v) range `max`, one
  // mvd_l0 component.
  virtual bool mb_skip(const MbNeighbours& n) = 0;
  virtual uint32_t mb_type_p(const MbNeighbours& n) = 0;
  virtual int sub_mb_type_p() = 0;
  virtual int ref_idx(int max) = 0;
  virtual int mvd(int comp) = 0;
  // Table 9-4's intra or inter column.
  virtual int coded_block_pattern_inter(const MbNeighbours& n) = 0;  // luma | chroma << 4
  virtual bool transform_size_8x8_flag(const MbNeighbours& n) = 0;
  virtual bool prev_intra_pred_mode_flag() = 0;
  virtual int rem_intra_pred_mode() = 0;
  virtual int intra_chroma_pred_mode(const MbNeighbours& n) = 0;
  virtual int coded_block_pattern(const MbNeighbours& n) = 0;  // luma | chroma << 4
  virtual int mb_qp_delta() = 0;
  // Called for every macroblock, also those without mb_qp_delta (CABAC's
  // context of the next one depends on it).
  virtual void end_macroblock(int qp_delta) = 0;
  // One residual block: levels in scan order (max 64), returns how many are
  // non-zero (CAVLC: TotalCoeff). (bx, by): the block's position in 4x4
  // units (chroma: in the 2x2 of its plane; 8x8: its top-left 4x4); pl: 0
  // Cb, 1 Cr.
  virtual int residual_block(BlockKind kind, int pl, int bx, int by, const MbNeighbours& n, int32_t* levels) = 0;
  // CABAC codes an 8x8 transform block as one block; CAVLC as four
  // interleaved 4x4 blocks.
  virtual bool reads_8x8_blocks() const = 0;
  // pcm_alignment_zero_bits and the 384 samples of I_PCM.
  virtual void pcm_samples(int16_t* out) = 0;
  // After a macroblock: whether the slice has another one.
  virtual bool more_macroblocks() = 0;
  [[noreturn]] virtual void fail(const std::string& message) const = 0;
};

// Readers over a slice's RBSP from its slice data (bit_offset).
std::unique_ptr<SyntaxReader> make_cavlc_reader(std::span<const uint8_t> rbsp, size_t bit_offset);
std::unique_ptr<SyntaxReader> make_cabac_reader(std::span<const uint8_t> rbsp, size_t bit_offset, int slice_qp);

}  // namespace daedalus::h264
