// SPDX-License-Identifier: MIT
// The DPB rules of dpb.h worked out by hand from the spec: PicNum with
// frame_num wrapping, the initial P list (8.2.4.2.1), its modification
// (8.2.4.3), sliding window and MMCO marking (8.2.5), frame_num gaps, and
// libavcodec's output order.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "daedalus/error.h"
#include "dpb.h"

namespace daedalus::h264 {
namespace {

SliceHeader p_slice(uint32_t frame_num, int active) {
  SliceHeader h;
  h.nal_unit_type = kNalSlice;
  h.nal_ref_idc = 1;
  h.slice_type = kSliceP;
  h.frame_num = frame_num;
  h.num_ref_idx_l0_active_minus1 = uint8_t(active - 1);
  return h;
}

Sps sps_with(int max_refs, int log2_max_frame_num = 4) {
  Sps s;
  s.max_num_ref_frames = uint8_t(max_refs);
  s.log2_max_frame_num_minus4 = uint8_t(log2_max_frame_num - 4);
  return s;
}

std::vector<int> buffers(const std::vector<RefFrame>& refs, const std::vector<int>& list) {
  std::vector<int> out;
  for (int i : list) out.push_back(i < 0 ? -1 : refs[size_t(i)].buffer);
  return out;
}

TEST(DpbLists, ShortTermByDescendingPicNumThenLongTermAscending) {
  const std::vector<RefFrame> refs = {
      {10, 0, false, 0, 0}, {11, 2, false, 0, 4}, {12, 1, false, 0, 2}, {13, 0, true, 3, 0}, {14, 0, true, 1, 0}};
  const auto list = build_p_list(refs, p_slice(3, 5), 16);
  EXPECT_EQ(buffers(refs, list), (std::vector<int>{11, 12, 10, 14, 13}));
}

TEST(DpbLists, FrameNumWrapsBelowTheCurrentPicture) {
  // max_frame_num 16, current 1: frame_num 15 and 14 are PicNum -1 and -2.
  const std::vector<RefFrame> refs = {{1, 14, false, 0, 0}, {2, 15, false, 0, 0}, {3, 0, false, 0, 0}};
  EXPECT_EQ(pic_num(refs[0], 1, 16), -2);
  EXPECT_EQ(buffers(refs, build_p_list(refs, p_slice(1, 3), 16)), (std::vector<int>{3, 2, 1}));
}

TEST(DpbLists, CutToTheActiveCountOrPaddedWithNoPicture) {
  const std::vector<RefFrame> refs = {{1, 0, false, 0, 0}, {2, 1, false, 0, 0}};
  EXPECT_EQ(buffers(refs, build_p_list(refs, p_slice(2, 1), 16)), (std::vector<int>{2}));
  EXPECT_EQ(buffers(refs, build_p_list(refs, p_slice(2, 3), 16)), (std::vector<int>{2, 1, -1}));
}

TEST(DpbLists, ModificationMovesPicturesToTheFront) {
  const std::vector<RefFrame> refs = {
      {1, 0, false, 0, 0}, {2, 1, false, 0, 0}, {3, 2, false, 0, 0}, {4, 3, false, 0, 0}, {5, 0, true, 0, 0}};
  SliceHeader h = p_slice(4, 4);
  h.ref_pic_list_modification_flag[0] = true;
  h.num_ref_pic_list_modifications[0] = 3;
  // picNumPred 4 - 3 = 1 (frame_num 1), then 1 + 1 = 2, then long-term 0.
  h.ref_pic_list_modification[0][0] = {0, 2, 0};
  h.ref_pic_list_modification[0][1] = {1, 0, 0};
  h.ref_pic_list_modification[0][2] = {2, 0, 0};
  // Initial: 4 3 2 1 (5 cut); after: 2 3 5 4.
  EXPECT_EQ(buffers(refs, build_p_list(refs, h, 16)), (std::vector<int>{2, 3, 5, 4}));
}

TEST(DpbLists, ModificationWrapsPicNumPred) {
  // Current frame_num 1 of 16: 1 - 3 = -2 wraps to 14, which is PicNum -2.
  const std::vector<RefFrame> refs = {{1, 14, false, 0, 0}, {2, 0, false, 0, 0}};
  SliceHeader h = p_slice(1, 2);
  h.ref_pic_list_modification_flag[0] = true;
  h.num_ref_pic_list_modifications[0] = 1;
  h.ref_pic_list_modification[0][0] = {0, 2, 0};
  EXPECT_EQ(buffers(refs, build_p_list(refs, h, 16)), (std::vector<int>{1, 2}));
}

TEST(DpbLists, ModificationOfAMissingPictureThrows) {
  const std::vector<RefFrame> refs = {{1, 0, false, 0, 0}};
  SliceHeader h = p_slice(2, 1);
  h.ref_pic_list_modification_flag[0] = true;
  h.num_ref_pic_list_modifications[0] = 1;
  h.ref_pic_list_modification[0][0] = {2, 0, 7};
  EXPECT_THROW(build_p_list(refs, h, 16), Error);
}

SliceHeader idr() {
  SliceHeader h;
  h.nal_unit_type = kNalIdrSlice;
  h.nal_ref_idc = 3;
  h.slice_type = kSliceI;
  return h;
}

TEST(DpbMarking, SlidingWindowDropsTheSmallestFrameNumWrap) {
  const Sps sps = sps_with(2);
  RefMarking m;
  m.mark(sps, idr(), 0, 0);
  m.mark(sps, p_slice(1, 1), 1, 2);
  m.mark(sps, p_slice(2, 1), 2, 4);
  EXPECT_FALSE(m.holds(0));
  EXPECT_TRUE(m.holds(1));
  EXPECT_TRUE(m.holds(2));
  // Across the wrap: 15 is older than 0.
  RefMarking w;
  w.mark(sps, idr(), 0, 0);
  for (uint32_t f = 1; f < 18; ++f) w.mark(sps, p_slice(f % 16, 1), int(f), 0);
  EXPECT_EQ(w.refs().size(), 2u);
  EXPECT_TRUE(w.holds(16));
  EXPECT_TRUE(w.holds(17));
}

TEST(DpbMarking, MemoryManagementControlOperations) {
  const Sps sps = sps_with(4);
  RefMarking m;
  m.mark(sps, idr(), 0, 0);
  m.mark(sps, p_slice(1, 1), 1, 2);
  m.mark(sps, p_slice(2, 1), 2, 4);
  SliceHeader h = p_slice(3, 1);
  h.adaptive_ref_pic_marking_mode_flag = true;
  h.num_mmco_ops = 3;
  h.mmco[0].memory_management_control_operation = 4;  // MaxLongTermFrameIdx = 1
  h.mmco[0].max_long_term_frame_idx_plus1 = 2;
  h.mmco[1].memory_management_control_operation = 3;  // PicNum 3 - 3 = 0 -> long-term 1
  h.mmco[1].difference_of_pic_nums_minus1 = 2;
  h.mmco[1].long_term_frame_idx = 1;
  h.mmco[2].memory_management_control_operation = 1;  // PicNum 3 - 1 = 2 unused
  m.mark(sps, h, 3, 6);
  ASSERT_EQ(m.refs().size(), 3u);
  EXPECT_FALSE(m.holds(2));
  const std::vector<int> list = build_p_list(m.refs(), p_slice(4, 3), 16);
  EXPECT_EQ(buffers(m.refs(), list), (std::vector<int>{3, 1, 0}));
  EXPECT_TRUE(m.refs()[0].long_term);

  // MMCO 6 takes long-term index 1 from picture 0; MMCO 2 then fails on it.
  SliceHeader h6 = p_slice(4, 1);
  h6.adaptive_ref_pic_marking_mode_flag = true;
  h6.num_mmco_ops = 1;
  h6.mmco[0].memory_management_control_operation = 6;
  h6.mmco[0].long_term_frame_idx = 1;
  m.mark(sps, h6, 4, 8);
  EXPECT_FALSE(m.holds(0));
  SliceHeader h2 = p_slice(5, 1);
  h2.adaptive_ref_pic_marking_mode_flag = true;
  h2.num_mmco_ops = 1;
  h2.mmco[0].memory_management_control_operation = 2;
  h2.mmco[0].long_term_pic_num = 0;
  EXPECT_THROW(m.mark(sps, h2, 5, 10), Error);

  // MMCO 5: nothing left but the picture itself, as frame_num 0.
  SliceHeader h5 = p_slice(5, 1);
  h5.adaptive_ref_pic_marking_mode_flag = true;
  h5.num_mmco_ops = 1;
  h5.mmco[0].memory_management_control_operation = 5;
  m.mark(sps, h5, 6, 0);
  ASSERT_EQ(m.refs().size(), 1u);
  EXPECT_EQ(m.refs()[0].frame_num, 0u);
  EXPECT_NO_THROW(m.check_frame_num(sps, p_slice(1, 1)));
}

TEST(DpbMarking, FrameNumGapIsRefusedByName) {
  const Sps sps = sps_with(2);
  RefMarking m;
  m.mark(sps, idr(), 0, 0);
  EXPECT_NO_THROW(m.check_frame_num(sps, p_slice(1, 1)));
  EXPECT_NO_THROW(m.check_frame_num(sps, p_slice(0, 1)));  // a non-reference picture's repeat
  try {
    m.check_frame_num(sps, p_slice(3, 1));
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("h264: frame_num gap"), std::string::npos) << e.what();
  }
}

TEST(DpbOutput, InOrderPicturesGoOutAtOnce) {
  const Sps sps = sps_with(1);
  OutputOrder o;
  std::vector<int> dropped;
  EXPECT_EQ(o.push(sps, {0, 0, true, false}, dropped), 0);
  EXPECT_EQ(o.push(sps, {1, 2, false, false}, dropped), 1);
  EXPECT_EQ(o.push(sps, {2, 4, false, false}, dropped), 2);
  EXPECT_TRUE(o.flush().empty());
  EXPECT_TRUE(dropped.empty());
}

TEST(DpbOutput, ReorderDepthFromTheSps) {
  Sps sps = sps_with(2);
  sps.vui.bitstream_restriction_flag = true;
  sps.vui.max_num_reorder_frames = 1;
  OutputOrder o;
  std::vector<int> dropped;
  // Decoding order I0 P4 B2 P8 B6: output 0 2 4 6 8.
  EXPECT_EQ(o.push(sps, {0, 0, true, false}, dropped), std::nullopt);
  EXPECT_EQ(o.push(sps, {1, 4, false, false}, dropped), 0);
  EXPECT_EQ(o.push(sps, {2, 2, false, true}, dropped), 2);
  EXPECT_EQ(o.push(sps, {3, 8, false, false}, dropped), 1);
  EXPECT_EQ(o.push(sps, {4, 6, false, true}, dropped), 4);
  EXPECT_EQ(o.flush(), (std::vector<int>{3}));
  EXPECT_TRUE(dropped.empty());
}

TEST(DpbOutput, WithoutReorderInfoALatePictureIsDropped) {
  // No bitstream_restriction: has_b_frames starts at 0, so the B picture
  // (POC 1 after 2 went out) is dropped, and the delay grows to 1.
  const Sps sps = sps_with(2);
  OutputOrder o;
  std::vector<int> dropped;
  EXPECT_EQ(o.push(sps, {0, 0, true, false}, dropped), 0);
  EXPECT_EQ(o.push(sps, {1, 2, false, false}, dropped), 1);
  EXPECT_EQ(o.push(sps, {2, 1, false, true}, dropped), std::nullopt);
  EXPECT_EQ(dropped, (std::vector<int>{2}));
  EXPECT_EQ(o.push(sps, {3, 4, false, false}, dropped), std::nullopt);
  EXPECT_EQ(o.push(sps, {4, 3, false, true}, dropped), 4);
  EXPECT_EQ(o.flush(), (std::vector<int>{3}));
}

TEST(DpbOutput, APocStepAboveTwoGrowsTheDelay) {
  // libavcodec's heuristic: POCs 4 apart mean B pictures may come.
  const Sps sps = sps_with(2);
  OutputOrder o;
  std::vector<int> dropped;
  EXPECT_EQ(o.push(sps, {0, 0, true, false}, dropped), 0);
  EXPECT_EQ(o.push(sps, {1, 4, false, false}, dropped), std::nullopt);
  EXPECT_EQ(o.push(sps, {2, 8, false, false}, dropped), 1);
  EXPECT_EQ(o.flush(), (std::vector<int>{2}));
}

}  // namespace
}  // namespace daedalus::h264
