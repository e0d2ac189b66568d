// SPDX-License-Identifier: MIT
// Issue 4: every VP9 clip of the corpus decodes equal, frame for frame, to
// libvpx's own decoder. `vpxdec --i420 --md5 -o PATTERN` prints one md5 per
// frame (over the I420 planes at the frame's own size, so clips that resize
// mid-stream need no scaling) and writes no files; we hash our CPU-backend
// frames the same way. libavcodec is the other oracle (decode_test.cpp).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "daedalus/error.h"
#include "decoder.h"
#include "demuxer.h"
#include "nv12_frame.h"
#include "run_command.h"

namespace daedalus::vp9 {
namespace {

struct FrameMd5 {
  int width = 0, height = 0;
  std::string md5;
  bool operator==(const FrameMd5&) const = default;
};

std::string describe(const FrameMd5& f) {
  return std::to_string(f.width) + "x" + std::to_string(f.height) + " " + f.md5;
}

// md5 over Y, then Cb, then Cr rows, as vpxdec --i420 --md5 hashes a frame.
std::string i420_md5(const media::Nv12Frame& f) {
  const int cw = media::Nv12Frame::chroma_width(f.width), ch = media::Nv12Frame::chroma_height(f.height);
  std::vector<uint8_t> u(static_cast<size_t>(cw) * ch), v(u.size());
  for (size_t i = 0; i < u.size(); ++i) {
    u[i] = f.uv[2 * i];
    v[i] = f.uv[2 * i + 1];
  }
  return media::md5_hex({f.y, u, v});
}

std::vector<FrameMd5> our_frames(const std::string& path, dispatch::Backend& backend) {
  media::Demuxer dm(path);
  Decoder dec(backend);
  std::vector<FrameMd5> out;
  media::Packet p;
  while (dm.read(p))
    dec.decode(p.data.data(), p.data.size(), p.pts,
               [&](media::Nv12Frame&& f) { out.push_back({f.width, f.height, i420_md5(f)}); });
  return out;
}

// "<md5>  f-<w>x<h>-<n>.i420" lines of vpxdec's per-frame --md5 output.
std::vector<FrameMd5> parse_vpxdec(const std::string& text) {
  std::vector<FrameMd5> out;
  std::istringstream in(text);
  std::string md5, name;
  while (in >> md5 >> name) {
    FrameMd5 f{0, 0, md5};
    if (std::sscanf(name.c_str(), "f-%dx%d-", &f.width, &f.height) != 2 || md5.size() != 32)
      throw std::runtime_error("unexpected vpxdec line: " + md5 + " " + name);
    out.push_back(f);
  }
  return out;
}

TEST(CorpusVpxdec, EveryVp9ClipEqualsVpxdecFrameForFrame) {
  const auto clips = test::corpus_clips("vp9");
  auto backend = dispatch::create_backend(dispatch::BackendKind::kCpu);
  size_t compared = 0, skipped = 0;
  std::string failed;
  for (const auto& clip : clips) {
    SCOPED_TRACE(clip.name);
    auto r = test::run_command({"vpxdec", "--codec=vp9", "--i420", "--md5", "-o", "f-%wx%h-%6.i420", clip.path});
    // vpxdec reads IVF and WebM only: a container it cannot open is the one
    // reason to leave a clip out (none in today's corpus).
    if (r.exit_code != 0 && r.err.find("Unrecognized input file type") != std::string::npos) {
      std::printf("skipped %s: vpxdec cannot read its container (%s)\n", clip.name.c_str(), clip.path.c_str());
      ++skipped;
      continue;
    }
    const auto expected = parse_vpxdec(r.out);
    if (r.exit_code != 0 || expected.empty()) {
      ADD_FAILURE() << clip.name << ": vpxdec failed (exit " << r.exit_code << "): " << r.err;
      failed += " " + clip.name;
      continue;
    }
    std::vector<FrameMd5> got;
    try {
      got = our_frames(clip.path, *backend);
    } catch (const Error& e) {
      ADD_FAILURE() << clip.name << ": our decoder threw: " << e.what();
    }
    ++compared;
    bool ok = got.size() == expected.size();
    EXPECT_EQ(got.size(), expected.size()) << clip.name << ": frame count differs from vpxdec";
    for (size_t i = 0; i < std::min(got.size(), expected.size()); ++i)
      if (!(got[i] == expected[i])) {
        ADD_FAILURE() << clip.name << " frame " << i << ": ours " << describe(got[i]) << ", vpxdec "
                      << describe(expected[i]);
        ok = false;
        break;  // later frames predict from this one: the first mismatch is the news
      }
    if (!ok) failed += " " + clip.name;
  }
  std::printf("compared %zu VP9 clips with vpxdec, skipped %zu\n", compared, skipped);
  EXPECT_TRUE(failed.empty()) << "clips differing from vpxdec:" << failed;
  EXPECT_EQ(compared, clips.size() - skipped);
  EXPECT_GT(compared, 30u) << "corpus at " << DAEDALUS_CORPUS_DIR << " has too few VP9 clips vpxdec reads";
}

}  // namespace
}  // namespace daedalus::vp9
