// SPDX-License-Identifier: MIT
#include "av1_controls.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>

#include "daedalus/error.h"
#include "demuxer.h"
#include "test_util.h"

namespace daedalus::bridge::test {

std::vector<Obu> split_obus(const std::vector<uint8_t>& d) {
  std::vector<Obu> out;
  size_t pos = 0;
  while (pos < d.size()) {
    Obu o{(d[pos] >> 3) & 0xf, pos, 0, 0};
    size_t p = pos + 1 + ((d[pos] & 4) ? 1 : 0);
    if (!(d[pos] & 2)) throw std::runtime_error("OBU without size field");
    uint64_t size = 0;
    for (int shift = 0;; shift += 7) {
      const uint8_t b = d.at(p++);
      size |= uint64_t{b & 0x7fu} << shift;
      if (!(b & 0x80)) break;
    }
    o.header_size = p - pos;
    o.payload_size = size;
    out.push_back(o);
    pos = p + size;
  }
  return out;
}


namespace {

// For every OBU_FRAME in decode order: the bit where its tile group starts,
// counted from the OBU's first byte, as libavcodec's trace_headers prints
// it (the end of the frame header's last element).
std::vector<size_t> tile_group_bit_positions(const std::string& clip) {
  const std::string out = clip + ".trace";
  const std::string cmd = fmt::format(
      "ffmpeg -nostdin -v info -i '{}' -c copy -bsf:v trace_headers -f null - 2>'{}'", clip, out);
  if (std::system(cmd.c_str()) != 0) throw std::runtime_error("trace_headers failed");
  std::ifstream in(out);
  std::vector<size_t> positions;
  std::string line;
  int obu_type = -1;
  size_t last_end = 0;
  bool in_frame_obu_header = false;
  while (std::getline(in, line)) {
    const auto tag = line.find("] ");
    const std::string body = tag == std::string::npos ? line : line.substr(tag + 2);
    if (body.rfind("Tile Group", 0) == 0) {
      if (in_frame_obu_header) positions.push_back(last_end);
      in_frame_obu_header = false;
      continue;
    }
    std::istringstream fields(body);
    size_t pos = 0;
    std::string name, bits, eq;
    if (!(fields >> pos >> name >> bits >> eq) || eq != "=") continue;
    if (name == "obu_type") {
      obu_type = std::stoi(bits, nullptr, 2);
      in_frame_obu_header = obu_type == 6;
    }
    last_end = pos + bits.size();
  }
  return positions;
}

std::string picture_md5(const Dav1dPicture& p) {
  PlanarPicture pp;
  pp.width = p.p.w;
  pp.height = p.p.h;
  for (int i = 0; i < 3; ++i) pp.data[i] = static_cast<const uint8_t*>(p.data[i]);
  pp.stride = {p.stride[0], p.stride[1], p.stride[1]};
  return cropped_md5(pp, p.p.w, p.p.h);
}

}  // namespace

Dav1d::Dav1d() {
  Dav1dSettings s;
  dav1d_default_settings(&s);
  s.n_threads = 1;
  s.max_frame_delay = 1;
  s.output_invisible_frames = 1;
  if (dav1d_open(&ctx_, &s) < 0) throw std::runtime_error("dav1d_open failed");
}

Dav1d::~Dav1d() { dav1d_close(&ctx_); }

void Dav1d::decode(const std::vector<uint8_t>& bytes, Dav1dSequenceHeader* seq) {
  Dav1dData d;
  std::memcpy(dav1d_data_create(&d, bytes.size()), bytes.data(), bytes.size());
  while (d.sz > 0) {
    const int r = dav1d_send_data(ctx_, &d);
    if (r < 0 && r != DAV1D_ERR(EAGAIN)) {
      dav1d_data_unref(&d);
      throw Error(fmt::format("dav1d_send_data: {}", r));
    }
    drain(seq);
  }
  drain(seq);
}

void Dav1d::drain(Dav1dSequenceHeader* seq) {
  for (;;) {
    Dav1dPicture p{};
    const int r = dav1d_get_picture(ctx_, &p);
    if (r == DAV1D_ERR(EAGAIN)) return;
    if (r < 0) throw Error(fmt::format("dav1d_get_picture: {}", r));
    frames.push_back({*p.frame_hdr, picture_md5(p)});
    if (seq) *seq = *p.seq_hdr;
    dav1d_picture_unref(&p);
  }
}

namespace {

v4l2_ctrl_av1_sequence sequence_control(const Dav1dSequenceHeader& h) {
  v4l2_ctrl_av1_sequence s{};
  auto set = [&](bool on, uint32_t flag) {
    if (on) s.flags |= flag;
  };
  set(h.still_picture, V4L2_AV1_SEQUENCE_FLAG_STILL_PICTURE);
  set(h.sb128, V4L2_AV1_SEQUENCE_FLAG_USE_128X128_SUPERBLOCK);
  set(h.filter_intra, V4L2_AV1_SEQUENCE_FLAG_ENABLE_FILTER_INTRA);
  set(h.intra_edge_filter, V4L2_AV1_SEQUENCE_FLAG_ENABLE_INTRA_EDGE_FILTER);
  set(h.inter_intra, V4L2_AV1_SEQUENCE_FLAG_ENABLE_INTERINTRA_COMPOUND);
  set(h.masked_compound, V4L2_AV1_SEQUENCE_FLAG_ENABLE_MASKED_COMPOUND);
  set(h.warped_motion, V4L2_AV1_SEQUENCE_FLAG_ENABLE_WARPED_MOTION);
  set(h.dual_filter, V4L2_AV1_SEQUENCE_FLAG_ENABLE_DUAL_FILTER);
  set(h.order_hint, V4L2_AV1_SEQUENCE_FLAG_ENABLE_ORDER_HINT);
  set(h.jnt_comp, V4L2_AV1_SEQUENCE_FLAG_ENABLE_JNT_COMP);
  set(h.ref_frame_mvs, V4L2_AV1_SEQUENCE_FLAG_ENABLE_REF_FRAME_MVS);
  set(h.super_res, V4L2_AV1_SEQUENCE_FLAG_ENABLE_SUPERRES);
  set(h.cdef, V4L2_AV1_SEQUENCE_FLAG_ENABLE_CDEF);
  set(h.restoration, V4L2_AV1_SEQUENCE_FLAG_ENABLE_RESTORATION);
  set(h.monochrome, V4L2_AV1_SEQUENCE_FLAG_MONO_CHROME);
  set(h.color_range, V4L2_AV1_SEQUENCE_FLAG_COLOR_RANGE);
  set(h.ss_hor, V4L2_AV1_SEQUENCE_FLAG_SUBSAMPLING_X);
  set(h.ss_ver, V4L2_AV1_SEQUENCE_FLAG_SUBSAMPLING_Y);
  set(h.film_grain_present, V4L2_AV1_SEQUENCE_FLAG_FILM_GRAIN_PARAMS_PRESENT);
  set(h.separate_uv_delta_q, V4L2_AV1_SEQUENCE_FLAG_SEPARATE_UV_DELTA_Q);
  s.seq_profile = static_cast<uint8_t>(h.profile);
  s.order_hint_bits = static_cast<uint8_t>(h.order_hint ? h.order_hint_n_bits : 0);
  s.bit_depth = 8;
  s.max_frame_width_minus_1 = static_cast<uint16_t>(h.max_width - 1);
  s.max_frame_height_minus_1 = static_cast<uint16_t>(h.max_height - 1);
  return s;
}

// v4l2_ctrl_av1_frame as GStreamer fills it: values as the decoder uses
// them (downscaled frame width, final lr_unit_shift, a secondary CDEF
// strength of 4 rather than its code 3, loaded loop filter deltas).
v4l2_ctrl_av1_frame frame_control(const Dav1dSequenceHeader& seq, const Dav1dFrameHeader& h) {
  v4l2_ctrl_av1_frame f{};
  auto set = [&](bool on, uint32_t flag) {
    if (on) f.flags |= flag;
  };
  set(h.show_frame, V4L2_AV1_FRAME_FLAG_SHOW_FRAME);
  set(h.showable_frame, V4L2_AV1_FRAME_FLAG_SHOWABLE_FRAME);
  set(h.error_resilient_mode, V4L2_AV1_FRAME_FLAG_ERROR_RESILIENT_MODE);
  set(h.disable_cdf_update, V4L2_AV1_FRAME_FLAG_DISABLE_CDF_UPDATE);
  set(h.allow_screen_content_tools, V4L2_AV1_FRAME_FLAG_ALLOW_SCREEN_CONTENT_TOOLS);
  set(h.force_integer_mv, V4L2_AV1_FRAME_FLAG_FORCE_INTEGER_MV);
  set(h.allow_intrabc, V4L2_AV1_FRAME_FLAG_ALLOW_INTRABC);
  set(h.super_res.enabled, V4L2_AV1_FRAME_FLAG_USE_SUPERRES);
  set(h.hp, V4L2_AV1_FRAME_FLAG_ALLOW_HIGH_PRECISION_MV);
  set(h.switchable_motion_mode, V4L2_AV1_FRAME_FLAG_IS_MOTION_MODE_SWITCHABLE);
  set(h.use_ref_frame_mvs, V4L2_AV1_FRAME_FLAG_USE_REF_FRAME_MVS);
  set(!h.refresh_context, V4L2_AV1_FRAME_FLAG_DISABLE_FRAME_END_UPDATE_CDF);
  set(h.warp_motion, V4L2_AV1_FRAME_FLAG_ALLOW_WARPED_MOTION);
  set(h.switchable_comp_refs, V4L2_AV1_FRAME_FLAG_REFERENCE_SELECT);
  set(h.reduced_txtp_set, V4L2_AV1_FRAME_FLAG_REDUCED_TX_SET);
  set(h.skip_mode_allowed, V4L2_AV1_FRAME_FLAG_SKIP_MODE_ALLOWED);
  set(h.skip_mode_enabled, V4L2_AV1_FRAME_FLAG_SKIP_MODE_PRESENT);
  set(h.frame_size_override, V4L2_AV1_FRAME_FLAG_FRAME_SIZE_OVERRIDE);
  set(h.frame_ref_short_signaling, V4L2_AV1_FRAME_FLAG_FRAME_REFS_SHORT_SIGNALING);
  f.frame_type = static_cast<v4l2_av1_frame_type>(h.frame_type);
  f.order_hint = static_cast<uint32_t>(h.frame_offset);
  f.superres_denom = static_cast<uint8_t>(h.super_res.width_scale_denominator);
  f.upscaled_width = static_cast<uint32_t>(h.width[1]);
  f.frame_width_minus_1 = static_cast<uint32_t>(h.width[0] - 1);
  f.frame_height_minus_1 = static_cast<uint32_t>(h.height - 1);
  f.render_width_minus_1 = static_cast<uint16_t>(h.render_width - 1);
  f.render_height_minus_1 = static_cast<uint16_t>(h.render_height - 1);
  f.primary_ref_frame = static_cast<uint8_t>(h.primary_ref_frame);
  f.refresh_frame_flags = static_cast<uint8_t>(h.refresh_frame_flags);
  f.interpolation_filter = static_cast<v4l2_av1_interpolation_filter>(h.subpel_filter_mode);
  f.tx_mode = static_cast<v4l2_av1_tx_mode>(h.txfm_mode);
  for (int i = 0; i < 7; ++i) f.ref_frame_idx[i] = static_cast<int8_t>(h.refidx[i]);

  auto& t = f.tile_info;
  const int sb_shift = seq.sb128 ? 5 : 4;
  const int mi_cols = 2 * ((h.width[0] + 7) >> 3), mi_rows = 2 * ((h.height + 7) >> 3);
  if (h.tiling.uniform) t.flags |= V4L2_AV1_TILE_INFO_FLAG_UNIFORM_TILE_SPACING;
  t.context_update_tile_id = static_cast<uint8_t>(h.tiling.update);
  t.tile_cols = static_cast<uint8_t>(h.tiling.cols);
  t.tile_rows = static_cast<uint8_t>(h.tiling.rows);
  t.tile_size_bytes = static_cast<uint8_t>(h.tiling.n_bytes);
  for (int i = 0; i < h.tiling.cols; ++i) {
    t.mi_col_starts[i] = static_cast<uint32_t>(h.tiling.col_start_sb[i] << sb_shift);
    t.width_in_sbs_minus_1[i] = static_cast<uint32_t>(h.tiling.col_start_sb[i + 1] - h.tiling.col_start_sb[i] - 1);
  }
  t.mi_col_starts[h.tiling.cols] = static_cast<uint32_t>(mi_cols);
  for (int i = 0; i < h.tiling.rows; ++i) {
    t.mi_row_starts[i] = static_cast<uint32_t>(h.tiling.row_start_sb[i] << sb_shift);
    t.height_in_sbs_minus_1[i] = static_cast<uint32_t>(h.tiling.row_start_sb[i + 1] - h.tiling.row_start_sb[i] - 1);
  }
  t.mi_row_starts[h.tiling.rows] = static_cast<uint32_t>(mi_rows);

  auto& q = f.quantization;
  q.base_q_idx = static_cast<uint8_t>(h.quant.yac);
  q.delta_q_y_dc = static_cast<int8_t>(h.quant.ydc_delta);
  q.delta_q_u_dc = static_cast<int8_t>(h.quant.udc_delta);
  q.delta_q_u_ac = static_cast<int8_t>(h.quant.uac_delta);
  q.delta_q_v_dc = static_cast<int8_t>(h.quant.vdc_delta);
  q.delta_q_v_ac = static_cast<int8_t>(h.quant.vac_delta);
  if (seq.separate_uv_delta_q && (h.quant.udc_delta != h.quant.vdc_delta || h.quant.uac_delta != h.quant.vac_delta))
    q.flags |= V4L2_AV1_QUANTIZATION_FLAG_DIFF_UV_DELTA;
  if (h.quant.qm) q.flags |= V4L2_AV1_QUANTIZATION_FLAG_USING_QMATRIX;
  if (h.delta.q.present) q.flags |= V4L2_AV1_QUANTIZATION_FLAG_DELTA_Q_PRESENT;
  q.qm_y = static_cast<uint8_t>(h.quant.qm_y);
  q.qm_u = static_cast<uint8_t>(h.quant.qm_u);
  q.qm_v = static_cast<uint8_t>(h.quant.qm_v);
  q.delta_q_res = static_cast<uint8_t>(h.delta.q.res_log2);

  auto& sg = f.segmentation;
  if (h.segmentation.enabled) sg.flags |= V4L2_AV1_SEGMENTATION_FLAG_ENABLED;
  if (h.segmentation.update_map) sg.flags |= V4L2_AV1_SEGMENTATION_FLAG_UPDATE_MAP;
  if (h.segmentation.temporal) sg.flags |= V4L2_AV1_SEGMENTATION_FLAG_TEMPORAL_UPDATE;
  if (h.segmentation.update_data) sg.flags |= V4L2_AV1_SEGMENTATION_FLAG_UPDATE_DATA;
  if (h.segmentation.seg_data.preskip) sg.flags |= V4L2_AV1_SEGMENTATION_FLAG_SEG_ID_PRE_SKIP;
  sg.last_active_seg_id = static_cast<uint8_t>(h.segmentation.seg_data.last_active_segid);
  for (int i = 0; i < 8; ++i) {
    const auto& d = h.segmentation.seg_data.d[i];
    const int values[8] = {d.delta_q, d.delta_lf_y_v, d.delta_lf_y_h, d.delta_lf_u, d.delta_lf_v, d.ref, d.skip, d.globalmv};
    // dav1d keeps no enable bits: a feature is on when it does something.
    const bool on[8] = {d.delta_q != 0, d.delta_lf_y_v != 0, d.delta_lf_y_h != 0, d.delta_lf_u != 0,
                        d.delta_lf_v != 0, d.ref >= 0, d.skip != 0, d.globalmv != 0};
    for (int j = 0; j < 8; ++j) {
      if (!on[j]) continue;
      sg.feature_enabled[i] |= static_cast<uint8_t>(1u << j);
      sg.feature_data[i][j] = static_cast<int16_t>(j >= 6 ? 0 : values[j]);
    }
  }

  auto& lf = f.loop_filter;
  lf.level[0] = static_cast<uint8_t>(h.loopfilter.level_y[0]);
  lf.level[1] = static_cast<uint8_t>(h.loopfilter.level_y[1]);
  lf.level[2] = static_cast<uint8_t>(h.loopfilter.level_u);
  lf.level[3] = static_cast<uint8_t>(h.loopfilter.level_v);
  lf.sharpness = static_cast<uint8_t>(h.loopfilter.sharpness);
  if (h.loopfilter.mode_ref_delta_enabled) lf.flags |= V4L2_AV1_LOOP_FILTER_FLAG_DELTA_ENABLED;
  if (h.loopfilter.mode_ref_delta_update) lf.flags |= V4L2_AV1_LOOP_FILTER_FLAG_DELTA_UPDATE;
  if (h.delta.lf.present) lf.flags |= V4L2_AV1_LOOP_FILTER_FLAG_DELTA_LF_PRESENT;
  if (h.delta.lf.multi) lf.flags |= V4L2_AV1_LOOP_FILTER_FLAG_DELTA_LF_MULTI;
  lf.delta_lf_res = static_cast<uint8_t>(h.delta.lf.res_log2);
  for (int i = 0; i < 8; ++i) lf.ref_deltas[i] = static_cast<int8_t>(h.loopfilter.mode_ref_deltas.ref_delta[i]);
  for (int i = 0; i < 2; ++i) lf.mode_deltas[i] = static_cast<int8_t>(h.loopfilter.mode_ref_deltas.mode_delta[i]);

  auto& c = f.cdef;
  c.damping_minus_3 = static_cast<uint8_t>(h.cdef.damping - 3);
  c.bits = static_cast<uint8_t>(h.cdef.n_bits);
  auto sec = [](int v) { return static_cast<uint8_t>((v & 3) == 3 ? 4 : (v & 3)); };
  for (int i = 0; i < 8; ++i) {
    c.y_pri_strength[i] = static_cast<uint8_t>(h.cdef.y_strength[i] >> 2);
    c.y_sec_strength[i] = sec(h.cdef.y_strength[i]);
    c.uv_pri_strength[i] = static_cast<uint8_t>(h.cdef.uv_strength[i] >> 2);
    c.uv_sec_strength[i] = sec(h.cdef.uv_strength[i]);
  }

  auto& lr = f.loop_restoration;
  static constexpr v4l2_av1_frame_restoration_type kType[] = {
      V4L2_AV1_FRAME_RESTORE_NONE, V4L2_AV1_FRAME_RESTORE_SWITCHABLE, V4L2_AV1_FRAME_RESTORE_WIENER,
      V4L2_AV1_FRAME_RESTORE_SGRPROJ};
  for (int i = 0; i < 3; ++i) {
    lr.frame_restoration_type[i] = kType[h.restoration.type[i]];
    if (h.restoration.type[i]) lr.flags |= i ? V4L2_AV1_LOOP_RESTORATION_FLAG_USES_CHROMA_LR | V4L2_AV1_LOOP_RESTORATION_FLAG_USES_LR
                                              : V4L2_AV1_LOOP_RESTORATION_FLAG_USES_LR;
  }
  if (lr.flags) {
    lr.lr_unit_shift = static_cast<uint8_t>(h.restoration.unit_size[0] - 6);
    lr.lr_uv_shift = static_cast<uint8_t>(h.restoration.unit_size[0] - h.restoration.unit_size[1]);
    lr.loop_restoration_size[0] = 1u << h.restoration.unit_size[0];
    lr.loop_restoration_size[1] = lr.loop_restoration_size[2] = 1u << h.restoration.unit_size[1];
  }

  auto& gm = f.global_motion;
  for (int i = 0; i < 7; ++i) {
    const auto& g = h.gmv[i];
    gm.type[i + 1] = static_cast<v4l2_av1_warp_model>(g.type);
    if (g.type != DAV1D_WM_TYPE_IDENTITY) gm.flags[i + 1] |= V4L2_AV1_GLOBAL_MOTION_FLAG_IS_GLOBAL;
    if (g.type == DAV1D_WM_TYPE_ROT_ZOOM) gm.flags[i + 1] |= V4L2_AV1_GLOBAL_MOTION_FLAG_IS_ROT_ZOOM;
    if (g.type == DAV1D_WM_TYPE_TRANSLATION) gm.flags[i + 1] |= V4L2_AV1_GLOBAL_MOTION_FLAG_IS_TRANSLATION;
    for (int k = 0; k < 6; ++k) gm.params[i + 1][k] = g.matrix[k];
  }
  return f;
}

v4l2_ctrl_av1_film_grain film_grain_control(const Dav1dFrameHeader& h) {
  v4l2_ctrl_av1_film_grain g{};
  if (!h.film_grain.present) return g;
  const auto& d = h.film_grain.data;
  // dav1d keeps the loaded parameters of update_grain = 0 frames: given
  // whole, as a client may.
  g.flags = V4L2_AV1_FILM_GRAIN_FLAG_APPLY_GRAIN | V4L2_AV1_FILM_GRAIN_FLAG_UPDATE_GRAIN;
  if (d.chroma_scaling_from_luma) g.flags |= V4L2_AV1_FILM_GRAIN_FLAG_CHROMA_SCALING_FROM_LUMA;
  if (d.overlap_flag) g.flags |= V4L2_AV1_FILM_GRAIN_FLAG_OVERLAP;
  if (d.clip_to_restricted_range) g.flags |= V4L2_AV1_FILM_GRAIN_FLAG_CLIP_TO_RESTRICTED_RANGE;
  g.grain_seed = static_cast<uint16_t>(d.seed);
  g.num_y_points = static_cast<uint8_t>(d.num_y_points);
  for (int i = 0; i < d.num_y_points; ++i) {
    g.point_y_value[i] = d.y_points[i][0];
    g.point_y_scaling[i] = d.y_points[i][1];
  }
  g.num_cb_points = static_cast<uint8_t>(d.num_uv_points[0]);
  g.num_cr_points = static_cast<uint8_t>(d.num_uv_points[1]);
  for (int i = 0; i < d.num_uv_points[0]; ++i) {
    g.point_cb_value[i] = d.uv_points[0][i][0];
    g.point_cb_scaling[i] = d.uv_points[0][i][1];
  }
  for (int i = 0; i < d.num_uv_points[1]; ++i) {
    g.point_cr_value[i] = d.uv_points[1][i][0];
    g.point_cr_scaling[i] = d.uv_points[1][i][1];
  }
  g.grain_scaling_minus_8 = static_cast<uint8_t>(d.scaling_shift - 8);
  g.ar_coeff_lag = static_cast<uint8_t>(d.ar_coeff_lag);
  for (int i = 0; i < 24; ++i) g.ar_coeffs_y_plus_128[i] = static_cast<uint8_t>(d.ar_coeffs_y[i] + 128);
  for (int i = 0; i < 25; ++i) {
    g.ar_coeffs_cb_plus_128[i] = static_cast<uint8_t>(d.ar_coeffs_uv[0][i] + 128);
    g.ar_coeffs_cr_plus_128[i] = static_cast<uint8_t>(d.ar_coeffs_uv[1][i] + 128);
  }
  g.ar_coeff_shift_minus_6 = static_cast<uint8_t>(d.ar_coeff_shift - 6);
  g.grain_scale_shift = static_cast<uint8_t>(d.grain_scale_shift);
  g.cb_mult = static_cast<uint8_t>(d.uv_mult[0] + 128);
  g.cb_luma_mult = static_cast<uint8_t>(d.uv_luma_mult[0] + 128);
  g.cb_offset = static_cast<uint16_t>(d.uv_offset[0] + 256);
  g.cr_mult = static_cast<uint8_t>(d.uv_mult[1] + 128);
  g.cr_luma_mult = static_cast<uint8_t>(d.uv_luma_mult[1] + 128);
  g.cr_offset = static_cast<uint16_t>(d.uv_offset[1] + 256);
  return g;
}

// The tile group of an OBU_FRAME, parsed at the byte trace_headers gave.
std::vector<v4l2_ctrl_av1_tile_group_entry> tile_entries(const std::vector<uint8_t>& payload, size_t start,
                                                         const Dav1dFrameHeader& h) {
  const int cols = h.tiling.cols, rows = h.tiling.rows, num = cols * rows;
  size_t pos = start;
  int tg_start = 0, tg_end = num - 1;
  if (num > 1) {
    const int tile_bits = h.tiling.log2_cols + h.tiling.log2_rows;
    uint64_t acc = 0;
    int have = 0;
    auto bits = [&](int n) {
      while (have < n) {
        acc = (acc << 8) | payload.at(pos++);
        have += 8;
      }
      have -= n;
      return static_cast<int>((acc >> have) & ((1u << n) - 1));
    };
    if (bits(1)) {
      tg_start = bits(tile_bits);
      tg_end = bits(tile_bits);
    }
  }
  std::vector<v4l2_ctrl_av1_tile_group_entry> out;
  for (int t = tg_start; t <= tg_end; ++t) {
    uint32_t size;
    if (t == tg_end) {
      size = static_cast<uint32_t>(payload.size() - pos);
    } else {
      uint32_t minus_1 = 0;
      for (unsigned b = 0; b < h.tiling.n_bytes; ++b) minus_1 |= uint32_t{payload.at(pos++)} << (8 * b);
      size = minus_1 + 1;
    }
    out.push_back({static_cast<uint32_t>(pos), size, static_cast<uint32_t>(t / cols), static_cast<uint32_t>(t % cols)});
    pos += size;
  }
  if (tg_start != 0 || tg_end != num - 1) throw std::runtime_error("several tile groups per frame: not in this test");
  return out;
}

}  // namespace

Av1Clip load_av1_clip(const std::string& path) {
  std::vector<std::vector<uint8_t>> packets;
  {
    media::Demuxer dm(path);
    media::Packet pkt;
    while (dm.read(pkt)) packets.push_back(pkt.data);
  }
  Av1Clip clip{};
  Dav1d ref;
  Dav1dSequenceHeader seq{};
  const auto tg_bits = tile_group_bit_positions(path);
  size_t frame_obu = 0;
  for (auto& p : packets) {
    // dav1d outputs one picture per frame OBU and per show_existing_frame
    // header of the packet, in their order.
    const size_t first = ref.frames.size();
    ref.decode(p, &seq);
    size_t out = first;
    for (const Obu& o : split_obus(p)) {
      if (o.type == 3) {
        if (!(p.at(o.start + o.header_size) & 0x80))
          throw std::runtime_error("frame header OBU without show_existing_frame: not in this test");
        ++clip.shown_again;
        ++out;
        continue;
      }
      if (o.type != 6) continue;
      if (out >= ref.frames.size() || frame_obu >= tg_bits.size())
        throw std::runtime_error("more frame OBUs than decoded frames / traced tile groups");
      const auto& h = ref.frames[out].hdr;
      clip.seq = sequence_control(seq);
      Av1Request r{frame_control(seq, h), film_grain_control(h), {}, {}};
      r.data.assign(p.begin() + o.start + o.header_size, p.begin() + o.start + o.header_size + o.payload_size);
      if (tg_bits[frame_obu] % 8) throw std::runtime_error("tile group not byte aligned");
      r.tiles = tile_entries(r.data, tg_bits[frame_obu] / 8 - o.header_size, h);
      clip.requests.push_back(std::move(r));
      clip.want.push_back(ref.frames[out].md5);
      ++frame_obu;
      ++out;
    }
    if (out != ref.frames.size()) throw std::runtime_error("dav1d output pictures the packet's OBUs do not explain");
  }
  return clip;
}


}  // namespace daedalus::bridge::test
