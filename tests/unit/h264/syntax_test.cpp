// SPDX-License-Identifier: MIT
// Parameter sets written bit by bit for what the x264 corpus does not
// make: scaling list fall-back rule B, values out of range, the features
// we refuse; and picture order counts worked out by hand from 8.2.1.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "bit_writer.h"
#include "daedalus/error.h"
#include "poc.h"
#include "pps.h"
#include "scaling_lists.h"
#include "sps.h"
#include "stream_parser.h"
#include "support.h"

namespace daedalus::h264 {
namespace {

using bridge::BitWriter;

// A scaling list whose every entry is `value`: the first delta reaches it,
// the second makes nextScale 0, which repeats it to the end.
void write_constant_list(BitWriter& w, int value) {
  w.se(value - 8);
  w.se(-value);
}

struct SpsOptions {
  int profile_idc = 100;
  int chroma_format_idc = 1;
  int bit_depth_luma_minus8 = 0;
  bool frame_mbs_only = true;
  // -1: not present; 0: present but not coded; 1..255: a constant list;
  // 256: UseDefaultScalingMatrixFlag.
  std::vector<int> lists;
  uint32_t width_mbs_minus1 = 1, height_mbs_minus1 = 1;
  bool cropping = false;
  uint32_t crop[4] = {};
};

void write_lists(BitWriter& w, const std::vector<int>& lists) {
  for (int v : lists) {
    w.bit(v > 0);
    if (v == 256)
      w.se(-8);
    else if (v > 0)
      write_constant_list(w, v);
  }
}

std::vector<uint8_t> sps_rbsp(const SpsOptions& o) {
  BitWriter w;
  w.bits(o.profile_idc, 8);
  w.bits(0, 8);   // constraint flags, reserved
  w.bits(30, 8);  // level_idc
  w.ue(0);        // seq_parameter_set_id
  if (o.profile_idc >= 100) {
    w.ue(o.chroma_format_idc);
    if (o.chroma_format_idc == 3) w.bit(false);
    w.ue(o.bit_depth_luma_minus8);
    w.ue(o.bit_depth_luma_minus8);
    w.bit(false);  // qpprime_y_zero_transform_bypass_flag
    w.bit(!o.lists.empty());
    write_lists(w, o.lists);
  }
  w.ue(0);  // log2_max_frame_num_minus4
  w.ue(0);  // pic_order_cnt_type
  w.ue(0);  // log2_max_pic_order_cnt_lsb_minus4
  w.ue(1);  // max_num_ref_frames
  w.bit(false);
  w.ue(o.width_mbs_minus1);
  w.ue(o.height_mbs_minus1);
  w.bit(o.frame_mbs_only);
  if (!o.frame_mbs_only) w.bit(true);  // mb_adaptive_frame_field_flag
  w.bit(true);                         // direct_8x8_inference_flag
  w.bit(o.cropping);
  if (o.cropping)
    for (uint32_t c : o.crop) w.ue(c);
  w.bit(false);  // vui_parameters_present_flag
  w.trailing_bits();
  return w.bytes();
}

std::vector<uint8_t> pps_rbsp(const std::vector<int>& lists, bool transform_8x8, int slice_groups_minus1 = 0) {
  BitWriter w;
  w.ue(0);  // pic_parameter_set_id
  w.ue(0);  // seq_parameter_set_id
  w.bit(true);
  w.bit(false);
  w.ue(slice_groups_minus1);
  w.ue(0);
  w.ue(0);
  w.bit(false);
  w.bits(0, 2);
  w.se(0);
  w.se(0);
  w.se(-2);  // chroma_qp_index_offset
  w.bit(true);
  w.bit(false);
  w.bit(false);
  w.bit(transform_8x8);
  w.bit(!lists.empty());
  write_lists(w, lists);
  w.se(3);  // second_chroma_qp_index_offset
  w.trailing_bits();
  return w.bytes();
}

template <size_t N>
std::array<uint8_t, N> constant(int v) {
  std::array<uint8_t, N> a;
  a.fill(static_cast<uint8_t>(v));
  return a;
}

std::string error_of(const auto& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}

// The frame zig-zag scan built from its definition: anti-diagonals, the
// first going up-right (JPEG's order, which H.264's frame scans are).
template <int N>
std::array<uint8_t, N * N> zigzag() {
  std::array<uint8_t, N * N> scan{};
  int k = 0;
  for (int d = 0; d < 2 * N - 1; ++d)
    for (int i = 0; i <= d; ++i) {
      const int row = d % 2 == 0 ? d - i : i;
      const int col = d - row;
      if (row < N && col < N) scan[k++] = static_cast<uint8_t>(row * N + col);
    }
  return scan;
}

TEST(ScalingLists, ZigzagScansAreTheAntiDiagonals) {
  EXPECT_EQ(kZigzag4x4, zigzag<4>());
  EXPECT_EQ(kZigzag8x8, zigzag<8>());
}

TEST(ScalingLists, DefaultListsGrowAwayFromDc) {
  // Table 7-3/7-4 values, spot-checked at DC, the first AC and the end.
  EXPECT_EQ(kDefault4x4Intra[0], 6);
  EXPECT_EQ(kDefault4x4Intra[15], 42);
  EXPECT_EQ(kDefault4x4Inter[0], 10);
  EXPECT_EQ(kDefault4x4Inter[15], 34);
  EXPECT_EQ(kDefault8x8Intra[0], 6);
  EXPECT_EQ(kDefault8x8Intra[1], 10);
  EXPECT_EQ(kDefault8x8Intra[63], 42);
  EXPECT_EQ(kDefault8x8Inter[8], 13);
  EXPECT_EQ(kDefault8x8Inter[63], 35);
}

TEST(ScalingLists, NoMatrixIsFlat) {
  const Sps sps = parse_sps(sps_rbsp({}));
  EXPECT_EQ(sps.scaling_matrix, flat_scaling_matrix());
  const Pps pps = parse_pps(pps_rbsp({}, true), sps);
  EXPECT_EQ(pps.scaling_matrix, flat_scaling_matrix());
  EXPECT_EQ(pps.second_chroma_qp_index_offset, 3);
}

TEST(ScalingLists, SpsFallBackRuleA) {
  SpsOptions o;
  o.lists = {20, 0, 0, 0, 256, 0, 0, 40};
  const Sps sps = parse_sps(sps_rbsp(o));
  for (int i : {0, 1, 2}) EXPECT_EQ(sps.scaling_matrix.list4x4[i], constant<16>(20)) << i;
  EXPECT_EQ(sps.scaling_matrix.list4x4[3], kDefault4x4Inter);
  EXPECT_EQ(sps.scaling_matrix.list4x4[4], kDefault4x4Inter);  // UseDefaultScalingMatrixFlag
  EXPECT_EQ(sps.scaling_matrix.list4x4[5], kDefault4x4Inter);
  EXPECT_EQ(sps.scaling_matrix.list8x8[0], kDefault8x8Intra);
  EXPECT_EQ(sps.scaling_matrix.list8x8[1], constant<64>(40));
}

TEST(ScalingLists, PpsFallBackRuleBTakesTheSpsLists) {
  SpsOptions o;
  o.lists = {20, 0, 0, 0, 0, 0, 0, 40};
  const Sps sps = parse_sps(sps_rbsp(o));
  const Pps pps = parse_pps(pps_rbsp({0, 0, 0, 30, 0, 0, 0, 0}, true), sps);
  const ScalingMatrix& m = pps.scaling_matrix;
  for (int i : {0, 1, 2}) EXPECT_EQ(m.list4x4[i], constant<16>(20)) << i;  // SPS list 0, then copies
  for (int i : {3, 4, 5}) EXPECT_EQ(m.list4x4[i], constant<16>(30)) << i;
  EXPECT_EQ(m.list8x8[0], kDefault8x8Intra);  // the SPS's (itself fall-back A)
  EXPECT_EQ(m.list8x8[1], constant<64>(40));
  // Without a matrix of its own, the PPS uses the SPS's lists.
  EXPECT_EQ(parse_pps(pps_rbsp({}, true), sps).scaling_matrix, sps.scaling_matrix);
}

TEST(ScalingLists, PpsFallBackRuleAWhenTheSpsHasNoMatrix) {
  const Sps sps = parse_sps(sps_rbsp({}));
  const Pps pps = parse_pps(pps_rbsp({0, 25, 0, 0, 0, 0}, false), sps);
  EXPECT_EQ(pps.scaling_matrix.list4x4[0], kDefault4x4Intra);
  EXPECT_EQ(pps.scaling_matrix.list4x4[1], constant<16>(25));
  EXPECT_EQ(pps.scaling_matrix.list4x4[2], constant<16>(25));
  EXPECT_EQ(pps.scaling_matrix.list4x4[3], kDefault4x4Inter);
  EXPECT_EQ(pps.scaling_matrix.list8x8[0], kDefault8x8Intra);
}

TEST(Sps, CroppingGivesTheDisplaySize) {
  SpsOptions o;
  o.width_mbs_minus1 = 2;  // 48x32 coded, cropped to 34x18
  o.cropping = true;
  o.crop[1] = 7;  // right, in units of 2 luma samples
  o.crop[3] = 7;  // bottom
  const Sps sps = parse_sps(sps_rbsp(o));
  EXPECT_EQ(sps.display_width(), 34u);
  EXPECT_EQ(sps.display_height(), 18u);
}

TEST(Sps, RejectsCroppingThatLeavesNothingAndHugeSizes) {
  SpsOptions o;
  o.cropping = true;
  o.crop[0] = 8;
  o.crop[1] = 8;  // 32 samples of a 32-sample-wide picture
  EXPECT_NE(error_of([&] { parse_sps(sps_rbsp(o)); }).find("h264: SPS: frame cropping"), std::string::npos);
  SpsOptions big;
  big.width_mbs_minus1 = 1024;
  EXPECT_EQ(error_of([&] { parse_sps(sps_rbsp(big)); }),
            "h264: SPS: pic_width_in_mbs_minus1 = 1024 out of range 0..1023");
}

TEST(Sps, EveryTruncationThrows) {
  SpsOptions o;
  o.lists = {20, 0, 0, 0, 256, 0, 0, 40};
  o.cropping = true;
  const auto rbsp = sps_rbsp(o);
  // Cut before the last byte (which holds the stop bit and padding).
  for (size_t n = 0; n + 1 < rbsp.size(); ++n)
    EXPECT_THROW(parse_sps(std::span(rbsp.data(), n)), Error) << n;
}

TEST(Unsupported, FeaturesAreNamed) {
  Sps sps;
  sps.frame_mbs_only_flag = false;
  sps.mb_adaptive_frame_field_flag = true;
  EXPECT_NE(error_of([&] { require_supported(sps); }).find("interlaced video (field pictures and MBAFF"),
            std::string::npos);
  sps = Sps();
  sps.chroma_format_idc = 2;
  EXPECT_NE(error_of([&] { require_supported(sps); }).find("chroma format 4:2:2"), std::string::npos);
  sps.chroma_format_idc = 0;
  EXPECT_NE(error_of([&] { require_supported(sps); }).find("4:0:0 (monochrome)"), std::string::npos);
  sps = Sps();
  sps.chroma_format_idc = 3;
  sps.separate_colour_plane_flag = true;
  EXPECT_NE(error_of([&] { require_supported(sps); }).find("separate colour planes"), std::string::npos);
  sps = Sps();
  sps.bit_depth_luma_minus8 = 2;
  sps.bit_depth_chroma_minus8 = 2;
  EXPECT_NE(error_of([&] { require_supported(sps); }).find("bit depth 10"), std::string::npos);
  sps = Sps();
  sps.qpprime_y_zero_transform_bypass_flag = true;
  EXPECT_NE(error_of([&] { require_supported(sps); }).find("lossless"), std::string::npos);
  EXPECT_NO_THROW(require_supported(Sps()));

  SliceHeader sh;
  sh.slice_type = kSliceSP + 5;
  EXPECT_EQ(error_of([&] { require_supported(sh); }), "h264: SP slices (Extended profile) are not supported");
  sh.slice_type = kSliceSI;
  EXPECT_EQ(error_of([&] { require_supported(sh); }), "h264: SI slices (Extended profile) are not supported");
}

TEST(Unsupported, SliceGroupsAndDataPartitioning) {
  const Sps sps = parse_sps(sps_rbsp({}));
  EXPECT_EQ(error_of([&] { parse_pps(pps_rbsp({}, false, 2), sps); }),
            "h264: slice groups (FMO, num_slice_groups_minus1 = 2) are not supported");
  StreamParser parser;
  const std::vector<uint8_t> partition_a = {0x62, 0x80};
  EXPECT_EQ(error_of([&] { parser.push(partition_a); }),
            "h264: data partitioning (Extended profile, NAL unit type 2) is not supported");
}

TEST(StreamParser, NamesMissingParameterSets) {
  StreamParser parser;
  std::vector<uint8_t> pps = {0x68};
  const auto rbsp = pps_rbsp({}, false);
  pps.insert(pps.end(), rbsp.begin(), rbsp.end());
  EXPECT_EQ(error_of([&] { parser.push(pps); }), "h264: PPS refers to SPS 0, which has not been sent");
  const std::vector<uint8_t> slice = {0x65, 0x88, 0x80};  // first_mb 0, slice_type 7, pps 0
  EXPECT_EQ(error_of([&] { parser.push(slice); }), "h264: slice refers to PPS 0, which has not been sent");
}

// Slice headers carrying only what PocCalculator reads.
SliceHeader picture(bool idr, int ref_idc, uint32_t frame_num, uint32_t lsb = 0) {
  SliceHeader h;
  h.nal_unit_type = idr ? kNalIdrSlice : kNalSlice;
  h.nal_ref_idc = static_cast<uint8_t>(ref_idc);
  h.frame_num = frame_num;
  h.pic_order_cnt_lsb = lsb;
  return h;
}

TEST(Poc, Type0WrapsTheLsb) {
  Sps sps;  // MaxPicOrderCntLsb 16
  PocCalculator poc;
  EXPECT_EQ(poc.next(sps, picture(true, 3, 0, 0)).frame(), 0);
  EXPECT_EQ(poc.next(sps, picture(false, 2, 1, 6)).frame(), 6);
  EXPECT_EQ(poc.next(sps, picture(false, 2, 2, 12)).frame(), 12);
  EXPECT_EQ(poc.next(sps, picture(false, 2, 3, 2)).frame(), 18);  // lsb went round
  EXPECT_EQ(poc.next(sps, picture(false, 0, 4, 14)).frame(), 14);  // back, non-reference
  // The non-reference picture did not move prevPicOrderCntMsb / Lsb.
  EXPECT_EQ(poc.next(sps, picture(false, 2, 4, 8)).frame(), 24);
}

TEST(Poc, Type0AfterMmco5CountsFromThatPicture) {
  Sps sps;
  PocCalculator poc;
  poc.next(sps, picture(true, 3, 0, 0));
  poc.next(sps, picture(false, 2, 1, 6));
  poc.next(sps, picture(false, 2, 2, 12));
  EXPECT_EQ(poc.next(sps, picture(false, 2, 3, 2)).frame(), 18);  // PicOrderCntMsb 16
  SliceHeader with_mmco5 = picture(false, 2, 4, 6);
  with_mmco5.adaptive_ref_pic_marking_mode_flag = true;
  with_mmco5.num_mmco_ops = 1;
  with_mmco5.mmco[0].memory_management_control_operation = 5;
  EXPECT_EQ(poc.next(sps, with_mmco5).frame(), 22);
  // prevPicOrderCntMsb = 0 and prevPicOrderCntLsb = 22 - 22 = 0: counting
  // starts again (without the MMCO 5 this would be 16 + 4).
  EXPECT_EQ(poc.next(sps, picture(false, 2, 1, 4)).frame(), 4);
}

TEST(Poc, Type1FromTheCycle) {
  Sps sps;
  sps.pic_order_cnt_type = 1;
  sps.num_ref_frames_in_pic_order_cnt_cycle = 1;
  sps.offset_for_ref_frame[0] = 2;
  sps.offset_for_non_ref_pic = -1;
  PocCalculator poc;
  EXPECT_EQ(poc.next(sps, picture(true, 3, 0)).frame(), 0);
  EXPECT_EQ(poc.next(sps, picture(false, 2, 1)).frame(), 2);
  EXPECT_EQ(poc.next(sps, picture(false, 0, 2)).frame(), 1);  // (2 - 1) * 2 + offset_for_non_ref_pic
  EXPECT_EQ(poc.next(sps, picture(false, 2, 2)).frame(), 4);
  SliceHeader with_delta = picture(false, 2, 3);
  with_delta.delta_pic_order_cnt[0] = -3;
  EXPECT_EQ(poc.next(sps, with_delta).frame(), 3);
}

TEST(Poc, Type2CountsFramesAcrossFrameNumWrap) {
  Sps sps;
  sps.pic_order_cnt_type = 2;  // MaxFrameNum 16
  PocCalculator poc;
  EXPECT_EQ(poc.next(sps, picture(true, 3, 0)).frame(), 0);
  EXPECT_EQ(poc.next(sps, picture(false, 2, 15)).frame(), 30);
  EXPECT_EQ(poc.next(sps, picture(false, 0, 0)).frame(), 31);  // FrameNumOffset 16, non-reference
  EXPECT_EQ(poc.next(sps, picture(false, 2, 1)).frame(), 34);
  EXPECT_EQ(poc.next(sps, picture(true, 3, 0)).frame(), 0);
}

TEST(Poc, CorruptCyclesAreErrorsNotOverflow) {
  Sps sps;
  sps.pic_order_cnt_type = 1;
  sps.num_ref_frames_in_pic_order_cnt_cycle = 255;
  sps.offset_for_ref_frame.fill(0x7fffffff);
  PocCalculator poc;
  EXPECT_THROW(poc.next(sps, picture(false, 2, 15)), Error);
}

}  // namespace
}  // namespace daedalus::h264
