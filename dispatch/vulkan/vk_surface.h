// SPDX-License-Identifier: MIT
// Surfaces of the Vulkan backend. Every surface is one VkBuffer (planes are
// byte ranges of it; the shaders address them with offsets and strides):
//  - owned: planar 4:2:0, backend-allocated host-visible memory;
//  - imported: an NV12 dmabuf bound in place (VK_EXT_external_memory_dma_buf);
//  - staged: NV12 in memory the GPU cannot use directly (caller's host
//    memory, or an mmap of a dmabuf whose import failed): a device buffer
//    the shaders use, synchronised with the external memory by memcpy
//    between frames.
#pragma once

#include <memory>

#include "daedalus/dispatch/dispatch.h"
#include "vk_context.h"

namespace daedalus::dispatch::vk {

class VkSurface final : public Surface {
 public:
  // Planar 4:2:0 covering width x height luma samples, zero-filled.
  // Every surface keeps the context alive: it may outlive the backend.
  // With a pool, its buffer comes from there and goes back to it.
  VkSurface(std::shared_ptr<Context> ctx, uint32_t width, uint32_t height, std::shared_ptr<BufferPool> pool = nullptr);
  // NV12 over the caller's memory: imported if dmabuf_fd >= 0 and the
  // device can import it, else staged (host, or an mmap of dmabuf_fd).
  // `imported` reports which.
  // Staging buffers come from (and go back to) `pool`.
  VkSurface(std::shared_ptr<Context> ctx, std::shared_ptr<BufferPool> pool, const Nv12Layout& layout, uint8_t* host,
            int dmabuf_fd, bool* imported);
  ~VkSurface() override;

  uint8_t* host_data() override;
  uint64_t size_bytes() const override { return size_; }

  VkBuffer buffer() const { return own_ ? own_.buffer() : imported_buffer_; }
  bool staged_copy() const override { return external_ != nullptr; }
  bool staged() const { return external_ != nullptr; }
  void sync_to_device();  // external memory -> device buffer (staged only)
  void sync_to_host();    // device buffer -> external memory (staged only)

 private:
  bool try_import(Context& ctx, int fd);

  std::shared_ptr<Context> ctx_keep_;    // destroyed last
  std::shared_ptr<BufferPool> pool_;     // staged surfaces give own_ back
  VkDevice device_ = VK_NULL_HANDLE;
  uint64_t size_ = 0;
  Buffer own_;
  VkBuffer imported_buffer_ = VK_NULL_HANDLE;
  VkDeviceMemory imported_memory_ = VK_NULL_HANDLE;
  uint8_t* imported_map_ = nullptr;
  bool imported_map_is_mmap_ = false;
  bool imported_host_visible_ = true;
  int map_fd_ = -1;
  uint8_t* external_ = nullptr;
  bool external_is_mmap_ = false;
};

}  // namespace daedalus::dispatch::vk
