// SPDX-License-Identifier: MIT
// The backend's descriptor sets, kept from frame to frame. A frame binds
// the same few buffers as the one before it (the persistent work buffers,
// the decoder's surfaces), so a set made once is looked up again instead
// of reallocated: on lavapipe a set owns driver memory, and resetting the
// pools every frame unmapped and remapped it all. A set names its buffers
// by handle, and a destroyed buffer's handle may come back for a new one,
// so every set is dropped once any buffer of the context was destroyed
// (Context::buffers_destroyed()).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <vector>

#include "vk_context.h"

namespace daedalus::dispatch::vk {

class DescriptorSets {
 public:
  explicit DescriptorSets(const Context& ctx) : ctx_(&ctx) {}
  ~DescriptorSets();
  DescriptorSets(const DescriptorSets&) = delete;
  DescriptorSets& operator=(const DescriptorSets&) = delete;

  // A set of `layout` (pipeline `pipeline`'s) with `buffers` as storage
  // buffers at bindings 0.. (whole size each).
  VkDescriptorSet get(uint32_t pipeline, VkDescriptorSetLayout layout, std::initializer_list<VkBuffer> buffers);
  // At the start of a frame, when no recorded work uses a set: frees every
  // set once they were dropped (a buffer destroyed, or too many kept).
  void begin_frame();
  // Sets allocated since the backend started (tests: reuse is what they check).
  uint64_t allocations() const { return allocations_; }

 private:
  static constexpr size_t kMaxBuffers = 8;
  // More distinct bindings than a decoder's surfaces make: past it, start over.
  static constexpr size_t kMaxKept = 1024;
  struct Kept {
    uint32_t pipeline;
    uint32_t num_buffers;
    VkBuffer buffers[kMaxBuffers];
    VkDescriptorSet set;
  };
  VkDescriptorSet allocate(VkDescriptorSetLayout layout);

  const Context* ctx_;
  std::vector<VkDescriptorPool> pools_;
  size_t pool_cur_ = 0;
  std::vector<Kept> kept_;
  uint64_t destroyed_seen_ = 0;  // Context::buffers_destroyed() when kept_ was last valid
  bool reset_pending_ = false;   // kept_ was dropped: free the pools' sets at the next frame
  uint64_t allocations_ = 0;
};

}  // namespace daedalus::dispatch::vk
