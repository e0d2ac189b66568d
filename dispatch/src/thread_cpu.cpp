// SPDX-License-Identifier: MIT
#include "daedalus/dispatch/thread_cpu.h"

#include <pthread.h>
#include <time.h>

#include <algorithm>
#include <mutex>
#include <vector>

namespace daedalus::dispatch {
namespace {

double clock_ms(clockid_t id) {
  timespec ts{};
  if (clock_gettime(id, &ts) != 0) return 0;
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) * 1e-6;
}

struct LiveWorker {
  clockid_t clock;
  double start_ms;
  const WorkerThreadScope* scope;
};

// Guarded by registry_mutex(). A worker reads its own clock when it leaves,
// so ended threads' time is kept exactly, not sampled.
struct Registry {
  std::mutex mutex;
  std::vector<LiveWorker> live;
  double ended_ms = 0;
};

Registry& registry() {
  static Registry r;
  return r;
}

}  // namespace

double this_thread_cpu_ms() { return clock_ms(CLOCK_THREAD_CPUTIME_ID); }

double worker_threads_cpu_ms() {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  double total = r.ended_ms;
  // Another thread's clock: valid while that thread runs, which its scope
  // (removed under this lock before the thread ends) guarantees.
  for (const LiveWorker& w : r.live) total += clock_ms(w.clock) - w.start_ms;
  return total;
}

WorkerThreadScope::WorkerThreadScope() : start_ms_(this_thread_cpu_ms()) {
  clockid_t id;
  if (pthread_getcpuclockid(pthread_self(), &id) != 0) return;
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  r.live.push_back({id, start_ms_, this});
}

WorkerThreadScope::~WorkerThreadScope() {
  const double used = this_thread_cpu_ms() - start_ms_;
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  const auto it = std::find_if(r.live.begin(), r.live.end(), [this](const LiveWorker& w) { return w.scope == this; });
  if (it == r.live.end()) return;
  r.live.erase(it);
  r.ended_ms += used;
}

}  // namespace daedalus::dispatch
