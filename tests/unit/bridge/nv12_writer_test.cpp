// SPDX-License-Identifier: MIT
#include <cstring>
#include <vector>

#include <gtest/gtest.h>
#include <linux/videodev2.h>

#include "nv12_writer.h"

using namespace daedalus::bridge;

namespace {

// A w x h I420 picture with distinct values per plane and position, stored
// with padding so source strides are exercised too.
struct TestPicture {
  int w, h, cw, ch;
  std::vector<uint8_t> y, u, v;
  int ys, cs;
  TestPicture(int w_, int h_) : w(w_), h(h_), cw((w_ + 1) / 2), ch((h_ + 1) / 2) {
    ys = w + 7;
    cs = cw + 5;
    y.assign(static_cast<size_t>(ys) * h, 0xee);
    u.assign(static_cast<size_t>(cs) * ch, 0xee);
    v.assign(static_cast<size_t>(cs) * ch, 0xee);
    for (int r = 0; r < h; ++r)
      for (int c = 0; c < w; ++c) y[r * ys + c] = static_cast<uint8_t>(r * 31 + c);
    for (int r = 0; r < ch; ++r)
      for (int c = 0; c < cw; ++c) {
        u[r * cs + c] = static_cast<uint8_t>(r * 7 + c * 3 + 1);
        v[r * cs + c] = static_cast<uint8_t>(r * 5 + c * 11 + 2);
      }
  }
  PlanarPicture view() const {
    PlanarPicture p;
    p.width = w;
    p.height = h;
    p.data = {y.data(), u.data(), v.data()};
    p.stride = {ys, cs, cs};
    return p;
  }
};

constexpr uint8_t kCanary = 0xa5;

void expect_written(const TestPicture& pic, const uint8_t* ybase, uint32_t ystride, const uint8_t* uvbase,
                    uint32_t uvstride) {
  for (int r = 0; r < pic.h; ++r) {
    for (int c = 0; c < pic.w; ++c) ASSERT_EQ(ybase[r * ystride + c], pic.y[r * pic.ys + c]) << r << "," << c;
    for (uint32_t c = pic.w; c < ystride; ++c) ASSERT_EQ(ybase[r * ystride + c], kCanary) << "Y padding touched";
  }
  for (int r = 0; r < pic.ch; ++r) {
    for (int c = 0; c < pic.cw; ++c) {
      ASSERT_EQ(uvbase[r * uvstride + 2 * c], pic.u[r * pic.cs + c]);
      ASSERT_EQ(uvbase[r * uvstride + 2 * c + 1], pic.v[r * pic.cs + c]);
    }
    for (uint32_t c = 2 * pic.cw; c < uvstride; ++c) ASSERT_EQ(uvbase[r * uvstride + c], kCanary);
  }
}

}  // namespace

TEST(Nv12Writer, SinglePlaneWithStrideAndOffsets) {
  TestPicture pic(37, 21);  // odd sizes: chroma rounds up
  daedalus_capture_format f{};
  f.pixelformat = V4L2_PIX_FMT_NV12;
  f.width = 64;
  f.height = 32;
  f.num_mem_planes = 1;
  f.num_comp_planes = 2;
  f.comp[0] = {0, 128, 64, 32};               // Y after a 128-byte gap
  f.comp[1] = {0, 128 + 64 * 32 + 64, 64, 16};  // UV after another gap
  f.sizeimage[0] = 128 + 64 * 32 + 64 + 64 * 16;
  std::vector<uint8_t> buf(f.sizeimage[0] + 100, kCanary);
  MappedPlane plane{buf.data(), buf.size()};
  auto used = write_nv12(pic.view(), f, std::span(&plane, 1));
  EXPECT_EQ(used[0], f.sizeimage[0]);
  expect_written(pic, buf.data() + 128, 64, buf.data() + f.comp[1].offset, 64);
  for (size_t i = 0; i < 128; ++i) ASSERT_EQ(buf[i], kCanary) << "bytes before Y touched";
  // Rows below the picture (21..31) untouched.
  for (size_t i = 128 + 21 * 64; i < 128 + 32 * 64; ++i) ASSERT_EQ(buf[i], kCanary);
}

TEST(Nv12Writer, TwoMemoryPlanes) {
  TestPicture pic(32, 18);
  daedalus_capture_format f{};
  f.pixelformat = V4L2_PIX_FMT_NV12M;
  f.width = 32;
  f.height = 18;
  f.num_mem_planes = 2;
  f.num_comp_planes = 2;
  f.comp[0] = {0, 0, 48, 18};
  f.comp[1] = {1, 16, 40, 9};
  f.sizeimage[0] = 48 * 18;
  f.sizeimage[1] = 16 + 40 * 9;
  std::vector<uint8_t> yb(f.sizeimage[0], kCanary), uvb(f.sizeimage[1], kCanary);
  MappedPlane planes[2] = {{yb.data(), yb.size()}, {uvb.data(), uvb.size()}};
  auto used = write_nv12(pic.view(), f, planes);
  EXPECT_EQ(used[0], f.sizeimage[0]);
  EXPECT_EQ(used[1], f.sizeimage[1]);
  expect_written(pic, yb.data(), 48, uvb.data() + 16, 40);
}

TEST(Nv12Writer, RejectsWhatDoesNotFitAndWritesNothing) {
  TestPicture pic(64, 32);
  daedalus_capture_format f{};
  f.pixelformat = V4L2_PIX_FMT_NV12;
  f.width = 64;
  f.height = 32;
  f.num_mem_planes = 1;
  f.num_comp_planes = 2;
  f.comp[0] = {0, 0, 64, 32};
  f.comp[1] = {0, 64 * 32, 64, 16};
  f.sizeimage[0] = 64 * 48;
  std::vector<uint8_t> buf(f.sizeimage[0], kCanary);
  MappedPlane plane{buf.data(), buf.size()};
  ASSERT_NO_THROW(write_nv12(pic.view(), f, std::span(&plane, 1)));

  auto expect_rejected = [&](daedalus_capture_format bad, size_t len) {
    std::fill(buf.begin(), buf.end(), kCanary);
    MappedPlane p{buf.data(), len};
    EXPECT_THROW(write_nv12(pic.view(), bad, std::span(&p, 1)), SizeMismatch);
    for (uint8_t b : buf) ASSERT_EQ(b, kCanary) << "partial write before the error";
  };
  auto bad = f;
  bad.comp[0].bytesperline = 60;  // narrower than the picture
  expect_rejected(bad, buf.size());
  bad = f;
  bad.height = 16;  // picture taller than the buffer
  expect_rejected(bad, buf.size());
  bad = f;
  bad.comp[1].height = 15;
  expect_rejected(bad, buf.size());
  expect_rejected(f, buf.size() - 1);  // mapping one byte short
  bad = f;
  bad.comp[1].offset = 64 * 32 + 1;  // chroma runs off the end
  expect_rejected(bad, buf.size());
  bad = f;
  bad.pixelformat = V4L2_PIX_FMT_YUV420;
  expect_rejected(bad, buf.size());
  bad = f;
  bad.num_mem_planes = 2;  // only one mapped
  expect_rejected(bad, buf.size());
}
