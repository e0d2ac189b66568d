// SPDX-License-Identifier: MIT
// The checker's H.264 stage tests: random but valid H.264 pictures
// (macroblock types, prediction modes allowed by each block's neighbours,
// slices, coefficients from DC-only to full and extreme, I_PCM, deblocking
// parameters) through both backends' h264_* stages, outputs compared.
#include <fmt/format.h>

#include <algorithm>
#include <cstring>

#include "checkasm.h"
#include "daedalus/dispatch/h264_shared.h"

namespace daedalus::checkasm {
namespace {

enum class Coeffs { kDcOnly, kFull, kMixed, kExtreme };

struct PictureOpts {
  uint32_t cols = 4, rows = 3;
  Coeffs coeffs = Coeffs::kMixed;
  int pcm_percent = 5;
  int slice_percent = 10;  // chance that a macroblock starts a new slice
  bool any_mode = false;   // modes regardless of availability (none in a valid stream)
  int idc = -1;            // disable_deblocking_filter_idc of every slice; -1: random per slice
};

// A mode of `allowed` (bit per mode), chosen at random.
int pick(Rng& rng, uint32_t allowed) {
  int n = 0, modes[16];
  for (int m = 0; m < 16; ++m)
    if (allowed & (1u << m)) modes[n++] = m;
  return modes[rng.range(0, n - 1)];
}

// Intra 4x4 / 8x8 modes whose samples are available (Tables 8-2, 8-3).
uint32_t nxn_modes(bool top, bool left, bool top_left) {
  uint32_t m = 1u << 2;                          // DC
  if (top) m |= 1u << 0 | 1u << 3 | 1u << 7;     // V, DDL, VL
  if (left) m |= 1u << 1 | 1u << 8;              // H, HU
  if (top && left && top_left) m |= 1u << 4 | 1u << 5 | 1u << 6;  // DDR, VR, HD
  return m;
}
// Intra 16x16 (V, H, DC, plane) and chroma (DC, H, V, plane).
uint32_t large_modes(bool top, bool left, bool top_left, bool chroma) {
  uint32_t m = 1u << (chroma ? 0 : 2);
  if (top) m |= 1u << (chroma ? 2 : 0);
  if (left) m |= 1u << 1;
  if (top && left && top_left) m |= 1u << 3;
  return m;
}

int16_t level(Rng& rng, Coeffs c, int mag) {
  if (c == Coeffs::kExtreme) {
    if (rng.chance(30)) return rng.chance(50) ? 32767 : -32768;
    return int16_t(rng.range(-32768, 32767));
  }
  return int16_t(rng.range(-mag, mag));
}

// n coefficients of a block in raster order: DC only, a few low
// frequencies, or all of them.
void fill_block(Rng& rng, Coeffs c, int16_t* b, int n, bool skip_dc) {
  const Coeffs kind = c == Coeffs::kMixed ? (rng.chance(40) ? Coeffs::kDcOnly : Coeffs::kFull) : c;
  if (rng.chance(c == Coeffs::kMixed ? 20 : 5)) return;  // no coefficients
  const int side = n == 64 ? 8 : 4;
  for (int i = skip_dc ? 1 : 0; i < n; ++i) {
    const int r = i / side, col = i % side;
    if (kind == Coeffs::kDcOnly && i > 0) break;
    if (kind == Coeffs::kFull || kind == Coeffs::kExtreme || r + col < 3)
      b[i] = level(rng, c, std::max(4, 2400 >> (r + col)));
  }
}

H264FrameWork picture(Rng& rng, const PictureOpts& o) {
  H264FrameWork w;
  auto& p = w.params;
  p.mb_cols = o.cols;
  p.mb_rows = o.rows;
  p.num_mbs = o.cols * o.rows;
  p.width = o.cols * 16 - uint32_t(rng.range(0, 15));
  p.height = o.rows * 16 - uint32_t(rng.range(0, 15));
  w.mbs.resize(p.num_mbs);
  w.coeffs.assign(size_t{p.num_mbs} * H264_MB_COEFFS, 0);
  uint16_t slice = 0;
  uint8_t idc = 0;
  int8_t off_a = 0, off_b = 0;
  for (uint32_t i = 0; i < p.num_mbs; ++i) {
    if (i == 0 || rng.chance(o.slice_percent)) {
      if (i) ++slice;
      idc = uint8_t(o.idc >= 0 ? o.idc : rng.range(0, 2));
      off_a = int8_t(2 * rng.range(-6, 6));
      off_b = int8_t(2 * rng.range(-6, 6));
    }
    dd_h264_mb& m = w.mbs[i];
    m.mb_x = uint16_t(i % o.cols);
    m.mb_y = uint16_t(i / o.cols);
    m.slice = slice;
    m.deblock_idc = idc;
    m.filter_offset_a = off_a;
    m.filter_offset_b = off_b;
    m.coeff_offset = i * H264_MB_COEFFS;
    auto same_slice = [&](int x, int y) {
      return x >= 0 && y >= 0 && x < int(o.cols) && w.mbs[size_t(y) * o.cols + size_t(x)].slice == slice;
    };
    const int x = m.mb_x, y = m.mb_y;
    const bool A = same_slice(x - 1, y), B = same_slice(x, y - 1), C = same_slice(x + 1, y - 1),
               D = same_slice(x - 1, y - 1);
    m.flags = uint8_t((A ? DD_H264_MB_LEFT : 0) | (B ? DD_H264_MB_TOP : 0) | (C ? DD_H264_MB_TOP_RIGHT : 0) |
                      (D ? DD_H264_MB_TOP_LEFT : 0));
    const int r = rng.range(0, 99);
    m.type = uint8_t(r < o.pcm_percent ? DD_H264_MB_PCM : r % 3 == 0 ? DD_H264_MB_I4X4 : r % 3 == 1 ? DD_H264_MB_I8X8
                                                                                               : DD_H264_MB_I16X16);
    const int qp = rng.range(0, 51);
    m.qp[0] = uint8_t(qp);
    m.qp[1] = uint8_t(std::clamp(qp + rng.range(-6, 3), 0, 51));
    m.qp[2] = uint8_t(std::clamp(qp + rng.range(-6, 3), 0, 51));
    int16_t* c = &w.coeffs[m.coeff_offset];
    if (m.type == DD_H264_MB_PCM) {
      for (int k = 0; k < 384; ++k) c[k] = int16_t(rng.range(0, 255));
      continue;
    }
    m.cbp = uint8_t(rng.range(0, 47));
    m.chroma_pred_mode = uint8_t(o.any_mode ? rng.range(0, 3) : pick(rng, large_modes(B, A, D, true)));
    auto scale = [&] {
      return o.coeffs == Coeffs::kExtreme ? rng.range(1, 1 << 22) : rng.range(10, 25) * 16 << rng.range(0, 8);
    };
    for (auto& s : m.dc_scale) s = scale();
    if (m.type == DD_H264_MB_I16X16) {
      m.pred_modes[0] = uint8_t(o.any_mode ? rng.range(0, 3) : pick(rng, large_modes(B, A, D, false)));
      for (int b = 0; b < 16; ++b) fill_block(rng, o.coeffs, c + 16 * b, 16, true);
      fill_block(rng, o.coeffs, c + DD_H264_COEFF_LUMA_DC, 16, false);
    } else {
      const int n = m.type == DD_H264_MB_I4X4 ? 4 : 2;  // blocks per row
      for (int by = 0; by < n; ++by)
        for (int bx = 0; bx < n; ++bx) {
          const bool left = bx > 0 || A, top = by > 0 || B;
          const bool top_left = bx > 0 && by > 0 ? true : bx > 0 ? B : by > 0 ? A : D;
          m.pred_modes[by * n + bx] = uint8_t(o.any_mode ? rng.range(0, 8) : pick(rng, nxn_modes(top, left, top_left)));
          if (n == 4)
            fill_block(rng, o.coeffs, c + 16 * (by * 4 + bx), 16, false);
          else
            fill_block(rng, o.coeffs, c + 64 * (by * 2 + bx), 64, false);
        }
    }
    for (int pl = 0; pl < 2; ++pl) {
      for (int b = 0; b < 4; ++b) fill_block(rng, o.coeffs, c + DD_H264_COEFF_CB + 64 * pl + 16 * b, 16, true);
      fill_block(rng, o.coeffs, c + DD_H264_COEFF_CB_DC + 4 * pl, 4, false);
    }
  }
  return w;
}

// The VP9 frame brackets around the H.264 stages, as daemon/h264 has them.
FrameWork brackets(const H264FrameWork& w) {
  FrameWork f;
  f.params.width = w.params.width;
  f.params.height = w.params.height;
  f.params.bit_depth = 8;
  f.params.ss_x = f.params.ss_y = 1;
  f.params.mi_cols = w.params.mb_cols * 2;
  f.params.mi_rows = w.params.mb_rows * 2;
  return f;
}

struct Stages {
  bool residual = false, intra = false, deblock = false;
};

// Both backends over `work` into identically filled surfaces; the surfaces
// compared, and (with residual) the residuals of every non-PCM macroblock.
void run_case(Env& env, Rng& rng, const H264FrameWork& work, const Stages& s, bool smooth, const std::string& name) {
  const uint32_t w = work.params.mb_cols * 16, h = work.params.mb_rows * 16;
  auto c = env.cpu->create_surface(w, h), v = env.vk->create_surface(w, h);
  if (smooth) {
    // Blocky gradients with small noise: deblocking decisions go every way.
    for (int pl = 0; pl < 3; ++pl) {
      const PlaneLayout& lc = c->plane(pl);
      const PlaneLayout& lv = v->plane(pl);
      const int base = rng.range(40, 200);
      std::vector<int> step(1024);
      for (auto& st : step) st = rng.range(-12, 12);
      for (uint32_t y = 0; y < lc.height; ++y)
        for (uint32_t x = 0; x < lc.width; ++x) {
          const int val = std::clamp(base + int(x + y) / 8 + rng.range(-2, 2) + step[((y / 4) * 37 + x / 4) % 1024], 0, 255);
          c->host_data()[lc.offset + y * lc.stride + x] = uint8_t(val);
          v->host_data()[lv.offset + y * lv.stride + x] = uint8_t(val);
        }
    }
  } else {
    fill_random(rng, *c, *v);
  }
  const std::vector<uint8_t> before(c->host_data(), c->host_data() + c->size_bytes());
  const FrameWork f = brackets(work);
  auto run = [&](Backend& b, Surface& d) {
    b.begin_frame(f);
    if (s.residual) b.h264_residual(work);
    if (s.intra) b.h264_intra_recon(work, d);
    if (s.deblock) b.h264_deblock(work, d);
    b.end_frame();
  };
  run(*env.cpu, *c);
  run(*env.vk, *v);
  Diff d;
  if (s.residual) {
    const std::vector<int16_t> rc = env.cpu->h264_residuals(), rv = env.vk->h264_residuals();
    if (rc.size() != rv.size()) d = fmt::format("residual sizes {} vs {}", rc.size(), rv.size());
    for (size_t i = 0; d.empty() && i < rc.size(); ++i) {
      const size_t mb = i / DD_H264_RES_PER_MB;
      if (work.mbs[mb].type != DD_H264_MB_PCM && rc[i] != rv[i])
        d = fmt::format("residual of macroblock {} sample {}: cpu {} vulkan {}", mb, i % DD_H264_RES_PER_MB, rc[i],
                        rv[i]);
    }
  }
  if (d.empty()) d = compare_surfaces(*c, *v);
  if (d.empty() && (s.intra || s.deblock) && std::equal(before.begin(), before.end(), c->host_data()))
    d = "vacuous: the reference did not change the destination";
  report(env, name, d);
}

void test_h264_residual(Env& env, Rng& rng) {
  const struct {
    const char* name;
    Coeffs coeffs;
  } cases[] = {{"dc_only", Coeffs::kDcOnly}, {"full", Coeffs::kFull}, {"mixed", Coeffs::kMixed},
               {"extreme", Coeffs::kExtreme}};
  for (const auto& k : cases)
    for (int i = 0; i < 3; ++i) {
      PictureOpts o;
      o.cols = uint32_t(rng.range(1, 6));
      o.rows = uint32_t(rng.range(1, 4));
      o.coeffs = k.coeffs;
      run_case(env, rng, picture(rng, o), {true, false, false}, false,
               fmt::format("h264_residual_{}_{}x{}", k.name, o.cols, o.rows));
    }
}

void test_h264_intra(Env& env, Rng& rng) {
  // Picture and slice edges: one-macroblock rows and columns, many slices,
  // no slices; I_PCM neighbours; modes that read unavailable samples.
  const struct {
    const char* name;
    uint32_t cols, rows;
    int slice_percent, pcm_percent;
    bool any_mode;
  } cases[] = {{"1x1", 1, 1, 0, 0, false},        {"row", 7, 1, 10, 5, false},     {"column", 1, 6, 10, 5, false},
               {"one_slice", 6, 5, 0, 5, false},   {"slices", 8, 6, 25, 5, false},  {"mb_slices", 5, 4, 100, 0, false},
               {"pcm", 5, 4, 10, 40, false},       {"any_mode", 6, 5, 15, 5, true}, {"wide", 45, 4, 3, 2, false}};
  for (const auto& k : cases)
    for (int i = 0; i < 2; ++i) {
      PictureOpts o;
      o.cols = k.cols;
      o.rows = k.rows;
      o.slice_percent = k.slice_percent;
      o.pcm_percent = k.pcm_percent;
      o.any_mode = k.any_mode;
      run_case(env, rng, picture(rng, o), {true, true, false}, false, fmt::format("h264_intra_recon_{}_{}", k.name, i));
    }
}

void test_h264_deblock(Env& env, Rng& rng) {
  const struct {
    const char* name;
    uint32_t cols, rows;
    int slice_percent, idc;
  } cases[] = {{"2x2_idc0", 2, 2, 0, 0},         {"one_slice_idc0", 6, 5, 0, 0}, {"slices_idc0", 8, 6, 20, 0},
               {"slices_idc2", 8, 6, 20, 2},     {"mb_slices_idc2", 5, 4, 100, 2}, {"slices_any_idc", 8, 6, 20, -1},
               {"wide", 40, 3, 5, 0}};
  for (const auto& k : cases)
    for (int i = 0; i < 2; ++i) {
      PictureOpts o;
      o.cols = k.cols;
      o.rows = k.rows;
      o.slice_percent = k.slice_percent;
      o.idc = k.idc;
      run_case(env, rng, picture(rng, o), {false, false, true}, true, fmt::format("h264_deblock_{}_{}", k.name, i));
    }
  // Every stage of a picture.
  for (int i = 0; i < 3; ++i) {
    PictureOpts o;
    o.cols = uint32_t(rng.range(2, 12));
    o.rows = uint32_t(rng.range(2, 8));
    run_case(env, rng, picture(rng, o), {true, true, true}, false, fmt::format("h264_frame_{}x{}", o.cols, o.rows));
  }
}

}  // namespace

const std::vector<StageTest>& h264_stage_tests() {
  static const std::vector<StageTest> tests = {
      {"h264_residual", test_h264_residual}, {"h264_intra_recon", test_h264_intra}, {"h264_deblock", test_h264_deblock}};
  return tests;
}

}  // namespace daedalus::checkasm
