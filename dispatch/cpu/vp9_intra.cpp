// SPDX-License-Identifier: MIT
// VP9 intra predictors (spec "Intra prediction process"), written from the
// spec's per-pixel formulas. The caller prepares the edges: above[-1 .. 2n-1]
// and left[0 .. n-1] with VP9's substitutes for unavailable pixels.
#include <algorithm>
#include <cstring>

#include "vp9_dsp.h"

namespace daedalus::dispatch::cpu {
namespace {

inline uint8_t avg2(int a, int b) { return static_cast<uint8_t>((a + b + 1) >> 1); }
inline uint8_t avg3(int a, int b, int c) { return static_cast<uint8_t>((a + 2 * b + c + 2) >> 2); }

template <int n>
void fill(uint8_t* dst, ptrdiff_t stride, int v) {
  for (int r = 0; r < n; ++r) std::memset(dst + r * stride, v, n);
}

template <int n, int log2n>
void dc_pred(uint8_t* dst, ptrdiff_t stride, const uint8_t* above, const uint8_t* left) {
  int sum = n;
  for (int i = 0; i < n; ++i) sum += above[i] + left[i];
  fill<n>(dst, stride, sum >> (log2n + 1));
}

template <int n, int log2n>
void dc_left_pred(uint8_t* dst, ptrdiff_t stride, const uint8_t*, const uint8_t* left) {
  int sum = n / 2;
  for (int i = 0; i < n; ++i) sum += left[i];
  fill<n>(dst, stride, sum >> log2n);
}

template <int n, int log2n>
void dc_top_pred(uint8_t* dst, ptrdiff_t stride, const uint8_t* above, const uint8_t*) {
  int sum = n / 2;
  for (int i = 0; i < n; ++i) sum += above[i];
  fill<n>(dst, stride, sum >> log2n);
}

template <int n>
void dc_128_pred(uint8_t* dst, ptrdiff_t stride, const uint8_t*, const uint8_t*) {
  fill<n>(dst, stride, 128);
}

template <int n>
void v_pred(uint8_t* dst, ptrdiff_t stride, const uint8_t* above, const uint8_t*) {
  for (int r = 0; r < n; ++r) std::memcpy(dst + r * stride, above, n);
}

template <int n>
void h_pred(uint8_t* dst, ptrdiff_t stride, const uint8_t*, const uint8_t* left) {
  for (int r = 0; r < n; ++r) std::memset(dst + r * stride, left[r], n);
}

template <int n>
void tm_pred(uint8_t* dst, ptrdiff_t stride, const uint8_t* above, const uint8_t* left) {
  for (int r = 0; r < n; ++r)
    for (int c = 0; c < n; ++c) dst[r * stride + c] = static_cast<uint8_t>(std::clamp(left[r] + above[c] - above[-1], 0, 255));
}

template <int n>
void d45_pred(uint8_t* dst, ptrdiff_t stride, const uint8_t* a, const uint8_t*) {
  for (int r = 0; r < n; ++r)
    for (int c = 0; c < n; ++c)
      dst[r * stride + c] = r + c + 2 < 2 * n ? avg3(a[r + c], a[r + c + 1], a[r + c + 2]) : a[2 * n - 1];
}

template <int n>
void d63_pred(uint8_t* dst, ptrdiff_t stride, const uint8_t* a, const uint8_t*) {
  for (int r = 0; r < n; ++r) {
    const int i2 = r / 2;
    for (int c = 0; c < n; ++c)
      dst[r * stride + c] = (r & 1) ? avg3(a[i2 + c], a[i2 + c + 1], a[i2 + c + 2]) : avg2(a[i2 + c], a[i2 + c + 1]);
  }
}

template <int n>
void d117_pred(uint8_t* dst, ptrdiff_t stride, const uint8_t* a, const uint8_t* l) {
  uint8_t p[n][n];
  for (int c = 0; c < n; ++c) p[0][c] = avg2(a[c - 1], a[c]);
  p[1][0] = avg3(l[0], a[-1], a[0]);
  for (int c = 1; c < n; ++c) p[1][c] = avg3(a[c - 2], a[c - 1], a[c]);
  p[2][0] = avg3(a[-1], l[0], l[1]);
  for (int r = 3; r < n; ++r) p[r][0] = avg3(l[r - 3], l[r - 2], l[r - 1]);
  for (int r = 2; r < n; ++r)
    for (int c = 1; c < n; ++c) p[r][c] = p[r - 2][c - 1];
  for (int r = 0; r < n; ++r) std::memcpy(dst + r * stride, p[r], n);
}

template <int n>
void d135_pred(uint8_t* dst, ptrdiff_t stride, const uint8_t* a, const uint8_t* l) {
  uint8_t p[n][n];
  p[0][0] = avg3(l[0], a[-1], a[0]);
  for (int c = 1; c < n; ++c) p[0][c] = avg3(a[c - 2], a[c - 1], a[c]);
  p[1][0] = avg3(a[-1], l[0], l[1]);
  for (int r = 2; r < n; ++r) p[r][0] = avg3(l[r - 2], l[r - 1], l[r]);
  for (int r = 1; r < n; ++r)
    for (int c = 1; c < n; ++c) p[r][c] = p[r - 1][c - 1];
  for (int r = 0; r < n; ++r) std::memcpy(dst + r * stride, p[r], n);
}

template <int n>
void d153_pred(uint8_t* dst, ptrdiff_t stride, const uint8_t* a, const uint8_t* l) {
  uint8_t p[n][n];
  p[0][0] = avg2(l[0], a[-1]);
  for (int r = 1; r < n; ++r) p[r][0] = avg2(l[r - 1], l[r]);
  p[0][1] = avg3(l[0], a[-1], a[0]);
  p[1][1] = avg3(a[-1], l[0], l[1]);
  for (int r = 2; r < n; ++r) p[r][1] = avg3(l[r - 2], l[r - 1], l[r]);
  for (int c = 2; c < n; ++c) p[0][c] = avg3(a[c - 3], a[c - 2], a[c - 1]);
  for (int r = 1; r < n; ++r)
    for (int c = 2; c < n; ++c) p[r][c] = p[r - 1][c - 2];
  for (int r = 0; r < n; ++r) std::memcpy(dst + r * stride, p[r], n);
}

template <int n>
void d207_pred(uint8_t* dst, ptrdiff_t stride, const uint8_t*, const uint8_t* l) {
  uint8_t p[n][n];
  for (int c = 0; c < n; ++c) p[n - 1][c] = l[n - 1];
  for (int r = 0; r < n - 1; ++r) p[r][0] = avg2(l[r], l[r + 1]);
  for (int r = 0; r < n - 2; ++r) p[r][1] = avg3(l[r], l[r + 1], l[r + 2]);
  p[n - 2][1] = avg3(l[n - 2], l[n - 1], l[n - 1]);
  for (int c = 2; c < n; ++c)
    for (int r = n - 2; r >= 0; --r) p[r][c] = p[r + 1][c - 2];
  for (int r = 0; r < n; ++r) std::memcpy(dst + r * stride, p[r], n);
}

template <int n, int log2n>
void init_size(Vp9Dsp& dsp, int tx) {
  auto& t = dsp.intra_pred;
  t[0][tx] = dc_pred<n, log2n>;
  t[1][tx] = v_pred<n>;
  t[2][tx] = h_pred<n>;
  t[3][tx] = d45_pred<n>;
  t[4][tx] = d135_pred<n>;
  t[5][tx] = d117_pred<n>;
  t[6][tx] = d153_pred<n>;
  t[7][tx] = d207_pred<n>;
  t[8][tx] = d63_pred<n>;
  t[9][tx] = tm_pred<n>;
  t[kIntraDcLeft][tx] = dc_left_pred<n, log2n>;
  t[kIntraDcTop][tx] = dc_top_pred<n, log2n>;
  t[kIntraDc128][tx] = dc_128_pred<n>;
}

}  // namespace

void init_intra(Vp9Dsp& dsp) {
  init_size<4, 2>(dsp, 0);
  init_size<8, 3>(dsp, 1);
  init_size<16, 4>(dsp, 2);
  init_size<32, 5>(dsp, 3);
}

}  // namespace daedalus::dispatch::cpu
