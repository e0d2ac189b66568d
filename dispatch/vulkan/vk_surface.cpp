// SPDX-License-Identifier: MIT
#include "vk_surface.h"

#include <fmt/format.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstring>

#include "daedalus/error.h"

namespace daedalus::dispatch::vk {

namespace {
constexpr VkBufferUsageFlags kSurfaceUsage =
    VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT;

uint32_t align_up(uint32_t v, uint32_t a) { return (v + a - 1) / a * a; }
}  // namespace

VkSurface::VkSurface(std::shared_ptr<Context> ctx_ptr, uint32_t width, uint32_t height, std::shared_ptr<BufferPool> pool)
    : ctx_keep_(std::move(ctx_ptr)), device_(ctx_keep_->device()) {
  const Context& ctx = *ctx_keep_;
  if (width == 0 || height == 0 || width > 16384 || height > 16384)
    throw Error(fmt::format("vulkan backend: bad surface size {}x{}", width, height));
  format_ = SurfaceFormat::kPlanar420;
  uint32_t cw = (width + 1) / 2, ch = (height + 1) / 2;
  // Strides are multiples of 16 so that rows start on word boundaries.
  uint64_t off = 0;
  planes_[0] = {off, align_up(width, 16), 1, width, height};
  off += uint64_t(planes_[0].stride) * height;
  for (int p = 1; p < 3; p++) {
    planes_[p] = {off, align_up(cw, 16), 1, cw, ch};
    off += uint64_t(planes_[p].stride) * ch;
  }
  size_ = off;
  if (pool) {
    own_ = pool->take(ctx, size_, kSurfaceUsage);
    pool_ = std::move(pool);
  } else {
    own_ = Buffer(ctx, size_, kSurfaceUsage);
  }
  std::memset(own_.data(), 0, size_);
}

VkSurface::VkSurface(std::shared_ptr<Context> ctx_ptr, std::shared_ptr<BufferPool> pool, const Nv12Layout& l,
                     uint8_t* host, int dmabuf_fd, bool* imported)
    : ctx_keep_(std::move(ctx_ptr)), device_(ctx_keep_->device()) {
  Context& ctx = *ctx_keep_;
  if (l.width == 0 || l.height == 0 || l.y_stride < l.width || l.uv_stride < ((l.width + 1) & ~1u))
    throw Error(fmt::format("vulkan backend: bad NV12 layout {}x{} strides {}/{}", l.width, l.height, l.y_stride, l.uv_stride));
  uint32_t cw = (l.width + 1) / 2, ch = (l.height + 1) / 2;
  uint64_t y_end = l.y_offset + uint64_t(l.y_stride) * (l.height - 1) + l.width;
  uint64_t uv_end = l.uv_offset + uint64_t(l.uv_stride) * (ch - 1) + 2 * cw;
  if (l.size_bytes < y_end || l.size_bytes < uv_end)
    throw Error(fmt::format("vulkan backend: NV12 layout needs {} bytes, buffer has {}", std::max(y_end, uv_end), l.size_bytes));
  format_ = SurfaceFormat::kNv12;
  planes_[0] = {l.y_offset, l.y_stride, 1, l.width, l.height};
  planes_[1] = {l.uv_offset, l.uv_stride, 2, cw, ch};
  size_ = l.size_bytes;
  *imported = false;

  if (dmabuf_fd >= 0 && try_import(ctx, dmabuf_fd)) {
    *imported = true;
    return;
  }
  if (!host && dmabuf_fd < 0) {
    // Memory of its own, read back through host_data(): no copies.
    own_ = pool->take(ctx, size_, kSurfaceUsage);
    pool_ = std::move(pool);
    std::memset(own_.data(), 0, size_);
    return;
  }
  if (host) {
    external_ = host;
  } else {
    void* p = mmap(nullptr, size_, PROT_READ | PROT_WRITE, MAP_SHARED, dmabuf_fd, 0);
    if (p == MAP_FAILED)
      throw Error(fmt::format("vulkan backend: cannot import or mmap dmabuf fd {}: {}", dmabuf_fd, std::strerror(errno)));
    external_ = static_cast<uint8_t*>(p);
    external_is_mmap_ = true;
  }
  own_ = pool->take(ctx, size_, kSurfaceUsage);
  pool_ = std::move(pool);
  sync_to_device();
}

bool VkSurface::try_import(Context& ctx, int fd) {
  if (!ctx.has_dmabuf_import()) return false;
  off_t fd_size = lseek(fd, 0, SEEK_END);
  lseek(fd, 0, SEEK_SET);
  if (fd_size >= 0 && uint64_t(fd_size) < size_) return false;

  VkMemoryFdPropertiesKHR fdp{VK_STRUCTURE_TYPE_MEMORY_FD_PROPERTIES_KHR};
  if (ctx.get_memory_fd_properties(device_, VK_EXTERNAL_MEMORY_HANDLE_TYPE_DMA_BUF_BIT_EXT, fd, &fdp) != VK_SUCCESS)
    return false;

  VkExternalMemoryBufferCreateInfo ext{VK_STRUCTURE_TYPE_EXTERNAL_MEMORY_BUFFER_CREATE_INFO};
  ext.handleTypes = VK_EXTERNAL_MEMORY_HANDLE_TYPE_DMA_BUF_BIT_EXT;
  VkBufferCreateInfo bci{VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO};
  bci.pNext = &ext;
  bci.size = size_;
  bci.usage = kSurfaceUsage;
  if (vkCreateBuffer(device_, &bci, nullptr, &imported_buffer_) != VK_SUCCESS) return false;
  VkMemoryRequirements req;
  vkGetBufferMemoryRequirements(device_, imported_buffer_, &req);
  uint32_t bits = req.memoryTypeBits & fdp.memoryTypeBits;
  auto fail = [&] {
    vkDestroyBuffer(device_, imported_buffer_, nullptr);
    imported_buffer_ = VK_NULL_HANDLE;
    return false;
  };
  if (!bits || (fd_size >= 0 && uint64_t(fd_size) < req.size)) return fail();
  if (size_ > ctx.properties().limits.maxStorageBufferRange) return fail();
  // Prefer a host-visible type: host_data() maps it (V3DV has only that).
  uint32_t type = 0;
  try {
    type = ctx.find_memory_type(bits, VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT);
    imported_host_visible_ = true;
  } catch (const Error&) {
    while (!(bits & (1u << type))) type++;
    imported_host_visible_ = false;
  }

  int dup_fd = dup(fd);  // Vulkan takes ownership of the fd on success
  if (dup_fd < 0) return fail();
  VkImportMemoryFdInfoKHR imp{VK_STRUCTURE_TYPE_IMPORT_MEMORY_FD_INFO_KHR};
  imp.handleType = VK_EXTERNAL_MEMORY_HANDLE_TYPE_DMA_BUF_BIT_EXT;
  imp.fd = dup_fd;
  VkMemoryAllocateInfo mai{VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO};
  mai.pNext = &imp;
  mai.allocationSize = fd_size > 0 ? uint64_t(fd_size) : req.size;
  mai.memoryTypeIndex = type;
  if (vkAllocateMemory(device_, &mai, nullptr, &imported_memory_) != VK_SUCCESS) {
    close(dup_fd);
    return fail();
  }
  if (vkBindBufferMemory(device_, imported_buffer_, imported_memory_, 0) != VK_SUCCESS) {
    vkFreeMemory(device_, imported_memory_, nullptr);
    imported_memory_ = VK_NULL_HANDLE;
    return fail();
  }
  // Vulkan owns dup_fd now; host_data() of memory that is not host-visible
  // maps the dmabuf itself through a second duplicate.
  if (!imported_host_visible_) map_fd_ = dup(fd);
  return true;
}

VkSurface::~VkSurface() {
  if (pool_) pool_->give(std::move(own_), kSurfaceUsage);
  if (imported_map_is_mmap_) munmap(imported_map_, size_);
  if (map_fd_ >= 0) close(map_fd_);
  // An abandoned device may still write the imported memory (or read it):
  // keep it, and the dmabuf it references, rather than free it under the
  // running work (Context::abandon()).
  if (ctx_keep_->abandoned()) return;
  if (imported_buffer_) {
    vkDestroyBuffer(device_, imported_buffer_, nullptr);
    ctx_keep_->note_buffer_destroyed();
  }
  if (imported_memory_) vkFreeMemory(device_, imported_memory_, nullptr);
  if (external_is_mmap_) munmap(external_, size_);
}

uint8_t* VkSurface::host_data() {
  if (own_ && !external_) return own_.data();
  if (external_) return external_;
  if (!imported_map_) {
    // Imported memory: mapped through Vulkan when host-visible (V3DV,
    // lavapipe), else through the dmabuf.
    void* p = nullptr;
    if (imported_host_visible_) {
      check(vkMapMemory(device_, imported_memory_, 0, VK_WHOLE_SIZE, 0, &p), "vkMapMemory (imported dmabuf)");
    } else {
      p = map_fd_ >= 0 ? mmap(nullptr, size_, PROT_READ | PROT_WRITE, MAP_SHARED, map_fd_, 0) : MAP_FAILED;
      if (p == MAP_FAILED) throw Error(fmt::format("vulkan backend: cannot map the imported dmabuf: {}", std::strerror(errno)));
      imported_map_is_mmap_ = true;
    }
    imported_map_ = static_cast<uint8_t*>(p);
  }
  return imported_map_;
}

void VkSurface::sync_to_device() {
  if (external_) std::memcpy(own_.data(), external_, size_);
}

void VkSurface::sync_to_host() {
  if (external_) std::memcpy(external_, own_.data(), size_);
}

}  // namespace daedalus::dispatch::vk
