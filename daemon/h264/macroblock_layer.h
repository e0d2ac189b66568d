// SPDX-License-Identifier: MIT
// The macroblock layer of I and P slices (7.3.4 slice_data, 7.3.5
// macroblock_layer, 7.3.5.1 mb_pred, 7.3.5.2 sub_mb_pred, 7.3.5.3
// residual) over a SyntaxReader (macroblock_syntax.h): mb_type, the intra
// prediction modes (8.3.1.1, 8.3.2.1), P_Skip, reference indices and motion
// vectors with their prediction (8.4.1), coded_block_pattern, mb_qp_delta
// and the residual blocks, dequantised into the picture's H264FrameWork
// (dispatch/include/daedalus/dispatch/h264_work.h).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "daedalus/dispatch/dispatch.h"
#include "macroblock_syntax.h"
#include "stream_parser.h"

namespace daedalus::h264 {

class PictureBuilder {
 public:
  // Starts a picture of the SPS's size: every macroblock not decoded yet.
  void begin(const Sps& sps);
  // Decodes one slice of the picture into its macroblock records.
  // `ref_list`: a P slice's RefPicList0 as picture buffers (-1: no
  // picture), dpb.h's build_p_list. Throws daedalus::Error on corrupt slice
  // data and on what is not decoded yet (B slices, CABAC P slices) with a
  // message that names it.
  void add_slice(const ParsedSlice& slice, std::span<const int> ref_list = {});
  bool complete() const { return decoded_ == work_.params.num_mbs; }
  // The picture's work; throws when macroblocks are missing.
  const dispatch::H264FrameWork& work() const;
  // The picture buffers behind the work's reference indices
  // (dd_h264_inter_block::ref).
  const std::vector<int>& ref_buffers() const { return ref_buffers_; }

 private:
  struct MvNeighbour {
    bool available = false;
    int ref = -1;
    int mv[2] = {0, 0};
  };
  struct SliceRefs;
  bool available(int mb_x, int mb_y, int slice) const;
  void decode_macroblock(SyntaxReader& r, const ParsedSlice& s, const SliceRefs& refs, int addr, int& qp);
  void decode_intra(SyntaxReader& r, const ParsedSlice& s, uint32_t mb_type, int addr, int& qp);
  void decode_inter(SyntaxReader& r, const ParsedSlice& s, const SliceRefs& refs, uint32_t mb_type, int addr,
                    int& qp);
  void decode_skip(const ParsedSlice& s, const SliceRefs& refs, int addr, int qp);
  void residual(SyntaxReader& r, const ParsedSlice& s, int addr, int cbp, bool transform8x8, bool intra, int& qp);
  MvNeighbour neighbour(int addr, int bx, int by, uint16_t decoded) const;
  void predict_mv(int addr, int x, int y, int w, int h, int ref, int shape, uint16_t decoded, int (&mvp)[2]) const;
  void add_partition(const ParsedSlice& s, const SliceRefs& refs, int addr, int x, int y, int w, int h, int ref_idx,
                     const int (&mv)[2]);

  dispatch::H264FrameWork work_;
  std::vector<MbState> state_;
  std::vector<int> ref_buffers_;
  uint32_t decoded_ = 0;
  int slices_ = 0;
};

}  // namespace daedalus::h264
