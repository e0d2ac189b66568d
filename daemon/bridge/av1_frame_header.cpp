// SPDX-License-Identifier: MIT
// The syntax follows the AV1 specification's uncompressed_header() (5.9)
// for the sequence header build_av1_sequence_header_obu() writes: no
// reduced still picture header, no frame ids, no decoder model, screen
// content tools and integer mv "select".
#include "av1_frame_header.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <type_traits>

#include <fmt/format.h>

#include "av1_headers.h"
#include "bit_writer.h"
#include "daedalus/error.h"

namespace daedalus::bridge {

namespace {

// The value a client wrote into an enum field of a control, read as the
// integer it is: the bytes come from userspace, and loading an enum
// lvalue that holds a value outside the enum's range is undefined.
template <class E>
uint32_t raw(const E& field) {
  static_assert(std::is_enum_v<E> && sizeof(E) == sizeof(uint32_t));
  uint32_t v;
  std::memcpy(&v, &field, sizeof v);
  return v;
}

constexpr int kObuFrameHeader = 3;
constexpr int kObuTileGroup = 4;
constexpr int kPrimaryRefNone = 7;
constexpr uint8_t kAllFrames = 0xff;
constexpr int kWarpPrecBits = 16;  // WARPEDMODEL_PREC_BITS

[[noreturn]] void fail(const std::string& what) { throw Error("av1: " + what); }

void require(bool ok, const char* what) {
  if (!ok) fail(what);
}

// tile_log2(): the smallest k with blk << k >= target.
int tile_log2(int blk, int target) {
  int k = 0;
  while ((blk << k) < target) ++k;
  return k;
}

// ns(n): a value in [0, n) in a non-symmetric code (spec 4.10.7).
void write_ns(BitWriter& w, uint32_t n, uint32_t v) {
  int bits = 0;
  while ((n >> bits) > 1) ++bits;
  const int width = bits + 1;
  const uint32_t m = (1u << width) - n;
  if (v < m) {
    w.bits(v, width - 1);
  } else {
    const uint32_t t = v + m;
    w.bits(t >> 1, width - 1);
    w.bit(t & 1);
  }
}

// su(n): two's complement in n bits.
void write_su(BitWriter& w, int32_t v, int n) { w.bits(static_cast<uint32_t>(v) & ((1u << n) - 1), n); }

// The inverse of decode_subexp() (spec 5.9.26).
void write_subexp(BitWriter& w, int num_syms, int v) {
  int i = 0, mk = 0;
  constexpr int k = 3;
  for (;;) {
    const int b2 = i ? k + i - 1 : k;
    const int a = 1 << b2;
    if (num_syms <= mk + 3 * a) {
      write_ns(w, static_cast<uint32_t>(num_syms - mk), static_cast<uint32_t>(v - mk));
      return;
    }
    if (v >= mk + a) {
      w.bit(true);
      ++i;
      mk += a;
    } else {
      w.bit(false);
      w.bits(static_cast<uint32_t>(v - mk), b2);
      return;
    }
  }
}

// The inverse of inverse_recenter().
int recenter(int r, int x) {
  if (x > 2 * r) return x;
  if (x >= r) return (x - r) * 2;
  return (r - x) * 2 - 1;
}

// The inverse of decode_signed_subexp_with_ref(low, high, r).
void write_signed_subexp_with_ref(BitWriter& w, int low, int high, int r, int x) {
  const int mx = high - low;
  const int rr = r - low;
  const int u = x - low;
  const int v = (rr * 2 <= mx) ? recenter(rr, u) : recenter(mx - 1 - rr, mx - 1 - u);
  write_subexp(w, mx, v);
}

struct Sizes {
  uint32_t frame_width = 0, frame_height = 0, upscaled_width = 0;
};

class HeaderWriter {
 public:
  HeaderWriter(const v4l2_ctrl_av1_sequence& s, const v4l2_ctrl_av1_frame& f, const v4l2_ctrl_av1_film_grain* fg,
               Av1ReferenceState& state)
      : s_(s), f_(f), fg_(fg), state_(state) {}

  std::vector<uint8_t> write();
  int tile_cols_log2() const { return tile_cols_log2_; }
  int tile_rows_log2() const { return tile_rows_log2_; }

 private:
  bool seq(uint32_t flag) const { return (s_.flags & flag) != 0; }
  bool frm(uint32_t flag) const { return (f_.flags & flag) != 0; }

  void frame_size();
  void render_size();
  void tile_info();
  void quantization();
  void segmentation();
  void loop_filter();
  void cdef();
  void loop_restoration();
  void global_motion();
  void global_param(int type, int ref, int idx);
  void film_grain();
  bool coded_lossless() const;

  const v4l2_ctrl_av1_sequence& s_;
  const v4l2_ctrl_av1_frame& f_;
  const v4l2_ctrl_av1_film_grain* fg_;
  Av1ReferenceState& state_;
  BitWriter w_;

  bool intra_ = false;
  bool allow_intrabc_ = false;
  bool high_precision_mv_ = false;
  int primary_ref_frame_ = kPrimaryRefNone;
  Sizes size_;
  int tile_cols_log2_ = 0, tile_rows_log2_ = 0;
  Av1ReferenceState::GmParams gm_ = Av1ReferenceState::default_gm();
};

std::vector<uint8_t> HeaderWriter::write() {
  const int type = static_cast<int>(raw(f_.frame_type));
  require(type >= V4L2_AV1_KEY_FRAME && type <= V4L2_AV1_SWITCH_FRAME, "frame_type out of range");
  intra_ = type == V4L2_AV1_KEY_FRAME || type == V4L2_AV1_INTRA_ONLY_FRAME;
  const bool show = frm(V4L2_AV1_FRAME_FLAG_SHOW_FRAME);
  const bool order_hint = seq(V4L2_AV1_SEQUENCE_FLAG_ENABLE_ORDER_HINT);
  require(!order_hint || (s_.order_hint_bits >= 1 && s_.order_hint_bits <= 8), "order_hint_bits out of range");

  w_.bit(false);  // show_existing_frame: a client shows an existing frame without a request
  w_.bits(type, 2);
  w_.bit(show);
  if (!show) w_.bit(frm(V4L2_AV1_FRAME_FLAG_SHOWABLE_FRAME));
  const bool implied_resilient = type == V4L2_AV1_SWITCH_FRAME || (type == V4L2_AV1_KEY_FRAME && show);
  const bool error_resilient = implied_resilient || frm(V4L2_AV1_FRAME_FLAG_ERROR_RESILIENT_MODE);
  if (!implied_resilient) w_.bit(error_resilient);
  const bool disable_cdf_update = frm(V4L2_AV1_FRAME_FLAG_DISABLE_CDF_UPDATE);
  w_.bit(disable_cdf_update);
  const bool screen_content = frm(V4L2_AV1_FRAME_FLAG_ALLOW_SCREEN_CONTENT_TOOLS);
  w_.bit(screen_content);
  bool force_integer_mv = false;
  if (screen_content) {
    force_integer_mv = frm(V4L2_AV1_FRAME_FLAG_FORCE_INTEGER_MV);
    w_.bit(force_integer_mv);
  }
  if (intra_) force_integer_mv = true;
  const bool size_override = type == V4L2_AV1_SWITCH_FRAME || frm(V4L2_AV1_FRAME_FLAG_FRAME_SIZE_OVERRIDE);
  if (type != V4L2_AV1_SWITCH_FRAME) w_.bit(size_override);
  if (order_hint) {
    require(f_.order_hint < (1u << s_.order_hint_bits), "order_hint wider than order_hint_bits");
    w_.bits(f_.order_hint, s_.order_hint_bits);
  }
  if (!intra_ && !error_resilient) {
    require(f_.primary_ref_frame <= kPrimaryRefNone, "primary_ref_frame out of range");
    primary_ref_frame_ = f_.primary_ref_frame;
    w_.bits(primary_ref_frame_, 3);
  }
  const uint8_t refresh = implied_resilient ? kAllFrames : f_.refresh_frame_flags;
  if (!implied_resilient) w_.bits(refresh, 8);
  if (!intra_) {
    for (int i = 0; i < V4L2_AV1_REFS_PER_FRAME; ++i)
      require(f_.ref_frame_idx[i] >= 0 && f_.ref_frame_idx[i] < Av1ReferenceState::kSlots,
              "ref_frame_idx out of range");
  }
  if ((!intra_ || refresh != kAllFrames) && error_resilient && order_hint) {
    // ref_order_hint[]: the control's for the slots this frame references,
    // the stream's own for the others.
    std::array<uint32_t, Av1ReferenceState::kSlots> hints = state_.saved_order_hint;
    if (!intra_) {
      for (int i = 0; i < V4L2_AV1_REFS_PER_FRAME; ++i) hints[f_.ref_frame_idx[i]] = f_.order_hints[i + 1];
    }
    for (uint32_t h : hints) w_.bits(h, s_.order_hint_bits);
  }

  if (intra_) {
    frame_size();
    render_size();
    if (screen_content && size_.upscaled_width == size_.frame_width) {
      allow_intrabc_ = frm(V4L2_AV1_FRAME_FLAG_ALLOW_INTRABC);
      w_.bit(allow_intrabc_);
    }
  } else {
    if (order_hint) w_.bit(false);  // frame_refs_short_signaling: the indices are written out
    for (int i = 0; i < V4L2_AV1_REFS_PER_FRAME; ++i) w_.bits(static_cast<uint32_t>(f_.ref_frame_idx[i]), 3);
    if (size_override && !error_resilient) {
      for (int i = 0; i < V4L2_AV1_REFS_PER_FRAME; ++i) w_.bit(false);  // found_ref: the size is written out
    }
    frame_size();
    render_size();
    if (!force_integer_mv) {
      high_precision_mv_ = frm(V4L2_AV1_FRAME_FLAG_ALLOW_HIGH_PRECISION_MV);
      w_.bit(high_precision_mv_);
    }
    require(raw(f_.interpolation_filter) <= V4L2_AV1_INTERPOLATION_FILTER_SWITCHABLE, "interpolation_filter out of range");
    const bool switchable = raw(f_.interpolation_filter) == V4L2_AV1_INTERPOLATION_FILTER_SWITCHABLE;
    w_.bit(switchable);
    if (!switchable) w_.bits(raw(f_.interpolation_filter), 2);
    w_.bit(frm(V4L2_AV1_FRAME_FLAG_IS_MOTION_MODE_SWITCHABLE));
    if (!error_resilient && seq(V4L2_AV1_SEQUENCE_FLAG_ENABLE_REF_FRAME_MVS))
      w_.bit(frm(V4L2_AV1_FRAME_FLAG_USE_REF_FRAME_MVS));
  }
  if (!disable_cdf_update) w_.bit(frm(V4L2_AV1_FRAME_FLAG_DISABLE_FRAME_END_UPDATE_CDF));
  tile_info();
  quantization();
  segmentation();
  const bool delta_q = f_.quantization.base_q_idx > 0 &&
                       (f_.quantization.flags & V4L2_AV1_QUANTIZATION_FLAG_DELTA_Q_PRESENT);
  if (f_.quantization.base_q_idx > 0) w_.bit(delta_q);
  if (delta_q) {
    require(f_.quantization.delta_q_res <= 3, "delta_q_res out of range");
    w_.bits(f_.quantization.delta_q_res, 2);
    bool delta_lf = false;
    if (!allow_intrabc_) {
      delta_lf = f_.loop_filter.flags & V4L2_AV1_LOOP_FILTER_FLAG_DELTA_LF_PRESENT;
      w_.bit(delta_lf);
    }
    if (delta_lf) {
      require(f_.loop_filter.delta_lf_res <= 3, "delta_lf_res out of range");
      w_.bits(f_.loop_filter.delta_lf_res, 2);
      w_.bit(f_.loop_filter.flags & V4L2_AV1_LOOP_FILTER_FLAG_DELTA_LF_MULTI);
    }
  }
  const bool lossless = coded_lossless();
  if (!lossless && !allow_intrabc_) loop_filter();
  if (!lossless && !allow_intrabc_ && seq(V4L2_AV1_SEQUENCE_FLAG_ENABLE_CDEF)) cdef();
  const bool all_lossless = lossless && size_.frame_width == size_.upscaled_width;
  if (!all_lossless && !allow_intrabc_ && seq(V4L2_AV1_SEQUENCE_FLAG_ENABLE_RESTORATION)) loop_restoration();
  if (!lossless) {
    require(raw(f_.tx_mode) <= V4L2_AV1_TX_MODE_SELECT, "tx_mode out of range");
    w_.bit(raw(f_.tx_mode) == V4L2_AV1_TX_MODE_SELECT);
  }
  bool reference_select = false;
  if (!intra_) {
    reference_select = frm(V4L2_AV1_FRAME_FLAG_REFERENCE_SELECT);
    w_.bit(reference_select);
  }
  // The decoder derives skipModeAllowed from its references' order hints;
  // the control carries the client's derivation of the same.
  if (!intra_ && reference_select && order_hint && frm(V4L2_AV1_FRAME_FLAG_SKIP_MODE_ALLOWED))
    w_.bit(frm(V4L2_AV1_FRAME_FLAG_SKIP_MODE_PRESENT));
  if (!intra_ && !error_resilient && seq(V4L2_AV1_SEQUENCE_FLAG_ENABLE_WARPED_MOTION))
    w_.bit(frm(V4L2_AV1_FRAME_FLAG_ALLOW_WARPED_MOTION));
  w_.bit(frm(V4L2_AV1_FRAME_FLAG_REDUCED_TX_SET));
  global_motion();
  film_grain();
  w_.trailing_bits();

  for (int slot = 0; slot < Av1ReferenceState::kSlots; ++slot) {
    if (!(refresh & (1u << slot))) continue;
    state_.saved_gm[slot] = gm_;
    state_.saved_order_hint[slot] = f_.order_hint;
  }
  return w_.bytes();
}

void HeaderWriter::frame_size() {
  size_.frame_width = f_.frame_width_minus_1 + 1;
  size_.frame_height = f_.frame_height_minus_1 + 1;
  const bool superres = frm(V4L2_AV1_FRAME_FLAG_USE_SUPERRES);
  require(!superres || seq(V4L2_AV1_SEQUENCE_FLAG_ENABLE_SUPERRES), "superres used but not enabled by the sequence");
  // frame_width_minus_1 is the coded (downscaled) width, as clients fill it.
  size_.upscaled_width = superres ? f_.upscaled_width : size_.frame_width;
  require(size_.upscaled_width >= 1 && size_.upscaled_width <= s_.max_frame_width_minus_1 + 1u &&
              size_.frame_height <= s_.max_frame_height_minus_1 + 1u,
          "frame larger than the sequence's maximum");
  const bool size_override = raw(f_.frame_type) == V4L2_AV1_SWITCH_FRAME || frm(V4L2_AV1_FRAME_FLAG_FRAME_SIZE_OVERRIDE);
  if (size_override) {
    w_.bits(size_.upscaled_width - 1, av1_frame_size_bits(s_.max_frame_width_minus_1));
    w_.bits(size_.frame_height - 1, av1_frame_size_bits(s_.max_frame_height_minus_1));
  } else {
    require(size_.upscaled_width == s_.max_frame_width_minus_1 + 1u &&
                size_.frame_height == s_.max_frame_height_minus_1 + 1u,
            "frame size differs from the sequence's without frame_size_override_flag");
  }
  if (seq(V4L2_AV1_SEQUENCE_FLAG_ENABLE_SUPERRES)) w_.bit(superres);
  if (superres) {
    const uint32_t denom = f_.superres_denom;
    require(denom >= 9 && denom <= 16, "superres_denom out of range");
    w_.bits(denom - 9, 3);
    require(size_.frame_width == (size_.upscaled_width * 8 + denom / 2) / denom,
            "frame width does not match upscaled_width and superres_denom");
  } else {
    require(f_.frame_width_minus_1 <= s_.max_frame_width_minus_1, "frame larger than the sequence's maximum");
  }
}

void HeaderWriter::render_size() {
  const uint32_t rw = f_.render_width_minus_1 + 1u, rh = f_.render_height_minus_1 + 1u;
  const bool different = rw != size_.upscaled_width || rh != size_.frame_height;
  w_.bit(different);
  if (different) {
    w_.bits(rw - 1, 16);
    w_.bits(rh - 1, 16);
  }
}

void HeaderWriter::tile_info() {
  const auto& t = f_.tile_info;
  const bool sb128 = seq(V4L2_AV1_SEQUENCE_FLAG_USE_128X128_SUPERBLOCK);
  const int mi_cols = 2 * static_cast<int>((size_.frame_width + 7) >> 3);
  const int mi_rows = 2 * static_cast<int>((size_.frame_height + 7) >> 3);
  const int sb_shift = sb128 ? 5 : 4;
  const int sb_size = sb_shift + 2;
  const int sb_cols = (mi_cols + (1 << sb_shift) - 1) >> sb_shift;
  const int sb_rows = (mi_rows + (1 << sb_shift) - 1) >> sb_shift;
  const int max_tile_width_sb = 4096 >> sb_size;
  int max_tile_area_sb = (4096 * 2304) >> (2 * sb_size);
  const int min_log2_cols = tile_log2(max_tile_width_sb, sb_cols);
  const int max_log2_cols = tile_log2(1, std::min(sb_cols, V4L2_AV1_MAX_TILE_COLS));
  const int max_log2_rows = tile_log2(1, std::min(sb_rows, V4L2_AV1_MAX_TILE_ROWS));
  const int min_log2_tiles = std::max(min_log2_cols, tile_log2(max_tile_area_sb, sb_rows * sb_cols));
  require(t.tile_cols >= 1 && t.tile_cols <= V4L2_AV1_MAX_TILE_COLS && t.tile_rows >= 1 &&
              t.tile_rows <= V4L2_AV1_MAX_TILE_ROWS,
          "tile_cols/tile_rows out of range");
  const bool uniform = t.flags & V4L2_AV1_TILE_INFO_FLAG_UNIFORM_TILE_SPACING;
  w_.bit(uniform);
  if (uniform) {
    // The control gives the tile counts; the syntax codes their log2 as
    // increments from the minimum, so find the log2 that gives the count.
    auto log2_for = [](int sbs, int lo, int hi, int count) {
      for (int l = lo; l <= hi; ++l) {
        const int size = (sbs + (1 << l) - 1) >> l;
        if ((sbs + size - 1) / size == count) return l;
      }
      return -1;
    };
    auto write_increments = [&](int lo, int hi, int value) {
      for (int l = lo; l < value; ++l) w_.bit(true);
      if (value < hi) w_.bit(false);
    };
    tile_cols_log2_ = log2_for(sb_cols, min_log2_cols, max_log2_cols, t.tile_cols);
    require(tile_cols_log2_ >= 0, "tile_cols impossible with uniform tile spacing at this frame width");
    write_increments(min_log2_cols, max_log2_cols, tile_cols_log2_);
    const int min_log2_rows = std::max(min_log2_tiles - tile_cols_log2_, 0);
    tile_rows_log2_ = log2_for(sb_rows, min_log2_rows, max_log2_rows, t.tile_rows);
    require(tile_rows_log2_ >= 0, "tile_rows impossible with uniform tile spacing at this frame height");
    write_increments(min_log2_rows, max_log2_rows, tile_rows_log2_);
  } else {
    int widest = 0, start = 0;
    for (int i = 0; i < t.tile_cols; ++i) {
      require(start < sb_cols, "tile widths exceed the frame");
      const int max_width = std::min(sb_cols - start, max_tile_width_sb);
      const uint32_t size = t.width_in_sbs_minus_1[i] + 1;
      require(size <= static_cast<uint32_t>(max_width), "tile width out of range");
      write_ns(w_, static_cast<uint32_t>(max_width), size - 1);
      widest = std::max(widest, static_cast<int>(size));
      start += static_cast<int>(size);
    }
    require(start == sb_cols, "tile widths do not add up to the frame width");
    tile_cols_log2_ = tile_log2(1, t.tile_cols);
    max_tile_area_sb = min_log2_tiles > 0 ? (sb_rows * sb_cols) >> (min_log2_tiles + 1) : sb_rows * sb_cols;
    const int max_height_sb = std::max(max_tile_area_sb / widest, 1);
    start = 0;
    for (int i = 0; i < t.tile_rows; ++i) {
      require(start < sb_rows, "tile heights exceed the frame");
      const int max_height = std::min(sb_rows - start, max_height_sb);
      const uint32_t size = t.height_in_sbs_minus_1[i] + 1;
      require(size <= static_cast<uint32_t>(max_height), "tile height out of range");
      write_ns(w_, static_cast<uint32_t>(max_height), size - 1);
      start += static_cast<int>(size);
    }
    require(start == sb_rows, "tile heights do not add up to the frame height");
    tile_rows_log2_ = tile_log2(1, t.tile_rows);
  }
  if (tile_cols_log2_ > 0 || tile_rows_log2_ > 0) {
    require(t.context_update_tile_id < t.tile_cols * t.tile_rows, "context_update_tile_id out of range");
    w_.bits(t.context_update_tile_id, tile_cols_log2_ + tile_rows_log2_);
    require(t.tile_size_bytes >= 1 && t.tile_size_bytes <= 4, "tile_size_bytes out of range");
    w_.bits(t.tile_size_bytes - 1u, 2);
  }
}

void HeaderWriter::quantization() {
  const auto& q = f_.quantization;
  auto delta = [&](int8_t v) {
    require(v >= -64 && v <= 63, "quantizer delta out of range");
    w_.bit(v != 0);
    if (v != 0) write_su(w_, v, 7);
  };
  w_.bits(q.base_q_idx, 8);
  delta(q.delta_q_y_dc);
  const bool separate = seq(V4L2_AV1_SEQUENCE_FLAG_SEPARATE_UV_DELTA_Q);
  const bool diff_uv = separate && (q.flags & V4L2_AV1_QUANTIZATION_FLAG_DIFF_UV_DELTA);
  if (separate) w_.bit(diff_uv);
  delta(q.delta_q_u_dc);
  delta(q.delta_q_u_ac);
  if (diff_uv) {
    delta(q.delta_q_v_dc);
    delta(q.delta_q_v_ac);
  }
  const bool qm = q.flags & V4L2_AV1_QUANTIZATION_FLAG_USING_QMATRIX;
  w_.bit(qm);
  if (qm) {
    require(q.qm_y <= 15 && q.qm_u <= 15 && q.qm_v <= 15, "qm level out of range");
    w_.bits(q.qm_y, 4);
    w_.bits(q.qm_u, 4);
    if (separate) w_.bits(q.qm_v, 4);
  }
}

void HeaderWriter::segmentation() {
  const auto& sg = f_.segmentation;
  const bool enabled = sg.flags & V4L2_AV1_SEGMENTATION_FLAG_ENABLED;
  w_.bit(enabled);
  if (!enabled) return;
  bool update_data = true;
  if (primary_ref_frame_ != kPrimaryRefNone) {
    const bool update_map = sg.flags & V4L2_AV1_SEGMENTATION_FLAG_UPDATE_MAP;
    w_.bit(update_map);
    if (update_map) w_.bit(sg.flags & V4L2_AV1_SEGMENTATION_FLAG_TEMPORAL_UPDATE);
    update_data = sg.flags & V4L2_AV1_SEGMENTATION_FLAG_UPDATE_DATA;
    w_.bit(update_data);
  }
  if (!update_data) return;  // the decoder keeps the primary reference's
  static constexpr int kBits[V4L2_AV1_SEG_LVL_MAX] = {8, 6, 6, 6, 6, 3, 0, 0};
  static constexpr int kMax[V4L2_AV1_SEG_LVL_MAX] = {255, 63, 63, 63, 63, 7, 0, 0};
  for (int i = 0; i < V4L2_AV1_MAX_SEGMENTS; ++i) {
    for (int j = 0; j < V4L2_AV1_SEG_LVL_MAX; ++j) {
      const bool on = sg.feature_enabled[i] & (1u << j);
      w_.bit(on);
      if (!on) continue;
      const int v = sg.feature_data[i][j];
      if (j < V4L2_AV1_SEG_LVL_REF_FRAME) {
        write_su(w_, std::clamp(v, -kMax[j], kMax[j]), 1 + kBits[j]);
      } else if (kBits[j] > 0) {
        w_.bits(static_cast<uint32_t>(std::clamp(v, 0, kMax[j])), kBits[j]);
      }
    }
  }
}

bool HeaderWriter::coded_lossless() const {
  const auto& q = f_.quantization;
  const bool diff_uv = seq(V4L2_AV1_SEQUENCE_FLAG_SEPARATE_UV_DELTA_Q) &&
                       (q.flags & V4L2_AV1_QUANTIZATION_FLAG_DIFF_UV_DELTA);
  const bool no_deltas = q.delta_q_y_dc == 0 && q.delta_q_u_dc == 0 && q.delta_q_u_ac == 0 &&
                         (!diff_uv || (q.delta_q_v_dc == 0 && q.delta_q_v_ac == 0));
  if (!no_deltas) return false;
  const auto& sg = f_.segmentation;
  const bool seg = sg.flags & V4L2_AV1_SEGMENTATION_FLAG_ENABLED;
  for (int i = 0; i < V4L2_AV1_MAX_SEGMENTS; ++i) {
    int qindex = q.base_q_idx;
    if (seg && (sg.feature_enabled[i] & (1u << V4L2_AV1_SEG_LVL_ALT_Q)))
      qindex = std::clamp(qindex + sg.feature_data[i][V4L2_AV1_SEG_LVL_ALT_Q], 0, 255);
    if (qindex != 0) return false;
  }
  return true;
}

void HeaderWriter::loop_filter() {
  const auto& lf = f_.loop_filter;
  for (int i = 0; i < 4; ++i) require(lf.level[i] <= 63, "loop filter level out of range");
  w_.bits(lf.level[0], 6);
  w_.bits(lf.level[1], 6);
  if (lf.level[0] || lf.level[1]) {
    w_.bits(lf.level[2], 6);
    w_.bits(lf.level[3], 6);
  }
  require(lf.sharpness <= 7, "loop filter sharpness out of range");
  w_.bits(lf.sharpness, 3);
  const bool delta_enabled = lf.flags & V4L2_AV1_LOOP_FILTER_FLAG_DELTA_ENABLED;
  w_.bit(delta_enabled);
  if (!delta_enabled) return;
  const bool update = lf.flags & V4L2_AV1_LOOP_FILTER_FLAG_DELTA_UPDATE;
  w_.bit(update);
  if (!update) return;  // the decoder keeps the primary reference's
  for (int8_t d : lf.ref_deltas) {
    require(d >= -64 && d <= 63, "loop filter ref delta out of range");
    w_.bit(true);  // update_ref_delta: every value written
    write_su(w_, d, 7);
  }
  for (int8_t d : lf.mode_deltas) {
    require(d >= -64 && d <= 63, "loop filter mode delta out of range");
    w_.bit(true);
    write_su(w_, d, 7);
  }
}

void HeaderWriter::cdef() {
  const auto& c = f_.cdef;
  require(c.damping_minus_3 <= 3 && c.bits <= 3, "cdef damping/bits out of range");
  w_.bits(c.damping_minus_3, 2);
  w_.bits(c.bits, 2);
  // A secondary strength of 4 is coded as 3 (clients give the value used).
  auto sec = [](uint8_t v) { return v == 4 ? 3u : v; };
  for (int i = 0; i < (1 << c.bits); ++i) {
    require(c.y_pri_strength[i] <= 15 && c.uv_pri_strength[i] <= 15 && c.y_sec_strength[i] <= 4 &&
                c.uv_sec_strength[i] <= 4,
            "cdef strength out of range");
    w_.bits(c.y_pri_strength[i], 4);
    w_.bits(sec(c.y_sec_strength[i]), 2);
    w_.bits(c.uv_pri_strength[i], 4);
    w_.bits(sec(c.uv_sec_strength[i]), 2);
  }
}

void HeaderWriter::loop_restoration() {
  const auto& lr = f_.loop_restoration;
  // lr_type codes the restoration types in another order (Remap_Lr_Type).
  static constexpr uint32_t kCoded[] = {0, 2, 3, 1};  // NONE, WIENER, SGRPROJ, SWITCHABLE
  bool uses_lr = false, uses_chroma_lr = false;
  for (int plane = 0; plane < V4L2_AV1_NUM_PLANES_MAX; ++plane) {
    const int type = static_cast<int>(raw(lr.frame_restoration_type[plane]));
    require(type >= V4L2_AV1_FRAME_RESTORE_NONE && type <= V4L2_AV1_FRAME_RESTORE_SWITCHABLE,
            "frame_restoration_type out of range");
    w_.bits(kCoded[type], 2);
    if (type != V4L2_AV1_FRAME_RESTORE_NONE) {
      uses_lr = true;
      if (plane > 0) uses_chroma_lr = true;
    }
  }
  if (!uses_lr) return;
  // lr_unit_shift as the decoder uses it (after the 128x128 increment and
  // the extra shift).
  if (seq(V4L2_AV1_SEQUENCE_FLAG_USE_128X128_SUPERBLOCK)) {
    require(lr.lr_unit_shift >= 1 && lr.lr_unit_shift <= 2, "lr_unit_shift out of range");
    w_.bits(lr.lr_unit_shift - 1u, 1);
  } else {
    require(lr.lr_unit_shift <= 2, "lr_unit_shift out of range");
    w_.bit(lr.lr_unit_shift > 0);
    if (lr.lr_unit_shift > 0) w_.bit(lr.lr_unit_shift > 1);
  }
  if (seq(V4L2_AV1_SEQUENCE_FLAG_SUBSAMPLING_X) && seq(V4L2_AV1_SEQUENCE_FLAG_SUBSAMPLING_Y) && uses_chroma_lr) {
    require(lr.lr_uv_shift <= 1, "lr_uv_shift out of range");
    w_.bits(lr.lr_uv_shift, 1);
  }
}

void HeaderWriter::global_param(int type, int ref, int idx) {
  int abs_bits = 12, prec_bits = 15;  // GM_ABS_ALPHA_BITS, GM_ALPHA_PREC_BITS
  if (idx < 2) {
    if (type == V4L2_AV1_WARP_MODEL_TRANSLATION) {
      abs_bits = 9 - !high_precision_mv_;
      prec_bits = 3 - !high_precision_mv_;
    } else {
      abs_bits = 12;
      prec_bits = 6;
    }
  }
  const int prec_diff = kWarpPrecBits - prec_bits;
  const int32_t round = (idx % 3) == 2 ? (1 << kWarpPrecBits) : 0;
  const int sub = (idx % 3) == 2 ? (1 << prec_bits) : 0;
  const int mx = 1 << abs_bits;
  const auto& prev = primary_ref_frame_ == kPrimaryRefNone
                         ? Av1ReferenceState::default_gm()
                         : state_.saved_gm[f_.ref_frame_idx[primary_ref_frame_]];
  const int r = (prev[ref][idx] >> prec_diff) - sub;
  const int32_t value = f_.global_motion.params[ref][idx];
  const int64_t coded = (int64_t{value} - round) >> prec_diff;
  require((coded << prec_diff) + round == value && coded >= -mx && coded <= mx,
          "global motion parameter not representable");
  write_signed_subexp_with_ref(w_, -mx, mx + 1, r, static_cast<int>(coded));
  gm_[ref][idx] = value;
}

void HeaderWriter::global_motion() {
  if (intra_) return;
  for (int ref = V4L2_AV1_REF_LAST_FRAME; ref <= V4L2_AV1_REF_ALTREF_FRAME; ++ref) {
    const int type = static_cast<int>(raw(f_.global_motion.type[ref]));
    require(type >= V4L2_AV1_WARP_MODEL_IDENTITY && type <= V4L2_AV1_WARP_MODEL_AFFINE,
            "global motion type out of range");
    w_.bit(type != V4L2_AV1_WARP_MODEL_IDENTITY);  // is_global
    if (type != V4L2_AV1_WARP_MODEL_IDENTITY) {
      w_.bit(type == V4L2_AV1_WARP_MODEL_ROTZOOM);  // is_rot_zoom
      if (type != V4L2_AV1_WARP_MODEL_ROTZOOM) w_.bit(type == V4L2_AV1_WARP_MODEL_TRANSLATION);
    }
    if (type >= V4L2_AV1_WARP_MODEL_ROTZOOM) {
      global_param(type, ref, 2);
      global_param(type, ref, 3);
      if (type == V4L2_AV1_WARP_MODEL_AFFINE) {
        global_param(type, ref, 4);
        global_param(type, ref, 5);
      } else {
        gm_[ref][4] = -gm_[ref][3];
        gm_[ref][5] = gm_[ref][2];
      }
    }
    if (type >= V4L2_AV1_WARP_MODEL_TRANSLATION) {
      global_param(type, ref, 0);
      global_param(type, ref, 1);
    }
  }
}

void HeaderWriter::film_grain() {
  if (!seq(V4L2_AV1_SEQUENCE_FLAG_FILM_GRAIN_PARAMS_PRESENT)) return;
  const bool show = frm(V4L2_AV1_FRAME_FLAG_SHOW_FRAME);
  const bool showable = show ? raw(f_.frame_type) != V4L2_AV1_KEY_FRAME : frm(V4L2_AV1_FRAME_FLAG_SHOWABLE_FRAME);
  if (!show && !showable) return;
  require(fg_ != nullptr, "film grain present in the sequence but no film grain control");
  const auto& g = *fg_;
  const bool apply = g.flags & V4L2_AV1_FILM_GRAIN_FLAG_APPLY_GRAIN;
  w_.bit(apply);
  if (!apply) return;
  w_.bits(g.grain_seed, 16);
  bool update = true;
  if (raw(f_.frame_type) == V4L2_AV1_INTER_FRAME) {
    update = g.flags & V4L2_AV1_FILM_GRAIN_FLAG_UPDATE_GRAIN;
    w_.bit(update);
  }
  if (!update) {
    require(g.film_grain_params_ref_idx < Av1ReferenceState::kSlots, "film_grain_params_ref_idx out of range");
    w_.bits(g.film_grain_params_ref_idx, 3);
    return;
  }
  require(g.num_y_points <= V4L2_AV1_MAX_NUM_Y_POINTS, "num_y_points out of range");
  w_.bits(g.num_y_points, 4);
  for (int i = 0; i < g.num_y_points; ++i) {
    w_.bits(g.point_y_value[i], 8);
    w_.bits(g.point_y_scaling[i], 8);
  }
  const bool from_luma = g.flags & V4L2_AV1_FILM_GRAIN_FLAG_CHROMA_SCALING_FROM_LUMA;
  w_.bit(from_luma);  // monochrome streams are refused before this
  int num_cb = 0, num_cr = 0;
  const bool s420 = seq(V4L2_AV1_SEQUENCE_FLAG_SUBSAMPLING_X) && seq(V4L2_AV1_SEQUENCE_FLAG_SUBSAMPLING_Y);
  if (!from_luma && !(s420 && g.num_y_points == 0)) {
    require(g.num_cb_points <= V4L2_AV1_MAX_NUM_CB_POINTS && g.num_cr_points <= V4L2_AV1_MAX_NUM_CR_POINTS,
            "num_cb_points/num_cr_points out of range");
    num_cb = g.num_cb_points;
    num_cr = g.num_cr_points;
    w_.bits(num_cb, 4);
    for (int i = 0; i < num_cb; ++i) {
      w_.bits(g.point_cb_value[i], 8);
      w_.bits(g.point_cb_scaling[i], 8);
    }
    w_.bits(num_cr, 4);
    for (int i = 0; i < num_cr; ++i) {
      w_.bits(g.point_cr_value[i], 8);
      w_.bits(g.point_cr_scaling[i], 8);
    }
  }
  require(g.grain_scaling_minus_8 <= 3 && g.ar_coeff_lag <= 3 && g.ar_coeff_shift_minus_6 <= 3 &&
              g.grain_scale_shift <= 3,
          "film grain scaling/lag/shift out of range");
  w_.bits(g.grain_scaling_minus_8, 2);
  w_.bits(g.ar_coeff_lag, 2);
  const int pos_luma = 2 * g.ar_coeff_lag * (g.ar_coeff_lag + 1);
  const int pos_chroma = g.num_y_points ? pos_luma + 1 : pos_luma;
  if (g.num_y_points)
    for (int i = 0; i < pos_luma; ++i) w_.bits(g.ar_coeffs_y_plus_128[i], 8);
  if (from_luma || num_cb)
    for (int i = 0; i < pos_chroma; ++i) w_.bits(g.ar_coeffs_cb_plus_128[i], 8);
  if (from_luma || num_cr)
    for (int i = 0; i < pos_chroma; ++i) w_.bits(g.ar_coeffs_cr_plus_128[i], 8);
  w_.bits(g.ar_coeff_shift_minus_6, 2);
  w_.bits(g.grain_scale_shift, 2);
  if (num_cb) {
    w_.bits(g.cb_mult, 8);
    w_.bits(g.cb_luma_mult, 8);
    w_.bits(g.cb_offset, 9);
  }
  if (num_cr) {
    w_.bits(g.cr_mult, 8);
    w_.bits(g.cr_luma_mult, 8);
    w_.bits(g.cr_offset, 9);
  }
  w_.bit(g.flags & V4L2_AV1_FILM_GRAIN_FLAG_OVERLAP);
  w_.bit(g.flags & V4L2_AV1_FILM_GRAIN_FLAG_CLIP_TO_RESTRICTED_RANGE);
}

// One tile group with every tile, in tile order, each but the last
// prefixed with its size (tile_size_minus_1, TileSizeBytes little-endian).
std::vector<uint8_t> tile_group(const v4l2_ctrl_av1_frame& f, std::span<const v4l2_ctrl_av1_tile_group_entry> tiles,
                                std::span<const uint8_t> data) {
  const uint32_t cols = f.tile_info.tile_cols, rows = f.tile_info.tile_rows;
  const uint32_t num_tiles = cols * rows;
  if (tiles.size() != num_tiles)
    fail(fmt::format("{} tile group entries for {}x{} tiles", tiles.size(), cols, rows));
  std::vector<const v4l2_ctrl_av1_tile_group_entry*> order(num_tiles, nullptr);
  for (const auto& e : tiles) {
    if (e.tile_row >= rows || e.tile_col >= cols) fail(fmt::format("tile ({}, {}) outside {}x{} tiles", e.tile_row, e.tile_col, rows, cols));
    auto& slot = order[e.tile_row * cols + e.tile_col];
    if (slot) fail(fmt::format("tile ({}, {}) given twice", e.tile_row, e.tile_col));
    if (e.tile_size == 0 || e.tile_offset > data.size() || e.tile_size > data.size() - e.tile_offset)
      fail(fmt::format("tile [{}, +{}) outside the {} byte OUTPUT data", e.tile_offset, e.tile_size, data.size()));
    slot = &e;
  }
  BitWriter w;
  if (num_tiles > 1) {
    w.bit(false);  // tile_start_and_end_present_flag: all tiles in this group
    while (!w.byte_aligned()) w.bit(false);
  }
  std::vector<uint8_t> out = w.bytes();
  const uint32_t size_bytes = f.tile_info.tile_size_bytes;
  for (uint32_t i = 0; i < num_tiles; ++i) {
    const auto& e = *order[i];
    if (i + 1 < num_tiles) {
      const uint64_t minus_1 = e.tile_size - 1u;
      if (size_bytes < 4 && minus_1 >= (uint64_t{1} << (8 * size_bytes)))
        fail(fmt::format("tile of {} bytes does not fit tile_size_bytes {}", e.tile_size, size_bytes));
      for (uint32_t b = 0; b < size_bytes; ++b) out.push_back(static_cast<uint8_t>(minus_1 >> (8 * b)));
    }
    out.insert(out.end(), data.begin() + e.tile_offset, data.begin() + e.tile_offset + e.tile_size);
  }
  return out;
}

}  // namespace

Av1ReferenceState::GmParams Av1ReferenceState::default_gm() {
  GmParams p{};
  for (auto& ref : p) ref = {0, 0, 1 << kWarpPrecBits, 0, 0, 1 << kWarpPrecBits};
  return p;
}

std::vector<uint8_t> build_av1_frame_obus(const v4l2_ctrl_av1_sequence& seq, const v4l2_ctrl_av1_frame& frame,
                                          const v4l2_ctrl_av1_film_grain* film_grain,
                                          std::span<const v4l2_ctrl_av1_tile_group_entry> tiles,
                                          std::span<const uint8_t> data, Av1ReferenceState& state) {
  // Checked before the header is written: the header updates `state`.
  const std::vector<uint8_t> tg = tile_group(frame, tiles, data);
  Av1ReferenceState next = state;
  HeaderWriter header(seq, frame, film_grain, next);
  const std::vector<uint8_t> hdr = header.write();
  state = next;
  std::vector<uint8_t> out;
  append_av1_obu(out, kObuFrameHeader, hdr);
  append_av1_obu(out, kObuTileGroup, tg);
  return out;
}

std::vector<uint8_t> build_av1_show_hidden_obu(const v4l2_ctrl_av1_frame& frame) {
  const bool shown = frame.flags & V4L2_AV1_FRAME_FLAG_SHOW_FRAME;
  const bool showable = frame.flags & V4L2_AV1_FRAME_FLAG_SHOWABLE_FRAME;
  if (shown || !showable || raw(frame.frame_type) == V4L2_AV1_KEY_FRAME || frame.refresh_frame_flags == 0) return {};
  int slot = 0;
  while (!(frame.refresh_frame_flags & (1u << slot))) ++slot;
  BitWriter w;
  w.bit(true);      // show_existing_frame
  w.bits(slot, 3);  // frame_to_show_map_idx
  w.trailing_bits();
  std::vector<uint8_t> out;
  append_av1_obu(out, kObuFrameHeader, w.bytes());
  return out;
}

}  // namespace daedalus::bridge
