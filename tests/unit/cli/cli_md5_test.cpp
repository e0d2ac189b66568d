// SPDX-License-Identifier: MIT
// daedalus-decode --md5 must print, frame for frame, the md5 column of
// `ffmpeg -i CLIP -pix_fmt nv12 -f framemd5 -` for every generated clip.
#include <gtest/gtest.h>

#include "run_command.h"

namespace daedalus::test {
namespace {

void expect_md5_equal_to_ffmpeg(const std::string& codec, const std::vector<std::string>& decoder_args,
                                size_t min_clips) {
  auto clips = corpus_clips(codec);
  ASSERT_GE(clips.size(), min_clips) << "corpus has too few " << codec << " clips";
  for (const auto& clip : clips) {
    SCOPED_TRACE(clip.path);
    auto expected = ffmpeg_framemd5(clip.path);
    ASSERT_FALSE(expected.empty());
    std::vector<std::string> argv = {DAEDALUS_DECODE_BIN, clip.path, "--md5"};
    argv.insert(argv.end(), decoder_args.begin(), decoder_args.end());
    auto r = run_command(argv);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(parse_index_md5(r.out), expected);
  }
}

bool has_clip(const std::string& name) {
  for (const auto& c : corpus_clips())
    if (c.name == name) return true;
  return false;
}

TEST(CliMd5, CorpusHasOddAndFullHdSizes) {
  for (const char* name : {"vp9-98x66", "vp9-1920x1080", "h264-98x66", "h264-1920x1080", "av1-98x66", "av1-1920x1080"})
    EXPECT_TRUE(has_clip(name)) << name;
}

TEST(CliMd5, FfmpegDecoderMatchesFramemd5Vp9) { expect_md5_equal_to_ffmpeg("vp9", {"--decoder", "ffmpeg"}, 3); }
TEST(CliMd5, FfmpegDecoderMatchesFramemd5H264) { expect_md5_equal_to_ffmpeg("h264", {"--decoder", "ffmpeg"}, 3); }
TEST(CliMd5, FfmpegDecoderMatchesFramemd5Av1) { expect_md5_equal_to_ffmpeg("av1", {"--decoder", "ffmpeg"}, 3); }

TEST(CliMd5, FramesOptionStopsEarly) {
  auto clips = corpus_clips("vp9");
  ASSERT_FALSE(clips.empty());
  auto expected = ffmpeg_framemd5(clips[0].path);
  ASSERT_GE(expected.size(), 3u);
  auto r = run_command({DAEDALUS_DECODE_BIN, clips[0].path, "--md5", "--frames", "2"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  expected.resize(2);
  EXPECT_EQ(parse_index_md5(r.out), expected);
}

// --warm-up runs the stages on synthetic work first (its own frames, its
// own surfaces): the clip's frames must not change.
TEST(CliMd5, WarmUpLeavesTheFramesAlone) {
  auto clips = corpus_clips("vp9");
  ASSERT_FALSE(clips.empty());
  auto expected = ffmpeg_framemd5(clips[0].path);
  ASSERT_GE(expected.size(), 3u);
  auto r = run_command(
      {DAEDALUS_DECODE_BIN, clips[0].path, "--md5", "--frames", "3", "--decoder", "daedalus", "--warm-up", "--profile"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  expected.resize(3);
  EXPECT_EQ(parse_index_md5(r.out), expected);
  EXPECT_NE(r.err.find("profile packet"), std::string::npos) << r.err;
}

TEST(CliMd5, VerifyPrintsBitExactVerdict) {
  auto clips = corpus_clips("h264");
  ASSERT_FALSE(clips.empty());
  auto r = run_command({DAEDALUS_DECODE_BIN, clips[0].path, "--verify"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("verdict: bit-exact"), std::string::npos) << r.out;
}

TEST(CliMd5, OutputFileHoldsRawNv12) {
  auto clips = corpus_clips("vp9");
  ASSERT_FALSE(clips.empty());
  const std::string out = testing::TempDir() + "/out.nv12";
  auto r = run_command({DAEDALUS_DECODE_BIN, clips[0].path, "-o", out});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto ref = run_command({"ffmpeg", "-nostdin", "-v", "error", "-i", clips[0].path, "-pix_fmt", "nv12", "-f",
                          "rawvideo", "-"});
  ASSERT_EQ(ref.exit_code, 0);
  auto ours = run_command({"cat", out});
  EXPECT_EQ(ours.out.size(), ref.out.size());
  EXPECT_TRUE(ours.out == ref.out);
}

}  // namespace
}  // namespace daedalus::test
