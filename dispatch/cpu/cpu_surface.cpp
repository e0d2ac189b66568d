// SPDX-License-Identifier: MIT
#include "cpu_surface.h"

#include <linux/dma-buf.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <fcntl.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "daedalus/error.h"

namespace daedalus::dispatch::cpu {

namespace {
constexpr uint32_t align_up(uint32_t v, uint32_t a) { return (v + a - 1) / a * a; }
}  // namespace

std::shared_ptr<HostSurface> HostSurface::planar(uint32_t width, uint32_t height) {
  if (width == 0 || height == 0 || width > 16384 || height > 16384)
    throw Error(fmt::format("cpu backend: bad surface size {}x{}", width, height));
  std::shared_ptr<HostSurface> s(new HostSurface());
  s->format_ = SurfaceFormat::kPlanar420;
  const uint32_t cw = (width + 1) / 2, ch = (height + 1) / 2;
  const uint32_t ystride = align_up(width, 64), cstride = align_up(cw, 64);
  s->planes_[0] = {0, ystride, 1, width, height};
  s->planes_[1] = {uint64_t{ystride} * height, cstride, 1, cw, ch};
  s->planes_[2] = {s->planes_[1].offset + uint64_t{cstride} * ch, cstride, 1, cw, ch};
  s->size_ = s->planes_[2].offset + uint64_t{cstride} * ch;
  s->storage_.assign(s->size_, 0);
  s->data_ = s->storage_.data();
  return s;
}

std::shared_ptr<HostSurface> HostSurface::nv12(const Nv12Layout& l, uint8_t* host, int dmabuf_fd) {
  const uint32_t cw = (l.width + 1) / 2, ch = (l.height + 1) / 2;
  if (l.width == 0 || l.height == 0 || l.y_stride < l.width || l.uv_stride < 2 * cw ||
      uint64_t{l.y_offset} + uint64_t{l.y_stride} * l.height > l.size_bytes ||
      uint64_t{l.uv_offset} + uint64_t{l.uv_stride} * ch > l.size_bytes)
    throw Error(fmt::format("cpu backend: inconsistent NV12 layout {}x{} (strides {}/{}, size {})", l.width, l.height,
                            l.y_stride, l.uv_stride, l.size_bytes));
  std::shared_ptr<HostSurface> s(new HostSurface());
  s->format_ = SurfaceFormat::kNv12;
  s->planes_[0] = {l.y_offset, l.y_stride, 1, l.width, l.height};
  s->planes_[1] = {l.uv_offset, l.uv_stride, 2, cw, ch};
  s->size_ = l.size_bytes;
  if (host) {
    s->data_ = host;
  } else if (dmabuf_fd >= 0) {
    void* p = mmap(nullptr, l.size_bytes, PROT_READ | PROT_WRITE, MAP_SHARED, dmabuf_fd, 0);
    if (p == MAP_FAILED)
      throw Error(fmt::format("cpu backend: cannot map dmabuf fd {} ({} bytes): {}", dmabuf_fd, l.size_bytes,
                              std::strerror(errno)));
    s->mapping_ = p;
    s->data_ = static_cast<uint8_t*>(p);
    // Kept so that accesses can be synced even if the caller closes its fd.
    s->sync_fd_ = fcntl(dmabuf_fd, F_DUPFD_CLOEXEC, 0);
  } else {
    s->storage_.assign(s->size_, 0);
    s->data_ = s->storage_.data();
  }
  return s;
}

HostSurface::~HostSurface() {
  if (mapping_) munmap(mapping_, size_);
  if (sync_fd_ >= 0) close(sync_fd_);
}

namespace {
void dmabuf_sync(int fd, uint64_t flags) {
  dma_buf_sync sync{flags};
  // Not every mappable fd is a dmabuf (e.g. memfd in tests): ENOTTY means
  // there is nothing to sync.
  while (ioctl(fd, DMA_BUF_IOCTL_SYNC, &sync) < 0 && (errno == EINTR || errno == EAGAIN)) {
  }
}
}  // namespace

void HostSurface::begin_cpu_access(bool write) {
  if (sync_fd_ >= 0) dmabuf_sync(sync_fd_, DMA_BUF_SYNC_START | (write ? DMA_BUF_SYNC_RW : DMA_BUF_SYNC_READ));
}

void HostSurface::end_cpu_access(bool write) {
  if (sync_fd_ >= 0) dmabuf_sync(sync_fd_, DMA_BUF_SYNC_END | (write ? DMA_BUF_SYNC_RW : DMA_BUF_SYNC_READ));
}

PlaneView plane_view(Surface& s, int plane) {
  PlaneView v;
  const bool nv12 = s.format() == SurfaceFormat::kNv12;
  const PlaneLayout& l = s.plane(nv12 && plane > 0 ? 1 : plane);
  v.data = s.host_data() + l.offset + (nv12 && plane == 2 ? 1 : 0);
  v.stride = l.stride;
  v.step = static_cast<int>(l.step);
  v.width = static_cast<int>(l.width);
  v.height = static_cast<int>(l.height);
  return v;
}

}  // namespace daedalus::dispatch::cpu
