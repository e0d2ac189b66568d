// SPDX-License-Identifier: MIT
// Slice header (spec 7.3.3 with 7.3.3.1 ref_pic_list_modification, 7.3.3.2
// pred_weight_table, 7.3.3.3 dec_ref_pic_marking): every syntax element as
// coded, flat and pointer-free, plus where the slice data begins.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "nal_unit.h"
#include "pps.h"
#include "sps.h"

namespace daedalus::h264 {

enum SliceType : uint8_t { kSliceP = 0, kSliceB = 1, kSliceI = 2, kSliceSP = 3, kSliceSI = 4 };

constexpr int kMaxRefIdx = 32;  // num_ref_idx_lX_active_minus1 <= 31 (fields)
// ref_pic_list_modification: one entry per reference index at most (7.4.3.1).
constexpr int kMaxRefPicListModifications = kMaxRefIdx + 1;
// dec_ref_pic_marking: the spec bounds the operations only through the DPB;
// libavcodec allows 66, so do we.
constexpr int kMaxMmcoOps = 66;

struct RefPicListModification {
  uint8_t modification_of_pic_nums_idc = 0;  // 0, 1: short term; 2: long term (3 ends the list)
  uint32_t abs_diff_pic_num_minus1 = 0;      // idc 0, 1
  uint32_t long_term_pic_num = 0;            // idc 2
};

struct PredWeight {
  bool luma_weight_flag = false;
  int16_t luma_weight = 0;  // 2^7 when implied with a denominator of 7
  int8_t luma_offset = 0;
  bool chroma_weight_flag = false;
  std::array<int16_t, 2> chroma_weight{};  // Cb, Cr
  std::array<int8_t, 2> chroma_offset{};
};

struct PredWeightTable {
  uint8_t luma_log2_weight_denom = 0;
  uint8_t chroma_log2_weight_denom = 0;
  // Entries whose flag is 0 hold the implied weights (2^denom, offset 0).
  std::array<std::array<PredWeight, kMaxRefIdx>, 2> list{};
};

struct MemoryManagementOp {
  uint8_t memory_management_control_operation = 0;  // 1..6
  uint32_t difference_of_pic_nums_minus1 = 0;       // ops 1, 3
  uint32_t long_term_pic_num = 0;                   // op 2
  uint32_t long_term_frame_idx = 0;                 // ops 3, 6
  uint32_t max_long_term_frame_idx_plus1 = 0;       // op 4
};

struct SliceHeader {
  // From the NAL unit header.
  uint8_t nal_ref_idc = 0;
  uint8_t nal_unit_type = 0;

  uint32_t first_mb_in_slice = 0;
  uint8_t slice_type = 0;  // as coded, 0..9; 5..9: every slice of the picture has this type
  uint8_t pic_parameter_set_id = 0;
  uint8_t colour_plane_id = 0;
  uint32_t frame_num = 0;
  bool field_pic_flag = false;
  bool bottom_field_flag = false;
  uint32_t idr_pic_id = 0;
  uint32_t pic_order_cnt_lsb = 0;
  int32_t delta_pic_order_cnt_bottom = 0;
  std::array<int32_t, 2> delta_pic_order_cnt{};
  uint8_t redundant_pic_cnt = 0;
  bool direct_spatial_mv_pred_flag = false;
  bool num_ref_idx_active_override_flag = false;
  // The PPS defaults unless overridden; 0 for lists the slice type lacks
  // (num_ref_idx_active() gives the count).
  uint8_t num_ref_idx_l0_active_minus1 = 0;
  uint8_t num_ref_idx_l1_active_minus1 = 0;

  std::array<bool, 2> ref_pic_list_modification_flag{};
  std::array<uint8_t, 2> num_ref_pic_list_modifications{};  // entries before idc 3
  std::array<std::array<RefPicListModification, kMaxRefPicListModifications>, 2> ref_pic_list_modification{};

  bool has_pred_weight_table = false;
  PredWeightTable pred_weight_table;

  // dec_ref_pic_marking (nal_ref_idc != 0 only).
  bool no_output_of_prior_pics_flag = false;  // IDR
  bool long_term_reference_flag = false;      // IDR
  bool adaptive_ref_pic_marking_mode_flag = false;
  uint8_t num_mmco_ops = 0;  // before the terminating op 0
  std::array<MemoryManagementOp, kMaxMmcoOps> mmco{};

  uint8_t cabac_init_idc = 0;
  int8_t slice_qp_delta = 0;
  bool sp_for_switch_flag = false;
  int8_t slice_qs_delta = 0;
  uint8_t disable_deblocking_filter_idc = 0;
  int8_t slice_alpha_c0_offset_div2 = 0;
  int8_t slice_beta_offset_div2 = 0;

  // Where things are, in bits from the start of the RBSP after the NAL unit
  // header (what V4L2's slice and decode parameters carry). slice_data()
  // begins at header_bit_size; with CABAC that is after the
  // cabac_alignment_one_bits, so a whole byte.
  uint32_t header_bit_size = 0;
  uint32_t pic_order_cnt_bit_size = 0;      // pic_order_cnt_lsb .. delta_pic_order_cnt[1]
  uint32_t dec_ref_pic_marking_bit_size = 0;

  SliceType type() const { return static_cast<SliceType>(slice_type % 5); }
  bool idr() const { return nal_unit_type == kNalIdrSlice; }
  int num_ref_idx_active(int list) const;
  bool has_mmco5() const;
  int slice_qp(const Pps& pps) const { return 26 + pps.pic_init_qp_minus26 + slice_qp_delta; }
};

// Parses slice_header() of a slice NAL unit (types 1 and 5) from its RBSP
// after the NAL unit header. `pps` must be the PPS the slice names (read it
// first with slice_pps_id) and `sps` the SPS that PPS names. Throws
// daedalus::Error ("h264: slice header: ...").
SliceHeader parse_slice_header(const NalUnit& nal, std::span<const uint8_t> rbsp, const Sps& sps, const Pps& pps);

// The pic_parameter_set_id of a slice, for finding its PPS first.
uint8_t slice_pps_id(std::span<const uint8_t> rbsp);

}  // namespace daedalus::h264
