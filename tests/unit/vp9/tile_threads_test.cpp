// SPDX-License-Identifier: MIT
// Tile columns entropy-decoded on several threads (decode_tiles) must give
// the frame's work, loop filter units and probability adaptation of one
// thread, to the byte, for every worker count, even ones that do not
// divide the number of tile columns; and a corrupt tile must fail the frame
// like on one thread, with the decoder usable afterwards.
#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "corpus.h"
#include "daedalus/error.h"
#include "decoder.h"
#include "demuxer.h"
#include "nv12_frame.h"

namespace daedalus::vp9 {
namespace {

template <class T>
bool same_bytes(const std::vector<T>& a, const std::vector<T>& b) {
  return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(T)) == 0);
}

struct Decoding {
  std::unique_ptr<dispatch::Backend> backend = dispatch::create_backend(dispatch::BackendKind::kCpu);
  Decoder dec{*backend};
  std::vector<std::string> md5s;
  explicit Decoding(unsigned threads) { dec.set_entropy_threads(threads); }
  void decode(const uint8_t* data, size_t size) {
    dec.decode(data, size, 0, [&](media::Nv12Frame&& f) { md5s.push_back(media::md5_hex(f)); });
  }
};

TEST(CorpusTileThreads, SeveralThreadsGiveTheWorkOfOne) {
  const auto clips = test::vp9_corpus();
  ASSERT_FALSE(clips.empty());
  int multi_column_frames = 0, adapting_frames = 0;
  for (const auto& clip : clips) {
    SCOPED_TRACE(clip.name);
    Decoding one(1);
    std::vector<std::unique_ptr<Decoding>> many;
    for (unsigned n : {2u, 3u, 4u}) many.push_back(std::make_unique<Decoding>(n));
    int frame = 0;
    bool single_column = false;
    // The first 12 frames: past a key frame and several adapted contexts,
    // and short enough for the TSan run (scripts/test.sh).
    for (const auto& p : test::read_all(clip.path)) {
      if (single_column || frame >= 12) break;
      for (const auto& [data, size] : split_superframe(p.data.data(), p.data.size())) {
        one.decode(data, size);
        for (auto& r : many) r->decode(data, size);
        const FrameHeader& h = one.dec.last_header();
        if (h.show_existing_frame) continue;
        // One tile column takes the one-thread path whatever the count:
        // nothing to compare (and TSan runs this test).
        if (frame == 0 && h.log2_tile_cols == 0) {
          single_column = true;
          break;
        }
        if (h.log2_tile_cols > 0) ++multi_column_frames;
        if (h.log2_tile_cols > 0 && !h.frame_parallel && !h.error_resilient && h.refresh_frame_context) ++adapting_frames;
        const dispatch::FrameWork& a = one.dec.last_work();
        for (auto& r : many) {
          const dispatch::FrameWork& b = r->dec.last_work();
          ASSERT_TRUE(same_bytes(a.blocks, b.blocks)) << "frame " << frame << " blocks";
          ASSERT_TRUE(same_bytes(a.tx_blocks, b.tx_blocks)) << "frame " << frame << " tx blocks";
          ASSERT_TRUE(same_bytes(a.coeffs, b.coeffs)) << "frame " << frame << " coefficients";
          for (int pl = 0; pl < 3; ++pl) ASSERT_TRUE(same_bytes(a.lf[pl], b.lf[pl])) << "frame " << frame << " lf " << pl;
          ASSERT_EQ(one.dec.last_tile_unread_bytes(), r->dec.last_tile_unread_bytes()) << "frame " << frame;
        }
        ++frame;
      }
    }
    // Later frames decode with the probabilities adapted from the counts:
    // equal pictures to the end say the counts were summed right.
    if (!single_column) {
      for (auto& r : many) EXPECT_EQ(r->md5s, one.md5s);
    }
  }
  // The corpus has clips with 2 and 4 tile columns (vp9-tiles2, vp9-tiles4,
  // vp9-tiles4x4, vp9-1920x1080), and vp9-tiles4-adapt adapts its
  // probabilities from the counts: without them this test would prove
  // nothing.
  EXPECT_GE(multi_column_frames, 30);
  EXPECT_GE(adapting_frames, 5);
}

// Streams decoded at once (the daemon's contexts) share the process's
// pool of worker outputs.
TEST(CorpusTileThreads, TwoStreamsAtOnceShareTheWorkerPool) {
  std::string path;
  for (const auto& c : test::vp9_corpus())
    if (c.name == "vp9-tiles4-adapt") path = c.path;
  ASSERT_FALSE(path.empty()) << "corpus lacks vp9-tiles4-adapt";
  const auto packets = test::read_all(path);
  auto decode_all = [&](Decoding& d) {
    for (const auto& p : packets)
      for (const auto& [data, size] : split_superframe(p.data.data(), p.data.size())) d.decode(data, size);
  };
  Decoding one(1);
  decode_all(one);
  ASSERT_EQ(one.md5s.size(), 10u);
  Decoding a(2), b(4);
  {
    std::jthread ta([&] { decode_all(a); });
    std::jthread tb([&] { decode_all(b); });
  }
  EXPECT_EQ(a.md5s, one.md5s);
  EXPECT_EQ(b.md5s, one.md5s);
}

TEST(CorpusTileThreads, ACorruptTileFailsTheFrameAndTheDecoderRecovers) {
  const auto clips = test::vp9_corpus();
  const test::Clip* clip = nullptr;
  for (const auto& c : clips)
    if (c.name == "vp9-tiles4x4") clip = &c;
  ASSERT_NE(clip, nullptr) << "corpus lacks vp9-tiles4x4";
  const auto packets = test::read_all(clip->path);
  ASSERT_GE(packets.size(), 2u);
  const auto& key = packets[0].data;

  // Reference: the key frame on one thread.
  Decoding one(1);
  one.decode(key.data(), key.size());
  ASSERT_EQ(one.dec.last_header().log2_tile_cols, 2);
  ASSERT_EQ(one.md5s.size(), 1u);

  // Garble the second half of the key frame: its later tiles (columns on
  // every worker) decode garbage or run out of data.
  std::vector<uint8_t> bad = key;
  for (size_t i = bad.size() / 2; i < bad.size(); ++i) bad[i] = static_cast<uint8_t>(i * 131u + 7u);
  for (unsigned n : {1u, 2u, 4u}) {
    SCOPED_TRACE(n);
    Decoding r(n);
    bool threw = false;
    try {
      r.decode(bad.data(), bad.size());
    } catch (const Error&) {
      threw = true;
    }
    // A garbled tile may still decode (as garbage) without an error; what
    // must hold is that the thread count does not change the outcome.
    Decoding serial(1);
    bool serial_threw = false;
    try {
      serial.decode(bad.data(), bad.size());
    } catch (const Error&) {
      serial_threw = true;
    }
    EXPECT_EQ(threw, serial_threw);
    if (!threw) {
      EXPECT_EQ(r.md5s, serial.md5s);
    }
    // The intact key frame afterwards decodes exactly.
    r.md5s.clear();
    r.decode(key.data(), key.size());
    EXPECT_EQ(r.md5s, one.md5s);
  }

  // A tile size past the end of the data is an error on any thread count.
  std::vector<uint8_t> cut(key.begin(), key.begin() + key.size() / 3);
  for (unsigned n : {1u, 4u}) {
    Decoding r(n);
    EXPECT_THROW(r.decode(cut.data(), cut.size()), Error) << n << " threads";
  }
}

}  // namespace
}  // namespace daedalus::vp9
