// SPDX-License-Identifier: MIT
// Shared helpers of the bridge tests: temp dirs, clip generation, md5s.
#pragma once

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <string>

#include <fmt/format.h>

#include "nv12_frame.h"
#include "nv12_writer.h"

namespace daedalus::bridge::test {

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "bridge-test-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

// Encodes a testsrc2 clip with ffmpeg; returns the exit status.
inline int make_clip(const std::string& out, const std::string& size, int frames, const std::string& codec_args) {
  auto cmd = fmt::format("ffmpeg -nostdin -v error -y -f lavfi -i testsrc2=size={}:rate=25 -frames:v {} "
                         "-pix_fmt yuv420p {} '{}'",
                         size, frames, codec_args, out);
  return std::system(cmd.c_str());
}

// NV12 md5 of the top-left w x h of a frame, as `ffmpeg -f framemd5
// -pix_fmt nv12` computes it for a w x h stream.
inline std::string cropped_md5(const media::Nv12Frame& f, int w, int h) {
  media::Nv12Frame c;
  c.allocate(w, h);
  for (int r = 0; r < h; ++r) std::copy_n(&f.y[static_cast<size_t>(r) * f.width], w, &c.y[static_cast<size_t>(r) * w]);
  const int cw = 2 * media::Nv12Frame::chroma_width(w);
  const int fcw = 2 * media::Nv12Frame::chroma_width(f.width);
  for (int r = 0; r < media::Nv12Frame::chroma_height(h); ++r)
    std::copy_n(&f.uv[static_cast<size_t>(r) * fcw], cw, &c.uv[static_cast<size_t>(r) * cw]);
  return media::md5_hex(c);
}

inline std::string cropped_md5(const PlanarPicture& p, int w, int h) {
  media::Nv12Frame f;
  f.allocate(w, h);
  for (int r = 0; r < h; ++r) std::copy_n(p.data[0] + r * p.stride[0], w, &f.y[static_cast<size_t>(r) * w]);
  const int cw = media::Nv12Frame::chroma_width(w);
  for (int r = 0; r < media::Nv12Frame::chroma_height(h); ++r)
    for (int x = 0; x < cw; ++x) {
      f.uv[static_cast<size_t>(r) * 2 * cw + 2 * x] = p.data[1][r * p.stride[1] + x];
      f.uv[static_cast<size_t>(r) * 2 * cw + 2 * x + 1] = p.data[2][r * p.stride[2] + x];
    }
  return media::md5_hex(f);
}

}  // namespace daedalus::bridge::test
