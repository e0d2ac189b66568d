// SPDX-License-Identifier: MIT
#include "vp9_stateless_job.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <linux/v4l2-controls.h>
#include <linux/videodev2.h>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "daedalus/error.h"
#include "dmabuf_mapping.h"
#include "nv12_writer.h"

#ifdef DAEDALUS_HAVE_VP9
#include "daedalus/dispatch/dispatch.h"
#include "stateless_decoder.h"
#endif

namespace daedalus::bridge {

#ifdef DAEDALUS_HAVE_VP9

namespace {

// Backends of closed contexts, kept for the next ones: creating a Vulkan
// backend compiles every pipeline, which takes seconds, more under
// emulation. Never destroyed: backends may outlive main() harmlessly, but not
// their drivers' static teardown.
struct BackendPool {
  std::mutex mutex;
  std::map<dispatch::BackendKind, std::vector<std::unique_ptr<dispatch::Backend>>> idle;
};
BackendPool& backend_pool() {
  static auto* pool = new BackendPool;
  return *pool;
}

// At most this many idle backends per kind: enough for the contexts a
// desktop opens and closes in bursts, without holding GPU memory forever.
constexpr size_t kMaxIdleBackends = 4;

// Keeps a usable backend for the next context; drops the rest.
void park_backend(dispatch::BackendKind kind, std::unique_ptr<dispatch::Backend> backend) {
  if (!backend || !backend->usable()) return;
  BackendPool& pool = backend_pool();
  std::lock_guard lock(pool.mutex);
  auto& idle = pool.idle[kind];
  if (idle.size() < kMaxIdleBackends) idle.push_back(std::move(backend));
}

std::unique_ptr<dispatch::Backend> take_parked_backend(dispatch::BackendKind kind) {
  BackendPool& pool = backend_pool();
  std::lock_guard lock(pool.mutex);
  auto& idle = pool.idle[kind];
  if (idle.empty()) return nullptr;
  auto backend = std::move(idle.back());
  idle.pop_back();
  return backend;
}

}  // namespace

// --decoder daedalus, VP9: one context's backend, stateless decoder and
// CAPTURE imports.
struct Vp9Stateless final : JobDecoder {
  ~Vp9Stateless() override {
    if (refs_in_place + refs_copied)
      spdlog::info("ctx {}: references read in place {} times, copied {} times", ctx_id, refs_in_place, refs_copied);
    kept.clear();  // the imports go before the backend is parked
    decoder.reset();
    park_backend(kind, std::move(backend));
  }
  JobResult decode(KernelChannel& channel, const DecodeRequest& req) override;
  // Vulkan imports CAPTURE dmabufs as external memory; the CPU backend maps them.
  bool imports_dmabufs() const { return kind == dispatch::BackendKind::kVulkan; }

  uint32_t ctx_id = 0;
  dispatch::BackendKind kind = dispatch::BackendKind::kCpu;
  std::unique_ptr<dispatch::Backend> backend;
  std::unique_ptr<vp9::StatelessDecoder> decoder;
  // What the log said last about how CAPTURE buffers reach the backend.
  std::optional<bool> logged_dst_in_place, logged_ref_in_place;
  bool logged_nv12m = false;

  // CAPTURE buffers this context decoded into, as the backend imported
  // them, by the kernel's memory id (GET_BUF_ID) and layout: a destination
  // that comes back is not exported and imported again, and a reference is
  // read through the import of the job that decoded it, instead of a
  // read-only export per job that lavapipe cannot import (a staging copy of
  // every reference, every frame, a large part of an inter frame's time in
  // the QEMU guest: docs/perf-log/2026-12.md). Most recently used last; a kept import holds the
  // client's memory, so they are bounded (GStreamer's VP9 pool is 14).
  struct KeptImport {
    uint64_t id;
    dispatch::Nv12Layout layout;  // size_bytes aside
    std::shared_ptr<dispatch::Surface> surface;
  };
  static constexpr size_t kMaxKeptImports = 32;
  std::vector<KeptImport> kept;
  bool ids_unsupported = false;  // the module answered ENOTTY
  uint64_t refs_in_place = 0, refs_copied = 0;  // reference surfaces over the context's life

  // The CAPTURE format each frame was written with, by timestamp, most
  // recent last: a reference is read with the layout it was written in.
  // After a resolution change inside the stream (S_FMT on OUTPUT with
  // buffers allocated, docs/kernel.md) the destination's buffers have
  // another size and stride than the references' (VP9 predicts from
  // references of another size). Bounded: VP9 keeps 8 references.
  struct WrittenFormat {
    uint64_t timestamp;
    daedalus_capture_format format;
  };
  static constexpr size_t kMaxWrittenFormats = 32;
  std::vector<WrittenFormat> written;
  void wrote(uint64_t timestamp, const daedalus_capture_format& f) {
    std::erase_if(written, [&](const WrittenFormat& w) { return w.timestamp == timestamp; });
    if (written.size() >= kMaxWrittenFormats) written.erase(written.begin());
    written.push_back({timestamp, f});
  }
  const daedalus_capture_format* written_format(uint64_t timestamp) const {
    for (const WrittenFormat& w : written)
      if (w.timestamp == timestamp) return &w.format;
    return nullptr;
  }

  static bool same_layout(const dispatch::Nv12Layout& a, const dispatch::Nv12Layout& b) {
    return a.width == b.width && a.height == b.height && a.y_offset == b.y_offset && a.y_stride == b.y_stride &&
           a.uv_offset == b.uv_offset && a.uv_stride == b.uv_stride;
  }
  std::shared_ptr<dispatch::Surface> find_kept(uint64_t id, const dispatch::Nv12Layout& l) {
    for (size_t i = 0; i < kept.size(); ++i) {
      if (kept[i].id != id || !same_layout(kept[i].layout, l)) continue;
      std::rotate(kept.begin() + long(i), kept.begin() + long(i) + 1, kept.end());  // now most recent
      return kept.back().surface;
    }
    return nullptr;
  }
  void keep(uint64_t id, const dispatch::Nv12Layout& l, std::shared_ptr<dispatch::Surface> surface) {
    // Stale: other layouts of the same memory (an earlier frame size), and
    // buffers of another CAPTURE format (the client reallocated them: what
    // we kept of the old ones holds their memory until dropped here).
    std::erase_if(kept, [&](const KeptImport& k) {
      return k.id == id || k.layout.y_offset != l.y_offset || k.layout.y_stride != l.y_stride ||
             k.layout.uv_offset != l.uv_offset || k.layout.uv_stride != l.uv_stride;
    });
    if (kept.size() >= kMaxKeptImports) kept.erase(kept.begin());
    kept.push_back({id, l, std::move(surface)});
  }
};

std::unique_ptr<JobDecoder> make_vp9_stateless_decoder(uint32_t ctx_id, dispatch::BackendKind kind,
                                                       const dispatch::BackendOptions& options,
                                                       unsigned entropy_threads) {
  auto s = std::make_unique<Vp9Stateless>();
  s->ctx_id = ctx_id;
  s->kind = kind;
  s->backend = take_parked_backend(kind);
  try {
    if (!s->backend) s->backend = dispatch::create_backend(kind, options);
  } catch (const Error& e) {
    throw JobError(-ENOSYS, fmt::format("--decoder daedalus: {}", e.what()));
  }
  s->decoder = std::make_unique<vp9::StatelessDecoder>(*s->backend);
  if (entropy_threads) s->decoder->set_entropy_threads(entropy_threads);
  spdlog::info("ctx {}: VP9 stateless decoder on the {} backend", ctx_id, s->backend->name());
  return s;
}

double prewarm_vp9_backend(dispatch::BackendKind kind, const dispatch::BackendOptions& options,
                           uint32_t reserve_width, uint32_t reserve_height) {
  const auto t0 = std::chrono::steady_clock::now();
  auto backend = dispatch::create_backend(kind, options);
  // lavapipe compiles a shader's machine code at its first dispatch: do it
  // now, on synthetic work, not on a client's first frame.
  dispatch::warm_up(*backend);
  if (reserve_width && reserve_height) backend->reserve(reserve_width, reserve_height);
  const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  park_backend(kind, std::move(backend));
  return ms;
}

namespace {

// One CAPTURE buffer (the destination or a reference) as an NV12 surface.
//  - NV12, CPU backend: the dmabuf mmap()ed, used in place.
//  - NV12, Vulkan backend: the dmabuf fd imported as external memory
//    (VK_EXT_external_memory_dma_buf); if the backend cannot, it copies
//    through a staging buffer (references: mapped read-only by us first,
//    as their fds are O_RDONLY).
//  - NV12M (two dmabufs): gathered into / scattered from a host NV12 copy.
class CaptureSurface {
 public:
  // cap: the CAPTURE format the buffer's layout follows (the job's for the
  // destination, the one a reference was written with).
  CaptureSurface(KernelChannel& ch, Vp9Stateless& dec, const daedalus_msg_decode& m, uint32_t which, uint32_t ref,
                 vp9::FrameSize size, const daedalus_capture_format& cap)
      : cap_(cap), size_(size), writable_(which == DAEDALUS_BUF_CAPTURE) {
    if (size.width > cap_.width || size.height > cap_.height)
      throw JobError(-E2BIG, fmt::format("{}x{} frame does not fit the {}x{} CAPTURE buffers", size.width,
                                         size.height, cap_.width, cap_.height));
    const bool nv12 = cap_.pixelformat == V4L2_PIX_FMT_NV12 && cap_.num_mem_planes == 1;
    const bool nv12m = cap_.pixelformat == V4L2_PIX_FMT_NV12M && cap_.num_mem_planes == 2;
    if (!nv12 && !nv12m) throw JobError(-ENOTSUP, "CAPTURE format is neither NV12 nor NV12M");
    dispatch::Nv12Layout l;
    l.width = size.width;
    l.height = size.height;
    if (nv12) {
      l.y_offset = cap_.comp[0].offset;
      l.y_stride = cap_.comp[0].bytesperline;
      l.uv_offset = cap_.comp[1].offset;
      l.uv_stride = cap_.comp[1].bytesperline;
      if (dec.imports_dmabufs()) {
        const std::optional<uint64_t> id = memory_id(ch, dec, m.hdr.cookie, which, ref);
        if (id) {
          if (auto k = dec.find_kept(*id, l)) {
            surface_ = std::move(k);
            in_place_ = kept_ = true;
            return;
          }
        }
        maps_[0].open(ch, m.hdr.cookie, which, 0, ref);
        l.size_bytes = maps_[0].length();
        try {
          surface_ = dec.backend->wrap_nv12(l, nullptr, maps_[0].fd());
          in_place_ = !surface_->staged_copy();
          // Only writable imports: a reference's read-only fd may stage.
          if (id && in_place_ && writable_) dec.keep(*id, l, surface_);
          return;
        } catch (const Error& e) {
          // A read-only reference fd the backend could neither import nor
          // map writable: map it read-only here and let it copy.
          spdlog::debug("ctx {}: wrap_nv12 of the dmabuf failed ({}), mapping it", dec.ctx_id, e.what());
        }
      }
      maps_[0].map(ch, m.hdr.cookie, which, 0, writable_, ref);
      l.size_bytes = maps_[0].length();
      surface_ = wrap(dec, l, maps_[0].data());
      in_place_ = !dec.imports_dmabufs();
      return;
    }
    // NV12M: a tight host NV12 copy.
    in_place_ = false;
    for (uint32_t p = 0; p < 2; ++p) maps_[p].map(ch, m.hdr.cookie, which, p, writable_, ref);
    const uint32_t cw2 = 2 * ((size.width + 1) / 2), ch2 = (size.height + 1) / 2;
    l.y_offset = 0;
    l.y_stride = size.width;
    l.uv_offset = size.width * size.height;
    l.uv_stride = cw2;
    l.size_bytes = uint64_t{l.uv_offset} + uint64_t{cw2} * ch2;
    host_.resize(l.size_bytes);
    if (!writable_) {
      for (uint32_t c = 0; c < 2; ++c) {
        const auto& pl = cap_.comp[c];
        const uint32_t rows = c ? ch2 : size.height, bytes = c ? cw2 : size.width;
        const DmabufMapping& mp = maps_[pl.mem_plane];
        if (uint64_t{pl.offset} + uint64_t{pl.bytesperline} * (rows - 1) + bytes > mp.length())
          throw JobError(-EINVAL, "reference CAPTURE plane smaller than its layout");
        for (uint32_t r = 0; r < rows; ++r)
          std::memcpy(host_.data() + (c ? l.uv_offset : 0) + size_t{r} * bytes,
                      mp.data() + pl.offset + size_t{r} * pl.bytesperline, bytes);
      }
    }
    surface_ = wrap(dec, l, host_.data());
  }

  dispatch::Surface& surface() { return *surface_; }
  bool in_place() const { return in_place_; }
  // Reached through an import kept from an earlier job.
  bool kept() const { return kept_; }

  // After decoding into a destination: bytesused per memory plane.
  std::array<uint32_t, DAEDALUS_MAX_PLANES> finish() {
    std::array<uint32_t, DAEDALUS_MAX_PLANES> used{};
    surface_.reset();  // Vulkan: a staged destination was copied back at end_frame
    if (!host_.empty()) {
      std::array<MappedPlane, DAEDALUS_MAX_PLANES> planes{};
      for (uint32_t p = 0; p < 2; ++p) planes[p] = {maps_[p].data(), maps_[p].length()};
      const uint32_t cw2 = 2 * ((size_.width + 1) / 2);
      SemiPlanarPicture semi{static_cast<int>(size_.width), static_cast<int>(size_.height), host_.data(),
                             static_cast<int>(size_.width), host_.data() + size_t{size_.width} * size_.height,
                             static_cast<int>(cw2)};
      try {
        return write_nv12(semi, cap_, std::span<const MappedPlane>(planes.data(), 2));
      } catch (const SizeMismatch& e) {
        throw JobError(-E2BIG, e.what());
      }
    }
    for (uint32_t i = 0; i < cap_.num_mem_planes && i < DAEDALUS_MAX_PLANES; ++i) used[i] = cap_.sizeimage[i];
    return used;
  }

 private:
  // The kernel's id of the memory behind a job buffer; none from a module
  // without GET_BUF_ID (then nothing is kept).
  static std::optional<uint64_t> memory_id(KernelChannel& ch, Vp9Stateless& dec, uint64_t cookie, uint32_t which,
                                           uint32_t ref) {
    if (dec.ids_unsupported) return std::nullopt;
    daedalus_buf_id arg{};
    arg.cookie = cookie;
    arg.which = which;
    arg.ref = ref;
    const int err = ch.get_buf_id(arg);
    if (err == -ENOTTY) {
      dec.ids_unsupported = true;
      spdlog::info("ctx {}: the module has no GET_BUF_ID: CAPTURE buffers are imported anew for every job", dec.ctx_id);
      return std::nullopt;
    }
    if (err == -ENOENT) throw JobError(-ENOENT, "job cancelled by the kernel");
    if (err < 0) throw JobError(-EIO, fmt::format("GET_BUF_ID: {}", std::strerror(-err)));
    return arg.id;
  }

  static std::shared_ptr<dispatch::Surface> wrap(Vp9Stateless& dec, const dispatch::Nv12Layout& l, uint8_t* host) {
    try {
      return dec.backend->wrap_nv12(l, host, -1);
    } catch (const Error& e) {
      throw JobError(-EINVAL, fmt::format("CAPTURE layout unusable: {}", e.what()));
    }
  }

  daedalus_capture_format cap_;
  vp9::FrameSize size_;
  bool writable_;
  bool in_place_ = false;
  bool kept_ = false;
  std::array<DmabufMapping, 2> maps_;
  std::vector<uint8_t> host_;
  std::shared_ptr<dispatch::Surface> surface_;
};

std::chrono::steady_clock::time_point now() { return std::chrono::steady_clock::now(); }
double ms_between(std::chrono::steady_clock::time_point a, std::chrono::steady_clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

// CPU time of the whole daemon (every thread, the driver's included): set
// against a job's wall time it tells a job that waited for a busy CPU from
// one that used it.
double process_cpu_ms() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return double(ts.tv_sec) * 1e3 + double(ts.tv_nsec) * 1e-6;
}

// Where a job's time went, for -v: buffers mapped or imported, the decode
// (headers, entropy, each stage's recording and, where the backend measures
// it, its GPU time), the destination's completion, and the daemon's CPU time.
std::string job_profile(const vp9::DecoderTiming& before, const vp9::DecoderTiming& after, double buffers_ms,
                        double decode_ms, double finish_ms, double cpu_ms) {
  std::string s = fmt::format("buffers {:.1f}, decode {:.1f} [parse {:.1f}, entropy {:.1f}", buffers_ms, decode_ms,
                              after.parse_ms - before.parse_ms, after.entropy_ms - before.entropy_ms);
  for (int i = 0; i < static_cast<int>(dispatch::Stage::kCount); ++i) {
    const double cpu = after.stage_cpu_ms[i] - before.stage_cpu_ms[i], gpu = after.stage_gpu_ms[i] - before.stage_gpu_ms[i];
    if (cpu <= 0 && gpu <= 0) continue;
    s += fmt::format(", {} {:.1f}", dispatch::stage_name(static_cast<dispatch::Stage>(i)), cpu);
    if (gpu > 0) s += fmt::format("/gpu {:.1f}", gpu);
  }
  if (after.wait_ms > before.wait_ms)
    s += fmt::format(", frame begin {:.1f}/wait {:.1f}/gpu span {:.1f}/copy-back {:.1f}",
                     after.begin_ms - before.begin_ms, after.wait_ms - before.wait_ms,
                     after.gpu_span_ms - before.gpu_span_ms, after.finish_ms - before.finish_ms);
  return s + fmt::format("], finish {:.1f} ms; daemon cpu {:.0f} ms", finish_ms, cpu_ms);
}

void log_path(Vp9Stateless& dec, std::optional<bool>& logged, bool in_place, const char* what, bool kept = false) {
  if (logged && *logged == in_place) return;
  logged = in_place;
  if (!dec.imports_dmabufs()) {
    spdlog::info("ctx {}: {} CAPTURE buffers mapped in place (cpu backend)", dec.ctx_id, what);
  } else if (kept) {
    spdlog::info("ctx {}: {} CAPTURE buffers read through the Vulkan imports kept from their own decode (in place, "
                 "no copy)",
                 dec.ctx_id, what);
  } else if (in_place) {
    spdlog::info("ctx {}: {} CAPTURE dmabufs imported as Vulkan external memory (in place, no copy)", dec.ctx_id,
                 what);
  } else {
    spdlog::warn("ctx {}: {} CAPTURE dmabufs could not be imported into Vulkan; copying through staging buffers",
                 dec.ctx_id, what);
  }
}

}  // namespace

JobResult Vp9Stateless::decode(KernelChannel& ch, const DecodeRequest& req) {
  Vp9Stateless& dec = *this;
  const auto t0 = now();
  const double cpu0 = process_cpu_ms();
  const auto& m = req.msg;
  const auto* frame = req.get<v4l2_ctrl_vp9_frame>(V4L2_CID_STATELESS_VP9_FRAME);
  if (!frame) throw JobError(-EINVAL, "VP9 job without the V4L2_CID_STATELESS_VP9_FRAME control");
  // The compressed header control only when the client set it for this
  // very request; otherwise it is parsed from the bitstream.
  const v4l2_ctrl_vp9_compressed_hdr* compressed = nullptr;
  if (const Control* c = req.find(V4L2_CID_STATELESS_VP9_COMPRESSED_HDR);
      c && (c->flags & DAEDALUS_CTRL_IN_REQUEST))
    compressed = req.get<v4l2_ctrl_vp9_compressed_hdr>(V4L2_CID_STATELESS_VP9_COMPRESSED_HDR);

  DmabufMapping output;
  output.map(ch, m.hdr.cookie, DAEDALUS_BUF_OUTPUT, 0, false);
  if (uint64_t{m.output_data_offset} + m.output_bytesused > output.length())
    throw JobError(-EINVAL, fmt::format("bitstream [{}, +{}) exceeds the {} byte OUTPUT buffer", m.output_data_offset,
                                        m.output_bytesused, output.length()));
  if (m.output_bytesused == 0) throw JobError(-EINVAL, "empty OUTPUT buffer");
  const std::span<const uint8_t> bitstream(output.data() + m.output_data_offset, m.output_bytesused);

  // References: LAST, GOLDEN, ALTREF as the kernel resolved the control's
  // timestamps; one surface per distinct CAPTURE buffer.
  const bool intra = frame->flags & (V4L2_VP9_FRAME_FLAG_KEY_FRAME | V4L2_VP9_FRAME_FLAG_INTRA_ONLY);
  std::vector<std::unique_ptr<CaptureSurface>> ref_buffers;
  dispatch::Surface* refs[3] = {nullptr, nullptr, nullptr};
  if (!intra) {
    std::array<int, 3> owner{-1, -1, -1};
    for (uint32_t i = 0; i < 3; ++i) {
      const daedalus_ref& r = m.refs[i];
      if (i >= m.num_refs || !(r.flags & DAEDALUS_REF_VALID) || !(r.flags & DAEDALUS_REF_FOUND) ||
          r.capture_index < 0)
        throw JobError(-EINVAL, fmt::format("reference {} (timestamp {}) is not a CAPTURE buffer of this context", i,
                                            static_cast<unsigned long long>(r.timestamp)));
      const vp9::FrameSize size = dec.decoder->reference_size(r.timestamp, *frame);
      for (uint32_t j = 0; j < i; ++j)
        if (m.refs[j].capture_index == r.capture_index && dec.decoder->reference_size(m.refs[j].timestamp, *frame) == size)
          owner[i] = owner[j];
      if (owner[i] < 0) {
        const daedalus_capture_format* cap = dec.written_format(r.timestamp);
        // Written before this context's daemon side knew it (none kept):
        // only a reference of the destination's size can share its layout.
        if (!cap && (size.width != uint32_t{frame->frame_width_minus_1} + 1 ||
                     size.height != uint32_t{frame->frame_height_minus_1} + 1))
          throw JobError(-EINVAL, fmt::format("reference {} (timestamp {}) is {}x{}, the frame another size, and "
                                              "the layout it was written in is not known",
                                              i, static_cast<unsigned long long>(r.timestamp), size.width,
                                              size.height));
        owner[i] = static_cast<int>(ref_buffers.size());
        ref_buffers.push_back(
            std::make_unique<CaptureSurface>(ch, dec, m, DAEDALUS_BUF_REF, i, size, cap ? *cap : m.capture));
      }
      refs[i] = &ref_buffers[static_cast<size_t>(owner[i])]->surface();
    }
    bool all_kept = true, all_in_place = true;
    for (const auto& b : ref_buffers) {
      all_kept &= b->kept();
      all_in_place &= b->in_place();
      ++(b->in_place() ? dec.refs_in_place : dec.refs_copied);
    }
    log_path(dec, dec.logged_ref_in_place, all_in_place, "reference", all_kept);
  }
  const vp9::FrameSize size{uint32_t{frame->frame_width_minus_1} + 1, uint32_t{frame->frame_height_minus_1} + 1};
  CaptureSurface dst(ch, dec, m, DAEDALUS_BUF_CAPTURE, 0, size, m.capture);
  log_path(dec, dec.logged_dst_in_place, dst.in_place(), "destination");
  const auto t_surfaces = now();
  const vp9::DecoderTiming before = dec.decoder->timing();
  try {
    dec.decoder->decode(m.timestamp, *frame, compressed, bitstream, refs, dst.surface());
  } catch (const Error& e) {
    throw JobError(-EBADMSG, e.what());
  }
  const auto t_decoded = now();
  JobResult result;
  result.num_planes = m.capture.num_mem_planes;
  result.bytesused = dst.finish();
  dec.wrote(m.timestamp, m.capture);
  if (spdlog::should_log(spdlog::level::debug)) {
    const auto t_end = now();
    spdlog::debug("ctx {}: VP9 {}x{} {} frame ts {} decoded in {:.2f} ms ({})", dec.ctx_id, size.width, size.height,
                  intra ? "intra" : "inter", static_cast<unsigned long long>(m.timestamp), ms_between(t0, t_end),
                  job_profile(before, dec.decoder->timing(), ms_between(t0, t_surfaces),
                              ms_between(t_surfaces, t_decoded), ms_between(t_decoded, t_end),
                              process_cpu_ms() - cpu0));
  }
  return result;
}

#else  // !DAEDALUS_HAVE_VP9

std::unique_ptr<JobDecoder> make_vp9_stateless_decoder(uint32_t, dispatch::BackendKind,
                                                       const dispatch::BackendOptions&, unsigned) {
  throw JobError(-ENOSYS, "--decoder daedalus: the daedalus VP9 decoder is not part of this build");
}

double prewarm_vp9_backend(dispatch::BackendKind, const dispatch::BackendOptions&, uint32_t, uint32_t) {
  throw Error("--decoder daedalus: the daedalus VP9 decoder is not part of this build");
}

#endif

}  // namespace daedalus::bridge
