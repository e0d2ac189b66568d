// SPDX-License-Identifier: MIT
// The daedalus_dispatch_* stage API. A decoder's CPU part produces a
// FrameWork (work.h records); a Backend reconstructs the picture from it in
// these stages, in this order per frame:
//
//   daedalus_dispatch_residual    dequantised coefficients -> residuals
//                                 (inverse DCT/ADST/WHT), all tx blocks in
//                                 parallel
//   daedalus_dispatch_inter_pred  motion-compensated prediction of inter
//                                 blocks from reference surfaces, plus their
//                                 residual
//   daedalus_dispatch_intra_recon intra prediction + residual add of intra
//                                 tx blocks, in an order that respects
//                                 their dependencies (a wavefront on GPUs)
//   daedalus_dispatch_loop_filter deblocking in VP9's exact edge order
//   daedalus_dispatch_pack_nv12   planar surface -> NV12 Y and CbCr planes
//
// The CPU backend (dispatch/cpu) is the reference: every other backend must
// be bit-exact with it, which tools/daedalus-checkasm proves stage by stage.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "daedalus/dispatch/h264_work.h"
#include "daedalus/dispatch/work.h"

namespace daedalus::dispatch {

enum class Stage { kResidual, kInterPred, kIntraRecon, kLoopFilter, kPackNv12, kCount };
std::string_view stage_name(Stage stage);

// The arrays of one frame's work description.
struct FrameWork {
  dd_frame_params params{};
  std::vector<dd_block> blocks;
  std::vector<dd_tx_block> tx_blocks;
  std::vector<int16_t> coeffs;
  std::vector<dd_lf_unit> lf[3];

  void clear();
};

// The arrays of one H.264 picture's work description (h264_work.h).
struct H264FrameWork {
  dd_h264_frame_params params{};
  std::vector<dd_h264_mb> mbs;
  std::vector<int16_t> coeffs;  // H264_MB_COEFFS per macroblock
  // P pictures: the motion-compensated blocks, and per macroblock what the
  // deblocking filter needs of their motion (empty in intra pictures).
  std::vector<dd_h264_inter_block> inter;
  std::vector<dd_h264_mb_motion> motion;
};

// Where the bytes of one plane live inside a surface's memory. `step` is 2
// for the interleaved CbCr plane of an NV12 surface (U at offset, V at
// offset + 1), 1 otherwise.
struct PlaneLayout {
  uint64_t offset = 0;
  uint32_t stride = 0;
  uint32_t step = 1;
  uint32_t width = 0;   // in samples of this plane
  uint32_t height = 0;
};

enum class SurfaceFormat { kPlanar420, kNv12 };

// A picture in backend memory. Decoders allocate planar 4:2:0 surfaces
// covering the whole decoded area (mi_cols*8 x mi_rows*8) for the frame
// being reconstructed; references may be planar surfaces or NV12 buffers
// (e.g. V4L2 CAPTURE dmabufs), since inter prediction only reads the
// visible area.
class Surface {
 public:
  virtual ~Surface() = default;
  SurfaceFormat format() const { return format_; }
  const PlaneLayout& plane(int p) const { return planes_[p]; }
  int num_planes() const { return format_ == SurfaceFormat::kNv12 ? 2 : 3; }
  // Host pointer to the surface's memory (all backends here have
  // host-visible memory; on V3DV it is the one memory type). Valid until
  // the surface is destroyed. Only touch it between frames.
  virtual uint8_t* host_data() = 0;
  virtual uint64_t size_bytes() const = 0;
  // True when a wrap_nv12 surface works on a copy of the caller's memory
  // (synced at frame boundaries) instead of in place, e.g. a dmabuf the
  // Vulkan backend could not import. Lets callers log which path they got.
  virtual bool staged_copy() const { return false; }

 protected:
  SurfaceFormat format_ = SurfaceFormat::kPlanar420;
  PlaneLayout planes_[3];
};

// NV12 destination description: two planes in one buffer, as V4L2 CAPTURE
// single-planar NV12 and GStreamer expect.
struct Nv12Layout {
  uint32_t width = 0, height = 0;   // visible size
  uint32_t y_offset = 0, y_stride = 0;
  uint32_t uv_offset = 0, uv_stride = 0;
  uint64_t size_bytes = 0;

  // One buffer without padding: Y rows of `width` bytes, then CbCr rows of
  // 2 * ceil(width / 2) bytes (media::Nv12Frame's and ffmpeg's nv12 bytes).
  static Nv12Layout tight(uint32_t width, uint32_t height) {
    Nv12Layout l;
    l.width = width;
    l.height = height;
    l.y_stride = width;
    l.uv_offset = width * height;
    l.uv_stride = 2 * ((width + 1) / 2);
    l.size_bytes = uint64_t{l.uv_offset} + uint64_t{l.uv_stride} * ((height + 1) / 2);
    return l;
  }
};

struct StageTiming {
  double cpu_ms = 0;   // wall time spent in the stage call on the host
  double gpu_ms = -1;  // device time from timestamp queries; -1 if none
};

// Where a frame's time went outside its stages' own recording: a backend
// that defers work to end_frame() spends it there (-1: not measured).
struct FrameTiming {
  double begin_ms = -1;     // begin_frame(): planning and uploading the work
  double wait_ms = -1;      // end_frame(): submit until the device finished
  double gpu_span_ms = -1;  // first stage's start to last stage's end on the device
  double finish_ms = -1;    // end_frame() after the wait: results back to the host
};

// One compute dispatch of a frame as a GPU backend recorded it: what a
// model of another GPU needs to project the frame's time there
// (bench/pi5_model.py, with the V3D compiler's statistics of the same
// pipeline). level: barriers recorded before it in the frame (dispatches of
// one level may run together, each level waits for the one before); steps:
// the (level, workgroup) steps its one workgroup walks, for an intra chain
// (intra_recon.comp's walk_chain), 1 otherwise. loop_trips: for a shader
// whose work lies in data-dependent loops, per loop of its program (in
// program order, as bench/pi5_model.py reads them against the compiler's
// loop list), the iterations its 16-lane batches run, summed over the
// dispatch's batches; a batch runs a loop as often as its busiest lane.
// num_loop_trips is 0 where the backend does not count them (only with
// VulkanOptions::count_loop_trips).
struct DispatchRecord {
  static constexpr int kMaxLoops = 4;
  // The pipeline's label (its shader module), as in build/v3d/stats.json;
  // static storage the backend's code owns, valid as long as the program.
  std::string_view pipeline;
  uint32_t groups = 0, invocations_per_group = 0, level = 0, steps = 1;
  uint32_t num_loop_trips = 0;
  std::array<uint64_t, kMaxLoops> loop_trips{};
};

class Backend {
 public:
  virtual ~Backend() = default;
  virtual std::string name() const = 0;
  // False once the backend gave up on its device (a GPU frame that never
  // finished): every later frame fails, so do not keep it for reuse.
  virtual bool usable() const { return true; }
  // Longest end_frame() waits for the device before it gives the device up
  // (the frame throws, usable() turns false, and whatever the device may
  // still be using is leaked rather than freed under it). Backends without
  // a device ignore it.
  static constexpr std::chrono::milliseconds kDefaultFrameTimeout{60'000};
  virtual void set_frame_timeout(std::chrono::milliseconds) {}
  virtual std::chrono::milliseconds frame_timeout() const { return kDefaultFrameTimeout; }

  // A planar 4:2:0 surface of the given luma size, zero-filled.
  virtual std::shared_ptr<Surface> create_surface(uint32_t width, uint32_t height) = 0;
  // An NV12 surface over memory the caller owns. host != nullptr: plain
  // memory. dmabuf_fd >= 0: imported in place (Vulkan:
  // VK_EXT_external_memory_dma_buf); a backend that cannot import falls back
  // to a copy and logs it once. The fd stays owned by the caller. Neither:
  // zero-filled memory of the backend's own, read through host_data()
  // between frames (a decoder's output for callers that take bytes).
  virtual std::shared_ptr<Surface> wrap_nv12(const Nv12Layout& layout, uint8_t* host, int dmabuf_fd) = 0;

  // Makes room for frames up to width x height ahead of the first one: the
  // per-frame work buffers at their worst-case size and one planar surface
  // for create_surface(), allocated and touched now. Without it a context's
  // first frame pays for both, page faults included (docs/perf-log/
  // 2026-12.md). Backends without such buffers ignore it.
  virtual void reserve(uint32_t /*width*/, uint32_t /*height*/) {}

  // One frame: begin, the stages in order, end. A backend may defer work
  // until end_frame() (Vulkan records one command buffer and submits once);
  // after end_frame() returns, all surfaces hold their results.
  virtual void begin_frame(const FrameWork& work) = 0;
  virtual void residual(const FrameWork& work) = 0;
  virtual void inter_pred(const FrameWork& work, Surface& dst, Surface* const refs[3]) = 0;
  virtual void intra_recon(const FrameWork& work, Surface& dst) = 0;
  virtual void loop_filter(const FrameWork& work, Surface& dst) = 0;
  virtual void pack_nv12(const Surface& src, Surface& dst_nv12) = 0;
  virtual void end_frame() = 0;

  // The H.264 stage family (h264_work.h), one picture in this order:
  // dequantised coefficients -> residuals (DC Hadamards, 4x4 / 8x8
  // transforms), then intra prediction + residual in macroblock raster
  // order, then the deblocking filter; pack_nv12 after them as for VP9.
  // `dst` is a planar surface of mb_cols*16 x mb_rows*16. A backend
  // without them throws daedalus::Error naming itself.
  virtual void h264_residual(const H264FrameWork& work);
  // P pictures, before h264_intra_recon: the prediction of every inter
  // block from refs[block.ref] (surfaces of the same size as dst).
  virtual void h264_inter_pred(const H264FrameWork& work, Surface& dst, std::span<Surface* const> refs);
  virtual void h264_intra_recon(const H264FrameWork& work, Surface& dst);
  virtual void h264_deblock(const H264FrameWork& work, Surface& dst);
  // For daedalus-checkasm: the residuals of the last frame's h264_residual
  // after end_frame(), DD_H264_RES_PER_MB per macroblock in the layout of
  // h264_shared.h (an I_PCM macroblock's are unspecified). Empty where the
  // backend has no H.264 stages.
  virtual std::vector<int16_t> h264_residuals() const { return {}; }

  // Per-stage timing of the last completed frame.
  virtual StageTiming timing(Stage stage) const = 0;
  // The last completed frame's time outside the stage calls.
  virtual FrameTiming frame_timing() const { return {}; }
  // The dispatches of the last frame begun, in recording order (empty for
  // a backend that records none).
  virtual std::vector<DispatchRecord> frame_dispatches() const { return {}; }
};

enum class BackendKind { kCpu, kVulkan };
// The Vulkan backend's settings. The library reads no environment: programs
// set these from their flags, and from DAEDALUS_VK_* variables at their top
// level (tools/settings/).
struct VulkanOptions {
  // Khronos validation layer with synchronization validation; warnings and
  // errors are counted (tests and checkasm require none).
  bool validation = false;
  std::string device_name;  // a substring of the device's name; empty: the first device
  // Never import dmabufs (always the staging copy): for tests and for
  // drivers whose import misbehaves.
  bool no_dmabuf_import = false;
  // Capture the driver's per-pipeline statistics
  // (VK_KHR_pipeline_executable_properties) where the device has them: for
  // tests/v3d/ (V3DV's compiler).
  bool pipeline_stats = false;
  // Frame each pipeline creation on stderr ("daedalus-pipeline begin/stat/
  // end" lines) so that what the driver prints can be attributed to it.
  bool pipeline_log = false;
  bool frame_stats = false;  // per-frame dispatch/barrier/level/job counts on stderr
  // Count DispatchRecord::loop_trips (bench/pi5_model.py's projection): a
  // walk over the frame's plan on the recording path, so off when decoding.
  bool count_loop_trips = false;
  // Intra levels of at most this many workgroups are chained (walked by
  // one workgroup; 0: a dispatch per level).
  static constexpr uint32_t kDefaultIntraChainMaxGroups = 2;
  uint32_t intra_chain_max_groups = kDefaultIntraChainMaxGroups;
};
struct BackendOptions {
  // CPU backend: threads for its stages (1..16); 0: default_threads()
  // (threads.h).
  unsigned cpu_threads = 0;
  VulkanOptions vulkan;
};
// Throws daedalus::Error if the backend is unavailable (e.g. no Vulkan
// device), with a message that says why.
std::unique_ptr<Backend> create_backend(BackendKind kind, const BackendOptions& options = {});

// Runs a small synthetic key frame and inter frame through every stage (and
// both NV12 packing paths), so that drivers which compile shader code on
// first use rather than at pipeline creation (llvmpipe/lavapipe) do it now,
// not on a client's first frame. Returns the milliseconds it took. Throws
// daedalus::Error if a stage fails. Its frames may wait up to
// `frame_timeout` each (compiling is slow: minutes for lavapipe under QEMU
// TCG); the backend's own timeout is restored afterwards.
double warm_up(Backend& backend, std::chrono::milliseconds frame_timeout = std::chrono::minutes(20));

}  // namespace daedalus::dispatch

// The stage entry points under their project-wide names.
inline void daedalus_dispatch_residual(daedalus::dispatch::Backend& b, const daedalus::dispatch::FrameWork& w) {
  b.residual(w);
}
inline void daedalus_dispatch_inter_pred(daedalus::dispatch::Backend& b, const daedalus::dispatch::FrameWork& w,
                                         daedalus::dispatch::Surface& dst,
                                         daedalus::dispatch::Surface* const refs[3]) {
  b.inter_pred(w, dst, refs);
}
inline void daedalus_dispatch_intra_recon(daedalus::dispatch::Backend& b, const daedalus::dispatch::FrameWork& w,
                                          daedalus::dispatch::Surface& dst) {
  b.intra_recon(w, dst);
}
inline void daedalus_dispatch_loop_filter(daedalus::dispatch::Backend& b, const daedalus::dispatch::FrameWork& w,
                                          daedalus::dispatch::Surface& dst) {
  b.loop_filter(w, dst);
}
inline void daedalus_dispatch_pack_nv12(daedalus::dispatch::Backend& b, const daedalus::dispatch::Surface& src,
                                        daedalus::dispatch::Surface& dst) {
  b.pack_nv12(src, dst);
}
