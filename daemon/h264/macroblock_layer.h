// SPDX-License-Identifier: MIT
// The macroblock layer of I slices (7.3.4 slice_data, 7.3.5 macroblock_layer,
// 7.3.5.1 mb_pred, 7.3.5.3 residual), CAVLC or CABAC (macroblock_syntax.h):
// mb_type, the intra prediction modes (8.3.1.1, 8.3.2.1),
// coded_block_pattern, mb_qp_delta and the residual blocks, dequantised
// into the picture's H264FrameWork
// (dispatch/include/daedalus/dispatch/h264_work.h).
#pragma once

#include <cstdint>
#include <vector>

#include "daedalus/dispatch/dispatch.h"
#include "macroblock_syntax.h"
#include "stream_parser.h"

namespace daedalus::h264 {

class IntraPictureBuilder {
 public:
  // Starts a picture of the SPS's size: every macroblock not decoded yet.
  void begin(const Sps& sps);
  // Decodes one slice of the picture into its macroblock records. Throws
  // daedalus::Error on corrupt slice data and on what is not decoded yet
  // (P / B slices) with a message that names it.
  void add_slice(const ParsedSlice& slice);
  bool complete() const { return decoded_ == work_.params.num_mbs; }
  // The picture's work; throws when macroblocks are missing.
  const dispatch::H264FrameWork& work() const;

 private:
  bool available(int mb_x, int mb_y, int slice) const;
  void decode_macroblock(SyntaxReader& r, const ParsedSlice& s, int addr, int& qp);

  dispatch::H264FrameWork work_;
  std::vector<MbState> state_;
  uint32_t decoded_ = 0;
  int slices_ = 0;
};

}  // namespace daedalus::h264
