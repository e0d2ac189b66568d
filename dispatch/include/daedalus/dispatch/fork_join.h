// SPDX-License-Identifier: MIT
// A small persistent fork-join pool: run(fn) calls fn(i) for every
// i < size() at once, fn(0) on the calling thread, and returns when all
// have returned. The Pi 5 has four cores and one stream's frame is decoded
// by one daemon worker, so the CPU backend splits a 1080p frame's pixel
// stages across cores with one, and the VP9 decoder its tile columns. The
// threads are started once, not per frame, and count as the decoder's own
// (thread_cpu.h).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace daedalus::dispatch {

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
  // at a time: a backend or a decoder, and so its pool, serves one daemon
  // worker.
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

}  // namespace daedalus::dispatch
