// SPDX-License-Identifier: MIT
// The V4L2 stateless H.264 controls on the test side, with our own parser
// (daemon/h264) doing the parsing: the controls a client such as
// GStreamer's v4l2slh264dec makes of a stream's parameter sets, the
// parameter set NAL units the daemon writes parsed back, and a field by
// field comparison of two sets of controls.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include <linux/v4l2-controls.h>

#include "pps.h"
#include "sps.h"
#include "stream_parser.h"

namespace daedalus::bridge::test {

struct H264Controls {
  v4l2_ctrl_h264_sps sps{};
  v4l2_ctrl_h264_pps pps{};
  v4l2_ctrl_h264_scaling_matrix scaling{};
};

// As v4l2slh264dec fills them: constraint_setN_flag in bit N, the flags in
// their V4L2 bits, SCALING_MATRIX_PRESENT when the SPS or the PPS has a
// matrix, and the lists the slices use (fall-back rules applied, raster
// order). Elements the syntax did not code keep the values our parser
// infers.
H264Controls controls_from(const h264::Sps& sps, const h264::Pps& pps);

// One access unit as a stateless client sends it: its slice NAL units as
// an Annex B stream (what v4l2slh264dec puts in the OUTPUT buffer) and the
// controls of the parameter sets its first slice activates.
struct StatelessAccessUnit {
  std::vector<uint8_t> slices;
  H264Controls controls;
  uint32_t display_width = 0;  // cropped, from the SPS
  uint32_t display_height = 0;
};
// `parser` keeps the parameter sets of earlier access units. Fails the
// test (and returns an empty unit) when the access unit has no slice.
StatelessAccessUnit to_stateless(h264::StreamParser& parser, std::span<const uint8_t> annexb_access_unit);

// A whole NAL unit (header byte, no start code) as build_sps_nal /
// build_pps_nal return it, parsed by daemon/h264. Fails the test when
// the header is not the expected one or a start code prefix appears
// inside the unit (missing emulation prevention).
h264::Sps parse_sps_nal(std::span<const uint8_t> nal);
h264::Pps parse_pps_nal(std::span<const uint8_t> nal, const h264::Sps& sps);

// Every field, each flag by name, and the scaling lists the stream can
// use (4x4 always, 8x8 with TRANSFORM_8X8_MODE, the 4:4:4 ones in 4:4:4):
// one test failure per difference, naming it.
void expect_same_controls(const H264Controls& expected, const H264Controls& actual);

}  // namespace daedalus::bridge::test
