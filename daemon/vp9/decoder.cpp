// SPDX-License-Identifier: MIT
#include "decoder.h"

#include <chrono>
#include <cstring>
#include <string>

#include "daedalus/error.h"
#include "tables.h"

namespace daedalus::vp9 {
namespace {

double ms_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

Decoder::Decoder(dispatch::Backend& backend) : backend_(backend) {
  saved_ctx_.fill(default_frame_context());
}

void Decoder::decode(const uint8_t* data, size_t size, int64_t pts, const media::FrameSink& sink) {
  decode_shown(data, size, pts, [&](const ShownFrame& f) {
    media::Nv12Frame out;
    out.allocate(static_cast<int>(f.width), static_cast<int>(f.height));
    out.pts = f.pts;
    dispatch::Nv12Layout layout;
    layout.width = f.width;
    layout.height = f.height;
    layout.y_offset = 0;
    layout.y_stride = f.width;
    layout.uv_stride = 2 * static_cast<uint32_t>(media::Nv12Frame::chroma_width(static_cast<int>(f.width)));
    layout.uv_offset = layout.y_stride * f.height;
    layout.size_bytes = static_cast<uint64_t>(layout.uv_offset) +
                        static_cast<uint64_t>(layout.uv_stride) * media::Nv12Frame::chroma_height(static_cast<int>(f.height));
    std::vector<uint8_t> buf(layout.size_bytes);
    auto dst = backend_.wrap_nv12(layout, buf.data(), -1);
    pack(f, *dst);
    std::memcpy(out.y.data(), buf.data(), out.y.size());
    std::memcpy(out.uv.data(), buf.data() + layout.uv_offset, out.uv.size());
    sink(std::move(out));
  });
}

void Decoder::pack(const ShownFrame& frame, dispatch::Surface& nv12) {
  // pack_nv12 is a stage, so it runs inside a (work-free) frame.
  dispatch::FrameWork empty;
  empty.params.width = frame.width;
  empty.params.height = frame.height;
  empty.params.bit_depth = 8;
  empty.params.ss_x = empty.params.ss_y = 1;
  empty.params.mi_cols = (frame.width + 7) / 8;
  empty.params.mi_rows = (frame.height + 7) / 8;
  backend_.begin_frame(empty);
  daedalus_dispatch_pack_nv12(backend_, *frame.surface, nv12);
  backend_.end_frame();
  const int k = static_cast<int>(dispatch::Stage::kPackNv12);
  timing_.stage_cpu_ms[k] += backend_.timing(dispatch::Stage::kPackNv12).cpu_ms;
  const double g = backend_.timing(dispatch::Stage::kPackNv12).gpu_ms;
  if (g >= 0) timing_.stage_gpu_ms[k] += g;
}

void Decoder::decode_shown(const uint8_t* data, size_t size, int64_t pts,
                           const std::function<void(const ShownFrame&)>& on_shown) {
  for (const auto& [p, n] : split_superframe(data, size)) decode_frame(p, n, pts, on_shown);
}

std::shared_ptr<dispatch::Surface> Decoder::acquire_surface(uint32_t w, uint32_t h) {
  for (auto& s : pool_) {
    // Only this pool holds it: no reference slot, no caller.
    if (s.use_count() == 1 && s->plane(0).width == w && s->plane(0).height == h) return s;
  }
  auto s = backend_.create_surface(w, h);
  // Keep the pool bounded: drop surfaces nobody uses any more.
  std::erase_if(pool_, [](const auto& p) { return p.use_count() == 1; });
  pool_.push_back(s);
  return s;
}

void Decoder::resize_state(const FrameHeader& h) {
  if (h.mi_cols == state_mi_cols_ && h.mi_rows == state_mi_rows_) return;
  const size_t n = static_cast<size_t>(h.mi_cols) * h.mi_rows;
  seg_map_cur_.assign(n, 0);
  seg_map_last_.assign(n, 0);
  prev_mvs_.clear();
  have_prev_mvs_ = false;
  state_mi_cols_ = h.mi_cols;
  state_mi_rows_ = h.mi_rows;
}

void Decoder::decode_frame(const uint8_t* data, size_t size, int64_t pts,
                           const std::function<void(const ShownFrame&)>& on_shown) {
  auto t0 = std::chrono::steady_clock::now();
  FrameHeader h;
  try {
    h = parse_uncompressed_header(data, size, persist_);
  } catch (...) {
    have_prev_mvs_ = false;
    throw;
  }
  if (h.show_existing_frame) {
    const Slot& s = slots_[h.frame_to_show];
    if (!s.surface) throw Error("vp9: show_existing_frame of an empty slot");
    hdr_ = h;
    tile_unread_.clear();
    on_shown(ShownFrame{s.surface, s.width, s.height, pts});
    return;
  }
  try {
    // Probability contexts (setup_past_independence / reset_frame_context).
    if (h.resets_context()) {
      const FrameContext def = default_frame_context();
      if (h.key_frame || h.error_resilient || h.reset_frame_context == 3) saved_ctx_.fill(def);
      else if (h.reset_frame_context == 2) saved_ctx_[h.frame_context_idx] = def;
      h.frame_context_idx = 0;
    }
    FrameContext fc = saved_ctx_[h.frame_context_idx];
    FrameContext deltas;
    parse_compressed_header(data + h.uncompressed_header_size, h.compressed_header_size, h, deltas);
    apply_probability_deltas(deltas, fc);
    hdr_ = h;
    const double parse_ms = ms_since(t0);

    // Entropy decoding.
    t0 = std::chrono::steady_clock::now();
    resize_state(h);
    if (h.resets_context()) {
      std::fill(seg_map_cur_.begin(), seg_map_cur_.end(), 0);
      std::fill(seg_map_last_.begin(), seg_map_last_.end(), 0);
    }
    const bool use_prev_mvs = have_prev_mvs_ && !h.error_resilient && h.width == last_width_ &&
                              h.height == last_height_ && !last_intra_only_ && last_show_frame_ && !last_key_frame_;
    work_.clear();
    dd_frame_params& fp = work_.params;
    fp.width = h.width;
    fp.height = h.height;
    fp.mi_cols = h.mi_cols;
    fp.mi_rows = h.mi_rows;
    fp.ss_x = static_cast<uint32_t>(h.ss_x);
    fp.ss_y = static_cast<uint32_t>(h.ss_y);
    fp.bit_depth = static_cast<uint32_t>(h.bit_depth);
    fp.flags = (h.intra_frame() ? DD_FRAME_INTRA_ONLY : 0) | (h.lossless ? DD_FRAME_LOSSLESS : 0) |
               (h.show_frame ? DD_FRAME_SHOW : 0);
    fp.sharpness = static_cast<uint32_t>(h.lf.sharpness);
    dispatch::Surface* refs[3] = {nullptr, nullptr, nullptr};
    for (int i = 0; i < 3; ++i) {
      dd_ref_params& rp = fp.refs[i];
      if (h.intra_frame()) {
        rp.width = h.width;
        rp.height = h.height;
        rp.x_scale_q14 = rp.y_scale_q14 = 1 << 14;
        continue;
      }
      const Slot& s = slots_[h.ref_frame_idx[i]];
      if (!s.surface) throw Error("vp9: reference slot is empty");
      refs[i] = s.surface.get();
      rp.width = s.width;
      rp.height = s.height;
      rp.x_scale_q14 = static_cast<int32_t>((static_cast<int64_t>(s.width) << 14) / h.width);
      rp.y_scale_q14 = static_cast<int32_t>((static_cast<int64_t>(s.height) << 14) / h.height);
    }
    counts_ = FrameCounts{};
    TileDecodeContext tc;
    tc.hdr = &h;
    tc.fc = &fc;
    tc.counts = &counts_;
    tc.prev_mvs = use_prev_mvs ? prev_mvs_.data() : nullptr;
    tc.last_seg_map = seg_map_last_.data();
    tc.cur_seg_map = seg_map_cur_.data();
    tc.blocks = &blocks_;
    tc.grid = &grid_;
    tc.mvs = &mvs_;
    tc.work = &work_;
    tile_unread_.clear();
    tc.tile_unread_bytes = &tile_unread_;
    const size_t header_bytes = h.uncompressed_header_size + h.compressed_header_size;
    decode_tiles(data + header_bytes, size - header_bytes, tc);
    build_loop_filter_units(h, blocks_, grid_, work_);
    fp.num_blocks = static_cast<uint32_t>(work_.blocks.size());
    fp.num_tx_blocks = static_cast<uint32_t>(work_.tx_blocks.size());
    fp.num_coeffs = static_cast<uint32_t>(work_.coeffs.size());

    // Backward adaptation into the saved context.
    if (h.refresh_frame_context) {
      if (!h.error_resilient && !h.frame_parallel) {
        AdaptParams ap;
        ap.intra_only = h.intra_frame();
        ap.last_frame_was_key = last_key_frame_;
        ap.tx_mode_select = h.tx_mode == kTxModeSelect;
        ap.interp_switchable = h.interp_filter == kSwitchableFilter;
        ap.allow_high_precision_mv = h.allow_high_precision_mv;
        saved_ctx_[h.frame_context_idx] = adapt_probs(saved_ctx_[h.frame_context_idx], fc, counts_, ap);
      } else {
        saved_ctx_[h.frame_context_idx] = fc;
      }
    }
    const double entropy_ms = ms_since(t0);

    // Reconstruction.
    auto dst = acquire_surface(h.mi_cols * 8, h.mi_rows * 8);
    backend_.begin_frame(work_);
    daedalus_dispatch_residual(backend_, work_);
    if (!h.intra_frame()) daedalus_dispatch_inter_pred(backend_, work_, *dst, refs);
    daedalus_dispatch_intra_recon(backend_, work_, *dst);
    daedalus_dispatch_loop_filter(backend_, work_, *dst);
    backend_.end_frame();

    ++timing_.frames;
    timing_.parse_ms += parse_ms;
    timing_.entropy_ms += entropy_ms;
    for (int s = 0; s < static_cast<int>(dispatch::Stage::kPackNv12); ++s) {
      const auto t = backend_.timing(static_cast<dispatch::Stage>(s));
      timing_.stage_cpu_ms[s] += t.cpu_ms;
      if (t.gpu_ms >= 0) timing_.stage_gpu_ms[s] += t.gpu_ms;
    }

    // Reference slots and state for the next frame.
    for (int i = 0; i < 8; ++i) {
      if (!((h.refresh_frame_flags >> i) & 1)) continue;
      slots_[i].surface = dst;
      slots_[i].width = h.width;
      slots_[i].height = h.height;
      persist_.slot_width[i] = h.width;
      persist_.slot_height[i] = h.height;
      persist_.slot_subsampling_x[i] = static_cast<uint32_t>(h.ss_x);
      persist_.slot_subsampling_y[i] = static_cast<uint32_t>(h.ss_y);
      persist_.slot_bit_depth[i] = static_cast<uint32_t>(h.bit_depth);
    }
    if (h.seg.enabled) std::swap(seg_map_cur_, seg_map_last_);
    std::swap(prev_mvs_, mvs_);
    have_prev_mvs_ = true;
    last_width_ = h.width;
    last_height_ = h.height;
    last_show_frame_ = h.show_frame;
    last_intra_only_ = h.intra_only;
    last_key_frame_ = h.key_frame;

    if (h.show_frame) on_shown(ShownFrame{dst, h.width, h.height, pts});
  } catch (...) {
    have_prev_mvs_ = false;
    throw;
  }
}

}  // namespace daedalus::vp9
