// SPDX-License-Identifier: MIT
// The V4L2 stateless H.264 API hands the decoder parsed SPS/PPS/scaling
// structs, not NAL units; libavcodec wants NAL units. These functions turn
// the controls back into an SPS and a PPS that decode identically (no VUI
// and no cropping: neither changes decoded samples, and the CAPTURE buffer
// is the coded size anyway) and put them in front of the slice data.
// The H.264 rules they share with our parser (zig-zag scans, which
// profiles carry chroma_format_idc, how many 8x8 lists, flat lists,
// emulation prevention) come from daemon/h264.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include <linux/v4l2-controls.h>

namespace daedalus::bridge {

// Complete NAL units (header byte included, no start code). Throw
// daedalus::Error on values the syntax cannot express (FMO slice groups).
std::vector<uint8_t> build_sps_nal(const v4l2_ctrl_h264_sps& sps);
std::vector<uint8_t> build_pps_nal(const v4l2_ctrl_h264_pps& pps, const v4l2_ctrl_h264_sps& sps,
                                   const v4l2_ctrl_h264_scaling_matrix* scaling);

// True when data begins with a 3- or 4-byte Annex-B start code.
bool has_start_code(std::span<const uint8_t> data);

// Annex-B access unit: start code + SPS, start code + PPS, then the slice
// data as given (a start code is added if the client sent bare NALs).
std::vector<uint8_t> build_h264_access_unit(const v4l2_ctrl_h264_sps& sps, const v4l2_ctrl_h264_pps& pps,
                                            const v4l2_ctrl_h264_scaling_matrix* scaling,
                                            std::span<const uint8_t> slices);

}  // namespace daedalus::bridge
