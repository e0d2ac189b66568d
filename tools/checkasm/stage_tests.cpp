// SPDX-License-Identifier: MIT
// The checker's stage tests: random valid inputs per stage and sub-case.
#include <fmt/format.h>

#include <chrono>
#include <cstring>

#include "checkasm.h"

namespace daedalus::checkasm {

namespace {

double now_ms() {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// NV12 destination in plain host memory with a random stride/offset.
struct HostNv12 {
  std::vector<uint8_t> mem;
  Nv12Layout layout;
  HostNv12(Rng& rng, uint32_t w, uint32_t h) {
    layout.width = w;
    layout.height = h;
    layout.y_offset = rng.range(0, 3) * 64;
    layout.y_stride = ((w + 15) & ~15u) + rng.range(0, 2) * 16;
    layout.uv_stride = layout.y_stride;
    layout.uv_offset = layout.y_offset + layout.y_stride * h + rng.range(0, 1) * 128;
    layout.size_bytes = layout.uv_offset + uint64_t(layout.uv_stride) * ((h + 1) / 2);
    mem.assign(layout.size_bytes, 0x5a);
  }
};

void test_pack_nv12(Env& env, Rng& rng) {
  static const uint32_t sizes[][2] = {{64, 64}, {16, 8}, {352, 288}, {200, 120}, {1920, 1088}, {72, 40}};
  for (auto& sz : sizes) {
    uint32_t w = sz[0], h = sz[1];
    auto src_c = env.cpu->create_surface(w, h);
    auto src_v = env.vk->create_surface(w, h);
    fill_random(rng, *src_c, *src_v);
    // Visible size may be smaller than the decoded area (odd sizes too).
    uint32_t vw = w - rng.range(0, 7), vh = h - rng.range(0, 7);
    HostNv12 mc(rng, vw, vh), mv = mc;
    auto dst_c = env.cpu->wrap_nv12(mc.layout, mc.mem.data(), -1);
    auto dst_v = env.vk->wrap_nv12(mv.layout, mv.mem.data(), -1);
    FrameWork work;
    work.params.width = vw;
    work.params.height = vh;
    work.params.mi_cols = w / 8;
    work.params.mi_rows = h / 8;
    work.params.ss_x = work.params.ss_y = 1;
    work.params.bit_depth = 8;
    double t0 = now_ms();
    env.cpu->begin_frame(work);
    env.cpu->pack_nv12(*src_c, *dst_c);
    env.cpu->end_frame();
    double t1 = now_ms();
    env.vk->begin_frame(work);
    env.vk->pack_nv12(*src_v, *dst_v);
    env.vk->end_frame();
    double t2 = now_ms();
    Diff d = compare_surfaces(*dst_c, *dst_v);
    if (d.empty() && mc.mem != mv.mem) d = "bytes outside the NV12 planes differ";
    std::string name = fmt::format("pack_nv12_{}x{}", vw, vh);
    report(env, name, d);
    if (env.bench) report_bench(env, name, Stage::kPackNv12, t1 - t0, t2 - t1);
  }
}

}  // namespace

const std::vector<StageTest>& stage_tests() {
  static const std::vector<StageTest> tests = {
      {"pack_nv12", test_pack_nv12},
  };
  return tests;
}

}  // namespace daedalus::checkasm
