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

// Partition geometry of the P macroblock types (Table 7-13) and the
// sub-macroblock types (Table 7-17), in 4x4 blocks.
struct PartShape {
  int count, w, h;
};
constexpr PartShape kPShapes[4] = {{1, 4, 4}, {2, 4, 2}, {2, 2, 4}, {4, 2, 2}};
constexpr PartShape kSubShapes[4] = {{1, 2, 2}, {2, 2, 1}, {2, 1, 2}, {4, 1, 1}};
// Motion vector prediction's special cases (8.4.1.3).
enum MvShape { kMedian = 0, k16x8 = 1, k8x16 = 2 };

dd_h264_mb_motion blank_motion() {
  dd_h264_mb_motion m{};
  std::fill(std::begin(m.ref), std::end(m.ref), int8_t(-1));
  return m;
}

int median(int a, int b, int c) { return std::max(std::min(a, b), std::min(std::max(a, b), c)); }

}  // namespace

struct PictureBuilder::SliceRefs {
  std::vector<int> pic_ref;  // per refIdxL0: index into ref_buffers_, -1: no picture
  const PredWeightTable* weights = nullptr;  // explicit weighted prediction
};

void PictureBuilder::begin(const Sps& sps) {
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
  work_.inter.clear();
  work_.motion.clear();
  state_.assign(p.num_mbs, MbState{});
  ref_buffers_.clear();
  decoded_ = 0;
  slices_ = 0;
}

const dispatch::H264FrameWork& PictureBuilder::work() const {
  if (!complete())
    throw Error("h264: picture incomplete: " + std::to_string(work_.params.num_mbs - decoded_) + " of " +
                std::to_string(work_.params.num_mbs) + " macroblocks missing");
  return work_;
}

bool PictureBuilder::available(int mb_x, int mb_y, int slice) const {
  const auto& p = work_.params;
  if (mb_x < 0 || mb_y < 0 || mb_x >= int(p.mb_cols) || mb_y >= int(p.mb_rows)) return false;
  return state_[size_t(mb_y) * p.mb_cols + size_t(mb_x)].slice == slice;
}

void PictureBuilder::add_slice(const ParsedSlice& s, std::span<const int> ref_list) {
  const SliceHeader& h = s.header;
  if (h.type() == kSliceB) throw Error("h264: B slices are not decoded yet");
  if (h.type() != kSliceI && h.type() != kSliceP) throw Error("h264: SP and SI slices are not decoded");
  if (h.type() == kSliceP && s.pps->entropy_coding_mode_flag) throw Error("h264: CABAC P slices are not decoded yet");
  if (s.sps->width_mbs() != work_.params.mb_cols || s.sps->height_mbs() != work_.params.mb_rows)
    throw Error("h264: slice of a picture size other than its picture's");
  int qp = h.slice_qp(*s.pps);
  if (qp < 0 || qp > 51) throw Error("h264: slice header: slice QP " + std::to_string(qp) + " out of range 0..51");
  SliceRefs refs;
  if (h.type() == kSliceP) {
    if (work_.motion.empty()) work_.motion.assign(work_.params.num_mbs, blank_motion());
    for (int buffer : ref_list) {
      if (buffer < 0) {
        refs.pic_ref.push_back(-1);
        continue;
      }
      auto it = std::find(ref_buffers_.begin(), ref_buffers_.end(), buffer);
      if (it == ref_buffers_.end()) it = ref_buffers_.insert(ref_buffers_.end(), buffer);
      refs.pic_ref.push_back(int(it - ref_buffers_.begin()));
    }
    if (ref_buffers_.size() > 127) throw Error("h264: more than 127 reference pictures in one picture");
    if (s.pps->weighted_pred_flag) refs.weights = &h.pred_weight_table;
  }
  const auto reader = s.pps->entropy_coding_mode_flag ? make_cabac_reader(s.rbsp, h.header_bit_size, qp)
                                                      : make_cavlc_reader(s.rbsp, h.header_bit_size);
  const int slice = slices_++;
  uint32_t addr = h.first_mb_in_slice;
  do {
    if (addr >= work_.params.num_mbs) reader->fail("first_mb_in_slice / macroblocks past the picture");
    if (state_[addr].slice >= 0) reader->fail("macroblock " + std::to_string(addr) + " decoded twice");
    state_[addr].slice = slice;
    decode_macroblock(*reader, s, refs, int(addr), qp);
    ++decoded_;
    ++addr;
  } while (reader->more_macroblocks());
}

void PictureBuilder::decode_macroblock(SyntaxReader& r, const ParsedSlice& s, const SliceRefs& refs, int addr,
                                       int& qp) {
  const SliceHeader& h = s.header;
  const int cols = int(work_.params.mb_cols);
  const int mb_x = addr % cols, mb_y = addr / cols;
  MbState& st = state_[size_t(addr)];
  const int slice = st.slice;
  st = MbState{};
  st.slice = slice;
  std::fill(std::begin(st.ref_idx), std::end(st.ref_idx), int8_t(-1));
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
  const MbNeighbours nb{has_a ? &state_[size_t(addr - 1)] : nullptr, has_b ? &state_[size_t(addr - cols)] : nullptr,
                        st};
  if (h.type() != kSliceP) return decode_intra(r, s, r.mb_type(nb), addr, qp);
  if (r.mb_skip(nb)) {
    decode_skip(s, refs, addr, qp);
    r.end_macroblock(0);
    return;
  }
  const uint32_t mb_type = r.mb_type_p(nb);
  if (mb_type < 5) return decode_inter(r, s, refs, mb_type, addr, qp);
  decode_intra(r, s, mb_type - 5, addr, qp);
}

// The 4x4 block (bx, by) relative to macroblock addr (-1 and 4 reach into
// its neighbours A, B, C and D) as motion vector prediction sees it
// (6.4.11.7): blocks of the current macroblock count once their partition
// is decoded (`decoded`, a bit per block), the macroblock to the right is
// never there, intra blocks are there with refIdx -1.
PictureBuilder::MvNeighbour PictureBuilder::neighbour(int addr, int bx, int by, uint16_t decoded) const {
  const int cols = int(work_.params.mb_cols);
  MvNeighbour n;
  const MbState* m = &state_[size_t(addr)];
  if (bx >= 0 && bx < 4 && by >= 0) {
    if (!(decoded >> (by * 4 + bx) & 1)) return n;
  } else {
    const int dx = bx < 0 ? -1 : bx > 3 ? 1 : 0, dy = by < 0 ? -1 : 0;
    if (dy == 0 && dx == 1) return n;
    const int mb_x = addr % cols + dx, mb_y = addr / cols + dy;
    if (!available(mb_x, mb_y, m->slice)) return n;
    m = &state_[size_t(mb_y * cols + mb_x)];
  }
  const int b = (by & 3) * 4 + (bx & 3);
  n.available = true;
  if (!m->inter) return n;
  n.ref = m->ref_idx[b];
  n.mv[0] = m->mv[b][0];
  n.mv[1] = m->mv[b][1];
  return n;
}

// 8.4.1.3: mvpLX of the partition at (x, y), w x h 4x4 blocks, refIdx ref.
void PictureBuilder::predict_mv(int addr, int x, int y, int w, int h, int ref, int shape, uint16_t decoded,
                                int (&mvp)[2]) const {
  const MvNeighbour a = neighbour(addr, x - 1, y, decoded), b = neighbour(addr, x, y - 1, decoded);
  MvNeighbour c = neighbour(addr, x + w, y - 1, decoded);
  if (!c.available) c = neighbour(addr, x - 1, y - 1, decoded);
  (void)h;
  const auto take = [&](const MvNeighbour& n) {
    mvp[0] = n.mv[0];
    mvp[1] = n.mv[1];
  };
  if (shape == k16x8) {
    if (y == 0 && b.ref == ref) return take(b);
    if (y != 0 && a.ref == ref) return take(a);
  } else if (shape == k8x16) {
    if (x == 0 && a.ref == ref) return take(a);
    if (x != 0 && c.ref == ref) return take(c);
  }
  // 8.4.1.3.1: only A there: A; exactly one neighbour with this reference:
  // its vector; else the median.
  if (!b.available && !c.available && a.available) return take(a);
  const int matches = (a.ref == ref) + (b.ref == ref) + (c.ref == ref);
  if (matches == 1) return take(a.ref == ref ? a : b.ref == ref ? b : c);
  for (int k = 0; k < 2; ++k) mvp[k] = median(a.mv[k], b.mv[k], c.mv[k]);
}

void PictureBuilder::add_partition(const ParsedSlice& s, const SliceRefs& refs, int addr, int x, int y, int w, int h,
                                   int ref_idx, const int (&mv)[2]) {
  (void)s;
  const int cols = int(work_.params.mb_cols);
  MbState& st = state_[size_t(addr)];
  dd_h264_mb_motion& motion = work_.motion[size_t(addr)];
  const int pic_ref = refs.pic_ref[size_t(ref_idx)];
  for (int j = y; j < y + h; ++j)
    for (int i = x; i < x + w; ++i) {
      const int b = j * 4 + i;
      st.ref_idx[b] = int8_t(ref_idx);
      st.mv[b][0] = motion.mv[b][0] = int16_t(mv[0]);
      st.mv[b][1] = motion.mv[b][1] = int16_t(mv[1]);
      motion.ref[b] = int8_t(pic_ref);
    }
  dd_h264_inter_block blk{};
  blk.x = uint16_t((addr % cols) * 16 + x * 4);
  blk.y = uint16_t((addr / cols) * 16 + y * 4);
  blk.w = uint8_t(w * 4);
  blk.h = uint8_t(h * 4);
  blk.ref = uint8_t(pic_ref);
  blk.mv[0] = int16_t(mv[0]);
  blk.mv[1] = int16_t(mv[1]);
  if (refs.weights) {
    const PredWeightTable& t = *refs.weights;
    const PredWeight& pw = t.list[0][size_t(ref_idx)];
    blk.flags = DD_H264_INTER_WEIGHTED;
    blk.luma_log2_denom = t.luma_log2_weight_denom;
    blk.chroma_log2_denom = t.chroma_log2_weight_denom;
    blk.luma_weight = pw.luma_weight_flag ? pw.luma_weight : int16_t(1 << t.luma_log2_weight_denom);
    blk.luma_offset = pw.luma_weight_flag ? pw.luma_offset : 0;
    for (int c = 0; c < 2; ++c) {
      blk.chroma_weight[c] = pw.chroma_weight_flag ? pw.chroma_weight[size_t(c)]
                                                   : int16_t(1 << t.chroma_log2_weight_denom);
      blk.chroma_offset[c] = pw.chroma_weight_flag ? pw.chroma_offset[size_t(c)] : 0;
    }
  }
  work_.inter.push_back(blk);
}

void PictureBuilder::decode_skip(const ParsedSlice& s, const SliceRefs& refs, int addr, int qp) {
  MbState& st = state_[size_t(addr)];
  dd_h264_mb& mb = work_.mbs[size_t(addr)];
  mb.type = st.type = DD_H264_MB_INTER;
  st.inter = st.skip = true;
  std::fill(std::begin(st.modes), std::end(st.modes), kDcMode);
  mb.qp[0] = uint8_t(qp);
  mb.qp[1] = uint8_t(chroma_qp(qp, s.pps->chroma_qp_index_offset));
  mb.qp[2] = uint8_t(chroma_qp(qp, s.pps->second_chroma_qp_index_offset));
  if (refs.pic_ref.empty() || refs.pic_ref[0] < 0) throw Error("h264: P_Skip with no reference picture");
  // 8.4.1.1: a zero vector when A or B is missing or still with refIdx 0.
  int mv[2] = {0, 0};
  const MvNeighbour a = neighbour(addr, -1, 0, 0), b = neighbour(addr, 0, -1, 0);
  const bool zero = !a.available || !b.available || (a.ref == 0 && !a.mv[0] && !a.mv[1]) ||
                    (b.ref == 0 && !b.mv[0] && !b.mv[1]);
  if (!zero) predict_mv(addr, 0, 0, 4, 4, 0, kMedian, 0, mv);
  add_partition(s, refs, addr, 0, 0, 4, 4, 0, mv);
}

void PictureBuilder::decode_inter(SyntaxReader& r, const ParsedSlice& s, const SliceRefs& refs, uint32_t mb_type,
                                  int addr, int& qp) {
  const Pps& pps = *s.pps;
  const int cols = int(work_.params.mb_cols);
  const int mb_x = addr % cols, mb_y = addr / cols;
  MbState& st = state_[size_t(addr)];
  dd_h264_mb& mb = work_.mbs[size_t(addr)];
  mb.type = st.type = DD_H264_MB_INTER;
  st.inter = true;
  std::fill(std::begin(st.modes), std::end(st.modes), kDcMode);
  const int max_ref = s.header.num_ref_idx_active(0) - 1;
  const bool ref0 = mb_type == 4;  // P_8x8ref0
  const int shape_index = mb_type == 4 ? 3 : int(mb_type);
  const PartShape& shape = kPShapes[shape_index];
  int sub_types[4] = {0, 0, 0, 0};
  int ref_idx[4] = {0, 0, 0, 0};
  if (shape.count == 4)
    for (int& t : sub_types) t = r.sub_mb_type_p();
  for (int i = 0; i < shape.count; ++i)
    if (max_ref > 0 && !ref0) ref_idx[i] = r.ref_idx(max_ref);
  for (int i = 0; i < shape.count; ++i)
    if (ref_idx[i] >= int(refs.pic_ref.size()) || refs.pic_ref[size_t(ref_idx[i])] < 0)
      r.fail("ref_idx_l0 = " + std::to_string(ref_idx[i]) + " names no reference picture");
  uint16_t decoded = 0;
  const auto decode_part = [&](int x, int y, int w, int h, int ref, int mv_shape) {
    int mvp[2];
    predict_mv(addr, x, y, w, h, ref, mv_shape, decoded, mvp);
    int mv[2];
    for (int k = 0; k < 2; ++k) {
      mv[k] = mvp[k] + r.mvd(k);
      if (mv[k] < -32768 || mv[k] > 32767) r.fail("motion vector out of range");
    }
    add_partition(s, refs, addr, x, y, w, h, ref, mv);
    for (int j = y; j < y + h; ++j)
      for (int i = x; i < x + w; ++i) decoded = uint16_t(decoded | 1 << (j * 4 + i));
  };
  bool small_parts = false;
  if (shape.count < 4) {
    for (int i = 0; i < shape.count; ++i) {
      const int x = shape.w == 2 ? 2 * i : 0, y = shape.h == 2 ? 2 * i : 0;
      decode_part(x, y, shape.w, shape.h, ref_idx[i], shape.count == 1 ? kMedian : shape.w == 4 ? k16x8 : k8x16);
    }
  } else {
    for (int i = 0; i < 4; ++i) {
      const PartShape& sub = kSubShapes[sub_types[i]];
      small_parts |= sub_types[i] != 0;
      for (int k = 0; k < sub.count; ++k) {
        const int x = 2 * (i % 2) + (sub.w == 1 ? k % 2 : 0), y = 2 * (i / 2) + (sub.h == 1 ? (sub.w == 1 ? k / 2 : k) : 0);
        decode_part(x, y, sub.w, sub.h, ref_idx[i], kMedian);
      }
    }
  }
  (void)mb_x;
  (void)mb_y;
  const int cbp = r.coded_block_pattern_inter({nullptr, nullptr, st});
  mb.cbp = st.cbp = uint8_t(cbp);
  bool transform8x8 = false;
  if ((cbp & 15) && pps.transform_8x8_mode_flag && !small_parts)
    transform8x8 = r.transform_size_8x8_flag({nullptr, nullptr, st});
  st.transform8x8 = transform8x8;
  if (transform8x8) mb.flags |= DD_H264_MB_TRANSFORM_8X8;
  residual(r, s, addr, cbp, transform8x8, false, qp);
  uint16_t nonzero = 0;
  for (int b = 0; b < 16; ++b) {
    bool nz = st.total_coeff[b] > 0;
    if (transform8x8) {
      const int b8 = (b / 8) * 8 + (b % 4) / 2 * 2;  // top-left 4x4 of its 8x8
      nz = st.total_coeff[b8] || st.total_coeff[b8 + 1] || st.total_coeff[b8 + 4] || st.total_coeff[b8 + 5];
    }
    nonzero = uint16_t(nonzero | (nz ? 1 << b : 0));
  }
  work_.motion[size_t(addr)].nonzero = nonzero;
}

void PictureBuilder::decode_intra(SyntaxReader& r, const ParsedSlice& s, uint32_t mb_type, int addr, int& qp) {
  const Pps& pps = *s.pps;
  const int cols = int(work_.params.mb_cols);
  const int mb_x = addr % cols, mb_y = addr / cols;
  MbState& st = state_[size_t(addr)];
  const int slice = st.slice;
  dd_h264_mb& mb = work_.mbs[size_t(addr)];
  const bool has_a = available(mb_x - 1, mb_y, slice), has_b = available(mb_x, mb_y - 1, slice);
  // Intra prediction's neighbours: with constrained_intra_pred_flag only
  // intra ones (8.3.1.2: inter macroblocks count as not available).
  const auto usable = [&](int x, int y) {
    return available(x, y, slice) && !(pps.constrained_intra_pred_flag && state_[size_t(y * cols + x)].inter);
  };
  mb.flags = uint8_t((usable(mb_x - 1, mb_y) ? DD_H264_MB_LEFT : 0) | (usable(mb_x, mb_y - 1) ? DD_H264_MB_TOP : 0) |
                     (usable(mb_x + 1, mb_y - 1) ? DD_H264_MB_TOP_RIGHT : 0) |
                     (usable(mb_x - 1, mb_y - 1) ? DD_H264_MB_TOP_LEFT : 0));
  const MbState* left = has_a ? &state_[size_t(addr - 1)] : nullptr;
  const MbState* top = has_b ? &state_[size_t(addr - cols)] : nullptr;
  const MbNeighbours nb{left, top, st};
  int16_t* coeffs = &work_.coeffs[mb.coeff_offset];

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
    // 8.3.1.1 / 8.3.2.1: a neighbour missing, or inter under
    // constrained_intra_pred_flag, predicts DC; other neighbours that are
    // not I_NxN hold DC in their modes.
    const bool left_ok = (mb.flags & DD_H264_MB_LEFT) != 0, top_ok = (mb.flags & DD_H264_MB_TOP) != 0;
    for (int k = 0; k < blocks; ++k) {
      // Block k in decoding order: its top-left 4x4 block at (bx, by).
      const int b8 = transform8x8 ? k : k / 4, sub = transform8x8 ? 0 : k % 4;
      const int bx = (b8 % 2) * 2 + sub % 2, by = (b8 / 2) * 2 + sub / 2;
      const bool prev_flag = r.prev_intra_pred_mode_flag();
      const int rem = prev_flag ? 0 : r.rem_intra_pred_mode();
      const bool a_ok = bx > 0 || left_ok, b_ok = by > 0 || top_ok;
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
  residual(r, s, addr, cbp, transform8x8, true, qp);
}

// mb_qp_delta and residual() of a macroblock whose type, prediction and
// coded_block_pattern are known; the intra or inter scaling lists.
void PictureBuilder::residual(SyntaxReader& r, const ParsedSlice& s, int addr, int cbp, bool transform8x8, bool intra,
                              int& qp) {
  const Pps& pps = *s.pps;
  const int cols = int(work_.params.mb_cols);
  MbState& st = state_[size_t(addr)];
  dd_h264_mb& mb = work_.mbs[size_t(addr)];
  const int mb_x = addr % cols, mb_y = addr / cols;
  const bool has_a = available(mb_x - 1, mb_y, st.slice), has_b = available(mb_x, mb_y - 1, st.slice);
  const MbNeighbours nb{has_a ? &state_[size_t(addr - 1)] : nullptr, has_b ? &state_[size_t(addr - cols)] : nullptr,
                        st};
  int16_t* coeffs = &work_.coeffs[mb.coeff_offset];
  const int cb_offset = pps.chroma_qp_index_offset, cr_offset = pps.second_chroma_qp_index_offset;
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
  const size_t l4 = intra ? 0 : 3;  // Intra Y, Cb, Cr or Inter Y, Cb, Cr
  const LevelScale4x4 ls_y = level_scale_4x4(sm.list4x4[l4]);
  const LevelScale4x4 ls_c[2] = {level_scale_4x4(sm.list4x4[l4 + 1]), level_scale_4x4(sm.list4x4[l4 + 2])};
  mb.dc_scale[0] = dc_scale(ls_y, qp);
  mb.dc_scale[1] = dc_scale(ls_c[0], qpc[0]);
  mb.dc_scale[2] = dc_scale(ls_c[1], qpc[1]);

  int32_t level[64];
  if (mb.type == DD_H264_MB_I16X16) {
    st.dc_coded = r.residual_block(BlockKind::kLumaDc, 0, 0, 0, nb, level) > 0;
    for (int i = 0; i < 16; ++i) coeffs[DD_H264_COEFF_LUMA_DC + kZigzag4x4[size_t(i)]] = int16_t(level[i]);
  }
  const LevelScale8x8 ls_8 = transform8x8 ? level_scale_8x8(sm.list8x8[intra ? 0 : 1]) : LevelScale8x8{};
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
