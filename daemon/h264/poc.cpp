// SPDX-License-Identifier: MIT
#include "poc.h"

#include <limits>
#include <string>

#include "daedalus/error.h"

namespace daedalus::h264 {
namespace {

int32_t checked(int64_t v) {
  if (v < std::numeric_limits<int32_t>::min() || v > std::numeric_limits<int32_t>::max())
    throw Error("h264: picture order count " + std::to_string(v) + " does not fit 32 bits");
  return static_cast<int32_t>(v);
}

// Values that no valid stream reaches but corrupt ones may: kept far from
// int64_t overflow, then rejected by checked().
constexpr int64_t kLimit = int64_t{1} << 40;

}  // namespace

PictureOrderCount PocCalculator::next(const Sps& sps, const SliceHeader& sh) {
  if (sh.field_pic_flag) throw Error("h264: picture order count of field pictures is not supported");
  const bool idr = sh.idr();
  const bool reference = sh.nal_ref_idc != 0;
  const bool mmco5 = sh.has_mmco5();
  PictureOrderCount poc;

  // FrameNumOffset (8-6, 8-11): types 1 and 2.
  int64_t frame_num_offset = 0;
  if (!idr) {
    frame_num_offset = prev_frame_num_offset_;
    if (prev_frame_num_ > sh.frame_num) frame_num_offset += sps.max_frame_num();
    if (frame_num_offset > kLimit) throw Error("h264: FrameNumOffset out of range");
  }

  if (sps.pic_order_cnt_type == 0) {
    const int64_t prev_msb = idr ? 0 : prev_poc_msb_;
    const int64_t prev_lsb = idr ? 0 : prev_poc_lsb_;
    const int64_t lsb = sh.pic_order_cnt_lsb;
    const int64_t max_lsb = sps.max_pic_order_cnt_lsb();
    int64_t msb = prev_msb;
    if (lsb < prev_lsb && prev_lsb - lsb >= max_lsb / 2)
      msb = prev_msb + max_lsb;
    else if (lsb > prev_lsb && lsb - prev_lsb > max_lsb / 2)
      msb = prev_msb - max_lsb;
    if (msb > kLimit || msb < -kLimit) throw Error("h264: PicOrderCntMsb out of range");
    poc.top = checked(msb + lsb);
    poc.bottom = checked(int64_t{poc.top} + sh.delta_pic_order_cnt_bottom);
    if (reference) {
      // After an MMCO 5 the picture counts as POC 0 relative to itself
      // (8.2.1: tempPicOrderCnt subtracted).
      prev_poc_msb_ = mmco5 ? 0 : msb;
      prev_poc_lsb_ = mmco5 ? poc.after_mmco5().top : lsb;
    }
  } else if (sps.pic_order_cnt_type == 1) {
    const int n = sps.num_ref_frames_in_pic_order_cnt_cycle;
    int64_t abs_frame_num = n != 0 ? frame_num_offset + sh.frame_num : 0;
    if (!reference && abs_frame_num > 0) --abs_frame_num;
    int64_t expected = 0;
    if (abs_frame_num > 0) {
      const int64_t cycle_count = (abs_frame_num - 1) / n;
      const int64_t frame_num_in_cycle = (abs_frame_num - 1) % n;
      // |ExpectedDeltaPerPicOrderCntCycle| < 2^39 and cycle_count < 2^40:
      // the product can leave int64_t, so bound it first.
      const int64_t delta = sps.expected_delta_per_poc_cycle();
      if (delta != 0 && cycle_count > (int64_t{1} << 62) / (delta < 0 ? -delta : delta))
        throw Error("h264: picture order count out of range");
      expected = cycle_count * delta;
      for (int64_t i = 0; i <= frame_num_in_cycle; ++i) expected += sps.offset_for_ref_frame[i];
    }
    if (!reference) expected += sps.offset_for_non_ref_pic;
    poc.top = checked(expected + sh.delta_pic_order_cnt[0]);
    poc.bottom = checked(int64_t{poc.top} + sps.offset_for_top_to_bottom_field + sh.delta_pic_order_cnt[1]);
  } else {
    int64_t temp = 0;
    if (!idr) temp = 2 * (frame_num_offset + sh.frame_num) - (reference ? 0 : 1);
    poc.top = poc.bottom = checked(temp);
  }

  prev_frame_num_ = mmco5 ? 0 : sh.frame_num;
  prev_frame_num_offset_ = mmco5 ? 0 : frame_num_offset;
  return poc;
}

}  // namespace daedalus::h264
