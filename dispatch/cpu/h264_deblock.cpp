// SPDX-License-Identifier: MIT
// The H.264 deblocking filter (8.7): boundary strengths of frame
// macroblocks (8.7.2.1: 4 / 3 beside intra macroblocks, 2 for coded
// coefficients, 1 for other references or motion vectors 4 quarter samples
// apart), the edge filters, and the stage that walks the macroblocks in
// raster order, each one's vertical edges left to right, then its
// horizontal edges top to bottom, luma and chroma.
#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdlib>

#include "cpu_surface.h"
#include "daedalus/dispatch/h264_shared.h"
#include "daedalus/error.h"
#include "h264_dsp.h"
#include "h264_stages.h"
#include "h264_work_checks.h"

namespace daedalus::dispatch::cpu {
namespace {

// Tables 8-16 and 8-17, shared with the Vulkan backend's shader
// (daedalus/dispatch/h264_shared.h).
constexpr std::array<uint8_t, 52> kAlpha = {DD_H264_ALPHA};
constexpr std::array<uint8_t, 52> kBeta = {DD_H264_BETA};
constexpr uint8_t kTc0[52][3] = {DD_H264_TC0};

uint8_t clip1(int v) { return static_cast<uint8_t>(std::clamp(v, 0, 255)); }

template <bool kChroma>
void filter_edge(uint8_t* dst, ptrdiff_t step, ptrdiff_t line, int count, int bs, int alpha, int beta, int tc0) {
  for (int i = 0; i < count; ++i, dst += line) {
    const int p0 = dst[-step], p1 = dst[-2 * step], q0 = dst[0], q1 = dst[step];
    if (!(std::abs(p0 - q0) < alpha && std::abs(p1 - p0) < beta && std::abs(q1 - q0) < beta)) continue;
    const int p2 = kChroma ? 0 : dst[-3 * step], q2 = kChroma ? 0 : dst[2 * step];
    const bool ap = !kChroma && std::abs(p2 - p0) < beta, aq = !kChroma && std::abs(q2 - q0) < beta;
    if (bs < 4) {
      const int tc = kChroma ? tc0 + 1 : tc0 + ap + aq;
      const int delta = std::clamp((((q0 - p0) * 4) + (p1 - q1) + 4) >> 3, -tc, tc);
      dst[-step] = clip1(p0 + delta);
      dst[0] = clip1(q0 - delta);
      if (ap) dst[-2 * step] = static_cast<uint8_t>(p1 + std::clamp((p2 + ((p0 + q0 + 1) >> 1) - 2 * p1) >> 1, -tc0, tc0));
      if (aq) dst[step] = static_cast<uint8_t>(q1 + std::clamp((q2 + ((p0 + q0 + 1) >> 1) - 2 * q1) >> 1, -tc0, tc0));
      continue;
    }
    const bool strong = std::abs(p0 - q0) < ((alpha >> 2) + 2);
    if (ap && strong) {
      const int p3 = dst[-4 * step];
      dst[-step] = static_cast<uint8_t>((p2 + 2 * p1 + 2 * p0 + 2 * q0 + q1 + 4) >> 3);
      dst[-2 * step] = static_cast<uint8_t>((p2 + p1 + p0 + q0 + 2) >> 2);
      dst[-3 * step] = static_cast<uint8_t>((2 * p3 + 3 * p2 + p1 + p0 + q0 + 4) >> 3);
    } else {
      dst[-step] = static_cast<uint8_t>((2 * p1 + p0 + q1 + 2) >> 2);
    }
    if (aq && strong) {
      const int q3 = dst[3 * step];
      dst[0] = static_cast<uint8_t>((p1 + 2 * p0 + 2 * q0 + 2 * q1 + q2 + 4) >> 3);
      dst[step] = static_cast<uint8_t>((p0 + q0 + q1 + q2 + 2) >> 2);
      dst[2 * step] = static_cast<uint8_t>((2 * q3 + 3 * q2 + q1 + q0 + p0 + 4) >> 3);
    } else {
      dst[0] = static_cast<uint8_t>((2 * q1 + q0 + p1 + 2) >> 2);
    }
  }
}

}  // namespace

void h264_deblock_luma(uint8_t* dst, ptrdiff_t step, ptrdiff_t line, int count, int bs, int alpha, int beta,
                       int tc0) {
  filter_edge<false>(dst, step, line, count, bs, alpha, beta, tc0);
}
void h264_deblock_chroma(uint8_t* dst, ptrdiff_t step, ptrdiff_t line, int count, int bs, int alpha, int beta,
                         int tc0) {
  filter_edge<true>(dst, step, line, count, bs, alpha, beta, tc0);
}

namespace {

// 8.7.2.1 for frame macroblocks: the bS of the 4x4 blocks q (bx, by) of
// macroblock i and p of macroblock pi across an edge, e == 0 on the
// macroblock edge.
int boundary_strength(const H264FrameWork& work, size_t qi, int qb, size_t pi, int pb, bool mb_edge) {
  const dd_h264_mb &q = work.mbs[qi], &p = work.mbs[pi];
  if (q.type != DD_H264_MB_INTER || p.type != DD_H264_MB_INTER) return mb_edge ? 4 : 3;
  const dd_h264_mb_motion &mq = work.motion[qi], &mp = work.motion[pi];
  if ((mq.nonzero >> qb & 1) || (mp.nonzero >> pb & 1)) return 2;
  if (mq.ref[qb] != mp.ref[pb]) return 1;
  return std::abs(mq.mv[qb][0] - mp.mv[pb][0]) >= 4 || std::abs(mq.mv[qb][1] - mp.mv[pb][1]) >= 4 ? 1 : 0;
}

}  // namespace

void H264CpuStages::deblock(const H264FrameWork& work, Surface& dst) {
  h264::check_work(work, "cpu backend");
  const auto& p = work.params;
  const CpuAccess access(dst, true);
  const H264Dsp& dsp = h264_dsp_c();
  const PlaneView planes[3] = {plane_view(dst, 0), plane_view(dst, 1), plane_view(dst, 2)};
  for (const PlaneView& v : planes)
    if (v.step != 1 || v.width < int(p.mb_cols * 8) || v.height < int(p.mb_rows * 8))
      throw Error("cpu backend: h264_deblock needs the planar surface of the picture");
  if (planes[0].width < int(p.mb_cols * 16) || planes[0].height < int(p.mb_rows * 16))
    throw Error("cpu backend: h264_deblock needs the planar surface of the picture");
  for (size_t i = 0; i < work.mbs.size(); ++i) {
    const dd_h264_mb& m = work.mbs[i];
    if (m.deblock_idc == 1) continue;
    // Macroblock edges: not at the picture's border, and with idc 2 not
    // across a slice boundary.
    const dd_h264_mb* left = m.mb_x > 0 ? &work.mbs[i - 1] : nullptr;
    const dd_h264_mb* top = m.mb_y > 0 ? &work.mbs[i - p.mb_cols] : nullptr;
    if (m.deblock_idc == 2) {
      if (left && left->slice != m.slice) left = nullptr;
      if (top && top->slice != m.slice) top = nullptr;
    }
    const bool transform8x8 =
        m.type == DD_H264_MB_I8X8 || (m.type == DD_H264_MB_INTER && (m.flags & DD_H264_MB_TRANSFORM_8X8));
    for (int dir = 0; dir < 2; ++dir) {  // 0: vertical edges, 1: horizontal
      const dd_h264_mb* neighbour = dir == 0 ? left : top;
      const size_t ni = dir == 0 ? i - 1 : i - p.mb_cols;
      for (int e4 = 0; e4 < 4; ++e4) {  // luma edge 4 * e4
        if (e4 == 0 && !neighbour) continue;
        if (transform8x8 && (e4 & 1)) continue;
        int bs[4];
        for (int k = 0; k < 4; ++k) {
          const int qb = dir == 0 ? k * 4 + e4 : e4 * 4 + k;
          const int pb = e4 > 0 ? (dir == 0 ? qb - 1 : qb - 4) : (dir == 0 ? k * 4 + 3 : 12 + k);
          bs[k] = boundary_strength(work, i, qb, e4 > 0 ? i : ni, pb, e4 == 0);
        }
        for (int pl = 0; pl < 3; ++pl) {
          if (pl && (e4 & 1)) continue;  // chroma edges 0 and 4: luma edges 0 and 8
          const PlaneView& v = planes[pl];
          const int n = pl ? 8 : 16, e = pl ? 2 * e4 : 4 * e4, lines = n / 4;
          const ptrdiff_t step = dir == 0 ? 1 : v.stride, line = dir == 0 ? v.stride : 1;
          const int qp = e4 == 0 ? (m.qp[pl] + neighbour->qp[pl] + 1) >> 1 : m.qp[pl];
          const int index_a = std::clamp(qp + m.filter_offset_a, 0, 51);
          const int index_b = std::clamp(qp + m.filter_offset_b, 0, 51);
          const int alpha = kAlpha[size_t(index_a)], beta = kBeta[size_t(index_b)];
          uint8_t* d = &v.at(m.mb_x * n, m.mb_y * n) + e * step;
          for (int k = 0; k < 4; ++k) {
            if (bs[k] == 0) continue;
            const int tc0 = bs[k] < 4 ? kTc0[index_a][bs[k] - 1] : 0;
            (pl == 0 ? dsp.deblock_luma : dsp.deblock_chroma)(d + k * lines * line, step, line, lines, bs[k], alpha,
                                                               beta, tc0);
          }
        }
      }
    }
  }
}

}  // namespace daedalus::dispatch::cpu
