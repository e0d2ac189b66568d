// SPDX-License-Identifier: MIT
// daedalus-checkasm, in the spirit of dav1d's checkasm: each stage and its
// sub-cases (tx sizes/types, intra modes, filters, loop filter sizes) run on
// seeded random but valid inputs through the CPU reference backend and the
// Vulkan backend; outputs must be identical bit for bit.
#include "checkasm.h"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "backends.h"
#include "daedalus/error.h"
#include "settings.h"
#include "vk_backend.h"

namespace daedalus::checkasm {

Diff compare_surfaces(Surface& a, Surface& b) {
  if (a.num_planes() != b.num_planes()) return "different plane counts";
  const uint8_t* da = a.host_data();
  const uint8_t* db = b.host_data();
  static const char* names[2][3] = {{"Y", "U", "V"}, {"Y", "CbCr", "?"}};
  for (int p = 0; p < a.num_planes(); p++) {
    const PlaneLayout& la = a.plane(p);
    const PlaneLayout& lb = b.plane(p);
    if (la.width != lb.width || la.height != lb.height)
      return fmt::format("plane {} size {}x{} vs {}x{}", p, la.width, la.height, lb.width, lb.height);
    for (uint32_t y = 0; y < la.height; y++) {
      for (uint32_t x = 0; x < la.width * la.step; x++) {
        uint8_t va = da[la.offset + uint64_t(y) * la.stride + x];
        uint8_t vb = db[lb.offset + uint64_t(y) * lb.stride + x];
        if (va != vb)
          return fmt::format("plane {} x={} y={}: cpu {} vulkan {}",
                             names[a.format() == SurfaceFormat::kNv12][p], la.step == 2 ? x / 2 : x, y, va, vb);
      }
    }
  }
  return {};
}

void fill_random(Rng& rng, Surface& a, Surface& b) {
  for (int p = 0; p < a.num_planes(); p++) {
    const PlaneLayout& la = a.plane(p);
    const PlaneLayout& lb = b.plane(p);
    for (uint32_t y = 0; y < la.height; y++)
      for (uint32_t x = 0; x < la.width * la.step; x++) {
        uint8_t v = static_cast<uint8_t>(rng.next());
        a.host_data()[la.offset + uint64_t(y) * la.stride + x] = v;
        b.host_data()[lb.offset + uint64_t(y) * lb.stride + x] = v;
      }
  }
}

void fill_value(Surface& s, uint8_t v) {
  for (int p = 0; p < s.num_planes(); p++) {
    const PlaneLayout& l = s.plane(p);
    for (uint32_t y = 0; y < l.height; y++)
      std::memset(s.host_data() + l.offset + uint64_t(y) * l.stride, v, l.width * l.step);
  }
}

void report(Env& env, const std::string& name, const Diff& diff) {
  env.checks++;
  if (diff.empty()) {
    fmt::print("  {:<40} OK\n", name);
  } else {
    env.failures++;
    fmt::print("  {:<40} FAILED: {}\n", name, diff);
  }
}

void report_bench(Env& env, const std::string& name, Stage stage, double cpu_wall_ms, double vk_wall_ms) {
  StageTiming c = env.cpu->timing(stage), v = env.vk->timing(stage);
  fmt::print("  bench {:<34} cpu {:8.3f} ms | vulkan record {:7.3f} ms gpu {:8.3f} ms frame wall {:8.3f} ms (cpu frame {:8.3f} ms)\n",
             name, c.cpu_ms, v.cpu_ms, v.gpu_ms, vk_wall_ms, cpu_wall_ms);
}

// --compile-only --compile-spirv FILE: one pipeline from a file, for shaders
// that are not the backend's (tests/v3d/repro/: a compiler bug's reproducer).
int compile_spirv_file(const daedalus::dispatch::vk::ContextOptions& opts, const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) throw daedalus::Error(fmt::format("{}: cannot open", path));
  std::vector<uint32_t> words;
  uint32_t w;
  while (std::fread(&w, 4, 1, f) == 1) words.push_back(w);
  std::fclose(f);
  auto& ctx = *new daedalus::dispatch::vk::Context(opts);
  double ms = 0;
  daedalus::dispatch::vk::create_compute_pipeline(ctx.device(), words.data(), words.size(), 1, 0, -1, 0, &ms);
  fmt::print("daedalus-checkasm: {}: {} created in {:.1f} ms\n", ctx.device_name(), path, ms);
  // As in compile_pipelines: no teardown on the noop shim.
  std::fflush(stdout);
  std::fflush(stderr);
  std::_Exit(0);
}

// --compile-only: what the Vulkan backend's constructor creates, through its
// own code (never a list kept here). The driver prints its compiler's
// output (V3D_DEBUG=shaderdb) between the backend's "daedalus-pipeline
// begin/end" lines (VulkanOptions::pipeline_log, set here).
int compile_pipelines(daedalus::dispatch::VulkanOptions opts, const std::string& spirv_file) {
  using daedalus::dispatch::vk::VulkanBackend;
  opts.pipeline_log = opts.pipeline_stats = true;
  try {
    if (!spirv_file.empty()) return compile_spirv_file(opts, spirv_file);
    auto t0 = std::chrono::steady_clock::now();
    // Not destroyed: on Mesa's v3d noop drm-shim (tests/v3d/), which
    // executes nothing, vkDestroyDevice crashes draining its queue. Exit
    // without tearing the device down once everything is printed.
    auto* vk = new VulkanBackend(opts);
    double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    fmt::print("daedalus-checkasm: {}: {} pipelines created in {:.1f} ms\n", vk->name(),
               vk->pipeline_creations().size(), ms);
    for (auto& c : vk->pipeline_creations()) fmt::print("  {:<24} {:10.1f} ms\n", c.label, c.ms);
    std::fflush(stdout);
    std::fflush(stderr);
    std::_Exit(0);
  } catch (const std::exception& e) {
    fmt::print(stderr, "daedalus-checkasm: --compile-only: {}\n", e.what());
    return 1;
  }
  return 0;
}

}  // namespace daedalus::checkasm

int main(int argc, char** argv) {
  using namespace daedalus::checkasm;
  CLI::App app{"daedalus-checkasm: compare the Vulkan dispatch backend with the CPU reference, bit for bit"};
  uint64_t seed = 1;
  bool random_seed = false, bench = false, list = false;
  std::string filter;
  int iters = 10;
  app.add_option("--seed", seed, "RNG seed (default 1)");
  app.add_flag("--random-seed", random_seed, "seed from the clock (printed, to reproduce with --seed)");
  app.add_flag("--bench", bench, "also time each stage on both backends");
  app.add_option("--bench-iters", iters, "frames per benchmark (default 10)")->check(CLI::Range(1, 10000));
  app.add_option("--test", filter, "run only tests whose name contains this");
  app.add_flag("--list", list, "list the tests and exit");
  bool compile_only = false;
  std::string spirv_file;
  app.add_flag("--compile-only", compile_only,
               "only create the Vulkan backend, i.e. every pipeline it uses, and list them with the time each took "
               "and the driver's statistics (tests/v3d/ runs it on V3DV's compiler); no CPU backend, nothing runs");
  app.add_option("--compile-spirv", spirv_file,
                 "with --compile-only: create a compute pipeline from this SPIR-V file instead (one storage "
                 "buffer at binding 0, no push constants: tests/v3d/repro/)");
  daedalus::settings::DecoderSettings settings;
  try {
    settings = daedalus::settings::from_environment();
  } catch (const daedalus::Error& e) {
    fmt::print(stderr, "daedalus-checkasm: {}\n", e.what());
    return 2;
  }
  daedalus::settings::add_flags(app, settings);
  CLI11_PARSE(app, argc, argv);
  if (compile_only) return compile_pipelines(settings.backend.vulkan, spirv_file);

  if (list) {
    for (auto& t : stage_tests()) fmt::print("{}\n", t.name);
    return 0;
  }
  if (random_seed)
    seed = static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count()) % 1000000007u;

  std::unique_ptr<Backend> cpu, vk;
  try {
    cpu = create_backend(BackendKind::kCpu, settings.backend);
  } catch (const daedalus::Error& e) {
    fmt::print(stderr, "daedalus-checkasm: SKIPPED: no CPU reference backend: {}\n", e.what());
    return 77;
  }
  try {
    vk = create_backend(BackendKind::kVulkan, settings.backend);
  } catch (const daedalus::Error& e) {
    fmt::print(stderr, "daedalus-checkasm: no Vulkan backend: {}\n", e.what());
    return 1;
  }
  fmt::print("daedalus-checkasm: seed {} | {} vs {}\n", seed, cpu->name(), vk->name());

  Env env;
  env.cpu = cpu.get();
  env.vk = vk.get();
  env.seed = seed;
  env.bench = bench;
  env.bench_iters = iters;
  int ran = 0;
  for (auto& t : stage_tests()) {
    if (!filter.empty() && std::string(t.name).find(filter) == std::string::npos) continue;
    fmt::print("{}:\n", t.name);
    uint64_t h = 1469598103934665603ull;  // FNV-1a: per-test streams
    for (const char* c = t.name; *c; c++) h = (h ^ uint8_t(*c)) * 1099511628211ull;
    Rng rng(seed ^ h);
    try {
      t.run(env, rng);
    } catch (const std::exception& e) {
      env.failures++;
      fmt::print("  {:<40} FAILED: {}\n", t.name, e.what());
    }
    ran++;
  }
  if (!ran) {
    fmt::print(stderr, "daedalus-checkasm: no test matches '{}'\n", filter);
    return 2;
  }
  if (auto* v = dynamic_cast<daedalus::dispatch::vk::VulkanBackend*>(vk.get()); v && v->validation_messages()) {
    fmt::print("FAILED: {} Vulkan validation messages\n", v->validation_messages());
    env.failures++;
  }
  fmt::print("{} checks, {} failed (seed {})\n", env.checks, env.failures, seed);
  return env.failures ? 1 : 0;
}
