// SPDX-License-Identifier: MIT
#include "context_scheduler.h"

#include <algorithm>
#include <exception>

#include <spdlog/spdlog.h>

namespace daedalus::bridge {

namespace {

// A task must never take a worker (and with it the daemon) down.
void run_guarded(const ContextScheduler::Task& task, bool cancelled) {
  try {
    task(cancelled);
  } catch (const std::exception& e) {
    spdlog::error("task failed: {}", e.what());
  } catch (...) {
    spdlog::error("task failed with an unknown exception");
  }
}

}  // namespace

ContextScheduler::ContextScheduler(unsigned workers) {
  if (workers == 0) workers = 1;
  for (unsigned i = 0; i < workers; ++i) threads_.emplace_back([this] { worker_loop(); });
}

ContextScheduler::~ContextScheduler() { shutdown(); }

void ContextScheduler::submit(uint32_t ctx_id, Task task) {
  {
    std::lock_guard lock(mutex_);
    if (!stopping_) {
      Queue& q = queues_[ctx_id];
      q.tasks.push_back(std::move(task));
      if (!q.running && q.tasks.size() == 1) ready_.push_back(ctx_id);
      wake_.notify_one();
      return;
    }
  }
  run_guarded(task, true);
}

void ContextScheduler::worker_loop() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return stopping_ || !ready_.empty(); });
    if (stopping_) return;
    const uint32_t ctx_id = ready_.front();
    ready_.pop_front();
    Queue& q = queues_[ctx_id];
    Task task = std::move(q.tasks.front());
    q.tasks.pop_front();
    q.running = true;
    q.since = std::chrono::steady_clock::now();
    lock.unlock();
    run_guarded(task, false);
    task = nullptr;  // release captures outside the lock too
    lock.lock();
    Queue& after = queues_[ctx_id];  // rehash-safe lookup
    after.running = false;
    if (after.tasks.empty()) {
      queues_.erase(ctx_id);
    } else if (!stopping_) {
      // Back of the line: contexts take turns.
      ready_.push_back(ctx_id);
      wake_.notify_one();
    }
  }
}

std::chrono::steady_clock::duration ContextScheduler::longest_running() const {
  const auto now = std::chrono::steady_clock::now();
  std::chrono::steady_clock::duration longest{};
  std::lock_guard lock(mutex_);
  for (const auto& [id, q] : queues_)
    if (q.running) longest = std::max(longest, now - q.since);
  return longest;
}

void ContextScheduler::shutdown() {
  std::vector<Task> cancelled;
  {
    std::lock_guard lock(mutex_);
    if (stopping_ && threads_.empty()) return;
    stopping_ = true;
    for (auto& [id, q] : queues_) {
      for (auto& t : q.tasks) cancelled.push_back(std::move(t));
      q.tasks.clear();
    }
    ready_.clear();
  }
  wake_.notify_all();
  for (auto& t : cancelled) run_guarded(t, true);
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
}

}  // namespace daedalus::bridge
