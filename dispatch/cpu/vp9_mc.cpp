// SPDX-License-Identifier: MIT
// VP9 inter prediction filters (spec "Motion vector scaling process" and
// "Block inter prediction process"): separable 8-tap filtering at 1/16 pel,
// horizontal first, each pass rounded by 7 bits and clipped to 8 bit (as the
// 8-bit libvpx/libavcodec convolutions store their intermediate as pixels).
#include <algorithm>
#include <cstring>

#include "subpel_kernels.h"
#include "vp9_dsp.h"

namespace daedalus::dispatch::cpu {

// Normative kernels from the VP9 specification, [filter][position][tap]
// (dispatch/vp9/subpel_kernels.h, shared with the Vulkan backend).
const int16_t kSubpelFilters[4][16][8] = DAEDALUS_VP9_SUBPEL_KERNELS;

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
