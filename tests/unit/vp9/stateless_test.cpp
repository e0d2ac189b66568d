// SPDX-License-Identifier: MIT
// StatelessDecoder driven the way a V4L2 stateless client (GStreamer's
// v4l2codecs) drives the daemon: the client parses every frame's headers
// itself, fills v4l2_ctrl_vp9_frame / v4l2_ctrl_vp9_compressed_hdr, keeps
// the 8 reference slots as CAPTURE buffer indices, and hands the decoder
// the LAST/GOLDEN/ALTREF CAPTURE buffers (NV12, host memory) by slot. Every
// shown frame is compared (md5) with libavcodec; plus seeks, dropped
// and scrambled CAPTURE buffer assignment (dropped frames and intra-only
// frames: libvpx_streams_test.cpp).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "corpus.h"
#include "daedalus/error.h"
#include "demuxer.h"
#include "frame_header.h"
#include "probs.h"
#include "reference_decoder.h"
#include "settings.h"
#include "stateless_client.h"
#include "stateless_decoder.h"

namespace daedalus::vp9 {
namespace {

std::vector<std::string> reference_md5s(const std::string& path, const std::vector<media::Packet>& packets) {
  media::Demuxer dm(path);
  media::ReferenceDecoder ref(dm.codec(), dm.codec_parameters());
  std::vector<std::string> md5s;
  auto sink = [&](media::Nv12Frame&& f) { md5s.push_back(media::md5_hex(f)); };
  for (const auto& p : packets) ref.decode(p, sink);
  ref.flush(sink);
  return md5s;
}

using test::Client;

std::vector<std::span<const uint8_t>> spans(const std::vector<media::Packet>& packets) {
  std::vector<std::span<const uint8_t>> out;
  for (const auto& p : packets) out.emplace_back(p.data.data(), p.data.size());
  return out;
}

std::vector<std::string> run_client(Client& c, const std::vector<media::Packet>& packets) {
  return test::run_client(c, spans(packets));
}

FrameSize max_frame_size(const std::vector<media::Packet>& packets) { return test::max_frame_size(spans(packets)); }

TEST(CorpusStateless, BitExactWithLibavcodec) {
  const auto clips = test::vp9_corpus();
  ASSERT_FALSE(clips.empty()) << "no corpus at " << DAEDALUS_CORPUS_DIR;
  auto backend = dispatch::create_backend(dispatch::BackendKind::kCpu);
  int n = 0;
  for (const auto& clip : clips) {
    SCOPED_TRACE(clip.name);
    const auto packets = test::read_all(clip.path);
    const auto expected = reference_md5s(clip.path, packets);
    // Every other clip without the compressed header control (parsed from
    // the bitstream at the control's offset instead).
    for (bool ctrl : {true, false}) {
      if (!ctrl && (n % 3) != 0) continue;
      StatelessDecoder dec(*backend);
      Client client(*backend, dec, max_frame_size(packets), 12, 0);
      client.use_compressed_ctrl = ctrl;
      std::vector<std::string> got;
      try {
        got = run_client(client, packets);
      } catch (const Error& e) {
        ADD_FAILURE() << clip.name << (ctrl ? "" : " (no compressed hdr ctrl)") << ": " << e.what();
        continue;
      }
      EXPECT_EQ(got, expected) << clip.name << (ctrl ? "" : " (no compressed hdr ctrl)");
    }
    ++n;
  }
}

// A clip's packet index of its key frames after the first.
std::vector<size_t> later_key_frames(const std::vector<media::Packet>& packets) {
  std::vector<size_t> keys;
  for (size_t i = 1; i < packets.size(); ++i) {
    PersistentHeaderState st;
    const auto frames = split_superframe(packets[i].data.data(), packets[i].data.size());
    if (frames.size() != 1) continue;
    try {
      if (parse_uncompressed_header(frames[0].first, frames[0].second, st).key_frame) keys.push_back(i);
    } catch (const Error&) {
    }
  }
  return keys;
}

std::string clip_path(const std::string& name) {
  for (const auto& c : test::vp9_corpus())
    if (c.name == name) return c.path;
  return {};
}

TEST(CorpusStateless, SeekToAMidStreamKeyFrame) {
  // kf-max-dist=5: key frames inside the clip.
  const std::string path = clip_path("vp9-352x288");
  ASSERT_FALSE(path.empty());
  const auto packets = test::read_all(path);
  const auto keys = later_key_frames(packets);
  ASSERT_FALSE(keys.empty()) << "clip has no mid-stream key frame";
  auto backend = dispatch::create_backend(dispatch::BackendKind::kCpu);
  const FrameSize coded = max_frame_size(packets);
  for (size_t k : keys) {
    SCOPED_TRACE(k);
    const std::vector<media::Packet> tail(packets.begin() + static_cast<long>(k), packets.end());
    const auto expected = reference_md5s(path, tail);
    ASSERT_FALSE(expected.empty());
    {
      // Fresh context, first request is the key frame.
      StatelessDecoder dec(*backend);
      Client client(*backend, dec, coded, 10, 0);
      EXPECT_EQ(run_client(client, tail), expected) << "fresh context";
    }
    {
      // Reused context: decode all of it, then seek back to the key frame
      // (the decoder's probability contexts, MVs and seg map are stale).
      StatelessDecoder dec(*backend);
      Client client(*backend, dec, coded, 10, 7);
      const auto all = run_client(client, packets);
      EXPECT_EQ(all, reference_md5s(path, packets));
      client.flush();
      EXPECT_EQ(run_client(client, tail), expected) << "reused context";
    }
  }
}

// Dropped non-reference frames: libvpx_streams_test.cpp (vpxenc makes none).

TEST(CorpusStateless, ScrambledCaptureBuffers) {
  auto backend = dispatch::create_backend(dispatch::BackendKind::kCpu);
  int n = 0;
  for (const char* name : {"vp9-altref-multi", "vp9-resize", "vp9-resize-down-up", "vp9-tiles4", "vp9-aq3",
                           "vp9-error-res", "vp9-352x288"}) {
    const std::string path = clip_path(name);
    if (path.empty()) continue;
    SCOPED_TRACE(name);
    const auto packets = test::read_all(path);
    const auto expected = reference_md5s(path, packets);
    for (uint32_t seed : {1u, 99u}) {
      StatelessDecoder dec(*backend);
      // Just enough buffers: 8 slots + the one being decoded.
      Client client(*backend, dec, max_frame_size(packets), 9, seed);
      EXPECT_EQ(run_client(client, packets), expected) << name << " seed " << seed;
    }
    ++n;
  }
  EXPECT_GE(n, 3);
}

// CAPTURE buffers as surfaces of the backend's own memory, made once and
// used as destination and reference from job to job, as the daemon keeps a
// dmabuf's import (and as the bench's stateless runs decode): on the CPU
// backend and, where there is one, the Vulkan backend.
TEST(CorpusStateless, BackendOwnedCaptureBuffers) {
  std::vector<std::pair<const char*, std::unique_ptr<dispatch::Backend>>> backends;
  backends.emplace_back("cpu", dispatch::create_backend(dispatch::BackendKind::kCpu));
  try {
    backends.emplace_back("vulkan", dispatch::create_backend(dispatch::BackendKind::kVulkan,
                                                             settings::backend_options_from_environment()));
  } catch (const Error& e) {
    std::printf("no Vulkan backend (%s): CPU backend only\n", e.what());
  }
  int n = 0;
  for (const char* name : {"vp9-352x288", "vp9-altref-multi", "vp9-98x66"}) {
    const std::string path = clip_path(name);
    if (path.empty()) continue;
    const auto packets = test::read_all(path);
    const auto expected = reference_md5s(path, packets);
    for (auto& [kind, backend] : backends) {
      SCOPED_TRACE(std::string(name) + " on " + kind);
      StatelessDecoder dec(*backend);
      Client client(*backend, dec, max_frame_size(packets), 9, 5, test::CaptureMemory::kBackend);
      int begun = 0, ended = 0;
      client.around_decode = [&](bool before) { ++(before ? begun : ended); };
      EXPECT_EQ(run_client(client, packets), expected);
      EXPECT_EQ(begun, ended);
      EXPECT_GT(begun, 0);
    }
    ++n;
  }
  EXPECT_EQ(n, 3);
}

// FFmpeg's v4l2-request hwaccel fills the compressed header control's
// uv_mode, which the bitstream never updates, with its current
// probabilities instead of zero deltas: still bit-exact.
TEST(CorpusStateless, NonzeroUvModeDeltasAreIgnored) {
  auto backend = dispatch::create_backend(dispatch::BackendKind::kCpu);
  int n = 0;
  for (const char* name : {"vp9-352x288", "vp9-98x66"}) {
    const std::string path = clip_path(name);
    if (path.empty()) continue;
    SCOPED_TRACE(name);
    const auto packets = test::read_all(path);
    const auto expected = reference_md5s(path, packets);
    StatelessDecoder dec(*backend);
    Client client(*backend, dec, max_frame_size(packets), 9, 0);
    const FrameContext defaults = default_frame_context();
    client.edit_compressed = [&](v4l2_ctrl_vp9_compressed_hdr& c) {
      static_assert(sizeof c.uv_mode == sizeof defaults.uv_mode);
      std::memcpy(c.uv_mode, defaults.uv_mode, sizeof c.uv_mode);
    };
    EXPECT_EQ(run_client(client, packets), expected);
    ++n;
  }
  EXPECT_EQ(n, 2);
}

TEST(Stateless, RejectsBadControls) {
  auto backend = dispatch::create_backend(dispatch::BackendKind::kCpu);
  StatelessDecoder dec(*backend);
  std::vector<uint8_t> nv12(64 * 64 * 3 / 2);
  dispatch::Nv12Layout l{64, 64, 0, 64, 64 * 64, 64, nv12.size()};
  auto dst = backend->wrap_nv12(l, nv12.data(), -1);
  std::vector<uint8_t> bits(100, 0);
  dispatch::Surface* refs[3] = {nullptr, nullptr, nullptr};
  v4l2_ctrl_vp9_frame f{};
  f.flags = V4L2_VP9_FRAME_FLAG_KEY_FRAME | V4L2_VP9_FRAME_FLAG_SHOW_FRAME;
  f.frame_width_minus_1 = f.frame_height_minus_1 = 63;
  f.bit_depth = 8;
  f.uncompressed_header_size = 10;
  // compressed_header_size 0
  EXPECT_THROW(dec.decode(1, f, nullptr, bits, refs, *dst), Error);
  f.compressed_header_size = 200;  // beyond the bitstream
  EXPECT_THROW(dec.decode(1, f, nullptr, bits, refs, *dst), Error);
  f.compressed_header_size = 5;
  f.bit_depth = 10;
  EXPECT_THROW(dec.decode(1, f, nullptr, bits, refs, *dst), Error);
  f.bit_depth = 8;
  f.flags = V4L2_VP9_FRAME_FLAG_SHOW_FRAME;  // inter frame without references
  EXPECT_THROW(dec.decode(1, f, nullptr, bits, refs, *dst), Error);
  f.flags |= V4L2_VP9_FRAME_FLAG_KEY_FRAME;
  f.frame_width_minus_1 = 127;  // destination of the wrong size
  EXPECT_THROW(dec.decode(1, f, nullptr, bits, refs, *dst), Error);
}

}  // namespace
}  // namespace daedalus::vp9
