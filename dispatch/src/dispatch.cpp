// SPDX-License-Identifier: MIT
#include "daedalus/dispatch/dispatch.h"

#include "backends.h"
#include "daedalus/error.h"

namespace daedalus::dispatch {

std::string_view stage_name(Stage stage) {
  switch (stage) {
    case Stage::kResidual: return "residual";
    case Stage::kInterPred: return "inter_pred";
    case Stage::kIntraRecon: return "intra_recon";
    case Stage::kLoopFilter: return "loop_filter";
    case Stage::kPackNv12: return "pack_nv12";
    case Stage::kCount: break;
  }
  return "?";
}

void FrameWork::clear() {
  params = {};
  blocks.clear();
  tx_blocks.clear();
  coeffs.clear();
  for (auto& l : lf) l.clear();
}

// Backends that have not implemented the H.264 family say so by name.
namespace {
[[noreturn]] void no_h264_stages(const Backend& b) {
  throw Error("dispatch: the " + b.name() + " backend has no H.264 stages yet");
}
}  // namespace
void Backend::h264_residual(const H264FrameWork&) { no_h264_stages(*this); }
void Backend::h264_inter_pred(const H264FrameWork&, Surface&, std::span<Surface* const>) {
  throw Error("dispatch: the " + name() + " backend has no h264_inter_pred stage yet");
}
void Backend::h264_intra_recon(const H264FrameWork&, Surface&) { no_h264_stages(*this); }
void Backend::h264_deblock(const H264FrameWork&, Surface&) { no_h264_stages(*this); }

std::unique_ptr<Backend> create_backend(BackendKind kind, const BackendOptions& options) {
  switch (kind) {
    case BackendKind::kCpu:
#ifdef DAEDALUS_HAVE_CPU_BACKEND
      return create_cpu_backend(options.cpu_threads);
#else
      throw Error("dispatch: the CPU backend is not built");
#endif
    case BackendKind::kVulkan:
#ifdef DAEDALUS_HAVE_VULKAN_BACKEND
      return create_vulkan_backend(options.vulkan);
#else
      throw Error("dispatch: the Vulkan backend is not built (configure with -DDAEDALUS_VULKAN=ON)");
#endif
  }
  throw Error("dispatch: unknown backend");
}

}  // namespace daedalus::dispatch
