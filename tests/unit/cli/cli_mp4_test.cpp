// SPDX-License-Identifier: MIT
// Issue 2: daedalus-decode reads any container libavformat reads. The
// corpus holds IVF, WebM and Annex-B H.264; MP4 is made here by remuxing
// corpus clips (ffmpeg -c copy, no re-encode) into a scratch directory.
#include <gtest/gtest.h>

#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "run_command.h"

namespace daedalus::test {
namespace {

class CliMp4 : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::path(testing::TempDir()) /
           ("daedalus-mp4-" + std::string(testing::UnitTest::GetInstance()->current_test_info()->name()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // The corpus clip `name`, remuxed into dir_/<name>.mp4.
  std::string remux(const std::string& name) {
    for (const auto& c : corpus_clips())
      if (c.name == name) source_ = c.path;
    if (source_.empty()) throw std::runtime_error("corpus has no clip " + name);
    const std::string mp4 = (dir_ / (name + ".mp4")).string();
    auto r = run_command({"ffmpeg", "-nostdin", "-v", "error", "-y", "-i", source_, "-c", "copy", "-f", "mp4", mp4});
    if (r.exit_code != 0) throw std::runtime_error("remux of " + source_ + " failed: " + r.err);
    auto probe = run_command(
        {"ffprobe", "-v", "error", "-show_entries", "format=format_name", "-of", "default=nw=1:nk=1", mp4});
    if (probe.out.find("mp4") == std::string::npos) throw std::runtime_error(mp4 + " is not MP4: " + probe.out);
    return mp4;
  }

  void expect_cli_equals_framemd5(const std::string& mp4, const std::vector<std::string>& decoder_args) {
    SCOPED_TRACE(mp4);
    const auto expected = ffmpeg_framemd5(mp4);
    ASSERT_FALSE(expected.empty());
    // Remuxing must not lose or alter a frame either.
    EXPECT_EQ(expected, ffmpeg_framemd5(source_)) << "remuxed " << source_;
    std::vector<std::string> argv = {DAEDALUS_DECODE_BIN, mp4, "--md5"};
    argv.insert(argv.end(), decoder_args.begin(), decoder_args.end());
    auto r = run_command(argv);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(parse_index_md5(r.out), expected);
  }

  std::filesystem::path dir_;
  std::string source_;
};

// Annex-B H.264 carries no timestamps, so ffmpeg cannot stream-copy
// B-frames into MP4 correctly (they get pts = dts and the edit list drops
// frames): the corpus's ultrafast clip has no B-frames.
TEST_F(CliMp4, H264InMp4MatchesFramemd5) {
  const auto mp4 = remux("h264-1920x1080");
  expect_cli_equals_framemd5(mp4, {"--decoder", "ffmpeg"});
}

TEST_F(CliMp4, Vp9InMp4MatchesFramemd5WithBothDecoders) {
  const auto mp4 = remux("vp9-352x288");
  expect_cli_equals_framemd5(mp4, {"--decoder", "ffmpeg"});
  expect_cli_equals_framemd5(mp4, {"--decoder", "daedalus", "--backend", "cpu"});
}

}  // namespace
}  // namespace daedalus::test
