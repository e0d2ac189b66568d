// SPDX-License-Identifier: MIT
// warm_up(): one pass over every stage before real work arrives. lavapipe
// compiles a compute shader's machine code at its first dispatch, not at
// vkCreateComputePipelines; under QEMU TCG that is tens of seconds, longer
// than a V4L2 client waits for its first frame.
#include <chrono>
#include <vector>

#include "daedalus/dispatch/dispatch.h"
#include "daedalus/dispatch/synthetic_work.h"

namespace daedalus::dispatch {

namespace {

// A single-buffer NV12 layout; an odd width makes every offset and stride
// odd, which selects the backends' byte-wise packing path.
Nv12Layout nv12_layout(uint32_t width, uint32_t height) {
  Nv12Layout l;
  l.width = width;
  l.height = height;
  l.y_stride = width;
  l.y_offset = width & 1;
  l.uv_stride = width + (width & 1);
  l.uv_offset = l.y_offset + l.y_stride * height;
  l.size_bytes = l.uv_offset + uint64_t(l.uv_stride) * ((height + 1) / 2);
  return l;
}

}  // namespace

double warm_up(Backend& backend, std::chrono::milliseconds frame_timeout) {
  const auto t0 = std::chrono::steady_clock::now();
  // Restores the backend's own timeout however this returns.
  struct TimeoutScope {
    Backend& b;
    std::chrono::milliseconds saved;
    ~TimeoutScope() { b.set_frame_timeout(saved); }
  } scope{backend, backend.frame_timeout()};
  backend.set_frame_timeout(frame_timeout);
  constexpr uint32_t kSize = 128;  // two superblocks a side: every transform size
  std::shared_ptr<Surface> refs_owned[3];
  Surface* refs[3];
  for (int r = 0; r < 3; ++r) {
    refs_owned[r] = backend.create_surface(kSize, kSize);
    fill_reference(*refs_owned[r], 100 + r);
    refs[r] = refs_owned[r].get();
  }
  auto dst = backend.create_surface(kSize, kSize);
  for (const bool intra : {true, false}) {
    const FrameWork work = make_synthetic_work({kSize, kSize, intra, intra ? 7u : 11u});
    const Nv12Layout layout = nv12_layout(intra ? kSize : kSize - 1, intra ? kSize : kSize - 1);
    std::vector<uint8_t> nv12(layout.size_bytes);
    auto out = backend.wrap_nv12(layout, nv12.data(), -1);
    backend.begin_frame(work);
    daedalus_dispatch_residual(backend, work);
    daedalus_dispatch_inter_pred(backend, work, *dst, refs);
    daedalus_dispatch_intra_recon(backend, work, *dst);
    daedalus_dispatch_loop_filter(backend, work, *dst);
    daedalus_dispatch_pack_nv12(backend, *dst, *out);
    backend.end_frame();
  }
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace daedalus::dispatch
