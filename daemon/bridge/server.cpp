// SPDX-License-Identifier: MIT
#include "server.h"

#include <cerrno>
#include <chrono>
#include <cstring>
#include <vector>

#include <poll.h>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace daedalus::bridge {

namespace {

const char* codec_label(uint32_t c) {
  switch (c) {
    case DAEDALUS_CODEC_VP9: return "VP9";
    case DAEDALUS_CODEC_H264: return "H.264";
    case DAEDALUS_CODEC_AV1: return "AV1";
  }
  return "?";
}

}  // namespace

Server::Server(KernelChannel& channel, ServerOptions options)
    : channel_(channel), options_(std::move(options)), scheduler_(options_.workers) {}

Server::~Server() { scheduler_.shutdown(); }

uint32_t Server::codec_mask() const {
  return DAEDALUS_CODEC_BIT(DAEDALUS_CODEC_VP9) | DAEDALUS_CODEC_BIT(DAEDALUS_CODEC_H264) |
         DAEDALUS_CODEC_BIT(DAEDALUS_CODEC_AV1);
}

daedalus_msg_hello_reply Server::handshake(int timeout_ms) {
  auto hello = encode_hello(codec_mask(), options_.name);
  const int werr = channel_.write_message(hello);
  if (werr < 0 && werr != -EPROTONOSUPPORT) {
    throw HandshakeError(kExitKernelGone, fmt::format("HELLO rejected: {}", std::strerror(-werr)));
  }
  std::vector<uint8_t> buf(DAEDALUS_MSG_MAX_SIZE);
  pollfd pfd{channel_.poll_fd(), POLLIN, 0};
  for (;;) {
    int n = ::poll(&pfd, 1, timeout_ms);
    if (n < 0 && errno == EINTR) continue;
    if (n == 0) throw HandshakeError(kExitKernelGone, fmt::format("no HELLO_REPLY within {} ms", timeout_ms));
    if (n < 0) throw HandshakeError(kExitKernelGone, fmt::format("poll: {}", std::strerror(errno)));
    size_t len = 0;
    try {
      len = channel_.read_message(buf);
    } catch (const ChannelClosed& e) {
      throw HandshakeError(kExitKernelGone, e.what());
    }
    if (len == 0) continue;
    KernelMessage msg;
    try {
      msg = parse_kernel_message(std::span(buf.data(), len));
    } catch (const ProtocolError& e) {
      throw HandshakeError(kExitProtocol, fmt::format("bad HELLO_REPLY: {}", e.what()));
    }
    auto* reply = std::get_if<daedalus_msg_hello_reply>(&msg);
    if (!reply) throw HandshakeError(kExitProtocol, "kernel sent something other than HELLO_REPLY first");
    if (reply->status != 0 || werr == -EPROTONOSUPPORT || reply->proto_version != DAEDALUS_PROTO_VERSION) {
      throw HandshakeError(kExitProtocol,
                           fmt::format("protocol version mismatch: daemon speaks v{}, kernel module speaks v{} "
                                       "(status {}); install matching daedalus_v4l2 and daedalus-daemon",
                                       DAEDALUS_PROTO_VERSION, reply->proto_version, reply->status));
    }
    return *reply;
  }
}

void Server::report_alive(std::chrono::steady_clock::time_point& last) {
  if (!options_.alive || options_.alive_every.count() <= 0) return;
  const auto now = std::chrono::steady_clock::now();
  if (now - last < options_.alive_every) return;
  last = now;
  const auto stuck = scheduler_.longest_running();
  if (stuck < options_.stall_limit) {
    stalled_logged_ = false;
    options_.alive();
  } else if (!stalled_logged_) {
    stalled_logged_ = true;
    spdlog::critical("a decode job has been running for {:.1f} s: not reporting alive, the supervisor will restart us",
                     std::chrono::duration<double>(stuck).count());
  }
}

StopReason Server::serve(int stop_fd) {
  std::vector<uint8_t> buf(DAEDALUS_MSG_MAX_SIZE);
  StopReason reason = StopReason::kStopRequested;
  const int timeout_ms =
      options_.alive && options_.alive_every.count() > 0 ? static_cast<int>(options_.alive_every.count()) : -1;
  auto last_alive = std::chrono::steady_clock::now() - options_.alive_every;
  for (;;) {
    report_alive(last_alive);
    pollfd fds[2] = {{channel_.poll_fd(), POLLIN, 0}, {stop_fd, POLLIN, 0}};
    int n = ::poll(fds, stop_fd >= 0 ? 2 : 1, timeout_ms);
    if (n < 0) {
      if (errno == EINTR) continue;
      spdlog::critical("poll failed: {}", std::strerror(errno));
      reason = StopReason::kKernelGone;
      break;
    }
    if (stop_fd >= 0 && (fds[1].revents & POLLIN)) break;
    if (fds[0].revents & POLLIN) {
      size_t len = 0;
      try {
        len = channel_.read_message(buf);
      } catch (const ChannelClosed& e) {
        spdlog::critical("kernel side went away: {}", e.what());
        reason = StopReason::kKernelGone;
        break;
      }
      if (len == 0) continue;
      try {
        handle(parse_kernel_message(std::span(buf.data(), len)));
      } catch (const ProtocolError& e) {
        spdlog::error("dropping malformed kernel message: {}", e.what());
        // If it was a DECODE we can still fail its job instead of leaving
        // the client waiting for the watchdog.
        daedalus_msg_hdr hdr{};
        if (len >= sizeof(hdr)) {
          std::memcpy(&hdr, buf.data(), sizeof(hdr));
          if (hdr.magic == DAEDALUS_PROTO_MAGIC && hdr.type == DAEDALUS_MSG_DECODE) {
            JobResult r;
            r.status = -EINVAL;
            stats_.jobs_failed++;
            respond(hdr.cookie, r);
          }
        }
      }
      continue;
    }
    if (fds[0].revents & (POLLHUP | POLLERR | POLLNVAL)) {
      spdlog::critical("kernel side went away (poll revents {:#x}); is the module being unloaded?",
                       fds[0].revents);
      reason = StopReason::kKernelGone;
      break;
    }
  }
  scheduler_.shutdown();
  contexts_.clear();
  return reason;
}

void Server::handle(KernelMessage&& msg) {
  if (auto* open = std::get_if<daedalus_msg_ctx_open>(&msg)) {
    auto ctx = std::make_shared<ContextState>();
    ctx->id = open->ctx_id;
    ctx->codec = open->codec;
    ctx->coded_width = open->coded_width;
    ctx->coded_height = open->coded_height;
    ctx->kind = options_.decoder;
    ctx->backend = options_.backend;
    ctx->backend_options = options_.backend_options;
    ctx->entropy_threads = options_.entropy_threads;
    spdlog::info("ctx {}: open {} {}x{}", ctx->id, codec_label(ctx->codec), ctx->coded_width, ctx->coded_height);
    // Create the decoder now, on the context's own queue: a repeated
    // CTX_OPEN (new codec or size) replaces the state only after the jobs
    // already queued for the old one.
    scheduler_.submit(ctx->id, [ctx](bool cancelled) {
      if (cancelled) return;
      try {
        ensure_decoder(*ctx);
      } catch (const JobError& e) {
        // Each job of the context will fail with this too.
        spdlog::error("ctx {}: cannot create the {} decoder: {}", ctx->id, codec_label(ctx->codec), e.what());
      }
    });
    contexts_[ctx->id] = std::move(ctx);
  } else if (auto* close = std::get_if<daedalus_msg_ctx_close>(&msg)) {
    auto it = contexts_.find(close->ctx_id);
    if (it == contexts_.end()) {
      spdlog::debug("ctx {}: close of an unknown context", close->ctx_id);
      return;
    }
    // Destroy the decoder after the context's queued jobs, on its queue.
    scheduler_.submit(close->ctx_id, [ctx = it->second](bool) {
      ctx->decoder.reset();
      spdlog::info("ctx {}: closed", ctx->id);
    });
    contexts_.erase(it);
  } else if (auto* decode = std::get_if<DecodeRequest>(&msg)) {
    handle_decode(std::move(*decode));
  } else {
    spdlog::warn("unexpected HELLO_REPLY after the handshake");
  }
}

std::shared_ptr<ContextState> Server::context_for(const daedalus_msg_decode& m) {
  auto it = contexts_.find(m.ctx_id);
  if (it != contexts_.end() && it->second->codec == m.codec) return it->second;
  if (it != contexts_.end()) {
    spdlog::warn("ctx {}: DECODE for {} in a {} context; starting a new decoder", m.ctx_id, codec_label(m.codec),
                 codec_label(it->second->codec));
  } else {
    spdlog::info("ctx {}: DECODE without CTX_OPEN, creating the context", m.ctx_id);
  }
  auto ctx = std::make_shared<ContextState>();
  ctx->id = m.ctx_id;
  ctx->codec = m.codec;
  ctx->coded_width = m.capture.width;
  ctx->coded_height = m.capture.height;
  ctx->kind = options_.decoder;
  ctx->backend = options_.backend;
  ctx->backend_options = options_.backend_options;
  ctx->entropy_threads = options_.entropy_threads;
  contexts_[m.ctx_id] = ctx;
  return ctx;
}

void Server::handle_decode(DecodeRequest&& req) {
  auto ctx = context_for(req.msg);
  auto shared = std::make_shared<DecodeRequest>(std::move(req));
  spdlog::debug("ctx {}: DECODE cookie {} {} bytes -> capture {}", shared->msg.ctx_id, shared->cookie(),
                shared->msg.output_bytesused, shared->msg.capture_index);
  const auto received = std::chrono::steady_clock::now();
  scheduler_.submit(ctx->id, [this, ctx, shared, received](bool cancelled) {
    JobResult r;
    if (cancelled) {
      r.status = -ECANCELED;
      r.error = "daemon shutting down";
    } else {
      r = run_decode_job(channel_, *ctx, *shared);
    }
    // Counted before the answer goes out: whoever sees DECODE_DONE (the
    // kernel, a test) then also sees the job in the stats.
    if (r.cancelled) {
      stats_.jobs_cancelled++;
    } else if (r.status == 0) {
      stats_.jobs_ok++;
    } else {
      stats_.jobs_failed++;
      spdlog::warn("ctx {}: job {} failed ({}): {}", ctx->id, shared->cookie(), std::strerror(-r.status), r.error);
    }
    respond(shared->cookie(), r);
    // From read() to DECODE_DONE, queueing behind the context's earlier
    // jobs included: what a client waiting on the request sees (GStreamer
    // gives up on a request after one second).
    spdlog::debug("ctx {}: job {} answered {} after {:.1f} ms", ctx->id, shared->cookie(), r.status,
                  std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - received).count());
  });
}

void Server::respond(uint64_t cookie, const JobResult& r) {
  if (r.cancelled) {
    spdlog::debug("job {} was cancelled by the kernel", cookie);
    return;
  }
  std::vector<uint8_t> msg;
  try {
    msg = encode_decode_done(cookie, r.status, r.num_planes, r.bytesused);
  } catch (const ProtocolError& e) {
    msg = encode_decode_done(cookie, -EIO, 0, {});
  }
  const int err = channel_.write_message(msg);
  if (err == -ENOENT) {
    spdlog::debug("job {}: kernel had already cancelled it", cookie);
  } else if (err < 0) {
    spdlog::error("DECODE_DONE for job {} rejected: {}", cookie, std::strerror(-err));
  }
}

}  // namespace daedalus::bridge
