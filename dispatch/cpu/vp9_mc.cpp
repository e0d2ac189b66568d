// SPDX-License-Identifier: MIT
// VP9 inter prediction filters (spec "Motion vector scaling process" and
// "Block inter prediction process"): separable 8-tap filtering at 1/16 pel,
// horizontal first, each pass rounded by 7 bits and clipped to 8 bit (as the
// 8-bit libvpx/libavcodec convolutions store their intermediate as pixels).
#include <algorithm>
#include <cstring>

#include "vp9_dsp.h"

namespace daedalus::dispatch::cpu {

// Normative kernels from the VP9 specification, [filter][position][tap].
const int16_t kSubpelFilters[4][16][8] = {
    {// regular
     {0, 0, 0, 128, 0, 0, 0, 0},
     {0, 1, -5, 126, 8, -3, 1, 0},
     {-1, 3, -10, 122, 18, -6, 2, 0},
     {-1, 4, -13, 118, 27, -9, 3, -1},
     {-1, 4, -16, 112, 37, -11, 4, -1},
     {-1, 5, -18, 105, 48, -14, 4, -1},
     {-1, 5, -19, 97, 58, -16, 5, -1},
     {-1, 6, -19, 88, 68, -18, 5, -1},
     {-1, 6, -19, 78, 78, -19, 6, -1},
     {-1, 5, -18, 68, 88, -19, 6, -1},
     {-1, 5, -16, 58, 97, -19, 5, -1},
     {-1, 4, -14, 48, 105, -18, 5, -1},
     {-1, 4, -11, 37, 112, -16, 4, -1},
     {-1, 3, -9, 27, 118, -13, 4, -1},
     {0, 2, -6, 18, 122, -10, 3, -1},
     {0, 1, -3, 8, 126, -5, 1, 0}},
    {// smooth
     {0, 0, 0, 128, 0, 0, 0, 0},
     {-3, -1, 32, 64, 38, 1, -3, 0},
     {-2, -2, 29, 63, 41, 2, -3, 0},
     {-2, -2, 26, 63, 43, 4, -4, 0},
     {-2, -3, 24, 62, 46, 5, -4, 0},
     {-2, -3, 21, 60, 49, 7, -4, 0},
     {-1, -4, 18, 59, 51, 9, -4, 0},
     {-1, -4, 16, 57, 53, 12, -4, -1},
     {-1, -4, 14, 55, 55, 14, -4, -1},
     {-1, -4, 12, 53, 57, 16, -4, -1},
     {0, -4, 9, 51, 59, 18, -4, -1},
     {0, -4, 7, 49, 60, 21, -3, -2},
     {0, -4, 5, 46, 62, 24, -3, -2},
     {0, -4, 4, 43, 63, 26, -2, -2},
     {0, -3, 2, 41, 63, 29, -2, -2},
     {0, -3, 1, 38, 64, 32, -1, -3}},
    {// sharp
     {0, 0, 0, 128, 0, 0, 0, 0},
     {-1, 3, -7, 127, 8, -3, 1, 0},
     {-2, 5, -13, 125, 17, -6, 3, -1},
     {-3, 7, -17, 121, 27, -10, 5, -2},
     {-4, 9, -20, 115, 37, -13, 6, -2},
     {-4, 10, -23, 108, 48, -16, 8, -3},
     {-4, 10, -24, 100, 59, -19, 9, -3},
     {-4, 11, -24, 90, 70, -21, 10, -4},
     {-4, 11, -23, 80, 80, -23, 11, -4},
     {-4, 10, -21, 70, 90, -24, 11, -4},
     {-3, 9, -19, 59, 100, -24, 10, -4},
     {-3, 8, -16, 48, 108, -23, 10, -4},
     {-2, 6, -13, 37, 115, -20, 9, -4},
     {-2, 5, -10, 27, 121, -17, 7, -3},
     {-1, 3, -6, 17, 125, -13, 5, -2},
     {0, 1, -3, 8, 127, -7, 3, -1}},
    {// bilinear
     {0, 0, 0, 128, 0, 0, 0, 0},
     {0, 0, 0, 120, 8, 0, 0, 0},
     {0, 0, 0, 112, 16, 0, 0, 0},
     {0, 0, 0, 104, 24, 0, 0, 0},
     {0, 0, 0, 96, 32, 0, 0, 0},
     {0, 0, 0, 88, 40, 0, 0, 0},
     {0, 0, 0, 80, 48, 0, 0, 0},
     {0, 0, 0, 72, 56, 0, 0, 0},
     {0, 0, 0, 64, 64, 0, 0, 0},
     {0, 0, 0, 56, 72, 0, 0, 0},
     {0, 0, 0, 48, 80, 0, 0, 0},
     {0, 0, 0, 40, 88, 0, 0, 0},
     {0, 0, 0, 32, 96, 0, 0, 0},
     {0, 0, 0, 24, 104, 0, 0, 0},
     {0, 0, 0, 16, 112, 0, 0, 0},
     {0, 0, 0, 8, 120, 0, 0, 0}},
};

namespace {

// Largest intermediate: 64 columns by (63 * 32 + 15) / 16 + 8 rows for a 2:1
// downscaled 64x64 block.
constexpr int kTmpStride = 64;
constexpr int kTmpRows = 64 * 2 + 16;

inline uint8_t filter8(const uint8_t* p, ptrdiff_t step, const int16_t* f) {
  int sum = 0;
#pragma GCC unroll 8
  for (int t = 0; t < 8; ++t) sum += f[t] * p[(t - 3) * step];
  return static_cast<uint8_t>(std::clamp((sum + 64) >> 7, 0, 255));
}

template <bool kAvg>
void scaled_mc(uint8_t* dst, ptrdiff_t dst_stride, const uint8_t* src, ptrdiff_t src_stride, int w, int h, int mx,
               int my, int dx, int dy, int filter) {
  const auto& kernels = kSubpelFilters[filter & 3];
  uint8_t tmp[kTmpRows * kTmpStride];
  const int tmp_h = std::min((((h - 1) * dy + my) >> 4) + 8, kTmpRows);
  const uint8_t* s = src - 3 * src_stride;
  for (int r = 0; r < tmp_h; ++r, s += src_stride) {
    for (int c = 0; c < w; ++c) {
      const int pos = mx + c * dx;
      tmp[r * kTmpStride + c] = filter8(s + (pos >> 4), 1, kernels[pos & 15]);
    }
  }
  for (int r = 0; r < h; ++r) {
    const int pos = my + r * dy;
    const uint8_t* t = tmp + ((pos >> 4) + 3) * kTmpStride;
    for (int c = 0; c < w; ++c) {
      const uint8_t v = filter8(t + c, kTmpStride, kernels[pos & 15]);
      uint8_t& d = dst[r * dst_stride + c];
      d = kAvg ? static_cast<uint8_t>((d + v + 1) >> 1) : v;
    }
  }
}

template <bool kAvg>
inline void store(uint8_t& d, uint8_t v) {
  d = kAvg ? static_cast<uint8_t>((d + v + 1) >> 1) : v;
}

// Unscaled: position 0 of every kernel is the identity (128 at the centre
// tap, and (128 p + 64) >> 7 == p), so a pass with phase 0 is skipped; the
// result is the same as running it. kW is the block width when it is one of
// VP9's (4 .. 64), so that the column loops have a constant trip count and
// the compiler can vectorize them; 0 for any other width.
template <bool kAvg, int kW>
void mc_w(uint8_t* dst, ptrdiff_t dst_stride, const uint8_t* src, ptrdiff_t src_stride, int any_w, int h, int mx,
          int my, int filter) {
  const int w = kW ? kW : any_w;
  const auto& kernels = kSubpelFilters[filter & 3];
  if (!mx && !my) {  // full-pel: a copy
    for (int r = 0; r < h; ++r, dst += dst_stride, src += src_stride) {
      if constexpr (kAvg) {
        for (int c = 0; c < w; ++c) store<true>(dst[c], src[c]);
      } else {
        std::memcpy(dst, src, size_t(w));
      }
    }
    return;
  }
  if (mx && my) {
    // scaled_mc with a step of 16, written with fixed kernels per pass
    const int16_t* kx = kernels[mx];
    const int16_t* ky = kernels[my];
    uint8_t tmp[(64 + 7) * kTmpStride];
    for (int r = 0; r < h + 7; ++r)
      for (int c = 0; c < w; ++c) tmp[r * kTmpStride + c] = filter8(src + (r - 3) * src_stride + c, 1, kx);
    for (int r = 0; r < h; ++r)
      for (int c = 0; c < w; ++c)
        store<kAvg>(dst[r * dst_stride + c], filter8(tmp + (r + 3) * kTmpStride + c, kTmpStride, ky));
    return;
  }
  const int16_t* k = kernels[mx | my];
  if (mx) {
    for (int r = 0; r < h; ++r)
      for (int c = 0; c < w; ++c) store<kAvg>(dst[r * dst_stride + c], filter8(src + r * src_stride + c, 1, k));
  } else {
    for (int r = 0; r < h; ++r)
      for (int c = 0; c < w; ++c)
        store<kAvg>(dst[r * dst_stride + c], filter8(src + r * src_stride + c, src_stride, k));
  }
}

template <bool kAvg>
void mc(uint8_t* dst, ptrdiff_t dst_stride, const uint8_t* src, ptrdiff_t src_stride, int w, int h, int mx, int my,
        int filter) {
  switch (w) {
    case 4: return mc_w<kAvg, 4>(dst, dst_stride, src, src_stride, w, h, mx, my, filter);
    case 8: return mc_w<kAvg, 8>(dst, dst_stride, src, src_stride, w, h, mx, my, filter);
    case 16: return mc_w<kAvg, 16>(dst, dst_stride, src, src_stride, w, h, mx, my, filter);
    case 32: return mc_w<kAvg, 32>(dst, dst_stride, src, src_stride, w, h, mx, my, filter);
    case 64: return mc_w<kAvg, 64>(dst, dst_stride, src, src_stride, w, h, mx, my, filter);
    default: return mc_w<kAvg, 0>(dst, dst_stride, src, src_stride, w, h, mx, my, filter);
  }
}

}  // namespace

void init_mc(Vp9Dsp& dsp) {
  dsp.mc_put = mc<false>;
  dsp.mc_avg = mc<true>;
  dsp.smc_put = scaled_mc<false>;
  dsp.smc_avg = scaled_mc<true>;
}

}  // namespace daedalus::dispatch::cpu
