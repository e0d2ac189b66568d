// SPDX-License-Identifier: MIT
// The AV1 sequence header the daemon synthesises from v4l2_ctrl_av1_sequence
// must let dav1d decode the stream exactly as with the encoder's own header.
#include <cstring>
#include <stdexcept>
#include <vector>

#include <gtest/gtest.h>
#include <linux/v4l2-controls.h>

#include "av1_controls.h"
#include "av1_headers.h"
#include "demuxer.h"
#include "picture_decoder.h"
#include "reference_decoder.h"
#include "test_util.h"

using namespace daedalus;
using namespace daedalus::bridge;
using namespace daedalus::bridge::test;

namespace {

class Bits {
 public:
  Bits(const uint8_t* d, size_t n) : d_(d), n_(n) {}
  uint32_t f(int bits) {
    uint32_t v = 0;
    for (int i = 0; i < bits; ++i) {
      if (pos_ / 8 >= n_) throw std::runtime_error("sequence header truncated");
      v = (v << 1) | ((d_[pos_ / 8] >> (7 - pos_ % 8)) & 1);
      ++pos_;
    }
    return v;
  }

 private:
  const uint8_t* d_;
  size_t n_;
  size_t pos_ = 0;
};

// What GStreamer's AV1 parser fills into v4l2_ctrl_av1_sequence. Fails the
// test (throws) on features the control cannot carry.
v4l2_ctrl_av1_sequence parse_sequence_header(const uint8_t* p, size_t n) {
  Bits b(p, n);
  v4l2_ctrl_av1_sequence s{};
  s.seq_profile = static_cast<uint8_t>(b.f(3));
  if (b.f(1)) s.flags |= V4L2_AV1_SEQUENCE_FLAG_STILL_PICTURE;
  if (b.f(1)) throw std::runtime_error("reduced still picture header");
  if (b.f(1)) throw std::runtime_error("timing info present");
  if (b.f(1)) throw std::runtime_error("initial display delay present");
  if (b.f(5) != 0) throw std::runtime_error("several operating points");
  b.f(12);
  if (b.f(5) > 7) b.f(1);
  const int wbits = static_cast<int>(b.f(4)) + 1, hbits = static_cast<int>(b.f(4)) + 1;
  s.max_frame_width_minus_1 = static_cast<uint16_t>(b.f(wbits));
  s.max_frame_height_minus_1 = static_cast<uint16_t>(b.f(hbits));
  if (b.f(1)) throw std::runtime_error("frame ids present");
  const uint32_t flag_bits[] = {V4L2_AV1_SEQUENCE_FLAG_USE_128X128_SUPERBLOCK,
                                V4L2_AV1_SEQUENCE_FLAG_ENABLE_FILTER_INTRA,
                                V4L2_AV1_SEQUENCE_FLAG_ENABLE_INTRA_EDGE_FILTER,
                                V4L2_AV1_SEQUENCE_FLAG_ENABLE_INTERINTRA_COMPOUND,
                                V4L2_AV1_SEQUENCE_FLAG_ENABLE_MASKED_COMPOUND,
                                V4L2_AV1_SEQUENCE_FLAG_ENABLE_WARPED_MOTION,
                                V4L2_AV1_SEQUENCE_FLAG_ENABLE_DUAL_FILTER,
                                V4L2_AV1_SEQUENCE_FLAG_ENABLE_ORDER_HINT};
  for (uint32_t f : flag_bits)
    if (b.f(1)) s.flags |= f;
  const bool order_hint = s.flags & V4L2_AV1_SEQUENCE_FLAG_ENABLE_ORDER_HINT;
  if (order_hint) {
    if (b.f(1)) s.flags |= V4L2_AV1_SEQUENCE_FLAG_ENABLE_JNT_COMP;
    if (b.f(1)) s.flags |= V4L2_AV1_SEQUENCE_FLAG_ENABLE_REF_FRAME_MVS;
  }
  if (!b.f(1)) throw std::runtime_error("screen content tools forced");
  if (!b.f(1)) throw std::runtime_error("integer mv forced");
  if (order_hint) s.order_hint_bits = static_cast<uint8_t>(b.f(3) + 1);
  if (b.f(1)) s.flags |= V4L2_AV1_SEQUENCE_FLAG_ENABLE_SUPERRES;
  if (b.f(1)) s.flags |= V4L2_AV1_SEQUENCE_FLAG_ENABLE_CDEF;
  if (b.f(1)) s.flags |= V4L2_AV1_SEQUENCE_FLAG_ENABLE_RESTORATION;
  const bool high = b.f(1);
  s.bit_depth = high ? 10 : 8;
  if (s.seq_profile == 2 && high && b.f(1)) s.bit_depth = 12;
  const bool mono = s.seq_profile != 1 && b.f(1);
  if (mono) s.flags |= V4L2_AV1_SEQUENCE_FLAG_MONO_CHROME;
  if (b.f(1)) {  // colour description: does not change decoded samples
    const uint32_t cp = b.f(8), tc = b.f(8), mc = b.f(8);
    if (cp == 1 && tc == 13 && mc == 0) throw std::runtime_error("sRGB colour config");
  }
  if (b.f(1)) s.flags |= V4L2_AV1_SEQUENCE_FLAG_COLOR_RANGE;
  if (!mono) {
    if (s.seq_profile == 0) s.flags |= V4L2_AV1_SEQUENCE_FLAG_SUBSAMPLING_X | V4L2_AV1_SEQUENCE_FLAG_SUBSAMPLING_Y;
    if (s.seq_profile == 0) b.f(2);  // chroma_sample_position
    if (s.seq_profile != 0) throw std::runtime_error("only profile 0 handled by this test parser");
    if (b.f(1)) s.flags |= V4L2_AV1_SEQUENCE_FLAG_SEPARATE_UV_DELTA_Q;
  }
  if (b.f(1)) s.flags |= V4L2_AV1_SEQUENCE_FLAG_FILM_GRAIN_PARAMS_PRESENT;
  return s;
}

}  // namespace

TEST(Av1Headers, SynthesisedSequenceHeaderDecodesIdentically) {
  TempDir dir;
  const auto clip = dir.file("clip.ivf");
  ASSERT_EQ(make_clip(clip, "208x120", 12, "-c:v libaom-av1 -cpu-used 8 -b:v 200k -g 6"), 0);
  media::Demuxer dm(clip);
  std::vector<std::vector<uint8_t>> packets;
  media::Packet pkt;
  while (dm.read(pkt)) packets.push_back(pkt.data);
  ASSERT_GE(packets.size(), 12u);

  std::vector<std::string> want;
  {
    media::ReferenceDecoder ref(media::Codec::kAV1, nullptr, 1);
    media::FrameSink sink = [&](media::Nv12Frame&& f) { want.push_back(media::md5_hex(f)); };
    for (auto& p : packets) ref.decode(p.data(), p.size(), 0, sink);
    ref.flush(sink);
  }
  ASSERT_EQ(want.size(), 12u);

  // Strip every sequence header, keep its parsed form as the control.
  v4l2_ctrl_av1_sequence seq{};
  bool have_seq = false;
  std::vector<std::vector<uint8_t>> stripped;
  for (auto& p : packets) {
    std::vector<uint8_t> out;
    for (const Obu& o : split_obus(p)) {
      if (o.type == 1) {
        seq = parse_sequence_header(p.data() + o.start + o.header_size, o.payload_size);
        have_seq = true;
        continue;
      }
      out.insert(out.end(), p.begin() + o.start, p.begin() + o.start + o.header_size + o.payload_size);
    }
    EXPECT_EQ(scan_av1_obus(out), Av1ObuScan::kNoSequenceHeader);
    stripped.push_back(std::move(out));
  }
  ASSERT_TRUE(have_seq);
  EXPECT_EQ(scan_av1_obus(packets[0]), Av1ObuScan::kHasSequenceHeader);

  const auto synth = build_av1_sequence_header_obu(seq);
  {
    auto obus = split_obus(synth);
    ASSERT_EQ(obus.size(), 1u);
    auto again = parse_sequence_header(synth.data() + obus[0].header_size, obus[0].payload_size);
    EXPECT_EQ(std::memcmp(&again, &seq, sizeof(seq)), 0) << "synthesised header parses differently";
  }
  PictureDecoder pd(media::Codec::kAV1);
  std::vector<std::string> got;
  for (auto& s : stripped) {
    std::vector<uint8_t> tu = synth;  // what the daemon does per request
    tu.insert(tu.end(), s.begin(), s.end());
    auto pic = pd.decode(tu);
    if (pic) got.push_back(cropped_md5(pic->planar(), pic->width(), pic->height()));
  }
  EXPECT_EQ(got, want);
}

TEST(Av1Headers, ScanRejectsNonObuData) {
  EXPECT_EQ(scan_av1_obus(std::vector<uint8_t>{}), Av1ObuScan::kNotObus);
  EXPECT_EQ(scan_av1_obus(std::vector<uint8_t>{0x80, 0, 0}), Av1ObuScan::kNotObus);  // forbidden bit
  EXPECT_EQ(scan_av1_obus(std::vector<uint8_t>{0x12, 0x05, 1, 2}), Av1ObuScan::kNotObus);  // size past the end
  EXPECT_EQ(scan_av1_obus(std::vector<uint8_t>{0x12, 0x00}), Av1ObuScan::kNoSequenceHeader);  // temporal delimiter
}
