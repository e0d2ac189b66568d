// SPDX-License-Identifier: MIT
#include "h264_controls.h"

#include <algorithm>

#include <gtest/gtest.h>

#include "nal_unit.h"
#include "scaling_lists.h"

namespace daedalus::bridge::test {

namespace {

struct Flag {
  uint32_t mask;
  const char* name;
};

constexpr Flag kSpsFlags[] = {
    {V4L2_H264_SPS_FLAG_SEPARATE_COLOUR_PLANE, "SEPARATE_COLOUR_PLANE"},
    {V4L2_H264_SPS_FLAG_QPPRIME_Y_ZERO_TRANSFORM_BYPASS, "QPPRIME_Y_ZERO_TRANSFORM_BYPASS"},
    {V4L2_H264_SPS_FLAG_DELTA_PIC_ORDER_ALWAYS_ZERO, "DELTA_PIC_ORDER_ALWAYS_ZERO"},
    {V4L2_H264_SPS_FLAG_GAPS_IN_FRAME_NUM_VALUE_ALLOWED, "GAPS_IN_FRAME_NUM_VALUE_ALLOWED"},
    {V4L2_H264_SPS_FLAG_FRAME_MBS_ONLY, "FRAME_MBS_ONLY"},
    {V4L2_H264_SPS_FLAG_MB_ADAPTIVE_FRAME_FIELD, "MB_ADAPTIVE_FRAME_FIELD"},
    {V4L2_H264_SPS_FLAG_DIRECT_8X8_INFERENCE, "DIRECT_8X8_INFERENCE"},
};

constexpr Flag kPpsFlags[] = {
    {V4L2_H264_PPS_FLAG_ENTROPY_CODING_MODE, "ENTROPY_CODING_MODE"},
    {V4L2_H264_PPS_FLAG_BOTTOM_FIELD_PIC_ORDER_IN_FRAME_PRESENT, "BOTTOM_FIELD_PIC_ORDER_IN_FRAME_PRESENT"},
    {V4L2_H264_PPS_FLAG_WEIGHTED_PRED, "WEIGHTED_PRED"},
    {V4L2_H264_PPS_FLAG_DEBLOCKING_FILTER_CONTROL_PRESENT, "DEBLOCKING_FILTER_CONTROL_PRESENT"},
    {V4L2_H264_PPS_FLAG_CONSTRAINED_INTRA_PRED, "CONSTRAINED_INTRA_PRED"},
    {V4L2_H264_PPS_FLAG_REDUNDANT_PIC_CNT_PRESENT, "REDUNDANT_PIC_CNT_PRESENT"},
    {V4L2_H264_PPS_FLAG_TRANSFORM_8X8_MODE, "TRANSFORM_8X8_MODE"},
    {V4L2_H264_PPS_FLAG_SCALING_MATRIX_PRESENT, "SCALING_MATRIX_PRESENT"},
};

template <size_t N>
void expect_same_flags(const char* what, const Flag (&table)[N], uint32_t expected, uint32_t actual) {
  for (const Flag& f : table)
    EXPECT_EQ((expected & f.mask) != 0, (actual & f.mask) != 0) << what << " flag " << f.name;
  uint32_t known = 0;
  for (const Flag& f : table) known |= f.mask;
  EXPECT_EQ(expected & ~known, actual & ~known) << what << " flags outside the known ones";
}

template <size_t N>
void expect_same_list(const char* what, int i, const uint8_t (&expected)[N], const uint8_t (&actual)[N]) {
  for (size_t k = 0; k < N; ++k)
    if (expected[k] != actual[k]) {
      ADD_FAILURE() << what << "[" << i << "][" << k << "] (raster): expected " << int{expected[k]} << ", got "
                    << int{actual[k]};
      return;
    }
}

h264::NalUnit expect_nal_header(std::span<const uint8_t> nal, int type) {
  const h264::NalUnit unit = h264::parse_nal_unit(nal);
  EXPECT_EQ(unit.type, type);
  EXPECT_NE(unit.ref_idc, 0) << "parameter sets are reference data";
  for (size_t i = 2; i < nal.size(); ++i)
    if (nal[i - 2] == 0 && nal[i - 1] == 0 && nal[i] <= 2) {
      ADD_FAILURE() << "start code prefix 00 00 0" << int{nal[i]} << " at byte " << i - 2 << " of the NAL unit";
      break;
    }
  if (!nal.empty()) {
    EXPECT_NE(nal.back(), 0) << "a NAL unit ends in a non-zero byte";
  }
  return unit;
}

}  // namespace

H264Controls controls_from(const h264::Sps& s, const h264::Pps& p) {
  H264Controls c;
  auto& vs = c.sps;
  vs.profile_idc = s.profile_idc;
  vs.constraint_set_flags = s.constraint_set_flags;
  vs.level_idc = s.level_idc;
  vs.seq_parameter_set_id = s.seq_parameter_set_id;
  vs.chroma_format_idc = s.chroma_format_idc;
  vs.bit_depth_luma_minus8 = s.bit_depth_luma_minus8;
  vs.bit_depth_chroma_minus8 = s.bit_depth_chroma_minus8;
  vs.log2_max_frame_num_minus4 = s.log2_max_frame_num_minus4;
  vs.pic_order_cnt_type = s.pic_order_cnt_type;
  vs.log2_max_pic_order_cnt_lsb_minus4 = s.log2_max_pic_order_cnt_lsb_minus4;
  vs.max_num_ref_frames = s.max_num_ref_frames;
  vs.num_ref_frames_in_pic_order_cnt_cycle = s.num_ref_frames_in_pic_order_cnt_cycle;
  std::copy(s.offset_for_ref_frame.begin(), s.offset_for_ref_frame.end(), vs.offset_for_ref_frame);
  vs.offset_for_non_ref_pic = s.offset_for_non_ref_pic;
  vs.offset_for_top_to_bottom_field = s.offset_for_top_to_bottom_field;
  vs.pic_width_in_mbs_minus1 = s.pic_width_in_mbs_minus1;
  vs.pic_height_in_map_units_minus1 = s.pic_height_in_map_units_minus1;
  vs.flags = (s.separate_colour_plane_flag ? V4L2_H264_SPS_FLAG_SEPARATE_COLOUR_PLANE : 0) |
             (s.qpprime_y_zero_transform_bypass_flag ? V4L2_H264_SPS_FLAG_QPPRIME_Y_ZERO_TRANSFORM_BYPASS : 0) |
             (s.delta_pic_order_always_zero_flag ? V4L2_H264_SPS_FLAG_DELTA_PIC_ORDER_ALWAYS_ZERO : 0) |
             (s.gaps_in_frame_num_value_allowed_flag ? V4L2_H264_SPS_FLAG_GAPS_IN_FRAME_NUM_VALUE_ALLOWED : 0) |
             (s.frame_mbs_only_flag ? V4L2_H264_SPS_FLAG_FRAME_MBS_ONLY : 0) |
             (s.mb_adaptive_frame_field_flag ? V4L2_H264_SPS_FLAG_MB_ADAPTIVE_FRAME_FIELD : 0) |
             (s.direct_8x8_inference_flag ? V4L2_H264_SPS_FLAG_DIRECT_8X8_INFERENCE : 0);

  auto& vp = c.pps;
  vp.pic_parameter_set_id = p.pic_parameter_set_id;
  vp.seq_parameter_set_id = p.seq_parameter_set_id;
  vp.num_slice_groups_minus1 = p.num_slice_groups_minus1;
  vp.num_ref_idx_l0_default_active_minus1 = p.num_ref_idx_l0_default_active_minus1;
  vp.num_ref_idx_l1_default_active_minus1 = p.num_ref_idx_l1_default_active_minus1;
  vp.weighted_bipred_idc = p.weighted_bipred_idc;
  vp.pic_init_qp_minus26 = p.pic_init_qp_minus26;
  vp.pic_init_qs_minus26 = p.pic_init_qs_minus26;
  vp.chroma_qp_index_offset = p.chroma_qp_index_offset;
  vp.second_chroma_qp_index_offset = p.second_chroma_qp_index_offset;
  vp.flags = (p.entropy_coding_mode_flag ? V4L2_H264_PPS_FLAG_ENTROPY_CODING_MODE : 0) |
             (p.bottom_field_pic_order_in_frame_present_flag
                  ? V4L2_H264_PPS_FLAG_BOTTOM_FIELD_PIC_ORDER_IN_FRAME_PRESENT
                  : 0) |
             (p.weighted_pred_flag ? V4L2_H264_PPS_FLAG_WEIGHTED_PRED : 0) |
             (p.deblocking_filter_control_present_flag ? V4L2_H264_PPS_FLAG_DEBLOCKING_FILTER_CONTROL_PRESENT : 0) |
             (p.constrained_intra_pred_flag ? V4L2_H264_PPS_FLAG_CONSTRAINED_INTRA_PRED : 0) |
             (p.redundant_pic_cnt_present_flag ? V4L2_H264_PPS_FLAG_REDUNDANT_PIC_CNT_PRESENT : 0) |
             (p.transform_8x8_mode_flag ? V4L2_H264_PPS_FLAG_TRANSFORM_8X8_MODE : 0) |
             (s.scaling.matrix_present || p.scaling.matrix_present ? V4L2_H264_PPS_FLAG_SCALING_MATRIX_PRESENT : 0);

  for (size_t i = 0; i < p.scaling_matrix.list4x4.size(); ++i)
    std::copy(p.scaling_matrix.list4x4[i].begin(), p.scaling_matrix.list4x4[i].end(), c.scaling.scaling_list_4x4[i]);
  for (size_t i = 0; i < p.scaling_matrix.list8x8.size(); ++i)
    std::copy(p.scaling_matrix.list8x8[i].begin(), p.scaling_matrix.list8x8[i].end(), c.scaling.scaling_list_8x8[i]);
  return c;
}

StatelessAccessUnit to_stateless(h264::StreamParser& parser, std::span<const uint8_t> access_unit) {
  StatelessAccessUnit out;
  bool have_slice = false;
  for (const auto nal : h264::split_annexb(access_unit)) {
    const auto slice = parser.push(nal);
    if (!slice) continue;
    if (!have_slice) {
      out.controls = controls_from(*slice->sps, *slice->pps);
      out.display_width = slice->sps->display_width();
      out.display_height = slice->sps->display_height();
      have_slice = true;
    }
    out.slices.insert(out.slices.end(), {0, 0, 1});
    out.slices.insert(out.slices.end(), nal.begin(), nal.end());
  }
  EXPECT_TRUE(have_slice) << "an access unit without a slice";
  return out;
}

h264::Sps parse_sps_nal(std::span<const uint8_t> nal) {
  const auto unit = expect_nal_header(nal, h264::kNalSps);
  return h264::parse_sps(h264::unescape_rbsp(unit.payload));
}

h264::Pps parse_pps_nal(std::span<const uint8_t> nal, const h264::Sps& sps) {
  const auto unit = expect_nal_header(nal, h264::kNalPps);
  return h264::parse_pps(h264::unescape_rbsp(unit.payload), sps);
}

#define EXPECT_SAME(field) EXPECT_EQ(+expected.field, +actual.field) << #field

void expect_same_controls(const H264Controls& e, const H264Controls& a) {
  {
    const auto& expected = e.sps;
    const auto& actual = a.sps;
    EXPECT_SAME(profile_idc);
    EXPECT_SAME(constraint_set_flags);
    EXPECT_SAME(level_idc);
    EXPECT_SAME(seq_parameter_set_id);
    EXPECT_SAME(chroma_format_idc);
    EXPECT_SAME(bit_depth_luma_minus8);
    EXPECT_SAME(bit_depth_chroma_minus8);
    EXPECT_SAME(log2_max_frame_num_minus4);
    EXPECT_SAME(pic_order_cnt_type);
    EXPECT_SAME(log2_max_pic_order_cnt_lsb_minus4);
    EXPECT_SAME(max_num_ref_frames);
    EXPECT_SAME(num_ref_frames_in_pic_order_cnt_cycle);
    for (int i = 0; i < 255; ++i)
      EXPECT_EQ(expected.offset_for_ref_frame[i], actual.offset_for_ref_frame[i]) << "offset_for_ref_frame[" << i << "]";
    EXPECT_SAME(offset_for_non_ref_pic);
    EXPECT_SAME(offset_for_top_to_bottom_field);
    EXPECT_SAME(pic_width_in_mbs_minus1);
    EXPECT_SAME(pic_height_in_map_units_minus1);
    expect_same_flags("SPS", kSpsFlags, expected.flags, actual.flags);
  }
  {
    const auto& expected = e.pps;
    const auto& actual = a.pps;
    EXPECT_SAME(pic_parameter_set_id);
    EXPECT_SAME(seq_parameter_set_id);
    EXPECT_SAME(num_slice_groups_minus1);
    EXPECT_SAME(num_ref_idx_l0_default_active_minus1);
    EXPECT_SAME(num_ref_idx_l1_default_active_minus1);
    EXPECT_SAME(weighted_bipred_idc);
    EXPECT_SAME(pic_init_qp_minus26);
    EXPECT_SAME(pic_init_qs_minus26);
    EXPECT_SAME(chroma_qp_index_offset);
    EXPECT_SAME(second_chroma_qp_index_offset);
    expect_same_flags("PPS", kPpsFlags, expected.flags, actual.flags);
  }
  for (int i = 0; i < 6; ++i)
    expect_same_list("scaling_list_4x4", i, e.scaling.scaling_list_4x4[i], a.scaling.scaling_list_4x4[i]);
  if (e.pps.flags & V4L2_H264_PPS_FLAG_TRANSFORM_8X8_MODE)
    for (int i = 0; i < h264::scaling_lists_8x8(e.sps.chroma_format_idc); ++i)
      expect_same_list("scaling_list_8x8", i, e.scaling.scaling_list_8x8[i], a.scaling.scaling_list_8x8[i]);
}

#undef EXPECT_SAME

}  // namespace daedalus::bridge::test
