// SPDX-License-Identifier: MIT
// Our H.264 decoder on P pictures: libx264 clips without B frames made at
// test time, one per tool of the P macroblock layer, the reference lists
// and inter prediction, through `daedalus-decode --decoder daedalus --md5`
// against `ffmpeg -pix_fmt nv12 -f framemd5`, every frame.
#include <gtest/gtest.h>

#include <string>

#include "run_command.h"

namespace daedalus::h264 {
namespace {

using test::run_command;

struct PClip {
  const char* name;
  const char* source;  // lavfi source with its size
  const char* params;  // -x264-params (bframes=0 added)
  const char* profile;
  int frames;
};

std::string encode(const PClip& c) {
  const std::string path = testing::TempDir() + "/daedalus-h264-p-" + c.name + ".h264";
  const auto r = run_command({"ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", c.source, "-frames:v",
                              std::to_string(c.frames), "-pix_fmt", "yuv420p", "-c:v", "libx264", "-profile:v",
                              c.profile, "-x264-params", std::string("bframes=0:") + c.params, path});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return path;
}

test::CommandResult decode(const std::string& path) {
  return run_command({DAEDALUS_DECODE_BIN, path, "--decoder", "daedalus", "--backend", "cpu", "--md5"});
}

class PClipTest : public testing::TestWithParam<PClip> {};

TEST_P(PClipTest, MatchesFramemd5) {
  const std::string path = encode(GetParam());
  const auto expected = test::ffmpeg_framemd5(path);
  ASSERT_EQ(expected.size(), size_t(GetParam().frames));
  const auto r = decode(path);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(test::parse_index_md5(r.out), expected);
}

// testsrc2 moves a pattern across a gradient; mandelbrot zooms (sub-sample
// motion everywhere).
const PClip kCavlcClips[] = {
    {"ref1", "testsrc2=size=176x144:rate=25", "ref=1", "baseline", 12},
    {"ref4", "mandelbrot=size=176x144:rate=25", "ref=4", "baseline", 12},
    {"ref4-8x8dct", "mandelbrot=size=176x144:rate=25", "ref=4:cabac=0:8x8dct=1", "high", 12},
    {"no8x8dct-nodeblock", "testsrc2=size=176x144:rate=25", "cabac=0:8x8dct=0:no-deblock=1", "high", 8},
    {"weightp", "testsrc2=size=176x144:rate=25,fade=in:0:10", "cabac=0:weightp=2:ref=3", "high", 12},
    {"slices3", "mandelbrot=size=176x144:rate=25", "cabac=0:slices=3:ref=2", "high", 8},
    {"odd-98x66", "testsrc2=size=98x66:rate=25", "cabac=0:8x8dct=1:ref=2", "high", 10},
    {"constrained-intra", "testsrc2=size=176x144:rate=25", "constrained-intra=1:ref=2", "baseline", 8},
    {"long-gop", "testsrc2=size=64x48:rate=25", "keyint=300:ref=3", "baseline", 60},
    {"subme-all-partitions", "mandelbrot=size=96x64:rate=25", "cabac=0:subme=9:partitions=all:ref=2", "high", 10},
};
INSTANTIATE_TEST_SUITE_P(Cavlc, PClipTest, testing::ValuesIn(kCavlcClips), [](const auto& info) {
  std::string n = info.param.name;
  for (char& ch : n)
    if (ch == '-') ch = '_';
  return n;
});

TEST(PDecode, CabacPSlicesGiveTheNamedError) {
  const auto r = decode(encode({"cabac", "testsrc2=size=64x64:rate=25", "cabac=1", "main", 3}));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("h264: CABAC P slices are not decoded yet"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace daedalus::h264
