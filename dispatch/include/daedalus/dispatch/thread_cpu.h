// SPDX-License-Identifier: MIT
// CPU time of the threads a decoder runs itself (tile-column workers, the CPU
// backend's stage pool), so that a measurement of "what decoding costs the
// host" can add them to the calling thread's time and leave out threads that
// are not ours (a Vulkan driver's: lavapipe executes shaders on the CPU,
// a real GPU does not).
//
// Process-wide: with several decoders at work (the daemon's contexts) the
// total mixes them; it is meant for one decoder at a time (bench, tools).
#pragma once

namespace daedalus::dispatch {

// CPU time, in ms, of the calling thread since it started.
double this_thread_cpu_ms();

// CPU time, in ms, of the whole process (every thread, ours or not).
double process_cpu_ms();

// CPU time, in ms, every thread that held a WorkerThreadScope has used
// while holding it: the ones still running and the ones that have ended.
double worker_threads_cpu_ms();

// The decoder's threads: the calling one plus worker_threads_cpu_ms().
double decoder_threads_cpu_ms();

// Declared at the top of a worker thread's function: counts the thread in
// worker_threads_cpu_ms() for the scope's lifetime (one per thread).
class WorkerThreadScope {
 public:
  WorkerThreadScope();
  ~WorkerThreadScope();
  WorkerThreadScope(const WorkerThreadScope&) = delete;
  WorkerThreadScope& operator=(const WorkerThreadScope&) = delete;
};

}  // namespace daedalus::dispatch
