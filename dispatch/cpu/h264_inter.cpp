// SPDX-License-Identifier: MIT
// H.264 inter prediction (8.4.2) on the CPU: the luma 6-tap quarter-sample
// interpolation, chroma eighth-sample bilinear interpolation, explicit
// weighting, and the h264_inter_pred stage over a picture's inter blocks.
// Written sample by sample after the spec's equations: it is the reference
// the checker and the GPU shaders are compared with.
#include <algorithm>
#include <array>
#include <memory>
#include <vector>

#include <fmt/format.h>

#include "cpu_surface.h"
#include "daedalus/error.h"
#include "h264_dsp.h"
#include "h264_stages.h"
#include "h264_work_checks.h"

namespace daedalus::dispatch::cpu {
namespace {

uint8_t clip1(int v) { return static_cast<uint8_t>(std::clamp(v, 0, 255)); }

// A reference sample with the picture's edge repeated (8-228, 8-229).
int sample(const McRef& r, int x, int y) {
  return r.data[std::clamp(y, 0, r.height - 1) * r.stride + std::clamp(x, 0, r.width - 1)];
}

int tap6(int e, int f, int g, int h, int i, int j) { return e - 5 * f + 20 * g + 20 * h - 5 * i + j; }

// b1 / h1 of 8-241 / 8-242: the horizontal / vertical intermediate half
// sample right of / below integer sample (x, y).
int half_h(const McRef& r, int x, int y) {
  return tap6(sample(r, x - 2, y), sample(r, x - 1, y), sample(r, x, y), sample(r, x + 1, y), sample(r, x + 2, y),
              sample(r, x + 3, y));
}
int half_v(const McRef& r, int x, int y) {
  return tap6(sample(r, x, y - 2), sample(r, x, y - 1), sample(r, x, y), sample(r, x, y + 1), sample(r, x, y + 2),
              sample(r, x, y + 3));
}
// j1 of 8-243: the centre half sample, from the vertical intermediates.
int half_c(const McRef& r, int x, int y) {
  return tap6(half_v(r, x - 2, y), half_v(r, x - 1, y), half_v(r, x, y), half_v(r, x + 1, y), half_v(r, x + 2, y),
              half_v(r, x + 3, y));
}

// The luma prediction sample at integer (x, y) + (fx, fy) quarters, Table
// 8-12: G the integer sample, b / h / j the half samples right, below and
// centre, s / m those of the next row / column.
int luma_sample(const McRef& r, int x, int y, int fx, int fy) {
  const auto G = [&] { return sample(r, x, y); };
  const auto b = [&](int dy = 0) { return clip1((half_h(r, x, y + dy) + 16) >> 5); };
  const auto h = [&](int dx = 0) { return clip1((half_v(r, x + dx, y) + 16) >> 5); };
  const auto j = [&] { return clip1((half_c(r, x, y) + 512) >> 10); };
  const auto avg = [](int p, int q) { return (p + q + 1) >> 1; };
  switch (fy * 4 + fx) {
    case 0: return G();
    case 1: return avg(G(), b());                       // a
    case 2: return b();                                 // b
    case 3: return avg(sample(r, x + 1, y), b());       // c
    case 4: return avg(G(), h());                       // d
    case 5: return avg(b(), h());                       // e
    case 6: return avg(b(), j());                       // f
    case 7: return avg(b(), h(1));                      // g: b and m
    case 8: return h();                                 // h
    case 9: return avg(h(), j());                       // i
    case 10: return j();                                // j
    case 11: return avg(j(), h(1));                     // k: j and m
    case 12: return avg(sample(r, x, y + 1), h());      // n
    case 13: return avg(h(), b(1));                     // p: h and s
    case 14: return avg(j(), b(1));                     // q: j and s
    default: return avg(h(1), b(1));                    // r: m and s
  }
}

}  // namespace

void h264_mc_luma(uint8_t* dst, ptrdiff_t stride, const McRef& ref, int x, int y, int fx, int fy, int w, int h) {
  for (int i = 0; i < h; ++i)
    for (int k = 0; k < w; ++k) dst[i * stride + k] = static_cast<uint8_t>(luma_sample(ref, x + k, y + i, fx, fy));
}

void h264_mc_chroma(uint8_t* dst, ptrdiff_t stride, const McRef& ref, int x, int y, int fx, int fy, int w, int h) {
  for (int i = 0; i < h; ++i)
    for (int k = 0; k < w; ++k) {
      const int A = sample(ref, x + k, y + i), B = sample(ref, x + k + 1, y + i);
      const int C = sample(ref, x + k, y + i + 1), D = sample(ref, x + k + 1, y + i + 1);
      dst[i * stride + k] = static_cast<uint8_t>(
          ((8 - fx) * (8 - fy) * A + fx * (8 - fy) * B + (8 - fx) * fy * C + fx * fy * D + 32) >> 6);
    }
}

void h264_weight(uint8_t* dst, ptrdiff_t stride, int w, int h, int log2_denom, int weight, int offset) {
  for (int i = 0; i < h; ++i)
    for (int k = 0; k < w; ++k) {
      uint8_t& p = dst[i * stride + k];
      p = log2_denom >= 1 ? clip1(((p * weight + (1 << (log2_denom - 1))) >> log2_denom) + offset)
                          : clip1(p * weight + offset);
    }
}

void H264CpuStages::inter_pred(const H264FrameWork& work, Surface& dst, std::span<Surface* const> refs) {
  h264::check_work(work, "cpu backend");
  const auto& p = work.params;
  const PlaneView planes[3] = {plane_view(dst, 0), plane_view(dst, 1), plane_view(dst, 2)};
  if (dst.format() != SurfaceFormat::kPlanar420 || planes[0].width < int(p.mb_cols * 16) ||
      planes[0].height < int(p.mb_rows * 16))
    throw Error("cpu backend: h264_inter_pred needs the planar surface of the picture");
  std::vector<std::array<McRef, 3>> ref_planes;
  for (Surface* s : refs) {
    if (!s || s == &dst || s->format() != SurfaceFormat::kPlanar420 || s->plane(0).width != dst.plane(0).width ||
        s->plane(0).height != dst.plane(0).height)
      throw Error("cpu backend: h264_inter_pred: a reference is missing or not a planar surface of the picture's size");
    std::array<McRef, 3> r;
    for (int pl = 0; pl < 3; ++pl) {
      const PlaneView v = plane_view(*s, pl);
      // The reference is the decoded area, mb_cols*16 x mb_rows*16 (8.4.2.2).
      r[size_t(pl)] = {v.data, v.stride, int(p.mb_cols * 16) >> (pl ? 1 : 0), int(p.mb_rows * 16) >> (pl ? 1 : 0)};
    }
    ref_planes.push_back(r);
  }
  const CpuAccess access(dst, true);
  std::vector<std::unique_ptr<CpuAccess>> ref_access;
  for (Surface* s : refs) ref_access.push_back(std::make_unique<CpuAccess>(*s, false));
  const H264Dsp& dsp = h264_dsp_c();
  for (const dd_h264_inter_block& b : work.inter) {
    if (b.ref >= ref_planes.size())
      throw Error(fmt::format("cpu backend: h264 inter block names reference {} of {}", b.ref, ref_planes.size()));
    const auto& r = ref_planes[b.ref];
    uint8_t* y = &planes[0].at(b.x, b.y);
    dsp.mc_luma(y, planes[0].stride, r[0], b.x + (b.mv[0] >> 2), b.y + (b.mv[1] >> 2), b.mv[0] & 3, b.mv[1] & 3, b.w,
                b.h);
    if (b.flags & DD_H264_INTER_WEIGHTED)
      dsp.weight(y, planes[0].stride, b.w, b.h, b.luma_log2_denom, b.luma_weight, b.luma_offset);
    for (int pl = 0; pl < 2; ++pl) {
      uint8_t* c = &planes[1 + pl].at(b.x / 2, b.y / 2);
      dsp.mc_chroma(c, planes[1 + pl].stride, r[size_t(1 + pl)], b.x / 2 + (b.mv[0] >> 3), b.y / 2 + (b.mv[1] >> 3),
                    b.mv[0] & 7, b.mv[1] & 7, b.w / 2, b.h / 2);
      if (b.flags & DD_H264_INTER_WEIGHTED)
        dsp.weight(c, planes[1 + pl].stride, b.w / 2, b.h / 2, b.chroma_log2_denom, b.chroma_weight[pl],
                   b.chroma_offset[pl]);
    }
  }
}

}  // namespace daedalus::dispatch::cpu
