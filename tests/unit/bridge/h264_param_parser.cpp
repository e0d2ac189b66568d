// SPDX-License-Identifier: MIT
#include "h264_param_parser.h"

#include <cstring>
#include <stdexcept>

#include "h264_headers.h"

namespace daedalus::bridge::test {

namespace {

// Default scaling lists, H.264 Table 7-3/7-4 (zig-zag order).
const uint8_t kDefault4x4Intra[16] = {6, 13, 13, 20, 20, 20, 28, 28, 28, 28, 32, 32, 32, 37, 37, 42};
const uint8_t kDefault4x4Inter[16] = {10, 14, 14, 20, 20, 20, 24, 24, 24, 24, 27, 27, 27, 30, 30, 34};
const uint8_t kDefault8x8Intra[64] = {6,  10, 10, 13, 11, 13, 16, 16, 16, 16, 18, 18, 18, 18, 18, 23,
                                      23, 23, 23, 23, 23, 25, 25, 25, 25, 25, 25, 25, 27, 27, 27, 27,
                                      27, 27, 27, 27, 29, 29, 29, 29, 29, 29, 29, 31, 31, 31, 31, 31,
                                      31, 33, 33, 33, 33, 33, 36, 36, 36, 36, 38, 38, 38, 40, 40, 42};
const uint8_t kDefault8x8Inter[64] = {9,  13, 13, 15, 13, 15, 17, 17, 17, 17, 19, 19, 19, 19, 19, 21,
                                      21, 21, 21, 21, 21, 22, 22, 22, 22, 22, 22, 22, 24, 24, 24, 24,
                                      24, 24, 24, 24, 25, 25, 25, 25, 25, 25, 25, 27, 27, 27, 27, 27,
                                      27, 28, 28, 28, 28, 28, 30, 30, 30, 30, 32, 32, 32, 33, 33, 35};

class BitReader {
 public:
  explicit BitReader(std::span<const uint8_t> nal) {
    // Drop the NAL header byte and emulation_prevention_three_bytes.
    int zeros = 0;
    for (size_t i = 1; i < nal.size(); ++i) {
      if (zeros >= 2 && nal[i] == 3) {
        zeros = 0;
        continue;
      }
      rbsp_.push_back(nal[i]);
      zeros = nal[i] == 0 ? zeros + 1 : 0;
    }
    // Position of the rbsp_stop_one_bit.
    last_one_ = -1;
    for (size_t i = rbsp_.size(); i-- > 0;) {
      if (rbsp_[i]) {
        int b = 0;
        while (!((rbsp_[i] >> b) & 1)) ++b;
        last_one_ = static_cast<int64_t>(i * 8 + (7 - b));
        break;
      }
    }
  }
  uint32_t u(int n) {
    uint32_t v = 0;
    for (int i = 0; i < n; ++i) {
      if (pos_ / 8 >= rbsp_.size()) throw std::runtime_error("SPS/PPS truncated");
      v = (v << 1) | ((rbsp_[pos_ / 8] >> (7 - pos_ % 8)) & 1);
      ++pos_;
    }
    return v;
  }
  uint32_t ue() {
    int zeros = 0;
    while (u(1) == 0) {
      if (++zeros > 31) throw std::runtime_error("bad exp-golomb");
    }
    return zeros ? ((1u << zeros) - 1 + u(zeros)) : 0;
  }
  int32_t se() {
    uint32_t k = ue();
    return (k & 1) ? static_cast<int32_t>((k + 1) / 2) : -static_cast<int32_t>(k / 2);
  }
  bool more_rbsp_data() const { return static_cast<int64_t>(pos_) < last_one_; }

 private:
  std::vector<uint8_t> rbsp_;
  size_t pos_ = 0;
  int64_t last_one_ = -1;
};

// scaling_list(); returns false when useDefaultScalingMatrixFlag.
bool read_scaling_list(BitReader& r, uint8_t* list, int size) {
  int last = 8, next = 8;
  for (int j = 0; j < size; ++j) {
    if (next != 0) {
      next = (last + r.se() + 256) % 256;
      if (j == 0 && next == 0) return false;
    }
    list[j] = static_cast<uint8_t>(next == 0 ? last : next);
    last = list[j];
  }
  return true;
}

// Reads the lists of an SPS or PPS. fallback4/8 are the lists used for
// list 0/3 and 6/7 when absent (rule A: defaults, rule B: the SPS lists).
void read_lists(BitReader& r, int count, uint8_t l4[6][16], uint8_t l8[6][64], const uint8_t fb4[2][16],
                const uint8_t fb8[2][64]) {
  for (int i = 0; i < count; ++i) {
    const bool present = r.u(1);
    if (i < 6) {
      const uint8_t* def = i < 3 ? kDefault4x4Intra : kDefault4x4Inter;
      if (present) {
        if (!read_scaling_list(r, l4[i], 16)) std::memcpy(l4[i], def, 16);
      } else if (i == 0 || i == 3) {
        std::memcpy(l4[i], fb4[i / 3], 16);
      } else {
        std::memcpy(l4[i], l4[i - 1], 16);
      }
    } else {
      const int k = i - 6;
      const uint8_t* def = k % 2 == 0 ? kDefault8x8Intra : kDefault8x8Inter;
      if (present) {
        if (!read_scaling_list(r, l8[k], 64)) std::memcpy(l8[k], def, 64);
      } else if (k < 2) {
        std::memcpy(l8[k], fb8[k], 64);
      } else {
        std::memcpy(l8[k], l8[k - 2], 64);
      }
    }
  }
}

bool is_high(int p) {
  return p == 100 || p == 110 || p == 122 || p == 244 || p == 44 || p == 83 || p == 86 || p == 118 || p == 128 ||
         p == 138 || p == 139 || p == 134 || p == 135;
}

}  // namespace

ParsedSps parse_sps(std::span<const uint8_t> nal) {
  if (nal.empty() || (nal[0] & 0x1f) != 7) throw std::runtime_error("not an SPS");
  BitReader r(nal);
  ParsedSps out;
  auto& s = out.sps;
  s.profile_idc = static_cast<uint8_t>(r.u(8));
  for (int i = 0; i < 6; ++i) s.constraint_set_flags |= static_cast<uint8_t>(r.u(1) << i);
  r.u(2);
  s.level_idc = static_cast<uint8_t>(r.u(8));
  s.seq_parameter_set_id = static_cast<uint8_t>(r.ue());
  s.chroma_format_idc = 1;
  std::memset(out.lists4x4, 16, sizeof(out.lists4x4));
  std::memset(out.lists8x8, 16, sizeof(out.lists8x8));
  if (is_high(s.profile_idc)) {
    s.chroma_format_idc = static_cast<uint8_t>(r.ue());
    if (s.chroma_format_idc == 3 && r.u(1)) s.flags |= V4L2_H264_SPS_FLAG_SEPARATE_COLOUR_PLANE;
    s.bit_depth_luma_minus8 = static_cast<uint8_t>(r.ue());
    s.bit_depth_chroma_minus8 = static_cast<uint8_t>(r.ue());
    if (r.u(1)) s.flags |= V4L2_H264_SPS_FLAG_QPPRIME_Y_ZERO_TRANSFORM_BYPASS;
    out.scaling_present = r.u(1);
    if (out.scaling_present) {
      const uint8_t fb4[2][16] = {{6, 13, 13, 20, 20, 20, 28, 28, 28, 28, 32, 32, 32, 37, 37, 42},
                                  {10, 14, 14, 20, 20, 20, 24, 24, 24, 24, 27, 27, 27, 30, 30, 34}};
      uint8_t fb8[2][64];
      std::memcpy(fb8[0], kDefault8x8Intra, 64);
      std::memcpy(fb8[1], kDefault8x8Inter, 64);
      read_lists(r, s.chroma_format_idc == 3 ? 12 : 8, out.lists4x4, out.lists8x8, fb4, fb8);
    }
  }
  s.log2_max_frame_num_minus4 = static_cast<uint8_t>(r.ue());
  s.pic_order_cnt_type = static_cast<uint8_t>(r.ue());
  if (s.pic_order_cnt_type == 0) {
    s.log2_max_pic_order_cnt_lsb_minus4 = static_cast<uint8_t>(r.ue());
  } else if (s.pic_order_cnt_type == 1) {
    if (r.u(1)) s.flags |= V4L2_H264_SPS_FLAG_DELTA_PIC_ORDER_ALWAYS_ZERO;
    s.offset_for_non_ref_pic = r.se();
    s.offset_for_top_to_bottom_field = r.se();
    s.num_ref_frames_in_pic_order_cnt_cycle = static_cast<uint8_t>(r.ue());
    for (int i = 0; i < s.num_ref_frames_in_pic_order_cnt_cycle; ++i) s.offset_for_ref_frame[i] = r.se();
  }
  s.max_num_ref_frames = static_cast<uint8_t>(r.ue());
  if (r.u(1)) s.flags |= V4L2_H264_SPS_FLAG_GAPS_IN_FRAME_NUM_VALUE_ALLOWED;
  s.pic_width_in_mbs_minus1 = static_cast<uint16_t>(r.ue());
  s.pic_height_in_map_units_minus1 = static_cast<uint16_t>(r.ue());
  const bool frame_mbs_only = r.u(1);
  if (frame_mbs_only) s.flags |= V4L2_H264_SPS_FLAG_FRAME_MBS_ONLY;
  if (!frame_mbs_only && r.u(1)) s.flags |= V4L2_H264_SPS_FLAG_MB_ADAPTIVE_FRAME_FIELD;
  if (r.u(1)) s.flags |= V4L2_H264_SPS_FLAG_DIRECT_8X8_INFERENCE;
  if (r.u(1)) {
    // 4:2:0 frame coding: crop units of 2 samples (x) and 2*(2-frame_mbs_only) rows.
    const int cy = 2 * (frame_mbs_only ? 1 : 2);
    out.crop_left = 2 * static_cast<int>(r.ue());
    out.crop_right = 2 * static_cast<int>(r.ue());
    out.crop_top = cy * static_cast<int>(r.ue());
    out.crop_bottom = cy * static_cast<int>(r.ue());
  }
  return out;
}

ParsedPps parse_pps(std::span<const uint8_t> nal, const ParsedSps& sps) {
  if (nal.empty() || (nal[0] & 0x1f) != 8) throw std::runtime_error("not a PPS");
  BitReader r(nal);
  ParsedPps out;
  auto& p = out.pps;
  p.pic_parameter_set_id = static_cast<uint8_t>(r.ue());
  p.seq_parameter_set_id = static_cast<uint8_t>(r.ue());
  if (r.u(1)) p.flags |= V4L2_H264_PPS_FLAG_ENTROPY_CODING_MODE;
  if (r.u(1)) p.flags |= V4L2_H264_PPS_FLAG_BOTTOM_FIELD_PIC_ORDER_IN_FRAME_PRESENT;
  p.num_slice_groups_minus1 = static_cast<uint8_t>(r.ue());
  if (p.num_slice_groups_minus1) throw std::runtime_error("FMO not supported by this test parser");
  p.num_ref_idx_l0_default_active_minus1 = static_cast<uint8_t>(r.ue());
  p.num_ref_idx_l1_default_active_minus1 = static_cast<uint8_t>(r.ue());
  if (r.u(1)) p.flags |= V4L2_H264_PPS_FLAG_WEIGHTED_PRED;
  p.weighted_bipred_idc = static_cast<uint8_t>(r.u(2));
  p.pic_init_qp_minus26 = static_cast<int8_t>(r.se());
  p.pic_init_qs_minus26 = static_cast<int8_t>(r.se());
  p.chroma_qp_index_offset = static_cast<int8_t>(r.se());
  if (r.u(1)) p.flags |= V4L2_H264_PPS_FLAG_DEBLOCKING_FILTER_CONTROL_PRESENT;
  if (r.u(1)) p.flags |= V4L2_H264_PPS_FLAG_CONSTRAINED_INTRA_PRED;
  if (r.u(1)) p.flags |= V4L2_H264_PPS_FLAG_REDUNDANT_PIC_CNT_PRESENT;
  p.second_chroma_qp_index_offset = p.chroma_qp_index_offset;
  uint8_t l4[6][16], l8[6][64];
  std::memcpy(l4, sps.lists4x4, sizeof(l4));
  std::memcpy(l8, sps.lists8x8, sizeof(l8));
  bool pps_scaling = false;
  if (r.more_rbsp_data()) {
    const bool t8 = r.u(1);
    if (t8) p.flags |= V4L2_H264_PPS_FLAG_TRANSFORM_8X8_MODE;
    pps_scaling = r.u(1);
    if (pps_scaling) {
      // Absent lists 0/3/6/7 fall back to the defaults (rule A) when the
      // SPS has no matrices, else to the SPS lists (rule B).
      uint8_t fb4b[2][16], fb8b[2][64];
      if (sps.scaling_present) {
        std::memcpy(fb4b[0], sps.lists4x4[0], 16);
        std::memcpy(fb4b[1], sps.lists4x4[3], 16);
        std::memcpy(fb8b[0], sps.lists8x8[0], 64);
        std::memcpy(fb8b[1], sps.lists8x8[1], 64);
      } else {
        std::memcpy(fb4b[0], kDefault4x4Intra, 16);
        std::memcpy(fb4b[1], kDefault4x4Inter, 16);
        std::memcpy(fb8b[0], kDefault8x8Intra, 64);
        std::memcpy(fb8b[1], kDefault8x8Inter, 64);
      }
      read_lists(r, 6 + (t8 ? (sps.sps.chroma_format_idc == 3 ? 6 : 2) : 0), l4, l8, fb4b, fb8b);
    }
    p.second_chroma_qp_index_offset = static_cast<int8_t>(r.se());
  }
  if (pps_scaling || sps.scaling_present) p.flags |= V4L2_H264_PPS_FLAG_SCALING_MATRIX_PRESENT;
  for (int i = 0; i < 6; ++i) {
    for (int j = 0; j < 16; ++j) out.scaling.scaling_list_4x4[i][kZigzag4x4[j]] = l4[i][j];
    for (int j = 0; j < 64; ++j) out.scaling.scaling_list_8x8[i][kZigzag8x8[j]] = l8[i][j];
  }
  return out;
}

std::vector<std::span<const uint8_t>> split_annexb(std::span<const uint8_t> d) {
  std::vector<std::span<const uint8_t>> nals;
  size_t i = 0, start = SIZE_MAX;
  auto close_nal = [&](size_t end) {
    if (start == SIZE_MAX) return;
    while (end > start && d[end - 1] == 0) --end;  // leading zero of a 4-byte start code
    if (end > start) nals.push_back(d.subspan(start, end - start));
  };
  while (i + 2 < d.size()) {
    if (d[i] == 0 && d[i + 1] == 0 && d[i + 2] == 1) {
      close_nal(i);
      i += 3;
      start = i;
    } else {
      ++i;
    }
  }
  close_nal(d.size());
  return nals;
}

}  // namespace daedalus::bridge::test
