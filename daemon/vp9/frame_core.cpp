// SPDX-License-Identifier: MIT
#include "frame_core.h"

#include <algorithm>
#include <chrono>

#include "daedalus/dispatch/thread_cpu.h"
#include "daedalus/dispatch/threads.h"
#include "daedalus/error.h"
#include "tables.h"

namespace daedalus::vp9 {
namespace {

double ms_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

FrameCore::FrameCore(dispatch::Backend& backend) : backend_(backend) {
  entropy_threads_ = dispatch::default_threads();
  reset();
}

void FrameCore::reset() {
  saved_ctx_.fill(default_frame_context());
  std::fill(seg_map_cur_.begin(), seg_map_cur_.end(), 0);
  std::fill(seg_map_last_.begin(), seg_map_last_.end(), 0);
  prev_mvs_.clear();
  have_prev_mvs_ = false;
  last_width_ = last_height_ = 0;
  last_show_frame_ = last_intra_only_ = last_key_frame_ = false;
}

void FrameCore::resize_state(const FrameHeader& h) {
  if (h.mi_cols == state_mi_cols_ && h.mi_rows == state_mi_rows_) return;
  const size_t n = static_cast<size_t>(h.mi_cols) * h.mi_rows;
  seg_map_cur_.assign(n, 0);
  seg_map_last_.assign(n, 0);
  prev_mvs_.clear();
  have_prev_mvs_ = false;
  state_mi_cols_ = h.mi_cols;
  state_mi_rows_ = h.mi_rows;
}

void FrameCore::decode(FrameHeader& h, const FrameContext* deltas_in, const uint8_t* data, size_t size,
                       const RefPicture refs_in[3], dispatch::Surface& dst, dispatch::Surface* pack_to) {
  auto t0 = std::chrono::steady_clock::now();
  const double cpu0 = dispatch::decoder_threads_cpu_ms();
  try {
    const size_t header_bytes = h.uncompressed_header_size + h.compressed_header_size;
    if (h.compressed_header_size == 0 || header_bytes > size)
      throw Error("vp9: header sizes exceed the frame data");
    const FrameContext fc = init_probabilities(h, deltas_in, data);
    hdr_ = h;
    const double parse_ms = ms_since(t0);

    t0 = std::chrono::steady_clock::now();
    dispatch::Surface* refs[3] = {nullptr, nullptr, nullptr};
    decode_entropy(h, fc, data + header_bytes, size - header_bytes, refs_in, refs);
    adapt_probabilities(h, fc);
    const double entropy_ms = ms_since(t0);
    timing_.cpu_parse_entropy_ms += dispatch::decoder_threads_cpu_ms() - cpu0;

    reconstruct(h, refs, dst, pack_to);
    add_timing(parse_ms, entropy_ms, pack_to != nullptr);
    commit(h);
  } catch (...) {
    have_prev_mvs_ = false;
    throw;
  }
}

// Init: the probability context the frame starts from
// (setup_past_independence / reset_frame_context), with the compressed
// header's deltas applied (parsed here unless the caller has them).
FrameContext FrameCore::init_probabilities(FrameHeader& h, const FrameContext* deltas_in, const uint8_t* data) {
  if (h.resets_context()) {
    const FrameContext def = default_frame_context();
    if (h.key_frame || h.error_resilient || h.reset_frame_context == 3) saved_ctx_.fill(def);
    else if (h.reset_frame_context == 2) saved_ctx_[h.frame_context_idx] = def;
    h.frame_context_idx = 0;
  }
  FrameContext fc = saved_ctx_[h.frame_context_idx];
  if (deltas_in) {
    apply_probability_deltas(*deltas_in, fc);
  } else {
    FrameContext deltas;
    parse_compressed_header(data + h.uncompressed_header_size, h.compressed_header_size, h, deltas);
    apply_probability_deltas(deltas, fc);
  }
  return fc;
}

// Entropy: the frame's work parameters and references, then its tiles
// (`data`: the tile data after the headers) and loop filter units.
// refs[i] is set to the surface of reference i (inter frames).
void FrameCore::decode_entropy(const FrameHeader& h, const FrameContext& fc, const uint8_t* data, size_t size,
                               const RefPicture refs_in[3], dispatch::Surface* refs[3]) {
  resize_state(h);
  if (h.resets_context()) {
    std::fill(seg_map_cur_.begin(), seg_map_cur_.end(), 0);
    std::fill(seg_map_last_.begin(), seg_map_last_.end(), 0);
  }
  const bool use_prev_mvs = have_prev_mvs_ && !h.error_resilient && h.width == last_width_ &&
                            h.height == last_height_ && !last_intra_only_ && last_show_frame_ && !last_key_frame_;
  work_.clear();
  // Room for the frame's worst case up front (only address space: the
  // pages are touched as the tiles fill them). Grown by doubling instead,
  // a stream's first frame copied its coefficients ~20 times over and
  // faulted in twice the pages, which doubled its entropy decoding time
  // (docs/perf-log/2026-12.md); every V4L2 context starts with such a
  // frame.
  {
    // 4x4 luma units, at most a 4096x2304 frame's (bigger frames, or a
    // corrupt header's claim, grow the vectors as before).
    const size_t units = std::min<size_t>(size_t{h.mi_cols} * h.mi_rows * 4, (4096 / 4) * (2304 / 4));
    work_.coeffs.reserve(units * 16 * 3 / 2);
    work_.tx_blocks.reserve(units * 3 / 2);
    work_.blocks.reserve(units);
  }
  set_work_params(h, refs_in, refs);
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
  tc.threads = tile_threads(h);
  decode_tiles(data, size, tc);
  build_loop_filter_units(h, blocks_, grid_, work_);
  dd_frame_params& fp = work_.params;
  fp.num_blocks = static_cast<uint32_t>(work_.blocks.size());
  fp.num_tx_blocks = static_cast<uint32_t>(work_.tx_blocks.size());
  fp.num_coeffs = static_cast<uint32_t>(work_.coeffs.size());
}

// The threads for the frame's tile columns, null for one: at most one per
// column, more started when a frame has more columns than the pool.
dispatch::ForkJoin* FrameCore::tile_threads(const FrameHeader& h) {
  const unsigned n = std::min(entropy_threads_, 1u << h.log2_tile_cols);
  if (n <= 1) return nullptr;
  if (!tile_threads_ || tile_threads_->size() < n) tile_threads_ = std::make_unique<dispatch::ForkJoin>(n);
  return tile_threads_.get();
}

// The work's frame parameters and references (dd_frame_params, docs/dispatch.md).
void FrameCore::set_work_params(const FrameHeader& h, const RefPicture refs_in[3], dispatch::Surface* refs[3]) {
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
  for (int i = 0; i < 3; ++i) {
    dd_ref_params& rp = fp.refs[i];
    if (h.intra_frame()) {
      rp.width = h.width;
      rp.height = h.height;
      rp.x_scale_q14 = rp.y_scale_q14 = 1 << 14;
      continue;
    }
    const RefPicture& r = refs_in[i];
    if (!r.surface || r.width == 0 || r.height == 0) throw Error("vp9: reference frame is missing");
    refs[i] = r.surface;
    rp.width = r.width;
    rp.height = r.height;
    rp.x_scale_q14 = static_cast<int32_t>((static_cast<int64_t>(r.width) << 14) / h.width);
    rp.y_scale_q14 = static_cast<int32_t>((static_cast<int64_t>(r.height) << 14) / h.height);
  }
}

// Adaptation: the saved context the frame refreshes, backward-adapted
// from the frame's symbol counts unless error resilient or frame parallel.
void FrameCore::adapt_probabilities(const FrameHeader& h, const FrameContext& fc) {
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
}

// Reconstruction: the backend's stages for the frame (and its NV12 copy
// when pack_to is set), in one backend frame.
void FrameCore::reconstruct(const FrameHeader& h, dispatch::Surface* const refs[3], dispatch::Surface& dst,
                            dispatch::Surface* pack_to) {
  const double cpu0 = dispatch::decoder_threads_cpu_ms();
  backend_.begin_frame(work_);
  const double cpu1 = dispatch::decoder_threads_cpu_ms();
  timing_.cpu_begin_ms += cpu1 - cpu0;
  daedalus_dispatch_residual(backend_, work_);
  if (!h.intra_frame()) daedalus_dispatch_inter_pred(backend_, work_, dst, refs);
  daedalus_dispatch_intra_recon(backend_, work_, dst);
  daedalus_dispatch_loop_filter(backend_, work_, dst);
  if (pack_to) daedalus_dispatch_pack_nv12(backend_, dst, *pack_to);
  backend_.end_frame();
  timing_.cpu_recon_ms += dispatch::decoder_threads_cpu_ms() - cpu1;
}

void FrameCore::add_timing(double parse_ms, double entropy_ms, bool packed) {
  ++timing_.frames;
  timing_.parse_ms += parse_ms;
  timing_.entropy_ms += entropy_ms;
  const int last_stage = static_cast<int>(packed ? dispatch::Stage::kCount : dispatch::Stage::kPackNv12);
  for (int s = 0; s < last_stage; ++s) {
    const auto t = backend_.timing(static_cast<dispatch::Stage>(s));
    timing_.stage_cpu_ms[s] += t.cpu_ms;
    if (t.gpu_ms >= 0) timing_.stage_gpu_ms[s] += t.gpu_ms;
  }
  timing_.add(backend_.frame_timing());
}

// Commit: what this frame leaves for the next one.
void FrameCore::commit(const FrameHeader& h) {
  if (h.seg.enabled) std::swap(seg_map_cur_, seg_map_last_);
  std::swap(prev_mvs_, mvs_);
  have_prev_mvs_ = true;
  last_width_ = h.width;
  last_height_ = h.height;
  last_show_frame_ = h.show_frame;
  last_intra_only_ = h.intra_only;
  last_key_frame_ = h.key_frame;
}

}  // namespace daedalus::vp9
