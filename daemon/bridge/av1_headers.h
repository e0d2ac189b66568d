// SPDX-License-Identifier: MIT
// dav1d needs a sequence header OBU before it decodes anything, but the
// V4L2 stateless AV1 API carries the sequence header as a control
// (v4l2_ctrl_av1_sequence). When the OUTPUT buffer's OBUs lack one, the
// daemon synthesises it from the control.
//
// Limitation: the control has no operating points, timing info,
// frame_id_numbers_present_flag or screen-content selection; the
// synthesised header uses the values libaom and SVT-AV1 write by default
// (one operating point, no ids, "select" screen content / integer mv).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include <linux/v4l2-controls.h>

namespace daedalus::bridge {

enum class Av1ObuScan { kHasSequenceHeader, kNoSequenceHeader, kNotObus };

// Walks size-delimited OBUs (Low Overhead Bitstream Format).
Av1ObuScan scan_av1_obus(std::span<const uint8_t> data);

// frame_width_bits_minus_1 + 1 for a maximum frame size: what the
// synthesised sequence header codes and the frame header's sizes use.
int av1_frame_size_bits(uint32_t max_minus_1);

// Appends an OBU with obu_has_size_field set: header, leb128 size, payload.
void append_av1_obu(std::vector<uint8_t>& out, int type, const std::vector<uint8_t>& payload);

// A complete OBU (header with obu_has_size_field, leb128 size, payload).
std::vector<uint8_t> build_av1_sequence_header_obu(const v4l2_ctrl_av1_sequence& seq);

}  // namespace daedalus::bridge
