// SPDX-License-Identifier: MIT
// Google Benchmark microbenchmarks of each CPU dispatch stage on synthetic
// 1080p work (synthetic_work.h): an intra (key) frame and an inter frame.
// Each benchmark runs the stages before the measured one outside the
// timed region (PauseTiming) so that its input is what a real frame gives.
//
//   build/bench/daedalus-bench-stages --benchmark_repetitions=5
#include <benchmark/benchmark.h>

#include <memory>
#include <vector>

#include "daedalus/dispatch/dispatch.h"
#include "daedalus/dispatch/synthetic_work.h"

namespace {

using namespace daedalus;
using dispatch::Stage;

struct Fixture {
  std::unique_ptr<dispatch::Backend> be = dispatch::create_backend(dispatch::BackendKind::kCpu);
  dispatch::FrameWork work;
  std::shared_ptr<dispatch::Surface> dst, refs_owned[3], nv12;
  dispatch::Surface* refs[3]{};
  std::vector<uint8_t> nv12_mem;

  explicit Fixture(bool intra) {
    work = dispatch::make_synthetic_work({1920, 1080, intra, intra ? 7u : 11u});
    const uint32_t w = work.params.mi_cols * 8, h = work.params.mi_rows * 8;
    dst = be->create_surface(w, h);
    for (int r = 0; r < 3; ++r) {
      refs_owned[r] = be->create_surface(w, h);
      dispatch::fill_reference(*refs_owned[r], 100 + r);
      refs[r] = refs_owned[r].get();
    }
    const auto layout = dispatch::Nv12Layout::tight(1920, 1080);
    nv12_mem.resize(layout.size_bytes);
    nv12 = be->wrap_nv12(layout, nv12_mem.data(), -1);
  }
  void run(Stage s) {
    switch (s) {
      case Stage::kResidual: daedalus_dispatch_residual(*be, work); break;
      case Stage::kInterPred: daedalus_dispatch_inter_pred(*be, work, *dst, refs); break;
      case Stage::kIntraRecon: daedalus_dispatch_intra_recon(*be, work, *dst); break;
      case Stage::kLoopFilter: daedalus_dispatch_loop_filter(*be, work, *dst); break;
      case Stage::kPackNv12: daedalus_dispatch_pack_nv12(*be, *dst, *nv12); break;
      case Stage::kCount: break;
    }
  }
};

void BM_Stage(benchmark::State& state) {
  const auto stage = static_cast<Stage>(state.range(0));
  const bool intra = state.range(1) != 0;
  Fixture f(intra);
  for (auto _ : state) {
    state.PauseTiming();
    f.be->begin_frame(f.work);
    for (int s = 0; s < static_cast<int>(stage); ++s) f.run(static_cast<Stage>(s));
    state.ResumeTiming();
    f.run(stage);
    state.PauseTiming();
    for (int s = static_cast<int>(stage) + 1; s < static_cast<int>(Stage::kCount); ++s) f.run(static_cast<Stage>(s));
    f.be->end_frame();
    state.ResumeTiming();
  }
  state.SetLabel(std::string(dispatch::stage_name(stage)) + (intra ? "/intra" : "/inter"));
  state.counters["tx_blocks"] = f.work.params.num_tx_blocks;
  state.counters["blocks"] = f.work.params.num_blocks;
  state.counters["pixels/s"] = benchmark::Counter(1920.0 * 1080.0, benchmark::Counter::kIsIterationInvariantRate);
}

void Args(benchmark::internal::Benchmark* b) {
  for (int s = 0; s < static_cast<int>(Stage::kCount); ++s)
    for (int intra : {1, 0}) b->Args({s, intra});
  b->ArgNames({"stage", "intra"})->Unit(benchmark::kMillisecond)->UseRealTime();
}
BENCHMARK(BM_Stage)->Apply(Args);

}  // namespace

BENCHMARK_MAIN();
