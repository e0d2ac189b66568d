// SPDX-License-Identifier: MIT
// Sequence parameter set (spec 7.3.2.1.1, VUI E.1.1, HRD E.1.2): every
// syntax element as coded, plus the values derived from them that the
// rest of the decoder uses. Parsed whatever the profile, so that an
// unsupported stream is named precisely (support.h) rather than misread.
#pragma once

#include <array>
#include <cstdint>
#include <span>

#include "scaling_lists.h"

namespace daedalus::h264 {

constexpr int kMaxSpsCount = 32;
constexpr int kMaxRefFrames = 16;  // max_num_ref_frames and the DPB size (A.3.1)
// Our limit on the coded size: 16384 samples either way, as for VP9.
constexpr uint32_t kMaxMbsPerSide = 1024;

struct HrdParameters {
  uint32_t cpb_cnt_minus1 = 0;
  uint8_t bit_rate_scale = 0;
  uint8_t cpb_size_scale = 0;
  std::array<uint32_t, 32> bit_rate_value_minus1{};
  std::array<uint32_t, 32> cpb_size_value_minus1{};
  std::array<bool, 32> cbr_flag{};
  uint8_t initial_cpb_removal_delay_length_minus1 = 23;
  uint8_t cpb_removal_delay_length_minus1 = 23;
  uint8_t dpb_output_delay_length_minus1 = 23;
  uint8_t time_offset_length = 24;
};

struct VuiParameters {
  bool aspect_ratio_info_present_flag = false;
  uint8_t aspect_ratio_idc = 0;
  uint16_t sar_width = 0;
  uint16_t sar_height = 0;
  bool overscan_info_present_flag = false;
  bool overscan_appropriate_flag = false;
  bool video_signal_type_present_flag = false;
  uint8_t video_format = 5;
  bool video_full_range_flag = false;
  bool colour_description_present_flag = false;
  uint8_t colour_primaries = 2;
  uint8_t transfer_characteristics = 2;
  uint8_t matrix_coefficients = 2;
  bool chroma_loc_info_present_flag = false;
  uint8_t chroma_sample_loc_type_top_field = 0;
  uint8_t chroma_sample_loc_type_bottom_field = 0;
  bool timing_info_present_flag = false;
  uint32_t num_units_in_tick = 0;
  uint32_t time_scale = 0;
  bool fixed_frame_rate_flag = false;
  bool nal_hrd_parameters_present_flag = false;
  HrdParameters nal_hrd;
  bool vcl_hrd_parameters_present_flag = false;
  HrdParameters vcl_hrd;
  bool low_delay_hrd_flag = false;
  bool pic_struct_present_flag = false;
  bool bitstream_restriction_flag = false;
  bool motion_vectors_over_pic_boundaries_flag = true;
  uint8_t max_bytes_per_pic_denom = 2;
  uint8_t max_bits_per_mb_denom = 1;
  uint8_t log2_max_mv_length_horizontal = 16;
  uint8_t log2_max_mv_length_vertical = 16;
  // Without bitstream_restriction: the inferred values (E.2.1), which the
  // DPB size of the level replaces when the decoder needs them.
  uint8_t max_num_reorder_frames = kMaxRefFrames;
  uint8_t max_dec_frame_buffering = kMaxRefFrames;
};

struct Sps {
  uint8_t profile_idc = 0;
  // constraint_set0_flag .. constraint_set5_flag as bits 0..5.
  uint8_t constraint_set_flags = 0;
  uint8_t reserved_zero_2bits = 0;
  uint8_t level_idc = 0;
  uint8_t seq_parameter_set_id = 0;
  uint8_t chroma_format_idc = 1;  // 0: 4:0:0, 1: 4:2:0, 2: 4:2:2, 3: 4:4:4
  bool separate_colour_plane_flag = false;
  uint8_t bit_depth_luma_minus8 = 0;
  uint8_t bit_depth_chroma_minus8 = 0;
  bool qpprime_y_zero_transform_bypass_flag = false;
  ScalingListsPresence scaling;  // seq_scaling_matrix_present_flag, ..._list_present_flag[]
  uint8_t log2_max_frame_num_minus4 = 0;
  uint8_t pic_order_cnt_type = 0;
  uint8_t log2_max_pic_order_cnt_lsb_minus4 = 0;
  bool delta_pic_order_always_zero_flag = false;
  int32_t offset_for_non_ref_pic = 0;
  int32_t offset_for_top_to_bottom_field = 0;
  uint8_t num_ref_frames_in_pic_order_cnt_cycle = 0;
  std::array<int32_t, 255> offset_for_ref_frame{};
  uint8_t max_num_ref_frames = 0;
  bool gaps_in_frame_num_value_allowed_flag = false;
  uint16_t pic_width_in_mbs_minus1 = 0;
  uint16_t pic_height_in_map_units_minus1 = 0;
  bool frame_mbs_only_flag = true;
  bool mb_adaptive_frame_field_flag = false;
  bool direct_8x8_inference_flag = false;
  bool frame_cropping_flag = false;
  uint32_t frame_crop_left_offset = 0;
  uint32_t frame_crop_right_offset = 0;
  uint32_t frame_crop_top_offset = 0;
  uint32_t frame_crop_bottom_offset = 0;
  bool vui_parameters_present_flag = false;
  VuiParameters vui;

  // Derived.
  ScalingMatrix scaling_matrix;  // after fall-back rule A; flat without a matrix
  int chroma_array_type() const { return separate_colour_plane_flag ? 0 : chroma_format_idc; }
  uint32_t max_frame_num() const { return 1u << (log2_max_frame_num_minus4 + 4); }
  uint32_t max_pic_order_cnt_lsb() const { return 1u << (log2_max_pic_order_cnt_lsb_minus4 + 4); }
  uint32_t width_mbs() const { return pic_width_in_mbs_minus1 + 1u; }
  // FrameHeightInMbs (7-18): map units are MB pairs when fields may occur.
  uint32_t height_mbs() const { return (2u - frame_mbs_only_flag) * (pic_height_in_map_units_minus1 + 1u); }
  // ExpectedDeltaPerPicOrderCntCycle (7-12).
  int64_t expected_delta_per_poc_cycle() const;
  // The visible picture after cropping (7-19..7-22), in luma samples.
  uint32_t crop_left() const;
  uint32_t crop_right() const;
  uint32_t crop_top() const;
  uint32_t crop_bottom() const;
  uint32_t display_width() const { return width_mbs() * 16 - crop_left() - crop_right(); }
  uint32_t display_height() const { return height_mbs() * 16 - crop_top() - crop_bottom(); }
};

// Whether an SPS of this profile carries chroma_format_idc, the bit depths,
// qpprime_y_zero_transform_bypass_flag and scaling lists (the High
// profiles and their SVC / MVC relatives: the condition in 7.3.2.1.1);
// other profiles are 8-bit 4:2:0 without an SPS scaling matrix.
bool profile_has_chroma_format_fields(int profile_idc);

// Parses seq_parameter_set_rbsp() (the RBSP after the NAL unit header).
// Throws daedalus::Error ("h264: SPS: ...") on truncation, values out of
// range and a cropping window that leaves no picture.
Sps parse_sps(std::span<const uint8_t> rbsp);

}  // namespace daedalus::h264
