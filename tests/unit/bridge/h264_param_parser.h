// SPDX-License-Identifier: MIT
// Test-side H.264 SPS/PPS parser that fills the V4L2 stateless control
// structs the way GStreamer's v4l2slh264dec does (constraint flags in bit
// N, effective scaling lists after the spec's fall-back rules, in raster
// order). Written from the H.264 spec, independent of the daemon's writer.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include <linux/v4l2-controls.h>

namespace daedalus::bridge::test {

struct ParsedSps {
  v4l2_ctrl_h264_sps sps{};
  bool scaling_present = false;
  uint8_t lists4x4[6][16]{};  // zig-zag order, fall-back applied
  uint8_t lists8x8[6][64]{};
  int crop_left = 0, crop_right = 0, crop_top = 0, crop_bottom = 0;  // in samples
};

struct ParsedPps {
  v4l2_ctrl_h264_pps pps{};
  v4l2_ctrl_h264_scaling_matrix scaling{};  // raster order, what GStreamer sends
};

// nal: one NAL unit, header byte included, no start code.
ParsedSps parse_sps(std::span<const uint8_t> nal);
ParsedPps parse_pps(std::span<const uint8_t> nal, const ParsedSps& sps);

// Annex-B byte stream -> NAL units (no start codes).
std::vector<std::span<const uint8_t>> split_annexb(std::span<const uint8_t> stream);

}  // namespace daedalus::bridge::test
