// SPDX-License-Identifier: MIT
#include "frame_header.h"

#include <algorithm>
#include <cstddef>
#include <type_traits>
#include <string>

#include "bit_reader.h"
#include "bool_decoder.h"
#include "daedalus/error.h"
#include "tables.h"

namespace daedalus::vp9 {
namespace {

constexpr int kSegFeatureBits[4] = {8, 6, 2, 0};
constexpr int kSegFeatureMax[4] = {255, 63, 3, 0};
constexpr bool kSegFeatureSigned[4] = {true, true, false, false};

void read_sync_code(BitReader& br) {
  if (br.literal(8) != 0x49 || br.literal(8) != 0x83 || br.literal(8) != 0x42)
    throw Error("vp9: invalid frame sync code");
}

void read_color_config(BitReader& br, FrameHeader& h) {
  if (h.profile >= 2) h.bit_depth = br.bit() ? 12 : 10;
  else h.bit_depth = 8;
  h.color_space = static_cast<int>(br.literal(3));
  if (h.color_space != 7) {  // not sRGB
    h.color_range = br.bit();
    if (h.profile == 1 || h.profile == 3) {
      h.ss_x = br.bit();
      h.ss_y = br.bit();
      if (h.ss_x == 1 && h.ss_y == 1) throw Error("vp9: 4:2:0 signalled in profile 1/3");
      if (br.bit()) throw Error("vp9: reserved bit set");
    } else {
      h.ss_x = h.ss_y = 1;
    }
  } else {
    h.color_range = true;
    if (h.profile == 1 || h.profile == 3) {
      h.ss_x = h.ss_y = 0;
      if (br.bit()) throw Error("vp9: reserved bit set");
    } else {
      throw Error("vp9: sRGB is not allowed in profile 0/2");
    }
  }
}

void check_size(uint32_t w, uint32_t h) {
  if (w == 0 || h == 0 || w > kMaxDimension || h > kMaxDimension)
    throw Error("vp9: frame size " + std::to_string(w) + "x" + std::to_string(h) + " out of range");
}

void read_frame_size(BitReader& br, FrameHeader& h) {
  h.width = br.literal(16) + 1;
  h.height = br.literal(16) + 1;
}

void read_render_size(BitReader& br, FrameHeader& h) {
  if (br.bit()) {
    h.render_width = br.literal(16) + 1;
    h.render_height = br.literal(16) + 1;
  } else {
    h.render_width = h.width;
    h.render_height = h.height;
  }
}

void read_loop_filter(BitReader& br, LoopFilterParams& lf) {
  lf.level = static_cast<int>(br.literal(6));
  lf.sharpness = static_cast<int>(br.literal(3));
  lf.delta_enabled = br.bit();
  if (lf.delta_enabled && br.bit()) {
    for (auto& d : lf.ref_deltas)
      if (br.bit()) d = static_cast<int8_t>(br.signed_literal(6));
    for (auto& d : lf.mode_deltas)
      if (br.bit()) d = static_cast<int8_t>(br.signed_literal(6));
  }
}

int read_delta_q(BitReader& br) { return br.bit() ? br.signed_literal(4) : 0; }

void read_segmentation(BitReader& br, Segmentation& seg) {
  seg.update_map = false;
  seg.enabled = br.bit();
  if (!seg.enabled) return;
  seg.update_map = br.bit();
  if (seg.update_map) {
    for (auto& p : seg.tree_probs) p = br.bit() ? static_cast<uint8_t>(br.literal(8)) : 255;
    seg.temporal_update = br.bit();
    for (auto& p : seg.pred_probs) p = seg.temporal_update && br.bit() ? static_cast<uint8_t>(br.literal(8)) : 255;
  }
  if (br.bit()) {  // update_data
    seg.abs_delta = br.bit();
    for (int i = 0; i < 8; ++i)
      for (int j = 0; j < 4; ++j) {
        int data = 0;
        seg.feature_enabled[i][j] = br.bit();
        if (seg.feature_enabled[i][j]) {
          data = std::min(static_cast<int>(br.literal(kSegFeatureBits[j])), kSegFeatureMax[j]);
          if (kSegFeatureSigned[j] && br.bit()) data = -data;
        }
        seg.feature_data[i][j] = static_cast<int16_t>(data);
      }
  }
}

void reset_for_past_independence(PersistentHeaderState& st) {
  for (auto& f : st.seg.feature_enabled)
    for (auto& e : f) e = false;
  for (auto& f : st.seg.feature_data)
    for (auto& d : f) d = 0;
  st.seg.abs_delta = false;
  st.lf.delta_enabled = true;
  st.lf.ref_deltas[0] = 1;
  st.lf.ref_deltas[1] = 0;
  st.lf.ref_deltas[2] = -1;
  st.lf.ref_deltas[3] = -1;
  st.lf.mode_deltas[0] = st.lf.mode_deltas[1] = 0;
}

}  // namespace

void compute_derived(FrameHeader& h) {
  h.lossless = h.base_q_idx == 0 && h.y_dc_delta == 0 && h.uv_dc_delta == 0 && h.uv_ac_delta == 0;
  h.mi_cols = (h.width + 7) >> 3;
  h.mi_rows = (h.height + 7) >> 3;
  h.sb64_cols = (h.mi_cols + 7) >> 3;
  h.sb64_rows = (h.mi_rows + 7) >> 3;
}

FrameHeader parse_uncompressed_header(const uint8_t* data, size_t size, PersistentHeaderState& st) {
  BitReader br(data, size);
  FrameHeader h;
  if (br.literal(2) != 2) throw Error("vp9: invalid frame marker");
  h.profile = br.bit();
  h.profile |= br.bit() << 1;
  if (h.profile == 3) h.profile += br.bit();
  if (h.profile > 3) throw Error("vp9: unsupported profile");
  if (h.profile != 0) throw Error("vp9: profile " + std::to_string(h.profile) + " is not supported yet");
  h.show_existing_frame = br.bit();
  if (h.show_existing_frame) {
    h.frame_to_show = static_cast<int>(br.literal(3));
    h.show_frame = true;
    h.uncompressed_header_size = br.bytes_consumed();
    return h;
  }
  h.key_frame = br.bit() == 0;
  h.show_frame = br.bit();
  h.error_resilient = br.bit();
  if (h.key_frame) {
    read_sync_code(br);
    read_color_config(br, h);
    h.refresh_frame_flags = 0xff;
    read_frame_size(br, h);
    read_render_size(br, h);
  } else {
    h.intra_only = h.show_frame ? false : br.bit();
    h.reset_frame_context = h.error_resilient ? 0 : static_cast<int>(br.literal(2));
    if (h.intra_only) {
      read_sync_code(br);
      if (h.profile > 0) {
        read_color_config(br, h);
      } else {
        h.bit_depth = 8;
        h.ss_x = h.ss_y = 1;
      }
      h.refresh_frame_flags = static_cast<uint8_t>(br.literal(8));
      read_frame_size(br, h);
      read_render_size(br, h);
    } else {
      h.refresh_frame_flags = static_cast<uint8_t>(br.literal(8));
      for (int i = 0; i < 3; ++i) {
        h.ref_frame_idx[i] = static_cast<int>(br.literal(3));
        h.ref_sign_bias[kLastFrame + i] = br.bit();
        if (st.slot_width[h.ref_frame_idx[i]] == 0)
          throw Error("vp9: inter frame references an empty slot (stream must start with a key frame)");
      }
      bool found = false;
      for (int i = 0; i < 3 && !found; ++i) {
        if (br.bit()) {
          h.width = st.slot_width[h.ref_frame_idx[i]];
          h.height = st.slot_height[h.ref_frame_idx[i]];
          found = true;
        }
      }
      if (!found) read_frame_size(br, h);
      read_render_size(br, h);
      h.allow_high_precision_mv = br.bit();
      if (br.bit()) {
        h.interp_filter = kSwitchableFilter;
      } else {
        static constexpr int kLiteralToFilter[4] = {1, 0, 2, 3};  // smooth, regular, sharp, bilinear
        h.interp_filter = kLiteralToFilter[br.literal(2)];
      }
      // Inter frames inherit the colour format of their references.
      const int slot = h.ref_frame_idx[0];
      h.bit_depth = static_cast<int>(st.slot_bit_depth[slot]);
      h.ss_x = static_cast<int>(st.slot_subsampling_x[slot]);
      h.ss_y = static_cast<int>(st.slot_subsampling_y[slot]);
      // VP9 limits reference scaling to 2x down .. 16x up. A reference
      // outside that may exist as long as no block uses it (checked by the
      // tile decoder), but one must be usable.
      bool any_valid = false;
      for (int i = 0; i < 3; ++i) {
        const uint32_t rw = st.slot_width[h.ref_frame_idx[i]], rh = st.slot_height[h.ref_frame_idx[i]];
        h.ref_valid[i] = 2 * h.width >= rw && 2 * h.height >= rh && h.width <= 16 * rw && h.height <= 16 * rh;
        any_valid |= h.ref_valid[i];
      }
      if (!any_valid) throw Error("vp9: no reference frame has a valid size ratio");
    }
  }
  check_size(h.width, h.height);
  if (!h.error_resilient) {
    h.refresh_frame_context = br.bit();
    h.frame_parallel = br.bit();
  } else {
    h.refresh_frame_context = false;
    h.frame_parallel = true;
  }
  h.frame_context_idx = static_cast<int>(br.literal(2));
  if (h.resets_context()) {
    reset_for_past_independence(st);
  }
  read_loop_filter(br, st.lf);
  h.lf = st.lf;
  h.base_q_idx = static_cast<int>(br.literal(8));
  h.y_dc_delta = read_delta_q(br);
  h.uv_dc_delta = read_delta_q(br);
  h.uv_ac_delta = read_delta_q(br);
  read_segmentation(br, st.seg);
  h.seg = st.seg;

  compute_derived(h);
  int min_log2 = 0;
  while ((64u << min_log2) < h.sb64_cols) ++min_log2;
  int max_log2 = 1;
  while ((h.sb64_cols >> max_log2) >= 4) ++max_log2;
  --max_log2;
  h.log2_tile_cols = min_log2;
  while (h.log2_tile_cols < max_log2 && br.bit()) ++h.log2_tile_cols;
  h.log2_tile_rows = br.bit();
  if (h.log2_tile_rows) h.log2_tile_rows += br.bit();
  h.compressed_header_size = br.literal(16);
  if (h.compressed_header_size == 0) throw Error("vp9: invalid compressed header size 0");
  h.uncompressed_header_size = br.bytes_consumed();
  if (h.uncompressed_header_size + h.compressed_header_size > size)
    throw Error("vp9: truncated frame (compressed header exceeds the data)");
  return h;
}

namespace {

int inv_recenter_nonneg(int v, int m) {
  if (v > 2 * m) return v;
  return (v & 1) ? m - ((v + 1) >> 1) : m + (v >> 1);
}

// The remapping table of spec 9.3.x "inv_map_table": every 13th value
// first (coarse steps), then the others in order.
struct InvMapTable {
  uint8_t v[255];
  InvMapTable() {
    int n = 0;
    for (int i = 0; i < 20; ++i) v[n++] = static_cast<uint8_t>(7 + 13 * i);
    for (int p = 1; p <= 253; ++p)
      if ((p - 7) % 13 != 0 || p < 7) v[n++] = static_cast<uint8_t>(p);
    while (n < 255) v[n++] = 253;
  }
};

// Remapped delta -> new probability (the part of inv_remap_prob that needs
// the old value; V4L2's compressed header carries the remapped deltas).
int update_prob(int v, int m) {
  if (m <= 128) return 1 + inv_recenter_nonneg(v, m - 1);
  return 255 - inv_recenter_nonneg(v, 255 - m);
}

int decode_term_subexp(BoolDecoder& bd) {
  if (!bd.read_bit()) return static_cast<int>(bd.read_literal(4));
  if (!bd.read_bit()) return static_cast<int>(bd.read_literal(4)) + 16;
  if (!bd.read_bit()) return static_cast<int>(bd.read_literal(5)) + 32;
  int v = static_cast<int>(bd.read_literal(7));
  if (v >= 65) v = (v << 1) - 65 + bd.read_bit();
  return v + 64;
}

// Both store a delta (0 = no update) rather than the new probability, in
// the form v4l2_ctrl_vp9_compressed_hdr uses.
void diff_update(BoolDecoder& bd, uint8_t& delta) {
  static const InvMapTable table;
  if (bd.read(252)) delta = table.v[std::min(decode_term_subexp(bd), 254)];
}

void mv_update(BoolDecoder& bd, uint8_t& delta) {
  if (bd.read(252)) delta = static_cast<uint8_t>((bd.read_literal(7) << 1) | 1);
}

}  // namespace

void setup_compound_reference_mode(FrameHeader& h) {
  if (h.reference_mode == kSingleRef) return;
  if (h.ref_sign_bias[kLastFrame] == h.ref_sign_bias[kGoldenFrame]) {
    h.comp_fixed_ref = kAltrefFrame;
    h.comp_var_ref[0] = kLastFrame;
    h.comp_var_ref[1] = kGoldenFrame;
  } else if (h.ref_sign_bias[kLastFrame] == h.ref_sign_bias[kAltrefFrame]) {
    h.comp_fixed_ref = kGoldenFrame;
    h.comp_var_ref[0] = kLastFrame;
    h.comp_var_ref[1] = kAltrefFrame;
  } else {
    h.comp_fixed_ref = kLastFrame;
    h.comp_var_ref[0] = kGoldenFrame;
    h.comp_var_ref[1] = kAltrefFrame;
  }
}

void apply_probability_deltas(const FrameContext& deltas, FrameContext& fc) {
  // All fields are bytes: coefficient/mode probabilities up to mv_joints,
  // MV probabilities (new value as delta) from there.
  const auto* d = reinterpret_cast<const uint8_t*>(&deltas);
  auto* p = reinterpret_cast<uint8_t*>(&fc);
  const size_t mv_start = offsetof(FrameContext, mv_joints);
  for (size_t i = 0; i < sizeof(FrameContext); ++i) {
    if (!d[i]) continue;
    p[i] = i < mv_start ? static_cast<uint8_t>(update_prob(d[i], p[i])) : d[i];
  }
}

void parse_compressed_header(const uint8_t* data, size_t size, FrameHeader& h, FrameContext& fc) {
  static_assert(std::is_trivially_copyable_v<FrameContext> && alignof(FrameContext) == 1);
  fc = FrameContext{};
  BoolDecoder bd;
  bd.init(data, size);
  if (h.lossless) {
    h.tx_mode = kOnly4x4;
  } else {
    h.tx_mode = static_cast<int>(bd.read_literal(2));
    if (h.tx_mode == kAllow32x32) h.tx_mode += bd.read_bit();
  }
  if (h.tx_mode == kTxModeSelect) {
    for (auto& c : fc.tx8)
      for (auto& p : c) diff_update(bd, p);
    for (auto& c : fc.tx16)
      for (auto& p : c) diff_update(bd, p);
    for (auto& c : fc.tx32)
      for (auto& p : c) diff_update(bd, p);
  }
  for (int t = 0; t <= kTxModeToBiggest[h.tx_mode]; ++t) {
    if (!bd.read_bit()) continue;
    for (int i = 0; i < 2; ++i)
      for (int j = 0; j < 2; ++j)
        for (int k = 0; k < 6; ++k)
          for (int l = 0; l < (k == 0 ? 3 : 6); ++l)
            for (int m = 0; m < 3; ++m) diff_update(bd, fc.coef[t][i][j][k][l][m]);
  }
  for (auto& p : fc.skip) diff_update(bd, p);
  if (!h.intra_frame()) {
    for (auto& c : fc.inter_mode)
      for (auto& p : c) diff_update(bd, p);
    if (h.interp_filter == kSwitchableFilter)
      for (auto& c : fc.interp_filter)
        for (auto& p : c) diff_update(bd, p);
    for (auto& p : fc.is_inter) diff_update(bd, p);

    bool compound_allowed = false;
    for (int i = kGoldenFrame; i <= kAltrefFrame; ++i)
      if (h.ref_sign_bias[i] != h.ref_sign_bias[kLastFrame]) compound_allowed = true;
    if (compound_allowed) {
      h.reference_mode = bd.read_bit() ? (bd.read_bit() ? kRefModeSelect : kCompoundRef) : kSingleRef;
    } else {
      h.reference_mode = kSingleRef;
    }
    setup_compound_reference_mode(h);
    if (h.reference_mode == kRefModeSelect)
      for (auto& p : fc.comp_mode) diff_update(bd, p);
    if (h.reference_mode != kCompoundRef)
      for (auto& c : fc.single_ref) {
        diff_update(bd, c[0]);
        diff_update(bd, c[1]);
      }
    if (h.reference_mode != kSingleRef)
      for (auto& p : fc.comp_ref) diff_update(bd, p);
    for (auto& c : fc.y_mode)
      for (auto& p : c) diff_update(bd, p);
    for (auto& c : fc.partition)
      for (auto& p : c) diff_update(bd, p);

    for (auto& p : fc.mv_joints) mv_update(bd, p);
    for (auto& c : fc.mv) {
      mv_update(bd, c.sign);
      for (auto& p : c.classes) mv_update(bd, p);
      for (auto& p : c.class0) mv_update(bd, p);
      for (auto& p : c.bits) mv_update(bd, p);
    }
    for (auto& c : fc.mv) {
      for (auto& f : c.class0_fr)
        for (auto& p : f) mv_update(bd, p);
      for (auto& p : c.fr) mv_update(bd, p);
    }
    if (h.allow_high_precision_mv)
      for (auto& c : fc.mv) {
        mv_update(bd, c.class0_hp);
        mv_update(bd, c.hp);
      }
  }
  if (bd.overrun() > 0) throw Error("vp9: compressed header truncated");
}

std::vector<std::pair<const uint8_t*, size_t>> split_superframe(const uint8_t* data, size_t size) {
  std::vector<std::pair<const uint8_t*, size_t>> frames;
  if (size == 0) throw Error("vp9: empty packet");
  const uint8_t marker = data[size - 1];
  if ((marker & 0xe0) == 0xc0) {
    const int n = (marker & 7) + 1;
    const int mag = ((marker >> 3) & 3) + 1;
    const size_t index_size = 2 + static_cast<size_t>(mag) * n;
    if (size >= index_size && data[size - index_size] == marker) {
      const uint8_t* p = data + size - index_size + 1;
      size_t offset = 0;
      const size_t payload = size - index_size;
      for (int i = 0; i < n; ++i) {
        size_t sz = 0;
        for (int b = 0; b < mag; ++b) sz |= static_cast<size_t>(*p++) << (8 * b);
        if (sz > payload - offset) throw Error("vp9: superframe index points past the packet");
        if (sz > 0) frames.emplace_back(data + offset, sz);
        offset += sz;
      }
      return frames;
    }
  }
  frames.emplace_back(data, size);
  return frames;
}

int dc_q(int qindex, int delta) { return kDcQLookup[std::clamp(qindex + delta, 0, 255)]; }
int ac_q(int qindex, int delta) { return kAcQLookup[std::clamp(qindex + delta, 0, 255)]; }

int segment_qindex(const FrameHeader& h, int segment_id) {
  if (h.seg.active(segment_id, kSegAltQ)) {
    const int data = h.seg.feature_data[segment_id][kSegAltQ];
    return std::clamp(h.seg.abs_delta ? data : h.base_q_idx + data, 0, 255);
  }
  return h.base_q_idx;
}

}  // namespace daedalus::vp9
