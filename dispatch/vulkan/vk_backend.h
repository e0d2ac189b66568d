// SPDX-License-Identifier: MIT
// The Vulkan compute backend of the dispatch stages. One command buffer per
// frame records every stage (begin_frame .. end_frame), with one global
// compute->compute barrier between dependent dispatches, one submission and
// one fence wait in end_frame(); per-stage GPU time from timestamp queries.
// This class and vk_backend.cpp own the frame's lifecycle, the pools, the
// pipelines (vk_interface.h) and the dispatch/barrier/timing helpers; each
// stage's planning and recording live in the file named after its shader,
// stage_<shader>.cpp (residual, inter_pred, add_residual, intra_recon,
// loop_filter, pack_nv12).
#pragma once

#include <array>
#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "daedalus/dispatch/dispatch.h"
#include "vk_context.h"
#include "vk_descriptor_sets.h"
#include "vk_interface.h"
#include "stage_inter_pred.h"
#include "stage_loop_filter.h"
#include "vk_work.h"

namespace daedalus::dispatch::vk {

class VkSurface;

inline uint32_t div_up(uint32_t a, uint32_t b) { return (a + b - 1) / b; }

struct Pipeline {
  VkDescriptorSetLayout set_layout = VK_NULL_HANDLE;
  VkPipelineLayout layout = VK_NULL_HANDLE;
  VkPipeline pipeline = VK_NULL_HANDLE;
  uint32_t num_buffers = 0;
  uint32_t push_size = 0;
};

// One vkCreateComputePipelines of the constructor: what it built and how
// long the driver's compiler took. stats: the driver's statistics
// (VK_KHR_pipeline_executable_properties, name -> value) when the context
// captures them (VulkanOptions::pipeline_stats).
struct PipelineCreation {
  std::string label;  // module name, plus "[spec0=N]" when specialized
  double ms = 0;
  std::vector<std::pair<std::string, std::string>> stats;
};

class VulkanBackend final : public Backend {
 public:
  explicit VulkanBackend(const VulkanOptions& opts = {});
  ~VulkanBackend() override;

  std::string name() const override;
  bool usable() const override { return !gpu_hung_; }
  void set_frame_timeout(std::chrono::milliseconds t) override { frame_timeout_ = t; }
  std::chrono::milliseconds frame_timeout() const override { return frame_timeout_; }
  std::shared_ptr<Surface> create_surface(uint32_t width, uint32_t height) override;
  std::shared_ptr<Surface> wrap_nv12(const Nv12Layout& layout, uint8_t* host, int dmabuf_fd) override;
  void begin_frame(const FrameWork& work) override;
  void residual(const FrameWork& work) override;
  void inter_pred(const FrameWork& work, Surface& dst, Surface* const refs[3]) override;
  void intra_recon(const FrameWork& work, Surface& dst) override;
  void loop_filter(const FrameWork& work, Surface& dst) override;
  void pack_nv12(const Surface& src, Surface& dst_nv12) override;
  void end_frame() override;
  void h264_residual(const H264FrameWork& work) override;
  void h264_intra_recon(const H264FrameWork& work, Surface& dst) override;
  void h264_deblock(const H264FrameWork& work, Surface& dst) override;
  std::vector<int16_t> h264_residuals() const override;
  StageTiming timing(Stage stage) const override { return timing_[static_cast<int>(stage)]; }
  FrameTiming frame_timing() const override { return frame_timing_; }
  std::vector<DispatchRecord> frame_dispatches() const override { return dispatches_; }
  void reserve(uint32_t width, uint32_t height) override;

  Context& context() { return *ctx_; }
  // Validation-layer warnings/errors so far (0 when validation is off).
  uint64_t validation_messages() const { return ctx_->validation_messages(); }
  // Whether the last wrap_nv12 with a dmabuf fd imported it in place (true)
  // or fell back to a copy (false).
  bool last_wrap_imported() const { return last_wrap_imported_; }
  // The loop filter edge masks the GPU built for the last frame
  // (loop_filter_masks.comp), in LfPlan::edges' layout; for tests.
  std::vector<uint32_t> loop_filter_edges() const;
  // Descriptor sets allocated so far (the rest of the frames' sets were reused).
  uint64_t descriptor_set_allocations() const { return sets_.allocations(); }
  // Every pipeline the backend created, in order (tests/v3d/ reads them,
  // via daedalus-checkasm --compile-only). With VulkanOptions::pipeline_log
  // each creation is also framed on stderr by "daedalus-pipeline begin
  // LABEL" / "daedalus-pipeline end LABEL ms=..." lines, with its
  // statistics as "daedalus-pipeline stat LABEL NAME=VALUE" lines, so that
  // what the driver prints while compiling can be attributed to it.
  const std::vector<PipelineCreation>& pipeline_creations() const { return creations_; }

 private:
  void create_pipeline(const PipelineSpec& spec);
  std::vector<std::pair<std::string, std::string>> pipeline_statistics(VkPipeline pipeline);
  // A descriptor set with `buffers` for pipeline `id`, kept across frames
  // (DescriptorSets).
  VkDescriptorSet make_set(PipelineId id, std::initializer_list<VkBuffer> buffers);
  // push: the pipeline's push-constant struct (kPipelineSpecs); a struct
  // of another size is an internal error.
  template <class Push>
  void dispatch(PipelineId id, VkDescriptorSet set, const Push& push, uint32_t gx, uint32_t gy) {
    dispatch_raw(id, set, &push, sizeof(Push), gx, gy);
  }
  template <class Push>
  void dispatch_linear(PipelineId id, VkDescriptorSet set, const Push& push, uint32_t groups) {
    dispatch_linear_raw(id, set, &push, sizeof(Push), groups);
  }
  void dispatch_raw(PipelineId id, VkDescriptorSet set, const void* push, size_t push_size, uint32_t gx, uint32_t gy);
  void dispatch_linear_raw(PipelineId id, VkDescriptorSet set, const void* push, size_t push_size, uint32_t groups);
  void barrier();  // global compute->compute, only when something was recorded
  void stage_begin(Stage s);
  void stage_end(Stage s);
  void require_frame(const char* what) const;
  VkSurface& as_vk(Surface& s, const char* what);
  void use_as_source(VkSurface& s);  // host-backed NV12: copy host->staging
  void use_as_destination(VkSurface& s);
  // Decoded-area planes of a planar destination, checked like the reference.
  static dd_planes dst_planes(Surface& dst, const dd_frame_params& p, const char* what);
  // inter_pred's last pass: the inter blocks' residuals added to the
  // prediction (stage_add_residual.cpp).
  void add_residual(VkSurface& dst, const dd_planes& planes);
  // Packs and uploads an H.264 picture's work once per frame (the first
  // H.264 stage of the frame that gets it; stage_h264_residual.cpp).
  void h264_upload(const H264FrameWork& work);
  // The H.264 stages' checks of their work and destination
  // (stage_h264_intra_recon.cpp), and their macroblock wavefront: one
  // dispatch of `id` per level, barriers between them.
  dd_planes h264_planes(const H264FrameWork& work, Surface& dst, const char* what);
  void h264_wavefront(PipelineId id, VkDescriptorSet set, const H264FrameWork& work, const dd_planes& planes);

  std::shared_ptr<Context> ctx_;  // shared with surfaces, which may outlive the backend
  std::shared_ptr<BufferPool> staging_pool_ = std::make_shared<BufferPool>();
  // Planar surfaces' buffers (decoders' scratch surfaces, which live as long
  // as a context): kept apart from the staging copies' churn.
  std::shared_ptr<BufferPool> surface_pool_ = std::make_shared<BufferPool>();
  std::array<Pipeline, kNumPipelines> pipelines_{};
  VkCommandPool cmd_pool_ = VK_NULL_HANDLE;
  VkCommandBuffer cmd_ = VK_NULL_HANDLE;
  VkFence fence_ = VK_NULL_HANDLE;
  VkQueryPool queries_ = VK_NULL_HANDLE;
  DescriptorSets sets_{*ctx_};

  // Per-frame work, persistent across frames (grown on demand).
  GrowableBuffer tx_buf_, coeff_buf_, residual_buf_, lf_buf_, tx_aux_buf_, lf_aux_buf_, jobs_buf_;
  Buffer filter_buf_;  // VP9 interpolation kernels, [filter][position][tap] as int32
  Buffer h264_tables_buf_;  // the H.264 deblocking tables (h264_shared.h, DD_H264_TABLE_*) as int32
  dd_frame_params params_{};
  TxPlan tx_plan_;
  IntraGrids intra_grids_;  // plan_tx's scratch, kept from frame to frame
  LfPlan lf_plan_;
  InterPlan inter_plan_;  // kept: its storage is reused frame after frame
  bool residual_recorded_ = false, inter_recorded_ = false;
  // The H.264 stages' work: packed macroblock records (pack_h264_mbs),
  // coefficients, residuals; the work they hold this frame, and the work
  // h264_residual recorded.
  GrowableBuffer h264_mb_buf_, h264_coeff_buf_, h264_residual_buf_;
  const H264FrameWork* h264_uploaded_of_ = nullptr;
  const H264FrameWork* h264_residual_of_ = nullptr;
  uint32_t h264_residual_mbs_ = 0;  // macroblocks of the last h264_residual

  bool in_frame_ = false;
  // Longest a frame may take on the GPU (lavapipe under QEMU TCG included)
  // before the backend is declared hung.
  std::chrono::milliseconds frame_timeout_ = kDefaultFrameTimeout;
  bool gpu_hung_ = false;
  bool dirty_ = false;  // a dispatch was recorded since the last barrier
  // What the frame's command buffer has bound (kNumPipelines: nothing yet).
  PipelineId bound_pipeline_ = kNumPipelines;
  VkDescriptorSet bound_set_ = VK_NULL_HANDLE;
  bool stage_recorded_[static_cast<int>(Stage::kCount)] = {};
  std::chrono::steady_clock::time_point stage_t0_;
  std::array<StageTiming, static_cast<int>(Stage::kCount)> timing_{};
  FrameTiming frame_timing_{};
  std::vector<VkSurface*> copy_back_;
  bool last_wrap_imported_ = false;
  const bool stats_;  // VulkanOptions::frame_stats
  const bool count_loop_trips_;  // VulkanOptions::count_loop_trips
  const uint32_t intra_chain_max_groups_;  // VulkanOptions; see TxPlan::IntraStep
  uint32_t num_barriers_ = 0, num_jobs_ = 0;
  std::vector<DispatchRecord> dispatches_;  // this frame's, for frame_dispatches()
  bool logged_import_fallback_ = false;
  const bool log_pipelines_;  // VulkanOptions::pipeline_log
  std::vector<PipelineCreation> creations_;
};

}  // namespace daedalus::dispatch::vk
