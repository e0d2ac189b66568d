// SPDX-License-Identifier: MIT
#include "macroblock_layer.h"

#include <algorithm>
#include <cstring>
#include <string>

#include "daedalus/error.h"
#include "dequant.h"
#include "scaling_lists.h"

namespace daedalus::h264 {
namespace {

constexpr int kDcMode = 2;  // Intra_4x4_DC / Intra_8x8_DC
// MaxFS of the highest level (Table A-1, level 6.2): a bigger picture is
// no conforming stream, and would cost its coefficients' 816 bytes per
// macroblock for nothing.
constexpr uint32_t kMaxFrameMbs = 139264;

}  // namespace

void IntraPictureBuilder::begin(const Sps& sps) {
  const uint32_t num_mbs = sps.width_mbs() * sps.height_mbs();
  if (num_mbs > kMaxFrameMbs)
    throw Error("h264: picture of " + std::to_string(num_mbs) + " macroblocks, more than any level allows (" +
                std::to_string(kMaxFrameMbs) + ")");
  auto& p = work_.params;
  p = {};
  p.mb_cols = sps.width_mbs();
  p.mb_rows = sps.height_mbs();
  p.num_mbs = num_mbs;
  p.width = sps.display_width();
  p.height = sps.display_height();
  work_.mbs.assign(p.num_mbs, dd_h264_mb{});
  work_.coeffs.assign(size_t{p.num_mbs} * H264_MB_COEFFS, 0);
  state_.assign(p.num_mbs, MbState{});
  decoded_ = 0;
  slices_ = 0;
}

const dispatch::H264FrameWork& IntraPictureBuilder::work() const {
  if (!complete())
    throw Error("h264: picture incomplete: " + std::to_string(work_.params.num_mbs - decoded_) + " of " +
                std::to_string(work_.params.num_mbs) + " macroblocks missing");
  return work_;
}

bool IntraPictureBuilder::available(int mb_x, int mb_y, int slice) const {
  const auto& p = work_.params;
  if (mb_x < 0 || mb_y < 0 || mb_x >= int(p.mb_cols) || mb_y >= int(p.mb_rows)) return false;
  return state_[size_t(mb_y) * p.mb_cols + size_t(mb_x)].slice == slice;
}

void IntraPictureBuilder::add_slice(const ParsedSlice& s) {
  const SliceHeader& h = s.header;
  if (h.type() != kSliceI) throw Error("h264: P and B slices are not decoded yet");
  if (s.sps->width_mbs() != work_.params.mb_cols || s.sps->height_mbs() != work_.params.mb_rows)
    throw Error("h264: slice of a picture size other than its picture's");
  int qp = h.slice_qp(*s.pps);
  if (qp < 0 || qp > 51) throw Error("h264: slice header: slice QP " + std::to_string(qp) + " out of range 0..51");
  const auto reader = s.pps->entropy_coding_mode_flag ? make_cabac_reader(s.rbsp, h.header_bit_size, qp)
                                                      : make_cavlc_reader(s.rbsp, h.header_bit_size);
  const int slice = slices_++;
  uint32_t addr = h.first_mb_in_slice;
  do {
    if (addr >= work_.params.num_mbs) reader->fail("first_mb_in_slice / macroblocks past the picture");
    if (state_[addr].slice >= 0) reader->fail("macroblock " + std::to_string(addr) + " decoded twice");
    state_[addr].slice = slice;
    decode_macroblock(*reader, s, int(addr), qp);
    ++decoded_;
    ++addr;
  } while (reader->more_macroblocks());
}

void IntraPictureBuilder::decode_macroblock(SyntaxReader& r, const ParsedSlice& s, int addr, int& qp) {
  const Pps& pps = *s.pps;
  const SliceHeader& h = s.header;
  const int cols = int(work_.params.mb_cols);
  const int mb_x = addr % cols, mb_y = addr / cols;
  MbState& st = state_[size_t(addr)];
  const int slice = st.slice;
  st = MbState{};
  st.slice = slice;
  dd_h264_mb& mb = work_.mbs[size_t(addr)];
  mb = dd_h264_mb{};
  mb.mb_x = uint16_t(mb_x);
  mb.mb_y = uint16_t(mb_y);
  mb.slice = uint16_t(slice);
  mb.coeff_offset = uint32_t(addr) * H264_MB_COEFFS;
  mb.deblock_idc = h.disable_deblocking_filter_idc;
  mb.filter_offset_a = int8_t(h.slice_alpha_c0_offset_div2 * 2);
  mb.filter_offset_b = int8_t(h.slice_beta_offset_div2 * 2);
  const bool has_a = available(mb_x - 1, mb_y, slice), has_b = available(mb_x, mb_y - 1, slice);
  // In I slices every neighbour is intra: constrained_intra_pred_flag
  // leaves them all usable.
  mb.flags = uint8_t((has_a ? DD_H264_MB_LEFT : 0) | (has_b ? DD_H264_MB_TOP : 0) |
                     (available(mb_x + 1, mb_y - 1, slice) ? DD_H264_MB_TOP_RIGHT : 0) |
                     (available(mb_x - 1, mb_y - 1, slice) ? DD_H264_MB_TOP_LEFT : 0));
  const MbState* left = has_a ? &state_[size_t(addr - 1)] : nullptr;
  const MbState* top = has_b ? &state_[size_t(addr - cols)] : nullptr;
  const MbNeighbours nb{left, top, st};
  int16_t* coeffs = &work_.coeffs[mb.coeff_offset];

  const uint32_t mb_type = r.mb_type(nb);
  const int cb_offset = pps.chroma_qp_index_offset, cr_offset = pps.second_chroma_qp_index_offset;
  if (mb_type == 25) {  // I_PCM: QPY stays for the next macroblock's prediction
    r.pcm_samples(coeffs);
    mb.type = st.type = DD_H264_MB_PCM;
    std::fill(std::begin(st.total_coeff), std::end(st.total_coeff), 16);
    for (auto& c : st.total_coeff_c) std::fill(std::begin(c), std::end(c), 16);
    st.dc_coded = st.dc_coded_c[0] = st.dc_coded_c[1] = true;
    st.cbp = 0x2f;
    std::fill(std::begin(st.modes), std::end(st.modes), kDcMode);
    mb.qp[0] = 0;
    mb.qp[1] = uint8_t(chroma_qp(0, cb_offset));
    mb.qp[2] = uint8_t(chroma_qp(0, cr_offset));
    r.end_macroblock(0);
    return;
  }

  bool transform8x8 = false;
  int cbp = 0;
  if (mb_type == 0) {  // I_NxN
    if (pps.transform_8x8_mode_flag) transform8x8 = r.transform_size_8x8_flag(nb);
    mb.type = transform8x8 ? DD_H264_MB_I8X8 : DD_H264_MB_I4X4;
    st.transform8x8 = transform8x8;
    const int blocks = transform8x8 ? 4 : 16;
    const int size = transform8x8 ? 2 : 1;  // in 4x4 units
    for (int k = 0; k < blocks; ++k) {
      // Block k in decoding order: its top-left 4x4 block at (bx, by).
      const int b8 = transform8x8 ? k : k / 4, sub = transform8x8 ? 0 : k % 4;
      const int bx = (b8 % 2) * 2 + sub % 2, by = (b8 / 2) * 2 + sub / 2;
      const bool prev_flag = r.prev_intra_pred_mode_flag();
      const int rem = prev_flag ? 0 : r.rem_intra_pred_mode();
      // 8.3.1.1 / 8.3.2.1: the neighbours' modes, DC when either is missing.
      const bool a_ok = bx > 0 || left, b_ok = by > 0 || top;
      int pred = kDcMode;
      if (a_ok && b_ok) {
        const int ma = bx > 0 ? st.modes[by * 4 + bx - 1] : left->modes[by * 4 + 3];
        const int mb_mode = by > 0 ? st.modes[(by - 1) * 4 + bx] : top->modes[12 + bx];
        pred = std::min(ma, mb_mode);
      }
      const int mode = prev_flag ? pred : rem < pred ? rem : rem + 1;
      for (int y = 0; y < size; ++y)
        for (int x = 0; x < size; ++x) st.modes[(by + y) * 4 + bx + x] = uint8_t(mode);
      mb.pred_modes[transform8x8 ? k : by * 4 + bx] = uint8_t(mode);
    }
  } else {  // I_16x16
    mb.type = DD_H264_MB_I16X16;
    mb.pred_modes[0] = uint8_t((mb_type - 1) % 4);
    cbp = int(((mb_type - 1) / 4) % 3) << 4 | (mb_type >= 13 ? 15 : 0);
    std::fill(std::begin(st.modes), std::end(st.modes), kDcMode);
  }
  st.type = mb.type;
  mb.chroma_pred_mode = st.chroma_mode = uint8_t(r.intra_chroma_pred_mode(nb));
  if (mb.type != DD_H264_MB_I16X16) cbp = r.coded_block_pattern(nb);
  mb.cbp = st.cbp = uint8_t(cbp);
  const int cbp_luma = cbp & 15, cbp_chroma = cbp >> 4;
  int qp_delta = 0;
  if (cbp_luma || cbp_chroma || mb.type == DD_H264_MB_I16X16) {
    qp_delta = r.mb_qp_delta();
    if (qp_delta < -26 || qp_delta > 25) r.fail("mb_qp_delta = " + std::to_string(qp_delta) + " out of range -26..25");
    qp = (qp + qp_delta + 52) % 52;
  }
  const int qpc[2] = {chroma_qp(qp, cb_offset), chroma_qp(qp, cr_offset)};
  mb.qp[0] = uint8_t(qp);
  mb.qp[1] = uint8_t(qpc[0]);
  mb.qp[2] = uint8_t(qpc[1]);

  const ScalingMatrix& sm = pps.scaling_matrix;
  const LevelScale4x4 ls_y = level_scale_4x4(sm.list4x4[0]);
  const LevelScale4x4 ls_c[2] = {level_scale_4x4(sm.list4x4[1]), level_scale_4x4(sm.list4x4[2])};
  mb.dc_scale[0] = dc_scale(ls_y, qp);
  mb.dc_scale[1] = dc_scale(ls_c[0], qpc[0]);
  mb.dc_scale[2] = dc_scale(ls_c[1], qpc[1]);

  int32_t level[64];
  if (mb.type == DD_H264_MB_I16X16) {
    st.dc_coded = r.residual_block(BlockKind::kLumaDc, 0, 0, 0, nb, level) > 0;
    for (int i = 0; i < 16; ++i) coeffs[DD_H264_COEFF_LUMA_DC + kZigzag4x4[size_t(i)]] = int16_t(level[i]);
  }
  const LevelScale8x8 ls_8 = transform8x8 ? level_scale_8x8(sm.list8x8[0]) : LevelScale8x8{};
  for (int b8 = 0; b8 < 4; ++b8) {
    const int x8 = (b8 % 2) * 2, y8 = (b8 / 2) * 2;
    if (!(cbp_luma & (1 << b8))) continue;  // counts stay 0
    int32_t level8[64] = {};
    if (transform8x8 && r.reads_8x8_blocks()) {
      const int count = r.residual_block(BlockKind::kLuma8x8, 0, x8, y8, nb, level8);
      for (int i = 0; i < 4; ++i) st.total_coeff[(y8 + i / 2) * 4 + x8 + i % 2] = uint8_t(count);
    } else {
      for (int sub = 0; sub < 4; ++sub) {
        const int bx = x8 + sub % 2, by = y8 + sub / 2;
        int16_t* c = coeffs + DD_H264_COEFF_LUMA + 16 * (by * 4 + bx);
        if (mb.type == DD_H264_MB_I16X16) {
          st.total_coeff[by * 4 + bx] = uint8_t(r.residual_block(BlockKind::kLumaAc, 0, bx, by, nb, level));
          for (int i = 0; i < 15; ++i)
            if (level[i]) c[kZigzag4x4[size_t(i + 1)]] = dequant_4x4(level[i], ls_y, qp, kZigzag4x4[size_t(i + 1)]);
          continue;
        }
        st.total_coeff[by * 4 + bx] = uint8_t(r.residual_block(BlockKind::kLuma4x4, 0, bx, by, nb, level));
        if (transform8x8) {  // CAVLC's four interleaved 4x4 blocks of an 8x8 block
          for (int i = 0; i < 16; ++i) level8[4 * i + sub] = level[i];
        } else {
          for (int i = 0; i < 16; ++i)
            if (level[i]) c[kZigzag4x4[size_t(i)]] = dequant_4x4(level[i], ls_y, qp, kZigzag4x4[size_t(i)]);
        }
      }
    }
    if (transform8x8) {
      int16_t* c = coeffs + DD_H264_COEFF_LUMA + 64 * b8;
      for (int i = 0; i < 64; ++i)
        if (level8[i]) c[kZigzag8x8[size_t(i)]] = dequant_8x8(level8[i], ls_8, qp, kZigzag8x8[size_t(i)]);
    }
  }

  if (cbp_chroma & 3) {
    for (int pl = 0; pl < 2; ++pl) {
      st.dc_coded_c[pl] = r.residual_block(BlockKind::kChromaDc, pl, 0, 0, nb, level) > 0;
      for (int i = 0; i < 4; ++i) coeffs[DD_H264_COEFF_CB_DC + 4 * pl + i] = int16_t(level[i]);
    }
  }
  if (cbp_chroma & 2) {
    for (int pl = 0; pl < 2; ++pl) {
      for (int b = 0; b < 4; ++b) {
        const int bx = b % 2, by = b / 2;
        st.total_coeff_c[pl][b] = uint8_t(r.residual_block(BlockKind::kChromaAc, pl, bx, by, nb, level));
        int16_t* c = coeffs + DD_H264_COEFF_CB + 64 * pl + 16 * b;
        for (int i = 0; i < 15; ++i)
          if (level[i])
            c[kZigzag4x4[size_t(i + 1)]] = dequant_4x4(level[i], ls_c[pl], qpc[pl], kZigzag4x4[size_t(i + 1)]);
      }
    }
  }
  r.end_macroblock(qp_delta);
}

}  // namespace daedalus::h264
