// SPDX-License-Identifier: MIT
// Picture order count (spec 8.2.1) of frames, for all three
// pic_order_cnt_types. The state carried from picture to picture
// (prevPicOrderCntMsb/Lsb of the previous reference picture,
// prevFrameNum/prevFrameNumOffset of the previous picture, and what a
// memory_management_control_operation 5 resets) lives here.
#pragma once

#include <algorithm>
#include <cstdint>

#include "slice_header.h"
#include "sps.h"

namespace daedalus::h264 {

struct PictureOrderCount {
  int32_t top = 0;     // TopFieldOrderCnt
  int32_t bottom = 0;  // BottomFieldOrderCnt
  int32_t frame() const { return std::min(top, bottom); }  // PicOrderCnt of a frame
  // A picture with memory_management_control_operation 5 is decoded with
  // the counts above and afterwards counts from itself (8.2.1,
  // tempPicOrderCnt): these are its counts in the DPB and for output.
  PictureOrderCount after_mmco5() const { return {top - frame(), bottom - frame()}; }
};

class PocCalculator {
 public:
  // The POC of the frame whose first slice header is `sh`, given every
  // earlier picture of the stream was passed here in decoding order. Throws
  // daedalus::Error for field pictures and for counts outside 32 bits.
  PictureOrderCount next(const Sps& sps, const SliceHeader& sh);

  // Forget the stream (a seek to an IDR picture).
  void reset() { *this = PocCalculator(); }

 private:
  // Type 0: of the previous reference picture.
  int64_t prev_poc_msb_ = 0;
  int64_t prev_poc_lsb_ = 0;
  // Types 1 and 2: of the previous picture.
  uint32_t prev_frame_num_ = 0;
  int64_t prev_frame_num_offset_ = 0;
};

}  // namespace daedalus::h264
