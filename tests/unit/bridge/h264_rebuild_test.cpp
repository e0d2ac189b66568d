// SPDX-License-Identifier: MIT
// The daemon rebuilds SPS/PPS NAL units from V4L2 controls. Here a real
// x264 clip's parameter sets are parsed by our H.264 parser (daemon/h264)
// into the controls the way GStreamer fills them, rebuilt, and the rebuilt
// stream must decode to the same pictures as the original - through
// libavcodec's normal display order output and through the daemon's
// decode-order PictureDecoder. The rebuilt parameter sets, parsed back by
// the same parser, must give the controls they were built from, field by
// field, for those clips and for controls that set every field.
#include <cstring>
#include <map>
#include <vector>

#include <gtest/gtest.h>

#include "daedalus/error.h"
#include "demuxer.h"
#include "h264_controls.h"
#include "h264_headers.h"
#include "nal_unit.h"
#include "picture_decoder.h"
#include "reference_decoder.h"
#include "test_util.h"

using namespace daedalus;
using namespace daedalus::bridge;
using namespace daedalus::bridge::test;

namespace {

struct Variant {
  const char* name;
  const char* size;
  const char* args;  // ffmpeg encoder arguments
  bool reorders;     // has B-frames: display order != decode order
};

const Variant kVariants[] = {
    {"high_bpyramid", "320x240", "-c:v libx264 -profile:v high -x264-params bframes=3:b-pyramid=normal:keyint=15", true},
    {"jvt_cqm_cropped", "200x120", "-c:v libx264 -profile:v high -x264-params cqm=jvt:bframes=2:keyint=10", true},
    {"baseline_cavlc_poc2", "176x144", "-c:v libx264 -profile:v baseline -x264-params keyint=8", false},
    {"main_slices_weightp", "352x288", "-c:v libx264 -profile:v main -x264-params slices=4:weightp=2:bframes=1", true},
};

struct AccessUnits {
  std::vector<std::vector<uint8_t>> original;
  std::vector<std::vector<uint8_t>> rebuilt;
  int width = 0, height = 0;  // visible
};

AccessUnits rebuild_stream(const std::string& path) {
  media::Demuxer dm(path);
  AccessUnits out;
  h264::StreamParser parser;
  media::Packet pkt;
  while (dm.read(pkt)) {
    out.original.push_back(pkt.data);
    const StatelessAccessUnit au = to_stateless(parser, pkt.data);
    out.width = static_cast<int>(au.display_width);
    out.height = static_cast<int>(au.display_height);
    const H264Controls& c = au.controls;
    out.rebuilt.push_back(build_h264_access_unit(c.sps, c.pps, &c.scaling, au.slices));
  }
  return out;
}

// Controls that set every field the parameter sets carry to something
// other than its inferred value, in each of the syntax's branches: High
// 4:2:0 with POC type 1, fields and all 8 lists; High 4:4:4 Predictive
// with POC type 0, high bit depth and all 12 lists; Baseline with POC
// type 2 and the short PPS; Main with lists but without the flag.
H264Controls high_poc1_fields() {
  H264Controls c;
  auto& s = c.sps;
  s.profile_idc = 100;
  s.constraint_set_flags = 0x2a;
  s.level_idc = 41;
  s.seq_parameter_set_id = 5;
  s.chroma_format_idc = 1;
  s.log2_max_frame_num_minus4 = 6;
  s.pic_order_cnt_type = 1;
  s.num_ref_frames_in_pic_order_cnt_cycle = 3;
  // Long Exp-Golomb codes: zero bytes that need emulation prevention.
  s.offset_for_ref_frame[0] = -7;
  s.offset_for_ref_frame[1] = 1 << 30;
  s.offset_for_ref_frame[2] = -(1 << 29);
  s.offset_for_non_ref_pic = -1000;
  s.offset_for_top_to_bottom_field = 33;
  s.max_num_ref_frames = 4;
  s.pic_width_in_mbs_minus1 = 44;
  s.pic_height_in_map_units_minus1 = 17;
  s.flags = V4L2_H264_SPS_FLAG_DELTA_PIC_ORDER_ALWAYS_ZERO | V4L2_H264_SPS_FLAG_GAPS_IN_FRAME_NUM_VALUE_ALLOWED |
            V4L2_H264_SPS_FLAG_MB_ADAPTIVE_FRAME_FIELD | V4L2_H264_SPS_FLAG_DIRECT_8X8_INFERENCE;
  auto& p = c.pps;
  p.pic_parameter_set_id = 200;
  p.seq_parameter_set_id = 5;
  p.num_ref_idx_l0_default_active_minus1 = 7;
  p.num_ref_idx_l1_default_active_minus1 = 3;
  p.weighted_bipred_idc = 2;
  p.pic_init_qp_minus26 = -3;
  p.pic_init_qs_minus26 = 4;
  p.chroma_qp_index_offset = -2;
  p.second_chroma_qp_index_offset = 5;
  p.flags = V4L2_H264_PPS_FLAG_ENTROPY_CODING_MODE | V4L2_H264_PPS_FLAG_BOTTOM_FIELD_PIC_ORDER_IN_FRAME_PRESENT |
            V4L2_H264_PPS_FLAG_WEIGHTED_PRED | V4L2_H264_PPS_FLAG_DEBLOCKING_FILTER_CONTROL_PRESENT |
            V4L2_H264_PPS_FLAG_CONSTRAINED_INTRA_PRED | V4L2_H264_PPS_FLAG_REDUNDANT_PIC_CNT_PRESENT |
            V4L2_H264_PPS_FLAG_TRANSFORM_8X8_MODE | V4L2_H264_PPS_FLAG_SCALING_MATRIX_PRESENT;
  // Every list and every entry different, wrapping through 1..255.
  for (int i = 0; i < 6; ++i) {
    for (int k = 0; k < 16; ++k) c.scaling.scaling_list_4x4[i][k] = static_cast<uint8_t>(1 + (i * 37 + k * 11) % 255);
    for (int k = 0; k < 64; ++k) c.scaling.scaling_list_8x8[i][k] = static_cast<uint8_t>(1 + (i * 53 + k * 7) % 255);
  }
  return c;
}

H264Controls high444_poc0() {
  H264Controls c = high_poc1_fields();
  auto& s = c.sps;
  s.profile_idc = 244;
  s.constraint_set_flags = 0;
  s.chroma_format_idc = 3;
  s.bit_depth_luma_minus8 = 2;
  s.bit_depth_chroma_minus8 = 3;
  s.pic_order_cnt_type = 0;
  s.log2_max_pic_order_cnt_lsb_minus4 = 9;
  s.num_ref_frames_in_pic_order_cnt_cycle = 0;
  std::memset(s.offset_for_ref_frame, 0, sizeof(s.offset_for_ref_frame));
  s.offset_for_non_ref_pic = 0;
  s.offset_for_top_to_bottom_field = 0;
  s.flags = V4L2_H264_SPS_FLAG_SEPARATE_COLOUR_PLANE | V4L2_H264_SPS_FLAG_QPPRIME_Y_ZERO_TRANSFORM_BYPASS |
            V4L2_H264_SPS_FLAG_FRAME_MBS_ONLY;
  c.pps.pic_init_qp_minus26 = -38;  // below -26: QpBdOffsetY of 10-bit luma
  c.pps.flags = V4L2_H264_PPS_FLAG_TRANSFORM_8X8_MODE | V4L2_H264_PPS_FLAG_SCALING_MATRIX_PRESENT;
  return c;
}

H264Controls baseline_poc2() {
  H264Controls c;
  c.sps.profile_idc = 66;
  c.sps.constraint_set_flags = 0x03;
  c.sps.level_idc = 30;
  c.sps.chroma_format_idc = 1;
  c.sps.pic_order_cnt_type = 2;
  c.sps.max_num_ref_frames = 1;
  c.sps.pic_width_in_mbs_minus1 = 10;
  c.sps.pic_height_in_map_units_minus1 = 8;
  c.sps.flags = V4L2_H264_SPS_FLAG_FRAME_MBS_ONLY;
  c.pps.chroma_qp_index_offset = 3;
  c.pps.second_chroma_qp_index_offset = 3;
  c.pps.flags = V4L2_H264_PPS_FLAG_DEBLOCKING_FILTER_CONTROL_PRESENT;
  for (auto& l : c.scaling.scaling_list_4x4) std::memset(l, 16, sizeof(l));
  for (auto& l : c.scaling.scaling_list_8x8) std::memset(l, 16, sizeof(l));
  return c;
}

}  // namespace

class H264Rebuild : public ::testing::TestWithParam<Variant> {};

TEST_P(H264Rebuild, RebuiltParameterSetsDecodeIdentically) {
  const Variant& v = GetParam();
  TempDir dir;
  const auto clip = dir.file("clip.h264");
  ASSERT_EQ(make_clip(clip, v.size, 30, std::string(v.args) + " -f h264"), 0) << "ffmpeg/libx264 failed";
  AccessUnits aus = rebuild_stream(clip);
  ASSERT_EQ(aus.rebuilt.size(), 30u);
  const int w = aus.width, h = aus.height;

  // Original stream, display order; pts = decode index of its packet.
  std::map<int64_t, std::string> md5_by_decode_index;
  std::vector<std::string> original_display;
  std::vector<int64_t> display_pts;
  {
    media::ReferenceDecoder dec(media::Codec::kH264, nullptr, 1);
    media::FrameSink sink = [&](media::Nv12Frame&& f) {
      ASSERT_EQ(f.width, w);
      ASSERT_EQ(f.height, h);
      auto md5 = media::md5_hex(f);
      md5_by_decode_index[f.pts] = md5;
      original_display.push_back(md5);
      display_pts.push_back(f.pts);
    };
    for (size_t i = 0; i < aus.original.size(); ++i)
      dec.decode(aus.original[i].data(), aus.original[i].size(), static_cast<int64_t>(i), sink);
    dec.flush(sink);
  }
  ASSERT_EQ(original_display.size(), 30u);
  ASSERT_EQ(md5_by_decode_index.size(), 30u);
  const bool reordered = !std::is_sorted(display_pts.begin(), display_pts.end());
  EXPECT_EQ(reordered, v.reorders) << "the clip does not exercise what it is meant to";

  // Rebuilt stream through libavcodec's display-order output.
  std::vector<std::string> rebuilt_display;
  {
    media::ReferenceDecoder dec(media::Codec::kH264, nullptr, 1);
    media::FrameSink sink = [&](media::Nv12Frame&& f) { rebuilt_display.push_back(cropped_md5(f, w, h)); };
    for (size_t i = 0; i < aus.rebuilt.size(); ++i)
      dec.decode(aus.rebuilt[i].data(), aus.rebuilt[i].size(), static_cast<int64_t>(i), sink);
    dec.flush(sink);
  }
  if (!v.reorders) {
    EXPECT_EQ(rebuilt_display, original_display);
  } else {
    // The rebuilt SPS has no VUI, so libavcodec must guess the reorder
    // depth and drops a frame while it learns it ("Increasing reorder
    // buffer"). That is libavcodec's display-order output, which the
    // daemon does not use; every picture is still checked below.
    EXPECT_GE(rebuilt_display.size(), original_display.size() - 2);
  }

  // Rebuilt stream through the daemon's decoder: one picture per request,
  // immediately, in decode order.
  PictureDecoder pd(media::Codec::kH264);
  for (size_t i = 0; i < aus.rebuilt.size(); ++i) {
    auto pic = pd.decode(aus.rebuilt[i]);
    ASSERT_NE(pic, nullptr) << "no picture for access unit " << i;
    EXPECT_EQ(cropped_md5(pic->planar(), w, h), md5_by_decode_index[static_cast<int64_t>(i)]) << "access unit " << i;
  }
}

TEST_P(H264Rebuild, RebuiltParameterSetsParseBackToTheSameControls) {
  const Variant& v = GetParam();
  TempDir dir;
  const auto clip = dir.file("clip.h264");
  ASSERT_EQ(make_clip(clip, v.size, 2, std::string(v.args) + " -f h264"), 0);
  media::Demuxer dm(clip);
  media::Packet pkt;
  ASSERT_TRUE(dm.read(pkt));
  h264::StreamParser parser;
  const H264Controls c = to_stateless(parser, pkt.data).controls;
  const h264::Sps sps = parse_sps_nal(build_sps_nal(c.sps));
  EXPECT_FALSE(sps.scaling.matrix_present) << "the lists go into the PPS";
  EXPECT_FALSE(sps.frame_cropping_flag);
  EXPECT_FALSE(sps.vui_parameters_present_flag);
  const h264::Pps pps = parse_pps_nal(build_pps_nal(c.pps, c.sps, &c.scaling), sps);
  expect_same_controls(c, controls_from(sps, pps));
}

INSTANTIATE_TEST_SUITE_P(Clips, H264Rebuild, ::testing::ValuesIn(kVariants),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(H264Headers, EveryFieldParsesBack) {
  for (const auto& [name, c] : {std::pair{"high_poc1_fields", high_poc1_fields()},
                                std::pair{"high444_poc0", high444_poc0()}, std::pair{"baseline_poc2", baseline_poc2()}}) {
    SCOPED_TRACE(name);
    const h264::Sps sps = parse_sps_nal(build_sps_nal(c.sps));
    const h264::Pps pps = parse_pps_nal(build_pps_nal(c.pps, c.sps, &c.scaling), sps);
    expect_same_controls(c, controls_from(sps, pps));
  }
}

TEST(H264Headers, EscapesStartCodePrefixes) {
  // offset_for_ref_frame[1] = 2^30 is coded as 31 zero bits, a one and 30
  // zero bits, then a one: the RBSP has zero bytes a start code would
  // follow. parse_sps_nal checks that none appears in the NAL unit.
  const auto nal = build_sps_nal(high_poc1_fields().sps);
  const auto unit = h264::parse_nal_unit(nal);
  EXPECT_LT(h264::unescape_rbsp(unit.payload).size(), unit.payload.size()) << "no emulation prevention byte needed";
  EXPECT_EQ(parse_sps_nal(nal).offset_for_ref_frame[1], 1 << 30);
}

TEST(H264Headers, ShortPpsWithoutHighProfileFields) {
  // No 8x8 transform, no lists, both chroma offsets equal: the PPS ends
  // before transform_8x8_mode_flag, as a Baseline / Main decoder expects.
  const H264Controls c = baseline_poc2();
  const h264::Sps sps = parse_sps_nal(build_sps_nal(c.sps));
  const h264::Pps pps = parse_pps_nal(build_pps_nal(c.pps, c.sps, &c.scaling), sps);
  EXPECT_FALSE(pps.scaling.matrix_present);
  EXPECT_FALSE(pps.transform_8x8_mode_flag);
  EXPECT_EQ(pps.scaling_matrix, h264::flat_scaling_matrix());
}

TEST(H264Headers, ListsReachTheDecoderWithoutTheFlag) {
  // A client that sets the matrix control but not SCALING_MATRIX_PRESENT
  // still gets its lists; a different second chroma offset alone also
  // needs the PPS's High profile tail.
  H264Controls c = baseline_poc2();
  c.sps.profile_idc = 77;
  c.pps.second_chroma_qp_index_offset = -4;
  c.scaling.scaling_list_4x4[4][9] = 99;
  const h264::Sps sps = parse_sps_nal(build_sps_nal(c.sps));
  const h264::Pps pps = parse_pps_nal(build_pps_nal(c.pps, c.sps, &c.scaling), sps);
  H264Controls expected = c;
  expected.pps.flags |= V4L2_H264_PPS_FLAG_SCALING_MATRIX_PRESENT;
  expect_same_controls(expected, controls_from(sps, pps));

  // Without the control the lists are flat, whatever the flag says.
  c.pps.flags |= V4L2_H264_PPS_FLAG_SCALING_MATRIX_PRESENT;
  const h264::Pps flat = parse_pps_nal(build_pps_nal(c.pps, c.sps, nullptr), sps);
  EXPECT_FALSE(flat.scaling.matrix_present);
  EXPECT_EQ(flat.scaling_matrix, h264::flat_scaling_matrix());
  EXPECT_EQ(flat.second_chroma_qp_index_offset, -4);
}

TEST(H264Headers, AccessUnitSplitsIntoParameterSetsAndSlices) {
  const H264Controls c = high_poc1_fields();
  const std::vector<uint8_t> slices = {0x65, 0x88, 0x84};  // bare, without a start code
  const auto au = build_h264_access_unit(c.sps, c.pps, &c.scaling, slices);
  const auto units = h264::split_annexb(au);
  ASSERT_EQ(units.size(), 3u);
  EXPECT_EQ(h264::parse_nal_unit(units[0]).type, h264::kNalSps);
  EXPECT_EQ(h264::parse_nal_unit(units[1]).type, h264::kNalPps);
  EXPECT_EQ(std::vector<uint8_t>(units[2].begin(), units[2].end()), slices);
}

TEST(H264Headers, RejectsFmo) {
  v4l2_ctrl_h264_sps sps{};
  sps.profile_idc = 66;
  sps.chroma_format_idc = 1;
  v4l2_ctrl_h264_pps pps{};
  pps.num_slice_groups_minus1 = 2;
  EXPECT_THROW(build_pps_nal(pps, sps, nullptr), Error);
}
