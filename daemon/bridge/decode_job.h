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

#include "codec.h"
#include "frame_decoder.h"
#include "kernel_channel.h"
#include "picture_decoder.h"
#include "protocol.h"

namespace daedalus::bridge {

enum class DecoderKind { kFfmpeg, kDaedalus };

// The daedalus VP9 stateless decoder of a context (vp9_stateless_job.h).
struct Vp9Stateless;
struct Vp9StatelessDeleter {
  void operator()(Vp9Stateless* p) const;
};

// Per V4L2 context; touched only by the task running for that context.
struct ContextState {
  uint32_t id = 0;
  uint32_t codec = 0;  // DAEDALUS_CODEC_*
  uint32_t coded_width = 0;
  uint32_t coded_height = 0;
  DecoderKind kind = DecoderKind::kFfmpeg;
  bool vulkan = false;                      // dispatch backend of the daedalus decoder
  std::unique_ptr<PictureDecoder> decoder;  // reference path
  std::unique_ptr<Vp9Stateless, Vp9StatelessDeleter> own_decoder;  // --decoder daedalus (VP9, stateless)
  std::vector<uint8_t> held_slices;         // H.264 slices of DECODE_HOLD_CAPTURE jobs
};

struct JobResult {
  int32_t status = 0;  // 0 or -errno
  uint32_t num_planes = 0;
  std::array<uint32_t, DAEDALUS_MAX_PLANES> bytesused{};
  bool cancelled = false;  // kernel no longer knows the cookie: send nothing
  std::string error;       // why status != 0
};

media::Codec to_media_codec(uint32_t daedalus_codec);

// True when jobs of this context go to our own decoder (daemon/vp9).
bool uses_own_decoder(const ContextState& ctx);
// Creates the context's decoder if it has none. Throws JobError (-ENOSYS)
// when it cannot be created.
void ensure_decoder(ContextState& ctx);

JobResult run_decode_job(KernelChannel& channel, ContextState& ctx, const DecodeRequest& req);

// The bitstream the reference decoder gets for this request (H.264:
// SPS/PPS prepended, AV1: sequence header added if missing). Empty with
// ctx.held_slices grown when the request holds the CAPTURE buffer.
// Throws JobError.
std::vector<uint8_t> assemble_bitstream(ContextState& ctx, const DecodeRequest& req,
                                        std::span<const uint8_t> data);

class JobError : public std::runtime_error {
 public:
  JobError(int status, const std::string& what) : std::runtime_error(what), status_(status) {}
  int status() const { return status_; }

 private:
  int status_;
};

}  // namespace daedalus::bridge
