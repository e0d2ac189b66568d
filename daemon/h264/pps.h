// SPDX-License-Identifier: MIT
// Picture parameter set (spec 7.3.2.2): every syntax element as coded.
// Slice groups (FMO, Baseline / Extended profile only) are rejected while
// parsing: their syntax is long and nothing else of ours would use it.
#pragma once

#include <cstdint>
#include <memory>
#include <span>

#include "scaling_lists.h"
#include "sps.h"

namespace daedalus::h264 {

constexpr int kMaxPpsCount = 256;

struct Pps {
  uint8_t pic_parameter_set_id = 0;
  uint8_t seq_parameter_set_id = 0;
  bool entropy_coding_mode_flag = false;  // CABAC
  bool bottom_field_pic_order_in_frame_present_flag = false;
  uint8_t num_slice_groups_minus1 = 0;  // always 0: slice groups are rejected
  uint8_t num_ref_idx_l0_default_active_minus1 = 0;
  uint8_t num_ref_idx_l1_default_active_minus1 = 0;
  bool weighted_pred_flag = false;
  uint8_t weighted_bipred_idc = 0;
  int8_t pic_init_qp_minus26 = 0;
  int8_t pic_init_qs_minus26 = 0;
  int8_t chroma_qp_index_offset = 0;
  bool deblocking_filter_control_present_flag = false;
  bool constrained_intra_pred_flag = false;
  bool redundant_pic_cnt_present_flag = false;
  // Present only when more_rbsp_data() after the fields above (High
  // profiles); otherwise the inferred values.
  bool transform_8x8_mode_flag = false;
  ScalingListsPresence scaling;  // pic_scaling_matrix_present_flag, ..._list_present_flag[]
  int8_t second_chroma_qp_index_offset = 0;  // = chroma_qp_index_offset when absent

  // Derived: the lists the slices use (7.4.2.2), the SPS's when the PPS has
  // no matrix, else the PPS's after fall-back rule A or B. Computed with the
  // SPS the PPS refers to when the PPS is parsed.
  ScalingMatrix scaling_matrix;
};

// Parses pic_parameter_set_rbsp(). `sps` is the SPS it refers to (its id
// is read first: see pps_sps_id), needed for the chroma format, the bit
// depth's QP range and the scaling list fall-back. Throws daedalus::Error
// ("h264: PPS: ...").
Pps parse_pps(std::span<const uint8_t> rbsp, const Sps& sps);

// The seq_parameter_set_id a PPS refers to, so that the caller can look
// the SPS up before parsing the rest.
uint8_t pps_sps_id(std::span<const uint8_t> rbsp);

}  // namespace daedalus::h264
