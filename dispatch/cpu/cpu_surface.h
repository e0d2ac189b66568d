// SPDX-License-Identifier: MIT
// Host-memory surfaces of the CPU backend, and a per-plane view that hides
// the planar / NV12 difference from the stages.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "daedalus/dispatch/dispatch.h"

namespace daedalus::dispatch::cpu {

class HostSurface final : public Surface {
 public:
  // A zero-filled planar 4:2:0 surface owning its memory.
  static std::shared_ptr<HostSurface> planar(uint32_t width, uint32_t height);
  // An NV12 surface over caller memory (host), a mapped dmabuf, or (neither)
  // zero-filled memory of its own.
  static std::shared_ptr<HostSurface> nv12(const Nv12Layout& layout, uint8_t* host, int dmabuf_fd);
  ~HostSurface() override;

  uint8_t* host_data() override { return data_; }
  uint64_t size_bytes() const override { return size_; }

  // Brackets CPU access to a mapped dmabuf (DMA_BUF_IOCTL_SYNC) so that
  // caches are kept coherent with devices; no-op for plain memory.
  void begin_cpu_access(bool write);
  void end_cpu_access(bool write);

 private:
  HostSurface() = default;
  std::vector<uint8_t> storage_;
  uint8_t* data_ = nullptr;
  uint64_t size_ = 0;
  void* mapping_ = nullptr;  // munmap'd on destruction when set
  int sync_fd_ = -1;         // our dup of the dmabuf fd, for DMA_BUF_IOCTL_SYNC
};

// RAII CPU-access bracket for any surface (only HostSurface dmabufs care).
class CpuAccess {
 public:
  CpuAccess(Surface& s, bool write) : s_(dynamic_cast<HostSurface*>(&s)), write_(write) {
    if (s_) s_->begin_cpu_access(write_);
  }
  ~CpuAccess() {
    if (s_) s_->end_cpu_access(write_);
  }
  CpuAccess(const CpuAccess&) = delete;
  CpuAccess& operator=(const CpuAccess&) = delete;

 private:
  HostSurface* s_;
  bool write_;
};

// One colour plane of a surface: plane 1 / 2 of an NV12 surface are the even
// / odd bytes of its CbCr plane.
struct PlaneView {
  uint8_t* data = nullptr;
  ptrdiff_t stride = 0;
  int step = 1;
  int width = 0, height = 0;
  uint8_t& at(int x, int y) const { return data[y * stride + x * step]; }
};
PlaneView plane_view(Surface& s, int plane);

}  // namespace daedalus::dispatch::cpu
