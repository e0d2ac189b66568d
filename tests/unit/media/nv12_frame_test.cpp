// SPDX-License-Identifier: MIT
#include <gtest/gtest.h>

extern "C" {
#include <libavutil/frame.h>
#include <libavutil/md5.h>
}

#include "daedalus/error.h"
#include "nv12_frame.h"
#include "reference_decoder.h"

namespace daedalus::media {
namespace {

TEST(Nv12Frame, OddSizesRoundChromaUp) {
  Nv12Frame f;
  f.allocate(5, 3);
  EXPECT_EQ(f.y.size(), 15u);
  // ceil(5/2) = 3 CbCr pairs per row, ceil(3/2) = 2 rows.
  EXPECT_EQ(f.uv.size(), 12u);
}

TEST(Nv12Frame, Md5CoversLumaThenChroma) {
  Nv12Frame f;
  f.allocate(2, 2);
  f.y = {1, 2, 3, 4};
  f.uv = {5, 6};
  // md5 of the bytes 01..06, computed independently of md5_hex's code path.
  const uint8_t bytes[] = {1, 2, 3, 4, 5, 6};
  uint8_t digest[16];
  av_md5_sum(digest, bytes, sizeof(bytes));
  char hex[33];
  for (int i = 0; i < 16; ++i) snprintf(hex + 2 * i, 3, "%02x", digest[i]);
  EXPECT_EQ(md5_hex(f), hex);
  f.uv[1] = 7;
  EXPECT_NE(md5_hex(f), hex);
}

TEST(ToNv12, InterleavesPlanesAndDropsPadding) {
  AVFrame* av = av_frame_alloc();
  av->format = AV_PIX_FMT_YUV420P;
  av->width = 3;
  av->height = 3;
  ASSERT_EQ(av_frame_get_buffer(av, 32), 0);  // linesize padded well past 3
  for (int y = 0; y < 3; ++y)
    for (int x = 0; x < 3; ++x) av->data[0][y * av->linesize[0] + x] = static_cast<uint8_t>(10 * y + x);
  for (int y = 0; y < 2; ++y)
    for (int x = 0; x < 2; ++x) {
      av->data[1][y * av->linesize[1] + x] = static_cast<uint8_t>(100 + 10 * y + x);
      av->data[2][y * av->linesize[2] + x] = static_cast<uint8_t>(200 + 10 * y + x);
    }
  Nv12Frame f = to_nv12(*av);
  EXPECT_EQ(f.y, (std::vector<uint8_t>{0, 1, 2, 10, 11, 12, 20, 21, 22}));
  EXPECT_EQ(f.uv, (std::vector<uint8_t>{100, 200, 101, 201, 110, 210, 111, 211}));
  av_frame_free(&av);
}

TEST(ToNv12, RefusesOtherPixelFormats) {
  AVFrame* av = av_frame_alloc();
  av->format = AV_PIX_FMT_YUV420P10LE;
  av->width = 4;
  av->height = 4;
  ASSERT_EQ(av_frame_get_buffer(av, 32), 0);
  EXPECT_THROW(to_nv12(*av), Error);
  av_frame_free(&av);
}

}  // namespace
}  // namespace daedalus::media
