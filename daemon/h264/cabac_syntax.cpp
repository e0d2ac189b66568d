// SPDX-License-Identifier: MIT
// The CABAC side of SyntaxReader for I slices: binarizations (9.3.2) and
// context index increments (9.3.3.1.1, 9.3.3.1.3) of every syntax element
// an I-slice macroblock has.
#include <algorithm>

#include "cabac.h"
#include "daedalus/dispatch/h264_work.h"
#include "daedalus/error.h"
#include "macroblock_syntax.h"

namespace daedalus::h264 {
namespace {

// ctxIdxOffset of each syntax element (Table 9-34).
constexpr int kMbTypeI = 3, kQpDelta = 60, kChromaMode = 64, kPrevMode = 68, kRemMode = 69, kCbpLuma = 73,
              kCbpChroma = 77, kCodedBlockFlag = 85, kSig = 105, kLast = 166, kAbs = 227, kTransform8x8 = 399,
              kSig8x8 = 402, kLast8x8 = 417, kAbs8x8 = 426;
// ctxBlockCatOffset (Table 9-40) by ctxBlockCat 0..4 (5: the 8x8 offsets above).
constexpr int kCbfCat[5] = {0, 4, 8, 12, 16}, kSigCat[5] = {0, 15, 29, 44, 47}, kAbsCat[5] = {0, 10, 20, 30, 39};
// Table 9-43: ctxIdxInc of significant / last_significant_coeff_flag of 8x8
// blocks (frame coded) by levelListIdx.
constexpr uint8_t kSig8x8Inc[63] = {0,  1,  2,  3,  4,  5,  5,  4,  4,  3,  3,  4,  4,  4,  5,  5,
                                    4,  4,  4,  4,  3,  3,  6,  7,  7,  7,  8,  9,  10, 9,  8,  7,
                                    7,  6,  11, 12, 13, 11, 6,  7,  8,  9,  14, 10, 9,  8,  6,  11,
                                    12, 13, 11, 6,  9,  14, 10, 9,  11, 12, 13, 11, 14, 10, 12};
constexpr uint8_t kLast8x8Inc[63] = {0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2,
                                     2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3, 4, 4,
                                     4, 4, 4, 4, 4, 4, 5, 5, 5, 5, 6, 6, 6, 6, 7, 7, 7, 7, 8, 8, 8};

class CabacSyntax final : public SyntaxReader {
 public:
  CabacSyntax(std::span<const uint8_t> rbsp, size_t bit_offset, int slice_qp) : d_(rbsp, bit_offset, slice_qp) {}

  uint32_t mb_type(const MbNeighbours& n) override {
    // ctxIdxInc of bin 0: neighbours that are not I_NxN.
    auto other = [](const MbState* m) { return m && m->type != DD_H264_MB_I4X4 && m->type != DD_H264_MB_I8X8; };
    if (!d_.decision(kMbTypeI + other(n.left) + other(n.top))) return 0;  // I_NxN
    if (d_.terminate()) return 25;                                        // I_PCM
    uint32_t t = 1 + 12 * uint32_t(d_.decision(kMbTypeI + 3));
    if (d_.decision(kMbTypeI + 4)) t += 4 + 4 * uint32_t(d_.decision(kMbTypeI + 5));
    t += 2 * uint32_t(d_.decision(kMbTypeI + 6));
    t += uint32_t(d_.decision(kMbTypeI + 7));
    return t;
  }
  // P slices need the P context tables (cabac_init_idc) first; the
  // macroblock layer refuses CABAC P slices before it gets here.
  bool mb_skip(const MbNeighbours&) override { p_slices(); }
  uint32_t mb_type_p(const MbNeighbours&) override { p_slices(); }
  int sub_mb_type_p() override { p_slices(); }
  int ref_idx(int) override { p_slices(); }
  int mvd(int) override { p_slices(); }
  int coded_block_pattern_inter(const MbNeighbours&) override { p_slices(); }
  [[noreturn]] void p_slices() const { fail("CABAC P slices are not decoded yet"); }
  bool transform_size_8x8_flag(const MbNeighbours& n) override {
    return d_.decision(kTransform8x8 + (n.left && n.left->transform8x8) + (n.top && n.top->transform8x8));
  }
  bool prev_intra_pred_mode_flag() override { return d_.decision(kPrevMode); }
  int rem_intra_pred_mode() override {
    int v = d_.decision(kRemMode);
    v |= d_.decision(kRemMode) << 1;
    v |= d_.decision(kRemMode) << 2;
    return v;
  }
  int intra_chroma_pred_mode(const MbNeighbours& n) override {
    auto cond = [](const MbState* m) { return m && m->type != DD_H264_MB_PCM && m->chroma_mode != 0; };
    if (!d_.decision(kChromaMode + cond(n.left) + cond(n.top))) return 0;
    if (!d_.decision(kChromaMode + 3)) return 1;
    return d_.decision(kChromaMode + 3) ? 3 : 2;
  }
  int coded_block_pattern(const MbNeighbours& n) override {
    int luma = 0;
    for (int b8 = 0; b8 < 4; ++b8) {
      // condTermFlagN: the neighbouring 8x8 block is available, not I_PCM
      // and has no coefficients.
      int a, b;
      if (b8 & 1)
        a = !((luma >> (b8 - 1)) & 1);
      else
        a = n.left && n.left->type != DD_H264_MB_PCM && !((n.left->cbp >> (b8 + 1)) & 1);
      if (b8 & 2)
        b = !((luma >> (b8 - 2)) & 1);
      else
        b = n.top && n.top->type != DD_H264_MB_PCM && !((n.top->cbp >> (b8 + 2)) & 1);
      luma |= d_.decision(kCbpLuma + a + 2 * b) << b8;
    }
    auto chroma_of = [](const MbState* m) { return m->type == DD_H264_MB_PCM ? 2 : m->cbp >> 4; };
    const int a0 = n.left && chroma_of(n.left) != 0, b0 = n.top && chroma_of(n.top) != 0;
    if (!d_.decision(kCbpChroma + a0 + 2 * b0)) return luma;
    const int a1 = n.left && chroma_of(n.left) == 2, b1 = n.top && chroma_of(n.top) == 2;
    return luma | (d_.decision(kCbpChroma + 4 + a1 + 2 * b1) ? 2 : 1) << 4;
  }
  int mb_qp_delta() override {
    int k = 0;
    if (d_.decision(kQpDelta + (prev_qp_delta_ != 0))) {
      k = 1;
      while (d_.decision(kQpDelta + (k == 1 ? 2 : 3)))
        if (++k > 2 * 26) fail("mb_qp_delta out of range");
    }
    return (k & 1) ? (k + 1) / 2 : -(k / 2);
  }
  void end_macroblock(int qp_delta) override { prev_qp_delta_ = qp_delta; }
  bool reads_8x8_blocks() const override { return true; }

  int residual_block(BlockKind kind, int pl, int bx, int by, const MbNeighbours& n, int32_t* levels) override {
    int cat = 0, max = 16;
    switch (kind) {
      case BlockKind::kLumaDc: cat = 0; break;
      case BlockKind::kLumaAc: cat = 1, max = 15; break;
      case BlockKind::kLuma4x4: cat = 2; break;
      case BlockKind::kChromaDc: cat = 3, max = 4; break;
      case BlockKind::kChromaAc: cat = 4, max = 15; break;
      case BlockKind::kLuma8x8: cat = 5, max = 64; break;
    }
    for (int i = 0; i < max; ++i) levels[i] = 0;
    if (cat != 5 && !d_.decision(kCodedBlockFlag + kCbfCat[cat] + coded_block_flag_inc(kind, pl, bx, by, n)))
      return 0;
    // The significance map, then the levels from the last one back.
    bool sig[64] = {};
    int num = max;
    for (int i = 0; i < num - 1; ++i) {
      const int s = cat == 5 ? kSig8x8 + kSig8x8Inc[i] : kSig + kSigCat[cat] + (cat == 3 ? std::min(i, 2) : i);
      if (!d_.decision(s)) continue;
      sig[i] = true;
      const int l = cat == 5 ? kLast8x8 + kLast8x8Inc[i] : kLast + kSigCat[cat] + (cat == 3 ? std::min(i, 2) : i);
      if (d_.decision(l)) num = i + 1;
    }
    sig[num - 1] = true;
    const int abs_base = cat == 5 ? kAbs8x8 : kAbs + kAbsCat[cat];
    int eq1 = 0, gt1 = 0, count = 0;
    for (int i = num - 1; i >= 0; --i) {
      if (!sig[i]) continue;
      int prefix = 0;
      if (d_.decision(abs_base + (gt1 != 0 ? 0 : std::min(4, 1 + eq1)))) {
        prefix = 1;
        const int ctx = abs_base + 5 + std::min(4 - (cat == 3 ? 1 : 0), gt1);
        while (prefix < 14 && d_.decision(ctx)) ++prefix;
      }
      int64_t abs_level = prefix + 1;
      if (prefix == 14) {  // UEG0 suffix, Exp-Golomb k = 0 in bypass bins
        int k = 0;
        while (d_.bypass())
          if (++k > 30) fail("coeff_abs_level_minus1 out of range");
        int64_t suffix = 0;
        for (int j = 0; j < k; ++j) suffix = (suffix << 1) | d_.bypass();
        abs_level += ((int64_t{1} << k) - 1) + suffix;
      }
      if (abs_level > 32768) fail("coefficient level out of range");
      levels[i] = d_.bypass() ? -int32_t(abs_level) : int32_t(abs_level);
      if (abs_level == 1)
        ++eq1;
      else
        ++gt1;
      ++count;
    }
    return count;
  }

  void pcm_samples(int16_t* out) override {
    while (d_.bit_position() % 8)
      if (d_.read_bits(1)) fail("pcm_alignment_zero_bit is 1");
    for (int i = 0; i < 384; ++i) out[i] = int16_t(d_.read_bits(8));
    d_.restart();
  }
  bool more_macroblocks() override { return !d_.terminate(); }
  [[noreturn]] void fail(const std::string& message) const override {
    throw Error("h264: slice data: " + message);
  }

 private:
  // 9.3.3.1.1.9: coded_block_flag's ctxIdxInc from the blocks to the left
  // and above (an unavailable neighbour of an intra macroblock counts as
  // coded, as does I_PCM).
  int coded_block_flag_inc(BlockKind kind, int pl, int bx, int by, const MbNeighbours& n) const {
    int a, b;
    switch (kind) {
      case BlockKind::kLumaDc:
        a = !n.left || n.left->dc_coded;
        b = !n.top || n.top->dc_coded;
        break;
      case BlockKind::kChromaDc:
        a = !n.left || n.left->type == DD_H264_MB_PCM || ((n.left->cbp >> 4) != 0 && n.left->dc_coded_c[pl]);
        b = !n.top || n.top->type == DD_H264_MB_PCM || ((n.top->cbp >> 4) != 0 && n.top->dc_coded_c[pl]);
        break;
      case BlockKind::kChromaAc:
        a = bx > 0 ? n.cur.total_coeff_c[pl][by * 2] != 0 : !n.left || n.left->total_coeff_c[pl][by * 2 + 1] != 0;
        b = by > 0 ? n.cur.total_coeff_c[pl][bx] != 0 : !n.top || n.top->total_coeff_c[pl][2 + bx] != 0;
        break;
      default:
        a = bx > 0 ? n.cur.total_coeff[by * 4 + bx - 1] != 0 : !n.left || n.left->total_coeff[by * 4 + 3] != 0;
        b = by > 0 ? n.cur.total_coeff[(by - 1) * 4 + bx] != 0 : !n.top || n.top->total_coeff[12 + bx] != 0;
        break;
    }
    return a + 2 * b;
  }

  CabacDecoder d_;
  int prev_qp_delta_ = 0;
};

}  // namespace

std::unique_ptr<SyntaxReader> make_cabac_reader(std::span<const uint8_t> rbsp, size_t bit_offset, int slice_qp) {
  if (bit_offset % 8) throw Error("h264: slice data: CABAC slice data not byte aligned");
  return std::make_unique<CabacSyntax>(rbsp, bit_offset, slice_qp);
}

}  // namespace daedalus::h264
