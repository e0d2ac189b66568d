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
// rounded by log2(2k).
template <int k>
void flat_filter(const Line& l) {
  int v[2 * k];
  for (int i = 0; i < 2 * k; ++i) v[i] = l.at(i - k);
  constexpr int shift = k == 4 ? 3 : 4;
  // running window sum (exact integer arithmetic, so the order is free)
  int window = 0;
  for (int j = 1 - (k - 1); j <= 1 + (k - 1); ++j) window += v[std::clamp(j, 0, 2 * k - 1)];
  for (int i = 1; i < 2 * k - 1; ++i) {
    l.at(i - k) = static_cast<uint8_t>((window + v[i] + (1 << (shift - 1))) >> shift);
    window += v[std::min(i + k, 2 * k - 1)] - v[std::max(i - (k - 1), 0)];
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
        bool flat2 = true;
        for (int i = 4; i < 8; ++i) flat2 &= std::abs(l.at(-1 - i) - p0) <= 1 && std::abs(l.at(i) - q0) <= 1;
        if (flat2) {
          flat_filter<8>(l);
          return;
        }
      }
      flat_filter<4>(l);
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
