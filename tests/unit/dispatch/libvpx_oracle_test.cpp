// SPDX-License-Identifier: MIT
// Differential test of every CPU primitive against libvpx's own C reference
// functions (linked from the system's static libvpx.a, used as an oracle
// only): random inputs, bit-exact results required. libvpx is the VP9
// reference decoder, and libavcodec matches it on conformant streams.
#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

#include "daedalus/dispatch/work.h"
#include "vp9_dsp.h"

#if DD_VPX_HIGHBD
using tran_low_t = int32_t;
#else
using tran_low_t = int16_t;
#endif

extern "C" {
void vp9_iht4x4_16_add_c(const tran_low_t* input, uint8_t* dest, int stride, int tx_type);
void vp9_iht8x8_64_add_c(const tran_low_t* input, uint8_t* dest, int stride, int tx_type);
void vp9_iht16x16_256_add_c(const tran_low_t* input, uint8_t* dest, int stride, int tx_type);
void vpx_idct32x32_1024_add_c(const tran_low_t* input, uint8_t* dest, int stride);
void vpx_iwht4x4_16_add_c(const tran_low_t* input, uint8_t* dest, int stride);

using VpxPred = void (*)(uint8_t* dst, ptrdiff_t stride, const uint8_t* above, const uint8_t* left);
#define DD_DECLARE_PRED(name)                                                              \
  void vpx_##name##_predictor_4x4_c(uint8_t*, ptrdiff_t, const uint8_t*, const uint8_t*);   \
  void vpx_##name##_predictor_8x8_c(uint8_t*, ptrdiff_t, const uint8_t*, const uint8_t*);   \
  void vpx_##name##_predictor_16x16_c(uint8_t*, ptrdiff_t, const uint8_t*, const uint8_t*); \
  void vpx_##name##_predictor_32x32_c(uint8_t*, ptrdiff_t, const uint8_t*, const uint8_t*);
DD_DECLARE_PRED(dc)
DD_DECLARE_PRED(v)
DD_DECLARE_PRED(h)
DD_DECLARE_PRED(d45)
DD_DECLARE_PRED(d135)
DD_DECLARE_PRED(d117)
DD_DECLARE_PRED(d153)
DD_DECLARE_PRED(d207)
DD_DECLARE_PRED(d63)
DD_DECLARE_PRED(tm)
DD_DECLARE_PRED(dc_left)
DD_DECLARE_PRED(dc_top)
DD_DECLARE_PRED(dc_128)

using InterpKernel = int16_t[8];
void vpx_convolve8_c(const uint8_t* src, ptrdiff_t src_stride, uint8_t* dst, ptrdiff_t dst_stride,
                     const InterpKernel* filter, int x0_q4, int x_step_q4, int y0_q4, int y_step_q4, int w, int h);
void vpx_convolve8_avg_c(const uint8_t* src, ptrdiff_t src_stride, uint8_t* dst, ptrdiff_t dst_stride,
                         const InterpKernel* filter, int x0_q4, int x_step_q4, int y0_q4, int y_step_q4, int w,
                         int h);

void vpx_lpf_horizontal_4_c(uint8_t* s, int pitch, const uint8_t* blimit, const uint8_t* limit, const uint8_t* thresh);
void vpx_lpf_horizontal_8_c(uint8_t* s, int pitch, const uint8_t* blimit, const uint8_t* limit, const uint8_t* thresh);
void vpx_lpf_horizontal_16_c(uint8_t* s, int pitch, const uint8_t* blimit, const uint8_t* limit,
                             const uint8_t* thresh);
void vpx_lpf_vertical_4_c(uint8_t* s, int pitch, const uint8_t* blimit, const uint8_t* limit, const uint8_t* thresh);
void vpx_lpf_vertical_8_c(uint8_t* s, int pitch, const uint8_t* blimit, const uint8_t* limit, const uint8_t* thresh);
void vpx_lpf_vertical_16_c(uint8_t* s, int pitch, const uint8_t* blimit, const uint8_t* limit, const uint8_t* thresh);
}

namespace daedalus::dispatch::cpu {
namespace {

const Vp9Dsp& dsp() { return vp9_dsp_c(); }

// Coefficients shaped like real ones: large near DC, sparse further out,
// with `eob`-like cut-off in raster order.
std::vector<int16_t> random_coeffs(std::mt19937& rng, int n, int amplitude) {
  std::vector<int16_t> c(n * n, 0);
  std::uniform_int_distribution<int> pick(0, 99);
  const int cut = std::uniform_int_distribution<int>(1, n * n)(rng);
  for (int i = 0; i < cut; ++i) {
    const int r = i / n, col = i % n;
    const int amp = amplitude / (1 + r + col);
    if (pick(rng) < 60) c[i] = static_cast<int16_t>(std::uniform_int_distribution<int>(-amp, amp)(rng));
  }
  return c;
}

TEST(LibvpxOracle, InverseTransformsAreBitExact) {
  std::mt19937 rng(1234);
  for (int size = 0; size < 4; ++size) {
    const int n = 4 << size;
    for (int type = 0; type < (size == 3 ? 1 : 4); ++type) {
      for (int iter = 0; iter < 3000; ++iter) {
        const int amp = (iter % 3 == 0) ? 4000 : 800;
        std::vector<int16_t> coeffs = random_coeffs(rng, n, amp);
        std::vector<tran_low_t> vin(coeffs.begin(), coeffs.end());
        std::vector<int16_t> res(n * n);
        dsp().itx[type][size](coeffs.data(), res.data());
        std::vector<uint8_t> dest(n * n, 128);
        switch (size) {
          case 0: vp9_iht4x4_16_add_c(vin.data(), dest.data(), n, type); break;
          case 1: vp9_iht8x8_64_add_c(vin.data(), dest.data(), n, type); break;
          case 2: vp9_iht16x16_256_add_c(vin.data(), dest.data(), n, type); break;
          case 3: vpx_idct32x32_1024_add_c(vin.data(), dest.data(), n); break;
        }
        for (int i = 0; i < n * n; ++i) {
          const int mine = std::clamp(128 + res[i], 0, 255);
          ASSERT_EQ(mine, dest[i]) << "size " << n << " type " << type << " iter " << iter << " pixel " << i;
        }
      }
    }
  }
}

TEST(LibvpxOracle, WhtIsBitExact) {
  std::mt19937 rng(99);
  std::uniform_int_distribution<int> dist(-200, 200);
  for (int iter = 0; iter < 5000; ++iter) {
    int16_t coeffs[16];
    tran_low_t vin[16];
    for (int i = 0; i < 16; ++i) vin[i] = coeffs[i] = static_cast<int16_t>(dist(rng) * 4);
    int16_t res[16];
    dsp().itx[DD_TX_WHT_WHT][0](coeffs, res);
    uint8_t dest[16];
    std::memset(dest, 128, sizeof dest);
    vpx_iwht4x4_16_add_c(vin, dest, 4);
    for (int i = 0; i < 16; ++i) ASSERT_EQ(std::clamp(128 + res[i], 0, 255), dest[i]) << iter << " " << i;
  }
}

TEST(LibvpxOracle, IntraPredictorsAreBitExact) {
#define DD_PREDS(name) \
  { vpx_##name##_predictor_4x4_c, vpx_##name##_predictor_8x8_c, vpx_##name##_predictor_16x16_c, vpx_##name##_predictor_32x32_c }
  const VpxPred vpx[kIntraSlots][4] = {DD_PREDS(dc),   DD_PREDS(v),    DD_PREDS(h),    DD_PREDS(d45),
                                       DD_PREDS(d135), DD_PREDS(d117), DD_PREDS(d153), DD_PREDS(d207),
                                       DD_PREDS(d63),  DD_PREDS(tm),   DD_PREDS(dc_left), DD_PREDS(dc_top),
                                       DD_PREDS(dc_128)};
#undef DD_PREDS
  std::mt19937 rng(5);
  std::uniform_int_distribution<int> px(0, 255);
  for (int size = 0; size < 4; ++size) {
    const int n = 4 << size;
    for (int slot = 0; slot < kIntraSlots; ++slot) {
      for (int iter = 0; iter < 300; ++iter) {
        alignas(16) uint8_t above_buf[16 + 64 + 16], left[32];
        uint8_t* above = above_buf + 16;
        for (int i = -1; i < 2 * n; ++i) above[i] = static_cast<uint8_t>(px(rng));
        // The VP9 decoder only ever passes a replicated above-right half
        // for blocks larger than 4x4 (libvpx's larger D45/D63 rely on it).
        if (n > 4)
          for (int i = n; i < 2 * n; ++i) above[i] = above[n - 1];
        for (int i = 0; i < n; ++i) left[i] = static_cast<uint8_t>(px(rng));
        std::vector<uint8_t> mine(n * n), ref(n * n);
        dsp().intra_pred[slot][size](mine.data(), n, above, left);
        vpx[slot][size](ref.data(), n, above, left);
        ASSERT_EQ(mine, ref) << "slot " << slot << " size " << n << " iter " << iter;
      }
    }
  }
}

TEST(LibvpxOracle, MotionCompensationIsBitExact) {
  std::mt19937 rng(77);
  constexpr int kStride = 200;
  std::vector<uint8_t> src(kStride * 200);
  const int sizes[] = {4, 8, 16, 32, 64};
  for (int iter = 0; iter < 4000; ++iter) {
    // Mix of smooth and noisy sources so that the clip between passes matters.
    const bool noisy = iter % 2;
    for (int y = 0; y < 200; ++y)
      for (int x = 0; x < kStride; ++x)
        src[y * kStride + x] = static_cast<uint8_t>(noisy ? rng() & 255 : ((x * 3 + y * 5) & 255) ^ ((x / 7) & 1 ? 255 : 0));
    const int w = sizes[rng() % 5], h = sizes[rng() % 5];
    const int filter = static_cast<int>(rng() % 4);
    const int mx = static_cast<int>(rng() % 16), my = static_cast<int>(rng() % 16);
    const bool scaled = iter % 3 == 0;
    const int dx = scaled ? 8 + static_cast<int>(rng() % 25) : 16, dy = scaled ? 8 + static_cast<int>(rng() % 25) : 16;
    const bool avg = iter % 4 == 1;
    const uint8_t* s = src.data() + 8 * kStride + 8;
    std::vector<uint8_t> mine(64 * 64), ref(64 * 64);
    for (size_t i = 0; i < mine.size(); ++i) mine[i] = ref[i] = static_cast<uint8_t>(rng());
    const InterpKernel* kernels = reinterpret_cast<const InterpKernel*>(kSubpelFilters[filter]);
    if (scaled)
      (avg ? dsp().smc_avg : dsp().smc_put)(mine.data(), 64, s, kStride, w, h, mx, my, dx, dy, filter);
    else
      (avg ? dsp().mc_avg : dsp().mc_put)(mine.data(), 64, s, kStride, w, h, mx, my, filter);
    (avg ? vpx_convolve8_avg_c : vpx_convolve8_c)(s, kStride, ref.data(), 64, kernels, mx, dx, my, dy, w, h);
    ASSERT_EQ(mine, ref) << "iter " << iter << " " << w << "x" << h << " filter " << filter << " mx " << mx
                         << " my " << my << " step " << dx << "/" << dy << (avg ? " avg" : "");
  }
}

TEST(LibvpxOracle, LoopFiltersAreBitExact) {
  using VpxLpf = void (*)(uint8_t*, int, const uint8_t*, const uint8_t*, const uint8_t*);
  const VpxLpf vpx_h[3] = {vpx_lpf_horizontal_4_c, vpx_lpf_horizontal_8_c, vpx_lpf_horizontal_16_c};
  const VpxLpf vpx_v[3] = {vpx_lpf_vertical_4_c, vpx_lpf_vertical_8_c, vpx_lpf_vertical_16_c};
  std::mt19937 rng(31);
  for (int iter = 0; iter < 20000; ++iter) {
    // 16x16 block; the edge is in the middle (row or column 8). Near-flat
    // content with a random step and noise so every branch gets taken.
    uint8_t a[16 * 16], b[16 * 16];
    const int base = static_cast<int>(rng() % 200) + 20, step = static_cast<int>(rng() % 24) - 12;
    const int noise = static_cast<int>(rng() % 4);
    const bool vertical = iter & 1;
    for (int y = 0; y < 16; ++y)
      for (int x = 0; x < 16; ++x) {
        const int across = vertical ? x : y;
        int v = base + (across >= 8 ? step : 0) + (noise ? static_cast<int>(rng() % (2 * noise + 1)) - noise : 0);
        if (rng() % 50 == 0) v += static_cast<int>(rng() % 60) - 30;
        a[y * 16 + x] = b[y * 16 + x] = static_cast<uint8_t>(std::clamp(v, 0, 255));
      }
    const int level = 1 + static_cast<int>(rng() % 63), sharpness = static_cast<int>(rng() % 8);
    const LpfLimits l = lpf_limits(level, sharpness);
    const uint8_t blimit = static_cast<uint8_t>(l.blimit), limit = static_cast<uint8_t>(l.limit),
                  thresh = static_cast<uint8_t>(l.thresh);
    const int k = static_cast<int>(rng() % 3);
    if (vertical) {
      dsp().lpf_v[k](a + 8, 16, 8, l.blimit, l.limit, l.thresh);
      vpx_v[k](b + 8, 16, &blimit, &limit, &thresh);
    } else {
      dsp().lpf_h[k](a + 8 * 16, 16, 8, l.blimit, l.limit, l.thresh);
      vpx_h[k](b + 8 * 16, 16, &blimit, &limit, &thresh);
    }
    ASSERT_EQ(0, std::memcmp(a, b, sizeof a)) << "iter " << iter << " size index " << k << (vertical ? " v" : " h");
  }
}

}  // namespace
}  // namespace daedalus::dispatch::cpu
