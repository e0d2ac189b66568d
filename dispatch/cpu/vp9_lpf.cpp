// SPDX-License-Identifier: MIT
// VP9 loop filters (spec "Loop filter process"): per pixel position along
// the edge, a filter mask from limit/blimit, high edge variance from the
// hev threshold, and the flat / flat2 decisions that pick the 4-tap,
// 8-wide (7-tap smoothing) or 16-wide (15-tap smoothing) filter.
#include <algorithm>
#include <cstdlib>

#include "vp9_dsp.h"

namespace daedalus::dispatch::cpu {

LpfLimits lpf_limits(int level, int sharpness) {
  int limit = level >> ((sharpness > 0) + (sharpness > 4));
  if (sharpness > 0) limit = std::min(limit, 9 - sharpness);
  limit = std::max(limit, 1);
  return {2 * (level + 2) + limit, limit, level >> 4};
}

namespace {

inline int clamp_s8(int v) { return std::clamp(v, -128, 127); }

// v[0..2k-1] = p(k-1) .. p0, q0 .. q(k-1) across the edge.
struct Line {
  uint8_t* base;
  ptrdiff_t step;  // distance between successive pixels across the edge
  uint8_t& at(int i) const { return base[i * step]; }  // i = 0 is q0, -1 is p0
};

// The 4-tap filter: changes p1, p0, q0, q1 (p1/q1 only without high edge
// variance), in the signed domain (pixel ^ 0x80).
void filter4(const Line& l, bool hev) {
  const int ps1 = static_cast<int8_t>(l.at(-2) ^ 0x80);
  const int ps0 = static_cast<int8_t>(l.at(-1) ^ 0x80);
  const int qs0 = static_cast<int8_t>(l.at(0) ^ 0x80);
  const int qs1 = static_cast<int8_t>(l.at(1) ^ 0x80);
  int f = hev ? clamp_s8(ps1 - qs1) : 0;
  f = clamp_s8(f + 3 * (qs0 - ps0));
  const int f1 = clamp_s8(f + 4) >> 3;
  const int f2 = clamp_s8(f + 3) >> 3;
  l.at(0) = static_cast<uint8_t>(clamp_s8(qs0 - f1) ^ 0x80);
  l.at(-1) = static_cast<uint8_t>(clamp_s8(ps0 + f2) ^ 0x80);
  if (!hev) {
    const int f3 = (f1 + 1) >> 1;
    l.at(1) = static_cast<uint8_t>(clamp_s8(qs1 - f3) ^ 0x80);
    l.at(-2) = static_cast<uint8_t>(clamp_s8(ps1 + f3) ^ 0x80);
  }
}

// Smoothing over 2k pixels (k = 4: 7-tap filter producing p2..q2; k = 8:
// 15-tap filter producing p6..q6): output i is the sum of the window of
// 2k-1 pixels centred on i (edge pixels replicated) plus pixel i once more,
// rounded by log2(2k). v holds p(k-1) .. q(k-1).
template <int k>
inline void flat_filter(const Line& l, const int* v) {
  constexpr int n = 2 * k, pad = k - 1, shift = k == 4 ? 3 : 4;
  // v with its end pixels replicated pad times on each side, so that the
  // running window (exact integer sums, so the order is free) needs no
  // clamped indices; the loops have constant bounds and unroll.
  int e[n + 2 * pad];
#pragma GCC unroll 16
  for (int i = 0; i < pad; ++i) {
    e[i] = v[0];
    e[pad + n + i] = v[n - 1];
  }
#pragma GCC unroll 16
  for (int i = 0; i < n; ++i) e[pad + i] = v[i];
  int window = 0;  // e[i] .. e[i + 2 pad] = the window centred on v[i]
#pragma GCC unroll 16
  for (int m = 1; m <= 1 + 2 * pad; ++m) window += e[m];
#pragma GCC unroll 16
  for (int i = 1; i < n - 1; ++i) {
    l.at(i - k) = static_cast<uint8_t>((window + v[i] + (1 << (shift - 1))) >> shift);
    window += e[i + 2 * pad + 1] - e[i];
  }
}

// size: 4, 8 or 16.
template <int size>
void filter_line(const Line& l, int blimit, int limit, int thresh) {
  const int p3 = l.at(-4), p2 = l.at(-3), p1 = l.at(-2), p0 = l.at(-1);
  const int q0 = l.at(0), q1 = l.at(1), q2 = l.at(2), q3 = l.at(3);
  const bool mask = std::abs(p3 - p2) <= limit && std::abs(p2 - p1) <= limit && std::abs(p1 - p0) <= limit &&
                    std::abs(q1 - q0) <= limit && std::abs(q2 - q1) <= limit && std::abs(q3 - q2) <= limit &&
                    std::abs(p0 - q0) * 2 + std::abs(p1 - q1) / 2 <= blimit;
  if (!mask) return;
  const bool hev = std::abs(p1 - p0) > thresh || std::abs(q1 - q0) > thresh;
  if constexpr (size >= 8) {
    const bool flat = std::abs(p1 - p0) <= 1 && std::abs(q1 - q0) <= 1 && std::abs(p2 - p0) <= 1 &&
                      std::abs(q2 - q0) <= 1 && std::abs(p3 - p0) <= 1 && std::abs(q3 - q0) <= 1;
    if (flat) {
      if constexpr (size == 16) {
        const int v[16] = {l.at(-8), l.at(-7), l.at(-6), l.at(-5), p3, p2, p1, p0,
                           q0,       q1,       q2,       q3,       l.at(4), l.at(5), l.at(6), l.at(7)};
        bool flat2 = true;
#pragma GCC unroll 4
        for (int i = 0; i < 4; ++i) flat2 &= std::abs(v[i] - p0) <= 1 && std::abs(v[12 + i] - q0) <= 1;
        if (flat2) {
          flat_filter<8>(l, v);
          return;
        }
      }
      const int v[8] = {p3, p2, p1, p0, q0, q1, q2, q3};
      flat_filter<4>(l, v);
      return;
    }
  }
  filter4(l, hev);
}

template <int size, bool kHorizontalEdge>
void lpf(uint8_t* dst, ptrdiff_t stride, int count, int blimit, int limit, int thresh) {
  for (int i = 0; i < count; ++i) {
    const Line l = kHorizontalEdge ? Line{dst + i, stride} : Line{dst + i * stride, 1};
    filter_line<size>(l, blimit, limit, thresh);
  }
}

}  // namespace

void init_lpf(Vp9Dsp& dsp) {
  dsp.lpf_h[0] = lpf<4, true>;
  dsp.lpf_h[1] = lpf<8, true>;
  dsp.lpf_h[2] = lpf<16, true>;
  dsp.lpf_v[0] = lpf<4, false>;
  dsp.lpf_v[1] = lpf<8, false>;
  dsp.lpf_v[2] = lpf<16, false>;
}

const Vp9Dsp& vp9_dsp_c() {
  static const Vp9Dsp dsp = [] {
    Vp9Dsp d{};
    init_itx(d);
    init_intra(d);
    init_mc(d);
    init_lpf(d);
    return d;
  }();
  return dsp;
}

}  // namespace daedalus::dispatch::cpu
