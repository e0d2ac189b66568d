// SPDX-License-Identifier: MIT
// dispatch/thread_cpu.h: the bench's "host CPU" counts the decoder's own
// worker threads, the live ones and the ended ones, and no other thread.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "daedalus/dispatch/thread_cpu.h"
#include "daedalus/dispatch/fork_join.h"

namespace daedalus::dispatch {
namespace {

// Spins until this thread has used `ms` of CPU time.
void burn(double ms) {
  const double until = this_thread_cpu_ms() + ms;
  volatile unsigned sink = 0;
  while (this_thread_cpu_ms() < until)
    for (int i = 0; i < 1000; ++i) sink = sink + static_cast<unsigned>(i);
}

TEST(ThreadCpu, AnEndedWorkerStaysCounted) {
  const double before = worker_threads_cpu_ms();
  std::thread([] {
    const WorkerThreadScope counted;
    burn(30);
  }).join();
  const double used = worker_threads_cpu_ms() - before;
  EXPECT_GE(used, 29.0);
  EXPECT_LT(used, 200.0);
}

TEST(ThreadCpu, ALiveWorkerIsCountedWhileItRuns) {
  std::atomic<bool> done{false}, stop{false};
  const double before = worker_threads_cpu_ms();
  std::thread t([&] {
    const WorkerThreadScope counted;
    burn(30);
    done = true;
    while (!stop) std::this_thread::yield();
  });
  while (!done) std::this_thread::yield();
  EXPECT_GE(worker_threads_cpu_ms() - before, 29.0);
  stop = true;
  t.join();
}

TEST(ThreadCpu, OtherThreadsAreNotCounted) {
  const double before = worker_threads_cpu_ms();
  std::thread([] { burn(30); }).join();
  EXPECT_LT(worker_threads_cpu_ms() - before, 5.0);
}

TEST(ThreadCpu, TheCpuBackendsStagePoolIsCounted) {
  ForkJoin pool(3);
  const double before = worker_threads_cpu_ms();
  pool.run([](unsigned i) {
    if (i > 0) burn(20);
  });
  // Two workers, 20 ms each; index 0 ran on this thread, not a worker.
  EXPECT_GE(worker_threads_cpu_ms() - before, 39.0);
}

}  // namespace
}  // namespace daedalus::dispatch
