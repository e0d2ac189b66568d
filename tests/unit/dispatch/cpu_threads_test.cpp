// SPDX-License-Identifier: MIT
// The CPU backend's stage threads: the fork-join pool itself, and every
// stage giving the same pixels on one thread and on several (the loop
// filter's superblock rows wait for the row above; inter prediction and the
// transforms split their blocks).
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "backends.h"
#include "daedalus/dispatch/threads.h"
#include "daedalus/error.h"
#include "cpu_surface.h"
#include "daedalus/dispatch/synthetic_work.h"
#include "daedalus/dispatch/fork_join.h"

namespace daedalus::dispatch::cpu {
namespace {

TEST(ForkJoin, EveryIndexRunsOnceAndRunReturnsAfterAll) {
  ForkJoin pool(4);
  ASSERT_EQ(pool.size(), 4u);
  for (int round = 0; round < 50; ++round) {
    std::vector<std::atomic<int>> calls(4);
    std::atomic<int> finished{0};
    pool.run([&](unsigned i) {
      calls[i].fetch_add(1);
      finished.fetch_add(1);
    });
    EXPECT_EQ(finished.load(), 4) << "run returned before every index finished";
    for (auto& c : calls) EXPECT_EQ(c.load(), 1);
  }
}

TEST(ForkJoin, AnExceptionIsRethrownAfterTheOthersFinish) {
  ForkJoin pool(3);
  std::atomic<int> finished{0};
  EXPECT_THROW(pool.run([&](unsigned i) {
    if (i == 2) throw std::runtime_error("worker failed");
    finished.fetch_add(1);
  }),
               std::runtime_error);
  EXPECT_EQ(finished.load(), 2);
  // The pool stays usable.
  std::atomic<int> again{0};
  pool.run([&](unsigned) { again.fetch_add(1); });
  EXPECT_EQ(again.load(), 3);
}

TEST(ForkJoin, OneThreadRunsOnTheCaller) {
  ForkJoin pool(1);
  EXPECT_EQ(pool.size(), 1u);
  const auto caller = std::this_thread::get_id();
  std::thread::id ran;
  pool.run([&](unsigned i) {
    EXPECT_EQ(i, 0u);
    ran = std::this_thread::get_id();
  });
  EXPECT_EQ(ran, caller);
}

TEST(CpuThreads, TheBackendTakesItsThreadCountFromTheCallerOrTheDefault) {
  EXPECT_EQ(create_cpu_backend(3)->name(), "cpu (3 stage threads)");
  EXPECT_EQ(create_cpu_backend(1)->name(), "cpu (1 stage thread)");
  BackendOptions two;
  two.cpu_threads = 2;
  EXPECT_EQ(create_backend(BackendKind::kCpu, two)->name(), "cpu (2 stage threads)");
  // The library reads no environment: this is not the default's to change.
  setenv("DAEDALUS_CPU_THREADS", "5", 1);
  const unsigned n = default_threads();
  EXPECT_GE(n, 1u);
  EXPECT_LE(n, 4u);
  EXPECT_EQ(create_cpu_backend()->name(), create_cpu_backend(n)->name());
  unsetenv("DAEDALUS_CPU_THREADS");
  EXPECT_THROW(create_cpu_backend(17), daedalus::Error);
}

// A synthetic 1080p frame (key or inter) through every stage; the NV12
// result.
std::vector<uint8_t> decode_synthetic(unsigned threads, bool intra, uint32_t seed) {
  auto b = create_cpu_backend(threads);
  const FrameWork work = make_synthetic_work({1920, 1080, intra, seed});
  std::shared_ptr<Surface> refs_owned[3];
  Surface* refs[3];
  for (int r = 0; r < 3; ++r) {
    refs_owned[r] = b->create_surface(1920, 1088);
    fill_reference(*refs_owned[r], seed + 10 * r);
    refs[r] = refs_owned[r].get();
  }
  auto dst = b->create_surface(1920, 1088);
  Nv12Layout l;
  l.width = 1920;
  l.height = 1080;
  l.y_stride = l.uv_stride = 1920;
  l.uv_offset = 1920 * 1080;
  l.size_bytes = l.uv_offset + 1920 * 540;
  std::vector<uint8_t> out(l.size_bytes);
  auto nv12 = b->wrap_nv12(l, out.data(), -1);
  b->begin_frame(work);
  daedalus_dispatch_residual(*b, work);
  if (!intra) daedalus_dispatch_inter_pred(*b, work, *dst, refs);
  daedalus_dispatch_intra_recon(*b, work, *dst);
  daedalus_dispatch_loop_filter(*b, work, *dst);
  daedalus_dispatch_pack_nv12(*b, *dst, *nv12);
  b->end_frame();
  return out;
}

TEST(CpuThreads, EveryStageGivesTheSamePixelsOnOneThreadAndOnSeveral) {
  for (bool intra : {false, true}) {
    for (uint32_t seed : {3u, 8u}) {
      const auto one = decode_synthetic(1, intra, seed);
      for (unsigned threads : {2u, 3u, 5u}) {
        const auto many = decode_synthetic(threads, intra, seed);
        ASSERT_EQ(one.size(), many.size());
        size_t first_diff = 0;
        while (first_diff < one.size() && one[first_diff] == many[first_diff]) ++first_diff;
        EXPECT_EQ(first_diff, one.size()) << (intra ? "key" : "inter") << " frame, seed " << seed << ", " << threads
                                          << " threads: first differing byte " << first_diff;
      }
    }
  }
}

}  // namespace
}  // namespace daedalus::dispatch::cpu
