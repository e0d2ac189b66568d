// SPDX-License-Identifier: MIT
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "daedalus/error.h"
#include "demuxer.h"
#include "reference_decoder.h"

namespace daedalus::media {
namespace {

std::string temp_path(const std::string& name) { return testing::TempDir() + "/" + name; }

TEST(Demuxer, MissingFileIsAClearError) {
  try {
    Demuxer d("/nonexistent/clip.ivf");
    FAIL() << "opened a missing file";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/clip.ivf"), std::string::npos) << e.what();
  }
}

TEST(Demuxer, GarbageFileIsAClearError) {
  const std::string path = temp_path("garbage.bin");
  std::ofstream(path) << std::string(4096, '\x5a');
  EXPECT_THROW(Demuxer d(path), Error);
}

TEST(Demuxer, UnsupportedCodecIsNamed) {
  const std::string path = temp_path("mpeg4.avi");
  const std::string cmd = "ffmpeg -nostdin -loglevel error -y -f lavfi -i testsrc2=size=64x64:rate=30 -frames:v 2 -c:v mpeg4 " + path;
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  try {
    Demuxer d(path);
    FAIL() << "accepted mpeg4";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("mpeg4"), std::string::npos) << e.what();
  }
}

TEST(ReferenceDecoder, CorruptPacketThrowsAndDecoderSurvives) {
  const std::string path = temp_path("small.ivf");
  const std::string cmd = "ffmpeg -nostdin -loglevel error -y -f lavfi -i testsrc2=size=64x64:rate=30 -frames:v 3 -c:v libvpx-vp9 -g 1 " + path;
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  Demuxer d(path);
  ReferenceDecoder dec(d.codec(), d.codec_parameters());
  int frames = 0;
  auto sink = [&](Nv12Frame&&) { ++frames; };
  const uint8_t junk[] = {0xff, 0xff, 0xff, 0xff, 0x00, 0x13, 0x37};
  EXPECT_THROW(dec.decode(junk, sizeof(junk), 0, sink), Error);
  Packet pkt;
  while (d.read(pkt)) dec.decode(pkt, sink);
  dec.flush(sink);
  EXPECT_EQ(frames, 3);
}

}  // namespace
}  // namespace daedalus::media
