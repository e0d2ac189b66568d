// SPDX-License-Identifier: MIT
#include "vk_descriptor_sets.h"

#include <algorithm>

#include "daedalus/error.h"

namespace daedalus::dispatch::vk {

DescriptorSets::~DescriptorSets() {
  // An abandoned device may still read the sets (Context::abandon()).
  if (ctx_->abandoned()) return;
  for (VkDescriptorPool pool : pools_) vkDestroyDescriptorPool(ctx_->device(), pool, nullptr);
}

void DescriptorSets::begin_frame() {
  if (kept_.size() > kMaxKept) reset_pending_ = true;
  if (ctx_->buffers_destroyed() != destroyed_seen_) reset_pending_ = true;
  if (!reset_pending_) return;
  for (VkDescriptorPool pool : pools_) vkResetDescriptorPool(ctx_->device(), pool, 0);
  pool_cur_ = 0;
  kept_.clear();
  destroyed_seen_ = ctx_->buffers_destroyed();
  reset_pending_ = false;
}

VkDescriptorSet DescriptorSets::get(uint32_t pipeline, VkDescriptorSetLayout layout,
                                    std::initializer_list<VkBuffer> buffers) {
  if (buffers.size() > kMaxBuffers) throw Error("vulkan backend: internal error: too many buffers for one set");
  // A buffer destroyed within the frame (a work buffer grown): the sets
  // made so far may name its handle. Stop using them; the sets already
  // recorded stay allocated until the next frame starts.
  if (ctx_->buffers_destroyed() != destroyed_seen_) {
    kept_.clear();
    destroyed_seen_ = ctx_->buffers_destroyed();
    reset_pending_ = true;
  }
  for (const Kept& k : kept_)
    if (k.pipeline == pipeline && k.num_buffers == buffers.size() &&
        std::equal(buffers.begin(), buffers.end(), k.buffers))
      return k.set;

  Kept k{pipeline, uint32_t(buffers.size()), {}, allocate(layout)};
  std::copy(buffers.begin(), buffers.end(), k.buffers);
  VkDescriptorBufferInfo infos[kMaxBuffers];
  VkWriteDescriptorSet writes[kMaxBuffers];
  for (uint32_t i = 0; i < k.num_buffers; ++i) {
    infos[i] = {k.buffers[i], 0, VK_WHOLE_SIZE};
    writes[i] = {VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET};
    writes[i].dstSet = k.set;
    writes[i].dstBinding = i;
    writes[i].descriptorCount = 1;
    writes[i].descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
    writes[i].pBufferInfo = &infos[i];
  }
  vkUpdateDescriptorSets(ctx_->device(), k.num_buffers, writes, 0, nullptr);
  kept_.push_back(k);
  return k.set;
}

VkDescriptorSet DescriptorSets::allocate(VkDescriptorSetLayout layout) {
  for (;;) {
    if (pool_cur_ == pools_.size()) {
      VkDescriptorPoolSize size{VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 256};
      VkDescriptorPoolCreateInfo dpci{VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO};
      dpci.maxSets = 64;
      dpci.poolSizeCount = 1;
      dpci.pPoolSizes = &size;
      VkDescriptorPool pool;
      check(vkCreateDescriptorPool(ctx_->device(), &dpci, nullptr, &pool), "vkCreateDescriptorPool");
      pools_.push_back(pool);
    }
    VkDescriptorSetAllocateInfo dsai{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO};
    dsai.descriptorPool = pools_[pool_cur_];
    dsai.descriptorSetCount = 1;
    dsai.pSetLayouts = &layout;
    VkDescriptorSet set = VK_NULL_HANDLE;
    const VkResult r = vkAllocateDescriptorSets(ctx_->device(), &dsai, &set);
    if (r == VK_SUCCESS) {
      allocations_++;
      return set;
    }
    if (r != VK_ERROR_OUT_OF_POOL_MEMORY && r != VK_ERROR_FRAGMENTED_POOL) check(r, "vkAllocateDescriptorSets");
    pool_cur_++;
  }
}

}  // namespace daedalus::dispatch::vk
