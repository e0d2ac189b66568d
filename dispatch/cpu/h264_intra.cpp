// SPDX-License-Identifier: MIT
// H.264 intra prediction (8.3.1.2, 8.3.2.2, 8.3.3, 8.3.4) for 8-bit 4:2:0.
// Intra_4x4 and Intra_8x8 share one predictor over the sample edge: their
// formulas differ only in the block size and in 8x8's filtered edge.
#include <algorithm>
#include <cstdint>

#include "h264_dsp.h"

namespace daedalus::dispatch::cpu {
namespace {

uint8_t clip1(int v) { return static_cast<uint8_t>(std::clamp(v, 0, 255)); }

// The DC value of a block of n x n from its edges (the DC rules of 8.3.1.2.3,
// 8.3.2.2.4, 8.3.3.3): both, one, or none available.
int dc_value(const uint8_t* top, const uint8_t* left, int n, bool has_top, bool has_left, int log2n) {
  int sum = 0;
  if (has_top)
    for (int i = 0; i < n; ++i) sum += top[i];
  if (has_left)
    for (int i = 0; i < n; ++i) sum += left[i];
  if (has_top && has_left) return (sum + n) >> (log2n + 1);
  if (has_top || has_left) return (sum + (n >> 1)) >> log2n;
  return 128;
}

}  // namespace

void h264_pred_nxn(uint8_t* dst, ptrdiff_t stride, int n, int mode, const IntraEdge& e) {
  // p[x, -1] for x = -1 .. 2n-1 and p[-1, y] for y = -1 .. n-1.
  auto T = [&](int x) { return int(e.top[x]); };
  auto L = [&](int y) { return y < 0 ? int(e.top[-1]) : int(e.left[y]); };
  const int last = 2 * n - 3;  // zHU beyond which Horizontal_Up is flat
  for (int y = 0; y < n; ++y) {
    for (int x = 0; x < n; ++x) {
      int v = 0;
      switch (mode) {
        case 0: v = T(x); break;
        case 1: v = L(y); break;
        case 2: v = dc_value(e.top, e.left, n, e.has_top, e.has_left, n == 4 ? 2 : 3); break;
        case 3:  // Diagonal_Down_Left
          v = (x == n - 1 && y == n - 1) ? (T(2 * n - 2) + 3 * T(2 * n - 1) + 2) >> 2
                                         : (T(x + y) + 2 * T(x + y + 1) + T(x + y + 2) + 2) >> 2;
          break;
        case 4:  // Diagonal_Down_Right
          if (x > y)
            v = (T(x - y - 2) + 2 * T(x - y - 1) + T(x - y) + 2) >> 2;
          else if (x < y)
            v = (L(y - x - 2) + 2 * L(y - x - 1) + L(y - x) + 2) >> 2;
          else
            v = (T(0) + 2 * T(-1) + L(0) + 2) >> 2;
          break;
        case 5: {  // Vertical_Right
          const int z = 2 * x - y;
          if (z >= 0 && !(z & 1))
            v = (T(x - (y >> 1) - 1) + T(x - (y >> 1)) + 1) >> 1;
          else if (z >= 0)
            v = (T(x - (y >> 1) - 2) + 2 * T(x - (y >> 1) - 1) + T(x - (y >> 1)) + 2) >> 2;
          else if (z == -1)
            v = (L(0) + 2 * T(-1) + T(0) + 2) >> 2;
          else
            v = (L(y - 2 * x - 1) + 2 * L(y - 2 * x - 2) + L(y - 2 * x - 3) + 2) >> 2;
          break;
        }
        case 6: {  // Horizontal_Down
          const int z = 2 * y - x;
          if (z >= 0 && !(z & 1))
            v = (L(y - (x >> 1) - 1) + L(y - (x >> 1)) + 1) >> 1;
          else if (z >= 0)
            v = (L(y - (x >> 1) - 2) + 2 * L(y - (x >> 1) - 1) + L(y - (x >> 1)) + 2) >> 2;
          else if (z == -1)
            v = (L(0) + 2 * T(-1) + T(0) + 2) >> 2;
          else
            v = (T(x - 2 * y - 1) + 2 * T(x - 2 * y - 2) + T(x - 2 * y - 3) + 2) >> 2;
          break;
        }
        case 7:  // Vertical_Left
          if (!(y & 1))
            v = (T(x + (y >> 1)) + T(x + (y >> 1) + 1) + 1) >> 1;
          else
            v = (T(x + (y >> 1)) + 2 * T(x + (y >> 1) + 1) + T(x + (y >> 1) + 2) + 2) >> 2;
          break;
        default: {  // 8: Horizontal_Up
          const int z = x + 2 * y;
          if (z < last && !(z & 1))
            v = (L(y + (x >> 1)) + L(y + (x >> 1) + 1) + 1) >> 1;
          else if (z < last)
            v = (L(y + (x >> 1)) + 2 * L(y + (x >> 1) + 1) + L(y + (x >> 1) + 2) + 2) >> 2;
          else if (z == last)
            v = (L(n - 2) + 3 * L(n - 1) + 2) >> 2;
          else
            v = L(n - 1);
          break;
        }
      }
      dst[y * stride + x] = static_cast<uint8_t>(v);
    }
  }
}

void h264_filter_8x8_edge(const IntraEdge& in, uint8_t* top, uint8_t* left) {
  const uint8_t* p = in.top;
  const uint8_t* l = in.left;
  if (in.has_top) {
    top[0] = in.has_top_left ? (p[-1] + 2 * p[0] + p[1] + 2) >> 2 : (3 * p[0] + p[1] + 2) >> 2;
    for (int x = 1; x < 15; ++x) top[x] = (p[x - 1] + 2 * p[x] + p[x + 1] + 2) >> 2;
    top[15] = (p[14] + 3 * p[15] + 2) >> 2;
  }
  if (in.has_top_left) {
    if (in.has_top && in.has_left)
      top[-1] = (p[0] + 2 * p[-1] + l[0] + 2) >> 2;
    else if (in.has_top)
      top[-1] = (3 * p[-1] + p[0] + 2) >> 2;
    else if (in.has_left)
      top[-1] = (3 * p[-1] + l[0] + 2) >> 2;
    else
      top[-1] = p[-1];
  }
  if (in.has_left) {
    left[0] = in.has_top_left ? (p[-1] + 2 * l[0] + l[1] + 2) >> 2 : (3 * l[0] + l[1] + 2) >> 2;
    for (int y = 1; y < 7; ++y) left[y] = (l[y - 1] + 2 * l[y] + l[y + 1] + 2) >> 2;
    left[7] = (l[6] + 3 * l[7] + 2) >> 2;
  }
}

void h264_pred_16x16(uint8_t* dst, ptrdiff_t stride, int mode, const IntraEdge& e) {
  const uint8_t* t = e.top;
  const uint8_t* l = e.left;
  if (mode == 3) {  // Plane
    int h = 0, v = 0;
    for (int i = 0; i < 8; ++i) {
      h += (i + 1) * (t[8 + i] - t[6 - i]);
      v += (i + 1) * (l[8 + i] - (6 - i < 0 ? t[-1] : l[6 - i]));
    }
    const int a = 16 * (l[15] + t[15]), b = (5 * h + 32) >> 6, c = (5 * v + 32) >> 6;
    for (int y = 0; y < 16; ++y)
      for (int x = 0; x < 16; ++x) dst[y * stride + x] = clip1((a + b * (x - 7) + c * (y - 7) + 16) >> 5);
    return;
  }
  const int dc = mode == 2 ? dc_value(t, l, 16, e.has_top, e.has_left, 4) : 0;
  for (int y = 0; y < 16; ++y)
    for (int x = 0; x < 16; ++x) dst[y * stride + x] = static_cast<uint8_t>(mode == 0 ? t[x] : mode == 1 ? l[y] : dc);
}

void h264_pred_chroma(uint8_t* dst, ptrdiff_t stride, int mode, const IntraEdge& e) {
  const uint8_t* t = e.top;
  const uint8_t* l = e.left;
  if (mode == 0) {  // DC per 4x4 block, with the edge it prefers (8.3.4.1-3)
    for (int by = 0; by < 2; ++by) {
      for (int bx = 0; bx < 2; ++bx) {
        const uint8_t* bt = t + 4 * bx;
        const uint8_t* bl = l + 4 * by;
        int dc;
        if (bx == by) {
          dc = dc_value(bt, bl, 4, e.has_top, e.has_left, 2);
        } else if (bx > 0) {  // top-right block: the row above first
          dc = e.has_top ? dc_value(bt, bl, 4, true, false, 2) : dc_value(bt, bl, 4, false, e.has_left, 2);
        } else {  // bottom-left block: the left column first
          dc = e.has_left ? dc_value(bt, bl, 4, false, true, 2) : dc_value(bt, bl, 4, e.has_top, false, 2);
        }
        for (int y = 0; y < 4; ++y)
          for (int x = 0; x < 4; ++x) dst[(4 * by + y) * stride + 4 * bx + x] = static_cast<uint8_t>(dc);
      }
    }
    return;
  }
  if (mode == 3) {  // Plane (xCF = yCF = 0 for 4:2:0)
    int h = 0, v = 0;
    for (int i = 0; i < 4; ++i) {
      h += (i + 1) * (t[4 + i] - t[2 - i]);
      v += (i + 1) * (l[4 + i] - (2 - i < 0 ? t[-1] : l[2 - i]));
    }
    const int a = 16 * (l[7] + t[7]), b = (34 * h + 32) >> 6, c = (34 * v + 32) >> 6;
    for (int y = 0; y < 8; ++y)
      for (int x = 0; x < 8; ++x) dst[y * stride + x] = clip1((a + b * (x - 3) + c * (y - 3) + 16) >> 5);
    return;
  }
  for (int y = 0; y < 8; ++y)
    for (int x = 0; x < 8; ++x) dst[y * stride + x] = mode == 2 ? t[x] : l[y];
}

}  // namespace daedalus::dispatch::cpu
