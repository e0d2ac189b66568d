// SPDX-License-Identifier: MIT
// VP9 frame headers. FrameHeader holds everything the tile decoder consumes:
// the uncompressed header's values (spec 6.2) and the compressed header's
// (spec 6.3) as the probabilities they produce. The parser fills it from the
// bitstream; the V4L2 stateless path will fill the same struct from
// v4l2_ctrl_vp9_frame / v4l2_ctrl_vp9_compressed_hdr instead, which is why
// parsing and tile decoding are separate.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "probs.h"

namespace daedalus::vp9 {

constexpr uint32_t kMaxDimension = 16384;

struct LoopFilterParams {
  int level = 0;
  int sharpness = 0;
  bool delta_enabled = false;
  int8_t ref_deltas[4] = {1, 0, -1, -1};  // intra, last, golden, altref
  int8_t mode_deltas[2] = {0, 0};
};

enum SegFeature { kSegAltQ = 0, kSegAltLf = 1, kSegRefFrame = 2, kSegSkip = 3 };

struct Segmentation {
  bool enabled = false;
  bool update_map = false;
  bool temporal_update = false;
  bool abs_delta = false;
  uint8_t tree_probs[7] = {255, 255, 255, 255, 255, 255, 255};
  uint8_t pred_probs[3] = {255, 255, 255};
  bool feature_enabled[8][4] = {};
  int16_t feature_data[8][4] = {};

  bool active(int seg, SegFeature f) const { return enabled && feature_enabled[seg][f]; }
};

// State the uncompressed header reads from or writes to across frames.
struct PersistentHeaderState {
  LoopFilterParams lf;
  Segmentation seg;
  // Sizes of the 8 reference slots (0 = empty), for frame_size_with_refs.
  uint32_t slot_width[8] = {};
  uint32_t slot_height[8] = {};
  uint32_t slot_subsampling_x[8] = {};
  uint32_t slot_subsampling_y[8] = {};
  uint32_t slot_bit_depth[8] = {};
  int last_profile_bit_depth = 8;
  int last_ss_x = 1, last_ss_y = 1;
};

struct FrameHeader {
  int profile = 0;
  bool show_existing_frame = false;
  int frame_to_show = 0;
  bool key_frame = false;
  bool show_frame = false;
  bool error_resilient = false;
  bool intra_only = false;
  int reset_frame_context = 0;
  int bit_depth = 8;
  int color_space = 0;
  bool color_range = false;
  int ss_x = 1, ss_y = 1;
  uint8_t refresh_frame_flags = 0;
  int ref_frame_idx[3] = {0, 0, 0};   // slot for LAST, GOLDEN, ALTREF
  bool ref_sign_bias[4] = {};         // indexed by RefFrame
  bool ref_valid[3] = {true, true, true};  // size ratio within VP9's limits
  uint32_t width = 0, height = 0;
  uint32_t render_width = 0, render_height = 0;
  bool allow_high_precision_mv = false;
  int interp_filter = 0;  // dd_interp_filter or kSwitchableFilter
  bool refresh_frame_context = false;
  bool frame_parallel = true;
  int frame_context_idx = 0;
  LoopFilterParams lf;
  int base_q_idx = 0;
  int y_dc_delta = 0, uv_dc_delta = 0, uv_ac_delta = 0;
  bool lossless = false;
  Segmentation seg;
  int log2_tile_cols = 0, log2_tile_rows = 0;
  size_t compressed_header_size = 0;
  size_t uncompressed_header_size = 0;

  // Compressed header.
  int tx_mode = 0;
  int reference_mode = 0;  // ReferenceMode
  int comp_fixed_ref = 0;
  int comp_var_ref[2] = {0, 0};

  // Derived.
  uint32_t mi_cols = 0, mi_rows = 0, sb64_cols = 0, sb64_rows = 0;
  bool intra_frame() const { return key_frame || intra_only; }
  // setup_past_independence applies to this frame.
  bool resets_context() const { return intra_frame() || error_resilient; }
};

// Fills the derived fields (lossless, mi/sb64 sizes) from the coded ones;
// the parser calls it, a V4L2 control translation must too.
void compute_derived(FrameHeader& h);

// Parses the uncompressed header of one frame (not a superframe). Updates
// `state` (loop filter deltas and segmentation persist across frames; the
// caller applies reset semantics via reset_for_past_independence first when
// needed, which this function does itself). Throws daedalus::Error.
FrameHeader parse_uncompressed_header(const uint8_t* data, size_t size, PersistentHeaderState& state);

// Parses the compressed header: fills the tx_mode / reference_mode fields
// of `hdr` and returns the forward probability updates in `deltas` as
// v4l2_ctrl_vp9_compressed_hdr carries them (0 = no update; coefficient and
// mode probabilities: the remapped delta; MV probabilities: the new value).
void parse_compressed_header(const uint8_t* data, size_t size, FrameHeader& hdr, FrameContext& deltas);
// comp_fixed_ref / comp_var_ref from the sign biases (spec
// setup_compound_reference_mode); no-op for single reference frames.
void setup_compound_reference_mode(FrameHeader& hdr);
// Applies such deltas to the frame's probabilities.
void apply_probability_deltas(const FrameContext& deltas, FrameContext& fc);

// Splits a chunk into frames using the superframe index (Annex B); a chunk
// without an index is one frame. Throws on an inconsistent index.
std::vector<std::pair<const uint8_t*, size_t>> split_superframe(const uint8_t* data, size_t size);

// Quantizer lookups with the segment delta applied (8-bit).
int dc_q(int qindex, int delta);
int ac_q(int qindex, int delta);
int segment_qindex(const FrameHeader& hdr, int segment_id);

}  // namespace daedalus::vp9
