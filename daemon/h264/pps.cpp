// SPDX-License-Identifier: MIT
#include "pps.h"

#include <string>

#include "rbsp_reader.h"

namespace daedalus::h264 {
namespace {

struct PpsIds {
  uint8_t pps_id, sps_id;
};

PpsIds read_ids(RbspReader& r) {
  PpsIds ids;
  ids.pps_id = static_cast<uint8_t>(r.ue("pic_parameter_set_id", kMaxPpsCount - 1));
  ids.sps_id = static_cast<uint8_t>(r.ue("seq_parameter_set_id", kMaxSpsCount - 1));
  return ids;
}

}  // namespace

uint8_t pps_sps_id(std::span<const uint8_t> rbsp) {
  RbspReader r(rbsp, "PPS");
  return read_ids(r).sps_id;
}

Pps parse_pps(std::span<const uint8_t> rbsp, const Sps& sps) {
  RbspReader r(rbsp, "PPS");
  Pps p;
  const PpsIds ids = read_ids(r);
  p.pic_parameter_set_id = ids.pps_id;
  p.seq_parameter_set_id = ids.sps_id;
  if (p.seq_parameter_set_id != sps.seq_parameter_set_id)
    r.fail("refers to SPS " + std::to_string(p.seq_parameter_set_id) + ", parsed with SPS " +
           std::to_string(sps.seq_parameter_set_id));
  p.entropy_coding_mode_flag = r.flag();
  p.bottom_field_pic_order_in_frame_present_flag = r.flag();
  const uint32_t num_slice_groups_minus1 = r.ue("num_slice_groups_minus1", 7);
  if (num_slice_groups_minus1 != 0)
    throw Error("h264: slice groups (FMO, num_slice_groups_minus1 = " + std::to_string(num_slice_groups_minus1) +
                ") are not supported");
  p.num_ref_idx_l0_default_active_minus1 = static_cast<uint8_t>(r.ue("num_ref_idx_l0_default_active_minus1", 31));
  p.num_ref_idx_l1_default_active_minus1 = static_cast<uint8_t>(r.ue("num_ref_idx_l1_default_active_minus1", 31));
  p.weighted_pred_flag = r.flag();
  p.weighted_bipred_idc = static_cast<uint8_t>(r.bits(2));
  if (p.weighted_bipred_idc == 3) r.fail("weighted_bipred_idc = 3 is reserved");
  // QpBdOffsetY = 6 * bit_depth_luma_minus8 widens the QP range downwards.
  const int qp_bd_offset = 6 * sps.bit_depth_luma_minus8;
  p.pic_init_qp_minus26 = static_cast<int8_t>(r.se("pic_init_qp_minus26", -(26 + qp_bd_offset), 25));
  p.pic_init_qs_minus26 = static_cast<int8_t>(r.se("pic_init_qs_minus26", -26, 25));
  p.chroma_qp_index_offset = static_cast<int8_t>(r.se("chroma_qp_index_offset", -12, 12));
  p.deblocking_filter_control_present_flag = r.flag();
  p.constrained_intra_pred_flag = r.flag();
  p.redundant_pic_cnt_present_flag = r.flag();
  p.second_chroma_qp_index_offset = p.chroma_qp_index_offset;
  if (r.more_rbsp_data()) {
    p.transform_8x8_mode_flag = r.flag();
    p.scaling.matrix_present = r.flag();
    if (p.scaling.matrix_present)
      read_scaling_lists(r, 6 + scaling_lists_8x8(sps.chroma_format_idc) * p.transform_8x8_mode_flag, p.scaling,
                         p.scaling_matrix);
    p.second_chroma_qp_index_offset = static_cast<int8_t>(r.se("second_chroma_qp_index_offset", -12, 12));
  }
  if (p.scaling.matrix_present)
    apply_fallback(p.scaling, sps.scaling.matrix_present ? &sps.scaling_matrix : nullptr, p.scaling_matrix);
  else
    p.scaling_matrix = sps.scaling_matrix;
  return p;
}

}  // namespace daedalus::h264
