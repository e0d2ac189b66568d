// SPDX-License-Identifier: MIT
// Error paths: a clear message and a non-zero exit, never a crash (exit
// codes >= 128 would mean a signal).
#include <gtest/gtest.h>

#include <fstream>

#include "run_command.h"

namespace daedalus::test {
namespace {

TEST(CliErrors, MissingFile) {
  auto r = run_command({DAEDALUS_DECODE_BIN, "/nonexistent.ivf", "--md5"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("/nonexistent.ivf"), std::string::npos) << r.err;
}

TEST(CliErrors, UnsupportedCodec) {
  const std::string path = testing::TempDir() + "/mjpeg.avi";
  auto gen = run_command({"ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i",
                          "testsrc2=size=64x64:rate=30", "-frames:v", "2", "-c:v", "mjpeg", path});
  ASSERT_EQ(gen.exit_code, 0) << gen.err;
  auto r = run_command({DAEDALUS_DECODE_BIN, path, "--md5"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("unsupported codec"), std::string::npos) << r.err;
}

TEST(CliErrors, BadOptionValues) {
  auto r = run_command({DAEDALUS_DECODE_BIN, "x.ivf", "--decoder", "nope"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_LT(r.exit_code, 128);
  r = run_command({DAEDALUS_DECODE_BIN, "x.ivf", "--backend", "metal"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_LT(r.exit_code, 128);
}

// Every payload byte after the IVF headers flipped in a pattern: libavcodec
// rejects most packets; the CLI must report them and exit 1, not crash.
TEST(CliErrors, CorruptStreamReportsAndExitsNonZero) {
  auto clips = corpus_clips("vp9");
  ASSERT_FALSE(clips.empty());
  std::ifstream in(clips[0].path, std::ios::binary);
  std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_GT(data.size(), 64u);
  // IVF: 32-byte file header, then per frame a 12-byte header + payload.
  size_t pos = 32;
  while (pos + 12 <= data.size()) {
    uint32_t size = static_cast<uint8_t>(data[pos]) | static_cast<uint8_t>(data[pos + 1]) << 8 |
                    static_cast<uint8_t>(data[pos + 2]) << 16 | static_cast<uint32_t>(static_cast<uint8_t>(data[pos + 3])) << 24;
    for (size_t i = pos + 12; i < pos + 12 + size && i < data.size(); ++i) data[i] = static_cast<char>(data[i] ^ 0xa5);
    pos += 12 + size;
  }
  const std::string path = testing::TempDir() + "/corrupt.ivf";
  std::ofstream(path, std::ios::binary) << data;
  auto r = run_command({DAEDALUS_DECODE_BIN, path, "--md5"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_FALSE(r.err.empty());
}

TEST(CliErrors, DaedalusDecoderSaysWhatIsMissing) {
  auto clips = corpus_clips("av1");
  ASSERT_FALSE(clips.empty());
  auto r = run_command({DAEDALUS_DECODE_BIN, clips[0].path, "--decoder", "daedalus", "--md5"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("not implemented"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace daedalus::test
