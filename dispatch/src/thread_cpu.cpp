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

// A running worker: its CPU clock and the clock's reading when it
// registered. A worker reads its own clock when it leaves, so ended
// threads' time is kept exactly, not sampled.
struct LiveWorker {
  clockid_t clock;
  double start_ms;
};

struct Registry {
  std::mutex mutex;  // guards the rest
  std::vector<LiveWorker> live;
  double ended_ms = 0;
};

Registry& registry() {
  static Registry r;
  return r;
}

bool own_clock(clockid_t* id) { return pthread_getcpuclockid(pthread_self(), id) == 0; }

}  // namespace

double this_thread_cpu_ms() { return clock_ms(CLOCK_THREAD_CPUTIME_ID); }

double process_cpu_ms() { return clock_ms(CLOCK_PROCESS_CPUTIME_ID); }

double worker_threads_cpu_ms() {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  double total = r.ended_ms;
  // Another thread's clock: valid while that thread runs, which its scope
  // (removed under this lock before the thread ends) guarantees.
  for (const LiveWorker& w : r.live) total += clock_ms(w.clock) - w.start_ms;
  return total;
}

double decoder_threads_cpu_ms() { return this_thread_cpu_ms() + worker_threads_cpu_ms(); }

WorkerThreadScope::WorkerThreadScope() {
  clockid_t id;
  if (!own_clock(&id)) return;
  const double now = this_thread_cpu_ms();
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  r.live.push_back({id, now});
}

WorkerThreadScope::~WorkerThreadScope() {
  clockid_t id;
  if (!own_clock(&id)) return;
  const double now = this_thread_cpu_ms();
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  const auto it = std::find_if(r.live.begin(), r.live.end(), [id](const LiveWorker& w) { return w.clock == id; });
  if (it == r.live.end()) return;
  r.ended_ms += now - it->start_ms;
  r.live.erase(it);
}

}  // namespace daedalus::dispatch
