// SPDX-License-Identifier: MIT
// One DECODE request, start to finish: map the job's dmabufs, rebuild what
// the reference decoder needs from the stateless controls, decode, write
// NV12 into the CAPTURE buffer, unmap. Every failure becomes a negative
// errno status for DECODE_DONE; nothing here may take the daemon down.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "av1_frame_header.h"
#include "codec.h"
#include "daedalus/dispatch/dispatch.h"
#include "frame_decoder.h"
#include "kernel_channel.h"
#include "picture_decoder.h"
#include "protocol.h"

namespace daedalus::bridge {

enum class DecoderKind { kFfmpeg, kDaedalus };

struct JobResult {
  int32_t status = 0;  // 0 or -errno
  uint32_t num_planes = 0;
  std::array<uint32_t, DAEDALUS_MAX_PLANES> bytesused{};
  bool cancelled = false;  // kernel no longer knows the cookie: send nothing
  std::string error;       // why status != 0
};

// How one context's jobs are decoded, chosen once per context
// (ensure_decoder): the libavcodec reference path, or our own stateless
// VP9 decoder on a dispatch backend.
class JobDecoder {
 public:
  virtual ~JobDecoder() = default;
  // Decodes the request into its CAPTURE buffer. Throws JobError.
  virtual JobResult decode(KernelChannel& channel, const DecodeRequest& req) = 0;
};

// Per V4L2 context; touched only by the task running for that context.
struct ContextState {
  uint32_t id = 0;
  uint32_t codec = 0;  // DAEDALUS_CODEC_*
  uint32_t coded_width = 0;
  uint32_t coded_height = 0;
  DecoderKind kind = DecoderKind::kFfmpeg;
  dispatch::BackendKind backend = dispatch::BackendKind::kCpu;  // of our own decoder
  dispatch::BackendOptions backend_options;                      // ServerOptions'
  unsigned entropy_threads = 0;                                  // ServerOptions'
  std::unique_ptr<JobDecoder> decoder;  // made by ensure_decoder
};

media::Codec to_media_codec(uint32_t daedalus_codec);

// Creates the context's decoder if it has none: our own for VP9 with
// --decoder daedalus, libavcodec's otherwise. Throws JobError (-ENOSYS)
// when it cannot be created.
void ensure_decoder(ContextState& ctx);

JobResult run_decode_job(KernelChannel& channel, ContextState& ctx, const DecodeRequest& req);

// What assemble_bitstream keeps between the requests of one context.
struct StreamAssembly {
  std::vector<uint8_t> held_slices;  // H.264 slices of DECODE_HOLD_CAPTURE jobs
  Av1ReferenceState av1;             // what AV1 frame headers are coded against
};

// The bitstream the reference decoder gets for this request (H.264:
// SPS/PPS prepended; AV1: the sequence header added if missing, and with
// tile group entries in the request the frame header and tile group OBUs
// rebuilt from the controls). Empty with held_slices grown when the
// request holds the CAPTURE buffer. Throws JobError.
std::vector<uint8_t> assemble_bitstream(StreamAssembly& stream, const DecodeRequest& req,
                                        std::span<const uint8_t> data);

class JobError : public std::runtime_error {
 public:
  JobError(int status, const std::string& what) : std::runtime_error(what), status_(status) {}
  int status() const { return status_; }

 private:
  int status_;
};

}  // namespace daedalus::bridge
