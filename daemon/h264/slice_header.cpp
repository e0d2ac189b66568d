// SPDX-License-Identifier: MIT
#include "slice_header.h"

#include <string>

#include "rbsp_reader.h"

namespace daedalus::h264 {
namespace {

void read_ref_pic_list_modification(RbspReader& r, SliceHeader& h, int list) {
  h.ref_pic_list_modification_flag[list] = r.flag();
  if (!h.ref_pic_list_modification_flag[list]) return;
  for (int n = 0;; ++n) {
    const auto idc = static_cast<uint8_t>(r.ue("modification_of_pic_nums_idc", 3));
    if (idc == 3) break;
    // Each entry places one reference index; no more than the list holds.
    if (n >= h.num_ref_idx_active(list)) r.fail("more ref_pic_list_modification entries than references");
    RefPicListModification& m = h.ref_pic_list_modification[list][n];
    m.modification_of_pic_nums_idc = idc;
    if (idc == 2)
      m.long_term_pic_num = r.ue();
    else
      m.abs_diff_pic_num_minus1 = r.ue("abs_diff_pic_num_minus1", 0x7fffffff);
    h.num_ref_pic_list_modifications[list] = static_cast<uint8_t>(n + 1);
  }
}

void read_pred_weight_table(RbspReader& r, SliceHeader& h, const Sps& sps) {
  PredWeightTable& t = h.pred_weight_table;
  t.luma_log2_weight_denom = static_cast<uint8_t>(r.ue("luma_log2_weight_denom", 7));
  const bool chroma = sps.chroma_array_type() != 0;
  if (chroma) t.chroma_log2_weight_denom = static_cast<uint8_t>(r.ue("chroma_log2_weight_denom", 7));
  const int lists = h.type() == kSliceB ? 2 : 1;
  for (int list = 0; list < lists; ++list) {
    for (int i = 0; i < h.num_ref_idx_active(list); ++i) {
      PredWeight& w = t.list[list][i];
      w.luma_weight = static_cast<int16_t>(1 << t.luma_log2_weight_denom);
      w.luma_weight_flag = r.flag();
      if (w.luma_weight_flag) {
        w.luma_weight = static_cast<int16_t>(r.se("luma_weight", -128, 127));
        w.luma_offset = static_cast<int8_t>(r.se("luma_offset", -128, 127));
      }
      if (!chroma) continue;
      w.chroma_weight.fill(static_cast<int16_t>(1 << t.chroma_log2_weight_denom));
      w.chroma_weight_flag = r.flag();
      if (w.chroma_weight_flag) {
        for (int j = 0; j < 2; ++j) {
          w.chroma_weight[j] = static_cast<int16_t>(r.se("chroma_weight", -128, 127));
          w.chroma_offset[j] = static_cast<int8_t>(r.se("chroma_offset", -128, 127));
        }
      }
    }
  }
}

void read_dec_ref_pic_marking(RbspReader& r, SliceHeader& h) {
  if (h.idr()) {
    h.no_output_of_prior_pics_flag = r.flag();
    h.long_term_reference_flag = r.flag();
    return;
  }
  h.adaptive_ref_pic_marking_mode_flag = r.flag();
  if (!h.adaptive_ref_pic_marking_mode_flag) return;
  for (int n = 0;; ++n) {
    const auto op = static_cast<uint8_t>(r.ue("memory_management_control_operation", 6));
    if (op == 0) break;
    if (n >= kMaxMmcoOps) r.fail("more than " + std::to_string(kMaxMmcoOps) + " memory management operations");
    MemoryManagementOp& m = h.mmco[n];
    m.memory_management_control_operation = op;
    if (op == 1 || op == 3) m.difference_of_pic_nums_minus1 = r.ue("difference_of_pic_nums_minus1", 0x7fffffff);
    if (op == 2) m.long_term_pic_num = r.ue();
    if (op == 3 || op == 6) m.long_term_frame_idx = r.ue("long_term_frame_idx", kMaxRefFrames - 1);
    if (op == 4) m.max_long_term_frame_idx_plus1 = r.ue("max_long_term_frame_idx_plus1", kMaxRefFrames);
    h.num_mmco_ops = static_cast<uint8_t>(n + 1);
  }
}

}  // namespace

int SliceHeader::num_ref_idx_active(int list) const {
  const SliceType t = type();
  if (t == kSliceI || t == kSliceSI || (list == 1 && t != kSliceB)) return 0;
  return (list == 0 ? num_ref_idx_l0_active_minus1 : num_ref_idx_l1_active_minus1) + 1;
}

bool SliceHeader::has_mmco5() const {
  for (int i = 0; i < num_mmco_ops; ++i)
    if (mmco[i].memory_management_control_operation == 5) return true;
  return false;
}

uint8_t slice_pps_id(std::span<const uint8_t> rbsp) {
  RbspReader r(rbsp, "slice header");
  r.ue();  // first_mb_in_slice
  r.ue();  // slice_type
  return static_cast<uint8_t>(r.ue("pic_parameter_set_id", kMaxPpsCount - 1));
}

SliceHeader parse_slice_header(const NalUnit& nal, std::span<const uint8_t> rbsp, const Sps& sps, const Pps& pps) {
  RbspReader r(rbsp, "slice header");
  SliceHeader h;
  h.nal_ref_idc = static_cast<uint8_t>(nal.ref_idc);
  h.nal_unit_type = static_cast<uint8_t>(nal.type);
  if (h.nal_unit_type != kNalSlice && h.nal_unit_type != kNalIdrSlice)
    r.fail("NAL unit type " + std::to_string(h.nal_unit_type) + " is not a slice");
  if (pps.seq_parameter_set_id != sps.seq_parameter_set_id) r.fail("PPS and SPS do not belong together");

  const uint32_t frame_mbs = sps.width_mbs() * sps.height_mbs();
  h.first_mb_in_slice = r.ue("first_mb_in_slice", frame_mbs - 1);
  h.slice_type = static_cast<uint8_t>(r.ue("slice_type", 9));
  if (h.idr() && h.type() != kSliceI && h.type() != kSliceSI)
    r.fail("slice_type " + std::to_string(h.slice_type) + " in an IDR picture");
  h.pic_parameter_set_id = static_cast<uint8_t>(r.ue("pic_parameter_set_id", kMaxPpsCount - 1));
  if (h.pic_parameter_set_id != pps.pic_parameter_set_id) r.fail("parsed with the wrong PPS");
  if (sps.separate_colour_plane_flag) h.colour_plane_id = static_cast<uint8_t>(r.bits(2));
  h.frame_num = r.bits(sps.log2_max_frame_num_minus4 + 4);
  if (!sps.frame_mbs_only_flag) {
    h.field_pic_flag = r.flag();
    if (h.field_pic_flag) h.bottom_field_flag = r.flag();
  }
  if (h.idr()) h.idr_pic_id = r.ue("idr_pic_id", 65535);

  const size_t poc_start = r.position();
  if (sps.pic_order_cnt_type == 0) {
    h.pic_order_cnt_lsb = r.bits(sps.log2_max_pic_order_cnt_lsb_minus4 + 4);
    if (pps.bottom_field_pic_order_in_frame_present_flag && !h.field_pic_flag)
      h.delta_pic_order_cnt_bottom = r.se("delta_pic_order_cnt_bottom", -0x7fffffff, 0x7fffffff);
  }
  if (sps.pic_order_cnt_type == 1 && !sps.delta_pic_order_always_zero_flag) {
    h.delta_pic_order_cnt[0] = r.se("delta_pic_order_cnt[0]", -0x7fffffff, 0x7fffffff);
    if (pps.bottom_field_pic_order_in_frame_present_flag && !h.field_pic_flag)
      h.delta_pic_order_cnt[1] = r.se("delta_pic_order_cnt[1]", -0x7fffffff, 0x7fffffff);
  }
  h.pic_order_cnt_bit_size = static_cast<uint32_t>(r.position() - poc_start);

  if (pps.redundant_pic_cnt_present_flag) h.redundant_pic_cnt = static_cast<uint8_t>(r.ue("redundant_pic_cnt", 127));
  const SliceType type = h.type();
  if (type == kSliceB) h.direct_spatial_mv_pred_flag = r.flag();
  h.num_ref_idx_l0_active_minus1 = pps.num_ref_idx_l0_default_active_minus1;
  h.num_ref_idx_l1_active_minus1 = pps.num_ref_idx_l1_default_active_minus1;
  if (type == kSliceP || type == kSliceSP || type == kSliceB) {
    h.num_ref_idx_active_override_flag = r.flag();
    const uint32_t max_minus1 = h.field_pic_flag ? 31 : 15;
    if (h.num_ref_idx_active_override_flag) {
      h.num_ref_idx_l0_active_minus1 = static_cast<uint8_t>(r.ue("num_ref_idx_l0_active_minus1", max_minus1));
      if (type == kSliceB)
        h.num_ref_idx_l1_active_minus1 = static_cast<uint8_t>(r.ue("num_ref_idx_l1_active_minus1", max_minus1));
    }
    // The PPS's defaults may say up to 32, which a frame cannot use.
    if (h.num_ref_idx_l0_active_minus1 > max_minus1 || (type == kSliceB && h.num_ref_idx_l1_active_minus1 > max_minus1))
      r.fail("more than " + std::to_string(max_minus1 + 1) + " active references");
  }
  if (type != kSliceB) h.num_ref_idx_l1_active_minus1 = 0;
  if (type == kSliceI || type == kSliceSI) h.num_ref_idx_l0_active_minus1 = 0;

  if (type != kSliceI && type != kSliceSI) read_ref_pic_list_modification(r, h, 0);
  if (type == kSliceB) read_ref_pic_list_modification(r, h, 1);

  h.has_pred_weight_table = (pps.weighted_pred_flag && (type == kSliceP || type == kSliceSP)) ||
                            (pps.weighted_bipred_idc == 1 && type == kSliceB);
  if (h.has_pred_weight_table) read_pred_weight_table(r, h, sps);

  if (h.nal_ref_idc != 0) {
    const size_t start = r.position();
    read_dec_ref_pic_marking(r, h);
    h.dec_ref_pic_marking_bit_size = static_cast<uint32_t>(r.position() - start);
  }
  if (pps.entropy_coding_mode_flag && type != kSliceI && type != kSliceSI)
    h.cabac_init_idc = static_cast<uint8_t>(r.ue("cabac_init_idc", 2));
  // SliceQPY = 26 + pic_init_qp_minus26 + slice_qp_delta in -QpBdOffsetY..51.
  const int qp_bd_offset = 6 * sps.bit_depth_luma_minus8;
  const int pic_qp = 26 + pps.pic_init_qp_minus26;
  h.slice_qp_delta = static_cast<int8_t>(r.se("slice_qp_delta", -qp_bd_offset - pic_qp, 51 - pic_qp));
  if (type == kSliceSP || type == kSliceSI) {
    if (type == kSliceSP) h.sp_for_switch_flag = r.flag();
    const int pic_qs = 26 + pps.pic_init_qs_minus26;
    h.slice_qs_delta = static_cast<int8_t>(r.se("slice_qs_delta", -pic_qs, 51 - pic_qs));
  }
  if (pps.deblocking_filter_control_present_flag) {
    h.disable_deblocking_filter_idc = static_cast<uint8_t>(r.ue("disable_deblocking_filter_idc", 2));
    if (h.disable_deblocking_filter_idc != 1) {
      h.slice_alpha_c0_offset_div2 = static_cast<int8_t>(r.se("slice_alpha_c0_offset_div2", -6, 6));
      h.slice_beta_offset_div2 = static_cast<int8_t>(r.se("slice_beta_offset_div2", -6, 6));
    }
  }
  // Slice groups were rejected with the PPS, so no slice_group_change_cycle.
  // slice_data(): CABAC starts byte aligned (cabac_alignment_one_bit).
  if (pps.entropy_coding_mode_flag)
    while (!r.byte_aligned()) r.bit();
  h.header_bit_size = static_cast<uint32_t>(r.position());
  if (h.header_bit_size >= r.size_bits()) r.fail("no slice data");
  return h;
}

}  // namespace daedalus::h264
