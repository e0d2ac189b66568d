// SPDX-License-Identifier: MIT
#include "h264_headers.h"

#include <algorithm>

#include <fmt/format.h>

#include "bit_writer.h"
#include "daedalus/error.h"
#include "nal_unit.h"
#include "scaling_lists.h"
#include "sps.h"

namespace daedalus::bridge {

namespace {

std::vector<uint8_t> to_nal(uint8_t nal_type, const BitWriter& w) {
  std::vector<uint8_t> out{static_cast<uint8_t>(0x60 | nal_type)};  // nal_ref_idc = 3
  auto body = h264::escape_rbsp(w.bytes());
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

// scaling_list(): values in zig-zag order, delta coded from 8. Writing every
// list explicitly means no fall-back rule is needed on the decoding side.
template <size_t N>
void write_scaling_list(BitWriter& w, const uint8_t (&raster)[N], const std::array<uint8_t, N>& zigzag) {
  int last = 8;
  for (size_t j = 0; j < N; ++j) {
    const int value = raster[zigzag[j]];
    if (value == 0) throw Error("h264: scaling matrix contains a zero");
    int delta = (value - last + 256) % 256;
    if (delta > 127) delta -= 256;
    w.se(delta);
    last = value;
  }
}

// The V4L2 control and our lists share their layout: the spec's list
// index, raster order.
h264::ScalingMatrix to_scaling_matrix(const v4l2_ctrl_h264_scaling_matrix& v) {
  h264::ScalingMatrix m;
  for (size_t i = 0; i < m.list4x4.size(); ++i) std::copy_n(v.scaling_list_4x4[i], 16, m.list4x4[i].begin());
  for (size_t i = 0; i < m.list8x8.size(); ++i) std::copy_n(v.scaling_list_8x8[i], 64, m.list8x8[i].begin());
  return m;
}

}  // namespace

std::vector<uint8_t> build_sps_nal(const v4l2_ctrl_h264_sps& s) {
  BitWriter w;
  w.bits(s.profile_idc, 8);
  // V4L2 keeps constraint_setN_flag in bit N; the syntax sends set0 first.
  for (int i = 0; i < 6; ++i) w.bit((s.constraint_set_flags >> i) & 1);
  w.bits(0, 2);  // reserved_zero_2bits
  w.bits(s.level_idc, 8);
  w.ue(s.seq_parameter_set_id);
  if (h264::profile_has_chroma_format_fields(s.profile_idc)) {
    w.ue(s.chroma_format_idc);
    if (s.chroma_format_idc == 3) w.bit(s.flags & V4L2_H264_SPS_FLAG_SEPARATE_COLOUR_PLANE);
    w.ue(s.bit_depth_luma_minus8);
    w.ue(s.bit_depth_chroma_minus8);
    w.bit(s.flags & V4L2_H264_SPS_FLAG_QPPRIME_Y_ZERO_TRANSFORM_BYPASS);
    w.bit(false);  // seq_scaling_matrix_present_flag: the PPS carries them
  } else if (s.chroma_format_idc != 1 || s.bit_depth_luma_minus8 || s.bit_depth_chroma_minus8) {
    throw Error(fmt::format("h264: profile {} cannot signal chroma_format_idc {} / bit depth {}", s.profile_idc,
                            s.chroma_format_idc, 8 + s.bit_depth_luma_minus8));
  }
  w.ue(s.log2_max_frame_num_minus4);
  w.ue(s.pic_order_cnt_type);
  if (s.pic_order_cnt_type == 0) {
    w.ue(s.log2_max_pic_order_cnt_lsb_minus4);
  } else if (s.pic_order_cnt_type == 1) {
    w.bit(s.flags & V4L2_H264_SPS_FLAG_DELTA_PIC_ORDER_ALWAYS_ZERO);
    w.se(s.offset_for_non_ref_pic);
    w.se(s.offset_for_top_to_bottom_field);
    w.ue(s.num_ref_frames_in_pic_order_cnt_cycle);
    for (int i = 0; i < s.num_ref_frames_in_pic_order_cnt_cycle; ++i) w.se(s.offset_for_ref_frame[i]);
  } else if (s.pic_order_cnt_type != 2) {
    throw Error(fmt::format("h264: pic_order_cnt_type {} is invalid", s.pic_order_cnt_type));
  }
  w.ue(s.max_num_ref_frames);
  w.bit(s.flags & V4L2_H264_SPS_FLAG_GAPS_IN_FRAME_NUM_VALUE_ALLOWED);
  w.ue(s.pic_width_in_mbs_minus1);
  w.ue(s.pic_height_in_map_units_minus1);
  const bool frame_mbs_only = s.flags & V4L2_H264_SPS_FLAG_FRAME_MBS_ONLY;
  w.bit(frame_mbs_only);
  if (!frame_mbs_only) w.bit(s.flags & V4L2_H264_SPS_FLAG_MB_ADAPTIVE_FRAME_FIELD);
  w.bit(s.flags & V4L2_H264_SPS_FLAG_DIRECT_8X8_INFERENCE);
  w.bit(false);  // frame_cropping_flag
  w.bit(false);  // vui_parameters_present_flag
  w.trailing_bits();
  return to_nal(h264::kNalSps, w);
}

std::vector<uint8_t> build_pps_nal(const v4l2_ctrl_h264_pps& p, const v4l2_ctrl_h264_sps& sps,
                                   const v4l2_ctrl_h264_scaling_matrix* scaling) {
  if (p.num_slice_groups_minus1 != 0) {
    throw Error(fmt::format("h264: FMO ({} slice groups) is not supported", p.num_slice_groups_minus1 + 1));
  }
  BitWriter w;
  w.ue(p.pic_parameter_set_id);
  w.ue(p.seq_parameter_set_id);
  w.bit(p.flags & V4L2_H264_PPS_FLAG_ENTROPY_CODING_MODE);
  w.bit(p.flags & V4L2_H264_PPS_FLAG_BOTTOM_FIELD_PIC_ORDER_IN_FRAME_PRESENT);
  w.ue(p.num_slice_groups_minus1);
  w.ue(p.num_ref_idx_l0_default_active_minus1);
  w.ue(p.num_ref_idx_l1_default_active_minus1);
  w.bit(p.flags & V4L2_H264_PPS_FLAG_WEIGHTED_PRED);
  w.bits(p.weighted_bipred_idc, 2);
  w.se(p.pic_init_qp_minus26);
  w.se(p.pic_init_qs_minus26);
  w.se(p.chroma_qp_index_offset);
  w.bit(p.flags & V4L2_H264_PPS_FLAG_DEBLOCKING_FILTER_CONTROL_PRESENT);
  w.bit(p.flags & V4L2_H264_PPS_FLAG_CONSTRAINED_INTRA_PRED);
  w.bit(p.flags & V4L2_H264_PPS_FLAG_REDUNDANT_PIC_CNT_PRESENT);

  const bool transform_8x8 = p.flags & V4L2_H264_PPS_FLAG_TRANSFORM_8X8_MODE;
  // The matrix control holds the effective (fall-back applied) lists; any
  // non-flat one must reach the decoder even if a client only set the
  // control and not the flag, and flat lists are the default anyway.
  const bool matrices = scaling && ((p.flags & V4L2_H264_PPS_FLAG_SCALING_MATRIX_PRESENT) ||
                                     to_scaling_matrix(*scaling) != h264::flat_scaling_matrix());
  if (transform_8x8 || matrices || p.second_chroma_qp_index_offset != p.chroma_qp_index_offset) {
    w.bit(transform_8x8);
    w.bit(matrices);
    if (matrices) {
      for (int i = 0; i < 6; ++i) {
        w.bit(true);  // pic_scaling_list_present_flag
        write_scaling_list(w, scaling->scaling_list_4x4[i], h264::kZigzag4x4);
      }
      if (transform_8x8) {
        for (int i = 0; i < h264::scaling_lists_8x8(sps.chroma_format_idc); ++i) {
          w.bit(true);
          write_scaling_list(w, scaling->scaling_list_8x8[i], h264::kZigzag8x8);
        }
      }
    }
    w.se(p.second_chroma_qp_index_offset);
  }
  w.trailing_bits();
  return to_nal(h264::kNalPps, w);
}

bool has_start_code(std::span<const uint8_t> d) {
  if (d.size() >= 3 && d[0] == 0 && d[1] == 0 && d[2] == 1) return true;
  return d.size() >= 4 && d[0] == 0 && d[1] == 0 && d[2] == 0 && d[3] == 1;
}

std::vector<uint8_t> build_h264_access_unit(const v4l2_ctrl_h264_sps& sps, const v4l2_ctrl_h264_pps& pps,
                                            const v4l2_ctrl_h264_scaling_matrix* scaling,
                                            std::span<const uint8_t> slices) {
  static constexpr uint8_t kStart[4] = {0, 0, 0, 1};
  std::vector<uint8_t> out;
  for (const auto& nal : {build_sps_nal(sps), build_pps_nal(pps, sps, scaling)}) {
    out.insert(out.end(), kStart, kStart + 4);
    out.insert(out.end(), nal.begin(), nal.end());
  }
  if (!has_start_code(slices)) out.insert(out.end(), kStart + 1, kStart + 4);
  out.insert(out.end(), slices.begin(), slices.end());
  return out;
}

}  // namespace daedalus::bridge
