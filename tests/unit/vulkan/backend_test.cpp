// SPDX-License-Identifier: MIT
// The Vulkan backend on the local driver (lavapipe here) with the Khronos
// validation layer: any validation message fails the test.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <linux/dma-heap.h>
#include <linux/udmabuf.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <map>
#include <random>
#include <set>
#include <string>
#include <tuple>

#include "daedalus/dispatch/synthetic_work.h"
#include "daedalus/error.h"
#include "vk_backend.h"

using namespace daedalus::dispatch;

namespace {

vk::ContextOptions validated() {
  vk::ContextOptions o;
  o.validation = true;
  return o;
}

// A planar surface filled with a pattern, and the NV12 it must pack to.
void fill_pattern(Surface& s, uint32_t seed) {
  std::mt19937 rng(seed);
  for (int p = 0; p < 3; p++) {
    const PlaneLayout& l = s.plane(p);
    for (uint32_t y = 0; y < l.height; y++)
      for (uint32_t x = 0; x < l.width; x++) s.host_data()[l.offset + y * l.stride + x] = uint8_t(rng());
  }
}

Nv12Layout nv12_layout(uint32_t w, uint32_t h, uint32_t stride) {
  Nv12Layout l;
  l.width = w;
  l.height = h;
  l.y_offset = 0;
  l.y_stride = stride;
  l.uv_offset = stride * h;
  l.uv_stride = stride;
  l.size_bytes = uint64_t(stride) * (h + (h + 1) / 2);
  return l;
}

// Checks NV12 bytes at `mem` (layout l) against planar surface `src`.
::testing::AssertionResult nv12_matches(Surface& src, const Nv12Layout& l, const uint8_t* mem) {
  const uint8_t* s = src.host_data();
  for (uint32_t y = 0; y < l.height; y++)
    for (uint32_t x = 0; x < l.width; x++) {
      uint8_t want = s[src.plane(0).offset + y * src.plane(0).stride + x];
      uint8_t got = mem[l.y_offset + y * l.y_stride + x];
      if (want != got) return ::testing::AssertionFailure() << "Y x=" << x << " y=" << y << " want " << int(want) << " got " << int(got);
    }
  for (uint32_t y = 0; y < (l.height + 1) / 2; y++)
    for (uint32_t x = 0; x < (l.width + 1) / 2; x++)
      for (int c = 0; c < 2; c++) {
        const PlaneLayout& pl = src.plane(1 + c);
        uint8_t want = s[pl.offset + y * pl.stride + x];
        uint8_t got = mem[l.uv_offset + y * l.uv_stride + 2 * x + c];
        if (want != got)
          return ::testing::AssertionFailure() << (c ? "V" : "U") << " x=" << x << " y=" << y << " want " << int(want) << " got " << int(got);
      }
  return ::testing::AssertionSuccess();
}

FrameWork empty_work(uint32_t w, uint32_t h) {
  FrameWork f;
  f.params.width = w;
  f.params.height = h;
  f.params.mi_cols = (w + 7) / 8;
  f.params.mi_rows = (h + 7) / 8;
  f.params.ss_x = f.params.ss_y = 1;
  f.params.bit_depth = 8;
  return f;
}

TEST(VulkanBackend, CreatesCleanlyUnderValidation) {
  vk::VulkanBackend b(validated());
  EXPECT_TRUE(b.context().validation_enabled());
  EXPECT_NE(b.name().find("vulkan"), std::string::npos);
  EXPECT_EQ(b.validation_messages(), 0u);
}

// The messenger the other tests rely on really counts: an invalid call
// (a zero-sized buffer) must be reported.
TEST(VulkanBackend, ValidationMessengerCountsErrors) {
  vk::Context ctx(validated());
  ASSERT_EQ(ctx.validation_messages(), 0u);
  VkBufferCreateInfo bci{VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO};
  bci.size = 0;  // VUID-VkBufferCreateInfo-size-00912
  bci.usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT;
  VkBuffer buf = VK_NULL_HANDLE;
  VkResult r = vkCreateBuffer(ctx.device(), &bci, nullptr, &buf);
  if (r == VK_SUCCESS && buf) vkDestroyBuffer(ctx.device(), buf, nullptr);
  EXPECT_GT(ctx.validation_messages(), 0u);
}

// warm_up() (what the daemon runs before attaching) drives every stage on
// the device, under validation, and leaves the backend usable for real work.
TEST(VulkanBackend, WarmUpRunsEveryStageCleanly) {
  vk::VulkanBackend b(validated());
  EXPECT_GT(warm_up(b), 0.0);
  EXPECT_EQ(b.validation_messages(), 0u);
  for (Stage s : {Stage::kResidual, Stage::kInterPred, Stage::kLoopFilter, Stage::kPackNv12})
    EXPECT_GE(b.timing(s).cpu_ms, 0.0) << stage_name(s);
  EXPECT_TRUE(b.usable());
  auto src = b.create_surface(64, 48);
  fill_pattern(*src, 3);
  const Nv12Layout l = nv12_layout(64, 48, 64);
  std::vector<uint8_t> mem(l.size_bytes);
  auto dst = b.wrap_nv12(l, mem.data(), -1);
  b.begin_frame(empty_work(64, 48));
  b.pack_nv12(*src, *dst);
  b.end_frame();
  EXPECT_TRUE(nv12_matches(*src, l, mem.data()));
}

// A frame that outlives the frame timeout: end_frame() throws, the backend
// turns unusable, and the device is abandoned. Destroying surfaces and the
// backend while that frame may still run must free nothing it uses: the
// validation layer reports any buffer destroyed while in use (what the QEMU
// guest showed, followed by lavapipe faulting in freed memory: issue #5).
TEST(VulkanBackend, FrameTimeoutAbandonsTheDeviceInsteadOfFreeingUnderIt) {
  auto b = std::make_unique<vk::VulkanBackend>(validated());
  EXPECT_EQ(b->frame_timeout(), Backend::kDefaultFrameTimeout);
  b->set_frame_timeout(std::chrono::milliseconds(0));  // the fence is never signalled at once
  const FrameWork work = make_synthetic_work({1920, 1088, false, 5});
  std::shared_ptr<Surface> refs_owned[3];
  Surface* refs[3];
  for (int r = 0; r < 3; ++r) {
    refs_owned[r] = b->create_surface(1920, 1088);
    refs[r] = refs_owned[r].get();
  }
  auto dst = b->create_surface(1920, 1088);
  const Nv12Layout l = nv12_layout(1920, 1080, 1920);
  std::vector<uint8_t> mem(l.size_bytes);
  auto out = b->wrap_nv12(l, mem.data(), -1);
  b->begin_frame(work);
  daedalus_dispatch_residual(*b, work);
  daedalus_dispatch_inter_pred(*b, work, *dst, refs);
  daedalus_dispatch_intra_recon(*b, work, *dst);
  daedalus_dispatch_loop_filter(*b, work, *dst);
  daedalus_dispatch_pack_nv12(*b, *dst, *out);
  EXPECT_THROW(b->end_frame(), daedalus::Error);
  EXPECT_FALSE(b->usable());
  EXPECT_TRUE(b->context().abandoned());
  out.reset();
  dst.reset();
  for (auto& r : refs_owned) r.reset();
  EXPECT_EQ(b->validation_messages(), 0u) << "a surface freed memory the abandoned frame uses";
  EXPECT_THROW(b->begin_frame(work), daedalus::Error);  // an abandoned backend refuses work
  b.reset();  // leaks its buffers and device; the frame runs to its end on its own
}

TEST(VulkanBackend, FactoryHonoursDeviceSelection) {
  BackendOptions options;
  options.vulkan.device_name = "no-such-gpu-xyz";
  EXPECT_THROW(create_backend(BackendKind::kVulkan, options), daedalus::Error);
  options.vulkan.device_name.clear();
  EXPECT_NO_THROW(create_backend(BackendKind::kVulkan, options));
}

TEST(VulkanBackend, PackNv12HostMemoryOverSeveralFrames) {
  vk::VulkanBackend b(validated());
  const uint32_t sizes[][2] = {{64, 64}, {352, 288}, {97, 51}, {1280, 720}};
  uint32_t seed = 1;
  for (auto& sz : sizes) {
    auto src = b.create_surface((sz[0] + 7) & ~7u, (sz[1] + 7) & ~7u);
    Nv12Layout l = nv12_layout(sz[0], sz[1], (sz[0] + 63) & ~63u);
    std::vector<uint8_t> mem(l.size_bytes, 0xee);
    auto dst = b.wrap_nv12(l, mem.data(), -1);
    for (int frame = 0; frame < 2; frame++) {
      fill_pattern(*src, seed++);
      b.begin_frame(empty_work(sz[0], sz[1]));
      b.pack_nv12(*src, *dst);
      b.end_frame();
      EXPECT_TRUE(nv12_matches(*src, l, mem.data())) << sz[0] << "x" << sz[1] << " frame " << frame;
      EXPECT_GE(b.timing(Stage::kPackNv12).gpu_ms, 0.0);
      EXPECT_LT(b.timing(Stage::kResidual).gpu_ms, 0.0);  // not run this frame
    }
  }
  EXPECT_EQ(b.validation_messages(), 0u);
}

// Decoders may drop the backend before their reference surfaces: surfaces
// keep the device alive, and their pixels stay readable.
TEST(VulkanBackend, SurfacesMayOutliveTheBackend) {
  std::shared_ptr<Surface> planar, nv12;
  Nv12Layout l = nv12_layout(32, 16, 32);
  std::vector<uint8_t> mem(l.size_bytes);
  {
    vk::VulkanBackend b(validated());
    planar = b.create_surface(32, 16);
    nv12 = b.wrap_nv12(l, mem.data(), -1);
    fill_pattern(*planar, 3);
    b.begin_frame(empty_work(32, 16));
    b.pack_nv12(*planar, *nv12);
    b.end_frame();
    EXPECT_EQ(b.validation_messages(), 0u);
  }
  EXPECT_TRUE(nv12_matches(*planar, l, mem.data()));
  planar.reset();
  nv12.reset();
}

// A planar surface whose buffer comes back from the pool (a context's
// scratch surface after the one before it closed) starts zero-filled like a
// new one.
TEST(VulkanBackend, RecycledSurfaceBuffersStartZeroed) {
  vk::VulkanBackend b(validated());
  const uint8_t* first_data = nullptr;
  {
    auto s = b.create_surface(64, 48);
    fill_pattern(*s, 5);
    first_data = s->host_data();
  }
  auto again = b.create_surface(64, 48);
  ASSERT_EQ(again->host_data(), first_data) << "the buffer was not recycled: this test checks nothing";
  for (uint64_t i = 0; i < again->size_bytes(); ++i) ASSERT_EQ(again->host_data()[i], 0) << "byte " << i;
  EXPECT_EQ(b.validation_messages(), 0u);
}

// reserve() before the first frame (what the daemon does after its warm-up)
// changes where the buffers come from, not the pixels: a key frame and an
// inter frame of the reserved size decode as on the CPU backend, and the
// frame's time outside the stages is reported.
TEST(VulkanBackend, ReservedBuffersDecodeLikeTheCpuBackend) {
  constexpr uint32_t kW = 192, kH = 128;
  vk::VulkanBackend vkb(validated());
  auto cpu = create_backend(BackendKind::kCpu);
  EXPECT_LT(vkb.frame_timing().wait_ms, 0.0);  // no frame yet
  vkb.reserve(kW, kH);
  Backend* backends[2] = {&vkb, cpu.get()};
  std::shared_ptr<Surface> dst[2], refs_owned[2][3];
  for (int k = 0; k < 2; ++k) {
    dst[k] = backends[k]->create_surface(kW, kH);
    for (int r = 0; r < 3; ++r) {
      refs_owned[k][r] = backends[k]->create_surface(kW, kH);
      fill_reference(*refs_owned[k][r], 40 + r);
    }
  }
  for (const bool intra : {true, false}) {
    const FrameWork work = make_synthetic_work({kW, kH, intra, intra ? 3u : 4u});
    for (int k = 0; k < 2; ++k) {
      Backend& b = *backends[k];
      Surface* refs[3] = {refs_owned[k][0].get(), refs_owned[k][1].get(), refs_owned[k][2].get()};
      b.begin_frame(work);
      daedalus_dispatch_residual(b, work);
      if (!intra) daedalus_dispatch_inter_pred(b, work, *dst[k], refs);
      daedalus_dispatch_intra_recon(b, work, *dst[k]);
      daedalus_dispatch_loop_filter(b, work, *dst[k]);
      b.end_frame();
    }
    for (int p = 0; p < 3; ++p) {  // the backends' strides differ
      const PlaneLayout &a = dst[0]->plane(p), &c = dst[1]->plane(p);
      ASSERT_EQ(a.width, c.width);
      ASSERT_EQ(a.height, c.height);
      for (uint32_t y = 0; y < a.height; ++y)
        ASSERT_EQ(0, std::memcmp(dst[0]->host_data() + a.offset + y * a.stride,
                                 dst[1]->host_data() + c.offset + y * c.stride, a.width))
            << (intra ? "key" : "inter") << " frame, plane " << p << " row " << y;
    }
    const FrameTiming t = vkb.frame_timing();
    EXPECT_GE(t.begin_ms, 0.0);
    EXPECT_GE(t.wait_ms, 0.0);
    EXPECT_GE(t.gpu_span_ms, 0.0);
    EXPECT_GE(t.finish_ms, 0.0);
  }
  EXPECT_EQ(vkb.validation_messages(), 0u);
}

// Descriptor sets are made once and found again in later frames; when a
// work buffer grows (its old VkBuffer destroyed, its handle free for reuse)
// they are made anew, and the frame still matches the CPU backend.
TEST(VulkanBackend, DescriptorSetsAreKeptAcrossFramesAndRemadeWhenABufferIsDestroyed) {
  vk::VulkanBackend vkb(validated());
  auto cpu = create_backend(BackendKind::kCpu);
  Backend* backends[2] = {&vkb, cpu.get()};
  // A decoder's surfaces: a destination and three references per size.
  struct Surfaces {
    std::shared_ptr<Surface> dst, refs[3];
  };
  auto make_surfaces = [&](uint32_t w, uint32_t h) {
    std::array<Surfaces, 2> s;
    for (int k = 0; k < 2; ++k) {
      s[k].dst = backends[k]->create_surface(w, h);
      for (int r = 0; r < 3; ++r) {
        s[k].refs[r] = backends[k]->create_surface(w, h);
        fill_reference(*s[k].refs[r], 50 + r);
      }
    }
    return s;
  };
  auto run_inter_frame = [&](uint32_t w, uint32_t h, const std::array<Surfaces, 2>& s) {
    const FrameWork work = make_synthetic_work({w, h, false, 5u});
    for (int k = 0; k < 2; ++k) {
      Backend& b = *backends[k];
      Surface* refs[3] = {s[k].refs[0].get(), s[k].refs[1].get(), s[k].refs[2].get()};
      b.begin_frame(work);
      daedalus_dispatch_residual(b, work);
      daedalus_dispatch_inter_pred(b, work, *s[k].dst, refs);
      daedalus_dispatch_intra_recon(b, work, *s[k].dst);
      daedalus_dispatch_loop_filter(b, work, *s[k].dst);
      b.end_frame();
    }
    for (int p = 0; p < 3; ++p) {
      const PlaneLayout &a = s[0].dst->plane(p), &c = s[1].dst->plane(p);
      for (uint32_t y = 0; y < a.height; ++y)
        if (std::memcmp(s[0].dst->host_data() + a.offset + y * a.stride,
                        s[1].dst->host_data() + c.offset + y * c.stride, a.width))
          return ::testing::AssertionFailure() << w << "x" << h << " plane " << p << " row " << y << " differs";
    }
    return ::testing::AssertionSuccess();
  };
  const auto small = make_surfaces(64, 64);
  ASSERT_TRUE(run_inter_frame(64, 64, small));
  const uint64_t first = vkb.descriptor_set_allocations();
  EXPECT_GT(first, 0u);
  ASSERT_TRUE(run_inter_frame(64, 64, small));
  EXPECT_EQ(vkb.descriptor_set_allocations(), first);
  {
    const auto large = make_surfaces(256, 192);
    ASSERT_TRUE(run_inter_frame(256, 192, large));  // the work buffers grow
    EXPECT_GT(vkb.descriptor_set_allocations(), first);
  }
  ASSERT_TRUE(run_inter_frame(64, 64, small));
  EXPECT_EQ(vkb.validation_messages(), 0u);
}

// A destroyed buffer's handle may name the next buffer created: once any
// buffer of the context is destroyed, no kept set is handed out again.
TEST(VulkanDescriptorSets, DropsEveryKeptSetWhenABufferIsDestroyed) {
  vk::Context ctx(validated());
  VkDescriptorSetLayoutBinding binding{0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 1, VK_SHADER_STAGE_COMPUTE_BIT, nullptr};
  VkDescriptorSetLayoutCreateInfo lci{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO};
  lci.bindingCount = 1;
  lci.pBindings = &binding;
  VkDescriptorSetLayout layout = VK_NULL_HANDLE;
  ASSERT_EQ(vkCreateDescriptorSetLayout(ctx.device(), &lci, nullptr, &layout), VK_SUCCESS);
  {
    vk::DescriptorSets sets(ctx);
    vk::Buffer kept(ctx, 256, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT), other(ctx, 256, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT);
    sets.begin_frame();
    const VkDescriptorSet first = sets.get(0, layout, {kept.buffer()});
    EXPECT_EQ(sets.get(0, layout, {kept.buffer()}), first);
    EXPECT_NE(sets.get(1, layout, {kept.buffer()}), first);  // another pipeline's
    EXPECT_EQ(sets.allocations(), 2u);
    other.reset();
    EXPECT_NE(sets.get(0, layout, {kept.buffer()}), first);  // made anew within the frame
    EXPECT_EQ(sets.allocations(), 3u);
    sets.begin_frame();  // the pools' sets freed
    sets.get(0, layout, {kept.buffer()});
    EXPECT_EQ(sets.get(0, layout, {kept.buffer()}), sets.get(0, layout, {kept.buffer()}));
    EXPECT_EQ(sets.allocations(), 4u);
  }
  vkDestroyDescriptorSetLayout(ctx.device(), layout, nullptr);
  EXPECT_EQ(ctx.validation_messages(), 0u);
}

// The dispatch records a device model projects from (bench/pi5_model.py):
// every dispatch of the frame, of a pipeline the backend created, its
// level never going down, and the intra chains' walked steps.
TEST(VulkanBackend, RecordsTheFramesDispatches) {
  vk::ContextOptions counting = validated();
  counting.count_loop_trips = true;
  vk::VulkanBackend b(counting);
  std::set<std::string> created;
  for (const auto& c : b.pipeline_creations()) created.insert(c.label.substr(0, c.label.find('[')));
  EXPECT_TRUE(b.frame_dispatches().empty());  // no frame yet
  auto dst = b.create_surface(640, 360);
  std::shared_ptr<Surface> refs_owned[3];
  Surface* refs[3];
  for (int r = 0; r < 3; ++r) {
    refs_owned[r] = b.create_surface(640, 360);
    refs[r] = refs_owned[r].get();
  }
  for (const bool intra : {true, false}) {
    SCOPED_TRACE(intra ? "key frame" : "inter frame");
    const FrameWork work = make_synthetic_work({640, 360, intra, 9});
    b.begin_frame(work);
    daedalus_dispatch_residual(b, work);
    if (!intra) daedalus_dispatch_inter_pred(b, work, *dst, refs);
    daedalus_dispatch_intra_recon(b, work, *dst);
    daedalus_dispatch_loop_filter(b, work, *dst);
    b.end_frame();
    const auto d = b.frame_dispatches();
    ASSERT_FALSE(d.empty());
    std::map<std::string, uint32_t> count;
    uint32_t level = 0, chain_steps = 0, chains = 0;
    for (const auto& r : d) {
      EXPECT_EQ(created.count(std::string(r.pipeline)), 1u) << r.pipeline;
      EXPECT_GT(r.groups, 0u);
      EXPECT_GT(r.invocations_per_group, 0u);
      EXPECT_GE(r.level, level);
      level = r.level;
      count[std::string(r.pipeline)]++;
      if (r.steps > 1) chain_steps += r.steps, ++chains;
    }
    uint32_t inter_dispatches = 0;
    for (const auto& [pipeline, n] : count)
      if (pipeline.starts_with("inter_pred")) inter_dispatches += n;
    EXPECT_EQ(inter_dispatches > 0, !intra);
    EXPECT_GT(count["intra_recon"], intra ? 10u : 0u);
    EXPECT_GT(count["loop_filter"], 0u);
    // A key frame's narrow wavefront levels are walked as chains, each
    // step one of the chain's workgroups.
    if (intra) {
      EXPECT_GT(chain_steps, 2 * chains);
    }
    // loop_filter's edge walks, from the work's units: a 16-lane batch
    // covers 4 unit rows (vertical pass) or columns (horizontal pass) of a
    // superblock's plane and walks as many edges as the busiest of them.
    uint64_t want[2] = {}, got[2] = {};
    const uint32_t sb_cols = (work.params.mi_cols + 7) / 8, sb_rows = (work.params.mi_rows + 7) / 8;
    for (int pl = 0; pl < 3; ++pl) {
      const uint32_t n = pl ? 8 : 16, cols = work.params.lf_cols[pl], rows = work.params.lf_rows[pl];
      const auto edge = [&](uint32_t x, uint32_t y, bool vertical) {
        if (x >= cols || y >= rows) return 0;
        const dd_lf_unit& u = work.lf[pl][size_t(y) * cols + x];
        return u.level && (vertical ? u.left_size : u.top_size) ? 1 : 0;
      };
      for (uint32_t sby = 0; sby < sb_rows; ++sby)
        for (uint32_t sbx = 0; sbx < sb_cols; ++sbx)
          for (uint32_t first = 0; first < n; first += 4)
            for (int pass = 0; pass < 2; ++pass) {
              int most = 0;
              for (uint32_t line = first; line < first + 4; ++line) {
                int edges = 0;
                for (uint32_t k = 0; k < n; ++k)
                  edges += pass == 0 ? edge(sbx * n + k, sby * n + line, true) : edge(sbx * n + line, sby * n + k, false);
                most = std::max(most, edges);
              }
              want[pass] += uint64_t(most);
            }
    }
    for (const auto& r : d) {
      if (r.pipeline != "loop_filter") continue;
      ASSERT_EQ(r.num_loop_trips, 2u);
      got[0] += r.loop_trips[0];
      got[1] += r.loop_trips[1];
    }
    EXPECT_GT(want[0], 0u);
    EXPECT_EQ(got[0], want[0]);
    EXPECT_EQ(got[1], want[1]);
    // inter_pred's row loops, from the work's blocks: each kind's
    // pipeline runs only its own loops (a copy's, a horizontal pass's or a
    // scaled reference's rows; with a vertical pass, the horizontal rows
    // then the vertical ones, 7 more of the first), a 16-lane batch as
    // many rows as its tallest unit (at most DD_INTER_UNIT_ROWS).
    std::map<std::string, std::array<uint64_t, 2>> inter_rows;
    for (const auto& r : d) {
      const std::string p(r.pipeline);
      if (!p.starts_with("inter_pred")) continue;
      const bool vertical = p == "inter_pred_v" || p == "inter_pred_hv";
      ASSERT_EQ(r.num_loop_trips, vertical ? 2u : 1u) << p;
      const uint64_t batches = uint64_t(r.groups) * (r.invocations_per_group / 16);
      EXPECT_LE(r.loop_trips[0], (vertical ? 15 : 8) * batches) << p;
      if (vertical) {
        // 7 more rows in each batch the dispatch runs (its last group may
        // hold fewer than 4 batches).
        const uint64_t extra = r.loop_trips[0] - r.loop_trips[1];
        EXPECT_EQ(extra % 7, 0u) << p;
        EXPECT_LE(extra, 7 * batches) << p;
        EXPECT_GT(extra, 7 * (batches - 4)) << p;
      }
      for (uint32_t k = 0; k < r.num_loop_trips; ++k) inter_rows[p][k] += r.loop_trips[k];
    }
    if (!intra) {
      EXPECT_EQ(inter_rows.count("inter_pred_scaled"), 0u);  // no scaled reference in the synthetic work
      EXPECT_GT(inter_rows["inter_pred_hv"][1], 0u);
      // The rows the batches predict cover at least the inter blocks' luma
      // pixels (16 lanes, 4 columns each).
      uint64_t rows = 0;
      for (const auto& [p, t] : inter_rows) rows += p == "inter_pred_v" || p == "inter_pred_hv" ? t[1] : t[0];
      uint64_t luma = 0;
      for (const dd_block& blk : work.blocks) {
        if (!(blk.flags & DD_BLOCK_INTER)) continue;
        const int bw = std::max(8, 1 << blk.w_log2), bh = std::max(8, 1 << blk.h_log2);
        luma += uint64_t(std::min(bw, 640 - int(blk.x))) * uint64_t(std::min(bh, 360 - int(blk.y)));
      }
      EXPECT_GT(luma, 0u);
      EXPECT_GE(rows * 16 * 4, luma);
    }
  }
  b.begin_frame(empty_work(64, 48));
  EXPECT_TRUE(b.frame_dispatches().empty());
  b.end_frame();
}

// loop_filter_masks.comp builds the same edge masks as the host plan, on
// frames that end inside a superblock and with a plane without units.
TEST(VulkanBackend, LoopFilterEdgeMasksFromTheGpuAreTheHostPlans) {
  vk::VulkanBackend b(validated());
  for (const auto& [w, h, drop_plane] : {std::tuple{640u, 360u, -1}, std::tuple{200u, 136u, -1},
                                        std::tuple{1920u, 1088u, -1}, std::tuple{352u, 288u, 1}}) {
    SCOPED_TRACE(testing::Message() << w << "x" << h << " without plane " << drop_plane);
    auto dst = b.create_surface(w, h);
    FrameWork work = make_synthetic_work({w, h, true, 11});
    if (drop_plane >= 0) work.lf[drop_plane].clear();
    const vk::LfPlan want = vk::plan_loop_filter(work);
    ASSERT_FALSE(want.edges.empty());
    ASSERT_GT(std::count_if(want.edges.begin(), want.edges.end(), [](uint32_t m) { return m != 0; }), 0);
    b.begin_frame(work);
    daedalus_dispatch_residual(b, work);
    daedalus_dispatch_intra_recon(b, work, *dst);
    daedalus_dispatch_loop_filter(b, work, *dst);
    b.end_frame();
    EXPECT_EQ(b.loop_filter_edges(), want.edges);
  }
  EXPECT_EQ(b.validation_messages(), 0u);
}

TEST(VulkanBackend, StageOutsideFrameIsAnError) {
  vk::VulkanBackend b(validated());
  auto src = b.create_surface(16, 16);
  Nv12Layout l = nv12_layout(16, 16, 16);
  std::vector<uint8_t> mem(l.size_bytes);
  auto dst = b.wrap_nv12(l, mem.data(), -1);
  EXPECT_THROW(b.pack_nv12(*src, *dst), daedalus::Error);
  EXPECT_THROW(b.end_frame(), daedalus::Error);
  Nv12Layout bad = l;
  bad.size_bytes = 10;
  EXPECT_THROW(b.wrap_nv12(bad, mem.data(), -1), daedalus::Error);
  EXPECT_EQ(b.validation_messages(), 0u);
}

// A real dmabuf from whatever exporter this host has: a DMA heap (Pi OS,
// most distributions), udmabuf over a memfd, or exportable memory of a
// second VkDevice (lavapipe exports DMA_BUF when it has udmabuf).
class Dmabuf {
 public:
  explicit Dmabuf(size_t size) : size_(size) {
    if (from_dma_heap() || from_udmabuf() || from_vulkan()) {
      void* p = mmap(nullptr, size_, PROT_READ | PROT_WRITE, MAP_SHARED, fd_, 0);
      if (p != MAP_FAILED) map_ = static_cast<uint8_t*>(p);
    }
  }
  ~Dmabuf() {
    if (map_) munmap(map_, size_);
    if (fd_ >= 0) close(fd_);
    if (mem_) vkFreeMemory(exporter_->device(), mem_, nullptr);
  }
  int fd() const { return map_ ? fd_ : -1; }
  uint8_t* map() const { return map_; }
  const std::string& source() const { return source_; }

 private:
  bool from_dma_heap() {
    for (const char* heap : {"/dev/dma_heap/system", "/dev/dma_heap/linux,cma"}) {
      int h = open(heap, O_RDWR | O_CLOEXEC);
      if (h < 0) continue;
      dma_heap_allocation_data d{};
      d.len = size_;
      d.fd_flags = O_RDWR | O_CLOEXEC;
      int r = ioctl(h, DMA_HEAP_IOCTL_ALLOC, &d);
      close(h);
      if (r == 0) {
        fd_ = int(d.fd);
        source_ = heap;
        return true;
      }
    }
    return false;
  }
  bool from_udmabuf() {
    int dev = open("/dev/udmabuf", O_RDWR | O_CLOEXEC);
    if (dev < 0) return false;
    int mfd = memfd_create("daedalus-udmabuf", MFD_ALLOW_SEALING);
    bool ok = mfd >= 0 && ftruncate(mfd, off_t(size_)) == 0 && fcntl(mfd, F_ADD_SEALS, F_SEAL_SHRINK) == 0;
    if (ok) {
      udmabuf_create c{};
      c.memfd = uint32_t(mfd);
      c.size = size_;
      fd_ = ioctl(dev, UDMABUF_CREATE, &c);
      ok = fd_ >= 0;
    }
    if (mfd >= 0) close(mfd);
    close(dev);
    if (ok) source_ = "/dev/udmabuf";
    return ok;
  }
  bool from_vulkan() {
    vk::ContextOptions o;
    o.validation = false;  // the failing allocation below is expected where unsupported
    exporter_ = std::make_unique<vk::Context>(o);
    if (!exporter_->has_dmabuf_import()) return false;
    VkExportMemoryAllocateInfo exp{VK_STRUCTURE_TYPE_EXPORT_MEMORY_ALLOCATE_INFO};
    exp.handleTypes = VK_EXTERNAL_MEMORY_HANDLE_TYPE_DMA_BUF_BIT_EXT;
    VkMemoryAllocateInfo mai{VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO};
    mai.pNext = &exp;
    mai.allocationSize = size_;
    mai.memoryTypeIndex = exporter_->find_memory_type(~0u, VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT);
    if (vkAllocateMemory(exporter_->device(), &mai, nullptr, &mem_) != VK_SUCCESS) return false;
    VkMemoryGetFdInfoKHR gfi{VK_STRUCTURE_TYPE_MEMORY_GET_FD_INFO_KHR};
    gfi.memory = mem_;
    gfi.handleType = VK_EXTERNAL_MEMORY_HANDLE_TYPE_DMA_BUF_BIT_EXT;
    if (exporter_->get_memory_fd(exporter_->device(), &gfi, &fd_) != VK_SUCCESS) return false;
    source_ = "Vulkan export (" + exporter_->device_name() + ")";
    return true;
  }

  size_t size_;
  int fd_ = -1;
  uint8_t* map_ = nullptr;
  std::string source_;
  std::unique_ptr<vk::Context> exporter_;
  VkDeviceMemory mem_ = VK_NULL_HANDLE;
};

// Packs three frames into the NV12 buffer behind `fd` and checks the bytes
// through `view` (the fd's own mapping): they must be there after each
// end_frame(), whether the backend imported the fd or copied.
void pack_into_fd(vk::VulkanBackend& b, int fd, uint8_t* view, const Nv12Layout& l) {
  auto src = b.create_surface(l.width, l.height);
  auto dst = b.wrap_nv12(l, nullptr, fd);
  for (int frame = 0; frame < 3; frame++) {
    fill_pattern(*src, 100 + frame);
    b.begin_frame(empty_work(l.width, l.height));
    b.pack_nv12(*src, *dst);
    b.end_frame();
    EXPECT_TRUE(nv12_matches(*src, l, view)) << "frame " << frame;
    EXPECT_TRUE(nv12_matches(*src, l, dst->host_data())) << "frame " << frame;
  }
}

TEST(VulkanBackend, PackNv12IntoImportedDmabufInPlace) {
  vk::VulkanBackend b(validated());
  if (!b.context().has_dmabuf_import()) GTEST_SKIP() << "driver has no VK_EXT_external_memory_dma_buf";
  Nv12Layout l = nv12_layout(320, 240, 320);
  l.size_bytes = (l.size_bytes + 4095) & ~4095ull;
  Dmabuf buf(l.size_bytes);
  if (buf.fd() < 0)
    GTEST_SKIP() << "no dmabuf exporter on this host (no /dev/dma_heap, no /dev/udmabuf, driver cannot export "
                    "DMA_BUF); the import path is covered by ImportsAnFdThroughTheDmabufPath";
  std::memset(buf.map(), 0x11, l.size_bytes);
  pack_into_fd(b, buf.fd(), buf.map(), l);
  EXPECT_TRUE(b.last_wrap_imported()) << "dmabuf from " << buf.source() << " was not imported";
  EXPECT_EQ(b.validation_messages(), 0u);
}

// Lavapipe imports any mmap-able fd as DMA_BUF, so a memfd exercises the
// import code (vkGetMemoryFdPropertiesKHR, VkImportMemoryFdInfoKHR, bind)
// where no dmabuf exporter exists; V3DV would refuse it and fall back.
TEST(VulkanBackend, ImportsAnFdThroughTheDmabufPath) {
  vk::VulkanBackend b(validated());
  if (!b.context().has_dmabuf_import()) GTEST_SKIP() << "driver has no VK_EXT_external_memory_dma_buf";
  Nv12Layout l = nv12_layout(176, 144, 192);
  l.size_bytes = (l.size_bytes + 4095) & ~4095ull;
  int fd = memfd_create("daedalus-test-nv12", 0);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(ftruncate(fd, off_t(l.size_bytes)), 0);
  void* p = mmap(nullptr, l.size_bytes, PROT_READ, MAP_SHARED, fd, 0);
  ASSERT_NE(p, MAP_FAILED);
  pack_into_fd(b, fd, static_cast<uint8_t*>(p), l);
  if (b.context().device_name().find("llvmpipe") != std::string::npos) {
    EXPECT_TRUE(b.last_wrap_imported());
  }
  munmap(p, l.size_bytes);
  close(fd);
  EXPECT_EQ(b.validation_messages(), 0u);
}

TEST(VulkanBackend, FdThatCannotBeImportedFallsBackToCopies) {
  vk::ContextOptions o = validated();
  o.no_dmabuf_import = true;
  vk::VulkanBackend b(o);
  const uint32_t w = 64, h = 48;
  Nv12Layout l = nv12_layout(w, h, 64);
  int fd = memfd_create("daedalus-test-nv12", 0);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(ftruncate(fd, off_t(l.size_bytes)), 0);
  void* p = mmap(nullptr, l.size_bytes, PROT_READ, MAP_SHARED, fd, 0);
  ASSERT_NE(p, MAP_FAILED);
  pack_into_fd(b, fd, static_cast<uint8_t*>(p), l);
  EXPECT_FALSE(b.last_wrap_imported());
  munmap(p, l.size_bytes);
  close(fd);
  EXPECT_EQ(b.validation_messages(), 0u);
}

}  // namespace
