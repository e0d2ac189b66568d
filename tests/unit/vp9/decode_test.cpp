// SPDX-License-Identifier: MIT
// End to end: our decoder with the CPU backend against libavcodec, frame by
// frame md5, over the generated corpus; plus robustness against corrupt
// input and invariants of the loop filter units.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "corpus.h"
#include "daedalus/error.h"
#include "decoder.h"
#include "demuxer.h"
#include "reference_decoder.h"

namespace daedalus::vp9 {
namespace {

std::vector<std::string> reference_md5s(const std::string& path) {
  media::Demuxer dm(path);
  media::ReferenceDecoder ref(dm.codec(), dm.codec_parameters());
  std::vector<std::string> md5s;
  media::Packet p;
  auto sink = [&](media::Nv12Frame&& f) { md5s.push_back(media::md5_hex(f)); };
  while (dm.read(p)) ref.decode(p, sink);
  ref.flush(sink);
  return md5s;
}

std::vector<std::string> our_md5s(Decoder& dec, const std::vector<media::Packet>& packets) {
  std::vector<std::string> md5s;
  for (const auto& p : packets)
    dec.decode(p.data.data(), p.data.size(), p.pts, [&](media::Nv12Frame&& f) { md5s.push_back(media::md5_hex(f)); });
  return md5s;
}

TEST(CorpusDecode, BitExactWithLibavcodec) {
  const auto clips = test::vp9_corpus();
  ASSERT_FALSE(clips.empty()) << "no corpus at " << DAEDALUS_CORPUS_DIR;
  auto backend = dispatch::create_backend(dispatch::BackendKind::kCpu);
  std::string failed;
  for (const auto& clip : clips) {
    SCOPED_TRACE(clip.name);
    const auto expected = reference_md5s(clip.path);
    Decoder dec(*backend);
    std::vector<std::string> got;
    try {
      got = our_md5s(dec, test::read_all(clip.path));
    } catch (const Error& e) {
      ADD_FAILURE() << e.what();
    }
    size_t first_bad = expected.size();
    for (size_t i = 0; i < expected.size(); ++i)
      if (i >= got.size() || got[i] != expected[i]) {
        first_bad = i;
        break;
      }
    EXPECT_EQ(got.size(), expected.size());
    EXPECT_EQ(first_bad, expected.size()) << "first mismatching frame " << first_bad;
    if (first_bad != expected.size() || got.size() != expected.size()) failed += " " + clip.name;
  }
  if (!failed.empty()) ADD_FAILURE() << "clips not bit-exact:" << failed;
}

// A decoder out of sync with the encoder (wrong context, probability or
// symbol order) ends a tile far from where the encoder stopped writing.
TEST(CorpusDecode, EveryTileEndsWhereItsDataEnds) {
  const auto clips = test::vp9_corpus();
  ASSERT_FALSE(clips.empty());
  auto backend = dispatch::create_backend(dispatch::BackendKind::kCpu);
  for (const auto& clip : clips) {
    SCOPED_TRACE(clip.name);
    Decoder dec(*backend);
    int frame = 0;
    for (const auto& p : test::read_all(clip.path)) {
      for (const auto& [data, size] : split_superframe(p.data.data(), p.data.size())) {
        dec.decode(data, size, 0, [](media::Nv12Frame&&) {});
        if (dec.last_header().show_existing_frame) continue;
        for (size_t unread : dec.last_tile_unread_bytes()) ASSERT_LE(unread, 8u) << "frame " << frame;
        ++frame;
      }
    }
  }
}

TEST(CorpusDecode, CorruptPacketsThrowAndTheDecoderRecoversAtAKeyFrame) {
  const auto clips = test::vp9_corpus();
  ASSERT_FALSE(clips.empty());
  auto backend = dispatch::create_backend(dispatch::BackendKind::kCpu);
  // DAEDALUS_VP9_FUZZ_ROUNDS / _SEED make this a longer soak (e.g. under ASan).
  const char* rounds_env = std::getenv("DAEDALUS_VP9_FUZZ_ROUNDS");
  const char* seed_env = std::getenv("DAEDALUS_VP9_FUZZ_SEED");
  const int rounds = rounds_env ? std::max(1, std::atoi(rounds_env)) : 3;
  std::mt19937 rng(seed_env ? static_cast<unsigned>(std::atoi(seed_env)) : 42u);
  int checked = 0;
  for (const auto& clip : clips) {
    if (clip.name.find("1920") != std::string::npos || clip.name.find("1280") != std::string::npos) continue;
    if (clip.name.find("resize") != std::string::npos) continue;
    SCOPED_TRACE(clip.name);
    const auto packets = test::read_all(clip.path);
    Decoder dec(*backend);
    for (int round = 0; round < rounds; ++round)
      for (const auto& p : packets) {
        std::vector<uint8_t> bad = p.data;
        const int flips = 1 + static_cast<int>(rng() % 8);
        for (int i = 0; i < flips; ++i) bad[rng() % bad.size()] ^= static_cast<uint8_t>(1u << (rng() % 8));
        if (round % 3 == 2) bad.resize(rng() % (bad.size() + 1));  // truncation
        try {
          dec.decode(bad.data(), bad.size(), 0, [](media::Nv12Frame&&) {});
        } catch (const Error&) {
        }
      }
    // The clip starts with a key frame: decoding it again must be exact.
    EXPECT_EQ(our_md5s(dec, packets), reference_md5s(clip.path));
    if (++checked == 6) break;
  }
}

TEST(CorpusDecode, LoopFilterUnitsFollowVp9Rules) {
  const auto clips = test::vp9_corpus();
  ASSERT_FALSE(clips.empty());
  auto backend = dispatch::create_backend(dispatch::BackendKind::kCpu);
  for (const auto& clip : clips) {
    SCOPED_TRACE(clip.name);
    const auto packets = test::read_all(clip.path);
    Decoder dec(*backend);
    dec.decode(packets[0].data.data(), packets[0].data.size(), 0, [](media::Nv12Frame&&) {});
    const auto& w = dec.last_work();
    const auto& h = dec.last_header();
    for (int p = 0; p < 3; ++p) {
      const uint32_t cols = w.params.lf_cols[p], rows = w.params.lf_rows[p];
      ASSERT_EQ(cols, p ? h.mi_cols : h.mi_cols * 2);
      ASSERT_EQ(w.lf[p].size(), static_cast<size_t>(cols) * rows);
      for (uint32_t r = 0; r < rows; ++r)
        for (uint32_t c = 0; c < cols; ++c) {
          const dd_lf_unit& u = w.lf[p][r * cols + c];
          ASSERT_TRUE(u.left_size == 0 || u.left_size == 4 || u.left_size == 8 || u.left_size == 16);
          ASSERT_TRUE(u.top_size == 0 || u.top_size == 4 || u.top_size == 8 || u.top_size == 16);
          if (c == 0) { ASSERT_EQ(u.left_size, 0) << "picture left border is never filtered"; }
          if (r == 0) { ASSERT_EQ(u.top_size, 0) << "picture top border is never filtered"; }
          if (u.left_size || u.top_size) { ASSERT_GT(u.level, 0); }
          // Wide filters only on edges of 16x16 (luma) / 8x8-chroma grids.
          if (u.left_size == 16) { ASSERT_EQ(c % (p ? 2 : 4), 0u); }
          if (u.top_size == 16) { ASSERT_EQ(r % (p ? 2 : 4), 0u); }
          // Odd 4x4 columns/rows are internal edges: at most 4 wide.
          if (c % 2) { ASSERT_LE(u.left_size, 4); }
          if (r % 2) { ASSERT_LE(u.top_size, 4); }
        }
    }
    // Key frames list every tx block; all are intra with valid modes.
    for (const auto& tb : w.tx_blocks) ASSERT_LT(tb.mode, 10);
  }
}

}  // namespace
}  // namespace daedalus::vp9
