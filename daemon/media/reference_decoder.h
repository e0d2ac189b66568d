// SPDX-License-Identifier: MIT
// The reference path: a full libavcodec decode (VP9 and H.264 with FFmpeg's
// own decoders, AV1 with libdav1d), converted to NV12 exactly (8-bit 4:2:0
// to NV12 is a pure interleave, so no rounding can differ from
// `ffmpeg -pix_fmt nv12`).
#pragma once

#include <functional>
#include <memory>

#include "codec.h"
#include "demuxer.h"
#include "frame_decoder.h"
#include "nv12_frame.h"

struct AVCodecContext;
struct AVFrame;
struct AVPacket;

namespace daedalus::media {

class ReferenceDecoder final : public FrameDecoder {
 public:
  // params may be null (the daemon has no container, only packets).
  ReferenceDecoder(Codec codec, const AVCodecParameters* params, int threads = 1);
  ~ReferenceDecoder();
  ReferenceDecoder(const ReferenceDecoder&) = delete;
  ReferenceDecoder& operator=(const ReferenceDecoder&) = delete;

  // Decodes one packet and hands every frame it completes to sink. Throws
  // daedalus::Error on a corrupt packet; the decoder stays usable.
  void decode(const Packet& packet, const FrameSink& sink);
  void decode(const uint8_t* data, size_t size, int64_t pts, const FrameSink& sink) override;
  void flush(const FrameSink& sink) override;

 private:
  void drain(const FrameSink& sink);
  AVCodecContext* ctx_ = nullptr;
  AVFrame* frame_ = nullptr;
  AVPacket* pkt_ = nullptr;
};

// Converts a decoded 8-bit 4:2:0 AVFrame to NV12; throws for other formats.
Nv12Frame to_nv12(const AVFrame& frame);

}  // namespace daedalus::media
