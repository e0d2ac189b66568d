// SPDX-License-Identifier: MIT
// The rules a VP9 FrameWork must follow before any backend runs it, and the
// destination checks of the stages: one implementation, used by the CPU
// reference backend and the Vulkan backend alike, so that both accept and
// reject exactly the same work. `who` prefixes the messages ("cpu backend",
// "vulkan backend").
#pragma once

#include <cstdint>
#include <string_view>

#include "daedalus/dispatch/dispatch.h"

namespace daedalus::dispatch::vp9 {

// Width / height of plane p's decoded area (mi_cols * 8 x mi_rows * 8 for
// luma, subsampled for chroma): the size stages write and clip to.
inline uint32_t decoded_width(const dd_frame_params& p, int plane) { return (p.mi_cols * 8) >> (plane ? p.ss_x : 0); }
inline uint32_t decoded_height(const dd_frame_params& p, int plane) { return (p.mi_rows * 8) >> (plane ? p.ss_y : 0); }

// 8-bit 4:2:0, 1..2048 8x8 units each way.
void check_frame_params(const dd_frame_params& p, std::string_view who);

// Everything begin_frame checks: the frame parameters, the counts against
// the arrays, every tx block, block and loop filter unit.
void check_work(const FrameWork& work, std::string_view who);

// The loop filter part of check_work: each plane's grid is empty or
// lf_cols x lf_rows units, each unit's edge sizes are 0, 4, 8 or 16 and its
// level 0..63.
void check_loop_filter_units(const FrameWork& work, std::string_view who);

// A stage's destination: a planar surface whose planes cover the frame's
// decoded area.
void check_destination(const Surface& dst, const dd_frame_params& p, std::string_view who);

}  // namespace daedalus::dispatch::vp9
