// SPDX-License-Identifier: MIT
// The decoded picture buffer of frames (8.2.4, 8.2.5, C.4) as pure rules
// over a small description of its pictures, so that a V4L2 request's
// decode_params.dpb[] can be turned into the same description (issue 22):
// PicNum / LongTermPicNum, the initial P list (8.2.4.2.1), the list
// modification (8.2.4.3), reference marking (sliding window, MMCO 1-6) and
// libavcodec's output order (what `ffmpeg -f framemd5` shows).
#pragma once

#include <climits>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "slice_header.h"
#include "sps.h"

namespace daedalus::h264 {

// A reference frame as the list builder sees it.
struct RefFrame {
  int buffer = -1;  // which picture buffer holds it (the decoder's surface, a V4L2 dpb[] entry)
  uint32_t frame_num = 0;
  bool long_term = false;
  uint32_t long_term_frame_idx = 0;  // long_term only
  int32_t poc = 0;
};

// 8.2.4.1: PicNum of a short-term frame (FrameNumWrap), LongTermPicNum of a
// long-term one.
int64_t pic_num(const RefFrame& f, uint32_t cur_frame_num, uint32_t max_frame_num);

// 8.2.4.2.1 then 8.2.4.3: the final RefPicList0 of a P slice as indices
// into `refs`, num_ref_idx_l0_active entries; -1 where no picture is (an
// initial list shorter than the active count, 8.2.4.2). Throws
// daedalus::Error when a modification names a picture that is not there.
std::vector<int> build_p_list(std::span<const RefFrame> refs, const SliceHeader& sh, uint32_t max_frame_num);

// The reference marking state of frames: what the next picture's lists are
// built from.
class RefMarking {
 public:
  // Refuses a frame_num gap (7.4.3) with a named error; call before
  // decoding a picture's slices. PrevRefFrameNum is that of the last
  // picture marked.
  void check_frame_num(const Sps& sps, const SliceHeader& sh) const;
  // 8.2.5 after decoding the picture in `buffer` (a reference picture:
  // nal_ref_idc != 0): IDR, sliding window or the MMCOs, then the picture
  // itself. Throws daedalus::Error on operations naming missing pictures
  // and on more references than max_num_ref_frames.
  void mark(const Sps& sps, const SliceHeader& sh, int buffer, int32_t poc);
  const std::vector<RefFrame>& refs() const { return refs_; }
  bool holds(int buffer) const;

 private:
  void unmark_long_term_idx(uint32_t idx, int except_buffer);
  std::vector<RefFrame> refs_;
  std::optional<uint32_t> max_long_term_frame_idx_;  // none: "no long-term frame indices"
  std::optional<uint32_t> prev_ref_frame_num_;       // none before the first IDR
};

// libavcodec's output order (h264_select_output_frame): pictures wait in a
// delay queue of has_b_frames pictures (the SPS's max_num_reorder_frames,
// or grown when POCs arrive out of order); the lowest POC since the last
// IDR / MMCO 5 goes out first; a picture whose POC is below the last one
// output is dropped, as libavcodec drops it.
class OutputOrder {
 public:
  struct Picture {
    int id;  // the caller's handle
    int32_t poc;
    bool barrier;  // IDR or MMCO 5: no picture before it waits for one after it
    bool b_slices;  // libavcodec's pict_type B: reordering is expected
  };
  // A decoded picture; returns the ids to output now (at most one) and
  // those dropped, in that order in `dropped`.
  std::optional<int> push(const Sps& sps, Picture pic, std::vector<int>& dropped);
  // End of stream: every waiting picture in output order.
  std::vector<int> flush();
  bool waiting(int id) const;

 private:
  size_t pick() const;
  static constexpr int kMaxDpbFrames = 16;
  std::vector<Picture> delayed_;
  int has_b_frames_ = 0;
  int64_t next_output_poc_ = INT32_MIN;
  std::vector<int64_t> last_pocs_ = std::vector<int64_t>(kMaxDpbFrames, INT32_MIN);
};

}  // namespace daedalus::h264
