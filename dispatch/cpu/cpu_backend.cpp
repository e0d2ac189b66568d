// SPDX-License-Identifier: MIT
// The CPU reference backend: walks the work description and applies the
// Vp9Dsp primitives with the picture-edge behaviour of libavcodec's VP9
// decoder (which equals libvpx's on conformant streams).
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <limits>
#include <type_traits>

#include <fmt/format.h>

#include "backends.h"
#include "cpu_surface.h"
#include "daedalus/dispatch/fork_join.h"
#include "h264_stages.h"
#include "daedalus/dispatch/threads.h"
#include "daedalus/error.h"
#include "inter_geometry.h"
#include "vp9_dsp.h"
#include "work_checks.h"

namespace daedalus::dispatch {
namespace cpu {
namespace {

constexpr uint32_t kNoResidual = std::numeric_limits<uint32_t>::max();

class StageClock {
 public:
  explicit StageClock(double& out) : out_(out), start_(std::chrono::steady_clock::now()) {}
  ~StageClock() {
    out_ += std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start_).count();
  }

 private:
  double& out_;
  std::chrono::steady_clock::time_point start_;
};

inline uint8_t clip_pixel(int v) { return static_cast<uint8_t>(std::clamp(v, 0, 255)); }

using vp9::Mv;
constexpr const char* kWho = "cpu backend";  // the prefix of the shared checks' messages

// body(i) for every i < n, on all of the pool's threads: each takes the next
// chunk of indices until none is left (blocks differ in cost, so chunks are
// handed out as threads get free rather than split up front).
// No pool: all on the caller.
template <class Body>
void parallel_chunks(ForkJoin* pool, size_t n, size_t chunk, const Body& body) {
  if (!pool || n <= chunk) {
    for (size_t i = 0; i < n; ++i) body(i);
    return;
  }
  std::atomic<size_t> next{0};
  pool->run([&](unsigned) {
    for (size_t begin; (begin = next.fetch_add(chunk, std::memory_order_relaxed)) < n;)
      for (size_t i = begin, end = std::min(n, begin + chunk); i < end; ++i) body(i);
  });
}

class CpuBackend final : public Backend {
 public:
  explicit CpuBackend(unsigned threads) : threads_(threads) {}
  std::string name() const override {
    return fmt::format("cpu ({} stage thread{})", threads_, threads_ == 1 ? "" : "s");
  }

  std::shared_ptr<Surface> create_surface(uint32_t width, uint32_t height) override {
    return HostSurface::planar(width, height);
  }
  std::shared_ptr<Surface> wrap_nv12(const Nv12Layout& layout, uint8_t* host, int dmabuf_fd) override {
    return HostSurface::nv12(layout, host, dmabuf_fd);
  }

  void begin_frame(const FrameWork& work) override;
  void residual(const FrameWork& work) override;
  void inter_pred(const FrameWork& work, Surface& dst, Surface* const refs[3]) override;
  void intra_recon(const FrameWork& work, Surface& dst) override;
  void loop_filter(const FrameWork& work, Surface& dst) override;
  void pack_nv12(const Surface& src, Surface& dst_nv12) override;
  void end_frame() override {
    for (int i = 0; i < int(Stage::kCount); ++i) last_[i] = current_[i];
  }
  StageTiming timing(Stage stage) const override { return last_[int(stage)]; }

  void h264_residual(const H264FrameWork& work) override {
    StageClock clock(current_[int(Stage::kResidual)].cpu_ms);
    h264_.residual(work);
  }
  void h264_inter_pred(const H264FrameWork& work, Surface& dst, std::span<Surface* const> refs) override {
    StageClock clock(current_[int(Stage::kInterPred)].cpu_ms);
    h264_.inter_pred(work, dst, refs);
  }
  void h264_intra_recon(const H264FrameWork& work, Surface& dst) override {
    StageClock clock(current_[int(Stage::kIntraRecon)].cpu_ms);
    h264_.intra_recon(work, dst);
  }
  void h264_deblock(const H264FrameWork& work, Surface& dst) override {
    StageClock clock(current_[int(Stage::kLoopFilter)].cpu_ms);
    h264_.deblock(work, dst);
  }
  std::vector<int16_t> h264_residuals() const override { return h264_.residuals(); }

 private:
  void checked_dst(Surface& dst, const FrameWork& work, PlaneView (&planes)[3]) const;
  void add_residual(const PlaneView& v, const dd_tx_block& tx, uint32_t offset) const;
  void predict_block(const FrameWork& work, const dd_block& b, const PlaneView (&dst)[3], Surface* const refs[3]);
  void predict(const PlaneView& ref, int ref_w, int ref_h, const dd_ref_params& rp, const FrameWork& work, int plane,
               int x, int y, int bw, int bh, Mv mv, int px, int py, int pw, int ph, int filter, uint8_t* out,
               bool avg);

  const Vp9Dsp& dsp_ = vp9_dsp_c();
  H264CpuStages h264_;
  std::vector<int16_t> residuals_;
  std::vector<uint32_t> residual_offset_;  // per tx block, kNoResidual if none
  // Fixed when the backend is made (create_cpu_backend); the threads start
  // at the first stage that splits its work.
  const unsigned threads_;
  std::unique_ptr<ForkJoin> pool_;
  // The pool for a frame's stages, or none: frames smaller than 640x360
  // stay on the caller's thread. Splitting them gains little, and beside
  // a big stream (two-clients in the TCG guest) their extra threads compete
  // for the cores with the big frame's, whose loop-filter rows wait on
  // each other.
  ForkJoin* pool_for(const FrameWork& work) {
    if (threads_ < 2 || uint64_t{work.params.mi_cols} * work.params.mi_rows < kMinSplitUnits) return nullptr;
    if (!pool_) pool_ = std::make_unique<ForkJoin>(threads_);
    return pool_.get();
  }
  static constexpr uint64_t kMinSplitUnits = (640 / 8) * (360 / 8);  // 8x8 units
  StageTiming current_[int(Stage::kCount)]{}, last_[int(Stage::kCount)]{};
};

// The decoded-area planes of a stage's destination (stages write only
// inside the decoded area).
void CpuBackend::checked_dst(Surface& dst, const FrameWork& work, PlaneView (&planes)[3]) const {
  vp9::check_frame_params(work.params, kWho);  // the stages may get work that begin_frame did not see
  vp9::check_destination(dst, work.params, kWho);
  for (int pl = 0; pl < 3; ++pl) {
    planes[pl] = plane_view(dst, pl);
    planes[pl].width = int(vp9::decoded_width(work.params, pl));
    planes[pl].height = int(vp9::decoded_height(work.params, pl));
  }
}

void CpuBackend::begin_frame(const FrameWork& work) {
  for (auto& t : current_) t = StageTiming{};
  vp9::check_work(work, kWho);
  residual_offset_.assign(work.tx_blocks.size(), kNoResidual);
  residuals_.clear();
}

// ---------------------------------------------------------------- residual

void CpuBackend::residual(const FrameWork& work) {
  StageClock clock(current_[int(Stage::kResidual)].cpu_ms);
  if (residual_offset_.size() != work.tx_blocks.size()) begin_frame(work);
  const bool lossless = work.params.flags & DD_FRAME_LOSSLESS;
  size_t off = 0;
  for (size_t i = 0; i < work.tx_blocks.size(); ++i) {
    const dd_tx_block& t = work.tx_blocks[i];
    if (!t.eob) continue;
    residual_offset_[i] = static_cast<uint32_t>(off);
    off += size_t{16} << (2 * t.tx_size);
  }
  residuals_.resize(off);
  // Each block's residual has its own place: the transforms run in parallel.
  parallel_chunks(pool_for(work), work.tx_blocks.size(), 256, [&](size_t i) {
    const dd_tx_block& t = work.tx_blocks[i];
    if (!t.eob) return;
    const int type = lossless && t.tx_size == DD_TX_4X4 ? int{DD_TX_WHT_WHT} : int{t.tx_type};
    dsp_.itx[type][t.tx_size](work.coeffs.data() + t.coeff_offset, residuals_.data() + residual_offset_[i]);
  });
}

// Adds a tx block's residual to the (predicted) pixels, clipping to 8 bit;
// rows and columns outside the decoded plane area are not written.
void CpuBackend::add_residual(const PlaneView& v, const dd_tx_block& tx, uint32_t offset) const {
  const int n = 4 << tx.tx_size;
  const int16_t* res = residuals_.data() + offset;
  const int w = std::min(n, v.width - tx.x), h = std::min(n, v.height - tx.y);
  for (int r = 0; r < h; ++r) {
    uint8_t* p = &v.at(tx.x, tx.y + r);
    for (int c = 0; c < w; ++c) p[c] = clip_pixel(p[c] + res[r * n + c]);
  }
}

// ---------------------------------------------------------------- inter

// Motion-compensated prediction of one bw x bh block of one plane at (x, y)
// into out (stride 64), following libavcodec's mc_luma/chroma_(un)scaled:
// reference reads are clamped to the reference's visible plane size (edge
// extension); the position in the reference is vp9::ref_position's.
void CpuBackend::predict(const PlaneView& ref, int ref_w, int ref_h, const dd_ref_params& rp, const FrameWork& work,
                         int plane, int x, int y, int bw, int bh, Mv mv, int px, int py, int pw, int ph, int filter,
                         uint8_t* out, bool avg) {
  const bool scaled = vp9::is_scaled(rp);
  const auto [pos_x, pos_y, dx, dy] = vp9::ref_position(rp, work.params, plane, x, y, mv, px, py, pw, ph);
  const int ix = pos_x >> 4, iy = pos_y >> 4, mx = pos_x & 15, my = pos_y & 15;
  // Edge-extended copy of the reference area the filter reads; per call, as
  // blocks are predicted on several threads. At most 134 x 134: a 64-pixel
  // block at VP9's largest step (2:1, dx = 32).
  constexpr int kMaxNeed = ((63 * 32 + 15) >> 4) + 8;
  const int need_w = (((bw - 1) * dx + mx) >> 4) + 8;
  const int need_h = (((bh - 1) * dy + my) >> 4) + 8;
  if (need_w > kMaxNeed || need_h > kMaxNeed || bw > 64 || bh > 64)
    throw Error(fmt::format("cpu backend: {}x{} block with a 1/16 step of {}/{} reads beyond the edge buffer", bw, bh,
                            dx, dy));
  uint8_t edge_buf[kMaxNeed * kMaxNeed];
  const uint8_t* src;
  ptrdiff_t src_stride;
  const bool inside = ix - 3 >= 0 && iy - 3 >= 0 && ix - 3 + need_w <= ref_w && iy - 3 + need_h <= ref_h;
  if (inside && ref.step == 1) {
    src = &ref.at(ix, iy);  // entirely inside: clamping would change nothing
    src_stride = ref.stride;
  } else if (inside) {
    // Entirely inside an interleaved plane (the Cb or Cr half of an NV12
    // CAPTURE buffer, which is what every chroma reference of the daemon
    // is): gathered into a tight block, without the per-pixel clamps.
    const auto gather = [&](auto step) {
      for (int r = 0; r < need_h; ++r) {
        const uint8_t* s = &ref.at(ix - 3, iy - 3 + r);
        uint8_t* row = edge_buf + r * need_w;
        for (int c = 0; c < need_w; ++c) row[c] = s[c * step];
      }
    };
    if (ref.step == 2)
      gather(std::integral_constant<int, 2>{});
    else
      gather(ref.step);
    src = edge_buf + 3 * need_w + 3;
    src_stride = need_w;
  } else {
    for (int r = 0; r < need_h; ++r) {
      const int sy = std::clamp(iy - 3 + r, 0, ref_h - 1);
      uint8_t* row = edge_buf + r * need_w;
      for (int c = 0; c < need_w; ++c) row[c] = ref.at(std::clamp(ix - 3 + c, 0, ref_w - 1), sy);
    }
    src = edge_buf + 3 * need_w + 3;
    src_stride = need_w;
  }
  if (!scaled)
    (avg ? dsp_.mc_avg : dsp_.mc_put)(out, 64, src, src_stride, bw, bh, mx, my, filter);
  else
    (avg ? dsp_.smc_avg : dsp_.smc_put)(out, 64, src, src_stride, bw, bh, mx, my, dx, dy, filter);
}

void CpuBackend::predict_block(const FrameWork& work, const dd_block& b, const PlaneView (&dst)[3],
                               Surface* const refs[3]) {
  const int nrefs = (b.flags & DD_BLOCK_COMPOUND) ? 2 : 1;
  const bool sub8x8 = vp9::is_sub8x8(b);
  alignas(16) uint8_t pred[64 * 64];
  for (int plane = 0; plane < 3; ++plane) {
    const bool chroma = plane > 0;
    const int ssx = chroma ? work.params.ss_x : 0, ssy = chroma ? work.params.ss_y : 0;
    const int x = b.x >> ssx, y = b.y >> ssy;
    const int bw = vp9::pred_width(b, ssx), bh = vp9::pred_height(b, ssy);
    for (int i = 0; i < nrefs; ++i) {
      Surface* rs = refs[b.ref[i]];
      if (!rs) vp9::missing_reference(b, b.ref[i], kWho);
      const dd_ref_params& rp = work.params.refs[b.ref[i]];
      const PlaneView ref = plane_view(*rs, plane);
      const auto [ref_w, ref_h] = vp9::ref_read_area(ref.width, ref.height, rp, ssx, ssy, kWho);
      const bool avg = i == 1;
      if (!sub8x8) {
        const Mv mv{b.mv[0][i][0], b.mv[0][i][1]};
        predict(ref, ref_w, ref_h, rp, work, plane, x, y, bw, bh, mv, 0, 0, bw, bh, b.interp_filter, pred, avg);
      } else if (!chroma || (!ssx && !ssy)) {
        // Each 4x4 with its own vector (libavcodec predicts 8x4 / 4x8 pairs
        // as one block when unscaled, which is the same per pixel).
        for (int k = 0; k < 4; ++k) {
          const int ox = (k & 1) * 4, oy = (k >> 1) * 4;
          const Mv mv{b.mv[k][i][0], b.mv[k][i][1]};
          predict(ref, ref_w, ref_h, rp, work, plane, x + ox, y + oy, 4, 4, mv, ox, oy, 8, 8, b.interp_filter,
                  pred + oy * 64 + ox, avg);
        }
      } else {
        // 4:2:0 chroma of a sub-8x8 block: one 4x4 block with the rounded
        // average of the four luma vectors.
        const Mv mv = vp9::sub8x8_chroma_mv(b, i);
        predict(ref, ref_w, ref_h, rp, work, plane, x, y, bw, bh, mv, 0, 0, bw, bh, b.interp_filter, pred, avg);
      }
    }
    const PlaneView& d = dst[plane];
    const int w = std::min(bw, d.width - x), h = std::min(bh, d.height - y);
    for (int r = 0; r < h; ++r) std::memcpy(&d.at(x, y + r), pred + r * 64, size_t(std::max(w, 0)));
  }
}

void CpuBackend::inter_pred(const FrameWork& work, Surface& dst, Surface* const refs[3]) {
  StageClock clock(current_[int(Stage::kInterPred)].cpu_ms);
  if (residual_offset_.size() != work.tx_blocks.size())
    throw Error("cpu backend: inter_pred called without begin_frame/residual for this work");
  PlaneView d[3];
  checked_dst(dst, work, d);
  std::vector<std::unique_ptr<CpuAccess>> access;  // references may be mapped dmabufs
  for (int i = 0; i < 3; ++i)
    if (refs[i] && std::find(refs, refs + i, refs[i]) == refs + i)
      access.push_back(std::make_unique<CpuAccess>(*refs[i], false));
  // Blocks cover disjoint pixels and read only the references: predicted
  // in parallel; then, every prediction in place, the residuals are added
  // (tx blocks are disjoint too).
  parallel_chunks(pool_for(work), work.blocks.size(), 64, [&](size_t i) {
    if (work.blocks[i].flags & DD_BLOCK_INTER) predict_block(work, work.blocks[i], d, refs);
  });
  parallel_chunks(pool_for(work), work.tx_blocks.size(), 256, [&](size_t i) {
    const dd_tx_block& t = work.tx_blocks[i];
    if (t.mode == DD_MODE_INTER && residual_offset_[i] != kNoResidual) add_residual(d[t.plane], t, residual_offset_[i]);
  });
}

// ---------------------------------------------------------------- intra

namespace {

// VP9's edge substitution (libvpx build_intra_predictors / libavcodec
// check_intra_mode): unavailable above row = 127, unavailable left = 129,
// above-left = 129 without left, 127 without above; above pixels at or beyond
// the decoded plane width repeat the last decoded one, left pixels beyond
// the decoded height repeat the last one; the above-right half is read only
// for 4x4 transforms that have it, otherwise it repeats above[n - 1].
// Returns the predictor slot (DC variants for missing edges).
int build_edges(const PlaneView& v, const dd_tx_block& t, uint8_t* above, uint8_t* left) {
  const int n = 4 << t.tx_size;
  const bool have_left = (t.flags & DD_TX_HAVE_LEFT) && t.x > 0;
  const bool have_above = (t.flags & DD_TX_HAVE_ABOVE) && t.y > 0;
  const bool have_ar = have_above && (t.flags & DD_TX_HAVE_ABOVE_RIGHT) && t.tx_size == DD_TX_4X4;
  const int max_x = v.width - 1, max_y = v.height - 1;
  if (have_above) {
    const uint8_t* row = &v.at(0, t.y - 1);
    for (int i = 0; i < n; ++i) above[i] = row[std::min(t.x + i, max_x)];
    for (int i = n; i < 2 * n; ++i) above[i] = have_ar ? row[std::min(t.x + i, max_x)] : above[n - 1];
    above[-1] = have_left ? row[t.x - 1] : 129;
  } else {
    std::memset(above - 1, 127, size_t(2 * n + 1));
  }
  if (have_left) {
    for (int i = 0; i < n; ++i) left[i] = v.at(t.x - 1, std::min(t.y + i, max_y));
  } else {
    std::memset(left, 129, size_t(n));
  }
  if (t.mode == DD_DC_PRED) {
    if (!have_left && !have_above) return kIntraDc128;
    if (!have_left) return kIntraDcTop;
    if (!have_above) return kIntraDcLeft;
  }
  return t.mode;
}

}  // namespace

void CpuBackend::intra_recon(const FrameWork& work, Surface& dst) {
  StageClock clock(current_[int(Stage::kIntraRecon)].cpu_ms);
  if (residual_offset_.size() != work.tx_blocks.size())
    throw Error("cpu backend: intra_recon called without begin_frame/residual for this work");
  PlaneView d[3];
  checked_dst(dst, work, d);
  alignas(16) uint8_t above_buf[16 + 64];
  uint8_t* above = above_buf + 16;
  uint8_t left[32];
  alignas(16) uint8_t pred[32 * 32];
  for (size_t i = 0; i < work.tx_blocks.size(); ++i) {
    const dd_tx_block& t = work.tx_blocks[i];
    if (t.mode == DD_MODE_INTER) continue;
    const PlaneView& v = d[t.plane];
    const int n = 4 << t.tx_size;
    const int slot = build_edges(v, t, above, left);
    // Predict into a scratch block so that parts beyond the decoded area are
    // never written (libavcodec predicts those into a temporary as well).
    dsp_.intra_pred[slot][t.tx_size](pred, 32, above, left);
    const int w = std::min(n, v.width - t.x), h = std::min(n, v.height - t.y);
    for (int r = 0; r < h; ++r) std::memcpy(&v.at(t.x, t.y + r), pred + r * 32, size_t(w));
    if (residual_offset_[i] != kNoResidual) add_residual(v, t, residual_offset_[i]);
  }
}

// ---------------------------------------------------------------- loop filter

void CpuBackend::loop_filter(const FrameWork& work, Surface& dst) {
  StageClock clock(current_[int(Stage::kLoopFilter)].cpu_ms);
  const dd_frame_params& p = work.params;
  // loop_filter may run on work begin_frame did not see; checked before any
  // thread starts, as the filtering below must not throw (a thread waiting
  // for a row that stopped would wait forever).
  vp9::check_loop_filter_units(work, kWho);
  PlaneView d[3];
  checked_dst(dst, work, d);
  LpfLimits limits[64];
  for (int l = 0; l < 64; ++l) limits[l] = lpf_limits(l, int(p.sharpness & 7));
  auto size_index = [](int size) { return size == 16 ? 2 : size == 8 ? 1 : 0; };
  const int sb_cols = int(p.mi_cols + 7) / 8, sb_rows = int(p.mi_rows + 7) / 8;
  const auto filter_superblock = [&](int sby, int sbx) {
    for (int pl = 0; pl < 3; ++pl) {
      const std::vector<dd_lf_unit>& grid = work.lf[pl];
      if (grid.empty()) continue;
      const PlaneView& v = d[pl];
      const int ssx = pl ? int(p.ss_x) : 0, ssy = pl ? int(p.ss_y) : 0;
      const int units_x = 16 >> ssx, units_y = 16 >> ssy;
      const int cols = int(p.lf_cols[pl]), rows = int(p.lf_rows[pl]);
      const int ux0 = sbx * units_x, uy0 = sby * units_y;
      const int ux1 = std::min(ux0 + units_x, cols), uy1 = std::min(uy0 + units_y, rows);
      // All vertical edges of the superblock (left to right within each
      // row of units), then all horizontal edges (top to bottom).
      for (int pass = 0; pass < 2; ++pass) {
        for (int uy = uy0; uy < uy1; ++uy) {
          for (int ux = ux0; ux < ux1; ++ux) {
            const dd_lf_unit& u = grid[size_t(uy) * cols + ux];
            const int size = pass == 0 ? u.left_size : u.top_size;
            if (!size || !u.level) continue;
            const int x = ux * 4, y = uy * 4;
            const int reach = size == 16 ? 8 : 4;  // pixels read on each side
            const LpfLimits& lim = limits[u.level];
            if (pass == 0) {
              if (x < reach || x + reach > v.width || y >= v.height) continue;
              const int count = std::min(4, v.height - y);
              dsp_.lpf_v[size_index(size)](&v.at(x, y), v.stride, count, lim.blimit, lim.limit, lim.thresh);
            } else {
              if (y < reach || y + reach > v.height || x >= v.width) continue;
              const int count = std::min(4, v.width - x);
              dsp_.lpf_h[size_index(size)](&v.at(x, y), v.stride, count, lim.blimit, lim.limit, lim.thresh);
            }
          }
        }
      }
    }
  };
  // Superblocks in raster order, as VP9 defines the result. With threads,
  // whole rows go to threads in order, and a superblock waits until the one
  // above-right of it is done: the filters reach 8 pixels across an edge,
  // so that is the last superblock of the row above whose pixels it shares.
  ForkJoin* pool = pool_for(work);
  if (!pool || sb_rows == 1) {
    for (int sby = 0; sby < sb_rows; ++sby)
      for (int sbx = 0; sbx < sb_cols; ++sbx) filter_superblock(sby, sbx);
    return;
  }
  std::vector<std::atomic<int>> done(static_cast<size_t>(sb_rows));  // superblocks finished per row
  std::atomic<int> next_row{0};
  pool->run([&](unsigned) {
    for (int sby; (sby = next_row.fetch_add(1, std::memory_order_relaxed)) < sb_rows;) {
      for (int sbx = 0; sbx < sb_cols; ++sbx) {
        if (sby > 0) {
          const int need = std::min(sbx + 2, sb_cols);
          for (int seen; (seen = done[size_t(sby) - 1].load(std::memory_order_acquire)) < need;)
            done[size_t(sby) - 1].wait(seen, std::memory_order_acquire);
        }
        filter_superblock(sby, sbx);
        done[size_t(sby)].store(sbx + 1, std::memory_order_release);
        done[size_t(sby)].notify_all();
      }
    }
  });
}

// ---------------------------------------------------------------- pack

void CpuBackend::pack_nv12(const Surface& src_c, Surface& dst) {
  StageClock clock(current_[int(Stage::kPackNv12)].cpu_ms);
  Surface& src = const_cast<Surface&>(src_c);  // read only; plane_view needs host_data()
  if (dst.format() != SurfaceFormat::kNv12) throw Error("cpu backend: pack_nv12 needs an NV12 destination");
  const CpuAccess access(dst, true);
  const PlaneView dy = plane_view(dst, 0), du = plane_view(dst, 1), dv = plane_view(dst, 2);
  const PlaneView sy = plane_view(src, 0), su = plane_view(src, 1), sv = plane_view(src, 2);
  if (sy.width < dy.width || sy.height < dy.height || su.width < du.width || su.height < du.height ||
      sv.width < dv.width || sv.height < dv.height)
    throw Error(fmt::format("cpu backend: pack_nv12 source {}x{} is smaller than the NV12 picture {}x{}", sy.width,
                            sy.height, dy.width, dy.height));
  for (int r = 0; r < dy.height; ++r) {
    if (dy.step == 1 && sy.step == 1) {
      std::memcpy(&dy.at(0, r), &sy.at(0, r), size_t(dy.width));
    } else {
      for (int c = 0; c < dy.width; ++c) dy.at(c, r) = sy.at(c, r);
    }
  }
  for (int r = 0; r < du.height; ++r) {
    if (du.step == 2 && dv.data == du.data + 1 && su.step == 1 && sv.step == 1) {
      // Planar source to NV12 (the CAPTURE layout): plain pointers, so that
      // the interleave vectorizes.
      uint8_t* d = &du.at(0, r);
      const uint8_t *u = &su.at(0, r), *v = &sv.at(0, r);
      for (int c = 0; c < du.width; ++c) {
        d[2 * c] = u[c];
        d[2 * c + 1] = v[c];
      }
    } else {
      for (int c = 0; c < du.width; ++c) {
        du.at(c, r) = su.at(c, r);
        dv.at(c, r) = sv.at(c, r);
      }
    }
  }
}

}  // namespace
}  // namespace cpu

std::unique_ptr<Backend> create_cpu_backend(unsigned threads) {
  if (threads > 16) throw Error(fmt::format("cpu backend: {} stage threads (at most 16)", threads));
  return std::make_unique<cpu::CpuBackend>(threads ? threads : default_threads());
}

}  // namespace daedalus::dispatch
