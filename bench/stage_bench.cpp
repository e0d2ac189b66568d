// SPDX-License-Identifier: MIT
#include "stage_bench.h"

#include <algorithm>
#include <bit>
#include <chrono>
#include <memory>

#include <fmt/format.h>

#include "nv12_frame.h"
#include "daedalus/dispatch/synthetic_work.h"

#ifdef DAEDALUS_BENCH_VK_PLAN
#include "stage_inter_pred.h"
#include "stage_loop_filter.h"
#include "vk_work.h"
#endif

namespace daedalus::bench {

namespace {

using Clock = std::chrono::steady_clock;
using dispatch::Stage;

double ms_since(Clock::time_point t0) { return std::chrono::duration<double, std::milli>(Clock::now() - t0).count(); }

StageBenchResult bench_one(dispatch::BackendKind kind, bool intra, const StageBenchOptions& opt,
                           const std::function<void()>& step) {
  StageBenchResult res;
  res.backend = kind == dispatch::BackendKind::kCpu ? "cpu" : "vulkan";
  res.frame_kind = intra ? "intra" : "inter";
  std::unique_ptr<dispatch::Backend> be;
  try {
    be = dispatch::create_backend(kind, opt.backend);
  } catch (const std::exception& e) {
    res.available = false;
    res.error = e.what();
    for (int i = 0; i < opt.iterations; ++i)
      if (step) step();
    return res;
  }
  res.device = be->name();
  const dispatch::FrameWork work = dispatch::make_synthetic_work({opt.width, opt.height, intra, intra ? 7u : 11u});
  res.num_blocks = work.params.num_blocks;
  res.num_tx_blocks = work.params.num_tx_blocks;
  res.num_coeffs = work.params.num_coeffs;
#ifdef DAEDALUS_BENCH_VK_PLAN
  // Unit edges the loop filter shader visits (both directions, all planes).
  auto lf_edges = [](const dispatch::vk::LfPlan& lf) {
    size_t n = 0;
    for (uint32_t w : lf.edges) n += std::popcount(w);
    return n;
  };
  if (kind == dispatch::BackendKind::kVulkan) {
    try {
      const auto tx = dispatch::vk::plan_tx(work);
      const auto lf = dispatch::vk::plan_loop_filter(work);
      dispatch::vk::RefView views[3];
      for (auto& v : views) {
        v.present = true;
        for (int pl = 0; pl < 3; ++pl) {
          v.plane_w[pl] = static_cast<int>(pl ? work.params.mi_cols * 4 : work.params.mi_cols * 8);
          v.plane_h[pl] = static_cast<int>(pl ? work.params.mi_rows * 4 : work.params.mi_rows * 8);
          v.stride[pl] = static_cast<uint32_t>(v.plane_w[pl]);
          v.step[pl] = 1;
        }
      }
      const auto inter = dispatch::vk::plan_inter(work, views);
      uint32_t intra_tx = 0;
      for (const auto& r : tx.intra_levels) intra_tx += r.count;
      res.vulkan_plan = {{"intra_levels", tx.intra_levels.size()},
                         {"intra_tx_blocks", intra_tx},
                         {"loop_filter_levels", lf.levels.size()},
                         {"loop_filter_superblocks", lf.list.size()},
                         {"loop_filter_edges", lf_edges(lf)},
                         {"inter_jobs", inter.num_jobs},
                         {"inter_units", inter.num_units},
                         {"inter_tx_blocks_with_coeffs", tx.inter.count},
                         {"residual_samples", tx.residual_samples},
                         {"tx_4x4", tx.by_size[0].count},
                         {"tx_8x8", tx.by_size[1].count},
                         {"tx_16x16", tx.by_size[2].count},
                         {"tx_32x32", tx.by_size[3].count}};
    } catch (const std::exception&) {
      res.vulkan_plan = {};  // the planner rejected the work: the run will say why
    }
  }
#endif

  try {
    auto dst = be->create_surface(work.params.mi_cols * 8, work.params.mi_rows * 8);
    std::shared_ptr<dispatch::Surface> refs_owned[3];
    dispatch::Surface* refs[3];
    for (int r = 0; r < 3; ++r) {
      refs_owned[r] = be->create_surface(work.params.mi_cols * 8, work.params.mi_rows * 8);
      dispatch::fill_reference(*refs_owned[r], 100 + r);
      refs[r] = refs_owned[r].get();
    }
    media::Nv12Frame out;
    out.allocate(static_cast<int>(opt.width), static_cast<int>(opt.height));
    // One buffer holding Y then CbCr, as a V4L2 CAPTURE buffer would.
    const auto layout = dispatch::Nv12Layout::tight(opt.width, opt.height);
    std::vector<uint8_t> nv12(layout.size_bytes);
    auto nv12_surface = be->wrap_nv12(layout, nv12.data(), -1);

    auto timed = [&](Stage s, StageSample& smp, auto&& fn) {
      if (opt.before_stage) opt.before_stage();
      const auto t0 = Clock::now();
      fn();
      smp.call_ms[static_cast<int>(s)] = ms_since(t0);
      if (opt.after_stage) opt.after_stage(fmt::format("stage {} {} {}", res.backend, res.frame_kind, dispatch::stage_name(s)));
    };
    for (int it = 0; it < opt.iterations; ++it) {
      StageSample smp;
      const auto t_frame = Clock::now();
      auto t0 = Clock::now();
      be->begin_frame(work);
      smp.begin_ms = ms_since(t0);
      timed(Stage::kResidual, smp, [&] { daedalus_dispatch_residual(*be, work); });
      timed(Stage::kInterPred, smp, [&] { daedalus_dispatch_inter_pred(*be, work, *dst, refs); });
      timed(Stage::kIntraRecon, smp, [&] { daedalus_dispatch_intra_recon(*be, work, *dst); });
      timed(Stage::kLoopFilter, smp, [&] { daedalus_dispatch_loop_filter(*be, work, *dst); });
      timed(Stage::kPackNv12, smp, [&] { daedalus_dispatch_pack_nv12(*be, *dst, *nv12_surface); });
      t0 = Clock::now();
      be->end_frame();
      smp.end_frame_ms = ms_since(t0);
      smp.total_ms = ms_since(t_frame);
      for (int s = 0; s < kNumStages; ++s) {
        const auto t = be->timing(static_cast<Stage>(s));
        smp.cpu_ms[s] = t.cpu_ms;
        smp.gpu_ms[s] = t.gpu_ms;
      }
      res.samples.push_back(smp);
      if (step) step();
    }
    std::copy(nv12.begin(), nv12.begin() + static_cast<long>(out.y.size()), out.y.begin());
    std::copy(nv12.begin() + static_cast<long>(out.y.size()), nv12.end(), out.uv.begin());
    res.md5 = media::md5_hex(out);
  } catch (const std::exception& e) {
    res.available = false;
    res.error = e.what();
    for (size_t i = res.samples.size(); i < static_cast<size_t>(opt.iterations); ++i)
      if (step) step();
    return res;
  }

  res.best = res.samples.front();
  for (const auto& s : res.samples) {
    auto& b = res.best;
    for (int i = 0; i < kNumStages; ++i) {
      b.call_ms[i] = std::min(b.call_ms[i], s.call_ms[i]);
      b.cpu_ms[i] = std::min(b.cpu_ms[i], s.cpu_ms[i]);
      b.gpu_ms[i] = std::min(b.gpu_ms[i], s.gpu_ms[i]);
    }
    b.begin_ms = std::min(b.begin_ms, s.begin_ms);
    b.end_frame_ms = std::min(b.end_frame_ms, s.end_frame_ms);
    b.total_ms = std::min(b.total_ms, s.total_ms);
  }
  return res;
}

}  // namespace

int stage_bench_steps(const StageBenchOptions& opt) { return 2 * static_cast<int>(opt.backends.size()) * opt.iterations; }

std::vector<StageBenchResult> run_stage_bench(const StageBenchOptions& opt, const std::function<void()>& step) {
  std::vector<StageBenchResult> out;
  for (auto kind : opt.backends)
    for (bool intra : {true, false}) out.push_back(bench_one(kind, intra, opt, step));
  return out;
}

}  // namespace daedalus::bench
