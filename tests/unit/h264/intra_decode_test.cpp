// SPDX-License-Identifier: MIT
// Our H.264 decoder end to end on intra pictures: libx264 I-only clips made
// at test time, one per coding tool of the macroblock layer and the intra
// stages, through `daedalus-decode --decoder daedalus --md5` against
// `ffmpeg -pix_fmt nv12 -f framemd5`; what it does not decode yet fails
// with an error that names it (p_decode_test.cpp: P pictures). Plus the CAVLC block reader on a block
// worked out by hand.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "cavlc.h"
#include "run_command.h"

namespace daedalus::h264 {
namespace {

using test::run_command;

struct Clip {
  const char* name;
  const char* source;  // lavfi source with its size
  const char* params;  // -x264-params
  const char* profile;
};

std::string encode(const Clip& c, const char* ext = "h264") {
  const std::string path = testing::TempDir() + "/daedalus-h264-intra-" + c.name + "." + ext;
  const auto r = run_command({"ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", c.source, "-frames:v",
                              "3", "-pix_fmt", "yuv420p", "-c:v", "libx264", "-profile:v", c.profile,
                              "-x264-params", c.params, path});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return path;
}

test::CommandResult decode(const std::string& path, const char* backend = "cpu") {
  return run_command({DAEDALUS_DECODE_BIN, path, "--decoder", "daedalus", "--backend", backend, "--md5"});
}

// The Vulkan backend's run of a clip, under the validation layer (which
// must stay silent); skipped where the backend is not built.
test::CommandResult decode_vulkan(const std::string& path) {
#if !DAEDALUS_TEST_VULKAN
  (void)path;
  return {77, "", "vulkan backend not built"};
#else
  setenv("DAEDALUS_VK_VALIDATION", "1", 1);
  auto r = decode(path, "vulkan");
  unsetenv("DAEDALUS_VK_VALIDATION");
  if (r.exit_code == 0 && r.err.find("daedalus vulkan validation") != std::string::npos) r.exit_code = 1;
  return r;
#endif
}

class IntraClip : public testing::TestWithParam<Clip> {};

TEST_P(IntraClip, MatchesFramemd5) {
  const std::string path = encode(GetParam());
  const auto expected = test::ffmpeg_framemd5(path);
  ASSERT_EQ(expected.size(), 3u);
  const auto r = decode(path);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(test::parse_index_md5(r.out), expected);
}

TEST_P(IntraClip, VulkanMatchesFramemd5) {
  const std::string path = encode(GetParam());
  const auto expected = test::ffmpeg_framemd5(path);
  ASSERT_EQ(expected.size(), 3u);
  const auto r = decode_vulkan(path);
  if (r.exit_code == 77) GTEST_SKIP() << r.err;
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(test::parse_index_md5(r.out), expected);
}

// keyint=1: every picture an IDR I picture.
const Clip kClips[] = {
    {"baseline-nodeblock", "testsrc2=size=176x144:rate=25", "keyint=1:no-deblock=1", "baseline"},
    {"baseline", "testsrc2=size=176x144:rate=25", "keyint=1", "baseline"},
    {"high-8x8-nodeblock", "mandelbrot=size=176x144:rate=25", "keyint=1:cabac=0:8x8dct=1:no-deblock=1", "high"},
    {"high-8x8", "mandelbrot=size=176x144:rate=25", "keyint=1:cabac=0:8x8dct=1", "high"},
    {"high-no8x8", "mandelbrot=size=176x144:rate=25", "keyint=1:cabac=0:8x8dct=0", "high"},
    {"odd-98x66", "testsrc2=size=98x66:rate=25", "keyint=1:cabac=0:8x8dct=1", "high"},
    {"odd-34x18", "testsrc2=size=34x18:rate=25", "keyint=1", "baseline"},
    {"tiny-2x2", "testsrc2=size=2x2:rate=25", "keyint=1", "baseline"},
    {"slices4-offsets", "mandelbrot=size=352x288:rate=25", "keyint=1:cabac=0:slices=4:deblock=-3,2", "high"},
    {"slices3-strong", "mandelbrot=size=176x144:rate=25", "keyint=1:cabac=0:slices=3:deblock=6,-6", "high"},
    {"constrained-intra", "testsrc2=size=176x144:rate=25", "keyint=1:constrained-intra=1", "baseline"},
    {"cqm-jvt", "testsrc2=size=176x144:rate=25", "keyint=1:cabac=0:8x8dct=1:cqm=jvt", "high"},
    {"chroma-qp-offset", "mandelbrot=size=176x144:rate=25", "keyint=1:cabac=0:chroma-qp-offset=-7", "high"},
    {"qp2", "mandelbrot=size=176x144:rate=25", "keyint=1:cabac=0:8x8dct=1:qp=2", "high"},
    {"qp51", "mandelbrot=size=176x144:rate=25", "keyint=1:cabac=0:qp=51", "high"},
};
INSTANTIATE_TEST_SUITE_P(Cavlc, IntraClip, testing::ValuesIn(kClips),
                         [](const auto& info) {
                           std::string n = info.param.name;
                           for (char& ch : n)
                             if (ch == '-') ch = '_';
                           return n;
                         });

const Clip kCabacClips[] = {
    {"main-nodeblock", "testsrc2=size=176x144:rate=25", "keyint=1:no-deblock=1", "main"},
    {"high-8x8", "mandelbrot=size=176x144:rate=25", "keyint=1:8x8dct=1", "high"},
    {"high-no8x8-offsets", "mandelbrot=size=176x144:rate=25", "keyint=1:8x8dct=0:deblock=-2,3", "high"},
    {"slices3-cqm-98x66", "testsrc2=size=98x66:rate=25", "keyint=1:slices=3:cqm=jvt", "high"},
    {"qp1-escapes", "mandelbrot=size=176x144:rate=25", "keyint=1:qp=1:8x8dct=1", "high"},
    {"odd-34x18", "testsrc2=size=34x18:rate=25", "keyint=1:constrained-intra=1", "main"},
};
INSTANTIATE_TEST_SUITE_P(Cabac, IntraClip, testing::ValuesIn(kCabacClips),
                         [](const auto& info) {
                           std::string n = info.param.name;
                           for (char& ch : n)
                             if (ch == '-') ch = '_';
                           return n;
                         });

TEST(IntraDecode, Mp4TrackMatchesFramemd5) {
  const std::string path =
      encode({"mp4", "testsrc2=size=176x144:rate=25", "keyint=1:slices=3", "baseline"}, "mp4");
  const auto r = decode(path);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(test::parse_index_md5(r.out), test::ffmpeg_framemd5(path));
}

TEST(IntraDecode, BSlicesGiveTheNamedError) {
  const auto r = decode(encode({"b-slices", "testsrc2=size=64x64:rate=25", "keyint=30:bframes=1:cabac=0", "high"}));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("h264: B slices are not decoded yet"), std::string::npos) << r.err;
}

// ffmpeg's framemd5 of the samples as decoded. `-pix_fmt nv12` alone
// converts full-range (yuvj420p) streams to limited range, which a decoder
// never does: those keep their range.
std::vector<std::string> decoded_md5s(const std::string& path) {
  const auto probe = run_command({"ffprobe", "-v", "error", "-select_streams", "v", "-show_entries",
                                  "stream=color_range", "-of", "csv=p=0", path});
  if (probe.out.find("pc") == std::string::npos) return test::ffmpeg_framemd5(path);
  const auto r = run_command({"ffmpeg", "-nostdin", "-v", "error", "-i", path, "-vf",
                              "scale=in_range=full:out_range=full", "-pix_fmt", "nv12", "-f", "framemd5", "-"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> md5s;
  std::istringstream lines(r.out);
  for (std::string line; std::getline(lines, line);)
    if (!line.empty() && line[0] != '#') md5s.push_back(line.substr(line.rfind(' ') + 1));
  return md5s;
}

// The conformance streams of cisco/openh264's res/ (DAEDALUS_JVT_DIR, run
// from h264.jvt_decode): every stream we decode matches libavcodec
// frame for frame; the others fail with an error that names what is not
// decoded, and whatever frames they did print are libavcodec's (never a
// wrong frame).
void every_jvt_stream(bool vulkan) {
  const char* dir = std::getenv("DAEDALUS_JVT_DIR");
  if (!dir) GTEST_SKIP() << "DAEDALUS_JVT_DIR not set (tests/unit/h264/fetch-openh264-streams.sh)";
  int decoded = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    const auto ext = e.path().extension();
    if (ext != ".264" && ext != ".h264" && ext != ".jsv") continue;
    // Damaged streams: libavcodec conceals the losses, its output is not
    // the stream's.
    // And one ffmpeg 5.1 cannot probe (jvt_test.cpp).
    if (name.find("_LOST") != std::string::npos || name == "Error_I_P.264" || name == "sps_subsetsps_bothVUI.264")
      continue;
    SCOPED_TRACE(name);
    const auto expected = decoded_md5s(e.path().string());
    const auto r = vulkan ? decode_vulkan(e.path().string()) : decode(e.path().string());
    if (r.exit_code == 77) GTEST_SKIP() << r.err;
    if (r.exit_code == 0) {
      EXPECT_EQ(test::parse_index_md5(r.out), expected);
      ++decoded;
      continue;
    }
    const bool named = r.err.find("not decoded yet") != std::string::npos ||
                       r.err.find("not supported") != std::string::npos;
    EXPECT_TRUE(named) << r.err.substr(0, 300);
    std::istringstream lines(r.out);
    for (std::string index, md5; lines >> index >> md5;)
      EXPECT_NE(std::find(expected.begin(), expected.end(), md5), expected.end()) << "frame " << index;
  }
  std::printf("%d conformance streams decoded bit-exactly\n", decoded);
  // The Vulkan backend has no h264_inter_pred yet: its streams are the
  // intra-only ones.
  EXPECT_GE(decoded, vulkan ? 10 : 37);
}

TEST(JvtDecode, EveryStreamMatchesOrNamesWhatIsMissing) { every_jvt_stream(false); }
TEST(JvtDecode, VulkanEveryStreamMatchesOrNamesWhatIsMissing) { every_jvt_stream(true); }

// The 4x4 block of Richardson's "H.264 and MPEG-4 Video Compression"
// CAVLC example (nC = 0): 5 coefficients, 3 trailing ones, total_zeros 3.
TEST(Cavlc, BlockWorkedOutByHand) {
  const uint8_t bits[] = {0x08, 0xE5, 0xED, 0x80};  // 0000100 011 1 0010 111 10 1 1 01, then a stop bit
  RbspReader r(bits, "test");
  int32_t level[16];
  EXPECT_EQ(read_residual_block_cavlc(r, 0, 0, 15, 16, level), 5);
  EXPECT_EQ(r.position(), 24u);
  const std::vector<int32_t> want = {0, 3, 0, 1, -1, -1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0};
  EXPECT_EQ(std::vector<int32_t>(level, level + 16), want);
}

TEST(Cavlc, CorruptCodesThrow) {
  const uint8_t zeros[] = {0, 0, 0, 0};  // no coeff_token is 16 zero bits long
  RbspReader r(zeros, "test");
  int32_t level[16];
  EXPECT_THROW(read_residual_block_cavlc(r, 0, 0, 15, 16, level), Error);
  // TotalCoeff 5 in a chroma DC block of 4 coefficients (nC = -1 codes
  // only up to 4): the coeff_token of nC 0 read as a 4-coefficient block.
  const uint8_t many[] = {0x08, 0xE5, 0xED, 0x80};
  RbspReader r2(many, "test");
  EXPECT_THROW(read_residual_block_cavlc(r2, 0, 0, 3, 4, level), Error);
}

}  // namespace
}  // namespace daedalus::h264
