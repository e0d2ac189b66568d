// SPDX-License-Identifier: MIT
#include "vk_backend.h"

#include <fmt/format.h>

#include <cstdio>
#include <cstring>

#include "backends.h"
#include "daedalus/dispatch/h264_shared.h"
#include "daedalus/error.h"
#include "daedalus/shaders.h"
#include "vk_surface.h"

namespace daedalus::dispatch {

std::unique_ptr<Backend> create_vulkan_backend(const VulkanOptions& options) {
  return std::make_unique<vk::VulkanBackend>(options);
}

namespace vk {

namespace {

constexpr int kNumStages = static_cast<int>(Stage::kCount);

double ms_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

extern const int32_t kVp9SubpelFilters[4][16][8];

VulkanBackend::VulkanBackend(const VulkanOptions& opts)
    : ctx_(std::make_shared<Context>(opts)),
      stats_(opts.frame_stats),
      count_loop_trips_(opts.count_loop_trips),
      intra_chain_max_groups_(opts.intra_chain_max_groups),
      log_pipelines_(opts.pipeline_log) {
  VkDevice dev = ctx_->device();
  VkCommandPoolCreateInfo cpci{VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO};
  cpci.flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT;
  cpci.queueFamilyIndex = ctx_->queue_family();
  check(vkCreateCommandPool(dev, &cpci, nullptr, &cmd_pool_), "vkCreateCommandPool");
  VkCommandBufferAllocateInfo cbai{VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO};
  cbai.commandPool = cmd_pool_;
  cbai.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
  cbai.commandBufferCount = 1;
  check(vkAllocateCommandBuffers(dev, &cbai, &cmd_), "vkAllocateCommandBuffers");
  VkFenceCreateInfo fci{VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
  check(vkCreateFence(dev, &fci, nullptr, &fence_), "vkCreateFence");
  if (ctx_->timestamp_valid_bits()) {
    VkQueryPoolCreateInfo qpci{VK_STRUCTURE_TYPE_QUERY_POOL_CREATE_INFO};
    qpci.queryType = VK_QUERY_TYPE_TIMESTAMP;
    qpci.queryCount = 2 * kNumStages;
    check(vkCreateQueryPool(dev, &qpci, nullptr, &queries_), "vkCreateQueryPool");
  }

  for (const PipelineSpec& spec : kPipelineSpecs) create_pipeline(spec);

  filter_buf_ = Buffer(*ctx_, sizeof(kVp9SubpelFilters), VK_BUFFER_USAGE_STORAGE_BUFFER_BIT);
  std::memcpy(filter_buf_.data(), kVp9SubpelFilters, sizeof(kVp9SubpelFilters));
  static constexpr int32_t kH264Tables[DD_H264_TABLE_SIZE] = {DD_H264_ALPHA, DD_H264_BETA, DD_H264_TC0};
  h264_tables_buf_ = Buffer(*ctx_, sizeof(kH264Tables), VK_BUFFER_USAGE_STORAGE_BUFFER_BIT);
  std::memcpy(h264_tables_buf_.data(), kH264Tables, sizeof(kH264Tables));
}

VulkanBackend::~VulkanBackend() {
  // After a GPU timeout the submitted work may still be running: destroying
  // what it uses is undefined and waiting may never end, so a hung backend
  // is leaked on purpose (end_frame says so when it happens).
  if (gpu_hung_) return;
  VkDevice dev = ctx_->device();
  vkDeviceWaitIdle(dev);
  for (auto& p : pipelines_) {
    if (p.pipeline) vkDestroyPipeline(dev, p.pipeline, nullptr);
    if (p.layout) vkDestroyPipelineLayout(dev, p.layout, nullptr);
    if (p.set_layout) vkDestroyDescriptorSetLayout(dev, p.set_layout, nullptr);
  }
  if (queries_) vkDestroyQueryPool(dev, queries_, nullptr);
  if (fence_) vkDestroyFence(dev, fence_, nullptr);
  if (cmd_pool_) vkDestroyCommandPool(dev, cmd_pool_, nullptr);
  // Buffers must go before the device (ctx_ is destroyed last: declared first).
  for (GrowableBuffer* b : {&tx_buf_, &coeff_buf_, &residual_buf_, &tx_aux_buf_, &lf_aux_buf_, &jobs_buf_,
                            &h264_mb_buf_, &h264_coeff_buf_, &h264_residual_buf_})
    b->get().reset();
  lf_buf_.get().reset();
  filter_buf_.reset();
  h264_tables_buf_.reset();
}

std::string VulkanBackend::name() const { return fmt::format("vulkan ({})", ctx_->device_name()); }

void VulkanBackend::create_pipeline(const PipelineSpec& spec) {
  const shaders::Module* m = shaders::find_module(spec.module);
  if (!m) throw Error(fmt::format("vulkan backend: shader module '{}' is not embedded", spec.module));
  VkDevice dev = ctx_->device();
  Pipeline& p = pipelines_[spec.id];
  p.num_buffers = spec.num_buffers;
  p.push_size = spec.push_size;

  const VkPipelineCreateFlags flags =
      ctx_->captures_pipeline_stats() ? VK_PIPELINE_CREATE_CAPTURE_STATISTICS_BIT_KHR : 0;
  PipelineCreation log;
  log.label = spec.module;
  if (log_pipelines_) {
    fmt::print(stderr, "daedalus-pipeline begin {}\n", log.label);
    std::fflush(stderr);
  }
  const ComputePipeline made =
      create_compute_pipeline(dev, m->words, m->num_words, spec.num_buffers, spec.push_size, -1, flags, &log.ms);
  p.set_layout = made.set_layout;
  p.layout = made.layout;
  p.pipeline = made.pipeline;
  if (ctx_->captures_pipeline_stats()) log.stats = pipeline_statistics(p.pipeline);
  if (log_pipelines_) {
    for (auto& [k, v] : log.stats) fmt::print(stderr, "daedalus-pipeline stat {} {}={}\n", log.label, k, v);
    fmt::print(stderr, "daedalus-pipeline end {} ms={:.1f}\n", log.label, log.ms);
    std::fflush(stderr);
  }
  creations_.push_back(std::move(log));
}

std::vector<std::pair<std::string, std::string>> VulkanBackend::pipeline_statistics(VkPipeline pipeline) {
  VkDevice dev = ctx_->device();
  auto get_props = reinterpret_cast<PFN_vkGetPipelineExecutablePropertiesKHR>(
      vkGetDeviceProcAddr(dev, "vkGetPipelineExecutablePropertiesKHR"));
  auto get_stats = reinterpret_cast<PFN_vkGetPipelineExecutableStatisticsKHR>(
      vkGetDeviceProcAddr(dev, "vkGetPipelineExecutableStatisticsKHR"));
  std::vector<std::pair<std::string, std::string>> out;
  if (!get_props || !get_stats) return out;
  VkPipelineInfoKHR pi{VK_STRUCTURE_TYPE_PIPELINE_INFO_KHR};
  pi.pipeline = pipeline;
  uint32_t n = 0;
  if (get_props(dev, &pi, &n, nullptr) != VK_SUCCESS) return out;
  for (uint32_t e = 0; e < n; e++) {
    VkPipelineExecutableInfoKHR ei{VK_STRUCTURE_TYPE_PIPELINE_EXECUTABLE_INFO_KHR};
    ei.pipeline = pipeline;
    ei.executableIndex = e;
    uint32_t ns = 0;
    if (get_stats(dev, &ei, &ns, nullptr) != VK_SUCCESS) continue;
    std::vector<VkPipelineExecutableStatisticKHR> st(ns, {VK_STRUCTURE_TYPE_PIPELINE_EXECUTABLE_STATISTIC_KHR});
    if (get_stats(dev, &ei, &ns, st.data()) != VK_SUCCESS) continue;
    for (auto& x : st) {
      std::string v;
      switch (x.format) {
        case VK_PIPELINE_EXECUTABLE_STATISTIC_FORMAT_BOOL32_KHR: v = x.value.b32 ? "1" : "0"; break;
        case VK_PIPELINE_EXECUTABLE_STATISTIC_FORMAT_INT64_KHR: v = fmt::format("{}", x.value.i64); break;
        case VK_PIPELINE_EXECUTABLE_STATISTIC_FORMAT_UINT64_KHR: v = fmt::format("{}", x.value.u64); break;
        case VK_PIPELINE_EXECUTABLE_STATISTIC_FORMAT_FLOAT64_KHR: v = fmt::format("{}", x.value.f64); break;
        default: continue;
      }
      out.emplace_back(n > 1 ? fmt::format("{}#{}", x.name, e) : std::string(x.name), v);
    }
  }
  return out;
}

VkDescriptorSet VulkanBackend::make_set(PipelineId id, std::initializer_list<VkBuffer> buffers) {
  const Pipeline& p = pipelines_[id];
  if (buffers.size() != p.num_buffers) throw Error("vulkan backend: internal error: descriptor count mismatch");
  return sets_.get(id, p.set_layout, buffers);
}

void VulkanBackend::dispatch_raw(PipelineId id, VkDescriptorSet set, const void* push, size_t push_size, uint32_t gx,
                                 uint32_t gy) {
  const Pipeline& p = pipelines_[id];
  if (push_size != p.push_size)
    throw Error(fmt::format("vulkan backend: internal error: {} bytes pushed to {}, whose push constants are {} bytes",
                            push_size, kPipelineSpecs[id].module, p.push_size));
  if (gx == 0 || gy == 0) return;
  // Bindings last until the command buffer's end: a run of dispatches of
  // one pipeline (the loop filter's waves, intra levels, inter passes)
  // binds it and its set once. Every pipeline has its own layout, so a
  // pipeline change binds the set again.
  if (id != bound_pipeline_) {
    vkCmdBindPipeline(cmd_, VK_PIPELINE_BIND_POINT_COMPUTE, p.pipeline);
    bound_pipeline_ = id;
    bound_set_ = VK_NULL_HANDLE;
  }
  if (set != bound_set_) {
    vkCmdBindDescriptorSets(cmd_, VK_PIPELINE_BIND_POINT_COMPUTE, p.layout, 0, 1, &set, 0, nullptr);
    bound_set_ = set;
  }
  if (p.push_size) vkCmdPushConstants(cmd_, p.layout, VK_SHADER_STAGE_COMPUTE_BIT, 0, p.push_size, push);
  vkCmdDispatch(cmd_, gx, gy, 1);
  dispatches_.push_back({kPipelineSpecs[id].module, gx * gy, kPipelineSpecs[id].invocations, num_barriers_, 1});
  dirty_ = true;
}

void VulkanBackend::dispatch_linear_raw(PipelineId id, VkDescriptorSet set, const void* push, size_t push_size,
                                        uint32_t groups) {
  // maxComputeWorkGroupCount is 65535 per dimension on V3DV (and the
  // minimum Vulkan guarantees): spread large counts over a 2-D grid; the
  // shaders skip the excess groups of the last row (linear_group()).
  constexpr uint32_t kRow = 32768;
  if (groups <= kRow)
    dispatch_raw(id, set, push, push_size, groups, 1);
  else
    dispatch_raw(id, set, push, push_size, kRow, div_up(groups, kRow));
}

void VulkanBackend::barrier() {
  if (!dirty_) return;
  VkMemoryBarrier mb{VK_STRUCTURE_TYPE_MEMORY_BARRIER};
  mb.srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT;
  mb.dstAccessMask = VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT;
  vkCmdPipelineBarrier(cmd_, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, 0, 1, &mb, 0,
                       nullptr, 0, nullptr);
  dirty_ = false;
  num_barriers_++;
}

void VulkanBackend::require_frame(const char* what) const {
  if (!in_frame_) throw Error(fmt::format("vulkan backend: {} called outside begin_frame/end_frame", what));
}

VkSurface& VulkanBackend::as_vk(Surface& s, const char* what) {
  auto* v = dynamic_cast<VkSurface*>(&s);
  if (!v) throw Error(fmt::format("vulkan backend: {}: surface was not created by this backend", what));
  return *v;
}

void VulkanBackend::use_as_source(VkSurface& s) { s.sync_to_device(); }

void VulkanBackend::use_as_destination(VkSurface& s) {
  if (!s.staged()) return;
  s.sync_to_device();  // bytes outside the written planes stay as they are
  for (auto* c : copy_back_)
    if (c == &s) return;
  copy_back_.push_back(&s);
}

void VulkanBackend::stage_begin(Stage s) {
  int i = static_cast<int>(s);
  barrier();
  stage_t0_ = std::chrono::steady_clock::now();
  if (queries_ && !stage_recorded_[i])
    vkCmdWriteTimestamp(cmd_, VK_PIPELINE_STAGE_TOP_OF_PIPE_BIT, queries_, 2 * i);
}

void VulkanBackend::stage_end(Stage s) {
  int i = static_cast<int>(s);
  if (queries_) {
    // A query is written once per reset: a stage called twice in one frame
    // reports the GPU time of its first call (cpu_ms sums all calls).
    if (!stage_recorded_[i]) vkCmdWriteTimestamp(cmd_, VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT, queries_, 2 * i + 1);
  }
  stage_recorded_[i] = true;
  timing_[i].cpu_ms += std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - stage_t0_).count();
}

std::shared_ptr<Surface> VulkanBackend::create_surface(uint32_t width, uint32_t height) {
  return std::make_shared<VkSurface>(ctx_, width, height, surface_pool_);
}

void VulkanBackend::reserve(uint32_t width, uint32_t height) {
  if (in_frame_) throw Error("vulkan backend: reserve() inside a frame");
  // Worst cases in 4x4 units of the 8-aligned frame, 4:2:0: every unit its
  // own transform block with all 16 coefficients (FrameCore reserves alike).
  const uint64_t units = uint64_t((width + 7) / 8 * 2) * ((height + 7) / 8 * 2);
  const uint64_t tx_blocks = units * 3 / 2, coeffs = units * 16 * 3 / 2;
  auto touch = [&](GrowableBuffer& b, uint64_t bytes) {
    b.ensure(*ctx_, bytes);
    std::memset(b.data(), 0, bytes);
  };
  touch(tx_buf_, tx_blocks * sizeof(dd_tx_block));
  touch(coeff_buf_, coeffs * sizeof(int16_t));
  touch(residual_buf_, coeffs * sizeof(int16_t));
  // plan_tx's aux words: a residual offset, a size list, the inter and the
  // intra level lists per block, and the chain words.
  touch(tx_aux_buf_, tx_blocks * 4 * 5);
  touch(lf_buf_, units * 3 / 2 * sizeof(dd_lf_unit));
  // plan_intra's level grids, for 4:2:0 frames of this size.
  dd_frame_params p{};
  p.mi_cols = (width + 7) / 8;
  p.mi_rows = (height + 7) / 8;
  p.ss_x = p.ss_y = 1;
  intra_grids_.fit(p);
  create_surface(width, height);  // its buffer stays in surface_pool_
}

std::shared_ptr<Surface> VulkanBackend::wrap_nv12(const Nv12Layout& layout, uint8_t* host, int dmabuf_fd) {
  bool imported = false;
  auto s = std::make_shared<VkSurface>(ctx_, staging_pool_, layout, host, dmabuf_fd, &imported);
  last_wrap_imported_ = imported;
  if (dmabuf_fd >= 0 && !imported && !logged_import_fallback_) {
    logged_import_fallback_ = true;
    fmt::print(stderr,
               "daedalus vulkan: cannot import dmabuf on '{}'{}; falling back to a staging buffer and copies\n",
               ctx_->device_name(), ctx_->has_dmabuf_import() ? "" : " (no VK_EXT_external_memory_dma_buf)");
  }
  return s;
}

void VulkanBackend::begin_frame(const FrameWork& work) {
  if (gpu_hung_) throw Error("vulkan backend: unusable since a frame did not finish on the GPU");
  // A frame abandoned by an exception is simply dropped: the command
  // buffer is reset below and nothing was submitted.
  in_frame_ = false;
  const auto begin_t0 = std::chrono::steady_clock::now();
  frame_timing_ = FrameTiming{};
  validate_work(work);
  tx_plan_ = plan_tx(work, intra_chain_max_groups_, &intra_grids_);
  // The edge masks are built on the GPU (loop_filter_masks.comp); on the
  // host only to count the shader's loop trips.
  lf_plan_ = plan_loop_filter(work, count_loop_trips_);

  // Upload the work arrays into the persistent buffers (host-visible,
  // coherent: a memcpy is the upload; the submit makes it visible).
  auto upload = [&](GrowableBuffer& b, const void* data, size_t bytes) {
    b.ensure(*ctx_, bytes);
    if (bytes) std::memcpy(b.data(), data, bytes);
  };
  static_assert(sizeof(dd_tx_block) == 16 && sizeof(dd_lf_unit) == 4, "shaders read these as 32-bit words");
  upload(tx_buf_, work.tx_blocks.data(), work.tx_blocks.size() * sizeof(dd_tx_block));
  upload(coeff_buf_, work.coeffs.data(), work.coeffs.size() * sizeof(int16_t));
  // The planes' loop filter units one after another (LfPlan::unit_base).
  lf_buf_.ensure(*ctx_, (work.lf[0].size() + work.lf[1].size() + work.lf[2].size()) * sizeof(dd_lf_unit));
  for (int i = 0; i < 3; i++)
    if (!work.lf[i].empty())
      std::memcpy(lf_buf_.data() + size_t(lf_plan_.unit_base[i]) * sizeof(dd_lf_unit), work.lf[i].data(),
                  work.lf[i].size() * sizeof(dd_lf_unit));
  upload(tx_aux_buf_, tx_plan_.aux.data(), tx_plan_.aux.size() * 4);
  // The superblock list, then room for its edge masks (LfPlan), which
  // loop_filter_masks.comp writes.
  lf_aux_buf_.ensure(*ctx_, lf_plan_.list.size() * (1 + kLfEdgeWords) * 4);
  if (!lf_plan_.list.empty()) std::memcpy(lf_aux_buf_.data(), lf_plan_.list.data(), lf_plan_.list.size() * 4);
  residual_buf_.ensure(*ctx_, size_t(tx_plan_.residual_samples) * 2);
  params_ = work.params;

  sets_.begin_frame();
  check(vkResetCommandBuffer(cmd_, 0), "vkResetCommandBuffer");
  VkCommandBufferBeginInfo bi{VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
  bi.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
  check(vkBeginCommandBuffer(cmd_, &bi), "vkBeginCommandBuffer");
  if (queries_) vkCmdResetQueryPool(cmd_, queries_, 0, 2 * kNumStages);
  for (auto& t : timing_) t = StageTiming{0, -1};
  for (auto& r : stage_recorded_) r = false;
  copy_back_.clear();
  dirty_ = false;
  bound_pipeline_ = kNumPipelines;
  bound_set_ = VK_NULL_HANDLE;
  residual_recorded_ = inter_recorded_ = false;
  h264_uploaded_of_ = h264_residual_of_ = nullptr;
  num_barriers_ = num_jobs_ = 0;
  dispatches_.clear();
  in_frame_ = true;
  frame_timing_.begin_ms = ms_since(begin_t0);
}

dd_planes VulkanBackend::dst_planes(Surface& dst, const dd_frame_params& p, const char* what) {
  if (dst.format() != SurfaceFormat::kPlanar420)
    throw Error(fmt::format("vulkan backend: {}: the destination must be a planar surface", what));
  dd_planes pp{};
  for (int pl = 0; pl < 3; pl++) {
    const PlaneLayout& l = dst.plane(pl);
    const uint32_t need_w = (p.mi_cols * 8) >> (pl ? p.ss_x : 0), need_h = (p.mi_rows * 8) >> (pl ? p.ss_y : 0);
    if (l.width < need_w || l.height < need_h)
      throw Error(fmt::format("vulkan backend: destination plane {} is {}x{}, the frame needs {}x{}", pl, l.width,
                              l.height, need_w, need_h));
    pp.off[pl] = static_cast<uint32_t>(l.offset);
    pp.stride[pl] = l.stride;
    pp.width[pl] = need_w;
    pp.height[pl] = need_h;
  }
  return pp;
}

void VulkanBackend::end_frame() {
  require_frame("end_frame");
  in_frame_ = false;
  // Make shader writes visible to the host after the fence.
  VkMemoryBarrier mb{VK_STRUCTURE_TYPE_MEMORY_BARRIER};
  mb.srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT;
  mb.dstAccessMask = VK_ACCESS_HOST_READ_BIT;
  vkCmdPipelineBarrier(cmd_, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, VK_PIPELINE_STAGE_HOST_BIT, 0, 1, &mb, 0, nullptr,
                       0, nullptr);
  check(vkEndCommandBuffer(cmd_), "vkEndCommandBuffer");
  VkSubmitInfo si{VK_STRUCTURE_TYPE_SUBMIT_INFO};
  si.commandBufferCount = 1;
  si.pCommandBuffers = &cmd_;
  check(vkResetFences(ctx_->device(), 1, &fence_), "vkResetFences");
  const auto submit_t0 = std::chrono::steady_clock::now();
  check(vkQueueSubmit(ctx_->queue(), 1, &si, fence_), "vkQueueSubmit");
  // Bounded: a hung GPU or driver must cost one errored frame, not a
  // daemon thread that never returns (and a daemon SIGTERM cannot stop).
  const auto timeout_ns = uint64_t(std::chrono::nanoseconds(frame_timeout_).count());
  const VkResult waited = vkWaitForFences(ctx_->device(), 1, &fence_, VK_TRUE, timeout_ns);
  if (waited == VK_TIMEOUT) {
    // The frame may still run and use any of our buffers, the surfaces'
    // memory included: nothing of this device is freed from now on.
    gpu_hung_ = true;
    ctx_->abandon();
    throw Error(fmt::format("vulkan backend: the GPU did not finish the frame within {} ms; device abandoned "
                            "(its memory is leaked, not freed under running work)",
                            frame_timeout_.count()));
  }
  check(waited, "vkWaitForFences");
  const auto finish_t0 = std::chrono::steady_clock::now();
  frame_timing_.wait_ms = std::chrono::duration<double, std::milli>(finish_t0 - submit_t0).count();

  if (queries_) {
    uint64_t ts[2 * kNumStages] = {};
    const uint64_t mask = ctx_->timestamp_valid_bits() >= 64 ? ~0ull : ((1ull << ctx_->timestamp_valid_bits()) - 1);
    const double ms_per_tick = ctx_->properties().limits.timestampPeriod * 1e-6;
    int first = -1, last = -1;
    // One vkGetQueryPoolResults per run of recorded stages (an inter
    // frame's five are one run): each call is a trip into the driver,
    // and queries of a stage that did not run were never written.
    for (int i = 0; i < kNumStages;) {
      if (!stage_recorded_[i]) {
        ++i;
        continue;
      }
      int end = i;
      while (end < kNumStages && stage_recorded_[end]) ++end;
      const uint32_t n = 2 * uint32_t(end - i);
      check(vkGetQueryPoolResults(ctx_->device(), queries_, 2 * i, n, sizeof(uint64_t) * n, &ts[2 * i],
                                  sizeof(uint64_t), VK_QUERY_RESULT_64_BIT | VK_QUERY_RESULT_WAIT_BIT),
            "vkGetQueryPoolResults");
      for (; i < end; ++i) {
        const uint64_t ticks = (ts[2 * i + 1] - ts[2 * i]) & mask;
        timing_[i].gpu_ms = double(ticks) * ms_per_tick;
        if (first < 0) first = i;
        last = i;
      }
    }
    // Stages run in enum order, so this spans the frame's device work.
    if (first >= 0) frame_timing_.gpu_span_ms = double((ts[2 * last + 1] - ts[2 * first]) & mask) * ms_per_tick;
  }
  for (auto* s : copy_back_) s->sync_to_host();
  copy_back_.clear();
  frame_timing_.finish_ms = ms_since(finish_t0);
  if (stats_)
    fmt::print(stderr,
               "daedalus vulkan frame: {} dispatches, {} barriers, {} intra levels ({} dispatches), {} loop filter levels, "
               "{} inter jobs\n",
               dispatches_.size(), num_barriers_, tx_plan_.intra_levels.size(), tx_plan_.intra_dispatches(),
               lf_plan_.levels.size(), num_jobs_);
}

}  // namespace vk
}  // namespace daedalus::dispatch
