// SPDX-License-Identifier: MIT
// A small fork-join pool for the CPU backend's stages: run(fn) calls fn(i)
// for every i < size() at once, fn(0) on the calling thread, and returns
// when all have returned. The Pi 5 has four cores and one stream's frame is
// decoded by one daemon worker, so a 1080p frame's pixel stages are split
// across cores here.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace daedalus::dispatch::cpu {

class ForkJoin {
 public:
  // threads: how many run a job in all, the caller included (at least 1).
  explicit ForkJoin(unsigned threads);
  ~ForkJoin();
  ForkJoin(const ForkJoin&) = delete;
  ForkJoin& operator=(const ForkJoin&) = delete;

  unsigned size() const { return static_cast<unsigned>(workers_.size()) + 1; }

  // The first exception any fn(i) threw is rethrown here, after every fn(i)
  // has returned (so nothing still runs on the caller's data). One caller
  // at a time: a backend, and so its pool, serves one daemon worker.
  void run(const std::function<void(unsigned)>& fn);

 private:
  void worker(unsigned index);

  std::mutex mutex_;
  std::condition_variable start_, done_;
  const std::function<void(unsigned)>* job_ = nullptr;
  uint64_t generation_ = 0;
  unsigned pending_ = 0;
  bool stopping_ = false;
  std::exception_ptr error_;
  std::vector<std::thread> workers_;
};

}  // namespace daedalus::dispatch::cpu
