// SPDX-License-Identifier: MIT
// The CAVLC side of SyntaxReader (7.3.5 with ue(v) / me(v) / se(v), 9.2).
#include "cavlc.h"
#include "macroblock_syntax.h"

namespace daedalus::h264 {
namespace {

// Table 9-4, the Intra_4x4 / Intra_8x8 column: codeNum -> coded_block_pattern.
constexpr uint8_t kIntraCbp[48] = {47, 31, 15, 0,  23, 27, 29, 30, 7,  11, 13, 14, 39, 43, 45, 46,
                                   16, 3,  5,  10, 12, 19, 21, 26, 28, 35, 37, 42, 44, 1,  2,  4,
                                   8,  17, 18, 20, 24, 6,  9,  22, 25, 32, 33, 34, 36, 40, 38, 41};

// Table 9-4, the Inter column.
constexpr uint8_t kInterCbp[48] = {0,  16, 1,  2,  4,  8,  32, 3,  5,  10, 12, 15, 47, 7,  11, 13,
                                   14, 6,  9,  31, 35, 37, 42, 44, 33, 34, 36, 40, 39, 43, 45, 46,
                                   17, 18, 20, 24, 19, 21, 26, 28, 23, 27, 29, 30, 22, 25, 38, 41};

// 9.2.1: nC from the counts of the blocks to the left (A) and above (B).
int predict_nc(bool has_a, int na, bool has_b, int nb) {
  if (has_a && has_b) return (na + nb + 1) >> 1;
  if (has_a) return na;
  if (has_b) return nb;
  return 0;
}

class CavlcSyntax final : public SyntaxReader {
 public:
  CavlcSyntax(std::span<const uint8_t> rbsp, size_t bit_offset) : r_(rbsp, "slice data") {
    for (size_t i = 0; i < bit_offset; ++i) r_.bit();
  }
  uint32_t mb_type(const MbNeighbours&) override { return r_.ue("mb_type", 25); }
  bool transform_size_8x8_flag(const MbNeighbours&) override { return r_.flag(); }
  bool prev_intra_pred_mode_flag() override { return r_.flag(); }
  int rem_intra_pred_mode() override { return int(r_.bits(3)); }
  int intra_chroma_pred_mode(const MbNeighbours&) override { return int(r_.ue("intra_chroma_pred_mode", 3)); }
  int coded_block_pattern(const MbNeighbours&) override { return kIntraCbp[r_.ue("coded_block_pattern", 47)]; }
  int coded_block_pattern_inter(const MbNeighbours&) override {
    return kInterCbp[r_.ue("coded_block_pattern", 47)];
  }
  // mb_skip_run (7.3.4): the run is read before a macroblock when none is
  // pending; after the run's last skipped macroblock the next one is coded
  // without a run of its own if the slice goes on.
  bool mb_skip(const MbNeighbours&) override {
    if (skip_run_ < 0) skip_run_ = int64_t(r_.ue("mb_skip_run", 139264));
    if (skip_run_ > 0) {
      --skip_run_;
      return true;
    }
    skip_run_ = -1;
    return false;
  }
  uint32_t mb_type_p(const MbNeighbours&) override { return r_.ue("mb_type", 30); }
  int sub_mb_type_p() override { return int(r_.ue("sub_mb_type", 3)); }
  int ref_idx(int max) override { return max == 1 ? !r_.flag() : int(r_.ue("ref_idx_l0", uint32_t(max))); }
  int mvd(int) override { return r_.se("mvd_l0", -32768, 32767); }
  int mb_qp_delta() override { return r_.se("mb_qp_delta", -26, 25); }
  void end_macroblock(int) override {}
  bool reads_8x8_blocks() const override { return false; }

  int residual_block(BlockKind kind, int pl, int bx, int by, const MbNeighbours& n, int32_t* levels) override {
    switch (kind) {
      case BlockKind::kChromaDc: return read_residual_block_cavlc(r_, -1, 0, 3, 4, levels);
      case BlockKind::kChromaAc: {
        const bool ha = bx > 0 || n.left, hb = by > 0 || n.top;
        const int na = bx > 0 ? n.cur.total_coeff_c[pl][by * 2 + bx - 1] : ha ? n.left->total_coeff_c[pl][by * 2 + 1] : 0;
        const int nb = by > 0 ? n.cur.total_coeff_c[pl][bx] : hb ? n.top->total_coeff_c[pl][2 + bx] : 0;
        return read_residual_block_cavlc(r_, predict_nc(ha, na, hb, nb), 0, 14, 15, levels);
      }
      default: {
        const bool ha = bx > 0 || n.left, hb = by > 0 || n.top;
        const int na = bx > 0 ? n.cur.total_coeff[by * 4 + bx - 1] : ha ? n.left->total_coeff[by * 4 + 3] : 0;
        const int nb = by > 0 ? n.cur.total_coeff[(by - 1) * 4 + bx] : hb ? n.top->total_coeff[12 + bx] : 0;
        const int nc = predict_nc(ha, na, hb, nb);
        if (kind == BlockKind::kLumaAc) return read_residual_block_cavlc(r_, nc, 0, 14, 15, levels);
        return read_residual_block_cavlc(r_, nc, 0, 15, 16, levels);  // DC and 4x4
      }
    }
  }

  void pcm_samples(int16_t* out) override {
    while (!r_.byte_aligned())
      if (r_.bit()) r_.fail("pcm_alignment_zero_bit is 1");
    for (int i = 0; i < 384; ++i) out[i] = int16_t(r_.bits(8));
  }
  bool more_macroblocks() override { return skip_run_ > 0 || r_.more_rbsp_data(); }
  [[noreturn]] void fail(const std::string& message) const override { r_.fail(message); }

 private:
  RbspReader r_;
  int64_t skip_run_ = -1;  // skipped macroblocks still to come; -1: read a run
};

}  // namespace

std::unique_ptr<SyntaxReader> make_cavlc_reader(std::span<const uint8_t> rbsp, size_t bit_offset) {
  return std::make_unique<CavlcSyntax>(rbsp, bit_offset);
}

}  // namespace daedalus::h264
