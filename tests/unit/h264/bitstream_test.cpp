// SPDX-License-Identifier: MIT
// NAL unit splitting, emulation prevention, avcC and the RBSP reader.
#include <gtest/gtest.h>

#include <vector>

#include "daedalus/error.h"
#include "nal_unit.h"
#include "rbsp_reader.h"

namespace daedalus::h264 {
namespace {

using Bytes = std::vector<uint8_t>;

Bytes to_bytes(std::span<const uint8_t> s) { return Bytes(s.begin(), s.end()); }

TEST(AnnexB, SplitsOnThreeAndFourByteStartCodes) {
  const Bytes stream = {0, 0, 0, 1, 0x67, 1, 2, 0, 0, 1, 0x68, 3, 0, 0, 0, 0, 1, 0x65, 4, 5, 0, 0};
  const auto units = split_annexb(stream);
  ASSERT_EQ(units.size(), 3u);
  EXPECT_EQ(to_bytes(units[0]), (Bytes{0x67, 1, 2}));
  // Zero bytes before the next start code are trailing_zero_8bits.
  EXPECT_EQ(to_bytes(units[1]), (Bytes{0x68, 3}));
  EXPECT_EQ(to_bytes(units[2]), (Bytes{0x65, 4, 5}));
}

TEST(AnnexB, KeepsEscapedZerosInsideAUnit) {
  const Bytes stream = {0, 0, 1, 0x41, 0, 0, 3, 1, 7};
  const auto units = split_annexb(stream);
  ASSERT_EQ(units.size(), 1u);
  EXPECT_EQ(to_bytes(units[0]), (Bytes{0x41, 0, 0, 3, 1, 7}));
}

TEST(AnnexB, RejectsDataWithoutStartCode) {
  EXPECT_THROW(split_annexb(Bytes{0x67, 1, 2, 3}), Error);
  EXPECT_THROW(split_annexb(Bytes{5, 0, 0, 1, 0x67}), Error);
  EXPECT_TRUE(split_annexb(Bytes{0, 0, 0}).empty());
  EXPECT_TRUE(split_annexb(Bytes{}).empty());
  EXPECT_TRUE(split_annexb(Bytes{0, 0, 1}).empty());
}

TEST(LengthPrefixed, SplitsEveryLengthSize) {
  EXPECT_EQ(split_length_prefixed(Bytes{2, 0x67, 1, 1, 0x68}, 1).size(), 2u);
  const Bytes sample = {0, 3, 0x65, 1, 2};
  const auto two = split_length_prefixed(sample, 2);
  ASSERT_EQ(two.size(), 1u);
  EXPECT_EQ(to_bytes(two[0]), (Bytes{0x65, 1, 2}));
  EXPECT_EQ(split_length_prefixed(Bytes{0, 0, 0, 1, 0x09, 0, 0, 0, 1, 0x0a}, 4).size(), 2u);
}

TEST(LengthPrefixed, RejectsLengthsPastTheSample) {
  EXPECT_THROW(split_length_prefixed(Bytes{0, 0, 0, 9, 0x65, 1}, 4), Error);
  EXPECT_THROW(split_length_prefixed(Bytes{0, 0, 0}, 4), Error);
  EXPECT_THROW(split_length_prefixed(Bytes{1, 0x65}, 3), Error);
}

TEST(EmulationPrevention, RemovesOnlyThreesAfterTwoZeros) {
  EXPECT_EQ(unescape_rbsp(Bytes{0, 0, 3, 1, 0, 0, 3, 0, 0, 3}), (Bytes{0, 0, 1, 0, 0, 0, 0}));
  EXPECT_EQ(unescape_rbsp(Bytes{0, 3, 0, 0, 3, 3}), (Bytes{0, 3, 0, 0, 3}));
  EXPECT_EQ(unescape_rbsp(Bytes{3, 0, 0}), (Bytes{3, 0, 0}));
}

TEST(EmulationPrevention, EscapesEveryStartCodePrefix) {
  // 00 00 followed by 00, 01, 02 or 03 gets a 03; 00 00 04 does not; the
  // zero count restarts after the inserted byte.
  EXPECT_EQ(escape_rbsp(Bytes{0, 0, 0, 0, 0, 1, 0, 0, 2, 0, 0, 3, 0, 0, 4, 5}),
            (Bytes{0, 0, 3, 0, 0, 3, 0, 1, 0, 0, 3, 2, 0, 0, 3, 3, 0, 0, 4, 5}));
  // cabac_zero_words at the end: a final 03 so that the next start code
  // does not continue the zeros.
  EXPECT_EQ(escape_rbsp(Bytes{7, 0, 0}), (Bytes{7, 0, 0, 3}));
  EXPECT_EQ(escape_rbsp(Bytes{7, 0}), (Bytes{7, 0}));
  EXPECT_EQ(escape_rbsp(Bytes{}), Bytes{});
}

TEST(EmulationPrevention, EscapeThenUnescapeIsIdentity) {
  // Every sequence of 6 bytes drawn from {0, 1, 3, 4}: all the patterns
  // around a prefix, at every position.
  const uint8_t values[] = {0, 1, 3, 4};
  for (int code = 0; code < 4096; ++code) {
    Bytes rbsp;
    for (int k = 0, c = code; k < 6; ++k, c /= 4) rbsp.push_back(values[c % 4]);
    const Bytes payload = escape_rbsp(rbsp);
    for (size_t i = 2; i < payload.size(); ++i)
      ASSERT_FALSE(payload[i - 2] == 0 && payload[i - 1] == 0 && payload[i] <= 2) << "code " << code;
    ASSERT_EQ(unescape_rbsp(payload), rbsp) << "code " << code;
  }
}

TEST(NalHeader, ReadsRefIdcAndType) {
  const Bytes idr = {0x65, 0x88};
  const NalUnit n = parse_nal_unit(idr);
  EXPECT_EQ(n.ref_idc, 3);
  EXPECT_EQ(n.type, kNalIdrSlice);
  EXPECT_EQ(n.payload.size(), 1u);
  EXPECT_THROW(parse_nal_unit(Bytes{}), Error);
  EXPECT_THROW(parse_nal_unit(Bytes{0xe5}), Error);
}

TEST(Extradata, ReadsAvcC) {
  const Bytes avcc = {1, 0x64, 0, 0x1e, 0xff, 0xe1, 0, 3, 0x67, 0x64, 0x00, 1, 0, 2, 0x68, 0xee};
  const Extradata ex = parse_extradata(avcc);
  EXPECT_EQ(ex.nal_length_size, 4);
  ASSERT_EQ(ex.nal_units.size(), 2u);
  EXPECT_EQ(to_bytes(ex.nal_units[0]), (Bytes{0x67, 0x64, 0x00}));
  EXPECT_EQ(to_bytes(ex.nal_units[1]), (Bytes{0x68, 0xee}));
  // Every truncation is an error, never a read past the record.
  for (size_t n = 1; n + 1 < avcc.size(); ++n) EXPECT_THROW(parse_extradata(std::span(avcc.data(), n)), Error) << n;
}

TEST(Extradata, ReadsAnnexBParameterSets) {
  const Bytes annexb = {0, 0, 0, 1, 0x67, 0x42, 0, 0, 1, 0x68, 0xce};
  const Extradata ex = parse_extradata(annexb);
  EXPECT_EQ(ex.nal_length_size, 0);
  EXPECT_EQ(ex.nal_units.size(), 2u);
  EXPECT_TRUE(parse_extradata(Bytes{}).nal_units.empty());
}

TEST(RbspReader, ReadsExpGolombCodes) {
  // 1 | 010 | 011 | 00100 | 00101 -> ue 0, 1, 2, 3, 4; then se of 1, 2 -> 1, -1.
  const Bytes d = {0b10100110, 0b01000010, 0b10100110, 0b10000000};
  RbspReader r(d, "test");
  EXPECT_EQ(r.ue(), 0u);
  EXPECT_EQ(r.ue(), 1u);
  EXPECT_EQ(r.ue(), 2u);
  EXPECT_EQ(r.ue(), 3u);
  EXPECT_EQ(r.ue(), 4u);
  EXPECT_EQ(r.se(), 1);
  EXPECT_EQ(r.se(), -1);
  EXPECT_EQ(r.position(), 23u);
}

TEST(RbspReader, LongestCodeAndTooLong) {
  // 31 zeros, a one, 31 ones: 2^32 - 2, the largest ue(v) we accept.
  Bytes d(8, 0);
  d[3] = 1;
  for (int i = 4; i < 8; ++i) d[i] = 0xff;
  RbspReader r(d, "test");
  EXPECT_EQ(r.ue(), 0xfffffffeu);
  Bytes too_long(9, 0);
  too_long[4] = 0x80;
  RbspReader r2(too_long, "test");
  EXPECT_THROW(r2.ue(), Error);
}

TEST(RbspReader, TruncationAndRangeErrorsNameTheStructure) {
  const Bytes d = {0x00};
  RbspReader r(d, "SPS");
  try {
    r.ue();
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "h264: SPS: truncated");
  }
  const Bytes e = {0b00101000};  // ue 4
  RbspReader r2(e, "PPS");
  try {
    r2.ue("num_slice_groups_minus1", 3);
    FAIL() << "no error";
  } catch (const Error& err) {
    EXPECT_STREQ(err.what(), "h264: PPS: num_slice_groups_minus1 = 4 out of range 0..3");
  }
}

TEST(RbspReader, MoreRbspDataStopsAtTheStopBit) {
  const Bytes d = {0b10110000, 0x00, 0x00};  // 1 0 1 then the stop bit, then cabac_zero_words
  RbspReader r(d, "test");
  EXPECT_TRUE(r.more_rbsp_data());
  r.bits(3);
  EXPECT_FALSE(r.more_rbsp_data());
  const Bytes empty = {0, 0};
  EXPECT_FALSE(RbspReader(empty, "test").more_rbsp_data());
}

}  // namespace
}  // namespace daedalus::h264
