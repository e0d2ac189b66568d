// SPDX-License-Identifier: MIT
// Vulkan instance/device/queue for the compute backend, restricted to what
// Mesa V3DV on the Raspberry Pi 5 offers (Vulkan 1.3, 8/16-bit storage
// access, no shaderInt8/16/64, no shaderFloat64), plus buffer helpers.
#pragma once

#include <vulkan/vulkan.h>

// Vulkan structs are initialised as {sType} on purpose, the rest zeroed.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "daedalus/dispatch/dispatch.h"

namespace daedalus::dispatch::vk {

// Throws daedalus::Error naming the call that failed.
void check(VkResult r, const char* what);

// A compute pipeline's objects; the caller destroys them.
struct ComputePipeline {
  VkDescriptorSetLayout set_layout = VK_NULL_HANDLE;
  VkPipelineLayout layout = VK_NULL_HANDLE;
  VkPipeline pipeline = VK_NULL_HANDLE;
};

// The one way a pipeline of ours is made: num_buffers storage buffers at
// bindings 0.. of set 0, push_size bytes of push constants, SPIR-V words
// with entry point main, specialization constant 0 = spec0 when spec0 >= 0.
// create_ms (optional) gets vkCreateComputePipelines' own time, the
// driver's shader compile.
ComputePipeline create_compute_pipeline(VkDevice dev, const uint32_t* words, size_t num_words,
                                        uint32_t num_buffers, uint32_t push_size, int spec0,
                                        VkPipelineCreateFlags flags, double* create_ms = nullptr);

// The context reads the device settings of the backend's options
// (validation, device_name, no_dmabuf_import, pipeline_stats).
using ContextOptions = VulkanOptions;

class Context {
 public:
  explicit Context(const ContextOptions& opts = {});
  ~Context();
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;

  VkInstance instance() const { return instance_; }
  VkPhysicalDevice physical_device() const { return phys_; }
  VkDevice device() const { return device_; }
  VkQueue queue() const { return queue_; }
  uint32_t queue_family() const { return queue_family_; }
  const VkPhysicalDeviceProperties& properties() const { return props_; }
  const std::string& device_name() const { return name_; }
  bool validation_enabled() const { return validation_; }
  bool has_dmabuf_import() const { return has_dmabuf_; }
  // VK_KHR_pipeline_executable_properties enabled (ContextOptions::pipeline_stats).
  bool captures_pipeline_stats() const { return pipeline_stats_; }
  uint32_t timestamp_valid_bits() const { return ts_bits_; }

  // Validation/debug messages of severity warning or error so far; tests
  // require zero.
  uint64_t validation_messages() const { return messages_->load(); }

  // Gives the device up after work on it did not finish in time: that work
  // may still be running and reading or writing any buffer, image or memory
  // of this context, so from now on nothing of it is destroyed or freed
  // (Buffer, VkSurface and ~Context leak instead), and ~Context neither
  // waits for the device nor destroys it. A leak, on purpose: a wedged
  // device must cost memory, not a use-after-free or a thread that never
  // returns.
  void abandon() const { abandoned_.store(true); }
  bool abandoned() const { return abandoned_.load(); }

  // How many VkBuffers of this context were destroyed so far. A handle may
  // be reused for a new buffer once the old one is destroyed: whatever
  // remembers buffers by handle (DescriptorSets) forgets them when this
  // changes.
  uint64_t buffers_destroyed() const { return buffers_destroyed_.load(std::memory_order_relaxed); }
  void note_buffer_destroyed() const { buffers_destroyed_.fetch_add(1, std::memory_order_relaxed); }

  // Memory type index satisfying `bits` and `flags`; throws if none.
  uint32_t find_memory_type(uint32_t bits, VkMemoryPropertyFlags flags) const;

  PFN_vkGetMemoryFdPropertiesKHR get_memory_fd_properties = nullptr;
  PFN_vkGetMemoryFdKHR get_memory_fd = nullptr;

 private:
  static VKAPI_ATTR VkBool32 VKAPI_CALL on_message(VkDebugUtilsMessageSeverityFlagBitsEXT severity,
                                                   VkDebugUtilsMessageTypeFlagsEXT types,
                                                   const VkDebugUtilsMessengerCallbackDataEXT* data, void* user);

  VkInstance instance_ = VK_NULL_HANDLE;
  VkDebugUtilsMessengerEXT messenger_ = VK_NULL_HANDLE;
  VkPhysicalDevice phys_ = VK_NULL_HANDLE;
  VkDevice device_ = VK_NULL_HANDLE;
  VkQueue queue_ = VK_NULL_HANDLE;
  uint32_t queue_family_ = 0;
  uint32_t ts_bits_ = 0;
  VkPhysicalDeviceProperties props_{};
  VkPhysicalDeviceMemoryProperties mem_props_{};
  std::string name_;
  bool validation_ = false;
  bool has_dmabuf_ = false;
  bool pipeline_stats_ = false;
  // The messenger's user data: its own allocation, so that an abandoned
  // context (whose instance and messenger live on) can leak it.
  std::unique_ptr<std::atomic<uint64_t>> messages_ = std::make_unique<std::atomic<uint64_t>>(0);
  mutable std::atomic<bool> abandoned_{false};
  mutable std::atomic<uint64_t> buffers_destroyed_{0};
};

// A VkBuffer with its own host-visible, coherent memory, persistently
// mapped (V3DV has only such memory).
class Buffer {
 public:
  Buffer() = default;
  Buffer(const Context& ctx, VkDeviceSize size, VkBufferUsageFlags usage);
  ~Buffer() { reset(); }
  // Bytes allocated past size() (see the constructor).
  static constexpr VkDeviceSize kOverreadSlack = 64;
  Buffer(Buffer&& o) noexcept { *this = std::move(o); }
  Buffer& operator=(Buffer&& o) noexcept;

  // Destroys the buffer and frees its memory (leaks both if the context
  // was abandoned).
  void reset();
  VkBuffer buffer() const { return buffer_; }
  VkDeviceSize size() const { return size_; }
  uint8_t* data() const { return data_; }
  explicit operator bool() const { return buffer_ != VK_NULL_HANDLE; }

 private:
  const Context* ctx_ = nullptr;  // outlives the buffer (owners keep it alive)
  VkBuffer buffer_ = VK_NULL_HANDLE;
  VkDeviceMemory memory_ = VK_NULL_HANDLE;
  VkDeviceSize size_ = 0;
  uint8_t* data_ = nullptr;
};

// A storage buffer reused across frames, grown (never shrunk) on demand.
class GrowableBuffer {
 public:
  explicit GrowableBuffer(VkBufferUsageFlags usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT) : usage_(usage) {}
  // Ensures at least `size` bytes (at least 256 so it is never empty).
  // Returns true if the VkBuffer changed.
  bool ensure(const Context& ctx, VkDeviceSize size);
  Buffer& get() { return buf_; }
  VkBuffer buffer() const { return buf_.buffer(); }
  uint8_t* data() const { return buf_.data(); }

 private:
  VkBufferUsageFlags usage_;
  Buffer buf_;
};

// Buffers given back for reuse: a decoder wraps a new NV12 destination per
// shown frame, and its staging buffer should not be a new allocation each
// time. Keeps a few buffers; take() returns one of at least `size` bytes.
class BufferPool {
 public:
  Buffer take(const Context& ctx, VkDeviceSize size, VkBufferUsageFlags usage);
  void give(Buffer&& b, VkBufferUsageFlags usage);

 private:
  std::mutex mutex_;
  struct Entry {
    Buffer buf;
    VkBufferUsageFlags usage;
  };
  std::vector<Entry> free_;
};

}  // namespace daedalus::dispatch::vk
