// SPDX-License-Identifier: MIT
#include "compare_headers.h"

#include <gtest/gtest.h>

#include <string>

namespace daedalus::h264::test {
namespace {

std::string indexed(const std::string& name, int i) { return name + "[" + std::to_string(i) + "]"; }
std::string indexed(const std::string& name, int i, int j) { return indexed(name, i) + "[" + std::to_string(j) + "]"; }

void expect(TraceUnit& t, const std::string& name, int64_t ours) { EXPECT_EQ(t.take(name), ours) << name; }

// Compared when coded; otherwise ours must be the value the spec infers.
void expect_or_inferred(TraceUnit& t, const std::string& name, int64_t ours, int64_t inferred) {
  if (t.has(name))
    EXPECT_EQ(t.take(name), ours) << name;
  else
    EXPECT_EQ(ours, inferred) << name << " is not coded, so it is inferred";
}

// Compared when coded (fields without an inferred value that matters).
void expect_if_coded(TraceUnit& t, const std::string& name, int64_t ours) {
  if (t.has(name)) {
    EXPECT_EQ(t.take(name), ours) << name;
  }
}

void take_all(TraceUnit& t, const std::string& name) {
  while (t.has(name)) t.take(name);
}

void expect_nal_header(TraceUnit& t, const NalUnit& nal) {
  expect(t, "forbidden_zero_bit", 0);
  expect(t, "nal_ref_idc", nal.ref_idc);
  expect(t, "nal_unit_type", nal.type);
}

void expect_everything_taken(const TraceUnit& t) {
  for (const auto& name : t.untaken()) ADD_FAILURE() << t.title << ": we did not compare " << name;
}

void expect_scaling_lists(TraceUnit& t, const std::string& flag_name, const ScalingListsPresence& presence,
                          const ScalingMatrix& m) {
  for (int i = 0; i < 12; ++i) {
    const std::string flag = indexed(flag_name, i);
    if (!t.has(flag)) {
      EXPECT_FALSE(presence.list_present[i]) << flag;
      continue;
    }
    const bool present = t.take(flag) != 0;
    EXPECT_EQ(presence.list_present[i], present) << flag;
    if (!present) continue;
    const size_t size = i < 6 ? 16 : 64;
    std::vector<int> deltas;
    int last = 8;
    for (size_t j = 0; j < size; ++j) {
      deltas.push_back(static_cast<int>(t.take(indexed("delta_scale", static_cast<int>(j)))));
      const int next = (last + deltas.back() + 256) % 256;
      if (next == 0) break;
      last = next;
    }
    const std::vector<int> scan = scaling_list_from_deltas(deltas, size);
    const bool intra = i < 6 ? i < 3 : i % 2 == 0;
    for (size_t k = 0; k < size; ++k) {
      const uint8_t ours = i < 6 ? m.list4x4[i][kZigzag4x4[k]] : m.list8x8[i - 6][kZigzag8x8[k]];
      const uint8_t raster = i < 6 ? kZigzag4x4[k] : kZigzag8x8[k];
      const int expected = !scan.empty() ? scan[k]
                           : i < 6      ? (intra ? kDefault4x4Intra : kDefault4x4Inter)[raster]
                                        : (intra ? kDefault8x8Intra : kDefault8x8Inter)[raster];
      EXPECT_EQ(ours, expected) << "scaling list " << i << " position " << k;
    }
  }
}

void expect_hrd(TraceUnit& t, const HrdParameters& h) {
  expect(t, "cpb_cnt_minus1", h.cpb_cnt_minus1);
  expect(t, "bit_rate_scale", h.bit_rate_scale);
  expect(t, "cpb_size_scale", h.cpb_size_scale);
  for (uint32_t i = 0; i <= h.cpb_cnt_minus1; ++i) {
    expect(t, indexed("bit_rate_value_minus1", i), h.bit_rate_value_minus1[i]);
    expect(t, indexed("cpb_size_value_minus1", i), h.cpb_size_value_minus1[i]);
    expect(t, indexed("cbr_flag", i), h.cbr_flag[i]);
  }
  expect(t, "initial_cpb_removal_delay_length_minus1", h.initial_cpb_removal_delay_length_minus1);
  expect(t, "cpb_removal_delay_length_minus1", h.cpb_removal_delay_length_minus1);
  expect(t, "dpb_output_delay_length_minus1", h.dpb_output_delay_length_minus1);
  expect(t, "time_offset_length", h.time_offset_length);
}

void expect_vui(TraceUnit& t, const VuiParameters& v) {
  expect(t, "aspect_ratio_info_present_flag", v.aspect_ratio_info_present_flag);
  expect_if_coded(t, "aspect_ratio_idc", v.aspect_ratio_idc);
  expect_if_coded(t, "sar_width", v.sar_width);
  expect_if_coded(t, "sar_height", v.sar_height);
  expect(t, "overscan_info_present_flag", v.overscan_info_present_flag);
  expect_if_coded(t, "overscan_appropriate_flag", v.overscan_appropriate_flag);
  expect(t, "video_signal_type_present_flag", v.video_signal_type_present_flag);
  expect_if_coded(t, "video_format", v.video_format);
  expect_if_coded(t, "video_full_range_flag", v.video_full_range_flag);
  expect_if_coded(t, "colour_description_present_flag", v.colour_description_present_flag);
  expect_if_coded(t, "colour_primaries", v.colour_primaries);
  expect_if_coded(t, "transfer_characteristics", v.transfer_characteristics);
  expect_if_coded(t, "matrix_coefficients", v.matrix_coefficients);
  expect(t, "chroma_loc_info_present_flag", v.chroma_loc_info_present_flag);
  expect_if_coded(t, "chroma_sample_loc_type_top_field", v.chroma_sample_loc_type_top_field);
  expect_if_coded(t, "chroma_sample_loc_type_bottom_field", v.chroma_sample_loc_type_bottom_field);
  expect(t, "timing_info_present_flag", v.timing_info_present_flag);
  expect_if_coded(t, "num_units_in_tick", v.num_units_in_tick);
  expect_if_coded(t, "time_scale", v.time_scale);
  expect_if_coded(t, "fixed_frame_rate_flag", v.fixed_frame_rate_flag);
  expect(t, "nal_hrd_parameters_present_flag", v.nal_hrd_parameters_present_flag);
  if (v.nal_hrd_parameters_present_flag) expect_hrd(t, v.nal_hrd);
  expect(t, "vcl_hrd_parameters_present_flag", v.vcl_hrd_parameters_present_flag);
  if (v.vcl_hrd_parameters_present_flag) expect_hrd(t, v.vcl_hrd);
  expect_if_coded(t, "low_delay_hrd_flag", v.low_delay_hrd_flag);
  expect(t, "pic_struct_present_flag", v.pic_struct_present_flag);
  expect(t, "bitstream_restriction_flag", v.bitstream_restriction_flag);
  expect_if_coded(t, "motion_vectors_over_pic_boundaries_flag", v.motion_vectors_over_pic_boundaries_flag);
  expect_if_coded(t, "max_bytes_per_pic_denom", v.max_bytes_per_pic_denom);
  expect_if_coded(t, "max_bits_per_mb_denom", v.max_bits_per_mb_denom);
  expect_if_coded(t, "log2_max_mv_length_horizontal", v.log2_max_mv_length_horizontal);
  expect_if_coded(t, "log2_max_mv_length_vertical", v.log2_max_mv_length_vertical);
  expect_if_coded(t, "max_num_reorder_frames", v.max_num_reorder_frames);
  expect_if_coded(t, "max_dec_frame_buffering", v.max_dec_frame_buffering);
}

}  // namespace

std::vector<int> scaling_list_from_deltas(const std::vector<int>& deltas, size_t size) {
  std::vector<int> out;
  int last = 8;
  for (size_t j = 0; j < size; ++j) {
    if (j < deltas.size()) {
      const int next = (last + deltas[j] + 256) % 256;
      if (next == 0) {
        if (j == 0) return {};  // UseDefaultScalingMatrixFlag
      } else {
        last = next;
      }
    }
    out.push_back(last);
  }
  return out;
}

void compare_sps(TraceUnit& t, const NalUnit& nal, const Sps& s) {
  expect_nal_header(t, nal);
  expect(t, "profile_idc", s.profile_idc);
  for (int i = 0; i < 6; ++i)
    expect(t, "constraint_set" + std::to_string(i) + "_flag", (s.constraint_set_flags >> i) & 1);
  expect(t, "reserved_zero_2bits", s.reserved_zero_2bits);
  expect(t, "level_idc", s.level_idc);
  expect(t, "seq_parameter_set_id", s.seq_parameter_set_id);
  expect_or_inferred(t, "chroma_format_idc", s.chroma_format_idc, 1);
  expect_or_inferred(t, "separate_colour_plane_flag", s.separate_colour_plane_flag, 0);
  expect_or_inferred(t, "bit_depth_luma_minus8", s.bit_depth_luma_minus8, 0);
  expect_or_inferred(t, "bit_depth_chroma_minus8", s.bit_depth_chroma_minus8, 0);
  expect_or_inferred(t, "qpprime_y_zero_transform_bypass_flag", s.qpprime_y_zero_transform_bypass_flag, 0);
  expect_or_inferred(t, "seq_scaling_matrix_present_flag", s.scaling.matrix_present, 0);
  expect_scaling_lists(t, "seq_scaling_list_present_flag", s.scaling, s.scaling_matrix);
  if (!s.scaling.matrix_present) {
    EXPECT_EQ(s.scaling_matrix, flat_scaling_matrix());
  }
  expect(t, "log2_max_frame_num_minus4", s.log2_max_frame_num_minus4);
  expect(t, "pic_order_cnt_type", s.pic_order_cnt_type);
  expect_or_inferred(t, "log2_max_pic_order_cnt_lsb_minus4", s.log2_max_pic_order_cnt_lsb_minus4, 0);
  expect_or_inferred(t, "delta_pic_order_always_zero_flag", s.delta_pic_order_always_zero_flag, 0);
  expect_or_inferred(t, "offset_for_non_ref_pic", s.offset_for_non_ref_pic, 0);
  expect_or_inferred(t, "offset_for_top_to_bottom_field", s.offset_for_top_to_bottom_field, 0);
  expect_or_inferred(t, "num_ref_frames_in_pic_order_cnt_cycle", s.num_ref_frames_in_pic_order_cnt_cycle, 0);
  for (int i = 0; i < s.num_ref_frames_in_pic_order_cnt_cycle; ++i)
    expect(t, indexed("offset_for_ref_frame", i), s.offset_for_ref_frame[i]);
  expect(t, "max_num_ref_frames", s.max_num_ref_frames);
  expect(t, "gaps_in_frame_num_allowed_flag", s.gaps_in_frame_num_value_allowed_flag);
  expect(t, "pic_width_in_mbs_minus1", s.pic_width_in_mbs_minus1);
  expect(t, "pic_height_in_map_units_minus1", s.pic_height_in_map_units_minus1);
  expect(t, "frame_mbs_only_flag", s.frame_mbs_only_flag);
  expect_or_inferred(t, "mb_adaptive_frame_field_flag", s.mb_adaptive_frame_field_flag, 0);
  expect(t, "direct_8x8_inference_flag", s.direct_8x8_inference_flag);
  expect(t, "frame_cropping_flag", s.frame_cropping_flag);
  expect_or_inferred(t, "frame_crop_left_offset", s.frame_crop_left_offset, 0);
  expect_or_inferred(t, "frame_crop_right_offset", s.frame_crop_right_offset, 0);
  expect_or_inferred(t, "frame_crop_top_offset", s.frame_crop_top_offset, 0);
  expect_or_inferred(t, "frame_crop_bottom_offset", s.frame_crop_bottom_offset, 0);
  expect(t, "vui_parameters_present_flag", s.vui_parameters_present_flag);
  if (s.vui_parameters_present_flag) expect_vui(t, s.vui);
  take_all(t, "rbsp_stop_one_bit");
  take_all(t, "rbsp_alignment_zero_bit");
  expect_everything_taken(t);
}

void compare_pps(TraceUnit& t, const NalUnit& nal, const Pps& p) {
  expect_nal_header(t, nal);
  expect(t, "pic_parameter_set_id", p.pic_parameter_set_id);
  expect(t, "seq_parameter_set_id", p.seq_parameter_set_id);
  expect(t, "entropy_coding_mode_flag", p.entropy_coding_mode_flag);
  expect(t, "bottom_field_pic_order_in_frame_present_flag", p.bottom_field_pic_order_in_frame_present_flag);
  expect(t, "num_slice_groups_minus1", p.num_slice_groups_minus1);
  expect(t, "num_ref_idx_l0_default_active_minus1", p.num_ref_idx_l0_default_active_minus1);
  expect(t, "num_ref_idx_l1_default_active_minus1", p.num_ref_idx_l1_default_active_minus1);
  expect(t, "weighted_pred_flag", p.weighted_pred_flag);
  expect(t, "weighted_bipred_idc", p.weighted_bipred_idc);
  expect(t, "pic_init_qp_minus26", p.pic_init_qp_minus26);
  expect(t, "pic_init_qs_minus26", p.pic_init_qs_minus26);
  expect(t, "chroma_qp_index_offset", p.chroma_qp_index_offset);
  expect(t, "deblocking_filter_control_present_flag", p.deblocking_filter_control_present_flag);
  expect(t, "constrained_intra_pred_flag", p.constrained_intra_pred_flag);
  expect(t, "redundant_pic_cnt_present_flag", p.redundant_pic_cnt_present_flag);
  expect_or_inferred(t, "transform_8x8_mode_flag", p.transform_8x8_mode_flag, 0);
  expect_or_inferred(t, "pic_scaling_matrix_present_flag", p.scaling.matrix_present, 0);
  expect_scaling_lists(t, "pic_scaling_list_present_flag", p.scaling, p.scaling_matrix);
  expect_or_inferred(t, "second_chroma_qp_index_offset", p.second_chroma_qp_index_offset, p.chroma_qp_index_offset);
  take_all(t, "rbsp_stop_one_bit");
  take_all(t, "rbsp_alignment_zero_bit");
  expect_everything_taken(t);
}

void compare_slice_header(TraceUnit& t, const NalUnit& nal, const SliceHeader& h) {
  expect_nal_header(t, nal);
  expect(t, "first_mb_in_slice", h.first_mb_in_slice);
  expect(t, "slice_type", h.slice_type);
  expect(t, "pic_parameter_set_id", h.pic_parameter_set_id);
  expect_or_inferred(t, "colour_plane_id", h.colour_plane_id, 0);
  expect(t, "frame_num", h.frame_num);
  expect_or_inferred(t, "field_pic_flag", h.field_pic_flag, 0);
  expect_or_inferred(t, "bottom_field_flag", h.bottom_field_flag, 0);
  expect_or_inferred(t, "idr_pic_id", h.idr_pic_id, 0);
  expect_or_inferred(t, "pic_order_cnt_lsb", h.pic_order_cnt_lsb, 0);
  expect_or_inferred(t, "delta_pic_order_cnt_bottom", h.delta_pic_order_cnt_bottom, 0);
  expect_or_inferred(t, "delta_pic_order_cnt[0]", h.delta_pic_order_cnt[0], 0);
  expect_or_inferred(t, "delta_pic_order_cnt[1]", h.delta_pic_order_cnt[1], 0);
  expect_or_inferred(t, "redundant_pic_cnt", h.redundant_pic_cnt, 0);
  expect_or_inferred(t, "direct_spatial_mv_pred_flag", h.direct_spatial_mv_pred_flag, 0);
  expect_or_inferred(t, "num_ref_idx_active_override_flag", h.num_ref_idx_active_override_flag, 0);
  expect_if_coded(t, "num_ref_idx_l0_active_minus1", h.num_ref_idx_l0_active_minus1);
  expect_if_coded(t, "num_ref_idx_l1_active_minus1", h.num_ref_idx_l1_active_minus1);
  for (int list = 0; list < 2; ++list) {
    const std::string flag = "ref_pic_list_modification_flag_l" + std::to_string(list);
    expect_or_inferred(t, flag, h.ref_pic_list_modification_flag[list], 0);
    if (!h.ref_pic_list_modification_flag[list]) continue;
    for (int i = 0; i < h.num_ref_pic_list_modifications[list]; ++i) {
      const RefPicListModification& m = h.ref_pic_list_modification[list][i];
      expect(t, "modification_of_pic_nums_idc", m.modification_of_pic_nums_idc);
      if (m.modification_of_pic_nums_idc == 2)
        expect(t, "long_term_pic_num", m.long_term_pic_num);
      else
        expect(t, "abs_diff_pic_num_minus1", m.abs_diff_pic_num_minus1);
    }
    expect(t, "modification_of_pic_nums_idc", 3);
  }
  EXPECT_EQ(h.has_pred_weight_table, t.has("luma_log2_weight_denom"));
  if (h.has_pred_weight_table) {
    const PredWeightTable& w = h.pred_weight_table;
    expect(t, "luma_log2_weight_denom", w.luma_log2_weight_denom);
    const bool chroma = t.has("chroma_log2_weight_denom");  // not in 4:0:0
    expect_or_inferred(t, "chroma_log2_weight_denom", w.chroma_log2_weight_denom, 0);
    for (int list = 0; list < 2; ++list) {
      const std::string l = "_l" + std::to_string(list);
      for (int i = 0; i < h.num_ref_idx_active(list); ++i) {
        const PredWeight& p = w.list[list][i];
        expect(t, indexed("luma_weight" + l + "_flag", i), p.luma_weight_flag);
        if (p.luma_weight_flag) {
          expect(t, indexed("luma_weight" + l, i), p.luma_weight);
          expect(t, indexed("luma_offset" + l, i), p.luma_offset);
        } else {
          EXPECT_EQ(p.luma_weight, 1 << w.luma_log2_weight_denom);
          EXPECT_EQ(p.luma_offset, 0);
        }
        if (!chroma) continue;
        expect(t, indexed("chroma_weight" + l + "_flag", i), p.chroma_weight_flag);
        for (int j = 0; j < 2; ++j) {
          if (p.chroma_weight_flag) {
            expect(t, indexed("chroma_weight" + l, i, j), p.chroma_weight[j]);
            expect(t, indexed("chroma_offset" + l, i, j), p.chroma_offset[j]);
          } else {
            EXPECT_EQ(p.chroma_weight[j], 1 << w.chroma_log2_weight_denom);
            EXPECT_EQ(p.chroma_offset[j], 0);
          }
        }
      }
    }
  }
  expect_or_inferred(t, "no_output_of_prior_pics_flag", h.no_output_of_prior_pics_flag, 0);
  expect_or_inferred(t, "long_term_reference_flag", h.long_term_reference_flag, 0);
  expect_or_inferred(t, "adaptive_ref_pic_marking_mode_flag", h.adaptive_ref_pic_marking_mode_flag, 0);
  if (h.adaptive_ref_pic_marking_mode_flag) {
    for (int i = 0; i < h.num_mmco_ops; ++i) {
      const MemoryManagementOp& m = h.mmco[i];
      const int op = m.memory_management_control_operation;
      expect(t, "memory_management_control_operation", op);
      if (op == 1 || op == 3) expect(t, "difference_of_pic_nums_minus1", m.difference_of_pic_nums_minus1);
      if (op == 2) expect(t, "long_term_pic_num", m.long_term_pic_num);
      if (op == 3 || op == 6) expect(t, "long_term_frame_idx", m.long_term_frame_idx);
      if (op == 4) expect(t, "max_long_term_frame_idx_plus1", m.max_long_term_frame_idx_plus1);
    }
    expect(t, "memory_management_control_operation", 0);
  }
  expect_or_inferred(t, "cabac_init_idc", h.cabac_init_idc, 0);
  expect(t, "slice_qp_delta", h.slice_qp_delta);
  expect_or_inferred(t, "sp_for_switch_flag", h.sp_for_switch_flag, 0);
  expect_or_inferred(t, "slice_qs_delta", h.slice_qs_delta, 0);
  expect_or_inferred(t, "disable_deblocking_filter_idc", h.disable_deblocking_filter_idc, 0);
  expect_or_inferred(t, "slice_alpha_c0_offset_div2", h.slice_alpha_c0_offset_div2, 0);
  expect_or_inferred(t, "slice_beta_offset_div2", h.slice_beta_offset_div2, 0);
  take_all(t, "cabac_alignment_one_bit");
  expect_everything_taken(t);

  // Where things are: the trace's bit positions count the NAL header byte.
  EXPECT_EQ(int64_t{h.header_bit_size}, t.end_bit() - 8) << "slice data offset";
  const int64_t poc_start = std::max(t.position_of("pic_order_cnt_lsb"), t.position_of("delta_pic_order_cnt[0]"));
  const int64_t poc_end = t.end_of_last(
      {"pic_order_cnt_lsb", "delta_pic_order_cnt_bottom", "delta_pic_order_cnt[0]", "delta_pic_order_cnt[1]"});
  EXPECT_EQ(int64_t{h.pic_order_cnt_bit_size}, poc_start < 0 ? 0 : poc_end - poc_start);
  const int64_t marking_start =
      std::max(t.position_of("no_output_of_prior_pics_flag"), t.position_of("adaptive_ref_pic_marking_mode_flag"));
  const int64_t marking_end =
      t.end_of_last({"long_term_reference_flag", "adaptive_ref_pic_marking_mode_flag",
                     "memory_management_control_operation", "difference_of_pic_nums_minus1", "long_term_frame_idx",
                     "max_long_term_frame_idx_plus1"});
  EXPECT_EQ(int64_t{h.dec_ref_pic_marking_bit_size}, marking_start < 0 ? 0 : marking_end - marking_start);
}

}  // namespace daedalus::h264::test
