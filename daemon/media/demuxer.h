// SPDX-License-Identifier: MIT
// libavformat front end: any container ffmpeg reads (IVF, WebM, MP4,
// Annex-B H.264) yields the compressed packets of its first video stream.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "codec.h"

struct AVFormatContext;
struct AVCodecParameters;

namespace daedalus::media {

struct Packet {
  std::vector<uint8_t> data;
  int64_t pts = 0;
  bool keyframe = false;
};

class Demuxer {
 public:
  // Throws daedalus::Error when the file is missing, unreadable or has no
  // video stream.
  explicit Demuxer(const std::string& path);
  ~Demuxer();
  Demuxer(const Demuxer&) = delete;
  Demuxer& operator=(const Demuxer&) = delete;

  Codec codec() const { return codec_; }
  int width() const;
  int height() const;
  const AVCodecParameters* codec_parameters() const;

  // Next packet of the video stream; false at end of file. Throws on read
  // errors other than EOF.
  bool read(Packet& out);

 private:
  AVFormatContext* fmt_ = nullptr;
  int stream_ = -1;
  Codec codec_ = Codec::kUnknown;
};

}  // namespace daedalus::media
