// SPDX-License-Identifier: MIT
// daedalus-daemon: attaches to /dev/daedalus-v4l2 and decodes the jobs of
// every V4L2 context the daedalus_v4l2 module serves.
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <thread>

#include <poll.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <systemd/sd-daemon.h>

#include "daedalus/error.h"
#include "kernel_channel.h"
#include "server.h"
#include "settings.h"
#include "vp9_stateless_job.h"

using namespace daedalus::bridge;
namespace dispatch = daedalus::dispatch;

int main(int argc, char** argv) {
  CLI::App app{"daedalus-daemon: decodes V4L2 stateless jobs of the daedalus_v4l2 kernel module"};
  std::string device = DAEDALUS_DEVICE_PATH;
  std::string decoder = "ffmpeg";
  std::string backend = "cpu";
  unsigned workers = std::max(2u, std::thread::hardware_concurrency());
  int verbosity = 0;
  app.add_option("--device", device, "kernel chardev")->capture_default_str();
  app.add_option("--decoder", decoder, "ffmpeg: libavcodec reference path; daedalus: our VP9 decoder")
      ->check(CLI::IsMember({"ffmpeg", "daedalus"}))
      ->capture_default_str();
  app.add_option("--backend", backend, "dispatch backend of the daedalus decoder")
      ->check(CLI::IsMember({"cpu", "vulkan"}))
      ->capture_default_str();
  app.add_option("--workers", workers, "decode threads (contexts decode in parallel)")
      ->check(CLI::Range(1u, 256u))
      ->capture_default_str();
  std::string reserve = "1920x1080";
  app.add_option("--reserve", reserve,
                 "--backend vulkan: frame size whose buffers are allocated at start, so that a client's first "
                 "frame does not wait for them (0x0: none)")
      ->check([](const std::string& v) {
        unsigned w = 0, h = 0;
        char tail = 0;
        return std::sscanf(v.c_str(), "%ux%u%c", &w, &h, &tail) == 2 && w <= 8192 && h <= 8192
                   ? std::string()
                   : std::string("expected WIDTHxHEIGHT, e.g. 1920x1080");
      })
      ->capture_default_str();
  app.add_flag("-v,--verbose", verbosity, "more logging (-v debug, -vv trace)");
  daedalus::settings::DecoderSettings settings;
  try {
    settings = daedalus::settings::from_environment();
  } catch (const daedalus::Error& e) {
    std::fprintf(stderr, "daedalus-daemon: %s\n", e.what());
    return kExitUsage;
  }
  daedalus::settings::add_flags(app, settings);
  CLI11_PARSE(app, argc, argv);

  auto logger = spdlog::stderr_color_mt("daedalus");
  spdlog::set_default_logger(logger);
  // journald adds its own timestamps.
  spdlog::set_pattern(getenv("JOURNAL_STREAM") ? "[%l] %v" : "%H:%M:%S.%e [%l] %v");
  spdlog::set_level(verbosity >= 2 ? spdlog::level::trace
                    : verbosity == 1 ? spdlog::level::debug
                                     : spdlog::level::info);

  // SIGINT/SIGTERM arrive through a signalfd the reader polls; block them
  // before any worker thread exists so every thread inherits the mask.
  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGINT);
  sigaddset(&mask, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &mask, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
  const int sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
  if (sfd < 0) {
    spdlog::critical("signalfd: {}", std::strerror(errno));
    return kExitSoftware;
  }

  ServerOptions opts;
  opts.decoder = decoder == "daedalus" ? DecoderKind::kDaedalus : DecoderKind::kFfmpeg;
  opts.backend = backend == "vulkan" ? dispatch::BackendKind::kVulkan : dispatch::BackendKind::kCpu;
  opts.backend_options = settings.backend;
  opts.entropy_threads = settings.entropy_threads;
  opts.workers = workers;
  // Under systemd with WatchdogSec= (daemon/systemd/daedalus-daemon.service):
  // report alive at half the interval while no decode job is stuck, so a
  // hung daemon is killed and restarted.
  if (uint64_t usec = 0; sd_watchdog_enabled(0, &usec) > 0) {
    opts.alive_every = std::chrono::milliseconds(usec / 2000);
    opts.alive = [] { sd_notify(0, "WATCHDOG=1"); };
    spdlog::info("systemd watchdog: alive every {} ms while no job runs longer than {} s",
                 opts.alive_every.count(), opts.stall_limit.count() / 1000);
  }
  if (opts.decoder == DecoderKind::kDaedalus) {
#ifdef DAEDALUS_HAVE_VP9
    spdlog::info("--decoder daedalus: VP9 jobs use our decoder on the {} backend; H.264/AV1 the libavcodec "
                 "reference path", backend);
#else
    spdlog::warn("--decoder daedalus: our VP9 decoder is not part of this build; VP9 jobs will fail with ENOSYS");
#endif
  } else if (opts.backend != dispatch::BackendKind::kCpu) {
    spdlog::info("--backend {} only applies to --decoder daedalus", backend);
  }

  int exit_code = kExitOk;
#ifdef DAEDALUS_HAVE_VP9
  if (opts.decoder == DecoderKind::kDaedalus && opts.backend == dispatch::BackendKind::kVulkan) {
    // Before attaching: while the kernel sees no daemon, clients get
    // immediate ERROR buffers rather than a first frame that waits for
    // pipeline compilation past their request timeout.
    // On its own thread: under emulation the warm-up takes minutes, and
    // SIGTERM must still stop the daemon (nothing is attached yet).
    sd_notify(0, "STATUS=creating the Vulkan backend and compiling its shaders");
    const int done_fd = eventfd(0, EFD_CLOEXEC);
    if (done_fd < 0) {
      spdlog::critical("eventfd: {}", std::strerror(errno));
      return kExitSoftware;
    }
    double ms = 0;
    std::optional<std::string> failure;
    std::thread warm([&] {
      try {
        unsigned w = 0, h = 0;
        std::sscanf(reserve.c_str(), "%ux%u", &w, &h);  // checked by the option
        ms = prewarm_vp9_backend(opts.backend, opts.backend_options, w, h);
      } catch (const std::exception& e) {
        failure = e.what();
      }
      const uint64_t one = 1;
      if (write(done_fd, &one, sizeof(one)) != sizeof(one)) std::abort();  // cannot happen: the counter is 0 or 1
    });
    pollfd fds[2] = {{done_fd, POLLIN, 0}, {sfd, POLLIN, 0}};
    while (poll(fds, 2, -1) < 0 && errno == EINTR) {
    }
    if (!(fds[0].revents & POLLIN)) {
      signalfd_siginfo si{};
      const bool got = read(sfd, &si, sizeof(si)) == sizeof(si);
      spdlog::info("{} during the Vulkan warm-up: exiting without waiting for it", got ? strsignal(si.ssi_signo) : "signal");
      spdlog::shutdown();
      // The warm-up thread is inside the driver: no destructors, no joins.
      std::_Exit(kExitOk);
    }
    warm.join();
    close(done_fd);
    if (failure) {
      spdlog::critical("--backend vulkan: {}", *failure);
      return kExitUnavailable;
    }
    spdlog::info("vulkan backend ready ({:.0f} ms to create and warm up; buffers for {} frames reserved)", ms, reserve);
  }
#endif
  try {
    DeviceChannel channel(device);
    Server server(channel, opts);
    const auto reply = server.handshake();
    spdlog::info("attached to {} (protocol v{}, job timeout {} ms, {} workers, decoder {})", device,
                 reply.proto_version, reply.job_timeout_ms, workers, decoder);
    sd_notify(0, "READY=1\nSTATUS=serving decode jobs");

    const StopReason why = server.serve(sfd);
    if (why == StopReason::kStopRequested) {
      signalfd_siginfo si{};
      if (read(sfd, &si, sizeof(si)) == sizeof(si)) spdlog::info("{}: shutting down", strsignal(si.ssi_signo));
      sd_notify(0, "STOPPING=1");
    } else {
      spdlog::critical("the daedalus_v4l2 kernel module closed the channel; exiting");
      exit_code = kExitKernelGone;
    }
    const auto& st = server.stats();
    spdlog::info("jobs: {} decoded, {} failed, {} cancelled by the kernel", st.jobs_ok.load(),
                 st.jobs_failed.load(), st.jobs_cancelled.load());
  } catch (const HandshakeError& e) {
    spdlog::critical("{}", e.what());
    exit_code = e.exit_code();
  } catch (const daedalus::Error& e) {
    spdlog::critical("{}", e.what());
    exit_code = kExitUnavailable;
  } catch (const std::exception& e) {
    spdlog::critical("fatal: {}", e.what());
    exit_code = kExitSoftware;
  }
  close(sfd);
  return exit_code;
}
