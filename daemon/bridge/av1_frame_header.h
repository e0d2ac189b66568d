// SPDX-License-Identifier: MIT
// V4L2 stateless AV1 clients (GStreamer's v4l2slav1dec) send no frame
// header OBU: the OUTPUT buffer holds the tile-group OBU payloads and the
// frame header comes as v4l2_ctrl_av1_frame (+ v4l2_ctrl_av1_film_grain),
// the tiles as v4l2_ctrl_av1_tile_group_entry. For the reference path
// (dav1d via libavcodec) the daemon writes the frame header OBU back from
// the controls (AV1 spec 5.9, uncompressed_header) and one tile group OBU
// with every tile the entries name.
//
// Every syntax element is written from the controls. The one thing the
// controls cannot give is what the spec codes relative to the decoder's own
// reference state: global motion parameters are coded against those saved
// with the primary reference frame (PrevGmParams). Av1ReferenceState keeps
// them per reference slot, as every AV1 decoder does, so frames must come in
// decode order from a key frame (the reference decoder keeps its references
// anyway).
//
// Written in a form that decodes identically but may differ bit for bit
// from the encoder's: references and frame sizes explicit (no
// frame_refs_short_signaling, no found_ref), loop filter deltas and
// segmentation data written whole when the control says they are updated.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include <linux/v4l2-controls.h>

namespace daedalus::bridge {

// Per stream: the global motion parameters saved with each of the 8
// reference slots (spec 7.20 reference frame update, SavedGmParams).
// Also the order hint of each slot, which error-resilient frames code for
// all 8 slots (ref_order_hint[]) while the control gives only those the
// frame references.
struct Av1ReferenceState {
  static constexpr int kSlots = 8;  // NUM_REF_FRAMES
  using GmParams = std::array<std::array<int32_t, 6>, V4L2_AV1_TOTAL_REFS_PER_FRAME>;
  static GmParams default_gm();
  std::array<GmParams, kSlots> saved_gm;
  std::array<uint32_t, kSlots> saved_order_hint{};
  Av1ReferenceState() { saved_gm.fill(default_gm()); }
};

// OBU_FRAME_HEADER + OBU_TILE_GROUP for one frame. `film_grain` may be null
// when the sequence has no film grain. Updates `state` for the slots the
// frame refreshes. Throws daedalus::Error ("av1: ...") when the controls
// contradict themselves or the sequence, or a tile lies outside `data`.
std::vector<uint8_t> build_av1_frame_obus(const v4l2_ctrl_av1_sequence& seq, const v4l2_ctrl_av1_frame& frame,
                                          const v4l2_ctrl_av1_film_grain* film_grain,
                                          std::span<const v4l2_ctrl_av1_tile_group_entry> tiles,
                                          std::span<const uint8_t> data, Av1ReferenceState& state);

// A client shows a hidden frame later (show_existing_frame) by showing the
// CAPTURE buffer it was decoded into, without a request, so that buffer
// must hold the frame as shown. For a frame the stream may show later
// (not shown now, showable, not a key frame, stored in a slot), the frame
// header OBU that shows it from its first refreshed slot: appended after
// the frame, it makes the reference decoder output the picture without
// changing its state (a shown non-key frame refreshes nothing). Empty when
// the frame needs none.
std::vector<uint8_t> build_av1_show_hidden_obu(const v4l2_ctrl_av1_frame& frame);

}  // namespace daedalus::bridge
