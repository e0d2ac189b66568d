// SPDX-License-Identifier: MIT
// Runs tasks on a worker pool with one FIFO per V4L2 context: tasks of one
// context run one at a time and in submission order (the reference decoder
// is stateful), tasks of different contexts run in parallel, so a slow 4K
// decode in one context never holds back another context's frames.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

namespace daedalus::bridge {

class ContextScheduler {
 public:
  // cancelled is true when the task is flushed by shutdown() instead of
  // run: it must then only report failure, quickly.
  using Task = std::function<void(bool cancelled)>;

  explicit ContextScheduler(unsigned workers);
  ~ContextScheduler();
  ContextScheduler(const ContextScheduler&) = delete;
  ContextScheduler& operator=(const ContextScheduler&) = delete;

  void submit(uint32_t ctx_id, Task task);
  // Lets running tasks finish, cancels queued ones, joins the workers.
  // Idempotent; submit() afterwards cancels at once.
  void shutdown();

  unsigned workers() const { return static_cast<unsigned>(threads_.size()); }

  // How long the longest-running task has been running (zero when none
  // runs): a worker stuck in a task for far longer than any decode takes
  // is a hung daemon, which the systemd watchdog must see.
  std::chrono::steady_clock::duration longest_running() const;

 private:
  struct Queue {
    std::deque<Task> tasks;
    bool running = false;
    std::chrono::steady_clock::time_point since;  // of the running task
  };
  void worker_loop();

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::unordered_map<uint32_t, Queue> queues_;
  std::deque<uint32_t> ready_;  // contexts with tasks and no running task
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace daedalus::bridge
