// SPDX-License-Identifier: MIT
#include "nv12_frame.h"

extern "C" {
#include <libavutil/md5.h>
#include <libavutil/mem.h>
}

namespace daedalus::media {

std::string md5_hex(const Nv12Frame& frame) { return md5_hex({frame.y, frame.uv}); }

std::string md5_hex(std::initializer_list<std::span<const uint8_t>> parts) {
  AVMD5* ctx = av_md5_alloc();
  av_md5_init(ctx);
  for (const auto& part : parts) av_md5_update(ctx, part.data(), part.size());
  uint8_t digest[16];
  av_md5_final(ctx, digest);
  av_free(ctx);
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (uint8_t b : digest) {
    out += hex[b >> 4];
    out += hex[b & 15];
  }
  return out;
}

}  // namespace daedalus::media
