// SPDX-License-Identifier: MIT
#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "bit_reader.h"
#include "bool_decoder.h"
#include "daedalus/error.h"

namespace daedalus::vp9 {
namespace {

// A VP8/VP9 boolean encoder (spec section 9.2's inverse), test-only.
class BoolEncoder {
 public:
  void write(int bit, int prob) {
    const uint32_t split = 1 + (((range_ - 1) * static_cast<uint32_t>(prob)) >> 8);
    if (bit) {
      low_ += split;
      range_ -= split;
    } else {
      range_ = split;
    }
    int shift = 0;
    while ((range_ << shift) < 128) ++shift;
    range_ <<= shift;
    count_ += shift;
    if (count_ >= 0) {
      const int offset = shift - count_;
      if ((low_ << (offset - 1)) & 0x80000000u) {
        int x = static_cast<int>(out_.size()) - 1;
        while (x >= 0 && out_[x] == 0xff) out_[x--] = 0;
        ++out_[x];
      }
      out_.push_back(static_cast<uint8_t>(low_ >> (24 - offset)));
      low_ <<= offset;
      shift = count_;
      low_ &= 0xffffff;
      count_ -= 8;
    }
    low_ <<= shift;
  }
  std::vector<uint8_t> finish() {
    for (int i = 0; i < 32; ++i) write(0, 128);
    return out_;
  }

 private:
  std::vector<uint8_t> out_;
  uint32_t low_ = 0, range_ = 255;
  int count_ = -24;
};

TEST(BoolDecoder, DecodesWhatTheEncoderWrote) {
  std::mt19937 rng(1234);
  BoolEncoder enc;
  enc.write(0, 128);  // marker bit
  std::vector<std::pair<int, int>> symbols;
  for (int i = 0; i < 20000; ++i) {
    const int prob = 1 + static_cast<int>(rng() % 255);
    // Skewed bits so that long runs of likely symbols are covered too.
    const int bit = static_cast<int>(rng() % 256) >= prob;
    symbols.emplace_back(bit, prob);
    enc.write(bit, prob);
  }
  const auto data = enc.finish();
  BoolDecoder dec;
  dec.init(data.data(), data.size());
  for (size_t i = 0; i < symbols.size(); ++i)
    ASSERT_EQ(dec.read(symbols[i].second), symbols[i].first) << "symbol " << i;
  EXPECT_EQ(dec.overrun(), 0u);
}

TEST(BoolDecoder, LiteralsAndTrees) {
  BoolEncoder enc;
  enc.write(0, 128);
  for (int b = 7; b >= 0; --b) enc.write((0xa5 >> b) & 1, 128);
  // Partition tree {-NONE, 2, -HORZ, 4, -VERT, -SPLIT}: SPLIT = 1, 1, 1.
  enc.write(1, 10);
  enc.write(1, 20);
  enc.write(1, 30);
  const auto data = enc.finish();
  BoolDecoder dec;
  dec.init(data.data(), data.size());
  EXPECT_EQ(dec.read_literal(8), 0xa5u);
  const int8_t tree[6] = {0, 2, -1, 4, -2, -3};
  const uint8_t probs[3] = {10, 20, 30};
  EXPECT_EQ(dec.read_tree(tree, probs), 3);
}

TEST(BoolDecoder, RejectsEmptyAndMarkerSet) {
  BoolDecoder dec;
  EXPECT_THROW(dec.init(nullptr, 0), Error);
  const uint8_t ones[4] = {0xff, 0xff, 0xff, 0xff};
  EXPECT_THROW(dec.init(ones, sizeof ones), Error);
}

TEST(BoolDecoder, ReadingPastTheEndIsBoundedAndReported) {
  const uint8_t one[1] = {0x00};
  BoolDecoder dec;
  dec.init(one, 1);
  for (int i = 0; i < 1000; ++i) dec.read(128);
  EXPECT_GT(dec.overrun(), 100u);
}

TEST(BitReader, LiteralsSignedAndTruncation) {
  const uint8_t data[2] = {0b10110011, 0b01000000};
  BitReader br(data, 2);
  EXPECT_EQ(br.literal(2), 2u);
  EXPECT_EQ(br.literal(3), 6u);
  EXPECT_EQ(br.signed_literal(2), -1);  // magnitude 01, sign 1
  EXPECT_EQ(br.bytes_consumed(), 1u);
  EXPECT_EQ(br.literal(2), 1u);
  EXPECT_EQ(br.literal(6), 0u);
  EXPECT_THROW(br.bit(), Error);
}

}  // namespace
}  // namespace daedalus::vp9
