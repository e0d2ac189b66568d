// SPDX-License-Identifier: MIT
// Both backends follow one set of rules (dispatch/vp9/work_checks.h,
// inter_geometry.h): the same malformed work is rejected by both, with the
// same message after the backend's name, and the same well-formed work is
// accepted by both.
#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "daedalus/dispatch/dispatch.h"
#include "daedalus/error.h"
#include "settings.h"

using namespace daedalus::dispatch;

namespace {

// A 32x16 frame with one intra 4x4 and one inter 8x8 block, unfiltered
// loop filter grids: well formed.
FrameWork good_work() {
  FrameWork f;
  f.params.width = 32;
  f.params.height = 16;
  f.params.mi_cols = 4;
  f.params.mi_rows = 2;
  f.params.ss_x = f.params.ss_y = 1;
  f.params.bit_depth = 8;
  for (auto& r : f.params.refs) {
    r.width = 32;
    r.height = 16;
    r.x_scale_q14 = r.y_scale_q14 = 1 << 14;
  }
  dd_tx_block t{};
  t.mode = DD_DC_PRED;
  f.tx_blocks.push_back(t);
  dd_block b{};
  b.x = 8;
  b.w_log2 = b.h_log2 = 3;
  b.flags = DD_BLOCK_INTER;
  f.blocks.push_back(b);
  for (int pl = 0; pl < 3; ++pl) {
    f.params.lf_cols[pl] = pl ? 4 : 8;
    f.params.lf_rows[pl] = pl ? 2 : 4;
    f.lf[pl].assign(size_t(f.params.lf_cols[pl]) * f.params.lf_rows[pl], dd_lf_unit{});
  }
  f.params.num_blocks = uint32_t(f.blocks.size());
  f.params.num_tx_blocks = uint32_t(f.tx_blocks.size());
  f.params.num_coeffs = uint32_t(f.coeffs.size());
  return f;
}

struct Case {
  const char* what;
  std::function<void(FrameWork&)> spoil;
};

const Case kMalformed[] = {
    {"loop filter level above 63", [](FrameWork& f) { f.lf[0][9].level = 64; }},
    {"loop filter left edge of 5", [](FrameWork& f) { f.lf[1][3].left_size = 5; }},
    {"loop filter top edge of 32", [](FrameWork& f) { f.lf[2][0].top_size = 32; }},
    {"loop filter grid of the wrong size", [](FrameWork& f) { f.lf[0].pop_back(); }},
    {"counts that do not match the arrays", [](FrameWork& f) { f.params.num_blocks = 2; }},
    {"bit depth 10", [](FrameWork& f) { f.params.bit_depth = 10; }},
    {"4:4:4", [](FrameWork& f) { f.params.ss_x = f.params.ss_y = 0; }},
    {"no 8x8 units", [](FrameWork& f) { f.params.mi_cols = 0; }},
    {"WHT on an 8x8 transform",
     [](FrameWork& f) {
       f.tx_blocks[0].tx_size = DD_TX_8X8;
       f.tx_blocks[0].tx_type = DD_TX_WHT_WHT;
     }},
    {"tx block outside its plane", [](FrameWork& f) { f.tx_blocks[0].x = 16, f.tx_blocks[0].plane = 1; }},
    {"coefficients beyond the array", [](FrameWork& f) { f.tx_blocks[0].eob = 1; }},
    {"reference slot 3", [](FrameWork& f) { f.blocks[0].ref[0] = 3; }},
    {"block of 128 pixels", [](FrameWork& f) { f.blocks[0].w_log2 = 7; }},
};

// What a backend says to `work` through a whole frame: nullopt when it
// runs, else its message without the backend's name.
std::optional<std::string> verdict(Backend& b, const FrameWork& work, Surface& dst, Surface* const refs[3]) {
  try {
    b.begin_frame(work);
    b.residual(work);
    b.inter_pred(work, dst, refs);
    b.intra_recon(work, dst);
    b.loop_filter(work, dst);
    b.end_frame();
    return std::nullopt;
  } catch (const daedalus::Error& e) {
    const std::string m = e.what();
    const size_t colon = m.find(": ");
    return colon == std::string::npos ? m : m.substr(colon + 2);
  }
}

class SameRules : public ::testing::Test {
 protected:
  void SetUp() override {
    cpu_ = create_backend(BackendKind::kCpu);
    try {
      vk_ = create_backend(BackendKind::kVulkan, daedalus::settings::backend_options_from_environment());
    } catch (const daedalus::Error& e) {
      GTEST_SKIP() << "no Vulkan backend: " << e.what();
    }
    for (Backend* b : {cpu_.get(), vk_.get()}) {
      Side& s = side(*b);
      s.dst = b->create_surface(32, 16);
      s.small = b->create_surface(16, 16);
      s.ref = b->create_surface(32, 16);
      s.refs[0] = s.refs[1] = s.refs[2] = s.ref.get();
    }
  }
  struct Side {
    std::shared_ptr<Surface> dst, small, ref;
    Surface* refs[3] = {};
  };
  Side& side(Backend& b) { return &b == cpu_.get() ? cpu_side_ : vk_side_; }

  std::unique_ptr<Backend> cpu_, vk_;
  Side cpu_side_, vk_side_;
};

TEST_F(SameRules, MalformedWorkIsRejectedByBothWithTheSameMessage) {
  {
    const FrameWork good = good_work();
    EXPECT_EQ(verdict(*cpu_, good, *cpu_side_.dst, cpu_side_.refs), std::nullopt);
    EXPECT_EQ(verdict(*vk_, good, *vk_side_.dst, vk_side_.refs), std::nullopt);
  }
  for (const Case& c : kMalformed) {
    FrameWork f = good_work();
    c.spoil(f);
    const auto on_cpu = verdict(*cpu_, f, *cpu_side_.dst, cpu_side_.refs);
    const auto on_vk = verdict(*vk_, f, *vk_side_.dst, vk_side_.refs);
    EXPECT_NE(on_cpu, std::nullopt) << c.what << ": the CPU backend ran it";
    EXPECT_EQ(on_cpu, on_vk) << c.what;
  }
}

TEST_F(SameRules, StageInputsAreCheckedAlike) {
  const FrameWork f = good_work();
  // A destination smaller than the decoded area.
  const auto cpu_small = verdict(*cpu_, f, *cpu_side_.small, cpu_side_.refs);
  EXPECT_NE(cpu_small, std::nullopt);
  EXPECT_EQ(cpu_small, verdict(*vk_, f, *vk_side_.small, vk_side_.refs));
  // A missing reference.
  Surface* none[3] = {};
  const auto cpu_missing = verdict(*cpu_, f, *cpu_side_.dst, none);
  EXPECT_NE(cpu_missing, std::nullopt);
  EXPECT_EQ(cpu_missing, verdict(*vk_, f, *vk_side_.dst, none));
  // A reference more than twice the frame's size.
  FrameWork far = good_work();
  far.params.refs[0].x_scale_q14 = (2 << 14) + 1;
  const auto cpu_scale = verdict(*cpu_, far, *cpu_side_.dst, cpu_side_.refs);
  EXPECT_NE(cpu_scale, std::nullopt);
  EXPECT_EQ(cpu_scale, verdict(*vk_, far, *vk_side_.dst, vk_side_.refs));
}

}  // namespace
