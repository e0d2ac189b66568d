// SPDX-License-Identifier: MIT
#include "sps.h"

#include <string>

#include "rbsp_reader.h"

namespace daedalus::h264 {
namespace {

void parse_hrd(RbspReader& r, HrdParameters& h) {
  h.cpb_cnt_minus1 = r.ue("cpb_cnt_minus1", 31);
  h.bit_rate_scale = static_cast<uint8_t>(r.bits(4));
  h.cpb_size_scale = static_cast<uint8_t>(r.bits(4));
  for (uint32_t i = 0; i <= h.cpb_cnt_minus1; ++i) {
    h.bit_rate_value_minus1[i] = r.ue("bit_rate_value_minus1", 0xfffffffe);
    h.cpb_size_value_minus1[i] = r.ue("cpb_size_value_minus1", 0xfffffffe);
    h.cbr_flag[i] = r.flag();
  }
  h.initial_cpb_removal_delay_length_minus1 = static_cast<uint8_t>(r.bits(5));
  h.cpb_removal_delay_length_minus1 = static_cast<uint8_t>(r.bits(5));
  h.dpb_output_delay_length_minus1 = static_cast<uint8_t>(r.bits(5));
  h.time_offset_length = static_cast<uint8_t>(r.bits(5));
}

constexpr int kExtendedSar = 255;

void parse_vui(RbspReader& r, VuiParameters& v) {
  v.aspect_ratio_info_present_flag = r.flag();
  if (v.aspect_ratio_info_present_flag) {
    v.aspect_ratio_idc = static_cast<uint8_t>(r.bits(8));
    if (v.aspect_ratio_idc == kExtendedSar) {
      v.sar_width = static_cast<uint16_t>(r.bits(16));
      v.sar_height = static_cast<uint16_t>(r.bits(16));
    }
  }
  v.overscan_info_present_flag = r.flag();
  if (v.overscan_info_present_flag) v.overscan_appropriate_flag = r.flag();
  v.video_signal_type_present_flag = r.flag();
  if (v.video_signal_type_present_flag) {
    v.video_format = static_cast<uint8_t>(r.bits(3));
    v.video_full_range_flag = r.flag();
    v.colour_description_present_flag = r.flag();
    if (v.colour_description_present_flag) {
      v.colour_primaries = static_cast<uint8_t>(r.bits(8));
      v.transfer_characteristics = static_cast<uint8_t>(r.bits(8));
      v.matrix_coefficients = static_cast<uint8_t>(r.bits(8));
    }
  }
  v.chroma_loc_info_present_flag = r.flag();
  if (v.chroma_loc_info_present_flag) {
    v.chroma_sample_loc_type_top_field = static_cast<uint8_t>(r.ue("chroma_sample_loc_type_top_field", 5));
    v.chroma_sample_loc_type_bottom_field = static_cast<uint8_t>(r.ue("chroma_sample_loc_type_bottom_field", 5));
  }
  v.timing_info_present_flag = r.flag();
  if (v.timing_info_present_flag) {
    v.num_units_in_tick = r.bits(32);
    v.time_scale = r.bits(32);
    v.fixed_frame_rate_flag = r.flag();
  }
  v.nal_hrd_parameters_present_flag = r.flag();
  if (v.nal_hrd_parameters_present_flag) parse_hrd(r, v.nal_hrd);
  v.vcl_hrd_parameters_present_flag = r.flag();
  if (v.vcl_hrd_parameters_present_flag) parse_hrd(r, v.vcl_hrd);
  if (v.nal_hrd_parameters_present_flag || v.vcl_hrd_parameters_present_flag) v.low_delay_hrd_flag = r.flag();
  v.pic_struct_present_flag = r.flag();
  v.bitstream_restriction_flag = r.flag();
  if (v.bitstream_restriction_flag) {
    v.motion_vectors_over_pic_boundaries_flag = r.flag();
    v.max_bytes_per_pic_denom = static_cast<uint8_t>(r.ue("max_bytes_per_pic_denom", 16));
    v.max_bits_per_mb_denom = static_cast<uint8_t>(r.ue("max_bits_per_mb_denom", 16));
    v.log2_max_mv_length_horizontal = static_cast<uint8_t>(r.ue("log2_max_mv_length_horizontal", 16));
    v.log2_max_mv_length_vertical = static_cast<uint8_t>(r.ue("log2_max_mv_length_vertical", 16));
    v.max_num_reorder_frames = static_cast<uint8_t>(r.ue("max_num_reorder_frames", kMaxRefFrames));
    v.max_dec_frame_buffering = static_cast<uint8_t>(r.ue("max_dec_frame_buffering", kMaxRefFrames));
    if (v.max_num_reorder_frames > v.max_dec_frame_buffering)
      r.fail("max_num_reorder_frames " + std::to_string(v.max_num_reorder_frames) + " > max_dec_frame_buffering " +
             std::to_string(v.max_dec_frame_buffering));
  }
}

// CropUnitX / CropUnitY (7-19, 7-20).
uint32_t crop_unit_x(const Sps& s) {
  return s.chroma_array_type() == 0 || s.chroma_format_idc == 3 ? 1 : 2;
}
uint32_t crop_unit_y(const Sps& s) {
  const uint32_t sub_height_c = s.chroma_array_type() == 0 || s.chroma_format_idc != 1 ? 1 : 2;
  return sub_height_c * (2u - s.frame_mbs_only_flag);
}

}  // namespace

bool profile_has_chroma_format_fields(int profile_idc) {
  switch (profile_idc) {
    case 100: case 110: case 122: case 244: case 44: case 83: case 86:
    case 118: case 128: case 138: case 139: case 134: case 135:
      return true;
    default:
      return false;
  }
}

int64_t Sps::expected_delta_per_poc_cycle() const {
  int64_t sum = 0;
  for (int i = 0; i < num_ref_frames_in_pic_order_cnt_cycle; ++i) sum += offset_for_ref_frame[i];
  return sum;
}

uint32_t Sps::crop_left() const { return crop_unit_x(*this) * frame_crop_left_offset; }
uint32_t Sps::crop_right() const { return crop_unit_x(*this) * frame_crop_right_offset; }
uint32_t Sps::crop_top() const { return crop_unit_y(*this) * frame_crop_top_offset; }
uint32_t Sps::crop_bottom() const { return crop_unit_y(*this) * frame_crop_bottom_offset; }

Sps parse_sps(std::span<const uint8_t> rbsp) {
  RbspReader r(rbsp, "SPS");
  Sps s;
  s.profile_idc = static_cast<uint8_t>(r.bits(8));
  for (int i = 0; i < 6; ++i) s.constraint_set_flags |= static_cast<uint8_t>(r.bit() << i);
  s.reserved_zero_2bits = static_cast<uint8_t>(r.bits(2));
  s.level_idc = static_cast<uint8_t>(r.bits(8));
  s.seq_parameter_set_id = static_cast<uint8_t>(r.ue("seq_parameter_set_id", kMaxSpsCount - 1));
  if (profile_has_chroma_format_fields(s.profile_idc)) {
    s.chroma_format_idc = static_cast<uint8_t>(r.ue("chroma_format_idc", 3));
    if (s.chroma_format_idc == 3) s.separate_colour_plane_flag = r.flag();
    s.bit_depth_luma_minus8 = static_cast<uint8_t>(r.ue("bit_depth_luma_minus8", 6));
    s.bit_depth_chroma_minus8 = static_cast<uint8_t>(r.ue("bit_depth_chroma_minus8", 6));
    s.qpprime_y_zero_transform_bypass_flag = r.flag();
    s.scaling.matrix_present = r.flag();
    if (s.scaling.matrix_present)
      read_scaling_lists(r, 6 + scaling_lists_8x8(s.chroma_format_idc), s.scaling, s.scaling_matrix);
  }
  if (s.scaling.matrix_present)
    apply_fallback(s.scaling, nullptr, s.scaling_matrix);
  else
    s.scaling_matrix = flat_scaling_matrix();

  s.log2_max_frame_num_minus4 = static_cast<uint8_t>(r.ue("log2_max_frame_num_minus4", 12));
  s.pic_order_cnt_type = static_cast<uint8_t>(r.ue("pic_order_cnt_type", 2));
  if (s.pic_order_cnt_type == 0) {
    s.log2_max_pic_order_cnt_lsb_minus4 = static_cast<uint8_t>(r.ue("log2_max_pic_order_cnt_lsb_minus4", 12));
  } else if (s.pic_order_cnt_type == 1) {
    constexpr int32_t kMax = 0x7fffffff;
    s.delta_pic_order_always_zero_flag = r.flag();
    s.offset_for_non_ref_pic = r.se("offset_for_non_ref_pic", -kMax, kMax);
    s.offset_for_top_to_bottom_field = r.se("offset_for_top_to_bottom_field", -kMax, kMax);
    s.num_ref_frames_in_pic_order_cnt_cycle =
        static_cast<uint8_t>(r.ue("num_ref_frames_in_pic_order_cnt_cycle", 255));
    for (int i = 0; i < s.num_ref_frames_in_pic_order_cnt_cycle; ++i)
      s.offset_for_ref_frame[i] = r.se("offset_for_ref_frame", -kMax, kMax);
  }
  s.max_num_ref_frames = static_cast<uint8_t>(r.ue("max_num_ref_frames", kMaxRefFrames));
  s.gaps_in_frame_num_value_allowed_flag = r.flag();
  s.pic_width_in_mbs_minus1 = static_cast<uint16_t>(r.ue("pic_width_in_mbs_minus1", kMaxMbsPerSide - 1));
  s.pic_height_in_map_units_minus1 =
      static_cast<uint16_t>(r.ue("pic_height_in_map_units_minus1", kMaxMbsPerSide - 1));
  s.frame_mbs_only_flag = r.flag();
  if (!s.frame_mbs_only_flag) {
    s.mb_adaptive_frame_field_flag = r.flag();
    if (s.height_mbs() > kMaxMbsPerSide) r.fail("frame height in macroblocks above " + std::to_string(kMaxMbsPerSide));
  }
  s.direct_8x8_inference_flag = r.flag();
  s.frame_cropping_flag = r.flag();
  if (s.frame_cropping_flag) {
    s.frame_crop_left_offset = r.ue();
    s.frame_crop_right_offset = r.ue();
    s.frame_crop_top_offset = r.ue();
    s.frame_crop_bottom_offset = r.ue();
    // 7.4.2.1.1: the window must keep at least one sample each way.
    const uint64_t ux = crop_unit_x(s), uy = crop_unit_y(s);
    const uint64_t horizontal = ux * (uint64_t{s.frame_crop_left_offset} + s.frame_crop_right_offset);
    const uint64_t vertical = uy * (uint64_t{s.frame_crop_top_offset} + s.frame_crop_bottom_offset);
    if (horizontal >= s.width_mbs() * 16u || vertical >= s.height_mbs() * 16u)
      r.fail("frame cropping (" + std::to_string(s.frame_crop_left_offset) + ", " +
             std::to_string(s.frame_crop_right_offset) + ", " + std::to_string(s.frame_crop_top_offset) + ", " +
             std::to_string(s.frame_crop_bottom_offset) + ") leaves no picture of " +
             std::to_string(s.width_mbs() * 16) + "x" + std::to_string(s.height_mbs() * 16));
  }
  s.vui_parameters_present_flag = r.flag();
  if (s.vui_parameters_present_flag) parse_vui(r, s.vui);
  return s;
}

}  // namespace daedalus::h264
