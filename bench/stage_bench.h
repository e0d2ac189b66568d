// SPDX-License-Identifier: MIT
// Each dispatch stage on each backend, driven directly on synthetic 1080p
// work (synthetic_work.h), so that stage times, GPU timestamps, submission
// overhead and CPU-vs-Vulkan bit-exactness can be measured even before a
// bitstream decoder feeds the backends.
#pragma once

#include <array>
#include <functional>
#include <string>
#include <vector>

#include "daedalus/dispatch/dispatch.h"

namespace daedalus::bench {

constexpr int kNumStages = static_cast<int>(dispatch::Stage::kCount);

struct StageSample {
  std::array<double, kNumStages> call_ms{};  // wall time of the stage call
  std::array<double, kNumStages> cpu_ms{};   // Backend::timing().cpu_ms
  std::array<double, kNumStages> gpu_ms{};   // Backend::timing().gpu_ms (-1: none)
  double begin_ms = 0;
  double end_frame_ms = 0;  // submit + wait on deferred backends
  double total_ms = 0;      // begin_frame .. end_frame
};

struct StageBenchResult {
  std::string backend;      // "cpu" | "vulkan"
  std::string frame_kind;   // "intra" | "inter"
  bool available = true;
  std::string error;
  std::string device;       // Backend::name()
  StageSample best;         // per field, the fastest iteration
  std::vector<StageSample> samples;
  std::string md5;          // of the NV12 output
  uint32_t num_blocks = 0, num_tx_blocks = 0, num_coeffs = 0;
  // How the Vulkan backend splits this work (its host-side planner), for
  // the Pi 5 model: dependent dispatch levels and work items. Empty when
  // the Vulkan backend is not built.
  std::vector<std::pair<std::string, double>> vulkan_plan;
};

struct StageBenchOptions {
  dispatch::BackendOptions backend;  // each backend's settings
  uint32_t width = 1920, height = 1080;
  int iterations = 5;
  std::vector<dispatch::BackendKind> backends = {dispatch::BackendKind::kCpu, dispatch::BackendKind::kVulkan};
  // Called around each stage call with its name (callgrind mode zeroes
  // and dumps the counters there).
  std::function<void()> before_stage;
  std::function<void(const std::string& label)> after_stage;
};

std::vector<StageBenchResult> run_stage_bench(const StageBenchOptions& opt, const std::function<void()>& step);

// The steps run_stage_bench reports to `step` (for progress bars).
int stage_bench_steps(const StageBenchOptions& opt);

}  // namespace daedalus::bench
