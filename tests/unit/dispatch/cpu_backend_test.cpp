// SPDX-License-Identifier: MIT
// Frame-level tests of the CPU backend's stages: small hand-built work
// descriptions whose expected pixels follow from VP9's edge rules.
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstring>
#include <random>
#include <vector>

#include "backends.h"
#include "cpu_surface.h"
#include "daedalus/error.h"
#include "vp9_dsp.h"

namespace daedalus::dispatch::cpu {
namespace {

FrameWork frame(uint32_t mi_cols, uint32_t mi_rows) {
  FrameWork w;
  w.params.width = mi_cols * 8;
  w.params.height = mi_rows * 8;
  w.params.mi_cols = mi_cols;
  w.params.mi_rows = mi_rows;
  w.params.ss_x = w.params.ss_y = 1;
  w.params.bit_depth = 8;
  for (auto& r : w.params.refs) {
    r.width = w.params.width;
    r.height = w.params.height;
    r.x_scale_q14 = r.y_scale_q14 = 1 << 14;
  }
  return w;
}

dd_tx_block tx(int plane, int x, int y, int size, int mode, int flags) {
  dd_tx_block t{};
  t.plane = static_cast<uint8_t>(plane);
  t.x = static_cast<uint16_t>(x);
  t.y = static_cast<uint16_t>(y);
  t.tx_size = static_cast<uint8_t>(size);
  t.mode = static_cast<uint8_t>(mode);
  t.flags = static_cast<uint8_t>(flags);
  return t;
}

// The work as begin_frame takes it: its counts match its arrays.
FrameWork& counted(FrameWork& w) {
  w.params.num_blocks = uint32_t(w.blocks.size());
  w.params.num_tx_blocks = uint32_t(w.tx_blocks.size());
  w.params.num_coeffs = uint32_t(w.coeffs.size());
  return w;
}

void run_intra(Backend& b, FrameWork& w, Surface& dst) {
  b.begin_frame(counted(w));
  b.residual(w);
  b.intra_recon(w, dst);
  b.end_frame();
}

TEST(CpuIntra, Dc128PlusDcResidual) {
  auto b = create_cpu_backend();
  FrameWork w = frame(1, 1);
  dd_tx_block t = tx(0, 0, 0, DD_TX_4X4, DD_DC_PRED, 0);
  t.eob = 1;
  t.coeff_offset = 0;
  w.coeffs.assign(16, 0);
  w.coeffs[0] = 64;  // residual 2 everywhere (see Vp9Itx.DcOnly...)
  w.tx_blocks.push_back(t);
  auto s = b->create_surface(8, 8);
  run_intra(*b, w, *s);
  PlaneView y = plane_view(*s, 0);
  for (int r = 0; r < 8; ++r)
    for (int c = 0; c < 8; ++c) EXPECT_EQ(y.at(c, r), (r < 4 && c < 4) ? 130 : 0) << r << "," << c;
}

TEST(CpuIntra, UnavailableEdgesUse127And129) {
  auto b = create_cpu_backend();
  FrameWork w = frame(2, 1);
  // V without above -> 127; H without left (at x = 4 but flag clear) -> 129;
  // TM with neither -> left + above - aboveleft = 129 + 127 - 127 = 129.
  w.tx_blocks.push_back(tx(0, 0, 0, DD_TX_4X4, DD_V_PRED, 0));
  w.tx_blocks.push_back(tx(0, 4, 0, DD_TX_4X4, DD_H_PRED, 0));
  w.tx_blocks.push_back(tx(0, 8, 0, DD_TX_4X4, DD_TM_PRED, 0));
  // D135 with left only: above = 127, above-left = 129 (left present, no
  // above would give 127; here above is missing so above-left is 127).
  w.tx_blocks.push_back(tx(0, 0, 4, DD_TX_4X4, DD_D135_PRED, 0));
  auto s = b->create_surface(16, 8);
  run_intra(*b, w, *s);
  PlaneView y = plane_view(*s, 0);
  EXPECT_EQ(y.at(0, 0), 127);
  EXPECT_EQ(y.at(3, 3), 127);
  EXPECT_EQ(y.at(4, 0), 129);
  EXPECT_EQ(y.at(8, 0), 129);
  EXPECT_EQ(y.at(11, 3), 129);
  // D135 with no edges at all: left 129, above 127, above-left 127:
  // (0,0) = avg3(129, 127, 127) = (129 + 254 + 127 + 2) >> 2 = 128
  EXPECT_EQ(y.at(0, 4), 128);
}

TEST(CpuIntra, AboveRowRepeatsBeyondDecodedWidthAndAboveRightOnlyFor4x4) {
  auto b = create_cpu_backend();
  // 16 pixels wide: row 7 = 10 * x.
  FrameWork w = frame(2, 2);
  auto s = b->create_surface(16, 16);
  PlaneView y = plane_view(*s, 0);
  for (int x = 0; x < 16; ++x) y.at(x, 7) = static_cast<uint8_t>(10 * x);
  // 4x4 at (12, 8) with above-right: above = 120..150, above-right would be
  // x = 16..19, beyond the decoded width -> repeats 150. D45 row 0:
  // avg3(120,130,140) = 130, 140, avg3(140,150,150) = 148, 150.
  w.tx_blocks.push_back(tx(0, 12, 8, DD_TX_4X4, DD_D45_PRED, DD_TX_HAVE_ABOVE | DD_TX_HAVE_LEFT | DD_TX_HAVE_ABOVE_RIGHT));
  // 8x8 at (0, 8) with the flag: VP9 reads no above-right for 8x8, it
  // repeats above[7] = 70: D45 row 0 col 7 = avg3(60... ) -> (60 + 140 + 70 + 2) >> 2 = 68
  // (reading x = 8 would give 70).
  w.tx_blocks.push_back(tx(0, 0, 8, DD_TX_8X8, DD_D45_PRED, DD_TX_HAVE_ABOVE | DD_TX_HAVE_ABOVE_RIGHT));
  run_intra(*b, w, *s);
  EXPECT_EQ(y.at(12, 8), 130);
  EXPECT_EQ(y.at(13, 8), 140);
  EXPECT_EQ(y.at(14, 8), 148);
  EXPECT_EQ(y.at(15, 8), 150);
  EXPECT_EQ(y.at(15, 11), 150);
  EXPECT_EQ(y.at(6, 8), 68);
  EXPECT_EQ(y.at(7, 8), 70);
}

TEST(CpuIntra, LeftColumnRepeatsBeyondDecodedHeight) {
  auto b = create_cpu_backend();
  // 8x8 luma frame is 8 high; a 16x16 tx would not fit, so use chroma:
  // chroma plane is 8x4 for a 16x8 frame; 4x4 tx at chroma (4, 0) with
  // left = column 3 rows 0..3 (all inside). Use luma instead: 8 wide x 8
  // high frame, 8x8 H_PRED at (0,0) has no left; so build 16x8 with an 8x8
  // H_PRED at (8, 0) reading column 7 rows 0..7 — inside. For the
  // repetition we need a tx taller than the remaining rows: a 32x32 tx on a
  // 40-row frame at y = 32 reads rows 32..63 but only 32..39 exist.
  FrameWork w = frame(5, 5);  // 40x40
  auto s = b->create_surface(40, 40);
  PlaneView y = plane_view(*s, 0);
  for (int r = 0; r < 40; ++r) y.at(7, r) = static_cast<uint8_t>(r + 1);
  // H at (8, 32) of size 32: rows 32..39 get left = 33..40; rows 40..63 are
  // outside the decoded area and are not written.
  w.tx_blocks.push_back(tx(0, 8, 32, DD_TX_32X32, DD_H_PRED, DD_TX_HAVE_LEFT | DD_TX_HAVE_ABOVE));
  // D207 8x8 at (8, 32)... already covered; check a D207 4x4 in chroma at
  // the bottom: chroma plane 20x20, 8x8 tx at (4, 16) reads rows 16..23,
  // only 16..19 exist -> rows 20..23 repeat row 19.
  PlaneView u = plane_view(*s, 1);
  for (int r = 0; r < 20; ++r) u.at(3, r) = static_cast<uint8_t>(100 + r);
  w.tx_blocks.push_back(tx(1, 4, 16, DD_TX_8X8, DD_D207_PRED, DD_TX_HAVE_LEFT | DD_TX_HAVE_ABOVE));
  run_intra(*b, w, *s);
  for (int r = 32; r < 40; ++r) EXPECT_EQ(y.at(8, r), r + 1);
  EXPECT_EQ(y.at(39, 39), 40);
  // left = 116, 117, 118, 119, 119, 119, 119, 119. D207 row 3 col 0 =
  // avg2(119, 119) = 119, row 2 col 0 = avg2(118, 119) = 119 (237+1)/2,
  // row 0 col 0 = avg2(116, 117) = 117, row 0 col 1 = avg3(116, 117, 118) = 117.
  EXPECT_EQ(u.at(4, 16), 117);
  EXPECT_EQ(u.at(5, 16), 117);
  EXPECT_EQ(u.at(4, 18), 119);
  EXPECT_EQ(u.at(4, 19), 119);
}

// ------------------------------------------------------------ inter

struct InterSetup {
  std::unique_ptr<Backend> b = create_cpu_backend();
  FrameWork w;
  std::shared_ptr<Surface> dst, ref0, ref1;
  Surface* refs[3] = {};
  InterSetup(uint32_t mi_cols, uint32_t mi_rows) : w(frame(mi_cols, mi_rows)) {
    dst = b->create_surface(mi_cols * 8, mi_rows * 8);
    ref0 = b->create_surface(mi_cols * 8, mi_rows * 8);
    ref1 = b->create_surface(mi_cols * 8, mi_rows * 8);
    refs[0] = ref0.get();
    refs[1] = ref1.get();
  }
  void run() {
    b->begin_frame(counted(w));
    b->residual(w);
    b->inter_pred(w, *dst, refs);
    b->end_frame();
  }
};

dd_block inter_block(int x, int y, int wl, int hl, int filter, int mv_row, int mv_col) {
  dd_block blk{};
  blk.x = static_cast<uint16_t>(x);
  blk.y = static_cast<uint16_t>(y);
  blk.w_log2 = static_cast<uint8_t>(wl);
  blk.h_log2 = static_cast<uint8_t>(hl);
  blk.flags = DD_BLOCK_INTER;
  blk.interp_filter = static_cast<uint8_t>(filter);
  for (auto& m : blk.mv) {
    m[0][0] = static_cast<int16_t>(mv_row);
    m[0][1] = static_cast<int16_t>(mv_col);
  }
  return blk;
}

void fill_plane(Surface& s, int plane, int (*f)(int x, int y)) {
  PlaneView v = plane_view(s, plane);
  for (int y = 0; y < v.height; ++y)
    for (int x = 0; x < v.width; ++x) v.at(x, y) = static_cast<uint8_t>(f(x, y));
}

TEST(CpuInter, ReadsOutsideTheReferenceAreClampedToItsVisibleEdge) {
  InterSetup s(4, 4);  // 32x32
  fill_plane(*s.ref0, 0, [](int x, int y) { return 3 * x + y + 1; });
  fill_plane(*s.ref0, 1, [](int x, int y) { return 5 * x + y; });
  fill_plane(*s.ref0, 2, [](int x, int y) { return 7 * x + y; });
  // Visible width 30: columns 30, 31 of the reference must not be read.
  s.w.params.refs[0].width = 30;
  // 8x8 at (16, 8), mv = (0, +40 px): every read clamps to column 29 (luma)
  // and chroma column 14 ((30 + 1) >> 1 = 15 wide).
  s.w.blocks.push_back(inter_block(16, 8, 3, 3, DD_FILTER_REGULAR, 0, 40 * 8));
  // 8x8 at (0, 0), mv = (-100 px, -50.5 px): every read clamps to (0, 0).
  s.w.blocks.push_back(inter_block(0, 0, 3, 3, DD_FILTER_SHARP, -800, -404));
  s.run();
  PlaneView y = plane_view(*s.dst, 0), u = plane_view(*s.dst, 1), v = plane_view(*s.dst, 2);
  for (int r = 0; r < 8; ++r)
    for (int c = 0; c < 8; ++c) {
      ASSERT_EQ(y.at(16 + c, 8 + r), 3 * 29 + 8 + r + 1);
      ASSERT_EQ(y.at(c, r), 1);
    }
  for (int r = 0; r < 4; ++r)
    for (int c = 0; c < 4; ++c) {
      ASSERT_EQ(u.at(8 + c, 4 + r), 5 * 14 + 4 + r);
      ASSERT_EQ(v.at(8 + c, 4 + r), 7 * 14 + 4 + r);
    }
}

TEST(CpuInter, CompoundAveragesAndResidualIsAdded) {
  InterSetup s(2, 2);
  fill_plane(*s.ref0, 0, [](int, int) { return 10; });
  fill_plane(*s.ref1, 0, [](int, int) { return 21; });
  dd_block blk = inter_block(0, 0, 4, 4, DD_FILTER_REGULAR, 5, -3);
  blk.flags |= DD_BLOCK_COMPOUND;
  blk.ref[0] = 0;
  blk.ref[1] = 1;
  s.w.blocks.push_back(blk);
  dd_tx_block t = tx(0, 8, 8, DD_TX_4X4, DD_MODE_INTER, 0);
  t.eob = 1;
  s.w.coeffs.assign(16, 0);
  s.w.coeffs[0] = -77;  // residual -2 (see Vp9Itx.DcOnly...)
  s.w.tx_blocks.push_back(t);
  s.run();
  PlaneView y = plane_view(*s.dst, 0);
  EXPECT_EQ(y.at(0, 0), 16);    // (10 + 21 + 1) >> 1
  EXPECT_EQ(y.at(15, 15), 16);
  EXPECT_EQ(y.at(8, 8), 14);    // + residual
  EXPECT_EQ(y.at(11, 11), 14);
  EXPECT_EQ(y.at(12, 8), 16);
}

TEST(CpuInter, Sub8x8ChromaUsesTheRoundedAverageVector) {
  // Chroma ramp 16 * x with the bilinear filter: the prediction at chroma
  // (4, 0) is 64 + (mv in 1/16 chroma pixels).
  for (int sign : {1, -1}) {
    InterSetup s(2, 1);
    fill_plane(*s.ref0, 1, [](int x, int) { return 16 * x; });
    dd_block blk = inter_block(8, 0, 2, 2, DD_FILTER_BILINEAR, 0, 0);
    const int cols[4] = {1, 1, 1, 2};  // sum 5 -> 5/4 rounds to 1; -5 -> -1
    for (int k = 0; k < 4; ++k) blk.mv[k][0][1] = static_cast<int16_t>(sign * cols[k]);
    s.w.blocks.push_back(blk);
    s.run();
    EXPECT_EQ(plane_view(*s.dst, 1).at(4, 0), 64 + sign) << sign;
    // Luma: each 4x4 uses its own vector: 1/8 pel of ramp 0 -> 0.
  }
  InterSetup s(2, 1);
  fill_plane(*s.ref0, 1, [](int x, int) { return 16 * x; });
  dd_block blk = inter_block(8, 0, 2, 2, DD_FILTER_BILINEAR, 0, 0);
  const int cols[4] = {3, 3, 2, 2};  // sum 10 -> 10/4 = 2.5 rounds away from zero to 3
  for (int k = 0; k < 4; ++k) blk.mv[k][0][1] = static_cast<int16_t>(cols[k]);
  s.w.blocks.push_back(blk);
  s.run();
  EXPECT_EQ(plane_view(*s.dst, 1).at(4, 0), 67);
}

TEST(CpuInter, Sub8x8LumaUsesOneVectorPer4x4) {
  InterSetup s(2, 1);
  fill_plane(*s.ref0, 0, [](int x, int) { return 8 * x; });
  dd_block blk = inter_block(8, 0, 2, 2, DD_FILTER_BILINEAR, 0, 0);
  const int cols[4] = {0, 1, 2, 3};  // 1/8 pel: bilinear on 8x ramp adds mv
  for (int k = 0; k < 4; ++k) blk.mv[k][0][1] = static_cast<int16_t>(cols[k]);
  s.w.blocks.push_back(blk);
  s.run();
  PlaneView y = plane_view(*s.dst, 0);
  EXPECT_EQ(y.at(8, 0), 64);
  EXPECT_EQ(y.at(12, 0), 96 + 1);
  EXPECT_EQ(y.at(8, 4), 64 + 2);
  EXPECT_EQ(y.at(12, 4), 96 + 3);
  EXPECT_EQ(y.at(15, 7), 120);  // 15 + 3/8 px: the right neighbour clamps to column 15
}

TEST(CpuInter, ScaledReferenceStepsAndChromaPositionQuirk) {
  // Current frame 64x16, reference 128x32 (2:1): luma pixel c of a block at
  // x = 8 reads reference column 16 + 2c.
  {
    auto b = create_cpu_backend();
    FrameWork w = frame(8, 2);
    auto dst = b->create_surface(64, 16);
    auto ref = b->create_surface(128, 32);
    fill_plane(*ref, 0, [](int x, int) { return x; });
    fill_plane(*ref, 1, [](int x, int) { return 2 * x; });
    w.params.refs[0] = {128, 32, 2 << 14, 2 << 14};
    w.blocks.push_back(inter_block(8, 0, 3, 3, DD_FILTER_REGULAR, 0, 0));
    Surface* refs[3] = {ref.get(), nullptr, nullptr};
    b->begin_frame(counted(w));
    b->residual(w);
    b->inter_pred(w, *dst, refs);
    b->end_frame();
    PlaneView y = plane_view(*dst, 0), u = plane_view(*dst, 1);
    for (int c = 0; c < 8; ++c) EXPECT_EQ(y.at(8 + c, 0), 16 + 2 * c) << c;
    for (int c = 0; c < 4; ++c) EXPECT_EQ(u.at(4 + c, 0), 2 * (8 + 2 * c)) << c;
  }
  // Scale 17/16 (current 64 wide, reference 68): chroma x = 4 has position
  // (scale(64) & ~15) + (scale(128) & 15) = 64 + (136 & 15) = 72 in 1/16,
  // i.e. 4.5 px, where exact scaling would give 68 (4.25 px). On a chroma
  // ramp 16 * x with bilinear that is 72 instead of 68.
  {
    auto b = create_cpu_backend();
    FrameWork w = frame(8, 2);
    auto dst = b->create_surface(64, 16);
    auto ref = b->create_surface(68, 17);
    fill_plane(*ref, 1, [](int x, int) { return 16 * x; });
    w.params.refs[0] = {68, 17, (68 << 14) / 64, (17 << 14) / 16};
    w.blocks.push_back(inter_block(8, 0, 3, 3, DD_FILTER_BILINEAR, 0, 0));
    Surface* refs[3] = {ref.get(), nullptr, nullptr};
    b->begin_frame(counted(w));
    b->residual(w);
    b->inter_pred(w, *dst, refs);
    b->end_frame();
    EXPECT_EQ(plane_view(*dst, 1).at(4, 0), 72);
  }
}

TEST(CpuInter, Nv12ReferenceGivesTheSamePredictionAsPlanar) {
  // References may be NV12 CAPTURE buffers: U and V interleaved (step 2).
  // A compound, sub-pel, edge-crossing block must predict the same from
  // both forms of the same picture (visible 30x22 inside a 32x24 frame).
  InterSetup planar(4, 3);
  fill_plane(*planar.ref0, 0, [](int x, int y) { return (x * 37 + y * 11) & 255; });
  fill_plane(*planar.ref0, 1, [](int x, int y) { return (x * 13 + y * 29) & 255; });
  fill_plane(*planar.ref0, 2, [](int x, int y) { return (x * 7 + y * 53 + 9) & 255; });
  fill_plane(*planar.ref1, 0, [](int x, int y) { return (x * 5 + y * 3) & 255; });
  fill_plane(*planar.ref1, 1, [](int x, int y) { return (x * 9 + y) & 255; });
  fill_plane(*planar.ref1, 2, [](int x, int y) { return (x + y * 17) & 255; });
  for (int i = 0; i < 2; ++i) planar.w.params.refs[i] = {30, 22, 1 << 14, 1 << 14};
  dd_block blk = inter_block(16, 8, 4, 4, DD_FILTER_SHARP, 13, 21);
  blk.flags |= DD_BLOCK_COMPOUND;
  blk.ref[1] = 1;
  blk.mv[0][1][0] = -7;
  blk.mv[0][1][1] = 30;
  planar.w.blocks.push_back(blk);
  planar.w.blocks.push_back(inter_block(0, 0, 3, 3, DD_FILTER_SMOOTH, -5, -9));

  // Same pictures as NV12 (visible size, padded strides).
  std::vector<std::vector<uint8_t>> mems;
  std::vector<std::shared_ptr<Surface>> nv12;
  for (Surface* ref : {planar.ref0.get(), planar.ref1.get()}) {
    Nv12Layout l;
    l.width = 30;
    l.height = 22;
    l.y_stride = 40;
    l.uv_offset = 40 * 22;
    l.uv_stride = 40;
    l.size_bytes = l.uv_offset + 40 * 11;
    mems.emplace_back(l.size_bytes, 0);
    nv12.push_back(planar.b->wrap_nv12(l, mems.back().data(), -1));
    FrameWork w = frame(1, 1);
    planar.b->begin_frame(counted(w));
    planar.b->pack_nv12(*ref, *nv12.back());
    planar.b->end_frame();
  }
  InterSetup packed(4, 3);
  packed.w = planar.w;
  packed.refs[0] = nv12[0].get();
  packed.refs[1] = nv12[1].get();
  planar.run();
  packed.run();
  for (int p = 0; p < 3; ++p) {
    PlaneView a = plane_view(*planar.dst, p), b = plane_view(*packed.dst, p);
    for (int y = 0; y < a.height; ++y)
      for (int x = 0; x < a.width; ++x) ASSERT_EQ(a.at(x, y), b.at(x, y)) << "plane " << p << " " << x << "," << y;
  }
  EXPECT_NE(plane_view(*planar.dst, 0).at(20, 12), 0);
}

// ------------------------------------------------------------ loop filter

TEST(CpuLoopFilter, FiltersOnlyTheFlaggedEdges) {
  auto b = create_cpu_backend();
  FrameWork w = frame(2, 1);  // 16x8 luma
  auto s = b->create_surface(16, 8);
  fill_plane(*s, 0, [](int x, int) { return x < 8 ? 60 : 70; });
  w.params.lf_cols[0] = 4;
  w.params.lf_rows[0] = 2;
  w.lf[0].assign(8, dd_lf_unit{32, 0, 0, 0});
  w.lf[0][2].left_size = 4;  // unit (2, 0): vertical edge at x = 8, rows 0..3
  b->begin_frame(counted(w));
  b->loop_filter(w, *s);
  b->end_frame();
  PlaneView y = plane_view(*s, 0);
  const int want[16] = {60, 60, 60, 60, 60, 60, 62, 64, 66, 68, 70, 70, 70, 70, 70, 70};
  for (int x = 0; x < 16; ++x) {
    for (int r = 0; r < 4; ++r) EXPECT_EQ(y.at(x, r), want[x]) << x << "," << r;
    for (int r = 4; r < 8; ++r) EXPECT_EQ(y.at(x, r), x < 8 ? 60 : 70) << x << "," << r;
  }
}

TEST(CpuLoopFilter, VerticalEdgesOfASuperblockComeBeforeItsHorizontalEdges) {
  // A vertical and a horizontal edge crossing: the order changes the
  // corner pixels. Model: apply lpf_v first then lpf_h on a copy.
  auto b = create_cpu_backend();
  FrameWork w = frame(2, 2);
  auto s = b->create_surface(16, 16);
  fill_plane(*s, 0, [](int x, int y) { return 40 + (x >= 8 ? 9 : 0) + (y >= 8 ? 5 : 0) + ((x * 7 + y * 3) % 3); });
  std::vector<uint8_t> model(16 * 16);
  PlaneView y = plane_view(*s, 0);
  for (int r = 0; r < 16; ++r)
    for (int c = 0; c < 16; ++c) model[r * 16 + c] = y.at(c, r);
  w.params.lf_cols[0] = 4;
  w.params.lf_rows[0] = 4;
  w.lf[0].assign(16, dd_lf_unit{20, 0, 0, 0});
  for (int uy = 0; uy < 4; ++uy) w.lf[0][uy * 4 + 2].left_size = 8;
  for (int ux = 0; ux < 4; ++ux) w.lf[0][2 * 4 + ux].top_size = 8;
  const LpfLimits lim = lpf_limits(20, 0);
  vp9_dsp_c().lpf_v[1](model.data() + 8, 16, 16, lim.blimit, lim.limit, lim.thresh);
  vp9_dsp_c().lpf_h[1](model.data() + 8 * 16, 16, 16, lim.blimit, lim.limit, lim.thresh);
  b->begin_frame(counted(w));
  b->loop_filter(w, *s);
  b->end_frame();
  int changed = 0;
  for (int r = 0; r < 16; ++r)
    for (int c = 0; c < 16; ++c) {
      EXPECT_EQ(y.at(c, r), model[r * 16 + c]) << c << "," << r;
      changed += (r >= 4 && r < 12 && c >= 4 && c < 12);
    }
  EXPECT_GT(changed, 0);
}

// ------------------------------------------------------------ pack

TEST(CpuPack, Nv12OfOddWidth) {
  auto b = create_cpu_backend();
  auto src = b->create_surface(5, 3);
  fill_plane(*src, 0, [](int x, int y) { return x + 10 * y; });
  fill_plane(*src, 1, [](int x, int y) { return 100 + x + 10 * y; });
  fill_plane(*src, 2, [](int x, int y) { return 200 + x + 10 * y; });
  Nv12Layout l;
  l.width = 5;
  l.height = 3;
  l.y_offset = 0;
  l.y_stride = 8;
  l.uv_offset = 24;
  l.uv_stride = 8;
  l.size_bytes = 40;
  std::vector<uint8_t> mem(40, 0xEE);
  auto dst = b->wrap_nv12(l, mem.data(), -1);
  FrameWork w = frame(1, 1);
  b->begin_frame(counted(w));
  b->pack_nv12(*src, *dst);
  b->end_frame();
  for (int y = 0; y < 3; ++y)
    for (int x = 0; x < 8; ++x) EXPECT_EQ(mem[y * 8 + x], x < 5 ? x + 10 * y : 0xEE) << x << "," << y;
  // chroma 3x2 samples, interleaved U V
  for (int y = 0; y < 2; ++y)
    for (int x = 0; x < 8; ++x) {
      const int want = x < 6 ? (x % 2 ? 200 : 100) + x / 2 + 10 * y : 0xEE;
      EXPECT_EQ(mem[24 + y * 8 + x], want) << x << "," << y;
    }
  EXPECT_GE(b->timing(Stage::kPackNv12).cpu_ms, 0.0);
}

// A 6x4 picture whose samples tell where they came from, and the 64-byte
// NV12 layout (strides 8, CbCr at 32) the in-place pack tests write it to.
std::shared_ptr<Surface> numbered_6x4(Backend& b) {
  auto src = b.create_surface(6, 4);
  fill_plane(*src, 0, [](int x, int y) { return 1 + x + 6 * y; });
  fill_plane(*src, 1, [](int x, int y) { return 100 + x + 3 * y; });
  fill_plane(*src, 2, [](int x, int y) { return 200 + x + 3 * y; });
  return src;
}

Nv12Layout strided_6x4_layout() {
  Nv12Layout l;
  l.width = 6;
  l.height = 4;
  l.y_stride = 8;
  l.uv_offset = 32;
  l.uv_stride = 8;
  l.size_bytes = 64;
  return l;
}

// pack_nv12 in a frame of its own.
void pack_alone(Backend& b, Surface& src, Surface& dst) {
  FrameWork w = frame(1, 1);
  b.begin_frame(counted(w));
  b.pack_nv12(src, dst);
  b.end_frame();
}

TEST(CpuPack, Nv12IntoAMappedFdIsWrittenInPlace) {
  // A memfd stands in for a dmabuf: the backend maps it and packs into the
  // mapping; reading the fd back shows the bytes.
  auto b = create_cpu_backend();
  auto src = numbered_6x4(*b);
  const int fd = memfd_create("dd-nv12", 0);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(0, ftruncate(fd, 64));
  Nv12Layout l = strided_6x4_layout();
  {
    auto dst = b->wrap_nv12(l, nullptr, fd);
    pack_alone(*b, *src, *dst);
  }  // unmapped here
  uint8_t back[64];
  ASSERT_EQ(64, pread(fd, back, 64, 0));
  close(fd);
  EXPECT_EQ(back[0], 1);
  EXPECT_EQ(back[3 * 8 + 5], 1 + 5 + 18);
  EXPECT_EQ(back[6], 0);  // stride padding untouched
  EXPECT_EQ(back[32 + 8 + 4], 100 + 2 + 3);  // U of chroma (2, 1)
  EXPECT_EQ(back[32 + 8 + 5], 200 + 2 + 3);  // V of chroma (2, 1)
  l.uv_offset = 60;  // CbCr plane would run past the buffer
  std::vector<uint8_t> mem(64);
  EXPECT_THROW(b->wrap_nv12(l, mem.data(), -1), daedalus::Error);
}

TEST(CpuPack, Nv12OfItsOwnMemoryWhenGivenNone) {
  // Neither host memory nor a dmabuf: the backend's own zero-filled memory
  // (a decoder's output for callers that take bytes), packed into in place.
  auto b = create_cpu_backend();
  auto src = numbered_6x4(*b);
  Nv12Layout l = strided_6x4_layout();
  auto dst = b->wrap_nv12(l, nullptr, -1);
  ASSERT_EQ(dst->format(), SurfaceFormat::kNv12);
  ASSERT_EQ(dst->size_bytes(), 64u);
  const uint8_t* bytes = dst->host_data();
  ASSERT_NE(bytes, nullptr);
  EXPECT_EQ(bytes[0], 0);
  pack_alone(*b, *src, *dst);
  EXPECT_EQ(bytes[3 * 8 + 5], 1 + 5 + 18);
  EXPECT_EQ(bytes[6], 0);
  EXPECT_EQ(bytes[32 + 8 + 5], 200 + 2 + 3);
  l.uv_offset = 60;  // the layout is checked as for caller memory
  EXPECT_THROW(b->wrap_nv12(l, nullptr, -1), daedalus::Error);
}

// ------------------------------------------------------------ bad input

TEST(CpuBadInput, ClearErrorsInsteadOfCrashes) {
  auto b = create_cpu_backend();
  FrameWork w = frame(1, 1);
  dd_tx_block t = tx(0, 0, 0, DD_TX_8X8, DD_DC_PRED, 0);
  t.eob = 3;
  t.coeff_offset = 10;  // 10 + 64 > 16 coefficients
  w.coeffs.assign(16, 0);
  w.tx_blocks.push_back(t);
  EXPECT_THROW(b->begin_frame(counted(w)), daedalus::Error);
  w.tx_blocks[0] = tx(0, 64, 0, DD_TX_4X4, DD_DC_PRED, 0);  // outside the plane
  EXPECT_THROW(b->begin_frame(counted(w)), daedalus::Error);
  w.tx_blocks.clear();
  w.blocks.push_back(inter_block(0, 0, 3, 3, 0, 0, 0));
  auto s = b->create_surface(8, 8);
  Surface* refs[3] = {};
  b->begin_frame(counted(w));
  b->residual(w);
  EXPECT_THROW(b->inter_pred(w, *s, refs), daedalus::Error);  // missing reference
  auto small = b->create_surface(4, 4);
  EXPECT_THROW(b->intra_recon(w, *small), daedalus::Error);  // destination too small
  EXPECT_THROW(b->create_surface(0, 5), daedalus::Error);
}

TEST(CpuBadInput, RandomWorkRunsOrFailsCleanly) {
  // Random (mostly invalid) work descriptions: every stage must either run
  // or throw daedalus::Error; memory errors show up under
  // -DDAEDALUS_SANITIZE=ON.
  std::mt19937 rng(2024);
  auto rnd = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  auto b = create_cpu_backend();
  int ran = 0;
  for (int iter = 0; iter < 300; ++iter) {
    FrameWork w = frame(rnd(1, 10), rnd(1, 10));
    const int fw = int(w.params.mi_cols) * 8, fh = int(w.params.mi_rows) * 8;
    const bool valid = iter % 2;  // half the cases stay within the format's rules
    if (!valid && rnd(0, 9) == 0) w.params.ss_x = rnd(0, 40);
    w.coeffs.resize(size_t(rnd(0, 3000)));
    for (auto& c : w.coeffs) c = static_cast<int16_t>(rnd(-3000, 3000));
    for (int i = rnd(0, 60); i > 0; --i) {
      const int plane = rnd(0, 2), size = valid ? rnd(0, 3) : rnd(0, 5);
      const int pw = plane ? fw / 2 : fw, ph = plane ? fh / 2 : fh;
      dd_tx_block t = tx(plane, valid ? rnd(0, pw - 1) & ~3 : rnd(0, 600), valid ? rnd(0, ph - 1) & ~3 : rnd(0, 600),
                         size, rnd(0, 10) == 0 ? DD_MODE_INTER : rnd(0, valid ? 9 : 20), rnd(0, 7));
      t.tx_type = static_cast<uint8_t>(valid ? (size == 0 ? rnd(0, 4) : rnd(0, 3)) : rnd(0, 9));
      t.eob = static_cast<uint16_t>(rnd(0, 3));
      const int n = 4 << std::min(size, 3);
      t.coeff_offset = static_cast<uint32_t>(valid ? rnd(0, std::max(0, int(w.coeffs.size()) - n * n)) : rnd(0, 4000));
      if (valid && int(w.coeffs.size()) < n * n) t.eob = 0;
      w.tx_blocks.push_back(t);
    }
    for (int i = rnd(0, 20); i > 0; --i) {
      dd_block blk = inter_block(valid ? rnd(0, fw - 1) & ~7 : rnd(0, 300), valid ? rnd(0, fh - 1) & ~7 : rnd(0, 300),
                                 valid ? rnd(2, 6) : rnd(0, 9), valid ? rnd(2, 6) : rnd(0, 9), rnd(0, valid ? 3 : 7),
                                 rnd(-32768, 32767), rnd(-32768, 32767));
      blk.flags = static_cast<uint8_t>(rnd(0, 7));
      blk.ref[0] = static_cast<uint8_t>(rnd(0, valid ? 2 : 5));
      blk.ref[1] = static_cast<uint8_t>(rnd(0, valid ? 2 : 5));
      for (auto& m : blk.mv)
        for (auto& r : m)
          for (auto& c : r) c = static_cast<int16_t>(rnd(-32768, 32767));
      w.blocks.push_back(blk);
    }
    for (auto& r : w.params.refs) {
      r.width = uint32_t(rnd(valid ? 1 : 0, 200));
      r.height = uint32_t(rnd(valid ? 1 : 0, 200));
      r.x_scale_q14 = valid ? rnd(1 << 10, 2 << 14) : rnd(-5, 1 << 16);
      r.y_scale_q14 = valid ? rnd(1 << 10, 2 << 14) : rnd(-5, 1 << 16);
    }
    for (int p = 0; p < 3; ++p) {
      w.params.lf_cols[p] = uint32_t(p ? fw / 8 : fw / 4);
      w.params.lf_rows[p] = uint32_t(p ? fh / 8 : fh / 4);
      w.lf[p].resize(size_t(w.params.lf_cols[p]) * w.params.lf_rows[p] + (valid ? 0 : rnd(0, 1)));
      static const uint8_t sizes[4] = {0, 4, 8, 16};
      for (auto& u : w.lf[p])
        u = dd_lf_unit{uint8_t(rnd(0, valid ? 63 : 255)), sizes[rnd(0, 3)], sizes[rnd(0, 3)], 0};
    }
    auto dst = valid ? b->create_surface(uint32_t(fw), uint32_t(fh))
                     : b->create_surface(uint32_t(rnd(1, 90)), uint32_t(rnd(1, 90)));
    std::shared_ptr<Surface> ref_surfaces[3];
    Surface* refs[3] = {};
    for (int i = 0; i < 3; ++i)
      if (valid || rnd(0, 5)) {
        ref_surfaces[i] = b->create_surface(uint32_t(rnd(1, 200)), uint32_t(rnd(1, 200)));
        refs[i] = ref_surfaces[i].get();
      }
    try {
      b->begin_frame(counted(w));
      b->residual(w);
      b->inter_pred(w, *dst, refs);
      b->intra_recon(w, *dst);
      b->loop_filter(w, *dst);
      b->end_frame();
      ++ran;
    } catch (const daedalus::Error&) {
    }
  }
  EXPECT_GE(ran, 150);  // every valid case got through every stage
}

}  // namespace
}  // namespace daedalus::dispatch::cpu
