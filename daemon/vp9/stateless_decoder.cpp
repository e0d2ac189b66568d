// SPDX-License-Identifier: MIT
#include "stateless_decoder.h"

#include <algorithm>
#include <cstring>
#include <string>

#include "daedalus/error.h"
#include "tables.h"

namespace daedalus::vp9 {
namespace {

// V4L2_VP9_RESET_FRAME_CTX_* -> the bitstream's reset_frame_context (spec:
// 0/1 none, 2 the frame's context, 3 all). A client passing the raw value
// 3 means "all" too.
int reset_from_v4l2(uint8_t v) {
  switch (v) {
    case V4L2_VP9_RESET_FRAME_CTX_NONE: return 0;
    case V4L2_VP9_RESET_FRAME_CTX_SPEC: return 2;
    case V4L2_VP9_RESET_FRAME_CTX_ALL: return 3;
    case 3: return 3;
  }
  throw Error("vp9: invalid reset_frame_context " + std::to_string(v));
}

uint8_t reset_to_v4l2(int v) {
  if (v == 2) return V4L2_VP9_RESET_FRAME_CTX_SPEC;
  if (v == 3) return V4L2_VP9_RESET_FRAME_CTX_ALL;
  return V4L2_VP9_RESET_FRAME_CTX_NONE;
}

}  // namespace

FrameHeader header_from_v4l2(const v4l2_ctrl_vp9_frame& f, const FrameSize ref_sizes[3]) {
  FrameHeader h;
  h.profile = f.profile;
  if (f.profile != 0 || f.bit_depth != 8)
    throw Error("vp9: profile " + std::to_string(f.profile) + " / " + std::to_string(f.bit_depth) +
                "-bit is not supported (8-bit 4:2:0 profile 0 only)");
  h.bit_depth = 8;
  h.ss_x = h.ss_y = 1;
  h.key_frame = f.flags & V4L2_VP9_FRAME_FLAG_KEY_FRAME;
  h.show_frame = f.flags & V4L2_VP9_FRAME_FLAG_SHOW_FRAME;
  h.error_resilient = f.flags & V4L2_VP9_FRAME_FLAG_ERROR_RESILIENT;
  h.intra_only = !h.key_frame && (f.flags & V4L2_VP9_FRAME_FLAG_INTRA_ONLY);
  h.color_range = f.flags & V4L2_VP9_FRAME_FLAG_COLOR_RANGE_FULL_SWING;
  h.reset_frame_context = h.error_resilient ? 0 : reset_from_v4l2(f.reset_frame_context);
  // The client keeps the slots; only "does this frame refresh" matters to
  // nobody here, so refresh_frame_flags stays 0.
  h.width = uint32_t{f.frame_width_minus_1} + 1;
  h.height = uint32_t{f.frame_height_minus_1} + 1;
  h.render_width = uint32_t{f.render_width_minus_1} + 1;
  h.render_height = uint32_t{f.render_height_minus_1} + 1;
  if (h.width > kMaxDimension || h.height > kMaxDimension) throw Error("vp9: frame size out of range");
  if (!h.intra_frame()) {
    h.ref_sign_bias[kLastFrame] = f.ref_frame_sign_bias & V4L2_VP9_SIGN_BIAS_LAST;
    h.ref_sign_bias[kGoldenFrame] = f.ref_frame_sign_bias & V4L2_VP9_SIGN_BIAS_GOLDEN;
    h.ref_sign_bias[kAltrefFrame] = f.ref_frame_sign_bias & V4L2_VP9_SIGN_BIAS_ALT;
    h.allow_high_precision_mv = f.flags & V4L2_VP9_FRAME_FLAG_ALLOW_HIGH_PREC_MV;
    if (f.interpolation_filter > V4L2_VP9_INTERP_FILTER_SWITCHABLE) throw Error("vp9: invalid interpolation filter");
    // V4L2's numbering is VP9's (regular, smooth, sharp, bilinear, switchable).
    h.interp_filter = f.interpolation_filter;
    bool any_valid = false;
    for (int i = 0; i < 3; ++i) {
      const uint32_t rw = ref_sizes[i].width, rh = ref_sizes[i].height;
      h.ref_valid[i] = rw && rh && 2 * h.width >= rw && 2 * h.height >= rh && h.width <= 16 * rw && h.height <= 16 * rh;
      any_valid |= h.ref_valid[i];
    }
    if (!any_valid) throw Error("vp9: no reference frame has a valid size ratio");
  }
  if (h.error_resilient) {
    h.refresh_frame_context = false;
    h.frame_parallel = true;
  } else {
    h.refresh_frame_context = f.flags & V4L2_VP9_FRAME_FLAG_REFRESH_FRAME_CTX;
    h.frame_parallel = f.flags & V4L2_VP9_FRAME_FLAG_PARALLEL_DEC_MODE;
  }
  if (f.frame_context_idx > 3) throw Error("vp9: invalid frame_context_idx");
  h.frame_context_idx = f.frame_context_idx;

  // Loop filter: the control carries the values in effect (the client
  // applies persistence and resets).
  h.lf.level = f.lf.level;
  h.lf.sharpness = f.lf.sharpness;
  if (h.lf.level > 63 || h.lf.sharpness > 7) throw Error("vp9: invalid loop filter level/sharpness");
  h.lf.delta_enabled = f.lf.flags & V4L2_VP9_LOOP_FILTER_FLAG_DELTA_ENABLED;
  for (int i = 0; i < 4; ++i) h.lf.ref_deltas[i] = f.lf.ref_deltas[i];
  for (int i = 0; i < 2; ++i) h.lf.mode_deltas[i] = f.lf.mode_deltas[i];

  h.base_q_idx = f.quant.base_q_idx;
  h.y_dc_delta = f.quant.delta_q_y_dc;
  h.uv_dc_delta = f.quant.delta_q_uv_dc;
  h.uv_ac_delta = f.quant.delta_q_uv_ac;

  Segmentation& s = h.seg;
  s.enabled = f.seg.flags & V4L2_VP9_SEGMENTATION_FLAG_ENABLED;
  if (s.enabled) {
    s.update_map = f.seg.flags & V4L2_VP9_SEGMENTATION_FLAG_UPDATE_MAP;
    s.temporal_update = s.update_map && (f.seg.flags & V4L2_VP9_SEGMENTATION_FLAG_TEMPORAL_UPDATE);
    s.abs_delta = f.seg.flags & V4L2_VP9_SEGMENTATION_FLAG_ABS_OR_DELTA_UPDATE;
    std::memcpy(s.tree_probs, f.seg.tree_probs, sizeof s.tree_probs);
    for (int i = 0; i < 3; ++i) s.pred_probs[i] = s.temporal_update ? f.seg.pred_probs[i] : 255;
    static constexpr int kMax[4] = {255, 63, 3, 0};
    for (int i = 0; i < 8; ++i)
      for (int j = 0; j < 4; ++j) {
        s.feature_enabled[i][j] = f.seg.feature_enabled[i] & V4L2_VP9_SEGMENT_FEATURE_ENABLED(j);
        const int d = s.feature_enabled[i][j] ? f.seg.feature_data[i][j] : 0;
        if (d < -kMax[j] || d > kMax[j] || (j >= 2 && d < 0)) throw Error("vp9: segmentation feature data out of range");
        s.feature_data[i][j] = static_cast<int16_t>(d);
      }
  }

  compute_derived(h);
  int min_log2 = 0;
  while ((64u << min_log2) < h.sb64_cols) ++min_log2;
  int max_log2 = 1;
  while ((h.sb64_cols >> max_log2) >= 4) ++max_log2;
  --max_log2;
  if (f.tile_cols_log2 < min_log2 || f.tile_cols_log2 > std::max(min_log2, max_log2) || f.tile_rows_log2 > 2)
    throw Error("vp9: tile_cols_log2/tile_rows_log2 out of range for the frame size");
  h.log2_tile_cols = f.tile_cols_log2;
  h.log2_tile_rows = f.tile_rows_log2;
  h.uncompressed_header_size = f.uncompressed_header_size;
  h.compressed_header_size = f.compressed_header_size;
  if (h.compressed_header_size == 0) throw Error("vp9: compressed_header_size is 0");
  return h;
}

void compressed_fields_from_v4l2(const v4l2_ctrl_vp9_frame& f, const v4l2_ctrl_vp9_compressed_hdr& c, FrameHeader& h) {
  if (c.tx_mode > kTxModeSelect) throw Error("vp9: invalid tx_mode");
  h.tx_mode = h.lossless ? int{kOnly4x4} : int{c.tx_mode};
  h.reference_mode = kSingleRef;
  if (!h.intra_frame()) {
    if (f.reference_mode > kRefModeSelect) throw Error("vp9: invalid reference_mode");
    h.reference_mode = f.reference_mode;
    const bool compound_allowed = h.ref_sign_bias[kGoldenFrame] != h.ref_sign_bias[kLastFrame] ||
                                  h.ref_sign_bias[kAltrefFrame] != h.ref_sign_bias[kLastFrame];
    if (!compound_allowed && h.reference_mode != kSingleRef)
      throw Error("vp9: compound prediction with equal sign biases");
    setup_compound_reference_mode(h);
  }
}

FrameContext deltas_from_v4l2(const v4l2_ctrl_vp9_compressed_hdr& c) {
  FrameContext d{};
  // Everything up to the MV probabilities has the same layout.
  static_assert(offsetof(FrameContext, mv_joints) ==
                offsetof(v4l2_ctrl_vp9_compressed_hdr, mv) - offsetof(v4l2_ctrl_vp9_compressed_hdr, tx8));
  std::memcpy(&d, &c.tx8, offsetof(FrameContext, mv_joints));
  std::memcpy(d.mv_joints, c.mv.joint, 3);
  for (int i = 0; i < 2; ++i) {
    MvComponentProbs& m = d.mv[i];
    m.sign = c.mv.sign[i];
    std::memcpy(m.classes, c.mv.classes[i], 10);
    m.class0[0] = c.mv.class0_bit[i];
    std::memcpy(m.bits, c.mv.bits[i], 10);
    std::memcpy(m.class0_fr, c.mv.class0_fr[i], 6);
    std::memcpy(m.fr, c.mv.fr[i], 3);
    m.class0_hp = c.mv.class0_hp[i];
    m.hp = c.mv.hp[i];
  }
  // VP9's compressed header never updates the UV mode probabilities, so
  // the control's uv_mode can only hold something a client put there by
  // mistake (FFmpeg's v4l2-request hwaccel puts its current probabilities
  // there); the kernel's VP9 helpers ignore it too.
  std::memset(d.uv_mode, 0, sizeof d.uv_mode);
  return d;
}

v4l2_ctrl_vp9_frame v4l2_frame_from_header(const FrameHeader& h) {
  v4l2_ctrl_vp9_frame f{};
  for (int i = 0; i < 4; ++i) f.lf.ref_deltas[i] = h.lf.ref_deltas[i];
  for (int i = 0; i < 2; ++i) f.lf.mode_deltas[i] = h.lf.mode_deltas[i];
  f.lf.level = static_cast<uint8_t>(h.lf.level);
  f.lf.sharpness = static_cast<uint8_t>(h.lf.sharpness);
  f.lf.flags = h.lf.delta_enabled ? V4L2_VP9_LOOP_FILTER_FLAG_DELTA_ENABLED : 0;
  f.quant.base_q_idx = static_cast<uint8_t>(h.base_q_idx);
  f.quant.delta_q_y_dc = static_cast<int8_t>(h.y_dc_delta);
  f.quant.delta_q_uv_dc = static_cast<int8_t>(h.uv_dc_delta);
  f.quant.delta_q_uv_ac = static_cast<int8_t>(h.uv_ac_delta);
  const Segmentation& s = h.seg;
  if (s.enabled) f.seg.flags |= V4L2_VP9_SEGMENTATION_FLAG_ENABLED;
  if (s.update_map) f.seg.flags |= V4L2_VP9_SEGMENTATION_FLAG_UPDATE_MAP;
  if (s.temporal_update) f.seg.flags |= V4L2_VP9_SEGMENTATION_FLAG_TEMPORAL_UPDATE;
  if (s.abs_delta) f.seg.flags |= V4L2_VP9_SEGMENTATION_FLAG_ABS_OR_DELTA_UPDATE;
  std::memcpy(f.seg.tree_probs, s.tree_probs, 7);
  std::memcpy(f.seg.pred_probs, s.pred_probs, 3);
  for (int i = 0; i < 8; ++i)
    for (int j = 0; j < 4; ++j) {
      if (s.feature_enabled[i][j]) f.seg.feature_enabled[i] |= V4L2_VP9_SEGMENT_FEATURE_ENABLED(j);
      f.seg.feature_data[i][j] = s.feature_data[i][j];
    }
  if (h.key_frame) f.flags |= V4L2_VP9_FRAME_FLAG_KEY_FRAME;
  if (h.show_frame) f.flags |= V4L2_VP9_FRAME_FLAG_SHOW_FRAME;
  if (h.error_resilient) f.flags |= V4L2_VP9_FRAME_FLAG_ERROR_RESILIENT;
  if (h.intra_only) f.flags |= V4L2_VP9_FRAME_FLAG_INTRA_ONLY;
  if (h.allow_high_precision_mv) f.flags |= V4L2_VP9_FRAME_FLAG_ALLOW_HIGH_PREC_MV;
  if (h.refresh_frame_context) f.flags |= V4L2_VP9_FRAME_FLAG_REFRESH_FRAME_CTX;
  if (h.frame_parallel) f.flags |= V4L2_VP9_FRAME_FLAG_PARALLEL_DEC_MODE;
  if (h.ss_x) f.flags |= V4L2_VP9_FRAME_FLAG_X_SUBSAMPLING;
  if (h.ss_y) f.flags |= V4L2_VP9_FRAME_FLAG_Y_SUBSAMPLING;
  if (h.color_range) f.flags |= V4L2_VP9_FRAME_FLAG_COLOR_RANGE_FULL_SWING;
  f.compressed_header_size = static_cast<uint16_t>(h.compressed_header_size);
  f.uncompressed_header_size = static_cast<uint16_t>(h.uncompressed_header_size);
  f.frame_width_minus_1 = static_cast<uint16_t>(h.width - 1);
  f.frame_height_minus_1 = static_cast<uint16_t>(h.height - 1);
  f.render_width_minus_1 = static_cast<uint16_t>(h.render_width - 1);
  f.render_height_minus_1 = static_cast<uint16_t>(h.render_height - 1);
  if (h.ref_sign_bias[kLastFrame]) f.ref_frame_sign_bias |= V4L2_VP9_SIGN_BIAS_LAST;
  if (h.ref_sign_bias[kGoldenFrame]) f.ref_frame_sign_bias |= V4L2_VP9_SIGN_BIAS_GOLDEN;
  if (h.ref_sign_bias[kAltrefFrame]) f.ref_frame_sign_bias |= V4L2_VP9_SIGN_BIAS_ALT;
  f.reset_frame_context = reset_to_v4l2(h.reset_frame_context);
  f.frame_context_idx = static_cast<uint8_t>(h.frame_context_idx);
  f.profile = static_cast<uint8_t>(h.profile);
  f.bit_depth = static_cast<uint8_t>(h.bit_depth);
  f.interpolation_filter = static_cast<uint8_t>(h.interp_filter);
  f.tile_cols_log2 = static_cast<uint8_t>(h.log2_tile_cols);
  f.tile_rows_log2 = static_cast<uint8_t>(h.log2_tile_rows);
  f.reference_mode = static_cast<uint8_t>(h.reference_mode);
  return f;
}

v4l2_ctrl_vp9_compressed_hdr v4l2_compressed_from_header(const FrameHeader& h, const FrameContext& d) {
  v4l2_ctrl_vp9_compressed_hdr c{};
  c.tx_mode = static_cast<uint8_t>(h.tx_mode);
  std::memcpy(&c.tx8, &d, offsetof(FrameContext, mv_joints));
  std::memcpy(c.mv.joint, d.mv_joints, 3);
  for (int i = 0; i < 2; ++i) {
    const MvComponentProbs& m = d.mv[i];
    c.mv.sign[i] = m.sign;
    std::memcpy(c.mv.classes[i], m.classes, 10);
    c.mv.class0_bit[i] = m.class0[0];
    std::memcpy(c.mv.bits[i], m.bits, 10);
    std::memcpy(c.mv.class0_fr[i], m.class0_fr, 6);
    std::memcpy(c.mv.fr[i], m.fr, 3);
    c.mv.class0_hp[i] = m.class0_hp;
    c.mv.hp[i] = m.hp;
  }
  return c;
}

StatelessDecoder::StatelessDecoder(dispatch::Backend& backend) : backend_(backend), core_(backend) {}

std::optional<FrameSize> StatelessDecoder::frame_size(uint64_t timestamp) const {
  // Newest first: a timestamp the client reused names its latest frame.
  for (auto it = sizes_.rbegin(); it != sizes_.rend(); ++it)
    if (it->first == timestamp) return it->second;
  return std::nullopt;
}

FrameSize StatelessDecoder::reference_size(uint64_t timestamp, const v4l2_ctrl_vp9_frame& frame) const {
  if (auto s = frame_size(timestamp)) return *s;
  return FrameSize{uint32_t{frame.frame_width_minus_1} + 1, uint32_t{frame.frame_height_minus_1} + 1};
}

void StatelessDecoder::remember_size(uint64_t timestamp, FrameSize size, bool key_frame) {
  // A key frame refreshes all 8 slots: nothing older can be referenced.
  if (key_frame) sizes_.clear();
  std::erase_if(sizes_, [&](const auto& e) { return e.first == timestamp; });
  sizes_.emplace_back(timestamp, size);
  while (sizes_.size() > kMaxSizes) sizes_.pop_front();
}

std::shared_ptr<dispatch::Surface> StatelessDecoder::scratch(uint32_t w, uint32_t h) {
  if (!scratch_ || scratch_->plane(0).width != w || scratch_->plane(0).height != h)
    scratch_ = backend_.create_surface(w, h);
  return scratch_;
}

void StatelessDecoder::decode(uint64_t timestamp, const v4l2_ctrl_vp9_frame& frame,
                              const v4l2_ctrl_vp9_compressed_hdr* compressed, std::span<const uint8_t> bitstream,
                              dispatch::Surface* const refs[3], dispatch::Surface& dst_nv12) {
  const bool intra = frame.flags & (V4L2_VP9_FRAME_FLAG_KEY_FRAME | V4L2_VP9_FRAME_FLAG_INTRA_ONLY);
  RefPicture pics[3];
  FrameSize ref_sizes[3];
  if (!intra) {
    for (int i = 0; i < 3; ++i) {
      if (!refs[i]) throw Error("vp9: inter frame without reference " + std::to_string(i));
      pics[i] = RefPicture{refs[i], refs[i]->plane(0).width, refs[i]->plane(0).height};
      ref_sizes[i] = FrameSize{pics[i].width, pics[i].height};
    }
  }
  FrameHeader h = header_from_v4l2(frame, ref_sizes);
  if (dst_nv12.format() != dispatch::SurfaceFormat::kNv12 || dst_nv12.plane(0).width != h.width ||
      dst_nv12.plane(0).height != h.height)
    throw Error("vp9: destination is not an NV12 surface of the frame size " + std::to_string(h.width) + "x" +
                std::to_string(h.height));
  if (h.uncompressed_header_size + h.compressed_header_size >= bitstream.size())
    throw Error("vp9: header sizes of the control exceed the bitstream");
  FrameContext deltas;
  if (compressed) {
    compressed_fields_from_v4l2(frame, *compressed, h);
    deltas = deltas_from_v4l2(*compressed);
  }
  auto dst = scratch(h.mi_cols * 8, h.mi_rows * 8);
  core_.decode(h, compressed ? &deltas : nullptr, bitstream.data(), bitstream.size(), pics, *dst, &dst_nv12);
  remember_size(timestamp, FrameSize{h.width, h.height}, h.key_frame);
}

}  // namespace daedalus::vp9
