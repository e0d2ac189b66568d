// SPDX-License-Identifier: MIT
#include <atomic>
#include <chrono>
#include <future>
#include <latch>
#include <mutex>
#include <vector>

#include <gtest/gtest.h>

#include "context_scheduler.h"

using namespace daedalus::bridge;
using namespace std::chrono_literals;

// The wait_for timeouts below only keep a broken scheduler from hanging
// the test run; the verdicts come from latches, not from timing.

TEST(ContextScheduler, SlowContextDoesNotBlockAnother) {
  ContextScheduler sched(2);
  std::latch slow_started(1), release_slow(1);
  std::promise<void> fast_done;
  std::atomic<bool> slow_finished{false};
  sched.submit(1, [&](bool) {
    slow_started.count_down();
    release_slow.wait();
    slow_finished = true;
  });
  slow_started.wait();
  // Context 1 is now stuck; context 2's job must still complete.
  sched.submit(2, [&](bool) { fast_done.set_value(); });
  auto fut = fast_done.get_future();
  const bool completed = fut.wait_for(10s) == std::future_status::ready;
  EXPECT_TRUE(completed) << "context 2 waited for context 1";
  EXPECT_FALSE(slow_finished.load());
  release_slow.count_down();
  sched.shutdown();
  EXPECT_TRUE(slow_finished.load());
}

TEST(ContextScheduler, SameContextRunsInOrderOneAtATime) {
  ContextScheduler sched(4);
  constexpr int kJobs = 200;
  std::mutex m;
  std::vector<int> order[3];
  std::atomic<int> running[3] = {0, 0, 0};
  std::atomic<bool> overlap{false};
  std::latch all_done(3 * kJobs);
  for (int i = 0; i < kJobs; ++i) {
    for (uint32_t ctx = 0; ctx < 3; ++ctx) {
      sched.submit(ctx, [&, i, ctx](bool) {
        if (running[ctx].fetch_add(1) != 0) overlap = true;
        {
          std::lock_guard lock(m);
          order[ctx].push_back(i);
        }
        running[ctx].fetch_sub(1);
        all_done.count_down();
      });
    }
  }
  all_done.wait();
  EXPECT_FALSE(overlap.load()) << "two jobs of one context ran at once";
  for (auto& o : order) {
    ASSERT_EQ(o.size(), static_cast<size_t>(kJobs));
    for (int i = 0; i < kJobs; ++i) ASSERT_EQ(o[i], i);
  }
}

TEST(ContextScheduler, ShutdownCancelsQueuedAndFinishesRunning) {
  ContextScheduler sched(1);
  std::latch started(1), release(1);
  std::atomic<int> ran{0}, cancelled{0};
  sched.submit(5, [&](bool c) {
    EXPECT_FALSE(c);
    started.count_down();
    release.wait();
    ran++;
  });
  started.wait();
  for (int i = 0; i < 3; ++i) sched.submit(5, [&](bool c) { (c ? cancelled : ran)++; });
  sched.submit(6, [&](bool c) { (c ? cancelled : ran)++; });
  std::thread stopper([&] { sched.shutdown(); });
  // shutdown() must wait for the running job, which needs the release.
  while (cancelled.load() < 4) std::this_thread::yield();
  release.count_down();
  stopper.join();
  EXPECT_EQ(ran.load(), 1);
  EXPECT_EQ(cancelled.load(), 4);
  sched.submit(7, [&](bool c) { (c ? cancelled : ran)++; });  // after shutdown: cancelled at once
  EXPECT_EQ(cancelled.load(), 5);
}

TEST(ContextScheduler, ThrowingTaskDoesNotKillWorker) {
  ContextScheduler sched(1);
  std::promise<void> after;
  sched.submit(1, [](bool) { throw std::runtime_error("boom"); });
  sched.submit(1, [&](bool) { after.set_value(); });
  EXPECT_EQ(after.get_future().wait_for(10s), std::future_status::ready);
}

// What the systemd watchdog is fed from: a task stuck in a worker shows as
// the longest-running one, and nothing running shows as zero.
TEST(ContextScheduler, LongestRunningMeasuresTheStuckTask) {
  ContextScheduler sched(2);
  EXPECT_EQ(sched.longest_running().count(), 0);
  std::latch started(1), release(1);
  std::promise<void> finished;
  sched.submit(7, [&](bool) {
    started.count_down();
    release.wait();
    finished.set_value();
  });
  started.wait();
  std::this_thread::sleep_for(50ms);
  EXPECT_GE(sched.longest_running(), 50ms);
  release.count_down();
  ASSERT_EQ(finished.get_future().wait_for(10s), std::future_status::ready);
  sched.shutdown();
  EXPECT_EQ(sched.longest_running().count(), 0);
}
