// SPDX-License-Identifier: MIT
#include <gtest/gtest.h>

#include <vector>

#include "corpus.h"
#include "daedalus/error.h"
#include "demuxer.h"
#include "frame_header.h"
#include "probs.h"

namespace daedalus::vp9 {
namespace {

TEST(Superframe, SplitsByIndex) {
  // Two frames of 3 and 2 bytes, index with 1-byte sizes: marker 0b11000001.
  std::vector<uint8_t> d = {1, 2, 3, 4, 5, 0xc1, 3, 2, 0xc1};
  const auto f = split_superframe(d.data(), d.size());
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(f[0].first, d.data());
  EXPECT_EQ(f[0].second, 3u);
  EXPECT_EQ(f[1].first, d.data() + 3);
  EXPECT_EQ(f[1].second, 2u);
}

TEST(Superframe, NoIndexIsOneFrame) {
  std::vector<uint8_t> d = {0x82, 0x49, 0x83, 0x42, 0x00};
  const auto f = split_superframe(d.data(), d.size());
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].second, d.size());
}

TEST(Superframe, RejectsSizesPastThePacket) {
  std::vector<uint8_t> d = {1, 2, 0xc1, 9, 9, 0xc1};
  EXPECT_THROW(split_superframe(d.data(), d.size()), Error);
  EXPECT_THROW(split_superframe(d.data(), 0), Error);
}

TEST(UncompressedHeader, RejectsGarbage) {
  PersistentHeaderState st;
  const uint8_t bad_marker[4] = {0x00, 0, 0, 0};
  EXPECT_THROW(parse_uncompressed_header(bad_marker, 4, st), Error);
  // Key frame with a wrong sync code.
  const uint8_t bad_sync[8] = {0x80, 0x12, 0x34, 0x56, 0, 0, 0, 0};
  EXPECT_THROW(parse_uncompressed_header(bad_sync, 8, st), Error);
  // Inter frame before any key frame: empty reference slots.
  const uint8_t inter[8] = {0x86, 0, 0, 0, 0, 0, 0, 0};
  EXPECT_THROW(parse_uncompressed_header(inter, 8, st), Error);
}

TEST(CorpusHeaders, KeyFrameSizeMatchesTheContainerAndTruncationThrows) {
  const auto clips = test::vp9_corpus();
  ASSERT_FALSE(clips.empty()) << "no corpus at " << DAEDALUS_CORPUS_DIR;
  for (const auto& clip : clips) {
    SCOPED_TRACE(clip.name);
    media::Demuxer dm(clip.path);
    media::Packet pkt;
    ASSERT_TRUE(dm.read(pkt));
    const auto frames = split_superframe(pkt.data.data(), pkt.data.size());
    PersistentHeaderState st;
    const FrameHeader h = parse_uncompressed_header(frames[0].first, frames[0].second, st);
    EXPECT_TRUE(h.key_frame);
    EXPECT_EQ(static_cast<int>(h.width), dm.width());
    EXPECT_EQ(static_cast<int>(h.height), dm.height());
    EXPECT_EQ(h.mi_cols, (h.width + 7) / 8);
    EXPECT_EQ(h.profile, 0);
    FrameContext deltas;
    FrameHeader h2 = h;
    EXPECT_NO_THROW(parse_compressed_header(frames[0].first + h.uncompressed_header_size, h.compressed_header_size, h2, deltas));
    // Key frames carry no inter-frame deltas; updated probabilities stay valid.
    for (uint8_t d : deltas.inter_mode[0]) EXPECT_EQ(d, 0);
    FrameContext fc = default_frame_context();
    apply_probability_deltas(deltas, fc);
    for (int t = 0; t < 4; ++t)
      for (int k = 0; k < 6; ++k)
        for (int m = 0; m < 3; ++m) EXPECT_GT(fc.coef[t][0][0][k][0][m], 0);
    if (h.lossless) {
      EXPECT_EQ(h2.tx_mode, 0);
    }
    // Every truncation of the headers must throw, never crash.
    for (size_t n = 0; n < h.uncompressed_header_size; ++n) {
      PersistentHeaderState s2;
      EXPECT_THROW(parse_uncompressed_header(frames[0].first, n, s2), Error) << "truncated to " << n;
    }
  }
}

}  // namespace
}  // namespace daedalus::vp9
