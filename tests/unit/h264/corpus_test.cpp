// SPDX-License-Identifier: MIT
// Every generated H.264 clip (tests/corpus/make-corpus.sh) through our
// header layer and libavcodec's; streams of the features we refuse, made
// with libx264 at test time, give errors that name the feature.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "daedalus/error.h"
#include "nal_unit.h"
#include "run_command.h"
#include "stream_check.h"
#include "stream_parser.h"

namespace daedalus::h264 {
namespace {

using daedalus::test::corpus_clips;
using daedalus::test::run_command;

std::vector<uint8_t> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST(CorpusHeaders, EveryClipMatchesLibavcodec) {
  const auto clips = corpus_clips("h264");
  ASSERT_GE(clips.size(), 3u) << "no H.264 clips in " << DAEDALUS_CORPUS_DIR;
  for (const auto& clip : clips) {
    SCOPED_TRACE(clip.name);
    const auto r = test::check_stream(clip.path);
    EXPECT_GT(r.units, 2);
    EXPECT_GT(r.pictures, 0);
  }
}

// The corpus covers what it says it covers: if a libx264 or ffmpeg update
// stopped a setting from reaching the bitstream, the comparison above
// would pass without testing it.
TEST(CorpusHeaders, ClipsUseTheirCodingTools) {
  struct Want {
    const char* clip;
    bool (*check)(const ParsedSlice&);
    const char* what;
  };
  const std::vector<Want> wants = {
      {"h264-baseline-cavlc", [](const ParsedSlice& s) { return s.sps->pic_order_cnt_type == 2 && !s.pps->entropy_coding_mode_flag; }, "POC type 2, CAVLC"},
      {"h264-main-bpyramid", [](const ParsedSlice& s) { return s.header.type() == kSliceB && s.header.nal_ref_idc != 0; }, "reference B pictures"},
      {"h264-direct-temporal", [](const ParsedSlice& s) { return s.header.type() == kSliceB && !s.header.direct_spatial_mv_pred_flag; }, "temporal direct"},
      {"h264-main-bpyramid", [](const ParsedSlice& s) { return s.header.type() == kSliceB && s.header.direct_spatial_mv_pred_flag; }, "spatial direct"},
      {"h264-weighted", [](const ParsedSlice& s) { return s.header.has_pred_weight_table; }, "explicit weights"},
      {"h264-weighted", [](const ParsedSlice& s) { return s.pps->weighted_bipred_idc == 2; }, "implicit weights"},
      {"h264-refs6", [](const ParsedSlice& s) { return s.header.num_ref_idx_active(0) >= 4; }, "4+ references"},
      {"h264-refs6", [](const ParsedSlice& s) { return s.header.num_ref_pic_list_modifications[0] > 0; }, "list modification"},
      {"h264-main-bpyramid", [](const ParsedSlice& s) { return s.header.num_mmco_ops > 0; }, "MMCO"},
      {"h264-slices4", [](const ParsedSlice& s) { return !s.first_in_picture && s.header.first_mb_in_slice > 0; }, "several slices"},
      {"h264-constrained-intra", [](const ParsedSlice& s) { return s.pps->constrained_intra_pred_flag; }, "constrained intra"},
      {"h264-cavlc-high", [](const ParsedSlice& s) { return s.pps->transform_8x8_mode_flag && !s.pps->entropy_coding_mode_flag; }, "CAVLC 8x8"},
      {"h264-cqm", [](const ParsedSlice& s) { return s.pps->scaling.matrix_present && s.pps->scaling.list_present[6]; }, "scaling lists"},
      {"h264-34x18", [](const ParsedSlice& s) { return s.sps->display_width() == 34 && s.sps->display_height() == 18; }, "cropping"},
      {"h264-intra-only", [](const ParsedSlice& s) { return s.header.idr() && s.header.idr_pic_id > 0; }, "IDR only"},
      {"h264-long-gop", [](const ParsedSlice& s) { return s.poc.frame() > int32_t(2 * s.sps->max_pic_order_cnt_lsb()); }, "POC msb wrap"},
      {"h264-deblock", [](const ParsedSlice& s) { return s.header.slice_alpha_c0_offset_div2 != 0; }, "deblocking offsets"},
      {"h264-no-deblock", [](const ParsedSlice& s) { return s.header.disable_deblocking_filter_idc == 1; }, "no deblocking"},
      {"h264-vui-hrd", [](const ParsedSlice& s) { return s.sps->vui.nal_hrd_parameters_present_flag; }, "HRD"},
  };
  const auto clips = corpus_clips("h264");
  for (const auto& want : wants) {
    std::string path;
    for (const auto& c : clips)
      if (c.name == want.clip) path = c.path;
    ASSERT_FALSE(path.empty()) << "corpus has no " << want.clip;
    const auto data = read_file(path);
    StreamParser parser;
    bool found = false;
    for (const auto nal : split_annexb(data)) {
      const auto slice = parser.push(nal);
      if (slice && want.check(*slice)) found = true;
    }
    EXPECT_TRUE(found) << want.clip << " has no " << want.what;
  }
}

TEST(CorpusHeaders, ContainersGiveTheSameHeaders) {
  // MP4 / MKV: avcC extradata and length-prefixed samples.
  int containers = 0;
  for (const auto& clip : corpus_clips("h264")) {
    if (clip.path.ends_with(".h264")) continue;
    ++containers;
  }
  EXPECT_GE(containers, 2) << "EveryClipMatchesLibavcodec covers MP4 and MKV only with such clips";
}

TEST(CorpusHeaders, EveryTruncatedSliceHeaderThrows) {
  const auto clips = corpus_clips("h264");
  ASSERT_FALSE(clips.empty());
  for (const auto& clip : clips) {
    if (!clip.path.ends_with(".h264")) continue;
    SCOPED_TRACE(clip.name);
    const auto data = read_file(clip.path);
    StreamParser parser;
    int checked = 0;
    for (const auto nal : split_annexb(data)) {
      const auto slice = parser.push(nal);
      if (!slice || checked++ > 8) continue;
      const NalUnit n = parse_nal_unit(nal);
      const auto rbsp = unescape_rbsp(n.payload);
      const size_t header_bytes = slice->header.header_bit_size / 8;
      for (size_t len = 0; len < header_bytes; ++len)
        EXPECT_THROW(parse_slice_header(n, std::span(rbsp.data(), len), *slice->sps, *slice->pps), Error) << len;
    }
  }
}

// Streams of features we refuse, from libx264 at test time. Their headers
// still parse exactly as libavcodec parses them: the refusal is by name,
// never a misread.
class UnsupportedStream : public testing::Test {
 protected:
  std::string encode(const std::string& name, const std::vector<std::string>& args) {
    const std::string path = testing::TempDir() + "/daedalus-h264-" + name + ".h264";
    std::vector<std::string> argv = {"ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i",
                                     "testsrc2=size=64x64:rate=30", "-frames:v", "3"};
    argv.insert(argv.end(), args.begin(), args.end());
    for (const char* a : {"-c:v", "libx264", "-f", "h264"}) argv.push_back(a);
    argv.push_back(path);
    const auto r = run_command(argv);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return path;
  }

  // The error the first slice gives; the parameter sets before it parse.
  // Then every header against libavcodec's.
  std::string first_error(const std::string& path) {
    const auto r = test::check_stream(path, false);
    EXPECT_GT(r.units, 2) << path;
    const auto data = read_file(path);
    StreamParser parser;
    for (const auto nal : split_annexb(data)) {
      try {
        parser.push(nal);
      } catch (const Error& e) {
        EXPECT_TRUE(parse_nal_unit(nal).type == kNalSlice || parse_nal_unit(nal).type == kNalIdrSlice)
            << "parameter sets must parse: " << e.what();
        return e.what();
      }
    }
    return "no error";
  }
};

TEST_F(UnsupportedStream, Interlaced) {
  const auto path = encode("mbaff", {"-pix_fmt", "yuv420p", "-flags", "+ilme+ildct", "-x264-params", "tff=1"});
  EXPECT_NE(first_error(path).find("h264: interlaced video (field pictures and MBAFF"), std::string::npos);
}

TEST_F(UnsupportedStream, Chroma422) {
  EXPECT_NE(first_error(encode("422", {"-pix_fmt", "yuv422p"})).find("h264: chroma format 4:2:2 is not supported"),
            std::string::npos);
}

TEST_F(UnsupportedStream, Chroma444) {
  EXPECT_NE(first_error(encode("444", {"-pix_fmt", "yuv444p"})).find("h264: chroma format 4:4:4 is not supported"),
            std::string::npos);
}

TEST_F(UnsupportedStream, Monochrome) {
  EXPECT_NE(first_error(encode("gray", {"-pix_fmt", "gray"})).find("4:0:0 (monochrome)"), std::string::npos);
}

TEST_F(UnsupportedStream, High10) {
  EXPECT_NE(first_error(encode("10bit", {"-pix_fmt", "yuv420p10le"})).find("h264: bit depth 10"), std::string::npos);
}

TEST_F(UnsupportedStream, Lossless) {
  EXPECT_NE(first_error(encode("lossless", {"-pix_fmt", "yuv420p", "-qp", "0"})).find("h264: lossless"),
            std::string::npos);
}

}  // namespace
}  // namespace daedalus::h264
