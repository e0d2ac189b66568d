// SPDX-License-Identifier: MIT
// A decoded picture in NV12 without padding: what every decoder path in
// daedalus produces and what the md5 verdicts are computed over.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
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

// Lower-case hex md5 over Y rows then interleaved CbCr rows.
std::string md5_hex(const Nv12Frame& frame);
// Lower-case hex md5 over the byte ranges in order (e.g. I420: Y, U, V).
std::string md5_hex(std::initializer_list<std::span<const uint8_t>> parts);

}  // namespace daedalus::media
