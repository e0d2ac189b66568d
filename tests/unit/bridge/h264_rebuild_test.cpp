// SPDX-License-Identifier: MIT
// The daemon rebuilds SPS/PPS NAL units from V4L2 controls. Here a real
// x264 clip's parameter sets are parsed into the controls the way
// GStreamer fills them, rebuilt, and the rebuilt stream must decode to the
// same pictures as the original - through libavcodec's normal display
// order output and through the daemon's decode-order PictureDecoder.
#include <cstring>
#include <map>
#include <vector>

#include <gtest/gtest.h>

#include "daedalus/error.h"
#include "demuxer.h"
#include "h264_headers.h"
#include "h264_param_parser.h"
#include "picture_decoder.h"
#include "reference_decoder.h"
#include "test_util.h"

using namespace daedalus;
using namespace daedalus::bridge;
using namespace daedalus::bridge::test;

namespace {

struct Variant {
  const char* name;
  const char* size;
  const char* args;  // ffmpeg encoder arguments
  bool reorders;     // has B-frames: display order != decode order
};

const Variant kVariants[] = {
    {"high_bpyramid", "320x240", "-c:v libx264 -profile:v high -x264-params bframes=3:b-pyramid=normal:keyint=15", true},
    {"jvt_cqm_cropped", "200x120", "-c:v libx264 -profile:v high -x264-params cqm=jvt:bframes=2:keyint=10", true},
    {"baseline_cavlc_poc2", "176x144", "-c:v libx264 -profile:v baseline -x264-params keyint=8", false},
    {"main_slices_weightp", "352x288", "-c:v libx264 -profile:v main -x264-params slices=4:weightp=2:bframes=1", true},
};

struct AccessUnits {
  std::vector<std::vector<uint8_t>> original;
  std::vector<std::vector<uint8_t>> rebuilt;
  ParsedSps sps;
};

AccessUnits rebuild_stream(const std::string& path) {
  media::Demuxer dm(path);
  AccessUnits out;
  ParsedPps pps;
  bool have_sps = false, have_pps = false;
  media::Packet pkt;
  while (dm.read(pkt)) {
    out.original.push_back(pkt.data);
    std::vector<uint8_t> slices;
    for (auto nal : split_annexb(pkt.data)) {
      const int type = nal[0] & 0x1f;
      if (type == 7) {
        out.sps = parse_sps(nal);
        have_sps = true;
      } else if (type == 8) {
        pps = parse_pps(nal, out.sps);
        have_pps = true;
      } else if (type == 1 || type == 5) {
        // What v4l2slh264dec puts in the OUTPUT buffer: slices, Annex-B.
        static const uint8_t kStart[3] = {0, 0, 1};
        slices.insert(slices.end(), kStart, kStart + 3);
        slices.insert(slices.end(), nal.begin(), nal.end());
      }
    }
    EXPECT_TRUE(have_sps && have_pps);
    out.rebuilt.push_back(build_h264_access_unit(out.sps.sps, pps.pps, &pps.scaling, slices));
  }
  return out;
}

int visible_width(const ParsedSps& s) {
  return (s.sps.pic_width_in_mbs_minus1 + 1) * 16 - s.crop_left - s.crop_right;
}
int visible_height(const ParsedSps& s) {
  return (s.sps.pic_height_in_map_units_minus1 + 1) * 16 - s.crop_top - s.crop_bottom;
}

}  // namespace

class H264Rebuild : public ::testing::TestWithParam<Variant> {};

TEST_P(H264Rebuild, RebuiltParameterSetsDecodeIdentically) {
  const Variant& v = GetParam();
  TempDir dir;
  const auto clip = dir.file("clip.h264");
  ASSERT_EQ(make_clip(clip, v.size, 30, std::string(v.args) + " -f h264"), 0) << "ffmpeg/libx264 failed";
  AccessUnits aus = rebuild_stream(clip);
  ASSERT_EQ(aus.rebuilt.size(), 30u);
  const int w = visible_width(aus.sps), h = visible_height(aus.sps);

  // Original stream, display order; pts = decode index of its packet.
  std::map<int64_t, std::string> md5_by_decode_index;
  std::vector<std::string> original_display;
  std::vector<int64_t> display_pts;
  {
    media::ReferenceDecoder dec(media::Codec::kH264, nullptr, 1);
    media::FrameSink sink = [&](media::Nv12Frame&& f) {
      ASSERT_EQ(f.width, w);
      ASSERT_EQ(f.height, h);
      auto md5 = media::md5_hex(f);
      md5_by_decode_index[f.pts] = md5;
      original_display.push_back(md5);
      display_pts.push_back(f.pts);
    };
    for (size_t i = 0; i < aus.original.size(); ++i)
      dec.decode(aus.original[i].data(), aus.original[i].size(), static_cast<int64_t>(i), sink);
    dec.flush(sink);
  }
  ASSERT_EQ(original_display.size(), 30u);
  ASSERT_EQ(md5_by_decode_index.size(), 30u);
  const bool reordered = !std::is_sorted(display_pts.begin(), display_pts.end());
  EXPECT_EQ(reordered, v.reorders) << "the clip does not exercise what it is meant to";

  // Rebuilt stream through libavcodec's display-order output.
  std::vector<std::string> rebuilt_display;
  {
    media::ReferenceDecoder dec(media::Codec::kH264, nullptr, 1);
    media::FrameSink sink = [&](media::Nv12Frame&& f) { rebuilt_display.push_back(cropped_md5(f, w, h)); };
    for (size_t i = 0; i < aus.rebuilt.size(); ++i)
      dec.decode(aus.rebuilt[i].data(), aus.rebuilt[i].size(), static_cast<int64_t>(i), sink);
    dec.flush(sink);
  }
  if (!v.reorders) {
    EXPECT_EQ(rebuilt_display, original_display);
  } else {
    // The rebuilt SPS has no VUI, so libavcodec must guess the reorder
    // depth and drops a frame while it learns it ("Increasing reorder
    // buffer"). That is libavcodec's display-order output, which the
    // daemon does not use; every picture is still checked below.
    EXPECT_GE(rebuilt_display.size(), original_display.size() - 2);
  }

  // Rebuilt stream through the daemon's decoder: one picture per request,
  // immediately, in decode order.
  PictureDecoder pd(media::Codec::kH264);
  for (size_t i = 0; i < aus.rebuilt.size(); ++i) {
    auto pic = pd.decode(aus.rebuilt[i]);
    ASSERT_NE(pic, nullptr) << "no picture for access unit " << i;
    EXPECT_EQ(cropped_md5(pic->planar(), w, h), md5_by_decode_index[static_cast<int64_t>(i)]) << "access unit " << i;
  }
}

TEST_P(H264Rebuild, RebuiltParameterSetsParseBackToTheSameControls) {
  const Variant& v = GetParam();
  TempDir dir;
  const auto clip = dir.file("clip.h264");
  ASSERT_EQ(make_clip(clip, v.size, 2, std::string(v.args) + " -f h264"), 0);
  media::Demuxer dm(clip);
  media::Packet pkt;
  ASSERT_TRUE(dm.read(pkt));
  ParsedSps sps;
  ParsedPps pps;
  for (auto nal : split_annexb(pkt.data)) {
    if ((nal[0] & 0x1f) == 7) sps = parse_sps(nal);
    if ((nal[0] & 0x1f) == 8) pps = parse_pps(nal, sps);
  }
  auto sps2 = parse_sps(build_sps_nal(sps.sps));
  EXPECT_EQ(std::memcmp(&sps2.sps, &sps.sps, sizeof(sps.sps)), 0);
  EXPECT_FALSE(sps2.scaling_present);  // moved into the PPS
  auto pps2 = parse_pps(build_pps_nal(pps.pps, sps.sps, &pps.scaling), sps2);
  EXPECT_EQ(std::memcmp(&pps2.scaling, &pps.scaling, sizeof(pps.scaling)), 0);
  EXPECT_EQ(std::memcmp(&pps2.pps, &pps.pps, sizeof(pps.pps)), 0);
}

INSTANTIATE_TEST_SUITE_P(Clips, H264Rebuild, ::testing::ValuesIn(kVariants),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(H264Headers, EmulationPrevention) {
  const std::vector<uint8_t> rbsp = {0, 0, 0, 0, 0, 1, 0, 0, 2, 0, 0, 3, 0, 0, 4, 0, 0};
  const std::vector<uint8_t> nal = {0, 0, 3, 0, 0, 3, 0, 1, 0, 0, 3, 2, 0, 0, 3, 3, 0, 0, 4, 0, 0};
  EXPECT_EQ(add_emulation_prevention(rbsp), nal);
}

TEST(H264Headers, RejectsFmo) {
  v4l2_ctrl_h264_sps sps{};
  sps.profile_idc = 66;
  sps.chroma_format_idc = 1;
  v4l2_ctrl_h264_pps pps{};
  pps.num_slice_groups_minus1 = 2;
  EXPECT_THROW(build_pps_nal(pps, sps, nullptr), Error);
}
