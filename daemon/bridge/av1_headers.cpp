// SPDX-License-Identifier: MIT
#include "av1_headers.h"

#include "bit_writer.h"

namespace daedalus::bridge {

namespace {

constexpr int kObuSequenceHeader = 1;

}  // namespace

int av1_frame_size_bits(uint32_t max_minus_1) {
  int n = 1;
  while (n < 16 && (max_minus_1 >> n) != 0) ++n;
  return n;
}

void append_av1_obu(std::vector<uint8_t>& out, int type, const std::vector<uint8_t>& payload) {
  out.push_back(static_cast<uint8_t>((type << 3) | 0x02));  // obu_has_size_field
  uint64_t v = payload.size();
  do {
    uint8_t b = v & 0x7f;
    v >>= 7;
    if (v) b |= 0x80;
    out.push_back(b);
  } while (v);
  out.insert(out.end(), payload.begin(), payload.end());
}

Av1ObuScan scan_av1_obus(std::span<const uint8_t> d) {
  size_t pos = 0;
  bool seen_seq = false;
  if (d.empty()) return Av1ObuScan::kNotObus;
  while (pos < d.size()) {
    const uint8_t h = d[pos];
    if (h & 0x80) return Av1ObuScan::kNotObus;  // forbidden bit
    const int type = (h >> 3) & 0xf;
    const bool ext = h & 0x04;
    const bool has_size = h & 0x02;
    pos += 1 + (ext ? 1 : 0);
    if (!has_size) {
      // Last OBU runs to the end of the buffer.
      if (type == kObuSequenceHeader) seen_seq = true;
      break;
    }
    uint64_t size = 0;
    int shift = 0;
    for (;;) {
      if (pos >= d.size() || shift > 56) return Av1ObuScan::kNotObus;
      const uint8_t b = d[pos++];
      size |= uint64_t{b & 0x7fu} << shift;
      shift += 7;
      if (!(b & 0x80)) break;
    }
    if (size > d.size() - pos) return Av1ObuScan::kNotObus;
    if (type == kObuSequenceHeader) seen_seq = true;
    pos += size;
  }
  return seen_seq ? Av1ObuScan::kHasSequenceHeader : Av1ObuScan::kNoSequenceHeader;
}

std::vector<uint8_t> build_av1_sequence_header_obu(const v4l2_ctrl_av1_sequence& s) {
  auto flag = [&](uint32_t f) { return (s.flags & f) != 0; };
  BitWriter w;
  w.bits(s.seq_profile, 3);
  w.bit(flag(V4L2_AV1_SEQUENCE_FLAG_STILL_PICTURE));
  w.bit(false);     // reduced_still_picture_header
  w.bit(false);     // timing_info_present_flag
  w.bit(false);     // initial_display_delay_present_flag
  w.bits(0, 5);     // operating_points_cnt_minus_1
  w.bits(0, 12);    // operating_point_idc[0]
  w.bits(31, 5);    // seq_level_idx[0]: unconstrained
  w.bit(false);     // seq_tier[0]
  const int wbits = av1_frame_size_bits(s.max_frame_width_minus_1);
  const int hbits = av1_frame_size_bits(s.max_frame_height_minus_1);
  w.bits(wbits - 1, 4);
  w.bits(hbits - 1, 4);
  w.bits(s.max_frame_width_minus_1, wbits);
  w.bits(s.max_frame_height_minus_1, hbits);
  w.bit(false);  // frame_id_numbers_present_flag
  w.bit(flag(V4L2_AV1_SEQUENCE_FLAG_USE_128X128_SUPERBLOCK));
  w.bit(flag(V4L2_AV1_SEQUENCE_FLAG_ENABLE_FILTER_INTRA));
  w.bit(flag(V4L2_AV1_SEQUENCE_FLAG_ENABLE_INTRA_EDGE_FILTER));
  w.bit(flag(V4L2_AV1_SEQUENCE_FLAG_ENABLE_INTERINTRA_COMPOUND));
  w.bit(flag(V4L2_AV1_SEQUENCE_FLAG_ENABLE_MASKED_COMPOUND));
  w.bit(flag(V4L2_AV1_SEQUENCE_FLAG_ENABLE_WARPED_MOTION));
  w.bit(flag(V4L2_AV1_SEQUENCE_FLAG_ENABLE_DUAL_FILTER));
  const bool order_hint = flag(V4L2_AV1_SEQUENCE_FLAG_ENABLE_ORDER_HINT);
  w.bit(order_hint);
  if (order_hint) {
    w.bit(flag(V4L2_AV1_SEQUENCE_FLAG_ENABLE_JNT_COMP));
    w.bit(flag(V4L2_AV1_SEQUENCE_FLAG_ENABLE_REF_FRAME_MVS));
  }
  w.bit(true);  // seq_choose_screen_content_tools -> SELECT
  w.bit(true);  // seq_choose_integer_mv -> SELECT
  if (order_hint) w.bits(s.order_hint_bits ? s.order_hint_bits - 1 : 0, 3);
  w.bit(flag(V4L2_AV1_SEQUENCE_FLAG_ENABLE_SUPERRES));
  w.bit(flag(V4L2_AV1_SEQUENCE_FLAG_ENABLE_CDEF));
  w.bit(flag(V4L2_AV1_SEQUENCE_FLAG_ENABLE_RESTORATION));
  // color_config()
  const bool high_bitdepth = s.bit_depth > 8;
  w.bit(high_bitdepth);
  if (s.seq_profile == 2 && high_bitdepth) w.bit(s.bit_depth == 12);
  const bool mono = flag(V4L2_AV1_SEQUENCE_FLAG_MONO_CHROME);
  if (s.seq_profile != 1) w.bit(mono);
  w.bit(false);  // color_description_present_flag
  w.bit(flag(V4L2_AV1_SEQUENCE_FLAG_COLOR_RANGE));
  if (!mono) {
    const bool ssx = flag(V4L2_AV1_SEQUENCE_FLAG_SUBSAMPLING_X);
    const bool ssy = flag(V4L2_AV1_SEQUENCE_FLAG_SUBSAMPLING_Y);
    if (s.seq_profile == 2 && s.bit_depth == 12) {
      w.bit(ssx);
      if (ssx) w.bit(ssy);
    }
    if (ssx && ssy) w.bits(0, 2);  // chroma_sample_position: unknown
    w.bit(flag(V4L2_AV1_SEQUENCE_FLAG_SEPARATE_UV_DELTA_Q));
  }
  w.bit(flag(V4L2_AV1_SEQUENCE_FLAG_FILM_GRAIN_PARAMS_PRESENT));
  w.trailing_bits();

  std::vector<uint8_t> out;
  append_av1_obu(out, kObuSequenceHeader, w.bytes());
  return out;
}

}  // namespace daedalus::bridge
