// SPDX-License-Identifier: MIT
// A decoded picture in NV12 without padding: what every decoder path in
// daedalus produces and what the md5 verdicts are computed over. Plain
// data, no libav: our own decoders (daedalus_vp9) hand it out without
// linking libavcodec; the md5 over it is daemon/media/nv12_frame.h's.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace daedalus::media {

struct Nv12Frame {
  int width = 0;
  int height = 0;
  int64_t pts = 0;
  // Y: height rows of width bytes. UV: ceil(height/2) rows of
  // 2*ceil(width/2) bytes (Cb, Cr interleaved). This is exactly the byte
  // layout ffmpeg's rawvideo encoder produces for -pix_fmt nv12, so an md5
  // over y then uv equals the md5 column of `ffmpeg -f framemd5`.
  std::vector<uint8_t> y;
  std::vector<uint8_t> uv;

  static int chroma_width(int w) { return (w + 1) / 2; }
  static int chroma_height(int h) { return (h + 1) / 2; }
  void allocate(int w, int h);
};

}  // namespace daedalus::media
