// SPDX-License-Identifier: MIT
// The daemon proper: handshake, then a reader loop that turns kernel
// messages into per-context tasks on the ContextScheduler and answers every
// DECODE with exactly one DECODE_DONE.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <unordered_map>

#include "context_scheduler.h"
#include "decode_job.h"
#include "kernel_channel.h"
#include "protocol.h"

namespace daedalus::bridge {

// sysexits.h values, so systemd and scripts can tell failures apart.
inline constexpr int kExitOk = 0;
inline constexpr int kExitUsage = 64;
inline constexpr int kExitUnavailable = 69;  // cannot open the device
inline constexpr int kExitSoftware = 70;
inline constexpr int kExitKernelGone = 74;   // EX_IOERR: kernel side went away
inline constexpr int kExitProtocol = 76;     // EX_PROTOCOL: version mismatch

class HandshakeError : public std::runtime_error {
 public:
  HandshakeError(int exit_code, const std::string& what) : std::runtime_error(what), exit_code_(exit_code) {}
  int exit_code() const { return exit_code_; }

 private:
  int exit_code_;
};

struct ServerOptions {
  DecoderKind decoder = DecoderKind::kFfmpeg;
  dispatch::BackendKind backend = dispatch::BackendKind::kCpu;  // of our own decoder
  dispatch::BackendOptions backend_options;                      // its settings
  unsigned entropy_threads = 0;  // our VP9 decoder's tile-column threads; 0: its default
  unsigned workers = 2;
  std::string name = "daedalus-daemon";
  // Liveness for a supervisor (the systemd watchdog): serve() calls alive()
  // every alive_every while no job has been running for stall_limit or
  // longer. A decode stuck that long is a hung daemon: the kernel has long
  // failed its job, and the context's later jobs wait behind it; without
  // the calls systemd kills the daemon and starts a new one.
  std::function<void()> alive;
  std::chrono::milliseconds alive_every{0};
  std::chrono::milliseconds stall_limit{30000};
};

struct ServerStats {
  std::atomic<uint64_t> jobs_ok{0};
  std::atomic<uint64_t> jobs_failed{0};
  std::atomic<uint64_t> jobs_cancelled{0};
};

enum class StopReason { kStopRequested, kKernelGone };

class Server {
 public:
  Server(KernelChannel& channel, ServerOptions options);
  ~Server();

  // HELLO / HELLO_REPLY. Throws HandshakeError.
  daedalus_msg_hello_reply handshake(int timeout_ms = 5000);

  // Serves until stop_fd becomes readable (it is not read) or the kernel
  // goes away, then stops the workers: queued jobs are failed, running
  // ones finish and are answered.
  StopReason serve(int stop_fd);

  const ServerStats& stats() const { return stats_; }
  uint32_t codec_mask() const;

 private:
  void handle(KernelMessage&& msg);
  void handle_decode(DecodeRequest&& req);
  void respond(uint64_t cookie, const JobResult& result);
  void report_alive(std::chrono::steady_clock::time_point& last);
  std::shared_ptr<ContextState> context_for(const daedalus_msg_decode& m);

  KernelChannel& channel_;
  ServerOptions options_;
  ContextScheduler scheduler_;
  // Reader thread only.
  std::unordered_map<uint32_t, std::shared_ptr<ContextState>> contexts_;
  ServerStats stats_;
  bool stalled_logged_ = false;  // reader thread only
};

}  // namespace daedalus::bridge
